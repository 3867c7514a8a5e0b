//! The provider-neutral model of what goes *to* a desk: who the customer is, what they write,
//! and the references that name a conversation and a desk message across restarts.

use std::fmt;
use std::str::FromStr;

use bytes::Bytes;

use super::capability::{Capabilities, Operation};
use crate::{ValidationError, ValidationProblem};

/// The customer a conversation is about, as your front end knows them.
///
/// Only `id` is required here; a provider that needs more (Directly needs an email and a
/// name) refuses with [`ChannelError::Invalid`](super::ChannelError::Invalid) before sending.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Customer {
    /// Your id of the customer (stable across conversations).
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Phone number (E.164 where the provider checks it).
    pub phone: Option<String>,
}

impl Customer {
    /// A customer known by your `id`.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: None,
            email: None,
            phone: None,
        }
    }

    /// Sets the display name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the email address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Sets the phone number.
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(phone.into());
        self
    }

    /// Refuses a customer without an id before anything is sent.
    pub fn check(&self) -> Result<(), ValidationError> {
        if self.id.trim().is_empty() {
            return Err(ValidationError::new("customer.id", ValidationProblem::Empty));
        }
        Ok(())
    }

    /// The name, else the id: what a desk shows when it needs *some* name.
    pub fn display_name(&self) -> &str {
        self.name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or(&self.id)
    }
}

/// A file attached to a message: a link the desk fetches, or the bytes themselves.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Attachment {
    /// A public URL.
    Url {
        /// The address.
        url: String,
        /// File name, when known.
        filename: Option<String>,
    },
    /// The file's bytes, uploaded with the message.
    Bytes {
        /// File name.
        filename: String,
        /// MIME type, e.g. `image/png`.
        content_type: String,
        /// The content.
        data: Bytes,
    },
}

impl Attachment {
    /// A link to a file.
    pub fn url(url: impl Into<String>) -> Self {
        Self::Url {
            url: url.into(),
            filename: None,
        }
    }

    /// A file uploaded with the message.
    pub fn bytes(filename: impl Into<String>, content_type: impl Into<String>, data: impl Into<Bytes>) -> Self {
        Self::Bytes {
            filename: filename.into(),
            content_type: content_type.into(),
            data: data.into(),
        }
    }
}

impl Attachment {
    /// The capability sending this attachment needs.
    pub fn operation(&self) -> Operation {
        match self {
            Self::Url { .. } => Operation::AttachmentUrls,
            Self::Bytes { .. } => Operation::AttachmentUploads,
        }
    }
}

impl fmt::Debug for Attachment {
    // The bytes can be large and private; show their size only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Url { url, filename } => f
                .debug_struct("Url")
                .field("url", url)
                .field("filename", filename)
                .finish(),
            Self::Bytes {
                filename,
                content_type,
                data,
            } => f
                .debug_struct("Bytes")
                .field("filename", filename)
                .field("content_type", content_type)
                .field("len", &data.len())
                .finish(),
        }
    }
}

/// What the customer writes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CustomerMessage {
    /// The text.
    pub text: String,
    /// Attached files. A provider that cannot carry a kind of attachment refuses the message
    /// with [`ChannelError::Unsupported`](super::ChannelError::Unsupported); nothing is dropped.
    pub attachments: Vec<Attachment>,
    /// Your id of the message, sent where the provider keeps one (so it can de-duplicate or
    /// echo it); generated where the provider needs one and you gave none.
    pub external_id: Option<String>,
}

impl CustomerMessage {
    /// A text message.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            attachments: Vec::new(),
            external_id: None,
        }
    }

    /// Adds an attachment.
    pub fn attach(mut self, attachment: Attachment) -> Self {
        self.attachments.push(attachment);
        self
    }

    /// Sets your id of the message.
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }

    /// Refuses an empty message (no text, no attachment) before anything is sent.
    pub fn check(&self) -> Result<(), ValidationError> {
        if self.text.trim().is_empty() && self.attachments.is_empty() {
            return Err(ValidationError::new("text", ValidationProblem::Empty));
        }
        Ok(())
    }

    /// What a channel checks before sending: the message is not empty
    /// ([`ChannelError::Invalid`](super::ChannelError::Invalid)) and each attachment is of a
    /// kind `capabilities` supports ([`ChannelError::Unsupported`](super::ChannelError::Unsupported)
    /// naming it) — never silently dropped.
    pub fn check_for(&self, provider: &'static str, capabilities: Capabilities) -> Result<(), super::ChannelError> {
        self.check().map_err(|e| super::ChannelError::invalid(provider, e))?;
        for attachment in &self.attachments {
            let needs = attachment.operation();
            if !capabilities.supports(needs) {
                return Err(super::ChannelError::unsupported(provider, needs));
            }
        }
        Ok(())
    }
}

