//! [`Deduplicated`]: each desk event once.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;

use super::*;
use crate::store::Store;

/// How long a message identity is remembered by default (a desk's retries and replays come
/// within hours; a week leaves room for restarts and slow backfills).
pub const DEFAULT_MESSAGE_WINDOW: Duration = Duration::from_secs(7 * 24 * 3600);
/// How long a "resolved" or "closed" is remembered by default: long enough for a repeated
/// webhook, short enough that a conversation resolved again after reopening is reported.
pub const DEFAULT_STATUS_WINDOW: Duration = Duration::from_secs(10 * 60);

/// Each desk event once, across desk retries, duplicated webhooks, repeated
/// poll snapshots, restarts and replicas — as far as the [`Store`] it is given reaches.
///
/// An event's identity is what the desk means by it: a message's
/// [`identity`](DeskMessage::identity) in its conversation (Chatlake's message id, Engage
/// Digital's answered id — the same for every retry of a create —, Directly's message uuid,
/// Rake Direct's `messageId` or a digest of the delivery), a conversation resolved or closed.
/// Typing, read and other events pass untouched. The first sighting passes; the same identity
/// within the window is dropped. Deliveries without a timestamp (Engage Digital, Rake Direct)
/// get the same treatment: the window is the replay window.
///
/// An event is marked when `receive` or `poll` returns it: hand it on durably before you
/// acknowledge, and when handling fails, [`forget`](Deduplicated::forget) it so that the desk's
/// redelivery (or the next backfill) passes. A store that fails lets the event through (a
/// duplicate is better than a lost message) and logs a warning. Polling channels also keep their cursor in the store (`restore` at the first
/// poll, saved after every poll), so a restart resumes where the last instance stopped.
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
    restored: Mutex<bool>,
}

