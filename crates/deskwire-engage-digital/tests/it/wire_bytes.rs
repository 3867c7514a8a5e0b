//! The bytes on the wire are the bytes that were signed, and match the docs' examples.

use deskwire_engage_digital::wire::{Format, Message, Operation, SendParams};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{alice, client, signed, PATH};

#[tokio::test]
async fn bytes_on_the_wire_equal_the_signed_bytes() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(PATH))
        .and(header("content-type", "application/json"))
        .and(signed())
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let message = Message::new("890", "42", alice())
        .body("Awesome post ! — «unicode» / slashes")
        .format(Format::Text)
        .action(Operation::Reply)
        .action("show");
    let prepared = client.prepare(&message).unwrap();
    client.send_prepared(&prepared).await.unwrap();

    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].body, prepared.body(), "sent bytes differ from signed bytes");
    assert_eq!(
        received[0].headers["x-smccsdk-signature"].to_str().unwrap(),
        prepared.signature()
    );
    assert_eq!(prepared.signature(), client.signer().sign(prepared.body()));
    assert_eq!(prepared.action(), message.action_name());
}

#[tokio::test]
async fn typed_message_reproduces_the_docs_ruby_example_byte_for_byte() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&server)
        .await;
    let message = Message::new("890", "888", alice()).body("Nice post !");
    client(&server).create_message(&message).await.unwrap();

    let received = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        std::str::from_utf8(&received.body).unwrap(),
        r#"{"action":"messages.create","params":{"id":"890","author":{"id":"42","created_at":"06/11/2017","screenname":"Alice"},"body":"Nice post !","thread_id":"888"}}"#
    );
    // The Send API example's key (ringcentral/engage-digital-api-docs@95ff4dd, send-api.md); the
    // value is what PHP's hash_hmac('sha512', body, key) gives, the official PHP SDK's recipe.
    assert_eq!(
        received.headers["x-smccsdk-signature"].to_str().unwrap(),
        "43994677ae946631a4500ef5487f2f6b6b6d7783164f478462d5a7877e2711ce8636cea6f0f8e895daf678f732b5fe9b733c83cadb0413978d9f1ca9afc6d07e"
    );
}

#[tokio::test]
async fn every_action_posts_its_name() {
    use deskwire_engage_digital::wire::{PrivateMessage, Thread, TypingStart, TypingStop, TypingTarget};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(signed())
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .expect(7)
        .mount(&server)
        .await;
    let c = client(&server);
    c.create_message(&Message::new("1", "2", alice()).body("b"))
        .await
        .unwrap();
    c.create_private_message(&PrivateMessage::new("3", alice(), alice()).body("pm"))
        .await
        .unwrap();
    c.create_thread(&Thread::new("2", alice()).body("t").title("T"))
        .await
        .unwrap();
    c.create_user(&alice()).await.unwrap();
    c.mark_as_read("1").await.unwrap();
    c.typing_start(&TypingStart::new(TypingTarget::thread("2").in_reply_to_id("1"), "Hel"))
        .await
        .unwrap();
    c.typing_stop(&TypingStop::new(TypingTarget::thread("2")))
        .await
        .unwrap();

    let actions: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["action"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        actions,
        [
            "messages.create",
            "private_messages.create",
            "threads.create",
            "users.create",
            "status.mark_as_read",
            "typing.start",
            "typing.stop"
        ]
    );
}
