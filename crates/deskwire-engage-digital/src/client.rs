//! `SendApiClient`: typed params -> validate -> JSON bytes (encoded once) -> signature of those
//! bytes -> `POST {endpoint}/realtime/sdk/{source_id}` -> `200 ok` or a typed error.
//!
//! Preparing ([`SendApiClient::prepare`]) is separate from sending
//! ([`SendApiClient::send_prepared`]), so the exact bytes and signature can be inspected, logged
//! or queued. Retries follow [`RetryPolicy`]; every attempt sends the same bytes.

use std::borrow::Cow;
use std::sync::Arc;

use deskwire_core::engine::{ClientConfig, Connection, Head, Provider, RawAnswer, Request};
use deskwire_core::mac::HmacSha512;
use deskwire_core::retry::{Decision, Outcome, Repeat, RetryPolicy};
use deskwire_core::transport::endpoint_url;
use deskwire_core::verify::Keys;
use deskwire_core::{DecodeError, EncodeError, Secret};
use http::HeaderValue;
use url::Url;

use crate::error::{rejection_of, Accepted, EngageDigital, EngageDigitalFailure, Error, Rejection, RejectionOf};
use crate::sign::{Signer, SIGNATURE_NAME};
use crate::typing::{Slot, TypingLimit, TypingLimiter, TYPING_START_INTERVAL};
use crate::validate;
use crate::wire::{
    Envelope, MarkAsRead, Message, PrivateMessage, SendParams, Thread, Typing, TypingStart, TypingStop, User,
};

/// The Send API on the core engine: the signature is part of each prepared request (the
/// signed bytes are the sent bytes), refusals carry the documented row they match, and a 429
/// typing refusal follows the caller's [`TypingLimit`] rather than the generic backoff.
#[derive(Debug)]
struct SendApi {
    typing: TypingLimiter,
}

impl Provider for SendApi {
    type Kind = EngageDigital;
    type Credential = ();

    fn name(&self) -> &'static str {
        "engage-digital"
    }

    fn detail(&self, _: &Head, answer: &RawAnswer) -> Option<Rejection> {
        rejection_of(answer.status, &answer.body)
    }

    /// A backoff shorter than the 2 s rule would only earn another 429.
    fn decide(
        &self,
        policy: &RetryPolicy,
        head: &Head,
        attempt: u32,
        outcome: Outcome,
        retry_after: Option<std::time::Duration>,
        error: &Error,
    ) -> Decision {
        if !matches!(error.rejection(), Some(Rejection::TooManyTypingRequests)) {
            return policy.decide_with_random_jitter(attempt, outcome, retry_after, head.repeat());
        }
        match self.typing.mode() {
            TypingLimit::Wait if attempt < policy.max_attempts => {
                Decision::RetryAfter(retry_after.unwrap_or(self.typing.interval()))
            }
            _ => Decision::Stop,
        }
    }
}

fn accepted(answer: &RawAnswer) -> Result<Accepted, DecodeError> {
    if !(answer.status == 200 && String::from_utf8_lossy(&answer.body).trim().trim_matches('"') == "ok") {
        tracing::debug!(status = answer.status, "accepted without the documented `ok` body");
    }
    Ok(Accepted {
        status: answer.status,
        body: answer.body.clone(),
    })
}

/// A request ready to send: validated, encoded once and signed.
#[derive(Debug, Clone)]
pub struct SignedRequest {
    action: Cow<'static, str>,
    request: Request<Accepted>,
    typing: Option<Typing>,
}

impl SignedRequest {
    /// The action name.
    pub fn action(&self) -> &str {
        &self.action
    }

    /// The exact bytes that will be sent.
    pub fn body(&self) -> &[u8] {
        self.request.head().body().bytes().map_or(&[], |b| &b[..])
    }

