//! The control routes, under `/_sim`, for a test or a person in another process. They meet no
//! fault and are not journaled.
//!
//! | route | does |
//! |-|-|
//! | `GET /_sim/exchanges` | every [`Exchange`](crate::Exchange) so far, as a JSON array |
//! | `GET /_sim/conversations` | every conversation with its messages and status |
//! | `POST /_sim/agent` `{"conversation": "...", "text": "..."}` | an agent writes |
//! | `POST /_sim/typing` `{"conversation": "..."}` | an agent types (`{"reported": false}` where the desk does not report typing) |
//! | `POST /_sim/resolve` `{"conversation": "..."}` | the desk resolves the conversation |
//! | `GET /_sim/faults`, `PUT /_sim/faults` `dup=0.1,drop=0.05` | read or set the faults |
//! | `POST /_sim/poll` | Engage Digital: poll the user's endpoint once now |
//!
//! Errors are `{"error": "..."}` with 400 (bad input) or 404 (unknown conversation).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use http::StatusCode;
use serde_json::{json, Value};

use crate::desk::{json as answer, Shared};
use crate::{Faults, SimError};

/// The control routes.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/_sim/exchanges", get(exchanges))
        .route("/_sim/conversations", get(conversations))
        .route("/_sim/agent", post(agent))
        .route("/_sim/typing", post(typing))
        .route("/_sim/resolve", post(resolve))
        .route("/_sim/faults", get(faults).put(set_faults))
        .route("/_sim/poll", post(poll))
        .with_state(shared)
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
    let text = String::from_utf8_lossy(&body);
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
