#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Many collectors, one schedule: leases per token group and run heartbeats. A free lease
//! goes to exactly one of many concurrent claimers (each with a pool of its own on
//! PostgreSQL, as separate processes), is renewed and released by its holder only, and is
//! free again once expired; a run whose heartbeat went stale is claimed by exactly one
//! worker, a live one by none.

use alcance_store::testing::{self, TestStore};
use alcance_store::{both_engines, Engine, Store};
use chrono::{DateTime, Duration, TimeZone, Utc};

fn t(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 18, 0, 0).single().expect("valid") + Duration::seconds(seconds)
}

/// `n` handles on the test database: separate pools on PostgreSQL, the one in-memory
/// store (cloned) on SQLite.
async fn handles(db: &TestStore, n: usize) -> Vec<Store> {
    let mut stores = Vec::new();
    for _ in 0..n {
        stores.push(match db.reopen().await {
            Some(store) => store.expect("reopen"),
            None => db.store().clone(),
        });
    }
    stores
}

async fn a_free_lease_goes_to_exactly_one_claimer(engine: Engine) {
    let Some(db) = testing::store(engine).await else { return };
    let stores = handles(&db, 8).await;
    let claims = stores.iter().cloned().enumerate().map(|(i, s)| {
        let worker = format!("w{i}");
        async move { s.claim_lease("alcance/x/1", &worker, t(0), t(30)).await.expect("claim") }
    });
    let won = futures_count(claims).await;
    assert_eq!(won, 1, "exactly one claimer holds the lease");
    let holder = db.live_leases(t(0)).await.expect("leases");
    assert_eq!(holder.len(), 1);
    let (name, worker) = &holder[0];
    assert_eq!(name, "alcance/x/1");
    // The holder renews; another worker cannot take it before it expires.
    assert!(db.claim_lease(name, worker, t(10), t(40)).await.expect("renew"));
    assert!(!db.claim_lease(name, "other", t(39), t(69)).await.expect("held"));
    assert_eq!(db.renew_leases(worker, t(60)).await.expect("renew"), 1);
    assert!(!db.claim_lease(name, "other", t(45), t(75)).await.expect("renewed"));
    // Expired: free for another worker, whose lease the old holder cannot renew or release.
    assert!(db.claim_lease(name, "other", t(60), t(90)).await.expect("expired"));
    assert_eq!(db.renew_leases(worker, t(120)).await.expect("not held"), 0);
    assert_eq!(db.release_leases(worker).await.expect("not held"), 0);
    assert_eq!(db.release_leases("other").await.expect("release"), 1);
    assert!(db.live_leases(t(60)).await.expect("leases").is_empty());
    for s in stores {
        s.close().await;
    }
}

/// Runs the claims concurrently, each on its own task, and counts the successful ones.
async fn futures_count<F>(claims: impl Iterator<Item = F>) -> usize
where
    F: std::future::Future<Output = bool> + Send + 'static,
{
    let tasks: Vec<_> = claims.map(tokio::spawn).collect();
    let mut won = 0;
    for task in tasks {
        won += usize::from(task.await.expect("claim task"));
    }
    won
}

async fn a_stale_run_is_claimed_by_exactly_one_worker(engine: Engine) {
    let Some(db) = testing::store(engine).await else { return };
    let live = db.start_run("scheduled", t(0)).await.expect("run");
    let dead = db.start_run("scheduled", t(0)).await.expect("run");
    assert!(db.heartbeat_run(live, "w-live", t(50)).await.expect("heartbeat"));
    assert!(db.heartbeat_run(dead, "w-dead", t(10)).await.expect("heartbeat"));
    // At t(45) with a 30-s lease, only the dead worker's run (heartbeat t(10)) is stale.
    let stores = handles(&db, 6).await;
    let claims = stores.iter().cloned().enumerate().map(|(i, s)| {
        let worker = format!("w{i}");
        async move { s.claim_stale_run(&worker, t(45), t(15)).await.expect("claim").is_some() }
    });
    assert_eq!(futures_count(claims).await, 1, "exactly one worker takes the run over");
    assert!(db.claim_stale_run("late", t(45), t(15)).await.expect("claim").is_none());
    // The dead worker, were it to come back, no longer owns its run.
    assert!(!db.heartbeat_run(dead, "w-dead", t(46)).await.expect("heartbeat"));
    // A finished run is never claimed (the taker finished the dead worker's run).
    for run in [live, dead] {
        db.finish_run(run, "ok", t(60), &Default::default())
            .await
            .expect("finish");
    }
    assert!(db
        .claim_stale_run("late", t(500), t(400))
        .await
        .expect("claim")
        .is_none());
    for s in stores {
        s.close().await;
    }
}

both_engines!(multi_thread:
    a_free_lease_goes_to_exactly_one_claimer,
    a_stale_run_is_claimed_by_exactly_one_worker,
);
