//! The sending engine every provider client runs on (feature `client`).
//!
//! * [`ClientConfig`] — what every client builder embeds: base URL, transport settings,
//!   retry policy, a shared `reqwest::Client`; [`client_config_setters!`](crate::client_config_setters)
//!   gives a builder the same setters as every other builder.
//! * [`Request<T>`] — one call described, not sent (async-stripe style): operation name,
//!   method, path under the API's base, query, headers, [`Body`], whether repeating it is
//!   harmless, and how a success answer decodes into `T`.
//! * [`Connection<P>`] — sends a request under the retry policy ([`retry::drive`](crate::retry::drive),
//!   once) with the two hooks a [`Provider`] supplies: how to authenticate an attempt (a token
//!   header, a bearer token renewed once after a refusal; a body signature or a secret in the
//!   body is added when the request is built, so the signed bytes are the sent bytes) and how to
//!   read a refusal into the provider's typed error.
//!
//! A provider crate keeps only what is its own: wire types, its [`Provider`] (auth and
//! classification), its validation.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use deskwire_core::engine::{Authorized, ClientConfig, Connection, Head, Provider, RawAnswer, Request};
//! use deskwire_core::{ClientError, NoSpecific, ProviderKind};
//!
//! #[derive(Debug)]
//! struct MyDesk;
//! impl ProviderKind for MyDesk {
//!     const NAME: &'static str = "My desk";
//!     const KEY: &'static str = "my-desk";
//!     type Detail = ();
//!     type Specific = NoSpecific;
//! }
//! impl Provider for MyDesk {
//!     type Kind = MyDesk;
//!     type Credential = ();
//!     fn name(&self) -> &'static str { "my-desk" }
//!     // A token header on every attempt (the default adds nothing).
//!     async fn authorize(&self, _: &Head) -> Result<Authorized<()>, ClientError<MyDesk>> {
//!         Ok(Authorized::header(http::header::AUTHORIZATION, http::HeaderValue::from_static("Token t")))
//!     }
//!     fn detail(&self, _: &Head, _: &RawAnswer) {}
//! }
//!
//! let conn = Connection::new(&ClientConfig::new("https://desk.example"), &["api"], MyDesk)?;
//! let request: Request<serde_json::Value> = Request::get("things.list", &["things"]).decode_json();
//! let things = conn.send(&request).await?;
//! # let _ = things; Ok(()) }
//! ```

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};
use http::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tracing::Instrument as _;

use crate::client_error::{ClientError, ProviderKind};
use crate::error::{ApiError, DecodeError, EncodeError, TransportError, TransportErrorKind};
use crate::retry::{drive, Attempt, Decision, Outcome, Repeat, RetryPolicy};
use crate::transport::{endpoint_url, execute, TransportConfig};

/// What every client builder holds: where the API is, how to reach it, how to retry.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The API's host (`https://<domain>`), possibly behind a path prefix (a proxy).
    pub base_url: String,
    /// Timeouts and `User-Agent` of the HTTP client built when none is shared.
    pub transport: TransportConfig,
    /// How single requests are retried.
    pub retry: RetryPolicy,
    /// A shared HTTP client (its own timeouts and user agent then apply, not `transport`'s).
    pub http: Option<reqwest::Client>,
}

impl ClientConfig {
    /// A configuration for the API at `base_url`, with default transport and retry policy.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            transport: TransportConfig::default(),
            retry: RetryPolicy::default(),
            http: None,
        }
    }

    /// The shared client, or one built from [`Self::transport`].
    pub fn http_client(&self) -> Result<reqwest::Client, TransportError> {
        match &self.http {
            Some(http) => Ok(http.clone()),
            None => self.transport.build_client(),
        }
    }
}

