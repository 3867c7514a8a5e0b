//! Each documented status code is its own variant with message, raw `error`, correlation id and
//! raw body; what is retried and what is not; a 304 where none is expected.

use std::time::Duration;

use deskwire_core::retry::RetryPolicy;
use deskwire_core::{Delivery, Secret};
use deskwire_directly::wire::{NewQuestion, Uuid};
use deskwire_directly::{correlation_id, Credentials, DirectlyClient, Error};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::*;

fn body(message: &str) -> String {
    json!({"meta": {"correlationId": "corr-42"}, "error": {"message": message}}).to_string()
}

#[tokio::test]
async fn every_documented_status() {
    let table: [(u16, &str, Delivery); 6] = [
        (400, "Rejected", Delivery::Rejected),
        (401, "Rejected", Delivery::Rejected),
        (403, "Rejected", Delivery::Rejected),
        (404, "Rejected", Delivery::Rejected),
        (405, "Rejected", Delivery::Rejected),
        (500, "Server", Delivery::MaybeDelivered),
    ];
    for (status, variant, delivery) in table {
        let server = MockServer::start().await;
        let raw = body(&format!("status {status}"));
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(status).set_body_string(raw.clone()))
            .mount(&server)
            .await;
        let e = static_client(&server, "tok")
            .get_question(&Uuid::parse(QUESTION).unwrap())
            .await
            .unwrap_err();
        assert!(format!("{e:?}").starts_with(&format!("{variant}(")), "{status}: {e:?}");
        assert_eq!(e.delivery(), delivery, "{status}");
        assert_eq!(e.status(), Some(status));
        assert_eq!(correlation_id(&e), Some("corr-42"));
        let api = e.api_error().unwrap();
        assert_eq!(api.detail.message.as_deref(), Some(format!("status {status}").as_str()));
        assert_eq!(api.detail.error, Some(json!({"message": format!("status {status}")})));
        assert_eq!(api.body, raw);
        assert!(e.to_string().contains("correlation id corr-42"), "{e}");
    }
}

fn retrying(server: &MockServer) -> DirectlyClient {
    DirectlyClient::builder(Credentials::access_token(Secret::new("tok")))
        .base_url(server.uri())
        .retry_policy(RetryPolicy {
            base_delay: Duration::from_millis(1),
            ..RetryPolicy::default()
        })
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_500_repeats_reads_but_never_a_new_question() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_string(body("busy")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(question_json(0, "2020-01-01T09:00:00Z"))))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_string(body("busy")))
        .mount(&server)
        .await;
    let client = retrying(&server);
    client.get_question(&Uuid::parse(QUESTION).unwrap()).await.unwrap();
    let e = client
        .create_question(&NewQuestion::new(&user(), "Ana", "Q"))
        .await
        .unwrap_err();
    assert!(matches!(&e, Error::Server(api) if api.status == 500), "{e:?}");
    assert_eq!(
        count(&server, "/v1/questions").await,
        1,
        "a question is never asked twice"
    );
    assert_eq!(count(&server, &format!("/v1/questions/{QUESTION}")).await, 2);
}

#[tokio::test]
async fn a_429_waits_for_retry_after_then_reports() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/messages"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "0")
                .set_body_string("slow down"),
        )
        .mount(&server)
        .await;
    let e = retrying(&server)
        .search_messages(&deskwire_directly::wire::Search::new())
        .await
        .unwrap_err();
    let Error::RateLimited(api) = &e else { panic!("{e:?}") };
    assert_eq!(api.body, "slow down");
    assert_eq!(count(&server, "/v1/messages").await, 3);
}

#[tokio::test]
async fn a_304_is_only_an_answer_to_a_conditional_read() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(304))
        .mount(&server)
        .await;
    let e = static_client(&server, "tok")
        .get_question(&Uuid::parse(QUESTION).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(&e, Error::Server(api) if api.status == 304), "{e:?}");
}

#[tokio::test]
async fn a_success_of_the_wrong_shape_is_a_decode_error_keeping_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_string(r#"{"meta":{},"data":{"no":"uuid"}}"#))
        .mount(&server)
        .await;
    let e = static_client(&server, "tok")
        .create_question(&NewQuestion::new(&user(), "Ana", "Q"))
        .await
        .unwrap_err();
    let Error::Decode(d) = &e else { panic!("{e:?}") };
    assert_eq!(d.status, 201);
    assert_eq!(d.raw_body, r#"{"meta":{},"data":{"no":"uuid"}}"#);
    assert_eq!(e.delivery(), Delivery::MaybeDelivered);
}
