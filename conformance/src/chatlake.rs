//! Chatlake cases: the seed's six JSON blocks (three requests, three answers), the real answer
//! shapes and webhook payloads printed in the provider notes, the error table's rows, and
//! webhook signature cases.
//!
//! Roundtrips compare JSON values after [`normalise`]: `null` members are dropped (the typed
//! model writes an absent field instead, which the server reads the same) and an integer
//! `message_type` becomes its name (REST answers use the integer; the model writes the string
//! requests need).

use std::time::{Duration, UNIX_EPOCH};

use deskwire_chatlake::inbound::{WebhookError, WebhookEvent, WebhookVerifier};
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
        Kind::Signature => signature(case, ctx, &mut stages),
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
            if !case.documented.contains(body.trim()) {
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
            let kept = match &e {
                Error::RateLimited { raw, .. } => raw == &body,
                other => other
                    .api_error()
                    .is_some_and(|a| a.raw == body && !matches!(a.body, ErrorBody::Json(_))),
            };
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

fn signature(case: &Case, ctx: &Context, stages: &mut Stages) {
    let mut body = Vec::new();
    stages.run(Stage::Parse, || {
        ctx.check_provenance(case)?;
        let spec = case.signature.as_ref().ok_or("no [signature]")?;
        body = case.file(&spec.body_file)?;
        Ok(())
    });
    stages.run(Stage::Roundtrip, || {
        // The expected value was computed by Python's hmac module when the case was written.
        let spec = case.signature.as_ref().ok_or("no [signature]")?;
        let hook = case.webhook.as_ref().ok_or("no [webhook]")?;
        let ours = HmacSha256::new(&Secret::new(spec.key.clone()))
            .sign_hex(&[hook.timestamp.to_string().as_bytes(), b".", &body].concat());
        if ours != spec.expected {
            return Err(format!("signed {ours}, the vector says {}", spec.expected));
        }
        Ok(())
    });
    let verdict = |presented: &str, body: &[u8]| -> Result<(), WebhookError> {
        let spec = case.signature.as_ref().expect("checked");
        let hook = case.webhook.as_ref().expect("checked");
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "x-chatwoot-signature",
            format!("sha256={presented}").parse().expect("hex"),
        );
        headers.insert(
            "x-chatwoot-timestamp",
            hook.timestamp.to_string().parse().expect("digits"),
        );
        WebhookVerifier::new(&Secret::new(spec.key.clone()))
            .verify_at(&headers, body, UNIX_EPOCH + Duration::from_secs(hook.now))
            .map(drop)
    };
    let mut shown = String::new();
    stages.run(Stage::Wire, || {
        let hook = case.webhook.as_ref().ok_or("no [webhook]")?;
        let result = verdict(&hook.presented, &body);
        let got = match &result {
            Ok(()) => "accepted",
            Err(WebhookError::Mismatch) => "mismatch",
            Err(WebhookError::Stale { .. }) => "stale",
            Err(WebhookError::FromTheFuture { .. }) => "from-the-future",
            Err(WebhookError::SignedWithoutTimestamp) => "signed-without-timestamp",
            Err(other) => return Err(format!("unexpected error: {other}")),
        };
        if got != hook.expect {
            return Err(format!("expected {}, got {got}: {result:?}", hook.expect));
        }
        shown = format!(
            "timestamp: {}\nnow: {}\nverdict: {result:?}\n",
            hook.timestamp, hook.now
        );
        Ok(())
    });
    stages.run(Stage::Snapshot, || snapshot::check(&case.dir, "result", &shown));
    stages.run(Stage::Properties, || {
        let hook = case.webhook.as_ref().ok_or("no [webhook]")?;
        if hook.expect == "accepted" {
            every_bit_flip_fails(&body, |b| verdict(&hook.presented, b).is_ok())
        } else {
            decoder_survives(&body, |b| verdict(&hook.presented, b))
        }
    });
}
