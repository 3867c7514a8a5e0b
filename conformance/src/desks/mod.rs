//! **The contract suite**: one scenario, the same code for every provider, against the
//! provider's desk played by [`deskwire_sim`].
//!
//! A [`SimDesk`] starts the simulator, serves the channel's inbound side on a local port (the
//! simulator's webhooks, return webhooks and endpoint calls arrive there through
//! `deskwire_core::axum::channel_router`), and builds the provider's channel from the
//! simulator's credentials. [`run_scenario`] drives the channel through `Arc<dyn Channel>` only
//! and checks every step against [`Channel::capabilities`]: what is supported must work, what is
//! not must fail with [`ChannelError::Unsupported`] and send nothing. What the desk received is
//! read back from the simulator's journal as neutral lines (`message: <text>`, `typing: on`,
//! `read: <id>`, `close`).
//!
//! The same desks back the `handoff` example's `--demo`.

use std::sync::Arc;
use std::time::Duration;

use deskwire_core::channel::{
    Channel, ChannelError, ConversationRef, Customer, CustomerMessage, DeskEvent, EventKind, InboundRequest, Operation,
    Typing,
};
use deskwire_core::retry::RetryPolicy;
use deskwire_core::verify::Proof;
use deskwire_core::Secret;
use deskwire_sim::{Provider, Sim, SimError};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, Mutex};

/// How long a step waits for the desk's event.
const EVENT_WAIT: Duration = Duration::from_secs(10);

/// A provider's desk, played by the simulator, with the channel talking to it.
#[derive(Debug)]
pub struct SimDesk {
    sim: Sim,
    channel: Arc<dyn Channel>,
    events: Mutex<mpsc::UnboundedReceiver<DeskEvent>>,
    inbound_url: String,
}

fn built<T, E: std::fmt::Display>(what: &str, result: Result<T, E>) -> Result<T, String> {
    result.map_err(|e| format!("{what}: {e}"))
}

/// The channel for a simulator's announcement (`{"provider", "base_url", "credentials"}`, the
/// binary's first line), built as a user would; Rake Direct's return webhook goes to
/// `inbound_url`; Chatlake's backfill keeps its positions in a memory store of its own.
pub fn channel_for(announcement: &serde_json::Value, inbound_url: &str) -> Result<Arc<dyn Channel>, String> {
    channel_on(
        announcement,
        inbound_url,
        Arc::new(deskwire_core::store::MemoryStore::new()),
    )
}

