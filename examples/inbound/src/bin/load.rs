//! `load`: peak memory of the Engage Digital endpoint (axum router) while `--concurrency`
//! requests with a `--body-mib` body and a wrong signature arrive at once — anyone who knows
//! the URL can send them. Prints the answers by status and the process's peak resident memory
//! (`VmHWM`) before and after. The client shares one body buffer across its requests, so the
//! growth is the server's.
//!
//! `cargo run --release -p deskwire-example-inbound --bin load -- [--concurrency 32]
//! [--body-mib 20] [--max-in-flight N | --unbounded]`

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

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let concurrency: usize = arg("--concurrency").map_or(Ok(32), |v| v.parse())?;
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
