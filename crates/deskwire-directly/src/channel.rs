//! [`DirectlyChannel`]: Directly behind the provider-neutral [`Channel`] trait.
//!
//! The customer asks a question; experts answer in responses, which this channel finds by
//! polling ([`QuestionWatcher`]) — Directly does not call you.
//!
//! | neutral operation | Directly |
//! |-|-|
//! | `start_conversation` | `POST /questions` (`userEmail`, `userName`, `text`, your customer id as external id `deskwire-customer`), then the question is watched from that snapshot on |
//! | `send` | `POST /messages` on the latest response seen, else on the question itself; the message's `external_id` as external id `deskwire-message` |
//! | attachments | unsupported: Directly's messages are text |
//! | `typing` | unsupported |
//! | `mark_read` | `POST /responses/{uuid}/markAsRead`: a desk message's id is its response's uuid |
//! | `close` | `POST /questions/{uuid}/close` |
//! | `receive` | unsupported: use `poll` (the Universal Connector is a different integration: [`ConnectorReceiver`](crate::inbound::ConnectorReceiver)) |
//! | `poll` | `GET /questions/{uuid}?lastChecked=` for every watched question ([`QuestionWatcher::poll_once`]); an expert's (or company bot's) new message → [`DeskEvent::Message`] (role expert); status `RESOLVED` → [`DeskEvent::Resolved`]; closed → [`DeskEvent::Closed`]; rerouted → [`DeskEvent::Rerouted`]; accepted responses, other status changes and system messages → [`DeskEvent::Other`]; the customer's own messages, new-response markers (their messages follow) and removed system messages → nothing |
//!
//! Directly needs the customer's email and name: a [`Customer`] without them is refused before
//! anything is sent. The [`Cursor`] is one entry per watched question (its position, latest
//! response and asker, as JSON), versioned by the server time of the last change seen, and a
//! removal for each question that closed; [`Channel::restore`] *merges* it into what the
//! channel watches (a question started here since is kept; of two positions of one question
//! the later wins), so replicas sharing a store (through
//! [`Deduplicated`](deskwire_core::channel::Deduplicated)) never drop each other's questions.
//!
//! The [`ConversationRef`] is `directly:<question uuid>?email=<the asker's email>`; events
//! carry the email too (the channel keeps it per question, in the cursor), so a
//! [`DeskMessage`]'s id can be marked read as it is.

use std::collections::BTreeMap;
use std::time::Duration;

use deskwire_core::channel::{
    async_trait, Capabilities, Channel, ChannelError, ConversationRef, Cursor, CursorEntry, Customer, CustomerMessage,
    DeskEvent, DeskMessage, DeskMessageRef, EventKind, Operation, Polled, Role, Sent, Started,
};
use deskwire_core::{ValidationError, ValidationProblem};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::inbound::{Author, QuestionCursor, QuestionEvent, QuestionWatcher, WatchCursor};
use crate::wire::{ExternalId, MessageTarget, NewMessage, NewQuestion, QuestionStatus, UserEmail, Uuid};
use crate::DirectlyClient;

/// The provider key.
pub const PROVIDER: &str = "directly";

/// What the channel supports.
pub const CAPABILITIES: Capabilities = Capabilities::none()
    .with(Operation::StartConversation)
    .with(Operation::Send)
    .with(Operation::MarkRead)
    .with(Operation::Close)
    .with(Operation::Poll)
    .reports(EventKind::Message)
    .reports(EventKind::Resolved)
    .reports(EventKind::Closed)
    .reports(EventKind::Rerouted);

/// The external-id system naming your customer on a question.
pub const CUSTOMER_ID_SYSTEM: &str = "deskwire-customer";
/// The external-id system naming your message.
pub const MESSAGE_ID_SYSTEM: &str = "deskwire-message";

#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    watch: WatchCursor,
    /// Question uuid → the latest response seen, where customer messages go.
    #[serde(default)]
    responses: BTreeMap<String, Uuid>,
    /// Question uuid → the asker's email, so events name a conversation marking read can use.
    #[serde(default)]
    askers: BTreeMap<String, String>,
}

/// One question's entry of the cursor.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    watch: QuestionCursor,
    #[serde(default)]
    response: Option<Uuid>,
    #[serde(default)]
    asker: Option<String>,
}

/// The entry version of a question: the server time of the last change seen, in ms.
fn version(cursor: &QuestionCursor) -> u64 {
    cursor.last_checked().and_then(|t| t.datetime()).map_or(0, |at| {
        u64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
    })
}

/// The watcher and what the channel learned about each question.
#[derive(Debug)]
struct Watching {
    watcher: QuestionWatcher,
    responses: BTreeMap<String, Uuid>,
    askers: BTreeMap<String, String>,
}

