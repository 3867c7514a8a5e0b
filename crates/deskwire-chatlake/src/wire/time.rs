//! [`Timestamp`]: Chatlake writes times three ways — unix seconds as integers (most REST
//! fields), a float (a conversation's `updated_at`) and ISO-8601 strings (`snoozed_until`,
//! messages-list meta, the `message_*` webhooks' top-level `created_at`). One type decodes all
//! three and writes each back in the form it came in.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A point in time as Chatlake wrote it.
#[derive(Debug, Clone, PartialEq)]
pub enum Timestamp {
    /// Unix seconds. Chatlake renders an unset time as `0` in REST conversations.
    Unix(i64),
    /// Unix seconds with a fraction (`updated_at.to_f`).
    Fractional(f64),
    /// An ISO-8601 / RFC 3339 string, kept as written.
    Iso(String),
}

impl Timestamp {
    /// Seconds since the Unix epoch, fraction included; `None` for a string that is not RFC 3339.
    pub fn unix_seconds(&self) -> Option<f64> {
        match self {
            Self::Unix(s) => Some(*s as f64),
            Self::Fractional(s) => Some(*s),
            Self::Iso(text) => {
                let at = OffsetDateTime::parse(text, &Rfc3339).ok()?;
                Some(at.unix_timestamp_nanos() as f64 / 1e9)
            }
        }
    }

    /// The time as a `SystemTime`; `None` when unreadable or before 1970.
    pub fn to_system_time(&self) -> Option<SystemTime> {
        let secs = self.unix_seconds()?;
        (secs.is_finite() && secs >= 0.0).then(|| UNIX_EPOCH + Duration::from_secs_f64(secs))
    }

    /// Whether this is Chatlake's rendering of "no time" (`0`): REST conversations call `.to_i`
    /// on unset times.
    pub fn is_unset(&self) -> bool {
        matches!(self, Self::Unix(0)) || matches!(self, Self::Fractional(f) if *f == 0.0)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Unix(s) => serializer.serialize_i64(*s),
            Self::Fractional(s) => serializer.serialize_f64(*s),
            Self::Iso(text) => serializer.serialize_str(text),
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimestampVisitor;
        impl Visitor<'_> for TimestampVisitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("unix seconds (integer or float) or an ISO-8601 string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
                Ok(Timestamp::Unix(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
                Ok(i64::try_from(v).map_or(Timestamp::Fractional(v as f64), Timestamp::Unix))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Timestamp, E> {
                Ok(Timestamp::Fractional(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Ok(Timestamp::Iso(v.to_owned()))
            }
        }
        deserializer.deserialize_any(TimestampVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_forms_decode_and_encode_back_as_they_came() {
        for (text, expected, secs) in [
            ("1700000000", Timestamp::Unix(1_700_000_000), 1_700_000_000.0),
            (
                "1700000000.123",
                Timestamp::Fractional(1_700_000_000.123),
                1_700_000_000.123,
            ),
            (
                "\"2025-11-21T06:21:27.123Z\"",
                Timestamp::Iso("2025-11-21T06:21:27.123Z".into()),
                1_763_706_087.123,
            ),
        ] {
            let t: Timestamp = serde_json::from_str(text).unwrap();
            assert_eq!(t, expected);
            assert_eq!(serde_json::to_string(&t).unwrap(), text);
            assert!((t.unix_seconds().unwrap() - secs).abs() < 1e-3, "{text}");
        }
    }

    #[test]
    fn unset_and_unreadable_times() {
        assert!(Timestamp::Unix(0).is_unset());
        assert!(!Timestamp::Unix(1).is_unset());
        assert_eq!(Timestamp::Iso("yesterday".into()).unix_seconds(), None);
        assert_eq!(Timestamp::Unix(-5).to_system_time(), None);
        assert_eq!(
            Timestamp::Unix(10).to_system_time(),
            Some(UNIX_EPOCH + Duration::from_secs(10))
        );
        assert!(serde_json::from_str::<Timestamp>("true").is_err());
    }
}
