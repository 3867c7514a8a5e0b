//! Request bodies and queries, field for field as Directly's own client sends them. Builders
//! take the required fields as arguments and the rest through setters; `extra` carries fields
//! this crate does not name (e.g. the undocumented classification field when asking).

use deskwire_core::json::Extra;
use serde::Serialize;
use serde_json::{Map, Value};

use super::{ExternalId, Timestamp, Uuid};
use crate::UserEmail;

/// `POST /questions`: a new question asked on behalf of `user_email`.
///
/// ```
/// use deskwire_directly::wire::{ExternalId, NewQuestion};
/// use deskwire_directly::UserEmail;
/// let user = UserEmail::new("ana@example.com").unwrap();
/// let q = NewQuestion::new(&user, "Ana", "How do I reset my router?")
///     .subject("Router")
///     .external_id(ExternalId::new("ticket-17", "helpdesk"));
/// assert_eq!(serde_json::to_value(&q).unwrap()["userEmail"], "ana@example.com");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[must_use]
#[non_exhaustive]
pub struct NewQuestion {
    /// The user asking; created or identified by email and name.
    pub user_email: UserEmail,
    /// The user's name.
    pub user_name: String,
    /// The question.
    pub text: String,
    /// Subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Free-form metadata (top-level keys are shown to experts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
    /// Category.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question_category: Option<String>,
    /// Your ids for the question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_ids: Option<Vec<ExternalId>>,
    /// Fields this crate does not name, sent as given.
    #[serde(flatten)]
    pub extra: Extra,
}

impl NewQuestion {
    /// A question: who asks (email and name) and the text.
    pub fn new(user_email: &UserEmail, user_name: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            user_email: user_email.clone(),
            user_name: user_name.into(),
            text: text.into(),
            subject: None,
            metadata: None,
            question_category: None,
            external_ids: None,
            extra: Extra::new(),
        }
    }

    /// Sets the subject.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Sets the metadata.
    pub fn metadata(mut self, metadata: Map<String, Value>) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// Sets the category.
    pub fn category(mut self, category: impl Into<String>) -> Self {
        self.question_category = Some(category.into());
        self
    }

    /// Adds one of your ids.
    pub fn external_id(mut self, id: ExternalId) -> Self {
        self.external_ids.get_or_insert_with(Vec::new).push(id);
        self
    }

    /// Adds a field this crate does not name (the classification field of an automated
    /// response is one: its name is not documented).
    pub fn field(mut self, name: impl Into<String>, value: Value) -> Self {
        self.extra.insert(name.into(), value);
        self
    }
}

/// Where a new message goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageTarget {
    /// On a response (Directly's client posts to the latest one).
    Response(Uuid),
    /// On the question itself, before any response exists: the text is appended to the
    /// question, and the answer may carry no message.
    Question(Uuid),
}

/// `POST /messages`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[must_use]
#[non_exhaustive]
pub struct NewMessage {
    /// On whose behalf.
    pub user_email: UserEmail,
    /// Text.
    pub text: String,
    /// On a response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_uuid: Option<Uuid>,
    /// On the question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question_uuid: Option<Uuid>,
    /// Your ids for the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_ids: Option<Vec<ExternalId>>,
}

impl NewMessage {
    /// A message from `user_email` on `target`.
    pub fn new(user_email: &UserEmail, target: MessageTarget, text: impl Into<String>) -> Self {
        let (response_uuid, question_uuid) = match target {
            MessageTarget::Response(uuid) => (Some(uuid), None),
            MessageTarget::Question(uuid) => (None, Some(uuid)),
        };
        Self {
            user_email: user_email.clone(),
            text: text.into(),
            response_uuid,
            question_uuid,
            external_ids: None,
        }
    }

    /// Adds one of your ids.
    pub fn external_id(mut self, id: ExternalId) -> Self {
        self.external_ids.get_or_insert_with(Vec::new).push(id);
        self
    }
}

/// `PUT /questions/{uuid}`: new text and metadata.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[must_use]
#[non_exhaustive]
pub struct QuestionUpdate {
    /// On whose behalf.
    pub user_email: UserEmail,
    /// New text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// New metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
}

impl QuestionUpdate {
    /// An update on behalf of `user_email`; set what changes.
    pub fn new(user_email: &UserEmail) -> Self {
        Self {
            user_email: user_email.clone(),
            text: None,
            metadata: None,
        }
    }

    /// Sets the text.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// Sets the metadata.
    pub fn metadata(mut self, metadata: Map<String, Value>) -> Self {
        self.metadata = Some(metadata);
        self
    }
}

/// `GET /questions` and `GET /messages`: find by your external id, by user, or both. Nested
/// filters are sent as dotted keys (`externalId.id`, `externalId.system`), as Directly's client
/// sends them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
#[non_exhaustive]
pub struct Search {
    /// Your id and its system.
    pub external_id: Option<(String, String)>,
    /// Questions of this user.
    pub user_email: Option<UserEmail>,
    /// Include each question's conversation.
    pub include_conversation: Option<bool>,
    /// Page size.
    pub limit: Option<u32>,
    /// Page start.
    pub offset: Option<u32>,
    /// Only what changed after this time.
    pub last_checked: Option<Timestamp>,
}

