//! The `implementation.info` answer: which objects and operations your source supports, its
//! options and the translations of custom action names.
//!
//! [`ImplementationInfoBuilder::build`] refuses what the options page forbids, so a channel is
//! never configured into a state Engage Digital rejects or silently ignores.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use deskwire_core::json_key;
use deskwire_core::json_writer::{write_str_array, ObjectWriter};

use super::action::is_operation_name;
use super::ObjectType;
use crate::wire::Operation;

deskwire_core::open_enum! {
    /// An object type in the `objects` map.
    pub enum ObjectName {
        /// `messages`.
        Messages = "messages",
        /// `private_messages`.
        PrivateMessages = "private_messages",
        /// `threads`.
        Threads = "threads",
        /// `status` (Send API `status.mark_as_read` only).
        Status = "status",
    }
    /// Another object name, kept as written (e.g. `typing`, whose need is undocumented).
    Other
}

impl From<ObjectType> for ObjectName {
    fn from(value: ObjectType) -> Self {
        match value {
            ObjectType::Messages => Self::Messages,
            ObjectType::PrivateMessages => Self::PrivateMessages,
            ObjectType::Threads => Self::Threads,
        }
    }
}

deskwire_core::open_enum! {
    /// A channel option (options page); all are off unless declared.
    pub enum SdkOption {
        /// Messages carry no thread; every `threads.*` action is ignored.
        MessagesUnthreaded = "messages.unthreaded",
        /// Hide the title field when agents reply to messages.
        MessagesNoTitle = "messages.no_title",
        /// Hide the title field when agents reply to private messages.
        PrivateMessagesNoTitle = "private_messages.no_title",
        /// Threads only give structure; only `threads.show` / `threads.list` are valid.
        ThreadsNoContent = "threads.no_content",
        /// Messages may be plain text.
        MessagesText = "messages.text",
        /// Messages may be HTML (the default when no format option is given).
        MessagesHtml = "messages.html",
        /// Private messages may be plain text.
        PrivateMessagesText = "private_messages.text",
        /// Private messages may be HTML.
        PrivateMessagesHtml = "private_messages.html",
        /// Threads may be plain text.
        ThreadsText = "threads.text",
        /// Threads may be HTML.
        ThreadsHtml = "threads.html",
        /// Surveys may be sent through messages.
        MessagesAllowSurvey = "messages.allow_survey",
        /// Chat-style view; one resource, text only; needed for structured content, read status and typing.
        ViewMessaging = "view.messaging",
        /// `typing.start` / `typing.stop`; needs `view.messaging`.
        MessagingTypingIndicator = "messaging.typing_indicator",
        /// Receive `messaging.queuing_update` (Task mode).
        MessagingQueuingUpdate = "messaging.queuing_update",
        /// Agents may compose messages with attachments.
        MessagesAttachments = "messages.attachments",
        /// Agents may compose private messages with attachments.
        PrivateMessagesAttachments = "private_messages.attachments",
        /// Agents may compose threads with attachments.
        ThreadsAttachments = "threads.attachments",
    }
    /// An option this version does not know, kept as written.
    Unknown
}

/// A combination the docs forbid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InfoError {
    /// `view.messaging` allows exactly one of `messages` and `private_messages`.
    #[error("`view.messaging` needs exactly one of `messages` and `private_messages`; {declared} are declared")]
    MessagingViewResources {
        /// How many of the two are declared.
        declared: usize,
    },
    /// `view.messaging` is text only: the resource needs its `.text` option and no `.html`.
    #[error("`view.messaging` is text only: declare `{resource}.text` and not `{resource}.html`")]
    MessagingViewTextOnly {
        /// `messages` or `private_messages`.
        resource: &'static str,
    },
    /// An option that needs another option.
    #[error("`{option}` requires the option `{requires}`")]
    RequiresOption {
        /// The declared option.
        option: SdkOption,
        /// The missing one.
        requires: SdkOption,
    },
    /// An option that needs an object.
    #[error("`{option}` requires the object `{object}`")]
    RequiresObject {
        /// The declared option.
        option: SdkOption,
        /// The missing object.
        object: ObjectName,
    },
    /// With `threads.no_content`, only `threads.show` and `threads.list` are valid.
    #[error("with `threads.no_content`, `threads.{operation}` is not allowed (only show and list)")]
    NoContentThreadOperation {
        /// The refused operation.
        operation: Operation,
    },
    /// An operation name that is not an identifier.
    #[error("`{object}.{operation}` is not a valid action name")]
    InvalidOperation {
        /// The object.
        object: ObjectName,
        /// The operation as given.
        operation: Operation,
    },
}

