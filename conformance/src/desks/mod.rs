//! **The contract suite**: one scenario, the same code for every provider, against a wiremock
//! server playing the desk.
//!
//! A [`Desk`] mounts a provider's API on a [`MockServer`], builds the provider's channel
//! pointed at it, produces the desk's side of the conversation (a signed webhook request, or a
//! change the next poll will see) and reads each request the channel made back as one neutral
//! line (`message: <text>`, `typing: on`, `read: <id>`, `close`). [`run_scenario`] drives the
//! channel through `Arc<dyn Channel>` only and checks every step against
//! [`Channel::capabilities`]: what is supported must work, what is not must fail with
//! [`ChannelError::Unsupported`] and send nothing.
//!
//! The same desks back `desk-mock`, the stand-in the `handoff` example runs against.

mod chatlake;
mod directly;
mod engage_digital;
mod rake_direct;

use std::sync::Arc;

use deskwire_core::channel::{
    async_trait, Channel, ChannelError, ConversationRef, Customer, CustomerMessage, DeskEvent, EventKind,
    InboundRequest, Operation, Typing,
};
use wiremock::MockServer;

/// How the desk's next event reaches the channel.
#[derive(Debug)]
pub enum Inbound {
    /// A webhook request to hand to [`Channel::receive`].
    Webhook(InboundRequest),
    /// A change the next [`Channel::poll`] sees.
    Poll,
}

/// A provider's desk, played by wiremock.
#[async_trait]
pub trait Desk: Send + Sync {
    /// The channel, talking to this desk.
    fn channel(&self) -> Arc<dyn Channel>;
    /// An agent answers `text` in `conversation`.
    async fn agent_reply(&self, conversation: &ConversationRef, text: &str) -> Inbound;
    /// An agent starts typing, where the desk reports it.
    async fn agent_typing(&self, conversation: &ConversationRef) -> Option<Inbound>;
    /// The desk resolves or closes the conversation, where it reports it.
    async fn resolve(&self, conversation: &ConversationRef) -> Option<Inbound>;
    /// One request the channel made, as a neutral line; `None` for set-up calls (contacts,
    /// threads) that the desk's own mocks check.
    fn summarize(&self, request: &wiremock::Request) -> Option<String>;
}

/// The desk for `provider` on `server`.
pub async fn desk(provider: &str, server: &MockServer) -> Option<Box<dyn Desk>> {
    Some(match provider {
        "engage-digital" => Box::new(engage_digital::EngageDigitalDesk::mount(server).await),
        "chatlake" => Box::new(chatlake::ChatlakeDesk::mount(server).await),
        "directly" => Box::new(directly::DirectlyDesk::mount(server).await),
        "rake-direct" => Box::new(rake_direct::RakeDirectDesk::mount(server).await),
        _ => return None,
    })
}

/// Hands an inbound step to the channel and returns the events.
pub async fn deliver(channel: &dyn Channel, inbound: Inbound) -> Result<Vec<DeskEvent>, String> {
    match inbound {
        Inbound::Webhook(request) => {
            let received = channel.receive(request).await.map_err(|e| format!("receive: {e}"))?;
            if !received.response.status.is_success() {
                return Err(format!("receive answered {}", received.response.status));
            }
            Ok(received.events)
        }
        Inbound::Poll => {
            let polled = channel.poll().await.map_err(|e| format!("poll: {e}"))?;
            if let Some((conversation, error)) = polled.failures.first() {
                return Err(format!("poll of {conversation} failed: {error}"));
            }
            Ok(polled.events)
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
        Err(ChannelError::Unsupported { operation: op, .. }) if op == operation => Ok(()),
        other => Err(format!(
            "{step}: not in capabilities, so Unsupported was expected; got {other:?}"
        )),
    }
}

/// Runs the shared scenario: start a conversation, send two more customer messages, receive an
/// agent reply, customer and agent typing where supported, mark read where supported, close
/// where supported, and the conversation resolved or closed by the desk where it says so.
pub async fn run_scenario(desk: &dyn Desk, server: &MockServer) -> Result<Outcome, String> {
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
    let events = deliver(&*channel, desk.agent_reply(&conversation, AGENT_TEXT).await).await?;
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
        let inbound = desk
            .agent_typing(&conversation)
            .await
            .ok_or("the channel reports agent typing but the desk script has none")?;
        let events = deliver(&*channel, inbound).await?;
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
        let inbound = desk
            .resolve(&conversation)
            .await
            .ok_or("the channel reports resolution but the desk script has none")?;
        let events = deliver(&*channel, inbound).await?;
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
    let requests = server.received_requests().await.unwrap_or_default();
    out.desk_saw = requests.iter().filter_map(|r| desk.summarize(r)).collect();
    if out.desk_saw != expected {
        return Err(format!(
            "the desk saw {:#?}\nbut the scenario asked for {expected:#?}",
            out.desk_saw
        ));
    }
    Ok(out)
}
