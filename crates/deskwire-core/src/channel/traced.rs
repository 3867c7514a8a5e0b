//! [`Traced`]: a `tracing` span around every operation.
//!
//! The span `deskwire.channel` carries the provider, the operation and the conversation's id
//! — never its context (which may hold an email address) and never message text. Failures are
//! logged at `warn` with whether the desk may have acted.

use tracing::Instrument as _;

use super::*;

/// A channel whose operations each run in a `deskwire.channel` span.
#[derive(Debug, Clone)]
pub struct Traced<C> {
    inner: C,
}

impl<C: Channel> Traced<C> {
    /// Wraps `inner`.
    pub fn new(inner: C) -> Self {
        Self { inner }
    }

    /// The wrapped channel.
    pub fn inner(&self) -> &C {
        &self.inner
    }

    async fn traced<T>(
        &self,
        operation: &'static str,
        conversation: Option<&str>,
        fut: impl std::future::Future<Output = Result<T, ChannelError>>,
    ) -> Result<T, ChannelError> {
        let span = tracing::info_span!(
            "deskwire.channel",
            provider = self.inner.provider(),
            operation,
            conversation = conversation.unwrap_or(""),
        );
        async move {
            let result = fut.await;
            match &result {
                Ok(_) => tracing::debug!("done"),
                Err(error) => tracing::warn!(%error, delivery = ?error.delivery(), "failed"),
            }
            result
        }
        .instrument(span)
        .await
    }
}

#[async_trait]
impl<C: Channel> Channel for Traced<C> {
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
        self.traced(
            "start_conversation",
            None,
            self.inner.start_conversation(customer, first),
        )
        .await
    }
    async fn send(&self, conversation: &ConversationRef, message: &CustomerMessage) -> Result<Sent, ChannelError> {
        self.traced("send", Some(conversation.id()), self.inner.send(conversation, message))
            .await
    }
    async fn typing(&self, conversation: &ConversationRef, typing: &Typing) -> Result<(), ChannelError> {
        self.traced(
            "typing",
            Some(conversation.id()),
            self.inner.typing(conversation, typing),
        )
        .await
    }
    async fn mark_read(&self, message: &DeskMessageRef) -> Result<(), ChannelError> {
        self.traced(
            "mark_read",
            Some(message.conversation.id()),
            self.inner.mark_read(message),
        )
        .await
    }
    async fn close(&self, conversation: &ConversationRef) -> Result<(), ChannelError> {
        self.traced("close", Some(conversation.id()), self.inner.close(conversation))
            .await
    }
    async fn accept(&self, request: &InboundRequest) -> Result<Acceptance, ChannelError> {
        self.traced("accept", None, self.inner.accept(request)).await
    }
    async fn receive(&self, request: InboundRequest) -> Result<Received, ChannelError> {
        self.traced("receive", None, self.inner.receive(request)).await
    }
    async fn poll(&self) -> Result<Polled, ChannelError> {
        self.traced("poll", None, self.inner.poll()).await
    }
    async fn restore(&self, cursor: &Cursor) -> Result<(), ChannelError> {
        self.traced("restore", None, self.inner.restore(cursor)).await
    }
}
