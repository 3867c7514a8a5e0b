//! One inbound shape for every provider (in the spirit of svix / Standard Webhooks): a verifier
//! is built once from its secret(s), then `verify(headers, body)` — or `verify_at(headers,
//! body, now)` in tests and replays — checks the **raw bytes** before anything decodes them.
//!
//! * [`Keys`]: one or more secrets keyed once, so a secret can be rotated without dropping
//!   deliveries (every key is tried, each in constant time); an empty secret is refused here,
//!   for every provider ([`EmptySecret`]).
//! * [`Proof`] and [`ProofVerifier`]: the ways a desk without a signing standard proves a
//!   delivery is its own — the secret itself in a header, an HMAC of the body in a header, the
//!   secret echoed in the body, or a check of your own — with one opt-out,
//!   [`ProofVerifier::accept_unauthenticated`].
//! * [`Verify`]: the trait every provider's verifier implements.
//!
//! ```
//! use deskwire_core::verify::{Proof, ProofVerifier};
//! use deskwire_core::Secret;
//! let old = Secret::new("old-secret");
//! let new = Secret::new("new-secret");
//! let verifier = ProofVerifier::new(Proof::hmac_sha256("x-signature", "sha256="), [&new, &old]).unwrap();
//! let mut headers = http::HeaderMap::new();
//! let mac = deskwire_core::mac::HmacSha256::new(&old).sign_hex(b"{}");
//! headers.insert("x-signature", format!("sha256={mac}").parse().unwrap());
//! assert!(verifier.authenticate(&headers, b"{}").is_ok(), "still accepted during rotation");
//! assert!(ProofVerifier::new(Proof::shared_secret("x-secret"), [&Secret::new(" ")]).is_err());
//! ```

use std::sync::Arc;
use std::time::SystemTime;

use http::{HeaderMap, HeaderName, StatusCode};

use crate::mac::{HmacSha256, HmacSha512, SignatureError};
use crate::{InboundRequest, InboundResponse, Secret};

