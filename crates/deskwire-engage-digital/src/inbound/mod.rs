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
//!    (as the official PHP SDK decides), under any of the endpoint's tokens
//!    ([`Endpoint::with_tokens`] rotates them). Failure answers 422 `Invalid signature` and
//!    your code never runs;
//! 3. decodes `{action, params, time}` into an [`Action`]; malformed JSON, unknown actions and
//!    unusable params get typed [`RequestError`]s, answered with Engage Digital's own texts
//!    (`Bad request`, `Invalid action`, `Invalid resource format`);
//! 4. calls the matching [`Source`] method and answers its result as JSON, or its
//!    [`ActionError`] in the documented `{"error":{"fatal":...,"message":...}}` form;
//! 5. signs **every** response body, errors included, with the token that signed the request.
//!
//! ```
//! # async fn run() {
//! use deskwire_core::Secret;
//! use deskwire_engage_digital::inbound::{ActionError, Endpoint, ImplementationInfo, InboundRequest, ObjectName, Source};
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
//! let endpoint = Endpoint::new(&token, Shop).expect("a token");
//! let body = r#"{"action":"implementation.info","time":"2012-10-01T17:18:40Z"}"#;
//! let signature = Signer::new(&token).sign(body.as_bytes());
//! let response = endpoint.handle(InboundRequest::post(body).header("X-SMCCSDK-SIGNATURE", &signature)).await;
//! assert_eq!(response.status, 200);
//! assert_eq!(&response.body[..], br#"{"objects":{"messages":["list","show","create"]},"options":[]}"#);
//! assert!(response.header("X-SMCCSDK-SIGNATURE").unwrap().starts_with("02314eac"));
//! # }
//! ```
//!
//! # What is documented and what is chosen here
//!
//! | behaviour | status |
//! |-|-|
//! | raw-body HMAC, header name, response signing, `{"error":{"fatal"}}`, `list` order | documented |
//! | `signature` query parameter on Engage Digital's own requests | documented as an alternative to the header ([`request-response.md`](https://github.com/ringcentral/engage-digital-api-docs/blob/95ff4ddccb59a3acb0f906533e46597ffaf8dae6/docs/sdks/source-sdk/request-response.md)); the official PHP SDK accepts a request when **either** carries the right HMAC, and so does this endpoint (turn the query off with [`Endpoint::accept_query_signature`]) |
//! | `destroy` | **uncertain**: some pages say `destroy`, others `delete`; both decode to [`Action::Delete`] |
//! | no freshness check on `time` | the docs give no rule; `time` is decoded and exposed, never enforced |
//! | answers to requests refused before the source | chosen: Engage Digital's own error texts, plain text, signed |
//! | "not implemented" | chosen: a fatal resource error for content actions (retrying cannot help), 501 for `list` and `messaging.queuing_update` |
//! | contents you return that miss a required field | Engage Digital silently ignores them; the endpoint logs a `tracing` warning naming the field (feature `tracing`, on by default) |

pub(crate) mod action;
#[cfg(feature = "axum")]
pub mod axum;
mod info;
mod pagination;
mod refusal;
mod source;

use bytes::Bytes;
use deskwire_core::mac::{HmacSha512, SignatureError};
use deskwire_core::verify::{EmptySecret, Keys, Refusal as _};
use deskwire_core::Secret;
use http::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use serde::Serialize;
use std::future::Future;

pub use action::{Action, Call, Create, Custom, List, ObjectType, Target};
pub use deskwire_core::{InboundRequest, InboundResponse};
pub use info::{ImplementationInfo, ImplementationInfoBuilder, InfoError, ObjectName, SdkOption};
pub use pagination::list_page;
pub use refusal::RequestError;
pub use source::{ActionError, Resource, ResourceResult, Source};

use crate::sign::{SIGNATURE_NAME, SIGNATURE_QUERY_PARAM};
use crate::validate::MAX_REQUEST_BYTES;
use action::decode_call;

/// Your polling endpoint: a [`Source`] behind signature checks and signed answers. Build it
/// once per channel; share it (`Arc`) across connections.
#[derive(Debug)]
pub struct Endpoint<S> {
    source: S,
    keys: Keys<HmacSha512>,
    max_body_bytes: usize,
    accept_query_signature: bool,
}

/// A request whose signature verified, decoded, with the token that signed it (the answer is
/// signed with the same one).
pub(crate) struct Verified<'a> {
    pub(crate) call: Call,
    key: &'a HmacSha512,
}

/// A refused request, with the token its answer is signed with: the one that signed the
/// request when the refusal came after the signature check, the first one before.
pub(crate) struct Refused<'a> {
    pub(crate) error: RequestError,
    key: &'a HmacSha512,
}

impl<S: Source> Endpoint<S> {
    /// An endpoint for the channel whose API access token is `access_token`. An empty token is
    /// refused ([`EmptySecret`]).
    pub fn new(access_token: &Secret, source: S) -> Result<Self, EmptySecret> {
        Self::with_tokens([access_token], source)
    }

