//! Directly cases: the guide's sample flow and its polling step, the response-format envelope
//! and the conversation data model (both repaired), one case per documented error status, the
//! system-message list, and the requests Directly's own client (directly-api 1.1.2) sends,
//! rebuilt with this crate's request functions.
//!
//! Every call goes to a wiremock server; expectations are checked from the requests it
//! received (never by wiremock's panicking `expect`), so a failure is a failed stage.

use deskwire_core::retry::RetryPolicy;
use deskwire_core::Secret;
use deskwire_directly::inbound::{Author, QuestionCursor, QuestionEvent};
use deskwire_directly::wire::{ExternalId, MessageType, NewQuestion, Question, Timestamp, Uuid};
use deskwire_directly::{correlation_id, Credentials, DirectlyClient, Error, ErrorDetail, Polled, UserEmail};
use serde_json::{json, Value};
use wiremock::matchers::{any, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::case::{Case, Kind};
use crate::properties::decoder_survives;
use crate::snapshot;
use crate::stage::{CaseReport, Stage, Stages};
use crate::Context;

const CLIENT_ID: &str = "conformance-client";
const CLIENT_SECRET: &str = "conformance-client-secret";
const QUESTION: &str = "123e4567-e89b-12d3-a456-426655440000";
const RESPONSE: &str = "9f1c2d3e-4b5a-4c6d-8e7f-000000000001";
const T0: &str = "2017-05-18T16:50:38Z";
const T1: &str = "2017-05-18T17:02:10Z";

/// Runs one Directly case.
pub async fn run(case: &Case, ctx: &Context) -> CaseReport {
    let mut stages = Stages::new();
    match (case.kind, case.operation.as_str()) {
        (Kind::Request, "messaging-api") => upstream_requests(case, ctx, &mut stages).await,
        (Kind::Flow, _) => flow(case, ctx, &mut stages).await,
        (Kind::Poll, _) => poll(case, ctx, &mut stages).await,
        (Kind::Response, "envelope") => envelope(case, ctx, &mut stages).await,
        (Kind::Response, _) => data_model(case, ctx, &mut stages).await,
        (Kind::Error, _) => error(case, ctx, &mut stages).await,
        (Kind::Vocabulary, _) => vocabulary(case, ctx, &mut stages).await,
        (other, _) => stages.run(Stage::Parse, || {
            Err(format!("kind `{}` has no Directly runner", other.name()))
        }),
    }
    stages.finish(case)
}

fn credentials_client(server: &MockServer) -> Result<DirectlyClient, String> {
    DirectlyClient::builder(Credentials::client_credentials(CLIENT_ID, Secret::new(CLIENT_SECRET)))
        .base_url(server.uri())
        .retry_policy(RetryPolicy::never())
        .build()
        .map_err(|e| e.to_string())
}

/// A client with a ready-made token (no token endpoint needed).
fn token_client(server: &MockServer) -> Result<DirectlyClient, String> {
    DirectlyClient::builder(Credentials::access_token(Secret::new("token")))
        .base_url(server.uri())
        .retry_policy(RetryPolicy::never())
        .build()
        .map_err(|e| e.to_string())
}

fn user() -> UserEmail {
    UserEmail::new("ana@example.com").expect("a valid address")
}

fn uuid(text: &str) -> Result<Uuid, String> {
    Uuid::parse(text).map_err(|e| e.to_string())
}

async fn mount_token(server: &MockServer, token: &str) {
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": token, "expires_in": 3600})))
        .up_to_n_times(1)
        .mount(server)
        .await;
}

/// Method, path, query and the token used.
fn request_line(r: &Request) -> String {
    let query = r.url.query().map(|q| format!("?{q}")).unwrap_or_default();
    let auth = r
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    format!("{} {}{query} [{auth}]", r.method, r.url.path())
}

/// One line per request with its body; the client secret is masked.
fn transcript(requests: &[Request]) -> String {
    requests
        .iter()
        .map(|r| {
            format!("{} {}", request_line(r), String::from_utf8_lossy(&r.body))
                .replace(CLIENT_SECRET, "<client secret>")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The question the flow's server returns: without responses at `T0`, with one at `T1`.
fn question(answered: bool) -> Value {
    let mut responses = Vec::new();
    if answered {
        responses.push(json!({
            "uuid": RESPONSE, "type": "EXPERT", "dateCreated": T1, "lastUpdated": T1, "isAccepted": false,
            "author": {"name": "Expert name", "isExpert": true},
            "messages": [{"id": 2, "uuid": "aaaaaaaa-0000-4000-8000-000000000002", "type": "MESSAGE",
                          "author": {"name": "Expert name", "isExpert": true},
                          "body": "This is the text of an expert message", "dateCreated": T1}]
        }));
    }
    json!({
        "meta": {"correlationId": "flow"},
        "data": {
            "uuid": QUESTION, "dateCreated": T0, "lastUpdated": if answered { T1 } else { T0 },
            "conversation": {
                "text": "This is the actual text of the user's question",
                "author": {"name": "Original user", "isOriginalPoster": true},
                "messages": if answered { json!([]) } else { json!([{"id": 1, "uuid": "aaaaaaaa-0000-4000-8000-000000000001",
                    "type": "NOTIFYING_EXPERTS_SYSTEM_MESSAGE", "author": {"name": "System"}, "body": "Text of the message"}]) },
                "responses": responses, "unreadMessageCount": 0
            },
            "state": {"status": "UNRESOLVED", "isAnswered": answered, "isClosed": false, "rerouteStatus": {"isRerouted": false}}
        }
    })
}

async fn flow(case: &Case, ctx: &Context, stages: &mut Stages) {
    stages.run(Stage::Parse, || {
        ctx.check_provenance(case)?;
        for step in [
            "access token",
            "POST /questions",
            "GET /questions/{uuid}",
            "lastChecked",
            "304",
            "POST /responses/{uuid}/accept",
            "oauth/logout",
        ] {
            if !case.documented.contains(step) {
                return Err(format!("the documented flow does not name `{step}`"));
            }
        }
        Ok(())
    });
    stages.skip(
        Stage::Roundtrip,
        "a flow has no single body: each step's answer is decoded in the wire stage",
    );
    let mut shown = String::new();
    stages
        .run_async(Stage::Wire, || async {
            let server = MockServer::start().await;
            mount_token(&server, "token-1").await;
            mount_token(&server, "token-2").await;
            let route = format!("/v1/questions/{QUESTION}");
            Mock::given(method("POST"))
                .and(path("/v1/questions"))
                .and(header("authorization", "Bearer token-1"))
                .respond_with(ResponseTemplate::new(201).set_body_json(question(false)))
                .mount(&server)
                .await;
            // The first poll finds token-1 revoked; after one renewal: 304, then the answer.
            Mock::given(method("GET"))
                .and(path(route.as_str()))
                .and(header("authorization", "Bearer token-1"))
                .respond_with(ResponseTemplate::new(401).set_body_json(json!({"meta": {}, "error": {"message": "expired"}})))
                .mount(&server)
                .await;
            Mock::given(method("GET"))
                .and(path(route.as_str()))
                .and(query_param("lastChecked", T0))
                .respond_with(ResponseTemplate::new(304))
                .up_to_n_times(1)
                .mount(&server)
                .await;
            Mock::given(method("GET"))
                .and(path(route.as_str()))
                .and(query_param("lastChecked", T0))
                .respond_with(ResponseTemplate::new(200).set_body_json(question(true)))
                .mount(&server)
                .await;
            Mock::given(method("POST"))
                .and(path(format!("/v1/responses/{RESPONSE}/accept")))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({"meta": {}, "data": {"uuid": RESPONSE, "isAccepted": true}})))
                .mount(&server)
                .await;
            Mock::given(method("POST"))
                .and(path("/oauth/logout"))
                .respond_with(ResponseTemplate::new(200))
                .mount(&server)
                .await;

            let client = credentials_client(&server)?;
            let user = user();
            let e = |e: Error| e.to_string();
            let asked = client
                .create_question(
                    &NewQuestion::new(&user, "Original user", "This is the actual text of the user's question")
                        .external_id(ExternalId::new("ticket-17", "conformance")),
                )
                .await
                .map_err(e)?;
            let last_checked = asked.latest_update().cloned().ok_or("the new question has no lastUpdated")?;
            let first = client
                .get_question_if_changed(&asked.uuid, Some(&last_checked))
                .await
                .map_err(e)?;
            if first != Polled::NotModified {
                return Err(format!("the first poll should be 304, got {first:?}"));
            }
            let Polled::Changed(answered) = client
                .get_question_if_changed(&asked.uuid, Some(&last_checked))
                .await
                .map_err(e)?
            else {
                return Err("the second poll should bring the question".into());
            };
            let response = answered.latest_response().ok_or("no response")?;
            let accepted = client.accept_response(&response.uuid, &user).await.map_err(e)?;
            let revoked = client.logout().await.map_err(e)?;

            let requests = server.received_requests().await.unwrap_or_default();
            let lines = transcript(&requests);
            let expected = [
                "POST /oauth/token [-]",
                "POST /v1/questions [Bearer token-1]",
                "GET /v1/questions/{Q}?lastChecked=2017-05-18T16%3A50%3A38Z [Bearer token-1]",
                "POST /oauth/token [-]",
                "GET /v1/questions/{Q}?lastChecked=2017-05-18T16%3A50%3A38Z [Bearer token-2]",
                "GET /v1/questions/{Q}?lastChecked=2017-05-18T16%3A50%3A38Z [Bearer token-2]",
                "POST /v1/responses/{R}/accept [Bearer token-2]",
                "POST /oauth/logout [Bearer token-2]",
            ];
            let got: Vec<String> = requests
                .iter()
                .map(|r| request_line(r).replace(QUESTION, "{Q}").replace(RESPONSE, "{R}"))
                .collect();
            if got != expected {
                return Err(format!("the requests were not the flow's:\n{}", got.join("\n")));
            }
            if !accepted.accepted() || !revoked {
                return Err(format!("accepted {accepted:?}, revoked {revoked}"));
            }
            shown = format!(
                "requests:\n{lines}\n\nasked: {} ({} responses)\nfirst poll: {first:?}\nsecond poll: {} response(s), latest {}\naccepted: {:?}\nlogged out: {revoked}\n",
                asked.uuid,
                asked.responses().len(),
                answered.responses().len(),
                response.uuid,
                accepted.is_accepted
            );
            Ok(())
        })
        .await;
    stages.run(Stage::Snapshot, || snapshot::check(&case.dir, "result", &shown));
    stages.run(Stage::Properties, || {
        let body = serde_json::to_vec(&question(true)["data"]).map_err(|e| e.to_string())?;
        decoder_survives(&body, |b| serde_json::from_slice::<Question>(b).is_ok())
    });
}

async fn poll(case: &Case, ctx: &Context, stages: &mut Stages) {
    stages.run(Stage::Parse, || {
        ctx.check_provenance(case)?;
        for word in ["GET /questions/{uuid}", "lastChecked", "304"] {
            if !case.documented.contains(word) {
                return Err(format!("the documented step does not name `{word}`"));
            }
        }
        Ok(())
    });
    stages.skip(Stage::Roundtrip, "a 304 has no body");
    let mut shown = String::new();
    stages
        .run_async(Stage::Wire, || async {
            let server = MockServer::start().await;
            let route = format!("/v1/questions/{QUESTION}");
            Mock::given(method("GET"))
                .and(path(route.as_str()))
                .and(query_param("lastChecked", T0))
                .respond_with(ResponseTemplate::new(304).insert_header("date", "Thu, 18 May 2017 16:55:00 GMT"))
                .up_to_n_times(1)
                .mount(&server)
                .await;
            Mock::given(method("GET"))
                .and(path(route.as_str()))
                .respond_with(ResponseTemplate::new(200).set_body_json(question(true)))
                .mount(&server)
                .await;
            let client = token_client(&server)?;
            let since = Timestamp::parse(T0).ok_or("T0")?;
            let id = uuid(QUESTION)?;
            let first = client
                .poll_question(&id, Some(&since))
                .await
                .map_err(|e| e.to_string())?;
            let second = client
                .poll_question(&id, Some(&since))
                .await
                .map_err(|e| e.to_string())?;
            let requests = server.received_requests().await.unwrap_or_default();
            let sent_last_checked = requests
                .iter()
                .all(|r| r.url.query_pairs().any(|(k, v)| k == "lastChecked" && v == T0));
            if first.polled != Polled::NotModified || !sent_last_checked {
                return Err(format!("expected a 304 to a lastChecked query, got {first:?}"));
            }
            let Polled::Changed(q) = &second.polled else {
                return Err("the second poll should bring the question".into());
            };
            shown = format!(
                "first: {:?} (server time {:?})\nsecond: changed, {} response(s), next lastChecked {:?}\n",
                first.polled,
                first.server_time.as_ref().map(Timestamp::as_str),
                q.responses().len(),
                q.latest_update().map(Timestamp::as_str)
            );
            Ok(())
        })
        .await;
    stages.run(Stage::Snapshot, || snapshot::check(&case.dir, "result", &shown));
    stages.run(Stage::Properties, || {
        let body = serde_json::to_vec(&question(false)).map_err(|e| e.to_string())?;
        decoder_survives(&body, |b| {
            serde_json::from_slice::<Value>(b).map(|v| serde_json::from_value::<Question>(v["data"].clone()).is_ok())
        })
    });
}

async fn envelope(case: &Case, ctx: &Context, stages: &mut Stages) {
    let mut documented = Value::Null;
    stages.run(Stage::Parse, || {
        documented = ctx.parse_example(case)?;
        Ok(())
    });
    let body = documented.to_string();
    stages.run(Stage::Roundtrip, || {
        case.response.as_ref().ok_or("no [response]")?;
        let read = ErrorDetail::parse(&body);
        if read.error.as_ref() != documented.get("error") {
            return Err(format!("the raw `error` was not kept: {read:?}"));
        }
        if read.message.as_deref() != documented.pointer("/error/message").and_then(Value::as_str) {
            return Err(format!("`error.message` was not read: {read:?}"));
        }
        Ok(())
    });
    let mut shown = String::new();
    stages
        .run_async(Stage::Wire, || async {
            let spec = case.response.as_ref().ok_or("no [response]")?;
            let server = MockServer::start().await;
            Mock::given(any())
                .respond_with(ResponseTemplate::new(spec.status).set_body_string(body.clone()))
                .mount(&server)
                .await;
            let client = token_client(&server)?;
            let e = client.get_question(&uuid(QUESTION)?).await.err().ok_or("no error")?;
            check_variant(&e, spec.rejection.as_deref().ok_or("no rejection")?)?;
            let api = e.api_error().ok_or("no API error")?;
            if api.body != body || api.detail.message.as_deref() != Some("error message") {
                return Err(format!("the body was not read as the envelope: {api:?}"));
            }
            shown = format!("error: {e}\ndelivery: {:?}\ntyped: {e:#?}\n", e.delivery());
            Ok(())
        })
        .await;
    stages.run(Stage::Snapshot, || snapshot::check(&case.dir, "result", &shown));
    stages.run(Stage::Properties, || {
        decoder_survives(body.as_bytes(), |b| ErrorDetail::parse(&String::from_utf8_lossy(b)))
    });
}

fn check_variant(e: &Error, expected: &str) -> Result<(), String> {
    let variant = format!("{e:?}");
    if variant.starts_with(&format!("{expected}(")) {
        Ok(())
    } else {
        Err(format!("expected `{expected}`, got {variant}"))
    }
}

async fn data_model(case: &Case, ctx: &Context, stages: &mut Stages) {
    let mut documented = Value::Null;
    stages.run(Stage::Parse, || {
        documented = ctx.parse_example(case)?;
        Ok(())
    });
    let mut typed = String::new();
    let mut question_id = None;
    stages.run(Stage::Roundtrip, || {
        let q: Question = serde_json::from_value(documented.clone()).map_err(|e| e.to_string())?;
        let encoded = serde_json::to_value(&q).map_err(|e| e.to_string())?;
        if encoded != documented {
            return Err(format!(
                "re-encoding lost or changed a field:\n documented {documented}\n encoded    {encoded}"
            ));
        }
        typed = format!("{q:#?}");
        question_id = Some(q.uuid.clone());
        Ok(())
    });
    stages
        .run_async(Stage::Wire, || async {
            let id = question_id.clone().ok_or("no question")?;
            let server = MockServer::start().await;
            Mock::given(method("GET"))
                .and(path(format!("/v1/questions/{id}")))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({"meta": {}, "data": documented})))
                .mount(&server)
                .await;
            let client = token_client(&server)?;
            let q = client.get_question(&id).await.map_err(|e| e.to_string())?;
            let through_client = format!("{q:#?}");
            if through_client != typed {
                return Err(format!(
                    "the client read the answer differently:\n{through_client}\nvs\n{typed}"
                ));
            }
            // What a watcher makes of it: every message once, in order.
            let events = QuestionCursor::new(q.uuid.clone()).observe(&q, None);
            typed.push_str("\nwatcher events:\n");
            for event in &events {
                typed.push_str(&describe(event));
                typed.push('\n');
            }
            Ok(())
        })
        .await;
    stages.run(Stage::Snapshot, || snapshot::check(&case.dir, "result", &typed));
    stages.run(Stage::Properties, || {
        let bytes = serde_json::to_vec(&documented).map_err(|e| e.to_string())?;
        decoder_survives(&bytes, |b| {
            if let Ok(q) = serde_json::from_slice::<Question>(b) {
                let again: Question =
                    serde_json::from_slice(&serde_json::to_vec(&q).expect("encodes")).expect("re-reads");
                assert_eq!(again, q);
            }
        })
    });
}

