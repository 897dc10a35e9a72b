#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Issue 11 point 7, team workspaces at the brief's launch load (docs/PERFORMANCE.md):
//!
//! 1. **A simulated day** (`day`): 1,000 tracked X profiles on the seeded sandbox (rate
//!    limits off), each due every 86,400 / 10 s, collected by 4 schedulers (the app's
//!    [`Scheduler`] with leases, each on its own connection pool as a separate process
//!    would have) through 10 due slots: 10,000 collections. Time is compressed: a manual
//!    clock jumps to the next slot as soon as every account of the current one is
//!    collected, so the wall time is the collection work alone. Prints the wall time,
//!    collections/s, records stored, the database size, and checks every due slot was
//!    collected exactly once per account (one `done` run account per account and slot, no
//!    duplicate snapshot). On SQLite the same day runs with one (solo) scheduler.
//! 2. **A year of data** (`year`): a workspace of 1,000 X accounts × 365 days built by a
//!    bulk path (rows generated in this process in the store's own formats and inserted
//!    with `INSERT … SELECT` over a JSON array, 20,000 rows a statement, into a store opened
//!    (so migrated) by `alcance-store`; see [`YearShape`] for what a day holds), then the
//!    reads the dashboard and a month's export run, each timed `REPS` times (p50 / p95),
//!    and `EXPLAIN (ANALYZE, BUFFERS)` (PostgreSQL) / `EXPLAIN QUERY PLAN` (SQLite) of the
//!    store's filtered reads with the dashboard's and the export's bounds.
//!
//! Build once, run the binary beside a throwaway PostgreSQL (both engines are measured in
//! one run when `ALCANCE_TEST_PG_URL` is set):
//!
//! ```sh
//! cargo bench -p alcance-app --bench team_day --no-run
//! nice scripts/pg-cluster.sh target/release/deps/team_day-<hash>
//! ```
//!
//! Environment (defaults in brackets): `ALCANCE_BENCH_PARTS` [`day,year`];
//! `ALCANCE_BENCH_ENGINES` [`postgres,sqlite`]; day: `ALCANCE_BENCH_ACCOUNTS` [1000],
//! `ALCANCE_BENCH_SLOTS` [10], `ALCANCE_BENCH_WORKERS` [4], `ALCANCE_BENCH_WINDOW_HOURS`
//! [48]; year: `ALCANCE_BENCH_YEAR_ACCOUNTS` [1000], `ALCANCE_BENCH_DAYS` [365],
//! `ALCANCE_BENCH_POSTS_PER_DAY` [1], `ALCANCE_BENCH_REPS` [7], `ALCANCE_BENCH_EXPORT_FILES`
//! [0: 1 also times writing the month's CSV / JSON / XLSX files], `ALCANCE_BENCH_KEEP` [0: 1 keeps
//! the year's database folder and prints its path]. Not run in CI.

use alcance_app::demo::demo_app;
use alcance_app::lease::LeaseConfig;
use alcance_app::scheduler::{Clock, Scheduler, SchedulerConfig, SchedulerEvent};
use alcance_app::views::{accounts, dashboard, dashboard_kpis, posts_page, ChartLabels, SharedVault, ViewFilter};
use alcance_app::{AccountStatus, Workspace, WorkspaceOptions};
use alcance_collector::schedule::{Jitter, RefreshPolicy, RefreshTier};
use alcance_core::{AccountRef, Platform};
use alcance_platforms::oauth::HeadlessBrowser;
use alcance_platforms::vault::{MemoryVault, TokenVault};
use alcance_platforms::Endpoints;
use alcance_sandbox::{Sandbox, SandboxConfig};
use alcance_store::synthetic::{build_year, env_num, pg_server, Place, YearShape};
use alcance_store::time::to_db;
use alcance_store::{on_pool, Engine, RowFilter, Store};
use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::broadcast::error::RecvError;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Res<T> = Result<T, BoxError>;

fn env_list(name: &str, default: &str) -> Vec<String> {
    std::env::var(name)
        .unwrap_or_else(|_| default.to_string())
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / 1_048_576.0)
}

fn engine_name(engine: Engine) -> &'static str {
    match engine {
        Engine::Postgres => "PostgreSQL",
        _ => "SQLite",
    }
}

// ---------------------------------------------------------------------------------------
// 1. The simulated day.
// ---------------------------------------------------------------------------------------

/// A clock the bench sets.
struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap() = at;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

