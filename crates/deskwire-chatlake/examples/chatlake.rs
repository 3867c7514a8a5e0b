//! Chatlake end to end against a local stand-in.
//!
//! `cargo run -p deskwire-chatlake --example chatlake`
//!
//! A wiremock server plays a Chatwoot account that accepts only the right access token. The
//! example runs the seed's flow (contact -> conversation -> the contact's message), shows that
//! invalid interactive content is refused before sending, then verifies a signed
//! `message_created` webhook for the agent's reply and filters out the echo of its own message.

use deskwire_core::verify::Verify as _;
use std::time::SystemTime;

use deskwire_chatlake::inbound::{EchoFilter, WebhookVerifier};
use deskwire_chatlake::wire::{ContentType, NewContact, NewConversation, NewMessage};
use deskwire_chatlake::{ChatlakeClient, TokenHeader};
use deskwire_core::mac::HmacSha256;
use deskwire_core::Secret;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "tok-7Kq2";
const WEBHOOK_SECRET: &str = "x5Rk3n9PqT2vWb7YcL4mZs8D";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = MockServer::start().await;
    let answer = |p: &'static str, body: &'static str| {
        Mock::given(method("POST"))
            .and(path(p))
            .and(header("api-access-token", TOKEN))
            .respond_with(ResponseTemplate::new(200).set_body_string(body))
    };
    answer(
        "/api/v1/accounts/1/contacts",
        r#"{"payload":{"contact":{"id":1,"name":"Alice","contact_inboxes":[]},"contact_inbox":{"source_id":"8f1c","inbox":{"id":2}}}}"#,
    )
    .mount(&server)
    .await;
    answer(
        "/api/v1/accounts/1/conversations",
        r#"{"id":7,"inbox_id":2,"status":"open","updated_at":1763706087.25}"#,
    )
    .mount(&server)
    .await;
    answer(
        "/api/v1/accounts/1/conversations/7/messages",
        r#"{"id":123,"content":"My parcel is late","message_type":0,"content_type":"text","created_at":1763706088,"private":false}"#,
    )
    .mount(&server)
    .await;

    let client = ChatlakeClient::builder(server.uri(), 1, Secret::new(TOKEN))
        .token_header(TokenHeader::Dashed)
        .build()?;
    let created = client.create_contact(&NewContact::in_inbox(2).name("Alice")).await?;
    let source_id = created.source_id(Some(2)).ok_or("no session on inbox 2")?.to_owned();
    println!(
        "contact {} ({:?} answer), session {source_id}",
        created.contact.id, created.shape
    );
    let conversation = client
        .create_conversation(&NewConversation::for_session(2, source_id))
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
    assert_eq!(server.received_requests().await.unwrap_or_default().len(), 3);

    // Chatlake posts every message of the inbox to its webhook: the agent's reply, and the
    // contact's own message this integration created. Only the reply is for the contact.
    let verifier = WebhookVerifier::new(&Secret::new(WEBHOOK_SECRET)).expect("a webhook secret");
    let filter = EchoFilter::new().own_source_id_prefix("dw-");
    for body in [
        r#"{"event":"message_created","id":123,"content":"My parcel is late","message_type":"incoming","private":false,"source_id":"dw-1","conversation":{"id":7}}"#,
        r#"{"event":"message_created","id":124,"content":"It ships today","message_type":"outgoing","private":false,"sender":{"id":3,"name":"Sam","type":"user"},"conversation":{"id":7}}"#,
    ] {
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)?
            .as_secs()
            .to_string();
        let signature =
            HmacSha256::new(&Secret::new(WEBHOOK_SECRET)).sign_hex(&[now.as_bytes(), b".", body.as_bytes()].concat());
        let mut headers = http::HeaderMap::new();
        headers.insert("x-chatwoot-signature", format!("sha256={signature}").parse()?);
        headers.insert("x-chatwoot-timestamp", now.parse()?);
        let delivery = verifier.verify(&headers, body.as_bytes())?;
        let event = delivery.event.message().ok_or("not a message")?;
        match filter.check(event) {
            Some(skip) => println!("webhook {} skipped: {skip:?}", event.message.id),
            None => println!("agent reply: {:?}", event.message.content),
        }
    }
    Ok(())
}
