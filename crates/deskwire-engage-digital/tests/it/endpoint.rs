//! The polling endpoint at its boundary: raw bytes in, signed bytes out.

use std::sync::{Arc, Mutex};

use deskwire_core::Secret;
use deskwire_engage_digital::inbound::{
    Action, ActionError, Create, Custom, Endpoint, ImplementationInfo, InboundRequest, InboundResponse, List,
    ObjectName, ObjectType, Resource, Source, Target,
};
use deskwire_engage_digital::testing::decode_call;
use deskwire_engage_digital::wire::{Message, Operation, QueuingUpdate, User};
use deskwire_engage_digital::{Signer, SIGNATURE_HEADER};
use http::{Method, StatusCode};
use proptest::prelude::*;
use serde_json::json;

/// The key of the request/response example (ringcentral/engage-digital-api-docs@95ff4ddccb59a3acb0f906533e46597ffaf8dae6 docs/sdks/source-sdk/request-response.md).
pub const DOC_KEY: &str = "3YJZzqMJ5Ec7i2JGvnt8TgvleD7dtpwpmag4S6MuRA2GQdfvV4STIsxDRJ4fEjO8";
const INFO_BODY: &str = r#"{"action":"implementation.info","time":"2012-10-01T17:18:40Z"}"#;

fn signer() -> Signer {
    Signer::new(&Secret::new(DOC_KEY))
}

fn signed(body: &str) -> InboundRequest {
    InboundRequest::post(body.to_owned()).header(SIGNATURE_HEADER, &signer().sign(body.as_bytes()))
}

/// Records what reached it; answers every action.
#[derive(Default)]
struct Recorder {
    calls: Mutex<Vec<String>>,
}

impl Recorder {
    fn record(&self, what: String) {
        self.calls.lock().unwrap().push(what);
    }

    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

fn message(id: &str) -> Message {
    Message::new(id, "t1", User::new("u1", "Ann", "2021-05-13")).body("hi")
}

impl Source for Recorder {
    async fn implementation_info(&self) -> Result<ImplementationInfo, ActionError> {
        self.record("implementation.info".into());
        Ok(ImplementationInfo::builder()
            .object(
                ObjectName::Messages,
                [Operation::List, Operation::Show, Operation::Create],
            )
            .build_unchecked())
    }
    async fn list(&self, request: List) -> Result<Vec<Resource>, ActionError> {
        self.record(format!("{}.list since={:?}", request.object, request.since_id));
        Ok(vec![message("m2").into(), message("m1").into()])
    }
    async fn show(&self, request: Target) -> Result<Resource, ActionError> {
        self.record(format!("{}.show {}", request.object, request.id));
        Ok(message(&request.id).into())
    }
    async fn create(&self, request: Create) -> Result<Resource, ActionError> {
        self.record(format!(
            "{}.create author={:?} body={:?} retry={}",
            request.object,
            request.content.author_id,
            request.content.body,
            request.content.is_retry()
        ));
        Ok(Resource::id_only("new-1"))
    }
    async fn delete(&self, request: Target) -> Result<Resource, ActionError> {
        self.record(format!("{}.delete {}", request.object, request.id));
        Err(ActionError::Retry("database busy".into()))
    }
    async fn publish(&self, request: Target) -> Result<Resource, ActionError> {
        self.record(format!("{}.publish {}", request.object, request.id));
        Err(ActionError::Fatal("gone for good".into()))
    }
    async fn unpublish(&self, request: Target) -> Result<Resource, ActionError> {
        self.record(format!("{}.unpublish {}", request.object, request.id));
        Err(ActionError::Unavailable("maintenance".into()))
    }
    async fn custom(&self, request: Custom) -> Result<Resource, ActionError> {
        self.record(format!(
            "{}.{} {} by {:?}",
            request.object, request.operation, request.id, request.user_id
        ));
        Ok(message(&request.id).into())
    }
    async fn queuing_update(&self, update: QueuingUpdate) -> Result<(), ActionError> {
        self.record(format!("queuing_update position={:?}", update.position));
        Ok(())
    }
}

/// Implements only what is required.
struct Bare;

impl Source for Bare {
    async fn implementation_info(&self) -> Result<ImplementationInfo, ActionError> {
        Ok(ImplementationInfo::default())
    }
}

fn endpoint<S: Source>(source: S) -> Endpoint<S> {
    Endpoint::new(&Secret::new(DOC_KEY), source).unwrap()
}

/// Every answer carries a signature that verifies over its body with the channel token.
fn assert_signed(response: &InboundResponse) {
    let signature = response.header(SIGNATURE_HEADER).expect("signature header");
    signer()
        .verify(&response.body, signature)
        .expect("response signature verifies");
}

fn text(response: &InboundResponse) -> &str {
    std::str::from_utf8(&response.body).unwrap()
}

#[tokio::test]
async fn signed_request_reaches_the_source_and_the_answer_is_signed() {
    let e = endpoint(Recorder::default());
    let response = e.handle(signed(INFO_BODY)).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        text(&response),
        r#"{"objects":{"messages":["list","show","create"]},"options":[]}"#
    );
    assert_eq!(
        response.header(SIGNATURE_HEADER),
        Some("02314eac2984e1d8e4170899409a1bcbd3cff84519e5d75d0ba69d744d79b51fdad505e82a45c3f966b2f8b9bc2a85cd40f11d00ce4a860e116c221677321434")
    );
    assert_eq!(response.headers["content-type"], "application/json");
    assert_eq!(e.source().calls(), ["implementation.info"]);
}

