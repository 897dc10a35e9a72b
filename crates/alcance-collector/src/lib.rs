//! Collection runs: drive each account's platform client, archive what came back, and write
//! it to the store one account batch per transaction.
//!
//! A run covers many accounts on many platforms. One account failing (bad token, a 500,
//! a malformed answer) is recorded in `run_events` and the run goes on with the others;
//! nothing stored before is touched by a failure. An account that fails half-way keeps
//! what arrived before the failure (stored as a partial collection, the failure a run
//! event and a data gap); a rate-limited account is deferred (its `run_accounts.retry_at`
//! and schedule say when it is collected again) instead of holding the run; every account
//! and the run itself have a deadline ([`RunLimits`], written in the run's events).
//!
//! Runs are planned ([`RunPlan`]: each account with its own window, the post-age tiers it
//! refreshes and its next scheduled run) and driven by [`run_planned`] under a
//! [`RunControl`] (pause / resume / cancel / interrupt, checked between accounts). Each
//! account's progress is persisted in `run_accounts`, so a run that was paused when the
//! app quit continues with [`resume_run`] instead of starting over. [`schedule`] holds the
//! cadence math the scheduler (in `alcance-app`) plans with.

pub mod control;
pub mod limits;
pub mod schedule;

pub use alcance_core::{RunKind, RunStatus};
pub use control::{ControlState, RunControl};
pub use limits::RunLimits;

use alcance_core::{
    AccountRef, AccountStatus, DataGap, EventLevel, Interruption, Platform, RawExchange, RunAccountStatus,
};
use alcance_platforms::{CallLimits, CollectCtx, CollectWindow, PlatformClient, PlatformError, Recorder};
use alcance_store::schedule::{PlannedAccount, RunAccountResult};
use alcance_store::{PreparedBatch, RunCounts, Store, StoreError};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The clients a run can use, one per platform.
#[derive(Clone, Default)]
pub struct Clients(HashMap<Platform, Arc<dyn PlatformClient>>);

impl Clients {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the client of its platform.
    pub fn with(mut self, client: Arc<dyn PlatformClient>) -> Self {
        self.0.insert(client.platform(), client);
        self
    }

    /// The client of `platform`, when one was added.
    pub fn get(&self, platform: Platform) -> Option<&Arc<dyn PlatformClient>> {
        self.0.get(&platform)
    }
}

/// One account to collect in a run.
#[derive(Debug, Clone)]
pub struct Target {
    /// `accounts.id` in the store.
    pub account_id: i64,
    /// The account as the platform knows it.
    pub account: AccountRef,
    /// The token to collect with (the account's own, or its owner's for a tracked profile);
    /// `None` when the vault had none: the account is reported as needing re-authorization.
    pub token: Option<SecretString>,
}

/// Progress of a run, sent to the caller as it happens (CLI progress bar, UI channel).
///
/// Order for one call: `RunStarted` (or `Resumed` for [`resume_run`]), then per account
/// `AccountStarted`, `AccountFinished`, `Run`; `Paused` / `Resumed` around a pause; last
/// `Finished`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Progress {
    /// The run started with this many accounts.
    RunStarted {
        /// `collection_runs.id`.
        run_id: i64,
        /// Accounts in the run.
        accounts: usize,
    },
    /// One account is being collected.
    AccountStarted {
        /// 0-based position in the run.
        index: usize,
        /// The account.
        account: AccountRef,
    },
    /// One account finished (successfully or not).
    AccountFinished(AccountOutcome),
    /// The run's tallies after an account finished (status `running`).
    Run(RunProgress),
    /// The run paused before its next account (status `paused`), waiting for
    /// [`RunControl::resume`].
    Paused(RunProgress),
    /// The run goes on: after a pause, or when [`resume_run`] continues a stored run.
    Resumed(RunProgress),
    /// This call ended: status `ok`, `partial`, `failed`, `cancelled`, or `paused` when it
    /// was interrupted and can be resumed.
    Finished(RunProgress),
}

/// Whole-run tallies (across every call that worked on the run), for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunProgress {
    /// `collection_runs.id`.
    pub run_id: i64,
    /// `running`, `paused`, `ok`, `partial`, `failed` or `cancelled`.
    pub status: RunStatus,
    /// Accounts in the run.
    pub accounts_total: usize,
    /// Accounts whose batch was saved.
    pub accounts_ok: usize,
    /// Accounts that failed.
    pub accounts_failed: usize,
    /// Accounts skipped (run cancelled before them, or no longer collectable on resume).
    pub accounts_skipped: usize,
    /// Metric values written or updated so far (counts).
    pub metrics: usize,
    /// Posts written or updated so far (counts).
    pub posts: usize,
}

impl RunProgress {
    /// Accounts finished one way or another (ok + failed + skipped).
    pub fn accounts_done(&self) -> usize {
        self.accounts_ok + self.accounts_failed + self.accounts_skipped
    }

    /// Accounts still to collect.
    pub fn accounts_pending(&self) -> usize {
        self.accounts_total.saturating_sub(self.accounts_done())
    }

    /// Share of accounts finished, percent 0–100 (100 for an empty run).
    pub fn percent(&self) -> f64 {
        if self.accounts_total == 0 {
            100.0
        } else {
            self.accounts_done() as f64 * 100.0 / self.accounts_total as f64
        }
    }

