//! `Retrying` over every provider's real channel, with the clients' own default retry policies:
//! every permanent failure is tried exactly once, and a send that failed after it may have
//! reached the desk is never repeated, by either layer.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use deskwire_chatlake::channel::ChatlakeChannel;
use deskwire_chatlake::inbound::WebhookVerifier;
use deskwire_chatlake::public::PublicClient;
use deskwire_chatlake::ChatlakeClient;
use deskwire_core::channel::{
    async_trait, Capabilities, Channel, ChannelError, ChannelExt, ConversationRef, Customer, CustomerMessage, Sent,
    Started,
};
use deskwire_core::retry::RetryPolicy;
use deskwire_core::verify::Proof;
use deskwire_core::{Delivery, Secret};
use deskwire_directly::channel::DirectlyChannel;
use deskwire_directly::{Credentials, DirectlyClient};
use deskwire_engage_digital::channel::EngageDigitalChannel;
use deskwire_engage_digital::SendApiClient;
use deskwire_rake_direct::channel::RakeDirectChannel;
use deskwire_rake_direct::wire::ReturnWebhook;
use deskwire_rake_direct::RakeDirectClient;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Counts how often an operation reaches the provider's channel.
#[derive(Debug)]
struct Counting<C> {
    inner: C,
    sends: AtomicU32,
}

#[async_trait]
impl<C: Channel> Channel for Counting<C> {
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
        self.sends.fetch_add(1, Ordering::SeqCst);
        self.inner.send(conversation, message).await
    }
}

/// Fast, but with the default number of attempts.
fn policy() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(2),
        ..RetryPolicy::default()
    }
}

/// A provider's channel against `server`, and a conversation to send into.
async fn channel(provider: &str, server: &MockServer) -> (Box<dyn Channel>, ConversationRef) {
    let uri = server.uri();
    match provider {
        "engage-digital" => {
            let client = SendApiClient::builder(&uri, "source-1", Secret::new("token"))
                .retry_policy(policy())
                .build()
                .unwrap();
            let conversation = ConversationRef::new("engage-digital", "thread-1")
                .with("user", "c-1")
                .with("name", "Alice")
                .with("since", "2026-12-02T10:00:00Z");
            (Box::new(EngageDigitalChannel::new(client)), conversation)
        }
        "chatlake" => {
            let api = ChatlakeClient::builder(&uri, 1, Secret::new("token"))
                .retry_policy(policy())
                .build()
                .unwrap();
            let public = PublicClient::builder(&uri, "inbox-1")
                .retry_policy(policy())
                .build()
                .unwrap();
            let webhooks = WebhookVerifier::new(&Secret::new("whsec")).expect("a webhook secret");
            let conversation = ConversationRef::new("chatlake", "7").with("source", "s-1");
            (
                Box::new(ChatlakeChannel::new(api, 2).client_api(public).webhooks(webhooks)),
                conversation,
            )
        }
        "directly" => {
            let client = DirectlyClient::builder(Credentials::access_token(Secret::new("token")))
                .base_url(&uri)
                .retry_policy(policy())
                .build()
                .unwrap();
            let conversation = ConversationRef::new("directly", "123e4567-e89b-12d3-a456-426655440000")
                .with("email", "ana@example.com");
            (Box::new(DirectlyChannel::new(client)), conversation)
        }
        "rake-direct" => {
            let client = RakeDirectClient::builder("ws", Secret::new("secret"))
                .base_url(&uri)
                .retry_policy(policy())
                .build()
                .unwrap();
            let hook = ReturnWebhook::new("https://crm.example.com/rake", Secret::new("hook"));
            let conversation = ConversationRef::new("rake-direct", "42");
            (
                Box::new(RakeDirectChannel::new(client, hook, Proof::shared_secret("x-hook")).unwrap()),
                conversation,
            )
        }
        other => panic!("{other}"),
    }
}

async fn send_through_retrying(provider: &str, server: &MockServer) -> (ChannelError, u32) {
    let (inner, conversation) = channel(provider, server).await;
    let counting = Arc::new(Counting {
        inner,
        sends: AtomicU32::new(0),
    });
    let retrying = Arc::clone(&counting).with_retry(policy());
    let error = retrying
        .send(&conversation, &CustomerMessage::text("hello"))
        .await
        .unwrap_err();
    (error, counting.sends.load(Ordering::SeqCst))
}

const PROVIDERS: [&str; 4] = ["engage-digital", "chatlake", "directly", "rake-direct"];

