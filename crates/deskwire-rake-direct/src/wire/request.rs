//! The documented scenarios, one type each, so that a combination the docs do not describe
//! cannot be built. They all travel to the one endpoint; [`RakeDirectRequest`] is their union.
//!
//! The workspace secret is not part of these types: the client adds it when it encodes the
//! body ([`RakeDirectRequest::to_body`]), so a request can be logged or debugged without it.

use deskwire_core::Secret;
use serde::{Deserialize, Serialize};

use super::{Contact, MessageType, PlatformId, ReceiveEvent, Sender, SessionId};

/// Suggested lifetime of a transactional session: it expires at once, and a customer reply
/// starts a new session routed to an agent.
pub const TRANSACTIONAL_TIMEOUT_SECS: u64 = 1;

/// Send to a customer who has no session yet (SMS, Facebook Messenger): `platformIds` +
/// `secondaryEntity` + `session.timeout`.
///
/// ```
/// use deskwire_rake_direct::wire::{Contact, Outbound, PlatformId};
/// let sms = Outbound::transactional(PlatformId::Sms, Contact::phone("123456789012"), "Your parcel has arrived.");
/// assert_eq!(sms.timeout_secs, 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Outbound {
    /// The text, sent as written (`{{...}}` placeholders included).
    pub message: String,
    /// `messageType`: `text` unless changed; `None` only for bodies read back without one.
    pub message_type: Option<MessageType>,
    /// Where to deliver; at least one.
    pub platforms: Vec<PlatformId>,
    /// The customer.
    pub to: Contact,
    /// `session.timeout` in seconds; at least 1 (0 would close the session).
    pub timeout_secs: u64,
    /// Who sends it; `None` means the workspace.
    pub from: Option<Sender>,
}

impl Outbound {
    /// A send with a session that lives `timeout_secs` seconds.
    pub fn new(platform: PlatformId, to: Contact, message: impl Into<String>, timeout_secs: u64) -> Self {
        Self {
            message: message.into(),
            message_type: Some(MessageType::Text),
            platforms: vec![platform],
            to,
            timeout_secs,
            from: None,
        }
    }

    /// A transactional, reminder or marketing message: the session expires after 1 s.
    pub fn transactional(platform: PlatformId, to: Contact, message: impl Into<String>) -> Self {
        Self::new(platform, to, message, TRANSACTIONAL_TIMEOUT_SECS)
    }

    /// Adds a platform.
    pub fn also_on(mut self, platform: PlatformId) -> Self {
        self.platforms.push(platform);
        self
    }

    /// Sets the sender.
    pub fn from(mut self, sender: Sender) -> Self {
        self.from = Some(sender);
        self
    }
}

/// Post into an existing session, channel, group chat or DM: a system event, or your answer in
/// a session you opened ([`OpenSession`]).
///
/// ```
/// use deskwire_rake_direct::wire::{PostToSession, Sender};
/// let note = PostToSession::new(123, "Great news!").from(Sender::entity(21u64));
/// assert_eq!(note.session_id.0, 123);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PostToSession {
    /// The session.
    pub session_id: SessionId,
    /// The text, sent as written.
    pub message: String,
    /// `messageType`: `text` unless changed; `None` only for bodies read back without one.
    pub message_type: Option<MessageType>,
    /// Who sends it; `None` means the workspace.
    pub from: Option<Sender>,
}

impl PostToSession {
    /// A message into `session_id`, sent on behalf of the workspace.
    pub fn new(session_id: impl Into<SessionId>, message: impl Into<String>) -> Self {
        Self {
            session_id: session_id.into(),
            message: message.into(),
            message_type: Some(MessageType::Text),
            from: None,
        }
    }

    /// Sets the sender.
    pub fn from(mut self, sender: Sender) -> Self {
        self.from = Some(sender);
        self
    }
}

/// Where Rake delivers the messages meant for your customer, for sessions you manage.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReturnWebhook {
    /// `returnWebhookUrl` (http or https).
    pub url: String,
    /// `returnWebhookSecret`: how Rake uses it is undocumented (see the crate docs).
    pub secret: Secret,
    /// `custom`: your own data (inferred to be echoed back in deliveries).
    pub custom: Option<String>,
    /// `receiveEvents`, e.g. `["message", "endSession"]` (Rake's dev notes; meaning inferred).
    pub receive_events: Option<Vec<ReceiveEvent>>,
}

