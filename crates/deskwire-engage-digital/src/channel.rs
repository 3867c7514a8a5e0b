//! [`EngageDigitalChannel`]: Engage Digital behind the provider-neutral
//! [`Channel`] trait.
//!
//! Your front end is the Channel SDK *source*: customer messages are pushed with the Send API,
//! agent replies arrive at your polling endpoint as `messages.create`, which
//! [`Channel::receive`] verifies, answers and turns into [`DeskEvent::Message`].
//!
//! | neutral operation | Engage Digital |
//! |-|-|
//! | `start_conversation` | `messages.create` in a new thread (id generated), authored by the customer (`User`: your customer id, name, email, created now); no `threads.create` (see below) |
//! | `send` | `messages.create` in the thread, authored by the customer; id = the message's `external_id`, else generated |
//! | attachments | URLs as `url` attachments, bytes inline (base64 `content`) |
//! | `typing` | `typing.start` (the preview, else the configured placeholder) / `typing.stop` on the thread; the 2 s rule is the client's [`TypingLimit`](crate::TypingLimit) |
//! | `mark_read` | `status.mark_as_read` with the id this channel answered to the agent's `messages.create` |
//! | `close` | unsupported: the Channel SDK has no action to end a thread |
//! | `receive` | the polling endpoint, signature checked over the raw body: `implementation.info` declares `messages` (list, create), `threads` (list, show), `status.mark_as_read` and the options `threads.no_content`, `messages.text`, `messages.no_title`, `view.messaging`, `messaging.typing_indicator`, `messaging.queuing_update`; `*.list` answers `[]` (everything is pushed); `threads.show` answers the thread's id and title (the customer's name); `messages.create` → [`DeskEvent::Message`] (role agent); `messaging.queuing_update` → [`DeskEvent::Other`] |
//! | `poll` | unsupported: Engage Digital calls you |
//!
//! What is sent agrees with what is declared: the Send API accepts only actions the source
//! declares in `implementation.info` ([`send-api.md`](https://github.com/ringcentral/engage-digital-api-docs/blob/95ff4ddccb59a3acb0f906533e46597ffaf8dae6/docs/sdks/source-sdk/send-api.md): "you must define
//! what actions can be processed", 422 `Invalid action`), and with `threads.no_content` only
//! `threads.show` and `threads.list` are valid for threads ([`options.md`](https://github.com/ringcentral/engage-digital-api-docs/blob/95ff4ddccb59a3acb0f906533e46597ffaf8dae6/docs/sdks/source-sdk/options.md)). So a conversation starts with the customer's
//! first `messages.create` carrying a new `thread_id`, and Engage Digital learns the thread
//! (id and title) from `threads.show` — as RingCentral's own Glip source does
//! (ringcentral/engage-digital-sdk-source-glip `src/server/index.js` and
//! `src/server/app/config.js`, 57067992ae496604f7f989d4b1c5eab28cf03679). Titles are kept in
//! memory for the last [`THREAD_TITLES`] conversations started; an older or restarted one is
//! shown with its id as title.
//!
//! Engage Digital does not tell a source that a conversation was resolved, closed or read; no
//! such events come from this channel.
//!
//! The id answered to an agent's `messages.create` is Engage Digital's `content_id` when it
//! sends one, else a digest of the content, so the three tries Engage Digital may make of one
//! reply get the same id — de-duplicate [`DeskEvent::Message`] by [`DeskMessage::id`].
//!
//! The [`ConversationRef`] is `engage-digital:<thread id>?user=<customer id>&name=<name>&since=<date>`:
//! the author Engage Digital needs on every message.

use deskwire_core::channel::{
    async_trait, digest_id, Attachment, Capabilities, Channel, ChannelError, ConversationRef, Customer,
    CustomerMessage, DeskEvent, DeskMessage, DeskMessageRef, EventKind, InboundRequest, Operation, Received, Role,
    Sent, Started, Typing,
};
use deskwire_core::verify::Refusal as _;

use crate::inbound::{
    Action, ActionError, Create, Endpoint, ImplementationInfo, List, ObjectName, ObjectType, Resource, ResourceResult,
    SdkOption, Source, Target,
};
use crate::wire::{self, AgentContent, DateTime, Message, Thread, TypingStart, TypingStop, TypingTarget, User};
use crate::SendApiClient;

