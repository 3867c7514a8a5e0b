//! The Rake Direct desk, observed from outside over HTTP.

use deskwire_sim::{Provider, Sim};
use serde_json::{json, Value};

#[tokio::test]
async fn a_new_session_never_takes_an_id_already_in_use() {
    let sim = Sim::builder(Provider::RakeDirect).start().await.unwrap();
    let url = format!(
        "{}/workspaces/{}/rake-direct",
        sim.base_url(),
        sim.credential("workspace_id").unwrap()
    );
    let secret = sim.credential("secret").unwrap();
    let http = reqwest::Client::new();
    let post = |body: Value| {
        let (http, url) = (&http, &url);
        async move {
            let answer: Value = http.post(url).json(&body).send().await.unwrap().json().await.unwrap();
            answer["sessionId"].as_u64().unwrap()
        }
    };
    // A session Rake knows by id (a channel, a DM), written to before any is opened here.
    assert_eq!(
        post(json!({"secret": secret, "sessionId": 13_732, "message": "hi"})).await,
        13_732
    );
    let first = post(json!({"secret": secret, "message": "new", "returnWebhookUrl": "http://127.0.0.1:9/"})).await;
    let second = post(json!({"secret": secret, "message": "new", "returnWebhookUrl": "http://127.0.0.1:9/"})).await;
    assert!(
        ![13_732, second].contains(&first) && second != 13_732,
        "{first} {second}"
    );
}

#[tokio::test]
async fn a_transactional_session_expires_after_its_timeout_and_a_reply_opens_a_new_one() {
    let sim = Sim::builder(Provider::RakeDirect).start().await.unwrap();
    let url = format!(
        "{}/workspaces/{}/rake-direct",
        sim.base_url(),
        sim.credential("workspace_id").unwrap()
    );
    let secret = sim.credential("secret").unwrap();
    let http = reqwest::Client::new();
    let post = |body: Value| {
        let (http, url) = (&http, &url);
        async move {
            http.post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    // The page's transactional send: `session: {timeout: 1}`.
    let sent = post(
        json!({"secret": secret, "message": "Your code is 1234", "messageType": "text",
                           "platformIds": [1], "secondaryEntity": {"phoneNumber": "+15550001"},
                           "session": {"timeout": 1}}),
    )
    .await;
    let session = sent["sessionId"].as_u64().unwrap();
    let key = session.to_string();
    let status = |sim: &Sim| {
        sim.conversations()
            .into_iter()
            .find(|c| c["id"] == key.as_str())
            .map(|c| c["status"].clone())
    };
    assert_eq!(status(&sim), Some(json!("open")));
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(status(&sim), Some(json!("expired")));
    assert!(
        sim.agent_message(&session.to_string(), "too late").await.is_err(),
        "no one writes into an expired session"
    );
    let reply = post(json!({"secret": secret, "sessionId": session, "message": "thanks"})).await;
    let new = reply["sessionId"].as_u64().unwrap();
    assert_ne!(new, session, "a reply after expiry opens a new session: {reply}");
}

#[tokio::test]
async fn a_return_webhook_answered_with_an_error_is_tried_again() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    // A receiver that fails the first delivery and takes the next.
    let seen = Arc::new(AtomicUsize::new(0));
    let router = {
        let seen = Arc::clone(&seen);
        axum::Router::new().route(
            "/",
            axum::routing::post(move || {
                let n = seen.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n == 0 {
                        http::StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        http::StatusCode::OK
                    }
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let receiver = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let sim = Sim::builder(Provider::RakeDirect).start().await.unwrap();
    let url = format!(
        "{}/workspaces/{}/rake-direct",
        sim.base_url(),
        sim.credential("workspace_id").unwrap()
    );
    let opened: Value = reqwest::Client::new()
        .post(url)
        .json(&json!({"secret": sim.credential("secret").unwrap(), "message": "hi",
                      "returnWebhookUrl": receiver, "returnWebhookSecret": "s"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let session = opened["sessionId"].as_u64().unwrap().to_string();
    sim.agent_message(&session, "hello").await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(
        seen.load(Ordering::SeqCst),
        2,
        "the 500 was followed by a second try, then nothing"
    );
}
