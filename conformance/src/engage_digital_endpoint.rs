//! Engage Digital polling cases: the requests Engage Digital sends to a Channel SDK endpoint and
//! the `implementation.info` answer, replayed through `deskwire_engage_digital::inbound`.
//!
//! A request case is sent, signed (with the published signature when the docs give one), to an
//! [`Endpoint`] around a recording source: the signature must be checked, the typed action must
//! reach the right method, and the answer must be signed so that it verifies with the same token.

use std::sync::Mutex;

use deskwire_core::Secret;
use deskwire_engage_digital::inbound::{
    list_page, Action, ActionError, Create, Custom, Endpoint, ImplementationInfo, InboundRequest, List, ObjectName,
    Resource, Source, Target,
};
use deskwire_engage_digital::testing::decode_call;
use deskwire_engage_digital::wire::{Message, Operation, QueuingUpdate, User};
use deskwire_engage_digital::{Signer, SIGNATURE_HEADER};
use serde_json::Value;

use crate::case::{Case, PollRole, PollSpec};
use crate::properties::{decoder_survives, every_bit_flip_fails};
use crate::repair::repair_and_parse;
use crate::snapshot;
use crate::stage::{Stage, Stages};
use crate::Context;

/// The key of the docs' request/response page (`request-response.md`, whose published
/// signature the official PHP SDK reproduces).
const DOC_KEY: &str = "3YJZzqMJ5Ec7i2JGvnt8TgvleD7dtpwpmag4S6MuRA2GQdfvV4STIsxDRJ4fEjO8";

fn signer() -> Signer {
    Signer::new(&Secret::new(DOC_KEY))
}

/// A source that records each call and answers as the docs' realtime stub suggests.
struct Recorder {
    info: ImplementationInfo,
    calls: Mutex<Vec<String>>,
}

impl Recorder {
    fn new(info: ImplementationInfo) -> Self {
        Self {
            info,
            calls: Mutex::new(Vec::new()),
        }
    }

    fn record(&self, call: String) {
        self.calls.lock().expect("not poisoned").push(call);
    }

    fn calls(&self) -> Vec<String> {
        self.calls.lock().expect("not poisoned").clone()
    }

    fn message(id: &str) -> Message {
        let author = User::new("42", "Alice", "2021-05-13T01:00:00Z");
        Message::new(id, "23456", author).body("Hello")
    }
}

impl Source for Recorder {
    async fn implementation_info(&self) -> Result<ImplementationInfo, ActionError> {
        self.record("implementation_info()".into());
        Ok(self.info.clone())
    }
    async fn list(&self, request: List) -> Result<Vec<Resource>, ActionError> {
        self.record(format!("{request:?}"));
        let stored: Vec<Message> = ["130", "131", "132"].into_iter().map(Self::message).collect();
        let page = list_page(&stored, request.since_id.as_deref(), 2, |m| &m.content.id);
        Ok(page.into_iter().map(|m| m.clone().into()).collect())
    }
    async fn show(&self, request: Target) -> Result<Resource, ActionError> {
        self.record(format!("show({request:?})"));
        Ok(Self::message(&request.id).into())
    }
    async fn create(&self, request: Create) -> Result<Resource, ActionError> {
        self.record(format!("{request:?}"));
        Ok(Resource::id_only("source-1"))
    }
    async fn delete(&self, request: Target) -> Result<Resource, ActionError> {
        self.record(format!("delete({request:?})"));
        Ok(Self::message(&request.id).into())
    }
    async fn publish(&self, request: Target) -> Result<Resource, ActionError> {
        self.record(format!("publish({request:?})"));
        Ok(Self::message(&request.id).into())
    }
    async fn unpublish(&self, request: Target) -> Result<Resource, ActionError> {
        self.record(format!("unpublish({request:?})"));
        Ok(Self::message(&request.id).into())
    }
    async fn custom(&self, request: Custom) -> Result<Resource, ActionError> {
        self.record(format!("{request:?}"));
        Ok(Self::message(&request.id).into())
    }
    async fn queuing_update(&self, update: QueuingUpdate) -> Result<(), ActionError> {
        self.record(format!("{update:?}"));
        Ok(())
    }
}

