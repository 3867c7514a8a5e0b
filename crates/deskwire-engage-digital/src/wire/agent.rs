//! Contents as Engage Digital sends them **to your endpoint**: agent replies and compositions
//! (`<object>.create`) and queue updates.
//!
//! These differ from what you send: the author comes as `author_id` (an Engage Digital identity
//! you created earlier), attachments are URLs, and Engage Digital adds its own `content_id`,
//! `retry` and `sender_name`. Every field is optional because `null`, absent and empty mean the
//! same thing to Engage Digital; fields this version does not know are kept in `extra`.

use deskwire_core::json::Extra;
use serde::{Deserialize, Deserializer, Serialize};

use super::{AttachmentType, DateTime, Format, StructuredContent};

/// Accepts an id written as a string or a number (the docs say ids are strings; a number is
/// kept as its decimal text rather than refused).
pub(crate) fn lenient_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Text(String),
        Number(serde_json::Number),
    }
    Ok(Option::<Id>::deserialize(deserializer)?.map(|id| match id {
        Id::Text(text) => text,
        Id::Number(n) => n.to_string(),
    }))
}

/// An attachment of an agent content: a URL Engage Digital serves the file from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AgentAttachment {
    /// Where to download the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `audio`, `video`, `image`, ... as Engage Digital classifies it.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<AttachmentType>,
    /// Original file name (sent since 2022-12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The `params` of `messages.create`, `private_messages.create` and `threads.create` sent by
/// Engage Digital when an agent replies or composes.
///
/// Answer with your own id of the new content: later Send API calls such as
/// `status.mark_as_read` refer to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct AgentContent {
    /// Your id of the identity the agent writes as (a puppet or controlled identity).
    #[serde(default, deserialize_with = "lenient_id", skip_serializing_if = "Option::is_none")]
    pub author_id: Option<String>,
    /// Body, in `format`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// `text` or `html`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    /// Title (`null` in the docs' example; hidden with the `*.no_title` options).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Your id of the thread (messages, unless unthreaded).
    #[serde(default, deserialize_with = "lenient_id", skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    /// Your id of the content being answered.
    #[serde(default, deserialize_with = "lenient_id", skip_serializing_if = "Option::is_none")]
    pub in_reply_to_id: Option<String>,
    /// Your id of the recipient (private messages).
    #[serde(default, deserialize_with = "lenient_id", skip_serializing_if = "Option::is_none")]
    pub recipient_id: Option<String>,
    /// Engage Digital's own id of the content (sent since 2024-02).
    #[serde(default, deserialize_with = "lenient_id", skip_serializing_if = "Option::is_none")]
    pub content_id: Option<String>,
    /// `false` on the first attempt, `true` when Engage Digital tries again (sent since 2024-02);
    /// see [`AgentContent::is_retry`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<bool>,
    /// Display name of the agent, e.g. "Jane from RingCentral".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_name: Option<String>,
    /// Attachments the agent added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<AgentAttachment>>,
    /// Buttons, quick replies or cards (attachments arrive as `attachment_url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structured_content: Option<StructuredContent>,
    /// When the agent wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime>,
    /// Last change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime>,
    /// Fields this version does not model, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

impl AgentContent {
    /// Whether Engage Digital already tried to deliver this content (`retry: true`). A retried
    /// create may already have been stored by an earlier attempt whose answer was lost:
    /// de-duplicate by [`AgentContent::content_id`].
    pub fn is_retry(&self) -> bool {
        self.retry.unwrap_or(false)
    }

    /// The attachments, empty when there are none.
    pub fn attachments(&self) -> &[AgentAttachment] {
        self.attachments.as_deref().unwrap_or_default()
    }
}

/// `messaging.queuing_update`: the customer's place in the queue (Task mode, option
/// `messaging.queuing_update`). Any 2xx answer acknowledges it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct QueuingUpdate {
    /// Estimated wait, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_wait_time: Option<i64>,
    /// Position in the queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
    /// Your id of the thread.
    #[serde(default, deserialize_with = "lenient_id", skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    /// Your id of the content waiting for an answer.
    #[serde(default, deserialize_with = "lenient_id", skip_serializing_if = "Option::is_none")]
    pub in_reply_to_id: Option<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn docs_agent_reply_decodes_with_null_title() {
        let params = json!({"author_id":"1234","body":"Yes I can.","created_at":"2021-05-13T01:23:25Z",
            "format":"text","in_reply_to_id":"132","sender_name":"Craig Chan","thread_id":"23456","title":null,
            "updated_at":"2021-05-13T01:21:25Z"});
        let content: AgentContent = serde_json::from_value(params).unwrap();
        assert_eq!(content.author_id.as_deref(), Some("1234"));
        assert_eq!(content.title, None);
        assert_eq!(content.format, Some(Format::Text));
        assert!(!content.is_retry());
        assert!(content.extra.is_empty());
    }

    #[test]
    fn numeric_ids_and_unknown_fields_are_kept() {
        let content: AgentContent =
            serde_json::from_value(json!({"author_id": 7, "retry": true, "new_field": [1]})).unwrap();
        assert_eq!(content.author_id.as_deref(), Some("7"));
        assert!(content.is_retry());
        assert_eq!(content.extra.get("new_field"), Some(&json!([1])));
    }
}
