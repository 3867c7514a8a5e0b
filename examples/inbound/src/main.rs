//! `inbound`: serves the app of this example's library on `127.0.0.1:8080` (or `$LISTEN`), with
//! the four secrets from the environment, and prints every verified delivery.

use deskwire_core::Secret;
use deskwire_example_inbound::{app, Secrets};

fn secret(name: &str) -> Result<Secret, String> {
    std::env::var(name)
        .map(Secret::new)
        .map_err(|_| format!("set {name} (the desk's secret for this app)"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secrets = Secrets {
        engage_digital: secret("ENGAGE_DIGITAL_ACCESS_TOKEN")?,
        chatwoot: secret("CHATWOOT_WEBHOOK_SECRET")?,
        rake_direct: secret("RAKE_RETURN_WEBHOOK_SECRET")?,
        directly: secret("DIRECTLY_CONNECTOR_SECRET")?,
    };
    let (deliveries, mut received) = tokio::sync::mpsc::channel(256);
    let router = app(&secrets, deliveries)?;
    let listen = std::env::var("LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!("listening on http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        while let Some(delivery) = received.recv().await {
            println!("{delivery:?}");
        }
    });
    axum::serve(listener, router).await?;
    Ok(())
}
