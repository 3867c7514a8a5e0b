//! Faults: what goes wrong, how often, decided by one seeded generator so a run repeats.
//!
//! A [`Faults`] is a set of probabilities, parsed from the binary's `--faults` text
//! (`dup=0.1,drop=0.05,429=0.2`). [`Dice`] draws every decision from one `fastrand` generator
//! seeded with the simulator's seed: the same requests in the same order meet the same faults.
//! Requests served concurrently take their draws in the order they arrive.

use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

/// One kind of fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Fault {
    /// A webhook (or endpoint call) is delivered twice.
    Duplicate,
    /// A webhook is never delivered.
    Drop,
    /// A webhook is delivered late (up to [`Faults::max_delay`]), so later ones may overtake it.
    Delay,
    /// A webhook is held back and delivered after the next one.
    Reorder,
    /// A request is refused with 429 and a `Retry-After` header, and not applied.
    RateLimited,
    /// A request is refused with 429 without `Retry-After`, and not applied.
    RateLimitedBare,
    /// A request is answered 500, and not applied.
    ServerError,
    /// A request is read and applied, then the connection is closed without an answer: the
    /// "maybe delivered" case.
    CloseAfterRead,
    /// Directly: the access token presented is revoked now, long before its `expires_in`.
    TokenExpiresEarly,
}

impl Fault {
    /// Every fault, in `--faults` order.
    pub const ALL: [Fault; 9] = [
        Fault::Duplicate,
        Fault::Drop,
        Fault::Delay,
        Fault::Reorder,
        Fault::RateLimited,
        Fault::RateLimitedBare,
        Fault::ServerError,
        Fault::CloseAfterRead,
        Fault::TokenExpiresEarly,
    ];

    /// Its key in `--faults`.
    pub const fn key(self) -> &'static str {
        match self {
            Fault::Duplicate => "dup",
            Fault::Drop => "drop",
            Fault::Delay => "delay",
            Fault::Reorder => "reorder",
            Fault::RateLimited => "429",
            Fault::RateLimitedBare => "429-bare",
            Fault::ServerError => "5xx",
            Fault::CloseAfterRead => "close",
            Fault::TokenExpiresEarly => "token-expiry",
        }
    }

    fn index(self) -> usize {
        Fault::ALL.iter().position(|f| *f == self).unwrap_or(0)
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The probability of each fault, and the longest delay.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Faults {
    odds: [f64; Fault::ALL.len()],
    max_delay: Duration,
    retry_after: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Self::none()
    }
}

/// `--faults` text that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FaultsError {
    /// A key no fault has.
    #[error("unknown fault `{0}`; the faults are dup, drop, delay, reorder, 429, 429-bare, 5xx, close, token-expiry, and the settings delay-ms, retry-after")]
    UnknownKey(String),
    /// A probability outside 0..=1, or a setting that is not a whole number.
    #[error("`{key}={value}`: a fault takes a probability from 0 to 1, delay-ms and retry-after whole numbers")]
    BadValue {
        /// The key.
        key: String,
        /// What followed `=`.
        value: String,
    },
    /// A part without `=`.
    #[error("`{0}` is not `key=value`")]
    NotAPair(String),
}

impl Faults {
    /// No faults: every request served, every webhook delivered once, in order.
    pub const fn none() -> Self {
        Self {
            odds: [0.0; Fault::ALL.len()],
            max_delay: Duration::from_millis(500),
            retry_after: 1,
        }
    }

    /// `fault` with probability `odds` (clamped to 0..=1).
    pub fn with(mut self, fault: Fault, odds: f64) -> Self {
        self.odds[fault.index()] = if odds.is_nan() { 0.0 } else { odds.clamp(0.0, 1.0) };
        self
    }

    /// The longest [`Fault::Delay`] (default 500 ms).
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The `Retry-After` seconds of [`Fault::RateLimited`] (default 1).
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = seconds;
        self
    }

    /// The probability of `fault`.
    pub fn odds(&self, fault: Fault) -> f64 {
        self.odds[fault.index()]
    }

    /// The longest delay.
    pub fn delay_limit(&self) -> Duration {
        self.max_delay
    }

    /// The `Retry-After` seconds.
    pub fn retry_after_secs(&self) -> u64 {
        self.retry_after
    }
}

impl FromStr for Faults {
    type Err = FaultsError;

    /// `dup=0.1,drop=0.05,delay=0.2,delay-ms=800,429=0.1,retry-after=2`; blank is no faults.
    fn from_str(text: &str) -> Result<Self, FaultsError> {
        let mut faults = Faults::none();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| FaultsError::NotAPair(part.to_owned()))?;
            let (key, value) = (key.trim(), value.trim());
            let bad = || FaultsError::BadValue {
                key: key.to_owned(),
                value: value.to_owned(),
            };
            match key {
                "delay-ms" => faults.max_delay = Duration::from_millis(value.parse().map_err(|_| bad())?),
                "retry-after" => faults.retry_after = value.parse().map_err(|_| bad())?,
                _ => {
                    let fault = Fault::ALL
                        .into_iter()
                        .find(|f| f.key() == key)
                        .ok_or_else(|| FaultsError::UnknownKey(key.to_owned()))?;
                    let odds: f64 = value.parse().map_err(|_| bad())?;
                    if !(0.0..=1.0).contains(&odds) {
                        return Err(bad());
                    }
                    faults.odds[fault.index()] = odds;
                }
            }
        }
        Ok(faults)
    }
}

