//! Universal Connector deliveries: both published layouts, lenient booleans, unknown event
//! types kept, and each way of checking authenticity.

use deskwire_core::mac::HmacSha256;
use deskwire_core::verify::{Proof, ProofError, Verify};
use deskwire_core::Secret;
use deskwire_directly::inbound::{ConnectorError, ConnectorEvent, ConnectorEventType, ConnectorReceiver};
use http::HeaderMap;
use serde_json::json;

/// Directly's client's layout, as the README's template renders (booleans unquoted).
const FLAT: &str = r#"{"eventType":"QUESTION_FIRST_RESPONSE","authorName":"Sam","messageCreated":"2020-01-01T10:00:00Z",
"messageIsAutoAnswer":false,"messageAuthorIsPoster":false,"messageAuthorIsChatbot":"false","externalId":"ticket-17",
"questionUuid":"123e4567-e89b-12d3-a456-426655440000","responseUuid":"9f1c2d3e-4b5a-4c6d-8e7f-000000000000",
"messageUuid":"abcd-7890","message":"Try a reboot","expertName":"Sam","expectedResponseMilliseconds":"60000"}"#;

/// Meya's nested snake_case layout.
const NESTED: &str = r#"{"event_type":"QUESTION_RESPONSE","timestamp":1577872800,
"question":{"uuid":"123e4567-e89b-12d3-a456-426655440000","subject":"Router","text":"Blinks red","external_id":"ticket-17"},
"answer":{"uuid":"r-1","author":{"name":"Sam"},"expert":{"uuid":"e-1","name":"Sam","avatar":"https://x/a.png"},
"comment":{"uuid":"c-1","text":"Reboot it","is_auto_answer":false,"author":{"name":"Ana","is_poster":true,"is_chatbot":false}}},
"extra":{"k":"v"}}"#;

#[test]
fn both_layouts() {
    let flat = ConnectorEvent::from_json(FLAT.as_bytes()).unwrap();
    assert_eq!(flat.event_type, ConnectorEventType::QuestionFirstResponse);
    assert_eq!(
        flat.question_uuid.as_ref().unwrap().as_str(),
        "123e4567-e89b-12d3-a456-426655440000"
    );
    assert_eq!(
        flat.message_uuid.as_ref().unwrap().as_str(),
        "abcd-7890",
        "kept as sent"
    );
    assert_eq!(flat.message.as_deref(), Some("Try a reboot"));
    assert_eq!(
        (flat.author_is_poster, flat.author_is_chatbot, flat.is_auto_answer),
        (Some(false), Some(false), Some(false))
    );
    assert_eq!(flat.created.as_ref().unwrap().as_str(), "2020-01-01T10:00:00Z");
    assert_eq!(flat.expected_response_ms, Some(60_000));
    assert_eq!(flat.external_id.as_deref(), Some("ticket-17"));
    assert!(!flat.is_echo());

    let nested = ConnectorEvent::from_json(NESTED.as_bytes()).unwrap();
    assert_eq!(nested.event_type, ConnectorEventType::QuestionResponse);
    assert_eq!(nested.response_uuid.as_ref().unwrap().as_str(), "r-1");
    assert_eq!(nested.message_uuid.as_ref().unwrap().as_str(), "c-1");
    assert_eq!(nested.message.as_deref(), Some("Reboot it"));
    assert_eq!(nested.author_name.as_deref(), Some("Ana"));
    assert_eq!(nested.expert_avatar.as_deref(), Some("https://x/a.png"));
    assert_eq!(nested.external_id.as_deref(), Some("ticket-17"));
    assert!(nested.is_echo(), "the poster's own message comes back");
    assert_eq!(nested.raw["extra"], json!({"k": "v"}));
}

