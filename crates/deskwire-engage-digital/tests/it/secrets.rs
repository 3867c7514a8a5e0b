//! The access token never reaches logs, errors or `Debug` output.

use deskwire_core::testing::CapturedLogs;
use deskwire_engage_digital::wire::MarkAsRead;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{client, TOKEN};

#[tokio::test(flavor = "current_thread")]
async fn token_is_absent_from_traces_errors_and_debug() {
    let captured = CapturedLogs::start();

    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
        .mount(&server)
        .await;
    let client = client(&server);
    let err = client.send(&MarkAsRead::new("890")).await.unwrap_err();

    let logs = captured.text();
    assert!(
        logs.contains(r#"request{provider="engage-digital""#),
        "the span is traced: {logs}"
    );
    assert!(logs.contains("status.mark_as_read"));
    for text in [
        logs.as_str(),
        &err.to_string(),
        &format!("{err:?}"),
        &format!("{client:?}"),
    ] {
        assert!(!text.contains(TOKEN), "token leaked into: {text}");
    }
}
