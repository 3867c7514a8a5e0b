//! Typed webhook events. Every payload is an object with an `event` name; the known names get
//! a typed struct that keeps unmodelled fields in `extra`, anything else is
//! [`WebhookEvent::Unknown`] with its whole JSON.
//!
//! Shapes (chatwoot/chatwoot v4.13.0 `app/listeners/webhook_listener.rb`, `Message#webhook_data`
//! in `app/models/message.rb`, `app/presenters/conversations/event_data_presenter.rb`): `message_*` carry the message at top level with `message_type` as a
//! string and an ISO `created_at`; `conversation_*` carry the conversation push data with unix
//! times and (on updates) `changed_attributes`; typing events carry `user`, `conversation`,
//! `is_private`.

use std::borrow::Cow;

use deskwire_core::json::{Extra, Json};
use serde::de::{self, DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::WebhookError;
use crate::wire::message::{Key, MessageFields};
use crate::wire::{Contact, Conversation, Inbox, Message, MessageType, SenderType};

/// `{id, name}` of an account or inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NamedRef {
    /// Id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `message_created` / `message_updated`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct MessageEvent {
    /// The message (sender, attachments, `private`, string `message_type`, ISO `created_at`).
    #[serde(flatten)]
    pub message: Message,
    /// The account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<NamedRef>,
    /// The inbox.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbox: Option<NamedRef>,
    /// The conversation (push data, unix times).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation: Option<Conversation>,
}

/// The keys of a `message_*` payload, read in one pass: the event's own (`account`, `inbox`,
/// `conversation`), the message's, and — for [`WebhookEvent::from_json`] — the `event` name.
#[derive(Default)]
struct MessageEventFields {
    message: MessageFields,
    account: Option<NamedRef>,
    inbox: Option<NamedRef>,
    // Boxed while reading: a conversation is large and the fields move until `finish`.
    conversation: Option<Box<Conversation>>,
}

impl MessageEventFields {
    fn read<'de, A: MapAccess<'de>>(&mut self, key: Cow<'de, str>, map: &mut A) -> Result<(), A::Error> {
        match &*key {
            "account" => self.account = map.next_value()?,
            "inbox" => self.inbox = map.next_value()?,
            "conversation" => self.conversation = map.next_value()?,
            other => {
                if !self.message.read(other, map)? {
                    self.message.keep(key, map)?;
                }
            }
        }
        Ok(())
    }

    /// Reads every key of `map`. With `event_name`, the `event` key is the name, which must be
    /// a message event's (whether it is `message_updated` comes back); without, it is one more
    /// unmodelled key.
    fn read_all<'de, A: MapAccess<'de>>(mut map: A, event_name: bool) -> Result<(Option<bool>, Self), A::Error> {
        let mut fields = Self::default();
        let mut updated = None;
        while let Some(Key(key)) = map.next_key()? {
            if event_name && OTHER_EVENTS_KEYS.contains(&key.as_ref()) {
                // Another event's payload: leave it to the general way now rather than read it
                // twice (typing events are as frequent as messages).
                return Err(de::Error::custom("not a message event"));
            }
            if event_name && key == "event" {
                // Stop at once on another event: the general way decodes it.
                updated = match map.next_value::<Key<'de>>()?.0.as_ref() {
                    "message_created" => Some(false),
                    "message_updated" => Some(true),
                    _ => return Err(de::Error::custom("not a message event")),
                };
            } else {
                fields.read(key, &mut map)?;
            }
        }
        Ok((updated, fields))
    }

    fn finish<E: de::Error>(self) -> Result<MessageEvent, E> {
        Ok(MessageEvent {
            message: self.message.finish()?,
            account: self.account,
            inbox: self.inbox,
            conversation: self.conversation.map(|c| *c),
        })
    }
}

