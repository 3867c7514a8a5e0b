//! [`Deduplicated`]: each desk event once, recorded only once it is handled.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;

use super::*;
use crate::store::{key, Claim, Lease, Store, StoreError};

/// How long a message identity is remembered by default (a desk's retries and replays come
/// within hours; a week leaves room for restarts and slow backfills).
pub const DEFAULT_MESSAGE_WINDOW: Duration = Duration::from_secs(7 * 24 * 3600);
/// How long a "resolved" or "closed" is remembered by default: long enough for a repeated
/// webhook, short enough that a conversation resolved again after reopening is reported.
pub const DEFAULT_STATUS_WINDOW: Duration = Duration::from_secs(10 * 60);
/// How long an event handed to the application is held by default before another delivery of
/// it may pass: longer than handling takes, short enough that a crashed holder's event comes
/// again soon.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);
/// How often a delivery of an event held elsewhere asks whether its holder settled it.
pub const HELD_POLL: Duration = Duration::from_millis(50);

/// Each desk event once, across desk retries, duplicated webhooks, repeated poll snapshots,
/// restarts and replicas — as far as the [`Store`] it is given reaches — and nothing recorded
/// as seen before the application handled it.
///
/// An event's identity is what the desk means by it: a message's
/// [`identity`](DeskMessage::identity) in its conversation (Chatlake's message id, Engage
/// Digital's answered id — the same for every retry of a create —, Directly's message uuid,
/// Rake Direct's `messageId`), a conversation resolved or closed, each under the channel's
/// [`scope`](Channel::scope) (host, account, inbox), so two tenants never share a key. Typing,
/// read and other events pass untouched.
///
/// **Claim, commit, release.** A first sighting is *claimed* for a lease
/// ([`lease`](Self::lease), 30 s by default) and handed out as an [`Incoming`]. Commit it once
/// the application took it durably (the identity is then remembered for its window), release
/// it when it could not (the desk's redelivery, the next poll or backfill passes it again). A
/// delivery of an event another task or replica holds waits for that holder to settle (up to
/// the lease): dropped if it committed, handed on if it released. A holder that died frees the
/// event when its lease ends. A store that fails lets the event through with nothing to commit
/// (a duplicate is better than a lost message) and logs a warning.
///
/// **Cursors.** Polling channels keep their cursor in the store: `restore` at the first poll
/// (retried at every poll while the store or the restore fails, and nothing saved until it
/// worked), saved once every event of a round — and of every round before it — is committed.
/// An event released from a poll comes first in the next round; so does one another replica
/// holds, until that replica settles it (or its lease ends). An empty cursor is never
/// saved. A cursor of [entries](CursorEntry) (Directly: one per question) is merged into the
/// stored one field by field, the higher version winning, so replicas sharing the store never
/// overwrite each other; restoring hands the channel every stored entry to merge.
///
/// **Order.** Where the desk numbers its messages (Chatlake), a delivery's events come after
/// the ones the channel backfills before them, and a delivery of an event held elsewhere waits
/// for its holder: two replicas receiving one conversation at once still hand its messages over
/// in desk order. Elsewhere, events come in the order they arrive.
///
/// ```
/// use std::sync::Arc;
/// use deskwire_core::channel::{Channel, Deduplicated};
/// use deskwire_core::store::MemoryStore;
/// # fn wrap(channel: impl Channel + 'static) -> Arc<dyn Channel> {
/// Arc::new(Deduplicated::new(channel, Arc::new(MemoryStore::new())))
/// # }
/// ```
#[derive(Debug)]
pub struct Deduplicated<C> {
    inner: C,
    store: Arc<dyn Store>,
    messages: Duration,
    statuses: Duration,
    lease: Duration,
    restored: Mutex<bool>,
    rounds: Arc<Rounds>,
    again: Arc<std::sync::Mutex<VecDeque<Again>>>,
}

/// A poll event released by the application, to hand out again.
#[derive(Debug)]
struct Again {
    event: DeskEvent,
    round: u64,
}

impl<C: Channel> Deduplicated<C> {
    /// Wraps `inner`, remembering identities in `store`.
    pub fn new(inner: C, store: Arc<dyn Store>) -> Self {
        Self {
            inner,
            store,
            messages: DEFAULT_MESSAGE_WINDOW,
            statuses: DEFAULT_STATUS_WINDOW,
            lease: DEFAULT_LEASE,
            restored: Mutex::new(false),
            rounds: Arc::default(),
            again: Arc::default(),
        }
    }

