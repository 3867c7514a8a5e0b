//! The `sim` stage: deskwire-sim judged by the same upstream fixtures as the crates.
//!
//! An upstream case pairs what a client sends with what the real server answers (or sends,
//! for a webhook). This stage makes a fresh simulator do the same thing over plain HTTP — no
//! provider crate in between — and compares its answer with the fixture:
//!
//! * a response or a webhook: the same **shape** — the same keys at every depth, and the same
//!   JSON type wherever both sides are not `null` (values differ from run to run; a `null` is a
//!   value, not a type: `source_id` is `null` or a string by the row's state). In an array,
//!   every element the simulator gave is compared with the fixture's first;
//! * an error: the same status and the same body, byte for byte (error bodies are constants);
//! * a request the official client sends (Directly's `directly-api`): the simulator accepts it
//!   with the status the client needs.
//!
//! A case the stage cannot replay says why (a route the simulator does not serve, an inbox kind
//! it does not have). Docs and synthesised cases are not judged here: only upstream's own
//! output says what the real desk does.

use deskwire_sim::{Capture, Faults, Provider, Sim};
use serde_json::{json, Value};

use crate::case::{Case, Kind, Provenance};
use crate::stage::Outcome;
use crate::Context;

/// Judges the simulator by `case`.
pub async fn judge(case: &Case, ctx: &Context) -> Outcome {
    if case.provenance != Provenance::Upstream {
        return Outcome::Skip("only upstream cases judge the simulator".into());
    }
    let judged = match case.provider.as_str() {
        "chatlake" => chatlake(case, ctx).await,
        "directly" => directly(case, ctx).await,
        "engage-digital" => engage_digital(case).await,
        _ => Err(Skip::from("the desk publishes no code: no upstream case")),
    };
    match judged {
        Ok(Ok(())) => Outcome::Pass,
        Ok(Err(why)) => Outcome::Fail(why),
        Err(Skip(why)) => Outcome::Skip(why),
    }
}

/// Why a case is not replayed on the simulator.
struct Skip(String);

impl From<&str> for Skip {
    fn from(why: &str) -> Self {
        Self(why.to_owned())
    }
}

/// A replay: `Err(Skip)` when it does not apply, else the verdict.
type Replay = Result<Result<(), String>, Skip>;

/// Where the shape of `actual` differs from `expected`'s, one line each, under `at`.
pub fn shape_diff(at: &str, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Null, _) | (_, Value::Null) => {}
        (Value::Object(e), Value::Object(a)) => {
            for (key, value) in e {
                match a.get(key) {
                    Some(other) => shape_diff(&format!("{at}/{key}"), value, other, out),
                    None => out.push(format!("{at}/{key}: missing")),
                }
            }
            for key in a.keys().filter(|k| !e.contains_key(*k)) {
                out.push(format!("{at}/{key}: not sent by the real desk"));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if let Some(first) = e.first() {
                for (i, item) in a.iter().enumerate() {
                    shape_diff(&format!("{at}/{i}"), first, item, out);
                }
            }
        }
        (e, a) if type_name(e) != type_name(a) => out.push(format!(
            "{at}: {} where the real desk has {}",
            type_name(a),
            type_name(e)
        )),
        _ => {}
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a float",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `Ok` when `actual` has `expected`'s shape, else every difference.
fn same_shape(expected: &Value, actual: &Value) -> Result<(), String> {
    let mut out = Vec::new();
    shape_diff("", expected, actual, &mut out);
    match out.is_empty() {
        true => Ok(()),
        false => Err(format!(
            "the simulator's answer differs from upstream's:\n  {}",
            out.join("\n  ")
        )),
    }
}

fn failed(what: &str, e: impl std::fmt::Display) -> String {
    format!("{what}: {e}")
}

/// The Chatlake desk's Application API, as a plain HTTP client.
struct Chatwoot {
    http: reqwest::Client,
    base: String,
    token: String,
    inbox: u64,
}

impl Chatwoot {
    fn on(sim: &Sim) -> Result<Self, String> {
        let credential = |key: &str| sim.credential(key).ok_or(format!("no credential `{key}`"));
        Ok(Self {
            http: reqwest::Client::new(),
            base: format!("{}/api/v1/accounts/{}", sim.base_url(), credential("account_id")?),
            token: credential("api_access_token")?,
            inbox: credential("inbox_id")?.parse().map_err(|e| failed("inbox_id", e))?,
        })
    }

    /// `method path` with `body`, the token given (or none); the status and the raw answer.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> Result<(u16, reqwest::header::HeaderMap, String), String> {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.header("api_access_token", token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| failed(path, e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        Ok((status, headers, response.text().await.map_err(|e| failed(path, e))?))
    }

    /// A JSON answer to a call with the desk's token that must succeed.
    async fn json(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        let (status, _, text) = self.call(method, path, body, Some(&self.token)).await?;
        if !(200..300).contains(&status) {
            return Err(format!("{path}: {status} {text}"));
        }
        serde_json::from_str(&text).map_err(|e| failed(path, e))
    }

    /// Creates Alice (the fixtures' contact) in the inbox; the contact answer.
    async fn alice(&self) -> Result<Value, String> {
        let alice = json!({"inbox_id": self.inbox, "name": "Alice", "email": "alice@example.com",
                           "phone_number": "+15550001", "identifier": "ext-1"});
        self.json(reqwest::Method::POST, "/contacts", Some(alice)).await
    }

    /// A conversation of Alice's; its id.
    async fn conversation(&self) -> Result<u64, String> {
        let contact = self.alice().await?;
        let source = contact["payload"]["contact_inbox"]["source_id"]
            .as_str()
            .ok_or("the contact answer names no source_id")?
            .to_owned();
        let created = self
            .json(
                reqwest::Method::POST,
                "/conversations",
                Some(json!({"source_id": source, "inbox_id": self.inbox})),
            )
            .await?;
        created["id"].as_u64().ok_or("the conversation has no id".into())
    }
}

