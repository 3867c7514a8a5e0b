//! Universal Connector deliveries: the HTTP calls a Directly admin configures to fire on
//! question events, with a **body the admin templates** (mustache fields such as
//! `{{event_type}}`, `{{question.uuid}}`, `{{answer.comment.text}}`).
//!
//! Because the body is the admin's template, [`ConnectorEvent`] keeps the whole JSON
//! ([`ConnectorEvent::raw`]) and reads the usual fields best-effort from the two published
//! layouts: the flat camelCase one of Directly's own client (`eventType`, `questionUuid`,
//! `message`, `messageAuthorIsPoster`, ...) and Meya's nested snake_case one (`event_type`,
//! `question.uuid`, `answer.comment.text`, `answer.comment.author.is_poster`, ...). Booleans are
//! read from `true` or `"true"` (templates quote them or not).
//!
//! **Authenticity is not documented**: no signature or auth header is published. A
//! [`ConnectorReceiver`] therefore takes the check you configured on the connector (the core
//! [`Proof`]: a shared secret in a header, an HMAC of the body, or your own function), with one
//! or more secrets while one is rotated out, and refuses unchecked deliveries unless built with
//! [`ConnectorReceiver::accept_unauthenticated`].

use std::time::SystemTime;

pub use deskwire_core::verify::{EmptySecret, Proof, ProofError};
use deskwire_core::verify::{ProofVerifier, Refusal, Verify};
use deskwire_core::{open_enum, InboundRequest, Secret};
use http::{HeaderMap, StatusCode};
use serde_json::Value;

use crate::wire::{Timestamp, Uuid};

open_enum! {
    /// `event_type` of a delivery (Directly's client's list).
    pub enum ConnectorEventType {
        /// Routed to experts.
        QuestionApproved = "QUESTION_APPROVED",
        /// The first expert response.
        QuestionFirstResponse = "QUESTION_FIRST_RESPONSE",
        /// Another response or message.
        QuestionResponse = "QUESTION_RESPONSE",
        /// An automated response.
        QuestionAutoResponse = "QUESTION_AUTO_RESPONSE",
        /// The user opened the automated response.
        AutoResponseOpened = "AUTO_RESPONSE_OPENED",
        /// The user rated a response.
        QuestionRated = "QUESTION_RATED",
        /// Resolved.
        QuestionResolved = "QUESTION_RESOLVED",
        /// An expert marked it resolved.
        QuestionMarkedAsResolved = "QUESTION_MARKED_AS_RESOLVED",
        /// Expired.
        QuestionExpired = "QUESTION_EXPIRED",
        /// The user is prompted to reroute.
        CustomerReroutePrompt = "CUSTOMER_REROUTE_PROMPT",
        /// Escalated by an expert.
        QuestionEscalatedByExpert = "QUESTION_ESCALATED_BY_EXPERT",
        /// Escalated by the customer.
        QuestionEscalatedByCustomer = "QUESTION_ESCALATED_BY_CUSTOMER",
        /// Escalated for lack of an answer in time.
        QuestionEscalatedByTime = "QUESTION_ESCALATED_BY_TIME",
        /// Escalated because of its language.
        QuestionEscalatedByLanguage = "QUESTION_ESCALATED_BY_LANGUAGE",
        /// Flagged as an emergency.
        QuestionFlaggedEmergency = "QUESTION_FLAGGED_EMERGENCY",
        /// Flagged for personal data.
        QuestionFlaggedPii = "QUESTION_FLAGGED_PII",
        /// Rejected because of a keyword.
        QuestionRejectedByKeyword = "QUESTION_REJECTED_BY_KEYWORD",
        /// Rejected: blocked user.
        QuestionRejectedByBlockedUser = "QUESTION_REJECTED_BY_BLOCKED_USER",
        /// Rejected: the user opted out.
        QuestionRejectedByOptedOutUser = "QUESTION_REJECTED_BY_OPTED_OUT_USER",
        /// Rejected by predictive routing.
        QuestionRejectedByPredictiveRouting = "QUESTION_REJECTED_BY_PREDICTIVE_ROUTING",
        /// Taken back.
        Takeback = "TAKEBACK",
    }
    /// An event type this version does not know.
    Unknown
}

/// A decoded delivery: best-effort typed fields and the whole JSON.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ConnectorEvent {
    /// `eventType` / `event_type`.
    pub event_type: ConnectorEventType,
    /// The question.
    pub question_uuid: Option<Uuid>,
    /// The response (answer).
    pub response_uuid: Option<Uuid>,
    /// The message (comment).
    pub message_uuid: Option<Uuid>,
    /// The message text.
    pub message: Option<String>,
    /// Who wrote it.
    pub author_name: Option<String>,
    /// Whether the question's asker wrote it (an echo of your own user's message).
    pub author_is_poster: Option<bool>,
    /// Whether a bot wrote it.
    pub author_is_chatbot: Option<bool>,
    /// Whether it is an automatic answer.
    pub is_auto_answer: Option<bool>,
    /// When the message was written, when sent as text.
    pub created: Option<Timestamp>,
    /// Your external id for the question.
    pub external_id: Option<String>,
    /// The expert's name.
    pub expert_name: Option<String>,
    /// The expert's id.
    pub expert_uuid: Option<Uuid>,
    /// The expert's avatar URL.
    pub expert_avatar: Option<String>,
    /// Expected response time, milliseconds.
    pub expected_response_ms: Option<u64>,
    /// The body as received.
    pub raw: Value,
}

/// Why a delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectorError {
    /// The delivery's proof is missing, malformed or wrong.
    #[error(transparent)]
    Proof(#[from] ProofError),
    /// The body is not a JSON object with an event type.
    #[error("the delivery is not a connector event: {0}")]
    Payload(String),
}

