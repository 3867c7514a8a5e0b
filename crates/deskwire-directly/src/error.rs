//! Errors of the Directly client: the core [`ClientError`] shape. Every refusal (the documented
//! 400, 401, 403, 404, 405 and 500 among them) carries an [`ApiError`] whose detail
//! ([`ErrorDetail`]) is the envelope's `error.message`, raw `error` value and
//! `meta.correlationId` (what Directly's support asks for); the raw body is kept. Token failures
//! are [`DirectlyFailure`]s: the API request itself was not sent.

use deskwire_core::{ApiError, ClientError, Delivery, ProviderError, ProviderKind, StatusClass, TransportError};
use serde_json::Value;

/// What an error body says, read from the `{meta, data, error}` envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorDetail {
    /// `error.message` (or `error` itself when it is a string).
    pub message: Option<String>,
    /// The `error` value as sent (Directly's client passes it on as the "detail").
    pub error: Option<Value>,
    /// `meta.correlationId`.
    pub correlation_id: Option<String>,
}

impl ErrorDetail {
    /// Reads an error body in the envelope's shape, or any other body.
    pub fn parse(raw: &str) -> Self {
        let value = serde_json::from_str::<Value>(raw).ok();
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
            message,
            error,
            correlation_id,
        }
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

/// Directly as a [`ProviderKind`].
#[derive(Debug)]
pub struct Directly;

impl ProviderKind for Directly {
    const NAME: &'static str = "Directly";
    const KEY: &'static str = "directly";
    /// `error.message`, the raw `error` value and `meta.correlationId` of the envelope.
    type Detail = ErrorDetail;
    type Specific = DirectlyFailure;

    fn hint(_: StatusClass, error: &ApiError<ErrorDetail>) -> Option<String> {
        let mut hint = String::new();
        if error.status == 401 {
            hint.push_str("the access token was refused, even after one renewal");
        }
        if let Some(id) = &error.detail.correlation_id {
            if !hint.is_empty() {
                hint.push_str("; ");
            }
            hint.push_str(&format!("correlation id {id} (quote it to Directly's support)"));
        }
        (!hint.is_empty()).then_some(hint)
    }
}

/// Everything that can go wrong calling Directly: the core [`ClientError`] shape. A refusal's
/// [`ApiError::detail`] holds the envelope's message and `meta.correlationId`.
pub type Error = ClientError<Directly>;

/// Directly's own failures: the token life cycle. The API request itself was not sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DirectlyFailure {
    /// No token could be had; the API request was not sent.
    #[error("{0}; the request was not sent")]
    Token(#[from] TokenError),
    /// [`DirectlyClient::logout`](crate::DirectlyClient::logout) was called on a client holding a
    /// ready-made token, which cannot be renewed.
    #[error("the client was logged out and its token cannot be renewed; build a new client. Nothing was sent")]
    LoggedOut,
}

impl ProviderError for DirectlyFailure {
    fn delivery(&self) -> Delivery {
        Delivery::NotSent
    }

    fn status(&self) -> Option<u16> {
        match self {
            Self::Token(TokenError::Refused { status, .. } | TokenError::Malformed { status, .. }) => Some(*status),
            _ => None,
        }
    }

    /// Only a token endpoint that could not be reached may work later; refused or malformed
    /// tokens and a logged-out client stay so.
    fn is_retryable(&self) -> bool {
        matches!(self, Self::Token(TokenError::Transport(e)) if e.is_retryable())
    }
}

impl From<TokenError> for Error {
    fn from(e: TokenError) -> Self {
        Self::Provider(DirectlyFailure::Token(e))
    }
}

/// The envelope's `meta.correlationId` of a refusal, for Directly's support.
pub fn correlation_id(error: &Error) -> Option<&str> {
    error.api_error().and_then(|e| e.detail.correlation_id.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENVELOPE: &str = r#"{"meta":{"correlationId":"c-1"},"error":{"message":"text is required","field":"text"}}"#;

    fn e(status: u16) -> Error {
        Error::from_api(ApiError {
            status,
            retry_after: None,
            body: ENVELOPE.into(),
            detail: ErrorDetail::parse(ENVELOPE),
            attempts: 1,
        })
    }

    #[test]
    fn each_status_reads_the_envelope() {
        for s in [400, 401, 403, 404, 405, 409] {
            assert!(matches!(e(s), Error::Rejected(_)), "{s}");
        }
        assert!(matches!(e(429), Error::RateLimited(_)));
        for s in [500, 502, 304] {
            assert!(matches!(e(s), Error::Server(_)), "{s}");
        }
        assert_eq!(e(400).delivery(), Delivery::Rejected);
        assert_eq!(e(500).delivery(), Delivery::MaybeDelivered);
        assert_eq!(correlation_id(&e(404)), Some("c-1"));
        assert_eq!(
            e(400).to_string(),
            format!("Directly refused the request (HTTP 400: {ENVELOPE}): correlation id c-1 (quote it to Directly's support)")
        );
        let api = e(400).api_error().cloned().unwrap();
        assert_eq!(
            api.detail.error,
            Some(serde_json::json!({"message":"text is required","field":"text"}))
        );
        assert_eq!(api.detail.message.as_deref(), Some("text is required"));
        assert_eq!(api.body, ENVELOPE);
    }

    #[test]
    fn odd_bodies() {
        assert_eq!(ErrorDetail::parse("oops").message, None);
        assert_eq!(ErrorDetail::parse(r#"{"error":"bad"}"#).message.as_deref(), Some("bad"));
        assert_eq!(ErrorDetail::parse(r#"{"message":"m"}"#).message.as_deref(), Some("m"));
        assert_eq!(
            ErrorDetail::parse(r#"{"meta":{"correlationId":7}}"#)
                .correlation_id
                .as_deref(),
            Some("7")
        );
    }
}
