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
    let author = User::builder()
        .id("666")
        .created_at("06/11/2017")
        .screenname("John Doe")
        .build();
    Message::new("890", "42", author)
        .body("Awesome post !")
        .format(Format::Text)
}

/// How a goal compares two benches.
#[derive(Debug, Clone, Copy)]
pub enum Goal {
    /// `time(subject) / time(reference) <= limit`.
    AtMost(f64),
    /// `time(reference) / time(subject) >= limit` (subject is that many times faster).
    FasterBy(f64),
    /// Throughput of subject is at least `limit` x reference's: `time(reference) / time(subject) >= limit`.
    ThroughputAtLeast(f64),
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
    /// The bench it is compared with.
    pub reference: &'static str,
    /// The goal.
    pub goal: Goal,
}

/// The goals of DESIGN.md's performance table (Engage Digital rows) plus the `ring` peer.
pub const RATIOS: &[Ratio] = &[
    Ratio {
        label: "keyed sign / 3-compression floor",
        subject: "sign/engage-digital/seed-body",
        reference: "floor/sha512-3-blocks",
        goal: Goal::AtMost(1.15),
    },
    Ratio {
        label: "naive sign / keyed sign",
        subject: "sign/engage-digital/seed-body",
        reference: "sign/naive",
        goal: Goal::FasterBy(1.5),
    },
    Ratio {
        label: "encode+sign / keyed sign",
        subject: "encode-sign/messages.create",
        reference: "sign/engage-digital/seed-body",
        goal: Goal::AtMost(1.4),
    },
    Ratio {
        label: "verify 20 MiB / raw SHA-512 throughput",
        subject: "verify/20MiB",
        reference: "verify/sha512-20MiB",
        goal: Goal::ThroughputAtLeast(0.9),
    },
    Ratio {
        label: "keyed sign / ring HMAC-SHA512 (peer)",
        subject: "sign/engage-digital/seed-body",
        reference: "sign/ring",
        goal: Goal::Info,
    },
    Ratio {
        label: "keyed MAC without hex / floor",
        subject: "sign/engage-digital/seed-body-raw",
        reference: "floor/sha512-3-blocks",
        goal: Goal::Info,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_body_is_the_documented_156_bytes() {
        assert_eq!(SEED_BODY.len(), 156);
        // Inner hash: 156 bytes + 0x80 + 16-byte length = 173 bytes -> 2 blocks of 128.
        assert_eq!((SEED_BODY.len() + 1 + 16).div_ceil(128), 2);
    }
}
