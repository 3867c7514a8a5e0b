//! The framework-neutral request and response of the endpoint, and the typed reasons a request
//! is refused before it reaches your [`Source`](super::Source).

use bytes::Bytes;
use deskwire_core::mac::SignatureError;
use http::{HeaderMap, HeaderValue, Method, StatusCode};

use crate::sign::SIGNATURE_HEADER;

/// A request as it arrived: nothing parsed yet.
#[derive(Debug, Clone)]
pub struct EndpointRequest {
    /// HTTP method (Engage Digital sends `POST`).
    pub method: Method,
    /// Headers; names compare case-insensitively.
    pub headers: HeaderMap,
    /// The raw query string, without `?`.
    pub query: Option<String>,
    /// The exact body bytes, which the signature covers.
    pub body: Bytes,
}

impl EndpointRequest {
    /// A `POST` with `body` and no headers.
    pub fn post(body: impl Into<Bytes>) -> Self {
        Self {
            method: Method::POST,
            headers: HeaderMap::new(),
            query: None,
            body: body.into(),
        }
    }

    /// Adds the `X-SMCCSDK-SIGNATURE` header. Text that is not a valid header value is dropped
    /// (the request then fails as unsigned).
    pub fn signature(mut self, signature: &str) -> Self {
        if let Ok(value) = HeaderValue::from_str(signature) {
            self.headers.insert(SIGNATURE_HEADER, value);
        }
        self
    }

    /// Sets the query string.
    pub fn query(mut self, query: impl Into<String>) -> Self {
        self.query = Some(query.into());
        self
    }
}

impl From<http::Request<Bytes>> for EndpointRequest {
    fn from(request: http::Request<Bytes>) -> Self {
        let (parts, body) = request.into_parts();
        Self {
            query: parts.uri.query().map(str::to_owned),
            method: parts.method,
            headers: parts.headers,
            body,
        }
    }
}

/// The answer to send back. Every body carries its signature in `X-SMCCSDK-SIGNATURE`.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointResponse {
    /// HTTP status.
    pub status: StatusCode,
    /// `Content-Type`, the signature and, on 405, `Allow`.
    pub headers: HeaderMap,
    /// The exact bytes that were signed.
    pub body: Bytes,
}

impl EndpointResponse {
    /// The signature header's value.
    pub fn signature(&self) -> Option<&str> {
        self.headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON, when it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

impl From<EndpointResponse> for http::Response<Bytes> {
    fn from(response: EndpointResponse) -> Self {
        let mut out = http::Response::new(response.body);
        *out.status_mut() = response.status;
        *out.headers_mut() = response.headers;
        out
    }
}

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

impl RequestError {
    /// The HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
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