/// The `implementation.info` answer.
///
/// ```
/// use deskwire_engage_digital::inbound::{ImplementationInfo, ObjectName, SdkOption};
/// use deskwire_engage_digital::wire::Operation;
///
/// let info = ImplementationInfo::builder()
///     .object(ObjectName::Messages, [Operation::Create, Operation::Show, Operation::List])
///     .object(ObjectName::Threads, [Operation::Show, Operation::List])
///     .option(SdkOption::ViewMessaging)
///     .option(SdkOption::MessagesText)
///     .build()
///     .unwrap();
/// assert!(info.declares("messages.create"));
/// assert_eq!(
///     serde_json::to_string(&info).unwrap(),
///     r#"{"objects":{"messages":["create","show","list"],"threads":["show","list"]},"options":["view.messaging","messages.text"]}"#
/// );
///
/// // The docs forbid the messaging view with both messages and private messages.
/// let refused = ImplementationInfo::builder()
///     .object(ObjectName::Messages, [Operation::List])
///     .object(ObjectName::PrivateMessages, [Operation::List])
///     .option(SdkOption::ViewMessaging)
///     .build();
/// assert!(refused.is_err());
/// ```
///
/// A declaration is shared, not copied, by `clone`, and a shared declaration is encoded once:
/// a source can build it once and answer `implementation.info` with a clone of it, without
/// an allocation or an encoding per request.
#[derive(Clone, Default)]
pub struct ImplementationInfo {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    declared: Declared,
    /// The JSON answer, written on first use (the declaration never changes once built) and
    /// shared into every answer.
    json: OnceLock<Bytes>,
}

impl PartialEq for ImplementationInfo {
    fn eq(&self, other: &Self) -> bool {
        self.inner.declared == other.inner.declared
    }
}

impl Eq for ImplementationInfo {}

/// What an [`ImplementationInfo`] declares.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Declared {
    objects: Vec<(ObjectName, Vec<Operation>)>,
    options: Vec<SdkOption>,
    locales: BTreeMap<String, BTreeMap<String, String>>,
}

impl std::fmt::Debug for ImplementationInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImplementationInfo")
            .field("objects", &self.declared().objects)
            .field("options", &self.declared().options)
            .field("locales", &self.declared().locales)
            .finish()
    }
}

impl ImplementationInfo {
    fn declared(&self) -> &Declared {
        &self.inner.declared
    }

    /// Starts an empty declaration.
    pub fn builder() -> ImplementationInfoBuilder {
        ImplementationInfoBuilder::default()
    }

    /// Declared objects and their operations, in the order given.
    pub fn objects(&self) -> impl Iterator<Item = (&ObjectName, &[Operation])> {
        self.declared().objects.iter().map(|(o, ops)| (o, ops.as_slice()))
    }

    /// The operations declared for `object` (empty when it is not declared).
    pub fn operations(&self, object: &ObjectName) -> &[Operation] {
        self.declared()
            .objects
            .iter()
            .find(|(o, _)| o == object)
            .map_or(&[], |(_, ops)| ops.as_slice())
    }

    /// Declared options.
    pub fn options(&self) -> &[SdkOption] {
        &self.declared().options
    }

    /// Whether `option` is declared.
    pub fn has_option(&self, option: &SdkOption) -> bool {
        self.declared().options.contains(option)
    }

