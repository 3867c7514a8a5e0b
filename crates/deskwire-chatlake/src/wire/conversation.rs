//! Conversations: the object (REST and webhook push data), creating one (the real answer is the
//! whole conversation, the [API-channel guide](https://www.chatwoot.com/docs/product/channels/api/send-messages) prints `{ "id": 0 }` — both read as [`Conversation`]), listing
//! with filters, and the toggle calls.

use deskwire_core::json::{Extra, Json};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::contact::ContactInbox;
use super::enums::{ConversationStatus, Priority};
use super::message::{Message, Sender};
use super::time::Timestamp;

/// A conversation. `id` is the per-account `display_id` used in every URL. Only `id` is
/// certain; everything else is optional so the API-channel guide's `{ "id": 0 }` reads too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Conversation {
    /// The display id.
    pub id: u64,
    /// Account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<u64>,
    /// Inbox.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbox_id: Option<u64>,
    /// Global UUID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// Status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ConversationStatus>,
    /// Priority (`null` = none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// Sender, assignee, team, channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<ConversationMeta>,
    /// The last message, or none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<Message>>,
    /// Labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
    /// Free-form attributes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_attributes: Option<Map<String, Value>>,
    /// Custom attributes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Map<String, Value>>,
    /// Whether agents can still reply (API inboxes with a reply window).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_reply: Option<bool>,
    /// Muted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub muted: Option<bool>,
    /// Unread messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unread_count: Option<u64>,
    /// Snoozed until (ISO or null).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snoozed_until: Option<Timestamp>,
    /// Creation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// Last update (a float in REST answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// Last activity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_activity_at: Option<Timestamp>,
    /// Ordering timestamp.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Timestamp>,
    /// Waiting since (`0` = not waiting).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting_since: Option<Timestamp>,
    /// First agent reply (`0` = none in REST; a raw time in webhooks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_reply_created_at: Option<Timestamp>,
    /// The contact's session (webhook push data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_inbox: Option<ContactInbox>,
    /// What changed (`conversation_updated` webhooks): one-key objects
    /// `{attr: {previous_value, current_value}}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed_attributes: Option<Json>,
    /// Everything else the server sent.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Conversation {
    /// The id of the conversation's last chat message, as a listing shows it (`messages`, the
    /// last one's push data, and `last_non_activity_message`: konversio-org/konversio 88ffa329,
    /// `_conversation.json.jbuilder`); `None` when it shows none. Nothing newer than it exists,
    /// so a backfill position at or past it has nothing to read.
    pub fn last_message_id(&self) -> Option<u64> {
        let listed = self.messages.iter().flatten().map(|m| m.id).max();
        let last = self
            .extra
            .0
            .get("last_non_activity_message")
            .and_then(|m| m.get("id"))
            .and_then(Value::as_u64);
        listed.max(last)
    }

    /// The contact's session on the inbox (`source_id`), which the Client API needs. Webhook
    /// push data carries it as `contact_inbox`; a REST conversation does not
    /// (konversio-org/konversio 88ffa329eb6e18ae06b608d8b4bab96c0e1b8f44,
    /// `app/views/api/v1/conversations/partials/_conversation.json.jbuilder`), but its last
    /// message's push data does, under `conversation.contact_inbox.source_id`
    /// (`app/models/message.rb` L158-165), in `messages` and `last_non_activity_message`.
    pub fn session(&self) -> Option<&str> {
        fn of_message(message: &Value) -> Option<&str> {
            message.pointer("/conversation/contact_inbox/source_id")?.as_str()
        }
        if let Some(source) = self.contact_inbox.as_ref().and_then(|ci| ci.source_id.as_deref()) {
            return Some(source);
        }
        let listed = self
            .messages
            .iter()
            .flatten()
            .find_map(|m| m.extra.0.get("conversation"))
            .and_then(|c| c.pointer("/contact_inbox/source_id"))
            .and_then(Value::as_str);
        listed.or_else(|| self.extra.0.get("last_non_activity_message").and_then(of_message))
    }
}

/// `meta` of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConversationMeta {
    /// The contact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender: Option<Sender>,
    /// `Channel::Api`, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The assignee (agent or bot).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee: Option<Sender>,
    /// `User` or `AgentBot`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee_type: Option<String>,
    /// The team.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<Json>,
    /// Whether the contact's identity was verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hmac_verified: Option<bool>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The first message sent with a new conversation (sender: the token's owner).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InitialMessage {
    /// Text.
    pub content: String,
    /// WhatsApp template parameters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_params: Option<Value>,
}

impl InitialMessage {
    /// A first message with `content`.
    pub fn new(content: impl Into<String>) -> Self {
        Self {
            content: content.into(),
            template_params: None,
        }
    }

    /// Sets the WhatsApp `template_params`.
    pub fn template_params(mut self, params: Value) -> Self {
        self.template_params = Some(params);
        self
    }
}

