//! The customers: conversations started over a ramp, each sending its messages one after the
//! other and waiting for the agent's answer in the outbox stream, as a chat front end's
//! customer side reads it.
//!
//! A send that reached no replica (connection refused, `503`: the desk did not act) goes to the
//! next replica; one whose fate is unknown (the connection broke, `502`) is never sent again,
//! as a careful client does — its answer, if the desk got it, still comes through the outbox,
//! which also names the conversation.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// An agent answer as the outbox holds it.
#[derive(Debug, Clone)]
pub struct OutboxEntry {
    /// The conversation's stored reference.
    pub conversation: String,
    /// The answer's text.
    pub text: String,
    /// The replica that wrote it.
    pub replica: String,
    /// Seconds since the start of the run, when the driver read it.
    pub at: f64,
}

/// One answer's latency: customer message sent → answer read, minus the agent's own delay.
#[derive(Debug, Clone, Copy)]
pub struct Latency {
    /// Seconds since the start, when the answer was read.
    pub at: f64,
    /// Milliseconds.
    pub ms: f64,
}

/// What the driver and the stream reader share.
pub struct Shared {
    /// The start of the run.
    pub started: Instant,
    /// Every outbox entry read, in stream order.
    pub outbox: Mutex<Vec<OutboxEntry>>,
    /// Customer text → (when its answer was read, the conversation it came in).
    answers: Mutex<HashMap<String, (Instant, String)>>,
    /// Latencies.
    pub latencies: Mutex<Vec<Latency>>,
    /// Conversations finished (answered to the end, or given up).
    pub done: AtomicUsize,
    /// Customer messages whose answer never came.
    pub unanswered: AtomicUsize,
    /// Sends tried again on another replica (nothing had reached the desk).
    pub resent: AtomicUsize,
    /// Sends whose fate was unknown (not sent again).
    pub unknown: AtomicUsize,
    /// Sends the service refused for good (4xx).
    pub refused: AtomicUsize,
}

impl Shared {
    /// A new run's shared state.
    pub fn new() -> Self {
        Self {
            started: Instant::now(),
            outbox: Mutex::default(),
            answers: Mutex::default(),
            latencies: Mutex::default(),
            done: AtomicUsize::new(0),
            unanswered: AtomicUsize::new(0),
            resent: AtomicUsize::new(0),
            unknown: AtomicUsize::new(0),
            refused: AtomicUsize::new(0),
        }
    }

