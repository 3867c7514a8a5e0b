//! [`RedisStore`] (feature `redis`): the store on a Redis server, shared by every replica.

use std::sync::LazyLock;
use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::Script;

use super::{ttl_millis, Claim, CursorEntry, Lease, Store, StoreError};

/// The value of a committed key. Owner tokens are 32 hex digits, so never this.
const DONE: &str = "+";

// Each script reads and writes KEYS[1] only: one key, one hash slot, so the store works on a
// Redis Cluster as on one server. Compare-and-set is done in the script, never with a blind
// `DEL` or `SET`, so a holder whose lease ended cannot undo its successor's claim.
static CLAIM: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if v == ARGV[3] then return 2 end
return 0",
    )
});
static COMMIT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"local v = redis.call('GET', KEYS[1])
if v and v ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2])
return 1",
    )
});
static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0",
    )
});
// Positions are compared as canonical decimal text (length, then digits): Lua's numbers are
// doubles and would print a large id as `1e+15`.
static RAISE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"local v = redis.call('GET', KEYS[1])
local n = ARGV[1]
if v and (#v > #n or (#v == #n and v > n)) then n = v end
redis.call('SET', KEYS[1], n, 'PX', ARGV[2])
return n",
    )
});

// A map of cursor entries is one hash; a field holds `<version>:<value>`, or `<version>-` once
// removed (kept, so a late write of an older version cannot bring it back). ARGV holds
// triples: field, version, then `=value` to set or `-` to remove. Versions compare as decimal
// text (length, then digits).
static MERGE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"for i = 1, #ARGV, 3 do
  local field, version, op = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local stored = redis.call('HGET', KEYS[1], field)
  local keep = false
  if stored then
    local was = string.match(stored, '^(%d+)')
    if was and (#was > #version or (#was == #version and was > version)) then keep = true end
  end
  if not keep then
    if string.sub(op, 1, 1) == '=' then
      redis.call('HSET', KEYS[1], field, version .. ':' .. string.sub(op, 2))
    else
      redis.call('HSET', KEYS[1], field, version .. '-')
    end
  end
end
return 1",
    )
});

/// Keys and cursors on a Redis server, under a prefix (default `deskwire:`).
///
/// * a claim is `SET <prefix>seen:<key> <owner token> PX <lease>` when the key is free; a
///   commit sets it to `+` for the replay window if the token still holds it (or nobody does);
///   a release deletes it only if the token still holds it. Each is one Lua script, atomic
///   across every client of the server, one round trip;
/// * cursors are plain `GET` / `SET` under `<prefix>cursor:<key>`; positions are raised (never
///   lowered) by a script, with a time to live.
///
/// Every script touches one key, so one hash slot: the store runs on a Redis Cluster too. Redis
/// bounds its own memory (`maxmemory`); the TTLs bound how long each key stays.
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

/// A stored position; not a number only if something else wrote the key.
fn read_position(key: &str, stored: &str) -> Result<u64, StoreError> {
    stored
        .parse()
        .map_err(|_| StoreError::Failed(format!("the position under {key:?} is not a number: {stored:?}")))
}

fn failed(error: redis::RedisError) -> StoreError {
    StoreError::Failed(error.to_string())
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

    fn seen(&self, key: &str) -> String {
        format!("{}seen:{key}", self.prefix)
    }

    fn cursor_key(&self, key: &str) -> String {
        format!("{}cursor:{key}", self.prefix)
    }

    fn map_key(&self, key: &str) -> String {
        format!("{}entries:{key}", self.prefix)
    }
}

#[async_trait::async_trait]
impl Store for RedisStore {
    async fn claim(&self, key: &str, lease: Duration) -> Result<Claim, StoreError> {
        let millis = ttl_millis(lease)?;
        let won = Lease::new();
        let mut connection = self.connection.clone();
        let found: i64 = CLAIM
            .key(self.seen(key))
            .arg(won.token())
            .arg(millis)
            .arg(DONE)
            .invoke_async(&mut connection)
            .await
            .map_err(failed)?;
        Ok(match found {
            1 => Claim::Won(won),
            2 => Claim::Done,
            _ => Claim::Held,
        })
    }

    async fn commit(&self, key: &str, lease: &Lease, ttl: Duration) -> Result<bool, StoreError> {
        let millis = ttl_millis(ttl)?;
        let mut connection = self.connection.clone();
        let done: i64 = COMMIT
            .key(self.seen(key))
            .arg(lease.token())
            .arg(millis)
            .arg(DONE)
            .invoke_async(&mut connection)
            .await
            .map_err(failed)?;
        Ok(done == 1)
    }

    async fn release(&self, key: &str, lease: &Lease) -> Result<bool, StoreError> {
        let mut connection = self.connection.clone();
        let released: i64 = RELEASE
            .key(self.seen(key))
            .arg(lease.token())
            .invoke_async(&mut connection)
            .await
            .map_err(failed)?;
        Ok(released == 1)
    }

    async fn cursor(&self, key: &str) -> Result<Option<String>, StoreError> {
        let mut connection = self.connection.clone();
        redis::cmd("GET")
            .arg(self.cursor_key(key))
            .query_async(&mut connection)
            .await
            .map_err(failed)
    }

    async fn set_cursor(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let mut connection = self.connection.clone();
        redis::cmd("SET")
            .arg(self.cursor_key(key))
            .arg(value)
            .query_async::<String>(&mut connection)
            .await
            .map(|_| ())
            .map_err(failed)
    }

    async fn raise(&self, key: &str, value: u64, ttl: Duration) -> Result<u64, StoreError> {
        let millis = ttl_millis(ttl)?;
        let mut connection = self.connection.clone();
        let stored: String = RAISE
            .key(self.cursor_key(key))
            .arg(value.to_string())
            .arg(millis)
            .invoke_async(&mut connection)
            .await
            .map_err(failed)?;
        read_position(key, &stored)
    }

    async fn merge_entries(&self, key: &str, entries: &[CursorEntry]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut invocation = MERGE.key(self.map_key(key));
        for entry in entries {
            invocation
                .arg(&entry.field)
                .arg(entry.version.to_string())
                .arg(match &entry.value {
                    Some(value) => format!("={value}"),
                    None => "-".to_owned(),
                });
        }
        let mut connection = self.connection.clone();
        invocation
            .invoke_async::<i64>(&mut connection)
            .await
            .map(|_| ())
            .map_err(failed)
    }

    async fn entries(&self, key: &str) -> Result<Vec<CursorEntry>, StoreError> {
        let mut connection = self.connection.clone();
        let stored: Vec<(String, String)> = redis::cmd("HGETALL")
            .arg(self.map_key(key))
            .query_async(&mut connection)
            .await
            .map_err(failed)?;
        let mut entries = Vec::with_capacity(stored.len());
        for (field, text) in stored {
            let digits = text.bytes().take_while(u8::is_ascii_digit).count();
            let version = text[..digits]
                .parse()
                .map_err(|_| StoreError::Failed(format!("the entry {field:?} under {key:?} has no version")))?;
            if let Some(value) = text[digits..].strip_prefix(':') {
                entries.push(CursorEntry::new(field, version, value));
            }
        }
        Ok(entries)
    }

    async fn position(&self, key: &str) -> Result<u64, StoreError> {
        match self.cursor(key).await? {
            None => Ok(0),
            Some(stored) => read_position(key, &stored),
        }
    }
}
