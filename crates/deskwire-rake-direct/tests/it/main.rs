//! Integration tests of the Rake Direct client and return-webhook verifier.

mod errors;
mod inbound;
mod properties;
mod scenarios;
mod secrets;

use std::time::Duration;

use deskwire_core::retry::RetryPolicy;
use deskwire_core::Secret;
use deskwire_rake_direct::RakeDirectClient;
use wiremock::MockServer;

/// The seed's example secret.
pub const SECRET: &str = "Raqqw2k6bngAOmSk";
pub const WORKSPACE: &str = "ws-42";
pub const PATH: &str = "/workspaces/ws-42/rake-direct";

pub fn client(server: &MockServer) -> RakeDirectClient {
    RakeDirectClient::builder(WORKSPACE, Secret::new(SECRET))
        .base_url(server.uri())
        .retry_policy(RetryPolicy {
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            ..RetryPolicy::default()
        })
        .build()
        .expect("client builds")
}
