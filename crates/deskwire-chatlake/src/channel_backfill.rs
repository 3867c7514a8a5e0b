//! Gap backfill and order for [`ChatlakeChannel`]: see [`ChatlakeChannel::backfill`].
//!
//! Each conversation has a position in the store: the highest message id up to which every
//! agent message was committed by the application. A webhook message above it first brings the
//! agent messages in between, listed page by page; the position moves only when the events it
//! passes over are committed ([`Settle`]), contiguously, and never back (the store's `raise`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use deskwire_core::channel::{ChannelError, ConversationRef, Cursor, DeskEvent, Incoming, Polled, Settle};
use deskwire_core::store::{key, Store, StoreError};

use super::{ChatlakeChannel, PROVIDER};
use crate::inbound::{MessageEvent, WebhookEvent};
use crate::wire::{ConversationQuery, MessageQuery, StatusFilter};

/// Serialises the backfill of one conversation (conversations share one of these locks by
/// their id, so the set is bounded).
const LOCKS: usize = 64;

/// Which of the [`LOCKS`] a conversation takes.
fn stripe(conversation: u64) -> usize {
    (conversation % LOCKS as u64) as usize
}

/// The store and the locks of backfill, and what this replica remembers between polls.
#[derive(Debug, Clone)]
pub(super) struct Backfill {
    pub(super) store: Arc<dyn Store>,
    pub(super) locks: Arc<[tokio::sync::Mutex<()>; LOCKS]>,
    /// Positions read from the store, by conversation: positions only rise, so one at or past
    /// a listed conversation's last message spares reading the store again.
    known: Arc<Mutex<std::collections::HashMap<u64, u64>>>,
    /// The news (last message id past the position) each conversation showed at a poll.
    pending: Arc<Mutex<std::collections::HashMap<u64, u64>>>,
    /// When the last poll without failures started, and the last full sweep.
    polls: Arc<Mutex<Polls>>,
}

/// When polls ran, for the window of the next one ([`Polls::window`]).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Polls {
    /// The start of the last poll that had no failure.
    last: Option<std::time::Instant>,
    /// The start of the last poll over the whole [`RECONCILE_WINDOW`].
    sweep: Option<std::time::Instant>,
}

impl Polls {
    /// How far back a poll starting `now` looks: the whole [`RECONCILE_WINDOW`] at the first
    /// poll and every [`FULL_SWEEP_EVERY`]; otherwise the time since the last poll without
    /// failures plus [`POLL_MARGIN`] (a failed conversation is listed again until a poll
    /// passes). So a poll lists the conversations with news since the last one, not every
    /// conversation of the day.
    pub(super) fn window(&self, now: std::time::Instant) -> Duration {
        match (self.last, self.sweep) {
            (Some(last), Some(sweep)) if now.saturating_duration_since(sweep) < FULL_SWEEP_EVERY => {
                (now.saturating_duration_since(last) + POLL_MARGIN).min(RECONCILE_WINDOW)
            }
            _ => RECONCILE_WINDOW,
        }
    }

    /// A poll that started at `at` over `window` ended, with or without failures.
    pub(super) fn ran(&mut self, at: std::time::Instant, window: Duration, failed: bool) {
        if failed {
            // The next window still reaches back to the last poll that passed.
            return;
        }
        self.last = Some(at);
        if window >= RECONCILE_WINDOW {
            self.sweep = Some(at);
        }
    }
}

/// How often a poll looks over the whole [`RECONCILE_WINDOW`] again (what a narrower poll
/// could miss: a clock step, a conversation whose events were released and not redelivered).
pub const FULL_SWEEP_EVERY: Duration = Duration::from_secs(10 * 60);

/// What a narrow poll looks back beyond the previous poll's start. The server measures
/// `updated_within` from its own clock when it handles the request, so the margin covers how
/// much later it handles this poll than the last one: at most a request's time limit (30 s by
/// default), past which the poll fails and the next one sweeps the whole window.
pub const POLL_MARGIN: Duration = Duration::from_secs(30);

