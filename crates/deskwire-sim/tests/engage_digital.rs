//! The Engage Digital desk's documented answers, reached with a raw client and the docs'
//! signing recipe (lowercase hex HMAC-SHA-512 of the body, keyed with the access token).

use deskwire_core::mac::HmacSha512;
use deskwire_core::Secret;
use deskwire_sim::{Provider, Sim};

struct Desk {
    sim: Sim,
    signer: HmacSha512,
    url: String,
}

async fn desk() -> Desk {
    let sim = Sim::builder(Provider::EngageDigital).start().await.unwrap();
    let signer = HmacSha512::new(&Secret::new(sim.credential("access_token").unwrap()));
    let url = format!(
        "{}/realtime/sdk/{}",
        sim.base_url(),
        sim.credential("source_id").unwrap()
    );
    Desk { sim, signer, url }
}

impl Desk {
    async fn send(&self, url: &str, body: &str, signature: Option<String>) -> (u16, String) {
        let signature = signature.unwrap_or_else(|| self.signer.sign_hex(body.as_bytes()));
        let answer = reqwest::Client::new()
            .post(url)
            .header("X-SMCCSDK-SIGNATURE", signature)
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        (answer.status().as_u16(), answer.text().await.unwrap())
    }
}

/// A URL, a body, a signature (the right one when `None`), and the answer expected.
type Case<'a> = (String, &'a str, Option<String>, (u16, &'a str));

#[tokio::test]
async fn the_documented_error_table() {
    let d = desk().await;
    let create = r#"{"action":"messages.create","params":{"id":"890","author":{"id":"42","created_at":"06/11/2017","screenname":"Alice"},"body":"Nice post!","thread_id":"888"}}"#;
    let cases: Vec<Case<'_>> = vec![
        (d.url.clone(), create, None, (200, "ok")),
        (d.url.clone(), create, Some("00".into()), (422, "Invalid signature")),
        (
            format!("{}/realtime/sdk/nope", d.sim.base_url()),
            create,
            None,
            (422, "Source not found"),
        ),
        (d.url.clone(), "{not json", None, (400, "Bad request")),
        (
            d.url.clone(),
            r#"{"action":"messages.create"}"#,
            None,
            (400, "Invalid request format"),
        ),
        (
            d.url.clone(),
            r#"{"action":"users.list","params":{}}"#,
            None,
            (422, "Invalid action"),
        ),
        (
            d.url.clone(),
            r#"{"action":"messages.create","params":{"id":"1","body":"x"}}"#,
            None,
            (422, "Invalid resource format"),
        ),
        (
            d.url.clone(),
            r#"{"action":"messages.create","params":{"id":"2","thread_id":"t","author":{"id":"a"},"structured_content":{"type":"select"}}}"#,
            None,
            (422, "Source doesn't support structured contents"),
        ),
        (
            d.url.clone(),
            r#"{"action":"typing.start","params":{"thread_id":"888","preview":"Hel"}}"#,
            None,
            (200, "ok"),
        ),
        (
            d.url.clone(),
            r#"{"action":"typing.start","params":{"thread_id":"888","preview":"Hello"}}"#,
            None,
            (429, "too many typing requests, please try again in a few seconds"),
        ),
        (
            d.url.clone(),
            r#"{"action":"typing.stop","params":{"thread_id":"888"}}"#,
            None,
            (200, "ok"),
        ),
        (
            d.url.clone(),
            r#"{"action":"typing.start","params":{"thread_id":"888","preview":"Again"}}"#,
            None,
            (200, "ok"),
        ),
        (
            d.url.clone(),
            r#"{"action":"status.mark_as_read","params":{"id":"890"}}"#,
            None,
            (200, "ok"),
        ),
    ];
    for (url, body, signature, (status, text)) in cases {
        assert_eq!(d.send(&url, body, signature).await, (status, text.to_owned()), "{body}");
    }
    let large = format!(
        r#"{{"action":"messages.create","params":{{"body":"{}"}}}}"#,
        "x".repeat(20_971_520)
    );
    assert_eq!(
        d.send(&d.url, &large, None).await,
        (413, "Invalid request size (max: 20971520 bytes)".to_owned())
    );
    assert_eq!(
        d.sim.received(),
        [
            "message: Nice post!",
            "typing: on",
            "typing: off",
            "typing: on",
            "read: 890"
        ]
    );
}

