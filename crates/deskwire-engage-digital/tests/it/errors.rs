//! Answers outside 2xx become typed errors that keep the provider's text.

use deskwire_core::{Delivery, TransportErrorKind};
use deskwire_engage_digital::wire::MarkAsRead;
use deskwire_engage_digital::{Error, Rejection, RejectionOf};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::client;

async fn answer(status: u16, body: &str) -> Error {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(status).set_body_string(body))
        .mount(&server)
        .await;
    client(&server).send(&MarkAsRead::new("890")).await.unwrap_err()
}

#[tokio::test]
async fn documented_rows_plain_and_json() {
    let e = answer(422, "Source not found").await;
    assert!(
        matches!(&e, Error::Rejected(api) if api.detail == Some(Rejection::SourceNotFound) && api.status == 422 && api.body == "Source not found")
    );
    assert_eq!(e.delivery(), Delivery::Rejected);

    let e = answer(422, r#"{"error":"Invalid action"}"#).await;
    assert_eq!(e.rejection(), Some(&Rejection::InvalidAction));
    assert_eq!(
        e.to_string(),
        r#"Engage Digital refused the request (HTTP 422: {"error":"Invalid action"}): the action is unknown or not declared in your implementation.info answer"#
    );
}

#[tokio::test]
async fn undocumented_answers_keep_status_and_body() {
    let e = answer(404, "<html>nope</html>").await;
    assert!(
        matches!(&e, Error::Rejected(api) if api.status == 404 && api.detail.is_none() && api.body == "<html>nope</html>")
    );
    assert_eq!(e.delivery(), Delivery::Rejected);

    let e = answer(302, "moved").await;
    assert!(matches!(&e, Error::Server(api) if api.status == 302));
    let e = answer(500, "oops").await;
    assert_eq!(e.delivery(), Delivery::MaybeDelivered);
}

/// The official clients take any 2xx as success without reading the body (JS axios
/// `validateStatus`, Python `raise_for_status`, C# `IsSuccessStatusCode`); so does this one, and
/// it hands the body over.
#[tokio::test]
async fn any_2xx_is_success_and_keeps_the_body() {
    for (status, body) in [(200, "ok"), (200, "okay"), (201, r#"{"id":"1"}"#), (204, "")] {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(status).set_body_string(body))
            .expect(1)
            .mount(&server)
            .await;
        let accepted = client(&server).send(&MarkAsRead::new("890")).await.unwrap();
        assert_eq!((accepted.status, &accepted.body[..]), (status, body.as_bytes()));
        assert_eq!(accepted.is_documented_ok(), body == "ok");
    }
}

#[tokio::test]
async fn connection_refused_is_not_sent() {
    use deskwire_core::Secret;
    let client = deskwire_engage_digital::SendApiClient::builder("http://127.0.0.1:1", "src", Secret::new("t"))
        .retry_policy(deskwire_core::retry::RetryPolicy::never())
        .build()
        .unwrap();
    let e = client.mark_as_read("1").await.unwrap_err();
    assert!(
        matches!(&e, Error::Transport(t) if t.kind == TransportErrorKind::Connect),
        "{e:?}"
    );
    assert_eq!(e.delivery(), Delivery::NotSent);
    assert!(!e.to_string().contains("realtime/sdk"), "no URL in errors: {e}");
}
