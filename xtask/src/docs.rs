//! `cargo xtask docs [--check]`: writes the capability matrix into README.md, from each
//! provider channel's own `capabilities()`, between the `capability-matrix` markers. With
//! `--check` (CI) it only compares and fails when README is stale.

use std::path::Path;
use std::sync::Arc;

use deskwire_core::channel::{matrix_markdown, Channel};
use deskwire_core::Secret;

const START: &str = "<!-- capability-matrix:start (cargo xtask docs) -->";
const END: &str = "<!-- capability-matrix:end -->";

/// One channel per provider, configured with placeholders: building one does no I/O.
fn channels() -> Result<Vec<Arc<dyn Channel>>, String> {
    use deskwire_chatlake::{channel::ChatlakeChannel, inbound::WebhookVerifier, ChatlakeClient};
    use deskwire_core::verify::Proof;
    use deskwire_directly::{channel::DirectlyChannel, Credentials, DirectlyClient};
    use deskwire_engage_digital::{channel::EngageDigitalChannel, SendApiClient};
    use deskwire_rake_direct::{channel::RakeDirectChannel, wire::ReturnWebhook, RakeDirectClient};

    let secret = Secret::new("placeholder");
    let host = "https://desk.invalid";
    let err = |e: &dyn std::fmt::Display| e.to_string();
    Ok(vec![
        Arc::new(EngageDigitalChannel::new(
            SendApiClient::builder(host, "source", secret.clone())
                .build()
                .map_err(|e| err(&e))?,
        )),
        {
            let api = ChatlakeClient::builder(host, 1, secret.clone())
                .build()
                .map_err(|e| err(&e))?;
            Arc::new(
                ChatlakeChannel::new(api.clone(), 1)
                    .client_api(api.client_api("inbox").map_err(|e| err(&e))?)
                    .webhooks(WebhookVerifier::new(&secret).expect("a webhook secret"))
                    .backfill(Arc::new(deskwire_core::store::MemoryStore::new())),
            )
        },
        Arc::new(DirectlyChannel::new(
            DirectlyClient::builder(Credentials::access_token(secret.clone()))
                .build()
                .map_err(|e| err(&e))?,
        )),
        Arc::new(
            RakeDirectChannel::new(
                RakeDirectClient::builder("workspace", secret.clone())
                    .build()
                    .map_err(|e| err(&e))?,
                ReturnWebhook::new(host, secret.clone()),
                Proof::shared_secret("x-rake-secret"),
            )
            .map_err(|e| err(&e))?,
        ),
    ])
}

/// The matrix block, markers included.
pub fn block() -> Result<String, String> {
    let channels = channels()?;
    let table = matrix_markdown(channels.iter().map(|c| (c.provider(), c.capabilities())));
    Ok(format!("{START}\n{table}{END}"))
}

/// Writes (or with `check`, verifies) README's matrix. Returns an error text on failure.
pub fn run(readme: &Path, check: bool) -> Result<(), String> {
    let text = std::fs::read_to_string(readme).map_err(|e| format!("{}: {e}", readme.display()))?;
    let (Some(start), Some(end)) = (text.find(START), text.find(END)) else {
        return Err(format!("{} has no capability-matrix markers", readme.display()));
    };
    let updated = format!("{}{}{}", &text[..start], block()?, &text[end + END.len()..]);
    if updated == text {
        println!("README capability matrix is up to date");
        return Ok(());
    }
    if check {
        return Err(
            "README's capability matrix differs from the channels' capabilities(); run `cargo xtask docs`".into(),
        );
    }
    std::fs::write(readme, updated).map_err(|e| format!("{}: {e}", readme.display()))?;
    println!("README capability matrix written");
    Ok(())
}