async fn chatlake(case: &Case, ctx: &Context) -> Replay {
    // The example as upstream wrote it: samples stand in for values, not for shapes.
    let body = match case.kind {
        Kind::Response | Kind::Webhook => Some(
            crate::repair::repair_and_parse(&case.documented)
                .map(|(value, _)| value)
                .map_err(|_| Skip::from("its example does not parse"))?,
        ),
        _ => None,
    };
    let _ = ctx;
    let get = reqwest::Method::GET;
    let post = reqwest::Method::POST;
    Ok(match (case.kind, case.id.as_str()) {
        (Kind::Response, _) => {
            let expected = body.unwrap_or_default();
            let judged = async {
                let sim = Sim::builder(Provider::Chatlake).start().await.map_err(|e| failed("sim", e))?;
                let desk = Chatwoot::on(&sim)?;
                let answer = match case.operation.as_str() {
                    "contacts.create" => desk.alice().await?,
                    "messages.create" => {
                        let id = desk.conversation().await?;
                        let message = json!({"content": "Hi Alice", "echo_id": "tmp-1"});
                        desk.json(post, &format!("/conversations/{id}/messages"), Some(message))
                            .await?
                    }
                    // Rendered by `show` after the agent's first reply (the fixture's notes).
                    "conversations.create" => {
                        let id = desk.conversation().await?;
                        let hello = json!({"content": "Hello", "message_type": "incoming"});
                        desk.json(post.clone(), &format!("/conversations/{id}/messages"), Some(hello))
                            .await?;
                        let agent = json!({"assignee_id": 1});
                        desk.json(post.clone(), &format!("/conversations/{id}/assignments"), Some(agent))
                            .await?;
                        sim.agent_message(&id.to_string(), "Hi Alice")
                            .await
                            .map_err(|e| failed("agent", e))?;
                        desk.json(get, &format!("/conversations/{id}"), None).await?
                    }
                    other => return Err(format!("no replay of `{other}`")),
                };
                same_shape(&expected, &answer)
            };
            judged.await
        }
        (Kind::Webhook, _) => {
            let expected = body.unwrap_or_default();
            let judged = async {
                let (captured, sim) = Capture::desk(Provider::Chatlake).await.map_err(|e| failed("sim", e))?;
                let desk = Chatwoot::on(&sim)?;
                let id = desk.conversation().await?.to_string();
                match case.operation.as_str() {
                    "message_created" => sim.agent_message(&id, "Hi Alice").await.map_err(|e| failed("agent", e))?,
                    "conversation_updated" => {
                        sim.resolve(&id).await.map_err(|e| failed("resolve", e))?;
                    }
                    other => return Err(format!("no replay of `{other}`")),
                }
                let mut deliveries = captured.where_json("/event", &case.operation, 8).await;
                // The last one: the agent's message (or the resolve), not the set-up's.
                let delivery = deliveries.pop().ok_or(format!("no `{}` delivered", case.operation))?;
                let sent: Value = serde_json::from_slice(&delivery.body).map_err(|e| failed("delivery", e))?;
                same_shape(&expected, &sent)
            };
            judged.await
        }
        (Kind::Error, id) => {
            let spec = case.response.as_ref().ok_or(Skip::from("no [response]"))?;
            let wanted = (spec.status, spec.body.clone().unwrap_or_default());
            let faults = match id {
                "error-rate-limited" => "429-bare=1".parse::<Faults>().map_err(|_| Skip::from("faults"))?,
                "error-param-missing" => return Err(Skip::from("the simulator serves no account webhooks route")),
                "error-status-update-forbidden" => {
                    return Err(Skip::from("the simulator's inboxes are all API inboxes, where the update is allowed"))
                }
                _ => Faults::none(),
            };
            let judged = async {
                let sim = Sim::builder(Provider::Chatlake)
                    .faults(faults)
                    .start()
                    .await
                    .map_err(|e| failed("sim", e))?;
                let desk = Chatwoot::on(&sim)?;
                let (status, headers, text) = match id {
                    "error-invalid-access-token" => desk.call(get, "/conversations/1", None, Some("wrong")).await?,
                    "error-not-signed-in" => desk.call(get, "/conversations/1", None, None).await?,
                    "error-resource-not-found" => {
                        desk.call(get, "/conversations/424242", None, Some(&desk.token)).await?
                    }
                    "error-model-validation" => {
                        desk.alice().await?;
                        let again = json!({"inbox_id": desk.inbox, "name": "Alice B", "email": "alice@example.com"});
                        desk.call(post, "/contacts", Some(again), Some(&desk.token)).await?
                    }
                    "error-rate-limited" => {
                        let answer = desk.call(get, "/conversations", None, Some(&desk.token)).await?;
                        if answer.1.contains_key(reqwest::header::RETRY_AFTER) {
                            return Err("rack-attack's 429 carries no Retry-After".into());
                        }
                        answer
                    }
                    other => return Err(format!("no replay of `{other}`")),
                };
                let _ = headers;
                match status == wanted.0 && text == wanted.1 {
                    true => Ok(()),
                    false => Err(format!(
                        "the simulator answered {status} {text:?}, the real desk {} {:?}",
                        wanted.0, wanted.1
                    )),
                }
            };
            judged.await
        }
        (Kind::Signature, _) => {
            return Err(Skip::from(
                "a signature vector judges verifiers; every delivery of the simulator is checked by the crates' verifiers, which these vectors judge",
            ))
        }
        _ => return Err(Skip::from("not a request/response pair")),
    })
}

