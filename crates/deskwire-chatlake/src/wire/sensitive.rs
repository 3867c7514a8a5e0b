//! [`SensitiveText`]: a credential Chatlake puts in a JSON answer (an inbox's `hmac_token`, a
//! webhook `secret`, a contact's `pubsub_token`). It decodes and encodes as the plain string so
//! nothing is lost, but `Debug` never shows it and `==` compares in constant time.

use deskwire_core::Secret;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A credential read from an answer. Use [`SensitiveText::secret`] to hand it to a signer.
#[derive(Clone)]
pub struct SensitiveText(Secret);

impl SensitiveText {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(Secret::new(value))
    }

    /// The value as a [`Secret`].
    pub fn secret(&self) -> &Secret {
        &self.0
    }
}

impl std::fmt::Debug for SensitiveText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl PartialEq for SensitiveText {
    fn eq(&self, other: &Self) -> bool {
        self.0.matches(other.0.expose().as_bytes())
    }
}

impl Serialize for SensitiveText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.expose())
    }
}

impl<'de> Deserialize<'de> for SensitiveText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_in_debug_kept_in_json() {
        let t: SensitiveText = serde_json::from_str("\"tok-123\"").unwrap();
        assert_eq!(format!("{t:?}"), "***");
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"tok-123\"");
        assert_eq!(t, SensitiveText::new("tok-123"));
        assert_ne!(t, SensitiveText::new("tok-124"));
    }
}
