//! axum glue (feature `axum`; axum 0.8 on http 1, the versions of this crate's `http` types):
//! mount any inbound side in one line.
//!
//! * [`webhook_router`]: a provider's webhook [`Verify`]-er in front of your handler — the
//!   delivery is checked on its raw bytes, a refusal is answered with its own status
//!   ([`Refusal`]: 401, or 400 for an authentic delivery that cannot be read), a verified one
//!   goes to your [`Sink`] and is answered `200` once the sink has taken it.
//! * [`channel_router`]: any `Arc<dyn Channel>`'s [`Channel::receive`] — the desk gets the
//!   channel's answer, the events go to your sink.
//! * [`Routes`]: the same two with settings (the body limit, the requests served at once).
//! * `InboundResponse` is an axum response and `InboundRequest` an extractor, for handlers you
//!   write yourself.
//!
//! Bodies are read through a limit ([`DEFAULT_BODY_LIMIT`], 20 MiB: Engage Digital's, the
//! largest any supported desk documents): a declared `Content-Length` over it is answered `413`
//! before anything is read, and a body that grows past it is cut off with `413`. A route serves
//! a bounded number of requests at once ([`Routes::max_in_flight`], by default what fits in a
//! 256 MiB budget); the excess is answered `503` with `Retry-After` before its body is read, so
//! memory stays bounded whatever arrives ([`bounded`] does the same for routers of your own).
//! Each event the sink took is committed (see [`Incoming`](crate::channel::Incoming)); when
//! your sink fails, that event and the ones after it are released and the desk gets `500`, so
//! a desk that redelivers (Engage Digital does) brings the delivery again, and a channel with
//! backfill lists it again; nothing is recorded that you did not take. A delivery is handled
//! in a task of its own, to the end, even when the desk hangs up before the answer. A channel
//! whose desk never redelivers and which lists again what was not committed (Chatlake with
//! backfill) is answered as soon as the delivery is authentic ([`Channel::accept`]), and handled
//! after: Chatwoot marks the agent's message failed when the answer takes over 5 s or is an
//! error, and would send it again in no case.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use deskwire_core::verify::{Proof, ProofVerifier};
//! use deskwire_core::Secret;
//!
//! let verifier = ProofVerifier::new(Proof::hmac_sha256("x-signature", "sha256="), [&Secret::new("whsec")])?;
//! let (events, mut received) = tokio::sync::mpsc::channel(64);
//! let app = axum::Router::new().nest("/hooks", deskwire_core::axum::webhook_router(verifier, events));
//! tokio::spawn(async move {
//!     while let Some(body) = received.recv().await {
//!         let _authentic: Vec<u8> = body; // the raw body of a delivery whose proof checked out
//!     }
//! });
//! axum::serve(tokio::net::TcpListener::bind("127.0.0.1:8080").await?, app).await?;
//! # Ok(()) }
//! ```

use std::future::Future;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{FromRequest, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use bytes::Bytes;
use http::header::CONTENT_LENGTH;
use http::{HeaderMap, StatusCode};
use http_body_util::{BodyExt as _, LengthLimitError, Limited};

#[cfg(feature = "channel")]
use crate::channel::{Acceptance, Channel, DeskEvent};
use crate::verify::{Refusal, Verify};
use crate::{InboundRequest, InboundResponse};

/// The default body limit of [`Routes`]: 20 MiB, Engage Digital's documented request limit,
/// the largest of any supported desk.
pub const DEFAULT_BODY_LIMIT: usize = 20 << 20;

/// The default memory budget of a route for request bodies: 256 MiB. A route serves at most
/// `budget / body limit` requests at once (between 1 and [`MAX_IN_FLIGHT`]); the excess is
/// answered `503` with `Retry-After` before its body is read.
pub const DEFAULT_MEMORY_BUDGET: usize = 256 << 20;

/// The most requests a route serves at once by default, however small its body limit.
pub const MAX_IN_FLIGHT: usize = 1024;

/// The seconds a desk is told to wait when a route is at its bound.
pub const RETRY_AFTER_SECS: u64 = 1;

/// The requests a route with `body_limit` serves at once by default: the
/// [`DEFAULT_MEMORY_BUDGET`] divided by the limit, between 1 and [`MAX_IN_FLIGHT`].
pub fn default_in_flight(body_limit: usize) -> usize {
    (DEFAULT_MEMORY_BUDGET / body_limit.max(1)).clamp(1, MAX_IN_FLIGHT)
}

/// `router` serving at most `max_in_flight` requests at once; the excess gets `503 Service
/// Unavailable` with `Retry-After` at once, before its body is read (tower's concurrency limit
/// behind its load shedder). Memory for bodies is then bounded by `max_in_flight` times the
/// body limit, whatever arrives.
pub fn bounded(router: Router, max_in_flight: usize) -> Router {
    use axum::error_handling::HandleErrorLayer;
    use tower::ServiceBuilder;
    router.layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(|_: axum::BoxError| async { overloaded() }))
            .load_shed()
            // tokio's semaphore behind the limit panics past MAX_PERMITS: clamp, never panic.
            .concurrency_limit(max_in_flight.clamp(1, tokio::sync::Semaphore::MAX_PERMITS)),
    )
}

