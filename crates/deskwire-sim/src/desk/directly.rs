//! The Directly desk: OAuth tokens (`POST /oauth/token`, `POST /oauth/logout`) and the
//! Messaging API under `/v1` — questions, responses, messages, accept, read, close — with
//! `lastChecked` answered 304 when nothing changed.
//!
//! Sources: Directly's "Messaging API – Getting Started" page (deskwire's seed: the envelope
//! `{"meta", "data", "error"}`, the status codes 200/201/304/400/401/403/404/500, `lastChecked`,
//! system messages removed when no longer relevant, logout with `oauth/logout`) and
//! docs.directly.com (OAuth client credentials, Bearer tokens "until it expires"). The token
//! endpoint's path, grant and lifetime are not documented; the simulator uses deskwire-directly's
//! defaults (`POST /oauth/token`, form `grant_type=client_credentials&client_id&client_secret`
//! or Basic, `{"access_token", "token_type": "bearer", "expires_in": 3600}`).
//!
//! The expert's side: [`crate::Sim::agent_message`] adds a response (the first time) or a
//! message to the latest response; a `NOTIFYING_EXPERTS_SYSTEM_MESSAGE` shows while no expert
//! has answered and disappears with the first response; [`crate::Sim::resolve`] sets the state
//! to `RESOLVED`; the customer's close sets `isClosed` with a `QUESTION_CLOSED_SYSTEM_MESSAGE`.
//! The fault `token-expiry` revokes the presented token at a request, which is then answered 401.
//!
//! Credentials: `client_id`, `client_secret`, `access_token` (a long-lived token for
//! `Credentials::access_token`), `token_lifetime_secs`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use base64::Engine as _;
use deskwire_core::Secret;
use http::{HeaderMap, StatusCode};
use serde_json::{json, Map, Value};

use super::{json as answer, json_summarized, token, Desk, Settings, Shared};
use crate::faults::Fault;
use crate::server::Noted;
use crate::SimError;

#[derive(Debug, Clone)]
struct Msg {
    id: u64,
    uuid: String,
    kind: &'static str,
    body: String,
    by_customer: bool,
    created: String,
}

#[derive(Debug, Clone)]
struct Resp {
    uuid: String,
    created: String,
    updated: String,
    messages: Vec<Msg>,
    accepted: bool,
    read: bool,
    /// The user's rating (`rate`: `THUMBS_UP`, ...).
    rating: Option<String>,
    /// The user's verdict on an automatic response (`confirmAutoResponse`: `ACCEPTED`, ...).
    quick_reply: Option<String>,
}

#[derive(Debug, Clone)]
struct Question {
    uuid: String,
    email: String,
    name: String,
    text: String,
    external_ids: Value,
    created: String,
    updated: String,
    messages: Vec<Msg>,
    responses: Vec<Resp>,
    status: &'static str,
    closed: bool,
}

#[derive(Debug, Default)]
struct Book {
    questions: BTreeMap<String, Question>,
    /// token → expiry (None: never), revoked tokens removed.
    tokens: BTreeMap<String, Option<SystemTime>>,
    next_id: u64,
    last_stamp_ms: i128,
}

/// The desk.
#[derive(Debug)]
pub(crate) struct DirectlyDesk {
    shared: Arc<Shared>,
    client_id: String,
    client_secret: Secret,
    access_token: String,
    lifetime: u64,
    book: Mutex<Book>,
}

fn envelope(data: Value) -> Value {
    json!({"meta": {}, "data": data})
}

/// An RFC 3339 / ISO-8601 date-time.
fn read_time(text: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
}

fn failure(status: StatusCode, message: &str) -> Response {
    answer(
        status,
        &json!({"meta": {"correlationId": uuid::Uuid::new_v4().to_string()}, "error": {"message": message}}),
    )
}

