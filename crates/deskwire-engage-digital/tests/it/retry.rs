//! Retries resend the same signed bytes, and only when that is safe.

use deskwire_engage_digital::wire::Message;
use deskwire_engage_digital::Error;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{alice, answers_once_then_ok, client};

#[tokio::test]
async fn a_503_is_retried_with_identical_bytes() {
    let server = answers_once_then_ok(503, "busy").await;
    client(&server).mark_as_read("890").await.unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].body, received[1].body);
    assert_eq!(
        received[0].headers["x-smccsdk-signature"],
        received[1].headers["x-smccsdk-signature"]
    );
}

/// A create whose fate is unknown is reported, never repeated: no document says Engage Digital
/// treats a repeated id as the same content.
#[tokio::test]
async fn a_create_that_may_have_arrived_is_not_repeated() {
    let server = answers_once_then_ok(503, "busy").await;
    let error = client(&server)
        .create_message(&Message::new("890", "42", alice()).body("hi"))
        .await
        .unwrap_err();
    assert_eq!(error.delivery(), deskwire_core::Delivery::MaybeDelivered);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn retries_stop_after_max_attempts() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(502))
        .expect(3)
        .mount(&server)
        .await;
    let err = client(&server).mark_as_read("1").await.unwrap_err();
    assert!(matches!(&err, Error::Server(api) if api.status == 502 && api.attempts == 3));
}

#[tokio::test]
async fn raw_requests_are_not_repeated_after_a_server_error() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .send_raw("custom.action", &serde_json::json!({}))
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Server(api) if api.status == 503 && api.attempts == 1));
}

#[tokio::test]
async fn documented_refusals_are_not_retried() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(422).set_body_string("Invalid resource format"))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).mark_as_read("1").await.unwrap_err();
    assert!(matches!(err, Error::Rejected { .. }));
}
