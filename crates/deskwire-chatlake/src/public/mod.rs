//! The Client (public) API, `{base}/public/api/v1/inboxes/{inbox_identifier}/...`: what a chat
//! front end calls for its own contact, without an access token. It works only for API
//! inboxes. A contact is addressed by its `contact_identifier` (the `source_id` the create call
//! returns).
//!
//! # Identity validation
//!
//! Chatwoot checks `identifier_hash` before it **creates, shows or updates** a contact, when
//! the inbox has identity validation on (`hmac_mandatory`) or whenever a hash is sent: it must
//! equal the hex HMAC-SHA256 of the request's `identifier` (an absent one counts as the empty
//! string) keyed with the inbox's `hmac_token` — not the webhook `secret`. A mismatch raises an
//! error no controller rescues, so the server answers a bare 500 (chatwoot/chatwoot
//! `app/controllers/public/api/v1/inboxes/contacts_controller.rb`, `process_hmac` and
//! `valid_hmac?`, tag v4.13.0).
//!
//! Give the client the inbox's token once ([`PublicClientBuilder::hmac_token`]) and it sends
//! `identifier` and its `identifier_hash` on every create, show and update; a 500 from those
//! calls is [`ChatlakeFailure::IdentityCheckFailed`](crate::ChatlakeFailure::IdentityCheckFailed), never retried. [`identifier_hash`] computes a hash
//! yourself (for a web widget's `setUser`, say).

#[cfg(feature = "client")]
pub(crate) mod client;
mod wire;

use deskwire_core::mac::HmacSha256;
use deskwire_core::Secret;

#[cfg(feature = "client")]
pub use self::client::{PublicClient, PublicClientBuilder};
pub use self::wire::{PublicContact, PublicContactFields, PublicConversation, PublicInbox};

/// `identifier_hash` for `identifier`: lowercase hex HMAC-SHA256 keyed with the inbox's
/// `hmac_token`, as the server computes it.
///
/// ```
/// use deskwire_chatlake::public::identifier_hash;
/// use deskwire_core::Secret;
/// let hash = identifier_hash(&Secret::new("hmac-token"), "user-42");
/// assert_eq!(hash.len(), 64);
/// ```
pub fn identifier_hash(hmac_token: &Secret, identifier: &str) -> String {
    HmacSha256::new(hmac_token).sign_hex(identifier.as_bytes())
}

impl PublicContactFields {
    /// Sets `identifier` and its `identifier_hash`.
    pub fn signed_identifier(mut self, identifier: impl Into<String>, hmac_token: &Secret) -> Self {
        let identifier = identifier.into();
        self.identifier_hash = Some(identifier_hash(hmac_token, &identifier));
        self.identifier = Some(identifier);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifier_hash_is_hmac_sha256_hex_of_the_identifier() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            identifier_hash(&Secret::new("Jefe"), "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let f = PublicContactFields::default().signed_identifier("what do ya want for nothing?", &Secret::new("Jefe"));
        assert_eq!(f.identifier.as_deref(), Some("what do ya want for nothing?"));
        assert!(f.identifier_hash.unwrap().starts_with("5bdcc146"));
    }
}
