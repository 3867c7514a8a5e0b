//! The Rake Direct desk: the single endpoint `POST /workspaces/{workspaceId}/rake-direct`,
//! authenticated by the workspace `secret` inside the JSON body, and return webhooks to each
//! session's `returnWebhookUrl`.
//!
//! Source: the Rake Direct use-case page (deskwire's seed document; its curl examples are the
//! scenarios served here). **Rake publishes no API reference and no code**, so these parts are
//! the simulator's choices, the same as deskwire-rake-direct's defaults, and may differ from
//! the real service:
//!
//! * the answer to a new session is `{"sessionId": n}`; to anything else `{"ok": true}`;
//! * a wrong `secret` is 401 `{"error": "invalid secret"}`, a body that is not a JSON object 400;
//! * a session is closed by `sessionId` with `session.timeout: 0`; a session opened with a
//!   `session.timeout` of n seconds expires n seconds after its last message (the page: "the
//!   session expires immediately (e.g. 1 second)"); a message into it then opens a new session
//!   (the page: "a customer reply starts a new session"), and an agent cannot write into a
//!   closed or expired one;
//! * return webhooks carry the session's `returnWebhookSecret` in the `X-Rake-Secret` header
//!   (announced as `return_webhook_header`), and bodies
//!   `{"sessionId", "event": "message", "message", "messageId", "sender": {"firstName", "lastName"}, "custom"}`,
//!   `{"sessionId", "event": "typing"}` and `{"sessionId", "event": "endSession"}`; a return
//!   webhook that gets no 2xx answer is tried again, three times in all, a second apart.
//!
//! Credentials: `workspace_id`, `secret`, `return_webhook_header`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use deskwire_core::Secret;
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::{json, Map, Value};

use super::{hex, json as answer, json_summarized, Desk, Settings, Shared};
use crate::SimError;

/// Whether `body` is a JSON object whose `secret` is the workspace secret (the Rake page: every
/// request carries the workspace `secret` in its body). Read here, not with
/// deskwire-rake-direct, so the simulator stays a second reading.
fn carries_secret(body: &[u8], secret: &Secret) -> bool {
    !secret.is_empty()
        && serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| {
                v.get("secret")
                    .and_then(Value::as_str)
                    .map(|s| secret.matches(s.as_bytes()))
            })
            .unwrap_or(false)
}

/// How many times a return webhook is tried before it is given up (the simulator's choice).
const RETURN_WEBHOOK_ATTEMPTS: usize = 3;

/// The header return webhooks carry the session's `returnWebhookSecret` in.
pub const RETURN_WEBHOOK_HEADER: &str = "x-rake-secret";

#[derive(Debug, Default)]
struct Session {
    webhook: Option<(String, String)>,
    custom: Option<String>,
    messages: Vec<(String, String)>,
    open: bool,
    /// `session.timeout`, in seconds [INFER from the page's "1 second" / 3600 / 180].
    timeout: Option<u64>,
    /// The last message either way.
    touched: Option<std::time::Instant>,
}

impl Session {
    /// Past its `session.timeout` since the last message: the page's transactional send asks
    /// for `timeout: 1` so that "the session expires immediately" and "a customer reply starts
    /// a new session". That the timeout counts from the last message is the simulator's choice.
    fn expired(&self) -> bool {
        matches!((self.timeout, self.touched), (Some(t), Some(at)) if t > 0 && at.elapsed() >= Duration::from_secs(t))
    }

    fn touch(&mut self, timeout: Option<u64>) {
        self.touched = Some(std::time::Instant::now());
        if let Some(t) = timeout.filter(|t| *t > 0) {
            self.timeout = Some(t);
        }
    }
}

/// The desk.
#[derive(Debug)]
pub(crate) struct RakeDirectDesk {
    shared: Arc<Shared>,
    workspace: String,
    secret: Secret,
    sessions: Mutex<BTreeMap<u64, Session>>,
}

