//! Deliveries to your `returnWebhookUrl`: messages Rake sends for the customer of a session you
//! manage.
//!
//! **Neither the payload nor its authentication is documented.** So:
//!
//! * you choose how a delivery proves it comes from Rake (the core [`Proof`]): the
//!   `returnWebhookSecret` in a header, an HMAC of the raw body keyed with it, the secret
//!   echoed in the body, or a check of your own. The check runs on the raw bytes before
//!   anything is parsed, and compares in constant time; several secrets may be accepted while
//!   one is rotated out. Accepting unauthenticated deliveries is an explicit, separate
//!   constructor;
//! * a delivery decodes to its raw JSON plus best-effort fields ([`ReturnDelivery`]), looked up
//!   under the names Rake uses elsewhere (`sessionId`, `message`/`text`, `event`, `custom`, the
//!   user-app protocol's numeric event codes). Nothing is dropped: the raw JSON is kept.
//!
//! ```
//! use deskwire_core::Secret;
//! use deskwire_core::verify::{Proof, Verify};
//! use deskwire_rake_direct::inbound::{EventKind, ReturnWebhookVerifier};
//! use http::HeaderMap;
//!
//! let verifier = ReturnWebhookVerifier::new(Proof::shared_secret("x-rake-secret"), [&Secret::new("1111")]).unwrap();
//! let mut headers = HeaderMap::new();
//! headers.insert("x-rake-secret", "1111".parse().unwrap());
//! let delivery = verifier.verify(&headers, br#"{"sessionId":13731,"message":"Hi!","custom":"ticket-9"}"#).unwrap();
//! assert_eq!(delivery.session_id.map(|s| s.0), Some(13731));
//! assert_eq!(delivery.text.as_deref(), Some("Hi!"));
//! assert_eq!(delivery.event, EventKind::Message);
//! ```

use std::time::SystemTime;

pub use deskwire_core::verify::{EmptySecret, Proof, ProofError};
use deskwire_core::verify::{ProofVerifier, Refusal, Verify};
use deskwire_core::{InboundRequest, Secret};
use http::{HeaderMap, StatusCode};
use serde_json::Value;

use crate::wire::{EntityId, SessionId};

/// Why a delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InboundError {
    /// The delivery's proof of origin is missing, malformed or wrong.
    #[error(transparent)]
    Proof(#[from] ProofError),
    /// The body is not a JSON object.
    #[error("the delivery is not a JSON object: {0}")]
    NotJson(String),
}

/// 400 for a delivery that is not a JSON object; 401 when its origin is not proven.
impl Refusal for InboundError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotJson(_) => StatusCode::BAD_REQUEST,
            Self::Proof(e) => e.status_code(),
        }
    }
}

/// What a delivery is about, as far as can be told.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventKind {
    /// A message for the customer (`message`, or event code 5).
    Message,
    /// The session ended (`endSession`, or code 3).
    EndSession,
    /// Someone is typing (`typing`, or code 7).
    Typing,
    /// A system event such as an agent assignment (code 8).
    System,
    /// A read receipt (`read`, or code 9).
    Read,
    /// Something else, kept as written.
    Unknown(String),
}

impl EventKind {
    fn from_json(value: &Value) -> Self {
        match value {
            Value::Number(n) => match n.as_u64() {
                Some(5) => Self::Message,
                Some(3) => Self::EndSession,
                Some(7) => Self::Typing,
                Some(8) => Self::System,
                Some(9) => Self::Read,
                _ => Self::Unknown(n.to_string()),
            },
            Value::String(s) => match s.as_str() {
                "message" => Self::Message,
                "endSession" | "end_session" | "sessionEnd" => Self::EndSession,
                "typing" => Self::Typing,
                "system" => Self::System,
                "read" => Self::Read,
                other => Self::Unknown(other.to_owned()),
            },
            other => Self::Unknown(other.to_string()),
        }
    }
}

