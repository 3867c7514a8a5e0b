//! [`Message`]: one message on a question or a response — by the user, an expert, a bot, or
//! the system ([`MessageType::is_system`]). The guide's messages carry only `author` and
//! `body`, so every field is optional.

use deskwire_core::json::Extra;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_with::skip_serializing_none;

use super::{ExternalId, MessageType, Timestamp, User, Uuid};

/// A message.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Numeric id, increasing over time (Directly's client compares ids to find the latest).
    pub id: Option<u64>,
    /// Id.
    pub uuid: Option<Uuid>,
    /// What the message is (an ordinary message, or one of the system messages).
    #[serde(rename = "type")]
    pub kind: Option<MessageType>,
    /// Creation time.
    pub date_created: Option<Timestamp>,
    /// Last change.
    pub last_updated: Option<Timestamp>,
    /// Who wrote it.
    pub author: Option<User>,
    /// Text.
    pub body: Option<String>,
    /// HTML rendering of the text (since 2018-09-17).
    pub body_html: Option<String>,
    /// Whether the user has seen it.
    pub is_viewed_by_user: Option<bool>,
    /// Buttons offered with the message.
    pub actions: Option<Vec<Action>>,
    /// Experts who may answer (on the notifying-experts message).
    pub potential_experts: Option<PotentialExperts>,
    /// Your ids for the message.
    pub external_ids: Option<Vec<ExternalId>>,
    /// The response it belongs to, when on a response.
    pub response_uuid: Option<Uuid>,
    /// The question it belongs to.
    pub question_uuid: Option<Uuid>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A button offered with a message.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Action {
    /// Label.
    pub text: Option<String>,
    /// Target.
    pub link: Option<String>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Experts Directly is notifying, and how fast they usually answer.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PotentialExperts {
    /// The experts.
    pub experts: Option<Vec<User>>,
    /// Typical time to a response; the client types it as a string of milliseconds.
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
