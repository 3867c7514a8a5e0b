//! Errors of the Chatlake clients: the core [`ClientError`] shape. The server answers errors in
//! three JSON shapes — `{"error": "..."}`, `{"message": "...", "attributes": [...]}` and
//! `{"errors": [...]}` — and rate limits with a plain-text `Retry later`; [`ErrorBody`] reads them
//! all (a refusal's [`ApiError::detail`]) and the raw body is always kept.

use deskwire_core::{ApiError, ClientError, Delivery, ProviderError, ProviderKind, StatusClass};
use serde_json::Value;

/// An error body, by shape.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorBody {
    /// `{"error": "Invalid Access Token"}`: most controller errors.
    Error(String),
    /// `{"message": "Email has already been taken", "attributes": ["email"]}`: model validation.
    Invalid {
        /// Full messages joined with ", ".
        message: String,
        /// The fields at fault.
        attributes: Vec<String>,
    },
    /// `{"errors": ["You need to sign in or sign up before continuing."]}`.
    Errors(Vec<String>),
    /// Other JSON.
    Json(Value),
    /// Not JSON (the 429 `Retry later`, a proxy's HTML page), or empty.
    Text(String),
}

impl ErrorBody {
    /// Reads a body in whichever shape it has.
    pub fn parse(raw: &str) -> Self {
        let Ok(value) = serde_json::from_str::<Value>(raw) else {
            return Self::Text(raw.to_owned());
        };
        let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
        if let Some(obj) = value.as_object() {
            if let Some(Value::String(error)) = obj.get("error") {
                return Self::Error(error.clone());
            }
            if let Some(Value::String(message)) = obj.get("message") {
                let attributes = obj
                    .get("attributes")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().map(text).collect())
                    .unwrap_or_default();
                return Self::Invalid {
                    message: message.clone(),
                    attributes,
                };
            }
            if let Some(Value::Array(errors)) = obj.get("errors") {
                return Self::Errors(errors.iter().map(text).collect());
            }
        }
        Self::Json(value)
    }

    /// The human-readable part.
    pub fn message(&self) -> String {
        match self {
            Self::Error(m) | Self::Text(m) => m.clone(),
            Self::Invalid { message, attributes } if attributes.is_empty() => message.clone(),
            Self::Invalid { message, attributes } => format!("{message} (fields: {})", attributes.join(", ")),
            Self::Errors(errors) => errors.join("; "),
            Self::Json(v) => v.to_string(),
        }
    }
}

/// Chatlake (Chatwoot) as a [`ProviderKind`].
#[derive(Debug)]
pub struct Chatlake;

impl ProviderKind for Chatlake {
    const NAME: &'static str = "Chatlake";
    const KEY: &'static str = "chatlake";
    /// The error body read in whichever of the server's shapes it has.
    type Detail = ErrorBody;
    type Specific = ChatlakeFailure;

    fn hint(class: StatusClass, error: &ApiError<ErrorBody>) -> Option<String> {
        (class == StatusClass::Rejected && error.status == 401).then(|| {
            "a missing, wrong or unauthorised token (Chatlake also answers 401 for actions the token may not do); if a proxy drops headers with underscores, use TokenHeader::Dashed".to_owned()
        })
    }
}

/// Everything that can go wrong calling Chatlake: the core [`ClientError`] shape. A refusal's
/// [`ApiError::detail`] is its body read by shape ([`ErrorBody`]).
pub type Error = ClientError<Chatlake>;

/// Chatlake's own failures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChatlakeFailure {
    /// A 500 from a Client API contact call (create, show, update): almost certainly the
    /// server's identity check. On an inbox with identity validation (`hmac_mandatory`), or
    /// whenever an `identifier_hash` is sent, Chatwoot compares it with the hex HMAC-SHA256 of
    /// the request's `identifier` (an absent one counts as `""`) keyed with the inbox's
    /// `hmac_token`, and a mismatch raises an error no controller rescues, so the answer is a
    /// bare 500 (chatwoot/chatwoot `app/controllers/public/api/v1/inboxes/contacts_controller.rb`,
    /// `process_hmac`, v4.13.0). Never retried: the same hash fails every time.
    #[error("Chatlake answered {0} to a Client API contact call: most likely the identity check failed — give PublicClientBuilder::hmac_token the inbox's hmac_token (not the webhook secret) and pass the contact's identifier; otherwise a server fault")]
    IdentityCheckFailed(ApiError<ErrorBody>),
}

impl ProviderError for ChatlakeFailure {
    fn delivery(&self) -> Delivery {
        match self {
            Self::IdentityCheckFailed(e) => Delivery::of_unexpected_status(e.status),
        }
    }

    fn status(&self) -> Option<u16> {
        match self {
            Self::IdentityCheckFailed(e) => Some(e.status),
        }
    }

    fn is_retryable(&self) -> bool {
        false
    }

    fn attempts(&self) -> u32 {
        match self {
            Self::IdentityCheckFailed(e) => e.attempts,
        }
    }

    fn raw_body(&self) -> Option<&str> {
        match self {
            Self::IdentityCheckFailed(e) => Some(&e.body),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_three_shapes_and_text() {
        assert_eq!(
            ErrorBody::parse(r#"{"error":"Invalid Access Token"}"#),
            ErrorBody::Error("Invalid Access Token".into())
        );
        assert_eq!(
            ErrorBody::parse(r#"{"message":"Email has already been taken","attributes":["email"]}"#),
            ErrorBody::Invalid {
                message: "Email has already been taken".into(),
                attributes: vec!["email".into()]
            }
        );
        assert_eq!(
            ErrorBody::parse(r#"{"errors":["You need to sign in or sign up before continuing."]}"#),
            ErrorBody::Errors(vec!["You need to sign in or sign up before continuing.".into()])
        );
        assert_eq!(
            ErrorBody::parse("Retry later\n"),
            ErrorBody::Text("Retry later\n".into())
        );
        assert_eq!(ErrorBody::parse("[1]"), ErrorBody::Json(serde_json::json!([1])));
    }

    fn api(status: u16, body: &str) -> ApiError<ErrorBody> {
        ApiError {
            status,
            retry_after: (status == 429).then(|| Duration::from_secs(3)),
            body: body.into(),
            detail: ErrorBody::parse(body),
            attempts: 1,
        }
    }

    #[test]
    fn statuses_map_to_the_common_variants() {
        let raw = r#"{"error":"x"}"#;
        for status in [400, 401, 403, 404, 422] {
            assert!(
                matches!(Error::from_api(api(status, raw)), Error::Rejected(_)),
                "{status}"
            );
        }
        assert!(matches!(Error::from_api(api(429, raw)), Error::RateLimited(_)));
        assert!(matches!(Error::from_api(api(408, raw)), Error::Server(_)));
        assert!(matches!(Error::from_api(api(502, raw)), Error::Server(_)));
        assert_eq!(Error::from_api(api(404, raw)).delivery(), Delivery::Rejected);
        assert_eq!(Error::from_api(api(502, raw)).delivery(), Delivery::MaybeDelivered);
        assert_eq!(
            Error::from_api(api(
                422,
                r#"{"message":"Email has already been taken","attributes":["email"]}"#
            ))
            .to_string(),
            r#"Chatlake refused the request (HTTP 422: {"message":"Email has already been taken","attributes":["email"]})"#
        );
        assert!(Error::from_api(api(401, raw))
            .to_string()
            .contains("TokenHeader::Dashed"));
        assert_eq!(
            Error::from_api(api(429, "Retry later")).to_string(),
            "Chatlake rate limited the request (HTTP 429: Retry later); nothing was done, retry in 3 s"
        );
    }
}
