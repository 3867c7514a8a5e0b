//! Errors of the Rake Direct client: the core [`ClientError`] shape
//! (`Validation`, `Rejected`, `RateLimited`, `Server`, `Transport`, ...), with one failure of
//! Rake's own ([`RakeFailure::NoSessionId`]). Rake documents no error codes or bodies, so a
//! refusal is classified by its HTTP status alone and its body is kept — with the workspace
//! secret masked, should Rake echo the request.

use deskwire_core::{ApiError, ClientError, Delivery, ProviderError, ProviderKind};

/// Rake Direct as a [`ProviderKind`].
#[derive(Debug)]
pub struct RakeDirect;

impl ProviderKind for RakeDirect {
    const NAME: &'static str = "Rake Direct";
    const KEY: &'static str = "rake-direct";
    /// Rake's error bodies are undocumented: the raw body is all there is.
    type Detail = ();
    type Specific = RakeFailure;
}

/// Everything that can go wrong sending a Rake Direct request.
pub type Error = ClientError<RakeDirect>;

/// Rake Direct's own failures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RakeFailure {
    /// A session was opened (2xx) but no session id was found in the answer at any of the
    /// configured places; the session probably exists.
    #[error("Rake Direct answered {0} without a session id where one was expected; the session probably exists")]
    NoSessionId(ApiError),
}

impl ProviderError for RakeFailure {
    fn delivery(&self) -> Delivery {
        Delivery::MaybeDelivered
    }

    fn status(&self) -> Option<u16> {
        match self {
            Self::NoSessionId(e) => Some(e.status),
        }
    }

    fn is_retryable(&self) -> bool {
        false
    }

    fn attempts(&self) -> u32 {
        match self {
            Self::NoSessionId(e) => e.attempts,
        }
    }

    fn raw_body(&self) -> Option<&str> {
        match self {
            Self::NoSessionId(e) => Some(&e.body),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, body: &str) -> ApiError {
        ApiError {
            status,
            retry_after: None,
            body: body.into(),
            detail: (),
            attempts: 1,
        }
    }

    #[test]
    fn delivery_follows_the_status() {
        let rejected = Error::from_api(api(401, "bad secret"));
        assert!(matches!(rejected, Error::Rejected(_)));
        assert_eq!(rejected.delivery(), Delivery::Rejected);
        assert_eq!(
            rejected.to_string(),
            "Rake Direct refused the request (HTTP 401: bad secret)"
        );
        let down = Error::from_api(api(503, ""));
        assert_eq!(
            down.to_string(),
            "Rake Direct failed (HTTP 503 (empty body)); the request may have been delivered"
        );
        let no_session = Error::Provider(RakeFailure::NoSessionId(api(200, "ok")));
        assert_eq!(no_session.delivery(), Delivery::MaybeDelivered);
        assert!(!no_session.is_retryable());
        let long = Error::from_api(api(400, &"x".repeat(500)));
        assert!(long.to_string().ends_with("… (500 bytes))"), "{long}");
    }
}
