//! The contract suite: the one shared scenario ([`run_scenario`]) against every provider's
//! desk, with the same code for all four.

use deskwire_conformance::desks::{desk, run_scenario};
use deskwire_conformance::PROVIDERS;
use wiremock::MockServer;

#[tokio::test(flavor = "multi_thread")]
async fn every_provider_passes_the_shared_scenario() {
    let mut failures = Vec::new();
    for provider in PROVIDERS {
        let server = MockServer::start().await;
        let desk = desk(provider, &server).await.expect("a desk for every provider");
        match run_scenario(&*desk, &server).await {
            Ok(outcome) => println!("{provider}: {}", outcome.steps.join(" → ")),
            Err(e) => failures.push(format!("{provider}: {e}")),
        }
        // Dropping the server checks every mock's expected call count.
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
