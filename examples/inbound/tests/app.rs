//! The app over real HTTP on loopback, with requests made by the crates' public signers exactly
//! as each desk sends them: accepted ones reach the queue decoded; refused ones get the status
//! their verifier names and never reach it.

use std::time::{Duration, SystemTime};

use deskwire_chatlake::inbound::WebhookVerifier;
use deskwire_core::verify::{Proof, Verify};
use deskwire_core::{InboundRequest, Secret};
use deskwire_directly::inbound::{ConnectorEventType, ConnectorReceiver};
use deskwire_engage_digital::Signer;
use deskwire_example_inbound::{app, Delivery, DIRECTLY_SIGNATURE_HEADER, RAKE_SECRET_HEADER};
use deskwire_rake_direct::inbound::ReturnWebhookVerifier;
use reqwest::StatusCode;
use tokio::sync::mpsc;

mod common;
use common::{chatwoot, secrets};

const MESSAGE_CREATED: &str = r#"{"event":"message_created","id":123,"content":"Your parcel ships today","content_type":"text","message_type":"outgoing","private":false,"conversation":{"id":7,"inbox_id":2,"status":"open"},"sender":{"id":3,"name":"Agent Smith","type":"user"},"account":{"id":1,"name":"Acme"},"inbox":{"id":2,"name":"API"}}"#;
const RAKE_MESSAGE: &str = r#"{"sessionId":13731,"message":"Hi!","custom":"ticket-9"}"#;
const CONNECTOR_EVENT: &str = r#"{"eventType":"QUESTION_RESPONSE","questionUuid":"123e4567-e89b-12d3-a456-426655440000","message":"Try a reboot","messageAuthorIsPoster":false}"#;
const AGENT_REPLY: &str =
    r#"{"action":"messages.create","params":{"author_id":"1234","body":"Yes I can."},"time":"2021-05-13T01:23:25Z"}"#;

fn rake() -> ReturnWebhookVerifier {
    ReturnWebhookVerifier::new(Proof::shared_secret(RAKE_SECRET_HEADER), [&secrets().rake_direct]).unwrap()
}
fn directly() -> ConnectorReceiver {
    ConnectorReceiver::new(Proof::hmac_sha256(DIRECTLY_SIGNATURE_HEADER, ""), [&secrets().directly]).unwrap()
}
fn engage() -> Signer {
    Signer::new(&secrets().engage_digital)
}

struct Running {
    base: String,
    queue: mpsc::Receiver<Delivery>,
    http: reqwest::Client,
}

async fn start() -> Running {
    let (deliveries, queue) = mpsc::channel(16);
    let router = app(&secrets(), deliveries).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    Running {
        base,
        queue,
        http: reqwest::Client::new(),
    }
}

impl Running {
    async fn post(&self, path: &str, request: InboundRequest) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .headers(request.headers)
            .body(request.body)
            .send()
            .await
            .unwrap()
    }

    /// Nothing was queued (the queue is empty right now).
    fn nothing_queued(&mut self) {
        assert!(self.queue.try_recv().is_err(), "a refused delivery reached the queue");
    }
}

