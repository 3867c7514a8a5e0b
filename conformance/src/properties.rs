//! Property checks shared by every provider's cases: signatures catch any flipped bit, and
//! decoders survive truncated and mutated input.

use std::panic::{catch_unwind, AssertUnwindSafe};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Every single-bit change of `body` must fail `verify`.
pub fn every_bit_flip_fails(body: &[u8], verify: impl Fn(&[u8]) -> bool) -> Result<(), String> {
    if !verify(body) {
        return Err("the untouched body does not verify".into());
    }
    let mut tampered = body.to_vec();
    for i in 0..body.len() {
        for bit in 0..8 {
            tampered[i] ^= 1 << bit;
            if verify(&tampered) {
                return Err(format!("flipping bit {bit} of byte {i} still verifies"));
            }
            tampered[i] ^= 1 << bit;
        }
    }
    Ok(())
}

/// `decode` must not panic on any prefix of `body`, nor on 256 deterministic random mutations.
pub fn decoder_survives<R>(body: &[u8], decode: impl Fn(&[u8]) -> R) -> Result<(), String> {
    for end in 0..=body.len() {
        if catch_unwind(AssertUnwindSafe(|| decode(&body[..end]))).is_err() {
            return Err(format!("decoder panicked on the first {end} bytes"));
        }
    }
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: 256,
            failure_persistence: None,
            ..Config::default()
        },
        proptest::test_runner::TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
    );
    let len = body.len().max(1);
    let mutations = proptest::collection::vec((0..len, any::<u8>()), 1..8);
    runner
        .run(&mutations, |muts| {
            let mut mutated = body.to_vec();
            for (i, b) in muts {
                if let Some(slot) = mutated.get_mut(i) {
                    *slot = b;
                }
            }
            decode(&mutated);
            Ok(())
        })
        .map_err(|e| format!("decoder failed on a mutated body: {e}"))
}