    fn counts(&self) -> RunCounts {
        RunCounts {
            accounts_total: self.accounts_total as i64,
            accounts_ok: self.accounts_ok as i64,
            accounts_failed: self.accounts_failed as i64,
            metrics_written: self.metrics as i64,
        }
    }

    fn with_status(mut self, status: RunStatus) -> Self {
        self.status = status;
        self
    }

    /// `ok` (no account failed), `failed` (some failed, none succeeded) or `partial`.
    fn final_status(&self) -> RunStatus {
        if self.accounts_failed == 0 {
            RunStatus::Ok
        } else if self.accounts_ok == 0 {
            RunStatus::Failed
        } else {
            RunStatus::Partial
        }
    }
}

/// How one account's collection ended.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountOutcome {
    /// `accounts.id`.
    pub account_id: i64,
    /// The account.
    pub account: AccountRef,
    /// `true` when a batch was stored.
    pub ok: bool,
    /// Metric values written or updated (account + post + audience).
    pub metrics: usize,
    /// Posts written or updated.
    pub posts: usize,
    /// Data gaps recorded (removed metrics, media without insights, ...).
    pub gaps: usize,
    /// Error code and message when the account failed (`unauthorized: ...`).
    pub error: Option<String>,
    /// `true` when the token was refused: the account is now `needs_reauth`.
    pub needs_reauth: bool,
    /// `true` when the account failed half-way and what arrived before was stored (`ok`
    /// is `false`; `metrics` and `posts` count what was stored).
    pub partial: bool,
    /// When the account is collected again, UTC, when it was deferred (rate limited).
    pub retry_at: Option<DateTime<Utc>>,
}

/// How a run call ended.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    /// `collection_runs.id`.
    pub run_id: i64,
    /// `ok` (every account), `partial` (some failed), `failed` (all failed), `cancelled`,
    /// or `paused` (interrupted; [`resume_run`] continues it).
    pub status: RunStatus,
    /// One outcome per account collected by this call, in run order (a resumed run lists
    /// only the accounts it collected after resuming).
    pub accounts: Vec<AccountOutcome>,
    /// Whole-run tallies, across every call that worked on the run.
    pub progress: RunProgress,
}

impl RunSummary {
    /// Metric values written across the run.
    pub fn metrics(&self) -> usize {
        self.accounts.iter().map(|a| a.metrics).sum()
    }
}

/// Errors that stop a whole run (the store itself failing). Per-account errors never do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CollectError {
    /// The store could not record the run.
    #[error("the run could not be recorded: {0}")]
    Store(#[from] StoreError),
    /// A cadence that cannot be used (unknown name, period outside 60 s – one year).
    #[error("invalid cadence {value:?}: {reason}")]
    InvalidCadence {
        /// What was given.
        value: String,
        /// What is accepted.
        reason: &'static str,
    },
    /// [`resume_run`] was asked to continue a run that already ended.
    #[error("run {run_id} cannot be resumed: it is {status}")]
    NotResumable {
        /// `collection_runs.id`.
        run_id: i64,
        /// Its stored status.
        status: RunStatus,
    },
}

impl From<alcance_core::InvalidCadence> for CollectError {
    fn from(e: alcance_core::InvalidCadence) -> Self {
        CollectError::InvalidCadence {
            value: e.value,
            reason: e.reason,
        }
    }
}

/// A run's account schedule update, applied when the account finishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextRun {
    /// `schedules.next_run_at` after a success, UTC.
    pub on_success: DateTime<Utc>,
    /// `schedules.next_run_at` after a failure (usually sooner: a retry), UTC.
    pub on_failure: DateTime<Utc>,
}

/// One account of a planned run.
#[derive(Debug, Clone)]
pub struct PlannedTarget {
    /// The account and its token.
    pub target: Target,
    /// The window to collect (UTC), from [`schedule::RefreshPolicy::plan`] or the caller.
    pub window: CollectWindow,
    /// Post-age horizons (seconds) the window refreshes; marked in `post_refresh` at the
    /// run's `collected_at` when the batch is saved. Empty: nothing is marked.
    pub refresh_horizons: Vec<i64>,
    /// The schedule update to record when the account finishes; `None` leaves
    /// `schedules` alone (the demo).
    pub next_run: Option<NextRun>,
}

impl PlannedTarget {
    /// `target` over `window`, marking nothing and leaving its schedule alone.
    pub fn new(target: Target, window: CollectWindow) -> Self {
        Self {
            target,
            window,
            refresh_horizons: Vec::new(),
            next_run: None,
        }
    }
}

/// A run to drive with [`run_planned`].
#[derive(Debug, Clone)]
pub struct RunPlan {
    /// Stored in `collection_runs.kind`.
    pub kind: RunKind,
    /// The stamp of everything the run stores (snapshots, `last_collected_at`), UTC.
    pub collected_at: DateTime<Utc>,
    /// The accounts, in run order. An account listed twice is collected once.
    pub targets: Vec<PlannedTarget>,
}

