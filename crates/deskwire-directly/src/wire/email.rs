//! [`UserEmail`]: the end user a company token acts for. Almost every call carries it; the
//! question's poster is created or identified by it.

use std::fmt;

use deskwire_core::{ValidationError, ValidationProblem};
use serde::{Deserialize, Serialize};

/// An end user's email address, checked before any request carries it.
///
/// The check is deliberately small — one `@` with text on both sides, a dot in the domain, no
/// spaces or control characters, at most 254 bytes — enough to catch a swapped argument or an
/// empty field; Directly decides the rest.
///
/// ```
/// use deskwire_directly::UserEmail;
/// assert!(UserEmail::new("ana@example.com").is_ok());
/// assert!(UserEmail::new("Ana Lopez").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserEmail(String);

impl UserEmail {
    /// Checks and wraps an address (surrounding spaces are trimmed).
    pub fn new(address: impl AsRef<str>) -> Result<Self, ValidationError> {
        let address = address.as_ref().trim();
        let invalid = |why: &str| ValidationError::new("userEmail", ValidationProblem::Invalid(why.to_owned()));
        if address.is_empty() {
            return Err(ValidationError::new("userEmail", ValidationProblem::Empty));
        }
        if address.len() > 254 {
            return Err(invalid("an email address has at most 254 bytes"));
        }
        if address.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid("an email address has no spaces or control characters"));
        }
        match address.rsplit_once('@') {
            Some((local, domain))
                if !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') =>
            {
                Ok(Self(address.to_owned()))
            }
            _ => Err(invalid("not an email address (expected `name@domain.tld`)")),
        }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for UserEmail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for UserEmail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_refuses() {
        assert_eq!(UserEmail::new(" ana@example.com ").unwrap().as_str(), "ana@example.com");
        assert!(UserEmail::new("a+tag@sub.example.co").is_ok());
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "ana @example.com",
            "ana@.com",
            "ana@example.",
        ] {
            assert!(UserEmail::new(bad).is_err(), "{bad}");
        }
        assert_eq!(
            UserEmail::new("ana").unwrap_err().to_string(),
            "invalid `userEmail`: not an email address (expected `name@domain.tld`); nothing was sent"
        );
    }
}
