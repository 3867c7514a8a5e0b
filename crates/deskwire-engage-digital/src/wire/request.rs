//! The Send API request body, `{"action": "...", "params": {...}}`, and the [`SendParams`]
//! trait that ties each params type to its action name, its checks and its retry safety.

use deskwire_core::json_writer::write_str;
use deskwire_core::retry::Repeat;
use deskwire_core::ValidationError;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{encode, MarkAsRead, Message, PrivateMessage, Thread, TypingStart, TypingStop, User};
use crate::validate;

/// What the client needs to know about a params type besides its JSON.
pub trait SendParams: Serialize {
    /// The action name, e.g. `messages.create`.
    fn action_name(&self) -> &'static str;

    /// Checks the documented limits; nothing is sent when this fails.
    fn validate(&self) -> Result<(), ValidationError>;

    /// Whether the request may be repeated after a failure that left its fate unknown.
    ///
    /// Marking read and typing change nothing when repeated. Creates are repeated only when
    /// they provably never left the machine: they carry your id, but no document says Engage
    /// Digital treats a repeated id as the same content, so a create whose fate is unknown is
    /// reported (`Delivery::MaybeDelivered`) for you to decide, never repeated blindly.
    fn repeat(&self) -> Repeat {
        if self.action_name().ends_with(".create") {
            Repeat::OnlyIfNotSent
        } else {
            Repeat::Safe
        }
    }

    /// For typing actions, the rate-limit key and whether this starts or stops typing.
    fn typing(&self) -> Option<Typing> {
        None
    }

    /// Appends the params' JSON to `out`: by default what `serde_json` writes. The crate's
    /// messages, private messages and users write the same bytes key by key, faster
    /// (`deskwire_core::json_writer`); a type of yours can keep the default.
    fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        encode::serialized(self, out)
    }
}

/// A typing action as seen by the client-side rate limiter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typing {
    /// `typing.start` on this key.
    Start(String),
    /// `typing.stop` on this key.
    Stop(String),
}

/// Serializes a params value with its action name: the exact shape of a Send API body.
#[derive(Debug, Serialize)]
pub struct Envelope<'a, P: ?Sized + Serialize> {
    /// Action name.
    pub action: &'a str,
    /// Params.
    pub params: &'a P,
}

impl<P: ?Sized + SendParams> Envelope<'_, P> {
    /// Appends the same bytes as serializing the envelope, with its two keys written as they
    /// are rather than escaped one call at a time, and the params by their
    /// [`SendParams::write_json`].
    pub fn write_to(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        out.extend_from_slice(br#"{"action":"#);
        write_str(out, self.action);
        out.extend_from_slice(br#","params":"#);
        self.params.write_json(out)?;
        out.push(b'}');
        Ok(())
    }
}

macro_rules! send_params {
    ($($ty:ty => $action:literal, $check:path, $write:path;)*) => {
        $(
            impl SendParams for $ty {
                fn action_name(&self) -> &'static str {
                    $action
                }
                fn validate(&self) -> Result<(), ValidationError> {
                    $check(self)
                }
                fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
                    $write(self, out)
                }
            }
        )*
    };
}

send_params! {
    Message => "messages.create", validate::message, Message::write_json;
    PrivateMessage => "private_messages.create", validate::private_message, PrivateMessage::write_json;
    Thread => "threads.create", validate::thread, encode::serialized;
    User => "users.create", validate::user, User::write_json;
    MarkAsRead => "status.mark_as_read", validate::mark_as_read, encode::serialized;
}

impl SendParams for TypingStart {
    fn action_name(&self) -> &'static str {
        "typing.start"
    }
    fn validate(&self) -> Result<(), ValidationError> {
        validate::typing_target(&self.target)
    }
    fn typing(&self) -> Option<Typing> {
        self.target.rate_limit_key().map(Typing::Start)
    }
}

impl SendParams for TypingStop {
    fn action_name(&self) -> &'static str {
        "typing.stop"
    }
    fn validate(&self) -> Result<(), ValidationError> {
        validate::typing_target(&self.target)
    }
    fn typing(&self) -> Option<Typing> {
        self.target.rate_limit_key().map(Typing::Stop)
    }
}