/// The setters every client builder has, written once: `base_url`, `transport`, `timeout`,
/// `user_agent`, `retry_policy`, `http_client`. Use inside the builder's `impl` block, naming
/// its [`ClientConfig`] field.
#[macro_export]
macro_rules! client_config_setters {
    ($config:ident) => {
        /// Replaces the API's base URL (a regional host, a proxy, a local simulator).
        pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
            self.$config.base_url = base_url.into();
            self
        }

        /// HTTP settings: timeouts and `User-Agent` (ignored with [`Self::http_client`]).
        pub fn transport(mut self, transport: $crate::transport::TransportConfig) -> Self {
            self.$config.transport = transport;
            self
        }

        /// Time allowed for a whole request, answer included (default 30 s).
        pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.$config.transport.timeout = timeout;
            self
        }

        /// The `User-Agent` header (default `deskwire/<version>`).
        pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
            self.$config.transport.user_agent = user_agent.into();
            self
        }

        /// How single requests are retried ([`RetryPolicy::never`](
        /// $crate::retry::RetryPolicy::never) turns retries off). Creates are repeated only when
        /// they provably never left the machine.
        pub fn retry_policy(mut self, retry: $crate::retry::RetryPolicy) -> Self {
            self.$config.retry = retry;
            self
        }

        /// Shares an existing `reqwest::Client` (connection pool, proxy, TLS settings); its own
        /// timeouts and user agent then apply.
        pub fn http_client(mut self, http: ::reqwest::Client) -> Self {
            self.$config.http = Some(http);
            self
        }
    };
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// No body.
    Empty,
    /// JSON, encoded once.
    Json(Bytes),
    /// Exact bytes with their content type (a body signed or built elsewhere).
    Bytes {
        /// `Content-Type`.
        content_type: HeaderValue,
        /// The bytes.
        bytes: Bytes,
    },
    /// `multipart/form-data`: text fields and files, in order.
    Multipart(Vec<FormPart>),
}

impl Body {
    /// The bytes that will be sent, when they are known before sending (not multipart).
    pub fn bytes(&self) -> Option<&Bytes> {
        match self {
            Self::Json(b) | Self::Bytes { bytes: b, .. } => Some(b),
            Self::Empty | Self::Multipart(_) => None,
        }
    }
}

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq)]
pub enum FormPart {
    /// A text field.
    Text {
        /// Field name.
        name: String,
        /// Value.
        value: String,
    },
    /// A file.
    File {
        /// Field name.
        name: String,
        /// File name.
        file_name: String,
        /// MIME type (`application/octet-stream` when absent).
        content_type: Option<String>,
        /// Content.
        bytes: Bytes,
    },
}

/// Which base a request's path is under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// The API's base (`{base_url}/<api prefix>`).
    Api,
    /// The host itself (`{base_url}`), for paths outside the API prefix (a health check).
    Root,
}

/// Everything about a request but how its answer decodes: what hooks and traces look at.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    operation: Cow<'static, str>,
    method: Method,
    path: Vec<String>,
    query: Vec<(String, String)>,
    // A list, not a `HeaderMap`: a request carries one or two headers of its own, and a map
    // hashes each name and allocates its table (a twentieth of preparing a signed message).
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Body,
    repeat: Repeat,
    base: Base,
    not_modified: bool,
    public: bool,
    marks: Vec<&'static str>,
}

impl Head {
    /// Operation name, for traces (`contacts.create`).
    pub fn operation(&self) -> &str {
        &self.operation
    }

    /// HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// Path segments under the base (each sent percent-encoded as one segment).
    pub fn path(&self) -> &[String] {
        &self.path
    }

    /// Query pairs.
    pub fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    /// Headers of this request (a body signature, say), in the order added; auth headers come
    /// from the provider.
    pub fn headers(&self) -> &[(HeaderName, HeaderValue)] {
        &self.headers
    }

