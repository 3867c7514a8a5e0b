//! The Client API: paths under the inbox identifier, no token, identity hashes.

use deskwire_chatlake::public::{identifier_hash, PublicClient, PublicContactFields};
use deskwire_core::Secret;
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn contact_conversation_message() {
    let server = MockServer::start().await;
    let token = Secret::new("hmac-token-of-the-inbox");
    let hash = identifier_hash(&token, "user-42");
    Mock::given(method("POST"))
        .and(path("/public/api/v1/inboxes/inb-1/contacts"))
        .and(body_json(json!({"identifier": "user-42", "identifier_hash": hash, "name": "Alice"})))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"source_id":"c-uuid","pubsub_token":"PUBSUB-SECRET","id":1,"name":"Alice","email":null,"phone_number":null}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/public/api/v1/inboxes/inb-1/contacts/c-uuid/conversations"))
        .and(body_json(json!({})))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"id":9,"uuid":"u","inbox_id":2,"contact_last_seen_at":0,"status":"open","agent_last_seen_at":0,"messages":[],"contact":{"id":1}}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/public/api/v1/inboxes/inb-1/contacts/c-uuid/conversations/9/messages"))
        .and(body_json(json!({"content": "Hello", "echo_id": "e1"})))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"id":5,"content":"Hello","message_type":0,"content_type":"text","content_attributes":{},"created_at":1700000000,"conversation_id":9}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let client = PublicClient::builder(server.uri(), "inb-1").build().unwrap();
    let fields = PublicContactFields {
        name: Some("Alice".into()),
        ..Default::default()
    }
    .signed_identifier("user-42", &token);
    let contact = client.create_contact(&fields).await.unwrap();
    assert!(!format!("{contact:?}").contains("PUBSUB-SECRET"));
    let ci = contact.source_id.unwrap();
    let conversation = client.create_conversation(&ci, None).await.unwrap();
    let message = client
        .create_message(&ci, conversation.id, "Hello", Some("e1"), &[])
        .await
        .unwrap();
    assert_eq!(message.id, 5);
    for r in server.received_requests().await.unwrap() {
        assert!(!r.headers.contains_key("api_access_token"));
    }
}

#[tokio::test]
async fn limits_hold_on_the_client_api_too() {
    let server = MockServer::start().await;
    let client = PublicClient::builder(server.uri(), "inb-1").build().unwrap();
    let long = "x".repeat(150_001);
    let e = client.create_message("c", 9, &long, None, &[]).await.unwrap_err();
    assert!(
        matches!(e, deskwire_chatlake::Error::Validation(ref v) if v.field == "content"),
        "{e:?}"
    );
    let fields = PublicContactFields {
        phone_number: Some("0612".into()),
        ..Default::default()
    };
    assert!(client.create_contact(&fields).await.is_err());
    assert!(client.update_contact("c", &fields).await.is_err());
    assert!(server.received_requests().await.unwrap().is_empty());
}
