//! Engage Digital cases: Send API requests, `ok` answers, the error table, the typing rule and
//! signature vectors, replayed through `deskwire-engage-digital`. Polling-endpoint cases live in
//! `engage_digital_endpoint`.

use deskwire_core::retry::RetryPolicy;
use deskwire_core::{Delivery, Secret};
use deskwire_engage_digital::testing::SignedBy;
use deskwire_engage_digital::wire::{MarkAsRead, SendParams, SendRequest, TypingStart, TypingStop, TypingTarget};
use deskwire_engage_digital::{interpret_response, Error, SendApiClient, Signer, TypingLimit, TYPING_START_INTERVAL};
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

/// A request of `operation` for cases that exercise answers.
fn sample(operation: &str) -> SendRequest {
    match operation {
        "typing.start" => SendRequest::TypingStart(TypingStart::new(TypingTarget::thread("42").in_reply_to_id("890"), "Hello world")),
        "typing.stop" => SendRequest::TypingStop(TypingStop::new(TypingTarget::thread("42"))),
        "messages.create" => serde_json::from_str(
            r#"{"action":"messages.create","params":{"id":"890","author":{"id":"666","created_at":"06/11/2017","screenname":"John Doe"},"body":"Awesome post !","thread_id":"42"}}"#,
        )
        .expect("sample decodes"),
        _ => SendRequest::MarkAsRead(MarkAsRead::new("890")),
    }
}

async fn answer(case: &Case, status: u16, body: &str) -> Result<Result<(), Error>, String> {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(realtime_path()))
        .respond_with(ResponseTemplate::new(status).set_body_string(body))
        .mount(&server)
        .await;
    Ok(client(&server, TOKEN)?.send(&sample(&case.operation)).await.map(drop))
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
            let outcome = answer(case, spec.status, &body).await?;
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
                let outcome = answer(case, spec.status, &sent).await?;
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
                    "answer: {} {sent}\nerror: {err:?}\nmessage: {err}\n\n",
                    spec.status
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
        for needle in ["1 request / thread", "every 2 seconds", "typing.stop", "reset"] {
            if !case.documented.contains(needle) {
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
                    Err(Error::TypingThrottled { key, .. }) => {
                        format!("refused client-side ({key}), nothing sent")
                    }
                    Err(e) => format!("error: {e}"),
                };
                log.push_str(&format!("{what}: {shown}\n"));
                if outcome.is_ok() != ok || (!ok && !matches!(outcome, Err(Error::TypingThrottled { .. }))) {
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

async fn signature(case: &Case, ctx: &Context, stages: &mut Stages) {
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
