//! Chatlake end to end against deskwire-sim's Chatwoot desk.
//!
//! `cargo run -p deskwire-chatlake --example chatlake`
//!
//! The simulator plays a Chatwoot account that accepts only its access token (sent here in the
//! dashed `api-access-token` spelling). The example runs the seed's flow (contact ->
//! conversation -> the contact's message), shows that invalid interactive content is refused
//! before sending, then receives the signed `message_created` webhooks the desk sends — the echo
//! of its own message and an agent's reply — verifies them, and filters out the echo.

use std::time::Duration;

use deskwire_chatlake::inbound::{EchoFilter, WebhookDelivery, WebhookVerifier};
use deskwire_chatlake::wire::{ContentType, NewContact, NewConversation, NewMessage};
use deskwire_chatlake::{ChatlakeClient, TokenHeader};
use deskwire_core::Secret;
use deskwire_sim::{Direction, Provider, Sim};
use tokio::sync::mpsc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Where the desk's webhooks arrive: verified, then queued.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let webhook_url = format!("http://{}/", listener.local_addr()?);
    let sim = Sim::builder(Provider::Chatlake)
        .webhook_url(&webhook_url)
        .start()
        .await?;
    let credential = |key: &str| sim.credential(key).ok_or(format!("no {key}"));
    let verifier = WebhookVerifier::new(&Secret::new(credential("webhook_secret")?))?;
    let (deliveries, mut received) = mpsc::unbounded_channel::<WebhookDelivery>();
    let router = deskwire_core::axum::webhook_router(verifier, deliveries);
    tokio::spawn(async move { axum::serve(listener, router).await });

    let inbox: u64 = credential("inbox_id")?.parse()?;
    let client = ChatlakeClient::builder(
        sim.base_url(),
        credential("account_id")?.parse()?,
        Secret::new(credential("api_access_token")?),
    )
    .token_header(TokenHeader::Dashed)
    .build()?;
    let created = client
        .create_contact(&NewContact::in_inbox(inbox).name("Alice"))
        .await?;
    let source_id = created
        .source_id(Some(inbox))
        .ok_or("no session on the inbox")?
        .to_owned();
    println!(
        "contact {} ({:?} answer), session {source_id}",
        created.contact.id, created.shape
    );
    let conversation = client
        .create_conversation(&NewConversation::for_session(inbox, source_id))
        .await?;
    println!("conversation {} ({:?})", conversation.id, conversation.status);
    let message = client
        .create_message(
            conversation.id,
            &NewMessage::incoming("My parcel is late").source_id("dw-1"),
        )
        .await?;
    println!("message {} type {:?}", message.id, message.message_type);

    let mut cards = NewMessage::outgoing("Pick a delivery slot");
    cards.content_type = Some(ContentType::Cards);
    let refused = client.create_message(conversation.id, &cards).await.unwrap_err();
    println!("refused: {refused}");
    let calls = sim
        .exchanges()
        .into_iter()
        .filter(|e| e.direction == Direction::In)
        .count();
    assert_eq!(calls, 3, "the refused message was not sent");

    // Chatlake posts every message of the inbox to its webhook: the contact's own message this
    // integration created, and the agent's reply; only the reply is for the contact. Conversation
    // events (created, updated, typing) come too.
    sim.agent_message(&conversation.id.to_string(), "It ships today")
        .await?;
    let filter = EchoFilter::new().own_source_id_prefix("dw-");
    let mut messages = 0;
    while messages < 2 {
        let delivery = tokio::time::timeout(Duration::from_secs(5), received.recv())
            .await?
            .ok_or("the webhook route stopped")?;
        let Some(event) = delivery.event.message() else {
            println!("webhook {}", delivery.event.name());
            continue;
        };
        messages += 1;
        match filter.check(event) {
            Some(skip) => println!("webhook {} skipped: {skip:?}", event.message.id),
            None => println!("agent reply: {:?}", event.message.content),
        }
    }
    Ok(())
}
