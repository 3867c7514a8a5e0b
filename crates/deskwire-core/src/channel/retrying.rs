//! [`Retrying`]: the core [`RetryPolicy`] around whole channel operations.
//!
//! Which layer retries what, so that retries never multiply:
//!
//! * a provider **client** retries one HTTP request by its own policy (transport failures, 429,
//!   5xx; creates only when nothing was sent), and reports how many attempts it made;
//! * **`Retrying`** retries a whole *operation* only after a failure the provider error marks
//!   retryable ([`ProviderError::is_retryable`](crate::ProviderError::is_retryable): never a
//!   refusal, a validation, configuration, encoding or credential failure), by the same repeat
//!   rules — `start_conversation` and `send` only when nothing reached the desk, typing,
//!   marking read, closing and polling after any retryable failure — and its policy's
//!   `max_attempts` is the budget of **HTTP attempts** for the operation, the client's included.
//!   A client that already spent three attempts leaves a `Retrying` of three nothing to add; with
//!   clients built with [`RetryPolicy::never`], `Retrying` does the retrying.
//!
//! Webhook handling is never repeated (the desk retries its own deliveries), nor is an
//! [`ChannelError::Incomplete`] start (the conversation exists; send the message into it).

use std::time::Duration;

use super::*;
use crate::retry::{drive, Decision, Outcome, Repeat, RetryPolicy};
use crate::{Delivery, TransportErrorKind};

/// A channel whose operations are retried with a [`RetryPolicy`].
#[derive(Debug, Clone)]
pub struct Retrying<C> {
    inner: C,
    policy: RetryPolicy,
}

impl<C> Retrying<C> {
    /// Wraps `inner`.
    pub fn new(inner: C, policy: RetryPolicy) -> Self {
        Self { inner, policy }
    }

    /// The wrapped channel.
    pub fn inner(&self) -> &C {
        &self.inner
    }

    async fn run<T, F, Fut>(&self, repeat: Repeat, mut attempt: F) -> Result<T, ChannelError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, ChannelError>>,
    {
        let policy = self.policy;
        let mut spent = 0u32;
        drive(
            |_| {
                let fut = attempt();
                async move {
                    let result = fut.await;
                    let (outcome, retry_after) = match &result {
                        Ok(_) => (Outcome::Status(200), None),
                        Err(e) => outcome_of(e),
                    };
                    (outcome, retry_after, result)
                }
            },
            |n, outcome, retry_after, error: &ChannelError| match error {
                ChannelError::Provider {
                    retryable: true,
                    attempts,
                    ..
                } => {
                    spent += (*attempts).max(1);
                    if spent >= policy.max_attempts {
                        return Decision::Stop;
                    }
                    policy.decide_with_random_jitter(n, outcome, retry_after, repeat)
                }
                _ => Decision::Stop,
            },
        )
        .await
    }
}

/// How a retryable provider failure reads to the policy: its status when the desk answered,
/// else what its delivery says about the connection (a client-side throttle has not sent
/// anything; a broken connection may have).
fn outcome_of(error: &ChannelError) -> (Outcome, Option<Duration>) {
    match error {
        ChannelError::Provider {
            status: Some(status),
            retry_after,
            ..
        } => (Outcome::Status(*status), *retry_after),
        // No answer: a client-side refusal (e.g. a typing limit, which says when to retry)
        // or a connection that failed before or after sending.
        ChannelError::Provider {
            delivery, retry_after, ..
        } => (
            Outcome::Transport(match delivery {
                Delivery::NotSent => TransportErrorKind::Connect,
                _ => TransportErrorKind::Interrupted,
            }),
            *retry_after,
        ),
        _ => (Outcome::Status(400), None),
    }
}

#[async_trait]
impl<C: Channel> Channel for Retrying<C> {
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
        self.run(Repeat::OnlyIfNotSent, || self.inner.start_conversation(customer, first))
            .await
    }
    async fn send(&self, conversation: &ConversationRef, message: &CustomerMessage) -> Result<Sent, ChannelError> {
        self.run(Repeat::OnlyIfNotSent, || self.inner.send(conversation, message))
            .await
    }
    async fn typing(&self, conversation: &ConversationRef, typing: &Typing) -> Result<(), ChannelError> {
        self.run(Repeat::Safe, || self.inner.typing(conversation, typing)).await
    }
    async fn mark_read(&self, message: &DeskMessageRef) -> Result<(), ChannelError> {
        self.run(Repeat::Safe, || self.inner.mark_read(message)).await
    }
    async fn close(&self, conversation: &ConversationRef) -> Result<(), ChannelError> {
        self.run(Repeat::Safe, || self.inner.close(conversation)).await
    }
    async fn accept(&self, request: &InboundRequest) -> Result<Acceptance, ChannelError> {
        self.inner.accept(request).await
    }
    async fn receive(&self, request: InboundRequest) -> Result<Received, ChannelError> {
        self.inner.receive(request).await
    }
    async fn poll(&self) -> Result<Polled, ChannelError> {
        self.run(Repeat::Safe, || self.inner.poll()).await
    }
    async fn restore(&self, cursor: &Cursor) -> Result<(), ChannelError> {
        self.inner.restore(cursor).await
    }
}