    /// An endpoint accepting requests signed with any of `access_tokens`, so a token can be
    /// regenerated in Engage Digital without refusing a request: deploy with the new token
    /// beside the old, regenerate, then drop the old. Each answer is signed with the token that
    /// signed its request; answers to requests refused before that is known use the first.
    pub fn with_tokens<'a>(
        access_tokens: impl IntoIterator<Item = &'a Secret>,
        source: S,
    ) -> Result<Self, EmptySecret> {
        Ok(Self::with_keys(Keys::<HmacSha512>::new(access_tokens)?, source))
    }

    pub(crate) fn with_keys(keys: Keys<HmacSha512>, source: S) -> Self {
        Self {
            source,
            keys,
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

    /// The body limit in bytes.
    pub fn body_limit(&self) -> usize {
        self.max_body_bytes
    }

    /// What can be refused before reading the body: a method other than `POST` and a declared
    /// `Content-Length` over the limit. For server adapters that stream the body (answer the
    /// error with [`Endpoint::refuse`]); [`Endpoint::handle`] checks the same again.
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

    /// The token whose signature the request carries. The request is authentic when the
    /// `X-SMCCSDK-SIGNATURE` header **or** (unless turned off) the `signature` query parameter
    /// carries the HMAC of the body — the rule of the official PHP SDK's `is_valid_request`
    /// (ringcentral/engage-digital-source-sdk `engage-digital-source-sdk-php/sdk.php`, commit
    /// b4dda83dea259416c956adaedef718a9ae177be2), so a correct query signature passes even
    /// beside a wrong header. Both carry the same keyed MAC of the same bytes: accepting either
    /// lets in no one who lacks the access token, and refusing one would refuse what Engage
    /// Digital's reference endpoint accepts (its "alternative signature" puts the MAC in the
    /// query). Unlike the PHP SDK, comparison is constant-time and either hex case passes.
    fn authenticate(&self, request: &InboundRequest) -> Result<&HmacSha512, RequestError> {
        let header = request.headers.get(SIGNATURE_NAME);
        let query = if self.accept_query_signature {
            request.query.as_deref().and_then(query_signature)
        } else {
            None
        };
        if header.is_none() && query.is_none() {
            return Err(RequestError::MissingSignature);
        }
        let mut refusal = None;
        if let Some(value) = header {
            let verdict = match value.to_str() {
                Ok(signature) => self.keys.matching_hex_parts(&[&request.body], signature),
                Err(_) => Err(SignatureError::Malformed { expected_len: 64 }),
            };
            match verdict {
                Ok(key) => return Ok(key),
                Err(e) => refusal = Some(e),
            }
        }
        if let Some(signature) = query {
            match self.keys.matching_hex_parts(&[&request.body], &signature) {
                Ok(key) => return Ok(key),
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
    pub(crate) fn decode(&self, request: &InboundRequest) -> Result<Verified<'_>, Refused<'_>> {
        let before = |error| Refused {
            error,
            key: self.keys.current(),
        };
        self.precheck(&request.method, &request.headers).map_err(before)?;
        if request.body.len() > self.max_body_bytes {
            return Err(before(RequestError::BodyTooLarge {
                limit: self.max_body_bytes,
            }));
        }
        let key = self.authenticate(request).map_err(before)?;
        decode_call(&request.body)
            .map(|call| Verified { call, key })
            .map_err(|error| Refused { error, key })
    }

    /// Answers one request.
    pub async fn handle(&self, request: InboundRequest) -> InboundResponse {
        let verified = match self.decode(&request) {
            Ok(verified) => verified,
            Err(refused) => {
                #[cfg(feature = "tracing")]
                tracing::warn!(status = refused.error.status_code().as_u16(), error = %refused.error, "refused a request");
                return refused.answer();
            }
        };
        // The call owns what it needs: the request is not kept across the source's await, and
        // nothing but the one dispatching future is (the future of `handle` went from 1,064 to
        // 776 bytes, and it is moved whole a few times per request).
        drop(request);
        self.dispatch_traced(verified).await
    }

    /// [`dispatch`](Self::dispatch) in a span naming the action. Not an `async fn`: it returns
    /// the instrumented future itself rather than a future holding it beside the span's
    /// temporaries.
    #[cfg(feature = "tracing")]
    fn dispatch_traced<'a>(&'a self, verified: Verified<'a>) -> impl Future<Output = InboundResponse> + 'a {
        use tracing::Instrument as _;
        let span = tracing::info_span!("engage_digital.endpoint", action = %verified.call.action.name_text());
        self.dispatch(verified).instrument(span)
    }

    #[cfg(not(feature = "tracing"))]
    fn dispatch_traced<'a>(&'a self, verified: Verified<'a>) -> impl Future<Output = InboundResponse> + 'a {
        self.dispatch(verified)
    }

    /// Runs an authenticated, decoded call through the source and signs the answer with the
    /// token that signed the request.
    pub(crate) async fn dispatch(&self, verified: Verified<'_>) -> InboundResponse {
        let Verified { call, key } = verified;
        let name = call.action.name_text();
        let source = &self.source;
        let (answer, collection) = match call.action {
            Action::ImplementationInfo => (
                source
                    .implementation_info()
                    .await
                    .and_then(|info| info.json().map_err(encode_error)),
                true,
            ),
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
            Action::QueuingUpdate(update) => (
                source.queuing_update(update).await.map(|()| Bytes::from_static(b"{}")),
                true,
            ),
        };
        match answer {
            Ok(body) => signed(key, StatusCode::OK, JSON, body),
            Err(ActionError::Retry(message)) => resource_error(key, false, &message),
            Err(ActionError::Fatal(message)) => resource_error(key, true, &message),
            Err(ActionError::Unavailable(message)) => {
                #[cfg(feature = "tracing")]
                tracing::warn!(%message, "source unavailable");
                signed(key, StatusCode::SERVICE_UNAVAILABLE, TEXT, message.into_bytes())
            }
            Err(ActionError::NotImplemented) => {
                let message = format!("{name} is not implemented by this source");
                #[cfg(feature = "tracing")]
                tracing::warn!(action = %name, "not implemented; declare only what the source overrides");
                if collection {
                    signed(key, StatusCode::NOT_IMPLEMENTED, TEXT, message.into_bytes())
                } else {
                    resource_error(key, true, &message)
                }
            }
        }
    }

    /// The signed plain-text answer to a refused request (signed with the first token: which
    /// one signed the request is not known).
    pub fn refuse(&self, error: &RequestError) -> InboundResponse {
        refusal(self.keys.current(), error)
    }
}

impl Refused<'_> {
    /// The signed answer.
    pub(crate) fn answer(&self) -> InboundResponse {
        refusal(self.key, &self.error)
    }
}

fn refusal(key: &HmacSha512, error: &RequestError) -> InboundResponse {
    let mut response = signed(key, error.status_code(), TEXT, error.answer_text());
    if matches!(error, RequestError::MethodNotAllowed(_)) {
        response.headers.insert(ALLOW, HeaderValue::from_static("POST"));
    }
    response
}

/// The first `signature` parameter of a query string, decoded as an HTML form decodes it (`+`
/// is a space, `%XX` a byte, invalid UTF-8 replaced), as PHP's `$_GET` reads it.
fn query_signature(query: &str) -> Option<String> {
    fn decode(text: &str) -> String {
        percent_encoding::percent_decode_str(&text.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    }
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(key) == SIGNATURE_QUERY_PARAM).then(|| decode(value))
    })
}

fn resource_error(key: &HmacSha512, fatal: bool, message: &str) -> InboundResponse {
    let body = serde_json::json!({ "error": { "fatal": fatal, "message": message } });
    signed(key, StatusCode::OK, JSON, body.to_string().into_bytes())
}

/// The answer with its signature. The body is `Bytes` so that a kept answer (a declaration's
/// JSON, a fixed text) is shared into the response rather than copied.
fn signed(key: &HmacSha512, status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> InboundResponse {
    let body = body.into();
    let mut headers = HeaderMap::with_capacity(2);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(SIGNATURE_NAME, key.sign_header_parts(&[&body]));
    InboundResponse { status, headers, body }
}

const JSON: &str = "application/json";
const TEXT: &str = "text/plain; charset=utf-8";

fn encode<T: Serialize>(result: Result<T, ActionError>) -> Result<Bytes, ActionError> {
    let value = result?;
    // Most answers are a few hundred bytes: one allocation instead of growing from 128.
    let mut body = Vec::with_capacity(512);
    serde_json::to_writer(&mut body, &value).map_err(encode_error)?;
    Ok(body.into())
}

fn encode_error(e: serde_json::Error) -> ActionError {
    ActionError::Unavailable(format!("could not encode the answer: {e}"))
}

fn resource(action: &str, result: ResourceResult) -> Result<Bytes, ActionError> {
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

#[cfg(test)]
mod tests {
    use super::query_signature;

    #[test]
    fn the_signature_parameter_is_read_as_a_form_field() {
        assert_eq!(query_signature("signature=ab12").as_deref(), Some("ab12"));
        assert_eq!(
            query_signature("a=1&&signature=ab%31%32&signature=zz").as_deref(),
            Some("ab12")
        );
        assert_eq!(query_signature("sig%6eature=ab").as_deref(), Some("ab"));
        assert_eq!(query_signature("signature=a+b").as_deref(), Some("a b"));
        assert_eq!(query_signature("signature").as_deref(), Some(""));
        assert_eq!(query_signature("signatures=ab&x=signature"), None);
        assert_eq!(query_signature(""), None);
    }
}
