//! `RakeDirectClient`: a scenario -> validate -> JSON bytes with the secret inside (encoded
//! once) -> `POST {base}/workspaces/{workspaceId}/rake-direct` -> [`RakeResponse`] or a typed
//! error.
//!
//! The workspace secret only ever exists in the request body. It is not in the URL, not in a
//! header, not in tracing fields, not in `Debug` output, and it is masked in any answer Rake
//! might echo it in.

use std::sync::Arc;

use deskwire_core::engine::{ClientConfig, Connection, Head, Provider, RawAnswer, Request};
use deskwire_core::{ApiError, EncodeError, Secret};
use http::HeaderValue;

use crate::error::{Error, RakeDirect, RakeFailure};
use crate::validate;
use crate::wire::{
    find_session_id, CloseSession, OpenSession, RakeDirectRequest, RakeResponse, SessionId, DEFAULT_SESSION_ID_POINTERS,
};

/// Rake's public host.
pub const DEFAULT_BASE_URL: &str = "https://rakesystem.rake.ai";

/// What masked secrets are replaced with in answers and errors.
const MASK: &str = "***";

fn mask(mut text: String, secrets: &[&Secret]) -> String {
    for secret in secrets {
        let secret = secret.expose();
        if !secret.is_empty() && text.contains(secret) {
            text = text.replace(secret, MASK);
        }
    }
    text
}

/// Rake Direct on the core engine: no auth header (the secret travels in the body, added when
/// the request is encoded), refusals read by status, the secret masked in any body Rake echoes.
#[derive(Debug)]
struct Rake {
    secret: Secret,
}

impl Provider for Rake {
    type Kind = RakeDirect;
    type Credential = ();

    fn name(&self) -> &'static str {
        "rake-direct"
    }

    fn detail(&self, _: &Head, _: &RawAnswer) {}

    fn classify(&self, _: &Head, answer: RawAnswer, attempts: u32) -> Error {
        let mut error = ApiError::from_answer(&answer, (), attempts);
        error.body = mask(error.body, &[&self.secret]);
        Error::from_api(error)
    }
}

/// A request ready to send: validated and encoded once. Its body holds the workspace secret,
/// so its `Debug` shows only the scenario and the size.
#[derive(Clone)]
pub struct PreparedRequest {
    scenario: &'static str,
    request: Request<RawAnswer>,
    expects_session: bool,
    webhook_secret: Option<Secret>,
}

impl std::fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedRequest")
            .field("scenario", &self.scenario)
            .field("body", &format_args!("<{} bytes, secret inside>", self.body().len()))
            .finish()
    }
}

impl PreparedRequest {
    /// The scenario name.
    pub fn scenario(&self) -> &'static str {
        self.scenario
    }

    /// The exact bytes that will be sent. **They contain the workspace secret**: do not log them.
    pub fn body(&self) -> &[u8] {
        self.request.head().body().bytes().map_or(&[], |b| &b[..])
    }
}

/// A session opened with [`RakeDirectClient::open_session`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionOpened {
    /// The new session's id: post replies into it, close it.
    pub session_id: SessionId,
    /// Rake's whole answer.
    pub response: RakeResponse,
}

/// Builder for [`RakeDirectClient`]: the workspace and its secret up front, the rest optional.
#[derive(Debug, Clone)]
#[must_use]
pub struct RakeDirectClientBuilder {
    config: ClientConfig,
    workspace_id: String,
    secret: Secret,
    session_id_pointers: Vec<String>,
}

impl RakeDirectClientBuilder {
    deskwire_core::client_config_setters!(config);

    /// Where to look for the session id in an answer (JSON pointers, tried in order; `""` is the
    /// whole body). Default [`DEFAULT_SESSION_ID_POINTERS`], an inference: the shape is
    /// undocumented.
    pub fn session_id_pointers<I, P>(mut self, pointers: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        self.session_id_pointers = pointers.into_iter().map(Into::into).collect();
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<RakeDirectClient, Error> {
        if self.secret.is_blank() {
            return Err(Error::InvalidConfig(
                "the workspace secret is empty; generate it in the Rake Direct configuration".into(),
            ));
        }
        if self.workspace_id.trim().is_empty() {
            return Err(Error::InvalidConfig("the workspace id is empty".into()));
        }
        let prefix = ["workspaces", self.workspace_id.as_str(), "rake-direct"];
        let conn = Connection::new(
            &self.config,
            &prefix,
            Rake {
                secret: self.secret.clone(),
            },
        )
        .map_err(|e| Error::InvalidConfig(e.to_string()))?;
        Ok(RakeDirectClient {
            inner: Arc::new(Inner {
                conn,
                secret: self.secret,
                session_id_pointers: self.session_id_pointers,
            }),
        })
    }
}

/// Client of Rake Direct for one workspace. Cheap to clone.
///
/// ```no_run
/// # async fn run() -> Result<(), deskwire_rake_direct::Error> {
/// use deskwire_core::Secret;
/// use deskwire_rake_direct::wire::{Contact, Outbound, PlatformId};
/// use deskwire_rake_direct::RakeDirectClient;
///
/// let client = RakeDirectClient::builder("my-workspace", Secret::new("<workspace secret>")).build()?;
/// client
///     .send(Outbound::transactional(PlatformId::Sms, Contact::phone("123456789012"), "Your parcel has arrived."))
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RakeDirectClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    conn: Connection<Rake>,
    secret: Secret,
    session_id_pointers: Vec<String>,
}