impl RakeDirectDesk {
    pub(crate) fn new(settings: &Settings, shared: Arc<Shared>) -> Result<Self, SimError> {
        Ok(Self {
            shared,
            workspace: settings.credential("workspace_id", |r| hex(r, 24)),
            secret: Secret::new(settings.credential("secret", |r| super::token(r, 16))),
            sessions: Mutex::new(BTreeMap::new()),
        })
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Session>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn deliver(&self, session: u64, body: Value, summary: String) -> Result<(), SimError> {
        let (url, secret) = self
            .sessions()
            .get(&session)
            .ok_or_else(|| SimError::UnknownConversation(session.to_string()))?
            .webhook
            .clone()
            .ok_or(SimError::NoTarget("this session (opened without returnWebhookUrl)"))?;
        let mut headers = HeaderMap::new();
        headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Ok(value) = HeaderValue::from_str(&secret) {
            headers.insert(RETURN_WEBHOOK_HEADER, value);
        }
        // Rake documents no redelivery. Like most webhook senders, this desk tries a failed
        // return webhook (no answer, or not 2xx) three times, a second apart — the simulator's
        // choice, so a receiver that answers 500 or restarts does not lose the message.
        let shared = Arc::clone(&self.shared);
        let body = bytes::Bytes::from(body.to_string());
        let attempt = move || crate::delivery::Delivery {
            url: url.clone(),
            headers: headers.clone(),
            body: body.clone(),
            summary: Some(summary.clone()),
            timeout: Duration::from_secs(10),
            answer: None,
        };
        // The first attempt is queued now, so deliveries keep the order they were made in.
        let first = shared.outbox.queue(attempt());
        tokio::spawn(async move {
            let delivered = |answer: &crate::delivery::Answer| {
                answer.as_ref().is_ok_and(|(status, _, _)| (200..300).contains(status))
            };
            let mut answer = first.await;
            for _ in 1..RETURN_WEBHOOK_ATTEMPTS {
                if delivered(&answer) {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
                answer = shared.outbox.queue(attempt()).await;
            }
        });
        Ok(())
    }

    fn session_of(conversation: &str) -> Result<u64, SimError> {
        conversation
            .parse()
            .map_err(|_| SimError::UnknownConversation(conversation.to_owned()))
    }

    fn handle(&self, workspace: &str, body: &[u8]) -> Response {
        if workspace != self.workspace {
            return answer(StatusCode::NOT_FOUND, &json!({"error": "workspace not found"}));
        }
        let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
            return answer(
                StatusCode::BAD_REQUEST,
                &json!({"error": "the body is not a JSON object"}),
            );
        };
        if !carries_secret(body, &self.secret) {
            return answer(StatusCode::UNAUTHORIZED, &json!({"error": "invalid secret"}));
        }
        let text = fields.get("message").and_then(Value::as_str).map(str::to_owned);
        let timeout = fields
            .get("session")
            .and_then(|s| s.get("timeout"))
            .and_then(Value::as_u64);
        let session_id = fields.get("sessionId").and_then(|v| match v {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        });
        // A message into an expired session starts a new one, as a customer's reply would.
        let expired = session_id.is_some_and(|id| self.sessions().get(&id).is_some_and(Session::expired));
        match session_id.filter(|_| !expired) {
            Some(id) => {
                let mut sessions = self.sessions();
                // Sessions Rake knows but this desk did not open (a channel, a DM) exist too.
                let session = sessions.entry(id).or_insert_with(|| Session {
                    open: true,
                    ..Session::default()
                });
                session.touch(timeout);
                if timeout == Some(0) {
                    session.open = false;
                    if let Some(text) = &text {
                        session.messages.push(("customer".into(), text.clone()));
                    }
                    return json_summarized(
                        StatusCode::OK,
                        &json!({"ok": true, "sessionId": id}),
                        Some("close".into()),
                    );
                }
                let Some(text) = text else {
                    return answer(StatusCode::BAD_REQUEST, &json!({"error": "`message` is required"}));
                };
                session.messages.push(("customer".into(), text.clone()));
                drop(sessions);
                self.shared.customer_said(&id.to_string(), &text);
                json_summarized(
                    StatusCode::OK,
                    &json!({"ok": true, "sessionId": id}),
                    Some(format!("message: {text}")),
                )
            }
            None => {
                let Some(text) = text else {
                    return answer(StatusCode::BAD_REQUEST, &json!({"error": "`message` is required"}));
                };
                let webhook = fields.get("returnWebhookUrl").and_then(Value::as_str).map(|url| {
                    let secret = fields
                        .get("returnWebhookSecret")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    (url.to_owned(), secret.to_owned())
                });
                let mut sessions = self.sessions();
                // A new id, never one in use: sessions opened by id (a channel, a DM) take ids
                // too, and a new session must not overwrite one of them.
                let id = sessions.keys().max().map_or(13_731, |last| last + 1).max(13_731);
                sessions.insert(
                    id,
                    Session {
                        webhook,
                        custom: fields.get("custom").and_then(Value::as_str).map(str::to_owned),
                        messages: vec![("customer".into(), text.clone())],
                        open: timeout != Some(0),
                        timeout: timeout.filter(|t| *t > 0),
                        touched: Some(std::time::Instant::now()),
                    },
                );
                drop(sessions);
                self.shared.customer_said(&id.to_string(), &text);
                json_summarized(
                    StatusCode::OK,
                    &json!({"sessionId": id}),
                    Some(format!("message: {text}")),
                )
            }
        }
    }
}

async fn endpoint(State(desk): State<Arc<RakeDirectDesk>>, Path(workspace): Path<String>, body: Bytes) -> Response {
    desk.handle(&workspace, &body)
}

#[async_trait]
impl Desk for RakeDirectDesk {
    fn router(self: Arc<Self>) -> Router {
        Router::new()
            .route("/workspaces/{workspace}/rake-direct", post(endpoint))
            .with_state(self)
    }

