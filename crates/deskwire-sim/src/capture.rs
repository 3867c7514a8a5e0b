//! [`Capture`]: a local receiver that keeps every request a desk sends it, as it arrived, for
//! tests that hand deliveries to a channel themselves (late, twice, to two replicas at once).
//! Invented for testing: no desk has it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use deskwire_core::InboundRequest;

use crate::{Provider, Sim, SimBuilder, SimError};

/// Keeps every request posted to [`Capture::url`], answering `200` with an empty body.
#[derive(Debug, Clone)]
pub struct Capture {
    url: String,
    requests: Arc<Mutex<Vec<InboundRequest>>>,
}

impl Capture {
    /// Listens on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        let requests: Arc<Mutex<Vec<InboundRequest>>> = Arc::default();
        let kept = Arc::clone(&requests);
        let router = axum::Router::new().route(
            "/",
            axum::routing::post(move |request: InboundRequest| {
                let kept = Arc::clone(&kept);
                async move {
                    kept.lock().unwrap_or_else(|p| p.into_inner()).push(request);
                    ""
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/", listener.local_addr()?);
        tokio::spawn(async move { axum::serve(listener, router).await });
        Ok(Self { url, requests })
    }

    /// A `provider` desk whose webhooks come to a new capture instead of a receiver of yours.
    pub async fn desk(provider: Provider) -> Result<(Self, Sim), SimError> {
        Self::desk_from(Sim::builder(provider)).await
    }

    /// The desk `builder` sets up, its webhooks coming to a new capture.
    pub async fn desk_from(builder: SimBuilder) -> Result<(Self, Sim), SimError> {
        let capture = Self::start().await.map_err(|source| SimError::Bind {
            address: "127.0.0.1:0".into(),
            source,
        })?;
        let sim = builder.webhook_url(capture.url()).start().await?;
        Ok((capture, sim))
    }

    /// Where to send deliveries.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// What arrived so far, in order.
    pub fn requests(&self) -> Vec<InboundRequest> {
        self.requests.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// What arrived once at least `n` requests did, or after 10 s, whichever comes first.
    pub async fn at_least(&self, n: usize) -> Vec<InboundRequest> {
        self.matching(n, |_| true).await
    }

    /// The requests whose JSON body has `value` at `pointer` (`("/event", "message_created")`),
    /// once at least `n` of them arrived, or after 10 s.
    pub async fn where_json(&self, pointer: &str, value: &str, n: usize) -> Vec<InboundRequest> {
        self.matching(n, |request| {
            serde_json::from_slice::<serde_json::Value>(&request.body)
                .is_ok_and(|body| body.pointer(pointer).and_then(serde_json::Value::as_str) == Some(value))
        })
        .await
    }

    /// The requests `keep` accepts, once at least `n` of them arrived, or after 10 s.
    pub async fn matching(&self, n: usize, keep: impl Fn(&InboundRequest) -> bool) -> Vec<InboundRequest> {
        for round in 0..=400 {
            let kept: Vec<InboundRequest> = self.requests().into_iter().filter(|r| keep(r)).collect();
            if kept.len() >= n || round == 400 {
                return kept;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        Vec::new()
    }
}
