//! Serde types exactly as they travel: to the Send API, and from Engage Digital to your
//! endpoint ([`AgentContent`], [`QueuingUpdate`]). No I/O here.
//!
//! Ids are strings everywhere, as Engage Digital requires. Optional fields are `Option` and are
//! omitted when unset; unknown fields are ignored on input; every enum is open.

/// Generates `field(value)` setters for `Option` fields, on the value itself or on what an
/// accessor method (`via content_mut`) returns.
macro_rules! option_setters {
    ($ty:ty { $( $field:ident : $t:ty ),* $(,)? }) => {
        option_setters!($ty, via self_mut { $( $field : $t ),* });
    };
    ($ty:ty, via $get:ident { $( $field:ident : $t:ty ),* $(,)? }) => {
        impl $ty {
            $(
                #[doc = concat!("Sets `", stringify!($field), "`.")]
                pub fn $field(mut self, value: impl Into<$t>) -> Self {
                    self.$get().$field = Some(value.into());
                    self
                }
            )*
        }
    };
}

/// Gives every wire type a `self_mut` accessor, so setter macros need no special case for
/// "the fields are on the value itself".
trait SelfMut {
    fn self_mut(&mut self) -> &mut Self {
        self
    }
}

impl<T> SelfMut for T {}

mod agent;
mod content;
mod date;
mod encode;
mod params;
mod request;
mod structured;
mod user;

pub(crate) use agent::lenient_id;
pub use agent::{AgentAttachment, AgentContent, QueuingUpdate};
pub use content::{
    Attachment, AttachmentType, Content, Format, Message, Operation, PrivateMessage, StructuredReply, Thread,
};
pub use date::DateTime;
pub use params::{MarkAsRead, TypingStart, TypingStop, TypingTarget};
pub use request::{Envelope, SendParams, SendRequest, Typing};
pub use structured::{Button, ButtonType, Carousel, RichLink, Select, SelectItem, StructuredContent, Template};
pub use user::{Gender, User};

/// `context_data`: string keys, values that are strings or arrays of strings.
pub type ContextData = serde_json::Map<String, serde_json::Value>;
