//! `deskwire-sim`: one desk simulator as a process, like stripe-mock or LocalStack.
//!
//! ```text
//! deskwire-sim chatlake --port 0 --webhook-url http://127.0.0.1:3000/webhook --faults dup=0.1 --seed 7
//! ```
//!
//! The first line on stdout is one JSON object, `{"provider", "base_url", "credentials"}`, with
//! everything a client needs; then one JSON line per exchange as it happens. It runs until
//! interrupted (Ctrl-C or SIGTERM).

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use clap::Parser;
use deskwire_sim::{AgentScript, Faults, Provider, Sim};

#[derive(Debug, Parser)]
#[command(
    name = "deskwire-sim",
    version,
    about = "A stateful desk simulator: engage-digital, chatlake, directly or rake-direct."
)]
struct Args {
    /// The desk: engage-digital, chatlake, directly or rake-direct.
    provider: Provider,
    /// The port (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Chatlake: where the inbox's webhooks go. Several, comma-separated, are used in turn
    /// (replicas behind a load balancer).
    #[arg(long)]
    webhook_url: Option<String>,
    /// Engage Digital: the polling endpoint the desk calls (several, comma-separated: in turn).
    #[arg(long)]
    endpoint_url: Option<String>,
    /// Faults, e.g. `dup=0.1,drop=0.05,delay=0.2,reorder=0.1,429=0.1,429-bare=0.1,5xx=0.1,close=0.05,token-expiry=0.1`.
    #[arg(long, default_value = "")]
    faults: Faults,
    /// The seed of fault decisions and generated credentials.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// How long the scripted agent takes to answer, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    agent_delay_ms: u64,
    /// No scripted agent (inject messages with `POST /_sim/agent`).
    #[arg(long)]
    no_agent: bool,
    /// Engage Digital: poll the endpoint every N milliseconds (0: only on `POST /_sim/poll`).
    #[arg(long, default_value_t = 2000)]
    poll_ms: u64,
    /// A credential to use instead of a generated one, `key=value` (repeatable), e.g.
    /// `access_token=...` for a document's example.
    #[arg(long = "credential", value_parser = key_value)]
    credentials: Vec<(String, String)>,
}

fn key_value(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("`{text}` is not key=value"))
}

fn print_line(line: &serde_json::Value) {
    let mut out = std::io::stdout().lock();
    // A closed stdout (the reader went away) is no reason to stop serving.
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let mut builder = Sim::builder(args.provider)
        .address(SocketAddr::new(args.host, args.port))
        .seed(args.seed)
        .faults(args.faults);
    if !args.no_agent {
        builder = builder.agent(AgentScript::replying_after(Duration::from_millis(args.agent_delay_ms)));
    }
    if let Some(url) = args.webhook_url {
        builder = builder.webhook_url(url);
    }
    if let Some(url) = args.endpoint_url {
        builder = builder.endpoint_url(url);
    }
    for (key, value) in args.credentials {
        builder = builder.credential(key, value);
    }
    let sim = builder.start().await?;
    let mut exchanges = sim.subscribe();
    print_line(&sim.announcement());
    let polling = args.provider == Provider::EngageDigital && args.poll_ms > 0;
    let mut ticks = tokio::time::interval(Duration::from_millis(args.poll_ms.max(1)));
    let mut terminate = terminate_signal();
    loop {
        tokio::select! {
            exchange = exchanges.recv() => match exchange {
                Ok(exchange) => print_line(&serde_json::json!(exchange)),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(missed)) => {
                    print_line(&serde_json::json!({"lagged": missed}));
                }
                Err(_) => break,
            },
            _ = ticks.tick(), if polling => {
                if let Some(Err(e)) = sim.poll_endpoint().await {
                    eprintln!("polling the endpoint: {e}");
                }
            }
            _ = tokio::signal::ctrl_c() => break,
            Some(()) = terminate.recv() => break,
        }
    }
    Ok(())
}

#[cfg(unix)]
fn terminate_signal() -> tokio::sync::mpsc::Receiver<()> {
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        tokio::spawn(async move {
            signal.recv().await;
            let _ = tx.send(()).await;
        });
    }
    rx
}

#[cfg(not(unix))]
fn terminate_signal() -> tokio::sync::mpsc::Receiver<()> {
    tokio::sync::mpsc::channel(1).1
}
