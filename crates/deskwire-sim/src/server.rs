//! The HTTP server: one task per connection, so a fault can close a connection after its
//! request was read and applied, without an answer (what `axum::serve` cannot do).
//!
//! Every request to the desk's routes goes through [`inbound`]: it rolls the request faults,
//! answers a refusal without touching the desk's state, or runs the desk and records the
//! exchange in the journal. The `/_sim` control routes bypass it.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tower::ServiceExt;

use crate::desk::Shared;
use crate::faults::Fault;
use crate::journal::{Direction, Entry};

/// What a desk handler says a request meant, for the journal (a response extension).
#[derive(Debug, Clone)]
pub(crate) struct Summary(pub(crate) String);

/// A fault a desk handler applied itself (a response extension), e.g. a token expired early.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Noted(pub(crate) Fault);

/// Closes the connection a request came on (a request extension).
#[derive(Debug, Clone)]
struct Closer(Arc<Notify>);

/// The faults a request can meet, in the order they are rolled.
const REQUEST_FAULTS: [Fault; 4] = [
    Fault::RateLimited,
    Fault::RateLimitedBare,
    Fault::ServerError,
    Fault::CloseAfterRead,
];

/// The middleware in front of the desk's routes.
pub(crate) async fn inbound(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let closer = request.extensions().get::<Closer>().cloned();
    let fault = shared.dice.first_of(&REQUEST_FAULTS);
    let refused = match fault {
        Some(f @ (Fault::RateLimited | Fault::RateLimitedBare | Fault::ServerError)) => {
            Some(shared.desk().refusal(f, shared.dice.faults().retry_after_secs()))
        }
        _ => None,
    };
    let was_refused = refused.is_some();
    let response = match refused {
        Some(response) => response,
        None => next.run(request).await,
    };
    let fault = fault.or_else(|| response.extensions().get::<Noted>().map(|n| n.0));
    let closing = fault == Some(Fault::CloseAfterRead);
    shared.journal.record(Entry {
        direction: Direction::In,
        method,
        path,
        status: (!closing).then(|| response.status().as_u16()),
        summary: if was_refused {
            None
        } else {
            response.extensions().get::<Summary>().map(|s| s.0.clone())
        },
        fault: fault.map(|f| f.key().to_owned()),
    });
    if closing {
        if let Some(Closer(notify)) = closer {
            notify.notify_one();
            // Never answer: the connection task drops the connection on the notification, and
            // answering here could put the response on the wire first.
            std::future::pending::<()>().await;
        }
    }
    response
}

/// Serves `router` on `listener` until `stop` turns true.
pub(crate) async fn serve(listener: TcpListener, router: Router, mut stop: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.changed() => return,
        };
        let Ok((stream, _)) = accepted else { continue };
        let router = router.clone();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let notify = Arc::new(Notify::new());
            let closer = Closer(Arc::clone(&notify));
            let service = router.map_request(move |mut request: Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(closer.clone());
                request.map(axum::body::Body::new)
            });
            let service = TowerToHyperService::new(service);
            let connection = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                biased;
                _ = notify.notified() => {}
                _ = stop.changed() => {}
                _ = connection => {}
            }
        });
    }
}