/// Top-level keys of other events' payloads that a message's never has (typing: `user`,
/// `is_private`; conversation events: `meta`, `messages`, `contact_inbox`, `changed_attributes`).
/// Only a shortcut: a payload the one-pass way refuses is decoded the general way all the same.
const OTHER_EVENTS_KEYS: &[&str] = &[
    "user",
    "is_private",
    "meta",
    "messages",
    "contact_inbox",
    "changed_attributes",
];

impl<'de> Deserialize<'de> for MessageEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EventVisitor;
        impl<'de> Visitor<'de> for EventVisitor {
            type Value = MessageEvent;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a message event object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<MessageEvent, A::Error> {
                MessageEventFields::read_all(map, false)?.1.finish()
            }
        }
        deserializer.deserialize_map(EventVisitor)
    }
}

/// A `message_created` or `message_updated` payload decoded straight from the bytes, its
/// `event` name included. Anything else — another event, a missing or odd name, a value of the
/// wrong type — is refused here and decoded the general way, which says why.
struct FastMessage {
    updated: bool,
    // Boxed where it is built: the event is large, and serde hands the result back through
    // several frames (moving it was a tenth of the decoding time).
    event: Box<MessageEvent>,
}

impl<'de> Deserialize<'de> for FastMessage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FastVisitor;
        impl<'de> Visitor<'de> for FastVisitor {
            type Value = FastMessage;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a message event")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<FastMessage, A::Error> {
                let (updated, fields) = MessageEventFields::read_all(map, true)?;
                Ok(FastMessage {
                    updated: updated.ok_or_else(|| de::Error::missing_field("event"))?,
                    event: Box::new(fields.finish()?),
                })
            }
        }
        deserializer.deserialize_map(FastVisitor)
    }
}

impl MessageEvent {
    /// A private note: agents only, never for the contact.
    pub fn is_private_note(&self) -> bool {
        self.message.is_private()
    }

    /// The conversation's display id.
    pub fn conversation_id(&self) -> Option<u64> {
        self.conversation
            .as_ref()
            .map(|c| c.id)
            .or(self.message.conversation_id)
    }
}

/// `conversation_created`, `conversation_updated`, `conversation_status_changed` (and the agent
/// bot events `conversation_opened`, `conversation_resolved`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConversationEvent {
    /// The conversation; `changed_attributes` on updates.
    #[serde(flatten)]
    pub conversation: Conversation,
}

/// One entry of `changed_attributes`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Change {
    /// The attribute (`status`, `assignee_id`, ...).
    pub attribute: String,
    /// Before.
    pub previous: Value,
    /// After.
    pub current: Value,
}

/// Reads `changed_attributes`: an array of one-key objects `{attr: {previous_value,
/// current_value}}`. `null` or an unexpected shape reads as no changes.
pub fn changes(changed_attributes: Option<&Value>) -> Vec<Change> {
    let Some(Value::Array(entries)) = changed_attributes else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(Value::as_object)
        .flatten()
        .map(|(attribute, change)| Change {
            attribute: attribute.clone(),
            previous: change.get("previous_value").cloned().unwrap_or(Value::Null),
            current: change.get("current_value").cloned().unwrap_or(Value::Null),
        })
        .collect()
}

impl ConversationEvent {
    /// What changed.
    pub fn changes(&self) -> Vec<Change> {
        changes(self.conversation.changed_attributes.as_deref())
    }
}

/// `conversation_typing_on` / `conversation_typing_off`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TypingEvent {
    /// Who types: an agent (`type: "user"`) or the contact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<crate::wire::Sender>,
    /// The conversation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation: Option<Conversation>,
    /// Typing a private note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_private: Option<bool>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `webwidget_triggered` (web-widget inboxes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebwidgetEvent {
    /// Contact inbox id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// The contact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<Json>,
    /// The inbox.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbox: Option<NamedRef>,
    /// The account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<NamedRef>,
    /// The open conversation, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_conversation: Option<Conversation>,
    /// The session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// Browser details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_info: Option<Json>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `contact_created` / `contact_updated` (account webhooks only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ContactEvent {
    /// The contact.
    #[serde(flatten)]
    pub contact: Contact,
    /// What changed (updates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed_attributes: Option<Json>,
}

