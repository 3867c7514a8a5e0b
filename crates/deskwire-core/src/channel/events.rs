//! What comes *back* from a desk: [`DeskEvent`]s, and the two ways they arrive — a webhook
//! request you hand to [`Channel::receive`](super::Channel::receive) ([`InboundRequest`] in,
//! [`Received`] out) or a [`Channel::poll`](super::Channel::poll) ([`Polled`], with a
//! resumable [`Cursor`]).

use super::model::{Attachment, ConversationRef, DeskMessageRef};
use super::{ChannelError, Incoming};
pub use crate::inbound::{InboundRequest, InboundResponse};
pub use crate::store::CursorEntry;

/// Who wrote a desk message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Role {
    /// A human agent.
    Agent,
    /// An expert (Directly's community).
    Expert,
    /// A bot or automation answering for the desk.
    Bot,
}

/// A message from the desk to the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeskMessage {
    /// What [`Channel::mark_read`](super::Channel::mark_read) takes; its conversation is the
    /// conversation the message is in.
    pub id: DeskMessageRef,
    /// Who wrote it.
    pub role: Role,
    /// Their display name, when the desk gives one.
    pub author: Option<String>,
    /// The text (may be empty when the message is only attachments).
    pub text: String,
    /// Attached files, as links.
    pub attachments: Vec<Attachment>,
    /// What identifies this message at the desk when `id` does not (Directly's message uuid:
    /// `id` is the response, which holds several messages); `None` means `id`.
    pub key: Option<String>,
}

impl DeskMessage {
    /// A text message from `role`.
    pub fn new(id: DeskMessageRef, role: Role, text: impl Into<String>) -> Self {
        Self {
            id,
            role,
            author: None,
            text: text.into(),
            attachments: Vec::new(),
            key: None,
        }
    }

    /// Sets the author's name.
    pub fn author(mut self, name: impl Into<String>) -> Self {
        self.author = Some(name.into());
        self
    }

    /// Sets what identifies the message at the desk when the reference's id does not.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// What identifies the message at the desk: its `key`, else its reference's id.
    pub fn identity(&self) -> &str {
        self.key.as_deref().unwrap_or(&self.id.id)
    }

    /// Adds an attachment.
    pub fn attach(mut self, attachment: Attachment) -> Self {
        self.attachments.push(attachment);
        self
    }

    /// The conversation.
    pub fn conversation(&self) -> &ConversationRef {
        &self.id.conversation
    }
}

/// Something the desk did.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum DeskEvent {
    /// An agent or expert wrote to the customer.
    Message(DeskMessage),
    /// An agent started or stopped typing.
    AgentTyping {
        /// The conversation.
        conversation: ConversationRef,
        /// Started (`true`) or stopped.
        on: bool,
    },
    /// The desk read a message of the conversation (the provider's id, when it names one).
    Read {
        /// The conversation.
        conversation: ConversationRef,
        /// The message read.
        message: Option<String>,
    },
    /// The desk received a message of the conversation.
    Delivered {
        /// The conversation.
        conversation: ConversationRef,
        /// The message delivered.
        message: Option<String>,
    },
    /// The desk marked the conversation resolved (it may reopen on the next customer message).
    Resolved {
        /// The conversation.
        conversation: ConversationRef,
    },
    /// The conversation ended; writing into it again fails or starts anew.
    Closed {
        /// The conversation.
        conversation: ConversationRef,
    },
    /// The conversation moved elsewhere (another team, from experts to agents).
    Rerouted {
        /// The conversation.
        conversation: ConversationRef,
        /// Why, as the provider says it.
        reason: Option<String>,
    },
    /// A provider event with no neutral meaning, kept whole so nothing is lost.
    Other {
        /// The conversation, when known.
        conversation: Option<ConversationRef>,
        /// The provider's name for it.
        kind: String,
        /// The event as the provider sent it (or as the channel read it).
        raw: serde_json::Value,
    },
}

impl DeskEvent {
    /// The conversation it is about.
    pub fn conversation(&self) -> Option<&ConversationRef> {
        match self {
            Self::Message(m) => Some(m.conversation()),
            Self::AgentTyping { conversation, .. }
            | Self::Read { conversation, .. }
            | Self::Delivered { conversation, .. }
            | Self::Resolved { conversation }
            | Self::Closed { conversation }
            | Self::Rerouted { conversation, .. } => Some(conversation),
            Self::Other { conversation, .. } => conversation.as_ref(),
        }
    }

    /// Its kind, or `None` for [`DeskEvent::Other`].
    pub fn kind(&self) -> Option<super::EventKind> {
        use super::EventKind as K;
        Some(match self {
            Self::Message(_) => K::Message,
            Self::AgentTyping { .. } => K::AgentTyping,
            Self::Read { .. } => K::Read,
            Self::Delivered { .. } => K::Delivered,
            Self::Resolved { .. } => K::Resolved,
            Self::Closed { .. } => K::Closed,
            Self::Rerouted { .. } => K::Rerouted,
            Self::Other { .. } => return None,
        })
    }
}

