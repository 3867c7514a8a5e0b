//! One suite over both stores: what `MemoryStore` does, a `RedisStore` on a real server does
//! too. Redis runs when `DESKWIRE_REDIS_URL` names a server (`.ci/run` starts one and sets
//! `DESKWIRE_REQUIRE_REDIS`, so CI cannot skip it).

use std::sync::Arc;
use std::time::Duration;

use deskwire_core::store::{Claim, Lease, Store, StoreError, MAX_TTL};

async fn stores() -> Vec<(&'static str, Arc<dyn Store>)> {
    deskwire_core::testing::stores_under_test("store-suite").await
}

fn won(name: &str, claim: Claim) -> Lease {
    match claim {
        Claim::Won(lease) => lease,
        other => panic!("{name}: expected a won claim, got {other:?}"),
    }
}

const LEASE: Duration = Duration::from_millis(300);
const WINDOW: Duration = Duration::from_secs(60);

#[tokio::test]
async fn claim_commit_release_behave_the_same_on_every_store() {
    for (name, store) in stores().await {
        let lease = won(name, store.claim("k", LEASE).await.unwrap());
        assert_eq!(store.claim("k", LEASE).await.unwrap(), Claim::Held, "{name}");
        assert!(store.release("k", &lease).await.unwrap(), "{name}");
        assert!(!store.release("k", &lease).await.unwrap(), "{name}: released once");
        let again = won(name, store.claim("k", LEASE).await.unwrap());
        assert!(
            !store.commit("k", &lease, WINDOW).await.unwrap(),
            "{name}: the old lease lost it"
        );
        assert!(
            !store.release("k", &lease).await.unwrap(),
            "{name}: the old lease cannot free it"
        );
        assert_eq!(store.claim("k", LEASE).await.unwrap(), Claim::Held, "{name}");
        assert!(store.commit("k", &again, WINDOW).await.unwrap(), "{name}");
        assert_eq!(store.claim("k", LEASE).await.unwrap(), Claim::Done, "{name}");
        assert!(
            !store.release("k", &again).await.unwrap(),
            "{name}: a committed key stays"
        );
        assert_eq!(store.claim("k", LEASE).await.unwrap(), Claim::Done, "{name}");
    }
}

#[tokio::test]
async fn a_dead_holders_claim_frees_itself_when_the_lease_ends() {
    for (name, store) in stores().await {
        let dead = won(name, store.claim("d", Duration::from_millis(100)).await.unwrap());
        tokio::time::sleep(Duration::from_millis(150)).await;
        let next = won(name, store.claim("d", LEASE).await.unwrap());
        assert_ne!(dead, next, "{name}");
        assert!(!store.commit("d", &dead, WINDOW).await.unwrap(), "{name}");
        // A lease that ended with nobody else on the key still commits: the event was handled.
        let late = won(name, store.claim("late", Duration::from_millis(100)).await.unwrap());
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(store.commit("late", &late, WINDOW).await.unwrap(), "{name}");
        assert_eq!(store.claim("late", LEASE).await.unwrap(), Claim::Done, "{name}");
        // And a commit lasts its window, no longer.
        let short = won(name, store.claim("short", LEASE).await.unwrap());
        assert!(store.commit("short", &short, Duration::from_millis(100)).await.unwrap());
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(
            matches!(store.claim("short", LEASE).await.unwrap(), Claim::Won(_)),
            "{name}"
        );
    }
}

#[tokio::test]
async fn of_many_racing_claimants_one_wins() {
    for (name, store) in stores().await {
        let mut tasks = Vec::new();
        for _ in 0..32 {
            let store = Arc::clone(&store);
            tasks.push(tokio::spawn(async move { store.claim("race", LEASE).await.unwrap() }));
        }
        let mut winners = 0;
        for task in tasks {
            if matches!(task.await.unwrap(), Claim::Won(_)) {
                winners += 1;
            }
        }
        assert_eq!(winners, 1, "{name}");
    }
}

