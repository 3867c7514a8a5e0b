//! [`DirectlyClient`]: the Messaging API (`{base}/v1/...`) with a bearer token managed by
//! [`crate::auth`]. The operations live in [`crate::api`], one module per resource;
//! [`DirectlyClient::send`] calls anything else.

use std::sync::Arc;

use deskwire_core::engine::{ClientConfig, Connection, RawAnswer, Request};
use deskwire_core::transport::endpoint_url;

use crate::auth::{Credentials, TokenManager, TokenSettings};
use crate::connection::{DirectlyConnection, MessagingApi};
use crate::error::Error;
use crate::request::ApiRequest;

/// Directly's API host.
pub const DEFAULT_BASE_URL: &str = "https://api.directly.com";

/// Builder for [`DirectlyClient`].
#[derive(Debug, Clone)]
#[must_use]
pub struct DirectlyClientBuilder {
    config: ClientConfig,
    credentials: Credentials,
    tokens: TokenSettings,
}

impl DirectlyClientBuilder {
    deskwire_core::client_config_setters!(config);

    /// How tokens are obtained and revoked (paths, grant type, encoding; all inferred defaults).
    pub fn token_settings(mut self, settings: TokenSettings) -> Self {
        self.tokens = settings;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<DirectlyClient, Error> {
        let root = self.config.base_url.trim().to_owned();
        endpoint_url(&root, &[]).map_err(Error::InvalidConfig)?;
        let under = |path: &str| {
            let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
            if segments.is_empty() {
                return Err(Error::InvalidConfig(format!("`{path}` is not an endpoint path")));
            }
            endpoint_url(&root, &segments).map_err(Error::InvalidConfig)
        };
        let token_url = under(&self.tokens.token_path)?;
        let logout_url = under(&self.tokens.logout_path)?;
        let http = self.config.http_client()?;
        let tokens = TokenManager::new(
            self.credentials,
            self.tokens,
            token_url,
            logout_url,
            http.clone(),
            self.config.retry,
        )?;
        let config = ClientConfig {
            http: Some(http),
            ..self.config
        };
        let provider = MessagingApi {
            tokens: Arc::new(tokens),
        };
        let engine = Connection::new(&config, &["v1"], provider).map_err(|e| Error::InvalidConfig(e.to_string()))?;
        Ok(DirectlyClient {
            conn: DirectlyConnection { engine },
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
    pub(crate) conn: DirectlyConnection,
}

impl DirectlyClient {
    /// Starts a builder with the credentials.
    pub fn builder(credentials: Credentials) -> DirectlyClientBuilder {
        DirectlyClientBuilder {
            config: ClientConfig::new(DEFAULT_BASE_URL),
            credentials,
            tokens: TokenSettings::default(),
        }
    }

    /// The resources' base URL (`{base}/v1`).
    pub fn api_url(&self) -> &str {
        self.conn.engine.base_url()
    }

    /// The client id the client authenticates with (`None` with a ready-made token).
    pub fn client_id(&self) -> Option<&str> {
        self.conn.engine.provider().tokens.credentials().client_id()
    }

    /// Revokes the access token (`oauth/logout`) and forgets it. With client credentials the
    /// next call obtains a new token; a ready-made token is gone for good ([`DirectlyFailure::LoggedOut`](crate::DirectlyFailure::LoggedOut)).
    /// Returns whether a token was revoked (`false`: none had been obtained yet).
    pub async fn logout(&self) -> Result<bool, Error> {
        let span = tracing::info_span!("directly.logout");
        tracing::Instrument::instrument(self.conn.engine.provider().tokens.logout(), span).await
    }

    /// Sends a typed request (its decoder reads the answer; [`typed`](crate::typed) makes one
    /// that unwraps the envelope's `data`).
    pub async fn send<T>(&self, request: &Request<T>) -> Result<T, Error> {
        self.conn.engine.send(request).await
    }

    /// Escape hatch: sends any request (bearer token, renewal, retries) and returns the success
    /// answer as is.
    pub async fn send_raw(&self, request: &ApiRequest) -> Result<RawAnswer, Error> {
        self.conn.send(request).await
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
        let health = crate::api::automation::health();
        assert_eq!(
            client.conn.engine.url(health.head()).unwrap().as_str(),
            "https://api.example.com/health/status"
        );
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
