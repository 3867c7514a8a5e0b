//! A pure retry policy: given what happened to an attempt, decide whether and when to try again.
//!
//! The policy never sleeps and never draws random numbers itself ([`RetryPolicy::decide`] takes
//! the jitter as an argument), so every rule is unit-tested case by case. Clients call
//! [`RetryPolicy::decide_with_random_jitter`].
//!
//! Rules, in order:
//! 1. no more attempts than `max_attempts` (the first try counts);
//! 2. a request that never left the machine (connect failure) is always safe to retry;
//! 3. `429` was refused unprocessed, so it is retried, after `Retry-After` when the provider
//!    gave one (and `Stop` when that is longer than `max_retry_after`);
//! 4. a failure after which the provider may have acted (timeout, broken connection, `408`,
//!    `500`, `502`, `503`, `504`) is retried only for [`Repeat::Safe`] requests — ones the
//!    provider de-duplicates or that change nothing;
//! 5. anything else stops.
//!
//! Delays are capped exponential backoff with "equal jitter": half the delay is fixed, the other
//! half is scaled by the jitter in `[0, 1)`.

use std::time::Duration;

use crate::error::TransportErrorKind;

/// What happened to one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The provider answered with this HTTP status.
    Status(u16),
    /// The request failed below HTTP.
    Transport(TransportErrorKind),
}

/// Whether repeating the request could duplicate its effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// Repeating is harmless (the provider de-duplicates by a client-supplied id, or the
    /// request changes nothing).
    Safe,
    /// Repeat only when the request provably never reached the provider.
    OnlyIfNotSent,
}

/// The policy's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Give up and return the last error.
    Stop,
    /// Try again after this delay.
    RetryAfter(Duration),
}

/// Capped exponential backoff with jitter. See the module docs for the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts including the first; `1` disables retries.
    pub max_attempts: u32,
    /// Delay before the second attempt (before jitter).
    pub base_delay: Duration,
    /// Upper bound of any computed delay.
    pub max_delay: Duration,
    /// A `Retry-After` longer than this stops instead of waiting.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// Three attempts, 250 ms base, 5 s cap, waits up to 30 s for `Retry-After`.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn never() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Decides after attempt number `attempt` (1 for the first try) ended with `outcome`.
    ///
    /// `jitter` is a number in `[0, 1)`; values outside are clamped.
    pub fn decide(
        &self,
        attempt: u32,
        outcome: Outcome,
        retry_after: Option<Duration>,
        repeat: Repeat,
        jitter: f64,
    ) -> Decision {
        if attempt >= self.max_attempts {
            return Decision::Stop;
        }
        let may_have_acted = match outcome {
            Outcome::Transport(TransportErrorKind::Connect) => false,
            Outcome::Transport(TransportErrorKind::Build) => return Decision::Stop,
            Outcome::Transport(TransportErrorKind::Timeout | TransportErrorKind::Interrupted) => true,
            // Refused unprocessed: safe to repeat whatever the request.
            Outcome::Status(429) => false,
            Outcome::Status(408 | 500 | 502 | 503 | 504) => true,
            Outcome::Status(_) => return Decision::Stop,
        };
        if may_have_acted && repeat == Repeat::OnlyIfNotSent {
            return Decision::Stop;
        }
        match retry_after {
            Some(wait) if wait > self.max_retry_after => Decision::Stop,
            Some(wait) => Decision::RetryAfter(wait),
            None => Decision::RetryAfter(self.backoff(attempt, jitter)),
        }
    }

    /// [`Self::decide`] with a jitter drawn from a fast non-cryptographic generator.
    #[cfg(feature = "client")]
    pub fn decide_with_random_jitter(
        &self,
        attempt: u32,
        outcome: Outcome,
        retry_after: Option<Duration>,
        repeat: Repeat,
    ) -> Decision {
        self.decide(attempt, outcome, retry_after, repeat, fastrand::f64())
    }

    /// The delay after attempt `attempt`: `min(max_delay, base * 2^(attempt-1))`, half of it
    /// scaled by `jitter`.
    pub fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let exp = attempt.saturating_sub(1).min(31);
        let full = self.base_delay.saturating_mul(1u32 << exp).min(self.max_delay);
        let half = full / 2;
        half + half.mul_f64(jitter.clamp(0.0, 1.0))
    }
}

/// What one attempt reports to `drive`: how it ended, the server's `Retry-After`, the result.
pub type Attempt<T, E> = (Outcome, Option<Duration>, Result<T, E>);