impl Book {
    /// A timestamp after every earlier one (milliseconds, RFC 3339, `Z`), so `lastChecked`
    /// comparisons see every change.
    fn stamp(&mut self) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i128)
            .unwrap_or_default();
        self.last_stamp_ms = now.max(self.last_stamp_ms + 1);
        super::rfc3339_millis(self.last_stamp_ms)
    }

    fn message(&mut self, kind: &'static str, body: &str, by_customer: bool) -> Msg {
        self.next_id += 1;
        Msg {
            id: self.next_id,
            uuid: uuid::Uuid::new_v4().to_string(),
            kind,
            body: body.to_owned(),
            by_customer,
            created: self.stamp(),
        }
    }
}

impl Msg {
    fn json(&self, q: &Question) -> Value {
        let author = if self.kind != "MESSAGE" {
            json!({"name": "System"})
        } else if self.by_customer {
            json!({"name": q.name, "isOriginalPoster": true, "isExpert": false, "type": "USER"})
        } else {
            json!({"name": "Bob", "isOriginalPoster": false, "isExpert": true, "type": "USER"})
        };
        json!({"id": self.id, "uuid": self.uuid, "type": self.kind, "body": self.body, "author": author,
               "dateCreated": self.created, "lastUpdated": self.created})
    }
}

impl Question {
    fn json(&self) -> Value {
        let responses: Vec<Value> = self
            .responses
            .iter()
            .map(|r| {
                json!({"uuid": r.uuid, "type": "EXPERT", "dateCreated": r.created, "lastUpdated": r.updated,
                       "author": {"name": "Bob", "isExpert": true}, "isAccepted": r.accepted, "isViewedByUser": r.read,
                       "messages": r.messages.iter().map(|m| m.json(self)).collect::<Vec<_>>()})
            })
            .collect();
        json!({"uuid": self.uuid, "type": "ONE_TO_MANY", "dateCreated": self.created, "lastUpdated": self.updated,
               "externalIds": self.external_ids,
               "conversation": {"text": self.text, "author": {"name": self.name, "isOriginalPoster": true},
                                "messages": self.messages.iter().map(|m| m.json(self)).collect::<Vec<_>>(),
                                "responses": responses},
               "state": {"status": self.status, "isClosed": self.closed, "numResponses": self.responses.len(),
                         "isAnswered": !self.responses.is_empty(), "rerouteStatus": {"isRerouted": false}}})
    }
}

fn form_or_json(body: &[u8]) -> BTreeMap<String, String> {
    if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
        return map
            .into_iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_owned())))
            .collect();
    }
    url_pairs(body)
}

fn url_pairs(body: &[u8]) -> BTreeMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

impl DirectlyDesk {
    pub(crate) fn new(settings: &Settings, shared: Arc<Shared>) -> Result<Self, SimError> {
        let access_token = settings.credential("access_token", |r| token(r, 32));
        let mut book = Book::default();
        book.tokens.insert(access_token.clone(), None);
        Ok(Self {
            shared,
            client_id: settings.credential("client_id", |r| token(r, 16)),
            client_secret: Secret::new(settings.credential("client_secret", |r| token(r, 32))),
            access_token,
            lifetime: settings.number("token_lifetime_secs", 3600)?,
            book: Mutex::new(book),
        })
    }

    fn book(&self) -> MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The bearer token, if valid; the `token-expiry` fault revokes it first.
    fn bearer(&self, headers: &HeaderMap) -> Result<String, Response> {
        let presented = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::to_owned);
        let Some(presented) = presented else {
            return Err(failure(StatusCode::UNAUTHORIZED, "Authentication failed"));
        };
        let mut book = self.book();
        let valid = book
            .tokens
            .get(&presented)
            .is_some_and(|expiry| expiry.is_none_or(|at| SystemTime::now() < at));
        if !valid {
            return Err(failure(StatusCode::UNAUTHORIZED, "Authentication failed"));
        }
        if presented != self.access_token && self.shared.dice.roll(Fault::TokenExpiresEarly) {
            book.tokens.remove(&presented);
            let mut refused = failure(StatusCode::UNAUTHORIZED, "Authentication failed");
            refused.extensions_mut().insert(Noted(Fault::TokenExpiresEarly));
            return Err(refused);
        }
        Ok(presented)
    }

    fn question_response(&self, uuid: &str, status: StatusCode, summary: Option<String>) -> Response {
        match self.book().questions.get(uuid) {
            Some(q) => json_summarized(status, &envelope(q.json()), summary),
            None => failure(StatusCode::NOT_FOUND, "Question not found"),
        }
    }
}

