//! The inbound routes under load and abuse, over real TCP on loopback with bounded loops: many
//! concurrent signed deliveries, requests held open past the route's bound, lying lengths,
//! chunked and oversized bodies, bad UTF-8, deeply nested JSON. Nothing panics, every valid
//! request is answered, nothing valid is lost, and the bound answers `503` with `Retry-After`.

use std::time::Duration;

use deskwire_chatlake::inbound::WebhookDelivery;
use deskwire_core::axum::Routes;
use deskwire_core::verify::Verify;
use deskwire_core::InboundRequest;
use deskwire_engage_digital::Signer;
use deskwire_example_inbound::{app, Delivery, WEBHOOK_BODY_LIMIT};
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

mod common;
use common::{chatwoot, secrets};

const INFO_BODY: &str = r#"{"action":"implementation.info","time":"2012-10-01T17:18:40Z"}"#;

fn message(i: usize) -> String {
    format!(
        r#"{{"event":"message_created","id":{i},"content":"reply {i}","message_type":"outgoing","private":false,"conversation":{{"id":7}}}}"#
    )
}

async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, router).await });
    address
}

async fn post(http: &reqwest::Client, url: &str, request: InboundRequest) -> reqwest::Response {
    http.post(url)
        .headers(request.headers)
        .body(request.body)
        .send()
        .await
        .unwrap()
}

/// Sends `head` (without the blank line) then `body` over a fresh connection and returns the
/// status of the first answer, or `None` when the server closed without one.
async fn raw(address: &str, head: &str, body: &[u8], then_close_write: bool) -> Option<u16> {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(format!("{head}\r\n\r\n").as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    if then_close_write {
        stream.shutdown().await.unwrap();
    }
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => {
                answer.extend_from_slice(&buffer[..n]);
                if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
            Err(_) => panic!("no answer within 10 s"),
        }
    }
    let text = String::from_utf8_lossy(&answer);
    text.strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
}

