//! Chatlake's desk: the Application API (contact search and creation, conversation, incoming
//! messages, status) and the Client API (typing, last seen); agent messages, agent typing and
//! the resolution are signed webhooks.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use deskwire_chatlake::channel::ChatlakeChannel;
use deskwire_chatlake::inbound::WebhookVerifier;
use deskwire_chatlake::public::PublicClient;
use deskwire_chatlake::ChatlakeClient;
use deskwire_core::channel::{async_trait, Channel, ConversationRef, InboundRequest};
use deskwire_core::mac::HmacSha256;
use deskwire_core::retry::RetryPolicy;
use deskwire_core::Secret;
use serde_json::{json, Value};
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{Desk, Inbound};

const ACCOUNT: u64 = 1;
const INBOX: u64 = 2;
const INBOX_IDENTIFIER: &str = "contract-inbox";
const WEBHOOK_SECRET: &str = "contract-webhook-secret";
const SOURCE: &str = "src-contract-1";
const CONVERSATION: u64 = 301;
const AGENT_MESSAGE: u64 = 501;

/// The desk.
#[derive(Debug)]
pub struct ChatlakeDesk {
    channel: Arc<dyn Channel>,
    signer: HmacSha256,
}

fn json_ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

impl ChatlakeDesk {
    /// Mounts both APIs on `server`; the customer is not known yet.
    pub async fn mount(server: &MockServer) -> Self {
        let api = format!("/api/v1/accounts/{ACCOUNT}");
        Mock::given(method("GET"))
            .and(path(format!("{api}/contacts/search")))
            .and(query_param("q", "cust-42"))
            .respond_with(json_ok(json!({"meta": {"count": 0, "current_page": 1}, "payload": []})))
            .expect(1)
            .mount(server)
            .await;
        Mock::given(method("POST"))
            .and(path(format!("{api}/contacts")))
            .and(body_json(
                json!({"inbox_id": INBOX, "name": "Ana Lima", "email": "ana@example.com", "identifier": "cust-42"}),
            ))
            .respond_with(json_ok(json!({"payload": {
                "contact": {"id": 11, "name": "Ana Lima", "identifier": "cust-42"},
                "contact_inbox": {"source_id": SOURCE, "inbox": {"id": INBOX}}
            }})))
            .expect(1)
            .mount(server)
            .await;
        Mock::given(method("POST"))
            .and(path(format!("{api}/conversations")))
            .and(body_json(json!({"source_id": SOURCE, "inbox_id": INBOX})))
            .respond_with(json_ok(
                json!({"id": CONVERSATION, "inbox_id": INBOX, "status": "open"}),
            ))
            .expect(1)
            .mount(server)
            .await;
        Mock::given(method("POST"))
            .and(path(format!("{api}/conversations/{CONVERSATION}/messages")))
            .respond_with(json_ok(json!({"id": 401, "content": "", "message_type": 0})))
            .mount(server)
            .await;
        Mock::given(method("POST"))
            .and(path(format!("{api}/conversations/{CONVERSATION}/toggle_status")))
            .respond_with(json_ok(json!({"meta": {}, "payload": {
                "success": true, "conversation_id": CONVERSATION, "current_status": "resolved"
            }})))
            .mount(server)
            .await;
        let public =
            format!("/public/api/v1/inboxes/{INBOX_IDENTIFIER}/contacts/{SOURCE}/conversations/{CONVERSATION}");
        for tail in ["toggle_typing", "update_last_seen"] {
            Mock::given(method("POST"))
                .and(path(format!("{public}/{tail}")))
                .respond_with(ResponseTemplate::new(200))
                .mount(server)
                .await;
        }
        let api_client = ChatlakeClient::builder(server.uri(), ACCOUNT, Secret::new("contract-access-token"))
            .retry_policy(RetryPolicy::never())
            .build()
            .expect("a valid client");
        let client_api = PublicClient::builder(server.uri(), INBOX_IDENTIFIER)
            .retry_policy(RetryPolicy::never())
            .build()
            .expect("a valid client");
        let secret = Secret::new(WEBHOOK_SECRET);
        Self {
            channel: Arc::new(
                ChatlakeChannel::new(api_client, INBOX)
                    .client_api(client_api)
                    .webhooks(WebhookVerifier::new(&secret).expect("a webhook secret")),
            ),
            signer: HmacSha256::new(&secret),
        }
    }

    fn webhook(&self, body: Value) -> Inbound {
        let body = body.to_string();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let signature = self.signer.sign_hex(format!("{now}.{body}").as_bytes());
        Inbound::Webhook(
            InboundRequest::post(body)
                .header("x-chatwoot-signature", &format!("sha256={signature}"))
                .header("x-chatwoot-timestamp", &now.to_string()),
        )
    }
}

fn id_of(conversation: &ConversationRef) -> u64 {
    conversation.id().parse().unwrap_or_default()
}

#[async_trait]
impl Desk for ChatlakeDesk {
    fn channel(&self) -> Arc<dyn Channel> {
        Arc::clone(&self.channel)
    }

    async fn agent_reply(&self, conversation: &ConversationRef, text: &str) -> Inbound {
        self.webhook(json!({
            "event": "message_created", "id": AGENT_MESSAGE, "content": text, "message_type": "outgoing",
            "private": false, "sender": {"id": 7, "name": "Bob", "type": "user"},
            "conversation": {"id": id_of(conversation), "contact_inbox": {"source_id": SOURCE}}, "account": {"id": ACCOUNT}, "inbox": {"id": INBOX}
        }))
    }

    async fn agent_typing(&self, conversation: &ConversationRef) -> Option<Inbound> {
        Some(self.webhook(json!({
            "event": "conversation_typing_on", "is_private": false,
            "user": {"id": 7, "name": "Bob", "type": "user"},
            "conversation": {"id": id_of(conversation), "contact_inbox": {"source_id": SOURCE}}
        })))
    }

    async fn resolve(&self, conversation: &ConversationRef) -> Option<Inbound> {
        Some(self.webhook(json!({
            "event": "conversation_status_changed", "id": id_of(conversation), "status": "resolved",
            "changed_attributes": [{"status": {"previous_value": "open", "current_value": "resolved"}}]
        })))
    }

    fn summarize(&self, request: &wiremock::Request) -> Option<String> {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let p = request.url.path();
        if p.ends_with("/messages") {
            Some(format!("message: {}", body["content"].as_str()?))
        } else if p.ends_with("/toggle_typing") {
            Some(format!("typing: {}", body["typing_status"].as_str()?))
        } else if p.ends_with("/update_last_seen") {
            Some(format!("read: {AGENT_MESSAGE}"))
        } else if p.ends_with("/toggle_status") && body["status"] == "resolved" {
            Some("close".into())
        } else {
            None
        }
    }
}