fn options(sandbox: &Sandbox, vault: &Arc<MemoryVault>) -> WorkspaceOptions {
    WorkspaceOptions {
        endpoints: Endpoints::sandbox(&sandbox.base_url()),
        vault: Box::new(SharedVault(Arc::clone(vault) as Arc<dyn TokenVault>)),
    }
}

/// The app's scheduler settings but no jitter, no backups, a short nap (the clock is
/// moved by the bench), a refresh window of `window_hours` on every run, and on
/// PostgreSQL the default lease settings under a readable worker name.
fn day_config(engine: Engine, worker: usize, window_hours: i64) -> SchedulerConfig {
    SchedulerConfig {
        jitter: Jitter::none(),
        backups: None,
        max_nap: std::time::Duration::from_millis(20),
        story_cadence: None,
        refresh: RefreshPolicy {
            tiers: vec![RefreshTier {
                max_age: Duration::hours(window_hours),
                every: None,
            }],
            tolerance: 0.15,
        },
        lease: (engine == Engine::Postgres).then(|| LeaseConfig {
            worker: format!("w{worker}"),
            ..LeaseConfig::default()
        }),
        ..SchedulerConfig::default()
    }
}

/// (accounts whose last successful collection is at or after `slot`, accounts failed in
/// it, runs not finished).
async fn slot_state(store: &Store, owner: i64, slot: DateTime<Utc>) -> Res<(usize, usize, i64)> {
    let schedules = store.schedules().await?;
    let mine = || schedules.iter().filter(|s| s.account_id != owner);
    let done = mine()
        .filter(|s| s.last_status.as_deref() == Some("ok") && s.last_run_at.is_some_and(|t| t >= slot))
        .count();
    let failed = mine()
        .filter(|s| s.last_status.as_deref() == Some("failed") && s.last_run_at.is_some_and(|t| t >= slot))
        .count();
    let open: i64 = on_pool!(store.pool(), |p| sqlx::query_scalar(
        "SELECT count(*) FROM collection_runs WHERE finished_at IS NULL"
    )
    .fetch_one(p)
    .await?);
    Ok((done, failed, open))
}

