//! The exactly-once check per event: the in-memory store's first sighting (a new event, and a
//! duplicate) on a store kept full, so eviction is paid too; and, when `DESKWIRE_REDIS_URL`
//! names a server, the Redis store's `SET NX PX` round trip on loopback beside it.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use deskwire_core::store::{MemoryStore, RedisStore, Store};

const TTL: Duration = Duration::from_secs(7 * 24 * 3600);

fn key(n: u64) -> String {
    format!("chatlake:message:301:{n}")
}

fn memory(c: &mut Criterion) {
    let store = MemoryStore::new();
    let now = Instant::now();
    let mut n = 0u64;
    // Full: every new key evicts the oldest from here on.
    while store.len() < deskwire_core::store::DEFAULT_CAPACITY {
        store.first_sighting_now(&key(n), TTL, now);
        n += 1;
    }
    c.bench_function("dedup/memory-new-event", |b| {
        b.iter(|| {
            n += 1;
            black_box(store.first_sighting_now(&key(n), TTL, now))
        })
    });
    let seen = key(n);
    c.bench_function("dedup/memory-duplicate", |b| {
        b.iter(|| black_box(store.first_sighting_now(black_box(&seen), TTL, now)))
    });
}

fn redis(c: &mut Criterion) {
    let Ok(url) = std::env::var("DESKWIRE_REDIS_URL") else {
        eprintln!("dedup/redis-new-event: DESKWIRE_REDIS_URL is unset, skipped");
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let store = Arc::new(
        runtime
            .block_on(RedisStore::connect(&url))
            .expect("the Redis server")
            .prefix("bench:"),
    );
    let mut n = 0u64;
    c.bench_function("dedup/redis-new-event", |b| {
        b.iter(|| {
            n += 1;
            black_box(
                runtime
                    .block_on(store.first_sighting(&key(n), Duration::from_secs(60)))
                    .expect("SET NX"),
            )
        })
    });
}

criterion_group!(benches, memory, redis);
criterion_main!(benches);
