//! The **polling endpoint**: the "Base URI" Engage Digital calls with `implementation.info`,
//! `<object>.list`, agent replies as `<object>.create`, and so on.
//!
//! [`Endpoint::handle`] takes the raw request and returns the raw response, so it fits any HTTP
//! server; the `axum` feature adds `inbound::axum::router`. For each
//! request it:
//!
//! 1. refuses anything but `POST` (405) and bodies over the limit (413, checked against
//!    `Content-Length` before reading when served through axum);
//! 2. verifies the signature over the **raw body bytes**, before any parsing: the request passes
//!    when `X-SMCCSDK-SIGNATURE` or the `signature` query parameter carries the body's HMAC
//!    (as the official PHP SDK decides; [`Endpoint::authenticate`]). Failure answers 422
//!    `Invalid signature` and your code never runs;
//! 3. decodes `{action, params, time}` into an [`Action`]; malformed JSON, unknown actions and
//!    unusable params get typed [`RequestError`]s, answered with Engage Digital's own texts
//!    (`Bad request`, `Invalid action`, `Invalid resource format`);
//! 4. calls the matching [`Source`] method and answers its result as JSON, or its
//!    [`ActionError`] in the documented `{"error":{"fatal":...,"message":...}}` form;
//! 5. signs **every** response body, errors included.
//!
//! ```
//! # async fn run() {
//! use deskwire_core::Secret;
//! use deskwire_engage_digital::inbound::{ActionError, Endpoint, EndpointRequest, ImplementationInfo, ObjectName, Source};
//! use deskwire_engage_digital::wire::Operation;
//! use deskwire_engage_digital::Signer;
//!
//! struct Shop;
//! impl Source for Shop {
//!     async fn implementation_info(&self) -> Result<ImplementationInfo, ActionError> {
//!         Ok(ImplementationInfo::builder()
//!             .object(ObjectName::Messages, [Operation::List, Operation::Show, Operation::Create])
//!             .build_unchecked())
//!     }
//! }
//!
//! let token = Secret::new("3YJZzqMJ5Ec7i2JGvnt8TgvleD7dtpwpmag4S6MuRA2GQdfvV4STIsxDRJ4fEjO8");
//! let endpoint = Endpoint::new(&token, Shop);
//! let body = r#"{"action":"implementation.info","time":"2012-10-01T17:18:40Z"}"#;
//! let signature = Signer::new(&token).sign(body.as_bytes());
//! let response = endpoint.handle(EndpointRequest::post(body).signature(&signature)).await;
//! assert_eq!(response.status, 200);
//! assert_eq!(&response.body[..], br#"{"objects":{"messages":["list","show","create"]},"options":[]}"#);
//! assert!(response.signature().unwrap().starts_with("02314eac"));
//! # }
//! ```
//!
//! # What is documented and what is chosen here
//!
//! | behaviour | status |
//! |-|-|
//! | raw-body HMAC, header name, response signing, `{"error":{"fatal"}}`, `list` order | documented |
//! | `signature` query parameter on Engage Digital's own requests | documented as an alternative to the header (`request-response.md`); the official PHP SDK accepts a request when **either** carries the right HMAC, and so does this endpoint (turn the query off with [`Endpoint::accept_query_signature`]) |
//! | `destroy` | **uncertain**: some pages say `destroy`, others `delete`; both decode to [`Action::Delete`] |
//! | no freshness check on `time` | the docs give no rule; `time` is decoded and exposed, never enforced |
//! | answers to requests refused before the source | chosen: Engage Digital's own error texts, plain text, signed |
//! | "not implemented" | chosen: a fatal resource error for content actions (retrying cannot help), 501 for `list` and `messaging.queuing_update` |
//! | contents you return that miss a required field | Engage Digital silently ignores them; the endpoint logs a `tracing` warning naming the field (feature `tracing`, on by default) |

mod action;
#[cfg(feature = "axum")]
pub mod axum;
mod exchange;
mod info;
mod pagination;
mod source;

use deskwire_core::mac::SignatureError;
use deskwire_core::Secret;
use http::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use serde::Serialize;

pub use action::{decode_call, Action, Call, Create, Custom, List, ObjectType, Target};
pub use exchange::{EndpointRequest, EndpointResponse, RequestError};
pub use info::{ImplementationInfo, ImplementationInfoBuilder, InfoError, ObjectName, SdkOption};
pub use pagination::list_page;
pub use source::{ActionError, Resource, ResourceResult, Source};

use crate::sign::{Signer, SIGNATURE_HEADER, SIGNATURE_QUERY_PARAM};
use crate::validate::MAX_REQUEST_BYTES;

