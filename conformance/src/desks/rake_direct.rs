//! Rake Direct's desk: the one endpoint answers every scenario; agent messages, typing and the
//! end of the session are deliveries to the return webhook, proven by the secret in a header.

use std::sync::Arc;

use deskwire_core::channel::{async_trait, Channel, ConversationRef, InboundRequest};
use deskwire_core::retry::RetryPolicy;
use deskwire_core::verify::Proof;
use deskwire_core::Secret;
use deskwire_rake_direct::channel::RakeDirectChannel;
use deskwire_rake_direct::wire::ReturnWebhook;
use deskwire_rake_direct::RakeDirectClient;
use serde_json::{json, Value};
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{Desk, Inbound};

const WORKSPACE: &str = "contract-workspace";
const HOOK_SECRET: &str = "contract-hook-secret";
const HOOK_HEADER: &str = "x-rake-secret";
const SESSION: u64 = 13731;

/// The desk.
#[derive(Debug)]
pub struct RakeDirectDesk {
    channel: Arc<dyn Channel>,
}

impl RakeDirectDesk {
    /// Mounts the endpoint on `server`: opening a session answers its id.
    pub async fn mount(server: &MockServer) -> Self {
        let endpoint = format!("/workspaces/{WORKSPACE}/rake-direct");
        Mock::given(method("POST"))
            .and(path(&endpoint))
            .and(body_partial_json(
                json!({"returnWebhookUrl": "https://widget.example.com/rake"}),
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"sessionId": SESSION})))
            .expect(1)
            .mount(server)
            .await;
        Mock::given(method("POST"))
            .and(path(&endpoint))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
            .mount(server)
            .await;
        let client = RakeDirectClient::builder(WORKSPACE, Secret::new("contract-workspace-secret"))
            .base_url(server.uri())
            .retry_policy(RetryPolicy::never())
            .build()
            .expect("a valid client");
        let secret = Secret::new(HOOK_SECRET);
        let hook = ReturnWebhook::new("https://widget.example.com/rake", secret.clone());
        Self {
            channel: Arc::new(
                RakeDirectChannel::new(client, hook, Proof::shared_secret(HOOK_HEADER)).expect("a secret"),
            ),
        }
    }

    fn delivery(body: Value) -> Inbound {
        Inbound::Webhook(InboundRequest::post(body.to_string()).header(HOOK_HEADER, HOOK_SECRET))
    }
}

#[async_trait]
impl Desk for RakeDirectDesk {
    fn channel(&self) -> Arc<dyn Channel> {
        Arc::clone(&self.channel)
    }

    async fn agent_reply(&self, conversation: &ConversationRef, text: &str) -> Inbound {
        Self::delivery(json!({
            "sessionId": conversation.id().parse::<u64>().unwrap_or_default(),
            "event": "message",
            "message": text,
            "messageId": "m-1",
            "sender": {"firstName": "Bob", "lastName": "Agent"}
        }))
    }

    async fn agent_typing(&self, conversation: &ConversationRef) -> Option<Inbound> {
        Some(Self::delivery(
            json!({"sessionId": conversation.id(), "event": "typing"}),
        ))
    }

    async fn resolve(&self, conversation: &ConversationRef) -> Option<Inbound> {
        Some(Self::delivery(
            json!({"sessionId": conversation.id(), "event": "endSession"}),
        ))
    }

    fn summarize(&self, request: &wiremock::Request) -> Option<String> {
        let body: Value = serde_json::from_slice(&request.body).ok()?;
        if body["session"]["timeout"] == json!(0) {
            return Some("close".into());
        }
        body["message"].as_str().map(|m| format!("message: {m}"))
    }
}
