//! What a channel can do ([`Operation`]) and which desk events it can report ([`EventKind`]),
//! and the provider × capability table `cargo xtask docs` writes into README.

use std::fmt;

/// An operation of the [`Channel`](super::Channel) trait, or a part of one that not every
/// provider has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Operation {
    /// [`Channel::start_conversation`](super::Channel::start_conversation).
    StartConversation,
    /// [`Channel::send`](super::Channel::send).
    Send,
    /// Attachments given as URLs.
    AttachmentUrls,
    /// Attachments given as bytes (uploaded).
    AttachmentUploads,
    /// [`Channel::typing`](super::Channel::typing).
    Typing,
    /// [`Channel::mark_read`](super::Channel::mark_read).
    MarkRead,
    /// [`Channel::close`](super::Channel::close).
    Close,
    /// [`Channel::receive`](super::Channel::receive): the desk calls you.
    Receive,
    /// [`Channel::poll`](super::Channel::poll): you ask the desk.
    Poll,
    /// Fill gaps: [`Channel::poll`](super::Channel::poll) also fetches the desk messages no
    /// webhook brought, and webhook messages are passed in order per conversation.
    Backfill,
}

impl Operation {
    /// Every operation, in table order.
    pub const ALL: [Operation; 10] = [
        Self::StartConversation,
        Self::Send,
        Self::AttachmentUrls,
        Self::AttachmentUploads,
        Self::Typing,
        Self::MarkRead,
        Self::Close,
        Self::Receive,
        Self::Poll,
        Self::Backfill,
    ];

    /// The name used in errors, spans and the table.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::StartConversation => "start_conversation",
            Self::Send => "send",
            Self::AttachmentUrls => "attachment URLs",
            Self::AttachmentUploads => "attachment uploads",
            Self::Typing => "typing",
            Self::MarkRead => "mark_read",
            Self::Close => "close",
            Self::Receive => "receive",
            Self::Poll => "poll",
            Self::Backfill => "backfill",
        }
    }

    const fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A kind of [`DeskEvent`](super::DeskEvent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum EventKind {
    /// An agent's or expert's message.
    Message,
    /// An agent typing.
    AgentTyping,
    /// A message read on the desk side.
    Read,
    /// A message delivered on the desk side.
    Delivered,
    /// The conversation resolved.
    Resolved,
    /// The conversation closed.
    Closed,
    /// The conversation rerouted.
    Rerouted,
}

impl EventKind {
    /// Every kind, in table order.
    pub const ALL: [EventKind; 7] = [
        Self::Message,
        Self::AgentTyping,
        Self::Read,
        Self::Delivered,
        Self::Resolved,
        Self::Closed,
        Self::Rerouted,
    ];

    /// The name used in the table.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Message => "agent message",
            Self::AgentTyping => "agent typing",
            Self::Read => "read",
            Self::Delivered => "delivered",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
            Self::Rerouted => "rerouted",
        }
    }

    const fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a channel supports. Built in `const` context by each provider:
///
/// ```
/// use deskwire_core::channel::{Capabilities, EventKind, Operation};
/// const CAPS: Capabilities = Capabilities::none()
///     .with(Operation::StartConversation)
///     .with(Operation::Send)
///     .reports(EventKind::Message);
/// assert!(CAPS.supports(Operation::Send));
/// assert!(!CAPS.supports(Operation::Typing));
/// assert!(CAPS.can_report(EventKind::Message));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Capabilities {
    operations: u32,
    events: u32,
}

impl Capabilities {
    /// Nothing.
    pub const fn none() -> Self {
        Self {
            operations: 0,
            events: 0,
        }
    }

    /// Adds an operation.
    pub const fn with(mut self, operation: Operation) -> Self {
        self.operations |= operation.bit();
        self
    }

    /// Removes an operation (a channel built without the part it needs).
    pub const fn without(mut self, operation: Operation) -> Self {
        self.operations &= !operation.bit();
        self
    }

    /// Adds an event kind the channel can report.
    pub const fn reports(mut self, kind: EventKind) -> Self {
        self.events |= kind.bit();
        self
    }

    /// Whether `operation` is supported.
    pub const fn supports(&self, operation: Operation) -> bool {
        self.operations & operation.bit() != 0
    }

    /// Whether the channel can report events of `kind`.
    pub const fn can_report(&self, kind: EventKind) -> bool {
        self.events & kind.bit() != 0
    }

    /// The supported operations, in table order.
    pub fn operations(&self) -> impl Iterator<Item = Operation> + '_ {
        Operation::ALL.into_iter().filter(|o| self.supports(*o))
    }

    /// The reported event kinds, in table order.
    pub fn events(&self) -> impl Iterator<Item = EventKind> + '_ {
        EventKind::ALL.into_iter().filter(|k| self.can_report(*k))
    }
}

impl fmt::Debug for Capabilities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Capabilities")
            .field("operations", &self.operations().collect::<Vec<_>>())
            .field("events", &self.events().collect::<Vec<_>>())
            .finish()
    }
}

/// The capability table as Markdown: one row per `(provider, capabilities)`, one column per
/// operation, then one per event kind. `cargo xtask docs` writes it into README.
pub fn matrix_markdown<'a>(rows: impl IntoIterator<Item = (&'a str, Capabilities)>) -> String {
    let mut out = String::from("| provider |");
    for op in Operation::ALL {
        out.push_str(&format!(" `{op}` |"));
    }
    for kind in EventKind::ALL {
        out.push_str(&format!(" {kind} |"));
    }
    out.push_str("\n|-|");
    for _ in 0..Operation::ALL.len() + EventKind::ALL.len() {
        out.push_str(":-:|");
    }
    out.push('\n');
    for (provider, caps) in rows {
        out.push_str(&format!("| {provider} |"));
        let marks = Operation::ALL
            .iter()
            .map(|o| caps.supports(*o))
            .chain(EventKind::ALL.iter().map(|k| caps.can_report(*k)));
        for yes in marks {
            out.push_str(if yes { " ✓ |" } else { " — |" });
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_and_kind_has_its_own_bit() {
        for op in Operation::ALL {
            let caps = Capabilities::none().with(op);
            assert_eq!(caps.operations().collect::<Vec<_>>(), vec![op]);
            assert_eq!(caps.events().count(), 0);
        }
        for kind in EventKind::ALL {
            let caps = Capabilities::none().reports(kind);
            assert_eq!(caps.events().collect::<Vec<_>>(), vec![kind]);
            assert_eq!(caps.operations().count(), 0);
        }
    }

    #[test]
    fn matrix_marks_each_cell() {
        let table = matrix_markdown([(
            "x",
            Capabilities::none().with(Operation::Send).reports(EventKind::Closed),
        )]);
        let row = table.lines().nth(2).unwrap();
        let cells: Vec<&str> = row.split('|').map(str::trim).filter(|c| !c.is_empty()).collect();
        assert_eq!(
            cells,
            [
                "x", "—", "✓", "—", "—", "—", "—", "—", "—", "—", "—", "—", "—", "—", "—", "—", "✓", "—"
            ]
        );
    }
}