fn overloaded() -> Response {
    tracing::warn!("refused a request: the route is at its bound of requests in flight");
    let mut response = InboundResponse::text(StatusCode::SERVICE_UNAVAILABLE, "busy, retry later");
    response
        .headers
        .insert(http::header::RETRY_AFTER, http::HeaderValue::from(RETRY_AFTER_SECS));
    response.into_response()
}

/// What your code does with what arrived. Implemented for closures returning a future of
/// `Result<(), E>`, and for tokio's `mpsc::Sender` (waits for room: back-pressure reaches
/// the desk as a slower answer) and `mpsc::UnboundedSender`.
pub trait Sink<T>: Send + Sync + 'static {
    /// Takes one item; an error makes the route answer `500`.
    fn take(&self, item: T) -> impl Future<Output = Result<(), SinkError>> + Send;
}

/// Why a [`Sink`] did not take an item.
pub type SinkError = Box<dyn std::error::Error + Send + Sync>;

impl<T, F, Fut, E> Sink<T> for F
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send,
    E: Into<SinkError>,
{
    fn take(&self, item: T) -> impl Future<Output = Result<(), SinkError>> + Send {
        let taken = self(item);
        async move { taken.await.map_err(Into::into) }
    }
}

impl<T: Send + 'static> Sink<T> for tokio::sync::mpsc::Sender<T> {
    async fn take(&self, item: T) -> Result<(), SinkError> {
        self.send(item).await.map_err(|_| "the receiver is gone".into())
    }
}

impl<T: Send + 'static> Sink<T> for tokio::sync::mpsc::UnboundedSender<T> {
    fn take(&self, item: T) -> impl Future<Output = Result<(), SinkError>> + Send {
        let sent = self.send(item).map_err(|_| "the receiver is gone".into());
        async move { sent }
    }
}

impl IntoResponse for InboundResponse {
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response
    }
}

/// The request as it arrived, for handlers you write yourself. The body is read through axum's
/// `Bytes` extractor, so axum's `DefaultBodyLimit` (2 MiB unless you set it) applies.
impl<S: Send + Sync> FromRequest<S> for InboundRequest {
    type Rejection = axum::extract::rejection::BytesRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let method = request.method().clone();
        let query = request.uri().query().map(str::to_owned);
        let headers = request.headers().clone();
        let body = Bytes::from_request(request, state).await?;
        Ok(Self {
            method,
            headers,
            query,
            body,
        })
    }
}

/// Why a body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// Declared or grown past the limit.
    #[error("the body is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// The connection broke, or the body is not valid HTTP framing.
    #[error("the body could not be read: {0}")]
    Unreadable(String),
}

impl Refusal for BodyError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unreadable(_) => StatusCode::BAD_REQUEST,
        }
    }
}

/// Reads `body` up to `limit` bytes: a `Content-Length` in `headers` over the limit is refused
/// before anything is read, and a body that grows past it is refused without buffering the rest.
pub async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, BodyError> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(BodyError::TooLarge { limit });
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => Err(BodyError::TooLarge { limit }),
        Err(error) => Err(BodyError::Unreadable(error.to_string())),
    }
}

