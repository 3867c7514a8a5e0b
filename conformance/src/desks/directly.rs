//! Directly's desk: a question whose state changes as the expert answers and the question is
//! resolved; the channel sees each change on its next poll.

use std::sync::{Arc, Mutex};

use deskwire_core::channel::{async_trait, Channel, ConversationRef};
use deskwire_core::retry::RetryPolicy;
use deskwire_core::Secret;
use deskwire_directly::channel::DirectlyChannel;
use deskwire_directly::{Credentials, DirectlyClient};
use serde_json::{json, Value};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::{Desk, Inbound};

const QUESTION: &str = "7d0c3a55-1f6e-4c3b-9a51-2f0d6c1e8b10";
const RESPONSE: &str = "5b2e8f10-3c4d-4e5f-8a9b-0c1d2e3f4a5b";

/// What the expert did so far.
#[derive(Debug, Default)]
struct State {
    answered: Option<String>,
    resolved: bool,
    version: u32,
}

impl State {
    fn question(&self) -> Value {
        let stamp = format!("2026-11-21T10:{:02}:00Z", self.version);
        let responses: Vec<Value> = self
            .answered
            .iter()
            .map(|text| {
                json!({"uuid": RESPONSE, "type": "EXPERT", "dateCreated": stamp, "lastUpdated": stamp,
                       "author": {"name": "Bob", "isExpert": true}, "isAccepted": false,
                       "messages": [{"uuid": "6c3f9a21-0000-4000-8000-000000000001", "type": "MESSAGE",
                                     "author": {"name": "Bob", "isExpert": true}, "body": text, "dateCreated": stamp}]})
            })
            .collect();
        json!({
            "uuid": QUESTION, "type": "ONE_TO_MANY", "dateCreated": "2026-11-21T10:00:00Z", "lastUpdated": stamp,
            "conversation": {"text": super::CUSTOMER_TEXTS[0], "author": {"name": "Ana Lima", "isOriginalPoster": true},
                             "messages": [], "responses": responses},
            "state": {"status": if self.resolved { "RESOLVED" } else { "UNRESOLVED" }, "isClosed": self.resolved,
                      "rerouteStatus": {"isRerouted": false}}
        })
    }
}

#[derive(Clone)]
struct Serve(Arc<Mutex<State>>, u16);

impl Respond for Serve {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let question = self.0.lock().unwrap_or_else(|p| p.into_inner()).question();
        ResponseTemplate::new(self.1).set_body_json(json!({"meta": {}, "data": question}))
    }
}

/// The desk.
#[derive(Debug)]
pub struct DirectlyDesk {
    channel: Arc<dyn Channel>,
    state: Arc<Mutex<State>>,
}

impl DirectlyDesk {
    /// Mounts the API on `server`: asking creates the question, which is then served as it is.
    pub async fn mount(server: &MockServer) -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        Mock::given(method("POST"))
            .and(path("/v1/questions"))
            .respond_with(Serve(Arc::clone(&state), 201))
            .expect(1)
            .mount(server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!("/v1/questions/{QUESTION}")))
            .respond_with(Serve(Arc::clone(&state), 200))
            .mount(server)
            .await;
        Mock::given(method("POST"))
            .and(path("/v1/messages"))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({"meta": {}, "data": {}})))
            .mount(server)
            .await;
        Mock::given(method("POST"))
            .and(path_regex(r"^/v1/(responses/[^/]+/markAsRead|questions/[^/]+/close)$"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"meta": {}, "data": {"uuid": RESPONSE}})))
            .mount(server)
            .await;
        let client = DirectlyClient::builder(Credentials::access_token(Secret::new("contract-token")))
            .base_url(server.uri())
            .retry_policy(RetryPolicy::never())
            .build()
            .expect("a valid client");
        Self {
            channel: Arc::new(DirectlyChannel::new(client)),
            state,
        }
    }

    fn change(&self, f: impl FnOnce(&mut State)) -> Inbound {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut state);
        state.version += 1;
        Inbound::Poll
    }
}

#[async_trait]
impl Desk for DirectlyDesk {
    fn channel(&self) -> Arc<dyn Channel> {
        Arc::clone(&self.channel)
    }

    async fn agent_reply(&self, _: &ConversationRef, text: &str) -> Inbound {
        self.change(|s| s.answered = Some(text.to_owned()))
    }

    async fn agent_typing(&self, _: &ConversationRef) -> Option<Inbound> {
        None
    }

    async fn resolve(&self, _: &ConversationRef) -> Option<Inbound> {
        Some(self.change(|s| s.resolved = true))
    }

    fn summarize(&self, request: &wiremock::Request) -> Option<String> {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let p = request.url.path();
        if p == "/v1/questions" || p == "/v1/messages" {
            Some(format!("message: {}", body["text"].as_str()?))
        } else if let Some(rest) = p.strip_prefix("/v1/responses/") {
            Some(format!("read: {}", rest.strip_suffix("/markAsRead")?))
        } else if p.ends_with("/close") {
            Some("close".into())
        } else {
            None
        }
    }
}