    fn credentials(&self) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("workspace_id".into(), json!(self.workspace));
        map.insert("secret".into(), json!(self.secret.expose()));
        map.insert("return_webhook_header".into(), json!(RETURN_WEBHOOK_HEADER));
        map
    }

    async fn agent_message(&self, conversation: &str, text: &str) -> Result<(), SimError> {
        let id = Self::session_of(conversation)?;
        let (custom, n) = {
            let mut sessions = self.sessions();
            let session = sessions
                .get_mut(&id)
                .ok_or_else(|| SimError::UnknownConversation(conversation.to_owned()))?;
            if !session.open || session.expired() {
                return Err(SimError::SessionEnded(conversation.to_owned()));
            }
            session.touch(None);
            session.messages.push(("agent".into(), text.to_owned()));
            (session.custom.clone(), session.messages.len())
        };
        self.deliver(
            id,
            json!({"sessionId": id, "event": "message", "message": text, "messageId": format!("m-{id}-{n}"),
                   "sender": {"firstName": "Bob", "lastName": "Agent"}, "custom": custom}),
            format!("message: {text}"),
        )
    }

    async fn agent_typing(&self, conversation: &str) -> Result<bool, SimError> {
        let id = Self::session_of(conversation)?;
        self.deliver(id, json!({"sessionId": id, "event": "typing"}), "typing: on".into())?;
        Ok(true)
    }

    async fn resolve(&self, conversation: &str) -> Result<bool, SimError> {
        let id = Self::session_of(conversation)?;
        if let Some(session) = self.sessions().get_mut(&id) {
            session.open = false;
        }
        self.deliver(id, json!({"sessionId": id, "event": "endSession"}), "resolved".into())?;
        Ok(true)
    }

    fn conversations(&self) -> Vec<Value> {
        self.sessions()
            .iter()
            .map(|(id, s)| {
                json!({"id": id.to_string(), "status": if !s.open { "closed" } else if s.expired() { "expired" } else { "open" },
                       "messages": s.messages.iter().map(|(who, text)| json!({"from": who, "text": text})).collect::<Vec<_>>()})
            })
            .collect()
    }
}
