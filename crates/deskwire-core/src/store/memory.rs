//! [`MemoryStore`]: the default store, in this process's memory, bounded.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Store, StoreError};

/// Keys remembered by default.
pub const DEFAULT_CAPACITY: usize = 100_000;

#[derive(Debug, Default)]
struct Seen {
    /// key → when it is forgotten.
    until: HashMap<Arc<str>, Instant>,
    /// Keys in the order they were first seen, for eviction (sharing the map's allocation).
    order: VecDeque<Arc<str>>,
}

/// In memory, bounded: at most `capacity` keys (default 100,000) and as many cursors as
/// conversations. Past the bound the oldest key is forgotten first, so a duplicate of an event
/// older than the last `capacity` ones passes again; each key costs its length plus about 100
/// bytes, so the default bound is about 15 MiB with 40-byte keys. Nothing survives a restart
/// and nothing is shared with another process: use a Redis store for those.
#[derive(Debug)]
pub struct MemoryStore {
    capacity: usize,
    seen: Mutex<Seen>,
    cursors: Mutex<HashMap<String, String>>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryStore {
    /// A store of [`DEFAULT_CAPACITY`] keys.
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }

    /// A store of at most `capacity` keys (at least 1).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            seen: Mutex::new(Seen::default()),
            cursors: Mutex::new(HashMap::new()),
        }
    }

    /// Keys remembered now.
    pub fn len(&self) -> usize {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).until.len()
    }

    /// Whether no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The synchronous check [`Store::first_sighting`] runs (benchmarked on its own).
    pub fn first_sighting_now(&self, key: &str, ttl: Duration, now: Instant) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.until.get(key).is_some_and(|until| *until > now) {
            return false;
        }
        // Expired keys at the front go first; then, if still full, the oldest.
        while let Some(front) = seen.order.front() {
            let expired = seen.until.get(front).is_none_or(|until| *until <= now);
            if !expired && seen.until.len() < self.capacity {
                break;
            }
            if let Some(old) = seen.order.pop_front() {
                seen.until.remove(&old);
            }
        }
        match seen.until.get_mut(key) {
            Some(until) => *until = now + ttl,
            None => {
                let key: Arc<str> = Arc::from(key);
                seen.until.insert(Arc::clone(&key), now + ttl);
                seen.order.push_back(key);
            }
        }
        true
    }
}

#[async_trait::async_trait]
impl Store for MemoryStore {
    async fn first_sighting(&self, key: &str, ttl: Duration) -> Result<bool, StoreError> {
        Ok(self.first_sighting_now(key, ttl, Instant::now()))
    }

    async fn forget(&self, key: &str) -> Result<(), StoreError> {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.until.remove(key);
        seen.order.retain(|k| &**k != key);
        Ok(())
    }

    async fn cursor(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.cursors.lock().unwrap_or_else(|p| p.into_inner()).get(key).cloned())
    }

    async fn set_cursor(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.cursors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.to_owned(), value.to_owned());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_then_seen_until_the_ttl_passes() {
        let store = MemoryStore::new();
        let now = Instant::now();
        let ttl = Duration::from_secs(60);
        assert!(store.first_sighting_now("a", ttl, now));
        assert!(!store.first_sighting_now("a", ttl, now + Duration::from_secs(59)));
        assert!(
            store.first_sighting_now("a", ttl, now + Duration::from_secs(60)),
            "expired at the TTL"
        );
        assert!(store.first_sighting_now("b", ttl, now));
        assert_eq!(store.len(), 2);
    }

    #[test]
    fn the_bound_forgets_the_oldest_first() {
        let store = MemoryStore::with_capacity(3);
        let now = Instant::now();
        let ttl = Duration::from_secs(60);
        for key in ["a", "b", "c", "d"] {
            assert!(store.first_sighting_now(key, ttl, now));
        }
        assert_eq!(store.len(), 3);
        assert!(!store.first_sighting_now("d", ttl, now));
        assert!(!store.first_sighting_now("b", ttl, now));
        assert!(
            store.first_sighting_now("a", ttl, now),
            "the oldest was forgotten past the bound"
        );
        assert_eq!(store.len(), 3);
    }

    #[tokio::test]
    async fn forget_lets_a_key_pass_again_and_cursors_are_kept() {
        let store = MemoryStore::new();
        let ttl = Duration::from_secs(60);
        assert!(store.first_sighting("k", ttl).await.unwrap());
        store.forget("k").await.unwrap();
        assert!(store.first_sighting("k", ttl).await.unwrap());
        assert_eq!(store.cursor("c").await.unwrap(), None);
        store.set_cursor("c", "42").await.unwrap();
        assert_eq!(store.cursor("c").await.unwrap().as_deref(), Some("42"));
    }
}
