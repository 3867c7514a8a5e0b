//! Wire types of the Client API (what a chat front end uses, without an access token).

use deskwire_core::json::{Extra, Json};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use serde_with::skip_serializing_none;

use crate::wire::{ConversationStatus, Message, SensitiveText, Timestamp};

/// `GET /public/api/v1/inboxes/{inbox_identifier}`.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicInbox {
    /// The inbox identifier.
    pub identifier: Option<String>,
    /// Whether `identifier_hash` is required (`hmac_mandatory`).
    pub identity_validation_enabled: Option<bool>,
    /// Name.
    pub name: Option<String>,
    /// Time zone.
    pub timezone: Option<String>,
    /// Everything else (working hours, greeting, CSAT).
    #[serde(flatten)]
    pub extra: Extra,
}

/// Fields to create or update a contact through the Client API.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PublicContactFields {
    /// Your external id; an existing contact with it (or the email, or the phone) is reused.
    pub identifier: Option<String>,
    /// hex HMAC-SHA256 of `identifier` keyed with the inbox's `hmac_token`
    /// ([`identifier_hash`](super::identifier_hash)); required when the inbox demands it.
    pub identifier_hash: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Name (the server invents one when absent).
    pub name: Option<String>,
    /// Avatar URL.
    pub avatar_url: Option<String>,
    /// Phone number, E.164.
    pub phone_number: Option<String>,
    /// Custom attributes.
    pub custom_attributes: Option<Map<String, Value>>,
    /// The contact identifier to use instead of a generated UUID (create only).
    pub source_id: Option<String>,
}

/// A contact of the Client API. `source_id` is the `contact_identifier` of later calls.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicContact {
    /// The contact identifier.
    pub source_id: Option<String>,
    /// Websocket token (hidden from `Debug`).
    pub pubsub_token: Option<SensitiveText>,
    /// Contact id.
    pub id: Option<u64>,
    /// Name.
    pub name: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Phone number.
    pub phone_number: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A conversation of the Client API.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicConversation {
    /// The display id.
    pub id: u64,
    /// Global UUID.
    pub uuid: Option<String>,
    /// Inbox.
    pub inbox_id: Option<u64>,
    /// Status.
    pub status: Option<ConversationStatus>,
    /// When the contact last looked.
    pub contact_last_seen_at: Option<Timestamp>,
    /// When an agent last looked.
    pub agent_last_seen_at: Option<Timestamp>,
    /// Messages (private notes and activity excluded).
    pub messages: Option<Vec<Message>>,
    /// The contact record.
    pub contact: Option<Json>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}
