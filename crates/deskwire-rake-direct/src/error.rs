//! Errors of the Rake Direct client. Rake documents no error codes or bodies, so a refusal is
//! classified by its HTTP status alone and its body is kept (with the workspace secret masked,
//! should Rake echo the request).

use deskwire_core::{Delivery, TransportError, ValidationError};

/// Everything that can go wrong sending a Rake Direct request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Refused before sending.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// A 4xx answer: the request was refused (wrong secret, unknown session, bad body...).
    #[error("Rake Direct refused the request with HTTP {status}: {}", shown(.body))]
    Rejected {
        /// HTTP status.
        status: u16,
        /// The body, whole.
        body: String,
    },
    /// A 5xx or otherwise unexpected answer.
    #[error("Rake Direct answered HTTP {status}: {}", shown(.body))]
    UnexpectedResponse {
        /// HTTP status.
        status: u16,
        /// The body, whole.
        body: String,
    },
    /// A session was opened (2xx) but no session id was found in the answer at any of the
    /// configured places; the session probably exists.
    #[error("Rake Direct answered HTTP {status} without a session id where one was expected: {}", shown(.body))]
    NoSessionId {
        /// HTTP status.
        status: u16,
        /// The body, whole.
        body: String,
    },
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

fn shown(body: &str) -> String {
    const MAX: usize = 200;
    match body.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}… ({} bytes)", &body[..cut], body.len()),
        None if body.is_empty() => "(empty body)".into(),
        None => body.to_owned(),
    }
}

impl Error {
    /// Whether the request may have reached Rake (and the customer).
    pub fn delivery(&self) -> Delivery {
        match self {
            Self::Validation(_) | Self::Encode(_) | Self::InvalidConfig(_) => Delivery::NotSent,
            Self::Rejected { .. } => Delivery::Rejected,
            Self::UnexpectedResponse { status, .. } => Delivery::of_unexpected_status(*status),
            Self::NoSessionId { .. } => Delivery::MaybeDelivered,
            Self::Transport(e) => e.kind.delivery(),
        }
    }

    /// The HTTP status, when Rake answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Rejected { status, .. }
            | Self::UnexpectedResponse { status, .. }
            | Self::NoSessionId { status, .. } => Some(*status),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_follows_the_status() {
        let rejected = Error::Rejected {
            status: 401,
            body: "bad secret".into(),
        };
        assert_eq!(rejected.delivery(), Delivery::Rejected);
        assert_eq!(
            rejected.to_string(),
            "Rake Direct refused the request with HTTP 401: bad secret"
        );
        let down = Error::UnexpectedResponse {
            status: 503,
            body: String::new(),
        };
        assert_eq!(down.to_string(), "Rake Direct answered HTTP 503: (empty body)");
        assert_eq!(
            Error::NoSessionId {
                status: 200,
                body: "ok".into()
            }
            .delivery(),
            Delivery::MaybeDelivered
        );
        let long = Error::Rejected {
            status: 400,
            body: "x".repeat(500),
        };
        assert!(long.to_string().ends_with("… (500 bytes)"));
    }
}
