//! A small Channel SDK source: an in-memory store of threads and messages served as the polling
//! endpoint on localhost, plus the Send API pushing a customer message in real time.
//!
//! `cargo run -p deskwire-engage-digital --example engage_digital_source`
//!
//! The example plays Engage Digital itself, twice over: a wiremock server stands in for the
//! Send API (it answers `ok` only to correctly signed requests), and a plain HTTP client sends
//! the polling requests Engage Digital would send — `implementation.info`, `threads.list`,
//! `messages.list` with and without `since_id`, an agent reply as `messages.create` — signed
//! with the channel token. It prints each exchange and checks every answer's signature.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use deskwire_core::Secret;
use deskwire_engage_digital::inbound::{
    self, list_page, ActionError, Create, Endpoint, ImplementationInfo, List, ObjectName, ObjectType, Resource,
    SdkOption, Source, Target,
};
use deskwire_engage_digital::testing::SignedBy;
use deskwire_engage_digital::wire::{DateTime, Format, Message, Operation, Thread, User};
use deskwire_engage_digital::{SendApiClient, Signer};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "3YJZzqMJ5Ec7i2JGvnt8TgvleD7dtpwpmag4S6MuRA2GQdfvV4STIsxDRJ4fEjO8";
const SOURCE_ID: &str = "8da592bc6fcf8bae41b2";
/// Small pages, so the example shows `since_id` at work.
const PAGE: usize = 2;

/// The source's own storage: contents in creation order.
#[derive(Default)]
struct Store {
    threads: Mutex<Vec<Thread>>,
    messages: Mutex<Vec<Message>>,
    /// Engage Digital's `content_id` of each agent reply stored, to our id: a retried create
    /// answers the id given the first time instead of storing the reply twice.
    agent_replies: Mutex<HashMap<String, String>>,
    next_id: AtomicU64,
}

impl Store {
    fn customer() -> User {
        User::new("42", "Alice", "2021-05-13T01:00:00Z")
    }

    fn customer_writes(&self, thread_id: &str, body: &str) -> Message {
        let id = format!("m{}", self.next_id.fetch_add(1, Ordering::Relaxed) + 1);
        let message = Message::new(id, thread_id, Self::customer())
            .body(body)
            .format(Format::Text)
            .created_at(DateTime::now())
            .action(Operation::Show)
            .action(Operation::Reply);
        self.messages.lock().unwrap().push(message.clone());
        message
    }
}

impl Source for Store {
    async fn implementation_info(&self) -> Result<ImplementationInfo, ActionError> {
        ImplementationInfo::builder()
            .object(
                ObjectName::Messages,
                [Operation::Create, Operation::Show, Operation::List],
            )
            .object(ObjectName::Threads, [Operation::Show, Operation::List])
            .mark_as_read()
            .option(SdkOption::ViewMessaging)
            .option(SdkOption::MessagesText)
            .build()
            .map_err(|e| ActionError::Unavailable(e.to_string()))
    }

    async fn list(&self, request: List) -> Result<Vec<Resource>, ActionError> {
        let since = request.since_id.as_deref();
        Ok(match request.object {
            ObjectType::Messages => {
                let messages = self.messages.lock().unwrap();
                list_page(&messages, since, PAGE, |m| &m.content.id)
                    .into_iter()
                    .map(|m| m.clone().into())
                    .collect()
            }
            ObjectType::Threads => {
                let threads = self.threads.lock().unwrap();
                list_page(&threads, since, PAGE, |t| &t.id)
                    .into_iter()
                    .map(|t| t.clone().into())
                    .collect()
            }
            _ => Vec::new(),
        })
    }

    async fn show(&self, request: Target) -> Result<Resource, ActionError> {
        let messages = self.messages.lock().unwrap();
        messages
            .iter()
            .find(|m| m.content.id == request.id)
            .map(|m| m.clone().into())
            .ok_or_else(|| ActionError::Fatal(format!("no content {}", request.id)))
    }