#[tokio::test]
async fn the_docs_vector_is_accepted_as_engage_digital_sends_it() {
    let e = endpoint(Recorder::default());
    let request = InboundRequest::post(INFO_BODY).header(SIGNATURE_HEADER,
        "826b61e7939505b2e773ef43a2aad53ec0385dd9d783fbd1c8fea00d0e2a3e2fb0ae0a5b2eb342356b61c41b5f19baec4c1f7e7e37a5b486fe9b593942017ff9",
    );
    assert_eq!(e.handle(request).await.status, StatusCode::OK);
}

#[tokio::test]
async fn one_changed_byte_anywhere_gets_422_and_never_reaches_the_source() {
    let e = endpoint(Recorder::default());
    let body = r#"{"action":"messages.create","params":{"author_id":"1234","body":"Yes I can."},"time":"2021-05-13T01:23:25Z"}"#;
    let signature = signer().sign(body.as_bytes());
    for i in 0..body.len() {
        let mut tampered = body.as_bytes().to_vec();
        tampered[i] ^= 0x20;
        let response = e
            .handle(InboundRequest::post(tampered).header(SIGNATURE_HEADER, &signature))
            .await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "byte {i}");
        assert_eq!(text(&response), "Invalid signature");
        assert_signed(&response);
    }
    // And one changed character of the signature.
    let mut sig = signature.clone().into_bytes();
    sig[10] = if sig[10] == b'0' { b'1' } else { b'0' };
    let response = e
        .handle(InboundRequest::post(body).header(SIGNATURE_HEADER, std::str::from_utf8(&sig).unwrap()))
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e.source().calls().is_empty());
}

