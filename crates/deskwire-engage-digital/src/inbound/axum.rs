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
use axum::response::Response;
use axum::routing::any;
use axum::Router;
use http_body_util::{BodyExt as _, LengthLimitError, Limited};

use super::{Endpoint, InboundRequest, RequestError, Source};

/// A router answering every method on `/` (non-`POST` gets a signed 405 with `Allow: POST`).
/// Nest it under the path you give Engage Digital as the channel's Base URI.
pub fn router<S: Source + 'static>(endpoint: Arc<Endpoint<S>>) -> Router {
    Router::new().route("/", any(serve::<S>)).with_state(endpoint)
}

/// The handler behind [`router`], for routers you assemble yourself.
pub async fn serve<S: Source + 'static>(State(endpoint): State<Arc<Endpoint<S>>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if let Err(error) = endpoint.precheck(&parts.method, &parts.headers) {
        tracing::warn!(status = error.status().as_u16(), %error, "refused a request");
        return answer(endpoint.refuse(&error));
    }
    let body = match Limited::new(body, endpoint.body_limit()).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) => {
            let error = if error.downcast_ref::<LengthLimitError>().is_some() {
                RequestError::BodyTooLarge {
                    limit: endpoint.body_limit(),
                }
            } else {
                RequestError::BodyUnreadable(error.to_string())
            };
            tracing::warn!(status = error.status().as_u16(), %error, "refused a request");
            return answer(endpoint.refuse(&error));
        }
    };
    let request = InboundRequest {
        query: parts.uri.query().map(str::to_owned),
        method: parts.method,
        headers: parts.headers,
        body,
    };
    answer(endpoint.handle(request).await)
}

fn answer(response: deskwire_core::InboundResponse) -> Response {
    let mut out = Response::new(axum::body::Body::from(response.body));
    *out.status_mut() = response.status;
    *out.headers_mut() = response.headers;
    out
}
