//! The exactly-once record per event: the in-memory store's claim + commit of a new event, and
//! the claim of a duplicate, on a store kept full, so eviction is paid too; and, when
//! `DESKWIRE_REDIS_URL` names a server, the Redis store's claim + commit (two scripts, two
//! round trips on loopback) beside one `PING` (one round trip, the least any record costs).

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use deskwire_core::store::{Claim, MemoryStore, RedisStore, Store};

const TTL: Duration = Duration::from_secs(7 * 24 * 3600);
const LEASE: Duration = Duration::from_secs(30);

fn key(n: u64) -> String {
    format!("chatlake:message:301:{n}")
}

fn memory(c: &mut Criterion) {
    let store = MemoryStore::new();
    let now = Instant::now();
    let record = |n: u64| match store.claim_at(&key(n), LEASE, now).expect("a lease") {
        Claim::Won(lease) => store.commit_at(&key(n), &lease, TTL, now).expect("a TTL"),
        _ => false,
    };
    let mut n = 0u64;
    // Full: every new key evicts the oldest from here on.
    while store.len() < deskwire_core::store::DEFAULT_CAPACITY {
        record(n);
        n += 1;
    }
    c.bench_function("dedup/memory-new-event", |b| {
        b.iter(|| {
            n += 1;
            black_box(record(n))
        })
    });
    let seen = key(n);
    c.bench_function("dedup/memory-duplicate", |b| {
        b.iter(|| black_box(store.claim_at(black_box(&seen), LEASE, now)))
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
            runtime.block_on(async {
                let key = key(n);
                match store.claim(&key, LEASE).await.expect("claim") {
                    Claim::Won(lease) => black_box(
                        store
                            .commit(&key, &lease, Duration::from_secs(60))
                            .await
                            .expect("commit"),
                    ),
                    other => panic!("a new key was {other:?}"),
                }
            })
        })
    });
    c.bench_function("dedup/redis-ping", |b| {
        b.iter(|| runtime.block_on(store.ping()).expect("PING"))
    });
}

criterion_group!(benches, memory, redis);
criterion_main!(benches);