fn describe(event: &QuestionEvent) -> String {
    match event {
        QuestionEvent::ResponseAdded { response, .. } => format!("response added {}", response.uuid),
        QuestionEvent::MessageAdded {
            response,
            author,
            message,
            ..
        } => format!(
            "message added on {} by {author:?}: {:?}",
            response.as_ref().map_or("the question", Uuid::as_str),
            message.body.as_deref().unwrap_or_default()
        ),
        other => format!("{other:?}"),
    }
}

async fn error(case: &Case, ctx: &Context, stages: &mut Stages) {
    stages.run(Stage::Parse, || ctx.check_provenance(case));
    stages.skip(Stage::Roundtrip, "an error answer has no typed model to re-encode");
    let mut shown = String::new();
    stages
        .run_async(Stage::Wire, || async {
            let spec = case.response.as_ref().ok_or("no [response]")?;
            let body = spec.body.clone().ok_or("no [response] body")?;
            let message: Value = serde_json::from_str(&body).map_err(|e| e.to_string())?;
            let row_text = message
                .pointer("/error/message")
                .and_then(Value::as_str)
                .ok_or("no error.message")?;
            if !case.documented.trim_end().ends_with(row_text) {
                return Err("the answer's message is not the documented row".into());
            }
            let server = MockServer::start().await;
            mount_token(&server, "token-1").await;
            mount_token(&server, "token-2").await;
            Mock::given(method("GET"))
                .and(path(format!("/v1/questions/{QUESTION}")))
                .respond_with(ResponseTemplate::new(spec.status).set_body_string(body.clone()))
                .mount(&server)
                .await;
            let e = credentials_client(&server)?
                .get_question(&uuid(QUESTION)?)
                .await
                .err()
                .ok_or("no error")?;
            check_variant(&e, spec.rejection.as_deref().ok_or("no rejection")?)?;
            let api = e.api_error().ok_or("no API error")?;
            let expected_id = format!("corr-{}", spec.status);
            if api.body != body
                || api.detail.message.as_deref() != Some(row_text)
                || correlation_id(&e) != Some(expected_id.as_str())
            {
                return Err(format!("status, message, raw body or correlation id not kept: {api:?}"));
            }
            let requests = server.received_requests().await.unwrap_or_default();
            let tokens = requests.iter().filter(|r| r.url.path() == "/oauth/token").count();
            let calls = requests.len() - tokens;
            let expected = if spec.status == 401 { (2, 2) } else { (1, 1) };
            if (tokens, calls) != expected {
                return Err(format!(
                    "{tokens} token request(s) and {calls} call(s), expected {expected:?}"
                ));
            }
            shown = format!(
                "error: {e}\ndelivery: {:?}\ntoken requests: {tokens}, calls: {calls}\ntyped: {e:#?}\n",
                e.delivery()
            );
            Ok(())
        })
        .await;
    stages.run(Stage::Snapshot, || snapshot::check(&case.dir, "result", &shown));
    stages.run(Stage::Properties, || {
        let body = case.response.as_ref().and_then(|r| r.body.clone()).unwrap_or_default();
        decoder_survives(body.as_bytes(), |b| ErrorDetail::parse(&String::from_utf8_lossy(b)))
    });
}