/// `inbox_created` / `inbox_updated` (account webhooks only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InboxEvent {
    /// The inbox (credentials hidden from `Debug`).
    #[serde(flatten)]
    pub inbox: Inbox,
    /// What changed (updates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed_attributes: Option<Json>,
}

/// A webhook event.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WebhookEvent {
    /// A message was created (including private notes and the messages you created).
    MessageCreated(Box<MessageEvent>),
    /// A message changed (content, `content_attributes` such as submitted values or an
    /// `external_error`). The payload (`Message#webhook_data`) carries **no** `status` key:
    /// read a delivery status through the Application API.
    MessageUpdated(Box<MessageEvent>),
    /// A conversation was created.
    ConversationCreated(Box<ConversationEvent>),
    /// A conversation changed; see [`ConversationEvent::changes`].
    ConversationUpdated(Box<ConversationEvent>),
    /// A conversation's status changed.
    ConversationStatusChanged(Box<ConversationEvent>),
    /// Agent-bot webhooks: a conversation was opened.
    ConversationOpened(Box<ConversationEvent>),
    /// Agent-bot webhooks: a conversation was resolved.
    ConversationResolved(Box<ConversationEvent>),
    /// Someone started typing.
    ConversationTypingOn(Box<TypingEvent>),
    /// Someone stopped typing.
    ConversationTypingOff(Box<TypingEvent>),
    /// A web-widget visitor opened the widget.
    WebwidgetTriggered(Box<WebwidgetEvent>),
    /// A contact was created.
    ContactCreated(Box<ContactEvent>),
    /// A contact changed.
    ContactUpdated(Box<ContactEvent>),
    /// An inbox was created.
    InboxCreated(Box<InboxEvent>),
    /// An inbox changed.
    InboxUpdated(Box<InboxEvent>),
    /// An event this version does not know, whole.
    Unknown {
        /// Its `event` name.
        event: String,
        /// The payload without `event` (credentials hidden from `Debug`).
        payload: Extra,
    },
}

fn typed<T: DeserializeOwned>(event: &str, payload: Map<String, Value>) -> Result<Box<T>, WebhookError> {
    // Decoded from a borrow, so the payload is only kept (not copied) for the error case.
    let payload = Value::Object(payload);
    T::deserialize(&payload)
        .map(Box::new)
        .map_err(|e| WebhookError::Payload {
            reason: format!("`{event}` payload: {e}"),
            payload: match payload {
                Value::Object(map) => Some(map.into()),
                _ => None,
            },
        })
}

impl WebhookEvent {
    /// Decodes a payload (already authenticated). Never panics, whatever the bytes.
    ///
    /// Message events, most of a webhook's traffic, are decoded in one pass over the bytes;
    /// every other payload, and any message payload that pass refuses, goes through a JSON
    /// value first, so errors read the same whichever way a payload came.
    pub fn from_json(body: &[u8]) -> Result<Self, WebhookError> {
        if let Ok(FastMessage { updated, event }) = serde_json::from_slice(body) {
            return Ok(if updated {
                Self::MessageUpdated(event)
            } else {
                Self::MessageCreated(event)
            });
        }
        Self::from_json_value(body)
    }

