//! Wire types of the Client API (what a chat front end uses, without an access token).

use deskwire_core::json::{Extra, Json};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::wire::{ConversationStatus, Message, SensitiveText, Timestamp};

/// `GET /public/api/v1/inboxes/{inbox_identifier}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PublicInbox {
    /// The inbox identifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// Whether `identifier_hash` is required (`hmac_mandatory`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_validation_enabled: Option<bool>,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Time zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Everything else (working hours, greeting, CSAT).
    #[serde(flatten)]
    pub extra: Extra,
}

/// Fields to create or update a contact through the Client API.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PublicContactFields {
    /// Your external id; an existing contact with it (or the email, or the phone) is reused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// hex HMAC-SHA256 of `identifier` keyed with the inbox's `hmac_token`
    /// ([`identifier_hash`](super::identifier_hash)); required when the inbox demands it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier_hash: Option<String>,
    /// Email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Name (the server invents one when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Avatar URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// Phone number, E.164.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Custom attributes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Map<String, Value>>,
    /// The contact identifier to use instead of a generated UUID (create only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
}

/// A contact of the Client API. `source_id` is the `contact_identifier` of later calls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PublicContact {
    /// The contact identifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// Websocket token (hidden from `Debug`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pubsub_token: Option<SensitiveText>,
    /// Contact id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A conversation of the Client API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PublicConversation {
    /// The display id.
    pub id: u64,
    /// Global UUID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// Inbox.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbox_id: Option<u64>,
    /// Status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ConversationStatus>,
    /// When the contact last looked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_last_seen_at: Option<Timestamp>,
    /// When an agent last looked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_last_seen_at: Option<Timestamp>,
    /// Messages (private notes and activity excluded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<Message>>,
    /// The contact record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<Json>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}