    /// Whether `action` (`"<object>.<operation>"`) is declared. `implementation.info` always is;
    /// `messaging.queuing_update` and `typing.start` / `typing.stop` are declared by their
    /// options (`messaging.queuing_update`, `messaging.typing_indicator`: no documented example
    /// lists a `typing` object); with `messages.unthreaded` no `threads.*` action is, and with
    /// `threads.no_content` only `threads.show` and `threads.list` are ([`options.md`](https://github.com/ringcentral/engage-digital-api-docs/blob/95ff4ddccb59a3acb0f906533e46597ffaf8dae6/docs/sdks/source-sdk/options.md)).
    pub fn declares(&self, action: &str) -> bool {
        match action {
            "implementation.info" => true,
            "messaging.queuing_update" => self.has_option(&SdkOption::MessagingQueuingUpdate),
            "typing.start" | "typing.stop" => {
                self.has_option(&SdkOption::MessagingTypingIndicator) || self.lists_operation(action)
            }
            _ if action.starts_with("threads.") && self.has_option(&SdkOption::MessagesUnthreaded) => false,
            "threads.show" | "threads.list" => self.lists_operation(action),
            _ if action.starts_with("threads.") && self.has_option(&SdkOption::ThreadsNoContent) => false,
            _ => self.lists_operation(action),
        }
    }

    /// Whether `objects` lists the operation of `"<object>.<operation>"` (`destroy` and
    /// `delete` alike).
    fn lists_operation(&self, action: &str) -> bool {
        action.split_once('.').is_some_and(|(object, operation)| {
            let operation = if operation == "destroy" { "delete" } else { operation };
            self.operations(&ObjectName::from(object))
                .iter()
                .any(|op| op.as_str() == operation || (operation == "delete" && op.as_str() == "destroy"))
        })
    }

    /// Translations of custom action names: language (`default`, `fr`, ...) to action to label.
    pub fn locales(&self) -> &BTreeMap<String, BTreeMap<String, String>> {
        &self.declared().locales
    }

    /// Every documented rule this declaration breaks (empty when it is valid). Useful for an
    /// answer decoded from elsewhere, which the builder did not check.
    pub fn problems(&self) -> Vec<InfoError> {
        let mut problems = Vec::new();
        let has = |o: &SdkOption| self.has_option(o);
        let declared = |o: &ObjectName| self.declared().objects.iter().any(|(name, _)| name == o);
        for (object, ops) in &self.declared().objects {
            // The named operations are identifiers; only a custom one needs checking.
            for op in ops.iter().filter(|op| !op.is_known()) {
                if !is_operation_name(op.as_str()) {
                    problems.push(InfoError::InvalidOperation {
                        object: object.clone(),
                        operation: op.clone(),
                    });
                }
            }
        }
        if has(&SdkOption::ViewMessaging) {
            let resources = [
                (
                    ObjectName::Messages,
                    "messages",
                    SdkOption::MessagesText,
                    SdkOption::MessagesHtml,
                ),
                (
                    ObjectName::PrivateMessages,
                    "private_messages",
                    SdkOption::PrivateMessagesText,
                    SdkOption::PrivateMessagesHtml,
                ),
            ];
            let present = || resources.iter().filter(|r| declared(&r.0));
            let count = present().count();
            if count != 1 {
                problems.push(InfoError::MessagingViewResources { declared: count });
            }
            for (_, resource, text, html) in present() {
                // HTML is the default when no format option is given, so text must be explicit.
                if !has(text) || has(html) {
                    problems.push(InfoError::MessagingViewTextOnly { resource });
                }
            }
        }
        if has(&SdkOption::MessagingTypingIndicator) && !has(&SdkOption::ViewMessaging) {
            problems.push(InfoError::RequiresOption {
                option: SdkOption::MessagingTypingIndicator,
                requires: SdkOption::ViewMessaging,
            });
        }
        if has(&SdkOption::MessagesAllowSurvey) && !declared(&ObjectName::Messages) {
            problems.push(InfoError::RequiresObject {
                option: SdkOption::MessagesAllowSurvey,
                object: ObjectName::Messages,
            });
        }
        if has(&SdkOption::ThreadsNoContent) {
            for op in self.operations(&ObjectName::Threads) {
                if !matches!(op, Operation::Show | Operation::List) {
                    problems.push(InfoError::NoContentThreadOperation { operation: op.clone() });
                }
            }
        }
        problems
    }
}

