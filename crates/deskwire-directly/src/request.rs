//! [`ApiRequest`]: the description of one call — method, path, query, JSON body, whether
//! repeating it is harmless, whether a 304 is an answer — built by the functions of
//! [`crate::api`] and sent by [`DirectlyClient`](crate::DirectlyClient). Build one yourself to
//! call an endpoint this crate does not model ([`DirectlyClient::send`](crate::DirectlyClient::send)).

use bytes::Bytes;
use deskwire_core::retry::Repeat;
use http::Method;
use serde::Serialize;

use crate::error::Error;

/// Where a path starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Under `{base}/v1`, with the bearer token: every API resource.
    Api,
    /// Under `{base}`, without a token: `health/status`.
    Public,
}

/// One call, ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiRequest {
    operation: &'static str,
    method: Method,
    scope: Scope,
    path: Vec<String>,
    query: Vec<(String, String)>,
    body: Option<Bytes>,
    repeat: Repeat,
    not_modified: bool,
}

impl ApiRequest {
    /// A call of `method` on `path` (segments under `{base}/v1`, each percent-encoded). GETs
    /// may be repeated after a lost answer; others only when nothing was sent.
    pub fn new<S: ToString>(operation: &'static str, method: Method, path: &[S]) -> Self {
        let repeat = if method == Method::GET {
            Repeat::Safe
        } else {
            Repeat::OnlyIfNotSent
        };
        Self {
            operation,
            method,
            scope: Scope::Api,
            path: path.iter().map(ToString::to_string).collect(),
            query: Vec::new(),
            body: None,
            repeat,
            not_modified: false,
        }
    }

    /// Moves the path to the host's root, without the token.
    pub fn public(mut self) -> Self {
        self.scope = Scope::Public;
        self
    }

    /// Adds query pairs.
    pub fn query<I: IntoIterator<Item = (String, String)>>(mut self, pairs: I) -> Self {
        self.query.extend(pairs);
        self
    }

    /// Sets a JSON body (encoded once, here).
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body).map_err(|e| Error::Encode(e.to_string()))?;
        self.body = Some(Bytes::from(bytes));
        Ok(self)
    }

    /// Marks the call as harmless to repeat.
    pub fn idempotent(mut self) -> Self {
        self.repeat = Repeat::Safe;
        self
    }

    /// Accepts `304 Not Modified` as an answer (a conditional poll).
    pub fn accept_not_modified(mut self) -> Self {
        self.not_modified = true;
        self
    }

    /// Name of the operation, for traces (`questions.create`).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// Where the path starts.
    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// Path segments.
    pub fn path(&self) -> &[String] {
        &self.path
    }

    /// Query pairs.
    pub fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    /// The JSON body, if any.
    pub fn body(&self) -> Option<&Bytes> {
        self.body.as_ref()
    }

    /// Whether repeating it is harmless.
    pub fn repeat(&self) -> Repeat {
        self.repeat
    }

    /// Whether a 304 is an answer.
    pub fn accepts_not_modified(&self) -> bool {
        self.not_modified
    }
}
