//! Wire types of the Application and Client APIs and their webhooks, for both the shapes the
//! [API-channel guide](https://www.chatwoot.com/docs/product/channels/api/send-messages) prints and the real ones (see the crate docs' table).

mod contact;
mod conversation;
mod enums;
pub(crate) mod ids;
mod inbox;
mod interactive;
pub(crate) mod message;
mod sensitive;
mod time;

pub use contact::{
    AnswerShape, Contact, ContactCreated, ContactInbox, ContactPage, ContactUpdate, NewContact, PageMeta, Payload,
};
pub use conversation::{
    Assignment, Conversation, ConversationCounts, ConversationHead, ConversationHeads, ConversationMeta,
    ConversationPage, ConversationQuery, InitialMessage, NewConversation, StatusFilter, StatusToggled, ToggleStatus,
};
pub use enums::{ContentType, ConversationStatus, FileType, MessageStatus, MessageType, Priority, SenderType};
pub use inbox::{Inbox, NewApiInbox};
pub use interactive::{
    check_attributes, ArticleItem, Card, CardAction, FormField, FormOption, Interactive, SelectOption,
    ARTICLE_ITEM_KEYS, CARD_ACTION_KEYS, CARD_ITEM_KEYS, FORM_ITEM_KEYS, SELECT_ITEM_KEYS,
};
pub use message::{
    Attachment, Message, MessageListMeta, MessagePage, MessageQuery, NewMessage, Sender, StatusUpdate, Upload,
    MAX_ATTACHMENTS, MAX_CONTENT_CHARS,
};
pub use sensitive::SensitiveText;
pub use time::Timestamp;
