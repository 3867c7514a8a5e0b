//! Messages, private messages and threads as you send them, with their attachments.
//!
//! `Message` and `PrivateMessage` share every field but one (`thread_id` vs `recipient`); the
//! shared fields live once in [`Content`] and are flattened on the wire.

use serde::{Deserialize, Serialize};

use super::{ContextData, DateTime, SelfMut as _, StructuredContent, User};

deskwire_core::open_enum! {
    /// Body format of a content. Engage Digital assumes `html` when none is given.
    pub enum Format {
        /// `"html"` (sanitized by Engage Digital).
        Html = "html",
        /// `"text"`.
        Text = "text",
    }
    /// A format the docs do not list.
    Unknown
}

deskwire_core::open_enum! {
    /// An operation name: the standard ones plus custom actions (buttons in the agent UI).
    pub enum Operation {
        /// `create`.
        Create = "create",
        /// `show`.
        Show = "show",
        /// `list`.
        List = "list",
        /// `delete` (some doc pages say `destroy`).
        Delete = "delete",
        /// `publish`.
        Publish = "publish",
        /// `unpublish`.
        Unpublish = "unpublish",
        /// `reply`: a UI flag allowing agents to answer this content.
        Reply = "reply",
    }
    /// A custom action such as `spam`.
    Custom
}

deskwire_core::open_enum! {
    /// Disambiguates attachments whose extension fits several kinds (`.mp4`).
    pub enum AttachmentType {
        /// `"audio"`.
        Audio = "audio",
        /// `"video"`.
        Video = "video",
    }
    /// Another type, kept as sent.
    Unknown
}

/// An attachment: a public URL, or inline base64 content with a file name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Attachment {
    /// Public URL Engage Digital downloads the file from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The file, base64-encoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// File name; required with `content`, its extension decides the kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// `audio` or `video`, for ambiguous extensions.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<AttachmentType>,
}

impl Attachment {
    /// An attachment Engage Digital fetches from `url`.
    pub fn from_url(url: impl Into<String>) -> Self {
        Self {
            url: Some(url.into()),
            content: None,
            filename: None,
            kind: None,
        }
    }

    /// An attachment sent inline; `bytes` are base64-encoded here (feature
    /// `inline-attachments`, on with `client`).
    #[cfg(feature = "inline-attachments")]
    pub fn inline(bytes: &[u8], filename: impl Into<String>) -> Self {
        use base64::Engine as _;
        Self {
            url: None,
            content: Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
            filename: Some(filename.into()),
            kind: None,
        }
    }

    /// Sets the disambiguating `type`.
    pub fn kind(mut self, kind: AttachmentType) -> Self {
        self.kind = Some(kind);
        self
    }
}

/// A customer's answer to structured content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StructuredReply {
    /// The payload of the chosen item.
    pub payload: String,
}

/// The fields a [`Message`] and a [`PrivateMessage`] share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Content {
    /// Your id of the content (required; Engage Digital de-duplicates by it).
    pub id: String,
    /// Author, embedded (required).
    pub author: User,
    /// Body, at most 20,000 characters; required unless there are attachments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Attachments; required unless there is a body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<Attachment>>,
    /// Per-instance operations allowed on this content, e.g. `["show", "reply"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<Operation>>,
    /// External categories (case-sensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    /// Data attached to the thread; keys match `[a-zA-Z-]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_data: Option<ContextData>,
    /// Creation date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime>,
    /// Last update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime>,
    /// Public URL of the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_url: Option<String>,
    /// `html` (default) or `text`; must be allowed by the channel's options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    /// Id of the content this one answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to_id: Option<String>,
    /// Author's IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Language code, e.g. `en`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Buttons, quick replies, cards; the author must be a puppetizable, controlled identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structured_content: Option<StructuredContent>,
    /// The customer's answer to structured content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structured_reply: Option<StructuredReply>,
    /// Title. Not in the docs' field table but used by the `*.no_title` options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl Content {
    /// Content with its required fields; everything else unset.
    pub fn new(id: impl Into<String>, author: User) -> Self {
        Self {
            id: id.into(),
            author,
            body: None,
            attachments: None,
            actions: None,
            categories: None,
            context_data: None,
            created_at: None,
            updated_at: None,
            display_url: None,
            format: None,
            in_reply_to_id: None,
            ip: None,
            language: None,
            structured_content: None,
            structured_reply: None,
            title: None,
        }
    }
}