    /// The first value of the header `name` (compared as header names are, without case).
    ///
    /// ```
    /// use deskwire_core::engine::Request;
    /// use http::{HeaderName, HeaderValue};
    /// let request = Request::post("notes.create", &["notes"])
    ///     .header(HeaderName::from_static("x-signature"), HeaderValue::from_static("ab12"));
    /// assert_eq!(request.head().header("X-Signature").unwrap(), "ab12");
    /// assert!(request.head().header("x-other").is_none());
    /// ```
    pub fn header(&self, name: &str) -> Option<&HeaderValue> {
        self.headers
            .iter()
            .find(|(n, _)| n.as_str().eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The body.
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// Whether repeating the request could duplicate its effect.
    pub fn repeat(&self) -> Repeat {
        self.repeat
    }

    /// The base the path is under.
    pub fn base(&self) -> Base {
        self.base
    }

    /// Whether `304 Not Modified` is an answer rather than an error (a conditional read).
    pub fn accepts_not_modified(&self) -> bool {
        self.not_modified
    }

    /// Whether the request is sent without credentials.
    pub fn is_public(&self) -> bool {
        self.public
    }

    /// Whether the provider marked the request with `mark` (its own classification rules).
    pub fn has_mark(&self, mark: &str) -> bool {
        self.marks.contains(&mark)
    }
}

/// How a success answer becomes `T`.
pub type Decoder<T> = fn(&RawAnswer) -> Result<T, DecodeError>;

/// One call, described and ready to send; `T` is what its success answer decodes to.
///
/// GET requests may be repeated after a lost answer; others only when nothing was sent, unless
/// marked [`idempotent`](Self::idempotent).
#[derive(Debug, Clone)]
pub struct Request<T> {
    head: Head,
    decode: Decoder<T>,
}

impl<T> PartialEq for Request<T> {
    fn eq(&self, other: &Self) -> bool {
        self.head == other.head
    }
}

fn raw(answer: &RawAnswer) -> Result<RawAnswer, DecodeError> {
    Ok(answer.clone())
}

impl Request<RawAnswer> {
    /// A call of `method` on `path` (segments under the API's base), answering the raw answer.
    pub fn new<S: ToString>(operation: impl Into<Cow<'static, str>>, method: Method, path: &[S]) -> Self {
        let repeat = if method == Method::GET || method == Method::HEAD {
            Repeat::Safe
        } else {
            Repeat::OnlyIfNotSent
        };
        Self {
            head: Head {
                operation: operation.into(),
                method,
                path: path.iter().map(ToString::to_string).collect(),
                query: Vec::new(),
                headers: Vec::new(),
                body: Body::Empty,
                repeat,
                base: Base::Api,
                not_modified: false,
                public: false,
                marks: Vec::new(),
            },
            decode: raw,
        }
    }

    /// `GET` `path`.
    pub fn get<S: ToString>(operation: impl Into<Cow<'static, str>>, path: &[S]) -> Self {
        Self::new(operation, Method::GET, path)
    }

    /// `POST` `path`.
    pub fn post<S: ToString>(operation: impl Into<Cow<'static, str>>, path: &[S]) -> Self {
        Self::new(operation, Method::POST, path)
    }
}

impl<T> Request<T> {
    /// The request's head.
    pub fn head(&self) -> &Head {
        &self.head
    }

    /// Decodes the answer with the request's decoder.
    pub fn decode(&self, answer: &RawAnswer) -> Result<T, DecodeError> {
        (self.decode)(answer)
    }

    /// The same request answering `U`, decoded by `decode`.
    pub fn decode_with<U>(self, decode: Decoder<U>) -> Request<U> {
        Request {
            head: self.head,
            decode,
        }
    }

    /// The same request answering `U`, decoded from the JSON body.
    pub fn decode_json<U: DeserializeOwned>(self) -> Request<U> {
        self.decode_with(json_answer::<U>)
    }

    /// The same request answering nothing (the body is not read).
    pub fn decode_unit(self) -> Request<()> {
        self.decode_with(|_| Ok(()))
    }

    /// Adds query pairs.
    pub fn query<I: IntoIterator<Item = (String, String)>>(mut self, pairs: I) -> Self {
        self.head.query.extend(pairs);
        self
    }

    /// Adds a header (a body signature, a content negotiation header).
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.head.headers.push((name, value));
        self
    }

    /// A JSON body, encoded once.
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self, EncodeError> {
        let bytes = serde_json::to_vec(body).map_err(|e| EncodeError(e.to_string()))?;
        self.head.body = Body::Json(Bytes::from(bytes));
        Ok(self)
    }

    /// Exact body bytes with their content type.
    pub fn bytes(mut self, content_type: HeaderValue, bytes: impl Into<Bytes>) -> Self {
        self.head.body = Body::Bytes {
            content_type,
            bytes: bytes.into(),
        };
        self
    }

    /// A multipart body.
    pub fn multipart(mut self, parts: Vec<FormPart>) -> Self {
        self.head.body = Body::Multipart(parts);
        self
    }

    /// Marks the call harmless to repeat (it changes nothing, sets a state absolutely, or the
    /// provider de-duplicates it).
    pub fn idempotent(mut self) -> Self {
        self.head.repeat = Repeat::Safe;
        self
    }

    /// Marks the call as unsafe to repeat once it may have been sent.
    pub fn not_idempotent(mut self) -> Self {
        self.head.repeat = Repeat::OnlyIfNotSent;
        self
    }

    /// The path is under the host itself, not the API prefix.
    pub fn at_root(mut self) -> Self {
        self.head.base = Base::Root;
        self
    }

    /// A conditional read: `304 Not Modified` is an answer (with an empty body).
    pub fn accept_not_modified(mut self) -> Self {
        self.head.not_modified = true;
        self
    }

    /// Sent without credentials.
    pub fn public(mut self) -> Self {
        self.head.public = true;
        self
    }

    /// A provider's own mark, read by its classification.
    pub fn mark(mut self, mark: &'static str) -> Self {
        self.head.marks.push(mark);
        self
    }
}

/// Decodes a JSON success answer; a body of the wrong shape keeps its raw text.
pub fn json_answer<T: DeserializeOwned>(answer: &RawAnswer) -> Result<T, DecodeError> {
    serde_json::from_slice(&answer.body).map_err(|e| DecodeError {
        status: answer.status,
        reason: e.to_string(),
        raw_body: String::from_utf8_lossy(&answer.body).into_owned(),
    })
}

/// An answer the engine read: status, `Retry-After`, the server's `Date`, the whole body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAnswer {
    /// HTTP status.
    pub status: u16,
    /// `Retry-After`, when present and readable.
    pub retry_after: Option<Duration>,
    /// The server's clock (`Date`), when present and readable.
    pub date: Option<SystemTime>,
    /// The body (empty for a 304).
    pub body: Bytes,
}

