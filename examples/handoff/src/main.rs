//! `handoff`: a small chat front end. Customers' messages come in over HTTP and go to a desk
//! through `Arc<dyn Channel>`; the desk's answers come back as webhooks (`POST /webhook`) or
//! polls, and every desk event is printed.
//!
//! The desk is deskwire-sim, either running in another process (`--sim '<its first line>'`, or
//! `--sim @file`) or started in this one (`--desk <provider>`). Two terminals:
//!
//! ```text
//! cargo run -p deskwire-sim -- chatlake --webhook-url http://127.0.0.1:3000/webhook --endpoint-url http://127.0.0.1:3000/webhook
//! cargo run -p deskwire-example-handoff -- --sim '<the JSON line the simulator printed>'
//! ```
//!
//! `--demo` plays a customer against the running service; the simulator's scripted agent
//! answers, and resolves the conversation when the customer says goodbye; the demo exits when
//! the desk reports the conversation resolved or closed, or after the agent's answer where the
//! desk reports no resolution (CI runs it for every provider).
//!
//! Routes: `POST /conversations` `{"customer": "...", "name": "...", "email": "...", "text": "..."}`
//! → `{"conversation": "<stored reference>"}`; `POST /messages` `{"conversation": "...", "text": "..."}`;
//! `POST /webhook` (the desk's deliveries); `GET /health`.
//!
//! **Production mode** (`--redis redis://...`): what a deployment of several replicas runs, and
//! what `cargo xtask soak` kills and restarts. The channel is de-duplicated on a
//! [`RedisStore`](deskwire_core::store::RedisStore) shared by every replica (Chatlake's backfill
//! positions too), and each agent answer goes to the tenant's Redis Stream ([`outbox`]) before
//! its event is committed: an answer is recorded as handled only once it is durably queued for
//! the customer side.

mod outbox;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use clap::Parser;
use deskwire_conformance::desks::{channel_for, CUSTOMER_TEXTS};
use deskwire_core::channel::{Channel, ConversationRef, Customer, CustomerMessage, DeskEvent, EventKind, Operation};
use deskwire_sim::{AgentScript, Provider, Sim};
use http::StatusCode;
use serde_json::{json, Value};
use tokio::sync::mpsc;

#[derive(Debug, Parser)]
struct Args {
    /// A simulator running elsewhere: the JSON line it printed first, or `@file` holding it.
    #[arg(long)]
    sim: Option<String>,
    /// Without `--sim`: start this desk's simulator here (engage-digital, chatlake, directly,
    /// rake-direct).
    #[arg(long, default_value = "chatlake")]
    desk: String,
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:3000")]
    listen: String,
    /// Play a customer, then exit.
    #[arg(long)]
    demo: bool,
    /// The URL the desk reaches this service's `/webhook` at, when it is not the listening
    /// address (replicas behind a load balancer give the balancer's).
    #[arg(long)]
    public_url: Option<String>,
    /// Production mode: the store and the outbox on this Redis (`redis://127.0.0.1:6379/`).
    #[arg(long)]
    redis: Option<String>,
    /// Production mode: this replica's name, written with each outbox entry.
    #[arg(long, default_value = "replica")]
    replica: String,
    /// Production mode: how long an event handed out is held before another replica may take
    /// it (a killed replica's events come again after this).
    #[arg(long, default_value_t = 5000)]
    lease_ms: u64,
    /// How often a polling desk (Directly; Chatlake's reconcile) is polled.
    #[arg(long, default_value_t = 1000)]
    poll_ms: u64,
}

#[derive(Clone)]
struct App {
    desk: Arc<dyn Channel>,
}

fn answer(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(http::header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn field<'a>(body: &'a Value, name: &str) -> Option<&'a str> {
    body.get(name).and_then(Value::as_str)
}

async fn start(State(app): State<App>, body: Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return answer(StatusCode::BAD_REQUEST, json!({"error": "not JSON"}));
    };
    let (Some(id), Some(text)) = (field(&body, "customer"), field(&body, "text")) else {
        return answer(
            StatusCode::BAD_REQUEST,
            json!({"error": "`customer` and `text` are required"}),
        );
    };
    let mut customer = Customer::new(id);
    if let Some(name) = field(&body, "name") {
        customer = customer.name(name);
    }
    if let Some(email) = field(&body, "email") {
        customer = customer.email(email);
    }
    match app
        .desk
        .start_conversation(&customer, &CustomerMessage::text(text))
        .await
    {
        Ok(started) => answer(
            StatusCode::CREATED,
            json!({"conversation": started.conversation.to_string()}),
        ),
        Err(e) => failed(&e),
    }
}

