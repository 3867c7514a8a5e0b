//! Stateful simulators of the four desks deskwire speaks to — Engage Digital, Chatlake
//! (Chatwoot's API channel), Directly and Rake Direct — with deterministic faults.
//!
//! None of these desks ships a simulator, and all of them need an account (a sales contact, or
//! a self-hosted Chatwoot). A simulator speaks the provider's wire protocol on a local port,
//! keeps its state in memory, answers as the real server does (its errors included), sends
//! the signed webhooks the real server sends, and can play an agent who answers, so a whole
//! handoff runs against it unattended.
//!
//! ```no_run
//! # async fn demo() -> Result<(), deskwire_sim::SimError> {
//! use deskwire_sim::{AgentScript, Faults, Provider, Sim};
//! use std::time::Duration;
//!
//! let sim = Sim::builder(Provider::Chatlake)
//!     .webhook_url("http://127.0.0.1:3000/webhook")
//!     .agent(AgentScript::replying_after(Duration::from_millis(200)))
//!     .faults("dup=0.1,drop=0.05".parse().expect("valid faults"))
//!     .seed(7)
//!     .start()
//!     .await?;
//! let token = sim.credential("api_access_token").unwrap_or_default();
//! println!("{} {}", sim.base_url(), token.len());
//! // ... point a client at sim.base_url(), then assert on what the desk received:
//! for exchange in sim.exchanges() {
//!     println!("{:?} {} {:?}", exchange.direction, exchange.path, exchange.summary);
//! }
//! # Ok(()) }
//! ```
//!
//! The binary `deskwire-sim` serves the same desks to other processes; its first line on
//! stdout is the [`Sim::announcement`], then one JSON line per [`Exchange`]. The control routes
//! under `/_sim` (see [`control`]) inject agent messages, set faults and list what happened.
//!
//! **Judged by upstream.** `cargo xtask conform`'s `sim` stage replays every upstream case that
//! pairs a request with the desk's answer on a fresh simulator, over plain HTTP, and compares
//! the answer with upstream's (shapes, error bodies, statuses the official client checks); the
//! real clients of `clients/check.py` (PHP, Ruby, PyPI's chatwoot-sdk, curl) drive it in CI.
//!
//! **What the simulator invents** (no desk does it; everything else follows upstream):
//!
//! * the faults ([`faults`]): duplicated, dropped, delayed and reordered deliveries, 429s, 500s,
//!   closed connections, revoked tokens, drawn from a seed;
//! * the control routes under `/_sim` and the journal of exchanges ([`control`], [`journal`]);
//! * the scripted agent ([`agent`]) and its steps (typing off after it sends; "bye" resolves);
//! * [`Capture`], a receiver that keeps deliveries for tests;
//! * Rake Direct's whole wire behaviour beyond its page's examples (answers, errors, the
//!   `X-Rake-Secret` header of return webhooks, session expiry counted from the last message):
//!   Rake publishes no reference and no code;
//! * Directly's OAuth token endpoint (path, grant, lifetime: undocumented) and the text of an
//!   automatic answer;
//! * Engage Digital's plain-text error bodies (the format is undocumented).
//!
//! What each desk implements, and where it comes from, is in its module's docs:
//! [`desk::engage_digital`], [`desk::chatlake`], [`desk::directly`], [`desk::rake_direct`]. Where a provider's behaviour is not documented the
//! simulator follows deskwire's notes and says so there; a real client that disagrees with the
//! simulator is the simulator's bug.

// A handler's early answer is a `Response`, built once per request: boxing it buys nothing.
#![allow(clippy::result_large_err)]

pub mod agent;
pub mod capture;
pub mod control;
mod delivery;
pub mod desk;
pub mod faults;
pub mod journal;
mod server;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;

use serde_json::{json, Map, Value};
use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch};

pub use agent::AgentScript;
pub use capture::Capture;
pub use faults::{Fault, Faults, FaultsError};
pub use journal::{Direction, Exchange};

use desk::{Desk, Settings, Shared};
use faults::Dice;
use journal::Journal;

/// A desk the simulator plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Provider {
    /// Engage Digital's Channel SDK: the Send API, and calls to the user's polling endpoint.
    EngageDigital,
    /// Chatlake, Chatwoot's API channel: the Application and Client APIs, signed webhooks.
    Chatlake,
    /// Directly's Messaging API: OAuth tokens, questions, responses, messages.
    Directly,
    /// Rake Direct: the one endpoint, return webhooks.
    RakeDirect,
}

impl Provider {
    /// Every provider.
    pub const ALL: [Provider; 4] = [
        Provider::EngageDigital,
        Provider::Chatlake,
        Provider::Directly,
        Provider::RakeDirect,
    ];

