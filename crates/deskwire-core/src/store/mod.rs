//! Stores for exactly-once delivery: a key is **claimed** with a short lease while its event is
//! handled, **committed** for the replay window once the application took the event durably,
//! or **released** when it could not — plus cursors and monotonic positions. One trait,
//! [`Store`], so one replica or many share them.
//!
//! * [`MemoryStore`]: in memory, bounded, nothing to set up; it forgets on restart and is not
//!   shared between processes.
//! * [`RedisStore`] (feature `redis`): one Lua script per operation on a Redis server, for
//!   several replicas of one service and for restarts. Redis is the distributed engine; nothing
//!   distributed is home-made here.
//!
//! This is the model of Stripe's and Svix's consumers and of Standard Webhooks: at-least-once
//! into the application, exactly-once effects, and the record written only once the event is
//! handled. A holder that dies loses its lease when the lease ends, and the next claimant wins.
//!
//! [`Deduplicated`](crate::channel::Deduplicated) uses a store to pass each desk event once.

mod memory;
#[cfg(feature = "redis")]
mod redis;

use std::sync::Arc;
use std::time::Duration;

pub use self::memory::{MemoryStore, DEFAULT_CAPACITY};
#[cfg(feature = "redis")]
pub use self::redis::RedisStore;

/// The longest time to live a store accepts: 100 years. Longer ones are refused with
/// [`StoreError::Ttl`] instead of overflowing a clock (`Instant`) or Redis' expiry.
pub const MAX_TTL: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// A store failed, or was asked something it cannot keep. The caller decides:
/// [`Deduplicated`](crate::channel::Deduplicated) passes the event on rather than lose it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store could not be reached or answered an error (Redis down, say).
    #[error("the store failed: {0}")]
    Failed(String),
    /// A time to live of zero or past [`MAX_TTL`].
    #[error("a time to live must be between 1 ms and {} s, not {ttl:?}", MAX_TTL.as_secs())]
    Ttl {
        /// The refused time to live.
        ttl: Duration,
    },
}

/// `ttl` in whole milliseconds (at least 1), or the error saying why it cannot be kept.
pub fn ttl_millis(ttl: Duration) -> Result<u64, StoreError> {
    if ttl.is_zero() || ttl > MAX_TTL {
        return Err(StoreError::Ttl { ttl });
    }
    // MAX_TTL in milliseconds fits a u64 many times over.
    Ok(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1))
}

/// The holder's proof of a claim: a random owner token. Only the holder commits or releases.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Lease(Arc<str>);

impl Lease {
    /// A new random token.
    pub fn new() -> Self {
        Self(Arc::from(uuid::Uuid::new_v4().simple().to_string()))
    }

    /// The token as stored.
    pub fn token(&self) -> &str {
        &self.0
    }
}

impl Default for Lease {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Lease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Lease({})", &self.0[..8.min(self.0.len())])
    }
}

/// What a claim found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is yours until the lease ends: handle the event, then commit or release.
    Won(Lease),
    /// Someone holds a live lease on it (another task or replica is handling it now).
    Held,
    /// It was committed: the event was handled already.
    Done,
}

/// One independent part of a cursor ([`Cursor`](crate::channel::Cursor)): stored under its
/// `field`, replaced only by an entry of the same or a higher `version` (so a replica behind
/// never moves it back), and removed when its `value` is `None` (the removal is kept, with its
/// version, so a late write of an older version does not bring the field back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CursorEntry {
    /// What it is the position of (a question's id).
    pub field: String,
    /// Grows as the position moves (the server's time of the last change seen, in ms).
    pub version: u64,
    /// The position, or `None` to forget the field (the question is closed).
    pub value: Option<String>,
}

impl CursorEntry {
    /// The position of `field` at `version`.
    pub fn new(field: impl Into<String>, version: u64, value: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            version,
            value: Some(value.into()),
        }
    }

    /// Forget `field` (from `version` on).
    pub fn removed(field: impl Into<String>, version: u64) -> Self {
        Self {
            field: field.into(),
            version,
            value: None,
        }
    }
}