/// Directly as a [`Channel`].
///
/// ```
/// use std::sync::Arc;
/// use deskwire_core::{channel::Channel, Secret};
/// use deskwire_directly::{channel::DirectlyChannel, Credentials, DirectlyClient};
///
/// let client = DirectlyClient::builder(Credentials::client_credentials("<client id>", Secret::new("<secret>"))).build()?;
/// let desk: Arc<dyn Channel> = Arc::new(DirectlyChannel::new(client));
/// assert_eq!(desk.provider(), "directly");
/// # Ok::<(), deskwire_directly::Error>(())
/// ```
#[derive(Debug)]
pub struct DirectlyChannel {
    client: DirectlyClient,
    state: Mutex<Watching>,
}

impl DirectlyChannel {
    /// The cursor entry a watched question is kept under: where it is watched from, its
    /// latest response and its asker.
    fn entry(state: &Watching, watched: QuestionCursor) -> Option<CursorEntry> {
        let question = watched.question().clone();
        let version = version(&watched);
        let entry = Entry {
            response: state.responses.get(question.as_str()).cloned(),
            asker: state.askers.get(question.as_str()).cloned(),
            watch: watched,
        };
        match serde_json::to_string(&entry) {
            Ok(value) => Some(CursorEntry::new(question.as_str(), version, value)),
            Err(error) => {
                tracing::warn!(%error, "a question's position could not be written");
                None
            }
        }
    }

    /// The newest question of `customer` (by the external id and email questions are asked
    /// with) whose text is `text`: the one a create whose answer was lost made, if it did.
    async fn find_asked(&self, customer: &str, email: &UserEmail, text: &str) -> Option<crate::wire::Question> {
        let search = crate::wire::Search::new()
            .external_id(customer, CUSTOMER_ID_SYSTEM)
            .user(email)
            .include_conversation(true);
        let found = self.client.search_questions(&search).await.ok()?;
        found
            .into_iter()
            .filter(|q| q.conversation.as_ref().and_then(|c| c.text.as_deref()) == Some(text))
            .max_by(|a, b| match (&a.date_created, &b.date_created) {
                (Some(a), Some(b)) => a.cmp_time(b),
                (a, b) => a.is_some().cmp(&b.is_some()),
            })
    }

    /// A channel asking and polling with `client`.
    pub fn new(client: DirectlyClient) -> Self {
        // The watcher's own pacing is not used: `poll` is one round, the caller paces it.
        let watcher = QuestionWatcher::new(client.clone(), Duration::ZERO);
        Self {
            client,
            state: Mutex::new(Watching {
                watcher,
                responses: BTreeMap::new(),
                askers: BTreeMap::new(),
            }),
        }
    }

    fn question(conversation: &ConversationRef) -> Result<(Uuid, UserEmail), ChannelError> {
        let invalid = |e| ChannelError::invalid(PROVIDER, e);
        conversation.expect_provider(PROVIDER).map_err(invalid)?;
        let uuid = Uuid::parse(conversation.id()).map_err(invalid)?;
        let email = UserEmail::new(conversation.require("email").map_err(invalid)?).map_err(invalid)?;
        Ok((uuid, email))
    }

    fn event(event: QuestionEvent, state: &mut Watching) -> Option<DeskEvent> {
        let mut conversation = ConversationRef::new(PROVIDER, event.question().as_str());
        if let Some(email) = state.askers.get(event.question().as_str()) {
            conversation = conversation.with("email", email);
        }
        let responses = &mut state.responses;
        let other = |kind: &str, raw: serde_json::Value| DeskEvent::Other {
            conversation: Some(conversation.clone()),
            kind: kind.into(),
            raw,
        };
        match event {
            QuestionEvent::ResponseAdded { question, response } => {
                responses.insert(question.as_str().to_owned(), response.uuid.clone());
                None
            }
            QuestionEvent::MessageAdded {
                question,
                response,
                author,
                message,
                key,
            } => match author {
                Author::Expert => {
                    if let Some(r) = &response {
                        responses.insert(question.as_str().to_owned(), r.clone());
                    }
                    let id = response
                        .as_ref()
                        .or(message.uuid.as_ref())
                        .map(|u| u.as_str().to_owned())
                        .unwrap_or_default();
                    let mut desk = DeskMessage::new(
                        DeskMessageRef::new(conversation, id),
                        Role::Expert,
                        message.body.clone().unwrap_or_default(),
                    );
                    if let Some(name) = message.author.as_ref().and_then(|a| a.name.clone()) {
                        desk = desk.author(name);
                    }
                    // The reference is the response (what mark_read takes); the message itself
                    // is its uuid, else its id, else the watcher's own key for it (never the
                    // response's uuid or nothing: two messages of one response stay two).
                    let identity = message
                        .uuid
                        .as_ref()
                        .map(|u| u.as_str().to_owned())
                        .or(message.id.map(|id| id.to_string()))
                        .unwrap_or(key);
                    desk = desk.key(identity);
                    Some(DeskEvent::Message(desk))
                }
                Author::System => Some(other(
                    "system_message",
                    serde_json::to_value(&message).unwrap_or_default(),
                )),
                Author::User => None,
            },
            QuestionEvent::StatusChanged {
                to: QuestionStatus::Resolved,
                ..
            } => Some(DeskEvent::Resolved { conversation }),
            QuestionEvent::StatusChanged { from, to, .. } => Some(other(
                "status_changed",
                serde_json::json!({ "from": from.map(|s| s.as_str().to_owned()), "to": to.as_str() }),
            )),
            QuestionEvent::Closed { .. } => Some(DeskEvent::Closed { conversation }),
            QuestionEvent::Rerouted { reason, .. } => Some(DeskEvent::Rerouted {
                conversation,
                reason: reason.map(|r| r.as_str().to_owned()),
            }),
            QuestionEvent::ResponseAccepted { response, .. } => Some(other(
                "response_accepted",
                serde_json::json!({ "response": response.as_str() }),
            )),
            _ => None,
        }
    }
}

