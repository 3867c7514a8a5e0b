//! The channel wrappers and the trait's defaults, on a scripted in-memory channel.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use deskwire_core::channel::*;
use deskwire_core::retry::RetryPolicy;
use deskwire_core::Delivery;

/// Answers each call with the next scripted result and records the calls.
/// A scripted outcome: success, or (delivery, status, retryable, attempts the client made).
type Step = Result<(), (Delivery, Option<u16>, bool, u32)>;

#[derive(Debug, Default)]
struct Scripted {
    results: Mutex<VecDeque<Step>>,
    calls: Mutex<Vec<&'static str>>,
}

impl Scripted {
    fn new(results: impl IntoIterator<Item = Step>) -> Self {
        Self {
            results: Mutex::new(results.into_iter().collect()),
            calls: Mutex::default(),
        }
    }

    fn next(&self, op: &'static str) -> Result<(), ChannelError> {
        self.calls.lock().unwrap().push(op);
        match self.results.lock().unwrap().pop_front().unwrap_or(Ok(())) {
            Ok(()) => Ok(()),
            Err((delivery, status, retryable, attempts)) => Err(ChannelError::Provider {
                provider: "scripted",
                delivery,
                status,
                retry_after: None,
                retryable,
                attempts,
                source: "scripted failure".into(),
            }),
        }
    }

    fn calls(&self) -> Vec<&'static str> {
        self.calls.lock().unwrap().clone()
    }
}

#[async_trait]
impl Channel for Scripted {
    fn provider(&self) -> &'static str {
        "scripted"
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::none()
            .with(Operation::StartConversation)
            .with(Operation::Send)
            .with(Operation::Typing)
    }
    async fn start_conversation(&self, customer: &Customer, _: &CustomerMessage) -> Result<Started, ChannelError> {
        self.next("start")?;
        Ok(Started::new(
            ConversationRef::new("scripted", &customer.id),
            Sent::without_id(),
        ))
    }
    async fn send(&self, _: &ConversationRef, _: &CustomerMessage) -> Result<Sent, ChannelError> {
        self.next("send")?;
        Ok(Sent::with_id("m"))
    }
    async fn typing(&self, _: &ConversationRef, _: &Typing) -> Result<(), ChannelError> {
        self.next("typing")
    }
    async fn accept(&self, _: &InboundRequest) -> Result<Acceptance, ChannelError> {
        Ok(Acceptance::Now(InboundResponse::empty(http::StatusCode::ACCEPTED)))
    }
}

fn conv() -> ConversationRef {
    ConversationRef::new("scripted", "c")
}

fn fast() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(2),
        ..RetryPolicy::default()
    }
}

#[tokio::test]
async fn retry_repeats_a_send_only_when_nothing_was_sent() {
    let inner = Arc::new(Scripted::new([Err((Delivery::NotSent, None, true, 1)), Ok(())]));
    let channel = Arc::clone(&inner).with_retry(fast());
    assert_eq!(
        channel.send(&conv(), &CustomerMessage::text("hi")).await.unwrap(),
        Sent::with_id("m")
    );
    assert_eq!(inner.calls(), ["send", "send"]);

    let inner = Arc::new(Scripted::new([Err((Delivery::MaybeDelivered, Some(503), true, 1))]));
    let channel = Arc::clone(&inner).with_retry(fast());
    let error = channel.send(&conv(), &CustomerMessage::text("hi")).await.unwrap_err();
    assert_eq!(error.delivery(), Delivery::MaybeDelivered);
    assert_eq!(inner.calls(), ["send"], "a send that may have arrived is not repeated");
}

#[tokio::test]
async fn retry_repeats_typing_after_a_503_up_to_the_policy() {
    let inner = Arc::new(Scripted::new(std::iter::repeat_n(
        Err((Delivery::MaybeDelivered, Some(503), true, 1)),
        5,
    )));
    let channel = Arc::clone(&inner).with_retry(fast());
    let error = channel.typing(&conv(), &Typing::on()).await.unwrap_err();
    assert!(matches!(error, ChannelError::Provider { status: Some(503), .. }));
    assert_eq!(inner.calls(), ["typing"; 3], "three attempts in all");
}

