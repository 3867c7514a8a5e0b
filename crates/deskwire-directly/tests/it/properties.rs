//! Decoders never panic on arbitrary input; typed values survive encode/decode; the verifier
//! refuses any flipped byte.

use deskwire_core::mac::HmacSha256;
use deskwire_core::Secret;
use deskwire_directly::inbound::{ConnectorEvent, ConnectorReceiver};
use deskwire_directly::wire::{Question, Timestamp, Uuid};
use deskwire_directly::{ErrorDetail, UserEmail};
use proptest::prelude::*;

use crate::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn decoders_survive_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = serde_json::from_slice::<Question>(&bytes);
        let _ = ConnectorEvent::from_json(&bytes);
        let _ = ErrorDetail::parse(&String::from_utf8_lossy(&bytes));
        let text = String::from_utf8_lossy(&bytes);
        let _ = Uuid::parse(&text);
        let _ = UserEmail::new(&*text);
        let _ = Timestamp::parse(&text);
    }

    #[test]
    fn a_question_survives_mutation(index in 0usize..2000, byte in any::<u8>()) {
        let mut body = serde_json::to_vec(&question_json(2, "2020-01-01T10:00:00Z")).unwrap();
        let i = index % body.len();
        body[i] = byte;
        if let Ok(q) = serde_json::from_slice::<Question>(&body) {
            // Whatever decodes, re-encodes to something that decodes to the same value.
            let again: Question = serde_json::from_slice(&serde_json::to_vec(&q).unwrap()).unwrap();
            prop_assert_eq!(again, q);
        }
    }

    #[test]
    fn a_signed_delivery_refuses_any_flipped_byte(index in 0usize..200, bit in 0u8..8) {
        let body = br#"{"eventType":"QUESTION_RESPONSE","questionUuid":"123e4567-e89b-12d3-a456-426655440000","message":"hi"}"#;
        let secret = Secret::new("k");
        let receiver = ConnectorReceiver::new(deskwire_core::verify::Proof::hmac_sha256("x-signature", ""), [&secret]).unwrap();
        let mut headers = http::HeaderMap::new();
        headers.insert("x-signature", HmacSha256::new(&secret).sign_hex(body).parse().unwrap());
        prop_assert!(receiver.authenticate(&headers, body).is_ok());
        let mut tampered = body.to_vec();
        tampered[index % body.len()] ^= 1 << bit;
        prop_assert!(receiver.authenticate(&headers, &tampered).is_err());
    }
}

#[test]
fn a_full_question_roundtrips_exactly() {
    let documented = question_json(2, "2020-01-01T10:00:00Z");
    let q: Question = serde_json::from_value(documented.clone()).unwrap();
    assert_eq!(serde_json::to_value(&q).unwrap(), documented);
}