/// Collects every target over `window`, stamping what it stores with `collected_at` (UTC),
/// and records the run and its events. Calls `progress` as it goes. The same as
/// [`run_planned`] with one window for all, no schedule updates and a control nobody
/// pauses.
///
/// Errors: only when the run itself cannot be recorded (see [`CollectError`]).
pub async fn run(
    store: &Store,
    clients: &Clients,
    targets: &[Target],
    window: CollectWindow,
    collected_at: DateTime<Utc>,
    kind: RunKind,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<RunSummary, CollectError> {
    let plan = RunPlan {
        kind,
        collected_at,
        targets: targets.iter().cloned().map(|t| PlannedTarget::new(t, window)).collect(),
    };
    run_planned(store, clients, &plan, &RunControl::new(), progress).await
}

/// Starts and drives a planned run: records it (`collection_runs`, one `pending`
/// `run_accounts` row per account with its window), then collects the accounts in order,
/// checking `control` before each one. After each account its `run_accounts` row, refresh
/// marks (on success) and schedule (when planned) are updated.
///
/// Pause: the run is stored `paused` and this call waits for resume, cancel or interrupt.
/// Cancel: the remaining accounts become `skipped`, the run `cancelled`. Interrupt: the
/// call returns with status `paused`, the remaining accounts stay `pending` for
/// [`resume_run`]. Whatever was collected before is kept in every case.
///
/// Errors: only when the run itself cannot be recorded (see [`CollectError`]).
pub async fn run_planned(
    store: &Store,
    clients: &Clients,
    plan: &RunPlan,
    control: &RunControl,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<RunSummary, CollectError> {
    let mut seen = HashSet::new();
    let targets: Vec<&PlannedTarget> = plan
        .targets
        .iter()
        .filter(|t| seen.insert(t.target.account_id))
        .collect();
    let run_id = store.start_run(plan.kind, plan.collected_at).await?;
    let planned: Vec<PlannedAccount> = targets
        .iter()
        .map(|t| PlannedAccount {
            account_id: t.target.account_id,
            window_since: t.window.since,
            window_until: t.window.until,
        })
        .collect();
    store.add_run_accounts(run_id, &planned).await?;
    record_limits(store, run_id, &control.limits(), plan.collected_at).await;
    progress(Progress::RunStarted {
        run_id,
        accounts: targets.len(),
    });
    let tally = RunProgress {
        run_id,
        status: RunStatus::Running,
        accounts_total: targets.len(),
        accounts_ok: 0,
        accounts_failed: 0,
        accounts_skipped: 0,
        metrics: 0,
        posts: 0,
    };
    let queue = targets.into_iter().enumerate().collect();
    drive(store, clients, queue, tally, plan.collected_at, control, progress).await
}

/// Continues a `paused` (or orphaned `running`) run from its `run_accounts`: the accounts
/// already `done`, `failed` or `skipped` are not collected again; each `pending` one is
/// collected as planned in `targets` (found by account id; fresh window, token and schedule
/// update), stamped `collected_at` (UTC). A pending account missing from `targets` (removed,
/// paused, disconnected) is `skipped`. Then as [`run_planned`].
///
/// Errors: [`CollectError::NotResumable`] for a run that already ended; store errors.
pub async fn resume_run(
    store: &Store,
    clients: &Clients,
    run_id: i64,
    targets: &[PlannedTarget],
    collected_at: DateTime<Utc>,
    control: &RunControl,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<RunSummary, CollectError> {
    let run = store.run(run_id).await?;
    if !run.status.is_open() {
        return Err(CollectError::NotResumable {
            run_id,
            status: run.status,
        });
    }
    let rows = store.run_accounts(run_id).await?;
    let by_account: HashMap<i64, &PlannedTarget> = targets.iter().map(|t| (t.target.account_id, t)).collect();
    let mut tally = RunProgress {
        run_id,
        status: RunStatus::Running,
        accounts_total: rows.len(),
        accounts_ok: 0,
        accounts_failed: 0,
        accounts_skipped: 0,
        metrics: 0,
        posts: 0,
    };
    let mut queue = Vec::new();
    for row in &rows {
        match row.status {
            RunAccountStatus::Done => tally.accounts_ok += 1,
            RunAccountStatus::Failed => tally.accounts_failed += 1,
            RunAccountStatus::Skipped => tally.accounts_skipped += 1,
            _ => match by_account.get(&row.account_id) {
                Some(t) => queue.push((row.position.max(0) as usize, *t)),
                None => {
                    store
                        .finish_run_account(
                            run_id,
                            row.account_id,
                            &RunAccountResult {
                                status: RunAccountStatus::Skipped,
                                metrics_written: 0,
                                posts_written: 0,
                                gaps: 0,
                                needs_reauth: false,
                                error: Some(
                                    "the account is no longer collected (removed, paused or disconnected)".into(),
                                ),
                                finished_at: collected_at,
                                partial: false,
                                retry_at: None,
                            },
                        )
                        .await?;
                    tally.accounts_skipped += 1;
                }
            },
        }
        tally.metrics += row.metrics_written.max(0) as usize;
        tally.posts += row.posts_written.max(0) as usize;
    }
    store
        .set_run_progress(run_id, RunStatus::Running, &tally.counts())
        .await?;
    record_limits(store, run_id, &control.limits(), collected_at).await;
    tracing::info!(run_id, pending = queue.len(), "resuming the run");
    progress(Progress::Resumed(tally));
    drive(store, clients, queue, tally, collected_at, control, progress).await
}

/// The loop shared by [`run_planned`] and [`resume_run`].
///
/// Pipelined: while one account's batch is written (the store is the slower side), the
/// next account is already fetched and its batch prepared ([`PreparedBatch::new`]: raw
/// bodies redacted, hashed and compressed) in a task of its own. At most one account is
/// fetched ahead, and only while the run is running: the prefetch is started after the
/// current account's fetch ended, and dropped unwritten (its requests cancelled) when the
/// run pauses, is cancelled or interrupted before that account's turn, so the control
/// still acts between accounts and nothing of an account is stored before its turn. All
/// store writes stay in run order on this task, each account's batch in its own
/// transaction, and the progress events keep their order.
async fn drive(
    store: &Store,
    clients: &Clients,
    queue: Vec<(usize, &PlannedTarget)>,
    mut tally: RunProgress,
    collected_at: DateTime<Utc>,
    control: &RunControl,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<RunSummary, CollectError> {
    let run_id = tally.run_id;
    // Times stamped during the run: `collected_at` plus the wall time spent, so a run
    // stamped in the past (the demo's simulated days) keeps its real duration, and a run
    // stamped now ends at the wall clock's now.
    let started = std::time::Instant::now();
    let now =
        || collected_at + chrono::Duration::from_std(started.elapsed()).unwrap_or_else(|_| chrono::Duration::zero());
    let mut outcomes = Vec::with_capacity(queue.len());
    let limits = control.limits();
    let run_end = limits.run_deadline.map(|d| tokio::time::Instant::now() + d);
    let fc = FetchControl {
        bounds: Bounds {
            account_deadline: limits.account_deadline,
            run_end,
            max_rate_wait: limits.max_rate_wait,
        },
        stop: control.stop_signal(),
        audience: audience_consented(store, run_id, collected_at).await,
    };
    // The fetch of the account at this queue position, started ahead of its turn.
    let mut ahead: Option<(usize, FetchTask)> = None;
    for (pos, &(index, planned)) in queue.iter().enumerate() {
        if run_end.is_some_and(|end| tokio::time::Instant::now() >= end) {
            // The fetch made ahead is dropped (aborted) unwritten.
            drop(ahead.take());
            let reason = format!(
                "the run's deadline ({} s) passed before this account; it stays due",
                limits.run_deadline.map_or(0, |d| d.as_secs())
            );
            let skipped = store.skip_pending_run_accounts(run_id, &reason, now()).await?;
            tally.accounts_skipped += skipped as usize;
            let _ = store
                .add_event(run_id, None, EventLevel::Warn, "run_deadline", &reason, now())
                .await;
            tracing::warn!(
                run_id,
                skipped,
                "run deadline passed; the remaining accounts are skipped"
            );
            let status = tally.final_status();
            return end(store, tally, status, outcomes, now(), progress).await;
        }
        let mut state = control.state();
        if state != ControlState::Running {
            // Whatever comes next starts after the pause, or never: the fetch made ahead
            // is dropped (aborted) unwritten.
            ahead = None;
        }
        if state == ControlState::Paused {
            store
                .set_run_progress(run_id, RunStatus::Paused, &tally.counts())
                .await?;
            tracing::info!(run_id, "run paused");
            progress(Progress::Paused(tally.with_status(RunStatus::Paused)));
            state = control.wait_while_paused().await;
            if state == ControlState::Running {
                store
                    .set_run_progress(run_id, RunStatus::Running, &tally.counts())
                    .await?;
                tracing::info!(run_id, "run resumed");
                progress(Progress::Resumed(tally));
            }
        }
        match state {
            ControlState::Running | ControlState::Paused => {}
            ControlState::Cancelled => {
                let skipped = store
                    .skip_pending_run_accounts(run_id, "the run was cancelled before this account", now())
                    .await?;
                tally.accounts_skipped += skipped as usize;
                tracing::info!(run_id, skipped, "run cancelled");
                return end(store, tally, RunStatus::Cancelled, outcomes, now(), progress).await;
            }
            ControlState::Interrupted => return interrupted(store, tally, outcomes, progress).await,
        }

        let target = &planned.target;
        progress(Progress::AccountStarted {
            index,
            account: target.account.clone(),
        });
        let fetched = match ahead.take() {
            Some((at, prefetch)) if at == pos => Ok(prefetch.join().await),
            _ => match fetch_args(clients, target) {
                Ok((client, token)) => {
                    let (account, window) = (target.account.clone(), planned.window);
                    Ok(
                        match FetchTask::start(
                            Arc::clone(&client),
                            account.clone(),
                            token.clone(),
                            window,
                            collected_at,
                            fc.clone(),
                        ) {
                            Some(task) => task.join().await,
                            None => fetch(client, account, token, window, collected_at, fc.clone()).await,
                        },
                    )
                }
                Err(missing) => Err(missing),
            },
        };
        // Fetch the next account while this one is written.
        if control.state() == ControlState::Running {
            if let Some(&(_, next)) = queue.get(pos + 1) {
                if let Ok((client, token)) = fetch_args(clients, &next.target) {
                    ahead = FetchTask::start(
                        client,
                        next.target.account.clone(),
                        token,
                        next.window,
                        collected_at,
                        fc.clone(),
                    )
                    .map(|p| (pos + 1, p));
                }
            }
        }
        // Stopped between two requests by a cancel or an interrupt.
        let by_control = match &fetched {
            Ok(Fetched::Batch { stopped: Some(why), .. }) => why.code == "stopped",
            Ok(Fetched::Failed {
                error: PlatformError::Stopped { .. },
                ..
            }) => true,
            _ => false,
        };
        if by_control && control.state() == ControlState::Interrupted {
            // The account stays pending: the resume collects it whole.
            drop(ahead.take());
            return interrupted(store, tally, outcomes, progress).await;
        }
        let cancelled_here = by_control && control.state() == ControlState::Cancelled;
        let mut outcome = store_account(store, run_id, target, fetched, collected_at, now()).await;
        if cancelled_here {
            outcome.retry_at = None;
        }
        match &outcome.error {
            None => tracing::info!(
                run_id,
                platform = %target.account.platform,
                account = %target.account.external_id,
                metrics = outcome.metrics,
                posts = outcome.posts,
                gaps = outcome.gaps,
                "account collected"
            ),
            Some(error) => tracing::warn!(
                run_id,
                platform = %target.account.platform,
                account = %target.account.external_id,
                needs_reauth = outcome.needs_reauth,
                partial = outcome.partial,
                retry_at = ?outcome.retry_at,
                error = %error,
                "account failed; the run goes on"
            ),
        }
        // The account's end and its next run in one transaction: a worker that dies
        // between them cannot leave the account done yet still due.
        // A deferred account is due again when the platform lets it.
        // An account cancelled half-way is skipped like those after it: its schedule is
        // left to the run's owner (as for every skipped account).
        let next_run_at =
            planned
                .next_run
                .filter(|_| !cancelled_here)
                .map(|next| match (outcome.ok, outcome.retry_at) {
                    (true, _) => next.on_success,
                    (false, Some(retry_at)) => retry_at,
                    (false, None) => next.on_failure,
                });
        store
            .finish_run_account_and_schedule(
                run_id,
                target.account_id,
                &RunAccountResult {
                    status: if outcome.ok {
                        RunAccountStatus::Done
                    } else if cancelled_here {
                        RunAccountStatus::Skipped
                    } else {
                        RunAccountStatus::Failed
                    },
                    metrics_written: outcome.metrics as i64,
                    posts_written: outcome.posts as i64,
                    gaps: outcome.gaps as i64,
                    needs_reauth: outcome.needs_reauth,
                    error: outcome.error.clone(),
                    finished_at: now(),
                    partial: outcome.partial,
                    retry_at: outcome.retry_at,
                },
                collected_at,
                next_run_at,
            )
            .await?;
        if outcome.ok {
            if let Err(error) = store
                .mark_refreshed(target.account_id, &planned.refresh_horizons, collected_at)
                .await
            {
                tracing::warn!(run_id, account_id = target.account_id, %error, "refresh marks not saved");
            }
        }
        if outcome.ok {
            tally.accounts_ok += 1;
        } else if cancelled_here {
            tally.accounts_skipped += 1;
        } else {
            tally.accounts_failed += 1;
        }
        tally.metrics += outcome.metrics;
        tally.posts += outcome.posts;
        count_account(&outcome, cancelled_here);
        progress(Progress::AccountFinished(outcome.clone()));
        progress(Progress::Run(tally));
        outcomes.push(outcome);
        if cancelled_here {
            drop(ahead.take());
            let skipped = store
                .skip_pending_run_accounts(run_id, "the run was cancelled before this account", now())
                .await?;
            tally.accounts_skipped += skipped as usize;
            tracing::info!(run_id, skipped, "run cancelled during an account");
            return end(store, tally, RunStatus::Cancelled, outcomes, now(), progress).await;
        }
    }
    let status = tally.final_status();
    end(store, tally, status, outcomes, now(), progress).await
}

/// Whether the workspace consents to demographic (audience) data (docs/PRIVACY.md). When it
/// does not (or the consent cannot be read), the run records so once, as an info event
/// `audience_skipped`, and collects everything else.
async fn audience_consented(store: &Store, run_id: i64, at: DateTime<Utc>) -> bool {
    match store.audience_consent().await {
        Ok(Some(_)) => true,
        other => {
            if let Err(error) = &other {
                tracing::warn!(run_id, %error, "the audience consent is unreadable; audience data is skipped");
            }
            let _ = store
                .add_event(
                    run_id,
                    None,
                    EventLevel::Info,
                    "audience_skipped",
                    "audience (demographic) data was skipped: the workspace has not consented to collect it (Settings → Privacy, or `alcance privacy consent`)",
                    at,
                )
                .await;
            false
        }
    }
}

/// Leaves the run `paused` with its remaining accounts `pending`, for [`resume_run`].
async fn interrupted(
    store: &Store,
    tally: RunProgress,
    outcomes: Vec<AccountOutcome>,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<RunSummary, CollectError> {
    let run_id = tally.run_id;
    let paused = tally.with_status(RunStatus::Paused);
    store
        .set_run_progress(run_id, RunStatus::Paused, &paused.counts())
        .await?;
    tracing::info!(
        run_id,
        pending = paused.accounts_pending(),
        "run interrupted; it can be resumed"
    );
    progress(Progress::Finished(paused));
    Ok(RunSummary {
        run_id,
        status: RunStatus::Paused,
        accounts: outcomes,
        progress: paused,
    })
}

/// Ends the run with `status` and reports it.
async fn end(
    store: &Store,
    tally: RunProgress,
    status: RunStatus,
    outcomes: Vec<AccountOutcome>,
    finished_at: DateTime<Utc>,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<RunSummary, CollectError> {
    let tally = tally.with_status(status);
    store
        .finish_run(tally.run_id, status, finished_at, &tally.counts())
        .await?;
    // The workspace's retention (docs/PRIVACY.md): raw responses older than it go.
    match store.prune_raw_responses(finished_at, "retention").await {
        Ok(0) => {}
        Ok(deleted) => tracing::info!(
            run_id = tally.run_id,
            deleted,
            "raw responses past the retention deleted"
        ),
        Err(error) => tracing::warn!(run_id = tally.run_id, %error, "pruning old raw responses failed"),
    }
    progress(Progress::Finished(tally));
    Ok(RunSummary {
        run_id: tally.run_id,
        status,
        accounts: outcomes,
        progress: tally,
    })
}

/// Why an account cannot be fetched at all.
enum Missing {
    /// No client for its platform.
    Client,
    /// No token in the vault.
    Token,
}

/// The client and token to fetch `target` with.
fn fetch_args(clients: &Clients, target: &Target) -> Result<(Arc<dyn PlatformClient>, SecretString), Missing> {
    let client = clients.get(target.account.platform).ok_or(Missing::Client)?;
    let token = target.token.clone().ok_or(Missing::Token)?;
    Ok((Arc::clone(client), token))
}

/// The time bounds of one account's fetch, from the run's [`RunLimits`].
#[derive(Debug, Clone, Copy)]
struct Bounds {
    /// From the fetch's start.
    account_deadline: std::time::Duration,
    /// The run's deadline (tokio's clock), when it has one.
    run_end: Option<tokio::time::Instant>,
    /// The longest wait for a closed rate-limit budget.
    max_rate_wait: std::time::Duration,
}

/// A fetch's bounds and the run's stop signal.
#[derive(Debug, Clone)]
struct FetchControl {
    bounds: Bounds,
    stop: tokio::sync::watch::Receiver<bool>,
    /// `false` without the workspace's consent for demographic data: the clients skip
    /// their demographic calls and demographic slices are dropped before the store.
    audience: bool,
}

/// Grace after the account's deadline before a client that does not return (stuck
/// outside the HTTP layer) is abandoned.
const DEADLINE_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// What fetching one account produced; nothing of it is stored yet.
enum Fetched {
    /// The platform answered: the batch made ready to write (or why it could not be), its
    /// number of data gaps, and why it stopped half-way when it did (then it holds what
    /// arrived before).
    Batch {
        prepared: Result<Box<PreparedBatch>, String>,
        gaps: usize,
        stopped: Option<Interruption>,
    },
    /// The platform call failed; the exchanges made before the failure, to archive.
    Failed {
        error: PlatformError,
        raw: Vec<RawExchange>,
    },
    /// The fetch task ended without an answer (it panicked).
    Lost(String),
}

/// Fetches one account and prepares its batch for the store (hashing and compressing the
/// raw bodies on the blocking pool, off the async threads). No store access.
///
/// Every request obeys the account's deadline (`bounds`, from now; never past the run's)
/// and waits at most `bounds.max_rate_wait` for a closed rate-limit budget. A collection
/// the HTTP layer cut (deadline) or left rate-limited is marked stopped, so what arrived is
/// stored as a partial collection and the account deferred.
async fn fetch(
    client: Arc<dyn PlatformClient>,
    account: AccountRef,
    token: SecretString,
    window: CollectWindow,
    collected_at: DateTime<Utc>,
    fc: FetchControl,
) -> Fetched {
    let bounds = fc.bounds;
    let own_end = tokio::time::Instant::now() + bounds.account_deadline;
    let deadline = bounds.run_end.map_or(own_end, |end| end.min(own_end));
    let recorder = Recorder::for_collection(
        CallLimits {
            deadline: Some(deadline),
            max_rate_wait: Some(bounds.max_rate_wait),
        },
        fc.stop,
    );
    if !fc.audience {
        recorder.forbid_audience();
    }
    tracing::debug!(platform = %account.platform, account = %account.external_id, "collecting");
    let ctx = CollectCtx {
        account,
        token,
        window,
        recorder: recorder.clone(),
    };
    let collected = match tokio::time::timeout_at(deadline + DEADLINE_GRACE, client.collect(&ctx)).await {
        Ok(collected) => collected,
        Err(_) => Err(PlatformError::Deadline {
            endpoint: "(the client did not return)".into(),
        }),
    };
    match collected {
        Ok(mut batch) => {
            if !fc.audience && alcance_core::audience_is_demographic(ctx.account.platform) {
                // What a mixed call (TikTok's business profile, Facebook Page insights)
                // brought: never stored without consent.
                batch.audience.clear();
            }
            let notes = recorder.notes();
            if batch.stopped.is_none() {
                if let Some(why) = inferred_stop(&batch, &notes, bounds) {
                    batch.stop(why);
                }
            }
            if let Some(why) = batch.stopped.as_mut() {
                // The latest reset the client's error or the HTTP layer saw.
                if why.rate_limited {
                    let noted = notes.retry_after.map(|d| d.as_secs().max(1));
                    why.retry_after_seconds = why.retry_after_seconds.max(noted);
                }
                let detail = if why.code == TRANSIENT {
                    format!("the collection is incomplete: {}", why.message)
                } else {
                    format!("the rest of the account was not collected: {}", why.message)
                };
                batch.gaps.push(DataGap {
                    what: "collection".into(),
                    object_id: ctx.account.external_id.clone(),
                    code: why.code.clone(),
                    detail,
                });
            }
            let stopped = batch.stopped.clone();
            let raw = recorder.take();
            let gaps = batch.gaps.len();
            let prepare = move || {
                PreparedBatch::new(collected_at, &batch, &raw)
                    .map(Box::new)
                    .map_err(|e| e.to_string())
            };
            let prepared = match tokio::runtime::Handle::try_current() {
                Ok(runtime) => runtime
                    .spawn_blocking(prepare)
                    .await
                    .unwrap_or_else(|e| Err(format!("preparing the batch stopped: {e}"))),
                Err(_) => prepare(),
            };
            Fetched::Batch {
                prepared,
                gaps,
                stopped,
            }
        }
        Err(error) => Fetched::Failed {
            error,
            raw: recorder.take(),
        },
    }
}

/// Codes of the errors after which a client makes no further call for the account (see
/// `PlatformError::stops_account`).
const STOP_CODES: &[&str] = &[
    "unauthorized",
    "rate_limited",
    "usage_capped",
    "transport",
    "deadline",
    "stopped",
];

/// Why a collection the client returned without [`CollectionBatch::stopped`] did stop
/// half-way after all: the HTTP layer cut it at the deadline, a client recorded a stopping
/// failure only as an error-level warning (a later page of a listing), or a request ended
/// rate-limited.
///
/// [`CollectionBatch::stopped`]: alcance_core::CollectionBatch::stopped
fn inferred_stop(
    batch: &alcance_core::CollectionBatch,
    notes: &alcance_platforms::CallNotes,
    bounds: Bounds,
) -> Option<Interruption> {
    if notes.stopped {
        return Some(Interruption {
            code: "stopped".into(),
            message: "the run was cancelled or interrupted during this account".into(),
            needs_reauth: false,
            rate_limited: false,
            retry_after_seconds: None,
        });
    }
    if notes.deadline_hit {
        return Some(Interruption {
            code: "deadline".into(),
            message: format!(
                "the account's deadline ({} s) passed; what arrived before is kept",
                bounds.account_deadline.as_secs()
            ),
            needs_reauth: false,
            rate_limited: false,
            retry_after_seconds: None,
        });
    }
    if let Some(w) = batch
        .warnings
        .iter()
        .find(|w| w.level == EventLevel::Error && STOP_CODES.contains(&w.code.as_str()))
    {
        return Some(Interruption {
            code: w.code.clone(),
            message: w.message.clone(),
            needs_reauth: w.code == "unauthorized",
            rate_limited: w.code == "rate_limited",
            retry_after_seconds: None,
        });
    }
    if notes.rate_limited {
        return Some(Interruption {
            code: "rate_limited".into(),
            message: "the platform rate-limited part of this account's calls".into(),
            needs_reauth: false,
            rate_limited: true,
            retry_after_seconds: notes.retry_after.map(|d| d.as_secs().max(1)),
        });
    }
    // A time-out or a server error the client stepped over: that part is missing from this
    // collection although the platform would serve it, so the account is not done.
    (notes.passing_failures > 0).then(|| Interruption {
        code: TRANSIENT.into(),
        message: format!(
            "{} call(s) of this account timed out or met a server error after their retries; \
             the account is collected again",
            notes.passing_failures
        ),
        needs_reauth: false,
        rate_limited: false,
        retry_after_seconds: None,
    })
}

/// Code of a collection left incomplete by time-outs or server errors (HTTP 5xx) its client
/// went on after: everything else of the account was collected.
const TRANSIENT: &str = "transient";

/// A [`fetch`] running in a task of its own (ahead of its account's turn, or in it), so a
/// client that panics fails its account only. Dropping it aborts the task (its requests
/// are cancelled, nothing is stored).
struct FetchTask(tokio::task::JoinHandle<Fetched>);

impl FetchTask {
    /// Starts the fetch; `None` outside a Tokio runtime (the account is then fetched in
    /// its turn, on the caller's task).
    fn start(
        client: Arc<dyn PlatformClient>,
        account: AccountRef,
        token: SecretString,
        window: CollectWindow,
        collected_at: DateTime<Utc>,
        fc: FetchControl,
    ) -> Option<FetchTask> {
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        Some(FetchTask(runtime.spawn(fetch(
            client,
            account,
            token,
            window,
            collected_at,
            fc,
        ))))
    }

    /// Waits for the fetch.
    async fn join(mut self) -> Fetched {
        match (&mut self.0).await {
            Ok(fetched) => fetched,
            Err(e) => Fetched::Lost(e.to_string()),
        }
    }
}

impl Drop for FetchTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Stores what fetching `target` produced (or records why nothing could be fetched) and
/// says how the account ended. Store failures are the account's failure, not the run's.
///
/// A batch that stopped half-way is stored with what it has (`partial`), and the account
/// ends `failed` with the reason as an error event; a rate-limited account (stopped or
/// failed) gets `retry_at` (from `now`, UTC, see [`limits::rate_limit_deferral`]).
async fn store_account(
    store: &Store,
    run_id: i64,
    target: &Target,
    fetched: Result<Fetched, Missing>,
    collected_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AccountOutcome {
    let mut outcome = AccountOutcome {
        account_id: target.account_id,
        account: target.account.clone(),
        ok: false,
        metrics: 0,
        posts: 0,
        gaps: 0,
        error: None,
        needs_reauth: false,
        partial: false,
        retry_at: None,
    };
    let account_id = Some(target.account_id);
    let platform = target.account.platform;
    let defer = |retry_after_seconds: Option<u64>| async move {
        let streak = store.rate_limit_streak(target.account_id).await.unwrap_or(0);
        let wait = limits::rate_limit_deferral(
            platform,
            retry_after_seconds.map(std::time::Duration::from_secs),
            streak,
        );
        let at = now + chrono::Duration::from_std(wait).unwrap_or_else(|_| chrono::Duration::hours(1));
        // Whole seconds (as the store keeps times), rounded up: never before the platform's time.
        let secs = at.timestamp() + i64::from(at.timestamp_subsec_nanos() > 0);
        DateTime::from_timestamp(secs, 0).unwrap_or(at)
    };
    let fail = |code: String, message: String| async move {
        // The event is best effort: a store that cannot write an event cannot do better.
        let _ = store
            .add_event(run_id, account_id, EventLevel::Error, &code, &message, collected_at)
            .await;
        format!("{code}: {message}")
    };
    match fetched {
        Err(Missing::Client) => {
            outcome.error = Some(fail("no_client".into(), format!("no client for {}", target.account.platform)).await);
        }
        Err(Missing::Token) => {
            let _ = store
                .set_account_status(target.account_id, AccountStatus::NeedsReauth)
                .await;
            outcome.needs_reauth = true;
            outcome.error = Some(
                fail(
                    "no_token".into(),
                    "no token in the vault: connect the account again".into(),
                )
                .await,
            );
        }
        Ok(Fetched::Batch {
            prepared,
            gaps,
            stopped,
        }) => {
            match prepared {
                Ok(batch) => match store.save_prepared(run_id, target.account_id, &batch).await {
                    Ok(stats) => {
                        outcome.ok = stopped.is_none();
                        outcome.partial = stopped.is_some();
                        outcome.metrics = stats.account_metrics + stats.post_metrics + stats.audience;
                        outcome.posts = stats.posts;
                        outcome.gaps = gaps;
                    }
                    Err(e) => outcome.error = Some(fail("store".into(), e.to_string()).await),
                },
                Err(message) => outcome.error = Some(fail("store".into(), message).await),
            };
            if let Some(why) = stopped {
                if why.needs_reauth {
                    let _ = store
                        .set_account_status(target.account_id, AccountStatus::NeedsReauth)
                        .await;
                    outcome.needs_reauth = true;
                }
                if why.rate_limited {
                    outcome.retry_at = Some(defer(why.retry_after_seconds).await);
                }
                let kept = if outcome.partial {
                    "; what arrived before was stored"
                } else {
                    ""
                };
                let message = format!("{}{kept}{}", why.message, deferred_until(outcome.retry_at));
                let error = fail(why.code, message).await;
                // A store failure above is the first error; the stop follows it.
                outcome.error = Some(match outcome.error.take() {
                    Some(first) => format!("{first}; {error}"),
                    None => error,
                });
            }
        }
        Ok(Fetched::Failed { error, raw }) => {
            let _ = store.save_raw(run_id, account_id, &raw).await;
            if error.needs_reauth() {
                let _ = store
                    .set_account_status(target.account_id, AccountStatus::NeedsReauth)
                    .await;
                outcome.needs_reauth = true;
            }
            if let PlatformError::RateLimited { retry_after, .. } = &error {
                outcome.retry_at = Some(defer(retry_after.map(|d| d.as_secs().max(1))).await);
            }
            let message = format!("{}{}", describe(&error), deferred_until(outcome.retry_at));
            outcome.error = Some(fail(error.code(), message).await);
        }
        Ok(Fetched::Lost(message)) => {
            outcome.error = Some(fail("internal".into(), format!("the collection stopped: {message}")).await);
        }
    }
    outcome
}

/// A person-readable account of a platform error, without secrets (errors never hold any).
fn describe(e: &PlatformError) -> String {
    e.to_string()
}

/// `; deferred: collected again after <time>` for a deferred account, else nothing.
fn deferred_until(retry_at: Option<DateTime<Utc>>) -> String {
    retry_at
        .map(|t| {
            format!(
                "; deferred: collected again after {}",
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            )
        })
        .unwrap_or_default()
}

/// Writes the run's time limits as its `limits` event (best effort: the run goes on
/// without it).
async fn record_limits(store: &Store, run_id: i64, limits: &RunLimits, at: DateTime<Utc>) {
    let _ = store
        .add_event(run_id, None, EventLevel::Info, "limits", &limits.describe(), at)
        .await;
}

/// Counts a finished account for `/metrics`: `alcance_collections_total{platform,outcome}`
/// (`outcome`: `ok`, `partial` when it failed half-way and what arrived was stored, `failed`,
/// `skipped` when the run was cancelled on it) and the metric values it stored in
/// `alcance_records_stored_total{platform}`.
fn count_account(outcome: &AccountOutcome, cancelled: bool) {
    let platform = outcome.account.platform.as_str();
    let label = if outcome.ok {
        "ok"
    } else if cancelled {
        "skipped"
    } else if outcome.partial {
        "partial"
    } else {
        "failed"
    };
    metrics::counter!("alcance_collections_total", "platform" => platform, "outcome" => label).increment(1);
    if outcome.metrics > 0 {
        metrics::counter!("alcance_records_stored_total", "platform" => platform).increment(outcome.metrics as u64);
    }
}
