//! What both test files share: the app's secrets and the signers they build.

use deskwire_chatlake::inbound::WebhookVerifier;
use deskwire_core::Secret;
use deskwire_example_inbound::Secrets;

pub fn secrets() -> Secrets {
    Secrets {
        engage_digital: Secret::new("ed-token"),
        chatwoot: Secret::new("whsec-chatwoot"),
        rake_direct: Secret::new("rake-hook-secret"),
        directly: Secret::new("connector-secret"),
    }
}

/// Chatwoot's signer: the verifier the app's webhook secret builds, used to sign.
pub fn chatwoot() -> WebhookVerifier {
    WebhookVerifier::new(&secrets().chatwoot).unwrap()
}
