//! Stores for exactly-once delivery: "is this the first time I see this key?" with a time to
//! live, and cursors — behind one trait, [`Store`], so one replica or many share them.
//!
//! * [`MemoryStore`]: in memory, bounded, nothing to set up; it forgets on restart and is not
//!   shared between processes.
//! * [`RedisStore`] (feature `redis`): `SET key 1 NX PX ttl` on a Redis server, for several
//!   replicas of one service and for restarts. Redis is the distributed engine; nothing
//!   distributed is home-made here.
//!
//! [`Deduplicated`](crate::channel::Deduplicated) uses a store to pass each desk event once.

mod memory;
#[cfg(feature = "redis")]
mod redis;

use std::time::Duration;

pub use self::memory::{MemoryStore, DEFAULT_CAPACITY};
#[cfg(feature = "redis")]
pub use self::redis::RedisStore;

/// A store failed (Redis unreachable, say). The caller decides: [`Deduplicated`](crate::channel::Deduplicated)
/// passes the event on rather than lose it.
#[derive(Debug, thiserror::Error)]
#[error("the store failed: {0}")]
pub struct StoreError(pub String);

/// The shared state of exactly-once delivery.
#[async_trait::async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Marks `key` as seen for `ttl`: `true` the first time (the caller goes on), `false` while
    /// it is remembered. Atomic: of callers racing on one key, across replicas, one gets `true`.
    async fn first_sighting(&self, key: &str, ttl: Duration) -> Result<bool, StoreError>;
    /// Forgets `key`, so a redelivery passes (the caller could not hand the event on).
    async fn forget(&self, key: &str) -> Result<(), StoreError>;
    /// The cursor stored under `key`.
    async fn cursor(&self, key: &str) -> Result<Option<String>, StoreError>;
    /// Stores `value` as the cursor under `key`.
    async fn set_cursor(&self, key: &str, value: &str) -> Result<(), StoreError>;
}

#[async_trait::async_trait]
impl<S: Store + ?Sized> Store for std::sync::Arc<S> {
    async fn first_sighting(&self, key: &str, ttl: Duration) -> Result<bool, StoreError> {
        (**self).first_sighting(key, ttl).await
    }
    async fn forget(&self, key: &str) -> Result<(), StoreError> {
        (**self).forget(key).await
    }
    async fn cursor(&self, key: &str) -> Result<Option<String>, StoreError> {
        (**self).cursor(key).await
    }
    async fn set_cursor(&self, key: &str, value: &str) -> Result<(), StoreError> {
        (**self).set_cursor(key, value).await
    }
}
