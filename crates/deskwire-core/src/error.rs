//! The error vocabulary provider crates build their own error types from.
//!
//! Every provider error answers one question first: **may the request have reached the
//! provider?** ([`Delivery`]). A caller that gets `NotSent` or `Rejected` can fix and resend
//! without risking a duplicate; `MaybeDelivered` means "look before you resend".

use std::time::Duration;

/// Whether a failed request may have been acted on by the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Delivery {
    /// No byte left this machine (validation failed, a client-side limit refused it, or the
    /// connection could not be opened). Safe to fix and resend.
    NotSent,
    /// The provider answered and refused the request; it did not act on it.
    Rejected,
    /// The request left this machine but its fate is unknown (timeout, connection lost,
    /// an unexpected answer). Resend only if the provider de-duplicates it.
    MaybeDelivered,
}

impl Delivery {
    /// For an HTTP answer the client did not expect: a 4xx (but 408 Request Timeout) means the
    /// provider refused the request; anything else (a 2xx with an odd body, a 5xx from a proxy
    /// or the provider) leaves its fate unknown.
    pub fn of_unexpected_status(status: u16) -> Self {
        if (400..500).contains(&status) && status != 408 {
            Self::Rejected
        } else {
            Self::MaybeDelivered
        }
    }

    /// A short phrase for error messages: "nothing was sent", "the provider refused it", ...
    pub fn describe(self) -> &'static str {
        match self {
            Self::NotSent => "nothing was sent",
            Self::Rejected => "the provider refused it",
            Self::MaybeDelivered => "the request may have been delivered",
        }
    }
}

/// What is wrong with an input that was refused before sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidationProblem {
    /// A required field is absent.
    Missing,
    /// The field is present but empty.
    Empty,
    /// Too many characters.
    TooLong {
        /// Documented maximum, in characters.
        max: usize,
        /// Characters found.
        actual: usize,
    },
    /// Too many items.
    TooMany {
        /// Documented maximum number of items.
        max: usize,
        /// Items found.
        actual: usize,
    },
    /// The encoded request is larger than the provider accepts.
    TooLarge {
        /// Documented maximum, in bytes.
        max_bytes: usize,
        /// Size of the encoded request, in bytes.
        actual_bytes: usize,
    },
    /// The value is not acceptable; the text says why.
    Invalid(String),
}

/// An input refused before anything was sent. [`Delivery::NotSent`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid `{field}`: {}; nothing was sent", describe(.problem))]
pub struct ValidationError {
    /// Path of the offending field, e.g. `params.structured_content.items[2].title`.
    pub field: String,
    /// What is wrong with it.
    pub problem: ValidationProblem,
}

impl ValidationError {
    /// A validation error for `field`.
    pub fn new(field: impl Into<String>, problem: ValidationProblem) -> Self {
        Self {
            field: field.into(),
            problem,
        }
    }
}

fn describe(problem: &ValidationProblem) -> String {
    match problem {
        ValidationProblem::Missing => "required but missing".into(),
        ValidationProblem::Empty => "must not be empty".into(),
        ValidationProblem::TooLong { max, actual } => {
            format!("{actual} characters, at most {max} allowed")
        }
        ValidationProblem::TooMany { max, actual } => {
            format!("{actual} items, at most {max} allowed")
        }
        ValidationProblem::TooLarge {
            max_bytes,
            actual_bytes,
        } => {
            format!("request is {actual_bytes} bytes, at most {max_bytes} bytes allowed")
        }
        ValidationProblem::Invalid(why) => why.clone(),
    }
}

/// How a transport failure happened, which decides [`Delivery`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be opened (DNS, refused, TLS handshake): nothing was sent.
    Connect,
    /// The request was built wrong locally (bad URL, header): nothing was sent.
    Build,
    /// No answer in time: the provider may have acted on it.
    Timeout,
    /// The connection broke while sending or receiving: the provider may have acted on it.
    Interrupted,
}

impl TransportErrorKind {
    /// Whether the request may have reached the provider.
    pub fn delivery(self) -> Delivery {
        match self {
            Self::Connect | Self::Build => Delivery::NotSent,
            Self::Timeout | Self::Interrupted => Delivery::MaybeDelivered,
        }
    }
}

/// The request failed below HTTP. The message never contains the request URL (it may carry
/// credentials in some APIs' query strings).
#[derive(Debug, thiserror::Error)]
#[error("{} ({message}); {}", kind_text(.kind), .kind.delivery().describe())]
pub struct TransportError {
    /// What kind of failure.
    pub kind: TransportErrorKind,
    /// The underlying error's text, URL removed.
    pub message: String,
    /// How many attempts the client made, this one included.
    pub attempts: u32,
}

impl TransportError {
    /// A failure of one attempt.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            attempts: 1,
        }
    }
}

fn kind_text(kind: &TransportErrorKind) -> &'static str {
    match kind {
        TransportErrorKind::Connect => "could not connect to the provider",
        TransportErrorKind::Build => "could not build the HTTP request",
        TransportErrorKind::Timeout => "the provider did not answer in time",
        TransportErrorKind::Interrupted => "the connection to the provider broke",
    }
}

/// A 2xx answer whose body could not be decoded. The provider probably acted on the request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not decode the provider's {status} answer: {reason}; the request may have been delivered")]
pub struct DecodeError {
    /// HTTP status of the answer.
    pub status: u16,
    /// Why decoding failed.
    pub reason: String,
    /// The body exactly as received (lossy UTF-8).
    pub raw_body: String,
}

