//! Lenient dates: Engage Digital documents ISO 8601, but its own examples use `06/11/2017`
//! and the official Python SDK sends epoch milliseconds.
//!
//! Decoding never fails on a string: text that is neither RFC 3339 nor `YYYY-MM-DD` is kept
//! verbatim in [`DateTime::Other`] and sent back unchanged. Encoding a parsed date emits
//! RFC 3339 (UTC shown with `Z`), which is what the docs recommend.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

/// A date or date-time as carried in `created_at` / `updated_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateTime {
    /// An RFC 3339 date-time such as `2012-10-01T17:18:40Z`.
    At(OffsetDateTime),
    /// A calendar date such as `2012-02-10`.
    Day(Date),
    /// Milliseconds since the Unix epoch, as a JSON number.
    EpochMillis(i64),
    /// Any other text, kept as written (e.g. the docs' ambiguous `06/11/2017`).
    Other(String),
}

/// `[year]-[month]-[day]`, parsed once. Built at run time (not with `time`'s `macros`
/// feature) so the crate does not pull a proc-macro crate for one constant.
static DAY: std::sync::LazyLock<Vec<time::format_description::BorrowedFormatItem<'static>>> =
    std::sync::LazyLock::new(|| {
        time::format_description::parse_borrowed::<2>("[year]-[month]-[day]")
            .expect("a fixed, valid format description")
    });