#[cfg(feature = "client")]
/// Runs `attempt(1)`, `attempt(2)`, ... until one succeeds or `decide` says stop, sleeping
/// between attempts as `decide` says. Clients pass [`RetryPolicy::decide_with_random_jitter`]
/// (or their own rule wrapped around it) as `decide`.
pub async fn drive<T, E, F, Fut, D>(mut attempt: F, mut decide: D) -> Result<T, E>
where
    E: std::fmt::Display,
    F: FnMut(u32) -> Fut,
    Fut: std::future::Future<Output = Attempt<T, E>>,
    D: FnMut(u32, Outcome, Option<Duration>, &E) -> Decision,
{
    let mut n = 1;
    loop {
        let (outcome, retry_after, result) = attempt(n).await;
        let error = match result {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        match decide(n, outcome, retry_after, &error) {
            Decision::Stop => return Err(error),
            Decision::RetryAfter(wait) => {
                tracing::debug!(attempt = n, wait_ms = wait.as_millis() as u64, %error, "retrying");
                tokio::time::sleep(wait).await;
                n += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Decision::*;
    use Outcome::*;
    use Repeat::*;

    fn p() -> RetryPolicy {
        RetryPolicy::default()
    }
    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn success_and_client_errors_stop() {
        for s in [200, 201, 400, 401, 403, 404, 413, 422] {
            assert_eq!(p().decide(1, Status(s), None, Safe, 0.5), Stop, "status {s}");
        }
    }

    #[test]
    fn rate_limit_honours_retry_after_even_for_unsafe_requests() {
        assert_eq!(
            p().decide(1, Status(429), Some(MS(2000)), OnlyIfNotSent, 0.9),
            RetryAfter(MS(2000))
        );
    }

    #[test]
    fn rate_limit_without_retry_after_backs_off() {
        assert_eq!(
            p().decide(1, Status(429), None, OnlyIfNotSent, 0.0),
            RetryAfter(MS(125))
        );
        assert_eq!(
            p().decide(2, Status(429), None, OnlyIfNotSent, 0.0),
            RetryAfter(MS(250))
        );
    }

    #[test]
    fn too_long_retry_after_stops() {
        assert_eq!(
            p().decide(1, Status(429), Some(Duration::from_secs(31)), Safe, 0.0),
            Stop
        );
        assert_eq!(
            p().decide(1, Status(503), Some(Duration::from_secs(31)), Safe, 0.0),
            Stop
        );
        // The cap is inclusive: exactly `max_retry_after` is waited, a millisecond more is not.
        let cap = p().max_retry_after;
        assert_eq!(p().decide(1, Status(429), Some(cap), Safe, 0.0), RetryAfter(cap));
        assert_eq!(
            p().decide(1, Status(429), Some(cap - MS(1)), Safe, 0.0),
            RetryAfter(cap - MS(1))
        );
        assert_eq!(p().decide(1, Status(429), Some(cap + MS(1)), Safe, 0.0), Stop);
    }

    #[test]
    fn server_errors_retry_only_safe_requests() {
        for s in [408, 500, 502, 503, 504] {
            assert_eq!(
                p().decide(1, Status(s), None, Safe, 1.0),
                RetryAfter(MS(250)),
                "status {s}"
            );
            assert_eq!(p().decide(1, Status(s), None, OnlyIfNotSent, 1.0), Stop, "status {s}");
        }
    }

    #[test]
    fn connect_failure_always_retries() {
        let out = Transport(TransportErrorKind::Connect);
        assert_eq!(p().decide(1, out, None, OnlyIfNotSent, 0.0), RetryAfter(MS(125)));
    }

    #[test]
    fn timeout_retries_only_safe_requests() {
        let out = Transport(TransportErrorKind::Timeout);
        assert_eq!(p().decide(1, out, None, Safe, 0.0), RetryAfter(MS(125)));
        assert_eq!(p().decide(1, out, None, OnlyIfNotSent, 0.0), Stop);
        let out = Transport(TransportErrorKind::Interrupted);
        assert_eq!(p().decide(1, out, None, OnlyIfNotSent, 0.0), Stop);
    }

    #[test]
    fn build_failures_never_retry() {
        assert_eq!(
            p().decide(1, Transport(TransportErrorKind::Build), None, Safe, 0.0),
            Stop
        );
    }

    #[test]
    fn attempts_are_capped() {
        assert_eq!(p().decide(3, Status(503), None, Safe, 0.0), Stop);
        assert_eq!(
            RetryPolicy::never().decide(1, Transport(TransportErrorKind::Connect), None, Safe, 0.0),
            Stop
        );
    }

    #[test]
    fn backoff_is_capped_exponential_with_equal_jitter() {
        let p = p();
        assert_eq!(p.backoff(1, 0.0), MS(125));
        assert_eq!(p.backoff(1, 1.0), MS(250));
        assert_eq!(p.backoff(3, 1.0), MS(1000));
        assert_eq!(p.backoff(6, 1.0), MS(5000));
        assert_eq!(p.backoff(60, 1.0), MS(5000));
        assert_eq!(p.backoff(60, 0.0), MS(2500));
        assert_eq!(p.backoff(1, 7.0), MS(250), "jitter is clamped");
        assert_eq!(p.backoff(1, -1.0), MS(125), "jitter is clamped");
    }

    #[test]
    fn random_jitter_stays_in_bounds() {
        for _ in 0..100 {
            match p().decide_with_random_jitter(2, Status(429), None, Safe) {
                RetryAfter(d) => assert!(d >= MS(250) && d <= MS(500), "{d:?}"),
                Stop => panic!("must retry"),
            }
        }
    }

    #[tokio::test]
    async fn drive_repeats_until_success_or_stop() {
        let mut calls = 0;
        let result: Result<u32, String> = drive(
            |n| {
                calls += 1;
                async move {
                    let result = if n < 3 { Err(format!("fail {n}")) } else { Ok(n) };
                    (Outcome::Status(503), None, result)
                }
            },
            |_, _, _, _| Decision::RetryAfter(Duration::ZERO),
        )
        .await;
        assert_eq!((result, calls), (Ok(3), 3));

        let stopped: Result<(), String> = drive(
            |n| async move { (Outcome::Status(400), None, Err(format!("fail {n}"))) },
            |_, _, _, _| Decision::Stop,
        )
        .await;
        assert_eq!(stopped, Err("fail 1".to_owned()));
    }
}
