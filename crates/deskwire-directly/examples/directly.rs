//! Directly end to end against deskwire-sim's Directly desk.
//!
//! `cargo run -p deskwire-directly --example directly`
//!
//! The simulator plays Directly: its token endpoint, a question that first has no news (304)
//! and then an expert response (the "notifying experts" system message disappearing with it),
//! acceptance and logout. The example asks a question, watches it with a `QuestionWatcher`
//! until the expert answers, accepts the response, then decodes a Universal Connector delivery
//! checked by a shared secret.

use std::sync::Arc;
use std::time::Duration;

use deskwire_core::verify::{Proof, Verify};
use deskwire_core::Secret;
use deskwire_directly::inbound::{ConnectorReceiver, QuestionEvent, QuestionWatcher};
use deskwire_directly::wire::NewQuestion;
use deskwire_directly::{Credentials, DirectlyClient, UserEmail};
use deskwire_sim::{Provider, Sim};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let directly = Arc::new(Sim::builder(Provider::Directly).start().await?);
    let credential = |key: &str| directly.credential(key).ok_or(format!("no {key}"));
    let client = DirectlyClient::builder(Credentials::client_credentials(
        credential("client_id")?,
        Secret::new(credential("client_secret")?),
    ))
    .base_url(directly.base_url())
    .build()?;
    let user = UserEmail::new("ana@example.com")?;
    let asked = client
        .create_question(&NewQuestion::new(&user, "Ana", "My router blinks red"))
        .await?;
    println!("asked {} ({:?})", asked.uuid, asked.status());

    let mut watcher = QuestionWatcher::new(client.clone(), Duration::from_millis(20));
    watcher.watch_from(&asked);
    // An expert answers a little later.
    let expert = Arc::clone(&directly);
    let question = asked.uuid.to_string();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        expert.agent_message(&question, "Hold the reset button for 10 s.").await
    });
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