#[tokio::test]
async fn positions_only_rise_cursors_are_kept_and_ttls_are_checked() {
    for (name, store) in stores().await {
        assert_eq!(store.position("p").await.unwrap(), 0, "{name}");
        assert_eq!(store.raise("p", 9, WINDOW).await.unwrap(), 9, "{name}");
        assert_eq!(
            store.raise("p", 10, WINDOW).await.unwrap(),
            10,
            "{name}: 10 > 9, not as text"
        );
        assert_eq!(store.raise("p", 2, WINDOW).await.unwrap(), 10, "{name}");
        let big = 9_007_199_254_740_993; // past a double's exact integers
        assert_eq!(store.raise("p", big, WINDOW).await.unwrap(), big, "{name}");
        assert_eq!(store.position("p").await.unwrap(), big, "{name}");
        assert_eq!(store.raise("gone", 5, Duration::from_millis(100)).await.unwrap(), 5);
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert_eq!(
            store.position("gone").await.unwrap(),
            0,
            "{name}: positions end with their TTL"
        );
        assert_eq!(store.cursor("c").await.unwrap(), None, "{name}");
        store.set_cursor("c", "{\"a\":1}").await.unwrap();
        assert_eq!(store.cursor("c").await.unwrap().as_deref(), Some("{\"a\":1}"), "{name}");
        for ttl in [Duration::ZERO, MAX_TTL + Duration::from_secs(1), Duration::MAX] {
            assert!(
                matches!(store.claim("t", ttl).await, Err(StoreError::Ttl { .. })),
                "{name}"
            );
            assert!(
                matches!(store.raise("t", 1, ttl).await, Err(StoreError::Ttl { .. })),
                "{name}"
            );
        }
        let lease = won(name, store.claim("t", MAX_TTL).await.unwrap());
        assert!(matches!(
            store.commit("t", &lease, Duration::MAX).await,
            Err(StoreError::Ttl { .. })
        ));
        assert!(
            store.commit("t", &lease, MAX_TTL).await.unwrap(),
            "{name}: the longest TTL is kept"
        );
    }
}

fn by_field(mut entries: Vec<deskwire_core::store::CursorEntry>) -> Vec<deskwire_core::store::CursorEntry> {
    entries.sort_by(|a, b| a.field.cmp(&b.field));
    entries
}

#[tokio::test]
async fn cursor_entries_merge_by_version_and_removals_stay_removed() {
    use deskwire_core::store::CursorEntry;
    for (name, store) in stores().await {
        assert!(store.entries("m").await.unwrap().is_empty(), "{name}");
        store
            .merge_entries(
                "m",
                &[CursorEntry::new("q1", 10, "a"), CursorEntry::new("q2", 5, "b:c")],
            )
            .await
            .unwrap();
        // Another replica, behind on q1 and ahead on q2, adds q3.
        store
            .merge_entries(
                "m",
                &[
                    CursorEntry::new("q1", 9, "old"),
                    CursorEntry::new("q2", 6, "newer"),
                    CursorEntry::new("q3", 1, ""),
                ],
            )
            .await
            .unwrap();
        assert_eq!(
            by_field(store.entries("m").await.unwrap()),
            [
                CursorEntry::new("q1", 10, "a"),
                CursorEntry::new("q2", 6, "newer"),
                CursorEntry::new("q3", 1, "")
            ],
            "{name}"
        );
        // q1 closes; a late write of an older version does not bring it back; the same
        // version replaces (a replica that saw the same server time wrote the same thing).
        store
            .merge_entries("m", &[CursorEntry::removed("q1", 11)])
            .await
            .unwrap();
        store
            .merge_entries("m", &[CursorEntry::new("q1", 10, "a")])
            .await
            .unwrap();
        store
            .merge_entries("m", &[CursorEntry::new("q3", 1, "same")])
            .await
            .unwrap();
        let big = 9_007_199_254_740_993u64;
        store
            .merge_entries("m", &[CursorEntry::new("q2", big, "far")])
            .await
            .unwrap();
        store
            .merge_entries("m", &[CursorEntry::new("q2", big - 1, "behind")])
            .await
            .unwrap();
        assert_eq!(
            by_field(store.entries("m").await.unwrap()),
            [CursorEntry::new("q2", big, "far"), CursorEntry::new("q3", 1, "same")],
            "{name}"
        );
        store.merge_entries("m", &[]).await.unwrap();
        assert!(
            store.entries("other").await.unwrap().is_empty(),
            "{name}: maps are per key"
        );
    }
}

#[tokio::test]
async fn stores_print_no_url_or_password() {
    for (name, store) in stores().await {
        let shown = format!("{store:?}");
        assert!(!shown.contains("redis://") && !shown.is_empty(), "{name}: {shown}");
        if name == "redis" {
            assert!(shown.starts_with("RedisStore { prefix: \"store-suite:"), "{shown}");
        }
    }
}
