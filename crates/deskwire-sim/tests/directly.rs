//! The Directly desk, observed from outside over HTTP.

mod common;

use deskwire_sim::{Provider, Sim};
use serde_json::{json, Value};

#[tokio::test]
async fn last_checked_is_compared_as_a_time_and_must_be_one() {
    let sim = Sim::builder(Provider::Directly).start().await.unwrap();
    let http = reqwest::Client::new();
    let token = common::directly_token(&http, &sim).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    // A question updated at a time with milliseconds (a whole second comes once in a thousand).
    let (uuid, updated) = loop {
        let asked: Value = http
            .post(format!("{}/v1/questions", sim.base_url()))
            .bearer_auth(&token)
            .json(&json!({"userEmail": "ana@example.com", "userName": "Ana", "text": "Hi"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let updated = asked["data"]["lastUpdated"].as_str().unwrap().to_owned();
        if !updated.ends_with(".000Z") {
            break (asked["data"]["uuid"].as_str().unwrap().to_owned(), updated);
        }
    };
    let poll = |checked: String| {
        let (http, token, url) = (&http, &token, format!("{}/v1/questions/{uuid}", sim.base_url()));
        async move {
            http.get(url)
                .bearer_auth(token)
                .query(&[("lastChecked", checked)])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    // The same second, without its fraction: before the update, so the question comes back.
    let second = format!("{}Z", &updated[..updated.find('.').unwrap()]);
    assert_eq!(poll(second).await, 200, "{updated}");
    assert_eq!(poll(updated.clone()).await, 304);
    assert_eq!(poll("yesterday".into()).await, 400, "not a date");
}
