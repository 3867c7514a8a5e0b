//! Several webhook URLs are used in turn, as a load balancer spreads deliveries over replicas.

use deskwire_sim::{Capture, Provider, Sim};
use serde_json::json;

#[tokio::test]
async fn deliveries_alternate_over_comma_separated_webhook_urls() {
    let (a, b) = (Capture::start().await.unwrap(), Capture::start().await.unwrap());
    let sim = Sim::builder(Provider::Chatlake)
        .webhook_url(format!("{},{}", a.url(), b.url()))
        .start()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let api = format!("{}/api/v1/accounts/1", sim.base_url());
    let token = sim.credential("api_access_token").unwrap();
    let contact: serde_json::Value = http
        .post(format!("{api}/contacts"))
        .header("api_access_token", &token)
        .json(&json!({"inbox_id": 1, "name": "Ana"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let source = contact["payload"]["contact_inbox"]["source_id"].as_str().unwrap();
    let conversation: serde_json::Value = http
        .post(format!("{api}/conversations"))
        .header("api_access_token", &token)
        .json(&json!({"source_id": source}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = conversation["id"].to_string();
    for i in 0..4 {
        sim.agent_message(&id, &format!("answer {i}")).await.unwrap();
    }
    // Every delivery (message, conversation and typing events) takes the next URL.
    let answers = |c: &Capture| {
        c.requests()
            .iter()
            .filter(|r| {
                serde_json::from_slice::<serde_json::Value>(&r.body).is_ok_and(|b| b["event"] == "message_created")
            })
            .count()
    };
    for _ in 0..250 {
        if answers(&a) + answers(&b) >= 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(answers(&a) + answers(&b), 4, "every answer delivered once");
    assert!(answers(&a) > 0 && answers(&b) > 0, "to both replicas");
    let (to_a, to_b) = (a.requests().len(), b.requests().len());
    assert!(to_a.abs_diff(to_b) <= 1, "in turn: {to_a} and {to_b}");
}
