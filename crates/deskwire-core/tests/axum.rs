//! The axum glue at its boundary: requests in, exact answers out, through the routers as a
//! server would call them (tower's `oneshot`), for a webhook verifier and for a channel.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::FromRequest;
use axum::response::IntoResponse;
use bytes::Bytes;
use deskwire_core::axum::{channel_router, webhook_router, Routes};
use deskwire_core::channel::{
    async_trait, Capabilities, Channel, ChannelError, ConversationRef, Customer, CustomerMessage, DeskEvent,
    DeskMessage, DeskMessageRef, Operation, Received, Role, Sent, Started,
};
use deskwire_core::verify::{Proof, ProofVerifier, Verify};
use deskwire_core::{InboundRequest, InboundResponse, Secret};
use http::{Request, StatusCode};
use http_body_util::BodyExt as _;
use tokio::sync::mpsc;
use tower::ServiceExt as _;

fn verifier() -> ProofVerifier {
    ProofVerifier::new(Proof::hmac_sha256("x-signature", "sha256="), [&Secret::new("s3cret")]).unwrap()
}

fn http_request(request: InboundRequest) -> Request<Body> {
    let mut out = Request::post("/").body(Body::from(request.body)).unwrap();
    *out.headers_mut() = request.headers;
    out
}

async fn answer(router: axum::Router, request: Request<Body>) -> (StatusCode, http::HeaderMap, Bytes) {
    let response = router.oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    (parts.status, parts.headers, body.collect().await.unwrap().to_bytes())
}

#[tokio::test]
async fn a_signed_delivery_reaches_the_sink_and_gets_200() {
    let (sink, mut taken) = mpsc::unbounded_channel();
    let router = webhook_router(verifier(), sink);
    let (status, _, body) = answer(router, http_request(verifier().sign(b"{\"a\":1}"))).await;
    assert_eq!((status, body.len()), (StatusCode::OK, 0));
    assert_eq!(taken.try_recv().unwrap(), b"{\"a\":1}");
}

#[tokio::test]
async fn refusals_get_their_status_with_an_empty_body_and_reach_nobody() {
    let (sink, mut taken) = mpsc::unbounded_channel::<Vec<u8>>();
    let router = Routes::new().body_limit(8).webhook(verifier(), sink);
    // Unsigned: 401.
    let unsigned = Request::post("/").body(Body::from("{}")).unwrap();
    let (status, _, body) = answer(router.clone(), unsigned).await;
    assert_eq!((status, body.len()), (StatusCode::UNAUTHORIZED, 0));
    // Exactly at the limit is read; one byte over is 413, declared or not.
    let (status, ..) = answer(router.clone(), http_request(verifier().sign(b"12345678"))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, ..) = answer(router.clone(), http_request(verifier().sign(b"123456789"))).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let mut declared = http_request(verifier().sign(b"1"));
    declared.headers_mut().insert("content-length", 9.into());
    let (status, ..) = answer(router, declared).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(taken.try_recv().unwrap(), b"12345678");
    assert!(taken.try_recv().is_err());
}

