//! [`RedisStore`] (feature `redis`): the store on a Redis server, shared by every replica.

use std::time::Duration;

use redis::aio::ConnectionManager;

use super::{Store, StoreError};

/// Keys and cursors on a Redis server, under a prefix (default `deskwire:`). First sightings
/// are `SET <prefix>seen:<key> 1 NX PX <ttl>`, atomic across every client of the server;
/// cursors are plain `GET` / `SET` under `<prefix>cursor:<key>`. Redis bounds its own memory
/// (`maxmemory`); the TTL bounds how long each key stays.
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    prefix: String,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password: not printed.
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

fn failed(error: redis::RedisError) -> StoreError {
    StoreError(error.to_string())
}

impl RedisStore {
    /// Connects to `url` (`redis://host:port/db`); reconnects by itself afterwards.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(failed)?;
        let connection = ConnectionManager::new(client).await.map_err(failed)?;
        Ok(Self {
            connection,
            prefix: "deskwire:".into(),
        })
    }

    /// Keys under `prefix` instead of `deskwire:` (one service, one prefix).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// One `PING`: the round trip, for health checks and the README's figure.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut connection = self.connection.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut connection)
            .await
            .map(|_| ())
            .map_err(failed)
    }
}

#[async_trait::async_trait]
impl Store for RedisStore {
    async fn first_sighting(&self, key: &str, ttl: Duration) -> Result<bool, StoreError> {
        let mut connection = self.connection.clone();
        let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let set: Option<String> = redis::cmd("SET")
            .arg(format!("{}seen:{key}", self.prefix))
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(millis)
            .query_async(&mut connection)
            .await
            .map_err(failed)?;
        Ok(set.is_some())
    }

    async fn forget(&self, key: &str) -> Result<(), StoreError> {
        let mut connection = self.connection.clone();
        redis::cmd("DEL")
            .arg(format!("{}seen:{key}", self.prefix))
            .query_async::<i64>(&mut connection)
            .await
            .map(|_| ())
            .map_err(failed)
    }

    async fn cursor(&self, key: &str) -> Result<Option<String>, StoreError> {
        let mut connection = self.connection.clone();
        redis::cmd("GET")
            .arg(format!("{}cursor:{key}", self.prefix))
            .query_async(&mut connection)
            .await
            .map_err(failed)
    }

    async fn set_cursor(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let mut connection = self.connection.clone();
        redis::cmd("SET")
            .arg(format!("{}cursor:{key}", self.prefix))
            .arg(value)
            .query_async::<String>(&mut connection)
            .await
            .map(|_| ())
            .map_err(failed)
    }
}
