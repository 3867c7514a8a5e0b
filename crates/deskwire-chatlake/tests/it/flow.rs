//! The seed's three-step flow (contact -> conversation -> message) through the typed client,
//! answered once with the seed guide's shapes and once with the real server's.

use deskwire_chatlake::wire::{AnswerShape, MessageType, NewContact, NewConversation, NewMessage, Upload};
use deskwire_chatlake::{ChatlakeClient, TokenHeader};
use deskwire_core::Secret;
use serde_json::json;
use wiremock::matchers::{body_json, body_string_contains, header, header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{client, TOKEN};

const SEED_CONTACT: &str = r#"{"email":"string","name":"string","phone_number":"string","thumbnail":"string","additional_attributes":{},"contact_inboxes":[{"source_id":"seed-source","inbox":{"id":2,"name":"string","website_url":"string","channel_type":"string","avatar_url":"string","widget_color":"string","website_token":"string","enable_auto_assignment":true,"web_widget_script":"string","welcome_title":"string","welcome_tagline":"string","greeting_enabled":true,"greeting_message":"string"}}],"id":0,"availability_status":"string"}"#;

const REAL_CONTACT: &str = r#"{"payload":{"contact":{"additional_attributes":{},"availability_status":"offline","email":"alice@example.com","id":1,"name":"Alice","phone_number":"+15550001","blocked":false,"identifier":"ext-1","thumbnail":"","custom_attributes":{},"last_activity_at":1700000000,"created_at":1700000000,"contact_inboxes":[{"source_id":"real-source","inbox":{"id":2,"avatar_url":"","channel_id":3,"name":"API","channel_type":"Channel::Api","provider":null}}]},"contact_inbox":{"inbox":{"id":2,"channel_id":3,"account_id":1,"name":"API","created_at":"2025-11-21T06:00:00.000Z","updated_at":"2025-11-21T06:00:00.000Z","channel_type":"Channel::Api"},"source_id":"real-source"}}}"#;

const REAL_CONVERSATION: &str = r#"{"meta":{"sender":{"id":1,"name":"Alice","type":"contact"},"channel":"Channel::Api","hmac_verified":false},"id":7,"messages":[],"account_id":1,"uuid":"0b6e","additional_attributes":{},"agent_last_seen_at":0,"assignee_last_seen_at":0,"can_reply":true,"contact_last_seen_at":0,"custom_attributes":{},"inbox_id":2,"labels":[],"muted":false,"snoozed_until":null,"status":"open","created_at":1700000000,"updated_at":1700000000.123,"timestamp":1700000000,"first_reply_created_at":0,"unread_count":0,"last_non_activity_message":null,"last_activity_at":1700000000,"priority":null,"waiting_since":0,"sla_policy_id":null}"#;

const SEED_MESSAGE: &str = r#"{"id":0,"content":"This is a incoming message from API Channel","inbox_id":0,"conversation_id":0,"message_type":0,"content_type":null,"content_attributes":{},"created_at":0,"private":false,"sender":{"id":0,"name":"Pranav","type":"contact"}}"#;

const REAL_MESSAGE: &str = r#"{"id":123,"content":"My parcel is late","inbox_id":2,"echo_id":"local-1","conversation_id":7,"message_type":0,"content_type":"text","status":"sent","content_attributes":{},"created_at":1700000001,"private":false,"source_id":null,"sender":{"additional_attributes":{},"custom_attributes":{},"email":"alice@example.com","id":1,"identifier":"ext-1","name":"Alice","phone_number":"+15550001","thumbnail":"","blocked":false,"type":"contact"}}"#;

async fn mount_flow(
    server: &MockServer,
    contact: &str,
    conversation: &str,
    message: &str,
    source_id: &str,
    conversation_id: u64,
) {
    Mock::given(method("POST"))
        .and(path("/api/v1/accounts/1/contacts"))
        .and(header("api_access_token", TOKEN))
        .and(header("content-type", "application/json"))
        .and(body_json(
            json!({"inbox_id": 2, "name": "Alice", "email": "alice@example.com"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_string(contact))
        .expect(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/accounts/1/conversations"))
        .and(header("api_access_token", TOKEN))
        .and(body_json(json!({"source_id": source_id, "inbox_id": 2})))
        .respond_with(ResponseTemplate::new(200).set_body_string(conversation))
        .expect(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!(
            "/api/v1/accounts/1/conversations/{conversation_id}/messages"
        )))
        .and(header("api_access_token", TOKEN))
        .and(body_json(
            json!({"content": "My parcel is late", "message_type": "incoming", "echo_id": "local-1"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_string(message))
        .expect(1)
        .mount(server)
        .await;
}

async fn run_flow(
    client: &ChatlakeClient,
) -> (
    deskwire_chatlake::wire::ContactCreated,
    u64,
    deskwire_chatlake::wire::Message,
) {
    let created = client
        .create_contact(&NewContact::in_inbox(2).name("Alice").email("alice@example.com"))
        .await
        .expect("contact");
    let source_id = created.source_id(Some(2)).expect("a session on inbox 2").to_owned();
    let conversation = client
        .create_conversation(&NewConversation::for_session(2, source_id))
        .await
        .expect("conversation");
    let message = client
        .create_message(
            conversation.id,
            &NewMessage::incoming("My parcel is late").echo_id("local-1"),
        )
        .await
        .expect("message");
    (created, conversation.id, message)
}

#[tokio::test]
async fn seed_shapes() {
    let server = MockServer::start().await;
    mount_flow(&server, SEED_CONTACT, r#"{ "id": 0 }"#, SEED_MESSAGE, "seed-source", 0).await;
    let (created, conversation_id, message) = run_flow(&client(&server)).await;
    assert_eq!(created.shape, AnswerShape::Flat);
    assert_eq!(created.contact.availability_status.as_deref(), Some("string"));
    // The seed's web-widget inbox fields are kept, not dropped.
    let inbox = created.contact.contact_inboxes.as_ref().unwrap()[0]
        .inbox
        .as_ref()
        .unwrap();
    assert_eq!(inbox.extra["widget_color"], "string");
    assert_eq!(conversation_id, 0);
    assert_eq!(message.message_type, Some(MessageType::Incoming));
    assert_eq!(message.content_type, None);
}

#[tokio::test]
async fn real_shapes() {
    let server = MockServer::start().await;
    mount_flow(&server, REAL_CONTACT, REAL_CONVERSATION, REAL_MESSAGE, "real-source", 7).await;
    let (created, conversation_id, message) = run_flow(&client(&server)).await;
    assert_eq!(created.shape, AnswerShape::Wrapped);
    assert_eq!(created.contact.id, 1);
    assert_eq!(
        created.contact_inbox.as_ref().unwrap().source_id.as_deref(),
        Some("real-source")
    );
    assert_eq!(conversation_id, 7);
    assert_eq!(message.id, 123);
    assert_eq!(message.echo_id.as_deref(), Some("local-1"));
    assert_eq!(message.sender.unwrap().extra["identifier"], "ext-1");
}

#[tokio::test]
async fn the_real_conversation_keeps_its_float_and_null_times() {
    let c: deskwire_chatlake::wire::Conversation = serde_json::from_str(REAL_CONVERSATION).unwrap();
    assert_eq!(
        c.updated_at,
        Some(deskwire_chatlake::wire::Timestamp::Fractional(1_700_000_000.123))
    );
    assert!(c.first_reply_created_at.as_ref().unwrap().is_unset());
    assert_eq!(c.extra["sla_policy_id"], serde_json::Value::Null);
    let again = serde_json::to_value(&c).unwrap();
    assert_eq!(again["updated_at"], json!(1_700_000_000.123));
}

#[tokio::test]
async fn dashed_token_header() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/1/inboxes/2"))
        .and(header("api-access-token", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"id":2,"name":"API"}"#))
        .expect(1)
        .mount(&server)
        .await;
    let client = ChatlakeClient::builder(server.uri(), 1, Secret::new(TOKEN))
        .token_header(TokenHeader::Dashed)
        .build()
        .unwrap();
    let inbox = client.get_inbox(2).await.unwrap();
    assert_eq!(inbox.id, Some(2));
    let received = server.received_requests().await.unwrap();
    assert!(!received[0].headers.contains_key("api_access_token"));
}

#[tokio::test]
async fn attachments_go_as_multipart() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/accounts/1/conversations/7/messages"))
        .and(header_exists("content-type"))
        .and(body_string_contains("name=\"attachments[]\"; filename=\"receipt.txt\""))
        .respond_with(ResponseTemplate::new(200).set_body_string(REAL_MESSAGE))
        .expect(1)
        .mount(&server)
        .await;
    let message =
        NewMessage::incoming("See attached").attach(Upload::new("receipt.txt", "text/plain", &b"total: 12 EUR"[..]));
    client(&server).create_message(7, &message).await.unwrap();
    let received = server.received_requests().await.unwrap();
    let content_type = received[0].headers["content-type"].to_str().unwrap().to_owned();
    assert!(
        content_type.starts_with("multipart/form-data; boundary="),
        "{content_type}"
    );
    let body = String::from_utf8_lossy(&received[0].body);
    assert!(body.contains("name=\"content\"\r\n\r\nSee attached\r\n"), "{body}");
    assert!(body.contains("name=\"message_type\"\r\n\r\nincoming\r\n"), "{body}");
    assert!(
        body.contains("Content-Type: text/plain\r\n\r\ntotal: 12 EUR\r\n"),
        "{body}"
    );
}

#[tokio::test]
async fn other_operations_send_what_the_server_expects() {
    use deskwire_chatlake::wire::{
        Assignment, ConversationQuery, ConversationStatus, MessageQuery, MessageStatus, Priority, StatusFilter,
        StatusUpdate, ToggleStatus,
    };
    use wiremock::matchers::query_param;
    let server = MockServer::start().await;
    let ok = |body: &str| ResponseTemplate::new(200).set_body_string(body.to_owned());
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/1/conversations"))
        .and(query_param("status", "all"))
        .and(query_param("labels[]", "vip"))
        .and(query_param("page", "2"))
        .respond_with(ok(&format!(
            r#"{{"data":{{"meta":{{"mine_count":0,"assigned_count":1,"unassigned_count":0,"all_count":1}},"payload":[{REAL_CONVERSATION}]}}}}"#
        )))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/accounts/1/conversations/7/toggle_status"))
        .and(body_json(json!({"status": "resolved"})))
        .respond_with(ok(r#"{"meta":{},"payload":{"success":true,"conversation_id":7,"current_status":"resolved","snoozed_until":null}}"#))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/accounts/1/conversations/7/toggle_priority"))
        .and(body_json(json!({"priority": "urgent"})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/accounts/1/conversations/7/toggle_typing_status"))
        .and(body_json(json!({"typing_status": "on"})))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/accounts/1/conversations/7/assignments"))
        .and(body_json(json!({"team_id": 4})))
        .respond_with(ok(r#"{"id":4,"name":"Support"}"#))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/accounts/1/conversations/7/messages"))
        .and(query_param("after", "100"))
        .respond_with(ok(&format!(
            r#"{{"meta":{{"labels":[],"additional_attributes":{{}},"contact":{{"id":1,"type":"contact"}},"agent_last_seen_at":"2025-11-21T06:21:27.123Z","assignee_last_seen_at":null}},"payload":[{REAL_MESSAGE}]}}"#
        )))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/api/v1/accounts/1/conversations/7/messages/123"))
        .and(body_json(json!({"status": "failed", "external_error": "bounced"})))
        .respond_with(ok(REAL_MESSAGE))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let page = c
        .list_conversations(&ConversationQuery {
            status: Some(StatusFilter::All),
            labels: vec!["vip".into()],
            page: Some(2),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!((page.meta.all_count, page.payload.len()), (Some(1), 1));
    let toggled = c
        .toggle_status(
            7,
            &ToggleStatus {
                status: Some(ConversationStatus::Resolved),
                snoozed_until: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(toggled.current_status, Some(ConversationStatus::Resolved));
    c.toggle_priority(7, Some(&Priority::Urgent)).await.unwrap();
    c.toggle_typing_status(7, true, None).await.unwrap();
    assert_eq!(c.assign(7, Assignment::Team(4)).await.unwrap()["name"], "Support");
    let messages = c
        .list_messages(
            7,
            MessageQuery {
                after: Some(100),
                before: None,
            },
        )
        .await
        .unwrap();
    assert!(messages.meta.agent_last_seen_at.unwrap().unix_seconds().is_some());
    let updated = c
        .update_message_status(7, 123, &StatusUpdate::failed("bounced"))
        .await
        .unwrap();
    assert_eq!(updated.status, Some(MessageStatus::Sent));
}
