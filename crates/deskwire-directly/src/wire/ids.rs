//! Identifiers: [`Uuid`] (kept exactly as the server wrote it, checked strictly when a caller
//! types one in) and [`ExternalId`] (your own id for a question or message, per system).

use deskwire_core::json::Extra;
use std::fmt;
use std::str::FromStr;

use deskwire_core::{ValidationError, ValidationProblem};
use serde::{Deserialize, Serialize};

/// A Directly UUID.
///
/// The API promises the 8-4-4-4-12 form (`123e4567-e89b-12d3-a456-426655440000`), but its own
/// guide prints `"abcd-7890"`. So the two ways in differ on purpose:
///
/// * decoding an answer keeps whatever string the server sent, so an id read from Directly can
///   always be handed back to it unchanged;
/// * [`Uuid::parse`] (and [`FromStr`]), the way a caller types an id in, accepts only the
///   8-4-4-4-12 form, so a typo is refused before any request is sent.
///
/// ```
/// use deskwire_directly::wire::Uuid;
/// let id = Uuid::parse("123e4567-e89b-12d3-a456-426655440000").unwrap();
/// assert!(id.is_canonical());
/// assert!(Uuid::parse("abcd-7890").is_err());
/// let seed: Uuid = serde_json::from_str("\"abcd-7890\"").unwrap();
/// assert_eq!(seed.as_str(), "abcd-7890");
/// assert!(!seed.is_canonical());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Uuid(String);

impl Uuid {
    /// Accepts only the 8-4-4-4-12 hexadecimal form (either case).
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        if is_canonical(text) {
            Ok(Self(text.to_owned()))
        } else {
            Err(ValidationError::new(
                "uuid",
                ValidationProblem::Invalid(format!(
                    "`{}` is not a UUID in the 8-4-4-4-12 form",
                    text.chars().take(60).collect::<String>()
                )),
            ))
        }
    }

    /// An id as the server wrote it, unchecked (the decoding path).
    pub(crate) fn from_server(text: String) -> Self {
        Self(text)
    }

    /// Whether the id has the 8-4-4-4-12 form the API documents.
    pub fn is_canonical(&self) -> bool {
        is_canonical(&self.0)
    }

    /// The id as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_canonical(text: &str) -> bool {
    // `uuid` also accepts the simple, braced and URN forms; the API writes only the hyphenated one.
    text.len() == 36 && uuid::Uuid::try_parse(text).is_ok()
}

impl FromStr for Uuid {
    type Err = ValidationError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl fmt::Debug for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Uuid {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Your id for a question or message in one of your systems. `system` is usually your
/// integration's name or token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalId {
    /// The id.
    pub id: String,
    /// Which system it belongs to.
    pub system: String,
    /// Fields this version does not know.
    #[serde(flatten)]
    pub extra: Extra,
}

impl ExternalId {
    /// An id in `system`.
    pub fn new(id: impl Into<String>, system: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            system: system.into(),
            extra: Extra::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_parse_lenient_decode() {
        assert!(Uuid::parse("123E4567-E89B-12D3-A456-426655440000").is_ok());
        for bad in [
            "",
            "abcd-7890",
            "123e4567e89b12d3a456426655440000",
            "{123e4567-e89b-12d3-a456-426655440000}",
            "urn:uuid:123e4567-e89b-12d3-a456-426655440000",
            "123e4567-e89b-12d3-a456-42665544000g",
            "123e4567-e89b-12d3-a456-4266554400000",
        ] {
            assert!(Uuid::parse(bad).is_err(), "{bad}");
        }
        let e = Uuid::parse("abcd-7890").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid `uuid`: `abcd-7890` is not a UUID in the 8-4-4-4-12 form; nothing was sent"
        );
        let kept: Uuid = serde_json::from_str("\"abcd-7890\"").unwrap();
        assert_eq!(serde_json::to_string(&kept).unwrap(), "\"abcd-7890\"");
        assert_eq!(format!("{kept:?}"), "\"abcd-7890\"");
    }
}