fn signed_head(path: &str, request: &InboundRequest, extra: &str) -> String {
    let mut head = format!("POST {path} HTTP/1.1\r\nhost: localhost");
    for (name, value) in &request.headers {
        head.push_str(&format!("\r\n{name}: {}", value.to_str().unwrap()));
    }
    head.push_str(extra);
    head
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_valid_deliveries_are_all_answered_and_all_delivered() {
    let (deliveries, mut queue) = mpsc::channel(16);
    let base = format!("http://{}", serve(app(&secrets(), deliveries).unwrap()).await);
    let received = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&received);
    tokio::spawn(async move {
        while let Some(delivery) = queue.recv().await {
            if let Delivery::Chatwoot(_) = delivery {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        }
    });
    let http = reqwest::Client::new();
    let mut sends = Vec::new();
    for i in 0..200 {
        let (http, base) = (http.clone(), base.clone());
        sends.push(tokio::spawn(async move {
            let request = chatwoot().sign(message(i).as_bytes());
            post(&http, &format!("{base}/chatwoot"), request).await.status()
        }));
    }
    let engage = Signer::new(&secrets().engage_digital);
    let mut polls = Vec::new();
    for _ in 0..50 {
        let (http, base, request) = (http.clone(), base.clone(), engage.request(INFO_BODY));
        polls.push(tokio::spawn(async move {
            post(&http, &format!("{base}/engage-digital"), request).await.status()
        }));
    }
    for send in sends.into_iter().chain(polls) {
        assert_eq!(send.await.unwrap(), StatusCode::OK);
    }
    // Each 200 was given after the delivery was queued: all 200 are there to be taken.
    for _ in 0..100 {
        if received.load(std::sync::atomic::Ordering::SeqCst) == 200 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "{} of 200 deliveries reached the queue",
        received.load(std::sync::atomic::Ordering::SeqCst)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_valid_delivery_reaches_the_queue_exactly_once() {
    let (deliveries, mut queue) = mpsc::channel::<WebhookDelivery>(1024);
    let router = Routes::new()
        .body_limit(WEBHOOK_BODY_LIMIT)
        .webhook(chatwoot(), deliveries);
    let base = format!("http://{}", serve(router).await);
    let http = reqwest::Client::new();
    let mut sends = Vec::new();
    for i in 0..300 {
        let (http, base) = (http.clone(), base.clone());
        sends.push(tokio::spawn(async move {
            post(&http, &base, chatwoot().sign(message(i).as_bytes()))
                .await
                .status()
        }));
    }
    for send in sends {
        assert_eq!(send.await.unwrap(), StatusCode::OK);
    }
    let mut seen = std::collections::BTreeSet::new();
    while let Ok(delivery) = queue.try_recv() {
        let text = format!("{:?}", delivery.event);
        let id = text
            .split("reply ")
            .nth(1)
            .and_then(|t| t.split('"').next())
            .unwrap()
            .to_owned();
        assert!(seen.insert(id.parse::<usize>().unwrap()), "delivered twice: {id}");
    }
    assert_eq!(seen, (0..300).collect(), "every delivery, once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_bound_the_excess_gets_503_with_retry_after_and_the_held_ones_still_complete() {
    let (deliveries, mut queue) = mpsc::channel::<WebhookDelivery>(16);
    let router = Routes::new()
        .body_limit(1 << 20)
        .max_in_flight(2)
        .webhook(chatwoot(), deliveries);
    let address = serve(router).await;
    // Two deliveries whose bodies arrive slowly hold both places.
    let mut held = Vec::new();
    for i in 0..2 {
        let body = message(i);
        let request = chatwoot().sign(body.as_bytes());
        let head = signed_head("/", &request, &format!("\r\ncontent-length: {}", body.len()));
        let mut stream = TcpStream::connect(&address).await.unwrap();
        stream.write_all(format!("{head}\r\n\r\n").as_bytes()).await.unwrap();
        stream.write_all(&body.as_bytes()[..10]).await.unwrap();
        held.push((stream, body));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let http = reqwest::Client::new();
    let refused = post(
        &http,
        &format!("http://{address}"),
        chatwoot().sign(message(9).as_bytes()),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.headers()["retry-after"], "1");
    // The held ones finish and are answered; then there is room again.
    for (mut stream, body) in held {
        stream.write_all(&body.as_bytes()[10..]).await.unwrap();
        let mut answer = [0u8; 12];
        stream.read_exact(&mut answer).await.unwrap();
        assert_eq!(&answer, b"HTTP/1.1 200");
    }
    let again = post(
        &http,
        &format!("http://{address}"),
        chatwoot().sign(message(9).as_bytes()),
    )
    .await;
    assert_eq!(again.status(), StatusCode::OK);
    let mut ids = Vec::new();
    while let Ok(d) = queue.try_recv() {
        ids.push(format!("{:?}", d.event));
    }
    assert_eq!(ids.len(), 3, "the two held and the retried one: {ids:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lying_lengths_chunked_oversized_bad_utf8_and_deep_json_are_refused_without_harm() {
    let (deliveries, _queue) = mpsc::channel(16);
    let address = serve(app(&secrets(), deliveries).unwrap()).await;
    let body = message(1);
    let request = chatwoot().sign(body.as_bytes());

    // Declares more than it sends, then stops: the body cannot be read.
    let head = signed_head(
        "/chatwoot",
        &request,
        &format!("\r\ncontent-length: {}", body.len() + 50),
    );
    let status = raw(&address, &head, body.as_bytes(), true).await;
    assert!(matches!(status, None | Some(400)), "{status:?}");

    // Declares less than it sends: only the declared bytes are the body, and they are not what
    // was signed.
    let head = signed_head("/chatwoot", &request, "\r\ncontent-length: 10");
    assert_eq!(raw(&address, &head, body.as_bytes(), false).await, Some(401));

    // Chunked, one byte over the limit, never declared: cut off with 413.
    let head = signed_head("/chatwoot", &request, "\r\ntransfer-encoding: chunked");
    let mut chunked = Vec::new();
    let chunk = vec![b' '; 64 * 1024];
    let mut sent = 0;
    while sent <= WEBHOOK_BODY_LIMIT {
        let n = chunk.len().min(WEBHOOK_BODY_LIMIT + 1 - sent);
        chunked.extend_from_slice(format!("{n:x}\r\n").as_bytes());
        chunked.extend_from_slice(&chunk[..n]);
        chunked.extend_from_slice(b"\r\n");
        sent += n;
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(raw(&address, &head, &chunked, false).await, Some(413));

    // A declared length over the limit: 413 before the body is sent at all.
    let head = signed_head(
        "/chatwoot",
        &request,
        &format!("\r\ncontent-length: {}", WEBHOOK_BODY_LIMIT + 1),
    );
    assert_eq!(raw(&address, &head, b"", false).await, Some(413));

    // Authentic bytes that are not UTF-8, and JSON nested far deeper than any payload: 400.
    let http = reqwest::Client::new();
    for bad in [b"{\"event\":\"message_created\",\"content\":\"\xff\xfe\"}".to_vec(), {
        let mut deep = vec![b'['; 100_000];
        deep.extend(vec![b']'; 100_000]);
        deep
    }] {
        let response = post(&http, &format!("http://{address}/chatwoot"), chatwoot().sign(&bad)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }

    // And the server is still answering valid deliveries.
    let ok = post(
        &http,
        &format!("http://{address}/chatwoot"),
        chatwoot().sign(body.as_bytes()),
    )
    .await;
    assert_eq!(ok.status(), StatusCode::OK);
}
