//! [`ChatlakeClient`]: the Application API (`{base}/api/v1/accounts/{account_id}/...`) with the
//! user or agent-bot access token in a header. The operations live in [`crate::api`], one
//! module per resource; [`ChatlakeClient::send`] calls anything else.

use deskwire_core::engine::{ClientConfig, Connection, RawAnswer, Request};
use deskwire_core::Secret;

use crate::connection::{token_header, ChatlakeConnection, Chatwoot};
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
    config: ClientConfig,
    account_id: u64,
    token: Secret,
    token_header: TokenHeader,
}

impl ChatlakeClientBuilder {
    deskwire_core::client_config_setters!(config);

    /// Which spelling of the token header to send (default `api_access_token`).
    pub fn token_header(mut self, header: TokenHeader) -> Self {
        self.token_header = header;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<ChatlakeClient, Error> {
        if self.token.is_blank() {
            return Err(Error::InvalidConfig(
                "the access token is empty; copy it from Profile settings > Access Token".into(),
            ));
        }
        let account = self.account_id.to_string();
        let provider = Chatwoot {
            token: Some(token_header(self.token_header.name(), &self.token)?),
            api: "application",
        };
        let conn = Connection::new(&self.config, &["api", "v1", "accounts", &account], provider)
            .map_err(|e| Error::InvalidConfig(e.to_string()))?;
        Ok(ChatlakeClient { conn })
    }
}

/// Client of the Application API for one account. Cheap to clone.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use deskwire_chatlake::wire::{NewContact, NewConversation, NewMessage};
/// use deskwire_chatlake::{ChatlakeClient, TokenHeader};
/// use deskwire_core::Secret;
///
/// let client = ChatlakeClient::builder("https://chat.example.com", 1, Secret::new("<access token>"))
///     .token_header(TokenHeader::Dashed)
///     .build()?;
/// let created = client.create_contact(&NewContact::in_inbox(2).name("Alice")).await?;
/// // the session Chatwoot opened on inbox 2 (a contact without one cannot be written to)
/// let session = created.source_id(Some(2)).ok_or("no session on inbox 2")?.to_owned();
/// let conversation = client.create_conversation(&NewConversation::for_session(2, session)).await?;
/// client.create_message(conversation.id, &NewMessage::incoming("Hello")).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ChatlakeClient {
    pub(crate) conn: ChatlakeConnection,
}

impl ChatlakeClient {
    /// Starts a builder: the server's base URL (e.g. [`CLOUD_BASE_URL`]), the account id and an
    /// access token (a user's, or an agent bot's — bots may call only a few endpoints).
    pub fn builder(base_url: impl Into<String>, account_id: u64, token: Secret) -> ChatlakeClientBuilder {
        ChatlakeClientBuilder {
            config: ClientConfig::new(base_url),
            account_id,
            token,
            token_header: TokenHeader::default(),
        }
    }

    /// The account's base URL (`.../api/v1/accounts/{id}`).
    pub fn base_url(&self) -> &str {
        self.conn.base_url()
    }

    /// The Client API of the API inbox `inbox_identifier` on the same server, sharing this
    /// client's base URL, HTTP client and retry policy (the inbox identifier is in the inbox's
    /// settings, under Configuration). For an inbox with identity validation, build a
    /// [`PublicClient`](crate::public::PublicClient) with its `hmac_token` instead.
    ///
    /// ```
    /// use deskwire_chatlake::ChatlakeClient;
    /// use deskwire_core::Secret;
    /// let api = ChatlakeClient::builder("https://chat.example.com", 1, Secret::new("<access token>")).build()?;
    /// let client_api = api.client_api("inbox-identifier")?;
    /// assert_eq!(client_api.base_url(), "https://chat.example.com/public/api/v1/inboxes/inbox-identifier");
    /// # Ok::<(), deskwire_chatlake::Error>(())
    /// ```
    pub fn client_api(&self, inbox_identifier: &str) -> Result<crate::public::PublicClient, Error> {
        crate::public::client::sibling_of(&self.conn, inbox_identifier)
    }

    /// Sends a typed request under the account and returns its decoded answer.
    ///
    /// ```no_run
    /// # async fn run(client: deskwire_chatlake::ChatlakeClient) -> Result<(), deskwire_chatlake::Error> {
    /// use deskwire_chatlake::ApiRequest;
    /// // An endpoint this crate does not model, decoded as you choose.
    /// let request = ApiRequest::get("canned_responses.list", &["canned_responses"]).decode_json::<serde_json::Value>();
    /// let canned = client.send(&request).await?;
    /// # let _ = canned; Ok(()) }
    /// ```
    pub async fn send<T>(&self, request: &Request<T>) -> Result<T, Error> {
        self.conn.send(request).await
    }

    /// Escape hatch: sends any request under the account and returns the 2xx answer as is.
    pub async fn send_raw(&self, request: &ApiRequest) -> Result<RawAnswer, Error> {
        self.conn.send_raw(request.head()).await
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