    /// How long a message identity is remembered (the replay window).
    pub fn message_window(mut self, window: Duration) -> Self {
        self.messages = window;
        self
    }

    /// How long a resolved or closed conversation is remembered.
    pub fn status_window(mut self, window: Duration) -> Self {
        self.statuses = window;
        self
    }

    /// How long an event handed out is held before another delivery of it may pass.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// The wrapped channel.
    pub fn inner(&self) -> &C {
        &self.inner
    }

    /// The store key of `event`, and how long it is kept once committed; `None` for events
    /// that always pass.
    pub fn identity(&self, event: &DeskEvent) -> Option<(String, Duration)> {
        let provider = self.inner.provider();
        let scope = self.inner.scope();
        let (kind, conversation, id, ttl) = match event {
            DeskEvent::Message(m) => ("message", m.id.conversation.id(), m.identity(), self.messages),
            DeskEvent::Resolved { conversation } => ("resolved", conversation.id(), "", self.statuses),
            DeskEvent::Closed { conversation } => ("closed", conversation.id(), "", self.statuses),
            _ => return None,
        };
        Some((key([provider, scope.as_str(), kind, conversation, id]), ttl))
    }

    fn cursor_key(&self) -> String {
        key([self.inner.provider(), self.inner.scope().as_str(), "cursor"])
    }

    /// Claims `key`; while someone else holds it and `wait` is set, asks again every
    /// [`HELD_POLL`] until they settle it, up to the lease (a holder that died is past its lease
    /// by then: the last try wins).
    async fn claim(&self, key: &str, wait: bool) -> Result<Claim, StoreError> {
        let first = self.store.claim(key, self.lease).await?;
        if !wait || first != Claim::Held {
            return Ok(first);
        }
        let deadline = tokio::time::Instant::now() + self.lease;
        loop {
            tokio::time::sleep(HELD_POLL).await;
            let claim = self.store.claim(key, self.lease).await?;
            if claim != Claim::Held || tokio::time::Instant::now() > deadline {
                return Ok(claim);
            }
        }
    }

    /// `incoming` with this layer's claim on top, or `None` when it is not to be handed out:
    /// handled already (its inner layers are then committed: they may record their position
    /// past it) or held by someone else (its inner layers are released).
    async fn admit(&self, incoming: Incoming, round: Option<u64>) -> Option<Incoming> {
        let Some((key, ttl)) = self.identity(&incoming.event) else {
            return Some(match round {
                Some(round) => self.in_round(incoming, None, round),
                None => incoming,
            });
        };
        match self.claim(&key, round.is_none()).await {
            Ok(Claim::Won(lease)) => {
                let claim = Some(Claimed {
                    store: Arc::clone(&self.store),
                    key,
                    lease,
                    ttl,
                });
                Some(match round {
                    Some(round) => self.in_round(incoming, claim, round),
                    None => incoming.on_settle(Arc::new(Layer { claim, poll: None })),
                })
            }
            Ok(Claim::Done) => {
                if let Some(round) = round {
                    self.rounds.settled(round, &*self.store, &self.cursor_key()).await;
                }
                if let Err(error) = incoming.ack.commit().await {
                    tracing::warn!(%error, "an inner layer could not record an event handled before");
                }
                None
            }
            Ok(Claim::Held) => {
                // Its holder settles it; a release brings it again (the desk's redelivery or the
                // next backfill). A poll event is asked about again at the next poll, and its
                // round stays open until then: should its holder die, this replica's cursor must
                // not have moved past it.
                match round {
                    Some(round) => self.again.lock().unwrap_or_else(|p| p.into_inner()).push_back(Again {
                        event: incoming.event.clone(),
                        round,
                    }),
                    None => tracing::warn!("an event stayed held past the lease; this delivery of it is dropped"),
                }
                if let Err(error) = incoming.ack.release().await {
                    tracing::warn!(%error, "an inner layer could not release an event held elsewhere");
                }
                None
            }
            Err(error) => {
                tracing::warn!(%error, "the exactly-once store failed; passing the event on");
                Some(match round {
                    Some(round) => self.in_round(incoming, None, round),
                    None => incoming,
                })
            }
        }
    }

    fn in_round(&self, incoming: Incoming, claim: Option<Claimed>, round: u64) -> Incoming {
        let poll = Some(PollOrigin {
            event: incoming.event.clone(),
            round,
            rounds: Arc::clone(&self.rounds),
            again: Arc::clone(&self.again),
            cursor_key: self.cursor_key(),
            store: Arc::clone(&self.store),
        });
        incoming.on_settle(Arc::new(Layer { claim, poll }))
    }