impl ReturnWebhook {
    /// A webhook at `url` with its secret.
    pub fn new(url: impl Into<String>, secret: Secret) -> Self {
        Self {
            url: url.into(),
            secret,
            custom: None,
            receive_events: None,
        }
    }

    /// Sets `custom`.
    pub fn custom(mut self, custom: impl Into<String>) -> Self {
        self.custom = Some(custom.into());
        self
    }

    /// Adds an event to `receiveEvents`.
    pub fn receive(mut self, event: ReceiveEvent) -> Self {
        self.receive_events.get_or_insert_with(Vec::new).push(event);
        self
    }
}

/// Compares the secrets in constant time.
impl PartialEq for ReturnWebhook {
    fn eq(&self, other: &Self) -> bool {
        self.secret.matches(other.secret.expose().as_bytes())
            && self.url == other.url
            && self.custom == other.custom
            && self.receive_events == other.receive_events
    }
}

impl Eq for ReturnWebhook {}

/// Who a managed session is with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionWith {
    /// A customer reached on `platforms` (3rd-party chat system: CRM, ...).
    Customer {
        /// Where to reach them; at least one.
        platforms: Vec<PlatformId>,
        /// The customer.
        contact: Contact,
    },
    /// Your own chat widget: no platform, no contact.
    Widget,
}

/// Open a session managed from a 3rd-party chat system or your own widget. Rake answers with
/// the new session id and delivers the messages meant for your customer to the return webhook.
///
/// ```
/// use deskwire_core::Secret;
/// use deskwire_rake_direct::wire::{OpenSession, ReturnWebhook};
/// let hook = ReturnWebhook::new("https://crm.example.com/rake", Secret::new("1111")).custom("ticket-9");
/// let open = OpenSession::widget(hook, "Hello, I need help", 3600);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenSession {
    /// The return webhook.
    pub webhook: ReturnWebhook,
    /// Who the session is with.
    pub with: SessionWith,
    /// The first message, sent as written.
    pub message: String,
    /// `messageType`: `text` unless changed; `None` only for bodies read back without one.
    pub message_type: Option<MessageType>,
    /// `session.timeout` in seconds; at least 1.
    pub timeout_secs: u64,
    /// Who sends the first message; `None` means the workspace.
    pub from: Option<Sender>,
}

impl OpenSession {
    /// A session with a customer reached on `platform`, managed from a 3rd-party chat system.
    pub fn third_party(
        webhook: ReturnWebhook,
        platform: PlatformId,
        contact: Contact,
        message: impl Into<String>,
        timeout_secs: u64,
    ) -> Self {
        Self {
            webhook,
            with: SessionWith::Customer {
                platforms: vec![platform],
                contact,
            },
            message: message.into(),
            message_type: Some(MessageType::Text),
            timeout_secs,
            from: None,
        }
    }

    /// A session for your own chat widget.
    pub fn widget(webhook: ReturnWebhook, message: impl Into<String>, timeout_secs: u64) -> Self {
        Self {
            webhook,
            with: SessionWith::Widget,
            message: message.into(),
            message_type: Some(MessageType::Text),
            timeout_secs,
            from: None,
        }
    }

    /// Sets the sender.
    pub fn from(mut self, sender: Sender) -> Self {
        self.from = Some(sender);
        self
    }
}

/// Close a session: its `sessionId` with `session.timeout: 0` (Rake's dev notes).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CloseSession {
    /// The session.
    pub session_id: SessionId,
    /// A last message, if any (whether Rake requires one is undocumented; none is sent by default).
    pub message: Option<String>,
    /// `messageType` of the last message.
    pub message_type: Option<MessageType>,
}

impl CloseSession {
    /// Closes `session_id`.
    pub fn new(session_id: impl Into<SessionId>) -> Self {
        Self {
            session_id: session_id.into(),
            message: None,
            message_type: None,
        }
    }

    /// Sends a last message with the close.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self.message_type = Some(MessageType::Text);
        self
    }
}