async fn day(engine: Engine) -> Res<()> {
    let accounts = env_num("ALCANCE_BENCH_ACCOUNTS", 1000).max(1) as usize;
    let slots = env_num("ALCANCE_BENCH_SLOTS", 10).max(1);
    let workers = match engine {
        Engine::Postgres => env_num("ALCANCE_BENCH_WORKERS", 4).max(1) as usize,
        _ => 1,
    };
    let window_hours = env_num("ALCANCE_BENCH_WINDOW_HOURS", 48).max(1);
    let every = 86_400 / slots;
    let t0 = Utc
        .with_ymd_and_hms(2026, 11, 20, 0, 0, 0)
        .single()
        .ok_or("bad start")?;

    let sandbox = Sandbox::start(SandboxConfig::seeded(42)).await?;
    sandbox.state().set_limits_enabled(false);
    sandbox.state().set_clock(Some(t0));
    let vault = Arc::new(MemoryVault::new());
    let dir = tempfile::tempdir()?;
    let place = Place::new(engine, dir.path(), "day").await?;
    let ws_dir = dir.path().join("ws");
    let open_ws = |store: Store| {
        let opts = options(&sandbox, &vault);
        let ws_dir = ws_dir.clone();
        async move { Workspace::open_on(&ws_dir, store, opts).await }
    };
    let ws = Arc::new(open_ws(place.open().await?).await?);
    let owner = ws
        .connect(
            &demo_app(Platform::X),
            &HeadlessBrowser::new(),
            std::time::Duration::from_secs(30),
        )
        .await?;
    let token = vault
        .get(owner.vault_key.as_deref().ok_or("no vault key")?)?
        .ok_or("no token")?;
    let store = ws.store();
    store.set_account_status(owner.id, AccountStatus::Paused).await?;
    // Every profile has its own token copy, hence its own lease group, so the profiles
    // spread over the workers (as 1,000 accounts of many clients would).
    for i in 0..accounts {
        let key = format!("alcance/x/team-{i:04}");
        vault.put(&key, &token)?;
        let account = AccountRef {
            platform: Platform::X,
            external_id: format!("bench-{i:04}"),
            username: Some("ana_influencer".into()),
            owned: false,
        };
        let id = store.upsert_account(&account, None, Some(&key)).await?;
        store.set_cadence(id, "custom", every, t0).await?;
    }
    let clock = Arc::new(ManualClock(Mutex::new(t0)));

    let started = Instant::now();
    let mut schedulers = Vec::new();
    for i in 0..workers {
        let worker_ws = if i == 0 {
            Arc::clone(&ws)
        } else {
            Arc::new(open_ws(place.open().await?).await?)
        };
        let c: Arc<dyn Clock> = clock.clone();
        let scheduler = Scheduler::start_with(worker_ws.clone(), c, day_config(engine, i, window_hours));
        // Accounts each worker collected, from its `RunFinished` events.
        let mut events = scheduler.subscribe();
        let count = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&count);
        tokio::spawn(async move {
            loop {
                match events.recv().await {
                    Ok(SchedulerEvent::RunFinished { accounts_ok, .. }) => {
                        counted.fetch_add(accounts_ok, Ordering::Relaxed);
                    }
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => break,
                }
            }
        });
        schedulers.push((worker_ws, scheduler, count));
    }
    let mut slot_secs = Vec::new();
    let mut complete = true;
    for k in 0..slots {
        let slot = t0 + Duration::seconds(k * every);
        clock.set(slot);
        sandbox.state().set_clock(Some(slot));
        let t = Instant::now();
        let mut last = (usize::MAX, Instant::now());
        loop {
            let (done, failed, open) = slot_state(store, owner.id, slot).await?;
            if done == accounts && open == 0 {
                break;
            }
            if done + failed == accounts && open == 0 {
                println!("slot {k}: {failed} accounts failed; going on");
                complete = false;
                break;
            }
            if done != last.0 {
                last = (done, Instant::now());
            } else if last.1.elapsed() > std::time::Duration::from_secs(120) {
                println!("slot {k}: stuck at {done} / {accounts} collected ({failed} failed, {open} runs open)");
                complete = false;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        slot_secs.push(t.elapsed().as_secs_f64());
    }
    let wall = started.elapsed().as_secs_f64();
    for (_, s, _) in &schedulers {
        s.stop().await;
    }
    let by_worker: Vec<usize> = schedulers.iter().map(|(_, _, n)| n.load(Ordering::Relaxed)).collect();

    // Checks: every account collected exactly once in every slot.
    let per_slot: Vec<(i64, String, i64)> = on_pool!(store.pool(), |p| sqlx::query_as(
        "SELECT ra.account_id, r.started_at, count(*) FROM run_accounts AS ra
         JOIN collection_runs AS r ON r.id = ra.run_id
         WHERE ra.status = 'done' AND ra.account_id <> $1
         GROUP BY ra.account_id, r.started_at"
    )
    .bind(owner.id)
    .fetch_all(p)
    .await?);
    let collections: i64 = per_slot.iter().map(|r| r.2).sum();
    let twice = per_slot.iter().filter(|r| r.2 > 1).count();
    let mut per_account: HashMap<i64, i64> = HashMap::new();
    for r in &per_slot {
        *per_account.entry(r.0).or_default() += r.2;
    }
    let wrong = per_account.values().filter(|n| **n != slots).count() + accounts.saturating_sub(per_account.len());
    let (pending, failed): (i64, i64) = on_pool!(store.pool(), |p| sqlx::query_as(
        "SELECT coalesce(sum(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0),
                coalesce(sum(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0)
         FROM run_accounts"
    )
    .fetch_one(p)
    .await?);
    let duplicate_snapshots: i64 = on_pool!(store.pool(), |p| sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM (SELECT account_id, metric, period, period_start FROM account_metrics
                                       GROUP BY account_id, metric, period, period_start HAVING count(*) > 1) d)
              + (SELECT count(*) FROM (SELECT post_id, metric, bucket FROM post_metrics
                                       GROUP BY post_id, metric, bucket HAVING count(*) > 1) e)"
    )
    .fetch_one(p)
    .await?);
    let runs: i64 = on_pool!(store.pool(), |p| sqlx::query_scalar(
        "SELECT count(*) FROM collection_runs"
    )
    .fetch_one(p)
    .await?);
    let leases = store.live_leases(clock.now()).await?;
    let counts = store.table_counts().await?;
    let metrics_written: i64 = on_pool!(store.pool(), |p| sqlx::query_scalar(
        "SELECT CAST(coalesce(sum(metrics_written), 0) AS BIGINT) FROM run_accounts WHERE status = 'done'"
    )
    .fetch_one(p)
    .await?);
    let size = place.size(store).await?;
    let expected = accounts as i64 * slots;
    let exactly_once = complete && collections == expected && twice == 0 && wrong == 0 && pending == 0 && failed == 0;

    println!("== simulated day on {} ==", engine_name(engine));
    println!("accounts {accounts}, {slots} due slots (every {every} s), {workers} worker(s), window {window_hours} h");
    println!("collections               {collections} (expected {expected}) in {runs} runs");
    println!(
        "wall time                 {wall:.1} s ({:.1} collections/s)",
        collections as f64 / wall
    );
    let mut sorted = slot_secs.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "per slot                  median {:.1} s, slowest {:.1} s",
        sorted[sorted.len() / 2],
        sorted[sorted.len() - 1]
    );
    println!("collections per worker    {by_worker:?} (from each scheduler's RunFinished events)");
    println!(
        "metric values written     {metrics_written} ({:.0}/s)",
        metrics_written as f64 / wall
    );
    println!(
        "rows stored               posts {}, post_metrics {}, account_metrics {}, raw_responses {}, runs {}",
        counts.posts, counts.post_metrics, counts.account_metrics, counts.raw_responses, counts.collection_runs
    );
    println!("database size             {} ({size} bytes)", mib(size));
    println!(
        "check                     {}: {collections} collections, {twice} (account, slot) pairs collected twice, \
         {wrong} accounts not collected exactly {slots} times, {pending} pending, {failed} failed, \
         {duplicate_snapshots} duplicate snapshots, {} leases left",
        if exactly_once && duplicate_snapshots == 0 && leases.is_empty() {
            "PASS"
        } else {
            "FAIL"
        },
        leases.len()
    );
    drop(schedulers);
    sandbox.shutdown().await;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 2. A year of data, and the dashboard / export reads on it.
