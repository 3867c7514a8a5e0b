//! RingCentral Engage Digital (RingCX Digital, formerly Dimelo SMCC) **Channel SDK**: the
//! signed Send API client, the polling endpoint and their wire types.
//!
//! A Channel SDK integration ("source") talks to Engage Digital in two directions that share one
//! signature scheme — lowercase hex HMAC-SHA-512 of the raw body, keyed with the channel's API
//! access token, in `X-SMCCSDK-SIGNATURE` ([`Signer`]):
//!
//! * **Send API** ([`SendApiClient`]): you `POST {"action", "params"}` to
//!   `https://<domain>/realtime/sdk/<source_id>` to push messages, private messages, threads and
//!   users, mark agent contents as read and show typing. Success is documented as HTTP 200 with
//!   the body `ok`; like the official clients, any 2xx is success ([`Accepted`] keeps the body).
//!   The endpoint is the domain or the whole "Realtime endpoint URL" of the channel settings.
//! * **Polling endpoint** ([`inbound`]): Engage Digital calls your endpoint
//!   (`implementation.info`, `messages.list`, agent replies as `messages.create`, ...). You
//!   implement [`inbound::Source`]; [`inbound::Endpoint`] verifies each request over its raw
//!   bytes, decodes it and signs your answer. The Send API only accepts actions declared in your
//!   `implementation.info` answer ([`inbound::ImplementationInfo`]), so you need both.
//!
//! Sending:
//!
//! ```no_run
//! # async fn run() -> Result<(), deskwire_engage_digital::Error> {
//! use deskwire_core::Secret;
//! use deskwire_engage_digital::wire::{Message, TypingStart, TypingTarget, User};
//! use deskwire_engage_digital::{SendApiClient, TypingLimit};
//!
//! let client = SendApiClient::builder("https://yourdomain.engagement.dimelo.com", "8da592bc6fcf8bae41b2",
//!                                     Secret::new("<API access token>"))
//!     .typing_limit(TypingLimit::Wait)
//!     .build()?;
//! let alice = User::new("42", "Alice", "2017-11-06");
//! client.typing_start(&TypingStart::new(TypingTarget::thread("888"), "Nice po")).await?;
//! client.create_message(&Message::new("890", "888", alice).body("Nice post !")).await?;
//! # Ok(()) }
//! ```
//!
//! # What is documented and what is inferred
//!
//! | behaviour | status |
//! |-|-|
//! | signature, endpoint, `ok` answer, the 13 error rows, 20 MiB limit, typing rule | documented (Send API page; the rendered page is newer than the Markdown copy and its typing rule is the one applied) |
//! | error body format | **unknown**: answers are matched by status and text, whether plain text or JSON such as `{"error": "..."}` |
//! | date formats | **unknown**: the docs say ISO 8601 but print `06/11/2017`; [`wire::DateTime`] emits RFC 3339 and keeps other text verbatim |
//! | creates are repeated only when nothing was sent | **chosen**: creates carry your `id`, but no document says Engage Digital treats a repeated id as the same content; a create whose fate is unknown is `Delivery::MaybeDelivered`, yours to resend with the same id | |
//! | `Content-Type: application/json` | not required by the docs; sent because every official SDK sends it |
//! | `User.updated_at` | marked required but missing from the docs' own examples, so optional here |
//! | structured-content limits | documented for the general structured-messages feature; applied to the Send API before sending |
//!
//! The polling endpoint's own table (query-parameter signatures, `destroy`, "not implemented"
//! answers) is in [`inbound`].
//!
//! # Features
//!
//! Without default features the crate is wire types, signing, validation and the polling
//! endpoint, with no HTTP client or async runtime.
//!
//! * `client` (default): [`SendApiClient`] on reqwest and tokio.
//! * `tracing` (with `client` or `axum`): the endpoint's warnings as `tracing` events.
//! * `inline-attachments` (with `client`): [`wire::Attachment::inline`], which base64-encodes
//!   bytes.
//! * `channel` (default): [`channel::EngageDigitalChannel`], Engage Digital behind the
//!   provider-neutral `deskwire_core::channel::Channel` trait, with its mapping table.
//! * `testing`: [`testing::SignedBy`], a wiremock matcher that checks the signature header.
//! * `axum`: `inbound::axum::router`, the polling endpoint as an axum router that refuses
//!   oversized bodies without reading them whole.
//!
//! # Errors
//!
//! Every failure is an [`Error`]; [`Error::delivery`] says whether the request may have reached
//! Engage Digital. Invalid input and over-limit bodies fail before anything is sent.
#![warn(missing_docs)]

#[cfg(feature = "channel")]
pub mod channel;
#[cfg(feature = "client")]
mod client;
mod error;
pub mod inbound;
mod sign;
#[cfg(feature = "testing")]
pub mod testing;
#[cfg(feature = "client")]
mod typing;
pub mod validate;
pub mod wire;

#[cfg(feature = "client")]
pub use client::{SendApiClient, SendApiClientBuilder, SignedRequest};
pub use error::{rejection_of, Accepted, EngageDigital, EngageDigitalFailure, Error, Rejection, RejectionOf};
pub use sign::{Signer, SIGNATURE_HEADER, SIGNATURE_QUERY_PARAM};
#[cfg(feature = "client")]
pub use typing::{TypingLimit, TYPING_START_INTERVAL};
