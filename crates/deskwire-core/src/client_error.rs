//! [`ClientError`]: the one error shape of every provider client. Each provider crate names it
//! `Error` (`pub type Error = ClientError<Chatlake>`), so the same variant means the same thing
//! everywhere:
//!
//! | variant | what happened | delivery | retryable |
//! |-|-|-|-|
//! | `Validation` | refused before sending | not sent | no |
//! | `Encode` | the request could not be encoded | not sent | no |
//! | `InvalidConfig` | the client is configured wrongly | not sent | no |
//! | `Rejected` | a 4xx refusal (408 and 429 excepted) | rejected | no |
//! | `RateLimited` | 429, with `Retry-After` when sent | rejected | yes |
//! | `Server` | 5xx, 408 or another unexpected status | maybe delivered (5xx) | yes |
//! | `Transport` | no complete answer | by kind | yes (but a build failure) |
//! | `Decode` | a success answer of the wrong shape | maybe delivered | no |
//! | `Provider` | the provider's own failures ([`ProviderKind::Specific`]) | theirs | theirs |
//!
//! The refusal variants carry an [`ApiError`] with the raw body and the provider's reading of
//! it ([`ProviderKind::Detail`]); every error implements [`ProviderError`].

use std::fmt;
use std::time::Duration;

use crate::error::{
    ApiError, DecodeError, Delivery, EncodeError, ProviderError, StatusClass, TransportError, ValidationError,
};

/// What a provider crate plugs into [`ClientError`].
pub trait ProviderKind: fmt::Debug + Send + Sync + 'static {
    /// The provider's name in messages (`Chatlake`).
    const NAME: &'static str;
    /// The provider key (`chatlake`: the crate name without `deskwire-`), as channels report it.
    const KEY: &'static str;
    /// The provider's reading of an error body (its error shapes, a documented row).
    type Detail: fmt::Debug + Clone + PartialEq + Send + Sync + 'static;
    /// The provider's own failures (a client-side limit, a token life cycle, ...).
    type Specific: ProviderError;

    /// Advice appended to a refusal's message (what to check, what the documented row means).
    fn hint(class: StatusClass, error: &ApiError<Self::Detail>) -> Option<String> {
        let _ = (class, error);
        None
    }
}

/// Everything that can go wrong calling a provider; see the module docs for each variant.
#[non_exhaustive]
pub enum ClientError<K: ProviderKind> {
    /// Refused before sending: nothing was sent.
    Validation(ValidationError),
    /// The request could not be encoded: nothing was sent.
    Encode(EncodeError),
    /// The client is configured wrongly: nothing was sent.
    InvalidConfig(String),
    /// A 4xx refusal (not 408 or 429): sending it again unchanged will not help.
    Rejected(Box<ApiError<K::Detail>>),
    /// 429: refused unprocessed; `retry_after` says when to come back, when the provider said.
    RateLimited(Box<ApiError<K::Detail>>),
    /// 5xx, 408 or another unexpected status: the provider may have acted on the request.
    Server(Box<ApiError<K::Detail>>),
    /// The request did not complete.
    Transport(TransportError),
    /// A success answer that does not have the expected shape (raw body kept).
    Decode(DecodeError),
    /// The provider's own failures.
    Provider(K::Specific),
}

impl<K: ProviderKind> ClientError<K> {
    /// The variant for a non-success answer, by [`StatusClass`].
    pub fn from_api(error: ApiError<K::Detail>) -> Self {
        let error = Box::new(error);
        match StatusClass::of(error.status) {
            StatusClass::RateLimited => Self::RateLimited(error),
            StatusClass::Rejected => Self::Rejected(error),
            StatusClass::Server => Self::Server(error),
        }
    }

    /// The provider's answer, for `Rejected`, `RateLimited` and `Server`.
    pub fn api_error(&self) -> Option<&ApiError<K::Detail>> {
        match self {
            Self::Rejected(e) | Self::RateLimited(e) | Self::Server(e) => Some(e.as_ref()),
            _ => None,
        }
    }

    /// The provider's own failure, if this is one.
    pub fn specific(&self) -> Option<&K::Specific> {
        match self {
            Self::Provider(e) => Some(e),
            _ => None,
        }
    }
}

impl<K: ProviderKind> ProviderError for ClientError<K> {
    fn delivery(&self) -> Delivery {
        match self {
            Self::Validation(_) | Self::Encode(_) | Self::InvalidConfig(_) => Delivery::NotSent,
            Self::Rejected(_) | Self::RateLimited(_) => Delivery::Rejected,
            Self::Server(e) => Delivery::of_unexpected_status(e.status),
            Self::Transport(e) => e.kind.delivery(),
            Self::Decode(_) => Delivery::MaybeDelivered,
            Self::Provider(e) => e.delivery(),
        }
    }

