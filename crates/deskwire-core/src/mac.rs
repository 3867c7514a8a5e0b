//! Keyed HMAC signers, built once per secret and cloned per message.
//!
//! HMAC hashes `key ^ ipad` and `key ^ opad` before it sees any message. `hmac::Hmac` keeps the
//! two resulting hash states, so cloning a keyed `Hmac` skips both key blocks: signing a short
//! body then costs the compressions of the body plus one for the outer hash, which is what the
//! `sign/*` benchmarks hold us to.
//!
//! Verification decodes the presented hex (either case) and compares in constant time
//! (`crate::ct`, which folds every byte before a single comparison).

use hmac::{Hmac, Mac};
use sha2::{Sha256, Sha512};

use crate::Secret;

/// Why a presented signature was refused. Deliberately carries no detail about the expected value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The signature is not hexadecimal or has the wrong length for this algorithm.
    #[error("signature is not a hex-encoded {expected_len}-byte MAC")]
    Malformed {
        /// The MAC length in bytes this algorithm produces.
        expected_len: usize,
    },
    /// The signature is well formed but does not match the body.
    #[error("signature does not match the body")]
    Mismatch,
}

macro_rules! keyed_hmac {
    ($(#[$doc:meta])* $name:ident, $digest:ty, $len:expr) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name {
            keyed: Hmac<$digest>,
        }

        impl $name {
            /// Length of the MAC in bytes.
            pub const MAC_LEN: usize = $len;

            /// Runs the HMAC key schedule once for `secret` (used as its raw UTF-8 bytes).
            pub fn new(secret: &Secret) -> Self {
                Self::from_key(secret.expose().as_bytes())
            }

            /// Like [`Self::new`] for a key that is already bytes.
            pub fn from_key(key: &[u8]) -> Self {
                // HMAC accepts keys of any length; this cannot fail.
                let keyed = <Hmac<$digest> as Mac>::new_from_slice(key)
                    .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
                Self { keyed }
            }

            /// The raw MAC of `message`.
            pub fn mac(&self, message: &[u8]) -> [u8; $len] {
                self.mac_parts(&[message])
            }

            /// The raw MAC of the concatenation of `parts`, without concatenating them.
            pub fn mac_parts(&self, parts: &[&[u8]]) -> [u8; $len] {
                let mut mac = self.keyed.clone();
                for part in parts {
                    mac.update(part);
                }
                mac.finalize().into_bytes().into()
            }

            /// The MAC of `message` as lowercase hex.
            pub fn sign_hex(&self, message: &[u8]) -> String {
                const_hex::encode(self.mac(message))
            }

            /// The MAC of the concatenation of `parts` as lowercase hex.
            pub fn sign_hex_parts(&self, parts: &[&[u8]]) -> String {
                const_hex::encode(self.mac_parts(parts))
            }

            /// The lowercase hex MAC of the concatenation of `parts` as a header value (marked
            /// sensitive). The hex is written into a stack array and copied once, into the
            /// value: no intermediate `String` on the signing path.
            pub fn sign_header_parts(&self, parts: &[&[u8]]) -> http::HeaderValue {
                let mut hex = [0u8; 2 * $len];
                hex_into(&self.mac_parts(parts), &mut hex);
                let mut value = http::HeaderValue::from_bytes(&hex)
                    .unwrap_or_else(|_| unreachable!("hex digits are a valid header value"));
                value.set_sensitive(true);
                value
            }

            /// Checks a hex signature (either case) over `message` in constant time.
            pub fn verify_hex(&self, message: &[u8], signature: &str) -> Result<(), SignatureError> {
                self.verify_hex_parts(&[message], signature)
            }

            /// Checks a hex signature over the concatenation of `parts`.
            pub fn verify_hex_parts(&self, parts: &[&[u8]], signature: &str) -> Result<(), SignatureError> {
                let signature = signature.trim();
                let mut presented = [0u8; $len];
                // const_hex would also accept a `0x` prefix, which no provider sends.
                if signature.len() != 2 * $len {
                    return Err(SignatureError::Malformed { expected_len: $len });
                }
                const_hex::decode_to_slice(signature, &mut presented)
                    .map_err(|_| SignatureError::Malformed { expected_len: $len })?;
                // Not `verify_slice`: its comparison puts a barrier on every byte (see `ct`).
                if crate::ct::eq(&self.mac_parts(parts), &presented) {
                    Ok(())
                } else {
                    Err(SignatureError::Mismatch)
                }
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "(***)"))
            }
        }
    };
}