#[tokio::test]
async fn a_sink_that_cannot_take_gets_500_so_the_desk_may_redeliver() {
    let (sink, taken) = mpsc::channel::<Vec<u8>>(1);
    drop(taken);
    let (status, _, body) = answer(webhook_router(verifier(), sink), http_request(verifier().sign(b"{}"))).await;
    assert_eq!(
        (status, &body[..]),
        (StatusCode::INTERNAL_SERVER_ERROR, &b"internal error"[..])
    );
    let failing = |_: Vec<u8>| async { Err::<(), _>(std::io::Error::other("disk full")) };
    let (status, ..) = answer(
        webhook_router(verifier(), failing),
        http_request(verifier().sign(b"{}")),
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn past_the_bound_the_excess_gets_503_with_retry_after() {
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let held = Arc::clone(&gate);
    let sink = move |_: Vec<u8>| {
        let held = Arc::clone(&held);
        async move {
            let _ = held.acquire().await;
            Ok::<_, std::io::Error>(())
        }
    };
    let router = Routes::new().max_in_flight(1).webhook(verifier(), sink);
    let first = tokio::spawn(answer(router.clone(), http_request(verifier().sign(b"{}"))));
    // Once the first request is inside the sink, the next one is refused at once.
    let mut refused = false;
    for _ in 0..1000 {
        tokio::task::yield_now().await;
        let (status, headers, body) = answer(router.clone(), http_request(verifier().sign(b"{}"))).await;
        if status == StatusCode::SERVICE_UNAVAILABLE {
            assert_eq!(headers["retry-after"], "1");
            assert_eq!(&body[..], b"busy, retry later");
            refused = true;
            break;
        }
        assert_eq!(status, StatusCode::OK, "before the first request holds its place");
    }
    assert!(refused, "the second request was never refused");
    gate.add_permits(1);
    assert_eq!(first.await.unwrap().0, StatusCode::OK);
}

#[derive(Debug)]
struct Desk;

#[async_trait]
impl Channel for Desk {
    fn provider(&self) -> &'static str {
        "desk"
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities::none().with(Operation::Receive)
    }
    async fn start_conversation(&self, _: &Customer, _: &CustomerMessage) -> Result<Started, ChannelError> {
        Err(ChannelError::unsupported("desk", Operation::StartConversation))
    }
    async fn send(&self, _: &ConversationRef, _: &CustomerMessage) -> Result<Sent, ChannelError> {
        Err(ChannelError::unsupported("desk", Operation::Send))
    }
    async fn receive(&self, request: InboundRequest) -> Result<Received, ChannelError> {
        verifier()
            .verify(&request.headers, &request.body)
            .map_err(|e| ChannelError::refused("desk", &e))?;
        let conversation = ConversationRef::new("desk", "1");
        let events = ["one", "two"]
            .map(|text| {
                DeskEvent::Message(DeskMessage::new(
                    DeskMessageRef::new(conversation.clone(), text),
                    Role::Agent,
                    text,
                ))
            })
            .to_vec();
        let mut response = InboundResponse::text(StatusCode::ACCEPTED, "taken");
        response.headers.insert("x-desk", "yes".parse().unwrap());
        Ok(Received::new(events, response))
    }
}

#[tokio::test]
async fn a_channel_route_hands_events_in_order_and_gives_the_channels_answer() {
    let (sink, mut taken) = mpsc::unbounded_channel();
    let router = channel_router(Arc::new(Desk), sink);
    let (status, headers, body) = answer(router.clone(), http_request(verifier().sign(b"{}"))).await;
    assert_eq!(
        (status, &headers["x-desk"], &body[..]),
        (
            StatusCode::ACCEPTED,
            &"yes".parse::<http::HeaderValue>().unwrap(),
            &b"taken"[..]
        )
    );
    let texts: Vec<String> = std::iter::from_fn(|| taken.try_recv().ok())
        .map(|e| match e {
            DeskEvent::Message(message) => message.text,
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(texts, ["one", "two"]);
    // Refused by the channel: its own answer, nothing handed on.
    let (status, _, body) = answer(router, Request::post("/").body(Body::from("{}")).unwrap()).await;
    assert_eq!((status, body.len()), (StatusCode::UNAUTHORIZED, 0));
    assert!(taken.try_recv().is_err());
}

#[tokio::test]
async fn the_inbound_types_convert_to_and_from_axum() {
    let response = InboundResponse::text(StatusCode::CREATED, "made").into_response();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(&response.into_body().collect().await.unwrap().to_bytes()[..], b"made");

    let request = Request::put("/hook?a=1&b=2")
        .header("x-k", "v")
        .body(Body::from("body"))
        .unwrap();
    let inbound = InboundRequest::from_request(request, &()).await.unwrap();
    assert_eq!(inbound.method, http::Method::PUT);
    assert_eq!(inbound.query.as_deref(), Some("a=1&b=2"));
    assert_eq!(inbound.headers["x-k"], "v");
    assert_eq!(&inbound.body[..], b"body");
}