    fn status(&self) -> Option<u16> {
        match self {
            Self::Rejected(e) | Self::RateLimited(e) | Self::Server(e) => Some(e.status),
            Self::Decode(e) => Some(e.status),
            Self::Provider(e) => e.status(),
            _ => None,
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Rejected(e) | Self::RateLimited(e) | Self::Server(e) => e.retry_after,
            Self::Provider(e) => e.retry_after(),
            _ => None,
        }
    }

    fn is_retryable(&self) -> bool {
        match self {
            Self::RateLimited(_) | Self::Server(_) => true,
            Self::Transport(e) => e.is_retryable(),
            Self::Provider(e) => e.is_retryable(),
            Self::Validation(_) | Self::Encode(_) | Self::InvalidConfig(_) | Self::Rejected(_) | Self::Decode(_) => {
                false
            }
        }
    }

    fn attempts(&self) -> u32 {
        match self {
            Self::Rejected(e) | Self::RateLimited(e) | Self::Server(e) => e.attempts,
            Self::Transport(e) => e.attempts,
            Self::Decode(_) => 1,
            Self::Provider(e) => e.attempts(),
            Self::Validation(_) | Self::Encode(_) | Self::InvalidConfig(_) => 0,
        }
    }

    fn raw_body(&self) -> Option<&str> {
        match self {
            Self::Rejected(e) | Self::RateLimited(e) | Self::Server(e) => Some(&e.body),
            Self::Decode(e) => Some(&e.raw_body),
            Self::Provider(e) => e.raw_body(),
            _ => None,
        }
    }
}

impl<K: ProviderKind> ClientError<K> {
    /// Whether the request may have reached the provider ([`ProviderError::delivery`]).
    pub fn delivery(&self) -> Delivery {
        ProviderError::delivery(self)
    }

    /// The HTTP status, when the provider answered ([`ProviderError::status`]).
    pub fn status(&self) -> Option<u16> {
        ProviderError::status(self)
    }

    /// How long the provider asked to wait ([`ProviderError::retry_after`]).
    pub fn retry_after(&self) -> Option<Duration> {
        ProviderError::retry_after(self)
    }

    /// Whether the same request may succeed later ([`ProviderError::is_retryable`]).
    pub fn is_retryable(&self) -> bool {
        ProviderError::is_retryable(self)
    }

    /// The raw answer body, when there was one ([`ProviderError::raw_body`]).
    pub fn raw_body(&self) -> Option<&str> {
        ProviderError::raw_body(self)
    }
}

impl<K: ProviderKind> fmt::Display for ClientError<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = K::NAME;
        let refused = |f: &mut fmt::Formatter<'_>, class: StatusClass, what: &str, e: &ApiError<K::Detail>| {
            write!(f, "{name} {what} ({e})")?;
            if let Some(hint) = K::hint(class, e) {
                write!(f, ": {hint}")?;
            }
            Ok(())
        };
        match self {
            Self::Validation(e) => e.fmt(f),
            Self::Encode(e) => e.fmt(f),
            Self::InvalidConfig(why) => write!(f, "invalid {name} client configuration: {why}; nothing was sent"),
            Self::Rejected(e) => refused(f, StatusClass::Rejected, "refused the request", e),
            Self::RateLimited(e) => {
                refused(f, StatusClass::RateLimited, "rate limited the request", e)?;
                match e.retry_after {
                    Some(d) => write!(f, "; nothing was done, retry in {} s", d.as_secs()),
                    None => write!(f, "; nothing was done"),
                }
            }
            Self::Server(e) => {
                refused(f, StatusClass::Server, "failed", e)?;
                write!(f, "; {}", Delivery::of_unexpected_status(e.status).describe())
            }
            Self::Transport(e) => e.fmt(f),
            Self::Decode(e) => e.fmt(f),
            Self::Provider(e) => e.fmt(f),
        }
    }
}

impl<K: ProviderKind> fmt::Debug for ClientError<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Validation(e) => f.debug_tuple("Validation").field(e).finish(),
            Self::Encode(e) => f.debug_tuple("Encode").field(e).finish(),
            Self::InvalidConfig(e) => f.debug_tuple("InvalidConfig").field(e).finish(),
            Self::Rejected(e) => f.debug_tuple("Rejected").field(e).finish(),
            Self::RateLimited(e) => f.debug_tuple("RateLimited").field(e).finish(),
            Self::Server(e) => f.debug_tuple("Server").field(e).finish(),
            Self::Transport(e) => f.debug_tuple("Transport").field(e).finish(),
            Self::Decode(e) => f.debug_tuple("Decode").field(e).finish(),
            Self::Provider(e) => f.debug_tuple("Provider").field(e).finish(),
        }
    }
}