/// A delivery id derived from a body (stable for the same bytes), for test signers.
pub fn delivery_id(body: &[u8]) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(body);
    let hex = const_hex::encode(&digest[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The first value of each of `names` in `headers`, as text (`None` when absent or not
/// visible ASCII): what `headers.get(name)` gives, found in one pass over the headers.
///
/// A lookup by name hashes it first, about 40 ns for a `x-chatwoot-signature`; a pass compares
/// names, and most differ in kind (standard ones) or length at once.
///
/// ```
/// use deskwire_core::verify::header_values;
/// use http::{HeaderMap, HeaderName};
/// let mut headers = HeaderMap::new();
/// headers.insert("content-type", "application/json".parse().unwrap());
/// headers.append("x-signature", "first".parse().unwrap());
/// headers.append("x-signature", "second".parse().unwrap());
/// let [signature, missing] = header_values(&headers, [&HeaderName::from_static("x-signature"), &HeaderName::from_static("x-missing")]);
/// assert_eq!((signature, missing), (Some("first"), None));
/// ```
pub fn header_values<'h, const N: usize>(headers: &'h HeaderMap, names: [&HeaderName; N]) -> [Option<&'h str>; N] {
    let mut found: [Option<&'h http::HeaderValue>; N] = [None; N];
    for (name, value) in headers {
        for (wanted, slot) in names.iter().zip(found.iter_mut()) {
            if slot.is_none() && name == *wanted {
                *slot = Some(value);
            }
        }
    }
    found.map(|value| value.and_then(|v| v.to_str().ok()))
}

/// A verifier refuses to be built on an empty (or blank) secret: it would let anyone in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the secret is empty: a verifier needs the provider's secret (or an explicit accept_unauthenticated())")]
pub struct EmptySecret;

/// A refused delivery says what to answer the desk: `401 Unauthorized` when its origin is not
/// proven (no proof, a wrong signature or secret, a timestamp out of the window), `400 Bad
/// Request` when it is authentic but not a delivery the verifier can read.
///
/// ```
/// use deskwire_core::verify::{Proof, ProofVerifier, Refusal};
/// use deskwire_core::Secret;
/// let verifier = ProofVerifier::new(Proof::shared_secret("x-secret"), [&Secret::new("s")]).unwrap();
/// let error = verifier.authenticate(&http::HeaderMap::new(), b"{}").unwrap_err();
/// assert_eq!(error.status_code(), http::StatusCode::UNAUTHORIZED);
/// ```
pub trait Refusal: std::error::Error {
    /// The status to answer.
    fn status_code(&self) -> StatusCode;

    /// The answer: the status with an empty body (the reason stays in your logs, never in the
    /// answer to whoever sent the request).
    fn inbound_response(&self) -> InboundResponse {
        InboundResponse::empty(self.status_code())
    }
}

/// What a provider's inbound verifier does: check the raw bytes, then decode — and, for tests
/// of your own routes, sign a body exactly as the desk does (svix's `Webhook::sign`).
pub trait Verify {
    /// What a verified delivery decodes to.
    type Verified;
    /// Why a delivery is refused.
    type Error: Refusal;

    /// Verifies a delivery as if it were `now` (for tests and replays).
    fn verify_at(&self, headers: &HeaderMap, body: &[u8], now: SystemTime) -> Result<Self::Verified, Self::Error>;

    /// Verifies a delivery now.
    fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<Self::Verified, Self::Error> {
        self.verify_at(headers, body, SystemTime::now())
    }

    /// The request the desk sends to deliver `body` at `now`, proven with the current secret:
    /// its headers, and its body when the proof travels in it. What this returns, `verify_at`
    /// accepts at the same `now`; a verifier that accepts unauthenticated deliveries adds no
    /// proof.
    fn sign_at(&self, body: &[u8], now: SystemTime) -> InboundRequest;

    /// [`Verify::sign_at`] now.
    fn sign(&self, body: &[u8]) -> InboundRequest {
        self.sign_at(body, SystemTime::now())
    }
}

/// Secrets a verifier accepts, in order: the first is the current one (what a signer uses),
/// the others are still accepted while they are rotated out.
#[derive(Clone)]
pub struct Keys<M> {
    macs: Vec<M>,
    secrets: Vec<Secret>,
}

impl<M> std::fmt::Debug for Keys<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").field("count", &self.macs.len()).finish()
    }
}

macro_rules! keys {
    ($mac:ty) => {
        impl Keys<$mac> {
            /// Keys for `secrets`; at least one, none of them empty.
            pub fn new<'a>(secrets: impl IntoIterator<Item = &'a Secret>) -> Result<Self, EmptySecret> {
                let secrets: Vec<Secret> = secrets.into_iter().cloned().collect();
                if secrets.is_empty() || secrets.iter().any(Secret::is_blank) {
                    return Err(EmptySecret);
                }
                Ok(Self {
                    macs: secrets.iter().map(<$mac>::new).collect(),
                    secrets,
                })
            }

            /// The current key.
            pub fn current(&self) -> &$mac {
                &self.macs[0]
            }

            /// Whether `signature` (hex, either case) is the MAC of `parts` under any key. The
            /// first malformation is reported as such; a well-formed signature no key produced is
            /// [`SignatureError::Mismatch`].
            pub fn verify_hex_parts(&self, parts: &[&[u8]], signature: &str) -> Result<(), SignatureError> {
                self.matching_hex_parts(parts, signature).map(|_| ())
            }

            /// The key whose MAC of `parts` is `signature`: for protocols that answer with a
            /// signature of their own, which must use the key the request was signed with.
            pub fn matching_hex_parts(&self, parts: &[&[u8]], signature: &str) -> Result<&$mac, SignatureError> {
                let mut refusal = SignatureError::Mismatch;
                for mac in &self.macs {
                    match mac.verify_hex_parts(parts, signature) {
                        Ok(()) => return Ok(mac),
                        Err(e) => refusal = e,
                    }
                }
                Err(refusal)
            }

            /// [`Self::verify_hex_parts`] of one message.
            pub fn verify_hex(&self, message: &[u8], signature: &str) -> Result<(), SignatureError> {
                self.verify_hex_parts(&[message], signature)
            }
        }
    };
}

keys!(HmacSha256);
keys!(HmacSha512);

