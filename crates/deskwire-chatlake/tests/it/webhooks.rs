//! Webhook verification: a correctly signed delivery passes; each bad case has its own error;
//! typed events and the echo filter.

use deskwire_core::verify::Verify as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use deskwire_chatlake::inbound::{EchoFilter, Skip, WebhookError, WebhookEvent, WebhookVerifier};
use deskwire_chatlake::wire::{ConversationStatus, MessageType, Timestamp};
use deskwire_core::mac::HmacSha256;
use deskwire_core::Secret;
use http::HeaderMap;

pub const SECRET: &str = "x5Rk3n9PqT2vWb7YcL4mZs8D";
pub const TS: u64 = 1_763_706_087;

pub const MESSAGE_CREATED: &str = r#"{"event":"message_created","id":123,"content":"Your parcel ships today","content_type":"text","content_attributes":{},"additional_attributes":{},"message_type":"outgoing","private":false,"source_id":null,"created_at":"2025-11-21T06:21:27.123Z","account":{"id":1,"name":"Acme"},"inbox":{"id":2,"name":"API"},"sender":{"id":3,"name":"Agent Smith","email":"smith@example.com","type":"user"},"conversation":{"additional_attributes":{},"can_reply":true,"channel":"Channel::Api","id":7,"inbox_id":2,"messages":[],"labels":[],"meta":{"sender":{"id":1,"name":"Alice"},"assignee":null,"assignee_type":null,"team":null,"hmac_verified":false},"status":"open","custom_attributes":{},"snoozed_until":null,"unread_count":0,"first_reply_created_at":null,"priority":null,"waiting_since":0,"agent_last_seen_at":0,"contact_last_seen_at":0,"last_activity_at":1700000000,"timestamp":1700000000,"created_at":1700000000,"updated_at":1700000000.1}}"#;

/// The `X-Chatwoot-Signature` for `ts`: what the verifier's public signer (`Verify::sign_at`)
/// produces, checked against Chatwoot's recipe; past `SystemTime`'s range (the overflow cases)
/// the recipe alone.
pub fn sign(secret: &str, ts: &str, body: &[u8]) -> String {
    let recipe = format!(
        "sha256={}",
        HmacSha256::new(&Secret::new(secret)).sign_hex_parts(&[ts.as_bytes(), b".", body])
    );
    if let Some(at) = UNIX_EPOCH.checked_add(Duration::from_secs(ts.parse().unwrap())) {
        let request = WebhookVerifier::new(&Secret::new(secret)).unwrap().sign_at(body, at);
        assert_eq!(request.headers["x-chatwoot-timestamp"], ts);
        assert_eq!(request.headers["x-chatwoot-signature"], recipe.as_str());
    }
    recipe
}