#[tokio::test]
async fn structured_contents_when_the_source_supports_them() {
    let sim = Sim::builder(Provider::EngageDigital)
        .credential("structured_contents", "true")
        .start()
        .await
        .unwrap();
    let signer = HmacSha512::new(&Secret::new(sim.credential("access_token").unwrap()));
    let url = format!(
        "{}/realtime/sdk/{}",
        sim.base_url(),
        sim.credential("source_id").unwrap()
    );
    let send = |body: String| {
        let (url, signature) = (url.clone(), signer.sign_hex(body.as_bytes()));
        async move {
            let r = reqwest::Client::new()
                .post(url)
                .header("X-SMCCSDK-SIGNATURE", signature)
                .body(body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let p = |sc: &str, puppet: &str| {
        format!(
            r#"{{"action":"messages.create","params":{{"id":"s{}","thread_id":"t","author":{{"id":"a","puppetizable":{puppet}}},"structured_content":{sc}}}}}"#,
            sc.len()
        )
    };
    assert_eq!(
        send(p("{}", "true")).await,
        (422, "Type is required for structured contents".into())
    );
    assert_eq!(
        send(p(r#"{"type":"poll"}"#, "true")).await,
        (422, "Source doesn't support this type of structured content".into())
    );
    assert_eq!(
        send(p(r#"{"type":"select"}"#, "false")).await,
        (422, "The author must be puppetizable".into())
    );
    assert_eq!(send(p(r#"{"type":"select"}"#, "true")).await, (200, "ok".into()));
}

/// A desk whose endpoint answers every call with `answers`, in turn (each signed as the docs
/// say), and the calls the endpoint received.
async fn desk_calling(answers: Vec<&'static str>) -> (Sim, std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>) {
    use std::sync::{Arc, Mutex};
    const TOKEN: &str = "token-of-the-source";
    let seen: Arc<Mutex<Vec<serde_json::Value>>> = Arc::default();
    let kept = Arc::clone(&seen);
    let signer = HmacSha512::new(&Secret::new(TOKEN));
    let app = axum::Router::new().route(
        "/",
        axum::routing::post(move |body: axum::body::Bytes| {
            let (kept, signer, answers) = (Arc::clone(&kept), signer.clone(), answers.clone());
            async move {
                let call: serde_json::Value = serde_json::from_slice(&body).unwrap();
                let mut kept = kept.lock().unwrap();
                kept.push(call);
                let answer = answers[(kept.len() - 1).min(answers.len() - 1)];
                (
                    [("x-smccsdk-signature", signer.sign_hex(answer.as_bytes()))],
                    answer.to_owned(),
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let sim = Sim::builder(Provider::EngageDigital)
        .credential("access_token", TOKEN)
        .endpoint_url(url)
        .start()
        .await
        .unwrap();
    (sim, seen)
}

#[tokio::test]
async fn an_agent_reply_refused_without_fatal_is_tried_again_and_a_fatal_one_is_not() {
    // The Request-Response page: a 2xx `{"error": {"fatal": false}}` means "try this content
    // again later"; `fatal: true` skips it.
    for (answers, ok, calls) in [
        (
            vec![
                r#"{"error":{"fatal":false,"message":"Unable to save message."}}"#,
                r#"{"id":"r-1"}"#,
            ],
            true,
            2,
        ),
        (
            vec![r#"{"error":{"fatal":true,"message":"Thread is closed."}}"#],
            false,
            1,
        ),
    ] {
        let (sim, seen) = desk_calling(answers).await;
        assert_eq!(sim.agent_message("thread-1", "Hello").await.is_ok(), ok);
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), calls);
        assert_eq!(seen[0]["params"]["retry"], false);
        if calls > 1 {
            assert_eq!(seen[1]["params"]["retry"], true, "the second try says so");
        }
    }
}

#[tokio::test]
async fn every_crawl_starts_with_implementation_info() {
    // The Polling page: implementation.info is sent each time a synchronization run starts.
    let (sim, seen) = desk_calling(vec![r#"{"objects":{}}"#]).await;
    for _ in 0..2 {
        sim.poll_endpoint().await.expect("an endpoint").expect("a crawl");
    }
    let actions: Vec<String> = seen.lock().unwrap().iter().map(|c| c["action"].to_string()).collect();
    assert_eq!(actions, [r#""implementation.info""#, r#""implementation.info""#]);
}