    /// The `X-SMCCSDK-SIGNATURE` value for [`Self::body`].
    pub fn signature(&self) -> &str {
        // Hex digits by construction, so the header is always text.
        self.request
            .head()
            .header(SIGNATURE_NAME.as_str())
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// Builder for [`SendApiClient`]: required arguments up front, optional settings after.
#[derive(Debug, Clone)]
#[must_use]
pub struct SendApiClientBuilder {
    config: ClientConfig,
    source_id: String,
    access_token: Secret,
    typing: TypingLimit,
}

impl SendApiClientBuilder {
    deskwire_core::client_config_setters!(config);

    /// What to do with a `typing.start` sent within 2 s of the previous one on a thread.
    pub fn typing_limit(mut self, typing: TypingLimit) -> Self {
        self.typing = typing;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<SendApiClient, Error> {
        // Core's rule for an empty secret, the same the endpoint applies.
        let keys = Keys::<HmacSha512>::new([&self.access_token]).map_err(|_| {
            Error::InvalidConfig("the access token is empty; copy it from the channel's settings".into())
        })?;
        let (url, source_id) = realtime_url(&self.config.base_url, &self.source_id)?;
        let config = ClientConfig {
            base_url: url.to_string(),
            ..self.config
        };
        let provider = SendApi {
            typing: TypingLimiter::new(self.typing, TYPING_START_INTERVAL),
        };
        let conn = Connection::new(&config, &[], provider).map_err(|e| Error::InvalidConfig(e.to_string()))?;
        Ok(SendApiClient {
            inner: Arc::new(Inner {
                conn,
                source_id,
                signer: Signer::from_mac(keys.current().clone()),
                keys,
            }),
        })
    }
}

/// The URL to post to, and the source id: `base` is either the domain (`https://<domain>`,
/// possibly behind a path prefix) or the whole "Realtime endpoint URL" the channel settings
/// show (`…/realtime/sdk/<source id>`), which is used as given.
fn realtime_url(base: &str, source_id: &str) -> Result<(Url, String), Error> {
    let parsed = Url::parse(base.trim()).map_err(|e| Error::InvalidConfig(format!("`{base}` is not a URL: {e}")))?;
    let segments: Vec<String> = parsed
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).map(percent_decode).collect())
        .unwrap_or_default();
    if let [.., realtime, sdk, named] = segments.as_slice() {
        if realtime == "realtime" && sdk == "sdk" {
            if !source_id.trim().is_empty() && source_id != named {
                return Err(Error::InvalidConfig(format!(
                    "the endpoint is the Realtime endpoint URL of source `{named}`, but the source id given is `{source_id}`"
                )));
            }
            let mut url = parsed.clone();
            url.set_query(None);
            url.set_fragment(None);
            // Checks the scheme and drops a trailing `/`.
            let url = endpoint_url(url.as_str(), &[]).map_err(Error::InvalidConfig)?;
            return Ok((url, named.clone()));
        }
    }
    if source_id.trim().is_empty() {
        return Err(Error::InvalidConfig(
            "the source id is empty; give it, or the whole Realtime endpoint URL from the channel's settings".into(),
        ));
    }
    let url = endpoint_url(base.trim(), &["realtime", "sdk", source_id]).map_err(Error::InvalidConfig)?;
    Ok((url, source_id.to_owned()))
}

fn percent_decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

/// Client of the Send API for one channel (source). Cheap to clone; clones share the HTTP
/// connection pool and the typing limiter.
///
/// ```no_run
/// # async fn run() -> Result<(), deskwire_engage_digital::Error> {
/// use deskwire_core::Secret;
/// use deskwire_engage_digital::{wire::{Format, Message, User}, SendApiClient};
///
/// let client = SendApiClient::builder(
///     "https://yourdomain.engagement.dimelo.com",
///     "8da592bc6fcf8bae41b2",
///     Secret::new(std::env::var("ENGAGE_DIGITAL_ACCESS_TOKEN").unwrap_or_default()),
/// )
/// .build()?;
/// let author = User::new("666", "John Doe", "2019-11-07");
/// client.create_message(&Message::new("890", "42", author).body("Awesome post !").format(Format::Text)).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct SendApiClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    conn: Connection<SendApi>,
    source_id: String,
    signer: Signer,
    /// The token as the endpoint takes it (the channel's endpoint shares it).
    keys: Keys<HmacSha512>,
}

impl SendApiClient {
    /// A builder from the channel settings' "Realtime endpoint URL"
    /// (`https://<domain>/realtime/sdk/<source id>`), posted to as given, and the API access
    /// token. The source id is read from the URL when the client is built.
    pub fn builder_for_url(realtime_endpoint_url: impl Into<String>, access_token: Secret) -> SendApiClientBuilder {
        Self::builder(realtime_endpoint_url, String::new(), access_token)
    }