/// Builds an [`ImplementationInfo`]; see there for an example.
#[derive(Debug, Clone, Default)]
pub struct ImplementationInfoBuilder {
    info: Declared,
}

impl ImplementationInfoBuilder {
    /// Declares `object` with `operations` (added to any declared before; duplicates dropped).
    pub fn object(
        mut self,
        object: impl Into<ObjectName>,
        operations: impl IntoIterator<Item = impl Into<Operation>>,
    ) -> Self {
        let object = object.into();
        let index = match self.info.objects.iter().position(|(o, _)| *o == object) {
            Some(i) => i,
            None => {
                self.info.objects.push((object, Vec::new()));
                self.info.objects.len() - 1
            }
        };
        let ops = &mut self.info.objects[index].1;
        for op in operations {
            let op = op.into();
            if !ops.contains(&op) {
                ops.push(op);
            }
        }
        self
    }

    /// Declares `status: ["mark_as_read"]`, needed for the Send API's `status.mark_as_read`.
    pub fn mark_as_read(self) -> Self {
        self.object(ObjectName::Status, ["mark_as_read"])
    }

    /// Adds an option (duplicates dropped).
    pub fn option(mut self, option: impl Into<SdkOption>) -> Self {
        let option = option.into();
        if !self.info.options.contains(&option) {
            self.info.options.push(option);
        }
        self
    }

    /// Labels custom action `action` in `language` (`"default"` for the fallback).
    pub fn locale(mut self, language: impl Into<String>, action: impl Into<String>, label: impl Into<String>) -> Self {
        self.info
            .locales
            .entry(language.into())
            .or_default()
            .insert(action.into(), label.into());
        self
    }

    /// The declaration, or the first documented rule it breaks.
    pub fn build(self) -> Result<ImplementationInfo, InfoError> {
        let info = self.build_unchecked();
        match info.problems().into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(info),
        }
    }

    /// The declaration without checks: an escape hatch for combinations the docs forbid but a
    /// particular Engage Digital installation accepts.
    pub fn build_unchecked(self) -> ImplementationInfo {
        ImplementationInfo::from(self.info)
    }
}

struct Objects<'a>(&'a [(ObjectName, Vec<Operation>)]);

impl Serialize for Objects<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (object, ops) in self.0 {
            map.serialize_entry(object.as_str(), ops)?;
        }
        map.end()
    }
}

impl Serialize for ImplementationInfo {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let fields = if self.declared().locales.is_empty() { 2 } else { 3 };
        let mut map = serializer.serialize_map(Some(fields))?;
        map.serialize_entry("objects", &Objects(&self.declared().objects))?;
        map.serialize_entry("options", &self.declared().options)?;
        if !self.declared().locales.is_empty() {
            map.serialize_entry("locales", &self.declared().locales)?;
        }
        map.end()
    }
}

impl From<Declared> for ImplementationInfo {
    fn from(declared: Declared) -> Self {
        Self {
            inner: Arc::new(Inner {
                declared,
                json: OnceLock::new(),
            }),
        }
    }
}

impl ImplementationInfo {
    /// This declaration as JSON: the bytes of its `Serialize` (a unit test and a property test
    /// compare both), written on first use and kept, since the endpoint answers the same
    /// declaration at every synchronization run and signs the bytes.
    pub(crate) fn json(&self) -> serde_json::Result<Bytes> {
        if let Some(json) = self.inner.json.get() {
            return Ok(json.clone());
        }
        let mut json = Vec::with_capacity(256);
        self.write_json(&mut json)?;
        // Another thread may have set it meanwhile: the same bytes either way.
        Ok(self.inner.json.get_or_init(|| json.into()).clone())
    }