impl<C: Channel> Deduplicated<C> {
    /// Wraps `inner`, remembering identities in `store`.
    pub fn new(inner: C, store: Arc<dyn Store>) -> Self {
        Self {
            inner,
            store,
            messages: DEFAULT_MESSAGE_WINDOW,
            statuses: DEFAULT_STATUS_WINDOW,
            restored: Mutex::new(false),
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

    /// The wrapped channel.
    pub fn inner(&self) -> &C {
        &self.inner
    }

    /// The store key of `event`, and how long it is kept; `None` for events that always pass.
    pub fn identity(&self, event: &DeskEvent) -> Option<(String, Duration)> {
        let provider = self.inner.provider();
        match event {
            DeskEvent::Message(m) => Some((
                format!("{provider}:message:{}:{}", m.id.conversation.id(), m.identity()),
                self.messages,
            )),
            DeskEvent::Resolved { conversation } => {
                Some((format!("{provider}:resolved:{}", conversation.id()), self.statuses))
            }
            DeskEvent::Closed { conversation } => {
                Some((format!("{provider}:closed:{}", conversation.id()), self.statuses))
            }
            _ => None,
        }
    }

    /// The events of `events` seen for the first time.
    pub async fn first_sightings(&self, events: Vec<DeskEvent>) -> Vec<DeskEvent> {
        let mut passed = Vec::with_capacity(events.len());
        for event in events {
            let Some((key, ttl)) = self.identity(&event) else {
                passed.push(event);
                continue;
            };
            match self.store.first_sighting(&key, ttl).await {
                Ok(true) => passed.push(event),
                Ok(false) => {}
                Err(error) => {
                    tracing::warn!(%error, "the exactly-once store failed; passing the event on");
                    passed.push(event);
                }
            }
        }
        passed
    }

    /// Forgets `event`: its next sighting passes again (call it when handling it failed).
    pub async fn forget(&self, event: &DeskEvent) -> Result<(), crate::store::StoreError> {
        match self.identity(event) {
            Some((key, _)) => self.store.forget(&key).await,
            None => Ok(()),
        }
    }

    fn cursor_key(&self) -> String {
        format!("{}:cursor", self.inner.provider())
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
    async fn start_conversation(&self, customer: &Customer, first: &CustomerMessage) -> Result<Started, ChannelError> {
        self.inner.start_conversation(customer, first).await
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
    async fn receive(&self, request: InboundRequest) -> Result<Received, ChannelError> {
        let mut received = self.inner.receive(request).await?;
        received.events = self.first_sightings(std::mem::take(&mut received.events)).await;
        Ok(received)
    }
    async fn poll(&self) -> Result<Polled, ChannelError> {
        {
            let mut restored = self.restored.lock().await;
            if !*restored {
                match self.store.cursor(&self.cursor_key()).await {
                    Ok(Some(saved)) => self.inner.restore(&Cursor::new(saved)).await?,
                    Ok(None) => {}
                    Err(error) => tracing::warn!(%error, "the exactly-once store failed; polling from the start"),
                }
                *restored = true;
            }
        }
        let mut polled = self.inner.poll().await?;
        polled.events = self.first_sightings(std::mem::take(&mut polled.events)).await;
        if let Err(error) = self.store.set_cursor(&self.cursor_key(), polled.cursor.as_str()).await {
            tracing::warn!(%error, "the exactly-once store failed; the cursor was not saved");
        }
        Ok(polled)
    }
    async fn restore(&self, cursor: &Cursor) -> Result<(), ChannelError> {
        *self.restored.lock().await = true;
        self.inner.restore(cursor).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    fn message(conversation: &str, id: &str, key: Option<&str>) -> DeskEvent {
        let mut m = DeskMessage::new(
            DeskMessageRef::new(ConversationRef::new("x", conversation), id),
            Role::Agent,
            "hi",
        );
        if let Some(key) = key {
            m = m.key(key);
        }
        DeskEvent::Message(m)
    }

    #[derive(Debug)]
    struct Null;

    #[async_trait]
    impl Channel for Null {
        fn provider(&self) -> &'static str {
            "x"
        }
        fn capabilities(&self) -> Capabilities {
            Capabilities::none()
        }
        async fn start_conversation(&self, _: &Customer, _: &CustomerMessage) -> Result<Started, ChannelError> {
            Err(ChannelError::unsupported("x", Operation::StartConversation))
        }
        async fn send(&self, _: &ConversationRef, _: &CustomerMessage) -> Result<Sent, ChannelError> {
            Err(ChannelError::unsupported("x", Operation::Send))
        }
    }

    #[tokio::test]
    async fn identities_pass_once_per_conversation_and_key_and_forget_lets_one_again() {
        let d = Deduplicated::new(Null, Arc::new(MemoryStore::new()));
        let typing = DeskEvent::AgentTyping {
            conversation: ConversationRef::new("x", "1"),
            on: true,
        };
        let events = vec![
            message("1", "r", Some("m1")),
            message("1", "r", Some("m2")), // the same response, another message: passes
            message("1", "r", Some("m1")), // a repeat: dropped
            message("2", "r", Some("m1")), // another conversation: passes
            message("1", "7", None),
            message("1", "7", None),
            typing.clone(),
            typing.clone(), // never de-duplicated
            DeskEvent::Resolved {
                conversation: ConversationRef::new("x", "1"),
            },
            DeskEvent::Resolved {
                conversation: ConversationRef::new("x", "1"),
            },
        ];
        let passed = d.first_sightings(events).await;
        assert_eq!(passed.len(), 7, "{passed:?}");
        assert_eq!(d.first_sightings(vec![message("1", "7", None)]).await.len(), 0);
        d.forget(&message("1", "7", None)).await.unwrap();
        assert_eq!(d.first_sightings(vec![message("1", "7", None)]).await.len(), 1);
        assert_eq!(
            d.identity(&message("1", "r", Some("m1"))).map(|(k, _)| k).as_deref(),
            Some("x:message:1:m1")
        );
    }
}
