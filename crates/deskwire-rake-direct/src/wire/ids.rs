//! Identifiers and small open enums: session ids, entity ids, platform ids, message types and
//! the events a return webhook may subscribe to.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Rake session id (channels, group chats and DMs are sessions too). The docs show integers
/// (`123`, `13731`); a numeric string is accepted on input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(pub u64);

impl std::fmt::Display for SessionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl From<u64> for SessionId {
    fn from(value: u64) -> Self {
        Self(value)
    }
}

impl SessionId {
    /// Reads a session id from a JSON number or numeric string.
    pub fn from_json(value: &serde_json::Value) -> Option<Self> {
        match value {
            serde_json::Value::Number(n) => n.as_u64().map(Self),
            serde_json::Value::String(s) => s.trim().parse().ok().map(Self),
            _ => None,
        }
    }
}

impl Serialize for SessionId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.0)
    }
}

impl<'de> Deserialize<'de> for SessionId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Self::from_json(&value).ok_or_else(|| serde::de::Error::custom(format!("`{value}` is not a session id")))
    }
}

/// An entity id: Rake's dev notes show a number (`3764`), the use cases a string (`"<entityId>"`).
/// Whichever was given is sent back the same way.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EntityId {
    /// A numeric id.
    Number(u64),
    /// An id written as a string.
    Text(String),
}

impl From<u64> for EntityId {
    fn from(value: u64) -> Self {
        Self::Number(value)
    }
}

impl From<&str> for EntityId {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl From<String> for EntityId {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

/// A channel Rake delivers on (`platformIds`). Numbers the dev notes do not list are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PlatformId {
    /// `1`: SMS (Twilio).
    Sms,
    /// `3`: Facebook Messenger.
    FacebookMessenger,
    /// `8`: the Rake user app.
    RakeApp,
    /// Any other id (e.g. Rake Live Chat, whose number is undocumented).
    Other(u64),
}

impl PlatformId {
    /// The wire number.
    pub fn number(self) -> u64 {
        match self {
            Self::Sms => 1,
            Self::FacebookMessenger => 3,
            Self::RakeApp => 8,
            Self::Other(n) => n,
        }
    }
}

impl From<u64> for PlatformId {
    fn from(value: u64) -> Self {
        match value {
            1 => Self::Sms,
            3 => Self::FacebookMessenger,
            8 => Self::RakeApp,
            n => Self::Other(n),
        }
    }
}

impl Serialize for PlatformId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.number())
    }
}

impl<'de> Deserialize<'de> for PlatformId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        u64::deserialize(deserializer).map(Self::from)
    }
}

deskwire_core::open_enum! {
    /// `messageType`. Only `text` appears in the docs.
    pub enum MessageType {
        /// `"text"`.
        Text = "text",
    }
    /// Another type, sent as written.
    Unknown
}

deskwire_core::open_enum! {
    /// An event a return webhook subscribes to (`receiveEvents`; dev notes, meaning inferred).
    pub enum ReceiveEvent {
        /// `"message"`.
        Message = "message",
        /// `"endSession"`.
        EndSession = "endSession",
    }
    /// Another event name, sent as written.
    Unknown
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_keep_their_wire_form() {
        assert_eq!(serde_json::to_value(PlatformId::from(1)).unwrap(), json!(1));
        assert_eq!(PlatformId::from(42), PlatformId::Other(42));
        assert_eq!(serde_json::to_value(EntityId::from("3764")).unwrap(), json!("3764"));
        assert_eq!(serde_json::to_value(EntityId::from(3764)).unwrap(), json!(3764));
        assert_eq!(SessionId::from_json(&json!("13731")), Some(SessionId(13731)));
        assert_eq!(SessionId::from_json(&json!(-1)), None);
        assert_eq!(SessionId::from_json(&json!("abc")), None);
    }
}