impl<M> Keys<M> {
    /// The current secret (what a signer uses).
    pub fn current_secret(&self) -> &Secret {
        &self.secrets[0]
    }

    /// Whether `presented` equals one of the secrets (constant time per secret).
    pub fn is_secret(&self, presented: &[u8]) -> bool {
        // `|`, not `||`: every secret is compared, whichever matches.
        self.secrets.iter().fold(false, |found, s| found | s.matches(presented))
    }
}

/// A check of your own over a delivery's headers and raw body.
pub type CustomCheck = Arc<dyn Fn(&HeaderMap, &[u8]) -> bool + Send + Sync>;

/// How a delivery proves it comes from the desk.
#[derive(Clone)]
#[non_exhaustive]
pub enum Proof {
    /// The secret itself in a header.
    SharedSecret(HeaderName),
    /// Hex HMAC-SHA256 of the raw body in a header, after a prefix (`"sha256="`, or `""`;
    /// accepted absent too).
    HmacSha256 {
        /// The header.
        header: HeaderName,
        /// What precedes the hex.
        prefix: String,
    },
    /// Hex HMAC-SHA512 of the raw body in a header, after a prefix (Engage Digital's scheme).
    HmacSha512 {
        /// The header.
        header: HeaderName,
        /// What precedes the hex.
        prefix: String,
    },
    /// The secret echoed in the JSON body at this JSON pointer (e.g. `/returnWebhookSecret`).
    SecretInBody(String),
    /// Your own check over the headers and raw body.
    Custom(CustomCheck),
}

impl std::fmt::Debug for Proof {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SharedSecret(h) => write!(f, "SharedSecret({h})"),
            Self::HmacSha256 { header, .. } => write!(f, "HmacSha256({header})"),
            Self::HmacSha512 { header, .. } => write!(f, "HmacSha512({header})"),
            Self::SecretInBody(p) => write!(f, "SecretInBody({p})"),
            Self::Custom(_) => f.write_str("Custom"),
        }
    }
}

fn header_name(name: &str) -> HeaderName {
    // A header name is a programming constant, like a regex literal.
    HeaderName::try_from(name).unwrap_or_else(|_| panic!("`{name}` is not a valid header name"))
}

impl Proof {
    /// [`Proof::SharedSecret`] in `header`.
    ///
    /// # Panics
    /// If `header` is not a valid header name (a programming error).
    pub fn shared_secret(header: &str) -> Self {
        Self::SharedSecret(header_name(header))
    }

    /// [`Proof::HmacSha256`] in `header` after `prefix`.
    ///
    /// # Panics
    /// If `header` is not a valid header name (a programming error).
    pub fn hmac_sha256(header: &str, prefix: impl Into<String>) -> Self {
        Self::HmacSha256 {
            header: header_name(header),
            prefix: prefix.into(),
        }
    }

    /// [`Proof::HmacSha512`] in `header` after `prefix`.
    ///
    /// # Panics
    /// If `header` is not a valid header name (a programming error).
    pub fn hmac_sha512(header: &str, prefix: impl Into<String>) -> Self {
        Self::HmacSha512 {
            header: header_name(header),
            prefix: prefix.into(),
        }
    }

    /// The headers a desk sends with `body` to prove it with `secret` (for tests of your own
    /// routes): the secret itself or the hex MAC of the body after the prefix. A proof in the
    /// body, or a custom one, adds no header.
    ///
    /// ```
    /// use deskwire_core::verify::{Proof, ProofVerifier};
    /// use deskwire_core::Secret;
    /// let secret = Secret::new("k");
    /// let proof = Proof::hmac_sha256("x-signature", "sha256=");
    /// let headers = proof.sign(&secret, b"{}");
    /// assert!(ProofVerifier::new(proof, [&secret]).unwrap().authenticate(&headers, b"{}").is_ok());
    /// ```
    pub fn sign(&self, secret: &Secret, body: &[u8]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let value = match self {
            Self::SharedSecret(name) => Some((name, secret.expose().to_owned())),
            Self::HmacSha256 { header, prefix } => {
                Some((header, format!("{prefix}{}", HmacSha256::new(secret).sign_hex(body))))
            }
            Self::HmacSha512 { header, prefix } => {
                Some((header, format!("{prefix}{}", HmacSha512::new(secret).sign_hex(body))))
            }
            Self::SecretInBody(_) | Self::Custom(_) => None,
        };
        if let Some((name, value)) = value {
            if let Ok(mut value) = http::HeaderValue::from_str(&value) {
                value.set_sensitive(true);
                headers.insert(name.clone(), value);
            }
        }
        headers
    }

