//! [`Question`] — the conversation data model: the question, its [`Conversation`] (the user's
//! text and messages, and the experts' [`Response`]s with their messages) and its
//! [`QuestionState`]. Only `uuid`s of questions and responses are required; everything the
//! guide's reduced example omits is optional.

use deskwire_core::json::Extra;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{
    ExternalId, Message, MessageType, QuestionStatus, QuestionType, QuickReply, RerouteType, ResponseType, Timestamp,
    User, Uuid,
};

/// A question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Question {
    /// Id.
    pub uuid: Uuid,
    /// One-to-many or one-to-one.
    #[serde(rename = "type")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<QuestionType>,
    /// Creation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_created: Option<Timestamp>,
    /// Last change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<Timestamp>,
    /// When it expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<Timestamp>,
    /// Your ids for the question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_ids: Option<Vec<ExternalId>>,
    /// ISO 639-1 languages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub languages: Option<Vec<String>>,
    /// Category.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question_category: Option<String>,
    /// Companies; the first is the `companyTag` some calls need.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub companies: Option<Vec<String>>,
    /// Free-form metadata given when asking.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
    /// Text, messages and responses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation: Option<Conversation>,
    /// Status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<QuestionState>,
    /// How responses are rated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating_system: Option<RatingSystem>,
    /// Whether an expert claimed it (added 2020-02-14; its position is not documented, see
    /// [`Question::is_claimed`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_claimed: Option<bool>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The exchange on a question.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Conversation {
    /// Subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The question's text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Who asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<User>,
    /// Messages on the question itself (before any response, and system messages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<Message>>,
    /// The responses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responses: Option<Vec<Response>>,
    /// Messages the user has not seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unread_message_count: Option<u64>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An expert's (or the automated) response and the messages exchanged on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Response {
    /// Id. The guide's example prints `"abcd-7890"`, which is kept as is.
    pub uuid: Uuid,
    /// Expert or automated.
    #[serde(rename = "type")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<ResponseType>,
    /// Creation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_created: Option<Timestamp>,
    /// Last change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<Timestamp>,
    /// The expert.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<User>,
    /// Messages on the response, in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<Message>>,
    /// Whether the user accepted it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_accepted: Option<bool>,
    /// The user's rating (one of the question's `ratingSystem.values`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating: Option<String>,
    /// Whether the user has seen it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_viewed_by_user: Option<bool>,
    /// The user's verdict on an automated response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quick_reply: Option<QuickReply>,
    /// The expert credited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributed_expert: Option<User>,
    /// Who receives recognition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recognition_recipient: Option<User>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A question's status.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct QuestionState {
    /// Status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<QuestionStatus>,
    /// Number of responses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_responses: Option<u64>,
    /// Whether it has an answer (in the guide's example; not in Directly's client).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_answered: Option<bool>,
    /// Whether it is closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_closed: Option<bool>,
    /// When it was closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_closed: Option<Timestamp>,
    /// Whether the user may still interact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_interaction_allowed: Option<bool>,
    /// Rerouting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reroute_status: Option<RerouteStatus>,
    /// Whether an expert claimed it, when the server puts it here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_claimed: Option<bool>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Whether, when and why a question was rerouted.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RerouteStatus {
    /// Whether it was rerouted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_rerouted: Option<bool>,
    /// When.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_rerouted: Option<Timestamp>,
    /// Why.
    #[serde(rename = "type")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<RerouteType>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