pub fn headers(signature: Option<&str>, ts: Option<&str>) -> HeaderMap {
    let mut h = HeaderMap::new();
    if let Some(s) = signature {
        h.insert("x-chatwoot-signature", s.parse().unwrap());
    }
    if let Some(t) = ts {
        h.insert("x-chatwoot-timestamp", t.parse().unwrap());
    }
    h.insert(
        "x-chatwoot-delivery",
        "6c2d0d0e-5d63-4a63-9d7b-2b1f9b1d4a10".parse().unwrap(),
    );
    h
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

fn verifier() -> WebhookVerifier {
    WebhookVerifier::new(&Secret::new(SECRET)).expect("a webhook secret")
}

#[test]
fn a_correctly_signed_delivery_is_accepted() {
    let body = MESSAGE_CREATED.as_bytes();
    let ts = TS.to_string();
    let h = headers(Some(&sign(SECRET, &ts, body)), Some(&ts));
    let delivery = verifier().verify_at(&h, body, at(TS + 299)).unwrap();
    assert!(delivery.signed);
    assert_eq!(delivery.timestamp, Some(TS));
    assert_eq!(
        delivery.delivery_id.as_deref(),
        Some("6c2d0d0e-5d63-4a63-9d7b-2b1f9b1d4a10")
    );
    let WebhookEvent::MessageCreated(m) = &delivery.event else {
        panic!("{:?}", delivery.event)
    };
    assert_eq!(m.message.message_type, Some(MessageType::Outgoing));
    assert_eq!(
        m.message.created_at,
        Some(Timestamp::Iso("2025-11-21T06:21:27.123Z".into()))
    );
    assert_eq!(m.conversation_id(), Some(7));
    assert_eq!(m.account.as_ref().unwrap().name.as_deref(), Some("Acme"));
    // Upper-case hex is the same signature.
    let upper = sign(SECRET, &ts, body).to_uppercase().replace("SHA256=", "sha256=");
    verifier()
        .verify_at(&headers(Some(&upper), Some(&ts)), body, at(TS))
        .unwrap();
}

#[test]
fn each_bad_case_has_its_own_error() {
    let body = MESSAGE_CREATED.as_bytes();
    let ts = TS.to_string();
    let good = sign(SECRET, &ts, body);
    let v = verifier();
    let check = |h: HeaderMap, b: &[u8], now: u64| v.verify_at(&h, b, at(now)).unwrap_err();

    assert_eq!(
        check(headers(Some(&sign("another-secret", &ts, body)), Some(&ts)), body, TS),
        WebhookError::Mismatch
    );
    let mut tampered = body.to_vec();
    tampered[30] ^= 1;
    assert_eq!(
        check(headers(Some(&good), Some(&ts)), &tampered, TS),
        WebhookError::Mismatch
    );
    assert_eq!(
        check(headers(Some(&good), Some(&(TS + 1).to_string())), body, TS),
        WebhookError::Mismatch
    );
    assert_eq!(
        check(headers(Some(&good), Some(&ts)), body, TS + 301),
        WebhookError::Stale {
            age_secs: 301,
            tolerance_secs: 300
        }
    );
    assert_eq!(
        check(headers(Some(&good), Some(&ts)), body, TS - 301),
        WebhookError::FromTheFuture {
            ahead_secs: 301,
            tolerance_secs: 300
        }
    );
    // The common mistake: HMAC of the body alone.
    let body_only = format!("sha256={}", HmacSha256::new(&Secret::new(SECRET)).sign_hex(body));
    assert_eq!(
        check(headers(Some(&body_only), Some(&ts)), body, TS),
        WebhookError::SignedWithoutTimestamp
    );
    assert_eq!(
        check(headers(None, Some(&ts)), body, TS),
        WebhookError::MissingHeader("x-chatwoot-signature")
    );
    assert_eq!(
        check(headers(Some(&good), None), body, TS),
        WebhookError::MissingHeader("x-chatwoot-timestamp")
    );
    assert_eq!(
        check(headers(Some(&good[7..]), Some(&ts)), body, TS),
        WebhookError::MalformedSignature
    );
    assert_eq!(
        check(headers(Some("sha256=zz"), Some(&ts)), body, TS),
        WebhookError::MalformedSignature
    );
    assert_eq!(
        check(headers(Some(&good), Some("1763706087.5")), body, TS),
        WebhookError::MalformedTimestamp
    );
    // A far-future signed timestamp does not overflow.
    let max = u64::MAX.to_string();
    assert!(matches!(
        check(headers(Some(&sign(SECRET, &max, body)), Some(&max)), body, TS),
        WebhookError::FromTheFuture { .. }
    ));
}

/// The window at its edges: exactly the tolerance either way is accepted, one second more is
/// not; and a clock before 1970 still counts the timestamp as ahead of it.
#[test]
fn the_window_is_inclusive_on_both_sides_and_signed_before_1970() {
    let body = b"{\"event\":\"conversation_typing_off\"}";
    let ts = TS.to_string();
    let h = headers(Some(&sign(SECRET, &ts, body)), Some(&ts));
    for now in [TS - 300, TS - 299, TS, TS + 299, TS + 300] {
        verifier()
            .verify_at(&h, body, at(now))
            .unwrap_or_else(|e| panic!("at {now}: {e}"));
    }
    assert_eq!(
        verifier().verify_at(&h, body, at(TS + 301)).unwrap_err(),
        WebhookError::Stale {
            age_secs: 301,
            tolerance_secs: 300
        }
    );
    assert_eq!(
        verifier().verify_at(&h, body, at(TS - 301)).unwrap_err(),
        WebhookError::FromTheFuture {
            ahead_secs: 301,
            tolerance_secs: 300
        }
    );
    // Now is 200 s before 1970 and the delivery is dated 150 s after: 350 s ahead.
    let early = h_at(150, body);
    let before_1970 = UNIX_EPOCH - Duration::from_secs(200);
    assert_eq!(
        verifier().verify_at(&early, body, before_1970).unwrap_err(),
        WebhookError::FromTheFuture {
            ahead_secs: 350,
            tolerance_secs: 300
        }
    );
    // ... and dated 50 s after 1970 it is 250 s ahead: inside the window.
    verifier().verify_at(&h_at(50, body), body, before_1970).unwrap();
}

fn h_at(ts: u64, body: &[u8]) -> HeaderMap {
    let ts = ts.to_string();
    headers(Some(&sign(SECRET, &ts, body)), Some(&ts))
}

#[test]
fn tolerance_is_configurable() {
    let body = b"{\"event\":\"conversation_typing_off\"}";
    let ts = TS.to_string();
    let h = headers(Some(&sign(SECRET, &ts, body)), Some(&ts));
    let v = verifier().tolerance(Duration::from_secs(10));
    v.verify_at(&h, body, at(TS + 10)).unwrap();
    assert!(matches!(
        v.verify_at(&h, body, at(TS + 11)),
        Err(WebhookError::Stale { .. })
    ));
}

#[test]
fn unsigned_deliveries_need_the_opt_out() {
    let body = MESSAGE_CREATED.as_bytes();
    assert_eq!(
        verifier().verify_at(&HeaderMap::new(), body, at(TS)).unwrap_err(),
        WebhookError::MissingHeader("x-chatwoot-signature")
    );
    let delivery = WebhookVerifier::accept_unauthenticated()
        .verify_at(&HeaderMap::new(), body, at(TS))
        .unwrap();
    assert!(!delivery.signed);
    assert_eq!(delivery.timestamp, None);
    assert!(!format!("{:?}", verifier()).contains(SECRET));
}

#[test]
fn typed_events() {
    let decode = |s: &str| WebhookEvent::from_json(s.as_bytes()).unwrap();
    let updated = decode(
        r#"{"event":"conversation_updated","id":7,"status":"resolved","contact_inbox":{"id":1,"contact_id":1,"inbox_id":2,"source_id":"s","created_at":"2025-11-21T06:00:00.000Z","updated_at":"2025-11-21T06:00:00.000Z","hmac_verified":false,"pubsub_token":"p"},"changed_attributes":[{"status":{"previous_value":"open","current_value":"resolved"}}]}"#,
    );
    let WebhookEvent::ConversationUpdated(c) = &updated else {
        panic!("{updated:?}")
    };
    assert_eq!(c.conversation.status, Some(ConversationStatus::Resolved));
    let changes = c.changes();
    assert_eq!(
        (changes[0].attribute.as_str(), &changes[0].previous),
        ("status", &serde_json::json!("open"))
    );
    assert_eq!(
        c.conversation.contact_inbox.as_ref().unwrap().source_id.as_deref(),
        Some("s")
    );

    let changed =
        decode(r#"{"event":"conversation_status_changed","id":7,"status":"pending","changed_attributes":null}"#);
    let WebhookEvent::ConversationStatusChanged(c) = &changed else {
        panic!()
    };
    assert!(c.changes().is_empty());

    for (name, body) in [
        ("conversation_created", r#"{"event":"conversation_created","id":8}"#),
        (
            "conversation_typing_on",
            r#"{"event":"conversation_typing_on","user":{"id":3,"type":"user"},"conversation":{"id":7},"is_private":false}"#,
        ),
        (
            "conversation_typing_off",
            r#"{"event":"conversation_typing_off","user":{"id":1,"name":"Alice"},"is_private":false}"#,
        ),
        (
            "webwidget_triggered",
            r#"{"event":"webwidget_triggered","id":1,"contact":{"id":1},"inbox":{"id":2,"name":"Web"},"account":{"id":1,"name":"A"},"current_conversation":null,"source_id":"s","event_info":{"browser_language":"en"}}"#,
        ),
        (
            "contact_created",
            r#"{"event":"contact_created","id":1,"name":"Alice","account":{"id":1,"name":"A"}}"#,
        ),
        (
            "contact_updated",
            r#"{"event":"contact_updated","id":1,"name":"Alicia","changed_attributes":[{"name":{"previous_value":"Alice","current_value":"Alicia"}}]}"#,
        ),
        (
            "inbox_created",
            r#"{"event":"inbox_created","id":2,"name":"API","channel_type":"Channel::Api"}"#,
        ),
        (
            "inbox_updated",
            r#"{"event":"inbox_updated","id":2,"name":"API 2","changed_attributes":[]}"#,
        ),
        (
            "message_updated",
            r#"{"event":"message_updated","id":5,"message_type":"incoming","content_attributes":{"submitted_values":[{"value":"a"}]}}"#,
        ),
        ("conversation_resolved", r#"{"event":"conversation_resolved","id":7}"#),
    ] {
        let event = decode(body);
        assert_eq!(event.name(), name);
        assert!(!matches!(event, WebhookEvent::Unknown { .. }), "{name}");
    }

    let unknown = decode(r#"{"event":"faq_catalog_updated","id":1,"x":[1]}"#);
    let WebhookEvent::Unknown { event, payload } = &unknown else {
        panic!()
    };
    assert_eq!(
        (event.as_str(), payload["x"].clone()),
        ("faq_catalog_updated", serde_json::json!([1]))
    );

    for (bad, reason) in [
        ("[]", "not a JSON object"),
        ("{}", "no `event` name"),
        ("{\"event\":3}", "no `event` name"),
        (
            "{\"event\":\"message_created\",\"id\":\"x\"}",
            "`message_created` payload",
        ),
        ("{", "not JSON"),
    ] {
        let WebhookError::Payload { reason: got, .. } = WebhookEvent::from_json(bad.as_bytes()).unwrap_err() else {
            panic!("{bad}")
        };
        assert!(got.starts_with(reason), "{bad}: {got}");
    }
}

#[test]
fn echo_filter() {
    let event = |extra: &str| {
        let body = format!(r#"{{"event":"message_created","id":1,"content":"x"{extra}}}"#);
        WebhookEvent::from_json(body.as_bytes()).unwrap()
    };
    let f = EchoFilter::new()
        .own_agent_bot(9)
        .own_agent(4)
        .own_source_id_prefix("dw-");
    let check = |e: &WebhookEvent| f.check(e.message().unwrap());
    assert_eq!(
        check(&event(r#","message_type":"outgoing","private":true"#)),
        Some(Skip::PrivateNote)
    );
    assert_eq!(check(&event(r#","message_type":"incoming""#)), Some(Skip::Incoming));
    assert_eq!(check(&event(r#","message_type":"activity""#)), Some(Skip::Activity));
    assert_eq!(
        check(&event(
            r#","message_type":"outgoing","sender":{"id":9,"type":"agent_bot"}"#
        )),
        Some(Skip::OwnSender)
    );
    assert_eq!(
        check(&event(r#","message_type":"outgoing","sender":{"id":4,"type":"user"}"#)),
        Some(Skip::OwnSender)
    );
    assert_eq!(
        check(&event(r#","message_type":"outgoing","source_id":"dw-17""#)),
        Some(Skip::OwnSourceId)
    );
    let reply = event(r#","message_type":"outgoing","sender":{"id":3,"type":"user"}"#);
    assert_eq!(check(&reply), None);
    assert!(f.desk_message(&reply).is_some());
    assert_eq!(
        EchoFilter::new()
            .keep_incoming()
            .check(event(r#","message_type":"incoming""#).message().unwrap()),
        None
    );
    let created = event(r#","message_type":"outgoing","sender":{"id":9,"type":"user"}"#);
    assert_eq!(check(&created), None, "a user with a bot's id is not the bot");
}

/// Each refusal names its answer: 400 only for an authentic delivery that is not a payload.
#[test]
fn refusals_name_their_status() {
    use deskwire_core::verify::Refusal as _;
    use http::StatusCode;
    let unauthorized = [
        WebhookError::MissingHeader("x-chatwoot-signature"),
        WebhookError::MalformedSignature,
        WebhookError::MalformedTimestamp,
        WebhookError::Mismatch,
        WebhookError::SignedWithoutTimestamp,
        WebhookError::Stale {
            age_secs: 301,
            tolerance_secs: 300,
        },
        WebhookError::FromTheFuture {
            ahead_secs: 301,
            tolerance_secs: 300,
        },
    ];
    for error in unauthorized {
        assert_eq!(error.status_code(), StatusCode::UNAUTHORIZED, "{error}");
        assert_eq!(error.inbound_response().status, StatusCode::UNAUTHORIZED);
        assert!(error.inbound_response().body.is_empty());
    }
    let unreadable = verifier().verify(&chatwoot_headers(b"[1]"), b"[1]").unwrap_err();
    assert!(matches!(unreadable, WebhookError::Payload { .. }));
    assert_eq!(unreadable.status_code(), StatusCode::BAD_REQUEST);
}

fn chatwoot_headers(body: &[u8]) -> HeaderMap {
    verifier().sign(body).headers
}

#[test]
fn the_verifier_debug_names_its_mode_and_never_its_secret() {
    let signed = format!("{:?}", verifier());
    assert!(
        signed.starts_with("WebhookVerifier") && signed.contains("signed: true"),
        "{signed}"
    );
    assert!(!signed.contains(SECRET));
    let open = format!("{:?}", WebhookVerifier::accept_unauthenticated());
    assert!(
        open.contains("signed: false") && open.contains("tolerance: 300s"),
        "{open}"
    );
}