/// Any Rake Direct request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RakeDirectRequest {
    /// A send to a customer without a session.
    Outbound(Outbound),
    /// A post into an existing session.
    Post(PostToSession),
    /// A managed session, opened.
    Open(OpenSession),
    /// A session, closed.
    Close(CloseSession),
}

macro_rules! from_scenario {
    ($($variant:ident($ty:ty)),*) => {$(
        impl From<$ty> for RakeDirectRequest {
            fn from(value: $ty) -> Self {
                Self::$variant(value)
            }
        }
    )*};
}

from_scenario!(
    Outbound(Outbound),
    Post(PostToSession),
    Open(OpenSession),
    Close(CloseSession)
);

#[derive(Serialize, Deserialize)]
struct SessionSettings {
    timeout: u64,
}

/// The body as it travels; field order follows the use cases' examples.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    session_id: Option<SessionId>,
    secret: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    return_webhook_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    return_webhook_secret: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    custom: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    receive_events: Option<&'a [ReceiveEvent]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_type: Option<&'a MessageType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    platform_ids: Option<&'a [PlatformId]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    initiating_entity: Option<&'a Sender>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secondary_entity: Option<&'a Contact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<SessionSettings>,
}

impl<'a> WireOut<'a> {
    fn new(secret: &'a str) -> Self {
        Self {
            session_id: None,
            secret,
            return_webhook_url: None,
            return_webhook_secret: None,
            custom: None,
            receive_events: None,
            message: None,
            message_type: None,
            platform_ids: None,
            initiating_entity: None,
            secondary_entity: None,
            session: None,
        }
    }
}

/// The body as read back (by [`RakeDirectRequest::from_body`]).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WireIn {
    session_id: Option<SessionId>,
    // Required (every documented body carries it) but never read back: from_body does not hand
    // the secret out; carries_secret compares it.
    #[serde(rename = "secret")]
    _secret: String,
    return_webhook_url: Option<String>,
    return_webhook_secret: Option<String>,
    custom: Option<String>,
    receive_events: Option<Vec<ReceiveEvent>>,
    message: Option<String>,
    message_type: Option<MessageType>,
    platform_ids: Option<Vec<PlatformId>>,
    initiating_entity: Option<Sender>,
    secondary_entity: Option<Contact>,
    session: Option<SessionSettings>,
}

/// Why a body could not be read back as one documented scenario.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a Rake Direct scenario: {0}")]
pub struct ScenarioError(pub String);