/// Route settings. [`webhook_router`] and [`channel_router`] are `Routes::new()`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Routes {
    body_limit: usize,
    max_in_flight: Option<usize>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    /// The defaults: a [`DEFAULT_BODY_LIMIT`] body limit and [`default_in_flight`] requests at
    /// once.
    pub const fn new() -> Self {
        Self {
            body_limit: DEFAULT_BODY_LIMIT,
            max_in_flight: None,
        }
    }

    /// The largest body read, in bytes.
    pub const fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The most requests served at once (default: [`default_in_flight`] of the body limit).
    pub const fn max_in_flight(mut self, requests: usize) -> Self {
        self.max_in_flight = Some(requests);
        self
    }

    /// The requests served at once with these settings.
    pub fn in_flight(&self) -> usize {
        match self.max_in_flight {
            Some(n) => n,
            None => default_in_flight(self.body_limit),
        }
    }

    /// A router answering every method on `/` with `verifier`'s check, then `sink`.
    pub fn webhook<V>(self, verifier: V, sink: impl Sink<V::Verified>) -> Router
    where
        V: Verify + Send + Sync + 'static,
        V::Verified: Send + 'static,
        V::Error: Send,
    {
        let route = Arc::new(WebhookRoute {
            verifier,
            sink,
            limit: self.body_limit,
        });
        bounded(
            Router::new().route("/", any(webhook)).with_state(route),
            self.in_flight(),
        )
    }

    #[cfg(feature = "channel")]
    /// A router answering every method on `/` with `channel`'s [`Channel::receive`]; the events
    /// go to `sink` one by one, in order, before the desk gets the channel's answer.
    pub fn channel(self, channel: Arc<dyn Channel>, sink: impl Sink<DeskEvent>) -> Router {
        let route = Arc::new(ChannelRoute {
            channel,
            sink,
            limit: self.body_limit,
            background: Arc::new(tokio::sync::Semaphore::new(
                self.in_flight().clamp(1, tokio::sync::Semaphore::MAX_PERMITS),
            )),
        });
        bounded(
            Router::new().route("/", any(receive)).with_state(route),
            self.in_flight(),
        )
    }
}

/// `Routes::new().webhook(verifier, sink)`: see the [module docs](self).
pub fn webhook_router<V>(verifier: V, sink: impl Sink<V::Verified>) -> Router
where
    V: Verify + Send + Sync + 'static,
    V::Verified: Send + 'static,
    V::Error: Send,
{
    Routes::new().webhook(verifier, sink)
}

#[cfg(feature = "channel")]
/// `Routes::new().channel(channel, sink)`: see the [module docs](self).
pub fn channel_router(channel: Arc<dyn Channel>, sink: impl Sink<DeskEvent>) -> Router {
    Routes::new().channel(channel, sink)
}

struct WebhookRoute<V, K> {
    verifier: V,
    sink: K,
    limit: usize,
}

#[cfg(feature = "channel")]
struct ChannelRoute<K> {
    channel: Arc<dyn Channel>,
    sink: K,
    limit: usize,
    /// Deliveries answered at once ([`Acceptance::Now`]) and handled after, at most
    /// [`Routes::in_flight`] at a time.
    background: Arc<tokio::sync::Semaphore>,
}

fn refuse(refusal: &dyn Refusal) -> Response {
    tracing::warn!(status = refusal.status_code().as_u16(), reason = %refusal, "refused a delivery");
    refusal.inbound_response().into_response()
}

fn sink_failed(error: &SinkError) -> Response {
    tracing::error!(%error, "the sink did not take a delivery; released it, and a desk still waiting gets 500 so it may redeliver");
    InboundResponse::text(StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}

async fn webhook<V, K>(State(route): State<Arc<WebhookRoute<V, K>>>, request: Request) -> Response
where
    V: Verify + Send + Sync + 'static,
    V::Verified: Send + 'static,
    K: Sink<V::Verified>,
{
    let (parts, body) = request.into_parts();
    let body = match read_body(&parts.headers, body, route.limit).await {
        Ok(body) => body,
        Err(error) => return refuse(&error),
    };
    let delivery = match route.verifier.verify(&parts.headers, &body) {
        Ok(delivery) => delivery,
        Err(error) => return refuse(&error),
    };
    match route.sink.take(delivery).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(error) => sink_failed(&error),
    }
}