/// Who sent a delivered message, as far as can be told.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct DeliverySender {
    /// Entity id (`fromEntityId`, `initiatingEntity.entityId`, `sender.entityId`).
    pub entity_id: Option<EntityId>,
    /// Email.
    pub email: Option<String>,
    /// Display name (first and last name joined, or `name`).
    pub name: Option<String>,
}

/// A delivery to your return webhook: the raw JSON and what could be read from it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReturnDelivery {
    /// The whole body (minus an echoed secret).
    pub raw: Value,
    /// The session.
    pub session_id: Option<SessionId>,
    /// The message text.
    pub text: Option<String>,
    /// The sender.
    pub sender: Option<DeliverySender>,
    /// What happened; [`EventKind::Message`] when a text is present and no event is named.
    pub event: EventKind,
    /// Your `custom` value, if Rake echoes it.
    pub custom: Option<String>,
}

impl ReturnDelivery {
    /// Reads the best-effort fields of a JSON object.
    pub fn from_json(raw: Value) -> Result<Self, InboundError> {
        if !raw.is_object() {
            return Err(InboundError::NotJson("not an object".into()));
        }
        let first = |pointers: &[&str]| pointers.iter().find_map(|p| raw.pointer(p)).filter(|v| !v.is_null());
        let text = first(&["/message", "/text", "/data/message", "/data/text"])
            .and_then(Value::as_str)
            .map(str::to_owned);
        let event = match first(&["/event", "/eventType", "/type", "/data/event"]) {
            Some(v) => EventKind::from_json(v),
            None if text.is_some() => EventKind::Message,
            None => EventKind::Unknown(String::new()),
        };
        let sender = first(&["/initiatingEntity", "/sender", "/from", "/data/sender"])
            .filter(|v| v.is_object())
            .map(|s| DeliverySender {
                entity_id: s.get("entityId").and_then(entity_id),
                email: s.get("email").and_then(Value::as_str).map(str::to_owned),
                name: name_of(s),
            })
            .or_else(|| {
                first(&["/fromEntityId"]).and_then(entity_id).map(|id| DeliverySender {
                    entity_id: Some(id),
                    ..DeliverySender::default()
                })
            });
        Ok(Self {
            session_id: first(&["/sessionId", "/session_id", "/data/sessionId", "/session/id"])
                .and_then(SessionId::from_json),
            text,
            sender,
            event,
            custom: first(&["/custom", "/data/custom"])
                .and_then(Value::as_str)
                .map(str::to_owned),
            raw,
        })
    }
}

fn entity_id(value: &Value) -> Option<EntityId> {
    match value {
        Value::Number(n) => n.as_u64().map(EntityId::Number),
        Value::String(s) => Some(EntityId::Text(s.clone())),
        _ => None,
    }
}

fn name_of(sender: &Value) -> Option<String> {
    if let Some(name) = sender.get("name").and_then(Value::as_str) {
        return Some(name.to_owned());
    }
    let parts: Vec<&str> = ["firstName", "lastName"]
        .iter()
        .filter_map(|k| sender.get(*k).and_then(Value::as_str))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// Verifies and decodes return-webhook deliveries. Build it once; share it.
#[derive(Debug, Clone)]
pub struct ReturnWebhookVerifier {
    proof: ProofVerifier,
}

impl ReturnWebhookVerifier {
    /// A verifier of `proof` with the `returnWebhookSecret`(s) you sent when opening sessions
    /// (the current one first; older ones still accepted while rotated out). An empty secret is
    /// refused.
    pub fn new<'a>(proof: Proof, secrets: impl IntoIterator<Item = &'a Secret>) -> Result<Self, EmptySecret> {
        Ok(Self {
            proof: ProofVerifier::new(proof, secrets)?,
        })
    }

    /// **Accepts every delivery without checking where it comes from.** Only for development
    /// or a network where nobody else can reach the webhook; anyone who knows the URL can
    /// otherwise inject messages.
    pub fn accept_unauthenticated() -> Self {
        Self {
            proof: ProofVerifier::accept_unauthenticated(),
        }
    }
}