/// [`channel_for`], with Chatlake's backfill positions in `store` (share it with replicas and
/// with a `Deduplicated` around the channel).
pub fn channel_on(
    announcement: &serde_json::Value,
    inbound_url: &str,
    store: Arc<dyn deskwire_core::store::Store>,
) -> Result<Arc<dyn Channel>, String> {
    let provider: Provider = announcement["provider"]
        .as_str()
        .unwrap_or_default()
        .parse()
        .map_err(|e: SimError| e.to_string())?;
    let base = announcement["base_url"]
        .as_str()
        .ok_or("the announcement has no base_url")?;
    let credentials = announcement["credentials"]
        .as_object()
        .ok_or("the announcement has no credentials")?;
    let credential = |key: &str| -> Result<String, String> {
        match credentials.get(key) {
            Some(serde_json::Value::String(s)) => Ok(s.clone()),
            Some(other) => Ok(other.to_string()),
            None => Err(format!("the announcement has no `{key}`")),
        }
    };
    Ok(match provider {
        Provider::EngageDigital => {
            use deskwire_engage_digital::{channel::EngageDigitalChannel, SendApiClient};
            let client =
                SendApiClient::builder(base, credential("source_id")?, Secret::new(credential("access_token")?))
                    .retry_policy(RetryPolicy::never())
                    .build();
            Arc::new(EngageDigitalChannel::new(built("the Send API client", client)?))
        }
        Provider::Chatlake => {
            use deskwire_chatlake::{
                channel::ChatlakeChannel, inbound::WebhookVerifier, public::PublicClient, ChatlakeClient,
            };
            let account = built("account_id", credential("account_id")?.parse::<u64>())?;
            let inbox = built("inbox_id", credential("inbox_id")?.parse::<u64>())?;
            let api = ChatlakeClient::builder(base, account, Secret::new(credential("api_access_token")?))
                .retry_policy(RetryPolicy::never())
                .build();
            let public = PublicClient::builder(base, credential("inbox_identifier")?)
                .retry_policy(RetryPolicy::never())
                .build();
            let verifier = WebhookVerifier::new(&Secret::new(credential("webhook_secret")?));
            Arc::new(
                ChatlakeChannel::new(built("the Application API client", api)?, inbox)
                    .client_api(built("the Client API client", public)?)
                    .webhooks(built("the webhook verifier", verifier)?)
                    .backfill(store),
            )
        }
        Provider::Directly => {
            use deskwire_directly::{channel::DirectlyChannel, Credentials, DirectlyClient};
            let credentials =
                Credentials::client_credentials(credential("client_id")?, Secret::new(credential("client_secret")?));
            let client = DirectlyClient::builder(credentials)
                .base_url(base)
                .retry_policy(RetryPolicy::never())
                .build();
            Arc::new(DirectlyChannel::new(built("the Directly client", client)?))
        }
        Provider::RakeDirect => {
            use deskwire_rake_direct::{channel::RakeDirectChannel, wire::ReturnWebhook, RakeDirectClient};
            let client = RakeDirectClient::builder(credential("workspace_id")?, Secret::new(credential("secret")?))
                .base_url(base)
                .retry_policy(RetryPolicy::never())
                .build();
            let hook = ReturnWebhook::new(inbound_url, Secret::new("contract-hook-secret"));
            let proof = Proof::shared_secret(&credential("return_webhook_header")?);
            Arc::new(built(
                "the Rake Direct channel",
                RakeDirectChannel::new(built("the Rake Direct client", client)?, hook, proof),
            )?)
        }
        other => return Err(format!("no channel for {other}")),
    })
}

impl SimDesk {
    /// Starts `provider`'s simulator (seeded with `seed`) and the channel's inbound side.
    pub async fn start(provider: &str, seed: u64) -> Result<Self, String> {
        let provider: Provider = provider.parse().map_err(|e: SimError| e.to_string())?;
        // The inbound port first: the simulator must know where to send before it starts.
        let listener = built("binding the inbound port", TcpListener::bind("127.0.0.1:0").await)?;
        let inbound_url = format!("http://{}/", built("the inbound address", listener.local_addr())?);
        let sim = Sim::builder(provider)
            .seed(seed)
            .webhook_url(&inbound_url)
            .endpoint_url(&inbound_url)
            .start()
            .await
            .map_err(|e| e.to_string())?;
        let channel = channel_for(&sim.announcement(), &inbound_url)?;
        let (tx, rx) = mpsc::unbounded_channel();
        let router = deskwire_core::axum::channel_router(Arc::clone(&channel), tx);
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(Self {
            sim,
            channel,
            events: Mutex::new(rx),
            inbound_url,
        })
    }

    /// The channel, talking to this desk.
    pub fn channel(&self) -> Arc<dyn Channel> {
        Arc::clone(&self.channel)
    }

    /// The simulator.
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// Where the desk's deliveries arrive.
    pub fn inbound_url(&self) -> &str {
        &self.inbound_url
    }

