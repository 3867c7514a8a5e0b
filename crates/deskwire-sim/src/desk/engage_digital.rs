//! The Engage Digital desk: the Send API (`POST /realtime/sdk/{source_id}`) and the calls Engage
//! Digital makes to the user's polling endpoint.
//!
//! Sources: the "Introduction to Send API" page (deskwire's seed; ringcentral
//! engage-digital-api-docs `docs/src/sdk/send-api.md`), the Request-Response and Options pages
//! of the same repository; the signing recipe (lowercase hex HMAC-SHA-512 of the exact body,
//! keyed with the source's access token) is the page's PHP and Ruby examples, written here on
//! core's MAC, independently of deskwire-engage-digital.
//!
//! Send API:
//! * answers `200 ok` (text) to the page's supported actions — `messages.create`,
//!   `private_messages.create`, `threads.create`, `users.create`, `status.mark_as_read`,
//!   `typing.start`, `typing.stop`; a message id seen before is accepted and not stored twice;
//! * reproduces the documented error table: 400 `Bad request` and `Invalid request format`, 413
//!   `Invalid request size (max: 20971520 bytes)`, 422 `Source not found`, `Invalid signature`,
//!   `Invalid action` (unknown, or not declared by the endpoint's `implementation.info` once
//!   the desk has read it), `Invalid resource format`, `Source doesn't support structured
//!   contents` (unless the credential `structured_contents=true`), `Type is required for
//!   structured contents`, `Source doesn't support this type of structured content`,
//!   `` `structured_content`: "<attribute>" must not be empty ``, `The author must be
//!   puppetizable`, and 429 `too many typing requests, please try again in a few seconds` for a
//!   second `typing.start` on a thread within 2 s (reset by `typing.stop`). Whether error
//!   bodies are plain text or JSON is not documented: they are plain text here.
//!
//! Polling side (with an endpoint URL): [`crate::Sim::poll_endpoint`] sends a signed
//! `implementation.info` at the start of every crawl, then `messages.list` (with `since_id` after the first
//! message seen); [`crate::Sim::agent_message`] sends a signed agent `messages.create` (tried up to
//! three times, `retry: true` after the first, as the docs describe). The signature of every
//! answer is checked; an answer with a wrong or missing signature fails the call.
//!
//! Credentials: `source_id`, `access_token`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use async_trait::async_trait;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use deskwire_core::mac::HmacSha512;
use deskwire_core::Secret;

/// The header every Send API request and endpoint call is signed in: the lowercase hex
/// HMAC-SHA-512 of the exact body, keyed with the source's access token (the Send API page's
/// PHP `hash_hmac('sha512', $body, $token)` and Ruby `OpenSSL::HMAC.hexdigest('sha512', ...)`
/// examples, ringcentral engage-digital-api-docs `docs/src/sdk/send-api.md`). Written here from
/// the page, not taken from deskwire-engage-digital: the simulator is a second reading.
const SIGNATURE_HEADER: &str = "x-smccsdk-signature";
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::{json, Map, Value};

use super::{hex, Desk, Settings, Shared};
use crate::delivery::Delivery;
use crate::server::Summary;
use crate::SimError;

/// The Send API's body limit, in bytes.
const BODY_LIMIT: usize = 20_971_520;
/// The shortest gap between two `typing.start` on a thread (deskwire-engage-digital's
/// `TYPING_START_INTERVAL`, which its `client` feature exports).
const TYPING_START_INTERVAL: Duration = Duration::from_secs(2);
/// The most pages one crawl reads of an object.
const MAX_PAGES: usize = 100;
/// Structured content types a source supports by default.
const STRUCTURED_TYPES: [&str; 4] = ["select", "rich_link", "template", "carousel"];

#[derive(Debug, Clone)]
struct Content {
    id: String,
    from: &'static str,
    text: String,
}

#[derive(Debug, Default)]
struct Book {
    threads: BTreeMap<String, Vec<Content>>,
    seen_ids: BTreeSet<String>,
    typing: BTreeMap<String, Instant>,
    read: Vec<String>,
    info: Option<Value>,
    /// The next `since_id` of each object's crawl.
    since: BTreeMap<&'static str, String>,
}