impl Verify for ReturnWebhookVerifier {
    type Verified = ReturnDelivery;
    type Error = InboundError;

    /// Checks `body` (the raw bytes) and decodes it. Rake's deliveries carry no timestamp, so
    /// `now` plays no part.
    fn verify_at(&self, headers: &HeaderMap, body: &[u8], _now: SystemTime) -> Result<ReturnDelivery, InboundError> {
        self.proof.authenticate(headers, body)?;
        let mut raw: Value = serde_json::from_slice(body).map_err(|e| InboundError::NotJson(e.to_string()))?;
        // The echoed secret is not kept in the delivery.
        self.proof.strip_proof(&mut raw);
        ReturnDelivery::from_json(raw)
    }

    /// The delivery as this verifier expects Rake to send it (the proof you configured, made
    /// with the current secret), for tests of your route: see [`ProofVerifier::sign_request`].
    fn sign_at(&self, body: &[u8], _now: SystemTime) -> InboundRequest {
        self.proof.sign_request(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn refusals_name_their_status() {
        assert_eq!(InboundError::NotJson("x".into()).status_code(), StatusCode::BAD_REQUEST);
        assert_eq!(
            InboundError::Proof(ProofError::Mismatch).status_code(),
            StatusCode::UNAUTHORIZED
        );
    }

    #[test]
    fn every_documented_event_code_and_a_text_entity_id() {
        for (code, kind) in [
            (3, EventKind::EndSession),
            (5, EventKind::Message),
            (7, EventKind::Typing),
            (8, EventKind::System),
            (9, EventKind::Read),
            (4, EventKind::Unknown("4".into())),
        ] {
            let d = ReturnDelivery::from_json(json!({"event": code, "sessionId": 1})).unwrap();
            assert_eq!(d.event, kind, "code {code}");
        }
        let d = ReturnDelivery::from_json(json!({"sessionId": 1, "initiatingEntity": {"entityId": "ext-7"}})).unwrap();
        assert_eq!(d.sender.unwrap().entity_id, Some(EntityId::Text("ext-7".into())));
        let d = ReturnDelivery::from_json(json!({"sessionId": 1, "fromEntityId": "ext-8"})).unwrap();
        assert_eq!(d.sender.unwrap().entity_id, Some(EntityId::Text("ext-8".into())));
        // Without an event name a text makes it a message; without either it is unknown.
        let silent = ReturnDelivery::from_json(json!({"sessionId": 1})).unwrap();
        assert_eq!(silent.event, EventKind::Unknown(String::new()));
        let texted = ReturnDelivery::from_json(json!({"sessionId": 1, "text": "hi"})).unwrap();
        assert_eq!(texted.event, EventKind::Message);
    }

    #[test]
    fn user_app_event_codes_and_names_are_read() {
        let d = ReturnDelivery::from_json(json!({"event": 5, "sessionId": "77", "text": "hi", "fromEntityId": 3764}))
            .unwrap();
        assert_eq!(d.event, EventKind::Message);
        assert_eq!(d.session_id, Some(SessionId(77)));
        assert_eq!(d.sender.unwrap().entity_id, Some(EntityId::Number(3764)));
        let end = ReturnDelivery::from_json(json!({"event": "endSession", "sessionId": 77})).unwrap();
        assert_eq!(end.event, EventKind::EndSession);
        let odd = ReturnDelivery::from_json(json!({"event": 42})).unwrap();
        assert_eq!(odd.event, EventKind::Unknown("42".into()));
        let named = ReturnDelivery::from_json(
            json!({"message": "x", "initiatingEntity": {"firstName": "Ann", "lastName": "Lee"}}),
        )
        .unwrap();
        assert_eq!(named.sender.unwrap().name.as_deref(), Some("Ann Lee"));
        assert!(ReturnDelivery::from_json(json!([1])).is_err());
    }
}
