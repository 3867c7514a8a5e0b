//! Directly's Messaging API for Rust: a customer's question goes to Directly's experts, and the
//! experts' responses come back.
//!
//! * [`DirectlyClient`]: every documented endpoint ([`api`] has the table) with a bearer token
//!   obtained, cached, renewed before it expires and once after a 401, and revoked by
//!   [`DirectlyClient::logout`] ([`auth`]). The end user a call acts for is a first-class
//!   [`UserEmail`] argument.
//! * [`inbound::QuestionWatcher`]: polls with `lastChecked` (304 = nothing new), diffs snapshots
//!   into [`inbound::QuestionEvent`]s — new response, new message (user, expert, system), system
//!   message removed, accepted, status changed, rerouted, closed — once each, resumable.
//! * [`inbound::ConnectorReceiver`]: Universal Connector deliveries, checked by your rule.
//! * [`wire`]: the data model, lenient where the guide's examples are thin.
//!
//! # The guide's flow
//!
//! ```no_run
//! # async fn run() -> Result<(), deskwire_directly::Error> {
//! use deskwire_core::Secret;
//! use deskwire_directly::api::questions::Polled;
//! use deskwire_directly::wire::NewQuestion;
//! use deskwire_directly::{Credentials, DirectlyClient, UserEmail};
//!
//! // 1. credentials; the token is obtained on the first call
//! let client = DirectlyClient::builder(Credentials::client_credentials("<id>", Secret::new("<secret>"))).build()?;
//! let user = UserEmail::new("ana@example.com")?;
//! // 2. ask
//! let question = client.create_question(&NewQuestion::new(&user, "Ana", "My router blinks red")).await?;
//! // 3. poll: 200 with the question when something changed, 304 otherwise
//! let mut last_checked = question.latest_update().cloned();
//! let answered = loop {
//!     match client.get_question_if_changed(&question.uuid, last_checked.as_ref()).await? {
//!         Polled::Changed(q) if !q.responses().is_empty() => break q,
//!         Polled::Changed(q) => last_checked = q.latest_update().cloned().or(last_checked),
//!         Polled::NotModified => tokio::time::sleep(std::time::Duration::from_secs(10)).await,
//!     }
//! };
//! // 4. accept the response
//! let response = answered.latest_response().expect("a response");
//! client.accept_response(&response.uuid, &user).await?;
//! // 5. revoke the token
//! client.logout().await?;
//! # Ok(()) }
//! ```
//!
//! # Documented, inferred, uncertain
//!
//! The full REST reference is not public. What this crate does rests on:
//!
//! | fact | source | here |
//! |---|---|---|
//! | envelope `{meta, data, error}`, status codes 200/201/304/400/401/403/404/405/500, ISO-8601 UTC dates, 8-4-4-4-12 UUIDs, the 13 system messages | the Getting Started guide | [`wire`], [`Error`] variants per status |
//! | paths and bodies of every call, the data model, 19 message types, 8 statuses, `meta.correlationId`, dotted search keys | Directly's own TypeScript client (`directly-api` 1.1.2) | [`api`], [`wire`] |
//! | list answers under top-level `questions` vs `data.questions` | conflicting | both read |
//! | token endpoint `oauth/token`, `client_credentials`, form encoding, RFC 6749 answer, `expires_in` | **inferred** | [`auth::TokenSettings`], every part configurable |
//! | `oauth/logout` request shape | **inferred** (POST with the bearer) | path configurable |
//! | `/expire` method, classification query, predictive-routing body | **inferred** | noted on each call; [`DirectlyClient::send`] for anything else |
//! | whether `lastChecked` compares strictly, `ETag` support | **unknown** | the watcher de-duplicates by message id |
//! | Universal Connector authenticity | **undocumented** | [`inbound::ConnectorReceiver`] takes your check |
//!
//! The guide's own data-model example is not valid JSON and prints a response uuid
//! `"abcd-7890"`; decoding keeps such ids as they are ([`wire::Uuid`]), while ids you type in
//! are checked.
//!
//! # Features
//!
//! * `channel` (default): [`channel::DirectlyChannel`], Directly behind the provider-neutral
//!   `deskwire_core::channel::Channel` trait (questions, messages, watcher events), with its
//!   mapping table.
#![warn(missing_docs)]

#[cfg(feature = "client")]
pub mod api;
#[cfg(feature = "client")]
pub mod auth;
#[cfg(feature = "channel")]
pub mod channel;
#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
mod connection;
mod error;
pub mod inbound;
#[cfg(feature = "client")]
mod request;
pub mod wire;

#[cfg(feature = "client")]
pub use api::automation::Health;
#[cfg(feature = "client")]
pub use api::questions::{Polled, QuestionPoll};
#[cfg(feature = "client")]
pub use auth::Credentials;
#[cfg(feature = "client")]
pub use client::{DirectlyClient, DirectlyClientBuilder, DEFAULT_BASE_URL};
#[cfg(feature = "client")]
pub use connection::{envelope_data, typed};
pub use error::{correlation_id, Directly, DirectlyFailure, Error, ErrorDetail, TokenError};
#[cfg(feature = "client")]
pub use request::{ApiRequest, RawAnswer, Request};
pub use wire::UserEmail;
