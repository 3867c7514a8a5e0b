//! [`Message`]: one message on a question or a response — by the user, an expert, a bot, or
//! the system ([`MessageType::is_system`]). The guide's messages carry only `author` and
//! `body`, so every field is optional.

use deskwire_core::json::Extra;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ExternalId, MessageType, Timestamp, User, Uuid};

/// A message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Message {
    /// Numeric id, increasing over time (Directly's client compares ids to find the latest).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<Uuid>,
    /// What the message is (an ordinary message, or one of the system messages).
    #[serde(rename = "type")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<MessageType>,
    /// Creation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_created: Option<Timestamp>,
    /// Last change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<Timestamp>,
    /// Who wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<User>,
    /// Text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// HTML rendering of the text (since 2018-09-17).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_html: Option<String>,
    /// Whether the user has seen it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_viewed_by_user: Option<bool>,
    /// Buttons offered with the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<Action>>,
    /// Experts who may answer (on the notifying-experts message).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub potential_experts: Option<PotentialExperts>,
    /// Your ids for the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_ids: Option<Vec<ExternalId>>,
    /// The response it belongs to, when on a response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_uuid: Option<Uuid>,
    /// The question it belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question_uuid: Option<Uuid>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A button offered with a message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Action {
    /// Label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Experts Directly is notifying, and how fast they usually answer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PotentialExperts {
    /// The experts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub experts: Option<Vec<User>>,
    /// Typical time to a response; the client types it as a string of milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_response_time_in_millis: Option<Value>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Message {
    /// The message type, `MESSAGE` when absent.
    pub fn kind(&self) -> MessageType {
        self.kind.clone().unwrap_or(MessageType::Message)
    }

    /// Whether Directly inserted it ([`MessageType::is_system`]).
    pub fn is_system(&self) -> bool {
        self.kind.as_ref().is_some_and(MessageType::is_system)
    }
}
