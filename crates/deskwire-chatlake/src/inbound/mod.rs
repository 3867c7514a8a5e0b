//! Webhooks: the API inbox's `webhook_url` and account webhooks.
//!
//! [`WebhookVerifier`] is built once per secret (the webhook's or API inbox's `secret`, not the
//! inbox `hmac_token`). It checks, on the **raw body bytes**:
//!
//! * `X-Chatwoot-Signature: sha256=<hex>` = HMAC-SHA256(secret, `"{X-Chatwoot-Timestamp}.{body}"`),
//!   compared in constant time. Signing the body alone (a common sender mistake) is reported as
//!   [`WebhookError::SignedWithoutTimestamp`];
//! * the timestamp against a tolerance window (default 300 s either way), overflow-safe for any
//!   value;
//!
//! then decodes the [`WebhookEvent`] and exposes `X-Chatwoot-Delivery` (constant across
//! retries) for de-duplication.
//!
//! Which servers sign (chatwoot/chatwoot `app/listeners/webhook_listener.rb` and
//! `agent_bot_listener.rb` at the release tags):
//!
//! * account webhooks from **4.12.0** (PR #13573). 4.11.2 is split: its tag (on the merge into
//!   `develop`) signs, the release merge on `master` does not, so a 4.11.2 server may or may not;
//! * the API inbox's `webhook_url` and agent-bot webhooks from **4.13.0** (PR #13892), with
//!   their own `secret` (not the inbox `hmac_token`);
//! * nothing is signed when the webhook has no secret.
//!
//! Older servers send no signature headers; accept those only through
//! [`WebhookVerifier::accept_unauthenticated`] — and then protect the URL some other way (a secret
//! path, an IP allow-list).
//!
//! The recipe is Chatwoot's own: `lib/webhooks/trigger.rb` (chatwoot/chatwoot, identical at
//! v4.12.0 `b6b85626` and v4.13.0 `88ffa329`) signs `"#{timestamp}.#{body}"` with the secret
//! and sends lowercase hex; the conformance suite replays vectors computed by that expression
//! in Ruby (`conformance/vectors/chatlake/chatwoot.json`).

mod event;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use deskwire_core::json::Extra;
use deskwire_core::mac::{HmacSha256, SignatureError};
pub use deskwire_core::verify::EmptySecret;
use deskwire_core::verify::{header_values, Keys, Refusal, Verify};
use deskwire_core::{InboundRequest, Secret};
use http::{HeaderMap, HeaderName, StatusCode};

pub use self::event::{
    changes, Change, ContactEvent, ConversationEvent, EchoFilter, InboxEvent, MessageEvent, NamedRef, Skip,
    TypingEvent, WebhookEvent, WebwidgetEvent,
};

/// The signature header.
pub const SIGNATURE_HEADER: &str = "x-chatwoot-signature";
/// The timestamp header (unix seconds).
pub const TIMESTAMP_HEADER: &str = "x-chatwoot-timestamp";
/// The delivery id header (a UUID, the same across retries).
pub const DELIVERY_HEADER: &str = "x-chatwoot-delivery";
/// Default tolerance between the timestamp and now, either way.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// Why a delivery was refused. Each bad case has its own variant; none reveals the expected
/// signature.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// A required header is absent.
    #[error("the `{0}` header is missing; Chatwoot signs account webhooks from 4.12.0 and API-inbox and agent-bot webhooks from 4.13.0, and only when the webhook has a secret (older servers: WebhookVerifier::accept_unauthenticated)")]
    MissingHeader(&'static str),
    /// The signature is not `sha256=` and 64 hex digits.
    #[error("the signature header is not `sha256=<64 hex digits>`")]
    MalformedSignature,
    /// The timestamp is not unix seconds.
    #[error("the timestamp header is not unix seconds")]
    MalformedTimestamp,
    /// The signature does not match: a wrong secret, or a body changed on the way.
    #[error("the signature does not match the timestamp and body")]
    Mismatch,
    /// The signature is the HMAC of the body alone: the sender forgot the `"{timestamp}."`
    /// prefix. Refused all the same (a replayed body could not be told apart).
    #[error("the body was signed without the timestamp; sign \"{{timestamp}}.{{body}}\"")]
    SignedWithoutTimestamp,
    /// Authentic but older than the tolerance: a replay, or a very late delivery.
    #[error("the delivery is {age_secs} s old, more than the {tolerance_secs} s allowed")]
    Stale {
        /// Seconds behind now.
        age_secs: u128,
        /// The tolerance.
        tolerance_secs: u64,
    },
    /// Authentic but dated in the future beyond the tolerance (clock skew).
    #[error("the delivery is dated {ahead_secs} s in the future, more than the {tolerance_secs} s allowed")]
    FromTheFuture {
        /// Seconds ahead of now.
        ahead_secs: u128,
        /// The tolerance.
        tolerance_secs: u64,
    },
    /// Authentic (or accepted unsigned) but not a webhook payload.
    #[error("the payload cannot be read: {reason}")]
    Payload {
        /// Why.
        reason: String,
        /// The JSON object, when it was one (without `event`); credentials hidden from `Debug`.
        payload: Option<Extra>,
    },
}

