//! The access token goes in its header and nowhere else: not in the URL, traces, errors or
//! `Debug` output.

use deskwire_core::testing::CapturedLogs;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{client, TOKEN};

#[tokio::test]
async fn the_token_stays_in_its_header() {
    let logs = CapturedLogs::start();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_string(r#"{"error":"Invalid Access Token"}"#))
        .mount(&server)
        .await;
    let c = client(&server);
    let error = c.get_conversation(7).await.unwrap_err();
    let received = server.received_requests().await.unwrap();
    assert_eq!(received[0].headers["api_access_token"], TOKEN);
    assert!(!received[0].url.as_str().contains(TOKEN));
    for shown in [error.to_string(), format!("{error:?}"), format!("{c:?}"), logs.text()] {
        assert!(!shown.contains(TOKEN), "{shown}");
    }
    assert!(
        logs.text().contains("chatlake.request"),
        "spans are traced: {}",
        logs.text()
    );
}