    /// Starts a builder with the channel's endpoint base (`https://<domain>`) — or its whole
    /// "Realtime endpoint URL", used as given — its source id and its API access token.
    pub fn builder(
        endpoint: impl Into<String>,
        source_id: impl Into<String>,
        access_token: Secret,
    ) -> SendApiClientBuilder {
        SendApiClientBuilder {
            config: ClientConfig::new(endpoint),
            source_id: source_id.into(),
            access_token,
            typing: TypingLimit::default(),
        }
    }

    /// The URL requests are posted to.
    pub fn url(&self) -> &str {
        self.inner.conn.base_url()
    }

    /// The channel's source id.
    pub fn source_id(&self) -> &str {
        &self.inner.source_id
    }

    /// The signer keyed with this channel's token.
    pub fn signer(&self) -> &Signer {
        &self.inner.signer
    }

    /// The token as [`crate::inbound::Endpoint`] takes it.
    #[cfg(feature = "channel")]
    pub(crate) fn keys(&self) -> &Keys<HmacSha512> {
        &self.inner.keys
    }

    /// Validates, encodes once and signs `params`. Nothing is sent.
    pub fn prepare<P: SendParams + ?Sized>(&self, params: &P) -> Result<SignedRequest, Error> {
        params.validate()?;
        // Sized for a typical message so encoding does not reallocate on the hot path.
        let mut body = Vec::with_capacity(512);
        Envelope {
            action: params.action_name(),
            params,
        }
        .write_to(&mut body)
        .map_err(|e| EncodeError(e.to_string()))?;
        self.seal(
            Cow::Borrowed(params.action_name()),
            body,
            params.repeat(),
            params.typing(),
        )
    }

    /// Signs a body encoded elsewhere (a replay, another system's output) exactly as given.
    /// Only the size limit is checked, and the request is retried only when it provably never
    /// left the machine.
    pub fn prepare_bytes(&self, body: impl Into<Vec<u8>>) -> Result<SignedRequest, Error> {
        #[derive(serde::Deserialize)]
        struct ActionOnly {
            action: String,
        }
        let body = body.into();
        let action =
            serde_json::from_slice::<ActionOnly>(&body).map_or(Cow::Borrowed("unknown"), |a| Cow::Owned(a.action));
        self.seal(action, body, Repeat::OnlyIfNotSent, None)
    }

    fn seal(
        &self,
        action: Cow<'static, str>,
        body: Vec<u8>,
        repeat: Repeat,
        typing: Option<Typing>,
    ) -> Result<SignedRequest, Error> {
        validate::request_size(body.len())?;
        let value = self.inner.signer.header_value(&body);
        let request = Request::post(action.clone(), &[] as &[&str])
            .header(SIGNATURE_NAME, value)
            .bytes(HeaderValue::from_static("application/json"), body)
            .decode_with(accepted);
        let request = match repeat {
            Repeat::Safe => request.idempotent(),
            Repeat::OnlyIfNotSent => request,
        };
        Ok(SignedRequest {
            action,
            request,
            typing,
        })
    }

    /// Validates, signs and sends `params`.
    pub async fn send<P: SendParams + ?Sized>(&self, params: &P) -> Result<Accepted, Error> {
        let request = self.prepare(params)?;
        self.send_prepared(&request).await
    }

    /// Escape hatch for actions this crate does not model: sends `{"action", "params"}` as given.
    /// Only the size limit is checked, and the request is retried only when it provably never
    /// left the machine.
    pub async fn send_raw(&self, action: &str, params: &serde_json::Value) -> Result<Accepted, Error> {
        let body = serde_json::to_vec(&Envelope { action, params }).map_err(|e| EncodeError(e.to_string()))?;
        let request = self.seal(Cow::Owned(action.to_owned()), body, Repeat::OnlyIfNotSent, None)?;
        self.send_prepared(&request).await
    }

    /// Sends a prepared request, applying the typing limit and the retry policy.
    pub async fn send_prepared(&self, request: &SignedRequest) -> Result<Accepted, Error> {
        let typing = &self.inner.conn.provider().typing;
        match &request.typing {
            Some(Typing::Start(key)) => match typing.reserve(key, tokio::time::Instant::now()) {
                Slot::Now => {}
                Slot::After(wait) => tokio::time::sleep(wait).await,
                Slot::Refused(retry_in) => {
                    return Err(Error::Provider(EngageDigitalFailure::TypingThrottled {
                        key: key.clone(),
                        retry_in,
                    }))
                }
            },
            Some(Typing::Stop(key)) => typing.reset(key),
            None => {}
        }
        self.inner.conn.send(&request.request).await
    }

