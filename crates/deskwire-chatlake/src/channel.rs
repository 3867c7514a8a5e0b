//! [`ChatlakeChannel`]: Chatlake (Chatwoot's API channel) behind the provider-neutral
//! [`Channel`] trait.
//!
//! | neutral operation | Chatlake |
//! |-|-|
//! | `start_conversation` | the contact: `GET /contacts/search?q=<customer id>`, reused when its `identifier` matches (with its session on the inbox, else a new `POST /contacts/{id}/contact_inboxes`), else `POST /contacts` (identifier, name, email, phone, on the inbox); then `POST /conversations` on that session; then the first message as below |
//! | `send` | `POST /conversations/{id}/messages`, `message_type: incoming`, `source_id` = the message's `external_id`; byte attachments uploaded as multipart |
//! | attachments | bytes only (uploads); a URL attachment is refused as unsupported |
//! | `typing` | Client API `POST .../toggle_typing` (`typing_status` on / off) as the contact; no preview |
//! | `mark_read` | Client API `POST .../update_last_seen` as the contact: marks everything up to now read |
//! | `close` | `POST /conversations/{id}/toggle_status` to `resolved` |
//! | `receive` | the webhook, verified ([`WebhookVerifier`]) over the raw body: `message_created` of an agent or bot (not private, not your own — [`EchoFilter`]) → [`DeskEvent::Message`]; `conversation_typing_on/off` by an agent → [`DeskEvent::AgentTyping`]; `conversation_status_changed` / `conversation_resolved` to `resolved` → [`DeskEvent::Resolved`]; incoming messages and contact typing (your own echoes) and private notes → nothing; every other event → [`DeskEvent::Other`] with its JSON |
//! | `poll` | with [`ChatlakeChannel::backfill`]: the agent messages no webhook brought, in the inbox's conversations with activity whatever their status (`GET /conversations?status=all&inbox_id=&updated_within=<s>`, answered unpaged: the last day at the first poll and every 10 minutes, else since the previous poll plus 30 s), then `GET /conversations/{id}/messages?after=<position>` (100 a page) only for a conversation whose last message is past its position and was already at the previous poll (news seen once is most likely a webhook on its way): one request per poll plus one per conversation with news and per 100 new messages |
//! | backfill | with [`ChatlakeChannel::backfill`]: a webhook message first brings the ones missed before it, in id order, read 100 a page until the gap is closed; one at or below the committed position is not passed again |
//!
//! Typing and marking read act *as the contact*, which only the Client API can do; it needs the
//! inbox's identifier ([`PublicClient`], built from the account's client by
//! [`ChatlakeClient::client_api`]) and is optional, as is the webhook verifier: see
//! [`ChatlakeChannel`]. The webhook answers
//! `200` with an empty body; a refused delivery `401` (signature, time) or `400` (not a webhook
//! payload).
//!
//! The [`ConversationRef`] is `chatlake:<conversation id>?source=<the contact's session>`.
//! Events carry the session too when the webhook's conversation names it (`contact_inbox`), so
//! a [`DeskMessage`]'s id can be marked read as it is.

use deskwire_core::channel::{
    async_trait, Acceptance, Attachment, Capabilities, Channel, ChannelError, ConversationRef, Customer,
    CustomerMessage, DeskEvent, DeskMessage, DeskMessageRef, EventKind, InboundRequest, InboundResponse, Incoming,
    Operation, Polled, Received, Role, Sent, Started, Typing,
};
use deskwire_core::verify::Verify as _;
use deskwire_core::{ValidationError, ValidationProblem};
use http::StatusCode;

use crate::inbound::{EchoFilter, WebhookEvent, WebhookVerifier};
use crate::public::PublicClient;
use crate::wire::{ConversationStatus, NewContact, NewConversation, NewMessage, SenderType, ToggleStatus, Upload};
use crate::ChatlakeClient;

#[path = "channel_backfill.rs"]
mod backfill;

pub use backfill::{FULL_SWEEP_EVERY, POLL_MARGIN, POSITION_TTL, RECONCILE_WINDOW};

/// The provider key.
pub const PROVIDER: &str = "chatlake";

/// What the channel supports.
pub const CAPABILITIES: Capabilities = Capabilities::none()
    .with(Operation::StartConversation)
    .with(Operation::Send)
    .with(Operation::AttachmentUploads)
    .with(Operation::Typing)
    .with(Operation::MarkRead)
    .with(Operation::Close)
    .with(Operation::Receive)
    .with(Operation::Poll)
    .with(Operation::Backfill)
    .reports(EventKind::Message)
    .reports(EventKind::AgentTyping)
    .reports(EventKind::Resolved);

