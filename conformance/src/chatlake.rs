//! Chatlake cases: the seed's six JSON blocks (three requests, three answers), the real answer
//! shapes, webhook payloads and error bodies as Chatwoot's views and controllers render them
//! (upstream, cited by commit), and webhook-signature and `identifier_hash` cases over vectors
//! Chatwoot's own expressions produced (`vectors/chatlake/chatwoot.json`).
//!
//! Roundtrips compare JSON values after [`normalise`]: `null` members are dropped (the typed
//! model writes an absent field instead, which the server reads the same) and an integer
//! `message_type` becomes its name (REST answers use the integer; the model writes the string
//! requests need).

use deskwire_core::verify::Verify as _;
use std::time::{Duration, UNIX_EPOCH};

use deskwire_chatlake::inbound::{WebhookError, WebhookEvent, WebhookVerifier};
use deskwire_chatlake::public::{identifier_hash, PublicClient};
use deskwire_chatlake::wire::{
    AnswerShape, ContactCreated, Conversation, Message, MessageType, NewContact, NewConversation, NewMessage,
};
use deskwire_chatlake::{ChatlakeClient, Error, ErrorBody};
use deskwire_core::mac::HmacSha256;
use deskwire_core::retry::RetryPolicy;
use deskwire_core::transport::TransportConfig;
use deskwire_core::Secret;
use serde_json::{json, Value};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::case::{Case, Kind};
use crate::properties::{decoder_survives, every_bit_flip_fails};
use crate::snapshot;
use crate::stage::{CaseReport, Stage, Stages};
use crate::Context;

const TOKEN: &str = "conformance-token";
const CONVERSATION: u64 = 7;

/// Runs one Chatlake case.
pub async fn run(case: &Case, ctx: &Context) -> CaseReport {
    let mut stages = Stages::new();
    match case.kind {
        Kind::Request => request(case, ctx, &mut stages).await,
        Kind::Response => response(case, ctx, &mut stages).await,
        Kind::Webhook => webhook(case, ctx, &mut stages),
        Kind::Error => error(case, ctx, &mut stages).await,
        Kind::Signature => signature(case, ctx, &mut stages).await,
        other => stages.run(Stage::Parse, || {
            Err(format!("kind `{}` has no Chatlake runner", other.name()))
        }),
    }
    stages.finish(case)
}

/// Drops `null` members and names integer `message_type`s, recursively.
pub fn normalise(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    let v = match (k.as_str(), v.as_u64()) {
                        ("message_type", Some(code)) => Value::String(MessageType::from_code(code).as_str().to_owned()),
                        _ => normalise(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(normalise).collect()),
        other => other.clone(),
    }
}

fn same(documented: &Value, encoded: &Value) -> Result<(), String> {
    let (a, b) = (normalise(documented), normalise(encoded));
    if a != b {
        return Err(format!(
            "re-encoding lost or changed a field:\n documented {a}\n encoded    {b}"
        ));
    }
    Ok(())
}

fn parse(case: &Case, ctx: &Context) -> Result<Value, String> {
    ctx.parse_example(case)
}

fn client(server: &MockServer) -> Result<ChatlakeClient, String> {
    ChatlakeClient::builder(server.uri(), 1, Secret::new(TOKEN))
        .transport(TransportConfig::default())
        .retry_policy(RetryPolicy::never())
        .build()
        .map_err(|e| e.to_string())
}

/// A typed request read back from a documented body.
#[derive(Debug)]
enum Typed {
    Contact(NewContact),
    Conversation(NewConversation),
    Message(NewMessage),
}

impl Typed {
    fn read(operation: &str, bytes: &[u8]) -> Result<Self, String> {
        let e = |e: serde_json::Error| e.to_string();
        Ok(match operation {
            "contacts.create" => Self::Contact(serde_json::from_slice(bytes).map_err(e)?),
            "conversations.create" => Self::Conversation(serde_json::from_slice(bytes).map_err(e)?),
            "messages.create" => Self::Message(serde_json::from_slice(bytes).map_err(e)?),
            other => return Err(format!("no request type for `{other}`")),
        })
    }

