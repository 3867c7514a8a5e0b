//! [`ApiRequest`]: the description of one call — the core engine's
//! [`Request`](deskwire_core::engine::Request) — built by the functions of [`crate::api`] and
//! sent by [`DirectlyClient`](crate::DirectlyClient). Build one yourself to call an endpoint this
//! crate does not model ([`DirectlyClient::send_raw`](crate::DirectlyClient::send_raw)).

pub use deskwire_core::engine::{RawAnswer, Request};

/// A call whose answer is read raw; the client methods unwrap the envelope.
pub type ApiRequest = Request<RawAnswer>;
