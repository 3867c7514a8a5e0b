//! The Client API: paths under the inbox identifier, no token, identity hashes.

use deskwire_chatlake::public::{identifier_hash, PublicClient, PublicContactFields};
use deskwire_chatlake::ChatlakeFailure;
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

/// The identity check runs on deskwire-sim's Chatlake desk, which does what `process_hmac` /
/// `valid_hmac?` do (chatwoot/chatwoot `app/controllers/public/api/v1/inboxes/contacts_controller.rb`,
/// tag v4.13.0): skipped only when no hash is sent and the inbox does not demand one; otherwise
/// the hash must equal the hex HMAC-SHA256 of `params[:identifier].to_s`, and a mismatch is an
/// unrescued error, i.e. a bare 500.
async fn inbox(mandatory: bool) -> deskwire_sim::Sim {
    deskwire_sim::Sim::builder(deskwire_sim::Provider::Chatlake)
        .credential("inbox_identifier", "inb-1")
        .credential("hmac_token", "hmac-token-of-the-inbox")
        .credential("hmac_mandatory", mandatory.to_string())
        .start()
        .await
        .unwrap()
}

fn answered(sim: &deskwire_sim::Sim) -> Vec<Option<u16>> {
    sim.exchanges().into_iter().map(|e| e.status).collect()
}

#[tokio::test]
async fn with_the_hmac_token_create_show_and_update_pass_the_identity_check() {
    let sim = inbox(true).await;
    let client = PublicClient::builder(sim.base_url(), "inb-1")
        .hmac_token(&Secret::new("hmac-token-of-the-inbox"))
        .build()
        .unwrap();
    let fields = PublicContactFields {
        identifier: Some("user-42".into()),
        name: Some("Alice".into()),
        ..Default::default()
    };
    let contact = client.create_contact(&fields).await.unwrap();
    let source = contact.source_id.clone().unwrap();
    client.get_contact(&source, Some("user-42")).await.unwrap();
    // a show without the contact's identifier sends the hash of "", as the server computes it
    client.get_contact(&source, None).await.unwrap();
    client.update_contact(&source, &fields).await.unwrap();
    assert_eq!(answered(&sim), [Some(200); 4]);
    assert!(!format!("{client:?}").contains("hmac-token-of-the-inbox"));
}

#[tokio::test]
async fn the_identity_travels_in_the_query_of_a_show_and_the_body_of_an_update() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::path_regex("^/public/api/v1/inboxes/inb-1/contacts"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"source_id":"c-uuid","id":1,"name":"Alice"}"#))
        .mount(&server)
        .await;
    let token = Secret::new("hmac-token-of-the-inbox");
    let client = PublicClient::builder(server.uri(), "inb-1")
        .hmac_token(&token)
        .build()
        .unwrap();
    let fields = PublicContactFields {
        identifier: Some("user-42".into()),
        ..Default::default()
    };
    client.get_contact("c-uuid", Some("user-42")).await.unwrap();
    client.get_contact("c-uuid", None).await.unwrap();
    client.update_contact("c-uuid", &fields).await.unwrap();
    let hash = identifier_hash(&token, "user-42");
    let received = server.received_requests().await.unwrap();
    assert_eq!(
        received[0].url.query(),
        Some(format!("identifier=user-42&identifier_hash={hash}").as_str())
    );
    assert_eq!(
        received[1].url.query(),
        Some(format!("identifier_hash={}", identifier_hash(&token, "")).as_str())
    );
    let update: serde_json::Value = serde_json::from_slice(&received[2].body).unwrap();
    assert_eq!(update["identifier"], "user-42");
    assert_eq!(update["identifier_hash"], hash.as_str());
    let without = PublicClient::builder(server.uri(), "inb-1").build().unwrap();
    without.get_contact("c-uuid", Some("user-42")).await.unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(received[3].url.query(), None, "nothing to prove without a token");
}

#[tokio::test]
async fn a_failed_identity_check_is_named_and_not_retried() {
    let sim = inbox(true).await;
    let good = PublicClient::builder(sim.base_url(), "inb-1")
        .hmac_token(&Secret::new("hmac-token-of-the-inbox"))
        .build()
        .unwrap();
    let fields = PublicContactFields {
        identifier: Some("user-42".into()),
        ..Default::default()
    };
    let source = good.create_contact(&fields).await.unwrap().source_id.unwrap();
    // no hmac token: the server refuses show with a bare 500
    let client = PublicClient::builder(sim.base_url(), "inb-1").build().unwrap();
    let error = client.get_contact(&source, Some("user-42")).await.unwrap_err();
    assert!(
        matches!(error, deskwire_chatlake::Error::Provider(ChatlakeFailure::IdentityCheckFailed(ref e)) if e.status == 500),
        "{error:?}"
    );
    assert_eq!(error.status(), Some(500));
    assert!(error.to_string().contains("identity check"), "{error}");
    assert!(error.to_string().contains("hmac_token"), "{error}");
    assert_eq!(answered(&sim), [Some(200), Some(500)], "never retried");
    // a wrong token: update fails the same way
    let wrong = PublicClient::builder(sim.base_url(), "inb-1")
        .hmac_token(&Secret::new("the-webhook-secret-by-mistake"))
        .build()
        .unwrap();
    assert!(matches!(
        wrong.update_contact(&source, &fields).await.unwrap_err(),
        deskwire_chatlake::Error::Provider(ChatlakeFailure::IdentityCheckFailed(_))
    ));
}

#[tokio::test]
async fn a_500_elsewhere_stays_a_server_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let client = PublicClient::builder(server.uri(), "inb-1")
        .retry_policy(deskwire_core::retry::RetryPolicy::never())
        .build()
        .unwrap();
    let error = client.get_conversation("c-uuid", 9).await.unwrap_err();
    assert!(matches!(error, deskwire_chatlake::Error::Server(_)), "{error:?}");
}

#[tokio::test]
async fn inboxes_without_identity_validation_accept_calls_without_a_hash() {
    let sim = inbox(false).await;
    let client = PublicClient::builder(sim.base_url(), "inb-1").build().unwrap();
    let fields = PublicContactFields {
        identifier: Some("user-42".into()),
        ..Default::default()
    };
    let source = client.create_contact(&fields).await.unwrap().source_id.unwrap();
    client.get_contact(&source, Some("user-42")).await.unwrap();
    assert_eq!(
        answered(&sim),
        [Some(200), Some(200)],
        "nothing to prove without a token"
    );
}
