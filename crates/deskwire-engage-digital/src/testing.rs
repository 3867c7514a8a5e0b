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

/// A request as Engage Digital sends it to your polling endpoint: `body` signed with the
/// channel's access token in `X-SMCCSDK-SIGNATURE`. For tests of your own route.
///
/// ```
/// use deskwire_core::Secret;
/// use deskwire_engage_digital::testing::signed_request;
/// let request = signed_request(&Secret::new("token"), r#"{"action":"implementation.info"}"#);
/// assert!(request.headers().contains_key("x-smccsdk-signature"));
/// ```
pub fn signed_request(access_token: &Secret, body: impl Into<bytes::Bytes>) -> http::Request<bytes::Bytes> {
    let body = body.into();
    let signature = Signer::new(access_token).sign(&body);
    let mut request = http::Request::new(body);
    *request.method_mut() = http::Method::POST;
    if let Ok(value) = http::HeaderValue::from_str(&signature) {
        request.headers_mut().insert(SIGNATURE_HEADER, value);
    }
    request.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    request
}