/// The upstream ids `directly-api`'s vectors were made with, and what each stands for.
const DIRECTLY_IDS: [(&str, &str); 5] = [
    ("5b0e4c1a-7d2f-4e8a-9c41-2f6d8e0b1a37", "question"),
    ("8f1d2e3c-4b5a-4c69-a7d8-e9f0a1b2c3d4", "customer message"),
    ("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "resolve prompt"),
    ("c2a9f3e4-1b6d-4f70-8e25-9d3a4b5c6e71", "response"),
    ("6e7f8a9b-0c1d-4e2f-8a3b-4c5d6e7f8a9b", "automatic answer"),
];

/// The status `directly-api` 1.1.2 checks before it resolves a call: 201 for a new question,
/// 200 for a reroute, a read and a resolve verdict (`src/services/QuestionService.ts`,
/// `UpdateRouterService.ts`); any 2xx for the rest. (The vectors' own statuses are what the
/// generator's stand-in server answered, not upstream's.)
fn exact_status(vector: &str) -> Option<u16> {
    let call = vector.rsplit('.').next().unwrap_or(vector);
    match call {
        "createQuestion" | "askQuestion" => Some(201),
        "getQuestion" | "rerouteQuestion" | "routeToCompany" | "markQuestionAsResolved" | "markAsResolved" => Some(200),
        _ => None,
    }
}

async fn directly(case: &Case, ctx: &Context) -> Replay {
    if case.kind != Kind::Request {
        return Err(Skip::from("not a request of the official client"));
    }
    let vectors = ctx.vectors(case).map_err(|_| Skip::from("its vectors are missing"))?;
    async {
        let sim = Sim::builder(Provider::Directly)
            .start()
            .await
            .map_err(|e| failed("sim", e))?;
        let http = reqwest::Client::new();
        let credential = |key: &str| sim.credential(key).ok_or(format!("no credential `{key}`"));
        let token: Value = http
            .post(format!("{}/oauth/token", sim.base_url()))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &credential("client_id")?),
                ("client_secret", &credential("client_secret")?),
            ])
            .send()
            .await
            .map_err(|e| failed("token", e))?
            .json()
            .await
            .map_err(|e| failed("token", e))?;
        let bearer = format!("Bearer {}", token["access_token"].as_str().ok_or("no access_token")?);
        let send = |method: &str, path: &str, query: &str, body: Option<&Value>| {
            let url = match query.is_empty() {
                true => format!("{}{path}", sim.base_url()),
                false => format!("{}{path}?{query}", sim.base_url()),
            };
            let mut request = http
                .request(method.parse().unwrap_or(reqwest::Method::GET), url)
                .header("authorization", &bearer)
                .header("user-agent", "directly-api/1.1.2");
            if let Some(body) = body {
                request = request.json(body);
            }
            request.send()
        };
        // The objects the vectors' ids stand for, made on the simulator: the official client's
        // own question (so its externalIds match the search), an expert's answer, a message of
        // the poster's on it, the expert's resolve prompt, an automatic answer.
        let json_of = |answer: Result<reqwest::Response, reqwest::Error>| async move {
            answer
                .map_err(|e| failed("set-up", e))?
                .json::<Value>()
                .await
                .map_err(|e| failed("set-up", e))
        };
        let all = ctx.vector_file("directly/directly-api-1.1.2.json")?;
        let asking = all["requests"]
            .as_array()
            .and_then(|r| r.iter().find(|v| v["name"] == "MessagingApi.createQuestion"))
            .map(|v| v["request"]["body"].clone())
            .ok_or("no createQuestion vector")?;
        let asked = json_of(send("POST", "/v1/questions", "", Some(&asking)).await).await?;
        let question = asked["data"]["uuid"]
            .as_str()
            .ok_or(format!("no question uuid: {asked}"))?
            .to_owned();
        sim.agent_message(&question, "Restart it.")
            .await
            .map_err(|e| failed("agent", e))?;
        let shown = json_of(send("GET", &format!("/v1/questions/{question}"), "", None).await).await?;
        let uuid = |v: &Value| v["uuid"].as_str().unwrap_or_default().to_owned();
        let response = uuid(&shown["data"]["conversation"]["responses"][0]);
        let said = json!({"responseUuid": response, "userEmail": asking["userEmail"], "text": "Done."});
        let said = uuid(&json_of(send("POST", "/v1/messages", "", Some(&said)).await).await?["data"]);
        sim.resolve(&question).await.map_err(|e| failed("resolve", e))?;
        let shown = json_of(send("GET", &format!("/v1/questions/{question}"), "", None).await).await?;
        let prompt = shown["data"]["conversation"]["responses"][0]["messages"]
            .as_array()
            .and_then(|m| m.iter().rev().find(|m| m["type"] == "MARK_AS_RESOLVED_MESSAGE"))
            .map(uuid)
            .unwrap_or_default();
        let automatic = json!({"text": "How long does a refund take?"});
        let automatic = json_of(send("POST", "/v1/automaticAnswers", "", Some(&automatic)).await).await?;
        let automatic = uuid(&automatic["data"]["content"]);
        let ours = |stands_for: &str| match stands_for {
            "customer message" => said.clone(),
            "resolve prompt" => prompt.clone(),
            "response" => response.clone(),
            "automatic answer" => automatic.clone(),
            _ => question.clone(),
        };
        let mut failures = Vec::new();
        let mut not_served = Vec::new();
        for (name, vector) in vectors {
            let request = &vector["request"];
            let mut path = request["path"].as_str().unwrap_or_default().to_owned();
            let mut query = request["raw_query"].as_str().unwrap_or_default().to_owned();
            let mut body = request.get("body").filter(|b| !b.is_null()).map(Value::to_string);
            for (upstream, stands_for) in DIRECTLY_IDS {
                path = path.replace(upstream, &ours(stands_for));
                query = query.replace(upstream, &ours(stands_for));
                body = body.map(|b| b.replace(upstream, &ours(stands_for)));
            }
            let body: Option<Value> = body.and_then(|b| serde_json::from_str(&b).ok());
            let body = body.as_ref();
            let method = request["method"].as_str().unwrap_or("GET");
            let answer = send(method, &path, &query, body).await.map_err(|e| failed(&name, e))?;
            let wanted = exact_status(&name).unwrap_or(200);
            let status = answer.status().as_u16();
            // 404 or 405 with an empty body: axum found no route, the simulator does not serve it.
            if matches!(status, 404 | 405) && answer.content_length() == Some(0) {
                not_served.push(format!("{method} {}", request["path"].as_str().unwrap_or_default()));
                continue;
            }
            let accepted = match exact_status(&name) {
                Some(exact) => status == exact,
                None => (200..300).contains(&status),
            };
            if !accepted {
                failures.push(format!(
                    "{name}: {method} {path} answered {status} ({}), the client needs {}",
                    answer.text().await.unwrap_or_default(),
                    match exact_status(&name) {
                        Some(_) => wanted.to_string(),
                        None => "a 2xx".to_owned(),
                    }
                ));
            }
        }
        Ok(match (failures.is_empty(), not_served.is_empty()) {
            (false, _) => Ok(Err(failures.join("\n"))),
            (true, true) => Ok(Ok(())),
            (true, false) => Err(Skip(format!(
                "the simulator does not serve {} (every route it serves passed)",
                not_served.join(", ")
            ))),
        })
    }
    .await
    .unwrap_or_else(|e: String| Ok(Err(e)))
}

