//! `RakeDirectClient`: a scenario -> validate -> JSON bytes with the secret inside (encoded
//! once) -> `POST {base}/workspaces/{workspaceId}/rake-direct` -> [`RakeResponse`] or a typed
//! error.
//!
//! The workspace secret only ever exists in the request body. It is not in the URL, not in a
//! header, not in tracing fields, not in `Debug` output, and it is masked in any answer Rake
//! might echo it in.

use std::sync::Arc;

use bytes::Bytes;
use deskwire_core::retry::{drive, Attempt, Outcome, Repeat, RetryPolicy};
use deskwire_core::transport::{endpoint_url, execute, TransportConfig};
use deskwire_core::Secret;
use reqwest::header::{HeaderValue, CONTENT_TYPE};
use tracing::Instrument as _;
use url::Url;

use crate::error::Error;
use crate::validate;
use crate::wire::{
    find_session_id, CloseSession, OpenSession, RakeDirectRequest, RakeResponse, SessionId, DEFAULT_SESSION_ID_POINTERS,
};

/// Rake's public host.
pub const DEFAULT_BASE_URL: &str = "https://rakesystem.rake.ai";

/// What masked secrets are replaced with in answers and errors.
const MASK: &str = "***";

/// A request ready to send: validated and encoded once. Its body holds the workspace secret,
/// so its `Debug` shows only the scenario and the size.
#[derive(Clone)]
pub struct PreparedRequest {
    scenario: &'static str,
    body: Bytes,
    repeat: Repeat,
    expects_session: bool,
    webhook_secret: Option<Secret>,
}

impl std::fmt::Debug for PreparedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedRequest")
            .field("scenario", &self.scenario)
            .field("body", &format_args!("<{} bytes, secret inside>", self.body.len()))
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
        &self.body
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

/// Builder for [`RakeDirectClient`].
#[derive(Debug, Clone)]
#[must_use]
pub struct RakeDirectClientBuilder {
    workspace_id: String,
    secret: Secret,
    transport: TransportConfig,
    retry: RetryPolicy,
    http: Option<reqwest::Client>,
    session_id_pointers: Vec<String>,
}

impl RakeDirectClientBuilder {
    /// HTTP settings (timeouts, user agent, base URL override; default [`DEFAULT_BASE_URL`]).
    pub fn transport(mut self, transport: TransportConfig) -> Self {
        self.transport = transport;
        self
    }

    /// Retry policy. Sends and opens are repeated only when they provably never left the
    /// machine (a repeat would reach the customer twice); closes also after a lost answer.
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Shares an existing `reqwest::Client`.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

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
        if self.secret.expose().trim().is_empty() {
            return Err(Error::InvalidConfig(
                "the workspace secret is empty; generate it in the Rake Direct configuration".into(),
            ));
        }
        let base = self.transport.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL);
        let url = rake_direct_url(base, &self.workspace_id)?;
        let http = match self.http {
            Some(http) => http,
            None => self.transport.build_client()?,
        };
        Ok(RakeDirectClient {
            inner: Arc::new(Inner {
                http,
                url,
                workspace_id: self.workspace_id,
                secret: self.secret,
                retry: self.retry,
                session_id_pointers: self.session_id_pointers,
            }),
        })
    }
}

fn rake_direct_url(base: &str, workspace_id: &str) -> Result<Url, Error> {
    if workspace_id.trim().is_empty() {
        return Err(Error::InvalidConfig("the workspace id is empty".into()));
    }
    endpoint_url(base, &["workspaces", workspace_id, "rake-direct"]).map_err(Error::InvalidConfig)
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
    http: reqwest::Client,
    url: Url,
    workspace_id: String,
    secret: Secret,
    retry: RetryPolicy,
    session_id_pointers: Vec<String>,
}

