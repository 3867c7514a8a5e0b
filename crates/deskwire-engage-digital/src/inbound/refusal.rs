//! The typed reasons a request is refused before it reaches your [`Source`](super::Source).
//! Requests and answers are core's framework-neutral [`deskwire_core::InboundRequest`] and
//! [`deskwire_core::InboundResponse`].

use deskwire_core::mac::SignatureError;
use deskwire_core::verify::Refusal;
use http::{Method, StatusCode};

/// Why a request was refused before your source saw it. The answer uses Engage Digital's own
/// error texts where one fits ([`RequestError::answer_text`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// Not a `POST`.
    #[error("method {0} is not allowed; Engage Digital sends POST")]
    MethodNotAllowed(Method),
    /// The body is larger than the endpoint's limit (20 MiB unless configured).
    #[error("request body exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// The configured limit.
        limit: usize,
    },
    /// The body could not be read (the connection broke).
    #[error("request body could not be read: {0}")]
    BodyUnreadable(String),
    /// Neither the header nor the `signature` query parameter is present.
    #[error("missing signature: no X-SMCCSDK-SIGNATURE header or signature query parameter")]
    MissingSignature,
    /// The signature does not verify over the body.
    #[error("invalid signature: {0}")]
    InvalidSignature(SignatureError),
    /// The body is not JSON.
    #[error("request body is not JSON: {0}")]
    MalformedJson(String),
    /// The body is JSON but not `{action, params, time}`.
    #[error("invalid request format: {0}")]
    InvalidFormat(&'static str),
    /// An action this endpoint does not know (unknown object or malformed name).
    #[error("unknown action `{0}`")]
    UnknownAction(String),
    /// A known action with unusable `params`.
    #[error("invalid params for `{action}`: {problem}")]
    InvalidParams {
        /// The action.
        action: String,
        /// What is wrong.
        problem: String,
    },
}

/// The statuses of Engage Digital's reference endpoint (the official SDKs): a missing or wrong
/// signature is 422, not 401. The answer to send is [`Endpoint::refuse`](super::Endpoint::refuse)'s,
/// which is the same status signed with the channel's token.
impl Refusal for RequestError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BodyUnreadable(_) | Self::MalformedJson(_) | Self::InvalidFormat(_) => StatusCode::BAD_REQUEST,
            Self::MissingSignature
            | Self::InvalidSignature(_)
            | Self::UnknownAction(_)
            | Self::InvalidParams { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

impl RequestError {
    /// The short plain-text answer. It never echoes the request, so nothing Engage Digital or an
    /// attacker sent is reflected.
    pub fn answer_text(&self) -> &'static str {
        match self {
            Self::MethodNotAllowed(_) => "Method not allowed",
            Self::BodyTooLarge { .. } => "Invalid request size",
            Self::BodyUnreadable(_) | Self::MalformedJson(_) => "Bad request",
            Self::InvalidFormat(_) => "Invalid request format",
            Self::MissingSignature => "Missing signature",
            Self::InvalidSignature(_) => "Invalid signature",
            Self::UnknownAction(_) => "Invalid action",
            Self::InvalidParams { .. } => "Invalid resource format",
        }
    }
}