// ---------------------------------------------------------------------------------------

/// p50 and p95 (nearest rank) of `times`, seconds.
fn percentiles(times: &mut [f64]) -> (f64, f64) {
    times.sort_by(f64::total_cmp);
    let rank = |q: f64| {
        let i = ((q * times.len() as f64).ceil() as usize).clamp(1, times.len()) - 1;
        times[i]
    };
    (rank(0.50), rank(0.95))
}

/// Runs `f` `reps` times after one warm-up; prints and returns p50 / p95 in ms.
async fn time<F, Fut, T>(name: &str, reps: usize, mut f: F) -> Res<(f64, f64)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Res<T>>,
    T: Counted,
{
    let n = f().await?.count();
    let mut times = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t = Instant::now();
        std::hint::black_box(f().await?);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (p50, p95) = percentiles(&mut times);
    println!("  {name:<52} {n:>10} rows  p50 {p50:>9.1} ms  p95 {p95:>9.1} ms");
    Ok((p50, p95))
}

/// How many rows a timed read returned.
trait Counted {
    fn count(&self) -> usize;
}

impl<T> Counted for Vec<T> {
    fn count(&self) -> usize {
        self.len()
    }
}

impl Counted for alcance_app::views::DashboardView {
    fn count(&self) -> usize {
        (self.follower_points + self.engagement_points) as usize
    }
}

impl Counted for alcance_report::export::ExportBundle {
    fn count(&self) -> usize {
        self.account_metrics.len() + self.post_metrics.len() + self.posts.len()
    }
}

impl Counted for () {
    fn count(&self) -> usize {
        0
    }
}

impl Counted for PathBuf {
    fn count(&self) -> usize {
        0
    }
}

/// The bind values of a [`RowFilter`] as the store binds them (see
/// `alcance_store::testing::read_statements`).
fn binds(f: &RowFilter) -> [Option<String>; 6] {
    [
        None,
        None,
        None,
        f.since.map(to_db),
        f.until.map(to_db),
        (!f.metrics.is_empty()).then(|| serde_json::to_string(&f.metrics).unwrap()),
    ]
}

/// Prints the plan of the store's read `name` with `filter`: `EXPLAIN (ANALYZE, BUFFERS)` on
/// PostgreSQL, `EXPLAIN QUERY PLAN` on SQLite.
async fn explain(store: &Store, label: &str, name: &str, filter: &RowFilter) -> Res<()> {
    let sql = alcance_store::testing::read_statements(store.engine(), filter)
        .into_iter()
        .find(|(n, _)| *n == name)
        .ok_or("no such read")?
        .1;
    let b = binds(filter);
    println!("--- {label}: Store::{name} ---");
    match store.pool() {
        alcance_store::Pool::Postgres(p) => {
            let lines: Vec<String> = sqlx::query_scalar(&format!("EXPLAIN (ANALYZE, BUFFERS) {sql}"))
                .bind(&b[0])
                .bind(&b[1])
                .bind(&b[2])
                .bind(&b[3])
                .bind(&b[4])
                .bind(&b[5])
                .fetch_all(p)
                .await?;
            for l in lines {
                println!("{l}");
            }
        }
        alcance_store::Pool::Sqlite(p) => {
            let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(&format!("EXPLAIN QUERY PLAN {sql}"))
                .bind(&b[0])
                .bind(&b[1])
                .bind(&b[2])
                .bind(&b[3])
                .bind(&b[4])
                .bind(&b[5])
                .fetch_all(p)
                .await?;
            // The filter's JSON-list subqueries (`LIST SUBQUERY` over `json_each`) left out.
            for (_, _, _, detail) in rows {
                if !detail.starts_with("LIST SUBQUERY") && !detail.contains("json_each") {
                    println!("  {detail}");
                }
            }
        }
    }
    Ok(())
}

