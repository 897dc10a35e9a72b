#![allow(clippy::unwrap_used, clippy::expect_used)]
//! End-to-end collection throughput: the real collector, X client, rate-limit governor and
//! store collect N tracked X profiles (default 1,000) with ~200 posts each from the seeded
//! sandbox over loopback, with the sandbox's rate limits switched off. Reports metric
//! records/s, requests/s and the collector process's peak RSS (`VmHWM`); then compares the
//! store alone (`Store::save_batch` of the same batches, and its two halves:
//! `PreparedBatch::new` and `Store::save_prepared`) with a plain batched insert of the same
//! rows into a bare schema.
//!
//! The sandbox runs in a child process (this binary re-executed with `--serve-sandbox`) so
//! the peak RSS is the collector's own. Every tracked profile is a distinct account in the
//! store (`bench-0000` …) that the sandbox serves from its seeded influencer
//! (`ana_influencer`), so each account stores its own ~200 posts.
//!
//! Run: `cargo bench -p alcance-collector --bench collect` (release profile). Environment:
//! `ALCANCE_BENCH_ACCOUNTS` (default 1000), `ALCANCE_BENCH_DAYS` (window, default 100),
//! `ALCANCE_BENCH_PG_URL` (a PostgreSQL server's URL: every store of the bench is then a
//! fresh database there instead of an SQLite file, e.g. under `scripts/pg-cluster.sh`, whose
//! `ALCANCE_TEST_PG_URL` it also reads), `ALCANCE_BENCH_ENCRYPTED=1` (every SQLite store
//! encrypted with SQLCipher, as new workspaces are: the cost of encryption at rest). Not run
//! in CI.

use alcance_collector::{Clients, RunKind, Target};
use alcance_core::{AccountRef, CollectionBatch, Platform, PostMetric, RawExchange};
use alcance_platforms::governor::Governor;
use alcance_platforms::oauth::{self, HeadlessBrowser, OAuthApp, Provider, RedirectConfig};
use alcance_platforms::x::XClient;
use alcance_platforms::{CollectCtx, CollectWindow, Endpoints, Http, PlatformClient, Recorder};
use alcance_sandbox::{Sandbox, SandboxConfig};
use alcance_store::synthetic::{env_num, fresh_database, pg_server};
use alcance_store::{PreparedBatch, Store};
use chrono::{DateTime, Duration, TimeZone, Utc};
use secrecy::SecretString;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 13, 0, 0)
        .single()
        .unwrap_or_else(Utc::now)
}

/// `VmHWM` (peak resident set) of this process, kB.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Child mode: a seeded sandbox with limits off and the clock fixed, until stdin closes.
fn serve_sandbox() -> Res<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async {
        let sandbox = Sandbox::start(SandboxConfig::seeded(42)).await?;
        sandbox.state().set_limits_enabled(false);
        sandbox.state().set_clock(Some(now()));
        println!("{}", sandbox.base_url());
        std::io::stdout().flush()?;
        // The parent closes our stdin when it is done (or dies).
        tokio::task::spawn_blocking(|| {
            let mut line = String::new();
            while std::io::stdin().read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                line.clear();
            }
        })
        .await?;
        sandbox.shutdown().await;
        Ok(())
    })
}

async fn x_token(endpoints: &Endpoints) -> Res<SecretString> {
    let app = OAuthApp {
        platform: Platform::X,
        client_id: "alcance-bench".into(),
        client_secret: None,
        scopes: vec!["tweet.read".into(), "users.read".into(), "offline.access".into()],
        redirect: RedirectConfig::ephemeral(),
    };
    let set = oauth::authorize(
        &app,
        &Provider::x(endpoints),
        &HeadlessBrowser::new(),
        std::time::Duration::from_secs(30),
    )
    .await?;
    Ok(set.access_token)
}

fn account(i: i64) -> AccountRef {
    AccountRef {
        platform: Platform::X,
        external_id: format!("bench-{i:04}"),
        username: Some("ana_influencer".into()),
        owned: false,
    }
}

