//! Serde types exactly as they travel to Rake Direct and back. No I/O here.
//!
//! Every field name follows the [use case scenarios](https://hackmd.io/@9pOGaLzOSNmFnnEG6Et3LA/B1Ry5dOru) (`camelCase`); ids that the docs show in two forms
//! (`entityId` as a number or a string) keep the form they were given; enums are open.

mod entity;
mod ids;
mod request;
mod response;

pub use entity::{Contact, Sender};
pub use ids::{EntityId, MessageType, PlatformId, ReceiveEvent, SessionId};
pub use request::{
    CloseSession, OpenSession, Outbound, PostToSession, RakeDirectRequest, ReturnWebhook, ScenarioError, SessionWith,
    TRANSACTIONAL_TIMEOUT_SECS,
};
pub use response::{find_session_id, RakeResponse, DEFAULT_SESSION_ID_POINTERS};
