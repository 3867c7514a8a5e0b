//! Inputs shared by the criterion benches in `benches/`, and the goals `cargo xtask bench`
//! checks, so both read one definition.

use deskwire_engage_digital::wire::{Format, Message, User};

/// The Send API example token.
pub const KEY: &[u8] = b"56e79ea426735090665b1c107c757d6d3a692c061335e4728899af27f215edf3";

/// The complete example's content (`Nice post!`, slashes unescaped): 156 bytes. The inner hash
/// covers it in two SHA-512 blocks and the outer hash needs one more, hence the
/// three-compression floor.
pub const SEED_BODY: &[u8] = br#"{"action":"messages.create","params":{"id":"890","author":{"id":"42","created_at":"06/11/2017","screenname":"Alice"},"body":"Nice post!","thread_id":"888"}}"#;

/// Size of the large-body verification bench: the Send API's 20 MiB limit.
pub const LARGE_BODY_BYTES: usize = 20 * 1024 * 1024;

/// The typed `messages.create` of the docs' request example.
pub fn seed_message() -> Message {
    let author = User::new("666", "John Doe", "06/11/2017");
    Message::new("890", "42", author)
        .body("Awesome post !")
        .format(Format::Text)
}

/// Size of the Chatlake webhook body benched by `verify/chatlake-webhook-1KiB`.
pub const WEBHOOK_BODY_BYTES: usize = 1024;

/// Timestamp of the benched Chatlake delivery: ten digits, so the signed text is
/// `10 + 1 + 1024` bytes.
pub const WEBHOOK_TIMESTAMP: &str = "1763706087";

/// SHA-256 compressions an HMAC of the Chatlake delivery needs once the key's inner and outer
/// states are precomputed: the 1,035 signed bytes plus at least 9 bytes of padding fill 17
/// 64-byte blocks; the outer hash of the 32-byte inner digest takes one more.
pub const WEBHOOK_FLOOR_BLOCKS: usize = (WEBHOOK_TIMESTAMP.len() + 1 + WEBHOOK_BODY_BYTES + 9).div_ceil(64) + 1;

/// A 1 KiB `message_created`-like JSON body.
pub fn webhook_body() -> Vec<u8> {
    let head = br#"{"event":"message_created","id":123,"message_type":"outgoing","private":false,"content":""#;
    let tail = br#""}"#;
    let mut body = head.to_vec();
    body.resize(WEBHOOK_BODY_BYTES - tail.len(), b'a');
    body.extend_from_slice(tail);
    body
}

/// The token of the docs' `implementation.info` vector (Engage Digital's signature docs).
pub const DOCS_TOKEN: &str = "3YJZzqMJ5Ec7i2JGvnt8TgvleD7dtpwpmag4S6MuRA2GQdfvV4STIsxDRJ4fEjO8";

/// The docs' `implementation.info` request body, as Engage Digital sends it.
pub const INFO_BODY: &[u8] = br#"{"action":"implementation.info","time":"2012-10-01T17:18:40Z"}"#;

/// Bytes whose SHA-512 digest takes exactly three compressions (240 to 367 bytes pad to three
/// 128-byte blocks): what a whole-message hash API such as ring's costs for the floor.
pub const SHA512_3_BLOCK_MESSAGE: usize = 3 * 128 - 17;

/// Bytes whose SHA-256 digest takes exactly [`WEBHOOK_FLOOR_BLOCKS`] compressions.
pub const SHA256_FLOOR_MESSAGE: usize = WEBHOOK_FLOOR_BLOCKS * 64 - 9;

/// How a goal compares two benches.
#[derive(Debug, Clone, Copy)]
pub enum Goal {
    /// `time(subject) / time(reference) <= limit`.
    AtMost(f64),
    /// `time(reference) / time(subject) >= limit` (subject is that many times faster).
    FasterBy(f64),
    /// Throughput of subject is at least `limit` x reference's: `time(reference) / time(subject) >= limit`.
    ThroughputAtLeast(f64),
    /// What the subject adds to the reference, as a share of the reference:
    /// `time(subject) / time(reference) - 1 <= limit`.
    OverheadAtMost(f64),
    /// Reported for comparison, no goal.
    Info,
}