    fn encode(&self) -> Value {
        match self {
            Self::Contact(c) => serde_json::to_value(c),
            Self::Conversation(c) => serde_json::to_value(c),
            Self::Message(m) => serde_json::to_value(m),
        }
        .expect("request types always encode")
    }

    /// Method, path under the account, and a minimal answer of the right shape.
    fn route(&self) -> (&'static str, String, &'static str) {
        match self {
            Self::Contact(_) => (
                "POST",
                "contacts".into(),
                r#"{"payload":{"contact":{"id":1},"contact_inbox":{"inbox":null,"source_id":null}}}"#,
            ),
            Self::Conversation(_) => ("POST", "conversations".into(), r#"{"id":7}"#),
            Self::Message(_) => ("POST", format!("conversations/{CONVERSATION}/messages"), r#"{"id":1}"#),
        }
    }

    async fn send(&self, client: &ChatlakeClient) -> Result<(), Error> {
        match self {
            Self::Contact(c) => client.create_contact(c).await.map(drop),
            Self::Conversation(c) => client.create_conversation(c).await.map(drop),
            Self::Message(m) => client.create_message(CONVERSATION, m).await.map(drop),
        }
    }
}

async fn request(case: &Case, ctx: &Context, stages: &mut Stages) {
    let mut expected = Value::Null;
    stages.run(Stage::Parse, || {
        expected = parse(case, ctx)?;
        Ok(())
    });
    let mut typed = None;
    stages.run(Stage::Roundtrip, || {
        let bytes = serde_json::to_vec(&expected).map_err(|e| e.to_string())?;
        let request = Typed::read(&case.operation, &bytes)?;
        same(&expected, &request.encode())?;
        typed = Some(request);
        Ok(())
    });
    let mut shown = String::new();
    stages
        .run_async(Stage::Wire, || async {
            let request = typed.as_ref().ok_or("no typed request")?;
            let server = MockServer::start().await;
            let (verb, route, answer) = request.route();
            Mock::given(method(verb))
                .and(path(format!("/api/v1/accounts/1/{route}")))
                .and(header("api_access_token", TOKEN))
                .and(header("content-type", "application/json"))
                .and(body_json(normalise(&expected)))
                .respond_with(ResponseTemplate::new(200).set_body_string(answer))
                .mount(&server)
                .await;
            let result = request.send(&client(&server)?).await;
            let received = server.received_requests().await.unwrap_or_default();
            match (&case.refused, result) {
                (Some(field), Err(Error::Validation(v))) if &v.field == field && received.is_empty() => {
                    shown = format!("refused before sending: {v}\ntyped: {request:#?}\n");
                    Ok(())
                }
                (Some(field), other) => Err(format!(
                    "expected a refusal of `{field}` with nothing sent; got {other:?} after {} request(s)",
                    received.len()
                )),
                (None, Ok(())) if received.len() == 1 => {
                    let sent = String::from_utf8_lossy(&received[0].body).into_owned();
                    shown = format!(
                        "sent: {} {verb} {}\nbody: {sent}\ntyped: {request:#?}\n",
                        received.len(),
                        received[0].url.path()
                    );
                    Ok(())
                }
                (None, other) => Err(format!("the mock did not accept exactly one request: {other:?}")),
            }
        })
        .await;
    stages.run(Stage::Snapshot, || snapshot::check(&case.dir, "sent", &shown));
    stages.run(Stage::Properties, || {
        let bytes = serde_json::to_vec(&expected).map_err(|e| e.to_string())?;
        let operation = case.operation.clone();
        decoder_survives(&bytes, move |b| {
            // Whatever reads back is stable: its encoding reads back to the same encoding.
            if let Ok(request) = Typed::read(&operation, b) {
                let encoded = request.encode();
                let again = Typed::read(&operation, &serde_json::to_vec(&encoded).expect("encodes")).expect("re-reads");
                assert_eq!(again.encode(), encoded);
            }
        })
    });
}

/// A documented answer read as the operation's result type, re-encoded in its own shape.
fn read_answer(operation: &str, bytes: &[u8]) -> Result<(String, Value), String> {
    let e = |e: serde_json::Error| e.to_string();
    Ok(match operation {
        "contacts.create" => {
            let c: ContactCreated = serde_json::from_slice(bytes).map_err(e)?;
            let encoded = match c.shape {
                AnswerShape::Flat => serde_json::to_value(&c.contact).map_err(e)?,
                AnswerShape::Wrapped => json!({"payload": {"contact": c.contact, "contact_inbox": c.contact_inbox}}),
            };
            (format!("{c:#?}"), encoded)
        }
        "conversations.create" => {
            let c: Conversation = serde_json::from_slice(bytes).map_err(e)?;
            (format!("{c:#?}"), serde_json::to_value(&c).map_err(e)?)
        }
        "messages.create" => {
            let m: Message = serde_json::from_slice(bytes).map_err(e)?;
            (format!("{m:#?}"), serde_json::to_value(&m).map_err(e)?)
        }
        other => return Err(format!("no answer type for `{other}`")),
    })
}

async fn response(case: &Case, ctx: &Context, stages: &mut Stages) {
    let mut documented = Value::Null;
    stages.run(Stage::Parse, || {
        documented = parse(case, ctx)?;
        Ok(())
    });
    let mut typed = String::new();
    stages.run(Stage::Roundtrip, || {
        let bytes = serde_json::to_vec(&documented).map_err(|e| e.to_string())?;
        let (shown, encoded) = read_answer(&case.operation, &bytes)?;
        same(&documented, &encoded)?;
        typed = shown;
        Ok(())
    });
    stages
        .run_async(Stage::Wire, || async {
            let server = MockServer::start().await;
            let status = case.response.as_ref().map_or(200, |r| r.status);
            Mock::given(method("POST"))
                .respond_with(ResponseTemplate::new(status).set_body_json(&documented))
                .mount(&server)
                .await;
            let c = client(&server)?;
            let through_client = match case.operation.as_str() {
                "contacts.create" => format!(
                    "{:#?}",
                    c.create_contact(&NewContact::in_inbox(2))
                        .await
                        .map_err(|e| e.to_string())?
                ),
                "conversations.create" => format!(
                    "{:#?}",
                    c.create_conversation(&NewConversation::for_session(2, "s"))
                        .await
                        .map_err(|e| e.to_string())?
                ),
                "messages.create" => format!(
                    "{:#?}",
                    c.create_message(CONVERSATION, &NewMessage::incoming("hi"))
                        .await
                        .map_err(|e| e.to_string())?
                ),
                other => return Err(format!("no call for `{other}`")),
            };
            if through_client != typed {
                return Err(format!(
                    "the client read the answer differently:\n{through_client}\nvs\n{typed}"
                ));
            }
            Ok(())
        })
        .await;
    stages.run(Stage::Snapshot, || snapshot::check(&case.dir, "result", &typed));
    stages.run(Stage::Properties, || {
        let bytes = serde_json::to_vec(&documented).map_err(|e| e.to_string())?;
        let operation = case.operation.clone();
        decoder_survives(&bytes, move |b| read_answer(&operation, b).is_ok())
    });
}

fn webhook(case: &Case, ctx: &Context, stages: &mut Stages) {
    let mut body = Vec::new();
    stages.run(Stage::Parse, || {
        body = serde_json::to_vec(&parse(case, ctx)?).map_err(|e| e.to_string())?;
        Ok(())
    });
    let mut event = None;
    stages.run(Stage::Roundtrip, || {
        // Sign the body as the server does, then verify and decode it.
        let secret = Secret::new("conformance-webhook-secret");
        let ts = "1763706087";
        let signature = HmacSha256::new(&secret).sign_hex(&[ts.as_bytes(), b".", &body].concat());
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "x-chatwoot-signature",
            format!("sha256={signature}").parse().map_err(|_| "header")?,
        );
        headers.insert("x-chatwoot-timestamp", ts.parse().map_err(|_| "header")?);
        let delivery = WebhookVerifier::new(&secret)
            .expect("a webhook secret")
            .verify_at(&headers, &body, UNIX_EPOCH + Duration::from_secs(1_763_706_090))
            .map_err(|e| e.to_string())?;
        if delivery.event.name() != case.operation {
            return Err(format!(
                "read as `{}`, case says `{}`",
                delivery.event.name(),
                case.operation
            ));
        }
        let encoded = match &delivery.event {
            WebhookEvent::MessageCreated(m) | WebhookEvent::MessageUpdated(m) => serde_json::to_value(m),
            WebhookEvent::ConversationUpdated(c) | WebhookEvent::ConversationCreated(c) => serde_json::to_value(c),
            other => return Err(format!("no roundtrip for {}", other.name())),
        }
        .map_err(|e| e.to_string())?;
        let mut documented: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        documented.as_object_mut().map(|o| o.remove("event"));
        same(&documented, &encoded)?;
        event = Some(delivery.event);
        Ok(())
    });
    stages.skip(Stage::Wire, "an inbound delivery: nothing is sent");
    stages.run(Stage::Snapshot, || {
        snapshot::check(&case.dir, "event", &format!("{:#?}", event.as_ref().ok_or("no event")?))
    });
    stages.run(Stage::Properties, || decoder_survives(&body, WebhookEvent::from_json));
}

async fn error(case: &Case, ctx: &Context, stages: &mut Stages) {
    stages.run(Stage::Parse, || ctx.check_provenance(case));
    stages.skip(Stage::Roundtrip, "an error answer has no typed model to re-encode");
    let mut shown = String::new();
    stages
        .run_async(Stage::Wire, || async {
            let spec = case.response.as_ref().ok_or("no [response]")?;
            let body = spec.body.clone().ok_or("no [response] body")?;
            if case.provenance == crate::case::Provenance::Docs && !case.documented.contains(body.trim()) {
                return Err("the answer body is not the documented one".into());
            }
            let server = MockServer::start().await;
            Mock::given(method("GET"))
                .and(path(format!("/api/v1/accounts/1/conversations/{CONVERSATION}")))
                .respond_with(ResponseTemplate::new(spec.status).set_body_string(body.clone()))
                .expect(1)
                .mount(&server)
                .await;
            let e = client(&server)?
                .get_conversation(CONVERSATION)
                .await
                .err()
                .ok_or("no error")?;
            let variant = format!("{e:?}");
            let expected = spec.rejection.as_deref().ok_or("no rejection")?;
            if !variant.starts_with(&format!("{expected}(")) && !variant.starts_with(&format!("{expected} {{")) {
                return Err(format!("expected `{expected}`, got {variant}"));
            }
            let kept = e
                .api_error()
                .is_some_and(|a| a.body == body && !matches!(a.detail, ErrorBody::Json(_)));
            if !kept {
                return Err(format!("the raw body or its shape was not kept: {e:?}"));
            }
            shown = format!("error: {e}\ndelivery: {:?}\ntyped: {e:#?}\n", e.delivery());
            Ok(())
        })
        .await;
    stages.run(Stage::Snapshot, || snapshot::check(&case.dir, "result", &shown));
    stages.run(Stage::Properties, || {
        let body = case.response.as_ref().and_then(|r| r.body.clone()).unwrap_or_default();
        decoder_survives(body.as_bytes(), |b| ErrorBody::parse(&String::from_utf8_lossy(b)))
    });
}

/// A webhook vector: the secret, the exact body and the headers Chatwoot's expression made.
struct Delivery {
    name: String,
    secret: String,
    body: Vec<u8>,
    timestamp: u64,
    signature: String,
    timestamp_header: String,
}

fn deliveries(case: &Case, ctx: &Context) -> Result<Vec<Delivery>, String> {
    ctx.vectors(case)?
        .into_iter()
        .map(|(name, v)| {
            let text = |key: &str| {
                v[key]
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("{name}: no `{key}`"))
            };
            let header = |key: &str| {
                v["headers"][key]
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("{name}: no `{key}` header"))
            };
            Ok(Delivery {
                secret: text("secret")?,
                body: text("body")?.into_bytes(),
                timestamp: v["timestamp"].as_u64().ok_or_else(|| format!("{name}: no timestamp"))?,
                signature: header("X-Chatwoot-Signature")?,
                timestamp_header: header("X-Chatwoot-Timestamp")?,
                name,
            })
        })
        .collect()
}