/// The provider key.
pub const PROVIDER: &str = "engage-digital";

/// How many conversations' thread titles the channel remembers for `threads.show`.
pub const THREAD_TITLES: usize = 10_000;

/// What the channel supports.
pub const CAPABILITIES: Capabilities = Capabilities::none()
    .with(Operation::StartConversation)
    .with(Operation::Send)
    .with(Operation::AttachmentUrls)
    .with(Operation::AttachmentUploads)
    .with(Operation::Typing)
    .with(Operation::MarkRead)
    .with(Operation::Receive)
    .reports(EventKind::Message);

/// Engage Digital as a [`Channel`]. Build it from your [`SendApiClient`]; the polling endpoint
/// verifies with the same access token.
///
/// ```
/// use std::sync::Arc;
/// use deskwire_core::channel::Channel;
/// use deskwire_core::Secret;
/// use deskwire_engage_digital::{channel::EngageDigitalChannel, SendApiClient};
///
/// let client = SendApiClient::builder("https://yourdomain.engagement.dimelo.com", "8da592bc6fcf8bae41b2",
///                                     Secret::new("<API access token>")).build()?;
/// let desk: Arc<dyn Channel> = Arc::new(EngageDigitalChannel::new(client));
/// assert_eq!(desk.provider(), "engage-digital");
/// # Ok::<(), deskwire_engage_digital::Error>(())
/// ```
#[derive(Debug)]
pub struct EngageDigitalChannel {
    client: SendApiClient,
    endpoint: Endpoint<ChannelSource>,
    typing_placeholder: String,
}

impl EngageDigitalChannel {
    /// A channel sending with `client`; its polling endpoint checks signatures with the same
    /// access token.
    pub fn new(client: SendApiClient) -> Self {
        let endpoint = Endpoint::with_keys(client.keys().clone(), ChannelSource::default());
        Self {
            client,
            endpoint,
            typing_placeholder: "…".into(),
        }
    }

    /// The preview sent with `typing.start` when [`Typing::On`] has none (Engage Digital
    /// requires one; default `…`).
    pub fn typing_placeholder(mut self, text: impl Into<String>) -> Self {
        self.typing_placeholder = text.into();
        self
    }

    /// The `implementation.info` the endpoint answers.
    pub fn implementation_info() -> ImplementationInfo {
        ImplementationInfo::builder()
            .object(ObjectName::Messages, [wire::Operation::List, wire::Operation::Create])
            .object(ObjectName::Threads, [wire::Operation::List, wire::Operation::Show])
            .mark_as_read()
            .option(SdkOption::ThreadsNoContent)
            .option(SdkOption::MessagesText)
            .option(SdkOption::MessagesNoTitle)
            .option(SdkOption::ViewMessaging)
            .option(SdkOption::MessagingTypingIndicator)
            .option(SdkOption::MessagingQueuingUpdate)
            .build_unchecked()
    }

    fn author(conversation: &ConversationRef) -> Result<User, ChannelError> {
        let invalid = |e| ChannelError::invalid(PROVIDER, e);
        conversation.expect_provider(PROVIDER).map_err(invalid)?;
        Ok(User::new(
            conversation.require("user").map_err(invalid)?,
            conversation.require("name").map_err(invalid)?,
            DateTime::parse(conversation.require("since").map_err(invalid)?),
        ))
    }

    async fn push(&self, thread: &str, author: User, message: &CustomerMessage) -> Result<Sent, ChannelError> {
        message.check_for(PROVIDER, CAPABILITIES)?;
        let id = message
            .external_id
            .clone()
            .unwrap_or_else(deskwire_core::channel::new_id);
        let mut wire = Message::new(&id, thread, author).format(wire::Format::Text);
        if !message.text.is_empty() {
            wire = wire.body(&message.text);
        }
        for attachment in &message.attachments {
            wire = wire.attachment(match attachment {
                Attachment::Url { url, filename } => {
                    let mut a = wire::Attachment::from_url(url);
                    a.filename = filename.clone();
                    a
                }
                Attachment::Bytes { filename, data, .. } => wire::Attachment::inline(data, filename),
                // A kind added to the neutral model later: refuse rather than drop it.
                other => return Err(ChannelError::unsupported(PROVIDER, other.operation())),
            });
        }
        self.client.create_message(&wire).await.map_err(ChannelError::from)?;
        Ok(Sent::with_id(id))
    }
}

