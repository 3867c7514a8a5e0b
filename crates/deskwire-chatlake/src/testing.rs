//! Test helpers for code that receives Chatlake webhooks (feature `testing`).

use std::time::{SystemTime, UNIX_EPOCH};

use deskwire_core::mac::HmacSha256;
use deskwire_core::Secret;
use http::{HeaderMap, HeaderValue};

use crate::inbound::{DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// The headers Chatwoot sends with a webhook `body` signed with `secret` at `timestamp`
/// (unix seconds): `X-Chatwoot-Signature: sha256=<hex HMAC-SHA256 of "{timestamp}.{body}">`,
/// `X-Chatwoot-Timestamp` and an `X-Chatwoot-Delivery` id — the recipe of chatwoot/chatwoot
/// `lib/webhooks/trigger.rb` (v4.13.0), which the conformance suite checks against vectors that
/// code produced.
///
/// ```
/// use deskwire_chatlake::inbound::WebhookVerifier;
/// use deskwire_chatlake::testing::sign;
/// use deskwire_core::verify::Verify;
/// use deskwire_core::Secret;
///
/// let secret = Secret::new("whsec");
/// let body = br#"{"event":"conversation_typing_on","is_private":false}"#;
/// let headers = sign(&secret, deskwire_chatlake::testing::now(), body);
/// assert!(WebhookVerifier::new(&secret).unwrap().verify(&headers, body).is_ok());
/// ```
pub fn sign(secret: &Secret, timestamp: u64, body: &[u8]) -> HeaderMap {
    let ts = timestamp.to_string();
    let mac = HmacSha256::new(secret).sign_hex(&[ts.as_bytes(), b".", body].concat());
    let mut headers = HeaderMap::new();
    let mut put = |name: &'static str, value: String| {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    };
    put(SIGNATURE_HEADER, format!("sha256={mac}"));
    put(TIMESTAMP_HEADER, ts);
    put(DELIVERY_HEADER, deskwire_core::verify::delivery_id(body));
    headers
}

/// The current time in unix seconds.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}
