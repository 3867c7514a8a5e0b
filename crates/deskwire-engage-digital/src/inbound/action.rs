//! Decoding `{action, params, time}` into a typed [`Action`]. Pure: no signature, no I/O.
//!
//! Engage Digital names actions `<object>.<operation>`. Standard operations become their own
//! variants; any other operation on a known object is a custom action (a button in the agent
//! UI). `destroy`, which some doc pages use, is read as `delete`.

use serde_json::{Map, Value};

use super::RequestError;
use crate::wire::{lenient_id, AgentContent, DateTime, QueuingUpdate};

/// The objects Engage Digital polls and writes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ObjectType {
    /// `messages`: public messages.
    Messages,
    /// `private_messages`.
    PrivateMessages,
    /// `threads`.
    Threads,
}

impl ObjectType {
    /// All polled objects.
    pub const ALL: [ObjectType; 3] = [Self::Messages, Self::PrivateMessages, Self::Threads];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Messages => "messages",
            Self::PrivateMessages => "private_messages",
            Self::Threads => "threads",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == text)
    }
}

impl std::fmt::Display for ObjectType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `<object>.list`: the newest contents Engage Digital has not imported yet.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct List {
    /// The object polled.
    pub object: ObjectType,
    /// Id of the last content Engage Digital imported; `None` on the first call. Answer the
    /// oldest contents after it, newest first ([`super::list_page`] does this).
    pub since_id: Option<String>,
}

/// An action on one content: `show`, `delete`, `publish`, `unpublish`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Target {
    /// The object acted on.
    pub object: ObjectType,
    /// Your id of the content.
    pub id: String,
}

/// `<object>.create`: an agent reply or a composed content.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Create {
    /// What to create.
    pub object: ObjectType,
    /// The content the agent wrote.
    pub content: AgentContent,
}

/// A custom action, e.g. `messages.spam`: an agent clicked its button.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Custom {
    /// The object acted on.
    pub object: ObjectType,
    /// The operation name, e.g. `spam`.
    pub operation: String,
    /// Your id of the content.
    pub id: String,
    /// Engage Digital's id of the agent who clicked.
    pub user_id: Option<String>,
    /// Every parameter as sent, including `id` and `user_id`.
    pub params: Map<String, Value>,
}

/// One request from Engage Digital, typed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Action {
    /// `implementation.info`: which objects, operations and options you support.
    ImplementationInfo,
    /// `<object>.list`.
    List(List),
    /// `<object>.show`.
    Show(Target),
    /// `<object>.create` (boxed: a content is much larger than the other actions).
    Create(Box<Create>),
    /// `<object>.delete` (or `destroy`).
    Delete(Target),
    /// `<object>.publish`.
    Publish(Target),
    /// `<object>.unpublish`.
    Unpublish(Target),
    /// `<object>.<custom>`.
    Custom(Custom),
    /// `messaging.queuing_update`.
    QueuingUpdate(QueuingUpdate),
}

impl Action {
    /// The action name as Engage Digital spells it (`destroy` is reported as `delete`).
    pub fn name(&self) -> String {
        self.name_text().into_owned()
    }

    /// [`Self::name`] without building a string for the fixed names.
    pub(crate) fn name_text(&self) -> std::borrow::Cow<'static, str> {
        let (object, operation) = match self {
            Self::ImplementationInfo => return "implementation.info".into(),
            Self::QueuingUpdate(_) => return "messaging.queuing_update".into(),
            Self::List(l) => (l.object, "list"),
            Self::Show(t) => (t.object, "show"),
            Self::Create(c) => (c.object, "create"),
            Self::Delete(t) => (t.object, "delete"),
            Self::Publish(t) => (t.object, "publish"),
            Self::Unpublish(t) => (t.object, "unpublish"),
            Self::Custom(c) => (c.object, c.operation.as_str()),
        };
        format!("{object}.{operation}").into()
    }
}

/// A decoded request: the action and when Engage Digital built it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Call {
    /// What Engage Digital asks for.
    pub action: Action,
    /// The request's `time`, when present. It is covered by the signature but the docs give no
    /// freshness rule, so it is not checked.
    pub time: Option<DateTime>,
}

