//! The client secret and tokens never appear in traces, errors or `Debug`.

use deskwire_core::testing::CapturedLogs;
use deskwire_directly::wire::Uuid;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::*;

#[tokio::test]
async fn secrets_stay_out_of_logs_errors_and_debug() {
    let logs = CapturedLogs::start();
    let server = MockServer::start().await;
    mount_tokens(&server, &["tok-SECRET-1", "tok-SECRET-2"], Some(3600)).await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/questions/{QUESTION}")))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {"message": "nope"}})))
        .mount(&server)
        .await;
    let client = client(&server);
    let e = client.get_question(&Uuid::parse(QUESTION).unwrap()).await.unwrap_err();
    let shown = format!("{e} {e:?} {client:?}");
    let logged = logs.text();
    assert!(
        logged.contains(r#"request{provider="directly""#),
        "traces are captured: {logged}"
    );
    for secret in ["tok-SECRET", CLIENT_SECRET] {
        assert!(!shown.contains(secret), "{shown}");
        assert!(!logged.contains(secret), "{logged}");
    }
}