    /// The general way: a JSON value, its `event` removed, the rest decoded by name.
    fn from_json_value(body: &[u8]) -> Result<Self, WebhookError> {
        let value: Value = serde_json::from_slice(body).map_err(|e| WebhookError::Payload {
            reason: format!("not JSON: {e}"),
            payload: None,
        })?;
        let Value::Object(mut payload) = value else {
            return Err(WebhookError::Payload {
                reason: "not a JSON object".into(),
                payload: None,
            });
        };
        let event = match payload.remove("event") {
            Some(Value::String(event)) => event,
            _ => {
                return Err(WebhookError::Payload {
                    reason: "no `event` name".into(),
                    payload: Some(payload.into()),
                })
            }
        };
        Ok(match event.as_str() {
            "message_created" => Self::MessageCreated(typed(&event, payload)?),
            "message_updated" => Self::MessageUpdated(typed(&event, payload)?),
            "conversation_created" => Self::ConversationCreated(typed(&event, payload)?),
            "conversation_updated" => Self::ConversationUpdated(typed(&event, payload)?),
            "conversation_status_changed" => Self::ConversationStatusChanged(typed(&event, payload)?),
            "conversation_opened" => Self::ConversationOpened(typed(&event, payload)?),
            "conversation_resolved" => Self::ConversationResolved(typed(&event, payload)?),
            "conversation_typing_on" => Self::ConversationTypingOn(typed(&event, payload)?),
            "conversation_typing_off" => Self::ConversationTypingOff(typed(&event, payload)?),
            "webwidget_triggered" => Self::WebwidgetTriggered(typed(&event, payload)?),
            "contact_created" => Self::ContactCreated(typed(&event, payload)?),
            "contact_updated" => Self::ContactUpdated(typed(&event, payload)?),
            "inbox_created" => Self::InboxCreated(typed(&event, payload)?),
            "inbox_updated" => Self::InboxUpdated(typed(&event, payload)?),
            _ => Self::Unknown {
                event,
                payload: payload.into(),
            },
        })
    }

    /// The `event` name.
    pub fn name(&self) -> &str {
        match self {
            Self::MessageCreated(_) => "message_created",
            Self::MessageUpdated(_) => "message_updated",
            Self::ConversationCreated(_) => "conversation_created",
            Self::ConversationUpdated(_) => "conversation_updated",
            Self::ConversationStatusChanged(_) => "conversation_status_changed",
            Self::ConversationOpened(_) => "conversation_opened",
            Self::ConversationResolved(_) => "conversation_resolved",
            Self::ConversationTypingOn(_) => "conversation_typing_on",
            Self::ConversationTypingOff(_) => "conversation_typing_off",
            Self::WebwidgetTriggered(_) => "webwidget_triggered",
            Self::ContactCreated(_) => "contact_created",
            Self::ContactUpdated(_) => "contact_updated",
            Self::InboxCreated(_) => "inbox_created",
            Self::InboxUpdated(_) => "inbox_updated",
            Self::Unknown { event, .. } => event,
        }
    }

    /// The message of a `message_*` event.
    pub fn message(&self) -> Option<&MessageEvent> {
        match self {
            Self::MessageCreated(m) | Self::MessageUpdated(m) => Some(m),
            _ => None,
        }
    }
}

/// Why [`EchoFilter`] skips a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// A private note between agents.
    PrivateNote,
    /// An `incoming` message: the contact's side, i.e. what your integration relayed itself.
    Incoming,
    /// An activity line (the server does not send them; skipped should one arrive).
    Activity,
    /// Written by an agent or bot this integration acts as.
    OwnSender,
    /// Carries a `source_id` this integration set.
    OwnSourceId,
}

/// Loop prevention for integrations on an API inbox: its webhook receives **every** message,
/// private notes and the integration's own messages included. By default it skips private
/// notes, incoming messages and activity lines, keeping what agents and bots wrote for the
/// contact; add the identities your integration writes as.
///
/// ```
/// use deskwire_chatlake::inbound::EchoFilter;
/// let filter = EchoFilter::new().own_agent_bot(5).own_source_id_prefix("deskwire-");
/// # let _ = filter;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EchoFilter {
    own_users: Vec<u64>,
    own_bots: Vec<u64>,
    source_id_prefix: Option<String>,
    keep_incoming: bool,
}

impl EchoFilter {
    /// Skips private notes, incoming messages and activity lines.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also skips messages written by this agent (the user whose token the integration uses).
    pub fn own_agent(mut self, user_id: u64) -> Self {
        self.own_users.push(user_id);
        self
    }

    /// Also skips messages written by this agent bot.
    pub fn own_agent_bot(mut self, bot_id: u64) -> Self {
        self.own_bots.push(bot_id);
        self
    }

