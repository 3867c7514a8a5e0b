//! [`ChannelError`]: every way a channel operation fails, each saying whether the desk may have
//! acted ([`ChannelError::delivery`]).

use std::time::Duration;

use http::StatusCode;

use super::capability::Operation;
use super::events::InboundResponse;
use super::model::ConversationRef;
use crate::{Delivery, ValidationError};

/// The provider error behind a [`ChannelError::Provider`]; downcast it
/// ([`ChannelError::provider_error`]) to read the provider crate's own error.
pub type ProviderError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a channel operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChannelError {
    /// The provider has no such operation (see [`Channel::capabilities`](super::Channel::capabilities)).
    /// Nothing was sent.
    #[error("{provider} does not support {operation}; nothing was sent")]
    Unsupported {
        /// The provider key.
        provider: &'static str,
        /// What was asked.
        operation: Operation,
    },
    /// The provider has the operation but this channel was built without what it needs (a
    /// second API's credentials, a webhook secret); `needs` says what to configure. Nothing
    /// was sent.
    #[error("{provider}: {operation} needs {needs}; nothing was sent")]
    NotConfigured {
        /// The provider key.
        provider: &'static str,
        /// What was asked.
        operation: Operation,
        /// What to configure, e.g. "the Client API (`ChatlakeChannel::client_api`)".
        needs: &'static str,
    },
    /// The input cannot be sent to this provider (a missing field it requires, a reference of
    /// another provider). Nothing was sent.
    #[error("{provider}: {error}")]
    Invalid {
        /// The provider key.
        provider: &'static str,
        /// What is wrong.
        error: ValidationError,
    },
    /// The provider's client failed.
    #[error("{provider}: {source}")]
    Provider {
        /// The provider key.
        provider: &'static str,
        /// Whether the desk may have acted.
        delivery: Delivery,
        /// The HTTP status the desk answered, if it answered.
        status: Option<u16>,
        /// How long the desk asked to wait (`Retry-After`).
        retry_after: Option<Duration>,
        /// Whether the same operation may succeed later (the provider error's
        /// [`is_retryable`](crate::ProviderError::is_retryable)); [`Retrying`](super::Retrying)
        /// retries nothing else.
        retryable: bool,
        /// How many HTTP attempts the provider's client already made (its own retries).
        attempts: u32,
        /// The provider crate's error.
        source: ProviderError,
    },
    /// The conversation was opened but its first message failed: send it again into
    /// `conversation` with [`Channel::send`](super::Channel::send); do not start anew.
    #[error("{provider}: the conversation {} was opened but its first message failed: {source}", .conversation.id())]
    Incomplete {
        /// The provider key.
        provider: &'static str,
        /// The conversation that exists now.
        conversation: ConversationRef,
        /// Why the first message failed.
        source: Box<ChannelError>,
    },
    /// A webhook request was refused (bad signature, unreadable body); answer the desk with
    /// `response`.
    #[error("{provider}: refused a webhook request: {reason}")]
    Refused {
        /// The provider key.
        provider: &'static str,
        /// Why.
        reason: String,
        /// The answer for the desk (boxed: a header map is large).
        response: Box<InboundResponse>,
    },
}

impl ChannelError {
    /// Whether the desk may have acted on the failed operation.
    pub fn delivery(&self) -> Delivery {
        match self {
            Self::Unsupported { .. } | Self::NotConfigured { .. } | Self::Invalid { .. } | Self::Refused { .. } => {
                Delivery::NotSent
            }
            Self::Provider { delivery, .. } => *delivery,
            // The conversation exists: something happened.
            Self::Incomplete { .. } => Delivery::MaybeDelivered,
        }
    }

    /// The provider key.
    pub fn provider(&self) -> &'static str {
        match self {
            Self::Unsupported { provider, .. }
            | Self::NotConfigured { provider, .. }
            | Self::Invalid { provider, .. }
            | Self::Provider { provider, .. }
            | Self::Incomplete { provider, .. }
            | Self::Refused { provider, .. } => provider,
        }
    }

    /// The provider crate's error, when it is of type `E`.
    pub fn provider_error<E: std::error::Error + 'static>(&self) -> Option<&E> {
        match self {
            Self::Provider { source, .. } => source.downcast_ref(),
            Self::Incomplete { source, .. } => source.provider_error(),
            _ => None,
        }
    }

    /// A delivery a verifier refused, answered with the refusal's own status (see
    /// [`Refusal`](crate::verify::Refusal)) and an empty body; the reason is kept for your logs.
    pub fn refused(provider: &'static str, refusal: &dyn crate::verify::Refusal) -> Self {
        Self::Refused {
            provider,
            reason: refusal.to_string(),
            response: Box::new(refusal.inbound_response()),
        }
    }

    /// The answer to give the desk when this error came from [`Channel::receive`](super::Channel::receive):
    /// the refusal's own answer, 501 for an unsupported or unconfigured receive, else 500 (the desk retries).
    pub fn inbound_response(&self) -> InboundResponse {
        match self {
            Self::Refused { response, .. } => (**response).clone(),
            Self::Unsupported { .. } | Self::NotConfigured { .. } => {
                InboundResponse::text(StatusCode::NOT_IMPLEMENTED, "not implemented")
            }
            _ => InboundResponse::text(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
        }
    }

    /// A provider client's error, with what the contract says of it: delivery, status,
    /// `Retry-After`, retryability, attempts already made.
    pub fn from_provider<E: crate::ProviderError>(provider: &'static str, error: E) -> Self {
        Self::Provider {
            provider,
            delivery: error.delivery(),
            status: error.status(),
            retry_after: error.retry_after(),
            retryable: error.is_retryable(),
            attempts: error.attempts(),
            source: Box::new(error),
        }
    }

    /// Shorthand for [`ChannelError::Invalid`].
    pub fn invalid(provider: &'static str, error: ValidationError) -> Self {
        Self::Invalid { provider, error }
    }

    /// Shorthand for [`ChannelError::Unsupported`].
    pub fn unsupported(provider: &'static str, operation: Operation) -> Self {
        Self::Unsupported { provider, operation }
    }
}