/// Your polling endpoint: a [`Source`] behind signature checks and signed answers. Build it
/// once per channel; share it (`Arc`) across connections.
#[derive(Debug)]
pub struct Endpoint<S> {
    source: S,
    signer: Signer,
    max_body_bytes: usize,
    accept_query_signature: bool,
}

impl<S: Source> Endpoint<S> {
    /// An endpoint for the channel whose API access token is `access_token`.
    pub fn new(access_token: &Secret, source: S) -> Self {
        Self {
            source,
            signer: Signer::new(access_token),
            max_body_bytes: MAX_REQUEST_BYTES,
            accept_query_signature: true,
        }
    }

    /// The largest body accepted, in bytes (default 20 MiB, the Send API's own limit).
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Whether a `signature` query parameter can authenticate a request, beside or instead of
    /// the header (default `true`, as the official PHP SDK).
    pub fn accept_query_signature(mut self, accept: bool) -> Self {
        self.accept_query_signature = accept;
        self
    }

    /// The source.
    pub fn source(&self) -> &S {
        &self.source
    }

    /// An endpoint verifying with an existing [`Signer`] (the channel shares its client's).
    #[cfg(feature = "channel")]
    pub(crate) fn with_signer(signer: Signer, source: S) -> Self {
        Self {
            source,
            signer,
            max_body_bytes: MAX_REQUEST_BYTES,
            accept_query_signature: true,
        }
    }

    /// The body limit in bytes.
    pub fn body_limit(&self) -> usize {
        self.max_body_bytes
    }