#[async_trait]
impl Channel for EngageDigitalChannel {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    /// The endpoint URL and the source: one Engage Digital channel.
    fn scope(&self) -> String {
        format!("{} source {}", self.client.url(), self.client.source_id())
    }

    async fn start_conversation(&self, customer: &Customer, first: &CustomerMessage) -> Result<Started, ChannelError> {
        customer.check().map_err(|e| ChannelError::invalid(PROVIDER, e))?;
        first.check_for(PROVIDER, CAPABILITIES)?;
        let since_text = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let thread_id = deskwire_core::channel::new_id();
        let conversation = ConversationRef::new(PROVIDER, &thread_id)
            .with("user", &customer.id)
            .with("name", customer.display_name())
            .with("since", since_text);
        let author = Self::author(&conversation)?;
        let author = User {
            email: customer.email.clone(),
            mobile_phone: customer.phone.clone(),
            ..author
        };
        // Remembered before sending: Engage Digital may ask for the thread as soon as the
        // message lands.
        self.endpoint
            .source()
            .titles
            .remember(&thread_id, customer.display_name());
        let sent = self.push(&thread_id, author, first).await?;
        Ok(Started::new(conversation, sent))
    }

    async fn send(&self, conversation: &ConversationRef, message: &CustomerMessage) -> Result<Sent, ChannelError> {
        let author = Self::author(conversation)?;
        self.push(conversation.id(), author, message).await
    }

    async fn typing(&self, conversation: &ConversationRef, typing: &Typing) -> Result<(), ChannelError> {
        conversation
            .expect_provider(PROVIDER)
            .map_err(|e| ChannelError::invalid(PROVIDER, e))?;
        let target = TypingTarget::thread(conversation.id());
        let result = match typing {
            Typing::On { preview } => {
                let preview = preview
                    .as_deref()
                    .filter(|p| !p.is_empty())
                    .unwrap_or(&self.typing_placeholder);
                self.client.typing_start(&TypingStart::new(target, preview)).await
            }
            Typing::Off => self.client.typing_stop(&TypingStop::new(target)).await,
            _ => return Err(ChannelError::unsupported(PROVIDER, Operation::Typing)),
        };
        result.map(drop).map_err(ChannelError::from)
    }

    async fn mark_read(&self, message: &DeskMessageRef) -> Result<(), ChannelError> {
        message
            .conversation
            .expect_provider(PROVIDER)
            .map_err(|e| ChannelError::invalid(PROVIDER, e))?;
        self.client
            .mark_as_read(&message.id)
            .await
            .map(drop)
            .map_err(ChannelError::from)
    }

    async fn receive(&self, request: InboundRequest) -> Result<Received, ChannelError> {
        let verified = match self.endpoint.decode(&request) {
            Ok(verified) => verified,
            Err(refused) => {
                tracing::warn!(status = refused.error.status_code().as_u16(), error = %refused.error, "engage digital: refused a request");
                return Err(ChannelError::Refused {
                    provider: PROVIDER,
                    reason: refused.error.to_string(),
                    response: Box::new(refused.answer()),
                });
            }
        };
        let events = events_of(&verified.call.action);
        Ok(Received::new(events, self.endpoint.dispatch(verified).await))
    }
}

/// The id this channel answers for an agent's content (see the module docs).
fn agent_message_id(content: &AgentContent) -> String {
    if let Some(id) = content.content_id.as_deref().filter(|id| !id.is_empty()) {
        return id.to_owned();
    }
    let mut first_try = content.clone();
    first_try.retry = None;
    digest_id("agent", &serde_json::to_vec(&first_try).unwrap_or_default())
}

fn events_of(action: &Action) -> Vec<DeskEvent> {
    match action {
        Action::Create(create) if create.object == ObjectType::Messages => vec![agent_message(create)],
        Action::QueuingUpdate(update) => vec![DeskEvent::Other {
            conversation: update.thread_id.as_deref().map(|t| ConversationRef::new(PROVIDER, t)),
            kind: "messaging.queuing_update".into(),
            raw: serde_json::to_value(update).unwrap_or_default(),
        }],
        _ => Vec::new(),
    }
}