    /// [`Proof::Custom`].
    pub fn custom(check: impl Fn(&HeaderMap, &[u8]) -> bool + Send + Sync + 'static) -> Self {
        Self::Custom(Arc::new(check))
    }
}

/// Why a delivery's proof was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The header or body field that carries the proof is absent.
    #[error("the delivery carries no proof: {0} is missing")]
    Missing(String),
    /// The signature is not hex of the MAC's length.
    #[error(transparent)]
    Malformed(SignatureError),
    /// The proof does not match any secret.
    #[error("the delivery's proof does not match the secret")]
    Mismatch,
    /// Your own check said no.
    #[error("the delivery was refused by the custom check")]
    Refused,
    /// The body is not JSON, so the secret it should echo cannot be read.
    #[error("the body is not JSON: {0}")]
    NotJson(String),
}

/// Every proof failure leaves the origin unproven: 401.
impl Refusal for ProofError {
    fn status_code(&self) -> StatusCode {
        StatusCode::UNAUTHORIZED
    }
}

#[derive(Clone, Debug)]
enum Check {
    Proof(Proof, Keys<HmacSha256>, Keys<HmacSha512>),
    Unauthenticated,
}

/// Checks a delivery's [`Proof`] against one or more secrets. Build once, share freely.
#[derive(Clone, Debug)]
pub struct ProofVerifier {
    check: Check,
}