fn headers_of(signature: &str, timestamp: &str) -> Result<http::HeaderMap, String> {
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "x-chatwoot-signature",
        signature.parse().map_err(|_| "signature header")?,
    );
    headers.insert(
        "x-chatwoot-timestamp",
        timestamp.parse().map_err(|_| "timestamp header")?,
    );
    Ok(headers)
}

fn verdict_name(result: &Result<(), WebhookError>) -> Result<&'static str, String> {
    Ok(match result {
        Ok(()) => "accepted",
        Err(WebhookError::Mismatch) => "mismatch",
        Err(WebhookError::Stale { .. }) => "stale",
        Err(WebhookError::FromTheFuture { .. }) => "from-the-future",
        Err(WebhookError::SignedWithoutTimestamp) => "signed-without-timestamp",
        Err(other) => return Err(format!("unexpected error: {other}")),
    })
}

async fn signature(case: &Case, ctx: &Context, stages: &mut Stages) {
    if case.operation == "identifier_hash" {
        return identifier_hashes(case, ctx, stages).await;
    }
    let mut vectors = Vec::new();
    stages.run(Stage::Parse, || {
        ctx.check_provenance(case)?;
        vectors = deliveries(case, ctx)?;
        Ok(())
    });
    stages.run(Stage::Roundtrip, || {
        // Signing the same bytes the way the server does must give the vector's headers (the
        // body-only mistake is upstream's expression without the "<ts>." prefix).
        for d in &vectors {
            let mac = HmacSha256::new(&Secret::new(d.secret.clone()));
            let signed = if case.provenance == crate::case::Provenance::Synthesised {
                mac.sign_hex(&d.body)
            } else {
                mac.sign_hex(&[d.timestamp.to_string().as_bytes(), b".", &d.body].concat())
            };
            if format!("sha256={signed}") != d.signature || d.timestamp.to_string() != d.timestamp_header {
                return Err(format!(
                    "{}: signed sha256={signed}, the vector says {}",
                    d.name, d.signature
                ));
            }
        }
        Ok(())
    });
    let verdict =
        |d: &Delivery, body: &[u8], now: u64, key: Option<&str>| -> Result<Result<(), WebhookError>, String> {
            let headers = headers_of(&d.signature, &d.timestamp_header)?;
            let secret = Secret::new(key.unwrap_or(&d.secret).to_owned());
            // Authenticity and freshness only: decoding is the webhook cases' business.
            Ok(WebhookVerifier::new(&secret)
                .expect("a webhook secret")
                .authenticate_at(&headers, body, UNIX_EPOCH + Duration::from_secs(now))
                .map(drop))
        };
    let mut shown = String::new();
    stages.run(Stage::Wire, || {
        for d in &vectors {
            let (now, expect, key) = match &case.webhook {
                Some(hook) => (hook.now, hook.expect.as_str(), hook.key.as_deref()),
                // A whole set: every delivery verifies at its own timestamp.
                None => (d.timestamp, "accepted", None),
            };
            let result = verdict(d, &d.body, now, key)?;
            let got = verdict_name(&result)?;
            if got != expect {
                return Err(format!("{}: expected {expect}, got {got}: {result:?}", d.name));
            }
            shown.push_str(&format!(
                "{}: timestamp {} now {now}{} -> {result:?}\n",
                d.name,
                d.timestamp,
                if key.is_some() { " (another secret)" } else { "" }
            ));
        }
        Ok(())
    });
    stages.run(Stage::Snapshot, || snapshot::check(&case.dir, "result", &shown));
    stages.run(Stage::Properties, || {
        for d in &vectors {
            let (now, expect) = case
                .webhook
                .as_ref()
                .map_or((d.timestamp, "accepted"), |h| (h.now, h.expect.as_str()));
            if expect == "accepted" {
                every_bit_flip_fails(&d.body, |b| verdict(d, b, now, None).is_ok_and(|r| r.is_ok()))?;
            } else {
                decoder_survives(&d.body, |b| verdict(d, b, now, None))?;
            }
        }
        Ok(())
    });
}

