//! Engage Digital cases: Send API requests, `ok` answers, the error table, the typing rule and
//! signature vectors, replayed through `deskwire-engage-digital`. Polling-endpoint cases live in
//! `engage_digital_endpoint`.

use deskwire_core::retry::RetryPolicy;
use deskwire_core::{Delivery, Secret};
use deskwire_engage_digital::inbound::{Endpoint, InboundRequest};
use deskwire_engage_digital::testing::{interpret_response, SignedBy};
use deskwire_engage_digital::wire::{MarkAsRead, SendParams, SendRequest, TypingStart, TypingStop, TypingTarget};
use deskwire_engage_digital::{
    EngageDigitalFailure, Error, RejectionOf, SendApiClient, Signer, TypingLimit, SIGNATURE_HEADER,
    TYPING_START_INTERVAL,
};
use serde_json::Value;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::case::{Case, Kind};
use crate::properties::{decoder_survives, every_bit_flip_fails};
use crate::repair::{repair, repair_and_parse};
use crate::snapshot;
use crate::stage::{CaseReport, Stage, Stages};
use crate::Context;

/// The Send API example token from the docs; also the key of the Ruby and PHP examples.
const TOKEN: &str = "56e79ea426735090665b1c107c757d6d3a692c061335e4728899af27f215edf3";
const SOURCE: &str = "8da592bc6fcf8bae41b2";

fn signer(key: &str) -> Signer {
    Signer::new(&Secret::new(key))
}

fn client(server: &MockServer, key: &str) -> Result<SendApiClient, String> {
    SendApiClient::builder(server.uri(), SOURCE, Secret::new(key))
        .retry_policy(RetryPolicy::never())
        .typing_limit(TypingLimit::Reject)
        .build()
        .map_err(|e| e.to_string())
}

fn realtime_path() -> String {
    format!("/realtime/sdk/{SOURCE}")
}

/// Runs one Engage Digital case.
pub async fn run(case: &Case, ctx: &Context) -> CaseReport {
    let mut stages = Stages::new();
    match case.kind {
        Kind::Request => request(case, ctx, &mut stages).await,
        Kind::Response => response(case, ctx, &mut stages).await,
        Kind::Error => error(case, ctx, &mut stages).await,
        Kind::Signature => signature(case, ctx, &mut stages).await,
        Kind::RateLimit => rate_limit(case, ctx, &mut stages).await,
        Kind::Poll => crate::engage_digital_endpoint::run(case, ctx, &mut stages, check_parse_common).await,
        Kind::Webhook | Kind::Flow | Kind::Vocabulary => stages.run(Stage::Parse, || {
            Err(format!("kind `{}` has no Engage Digital runner yet", case.kind.name()))
        }),
    }
    stages.finish(case)
}

/// Checks the recorded repairs and, when the seed is at hand, that the documented text is in it.
fn check_parse_common(case: &Case, ctx: &Context) -> Result<(), String> {
    let repairs = case.repairs_needed();
    if case.repairs != repairs {
        return Err(format!(
            "case.toml records repairs {:?} but the text needed {:?}",
            case.repairs, repairs
        ));
    }
    ctx.check_provenance(case)
}