/// Chatlake as a [`Channel`]: the Application API client and the API inbox are required; the
/// Client API (typing, mark read) and the webhook verifier (receive) are added when you have
/// them. An operation whose part is missing fails with [`ChannelError::NotConfigured`], which
/// says what to add, and is absent from [`Channel::capabilities`].
///
/// ```
/// use std::sync::Arc;
/// use deskwire_chatlake::{channel::ChatlakeChannel, inbound::WebhookVerifier, ChatlakeClient};
/// use deskwire_core::{channel::{Channel, Operation}, Secret};
///
/// let api = ChatlakeClient::builder("https://chat.example.com", 1, Secret::new("<access token>")).build()?;
/// // Start, send and close: the account's API client and the API inbox's id.
/// let sender = ChatlakeChannel::new(api.clone(), 2);
/// assert!(!sender.capabilities().supports(Operation::Typing));
/// // Everything: typing and mark read act as the contact through the Client API (the inbox's
/// // identifier), and webhooks are verified with the inbox webhook's secret.
/// let desk: Arc<dyn Channel> = Arc::new(
///     ChatlakeChannel::new(api.clone(), 2)
///         .client_api(api.client_api("<inbox identifier>")?)
///         .webhooks(WebhookVerifier::new(&Secret::new("<webhook secret>")).expect("a webhook secret"))
///         // Gap backfill and order per conversation (poll reconciles); share a RedisStore
///         // between replicas.
///         .backfill(Arc::new(deskwire_core::store::MemoryStore::new())),
/// );
/// assert_eq!(desk.capabilities(), deskwire_chatlake::channel::CAPABILITIES);
/// # Ok::<(), deskwire_chatlake::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ChatlakeChannel {
    api: ChatlakeClient,
    client_api: Option<PublicClient>,
    inbox_id: u64,
    webhooks: Option<WebhookVerifier>,
    echo: EchoFilter,
    backfill: Option<backfill::Backfill>,
}

const NEEDS_CLIENT_API: &str = "the Client API: ChatlakeChannel::client_api(api.client_api(\"<inbox identifier>\")?)";
const NEEDS_BACKFILL: &str = "a store: ChatlakeChannel::backfill(Arc::new(MemoryStore::new()))";
const NEEDS_WEBHOOKS: &str = "a webhook verifier: ChatlakeChannel::webhooks(WebhookVerifier::new(&secret)?)";

impl ChatlakeChannel {
    /// A channel on the API inbox `inbox_id` (its numeric id) of `api`'s account: start, send
    /// and close.
    pub fn new(api: ChatlakeClient, inbox_id: u64) -> Self {
        Self {
            api,
            client_api: None,
            inbox_id,
            webhooks: None,
            echo: EchoFilter::new(),
            backfill: None,
        }
    }

    /// The same inbox's Client API ([`ChatlakeClient::client_api`] builds it from `api`), for
    /// typing and mark read, which act as the contact.
    pub fn client_api(mut self, client_api: PublicClient) -> Self {
        self.client_api = Some(client_api);
        self
    }

    /// The verifier of the inbox webhook's deliveries, for [`Channel::receive`].
    pub fn webhooks(mut self, webhooks: WebhookVerifier) -> Self {
        self.webhooks = Some(webhooks);
        self
    }

    /// Gap backfill and order per conversation, with positions kept in `store`. Chatwoot sends
    /// an API inbox's webhooks once, with a 5 s timeout and no retry (chatwoot/chatwoot#15920;
    /// konversio-org/konversio 88ffa329eb6e18ae06b608d8b4bab96c0e1b8f44, `lib/webhooks/trigger.rb`
    /// L16-24: a failure marks the message `failed`), sometimes twice (#11901) and out of order
    /// (#13608). With a store:
    ///
    /// * each conversation has a position in the store (under the channel's
    ///   [`scope`](Channel::scope)): every agent message up to it was committed by the
    ///   application. It moves only when the events it passes are committed (see
    ///   [`Incoming`]), over a contiguous range, never back, and is kept 90 days after it last
    ///   moved ([`POSITION_TTL`]);
    /// * a webhook message above it first brings the agent messages between the two, listed from
    ///   the Application API 100 at a time (`after=`, as Chatwoot's `MessageFinder` pages them)
    ///   until the gap is closed, in id order; one at or below it is not passed again;
    /// * [`Channel::poll`] lists the inbox's conversations with activity, whatever their status
    ///   (an agent's last message before resolving comes too) — over the last day at the first
    ///   poll and every [`FULL_SWEEP_EVERY`], otherwise since the previous poll without
    ///   failures plus [`POLL_MARGIN`] — and passes the agent messages after each one's
    ///   position, reading only the conversations whose last message is past it — and, between
    ///   sweeps, was already at the previous poll: news seen once is most likely a webhook on
    ///   its way, and a lost one costs one poll interval more (the positions it read are
    ///   remembered, so neither the desk nor the store is asked again);
    /// * a store that fails skips backfill (the webhook's message passes alone) instead of
    ///   replaying from the start.
    ///
    /// The listing runs inside [`Channel::receive`]. With a store, [`Channel::accept`] answers an
    /// authentic delivery at once, so `deskwire_core::axum`'s `channel_router` answers Chatwoot
    /// before the listing and your sink, and runs them after. Wrap the
    /// channel in [`Deduplicated`](deskwire_core::channel::Deduplicated) on the same store, so
    /// that a message two webhooks (or replicas) both backfill is handed out once.
    pub fn backfill(mut self, store: std::sync::Arc<dyn deskwire_core::store::Store>) -> Self {
        self.backfill = Some(backfill::Backfill::new(store));
        self
    }

