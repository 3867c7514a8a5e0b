//! The inbound side. The Messaging API has no webhook registration: updates are **polled**
//! (`GET /questions/{uuid}?lastChecked=`, 200 or 304) — [`QuestionWatcher`] does that and
//! reports [`QuestionEvent`]s — or pushed by a **Universal Connector** an admin configures —
//! [`ConnectorReceiver`] checks and decodes those.

mod connector;
mod cursor;
mod events;
#[cfg(feature = "client")]
mod watcher;

pub use connector::{ConnectorError, ConnectorEvent, ConnectorEventType, ConnectorReceiver};
pub use cursor::{message_key, QuestionCursor};
pub use events::{Author, QuestionEvent};
#[cfg(feature = "client")]
pub use watcher::{QuestionWatcher, WatchCursor, WatchReport};