/// One line of the `cargo xtask bench` table: criterion ids `group/function`.
#[derive(Debug, Clone, Copy)]
pub struct Ratio {
    /// What the line shows.
    pub label: &'static str,
    /// The measured bench.
    pub subject: &'static str,
    /// The benches it is compared with: the fastest of them in the same round (a floor measured
    /// several ways is only as honest as its fastest way).
    pub reference: &'static [&'static str],
    /// The goal.
    pub goal: Goal,
}

/// The fastest SHA-512 compression of three blocks on this machine, measured three ways.
pub const SHA512_FLOORS: &[&str] = &[
    "floor/sha512-3-blocks",
    "floor/sha512-3-blocks-asm",
    "floor/sha512-3-blocks-ring",
];
/// The fastest SHA-256 compression of the webhook's 18 blocks, measured three ways.
pub const SHA256_FLOORS: &[&str] = &[
    "floor/sha256-18-blocks",
    "floor/sha256-18-blocks-asm",
    "floor/sha256-18-blocks-ring",
];

/// The goals: DESIGN.md's performance table, the signing-at-the-machine's-limit goals, and the
/// inbound path end to end.
pub const RATIOS: &[Ratio] = &[
    Ratio {
        label: "keyed sign / fastest SHA-512 floor",
        subject: "sign/engage-digital/seed-body",
        reference: SHA512_FLOORS,
        goal: Goal::AtMost(1.15),
    },
    Ratio {
        label: "keyed sign / ring HMAC-SHA512 (peer)",
        subject: "sign/engage-digital/seed-body",
        reference: &["sign/ring"],
        goal: Goal::AtMost(1.05),
    },
    Ratio {
        label: "hex step / keyed MAC",
        subject: "sign/engage-digital/seed-body",
        reference: &["sign/engage-digital/seed-body-raw"],
        goal: Goal::OverheadAtMost(0.10),
    },
    Ratio {
        label: "naive sign / keyed sign",
        subject: "sign/engage-digital/seed-body",
        reference: &["sign/naive"],
        goal: Goal::FasterBy(1.5),
    },
    Ratio {
        label: "encode+sign / keyed sign",
        subject: "encode-sign/messages.create",
        reference: &["sign/engage-digital/seed-body"],
        goal: Goal::AtMost(1.4),
    },
    Ratio {
        label: "verify 20 MiB / raw SHA-512 throughput",
        subject: "verify/20MiB",
        reference: &["verify/sha512-20MiB"],
        goal: Goal::ThroughputAtLeast(0.9),
    },
    Ratio {
        label: "chatlake webhook verify / fastest SHA-256 floor",
        subject: "verify/chatlake-webhook-1KiB",
        reference: SHA256_FLOORS,
        goal: Goal::AtMost(1.15),
    },
    Ratio {
        label: "ED endpoint implementation.info / verify+sign",
        subject: "inbound/engage-digital-implementation-info",
        reference: &["inbound/engage-digital-verify+sign"],
        goal: Goal::AtMost(1.5),
    },
    Ratio {
        label: "chatlake verify+decode 1 KiB / verify",
        subject: "inbound/chatlake-verify+decode-1KiB",
        reference: &["verify/chatlake-webhook-1KiB"],
        goal: Goal::AtMost(2.0),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_body_is_1kib_of_json_and_needs_18_compressions() {
        let body = webhook_body();
        assert_eq!(body.len(), 1024);
        assert!(serde_json_free_check(&body));
        assert_eq!(WEBHOOK_FLOOR_BLOCKS, 18);
    }

    /// Balanced braces and quotes: enough to know the body is one JSON object.
    fn serde_json_free_check(body: &[u8]) -> bool {
        body.first() == Some(&b'{')
            && body.last() == Some(&b'}')
            && body.iter().filter(|b| **b == b'"').count() % 2 == 0
    }

    #[test]
    fn seed_body_is_the_documented_156_bytes() {
        assert_eq!(SEED_BODY.len(), 156);
        // Inner hash: 156 bytes + 0x80 + 16-byte length = 173 bytes -> 2 blocks of 128.
        assert_eq!((SEED_BODY.len() + 1 + 16).div_ceil(128), 2);
    }
}
