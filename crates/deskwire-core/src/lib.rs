//! Provider-neutral building blocks shared by every deskwire provider crate.
//!
//! * [`Secret`] — the one type that holds tokens and signing keys: redacted `Debug`, no `Display`,
//!   no `Serialize`, zeroized on drop.
//! * [`mac`] — keyed HMAC-SHA-512 / HMAC-SHA-256: the key schedule runs once per secret and the
//!   keyed state is cloned per message; lowercase hex out, constant-time verification that
//!   accepts either hex case.
//! * [`engine`] (feature `client`) — the sending engine every provider client runs on: one
//!   client configuration, typed request descriptions, one connection with the provider's auth
//!   and classification hooks.
//! * [`transport`] (feature `client`) — HTTP settings (timeouts, user agent, rustls) and the
//!   mapping of transport failures to "was it sent?".
//! * [`retry`] — a pure retry policy: `(attempt, outcome, Retry-After) -> Stop | RetryAfter(d)`.
//! * [`error`] — the error vocabulary every provider error is built from ([`ApiError`],
//!   [`StatusClass`]), the contract they all keep ([`ProviderError`]), and [`Delivery`], which
//!   tells a caller whether a failed request may still have reached the provider.
//!
//! * [`verify`] — one inbound shape: keys (several secrets, for rotation; an empty one
//!   refused), the proofs a desk may give, and the `Verify` trait every verifier implements.
//! * [`channel`] (feature `channel`) — the [`Channel`](channel::Channel) trait every provider implements: start a
//!   conversation, send, typing, mark read, close, and desk events from webhooks or polls;
//!   wrappers for retry, throttling and tracing.
//! * `axum` (feature `axum`) — one-line axum routes for any verifier or channel, and axum
//!   conversions for the inbound types.
//! * [`json`] — [`Extra`](json::Extra) and [`Json`](json::Json): unmodelled JSON kept whole, with
//!   credential-like keys redacted from `Debug` at any depth.
//! * [`json_writer`] — compact JSON written straight into a buffer, byte for byte what
//!   `serde_json` writes, for the bodies signed on a hot path.
//! * [`open_enum!`] — string enums with a fallback variant that keeps unknown values.
//!
//! This crate knows no provider.
//!
//! ```
//! use deskwire_core::{mac::HmacSha512, Secret};
//!
//! let signer = HmacSha512::new(&Secret::new("key"));
//! let sig = signer.sign_hex(b"{}");
//! assert!(signer.verify_hex(b"{}", &sig.to_uppercase()).is_ok());
//! ```
#![warn(missing_docs)]

#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "channel")]
pub mod channel;
pub mod check;
mod client_error;
mod ct;
#[cfg(feature = "client")]
pub mod engine;
pub mod error;
pub mod inbound;
pub mod json;
pub mod json_writer;
pub mod mac;
mod open_enum;
pub mod retry;
mod secret;
#[cfg(feature = "channel")]
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;
#[cfg(feature = "client")]
pub mod transport;
pub mod verify;

pub use client_error::{ClientError, NoSpecific, ProviderKind};
pub use error::{
    ApiError, DecodeError, Delivery, EncodeError, ProviderError, StatusClass, TransportError, TransportErrorKind,
    ValidationError, ValidationProblem,
};
pub use inbound::{InboundRequest, InboundResponse};
pub use secret::Secret;