/// 400 for an authentic delivery that is not a webhook payload; 401 for everything else (the
/// origin or the time is not proven).
impl Refusal for WebhookError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Payload { .. } => StatusCode::BAD_REQUEST,
            _ => StatusCode::UNAUTHORIZED,
        }
    }
}

/// A verified delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookDelivery {
    /// The event.
    pub event: WebhookEvent,
    /// `X-Chatwoot-Delivery`, for de-duplication.
    pub delivery_id: Option<String>,
    /// `X-Chatwoot-Timestamp`, when signed.
    pub timestamp: Option<u64>,
    /// Whether the signature was checked (false only with [`WebhookVerifier::accept_unauthenticated`]).
    pub signed: bool,
}

#[derive(Clone)]
enum Mode {
    Signed(Keys<HmacSha256>),
    Unsigned,
}

/// Verifies webhook deliveries. Build once from the webhook's secret (or several, while one is
/// rotated out); cheap to clone and share. [`Verify::verify`] checks now,
/// [`Verify::verify_at`] at a given time (tests and replays).
///
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use deskwire_chatlake::inbound::{WebhookEvent, WebhookVerifier};
/// use deskwire_core::verify::Verify;
/// use deskwire_core::{mac::HmacSha256, Secret};
///
/// let secret = Secret::new("whsec-example");
/// let verifier = WebhookVerifier::new(&secret).unwrap();
/// let body = br#"{"event":"conversation_typing_on","is_private":false}"#;
/// let signature = HmacSha256::new(&secret).sign_hex(&[&b"1763706087."[..], body].concat());
/// let mut headers = http::HeaderMap::new();
/// headers.insert("x-chatwoot-signature", format!("sha256={signature}").parse().unwrap());
/// headers.insert("x-chatwoot-timestamp", "1763706087".parse().unwrap());
/// let now = UNIX_EPOCH + Duration::from_secs(1_763_706_100);
/// let delivery = verifier.verify_at(&headers, body, now).unwrap();
/// assert!(matches!(delivery.event, WebhookEvent::ConversationTypingOn(_)));
/// ```
#[derive(Clone)]
pub struct WebhookVerifier {
    mode: Mode,
    tolerance: Duration,
}

impl std::fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field("signed", &matches!(self.mode, Mode::Signed(_)))
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

impl WebhookVerifier {
    /// Verifies signatures made with `secret`; an empty secret is refused.
    pub fn new(secret: &Secret) -> Result<Self, EmptySecret> {
        Self::with_secrets([secret])
    }

