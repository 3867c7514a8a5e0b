//! Errors of the Chatlake clients. The server answers errors in three JSON shapes —
//! `{"error": "..."}`, `{"message": "...", "attributes": [...]}` and `{"errors": [...]}` — and
//! rate limits with a plain-text `Retry later`; [`ErrorBody`] reads them all and the raw body is
//! always kept. 401, 403, 404, 422 and 429 are distinct variants.

use std::time::Duration;

use deskwire_core::{DecodeError, Delivery, TransportError, ValidationError};
use serde_json::Value;

/// An error body, by shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorBody {
    /// `{"error": "Invalid Access Token"}`: most controller errors.
    Error(String),
    /// `{"message": "Email has already been taken", "attributes": ["email"]}`: model validation.
    Invalid {
        /// Full messages joined with ", ".
        message: String,
        /// The fields at fault.
        attributes: Vec<String>,
    },
    /// `{"errors": ["You need to sign in or sign up before continuing."]}`.
    Errors(Vec<String>),
    /// Other JSON.
    Json(Value),
    /// Not JSON (the 429 `Retry later`, a proxy's HTML page), or empty.
    Text(String),
}

impl ErrorBody {
    /// Reads a body in whichever shape it has.
    pub fn parse(raw: &str) -> Self {
        let Ok(value) = serde_json::from_str::<Value>(raw) else {
            return Self::Text(raw.to_owned());
        };
        let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
        if let Some(obj) = value.as_object() {
            if let Some(Value::String(error)) = obj.get("error") {
                return Self::Error(error.clone());
            }
            if let Some(Value::String(message)) = obj.get("message") {
                let attributes = obj
                    .get("attributes")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().map(text).collect())
                    .unwrap_or_default();
                return Self::Invalid {
                    message: message.clone(),
                    attributes,
                };
            }
            if let Some(Value::Array(errors)) = obj.get("errors") {
                return Self::Errors(errors.iter().map(text).collect());
            }
        }
        Self::Json(value)
    }

    /// The human-readable part.
    pub fn message(&self) -> String {
        match self {
            Self::Error(m) | Self::Text(m) => m.clone(),
            Self::Invalid { message, attributes } if attributes.is_empty() => message.clone(),
            Self::Invalid { message, attributes } => format!("{message} (fields: {})", attributes.join(", ")),
            Self::Errors(errors) => errors.join("; "),
            Self::Json(v) => v.to_string(),
        }
    }
}

/// A refusal from the server: status, the body read by shape, and the raw body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// The body, by shape.
    pub body: ErrorBody,
    /// The body exactly as received (lossy UTF-8).
    pub raw: String,
}

impl ApiError {
    /// Reads an error answer.
    pub fn new(status: u16, raw: String) -> Self {
        Self {
            status,
            body: ErrorBody::parse(&raw),
            raw,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const MAX: usize = 300;
        let message = self.body.message();
        match message.char_indices().nth(MAX) {
            Some((cut, _)) => write!(
                f,
                "HTTP {}: {}… ({} bytes)",
                self.status,
                &message[..cut],
                message.len()
            ),
            None if message.is_empty() => write!(f, "HTTP {} (empty body)", self.status),
            None => write!(f, "HTTP {}: {message}", self.status),
        }
    }
}

/// Everything that can go wrong calling Chatlake.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Refused before sending: nothing was sent.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// 401: a missing, wrong or unauthorised token (Chatlake also answers 401 for "not allowed
    /// to do this action" and for bot tokens on endpoints bots may not call).
    #[error("Chatlake refused the token ({0}); if a proxy drops headers with underscores, use TokenHeader::Dashed")]
    Unauthorized(ApiError),
    /// 403: e.g. a message status update on an inbox that is not an API inbox.
    #[error("Chatlake forbade the request ({0})")]
    Forbidden(ApiError),
    /// 404: an unknown id, conversation display id or inbox.
    #[error("Chatlake found no such resource ({0})")]
    NotFound(ApiError),
    /// 422: invalid parameters or a failed model validation; the body says which.
    #[error("Chatlake refused the request as invalid ({0})")]
    Unprocessable(ApiError),
    /// 429: rate limited (plain text `Retry later`).
    #[error("Chatlake rate limited the request{}; nothing was done", .retry_after.map(|d| format!(", retry in {} s", d.as_secs())).unwrap_or_default())]
    RateLimited {
        /// `Retry-After`, when the server sent one.
        retry_after: Option<Duration>,
        /// The body as received.
        raw: String,
    },
    /// Another 4xx.
    #[error("Chatlake refused the request ({0})")]
    Rejected(ApiError),
    /// A 5xx or another unexpected status.
    #[error("Chatlake failed ({0}); the request may have been acted on")]
    Server(ApiError),
    /// A 500 from a Client API contact call (create, show, update): almost certainly the
    /// server's identity check. On an inbox with identity validation (`hmac_mandatory`), or
    /// whenever an `identifier_hash` is sent, Chatwoot compares it with the hex HMAC-SHA256 of
    /// the request's `identifier` (an absent one counts as `""`) keyed with the inbox's
    /// `hmac_token`, and a mismatch raises an error no controller rescues, so the answer is a
    /// bare 500 (chatwoot/chatwoot `app/controllers/public/api/v1/inboxes/contacts_controller.rb`,
    /// `process_hmac`, v4.13.0). Never retried: the same hash fails every time.
    #[error("Chatlake answered {0} to a Client API contact call: most likely the identity check failed — give PublicClientBuilder::hmac_token the inbox's hmac_token (not the webhook secret) and pass the contact's identifier; otherwise a server fault")]
    IdentityCheckFailed(ApiError),
    /// A success answer that does not have the expected shape.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The request did not complete.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The request could not be encoded.
    #[error("could not encode the request: {0}")]
    Encode(String),
    /// The client was configured wrongly.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
}

