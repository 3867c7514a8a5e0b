//! The contract suite: the one shared scenario ([`run_scenario`]) against every provider's
//! desk, played by deskwire-sim, with the same code for all four.

use deskwire_conformance::desks::{run_scenario, SimDesk};
use deskwire_conformance::PROVIDERS;

#[tokio::test(flavor = "multi_thread")]
async fn every_provider_passes_the_shared_scenario() {
    let mut failures = Vec::new();
    for provider in PROVIDERS {
        let desk = SimDesk::start(provider, 1).await.expect("a desk for every provider");
        match run_scenario(&desk).await {
            Ok(outcome) => println!("{provider}: {}", outcome.steps.join(" → ")),
            Err(e) => failures.push(format!("{provider}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
