//! Directly end to end against a local stand-in.
//!
//! `cargo run -p deskwire-directly --example directly`
//!
//! A wiremock server plays Directly: a token endpoint, a question that first has no news (304)
//! and then an expert response, acceptance and logout. The example asks a question, watches it
//! with a `QuestionWatcher` until the expert answers, accepts the response, then decodes a
//! Universal Connector delivery checked by a shared secret.

use std::time::Duration;

use deskwire_core::verify::{Proof, Verify};
use deskwire_core::Secret;
use deskwire_directly::inbound::{ConnectorReceiver, QuestionEvent, QuestionWatcher};
use deskwire_directly::wire::NewQuestion;
use deskwire_directly::{Credentials, DirectlyClient, UserEmail};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const QUESTION: &str = "123e4567-e89b-12d3-a456-426655440000";
const RESPONSE: &str = "9f1c2d3e-4b5a-4c6d-8e7f-000000000001";

fn question(answered: bool) -> serde_json::Value {
    let responses = if answered {
        json!([{"uuid": RESPONSE, "type": "EXPERT", "dateCreated": "2026-11-21T10:04:00Z", "lastUpdated": "2026-11-21T10:04:00Z",
                "author": {"name": "Sam", "isExpert": true},
                "messages": [{"id": 2, "uuid": "aaaaaaaa-0000-4000-8000-000000000002", "type": "MESSAGE",
                              "author": {"name": "Sam", "isExpert": true}, "body": "Hold the reset button for 10 s."}]}])
    } else {
        json!([])
    };
    let messages = if answered {
        json!([])
    } else {
        json!([{"id": 1, "uuid": "aaaaaaaa-0000-4000-8000-000000000001", "type": "NOTIFYING_EXPERTS_SYSTEM_MESSAGE",
                "author": {"name": "System"}, "body": "We are notifying experts"}])
    };
    json!({"meta": {"correlationId": "example"}, "data": {
        "uuid": QUESTION, "dateCreated": "2026-11-21T10:00:00Z",
        "lastUpdated": if answered { "2026-11-21T10:04:00Z" } else { "2026-11-21T10:00:00Z" },
        "conversation": {"text": "My router blinks red", "messages": messages, "responses": responses},
        "state": {"status": "UNRESOLVED", "isClosed": false}}})
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"access_token": "tok-example", "expires_in": 3600})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/questions"))
        .respond_with(ResponseTemplate::new(201).set_body_json(question(false)))
        .mount(&server)
        .await;
    let poll = format!("/v1/questions/{QUESTION}");
    Mock::given(method("GET"))
        .and(path(poll.as_str()))
        .and(query_param("lastChecked", "2026-11-21T10:00:00Z"))
        .respond_with(ResponseTemplate::new(304))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(poll.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(question(true)))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v1/responses/{RESPONSE}/accept")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"uuid": RESPONSE, "isAccepted": true}})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/logout"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;

    let client = DirectlyClient::builder(Credentials::client_credentials(
        "example-client",
        Secret::new("example-secret"),
    ))
    .base_url(server.uri())
    .build()?;
    let user = UserEmail::new("ana@example.com")?;
    let asked = client
        .create_question(&NewQuestion::new(&user, "Ana", "My router blinks red"))
        .await?;
    println!("asked {} ({:?})", asked.uuid, asked.status());

    let mut watcher = QuestionWatcher::new(client.clone(), Duration::from_millis(20));
    watcher.watch_from(&asked);
    let response = loop {
        let report = watcher.next().await;
        if report.not_modified > 0 {
            println!("poll: 304, nothing new");
        }
        let mut answered = None;
        for event in report.events {
            match event {
                QuestionEvent::ResponseAdded { response, .. } => println!("response added: {}", response.uuid),
                QuestionEvent::MessageAdded {
                    author,
                    message,
                    response,
                    ..
                } => {
                    println!("{author:?}: {}", message.body.unwrap_or_default());
                    answered = answered.or(response);
                }
                QuestionEvent::SystemMessageRemoved { kind, .. } => println!("removed: {kind:?}"),
                other => println!("event: {other:?}"),
            }
        }
        if let Some(response) = answered {
            break response;
        }
    };
    let accepted = client.accept_response(&response, &user).await?;
    println!("accepted {}: {:?}", accepted.uuid, accepted.is_accepted);
    println!("logged out: {}", client.logout().await?);
    println!(
        "cursor to resume from: {} bytes of JSON",
        serde_json::to_string(&watcher.cursor())?.len()
    );

    let receiver = ConnectorReceiver::new(
        Proof::shared_secret("x-connector-secret"),
        [&Secret::new("connector-secret")],
    )?;
    let mut headers = http::HeaderMap::new();
    headers.insert("x-connector-secret", "connector-secret".parse()?);
    let delivery = br#"{"eventType":"QUESTION_RESPONSE","questionUuid":"123e4567-e89b-12d3-a456-426655440000","message":"Did that help?","messageAuthorIsPoster":false}"#;
    let event = receiver.verify(&headers, delivery)?;
    println!(
        "connector: {} {:?} (echo: {})",
        event.event_type,
        event.message,
        event.is_echo()
    );
    Ok(())
}
