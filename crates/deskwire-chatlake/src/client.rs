//! [`ChatlakeClient`]: the Application API (`{base}/api/v1/accounts/{account_id}/...`) with the
//! user or agent-bot access token in a header. The operations live in [`crate::api`], one
//! module per resource; [`ChatlakeClient::send`] calls anything else.

use deskwire_core::retry::RetryPolicy;
use deskwire_core::transport::{endpoint_url, TransportConfig};
use deskwire_core::Secret;
use serde::de::DeserializeOwned;

use crate::connection::{decode, token_header, Connection, RawAnswer};
use crate::error::Error;
use crate::request::ApiRequest;

/// Chatwoot's cloud host. Self-hosted servers have their own.
pub const CLOUD_BASE_URL: &str = "https://app.chatwoot.com";

/// How the access token header is spelled.
///
/// The server reads either. nginx (and other proxies) **drop headers with underscores** unless
/// configured with `underscores_in_headers on;` — the most common cause of 401s — so behind
/// such a proxy use [`TokenHeader::Dashed`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TokenHeader {
    /// `api_access_token`, as the documentation spells it.
    #[default]
    Underscore,
    /// `Api-Access-Token`, which survives proxies (Rails reads it as the same header).
    Dashed,
}

impl TokenHeader {
    /// The header name sent.
    pub fn name(self) -> &'static str {
        match self {
            Self::Underscore => "api_access_token",
            Self::Dashed => "api-access-token",
        }
    }
}

/// Builder for [`ChatlakeClient`].
#[derive(Debug, Clone)]
#[must_use]
pub struct ChatlakeClientBuilder {
    base_url: String,
    account_id: u64,
    token: Secret,
    token_header: TokenHeader,
    transport: TransportConfig,
    retry: RetryPolicy,
    http: Option<reqwest::Client>,
}

impl ChatlakeClientBuilder {
    /// How to spell the token header (default `api_access_token`).
    pub fn token_header(mut self, header: TokenHeader) -> Self {
        self.token_header = header;
        self
    }

    /// HTTP settings (timeouts, user agent). Its `base_url`, when set, replaces the builder's.
    pub fn transport(mut self, transport: TransportConfig) -> Self {
        self.transport = transport;
        self
    }

    /// Retry policy. Reads are repeated after a lost answer; creating calls (a message, a
    /// contact) only when nothing left the machine, since the server does not de-duplicate them.
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Shares an existing `reqwest::Client`.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<ChatlakeClient, Error> {
        if self.token.expose().trim().is_empty() {
            return Err(Error::InvalidConfig(
                "the access token is empty; copy it from Profile settings > Access Token".into(),
            ));
        }
        let base = self.transport.base_url.as_deref().unwrap_or(&self.base_url);
        let account = self.account_id.to_string();
        let base = endpoint_url(base, &["api", "v1", "accounts", &account])
            .map_err(Error::InvalidConfig)?
            .to_string();
        let http = match self.http {
            Some(http) => http,
            None => self.transport.build_client()?,
        };
        Ok(ChatlakeClient {
            conn: Connection {
                http,
                base,
                auth: Some(token_header(self.token_header.name(), &self.token)?),
                retry: self.retry,
                api: "application",
            },
        })
    }
}

/// Client of the Application API for one account. Cheap to clone.
///
/// ```no_run
/// # async fn run() -> Result<(), deskwire_chatlake::Error> {
/// use deskwire_chatlake::wire::{NewContact, NewConversation, NewMessage};
/// use deskwire_chatlake::{ChatlakeClient, TokenHeader};
/// use deskwire_core::Secret;
///
/// let client = ChatlakeClient::builder("https://chat.example.com", 1, Secret::new("<access token>"))
///     .token_header(TokenHeader::Dashed)
///     .build()?;
/// let created = client.create_contact(&NewContact::in_inbox(2).name("Alice")).await?;
/// let session = created.source_id(Some(2)).unwrap_or_default().to_owned();
/// let conversation = client.create_conversation(&NewConversation::for_session(2, session)).await?;
/// client.create_message(conversation.id, &NewMessage::incoming("Hello")).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ChatlakeClient {
    pub(crate) conn: Connection,
}

impl ChatlakeClient {
    /// Starts a builder: the server's base URL (e.g. [`CLOUD_BASE_URL`]), the account id and an
    /// access token (a user's, or an agent bot's — bots may call only a few endpoints).
    pub fn builder(base_url: impl Into<String>, account_id: u64, token: Secret) -> ChatlakeClientBuilder {
        ChatlakeClientBuilder {
            base_url: base_url.into(),
            account_id,
            token,
            token_header: TokenHeader::default(),
            transport: TransportConfig::default(),
            retry: RetryPolicy::default(),
            http: None,
        }
    }

    /// The account's base URL (`.../api/v1/accounts/{id}`).
    pub fn base_url(&self) -> &str {
        &self.conn.base
    }

    /// Escape hatch: sends any request under the account and returns the 2xx answer.
    pub async fn send(&self, request: &ApiRequest) -> Result<RawAnswer, Error> {
        self.conn.send(request).await
    }

    /// Escape hatch: sends any request and decodes the answer as `T`.
    pub async fn send_json<T: DeserializeOwned>(&self, request: &ApiRequest) -> Result<T, Error> {
        decode(&self.conn.send(request).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_and_config_errors() {
        let client = ChatlakeClient::builder("https://chat.example.com/", 7, Secret::new("t"))
            .build()
            .unwrap();
        assert_eq!(client.base_url(), "https://chat.example.com/api/v1/accounts/7");
        assert!(matches!(
            ChatlakeClient::builder("https://x", 1, Secret::new(" ")).build(),
            Err(Error::InvalidConfig(_))
        ));
        assert!(matches!(
            ChatlakeClient::builder("mailto:x", 1, Secret::new("t")).build(),
            Err(Error::InvalidConfig(_))
        ));
        assert!(matches!(
            ChatlakeClient::builder("https://x", 1, Secret::new("a\nb")).build(),
            Err(Error::InvalidConfig(_))
        ));
    }

    #[test]
    fn the_token_is_not_in_debug() {
        let client = ChatlakeClient::builder("https://x", 1, Secret::new("tok-SECRET"))
            .build()
            .unwrap();
        assert!(!format!("{client:?}").contains("tok-SECRET"));
    }
}