/// The desk.
#[derive(Debug)]
pub(crate) struct EngageDigitalDesk {
    shared: Arc<Shared>,
    source_id: String,
    token: Secret,
    signer: HmacSha512,
    structured: bool,
    endpoint_url: Option<String>,
    book: Mutex<Book>,
}

fn text(status: StatusCode, body: &str, summary: Option<String>) -> Response {
    let mut response = (
        status,
        [(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body.to_owned(),
    )
        .into_response();
    if let Some(summary) = summary {
        response.extensions_mut().insert(Summary(summary));
    }
    response
}

fn refuse(status: u16, message: &str) -> Response {
    text(
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        message,
        None,
    )
}

/// The documented row for the first mandatory attribute left empty (`title`, `url`, `payload`
/// of the content or of one of its items).
fn empty_attribute(sc: &Value) -> Option<&'static str> {
    let empty = |v: &Value, key: &str| {
        v.get(key)
            .is_some_and(|x| x.as_str().is_some_and(str::is_empty) || x.is_null())
    };
    let items = sc.get("items").and_then(Value::as_array).into_iter().flatten();
    for node in std::iter::once(sc).chain(items) {
        for (key, row) in [
            ("title", r#"`structured_content`: "title" must not be empty"#),
            ("url", r#"`structured_content`: "url" must not be empty"#),
            ("payload", r#"`structured_content`: "payload" must not be empty"#),
        ] {
            if empty(node, key) {
                return Some(row);
            }
        }
    }
    None
}

fn id_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::from(SystemTime::now())
        .replace_nanosecond(0)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl EngageDigitalDesk {
    pub(crate) fn new(settings: &Settings, shared: Arc<Shared>) -> Result<Self, SimError> {
        let token = Secret::new(settings.credential("access_token", |r| hex(r, 64)));
        if token.expose().is_empty() {
            return Err(SimError::BadCredential {
                key: "access_token".into(),
                reason: "not empty".into(),
            });
        }
        Ok(Self {
            shared,
            source_id: settings.credential("source_id", |r| hex(r, 20)),
            signer: HmacSha512::new(&token),
            token,
            structured: settings
                .overrides
                .get("structured_contents")
                .is_some_and(|v| v == "true"),
            endpoint_url: settings.endpoint_url.clone(),
            book: Mutex::new(Book::default()),
        })
    }

    fn book(&self) -> MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the endpoint declared `action` (always true before `implementation.info` was read).
    fn declared(&self, action: &str) -> bool {
        let book = self.book();
        let Some(info) = &book.info else { return true };
        let (object, operation) = action.split_once('.').unwrap_or((action, ""));
        if object == "typing" {
            return info["options"]
                .as_array()
                .is_some_and(|o| o.iter().any(|v| v == "messaging.typing_indicator"));
        }
        info["objects"][object]
            .as_array()
            .is_some_and(|ops| ops.iter().any(|v| v == operation))
    }

    fn structured_error(&self, params: &Value) -> Option<&'static str> {
        let sc = params.get("structured_content")?;
        if !self.structured {
            return Some("Source doesn't support structured contents");
        }
        let Some(kind) = sc.get("type").and_then(Value::as_str) else {
            return Some("Type is required for structured contents");
        };
        if !STRUCTURED_TYPES.contains(&kind) {
            return Some("Source doesn't support this type of structured content");
        }
        if let Some(attribute) = empty_attribute(sc) {
            return Some(attribute);
        }
        if params.pointer("/author/puppetizable") == Some(&json!(false)) {
            return Some("The author must be puppetizable");
        }
        None
    }

    fn send_api(&self, source: &str, headers: &HeaderMap, body: &[u8]) -> Response {
        if body.len() > BODY_LIMIT {
            return refuse(413, "Invalid request size (max: 20971520 bytes)");
        }
        if source != self.source_id {
            return refuse(422, "Source not found");
        }
        let signature = headers
            .get(SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if self.signer.verify_hex(body, signature.trim()).is_err() {
            return refuse(422, "Invalid signature");
        }
        let Ok(request) = serde_json::from_slice::<Value>(body) else {
            return refuse(400, "Bad request");
        };
        let (Some(action), Some(params)) = (
            request.get("action").and_then(Value::as_str),
            request.get("params").filter(|p| p.is_object()),
        ) else {
            return refuse(400, "Invalid request format");
        };
        let known = [
            "messages.create",
            "private_messages.create",
            "threads.create",
            "users.create",
            "status.mark_as_read",
            "typing.start",
            "typing.stop",
        ];
        if !known.contains(&action) || !self.declared(action) {
            return refuse(422, "Invalid action");
        }
        match action {
            "messages.create" => self.create(params),
            "private_messages.create" => {
                let body = params
                    .get("body")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                if id_text(params.get("id")).is_none() || (body.is_empty() && params.get("attachments").is_none()) {
                    return refuse(422, "Invalid resource format");
                }
                text(StatusCode::OK, "ok", Some(format!("private message: {body}")))
            }
            "threads.create" => {
                let Some(id) = id_text(params.get("id")) else {
                    return refuse(422, "Invalid resource format");
                };
                self.book().threads.entry(id.clone()).or_default();
                let title = params.get("title").and_then(Value::as_str).map_or(id, str::to_owned);
                text(StatusCode::OK, "ok", Some(format!("thread: {title}")))
            }
            "users.create" => {
                let complete = ["id", "created_at", "screenname"]
                    .iter()
                    .all(|k| id_text(params.get(*k)).is_some());
                if !complete {
                    return refuse(422, "Invalid resource format");
                }
                text(StatusCode::OK, "ok", None)
            }
            "status.mark_as_read" => {
                let Some(id) = id_text(params.get("id")) else {
                    return refuse(422, "Invalid resource format");
                };
                self.book().read.push(id.clone());
                text(StatusCode::OK, "ok", Some(format!("read: {id}")))
            }
            "typing.start" | "typing.stop" => {
                let Some(thread) = id_text(params.get("thread_id")).or_else(|| id_text(params.get("in_reply_to_id")))
                else {
                    return refuse(422, "Invalid resource format");
                };
                let mut book = self.book();
                if action == "typing.stop" {
                    book.typing.remove(&thread);
                    return text(StatusCode::OK, "ok", Some("typing: off".into()));
                }
                if book
                    .typing
                    .get(&thread)
                    .is_some_and(|at| at.elapsed() < TYPING_START_INTERVAL)
                {
                    return refuse(429, "too many typing requests, please try again in a few seconds");
                }
                book.typing.insert(thread, Instant::now());
                text(StatusCode::OK, "ok", Some("typing: on".into()))
            }
            _ => refuse(422, "Invalid action"),
        }
    }

    fn create(&self, params: &Value) -> Response {
        let id = id_text(params.get("id"));
        let thread = id_text(params.get("thread_id")).or_else(|| id_text(params.get("in_reply_to_id")));
        let author = id_text(params.pointer("/author/id"));
        let has_content = params
            .get("body")
            .is_some_and(|b| b.as_str().is_some_and(|s| !s.is_empty()))
            || params
                .get("attachments")
                .is_some_and(|a| a.as_array().is_some_and(|a| !a.is_empty()))
            || params.get("structured_content").is_some();
        let (Some(id), Some(thread), Some(_)) = (id, thread, author) else {
            return refuse(422, "Invalid resource format");
        };
        if !has_content {
            return refuse(422, "Invalid resource format");
        }
        if let Some(error) = self.structured_error(params) {
            return refuse(422, error);
        }
        let body = params
            .get("body")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let fresh = {
            let mut book = self.book();
            let fresh = book.seen_ids.insert(format!("messages/{id}"));
            if fresh {
                book.threads.entry(thread.clone()).or_default().push(Content {
                    id,
                    from: "customer",
                    text: body.clone(),
                });
            }
            fresh
        };
        if fresh {
            self.shared.customer_said(&thread, &body);
        }
        text(StatusCode::OK, "ok", Some(format!("message: {body}")))
    }

    /// Calls the endpoint with `action` and `params`, signed; the answer, its signature checked.
    async fn call(&self, action: &str, params: Value, summary: Option<String>) -> Result<Value, SimError> {
        let url = self
            .endpoint_url
            .as_deref()
            .map(|urls| self.shared.spread(urls))
            .ok_or(SimError::NoTarget("the endpoint call"))?;
        let mut body = json!({"action": action, "time": now_rfc3339()});
        if params.as_object().is_some_and(|p| !p.is_empty()) {
            body["params"] = params;
        }
        let body = body.to_string();
        let mut headers = HeaderMap::new();
        headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Ok(value) = HeaderValue::from_str(&self.signer.sign_hex(body.as_bytes())) {
            headers.insert(SIGNATURE_HEADER, value);
        }
        let (status, headers, answer) = self
            .shared
            .outbox
            .call(Delivery {
                url,
                headers,
                body: Bytes::from(body),
                summary,
                timeout: Duration::from_secs(30),
                answer: None,
            })
            .await
            .map_err(SimError::Endpoint)?;
        let signature = headers
            .get(SIGNATURE_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if self.signer.verify_hex(&answer, signature.trim()).is_err() {
            return Err(SimError::Endpoint(format!(
                "the answer to {action} ({status}) is not signed with the access token"
            )));
        }
        if !(200..300).contains(&status) {
            return Err(SimError::Endpoint(format!(
                "{action} answered {status}: {}",
                String::from_utf8_lossy(&answer)
            )));
        }
        serde_json::from_slice(&answer)
            .map_err(|e| SimError::Endpoint(format!("the answer to {action} is not JSON: {e}")))
    }
}

impl EngageDigitalDesk {
    /// One crawl, in the docs' order: `implementation.info`, then every page
    /// of `threads.list` and `messages.list` the endpoint declares. Pages come newest first
    /// and the next `since_id` is the first item's id (Engage Digital does not assume ids
    /// increase); a page that is empty or brings nothing new ends the object's crawl.
    async fn crawl(&self) -> Result<usize, SimError> {
        // Every synchronization run starts with `implementation.info` (ringcentral
        // engage-digital-api-docs, the Polling page), so a declaration changed since is read.
        let info = self
            .call("implementation.info", json!({}), Some("implementation.info".into()))
            .await?;
        self.book().info = Some(info);
        let mut imported = 0;
        for object in ["threads", "messages"] {
            if !self.declared(&format!("{object}.list")) {
                continue;
            }
            for _ in 0..MAX_PAGES {
                let since = self.book().since.get(object).cloned();
                let summary = format!(
                    "{object}.list{}",
                    since.as_ref().map(|id| format!(" since {id}")).unwrap_or_default()
                );
                let params = since.map_or_else(|| json!({}), |id| json!({"since_id": id}));
                let page = self.call(&format!("{object}.list"), params, Some(summary)).await?;
                let items = page.as_array().cloned().unwrap_or_default();
                let Some(newest) = items.first().and_then(|i| id_text(i.get("id"))) else {
                    break;
                };
                self.book().since.insert(object, newest);
                let mut fresh = 0;
                for item in items.iter().rev() {
                    if self.import(object, item) {
                        fresh += 1;
                    }
                }
                if fresh == 0 {
                    break;
                }
                if object == "messages" {
                    imported += fresh;
                }
            }
        }
        Ok(imported)
    }

    /// Stores a listed thread or message; whether it was new.
    fn import(&self, object: &str, item: &Value) -> bool {
        let Some(id) = id_text(item.get("id")) else {
            return false;
        };
        let body = item.get("body").and_then(Value::as_str).unwrap_or_default().to_owned();
        let thread = if object == "threads" {
            Some(id.clone())
        } else {
            id_text(item.get("thread_id"))
        };
        let Some(thread) = thread else { return false };
        {
            let mut book = self.book();
            if !book.seen_ids.insert(format!("{object}/{id}")) {
                return false;
            }
            let contents = book.threads.entry(thread.clone()).or_default();
            if object == "messages" {
                contents.push(Content {
                    id,
                    from: "customer",
                    text: body.clone(),
                });
            }
        }
        if object == "messages" {
            self.shared.customer_said(&thread, &body);
        }
        true
    }
}

async fn send_api(
    State(desk): State<Arc<EngageDigitalDesk>>,
    Path(source): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    desk.send_api(&source, &headers, &body)
}

#[async_trait]
impl Desk for EngageDigitalDesk {
    fn router(self: Arc<Self>) -> Router {
        Router::new()
            .route("/realtime/sdk/{source}", post(send_api))
            // Read past the limit so an oversized body gets the documented 413, not axum's.
            .layer(DefaultBodyLimit::max(BODY_LIMIT + (1 << 20)))
            .with_state(self)
    }

    fn credentials(&self) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("source_id".into(), json!(self.source_id));
        map.insert("access_token".into(), json!(self.token.expose()));
        map
    }

    async fn agent_message(&self, conversation: &str, text: &str) -> Result<(), SimError> {
        let content_id = uuid::Uuid::new_v4().to_string();
        // The agent answers the thread's last customer message (`in_reply_to_id`).
        let replied = self.book().threads.get(conversation).and_then(|contents| {
            contents
                .iter()
                .rev()
                .find(|c| c.from == "customer")
                .map(|c| c.id.clone())
        });
        let created = now_rfc3339();
        let mut last = None;
        for attempt in 0..3 {
            // The fields of the quick-start's agent reply and the Action Details table
            // (ringcentral engage-digital-api-docs 95ff4ddc, `docs/sdks/source-sdk/quick-start.md`
            // L353-367; `content_id` and `retry` since 6e9ad73).
            let params = json!({"thread_id": conversation, "in_reply_to_id": replied, "body": text, "format": "text",
                                "sender_name": "Bob", "author_id": "agent-7", "content_id": content_id,
                                "retry": attempt > 0, "created_at": created, "updated_at": created, "title": null});
            match self
                .call("messages.create", params, Some(format!("message: {text}")))
                .await
            {
                // A 2xx answer with `{"error": {"fatal": …}}` did not take the content: Engage
                // Digital tries it again, unless the error is fatal (the Request-Response page,
                // "errors on a resource"; ringcentral engage-digital-api-docs).
                Ok(answer) if answer.get("error").is_some() => {
                    let fatal = answer.pointer("/error/fatal") == Some(&Value::Bool(true));
                    let refused = SimError::Endpoint(format!("messages.create refused: {}", answer["error"]));
                    if fatal {
                        return Err(refused);
                    }
                    last = Some(refused);
                }
                Ok(answer) => {
                    let id = id_text(answer.get("id")).unwrap_or_else(|| content_id.clone());
                    let mut book = self.book();
                    // The source lists its agent replies too: they are not customer messages.
                    book.seen_ids.insert(format!("messages/{id}"));
                    book.threads.entry(conversation.to_owned()).or_default().push(Content {
                        id,
                        from: "agent",
                        text: text.to_owned(),
                    });
                    return Ok(());
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or(SimError::Endpoint("not sent".into())))
    }

    async fn agent_typing(&self, _: &str) -> Result<bool, SimError> {
        Ok(false)
    }

    async fn resolve(&self, _: &str) -> Result<bool, SimError> {
        Ok(false)
    }

    fn conversations(&self) -> Vec<Value> {
        self.book()
            .threads
            .iter()
            .map(|(id, contents)| {
                json!({"id": id, "messages": contents.iter().map(|c| json!({"id": c.id, "from": c.from, "text": c.text})).collect::<Vec<_>>()})
            })
            .collect()
    }

    async fn poll_endpoint(&self) -> Option<Result<usize, SimError>> {
        self.endpoint_url.as_ref()?;
        Some(self.crawl().await)
    }
}