#[test]
fn unknown_types_are_kept_and_bad_bodies_are_errors() {
    let e = ConnectorEvent::from_json(br#"{"eventType":"QUESTION_TELEPORTED"}"#).unwrap();
    assert_eq!(e.event_type, ConnectorEventType::Unknown("QUESTION_TELEPORTED".into()));
    assert_eq!(e.event_type.as_str(), "QUESTION_TELEPORTED");
    for bad in [&b"[]"[..], b"{}", b"not json", b"", br#"{"eventType":""}"#] {
        assert!(
            matches!(ConnectorEvent::from_json(bad), Err(ConnectorError::Payload(_))),
            "{bad:?}"
        );
    }
}

fn headers(name: &str, value: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(
        http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
        value.parse().unwrap(),
    );
    h
}

#[test]
fn authenticity_checks() {
    let body = FLAT.as_bytes();
    let shared = ConnectorReceiver::new(Proof::shared_secret("X-Connector-Secret"), [&Secret::new("s3cret")]).unwrap();
    assert!(shared.verify(&headers("x-connector-secret", "s3cret"), body).is_ok());
    assert_eq!(
        shared
            .verify(&headers("x-connector-secret", "s3cre"), body)
            .unwrap_err(),
        ConnectorError::Proof(ProofError::Mismatch)
    );
    assert_eq!(
        shared.verify(&HeaderMap::new(), body).unwrap_err(),
        ConnectorError::Proof(ProofError::Missing("header `x-connector-secret`".into()))
    );
    assert!(!format!("{shared:?}").contains("s3cret"));

    let secret = Secret::new("hmac-key");
    let hmac = ConnectorReceiver::new(Proof::hmac_sha256("x-signature", "sha256="), [&secret]).unwrap();
    let signature = HmacSha256::new(&secret).sign_hex(body);
    assert!(hmac
        .verify(&headers("x-signature", &format!("sha256={signature}")), body)
        .is_ok());
    assert!(hmac
        .verify(
            &headers("x-signature", &format!("sha256={}", signature.to_uppercase())),
            body
        )
        .is_ok());
    // The bare MAC proves the same thing: the prefix is optional.
    assert!(hmac.verify(&headers("x-signature", &signature), body).is_ok());
    let mut tampered = body.to_vec();
    tampered[10] ^= 1;
    assert_eq!(
        hmac.verify(&headers("x-signature", &format!("sha256={signature}")), &tampered)
            .unwrap_err(),
        ConnectorError::Proof(ProofError::Mismatch)
    );

    let custom = ConnectorReceiver::new(Proof::custom(|h, _| h.contains_key("x-from-gateway")), []).unwrap();
    assert!(custom.verify(&headers("x-from-gateway", "1"), body).is_ok());
    assert_eq!(
        custom.verify(&HeaderMap::new(), body).unwrap_err(),
        ConnectorError::Proof(ProofError::Refused)
    );

    assert!(ConnectorReceiver::accept_unauthenticated()
        .verify(&HeaderMap::new(), body)
        .is_ok());
    // An empty secret is refused when the receiver is built.
    assert!(ConnectorReceiver::new(Proof::shared_secret("x-secret"), [&Secret::new("")]).is_err());
}

#[test]
fn a_secret_echoed_in_the_body_is_checked_then_dropped_from_the_event() {
    let receiver = ConnectorReceiver::new(Proof::SecretInBody("/secret".into()), [&Secret::new("s3cret")]).unwrap();
    let body = br#"{"eventType":"QUESTION_RESPONSE","message":"hi","secret":"s3cret"}"#;
    let event = receiver.verify(&HeaderMap::new(), body).unwrap();
    assert_eq!(event.message.as_deref(), Some("hi"));
    assert_eq!(event.raw, json!({"eventType": "QUESTION_RESPONSE", "message": "hi"}));
    assert!(!format!("{event:?}").contains("s3cret"));
    let forged = br#"{"eventType":"QUESTION_RESPONSE","secret":"guess"}"#;
    assert!(receiver.verify(&HeaderMap::new(), forged).is_err());
}

/// Numbers where text is expected are read as their digits; booleans sent as text either way.
#[test]
fn numbers_and_text_booleans_are_read_leniently() {
    let e = ConnectorEvent::from_json(
        br#"{"eventType":"QUESTION_RESPONSE","externalId":17,"expectedResponseMilliseconds":60000,
        "messageAuthorIsPoster":"TRUE ","messageAuthorIsChatbot":"true","messageIsAutoAnswer":"maybe"}"#,
    )
    .unwrap();
    assert_eq!(e.external_id.as_deref(), Some("17"));
    assert_eq!(e.expected_response_ms, Some(60_000));
    assert_eq!(
        (e.author_is_poster, e.author_is_chatbot, e.is_auto_answer),
        (Some(true), Some(true), None)
    );
    assert!(e.is_echo());
}

/// A refusal names its answer: 401 for an unproven origin, 400 for an authentic non-event.
#[test]
fn refusals_name_their_status() {
    use deskwire_core::verify::Refusal as _;
    assert_eq!(
        ConnectorError::Proof(ProofError::Mismatch).status_code(),
        http::StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        ConnectorError::Payload("x".into()).status_code(),
        http::StatusCode::BAD_REQUEST
    );
    let receiver = ConnectorReceiver::new(Proof::shared_secret("x-secret"), [&Secret::new("s")]).unwrap();
    let signed = receiver.sign(b"[]");
    let refused = receiver.verify(&signed.headers, &signed.body).unwrap_err();
    assert_eq!(refused.status_code(), http::StatusCode::BAD_REQUEST);
}