impl ProofVerifier {
    /// A verifier of `proof` with `secrets` (the current one first; older ones still accepted
    /// while they are rotated out). A custom proof needs no secret.
    pub fn new<'a>(proof: Proof, secrets: impl IntoIterator<Item = &'a Secret>) -> Result<Self, EmptySecret> {
        let secrets: Vec<&Secret> = secrets.into_iter().collect();
        let keys = if matches!(proof, Proof::Custom(_)) && secrets.is_empty() {
            let placeholder = Secret::new("custom check: no secret");
            (
                Keys::<HmacSha256>::new([&placeholder])?,
                Keys::<HmacSha512>::new([&placeholder])?,
            )
        } else {
            (
                Keys::<HmacSha256>::new(secrets.iter().copied())?,
                Keys::<HmacSha512>::new(secrets.iter().copied())?,
            )
        };
        Ok(Self {
            check: Check::Proof(proof, keys.0, keys.1),
        })
    }

    /// **Accepts every delivery without any check.** Only behind something else that
    /// authenticates the desk (a private network, a gateway); anyone who knows the URL can
    /// otherwise inject events.
    pub fn accept_unauthenticated() -> Self {
        Self {
            check: Check::Unauthenticated,
        }
    }

    /// Whether this verifier checks anything.
    pub fn is_authenticating(&self) -> bool {
        !matches!(self.check, Check::Unauthenticated)
    }

    /// The JSON pointer of a proof carried in the body, to strip the echoed secret after use.
    pub fn body_pointer(&self) -> Option<&str> {
        match &self.check {
            Check::Proof(Proof::SecretInBody(pointer), ..) => Some(pointer),
            _ => None,
        }
    }

    /// Removes the proof a body carries (`Proof::SecretInBody`) from its decoded JSON, so the
    /// echoed secret is never kept in a delivery (nor printed by its `Debug`). Other proofs
    /// leave the value as it is.
    pub fn strip_proof(&self, value: &mut serde_json::Value) {
        let Some((parent, key)) = self.body_pointer().and_then(split_pointer) else {
            return;
        };
        if let Some(serde_json::Value::Object(map)) = value.pointer_mut(parent) {
            map.remove(&key);
        }
    }

    /// The request a desk sends to deliver `body` with this verifier's proof and current
    /// secret: [`Proof::sign`]'s header, or for [`Proof::SecretInBody`] the secret written into
    /// the body at its pointer (when the body is a JSON object with that parent; otherwise the
    /// body is left as it is, and is refused). A custom check or an unauthenticated verifier
    /// adds nothing.
    ///
    /// ```
    /// use deskwire_core::verify::{Proof, ProofVerifier};
    /// use deskwire_core::Secret;
    /// let verifier = ProofVerifier::new(Proof::SecretInBody("/secret".into()), [&Secret::new("s")]).unwrap();
    /// let request = verifier.sign_request(br#"{"text":"Hi"}"#);
    /// let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    /// assert_eq!(body, serde_json::json!({"text": "Hi", "secret": "s"}));
    /// assert!(verifier.authenticate(&request.headers, &request.body).is_ok());
    /// ```
    pub fn sign_request(&self, body: &[u8]) -> InboundRequest {
        let Check::Proof(proof, keys, _) = &self.check else {
            return InboundRequest::post(body.to_vec());
        };
        let secret = keys.current_secret();
        let mut request = InboundRequest::post(body.to_vec());
        request.headers = proof.sign(secret, body);
        if let Proof::SecretInBody(pointer) = proof {
            if let Some(signed) = with_secret_at(body, pointer, secret) {
                request.body = signed.into();
            }
        }
        request.headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        request
    }

    /// Checks the proof on the raw bytes.
    pub fn authenticate(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), ProofError> {
        let Check::Proof(proof, keys256, keys512) = &self.check else {
            return Ok(());
        };
        let header = |name: &HeaderName| {
            headers
                .get(name)
                .ok_or_else(|| ProofError::Missing(format!("header `{name}`")))
        };
        let hex = |name: &HeaderName, prefix: &str| -> Result<String, ProofError> {
            let value = header(name)?.to_str().map_err(|_| ProofError::Mismatch)?.trim();
            Ok(value.strip_prefix(prefix).unwrap_or(value).to_owned())
        };
        let signature = |e: SignatureError| match e {
            SignatureError::Mismatch => ProofError::Mismatch,
            malformed => ProofError::Malformed(malformed),
        };
        match proof {
            Proof::SharedSecret(name) => keys256
                .is_secret(header(name)?.as_bytes())
                .then_some(())
                .ok_or(ProofError::Mismatch),
            Proof::HmacSha256 { header, prefix } => keys256.verify_hex(body, &hex(header, prefix)?).map_err(signature),
            Proof::HmacSha512 { header, prefix } => keys512.verify_hex(body, &hex(header, prefix)?).map_err(signature),
            Proof::SecretInBody(pointer) => {
                let value: serde_json::Value =
                    serde_json::from_slice(body).map_err(|e| ProofError::NotJson(e.to_string()))?;
                let echoed = value
                    .pointer(pointer)
                    .and_then(serde_json::Value::as_str)
                    .ok_or_else(|| ProofError::Missing(format!("body field `{pointer}`")))?;
                keys256
                    .is_secret(echoed.as_bytes())
                    .then_some(())
                    .ok_or(ProofError::Mismatch)
            }
            Proof::Custom(check) => check(headers, body).then_some(()).ok_or(ProofError::Refused),
        }
    }
}

/// A proof check with nothing to decode: a verified delivery is its raw body (for desks or
/// routes of your own; the provider crates' verifiers decode their payloads).
impl Verify for ProofVerifier {
    type Verified = Vec<u8>;
    type Error = ProofError;

    /// Checks the proof; these deliveries carry no timestamp, so `now` plays no part.
    fn verify_at(&self, headers: &HeaderMap, body: &[u8], _now: SystemTime) -> Result<Vec<u8>, ProofError> {
        self.authenticate(headers, body).map(|()| body.to_vec())
    }

    fn sign_at(&self, body: &[u8], _now: SystemTime) -> InboundRequest {
        self.sign_request(body)
    }
}

/// A JSON pointer's parent and its last key, unescaped (`~1` is `/`, `~0` is `~`).
fn split_pointer(pointer: &str) -> Option<(&str, String)> {
    let (parent, key) = pointer.rsplit_once('/')?;
    Some((parent, key.replace("~1", "/").replace("~0", "~")))
}