/// Fields the Action Details page lists for what Engage Digital sends beyond one example's
/// (ringcentral engage-digital-api-docs, `docs/sdks/source-sdk/action-details.md`, with
/// `content_id` and `retry` since 6e9ad73): a request may carry them where the example does not.
fn documented_beyond_the_example(action: &str) -> &'static [&'static str] {
    match action {
        "messages.create" => &["attachments", "content_id", "retry", "structured_content"],
        _ => &[],
    }
}

/// What a capturing endpoint answers each action, signed with the source's access token.
fn endpoint_answer(action: &str, body: &Value) -> Value {
    match action {
        "implementation.info" => json!({"objects": {"messages": ["create", "list"], "threads": ["list"]},
                                        "options": ["messages.text"]}),
        // One message, then nothing after it: the crawl asks again with `since_id`.
        "messages.list" if body.pointer("/params/since_id").is_none() => {
            json!([{"id": "m1", "thread_id": "t1", "body": "Hello", "author": {"id": "u1", "name": "Ana"},
                    "created_at": "2026-01-01T00:00:00Z"}])
        }
        "messages.create" => json!({"id": "r1"}),
        _ => json!([]),
    }
}

/// Replays an Engage Digital case: the request the simulated desk sends the endpoint for the
/// case's action, compared with upstream's example (its keys present with their types; other
/// keys only where the Action Details page lists them).
async fn engage_digital(case: &Case) -> Replay {
    let role_request = case
        .poll
        .as_ref()
        .is_some_and(|p| p.role == crate::case::PollRole::Request);
    if case.kind != Kind::Poll || !role_request {
        return Err(Skip::from(
            "a signing vector or an answer of yours: it judges the crates; the simulator signs and checks every call with the same recipe",
        ));
    }
    if !matches!(
        case.operation.as_str(),
        "implementation.info" | "messages.list" | "messages.create"
    ) {
        return Err(Skip(format!(
            "the simulated desk never sends `{}` (it crawls and replies; it has no moderation, threads or private messages of its own)",
            case.operation
        )));
    }
    let request_file = case
        .poll
        .as_ref()
        .and_then(|p| p.request_file.clone())
        .ok_or(Skip::from("no request file"))?;
    let expected: Value = std::fs::read(case.dir.join(request_file))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(Skip::from("the request file does not parse"))?;
    Ok(async {
        let seen: std::sync::Arc<std::sync::Mutex<Vec<Value>>> = std::sync::Arc::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| failed("bind", e))?;
        let url = format!("http://{}/", listener.local_addr().map_err(|e| failed("bind", e))?);
        // The sim's token is known once it started; the endpoint learns it through this slot.
        let key: std::sync::Arc<std::sync::OnceLock<deskwire_core::mac::HmacSha512>> = std::sync::Arc::default();
        let router = {
            let (seen, key) = (std::sync::Arc::clone(&seen), std::sync::Arc::clone(&key));
            axum::Router::new().route(
                "/",
                axum::routing::post(move |body: axum::body::Bytes| {
                    let (seen, key) = (std::sync::Arc::clone(&seen), std::sync::Arc::clone(&key));
                    async move {
                        let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                        let action = request["action"].as_str().unwrap_or_default().to_owned();
                        let answer = endpoint_answer(&action, &request).to_string();
                        seen.lock().unwrap_or_else(|p| p.into_inner()).push(request);
                        let signature = key.get().map(|k| k.sign_hex(answer.as_bytes())).unwrap_or_default();
                        (
                            [
                                ("content-type", "application/json".to_owned()),
                                ("x-smccsdk-signature", signature),
                            ],
                            answer,
                        )
                    }
                }),
            )
        };
        tokio::spawn(async move { axum::serve(listener, router).await });
        let sim = Sim::builder(Provider::EngageDigital)
            .endpoint_url(url)
            .start()
            .await
            .map_err(|e| failed("sim", e))?;
        let token = sim.credential("access_token").ok_or("no access_token")?;
        let _ = key.set(deskwire_core::mac::HmacSha512::new(&deskwire_core::Secret::new(token)));
        match sim.poll_endpoint().await {
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(failed("crawl", e)),
            None => return Err("the desk does not poll".into()),
        }
        sim.agent_message("t1", "Yes I can.")
            .await
            .map_err(|e| failed("agent reply", e))?;
        let seen = seen.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let wanted_since = expected.pointer("/params/since_id").is_some();
        let sent = seen
            .iter()
            .find(|r| {
                r["action"] == case.operation.as_str()
                    && (case.operation != "messages.list" || r.pointer("/params/since_id").is_some() == wanted_since)
            })
            .ok_or(format!("the desk never sent `{}`: {seen:?}", case.operation))?;
        let mut out = Vec::new();
        shape_diff("", &expected, sent, &mut out);
        let extra = documented_beyond_the_example(&case.operation);
        out.retain(|d| {
            !extra
                .iter()
                .any(|k| d == &format!("/params/{k}: not sent by the real desk"))
        });
        // Every request carries `time`, "when Engage Digital built it" (the Request-Response
        // page, `docs/sdks/source-sdk/request-response.md` L42-58); some examples leave it out.
        out.retain(|d| d != "/time: not sent by the real desk");
        match out.is_empty() {
            true => Ok(()),
            false => Err(format!(
                "the simulator's request differs from upstream's:\n  {}",
                out.join("\n  ")
            )),
        }
    }
    .await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_compare_keys_and_types_but_not_nulls_or_values() {
        let upstream = json!({"id": 1, "a": {"b": "x"}, "list": [{"k": 1}], "maybe": null, "f": 1.5});
        let same = json!({"id": 9, "a": {"b": "y"}, "list": [{"k": 2}, {"k": 3}], "maybe": "now", "f": 2.5});
        assert_eq!(same_shape(&upstream, &same), Ok(()));
        let mut out = Vec::new();
        let other = json!({"id": "9", "a": {}, "list": [{"k": 1, "extra": true}], "maybe": null, "f": 2, "new": 1});
        shape_diff("", &upstream, &other, &mut out);
        assert_eq!(
            out,
            [
                "/a/b: missing",
                "/f: an integer where the real desk has a float",
                "/id: a string where the real desk has an integer",
                "/list/0/extra: not sent by the real desk",
                "/new: not sent by the real desk",
            ]
        );
    }
}