async fn request(case: &Case, ctx: &Context, stages: &mut Stages) {
    let mut documented = Value::Null;
    let mut typed: Option<SendRequest> = None;
    stages.run(Stage::Parse, || {
        let (value, _) = repair_and_parse(&case.documented)?;
        check_parse_common(case, ctx)?;
        documented = value;
        Ok(())
    });
    stages.run(Stage::Roundtrip, || {
        let req: SendRequest =
            serde_json::from_value(documented.clone()).map_err(|e| format!("does not decode: {e}"))?;
        if req.action_name() != case.operation {
            return Err(format!(
                "decoded as `{}`, case says `{}`",
                req.action_name(),
                case.operation
            ));
        }
        let encoded: Value =
            serde_json::from_slice(&req.to_body().map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
        if encoded != documented {
            return Err(format!(
                "re-encoding changed the example:\n documented {documented}\n encoded    {encoded}"
            ));
        }
        typed = Some(req);
        Ok(())
    });
    let mut sent = String::new();
    stages
        .run_async(Stage::Wire, || async {
            let req = typed.as_ref().ok_or("no typed request")?;
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .and(path(realtime_path()))
                .and(header("content-type", "application/json"))
                .and(SignedBy(signer(TOKEN)))
                .and(body_json(&documented))
                .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
                .expect(1)
                .mount(&server)
                .await;
            let client = client(&server, TOKEN)?;
            let prepared = client.prepare(req).map_err(|e| e.to_string())?;
            let result = client.send_prepared(&prepared).await;
            let received = server.received_requests().await.unwrap_or_default();
            let on_wire = received.first().map(|r| r.body.clone()).unwrap_or_default();
            if on_wire != prepared.body() {
                return Err("the bytes on the wire differ from the signed bytes".into());
            }
            result
                .as_ref()
                .map_err(|e| format!("the mock refused the request: {e}"))?;
            sent = format!(
                "action: {}\nbody: {}\nsignature: {}\nresult: {:?}\n",
                prepared.action(),
                String::from_utf8_lossy(prepared.body()),
                prepared.signature(),
                result
            );
            Ok(())
        })
        .await;
    stages.run(Stage::Snapshot, || snapshot::check(&case.dir, "sent", &sent));
    stages.run(Stage::Properties, || {
        let req = typed.as_ref().ok_or("no typed request")?;
        let body = req.to_body().map_err(|e| e.to_string())?;
        let s = signer(TOKEN);
        let sig = s.sign(&body);
        every_bit_flip_fails(&body, |b| s.verify(b, &sig).is_ok())?;
        decoder_survives(&body, |b| {
            // When a mutated body still decodes, it must re-encode to something that decodes the same.
            if let Ok(decoded) = serde_json::from_slice::<SendRequest>(b) {
                let again: SendRequest = serde_json::from_slice(&decoded.to_body().expect("encodes")).expect("decodes");
                assert_eq!(again, decoded);
            }
        })
    });
}

const AUTHOR: &str = r#"{"id":"666","created_at":"06/11/2017","screenname":"John Doe"}"#;

/// What an answer case sends: a typed request, or exact bytes through the escape hatch.
#[derive(Debug)]
enum Outgoing {
    Typed(Box<SendRequest>),
    Bytes(Vec<u8>),
}

/// The request of the case's operation — the one its answer belongs to. An operation this
/// runner does not know is a failure, never a fallback.
fn outgoing(case: &Case) -> Result<Outgoing, String> {
    let typed = |json: String| {
        serde_json::from_str::<SendRequest>(&json)
            .map(|r| Outgoing::Typed(Box::new(r)))
            .map_err(|e| format!("sample `{}` does not decode: {e}", case.operation))
    };
    match case.operation.as_str() {
        "typing.start" => Ok(Outgoing::Typed(Box::new(SendRequest::TypingStart(TypingStart::new(
            TypingTarget::thread("42").in_reply_to_id("890"),
            "Hello world",
        ))))),
        "typing.stop" => Ok(Outgoing::Typed(Box::new(SendRequest::TypingStop(TypingStop::new(
            TypingTarget::thread("42"),
        ))))),
        "status.mark_as_read" => Ok(Outgoing::Typed(Box::new(SendRequest::MarkAsRead(MarkAsRead::new(
            "890",
        ))))),
        "messages.create" => typed(format!(
            r#"{{"action":"messages.create","params":{{"id":"890","author":{AUTHOR},"body":"Awesome post !","thread_id":"42"}}}}"#
        )),
        // The docs' structured-content example (a select).
        "messages.create:structured" => typed(format!(
            r#"{{"action":"messages.create","params":{{"id":"891","author":{AUTHOR},"body":"What do you wish?","thread_id":"42","structured_content":{{"type":"select","items":[{{"title":"Option 1","payload":"first_option"}},{{"title":"Option 3"}}]}}}}}}"#
        )),
        "messages.create:attachment" => {
            let message = deskwire_engage_digital::wire::Message::new(
                "893",
                "42",
                serde_json::from_str(AUTHOR).map_err(|e| e.to_string())?,
            )
            .body("The label")
            .attachment(deskwire_engage_digital::wire::Attachment::inline(
                &[0x25; 4096],
                "label.pdf",
            ));
            Ok(Outgoing::Typed(Box::new(SendRequest::CreateMessage(Box::new(message)))))
        }
        "threads.create" => typed(format!(
            r#"{{"action":"threads.create","params":{{"id":"42","author":{AUTHOR},"body":"Do you have size 9?","title":"Shoes"}}}}"#
        )),
        "bytes" => case
            .request
            .as_ref()
            .and_then(|r| r.body.clone())
            .map(|b| Outgoing::Bytes(b.into_bytes()))
            .ok_or_else(|| "operation `bytes` needs [request] body".to_owned()),
        other => Err(format!("unknown operation `{other}` for an answer case")),
    }
}

/// Sends the case's request to a mock answering `status` + `body`; what was sent and the result.
async fn answer(case: &Case, status: u16, body: &str) -> Result<(String, Result<(), Error>), String> {
    let outgoing = outgoing(case)?;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(realtime_path()))
        .and(SignedBy(signer(TOKEN)))
        .respond_with(ResponseTemplate::new(status).set_body_string(body))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server, TOKEN)?;
    let prepared = match &outgoing {
        Outgoing::Typed(request) => client.prepare(request.as_ref()),
        Outgoing::Bytes(bytes) => client.prepare_bytes(bytes.clone()),
    }
    .map_err(|e| format!("the request of `{}` was refused before sending: {e}", case.operation))?;
    let result = client.send_prepared(&prepared).await.map(drop);
    let received = server.received_requests().await.unwrap_or_default();
    if received.len() != 1 || received[0].body != prepared.body() {
        return Err(format!(
            "the mock received {} requests, not the prepared bytes once",
            received.len()
        ));
    }
    Ok((prepared.action().to_owned(), result))
}

