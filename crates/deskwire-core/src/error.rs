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