impl Search {
    /// No filter.
    pub fn new() -> Self {
        Self::default()
    }

    /// By your external id in `system`.
    pub fn external_id(mut self, id: impl Into<String>, system: impl Into<String>) -> Self {
        self.external_id = Some((id.into(), system.into()));
        self
    }

    /// By user.
    pub fn user(mut self, user: &UserEmail) -> Self {
        self.user_email = Some(user.clone());
        self
    }

    /// Include conversations.
    pub fn include_conversation(mut self, include: bool) -> Self {
        self.include_conversation = Some(include);
        self
    }

    /// Page size and start.
    pub fn page(mut self, limit: u32, offset: u32) -> Self {
        self.limit = Some(limit);
        self.offset = Some(offset);
        self
    }

    /// Only what changed after `at`.
    pub fn changed_after(mut self, at: Timestamp) -> Self {
        self.last_checked = Some(at);
        self
    }

    /// The query pairs, in a fixed order.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        if let Some((id, system)) = &self.external_id {
            pairs.push(("externalId.id".to_owned(), id.clone()));
            pairs.push(("externalId.system".to_owned(), system.clone()));
        }
        if let Some(user) = &self.user_email {
            pairs.push(("userEmail".to_owned(), user.as_str().to_owned()));
        }
        if let Some(include) = self.include_conversation {
            pairs.push(("includeConversation".to_owned(), include.to_string()));
        }
        if let Some(limit) = self.limit {
            pairs.push(("limit".to_owned(), limit.to_string()));
        }
        if let Some(offset) = self.offset {
            pairs.push(("offset".to_owned(), offset.to_string()));
        }
        if let Some(at) = &self.last_checked {
            pairs.push(("lastChecked".to_owned(), at.as_str().to_owned()));
        }
        pairs
    }
}

/// `POST /responses/{uuid}/rate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[must_use]
#[non_exhaustive]
pub struct Rating {
    /// One of the question's `ratingSystem.values`.
    pub rating: String,
    /// The question's first company ([`Question::company_tag`](super::Question::company_tag)).
    pub company_tag: String,
    /// Your id for the rating.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

impl Rating {
    /// A rating for the company `company_tag`.
    pub fn new(rating: impl Into<String>, company_tag: impl Into<String>) -> Self {
        Self {
            rating: rating.into(),
            company_tag: company_tag.into(),
            external_id: None,
        }
    }

    /// Sets your id.
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }
}

/// `POST /messages/{uuid}/markAsResolved`: the user's answer to a `MARK_AS_RESOLVED_MESSAGE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[must_use]
#[non_exhaustive]
pub struct ResolveVerdict {
    /// `true` approves, `false` contests.
    pub confirm: bool,
    /// The question's first company.
    pub company_tag: String,
    /// Your id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

impl ResolveVerdict {
    /// Approve the prompt.
    pub fn approve(company_tag: impl Into<String>) -> Self {
        Self {
            confirm: true,
            company_tag: company_tag.into(),
            external_id: None,
        }
    }

    /// Contest the prompt.
    pub fn contest(company_tag: impl Into<String>) -> Self {
        Self {
            confirm: false,
            ..Self::approve(company_tag)
        }
    }

    /// Sets your id.
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }
}

/// `POST /automaticAnswers` (and, inferred, `POST /predictiveRouting`): a text to classify.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[must_use]
#[non_exhaustive]
pub struct TextQuery {
    /// The question text.
    pub text: String,
    /// ISO 639-1 language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
    /// A class predicted earlier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicted_class: Option<String>,
    /// Category.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question_category: Option<String>,
}

impl TextQuery {
    /// A text.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            language: None,
            metadata: None,
            predicted_class: None,
            question_category: None,
        }
    }

    /// Sets the language.
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }

    /// Sets the metadata.
    pub fn metadata(mut self, metadata: Map<String, Value>) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// Sets the predicted class.
    pub fn predicted_class(mut self, class: impl Into<String>) -> Self {
        self.predicted_class = Some(class.into());
        self
    }

    /// Sets the category.
    pub fn category(mut self, category: impl Into<String>) -> Self {
        self.question_category = Some(category.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_query_keys() {
        let user = UserEmail::new("ana@example.com").unwrap();
        let pairs = Search::new()
            .external_id("t-1", "helpdesk")
            .user(&user)
            .include_conversation(true)
            .page(10, 20)
            .changed_after(Timestamp::from_unix(0))
            .pairs();
        let text: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            text,
            [
                "externalId.id=t-1",
                "externalId.system=helpdesk",
                "userEmail=ana@example.com",
                "includeConversation=true",
                "limit=10",
                "offset=20",
                "lastChecked=1970-01-01T00:00:00Z"
            ]
        );
    }

    #[test]
    fn message_target_picks_one_field() {
        let user = UserEmail::new("ana@example.com").unwrap();
        let on_question = NewMessage::new(
            &user,
            MessageTarget::Question(Uuid::parse("123e4567-e89b-12d3-a456-426655440000").unwrap()),
            "hi",
        );
        assert_eq!(
            serde_json::to_string(&on_question).unwrap(),
            r#"{"userEmail":"ana@example.com","text":"hi","questionUuid":"123e4567-e89b-12d3-a456-426655440000"}"#
        );
    }
}