async fn response(case: &Case, ctx: &Context, stages: &mut Stages) {
    let spec = case.response.clone();
    let mut body = String::new();
    stages.run(Stage::Parse, || {
        check_parse_common(case, ctx)?;
        let repaired = repair(&case.documented);
        body = repaired.text.trim().to_owned();
        if serde_json::from_str::<Value>(&body).is_ok() {
            return Err(format!("`{body}` parses as JSON; the Send API answers plain text"));
        }
        Ok(())
    });
    stages.skip(Stage::Roundtrip, "a plain-text answer has no typed model to re-encode");
    let mut result = String::new();
    stages
        .run_async(Stage::Wire, || async {
            let spec = spec.as_ref().ok_or("[response] is missing")?;
            let (_, outcome) = answer(case, spec.status, &body).await?;
            result = format!("{outcome:?}\n");
            outcome.map_err(|e| format!("the documented success answer was refused: {e}"))
        })
        .await;
    stages.run(Stage::Snapshot, || snapshot::check(&case.dir, "result", &result));
    stages.run(Stage::Properties, || {
        decoder_survives(body.as_bytes(), |b| {
            // Any 2xx is success, as in the official clients; only the documented word is
            // the documented `ok`.
            let accepted = interpret_response(200, b).expect("a 200 is accepted");
            let word = String::from_utf8_lossy(b);
            assert!(
                !accepted.is_documented_ok() || word.to_ascii_lowercase().contains("ok"),
                "documented ok: {word:?}"
            );
        })
    });
}