/// Any Send API request, typed. Decodes a whole documented body and encodes it back.
/// Content variants are boxed so the enum stays small.
///
/// ```
/// use deskwire_engage_digital::wire::{SendParams, SendRequest};
/// let req: SendRequest =
///     serde_json::from_str(r#"{"action":"status.mark_as_read","params":{"id":"890"}}"#).unwrap();
/// assert_eq!(req.action_name(), "status.mark_as_read");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SendRequest {
    /// `messages.create`.
    CreateMessage(Box<Message>),
    /// `private_messages.create`.
    CreatePrivateMessage(Box<PrivateMessage>),
    /// `threads.create`.
    CreateThread(Box<Thread>),
    /// `users.create`.
    CreateUser(Box<User>),
    /// `status.mark_as_read`.
    MarkAsRead(MarkAsRead),
    /// `typing.start`.
    TypingStart(TypingStart),
    /// `typing.stop`.
    TypingStop(TypingStop),
}

macro_rules! dispatch {
    ($self:ident, $p:ident => $e:expr) => {
        match $self {
            SendRequest::CreateMessage($p) => $e,
            SendRequest::CreatePrivateMessage($p) => $e,
            SendRequest::CreateThread($p) => $e,
            SendRequest::CreateUser($p) => $e,
            SendRequest::MarkAsRead($p) => $e,
            SendRequest::TypingStart($p) => $e,
            SendRequest::TypingStop($p) => $e,
        }
    };
}

impl SendParams for SendRequest {
    fn action_name(&self) -> &'static str {
        dispatch!(self, p => p.action_name())
    }
    fn validate(&self) -> Result<(), ValidationError> {
        dispatch!(self, p => p.validate())
    }
    fn repeat(&self) -> Repeat {
        dispatch!(self, p => p.repeat())
    }
    fn typing(&self) -> Option<Typing> {
        dispatch!(self, p => p.typing())
    }
    fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        dispatch!(self, p => p.write_json(out))
    }
}

impl Serialize for SendRequest {
    /// Serializes the **params** only; the client wraps them in an [`Envelope`]. Use
    /// [`SendRequest::to_body`] for the whole body.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        dispatch!(self, p => p.serialize(serializer))
    }
}

impl SendRequest {
    /// The whole JSON body, `{"action": ..., "params": ...}`, compact.
    pub fn to_body(&self) -> serde_json::Result<Vec<u8>> {
        serde_json::to_vec(&Envelope {
            action: self.action_name(),
            params: self,
        })
    }
}

impl<'de> Deserialize<'de> for SendRequest {
    /// Decodes a whole body. Both keys are mandatory, as Engage Digital requires.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Body {
            action: String,
            params: serde_json::Value,
        }
        let body = Body::deserialize(deserializer)?;
        fn params<T: serde::de::DeserializeOwned, E: serde::de::Error>(v: serde_json::Value) -> Result<T, E> {
            serde_json::from_value(v).map_err(|e| E::custom(format!("params: {e}")))
        }
        Ok(match body.action.as_str() {
            "messages.create" => Self::CreateMessage(Box::new(params(body.params)?)),
            "private_messages.create" => Self::CreatePrivateMessage(Box::new(params(body.params)?)),
            "threads.create" => Self::CreateThread(Box::new(params(body.params)?)),
            "users.create" => Self::CreateUser(Box::new(params(body.params)?)),
            "status.mark_as_read" => Self::MarkAsRead(params(body.params)?),
            "typing.start" => Self::TypingStart(params(body.params)?),
            "typing.stop" => Self::TypingStop(params(body.params)?),
            other => return Err(D::Error::custom(format!("`{other}` is not a Send API action"))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Envelope, SendParams};
    use deskwire_core::ValidationError;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    /// Any JSON as params, written by the trait's default.
    impl SendParams for Value {
        fn action_name(&self) -> &'static str {
            "test.value"
        }
        fn validate(&self) -> Result<(), ValidationError> {
            Ok(())
        }
    }

    fn written(action: &str, params: &Value) -> Vec<u8> {
        let mut out = b"kept".to_vec();
        Envelope { action, params }.write_to(&mut out).unwrap();
        out.split_off(4)
    }

    #[test]
    fn writes_what_serializing_the_envelope_writes() {
        for (action, params) in [
            (
                "messages.create",
                json!({"id": "890", "body": "Nice post!", "author": {"id": "42"}}),
            ),
            ("a\"b\\c\u{1}é", json!(null)),
            ("", json!([1, "two", {"three": 3.5}])),
        ] {
            let envelope = Envelope {
                action,
                params: &params,
            };
            assert_eq!(
                written(action, &params),
                serde_json::to_vec(&envelope).unwrap(),
                "{action}"
            );
        }
    }

    proptest! {
        #[test]
        fn any_action_and_text(action in ".*", text in ".*") {
            let params = json!({ "body": text });
            let envelope = Envelope { action: &action, params: &params };
            prop_assert_eq!(written(&action, &params), serde_json::to_vec(&envelope).unwrap());
        }
    }
}