fn agent_message(create: &Create) -> DeskEvent {
    let content = &create.content;
    let Some(thread) = content.thread_id.as_deref() else {
        return DeskEvent::Other {
            conversation: None,
            kind: "messages.create".into(),
            raw: serde_json::to_value(content).unwrap_or_default(),
        };
    };
    let id = DeskMessageRef::new(ConversationRef::new(PROVIDER, thread), agent_message_id(content));
    let mut message = DeskMessage::new(id, Role::Agent, content.body.clone().unwrap_or_default());
    if let Some(name) = &content.sender_name {
        message = message.author(name);
    }
    for attachment in content.attachments() {
        if let Some(url) = &attachment.url {
            message = message.attach(Attachment::Url {
                url: url.clone(),
                filename: attachment.filename.clone(),
            });
        }
    }
    DeskEvent::Message(message)
}

/// Thread titles of recent conversations, oldest forgotten first.
#[derive(Debug, Default)]
struct ThreadTitles {
    inner: std::sync::Mutex<(
        std::collections::HashMap<String, String>,
        std::collections::VecDeque<String>,
    )>,
}

impl ThreadTitles {
    fn remember(&self, thread: &str, title: &str) {
        let mut guard = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (titles, order) = &mut *guard;
        if titles.insert(thread.to_owned(), title.to_owned()).is_none() {
            order.push_back(thread.to_owned());
        }
        while order.len() > THREAD_TITLES {
            if let Some(oldest) = order.pop_front() {
                titles.remove(&oldest);
            }
        }
    }

    fn title(&self, thread: &str) -> Option<String> {
        let guard = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        guard.0.get(thread).cloned()
    }
}

/// The endpoint's source: everything is pushed, so lists are empty; a thread is shown with its
/// title; an agent's reply is acknowledged with its id.
#[derive(Debug, Default)]
struct ChannelSource {
    titles: ThreadTitles,
}

impl Source for ChannelSource {
    async fn show(&self, request: Target) -> ResourceResult {
        if request.object != ObjectType::Threads {
            return Err(ActionError::NotImplemented);
        }
        let title = self.titles.title(&request.id).unwrap_or_else(|| request.id.clone());
        Ok(Thread::structure_only(&request.id).title(title).into())
    }

    async fn implementation_info(&self) -> Result<ImplementationInfo, ActionError> {
        Ok(EngageDigitalChannel::implementation_info())
    }

    async fn list(&self, request: List) -> Result<Vec<Resource>, ActionError> {
        let _ = request;
        Ok(Vec::new())
    }

    async fn create(&self, request: Create) -> Result<Resource, ActionError> {
        if request.object != ObjectType::Messages {
            return Err(ActionError::NotImplemented);
        }
        Ok(Resource::id_only(agent_message_id(&request.content)))
    }

    async fn queuing_update(&self, update: wire::QueuingUpdate) -> Result<(), ActionError> {
        let _ = update;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_declared_implementation_has_no_problem() {
        assert_eq!(EngageDigitalChannel::implementation_info().problems(), []);
    }

    #[test]
    fn thread_titles_are_bounded_oldest_first() {
        let titles = ThreadTitles::default();
        for i in 0..=THREAD_TITLES {
            titles.remember(&i.to_string(), "t");
        }
        assert_eq!(titles.title("0"), None);
        assert_eq!(titles.title("1").as_deref(), Some("t"));
        assert_eq!(titles.title(&THREAD_TITLES.to_string()).as_deref(), Some("t"));
        titles.remember("1", "renamed");
        assert_eq!(titles.title("1").as_deref(), Some("renamed"));
        assert_eq!(titles.inner.lock().unwrap().1.len(), THREAD_TITLES);
    }

    #[test]
    fn retries_of_one_reply_get_one_id() {
        let mut content: AgentContent =
            serde_json::from_str(r#"{"body":"Hello","thread_id":"t","in_reply_to_id":"m1"}"#).unwrap();
        let first = agent_message_id(&content);
        content.retry = Some(true);
        assert_eq!(agent_message_id(&content), first);
        content.body = Some("Other".into());
        assert_ne!(agent_message_id(&content), first);
        content.content_id = Some("c-9".into());
        assert_eq!(agent_message_id(&content), "c-9");
    }
}
