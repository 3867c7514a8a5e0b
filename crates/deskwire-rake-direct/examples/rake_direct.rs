//! Rake Direct end to end against deskwire-sim's Rake desk.
//!
//! `cargo run -p deskwire-rake-direct --example rake_direct`
//!
//! The simulator plays Rake with the seed's workspace secret: it answers `{"sessionId": n}` to a
//! new session and 401 to a body without the secret. The example sends a transactional SMS,
//! opens a widget session, receives an agent's answer at its return webhook (proved by the
//! session's secret in a header, the simulator's choice: Rake documents none), answers in the
//! session and closes it, then prints what the desk recorded.

use std::time::Duration;

use deskwire_core::verify::{Proof, Verify};
use deskwire_core::Secret;
use deskwire_rake_direct::inbound::{ReturnDelivery, ReturnWebhookVerifier};
use deskwire_rake_direct::wire::{Contact, OpenSession, Outbound, PlatformId, PostToSession, ReturnWebhook, Sender};
use deskwire_rake_direct::RakeDirectClient;
use deskwire_sim::{Provider, Sim};
use http::HeaderMap;
use tokio::sync::mpsc;

const SECRET: &str = "Raqqw2k6bngAOmSk";
const HOOK_SECRET: &str = "1111";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rake = Sim::builder(Provider::RakeDirect)
        .credential("secret", SECRET)
        .start()
        .await?;
    let workspace = rake.credential("workspace_id").ok_or("no workspace")?;
    let header = rake.credential("return_webhook_header").ok_or("no header name")?;

    // Our return webhook: deliveries proved by the session's secret in that header.
    let verifier = ReturnWebhookVerifier::new(Proof::shared_secret(&header), [&Secret::new(HOOK_SECRET)])?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let hook_url = format!("http://{}/", listener.local_addr()?);
    let (deliveries, mut received) = mpsc::unbounded_channel::<ReturnDelivery>();
    let router = deskwire_core::axum::webhook_router(verifier.clone(), deliveries);
    tokio::spawn(async move { axum::serve(listener, router).await });

    let client = RakeDirectClient::builder(&workspace, Secret::new(SECRET))
        .base_url(rake.base_url())
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
    let hook = ReturnWebhook::new(&hook_url, Secret::new(HOOK_SECRET)).custom("visitor-7");
    let opened = client
        .open_session(OpenSession::widget(
            hook,
            "Hello, I have a question about my order",
            3600,
        ))
        .await?;
    println!("opened session {}", opened.session_id);

    // 3. An agent answers; Rake delivers it to the return webhook.
    rake.agent_message(&opened.session_id.to_string(), "Sure, what is the order number?")
        .await?;
    let delivery = tokio::time::timeout(Duration::from_secs(5), received.recv())
        .await?
        .ok_or("the webhook route stopped")?;
    println!(
        "delivery: {:?} in session {:?} for {:?}: {:?}",
        delivery.event, delivery.session_id, delivery.custom, delivery.text
    );
    let mut forged = HeaderMap::new();
    forged.insert(http::HeaderName::from_bytes(header.as_bytes())?, "guess".parse()?);
    println!("forged delivery: {}", verifier.verify(&forged, b"{}").unwrap_err());

    // 4. The customer answers; then the session is closed.
    client
        .send(PostToSession::new(opened.session_id, "It is 1234").from(Sender::email("visitor-7@example.com")))
        .await?;
    client.close_session(opened.session_id).await?;

    // A client with the wrong secret is refused; the error says so without the secret.
    let wrong = RakeDirectClient::builder(&workspace, Secret::new("not-the-secret"))
        .base_url(rake.base_url())
        .build()?;
    let err = wrong.close_session(opened.session_id).await.unwrap_err();
    println!("wrong secret: {err} ({:?})", err.delivery());

    println!("\nRake's journal (no secrets: the simulator records meanings, not bodies):");
    for exchange in rake.exchanges() {
        println!(
            "  {:?} {} {} {:?} {}",
            exchange.direction,
            exchange.method,
            exchange.path,
            exchange.status,
            exchange.summary.unwrap_or_default()
        );
    }
    Ok(())
}
