//! `load`: peak memory of the Engage Digital endpoint (axum router) while `--concurrency`
//! requests with a `--body-mib` body and a wrong signature arrive at once — anyone who knows
//! the URL can send them. Prints the answers by status and the process's peak resident memory
//! (`VmHWM`) before and after. The client shares one body buffer across its requests, so the
//! growth is the server's.
//!
//! `cargo run --release -p deskwire-example-inbound --bin load -- [--concurrency 32]
//! [--body-mib 20] [--max-in-flight N | --unbounded]`
//!
//! With `--throughput N` it measures the other side instead: N signed 1 KiB Chatwoot webhooks
//! sent `--concurrency` at a time over loopback keep-alive connections to the Chatlake route
//! (verify, decode, queue), and prints deliveries per second.

use std::collections::BTreeMap;
use std::sync::Arc;

use deskwire_core::Secret;
use deskwire_engage_digital::inbound::{axum::router_with, ActionError, Endpoint, ImplementationInfo, Source};

struct Nothing;

impl Source for Nothing {
    async fn implementation_info(&self) -> Result<ImplementationInfo, ActionError> {
        Ok(ImplementationInfo::default())
    }
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// Signed webhooks per second through the Chatlake route, `concurrency` at a time.
async fn throughput(total: usize, concurrency: usize) -> Result<(), Box<dyn std::error::Error>> {
    use deskwire_chatlake::inbound::WebhookVerifier;
    use deskwire_core::verify::Verify as _;
    let verifier = WebhookVerifier::new(&Secret::new("whsec"))?;
    let (deliveries, mut queue) = tokio::sync::mpsc::channel(1024);
    tokio::spawn(async move { while queue.recv().await.is_some() {} });
    let router = deskwire_core::axum::Routes::new()
        .body_limit(1 << 20)
        .webhook(verifier.clone(), deliveries);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, router).await });
    let mut body =
        br#"{"event":"message_created","id":1,"message_type":"outgoing","private":false,"content":""#.to_vec();
    body.resize(1022, b'a');
    body.extend_from_slice(br#""}"#);
    let http = reqwest::Client::new();
    let started = std::time::Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (http, url, body, verifier, next) = (
            http.clone(),
            url.clone(),
            body.clone(),
            verifier.clone(),
            Arc::clone(&next),
        );
        workers.push(tokio::spawn(async move {
            let mut ok = 0usize;
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < total {
                let signed = verifier.sign(&body);
                let sent = http.post(&url).headers(signed.headers).body(signed.body).send().await;
                ok += usize::from(sent.is_ok_and(|r| r.status() == 200));
            }
            ok
        }));
    }
    let mut ok = 0;
    for worker in workers {
        ok += worker.await?;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{total} signed 1 KiB webhooks, {concurrency} at a time: {ok} answered 200 in {secs:.2} s = {:.0} per second (client and server on the same 2 cores)",
        ok as f64 / secs
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let concurrency: usize = arg("--concurrency").map_or(Ok(32), |v| v.parse())?;
    if let Some(total) = arg("--throughput") {
        return throughput(total.parse()?, concurrency).await;
    }
    let body_mib: usize = arg("--body-mib").map_or(Ok(20), |v| v.parse())?;
    let endpoint = Arc::new(Endpoint::new(&Secret::new("token"), Nothing)?);
    let bound = if std::env::args().any(|a| a == "--unbounded") {
        usize::MAX >> 1
    } else {
        arg("--max-in-flight").map_or(Ok(deskwire_core::axum::default_in_flight(endpoint.body_limit())), |v| {
            v.parse()
        })?
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, router_with(endpoint, bound)).await });

    let body = bytes::Bytes::from(vec![b'{'; body_mib << 20]);
    let before = peak_rss_mib();
    let http = reqwest::Client::new();
    let mut sends = Vec::new();
    for _ in 0..concurrency {
        let (http, url, body) = (http.clone(), url.clone(), body.clone());
        sends.push(tokio::spawn(async move {
            http.post(url)
                .header("x-smccsdk-signature", "00")
                .body(body)
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }));
    }
    let mut statuses = BTreeMap::new();
    for send in sends {
        *statuses.entry(send.await?).or_insert(0) += 1;
    }
    let after = peak_rss_mib();
    println!(
        "{concurrency} x {body_mib} MiB, bound {}: answers {statuses:?}; peak RSS {before:.0} MiB before, {after:.0} MiB after (+{:.0})",
        if bound > 1 << 40 { "none".to_string() } else { bound.to_string() },
        after - before
    );
    Ok(())
}