#[cfg(feature = "channel")]
async fn receive<K: Sink<DeskEvent>>(State(route): State<Arc<ChannelRoute<K>>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = match read_body(&parts.headers, body, route.limit).await {
        Ok(body) => body,
        Err(error) => return refuse(&error),
    };
    let request = InboundRequest {
        query: parts.uri.query().map(str::to_owned),
        method: parts.method,
        headers: parts.headers,
        body,
    };
    match route.channel.accept(&request).await {
        Err(error) => return refused(&error),
        Ok(Acceptance::Now(response)) => {
            // The desk does not redeliver and the channel lists again what is not committed:
            // answer now, handle after. Background handling is bounded like the requests are,
            // so a slow sink slows the answers instead of piling up bodies.
            let Ok(slot) = Arc::clone(&route.background).acquire_owned().await else {
                return overloaded();
            };
            tokio::spawn(async move {
                let _slot = slot;
                handle(&route, request).await
            });
            return response.into_response();
        }
        Ok(_) => {}
    }
    // The delivery is handled in its own task: when the desk hangs up (Chatwoot after 5 s),
    // hyper drops this future, but the events still reach the sink and are committed.
    let handled = tokio::spawn(async move { handle(&route, request).await });
    match handled.await {
        Ok(response) => response,
        Err(error) => {
            tracing::error!(%error, "handling a delivery panicked; answered 500");
            InboundResponse::text(StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

#[cfg(feature = "channel")]
fn refused(error: &crate::channel::ChannelError) -> Response {
    tracing::warn!(provider = error.provider(), %error, "refused a delivery");
    error.inbound_response().into_response()
}

/// Receives, hands each event to the sink in order and commits it once taken; the first the
/// sink refuses is released with every one after it, and the desk gets `500`.
#[cfg(feature = "channel")]
async fn handle<K: Sink<DeskEvent>>(route: &ChannelRoute<K>, request: InboundRequest) -> Response {
    let received = match route.channel.receive(request).await {
        Ok(received) => received,
        Err(error) => return refused(&error),
    };
    let mut events = received.events.into_iter();
    while let Some(crate::channel::Incoming { event, ack, .. }) = events.next() {
        match route.sink.take(event).await {
            Ok(()) => {
                if let Err(error) = ack.commit().await {
                    // Taken: a failed record means a possible duplicate, never a loss.
                    tracing::warn!(%error, "an event was taken but its commit failed; a redelivery may pass it again");
                }
            }
            Err(error) => {
                let _ = ack.release().await;
                for rest in events {
                    let _ = rest.release().await;
                }
                return sink_failed(&error);
            }
        }
    }
    received.response.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_bound_fits_the_budget() {
        assert_eq!(default_in_flight(DEFAULT_BODY_LIMIT), 12);
        assert_eq!(default_in_flight(1 << 20), 256);
        assert_eq!(default_in_flight(DEFAULT_MEMORY_BUDGET), 1);
        assert_eq!(default_in_flight(DEFAULT_MEMORY_BUDGET + 1), 1);
        assert_eq!(default_in_flight(usize::MAX), 1);
        assert_eq!(default_in_flight(1), MAX_IN_FLIGHT);
        assert_eq!(default_in_flight(0), MAX_IN_FLIGHT);
        assert_eq!(Routes::new().in_flight(), 12);
        assert_eq!(Routes::new().body_limit(1 << 20).in_flight(), 256);
        assert_eq!(Routes::new().body_limit(1 << 20).max_in_flight(3).in_flight(), 3);
    }

    #[test]
    fn any_bound_builds_a_router() {
        // usize::MAX once panicked inside tokio's semaphore.
        for n in [0, 1, usize::MAX] {
            let _ = bounded(Router::new(), n);
            let _ = Routes::new().max_in_flight(n).webhook(
                crate::verify::ProofVerifier::accept_unauthenticated(),
                |_: Vec<u8>| async { Ok::<_, std::io::Error>(()) },
            );
        }
    }

    #[tokio::test]
    async fn bodies_are_read_up_to_the_limit_inclusive() {
        let declared = |n: usize| {
            let mut h = HeaderMap::new();
            h.insert(CONTENT_LENGTH, n.into());
            h
        };
        let none = HeaderMap::new();
        assert_eq!(read_body(&none, Body::from(vec![1u8; 8]), 8).await.unwrap().len(), 8);
        assert_eq!(
            read_body(&none, Body::from(vec![1u8; 9]), 8).await,
            Err(BodyError::TooLarge { limit: 8 })
        );
        assert_eq!(
            read_body(&declared(8), Body::from(vec![1u8; 8]), 8)
                .await
                .unwrap()
                .len(),
            8
        );
        // A declared length over the limit is refused whatever the body.
        assert_eq!(
            read_body(&declared(9), Body::from(vec![1u8; 1]), 8).await,
            Err(BodyError::TooLarge { limit: 8 })
        );
        // A connection that breaks mid-body is unreadable, not too large.
        let broken = Body::from_stream(futures_util::stream::iter(vec![
            Ok::<_, std::io::Error>(Bytes::from_static(b"ab")),
            Err(std::io::Error::other("connection reset")),
        ]));
        assert!(matches!(
            read_body(&none, broken, 8).await,
            Err(BodyError::Unreadable(reason)) if reason.contains("connection reset")
        ));
        assert_eq!(
            BodyError::TooLarge { limit: 8 }.status_code(),
            StatusCode::PAYLOAD_TOO_LARGE
        );
        assert_eq!(BodyError::Unreadable("x".into()).status_code(), StatusCode::BAD_REQUEST);
    }
}