    fn scope_text(&self) -> String {
        format!("{} inbox {}", self.api.base_url(), self.inbox_id)
    }

    fn public(&self, operation: Operation) -> Result<&PublicClient, ChannelError> {
        self.client_api.as_ref().ok_or(ChannelError::NotConfigured {
            provider: PROVIDER,
            operation,
            needs: NEEDS_CLIENT_API,
        })
    }

    /// Which `message_created` deliveries are the desk's (default: outgoing, not private).
    /// Add your own agent bot here if it also writes into these conversations.
    pub fn echo_filter(mut self, filter: EchoFilter) -> Self {
        self.echo = filter;
        self
    }

    /// The contact's session on the inbox: reused when the customer is known, else created.
    async fn session(&self, customer: &Customer) -> Result<String, ChannelError> {
        let found = self
            .api
            .search_contacts(&customer.id, None)
            .await
            .map_err(ChannelError::from)?
            .payload
            .into_iter()
            .find(|c| c.identifier.as_deref() == Some(customer.id.as_str()));
        if let Some(contact) = found {
            let existing = contact
                .contact_inboxes
                .iter()
                .flatten()
                .filter(|ci| ci.inbox.as_ref().and_then(|i| i.id) == Some(self.inbox_id))
                .find_map(|ci| ci.source_id.clone());
            if let Some(source) = existing {
                return Ok(source);
            }
            let created = self
                .api
                .create_contact_inbox(contact.id, self.inbox_id, None)
                .await
                .map_err(ChannelError::from)?;
            return created.source_id.ok_or_else(|| no_session("the new contact inbox"));
        }
        let mut contact = NewContact::in_inbox(self.inbox_id).identifier(&customer.id);
        contact = contact.name(customer.display_name());
        if let Some(email) = &customer.email {
            contact = contact.email(email);
        }
        if let Some(phone) = &customer.phone {
            contact = contact.phone_number(phone);
        }
        let created = self.api.create_contact(&contact).await.map_err(ChannelError::from)?;
        created
            .source_id(Some(self.inbox_id))
            .map(str::to_owned)
            .ok_or_else(|| no_session("the created contact"))
    }

    async fn post(&self, conversation: u64, message: &CustomerMessage) -> Result<Sent, ChannelError> {
        message.check_for(PROVIDER, CAPABILITIES)?;
        let mut wire = NewMessage::incoming(&message.text);
        if let Some(id) = &message.external_id {
            wire = wire.source_id(id);
        }
        for attachment in &message.attachments {
            match attachment {
                Attachment::Bytes {
                    filename,
                    content_type,
                    data,
                } => wire = wire.attach(Upload::new(filename, content_type, data.clone())),
                // Refused by `check_for` (not in the capabilities); never dropped.
                other => return Err(ChannelError::unsupported(PROVIDER, other.operation())),
            }
        }
        let created = self
            .api
            .create_message(conversation, &wire)
            .await
            .map_err(ChannelError::from)?;
        Ok(Sent::with_id(created.id.to_string()))
    }

