//! [`Timestamp`]: an ISO-8601 UTC time as Directly writes it (`2017-05-18T16:50:38Z`), kept as
//! written and read on demand, so re-encoding never changes a date the server sent.

use std::cmp::Ordering;
use std::fmt;
use std::time::SystemTime;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::{Iso8601, Rfc3339};
use time::{OffsetDateTime, UtcOffset};

/// A point in time.
///
/// ```
/// use deskwire_directly::wire::Timestamp;
/// let t = Timestamp::parse("2017-05-18T16:50:38Z").unwrap();
/// assert_eq!(t.datetime().unwrap().unix_timestamp(), 1_495_126_238);
/// assert_eq!(Timestamp::from_unix(1_495_126_238).as_str(), "2017-05-18T16:50:38Z");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Timestamp {
    raw: String,
    at: Option<OffsetDateTime>,
}

impl Timestamp {
    /// Reads an RFC 3339 / ISO-8601 date-time; `None` when it is neither.
    pub fn parse(text: &str) -> Option<Self> {
        let at = read(text)?;
        Some(Self {
            raw: text.to_owned(),
            at: Some(at),
        })
    }

    /// Any text, kept; read when it is a date-time (the decoding path).
    pub(crate) fn from_text(raw: String) -> Self {
        let at = read(&raw);
        Self { raw, at }
    }

    /// The time written as RFC 3339 in UTC with a `Z`, the form the API documents (fractional
    /// seconds only when there are some).
    pub fn from_datetime(at: OffsetDateTime) -> Self {
        let at = at.to_offset(UtcOffset::UTC);
        let raw = at.format(&Rfc3339).unwrap_or_else(|_| at.unix_timestamp().to_string());
        Self { raw, at: Some(at) }
    }

    /// Whole unix seconds, written as [`Self::from_datetime`] does.
    pub fn from_unix(seconds: i64) -> Self {
        Self::from_datetime(OffsetDateTime::from_unix_timestamp(seconds).unwrap_or(OffsetDateTime::UNIX_EPOCH))
    }

    /// A `SystemTime` (an HTTP `Date` header, say), written as [`Self::from_datetime`] does.
    pub fn from_system_time(at: SystemTime) -> Self {
        Self::from_datetime(OffsetDateTime::from(at))
    }

    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The time, when the text is a readable date-time.
    pub fn datetime(&self) -> Option<OffsetDateTime> {
        self.at
    }

    /// Orders by time; an unreadable text is earlier than any readable one.
    pub fn cmp_time(&self, other: &Self) -> Ordering {
        self.at.cmp(&other.at)
    }
}

fn read(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(text, &Iso8601::DEFAULT))
        .ok()
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some(_) => fmt::Debug::fmt(&self.raw, f),
            None => write!(f, "{:?} (unreadable)", self.raw),
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    /// Any string: one that is not a date-time is kept (and [`Timestamp::datetime`] is `None`)
    /// rather than failing the whole question.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::from_text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let t: Timestamp = serde_json::from_str("\"2017-05-18T16:50:38.120Z\"").unwrap();
        assert_eq!(t.datetime().unwrap().millisecond(), 120);
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"2017-05-18T16:50:38.120Z\"");
        let odd: Timestamp = serde_json::from_str("\"yesterday\"").unwrap();
        assert_eq!(odd.datetime(), None);
        assert_eq!(odd.cmp_time(&t), Ordering::Less);
        assert_eq!(format!("{odd:?}"), "\"yesterday\" (unreadable)");
        let offset = Timestamp::parse("2017-05-18T18:50:38+02:00").unwrap();
        assert_eq!(offset.cmp_time(&Timestamp::from_unix(1_495_126_238)), Ordering::Equal);
        assert_eq!(
            Timestamp::from_datetime(offset.datetime().unwrap()).as_str(),
            "2017-05-18T16:50:38Z"
        );
    }
}