/// How responses are rated.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RatingSystem {
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Order (its type is not documented; kept as sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<Value>,
    /// The ratings a user may give, for [`DirectlyClient::rate_response`](crate::DirectlyClient::rate_response).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Question {
    /// The responses, in the order sent.
    pub fn responses(&self) -> &[Response] {
        self.conversation
            .as_ref()
            .and_then(|c| c.responses.as_deref())
            .unwrap_or_default()
    }

    /// Messages on the question itself.
    pub fn question_messages(&self) -> &[Message] {
        self.conversation
            .as_ref()
            .and_then(|c| c.messages.as_deref())
            .unwrap_or_default()
    }

    /// The status, when sent.
    pub fn status(&self) -> Option<&QuestionStatus> {
        self.state.as_ref().and_then(|s| s.status.as_ref())
    }

    /// Whether the user may still send messages: Directly's own client sends only while the
    /// status is `UNRESOLVED`.
    pub fn is_open(&self) -> bool {
        self.status() == Some(&QuestionStatus::Unresolved)
    }

    /// Whether the question is closed (`state.isClosed`).
    pub fn is_closed(&self) -> bool {
        self.state.as_ref().and_then(|s| s.is_closed) == Some(true)
    }

    /// Whether it was rerouted, and why.
    pub fn reroute(&self) -> Option<&RerouteStatus> {
        self.state
            .as_ref()
            .and_then(|s| s.reroute_status.as_ref())
            .filter(|r| r.is_rerouted == Some(true))
    }

    /// `isClaimed`, read at the top level or inside `state` (the changelog does not say where).
    pub fn is_claimed(&self) -> Option<bool> {
        self.is_claimed
            .or_else(|| self.state.as_ref().and_then(|s| s.is_claimed))
    }

    /// The `companyTag` that rating and mark-as-resolved calls take: the first company.
    pub fn company_tag(&self) -> Option<&str> {
        self.companies.as_ref().and_then(|c| c.first()).map(String::as_str)
    }

    /// The latest response — the one new messages go to. Latest by creation time when every
    /// response has one, else the last sent.
    pub fn latest_response(&self) -> Option<&Response> {
        let responses = self.responses();
        if responses
            .iter()
            .all(|r| r.date_created.as_ref().and_then(Timestamp::datetime).is_some())
        {
            // `max_by` keeps the last of equal elements, matching "last sent" on ties.
            responses
                .iter()
                .max_by(|a, b| cmp_opt_time(&a.date_created, &b.date_created))
        } else {
            responses.last()
        }
    }

    /// The mark-as-resolved prompt still waiting for the user, as Directly's client finds it:
    /// the latest `MARK_AS_RESOLVED_MESSAGE` on the latest response, unless a
    /// `CONTESTED_MARK_AS_RESOLVED_MESSAGE` with a higher id follows it.
    pub fn outstanding_resolve_prompt(&self) -> Option<&Message> {
        let messages = self.latest_response()?.messages.as_deref()?;
        let prompt = messages
            .iter()
            .filter(|m| m.kind.as_ref() == Some(&MessageType::MarkAsResolved))
            .max_by_key(|m| m.id)?;
        let contested = messages
            .iter()
            .any(|m| m.kind.as_ref() == Some(&MessageType::ContestedMarkAsResolved) && m.id > prompt.id);
        (!contested).then_some(prompt)
    }

    /// The latest `lastUpdated` (or `dateCreated`) anywhere in the question: the server-side
    /// time a poller sends as the next `lastChecked`.
    pub fn latest_update(&self) -> Option<&Timestamp> {
        let mut times: Vec<&Timestamp> = Vec::new();
        times.extend(self.last_updated.iter().chain(self.date_created.iter()));
        let mut messages: Vec<&Message> = self.question_messages().iter().collect();
        for response in self.responses() {
            times.extend(response.last_updated.iter().chain(response.date_created.iter()));
            messages.extend(response.messages.iter().flatten());
        }
        for m in messages {
            times.extend(m.last_updated.iter().chain(m.date_created.iter()));
        }
        times
            .into_iter()
            .filter(|t| t.datetime().is_some())
            .max_by(|a, b| a.cmp_time(b))
    }
}

fn cmp_opt_time(a: &Option<Timestamp>, b: &Option<Timestamp>) -> std::cmp::Ordering {
    a.as_ref()
        .and_then(Timestamp::datetime)
        .cmp(&b.as_ref().and_then(Timestamp::datetime))
}

impl Response {
    /// Messages, in the order sent.
    pub fn messages(&self) -> &[Message] {
        self.messages.as_deref().unwrap_or_default()
    }

    /// Whether the user accepted it.
    pub fn accepted(&self) -> bool {
        self.is_accepted == Some(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(id: u64, kind: &str) -> Value {
        json!({"id": id, "uuid": format!("00000000-0000-0000-0000-{id:012}"), "type": kind})
    }

    #[test]
    fn outstanding_resolve_prompt_follows_the_clients_rule() {
        let question = |messages: Vec<Value>| -> Question {
            serde_json::from_value(json!({
                "uuid": "123e4567-e89b-12d3-a456-426655440000",
                "conversation": {"responses": [
                    {"uuid": "r1", "dateCreated": "2020-01-01T00:00:00Z", "messages": []},
                    {"uuid": "r2", "dateCreated": "2020-01-02T00:00:00Z", "messages": messages}
                ]}
            }))
            .unwrap()
        };
        let q = question(vec![message(1, "MESSAGE"), message(2, "MARK_AS_RESOLVED_MESSAGE")]);
        assert_eq!(q.latest_response().unwrap().uuid.as_str(), "r2");
        assert_eq!(q.outstanding_resolve_prompt().unwrap().id, Some(2));
        let q = question(vec![
            message(2, "MARK_AS_RESOLVED_MESSAGE"),
            message(3, "CONTESTED_MARK_AS_RESOLVED_MESSAGE"),
        ]);
        assert!(q.outstanding_resolve_prompt().is_none());
        let q = question(vec![
            message(2, "MARK_AS_RESOLVED_MESSAGE"),
            message(3, "CONTESTED_MARK_AS_RESOLVED_MESSAGE"),
            message(4, "MARK_AS_RESOLVED_MESSAGE"),
        ]);
        assert_eq!(q.outstanding_resolve_prompt().unwrap().id, Some(4));
    }

    #[test]
    fn latest_update_reads_the_whole_tree() {
        let q: Question = serde_json::from_value(json!({
            "uuid": "q",
            "lastUpdated": "2020-01-01T00:00:00Z",
            "conversation": {
                "messages": [{"lastUpdated": "2020-01-03T00:00:00Z"}],
                "responses": [{"uuid": "r", "lastUpdated": "2020-01-02T00:00:00Z",
                               "messages": [{"dateCreated": "2020-01-04T00:00:00.5Z"}, {"lastUpdated": "garbage"}]}]
            }
        }))
        .unwrap();
        assert_eq!(q.latest_update().unwrap().as_str(), "2020-01-04T00:00:00.5Z");
        assert!(!q.is_open() && !q.is_closed() && q.reroute().is_none());
    }
}