async fn error(case: &Case, ctx: &Context, stages: &mut Stages) {
    let Some(spec) = case.response.clone() else {
        return stages.run(Stage::Parse, || Err("[response] is missing".into()));
    };
    let body = spec.body.clone().unwrap_or_default();
    let expected = spec.rejection.clone().unwrap_or_default();
    stages.run(Stage::Parse, || {
        check_parse_common(case, ctx)?;
        let row = format!("{body} {} ", spec.status);
        if !case.documented.starts_with(&row) {
            return Err(format!("documented row does not start with `{row}`"));
        }
        Ok(())
    });
    stages.run(Stage::Roundtrip, || {
        let rejection = deskwire_engage_digital::Rejection::match_row(spec.status, &body)
            .ok_or_else(|| format!("`{body}` at {} matches no row", spec.status))?;
        let name = format!("{rejection:?}");
        if name.split([' ', '{']).next() != Some(expected.as_str()) {
            return Err(format!("matched {name}, expected {expected}"));
        }
        if rejection.status() != spec.status {
            return Err(format!(
                "{name} reports status {}, the docs say {}",
                rejection.status(),
                spec.status
            ));
        }
        Ok(())
    });
    let mut result = String::new();
    stages
        .run_async(Stage::Wire, || async {
            let json_body = serde_json::json!({ "error": body }).to_string();
            for sent in [body.clone(), json_body] {
                let (action, outcome) = answer(case, spec.status, &sent).await?;
                let err = outcome.err().ok_or_else(|| format!("`{sent}` was taken as success"))?;
                let name = err
                    .rejection()
                    .map(|r| format!("{r:?}"))
                    .unwrap_or_else(|| format!("{err:?}"));
                if name.split([' ', '{']).next() != Some(expected.as_str()) {
                    return Err(format!("answer `{sent}` became {name}, expected {expected}"));
                }
                if err.delivery() != Delivery::Rejected {
                    return Err(format!("delivery is {:?}, expected Rejected", err.delivery()));
                }
                result.push_str(&format!(
                    "sent: {action} ({})\nanswer: {} {sent}\nerror: {err:?}\nmessage: {err}\n\n",
                    case.operation, spec.status
                ));
            }
            Ok(())
        })
        .await;
    stages.run(Stage::Snapshot, || snapshot::check(&case.dir, "result", &result));
    stages.run(Stage::Properties, || {
        // Under any other status the same text is not this row.
        for other in [200, 400, 401, 413, 422, 429, 500] {
            if other == spec.status {
                continue;
            }
            if let Some(r) = deskwire_engage_digital::Rejection::match_row(other, &body) {
                if format!("{r:?}").starts_with(&expected) {
                    return Err(format!("status {other} also matched {expected}"));
                }
            }
        }
        decoder_survives(body.as_bytes(), |b| interpret_response(spec.status, b))
    });
}

async fn rate_limit(case: &Case, ctx: &Context, stages: &mut Stages) {
    let interval = case.rate_limit.as_ref().map(|r| r.interval_ms);
    stages.run(Stage::Parse, || {
        check_parse_common(case, ctx)?;
        let rule = case
            .row
            .as_deref()
            .ok_or("the case names the documented rule (`row`)")?;
        for needle in ["1 request / thread", "every 2 seconds", "typing.stop", "reset"] {
            if !rule.contains(needle) {
                return Err(format!("the documented rule no longer says `{needle}`"));
            }
        }
        Ok(())
    });
    stages.run(Stage::Roundtrip, || match interval {
        Some(ms) if u128::from(ms) == TYPING_START_INTERVAL.as_millis() => Ok(()),
        other => Err(format!(
            "case interval {other:?} ms differs from the client's {TYPING_START_INTERVAL:?}"
        )),
    });
    let mut log = String::new();
    stages
        .run_async(Stage::Wire, || async {
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .and(SignedBy(signer(TOKEN)))
                .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
                .mount(&server)
                .await;
            let client = client(&server, TOKEN)?;
            let start = |t: &str| TypingStart::new(TypingTarget::thread(t), "Hello wor");
            let steps: [(&str, Result<(), Error>); 5] = [
                ("start thread 42", client.typing_start(&start("42")).await.map(drop)),
                (
                    "start thread 42 again at once",
                    client.typing_start(&start("42")).await.map(drop),
                ),
                ("start thread 43", client.typing_start(&start("43")).await.map(drop)),
                (
                    "stop thread 42",
                    client
                        .typing_stop(&TypingStop::new(TypingTarget::thread("42")))
                        .await
                        .map(drop),
                ),
                (
                    "start thread 42 after stop",
                    client.typing_start(&start("42")).await.map(drop),
                ),
            ];
            let expect_ok = [true, false, true, true, true];
            for ((what, outcome), ok) in steps.iter().zip(expect_ok) {
                let shown = match outcome {
                    Ok(()) => "sent".to_owned(),
                    Err(Error::Provider(EngageDigitalFailure::TypingThrottled { key, .. })) => {
                        format!("refused client-side ({key}), nothing sent")
                    }
                    Err(e) => format!("error: {e}"),
                };
                log.push_str(&format!("{what}: {shown}\n"));
                if outcome.is_ok() != ok
                    || (!ok
                        && !matches!(
                            outcome,
                            Err(Error::Provider(EngageDigitalFailure::TypingThrottled { .. }))
                        ))
                {
                    return Err(format!("{what}: {shown}"));
                }
            }
            let n = server.received_requests().await.unwrap_or_default().len();
            if n != 4 {
                return Err(format!("the mock received {n} requests, expected 4"));
            }
            Ok(())
        })
        .await;
    stages.run(Stage::Snapshot, || snapshot::check(&case.dir, "sequence", &log));
    stages.skip(
        Stage::Properties,
        "the limiter's timing properties are unit-tested in the crate",
    );
}