/// `window` in whole seconds, rounded up: a poll never looks back less than it should.
fn seconds_up(window: Duration) -> u64 {
    window.as_secs() + u64::from(window.subsec_nanos() > 0)
}

/// Positions remembered at most; past it the memory starts over (the store still has them).
const KNOWN_POSITIONS: usize = 100_000;

impl Backfill {
    pub(super) fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            locks: Arc::new(std::array::from_fn(|_| tokio::sync::Mutex::new(()))),
            known: Arc::default(),
            pending: Arc::default(),
            polls: Arc::default(),
        }
    }

    fn known(&self, conversation: u64) -> Option<u64> {
        self.known
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&conversation)
            .copied()
    }

    /// Whether `newest` was already the news of `conversation` at an earlier poll; remembers
    /// it otherwise.
    fn seen_before(&self, conversation: u64, newest: u64) -> bool {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        if pending.get(&conversation).is_some_and(|seen| *seen >= newest) {
            return true;
        }
        if pending.len() >= KNOWN_POSITIONS {
            pending.clear();
        }
        pending.insert(conversation, newest);
        false
    }

    fn remember(&self, conversation: u64, position: u64) {
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        if known.len() >= KNOWN_POSITIONS {
            known.clear();
        }
        let entry = known.entry(conversation).or_default();
        *entry = (*entry).max(position);
    }
}

/// What Chatwoot answers at most to `after=` alone (konversio-org/konversio
/// 88ffa329eb6e18ae06b608d8b4bab96c0e1b8f44, `app/finders/message_finder.rb` L36); a shorter
/// page is the last.
pub(super) const PAGE: usize = 100;

/// Message pages one gap is read over at most (10,000 messages), so a conversation that grows
/// while it is read cannot hold the backfill forever; the rest comes at the next webhook or poll.
const MAX_MESSAGE_PAGES: usize = 100;

/// How long a conversation's position is kept after it last moved: 90 days. A conversation
/// silent for longer is read again from its start, where de-duplication has forgotten it too
/// (its window is 7 days by default), so its first 100 messages may come again.
pub const POSITION_TTL: Duration = Duration::from_secs(90 * 24 * 3600);

/// How far back a poll looks for conversations with activity: the conversations updated
/// within this window, whatever their status (open, pending, resolved, snoozed), so an agent's
/// last message before resolving, with its webhook lost, still comes.
pub const RECONCILE_WINDOW: Duration = Duration::from_secs(24 * 3600);

/// The events of one conversation handed out together, in id order, and which of them the
/// application committed; the position moves over the committed prefix.
#[derive(Debug)]
struct Batch {
    store: Arc<dyn Store>,
    key: String,
    /// (message id, committed), ascending.
    ids: Mutex<Vec<(u64, bool)>>,
}

#[derive(Debug)]
struct Position {
    batch: Arc<Batch>,
    index: usize,
}

#[deskwire_core::channel::async_trait]
impl Settle for Position {
    async fn commit(&self) -> Result<(), StoreError> {
        let reached = {
            let mut ids = self.batch.ids.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(entry) = ids.get_mut(self.index) {
                entry.1 = true;
            }
            ids.iter()
                .take_while(|(_, committed)| *committed)
                .last()
                .map(|(id, _)| *id)
        };
        match reached {
            Some(id) => self
                .batch
                .store
                .raise(&self.batch.key, id, POSITION_TTL)
                .await
                .map(|_| ()),
            None => Ok(()),
        }
    }

    async fn release(&self) -> Result<(), StoreError> {
        // The position stays below it: the next webhook or poll lists it again.
        Ok(())
    }
}

/// A store failure as a poll failure of one conversation: nothing was sent, try again later.
fn store_failed(error: &StoreError) -> ChannelError {
    ChannelError::Provider {
        provider: PROVIDER,
        delivery: deskwire_core::Delivery::NotSent,
        status: None,
        retry_after: None,
        retryable: true,
        attempts: 0,
        source: format!("the backfill store: {error}").into(),
    }
}

