//! Client-side limit for `typing.start`: one per thread every 2 seconds, reset by `typing.stop`
//! (the rule of the current Send API page; Engage Digital answers 429 beyond it).
//!
//! Slots are reserved under a lock, so concurrent callers on one thread are spaced correctly in
//! [`TypingLimit::Wait`] mode. Time is `tokio::time::Instant` so tests can pause the clock.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// The documented minimum spacing of `typing.start` requests on one thread.
pub const TYPING_START_INTERVAL: Duration = Duration::from_secs(2);

/// What the client does with a `typing.start` that comes too soon after the previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TypingLimit {
    /// Return [`EngageDigitalFailure::TypingThrottled`](crate::EngageDigitalFailure::TypingThrottled) at once; nothing is sent.
    /// The default: a typing indicator sent late is usually worse than one not sent.
    #[default]
    Reject,
    /// Wait until the thread's next slot, then send.
    Wait,
    /// Send regardless and let Engage Digital answer 429.
    Off,
}

/// Entries older than this are forgotten once the table grows past [`PRUNE_ABOVE`].
const PRUNE_ABOVE: usize = 4096;

#[derive(Debug)]
pub(crate) struct TypingLimiter {
    mode: TypingLimit,
    interval: Duration,
    /// Thread key -> time of its latest reserved `typing.start`.
    last_start: Mutex<HashMap<String, Instant>>,
}

/// The limiter's answer for one `typing.start`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Slot {
    /// Send now.
    Now,
    /// Send after this delay (the slot is already reserved).
    After(Duration),
    /// Refused; a new start is allowed after this delay.
    Refused(Duration),
}

impl TypingLimiter {
    pub(crate) fn new(mode: TypingLimit, interval: Duration) -> Self {
        Self {
            mode,
            interval,
            last_start: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn reserve(&self, key: &str, now: Instant) -> Slot {
        if self.mode == TypingLimit::Off {
            return Slot::Now;
        }
        let mut table = self.last_start.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let next_free = table.get(key).map(|last| *last + self.interval);
        let slot = match next_free {
            Some(free) if free > now => match self.mode {
                TypingLimit::Reject => return Slot::Refused(free - now),
                _ => free,
            },
            _ => now,
        };
        if table.len() >= PRUNE_ABOVE {
            let interval = self.interval;
            table.retain(|_, last| *last + interval > now);
        }
        table.insert(key.to_owned(), slot);
        if slot > now {
            Slot::After(slot - now)
        } else {
            Slot::Now
        }
    }

    pub(crate) fn mode(&self) -> TypingLimit {
        self.mode
    }

    pub(crate) fn interval(&self) -> Duration {
        self.interval
    }

    pub(crate) fn reset(&self, key: &str) {
        let mut table = self.last_start.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        table.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn reject_mode_refuses_within_two_seconds_per_thread() {
        let l = TypingLimiter::new(TypingLimit::Reject, TYPING_START_INTERVAL);
        let t0 = Instant::now();
        assert_eq!(l.reserve("thread:42", t0), Slot::Now);
        assert_eq!(l.reserve("thread:42", t0 + S / 2), Slot::Refused(S * 3 / 2));
        assert_eq!(
            l.reserve("thread:43", t0 + S / 2),
            Slot::Now,
            "other threads are independent"
        );
        assert_eq!(
            l.reserve("thread:42", t0 + 2 * S),
            Slot::Now,
            "the limit is 2 s, inclusive"
        );
    }

    #[test]
    fn stop_resets_the_timer() {
        let l = TypingLimiter::new(TypingLimit::Reject, TYPING_START_INTERVAL);
        let t0 = Instant::now();
        assert_eq!(l.reserve("thread:42", t0), Slot::Now);
        l.reset("thread:42");
        assert_eq!(l.reserve("thread:42", t0 + S / 10), Slot::Now);
    }

    #[test]
    fn wait_mode_spaces_concurrent_starts() {
        let l = TypingLimiter::new(TypingLimit::Wait, TYPING_START_INTERVAL);
        let t0 = Instant::now();
        assert_eq!(l.reserve("k", t0), Slot::Now);
        assert_eq!(l.reserve("k", t0), Slot::After(2 * S));
        assert_eq!(l.reserve("k", t0), Slot::After(4 * S));
    }

    #[test]
    fn off_mode_never_limits() {
        let l = TypingLimiter::new(TypingLimit::Off, TYPING_START_INTERVAL);
        let t0 = Instant::now();
        assert_eq!(l.reserve("k", t0), Slot::Now);
        assert_eq!(l.reserve("k", t0), Slot::Now);
    }

    #[test]
    fn table_is_pruned() {
        let l = TypingLimiter::new(TypingLimit::Reject, TYPING_START_INTERVAL);
        let t0 = Instant::now();
        for i in 0..PRUNE_ABOVE {
            l.reserve(&format!("k{i}"), t0);
        }
        l.reserve("late", t0 + 3 * S);
        assert_eq!(l.last_start.lock().unwrap().len(), 1);
    }
}