/// Prints the plan of `Store::period_gains` (the dashboard's KPI read: the pivot
/// `account_gain_hours` of schema version 24) for the default period `period` over all
/// accounts: `EXPLAIN ANALYZE` on PostgreSQL, `EXPLAIN QUERY PLAN` on SQLite.
async fn explain_gains(store: &Store, period: &alcance_app::views::PeriodView) -> Res<()> {
    let sql = alcance_store::aggregate::period_gains_pivot_statement(store.engine());
    let bounds = [to_db(period.previous_since), to_db(period.since), to_db(period.until)];
    println!("--- dashboard KPIs: Store::period_gains (pivot) ---");
    macro_rules! bound {
        ($q:expr) => {
            $q.bind(None::<String>)
                .bind(None::<String>)
                .bind(None::<String>)
                .bind(&bounds[0])
                .bind(&bounds[1])
                .bind(&bounds[2])
        };
    }
    match store.pool() {
        alcance_store::Pool::Postgres(p) => {
            let lines: Vec<String> = bound!(sqlx::query_scalar(&format!("EXPLAIN (ANALYZE, BUFFERS) {sql}")))
                .fetch_all(p)
                .await?;
            for l in lines {
                println!("{l}");
            }
        }
        alcance_store::Pool::Sqlite(p) => {
            let rows: Vec<(i64, i64, i64, String)> = bound!(sqlx::query_as(&format!("EXPLAIN QUERY PLAN {sql}")))
                .fetch_all(p)
                .await?;
            for (_, _, _, detail) in rows {
                if !detail.starts_with("LIST SUBQUERY") && !detail.contains("json_each") {
                    println!("  {detail}");
                }
            }
        }
    }
    Ok(())
}

/// What keeping the gains (schema version 21) adds to a collection batch: a new account
/// with 200 posts, each batch a new hour with new values of 8 metrics per post (1,600
/// snapshots), written alternately by `save_prepared` and by
/// `save_prepared_without_gains`, `reps` of each, on the year's store.
async fn ingest(store: &Store, reps: usize) -> Res<()> {
    let account = store
        .upsert_account(
            &alcance_core::AccountRef {
                platform: alcance_core::Platform::X,
                external_id: "ingest-bench".into(),
                username: Some("ingest_bench".into()),
                owned: true,
            },
            None,
            None,
        )
        .await?;
    let t0 = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).single().ok_or("bad time")?;
    let metrics = [
        "likes",
        "replies",
        "reposts",
        "quotes",
        "bookmarks",
        "impressions",
        "comments",
        "saves",
    ];
    let batch_at = |n: usize| {
        let at = t0 + Duration::hours(n as i64) + Duration::minutes(7);
        let mut batch = alcance_core::CollectionBatch::default();
        for p in 0..200usize {
            let external = format!("ingest-{p}");
            batch.posts.push(alcance_core::PostRecord {
                external_id: external.clone(),
                published_at: Some(t0 - Duration::days(p as i64 % 60)),
                content_type: alcance_core::ContentType::Text,
                permalink: None,
                caption: None,
            });
            for (k, m) in metrics.iter().enumerate() {
                batch.post_metrics.push(alcance_core::PostMetric {
                    post_external_id: external.clone(),
                    metric: (*m).into(),
                    value: Some((n * 10 + p + k) as f64),
                });
            }
        }
        (at, batch)
    };
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for n in 0..(2 * reps + 2) {
        let (at, batch) = batch_at(n);
        let prepared = alcance_store::PreparedBatch::new(at, &batch, &[])?;
        let run = store.start_run("manual", at).await?;
        let t = Instant::now();
        if n % 2 == 0 {
            store.save_prepared(run, account, &prepared).await?;
        } else {
            store.save_prepared_without_gains(run, account, &prepared).await?;
        }
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        // The first of each is a warm-up.
        if n >= 2 {
            if n % 2 == 0 {
                with.push(ms);
            } else {
                without.push(ms);
            }
        }
    }
    let (w50, w95) = percentiles(&mut with);
    let (o50, o95) = percentiles(&mut without);
    println!(" ingest, a batch of 200 posts × 8 metrics (1,600 snapshots), {reps} of each:");
    println!(
        "  {:<52} p50 {w50:>9.1} ms  p95 {w95:>9.1} ms",
        "save_prepared (gains kept)"
    );
    println!(
        "  {:<52} p50 {o50:>9.1} ms  p95 {o95:>9.1} ms",
        "save_prepared_without_gains"
    );
    Ok(())
}

