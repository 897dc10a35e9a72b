#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Issue 12 point 9: `alcance serve` under load, on loopback (docs/PERFORMANCE.md).
//!
//! A workspace of 1 year × 100 X accounts is built by the bulk path of
//! [`alcance_app::testing::synthetic`] (the team day bench's year, ending yesterday so the
//! dashboard's default period has data), on SQLite and on PostgreSQL. The server
//! ([`alcance_server::serve`], the same router as `alcance serve`) runs in this process on
//! 127.0.0.1 with a free port; `USERS` virtual users, each with its own analyst API token
//! (`Authorization: Bearer`), loop for `SECONDS` over what a person browsing the
//! dashboard and a BI tool pulling a month do:
//!
//! 1. `GET /api/v1/accounts` (the account list),
//! 2. `GET /api/v1/dashboard/kpis` (all accounts, the default last 30 days),
//! 3. `GET /api/v1/metrics?user_id=…&platform=X&start_date=…&end_date=…` (one account's
//!    last 30 days, in the brief's shape; the account changes with every request),
//! 4. `GET /api/v1/posts?account_id=…&limit=50` (one account's latest posts).
//!
//! Printed per route and in total: requests, requests/s, p50 / p95 / p99 latency (ms) and
//! errors (any status but 200, or a transport error); the process's resident memory
//! before the load and its peak during it (sampled every 100 ms from /proc/self/status:
//! the server and the load generator share the process, the generator's part is small).
//! Then, with no other load, the month's export in each format
//! (`GET /api/v1/exports/{csv,json,xlsx}` over the last 30 days, the whole download
//! timed, three times each).
//!
//! ```sh
//! cargo bench -p alcance-server --bench load --no-run
//! nice scripts/pg-cluster.sh target/release/deps/load-<hash>
//! ```
//!
//! Environment (defaults in brackets): `ALCANCE_LOAD_USERS` [100],
//! `ALCANCE_LOAD_SECONDS` [30], `ALCANCE_LOAD_ACCOUNTS` [100], `ALCANCE_LOAD_DAYS` [365],
//! `ALCANCE_LOAD_KPIS` [`shared`: every user asks for all accounts' tiles, as a team
//! opening the dashboard does; `per_account`: one account's tiles, the account changing
//! with every request, so that the server's coalescing of identical requests rarely helps],
//! `ALCANCE_BENCH_ENGINES` [`postgres,sqlite`] (PostgreSQL needs `ALCANCE_TEST_PG_URL`,
//! which `scripts/pg-cluster.sh` sets). Not run in CI.

use alcance_app::people::{self, Role};
use alcance_app::testing::synthetic::{build_year, env_num, pg_server, BoxError, Place, YearShape};
use alcance_app::testing::{workspace_on, Engine};
use alcance_server::ApiState;
use chrono::{Duration, NaiveTime, Utc};
use serde_json::Value;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

type Res<T> = Result<T, BoxError>;

/// The routes a virtual user cycles through, in order.
const ROUTES: [&str; 4] = ["accounts", "dashboard/kpis", "metrics (month)", "posts (latest 50)"];

/// One request's outcome: route index, latency (s), success.
type Sample = (usize, f64, bool);

/// Resident memory of this process, KiB: `VmRSS` from /proc/self/status (0 elsewhere).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// The `q` quantile (nearest rank) of sorted `times`, ms.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i] * 1000.0
}

fn summary_line(name: &str, samples: &[&Sample], seconds: f64) {
    let mut times: Vec<f64> = samples.iter().map(|s| s.1).collect();
    times.sort_by(f64::total_cmp);
    let errors = samples.iter().filter(|s| !s.2).count();
    println!(
        "| {name} | {} | {:.1} | {:.0} | {:.0} | {:.0} | {errors} |",
        samples.len(),
        samples.len() as f64 / seconds,
        quantile(&times, 0.50),
        quantile(&times, 0.95),
        quantile(&times, 0.99),
    );
}