/// 400 for a body that is not a connector event; 401 when its origin is not proven.
impl Refusal for ConnectorError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Payload(_) => StatusCode::BAD_REQUEST,
            Self::Proof(e) => e.status_code(),
        }
    }
}

/// Checks and decodes connector deliveries. Build once, share freely.
///
/// ```
/// use deskwire_core::verify::{Proof, Verify};
/// use deskwire_core::Secret;
/// use deskwire_directly::inbound::{ConnectorEventType, ConnectorReceiver};
///
/// let receiver = ConnectorReceiver::new(Proof::shared_secret("x-connector-secret"), [&Secret::new("s3cret")]).unwrap();
/// let mut headers = http::HeaderMap::new();
/// headers.insert("x-connector-secret", "s3cret".parse().unwrap());
/// let body = br#"{"eventType":"QUESTION_RESPONSE","questionUuid":"123e4567-e89b-12d3-a456-426655440000","message":"Try a reboot","messageAuthorIsPoster":false}"#;
/// let event = receiver.verify(&headers, body).unwrap();
/// assert_eq!(event.event_type, ConnectorEventType::QuestionResponse);
/// assert!(!event.is_echo());
/// ```
#[derive(Clone, Debug)]
pub struct ConnectorReceiver {
    proof: ProofVerifier,
}

impl ConnectorReceiver {
    /// Deliveries must carry `proof` made with one of `secrets` (the current one first; older
    /// ones still accepted while rotated out). An empty secret is refused.
    pub fn new<'a>(proof: Proof, secrets: impl IntoIterator<Item = &'a Secret>) -> Result<Self, EmptySecret> {
        Ok(Self {
            proof: ProofVerifier::new(proof, secrets)?,
        })
    }

    /// No check at all. Only behind something else that authenticates Directly.
    pub fn accept_unauthenticated() -> Self {
        Self {
            proof: ProofVerifier::accept_unauthenticated(),
        }
    }

    /// Only the check, on the raw bytes.
    pub fn authenticate(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), ConnectorError> {
        self.proof.authenticate(headers, body).map_err(ConnectorError::from)
    }
}

impl Verify for ConnectorReceiver {
    type Verified = ConnectorEvent;
    type Error = ConnectorError;

    /// Checks the delivery on its raw bytes, then decodes it. Connector deliveries carry no
    /// timestamp, so `now` plays no part.
    fn verify_at(&self, headers: &HeaderMap, body: &[u8], _now: SystemTime) -> Result<ConnectorEvent, ConnectorError> {
        self.authenticate(headers, body)?;
        let mut event = ConnectorEvent::from_json(body)?;
        // A secret echoed in the body is not kept in the event.
        self.proof.strip_proof(&mut event.raw);
        Ok(event)
    }

    /// The delivery as this receiver expects the connector to send it (the proof you
    /// configured, made with the current secret), for tests of your route: see
    /// [`ProofVerifier::sign_request`].
    fn sign_at(&self, body: &[u8], _now: SystemTime) -> InboundRequest {
        self.proof.sign_request(body)
    }
}

impl ConnectorEvent {
    /// Decodes a delivery body (no authenticity check).
    pub fn from_json(body: &[u8]) -> Result<Self, ConnectorError> {
        let raw: Value = serde_json::from_slice(body).map_err(|e| ConnectorError::Payload(e.to_string()))?;
        if !raw.is_object() {
            return Err(ConnectorError::Payload("not a JSON object".into()));
        }
        let text = |pointers: &[&str]| -> Option<String> {
            pointers.iter().find_map(|p| match raw.pointer(p) {
                Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            })
        };
        let flag = |pointers: &[&str]| -> Option<bool> {
            pointers.iter().find_map(|p| match raw.pointer(p) {
                Some(Value::Bool(b)) => Some(*b),
                Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                },
                _ => None,
            })
        };
        let uuid = |pointers: &[&str]| text(pointers).map(Uuid::from_server);
        let event_type = text(&["/eventType", "/event_type"])
            .ok_or_else(|| ConnectorError::Payload("no `eventType` / `event_type`".into()))?;
        Ok(Self {
            event_type: ConnectorEventType::from(event_type),
            question_uuid: uuid(&["/questionUuid", "/question/uuid"]),
            response_uuid: uuid(&["/responseUuid", "/answer/uuid"]),
            message_uuid: uuid(&["/messageUuid", "/answer/comment/uuid", "/message/uuid"]),
            message: text(&["/message", "/answer/comment/text", "/message/text"]),
            author_name: text(&["/authorName", "/answer/comment/author/name", "/answer/author/name"]),
            author_is_poster: flag(&["/messageAuthorIsPoster", "/answer/comment/author/is_poster"]),
            author_is_chatbot: flag(&["/messageAuthorIsChatbot", "/answer/comment/author/is_chatbot"]),
            is_auto_answer: flag(&["/messageIsAutoAnswer", "/answer/comment/is_auto_answer"]),
            created: text(&["/messageCreated"]).map(Timestamp::from_text),
            external_id: text(&["/externalId", "/question/external_id"]),
            expert_name: text(&["/expertName", "/answer/expert/name"]),
            expert_uuid: uuid(&["/expertUuid", "/answer/expert/uuid"]),
            expert_avatar: text(&["/expertAvatar", "/answer/expert/avatar"]),
            expected_response_ms: text(&["/expectedResponseMilliseconds"]).and_then(|s| s.parse().ok()),
            raw,
        })
    }

    /// Whether the question's asker wrote it — your own user's message coming back. Directly's
    /// client drops these.
    pub fn is_echo(&self) -> bool {
        self.author_is_poster == Some(true)
    }
}