/// A plain batched insert of the same rows: a bare schema without constraints beyond the
/// post key, one transaction per account, multi-row `INSERT … VALUES (…), (…)` statements
/// of up to 500 rows.
async fn plain_insert(path: &std::path::Path, batches: &[(i64, CollectionBatch)], at: &str) -> Res<usize> {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
    use sqlx::QueryBuilder;
    const CHUNK: usize = 500;
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    for ddl in [
        "CREATE TABLE posts (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, external_id TEXT NOT NULL,
             content_type TEXT NOT NULL, published_at TEXT, UNIQUE (account_id, external_id))",
        "CREATE TABLE post_metrics (post_id INTEGER NOT NULL, metric TEXT NOT NULL, value REAL,
             collected_at TEXT NOT NULL)",
        "CREATE TABLE account_metrics (account_id INTEGER NOT NULL, metric TEXT NOT NULL, period TEXT NOT NULL,
             value REAL, collected_at TEXT NOT NULL)",
    ] {
        sqlx::query(ddl).execute(&pool).await?;
    }
    let mut rows = 0;
    for (account_id, batch) in batches {
        let mut tx = pool.begin().await?;
        for chunk in batch.posts.chunks(CHUNK) {
            let mut q = QueryBuilder::new("INSERT INTO posts (account_id, external_id, content_type, published_at) ");
            q.push_values(chunk, |mut b, p| {
                b.push_bind(*account_id)
                    .push_bind(p.external_id.clone())
                    .push_bind(p.content_type.as_key().to_string())
                    .push_bind(p.published_at.map(|t| t.to_rfc3339()));
            });
            q.build().execute(&mut *tx).await?;
        }
        let ids: HashMap<String, i64> =
            sqlx::query_as::<_, (String, i64)>("SELECT external_id, id FROM posts WHERE account_id = ?1")
                .bind(account_id)
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .collect();
        let metrics: Vec<(i64, &PostMetric)> = batch
            .post_metrics
            .iter()
            .filter_map(|m| ids.get(&m.post_external_id).map(|id| (*id, m)))
            .collect();
        for chunk in metrics.chunks(CHUNK) {
            let mut q = QueryBuilder::new("INSERT INTO post_metrics (post_id, metric, value, collected_at) ");
            q.push_values(chunk, |mut b, (id, m)| {
                b.push_bind(*id)
                    .push_bind(m.metric.clone())
                    .push_bind(m.value)
                    .push_bind(at.to_string());
            });
            q.build().execute(&mut *tx).await?;
            rows += chunk.len();
        }
        for chunk in batch.account_metrics.chunks(CHUNK) {
            let mut q =
                QueryBuilder::new("INSERT INTO account_metrics (account_id, metric, period, value, collected_at) ");
            q.push_values(chunk, |mut b, m| {
                b.push_bind(*account_id)
                    .push_bind(m.metric.clone())
                    .push_bind(m.period.as_str())
                    .push_bind(m.value)
                    .push_bind(at.to_string());
            });
            q.build().execute(&mut *tx).await?;
            rows += chunk.len();
        }
        tx.commit().await?;
    }
    pool.close().await;
    Ok(rows)
}

type Fetched = (i64, CollectionBatch, Vec<RawExchange>);

/// Saves every batch with `Store::save_batch` into a fresh database; returns (seconds,
/// records written).
/// A fresh store named `name`: an SQLite file in `dir`, or with a PostgreSQL server
/// (`ALCANCE_BENCH_PG_URL` / `ALCANCE_TEST_PG_URL`) a new database `alcance_bench_<name>`.
async fn fresh_store(dir: &std::path::Path, name: &str) -> Res<Store> {
    let Some(server) = pg_server() else {
        let path = dir.join(format!("{name}.db"));
        if std::env::var_os("ALCANCE_BENCH_ENCRYPTED").is_some_and(|v| v == "1") {
            // A fixed key: the bench measures SQLCipher's cost, not key handling.
            let key = alcance_store::DatabaseKey::new([0x5a; 32], [0xa5; 16]);
            return Ok(Store::open_encrypted(&path, &key).await?);
        }
        return Ok(Store::open(&path).await?);
    };
    let url = fresh_database(&server, name)
        .await
        .map_err(|e| e as Box<dyn std::error::Error>)?;
    Ok(Store::open_postgres(&url).await?)
}

