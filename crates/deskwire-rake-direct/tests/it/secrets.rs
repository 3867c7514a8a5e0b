//! The workspace secret is in the body and nowhere else.

use deskwire_core::testing::CapturedLogs;
use deskwire_rake_direct::wire::{Contact, Outbound, PlatformId};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{client, SECRET};

#[tokio::test(flavor = "current_thread")]
async fn the_secret_travels_in_the_body_and_nowhere_else() {
    let captured = CapturedLogs::start();

    // Rake refuses and, worst case, echoes the request back.
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(400).set_body_string(format!(r#"{{"error":"bad request","secret":"{SECRET}"}}"#)),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let request = Outbound::transactional(PlatformId::Sms, Contact::phone("123456789012"), "Hi").into();
    let prepared = client.prepare(&request).unwrap();
    let err = client.send_prepared(&prepared).await.unwrap_err();

    let received = server.received_requests().await.unwrap();
    let wire = &received[0];
    let body: serde_json::Value = serde_json::from_slice(&wire.body).unwrap();
    assert_eq!(body["secret"], SECRET, "the secret is in the body");
    for (name, value) in wire.headers.iter() {
        assert!(
            !value.as_bytes().windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
            "header {name}"
        );
    }
    assert!(!wire.url.as_str().contains(SECRET));

    let logs = captured.text();
    assert!(
        logs.contains(r#"request{provider="rake-direct""#),
        "the span is traced: {logs}"
    );
    assert!(
        err.to_string().contains(r#""secret":"***""#),
        "the echoed secret is masked: {err}"
    );
    for text in [
        logs.as_str(),
        &err.to_string(),
        &format!("{err:?}"),
        &format!("{client:?}"),
        &format!("{prepared:?}"),
        &format!("{request:?}"),
    ] {
        assert!(!text.contains(SECRET), "secret leaked into: {text}");
    }
}