/// A webhook request handled: the events it carried and the answer to give.
///
/// Commit each event once you took it durably, then give the desk the answer (or release it
/// and answer an error where the desk redelivers): see [`Incoming`].
#[derive(Debug)]
#[non_exhaustive]
pub struct Received {
    /// The events, in order (none for deliveries that mean nothing to a customer front end,
    /// such as Engage Digital's `implementation.info`).
    pub events: Vec<Incoming>,
    /// The answer for the desk.
    pub response: InboundResponse,
}

impl Received {
    /// Events with nothing to acknowledge, and the answer.
    pub fn new(events: Vec<DeskEvent>, response: InboundResponse) -> Self {
        Self::acknowledged(events.into_iter().map(Incoming::new).collect(), response)
    }

    /// Events with their acknowledgements, and the answer.
    pub fn acknowledged(events: Vec<Incoming>, response: InboundResponse) -> Self {
        Self { events, response }
    }

    /// The events, without their acknowledgements.
    pub fn events(&self) -> impl Iterator<Item = &DeskEvent> {
        self.events.iter().map(|incoming| &incoming.event)
    }
}

/// When the desk is answered for a delivery: what [`Channel::accept`](super::Channel::accept)
/// decides before the events are handled.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Acceptance {
    /// After the events are handled (the default): an error answer is how a desk that
    /// redelivers (Engage Digital, Rake Direct) is asked to deliver again.
    AfterHandling,
    /// Now, with this answer: the delivery is authentic, and its events are not lost if they
    /// are then not handled, because the channel lists what was not committed again (Chatlake's
    /// backfill; Chatwoot never redelivers and marks a late answer as a failure). Handle the
    /// delivery with [`Channel::receive`](super::Channel::receive) after answering, in a task
    /// that outlives the request.
    Now(InboundResponse),
}

/// Where a poller stopped, to store after handling a batch and hand back to
/// [`Channel::restore`](super::Channel::restore) after a restart: opaque text, or independent
/// entries (one per followed question, say) that replicas merge instead of overwriting.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cursor {
    text: String,
    entries: Vec<CursorEntry>,
}

impl Cursor {
    /// No position to store.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Whether there is nothing to store.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty() && self.entries.is_empty()
    }

    /// Wraps stored text.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            entries: Vec::new(),
        }
    }

    /// A cursor of independent entries.
    pub fn from_entries(entries: impl IntoIterator<Item = CursorEntry>) -> Self {
        Self {
            text: String::new(),
            entries: entries.into_iter().collect(),
        }
    }

    /// This cursor with `entries` added.
    pub fn with_entries(mut self, entries: impl IntoIterator<Item = CursorEntry>) -> Self {
        self.entries.extend(entries);
        self
    }

    /// The text to store (empty for a cursor of entries only).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The entries to merge into the stored ones.
    pub fn entries(&self) -> &[CursorEntry] {
        &self.entries
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)?;
        for entry in &self.entries {
            write!(f, " {}@{}", entry.field, entry.version)?;
        }
        Ok(())
    }
}

/// One round of polling.
#[derive(Debug)]
#[non_exhaustive]
pub struct Polled {
    /// The events, in order, each to commit once handled (see [`Incoming`]).
    pub events: Vec<Incoming>,
    /// Conversations that could not be polled this round; their position did not move, so the
    /// next round asks again and nothing is lost.
    pub failures: Vec<(ConversationRef, ChannelError)>,
    /// Where to resume; store it once the events are handled (an empty cursor means the
    /// channel keeps its position elsewhere: there is nothing to store).
    /// [`Deduplicated`](super::Deduplicated) stores it once every event of the round, and of
    /// the rounds before, is committed.
    pub cursor: Cursor,
}

impl Polled {
    /// A round's result, with nothing to acknowledge.
    pub fn new(events: Vec<DeskEvent>, failures: Vec<(ConversationRef, ChannelError)>, cursor: Cursor) -> Self {
        Self::acknowledged(events.into_iter().map(Incoming::new).collect(), failures, cursor)
    }

    /// A round's result, events with their acknowledgements.
    pub fn acknowledged(events: Vec<Incoming>, failures: Vec<(ConversationRef, ChannelError)>, cursor: Cursor) -> Self {
        Self {
            events,
            failures,
            cursor,
        }
    }

    /// The events, without their acknowledgements.
    pub fn events(&self) -> impl Iterator<Item = &DeskEvent> {
        self.events.iter().map(|incoming| &incoming.event)
    }
}
