//! `--route-secs N`: the throughput of the signed webhook route with the Redis store, beside a
//! bare axum route answering `200`, on this machine in the same run — the HTTP stack's own
//! limit, and what verification, decoding and exactly-once cost on top of it.
//!
//! Both routes get the same requests: Chatwoot's `message_created` delivery (the upstream
//! fixture `conformance/fixtures/chatlake/10-webhook-message-created`), each with a message id
//! of its own and signed as Chatwoot signs (`sha256=` hex HMAC-SHA256 of `{timestamp}.{body}`),
//! from the same number of concurrent clients for the same time. The signed route is
//! `channel_router` over a `Deduplicated` Chatlake channel on `RedisStore`: verify, decode,
//! claim and commit in Redis, for every delivery.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use deskwire_core::channel::{Channel, Deduplicated, DeskEvent};
use deskwire_core::mac::HmacSha256;
use deskwire_core::Secret;
use serde::Serialize;
use serde_json::Value;

const SECRET: &str = "soak-webhook-secret";

/// Requests a second on each route.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RouteThroughput {
    /// The bare axum route.
    pub bare: f64,
    /// The signed route with the Redis store.
    pub signed: f64,
    /// `signed / bare` (goal ≥ 0.6).
    pub ratio: f64,
    /// Concurrent clients.
    pub clients: usize,
    /// Seconds per route.
    pub seconds: u64,
}

/// Measures both routes for `seconds` each with `clients` concurrent clients.
pub async fn measure(redis: &str, seconds: u64, clients: usize) -> Result<RouteThroughput, String> {
    let example = std::fs::read_to_string("conformance/fixtures/chatlake/10-webhook-message-created/example.txt")
        .map_err(|e| format!("the upstream fixture: {e}"))?;
    let template: Value = serde_json::from_str(&example).map_err(|e| e.to_string())?;

    let bare = serve(axum::Router::new().route("/", axum::routing::post(|| async { "" }))).await?;
    let api = deskwire_chatlake::ChatlakeClient::builder("http://127.0.0.1:9", 1, Secret::new("unused"))
        .build()
        .map_err(|e| e.to_string())?;
    let verifier = deskwire_chatlake::inbound::WebhookVerifier::new(&Secret::new(SECRET)).map_err(|e| e.to_string())?;
    let channel = deskwire_chatlake::channel::ChatlakeChannel::new(api, 1).webhooks(verifier);
    let store = deskwire_core::store::RedisStore::connect(redis)
        .await
        .map_err(|e| e.to_string())?
        .prefix(format!("deskwire-route:{}:", std::process::id()));
    let desk: Arc<dyn Channel> = Arc::new(Deduplicated::new(channel, Arc::new(store)));
    let sink = |_: DeskEvent| async { Ok::<(), std::io::Error>(()) };
    let signed = serve(
        deskwire_core::axum::Routes::new()
            .body_limit(1 << 20)
            .max_in_flight(1024)
            .channel(desk, sink),
    )
    .await?;
    let bare_rate = load(&bare, &template, seconds, clients, 0).await?;
    let signed_rate = load(&signed, &template, seconds, clients, 1 << 40).await?;
    Ok(RouteThroughput {
        bare: bare_rate,
        signed: signed_rate,
        ratio: signed_rate / bare_rate.max(f64::MIN_POSITIVE),
        clients,
        seconds,
    })
}

async fn serve(router: axum::Router) -> Result<String, String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let url = format!("http://{}/", listener.local_addr().map_err(|e| e.to_string())?);
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(url)
}

/// Requests a second `clients` clients got answered `200` at `url` in `seconds`; message ids
/// start at `first_id` (so no two deliveries of the run share one).
async fn load(url: &str, template: &Value, seconds: u64, clients: usize, first_id: u64) -> Result<f64, String> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .map_err(|e| e.to_string())?;
    let next = Arc::new(AtomicU64::new(first_id));
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let signer = Arc::new(HmacSha256::new(&Secret::new(SECRET)));
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, url, next, done, stop, signer) = (
            http.clone(),
            url.to_owned(),
            Arc::clone(&next),
            Arc::clone(&done),
            Arc::clone(&stop),
            Arc::clone(&signer),
        );
        let mut body = template.clone();
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                body["id"] = Value::from(next.fetch_add(1, Ordering::Relaxed));
                let bytes = body.to_string();
                let ts = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs())
                    .to_string();
                let signature = signer.sign_hex_parts(&[ts.as_bytes(), b".", bytes.as_bytes()]);
                let sent = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("x-chatwoot-timestamp", &ts)
                    .header("x-chatwoot-signature", format!("sha256={signature}"))
                    .body(bytes)
                    .send()
                    .await;
                if sent.is_ok_and(|r| r.status() == 200) {
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        let _ = task.await;
    }
    Ok(done.load(Ordering::Relaxed) as f64 / seconds.max(1) as f64)
}
