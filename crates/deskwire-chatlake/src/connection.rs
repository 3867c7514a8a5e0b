//! The sending engine shared by the Application API client and the Client API client: builds
//! the URL under the API's base, adds the token header (if any), sends under the retry policy,
//! maps errors, decodes answers. Tracing spans carry the operation, method, status and attempt
//! count — never the token.

use bytes::Bytes;
use deskwire_core::retry::{drive, Attempt, Decision, Outcome, RetryPolicy};
use deskwire_core::transport::{endpoint_url, execute};
use deskwire_core::{DecodeError, TransportErrorKind};
use reqwest::header::{HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::multipart::{Form, Part};
use serde::de::DeserializeOwned;
use tracing::Instrument as _;

use crate::error::{ApiError, Error};
use crate::request::{ApiRequest, Body, FormPart};

/// A 2xx answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAnswer {
    /// HTTP status.
    pub status: u16,
    /// The body.
    pub body: Bytes,
}

#[derive(Debug, Clone)]
pub(crate) struct Connection {
    pub(crate) http: reqwest::Client,
    /// The API's base, e.g. `https://host/api/v1/accounts/1`.
    pub(crate) base: String,
    /// The token header, value marked sensitive (reqwest and http keep it out of `Debug`).
    pub(crate) auth: Option<(HeaderName, HeaderValue)>,
    pub(crate) retry: RetryPolicy,
    /// `application` or `public`, for traces.
    pub(crate) api: &'static str,
}

impl Connection {
    /// The URL of a request (no query).
    pub(crate) fn url(&self, request: &ApiRequest) -> Result<reqwest::Url, Error> {
        let segments: Vec<&str> = request.path().iter().map(String::as_str).collect();
        endpoint_url(&self.base, &segments).map_err(Error::InvalidConfig)
    }

    /// Sends under the retry policy; a 2xx answer or a typed error.
    pub(crate) async fn send(&self, request: &ApiRequest) -> Result<RawAnswer, Error> {
        let url = self.url(request)?;
        let span = tracing::info_span!(
            "chatlake.request",
            api = self.api,
            operation = request.operation(),
            method = %request.method(),
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        async {
            let span = tracing::Span::current();
            drive(
                |attempt| {
                    span.record("attempts", attempt);
                    self.once(request, url.clone())
                },
                |attempt, outcome, retry_after, error| {
                    if let Outcome::Status(status) = outcome {
                        span.record("status", status);
                    }
                    if matches!(error, Error::IdentityCheckFailed(_)) {
                        // The same hash fails the same way every time.
                        return Decision::Stop;
                    }
                    self.retry
                        .decide_with_random_jitter(attempt, outcome, retry_after, request.repeat())
                },
            )
            .await
        }
        .instrument(span)
        .await
    }

    async fn once(&self, request: &ApiRequest, url: reqwest::Url) -> Attempt<RawAnswer, Error> {
        let mut builder = self
            .http
            .request(request.method().clone(), url)
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        if !request.query_pairs().is_empty() {
            builder = builder.query(request.query_pairs());
        }
        if let Some((name, value)) = &self.auth {
            builder = builder.header(name.clone(), value.clone());
        }
        builder = match request.body() {
            Body::Empty => builder,
            Body::Json(bytes) => builder
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(bytes.clone()),
            Body::Multipart(parts) => match form(parts) {
                Ok(form) => builder.multipart(form),
                Err(e) => return (Outcome::Transport(TransportErrorKind::Build), None, Err(e)),
            },
        };
        let answer = match execute(builder).await {
            Ok(answer) => answer,
            Err(error) => return (Outcome::Transport(error.kind), None, Err(error.into())),
        };
        let result = if (200..300).contains(&answer.status) {
            Ok(RawAnswer {
                status: answer.status,
                body: answer.body,
            })
        } else if answer.status == 500 && request.is_identity_checked() {
            Err(Error::IdentityCheckFailed(ApiError::new(
                answer.status,
                String::from_utf8_lossy(&answer.body).into_owned(),
            )))
        } else {
            Err(Error::from_status(
                answer.status,
                answer.retry_after,
                String::from_utf8_lossy(&answer.body).into_owned(),
            ))
        };
        (Outcome::Status(answer.status), answer.retry_after, result)
    }

    /// Sends and decodes the answer as `T`.
    pub(crate) async fn call<T: DeserializeOwned>(&self, request: &ApiRequest) -> Result<T, Error> {
        let answer = self.send(request).await?;
        decode(&answer)
    }

    /// Sends and ignores the answer's body.
    pub(crate) async fn call_unit(&self, request: &ApiRequest) -> Result<(), Error> {
        self.send(request).await.map(drop)
    }
}

/// Decodes a 2xx answer; a body of the wrong shape is a [`DecodeError`] keeping the raw text.
pub(crate) fn decode<T: DeserializeOwned>(answer: &RawAnswer) -> Result<T, Error> {
    serde_json::from_slice(&answer.body).map_err(|e| {
        Error::Decode(DecodeError {
            status: answer.status,
            reason: e.to_string(),
            raw_body: String::from_utf8_lossy(&answer.body).into_owned(),
        })
    })
}

fn form(parts: &[FormPart]) -> Result<Form, Error> {
    let mut form = Form::new();
    for part in parts {
        form = match part {
            FormPart::Text { name, value } => form.text(name.clone(), value.clone()),
            FormPart::File { name, upload } => {
                let file = Part::stream(reqwest::Body::from(upload.bytes.clone()))
                    .file_name(upload.file_name.clone())
                    .mime_str(upload.mime_type.as_deref().unwrap_or("application/octet-stream"))
                    .map_err(|e| Error::Encode(format!("attachment `{}`: {e}", upload.file_name)))?;
                form.part(name.clone(), file)
            }
        };
    }
    Ok(form)
}

/// The token header with its value marked sensitive.
pub(crate) fn token_header(
    name: &'static str,
    token: &deskwire_core::Secret,
) -> Result<(HeaderName, HeaderValue), Error> {
    let mut value = HeaderValue::from_str(token.expose())
        .map_err(|_| Error::InvalidConfig("the access token has characters a header cannot carry".into()))?;
    value.set_sensitive(true);
    Ok((HeaderName::from_static(name), value))
}
