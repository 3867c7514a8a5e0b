//! A small Channel SDK source: an in-memory store of threads and messages served as the polling
//! endpoint on localhost, plus the Send API pushing a customer message in real time.
//!
//! `cargo run -p deskwire-engage-digital --example engage_digital_source`
//!
//! deskwire-sim plays Engage Digital on both sides: its Send API (it answers `ok` only to
//! correctly signed requests), and the polling it does against this endpoint —
//! `implementation.info`, every page of `threads.list` and `messages.list` (`since_id` from the
//! newest item of the page before), an agent reply as `messages.create`, delivered twice here
//! (the simulator's `dup` fault, as Engage Digital retries) — each signed with the channel
//! token, each answer's signature checked. The example prints what the desk recorded.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use deskwire_core::Secret;
use deskwire_engage_digital::inbound::{
    self, list_page, ActionError, Create, Endpoint, ImplementationInfo, List, ObjectName, ObjectType, Resource,
    SdkOption, Source, Target,
};
use deskwire_engage_digital::wire::{DateTime, Format, Message, Operation, Thread, User};
use deskwire_engage_digital::{SendApiClient, Signer};
use deskwire_sim::{Fault, Faults, Provider, Sim};

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

    // Engage Digital, with this source's token and id, polling this endpoint.
    let engage = Sim::builder(Provider::EngageDigital)
        .credential("access_token", TOKEN)
        .credential("source_id", SOURCE_ID)
        .endpoint_url(&base_uri)
        .start()
        .await?;
    let client = SendApiClient::builder(engage.base_url(), SOURCE_ID, Secret::new(TOKEN)).build()?;

    // Engage Digital crawls: the thread and the three messages, two per page.
    let imported = engage.poll_endpoint().await.ok_or("the desk does not poll")??;
    println!("crawl: {imported} customer messages imported");

    // The customer writes again: pushed at once through the Send API instead of waiting for a poll.
    let urgent = endpoint.source().customer_writes("t1", "Can someone answer quickly?");
    client.create_message(&urgent).await?;
    println!("Send API: pushed {} as messages.create -> ok", urgent.content.id);

    // An agent answers in Engage Digital: it arrives as messages.create, twice (a retry); the
    // source recognises the second by its content_id and stores the reply once.
    engage.set_faults(Faults::none().with(Fault::Duplicate, 1.0));
    engage.agent_message("t1", "Yes I can.").await?;
    engage.set_faults(Faults::none());
    let thread = engage
        .conversations()
        .into_iter()
        .find(|c| c["id"] == "t1")
        .ok_or("no thread t1")?;
    let reply_id = thread["messages"]
        .as_array()
        .and_then(|m| m.iter().rev().find(|m| m["from"] == "agent"))
        .and_then(|m| m["id"].as_str())
        .ok_or("no agent reply")?
        .to_owned();
    let stored = endpoint
        .source()
        .messages
        .lock()
        .unwrap()
        .iter()
        .filter(|m| m.content.id == reply_id)
        .count();
    assert_eq!(stored, 1, "a retried create must not be stored twice");

    // The customer read the agent's reply.
    client.mark_as_read(&reply_id).await?;
    println!("Send API: status.mark_as_read {reply_id} -> ok\n");

    // A forged request never reaches the source.
    forged(&base_uri, r#"{"action":"messages.show","params":{"id":"m1"}}"#).await?;

    println!("Engage Digital's journal:");
    for exchange in engage.exchanges() {
        println!(
            "  {:?} {} {} -> {:?} {} {}",
            exchange.direction,
            exchange.method,
            exchange.path,
            exchange.status,
            exchange.summary.unwrap_or_default(),
            exchange.fault.unwrap_or_default()
        );
    }
    Ok(())
}

/// A request signed with the wrong token: refused with 422 before the source sees it.
async fn forged(base_uri: &str, body: &str) -> Result<(), Box<dyn std::error::Error>> {
    let forged = Signer::new(&Secret::new("not the channel token")).sign(body.as_bytes());
    let response = reqwest::Client::new()
        .post(base_uri)
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
