//! The `{meta, data, error}` envelope every non-authorization answer comes in, unwrapped
//! leniently: Directly's own client reads `data` for most calls, the whole body for close and
//! mark-as-resolved, and a top-level `questions` for the list call, so all of these are read.

use deskwire_core::json::Extra;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `meta`: facts about the request (API version, correlation id).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Meta {
    /// The id Directly's support uses to find the request (`meta.correlationId`), when sent.
    #[serde(
        rename = "correlationId",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "string_or_number"
    )]
    pub correlation_id: Option<String>,
    /// Everything else in `meta`.
    #[serde(flatten)]
    pub extra: Extra,
}

fn string_or_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// The answer of a call whose result the API does not document (update, close, reroute, expire,
/// mark-as-resolved, forget): nothing is dropped.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Ack {
    /// HTTP status (200, or 201).
    pub status: u16,
    /// `meta`, when the body is an envelope.
    pub meta: Option<Meta>,
    /// `data` when the body is an envelope, else the whole body; `None` when empty.
    pub data: Option<Value>,
}

/// A body split into `meta` and the payload.
#[derive(Debug)]
pub struct Unwrapped {
    /// `meta`, when present.
    pub meta: Option<Meta>,
    /// `data` (or the whole body when it has no envelope).
    pub payload: Value,
    /// The envelope's top level, for lists read from a top-level key.
    pub(crate) top: Map<String, Value>,
}

/// Splits a body: an object with `data`, `meta` or `error` is an envelope and its `data` is the
/// payload (`null` when absent); anything else is the payload itself. An empty body is `null`.
pub fn unwrap(body: &[u8]) -> Result<Unwrapped, serde_json::Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Unwrapped {
            meta: None,
            payload: Value::Null,
            top: Map::new(),
        });
    }
    match serde_json::from_slice::<Value>(body)? {
        Value::Object(mut top) if ["data", "meta", "error"].iter().any(|k| top.contains_key(*k)) => {
            let meta = top.remove("meta").and_then(|m| serde_json::from_value::<Meta>(m).ok());
            let payload = top.remove("data").unwrap_or(Value::Null);
            Ok(Unwrapped { meta, payload, top })
        }
        payload => Ok(Unwrapped {
            meta: None,
            payload,
            top: Map::new(),
        }),
    }
}

impl Unwrapped {
    /// The payload as `T`.
    pub fn data<T: DeserializeOwned>(self) -> Result<T, serde_json::Error> {
        serde_json::from_value(self.payload)
    }

    /// The payload as `T`, or `None` when it is absent, `null` or `{}`.
    pub fn optional<T: DeserializeOwned>(self) -> Result<Option<T>, serde_json::Error> {
        match &self.payload {
            Value::Null => Ok(None),
            Value::Object(o) if o.is_empty() => Ok(None),
            _ => serde_json::from_value(self.payload).map(Some),
        }
    }

    /// A list stored under `key`: `data.<key>`, `data` itself when an array, or a top-level
    /// `<key>` beside the envelope (as Directly's client reads the question list).
    pub fn list<T: DeserializeOwned>(mut self, key: &str) -> Result<Vec<T>, serde_json::Error> {
        let items = match self.payload {
            Value::Array(items) => Value::Array(items),
            Value::Object(mut data) if data.contains_key(key) => data.remove(key).unwrap_or_default(),
            Value::Null => match self.top.remove(key) {
                Some(items) => items,
                None => Value::Array(Vec::new()),
            },
            other => other,
        };
        serde_json::from_value(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_or_bare() {
        let u = unwrap(br#"{"meta":{"correlationId":42,"version":"v1"},"data":{"a":1}}"#).unwrap();
        assert_eq!(u.meta.as_ref().unwrap().correlation_id.as_deref(), Some("42"));
        assert_eq!(u.data::<Value>().unwrap(), serde_json::json!({"a":1}));
        assert_eq!(unwrap(br#"{"a":1}"#).unwrap().payload, serde_json::json!({"a":1}));
        assert_eq!(unwrap(b"  ").unwrap().optional::<Value>().unwrap(), None);
        assert_eq!(unwrap(br#"{"data":{}}"#).unwrap().optional::<Value>().unwrap(), None);
    }

    #[test]
    fn lists_in_all_three_places() {
        for body in [
            r#"{"meta":{},"data":{"questions":[1,2]}}"#,
            r#"{"meta":{},"data":[1,2]}"#,
            r#"{"meta":{},"questions":[1,2]}"#,
            r#"[1,2]"#,
            r#"{"questions":[1,2]}"#,
        ] {
            let got: Vec<u8> = unwrap(body.as_bytes()).unwrap().list("questions").unwrap();
            assert_eq!(got, [1, 2], "{body}");
        }
        assert!(unwrap(br#"{"meta":{}}"#)
            .unwrap()
            .list::<u8>("questions")
            .unwrap()
            .is_empty());
    }
}
