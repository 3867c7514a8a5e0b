//! Lenient id decoding for request types: the [API-channel guide](https://www.chatwoot.com/docs/product/channels/api/send-messages) prints ids as strings (`"inbox_id": "string"`)
//! and Rails accepts numeric strings, so a request read back from JSON takes both; requests are
//! always written with integers, as the server stores them.

use serde::de::{self, Visitor};
use serde::Deserializer;

/// Deserializes an optional id given as a number or a numeric string.
pub(crate) fn opt_u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    struct IdVisitor;
    impl<'de> Visitor<'de> for IdVisitor {
        type Value = Option<u64>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an id (a non-negative integer or a string of digits)")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            u64::try_from(v).map(Some).map_err(|_| E::custom("a negative id"))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            v.trim()
                .parse()
                .map(Some)
                .map_err(|_| E::custom(format!("`{v}` is not an id")))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(IdVisitor)
        }
    }
    deserializer.deserialize_option(IdVisitor)
}