impl DateTime {
    /// Parses the way decoding does: RFC 3339, then `YYYY-MM-DD`, else [`DateTime::Other`].
    pub fn parse(text: &str) -> Self {
        if let Some(at) = utc_seconds(text) {
            return Self::At(at);
        }
        if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
            return Self::At(at);
        }
        if let Ok(day) = Date::parse(text, &DAY) {
            return Self::Day(day);
        }
        Self::Other(text.to_owned())
    }

    /// The current time.
    pub fn now() -> Self {
        Self::At(OffsetDateTime::now_utc())
    }

    /// The instant, when this value names one unambiguously (`Day` is midnight UTC).
    pub fn to_offset_date_time(&self) -> Option<OffsetDateTime> {
        match self {
            Self::At(at) => Some(*at),
            Self::Day(day) => Some(day.midnight().assume_utc()),
            Self::EpochMillis(ms) => OffsetDateTime::from_unix_timestamp_nanos(i128::from(*ms) * 1_000_000).ok(),
            Self::Other(_) => None,
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`, the form of every `time` in Engage Digital's examples, read
/// without the general RFC 3339 parser (a third of decoding a short request). Anything else,
/// including a valid date this does not read (a fraction, an offset, a leap second, lower
/// case), is `None` and left to the general parser; a property test checks both agree.
fn utc_seconds(text: &str) -> Option<OffsetDateTime> {
    let b = text.as_bytes();
    let shape = b.len() == 20
        && [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':'), (19, b'Z')]
            .iter()
            .all(|&(i, c)| b[i] == c);
    if !shape {
        return None;
    }
    let number = |from: usize, to: usize| {
        b[from..to]
            .iter()
            .try_fold(0_u16, |n, &d| d.is_ascii_digit().then(|| n * 10 + u16::from(d - b'0')))
    };
    let small = |from: usize| number(from, from + 2).and_then(|n| u8::try_from(n).ok());
    let date = time::Date::from_calendar_date(
        i32::from(number(0, 4)?),
        time::Month::try_from(small(5)?).ok()?,
        small(8)?,
    )
    .ok()?;
    let at = time::Time::from_hms(small(11)?, small(14)?, small(17)?).ok()?;
    Some(time::PrimitiveDateTime::new(date, at).assume_utc())
}

impl From<OffsetDateTime> for DateTime {
    fn from(at: OffsetDateTime) -> Self {
        Self::At(at)
    }
}

impl From<Date> for DateTime {
    fn from(day: Date) -> Self {
        Self::Day(day)
    }
}

impl From<&str> for DateTime {
    /// Same as [`DateTime::parse`].
    fn from(text: &str) -> Self {
        Self::parse(text)
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::At(at) => {
                let text = at.format(&Rfc3339).map_err(serde::ser::Error::custom)?;
                serializer.serialize_str(&text)
            }
            Self::Day(day) => {
                let text = day.format(&DAY).map_err(serde::ser::Error::custom)?;
                serializer.serialize_str(&text)
            }
            Self::EpochMillis(ms) => serializer.serialize_i64(*ms),
            Self::Other(text) => serializer.serialize_str(text),
        }
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Int(i64),
            Float(f64),
        }
        Ok(match Raw::deserialize(deserializer)? {
            Raw::Text(text) => Self::parse(&text),
            Raw::Int(ms) => Self::EpochMillis(ms),
            // Saturating cast: a fractional or huge number still decodes to something usable.
            Raw::Float(ms) => Self::EpochMillis(ms as i64),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn round_trip(value: serde_json::Value) -> (DateTime, serde_json::Value) {
        let parsed: DateTime = serde_json::from_value(value).unwrap();
        let back = serde_json::to_value(&parsed).unwrap();
        (parsed, back)
    }

    #[test]
    fn rfc3339_round_trips() {
        let (d, back) = round_trip(json!("2012-10-01T17:18:40Z"));
        assert!(matches!(d, DateTime::At(_)));
        assert_eq!(back, json!("2012-10-01T17:18:40Z"));
    }

    #[test]
    fn date_only_round_trips() {
        let (d, back) = round_trip(json!("2012-02-10"));
        assert!(matches!(d, DateTime::Day(_)));
        assert_eq!(back, json!("2012-02-10"));
    }

    #[test]
    fn docs_slash_dates_are_kept_verbatim() {
        let (d, back) = round_trip(json!("06/11/2017"));
        assert_eq!(d, DateTime::Other("06/11/2017".into()));
        assert_eq!(back, json!("06/11/2017"));
    }

    #[test]
    fn epoch_millis_round_trip() {
        let (d, back) = round_trip(json!(1622426621537i64));
        assert_eq!(d, DateTime::EpochMillis(1622426621537));
        assert_eq!(back, json!(1622426621537i64));
        assert_eq!(d.to_offset_date_time().unwrap().unix_timestamp(), 1622426621);
    }

    proptest! {
        #[test]
        fn the_short_form_reads_as_the_general_parser_reads(
            text in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}[Zz]",
            valid in (0_i64..253_402_300_799).prop_map(|s| OffsetDateTime::from_unix_timestamp(s).unwrap()),
        ) {
            let general = OffsetDateTime::parse(&text, &Rfc3339).ok();
            if let Some(at) = utc_seconds(&text) {
                prop_assert_eq!(Some(at), general);
            }
            let valid = valid.format(&Rfc3339).unwrap();
            prop_assert_eq!(utc_seconds(&valid), OffsetDateTime::parse(&valid, &Rfc3339).ok());
            prop_assert!(utc_seconds(&valid).is_some());
        }
    }

    #[test]
    fn the_short_form_leaves_the_rest_to_the_general_parser() {
        assert_eq!(
            utc_seconds("2012-10-01T17:18:40Z"),
            OffsetDateTime::from_unix_timestamp(1349111920).ok()
        );
        for text in [
            "2012-10-01T17:18:40.5Z",
            "2012-10-01T17:18:40+02:00",
            "2012-10-01t17:18:40z",
            "2016-12-31T23:59:60Z",
            "2012-13-01T17:18:40Z",
            "2012-02-30T17:18:40Z",
            "2012-10-01T24:00:00Z",
            "2012-1a-01T17:18:40Z",
            "２012-10-01T17:18:40",
        ] {
            assert_eq!(utc_seconds(text), None, "{text}");
        }
        // The general parser still reads the valid ones.
        assert!(matches!(DateTime::parse("2012-10-01T17:18:40.5Z"), DateTime::At(_)));
        assert!(matches!(DateTime::parse("2016-12-31T23:59:60Z"), DateTime::At(_)));
        assert_eq!(
            DateTime::parse("2012-02-30T17:18:40Z"),
            DateTime::Other("2012-02-30T17:18:40Z".into())
        );
    }

    #[test]
    fn non_dates_fail_cleanly() {
        assert!(serde_json::from_value::<DateTime>(json!({"a": 1})).is_err());
        assert!(serde_json::from_value::<DateTime>(json!(null)).is_err());
    }
}
