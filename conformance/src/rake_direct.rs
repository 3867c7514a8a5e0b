//! Rake Direct cases: the seed's six request bodies. Five are not strict JSON; each case records
//! its named repairs and the sample values that replace its placeholders, then the body must
//! read back as one documented scenario, encode to the same JSON value, pass validation and
//! reach a wiremock Rake exactly as documented.

use deskwire_core::Secret;
use deskwire_rake_direct::wire::{RakeDirectRequest, SessionId};
use deskwire_rake_direct::RakeDirectClient;
use serde_json::Value;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::case::{Case, Kind};
use crate::properties::decoder_survives;
use crate::snapshot;
use crate::stage::{CaseReport, Stage, Stages};
use crate::Context;

const WORKSPACE: &str = "ws-42";

/// Runs one Rake Direct case.
pub async fn run(case: &Case, ctx: &Context) -> CaseReport {
    let mut stages = Stages::new();
    match case.kind {
        Kind::Request => request(case, ctx, &mut stages).await,
        other => stages.run(Stage::Parse, || {
            Err(format!("kind `{}` has no Rake Direct runner", other.name()))
        }),
    }
    stages.finish(case)
}

async fn request(case: &Case, ctx: &Context, stages: &mut Stages) {
    let mut expected = Value::Null;
    stages.run(Stage::Parse, || {
        expected = ctx.parse_example(case)?;
        Ok(())
    });
    let mut typed: Option<(RakeDirectRequest, Secret)> = None;
    stages.run(Stage::Roundtrip, || {
        let bytes = serde_json::to_vec(&expected).map_err(|e| e.to_string())?;
        let request = RakeDirectRequest::from_body(&bytes).map_err(|e| e.to_string())?;
        let secret = Secret::new(
            serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .and_then(|v| v["secret"].as_str().map(str::to_owned))
                .unwrap_or_default(),
        );
        if request.scenario() != case.operation {
            return Err(format!(
                "read back as `{}`, case says `{}`",
                request.scenario(),
                case.operation
            ));
        }
        if !RakeDirectRequest::carries_secret(&bytes, &secret) {
            return Err("the body's secret was not recognised".into());
        }
        let encoded: Value =
            serde_json::from_slice(&request.to_body(&secret).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
        if encoded != expected {
            return Err(format!(
                "re-encoding changed the example:\n documented {expected}\n encoded    {encoded}"
            ));
        }
        typed = Some((request, secret));
        Ok(())
    });
    let mut shown = String::new();
    stages
        .run_async(Stage::Wire, || async {
            let (request, secret) = typed.as_ref().ok_or("no typed request")?;
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .and(path(format!("/workspaces/{WORKSPACE}/rake-direct")))
                .and(header("content-type", "application/json"))
                .and(body_json(&expected))
                .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"sessionId":13731}"#))
                .expect(1)
                .mount(&server)
                .await;
            let client = RakeDirectClient::builder(WORKSPACE, secret.clone())
                .base_url(server.uri())
                .build()
                .map_err(|e| e.to_string())?;
            let prepared = client
                .prepare(request)
                .map_err(|e| format!("the typed API refused it: {e}"))?;
            let response = client
                .send_prepared(&prepared)
                .await
                .map_err(|e| format!("the mock refused the request: {e}"))?;
            if matches!(request, RakeDirectRequest::Open(_)) && response.session_id != Some(SessionId(13731)) {
                return Err("the documented sessionId answer was not read".into());
            }
            // The snapshot must not carry the workspace secret, even a sample one.
            let sent = String::from_utf8_lossy(prepared.body()).replace(secret.expose(), "***");
            shown = format!(
                "scenario: {}\nsent (secret masked): {sent}\nsession id: {:?}\ntyped: {request:#?}\n",
                prepared.scenario(),
                response.session_id
            );
            if shown.contains(secret.expose()) {
                return Err("the workspace secret would be written to the snapshot".into());
            }
            Ok(())
        })
        .await;
    stages.run(Stage::Snapshot, || snapshot::check(&case.dir, "sent", &shown));
    stages.run(Stage::Properties, || {
        let bytes = serde_json::to_vec(&expected).map_err(|e| e.to_string())?;
        decoder_survives(&bytes, |b| {
            // Whatever reads back must encode to the same JSON value.
            if let Ok(request) = RakeDirectRequest::from_body(b) {
                let secret = Secret::new(
                    serde_json::from_slice::<serde_json::Value>(b)
                        .ok()
                        .and_then(|v| v["secret"].as_str().map(str::to_owned))
                        .unwrap_or_default(),
                );
                let again: Value = serde_json::from_slice(&request.to_body(&secret).expect("encodes")).expect("JSON");
                let original: Value = serde_json::from_slice(b).expect("it parsed");
                assert_eq!(again, original);
            }
        })
    });
}
