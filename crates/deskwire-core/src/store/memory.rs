//! [`MemoryStore`]: the default store, in this process's memory, bounded.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use std::collections::BTreeMap;

use super::{ttl_millis, Claim, CursorEntry, Lease, Store, StoreError};

/// Keys remembered by default.
pub const DEFAULT_CAPACITY: usize = 100_000;

/// At most `capacity` entries, each with an optional end; the oldest inserted goes first when
/// full, and ended ones go as they reach the front.
#[derive(Debug)]
struct Bounded<V> {
    capacity: usize,
    entries: HashMap<Arc<str>, (V, Option<Instant>)>,
    /// Keys in the order they were inserted (sharing the map's allocation); each key of the
    /// map is here exactly once.
    order: VecDeque<Arc<str>>,
}

impl<V> Bounded<V> {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    fn live(&self, key: &str, now: Instant) -> Option<&V> {
        match self.entries.get(key) {
            Some((value, until)) if until.is_none_or(|until| until > now) => Some(value),
            _ => None,
        }
    }

    fn set(&mut self, key: &str, value: V, until: Option<Instant>, now: Instant) {
        if let Some(entry) = self.entries.get_mut(key) {
            *entry = (value, until);
            return;
        }
        // Ended entries at the front go first; then, if still full, the oldest.
        while let Some(front) = self.order.front() {
            let ended = self
                .entries
                .get(front)
                .is_none_or(|(_, until)| until.is_some_and(|until| until <= now));
            if !ended && self.entries.len() < self.capacity {
                break;
            }
            if let Some(old) = self.order.pop_front() {
                self.entries.remove(&old);
            }
        }
        let key: Arc<str> = Arc::from(key);
        self.entries.insert(Arc::clone(&key), (value, until));
        self.order.push_back(key);
    }
}

/// A map of cursor entries: field → (version, value; `None` once removed).
type EntryMap = BTreeMap<String, (u64, Option<String>)>;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Mark {
    Held(Lease),
    Done,
}

/// In memory, bounded: at most `capacity` claimed or committed keys (default 100,000) and as
/// many cursors and positions. Past the bound the oldest is forgotten first, so a duplicate of
/// an event older than the last `capacity` ones passes again; each key costs its length plus
/// about 100 bytes, so the default bound is about 15 MiB with 40-byte keys. Nothing survives a
/// restart and nothing is shared with another process: use a Redis store for those.
#[derive(Debug)]
pub struct MemoryStore {
    marks: Mutex<Bounded<Mark>>,
    cursors: Mutex<Bounded<String>>,
    maps: Mutex<Bounded<EntryMap>>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

fn ends(now: Instant, ttl: Duration) -> Result<Instant, StoreError> {
    ttl_millis(ttl)?;
    now.checked_add(ttl).ok_or(StoreError::Ttl { ttl })
}

impl MemoryStore {
    /// A store of [`DEFAULT_CAPACITY`] keys.
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }

    /// A store of at most `capacity` keys, and as many cursors (at least 1 each).
    pub fn with_capacity(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            marks: Mutex::new(Bounded::new(capacity)),
            cursors: Mutex::new(Bounded::new(capacity)),
            maps: Mutex::new(Bounded::new(capacity)),
        }
    }

    /// Keys claimed or committed now (ended ones may still count until they are evicted).
    pub fn len(&self) -> usize {
        self.marks.lock().unwrap_or_else(|p| p.into_inner()).entries.len()
    }

    /// Whether no key is claimed or committed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Cursors and positions kept now.
    pub fn cursors(&self) -> usize {
        self.cursors.lock().unwrap_or_else(|p| p.into_inner()).entries.len()
    }

    /// [`Store::claim`] at `now` (synchronous; benchmarked on its own).
    pub fn claim_at(&self, key: &str, lease: Duration, now: Instant) -> Result<Claim, StoreError> {
        let until = ends(now, lease)?;
        let mut marks = self.marks.lock().unwrap_or_else(|p| p.into_inner());
        match marks.live(key, now) {
            Some(Mark::Done) => Ok(Claim::Done),
            Some(Mark::Held(_)) => Ok(Claim::Held),
            None => {
                let won = Lease::new();
                marks.set(key, Mark::Held(won.clone()), Some(until), now);
                Ok(Claim::Won(won))
            }
        }
    }

    /// [`Store::commit`] at `now`.
    pub fn commit_at(&self, key: &str, lease: &Lease, ttl: Duration, now: Instant) -> Result<bool, StoreError> {
        let until = ends(now, ttl)?;
        let mut marks = self.marks.lock().unwrap_or_else(|p| p.into_inner());
        match marks.live(key, now) {
            Some(Mark::Held(holder)) if holder == lease => {}
            None => {}
            Some(_) => return Ok(false),
        }
        marks.set(key, Mark::Done, Some(until), now);
        Ok(true)
    }

    /// [`Store::release`] at `now`.
    pub fn release_at(&self, key: &str, lease: &Lease, now: Instant) -> bool {
        let mut marks = self.marks.lock().unwrap_or_else(|p| p.into_inner());
        match marks.entries.get_mut(key) {
            Some((Mark::Held(holder), until)) if holder == lease && until.is_none_or(|u| u > now) => {
                // Ended now: the next claim takes it; the entry leaves when it reaches the front.
                *until = Some(now);
                true
            }
            _ => false,
        }
    }

    /// [`Store::raise`] at `now`.
    pub fn raise_at(&self, key: &str, value: u64, ttl: Duration, now: Instant) -> Result<u64, StoreError> {
        let until = ends(now, ttl)?;
        let mut cursors = self.cursors.lock().unwrap_or_else(|p| p.into_inner());
        let stored = cursors.live(key, now).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        let raised = stored.max(value);
        cursors.set(key, raised.to_string(), Some(until), now);
        Ok(raised)
    }
}