    /// Restores the stored cursor once; `true` when cursors may be saved (restored, or there
    /// was none). A store or restore failure is retried at the next poll.
    async fn restore_once(&self) -> bool {
        let mut restored = self.restored.lock().await;
        if *restored {
            return true;
        }
        let key = self.cursor_key();
        let stored = match (self.store.cursor(&key).await, self.store.entries(&key).await) {
            (Ok(text), Ok(entries)) => Cursor::new(text.unwrap_or_default()).with_entries(entries),
            (Err(error), _) | (_, Err(error)) => {
                tracing::warn!(%error, "the exactly-once store failed; polling without the stored cursor, saving nothing");
                return false;
            }
        };
        if stored.is_empty() {
            *restored = true;
        } else {
            match self.inner.restore(&stored).await {
                Ok(()) => *restored = true,
                Err(error) => {
                    tracing::warn!(%error, "the stored cursor was not restored; polling without it, saving nothing")
                }
            }
        }
        *restored
    }
}

/// This layer's part of an [`Ack`]: the claim, and for poll events the round they came in.
#[derive(Debug)]
struct Layer {
    claim: Option<Claimed>,
    poll: Option<PollOrigin>,
}

#[derive(Debug)]
struct Claimed {
    store: Arc<dyn Store>,
    key: String,
    lease: Lease,
    ttl: Duration,
}

#[derive(Debug)]
struct PollOrigin {
    event: DeskEvent,
    round: u64,
    rounds: Arc<Rounds>,
    again: Arc<std::sync::Mutex<VecDeque<Again>>>,
    cursor_key: String,
    store: Arc<dyn Store>,
}

#[async_trait]
impl Settle for Layer {
    async fn commit(&self) -> Result<(), StoreError> {
        let committed = match &self.claim {
            Some(claim) => claim.store.commit(&claim.key, &claim.lease, claim.ttl).await,
            None => Ok(true),
        };
        if let Ok(false) = committed {
            tracing::warn!("an event was committed after its lease ended and another holder took it: it may be handled twice; raise the lease");
        }
        // Handled, whatever the store said: the round may move past it (a failed record means
        // a possible duplicate, never a loss).
        if let Some(poll) = &self.poll {
            poll.rounds.settled(poll.round, &*poll.store, &poll.cursor_key).await;
        }
        committed.map(|_| ())
    }

    async fn release(&self) -> Result<(), StoreError> {
        if let Some(poll) = &self.poll {
            poll.again.lock().unwrap_or_else(|p| p.into_inner()).push_back(Again {
                event: poll.event.clone(),
                round: poll.round,
            });
        }
        match &self.claim {
            Some(claim) => claim.store.release(&claim.key, &claim.lease).await.map(|_| ()),
            None => Ok(()),
        }
    }
}

/// Poll rounds not yet wholly committed, oldest first. A round's cursor is saved once it and
/// every round before it are committed, so a crash never leaves a saved cursor past an event
/// that was not handled.
#[derive(Debug, Default)]
struct Rounds {
    state: Mutex<RoundsState>,
}

#[derive(Debug, Default)]
struct RoundsState {
    next: u64,
    /// Round → (events not yet committed, its cursor when it may be saved).
    open: BTreeMap<u64, (usize, Option<Cursor>)>,
}

impl Rounds {
    async fn open(&self, events: usize, cursor: Option<Cursor>, store: &dyn Store, cursor_key: &str) -> u64 {
        let mut state = self.state.lock().await;
        let round = state.next;
        state.next += 1;
        state.open.insert(round, (events, cursor));
        Self::save_done(&mut state, store, cursor_key).await;
        round
    }

    /// One event of `round` is committed (or was handled before).
    async fn settled(&self, round: u64, store: &dyn Store, cursor_key: &str) {
        let mut state = self.state.lock().await;
        if let Some((pending, _)) = state.open.get_mut(&round) {
            *pending = pending.saturating_sub(1);
        }
        Self::save_done(&mut state, store, cursor_key).await;
    }