impl Error {
    /// Maps a non-2xx answer.
    pub(crate) fn from_status(status: u16, retry_after: Option<Duration>, raw: String) -> Self {
        match status {
            401 => Self::Unauthorized(ApiError::new(status, raw)),
            403 => Self::Forbidden(ApiError::new(status, raw)),
            404 => Self::NotFound(ApiError::new(status, raw)),
            422 => Self::Unprocessable(ApiError::new(status, raw)),
            429 => Self::RateLimited { retry_after, raw },
            400..=499 if status != 408 => Self::Rejected(ApiError::new(status, raw)),
            _ => Self::Server(ApiError::new(status, raw)),
        }
    }

    /// Whether the request may have reached Chatlake and been acted on.
    pub fn delivery(&self) -> Delivery {
        match self {
            Self::Validation(_) | Self::Encode(_) | Self::InvalidConfig(_) => Delivery::NotSent,
            Self::Unauthorized(_)
            | Self::Forbidden(_)
            | Self::NotFound(_)
            | Self::Unprocessable(_)
            | Self::RateLimited { .. }
            | Self::Rejected(_) => Delivery::Rejected,
            Self::Server(e) | Self::IdentityCheckFailed(e) => Delivery::of_unexpected_status(e.status),
            Self::Decode(_) => Delivery::MaybeDelivered,
            Self::Transport(e) => e.kind.delivery(),
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Unauthorized(e)
            | Self::Forbidden(e)
            | Self::NotFound(e)
            | Self::Unprocessable(e)
            | Self::Rejected(e)
            | Self::Server(e)
            | Self::IdentityCheckFailed(e) => Some(e.status),
            Self::RateLimited { .. } => Some(429),
            Self::Decode(e) => Some(e.status),
            _ => None,
        }
    }

    /// The server's refusal, when there is one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Unauthorized(e)
            | Self::Forbidden(e)
            | Self::NotFound(e)
            | Self::Unprocessable(e)
            | Self::Rejected(e)
            | Self::Server(e)
            | Self::IdentityCheckFailed(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_shapes_and_text() {
        assert_eq!(
            ErrorBody::parse(r#"{"error":"Invalid Access Token"}"#),
            ErrorBody::Error("Invalid Access Token".into())
        );
        assert_eq!(
            ErrorBody::parse(r#"{"message":"Email has already been taken","attributes":["email"]}"#),
            ErrorBody::Invalid {
                message: "Email has already been taken".into(),
                attributes: vec!["email".into()]
            }
        );
        assert_eq!(
            ErrorBody::parse(r#"{"errors":["You need to sign in or sign up before continuing."]}"#),
            ErrorBody::Errors(vec!["You need to sign in or sign up before continuing.".into()])
        );
        assert_eq!(
            ErrorBody::parse("Retry later\n"),
            ErrorBody::Text("Retry later\n".into())
        );
        assert_eq!(ErrorBody::parse("[1]"), ErrorBody::Json(serde_json::json!([1])));
    }

    #[test]
    fn statuses_map_to_distinct_variants() {
        let raw = || r#"{"error":"x"}"#.to_owned();
        assert!(matches!(Error::from_status(401, None, raw()), Error::Unauthorized(_)));
        assert!(matches!(Error::from_status(403, None, raw()), Error::Forbidden(_)));
        assert!(matches!(Error::from_status(404, None, raw()), Error::NotFound(_)));
        assert!(matches!(Error::from_status(422, None, raw()), Error::Unprocessable(_)));
        assert!(matches!(
            Error::from_status(429, None, raw()),
            Error::RateLimited { .. }
        ));
        assert!(matches!(Error::from_status(400, None, raw()), Error::Rejected(_)));
        assert!(matches!(Error::from_status(408, None, raw()), Error::Server(_)));
        assert!(matches!(Error::from_status(502, None, raw()), Error::Server(_)));
        assert_eq!(Error::from_status(404, None, raw()).delivery(), Delivery::Rejected);
        assert_eq!(
            Error::from_status(502, None, raw()).delivery(),
            Delivery::MaybeDelivered
        );
        assert_eq!(
            Error::from_status(
                422,
                None,
                r#"{"message":"Email has already been taken","attributes":["email"]}"#.into()
            )
            .to_string(),
            "Chatlake refused the request as invalid (HTTP 422: Email has already been taken (fields: email))"
        );
        assert_eq!(
            Error::from_status(429, Some(Duration::from_secs(3)), "Retry later".into()).to_string(),
            "Chatlake rate limited the request, retry in 3 s; nothing was done"
        );
    }
}
