//! A load balancer in front of the replicas, as a deployment has one: the desk's deliveries
//! (webhooks, Engage Digital's endpoint calls, Rake's return webhooks) all go to its one URL,
//! and it forwards each request to the next replica in turn; a replica that refuses the
//! connection (killed, restarting) is skipped, as a balancer's health check would. A replica
//! that dies with the request in flight answers nothing: the balancer answers `502`, and the
//! desk does what it does on a failed delivery.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;

struct Balancer {
    replicas: Vec<String>,
    turn: AtomicUsize,
    http: reqwest::Client,
}

/// Serves the balancer on a free loopback port; its base URL.
pub async fn start(replicas: Vec<String>) -> std::io::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let balancer = Arc::new(Balancer {
        replicas,
        turn: AtomicUsize::new(0),
        http: reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(std::io::Error::other)?,
    });
    let router = axum::Router::new().fallback(forward).with_state(balancer);
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(url)
}

async fn forward(State(balancer): State<Arc<Balancer>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 32 << 20).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    let first = balancer.turn.fetch_add(1, Ordering::Relaxed);
    for attempt in 0..balancer.replicas.len() * 20 {
        let replica = &balancer.replicas[(first + attempt) % balancer.replicas.len()];
        let mut forwarded = balancer
            .http
            .request(parts.method.clone(), format!("{replica}{path}"))
            .body(Bytes::clone(&body));
        for (name, value) in &parts.headers {
            if name != http::header::HOST && name != http::header::CONTENT_LENGTH {
                forwarded = forwarded.header(name, value);
            }
        }
        match forwarded.send().await {
            Ok(answer) => {
                let status = answer.status();
                let headers = answer.headers().clone();
                let bytes = answer.bytes().await.unwrap_or_default();
                let mut response = (status, bytes).into_response();
                for (name, value) in &headers {
                    if name != http::header::CONTENT_LENGTH && name != http::header::TRANSFER_ENCODING {
                        response.headers_mut().insert(name, value.clone());
                    }
                }
                return response;
            }
            // Down (killed, restarting): the next one; when all are down, wait a little.
            Err(e) if e.is_connect() => {
                if attempt % balancer.replicas.len() == balancer.replicas.len() - 1 {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
            Err(_) => return StatusCode::BAD_GATEWAY.into_response(),
        }
    }
    StatusCode::SERVICE_UNAVAILABLE.into_response()
}