    /// Closes the committed rounds at the front and saves what they reached: the newest text
    /// cursor among them, and every cursor entry of theirs, in order (the store keeps the
    /// highest version of each field).
    async fn save_done(state: &mut RoundsState, store: &dyn Store, cursor_key: &str) {
        let mut text = None;
        let mut entries = Vec::new();
        while let Some(entry) = state.open.first_entry() {
            if entry.get().0 > 0 {
                break;
            }
            if let Some(cursor) = entry.remove().1 {
                if !cursor.as_str().is_empty() {
                    text = Some(cursor.as_str().to_owned());
                }
                entries.extend(cursor.entries().iter().cloned());
            }
        }
        if let Some(text) = text {
            if let Err(error) = store.set_cursor(cursor_key, &text).await {
                tracing::warn!(%error, "the exactly-once store failed; the cursor was not saved");
            }
        }
        if !entries.is_empty() {
            if let Err(error) = store.merge_entries(cursor_key, &entries).await {
                tracing::warn!(%error, "the exactly-once store failed; the cursor's entries were not saved");
            }
        }
    }
}

#[async_trait]
impl<C: Channel> Channel for Deduplicated<C> {
    fn provider(&self) -> &'static str {
        self.inner.provider()
    }
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }
    fn scope(&self) -> String {
        self.inner.scope()
    }
    async fn start_conversation(&self, customer: &Customer, first: &CustomerMessage) -> Result<Started, ChannelError> {
        let started = self.inner.start_conversation(customer, first).await?;
        // Recorded before this returns: a replica that dies now still watches it once restarted.
        if let Some(entry) = &started.watch {
            if let Err(error) = self
                .store
                .merge_entries(&self.cursor_key(), std::slice::from_ref(entry))
                .await
            {
                tracing::warn!(%error, "the exactly-once store failed; the new conversation is watched by this instance only");
            }
        }
        Ok(started)
    }
    async fn send(&self, conversation: &ConversationRef, message: &CustomerMessage) -> Result<Sent, ChannelError> {
        self.inner.send(conversation, message).await
    }
    async fn typing(&self, conversation: &ConversationRef, typing: &Typing) -> Result<(), ChannelError> {
        self.inner.typing(conversation, typing).await
    }
    async fn mark_read(&self, message: &DeskMessageRef) -> Result<(), ChannelError> {
        self.inner.mark_read(message).await
    }
    async fn close(&self, conversation: &ConversationRef) -> Result<(), ChannelError> {
        self.inner.close(conversation).await
    }
    async fn accept(&self, request: &InboundRequest) -> Result<Acceptance, ChannelError> {
        self.inner.accept(request).await
    }
    async fn receive(&self, request: InboundRequest) -> Result<Received, ChannelError> {
        let mut received = self.inner.receive(request).await?;
        let mut passed = Vec::with_capacity(received.events.len());
        for incoming in std::mem::take(&mut received.events) {
            passed.extend(self.admit(incoming, None).await);
        }
        received.events = passed;
        Ok(received)
    }
    async fn poll(&self) -> Result<Polled, ChannelError> {
        let save = self.restore_once().await;
        let mut polled = self.inner.poll().await?;
        let again: Vec<Again> = self.again.lock().unwrap_or_else(|p| p.into_inner()).drain(..).collect();
        let fresh = std::mem::take(&mut polled.events);
        let cursor = save.then(|| polled.cursor.clone());
        let round = self
            .rounds
            .open(fresh.len(), cursor, &*self.store, &self.cursor_key())
            .await;
        let mut passed = Vec::with_capacity(again.len() + fresh.len());
        // Released events first, counted in the round they came in.
        for Again { event, round } in again {
            passed.extend(self.admit(Incoming::new(event), Some(round)).await);
        }
        for incoming in fresh {
            passed.extend(self.admit(incoming, Some(round)).await);
        }
        polled.events = passed;
        Ok(polled)
    }
    async fn restore(&self, cursor: &Cursor) -> Result<(), ChannelError> {
        *self.restored.lock().await = true;
        self.inner.restore(cursor).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex as SyncMutex;

    use super::*;
    use crate::store::MemoryStore;

    fn message(conversation: &str, id: &str, key: Option<&str>) -> DeskEvent {
        let mut m = DeskMessage::new(
            DeskMessageRef::new(ConversationRef::new("x", conversation), id),
            Role::Agent,
            id,
        );
        if let Some(key) = key {
            m = m.key(key);
        }
        DeskEvent::Message(m)
    }

    /// Polls hand out the scripted rounds; receive hands out the body's message id in "1".
    #[derive(Debug, Default)]
    struct Script {
        scope: &'static str,
        rounds: SyncMutex<VecDeque<(Vec<DeskEvent>, &'static str)>>,
        restored: SyncMutex<Vec<String>>,
        restore_fails: bool,
        entries: Vec<crate::store::CursorEntry>,
    }

    impl Script {
        fn rounds(rounds: impl IntoIterator<Item = (Vec<DeskEvent>, &'static str)>) -> Self {
            Self {
                rounds: SyncMutex::new(rounds.into_iter().collect()),
                ..Self::default()
            }
        }
    }

    #[async_trait]
    impl Channel for Script {
        fn provider(&self) -> &'static str {
            "x"
        }
        fn capabilities(&self) -> Capabilities {
            Capabilities::none().with(Operation::Receive)
        }
        fn scope(&self) -> String {
            self.scope.into()
        }
        async fn start_conversation(&self, _: &Customer, _: &CustomerMessage) -> Result<Started, ChannelError> {
            Err(ChannelError::unsupported("x", Operation::StartConversation))
        }
        async fn send(&self, _: &ConversationRef, _: &CustomerMessage) -> Result<Sent, ChannelError> {
            Err(ChannelError::unsupported("x", Operation::Send))
        }
        async fn receive(&self, request: InboundRequest) -> Result<Received, ChannelError> {
            let id = String::from_utf8_lossy(&request.body).into_owned();
            Ok(Received::new(
                vec![message("1", &id, None)],
                InboundResponse::empty(http::StatusCode::OK),
            ))
        }
        async fn poll(&self) -> Result<Polled, ChannelError> {
            let (events, cursor) = self.rounds.lock().unwrap().pop_front().unwrap_or_default();
            let cursor = Cursor::new(cursor).with_entries(self.entries.clone());
            Ok(Polled::new(events, Vec::new(), cursor))
        }
        async fn restore(&self, cursor: &Cursor) -> Result<(), ChannelError> {
            self.restored.lock().unwrap().push(cursor.to_string());
            if self.restore_fails {
                Err(ChannelError::unsupported("x", Operation::Poll))
            } else {
                Ok(())
            }
        }
    }

    fn texts(events: &[Incoming]) -> Vec<String> {
        events
            .iter()
            .map(|i| match &i.event {
                DeskEvent::Message(m) => m.text.clone(),
                other => format!("{:?}", other.kind()),
            })
            .collect()
    }

    #[test]
    fn the_documented_defaults() {
        assert_eq!(DEFAULT_MESSAGE_WINDOW, Duration::from_secs(604_800), "a week");
        assert_eq!(DEFAULT_STATUS_WINDOW, Duration::from_secs(600), "ten minutes");
        assert_eq!(DEFAULT_LEASE, Duration::from_secs(30));
    }

    #[test]
    fn identities_are_scoped_length_prefixed_and_per_conversation_and_key() {
        let d = Deduplicated::new(
            Script {
                scope: "host/1",
                ..Script::default()
            },
            Arc::new(MemoryStore::new()),
        );
        let id = |e: &DeskEvent| d.identity(e).map(|(k, ttl)| (k, ttl.as_secs()));
        let week = DEFAULT_MESSAGE_WINDOW.as_secs();
        assert_eq!(
            id(&message("1", "r", Some("m1"))),
            Some(("1:x6:host/17:message1:12:m1".into(), week))
        );
        assert_eq!(
            id(&message("1", "7", None)),
            Some(("1:x6:host/17:message1:11:7".into(), week))
        );
        let resolved = DeskEvent::Resolved {
            conversation: ConversationRef::new("x", "1"),
        };
        let closed = DeskEvent::Closed {
            conversation: ConversationRef::new("x", "1"),
        };
        let status = DEFAULT_STATUS_WINDOW.as_secs();
        assert_eq!(id(&resolved), Some(("1:x6:host/18:resolved1:10:".into(), status)));
        assert_eq!(id(&closed), Some(("1:x6:host/16:closed1:10:".into(), status)));
        let typing = DeskEvent::AgentTyping {
            conversation: ConversationRef::new("x", "1"),
            on: true,
        };
        assert_eq!(id(&typing), None, "typing always passes");
        let other = Deduplicated::new(
            Script {
                scope: "host/2",
                ..Script::default()
            },
            Arc::new(MemoryStore::new()),
        );
        assert_ne!(d.identity(&resolved), other.identity(&resolved), "another account's #1");
        let short = Deduplicated::new(Script::default(), Arc::new(MemoryStore::new()))
            .message_window(Duration::from_secs(5))
            .status_window(Duration::from_secs(6));
        assert_eq!(short.identity(&message("1", "7", None)).unwrap().1.as_secs(), 5);
        assert_eq!(short.identity(&closed).unwrap().1.as_secs(), 6);
        assert_eq!(d.cursor_key(), "1:x6:host/16:cursor");
    }

    #[tokio::test]
    async fn provider_capabilities_and_scope_are_the_inner_channels() {
        let inner = Script {
            scope: "host/1",
            ..Script::default()
        };
        let d = Deduplicated::new(inner, Arc::new(MemoryStore::new()));
        assert_eq!((d.provider(), d.scope().as_str()), ("x", "host/1"));
        assert_eq!(d.capabilities(), Capabilities::none().with(Operation::Receive));
    }

    #[tokio::test]
    async fn outbound_operations_and_restore_reach_the_inner_channel() {
        let d = Deduplicated::new(Script::default(), Arc::new(MemoryStore::new()));
        let conversation = ConversationRef::new("x", "1");
        let unsupported = |r: Result<(), ChannelError>, op: Operation| {
            assert!(matches!(r, Err(ChannelError::Unsupported { operation, .. }) if operation == op));
        };
        let first = CustomerMessage::text("hi");
        unsupported(
            d.start_conversation(&Customer::new("c"), &first).await.map(|_| ()),
            Operation::StartConversation,
        );
        unsupported(d.send(&conversation, &first).await.map(|_| ()), Operation::Send);
        unsupported(d.typing(&conversation, &Typing::on()).await, Operation::Typing);
        unsupported(
            d.mark_read(&DeskMessageRef::new(conversation.clone(), "m")).await,
            Operation::MarkRead,
        );
        unsupported(d.close(&conversation).await, Operation::Close);
        d.restore(&Cursor::new("given")).await.unwrap();
        d.poll().await.unwrap();
        assert_eq!(
            *d.inner().restored.lock().unwrap(),
            ["given"],
            "restored once, by the caller"
        );
    }

    #[tokio::test]
    async fn cursor_entries_are_merged_when_the_round_is_committed_and_restored_at_a_restart() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let script = Script {
            entries: vec![crate::store::CursorEntry::new("q1", 5, "p1")],
            rounds: SyncMutex::new([(vec![message("1", "a", None)], "")].into_iter().collect()),
            ..Script::default()
        };
        let d = Deduplicated::new(script, Arc::clone(&store));
        let key = d.cursor_key();
        let events = d.poll().await.unwrap().events;
        assert!(store.entries(&key).await.unwrap().is_empty(), "not before the commit");
        commit_all(events).await.unwrap();
        assert_eq!(
            store.entries(&key).await.unwrap(),
            [crate::store::CursorEntry::new("q1", 5, "p1")]
        );
        let restarted = Deduplicated::new(Script::default(), Arc::clone(&store));
        restarted.poll().await.unwrap();
        assert_eq!(
            *restarted.inner().restored.lock().unwrap(),
            [" q1@5"],
            "entries handed to restore"
        );
    }

    #[tokio::test]
    async fn a_released_delivery_passes_again_and_a_committed_one_does_not() {
        let d = Deduplicated::new(Script::default(), Arc::new(MemoryStore::new()));
        let got = d.receive(InboundRequest::post("m1")).await.unwrap().events;
        assert_eq!(texts(&got), ["m1"]);
        for incoming in got {
            incoming.release().await.unwrap();
        }
        let got = d.receive(InboundRequest::post("m1")).await.unwrap().events;
        assert_eq!(texts(&got), ["m1"], "released: the redelivery passes");
        for incoming in got {
            incoming.commit().await.unwrap();
        }
        assert!(d.receive(InboundRequest::post("m1")).await.unwrap().events.is_empty());
    }

    #[tokio::test]
    async fn a_delivery_of_a_held_event_waits_for_its_holder() {
        let d =
            Arc::new(Deduplicated::new(Script::default(), Arc::new(MemoryStore::new())).lease(Duration::from_secs(5)));
        let held = d.receive(InboundRequest::post("m1")).await.unwrap().events;
        let second = tokio::spawn({
            let d = Arc::clone(&d);
            async move { d.receive(InboundRequest::post("m1")).await.unwrap().events }
        });
        // Several polls go by while the first holder works.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!second.is_finished(), "waits while the first holder works");
        for incoming in held {
            incoming.release().await.unwrap();
        }
        // Taken as soon as the holder let go, not when its 5 s lease ends.
        let got = tokio::time::timeout(Duration::from_secs(2), second)
            .await
            .expect("the waiting delivery noticed the release")
            .unwrap();
        assert_eq!(texts(&got), ["m1"], "the holder released: this delivery takes it");
        let third = tokio::spawn({
            let d = Arc::clone(&d);
            async move { d.receive(InboundRequest::post("m1")).await.unwrap().events }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        for incoming in got {
            incoming.commit().await.unwrap();
        }
        assert!(third.await.unwrap().is_empty(), "the holder committed: dropped");
    }

    /// A store where every key is held by someone else, for ever.
    #[derive(Debug)]
    struct AlwaysHeld;

    #[async_trait]
    impl Store for AlwaysHeld {
        async fn claim(&self, _: &str, _: Duration) -> Result<Claim, StoreError> {
            Ok(Claim::Held)
        }
        async fn commit(&self, _: &str, _: &Lease, _: Duration) -> Result<bool, StoreError> {
            Ok(false)
        }
        async fn release(&self, _: &str, _: &Lease) -> Result<bool, StoreError> {
            Ok(false)
        }
        async fn cursor(&self, _: &str) -> Result<Option<String>, StoreError> {
            Ok(None)
        }
        async fn set_cursor(&self, _: &str, _: &str) -> Result<(), StoreError> {
            Ok(())
        }
        async fn raise(&self, _: &str, value: u64, _: Duration) -> Result<u64, StoreError> {
            Ok(value)
        }
        async fn position(&self, _: &str) -> Result<u64, StoreError> {
            Ok(0)
        }
        async fn merge_entries(&self, _: &str, _: &[crate::store::CursorEntry]) -> Result<(), StoreError> {
            Ok(())
        }
        async fn entries(&self, _: &str) -> Result<Vec<crate::store::CursorEntry>, StoreError> {
            Ok(Vec::new())
        }
    }

    #[tokio::test]
    async fn a_delivery_waits_no_longer_than_the_lease_for_a_holder_that_keeps_its_claim() {
        let d = Deduplicated::new(Script::default(), Arc::new(AlwaysHeld)).lease(Duration::from_millis(200));
        let started = tokio::time::Instant::now();
        let got = tokio::time::timeout(Duration::from_secs(5), d.receive(InboundRequest::post("m1")))
            .await
            .expect("gave up at the end of the lease")
            .unwrap();
        assert!(got.events.is_empty(), "dropped: its holder settles it");
        assert!(started.elapsed() >= Duration::from_millis(200), "waited the lease out");
    }

    #[tokio::test]
    async fn a_holder_that_never_settles_frees_the_event_when_its_lease_ends() {
        let d = Deduplicated::new(Script::default(), Arc::new(MemoryStore::new())).lease(Duration::from_millis(30));
        let _held = d.receive(InboundRequest::post("m1")).await.unwrap().events;
        let store_key = d.identity(&message("1", "m1", None)).unwrap().0;
        let started = std::time::Instant::now();
        let got = d.receive(InboundRequest::post("m1")).await.unwrap().events;
        // The first lease ended within the wait, so the second delivery took it.
        assert_eq!(texts(&got), ["m1"]);
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(matches!(
            d.store.claim(&store_key, Duration::from_secs(1)).await.unwrap(),
            Claim::Held
        ));
    }

    #[tokio::test]
    async fn the_cursor_is_saved_once_every_event_of_the_round_and_before_is_committed() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let script = Script::rounds([
            (vec![message("1", "a", None), message("1", "b", None)], "c1"),
            (vec![message("1", "c", None)], "c2"),
            (vec![], ""),
            (vec![], "c4"),
        ]);
        let d = Deduplicated::new(script, Arc::clone(&store));
        let key = d.cursor_key();
        let mut first = d.poll().await.unwrap().events.into_iter();
        let second = d.poll().await.unwrap().events;
        for incoming in second {
            incoming.commit().await.unwrap();
        }
        assert_eq!(store.cursor(&key).await.unwrap(), None, "round 1 is not committed yet");
        first.next().unwrap().commit().await.unwrap();
        assert_eq!(store.cursor(&key).await.unwrap(), None);
        // Released: it comes first in the next round, and round 1 stays open until it is committed.
        first.next().unwrap().release().await.unwrap();
        let third = d.poll().await.unwrap().events;
        assert_eq!(texts(&third), ["b"]);
        assert_eq!(store.cursor(&key).await.unwrap(), None);
        for incoming in third {
            incoming.commit().await.unwrap();
        }
        assert_eq!(
            store.cursor(&key).await.unwrap().as_deref(),
            Some("c2"),
            "rounds 1 to 3 committed; round 3's empty cursor is not saved"
        );
        assert!(d.poll().await.unwrap().events.is_empty());
        assert_eq!(
            store.cursor(&key).await.unwrap().as_deref(),
            Some("c4"),
            "an empty round saves at once"
        );
    }

    #[tokio::test]
    async fn a_restart_restores_the_saved_cursor_once_and_never_an_empty_one() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let first = Deduplicated::new(Script::rounds([(vec![], "")]), Arc::clone(&store));
        first.poll().await.unwrap();
        let second = Deduplicated::new(Script::rounds([(vec![], "c1"), (vec![], "c2")]), Arc::clone(&store));
        second
            .poll()
            .await
            .expect("an empty cursor was neither saved nor restored");
        assert!(second.inner().restored.lock().unwrap().is_empty());
        second.poll().await.unwrap();
        let third = Deduplicated::new(Script::default(), Arc::clone(&store));
        third.poll().await.unwrap();
        third.poll().await.unwrap();
        assert_eq!(*third.inner().restored.lock().unwrap(), ["c2"], "restored once");
    }

    #[tokio::test]
    async fn a_failed_restore_is_retried_and_nothing_is_saved_over_the_stored_cursor() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let d = Deduplicated::new(Script::default(), Arc::clone(&store));
        store.set_cursor(&d.cursor_key(), "kept").await.unwrap();
        let failing = Deduplicated::new(
            Script {
                restore_fails: true,
                rounds: SyncMutex::new([(vec![], "new")].into_iter().collect()),
                ..Script::default()
            },
            Arc::clone(&store),
        );
        failing.poll().await.expect("polling goes on");
        failing.poll().await.unwrap();
        assert_eq!(
            *failing.inner().restored.lock().unwrap(),
            ["kept", "kept"],
            "tried at every poll"
        );
        assert_eq!(store.cursor(&d.cursor_key()).await.unwrap().as_deref(), Some("kept"));
    }

    #[tokio::test]
    async fn events_handled_before_commit_their_inner_layers_and_held_ones_release_them() {
        #[derive(Debug)]
        struct Inner(Arc<SyncMutex<Vec<&'static str>>>);
        #[async_trait]
        impl Settle for Inner {
            async fn commit(&self) -> Result<(), StoreError> {
                self.0.lock().unwrap().push("inner commit");
                Ok(())
            }
            async fn release(&self) -> Result<(), StoreError> {
                self.0.lock().unwrap().push("inner release");
                Ok(())
            }
        }
        let log = Arc::new(SyncMutex::new(Vec::new()));
        let d = Deduplicated::new(Script::default(), Arc::new(MemoryStore::new()));
        let with_inner = || Incoming::new(message("1", "m", None)).on_settle(Arc::new(Inner(Arc::clone(&log))));
        let first = d.admit(with_inner(), None).await.unwrap();
        let round = d.rounds.open(1, None, &*d.store, "k").await;
        assert!(
            d.admit(with_inner(), Some(round)).await.is_none(),
            "held: not handed out twice"
        );
        assert_eq!(*log.lock().unwrap(), ["inner release"]);
        first.commit().await.unwrap();
        assert_eq!(*log.lock().unwrap(), ["inner release", "inner commit"]);
        assert!(d.admit(with_inner(), None).await.is_none(), "done");
        assert_eq!(*log.lock().unwrap(), ["inner release", "inner commit", "inner commit"]);
    }

    #[tokio::test]
    async fn a_poll_event_held_by_a_replica_that_dies_comes_at_a_later_poll_and_holds_the_cursor() {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let lease = Duration::from_millis(100);
        let a = Deduplicated::new(
            Script::rounds([(vec![message("1", "m", None)], "c1")]),
            Arc::clone(&store),
        )
        .lease(lease);
        let b = Deduplicated::new(
            Script::rounds([(vec![message("1", "m", None)], "c1"), (vec![], "c2"), (vec![], "c3")]),
            Arc::clone(&store),
        )
        .lease(lease);
        let key = b.cursor_key();
        // Replica A claims it, then dies without settling (nothing runs its drop).
        let held = a.poll().await.unwrap().events;
        std::mem::forget(held);
        assert!(b.poll().await.unwrap().events.is_empty(), "held by A");
        assert_eq!(
            store.cursor(&key).await.unwrap(),
            None,
            "B's cursor waits for A's event"
        );
        tokio::time::sleep(lease * 2).await;
        let got = b.poll().await.unwrap().events;
        assert_eq!(texts(&got), ["m"], "A's lease ended: B hands it out");
        assert_eq!(store.cursor(&key).await.unwrap(), None);
        commit_all(got).await.unwrap();
        assert_eq!(store.cursor(&key).await.unwrap().as_deref(), Some("c2"));
        assert!(b.poll().await.unwrap().events.is_empty(), "once");
    }
}