/// Customer typing, shown to the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Typing {
    /// The customer started typing; some desks show a preview of the text.
    On {
        /// What is typed so far (Engage Digital requires a preview; the channel sends its
        /// configured placeholder when this is `None`).
        preview: Option<String>,
    },
    /// The customer stopped typing.
    Off,
}

impl Typing {
    /// Typing started, no preview.
    pub fn on() -> Self {
        Self::On { preview: None }
    }

    /// Typing started, with what is typed so far.
    pub fn preview(text: impl Into<String>) -> Self {
        Self::On {
            preview: Some(text.into()),
        }
    }

    /// Typing stopped.
    pub fn off() -> Self {
        Self::Off
    }
}

/// Names a conversation on one provider, and carries what that provider needs to keep writing
/// into it (Engage Digital: the customer as its author; Chatlake: the contact's session;
/// Directly: the asker's email).
///
/// Store it as a string and restore it with [`str::parse`]:
/// `<provider>:<id>` followed by `?<context>` in `application/x-www-form-urlencoded` form when
/// there is context, e.g. `chatlake:42?source=7f2c`.
///
/// Two references **to the same conversation compare equal** even when only one carries
/// context (events decoded from a webhook often carry only the id): equality and hashing use
/// `provider` and `id`.
#[derive(Debug, Clone)]
pub struct ConversationRef {
    provider: String,
    id: String,
    context: Vec<(String, String)>,
}

impl ConversationRef {
    /// A reference to conversation `id` on `provider` (a provider key such as `chatlake`).
    pub fn new(provider: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            provider: provider.into(),
            id: id.into(),
            context: Vec::new(),
        }
    }

    /// Adds (or replaces) a context value.
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let key = key.into();
        let value = value.into();
        match self.context.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.context.push((key, value)),
        }
        self
    }

    /// The provider key.
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// The provider's id of the conversation.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// A context value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.context.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// A context value the provider needs, or a typed error naming it.
    pub fn require(&self, key: &str) -> Result<&str, ValidationError> {
        self.get(key)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ValidationError::new(format!("conversation.{key}"), ValidationProblem::Missing))
    }

    /// Fails unless the reference belongs to `provider`.
    pub fn expect_provider(&self, provider: &str) -> Result<(), ValidationError> {
        if self.provider == provider {
            Ok(())
        } else {
            Err(ValidationError::new(
                "conversation",
                ValidationProblem::Invalid(format!(
                    "a `{}` conversation given to the `{provider}` channel",
                    self.provider
                )),
            ))
        }
    }

    /// The context pairs, in order.
    pub fn context(&self) -> impl Iterator<Item = (&str, &str)> {
        self.context.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl PartialEq for ConversationRef {
    fn eq(&self, other: &Self) -> bool {
        self.provider == other.provider && self.id == other.id
    }
}

impl Eq for ConversationRef {}

impl std::hash::Hash for ConversationRef {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.provider.hash(state);
        self.id.hash(state);
    }
}

impl fmt::Display for ConversationRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.provider)?;
        f.write_str(":")?;
        f.write_str(&encode(&self.id))?;
        if !self.context.is_empty() {
            let query = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&self.context)
                .finish();
            write!(f, "?{query}")?;
        }
        Ok(())
    }
}

/// Why a stored reference cannot be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a conversation reference ({reason}): expected `<provider>:<id>[?<context>]`")]
pub struct ParseRefError {
    reason: &'static str,
}

impl FromStr for ConversationRef {
    type Err = ParseRefError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (provider, rest) = text.split_once(':').ok_or(ParseRefError { reason: "no `:`" })?;
        if provider.is_empty() || !provider.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
            return Err(ParseRefError {
                reason: "the provider key is not lowercase letters and dashes",
            });
        }
        let (id, query) = match rest.split_once('?') {
            Some((id, query)) => (id, Some(query)),
            None => (rest, None),
        };
        let id = decode(id);
        if id.is_empty() {
            return Err(ParseRefError { reason: "empty id" });
        }
        let context = query
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        Ok(Self {
            provider: provider.to_owned(),
            id,
            context,
        })
    }
}

