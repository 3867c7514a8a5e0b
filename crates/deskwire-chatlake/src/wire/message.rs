//! Messages: what REST answers and webhooks carry ([`Message`]), what you send ([`NewMessage`],
//! with [`Upload`]s going as multipart), and the list and status-update calls.

use std::borrow::Cow;

use bytes::Bytes;
use deskwire_core::json::Extra;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::enums::{ContentType, FileType, MessageStatus, MessageType, SenderType};
use super::interactive::Interactive;
use super::time::Timestamp;

/// Longest `content` the server stores, in characters.
pub const MAX_CONTENT_CHARS: usize = 150_000;
/// Most attachments one message may carry.
pub const MAX_ATTACHMENTS: usize = 15;

/// A message. `message_type` is read from the integer REST answers use and the string webhooks
/// use; `created_at` from unix seconds or ISO text.
///
/// Decoded key by key rather than by a derive with a flattened `extra`, which buffers every key
/// first; webhook events reuse the same reader to decode in one pass. A key given twice keeps
/// its last value, as a JSON object read into a map does.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Message {
    /// Global message id.
    pub id: u64,
    /// Text (`null` for attachment-only messages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Inbox.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbox_id: Option<u64>,
    /// The conversation's `display_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<u64>,
    /// Incoming, outgoing, activity or template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_type: Option<MessageType>,
    /// How to show the content (`text` on real servers; the API-channel guide shows `null`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<ContentType>,
    /// Delivery status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<MessageStatus>,
    /// Interactive items, replies, `in_reply_to`, `external_error`, `deleted`, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_attributes: Option<Map<String, Value>>,
    /// Creation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// Whether this is a private note (never shown to the contact).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private: Option<bool>,
    /// Your external id for the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// Echo of the `echo_id` sent with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub echo_id: Option<String>,
    /// Who wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender: Option<Sender>,
    /// Attachments (absent when there are none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<Attachment>>,
    /// Everything else the server sent.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A JSON object key, borrowed from the input when it has no escapes.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// [`Message`]'s fields, read one key at a time: by `Message`'s own decoding and by webhook
/// events that carry a message at their top level beside keys of their own.
#[derive(Default)]
pub(crate) struct MessageFields {
    id: Option<u64>,
    content: Option<String>,
    inbox_id: Option<u64>,
    conversation_id: Option<u64>,
    message_type: Option<MessageType>,
    content_type: Option<ContentType>,
    status: Option<MessageStatus>,
    content_attributes: Option<Map<String, Value>>,
    created_at: Option<Timestamp>,
    private: Option<bool>,
    source_id: Option<String>,
    echo_id: Option<String>,
    sender: Option<Sender>,
    attachments: Option<Vec<Attachment>>,
    extra: Map<String, Value>,
}

impl MessageFields {
    /// Reads the value of `key` when it is a message field; `false` leaves the value unread
    /// for the caller.
    pub(crate) fn read<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        match key {
            "id" => self.id = Some(map.next_value()?),
            "content" => self.content = map.next_value()?,
            "inbox_id" => self.inbox_id = map.next_value()?,
            "conversation_id" => self.conversation_id = map.next_value()?,
            "message_type" => self.message_type = map.next_value()?,
            "content_type" => self.content_type = map.next_value()?,
            "status" => self.status = map.next_value()?,
            "content_attributes" => self.content_attributes = map.next_value()?,
            "created_at" => self.created_at = map.next_value()?,
            "private" => self.private = map.next_value()?,
            "source_id" => self.source_id = map.next_value()?,
            "echo_id" => self.echo_id = map.next_value()?,
            "sender" => self.sender = map.next_value()?,
            "attachments" => self.attachments = map.next_value()?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Keeps `value` under `key` in `extra`.
    pub(crate) fn keep<'de, A: MapAccess<'de>>(&mut self, key: Cow<'de, str>, map: &mut A) -> Result<(), A::Error> {
        self.extra.insert(key.into_owned(), map.next_value()?);
        Ok(())
    }

    /// The message; `id` is required.
    pub(crate) fn finish<E: de::Error>(self) -> Result<Message, E> {
        Ok(Message {
            id: self.id.ok_or_else(|| E::missing_field("id"))?,
            content: self.content,
            inbox_id: self.inbox_id,
            conversation_id: self.conversation_id,
            message_type: self.message_type,
            content_type: self.content_type,
            status: self.status,
            content_attributes: self.content_attributes,
            created_at: self.created_at,
            private: self.private,
            source_id: self.source_id,
            echo_id: self.echo_id,
            sender: self.sender,
            attachments: self.attachments,
            extra: Extra(self.extra),
        })
    }
}

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MessageVisitor;
        impl<'de> Visitor<'de> for MessageVisitor {
            type Value = Message;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a message object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Message, A::Error> {
                let mut fields = MessageFields::default();
                while let Some(Key(key)) = map.next_key()? {
                    if !fields.read(&key, &mut map)? {
                        fields.keep(key, &mut map)?;
                    }
                }
                fields.finish()
            }
        }
        deserializer.deserialize_map(MessageVisitor)
    }
}

impl Message {
    /// Whether this is a private note.
    pub fn is_private(&self) -> bool {
        self.private == Some(true)
    }
}