/// A desk error as the customer side should read it: `503` when the desk did not act on it
/// (nothing sent, or refused: safe to send again), `502` when it may have (sending again could
/// make a second message).
fn failed(error: &deskwire_core::channel::ChannelError) -> Response {
    let status = match error.delivery() {
        deskwire_core::Delivery::NotSent | deskwire_core::Delivery::Rejected => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_GATEWAY,
    };
    answer(
        status,
        json!({"error": error.to_string(), "delivery": format!("{:?}", error.delivery())}),
    )
}

async fn message(State(app): State<App>, body: Bytes) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or_default();
    let Some(conversation) = field(&body, "conversation").and_then(|c| c.parse::<ConversationRef>().ok()) else {
        return answer(
            StatusCode::BAD_REQUEST,
            json!({"error": "`conversation` is not a stored reference"}),
        );
    };
    let text = field(&body, "text").unwrap_or_default();
    match app.desk.send(&conversation, &CustomerMessage::text(text)).await {
        Ok(sent) => answer(StatusCode::ACCEPTED, json!({"id": sent.id})),
        Err(e) => failed(&e),
    }
}

/// Production mode: polls the desk every `every` (when it polls), each event into the outbox
/// and only then committed; one the outbox refused is released and comes again.
async fn poll_into(desk: Arc<dyn Channel>, outbox: outbox::Outbox, every: Duration) {
    if !desk.capabilities().supports(Operation::Poll) {
        return;
    }
    loop {
        match desk.poll().await {
            Ok(polled) => {
                for incoming in polled.events {
                    match outbox.take(&incoming.event).await {
                        Ok(()) => {
                            let _ = incoming.commit().await;
                        }
                        Err(e) => {
                            eprintln!("outbox: {e}");
                            let _ = incoming.release().await;
                        }
                    }
                }
            }
            Err(e) => eprintln!("poll failed: {e}"),
        }
        tokio::time::sleep(every).await;
    }
}

