//! Params of the Send API actions that are not contents: `status.mark_as_read` and typing.

use serde::{Deserialize, Serialize};

/// `status.mark_as_read`: marks an agent content as read (visible with `view.messaging`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MarkAsRead {
    /// Your id of the message or private message (the id you answered its `create` with).
    pub id: String,
}

impl MarkAsRead {
    /// Marks content `id` as read.
    pub fn new(id: impl Into<String>) -> Self {
        Self { id: id.into() }
    }
}

/// Where the customer is typing: a thread, a content being answered, or both (`thread_id`
/// wins when both are given). At least one is required.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TypingTarget {
    /// Thread the customer types in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    /// Content the customer answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to_id: Option<String>,
}

impl TypingTarget {
    /// Typing in a thread.
    pub fn thread(thread_id: impl Into<String>) -> Self {
        Self {
            thread_id: Some(thread_id.into()),
            in_reply_to_id: None,
        }
    }

    /// Typing an answer to a content (private messages, unthreaded channels).
    pub fn reply_to(in_reply_to_id: impl Into<String>) -> Self {
        Self {
            thread_id: None,
            in_reply_to_id: Some(in_reply_to_id.into()),
        }
    }

    /// Also names the content being answered.
    pub fn in_reply_to_id(mut self, id: impl Into<String>) -> Self {
        self.in_reply_to_id = Some(id.into());
        self
    }

    /// The key the one-per-2-seconds rule applies to: the thread, else the replied content.
    pub fn rate_limit_key(&self) -> Option<String> {
        match (&self.thread_id, &self.in_reply_to_id) {
            (Some(thread), _) => Some(format!("thread:{thread}")),
            (None, Some(reply)) => Some(format!("in_reply_to:{reply}")),
            (None, None) => None,
        }
    }
}

/// `typing.start`: shows the agent that the customer is typing, with a preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TypingStart {
    /// Thread and/or replied content.
    #[serde(flatten)]
    pub target: TypingTarget,
    /// What the customer has typed so far (required).
    pub preview: String,
}

impl TypingStart {
    /// Typing starts at `target` with `preview`.
    pub fn new(target: TypingTarget, preview: impl Into<String>) -> Self {
        Self {
            target,
            preview: preview.into(),
        }
    }
}

/// `typing.stop`: the customer stopped typing. Resets the 2-second `typing.start` limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TypingStop {
    /// Thread and/or replied content.
    #[serde(flatten)]
    pub target: TypingTarget,
}

impl TypingStop {
    /// Typing stops at `target`.
    pub fn new(target: TypingTarget) -> Self {
        Self { target }
    }
}