    /// Its name on the command line and in the announcement (`engage-digital`…), which is also
    /// the name `deskwire_core::channel::Channel::provider` gives.
    pub const fn key(self) -> &'static str {
        match self {
            Provider::EngageDigital => "engage-digital",
            Provider::Chatlake => "chatlake",
            Provider::Directly => "directly",
            Provider::RakeDirect => "rake-direct",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for Provider {
    type Err = SimError;

    fn from_str(s: &str) -> Result<Self, SimError> {
        Provider::ALL
            .into_iter()
            .find(|p| p.key() == s)
            .ok_or_else(|| SimError::UnknownProvider(s.to_owned()))
    }
}

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// A provider name the simulator does not know.
    #[error("unknown provider `{0}`; the simulator plays engage-digital, chatlake, directly and rake-direct")]
    UnknownProvider(String),
    /// The port could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: String,
        /// Why.
        source: std::io::Error,
    },
    /// A credential override that does not fit.
    #[error("credential `{key}` must be {reason}")]
    BadCredential {
        /// The key.
        key: String,
        /// What it must be.
        reason: String,
    },
    /// No conversation with that id.
    #[error("no conversation `{0}`")]
    UnknownConversation(String),
    /// The desk refused what was asked (a limit, a validation).
    #[error("{0}")]
    Refused(String),
    /// The conversation is closed or expired: no one can write into it.
    #[error("conversation `{0}` has ended")]
    SessionEnded(String),
    /// The desk would send a webhook but was given no URL to send it to.
    #[error("{0} has nowhere to send it: start the simulator with a webhook or endpoint URL")]
    NoTarget(&'static str),
    /// A call to the user's endpoint went wrong.
    #[error("the endpoint call failed: {0}")]
    Endpoint(String),
}

/// Sets up a simulator; [`SimBuilder::start`] serves it.
#[derive(Debug, Clone)]
pub struct SimBuilder {
    provider: Provider,
    seed: Option<u64>,
    control_token: Option<deskwire_core::Secret>,
    faults: Faults,
    agent: Option<AgentScript>,
    webhook_url: Option<String>,
    endpoint_url: Option<String>,
    overrides: BTreeMap<String, String>,
    address: SocketAddr,
}

impl SimBuilder {
    /// The seed of every fault decision and of the generated credentials (default: a random
    /// one, announced, so that a run's credentials cannot be guessed and a run can be repeated).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The token the control routes ask for (default: a random one; see [`control`]).
    pub fn control_token(mut self, token: impl Into<String>) -> Self {
        self.control_token = Some(deskwire_core::Secret::new(token.into()));
        self
    }

    /// The faults (default none).
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// A scripted agent answering every customer message (default: no agent; inject messages
    /// with [`Sim::agent_message`]).
    pub fn agent(mut self, script: AgentScript) -> Self {
        self.agent = Some(script);
        self
    }

    /// Where Chatlake's inbox webhooks go (also settable through the Client API inbox's
    /// `webhook_url`); Rake Direct sends to each session's `returnWebhookUrl`.
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.webhook_url = Some(url.into());
        self
    }

    /// Engage Digital: the user's polling endpoint the desk calls.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// Uses `value` for credential `key` instead of one made from the seed (e.g. the access
    /// token and source id of a document's example).
    pub fn credential(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.overrides.insert(key.into(), value.into());
        self
    }

    /// The port on 127.0.0.1 (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.address.set_port(port);
        self
    }

    /// The address to listen on (default 127.0.0.1, any free port).
    pub fn address(mut self, address: SocketAddr) -> Self {
        self.address = address;
        self
    }

    /// Binds the port and serves the desk in the background until the [`Sim`] is dropped.
    pub async fn start(self) -> Result<Sim, SimError> {
        let listener = TcpListener::bind(self.address).await.map_err(|source| SimError::Bind {
            address: self.address.to_string(),
            source,
        })?;
        let local = listener.local_addr().map_err(|source| SimError::Bind {
            address: self.address.to_string(),
            source,
        })?;
        let base_url = format!("http://{local}");
        let journal = Arc::new(Journal::new());
        let seed = self.seed.unwrap_or_else(|| fastrand::Rng::new().u64(..));
        let dice = Arc::new(Dice::new(seed, self.faults));
        let control_token = match &self.control_token {
            Some(token) => token.expose().to_owned(),
            None => uuid::Uuid::new_v4().simple().to_string(),
        };
        let shared = Arc::new(Shared::new(
            journal,
            dice,
            self.webhook_url.clone(),
            deskwire_core::Secret::new(control_token.clone()),
        ));
        let settings = Settings {
            seed,
            base_url: base_url.clone(),
            overrides: self.overrides,
            endpoint_url: self.endpoint_url,
        };
        let desk: Arc<dyn Desk> = match self.provider {
            Provider::EngageDigital => Arc::new(desk::engage_digital::EngageDigitalDesk::new(
                &settings,
                Arc::clone(&shared),
            )?),
            Provider::Chatlake => Arc::new(desk::chatlake::ChatlakeDesk::new(&settings, Arc::clone(&shared))?),
            Provider::Directly => Arc::new(desk::directly::DirectlyDesk::new(&settings, Arc::clone(&shared))?),
            Provider::RakeDirect => Arc::new(desk::rake_direct::RakeDirectDesk::new(&settings, Arc::clone(&shared))?),
        };
        let _ = shared.desk.set(Arc::clone(&desk));
        if let Some(script) = self.agent {
            let _ = shared.agent.set(agent::start(script, Arc::downgrade(&desk)));
        }
        let routes = Arc::clone(&desk).router().layer(axum::middleware::from_fn_with_state(
            Arc::clone(&shared),
            server::inbound,
        ));
        let router = control::router(Arc::clone(&shared)).merge(routes);
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(server::serve(listener, router, stopped));
        Ok(Sim {
            provider: self.provider,
            seed,
            control_token: deskwire_core::Secret::new(control_token),
            base_url,
            credentials: desk.credentials(),
            desk,
            shared,
            stop,
        })
    }
}

