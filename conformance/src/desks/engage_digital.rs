//! Engage Digital's desk: the Send API answers `ok`; agent replies are signed `messages.create`
//! calls to the channel's polling endpoint.

use std::sync::Arc;

use deskwire_core::channel::{async_trait, Channel, ConversationRef, InboundRequest};
use deskwire_core::retry::RetryPolicy;
use deskwire_core::Secret;
use deskwire_engage_digital::channel::EngageDigitalChannel;
use deskwire_engage_digital::{SendApiClient, Signer, SIGNATURE_HEADER};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{Desk, Inbound};

const TOKEN: &str = "contract-access-token";
const SOURCE: &str = "contract-source";

/// The desk.
#[derive(Debug)]
pub struct EngageDigitalDesk {
    channel: Arc<dyn Channel>,
    signer: Signer,
}

impl EngageDigitalDesk {
    /// Mounts the Send API on `server`.
    pub async fn mount(server: &MockServer) -> Self {
        Mock::given(method("POST"))
            .and(path(format!("/realtime/sdk/{SOURCE}")))
            .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
            .mount(server)
            .await;
        let client = SendApiClient::builder(server.uri(), SOURCE, Secret::new(TOKEN))
            .retry_policy(RetryPolicy::never())
            .build()
            .expect("a valid client");
        Self {
            channel: Arc::new(EngageDigitalChannel::new(client)),
            signer: Signer::new(&Secret::new(TOKEN)),
        }
    }

    fn signed(&self, body: Value) -> Inbound {
        let body = body.to_string();
        let signature = self.signer.sign(body.as_bytes());
        Inbound::Webhook(InboundRequest::post(body).header(SIGNATURE_HEADER, &signature))
    }
}

#[async_trait]
impl Desk for EngageDigitalDesk {
    fn channel(&self) -> Arc<dyn Channel> {
        Arc::clone(&self.channel)
    }

    async fn agent_reply(&self, conversation: &ConversationRef, text: &str) -> Inbound {
        self.signed(json!({
            "action": "messages.create",
            "params": {"thread_id": conversation.id(), "body": text, "sender_name": "Bob", "author_id": "agent-7"},
            "time": "2026-11-21T10:00:00Z"
        }))
    }

    async fn agent_typing(&self, _: &ConversationRef) -> Option<Inbound> {
        None
    }

    async fn resolve(&self, _: &ConversationRef) -> Option<Inbound> {
        None
    }

    fn summarize(&self, request: &wiremock::Request) -> Option<String> {
        let body: Value = serde_json::from_slice(&request.body).ok()?;
        let params = &body["params"];
        Some(match body["action"].as_str()? {
            "messages.create" => format!("message: {}", params["body"].as_str()?),
            "typing.start" => "typing: on".into(),
            "typing.stop" => "typing: off".into(),
            "status.mark_as_read" => format!("read: {}", params["id"].as_str()?),
            _ => return None,
        })
    }
}