async fn year(engine: Engine) -> Res<()> {
    let shape = YearShape {
        accounts: env_num("ALCANCE_BENCH_YEAR_ACCOUNTS", 1000).max(1),
        days: env_num("ALCANCE_BENCH_DAYS", 365).max(31),
        posts_per_day: env_num("ALCANCE_BENCH_POSTS_PER_DAY", 1).max(1),
    };
    let reps = env_num("ALCANCE_BENCH_REPS", 7).max(1) as usize;
    let start = Utc.with_ymd_and_hms(2025, 12, 1, 0, 0, 0).single().ok_or("bad start")?;
    let now = start + Duration::days(shape.days);
    let dir = tempfile::tempdir()?;
    // `ALCANCE_BENCH_KEEP=1`: the year's folder (the SQLite file) is kept and its path
    // printed, for `sqlite3` and `EXPLAIN QUERY PLAN` by hand.
    let (dir, _cleanup) = if env_num("ALCANCE_BENCH_KEEP", 0) != 0 {
        let kept = dir.keep();
        println!("kept: {}", kept.display());
        (kept, None)
    } else {
        (dir.path().to_path_buf(), Some(dir))
    };
    let place = Place::new(engine, &dir, "year").await?;
    let store = place.open().await?;
    let t = Instant::now();
    let (posts, post_rows, account_rows) = build_year(&store, &shape, start).await?;
    let build = t.elapsed().as_secs_f64();
    let size = place.size(&store).await?;
    println!("== a year on {} ==", engine_name(engine));
    println!(
        "{} accounts × {} days ({} .. {}), {} posts/day: posts {posts}, post_metrics {post_rows}, \
         account_metrics {account_rows}",
        shape.accounts,
        shape.days,
        to_db(start),
        to_db(now),
        shape.posts_per_day
    );
    println!(
        "built in {build:.1} s ({:.0} rows/s), database size {} ({size} bytes)",
        (posts + post_rows + account_rows) as f64 / build,
        mib(size)
    );

    let vault = Arc::new(MemoryVault::new());
    let endpoints = Endpoints::sandbox(&url::Url::parse("http://127.0.0.1:9/")?);
    let ws = Workspace::open_on(
        &dir.join("ws"),
        store.clone(),
        WorkspaceOptions {
            endpoints,
            vault: Box::new(SharedVault(vault as Arc<dyn TokenVault>)),
        },
    )
    .await?;

    // The dashboard's reads, default filter (the last 30 days before `now`).
    let filter = &ViewFilter::default();
    let period = filter.period(now)?;
    let labels = &ChartLabels::default();
    let between = |since, until| RowFilter {
        since: Some(since),
        until: Some(until),
        ..RowFilter::default()
    };
    let followers = &RowFilter {
        until: Some(period.until),
        metrics: vec!["followers".into()],
        ..RowFilter::default()
    };
    let post_window = &between(period.previous_since - Duration::days(2), period.until);
    let posts_now = &between(period.since, period.until);
    let posts_before = &between(period.previous_since, period.previous_until);
    let all = &RowFilter::default();
    // A month's export: the last whole calendar month before `now`.
    let month_end = now
        .date_naive()
        .with_day(1)
        .ok_or("bad day")?
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    let month_start = (month_end - Duration::days(1))
        .date_naive()
        .with_day(1)
        .ok_or("bad day")?
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    let month = &between(month_start, month_end);
    let (s, w) = (&store, &ws);
    macro_rules! timed {
        ($name:expr, $reps:expr, $e:expr) => {
            time($name, $reps, move || async move { Ok::<_, BoxError>($e) }).await?
        };
    }

    println!("reads ({reps} repetitions each after a warm-up; wall time in this process, rows decoded):");
    println!(" dashboard, last 30 days:");
    if env_num("ALCANCE_BENCH_RAW_READS", 0) != 0 {
        // The raw reads the dashboard made before it aggregated in SQL (issue 16 point 4).
        timed!("list_accounts", reps, s.list_accounts().await?);
        timed!(
            "account_metric_rows (followers, up to now)",
            reps,
            s.account_metric_rows(followers).await?
        );
        timed!(
            "post_metric_rows (62 days: previous + current)",
            reps,
            s.post_metric_rows(post_window).await?
        );
        timed!("posts (published in the period)", reps, s.posts(posts_now).await?);
        timed!(
            "posts (published in the previous period)",
            reps,
            s.posts(posts_before).await?
        );
        timed!("posts (all, for the top posts)", reps, s.posts(all).await?);
    }
    timed!(
        "dashboard_kpis() (KPI tiles: GET /api/v1/dashboard/kpis)",
        reps,
        dashboard_kpis(w, filter, now).await?.1
    );
    timed!(
        "dashboard() whole (KPIs, 2 charts, heatmap, top posts)",
        reps,
        dashboard(w, filter, labels, now).await?
    );
    let one = &ViewFilter {
        account_ids: vec![alcance_core::AccountId(1)],
        ..ViewFilter::default()
    };
    timed!(
        "dashboard() whole, one account",
        reps,
        dashboard(w, one, labels, now).await?
    );
    // The dashboard's reads of the gains (schema version 24: the pivots of the rollup and
    // of the rows' gains), one by one.
    let gb = alcance_store::aggregate::GainBounds {
        previous_since: period.previous_since,
        since: period.since,
        until: period.until,
    };
    let im = &alcance_report::series::INTERACTION_METRICS;
    timed!(
        "Store::period_gains (KPI gains, pivot account_gain_hours)",
        reps,
        s.period_gains(all, gb, im, "views", "impressions").await?
    );
    timed!(
        "Store::day_gains (engagement trend, pivot account_gain_hours)",
        reps,
        s.day_gains(all, im, period.since, period.until).await?
    );
    timed!(
        "Store::top_post_gains (top posts, pivot post_interaction_hours)",
        reps,
        s.top_post_gains(all, im, period.since, period.until, 5).await?
    );
    // The same three reads by the per-metric statements (schema versions 21–22), which the
    // store keeps for other metric lists: one metric no row has sends them there.
    let unpivoted: Vec<&str> = im.iter().copied().chain(["bench_no_such_metric"]).collect();
    let un = &unpivoted;
    timed!(
        "  unpivoted: Store::period_gains (post_gain_hours)",
        reps,
        s.period_gains(all, gb, un, "views", "impressions").await?
    );
    timed!(
        "  unpivoted: Store::day_gains (post_gain_hours)",
        reps,
        s.day_gains(all, un, period.since, period.until).await?
    );
    timed!(
        "  unpivoted: Store::top_post_gains (post_metrics_gain_bucket)",
        reps,
        s.top_post_gains(all, un, period.since, period.until, 5).await?
    );
    // The rest of the whole dashboard's store calls, in its order (session 26: where the
    // whole dashboard's time goes; what is left of it is rendering and assembly).
    println!(" the whole dashboard's other store calls, one by one (all accounts):");
    let count_filter = |since, until| RowFilter {
        since: Some(since),
        until: Some(until),
        ..RowFilter::default()
    };
    timed!("Store::list_accounts (KPIs)", reps, s.list_accounts().await?);
    timed!(
        "Store::latest_followers ×2 (follower KPI)",
        reps,
        vec![
            s.latest_followers(all, Some(period.until)).await?,
            s.latest_followers(all, Some(period.since)).await?
        ]
    );
    timed!(
        "Store::count_posts ×2 (posts KPI)",
        reps,
        vec![
            s.count_posts(&count_filter(period.since, period.until)).await?,
            s.count_posts(&count_filter(period.previous_since, period.previous_until))
                .await?
        ]
    );
    timed!(
        "Store::snapshot_values (follower chart)",
        reps,
        s.snapshot_values(all, "followers", period.since, period.until).await?
    );
    timed!(
        "Store::published_with_values (heatmap: posts + values)",
        reps,
        s.published_with_values(all, period.since, period.until, period.until)
            .await?
    );
    // The two reads the heatmap made before `published_with_values` (still the posts
    // table's and the comparison's).
    timed!(
        "  Store::posts (published in the period)",
        reps,
        s.posts(posts_now).await?
    );
    let published: Vec<i64> = s.posts(posts_now).await?.iter().map(|p| p.id).collect();
    let published = &published;
    timed!(
        "  Store::latest_post_values (those posts)",
        reps,
        s.latest_post_values(published, None, Some(period.until)).await?
    );
    let top: Vec<i64> = s
        .top_post_gains(all, im, period.since, period.until, 5)
        .await?
        .iter()
        .map(|(id, _)| *id)
        .collect();
    let top = &top;
    timed!(
        "Store::posts_by_id + latest_post_values (top 5)",
        reps,
        vec![
            s.posts_by_id(top).await?.len(),
            s.latest_post_values(top, None, Some(period.until)).await?.len()
        ]
    );
    if env_num("ALCANCE_BENCH_REBUILD", 0) != 0 {
        timed!(
            "Store::rebuild_post_gains (the migration's backfill)",
            1,
            s.rebuild_post_gains().await?
        );
    }
    if env_num("ALCANCE_BENCH_INGEST", 0) != 0 {
        ingest(s, reps.max(10)).await?;
    }
    println!(" posts table, accounts screen:");
    timed!(
        "posts_page() newest 50, all accounts",
        reps,
        posts_page(w, &ViewFilter::default(), None, 50).await?
    );
    timed!(
        "posts_page() newest 50, one account",
        reps,
        posts_page(w, one, None, 50).await?
    );
    timed!("accounts() (the accounts screen)", reps, accounts(w, None, now).await?);
    println!(" export of {} .. {}:", to_db(month_start), to_db(month_end));
    timed!("account_metric_rows (month)", reps, s.account_metric_rows(month).await?);
    timed!("post_metric_rows (month)", reps, s.post_metric_rows(month).await?);
    timed!("posts (month)", reps, s.posts(month).await?);
    timed!("audience_rows (month)", reps, s.audience_rows(month).await?);
    timed!(
        "Workspace::bundle whole (the export's reads)",
        reps,
        w.bundle(month).await?
    );
    if env_num("ALCANCE_BENCH_EXPORT_FILES", 0) != 0 {
        let out = &dir.join("export");
        timed!(
            "export_all (reads + CSV, JSON, XLSX files)",
            reps.min(3),
            w.export_all(month, out).await?.xlsx
        );
    }

    println!("plans:");
    explain_gains(s, &period).await?;
    if env_num("ALCANCE_BENCH_RAW_READS", 0) != 0 {
        explain(s, "dashboard followers", "account_metric_rows", followers).await?;
        explain(s, "dashboard 62-day window", "post_metric_rows", post_window).await?;
        explain(s, "dashboard period", "posts", posts_now).await?;
        explain(s, "top posts", "posts", all).await?;
    }
    explain(s, "export month", "account_metric_rows", month).await?;
    explain(s, "export month", "post_metric_rows", month).await?;
    explain(s, "export month", "posts", month).await?;
    store.close().await;
    Ok(())
}

