#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Issue 16 point 5: how long one account's collection takes when every API call costs a
//! real round trip (the brief: "under 5 s per account per collection, API waits aside").
//!
//! The seeded sandbox runs in this process with its rate limits off and every platform
//! answer delayed by `ALCANCE_BENCH_LATENCY_MS` (150 ms: a typical round trip from Brazil
//! to the platforms' US endpoints). `alcance demo`'s own set-up connects the demo's accounts
//! through their real connect paths (OAuth + PKCE on the loopback redirect, Facebook Login
//! and Page tokens, a WhatsApp system-user token) and tracks the public profiles, with no
//! latency; then each account is collected alone (`Workspace::collect` with only its id,
//! a 90-day window), `ALCANCE_BENCH_REPS` times, and timed end to end (token check, every
//! call, the save). Printed per account: the calls it made (requests the sandbox
//! answered), posts and metric values stored, p50 / p95 of the time, and the time the
//! calls alone account for (calls × latency, since the calls of one account run one after
//! the other). Then all accounts in one run, as the scheduler runs them (the next
//! account's fetch overlaps the previous one's save).
//!
//! ```sh
//! cargo bench -p alcance-app --bench per_account
//! ```
//!
//! Environment (defaults in brackets): `ALCANCE_BENCH_LATENCY_MS` [150],
//! `ALCANCE_BENCH_REPS` [10], `ALCANCE_BENCH_DAYS` [90]. Not run in CI.

use alcance_app::demo::{self, DemoOptions};
use alcance_app::{RunKind, Session};
use alcance_platforms::CollectWindow;
use alcance_sandbox::{Mode, Sandbox, SandboxConfig};
use chrono::{DurationRound, Utc};
use std::time::{Duration, Instant};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The `q`-quantile (0–1) of sorted `v` (nearest rank).
fn quantile(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

fn main() -> Res<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(bench())
}

async fn bench() -> Res<()> {
    let latency = Duration::from_millis(env_num("ALCANCE_BENCH_LATENCY_MS", 150));
    let reps = env_num("ALCANCE_BENCH_REPS", 10).max(1);
    let days = env_num("ALCANCE_BENCH_DAYS", 90).max(1) as i64;

    let sandbox = Sandbox::start(SandboxConfig {
        mode: Mode::Seeded { seed: 42 },
        bind: "127.0.0.1:0".parse()?,
    })
    .await?;
    let state = sandbox.state();
    state.set_limits_enabled(false);
    let base = sandbox.base_url();
    let dir = tempfile::tempdir()?;

    // Connect and track the demo's accounts (one simulated day of collection).
    demo::run(
        DemoOptions {
            out: dir.path().to_path_buf(),
            sandbox_url: Some(base.clone()),
            days: 1,
        },
        &|_| {},
    )
    .await?;
    let session = Session::demo_at(dir.path(), &base).await?;
    let ws = session.workspace().clone();
    let accounts = ws.store().list_accounts().await?;

    // The demo left the sandbox's clock on its last day at 13:00 UTC.
    let until = Utc::now().duration_trunc(chrono::Duration::days(1))? + chrono::Duration::hours(13);
    let window = CollectWindow {
        since: until - chrono::Duration::days(days),
        until,
    };
    state.set_latency(latency);
    println!(
        "latency {} ms per call, rate limits off, {days}-day window, {reps} repetitions, {} accounts",
        latency.as_millis(),
        accounts.len()
    );
    println!();
    println!("| platform | account | owned | calls | posts | metric values | p50 s | p95 s | calls × latency s |");
    println!("|---|---|---|---:|---:|---:|---:|---:|---:|");
    for account in &accounts {
        let mut times = Vec::new();
        let (mut calls, mut posts, mut metrics) = (0, 0, 0);
        for _ in 0..reps {
            let before = state.requests_served();
            let started = Instant::now();
            let summary = ws
                .collect(window, until, RunKind::Manual, &[account.id], &|_| {})
                .await?;
            times.push(started.elapsed().as_secs_f64());
            calls = state.requests_served() - before;
            let outcome = summary.accounts.first().ok_or("the run collected no account")?;
            if !outcome.ok {
                return Err(format!("{:?} failed: {:?}", outcome.account, outcome.error).into());
            }
            (posts, metrics) = (outcome.posts, outcome.metrics);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "| {} | {} | {} | {calls} | {posts} | {metrics} | {:.2} | {:.2} | {:.2} |",
            account.account.platform.label(),
            account
                .account
                .username
                .as_deref()
                .unwrap_or(&account.account.external_id),
            if account.account.owned { "yes" } else { "tracked" },
            quantile(&times, 0.5),
            quantile(&times, 0.95),
            calls as f64 * latency.as_secs_f64(),
        );
    }

    let before = state.requests_served();
    let started = Instant::now();
    let summary = ws.collect(window, until, RunKind::Manual, &[], &|_| {}).await?;
    println!();
    println!(
        "all {} accounts in one run: {:.2} s, {} calls ({:.2} s of latency if one after the other), {} failed",
        summary.accounts.len(),
        started.elapsed().as_secs_f64(),
        state.requests_served() - before,
        (state.requests_served() - before) as f64 * latency.as_secs_f64(),
        summary.accounts.iter().filter(|a| !a.ok).count(),
    );
    drop(ws);
    session.close().await;
    sandbox.shutdown().await;
    Ok(())
}