/// Polls the desk every second when it is a polling desk.
async fn poller(desk: Arc<dyn Channel>, events: mpsc::UnboundedSender<DeskEvent>) {
    if !desk.capabilities().supports(Operation::Poll) {
        return;
    }
    loop {
        match desk.poll().await {
            Ok(polled) => {
                for incoming in polled.events {
                    // Committed once the queue took it; a closed queue releases it, so the
                    // event comes again at the next poll.
                    match events.send(incoming.event.clone()) {
                        Ok(()) => {
                            let _ = incoming.commit().await;
                        }
                        Err(_) => {
                            let _ = incoming.release().await;
                        }
                    }
                }
                // A real service wraps the desk in `Deduplicated` on a persistent store, which
                // saves `polled.cursor` once the round is committed and restores it at start.
            }
            Err(e) => eprintln!("poll failed: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn announcement(sim: &str) -> Result<Value, Box<dyn std::error::Error>> {
    let text = match sim.strip_prefix('@') {
        Some(file) => std::fs::read_to_string(file)?,
        None => sim.to_owned(),
    };
    let line = text.lines().next().unwrap_or_default();
    Ok(serde_json::from_str(line).map_err(|e| format!("--sim is not the simulator's JSON line: {e}"))?)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let listener = tokio::net::TcpListener::bind(&args.listen).await?;
    let base = format!("http://{}", listener.local_addr()?);
    let inbound = args.public_url.clone().unwrap_or_else(|| format!("{base}/webhook"));
    // The simulator: another process's, or one started here that answers within 200 ms.
    let (_local, announcement) = match &args.sim {
        Some(sim) => (None, announcement(sim)?),
        None => {
            let sim = Sim::builder(args.desk.parse::<Provider>()?)
                .webhook_url(&inbound)
                .endpoint_url(&inbound)
                .agent(AgentScript::replying_after(Duration::from_millis(200)))
                .start()
                .await?;
            let announcement = sim.announcement();
            (Some(sim), announcement)
        }
    };
    if let Some(redis) = &args.redis {
        return serve_production(&args, redis, &announcement, listener, &inbound).await;
    }
    let desk = channel_for(&announcement, &inbound)?;
    println!(
        "desk: {} at {} ({:?})",
        desk.provider(),
        announcement["base_url"],
        desk.capabilities()
    );

    let (events, mut incoming) = mpsc::unbounded_channel();
    let app = App {
        desk: Arc::clone(&desk),
    };
    let router = Router::new()
        .route("/conversations", post(start))
        .route("/messages", post(message))
        .with_state(app)
        // The desk's deliveries: verified by the channel, events into the same queue.
        .nest(
            "/webhook",
            deskwire_core::axum::channel_router(Arc::clone(&desk), events.clone()),
        );
    println!("listening on {base}");
    tokio::spawn(async move { axum::serve(listener, router).await });
    tokio::spawn(poller(Arc::clone(&desk), events));

    if !args.demo {
        while let Some(event) = incoming.recv().await {
            println!("desk event: {event:?}");
        }
        return Ok(());
    }

    // The demo: a customer over HTTP; the simulator's agent answers each message.
    let http = reqwest::Client::new();
    let started: Value = serde_json::from_slice(
        &http
            .post(format!("{base}/conversations"))
            .body(json!({"customer": "cust-42", "name": "Ana Lima", "email": "ana@example.com", "text": CUSTOMER_TEXTS[0]}).to_string())
            .send()
            .await?
            .bytes()
            .await?,
    )?;
    let stored = field(&started, "conversation")
        .ok_or(format!("no conversation: {started}"))?
        .to_owned();
    println!("customer: started {stored}");
    let conversation: ConversationRef = stored.parse()?;
    wait_for(
        &mut incoming,
        |e| matches!(e, DeskEvent::Message(m) if *m.conversation() == conversation),
    )
    .await?;
    let caps = desk.capabilities();
    if !(caps.can_report(EventKind::Resolved) || caps.can_report(EventKind::Closed)) {
        return Ok(());
    }
    let sent = http
        .post(format!("{base}/messages"))
        .body(json!({"conversation": stored, "text": "Thanks, bye!"}).to_string())
        .send()
        .await?;
    println!("customer: said goodbye ({})", sent.status());
    wait_for(&mut incoming, |e| {
        matches!(e, DeskEvent::Resolved { conversation: c } | DeskEvent::Closed { conversation: c } if *c == conversation)
    })
    .await?;
    Ok(())
}

/// Production mode: a de-duplicated channel on Redis, webhooks and polls into the outbox.
async fn serve_production(
    args: &Args,
    redis: &str,
    announcement: &Value,
    listener: tokio::net::TcpListener,
    inbound: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    use deskwire_core::channel::Deduplicated;
    use deskwire_core::store::{RedisStore, Store};
    let store: Arc<dyn Store> = Arc::new(RedisStore::connect(redis).await?);
    let inner = deskwire_conformance::desks::channel_on(announcement, inbound, Arc::clone(&store))?;
    let desk: Arc<dyn Channel> = Arc::new(Deduplicated::new(inner, store).lease(Duration::from_millis(args.lease_ms)));
    let outbox = outbox::Outbox::connect(redis, desk.provider(), &args.replica).await?;
    let sink = {
        let outbox = outbox.clone();
        move |event: DeskEvent| {
            let outbox = outbox.clone();
            async move { outbox.take(&event).await }
        }
    };
    let app = App {
        desk: Arc::clone(&desk),
    };
    let router = Router::new()
        .route("/conversations", post(start))
        .route("/messages", post(message))
        .route("/health", axum::routing::get(|| async { "ok" }))
        .with_state(app)
        .nest(
            "/webhook",
            deskwire_core::axum::Routes::new()
                .body_limit(1 << 20)
                .channel(Arc::clone(&desk), sink),
        );
    tokio::spawn(poll_into(
        Arc::clone(&desk),
        outbox,
        Duration::from_millis(args.poll_ms),
    ));
    println!(
        "{} serving {} on {}",
        args.replica,
        desk.provider(),
        listener.local_addr()?
    );
    axum::serve(listener, router).await?;
    Ok(())
}

/// Prints events until one `wanted` accepts; fails after 10 s.
async fn wait_for(
    incoming: &mut mpsc::UnboundedReceiver<DeskEvent>,
    wanted: impl Fn(&DeskEvent) -> bool,
) -> Result<(), Box<dyn std::error::Error>> {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(10), incoming.recv())
            .await
            .map_err(|_| "no such desk event within 10 s")?
            .ok_or("the event stream ended")?;
        println!("desk event: {event:?}");
        if wanted(&event) {
            return Ok(());
        }
    }
}
