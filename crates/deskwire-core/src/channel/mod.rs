//! **One trait over every desk.** Your customer-facing front end (a chat widget, an SMS gateway,
//! a bot that needs a human) hands a customer's conversation to an agent or expert desk through
//! [`Channel`] and gets the desk's answers back as [`DeskEvent`]s, without knowing which
//! provider a tenant uses.
//!
//! * Outbound: [`Channel::start_conversation`], [`Channel::send`], [`Channel::typing`],
//!   [`Channel::mark_read`], [`Channel::close`].
//! * Inbound: [`Channel::receive`] turns a webhook request into events (and the answer the desk
//!   expects); [`Channel::poll`] asks the desk and returns events plus a [`Cursor`] to
//!   [`Channel::restore`] after a restart.
//! * [`Channel::capabilities`] says what the provider really has. Anything else fails with
//!   [`ChannelError::Unsupported`] before a byte is sent — never a silent no-op.
//! * Conversations are named by a [`ConversationRef`] you can store as a string.
//!
//! The trait is object safe: hold many tenants' channels as `Arc<dyn Channel>`. Wrappers add
//! behaviour to any channel, including a `dyn` one ([`ChannelExt`]): [`Retrying`] (the core
//! [`RetryPolicy`](crate::retry::RetryPolicy) around whole operations), [`Throttled`] (a
//! steady pace) and [`Traced`] (a `tracing` span per operation).
//!
//! ```
//! use std::sync::Arc;
//! use deskwire_core::channel::*;
//!
//! /// A desk that accepts everything and answers nothing, to show the shape.
//! #[derive(Debug)]
//! struct Null;
//!
//! #[async_trait]
//! impl Channel for Null {
//!     fn provider(&self) -> &'static str { "null" }
//!     fn capabilities(&self) -> Capabilities {
//!         Capabilities::none().with(Operation::StartConversation).with(Operation::Send)
//!     }
//!     async fn start_conversation(&self, customer: &Customer, _: &CustomerMessage) -> Result<Started, ChannelError> {
//!         Ok(Started::new(ConversationRef::new("null", &customer.id), Sent::without_id()))
//!     }
//!     async fn send(&self, _: &ConversationRef, _: &CustomerMessage) -> Result<Sent, ChannelError> {
//!         Ok(Sent::without_id())
//!     }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! let desks: Vec<Arc<dyn Channel>> = vec![Arc::new(Null.traced().throttled(10))];
//! let started = desks[0].start_conversation(&Customer::new("c-1"), &CustomerMessage::text("Hi")).await.unwrap();
//! assert_eq!(started.conversation.to_string(), "null:c-1");
//! let error = desks[0].typing(&started.conversation, &Typing::on()).await.unwrap_err();
//! assert!(matches!(error, ChannelError::Unsupported { operation: Operation::Typing, .. }));
//! # });
//! ```

mod ack;
mod capability;
mod deduplicated;
mod error;
mod events;
mod model;
mod retrying;
mod throttled;
mod traced;

use std::sync::Arc;

pub use ack::{commit_all, Ack, Incoming, Settle};
pub use async_trait::async_trait;
pub use capability::{matrix_markdown, Capabilities, EventKind, Operation};
pub use deduplicated::Deduplicated;
pub use error::{ChannelError, ProviderError};
pub use events::{
    Acceptance, Cursor, CursorEntry, DeskEvent, DeskMessage, InboundRequest, InboundResponse, Polled, Received, Role,
};
pub use model::{
    digest_id, new_id, Attachment, ConversationRef, Customer, CustomerMessage, DeskMessageRef, ParseRefError, Sent,
    Started, Typing,
};
pub use retrying::Retrying;
pub use throttled::Throttled;
pub use traced::Traced;

/// A customer conversation handed to a desk. See the [module docs](self).
///
/// Implementations check their input and the operation's support before sending anything; a
/// method they do not override answers [`ChannelError::Unsupported`].
#[async_trait]
pub trait Channel: Send + Sync + std::fmt::Debug {
    /// The provider key (`engage-digital`, `chatlake`, `directly`, `rake-direct`).
    fn provider(&self) -> &'static str;

    /// What this channel supports.
    fn capabilities(&self) -> Capabilities;

    /// What tells this desk from another of the same provider (its host, account, inbox or
    /// source), for store keys: two tenants' identical conversation and message ids never
    /// share a key. Empty by default; every provider channel of this workspace sets it.
    fn scope(&self) -> String {
        String::new()
    }

    /// Opens a conversation for `customer` with their first message.
    async fn start_conversation(&self, customer: &Customer, first: &CustomerMessage) -> Result<Started, ChannelError>;