    /// Checks what can be checked before reading the body: the method and a declared
    /// `Content-Length` over the limit.
    pub fn precheck(&self, method: &Method, headers: &HeaderMap) -> Result<(), RequestError> {
        if method != Method::POST {
            return Err(RequestError::MethodNotAllowed(method.clone()));
        }
        let declared = headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|len| len > self.max_body_bytes as u64) {
            return Err(RequestError::BodyTooLarge {
                limit: self.max_body_bytes,
            });
        }
        Ok(())
    }

    /// Checks the signature over the raw body. The request is authentic when the
    /// `X-SMCCSDK-SIGNATURE` header **or** (unless turned off) the `signature` query parameter
    /// carries the HMAC of the body — the rule of the official PHP SDK's `is_valid_request`
    /// (ringcentral/engage-digital-source-sdk `engage-digital-source-sdk-php/sdk.php`, commit
    /// b4dda83dea259416c956adaedef718a9ae177be2), so a correct query signature passes even
    /// beside a wrong header. Both carry the same keyed MAC of the same bytes: accepting either
    /// lets in no one who lacks the access token, and refusing one would refuse what Engage
    /// Digital's reference endpoint accepts (its "alternative signature" puts the MAC in the
    /// query). Unlike the PHP SDK, comparison is constant-time and either hex case passes.
    pub fn authenticate(&self, request: &EndpointRequest) -> Result<(), RequestError> {
        let header = request.headers.get(SIGNATURE_HEADER);
        let query = if self.accept_query_signature {
            request.query.as_deref().and_then(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .find(|(k, _)| k == SIGNATURE_QUERY_PARAM)
                    .map(|(_, v)| v.into_owned())
            })
        } else {
            None
        };
        if header.is_none() && query.is_none() {
            return Err(RequestError::MissingSignature);
        }
        let mut refusal = None;
        if let Some(value) = header {
            let verdict = match value.to_str() {
                Ok(signature) => self.signer.verify(&request.body, signature),
                Err(_) => Err(SignatureError::Malformed { expected_len: 64 }),
            };
            match verdict {
                Ok(()) => return Ok(()),
                Err(e) => refusal = Some(e),
            }
        }
        if let Some(signature) = query {
            match self.signer.verify(&request.body, &signature) {
                Ok(()) => return Ok(()),
                // The header's reason, when there was a header, is the one worth reporting.
                Err(e) => {
                    refusal.get_or_insert(e);
                }
            }
        }
        Err(RequestError::InvalidSignature(
            refusal.unwrap_or(SignatureError::Mismatch),
        ))
    }

    /// Everything before your source runs: method, size, signature, then decoding.
    pub fn decode(&self, request: &EndpointRequest) -> Result<Call, RequestError> {
        self.precheck(&request.method, &request.headers)?;
        if request.body.len() > self.max_body_bytes {
            return Err(RequestError::BodyTooLarge {
                limit: self.max_body_bytes,
            });
        }
        self.authenticate(request)?;
        decode_call(&request.body)
    }

    /// Answers one request.
    pub async fn handle(&self, request: EndpointRequest) -> EndpointResponse {
        match self.decode(&request) {
            #[cfg(feature = "tracing")]
            Ok(call) => {
                use tracing::Instrument as _;
                let span = tracing::info_span!("engage_digital.endpoint", action = %call.action.name());
                self.dispatch(call).instrument(span).await
            }
            #[cfg(not(feature = "tracing"))]
            Ok(call) => self.dispatch(call).await,
            Err(error) => {
                #[cfg(feature = "tracing")]
                tracing::warn!(status = error.status().as_u16(), %error, "refused a request");
                self.refuse(&error)
            }
        }
    }

    /// Runs an already authenticated, decoded call through the source and signs the answer.
    pub async fn dispatch(&self, call: Call) -> EndpointResponse {
        let name = call.action.name();
        let source = &self.source;
        let (answer, collection) = match call.action {
            Action::ImplementationInfo => (encode(source.implementation_info().await), true),
            Action::List(list) => (
                source.list(list).await.and_then(|items| {
                    items.iter().for_each(|item| warn_if_incomplete(&name, item));
                    encode(Ok(items))
                }),
                true,
            ),
            Action::Show(target) => (resource(&name, source.show(target).await), false),
            Action::Create(create) => (resource(&name, source.create(*create).await), false),
            Action::Delete(target) => (resource(&name, source.delete(target).await), false),
            Action::Publish(target) => (resource(&name, source.publish(target).await), false),
            Action::Unpublish(target) => (resource(&name, source.unpublish(target).await), false),
            Action::Custom(custom) => (resource(&name, source.custom(custom).await), false),
            Action::QueuingUpdate(update) => (source.queuing_update(update).await.map(|()| b"{}".to_vec()), true),
        };
        match answer {
            Ok(body) => self.signed(StatusCode::OK, JSON, body),
            Err(ActionError::Retry(message)) => self.resource_error(false, &message),
            Err(ActionError::Fatal(message)) => self.resource_error(true, &message),
            Err(ActionError::Unavailable(message)) => {
                #[cfg(feature = "tracing")]
                tracing::warn!(%message, "source unavailable");
                self.signed(StatusCode::SERVICE_UNAVAILABLE, TEXT, message.into_bytes())
            }
            Err(ActionError::NotImplemented) => {
                let message = format!("{name} is not implemented by this source");
                #[cfg(feature = "tracing")]
                tracing::warn!(action = %name, "not implemented; declare only what the source overrides");
                if collection {
                    self.signed(StatusCode::NOT_IMPLEMENTED, TEXT, message.into_bytes())
                } else {
                    self.resource_error(true, &message)
                }
            }
        }
    }

    /// The signed plain-text answer to a refused request.
    pub fn refuse(&self, error: &RequestError) -> EndpointResponse {
        let mut response = self.signed(error.status(), TEXT, error.answer_text().as_bytes().to_vec());
        if matches!(error, RequestError::MethodNotAllowed(_)) {
            response.headers.insert(ALLOW, HeaderValue::from_static("POST"));
        }
        response
    }

    fn resource_error(&self, fatal: bool, message: &str) -> EndpointResponse {
        let body = serde_json::json!({ "error": { "fatal": fatal, "message": message } });
        self.signed(StatusCode::OK, JSON, body.to_string().into_bytes())
    }

    fn signed(&self, status: StatusCode, content_type: &'static str, body: Vec<u8>) -> EndpointResponse {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        let signature = self.signer.sign(&body);
        headers.insert(
            SIGNATURE_HEADER,
            HeaderValue::from_str(&signature).expect("hex is a valid header value"),
        );
        EndpointResponse {
            status,
            headers,
            body: body.into(),
        }
    }
}

const JSON: &str = "application/json";
const TEXT: &str = "text/plain; charset=utf-8";

fn encode<T: Serialize>(result: Result<T, ActionError>) -> Result<Vec<u8>, ActionError> {
    let value = result?;
    serde_json::to_vec(&value).map_err(|e| ActionError::Unavailable(format!("could not encode the answer: {e}")))
}

fn resource(action: &str, result: ResourceResult) -> Result<Vec<u8>, ActionError> {
    if let Ok(item) = &result {
        warn_if_incomplete(action, item);
    }
    encode(result)
}

/// Engage Digital silently drops a content that misses a required field; say so where the
/// integrator will see it.
#[cfg(feature = "tracing")]
fn warn_if_incomplete(action: &str, item: &Resource) {
    use crate::validate;
    let check = match item {
        Resource::Message(m) => validate::message(m),
        Resource::PrivateMessage(m) => validate::private_message(m),
        Resource::Thread(t) => validate::thread(t),
        Resource::Json(_) => Ok(()),
    };
    if let Err(problem) = check {
        tracing::warn!(%action, %problem, "Engage Digital ignores a content that misses a required field");
    }
}

/// Without the `tracing` feature there is no one to tell.
#[cfg(not(feature = "tracing"))]
fn warn_if_incomplete(_: &str, _: &Resource) {}