/// `POST /conversations`. Give `source_id` (the contact's session), or `inbox_id` and
/// `contact_id` and let the server create the session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NewConversation {
    /// The contact's session on the inbox.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// Inbox (the API-channel guide prints it as a string; it is written as an integer).
    #[serde(default, deserialize_with = "super::ids::opt_u64")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inbox_id: Option<u64>,
    /// Contact.
    #[serde(default, deserialize_with = "super::ids::opt_u64")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<u64>,
    /// Free-form attributes, stored as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_attributes: Option<Map<String, Value>>,
    /// Custom attributes (strings ≤ 1500 characters, integers ≤ 9,999,999,999).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_attributes: Option<Map<String, Value>>,
    /// Initial status; `open` by default (`pending` with an active bot).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ConversationStatus>,
    /// Agent to assign.
    #[serde(default, deserialize_with = "super::ids::opt_u64")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee_id: Option<u64>,
    /// Team to assign.
    #[serde(default, deserialize_with = "super::ids::opt_u64")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_id: Option<u64>,
    /// Snooze until (with status `snoozed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snoozed_until: Option<Value>,
    /// A first message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<InitialMessage>,
}

impl NewConversation {
    /// A conversation on the session `source_id` of `inbox_id`.
    pub fn for_session(inbox_id: u64, source_id: impl Into<String>) -> Self {
        Self {
            source_id: Some(source_id.into()),
            inbox_id: Some(inbox_id),
            ..Self::default()
        }
    }
}

/// `POST /conversations/{id}/toggle_status`. Without a status it toggles (open <-> resolved,
/// pending or snoozed -> open).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToggleStatus {
    /// Status to set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ConversationStatus>,
    /// Unix seconds, with `snoozed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snoozed_until: Option<u64>,
}

/// The answer to a status toggle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StatusToggled {
    /// The save result; `null` on the bot hand-off path (a bot token moving pending -> open).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
    /// The conversation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<u64>,
    /// The status now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_status: Option<ConversationStatus>,
    /// Snoozed until (ISO or null).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snoozed_until: Option<Timestamp>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Whom to assign a conversation to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignment {
    /// An agent (`assignee_id`).
    Agent(u64),
    /// A team (`team_id`).
    Team(u64),
}

/// `status` filter of the conversation list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusFilter {
    /// One status (`open` is the server's default).
    Only(ConversationStatus),
    /// All statuses.
    All,
}

/// Filters of `GET /conversations` (25 per page). Values are sent as given; unknown filter
/// values go through `extra`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConversationQuery {
    /// Status (`open` when unset).
    pub status: Option<StatusFilter>,
    /// `me`, `unassigned`, `assigned`, `all`.
    pub assignee_type: Option<String>,
    /// Inbox.
    pub inbox_id: Option<u64>,
    /// Team.
    pub team_id: Option<u64>,
    /// Labels (all must match), sent as `labels[]`.
    pub labels: Vec<String>,
    /// Search in message content.
    pub q: Option<String>,
    /// A contact session.
    pub source_id: Option<String>,
    /// `mention`, `participating`, `unattended`.
    pub conversation_type: Option<String>,
    /// `last_activity_at_desc` (default), `created_at_asc`, ...
    pub sort_by: Option<String>,
    /// Updated within this many seconds.
    pub updated_within: Option<u64>,
    /// 1-based page.
    pub page: Option<u32>,
    /// Other query parameters.
    pub extra: Vec<(String, String)>,
}

impl ConversationQuery {
    /// The query pairs, in a fixed order.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                pairs.push((k.to_owned(), v));
            }
        };
        put(
            "status",
            self.status.as_ref().map(|s| match s {
                StatusFilter::Only(s) => s.as_str().to_owned(),
                StatusFilter::All => "all".to_owned(),
            }),
        );
        put("assignee_type", self.assignee_type.clone());
        put("inbox_id", self.inbox_id.map(|v| v.to_string()));
        put("team_id", self.team_id.map(|v| v.to_string()));
        put("q", self.q.clone());
        put("source_id", self.source_id.clone());
        put("conversation_type", self.conversation_type.clone());
        put("sort_by", self.sort_by.clone());
        put("updated_within", self.updated_within.map(|v| v.to_string()));
        put("page", self.page.map(|v| v.to_string()));
        pairs.extend(self.labels.iter().map(|l| ("labels[]".to_owned(), l.clone())));
        pairs.extend(self.extra.iter().cloned());
        pairs
    }
}

/// Counts of the conversation list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConversationCounts {
    /// Assigned to me.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mine_count: Option<u64>,
    /// Assigned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_count: Option<u64>,
    /// Unassigned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unassigned_count: Option<u64>,
    /// All.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_count: Option<u64>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Extra,
}

/// One page of `GET /conversations` (the answer's `data`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConversationPage {
    /// Counts.
    pub meta: ConversationCounts,
    /// Conversations.
    pub payload: Vec<Conversation>,
}

