//! Many collectors, one schedule, as a team runs them (issue 11, point 3): four `alcance
//! run --workspace postgres://…` processes share one team database on a real PostgreSQL
//! (`ALCANCE_TEST_PG_URL`, see scripts/pg-cluster.sh; skipped locally without one, failing
//! under CI) and 200 due X profiles on the sandbox. One process is killed with SIGKILL in
//! the middle of its run; the others keep collecting, and once its lease expires (`--lease
//! 3s`) one of them takes its run over and finishes it. Every profile is collected exactly
//! once in the slot (one `done` row in `run_accounts`), no snapshot is duplicated or lost,
//! and no lease is left behind.
//!
//! The set-up runs in this process through `alcance-app` (each profile gets its own copy
//! of one X token under its own vault key, so the 200 accounts form 200 lease groups and
//! spread over the workers); the workers are the real binary, each with its own
//! connections. The sandbox answers the X user routes 60 ms late, so a run of 25 accounts
//! lasts seconds and the kill lands inside one. Waits poll the database; their only limit
//! is a guard against a hang, never a timed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alcance_app::demo::demo_app;
use alcance_app::oauth::HeadlessBrowser;
use alcance_app::sandbox::{Sandbox, SandboxConfig};
use alcance_app::{AccountRef, AccountStatus, Apis, Platform, Session, StoreLocation, Team, TeamKeySource, VaultNeed};
use sqlx::PgPool;
use std::collections::HashMap;
use std::process::{Child, Command};

use crate::common;
use common::*;

const PROFILES: usize = 200;
const WORKERS: usize = 4;

/// `alcance` for a team member: no OS keychain, the workspace key from `key_file`.
fn member(key_file: &std::path::Path) -> Command {
    let mut cmd = alcance();
    cmd.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
        .env("ALCANCE_VAULT_KEY_FILE", key_file)
        .env_remove("ALCANCE_VAULT_KEY")
        .env("HOME", key_file.parent().expect("folder"));
    cmd
}

/// A run account left behind: (run, account, status, error, run status, run finished at,
/// run worker).
type LeftOver = (i64, i64, String, Option<String>, String, Option<String>, Option<String>);

/// `alcance run` on the team database with a 3 s lease, no backups; its output goes to
/// `worker-<n>.log` beside the key file.
fn worker(key_file: &std::path::Path, db: &str, sandbox: &str, n: usize) -> Child {
    let log = std::fs::File::create(key_file.with_file_name(format!("worker-{n}.log"))).unwrap();
    member(key_file)
        .args(["run", "--workspace", db, "--sandbox-url", sandbox])
        .args(["--keep-backups", "0", "--lease", "3s"])
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("alcance run starts")
}

/// The part of a worker id that names its process (`{host}:{pid}:…`).
fn pid_part(child: &Child) -> String {
    format!("%:{}:%", child.id())
}