impl RakeDirectClient {
    /// Starts a builder with the workspace id and its Rake Direct secret.
    pub fn builder(workspace_id: impl Into<String>, secret: Secret) -> RakeDirectClientBuilder {
        RakeDirectClientBuilder {
            workspace_id: workspace_id.into(),
            secret,
            transport: TransportConfig::default(),
            retry: RetryPolicy::default(),
            http: None,
            session_id_pointers: DEFAULT_SESSION_ID_POINTERS.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    /// The URL requests are posted to.
    pub fn url(&self) -> &Url {
        &self.inner.url
    }

    /// Validates and encodes `request` with the secret inside. Nothing is sent.
    pub fn prepare(&self, request: &RakeDirectRequest) -> Result<PreparedRequest, Error> {
        validate::request(request)?;
        let body = request
            .to_body(&self.inner.secret)
            .map_err(|e| Error::Encode(e.to_string()))?;
        Ok(PreparedRequest {
            scenario: request.scenario(),
            body: Bytes::from(body),
            repeat: if request.is_idempotent() {
                Repeat::Safe
            } else {
                Repeat::OnlyIfNotSent
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

    /// Opens a managed session and returns its id; [`Error::NoSessionId`] when the answer holds
    /// none at the configured places.
    pub async fn open_session(&self, open: OpenSession) -> Result<SessionOpened, Error> {
        let response = self.send(open).await?;
        match response.session_id {
            Some(session_id) => Ok(SessionOpened { session_id, response }),
            None => Err(Error::NoSessionId {
                status: response.status,
                body: response.body,
            }),
        }
    }

    /// Closes a session (`session.timeout: 0`).
    pub async fn close_session(&self, session_id: impl Into<SessionId>) -> Result<RakeResponse, Error> {
        self.send(CloseSession::new(session_id)).await
    }

    /// Escape hatch for fields this crate does not model (a conversation flow, say): sends
    /// `fields` as the body with the secret added. Repeated only when it never left the machine.
    pub async fn send_json(&self, fields: serde_json::Map<String, serde_json::Value>) -> Result<RakeResponse, Error> {
        let mut fields = fields;
        fields.insert(
            "secret".into(),
            serde_json::Value::String(self.inner.secret.expose().to_owned()),
        );
        let body = serde_json::to_vec(&fields).map_err(|e| Error::Encode(e.to_string()))?;
        let prepared = PreparedRequest {
            scenario: "raw",
            body: Bytes::from(body),
            repeat: Repeat::OnlyIfNotSent,
            expects_session: false,
            webhook_secret: None,
        };
        self.send_prepared(&prepared).await
    }

    /// Sends a prepared request under the retry policy.
    pub async fn send_prepared(&self, request: &PreparedRequest) -> Result<RakeResponse, Error> {
        let span = tracing::info_span!(
            "rake_direct.send",
            scenario = request.scenario,
            workspace_id = %self.inner.workspace_id,
            bytes = request.body.len(),
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        async {
            let span = tracing::Span::current();
            drive(
                |attempt| {
                    span.record("attempts", attempt);
                    self.post_once(request)
                },
                |attempt, outcome, retry_after, _error| {
                    if let Outcome::Status(status) = outcome {
                        span.record("status", status);
                    }
                    self.inner
                        .retry
                        .decide_with_random_jitter(attempt, outcome, retry_after, request.repeat)
                },
            )
            .await
        }
        .instrument(span)
        .await
    }

    async fn post_once(&self, request: &PreparedRequest) -> Attempt<RakeResponse, Error> {
        let sent = self
            .inner
            .http
            .post(self.inner.url.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(request.body.clone());
        let answer = match execute(sent).await {
            Ok(answer) => answer,
            Err(error) => return (Outcome::Transport(error.kind), None, Err(error.into())),
        };
        let status = answer.status;
        let body = self.mask(String::from_utf8_lossy(&answer.body).into_owned(), request);
        let result = if (200..300).contains(&status) {
            let session_id = find_session_id(&answer.body, &self.inner.session_id_pointers);
            if session_id.is_none() && request.expects_session {
                tracing::warn!(status, "no session id in the answer at the configured places");
            }
            Ok(RakeResponse {
                status,
                body,
                session_id,
            })
        } else if (400..500).contains(&status) && status != 408 && status != 429 {
            Err(Error::Rejected { status, body })
        } else {
            Err(Error::UnexpectedResponse { status, body })
        };
        (Outcome::Status(status), answer.retry_after, result)
    }

    /// Masks the workspace secret and the request's webhook secret in text from Rake.
    fn mask(&self, mut text: String, request: &PreparedRequest) -> String {
        let secrets = std::iter::once(&self.inner.secret).chain(request.webhook_secret.as_ref());
        for secret in secrets {
            let secret = secret.expose();
            if !secret.is_empty() && text.contains(secret) {
                text = text.replace(secret, MASK);
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_url_is_built_from_the_base() {
        assert_eq!(
            rake_direct_url(DEFAULT_BASE_URL, "ws-1").unwrap().as_str(),
            "https://rakesystem.rake.ai/workspaces/ws-1/rake-direct"
        );
        assert_eq!(
            rake_direct_url("http://127.0.0.1:9/", "a b").unwrap().as_str(),
            "http://127.0.0.1:9/workspaces/a%20b/rake-direct"
        );
        assert!(matches!(rake_direct_url("ftp://x", "1"), Err(Error::InvalidConfig(_))));
        assert!(matches!(
            rake_direct_url(DEFAULT_BASE_URL, " "),
            Err(Error::InvalidConfig(_))
        ));
    }

    #[test]
    fn an_empty_secret_is_refused_at_build() {
        let err = RakeDirectClient::builder("ws", Secret::new("")).build().unwrap_err();
        assert!(matches!(err, Error::InvalidConfig(_)));
    }
}