/// The shared state of exactly-once delivery. Every operation is atomic on one key, across
/// every client of the store.
#[async_trait::async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Claims `key` for `lease` (a short time: how long handling may take before someone else
    /// may try). Of callers racing on one key, across replicas, one wins.
    async fn claim(&self, key: &str, lease: Duration) -> Result<Claim, StoreError>;

    /// Records `key` as handled for `ttl` (the replay window). `true` when the key was still
    /// this lease's, or free (the lease ended and nobody took it); `false` when another holder
    /// claimed it after the lease ended, or committed it — the event may then be handled twice,
    /// and the caller is told so.
    async fn commit(&self, key: &str, lease: &Lease, ttl: Duration) -> Result<bool, StoreError>;

    /// Frees `key` at once when this lease still holds it (handling failed: the next delivery
    /// passes). `false` when it was not this lease's any more.
    async fn release(&self, key: &str, lease: &Lease) -> Result<bool, StoreError>;

    /// The cursor stored under `key`.
    async fn cursor(&self, key: &str) -> Result<Option<String>, StoreError>;

    /// Stores `value` as the cursor under `key`.
    async fn set_cursor(&self, key: &str, value: &str) -> Result<(), StoreError>;

    /// Raises the position under `key` to `value` if it is higher, keeps it for `ttl` from now,
    /// and answers the position now stored. Positions never go back, whoever writes them.
    async fn raise(&self, key: &str, value: u64, ttl: Duration) -> Result<u64, StoreError>;

    /// The position under `key` (0 when none).
    async fn position(&self, key: &str) -> Result<u64, StoreError>;

    /// Merges `entries` into the map under `key`, each one atomically: an entry replaces the
    /// stored one of its field only when its version is the same or higher.
    async fn merge_entries(&self, key: &str, entries: &[CursorEntry]) -> Result<(), StoreError>;

    /// The live entries of the map under `key` (removed ones are not listed).
    async fn entries(&self, key: &str) -> Result<Vec<CursorEntry>, StoreError>;
}

#[async_trait::async_trait]
impl<S: Store + ?Sized> Store for Arc<S> {
    async fn claim(&self, key: &str, lease: Duration) -> Result<Claim, StoreError> {
        (**self).claim(key, lease).await
    }
    async fn commit(&self, key: &str, lease: &Lease, ttl: Duration) -> Result<bool, StoreError> {
        (**self).commit(key, lease, ttl).await
    }
    async fn release(&self, key: &str, lease: &Lease) -> Result<bool, StoreError> {
        (**self).release(key, lease).await
    }
    async fn cursor(&self, key: &str) -> Result<Option<String>, StoreError> {
        (**self).cursor(key).await
    }
    async fn set_cursor(&self, key: &str, value: &str) -> Result<(), StoreError> {
        (**self).set_cursor(key, value).await
    }
    async fn raise(&self, key: &str, value: u64, ttl: Duration) -> Result<u64, StoreError> {
        (**self).raise(key, value, ttl).await
    }
    async fn position(&self, key: &str) -> Result<u64, StoreError> {
        (**self).position(key).await
    }
    async fn merge_entries(&self, key: &str, entries: &[CursorEntry]) -> Result<(), StoreError> {
        (**self).merge_entries(key, entries).await
    }
    async fn entries(&self, key: &str) -> Result<Vec<CursorEntry>, StoreError> {
        (**self).entries(key).await
    }
}

/// A store key from its parts, each length-prefixed (`<len>:<part>`), so no two lists of parts
/// give one key (`a:b` + `c` and `a` + `b:c` differ) and two scopes never meet.
///
/// ```
/// use deskwire_core::store::key;
/// assert_eq!(key(["chatlake", "a:b", "c"]), "8:chatlake3:a:b1:c");
/// assert_ne!(key(["a:b", "c"]), key(["a", "b:c"]));
/// ```
pub fn key<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for part in parts {
        let _ = write!(out, "{}:{part}", part.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_past_the_bound_or_zero_are_refused_with_their_value() {
        assert!(matches!(ttl_millis(Duration::ZERO), Err(StoreError::Ttl { ttl }) if ttl.is_zero()));
        assert!(matches!(ttl_millis(Duration::MAX), Err(StoreError::Ttl { ttl }) if ttl == Duration::MAX));
        assert!(matches!(
            ttl_millis(MAX_TTL + Duration::from_millis(1)),
            Err(StoreError::Ttl { .. })
        ));
        assert_eq!(ttl_millis(MAX_TTL).unwrap(), MAX_TTL.as_millis() as u64);
        assert_eq!(
            ttl_millis(Duration::from_micros(10)).unwrap(),
            1,
            "under a millisecond rounds up"
        );
        assert_eq!(ttl_millis(Duration::from_millis(1500)).unwrap(), 1500);
        let text = StoreError::Ttl { ttl: Duration::ZERO }.to_string();
        assert!(text.contains("3153600000 s"), "{text}");
    }

    #[test]
    fn keys_are_length_prefixed_so_parts_never_run_together() {
        assert_eq!(key(["a", "bc"]), "1:a2:bc");
        assert_ne!(key(["a:b", "c"]), key(["a", "b:c"]));
        assert_ne!(key(["ab", "c"]), key(["a", "bc"]));
        assert_eq!(key([]), "");
        let lease = Lease::new();
        assert_eq!(lease.token().len(), 32);
        assert_ne!(lease, Lease::new());
        let shown = format!("{lease:?}");
        assert!(!shown.contains(lease.token()), "Debug shows a prefix only");
        assert_eq!(shown, format!("Lease({})", &lease.token()[..8]));
    }
}