    /// The neutral event of a verified delivery; `body` is read again as JSON only for the
    /// events passed on whole (`DeskEvent::Other`), not for messages, typing or resolutions.
    fn event(&self, event: &WebhookEvent, body: &[u8]) -> Option<DeskEvent> {
        let conversation_of = |id: u64| ConversationRef::new(PROVIDER, id.to_string());
        // The push data names the contact's session, which typing and marking read need.
        let with_session = |conversation: &crate::wire::Conversation| {
            let reference = conversation_of(conversation.id);
            match conversation.session() {
                Some(source) => reference.with("source", source),
                None => reference,
            }
        };
        let other = |conversation: Option<ConversationRef>| DeskEvent::Other {
            conversation,
            kind: event.name().to_owned(),
            raw: serde_json::from_slice(body).unwrap_or_default(),
        };
        match event {
            WebhookEvent::MessageCreated(_) => {
                let message = self.echo.desk_message(event)?;
                let conversation = match &message.conversation {
                    Some(c) => with_session(c),
                    None => conversation_of(message.conversation_id()?),
                };
                let m = &message.message;
                let role = match m.sender.as_ref().and_then(|s| s.kind.as_ref()) {
                    Some(SenderType::AgentBot | SenderType::CaptainAssistant) => Role::Bot,
                    _ => Role::Agent,
                };
                let id = DeskMessageRef::new(conversation, m.id.to_string());
                let mut desk = DeskMessage::new(id, role, m.content.clone().unwrap_or_default());
                if let Some(name) = m.sender.as_ref().and_then(|s| s.name.as_ref()) {
                    desk = desk.author(name);
                }
                for a in m.attachments.iter().flatten() {
                    if let Some(url) = &a.data_url {
                        desk = desk.attach(Attachment::url(url));
                    }
                }
                Some(DeskEvent::Message(desk))
            }
            WebhookEvent::ConversationTypingOn(t) | WebhookEvent::ConversationTypingOff(t) => {
                let by_agent = t.user.as_ref().and_then(|u| u.kind.as_ref()) == Some(&SenderType::User);
                let conversation = t.conversation.as_ref().map(with_session);
                match conversation {
                    Some(conversation) if by_agent && t.is_private != Some(true) => Some(DeskEvent::AgentTyping {
                        conversation,
                        on: matches!(event, WebhookEvent::ConversationTypingOn(_)),
                    }),
                    Some(_) if !by_agent => None, // the contact typing: your own echo
                    conversation => Some(other(conversation)),
                }
            }
            WebhookEvent::ConversationStatusChanged(c) | WebhookEvent::ConversationResolved(c) => {
                let conversation = with_session(&c.conversation);
                if c.conversation.status == Some(ConversationStatus::Resolved) {
                    Some(DeskEvent::Resolved { conversation })
                } else {
                    Some(other(Some(conversation)))
                }
            }
            WebhookEvent::MessageUpdated(m) => Some(other(m.conversation_id().map(conversation_of))),
            WebhookEvent::ConversationCreated(c)
            | WebhookEvent::ConversationUpdated(c)
            | WebhookEvent::ConversationOpened(c) => Some(other(Some(conversation_of(c.conversation.id)))),
            _ => Some(other(None)),
        }
    }

    fn conversation_id(conversation: &ConversationRef) -> Result<u64, ChannelError> {
        conversation
            .expect_provider(PROVIDER)
            .map_err(|e| ChannelError::invalid(PROVIDER, e))?;
        conversation.id().parse().map_err(|_| {
            ChannelError::invalid(
                PROVIDER,
                ValidationError::new(
                    "conversation",
                    ValidationProblem::Invalid("a Chatlake conversation id is a number".into()),
                ),
            )
        })
    }

    fn session_of(conversation: &ConversationRef) -> Result<(u64, &str), ChannelError> {
        let id = Self::conversation_id(conversation)?;
        let source = conversation
            .require("source")
            .map_err(|e| ChannelError::invalid(PROVIDER, e))?;
        Ok((id, source))
    }
}

fn no_session(what: &str) -> ChannelError {
    ChannelError::Provider {
        provider: PROVIDER,
        delivery: deskwire_core::Delivery::MaybeDelivered,
        status: None,
        retry_after: None,
        retryable: false,
        attempts: 1,
        source: format!("{what} has no session (`source_id`) on the inbox").into(),
    }
}

impl ChatlakeChannel {
    /// The delivery of `request`, once its signature checks out.
    fn verified(&self, request: &InboundRequest) -> Result<crate::inbound::WebhookDelivery, ChannelError> {
        let webhooks = self.webhooks.as_ref().ok_or(ChannelError::NotConfigured {
            provider: PROVIDER,
            operation: Operation::Receive,
            needs: NEEDS_WEBHOOKS,
        })?;
        webhooks
            .verify(&request.headers, &request.body)
            .map_err(|e| ChannelError::refused(PROVIDER, &e))
    }
}

