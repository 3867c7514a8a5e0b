//! The four desks, one module each; what they share (the desk trait the server, the agent and
//! the control routes drive; the journal, dice and outbox of one simulator) is private here.

pub mod chatlake;
pub mod directly;
pub mod engage_digital;
pub mod rake_direct;

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use axum::response::{IntoResponse, Response};
use axum::Router;
use http::StatusCode;
use serde_json::{Map, Value};
use tokio::sync::mpsc;

use crate::agent::Cue;
use crate::delivery::{Delivery, Outbox};
use crate::faults::{Dice, Fault};
use crate::journal::Journal;
use crate::server::Summary;
use crate::SimError;

/// One provider's desk.
#[async_trait]
pub(crate) trait Desk: Send + Sync + 'static {
    /// The provider's routes.
    fn router(self: Arc<Self>) -> Router;
    /// Every credential a client needs (tokens, secrets, ids), for the announcement.
    fn credentials(&self) -> Map<String, Value>;
    /// The answer to a request refused by `fault` (429 or 5xx), in the provider's own shape.
    fn refusal(&self, fault: Fault, retry_after: u64) -> Response {
        refusal(fault, retry_after, "application/json", r#"{"error":"simulated fault"}"#)
    }
    /// An agent (or expert) writes `text` in `conversation`.
    async fn agent_message(&self, conversation: &str, text: &str) -> Result<(), SimError>;
    /// An agent starts typing in `conversation`; `false` where the desk does not report it.
    async fn agent_typing(&self, conversation: &str) -> Result<bool, SimError>;
    /// The desk resolves `conversation`; `false` where it does not report it.
    async fn resolve(&self, conversation: &str) -> Result<bool, SimError>;
    /// Every conversation, as the control routes show it.
    fn conversations(&self) -> Vec<Value>;
    /// One round of the desk's own polling (Engage Digital calls the user's endpoint); `None`
    /// where the desk does not poll.
    async fn poll_endpoint(&self) -> Option<Result<usize, SimError>> {
        None
    }
}

/// A 429 or 5xx answer with `body`; 429 carries `Retry-After` unless the fault is the bare one.
pub(crate) fn refusal(fault: Fault, retry_after: u64, content_type: &str, body: &str) -> Response {
    let status = match fault {
        Fault::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::TOO_MANY_REQUESTS,
    };
    let mut response = (
        status,
        [(http::header::CONTENT_TYPE, content_type.to_owned())],
        body.to_owned(),
    )
        .into_response();
    if fault == Fault::RateLimited {
        response
            .headers_mut()
            .insert(http::header::RETRY_AFTER, http::HeaderValue::from(retry_after));
    }
    response
}

/// What a desk is built from.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) seed: u64,
    pub(crate) base_url: String,
    pub(crate) overrides: BTreeMap<String, String>,
    pub(crate) endpoint_url: Option<String>,
}

impl Settings {
    /// The credential `key`: the override given for it, or one made from the seed.
    pub(crate) fn credential(&self, key: &str, made: impl FnOnce(&mut fastrand::Rng) -> String) -> String {
        if let Some(given) = self.overrides.get(key) {
            return given.clone();
        }
        // Each key has a generator of its own, so adding a credential does not change the others.
        let salt = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        made(&mut fastrand::Rng::with_seed(self.seed ^ salt))
    }

    /// A numeric credential (`account_id`…): the override, or `default`.
    pub(crate) fn number(&self, key: &str, default: u64) -> Result<u64, SimError> {
        match self.overrides.get(key) {
            Some(given) => given.parse().map_err(|_| SimError::BadCredential {
                key: key.to_owned(),
                reason: "a whole number".into(),
            }),
            None => Ok(default),
        }
    }
}

/// `n` random letters and digits.
pub(crate) fn token(rng: &mut fastrand::Rng, n: usize) -> String {
    (0..n).map(|_| rng.alphanumeric()).collect()
}

