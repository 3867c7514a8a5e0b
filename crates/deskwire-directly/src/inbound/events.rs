//! [`QuestionEvent`]: what changed on a question between two snapshots.

use crate::wire::{Message, MessageType, QuestionStatus, RerouteType, Response, Uuid};

/// Who wrote a message, as the watcher reads it.
///
/// Rules, in order: a system message type ([`MessageType::is_system`]) is `System`; an author
/// flagged `isOriginalPoster` is `User`; an author flagged `isExpert`, a `CHATBOT`, or an
/// automated-response type is `Expert`. The guide's examples carry no type and no flags at all,
/// so for such a message an author named exactly `System` is `System`; otherwise a message on a
/// response is `Expert` and one on the question itself is `User`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Author {
    /// The person who asked.
    User,
    /// An expert, or a bot answering for the company.
    Expert,
    /// Directly itself.
    System,
}

impl Author {
    /// Classifies `message`, found on a response when `on_response`.
    pub fn of(message: &Message, on_response: bool) -> Self {
        let author = message.author.as_ref();
        let unflagged = message.kind.is_none()
            && author.is_some_and(|a| a.is_original_poster.is_none() && a.is_expert.is_none() && a.kind.is_none());
        if message.is_system() || (unflagged && author.and_then(|a| a.name.as_deref()) == Some("System")) {
            Self::System
        } else if author.is_some_and(|a| a.is_poster()) {
            Self::User
        } else if author.is_some_and(|a| a.answers_for_the_company())
            || matches!(
                message.kind,
                Some(MessageType::Autoresponse | MessageType::AcceptedAutoresponse | MessageType::RejectedAutoresponse)
            )
            || on_response
        {
            Self::Expert
        } else {
            Self::User
        }
    }
}

/// A change on a watched question. Each is reported once.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum QuestionEvent {
    /// A new response. Its messages follow as [`QuestionEvent::MessageAdded`] (the response
    /// here carries none, so nothing is reported twice).
    ResponseAdded {
        /// The question.
        question: Uuid,
        /// The response, without its messages.
        response: Box<Response>,
    },
    /// A new message on the question or on a response.
    MessageAdded {
        /// The question.
        question: Uuid,
        /// The response it is on; `None` on the question itself.
        response: Option<Uuid>,
        /// Who wrote it.
        author: Author,
        /// The message.
        message: Box<Message>,
        /// What the watcher knows the message by ([`message_key`](super::message_key)): its
        /// uuid, else its id, else where it is, its type, time, text and rank among identical
        /// ones — distinct for two distinct messages of one question.
        key: String,
    },
    /// A system message reported earlier is gone (Directly removes them when no longer relevant:
    /// the notifying-experts message once an expert engages, a prompt once answered).
    SystemMessageRemoved {
        /// The question.
        question: Uuid,
        /// The response it was on.
        response: Option<Uuid>,
        /// Its key ([`message_key`](crate::inbound::message_key)).
        key: String,
        /// Its type.
        kind: Option<MessageType>,
    },
    /// The user accepted a response.
    ResponseAccepted {
        /// The question.
        question: Uuid,
        /// The response.
        response: Uuid,
    },
    /// The question's `state.status` changed (or was seen for the first time: `from` is `None`).
    StatusChanged {
        /// The question.
        question: Uuid,
        /// The status reported before.
        from: Option<QuestionStatus>,
        /// The status now.
        to: QuestionStatus,
    },
    /// The question was rerouted (usually to agents).
    Rerouted {
        /// The question.
        question: Uuid,
        /// Why, when given.
        reason: Option<RerouteType>,
    },
    /// The question was closed (`state.isClosed`).
    Closed {
        /// The question.
        question: Uuid,
        /// Its status at that point.
        status: Option<QuestionStatus>,
    },
}

impl QuestionEvent {
    /// The question it is about.
    pub fn question(&self) -> &Uuid {
        match self {
            Self::ResponseAdded { question, .. }
            | Self::MessageAdded { question, .. }
            | Self::SystemMessageRemoved { question, .. }
            | Self::ResponseAccepted { question, .. }
            | Self::StatusChanged { question, .. }
            | Self::Rerouted { question, .. }
            | Self::Closed { question, .. } => question,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::User;

    fn message(kind: Option<&str>, author: User) -> Message {
        Message {
            kind: kind.map(MessageType::from),
            author: Some(author),
            ..Message::default()
        }
    }

    #[test]
    fn authors() {
        let poster = User {
            is_original_poster: Some(true),
            ..User::named("Ana")
        };
        let expert = User {
            is_expert: Some(true),
            ..User::named("Sam")
        };
        assert_eq!(
            Author::of(&message(Some("RATE_RESPONSE_SYSTEM_MESSAGE"), poster.clone()), true),
            Author::System
        );
        assert_eq!(Author::of(&message(Some("MESSAGE"), poster), true), Author::User);
        assert_eq!(Author::of(&message(Some("MESSAGE"), expert), false), Author::Expert);
        assert_eq!(
            Author::of(&message(Some("AUTORESPONSE_MESSAGE"), User::named("Bot")), false),
            Author::Expert
        );
        // The guide's shape: no type, no flags.
        assert_eq!(Author::of(&message(None, User::named("System")), false), Author::System);
        assert_eq!(
            Author::of(&message(None, User::named("Expert name")), true),
            Author::Expert
        );
        assert_eq!(
            Author::of(&message(None, User::named("Original user")), false),
            Author::User
        );
        // A typed ordinary message from someone called "System" is not a system message.
        assert_eq!(
            Author::of(&message(Some("MESSAGE"), User::named("System")), false),
            Author::User
        );
    }
}