async fn store_only(
    dir: &std::path::Path,
    accounts: i64,
    batches: &[Fetched],
    with_raw: bool,
    at: DateTime<Utc>,
) -> Res<(f64, usize)> {
    let store = fresh_store(dir, if with_raw { "store" } else { "store_bare" }).await?;
    for i in 0..accounts {
        store.upsert_account(&account(i), None, None).await?;
    }
    let run_id = store.start_run("manual", at).await?;
    let t = Instant::now();
    let mut records = 0;
    for (id, batch, raw) in batches {
        let raw: &[RawExchange] = if with_raw { raw } else { &[] };
        let stats = store.save_batch(run_id, *id, at, batch, raw).await?;
        records += stats.account_metrics + stats.post_metrics;
    }
    let secs = t.elapsed().as_secs_f64();
    store.close().await;
    Ok((secs, records))
}

/// `PreparedBatch::new` of every batch (the CPU work: redaction, SHA-256 and zlib of the
/// raw bodies, JSON of the records), each dropped at once; seconds.
fn prepare_only(batches: &[Fetched], at: DateTime<Utc>) -> Res<f64> {
    let t = Instant::now();
    for (_, batch, raw) in batches {
        drop(PreparedBatch::new(at, batch, raw)?);
    }
    Ok(t.elapsed().as_secs_f64())
}

/// `Store::save_prepared` of batches prepared beforehand (the SQL alone) into a fresh
/// database; returns (seconds, records written).
async fn sql_only(dir: &std::path::Path, accounts: i64, batches: &[Fetched], at: DateTime<Utc>) -> Res<(f64, usize)> {
    let store = fresh_store(dir, "sql").await?;
    for i in 0..accounts {
        store.upsert_account(&account(i), None, None).await?;
    }
    let run_id = store.start_run("manual", at).await?;
    let prepared = batches
        .iter()
        .map(|(id, batch, raw)| Ok((*id, PreparedBatch::new(at, batch, raw)?)))
        .collect::<Res<Vec<_>>>()?;
    let t = Instant::now();
    let mut records = 0;
    for (id, batch) in &prepared {
        let stats = store.save_prepared(run_id, *id, batch).await?;
        records += stats.account_metrics + stats.post_metrics;
    }
    let secs = t.elapsed().as_secs_f64();
    store.close().await;
    Ok((secs, records))
}