type D = State<Arc<DirectlyDesk>>;

async fn oauth_token(State(desk): D, headers: HeaderMap, body: Bytes) -> Response {
    let fields = form_or_json(&body);
    let basic = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.split_once(':').map(|(a, b)| (a.to_owned(), b.to_owned())));
    let (id, secret) = match basic {
        Some(pair) => pair,
        None => (
            fields.get("client_id").cloned().unwrap_or_default(),
            fields.get("client_secret").cloned().unwrap_or_default(),
        ),
    };
    if fields.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return answer(
            StatusCode::BAD_REQUEST,
            &json!({"error": "unsupported_grant_type", "error_description": "grant_type must be client_credentials"}),
        );
    }
    let secret_ok = desk.client_secret.matches(secret.as_bytes());
    if id != desk.client_id || !secret_ok {
        return answer(
            StatusCode::UNAUTHORIZED,
            &json!({"error": "invalid_client", "error_description": "Bad client credentials"}),
        );
    }
    let issued = uuid::Uuid::new_v4().simple().to_string();
    desk.book().tokens.insert(
        issued.clone(),
        Some(SystemTime::now() + Duration::from_secs(desk.lifetime)),
    );
    answer(
        StatusCode::OK,
        &json!({"access_token": issued, "token_type": "bearer", "expires_in": desk.lifetime}),
    )
}

async fn oauth_logout(State(desk): D, headers: HeaderMap) -> Response {
    let presented = match desk.bearer(&headers) {
        Ok(token) => token,
        Err(refused) => return refused,
    };
    desk.book().tokens.remove(&presented);
    answer(StatusCode::OK, &envelope(json!({})))
}

async fn ask(State(desk): D, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = desk.bearer(&headers) {
        return refused;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return failure(StatusCode::BAD_REQUEST, "The body is not JSON");
    };
    let field = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
    let (Some(email), Some(text)) = (field("userEmail"), field("text")) else {
        return failure(StatusCode::BAD_REQUEST, "userEmail and text are required");
    };
    let uuid = uuid::Uuid::new_v4().to_string();
    {
        let mut book = desk.book();
        let created = book.stamp();
        let notifying = book.message(
            "NOTIFYING_EXPERTS_SYSTEM_MESSAGE",
            "We are notifying experts about your question.",
            false,
        );
        book.questions.insert(
            uuid.clone(),
            Question {
                uuid: uuid.clone(),
                email,
                name: field("userName").unwrap_or_default(),
                text: text.clone(),
                external_ids: body.get("externalIds").cloned().unwrap_or(json!([])),
                created: created.clone(),
                updated: notifying.created.clone(),
                messages: vec![notifying],
                responses: Vec::new(),
                status: "UNRESOLVED",
                closed: false,
            },
        );
    }
    desk.shared.customer_said(&uuid, &text);
    desk.question_response(&uuid, StatusCode::CREATED, Some(format!("message: {text}")))
}

async fn question(
    State(desk): D,
    headers: HeaderMap,
    Path(uuid): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    if let Err(refused) = desk.bearer(&headers) {
        return refused;
    }
    // `lastChecked` is a time, compared as a time: as text, `…:00Z` sorts after `…:00.500Z`
    // and a check half a second before an update would answer 304. A value that is not a date
    // is refused (400) rather than read as "nothing changed".
    let checked = match q.get("lastChecked") {
        None => None,
        Some(text) => match read_time(text) {
            Some(at) => Some(at),
            None => return failure(StatusCode::BAD_REQUEST, "lastChecked must be an ISO-8601 date"),
        },
    };
    let unchanged = {
        let book = desk.book();
        let Some(question) = book.questions.get(&uuid) else {
            return failure(StatusCode::NOT_FOUND, "Question not found");
        };
        checked.is_some_and(|checked| read_time(&question.updated).is_some_and(|updated| checked >= updated))
    };
    if unchanged {
        return http::Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .body(axum::body::Body::empty())
            .unwrap_or_default();
    }
    desk.question_response(&uuid, StatusCode::OK, None)
}