/// Who wrote a message. Contacts carry `type: "contact"` in REST answers but no `type` in
/// webhooks; agents are `user`, bots `agent_bot`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Sender {
    /// Id of the contact, user or bot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Kind of sender.
    #[serde(rename = "type")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<SenderType>,
    /// Email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Thumbnail URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<String>,
    /// Everything else the server sent.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An attachment as the server describes it. `data_url` redirects (301) to the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Attachment {
    /// Attachment id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<u64>,
    /// Kind of file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_type: Option<FileType>,
    /// Account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<u64>,
    /// File extension.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
    /// URL of the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_url: Option<String>,
    /// URL of a thumbnail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumb_url: Option<String>,
    /// Size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_size: Option<u64>,
    /// Everything else (width, height, coordinates, ...).
    #[serde(flatten)]
    pub extra: Extra,
}

/// A file to attach; sent as one `attachments[]` part of a multipart body.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Upload {
    /// File name shown to the agent.
    pub file_name: String,
    /// MIME type (`application/octet-stream` when `None`).
    pub mime_type: Option<String>,
    /// The bytes.
    pub bytes: Bytes,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("file_name", &self.file_name)
            .field("mime_type", &self.mime_type)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl Upload {
    /// A file from memory.
    pub fn new(file_name: impl Into<String>, mime_type: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        Self {
            file_name: file_name.into(),
            mime_type: Some(mime_type.into()),
            bytes: bytes.into(),
        }
    }
}

/// `POST /conversations/{id}/messages`. With attachments it goes as multipart form data.
///
/// ```
/// use deskwire_chatlake::wire::{NewMessage, MessageType};
/// let m = NewMessage::incoming("Where is my parcel?").echo_id("local-17");
/// assert_eq!(m.message_type, Some(MessageType::Incoming));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NewMessage {
    /// Text, at most [`MAX_CONTENT_CHARS`] characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// `outgoing` when absent. `incoming` (from the contact) works only on API inboxes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_type: Option<MessageType>,
    /// A private note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private: Option<bool>,
    /// How to show the content; `text` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<ContentType>,
    /// Items of interactive content; checked against the server's rules before sending.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_attributes: Option<Map<String, Value>>,
    /// Echoed back in the answer and websocket events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub echo_id: Option<String>,
    /// Your external id of the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// WhatsApp template parameters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_params: Option<Value>,
    /// Files, at most [`MAX_ATTACHMENTS`]; sent as multipart `attachments[]`.
    #[serde(skip)]
    pub attachments: Vec<Upload>,
}

impl NewMessage {
    /// A message from the contact (API inboxes only): what an integration relays.
    pub fn incoming(content: impl Into<String>) -> Self {
        Self {
            content: Some(content.into()),
            message_type: Some(MessageType::Incoming),
            ..Self::default()
        }
    }

    /// A message from the token's owner (an agent or bot) to the contact.
    pub fn outgoing(content: impl Into<String>) -> Self {
        Self {
            content: Some(content.into()),
            message_type: Some(MessageType::Outgoing),
            ..Self::default()
        }
    }

    /// Makes it a private note.
    pub fn private(mut self) -> Self {
        self.private = Some(true);
        self
    }

    /// Sets interactive content: its `content_type` and `content_attributes`.
    pub fn interactive(mut self, content: &Interactive) -> Self {
        self.content_type = Some(content.content_type());
        self.content_attributes = Some(content.to_attributes());
        self
    }

    /// Sets `echo_id`.
    pub fn echo_id(mut self, echo_id: impl Into<String>) -> Self {
        self.echo_id = Some(echo_id.into());
        self
    }

    /// Sets `source_id`.
    pub fn source_id(mut self, source_id: impl Into<String>) -> Self {
        self.source_id = Some(source_id.into());
        self
    }

    /// Adds a file.
    pub fn attach(mut self, upload: Upload) -> Self {
        self.attachments.push(upload);
        self
    }
}

/// Which messages of a conversation to list. Pages are by message id, oldest first in the
/// answer: no bound = the latest 20; `before` = the 20 before it; `after` = up to 100 with
/// `id > after`; both = up to 1000 with `after <= id < before` (the server's own rules).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MessageQuery {
    /// Only messages with a smaller id.
    pub before: Option<u64>,
    /// Only messages with a larger id (inclusive when `before` is set too).
    pub after: Option<u64>,
}

/// Metadata of a messages list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MessageListMeta {
    /// The conversation's labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
    /// The contact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<Sender>,
    /// The assignee (absent when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<Sender>,
    /// When the agent last saw the conversation (ISO or null).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_last_seen_at: Option<Timestamp>,
    /// When the assignee last saw it (ISO or null).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee_last_seen_at: Option<Timestamp>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `GET /conversations/{id}/messages`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MessagePage {
    /// Metadata.
    pub meta: MessageListMeta,
    /// Messages, oldest first.
    pub payload: Vec<Message>,
}

/// `PATCH /conversations/{cid}/messages/{id}` (API inboxes only): report delivery of a message
/// your channel carried. The server ignores `read` -> `delivered`; `external_error` is kept only
/// with `failed` (so it is refused with any other status here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StatusUpdate {
    /// New status.
    pub status: MessageStatus,
    /// Why delivery failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_error: Option<String>,
}

impl StatusUpdate {
    /// Delivered, read or sent.
    pub fn new(status: MessageStatus) -> Self {
        Self {
            status,
            external_error: None,
        }
    }

    /// Failed, with the reason shown to agents.
    pub fn failed(reason: impl Into<String>) -> Self {
        Self {
            status: MessageStatus::Failed,
            external_error: Some(reason.into()),
        }
    }
}
