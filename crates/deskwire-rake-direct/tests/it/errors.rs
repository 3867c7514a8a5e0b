//! Answers Rake does not document, classified by status; nothing sent when validation fails.

use deskwire_core::{Delivery, Secret};
use deskwire_rake_direct::wire::{Contact, OpenSession, Outbound, PlatformId, ReturnWebhook};
use deskwire_rake_direct::{Error, RakeFailure};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::client;

async fn answering(status: u16, body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(status).set_body_string(body))
        .mount(&server)
        .await;
    server
}

fn sms() -> Outbound {
    Outbound::transactional(PlatformId::Sms, Contact::phone("123456789012"), "Hi")
}

#[tokio::test]
async fn statuses_map_to_typed_errors_and_sends_are_not_repeated() {
    for (status, delivery) in [
        (401, Delivery::Rejected),
        (404, Delivery::Rejected),
        (500, Delivery::MaybeDelivered),
    ] {
        let server = answering(status, "nope").await;
        let err = client(&server).send(sms()).await.unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.delivery(), delivery);
        match (&err, status) {
            (Error::Rejected(e), 401 | 404) | (Error::Server(e), 500) => assert_eq!(e.body, "nope"),
            other => panic!("{other:?}"),
        }
        // A send may have reached the customer: a 500 is not repeated.
        assert_eq!(server.received_requests().await.unwrap().len(), 1, "status {status}");
    }
}

#[tokio::test]
async fn a_close_is_repeated_after_a_server_error() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    client(&server).close_session(7).await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn an_open_without_a_session_id_is_a_clear_error() {
    let server = answering(200, r#"{"ok":true}"#).await;
    let hook = ReturnWebhook::new("https://crm.example.com/rake", Secret::new("1111"));
    let err = client(&server)
        .open_session(OpenSession::widget(hook, "Hi", 60))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Provider(RakeFailure::NoSessionId(e)) if e.status == 200 && e.body == r#"{"ok":true}"#),
        "{err:?}"
    );
    assert_eq!(err.delivery(), Delivery::MaybeDelivered);
    assert!(err.to_string().contains("without a session id"));
}

#[tokio::test]
async fn other_session_id_locations_can_be_configured() {
    let server = answering(200, r#"{"result":{"id":"99"}}"#).await;
    let client = deskwire_rake_direct::RakeDirectClient::builder("ws", Secret::new("s"))
        .base_url(server.uri())
        .session_id_pointers(["/result/id"])
        .build()
        .unwrap();
    let hook = ReturnWebhook::new("https://crm.example.com/rake", Secret::new("1111"));
    let opened = client.open_session(OpenSession::widget(hook, "Hi", 60)).await.unwrap();
    assert_eq!(opened.session_id.0, 99);
}

#[tokio::test]
async fn invalid_requests_send_nothing() {
    let server = answering(200, "{}").await;
    let err = client(&server)
        .send(Outbound::transactional(
            PlatformId::Sms,
            Contact::phone("call me"),
            "Hi",
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation(v) if v.field == "secondaryEntity.phoneNumber"),
        "{err:?}"
    );
    assert_eq!(err.delivery(), Delivery::NotSent);
    assert!(server.received_requests().await.unwrap().is_empty());
}