/// A public message (`messages.create`).
///
/// ```
/// use deskwire_engage_digital::wire::{Format, Message, User};
/// let author = User::new("666", "John Doe", "07/11/2019");
/// let message = Message::new("890", "42", author).body("Awesome post !").format(Format::Text);
/// assert_eq!(message.thread_id.as_deref(), Some("42"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Message {
    /// Fields shared with private messages.
    #[serde(flatten)]
    pub content: Content,
    /// Thread of the message; required unless the channel declares `messages.unthreaded`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
}

impl Message {
    /// A message in a thread.
    pub fn new(id: impl Into<String>, thread_id: impl Into<String>, author: User) -> Self {
        Self {
            content: Content::new(id, author),
            thread_id: Some(thread_id.into()),
        }
    }

    /// A message without thread, for channels that declare `messages.unthreaded`.
    pub fn unthreaded(id: impl Into<String>, author: User) -> Self {
        Self {
            content: Content::new(id, author),
            thread_id: None,
        }
    }
}

/// A private message (`private_messages.create`), organised by `in_reply_to_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PrivateMessage {
    /// Fields shared with public messages.
    #[serde(flatten)]
    pub content: Content,
    /// Who receives it (required).
    pub recipient: User,
}

impl PrivateMessage {
    /// A private message from `author` to `recipient`.
    pub fn new(id: impl Into<String>, author: User, recipient: User) -> Self {
        Self {
            content: Content::new(id, author),
            recipient,
        }
    }
}

/// A thread (`threads.create`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Thread {
    /// Your id of the thread (required).
    pub id: String,
    /// Author; required unless the channel declares `threads.no_content`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<User>,
    /// Body, at most 20,000 characters; required unless `threads.no_content`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Per-instance operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<Operation>>,
    /// External categories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    /// Creation date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime>,
    /// Data attached to the thread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_data: Option<ContextData>,
    /// Public URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_url: Option<String>,
    /// `html` or `text`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    /// Author's IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Last update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime>,
}

impl Thread {
    /// A thread with an author; add its body with [`Thread::body`].
    pub fn new(id: impl Into<String>, author: User) -> Self {
        Self {
            author: Some(author),
            ..Self::structure_only(id)
        }
    }

    /// A thread that only gives structure (`threads.no_content`): Engage Digital reads `id`
    /// and `title`.
    pub fn structure_only(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            author: None,
            body: None,
            actions: None,
            categories: None,
            created_at: None,
            context_data: None,
            display_url: None,
            format: None,
            ip: None,
            title: None,
            updated_at: None,
        }
    }
}

/// Appenders for the list and map fields every content kind (thread included) has.
macro_rules! list_setters {
    ($ty:ty, via $get:ident) => {
        impl $ty {
            /// Adds a per-instance operation.
            pub fn action(mut self, operation: impl Into<Operation>) -> Self {
                self.$get()
                    .actions
                    .get_or_insert_with(Vec::new)
                    .push(operation.into());
                self
            }

            /// Adds a category.
            pub fn category(mut self, category: impl Into<String>) -> Self {
                self.$get()
                    .categories
                    .get_or_insert_with(Vec::new)
                    .push(category.into());
                self
            }

            /// Sets one `context_data` entry.
            pub fn context(mut self, key: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
                self.$get()
                    .context_data
                    .get_or_insert_with(Default::default)
                    .insert(key.into(), value.into());
                self
            }
        }
    };
}

/// Setters for the shared content fields, on any type whose `content_mut()` gives a `Content`.
macro_rules! content_setters {
    ($ty:ty) => {
        option_setters!($ty, via content_mut {
            body: String, created_at: DateTime, updated_at: DateTime, display_url: String,
            format: Format, in_reply_to_id: String, ip: String, language: String,
            structured_content: StructuredContent, title: String,
        });
        list_setters!($ty, via content_mut);

        impl $ty {
            /// Adds an attachment.
            pub fn attachment(mut self, attachment: Attachment) -> Self {
                self.content_mut().attachments.get_or_insert_with(Vec::new).push(attachment);
                self
            }

            /// Sets `structured_reply`.
            pub fn structured_reply(mut self, payload: impl Into<String>) -> Self {
                self.content_mut().structured_reply = Some(StructuredReply { payload: payload.into() });
                self
            }
        }
    };
}

impl Content {
    fn content_mut(&mut self) -> &mut Content {
        self
    }
}

impl Message {
    fn content_mut(&mut self) -> &mut Content {
        &mut self.content
    }
}

impl PrivateMessage {
    fn content_mut(&mut self) -> &mut Content {
        &mut self.content
    }
}

content_setters!(Content);
content_setters!(Message);
content_setters!(PrivateMessage);

option_setters!(Thread {
    body: String,
    created_at: DateTime,
    updated_at: DateTime,
    display_url: String,
    format: Format,
    ip: String,
    title: String,
});
list_setters!(Thread, via self_mut);