impl ChatlakeChannel {
    fn position_key(&self, conversation: u64) -> String {
        key([PROVIDER, &self.scope_text(), "position", &conversation.to_string()])
    }

    fn lock(backfill: &Backfill, conversation: u64) -> &tokio::sync::Mutex<()> {
        &backfill.locks[stripe(conversation)]
    }

    /// The desk messages of `conversation` after `after` and below `below` (all when `None`),
    /// in id order, each as the webhook would have brought it, read page by page until the
    /// gap is closed; and the highest id listed.
    async fn missed(
        &self,
        conversation: u64,
        reference: &ConversationRef,
        after: u64,
        below: Option<u64>,
    ) -> Result<(Vec<DeskEvent>, u64), ChannelError> {
        let mut events = Vec::new();
        let mut cursor = after;
        for _ in 0..MAX_MESSAGE_PAGES {
            let page = self
                .api
                .list_messages(
                    conversation,
                    MessageQuery {
                        before: None,
                        after: Some(cursor),
                    },
                )
                .await
                .map_err(ChannelError::from)?
                .payload;
            let full = page.len() >= PAGE;
            // `after` alone answers ids above it only (`message_finder.rb` L36), ordered by
            // creation time: sorted by id here.
            let mut messages = page;
            messages.sort_by_key(|m| m.id);
            let Some(highest) = messages.last().map(|m| m.id) else {
                break;
            };
            cursor = highest;
            for message in messages {
                if below.is_some_and(|b| message.id >= b) {
                    continue;
                }
                // Listed messages read like webhook ones: the same filter, the same mapping.
                let event = MessageEvent {
                    message,
                    account: None,
                    inbox: None,
                    conversation: None,
                };
                let Some(DeskEvent::Message(mut desk)) =
                    self.event(&WebhookEvent::MessageCreated(Box::new(event)), b"")
                else {
                    continue;
                };
                desk.id.conversation = reference.clone();
                events.push(DeskEvent::Message(desk));
            }
            if !full || below.is_some_and(|b| cursor >= b) {
                break;
            }
        }
        Ok((events, cursor))
    }

    /// `events` of one conversation (ascending ids), each with a layer that moves the
    /// position once it and every one before it are committed. With none, the position moves
    /// to `top` at once (only messages that are not the desk's were in the gap).
    async fn batch(&self, backfill: &Backfill, conversation: u64, events: Vec<DeskEvent>, top: u64) -> Vec<Incoming> {
        let key = self.position_key(conversation);
        let id_of = |e: &DeskEvent| match e {
            DeskEvent::Message(m) => m.id.id.parse::<u64>().unwrap_or(0),
            _ => 0,
        };
        if events.is_empty() {
            if let Err(error) = backfill.store.raise(&key, top, POSITION_TTL).await {
                tracing::warn!(%error, "the backfill store failed; the position was not saved");
            }
            return Vec::new();
        }
        let batch = Arc::new(Batch {
            store: Arc::clone(&backfill.store),
            key,
            ids: Mutex::new(events.iter().map(|e| (id_of(e), false)).collect()),
        });
        events
            .into_iter()
            .enumerate()
            .map(|(index, event)| {
                Incoming::new(event).on_settle(Arc::new(Position {
                    batch: Arc::clone(&batch),
                    index,
                }))
            })
            .collect()
    }

