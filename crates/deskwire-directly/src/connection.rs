//! Directly on the core engine: resources under `{base}/v1` (the health check at the root,
//! without a token), the bearer token from [`TokenManager`] renewed once after a 401, refusals
//! read from the `{meta, data, error}` envelope, and the envelope unwrapped on success.

use std::sync::Arc;

use deskwire_core::engine::{Authorized, Connection, Head, Provider, RawAnswer, Request};
use deskwire_core::DecodeError;
use http::header::AUTHORIZATION;
use serde::de::DeserializeOwned;

use crate::auth::TokenManager;
use crate::error::{Directly, Error, ErrorDetail};
use crate::wire::{unwrap, Ack};

/// The Messaging API with its token manager.
#[derive(Debug, Clone)]
pub(crate) struct MessagingApi {
    pub(crate) tokens: Arc<TokenManager>,
}

impl Provider for MessagingApi {
    type Kind = Directly;
    /// The generation of the token a round was sent with.
    type Credential = u64;

    fn name(&self) -> &'static str {
        "directly"
    }

    async fn authorize(&self, _: &Head) -> Result<Authorized<u64>, Error> {
        let bearer = self.tokens.bearer().await?;
        Ok(Authorized {
            headers: vec![(AUTHORIZATION, bearer.header)],
            credential: bearer.generation,
        })
    }

    /// A 401 means the token was refused unprocessed: renew it once (concurrent refusals share
    /// one renewal) and send once more.
    async fn renew(&self, generation: &u64, error: &Error) -> Result<bool, Error> {
        if error.status() != Some(401) {
            return Ok(false);
        }
        Ok(self.tokens.renew_after_rejection(*generation).await?.is_some())
    }

    /// As Directly's own client sends it (directly-api 1.1.2).
    fn json_content_type(&self) -> http::HeaderValue {
        http::HeaderValue::from_static("application/json; charset=UTF-8")
    }

    fn detail(&self, _: &Head, answer: &RawAnswer) -> ErrorDetail {
        ErrorDetail::parse(&answer.text())
    }
}

/// The connection, with the envelope's ways of reading an answer.
#[derive(Debug, Clone)]
pub(crate) struct DirectlyConnection {
    pub(crate) engine: Connection<MessagingApi>,
}

impl DirectlyConnection {
    /// Sends and returns the success (or, for a conditional read, 304) answer.
    pub(crate) async fn send(&self, request: &ApiRequest) -> Result<RawAnswer, Error> {
        self.engine.send_raw(request.head()).await
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

use crate::request::ApiRequest;

/// Decodes the envelope's `data` of a success answer.
pub(crate) fn decode_data<T: DeserializeOwned>(answer: &RawAnswer) -> Result<T, Error> {
    envelope_data(answer).map_err(Error::from)
}

/// The envelope's `data` as `T`: the decoder of typed requests.
pub fn envelope_data<T: DeserializeOwned>(answer: &RawAnswer) -> Result<T, DecodeError> {
    unwrap(&answer.body).and_then(|u| u.data()).map_err(|e| DecodeError {
        status: answer.status,
        reason: e.to_string(),
        raw_body: answer.text(),
    })
}

fn decode_error(answer: &RawAnswer, e: serde_json::Error) -> Error {
    Error::Decode(DecodeError {
        status: answer.status,
        reason: e.to_string(),
        raw_body: answer.text(),
    })
}

/// A request answering `T` from the envelope's `data`.
pub fn typed<T: DeserializeOwned>(request: ApiRequest) -> Request<T> {
    request.decode_with(envelope_data::<T>)
}