async fn post_message(State(desk): D, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = desk.bearer(&headers) {
        return refused;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return failure(StatusCode::BAD_REQUEST, "The body is not JSON");
    };
    let field = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
    let Some(text) = field("text") else {
        return failure(StatusCode::BAD_REQUEST, "text is required");
    };
    let (question, view) = {
        let mut book = desk.book();
        let target = match (field("responseUuid"), field("questionUuid")) {
            (Some(r), _) => book
                .questions
                .values()
                .find(|q| q.responses.iter().any(|x| x.uuid == r))
                .map(|q| (q.uuid.clone(), Some(r))),
            (None, Some(q)) => book.questions.contains_key(&q).then_some((q, None)),
            (None, None) => return failure(StatusCode::BAD_REQUEST, "responseUuid or questionUuid is required"),
        };
        let Some((question, response)) = target else {
            return failure(StatusCode::NOT_FOUND, "Not found");
        };
        let message = book.message("MESSAGE", &text, true);
        let stamp = message.created.clone();
        let Some(q) = book.questions.get_mut(&question) else {
            return failure(StatusCode::NOT_FOUND, "Not found");
        };
        match response.and_then(|r| q.responses.iter_mut().find(|x| x.uuid == r)) {
            Some(r) => {
                r.messages.push(message.clone());
                r.updated = stamp.clone();
            }
            None => q.messages.push(message.clone()),
        }
        q.updated = stamp;
        let view = message.json(q);
        (question, view)
    };
    desk.shared.customer_said(&question, &text);
    json_summarized(StatusCode::CREATED, &envelope(view), Some(format!("message: {text}")))
}

async fn close(State(desk): D, headers: HeaderMap, Path(uuid): Path<String>) -> Response {
    if let Err(refused) = desk.bearer(&headers) {
        return refused;
    }
    {
        let mut book = desk.book();
        if !book.questions.contains_key(&uuid) {
            return failure(StatusCode::NOT_FOUND, "Question not found");
        }
        let closed = book.message("QUESTION_CLOSED_SYSTEM_MESSAGE", "The question was closed.", false);
        if let Some(q) = book.questions.get_mut(&uuid) {
            q.closed = true;
            q.updated = closed.created.clone();
            q.messages.push(closed);
        }
    }
    json_summarized(StatusCode::OK, &envelope(json!({"uuid": uuid})), Some("close".into()))
}

