//! [`RakeDirectChannel`]: Rake Direct behind the provider-neutral [`Channel`] trait.
//!
//! Your widget (or a third-party chat) runs sessions that Rake's agents answer; their messages
//! come back to your `returnWebhookUrl`.
//!
//! | neutral operation | Rake Direct |
//! |-|-|
//! | `start_conversation` | [`OpenSession`]: a widget session (default), or with [`RakeDirectChannel::third_party`] a session with the customer reached on a platform (their phone, else their email); the first message travels with it; `session.timeout` from [`RakeDirectChannel::session_timeout`] (default 3600 s); the return webhook you configured |
//! | `send` | [`PostToSession`] into the session |
//! | attachments | unsupported: Rake Direct carries text only |
//! | `typing`, `mark_read` | unsupported: no such request is documented |
//! | `close` | [`CloseSession`] (`session.timeout: 0`) |
//! | `receive` | a return-webhook delivery, checked with your [`ReturnWebhookVerifier`] over the raw body: `message` → [`DeskEvent::Message`] (role agent); `endSession` → [`DeskEvent::Closed`]; `typing` → [`DeskEvent::AgentTyping`] (`on` unless the delivery says `"typing": false`); `read` → [`DeskEvent::Read`]; anything else, or a delivery without a session id → [`DeskEvent::Other`] with its JSON |
//! | `poll` | unsupported: Rake calls you |
//!
//! The delivery format is undocumented ([`inbound`](crate::inbound)); a desk message's id is its
//! `messageId` / `id` when the delivery carries one, else a digest of the delivery, so a
//! repeated delivery gets the same id. Deliveries are answered `200` with an empty body; a
//! refused one `401` (proof of origin) or `400` (not a JSON object).
//!
//! The [`ConversationRef`] is `rake-direct:<session id>`.

use deskwire_core::channel::{
    async_trait, digest_id, Capabilities, Channel, ChannelError, ConversationRef, Customer, CustomerMessage, DeskEvent,
    DeskMessage, DeskMessageRef, EventKind, InboundRequest, InboundResponse, Operation, Received, Role, Sent, Started,
};
use deskwire_core::{ValidationError, ValidationProblem};
use http::StatusCode;
use serde_json::Value;

use crate::inbound::{EmptySecret, EventKind as RakeEvent, Proof, ReturnDelivery, ReturnWebhookVerifier};
use crate::wire::{CloseSession, Contact, OpenSession, PlatformId, PostToSession, ReturnWebhook, Sender, SessionId};
use crate::RakeDirectClient;
use deskwire_core::verify::Verify as _;

/// The provider key.
pub const PROVIDER: &str = "rake-direct";

/// What the channel supports.
pub const CAPABILITIES: Capabilities = Capabilities::none()
    .with(Operation::StartConversation)
    .with(Operation::Send)
    .with(Operation::Close)
    .with(Operation::Receive)
    .reports(EventKind::Message)
    .reports(EventKind::AgentTyping)
    .reports(EventKind::Read)
    .reports(EventKind::Closed);

/// Rake Direct as a [`Channel`]. The deliveries to the return webhook are checked with the
/// webhook's own secret, so the secret Rake is given and the one checked cannot disagree.
///
/// ```
/// use std::sync::Arc;
/// use deskwire_core::{channel::Channel, Secret};
/// use deskwire_core::verify::Proof;
/// use deskwire_rake_direct::{channel::RakeDirectChannel, wire::ReturnWebhook, RakeDirectClient};
///
/// let client = RakeDirectClient::builder("my-workspace", Secret::new("<workspace secret>")).build()?;
/// let hook = ReturnWebhook::new("https://widget.example.com/rake", Secret::new("<return webhook secret>"));
/// // How a delivery proves it is Rake's is undocumented: say which proof you configured.
/// let desk: Arc<dyn Channel> = Arc::new(RakeDirectChannel::new(client, hook, Proof::shared_secret("x-rake-secret")).unwrap());
/// assert_eq!(desk.provider(), "rake-direct");
/// # Ok::<(), deskwire_rake_direct::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct RakeDirectChannel {
    client: RakeDirectClient,
    webhook: ReturnWebhook,
    verifier: ReturnWebhookVerifier,
    timeout_secs: u64,
    platform: Option<PlatformId>,
}

impl RakeDirectChannel {
    /// A channel opening widget sessions that deliver to `webhook`, whose deliveries must carry
    /// `proof` made with the webhook's secret. An empty secret is refused.
    pub fn new(client: RakeDirectClient, webhook: ReturnWebhook, proof: Proof) -> Result<Self, EmptySecret> {
        let verifier = ReturnWebhookVerifier::new(proof, [&webhook.secret])?;
        Ok(Self {
            client,
            webhook,
            verifier,
            timeout_secs: 3600,
            platform: None,
        })
    }

    /// Replaces the delivery check: to accept an older secret while rotating it out
    /// (`ReturnWebhookVerifier::new(proof, [&new, &old])`), or, behind something else that
    /// authenticates Rake, `ReturnWebhookVerifier::accept_unauthenticated()`.
    pub fn verifier(mut self, verifier: ReturnWebhookVerifier) -> Self {
        self.verifier = verifier;
        self
    }