/// The names of the documented list: each bullet's text up to its colon.
fn bullet_names(documented: &str) -> Vec<String> {
    documented
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("• "))
        .filter_map(|l| l.split_once(':').map(|(name, _)| name.trim().to_owned()))
        .collect()
}

async fn vocabulary(case: &Case, ctx: &Context, stages: &mut Stages) {
    let mut names = Vec::new();
    stages.run(Stage::Parse, || {
        ctx.check_provenance(case)?;
        names = bullet_names(&case.documented);
        if names.len() != 13 {
            return Err(format!(
                "{} names in the list, the guide has 13: {names:?}",
                names.len()
            ));
        }
        Ok(())
    });
    let mut shown = String::new();
    stages.run(Stage::Roundtrip, || {
        for name in &names {
            let kind: MessageType = serde_json::from_value(json!(name)).map_err(|e| e.to_string())?;
            if !kind.is_known()
                || !kind.is_system()
                || serde_json::to_value(&kind).map_err(|e| e.to_string())? != json!(name)
            {
                return Err(format!("`{name}` is not a known system message type: {kind:?}"));
            }
            shown.push_str(&format!("{name} -> {kind:?}\n"));
        }
        Ok(())
    });
    stages
        .run_async(Stage::Wire, || async {
            // A question carrying one message of each type, polled and diffed.
            let messages: Vec<Value> = names
                .iter()
                .enumerate()
                .map(|(i, name)| json!({"id": i + 1, "uuid": format!("aaaaaaaa-0000-4000-8000-{:012}", i + 1), "type": name, "author": {"name": "System"}, "body": name}))
                .collect();
            let server = MockServer::start().await;
            Mock::given(method("GET"))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({"meta": {}, "data": {
                    "uuid": QUESTION, "conversation": {"messages": messages}}})))
                .mount(&server)
                .await;
            let client = token_client(&server)?;
            let q = client.get_question(&uuid(QUESTION)?).await.map_err(|e| e.to_string())?;
            let events = QuestionCursor::new(q.uuid.clone()).observe(&q, None);
            let system = events
                .iter()
                .filter(|e| matches!(e, QuestionEvent::MessageAdded { author: Author::System, .. }))
                .count();
            if system != names.len() {
                return Err(format!("{system} of {} messages reported as system messages", names.len()));
            }
            shown.push_str(&format!("\nwatcher: {system} system messages reported\n"));
            Ok(())
        })
        .await;
    stages.run(Stage::Snapshot, || snapshot::check(&case.dir, "result", &shown));
    stages.run(Stage::Properties, || {
        let text = names.join("\n");
        decoder_survives(text.as_bytes(), |b| {
            let name = String::from_utf8_lossy(b).into_owned();
            let kind = MessageType::from(name.as_str());
            assert_eq!(kind.as_str(), name, "an unknown type is kept");
        })
    });
}

