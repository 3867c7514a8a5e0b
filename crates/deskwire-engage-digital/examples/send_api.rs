//! The Send API end to end against deskwire-sim's Engage Digital desk.
//!
//! `cargo run -p deskwire-engage-digital --example send_api`
//!
//! The simulator plays Engage Digital with the docs' source id and access token: it answers
//! `ok` only to requests whose `X-SMCCSDK-SIGNATURE` verifies, and the documented errors
//! otherwise. The example pushes a thread, a customer message, typing and a read mark, prints
//! what Engage Digital recorded, then shows what a caller sees when a request is refused before
//! sending and by the provider.

use deskwire_core::{Delivery, Secret};
use deskwire_engage_digital::wire::{
    Format, Message, SelectItem, StructuredContent, Thread, TypingStart, TypingStop, TypingTarget, User,
};
use deskwire_engage_digital::{Accepted, Error, SendApiClient};
use deskwire_sim::{Provider, Sim};

const TOKEN: &str = "56e79ea426735090665b1c107c757d6d3a692c061335e4728899af27f215edf3";
const SOURCE: &str = "8da592bc6fcf8bae41b2";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engage = Sim::builder(Provider::EngageDigital)
        .credential("access_token", TOKEN)
        .credential("source_id", SOURCE)
        .start()
        .await?;
    let client = SendApiClient::builder(engage.base_url(), SOURCE, Secret::new(TOKEN)).build()?;
    let alice = User::new("42", "Alice", "2017-11-06");

    client
        .create_thread(
            &Thread::new("888", alice.clone())
                .title("Shoes")
                .body("Do you have size 9?"),
        )
        .await?;
    client
        .typing_start(&TypingStart::new(TypingTarget::thread("888"), "Nice po"))
        .await?;
    client
        .create_message(
            &Message::new("890", "888", alice.clone())
                .body("Nice post !")
                .format(Format::Text),
        )
        .await?;
    client
        .typing_stop(&TypingStop::new(TypingTarget::thread("888")))
        .await?;
    client.mark_as_read("agent-reply-1").await?;

    println!("Engage Digital received (each signature verified):");
    for exchange in engage.exchanges() {
        println!(
            "  {} {} -> {:?}  {}",
            exchange.method,
            exchange.path,
            exchange.status,
            exchange.summary.unwrap_or_default()
        );
    }

    // Refused before sending: a select with 14 choices (the limit is 13).
    let too_many = StructuredContent::select((1..=14).map(|i| SelectItem::new(format!("Size {i}"))));
    let invalid = Message::new("891", "888", alice.clone())
        .body("Which size?")
        .structured_content(too_many);
    report("too many choices", client.create_message(&invalid).await);

    // Refused by the provider: a client with the wrong token.
    let wrong = SendApiClient::builder(engage.base_url(), SOURCE, Secret::new("not-the-token")).build()?;
    report("wrong token", wrong.mark_as_read("890").await);
    Ok(())
}

fn report(what: &str, result: Result<Accepted, Error>) {
    match result {
        Ok(accepted) => println!("{what}: sent (HTTP {})", accepted.status),
        Err(e) => {
            let advice = match e.delivery() {
                Delivery::NotSent => "nothing left this machine: fix and resend",
                Delivery::Rejected => "Engage Digital refused it: fix and resend",
                Delivery::MaybeDelivered => "it may have arrived: check before resending",
            };
            println!("{what}: {e}\n  -> {advice}");
        }
    }
}