/// The official PHP SDK's rule (`is_valid_request`: header `===` HMAC **or** `?signature=` `===`
/// HMAC): either place may carry the MAC, and a right one in one place is not spoiled by a
/// wrong one in the other. The conformance suite replays the SDK's own verdicts.
#[tokio::test]
async fn the_header_or_the_query_parameter_authenticates() {
    let e = endpoint(Recorder::default());
    let good = signer().sign(INFO_BODY.as_bytes());
    let bad = "0".repeat(128);
    let status = |header: Option<&str>, query: Option<&str>| {
        let mut request = InboundRequest::post(INFO_BODY);
        if let Some(h) = header {
            request = request.header(SIGNATURE_HEADER, h);
        }
        if let Some(q) = query {
            request = request.query(format!("foo=1&signature={q}"));
        }
        let e = &e;
        async move { e.handle(request).await.status }
    };
    assert_eq!(status(Some(&good), None).await, StatusCode::OK);
    assert_eq!(status(None, Some(&good)).await, StatusCode::OK);
    assert_eq!(
        status(Some(&bad), Some(&good)).await,
        StatusCode::OK,
        "a right query beside a wrong header"
    );
    assert_eq!(
        status(Some(&good), Some(&bad)).await,
        StatusCode::OK,
        "a right header beside a wrong query"
    );
    assert_eq!(status(Some(&bad), Some(&bad)).await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(status(Some(&bad), None).await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(status(None, Some(&bad)).await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(status(Some(""), Some("")).await, StatusCode::UNPROCESSABLE_ENTITY);
    let missing = e.handle(InboundRequest::post(INFO_BODY)).await;
    assert_eq!(
        (missing.status, text(&missing)),
        (StatusCode::UNPROCESSABLE_ENTITY, "Missing signature")
    );
    assert_eq!(e.source().calls().len(), 4);
    // Turned off, the query parameter counts for nothing, beside a header or alone.
    let strict = endpoint(Recorder::default()).accept_query_signature(false);
    let by_query = InboundRequest::post(INFO_BODY).query(format!("signature={good}"));
    let refused = strict.handle(by_query).await;
    assert_eq!(
        (refused.status, text(&refused)),
        (StatusCode::UNPROCESSABLE_ENTITY, "Missing signature")
    );
    let beside = InboundRequest::post(INFO_BODY)
        .header(SIGNATURE_HEADER, &bad)
        .query(format!("signature={good}"));
    assert_eq!(strict.handle(beside).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(strict.source().calls().is_empty());
}

#[tokio::test]
async fn method_and_size_are_checked_before_the_signature() {
    let e = endpoint(Recorder::default()).max_body_bytes(32);
    let mut get = signed(INFO_BODY);
    get.method = Method::GET;
    let response = e.handle(get).await;
    assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers["allow"], "POST");
    assert_signed(&response);

    let response = e.handle(signed(INFO_BODY)).await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(text(&response), "Invalid request size");
    assert!(e.source().calls().is_empty());
}

#[tokio::test]
async fn a_rotated_token_is_accepted_and_each_answer_is_signed_with_the_token_of_its_request() {
    let (new, old) = (Secret::new("new token"), Secret::new(DOC_KEY));
    let e = Endpoint::with_tokens([&new, &old], Recorder::default()).unwrap();
    for token in [&new, &old] {
        let request =
            InboundRequest::post(INFO_BODY).header(SIGNATURE_HEADER, &Signer::new(token).sign(INFO_BODY.as_bytes()));
        let response = e.handle(request).await;
        assert_eq!(response.status, StatusCode::OK);
        let signature = response.header(SIGNATURE_HEADER).unwrap();
        assert_eq!(Signer::new(token).verify(&response.body, signature), Ok(()));
    }
    // A verified body that does not decode is still answered with the token that signed it.
    let request = InboundRequest::post("nope").header(SIGNATURE_HEADER, &Signer::new(&old).sign(b"nope"));
    let response = e.handle(request).await;
    assert_eq!(
        (response.status, text(&response)),
        (StatusCode::BAD_REQUEST, "Bad request")
    );
    assert_eq!(
        Signer::new(&old).verify(&response.body, response.header(SIGNATURE_HEADER).unwrap()),
        Ok(())
    );
    // A token it does not hold is refused; the refusal is signed with the first token.
    let other = Secret::new("other");
    let request =
        InboundRequest::post(INFO_BODY).header(SIGNATURE_HEADER, &Signer::new(&other).sign(INFO_BODY.as_bytes()));
    let response = e.handle(request).await;
    assert_eq!(
        (response.status, text(&response)),
        (StatusCode::UNPROCESSABLE_ENTITY, "Invalid signature")
    );
    assert_eq!(
        Signer::new(&new).verify(&response.body, response.header(SIGNATURE_HEADER).unwrap()),
        Ok(())
    );
    assert_eq!(e.source().calls(), ["implementation.info", "implementation.info"]);
}

#[test]
fn an_empty_token_is_refused_when_the_endpoint_is_built() {
    use deskwire_core::verify::EmptySecret;
    for tokens in [
        vec![Secret::new("")],
        vec![Secret::new("ok"), Secret::new("  ")],
        vec![],
    ] {
        assert!(matches!(
            Endpoint::with_tokens(&tokens, Recorder::default()),
            Err(EmptySecret)
        ));
    }
    assert!(matches!(
        Endpoint::new(&Secret::new(""), Recorder::default()),
        Err(EmptySecret)
    ));
}

#[tokio::test]
async fn every_documented_action_reaches_its_method() {
    let e = endpoint(Recorder::default());
    let cases = [
        (
            r#"{"action":"messages.list","time":"2021-05-13T01:23:25Z"}"#,
            "messages.list since=None",
        ),
        (
            r#"{"action":"threads.list","params":{"since_id":"41"}}"#,
            "threads.list since=Some(\"41\")",
        ),
        (
            r#"{"action":"private_messages.show","params":{"id":"7"}}"#,
            "private_messages.show 7",
        ),
        (
            r#"{"action":"messages.create","params":{"author_id":"1234","body":"Yes I can.","retry":true}}"#,
            "messages.create author=Some(\"1234\") body=Some(\"Yes I can.\") retry=true",
        ),
        (
            r#"{"action":"messages.destroy","params":{"id":"7"}}"#,
            "messages.delete 7",
        ),
        (
            r#"{"action":"threads.publish","params":{"id":"7"}}"#,
            "threads.publish 7",
        ),
        (
            r#"{"action":"messages.unpublish","params":{"id":"7"}}"#,
            "messages.unpublish 7",
        ),
        (
            r#"{"action":"messages.spam","params":{"id":"7","user_id":"agent-3"}}"#,
            "messages.spam 7 by Some(\"agent-3\")",
        ),
        (
            r#"{"action":"messaging.queuing_update","params":{"estimated_wait_time":120,"position":3,"thread_id":"t1","in_reply_to_id":"m1"}}"#,
            "queuing_update position=Some(3)",
        ),
    ];
    for (body, expected) in cases {
        let response = e.handle(signed(body)).await;
        assert_signed(&response);
        assert_eq!(e.source().calls().last().map(String::as_str), Some(expected), "{body}");
    }
}

#[tokio::test]
async fn answers_take_the_documented_forms() {
    let e = endpoint(Recorder::default());
    let list = e.handle(signed(r#"{"action":"messages.list"}"#)).await;
    assert_eq!(list.json().unwrap().as_array().map(Vec::len), Some(2));
    let create = e.handle(signed(r#"{"action":"messages.create","params":{}}"#)).await;
    assert_eq!(text(&create), r#"{"id":"new-1"}"#);
    let retry = e
        .handle(signed(r#"{"action":"messages.delete","params":{"id":"7"}}"#))
        .await;
    assert_eq!(
        (retry.status, text(&retry)),
        (StatusCode::OK, r#"{"error":{"fatal":false,"message":"database busy"}}"#)
    );
    let fatal = e
        .handle(signed(r#"{"action":"messages.publish","params":{"id":"7"}}"#))
        .await;
    assert_eq!(text(&fatal), r#"{"error":{"fatal":true,"message":"gone for good"}}"#);
    let down = e
        .handle(signed(r#"{"action":"messages.unpublish","params":{"id":"7"}}"#))
        .await;
    assert_eq!(
        (down.status, text(&down)),
        (StatusCode::SERVICE_UNAVAILABLE, "maintenance")
    );
    let queued = e
        .handle(signed(r#"{"action":"messaging.queuing_update","params":{}}"#))
        .await;
    assert_eq!((queued.status, text(&queued)), (StatusCode::OK, "{}"));
    for r in [list, create, retry, fatal, down, queued] {
        assert_signed(&r);
    }
}

#[tokio::test]
async fn defaults_answer_not_implemented() {
    let e = endpoint(Bare);
    let content_actions = [
        (r#"{"action":"messages.show","params":{"id":"7"}}"#, "messages.show"),
        (r#"{"action":"threads.create","params":{}}"#, "threads.create"),
        (r#"{"action":"messages.delete","params":{"id":"7"}}"#, "messages.delete"),
        (
            r#"{"action":"messages.publish","params":{"id":"7"}}"#,
            "messages.publish",
        ),
        (
            r#"{"action":"messages.unpublish","params":{"id":"7"}}"#,
            "messages.unpublish",
        ),
        (r#"{"action":"messages.spam","params":{"id":"7"}}"#, "messages.spam"),
    ];
    for (body, name) in content_actions {
        let response = e.handle(signed(body)).await;
        assert_eq!(response.status, StatusCode::OK, "{body}");
        assert_eq!(
            response.json().unwrap(),
            json!({"error": {"fatal": true, "message": format!("{name} is not implemented by this source")}})
        );
        assert_signed(&response);
    }
    for (body, name) in [
        (r#"{"action":"private_messages.list"}"#, "private_messages.list"),
        (r#"{"action":"messaging.queuing_update"}"#, "messaging.queuing_update"),
    ] {
        let response = e.handle(signed(body)).await;
        assert_eq!(response.status, StatusCode::NOT_IMPLEMENTED);
        assert_eq!(text(&response), format!("{name} is not implemented by this source"));
        assert_signed(&response);
    }
}

#[tokio::test]
async fn refusals_use_engage_digitals_own_texts() {
    let e = endpoint(Recorder::default());
    let cases = [
        ("{not json", StatusCode::BAD_REQUEST, "Bad request"),
        (r#"{"params":{}}"#, StatusCode::BAD_REQUEST, "Invalid request format"),
        (
            r#"{"action":"users.list"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid action",
        ),
        (
            r#"{"action":"messages.show","params":{}}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid resource format",
        ),
    ];
    for (body, status, answer) in cases {
        let response = e.handle(signed(body)).await;
        assert_eq!((response.status, text(&response)), (status, answer), "{body}");
        assert_eq!(response.headers["content-type"], "text/plain; charset=utf-8");
        assert_signed(&response);
    }
    assert!(e.source().calls().is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any body, correctly signed: no panic, a signed answer, and the source runs exactly when
    /// the body decodes.
    #[test]
    fn arbitrary_signed_bodies_get_typed_answers(body in prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        "[a-z_.{}\\[\\]\":,0-9 ]{0,120}".prop_map(String::into_bytes),
        (prop_oneof![Just("messages"), Just("threads"), Just("private_messages"), Just("users"), Just("messaging")],
         "[a-z_]{0,12}", proptest::option::of("[a-z0-9\"{}:,]{0,30}"))
            .prop_map(|(o, op, p)| match p {
                Some(p) => format!(r#"{{"action":"{o}.{op}","params":{p}}}"#).into_bytes(),
                None => format!(r#"{{"action":"{o}.{op}"}}"#).into_bytes(),
            }),
    ]) {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let e = endpoint(Recorder::default());
        let signature = signer().sign(&body);
        let response = runtime.block_on(e.handle(InboundRequest::post(body.clone()).header(SIGNATURE_HEADER, &signature)));
        assert_signed(&response);
        let decodes = decode_call(&body).is_ok();
        prop_assert_eq!(e.source().calls().len(), usize::from(decodes));
        if !decodes {
            prop_assert!(response.status.is_client_error());
        }
    }
}

#[test]
fn decoded_actions_keep_their_names() {
    let call = decode_call(br#"{"action":"threads.destroy","params":{"id":"1"}}"#).unwrap();
    assert_eq!(call.action.name(), "threads.delete");
    assert!(matches!(
        call.action,
        Action::Delete(Target {
            object: ObjectType::Threads,
            ..
        })
    ));
}

mod over_http {
    //! The axum router on a real socket.

    use super::*;
    use deskwire_engage_digital::inbound::axum::router;

    async fn serve(e: Endpoint<Recorder>) -> (String, Arc<Endpoint<Recorder>>) {
        let e = Arc::new(e);
        let app = axum::Router::new().nest("/engage", router(e.clone()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        (format!("http://{address}/engage"), e)
    }

    #[tokio::test]
    async fn a_signed_request_over_http_gets_a_signed_answer() {
        let (url, e) = serve(endpoint(Recorder::default())).await;
        let http = reqwest::Client::new();
        let response = http
            .post(&url)
            .header("X-SmccSdk-Signature", signer().sign(INFO_BODY.as_bytes()))
            .header("content-type", "application/json")
            .body(INFO_BODY)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let signature = response.headers()["x-smccsdk-signature"].to_str().unwrap().to_owned();
        let body = response.bytes().await.unwrap();
        signer().verify(&body, &signature).unwrap();
        assert_eq!(e.source().calls(), ["implementation.info"]);

        let get = http.get(&url).send().await.unwrap();
        assert_eq!(get.status(), 405);
    }

    #[tokio::test]
    async fn an_oversized_body_is_refused_without_reaching_the_source() {
        let (url, e) = serve(endpoint(Recorder::default()).max_body_bytes(1024)).await;
        let http = reqwest::Client::new();
        let big = vec![b' '; 4096];
        let signature = signer().sign(&big);
        // With Content-Length declared.
        let declared = http
            .post(&url)
            .header("x-smccsdk-signature", &signature)
            .body(big.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(declared.status(), 413);
        // Streamed without a length (chunked): the limit stops reading part-way.
        let answer = chunked_post(&url, &signature, &big).await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(answer.ends_with("Invalid request size"), "{answer}");
        assert!(e.source().calls().is_empty());
    }

    /// A chunked POST written by hand, since the client never declares a length then.
    async fn chunked_post(url: &str, signature: &str, body: &[u8]) -> String {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let rest = url.trim_start_matches("http://");
        let (host, path) = rest.split_once('/').unwrap();
        let mut socket = tokio::net::TcpStream::connect(host).await.unwrap();
        let head = format!(
            "POST /{path} HTTP/1.1\r\nhost: {host}\r\nx-smccsdk-signature: {signature}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
        );
        socket.write_all(head.as_bytes()).await.unwrap();
        for chunk in body.chunks(512) {
            // The server may stop reading and answer early; later writes may then fail.
            let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
            if socket.write_all(&framed).await.is_err() {
                break;
            }
        }
        let _ = socket.write_all(b"0\r\n\r\n").await;
        let mut answer = Vec::new();
        let _ = socket.read_to_end(&mut answer).await;
        String::from_utf8_lossy(&answer).into_owned()
    }
}

/// The body limit at its edge, declared and read: exactly the limit is read and answered, one
/// byte over is refused with 413 — a declared `Content-Length` before the body is looked at.
#[tokio::test]
async fn the_body_limit_is_inclusive_whether_declared_or_read() {
    let limit = INFO_BODY.len();
    let e = endpoint(Recorder::default()).max_body_bytes(limit);
    let declared = |request: InboundRequest, length: usize| request.header("content-length", &length.to_string());

    // Read: the same signed body at the limit passes; a body one byte longer does not.
    assert_eq!(e.handle(signed(INFO_BODY)).await.status, StatusCode::OK);
    let over = format!("{INFO_BODY} ");
    let response = e.handle(signed(&over)).await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_signed(&response);

    // Declared: at the limit passes the precheck, one over is refused before reading.
    assert_eq!(
        e.precheck(&Method::POST, &declared(signed(INFO_BODY), limit).headers),
        Ok(())
    );
    assert_eq!(
        e.precheck(&Method::POST, &declared(signed(INFO_BODY), limit + 1).headers),
        Err(deskwire_engage_digital::inbound::RequestError::BodyTooLarge { limit })
    );
    assert_eq!(
        e.precheck(&Method::POST, &declared(signed(INFO_BODY), limit - 1).headers),
        Ok(())
    );
    // A declared length over the limit is refused even when the body that came is small.
    let response = e.handle(declared(signed(INFO_BODY), limit + 1)).await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(e.source().calls(), ["implementation.info"]);
}

/// A content Engage Digital would silently drop (an empty `thread_id`) is answered as given and
/// a warning says why it will not show.
#[tokio::test(flavor = "current_thread")]
async fn an_incomplete_content_is_answered_with_a_warning() {
    struct Incomplete;
    impl Source for Incomplete {
        async fn implementation_info(&self) -> Result<ImplementationInfo, ActionError> {
            Ok(ImplementationInfo::builder()
                .object(ObjectName::Messages, [Operation::List])
                .build_unchecked())
        }
        async fn list(&self, _: List) -> Result<Vec<Resource>, ActionError> {
            Ok(vec![Resource::Message(Box::new(
                Message::new("1", "", User::new("u1", "Ann", "2021-05-13")).body("hi"),
            ))])
        }
    }
    let logs = deskwire_core::testing::CapturedLogs::start();
    let response = endpoint(Incomplete)
        .handle(signed(r#"{"action":"messages.list","params":{}}"#))
        .await;
    assert_eq!(response.status, StatusCode::OK);
    let logs = logs.text();
    assert!(
        logs.contains("Engage Digital ignores a content that misses a required field")
            && logs.contains("messages.list"),
        "{logs}"
    );
}
