//! Access tokens. The Messaging API takes `Authorization: Bearer <token>`; the token comes from
//! client credentials Directly gives each company, or is handed over ready-made.
//!
//! **The token endpoint is not public.** The defaults — `POST {base}/oauth/token`, form-encoded
//! `grant_type=client_credentials` with `client_id` / `client_secret` in the body, an RFC 6749
//! answer (`access_token`, optional `expires_in`), and `POST {base}/oauth/logout` with the bearer
//! header — are inferred, not documented; every one of them is a [`TokenSettings`] field.
//!
//! Life cycle, per client (clones share it):
//! * the first request obtains a token; concurrent requests wait for that one fetch;
//! * when the answer gave `expires_in`, the token is renewed [`TokenSettings::refresh_margin`]
//!   before it runs out (at most half its lifetime early);
//! * a request answered 401 renews the token **once** and is sent again **once**; concurrent
//!   requests rejected with the same token share one renewal. A second 401 is returned.
//!   A ready-made token cannot be renewed, so its 401 is returned at once;
//! * [`DirectlyClient::logout`](crate::DirectlyClient::logout) revokes the token and forgets it.

use std::fmt;
use std::time::Duration;

use deskwire_core::retry::{drive, Outcome, Repeat, RetryPolicy};
use deskwire_core::transport::execute;
use deskwire_core::Secret;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use serde_json::Value;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::error::{Error, TokenError};

/// What the client authenticates with.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// Client credentials, exchanged for tokens as needed.
    ClientCredentials {
        /// The client id.
        client_id: String,
        /// The client secret.
        client_secret: Secret,
    },
    /// A ready-made access token (Directly's own client works this way). It cannot be renewed.
    AccessToken(Secret),
}

impl Credentials {
    /// Client credentials.
    pub fn client_credentials(client_id: impl Into<String>, client_secret: Secret) -> Self {
        Self::ClientCredentials {
            client_id: client_id.into(),
            client_secret,
        }
    }

    /// A ready-made token.
    pub fn access_token(token: Secret) -> Self {
        Self::AccessToken(token)
    }

    /// The client id, with client credentials (`None` for a ready-made token).
    pub fn client_id(&self) -> Option<&str> {
        match self {
            Self::ClientCredentials { client_id, .. } => Some(client_id),
            Self::AccessToken(_) => None,
        }
    }
}

/// How the token request's fields are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenEncoding {
    /// `application/x-www-form-urlencoded`, as RFC 6749 specifies.
    #[default]
    Form,
    /// A JSON object with the same fields.
    Json,
}

/// Where the client credentials go in the token request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientAuthentication {
    /// `client_id` and `client_secret` fields in the body.
    #[default]
    RequestBody,
    /// `Authorization: Basic base64(client_id:client_secret)`.
    BasicHeader,
}

/// The token endpoint's conventions. Defaults are inferred (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenSettings {
    /// Path of the token endpoint under the base URL (default `oauth/token`).
    pub token_path: String,
    /// Path of the logout endpoint under the base URL (default `oauth/logout`).
    pub logout_path: String,
    /// `grant_type` (default `client_credentials`).
    pub grant_type: String,
    /// Body encoding (default form).
    pub encoding: TokenEncoding,
    /// Where the credentials go (default the body).
    pub client_authentication: ClientAuthentication,
    /// `scope`, when the endpoint wants one.
    pub scope: Option<String>,
    /// Renew this long before `expires_in` runs out (default 60 s).
    pub refresh_margin: Duration,
}

impl Default for TokenSettings {
    fn default() -> Self {
        Self {
            token_path: "oauth/token".into(),
            logout_path: "oauth/logout".into(),
            grant_type: "client_credentials".into(),
            encoding: TokenEncoding::Form,
            client_authentication: ClientAuthentication::RequestBody,
            scope: None,
            refresh_margin: Duration::from_secs(60),
        }
    }
}

impl TokenSettings {
    /// Sets [`Self::token_path`].
    pub fn token_path(mut self, path: impl Into<String>) -> Self {
        self.token_path = path.into();
        self
    }

    /// Sets [`Self::logout_path`].
    pub fn logout_path(mut self, path: impl Into<String>) -> Self {
        self.logout_path = path.into();
        self
    }

    /// Sets [`Self::grant_type`].
    pub fn grant_type(mut self, grant_type: impl Into<String>) -> Self {
        self.grant_type = grant_type.into();
        self
    }