/// The provider (or a client-side limiter) asked to slow down. The request was not acted on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rate limited{}; nothing was delivered", .retry_after.map(|d| format!(", retry in {} ms", d.as_millis())).unwrap_or_default())]
pub struct RateLimited {
    /// How long to wait before trying again, when known.
    pub retry_after: Option<Duration>,
    /// The provider's answer, empty when the limit was applied client-side.
    pub raw_body: String,
}

/// A request could not be encoded (a custom `Serialize` failed); nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not encode the request: {0}; nothing was sent")]
pub struct EncodeError(pub String);

/// A provider's answer to a request it did not accept: the status, `Retry-After`, the raw body
/// and the provider's reading of it (`detail`), and how many attempts the client made.
///
/// Every provider error's `Rejected`, `RateLimited` and `Server` variants carry one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError<D = ()> {
    /// HTTP status.
    pub status: u16,
    /// `Retry-After`, when the provider sent one.
    pub retry_after: Option<Duration>,
    /// The body exactly as received (lossy UTF-8).
    pub body: String,
    /// The provider's reading of the body (its error shape, a documented row).
    pub detail: D,
    /// How many attempts the client made, this one included.
    pub attempts: u32,
}

impl<D> ApiError<D> {
    /// An answer read by the engine.
    #[cfg(feature = "client")]
    pub fn from_answer(answer: &crate::engine::RawAnswer, detail: D, attempts: u32) -> Self {
        Self {
            status: answer.status,
            retry_after: answer.retry_after,
            body: answer.text(),
            detail,
            attempts,
        }
    }
}

impl<D> std::fmt::Display for ApiError<D> {
    /// `HTTP <status>: <body>`, the body cut at 300 characters.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const MAX: usize = 300;
        let body = self.body.trim();
        match body.char_indices().nth(MAX) {
            Some((cut, _)) => write!(f, "HTTP {}: {}… ({} bytes)", self.status, &body[..cut], body.len()),
            None if body.is_empty() => write!(f, "HTTP {} (empty body)", self.status),
            None => write!(f, "HTTP {}: {body}", self.status),
        }
    }
}

/// Which of the common variants an unaccepted answer belongs to: the one rule every provider
/// crate classifies statuses by before its own refinements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusClass {
    /// 429: refused unprocessed, come back later.
    RateLimited,
    /// Another 4xx (408 excepted): refused; sending it again unchanged will not help.
    Rejected,
    /// 5xx, 408 or anything else unexpected: the provider may have acted on it.
    Server,
}

impl StatusClass {
    /// The class of a non-success status.
    pub fn of(status: u16) -> Self {
        match status {
            429 => Self::RateLimited,
            400..=499 if status != 408 => Self::Rejected,
            _ => Self::Server,
        }
    }
}

/// The contract every provider error keeps, so callers and wrappers (`Retrying`, the
/// channel layer) read them all the same way.
pub trait ProviderError: std::error::Error + Send + Sync + 'static {
    /// Whether the request may have reached the provider and been acted on.
    fn delivery(&self) -> Delivery;

    /// The HTTP status, when the provider answered.
    fn status(&self) -> Option<u16> {
        None
    }

    /// How long the provider asked to wait, when it said.
    fn retry_after(&self) -> Option<Duration> {
        None
    }

    /// Whether the same request may succeed later: a transport failure, a rate limit, a server
    /// failure, a client-side throttle. Refusals, validation, configuration, encoding and
    /// credential failures are permanent.
    fn is_retryable(&self) -> bool;

    /// How many attempts the client already made (its own retries included); 0 when nothing
    /// was sent.
    fn attempts(&self) -> u32 {
        0
    }

    /// The provider's answer body, when there was one.
    fn raw_body(&self) -> Option<&str> {
        None
    }
}

impl TransportError {
    /// Whether trying again may help: always, for a failure below HTTP.
    pub fn is_retryable(&self) -> bool {
        !matches!(self.kind, TransportErrorKind::Build)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_message_names_field_and_limit() {
        let e = ValidationError::new(
            "params.body",
            ValidationProblem::TooLong {
                max: 20_000,
                actual: 20_001,
            },
        );
        assert_eq!(
            e.to_string(),
            "invalid `params.body`: 20001 characters, at most 20000 allowed; nothing was sent"
        );
    }

    #[test]
    fn transport_message_says_delivery() {
        let e = TransportError {
            attempts: 1,
            kind: TransportErrorKind::Timeout,
            message: "operation timed out".into(),
        };
        assert_eq!(
            e.to_string(),
            "the provider did not answer in time (operation timed out); the request may have been delivered"
        );
        assert_eq!(TransportErrorKind::Connect.delivery(), Delivery::NotSent);
    }

    #[test]
    fn unexpected_statuses() {
        assert_eq!(Delivery::of_unexpected_status(404), Delivery::Rejected);
        assert_eq!(Delivery::of_unexpected_status(408), Delivery::MaybeDelivered);
        assert_eq!(Delivery::of_unexpected_status(200), Delivery::MaybeDelivered);
        assert_eq!(Delivery::of_unexpected_status(502), Delivery::MaybeDelivered);
    }

    #[test]
    fn rate_limited_message() {
        let e = RateLimited {
            retry_after: Some(Duration::from_millis(1500)),
            raw_body: String::new(),
        };
        assert_eq!(e.to_string(), "rate limited, retry in 1500 ms; nothing was delivered");
    }
}