fn typical_info() -> ImplementationInfo {
    ImplementationInfo::builder()
        .object(
            ObjectName::Messages,
            [Operation::Create, Operation::Show, Operation::List],
        )
        .build_unchecked()
}

/// Runs one polling case.
pub async fn run(
    case: &Case,
    ctx: &Context,
    stages: &mut Stages,
    check_common: fn(&Case, &Context) -> Result<(), String>,
) {
    let Some(spec) = case.poll.clone() else {
        return stages.run(Stage::Parse, || Err("[poll] is missing".into()));
    };
    match spec.role {
        PollRole::Request => request(case, ctx, &spec, stages, check_common).await,
        PollRole::Answer => answer(case, ctx, stages, check_common).await,
    }
}

async fn request(
    case: &Case,
    ctx: &Context,
    spec: &PollSpec,
    stages: &mut Stages,
    check_common: fn(&Case, &Context) -> Result<(), String>,
) {
    let mut body = Vec::new();
    stages.run(Stage::Parse, || {
        check_common(case, ctx)?;
        let file = spec.request_file.as_deref().ok_or("[poll] request_file is missing")?;
        body = case.file(file)?;
        let sent: Value = serde_json::from_slice(&body).map_err(|e| format!("{file} is not JSON: {e}"))?;
        if spec.shape {
            // The row must name the operation and every parameter the replayed request carries.
            // A custom action is named generically (`<custom>`) in the docs' table.
            let is_custom = decode_call(&body).is_ok_and(|c| matches!(c.action, Action::Custom(_)));
            let operation = if is_custom {
                "<custom>"
            } else {
                case.operation.rsplit('.').next().unwrap_or_default()
            };
            // The row the request was built from (synthesised cases quote it in `row`).
            let row = case.row.as_deref().unwrap_or(&case.documented);
            let named =
                |word: &str| row.contains(&format!("`{word}`")) || row.contains(word) || case.heading.contains(word);
            if !named(operation) {
                return Err(format!("the documented row does not name `{operation}`"));
            }
            for key in sent["params"].as_object().into_iter().flat_map(|p| p.keys()) {
                if !named(key) {
                    return Err(format!(
                        "the replayed request sends `{key}`, which the documented row does not name"
                    ));
                }
            }
        } else {
            let (documented, _) = repair_and_parse(&case.documented)?;
            if documented != sent {
                return Err(format!(
                    "{file} is not the documented request:\n documented {documented}\n file       {sent}"
                ));
            }
        }
        Ok(())
    });
    let mut decoded = String::new();
    stages.run(Stage::Roundtrip, || {
        let call = decode_call(&body).map_err(|e| format!("does not decode: {e}"))?;
        if call.action.name() != case.operation {
            return Err(format!(
                "decoded as `{}`, case says `{}`",
                call.action.name(),
                case.operation
            ));
        }
        decoded = format!("{:#?}", call.action);
        Ok(())
    });
    let mut exchange = String::new();
    stages
        .run_async(Stage::Wire, || async {
            let token = Secret::new(DOC_KEY);
            let signature = spec.signature.clone().unwrap_or_else(|| signer().sign(&body));
            if signer().sign(&body) != signature {
                return Err("the published signature does not match the request bytes".into());
            }
            let endpoint = Endpoint::new(&token, Recorder::new(typical_info())).map_err(|e| e.to_string())?;
            // A changed byte is refused before the source runs.
            let mut tampered = body.clone();
            if let Some(last) = tampered.iter().rposition(|b| b.is_ascii_alphanumeric()) {
                tampered[last] ^= 0x01;
            }
            let refused = endpoint
                .handle(InboundRequest::post(tampered).header(SIGNATURE_HEADER, &signature))
                .await;
            if refused.status != 422 || !endpoint.source().calls().is_empty() {
                return Err(format!("a tampered request got {} and reached the source", refused.status));
            }
            // The request as Engage Digital sends it.
            let request = InboundRequest::post(body.clone()).header(SIGNATURE_HEADER, &signature);
            let response = endpoint.handle(request).await;
            let answer_signature = response.header(SIGNATURE_HEADER).ok_or("the answer is not signed")?.to_owned();
            signer()
                .verify(&response.body, &answer_signature)
                .map_err(|e| format!("the answer's signature does not verify: {e}"))?;
            if response.status != 200 {
                return Err(format!("the endpoint answered {}", response.status));
            }
            let calls = endpoint.source().calls();
            if calls.len() != 1 {
                return Err(format!("the source saw {} calls, expected 1", calls.len()));
            }
            exchange = format!(
                "request: {}\nsignature: {signature}\nsource saw: {}\nanswer: {} {}\nanswer signature: {answer_signature}\n",
                String::from_utf8_lossy(&body),
                calls[0],
                response.status.as_u16(),
                String::from_utf8_lossy(&response.body),
            );
            Ok(())
        })
        .await;
    stages.run(Stage::Snapshot, || {
        snapshot::check(&case.dir, "exchange", &format!("{exchange}\ndecoded: {decoded}\n"))
    });
    stages.run(Stage::Properties, || {
        let s = signer();
        let signature = s.sign(&body);
        every_bit_flip_fails(&body, |b| s.verify(b, &signature).is_ok())?;
        decoder_survives(&body, decode_call)
    });
}

