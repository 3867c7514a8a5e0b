//! `X-SMCCSDK-SIGNATURE`: lowercase hex HMAC-SHA-512 of the exact body bytes, keyed with the
//! channel's API access token used as raw bytes (not hex-decoded).
//!
//! The same scheme signs Send API requests, the requests Engage Digital sends to your
//! endpoint, and your answers to them. No timestamp or nonce is part of it.

use deskwire_core::mac::{HmacSha512, SignatureError};
use deskwire_core::Secret;

/// Name of the signature header (compare case-insensitively).
pub const SIGNATURE_HEADER: &str = "X-SMCCSDK-SIGNATURE";

/// [`SIGNATURE_HEADER`] as a prebuilt name: a header looked up or inserted by `&str` is parsed
/// and hashed again every time (a tenth of the endpoint's own work on `implementation.info`).
pub(crate) const SIGNATURE_NAME: http::HeaderName = http::HeaderName::from_static("x-smccsdk-signature");
/// Name of the query parameter that may carry the signature when a proxy strips the header.
pub const SIGNATURE_QUERY_PARAM: &str = "signature";

/// Signs and verifies bodies for one channel. Build it once per access token; it is cheap to
/// clone and to share across tasks.
///
/// ```
/// use deskwire_engage_digital::Signer;
/// use deskwire_core::Secret;
///
/// let signer = Signer::new(&Secret::new("3YJZzqMJ5Ec7i2JGvnt8TgvleD7dtpwpmag4S6MuRA2GQdfvV4STIsxDRJ4fEjO8"));
/// let body = br#"{"action":"implementation.info","time":"2012-10-01T17:18:40Z"}"#;
/// assert!(signer.sign(body).starts_with("826b61e7"));
/// assert!(signer.verify(body, &signer.sign(body).to_uppercase()).is_ok());
/// ```
#[derive(Debug, Clone)]
pub struct Signer {
    mac: HmacSha512,
}

impl Signer {
    /// Keys a signer with the channel's API access token.
    pub fn new(access_token: &Secret) -> Self {
        Self {
            mac: HmacSha512::new(access_token),
        }
    }

    /// A signer over an existing MAC (the client keys its token once, for both).
    #[cfg(feature = "client")]
    pub(crate) fn from_mac(mac: HmacSha512) -> Self {
        Self { mac }
    }

    /// The lowercase hex signature of `body`.
    pub fn sign(&self, body: &[u8]) -> String {
        self.mac.sign_hex(body)
    }

    /// The signature of `body` as an `X-SMCCSDK-SIGNATURE` header value (marked sensitive).
    pub fn header_value(&self, body: &[u8]) -> http::HeaderValue {
        self.mac.sign_header_parts(&[body])
    }

    /// A request exactly as Engage Digital sends it to your endpoint: a `POST` of `body` with
    /// `Content-Type: application/json` and its signature in `X-SMCCSDK-SIGNATURE` (the
    /// official SDKs' scheme). For tests of your own routes.
    ///
    /// ```
    /// use deskwire_core::Secret;
    /// use deskwire_engage_digital::Signer;
    /// let request = Signer::new(&Secret::new("token")).request(r#"{"action":"implementation.info"}"#);
    /// assert_eq!(request.headers["x-smccsdk-signature"].len(), 128);
    /// ```
    pub fn request(&self, body: impl Into<bytes::Bytes>) -> deskwire_core::InboundRequest {
        let body = body.into();
        let signature = self.sign(&body);
        deskwire_core::InboundRequest::post(body)
            .header("content-type", "application/json")
            .header(SIGNATURE_HEADER, &signature)
    }

    /// Checks `signature` (hex, either case) against `body` in constant time.
    pub fn verify(&self, body: &[u8], signature: &str) -> Result<(), SignatureError> {
        self.mac.verify_hex(body, signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Keys from ringcentral/engage-digital-api-docs@95ff4dd docs/sdks/source-sdk/: vector 1 is
    // request-response.md's example as printed; vectors 2 (send-api.md's key) and 3 are what
    // PHP's hash_hmac('sha512', body, key) gives (the official PHP SDK's recipe).
    const DOC_KEY: &str = "3YJZzqMJ5Ec7i2JGvnt8TgvleD7dtpwpmag4S6MuRA2GQdfvV4STIsxDRJ4fEjO8";
    const SEND_API_KEY: &str = "56e79ea426735090665b1c107c757d6d3a692c061335e4728899af27f215edf3";

    fn signer(key: &str) -> Signer {
        Signer::new(&Secret::new(key))
    }

    #[test]
    fn vector_1_implementation_info_from_the_docs() {
        let body = br#"{"action":"implementation.info","time":"2012-10-01T17:18:40Z"}"#;
        let expected = "826b61e7939505b2e773ef43a2aad53ec0385dd9d783fbd1c8fea00d0e2a3e2fb0ae0a5b2eb342356b61c41b5f19baec4c1f7e7e37a5b486fe9b593942017ff9";
        assert_eq!(signer(DOC_KEY).sign(body), expected);
        assert_eq!(signer(DOC_KEY).verify(body, expected), Ok(()));
        // The docs print the body with spaces; that form does not match.
        let spaced = br#"{ "action": "implementation.info", "time": "2012-10-01T17:18:40Z" }"#;
        assert_eq!(signer(DOC_KEY).verify(spaced, expected), Err(SignatureError::Mismatch));
    }

    #[test]
    fn vector_2_send_api_messages_create() {
        let body = br#"{"action":"messages.create","params":{"id":"890","author":{"id":"42","created_at":"06/11/2017","screenname":"Alice"},"body":"Nice post !","thread_id":"888"}}"#;
        assert_eq!(
            signer(SEND_API_KEY).sign(body),
            "43994677ae946631a4500ef5487f2f6b6b6d7783164f478462d5a7877e2711ce8636cea6f0f8e895daf678f732b5fe9b733c83cadb0413978d9f1ca9afc6d07e"
        );
    }

    #[test]
    fn vector_3_implementation_info_answer() {
        let body = br#"{"objects":{"messages":["list","show","create"]},"options":[]}"#;
        assert_eq!(
            signer(DOC_KEY).sign(body),
            "02314eac2984e1d8e4170899409a1bcbd3cff84519e5d75d0ba69d744d79b51fdad505e82a45c3f966b2f8b9bc2a85cd40f11d00ce4a860e116c221677321434"
        );
    }

    #[test]
    fn one_changed_byte_fails_with_a_typed_error() {
        let s = signer(SEND_API_KEY);
        let body = br#"{"action":"status.mark_as_read","params":{"id":"890"}}"#.to_vec();
        let sig = s.sign(&body);
        for i in 0..body.len() {
            let mut tampered = body.clone();
            tampered[i] ^= 0x01;
            assert_eq!(s.verify(&tampered, &sig), Err(SignatureError::Mismatch), "byte {i}");
        }
    }
}
