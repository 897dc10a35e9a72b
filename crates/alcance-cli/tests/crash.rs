//! Crash safety: `alcance demo` (OAuth, then hundreds of daily collections into SQLite,
//! against a sandbox that outlives it) is killed with SIGKILL at seeded random moments,
//! `ALCANCE_CRASH_KILLS` times (24 unless set; docs/RELIABILITY.md has the 100-kill run).
//! After every kill the database passes `PRAGMA integrity_check` and
//! `foreign_key_check`, opens again (migrations and all), and holds no half-written account
//! batch: each account's snapshot at a run's `collected_at` is all there or not there at
//! all, its posts' metrics were written with it, and nothing is dated after the account's
//! `last_collected_at`. Then the next start works on a killed workspace: `alcance collect
//! --now` collects every account of it and leaves it just as consistent. The other kill
//! points (backup, restore, export, migration, `alcance collect`) are in `crash_points.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use crate::common;

use alcance_app::sandbox::{Sandbox, SandboxConfig};
use alcance_app::Store;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How many kills: `ALCANCE_CRASH_KILLS`, else 24 (CI's count).
fn kills() -> usize {
    std::env::var("ALCANCE_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(24)
        .max(2)
}
/// Enough simulated days that the demo is still collecting when it is killed.
const DAYS: &str = "400";

/// xorshift64*: a small seeded generator, so every run of the test kills at the same moments.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

/// What one killed workspace held.
#[derive(Debug, Default)]
struct Seen {
    runs: usize,
    saved_batches: usize,
    interrupted_run: bool,
}

async fn strings(store: &Store, sql: &str, id: i64, at: &str) -> BTreeSet<String> {
    let rows: Vec<(String,)> = sqlx::query_as(sql)
        .bind(id)
        .bind(at)
        .fetch_all(store.sqlite_pool().expect("an SQLite store"))
        .await
        .expect("query");
    rows.into_iter().map(|(s,)| s).collect()
}

async fn count(store: &Store, sql: &str, id: i64, at: &str) -> i64 {
    let row: (i64,) = sqlx::query_as(sql)
        .bind(id)
        .bind(at)
        .fetch_one(store.sqlite_pool().expect("an SQLite store"))
        .await
        .expect("count");
    row.0
}

/// Rows of `account` in any table that only a batch stamped `at` writes (a later batch
/// moves `last_seen_at` on, or dates its own rows).
const TOUCHED_AT: &str = "SELECT
      (SELECT count(*) FROM account_metrics WHERE account_id = ?1 AND (collected_at = ?2 OR last_seen_at = ?2))
    + (SELECT count(*) FROM posts WHERE account_id = ?1 AND last_seen_at = ?2)
    + (SELECT count(*) FROM post_metrics pm JOIN posts p ON p.id = pm.post_id
       WHERE p.account_id = ?1 AND (pm.collected_at = ?2 OR pm.last_seen_at = ?2))";

/// Whether the demo writing `db` has a collection run in progress, read through a read-only
/// connection of this process (WAL: the writer is not blocked). `false` while the file, its
/// tables or the run do not exist yet.
async fn a_run_is_running(db: &Path) -> bool {
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::{ConnectOptions, Connection};
    if !db.exists() {
        return false;
    }
    let Ok(mut conn) = SqliteConnectOptions::new().filename(db).read_only(true).connect().await else {
        return false;
    };
    let running: Result<(i64,), _> = sqlx::query_as("SELECT count(*) FROM collection_runs WHERE status = 'running'")
        .fetch_one(&mut conn)
        .await;
    let _ = conn.close().await;
    matches!(running, Ok((n,)) if n > 0)
}

/// Opens a killed workspace's database (as the next start does) and checks it. `strict`:
/// nothing ran after the kill, so every run's batches can be checked, not only the last.
async fn check(db: &Path, strict: bool) -> Seen {
    let store = Store::open(db).await.expect("a killed database opens again");
    assert_eq!(store.integrity_check().await.expect("integrity"), "ok");
    let broken: Vec<(String, i64, String, i64)> = sqlx::query_as("PRAGMA foreign_key_check")
        .fetch_all(store.sqlite_pool().expect("an SQLite store"))
        .await
        .expect("fk check");
    assert!(broken.is_empty(), "foreign keys: {broken:?}");

    let runs: Vec<(String, String)> = sqlx::query_as("SELECT started_at, status FROM collection_runs ORDER BY id")
        .fetch_all(store.sqlite_pool().expect("an SQLite store"))
        .await
        .expect("runs");
    let accounts: Vec<(i64, Option<String>)> = sqlx::query_as("SELECT id, last_collected_at FROM accounts")
        .fetch_all(store.sqlite_pool().expect("an SQLite store"))
        .await
        .expect("accounts");
    let mut seen = Seen {
        runs: runs.len(),
        interrupted_run: runs.iter().any(|(_, s)| s == "running"),
        ..Seen::default()
    };
    for (account, last) in &accounts {
        // Snapshot metrics every batch of this account writes (none for WhatsApp).
        let keys = strings(
            &store,
            "SELECT DISTINCT metric FROM account_metrics WHERE account_id = ?1 AND period = 'snapshot' AND ?2 = ?2",
            *account,
            "",
        )
        .await;
        let has_posts = count(
            &store,
            "SELECT count(*) FROM posts WHERE account_id = ?1 AND ?2 = ?2",
            *account,
            "",
        )
        .await
            > 0;
        let Some(last) = last else {
            let rows = count(
                &store,
                "SELECT (SELECT count(*) FROM account_metrics WHERE account_id = ?1 AND ?2 = ?2)
                      + (SELECT count(*) FROM posts WHERE account_id = ?1)",
                *account,
                "",
            )
            .await;
            assert_eq!(rows, 0, "account {account}: data but no last_collected_at");
            continue;
        };
        // The last batch left its data, and nothing is dated after it.
        assert!(
            count(&store, TOUCHED_AT, *account, last).await > 0,
            "account {account}: nothing written at its last_collected_at {last}"
        );
        let later = count(
            &store,
            "SELECT (SELECT count(*) FROM account_metrics WHERE account_id = ?1 AND (collected_at > ?2 OR last_seen_at > ?2))
                  + (SELECT count(*) FROM posts WHERE account_id = ?1 AND last_seen_at > ?2)
                  + (SELECT count(*) FROM post_metrics pm JOIN posts p ON p.id = pm.post_id
                     WHERE p.account_id = ?1 AND (pm.collected_at > ?2 OR pm.last_seen_at > ?2))",
            *account,
            last,
        )
        .await;
        assert_eq!(later, 0, "account {account}: rows after last_collected_at {last}");
        if keys.is_empty() {
            continue;
        }
        for (at, status) in &runs {
            if !strict && at != last {
                continue;
            }
            // The snapshot metrics whose value held at `at`: all of them, or none.
            let covered = strings(
                &store,
                "SELECT DISTINCT metric FROM account_metrics
                 WHERE account_id = ?1 AND period = 'snapshot' AND collected_at <= ?2 AND last_seen_at >= ?2",
                *account,
                at,
            )
            .await;
            if covered.is_empty() {
                // Only a run that did not end well (interrupted, partial) may miss an account.
                assert!(
                    at > last || status != "ok",
                    "account {account}: run at {at} ({status}) left no snapshot"
                );
                let touched = count(&store, TOUCHED_AT, *account, at).await;
                assert_eq!(
                    touched, 0,
                    "account {account}: part of a batch at {at} without its snapshot"
                );
                continue;
            }
            seen.saved_batches += 1;
            assert_eq!(covered, keys, "account {account}: half a snapshot at {at}");
            if has_posts {
                let covering_posts = count(
                    &store,
                    "SELECT count(*) FROM post_metrics pm JOIN posts p ON p.id = pm.post_id
                     WHERE p.account_id = ?1 AND pm.collected_at <= ?2 AND pm.last_seen_at >= ?2",
                    *account,
                    at,
                )
                .await;
                assert!(
                    covering_posts > 0,
                    "account {account}: snapshot at {at} without its posts' metrics"
                );
            }
            if at == last {
                assert!(
                    !covered.is_empty(),
                    "account {account}: no snapshot at its last_collected_at {at}"
                );
            }
        }
    }
    store.close().await;
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_a_collecting_process_never_leaves_a_half_written_batch() {
    let started = Instant::now();
    let sandbox = Sandbox::start(SandboxConfig::seeded(42)).await.expect("sandbox");
    let url = sandbox.base_url().to_string();
    let root = tempfile::tempdir().expect("tempdir");
    let mut rng = Rng(0x5eed_a1ca_0ce0_0001);
    let (mut interrupted, mut batches) = (0, 0);
    let mut resumable = None;
    let kills = kills();
    for i in 0..kills {
        let out = root.path().join(format!("kill-{i:02}"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_alcance"))
            .args(["demo", "--days", DAYS, "--sandbox-url", &url, "--out"])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("alcance demo starts");
        // Three kills in four land inside a collection run: the demo first connects ten
        // platforms (seconds on a loaded machine), so a delay counted from the process's
        // start would mostly land in the connects. The fourth lands anywhere from the start
        // (before the workspace exists, in a migration, in a connect).
        let delay = if i % 4 == 3 {
            Duration::from_millis(rng.between(50, 1500))
        } else {
            let db = out.join("alcance.db");
            let waited = Instant::now();
            while !a_run_is_running(&db).await {
                assert!(
                    child.try_wait().expect("status").is_none(),
                    "kill {i}: the demo ended before a run started"
                );
                assert!(
                    waited.elapsed() < Duration::from_secs(300),
                    "kill {i}: no run started in 300 s"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Duration::from_millis(rng.between(0, 1200))
        };
        tokio::time::sleep(delay).await;
        let finished = child.try_wait().expect("status").is_some();
        assert!(!finished, "kill {i}: the demo ended before {delay:?}; raise DAYS");
        child.kill().expect("SIGKILL"); // std sends SIGKILL on Unix
        child.wait().expect("reaped");

        let db = out.join("alcance.db");
        if !db.exists() {
            continue; // killed before the workspace was created
        }
        let seen = check(&db, true).await;
        if seen.interrupted_run {
            interrupted += 1;
            resumable = Some(out.clone());
        }
        batches += seen.saved_batches;
    }
    assert!(interrupted >= kills / 2, "only {interrupted} kills interrupted a run");
    assert!(batches > 0);

    // The next start on a killed workspace works: collect every account now.
    let ws = resumable.expect("a workspace killed mid-run");
    let before = check(&ws.join("alcance.db"), true).await;
    // The killed demos left the sandbox clock on a past day: back to the real time.
    common::set_clock(&url, None).await;
    let done = Command::new(env!("CARGO_BIN_EXE_alcance"))
        .args(["collect", "--now", "--sandbox-url", &url, "--workspace"])
        .arg(&ws)
        .env("ALCANCE_VAULT_PASSPHRASE", "alcance-demo-workspace")
        .output()
        .expect("alcance collect runs");
    assert!(
        done.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&done.stdout),
        String::from_utf8_lossy(&done.stderr)
    );
    let after = check(&ws.join("alcance.db"), false).await;
    assert_eq!(after.runs, before.runs + 1, "{before:?} → {after:?}");
    // The new run collected every account of the killed workspace.
    let store = Store::open(&ws.join("alcance.db")).await.expect("open");
    let (status, at): (String, String) =
        sqlx::query_as("SELECT status, started_at FROM collection_runs ORDER BY id DESC LIMIT 1")
            .fetch_one(store.sqlite_pool().expect("an SQLite store"))
            .await
            .expect("last run");
    assert_eq!(status, "ok");
    let behind: Vec<(i64, Option<String>)> =
        sqlx::query_as("SELECT id, last_collected_at FROM accounts WHERE last_collected_at IS NOT ?1")
            .bind(&at)
            .fetch_all(store.sqlite_pool().expect("an SQLite store"))
            .await
            .expect("accounts");
    assert!(behind.is_empty(), "accounts not collected by the new run: {behind:?}");
    store.close().await;
    sandbox.shutdown().await;
    // The figures docs/RELIABILITY.md records (`--nocapture` shows them).
    println!(
        "collection: {kills} kills, {interrupted} interrupted runs, {batches} batches checked, {:?}",
        started.elapsed()
    );
}