#[async_trait::async_trait]
impl Store for MemoryStore {
    async fn claim(&self, key: &str, lease: Duration) -> Result<Claim, StoreError> {
        self.claim_at(key, lease, Instant::now())
    }

    async fn commit(&self, key: &str, lease: &Lease, ttl: Duration) -> Result<bool, StoreError> {
        self.commit_at(key, lease, ttl, Instant::now())
    }

    async fn release(&self, key: &str, lease: &Lease) -> Result<bool, StoreError> {
        Ok(self.release_at(key, lease, Instant::now()))
    }

    async fn cursor(&self, key: &str) -> Result<Option<String>, StoreError> {
        let cursors = self.cursors.lock().unwrap_or_else(|p| p.into_inner());
        Ok(cursors.live(key, Instant::now()).cloned())
    }

    async fn set_cursor(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let mut cursors = self.cursors.lock().unwrap_or_else(|p| p.into_inner());
        cursors.set(key, value.to_owned(), None, Instant::now());
        Ok(())
    }

    async fn raise(&self, key: &str, value: u64, ttl: Duration) -> Result<u64, StoreError> {
        self.raise_at(key, value, ttl, Instant::now())
    }

    async fn position(&self, key: &str) -> Result<u64, StoreError> {
        let cursors = self.cursors.lock().unwrap_or_else(|p| p.into_inner());
        Ok(cursors
            .live(key, Instant::now())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    async fn merge_entries(&self, key: &str, entries: &[CursorEntry]) -> Result<(), StoreError> {
        let now = Instant::now();
        let mut maps = self.maps.lock().unwrap_or_else(|p| p.into_inner());
        let mut map = maps.live(key, now).cloned().unwrap_or_default();
        for entry in entries {
            if map
                .get(&entry.field)
                .is_some_and(|(version, _)| *version > entry.version)
            {
                continue;
            }
            map.insert(entry.field.clone(), (entry.version, entry.value.clone()));
        }
        maps.set(key, map, None, now);
        Ok(())
    }

    async fn entries(&self, key: &str) -> Result<Vec<CursorEntry>, StoreError> {
        let maps = self.maps.lock().unwrap_or_else(|p| p.into_inner());
        Ok(maps
            .live(key, Instant::now())
            .into_iter()
            .flatten()
            .filter_map(|(field, (version, value))| {
                value.as_ref().map(|value| CursorEntry::new(field, *version, value))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    fn won(claim: Claim) -> Lease {
        match claim {
            Claim::Won(lease) => lease,
            other => panic!("expected a won claim, got {other:?}"),
        }
    }

    #[test]
    fn a_claim_holds_until_its_lease_ends_then_the_next_claimant_wins() {
        let store = MemoryStore::new();
        assert!(store.is_empty());
        assert_eq!(store.len(), 0);
        let now = Instant::now();
        let first = won(store.claim_at("a", 10 * S, now).unwrap());
        assert_eq!(store.claim_at("a", 10 * S, now + 9 * S).unwrap(), Claim::Held);
        let second = won(store.claim_at("a", 10 * S, now + 10 * S).unwrap());
        assert_ne!(first, second);
        // The first holder's lease ended and another holds the key: it can neither commit nor release.
        assert!(!store.commit_at("a", &first, 60 * S, now + 11 * S).unwrap());
        assert!(!store.release_at("a", &first, now + 11 * S));
        assert!(store.commit_at("a", &second, 60 * S, now + 11 * S).unwrap());
        assert_eq!(store.claim_at("a", 10 * S, now + 70 * S).unwrap(), Claim::Done);
        assert!(
            matches!(store.claim_at("a", 10 * S, now + 71 * S).unwrap(), Claim::Won(_)),
            "committed until the TTL, inclusive of its end"
        );
    }

    #[test]
    fn commit_keeps_for_the_ttl_and_release_frees_at_once() {
        let store = MemoryStore::new();
        let now = Instant::now();
        let lease = won(store.claim_at("k", 10 * S, now).unwrap());
        assert!(store.release_at("k", &lease, now + S));
        assert!(!store.release_at("k", &lease, now + S), "released once");
        let again = won(store.claim_at("k", 10 * S, now + S).unwrap());
        assert!(
            !store.commit_at("k", &lease, 60 * S, now + S).unwrap(),
            "not the old lease's any more"
        );
        assert!(store.commit_at("k", &again, 60 * S, now + 2 * S).unwrap());
        assert_eq!(store.claim_at("k", 10 * S, now + 61 * S).unwrap(), Claim::Done);
        assert!(
            !store.release_at("k", &again, now + 3 * S),
            "a committed key is not released"
        );
        // A lease that ended with nobody else on the key still commits: the event was handled.
        let late = won(store.claim_at("l", S, now).unwrap());
        assert!(store.commit_at("l", &late, 60 * S, now + 5 * S).unwrap());
        assert_eq!(store.claim_at("l", S, now + 6 * S).unwrap(), Claim::Done);
        assert_eq!(store.len(), 2);
    }

    #[test]
    fn the_bound_forgets_the_oldest_first_and_ended_entries_before_it() {
        let store = MemoryStore::with_capacity(3);
        let now = Instant::now();
        for key in ["a", "b", "c", "d"] {
            let lease = won(store.claim_at(key, 60 * S, now).unwrap());
            assert!(store.commit_at(key, &lease, 60 * S, now).unwrap());
        }
        assert_eq!(store.len(), 3);
        assert_eq!(store.claim_at("d", S, now).unwrap(), Claim::Done);
        assert_eq!(store.claim_at("b", S, now).unwrap(), Claim::Done);
        assert!(
            matches!(store.claim_at("a", S, now).unwrap(), Claim::Won(_)),
            "the oldest was forgotten"
        );
        assert_eq!(store.len(), 3);
        // Past their end, entries leave first, before any live one is evicted.
        let later = now + 120 * S;
        let _ = won(store.claim_at("e", S, later).unwrap());
        assert_eq!(store.len(), 1, "every ended entry at the front left");
    }

    #[test]
    fn positions_only_rise_and_end_with_their_ttl() {
        let store = MemoryStore::with_capacity(2);
        let now = Instant::now();
        assert_eq!(store.raise_at("p", 7, 60 * S, now).unwrap(), 7);
        assert_eq!(store.raise_at("p", 5, 60 * S, now).unwrap(), 7, "never back");
        assert_eq!(store.raise_at("p", 9, 60 * S, now + S).unwrap(), 9);
        assert_eq!(
            store.raise_at("p", 1, 60 * S, now + 70 * S).unwrap(),
            1,
            "the old one ended"
        );
        assert_eq!(store.raise_at("q", 1, 60 * S, now).unwrap(), 1);
        assert_eq!(store.raise_at("r", 1, 60 * S, now).unwrap(), 1);
        assert_eq!(store.cursors(), 2, "cursors and positions are bounded too");
    }

    #[test]
    fn bad_ttls_are_refused_not_panicked_on() {
        let store = MemoryStore::new();
        let now = Instant::now();
        assert!(matches!(
            store.claim_at("a", Duration::MAX, now),
            Err(StoreError::Ttl { .. })
        ));
        assert!(matches!(
            store.claim_at("a", Duration::ZERO, now),
            Err(StoreError::Ttl { .. })
        ));
        let lease = won(store.claim_at("a", S, now).unwrap());
        assert!(matches!(
            store.commit_at("a", &lease, Duration::MAX, now),
            Err(StoreError::Ttl { .. })
        ));
        assert!(matches!(
            store.raise_at("p", 1, Duration::ZERO, now),
            Err(StoreError::Ttl { .. })
        ));
        assert!(!store.is_empty());
    }
}