    /// The webhook's events, each agent message preceded by the ones missed before it; none
    /// at or below the committed position.
    pub(super) async fn in_order(&self, backfill: &Backfill, events: Vec<DeskEvent>) -> Vec<Incoming> {
        let mut out = Vec::with_capacity(events.len());
        for event in events {
            let DeskEvent::Message(message) = &event else {
                out.push(Incoming::new(event));
                continue;
            };
            let (Ok(conversation), Ok(id)) = (
                message.id.conversation.id().parse::<u64>(),
                message.id.id.parse::<u64>(),
            ) else {
                out.push(Incoming::new(event));
                continue;
            };
            let _serial = Self::lock(backfill, conversation).lock().await;
            let last = match backfill.store.position(&self.position_key(conversation)).await {
                Ok(last) => last,
                Err(error) => {
                    // Without the position, nothing is replayed: the event alone, its position
                    // untouched (the next poll lists the gap).
                    tracing::warn!(%error, "the backfill store failed; passing the webhook's message without backfill");
                    out.push(Incoming::new(event));
                    continue;
                }
            };
            if id <= last {
                continue; // committed already
            }
            let reference = message.id.conversation.clone();
            match self.missed(conversation, &reference, last, Some(id)).await {
                Ok((mut missed, _)) => {
                    missed.push(event);
                    out.extend(self.batch(backfill, conversation, missed, id).await);
                }
                Err(error) => {
                    // Pass what came; the position stays below the gap, so the next poll lists it.
                    tracing::warn!(%error, "backfill before a webhook message failed");
                    out.push(Incoming::new(event));
                }
            }
        }
        out
    }

