//! Error answers: the three JSON shapes and the plain-text 429 become typed errors keeping the
//! raw body; creating calls are not repeated after an ambiguous failure.

use deskwire_chatlake::wire::NewMessage;
use deskwire_chatlake::{Error, ErrorBody};
use deskwire_core::Delivery;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::client;

async fn answer(status: u16, body: &str) -> Error {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/1/conversations/7"))
        .respond_with(ResponseTemplate::new(status).set_body_string(body.to_owned()))
        .mount(&server)
        .await;
    // One attempt: these cases are about mapping, not retrying.
    let c = deskwire_chatlake::ChatlakeClient::builder(server.uri(), 1, deskwire_core::Secret::new("t"))
        .retry_policy(deskwire_core::retry::RetryPolicy::never())
        .build()
        .unwrap();
    c.get_conversation(7).await.unwrap_err()
}

#[tokio::test]
async fn each_status_and_shape() {
    let e = answer(401, r#"{"error":"Invalid Access Token"}"#).await;
    let Error::Rejected(api) = &e else { panic!("{e:?}") };
    assert_eq!(api.status, 401);
    assert_eq!(api.detail, ErrorBody::Error("Invalid Access Token".into()));
    assert_eq!(api.body, r#"{"error":"Invalid Access Token"}"#);
    assert!(e.to_string().contains("TokenHeader::Dashed"), "{e}");

    let e = answer(
        401,
        r#"{"errors":["You need to sign in or sign up before continuing."]}"#,
    )
    .await;
    assert!(
        matches!(&e, Error::Rejected(a) if a.status == 401 && a.detail == ErrorBody::Errors(vec!["You need to sign in or sign up before continuing.".into()]))
    );

    let e = answer(404, r#"{"error":"Resource could not be found"}"#).await;
    assert!(matches!(&e, Error::Rejected(a) if a.status == 404), "{e:?}");
    assert_eq!(e.delivery(), Delivery::Rejected);

    let e = answer(
        422,
        r#"{"message":"Email has already been taken","attributes":["email"]}"#,
    )
    .await;
    let Error::Rejected(api) = &e else { panic!("{e:?}") };
    assert_eq!(
        api.detail,
        ErrorBody::Invalid {
            message: "Email has already been taken".into(),
            attributes: vec!["email".into()]
        }
    );

    let e = answer(
        403,
        r#"{"error":"Message status update is only allowed for API inboxes"}"#,
    )
    .await;
    assert!(matches!(&e, Error::Rejected(a) if a.status == 403), "{e:?}");

    let e = answer(500, "<html>oops</html>").await;
    let Error::Server(api) = &e else { panic!("{e:?}") };
    assert_eq!(api.detail, ErrorBody::Text("<html>oops</html>".into()));
    assert_eq!(e.delivery(), Delivery::MaybeDelivered);

    let e = answer(200, "not json").await;
    let Error::Decode(d) = &e else { panic!("{e:?}") };
    assert_eq!(d.raw_body, "not json");
}

#[tokio::test]
async fn plain_text_429_is_retried_then_reported() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/1/conversations/7"))
        .respond_with(
            ResponseTemplate::new(429)
                .set_body_string("Retry later\n")
                .insert_header("content-type", "text/plain"),
        )
        .expect(3)
        .mount(&server)
        .await;
    let e = client(&server).get_conversation(7).await.unwrap_err();
    let Error::RateLimited(api) = &e else { panic!("{e:?}") };
    assert_eq!(
        (api.retry_after, api.body.as_str(), api.attempts),
        (None, "Retry later\n", 3)
    );
    assert_eq!(e.status(), Some(429));
}

#[tokio::test]
async fn a_message_is_not_repeated_after_a_500_but_a_read_is() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/accounts/1/conversations/7/messages"))
        .respond_with(ResponseTemplate::new(502))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/1/conversations/7"))
        .respond_with(ResponseTemplate::new(502))
        .expect(3)
        .mount(&server)
        .await;
    let c = client(&server);
    let e = c.create_message(7, &NewMessage::incoming("hi")).await.unwrap_err();
    assert_eq!(e.delivery(), Delivery::MaybeDelivered);
    c.get_conversation(7).await.unwrap_err();
}
