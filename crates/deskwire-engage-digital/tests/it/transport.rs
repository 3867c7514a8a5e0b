//! Transport settings apply: base URL override, user agent, timeouts mapped to "maybe delivered".

use std::time::Duration;

use deskwire_core::retry::RetryPolicy;
use deskwire_core::transport::TransportConfig;
use deskwire_core::{Delivery, Secret, TransportErrorKind};
use deskwire_engage_digital::wire::MarkAsRead;
use deskwire_engage_digital::{Error, SendApiClient};
use wiremock::matchers::{any, header, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{PATH, SOURCE, TOKEN};

#[tokio::test]
async fn base_url_override_and_user_agent_apply() {
    let server = MockServer::start().await;
    Mock::given(path(PATH))
        .and(header("user-agent", "my-app/1.2"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .expect(1)
        .mount(&server)
        .await;
    // The configured endpoint does not resolve; the override wins.
    let client = SendApiClient::builder("https://unreachable.invalid", SOURCE, Secret::new(TOKEN))
        .base_url(server.uri())
        .user_agent("my-app/1.2")
        .build()
        .unwrap();
    assert_eq!(client.url(), format!("{}{PATH}", server.uri()));
    client.mark_as_read("890").await.unwrap();
}

async fn slow_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string("ok")
                .set_delay(Duration::from_millis(1500)),
        )
        .mount(&server)
        .await;
    server
}

fn impatient(server: &MockServer) -> SendApiClient {
    SendApiClient::builder(server.uri(), SOURCE, Secret::new(TOKEN))
        .transport(TransportConfig::default().timeout(Duration::from_millis(200)))
        .retry_policy(RetryPolicy {
            base_delay: Duration::from_millis(1),
            max_attempts: 2,
            ..RetryPolicy::default()
        })
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_timeout_may_have_been_delivered_and_is_retried_only_when_safe() {
    let server = slow_server().await;
    let err = impatient(&server).send(&MarkAsRead::new("890")).await.unwrap_err();
    assert!(
        matches!(&err, Error::Transport(t) if t.kind == TransportErrorKind::Timeout),
        "{err:?}"
    );
    assert_eq!(err.delivery(), Delivery::MaybeDelivered);
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        2,
        "typed actions are safe to repeat"
    );

    let server = slow_server().await;
    let err = impatient(&server)
        .send_raw("custom.thing", &serde_json::json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.delivery(), Delivery::MaybeDelivered);
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "raw requests are not repeated blindly"
    );
}