/// Serves a fixed `implementation.info`; everything else is the trait's "not implemented".
struct Declares(deskwire_engage_digital::inbound::ImplementationInfo);

impl deskwire_engage_digital::inbound::Source for Declares {
    async fn implementation_info(
        &self,
    ) -> Result<deskwire_engage_digital::inbound::ImplementationInfo, deskwire_engage_digital::inbound::ActionError>
    {
        Ok(self.0.clone())
    }
}

fn text(v: &Value, key: &str) -> Result<String, String> {
    v[key]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("vector has no `{key}`"))
}

/// Cases over the official PHP SDK's vectors: `sign` (its signature of a body), `verify` (its
/// verdict on a request's header and `?signature=`), `respond` (its signed answers).
async fn upstream_signature(case: &Case, ctx: &Context, stages: &mut Stages) {
    let mut vectors = Vec::new();
    stages.run(Stage::Parse, || {
        check_parse_common(case, ctx)?;
        vectors = ctx.vectors(case)?;
        // A printed example that differs from the signed bytes must mean the same JSON.
        if !case.documented.is_empty() {
            let printed: Value = serde_json::from_str(&case.documented).map_err(|e| format!("example.txt: {e}"))?;
            for (name, v) in &vectors {
                let signed: Value = serde_json::from_str(&text(v, "body")?).map_err(|e| format!("{name}: {e}"))?;
                if signed != printed {
                    return Err(format!("{name}: the signed body is not the printed example"));
                }
            }
        }
        for d in &case.deviations {
            if !vectors.iter().any(|(n, _)| n == d) {
                return Err(format!("deviation `{d}` names no vector"));
            }
        }
        Ok(())
    });
    let set = case
        .vector
        .as_deref()
        .unwrap_or_default()
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    stages.run(Stage::Roundtrip, || {
        if set == "verify" {
            return Ok(());
        }
        // Our signer over the same bytes gives the SDK's hex, and accepts it.
        for (name, v) in &vectors {
            if v["signature"].is_null() {
                continue; // error(): the SDK sends no signature
            }
            let signature = text(v, "signature")?;
            let s = signer(&text(v, "key")?);
            let body = text(v, "body")?;
            if s.sign(body.as_bytes()) != signature {
                return Err(format!(
                    "{name}: signed {}, the SDK {signature}",
                    s.sign(body.as_bytes())
                ));
            }
            s.verify(body.as_bytes(), &signature)
                .map_err(|e| format!("{name}: {e}"))?;
        }
        Ok(())
    });
    let mut shown = String::new();
    stages
        .run_async(Stage::Wire, || async {
            for (name, v) in &vectors {
                let key = text(v, "key")?;
                let body = text(v, "body")?;
                match set.as_str() {
                    "verify" => {
                        let endpoint = Endpoint::new(
                            &Secret::new(key.clone()),
                            Declares(deskwire_engage_digital::inbound::ImplementationInfo::builder().build_unchecked()),
                        )
                        .map_err(|e| e.to_string())?;
                        let mut request = InboundRequest::post(body.clone());
                        if let Some(h) = v["header"].as_str() {
                            request = request.header(SIGNATURE_HEADER, h);
                        }
                        if let Some(q) = v["query_signature"].as_str() {
                            request = request.query(format!("signature={q}"));
                        }
                        // Judged by the answer, as Engage Digital sees it: a request the
                        // signature check refuses is answered `Invalid signature` or
                        // `Missing signature`; anything else got past it.
                        let answer = endpoint.handle(request).await;
                        let ours = !matches!(&answer.body[..], b"Invalid signature" | b"Missing signature");
                        let theirs = v["accepted"].as_bool().ok_or("no `accepted`")?;
                        let deviates = case.deviations.iter().any(|d| d == name);
                        match (ours == theirs, deviates) {
                            (true, false) => {}
                            (false, true) => {}
                            (false, false) => {
                                return Err(format!("{name}: the SDK says accepted={theirs}, the endpoint {ours}"))
                            }
                            (true, true) => return Err(format!("{name}: listed as a deviation but agrees")),
                        }
                        shown.push_str(&format!(
                            "{name}: sdk {theirs}, endpoint {ours}{}\n",
                            if deviates { " (deviation)" } else { "" }
                        ));
                    }
                    "sign" if !key.trim().is_empty() && !body.is_empty() => {
                        // The client sends exactly these bytes with exactly this header.
                        let signature = text(v, "signature")?;
                        let server = MockServer::start().await;
                        Mock::given(method("POST"))
                            .and(path(realtime_path()))
                            .and(header("x-smccsdk-signature", signature.as_str()))
                            .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
                            .expect(1)
                            .mount(&server)
                            .await;
                        let client = client(&server, &key)?;
                        let prepared = client.prepare_bytes(body.clone()).map_err(|e| e.to_string())?;
                        client
                            .send_prepared(&prepared)
                            .await
                            .map_err(|e| format!("{name}: the mock refused the signature header: {e}"))?;
                        shown.push_str(&format!("{name}: {signature}\n"));
                    }
                    "sign" => shown.push_str(&format!(
                        "{name}: {} (not sendable: empty key or body)\n",
                        text(v, "signature")?
                    )),
                    "respond" if v["signature"].is_null() => {
                        // error(): a bare 400 without a signature, which Engage Digital cannot
                        // authenticate; the endpoint signs every answer, errors included.
                        shown.push_str(&format!(
                            "{name}: {} unsigned\n",
                            v["status"].as_str().unwrap_or_default()
                        ));
                    }
                    "respond" => {
                        let signature = text(v, "signature")?;
                        // An implementation.info answer served by the endpoint is byte for byte
                        // the SDK's when no escaping differs, and so is its signature.
                        if let Ok(info) =
                            serde_json::from_str::<deskwire_engage_digital::inbound::ImplementationInfo>(&body)
                        {
                            if body.contains("\"objects\"") {
                                let endpoint = Endpoint::new(&Secret::new(key.clone()), Declares(info))
                                    .map_err(|e| e.to_string())?;
                                let request_body = r#"{"action":"implementation.info","time":"2012-10-01T17:18:40Z"}"#;
                                let request = InboundRequest::post(request_body)
                                    .header(SIGNATURE_HEADER, &signer(&key).sign(request_body.as_bytes()));
                                let answer = endpoint.handle(request).await;
                                if answer.body != body.as_bytes()
                                    || answer.header(SIGNATURE_HEADER) != Some(signature.as_str())
                                {
                                    return Err(format!(
                                        "{name}: the endpoint answered {} signed {:?}",
                                        String::from_utf8_lossy(&answer.body),
                                        answer.header(SIGNATURE_HEADER)
                                    ));
                                }
                            }
                        }
                        shown.push_str(&format!(
                            "{name}: {} {signature}\n",
                            v["status"].as_str().unwrap_or_default()
                        ));
                    }
                    other => return Err(format!("unknown vector set `{other}`")),
                }
            }
            Ok(())
        })
        .await;
    stages.run(Stage::Snapshot, || snapshot::check(&case.dir, "result", &shown));
    stages.run(Stage::Properties, || {
        for (_, v) in &vectors {
            let (Ok(key), Ok(body), Ok(signature)) = (text(v, "key"), text(v, "body"), text(v, "signature")) else {
                continue;
            };
            if set == "verify" {
                continue;
            }
            let s = signer(&key);
            every_bit_flip_fails(body.as_bytes(), |b| s.verify(b, &signature).is_ok())?;
        }
        if !case.documented.is_empty() {
            for (_, v) in &vectors {
                let s = signer(&text(v, "key")?);
                if s.verify(case.documented.trim_end().as_bytes(), &text(v, "signature")?)
                    .is_ok()
                {
                    return Err("the printed example, which differs from the signed bytes, also verifies".into());
                }
            }
        }
        Ok(())
    });
}