impl RakeDirectRequest {
    /// The scenario's name: `outbound`, `post`, `open-session` or `close`.
    pub fn scenario(&self) -> &'static str {
        match self {
            Self::Outbound(_) => "outbound",
            Self::Post(_) => "post",
            Self::Open(_) => "open-session",
            Self::Close(_) => "close",
        }
    }

    /// Whether sending it twice is harmless. Only a close is: a repeated send or open reaches
    /// the customer twice.
    pub fn is_idempotent(&self) -> bool {
        matches!(self, Self::Close(_))
    }

    /// The JSON body with `secret` inside, as Rake expects it.
    pub fn to_body(&self, secret: &Secret) -> Result<Vec<u8>, serde_json::Error> {
        let mut w = WireOut::new(secret.expose());
        match self {
            Self::Outbound(o) => {
                w.message = Some(&o.message);
                w.message_type = o.message_type.as_ref();
                w.platform_ids = Some(&o.platforms);
                w.initiating_entity = o.from.as_ref();
                w.secondary_entity = Some(&o.to);
                w.session = Some(SessionSettings {
                    timeout: o.timeout_secs,
                });
            }
            Self::Post(p) => {
                w.session_id = Some(p.session_id);
                w.message = Some(&p.message);
                w.message_type = p.message_type.as_ref();
                w.initiating_entity = p.from.as_ref();
            }
            Self::Open(o) => {
                w.return_webhook_url = Some(&o.webhook.url);
                w.return_webhook_secret = Some(o.webhook.secret.expose());
                w.custom = o.webhook.custom.as_deref();
                w.receive_events = o.webhook.receive_events.as_deref();
                w.message = Some(&o.message);
                w.message_type = o.message_type.as_ref();
                if let SessionWith::Customer { platforms, contact } = &o.with {
                    w.platform_ids = Some(platforms);
                    w.secondary_entity = Some(contact);
                }
                w.initiating_entity = o.from.as_ref();
                w.session = Some(SessionSettings {
                    timeout: o.timeout_secs,
                });
            }
            Self::Close(c) => {
                w.session_id = Some(c.session_id);
                w.message = c.message.as_deref();
                w.message_type = c.message_type.as_ref();
                w.session = Some(SessionSettings { timeout: 0 });
            }
        }
        serde_json::to_vec(&w)
    }

    /// Whether `body` carries `secret` (compared in constant time): for auditing or proxying
    /// bodies built elsewhere without ever handing the secret out.
    pub fn carries_secret(body: &[u8], secret: &Secret) -> bool {
        #[derive(serde::Deserialize)]
        struct OnlySecret {
            secret: String,
        }
        !secret.is_empty()
            && serde_json::from_slice::<OnlySecret>(body).is_ok_and(|w| secret.matches(w.secret.as_bytes()))
    }

    /// Reads a body back into its scenario: for replaying, auditing or proxying bodies built
    /// elsewhere. The secret it carries is not handed out ([`Self::carries_secret`] checks it).
    /// Refuses combinations no documented scenario has.
    pub fn from_body(body: &[u8]) -> Result<Self, ScenarioError> {
        let w: WireIn = serde_json::from_slice(body).map_err(|e| ScenarioError(e.to_string()))?;
        let timeout = w.session.map(|s| s.timeout);
        let message_type = w.message_type;
        let missing = |what: &str| ScenarioError(format!("`{what}` is missing"));
        // Fields only a new session carries; an existing session (post or close) takes none.
        let opens_session = w.return_webhook_url.is_some() || w.platform_ids.is_some() || w.secondary_entity.is_some();
        let request = match (w.session_id, timeout) {
            (Some(session_id), Some(0)) => {
                if opens_session {
                    return Err(ScenarioError("a close carries only the session and a message".into()));
                }
                Self::Close(CloseSession {
                    session_id,
                    message: w.message,
                    message_type,
                })
            }
            (Some(_), Some(_)) => return Err(ScenarioError("an existing session takes no timeout but 0".into())),
            (Some(session_id), None) => {
                if opens_session {
                    return Err(ScenarioError(
                        "a post into a session takes no webhook, platform or contact".into(),
                    ));
                }
                Self::Post(PostToSession {
                    session_id,
                    message: w.message.ok_or_else(|| missing("message"))?,
                    message_type,
                    from: w.initiating_entity,
                })
            }
            (None, timeout) => {
                let timeout_secs = timeout.ok_or_else(|| missing("session.timeout"))?;
                let message = w.message.ok_or_else(|| missing("message"))?;
                let with = match (w.platform_ids, w.secondary_entity) {
                    (Some(platforms), Some(contact)) => Some((platforms, contact)),
                    (None, None) => None,
                    _ => return Err(ScenarioError("`platformIds` and `secondaryEntity` go together".into())),
                };
                match (w.return_webhook_url, with) {
                    (Some(url), with) => Self::Open(OpenSession {
                        webhook: ReturnWebhook {
                            url,
                            secret: Secret::new(w.return_webhook_secret.ok_or_else(|| missing("returnWebhookSecret"))?),
                            custom: w.custom,
                            receive_events: w.receive_events,
                        },
                        with: match with {
                            Some((platforms, contact)) => SessionWith::Customer { platforms, contact },
                            None => SessionWith::Widget,
                        },
                        message,
                        message_type,
                        timeout_secs,
                        from: w.initiating_entity,
                    }),
                    (None, Some((platforms, to))) => {
                        if w.return_webhook_secret.is_some() || w.custom.is_some() || w.receive_events.is_some() {
                            return Err(ScenarioError("webhook settings without `returnWebhookUrl`".into()));
                        }
                        Self::Outbound(Outbound {
                            message,
                            message_type,
                            platforms,
                            to,
                            timeout_secs,
                            from: w.initiating_entity,
                        })
                    }
                    (None, None) => {
                        return Err(ScenarioError(
                            "a new session needs `platformIds` + `secondaryEntity` or a `returnWebhookUrl`".into(),
                        ))
                    }
                }
            }
        };
        Ok(request)
    }
}