    /// Also skips messages whose `source_id` starts with `prefix` (set on what you send).
    pub fn own_source_id_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.source_id_prefix = Some(prefix.into());
        self
    }

    /// Keeps incoming messages (for integrations that do not relay the contact themselves).
    pub fn keep_incoming(mut self) -> Self {
        self.keep_incoming = true;
        self
    }

    /// Why to skip `event`, or `None` to handle it.
    pub fn check(&self, event: &MessageEvent) -> Option<Skip> {
        let m = &event.message;
        if m.is_private() {
            return Some(Skip::PrivateNote);
        }
        match &m.message_type {
            Some(MessageType::Incoming) if !self.keep_incoming => return Some(Skip::Incoming),
            Some(MessageType::Activity) => return Some(Skip::Activity),
            _ => {}
        }
        if let Some(sender) = &m.sender {
            let own = match (&sender.kind, sender.id) {
                (Some(SenderType::User), Some(id)) => self.own_users.contains(&id),
                (Some(SenderType::AgentBot), Some(id)) => self.own_bots.contains(&id),
                _ => false,
            };
            if own {
                return Some(Skip::OwnSender);
            }
        }
        match (&self.source_id_prefix, &m.source_id) {
            (Some(prefix), Some(source)) if source.starts_with(prefix.as_str()) => Some(Skip::OwnSourceId),
            _ => None,
        }
    }

    /// The message of `event` when it is a `message_created` this filter lets through.
    pub fn desk_message<'e>(&self, event: &'e WebhookEvent) -> Option<&'e MessageEvent> {
        match event {
            WebhookEvent::MessageCreated(m) if self.check(m).is_none() => Some(m),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Values of the shapes that matter to the keys below: right and wrong types, nulls,
    /// nested objects, escapes.
    fn value() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "null",
            "7",
            "-1",
            "1.5",
            "true",
            "[]",
            "{}",
            r#""message_created""#,
            r#""message_updated""#,
            r#""message\u005fcreated""#,
            r#""conversation_typing_on""#,
            r#""outgoing""#,
            r#""2025-11-21T06:21:27.123Z""#,
            r#""caf\u00e9 \"quoted\"""#,
            r#"{"id":3,"name":"Support"}"#,
            r#"{"id":"3"}"#,
            r#"{"id":12,"inbox_id":3,"status":"open","messages":[]}"#,
            r#"{"id":5,"name":"Alice","type":"user"}"#,
            r#"[{"id":1,"file_type":"image","data_url":"https://x.test/a.png","width":3}]"#,
            r#"{"in_reply_to":4,"deleted":true}"#,
        ])
    }

    fn body() -> impl Strategy<Value = String> {
        let key = prop::sample::select(vec![
            "event",
            "id",
            "content",
            "message_type",
            "private",
            "created_at",
            "sender",
            "attachments",
            "content_attributes",
            "account",
            "inbox",
            "conversation",
            "conversation_id",
            "source_id",
            "additional_attributes",
            "user",
            "is_private",
            "changed_attributes",
            "mess\\u0061ge_type",
        ]);
        // Half the bodies start as a valid message event, so the one-pass way succeeds often
        // and its result, not only its refusals, is compared.
        let base = prop::sample::select(vec![
            "",
            r#""id":1,"event":"message_created","#,
            r#""event":"message_updated","id":2,"#,
        ]);
        (base, prop::collection::vec((key, value()), 0..9)).prop_map(|(base, pairs)| {
            let fields: Vec<String> = pairs.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            format!("{{{base}{}}}", fields.join(",")).replace(",}", "}")
        })
    }

    /// What `MessageEvent` and `Message` decoded to when they were derived with a flattened
    /// `extra` (before the one-pass reader): the reference the hand-written reader must match.
    mod derived {
        use super::super::NamedRef;
        use crate::wire::{Attachment, ContentType, Conversation, MessageStatus, MessageType, Sender, Timestamp};
        use deskwire_core::json::Extra;
        use serde::{Deserialize, Serialize};
        use serde_json::{Map, Value};

        #[derive(Serialize, Deserialize)]
        pub struct Message {
            pub id: u64,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub content: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub inbox_id: Option<u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub conversation_id: Option<u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub message_type: Option<MessageType>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub content_type: Option<ContentType>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub status: Option<MessageStatus>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub content_attributes: Option<Map<String, Value>>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub created_at: Option<Timestamp>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub private: Option<bool>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub source_id: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub echo_id: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub sender: Option<Sender>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub attachments: Option<Vec<Attachment>>,
            #[serde(flatten)]
            pub extra: Extra,
        }

        #[derive(Serialize, Deserialize)]
        pub struct MessageEvent {
            #[serde(flatten)]
            pub message: Message,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub account: Option<NamedRef>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub inbox: Option<NamedRef>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pub conversation: Option<Conversation>,
        }
    }

    proptest! {
        /// The hand-written reader decodes what the derive decoded, to the same fields; and
        /// refuses what it refused.
        #[test]
        fn reader_matches_the_derive(body in body()) {
            let Ok(Value::Object(mut payload)) = serde_json::from_str::<Value>(&body) else {
                return Ok(());
            };
            payload.remove("event");
            let payload = Value::Object(payload);
            let derived = derived::MessageEvent::deserialize(&payload).map(|e| serde_json::to_value(e).unwrap());
            let read = MessageEvent::deserialize(&payload).map(|e| serde_json::to_value(e).unwrap());
            prop_assert_eq!(derived.is_ok(), read.is_ok(), "{}", body);
            if let (Ok(derived), Ok(read)) = (derived, read) {
                prop_assert_eq!(derived, read);
            }
            let message = Message::deserialize(&payload).map(|m| serde_json::to_value(m).unwrap());
            let derived = derived::Message::deserialize(&payload).map(|m| serde_json::to_value(m).unwrap());
            prop_assert_eq!(message.ok(), derived.ok());
        }

        /// The one-pass decoding of message events and the general way agree on every body:
        /// the same event, or the same error.
        #[test]
        fn one_pass_and_general_way_agree(body in body()) {
            prop_assert_eq!(WebhookEvent::from_json(body.as_bytes()), WebhookEvent::from_json_value(body.as_bytes()));
        }

        #[test]
        fn any_bytes_never_panic_and_agree(bytes in prop::collection::vec(any::<u8>(), 0..96)) {
            prop_assert_eq!(WebhookEvent::from_json(&bytes), WebhookEvent::from_json_value(&bytes));
        }
    }

    #[test]
    fn a_message_event_decodes_in_one_pass_with_its_extras() {
        let body = br#"{"id":9,"content":"hi","message_type":"outgoing","event":"message_created","account":{"id":1,"name":"Acme"},"conversation":{"id":12,"inbox_id":3},"additional_attributes":{}}"#;
        let fast: FastMessage = serde_json::from_slice(body).unwrap();
        assert!(!fast.updated);
        assert_eq!(fast.event.message.id, 9);
        assert_eq!(fast.event.conversation_id(), Some(12));
        assert_eq!(
            fast.event.account.as_ref().and_then(|a| a.name.as_deref()),
            Some("Acme")
        );
        assert_eq!(
            fast.event.message.extra.keys().collect::<Vec<_>>(),
            ["additional_attributes"]
        );
        assert_eq!(
            WebhookEvent::from_json(body).unwrap(),
            WebhookEvent::MessageCreated(fast.event)
        );
        // Another event is left to the general way at once, by its name or by a key of its own.
        assert!(serde_json::from_slice::<FastMessage>(br#"{"event":"conversation_typing_on","id":1}"#).is_err());
        assert!(serde_json::from_slice::<FastMessage>(
            br#"{"user":{"id":1},"is_private":false,"event":"conversation_typing_on"}"#
        )
        .is_err());
    }
}
