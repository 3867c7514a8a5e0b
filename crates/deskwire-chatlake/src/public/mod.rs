//! The Client (public) API, `{base}/public/api/v1/inboxes/{inbox_identifier}/...`: what a chat
//! front end calls for its own contact, without an access token. It works only for API
//! inboxes. A contact is addressed by its `contact_identifier` (the `source_id` the create call
//! returns).
//!
//! Identity validation: when the inbox has `hmac_mandatory`, contacts must carry
//! `identifier_hash` = hex HMAC-SHA256 of the identifier keyed with the inbox's `hmac_token`
//! (not the webhook secret) — [`identifier_hash`]. A wrong hash fails on the server (probably
//! with a 500: the public controllers do not map that error; an inference).

mod wire;

use deskwire_core::mac::HmacSha256;
use deskwire_core::retry::RetryPolicy;
use deskwire_core::transport::{endpoint_url, TransportConfig};
use deskwire_core::Secret;
use http::Method;
use serde::Deserialize;
use serde_json::{json, Map, Value};

pub use self::wire::{PublicContact, PublicContactFields, PublicConversation, PublicInbox};
use crate::connection::Connection;
use crate::error::Error;
use crate::request::{ApiRequest, FormPart};
use crate::validate;
use crate::wire::{Message, NewMessage, Upload};

/// `identifier_hash` for `identifier`: lowercase hex HMAC-SHA256 keyed with the inbox's
/// `hmac_token`, as the server computes it.
///
/// ```
/// use deskwire_chatlake::public::identifier_hash;
/// use deskwire_core::Secret;
/// let hash = identifier_hash(&Secret::new("hmac-token"), "user-42");
/// assert_eq!(hash.len(), 64);
/// ```
pub fn identifier_hash(hmac_token: &Secret, identifier: &str) -> String {
    HmacSha256::new(hmac_token).sign_hex(identifier.as_bytes())
}

impl PublicContactFields {
    /// Sets `identifier` and its `identifier_hash`.
    pub fn signed_identifier(mut self, identifier: impl Into<String>, hmac_token: &Secret) -> Self {
        let identifier = identifier.into();
        self.identifier_hash = Some(identifier_hash(hmac_token, &identifier));
        self.identifier = Some(identifier);
        self
    }
}

/// Builder for [`PublicClient`].
#[derive(Debug, Clone)]
#[must_use]
pub struct PublicClientBuilder {
    base_url: String,
    inbox_identifier: String,
    transport: TransportConfig,
    retry: RetryPolicy,
    http: Option<reqwest::Client>,
}

impl PublicClientBuilder {
    /// HTTP settings. Its `base_url`, when set, replaces the builder's.
    pub fn transport(mut self, transport: TransportConfig) -> Self {
        self.transport = transport;
        self
    }

    /// Retry policy (creating calls are repeated only when nothing was sent).
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
    pub fn build(self) -> Result<PublicClient, Error> {
        if self.inbox_identifier.trim().is_empty() {
            return Err(Error::InvalidConfig("the inbox identifier is empty".into()));
        }
        let base = self.transport.base_url.as_deref().unwrap_or(&self.base_url);
        let base = endpoint_url(base, &["public", "api", "v1", "inboxes", &self.inbox_identifier])
            .map_err(Error::InvalidConfig)?
            .to_string();
        let http = match self.http {
            Some(http) => http,
            None => self.transport.build_client()?,
        };
        Ok(PublicClient {
            conn: Connection {
                http,
                base,
                auth: None,
                retry: self.retry,
                api: "public",
            },
        })
    }
}

/// Client of the Client API for one API inbox. Cheap to clone.
#[derive(Debug, Clone)]
pub struct PublicClient {
    conn: Connection,
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
            base_url: base_url.into(),
            inbox_identifier: inbox_identifier.into(),
            transport: TransportConfig::default(),
            retry: RetryPolicy::default(),
            http: None,
        }
    }

    /// The inbox's base URL.
    pub fn base_url(&self) -> &str {
        &self.conn.base
    }

    /// Escape hatch: sends any request under the inbox and decodes the answer as JSON.
    pub async fn send_json(&self, request: &ApiRequest) -> Result<Value, Error> {
        self.conn.call(request).await
    }

    /// The inbox.
    pub async fn inbox(&self) -> Result<PublicInbox, Error> {
        self.conn
            .call(&ApiRequest::new("public.inbox.get", Method::GET, &[] as &[&str]))
            .await
    }

    /// Creates (or finds, by identifier, email or phone) a contact.
    pub async fn create_contact(&self, fields: &PublicContactFields) -> Result<PublicContact, Error> {
        validate::phone_number("phone_number", fields.phone_number.as_deref())?;
        let request = ApiRequest::new("public.contacts.create", Method::POST, &["contacts"]).json(fields)?;
        self.conn.call(&request).await
    }

    /// Gets the contact.
    pub async fn get_contact(&self, contact_identifier: &str) -> Result<PublicContact, Error> {
        let request = ApiRequest::new(
            "public.contacts.get",
            Method::GET,
            &contact_path(contact_identifier, &[]),
        );
        self.conn.call(&request).await
    }

    /// Updates the contact (`identifier` cannot change).
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
        .json(fields)?
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
            parts.extend(attachments.iter().map(|u| FormPart::File {
                name: "attachments[]".into(),
                upload: u.clone(),
            }));
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
    fn identifier_hash_is_hmac_sha256_hex_of_the_identifier() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            identifier_hash(&Secret::new("Jefe"), "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let f = PublicContactFields::default().signed_identifier("what do ya want for nothing?", &Secret::new("Jefe"));
        assert_eq!(f.identifier.as_deref(), Some("what do ya want for nothing?"));
        assert!(f.identifier_hash.unwrap().starts_with("5bdcc146"));
    }

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