    /// Seconds since the start.
    pub fn now(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Answers read so far.
    pub fn answered(&self) -> usize {
        self.outbox.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// The customer text an answer quotes (the scripted agent writes `… You wrote: <text>`).
pub fn quoted(answer: &str) -> Option<&str> {
    answer.rsplit_once("You wrote: ").map(|(_, text)| text)
}

/// Reads the outbox stream from its start until `stop` is set, recording each entry.
pub async fn read_stream(redis: String, stream: String, shared: Arc<Shared>, stop: Arc<std::sync::atomic::AtomicBool>) {
    let Ok(mut connection) = crate::procs::connect(&redis).await else {
        eprintln!("soak: the stream reader could not connect to Redis");
        return;
    };
    let mut last = "0-0".to_owned();
    while !stop.load(Ordering::Relaxed) {
        let read: redis::RedisResult<Value> = redis::cmd("XREAD")
            .arg("COUNT")
            .arg(1000)
            .arg("BLOCK")
            .arg(200)
            .arg("STREAMS")
            .arg(&stream)
            .arg(&last)
            .query_async::<redis::Value>(&mut connection)
            .await
            .map(|v| redis_to_json(&v));
        let Ok(read) = read else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        // [[stream, [[id, [k, v, k, v...]], ...]]]
        let entries = read
            .pointer("/0/1")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for entry in entries {
            let Some(id) = entry.pointer("/0").and_then(Value::as_str) else {
                continue;
            };
            last = id.to_owned();
            let fields = entry
                .pointer("/1")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let field = |name: &str| {
                fields
                    .chunks(2)
                    .find(|kv| kv[0].as_str() == Some(name))
                    .and_then(|kv| kv.get(1))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let entry = OutboxEntry {
                conversation: field("conversation"),
                text: field("text"),
                replica: field("replica"),
                at: shared.now(),
            };
            if let Some(customer) = quoted(&entry.text) {
                shared
                    .answers
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .entry(customer.to_owned())
                    .or_insert((Instant::now(), entry.conversation.clone()));
            }
            shared.outbox.lock().unwrap_or_else(|p| p.into_inner()).push(entry);
        }
    }
}

/// A Redis reply as JSON (arrays, strings, numbers), enough to walk `XREAD`'s answer.
pub fn redis_to_json(value: &redis::Value) -> Value {
    match value {
        redis::Value::Array(items) | redis::Value::Set(items) => {
            Value::Array(items.iter().map(redis_to_json).collect())
        }
        redis::Value::BulkString(bytes) => Value::String(String::from_utf8_lossy(bytes).into_owned()),
        redis::Value::SimpleString(s) => Value::String(s.clone()),
        redis::Value::Int(i) => json!(i),
        redis::Value::Map(pairs) => Value::Array(
            pairs
                .iter()
                .flat_map(|(k, v)| [redis_to_json(k), redis_to_json(v)])
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// How the customers behave.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Messages each conversation sends (the first opens it).
    pub messages: usize,
    /// The scripted agent's delay, taken out of each latency.
    pub agent_delay: Duration,
    /// How long a customer waits for an answer before giving up on the conversation.
    pub answer_timeout: Duration,
}

/// One customer: conversation `k` through `replicas` (base URLs).
pub async fn customer(k: usize, replicas: Arc<Vec<String>>, http: reqwest::Client, plan: Plan, shared: Arc<Shared>) {
    let mut reference: Option<String> = None;
    for j in 0..plan.messages {
        let text = format!("c{k}-m{j}");
        let sent_at = Instant::now();
        let (path, body) = match &reference {
            None if j == 0 => (
                "conversations",
                json!({"customer": format!("soak-{k}"), "name": format!("Customer {k}"),
                       "email": format!("soak-{k}@example.com"), "text": text}),
            ),
            Some(conversation) => ("messages", json!({"conversation": conversation, "text": text})),
            None => break,
        };
        for attempt in 0..60 {
            let url = format!("{}/{path}", replicas[(k + attempt) % replicas.len()]);
            match http.post(&url).body(body.to_string()).send().await {
                Ok(answer) if answer.status().is_success() => {
                    if let Ok(started) = answer.json::<Value>().await {
                        if let Some(c) = started["conversation"].as_str() {
                            reference = Some(c.to_owned());
                        }
                    }
                    break;
                }
                Ok(answer) if answer.status() == 503 => {
                    shared.resent.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Ok(answer) if answer.status() == 502 => {
                    shared.unknown.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                Ok(_) => {
                    shared.refused.fetch_add(1, Ordering::Relaxed);
                    break;
                }
                // Nothing reached a replica: another one takes it.
                Err(e) if e.is_connect() => {
                    shared.resent.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                // The replica died with the request: its fate is unknown.
                Err(_) => {
                    shared.unknown.fetch_add(1, Ordering::Relaxed);
                    break;
                }
            }
        }
        let deadline = sent_at + plan.answer_timeout;
        loop {
            let arrived = shared
                .answers
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(&text)
                .cloned();
            if let Some((at, conversation)) = arrived {
                let ms = at.saturating_duration_since(sent_at).saturating_sub(plan.agent_delay);
                shared
                    .latencies
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(Latency {
                        at: shared.now(),
                        ms: ms.as_secs_f64() * 1000.0,
                    });
                reference.get_or_insert(conversation);
                break;
            }
            if Instant::now() > deadline {
                shared.unanswered.fetch_add(1, Ordering::Relaxed);
                shared.done.fetch_add(1, Ordering::Relaxed);
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    shared.done.fetch_add(1, Ordering::Relaxed);
}