/// Every refusal status, for every provider: the client does not repeat it, `Retrying` does
/// not either.
#[tokio::test]
async fn a_refusal_is_tried_exactly_once() {
    for provider in PROVIDERS {
        for status in [400, 401, 403, 404, 409, 413, 422] {
            let server = MockServer::start().await;
            Mock::given(any())
                .respond_with(ResponseTemplate::new(status).set_body_string(r#"{"error":"no"}"#))
                .mount(&server)
                .await;
            let (error, operations) = send_through_retrying(provider, &server).await;
            let requests = server.received_requests().await.unwrap().len();
            assert_eq!(operations, 1, "{provider} {status}: {error}");
            // (Directly would renew a refused token once and send once more; a ready-made
            // token, as here, cannot be renewed.)
            assert_eq!(requests, 1, "{provider} {status}: {error}");
            assert!(
                matches!(&error, ChannelError::Provider { retryable: false, .. }),
                "{provider} {status}: {error:?}"
            );
        }
    }
}

/// A send that may have reached the desk (a 500 after the request was read) is sent once,
/// whatever the client's and the wrapper's policies allow.
#[tokio::test]
async fn a_send_that_may_have_arrived_is_never_repeated() {
    for provider in PROVIDERS {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(500).set_body_string("oops"))
            .mount(&server)
            .await;
        let (error, operations) = send_through_retrying(provider, &server).await;
        assert_eq!(error.delivery(), Delivery::MaybeDelivered, "{provider}");
        assert_eq!(operations, 1, "{provider}");
        assert_eq!(server.received_requests().await.unwrap().len(), 1, "{provider}");
    }
}

/// A 503 on a read-free operation would be worth retrying; the client already spent the
/// budget of three attempts, so `Retrying` (also three) adds none: three requests, not nine.
#[tokio::test]
async fn retries_never_multiply() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let (inner, conversation) = channel("engage-digital", &server).await;
    let retrying = Arc::new(inner).with_retry(policy());
    retrying
        .mark_read(&deskwire_core::channel::DeskMessageRef::new(conversation, "m-1"))
        .await
        .unwrap_err();
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

/// Permanent failures that send nothing: a token endpoint that refuses the credentials, a
/// client that was logged out, a configuration the client cannot use.
#[tokio::test]
async fn permanent_failures_that_sent_nothing_are_tried_once() {
    // Directly: the token endpoint refuses the client credentials.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_string(r#"{"error":"invalid_client"}"#))
        .mount(&server)
        .await;
    let client = DirectlyClient::builder(Credentials::client_credentials("id", Secret::new("wrong")))
        .base_url(server.uri())
        .retry_policy(policy())
        .build()
        .unwrap();
    let counting = Arc::new(Counting {
        inner: DirectlyChannel::new(client),
        sends: AtomicU32::new(0),
    });
    let conversation =
        ConversationRef::new("directly", "123e4567-e89b-12d3-a456-426655440000").with("email", "ana@example.com");
    let error = Arc::clone(&counting)
        .with_retry(policy())
        .send(&conversation, &CustomerMessage::text("hi"))
        .await
        .unwrap_err();
    assert_eq!(error.delivery(), Delivery::NotSent);
    assert!(
        matches!(error, ChannelError::Provider { retryable: false, .. }),
        "{error:?}"
    );
    assert_eq!(counting.sends.load(Ordering::SeqCst), 1);
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "one token request");

    // Directly: a ready-made token after logout.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/logout"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let client = DirectlyClient::builder(Credentials::access_token(Secret::new("token")))
        .base_url(server.uri())
        .retry_policy(policy())
        .build()
        .unwrap();
    client.logout().await.unwrap();
    let counting = Arc::new(Counting {
        inner: DirectlyChannel::new(client),
        sends: AtomicU32::new(0),
    });
    let error = Arc::clone(&counting)
        .with_retry(policy())
        .send(&conversation, &CustomerMessage::text("hi"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, ChannelError::Provider { retryable: false, .. }),
        "{error:?}"
    );
    assert_eq!(counting.sends.load(Ordering::SeqCst), 1);
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "only the logout");

    // Chatlake: a base URL the client cannot use fails every request before sending.
    let api = ChatlakeClient::builder("http://127.0.0.1:1", 1, Secret::new("token"))
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    // Sending needs neither the Client API nor a webhook verifier.
    let counting = Arc::new(Counting {
        inner: ChatlakeChannel::new(api, 2),
        sends: AtomicU32::new(0),
    });
    let conversation = ConversationRef::new("chatlake", "7").with("source", "s-1");
    // Nothing listens on port 1: a connect failure, which is worth retrying, and Retrying does.
    let error = Arc::clone(&counting)
        .with_retry(policy())
        .send(&conversation, &CustomerMessage::text("hi"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, ChannelError::Provider { retryable: true, .. }),
        "{error:?}"
    );
    assert_eq!(counting.sends.load(Ordering::SeqCst), 3, "a connect failure is retried");
}
