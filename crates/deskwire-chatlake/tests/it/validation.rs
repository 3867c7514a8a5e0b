//! Refused before sending: the mock server must see no request at all.

use deskwire_chatlake::wire::{Card, ContentType, Interactive, NewMessage, Upload};
use deskwire_chatlake::Error;
use deskwire_core::{Delivery, ValidationProblem};
use serde_json::json;
use wiremock::MockServer;

use crate::client;

async fn refused(message: NewMessage) -> deskwire_core::ValidationError {
    let server = MockServer::start().await;
    let e = client(&server).create_message(7, &message).await.unwrap_err();
    assert_eq!(e.delivery(), Delivery::NotSent);
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "a request was sent"
    );
    match e {
        Error::Validation(v) => v,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn over_long_content() {
    let v = refused(NewMessage::incoming("x".repeat(150_001))).await;
    assert_eq!(
        v.problem,
        ValidationProblem::TooLong {
            max: 150_000,
            actual: 150_001
        }
    );
}

#[tokio::test]
async fn sixteen_attachments() {
    let mut m = NewMessage::incoming("files");
    for i in 0..16 {
        m = m.attach(Upload::new(format!("{i}.txt"), "text/plain", "x"));
    }
    assert_eq!(refused(m).await.field, "attachments");
}

#[tokio::test]
async fn invalid_interactive_content() {
    // The seed's own example: `cards` with empty attributes; the server answers 422.
    let mut seed = NewMessage::outgoing("string").private();
    seed.content_type = Some(ContentType::Cards);
    seed.content_attributes = Some(serde_json::Map::new());
    assert_eq!(refused(seed).await.field, "content_attributes.items");

    let no_actions = Interactive::Cards(vec![Card {
        title: "T".into(),
        description: None,
        media_url: None,
        actions: vec![],
    }]);
    assert_eq!(
        refused(NewMessage::outgoing("").interactive(&no_actions)).await.field,
        "content_attributes.items[0].actions"
    );

    let mut select = NewMessage::outgoing("Pick one");
    select.content_type = Some(ContentType::InputSelect);
    select.content_attributes = json!({"items":[{"title":"A","value":"a","emoji":"x"}]})
        .as_object()
        .cloned();
    assert_eq!(refused(select).await.field, "content_attributes.items[0].emoji");
}

/// A blank session id is refused before sending (Chatwoot would answer 404 for it), even when
/// the inbox and contact are given too.
#[tokio::test]
async fn blank_source_id() {
    use deskwire_chatlake::wire::NewConversation;
    for blank in ["", "  "] {
        let server = MockServer::start().await;
        let mut conversation = NewConversation::for_session(2, blank);
        conversation.contact_id = Some(9);
        let e = client(&server).create_conversation(&conversation).await.unwrap_err();
        assert_eq!(e.delivery(), Delivery::NotSent);
        assert!(
            server.received_requests().await.unwrap().is_empty(),
            "a request was sent"
        );
        match e {
            Error::Validation(v) => {
                assert_eq!((v.field.as_str(), &v.problem), ("source_id", &ValidationProblem::Empty))
            }
            other => panic!("{other:?}"),
        }
    }
}

/// The server's limits at their edge: 150,000 characters and 15 attachments pass (counted in
/// characters, not bytes), one more does not.
#[test]
fn content_and_attachment_limits_are_inclusive() {
    use deskwire_chatlake::validate;
    assert!(validate::message(&NewMessage::incoming("x".repeat(150_000))).is_ok());
    assert!(
        validate::message(&NewMessage::incoming("é".repeat(150_000))).is_ok(),
        "characters, not bytes"
    );
    assert!(validate::message(&NewMessage::incoming("x".repeat(149_999))).is_ok());
    assert!(validate::message(&NewMessage::incoming("é".repeat(150_001))).is_err());
    let with = |n: usize| {
        (0..n).fold(NewMessage::incoming("files"), |m, i| {
            m.attach(Upload::new(format!("{i}.txt"), "text/plain", "x"))
        })
    };
    assert!(validate::message(&with(14)).is_ok());
    assert!(validate::message(&with(15)).is_ok());
    assert_eq!(
        validate::message(&with(16)).unwrap_err().problem,
        ValidationProblem::TooMany { max: 15, actual: 16 }
    );
}
