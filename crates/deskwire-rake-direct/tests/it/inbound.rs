//! Return-webhook deliveries: each authenticity check accepts the right proof, refuses any
//! other, and looks at the raw bytes.

use deskwire_core::mac::HmacSha256;
use deskwire_core::verify::{EmptySecret, Proof, ProofError, Verify};
use deskwire_core::Secret;
use deskwire_rake_direct::inbound::{EventKind, InboundError, ReturnWebhookVerifier};
use http::{HeaderMap, HeaderName, HeaderValue};

const HOOK_SECRET: &str = "1111";
const BODY: &[u8] = br#"{"sessionId":13731,"message":"Hello from the agent","custom":"ticket-9","event":"message"}"#;

fn headers(name: &str, value: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        HeaderName::try_from(name).unwrap(),
        HeaderValue::from_str(value).unwrap(),
    );
    h
}

fn verifier(check: Proof) -> ReturnWebhookVerifier {
    ReturnWebhookVerifier::new(check, [&Secret::new(HOOK_SECRET)]).unwrap()
}

const MISMATCH: InboundError = InboundError::Proof(ProofError::Mismatch);

#[test]
fn shared_secret_header() {
    let v = verifier(Proof::shared_secret("X-Rake-Secret"));
    let d = v.verify(&headers("x-rake-secret", HOOK_SECRET), BODY).unwrap();
    assert_eq!(
        (d.session_id.map(|s| s.0), d.custom.as_deref()),
        (Some(13731), Some("ticket-9"))
    );
    assert_eq!(d.event, EventKind::Message);
    assert_eq!(v.verify(&headers("x-rake-secret", "1112"), BODY), Err(MISMATCH));
    assert_eq!(v.verify(&headers("x-rake-secret", "11111"), BODY), Err(MISMATCH));
    assert!(matches!(
        v.verify(&HeaderMap::new(), BODY),
        Err(InboundError::Proof(ProofError::Missing(_)))
    ));
}

#[test]
fn hmac_of_the_raw_body() {
    let v = verifier(Proof::hmac_sha256("x-rake-signature", "sha256="));
    let sig = HmacSha256::new(&Secret::new(HOOK_SECRET)).sign_hex(BODY);
    assert!(v.verify(&headers("x-rake-signature", &sig), BODY).is_ok());
    assert!(v
        .verify(&headers("x-rake-signature", &format!("sha256={sig}")), BODY)
        .is_ok());
    for i in 0..BODY.len() {
        let mut tampered = BODY.to_vec();
        tampered[i] ^= 0x01;
        assert_eq!(
            v.verify(&headers("x-rake-signature", &sig), &tampered),
            Err(MISMATCH),
            "byte {i}"
        );
    }
    assert!(matches!(
        v.verify(&headers("x-rake-signature", "zz"), BODY),
        Err(InboundError::Proof(ProofError::Malformed(_)))
    ));
}

#[test]
fn secret_echoed_in_the_body_is_checked_then_dropped() {
    let v = verifier(Proof::SecretInBody("/returnWebhookSecret".into()));
    let body = br#"{"sessionId":1,"message":"hi","returnWebhookSecret":"1111"}"#;
    let d = v.verify(&HeaderMap::new(), body).unwrap();
    assert!(d.raw.get("returnWebhookSecret").is_none());
    assert!(!format!("{d:?}").contains(HOOK_SECRET));
    let forged = br#"{"sessionId":1,"message":"hi","returnWebhookSecret":"2222"}"#;
    assert_eq!(v.verify(&HeaderMap::new(), forged), Err(MISMATCH));
    assert!(matches!(
        v.verify(&HeaderMap::new(), br#"{"message":"hi"}"#),
        Err(InboundError::Proof(ProofError::Missing(_)))
    ));
}

#[test]
fn unverified_is_an_explicit_choice_and_still_decodes_strictly() {
    let v = ReturnWebhookVerifier::accept_unauthenticated();
    assert!(v.verify(&HeaderMap::new(), BODY).is_ok());
    assert!(matches!(
        v.verify(&HeaderMap::new(), b"not json"),
        Err(InboundError::NotJson(_))
    ));
    // An empty secret is refused when the verifier is built.
    assert_eq!(
        ReturnWebhookVerifier::new(Proof::shared_secret("x-rake-secret"), [&Secret::new("")]).unwrap_err(),
        EmptySecret
    );
}

/// A secret being rotated: the old one and the new one are both accepted, nothing else.
#[test]
fn several_secrets_during_a_rotation() {
    let (old, new) = (Secret::new("old-1111"), Secret::new("new-2222"));
    let v = ReturnWebhookVerifier::new(Proof::shared_secret("x-rake-secret"), [&new, &old]).unwrap();
    assert!(v.verify(&headers("x-rake-secret", "old-1111"), BODY).is_ok());
    assert!(v.verify(&headers("x-rake-secret", "new-2222"), BODY).is_ok());
    assert_eq!(v.verify(&headers("x-rake-secret", "1111"), BODY), Err(MISMATCH));
}