#[async_trait]
impl Channel for ChatlakeChannel {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    /// The account's API URL (server and account) and the inbox: Chatwoot's conversation and
    /// message ids are per install and account.
    fn scope(&self) -> String {
        self.scope_text()
    }

    fn capabilities(&self) -> Capabilities {
        let mut capabilities = CAPABILITIES;
        if self.client_api.is_none() {
            capabilities = capabilities.without(Operation::Typing).without(Operation::MarkRead);
        }
        if self.webhooks.is_none() {
            capabilities = capabilities.without(Operation::Receive);
        }
        if self.backfill.is_none() {
            capabilities = capabilities.without(Operation::Poll).without(Operation::Backfill);
        }
        capabilities
    }

    async fn start_conversation(&self, customer: &Customer, first: &CustomerMessage) -> Result<Started, ChannelError> {
        customer.check().map_err(|e| ChannelError::invalid(PROVIDER, e))?;
        first.check_for(PROVIDER, CAPABILITIES)?;
        let source = self.session(customer).await?;
        let created = self
            .api
            .create_conversation(&NewConversation::for_session(self.inbox_id, &source))
            .await
            .map_err(ChannelError::from)?;
        let conversation = ConversationRef::new(PROVIDER, created.id.to_string()).with("source", source);
        match self.post(created.id, first).await {
            Ok(sent) => Ok(Started::new(conversation, sent)),
            Err(error) => Err(ChannelError::Incomplete {
                provider: PROVIDER,
                conversation,
                source: Box::new(error),
            }),
        }
    }

    async fn send(&self, conversation: &ConversationRef, message: &CustomerMessage) -> Result<Sent, ChannelError> {
        self.post(Self::conversation_id(conversation)?, message).await
    }

    async fn typing(&self, conversation: &ConversationRef, typing: &Typing) -> Result<(), ChannelError> {
        let (id, source) = Self::session_of(conversation)?;
        let on = match typing {
            Typing::On { .. } => true,
            Typing::Off => false,
            _ => return Err(ChannelError::unsupported(PROVIDER, Operation::Typing)),
        };
        self.public(Operation::Typing)?
            .toggle_typing(source, id, on)
            .await
            .map_err(ChannelError::from)
    }

    async fn mark_read(&self, message: &DeskMessageRef) -> Result<(), ChannelError> {
        let (id, source) = Self::session_of(&message.conversation)?;
        self.public(Operation::MarkRead)?
            .update_last_seen(source, id)
            .await
            .map_err(ChannelError::from)
    }

    async fn close(&self, conversation: &ConversationRef) -> Result<(), ChannelError> {
        let id = Self::conversation_id(conversation)?;
        let resolve = ToggleStatus {
            status: Some(ConversationStatus::Resolved),
            ..ToggleStatus::default()
        };
        self.api
            .toggle_status(id, &resolve)
            .await
            .map(|_| ())
            .map_err(ChannelError::from)
    }

    /// With [`backfill`](Self::backfill), an authentic delivery is answered at once
    /// ([`Acceptance::Now`]): Chatwoot never sends a webhook again and marks the agent's message
    /// failed when the answer is an error or takes over 5 s (konversio-org/konversio
    /// 88ffa329eb6e18ae06b608d8b4bab96c0e1b8f44, `lib/webhooks/trigger.rb` L16-24, L90-113),
    /// while a message not committed stays above the conversation's position and is listed
    /// again by the next webhook or poll. Without backfill the answer waits for the handling.
    async fn accept(&self, request: &InboundRequest) -> Result<Acceptance, ChannelError> {
        if self.backfill.is_none() {
            return Ok(Acceptance::AfterHandling);
        }
        self.verified(request)?;
        Ok(Acceptance::Now(InboundResponse::empty(StatusCode::OK)))
    }

    async fn receive(&self, request: InboundRequest) -> Result<Received, ChannelError> {
        let delivery = self.verified(&request)?;
        let events: Vec<DeskEvent> = self.event(&delivery.event, &request.body).into_iter().collect();
        let events = match &self.backfill {
            Some(backfill) => self.in_order(backfill, events).await,
            None => events.into_iter().map(Incoming::new).collect(),
        };
        Ok(Received::acknowledged(events, InboundResponse::empty(StatusCode::OK)))
    }

    async fn poll(&self) -> Result<Polled, ChannelError> {
        let backfill = self.backfill.as_ref().ok_or(ChannelError::NotConfigured {
            provider: PROVIDER,
            operation: Operation::Poll,
            needs: NEEDS_BACKFILL,
        })?;
        self.reconcile(backfill).await
    }
}
