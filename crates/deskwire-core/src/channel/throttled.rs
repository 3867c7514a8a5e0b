//! [`Throttled`]: outbound operations at a steady pace.
//!
//! Each operation that calls the desk (everything but [`Channel::receive`] and
//! [`Channel::restore`]) takes the next free slot, `1 / per_second` after the previous one,
//! and waits for it; callers are served in the order they asked. Unsupported operations still
//! fail at once, without taking a slot.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::*;

/// A channel whose outbound operations are spaced evenly.
#[derive(Debug)]
pub struct Throttled<C> {
    inner: C,
    spacing: Duration,
    next_slot: Mutex<Option<Instant>>,
}

impl<C: Channel> Throttled<C> {
    /// At most `per_second` operations per second (`0` is read as 1).
    pub fn per_second(inner: C, per_second: u32) -> Self {
        Self::every(inner, Duration::from_secs(1) / per_second.max(1))
    }

    /// One operation every `spacing`.
    pub fn every(inner: C, spacing: Duration) -> Self {
        Self {
            inner,
            spacing,
            next_slot: Mutex::new(None),
        }
    }

    /// The wrapped channel.
    pub fn inner(&self) -> &C {
        &self.inner
    }

    async fn slot(&self, operation: Operation) {
        if !self.inner.capabilities().supports(operation) {
            return; // the inner channel refuses at once; no slot needed
        }
        let at = {
            // A poisoned lock only means another caller panicked while holding it; the slot
            // time it guards is still a valid instant.
            let mut next = self.next_slot.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let at = next.map_or(now, |n| n.max(now));
            *next = Some(at + self.spacing);
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

#[async_trait]
impl<C: Channel> Channel for Throttled<C> {
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
        self.slot(Operation::StartConversation).await;
        self.inner.start_conversation(customer, first).await
    }
    async fn send(&self, conversation: &ConversationRef, message: &CustomerMessage) -> Result<Sent, ChannelError> {
        self.slot(Operation::Send).await;
        self.inner.send(conversation, message).await
    }
    async fn typing(&self, conversation: &ConversationRef, typing: &Typing) -> Result<(), ChannelError> {
        self.slot(Operation::Typing).await;
        self.inner.typing(conversation, typing).await
    }
    async fn mark_read(&self, message: &DeskMessageRef) -> Result<(), ChannelError> {
        self.slot(Operation::MarkRead).await;
        self.inner.mark_read(message).await
    }
    async fn close(&self, conversation: &ConversationRef) -> Result<(), ChannelError> {
        self.slot(Operation::Close).await;
        self.inner.close(conversation).await
    }
    async fn accept(&self, request: &InboundRequest) -> Result<Acceptance, ChannelError> {
        self.inner.accept(request).await
    }
    async fn receive(&self, request: InboundRequest) -> Result<Received, ChannelError> {
        self.inner.receive(request).await
    }
    async fn poll(&self) -> Result<Polled, ChannelError> {
        self.slot(Operation::Poll).await;
        self.inner.poll().await
    }
    async fn restore(&self, cursor: &Cursor) -> Result<(), ChannelError> {
        self.inner.restore(cursor).await
    }
}