impl<K: ProviderKind> std::error::Error for ClientError<K> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Validation(e) => Some(e),
            Self::Encode(e) => Some(e),
            Self::Transport(e) => Some(e),
            Self::Decode(e) => Some(e),
            Self::Provider(e) => e.source(),
            _ => None,
        }
    }
}

impl<K: ProviderKind> From<ValidationError> for ClientError<K> {
    fn from(e: ValidationError) -> Self {
        Self::Validation(e)
    }
}

impl<K: ProviderKind> From<EncodeError> for ClientError<K> {
    fn from(e: EncodeError) -> Self {
        Self::Encode(e)
    }
}

impl<K: ProviderKind> From<TransportError> for ClientError<K> {
    fn from(e: TransportError) -> Self {
        Self::Transport(e)
    }
}

impl<K: ProviderKind> From<DecodeError> for ClientError<K> {
    fn from(e: DecodeError) -> Self {
        Self::Decode(e)
    }
}

/// A provider with no failures of its own.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no such failure")]
pub enum NoSpecific {}

impl ProviderError for NoSpecific {
    fn delivery(&self) -> Delivery {
        match *self {}
    }
    fn is_retryable(&self) -> bool {
        match *self {}
    }
}

#[cfg(feature = "channel")]
impl<K: ProviderKind> From<ClientError<K>> for crate::channel::ChannelError {
    /// A validation failure stays [`Invalid`](crate::channel::ChannelError::Invalid); anything
    /// else is a [`Provider`](crate::channel::ChannelError::Provider) failure with what the
    /// error contract says of it.
    fn from(error: ClientError<K>) -> Self {
        match error {
            ClientError::Validation(e) => Self::invalid(K::KEY, e),
            other => Self::from_provider(K::KEY, other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Desk;
    impl ProviderKind for Desk {
        const NAME: &'static str = "Desk";
        const KEY: &'static str = "desk";
        type Detail = ();
        type Specific = NoSpecific;
        fn hint(class: StatusClass, error: &ApiError<()>) -> Option<String> {
            (class == StatusClass::Rejected && error.status == 401).then(|| "check the token".to_owned())
        }
    }

    fn api(status: u16) -> ApiError<()> {
        ApiError {
            status,
            retry_after: (status == 429).then(|| Duration::from_secs(3)),
            body: "{\"error\":\"x\"}".into(),
            detail: (),
            attempts: 2,
        }
    }

    #[test]
    fn one_rule_for_every_provider() {
        type E = ClientError<Desk>;
        let cases: [(u16, &str, Delivery, bool); 6] = [
            (400, "Rejected", Delivery::Rejected, false),
            (401, "Rejected", Delivery::Rejected, false),
            (408, "Server", Delivery::MaybeDelivered, true),
            (429, "RateLimited", Delivery::Rejected, true),
            (500, "Server", Delivery::MaybeDelivered, true),
            (302, "Server", Delivery::MaybeDelivered, true),
        ];
        for (status, variant, delivery, retryable) in cases {
            let e = E::from_api(api(status));
            assert!(format!("{e:?}").starts_with(variant), "{status}: {e:?}");
            assert_eq!(e.delivery(), delivery, "{status}");
            assert_eq!(e.is_retryable(), retryable, "{status}");
            assert_eq!(e.status(), Some(status));
            assert_eq!(ProviderError::attempts(&e), 2);
            assert_eq!(e.raw_body(), Some("{\"error\":\"x\"}"));
        }
        assert_eq!(
            E::from_api(api(401)).to_string(),
            "Desk refused the request (HTTP 401: {\"error\":\"x\"}): check the token"
        );
        assert_eq!(
            E::from_api(api(429)).to_string(),
            "Desk rate limited the request (HTTP 429: {\"error\":\"x\"}); nothing was done, retry in 3 s"
        );
        assert_eq!(E::from_api(api(429)).retry_after(), Some(Duration::from_secs(3)));
        assert_eq!(
            E::from_api(api(503)).to_string(),
            "Desk failed (HTTP 503: {\"error\":\"x\"}); the request may have been delivered"
        );
        let config = E::InvalidConfig("no token".into());
        assert_eq!(config.delivery(), Delivery::NotSent);
        assert!(!config.is_retryable());
        assert_eq!(ProviderError::attempts(&config), 0);
    }
}
