//! Over-limit bodies and invalid structured content send nothing.

use deskwire_core::{Delivery, ValidationProblem};
use deskwire_engage_digital::wire::{Attachment, Message, SelectItem, StructuredContent};
use deskwire_engage_digital::Error;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{alice, client};

async fn server_expecting_nothing() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .expect(0)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn over_limit_body_is_refused_before_sending() {
    let server = server_expecting_nothing().await;
    // 16 MiB of file become ~21.3 MiB of base64: over the 20,971,520-byte limit.
    let big = vec![0u8; 16 * 1024 * 1024];
    let message = Message::new("890", "42", alice()).attachment(Attachment::inline(&big, "big.bin"));
    let err = client(&server).create_message(&message).await.unwrap_err();
    match &err {
        Error::Validation(v) => match v.problem {
            ValidationProblem::TooLarge {
                max_bytes,
                actual_bytes,
            } => {
                assert_eq!(max_bytes, 20_971_520);
                assert!(actual_bytes > 22_000_000, "{actual_bytes}");
                assert!(
                    err.to_string().contains(&actual_bytes.to_string()),
                    "the error names the size: {err}"
                );
            }
            ref other => panic!("unexpected problem {other:?}"),
        },
        other => panic!("unexpected error {other:?}"),
    }
    assert_eq!(err.delivery(), Delivery::NotSent);
}

#[tokio::test]
async fn raw_sends_are_size_checked_too() {
    let server = server_expecting_nothing().await;
    let params = serde_json::json!({ "blob": "x".repeat(20_971_520) });
    let err = client(&server).send_raw("messages.create", &params).await.unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
}

#[tokio::test]
async fn invalid_structured_content_is_refused_before_sending() {
    let server = server_expecting_nothing().await;
    let message = Message::new("890", "42", alice())
        .body("What do you wish?")
        .structured_content(StructuredContent::select([SelectItem::new("")]));
    let err = client(&server).create_message(&message).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid `params.structured_content.items[0].title`: must not be empty; nothing was sent"
    );
    assert_eq!(err.delivery(), Delivery::NotSent);
}
