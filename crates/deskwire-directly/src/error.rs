//! Errors of the Directly client. Every documented status code — 400, 401, 403, 404, 405, 500 —
//! is its own variant carrying an [`ApiError`]: the status, `error.message`, the raw `error`
//! value, `meta.correlationId` (what Directly's support asks for) and the raw body. Token
//! failures are [`Error::Token`]: the API request itself was not sent.

use std::time::Duration;

use deskwire_core::{DecodeError, Delivery, TransportError, ValidationError};
use serde_json::Value;

/// A refusal from the API.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// `error.message` (or `error` itself when it is a string).
    pub message: Option<String>,
    /// The `error` value as sent (Directly's client passes it on as the "detail").
    pub error: Option<Value>,
    /// `meta.correlationId`.
    pub correlation_id: Option<String>,
    /// The body exactly as received (lossy UTF-8).
    pub raw: String,
}

impl ApiError {
    /// Reads an error answer in the envelope's shape, or any other body.
    pub fn new(status: u16, raw: String) -> Self {
        let value = serde_json::from_str::<Value>(&raw).ok();
        let object = value.as_ref().and_then(Value::as_object);
        let error = object.and_then(|o| o.get("error")).cloned();
        let message = match &error {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Object(e)) => e.get("message").and_then(Value::as_str).map(str::to_owned),
            _ => object
                .and_then(|o| o.get("message"))
                .and_then(Value::as_str)
                .map(str::to_owned),
        };
        let correlation_id = object
            .and_then(|o| o.get("meta"))
            .and_then(|m| m.get("correlationId"))
            .and_then(|c| match c {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            });
        Self {
            status,
            message,
            error,
            correlation_id,
            raw,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const MAX: usize = 300;
        write!(f, "HTTP {}", self.status)?;
        let text = self.message.clone().unwrap_or_else(|| self.raw.trim().to_owned());
        match text.char_indices().nth(MAX) {
            Some((cut, _)) => write!(f, ": {}… ({} bytes)", &text[..cut], text.len())?,
            None if text.is_empty() => f.write_str(" (empty body)")?,
            None => write!(f, ": {text}")?,
        }
        if let Some(id) = &self.correlation_id {
            write!(f, " [correlation id {id}]")?;
        }
        Ok(())
    }
}

/// Obtaining or revoking the access token failed. The API request was not sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The token endpoint refused (RFC 6749 `error` / `error_description` when given).
    #[error("the token endpoint refused the credentials (HTTP {status}{}{})",
        .code.as_deref().map(|c| format!(": {c}")).unwrap_or_default(),
        .description.as_deref().map(|d| format!(" — {d}")).unwrap_or_default())]
    Refused {
        /// HTTP status.
        status: u16,
        /// `error`.
        code: Option<String>,
        /// `error_description`.
        description: Option<String>,
        /// The body as received.
        raw: String,
    },
    /// A success answer without a usable `access_token`. The body is not kept: it may hold a
    /// token.
    #[error("the token endpoint's {status} answer has no usable access token: {reason}")]
    Malformed {
        /// HTTP status.
        status: u16,
        /// What is missing.
        reason: String,
    },
    /// The token endpoint could not be reached.
    #[error("could not reach the token endpoint: {0}")]
    Transport(TransportError),
}

