//! Test helpers for code that talks to Engage Digital (feature `testing`).
//!
//! ```
//! # async fn run() {
//! use deskwire_core::Secret;
//! use deskwire_engage_digital::testing::SignedBy;
//! use wiremock::{matchers::method, Mock, MockServer, ResponseTemplate};
//!
//! let server = MockServer::start().await;
//! Mock::given(method("POST"))
//!     .and(SignedBy::token(&Secret::new("channel token")))
//!     .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
//!     .mount(&server)
//!     .await;
//! # }
//! ```

use deskwire_core::Secret;
use wiremock::{Match, Request};

pub use crate::error::{error_text, interpret_response};
pub use crate::inbound::action::decode_call;

use crate::sign::{Signer, SIGNATURE_HEADER};

/// Matches requests whose `X-SMCCSDK-SIGNATURE` header verifies over the body that arrived.
#[derive(Debug, Clone)]
pub struct SignedBy(pub Signer);

impl SignedBy {
    /// Matches bodies signed with this access token.
    pub fn token(access_token: &Secret) -> Self {
        Self(Signer::new(access_token))
    }
}

impl Match for SignedBy {
    fn matches(&self, request: &Request) -> bool {
        request
            .headers
            .get(SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|sig| self.0.verify(&request.body, sig).is_ok())
    }
}