/// Lowercase hex of `bytes` into `out` (twice as long).
fn hex_into(bytes: &[u8], out: &mut [u8]) {
    // The lengths are fixed by the callers; a mismatch would be a bug caught by the tests.
    if const_hex::encode_to_slice(bytes, out).is_err() {
        unreachable!("the output holds two digits per byte");
    }
}

keyed_hmac!(
    /// HMAC-SHA-512 keyed once (Engage Digital's `X-SMCCSDK-SIGNATURE`).
    HmacSha512,
    Sha512,
    64
);
keyed_hmac!(
    /// HMAC-SHA-256 keyed once (Chatwoot-style webhook signatures, identifier hashes).
    HmacSha256,
    Sha256,
    32
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // RFC 4231 test case 2.
    const KEY: &[u8] = b"Jefe";
    const DATA: &[u8] = b"what do ya want for nothing?";

    #[test]
    fn rfc4231_case_2_sha512() {
        assert_eq!(
            HmacSha512::from_key(KEY).sign_hex(DATA),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        );
    }

    #[test]
    fn header_values_carry_the_same_hex_and_are_sensitive() {
        let value = HmacSha512::from_key(KEY).sign_header_parts(&[b"what do ya ", b"want for nothing?"]);
        assert_eq!(value.as_bytes(), HmacSha512::from_key(KEY).sign_hex(DATA).as_bytes());
        assert!(value.is_sensitive());
        let value = HmacSha256::from_key(KEY).sign_header_parts(&[DATA]);
        assert_eq!(
            value.to_str().unwrap(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn rfc4231_case_2_sha256() {
        assert_eq!(
            HmacSha256::from_key(KEY).sign_hex(DATA),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn verify_accepts_either_case_and_surrounding_whitespace() {
        let s = HmacSha256::from_key(KEY);
        let sig = s.sign_hex(DATA);
        assert_eq!(s.verify_hex(DATA, &sig), Ok(()));
        assert_eq!(s.verify_hex(DATA, &sig.to_uppercase()), Ok(()));
        assert_eq!(s.verify_hex(DATA, &format!(" {sig}\n")), Ok(()));
    }

    #[test]
    fn verify_refuses_malformed_and_mismatched() {
        let s = HmacSha512::from_key(KEY);
        let sig = s.sign_hex(DATA);
        assert_eq!(
            s.verify_hex(DATA, "zz"),
            Err(SignatureError::Malformed { expected_len: 64 })
        );
        assert_eq!(
            s.verify_hex(DATA, &sig[..126]),
            Err(SignatureError::Malformed { expected_len: 64 })
        );
        assert_eq!(
            s.verify_hex(DATA, ""),
            Err(SignatureError::Malformed { expected_len: 64 })
        );
        assert_eq!(
            s.verify_hex(DATA, &format!("0x{}", &sig[2..])),
            Err(SignatureError::Malformed { expected_len: 64 }),
            "no 0x prefix"
        );
        assert_eq!(
            s.verify_hex(DATA, &format!("0x{sig}")),
            Err(SignatureError::Malformed { expected_len: 64 })
        );
        assert_eq!(
            s.verify_hex(b"what do ya want for nothing!", &sig),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn parts_equal_concatenation() {
        let s = HmacSha256::from_key(KEY);
        assert_eq!(s.mac_parts(&[b"123", b".", b"{}"]), s.mac(b"123.{}"));
    }

    #[test]
    fn debug_hides_key_state() {
        assert_eq!(format!("{:?}", HmacSha512::from_key(KEY)), "HmacSha512(***)");
    }

    proptest! {
        #[test]
        fn sign_then_verify_round_trips(key in proptest::collection::vec(any::<u8>(), 0..200),
                                        body in proptest::collection::vec(any::<u8>(), 0..600)) {
            let s = HmacSha512::from_key(&key);
            let sig = s.sign_hex(&body);
            prop_assert_eq!(sig.len(), 128);
            prop_assert!(sig.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
            prop_assert_eq!(s.verify_hex(&body, &sig), Ok(()));
        }

        #[test]
        fn any_flipped_bit_fails(body in proptest::collection::vec(any::<u8>(), 1..300), pos in any::<prop::sample::Index>(), bit in 0u8..8) {
            let s = HmacSha512::from_key(b"k");
            let sig = s.sign_hex(&body);
            let mut tampered = body.clone();
            tampered[pos.index(body.len())] ^= 1 << bit;
            prop_assert_eq!(s.verify_hex(&tampered, &sig), Err(SignatureError::Mismatch));
        }

        #[test]
        fn arbitrary_signature_text_never_panics(sig in ".{0,200}") {
            let _ = HmacSha256::from_key(b"k").verify_hex(b"body", &sig);
        }
    }
}
