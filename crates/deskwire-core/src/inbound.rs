//! A request a desk made to you, as it arrived, and the answer to give it: the one shape every
//! inbound side (webhook verifiers, Engage Digital's polling endpoint, the `Channel` trait)
//! takes and returns, so a server adapter is written once.

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode};

/// A request the desk made to your webhook, as it arrived: nothing parsed, the exact body bytes
/// (signatures cover them).
#[derive(Debug, Clone)]
pub struct InboundRequest {
    /// Method.
    pub method: Method,
    /// Headers.
    pub headers: HeaderMap,
    /// The raw query string, without `?`.
    pub query: Option<String>,
    /// The exact body.
    pub body: Bytes,
}

impl InboundRequest {
    /// A `POST` with `body`.
    pub fn post(body: impl Into<Bytes>) -> Self {
        Self {
            method: Method::POST,
            headers: HeaderMap::new(),
            query: None,
            body: body.into(),
        }
    }

    /// Adds a header; a name or value that is not valid HTTP is dropped (the request then
    /// fails the provider's check).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(name), Ok(value)) = (http::HeaderName::try_from(name), HeaderValue::from_str(value)) {
            self.headers.append(name, value);
        }
        self
    }

    /// Sets the raw query string (without `?`).
    pub fn query(mut self, query: impl Into<String>) -> Self {
        self.query = Some(query.into());
        self
    }
}

impl From<http::Request<Bytes>> for InboundRequest {
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

/// The answer to give the desk.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundResponse {
    /// Status.
    pub status: StatusCode,
    /// Headers (Engage Digital's answers carry their signature here).
    pub headers: HeaderMap,
    /// Body.
    pub body: Bytes,
}

impl InboundResponse {
    /// The value of header `name`, when present and visible ASCII (Engage Digital's answers
    /// carry their signature in `X-SMCCSDK-SIGNATURE`).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON, when it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// An empty answer with `status`.
    pub fn empty(status: StatusCode) -> Self {
        Self {
            status,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    /// A plain-text answer.
    pub fn text(status: StatusCode, text: impl Into<String>) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        Self {
            status,
            headers,
            body: Bytes::from(text.into()),
        }
    }
}

impl From<InboundResponse> for http::Response<Bytes> {
    fn from(value: InboundResponse) -> Self {
        let mut response = http::Response::new(value.body);
        *response.status_mut() = value.status;
        *response.headers_mut() = value.headers;
        response
    }
}