#[async_trait]
impl Channel for DirectlyChannel {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    /// The API URL and the client id: one Directly account.
    fn scope(&self) -> String {
        match self.client.client_id() {
            Some(id) => format!("{} client {id}", self.client.api_url()),
            None => self.client.api_url().to_owned(),
        }
    }

    async fn start_conversation(&self, customer: &Customer, first: &CustomerMessage) -> Result<Started, ChannelError> {
        first.check_for(PROVIDER, CAPABILITIES)?;
        let invalid = |e| ChannelError::invalid(PROVIDER, e);
        let email = customer
            .email
            .as_deref()
            .ok_or_else(|| ValidationError::new("customer.email", ValidationProblem::Missing))
            .map_err(invalid)?;
        let email = UserEmail::new(email).map_err(invalid)?;
        let name = customer
            .name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| ValidationError::new("customer.name", ValidationProblem::Missing))
            .map_err(invalid)?;
        let question =
            NewQuestion::new(&email, name, &first.text).external_id(ExternalId::new(&customer.id, CUSTOMER_ID_SYSTEM));
        let created = match self.client.create_question(&question).await {
            Ok(created) => created,
            Err(error) => {
                let error = ChannelError::from(error);
                // The question may exist (the connection broke after Directly took it): a
                // question nobody watches would have its answers lost. It is looked up by the
                // external id it was sent with, as Directly's own client finds a question
                // (`directly-api` 1.1.2, `MessagingApi.getQuestion`), never asked twice.
                if error.delivery() != deskwire_core::Delivery::MaybeDelivered {
                    return Err(error);
                }
                match self.find_asked(&customer.id, &email, &first.text).await {
                    Some(found) => found,
                    None => return Err(error),
                }
            }
        };
        let mut state = self.state.lock().await;
        state.watcher.watch_from(&created);
        state
            .askers
            .insert(created.uuid.as_str().to_owned(), email.as_str().to_owned());
        let watched = state
            .watcher
            .cursor()
            .questions
            .into_iter()
            .find(|w| w.question() == &created.uuid);
        let entry = watched.and_then(|w| Self::entry(&state, w));
        drop(state);
        let conversation = ConversationRef::new(PROVIDER, created.uuid.as_str()).with("email", email.as_str());
        let started = Started::new(conversation, Sent::with_id(created.uuid.as_str()));
        Ok(match entry {
            Some(entry) => started.watching(entry),
            None => started,
        })
    }

    async fn send(&self, conversation: &ConversationRef, message: &CustomerMessage) -> Result<Sent, ChannelError> {
        let (question, email) = Self::question(conversation)?;
        message.check_for(PROVIDER, CAPABILITIES)?;
        let latest = self.state.lock().await.responses.get(question.as_str()).cloned();
        let target = match latest {
            Some(response) => MessageTarget::Response(response),
            None => MessageTarget::Question(question),
        };
        let mut wire = NewMessage::new(&email, target, &message.text);
        if let Some(id) = &message.external_id {
            wire = wire.external_id(ExternalId::new(id, MESSAGE_ID_SYSTEM));
        }
        let created = self.client.create_message(&wire).await.map_err(ChannelError::from)?;
        Ok(match created.and_then(|m| m.uuid) {
            Some(uuid) => Sent::with_id(uuid.as_str()),
            // Appended to the question itself: Directly answers without a message.
            None => Sent::without_id(),
        })
    }

    async fn mark_read(&self, message: &DeskMessageRef) -> Result<(), ChannelError> {
        let (_, email) = Self::question(&message.conversation)?;
        let response = Uuid::parse(&message.id).map_err(|e| ChannelError::invalid(PROVIDER, e))?;
        self.client
            .mark_response_read(&response, &email)
            .await
            .map(|_| ())
            .map_err(ChannelError::from)
    }

    async fn close(&self, conversation: &ConversationRef) -> Result<(), ChannelError> {
        let (question, email) = Self::question(conversation)?;
        self.client
            .close_question(&question, &email, None)
            .await
            .map(|_| ())
            .map_err(ChannelError::from)
    }

    async fn poll(&self) -> Result<Polled, ChannelError> {
        let mut state = self.state.lock().await;
        let report = state.watcher.poll_once().await;
        let mut events = Vec::new();
        for event in report.events {
            if let Some(event) = Self::event(event, &mut state) {
                events.push(event);
            }
        }
        let failures = report
            .errors
            .into_iter()
            .map(|(question, error)| {
                (
                    ConversationRef::new(PROVIDER, question.as_str()),
                    ChannelError::from(error),
                )
            })
            .collect();
        let mut entries = Vec::new();
        for watched in state.watcher.cursor().questions {
            let question = watched.question().clone();
            if watched.is_closed() {
                // Closed for good: forgotten here and, once the round is committed, in the store.
                state.watcher.unwatch(&question);
                state.responses.remove(question.as_str());
                state.askers.remove(question.as_str());
                entries.push(CursorEntry::removed(question.as_str(), version(&watched)));
                continue;
            }
            entries.extend(Self::entry(&state, watched));
        }
        let cursor = Cursor::from_entries(entries);
        Ok(Polled::new(events, failures, cursor))
    }

    async fn restore(&self, cursor: &Cursor) -> Result<(), ChannelError> {
        let invalid = |what: String| {
            ChannelError::invalid(
                PROVIDER,
                ValidationError::new("cursor", ValidationProblem::Invalid(what)),
            )
        };
        // Everything is read before anything changes: a bad cursor changes nothing.
        let mut saved = Vec::new();
        if !cursor.as_str().is_empty() {
            // A whole-state cursor, as earlier versions saved it.
            let state: State = serde_json::from_str(cursor.as_str()).map_err(|e| invalid(e.to_string()))?;
            for watch in state.watch.questions {
                let question = watch.question().as_str().to_owned();
                saved.push(Entry {
                    response: state.responses.get(&question).cloned(),
                    asker: state.askers.get(&question).cloned(),
                    watch,
                });
            }
        }
        for entry in cursor.entries() {
            let Some(value) = &entry.value else { continue };
            let read: Entry =
                serde_json::from_str(value).map_err(|e| invalid(format!("the entry of {}: {e}", entry.field)))?;
            saved.push(read);
        }
        let mut state = self.state.lock().await;
        for entry in saved {
            let question = entry.watch.question().as_str().to_owned();
            if let Some(response) = entry.response {
                state.responses.entry(question.clone()).or_insert(response);
            }
            if let Some(asker) = entry.asker {
                state.askers.entry(question).or_insert(asker);
            }
            state.watcher.merge(entry.watch);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inbound::message_key;
    use crate::wire::Message;

    #[tokio::test]
    async fn two_identical_expert_messages_without_uuid_or_id_stay_two() {
        let client = DirectlyClient::builder(crate::Credentials::access_token(deskwire_core::Secret::new("t")))
            .build()
            .unwrap();
        let channel = DirectlyChannel::new(client);
        let question = Uuid::parse("8f2a1f8e-7f7e-4e0f-9a61-0a8f3b3d2c11").unwrap();
        let response = Uuid::parse("0b5f4a8e-2a1d-4c5e-8f7a-9d3c2b1a0e4f").unwrap();
        let message: Message = serde_json::from_value(serde_json::json!({"body": "ok"})).unwrap();
        let mut state = channel.state.lock().await;
        let identities: Vec<String> = (0..2)
            .map(|occurrence| {
                let event = QuestionEvent::MessageAdded {
                    question: question.clone(),
                    response: Some(response.clone()),
                    author: Author::Expert,
                    message: Box::new(message.clone()),
                    key: message_key(&message, Some(&response), occurrence),
                };
                match DirectlyChannel::event(event, &mut state) {
                    Some(DeskEvent::Message(m)) => {
                        assert_eq!(m.id.id, response.as_str(), "mark_read takes the response");
                        m.identity().to_owned()
                    }
                    other => panic!("not a message: {other:?}"),
                }
            })
            .collect();
        assert_ne!(identities[0], identities[1], "{identities:?}");
        assert_ne!(identities[0], response.as_str(), "never the response's uuid");
    }
}