#[tokio::test]
async fn every_desk_signed_by_its_public_signer_is_accepted_and_decoded() {
    let mut app = start().await;

    let response = app.post("/chatwoot", chatwoot().sign(MESSAGE_CREATED.as_bytes())).await;
    assert_eq!(response.status(), StatusCode::OK);
    let Some(Delivery::Chatwoot(delivery)) = app.queue.recv().await else {
        panic!("not a Chatwoot delivery")
    };
    assert!(delivery.signed);
    assert!(format!("{:?}", delivery.event).contains("Your parcel ships today"));

    let response = app.post("/rake-direct", rake().sign(RAKE_MESSAGE.as_bytes())).await;
    assert_eq!(response.status(), StatusCode::OK);
    let Some(Delivery::RakeDirect(delivery)) = app.queue.recv().await else {
        panic!("not a Rake delivery")
    };
    assert_eq!(
        (delivery.session_id.map(|s| s.0), delivery.text.as_deref()),
        (Some(13731), Some("Hi!"))
    );

    let response = app.post("/directly", directly().sign(CONNECTOR_EVENT.as_bytes())).await;
    assert_eq!(response.status(), StatusCode::OK);
    let Some(Delivery::Directly(event)) = app.queue.recv().await else {
        panic!("not a Directly event")
    };
    assert_eq!(event.event_type, ConnectorEventType::QuestionResponse);

    let response = app.post("/engage-digital", engage().request(AGENT_REPLY)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let signature = response.headers()["x-smccsdk-signature"].to_str().unwrap().to_owned();
    let answer = response.bytes().await.unwrap();
    assert!(engage().verify(&answer, &signature).is_ok(), "the answer is signed");
    let answer: serde_json::Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(answer["id"], "reply-1");
    let Some(Delivery::EngageDigital(create)) = app.queue.recv().await else {
        panic!("not an agent reply")
    };
    assert_eq!(create.content.body.as_deref(), Some("Yes I can."));
    app.nothing_queued();
}

#[tokio::test]
async fn refused_deliveries_get_their_verifier_status_and_reach_nobody() {
    let mut app = start().await;
    let unsigned = |body: &str| InboundRequest::post(body.to_owned()).header("content-type", "application/json");

    // No proof at all: 401 from the webhooks, 422 from Engage Digital (its SDKs' status).
    for path in ["/chatwoot", "/rake-direct", "/directly"] {
        let body = match path {
            "/chatwoot" => MESSAGE_CREATED,
            "/rake-direct" => RAKE_MESSAGE,
            _ => CONNECTOR_EVENT,
        };
        let response = app.post(path, unsigned(body)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert!(
            response.bytes().await.unwrap().is_empty(),
            "{path}: the reason stays in the logs"
        );
    }
    let response = app.post("/engage-digital", unsigned(AGENT_REPLY)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Signed with another secret, or a body changed after signing.
    let forged = WebhookVerifier::new(&Secret::new("not-the-secret")).unwrap();
    let response = app.post("/chatwoot", forged.sign(MESSAGE_CREATED.as_bytes())).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let mut tampered = directly().sign(CONNECTOR_EVENT.as_bytes());
    tampered.body = CONNECTOR_EVENT.replace("reboot", "REBOOT").into();
    assert_eq!(app.post("/directly", tampered).await.status(), StatusCode::UNAUTHORIZED);

    // Authentic but signed too long ago: a replay.
    let old = SystemTime::now() - Duration::from_secs(301);
    let response = app
        .post("/chatwoot", chatwoot().sign_at(MESSAGE_CREATED.as_bytes(), old))
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // Authentic but not a delivery: 400.
    let response = app.post("/chatwoot", chatwoot().sign(b"[1,2,3]")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = app.post("/rake-direct", rake().sign(b"not json")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    app.nothing_queued();
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413() {
    let mut app = start().await;
    let limit = deskwire_example_inbound::WEBHOOK_BODY_LIMIT;
    // Exactly at the limit is read (and then refused for its signature, not its size).
    let at_limit = chatwoot().sign(&vec![b' '; limit]);
    assert_eq!(app.post("/chatwoot", at_limit).await.status(), StatusCode::BAD_REQUEST);
    // One byte over, signed or not, is refused for its size.
    let over = chatwoot().sign(&vec![b' '; limit + 1]);
    assert_eq!(
        app.post("/chatwoot", over).await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    app.nothing_queued();
}

#[tokio::test]
async fn a_delivery_nobody_can_take_is_answered_500_so_the_desk_may_redeliver() {
    let mut app = start().await;
    app.queue.close();
    let response = app.post("/rake-direct", rake().sign(RAKE_MESSAGE.as_bytes())).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
}