    /// The events up to the first that `wanted` accepts: from the inbound side (webhooks,
    /// endpoint calls), or from polls for a polling channel. Fails after 10 s.
    pub async fn events_until(&self, wanted: impl Fn(&DeskEvent) -> bool) -> Result<Vec<DeskEvent>, String> {
        let deadline = tokio::time::Instant::now() + EVENT_WAIT;
        let mut seen = Vec::new();
        let polling = self.channel.capabilities().supports(Operation::Poll);
        let mut events = self.events.lock().await;
        loop {
            if polling {
                let polled = self.channel.poll().await.map_err(|e| format!("poll: {e}"))?;
                if let Some((conversation, error)) = polled.failures.first() {
                    return Err(format!("poll of {conversation} failed: {error}"));
                }
                // Taken at once, as a poller writing each round to its queue would.
                let taken = deskwire_core::channel::commit_all(polled.events)
                    .await
                    .map_err(|e| format!("commit: {e}"))?;
                seen.extend(taken);
            }
            while let Ok(event) = events.try_recv() {
                seen.push(event);
            }
            if seen.iter().any(&wanted) {
                return Ok(seen);
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(format!("no such event within {EVENT_WAIT:?}; saw {seen:?}"));
            }
            tokio::time::sleep(Duration::from_millis(if polling { 100 } else { 20 })).await;
        }
    }
}

/// The customer of the scenario.
pub fn customer() -> Customer {
    Customer::new("cust-42").name("Ana Lima").email("ana@example.com")
}

/// The customer's three messages.
pub const CUSTOMER_TEXTS: [&str; 3] = ["Hello, my parcel is late", "It was due Monday", "Order 1234"];
/// The agent's reply.
pub const AGENT_TEXT: &str = "Sorry about that! Let me check.";

/// What happened, step by step, for the report and the test.
#[derive(Debug, Default)]
pub struct Outcome {
    /// One line per step.
    pub steps: Vec<String>,
    /// The desk's view of the requests the channel made.
    pub desk_saw: Vec<String>,
}

fn expect_unsupported<T: std::fmt::Debug>(
    result: Result<T, ChannelError>,
    operation: Operation,
    step: &str,
) -> Result<(), String> {
    match result {
        Err(ChannelError::Unsupported { operation: op, .. } | ChannelError::NotConfigured { operation: op, .. })
            if op == operation =>
        {
            Ok(())
        }
        other => Err(format!(
            "{step}: not in capabilities, so Unsupported was expected; got {other:?}"
        )),
    }
}