async fn answer(
    case: &Case,
    ctx: &Context,
    stages: &mut Stages,
    check_common: fn(&Case, &Context) -> Result<(), String>,
) {
    let mut documented = Value::Null;
    stages.run(Stage::Parse, || {
        let (value, _) = repair_and_parse(&case.documented)?;
        check_common(case, ctx)?;
        documented = value;
        Ok(())
    });
    let mut info = ImplementationInfo::default();
    stages.run(Stage::Roundtrip, || {
        info = serde_json::from_value(documented.clone()).map_err(|e| format!("does not decode: {e}"))?;
        let encoded = serde_json::to_value(&info).map_err(|e| e.to_string())?;
        (encoded == documented)
            .then_some(())
            .ok_or_else(|| format!("re-encoding changed the example: {encoded}"))
    });
    let mut shown = String::new();
    stages
        .run_async(Stage::Wire, || async {
            let endpoint =
                Endpoint::new(&Secret::new(DOC_KEY), Recorder::new(info.clone())).map_err(|e| e.to_string())?;
            let body = br#"{"action":"implementation.info","time":"2012-10-01T17:18:40Z"}"#;
            let request = InboundRequest::post(&body[..]).header(SIGNATURE_HEADER, &signer().sign(body));
            let response = endpoint.handle(request).await;
            let signature = response.header(SIGNATURE_HEADER).ok_or("the answer is not signed")?;
            signer()
                .verify(&response.body, signature)
                .map_err(|e| format!("the answer's signature does not verify: {e}"))?;
            if response.json().as_ref() != Some(&documented) {
                return Err("the endpoint did not answer the documented value".into());
            }
            let problems: Vec<String> = info.problems().iter().map(ToString::to_string).collect();
            shown = format!(
                "answer: {}\nsignature: {signature}\nrules the example breaks ({}):\n{}\n",
                String::from_utf8_lossy(&response.body),
                problems.len(),
                problems.iter().map(|p| format!("- {p}\n")).collect::<String>()
            );
            Ok(())
        })
        .await;
    stages.run(Stage::Snapshot, || snapshot::check(&case.dir, "answer", &shown));
    stages.run(Stage::Properties, || {
        let text = serde_json::to_vec(&documented).map_err(|e| e.to_string())?;
        decoder_survives(&text, |b| {
            // Whatever decodes must encode again and decode to the same declaration.
            if let Ok(info) = serde_json::from_slice::<ImplementationInfo>(b) {
                let again: ImplementationInfo =
                    serde_json::from_slice(&serde_json::to_vec(&info).expect("encodes")).expect("decodes");
                assert_eq!(again, info);
            }
        })
    });
}