impl RakeDirectClient {
    /// Starts a builder with the workspace id and its Rake Direct secret.
    pub fn builder(workspace_id: impl Into<String>, secret: Secret) -> RakeDirectClientBuilder {
        RakeDirectClientBuilder {
            config: ClientConfig::new(DEFAULT_BASE_URL),
            workspace_id: workspace_id.into(),
            secret,
            session_id_pointers: DEFAULT_SESSION_ID_POINTERS.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    /// The URL requests are posted to.
    pub fn url(&self) -> &str {
        self.inner.conn.base_url()
    }

    /// Validates and encodes `request` with the secret inside. Nothing is sent.
    pub fn prepare(&self, request: &RakeDirectRequest) -> Result<PreparedRequest, Error> {
        validate::request(request)?;
        let body = request
            .to_body(&self.inner.secret)
            .map_err(|e| EncodeError(e.to_string()))?;
        let http =
            Request::post(request.scenario(), &[] as &[&str]).bytes(HeaderValue::from_static("application/json"), body);
        Ok(PreparedRequest {
            scenario: request.scenario(),
            request: if request.is_idempotent() {
                http.idempotent()
            } else {
                http
            },
            expects_session: matches!(request, RakeDirectRequest::Open(_)),
            webhook_secret: match request {
                RakeDirectRequest::Open(o) => Some(o.webhook.secret.clone()),
                _ => None,
            },
        })
    }

    /// Validates, encodes and sends any scenario.
    pub async fn send(&self, request: impl Into<RakeDirectRequest>) -> Result<RakeResponse, Error> {
        let prepared = self.prepare(&request.into())?;
        self.send_prepared(&prepared).await
    }

    /// Opens a managed session and returns its id; [`RakeFailure::NoSessionId`] when the answer holds
    /// none at the configured places.
    pub async fn open_session(&self, open: OpenSession) -> Result<SessionOpened, Error> {
        let response = self.send(open).await?;
        match response.session_id {
            Some(session_id) => Ok(SessionOpened { session_id, response }),
            None => Err(Error::Provider(RakeFailure::NoSessionId(ApiError {
                status: response.status,
                retry_after: None,
                body: response.body,
                detail: (),
                attempts: 1,
            }))),
        }
    }

    /// Closes a session (`session.timeout: 0`).
    pub async fn close_session(&self, session_id: impl Into<SessionId>) -> Result<RakeResponse, Error> {
        self.send(CloseSession::new(session_id)).await
    }

    /// Escape hatch for fields this crate does not model (a conversation flow, say): sends
    /// `fields` as the body with the secret added. Repeated only when it never left the machine.
    pub async fn send_raw(&self, fields: serde_json::Map<String, serde_json::Value>) -> Result<RakeResponse, Error> {
        let mut fields = fields;
        fields.insert(
            "secret".into(),
            serde_json::Value::String(self.inner.secret.expose().to_owned()),
        );
        let body = serde_json::to_vec(&fields).map_err(|e| EncodeError(e.to_string()))?;
        let prepared = PreparedRequest {
            scenario: "raw",
            request: Request::post("raw", &[] as &[&str]).bytes(HeaderValue::from_static("application/json"), body),
            expects_session: false,
            webhook_secret: None,
        };
        self.send_prepared(&prepared).await
    }

    /// Sends a prepared request under the retry policy. Secrets Rake echoes are masked in the
    /// answer and in errors.
    pub async fn send_prepared(&self, request: &PreparedRequest) -> Result<RakeResponse, Error> {
        let secrets: Vec<&Secret> = std::iter::once(&self.inner.secret)
            .chain(request.webhook_secret.as_ref())
            .collect();
        let answer = match self.inner.conn.send_raw(request.request.head()).await {
            Ok(answer) => answer,
            Err(mut error) => {
                if let Error::Rejected(e) | Error::RateLimited(e) | Error::Server(e) = &mut error {
                    e.body = mask(std::mem::take(&mut e.body), &secrets);
                }
                return Err(error);
            }
        };
        let session_id = find_session_id(&answer.body, &self.inner.session_id_pointers);
        if session_id.is_none() && request.expects_session {
            tracing::warn!(
                status = answer.status,
                "no session id in the answer at the configured places"
            );
        }
        Ok(RakeResponse {
            status: answer.status,
            body: mask(answer.text(), &secrets),
            session_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_url_is_built_from_the_base() {
        let url = |base: &str, ws: &str| {
            RakeDirectClient::builder(ws, Secret::new("s"))
                .base_url(base)
                .build()
                .map(|c| c.url().to_owned())
        };
        assert_eq!(
            url(DEFAULT_BASE_URL, "ws-1").unwrap(),
            "https://rakesystem.rake.ai/workspaces/ws-1/rake-direct"
        );
        assert_eq!(
            url("http://127.0.0.1:9/", "a b").unwrap(),
            "http://127.0.0.1:9/workspaces/a%20b/rake-direct"
        );
        assert!(matches!(url("ftp://x", "1"), Err(Error::InvalidConfig(_))));
        assert!(matches!(url(DEFAULT_BASE_URL, " "), Err(Error::InvalidConfig(_))));
    }

    #[test]
    fn an_empty_secret_is_refused_at_build() {
        let err = RakeDirectClient::builder("ws", Secret::new("")).build().unwrap_err();
        assert!(matches!(err, Error::InvalidConfig(_)));
    }
}
