//! Rake Direct end to end against a local stand-in.
//!
//! `cargo run -p deskwire-rake-direct --example rake_direct`
//!
//! A wiremock server plays Rake: it answers `{"sessionId": 13731}` only to bodies carrying the
//! workspace secret, and 401 otherwise. The example sends a transactional SMS, opens a widget
//! session, verifies a delivery to the return webhook, answers in the session and closes it,
//! printing what Rake received with the secrets masked.

use deskwire_core::verify::{Proof, Verify};
use deskwire_core::Secret;
use deskwire_rake_direct::inbound::ReturnWebhookVerifier;
use deskwire_rake_direct::wire::{Contact, OpenSession, Outbound, PlatformId, PostToSession, ReturnWebhook, Sender};
use deskwire_rake_direct::RakeDirectClient;
use http::HeaderMap;
use wiremock::matchers::{body_partial_json, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "Raqqw2k6bngAOmSk";
const HOOK_SECRET: &str = "1111";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rake = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_partial_json(serde_json::json!({ "secret": SECRET })))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"sessionId":13731}"#))
        .with_priority(1)
        .mount(&rake)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_string("invalid secret"))
        .mount(&rake)
        .await;
    let client = RakeDirectClient::builder("ws-42", Secret::new(SECRET))
        .base_url(rake.uri())
        .build()?;

    // 1. A transactional SMS: the session expires after a second.
    client
        .send(Outbound::transactional(
            PlatformId::Sms,
            Contact::phone("123456789012"),
            "Your shipment has arrived. Reply to schedule a pickup.",
        ))
        .await?;

    // 2. A session for our own chat widget; Rake answers with its id.
    let hook = ReturnWebhook::new("https://widget.example.com/rake", Secret::new(HOOK_SECRET)).custom("visitor-7");
    let opened = client
        .open_session(OpenSession::widget(
            hook,
            "Hello, I have a question about my order",
            3600,
        ))
        .await?;
    println!("opened session {}", opened.session_id);

    // 3. Rake delivers an agent's answer to the return webhook (its format is undocumented;
    //    here the secret comes in a header, one of the checks you can choose).
    let verifier = ReturnWebhookVerifier::new(Proof::shared_secret("x-rake-secret"), [&Secret::new(HOOK_SECRET)])?;
    let mut headers = HeaderMap::new();
    headers.insert("x-rake-secret", HOOK_SECRET.parse()?);
    let delivery = verifier.verify(
        &headers,
        br#"{"sessionId":13731,"message":"Sure, what is the order number?","custom":"visitor-7"}"#,
    )?;
    println!(
        "delivery: {:?} in session {:?} for {:?}: {:?}",
        delivery.event, delivery.session_id, delivery.custom, delivery.text
    );
    headers.insert("x-rake-secret", "guess".parse()?);
    println!("forged delivery: {}", verifier.verify(&headers, b"{}").unwrap_err());

    // 4. The customer answers; then the session is closed.
    client
        .send(PostToSession::new(opened.session_id, "It is 1234").from(Sender::email("visitor-7@example.com")))
        .await?;
    client.close_session(opened.session_id).await?;

    // A client with the wrong secret is refused; the error says so without the secret.
    let wrong = RakeDirectClient::builder("ws-42", Secret::new("not-the-secret"))
        .base_url(rake.uri())
        .build()?;
    let err = wrong.close_session(opened.session_id).await.unwrap_err();
    println!("wrong secret: {err} ({:?})", err.delivery());

    println!("\nRake received (secret masked):");
    for request in rake.received_requests().await.unwrap_or_default() {
        let body = String::from_utf8_lossy(&request.body)
            .replace(SECRET, "***")
            .replace("not-the-secret", "***")
            .replace(
                &format!(r#""returnWebhookSecret":"{HOOK_SECRET}""#),
                r#""returnWebhookSecret":"***""#,
            );
        println!("  POST {} {body}", request.url.path());
    }
    Ok(())
}