/// A conversation as a listing shows it, read for what polling needs: its id and its last chat
/// message (id, and the session its push data names). Everything else the server sent is
/// skipped while parsing, so a listing of thousands of conversations (Chatwoot answers
/// `updated_within` unpaged) costs a few words each instead of the whole
/// `_conversation.json.jbuilder` rendering (konversio-org/konversio 88ffa329).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ConversationHead {
    /// The conversation's display id.
    pub id: u64,
    #[serde(default)]
    messages: Vec<HeadMessage>,
    #[serde(default)]
    last_non_activity_message: Option<HeadMessage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct HeadMessage {
    id: u64,
    #[serde(default)]
    conversation: Option<HeadPush>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct HeadPush {
    #[serde(default)]
    contact_inbox: Option<HeadSession>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct HeadSession {
    #[serde(default)]
    source_id: Option<String>,
}

impl ConversationHead {
    /// The id of the last chat message the listing shows; nothing newer exists.
    pub fn last_message_id(&self) -> Option<u64> {
        let listed = self.messages.iter().map(|m| m.id).max();
        listed.max(self.last_non_activity_message.as_ref().map(|m| m.id))
    }

    /// The session (`source_id`) the last message's push data names.
    pub fn session(&self) -> Option<&str> {
        self.messages
            .iter()
            .chain(self.last_non_activity_message.iter())
            .find_map(|m| m.conversation.as_ref()?.contact_inbox.as_ref()?.source_id.as_deref())
    }
}

/// One page of `GET /conversations` read as [`ConversationHead`]s (the answer's `data`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ConversationHeads {
    /// Conversations.
    pub payload: Vec<ConversationHead>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_conversation_reads_as_its_head_as_it_reads_in_full() {
        // The upstream REST conversation (conformance fixture 09, _conversation.json.jbuilder).
        let text = include_str!("../../../../conformance/fixtures/chatlake/09-real-conversation/example.txt");
        let full: Conversation = serde_json::from_str(text).unwrap();
        let head: ConversationHead = serde_json::from_str(text).unwrap();
        assert_eq!(head.id, full.id);
        assert_eq!(head.last_message_id(), Some(123));
        assert_eq!(head.last_message_id(), full.last_message_id());
        assert_eq!(head.session(), full.session());
        assert_eq!(head.session(), Some("c4a1f3e2-7b5d-4e8a-9c61-2f0d8b3e5a97"));
        let bare: ConversationHead = serde_json::from_str(r#"{"id": 5, "last_non_activity_message": null}"#).unwrap();
        assert_eq!((bare.last_message_id(), bare.session()), (None, None));
    }

    #[test]
    fn seed_ids_given_as_strings_are_written_as_integers() {
        let c: NewConversation =
            serde_json::from_str(r#"{"source_id":"s","inbox_id":"2","contact_id":7,"assignee_id":null}"#).unwrap();
        assert_eq!((c.inbox_id, c.contact_id, c.assignee_id), (Some(2), Some(7), None));
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"source_id":"s","inbox_id":2,"contact_id":7}"#
        );
        assert!(serde_json::from_str::<NewConversation>(r#"{"inbox_id":"string"}"#).is_err());
        assert!(serde_json::from_str::<NewConversation>(r#"{"inbox_id":-1}"#).is_err());
    }

    #[test]
    fn query_pairs() {
        let q = ConversationQuery {
            status: Some(StatusFilter::All),
            inbox_id: Some(2),
            labels: vec!["vip".into(), "billing".into()],
            page: Some(3),
            ..Default::default()
        };
        let pairs: Vec<String> = q.to_pairs().into_iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            pairs,
            ["status=all", "inbox_id=2", "page=3", "labels[]=vip", "labels[]=billing"]
        );
    }
}

#[cfg(test)]
mod session_tests {
    use super::*;

    #[test]
    fn the_session_comes_from_push_data_or_the_last_messages() {
        let read = |v: Value| serde_json::from_value::<Conversation>(v).unwrap();
        let webhook = read(serde_json::json!({"id": 1, "contact_inbox": {"source_id": "s-push"}}));
        assert_eq!(webhook.session(), Some("s-push"));
        // The REST shape (`_conversation.json.jbuilder`): no contact_inbox.
        let rest = read(serde_json::json!({"id": 1, "messages": [
            {"id": 9, "conversation": {"assignee_id": null, "contact_inbox": {"source_id": "s-last"}}}
        ]}));
        assert_eq!(rest.session(), Some("s-last"));
        let non_activity = read(serde_json::json!({"id": 1, "messages": [],
            "last_non_activity_message": {"id": 8, "conversation": {"contact_inbox": {"source_id": "s-non"}}}}));
        assert_eq!(non_activity.session(), Some("s-non"));
        assert_eq!(read(serde_json::json!({"id": 1})).session(), None);
    }
}
