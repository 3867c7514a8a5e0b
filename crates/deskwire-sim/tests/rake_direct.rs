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
