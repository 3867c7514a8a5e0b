//! `handoff`: a small chat front end. Customers' messages come in over HTTP and go to the desk
//! chosen by `--desk` through `Arc<dyn Channel>`; the desk's answers come back as webhooks
//! (`POST /webhook`) or polls, and every desk event is printed.
//!
//! The desks here are the contract suite's wiremock desks (one per provider, all four held in
//! one `Vec<Arc<dyn Channel>>`). `--demo` plays a customer and an agent against the running
//! service and exits when the conversation is resolved (CI runs it for every provider).
//!
//! Routes: `POST /conversations` `{"customer": "...", "name": "...", "email": "...", "text": "..."}`
//! → `{"conversation": "<stored reference>"}`; `POST /messages` `{"conversation": "...", "text": "..."}`;
//! `POST /webhook` (the desk's deliveries).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use clap::Parser;
use deskwire_conformance::desks::{self, Desk, Inbound};
use deskwire_core::channel::{Channel, ConversationRef, Customer, CustomerMessage, DeskEvent, Operation};
use http::StatusCode;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use wiremock::MockServer;

#[derive(Debug, Parser)]
struct Args {
    /// The desk: engage-digital, chatlake, directly or rake-direct.
    #[arg(long, default_value = "chatlake")]
    desk: String,
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:3000")]
    listen: String,
    /// Play a customer and an agent, then exit.
    #[arg(long)]
    demo: bool,
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
        Err(e) => answer(StatusCode::BAD_GATEWAY, json!({"error": e.to_string()})),
    }
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
        Err(e) => answer(StatusCode::BAD_GATEWAY, json!({"error": e.to_string()})),
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
                for event in polled.events {
                    let _ = events.send(event);
                }
                // A real service stores `polled.cursor` here and restores it at start.
            }
            Err(e) => eprintln!("poll failed: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    // Every provider's desk, played by wiremock, and its channel: four `Arc<dyn Channel>` in one Vec.
    let mut servers = Vec::new();
    let mut scripts: Vec<(String, Box<dyn Desk>)> = Vec::new();
    for provider in deskwire_conformance::PROVIDERS {
        let server = MockServer::start().await;
        let desk = desks::desk(provider, &server).await.ok_or("no desk")?;
        scripts.push(((*provider).to_owned(), desk));
        servers.push(server);
    }
    let channels: Vec<Arc<dyn Channel>> = scripts.iter().map(|(_, d)| d.channel()).collect();
    let index = channels
        .iter()
        .position(|c| c.provider() == args.desk)
        .ok_or_else(|| format!("unknown desk `{}`", args.desk))?;
    let desk = Arc::clone(&channels[index]);
    println!("desk: {} ({:?})", desk.provider(), desk.capabilities());

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
    let listener = tokio::net::TcpListener::bind(&args.listen).await?;
    let base = format!("http://{}", listener.local_addr()?);
    println!("listening on {base}");
    tokio::spawn(async move { axum::serve(listener, router).await });
    tokio::spawn(poller(Arc::clone(&desk), events));

    if !args.demo {
        while let Some(event) = incoming.recv().await {
            println!("desk event: {event:?}");
        }
        return Ok(());
    }

    // The demo: a customer over HTTP, then the agent through the desk script.
    let script = &scripts[index].1;
    let http = reqwest::Client::new();
    let started: Value = serde_json::from_slice(
        &http
            .post(format!("{base}/conversations"))
            .body(json!({"customer": "cust-42", "name": "Ana Lima", "email": "ana@example.com", "text": desks::CUSTOMER_TEXTS[0]}).to_string())
            .send()
            .await?
            .bytes()
            .await?,
    )?;
    let stored = field(&started, "conversation")
        .ok_or(format!("no conversation: {started}"))?
        .to_owned();
    println!("customer: started {stored}");
    let sent = http
        .post(format!("{base}/messages"))
        .body(json!({"conversation": stored, "text": desks::CUSTOMER_TEXTS[1]}).to_string())
        .send()
        .await?;
    println!("customer: sent a message ({})", sent.status());
    let conversation: ConversationRef = stored.parse()?;
    let mut steps = vec![script.agent_reply(&conversation, desks::AGENT_TEXT).await];
    steps.extend(script.resolve(&conversation).await);
    for step in steps {
        if let Inbound::Webhook(request) = step {
            let mut post = http.post(format!("{base}/webhook")).body(request.body.clone());
            for (name, value) in &request.headers {
                post = post.header(name.as_str(), value.as_bytes());
            }
            println!("desk: delivered a webhook ({})", post.send().await?.status());
        }
        let event = tokio::time::timeout(Duration::from_secs(5), incoming.recv())
            .await?
            .ok_or("the event stream ended")?;
        println!("desk event: {event:?}");
    }
    // The desks not chosen were never called; clear their expectations before they are checked.
    for (i, server) in servers.iter().enumerate() {
        if i != index {
            server.reset().await;
        }
    }
    Ok(())
}