async fn bench() -> Res<()> {
    let parts = env_list("ALCANCE_BENCH_PARTS", "day,year");
    let mut engines = Vec::new();
    for e in env_list("ALCANCE_BENCH_ENGINES", "postgres,sqlite") {
        match e.as_str() {
            "postgres" if pg_server().is_some() => engines.push(Engine::Postgres),
            "postgres" => {
                println!("PostgreSQL skipped: ALCANCE_TEST_PG_URL is not set (run under scripts/pg-cluster.sh)")
            }
            "sqlite" => engines.push(Engine::Sqlite),
            other => return Err(format!("unknown engine {other}").into()),
        }
    }
    if engines.contains(&Engine::Postgres) {
        if let Some(server) = pg_server() {
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(&server).await?;
            let version: String = sqlx::query_scalar("SHOW server_version").fetch_one(&mut c).await?;
            let mut settings = String::new();
            for name in ["shared_buffers", "work_mem", "fsync", "synchronous_commit"] {
                let v: String = sqlx::query_scalar(&format!("SHOW {name}")).fetch_one(&mut c).await?;
                let _ = write!(settings, " {name}={v}");
            }
            println!("PostgreSQL {version}:{settings}");
            c.close().await?;
        }
    }
    for part in &parts {
        for engine in &engines {
            match part.as_str() {
                "day" => day(*engine).await?,
                "year" => year(*engine).await?,
                other => return Err(format!("unknown part {other}").into()),
            }
        }
    }
    Ok(())
}

fn main() {
    let result = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(Into::into)
        .and_then(|rt| rt.block_on(bench()));
    if let Err(e) = result {
        eprintln!("bench failed: {e}");
        std::process::exit(1);
    }
}
