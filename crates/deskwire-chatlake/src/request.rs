//! [`ApiRequest`]: the description of one call — method, path under the API's base, query,
//! body, whether repeating it is harmless — built by the functions of [`crate::api`] and
//! [`crate::public`] and sent by a client. Build one yourself to call an endpoint this crate
//! does not model ([`ChatlakeClient::send`](crate::ChatlakeClient::send)).

use bytes::Bytes;
use deskwire_core::retry::Repeat;
use http::Method;
use serde::Serialize;

use crate::error::Error;
use crate::wire::Upload;

/// A body.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// No body.
    Empty,
    /// A JSON document, encoded once.
    Json(Bytes),
    /// `multipart/form-data`: text fields and files, in order.
    Multipart(Vec<FormPart>),
}

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq)]
pub enum FormPart {
    /// A text field.
    Text {
        /// Field name.
        name: String,
        /// Value.
        value: String,
    },
    /// A file.
    File {
        /// Field name (`attachments[]`).
        name: String,
        /// The file.
        upload: Upload,
    },
}

/// One call, ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiRequest {
    operation: &'static str,
    method: Method,
    path: Vec<String>,
    query: Vec<(String, String)>,
    body: Body,
    repeat: Repeat,
    identity_checked: bool,
}

impl ApiRequest {
    /// A call of `method` on `path` (segments under the API's base, each percent-encoded).
    /// GET requests may be repeated after a lost answer; others only when nothing was sent.
    pub fn new<S: ToString>(operation: &'static str, method: Method, path: &[S]) -> Self {
        let repeat = if method == Method::GET {
            Repeat::Safe
        } else {
            Repeat::OnlyIfNotSent
        };
        Self {
            operation,
            method,
            path: path.iter().map(ToString::to_string).collect(),
            query: Vec::new(),
            body: Body::Empty,
            repeat,
            identity_checked: false,
        }
    }

    /// Adds query pairs.
    pub fn query<I: IntoIterator<Item = (String, String)>>(mut self, pairs: I) -> Self {
        self.query.extend(pairs);
        self
    }

    /// Sets a JSON body.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body).map_err(|e| Error::Encode(e.to_string()))?;
        self.body = Body::Json(Bytes::from(bytes));
        Ok(self)
    }

    /// Sets a multipart body.
    pub fn multipart(mut self, parts: Vec<FormPart>) -> Self {
        self.body = Body::Multipart(parts);
        self
    }

    /// Marks the call as harmless to repeat (it changes nothing, or sets a state absolutely).
    pub fn idempotent(mut self) -> Self {
        self.repeat = Repeat::Safe;
        self
    }

    /// Marks a Client API contact call the server guards with its identity check
    /// (`identifier_hash`), whose failure it answers with a bare 500.
    pub(crate) fn identity_checked(mut self) -> Self {
        self.identity_checked = true;
        self
    }

    /// Whether a 500 answer most likely means a failed identity check.
    pub(crate) fn is_identity_checked(&self) -> bool {
        self.identity_checked
    }

    /// Name of the operation, for traces (`contacts.create`).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// Path segments under the base.
    pub fn path(&self) -> &[String] {
        &self.path
    }

    /// Query pairs.
    pub fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    /// The body.
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// Whether repeating it is harmless.
    pub fn repeat(&self) -> Repeat {
        self.repeat
    }
}
