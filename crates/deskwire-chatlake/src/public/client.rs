//! [`PublicClient`]: the Client API over the core engine (feature `client`).

use deskwire_core::engine::{ClientConfig, Connection, RawAnswer, Request};
use deskwire_core::mac::HmacSha256;
use deskwire_core::Secret;
use http::Method;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::wire::{PublicContact, PublicContactFields, PublicConversation, PublicInbox};
use crate::connection::{ChatlakeConnection, Chatwoot};
use crate::error::Error;
use crate::request::{file_part, ApiRequest, FormPart, IDENTITY_CHECKED};
use crate::validate;
use crate::wire::{Message, NewMessage, Upload};

/// Builder for [`PublicClient`].
#[derive(Debug, Clone)]
#[must_use]
pub struct PublicClientBuilder {
    config: ClientConfig,
    inbox_identifier: String,
    hmac_token: Option<HmacSha256>,
}

impl PublicClientBuilder {
    deskwire_core::client_config_setters!(config);

    /// The inbox's `hmac_token` (shown to administrators in the inbox settings; not the webhook
    /// secret): the client then sends `identifier` and `identifier_hash` on every contact
    /// create, show and update, as inboxes with identity validation require.
    pub fn hmac_token(mut self, hmac_token: &Secret) -> Self {
        self.hmac_token = Some(HmacSha256::new(hmac_token));
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<PublicClient, Error> {
        if self.inbox_identifier.trim().is_empty() {
            return Err(Error::InvalidConfig("the inbox identifier is empty".into()));
        }
        let conn = Connection::new(&self.config, &prefix(&self.inbox_identifier), PUBLIC)
            .map_err(|e| Error::InvalidConfig(e.to_string()))?;
        Ok(PublicClient {
            conn,
            identity: self.hmac_token,
        })
    }
}

const PUBLIC: Chatwoot = Chatwoot {
    token: None,
    api: "public",
};

fn prefix(inbox_identifier: &str) -> [&str; 5] {
    ["public", "api", "v1", "inboxes", inbox_identifier]
}

/// The Client API of an Application API client's server, sharing its base URL, HTTP client and
/// retry policy (see [`ChatlakeClient::client_api`](crate::ChatlakeClient::client_api)).
pub(crate) fn sibling_of(api: &ChatlakeConnection, inbox_identifier: &str) -> Result<PublicClient, Error> {
    if inbox_identifier.trim().is_empty() {
        return Err(Error::InvalidConfig("the inbox identifier is empty".into()));
    }
    let conn = api
        .sibling(&prefix(inbox_identifier), PUBLIC)
        .map_err(|e| Error::InvalidConfig(e.to_string()))?;
    Ok(PublicClient { conn, identity: None })
}

/// Client of the Client API for one API inbox. Cheap to clone.
#[derive(Clone)]
pub struct PublicClient {
    conn: ChatlakeConnection,
    /// The inbox's `hmac_token`, keyed once.
    identity: Option<HmacSha256>,
}

impl std::fmt::Debug for PublicClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicClient")
            .field("base_url", &self.conn.base_url())
            .field("hmac_token", &self.identity.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

fn contact_path(contact: &str, tail: &[String]) -> Vec<String> {
    let mut p = vec!["contacts".to_owned(), contact.to_owned()];
    p.extend(tail.iter().cloned());
    p
}

fn conversation_path(contact: &str, conversation: u64, tail: &[&str]) -> Vec<String> {
    let mut tail2 = vec!["conversations".to_owned(), conversation.to_string()];
    tail2.extend(tail.iter().map(|s| (*s).to_owned()));
    contact_path(contact, &tail2)
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ConversationList {
    Bare(Vec<PublicConversation>),
    Wrapped { payload: Vec<PublicConversation> },
}

impl PublicClient {
    /// Starts a builder: the server's base URL and the API inbox's `inbox_identifier`.
    pub fn builder(base_url: impl Into<String>, inbox_identifier: impl Into<String>) -> PublicClientBuilder {
        PublicClientBuilder {
            config: ClientConfig::new(base_url),
            inbox_identifier: inbox_identifier.into(),
            hmac_token: None,
        }
    }

    /// `fields` with `identifier_hash` filled in when the client knows the inbox's token and
    /// the caller gave no hash: the hash of `identifier`, or of `""` when there is none, which
    /// is what the server compares it with.
    fn with_identity(&self, fields: &PublicContactFields) -> PublicContactFields {
        let mut fields = fields.clone();
        if let (Some(mac), None) = (&self.identity, &fields.identifier_hash) {
            let identifier = fields.identifier.as_deref().unwrap_or_default();
            fields.identifier_hash = Some(mac.sign_hex(identifier.as_bytes()));
        }
        fields
    }

    /// The inbox's base URL.
    pub fn base_url(&self) -> &str {
        self.conn.base_url()
    }

    /// Sends a typed request under the inbox and returns its decoded answer.
    pub async fn send<T>(&self, request: &Request<T>) -> Result<T, Error> {
        self.conn.send(request).await
    }

    /// Escape hatch: sends any request under the inbox and returns the 2xx answer as is.
    pub async fn send_raw(&self, request: &ApiRequest) -> Result<RawAnswer, Error> {
        self.conn.send_raw(request.head()).await
    }

    /// The inbox.
    pub async fn inbox(&self) -> Result<PublicInbox, Error> {
        self.conn
            .call(&ApiRequest::new("public.inbox.get", Method::GET, &[] as &[&str]))
            .await
    }

    /// Creates (or finds, by identifier, email or phone) a contact. With
    /// [`PublicClientBuilder::hmac_token`], `identifier_hash` is added (see the module docs).
    pub async fn create_contact(&self, fields: &PublicContactFields) -> Result<PublicContact, Error> {
        validate::phone_number("phone_number", fields.phone_number.as_deref())?;
        let request = ApiRequest::new("public.contacts.create", Method::POST, &["contacts"])
            .json(&self.with_identity(fields))?
            .mark(IDENTITY_CHECKED);
        self.conn.call(&request).await
    }

    /// Gets the contact. `identifier` is the contact's own identifier (your external id), when it
    /// has one: with [`PublicClientBuilder::hmac_token`] it is sent with its `identifier_hash`
    /// in the query, as the server's identity check reads them there.
    pub async fn get_contact(
        &self,
        contact_identifier: &str,
        identifier: Option<&str>,
    ) -> Result<PublicContact, Error> {
        let mut request = ApiRequest::new(
            "public.contacts.get",
            Method::GET,
            &contact_path(contact_identifier, &[]),
        )
        .mark(IDENTITY_CHECKED);
        if self.identity.is_some() {
            let identity = self.with_identity(&PublicContactFields {
                identifier: identifier.map(str::to_owned),
                ..PublicContactFields::default()
            });
            request = request.query(
                [
                    identity.identifier.map(|i| ("identifier".to_owned(), i)),
                    identity.identifier_hash.map(|h| ("identifier_hash".to_owned(), h)),
                ]
                .into_iter()
                .flatten(),
            );
        }
        self.conn.call(&request).await
    }

    /// Updates the contact. The server never changes `identifier` here but checks it: set it to
    /// the contact's identifier so that, with [`PublicClientBuilder::hmac_token`], its
    /// `identifier_hash` is sent and the identity check passes.
    pub async fn update_contact(
        &self,
        contact_identifier: &str,
        fields: &PublicContactFields,
    ) -> Result<PublicContact, Error> {
        validate::phone_number("phone_number", fields.phone_number.as_deref())?;
        let request = ApiRequest::new(
            "public.contacts.update",
            Method::PATCH,
            &contact_path(contact_identifier, &[]),
        )
        .json(&self.with_identity(fields))?
        .mark(IDENTITY_CHECKED)
        .idempotent();
        self.conn.call(&request).await
    }

    /// The contact's conversations.
    pub async fn list_conversations(&self, contact_identifier: &str) -> Result<Vec<PublicConversation>, Error> {
        let path = contact_path(contact_identifier, &["conversations".to_owned()]);
        let request = ApiRequest::new("public.conversations.list", Method::GET, &path);
        Ok(match self.conn.call(&request).await? {
            ConversationList::Bare(list) | ConversationList::Wrapped { payload: list } => list,
        })
    }

    /// Starts a conversation.
    pub async fn create_conversation(
        &self,
        contact_identifier: &str,
        custom_attributes: Option<&Map<String, Value>>,
    ) -> Result<PublicConversation, Error> {
        if let Some(a) = custom_attributes {
            validate::attributes("custom_attributes", a)?;
        }
        let path = contact_path(contact_identifier, &["conversations".to_owned()]);
        let body = custom_attributes.map_or_else(|| json!({}), |a| json!({ "custom_attributes": a }));
        let request = ApiRequest::new("public.conversations.create", Method::POST, &path).json(&body)?;
        self.conn.call(&request).await
    }

    /// Gets a conversation with its messages.
    pub async fn get_conversation(&self, contact_identifier: &str, id: u64) -> Result<PublicConversation, Error> {
        let path = conversation_path(contact_identifier, id, &[]);
        self.conn
            .call(&ApiRequest::new("public.conversations.get", Method::GET, &path))
            .await
    }

    /// Resolves the conversation (the Client API cannot reopen one).
    pub async fn resolve_conversation(&self, contact_identifier: &str, id: u64) -> Result<(), Error> {
        let path = conversation_path(contact_identifier, id, &["toggle_status"]);
        let request = ApiRequest::new("public.conversations.toggle_status", Method::POST, &path).idempotent();
        self.conn.call_unit(&request).await
    }

    /// Shows or hides "typing..." for the contact.
    pub async fn toggle_typing(&self, contact_identifier: &str, id: u64, on: bool) -> Result<(), Error> {
        let path = conversation_path(contact_identifier, id, &["toggle_typing"]);
        let request = ApiRequest::new("public.conversations.toggle_typing", Method::POST, &path)
            .json(&json!({ "typing_status": if on { "on" } else { "off" } }))?
            .idempotent();
        self.conn.call_unit(&request).await
    }

    /// Marks the conversation seen by the contact.
    pub async fn update_last_seen(&self, contact_identifier: &str, id: u64) -> Result<(), Error> {
        let path = conversation_path(contact_identifier, id, &["update_last_seen"]);
        let request = ApiRequest::new("public.conversations.update_last_seen", Method::POST, &path).idempotent();
        self.conn.call_unit(&request).await
    }

    /// The latest 20 messages, or the 20 before `before`.
    pub async fn list_messages(
        &self,
        contact_identifier: &str,
        id: u64,
        before: Option<u64>,
    ) -> Result<Vec<Message>, Error> {
        let path = conversation_path(contact_identifier, id, &["messages"]);
        let request = ApiRequest::new("public.messages.list", Method::GET, &path)
            .query(before.map(|b| ("before".to_owned(), b.to_string())));
        self.conn.call(&request).await
    }

    /// Sends a message from the contact (always `incoming`); multipart when files are given.
    pub async fn create_message(
        &self,
        contact_identifier: &str,
        id: u64,
        content: &str,
        echo_id: Option<&str>,
        attachments: &[Upload],
    ) -> Result<Message, Error> {
        // The same limits as the Application API's messages.
        validate::message(&NewMessage {
            content: Some(content.to_owned()),
            attachments: attachments.to_vec(),
            ..NewMessage::default()
        })?;
        let path = conversation_path(contact_identifier, id, &["messages"]);
        let request = ApiRequest::new("public.messages.create", Method::POST, &path);
        let request = if attachments.is_empty() {
            let mut body = json!({ "content": content });
            if let Some(e) = echo_id {
                body["echo_id"] = e.into();
            }
            request.json(&body)?
        } else {
            let mut parts = vec![FormPart::Text {
                name: "content".into(),
                value: content.to_owned(),
            }];
            if let Some(e) = echo_id {
                parts.push(FormPart::Text {
                    name: "echo_id".into(),
                    value: e.to_owned(),
                });
            }
            parts.extend(attachments.iter().map(|u| file_part("attachments[]", u)));
            request.multipart(parts)
        };
        self.conn.call(&request).await
    }

    /// Submits the contact's answer to an interactive message (`submitted_values`: `name`,
    /// `title`, `value`, or `csat_survey_response`).
    pub async fn submit_values(
        &self,
        contact_identifier: &str,
        id: u64,
        message_id: u64,
        submitted_values: &Value,
    ) -> Result<Message, Error> {
        let path = conversation_path(contact_identifier, id, &["messages", &message_id.to_string()]);
        let request = ApiRequest::new("public.messages.update", Method::PATCH, &path)
            .json(&json!({ "submitted_values": submitted_values }))?
            .idempotent();
        self.conn.call(&request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url() {
        let c = PublicClient::builder("https://chat.example.com", "inbox id")
            .build()
            .unwrap();
        assert_eq!(
            c.base_url(),
            "https://chat.example.com/public/api/v1/inboxes/inbox%20id"
        );
        assert!(PublicClient::builder("https://x", " ").build().is_err());
    }
}
