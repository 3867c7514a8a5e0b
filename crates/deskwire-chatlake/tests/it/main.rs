//! Integration tests of deskwire-chatlake, at its boundaries: wiremock plays the server,
//! webhooks are signed here as the server signs them.

mod backfill;
mod channel;
mod errors;
mod flow;
mod properties;
mod public;
mod secrets;
mod validation;
mod webhooks;

use deskwire_chatlake::ChatlakeClient;
use deskwire_core::retry::RetryPolicy;
use deskwire_core::transport::TransportConfig;
use deskwire_core::Secret;
use wiremock::MockServer;

pub const TOKEN: &str = "tok-3f9a-SECRET";

/// A client for account 1 of the mock server, retrying fast.
pub fn client(server: &MockServer) -> ChatlakeClient {
    ChatlakeClient::builder(server.uri(), 1, Secret::new(TOKEN))
        .retry_policy(RetryPolicy {
            base_delay: std::time::Duration::from_millis(1),
            ..RetryPolicy::default()
        })
        .transport(TransportConfig::default())
        .build()
        .expect("client builds")
}