/// A running simulator. Dropping it stops the server.
#[derive(Debug)]
pub struct Sim {
    provider: Provider,
    seed: u64,
    control_token: deskwire_core::Secret,
    base_url: String,
    credentials: Map<String, Value>,
    desk: Arc<dyn Desk>,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

impl Sim {
    /// A simulator of `provider`.
    pub fn builder(provider: Provider) -> SimBuilder {
        SimBuilder {
            provider,
            seed: None,
            control_token: None,
            faults: Faults::none(),
            agent: None,
            webhook_url: None,
            endpoint_url: None,
            overrides: BTreeMap::new(),
            address: SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }

    /// The desk played.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Every credential a client needs, by name (see each desk's docs for the names).
    pub fn credentials(&self) -> &Map<String, Value> {
        &self.credentials
    }

    /// One credential as text (numbers too).
    pub fn credential(&self, key: &str) -> Option<String> {
        match self.credentials.get(key)? {
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    /// The binary's first line: `{"provider", "base_url", "credentials"}`.
    pub fn announcement(&self) -> Value {
        json!({"provider": self.provider.key(), "base_url": self.base_url, "credentials": self.credentials,
               "seed": self.seed, "control_token": self.control_token.expose()})
    }

    /// The seed of this run (the one given, or the random one drawn).
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The token the control routes ask for in [`control::TOKEN_HEADER`].
    pub fn control_token(&self) -> &str {
        self.control_token.expose()
    }

    /// Every exchange so far, in order.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.shared.journal.all()
    }

    /// The exchanges from now on, as they happen.
    pub fn subscribe(&self) -> broadcast::Receiver<Exchange> {
        self.shared.journal.subscribe()
    }

    /// The summaries of the requests the desk received and applied (answered 2xx, or read
    /// before a closed connection), in order: `message: Hi`, `typing: on`, `read: 42`, `close`.
    pub fn received(&self) -> Vec<String> {
        self.exchanges()
            .into_iter()
            .filter(|e| e.direction == Direction::In && e.status.is_none_or(|s| (200..300).contains(&s)))
            .filter_map(|e| e.summary)
            .collect()
    }

    /// An agent writes `text` in `conversation` (the desk's id for it, as the client's
    /// conversation reference carries it).
    pub async fn agent_message(&self, conversation: &str, text: &str) -> Result<(), SimError> {
        self.desk.agent_message(conversation, text).await
    }

    /// An agent starts typing; `Ok(false)` where the desk does not report typing.
    pub async fn agent_typing(&self, conversation: &str) -> Result<bool, SimError> {
        self.desk.agent_typing(conversation).await
    }

    /// The desk resolves `conversation`; `Ok(false)` where the desk does not report it.
    pub async fn resolve(&self, conversation: &str) -> Result<bool, SimError> {
        self.desk.resolve(conversation).await
    }

    /// Every conversation with its messages and status.
    pub fn conversations(&self) -> Vec<Value> {
        self.desk.conversations()
    }

    /// The faults in force.
    pub fn faults(&self) -> Faults {
        self.shared.dice.faults()
    }

    /// Other faults from now on.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.dice.set_faults(faults);
    }

    /// Where webhooks go from now on.
    pub fn set_webhook_url(&self, url: impl Into<String>) {
        *self.shared.webhook_url.lock().unwrap_or_else(|p| p.into_inner()) = Some(url.into());
    }

    /// Engage Digital: one round of polling the user's endpoint now (`implementation.info` the
    /// first time, then `messages.list` since the last id seen); the number of customer
    /// messages imported. `None` for the other desks.
    pub async fn poll_endpoint(&self) -> Option<Result<usize, SimError>> {
        self.desk.poll_endpoint().await
    }
}