/// `identifier_hash` vectors: the hash function and the Client API's show request.
async fn identifier_hashes(case: &Case, ctx: &Context, stages: &mut Stages) {
    let mut vectors = Vec::new();
    stages.run(Stage::Parse, || {
        ctx.check_provenance(case)?;
        vectors = ctx.vectors(case)?;
        Ok(())
    });
    // Ruby's `#to_s` of the identifier: nil is "", an integer its digits, a string itself.
    let to_s = |v: &Value| match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    stages.run(Stage::Roundtrip, || {
        for (name, v) in &vectors {
            let token = Secret::new(v["hmac_token"].as_str().ok_or("no hmac_token")?.to_owned());
            let ours = identifier_hash(&token, &to_s(&v["identifier"]));
            if Some(ours.as_str()) != v["identifier_hash"].as_str() {
                return Err(format!(
                    "{name}: hashed {ours}, the vector says {}",
                    v["identifier_hash"]
                ));
            }
        }
        Ok(())
    });
    let mut shown = String::new();
    stages
        .run_async(Stage::Wire, || async {
            for (name, v) in &vectors {
                let server = MockServer::start().await;
                Mock::given(method("GET"))
                    .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"source_id":"c-1","id":1}"#))
                    .mount(&server)
                    .await;
                let token = Secret::new(v["hmac_token"].as_str().ok_or("no hmac_token")?.to_owned());
                let client = PublicClient::builder(server.uri(), "inb-1")
                    .hmac_token(&token)
                    .retry_policy(RetryPolicy::never())
                    .build()
                    .map_err(|e| e.to_string())?;
                let identifier = to_s(&v["identifier"]);
                let identifier = (!v["identifier"].is_null()).then_some(identifier.as_str());
                client.get_contact("c-1", identifier).await.map_err(|e| e.to_string())?;
                let request = server
                    .received_requests()
                    .await
                    .unwrap_or_default()
                    .pop()
                    .ok_or("nothing sent")?;
                let sent: std::collections::HashMap<String, String> = request
                    .url
                    .query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                if sent.get("identifier_hash").map(String::as_str) != v["identifier_hash"].as_str() {
                    return Err(format!("{name}: the show request carried {sent:?}"));
                }
                shown.push_str(&format!("{name}: {}\n", request.url.query().unwrap_or_default()));
            }
            Ok(())
        })
        .await;
    stages.run(Stage::Snapshot, || snapshot::check(&case.dir, "result", &shown));
    stages.run(Stage::Properties, || {
        for (_, v) in &vectors {
            let token = Secret::new(v["hmac_token"].as_str().unwrap_or_default().to_owned());
            let identifier = to_s(&v["identifier"]);
            every_bit_flip_fails(identifier.as_bytes(), |b| {
                identifier_hash(&token, &String::from_utf8_lossy(b)).as_str()
                    == v["identifier_hash"].as_str().unwrap_or_default()
            })?;
        }
        Ok(())
    });
}