    /// Sends a customer message into a conversation.
    async fn send(&self, conversation: &ConversationRef, message: &CustomerMessage) -> Result<Sent, ChannelError>;

    /// Shows or hides the customer's typing to the agent.
    async fn typing(&self, conversation: &ConversationRef, typing: &Typing) -> Result<(), ChannelError> {
        let _ = (conversation, typing);
        Err(ChannelError::unsupported(self.provider(), Operation::Typing))
    }

    /// Tells the desk the customer read `message`.
    async fn mark_read(&self, message: &DeskMessageRef) -> Result<(), ChannelError> {
        let _ = message;
        Err(ChannelError::unsupported(self.provider(), Operation::MarkRead))
    }

    /// Ends the conversation from the customer's side.
    async fn close(&self, conversation: &ConversationRef) -> Result<(), ChannelError> {
        let _ = conversation;
        Err(ChannelError::unsupported(self.provider(), Operation::Close))
    }

    /// Checks a webhook request before it is handled and says when the desk gets its answer:
    /// [`Acceptance::AfterHandling`] by default; [`Acceptance::Now`] where the desk does not
    /// redeliver and the channel recovers what is not committed by itself (Chatlake with
    /// backfill), so the desk is answered at once and the handling may take its time. An
    /// error refuses the request (answer it with [`ChannelError::inbound_response`]).
    /// `deskwire_core::axum`'s `channel_router` calls this first.
    async fn accept(&self, request: &InboundRequest) -> Result<Acceptance, ChannelError> {
        let _ = request;
        Ok(Acceptance::AfterHandling)
    }

    /// Verifies a webhook request over its raw bytes, then decodes it into events.
    async fn receive(&self, request: InboundRequest) -> Result<Received, ChannelError> {
        let _ = request;
        Err(ChannelError::unsupported(self.provider(), Operation::Receive))
    }

    /// Asks the desk once for what changed in the conversations this channel follows.
    async fn poll(&self) -> Result<Polled, ChannelError> {
        Err(ChannelError::unsupported(self.provider(), Operation::Poll))
    }

    /// Continues polling from a stored [`Cursor`] (after a restart).
    async fn restore(&self, cursor: &Cursor) -> Result<(), ChannelError> {
        let _ = cursor;
        Err(ChannelError::unsupported(self.provider(), Operation::Poll))
    }
}

macro_rules! forward_channel {
    ($($ty:ty),*) => {$(
        #[async_trait]
        impl<C: Channel + ?Sized> Channel for $ty {
            fn provider(&self) -> &'static str {
                (**self).provider()
            }
            fn capabilities(&self) -> Capabilities {
                (**self).capabilities()
            }
            fn scope(&self) -> String {
                (**self).scope()
            }
            async fn start_conversation(&self, customer: &Customer, first: &CustomerMessage) -> Result<Started, ChannelError> {
                (**self).start_conversation(customer, first).await
            }
            async fn send(&self, conversation: &ConversationRef, message: &CustomerMessage) -> Result<Sent, ChannelError> {
                (**self).send(conversation, message).await
            }
            async fn typing(&self, conversation: &ConversationRef, typing: &Typing) -> Result<(), ChannelError> {
                (**self).typing(conversation, typing).await
            }
            async fn mark_read(&self, message: &DeskMessageRef) -> Result<(), ChannelError> {
                (**self).mark_read(message).await
            }
            async fn close(&self, conversation: &ConversationRef) -> Result<(), ChannelError> {
                (**self).close(conversation).await
            }
            async fn accept(&self, request: &InboundRequest) -> Result<Acceptance, ChannelError> {
                (**self).accept(request).await
            }
            async fn receive(&self, request: InboundRequest) -> Result<Received, ChannelError> {
                (**self).receive(request).await
            }
            async fn poll(&self) -> Result<Polled, ChannelError> {
                (**self).poll().await
            }
            async fn restore(&self, cursor: &Cursor) -> Result<(), ChannelError> {
                (**self).restore(cursor).await
            }
        }
    )*};
}

forward_channel!(Arc<C>, Box<C>);

/// Wrappers for any [`Channel`], `dyn` ones included.
pub trait ChannelExt: Channel + Sized {
    /// Retries whole operations with `policy` ([`Retrying`]).
    fn with_retry(self, policy: crate::retry::RetryPolicy) -> Retrying<Self> {
        Retrying::new(self, policy)
    }

    /// At most `per_second` outbound operations per second ([`Throttled`]).
    fn throttled(self, per_second: u32) -> Throttled<Self> {
        Throttled::per_second(self, per_second)
    }

    /// A `tracing` span around every operation ([`Traced`]).
    fn traced(self) -> Traced<Self> {
        Traced::new(self)
    }
}

impl<C: Channel> ChannelExt for C {}