async fn signature(case: &Case, ctx: &Context, stages: &mut Stages) {
    if case.vector.is_some() {
        return upstream_signature(case, ctx, stages).await;
    }
    let Some(spec) = case.signature.clone() else {
        return stages.run(Stage::Parse, || Err("[signature] is missing".into()));
    };
    let mut body = Vec::new();
    stages.run(Stage::Parse, || {
        check_parse_common(case, ctx)?;
        body = case.file(&spec.body_file)?;
        let value: Value = serde_json::from_slice(&body).map_err(|e| format!("{} is not JSON: {e}", spec.body_file))?;
        // A code example must carry the key; a printed body must mean the same JSON as the signed one.
        if case.documented.contains(&spec.key) {
            for s in strings(&value) {
                if !case.documented.contains(&s) {
                    return Err(format!("the signed body has `{s}`, which the documented code does not"));
                }
            }
            Ok(())
        } else {
            let printed: Value = serde_json::from_str(&case.documented).map_err(|e| format!("documented body: {e}"))?;
            (printed == value)
                .then_some(())
                .ok_or_else(|| "documented and signed bodies differ".to_owned())
        }
    });
    let is_send_api = case.operation != "implementation.info";
    if is_send_api {
        stages.run(Stage::Roundtrip, || {
            let req: SendRequest = serde_json::from_slice(&body).map_err(|e| format!("does not decode: {e}"))?;
            let encoded: Value =
                serde_json::from_slice(&req.to_body().map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
            let original: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
            (encoded == original)
                .then_some(())
                .ok_or_else(|| format!("re-encoding changed the body: {encoded}"))
        });
    } else {
        stages.skip(Stage::Roundtrip, "implementation.info belongs to the polling endpoint");
    }
    let mut shown = String::new();
    stages
        .run_async(Stage::Wire, || async {
            let s = signer(&spec.key);
            let got = s.sign(&body);
            if got != spec.expected {
                return Err(format!("signature {got}, expected {}", spec.expected));
            }
            s.verify(&body, &spec.expected.to_uppercase())
                .map_err(|e| format!("upper-case form refused: {e}"))?;
            shown = format!(
                "key: {}\nbody: {}\nsignature: {got}\n",
                spec.key,
                String::from_utf8_lossy(&body)
            );
            if !is_send_api {
                return Ok(());
            }
            // Replay the example's exact bytes through the client: same bytes, same header.
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .and(path(realtime_path()))
                .and(header("x-smccsdk-signature", spec.expected.as_str()))
                .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
                .expect(1)
                .mount(&server)
                .await;
            let client = client(&server, &spec.key)?;
            let prepared = client.prepare_bytes(body.clone()).map_err(|e| e.to_string())?;
            let result = client.send_prepared(&prepared).await;
            let received = server.received_requests().await.unwrap_or_default();
            if received.first().map(|r| r.body.as_slice()) != Some(body.as_slice()) {
                return Err("the client did not send the example's exact bytes".into());
            }
            result
                .as_ref()
                .map_err(|e| format!("the mock refused the signature header: {e}"))?;
            shown.push_str(&format!("replayed: {} -> {result:?}\n", prepared.action()));
            Ok(())
        })
        .await;
    stages.run(Stage::Snapshot, || snapshot::check(&case.dir, "signature", &shown));
    stages.run(Stage::Properties, || {
        let s = signer(&spec.key);
        every_bit_flip_fails(&body, |b| s.verify(b, &spec.expected).is_ok())?;
        let documented = case.documented.trim_end_matches('\n').as_bytes();
        if documented != body.as_slice() && s.verify(documented, &spec.expected).is_ok() {
            return Err("the documented text, which differs from the signed body, also verifies".into());
        }
        decoder_survives(spec.expected.as_bytes(), |sig| {
            s.verify(&body, &String::from_utf8_lossy(sig))
        })
    });
}

/// Every string and number leaf of a JSON value, as text.
fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Number(n) => vec![n.to_string()],
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        Value::Object(map) => map.values().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}
