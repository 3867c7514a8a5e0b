//! [`QuestionCursor`]: what has been reported about one question, and the `lastChecked` to poll
//! with next. [`QuestionCursor::observe`] diffs a snapshot against it — a pure function, so the
//! watcher's guarantees are tested without a network — and the cursor serializes, so a watcher
//! resumes after a restart without reporting anything twice.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::events::{Author, QuestionEvent};
use crate::wire::{Message, MessageType, Question, QuestionStatus, Response, Timestamp, Uuid};

/// A system message reported as present, so its removal can be reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Present {
    response: Option<Uuid>,
    kind: Option<MessageType>,
}

/// The reported state of one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionCursor {
    question: Uuid,
    last_checked: Option<Timestamp>,
    responses: BTreeSet<String>,
    messages: BTreeSet<String>,
    present_system: BTreeMap<String, Present>,
    accepted: BTreeSet<String>,
    status: Option<QuestionStatus>,
    rerouted: bool,
    closed: bool,
}

/// The key a message is de-duplicated by: its `uuid`, else its `id`, else (the guide's examples
/// have neither) where it is, its type, creation time and text, with `#n` for the n-th identical one.
pub fn message_key(message: &Message, container: Option<&Uuid>, occurrence: usize) -> String {
    if let Some(uuid) = &message.uuid {
        return format!("uuid:{uuid}");
    }
    if let Some(id) = message.id {
        return format!("id:{id}");
    }
    format!(
        "text:{}|{}|{}|{}#{occurrence}",
        container.map_or("question", Uuid::as_str),
        message.kind.as_ref().map_or("", MessageType::as_str),
        message.date_created.as_ref().map_or("", Timestamp::as_str),
        message.body.as_deref().unwrap_or("")
    )
}

impl QuestionCursor {
    /// Nothing reported yet: the first snapshot reports everything in it.
    pub fn new(question: Uuid) -> Self {
        Self {
            question,
            last_checked: None,
            responses: BTreeSet::new(),
            messages: BTreeSet::new(),
            present_system: BTreeMap::new(),
            accepted: BTreeSet::new(),
            status: None,
            rerouted: false,
            closed: false,
        }
    }

    /// Everything in `snapshot` counts as reported (e.g. the question just created): only later
    /// changes become events.
    pub fn baseline(snapshot: &Question) -> Self {
        let mut cursor = Self::new(snapshot.uuid.clone());
        cursor.observe(snapshot, None);
        cursor
    }

    /// The question.
    pub fn question(&self) -> &Uuid {
        &self.question
    }

    /// Whether the question was reported closed.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// The `lastChecked` to send next: the latest server time seen.
    pub fn last_checked(&self) -> Option<&Timestamp> {
        self.last_checked.as_ref()
    }

    /// Diffs `snapshot` against what was reported, returns the changes in order and records them:
    /// new messages on the question, then each response (new response first, then its new
    /// messages), removed system messages, acceptances, rerouting, status, closing.
    ///
    /// `server_time` (the answer's `Date`) is the fallback for the next `lastChecked` when the
    /// snapshot carries no readable `lastUpdated`. A snapshot without `conversation` changes only
    /// the state (a missing conversation is not "every message removed").
    pub fn observe(&mut self, snapshot: &Question, server_time: Option<&Timestamp>) -> Vec<QuestionEvent> {
        let question = self.question.clone();
        let mut events = Vec::new();
        if snapshot.conversation.is_some() {
            let mut seen_now = BTreeSet::new();
            self.messages_of(None, snapshot.question_messages(), &mut seen_now, &mut events);
            for response in snapshot.responses() {
                if self.responses.insert(response.uuid.as_str().to_owned()) {
                    events.push(QuestionEvent::ResponseAdded {
                        question: question.clone(),
                        response: Box::new(Response {
                            messages: None,
                            ..response.clone()
                        }),
                    });
                }
                self.messages_of(Some(&response.uuid), response.messages(), &mut seen_now, &mut events);
            }
            let gone: Vec<String> = self
                .present_system
                .keys()
                .filter(|k| !seen_now.contains(*k))
                .cloned()
                .collect();
            for key in gone {
                if let Some(present) = self.present_system.remove(&key) {
                    events.push(QuestionEvent::SystemMessageRemoved {
                        question: question.clone(),
                        response: present.response,
                        key,
                        kind: present.kind,
                    });
                }
            }
            for response in snapshot.responses().iter().filter(|r| r.accepted()) {
                if self.accepted.insert(response.uuid.as_str().to_owned()) {
                    events.push(QuestionEvent::ResponseAccepted {
                        question: question.clone(),
                        response: response.uuid.clone(),
                    });
                }
            }
        }
        if snapshot.state.is_some() {
            match snapshot.reroute() {
                Some(reroute) if !self.rerouted => {
                    self.rerouted = true;
                    events.push(QuestionEvent::Rerouted {
                        question: question.clone(),
                        reason: reroute.kind.clone(),
                    });
                }
                Some(_) => {}
                None => self.rerouted = false,
            }
            if let Some(status) = snapshot.status() {
                if self.status.as_ref() != Some(status) {
                    events.push(QuestionEvent::StatusChanged {
                        question: question.clone(),
                        from: self.status.replace(status.clone()),
                        to: status.clone(),
                    });
                }
            }
            if snapshot.is_closed() {
                if !self.closed {
                    self.closed = true;
                    events.push(QuestionEvent::Closed {
                        question: question.clone(),
                        status: snapshot.status().cloned(),
                    });
                }
            } else {
                self.closed = false;
            }
        }
        let next = snapshot.latest_update().or(server_time).cloned();
        self.advance(next);
        events
    }

    /// Moves `lastChecked` forward (never back) to `at`.
    pub fn advance(&mut self, at: Option<Timestamp>) {
        if let Some(at) = at.filter(|t| t.datetime().is_some()) {
            let later = self
                .last_checked
                .as_ref()
                .is_none_or(|current| at.cmp_time(current).is_gt());
            if later {
                self.last_checked = Some(at);
            }
        }
    }

    fn messages_of(
        &mut self,
        container: Option<&Uuid>,
        messages: &[Message],
        seen_now: &mut BTreeSet<String>,
        events: &mut Vec<QuestionEvent>,
    ) {
        let mut occurrences: BTreeMap<String, usize> = BTreeMap::new();
        for message in messages {
            let mut key = message_key(message, container, 0);
            if key.starts_with("text:") {
                let n = occurrences.entry(key.clone()).or_default();
                key = message_key(message, container, *n);
                *n += 1;
            }
            seen_now.insert(key.clone());
            if !self.messages.insert(key.clone()) {
                continue;
            }
            if message.is_system() {
                self.present_system.insert(
                    key.clone(),
                    Present {
                        response: container.cloned(),
                        kind: message.kind.clone(),
                    },
                );
            }
            events.push(QuestionEvent::MessageAdded {
                question: self.question.clone(),
                response: container.cloned(),
                author: Author::of(message, container.is_some()),
                message: Box::new(message.clone()),
                key,
            });
        }
    }
}