    /// Sets [`Self::encoding`].
    pub fn encoding(mut self, encoding: TokenEncoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// Sets [`Self::client_authentication`].
    pub fn client_authentication(mut self, how: ClientAuthentication) -> Self {
        self.client_authentication = how;
        self
    }

    /// Sets [`Self::scope`].
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Sets [`Self::refresh_margin`].
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }
}

/// The `Authorization` value of one token, and which token it is.
#[derive(Clone)]
pub(crate) struct Bearer {
    pub(crate) header: HeaderValue,
    pub(crate) generation: u64,
}

struct Cached {
    header: HeaderValue,
    renew_at: Option<Instant>,
}

#[derive(Default)]
struct State {
    current: Option<Cached>,
    /// Bumped by every token obtained, so a 401 can tell whether someone renewed already.
    generation: u64,
    logged_out: bool,
}

/// Obtains, caches, renews and revokes tokens. Shared by a client's clones.
pub(crate) struct TokenManager {
    credentials: Credentials,
    settings: TokenSettings,
    token_url: reqwest::Url,
    logout_url: reqwest::Url,
    http: reqwest::Client,
    retry: RetryPolicy,
    state: Mutex<State>,
}

impl TokenManager {
    pub(crate) fn credentials(&self) -> &Credentials {
        &self.credentials
    }
}

impl fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenManager")
            .field("credentials", &self.credentials)
            .field("settings", &self.settings)
            .field("token_url", &self.token_url.as_str())
            .finish_non_exhaustive()
    }
}