impl RawAnswer {
    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// What authenticates one round of attempts: headers to add, and what the provider needs to
/// renew them after a refusal.
#[derive(Debug, Clone)]
pub struct Authorized<C> {
    /// Headers added to every attempt (values should be marked sensitive).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The provider's handle on these credentials (a token generation, say).
    pub credential: C,
}

impl Authorized<()> {
    /// No credentials (the request carries its own, or needs none).
    pub fn none() -> Self {
        Self {
            headers: Vec::new(),
            credential: (),
        }
    }

    /// One header, e.g. an access-token header.
    pub fn header(name: HeaderName, value: HeaderValue) -> Self {
        Self {
            headers: vec![(name, value)],
            credential: (),
        }
    }
}

/// What a provider crate tells the engine: how to authenticate, how to read a refusal.
pub trait Provider: Send + Sync + 'static {
    /// The provider's kind: its name, error detail and own failures ([`ClientError`]).
    type Kind: ProviderKind;
    /// What [`Provider::renew`] needs about the credentials it is asked to replace (`()` when
    /// there is nothing to renew).
    type Credential: Send + Sync + Default;

    /// Provider key, for traces (`chatlake`).
    fn name(&self) -> &'static str;

    /// Credentials for a round of attempts of `head` (not called for public requests). The
    /// default adds nothing: for a signed endpoint the body carries its own proof (a signature
    /// or a secret added when the request was built).
    fn authorize(
        &self,
        head: &Head,
    ) -> impl std::future::Future<Output = Result<Authorized<Self::Credential>, ClientError<Self::Kind>>> + Send {
        let _ = head;
        async {
            Ok(Authorized {
                headers: Vec::new(),
                credential: Self::Credential::default(),
            })
        }
    }

    /// Called when a round ended in `error`: renew the credentials and answer `true` to send
    /// the request once more (a rejected bearer token). The default renews nothing.
    fn renew(
        &self,
        credential: &Self::Credential,
        error: &ClientError<Self::Kind>,
    ) -> impl std::future::Future<Output = Result<bool, ClientError<Self::Kind>>> + Send {
        let _ = (credential, error);
        async { Ok(false) }
    }

    /// The `Content-Type` of JSON bodies (default `application/json`; Directly's own client
    /// sends `application/json; charset=UTF-8`).
    fn json_content_type(&self) -> HeaderValue {
        HeaderValue::from_static("application/json")
    }

    /// The provider's reading of a refusal's body.
    fn detail(&self, head: &Head, answer: &RawAnswer) -> <Self::Kind as ProviderKind>::Detail;

    /// A non-success answer as the provider's typed error; `attempts` is how many attempts
    /// were made, this one included. The default is [`ClientError::from_api`] with
    /// [`Provider::detail`].
    fn classify(&self, head: &Head, answer: RawAnswer, attempts: u32) -> ClientError<Self::Kind> {
        let detail = self.detail(head, &answer);
        ClientError::from_api(ApiError::from_answer(&answer, detail, attempts))
    }