    /// Sessions expire after `secs` seconds of silence (default 3600).
    pub fn session_timeout(mut self, secs: u64) -> Self {
        self.timeout_secs = secs;
        self
    }

    /// Opens third-party sessions with the customer reached on `platform` (their phone, else
    /// their email), instead of widget sessions.
    pub fn third_party(mut self, platform: PlatformId) -> Self {
        self.platform = Some(platform);
        self
    }

    fn session(conversation: &ConversationRef) -> Result<SessionId, ChannelError> {
        conversation
            .expect_provider(PROVIDER)
            .map_err(|e| ChannelError::invalid(PROVIDER, e))?;
        conversation.id().parse().map(SessionId).map_err(|_| {
            ChannelError::invalid(
                PROVIDER,
                ValidationError::new(
                    "conversation",
                    ValidationProblem::Invalid("a Rake session id is a number".into()),
                ),
            )
        })
    }
}

fn message_id(delivery: &ReturnDelivery) -> String {
    let named = ["/messageId", "/message_id", "/id", "/data/messageId"]
        .iter()
        .find_map(|p| delivery.raw.pointer(p))
        .and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
    named.unwrap_or_else(|| digest_id("delivery", delivery.raw.to_string().as_bytes()))
}

fn event(delivery: ReturnDelivery) -> DeskEvent {
    let conversation = delivery
        .session_id
        .map(|s| ConversationRef::new(PROVIDER, s.to_string()));
    let other = |delivery: ReturnDelivery, conversation| DeskEvent::Other {
        conversation,
        kind: match &delivery.event {
            RakeEvent::Unknown(name) => name.clone(),
            known => format!("{known:?}"),
        },
        raw: delivery.raw,
    };
    let Some(conversation) = conversation else {
        return other(delivery, None);
    };
    match delivery.event {
        RakeEvent::Message => {
            let id = DeskMessageRef::new(conversation, message_id(&delivery));
            let mut message = DeskMessage::new(id, Role::Agent, delivery.text.clone().unwrap_or_default());
            if let Some(name) = delivery.sender.as_ref().and_then(|s| s.name.clone()) {
                message = message.author(name);
            }
            DeskEvent::Message(message)
        }
        RakeEvent::EndSession => DeskEvent::Closed { conversation },
        RakeEvent::Typing => DeskEvent::AgentTyping {
            on: ["/typing", "/isTyping", "/data/typing"]
                .iter()
                .find_map(|p| delivery.raw.pointer(p).and_then(Value::as_bool))
                .unwrap_or(true),
            conversation,
        },
        RakeEvent::Read => DeskEvent::Read {
            conversation,
            message: None,
        },
        _ => other(delivery, Some(conversation)),
    }
}

#[async_trait]
impl Channel for RakeDirectChannel {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    /// The API URL and this deployment's return webhook: one Rake workspace's deliveries.
    fn scope(&self) -> String {
        format!("{} webhook {}", self.client.url(), self.webhook.url)
    }

    async fn start_conversation(&self, customer: &Customer, first: &CustomerMessage) -> Result<Started, ChannelError> {
        first.check_for(PROVIDER, CAPABILITIES)?;
        let mut open = match self.platform {
            None => OpenSession::widget(self.webhook.clone(), &first.text, self.timeout_secs),
            Some(platform) => {
                let contact = match (&customer.phone, &customer.email) {
                    (Some(phone), _) => Contact::phone(phone),
                    (None, Some(email)) => Contact::email(email),
                    (None, None) => {
                        return Err(ChannelError::invalid(
                            PROVIDER,
                            ValidationError::new("customer.phone", ValidationProblem::Missing),
                        ))
                    }
                };
                OpenSession::third_party(self.webhook.clone(), platform, contact, &first.text, self.timeout_secs)
            }
        };
        if let Some(email) = &customer.email {
            open = open.from(Sender::email(email));
        }
        let opened = self.client.open_session(open).await.map_err(ChannelError::from)?;
        let conversation = ConversationRef::new(PROVIDER, opened.session_id.to_string());
        Ok(Started::new(conversation, Sent::without_id()))
    }

    async fn send(&self, conversation: &ConversationRef, message: &CustomerMessage) -> Result<Sent, ChannelError> {
        let session = Self::session(conversation)?;
        message.check_for(PROVIDER, CAPABILITIES)?;
        self.client
            .send(PostToSession::new(session, &message.text))
            .await
            .map_err(ChannelError::from)?;
        Ok(Sent::without_id())
    }

    async fn close(&self, conversation: &ConversationRef) -> Result<(), ChannelError> {
        let session = Self::session(conversation)?;
        self.client
            .send(CloseSession::new(session))
            .await
            .map(|_| ())
            .map_err(ChannelError::from)
    }

    async fn receive(&self, request: InboundRequest) -> Result<Received, ChannelError> {
        let delivery = self
            .verifier
            .verify(&request.headers, &request.body)
            .map_err(|e| ChannelError::refused(PROVIDER, &e))?;
        Ok(Received::new(
            vec![event(delivery)],
            InboundResponse::empty(StatusCode::OK),
        ))
    }
}
