//! Test helpers for provider crates (feature `testing`).
//!
//! ```
//! let logs = deskwire_core::testing::CapturedLogs::start();
//! tracing::info!(secret_free = true, "hello");
//! assert!(logs.text().contains("hello"));
//! ```

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use tracing_subscriber::fmt::MakeWriter;

/// Everything traced on the current thread (every level, span opens and closes included) while
/// this value lives. Use a current-thread runtime so the code under test traces here.
#[derive(Debug)]
pub struct CapturedLogs {
    buffer: Buffer,
    _guard: tracing::subscriber::DefaultGuard,
}

impl CapturedLogs {
    /// Starts capturing.
    pub fn start() -> Self {
        let buffer = Buffer::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(buffer.clone())
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
            .finish();
        // tracing-core computes a new callsite's interest from the *registering thread's*
        // default alone while at most one dispatcher is registered. With only this scoped one, a
        // span first hit by another test's thread (no subscriber) would be cached as `never`
        // and never reach this capture. A second dispatcher, kept for the whole process, makes
        // registration consult every live dispatcher.
        static KEEP_REGISTRY_SHARED: OnceLock<tracing::Dispatch> = OnceLock::new();
        KEEP_REGISTRY_SHARED.get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));
        Self {
            _guard: tracing::subscriber::set_default(subscriber),
            buffer,
        }
    }

    /// What was captured so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buffer.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

#[derive(Debug, Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// The stores a suite of yours runs over (features `testing` and `redis`): the memory store
/// always, and a [`RedisStore`](crate::store::RedisStore) under a fresh prefix when
/// `DESKWIRE_REDIS_URL` names a server. With `DESKWIRE_REQUIRE_REDIS` set (CI) a missing URL is
/// a failure, not a skip.
///
/// # Panics
///
/// When the Redis server cannot be reached, or is required and not named: a test helper fails
/// the test.
#[cfg(feature = "redis")]
pub async fn stores_under_test(prefix: &str) -> Vec<(&'static str, std::sync::Arc<dyn crate::store::Store>)> {
    use crate::store::{MemoryStore, RedisStore, Store};
    let mut stores: Vec<(&'static str, Arc<dyn Store>)> = vec![("memory", Arc::new(MemoryStore::new()))];
    match std::env::var("DESKWIRE_REDIS_URL") {
        Ok(url) if !url.is_empty() => {
            let run = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            let store = RedisStore::connect(&url)
                .await
                .expect("the Redis server named by DESKWIRE_REDIS_URL")
                .prefix(format!("{prefix}:{run}:"));
            stores.push(("redis", Arc::new(store)));
        }
        _ if std::env::var_os("DESKWIRE_REQUIRE_REDIS").is_some() => {
            panic!("DESKWIRE_REQUIRE_REDIS is set but DESKWIRE_REDIS_URL is not")
        }
        _ => eprintln!("DESKWIRE_REDIS_URL is unset: only the memory store is tested here (CI tests both)"),
    }
    stores
}