/// `n` random lowercase hex digits.
pub(crate) fn hex(rng: &mut fastrand::Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from_digit(rng.u32(0..16), 16).unwrap_or('0'))
        .collect()
}

/// The journal, dice, outbox and agent of one simulator.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) journal: Arc<Journal>,
    pub(crate) dice: Arc<Dice>,
    pub(crate) outbox: Outbox,
    pub(crate) agent: OnceLock<mpsc::UnboundedSender<Cue>>,
    pub(crate) desk: OnceLock<Arc<dyn Desk>>,
    pub(crate) webhook_url: std::sync::Mutex<Option<String>>,
    /// The token the control routes ask for (see [`crate::control`]).
    pub(crate) control_token: deskwire_core::Secret,
    /// The next of several webhook URLs ([`Shared::spread`]).
    pub(crate) turn: std::sync::atomic::AtomicUsize,
}

impl std::fmt::Debug for dyn Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Desk")
    }
}

impl Shared {
    pub(crate) fn new(
        journal: Arc<Journal>,
        dice: Arc<Dice>,
        webhook_url: Option<String>,
        control_token: deskwire_core::Secret,
    ) -> Self {
        let outbox = Outbox::start(Arc::clone(&journal), Arc::clone(&dice));
        Self {
            journal,
            dice,
            outbox,
            agent: OnceLock::new(),
            desk: OnceLock::new(),
            webhook_url: std::sync::Mutex::new(webhook_url),
            control_token,
            turn: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// The desk (set once, at start).
    pub(crate) fn desk(&self) -> &Arc<dyn Desk> {
        self.desk.get().expect("the desk is set before the server starts")
    }

    /// A customer wrote `text` in `conversation`: the agent, if any, reacts.
    pub(crate) fn customer_said(&self, conversation: &str, text: &str) {
        if let Some(agent) = self.agent.get() {
            let _ = agent.send(Cue {
                conversation: conversation.to_owned(),
                text: text.to_owned(),
            });
        }
    }

    /// The webhook URL set at start or later; of several (comma-separated: replicas behind
    /// a load balancer, an invention of the simulator), the next one in turn.
    pub(crate) fn webhook_url(&self) -> Option<String> {
        let urls = self.webhook_url.lock().unwrap_or_else(|p| p.into_inner()).clone()?;
        Some(self.spread(&urls))
    }

    /// One of the comma-separated `urls`, each in turn (round robin, as a load balancer
    /// spreads requests over replicas); a single URL is itself.
    pub(crate) fn spread(&self, urls: &str) -> String {
        let all: Vec<&str> = urls.split(',').map(str::trim).filter(|u| !u.is_empty()).collect();
        if all.len() <= 1 {
            return urls.trim().to_owned();
        }
        let turn = self.turn.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        all[turn % all.len()].to_owned()
    }

    /// Queues a POST of `body` to `url`.
    pub(crate) fn post(
        &self,
        url: String,
        headers: http::HeaderMap,
        body: impl Into<bytes::Bytes>,
        summary: Option<String>,
        timeout: Duration,
    ) {
        self.outbox.send(Delivery {
            url,
            headers,
            body: body.into(),
            summary,
            timeout,
            answer: None,
        });
    }
}

/// A time as Rails and Directly write one: RFC 3339, UTC, milliseconds, `Z`
/// (`2026-12-07T04:40:17.465Z`).
pub(crate) fn rfc3339_millis(unix_millis: i128) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(unix_millis * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// A JSON answer carrying `summary` for the journal.
pub(crate) fn json_summarized(status: StatusCode, body: &Value, summary: Option<String>) -> Response {
    let mut response = (
        status,
        [(http::header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response();
    if let Some(summary) = summary {
        response.extensions_mut().insert(Summary(summary));
    }
    response
}

/// A JSON answer.
pub(crate) fn json(status: StatusCode, body: &Value) -> Response {
    json_summarized(status, body, None)
}
