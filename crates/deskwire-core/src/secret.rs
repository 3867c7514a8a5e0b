//! The `Secret` type: the only place a token or signing key lives.
//!
//! It deliberately implements neither `Display` nor `Serialize`, so a secret cannot end up in a
//! log line, an error message or a JSON document by accident; reading it takes an explicit
//! [`Secret::expose`] call that is easy to grep for.

use std::fmt;

use zeroize::Zeroizing;

/// A token, password or signing key. `Debug` prints `Secret(***)`; the bytes are zeroized on drop.
///
/// It has no `PartialEq`: comparing secrets with `==` would not be constant-time.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(Zeroizing::new(value.into()))
    }

    /// The secret itself. Call this only where the value must be used (a MAC key, an auth header).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `presented` is this secret, compared in constant time (the only comparison a
    /// secret has: see the note on `PartialEq` above).
    pub fn matches(&self, presented: &[u8]) -> bool {
        // Differing lengths are refused at once: only the length can leak, never a byte.
        crate::ct::eq(self.0.as_bytes(), presented)
    }

    /// Whether the secret is empty or only whitespace: the one rule every builder and verifier
    /// uses to refuse a credential that was never filled in.
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// Whether the secret is the empty string (almost always a configuration mistake).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new("56e79ea4-super-secret");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(format!("{s:#?}"), "Secret(***)");
        assert!(!format!("{:?}", Some(&s)).contains("super"));
    }

    #[test]
    fn expose_returns_the_value() {
        assert_eq!(Secret::from("abc").expose(), "abc");
        assert!(Secret::new("").is_empty());
        assert!(Secret::new(" \t\n").is_blank() && Secret::new("").is_blank());
        assert!(!Secret::new(" a ").is_blank());
    }

    #[test]
    fn matches_only_the_same_bytes() {
        let s = Secret::new("abc");
        assert!(s.matches(b"abc"));
        for other in [&b"abd"[..], b"ab", b"abcd", b"", b"ABC"] {
            assert!(!s.matches(other), "{other:?}");
        }
        assert!(Secret::new("").matches(b""));
    }
}