    /// Whether to try again after `error`. The default: a provider-specific failure the
    /// provider marks permanent ([`ProviderError::is_retryable`](crate::ProviderError) `false`,
    /// e.g. a check that fails the same way every time) stops; anything else follows the
    /// policy. A provider overrides this only for a rule of its own (a client-side limit).
    fn decide(
        &self,
        policy: &RetryPolicy,
        head: &Head,
        attempt: u32,
        outcome: Outcome,
        retry_after: Option<Duration>,
        error: &ClientError<Self::Kind>,
    ) -> Decision {
        use crate::ProviderError as _;
        if let ClientError::Provider(specific) = error {
            if !specific.is_retryable() {
                return Decision::Stop;
            }
        }
        policy.decide_with_random_jitter(attempt, outcome, retry_after, head.repeat())
    }
}

/// A provider's connection: URL building, authentication, one retry loop, classification.
#[derive(Debug, Clone)]
pub struct Connection<P> {
    http: reqwest::Client,
    api: String,
    root: String,
    retry: RetryPolicy,
    provider: P,
}

/// Why a [`Connection`] could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// The base URL is not an http(s) URL.
    #[error("{0}")]
    BaseUrl(String),
    /// The HTTP client could not be built.
    #[error(transparent)]
    Http(#[from] TransportError),
}

impl<P: Provider> Connection<P> {
    /// A connection to `config.base_url` with the API under `api_prefix` (path segments).
    pub fn new(config: &ClientConfig, api_prefix: &[&str], provider: P) -> Result<Self, SetupError> {
        let root = endpoint_url(config.base_url.trim(), &[]).map_err(SetupError::BaseUrl)?;
        let api = endpoint_url(config.base_url.trim(), api_prefix).map_err(SetupError::BaseUrl)?;
        Ok(Self {
            http: config.http_client()?,
            api: api.to_string(),
            root: root.to_string(),
            retry: config.retry,
            provider,
        })
    }

    /// The API's base URL (`{base_url}/<api prefix>`).
    pub fn base_url(&self) -> &str {
        &self.api
    }

    /// Another API of the same server: the same base URL, HTTP client and retry policy, under
    /// `api_prefix`, for `provider` (a provider with two APIs, such as Chatwoot's Application and
    /// Client APIs, configures the second from the first).
    pub fn sibling<Q: Provider>(&self, api_prefix: &[&str], provider: Q) -> Result<Connection<Q>, SetupError> {
        let api = endpoint_url(&self.root, api_prefix).map_err(SetupError::BaseUrl)?;
        Ok(Connection {
            http: self.http.clone(),
            api: api.to_string(),
            root: self.root.clone(),
            retry: self.retry,
            provider,
        })
    }