#[tokio::test]
async fn retry_never_repeats_a_refusal_or_an_unsupported_operation() {
    let inner = Arc::new(Scripted::new([Err((Delivery::Rejected, Some(422), false, 1))]));
    let channel = Arc::clone(&inner).with_retry(fast());
    assert!(channel.send(&conv(), &CustomerMessage::text("x")).await.is_err());
    assert_eq!(inner.calls(), ["send"]);

    let error = channel.close(&conv()).await.unwrap_err();
    assert!(matches!(
        error,
        ChannelError::Unsupported {
            provider: "scripted",
            operation: Operation::Close
        }
    ));
    assert_eq!(error.to_string(), "scripted does not support close; nothing was sent");
}

/// The bug of the split: a permanent failure that sent nothing (a refused token, a logged-out
/// client, a bad configuration, an encoding error) read as a connect failure and was retried.
#[tokio::test]
async fn retry_never_repeats_a_permanent_failure_that_sent_nothing() {
    let inner = Arc::new(Scripted::new([Err((Delivery::NotSent, None, false, 0)), Ok(())]));
    let channel = Arc::clone(&inner).with_retry(fast());
    assert!(channel.typing(&conv(), &Typing::on()).await.is_err());
    assert_eq!(inner.calls(), ["typing"]);
}

/// The policy's `max_attempts` is the budget of HTTP attempts, the client's own included: a
/// client that already tried three times leaves a `Retrying` of three nothing to add.
#[tokio::test]
async fn retries_never_multiply_with_the_clients() {
    let inner = Arc::new(Scripted::new(std::iter::repeat_n(
        Err((Delivery::MaybeDelivered, Some(503), true, 3)),
        5,
    )));
    let channel = Arc::clone(&inner).with_retry(fast());
    assert!(channel.typing(&conv(), &Typing::on()).await.is_err());
    assert_eq!(inner.calls(), ["typing"], "3 client attempts spent the budget of 3");

    let inner = Arc::new(Scripted::new(std::iter::repeat_n(
        Err((Delivery::MaybeDelivered, Some(503), true, 2)),
        5,
    )));
    let channel = Arc::clone(&inner).with_retry(fast());
    assert!(channel.typing(&conv(), &Typing::on()).await.is_err());
    assert_eq!(
        inner.calls(),
        ["typing", "typing"],
        "2 + 2 attempts: one more operation, then stop"
    );
}

#[tokio::test(start_paused = true)]
async fn throttle_spaces_operations_evenly() {
    let channel = Arc::new(Scripted::default().throttled(2));
    let start = tokio::time::Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..3 {
        let channel = Arc::clone(&channel);
        tasks.push(tokio::spawn(async move {
            channel.send(&conv(), &CustomerMessage::text("x")).await.unwrap();
            tokio::time::Instant::now() - start
        }));
    }
    let mut at = Vec::new();
    for t in tasks {
        at.push(t.await.unwrap());
    }
    at.sort();
    assert_eq!(
        at,
        [Duration::ZERO, Duration::from_millis(500), Duration::from_millis(1000)]
    );

    // An unsupported operation fails at once and takes no slot.
    let before = tokio::time::Instant::now();
    assert!(channel.mark_read(&DeskMessageRef::new(conv(), "m")).await.is_err());
    assert_eq!(tokio::time::Instant::now(), before);
}

#[tokio::test]
async fn wrappers_compose_over_dyn_channels_and_keep_capabilities() {
    let dyn_channel: Arc<dyn Channel> = Arc::new(Scripted::default());
    let wrapped: Arc<dyn Channel> = Arc::new(dyn_channel.traced().with_retry(fast()).throttled(1000));
    assert_eq!(wrapped.provider(), "scripted");
    assert!(wrapped.capabilities().supports(Operation::Typing));
    assert!(!wrapped.capabilities().supports(Operation::Poll));
    let started = wrapped
        .start_conversation(&Customer::new("42"), &CustomerMessage::text("hi"))
        .await
        .unwrap();
    assert_eq!(started.conversation, ConversationRef::new("scripted", "42"));
    assert!(matches!(
        wrapped.poll().await.unwrap_err(),
        ChannelError::Unsupported {
            operation: Operation::Poll,
            ..
        }
    ));
    assert_eq!(
        wrapped.accept(&InboundRequest::post("{}")).await.unwrap(),
        Acceptance::Now(InboundResponse::empty(http::StatusCode::ACCEPTED)),
        "every wrapper passes the channel's acceptance through"
    );
    let refused = wrapped.receive(InboundRequest::post("{}")).await.unwrap_err();
    assert_eq!(refused.inbound_response().status, http::StatusCode::NOT_IMPLEMENTED);
}