impl fmt::Display for Faults {
    /// The `--faults` text, faults with odds above zero only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for fault in Fault::ALL {
            let odds = self.odds(fault);
            if odds > 0.0 {
                write!(f, "{}{}={odds}", if first { "" } else { "," }, fault.key())?;
                first = false;
            }
        }
        Ok(())
    }
}

/// The seeded generator every fault decision is drawn from.
#[derive(Debug)]
pub struct Dice {
    inner: Mutex<(fastrand::Rng, Faults)>,
}

impl Dice {
    /// A generator seeded with `seed`, rolling for `faults`.
    pub fn new(seed: u64, faults: Faults) -> Self {
        Self {
            inner: Mutex::new((fastrand::Rng::with_seed(seed), faults)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (fastrand::Rng, Faults)> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The faults rolled for.
    pub fn faults(&self) -> Faults {
        self.lock().1
    }

    /// Rolls for other faults from now on; the generator goes on where it was.
    pub fn set_faults(&self, faults: Faults) {
        self.lock().1 = faults;
    }

    /// Whether `fault` happens this time. A fault with odds 0 draws nothing, so turning one
    /// fault on does not shift the others' draws.
    pub fn roll(&self, fault: Fault) -> bool {
        let mut inner = self.lock();
        let odds = inner.1.odds(fault);
        if odds <= 0.0 {
            return false;
        }
        inner.0.f64() < odds
    }

    /// A delay from 0 to the faults' longest delay.
    pub fn delay(&self) -> Duration {
        let mut inner = self.lock();
        let limit = u64::try_from(inner.1.delay_limit().as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(inner.0.u64(0..=limit))
    }

    /// The first of `faults` (in that order) that happens this time.
    pub fn first_of(&self, faults: &[Fault]) -> Option<Fault> {
        faults.iter().copied().find(|f| self.roll(*f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_key_and_says_what_is_wrong() {
        let faults: Faults = "dup=0.1, drop=0.05,delay=1,delay-ms=800,reorder=0.5,429=0.2,429-bare=0.3,5xx=0.4,close=0.6,token-expiry=0.7,retry-after=3"
            .parse()
            .unwrap();
        assert_eq!(faults.odds(Fault::Duplicate), 0.1);
        assert_eq!(faults.odds(Fault::Drop), 0.05);
        assert_eq!(faults.odds(Fault::Delay), 1.0);
        assert_eq!(faults.delay_limit(), Duration::from_millis(800));
        assert_eq!(faults.odds(Fault::Reorder), 0.5);
        assert_eq!(faults.odds(Fault::RateLimited), 0.2);
        assert_eq!(faults.odds(Fault::RateLimitedBare), 0.3);
        assert_eq!(faults.odds(Fault::ServerError), 0.4);
        assert_eq!(faults.odds(Fault::CloseAfterRead), 0.6);
        assert_eq!(faults.odds(Fault::TokenExpiresEarly), 0.7);
        assert_eq!(faults.retry_after_secs(), 3);
        assert_eq!(
            faults.to_string(),
            "dup=0.1,drop=0.05,delay=1,reorder=0.5,429=0.2,429-bare=0.3,5xx=0.4,close=0.6,token-expiry=0.7"
        );
        assert_eq!("".parse::<Faults>().unwrap(), Faults::none());
        assert_eq!(
            "dupe=0.1".parse::<Faults>(),
            Err(FaultsError::UnknownKey("dupe".into()))
        );
        assert_eq!(
            "dup=1.5".parse::<Faults>(),
            Err(FaultsError::BadValue {
                key: "dup".into(),
                value: "1.5".into()
            })
        );
        assert_eq!(
            "drop=-0".parse::<Faults>().map(|f| f.odds(Fault::Drop)),
            Ok(0.0),
            "negative zero is zero"
        );
        assert_eq!("dup".parse::<Faults>(), Err(FaultsError::NotAPair("dup".into())));
        assert!(matches!(
            "delay-ms=soon".parse::<Faults>(),
            Err(FaultsError::BadValue { .. })
        ));
    }

    #[test]
    fn the_same_seed_rolls_the_same_faults_and_another_seed_does_not() {
        let faults = Faults::none().with(Fault::Drop, 0.5).with(Fault::Duplicate, 0.3);
        let rolls = |seed| {
            let dice = Dice::new(seed, faults);
            (0..64)
                .map(|_| {
                    (
                        dice.roll(Fault::Drop),
                        dice.roll(Fault::Duplicate),
                        dice.roll(Fault::Reorder),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(rolls(7), rolls(7));
        assert_ne!(rolls(7), rolls(8));
        let drops = rolls(7).iter().filter(|r| r.0).count();
        assert!((16..=48).contains(&drops), "about half of 64 dropped, got {drops}");
        assert!(rolls(7).iter().all(|r| !r.2), "a fault with odds 0 never happens");
    }

    #[test]
    fn certain_and_impossible_faults_and_the_delay_range() {
        let dice = Dice::new(
            1,
            Faults::none()
                .with(Fault::ServerError, 1.0)
                .max_delay(Duration::from_millis(10)),
        );
        assert!((0..100).all(|_| dice.roll(Fault::ServerError)));
        assert_eq!(
            dice.first_of(&[Fault::RateLimited, Fault::ServerError]),
            Some(Fault::ServerError)
        );
        assert!((0..100).all(|_| dice.delay() <= Duration::from_millis(10)));
        dice.set_faults(Faults::none());
        assert_eq!(dice.first_of(&Fault::ALL), None);
        assert_eq!(Faults::none().with(Fault::Drop, f64::NAN).odds(Fault::Drop), 0.0);
        assert_eq!(Faults::none().with(Fault::Drop, 7.0).odds(Fault::Drop), 1.0);
    }
}