    /// Verifies signatures made with any of `secrets` (the current one first), so a webhook's
    /// secret can be reset without dropping the deliveries signed with the old one.
    pub fn with_secrets<'a>(secrets: impl IntoIterator<Item = &'a Secret>) -> Result<Self, EmptySecret> {
        Ok(Self {
            mode: Mode::Signed(Keys::<HmacSha256>::new(secrets)?),
            tolerance: DEFAULT_TOLERANCE,
        })
    }

    /// **Opt-out**: accepts deliveries without checking any signature, for servers that do not
    /// sign. Anyone who knows the URL can then post events; protect it some other way.
    pub fn accept_unauthenticated() -> Self {
        Self {
            mode: Mode::Unsigned,
            tolerance: DEFAULT_TOLERANCE,
        }
    }

    /// Allowed distance between the timestamp and now, either way (default 300 s).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Checks signature and time only, without decoding; the signed timestamp on success
    /// (`None` when accepting unsigned deliveries).
    pub fn authenticate_at(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Option<u64>, WebhookError> {
        let [signature, timestamp] = header_values(headers, [&SIGNATURE_NAME, &TIMESTAMP_NAME]);
        self.authenticate_found(signature, timestamp, body, now)
    }

    fn authenticate_found(
        &self,
        signature: Option<&str>,
        timestamp: Option<&str>,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Option<u64>, WebhookError> {
        let Mode::Signed(keys) = &self.mode else {
            return Ok(None);
        };
        let signature = signature.ok_or(WebhookError::MissingHeader(SIGNATURE_HEADER))?;
        let timestamp_text = timestamp.ok_or(WebhookError::MissingHeader(TIMESTAMP_HEADER))?;
        let hex = signature
            .trim()
            .strip_prefix("sha256=")
            .ok_or(WebhookError::MalformedSignature)?;
        let timestamp = parse_timestamp(timestamp_text)?;
        match keys.verify_hex_parts(&[timestamp_text.as_bytes(), b".", body], hex) {
            Ok(()) => {}
            Err(SignatureError::Malformed { .. }) => return Err(WebhookError::MalformedSignature),
            Err(_) => {
                // A well-formed signature no key produced. Only a holder of a secret can produce
                // the body-only MAC, so naming that mistake reveals nothing to a forger.
                return Err(match keys.verify_hex(body, hex) {
                    Ok(()) => WebhookError::SignedWithoutTimestamp,
                    Err(_) => WebhookError::Mismatch,
                });
            }
        }
        self.check_window(timestamp, now)?;
        Ok(Some(timestamp))
    }

    fn check_window(&self, timestamp: u64, now: SystemTime) -> Result<(), WebhookError> {
        // i128 holds any u64 timestamp and any SystemTime in seconds: no overflow either way.
        let now = match now.duration_since(UNIX_EPOCH) {
            Ok(d) => i128::from(d.as_secs()),
            Err(before) => -i128::from(before.duration().as_secs()),
        };
        let delta = now - i128::from(timestamp);
        let tolerance_secs = self.tolerance.as_secs();
        if delta > i128::from(tolerance_secs) {
            return Err(WebhookError::Stale {
                age_secs: delta.unsigned_abs(),
                tolerance_secs,
            });
        }
        if -delta > i128::from(tolerance_secs) {
            return Err(WebhookError::FromTheFuture {
                ahead_secs: delta.unsigned_abs(),
                tolerance_secs,
            });
        }
        Ok(())
    }
}

impl Verify for WebhookVerifier {
    type Verified = WebhookDelivery;
    type Error = WebhookError;

    /// The request Chatwoot sends for `body` at `now`, as `Webhooks::Trigger#request_headers`
    /// builds it (chatwoot/chatwoot `lib/webhooks/trigger.rb`, v4.13.0): `Content-Type` and
    /// `Accept: application/json`, an `X-Chatwoot-Delivery` id (here derived from the body, so a
    /// test is repeatable; Chatwoot draws a new one per target) and, when the verifier has a
    /// secret, `X-Chatwoot-Timestamp` with `X-Chatwoot-Signature: sha256=<hex HMAC-SHA256 of
    /// "{timestamp}.{body}">` made with the current secret. The conformance suite checks the
    /// recipe against vectors Chatwoot's own expression produced.
    ///
    /// ```
    /// use deskwire_chatlake::inbound::WebhookVerifier;
    /// use deskwire_core::verify::Verify;
    /// use deskwire_core::Secret;
    ///
    /// let verifier = WebhookVerifier::new(&Secret::new("whsec")).unwrap();
    /// let request = verifier.sign(br#"{"event":"conversation_typing_on","is_private":false}"#);
    /// assert!(request.headers["x-chatwoot-signature"].to_str().unwrap().starts_with("sha256="));
    /// assert!(verifier.verify(&request.headers, &request.body).is_ok());
    /// ```
    fn sign_at(&self, body: &[u8], now: SystemTime) -> InboundRequest {
        let mut request = InboundRequest::post(body.to_vec())
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .header(DELIVERY_HEADER, &deskwire_core::verify::delivery_id(body));
        if let Mode::Signed(keys) = &self.mode {
            let timestamp = now
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or_default()
                .to_string();
            let mac = keys.current().sign_hex_parts(&[timestamp.as_bytes(), b".", body]);
            request = request
                .header(TIMESTAMP_HEADER, &timestamp)
                .header(SIGNATURE_HEADER, &format!("sha256={mac}"));
        }
        request
    }

    /// Verifies a delivery as if it were `now` (for tests and replays).
    fn verify_at(&self, headers: &HeaderMap, body: &[u8], now: SystemTime) -> Result<WebhookDelivery, WebhookError> {
        let [signature, timestamp, delivery] =
            header_values(headers, [&SIGNATURE_NAME, &TIMESTAMP_NAME, &DELIVERY_NAME]);
        let timestamp = self.authenticate_found(signature, timestamp, body, now)?;
        Ok(WebhookDelivery {
            event: WebhookEvent::from_json(body)?,
            delivery_id: delivery.map(str::to_owned),
            timestamp,
            signed: matches!(self.mode, Mode::Signed(_)),
        })
    }
}

// Prebuilt names, found in one pass ([`header_values`]): looking a header up by `&str` parses
// and lowercases the name every time, and a lookup by name hashes it.
static SIGNATURE_NAME: HeaderName = HeaderName::from_static(SIGNATURE_HEADER);
static TIMESTAMP_NAME: HeaderName = HeaderName::from_static(TIMESTAMP_HEADER);
static DELIVERY_NAME: HeaderName = HeaderName::from_static(DELIVERY_HEADER);

/// Unix seconds: ASCII digits only (no sign, space or point, which `u64::from_str` would partly
/// accept) that fit a `u64` (so no more than 20; `parse` refuses an empty or longer text).
fn parse_timestamp(text: &str) -> Result<u64, WebhookError> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(WebhookError::MalformedTimestamp);
    }
    text.parse().map_err(|_| WebhookError::MalformedTimestamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("0"), Ok(0));
        assert_eq!(parse_timestamp("18446744073709551615"), Ok(u64::MAX));
        for bad in [
            "",
            "-1",
            "+1",
            "1.5",
            " 1",
            "18446744073709551616",
            "999999999999999999999",
        ] {
            assert_eq!(parse_timestamp(bad), Err(WebhookError::MalformedTimestamp), "{bad}");
        }
    }

    #[test]
    fn window_is_overflow_safe() {
        let v = WebhookVerifier::new(&Secret::new("s")).unwrap();
        let now = UNIX_EPOCH + Duration::from_secs(1_000);
        assert!(v.check_window(1_000, now).is_ok());
        assert!(v.check_window(700, now).is_ok());
        assert!(matches!(
            v.check_window(699, now),
            Err(WebhookError::Stale { age_secs: 301, .. })
        ));
        assert!(matches!(
            v.check_window(1_301, now),
            Err(WebhookError::FromTheFuture { ahead_secs: 301, .. })
        ));
        assert!(matches!(
            v.check_window(u64::MAX, now),
            Err(WebhookError::FromTheFuture { .. })
        ));
        let far = UNIX_EPOCH
            .checked_add(Duration::from_secs(i64::MAX as u64))
            .unwrap_or(UNIX_EPOCH + Duration::from_secs(u64::from(u32::MAX)));
        assert!(matches!(v.check_window(0, far), Err(WebhookError::Stale { .. })));
        let before_epoch = UNIX_EPOCH - Duration::from_secs(10);
        assert!(matches!(
            v.check_window(u64::MAX, before_epoch),
            Err(WebhookError::FromTheFuture { .. })
        ));
    }
}