/// Runs the shared scenario: start a conversation, send two more customer messages, receive an
/// agent reply, customer and agent typing where supported, mark read where supported, close
/// where supported, and the conversation resolved or closed by the desk where it says so.
pub async fn run_scenario(desk: &SimDesk) -> Result<Outcome, String> {
    let channel = desk.channel();
    let caps = channel.capabilities();
    let mut out = Outcome::default();
    let mut expected = Vec::new();

    // 1. start, and keep only the stored text of the reference, as an application would.
    let started = channel
        .start_conversation(&customer(), &CustomerMessage::text(CUSTOMER_TEXTS[0]))
        .await
        .map_err(|e| format!("start_conversation: {e}"))?;
    let stored = started.conversation.to_string();
    let conversation: ConversationRef = stored.parse().map_err(|e| format!("restoring {stored}: {e}"))?;
    if conversation.provider() != channel.provider() {
        return Err(format!("{stored} is not a {} reference", channel.provider()));
    }
    expected.push(format!("message: {}", CUSTOMER_TEXTS[0]));
    out.steps.push("started".into());

    // 2. two more customer messages into the restored reference.
    for text in &CUSTOMER_TEXTS[1..] {
        channel
            .send(&conversation, &CustomerMessage::text(*text))
            .await
            .map_err(|e| format!("send: {e}"))?;
        expected.push(format!("message: {text}"));
    }
    out.steps.push("sent 2".into());

    // 3. customer typing.
    if caps.supports(Operation::Typing) {
        for typing in [Typing::preview("Also"), Typing::off()] {
            channel
                .typing(&conversation, &typing)
                .await
                .map_err(|e| format!("typing: {e}"))?;
        }
        expected.extend(["typing: on".to_owned(), "typing: off".to_owned()]);
        out.steps.push("customer typing".into());
    } else {
        expect_unsupported(
            channel.typing(&conversation, &Typing::on()).await,
            Operation::Typing,
            "typing",
        )?;
    }

    // 4. the agent's reply.
    let sim = desk.sim();
    sim.agent_message(conversation.id(), AGENT_TEXT)
        .await
        .map_err(|e| format!("the agent's message: {e}"))?;
    let events = desk
        .events_until(|e| matches!(e, DeskEvent::Message(m) if m.text == AGENT_TEXT))
        .await?;
    let reply = events
        .iter()
        .find_map(|e| match e {
            DeskEvent::Message(m) if m.text == AGENT_TEXT => Some(m.clone()),
            _ => None,
        })
        .ok_or_else(|| format!("no agent message among {events:?}"))?;
    if reply.conversation() != &conversation {
        return Err(format!("the reply names {}, not {conversation}", reply.conversation()));
    }
    out.steps.push(format!("agent reply ({:?})", reply.role));

    // 5. agent typing.
    if caps.can_report(EventKind::AgentTyping) {
        let reported = sim
            .agent_typing(conversation.id())
            .await
            .map_err(|e| format!("agent typing: {e}"))?;
        if !reported {
            return Err("the channel reports agent typing but the desk does not send it".into());
        }
        let events = desk
            .events_until(|e| matches!(e, DeskEvent::AgentTyping { on: true, .. }))
            .await?;
        if !events
            .iter()
            .any(|e| matches!(e, DeskEvent::AgentTyping { conversation: c, on: true } if *c == conversation))
        {
            return Err(format!("no agent typing among {events:?}"));
        }
        out.steps.push("agent typing".into());
    }

    // 6. mark the reply read.
    if caps.supports(Operation::MarkRead) {
        channel
            .mark_read(&reply.id)
            .await
            .map_err(|e| format!("mark_read: {e}"))?;
        expected.push(format!("read: {}", reply.id.id));
        out.steps.push("marked read".into());
    } else {
        expect_unsupported(channel.mark_read(&reply.id).await, Operation::MarkRead, "mark_read")?;
    }

    // 7. the customer closes.
    if caps.supports(Operation::Close) {
        channel.close(&conversation).await.map_err(|e| format!("close: {e}"))?;
        expected.push("close".into());
        out.steps.push("closed".into());
    } else {
        expect_unsupported(channel.close(&conversation).await, Operation::Close, "close")?;
    }

    // 8. the desk resolves.
    if caps.can_report(EventKind::Resolved) || caps.can_report(EventKind::Closed) {
        sim.resolve(conversation.id())
            .await
            .map_err(|e| format!("the desk resolving: {e}"))?;
        let events = desk
            .events_until(|e| matches!(e, DeskEvent::Resolved { .. } | DeskEvent::Closed { .. }))
            .await?;
        let ended = events.iter().any(|e| {
            matches!(e, DeskEvent::Resolved { conversation: c } | DeskEvent::Closed { conversation: c } if *c == conversation)
        });
        if !ended {
            return Err(format!("no resolved/closed event among {events:?}"));
        }
        out.steps.push("resolved".into());
    }

    // The inbound side that is not this provider's must say so.
    if !caps.supports(Operation::Poll) {
        expect_unsupported(channel.poll().await, Operation::Poll, "poll")?;
    }
    if !caps.supports(Operation::Receive) {
        expect_unsupported(
            channel.receive(InboundRequest::post("{}")).await,
            Operation::Receive,
            "receive",
        )?;
    }

    // What the desk saw must be exactly what was asked, in order.
    out.desk_saw = sim.received();
    if out.desk_saw != expected {
        return Err(format!(
            "the desk saw {:#?}\nbut the scenario asked for {expected:#?}",
            out.desk_saw
        ));
    }
    Ok(out)
}
