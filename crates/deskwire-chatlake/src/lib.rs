//! Chatlake — Chatwoot's API channel — for Rust.
//!
//! * [`ChatlakeClient`]: the Application API (`/api/v1/accounts/{account_id}`, access token in
//!   the `api_access_token` header, or `Api-Access-Token` behind proxies that drop underscore
//!   headers — [`TokenHeader`]). Contacts, conversations, messages and inboxes: [`api`].
//! * [`public::PublicClient`]: the Client API (`/public/api/v1/inboxes/{inbox_identifier}`, no
//!   token) and [`public::identifier_hash`].
//! * [`inbound`]: webhook verification (`X-Chatwoot-Signature`) and typed events, with
//!   [`inbound::EchoFilter`] for loop prevention.
//! * [`wire`]: the types, for both the shapes the [API-channel guide](https://www.chatwoot.com/docs/product/channels/api/send-messages) prints and
//!   the ones Chatwoot's server sends.
//! * [`channel`] (feature `channel`, on by default): [`channel::ChatlakeChannel`], Chatlake
//!   behind the provider-neutral `deskwire_core::channel::Channel` trait, with its mapping table.
//!
//! Everything is checked before sending with the server's own limits (content ≤ 150,000
//! characters, ≤ 15 attachments, interactive `content_attributes` rules, E.164 phones): a
//! refused request is a [`Error::Validation`] and nothing leaves the machine.
//!
//! # The guide's flow
//!
//! The three steps of Chatwoot's [API-channel guide](https://www.chatwoot.com/docs/product/channels/api/send-messages):
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use deskwire_chatlake::wire::{NewContact, NewConversation, NewMessage};
//! use deskwire_chatlake::ChatlakeClient;
//! use deskwire_core::Secret;
//!
//! let client = ChatlakeClient::builder("https://chat.example.com", 1, Secret::new("<access token>")).build()?;
//! // 1. a contact, with a session on the API inbox 2
//! let created = client.create_contact(&NewContact::in_inbox(2).name("Alice")).await?;
//! // the session Chatwoot opened on inbox 2 (a contact without one cannot be written to)
//! let source_id = created.source_id(Some(2)).ok_or("no session on inbox 2")?.to_owned();
//! // 2. a conversation on that session
//! let conversation = client.create_conversation(&NewConversation::for_session(2, source_id)).await?;
//! // 3. the contact's message
//! client.create_message(conversation.id, &NewMessage::incoming("My parcel is late")).await?;
//! # Ok(()) }
//! ```
//!
//! # Seed guide versus the server
//!
//! | Seed guide | Server (Chatwoot 4.8–4.13) | Here |
//! |---|---|---|
//! | create contact answers a flat contact | `{payload:{contact, contact_inbox}}` | [`wire::ContactCreated`] reads both, says which ([`wire::AnswerShape`]) |
//! | create conversation answers `{ "id": 0 }` | the whole conversation | [`wire::Conversation`] needs only `id` |
//! | ids in requests are strings | integers (numeric strings accepted) | read either, written as integers |
//! | `message_type`: incoming / outgoing | four values; string in requests and webhooks, integer in REST answers | [`wire::MessageType`] reads both, writes the string |
//! | `content_type: null` | always a string, 13 values | [`wire::ContentType`], open |
//! | times | unix integers, a float (`updated_at`), ISO strings | [`wire::Timestamp`] keeps the form |
//!
//! # Documented, inferred, uncertain
//!
//! * Documented or read in the server's code: paths, bodies, error shapes, limits, the
//!   interactive content rules (`ContentAttributeValidator`), identity hashes.
//! * Read in Chatwoot's code (chatwoot/chatwoot, tag v4.13.0) and replayed from vectors its own
//!   expressions produce: the webhook signature `"{timestamp}.{body}"` (`lib/webhooks/trigger.rb`),
//!   `identifier_hash` and the bare 500 a failed identity check answers
//!   (`app/controllers/public/api/v1/inboxes/contacts_controller.rb`), the phone pattern
//!   anchored at the end only and blank phones (`app/models/contact.rb`), `webhook_url`'s
//!   length-only check (`app/models/channel/api.rb`), and `message_*` webhook payloads without
//!   a `status` key (`Message#webhook_data`).
//! * Inferred: the ISO format of webhook `created_at`. The verifier's tolerance is
//!   configurable; unsigned servers need an explicit opt-out.
//! * Secrets in payloads: `inbox_*` events embed the raw channel record (an API inbox's
//!   `hmac_token` and webhook `secret`) and conversation events the contact's `pubsub_token`;
//!   every unmodelled field is kept in a [`deskwire_core::json::Extra`], whose `Debug` hides
//!   credential-like keys at any depth.
//! * Not modelled (use [`ChatlakeClient::send`]): account webhooks management, contact filters,
//!   avatar uploads, reports, the Platform API.
#![warn(missing_docs)]

#[cfg(feature = "client")]
pub mod api;
#[cfg(feature = "channel")]
pub mod channel;
#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
mod connection;
mod error;
pub mod inbound;
pub mod public;
#[cfg(feature = "client")]
mod request;
pub mod validate;
pub mod wire;

#[cfg(feature = "client")]
pub use client::{ChatlakeClient, ChatlakeClientBuilder, TokenHeader, CLOUD_BASE_URL};
pub use error::{Chatlake, ChatlakeFailure, Error, ErrorBody};
#[cfg(feature = "client")]
pub use request::{ApiRequest, Body, FormPart, RawAnswer, Request};
