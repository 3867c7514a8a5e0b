//! Property tests: decoders never panic, typed values survive encode/decode, signatures catch
//! any change.

use deskwire_core::Secret;
use deskwire_engage_digital::testing::{error_text, interpret_response};
use deskwire_engage_digital::wire::{
    Attachment, Button, DateTime, Envelope, Format, Gender, MarkAsRead, Message, Operation, PrivateMessage, SelectItem,
    SendParams, SendRequest, StructuredContent, Template, Thread, TypingStart, TypingStop, TypingTarget, User,
};
use deskwire_engage_digital::Signer;
use proptest::prelude::*;

fn text() -> impl Strategy<Value = String> {
    // Mixed ASCII, escapes and multi-byte characters.
    "[a-zA-Z0-9 !\"\\\\/é€😀\n]{0,24}"
}

fn id() -> impl Strategy<Value = String> {
    "[a-z0-9-]{1,12}"
}

fn date() -> impl Strategy<Value = DateTime> {
    prop_oneof![
        (0i64..4_000_000_000).prop_map(|s| DateTime::At(time::OffsetDateTime::from_unix_timestamp(s).unwrap())),
        (0i64..4_000_000_000_000).prop_map(DateTime::EpochMillis),
        (1u8..=28, 1u8..=12, 1000u16..9999).prop_map(|(d, m, y)| DateTime::Other(format!("{d:02}/{m:02}/{y}"))),
    ]
}

fn user() -> impl Strategy<Value = User> {
    (
        id(),
        text(),
        date(),
        proptest::option::of(any::<bool>()),
        proptest::option::of(text()),
        (
            proptest::option::of(date()),
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::option::of(prop_oneof![Just(Gender::Man), "[a-z]{1,6}".prop_map(Gender::from)]),
            proptest::option::of((text(), text())),
        ),
    )
        .prop_map(
            |(id, name, created, puppet, email, (updated, first, phone, gender, data))| {
                let mut u = User::new(id, name, created);
                u.puppetizable = puppet;
                u.email = email;
                u.updated_at = updated;
                u.firstname = first.clone();
                u.lastname = first;
                u.mobile_phone = phone;
                u.gender = gender;
                u.context_data = data.map(|(k, v)| [(k, serde_json::Value::from(v))].into_iter().collect());
                u
            },
        )
}

fn format() -> impl Strategy<Value = Format> {
    prop_oneof![
        Just(Format::Html),
        Just(Format::Text),
        "[a-z]{1,8}".prop_map(Format::from)
    ]
}

fn structured() -> impl Strategy<Value = StructuredContent> {
    prop_oneof![
        proptest::collection::vec((text(), proptest::option::of(text())), 1..4).prop_map(|items| {
            StructuredContent::select(items.into_iter().map(|(t, p)| {
                let item = SelectItem::new(t);
                match p {
                    Some(p) => item.payload(p),
                    None => item,
                }
            }))
        }),
        (text(), text()).prop_map(|(t, p)| StructuredContent::Template(
            Template::new(t)
                .button(Button::reply("r", p))
                .button(Button::url("u", "https://example.com"))
        )),
    ]
}

fn message() -> impl Strategy<Value = Message> {
    (
        id(),
        id(),
        user(),
        proptest::option::of(text()),
        proptest::option::of(format()),
        proptest::option::of(structured()),
        any::<bool>(),
        (
            proptest::option::of(proptest::collection::vec(text(), 0..3)),
            proptest::option::of(id()),
            proptest::option::of(text()),
            proptest::option::of(date()),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(id, thread, author, body, format, sc, attach, (categories, reply_to, title, created, threaded))| {
                let mut m = Message::new(id, thread, author).action(Operation::Reply).action("spam");
                m.content.body = body;
                m.content.format = format;
                m.content.structured_content = sc;
                m.content.categories = categories;
                m.content.in_reply_to_id = reply_to;
                m.content.title = title.clone();
                m.content.language = title;
                m.content.created_at = created;
                if !threaded {
                    m.thread_id = None;
                }
                if attach {
                    m = m.attachment(Attachment::inline(b"\x00\x01binary", "a.bin"));
                }
                m
            },
        )
}

fn request() -> impl Strategy<Value = SendRequest> {
    prop_oneof![
        message().prop_map(|m| SendRequest::CreateMessage(Box::new(m))),
        (id(), user(), user(), text()).prop_map(|(id, a, r, b)| SendRequest::CreatePrivateMessage(Box::new(
            PrivateMessage::new(id, a, r).body(b)
        ))),
        (id(), user(), text()).prop_map(|(id, a, t)| SendRequest::CreateThread(Box::new(Thread::new(id, a).title(t)))),
        user().prop_map(|u| SendRequest::CreateUser(Box::new(u))),
        id().prop_map(|id| SendRequest::MarkAsRead(MarkAsRead::new(id))),
        (id(), text()).prop_map(|(t, p)| SendRequest::TypingStart(TypingStart::new(TypingTarget::thread(t), p))),
        id().prop_map(|r| SendRequest::TypingStop(TypingStop::new(TypingTarget::reply_to(r)))),
    ]
}

proptest! {
    #[test]
    fn params_are_written_as_serde_writes_them(req in request()) {
        // Messages, private messages and users have writers of their own; the rest the default.
        let mut written = Vec::new();
        req.write_json(&mut written).unwrap();
        prop_assert_eq!(String::from_utf8(written).unwrap(), serde_json::to_string(&req).unwrap());
        let mut body = Vec::new();
        Envelope { action: req.action_name(), params: &req }.write_to(&mut body).unwrap();
        prop_assert_eq!(body, req.to_body().unwrap());
    }

    #[test]
    fn typed_requests_survive_encode_decode(req in request()) {
        let body = req.to_body().unwrap();
        let back: SendRequest = serde_json::from_slice(&body).unwrap();
        prop_assert_eq!(back, req);
    }

    #[test]
    fn decoders_never_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..256), status in 0u16..1000) {
        let _ = serde_json::from_slice::<SendRequest>(&bytes);
        let _ = serde_json::from_slice::<StructuredContent>(&bytes);
        let _ = serde_json::from_slice::<DateTime>(&bytes);
        let _ = interpret_response(status, &bytes);
        let _ = error_text(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn decoders_never_panic_on_json_shaped_input(body in r#"\{"action":"(messages|typing|status)\.[a-z_]{0,12}","params":\{("[a-z_]{1,12}":("[^"\\]{0,8}"|[0-9]{1,3}|null|\[\]|\{\}),?){0,4}\}\}"#) {
        let _ = serde_json::from_str::<SendRequest>(&body);
    }

    #[test]
    fn sign_verify_round_trip_and_any_flipped_bit_fails(req in request(), pos in any::<prop::sample::Index>(), bit in 0u8..8) {
        let signer = Signer::new(&Secret::new(crate::TOKEN));
        let body = req.to_body().unwrap();
        let sig = signer.sign(&body);
        prop_assert!(signer.verify(&body, &sig).is_ok());
        prop_assert!(signer.verify(&body, &sig.to_uppercase()).is_ok());
        let mut tampered = body.clone();
        tampered[pos.index(body.len())] ^= 1 << bit;
        prop_assert!(signer.verify(&tampered, &sig).is_err());
    }
}
