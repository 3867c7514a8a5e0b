//! Inboxes: the slim form inside contacts, the full record in create answers and `GET
//! /inboxes/{id}`, and [`NewApiInbox`] to create an API inbox with its `webhook_url`.

use deskwire_core::json::Extra;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::sensitive::SensitiveText;
use super::time::Timestamp;

/// An inbox. The slim form has `id, avatar_url, channel_id, name, channel_type, provider`; the
/// rest appears in full records. Credentials (`hmac_token`, `secret`) are hidden from `Debug`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Inbox {
    /// Inbox id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `Channel::Api`, `Channel::WebWidget`, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_type: Option<String>,
    /// Id of the channel record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<u64>,
    /// Account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<u64>,
    /// Avatar URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// Where an API inbox posts its events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    /// The API inbox's identifier for the Client API (`/public/api/v1/inboxes/{inbox_identifier}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbox_identifier: Option<String>,
    /// Key of `identifier_hash` (administrators only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hmac_token: Option<SensitiveText>,
    /// Whether `identifier_hash` is required on the Client API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hmac_mandatory: Option<bool>,
    /// Webhook signing secret of API inboxes (servers from 4.13).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<SensitiveText>,
    /// Creation time (ISO in raw records).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// Update time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// Everything else the server sent.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `POST /inboxes` for an API inbox: `{name, channel:{type:"api", webhook_url, hmac_mandatory,
/// additional_attributes:{agent_reply_time_window}}}`. The callback field is
/// `channel.webhook_url` (not `callback_url`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewApiInbox {
    /// Inbox name.
    pub name: String,
    /// Where Chatlake posts this inbox's events (≤ 2048 characters, the only check the server makes).
    pub webhook_url: Option<String>,
    /// Require `identifier_hash` on the Client API.
    pub hmac_mandatory: Option<bool>,
    /// Hours after the last incoming message during which agents can reply.
    pub agent_reply_time_window: Option<u32>,
}

impl NewApiInbox {
    /// An API inbox named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            webhook_url: None,
            hmac_mandatory: None,
            agent_reply_time_window: None,
        }
    }

    /// Sets the webhook URL.
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.webhook_url = Some(url.into());
        self
    }

    /// The JSON body.
    pub fn to_json(&self) -> Value {
        let mut channel = Map::new();
        channel.insert("type".into(), "api".into());
        if let Some(url) = &self.webhook_url {
            channel.insert("webhook_url".into(), url.clone().into());
        }
        if let Some(m) = self.hmac_mandatory {
            channel.insert("hmac_mandatory".into(), m.into());
        }
        if let Some(hours) = self.agent_reply_time_window {
            channel.insert(
                "additional_attributes".into(),
                serde_json::json!({ "agent_reply_time_window": hours }),
            );
        }
        serde_json::json!({ "name": self.name, "channel": channel })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_inbox_body() {
        let mut inbox = NewApiInbox::new("API").webhook_url("https://hooks.example/chatlake");
        inbox.agent_reply_time_window = Some(24);
        assert_eq!(
            inbox.to_json().to_string(),
            r#"{"channel":{"additional_attributes":{"agent_reply_time_window":24},"type":"api","webhook_url":"https://hooks.example/chatlake"},"name":"API"}"#
        );
    }

    #[test]
    fn credentials_are_not_in_debug() {
        let inbox: Inbox =
            serde_json::from_str(r#"{"id":2,"hmac_token":"hm-SECRET","secret":"wh-SECRET","x":1}"#).unwrap();
        let shown = format!("{inbox:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
        assert_eq!(inbox.extra["x"], 1);
        assert!(serde_json::to_string(&inbox).unwrap().contains("hm-SECRET"));
    }
}