/// `POST /v1/responses/{uuid}/{markAsRead|accept|rate|confirmAutoResponse}`, with the bodies
/// `directly-api` 1.1.2 sends (`src/services/api/MessagingApi.ts`): `rate` carries `rating`,
/// `confirmAutoResponse` a `quickReply`. What the server does with a verdict on an expert's
/// (not automatic) response is not documented: it is recorded and answered like the others.
async fn response_action(
    State(desk): D,
    headers: HeaderMap,
    Path((uuid, action)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(refused) = desk.bearer(&headers) {
        return refused;
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_owned);
    let mut book = desk.book();
    let stamp = book.stamp();
    let found = book.questions.values_mut().find_map(|q| {
        let r = q.responses.iter_mut().find(|r| r.uuid == uuid)?;
        match action.as_str() {
            "markAsRead" => r.read = true,
            "accept" => {
                r.accepted = true;
                r.updated = stamp.clone();
                q.updated = stamp.clone();
            }
            "rate" => r.rating = text("rating"),
            "confirmAutoResponse" => r.quick_reply = text("quickReply"),
            _ => return None,
        }
        Some(
            json!({"uuid": r.uuid, "type": "EXPERT", "isAccepted": r.accepted, "isViewedByUser": r.read,
                    "rating": r.rating, "quickReply": r.quick_reply}),
        )
    });
    match found {
        Some(view) => {
            let summary = match action.as_str() {
                "markAsRead" => format!("read: {uuid}"),
                "rate" => format!("rate: {uuid}"),
                "confirmAutoResponse" => format!("confirm: {uuid}"),
                _ => format!("accept: {uuid}"),
            };
            json_summarized(StatusCode::OK, &envelope(view), Some(summary))
        }
        None => failure(StatusCode::NOT_FOUND, "Response not found"),
    }
}

async fn health() -> Response {
    answer(StatusCode::OK, &json!({"status": "UP"}))
}

#[async_trait]
impl Desk for DirectlyDesk {
    fn router(self: Arc<Self>) -> Router {
        Router::new()
            .route("/oauth/token", post(oauth_token))
            .route("/oauth/logout", post(oauth_logout))
            .route("/health/status", get(health))
            .route("/v1/questions", post(ask))
            .route("/v1/questions/{uuid}", get(question))
            .route("/v1/questions/{uuid}/close", post(close))
            .route("/v1/messages", post(post_message))
            .route("/v1/responses/{uuid}/{action}", post(response_action))
            .with_state(self)
    }

    fn credentials(&self) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("client_id".into(), json!(self.client_id));
        map.insert("client_secret".into(), json!(self.client_secret.expose()));
        map.insert("access_token".into(), json!(self.access_token));
        map.insert("token_lifetime_secs".into(), json!(self.lifetime));
        map
    }

    fn refusal(&self, fault: Fault, retry_after: u64) -> Response {
        let body = json!({"meta": {}, "error": {"message": if fault == Fault::ServerError { "Internal server error" } else { "Too many requests" }}});
        super::refusal(fault, retry_after, "application/json", &body.to_string())
    }

    async fn agent_message(&self, conversation: &str, text: &str) -> Result<(), SimError> {
        let mut book = self.book();
        if !book.questions.contains_key(conversation) {
            return Err(SimError::UnknownConversation(conversation.to_owned()));
        }
        let message = book.message("MESSAGE", text, false);
        let stamp = message.created.clone();
        let q = book
            .questions
            .get_mut(conversation)
            .ok_or_else(|| SimError::UnknownConversation(conversation.to_owned()))?;
        match q.responses.last_mut() {
            Some(r) => {
                r.messages.push(message);
                r.updated = stamp.clone();
            }
            None => {
                // The first answer: the "notifying experts" system message has done its job.
                q.messages.retain(|m| m.kind != "NOTIFYING_EXPERTS_SYSTEM_MESSAGE");
                q.responses.push(Resp {
                    uuid: uuid::Uuid::new_v4().to_string(),
                    created: stamp.clone(),
                    updated: stamp.clone(),
                    messages: vec![message],
                    accepted: false,
                    rating: None,
                    quick_reply: None,
                    read: false,
                });
            }
        }
        q.updated = stamp;
        Ok(())
    }

    async fn agent_typing(&self, conversation: &str) -> Result<bool, SimError> {
        if !self.book().questions.contains_key(conversation) {
            return Err(SimError::UnknownConversation(conversation.to_owned()));
        }
        Ok(false)
    }

    async fn resolve(&self, conversation: &str) -> Result<bool, SimError> {
        let mut book = self.book();
        let stamp = book.stamp();
        let q = book
            .questions
            .get_mut(conversation)
            .ok_or_else(|| SimError::UnknownConversation(conversation.to_owned()))?;
        q.status = "RESOLVED";
        q.updated = stamp;
        Ok(true)
    }

    fn conversations(&self) -> Vec<Value> {
        self.book()
            .questions
            .values()
            .map(|q| {
                let mut messages = vec![json!({"from": "customer", "text": q.text})];
                messages.extend(
                    q.messages
                        .iter()
                        .map(|m| json!({"from": if m.by_customer { "customer" } else { "system" }, "text": m.body})),
                );
                for r in &q.responses {
                    messages.extend(
                        r.messages.iter().map(
                            |m| json!({"from": if m.by_customer { "customer" } else { "expert" }, "text": m.body}),
                        ),
                    );
                }
                json!({"id": q.uuid, "status": q.status, "closed": q.closed, "email": q.email, "messages": messages})
            })
            .collect()
    }
}
