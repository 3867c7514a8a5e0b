//! Decoders never panic, and whatever reads back as a scenario encodes to the same JSON value.

use deskwire_core::verify::Verify as _;
use deskwire_core::Secret;
use deskwire_rake_direct::inbound::ReturnWebhookVerifier;
use deskwire_rake_direct::wire::{find_session_id, RakeDirectRequest, DEFAULT_SESSION_ID_POINTERS};
use http::HeaderMap;
use proptest::prelude::*;

fn jsonish() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..120),
        "[{}\\[\\]:,\"a-zA-Z0-9 ]{0,120}".prop_map(String::into_bytes),
        (
            proptest::option::of(0u64..5),
            proptest::option::of(0u64..4),
            proptest::option::of("[a-z]{0,4}"),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(session, timeout, url, platforms, contact)| {
                let mut m = serde_json::Map::new();
                m.insert("secret".into(), "s".into());
                m.insert("message".into(), "m".into());
                if let Some(s) = session {
                    m.insert("sessionId".into(), s.into());
                }
                if let Some(t) = timeout {
                    m.insert("session".into(), serde_json::json!({ "timeout": t }));
                }
                if let Some(u) = url {
                    m.insert("returnWebhookUrl".into(), u.into());
                    m.insert("returnWebhookSecret".into(), "w".into());
                }
                if platforms {
                    m.insert("platformIds".into(), serde_json::json!([1]));
                }
                if contact {
                    m.insert("secondaryEntity".into(), serde_json::json!({"phoneNumber": "1"}));
                }
                serde_json::to_vec(&m).unwrap()
            }),
    ]
}

proptest! {
    #[test]
    fn bodies_read_back_or_fail_cleanly(body in jsonish()) {
        if let Ok(request) = RakeDirectRequest::from_body(&body) {
            let secret = Secret::new(serde_json::from_slice::<serde_json::Value>(&body).ok().and_then(|v| v["secret"].as_str().map(str::to_owned)).unwrap_or_default());
            let again = request.to_body(&secret).unwrap();
            let original: serde_json::Value = serde_json::from_slice(&body).unwrap();
            let encoded: serde_json::Value = serde_json::from_slice(&again).unwrap();
            prop_assert_eq!(encoded, original);
        }
        let _ = find_session_id(&body, DEFAULT_SESSION_ID_POINTERS);
        let _ = ReturnWebhookVerifier::accept_unauthenticated().verify(&HeaderMap::new(), &body);
        let _ = Secret::new("x");
    }
}
