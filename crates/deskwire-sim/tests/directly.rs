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

#[tokio::test]
async fn the_posters_routes_search_edit_reroute_verdicts_and_forget() {
    let sim = Sim::builder(Provider::Directly).start().await.unwrap();
    let http = reqwest::Client::new();
    let token = common::directly_token(&http, &sim).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let call = |method: reqwest::Method, path: String, body: Option<Value>| {
        let (http, token, base) = (&http, &token, sim.base_url().to_owned());
        async move {
            let mut request = http.request(method, format!("{base}{path}")).bearer_auth(token);
            if let Some(body) = body {
                request = request.json(&body);
            }
            let answer = request.send().await.unwrap();
            let status = answer.status().as_u16();
            (status, answer.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    use reqwest::Method;
    let ask = json!({"userEmail": "ana@example.com", "userName": "Ana", "text": "Hi",
                     "externalIds": [{"id": "t-1", "system": "crm"}]});
    let (_, asked) = call(Method::POST, "/v1/questions".into(), Some(ask)).await;
    let uuid = asked["data"]["uuid"].as_str().unwrap().to_owned();
    // Search: by external id and email, under a top-level `questions`.
    let (status, found) = call(
        Method::GET,
        "/v1/questions?externalId.id=t-1&externalId.system=crm&userEmail=ana@example.com&includeConversation=false"
            .into(),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(found["questions"][0]["uuid"], uuid.as_str(), "{found}");
    assert!(found["questions"][0].get("conversation").is_none());
    let (_, none) = call(Method::GET, "/v1/questions?externalId.id=other".into(), None).await;
    assert_eq!(none["questions"], json!([]));
    let (status, _) = call(Method::GET, "/v1/questions?lastChecked=yesterday".into(), None).await;
    assert_eq!(status, 400);
    // Edit and reroute.
    let (status, edited) = call(
        Method::PUT,
        format!("/v1/questions/{uuid}"),
        Some(json!({"uuid": uuid, "userEmail": "ana@example.com", "text": "Hello"})),
    )
    .await;
    assert_eq!(
        (status, edited["data"]["conversation"]["text"].clone()),
        (200, json!("Hello"))
    );
    let (status, rerouted) = call(Method::POST, format!("/v1/questions/{uuid}/reroute"), Some(json!({}))).await;
    assert_eq!(status, 200);
    assert_eq!(rerouted["data"]["state"]["rerouteStatus"]["isRerouted"], true);
    // An expert answers, then marks it resolved; the poster contests.
    sim.agent_message(&uuid, "Restart it.").await.unwrap();
    sim.resolve(&uuid).await.unwrap();
    let (_, shown) = call(Method::GET, format!("/v1/questions/{uuid}"), None).await;
    let response = &shown["data"]["conversation"]["responses"][0];
    let expert = response["messages"][0]["uuid"].as_str().unwrap().to_owned();
    let prompt = response["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["type"] == "MARK_AS_RESOLVED_MESSAGE")
        .expect("the expert's resolve prompt")["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = call(
        Method::PUT,
        format!("/v1/messages/{expert}"),
        Some(json!({"uuid": expert, "text": "mine now"})),
    )
    .await;
    assert_eq!(status, 403, "the expert's message is not the poster's to edit");
    let (status, _) = call(
        Method::POST,
        format!("/v1/messages/{expert}/markAsResolved"),
        Some(json!({"confirm": true})),
    )
    .await;
    assert_eq!(status, 400, "not a resolve prompt");
    let (status, verdict) = call(
        Method::POST,
        format!("/v1/messages/{prompt}/markAsResolved"),
        Some(json!({"uuid": prompt, "confirm": false})),
    )
    .await;
    assert_eq!(
        (status, verdict["data"]["type"].clone()),
        (200, json!("CONTESTED_MARK_AS_RESOLVED_MESSAGE"))
    );
    let (_, shown) = call(Method::GET, format!("/v1/questions/{uuid}"), None).await;
    assert_eq!(shown["data"]["state"]["status"], "UNRESOLVED");
    // Forget: the poster's questions are gone.
    let (status, _) = call(
        Method::POST,
        "/v1/users/forget".into(),
        Some(json!({"userEmail": "ana@example.com"})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(Method::GET, format!("/v1/questions/{uuid}"), None).await;
    assert_eq!(status, 404);
}