/// One request Directly's own client sent, as recorded.
struct Recorded {
    name: String,
    args: Value,
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Value,
    body: Value,
}

fn recorded(case: &Case, ctx: &Context) -> Result<Vec<Recorded>, String> {
    ctx.vectors(case)?
        .into_iter()
        .map(|(name, v)| {
            let request = &v["request"];
            let raw_query = request["raw_query"].as_str().unwrap_or_default();
            Ok(Recorded {
                args: v["args"].get(0).cloned().unwrap_or(Value::Null),
                method: request["method"].as_str().ok_or("no method")?.to_owned(),
                path: request["path"].as_str().ok_or("no path")?.to_owned(),
                query: url::form_urlencoded::parse(raw_query.as_bytes()).into_owned().collect(),
                headers: request["headers"].clone(),
                body: request["body"].clone(),
                name,
            })
        })
        .collect()
}

/// The same call built with this crate's request functions from the recorded arguments.
fn our_request(name: &str, a: &Value) -> Result<deskwire_directly::ApiRequest, String> {
    use deskwire_directly::api;
    use deskwire_directly::wire::{
        MessageTarget, NewMessage, QuestionUpdate, Rating, ResolveVerdict, Search, TextQuery, Verdict,
    };
    let s = |key: &str| {
        a[key]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("{name}: no `{key}`"))
    };
    let email = || UserEmail::new(a["userEmail"].as_str().unwrap_or_default()).map_err(|e| e.to_string());
    let id = |key: &str| uuid(&s(key)?);
    let object = |key: &str| a[key].as_object().cloned();
    let verdict = || match a["quickReply"].as_str() {
        Some("ACCEPTED") => Ok(Verdict::Accepted),
        Some("REJECTED") => Ok(Verdict::Rejected),
        other => Err(format!("{name}: quickReply {other:?}")),
    };
    let external_ids = |mut build: Box<dyn FnMut(ExternalId)>| {
        for e in a["externalIds"].as_array().into_iter().flatten() {
            build(ExternalId::new(
                e["id"].as_str().unwrap_or_default(),
                e["system"].as_str().unwrap_or_default(),
            ));
        }
    };
    let e = |e: deskwire_directly::Error| e.to_string();
    Ok(match name {
        "MessagingApi.createQuestion" => {
            let mut q = NewQuestion::new(&email()?, s("userName")?, s("text")?);
            q.subject = a["subject"].as_str().map(str::to_owned);
            q.question_category = a["questionCategory"].as_str().map(str::to_owned);
            q.metadata = object("metadata");
            let mut ids = Vec::new();
            external_ids(Box::new(|x| ids.push(x)));
            q.external_ids = (!ids.is_empty()).then_some(ids);
            api::questions::create(&q).map_err(e)?
        }
        "MessagingApi.getQuestion" => {
            let mut search = Search::new()
                .external_id(
                    a["externalId"]["id"].as_str().unwrap_or_default(),
                    a["externalId"]["system"].as_str().unwrap_or_default(),
                )
                .user(&email()?);
            if let Some(include) = a["includeConversation"].as_bool() {
                search = search.include_conversation(include);
            }
            if let (Some(limit), Some(offset)) = (a["limit"].as_u64(), a["offset"].as_u64()) {
                search = search.page(limit as u32, offset as u32);
            }
            if let Some(at) = a["lastChecked"].as_str() {
                search = search.changed_after(Timestamp::parse(at).ok_or("lastChecked is not a date-time")?);
            }
            api::questions::search(&search)
        }
        "MessagingApi.editQuestion" => {
            let mut update = QuestionUpdate::new(&email()?);
            if let Some(text) = a["text"].as_str() {
                update = update.text(text);
            }
            if let Some(metadata) = object("metadata") {
                update = update.metadata(metadata);
            }
            api::questions::update(&id("uuid")?, &update).map_err(e)?
        }
        "MessagingApi.closeQuestion" => {
            api::questions::close(&id("questionUuid")?, &email()?, a["integrationToken"].as_str()).map_err(e)?
        }
        "MessagingApi.rerouteQuestion" => {
            api::questions::reroute(&id("uuid")?, &email()?, a["companyTag"].as_str()).map_err(e)?
        }
        "MessagingApi.createMessage" => {
            let mut m = NewMessage::new(&email()?, MessageTarget::Response(id("responseUuid")?), s("text")?);
            let mut ids = Vec::new();
            external_ids(Box::new(|x| ids.push(x)));
            for x in ids {
                m = m.external_id(x);
            }
            api::messages::create(&m).map_err(e)?
        }
        "MessagingApi.editMessage" => api::messages::update(&id("uuid")?, &email()?, &s("text")?).map_err(e)?,
        "MessagingApi.getMessage" => {
            let mut search = Search::new().external_id(s("externalId")?, "").user(&email()?);
            if let Some(include) = a["includeConversation"].as_bool() {
                search = search.include_conversation(include);
            }
            api::messages::search(&search)
        }
        "MessagingApi.markQuestionAsResolved" => {
            let company = s("companyTag")?;
            let mut verdict = if a["confirm"].as_bool() == Some(true) {
                ResolveVerdict::approve(company)
            } else {
                ResolveVerdict::contest(company)
            };
            if let Some(x) = a["externalId"].as_str() {
                verdict = verdict.external_id(x);
            }
            api::messages::mark_as_resolved(&id("uuid")?, &email()?, &verdict).map_err(e)?
        }
        "MessagingApi.acceptResponse" => api::responses::accept(&id("uuid")?, &email()?).map_err(e)?,
        "MessagingApi.rateResponse" => {
            let mut rating = Rating::new(s("rating")?, s("companyTag")?);
            if let Some(x) = a["externalId"].as_str() {
                rating = rating.external_id(x);
            }
            api::responses::rate(&id("uuid")?, &email()?, &rating).map_err(e)?
        }
        "MessagingApi.confirmAutoResponse" => {
            api::responses::confirm_auto_response(&id("uuid")?, &email()?, verdict()?, a["externalId"].as_str())
                .map_err(e)?
        }
        "MessagingApi.markResponseAsRead" => api::responses::mark_read(&id("uuid")?, &email()?).map_err(e)?,
        "MessagingApi.deleteUser" => api::users::forget(&email()?).map_err(e)?,
        "MessagingApi.automaticAnswer" => {
            let mut query = TextQuery::new(s("text")?);
            if let Some(x) = a["language"].as_str() {
                query = query.language(x);
            }
            if let Some(x) = object("metadata") {
                query = query.metadata(x);
            }
            if let Some(x) = a["predictedClass"].as_str() {
                query = query.predicted_class(x);
            }
            if let Some(x) = a["questionCategory"].as_str() {
                query = query.category(x);
            }
            api::automation::automatic_answer(&query).map_err(e)?
        }
        "MessagingApi.automaticAnswerFeedback" => {
            let user = a["userEmail"]
                .as_str()
                .map(UserEmail::new)
                .transpose()
                .map_err(|e| e.to_string())?;
            api::automation::automatic_answer_feedback(&id("automaticAnswerUuid")?, verdict()?, user.as_ref())
                .map_err(e)?
        }
        "MessagingApi.getMessagingApiStatus" => api::automation::health(),
        other => return Err(format!("no request function for `{other}`")),
    })
}

