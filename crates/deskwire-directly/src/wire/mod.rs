//! The Messaging API's types as they are on the wire. No I/O here.
//!
//! * answers: [`Question`] (with [`Conversation`], [`Response`], [`Message`], [`User`],
//!   [`QuestionState`]), [`AutomaticAnswer`], and [`Ack`] for calls whose answer is undocumented;
//! * requests: [`NewQuestion`], [`NewMessage`], [`QuestionUpdate`], [`Search`], [`Rating`],
//!   [`ResolveVerdict`], [`TextQuery`];
//! * values: [`Uuid`], [`UserEmail`], [`Timestamp`], and open enums.
//!
//! Unknown fields are kept (`extra`) and written back; every enum keeps values it does not know.

mod automatic;
mod email;
mod enums;
mod envelope;
mod ids;
mod message;
mod question;
mod requests;
mod time;
mod user;

pub use automatic::{AnswerContent, AutomaticAnswer};
pub use email::UserEmail;
pub use enums::{MessageType, QuestionStatus, QuestionType, QuickReply, RerouteType, ResponseType, UserType, Verdict};
pub use envelope::{unwrap, Ack, Meta, Unwrapped};
pub use ids::{ExternalId, Uuid};
pub use message::{Action, Message, PotentialExperts};
pub use question::{Conversation, Question, QuestionState, RatingSystem, RerouteStatus, Response};
pub use requests::{MessageTarget, NewMessage, NewQuestion, QuestionUpdate, Rating, ResolveVerdict, Search, TextQuery};
pub use time::Timestamp;
pub use user::{Reputation, User};