// The id is percent-encoded like a form value so that `?` and `%` inside it survive.
fn encode(id: &str) -> String {
    form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

fn decode(id: &str) -> String {
    form_urlencoded::parse(format!("x={id}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Names one desk message: what [`Channel::mark_read`](super::Channel::mark_read) takes.
/// Every [`DeskMessage`](super::DeskMessage) carries one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeskMessageRef {
    /// The conversation.
    pub conversation: ConversationRef,
    /// The provider's id of what is marked read (Directly: the response the message is on).
    pub id: String,
}

impl DeskMessageRef {
    /// The message `id` in `conversation`.
    pub fn new(conversation: ConversationRef, id: impl Into<String>) -> Self {
        Self {
            conversation,
            id: id.into(),
        }
    }
}

/// A conversation the desk accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Started {
    /// The conversation; store `conversation.to_string()` to write into it later.
    pub conversation: ConversationRef,
    /// The first message.
    pub first_message: Sent,
    /// Where a desk that is polled conversation by conversation (Directly) must watch it from:
    /// [`Deduplicated`](super::Deduplicated) records it in its store before
    /// `start_conversation` returns, so a replica that dies right after still watches the
    /// conversation once restarted.
    pub watch: Option<super::CursorEntry>,
}

impl Started {
    /// A started conversation.
    pub fn new(conversation: ConversationRef, first_message: Sent) -> Self {
        Self {
            conversation,
            first_message,
            watch: None,
        }
    }

    /// With the cursor entry it is watched from.
    pub fn watching(mut self, entry: super::CursorEntry) -> Self {
        self.watch = Some(entry);
        self
    }
}

/// A customer message the desk accepted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Sent {
    /// The provider's id of the message, when it gives one.
    pub id: Option<String>,
}

impl Sent {
    /// Accepted with the provider's id `id`.
    pub fn with_id(id: impl Into<String>) -> Self {
        Self { id: Some(id.into()) }
    }

    /// Accepted; the provider gives no id.
    pub fn without_id() -> Self {
        Self { id: None }
    }
}

/// A fresh random id (UUID v4, hyphenated) for providers that need the caller to name things.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A stable id for something the desk sent without one: `<prefix>-` and the first 12 bytes of
/// the SHA-256 of `content`, in hex, so a repeated delivery of the same content gets the same id.
pub fn digest_id(prefix: &str, content: &[u8]) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(content);
    format!("{prefix}-{}", const_hex::encode(&digest[..12]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_round_trips_through_its_string() {
        let r = ConversationRef::new("engage-digital", "a?b%c d")
            .with("user", "42")
            .with("name", "Zoë & co");
        let text = r.to_string();
        assert_eq!(text, "engage-digital:a%3Fb%25c+d?user=42&name=Zo%C3%AB+%26+co");
        let back: ConversationRef = text.parse().unwrap();
        assert_eq!(back.id(), "a?b%c d");
        assert_eq!(back.get("name"), Some("Zoë & co"));
        assert_eq!(back.to_string(), text);
    }

    #[test]
    fn equality_ignores_context() {
        let full = ConversationRef::new("chatlake", "7").with("source", "x");
        assert_eq!(full, ConversationRef::new("chatlake", "7"));
        assert_ne!(full, ConversationRef::new("rake-direct", "7"));
    }

    #[test]
    fn bad_strings_are_typed_errors() {
        for bad in ["", "chatlake", ":7", "Chat:7", "chatlake:", "chatlake:?a=b"] {
            assert!(bad.parse::<ConversationRef>().is_err(), "{bad}");
        }
    }

    #[test]
    fn check_for_names_the_unsupported_attachment_kind() {
        let caps = Capabilities::none().with(Operation::AttachmentUrls);
        let upload = CustomerMessage::text("x").attach(Attachment::bytes("a.png", "image/png", &b"png"[..]));
        assert!(matches!(
            upload.check_for("p", caps),
            Err(super::super::ChannelError::Unsupported {
                provider: "p",
                operation: Operation::AttachmentUploads
            })
        ));
        let link = CustomerMessage::text("x").attach(Attachment::url("https://example.com/a.png"));
        assert!(link.check_for("p", caps).is_ok());
        assert!(matches!(
            CustomerMessage::text(" ").check_for("p", caps),
            Err(super::super::ChannelError::Invalid { .. })
        ));
    }

    #[test]
    fn digest_ids_are_stable_and_distinct() {
        assert_eq!(digest_id("x", b"a"), digest_id("x", b"a"));
        assert_ne!(digest_id("x", b"a"), digest_id("x", b"b"));
        assert_eq!(digest_id("agent", b"a").len(), "agent-".len() + 24);
    }

    #[test]
    fn require_names_the_missing_key() {
        let r = ConversationRef::new("directly", "q");
        assert_eq!(
            r.require("email").unwrap_err().to_string(),
            "invalid `conversation.email`: required but missing; nothing was sent"
        );
    }
}