/// Everything that can go wrong calling Directly.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Refused before sending: nothing was sent.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// 400: a missing or invalid parameter; `error` says which.
    #[error("Directly refused the request as invalid ({0})")]
    BadRequest(ApiError),
    /// 401: the token was refused — after one refresh and retry, when the client obtains tokens
    /// itself.
    #[error("Directly refused the access token ({0})")]
    Unauthorized(ApiError),
    /// 403: the company or user may not do this.
    #[error("Directly forbade the request ({0})")]
    Forbidden(ApiError),
    /// 404: no such question, response or message.
    #[error("Directly found no such resource ({0})")]
    NotFound(ApiError),
    /// 405: wrong method for the path.
    #[error("Directly does not allow this method here ({0})")]
    MethodNotAllowed(ApiError),
    /// 500: Directly failed; `error` may say why.
    #[error("Directly failed with an internal error ({0}); the request may have been acted on")]
    Internal(ApiError),
    /// 429 (not documented by Directly, but any gateway may send it).
    #[error("Directly rate limited the request{}; nothing was done", .retry_after.map(|d| format!(", retry in {} s", d.as_secs())).unwrap_or_default())]
    RateLimited {
        /// `Retry-After`, when sent.
        retry_after: Option<Duration>,
        /// The body as received.
        raw: String,
    },
    /// Another 4xx.
    #[error("Directly refused the request ({0})")]
    Rejected(ApiError),
    /// Another status (a 502 from a gateway, a 304 to a request that cannot get one...).
    #[error("Directly answered unexpectedly ({0})")]
    Unexpected(ApiError),
    /// No access token could be obtained; the request was not sent.
    #[error("{0}; the request was not sent")]
    Token(#[from] TokenError),
    /// The client was logged out and holds a ready-made token it cannot renew.
    #[error("the client was logged out and its token cannot be renewed; build a new client. Nothing was sent")]
    LoggedOut,
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
    /// Maps a non-success answer.
    pub(crate) fn from_status(status: u16, retry_after: Option<Duration>, raw: String) -> Self {
        let api = || ApiError::new(status, raw.clone());
        match status {
            400 => Self::BadRequest(api()),
            401 => Self::Unauthorized(api()),
            403 => Self::Forbidden(api()),
            404 => Self::NotFound(api()),
            405 => Self::MethodNotAllowed(api()),
            500 => Self::Internal(api()),
            429 => Self::RateLimited { retry_after, raw },
            400..=499 if status != 408 => Self::Rejected(api()),
            _ => Self::Unexpected(api()),
        }
    }

    /// Whether the request may have reached Directly and been acted on.
    pub fn delivery(&self) -> Delivery {
        match self {
            Self::Validation(_) | Self::Encode(_) | Self::InvalidConfig(_) | Self::Token(_) | Self::LoggedOut => {
                Delivery::NotSent
            }
            Self::BadRequest(_)
            | Self::Unauthorized(_)
            | Self::Forbidden(_)
            | Self::NotFound(_)
            | Self::MethodNotAllowed(_)
            | Self::RateLimited { .. }
            | Self::Rejected(_) => Delivery::Rejected,
            Self::Internal(_) => Delivery::MaybeDelivered,
            Self::Unexpected(e) => Delivery::of_unexpected_status(e.status),
            Self::Decode(_) => Delivery::MaybeDelivered,
            Self::Transport(e) => e.kind.delivery(),
        }
    }

    /// The HTTP status, when the API answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::RateLimited { .. } => Some(429),
            Self::Decode(e) => Some(e.status),
            other => other.api_error().map(|e| e.status),
        }
    }

    /// The API's refusal, when there is one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::BadRequest(e)
            | Self::Unauthorized(e)
            | Self::Forbidden(e)
            | Self::NotFound(e)
            | Self::MethodNotAllowed(e)
            | Self::Internal(e)
            | Self::Rejected(e)
            | Self::Unexpected(e) => Some(e),
            _ => None,
        }
    }

    /// `meta.correlationId` of the refusal, for Directly's support.
    pub fn correlation_id(&self) -> Option<&str> {
        self.api_error().and_then(|e| e.correlation_id.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENVELOPE: &str = r#"{"meta":{"correlationId":"c-1"},"error":{"message":"text is required","field":"text"}}"#;

    #[test]
    fn each_documented_status_is_its_own_variant() {
        let e = |s| Error::from_status(s, None, ENVELOPE.to_owned());
        assert!(matches!(e(400), Error::BadRequest(_)));
        assert!(matches!(e(401), Error::Unauthorized(_)));
        assert!(matches!(e(403), Error::Forbidden(_)));
        assert!(matches!(e(404), Error::NotFound(_)));
        assert!(matches!(e(405), Error::MethodNotAllowed(_)));
        assert!(matches!(e(500), Error::Internal(_)));
        assert!(matches!(e(429), Error::RateLimited { .. }));
        assert!(matches!(e(409), Error::Rejected(_)));
        assert!(matches!(e(502), Error::Unexpected(_)));
        assert!(matches!(e(304), Error::Unexpected(_)));
        assert_eq!(e(400).delivery(), Delivery::Rejected);
        assert_eq!(e(500).delivery(), Delivery::MaybeDelivered);
        assert_eq!(e(404).correlation_id(), Some("c-1"));
        assert_eq!(
            e(400).to_string(),
            "Directly refused the request as invalid (HTTP 400: text is required [correlation id c-1])"
        );
        let api = e(400).api_error().cloned().unwrap();
        assert_eq!(
            api.error,
            Some(serde_json::json!({"message":"text is required","field":"text"}))
        );
        assert_eq!(api.raw, ENVELOPE);
    }

    #[test]
    fn odd_bodies() {
        assert_eq!(ApiError::new(500, "oops".into()).to_string(), "HTTP 500: oops");
        assert_eq!(ApiError::new(404, String::new()).to_string(), "HTTP 404 (empty body)");
        assert_eq!(
            ApiError::new(400, r#"{"error":"bad"}"#.into()).message.as_deref(),
            Some("bad")
        );
        let long = "x".repeat(400);
        assert!(ApiError::new(400, long).to_string().ends_with("… (400 bytes)"));
    }
}
