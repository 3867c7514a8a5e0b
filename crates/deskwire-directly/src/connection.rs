//! The sending engine: URL under `{base}/v1` (or the root for `health/status`), the bearer token
//! from [`TokenManager`], the retry policy, one token renewal on 401, error mapping, and the
//! envelope's unwrapping. Tracing spans carry the operation, method, status, attempt count and
//! whether the token was renewed — never the token.

use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use deskwire_core::retry::{drive, Attempt, Outcome, RetryPolicy};
use deskwire_core::transport::{endpoint_url, execute};
use deskwire_core::DecodeError;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use serde::de::DeserializeOwned;
use tracing::Instrument as _;

use crate::auth::TokenManager;
use crate::error::Error;
use crate::request::{ApiRequest, Scope};
use crate::wire::{unwrap, Ack};

/// A success (or, for polls, 304) answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAnswer {
    /// HTTP status.
    pub status: u16,
    /// The server's `Date` header, when readable.
    pub date: Option<SystemTime>,
    /// The body (empty for a 304).
    pub body: Bytes,
}

#[derive(Debug, Clone)]
pub(crate) struct Connection {
    pub(crate) http: reqwest::Client,
    /// `{base}`, e.g. `https://api.directly.com`.
    pub(crate) root: String,
    /// `{base}/v1`.
    pub(crate) api: String,
    pub(crate) tokens: Arc<TokenManager>,
    pub(crate) retry: RetryPolicy,
}

impl Connection {
    /// The URL of a request (no query).
    pub(crate) fn url(&self, request: &ApiRequest) -> Result<reqwest::Url, Error> {
        let segments: Vec<&str> = request.path().iter().map(String::as_str).collect();
        let base = match request.scope() {
            Scope::Api => &self.api,
            Scope::Public => &self.root,
        };
        endpoint_url(base, &segments).map_err(Error::InvalidConfig)
    }

    /// Sends with the bearer token under the retry policy; on 401 renews the token once and
    /// sends once more.
    pub(crate) async fn send(&self, request: &ApiRequest) -> Result<RawAnswer, Error> {
        let url = self.url(request)?;
        let span = tracing::info_span!(
            "directly.request",
            operation = request.operation(),
            method = %request.method(),
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
            token_renewed = tracing::field::Empty,
        );
        async {
            if request.scope() == Scope::Public {
                return self.attempts(request, &url, None).await;
            }
            let bearer = self.tokens.bearer().await?;
            match self.attempts(request, &url, Some(&bearer.header)).await {
                Err(Error::Unauthorized(refused)) => {
                    match self.tokens.renew_after_rejection(bearer.generation).await? {
                        Some(fresh) => {
                            tracing::Span::current().record("token_renewed", true);
                            self.attempts(request, &url, Some(&fresh.header)).await
                        }
                        None => Err(Error::Unauthorized(refused)),
                    }
                }
                other => other,
            }
        }
        .instrument(span)
        .await
    }

    async fn attempts(
        &self,
        request: &ApiRequest,
        url: &reqwest::Url,
        auth: Option<&HeaderValue>,
    ) -> Result<RawAnswer, Error> {
        let span = tracing::Span::current();
        drive(
            |attempt| {
                span.record("attempts", attempt);
                self.once(request, url.clone(), auth)
            },
            |attempt, outcome, retry_after, _error| {
                if let Outcome::Status(status) = outcome {
                    span.record("status", status);
                }
                self.retry
                    .decide_with_random_jitter(attempt, outcome, retry_after, request.repeat())
            },
        )
        .await
    }

    async fn once(
        &self,
        request: &ApiRequest,
        url: reqwest::Url,
        auth: Option<&HeaderValue>,
    ) -> Attempt<RawAnswer, Error> {
        let mut builder = self
            .http
            .request(request.method().clone(), url)
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        if !request.query_pairs().is_empty() {
            builder = builder.query(request.query_pairs());
        }
        if let Some(auth) = auth {
            builder = builder.header(AUTHORIZATION, auth.clone());
        }
        if let Some(body) = request.body() {
            builder = builder
                .header(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/json; charset=UTF-8"),
                )
                .body(body.clone());
        }
        let answer = match execute(builder).await {
            Ok(answer) => answer,
            Err(error) => return (Outcome::Transport(error.kind), None, Err(error.into())),
        };
        let success = (200..300).contains(&answer.status) || (answer.status == 304 && request.accepts_not_modified());
        let result = if success {
            Ok(RawAnswer {
                status: answer.status,
                date: answer.date,
                // A 304 has no body by definition; whatever came is not read.
                body: if answer.status == 304 {
                    Bytes::new()
                } else {
                    answer.body
                },
            })
        } else {
            Err(Error::from_status(
                answer.status,
                answer.retry_after,
                String::from_utf8_lossy(&answer.body).into_owned(),
            ))
        };
        (Outcome::Status(answer.status), answer.retry_after, result)
    }

    /// Sends and decodes the envelope's `data` as `T`.
    pub(crate) async fn data<T: DeserializeOwned>(&self, request: &ApiRequest) -> Result<T, Error> {
        let answer = self.send(request).await?;
        decode_data(&answer)
    }

    /// Sends and decodes `data` as `T`, `None` when it is empty.
    pub(crate) async fn optional<T: DeserializeOwned>(&self, request: &ApiRequest) -> Result<Option<T>, Error> {
        let answer = self.send(request).await?;
        unwrap(&answer.body)
            .and_then(|u| u.optional())
            .map_err(|e| decode_error(&answer, e))
    }

    /// Sends and decodes a list found under `key` (see the envelope's rules).
    pub(crate) async fn list<T: DeserializeOwned>(&self, request: &ApiRequest, key: &str) -> Result<Vec<T>, Error> {
        let answer = self.send(request).await?;
        unwrap(&answer.body)
            .and_then(|u| u.list(key))
            .map_err(|e| decode_error(&answer, e))
    }

    /// Sends and keeps the answer whole.
    pub(crate) async fn ack(&self, request: &ApiRequest) -> Result<Ack, Error> {
        let answer = self.send(request).await?;
        let unwrapped = unwrap(&answer.body).map_err(|e| decode_error(&answer, e))?;
        Ok(Ack {
            status: answer.status,
            meta: unwrapped.meta,
            data: (!unwrapped.payload.is_null()).then_some(unwrapped.payload),
        })
    }
}

/// Decodes the envelope's `data` of a success answer.
pub(crate) fn decode_data<T: DeserializeOwned>(answer: &RawAnswer) -> Result<T, Error> {
    unwrap(&answer.body)
        .and_then(|u| u.data())
        .map_err(|e| decode_error(answer, e))
}

fn decode_error(answer: &RawAnswer, e: serde_json::Error) -> Error {
    Error::Decode(DecodeError {
        status: answer.status,
        reason: e.to_string(),
        raw_body: String::from_utf8_lossy(&answer.body).into_owned(),
    })
}