    /// One reconcile round over the inbox's conversations with activity in the last
    /// [`RECONCILE_WINDOW`], whatever their status: one request, since Chatwoot answers every
    /// match of `updated_within` at once, unpaged (konversio-org/konversio
    /// 88ffa329eb6e18ae06b608d8b4bab96c0e1b8f44, `app/finders/conversation_finder.rb` L204-216).
    pub(super) async fn reconcile(&self, backfill: &Backfill) -> Result<Polled, ChannelError> {
        let mut events = Vec::new();
        let mut failures = Vec::new();
        let started = std::time::Instant::now();
        let window = backfill.polls.lock().unwrap_or_else(|p| p.into_inner()).window(started);
        let query = ConversationQuery {
            status: Some(StatusFilter::All),
            inbox_id: Some(self.inbox_id),
            updated_within: Some(seconds_up(window)),
            ..ConversationQuery::default()
        };
        // Read as heads: a listing of thousands of conversations costs a few words each.
        let conversations = self
            .api
            .list_conversation_heads(&query)
            .await
            .map_err(ChannelError::from)?;
        for conversation in conversations {
            let mut reference = ConversationRef::new(PROVIDER, conversation.id.to_string());
            // A REST conversation names its session only through its last message.
            if let Some(source) = conversation.session() {
                reference = reference.with("source", source);
            }
            // Already known to be read up to its last message: not even the store is asked.
            let newest = conversation.last_message_id();
            if newest.is_some_and(|newest| backfill.known(conversation.id).is_some_and(|known| known >= newest)) {
                continue;
            }
            let _serial = Self::lock(backfill, conversation.id).lock().await;
            let last = match backfill.store.position(&self.position_key(conversation.id)).await {
                Ok(last) => last,
                Err(error) => {
                    failures.push((reference, store_failed(&error)));
                    continue;
                }
            };
            backfill.remember(conversation.id, last);
            // The listing shows the last message: nothing after the position, nothing to read.
            // One request per poll, plus one per conversation with news, however many are open.
            if conversation.last_message_id().is_some_and(|newest| newest <= last) {
                continue;
            }
            // News seen for the first time is most likely on its way in a webhook: it is read at
            // the next poll if it is still news then (a lost webhook costs one poll interval
            // more; a webhook in flight costs no request). A full sweep reads it at once.
            if window < RECONCILE_WINDOW {
                if let Some(newest) = conversation.last_message_id() {
                    if !backfill.seen_before(conversation.id, newest) {
                        continue;
                    }
                }
            }
            match self.missed(conversation.id, &reference, last, None).await {
                Ok((missed, highest)) => {
                    events.extend(self.batch(backfill, conversation.id, missed, highest).await);
                }
                Err(error) => failures.push((reference, error)),
            }
        }
        backfill
            .polls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .ran(started, window, !failures.is_empty());
        // Positions live in the store per conversation: no cursor to keep.
        Ok(Polled::acknowledged(events, failures, Cursor::empty()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_look_back_a_day_first_then_since_the_last_poll_with_a_sweep_every_ten_minutes() {
        let t0 = std::time::Instant::now();
        let at = |secs: u64| t0 + Duration::from_secs(secs);
        let mut polls = Polls::default();
        assert_eq!(polls.window(at(0)), RECONCILE_WINDOW, "the first poll sweeps the day");
        polls.ran(at(0), RECONCILE_WINDOW, false);
        assert_eq!(
            polls.window(at(5)),
            Duration::from_secs(35),
            "since the last poll, plus the margin"
        );
        polls.ran(at(5), Duration::from_secs(35), false);
        assert_eq!(polls.window(at(6)), Duration::from_secs(31));
        // A poll with failures: the next one still reaches back to the last that passed.
        polls.ran(at(6), Duration::from_secs(31), true);
        assert_eq!(polls.window(at(7)), Duration::from_secs(32));
        polls.ran(at(7), Duration::from_secs(32), false);
        assert_eq!(polls.window(at(8)), Duration::from_secs(31));
        // Ten minutes after the last sweep (the first poll's), another.
        polls.ran(at(590), Duration::from_secs(31), false);
        assert_eq!(polls.window(at(599)), Duration::from_secs(39));
        assert_eq!(polls.window(at(600)), RECONCILE_WINDOW);
        polls.ran(at(600), RECONCILE_WINDOW, false);
        assert_eq!(polls.window(at(1199)), Duration::from_secs(629));
        // Never more than the day.
        let mut idle = Polls::default();
        idle.ran(at(0), RECONCILE_WINDOW, false);
        assert_eq!(idle.window(at(599)), Duration::from_secs(629));
        assert_eq!(FULL_SWEEP_EVERY, Duration::from_secs(600));
        assert_eq!(POLL_MARGIN, Duration::from_secs(30));
    }

    #[test]
    fn windows_are_asked_in_whole_seconds_rounded_up() {
        assert_eq!(seconds_up(Duration::from_secs(31)), 31);
        assert_eq!(seconds_up(Duration::from_millis(31_001)), 32);
        assert_eq!(seconds_up(Duration::from_nanos(1)), 1);
        assert_eq!(seconds_up(Duration::ZERO), 0);
    }

    #[test]
    fn news_is_read_when_it_was_already_news_at_an_earlier_poll() {
        let backfill = Backfill::new(Arc::new(deskwire_core::store::MemoryStore::new()));
        assert!(!backfill.seen_before(1, 10), "first seen");
        assert!(backfill.seen_before(1, 10), "still news at the next poll");
        assert!(backfill.seen_before(1, 9));
        assert!(!backfill.seen_before(1, 11), "newer news waits a poll again");
        assert!(!backfill.seen_before(2, 11), "per conversation");
        for id in 0..KNOWN_POSITIONS as u64 {
            backfill.seen_before(id + 3, 1);
        }
        assert!(backfill.pending.lock().unwrap().len() <= KNOWN_POSITIONS);
    }

    #[test]
    fn known_positions_only_rise_and_are_bounded() {
        let backfill = Backfill::new(Arc::new(deskwire_core::store::MemoryStore::new()));
        assert_eq!(backfill.known(1), None);
        backfill.remember(1, 10);
        backfill.remember(1, 7);
        assert_eq!(backfill.known(1), Some(10));
        for id in 0..KNOWN_POSITIONS as u64 {
            backfill.remember(id + 2, 1);
        }
        assert!(backfill.known.lock().unwrap().len() <= KNOWN_POSITIONS);
    }

    #[test]
    fn every_conversation_id_has_a_stripe_and_neighbours_differ() {
        for id in [0, 1, 63, 64, 301, 4_096, 1 << 40, u64::MAX] {
            assert!(stripe(id) < LOCKS, "{id}");
        }
        assert_ne!(stripe(301), stripe(302));
        assert_eq!(stripe(301), stripe(301 + LOCKS as u64));
    }
}