async fn bench() -> Res<()> {
    let accounts = env_num("ALCANCE_BENCH_ACCOUNTS", 1000).max(1);
    let days = env_num("ALCANCE_BENCH_DAYS", 100).max(1);

    let mut child = Command::new(std::env::current_exe()?)
        .arg("--serve-sandbox")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().ok_or("no stdout")?).read_line(&mut line)?;
    let base = url::Url::parse(line.trim())?;
    let endpoints = Endpoints::sandbox(&base);
    let token = x_token(&endpoints).await?;

    let dir = tempfile::tempdir()?;
    let store = fresh_store(dir.path(), "alcance").await?;
    let mut targets = Vec::new();
    for i in 0..accounts {
        let a = account(i);
        let id = store.upsert_account(&a, None, None).await?;
        targets.push(Target {
            account_id: id,
            account: a,
            token: Some(token.clone()),
        });
    }
    let governor = Arc::new(Governor::new());
    let http = Http::new()?.with_governor(Arc::clone(&governor));
    let client = Arc::new(XClient::new(http, endpoints));
    let clients = Clients::new().with(client.clone());
    let at = now();
    let window = CollectWindow {
        since: at - Duration::days(days),
        until: at,
    };

    // 1. End to end: client → governor → loopback → sandbox → mapping → store.
    let rss_before = peak_rss_kb().unwrap_or(0);
    let t0 = Instant::now();
    let summary = alcance_collector::run(&store, &clients, &targets, window, at, RunKind::Manual, &|_| {}).await?;
    let e2e = t0.elapsed().as_secs_f64();
    let rss_peak = peak_rss_kb().unwrap_or(0);
    let records = summary.metrics();
    let posts: usize = summary.accounts.iter().map(|a| a.posts).sum();
    let failed = summary.accounts.iter().filter(|a| !a.ok).count();
    let requests = governor.stats().sent;
    store.close().await;

    // 2. The same batches again, fetched by the client alone (no store), kept in memory.
    let t1 = Instant::now();
    let mut batches: Vec<Fetched> = Vec::with_capacity(targets.len());
    for t in &targets {
        let ctx = CollectCtx {
            account: t.account.clone(),
            token: token.clone(),
            window,
            recorder: Recorder::new(),
        };
        let batch = client.collect(&ctx).await?;
        batches.push((t.account_id, batch, ctx.recorder.take()));
    }
    let fetch_only = t1.elapsed().as_secs_f64();

    // 3. The store alone, with and without the raw archive (hashing + compression).
    let (store_raw, store_records) = store_only(dir.path(), accounts, &batches, true, at).await?;
    let (store_bare, _) = store_only(dir.path(), accounts, &batches, false, at).await?;
    // 3b. Its two halves: the CPU work before the transaction, and the SQL.
    let prepare = prepare_only(&batches, at)?;
    let (sql, _) = sql_only(dir.path(), accounts, &batches, at).await?;

    // 4. A plain batched insert of the same rows (no raw archive, no upsert rule).
    let plain_batches: Vec<(i64, CollectionBatch)> = batches.into_iter().map(|(id, b, _)| (id, b)).collect();
    let t2 = Instant::now();
    let plain_rows = plain_insert(&dir.path().join("plain.db"), &plain_batches, &at.to_rfc3339()).await?;
    let plain = t2.elapsed().as_secs_f64();

    drop(child.stdin.take());
    let _ = child.wait();

    let per_s = |n: usize, s: f64| n as f64 / s;
    let engine = if pg_server().is_some() { "PostgreSQL" } else { "SQLite" };
    println!("store engine              {engine}");
    println!("accounts                  {accounts} ({failed} failed), window {days} days");
    println!(
        "posts stored              {posts} ({:.0} per account)",
        posts as f64 / accounts as f64
    );
    println!("metric records stored     {records}");
    println!("requests                  {requests}");
    println!("end to end                {e2e:.2} s");
    println!("  records/s               {:.0}", per_s(records, e2e));
    println!("  requests/s              {:.0}", requests as f64 / e2e);
    println!(
        "  peak RSS (VmHWM)        {:.1} MB (before the run {:.1} MB)",
        rss_peak as f64 / 1024.0,
        rss_before as f64 / 1024.0
    );
    println!(
        "client alone (no store)   {fetch_only:.2} s, {:.0} records/s",
        per_s(records, fetch_only)
    );
    println!(
        "store alone (save_batch)  {store_raw:.2} s, {:.0} records/s, raw archive included",
        per_s(store_records, store_raw)
    );
    println!(
        "  without the raw archive {store_bare:.2} s, {:.0} records/s",
        per_s(store_records, store_bare)
    );
    println!(
        "  prepare alone           {prepare:.2} s, {:.0} records/s (PreparedBatch::new: redact, hash, compress, JSON)",
        per_s(store_records, prepare)
    );
    println!(
        "  save_prepared alone     {sql:.2} s, {:.0} records/s (the SQL, raw archive included)",
        per_s(store_records, sql)
    );
    println!(
        "plain batched insert      {plain:.2} s, {:.0} rows/s ({plain_rows} rows)",
        per_s(plain_rows, plain)
    );
    Ok(())
}

fn main() {
    let result = if std::env::args().any(|a| a == "--serve-sandbox") {
        serve_sandbox()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(Into::into)
            .and_then(|rt| rt.block_on(bench()))
    };
    if let Err(e) = result {
        eprintln!("bench failed: {e}");
        std::process::exit(1);
    }
}
