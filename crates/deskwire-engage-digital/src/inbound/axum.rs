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
use deskwire_core::axum::{read_body, BodyError};
use deskwire_core::verify::Refusal as _;

use super::{Endpoint, InboundRequest, RequestError, Source};

/// A router answering every method on `/` (non-`POST` gets a signed 405 with `Allow: POST`).
/// Nest it under the path you give Engage Digital as the channel's Base URI.
pub fn router<S: Source + 'static>(endpoint: Arc<Endpoint<S>>) -> Router {
    Router::new().route("/", any(serve::<S>)).with_state(endpoint)
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