/// `body` with `secret` written at the JSON `pointer`, when the pointer's parent is an object.
fn with_secret_at(body: &[u8], pointer: &str, secret: &Secret) -> Option<Vec<u8>> {
    let mut value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let (parent, key) = split_pointer(pointer)?;
    let serde_json::Value::Object(map) = value.pointer_mut(parent)? else {
        return None;
    };
    map.insert(key, serde_json::Value::String(secret.expose().to_owned()));
    serde_json::to_vec(&value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mac::HmacSha256;

    fn headers(name: &str, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(HeaderName::try_from(name).unwrap(), value.parse().unwrap());
        h
    }

    #[test]
    fn what_a_verifier_signs_it_accepts_and_a_stranger_does_not() {
        let (secret, stranger) = (Secret::new("s3cret"), Secret::new("other"));
        let body = br#"{"sessionId":1,"nested":{"text":"hi"}}"#;
        let proofs = || {
            [
                Proof::shared_secret("x-secret"),
                Proof::hmac_sha256("x-sig", "sha256="),
                Proof::hmac_sha512("x-sig", ""),
                Proof::SecretInBody("/secret".into()),
                Proof::SecretInBody("/nested/secret".into()),
            ]
        };
        for (proof, again) in proofs().into_iter().zip(proofs()) {
            let name = format!("{proof:?}");
            let verifier = ProofVerifier::new(proof, [&secret]).unwrap();
            let request = verifier.sign_request(body);
            assert_eq!(request.method, http::Method::POST);
            assert_eq!(request.headers["content-type"], "application/json", "{name}");
            assert_eq!(
                verifier.verify(&request.headers, &request.body),
                Ok(request.body.to_vec()),
                "{name}"
            );
            let forged = ProofVerifier::new(again, [&stranger]).unwrap().sign_request(body);
            assert!(verifier.authenticate(&forged.headers, &forged.body).is_err(), "{name}");
            // The refusal says which status to answer.
            let refusal = verifier.authenticate(&forged.headers, &forged.body).unwrap_err();
            assert_eq!(refusal.status_code(), StatusCode::UNAUTHORIZED);
            assert_eq!(
                refusal.inbound_response(),
                InboundResponse::empty(StatusCode::UNAUTHORIZED)
            );
        }
        // A body proof whose parent is not an object cannot be written: the body stays as it
        // was, and is refused.
        let verifier = ProofVerifier::new(Proof::SecretInBody("/list/secret".into()), [&secret]).unwrap();
        let request = verifier.sign_request(br#"{"list":[1]}"#);
        assert_eq!(&request.body[..], br#"{"list":[1]}"#);
        assert!(verifier.verify(&request.headers, &request.body).is_err());
        // Unauthenticated verifiers add no proof.
        let open = ProofVerifier::accept_unauthenticated().sign_request(body);
        assert!(open.headers.is_empty() && &open.body[..] == body);
    }

    proptest::proptest! {
        /// Hostile input: any header value and body never panic any proof; a signed body
        /// verifies, and for the MAC proofs any changed body byte or signature digit is refused.
        #[test]
        fn hostile_and_near_valid_deliveries(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
            header in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
            at in proptest::prelude::any::<proptest::sample::Index>(),
            flip in 1u8..=255,
        ) {
            let secret = Secret::new("s3cret");
            for proof in [
                Proof::shared_secret("x-proof"),
                Proof::hmac_sha256("x-proof", "sha256="),
                Proof::hmac_sha512("x-proof", ""),
                Proof::SecretInBody("/secret".into()),
            ] {
                let macs = matches!(proof, Proof::HmacSha256 { .. } | Proof::HmacSha512 { .. });
                let verifier = ProofVerifier::new(proof, [&secret]).unwrap();
                // Arbitrary bytes in the proof header (when http accepts them as a value).
                if let Ok(value) = http::HeaderValue::from_bytes(&header) {
                    let mut headers = HeaderMap::new();
                    headers.insert("x-proof", value);
                    let _ = verifier.authenticate(&headers, &body);
                }
                let request = verifier.sign_request(&body);
                if macs {
                    proptest::prop_assert!(verifier.authenticate(&request.headers, &request.body).is_ok());
                    if !body.is_empty() {
                        let mut changed = body.clone();
                        let i = at.index(changed.len());
                        changed[i] ^= flip;
                        proptest::prop_assert!(verifier.authenticate(&request.headers, &changed).is_err());
                    }
                    let signature = request.headers["x-proof"].to_str().unwrap().to_owned();
                    let digits = signature.trim_start_matches("sha256=");
                    let i = signature.len() - digits.len() + at.index(digits.len());
                    let mut forged = signature.into_bytes();
                    forged[i] = if forged[i] == b'0' { b'1' } else { b'0' };
                    let mut headers = request.headers.clone();
                    headers.insert("x-proof", http::HeaderValue::from_bytes(&forged).unwrap());
                    proptest::prop_assert!(verifier.authenticate(&headers, &request.body).is_err());
                }
            }
        }
    }

    #[test]
    fn delivery_ids_are_uuid_shaped_and_stable_per_body() {
        let id = delivery_id(b"{}");
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
        assert_eq!(id.split('-').map(str::len).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
        assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
        assert_eq!(id, delivery_id(b"{}"));
        assert_ne!(id, delivery_id(b"{ }"));
        // The first 16 bytes of SHA-256("{}"), hex.
        assert_eq!(id, "44136fa3-55b3-678a-1146-ad16f7e8649e");
    }

    #[test]
    fn a_secret_listed_twice_still_matches_and_proofs_print_their_place() {
        let same = Secret::new("same");
        let keys = Keys::<HmacSha256>::new([&same, &same]).unwrap();
        assert!(keys.is_secret(b"same"), "every match counts, not an odd number of them");
        assert!(!keys.is_secret(b"other"));
        assert_eq!(
            format!("{:?}", Proof::shared_secret("x-secret")),
            "SharedSecret(x-secret)"
        );
        assert_eq!(
            format!("{:?}", Proof::hmac_sha256("x-sig", "sha256=")),
            "HmacSha256(x-sig)"
        );
        assert_eq!(format!("{:?}", Proof::hmac_sha512("x-sig", "")), "HmacSha512(x-sig)");
        assert_eq!(format!("{:?}", Proof::SecretInBody("/s".into())), "SecretInBody(/s)");
        assert_eq!(format!("{:?}", Proof::custom(|_, _| true)), "Custom");
        assert!(ProofVerifier::new(Proof::shared_secret("x"), [&same])
            .unwrap()
            .is_authenticating());
        assert!(!ProofVerifier::accept_unauthenticated().is_authenticating());
    }

    #[test]
    fn pointers_split_at_the_last_key_unescaped() {
        assert_eq!(split_pointer("/a/b~1c~0d"), Some(("/a", "b/c~d".to_owned())));
        assert_eq!(split_pointer("/secret"), Some(("", "secret".to_owned())));
        assert_eq!(split_pointer("secret"), None);
        let verifier = ProofVerifier::new(Proof::SecretInBody("/a~1b".into()), [&Secret::new("s")]).unwrap();
        let signed = verifier.sign_request(b"{}");
        let mut value: serde_json::Value = serde_json::from_slice(&signed.body).unwrap();
        assert_eq!(value, serde_json::json!({"a/b": "s"}));
        verifier.strip_proof(&mut value);
        assert_eq!(value, serde_json::json!({}));
    }

    #[test]
    fn keys_debug_shows_only_how_many() {
        let keys = Keys::<HmacSha256>::new([&Secret::new("first-secret"), &Secret::new("second")]).unwrap();
        assert_eq!(format!("{keys:?}"), "Keys { count: 2 }");
    }

    #[test]
    fn empty_secrets_are_refused_in_one_place() {
        assert_eq!(Keys::<HmacSha256>::new([]).unwrap_err(), EmptySecret);
        assert_eq!(Keys::<HmacSha256>::new([&Secret::new("")]).unwrap_err(), EmptySecret);
        assert_eq!(
            Keys::<HmacSha512>::new([&Secret::new("a"), &Secret::new("  ")]).unwrap_err(),
            EmptySecret
        );
        assert!(ProofVerifier::new(Proof::shared_secret("x"), []).is_err());
        assert!(ProofVerifier::new(Proof::custom(|_, _| true), []).is_ok());
    }

    #[test]
    fn every_key_is_tried_and_only_keys() {
        let (a, b) = (Secret::new("a"), Secret::new("b"));
        let keys = Keys::<HmacSha256>::new([&a, &b]).unwrap();
        for s in [&a, &b] {
            assert!(keys.verify_hex(b"m", &HmacSha256::new(s).sign_hex(b"m")).is_ok());
        }
        let c = HmacSha256::new(&Secret::new("c")).sign_hex(b"m");
        assert_eq!(keys.verify_hex(b"m", &c), Err(SignatureError::Mismatch));
        assert!(matches!(
            keys.verify_hex(b"m", "zz"),
            Err(SignatureError::Malformed { .. })
        ));
        assert!(keys.is_secret(b"b") && !keys.is_secret(b"c") && !keys.is_secret(b""));
        // The key that verified is the one handed back, so an answer can be signed with it.
        let by_b = HmacSha256::new(&b).sign_hex(b"m");
        let matched = keys.matching_hex_parts(&[b"m"], &by_b).unwrap();
        assert_eq!(matched.sign_hex(b"answer"), HmacSha256::new(&b).sign_hex(b"answer"));
        assert_eq!(keys.current().sign_hex(b"m"), HmacSha256::new(&a).sign_hex(b"m"));
    }

    #[test]
    fn each_proof() {
        let s = Secret::new("s3cret");
        let v = ProofVerifier::new(Proof::shared_secret("x-secret"), [&s]).unwrap();
        assert!(v.authenticate(&headers("x-secret", "s3cret"), b"{}").is_ok());
        assert_eq!(
            v.authenticate(&headers("x-secret", "nope"), b"{}"),
            Err(ProofError::Mismatch)
        );
        assert!(matches!(
            v.authenticate(&HeaderMap::new(), b"{}"),
            Err(ProofError::Missing(_))
        ));

        let mac = HmacSha256::new(&s).sign_hex(b"{}");
        let v = ProofVerifier::new(Proof::hmac_sha256("x-sig", "sha256="), [&s]).unwrap();
        assert!(v
            .authenticate(&headers("x-sig", &format!("sha256={mac}")), b"{}")
            .is_ok());
        assert!(v.authenticate(&headers("x-sig", &mac.to_uppercase()), b"{}").is_ok());
        assert_eq!(
            v.authenticate(&headers("x-sig", &mac), b"{ }"),
            Err(ProofError::Mismatch)
        );

        let v = ProofVerifier::new(Proof::SecretInBody("/secret".into()), [&s]).unwrap();
        assert!(v.authenticate(&HeaderMap::new(), br#"{"secret":"s3cret"}"#).is_ok());
        assert_eq!(
            v.authenticate(&HeaderMap::new(), br#"{"secret":"x"}"#),
            Err(ProofError::Mismatch)
        );
        assert_eq!(v.body_pointer(), Some("/secret"));
        let mut delivery = serde_json::json!({"secret": "s3cret", "text": "hi", "a": {"secret": "kept"}});
        v.strip_proof(&mut delivery);
        assert_eq!(delivery, serde_json::json!({"text": "hi", "a": {"secret": "kept"}}));
        let nested = ProofVerifier::new(Proof::SecretInBody("/auth/to~1ken".into()), [&s]).unwrap();
        let mut delivery = serde_json::json!({"auth": {"to/ken": "s3cret", "user": 1}});
        nested.strip_proof(&mut delivery);
        assert_eq!(delivery, serde_json::json!({"auth": {"user": 1}}));

        let v = ProofVerifier::new(Proof::custom(|h, _| h.contains_key("x-ok")), []).unwrap();
        assert_eq!(v.authenticate(&HeaderMap::new(), b""), Err(ProofError::Refused));
        assert!(ProofVerifier::accept_unauthenticated()
            .authenticate(&HeaderMap::new(), b"")
            .is_ok());
        assert!(!format!("{:?}", ProofVerifier::new(Proof::shared_secret("x"), [&s]).unwrap()).contains("s3cret"));
    }
}
