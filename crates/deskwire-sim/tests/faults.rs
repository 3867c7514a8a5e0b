//! Fault injection and the Chatlake desk's deliveries, observed from outside: a raw HTTP client
//! against the desk, and a receiver that records the webhooks it gets and checks each signature
//! by Chatwoot's recipe (`lib/webhooks/trigger.rb`), written here on core's MAC. Whether
//! deskwire-chatlake's verifier accepts them is that crate's own test (it runs on the simulator).

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::routing::post;
use deskwire_core::mac::HmacSha256;
use deskwire_core::Secret;
use deskwire_sim::{Direction, Exchange, Fault, Faults, Provider, Sim};
use http::HeaderMap;
use serde_json::{json, Value};

type Received = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// A webhook receiver on a free port: its URL and what it got.
async fn receiver() -> (String, Received) {
    receiver_answering(http::StatusCode::OK).await
}

/// A webhook receiver answering every delivery with `status`.
async fn receiver_answering(status: http::StatusCode) -> (String, Received) {
    let got: Received = Arc::default();
    let sink = Arc::clone(&got);
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let sink = Arc::clone(&sink);
            async move {
                sink.lock().unwrap().push((headers, body));
                (status, "answered")
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
}

struct Chatlake {
    sim: Sim,
    http: reqwest::Client,
    hook: Received,
}

impl Chatlake {
    async fn start(seed: u64) -> Self {
        let (url, hook) = receiver().await;
        let sim = Sim::builder(Provider::Chatlake)
            .seed(seed)
            .webhook_url(url)
            .start()
            .await
            .unwrap();
        Self {
            sim,
            http: reqwest::Client::new(),
            hook,
        }
    }

    fn api(&self, path: &str) -> String {
        format!("{}/api/v1/accounts/1/{path}", self.sim.base_url())
    }

    async fn post(&self, path: &str, body: Value) -> Result<reqwest::Response, reqwest::Error> {
        let token = self.sim.credential("api_access_token").unwrap();
        self.http
            .post(self.api(path))
            .header("api_access_token", token)
            .json(&body)
            .send()
            .await
    }

    async fn post_json(&self, path: &str, body: Value) -> Value {
        self.post(path, body).await.unwrap().json().await.unwrap()
    }

    async fn get(&self, path: &str) -> Value {
        let token = self.sim.credential("api_access_token").unwrap();
        self.http
            .get(self.api(path))
            .header("api_access_token", token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn contacts(&self) -> usize {
        self.get("contacts").await["meta"]["count"].as_u64().unwrap() as usize
    }

    /// A contact and a conversation; the conversation id.
    async fn conversation(&self) -> String {
        let contact: Value = self.post_json("contacts", json!({"inbox_id": 1, "name": "Ana"})).await;
        let source = contact["payload"]["contact_inbox"]["source_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let conversation: Value = self.post_json("conversations", json!({"source_id": source})).await;
        conversation["id"].to_string()
    }

    /// The `message_created` webhooks received, in order, once at least `at_least` came.
    /// Every delivery (conversation events too) is verified.
    async fn message_deliveries(&self, at_least: usize) -> Vec<(HeaderMap, Bytes)> {
        let is_message =
            |body: &Bytes| serde_json::from_slice::<Value>(body).is_ok_and(|v| v["event"] == "message_created");
        for _ in 0..100 {
            if self.hook.lock().unwrap().iter().filter(|(_, b)| is_message(b)).count() >= at_least {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // `sha256=` + hex HMAC-SHA256 of "{X-Chatwoot-Timestamp}.{body}", keyed with the secret.
        let mac = HmacSha256::new(&Secret::new(self.sim.credential("webhook_secret").unwrap()));
        let hook = self.hook.lock().unwrap();
        for (headers, body) in hook.iter() {
            let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
            let signature = header("x-chatwoot-signature")
                .strip_prefix("sha256=")
                .unwrap_or_default();
            mac.verify_hex_parts(&[header("x-chatwoot-timestamp").as_bytes(), b".", body], signature)
                .expect("every delivery is signed as Chatwoot signs");
        }
        hook.iter().filter(|(_, b)| is_message(b)).cloned().collect()
    }

    /// The contents of the `message_created` webhooks received.
    async fn delivered(&self, at_least: usize) -> Vec<String> {
        self.message_deliveries(at_least)
            .await
            .iter()
            .map(|(_, body)| {
                let value: Value = serde_json::from_slice(body).unwrap();
                value["content"].as_str().unwrap_or_default().to_owned()
            })
            .collect()
    }

    /// The faults the outgoing deliveries summarised as `summary` met, in order.
    fn faults_of(&self, summary: &str) -> Vec<Option<String>> {
        self.exchanges(Direction::Out)
            .into_iter()
            .filter(|e| e.summary.as_deref() == Some(summary))
            .map(|e| e.fault)
            .collect()
    }

    /// The journal's exchanges one way, in order.
    fn exchanges(&self, direction: Direction) -> Vec<Exchange> {
        self.sim
            .exchanges()
            .into_iter()
            .filter(|e| e.direction == direction)
            .collect()
    }

    fn faults_seen(&self, direction: Direction) -> Vec<Option<String>> {
        self.exchanges(direction).into_iter().map(|e| e.fault).collect()
    }
}

#[tokio::test]
async fn a_duplicated_webhook_arrives_twice_with_the_same_bytes() {
    let desk = Chatlake::start(1).await;
    let conversation = desk.conversation().await;
    desk.sim.set_faults(Faults::none().with(Fault::Duplicate, 1.0));
    desk.sim.agent_message(&conversation, "one").await.unwrap();
    assert_eq!(desk.delivered(2).await, ["one", "one"]);
    let hook = desk.message_deliveries(2).await;
    assert_eq!(hook[0].1, hook[1].1);
    assert_eq!(
        hook[0].0.get("x-chatwoot-delivery"),
        hook[1].0.get("x-chatwoot-delivery")
    );
    assert_eq!(desk.faults_of("agent: one"), [None, Some("dup".into())]);
}

#[tokio::test]
async fn a_dropped_webhook_never_arrives_and_the_journal_says_so() {
    let desk = Chatlake::start(1).await;
    let conversation = desk.conversation().await;
    desk.sim.set_faults(Faults::none().with(Fault::Drop, 1.0));
    desk.sim.agent_message(&conversation, "lost").await.unwrap();
    desk.sim.set_faults(Faults::none());
    desk.sim.agent_message(&conversation, "found").await.unwrap();
    desk.delivered(1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let events: Vec<(String, String)> = payloads(&desk)
        .iter()
        .map(|p| {
            (
                p["event"].as_str().unwrap_or_default().to_owned(),
                p["content"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    // Lost in transit, so failed for Chatwoot: the message is marked failed and message_updated
    // goes out (see the failed-delivery test below).
    assert!(
        events.contains(&("message_created".into(), "found".into())),
        "{events:?}"
    );
    assert!(
        events.contains(&("message_updated".into(), "lost".into())),
        "{events:?}"
    );
    assert!(
        !events.contains(&("message_created".into(), "lost".into())),
        "{events:?}"
    );
    let out = desk.exchanges(Direction::Out);
    let lost = out
        .iter()
        .find(|e| e.summary.as_deref() == Some("agent: lost"))
        .expect("journaled");
    assert_eq!((lost.fault.as_deref(), lost.status), (Some("drop"), None));
}

#[tokio::test]
async fn a_reordered_webhook_arrives_after_the_next_one() {
    let desk = Chatlake::start(1).await;
    let conversation = desk.conversation().await;
    desk.sim.set_faults(Faults::none().with(Fault::Reorder, 1.0));
    desk.sim.agent_message(&conversation, "first").await.unwrap();
    desk.sim.set_faults(Faults::none());
    desk.sim.agent_message(&conversation, "second").await.unwrap();
    assert_eq!(desk.delivered(2).await.len(), 2);
    // Held back, it went out after the delivery queued behind it (the conversation update its
    // answer caused).
    let out = desk.exchanges(Direction::Out);
    let first = out
        .iter()
        .position(|e| e.summary.as_deref() == Some("agent: first"))
        .expect("journaled");
    assert_eq!(out[first].fault.as_deref(), Some("reorder"));
    assert_eq!(out[first - 1].summary.as_deref(), Some("updated: waiting"), "{out:?}");
}

#[tokio::test]
async fn a_delayed_webhook_arrives_late_and_is_marked() {
    let desk = Chatlake::start(3).await;
    let conversation = desk.conversation().await;
    desk.sim.set_faults(
        Faults::none()
            .with(Fault::Delay, 1.0)
            .max_delay(Duration::from_millis(400)),
    );
    desk.sim.agent_message(&conversation, "slow").await.unwrap();
    desk.sim.set_faults(Faults::none());
    desk.sim.agent_message(&conversation, "fast").await.unwrap();
    let delivered = desk.delivered(2).await;
    assert_eq!(delivered.len(), 2);
    assert!(delivered.contains(&"slow".to_owned()) && delivered.contains(&"fast".to_owned()));
    // The receiver has it before the desk journals the answer it got: wait for the journal.
    let mut slow = None;
    for _ in 0..100 {
        slow = desk
            .exchanges(Direction::Out)
            .into_iter()
            .find(|e| e.summary.as_deref() == Some("agent: slow"));
        if slow.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(slow.expect("the slow one was sent").fault.as_deref(), Some("delay"));
}

#[tokio::test]
async fn refusals_change_nothing_and_carry_retry_after_only_when_asked() {
    let desk = Chatlake::start(1).await;
    desk.sim
        .set_faults(Faults::none().with(Fault::RateLimited, 1.0).retry_after(7));
    let answer = desk.post("contacts", json!({"name": "Ana"})).await.unwrap();
    assert_eq!(answer.status(), 429);
    assert_eq!(answer.headers()["retry-after"], "7");
    assert_eq!(answer.text().await.unwrap(), "Retry later\n", "rack-attack's answer");

    desk.sim.set_faults(Faults::none().with(Fault::RateLimitedBare, 1.0));
    let answer = desk.post("contacts", json!({"name": "Ana"})).await.unwrap();
    assert_eq!(answer.status(), 429);
    assert!(answer.headers().get("retry-after").is_none());

    desk.sim.set_faults(Faults::none().with(Fault::ServerError, 1.0));
    assert_eq!(
        desk.post("contacts", json!({"name": "Ana"})).await.unwrap().status(),
        500
    );

    desk.sim.set_faults(Faults::none());
    assert_eq!(desk.contacts().await, 0, "no refused request was applied");
    assert_eq!(
        desk.faults_seen(Direction::In)[..3],
        [Some("429".into()), Some("429-bare".into()), Some("5xx".into())]
    );
}

#[tokio::test]
async fn a_closed_connection_loses_the_answer_but_not_the_request() {
    let desk = Chatlake::start(1).await;
    desk.sim.set_faults(Faults::none().with(Fault::CloseAfterRead, 1.0));
    let error = desk
        .post("contacts", json!({"name": "Ana"}))
        .await
        .expect_err("no answer");
    assert!(!error.is_status(), "{error}");
    desk.sim.set_faults(Faults::none());
    assert_eq!(
        desk.contacts().await,
        1,
        "the desk applied it: the maybe-delivered case"
    );
    let first = &desk.sim.exchanges()[0];
    assert_eq!((first.status, first.fault.as_deref()), (None, Some("close")));
}

#[tokio::test]
async fn a_token_that_expires_early_is_refused_from_then_on() {
    let sim = Sim::builder(Provider::Directly).start().await.unwrap();
    let http = reqwest::Client::new();
    let issue = || async {
        let answer = common::directly_token(&http, &sim).await;
        assert_eq!(answer["expires_in"], 3600);
        answer["access_token"].as_str().unwrap().to_owned()
    };
    let ask = |token: String| {
        let http = http.clone();
        let url = format!("{}/v1/questions", sim.base_url());
        async move {
            http.post(url)
                .bearer_auth(token)
                .json(&json!({"userEmail": "ana@example.com", "userName": "Ana", "text": "Hi"}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let token = issue().await;
    assert_eq!(ask(token.clone()).await, 201);
    sim.set_faults(Faults::none().with(Fault::TokenExpiresEarly, 1.0));
    assert_eq!(ask(token.clone()).await, 401);
    sim.set_faults(Faults::none());
    assert_eq!(ask(token).await, 401, "revoked for good");
    assert_eq!(ask(issue().await).await, 201, "a new token works");
    let faults: Vec<_> = sim.exchanges().into_iter().filter_map(|e| e.fault).collect();
    assert_eq!(faults, ["token-expiry"]);
    let wrong = http
        .post(format!("{}/oauth/token", sim.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "x"),
            ("client_secret", "y"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
}

#[tokio::test]
async fn the_same_seed_meets_the_same_faults() {
    let run = |seed| async move {
        let desk = Chatlake::start(seed).await;
        desk.sim.set_faults("429=0.5,5xx=0.2".parse().unwrap());
        for _ in 0..20 {
            let _ = desk.post("contacts", json!({"name": "Ana"})).await;
        }
        desk.faults_seen(Direction::In)
    };
    let first = run(11).await;
    assert_eq!(first, run(11).await);
    assert_ne!(first, run(12).await);
}

/// The `message_created` payloads received, in order.
fn payloads(desk: &Chatlake) -> Vec<Value> {
    desk.hook
        .lock()
        .unwrap()
        .iter()
        .map(|(_, body)| serde_json::from_slice(body).unwrap())
        .collect()
}

#[tokio::test]
async fn a_message_without_a_type_is_outgoing_from_the_tokens_owner() {
    // `app/builders/messages/message_builder.rb` L14, L106-107 (konversio-org/konversio 88ffa329).
    let desk = Chatlake::start(1).await;
    let conversation = desk.conversation().await;
    let created: Value = desk
        .post_json(
            &format!("conversations/{conversation}/messages"),
            json!({"content": "Hello from the API"}),
        )
        .await;
    assert_eq!(created["message_type"], 1, "{created}");
    // `_message.json.jbuilder` writes the sender's push data, no `sender_type`.
    assert_eq!(created["sender"]["type"], "user", "{created}");
    assert!(created.get("sender_type").is_none(), "{created}");
    let sent = desk.message_deliveries(1).await;
    let last: Value = serde_json::from_slice(&sent.last().unwrap().1).unwrap();
    assert_eq!(last["message_type"], "outgoing");
}

#[tokio::test]
async fn private_notes_are_webhooked_and_activity_messages_never() {
    // `message_filter_helpers.rb#webhook_sendable?` (incoming, outgoing, template; `private` is not
    // looked at) and `webhook_listener.rb#message_created` (konversio-org/konversio 88ffa329).
    let desk = Chatlake::start(1).await;
    let conversation = desk.conversation().await;
    let path = format!("conversations/{conversation}/messages");
    for body in [
        json!({"content": "internal only", "message_type": "outgoing", "private": true}),
        json!({"content": "Conversation was resolved", "message_type": "activity"}),
        json!({"content": "last", "message_type": "outgoing"}),
    ] {
        assert!(desk.post(&path, body).await.unwrap().status().is_success());
    }
    let contents = desk.delivered(2).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(contents, ["internal only", "last"]);
    let first = &desk.message_deliveries(2).await[0].1;
    assert_eq!(serde_json::from_slice::<Value>(first).unwrap()["private"], true);
}

#[tokio::test]
async fn a_failed_delivery_marks_the_message_failed_and_fires_message_updated_once() {
    // `lib/webhooks/trigger.rb` L16-24, L55-65, L90-113 (konversio-org/konversio 88ffa329): an
    // API inbox's message_created is not retried; the message becomes `failed` with the error in
    // `content_attributes.external_error`, and the update fires message_updated.
    let (url, got) = receiver_answering(http::StatusCode::INTERNAL_SERVER_ERROR).await;
    let sim = Sim::builder(Provider::Chatlake).webhook_url(url).start().await.unwrap();
    let desk = Chatlake {
        sim,
        http: reqwest::Client::new(),
        hook: got,
    };
    let conversation = desk.conversation().await;
    let created: Value = desk
        .post_json(
            &format!("conversations/{conversation}/messages"),
            json!({"content": "never delivered", "message_type": "outgoing"}),
        )
        .await;
    desk.delivered(1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent: Vec<Value> = payloads(&desk)
        .into_iter()
        .filter(|p| p["event"].as_str().is_some_and(|e| e.starts_with("message_")))
        .collect();
    let events: Vec<&str> = sent.iter().map(|p| p["event"].as_str().unwrap()).collect();
    assert_eq!(events, ["message_created", "message_updated"], "{sent:?}");
    assert_eq!(sent[1]["id"], created["id"]);
    assert_eq!(
        sent[1]["content_attributes"]["external_error"],
        "500 Internal Server Error"
    );
    assert!(
        sent[0]["created_at"].as_str().is_some_and(|t| t.ends_with(".000Z")),
        "ISO in webhooks"
    );
    let listed = desk.get(&format!("conversations/{conversation}/messages")).await;
    let message = listed["payload"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(message["status"], "failed", "{message}");
    assert!(message["created_at"].is_u64(), "seconds in REST");
}

#[tokio::test]
async fn conversation_events_fire_as_chatwoots_models_fire_them() {
    // konversio-org/konversio 88ffa329: conversation.rb (after_create_commit, notify_status_change,
    // notify_conversation_updation), message.rb (reopen_conversation, update_waiting_since),
    // webhook_listener.rb.
    let desk = Chatlake::start(1).await;
    let conversation = desk.conversation().await;
    desk.sim.agent_typing(&conversation).await.unwrap();
    desk.sim.agent_message(&conversation, "answer").await.unwrap();
    assert!(desk.sim.resolve(&conversation).await.unwrap());
    let path = format!("conversations/{conversation}/messages");
    let again = json!({"content": "one more thing", "message_type": "incoming"});
    assert!(desk.post(&path, again).await.unwrap().status().is_success());
    desk.delivered(2).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent = payloads(&desk);
    let seen: Vec<String> = sent
        .iter()
        .map(|p| {
            let event = p["event"].as_str().unwrap_or_default();
            match p["changed_attributes"].as_array() {
                Some(changed) => {
                    let keys: Vec<&str> = changed
                        .iter()
                        .filter_map(|c| c.as_object()?.keys().next().map(String::as_str))
                        .collect();
                    format!("{event} {}", keys.join("+"))
                }
                None => event.to_owned(),
            }
        })
        .collect();
    assert_eq!(
        seen,
        [
            "conversation_created",
            "conversation_typing_on",
            "message_created",
            "conversation_updated first_reply_created_at+waiting_since",
            "conversation_typing_off",
            "conversation_status_changed status",
            "conversation_updated status",
            "conversation_status_changed status",
            "conversation_updated status",
            "message_created",
            "conversation_updated waiting_since",
        ],
        "{sent:#?}"
    );
    // Conversation events carry the contact's session, as push data does.
    assert!(sent[0]["contact_inbox"]["source_id"].is_string());
    assert_eq!(
        sent[7]["changed_attributes"][0]["status"]["current_value"], "open",
        "reopened first"
    );
}

#[tokio::test]
async fn a_session_is_reused_only_when_it_is_named() {
    // `contact_inbox_builder.rb` (konversio-org/konversio 88ffa329): an API inbox's source_id is a
    // new SecureRandom.uuid unless one is given.
    let desk = Chatlake::start(1).await;
    let contact: Value = desk.post_json("contacts", json!({"inbox_id": 1, "name": "Ana"})).await;
    let id = contact["payload"]["contact"]["id"].as_u64().unwrap();
    let first = contact["payload"]["contact_inbox"]["source_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let session = |body: Value| {
        let desk = &desk;
        async move {
            let answer: Value = desk.post_json(&format!("contacts/{id}/contact_inboxes"), body).await;
            answer["source_id"].as_str().unwrap().to_owned()
        }
    };
    let unnamed = session(json!({"inbox_id": 1})).await;
    assert_ne!(unnamed, first, "a new session");
    assert_eq!(
        session(json!({"inbox_id": 1, "source_id": first})).await,
        first,
        "named: reused"
    );
}

#[tokio::test]
async fn a_conversations_201st_message_within_a_minute_is_refused() {
    // `Message#prevent_message_flooding` (app/models/message.rb L288-298, lib/limits.rb L14-16;
    // konversio-org/konversio 88ffa329): 200 a minute per conversation, agents' included.
    let desk = Chatlake::start(1).await;
    let conversation = desk.conversation().await;
    // 200 fill the minute.
    for i in 0..200 {
        desk.sim.agent_message(&conversation, &format!("a{i}")).await.unwrap();
    }
    let refused = desk
        .post(
            &format!("conversations/{conversation}/messages"),
            json!({"content": "one too many", "message_type": "incoming"}),
        )
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    assert_eq!(
        refused.text().await.unwrap(),
        r#"{"message":"Too many messages","attributes":["base"]}"#
    );
    assert!(desk.sim.agent_message(&conversation, "and the agent").await.is_err());
}