    /// Writes the JSON name by name with `deskwire_core::json_writer`.
    fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        let mut info = ObjectWriter::new(out);
        let mut objects = ObjectWriter::new(info.key(json_key!("objects")));
        for (object, ops) in &self.declared().objects {
            write_str_array(objects.key(object.as_str()), ops.iter().map(Operation::as_str));
        }
        objects.end();
        write_str_array(
            info.key(json_key!("options")),
            self.declared().options.iter().map(SdkOption::as_str),
        );
        if !self.declared().locales.is_empty() {
            info.serialize(json_key!("locales"), &self.declared().locales)?;
        }
        info.end();
        Ok(())
    }
}

/// Reads `objects` keeping the document's order.
struct OrderedObjects(Vec<(ObjectName, Vec<Operation>)>);

impl<'de> Deserialize<'de> for OrderedObjects {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OrderedObjects;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map from object names to operation lists")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut objects = Vec::new();
                while let Some((name, ops)) = access.next_entry::<String, Option<Vec<Operation>>>()? {
                    objects.push((ObjectName::from(name), ops.unwrap_or_default()));
                }
                Ok(OrderedObjects(objects))
            }
        }
        deserializer.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for ImplementationInfo {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            #[serde(default)]
            objects: Option<OrderedObjects>,
            #[serde(default)]
            options: Option<Vec<SdkOption>>,
            #[serde(default)]
            locales: Option<BTreeMap<String, BTreeMap<String, String>>>,
        }
        let wire = Wire::deserialize(deserializer)?;
        Ok(Self::from(Declared {
            objects: wire.objects.map(|o| o.0).unwrap_or_default(),
            options: wire.options.unwrap_or_default(),
            locales: wire.locales.unwrap_or_default(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn builder() -> ImplementationInfoBuilder {
        ImplementationInfo::builder()
    }

    /// The JSON of `info`, checked to be the same when written and when kept.
    fn written(info: &ImplementationInfo) -> String {
        let first = info.json().unwrap().to_vec();
        assert_eq!(info.clone().json().unwrap(), first, "a clone shares the kept bytes");
        assert_eq!(
            info.clone().json().unwrap().as_ptr(),
            info.json().unwrap().as_ptr(),
            "kept once, never copied"
        );
        let mut out = b"kept".to_vec();
        info.write_json(&mut out).unwrap();
        assert_eq!(out.split_off(4), first);
        String::from_utf8(first).unwrap()
    }

    #[test]
    fn the_writer_writes_what_serializing_writes() {
        let infos = [
            ImplementationInfo::default(),
            builder()
                .object(ObjectName::Messages, [Operation::Create, Operation::List])
                .object(ObjectName::Other("ty\"ping".into()), ["start", "st\nop"])
                .mark_as_read()
                .option(SdkOption::ViewMessaging)
                .option(SdkOption::Unknown("new.\u{1}".into()))
                .locale("default", "spam", "Spam")
                .locale("fr", "spam", "Indésirable \"x\"")
                .build_unchecked(),
        ];
        for info in infos {
            assert_eq!(written(&info), serde_json::to_string(&info).unwrap());
        }
    }

    proptest! {
        #[test]
        fn any_declaration_is_written_as_serialized(
            objects in proptest::collection::vec(("[a-z_\"\\\\é]{0,8}", proptest::collection::vec("[a-z_\"é]{0,8}", 0..4)), 0..4),
            options in proptest::collection::vec("[a-z._\n]{0,12}", 0..4),
            locales in proptest::collection::vec(("[a-z]{0,3}", "[a-z]{0,5}", ".{0,6}"), 0..3),
        ) {
            let mut info = builder();
            for (object, ops) in objects {
                info = info.object(ObjectName::from(object), ops.into_iter().map(Operation::from));
            }
            for option in options {
                info = info.option(SdkOption::from(option));
            }
            for (language, action, label) in locales {
                info = info.locale(language, action, label);
            }
            let info = info.build_unchecked();
            prop_assert_eq!(written(&info), serde_json::to_string(&info).unwrap());
        }
    }

    #[test]
    fn vector_3_body_is_produced_byte_for_byte() {
        let info = builder()
            .object(
                ObjectType::Messages,
                [Operation::List, Operation::Show, Operation::Create],
            )
            .build()
            .unwrap();
        assert_eq!(
            serde_json::to_string(&info).unwrap(),
            r#"{"objects":{"messages":["list","show","create"]},"options":[]}"#
        );
    }

    #[test]
    fn forbidden_combinations_are_refused() {
        let cases = [
            (
                builder()
                    .object(ObjectName::Messages, [Operation::List])
                    .object(ObjectName::PrivateMessages, [Operation::List])
                    .option(SdkOption::ViewMessaging)
                    .option(SdkOption::MessagesText),
                InfoError::MessagingViewResources { declared: 2 },
            ),
            (
                builder()
                    .object(ObjectName::Messages, [Operation::List])
                    .option(SdkOption::ViewMessaging),
                InfoError::MessagingViewTextOnly { resource: "messages" },
            ),
            (
                builder()
                    .object(ObjectName::PrivateMessages, [Operation::List])
                    .option(SdkOption::ViewMessaging)
                    .option(SdkOption::PrivateMessagesText)
                    .option(SdkOption::PrivateMessagesHtml),
                InfoError::MessagingViewTextOnly {
                    resource: "private_messages",
                },
            ),
            (
                builder().option(SdkOption::MessagingTypingIndicator),
                InfoError::RequiresOption {
                    option: SdkOption::MessagingTypingIndicator,
                    requires: SdkOption::ViewMessaging,
                },
            ),
            (
                builder().option(SdkOption::MessagesAllowSurvey),
                InfoError::RequiresObject {
                    option: SdkOption::MessagesAllowSurvey,
                    object: ObjectName::Messages,
                },
            ),
            (
                builder()
                    .object(ObjectName::Threads, [Operation::List, Operation::Create])
                    .option(SdkOption::ThreadsNoContent),
                InfoError::NoContentThreadOperation {
                    operation: Operation::Create,
                },
            ),
            (
                builder().object(ObjectName::Messages, ["mark as spam"]),
                InfoError::InvalidOperation {
                    object: ObjectName::Messages,
                    operation: Operation::Custom("mark as spam".into()),
                },
            ),
        ];
        for (b, expected) in cases {
            assert_eq!(b.clone().build(), Err(expected.clone()));
            assert!(b.build_unchecked().problems().contains(&expected));
        }
    }

    #[test]
    fn typical_chat_integration_is_accepted_and_declares_its_actions() {
        let info = builder()
            .object(
                ObjectName::Messages,
                [Operation::Create, Operation::Show, Operation::List],
            )
            .object(ObjectName::Messages, [Operation::Delete, Operation::List])
            .object(ObjectName::Threads, [Operation::Show, Operation::List])
            .mark_as_read()
            .option(SdkOption::ViewMessaging)
            .option(SdkOption::MessagesText)
            .option(SdkOption::MessagingTypingIndicator)
            .locale("fr", "spam", "Marquer comme indésirable")
            .build()
            .unwrap();
        assert_eq!(info.operations(&ObjectName::Messages).len(), 4);
        for action in [
            "messages.create",
            "messages.destroy",
            "threads.list",
            "status.mark_as_read",
        ] {
            assert!(info.declares(action), "{action}");
        }
        for action in ["threads.create", "messaging.queuing_update", "users.create", "nonsense"] {
            assert!(!info.declares(action), "{action}");
        }
        let json = serde_json::to_string(&info).unwrap();
        assert!(
            json.ends_with(r#""locales":{"fr":{"spam":"Marquer comme indésirable"}}}"#),
            "{json}"
        );
        // Decoding from text keeps the objects in document order.
        let back: ImplementationInfo = serde_json::from_str(&json).unwrap();
        assert_eq!(back, info);
    }
}
