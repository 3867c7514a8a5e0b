//! Integration tests of the Send API client against a wiremock Engage Digital.

mod channel;
mod endpoint;
mod errors;
mod limits;
mod properties;
mod retry;
mod secrets;
mod transport;
mod typing;
mod wire_bytes;

use std::time::Duration;

use deskwire_core::retry::RetryPolicy;
use deskwire_core::Secret;
use deskwire_engage_digital::testing::SignedBy;
use deskwire_engage_digital::wire::User;
use deskwire_engage_digital::{SendApiClient, SendApiClientBuilder};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The Send API example token from the docs.
pub const TOKEN: &str = "56e79ea426735090665b1c107c757d6d3a692c061335e4728899af27f215edf3";
pub const SOURCE: &str = "8da592bc6fcf8bae41b2";
pub const PATH: &str = "/realtime/sdk/8da592bc6fcf8bae41b2";

/// A builder aimed at `server`, with fast retries so tests do not wait.
pub fn builder(server: &MockServer) -> SendApiClientBuilder {
    SendApiClient::builder(server.uri(), SOURCE, Secret::new(TOKEN)).retry_policy(RetryPolicy {
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        ..RetryPolicy::default()
    })
}

pub fn client(server: &MockServer) -> SendApiClient {
    builder(server).build().expect("client builds")
}

pub fn alice() -> User {
    User::new("42", "Alice", "06/11/2017")
}

pub fn signed() -> SignedBy {
    SignedBy::token(&Secret::new(TOKEN))
}

/// A stand-in that answers `status` + `body` to the first request and `200 ok` afterwards.
pub async fn answers_once_then_ok(status: u16, body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(status).set_body_string(body))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&server)
        .await;
    server
}
