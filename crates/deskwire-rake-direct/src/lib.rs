//! **Rake Direct**: Rake's one inbound endpoint, `POST {base}/workspaces/{workspaceId}/rake-direct`,
//! for sending SMS / Messenger messages to customers, posting into channels and sessions, and
//! running sessions managed from a 3rd-party chat system or your own widget.
//!
//! Each documented scenario is its own type in [`wire`] — [`Outbound`](wire::Outbound),
//! [`PostToSession`](wire::PostToSession), [`OpenSession`](wire::OpenSession),
//! [`CloseSession`](wire::CloseSession) — so a combination the docs do not describe cannot be
//! built. [`RakeDirectClient`] adds the workspace `secret` (which travels **inside the JSON
//! body**) when it encodes, and keeps it out of every log, error and `Debug` output.
//! [`inbound`] verifies and decodes what Rake delivers to your `returnWebhookUrl`.
//!
//! ```no_run
//! # async fn run() -> Result<(), deskwire_rake_direct::Error> {
//! use deskwire_core::Secret;
//! use deskwire_rake_direct::wire::{Contact, OpenSession, PlatformId, PostToSession, ReturnWebhook};
//! use deskwire_rake_direct::RakeDirectClient;
//!
//! let client = RakeDirectClient::builder("my-workspace", Secret::new("<workspace secret>")).build()?;
//! let hook = ReturnWebhook::new("https://crm.example.com/rake", Secret::new("<webhook secret>")).custom("ticket-9");
//! let opened = client
//!     .open_session(OpenSession::third_party(hook, PlatformId::Sms, Contact::phone("123456789012"), "Hello!", 3600))
//!     .await?;
//! client.send(PostToSession::new(opened.session_id, "An agent will be with you shortly.")).await?;
//! client.close_session(opened.session_id).await?;
//! # Ok(()) }
//! ```
//!
//! # What is documented and what is inferred
//!
//! Rake publishes a page of [use case scenarios](https://hackmd.io/@9pOGaLzOSNmFnnEG6Et3LA/B1Ry5dOru) and a few
//! [dev notes](https://hackmd.io/@9pOGaLzOSNmFnnEG6Et3LA/HJ6PJr0Ar); there is no API reference.
//!
//! | behaviour | status | how to adjust |
//! |-|-|-|
//! | endpoint, `secret` in the body, the four request shapes, `session.timeout` 1 for transactional sends | documented (use cases) | |
//! | platform ids 1 SMS, 3 Messenger, 8 Rake app; `receiveEvents`; `timeout: 0` closes | dev notes | [`PlatformId::Other`](wire::PlatformId::Other) for other ids |
//! | `session.timeout` is in seconds | **inferred** ("1 second", 3600) | |
//! | `Content-Type: application/json` | **inferred** (the use cases' curl sets none) | |
//! | answer shape and where `sessionId` sits | **undocumented**: looked for at `/sessionId`, `/data/sessionId`, `/session/id`, then a bare number; the raw body is kept | `RakeDirectClientBuilder::session_id_pointers` |
//! | error statuses and bodies | **undocumented**: classified by status alone ([`Error::Rejected`], [`Error::RateLimited`], [`Error::Server`]), body kept | |
//! | sends and opens are not safe to repeat | **inferred**: retried only when nothing left the machine; closes are retried | `RakeDirectClientBuilder::retry_policy` |
//! | `{{...}}` placeholders in `message` | **undocumented** whether Rake fills them: sent as written | |
//! | return-webhook payload and authenticity | **undocumented**: raw JSON + best-effort fields; you choose the check | [`inbound::Proof`] |
//! | phone numbers are digits (an optional leading `+` is accepted) | **inferred** from the example | |
//!
//! # Features
//!
//! * `channel` (default): [`channel::RakeDirectChannel`], Rake Direct behind the
//!   provider-neutral `deskwire_core::channel::Channel` trait, with its mapping table.
//!
//! # Errors
//!
//! Every failure is an [`Error`]; [`Error::delivery`] says whether the request may have reached
//! Rake. Invalid input fails before anything is sent.
#![warn(missing_docs)]

#[cfg(feature = "channel")]
pub mod channel;
#[cfg(feature = "client")]
mod client;
mod error;
pub mod inbound;
pub mod validate;
pub mod wire;

#[cfg(feature = "client")]
pub use client::{PreparedRequest, RakeDirectClient, RakeDirectClientBuilder, SessionOpened, DEFAULT_BASE_URL};
pub use error::{Error, RakeDirect, RakeFailure};
