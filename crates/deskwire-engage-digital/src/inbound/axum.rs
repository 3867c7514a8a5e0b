//! The endpoint as an axum router (feature `axum`).
//!
//! The body is read through a length limit, so a request over the endpoint's limit is refused
//! with 413 without buffering it whole; a declared `Content-Length` over the limit is refused
//! before reading anything. axum's own `DefaultBodyLimit` does not apply: the endpoint's limit
//! (20 MiB unless configured) does.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use deskwire_core::Secret;
//! use deskwire_engage_digital::inbound::{ActionError, Endpoint, ImplementationInfo, Source};
//!
//! struct Shop;
//! impl Source for Shop {
//!     async fn implementation_info(&self) -> Result<ImplementationInfo, ActionError> {
//!         Ok(ImplementationInfo::default())
//!     }
//! }
//!
//! let endpoint = Arc::new(Endpoint::new(&Secret::new("<API access token>"), Shop)?);
//! let app = axum::Router::new().nest("/engage", deskwire_engage_digital::inbound::axum::router(endpoint));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, app).await?;
//! # Ok(())
//! # }
//! ```

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::{IntoResponse as _, Response};
use axum::routing::any;
use axum::Router;
use deskwire_core::axum::{bounded, default_in_flight, read_body, BodyError};
use deskwire_core::verify::Refusal as _;

use super::{Endpoint, InboundRequest, RequestError, Source};

/// A router answering every method on `/` (non-`POST` gets a signed 405 with `Allow: POST`).
/// Nest it under the path you give Engage Digital as the channel's Base URI. It serves at most
/// [`default_in_flight`] of the endpoint's body limit at once (12 for 20 MiB: 240 MiB of
/// bodies at most); the excess gets `503` with `Retry-After`, and Engage Digital asks again.
pub fn router<S: Source + 'static>(endpoint: Arc<Endpoint<S>>) -> Router {
    let in_flight = default_in_flight(endpoint.body_limit());
    router_with(endpoint, in_flight)
}

/// [`router`] serving at most `max_in_flight` requests at once.
pub fn router_with<S: Source + 'static>(endpoint: Arc<Endpoint<S>>, max_in_flight: usize) -> Router {
    bounded(
        Router::new().route("/", any(serve::<S>)).with_state(endpoint),
        max_in_flight,
    )
}

/// The handler behind [`router`], for routers you assemble yourself.
pub async fn serve<S: Source + 'static>(State(endpoint): State<Arc<Endpoint<S>>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = match endpoint.precheck(&parts.method, &parts.headers) {
        Ok(()) => read_body(&parts.headers, body, endpoint.body_limit())
            .await
            .map_err(|e| match e {
                BodyError::TooLarge { limit } => RequestError::BodyTooLarge { limit },
                other => RequestError::BodyUnreadable(other.to_string()),
            }),
        Err(error) => Err(error),
    };
    let body = match body {
        Ok(body) => body,
        Err(error) => {
            tracing::warn!(status = error.status_code().as_u16(), %error, "refused a request");
            return endpoint.refuse(&error).into_response();
        }
    };
    let request = InboundRequest {
        query: parts.uri.query().map(str::to_owned),
        method: parts.method,
        headers: parts.headers,
        body,
    };
    endpoint.handle(request).await.into_response()
}
