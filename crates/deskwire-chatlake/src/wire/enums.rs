//! Chatlake's enumerations, all open: a value this version does not know is kept as text.
//!
//! [`MessageType`] is special: Chatlake writes it as a string in requests and webhooks and as an
//! integer (the database value) in REST answers, so it decodes from both and is always written
//! as the string requests need.

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Who a message is from, as far as the conversation is concerned.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// From the contact (`0`). On the Application API, only API inboxes accept it.
    Incoming,
    /// From an agent or bot (`1`). The server's default.
    Outgoing,
    /// A system line in the conversation (`2`); never sent to webhooks.
    Activity,
    /// A template message (`3`).
    Template,
    /// A value this version does not know (an unknown integer is kept as its decimal text).
    Unknown(String),
}

impl MessageType {
    /// The string requests and webhooks use.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Incoming => "incoming",
            Self::Outgoing => "outgoing",
            Self::Activity => "activity",
            Self::Template => "template",
            Self::Unknown(other) => other,
        }
    }

    /// The integer REST answers use.
    pub fn code(&self) -> Option<u8> {
        match self {
            Self::Incoming => Some(0),
            Self::Outgoing => Some(1),
            Self::Activity => Some(2),
            Self::Template => Some(3),
            Self::Unknown(_) => None,
        }
    }

    /// The type for a REST integer.
    pub fn from_code(code: u64) -> Self {
        match code {
            0 => Self::Incoming,
            1 => Self::Outgoing,
            2 => Self::Activity,
            3 => Self::Template,
            other => Self::Unknown(other.to_string()),
        }
    }
}

impl From<&str> for MessageType {
    fn from(text: &str) -> Self {
        match text {
            "incoming" => Self::Incoming,
            "outgoing" => Self::Outgoing,
            "activity" => Self::Activity,
            "template" => Self::Template,
            other => Self::Unknown(other.to_owned()),
        }
    }
}

impl std::fmt::Display for MessageType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for MessageType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for MessageType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MessageTypeVisitor;
        impl Visitor<'_> for MessageTypeVisitor {
            type Value = MessageType;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a message type name or its integer code")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<MessageType, E> {
                Ok(MessageType::from_code(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<MessageType, E> {
                Ok(MessageType::Unknown(v.to_string()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<MessageType, E> {
                Ok(MessageType::from(v))
            }
        }
        deserializer.deserialize_any(MessageTypeVisitor)
    }
}

deskwire_core::open_enum! {
    /// How a message's content is to be shown (`content_type`). Default `text`.
    pub enum ContentType {
        /// Plain text.
        Text = "text",
        /// Asks for a line of text.
        InputText = "input_text",
        /// Asks for a longer text.
        InputTextarea = "input_textarea",
        /// Asks for an email address; the reply comes back as `content_attributes.submitted_email`.
        InputEmail = "input_email",
        /// Options to pick from (`content_attributes.items`: title, value).
        InputSelect = "input_select",
        /// Cards with actions.
        Cards = "cards",
        /// A form.
        Form = "form",
        /// Article links.
        Article = "article",
        /// An email received by an email inbox.
        IncomingEmail = "incoming_email",
        /// A satisfaction survey.
        InputCsat = "input_csat",
        /// Content from an integration.
        Integrations = "integrations",
        /// A sticker.
        Sticker = "sticker",
        /// A voice call.
        VoiceCall = "voice_call",
    }
    /// A content type this version does not know.
    Unknown
}

deskwire_core::open_enum! {
    /// Delivery status of a message.
    pub enum MessageStatus {
        /// Sent.
        Sent = "sent",
        /// Delivered to the contact.
        Delivered = "delivered",
        /// Read by the contact.
        Read = "read",
        /// Delivery failed (`external_error` says why).
        Failed = "failed",
    }
    /// A status this version does not know.
    Unknown
}

deskwire_core::open_enum! {
    /// Status of a conversation.
    pub enum ConversationStatus {
        /// Open (the default).
        Open = "open",
        /// Resolved.
        Resolved = "resolved",
        /// Pending (waiting for a bot, say).
        Pending = "pending",
        /// Snoozed until `snoozed_until`.
        Snoozed = "snoozed",
    }
    /// A status this version does not know.
    Unknown
}

deskwire_core::open_enum! {
    /// Priority of a conversation (absent or `null` = none).
    pub enum Priority {
        /// Low.
        Low = "low",
        /// Medium.
        Medium = "medium",
        /// High.
        High = "high",
        /// Urgent.
        Urgent = "urgent",
    }
    /// A priority this version does not know.
    Unknown
}

deskwire_core::open_enum! {
    /// Kind of a message's sender (`sender.type`).
    pub enum SenderType {
        /// The contact. (Webhook senders that are contacts carry no `type` at all.)
        Contact = "contact",
        /// An agent.
        User = "user",
        /// An agent bot.
        AgentBot = "agent_bot",
        /// An enterprise Captain assistant.
        CaptainAssistant = "captain_assistant",
    }
    /// A sender type this version does not know.
    Unknown
}

deskwire_core::open_enum! {
    /// Kind of an attachment.
    pub enum FileType {
        /// Image.
        Image = "image",
        /// Audio.
        Audio = "audio",
        /// Video.
        Video = "video",
        /// Any other file.
        File = "file",
        /// A location.
        Location = "location",
        /// A fallback for content the channel could not represent.
        Fallback = "fallback",
        /// A share.
        Share = "share",
        /// An Instagram story mention.
        StoryMention = "story_mention",
        /// A contact card.
        Contact = "contact",
        /// An Instagram reel.
        IgReel = "ig_reel",
    }
    /// A file type this version does not know.
    Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_type_reads_strings_and_codes_and_writes_strings() {
        for (code, name, t) in [
            (0, "incoming", MessageType::Incoming),
            (1, "outgoing", MessageType::Outgoing),
            (2, "activity", MessageType::Activity),
            (3, "template", MessageType::Template),
        ] {
            assert_eq!(serde_json::from_str::<MessageType>(&code.to_string()).unwrap(), t);
            assert_eq!(serde_json::from_str::<MessageType>(&format!("\"{name}\"")).unwrap(), t);
            assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{name}\""));
            assert_eq!(t.code(), Some(code));
        }
        assert_eq!(
            serde_json::from_str::<MessageType>("9").unwrap(),
            MessageType::Unknown("9".into())
        );
        assert_eq!(
            serde_json::from_str::<MessageType>("\"note\"").unwrap(),
            MessageType::Unknown("note".into())
        );
        assert!(serde_json::from_str::<MessageType>("null").is_err());
    }

    #[test]
    fn all_thirteen_content_types_are_known() {
        let names = [
            "text",
            "input_text",
            "input_textarea",
            "input_email",
            "input_select",
            "cards",
            "form",
            "article",
            "incoming_email",
            "input_csat",
            "integrations",
            "sticker",
            "voice_call",
        ];
        for name in names {
            assert!(ContentType::from(name).is_known(), "{name}");
        }
        assert_eq!(ContentType::from("hologram"), ContentType::Unknown("hologram".into()));
    }
}