    async fn create(&self, request: Create) -> Result<Resource, ActionError> {
        let content = request.content;
        if let Some(known) = content
            .content_id
            .as_ref()
            .and_then(|c| self.agent_replies.lock().unwrap().get(c).cloned())
        {
            return Ok(Resource::id_only(known));
        }
        let thread = content
            .thread_id
            .clone()
            .ok_or_else(|| ActionError::Fatal("an agent reply needs a thread".into()))?;
        let agent = User::new(
            content.author_id.clone().unwrap_or_default(),
            content.sender_name.clone().unwrap_or_else(|| "Agent".into()),
            DateTime::now(),
        );
        let id = format!("agent-{}", self.next_id.fetch_add(1, Ordering::Relaxed) + 1);
        let mut reply = Message::new(id.clone(), thread, agent).body(content.body.clone().unwrap_or_default());
        reply.content.in_reply_to_id = content.in_reply_to_id.clone();
        println!(
            "  source stored the agent reply as {id}: {:?}",
            content.body.as_deref().unwrap_or("")
        );
        self.messages.lock().unwrap().push(reply);
        if let Some(content_id) = content.content_id {
            self.agent_replies.lock().unwrap().insert(content_id, id.clone());
        }
        // Answer our own new id: later Send API calls (mark as read) refer to it.
        Ok(Resource::id_only(id))
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = Secret::new(TOKEN);
    let store = Store::default();
    store.threads.lock().unwrap().push(
        Thread::new("t1", Store::customer())
            .title("Order 1234")
            .body("Where is my order?")
            .format(Format::Text),
    );
    for body in ["Hello", "I ordered shoes last week", "Order 1234"] {
        store.customer_writes("t1", body);
    }

    // The polling endpoint, served on localhost.
    let endpoint = Arc::new(Endpoint::new(&token, store)?);
    let app = axum::Router::new().nest("/engage", inbound::axum::router(endpoint.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base_uri = format!("http://{}/engage", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    println!("Channel SDK endpoint (Base URI): {base_uri}\n");

    // A stand-in for Engage Digital's Send API.
    let send_api = MockServer::start().await;
    Mock::given(method("POST"))
        .and(SignedBy::token(&token))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&send_api)
        .await;
    let client = SendApiClient::builder(send_api.uri(), SOURCE_ID, Secret::new(TOKEN)).build()?;

    // Engage Digital polls.
    let engage = PollingEngage::new(&token, base_uri);
    engage
        .call(r#"{"action":"implementation.info","time":"2012-10-01T17:18:40Z"}"#)
        .await?;
    engage
        .call(r#"{"action":"threads.list","time":"2021-05-13T01:20:00Z"}"#)
        .await?;
    let first = engage
        .call(r#"{"action":"messages.list","time":"2021-05-13T01:20:00Z"}"#)
        .await?;
    // The next since_id is the newest item of the page, which comes first.
    let mut since = first[0]["id"].as_str().unwrap_or_default().to_owned();
    loop {
        let body =
            format!(r#"{{"action":"messages.list","params":{{"since_id":"{since}"}},"time":"2021-05-13T01:21:00Z"}}"#);
        let page = engage.call(&body).await?;
        match page.as_array().and_then(|p| p.first()) {
            Some(newest) => since = newest["id"].as_str().unwrap_or_default().to_owned(),
            None => break,
        }
    }

    // The customer writes again: pushed at once through the Send API instead of waiting for a poll.
    let urgent = endpoint.source().customer_writes("t1", "Can someone answer quickly?");
    client.create_message(&urgent).await?;
    println!("Send API: pushed {} as messages.create -> ok\n", urgent.content.id);

    // An agent answers in Engage Digital: it arrives as messages.create (the docs' example shape).
    let reply = engage
        .call(
            r#"{"action":"messages.create","params":{"author_id":"1234","body":"Yes I can.","content_id":"ed-5001","created_at":"2021-05-13T01:23:25Z","format":"text","in_reply_to_id":"m4","retry":false,"sender_name":"Craig Chan","thread_id":"t1","title":null,"updated_at":"2021-05-13T01:21:25Z"},"time":"2021-05-13T01:23:25Z"}"#,
        )
        .await?;
    let reply_id = reply["id"].as_str().ok_or("create answered no id")?.to_owned();
    // Engage Digital retries the same create: the source recognises it.
    let retried = engage
        .call(r#"{"action":"messages.create","params":{"author_id":"1234","body":"Yes I can.","content_id":"ed-5001","retry":true,"thread_id":"t1"},"time":"2021-05-13T01:23:40Z"}"#)
        .await?;
    assert_eq!(
        retried["id"],
        reply_id.as_str(),
        "a retried create must answer the same id"
    );

    // The customer read the agent's reply.
    client.mark_as_read(&reply_id).await?;
    println!("Send API: status.mark_as_read {reply_id} -> ok\n");

    // A forged request never reaches the source.
    engage
        .forged(r#"{"action":"messages.show","params":{"id":"m1"}}"#)
        .await?;

    println!("Engage Digital's Send API received:");
    for request in send_api.received_requests().await.unwrap_or_default() {
        println!("  {}", String::from_utf8_lossy(&request.body));
    }
    Ok(())
}

/// Engage Digital's side of polling: signed requests, verified answers.
struct PollingEngage {
    signer: Signer,
    base_uri: String,
    http: reqwest::Client,
}

impl PollingEngage {
    fn new(token: &Secret, base_uri: String) -> Self {
        Self {
            signer: Signer::new(token),
            base_uri,
            http: reqwest::Client::new(),
        }
    }

    async fn call(&self, body: &str) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
        let response = self
            .http
            .post(&self.base_uri)
            .header("X-SMCCSDK-SIGNATURE", self.signer.sign(body.as_bytes()))
            .header("Content-Type", "application/json")
            .body(body.to_owned())
            .send()
            .await?;
        let status = response.status();
        let signature = response
            .headers()
            .get("x-smccsdk-signature")
            .and_then(|v| v.to_str().ok())
            .ok_or("answer is not signed")?
            .to_owned();
        let answer = response.bytes().await?;
        self.signer
            .verify(&answer, &signature)
            .map_err(|e| format!("answer signature: {e}"))?;
        println!("Engage Digital -> {body}");
        println!(
            "  <- {status} (signature verified) {}\n",
            String::from_utf8_lossy(&answer)
        );
        if !status.is_success() {
            return Err(format!("endpoint answered {status}").into());
        }
        Ok(serde_json::from_slice(&answer)?)
    }

    async fn forged(&self, body: &str) -> Result<(), Box<dyn std::error::Error>> {
        let forged = Signer::new(&Secret::new("not the channel token")).sign(body.as_bytes());
        let response = self
            .http
            .post(&self.base_uri)
            .header("X-SMCCSDK-SIGNATURE", forged)
            .body(body.to_owned())
            .send()
            .await?;
        let status = response.status();
        println!("Forged request -> {body}\n  <- {status} {}\n", response.text().await?);
        if status != 422 {
            return Err("a forged request was not refused".into());
        }
        Ok(())
    }
}