/// Decodes a request body that has already been authenticated.
///
/// ```
/// use deskwire_engage_digital::inbound::{Action, ObjectType};
/// use deskwire_engage_digital::testing::decode_call;
///
/// let call = decode_call(br#"{"action":"messages.list","params":{"since_id":"41"},"time":"2012-10-01T17:18:40Z"}"#).unwrap();
/// let Action::List(list) = call.action else { panic!() };
/// assert_eq!((list.object, list.since_id.as_deref()), (ObjectType::Messages, Some("41")));
/// ```
pub fn decode_call(body: &[u8]) -> Result<Call, RequestError> {
    // One typed pass over the bytes for the envelope Engage Digital sends. Anything it does not
    // read (a non-string `action`, a repeated key, bad JSON) goes the general way below, which
    // decides every error exactly as before: the fast path only ever accepts what that path
    // accepts, with the same result.
    if let Ok(envelope) = serde_json::from_slice::<Envelope<'_>>(body) {
        let time = envelope.time.and_then(|t| t.0);
        let action = decode_action(&envelope.action, envelope.params.unwrap_or_default())?;
        return Ok(Call { action, time });
    }
    decode_call_value(body)
}

/// `{action, params, time}` as the desk sends it; other keys are ignored, as below.
#[derive(serde::Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    action: std::borrow::Cow<'a, str>,
    #[serde(default)]
    params: Option<Map<String, Value>>,
    #[serde(default)]
    time: Option<Time>,
}

/// `time`: a date text or epoch milliseconds (`null` is no time), read without building a JSON
/// value. Any other shape is refused: by the typed pass, which then leaves the body to the
/// general path; by the general path as `` `time` is not a date ``.
struct Time(Option<DateTime>);

impl<'de> serde::Deserialize<'de> for Time {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimeVisitor;
        impl serde::de::Visitor<'_> for TimeVisitor {
            type Value = Time;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a date text or epoch milliseconds")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Time, E> {
                Ok(Time(Some(DateTime::parse(v))))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Time, E> {
                Ok(Time(Some(DateTime::EpochMillis(v))))
            }
            // As `Number::as_i64` reads them: beyond `i64` or with a fraction, no time.
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Time, E> {
                Ok(Time(i64::try_from(v).ok().map(DateTime::EpochMillis)))
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Time, E> {
                Ok(Time(None))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Time, E> {
                Ok(Time(None))
            }
        }
        deserializer.deserialize_any(TimeVisitor)
    }
}

/// `time` of the general path, read by the same [`Time`] as the typed pass.
fn decode_time(time: Option<Value>) -> Result<Option<DateTime>, RequestError> {
    match time {
        None => Ok(None),
        Some(value) => serde::Deserialize::deserialize(&value)
            .map(|Time(time)| time)
            .map_err(|_: serde_json::Error| RequestError::InvalidFormat("`time` is not a date")),
    }
}

fn decode_call_value(body: &[u8]) -> Result<Call, RequestError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| RequestError::MalformedJson(e.to_string()))?;
    let Value::Object(mut envelope) = value else {
        return Err(RequestError::InvalidFormat("the body is not a JSON object"));
    };
    let action = match envelope.remove("action") {
        Some(Value::String(action)) => action,
        Some(_) => return Err(RequestError::InvalidFormat("`action` is not a string")),
        None => return Err(RequestError::InvalidFormat("`action` is missing")),
    };
    let params = match envelope.remove("params") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(params)) => params,
        Some(_) => return Err(RequestError::InvalidFormat("`params` is not an object")),
    };
    let time = decode_time(envelope.remove("time"))?;
    let action = decode_action(&action, params)?;
    Ok(Call { action, time })
}

fn decode_action(name: &str, params: Map<String, Value>) -> Result<Action, RequestError> {
    match name {
        "implementation.info" => return Ok(Action::ImplementationInfo),
        "messaging.queuing_update" => {
            return typed(name, params).map(Action::QueuingUpdate);
        }
        _ => {}
    }
    let unknown = || RequestError::UnknownAction(name.to_owned());
    let (object, operation) = name.split_once('.').ok_or_else(unknown)?;
    let object = ObjectType::parse(object).ok_or_else(unknown)?;
    if !is_operation_name(operation) {
        return Err(unknown());
    }
    let target = |params: &Map<String, Value>| -> Result<Target, RequestError> {
        Ok(Target {
            object,
            id: required_id(name, params, "id")?,
        })
    };
    Ok(match operation {
        "list" => Action::List(List {
            object,
            since_id: optional_id(name, &params, "since_id")?,
        }),
        "show" => Action::Show(target(&params)?),
        "create" => Action::Create(Box::new(Create {
            object,
            content: typed(name, params)?,
        })),
        "delete" | "destroy" => Action::Delete(target(&params)?),
        "publish" => Action::Publish(target(&params)?),
        "unpublish" => Action::Unpublish(target(&params)?),
        custom => Action::Custom(Custom {
            object,
            operation: custom.to_owned(),
            id: required_id(name, &params, "id")?,
            user_id: optional_id(name, &params, "user_id")?,
            params,
        }),
    })
}