/// Polls `done` every 100 ms until it holds; panics naming `what` after a guard against a
/// hang (3 minutes), printing the workers' logs.
fn wait_for(home: &std::path::Path, what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..1_800 {
        if done() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    for n in 0..WORKERS {
        let log = std::fs::read_to_string(home.join(format!("worker-{n}.log"))).unwrap_or_default();
        eprintln!("--- worker {n}\n{log}");
    }
    panic!("never happened: {what}");
}

/// Stops a worker as Ctrl-C would (SIGINT) and waits for its clean exit.
fn interrupt(mut child: Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(status.success());
    let exit = child.wait().expect("worker exits");
    assert!(exit.success(), "a worker stopped by Ctrl-C exits cleanly: {exit}");
}

#[test]
fn four_run_processes_collect_each_due_account_once_even_when_one_is_killed() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = runtime.block_on(alcance_app::testing::empty_database()) else {
        return;
    };
    let sandbox = runtime
        .block_on(Sandbox::start(SandboxConfig::seeded(42)))
        .expect("sandbox");
    sandbox.state().set_limits_enabled(false);
    let sandbox_url = sandbox.base_url();
    let home = tempfile::tempdir().unwrap();
    let key_file = home.path().join("team.key");
    ok(member(&key_file)
        .args(["team", "create", db.url(), "--key-file"])
        .arg(&key_file)
        .output()
        .expect("team create"));

    // Set-up: one X account connected through OAuth (then paused), 200 tracked profiles
    // each with its own copy of its token, hourly and due now.
    let StoreLocation::Postgres(url) = StoreLocation::parse(db.url()) else {
        panic!("a postgres URL")
    };
    let team = Team::new(url, &home.path().join("set-up"));
    let source = TeamKeySource {
        file: Some(key_file.clone()),
        ..TeamKeySource::default()
    };
    let session = runtime
        .block_on(Session::team(
            &team,
            &Apis::from_sandbox_url(Some(&sandbox_url)),
            &source,
            VaultNeed::Required,
        ))
        .expect("team session");
    let ws = session.workspace().clone();
    let owner = runtime
        .block_on(ws.connect(
            &demo_app(Platform::X),
            &HeadlessBrowser::new(),
            std::time::Duration::from_secs(30),
        ))
        .expect("connect X");
    let vault = session.vault().expect("team vault").0.clone();
    let token = vault
        .get(owner.vault_key.as_deref().expect("vault key"))
        .expect("vault")
        .expect("token");
    let due = chrono::Utc::now();
    let mut profiles = Vec::new();
    runtime.block_on(async {
        let store = ws.store();
        store.set_account_status(owner.id, AccountStatus::Paused).await.unwrap();
        for i in 0..PROFILES {
            let key = format!("alcance/x/team-{i:04}");
            let account = AccountRef {
                platform: Platform::X,
                external_id: format!("bench-{i:04}"),
                username: Some("ana_influencer".into()),
                owned: false,
            };
            let id = store.upsert_account(&account, None, Some(&key)).await.unwrap();
            store.set_cadence(id, "hourly", 3_600, due).await.unwrap();
            profiles.push((id, key));
        }
    });
    for (_, key) in &profiles {
        vault.put(key, &token).expect("token copy");
    }
    drop(vault);
    drop(ws);
    runtime.block_on(session.close());
    // Every profile read is slowed, so runs overlap. Until the victim is killed the delay is
    // long (250 ms), so that on a loaded machine its 25 accounts still outlast the three
    // other processes' start and first account; then 60 ms for the rest of the slot.
    let faults = format!("{}/__alcance/faults", sandbox_url.as_str().trim_end_matches('/'));
    let set_slow = |delay_ms: u64| {
        runtime.block_on(async {
            let client = reqwest::Client::new();
            let cleared = client.delete(&faults).send().await.unwrap();
            assert!(cleared.status().is_success());
            let slow = serde_json::json!({"path_prefix": "/2/users", "kind": "slow", "times": 1_000_000, "delay_ms": delay_ms});
            let answer = client.post(&faults).json(&slow).send().await.unwrap();
            assert!(answer.status().is_success());
        })
    };
    set_slow(250);

    let pool = runtime.block_on(PgPool::connect(db.url())).expect("test connection");
    let done_in = |pattern: &str| -> (Option<i64>, i64) {
        runtime.block_on(async {
            let run: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM collection_runs WHERE worker LIKE $1 AND finished_at IS NULL ORDER BY id LIMIT 1",
            )
            .bind(pattern)
            .fetch_optional(&pool)
            .await
            .unwrap();
            let done: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM run_accounts ra JOIN collection_runs r ON r.id = ra.run_id
                 WHERE r.worker LIKE $1 AND ra.status = 'done'",
            )
            .bind(pattern)
            .fetch_one(&pool)
            .await
            .unwrap();
            (run, done)
        })
    };

    // The victim starts first and is in the middle of a run (one account saved, the rest
    // of its 25 pending) when the other three have started collecting too.
    let db_url = db.url().to_string();
    let sandbox_text = sandbox_url.to_string();
    let mut victim = worker(&key_file, &db_url, &sandbox_text, 0);
    let victim_pattern = pid_part(&victim);
    wait_for(home.path(), "the victim saves an account", || {
        let (run, done) = done_in(&victim_pattern);
        run.is_some() && done >= 1
    });
    let others: Vec<Child> = (1..WORKERS)
        .map(|n| worker(&key_file, &db_url, &sandbox_text, n))
        .collect();
    let patterns: Vec<String> = others.iter().map(pid_part).collect();
    wait_for(home.path(), "the other workers collect", || {
        patterns.iter().all(|p| done_in(p).1 >= 1)
    });
    let (victim_run, victim_done) = done_in(&victim_pattern);
    let victim_run = victim_run.expect("the victim is still in its run");
    assert!(
        victim_done < 25,
        "the victim is killed mid-run, not after it: {victim_done} done"
    );
    println!("killing worker 0 in run {victim_run} after {victim_done} of its accounts");
    victim.kill().expect("SIGKILL");
    victim.wait().expect("reaped");
    set_slow(60);

    // The others finish the slot, the victim's run included.
    let slot_done = || {
        runtime.block_on(async {
            let open: i64 = sqlx::query_scalar("SELECT count(*) FROM collection_runs WHERE finished_at IS NULL")
                .fetch_one(&pool)
                .await
                .unwrap();
            let collected: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM schedules WHERE account_id <> $1 AND last_status = 'ok' AND last_run_at IS NOT NULL",
            )
            .bind(owner.id)
            .fetch_one(&pool)
            .await
            .unwrap();
            open == 0 && collected == PROFILES as i64
        })
    };
    wait_for(home.path(), "every profile collected, every run finished", slot_done);
    for child in others {
        interrupt(child);
    }

    runtime.block_on(async {
        // Exactly once per profile, nothing pending or failed.
        let done: Vec<(i64, i64)> =
            sqlx::query_as("SELECT account_id, count(*) FROM run_accounts WHERE status = 'done' GROUP BY account_id")
                .fetch_all(&pool)
                .await
                .unwrap();
        let done: HashMap<i64, i64> = done.into_iter().collect();
        let wrong: Vec<(i64, i64)> = profiles
            .iter()
            .map(|(id, _)| (*id, done.get(id).copied().unwrap_or(0)))
            .filter(|(_, n)| *n != 1)
            .collect();
        assert!(wrong.is_empty(), "profiles not collected exactly once: {wrong:?}");
        // Any run account not done, with its run, to tell a slow heartbeat's takeover from
        // a run started after the slot (the test has failed so once under heavy CPU load).
        let left: Vec<LeftOver> = sqlx::query_as(
            "SELECT ra.run_id, ra.account_id, ra.status, ra.error, r.status, r.finished_at, r.worker
             FROM run_accounts AS ra JOIN collection_runs AS r ON r.id = ra.run_id
             WHERE ra.status <> 'done' ORDER BY ra.run_id, ra.account_id",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        assert!(
            left.is_empty(),
            "run accounts left pending, failed or skipped (run, account, status, error, run status, \
             finished, worker): {left:#?}"
        );

        // The victim's run was taken over by a live worker and finished.
        let (status, finished, taken_by): (String, Option<String>, Option<String>) =
            sqlx::query_as("SELECT status, finished_at, worker FROM collection_runs WHERE id = $1")
                .bind(victim_run)
                .fetch_one(&pool)
                .await
                .unwrap();
        let taken_by = taken_by.expect("a worker");
        println!("run {victim_run} ended {status} by {taken_by}");
        assert_eq!(status, "ok");
        assert!(finished.is_some());
        assert!(
            patterns.iter().any(|p| taken_by.contains(p.trim_matches('%'))),
            "run {victim_run} finished by {taken_by}, one of the live workers"
        );

        // Nothing lost, nothing twice: each profile's followers snapshot is there, no
        // snapshot key is written twice, every collection wrote metrics.
        let with_followers: i64 = sqlx::query_scalar(
            "SELECT count(DISTINCT account_id) FROM account_metrics
             WHERE metric = 'followers' AND period = 'snapshot' AND account_id <> $1",
        )
        .bind(owner.id)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(with_followers, PROFILES as i64);
        let duplicates: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM (SELECT account_id, metric, period, period_start FROM account_metrics
                                   GROUP BY account_id, metric, period, period_start HAVING count(*) > 1) d",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(duplicates, 0, "duplicate snapshots");
        let empty: i64 =
            sqlx::query_scalar("SELECT count(*) FROM run_accounts WHERE status = 'done' AND metrics_written = 0")
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(empty, 0, "collections that wrote nothing");

        // The schedule was shared: every live worker ran part of it.
        for p in &patterns {
            let runs: i64 = sqlx::query_scalar("SELECT count(*) FROM collection_runs WHERE worker LIKE $1")
                .bind(p)
                .fetch_one(&pool)
                .await
                .unwrap();
            assert!(runs >= 1, "worker {p} ran nothing");
        }
        pool.close().await;
        let store = alcance_app::Store::open_postgres(db.url()).await.unwrap();
        let live = store.live_leases(chrono::Utc::now()).await.unwrap();
        assert!(live.is_empty(), "leases left behind: {live:?}");
        store.close().await;
    });
    runtime.block_on(sandbox.shutdown());
}