async fn load(engine: Engine) -> Res<()> {
    let users = env_num("ALCANCE_LOAD_USERS", 100).max(1) as usize;
    let seconds = env_num("ALCANCE_LOAD_SECONDS", 30).max(1) as u64;
    // `per_account`: each KPI request asks for one account's tiles (the account changes
    // with every request), so concurrent KPI requests rarely share a computation.
    let per_account_kpis = std::env::var("ALCANCE_LOAD_KPIS").is_ok_and(|v| v == "per_account");
    let shape = YearShape {
        accounts: env_num("ALCANCE_LOAD_ACCOUNTS", 100).max(1),
        days: env_num("ALCANCE_LOAD_DAYS", 365).max(31),
        posts_per_day: 1,
    };
    // The year ends yesterday: the dashboard's default period (the last 30 days) is full.
    let today = Utc::now().date_naive();
    let start = (today - Duration::days(shape.days)).and_time(NaiveTime::MIN).and_utc();
    let dir = tempfile::tempdir()?;
    let place = Place::new(engine, dir.path(), "load").await?;
    let store = place.open().await?;
    let t = Instant::now();
    let (posts, post_rows, account_rows) = build_year(&store, &shape, start).await?;
    let size = place.size(&store).await?;
    let name = match engine {
        Engine::Postgres => "PostgreSQL",
        _ => "SQLite",
    };
    println!("== {name}: {} accounts × {} days ==", shape.accounts, shape.days);
    println!(
        "built in {:.1} s: posts {posts}, post_metrics {post_rows}, account_metrics {account_rows}, \
         database {:.1} MiB",
        t.elapsed().as_secs_f64(),
        size as f64 / 1_048_576.0
    );
    let ws = Arc::new(workspace_on(&dir.path().join("ws"), store).await?);
    let mut tokens = Vec::with_capacity(users);
    for i in 0..users {
        let email = format!("analyst{i}@example.com");
        people::add_user(&ws, None, &email, Role::Analyst, None).await?;
        let (_, secret) = people::create_api_token(&ws, None, &email, Role::Analyst, "load").await?;
        tokens.push(secret);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(alcance_server::serve(
        listener,
        ApiState::new(Arc::clone(&ws), None),
        async {
            let _ = stopped.await;
        },
    ));
    let http = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(users)
        .build()?;
    let accounts: Value = http
        .get(format!("{base}/api/v1/accounts?limit=1000"))
        .bearer_auth(&tokens[0])
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let ids: Arc<Vec<i64>> = Arc::new(
        accounts["items"]
            .as_array()
            .ok_or("no items in /api/v1/accounts")?
            .iter()
            .filter_map(|a| a["id"].as_i64())
            .collect(),
    );
    if ids.is_empty() {
        return Err("no accounts served".into());
    }
    let (since, until) = (today - Duration::days(30), today - Duration::days(1));

    let rss_before = rss_kib();
    let peak = Arc::new(AtomicU64::new(rss_before));
    let running = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (peak, running) = (Arc::clone(&peak), Arc::clone(&running));
        tokio::spawn(async move {
            while running.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(), Ordering::Relaxed);
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        })
    };
    let began = Instant::now();
    let deadline = began + std::time::Duration::from_secs(seconds);
    let mut tasks = Vec::with_capacity(users);
    for (u, token) in tokens.iter().enumerate() {
        let (http, base, ids, token) = (http.clone(), base.clone(), Arc::clone(&ids), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut samples: Vec<Sample> = Vec::new();
            let mut n = u;
            while Instant::now() < deadline {
                let route = n % ROUTES.len();
                let account = ids[(n / ROUTES.len() + u) % ids.len()];
                let url = match route {
                    0 => format!("{base}/api/v1/accounts"),
                    1 if per_account_kpis => format!("{base}/api/v1/dashboard/kpis?account_id={account}"),
                    1 => format!("{base}/api/v1/dashboard/kpis"),
                    2 => format!(
                        "{base}/api/v1/metrics?user_id={account}&platform=X&start_date={since}&end_date={until}"
                    ),
                    _ => format!("{base}/api/v1/posts?account_id={account}&limit=50"),
                };
                let t = Instant::now();
                let ok = match http.get(&url).bearer_auth(&token).send().await {
                    Ok(answer) => answer.status() == 200 && answer.bytes().await.is_ok(),
                    Err(_) => false,
                };
                samples.push((route, t.elapsed().as_secs_f64(), ok));
                n += 1;
            }
            samples
        }));
    }
    let mut samples = Vec::new();
    for task in tasks {
        samples.extend(task.await?);
    }
    let wall = began.elapsed().as_secs_f64();
    running.store(false, Ordering::Relaxed);
    sampler.await?;
    println!(
        "{users} users for {wall:.1} s (each request waits for the previous one of its user; KPI tiles {}):",
        if per_account_kpis {
            "of one account per request"
        } else {
            "of all accounts, shared"
        }
    );
    println!("| route | requests | req/s | p50 ms | p95 ms | p99 ms | errors |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (i, route) in ROUTES.iter().enumerate() {
        let of_route: Vec<&Sample> = samples.iter().filter(|s| s.0 == i).collect();
        summary_line(route, &of_route, wall);
    }
    summary_line("all", &samples.iter().collect::<Vec<_>>(), wall);
    println!(
        "resident memory: {:.0} MiB before the load, {:.0} MiB at its peak",
        rss_before as f64 / 1024.0,
        peak.load(Ordering::Relaxed) as f64 / 1024.0
    );

    println!("a month's export, no other load ({since} .. {until}), 3 downloads each:");
    for format in ["csv", "json", "xlsx"] {
        let mut times = Vec::new();
        let mut bytes = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let answer = http
                .get(format!(
                    "{base}/api/v1/exports/{format}?start_date={since}&end_date={until}"
                ))
                .bearer_auth(&tokens[0])
                .send()
                .await?
                .error_for_status()?;
            bytes = answer.bytes().await?.len();
            times.push(t.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        println!(
            "  {format}: {:.2} s median, {:.2} s slowest, {:.1} MiB",
            times[1],
            times[2],
            bytes as f64 / 1_048_576.0
        );
    }
    let _ = stop.send(());
    server.await??;
    match Arc::try_unwrap(ws) {
        Ok(ws) => ws.close().await,
        Err(_) => println!("(the workspace is still shared; not closed)"),
    }
    Ok(())
}

async fn bench() -> Res<()> {
    let engines = std::env::var("ALCANCE_BENCH_ENGINES").unwrap_or_else(|_| "postgres,sqlite".into());
    for e in engines.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        match e {
            "postgres" if pg_server().is_some() => load(Engine::Postgres).await?,
            "postgres" => {
                println!("PostgreSQL skipped: ALCANCE_TEST_PG_URL is not set (run under scripts/pg-cluster.sh)")
            }
            "sqlite" => load(Engine::Sqlite).await?,
            other => return Err(format!("unknown engine {other}").into()),
        }
    }
    Ok(())
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if let Err(e) = runtime.block_on(bench()) {
        eprintln!("load bench failed: {e}");
        std::process::exit(1);
    }
}