/// Directly's own client (directly-api 1.1.2) against this crate's request functions, request
/// by request: method, path, query and JSON body must match; the bearer token travels the same
/// way. `Content-Type` differs only by the charset parameter, which the snapshot records.
async fn upstream_requests(case: &Case, ctx: &Context, stages: &mut Stages) {
    let mut vectors = Vec::new();
    stages.run(Stage::Parse, || {
        ctx.check_provenance(case)?;
        vectors = recorded(case, ctx)?;
        Ok(())
    });
    let mut ours = Vec::new();
    stages.run(Stage::Roundtrip, || {
        for v in &vectors {
            ours.push(our_request(&v.name, &v.args)?);
        }
        Ok(())
    });
    let mut shown = String::new();
    stages
        .run_async(Stage::Wire, || async {
            let server = MockServer::start().await;
            Mock::given(any())
                .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"data":{}}"#))
                .mount(&server)
                .await;
            let client = DirectlyClient::builder(Credentials::access_token(Secret::new("test-token")))
                .base_url(server.uri())
                .retry_policy(RetryPolicy::never())
                .build()
                .map_err(|e| e.to_string())?;
            for (v, request) in vectors.iter().zip(&ours) {
                client.send(request).await.map_err(|e| format!("{}: {e}", v.name))?;
                let got = server
                    .received_requests()
                    .await
                    .unwrap_or_default()
                    .pop()
                    .ok_or("nothing sent")?;
                let mut query: Vec<(String, String)> = got.url.query_pairs().into_owned().collect();
                let mut theirs = v.query.clone();
                query.sort();
                theirs.sort();
                let body: Value = if got.body.is_empty() {
                    Value::Null
                } else {
                    serde_json::from_slice(&got.body).map_err(|e| format!("{}: our body: {e}", v.name))?
                };
                let header = |name: &str| {
                    got.headers
                        .get(name)
                        .and_then(|h| h.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                let mut problems = Vec::new();
                if got.method.as_str() != v.method {
                    problems.push(format!("method {} vs {}", got.method, v.method));
                }
                if got.url.path() != v.path {
                    problems.push(format!("path {} vs {}", got.url.path(), v.path));
                }
                if query != theirs {
                    problems.push(format!("query {query:?} vs {theirs:?}"));
                }
                if body != v.body {
                    problems.push(format!("body {body} vs {}", v.body));
                }
                let bearer = v.headers["authorization"].as_str().unwrap_or_default();
                let is_health = v.path == "/health/status";
                if !is_health && header("authorization") != bearer {
                    problems.push(format!("authorization `{}` vs `{bearer}`", header("authorization")));
                }
                let mime = |t: &str| t.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
                let their_type = v.headers["content-type"].as_str().unwrap_or_default();
                if v.body != Value::Null && mime(&header("content-type")) != mime(their_type) {
                    problems.push(format!("content-type `{}` vs `{their_type}`", header("content-type")));
                }
                if !problems.is_empty() {
                    return Err(format!("{}: {}", v.name, problems.join("; ")));
                }
                shown.push_str(&format!(
                    "{}: {} {}{} content-type ours `{}` theirs `{their_type}`\n",
                    v.name,
                    v.method,
                    v.path,
                    got.url.query().map(|q| format!("?{q}")).unwrap_or_default(),
                    header("content-type"),
                ));
            }
            Ok(())
        })
        .await;
    stages.run(Stage::Snapshot, || snapshot::check(&case.dir, "result", &shown));
    stages.skip(Stage::Properties, "request functions are property-tested in the crate");
}