    /// The provider.
    pub fn provider(&self) -> &P {
        &self.provider
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The URL of `head` (without its query).
    pub fn url(&self, head: &Head) -> Result<reqwest::Url, String> {
        let base = match head.base {
            Base::Api => &self.api,
            Base::Root => &self.root,
        };
        let segments: Vec<&str> = head.path.iter().map(String::as_str).collect();
        endpoint_url(base, &segments)
    }

    /// Sends `request` and decodes its success answer as JSON `T` (whatever the request's own
    /// decoder).
    pub async fn call<T: DeserializeOwned, U>(&self, request: &Request<U>) -> Result<T, ClientError<P::Kind>> {
        let answer = self.send_raw(request.head()).await?;
        json_answer(&answer).map_err(ClientError::from)
    }

    /// Sends `request` and ignores the body of its success answer.
    pub async fn call_unit<U>(&self, request: &Request<U>) -> Result<(), ClientError<P::Kind>> {
        self.send_raw(request.head()).await.map(drop)
    }

    /// Sends `request` and decodes its success answer.
    pub async fn send<T>(&self, request: &Request<T>) -> Result<T, ClientError<P::Kind>> {
        let answer = self.send_raw(request.head()).await?;
        request.decode(&answer).map_err(ClientError::<P::Kind>::from)
    }

    /// Sends `head` under the retry policy and returns the success answer (2xx, or 304 for a
    /// conditional read). After a round that failed, the provider may renew its credentials
    /// once and the request is sent once more.
    pub async fn send_raw(&self, head: &Head) -> Result<RawAnswer, ClientError<P::Kind>> {
        let url = self
            .url(head)
            .map_err(|why| ClientError::<P::Kind>::from(TransportError::new(TransportErrorKind::Build, why)))?;
        let span = tracing::info_span!(
            "request",
            provider = self.provider.name(),
            operation = head.operation(),
            method = %head.method(),
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
            renewed = tracing::field::Empty,
        );
        async {
            if head.is_public() {
                return self.round(head, &url, &[]).await;
            }
            let auth = self.provider.authorize(head).await?;
            match self.round(head, &url, &auth.headers).await {
                Err(error) if self.provider.renew(&auth.credential, &error).await? => {
                    tracing::Span::current().record("renewed", true);
                    let fresh = self.provider.authorize(head).await?;
                    self.round(head, &url, &fresh.headers).await
                }
                other => other,
            }
        }
        .instrument(span)
        .await
    }

    async fn round(
        &self,
        head: &Head,
        url: &reqwest::Url,
        auth: &[(HeaderName, HeaderValue)],
    ) -> Result<RawAnswer, ClientError<P::Kind>> {
        let span = tracing::Span::current();
        drive(
            |attempt| {
                span.record("attempts", attempt);
                self.once(head, url.clone(), auth, attempt)
            },
            |attempt, outcome, retry_after, error| {
                if let Outcome::Status(status) = outcome {
                    span.record("status", status);
                }
                self.provider
                    .decide(&self.retry, head, attempt, outcome, retry_after, error)
            },
        )
        .await
    }

    async fn once(
        &self,
        head: &Head,
        url: reqwest::Url,
        auth: &[(HeaderName, HeaderValue)],
        attempt: u32,
    ) -> Attempt<RawAnswer, ClientError<P::Kind>> {
        let mut builder = self
            .http
            .request(head.method.clone(), url)
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        if !head.query.is_empty() {
            builder = builder.query(&head.query);
        }
        for (name, value) in auth {
            builder = builder.header(name.clone(), value.clone());
        }
        for (name, value) in &head.headers {
            builder = builder.header(name.clone(), value.clone());
        }
        builder = match &head.body {
            Body::Empty => builder,
            Body::Json(bytes) if head.headers.iter().any(|(name, _)| name == CONTENT_TYPE) => {
                builder.body(bytes.clone())
            }
            Body::Json(bytes) => builder
                .header(CONTENT_TYPE, self.provider.json_content_type())
                .body(bytes.clone()),
            Body::Bytes { content_type, bytes } => {
                builder.header(CONTENT_TYPE, content_type.clone()).body(bytes.clone())
            }
            Body::Multipart(parts) => match form(parts) {
                Ok(form) => builder.multipart(form),
                Err(e) => {
                    return (
                        Outcome::Transport(TransportErrorKind::Build),
                        None,
                        Err(ClientError::<P::Kind>::from(e)),
                    )
                }
            },
        };
        let answer = match execute(builder).await {
            Ok(answer) => answer,
            Err(mut error) => {
                error.attempts = attempt;
                return (Outcome::Transport(error.kind), None, Err(error.into()));
            }
        };
        let outcome = Outcome::Status(answer.status);
        let retry_after = answer.retry_after;
        let success = (200..300).contains(&answer.status) || (answer.status == 304 && head.not_modified);
        let answer = RawAnswer {
            status: answer.status,
            retry_after: answer.retry_after,
            date: answer.date,
            // A 304 has no body by definition; whatever came is not read.
            body: if answer.status == 304 {
                Bytes::new()
            } else {
                answer.body
            },
        };
        let result = if success {
            Ok(answer)
        } else {
            Err(self.provider.classify(head, answer, attempt))
        };
        (outcome, retry_after, result)
    }
}

fn form(parts: &[FormPart]) -> Result<reqwest::multipart::Form, TransportError> {
    let mut form = reqwest::multipart::Form::new();
    for part in parts {
        form = match part {
            FormPart::Text { name, value } => form.text(name.clone(), value.clone()),
            FormPart::File {
                name,
                file_name,
                content_type,
                bytes,
            } => {
                let file = reqwest::multipart::Part::stream(reqwest::Body::from(bytes.clone()))
                    .file_name(file_name.clone())
                    .mime_str(content_type.as_deref().unwrap_or("application/octet-stream"))
                    .map_err(|e| {
                        TransportError::new(TransportErrorKind::Build, format!("attachment `{file_name}`: {e}"))
                    })?;
                form.part(name.clone(), file)
            }
        };
    }
    Ok(form)
}
