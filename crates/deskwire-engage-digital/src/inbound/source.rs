//! The [`Source`] trait you implement: one method per action, each with a default that answers
//! "not implemented" the way Engage Digital understands.

use std::future::Future;

use serde::Serialize;

use super::{Create, Custom, ImplementationInfo, List, Target};
use crate::wire::{Message, PrivateMessage, QueuingUpdate, Thread};

/// A content you return to Engage Digital: typed, or any JSON (e.g. the `{"id": "..."}` the docs
/// allow as the minimal answer to a create).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Resource {
    /// A message.
    Message(Box<Message>),
    /// A private message.
    PrivateMessage(Box<PrivateMessage>),
    /// A thread.
    Thread(Box<Thread>),
    /// Any other JSON value.
    Json(serde_json::Value),
}

impl Resource {
    /// `{"id": id}`: the least a create may answer. Your own new id, which later Send API
    /// calls (`status.mark_as_read`) refer to.
    pub fn id_only(id: impl Into<String>) -> Self {
        Self::Json(serde_json::json!({ "id": id.into() }))
    }
}

impl From<Message> for Resource {
    fn from(value: Message) -> Self {
        Self::Message(Box::new(value))
    }
}

impl From<PrivateMessage> for Resource {
    fn from(value: PrivateMessage) -> Self {
        Self::PrivateMessage(Box::new(value))
    }
}

impl From<Thread> for Resource {
    fn from(value: Thread) -> Self {
        Self::Thread(Box::new(value))
    }
}

impl From<serde_json::Value> for Resource {
    fn from(value: serde_json::Value) -> Self {
        Self::Json(value)
    }
}

/// Why your source could not perform an action.
///
/// | variant | what Engage Digital receives | what it does |
/// |-|-|-|
/// | [`Retry`](Self::Retry) | 200 `{"error":{"fatal":false,"message":...}}` | tries the content again later |
/// | [`Fatal`](Self::Fatal) | 200 `{"error":{"fatal":true,"message":...}}` | skips the content, no more retries |
/// | [`Unavailable`](Self::Unavailable) | 503 with the message as plain text | reports the run as failed |
/// | [`NotImplemented`](Self::NotImplemented) | for content actions, a fatal error naming the action; for `list` and `messaging.queuing_update`, 501 plain text | does not retry / reports the run as failed |
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ActionError {
    /// A per-content error Engage Digital retries.
    #[error("{0} (Engage Digital retries)")]
    Retry(String),
    /// A per-content error that makes Engage Digital skip the content.
    #[error("{0} (fatal)")]
    Fatal(String),
    /// The source as a whole cannot answer now.
    #[error("source unavailable: {0}")]
    Unavailable(String),
    /// The action is not implemented by this source.
    #[error("not implemented")]
    NotImplemented,
}

/// The result of an action that answers one content.
pub type ResourceResult = Result<Resource, ActionError>;

/// Your Channel SDK source: what Engage Digital reads from and writes to.
///
/// Only [`implementation_info`](Source::implementation_info) is required. Every other method
/// defaults to [`ActionError::NotImplemented`]; declare in `implementation_info` exactly the
/// operations you override, since Engage Digital only calls what is declared.
///
/// Methods return `impl Future + Send`; write them as `async fn`.
///
/// ```
/// use deskwire_engage_digital::inbound::{ActionError, ImplementationInfo, List, ObjectType, Resource, Source};
/// use deskwire_engage_digital::wire::Operation;
///
/// struct Shop {
///     info: ImplementationInfo,
/// }
///
/// impl Source for Shop {
///     async fn implementation_info(&self) -> Result<ImplementationInfo, ActionError> {
///         // Built once; a clone shares the declaration.
///         Ok(self.info.clone())
///     }
///
///     async fn list(&self, _request: List) -> Result<Vec<Resource>, ActionError> {
///         Ok(Vec::new())
///     }
/// }
///
/// let shop = Shop {
///     info: ImplementationInfo::builder()
///         .object(ObjectType::Messages, [Operation::List])
///         .build()
///         .expect("a documented combination"),
/// };
/// # let _ = shop;
/// ```
pub trait Source: Send + Sync {
    /// `implementation.info`: sent at the start of every synchronization run and when an admin
    /// saves the channel. Nothing else works until this answers. A declaration that does not
    /// change is best built once and answered as a clone, which shares it (no allocation).
    fn implementation_info(&self) -> impl Future<Output = Result<ImplementationInfo, ActionError>> + Send;

    /// `<object>.list`: the oldest contents after `since_id`, newest first (see
    /// [`list_page`](super::list_page)).
    fn list(&self, request: List) -> impl Future<Output = Result<Vec<Resource>, ActionError>> + Send {
        let _ = request;
        async { Err(ActionError::NotImplemented) }
    }

    /// `<object>.show`: one content.
    fn show(&self, request: Target) -> impl Future<Output = ResourceResult> + Send {
        let _ = request;
        async { Err(ActionError::NotImplemented) }
    }

    /// `<object>.create`: store the agent's content and answer it with **your** new id.
    /// Engage Digital tries a create up to three times; check [`AgentContent::is_retry`](crate::wire::AgentContent::is_retry).
    fn create(&self, request: Create) -> impl Future<Output = ResourceResult> + Send {
        let _ = request;
        async { Err(ActionError::NotImplemented) }
    }

    /// `<object>.delete` (also sent as `destroy`): answer the deleted content.
    fn delete(&self, request: Target) -> impl Future<Output = ResourceResult> + Send {
        let _ = request;
        async { Err(ActionError::NotImplemented) }
    }

    /// `<object>.publish`: answer the content.
    fn publish(&self, request: Target) -> impl Future<Output = ResourceResult> + Send {
        let _ = request;
        async { Err(ActionError::NotImplemented) }
    }

    /// `<object>.unpublish`: answer the content.
    fn unpublish(&self, request: Target) -> impl Future<Output = ResourceResult> + Send {
        let _ = request;
        async { Err(ActionError::NotImplemented) }
    }

    /// A custom action: answer the **whole** updated content.
    fn custom(&self, request: Custom) -> impl Future<Output = ResourceResult> + Send {
        let _ = request;
        async { Err(ActionError::NotImplemented) }
    }

    /// `messaging.queuing_update`: any success acknowledges it.
    fn queuing_update(&self, update: QueuingUpdate) -> impl Future<Output = Result<(), ActionError>> + Send {
        let _ = update;
        async { Err(ActionError::NotImplemented) }
    }
}
