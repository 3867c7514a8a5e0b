//! [`DirectlyClient`]: the Messaging API (`{base}/v1/...`) with a bearer token managed by
//! [`crate::auth`]. The operations live in [`crate::api`], one module per resource;
//! [`DirectlyClient::send`] calls anything else.

use std::sync::Arc;

use deskwire_core::retry::RetryPolicy;
use deskwire_core::transport::{endpoint_url, TransportConfig};
use serde::de::DeserializeOwned;

use crate::auth::{Credentials, TokenManager, TokenSettings};
use crate::connection::{decode_data, Connection, RawAnswer};
use crate::error::Error;
use crate::request::ApiRequest;

/// Directly's API host.
pub const DEFAULT_BASE_URL: &str = "https://api.directly.com";

/// Builder for [`DirectlyClient`].
#[derive(Debug, Clone)]
#[must_use]
pub struct DirectlyClientBuilder {
    credentials: Credentials,
    base_url: String,
    tokens: TokenSettings,
    transport: TransportConfig,
    retry: RetryPolicy,
    http: Option<reqwest::Client>,
}

impl DirectlyClientBuilder {
    /// The API host (default [`DEFAULT_BASE_URL`]); resources are under its `/v1`.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// The token endpoint's conventions (paths, grant type, encoding, renewal margin).
    pub fn token_settings(mut self, settings: TokenSettings) -> Self {
        self.tokens = settings;
        self
    }

    /// HTTP settings (timeouts, user agent). Its `base_url`, when set, replaces the builder's.
    pub fn transport(mut self, transport: TransportConfig) -> Self {
        self.transport = transport;
        self
    }

    /// Retry policy. Reads are repeated after a lost answer; creating calls (a question, a
    /// message) only when nothing left the machine, since Directly does not de-duplicate them.
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Shares an existing `reqwest::Client`.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Builds the client. No request is made until the first call.
    pub fn build(self) -> Result<DirectlyClient, Error> {
        let root = self.transport.base_url.as_deref().unwrap_or(&self.base_url);
        let root_url = endpoint_url(root, &[]).map_err(Error::InvalidConfig)?;
        let under = |path: &str| {
            let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
            if segments.is_empty() {
                return Err(Error::InvalidConfig(format!("`{path}` is not an endpoint path")));
            }
            endpoint_url(root, &segments).map_err(Error::InvalidConfig)
        };
        let token_url = under(&self.tokens.token_path)?;
        let logout_url = under(&self.tokens.logout_path)?;
        let api = endpoint_url(root, &["v1"]).map_err(Error::InvalidConfig)?.to_string();
        let http = match self.http {
            Some(http) => http,
            None => self.transport.build_client()?,
        };
        let tokens = TokenManager::new(
            self.credentials,
            self.tokens,
            token_url,
            logout_url,
            http.clone(),
            self.retry,
        )?;
        Ok(DirectlyClient {
            conn: Connection {
                http,
                root: root_url.as_str().trim_end_matches('/').to_owned(),
                api,
                tokens: Arc::new(tokens),
                retry: self.retry,
            },
        })
    }
}

/// Client of the Messaging API. Cheap to clone; clones share the token.
///
/// ```no_run
/// # async fn run() -> Result<(), deskwire_directly::Error> {
/// use deskwire_core::Secret;
/// use deskwire_directly::wire::NewQuestion;
/// use deskwire_directly::{Credentials, DirectlyClient, UserEmail};
///
/// let client = DirectlyClient::builder(Credentials::client_credentials("<client id>", Secret::new("<secret>")))
///     .build()?;
/// let user = UserEmail::new("ana@example.com")?;
/// let question = client
///     .create_question(&NewQuestion::new(&user, "Ana", "How do I reset my router?"))
///     .await?;
/// println!("asked {}", question.uuid);
/// client.logout().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct DirectlyClient {
    pub(crate) conn: Connection,
}

impl DirectlyClient {
    /// Starts a builder with the credentials.
    pub fn builder(credentials: Credentials) -> DirectlyClientBuilder {
        DirectlyClientBuilder {
            credentials,
            base_url: DEFAULT_BASE_URL.to_owned(),
            tokens: TokenSettings::default(),
            transport: TransportConfig::default(),
            retry: RetryPolicy::default(),
            http: None,
        }
    }

    /// The resources' base URL (`{base}/v1`).
    pub fn api_url(&self) -> &str {
        &self.conn.api
    }

    /// Revokes the access token (`oauth/logout`) and forgets it. With client credentials the
    /// next call obtains a new token; a ready-made token is gone for good ([`Error::LoggedOut`]).
    /// Returns whether a token was revoked (`false`: none had been obtained yet).
    pub async fn logout(&self) -> Result<bool, Error> {
        let span = tracing::info_span!("directly.logout");
        tracing::Instrument::instrument(self.conn.tokens.logout(), span).await
    }

    /// Escape hatch: sends any request (with the token, retries and one renewal on 401) and
    /// returns the success answer.
    pub async fn send(&self, request: &ApiRequest) -> Result<RawAnswer, Error> {
        self.conn.send(request).await
    }

    /// Escape hatch: sends any request and decodes the envelope's `data` as `T`.
    pub async fn send_json<T: DeserializeOwned>(&self, request: &ApiRequest) -> Result<T, Error> {
        decode_data(&self.conn.send(request).await?)
    }
}

#[cfg(test)]
mod tests {
    use deskwire_core::Secret;

    use super::*;

    #[test]
    fn urls_and_config_errors() {
        let client = DirectlyClient::builder(Credentials::access_token(Secret::new("t")))
            .base_url("https://api.example.com/")
            .build()
            .unwrap();
        assert_eq!(client.api_url(), "https://api.example.com/v1");
        assert_eq!(client.conn.root, "https://api.example.com");
        let bad = |c: Credentials| DirectlyClient::builder(c).build().err();
        assert!(matches!(
            bad(Credentials::access_token(Secret::new(" "))),
            Some(Error::InvalidConfig(_))
        ));
        assert!(matches!(
            bad(Credentials::access_token(Secret::new("a\nb"))),
            Some(Error::InvalidConfig(_))
        ));
        assert!(matches!(
            bad(Credentials::client_credentials("", Secret::new("s"))),
            Some(Error::InvalidConfig(_))
        ));
        assert!(matches!(
            DirectlyClient::builder(Credentials::access_token(Secret::new("t")))
                .base_url("ftp://x")
                .build(),
            Err(Error::InvalidConfig(_))
        ));
        assert!(matches!(
            DirectlyClient::builder(Credentials::access_token(Secret::new("t")))
                .token_settings(TokenSettings::default().token_path("/"))
                .build(),
            Err(Error::InvalidConfig(_))
        ));
    }

    #[test]
    fn secrets_are_not_in_debug() {
        let client = DirectlyClient::builder(Credentials::client_credentials("id", Secret::new("sec-SECRET")))
            .build()
            .unwrap();
        assert!(!format!("{client:?}").contains("sec-SECRET"));
        let client = DirectlyClient::builder(Credentials::access_token(Secret::new("tok-SECRET")))
            .build()
            .unwrap();
        assert!(!format!("{client:?}").contains("tok-SECRET"));
    }
}