/// `Bearer <token>`, marked sensitive; `None` when the token has characters a header cannot carry.
fn bearer_value(token: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {token}")).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// How long after asking a token of `lifetime` it is renewed: `margin` before it expires, but
/// never before half its lifetime (a margin as long as a short-lived token would renew it on
/// every call).
fn renew_after(lifetime: Duration, margin: Duration) -> Duration {
    lifetime - margin.min(lifetime / 2)
}

const NOT_A_HEADER: &str = "the access token has characters a header cannot carry";

impl TokenManager {
    pub(crate) fn new(
        credentials: Credentials,
        settings: TokenSettings,
        token_url: reqwest::Url,
        logout_url: reqwest::Url,
        http: reqwest::Client,
        retry: RetryPolicy,
    ) -> Result<Self, Error> {
        match &credentials {
            Credentials::AccessToken(token) => {
                if token.is_blank() {
                    return Err(Error::InvalidConfig("the access token is empty".into()));
                }
                bearer_value(token.expose()).ok_or_else(|| Error::InvalidConfig(NOT_A_HEADER.into()))?;
            }
            Credentials::ClientCredentials {
                client_id,
                client_secret,
            } => {
                if client_id.trim().is_empty() || client_secret.is_blank() {
                    return Err(Error::InvalidConfig("the client id or client secret is empty".into()));
                }
            }
        }
        Ok(Self {
            credentials,
            settings,
            token_url,
            logout_url,
            http,
            retry,
            state: Mutex::new(State::default()),
        })
    }

    /// A token to send: the cached one while fresh, else a new one.
    pub(crate) async fn bearer(&self) -> Result<Bearer, Error> {
        let mut state = self.state.lock().await;
        if let Some(cached) = &state.current {
            if cached.renew_at.is_none_or(|at| Instant::now() < at) {
                return Ok(Bearer {
                    header: cached.header.clone(),
                    generation: state.generation,
                });
            }
            tracing::debug!("directly: access token due for renewal");
        }
        self.obtain(&mut state).await
    }

    /// After a 401 with the token of `rejected`: a renewed token, unless the token cannot be
    /// renewed (ready-made). Someone else's renewal since then is reused.
    pub(crate) async fn renew_after_rejection(&self, rejected: u64) -> Result<Option<Bearer>, Error> {
        if matches!(self.credentials, Credentials::AccessToken(_)) {
            return Ok(None);
        }
        let mut state = self.state.lock().await;
        if state.generation != rejected {
            if let Some(cached) = &state.current {
                return Ok(Some(Bearer {
                    header: cached.header.clone(),
                    generation: state.generation,
                }));
            }
        }
        tracing::debug!("directly: access token refused; renewing once");
        state.current = None;
        self.obtain(&mut state).await.map(Some)
    }

    async fn obtain(&self, state: &mut State) -> Result<Bearer, Error> {
        let (client_id, client_secret) = match &self.credentials {
            Credentials::AccessToken(token) => {
                if state.logged_out {
                    return Err(Error::Provider(crate::error::DirectlyFailure::LoggedOut));
                }
                // Checked when the client was built.
                let header = bearer_value(token.expose()).ok_or_else(|| Error::InvalidConfig(NOT_A_HEADER.into()))?;
                state.current = Some(Cached {
                    header: header.clone(),
                    renew_at: None,
                });
                return Ok(Bearer {
                    header,
                    generation: state.generation,
                });
            }
            Credentials::ClientCredentials {
                client_id,
                client_secret,
            } => (client_id, client_secret),
        };
        let asked_at = Instant::now();
        let answer = drive(
            |_| self.request_token(client_id, client_secret),
            |attempt, outcome, retry_after, _: &TokenError| {
                // Asking for a token twice is harmless.
                self.retry
                    .decide_with_random_jitter(attempt, outcome, retry_after, Repeat::Safe)
            },
        )
        .await?;
        let header = answer.header;
        let renew_at = answer
            .expires_in
            .map(|lifetime| asked_at + renew_after(lifetime, self.settings.refresh_margin));
        state.generation += 1;
        state.logged_out = false;
        state.current = Some(Cached {
            header: header.clone(),
            renew_at,
        });
        tracing::debug!(generation = state.generation, expires_in = ?answer.expires_in, "directly: access token obtained");
        Ok(Bearer {
            header,
            generation: state.generation,
        })
    }

    async fn request_token(
        &self,
        client_id: &str,
        client_secret: &Secret,
    ) -> deskwire_core::retry::Attempt<TokenAnswer, TokenError> {
        let settings = &self.settings;
        let mut fields: Vec<(&str, &str)> = vec![("grant_type", settings.grant_type.as_str())];
        if settings.client_authentication == ClientAuthentication::RequestBody {
            fields.push(("client_id", client_id));
            fields.push(("client_secret", client_secret.expose()));
        }
        if let Some(scope) = &settings.scope {
            fields.push(("scope", scope.as_str()));
        }
        let mut builder = self
            .http
            .post(self.token_url.clone())
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        builder = match settings.encoding {
            TokenEncoding::Form => builder.form(&fields),
            TokenEncoding::Json => {
                let object: serde_json::Map<String, Value> = fields
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
                    .collect();
                builder
                    .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                    .body(Value::Object(object).to_string())
            }
        };
        if settings.client_authentication == ClientAuthentication::BasicHeader {
            builder = builder.basic_auth(client_id, Some(client_secret.expose()));
        }
        let answer = match execute(builder).await {
            Ok(answer) => answer,
            Err(e) => return (Outcome::Transport(e.kind), None, Err(TokenError::Transport(e))),
        };
        let result = if (200..300).contains(&answer.status) {
            TokenAnswer::read(answer.status, &answer.body)
        } else {
            Err(refused(
                answer.status,
                String::from_utf8_lossy(&answer.body).into_owned(),
            ))
        };
        (Outcome::Status(answer.status), answer.retry_after, result)
    }

    /// Revokes the current token (if any) and forgets it. A ready-made token is revoked even if
    /// never used, and the client cannot be used afterwards.
    pub(crate) async fn logout(&self) -> Result<bool, Error> {
        let mut state = self.state.lock().await;
        let header = match (&self.credentials, state.current.take()) {
            (Credentials::AccessToken(_), _) if state.logged_out => return Ok(false),
            (Credentials::AccessToken(token), _) => {
                state.logged_out = true;
                bearer_value(token.expose()).ok_or_else(|| Error::InvalidConfig(NOT_A_HEADER.into()))?
            }
            (Credentials::ClientCredentials { .. }, Some(cached)) => cached.header,
            (Credentials::ClientCredentials { .. }, None) => return Ok(false),
        };
        let request = self
            .http
            .post(self.logout_url.clone())
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(AUTHORIZATION, header);
        let answer = execute(request).await.map_err(TokenError::Transport)?;
        if (200..300).contains(&answer.status) {
            Ok(true)
        } else {
            let text = String::from_utf8_lossy(&answer.body).into_owned();
            Err(Error::from_api(deskwire_core::ApiError {
                status: answer.status,
                retry_after: answer.retry_after,
                detail: crate::error::ErrorDetail::parse(&text),
                body: text,
                attempts: 1,
            }))
        }
    }
}

fn refused(status: u16, raw: String) -> TokenError {
    let value = serde_json::from_str::<Value>(&raw).ok();
    let field = |name: &str| {
        value
            .as_ref()
            .and_then(|v| v.get(name))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    TokenError::Refused {
        status,
        code: field("error"),
        description: field("error_description"),
        raw,
    }
}

/// An RFC 6749 token answer, read into the header to send. Not `Debug`: it holds the token.
struct TokenAnswer {
    header: HeaderValue,
    expires_in: Option<Duration>,
}

impl TokenAnswer {
    /// Reads the answer without ever putting its text into an error (it holds the token).
    fn read(status: u16, body: &[u8]) -> Result<Self, TokenError> {
        let malformed = |reason: &str| TokenError::Malformed {
            status,
            reason: reason.to_owned(),
        };
        let value: Value = serde_json::from_slice(body).map_err(|_| malformed("the answer is not JSON"))?;
        // Some servers wrap answers in the API's envelope; accept that too.
        let object = value.get("data").filter(|d| d.is_object()).unwrap_or(&value);
        let header = match object.get("access_token").or_else(|| object.get("accessToken")) {
            Some(Value::String(t)) if !t.trim().is_empty() => bearer_value(t).ok_or_else(|| malformed(NOT_A_HEADER))?,
            Some(_) => return Err(malformed("`access_token` is not a non-empty string")),
            None => return Err(malformed("`access_token` is missing")),
        };
        let expires_in = match object.get("expires_in").or_else(|| object.get("expiresIn")) {
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
            _ => None,
        }
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(|s| Duration::from_secs_f64(s.min(1e9)));
        Ok(Self { header, expires_in })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_answers() {
        let a = TokenAnswer::read(200, br#"{"access_token":"t","token_type":"Bearer","expires_in":3600}"#).unwrap();
        assert_eq!(
            (a.header.to_str().unwrap(), a.expires_in),
            ("Bearer t", Some(Duration::from_secs(3600)))
        );
        assert!(a.header.is_sensitive());
        let a = TokenAnswer::read(200, br#"{"data":{"accessToken":"t","expiresIn":"60"}}"#).unwrap();
        assert_eq!(a.expires_in, Some(Duration::from_secs(60)));
        let a = TokenAnswer::read(200, br#"{"access_token":"t","expires_in":-5}"#).unwrap();
        assert_eq!(a.expires_in, None);
        for (body, reason) in [
            (&b"not json SECRET"[..], "the answer is not JSON"),
            (br#"{"token":"SECRET"}"#, "`access_token` is missing"),
            (
                br#"{"access_token":["SECRET"]}"#,
                "`access_token` is not a non-empty string",
            ),
            (b"{\"access_token\":\"SECRET\\n\"}", NOT_A_HEADER),
        ] {
            let e = TokenAnswer::read(200, body).err().unwrap();
            assert!(!e.to_string().contains("SECRET"), "{e}");
            assert!(e.to_string().ends_with(reason), "{e}");
        }
    }

    #[test]
    fn the_renewal_margin_at_its_edges() {
        let s = Duration::from_secs;
        assert_eq!(renew_after(s(3600), s(60)), s(3540));
        // At exactly twice the margin, the margin and half the lifetime agree.
        assert_eq!(renew_after(s(120), s(60)), s(60));
        assert_eq!(renew_after(s(121), s(60)), s(61));
        // Shorter: half the lifetime.
        assert_eq!(renew_after(s(119), s(60)), Duration::from_millis(59_500));
        assert_eq!(renew_after(s(2), s(60)), s(1));
        assert_eq!(renew_after(s(3600), Duration::ZERO), s(3600));
    }

    #[test]
    fn blank_credentials_are_refused_before_anything_is_sent() {
        let url = reqwest::Url::parse("https://example.invalid/oauth/token").unwrap();
        let build = |credentials| {
            TokenManager::new(
                credentials,
                TokenSettings::default(),
                url.clone(),
                url.clone(),
                reqwest::Client::new(),
                RetryPolicy::default(),
            )
            .err()
            .map(|e| e.to_string())
        };
        let secret = |s: &str| Credentials::ClientCredentials {
            client_id: "id".into(),
            client_secret: Secret::new(s),
        };
        for blank in ["", " \t"] {
            assert_eq!(
                build(secret(blank)).as_deref(),
                Some(
                    "invalid Directly client configuration: the client id or client secret is empty; nothing was sent"
                )
            );
            assert_eq!(
                build(Credentials::AccessToken(Secret::new(blank))).as_deref(),
                Some("invalid Directly client configuration: the access token is empty; nothing was sent")
            );
        }
        assert_eq!(build(secret("s")), None);
    }

    #[test]
    fn refusals_read_rfc6749_fields() {
        let e = refused(
            401,
            r#"{"error":"invalid_client","error_description":"Bad secret"}"#.into(),
        );
        assert_eq!(
            e.to_string(),
            "the token endpoint refused the credentials (HTTP 401: invalid_client — Bad secret)"
        );
    }
}