    /// `messages.create`: pushes a customer message.
    pub async fn create_message(&self, message: &Message) -> Result<Accepted, Error> {
        self.send(message).await
    }

    /// `private_messages.create`.
    pub async fn create_private_message(&self, message: &PrivateMessage) -> Result<Accepted, Error> {
        self.send(message).await
    }

    /// `threads.create`.
    pub async fn create_thread(&self, thread: &Thread) -> Result<Accepted, Error> {
        self.send(thread).await
    }

    /// `users.create`: creates an identity ahead of time (puppet users, PM recipients).
    pub async fn create_user(&self, user: &User) -> Result<Accepted, Error> {
        self.send(user).await
    }

    /// `status.mark_as_read` for your content id.
    pub async fn mark_as_read(&self, id: impl Into<String>) -> Result<Accepted, Error> {
        self.send(&MarkAsRead::new(id)).await
    }

    /// `typing.start`, subject to the one-per-2-seconds rule.
    pub async fn typing_start(&self, typing: &TypingStart) -> Result<Accepted, Error> {
        self.send(typing).await
    }

    /// `typing.stop`; also resets the thread's `typing.start` timer.
    pub async fn typing_stop(&self, typing: &TypingStop) -> Result<Accepted, Error> {
        self.send(typing).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realtime_url_is_built_from_the_base() {
        let url = |base, source| realtime_url(base, source).map(|(u, s)| (u.to_string(), s));
        for base in ["https://x.engagement.dimelo.com", "https://x.engagement.dimelo.com/"] {
            assert_eq!(
                url(base, "8da592bc6fcf8bae41b2").unwrap(),
                (
                    "https://x.engagement.dimelo.com/realtime/sdk/8da592bc6fcf8bae41b2".to_owned(),
                    "8da592bc6fcf8bae41b2".to_owned()
                )
            );
        }
        assert_eq!(
            url("http://127.0.0.1:9/proxy", "a/b").unwrap().0,
            "http://127.0.0.1:9/proxy/realtime/sdk/a%2Fb"
        );
        assert!(matches!(realtime_url("ftp://x", "1"), Err(Error::InvalidConfig(_))));
        assert!(matches!(realtime_url("not a url", "1"), Err(Error::InvalidConfig(_))));
        assert!(matches!(realtime_url("https://x", " "), Err(Error::InvalidConfig(_))));
    }

    /// The channel settings show the whole "Realtime endpoint URL"; it is used as given, never
    /// with the path doubled.
    #[test]
    fn the_whole_realtime_endpoint_url_is_used_as_given() {
        let full = "https://tenant.digital.ringcentral.com/realtime/sdk/5dc206a10e69dc66c5b55f21";
        for (base, source) in [
            (full, "5dc206a10e69dc66c5b55f21"),
            (full, ""),
            (
                "https://tenant.digital.ringcentral.com/realtime/sdk/5dc206a10e69dc66c5b55f21/",
                "",
            ),
            (
                "https://tenant.digital.ringcentral.com/realtime/sdk/5dc206a10e69dc66c5b55f21?signature=x",
                "",
            ),
        ] {
            let (url, source_id) = realtime_url(base, source).unwrap();
            assert_eq!(url.path(), "/realtime/sdk/5dc206a10e69dc66c5b55f21", "{base}");
            assert_eq!(url.query(), None);
            assert_eq!(source_id, "5dc206a10e69dc66c5b55f21");
        }
        let e = realtime_url(full, "other").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid Engage Digital client configuration: the endpoint is the Realtime endpoint URL of source `5dc206a10e69dc66c5b55f21`, but the source id given is `other`; nothing was sent"
        );
        assert!(realtime_url("https://tenant.example", "").is_err());
        let client = SendApiClient::builder_for_url(full, Secret::new("t")).build().unwrap();
        assert_eq!(client.url(), full);
    }

    #[test]
    fn an_empty_token_is_refused_at_build() {
        let err = SendApiClient::builder("https://x", "src", Secret::new(" "))
            .build()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid Engage Digital client configuration: the access token is empty; copy it from the channel's settings; nothing was sent"
        );
    }
}
