//! JSON a provider sends that no typed field models, kept so nothing is lost — and never
//! printed with the credentials it may carry.
//!
//! Desks embed raw records in their payloads: Chatwoot's `inbox_created` carries the whole
//! channel record (an API inbox's `hmac_token` and webhook `secret`, a Telegram inbox's
//! `bot_token`, an email inbox's `imap_password`), and every conversation event carries the
//! contact's websocket `pubsub_token`. Typed fields hold known credentials in [`Secret`]s;
//! [`Extra`] and [`Json`] hold everything else, serialize it unchanged, and redact in `Debug`
//! every value whose key looks like a credential ([`is_credential_key`]), at any depth.
//!
//! ```
//! use deskwire_core::json::Extra;
//! let extra: Extra = serde_json::from_str(r#"{"channel":{"hmac_token":"abc","name":"API"}}"#).unwrap();
//! assert_eq!(extra["channel"]["hmac_token"], "abc"); // kept
//! assert!(!format!("{extra:?}").contains("abc")); // never printed
//! ```
//!
//! [`Secret`]: crate::Secret

use std::fmt;
use std::ops::{Deref, DerefMut};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Parts of a key that mark a credential, compared in lower case with `-` and `_` removed:
/// `hmac_token`, `pubsub_token`, `bot_token`, `page_access_token`, `secret`,
/// `line_channel_secret`, `returnWebhookSecret`, `imap_password`, `api_key`, `apiKey`,
/// `private_key`, `client_credentials`, `authorization`.
const CREDENTIAL_PARTS: &[&str] = &[
    "token",
    "secret",
    "password",
    "passwd",
    "apikey",
    "privatekey",
    "credential",
    "authorization",
];

/// Whether a value under `key` is hidden from `Debug` (see [`CREDENTIAL_PARTS`](self)).
///
/// ```
/// use deskwire_core::json::is_credential_key;
/// assert!(is_credential_key("hmac_token"));
/// assert!(is_credential_key("returnWebhookSecret"));
/// assert!(is_credential_key("X-Api-Key"));
/// assert!(!is_credential_key("identifier"));
/// ```
pub fn is_credential_key(key: &str) -> bool {
    let folded: String = key
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    CREDENTIAL_PARTS.iter().any(|part| folded.contains(part))
}

/// `Debug` of a JSON value with credential-like keys' values shown as `"***"` at any depth
/// (`null` stays `null`: it hides nothing and says the field is empty).
pub struct Redacted<'a>(pub &'a Value);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The same layout as `Value`'s own `Debug` (`Object {..}`, `Array [..]`).
        match self.0 {
            Value::Object(map) => {
                f.write_str("Object ")?;
                RedactedMap(map).fmt(f)
            }
            Value::Array(items) => {
                f.write_str("Array ")?;
                f.debug_list().entries(items.iter().map(Redacted)).finish()
            }
            scalar => fmt::Debug::fmt(scalar, f),
        }
    }
}

struct RedactedMap<'a>(&'a Map<String, Value>);

struct Hidden;

impl fmt::Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"***\"")
    }
}

impl fmt::Debug for RedactedMap<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (key, value) in self.0 {
            if is_credential_key(key) && !value.is_null() {
                map.entry(key, &Hidden);
            } else {
                map.entry(key, &Redacted(value));
            }
        }
        map.finish()
    }
}

/// The unmodelled fields of a typed record (`#[serde(flatten)] extra: Extra`): a JSON object
/// kept whole for round trips, read like a [`Map`] (it derefs to one), redacted in `Debug`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Extra(pub Map<String, Value>);

impl Extra {
    /// No fields.
    pub fn new() -> Self {
        Self::default()
    }

    /// The map.
    pub fn into_inner(self) -> Map<String, Value> {
        self.0
    }
}

impl Deref for Extra {
    type Target = Map<String, Value>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for Extra {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl From<Map<String, Value>> for Extra {
    fn from(map: Map<String, Value>) -> Self {
        Self(map)
    }
}

impl From<Extra> for Map<String, Value> {
    fn from(extra: Extra) -> Self {
        extra.0
    }
}

impl FromIterator<(String, Value)> for Extra {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl fmt::Debug for Extra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        RedactedMap(&self.0).fmt(f)
    }
}

/// A raw JSON value a provider sends (a record the typed model keeps opaque): serialized
/// unchanged, read like a [`Value`] (it derefs to one), redacted in `Debug`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Json(pub Value);

impl Json {
    /// The value.
    pub fn into_inner(self) -> Value {
        self.0
    }
}

impl Deref for Json {
    type Target = Value;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for Json {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl From<Value> for Json {
    fn from(value: Value) -> Self {
        Self(value)
    }
}

impl From<Json> for Value {
    fn from(json: Json) -> Self {
        json.0
    }
}

impl fmt::Debug for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Redacted(&self.0).fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_credentials_are_hidden_at_any_depth_and_kept_in_json() {
        let value = json!({
            "name": "API",
            "channel": {"hmac_token": "hm-SECRET", "secret": "wh-SECRET", "webhook_url": "https://x"},
            "list": [{"provider_config": {"api_key": "k-SECRET"}}, {"pubsub_token": "ps-SECRET"}],
            "changed_attributes": [{"secret": {"previous_value": "old-SECRET", "current_value": "new-SECRET"}}],
            "bot_token": null,
        });
        let extra: Extra = serde_json::from_value(value.clone()).unwrap();
        let printed = format!("{extra:?}");
        assert!(!printed.contains("SECRET"), "{printed}");
        assert!(printed.contains("\"hmac_token\": \"***\""), "{printed}");
        assert!(printed.contains("https://x"), "{printed}");
        assert!(printed.contains("\"bot_token\": Null"), "{printed}");
        assert_eq!(serde_json::to_value(&extra).unwrap(), value);
        let printed = format!("{:?}", Json(value.clone()));
        assert!(!printed.contains("SECRET"), "{printed}");
        // Without credentials, the layout is `Value`'s own.
        let plain = json!({"a": [1, {"b": null}], "c": "d"});
        assert_eq!(format!("{:?}", Json(plain.clone())), format!("{plain:?}"));
        assert_eq!(format!("{:#?}", Json(plain.clone())), format!("{plain:#?}"));
        let map = plain.as_object().unwrap().clone();
        assert_eq!(format!("{:?}", Extra(map.clone())), format!("{map:?}"));
    }

    #[test]
    fn credential_keys() {
        for key in [
            "hmac_token",
            "pubsub_token",
            "secret",
            "line_channel_secret",
            "returnWebhookSecret",
            "imap_password",
            "api_key",
            "apiKey",
            "X-API-KEY",
            "page_access_token",
            "private_key",
            "Authorization",
        ] {
            assert!(is_credential_key(key), "{key}");
        }
        for key in [
            "identifier",
            "identifier_hash",
            "name",
            "webhook_url",
            "id",
            "source_id",
        ] {
            assert!(!is_credential_key(key), "{key}");
        }
    }
}
