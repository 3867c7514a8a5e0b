//! The Directly desk: OAuth tokens (`POST /oauth/token`, `POST /oauth/logout`) and the
//! Messaging API under `/v1` — every call `directly-api` 1.1.2 makes (`MessagingApi.ts`):
//! questions (ask, read with `lastChecked` answered 304 when nothing changed, search, edit,
//! close, reroute), messages (post, edit, list, the poster's verdict on a resolve prompt),
//! responses (accept, rate, confirm an automatic response, read), `users/forget`, automatic
//! answers and their feedback. `cargo xtask conform`'s `sim` stage replays the client's own
//! requests against it.
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
    /// When the poster rerouted it (`POST /questions/{uuid}/reroute`).
    rerouted: Option<String>,
    metadata: Value,
}

#[derive(Debug, Default)]
struct Book {
    questions: BTreeMap<String, Question>,
    /// token → expiry (None: never), revoked tokens removed.
    tokens: BTreeMap<String, Option<SystemTime>>,
    next_id: u64,
    last_stamp_ms: i128,
    /// Automatic answers given (`POST /automaticAnswers`), by uuid: (created, feedback).
    automatic: BTreeMap<String, (String, Option<String>)>,
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
                         "isAnswered": !self.responses.is_empty(),
                         "rerouteStatus": match &self.rerouted {
                             Some(at) => json!({"isRerouted": true, "dateRerouted": at, "type": "BY_POSTER"}),
                             None => json!({"isRerouted": false}),
                         }},
               "metadata": self.metadata})
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
                rerouted: None,
                metadata: body.get("metadata").cloned().unwrap_or(json!({})),
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

/// The poster's question by `uuid`, or 404.
fn with_question<T>(desk: &DirectlyDesk, uuid: &str, f: impl FnOnce(&mut Book, &str) -> T) -> Result<T, Response> {
    let mut book = desk.book();
    if !book.questions.contains_key(uuid) {
        return Err(failure(StatusCode::NOT_FOUND, "Question not found"));
    }
    Ok(f(&mut book, uuid))
}

fn json_of(body: &[u8]) -> Result<Value, Response> {
    serde_json::from_slice::<Value>(body).map_err(|_| failure(StatusCode::BAD_REQUEST, "The body is not JSON"))
}

/// `GET /v1/questions` (notes row 3; `directly-api` 1.1.2 `MessagingApi.getQuestion`): the
/// questions matching `externalId.id`/`externalId.system` and `userEmail`, changed after
/// `lastChecked`, `offset`/`limit` of them, under a top-level `questions` (the client reads
/// `body.questions[0]`), without `conversation` when `includeConversation=false`.
async fn search(State(desk): D, headers: HeaderMap, Query(q): Query<BTreeMap<String, String>>) -> Response {
    if let Err(refused) = desk.bearer(&headers) {
        return refused;
    }
    let checked = match q.get("lastChecked") {
        None => None,
        Some(text) => match read_time(text) {
            Some(at) => Some(at),
            None => return failure(StatusCode::BAD_REQUEST, "lastChecked must be an ISO-8601 date"),
        },
    };
    let number = |key: &str| q.get(key).and_then(|v| v.parse::<usize>().ok());
    let book = desk.book();
    let matches = |question: &&Question| {
        let external = question.external_ids.as_array().map(Vec::as_slice).unwrap_or_default();
        let id_ok = q
            .get("externalId.id")
            .is_none_or(|id| external.iter().any(|e| e["id"].as_str() == Some(id.as_str())));
        let system_ok = q
            .get("externalId.system")
            .is_none_or(|system| external.iter().any(|e| e["system"].as_str() == Some(system.as_str())));
        let email_ok = q.get("userEmail").is_none_or(|email| email == &question.email);
        let changed = checked.is_none_or(|at| read_time(&question.updated).is_some_and(|updated| updated > at));
        id_ok && system_ok && email_ok && changed
    };
    let conversation = q.get("includeConversation").map(String::as_str) != Some("false");
    let questions: Vec<Value> = book
        .questions
        .values()
        .filter(matches)
        .skip(number("offset").unwrap_or(0))
        .take(number("limit").unwrap_or(usize::MAX))
        .map(|question| {
            let mut view = question.json();
            if !conversation {
                view.as_object_mut().map(|v| v.remove("conversation"));
            }
            view
        })
        .collect();
    answer(StatusCode::OK, &json!({"meta": {}, "questions": questions}))
}

