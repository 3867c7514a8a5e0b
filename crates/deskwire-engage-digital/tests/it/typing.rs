//! `typing.start`: one per thread every 2 s, reset by `typing.stop`; reject or wait.

use std::time::{Duration, Instant};

use deskwire_core::Delivery;
use deskwire_engage_digital::wire::{TypingStart, TypingStop, TypingTarget};
use deskwire_engage_digital::{EngageDigitalFailure, Error, RejectionOf, TypingLimit};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::{answers_once_then_ok, builder};

async fn ok_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&server)
        .await;
    server
}

fn start(thread: &str) -> TypingStart {
    TypingStart::new(TypingTarget::thread(thread), "Hello wor")
}

#[tokio::test]
async fn reject_mode_refuses_the_second_start_and_sends_nothing() {
    let server = ok_server().await;
    let client = builder(&server).typing_limit(TypingLimit::Reject).build().unwrap();
    client.typing_start(&start("42")).await.unwrap();
    let err = client.typing_start(&start("42")).await.unwrap_err();
    match &err {
        Error::Provider(EngageDigitalFailure::TypingThrottled { key, retry_in }) => {
            assert_eq!(key, "thread:42");
            assert!(
                *retry_in > Duration::from_millis(1000) && *retry_in <= Duration::from_secs(2),
                "{retry_in:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.delivery(), Delivery::NotSent);
    client
        .typing_start(&start("43"))
        .await
        .expect("other threads are independent");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn stop_resets_the_limit() {
    let server = ok_server().await;
    let client = builder(&server).build().unwrap();
    client.typing_start(&start("42")).await.unwrap();
    client
        .typing_stop(&TypingStop::new(TypingTarget::thread("42")))
        .await
        .unwrap();
    client.typing_start(&start("42")).await.expect("stop reset the timer");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn wait_mode_sends_the_second_start_two_seconds_later() {
    let server = ok_server().await;
    let client = builder(&server).typing_limit(TypingLimit::Wait).build().unwrap();
    let t0 = Instant::now();
    client.typing_start(&start("42")).await.unwrap();
    client.typing_start(&start("42")).await.unwrap();
    assert!(t0.elapsed() >= Duration::from_secs(2), "waited {:?}", t0.elapsed());
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn off_mode_leaves_the_limit_to_engage_digital() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(429).set_body_string("too many typing requests, please try again in a few seconds"),
        )
        .mount(&server)
        .await;
    let client = builder(&server)
        .typing_limit(TypingLimit::Off)
        .retry_policy(deskwire_core::retry::RetryPolicy::never())
        .build()
        .unwrap();
    let err = client.typing_start(&start("42")).await.unwrap_err();
    assert_eq!(
        err.rejection(),
        Some(&deskwire_engage_digital::Rejection::TooManyTypingRequests)
    );
}

async fn server_answering_typing_429_once() -> MockServer {
    answers_once_then_ok(429, "too many typing requests, please try again in a few seconds").await
}

#[tokio::test]
async fn engage_digitals_own_429_is_returned_at_once_in_reject_mode() {
    let server = server_answering_typing_429_once().await;
    let client = builder(&server).typing_limit(TypingLimit::Reject).build().unwrap();
    let err = client.typing_start(&start("42")).await.unwrap_err();
    assert_eq!(
        err.rejection(),
        Some(&deskwire_engage_digital::Rejection::TooManyTypingRequests)
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "not retried");
}

#[tokio::test]
async fn engage_digitals_own_429_waits_the_interval_in_wait_mode() {
    let server = server_answering_typing_429_once().await;
    let client = builder(&server).typing_limit(TypingLimit::Wait).build().unwrap();
    let t0 = Instant::now();
    client
        .typing_start(&start("42"))
        .await
        .expect("retried after the interval");
    assert!(
        t0.elapsed() >= Duration::from_secs(2),
        "retried after {:?}, not the 2 s rule",
        t0.elapsed()
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}
