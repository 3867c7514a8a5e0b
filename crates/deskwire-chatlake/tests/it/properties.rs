//! Properties: no input panics the webhook decoder or verifier; any signed body verifies; any
//! change to a signed body, timestamp or signature is refused.

use deskwire_core::verify::Verify as _;
use std::time::{Duration, UNIX_EPOCH};

use deskwire_chatlake::inbound::{WebhookError, WebhookEvent, WebhookVerifier};
use deskwire_chatlake::wire::{ContactCreated, Conversation, Message};
use deskwire_core::Secret;
use proptest::prelude::*;

use crate::webhooks::{headers, sign, MESSAGE_CREATED, SECRET, TS};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic_the_decoders(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = WebhookEvent::from_json(&body);
        let _ = serde_json::from_slice::<ContactCreated>(&body);
        let _ = serde_json::from_slice::<Conversation>(&body);
        let _ = serde_json::from_slice::<Message>(&body);
        let v = WebhookVerifier::new(&Secret::new(SECRET)).expect("a webhook secret");
        // The same bytes as header values, where a header can carry them (non-UTF-8 included).
        let mut h = http::HeaderMap::new();
        let signature = [&b"sha256="[..], &body].concat();
        if let (Ok(s), Ok(t)) = (http::HeaderValue::from_bytes(&signature), http::HeaderValue::from_bytes(&body)) {
            h.insert("x-chatwoot-signature", s);
            h.insert("x-chatwoot-timestamp", t);
        }
        let _ = v.verify_at(&h, &body, UNIX_EPOCH + Duration::from_secs(TS));
    }

    #[test]
    fn mutated_payloads_never_panic(at in 0usize..MESSAGE_CREATED.len(), byte in any::<u8>()) {
        let mut body = MESSAGE_CREATED.as_bytes().to_vec();
        body[at] = byte;
        let _ = WebhookEvent::from_json(&body);
    }

    #[test]
    fn signed_bodies_verify_and_any_change_is_refused(
        body in proptest::collection::vec(any::<u8>(), 0..300),
        ts in any::<u64>(),
        flip in any::<prop::sample::Index>(),
    ) {
        let v = WebhookVerifier::new(&Secret::new(SECRET)).expect("a webhook secret");
        let now = UNIX_EPOCH + Duration::from_secs(ts.min(i64::MAX as u64 / 2));
        let ts_text = ts.to_string();
        let signature = sign(SECRET, &ts_text, &body);
        let in_window = ts <= i64::MAX as u64 / 2;
        let result = v.authenticate_at(&headers(Some(&signature), Some(&ts_text)), &body, now);
        if in_window {
            prop_assert_eq!(result, Ok(Some(ts)));
        } else {
            prop_assert!(matches!(result, Err(WebhookError::FromTheFuture { .. })), "{:?}", result);
        }
        if !body.is_empty() {
            let mut changed = body.clone();
            changed[flip.index(body.len())] ^= 0x01;
            let refused = v.authenticate_at(&headers(Some(&signature), Some(&ts_text)), &changed, now);
            prop_assert_eq!(refused, Err(WebhookError::Mismatch));
        }
        let other_ts = ts.wrapping_add(1).to_string();
        prop_assert!(v.authenticate_at(&headers(Some(&signature), Some(&other_ts)), &body, now).is_err());
    }
}
