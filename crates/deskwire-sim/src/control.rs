//! The control routes, under `/_sim`, for a test or a person in another process. They meet no
//! fault and are not journaled. They are deskwire's invention: no desk has them.
//!
//! **Guarded.** Every control request carries the run's token in `x-sim-control-token` (the
//! announcement's `control_token`, random for each run unless given): another local process,
//! or a web page the browser on this machine opens, cannot steer the desk. A body must be
//! `application/json`, which a browser never sends across origins without asking first (a
//! CORS preflight this server does not grant). A missing or wrong token is `401`, another
//! content type `415`.
//!
//! | route | does |
//! |-|-|
//! | `GET /_sim/exchanges` | every [`Exchange`](crate::Exchange) so far, as a JSON array |
//! | `GET /_sim/conversations` | every conversation with its messages and status |
//! | `POST /_sim/agent` `{"conversation": "...", "text": "..."}` | an agent writes |
//! | `POST /_sim/typing` `{"conversation": "..."}` | an agent types (`{"reported": false}` where the desk does not report typing) |
//! | `POST /_sim/resolve` `{"conversation": "..."}` | the desk resolves the conversation |
//! | `GET /_sim/faults`, `PUT /_sim/faults` `{"faults": "dup=0.1,drop=0.05"}` | read or set the faults |
//! | `POST /_sim/poll` | Engage Digital: poll the user's endpoint once now |
//!
//! Errors are `{"error": "..."}` with 400 (bad input) or 404 (unknown conversation).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use http::StatusCode;
use serde_json::{json, Value};

use crate::desk::{json as answer, Shared};
use crate::{Faults, SimError};

/// The header that carries the run's control token.
pub const TOKEN_HEADER: &str = "x-sim-control-token";

/// The control routes, each behind [`guard`].
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/_sim/exchanges", get(exchanges))
        .route("/_sim/conversations", get(conversations))
        .route("/_sim/agent", post(agent))
        .route("/_sim/typing", post(typing))
        .route("/_sim/resolve", post(resolve))
        .route("/_sim/faults", get(faults).put(set_faults))
        .route("/_sim/poll", post(poll))
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&shared), guard))
        .with_state(shared)
}

/// Lets through a request with the run's token and, when it has a body, a JSON one.
async fn guard(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let token = request.headers().get(TOKEN_HEADER).map(|v| v.as_bytes());
    if !token.is_some_and(|t| shared.control_token.matches(t)) {
        return error(
            StatusCode::UNAUTHORIZED,
            format!("control routes need the run's token in `{TOKEN_HEADER}` (the announcement's `control_token`)"),
        );
    }
    let json = request
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
        });
    let has_body = matches!(*request.method(), http::Method::POST | http::Method::PUT);
    if has_body && !json {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "control bodies are application/json",
        );
    }
    next.run(request).await
}

fn error(status: StatusCode, message: impl std::fmt::Display) -> Response {
    answer(status, &json!({"error": message.to_string()}))
}

fn failed(e: &SimError) -> Response {
    let status = match e {
        SimError::UnknownConversation(_) => StatusCode::NOT_FOUND,
        SimError::Endpoint(_) => StatusCode::BAD_GATEWAY,
        _ => StatusCode::BAD_REQUEST,
    };
    error(status, e)
}

fn field(body: &Bytes, name: &str) -> Result<String, Response> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| error(StatusCode::BAD_REQUEST, format!("not JSON: {e}")))?;
    match &value[name] {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(error(StatusCode::BAD_REQUEST, format!("`{name}` is required"))),
    }
}

async fn exchanges(State(shared): State<Arc<Shared>>) -> Response {
    answer(StatusCode::OK, &json!(shared.journal.all()))
}

async fn conversations(State(shared): State<Arc<Shared>>) -> Response {
    answer(StatusCode::OK, &Value::Array(shared.desk().conversations()))
}

async fn agent(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let (conversation, text) = match (field(&body, "conversation"), field(&body, "text")) {
        (Ok(c), Ok(t)) => (c, t),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    match shared.desk().agent_message(&conversation, &text).await {
        Ok(()) => answer(StatusCode::OK, &json!({"ok": true})),
        Err(e) => failed(&e),
    }
}

async fn typing(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let conversation = match field(&body, "conversation") {
        Ok(c) => c,
        Err(e) => return e,
    };
    match shared.desk().agent_typing(&conversation).await {
        Ok(reported) => answer(StatusCode::OK, &json!({"reported": reported})),
        Err(e) => failed(&e),
    }
}

async fn resolve(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let conversation = match field(&body, "conversation") {
        Ok(c) => c,
        Err(e) => return e,
    };
    match shared.desk().resolve(&conversation).await {
        Ok(reported) => answer(StatusCode::OK, &json!({"reported": reported})),
        Err(e) => failed(&e),
    }
}

async fn faults(State(shared): State<Arc<Shared>>) -> Response {
    answer(StatusCode::OK, &json!({"faults": shared.dice.faults().to_string()}))
}

async fn set_faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let text = match field(&body, "faults") {
        Ok(text) => text,
        Err(e) => return e,
    };
    match text.parse::<Faults>() {
        Ok(faults) => {
            shared.dice.set_faults(faults);
            answer(StatusCode::OK, &json!({"faults": faults.to_string()}))
        }
        Err(e) => error(StatusCode::BAD_REQUEST, e),
    }
}

async fn poll(State(shared): State<Arc<Shared>>) -> Response {
    match shared.desk().poll_endpoint().await {
        Some(Ok(imported)) => answer(StatusCode::OK, &json!({"imported": imported})),
        Some(Err(e)) => failed(&e),
        None => error(StatusCode::BAD_REQUEST, "this desk does not poll an endpoint"),
    }
}