/// Operation names are identifiers; anything else (empty, spaces, a second dot) is not an
/// action Engage Digital would send.
pub(crate) fn is_operation_name(operation: &str) -> bool {
    !operation.is_empty()
        && operation
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn typed<T: serde::de::DeserializeOwned>(action: &str, params: Map<String, Value>) -> Result<T, RequestError> {
    serde_json::from_value(Value::Object(params)).map_err(|e| RequestError::InvalidParams {
        action: action.to_owned(),
        problem: e.to_string(),
    })
}

fn optional_id(action: &str, params: &Map<String, Value>, key: &str) -> Result<Option<String>, RequestError> {
    match params.get(key) {
        None => Ok(None),
        Some(v) => lenient_id(v).map_err(|_| RequestError::InvalidParams {
            action: action.to_owned(),
            problem: format!("`{key}` is not a string id"),
        }),
    }
}

fn required_id(action: &str, params: &Map<String, Value>, key: &str) -> Result<String, RequestError> {
    match optional_id(action, params, key)? {
        Some(id) if !id.is_empty() => Ok(id),
        _ => Err(RequestError::InvalidParams {
            action: action.to_owned(),
            problem: format!("`{key}` is missing"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(body: &str) -> Result<Action, RequestError> {
        decode_call(body.as_bytes()).map(|c| c.action)
    }

    #[test]
    fn every_standard_operation_on_every_object_decodes() {
        for object in ObjectType::ALL {
            let o = object.as_str();
            let target = Target { object, id: "7".into() };
            let cases = [
                (
                    format!(r#"{{"action":"{o}.list"}}"#),
                    Action::List(List { object, since_id: None }),
                ),
                (
                    format!(r#"{{"action":"{o}.show","params":{{"id":"7"}}}}"#),
                    Action::Show(target.clone()),
                ),
                (
                    format!(r#"{{"action":"{o}.delete","params":{{"id":"7"}}}}"#),
                    Action::Delete(target.clone()),
                ),
                (
                    format!(r#"{{"action":"{o}.destroy","params":{{"id":7}}}}"#),
                    Action::Delete(target.clone()),
                ),
                (
                    format!(r#"{{"action":"{o}.publish","params":{{"id":"7"}}}}"#),
                    Action::Publish(target.clone()),
                ),
                (
                    format!(r#"{{"action":"{o}.unpublish","params":{{"id":"7"}}}}"#),
                    Action::Unpublish(target.clone()),
                ),
            ];
            for (body, expected) in cases {
                assert_eq!(action(&body).unwrap(), expected, "{body}");
            }
        }
    }

    #[test]
    fn custom_actions_keep_id_user_and_params() {
        let Action::Custom(c) = action(r#"{"action":"threads.sticky","params":{"id":"9","user_id":"u1"}}"#).unwrap()
        else {
            panic!("not custom")
        };
        assert_eq!(
            (c.operation.as_str(), c.id.as_str(), c.user_id.as_deref()),
            ("sticky", "9", Some("u1"))
        );
        assert_eq!(c.params.len(), 2);
    }

    #[test]
    fn refusals_are_typed() {
        type Check = fn(&RequestError) -> bool;
        let cases: [(&str, Check); 9] = [
            ("not json", |e| matches!(e, RequestError::MalformedJson(_))),
            ("[]", |e| matches!(e, RequestError::InvalidFormat(_))),
            (r#"{"params":{}}"#, |e| matches!(e, RequestError::InvalidFormat(_))),
            (r#"{"action":1}"#, |e| matches!(e, RequestError::InvalidFormat(_))),
            (r#"{"action":"messages.list","params":[]}"#, |e| {
                matches!(e, RequestError::InvalidFormat(_))
            }),
            (
                r#"{"action":"users.list"}"#,
                |e| matches!(e, RequestError::UnknownAction(a) if a == "users.list"),
            ),
            (r#"{"action":"messages."}"#, |e| {
                matches!(e, RequestError::UnknownAction(_))
            }),
            (r#"{"action":"messages.show"}"#, |e| {
                matches!(e, RequestError::InvalidParams { .. })
            }),
            (
                r#"{"action":"messages.create","params":{"retry":"maybe"}}"#,
                |e| matches!(e, RequestError::InvalidParams { action, .. } if action == "messages.create"),
            ),
        ];
        for (body, check) in cases {
            let err = action(body).unwrap_err();
            assert!(check(&err), "{body}: {err:?}");
        }
    }

    #[test]
    fn time_is_a_date_text_or_epoch_milliseconds() {
        let time = |t: &str| {
            decode_call(format!(r#"{{"action":"implementation.info","time":{t}}}"#).as_bytes()).map(|c| c.time)
        };
        assert_eq!(
            time("1349111920000"),
            Ok(Some(DateTime::EpochMillis(1_349_111_920_000)))
        );
        assert_eq!(time("-5"), Ok(Some(DateTime::EpochMillis(-5))));
        // As `Number::as_i64` reads them: beyond i64 or with a fraction, no time.
        assert_eq!(time("18446744073709551615"), Ok(None));
        assert_eq!(time("1.5"), Ok(None));
        assert_eq!(time("null"), Ok(None));
        for bad in ["true", "[]", "{}"] {
            assert_eq!(
                time(bad),
                Err(RequestError::InvalidFormat("`time` is not a date")),
                "{bad}"
            );
        }
    }

    #[test]
    fn time_is_kept_and_params_may_be_null() {
        let call =
            decode_call(br#"{"action":"implementation.info","params":null,"time":"2012-10-01T17:18:40Z"}"#).unwrap();
        assert_eq!(call.action, Action::ImplementationInfo);
        assert!(matches!(call.time, Some(DateTime::At(_))));
    }

    /// The typed fast path and the general path decide every body alike: the same call, or
    /// the same error. Bodies are built from the keys and value shapes that matter, repeated
    /// keys and other keys included.
    mod fast_path_agrees {
        use super::*;
        use proptest::prelude::*;

        fn value() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("null".to_owned()),
                Just("42".to_owned()),
                Just("1.5".to_owned()),
                Just("18446744073709551615".to_owned()),
                Just("-1349111920000".to_owned()),
                Just("true".to_owned()),
                Just("[]".to_owned()),
                Just(r#""2012-10-01T17:18:40Z""#.to_owned()),
                Just(r#""not a date""#.to_owned()),
                Just(r#""mess\u0061ges.list""#.to_owned()),
                prop::sample::select(vec![
                    "implementation.info",
                    "messages.list",
                    "messages.show",
                    "threads.create",
                    "messages.vote",
                    "messaging.queuing_update",
                    "users.list",
                    "messages.",
                ])
                .prop_map(|a| format!("\"{a}\"")),
                Just(r#"{"id":"7","since_id":8}"#.to_owned()),
                Just(r#"{"id":"7","id":"8"}"#.to_owned()),
                Just(r#"{"body":"hi","author":{"id":"1","screenname":"A"},"id":"3"}"#.to_owned()),
            ]
        }

        fn body() -> impl Strategy<Value = String> {
            let key = prop::sample::select(vec!["action", "params", "time", "other"]);
            // Most bodies start as a valid envelope, so the typed pass succeeds often and its
            // result, not only its refusals, is compared.
            let base = prop::sample::select(vec![
                "",
                r#""action":"implementation.info","#,
                r#""action":"messages.list","#,
                r#""action":"threads.show","#,
            ]);
            (base, prop::collection::vec((key, value()), 0..5)).prop_map(|(base, pairs)| {
                let fields: Vec<String> = pairs.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                format!("{{{base}{}}}", fields.join(",")).replace(",}", "}")
            })
        }

        proptest! {
            #[test]
            fn same_call_or_same_error(body in body()) {
                prop_assert_eq!(decode_call(body.as_bytes()), decode_call_value(body.as_bytes()));
            }

            #[test]
            fn any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
                prop_assert_eq!(decode_call(&bytes), decode_call_value(&bytes));
            }
        }
    }
}
