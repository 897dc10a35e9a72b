//! One collection run of chosen accounts, as the scheduler's loop and `alcance collect --now`
//! start it: renew the tokens, plan each account's window and next run, collect (or resume
//! a stored run), and log the token upkeep; and an account's cadence. The loop that decides
//! *when* lives in [`crate::scheduler`], which re-exports these.

use crate::error::{Context, Result};
use crate::lease::{claim_groups, Heartbeat, LeaseConfig};
use crate::scheduler::{SchedulerConfig, SystemClock};
use crate::workspace::Workspace;
use alcance_collector::schedule::{effective_every, next_run_at, Cadence};
use alcance_collector::{
    resume_run, run_planned, NextRun, PlannedTarget, Progress, RunControl, RunKind, RunPlan, RunSummary,
};
use alcance_core::AccountId;
use alcance_store::schedule::ScheduleRow;
use alcance_store::{AccountRow, Engine, Store};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Collects `accounts` now as one run of `kind` stamped `now` (UTC): renews their tokens
/// where due (accounts whose token is dead get none and are reported `needs_reauth`), plans
/// each one ([`plan_targets`]), drives the run under `control`, and logs the token upkeep in
/// the run's events. The scheduler's runs and `alcance collect --now` go through here.
///
/// Errors: the store cannot record the run.
pub async fn collect_accounts(
    ws: &Workspace,
    config: &SchedulerConfig,
    accounts: &[AccountRow],
    kind: RunKind,
    now: DateTime<Utc>,
    control: &RunControl,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<RunSummary> {
    let (targets, checks) = live_targets(ws, config, accounts, now).await?;
    let plan = RunPlan {
        kind,
        collected_at: now,
        targets,
    };
    let summary = run_planned(ws.store(), ws.clients(), &plan, control, progress).await?;
    crate::tokens::record(ws.store(), summary.run_id, &checks, now).await;
    crate::media::after_collection(ws, now).await;
    crate::hashtags::after_collection(ws, summary.run_id, now).await;
    crate::competitors::after_collection(ws, summary.run_id, now).await;
    crate::comments::after_collection(ws, &summary, now).await;
    Ok(summary)
}

/// A manual collection ([`collect_now`]): the run, and the accounts left out of it.
#[derive(Debug)]
pub struct ManualRun {
    /// The run; `None` when no account could be collected (all were busy).
    pub summary: Option<RunSummary>,
    /// Team workspaces: accounts left out because another worker holds their token's
    /// lease right now (it is collecting them, or about to); empty on a folder.
    pub busy: Vec<AccountRow>,
}

/// `alcance collect --now`: collects `accounts` now as one manual run, as
/// [`collect_accounts`] does. In a team workspace (PostgreSQL) it first leases their token
/// groups as a worker of its own (`config.lease`, or [`LeaseConfig::default`] without a cap
/// on groups), keeps the leases and the run's heartbeat alive while it runs (so no worker
/// takes the run over as a dead one's), releases them after, and reports the accounts
/// whose group another worker holds in [`ManualRun::busy`] instead of collecting them
/// twice at once.
///
/// Errors: the store cannot record the run or the leases.
pub async fn collect_now(
    ws: &Workspace,
    config: &SchedulerConfig,
    accounts: &[AccountRow],
    now: DateTime<Utc>,
    control: &RunControl,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<ManualRun> {
    if ws.store().engine() != Engine::Postgres {
        let summary = collect_accounts(ws, config, accounts, RunKind::Manual, now, control, progress).await?;
        return Ok(ManualRun {
            summary: Some(summary),
            busy: Vec::new(),
        });
    }
    let lease = LeaseConfig {
        groups_per_run: usize::MAX,
        ..config.lease.clone().unwrap_or_default()
    };
    let store = ws.store().clone();
    let held = claim_groups(&store, &lease, accounts, now).await?;
    let busy: Vec<AccountRow> = accounts
        .iter()
        .filter(|a| !held.iter().any(|h| h.id == a.id))
        .cloned()
        .collect();
    if held.is_empty() {
        return Ok(ManualRun { summary: None, busy });
    }
    let run = Arc::new(AtomicI64::new(0));
    let heartbeat = Heartbeat::start(store.clone(), lease.clone(), Arc::new(SystemClock), Arc::clone(&run));
    let tracked = |p: Progress| {
        if let Progress::RunStarted { run_id, .. } = &p {
            run.store(*run_id, Ordering::Relaxed);
        }
        progress(p);
    };
    let result = collect_accounts(ws, config, &held, RunKind::Manual, now, control, &tracked).await;
    drop(heartbeat);
    let released = store.release_leases(&lease.worker).await;
    let summary = result?;
    released?;
    Ok(ManualRun {
        summary: Some(summary),
        busy,
    })
}

/// Resumes the stored run `run_id` for its pending `accounts` (those no longer collectable
/// are skipped), as [`collect_accounts`] does for a new run.
///
/// Errors: the run already ended; the store cannot record it.
pub async fn resume_accounts(
    ws: &Workspace,
    config: &SchedulerConfig,
    run_id: i64,
    accounts: &[AccountRow],
    now: DateTime<Utc>,
    control: &RunControl,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<RunSummary> {
    let (targets, checks) = live_targets(ws, config, accounts, now).await?;
    let summary = resume_run(ws.store(), ws.clients(), run_id, &targets, now, control, progress).await?;
    crate::tokens::record(ws.store(), summary.run_id, &checks, now).await;
    Ok(summary)
}

/// Refreshes the tokens of `accounts` (the checks are returned, to be recorded with the
/// run) and plans them at `now`, without a token for those whose upkeep found it dead.
async fn live_targets(
    ws: &Workspace,
    config: &SchedulerConfig,
    accounts: &[AccountRow],
    now: DateTime<Utc>,
) -> Result<(Vec<PlannedTarget>, Vec<crate::tokens::TokenCheck>)> {
    let checks = ws.refresh_tokens(accounts).await;
    let mut targets = plan_targets(ws, config, accounts, now).await?;
    let dead = crate::tokens::skipped(&checks);
    for t in &mut targets {
        if dead.contains(&t.target.account_id) {
            t.target.token = None;
        }
    }
    Ok((targets, checks))
}

/// Plans `accounts` at `now` (UTC): each one's window from the refresh policy and its
/// refresh marks, its token, and its next run (cadence from `schedules`, the story minimum
/// for owned Instagram accounts, jitter; a failure is retried after
/// `min(cadence, retry_after)`). Used by the scheduler and by `alcance collect --now`.
///
/// Errors: the store cannot be read.
pub async fn plan_targets(
    ws: &Workspace,
    config: &SchedulerConfig,
    accounts: &[AccountRow],
    now: DateTime<Utc>,
) -> Result<Vec<PlannedTarget>> {
    let store = ws.store();
    let schedules: HashMap<i64, ScheduleRow> = store
        .schedules()
        .await?
        .into_iter()
        .map(|s| (s.account_id, s))
        .collect();
    let mut targets = Vec::with_capacity(accounts.len());
    for account in accounts {
        let cadence = match schedules.get(&account.id) {
            Some(s) => Cadence::from_kind(s.cadence, s.every_seconds).unwrap_or_else(|e| {
                tracing::warn!(account_id = account.id, error = %e, "unreadable schedule; using daily");
                Cadence::Daily
            }),
            None => Cadence::Daily,
        };
        let every = effective_every(cadence, &account.account, config.story_cadence);
        let marks = store.refresh_marks(account.id).await?;
        let refresh = config.refresh.plan(now, &marks, account.last_collected_at);
        let jitter = &config.jitter;
        targets.push(PlannedTarget {
            target: ws.target(account),
            window: refresh.window,
            refresh_horizons: refresh.horizons,
            next_run: Some(NextRun {
                on_success: next_run_at(now, every, jitter, account.id),
                on_failure: next_run_at(now, every.min(config.retry_after), jitter, account.id),
            }),
        });
    }
    Ok(targets)
}

/// Sets an account's cadence and plans its next run from its last attempt (or `now` when
/// it never ran, or when that time has passed: then it is due at once), without jitter.
///
/// Errors: an unknown account; the store cannot be written.
pub async fn set_cadence(
    store: &Store,
    account_id: AccountId,
    cadence: Cadence,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>> {
    let current = store
        .schedule(account_id.get())
        .await
        .with_context(|| format!("account {account_id} has no schedule"))?;
    let next = current
        .last_run_at
        .map(|last| (last + cadence.every()).max(now))
        .unwrap_or(now);
    store
        .set_cadence(account_id.get(), cadence.key(), cadence.every_seconds(), next)
        .await?;
    Ok(next)
}