/// `PUT /v1/questions/{uuid}` (row 4): the poster rewrites the question's text and metadata.
async fn edit_question(State(desk): D, headers: HeaderMap, Path(uuid): Path<String>, body: Bytes) -> Response {
    if let Err(refused) = desk.bearer(&headers) {
        return refused;
    }
    let body = match json_of(&body) {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let edited = with_question(&desk, &uuid, |book, uuid| {
        let stamp = book.stamp();
        if let Some(q) = book.questions.get_mut(uuid) {
            if let Some(text) = body.get("text").and_then(Value::as_str) {
                q.text = text.to_owned();
            }
            if let Some(metadata) = body.get("metadata") {
                q.metadata = metadata.clone();
            }
            q.updated = stamp;
        }
    });
    match edited {
        Ok(()) => desk.question_response(&uuid, StatusCode::OK, Some("edit".into())),
        Err(refused) => refused,
    }
}

/// `POST /v1/questions/{uuid}/reroute` (row 6; the client checks 200): the poster sends the
/// question on (to the company's agents); `state.rerouteStatus` says so.
async fn reroute(State(desk): D, headers: HeaderMap, Path(uuid): Path<String>) -> Response {
    if let Err(refused) = desk.bearer(&headers) {
        return refused;
    }
    let rerouted = with_question(&desk, &uuid, |book, uuid| {
        let stamp = book.stamp();
        if let Some(q) = book.questions.get_mut(uuid) {
            q.rerouted = Some(stamp.clone());
            q.updated = stamp;
        }
    });
    match rerouted {
        Ok(()) => desk.question_response(&uuid, StatusCode::OK, Some("reroute".into())),
        Err(refused) => refused,
    }
}

/// Finds the message `uuid` anywhere; applies `f` to it and its question.
fn with_message<T>(book: &mut Book, uuid: &str, f: impl FnOnce(&mut Msg) -> T) -> Option<(String, T)> {
    for q in book.questions.values_mut() {
        let in_question = q.messages.iter_mut();
        let in_responses = q.responses.iter_mut().flat_map(|r| r.messages.iter_mut());
        if let Some(m) = in_question.chain(in_responses).find(|m| m.uuid == uuid) {
            return Some((q.uuid.clone(), f(m)));
        }
    }
    None
}

/// `PUT /v1/messages/{uuid}` (row 9): the poster rewrites one of their own messages; another's
/// is 403.
async fn edit_message(State(desk): D, headers: HeaderMap, Path(uuid): Path<String>, body: Bytes) -> Response {
    if let Err(refused) = desk.bearer(&headers) {
        return refused;
    }
    let body = match json_of(&body) {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let Some(text) = body.get("text").and_then(Value::as_str) else {
        return failure(StatusCode::BAD_REQUEST, "text is required");
    };
    let mut book = desk.book();
    let stamp = book.stamp();
    let edited = with_message(&mut book, &uuid, |m| {
        if !m.by_customer {
            return false;
        }
        m.body = text.to_owned();
        true
    });
    match edited {
        None => failure(StatusCode::NOT_FOUND, "Message not found"),
        Some((_, false)) => failure(StatusCode::FORBIDDEN, "Only the poster's own messages can be edited"),
        Some((question, true)) => {
            let Some(q) = book.questions.get_mut(&question) else {
                return failure(StatusCode::NOT_FOUND, "Message not found");
            };
            q.updated = stamp;
            let q = q.clone();
            let in_responses = q.responses.iter().flat_map(|r| r.messages.iter());
            let view = q
                .messages
                .iter()
                .chain(in_responses)
                .find(|m| m.uuid == uuid)
                .map(|m| m.json(&q));
            json_summarized(
                StatusCode::OK,
                &envelope(view.unwrap_or_default()),
                Some(format!("edit: {text}")),
            )
        }
    }
}

/// `GET /v1/messages` (row 10; query as `GET /questions`): every message of the matching
/// questions, the question's own first, under `data` [INFER: the shape of the list].
async fn list_messages(State(desk): D, headers: HeaderMap, Query(q): Query<BTreeMap<String, String>>) -> Response {
    if let Err(refused) = desk.bearer(&headers) {
        return refused;
    }
    let book = desk.book();
    let messages: Vec<Value> = book
        .questions
        .values()
        .filter(|question| q.get("userEmail").is_none_or(|email| email == &question.email))
        .filter(|question| {
            let id = q.get("externalId").or_else(|| q.get("externalId.id"));
            let external = question.external_ids.as_array().map(Vec::as_slice).unwrap_or_default();
            id.is_none_or(|id| external.iter().any(|e| e["id"].as_str() == Some(id.as_str())))
        })
        .flat_map(|question| {
            let in_responses = question.responses.iter().flat_map(|r| r.messages.iter());
            question
                .messages
                .iter()
                .chain(in_responses)
                .map(|m| m.json(question))
                .collect::<Vec<_>>()
        })
        .collect();
    answer(StatusCode::OK, &json!({"meta": {}, "data": messages}))
}

/// `POST /v1/messages/{uuid}/markAsResolved` (row 11; the client checks 200): the poster's
/// verdict on the expert's `MARK_AS_RESOLVED_MESSAGE` — `confirm: true` appends
/// `APPROVED_MARK_AS_RESOLVED_MESSAGE` and the question stays resolved; `false` appends
/// `CONTESTED_MARK_AS_RESOLVED_MESSAGE` and it is unresolved again. Another message is 400.
async fn mark_as_resolved(State(desk): D, headers: HeaderMap, Path(uuid): Path<String>, body: Bytes) -> Response {
    if let Err(refused) = desk.bearer(&headers) {
        return refused;
    }
    let body = match json_of(&body) {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let confirm = body.get("confirm").and_then(Value::as_bool).unwrap_or(true);
    let mut book = desk.book();
    let Some((question, kind)) = with_message(&mut book, &uuid, |m| m.kind) else {
        return failure(StatusCode::NOT_FOUND, "Message not found");
    };
    if kind != "MARK_AS_RESOLVED_MESSAGE" {
        return failure(StatusCode::BAD_REQUEST, "The message is not a resolve prompt");
    }
    let (kind, text, status) = match confirm {
        true => (
            "APPROVED_MARK_AS_RESOLVED_MESSAGE",
            "The poster confirmed the resolution.",
            "RESOLVED",
        ),
        false => (
            "CONTESTED_MARK_AS_RESOLVED_MESSAGE",
            "The poster contested the resolution.",
            "UNRESOLVED",
        ),
    };
    let verdict = book.message(kind, text, true);
    let Some(q) = book.questions.get_mut(&question) else {
        return failure(StatusCode::NOT_FOUND, "Message not found");
    };
    q.status = status;
    q.updated = verdict.created.clone();
    if let Some(r) = q.responses.last_mut() {
        r.updated = verdict.created.clone();
        r.messages.push(verdict.clone());
    }
    let view = verdict.json(q);
    json_summarized(StatusCode::OK, &envelope(view), Some(format!("resolved: {confirm}")))
}

/// `POST /v1/users/forget` (row 16): every question of `userEmail` is deleted.
async fn forget(State(desk): D, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = desk.bearer(&headers) {
        return refused;
    }
    let body = match json_of(&body) {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let Some(email) = body.get("userEmail").and_then(Value::as_str) else {
        return failure(StatusCode::BAD_REQUEST, "userEmail is required");
    };
    desk.book().questions.retain(|_, q| q.email != email);
    json_summarized(StatusCode::OK, &envelope(json!({})), Some("forget".into()))
}

/// `POST /v1/automaticAnswers` (row 17): `{predictedClass, confidence, content: {uuid, body,
/// author}}`. The answer itself is the simulator's invention (a fixed text): Directly's model
/// is not public.
async fn automatic_answer(State(desk): D, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = desk.bearer(&headers) {
        return refused;
    }
    let body = match json_of(&body) {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    if body.get("text").and_then(Value::as_str).is_none() {
        return failure(StatusCode::BAD_REQUEST, "text is required");
    }
    let uuid = uuid::Uuid::new_v4().to_string();
    let mut book = desk.book();
    let created = book.stamp();
    book.automatic.insert(uuid.clone(), (created, None));
    let class = body.get("predictedClass").cloned().unwrap_or(json!("general"));
    answer(
        StatusCode::OK,
        &envelope(json!({"predictedClass": class, "confidence": 0.5,
                         "content": {"uuid": uuid, "body": "An automatic answer from deskwire-sim.",
                                     "author": {"name": "Directly"}}})),
    )
}

/// `POST /v1/automaticAnswers/{uuid}/feedback` (row 18): the user's `quickReply`, answered with
/// the automatic response's state.
async fn automatic_feedback(State(desk): D, headers: HeaderMap, Path(uuid): Path<String>, body: Bytes) -> Response {
    if let Err(refused) = desk.bearer(&headers) {
        return refused;
    }
    let body = match json_of(&body) {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let reply = body.get("quickReply").and_then(Value::as_str).map(str::to_owned);
    let mut book = desk.book();
    let updated = book.stamp();
    let next = book.next_id + 1;
    let Some((created, feedback)) = book.automatic.get_mut(&uuid) else {
        return failure(StatusCode::NOT_FOUND, "Automatic answer not found");
    };
    *feedback = reply.clone();
    let view = json!({"uuid": uuid, "id": next, "type": "AUTORESPONSE", "dateCreated": created,
                      "lastUpdated": updated, "isAccepted": reply.as_deref() == Some("ACCEPTED"), "rating": null,
                      "isViewedByUser": true, "quickReply": reply});
    answer(StatusCode::OK, &envelope(view))
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
            .route("/v1/questions", post(ask).get(search))
            .route("/v1/questions/{uuid}", get(question).put(edit_question))
            .route("/v1/questions/{uuid}/close", post(close))
            .route("/v1/questions/{uuid}/reroute", post(reroute))
            .route("/v1/messages", post(post_message).get(list_messages))
            .route("/v1/messages/{uuid}", axum::routing::put(edit_message))
            .route("/v1/messages/{uuid}/markAsResolved", post(mark_as_resolved))
            .route("/v1/users/forget", post(forget))
            .route("/v1/automaticAnswers", post(automatic_answer))
            .route("/v1/automaticAnswers/{uuid}/feedback", post(automatic_feedback))
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
        // The expert's resolve prompt on the latest response, which the poster may confirm or
        // contest (`POST /messages/{uuid}/markAsResolved`; the client finds it as the latest
        // `MARK_AS_RESOLVED_MESSAGE` of the last response, `src/services/QuestionService.ts`).
        if !q.responses.is_empty() {
            let prompt = book.message(
                "MARK_AS_RESOLVED_MESSAGE",
                "The expert marked the question as resolved.",
                false,
            );
            if let Some(r) = book
                .questions
                .get_mut(conversation)
                .and_then(|q| q.responses.last_mut())
            {
                r.updated = prompt.created.clone();
                r.messages.push(prompt);
            }
        }
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
