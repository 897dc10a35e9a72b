//! Background collection: the [`Scheduler`] loop that collects each account on its cadence,
//! its [`Clock`], the [`SchedulerEvent`]s it broadcasts (tray, UI, CLI), and the daily
//! database backup with rotation and [`restore_database`].
//!
//! The loop (`tokio::select!` over a sleep until the next due account, a command channel
//! and shutdown):
//! 1. on start, resumes runs left `paused` (interrupted when the app quit) from their
//!    `run_accounts`, so they continue instead of starting over;
//! 2. takes today's backup (UTC date, see [`crate::backup`]) when there is none yet;
//! 3. re-plans overdue accounts ([`CatchUp`]: after sleep or a stretch offline each runs
//!    once, staggered), then collects every `active` account whose `next_run_at` has come
//!    in one `scheduled` run, each over the window its [`RefreshPolicy`] plans, and records
//!    its next run (cadence from `schedules`, at least every 6 h for owned Instagram
//!    accounts because of stories, plus jitter; a failed account is retried after
//!    `min(cadence, retry_after)`);
//! 4. sleeps until the next due account, but never longer than `max_nap` (60 s): the wall
//!    clock is read again at each wake, so a laptop waking from suspend (when the monotonic
//!    clock stood still) catches up within a minute.
//!
//! A step that fails (the store unreachable, a connection dropped) is reported and retried
//! after a backoff: one nap, doubling with each failure in a row, at most 16 naps.
//!
//! In a team workspace (PostgreSQL, or [`SchedulerConfig::lease`] set) any number of
//! schedulers share the schedule: each run collects only the accounts of the token groups
//! it leased, a stale run (its worker died) is resumed by exactly one other worker, and no
//! run is interrupted at start just because it is `running` (see [`crate::lease`]).
//!
//! Accounts that are `needs_reauth`, `paused` or `disconnected` are not scheduled ("Sync
//! now" still tries `needs_reauth` ones, so a fixed token is picked up). Pause holds
//! scheduled runs and pauses the current one between accounts; stop interrupts the current
//! run after its current account (it is resumed at the next start) and ends the loop.

use crate::error::Result;
use crate::lease::{self, Heartbeat, LeaseConfig};
use crate::workspace::Workspace;
use alcance_collector::schedule::{CatchUp, Jitter, RefreshPolicy, STORY_CADENCE};
use alcance_collector::{Progress, RunControl, RunKind, RunSummary};
use alcance_core::{AccountId, AccountRef, AccountStatus, RunAccountStatus, RunId, RunStatus};
use alcance_store::schedule::ScheduleRow;
use alcance_store::{AccountRow, Store};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::HashMap;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

/// Where "now" comes from. The scheduler sleeps with `tokio::time`, so a clock that follows
/// tokio's time ([`TokioClock`]) makes the loop testable with `tokio::time::pause()`.
pub trait Clock: Send + Sync + 'static {
    /// The current time, UTC.
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock (`Utc::now()`).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that starts at a chosen UTC time and advances with tokio's clock, so when a test
/// pauses tokio's time (`tokio::time::pause()` / `advance()`), this clock stands still or
/// jumps with it.
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    origin: DateTime<Utc>,
    start: tokio::time::Instant,
}

impl TokioClock {
    /// A clock reading `origin` now and moving with `tokio::time::Instant`. Call it inside a
    /// tokio runtime.
    pub fn starting_at(origin: DateTime<Utc>) -> Self {
        Self {
            origin,
            start: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = tokio::time::Instant::now().saturating_duration_since(self.start);
        self.origin + Duration::from_std(elapsed).unwrap_or_else(|_| Duration::zero())
    }
}

/// Daily backups: `<workspace>/backups/alcance-YYYY-MM-DD.db` (UTC date), the newest
/// `keep` kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupPolicy {
    /// How many daily backups to keep (default 7; at least 1).
    pub keep: usize,
}

impl Default for BackupPolicy {
    fn default() -> Self {
        Self { keep: 7 }
    }
}

/// How the scheduler plans. `Default` is what the app uses.
#[derive(Debug, Clone)]
pub struct SchedulerConfig {
    /// Which posts each run re-reads, hence each account's window (default: every run for
    /// 48 h, daily until 30 days, weekly until 90 days).
    pub refresh: RefreshPolicy,
    /// Jitter of next runs (default [`Jitter::random`]; seed it in tests).
    pub jitter: Jitter,
    /// Catch-up after sleep: grace 5 min, 30 s between overdue accounts.
    pub catch_up: CatchUp,
    /// Longest period for an owned Instagram account (stories); `None` turns it off.
    /// Default [`STORY_CADENCE`] (6 h).
    pub story_cadence: Option<Duration>,
    /// A failed account is retried after `min(cadence, retry_after)` (default 15 min).
    pub retry_after: Duration,
    /// Longest sleep between two looks at the clock (default 60 s).
    pub max_nap: std::time::Duration,
    /// Daily backups; `None` takes none (default `Some(keep 7)`).
    pub backups: Option<BackupPolicy>,
    /// Resume runs left `paused` when the scheduler starts (default `true`).
    pub resume_paused_runs: bool,
    /// Start with scheduling paused, as if [`Scheduler::pause`] came before the first look
    /// at the schedules (the app's "sync paused" setting; default `false`). Runs left
    /// `paused` by an earlier exit then wait too.
    pub start_paused: bool,
    /// Share the schedule with the other workers on the same database (leases per token,
    /// heartbeats, takeover of dead workers' runs). `None` (default): on, with
    /// [`LeaseConfig::default`], when the workspace is on PostgreSQL; off on SQLite, whose
    /// solo scheduler owns the workspace.
    pub lease: Option<LeaseConfig>,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        Self {
            refresh: RefreshPolicy::default(),
            jitter: Jitter::random(),
            catch_up: CatchUp::default(),
            story_cadence: Some(STORY_CADENCE),
            retry_after: Duration::minutes(15),
            max_nap: std::time::Duration::from_secs(60),
            backups: Some(BackupPolicy::default()),
            resume_paused_runs: true,
            start_paused: false,
            lease: None,
        }
    }
}

/// What the scheduler tells the tray and the UI. Times are UTC.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SchedulerEvent {
    /// The loop started.
    Started {
        /// When.
        at: DateTime<Utc>,
    },
    /// The loop is waiting.
    Idle {
        /// When the next account is due (`None`: no schedulable account, or paused).
        next_run_at: Option<DateTime<Utc>>,
        /// When the loop looks at the clock again (the next due time, the next UTC
        /// midnight for the backup, or `max_nap` from now, whichever comes first).
        wake_at: DateTime<Utc>,
    },
    /// A run started (or a paused run was resumed).
    RunStarted {
        /// `collection_runs.id`.
        run_id: RunId,
        /// `scheduled` or `manual` (a resumed run keeps its kind).
        kind: RunKind,
        /// Accounts to collect in this call.
        accounts: usize,
        /// `true` for a resumed run.
        resumed: bool,
        /// When.
        at: DateTime<Utc>,
    },
    /// Progress inside the current run (accounts started / finished, tallies, pause).
    Progress(Progress),
    /// A run call ended.
    RunFinished {
        /// `collection_runs.id`.
        run_id: RunId,
        /// `ok`, `partial`, `failed`, `cancelled`, or `paused` (interrupted, resumable).
        status: RunStatus,
        /// Accounts saved, whole run.
        accounts_ok: usize,
        /// Accounts failed, whole run.
        accounts_failed: usize,
        /// Metric values written, whole run (counts).
        metrics: usize,
        /// When.
        at: DateTime<Utc>,
    },
    /// A run could not be recorded at all (the store failed).
    RunFailed {
        /// What went wrong.
        message: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// The platform refused an account's token (or none is stored): it is now
    /// `needs_reauth` and is no longer scheduled until the user connects it again.
    NeedsReauth {
        /// `accounts.id`.
        account_id: AccountId,
        /// The account.
        account: AccountRef,
    },
    /// Scheduling is paused (and the current run pauses before its next account).
    Paused,
    /// Scheduling goes on.
    Resumed,
    /// Today's backup was written.
    BackupTaken {
        /// The backup file.
        path: PathBuf,
        /// Older backups removed by rotation.
        removed: Vec<PathBuf>,
    },
    /// Today's backup failed (tried again the next day or at the next start).
    BackupFailed {
        /// What went wrong.
        message: String,
    },
    /// The loop ended.
    Stopped,
}

#[derive(Debug)]
enum Command {
    /// Collect these accounts (all collectable ones when empty) now, as a manual run.
    SyncNow(Vec<i64>),
    /// Cancel the current run after its current account.
    Cancel,
    Pause,
    Resume,
    Stop,
}

/// A running scheduler. Cheap to clone; every clone drives the same loop. When the last
/// clone is dropped the loop stops as if [`Scheduler::stop`] had been called (without
/// waiting).
#[derive(Clone)]
pub struct Scheduler {
    commands: mpsc::UnboundedSender<Command>,
    events: broadcast::Sender<SchedulerEvent>,
    task: Arc<Mutex<Option<JoinHandle<()>>>>,
}

/// Capacity of the event channel; a receiver that falls further behind gets `Lagged`.
const EVENT_CAPACITY: usize = 1024;

impl Scheduler {
    /// Starts the loop on the current tokio runtime with [`SchedulerConfig::default`].
    /// Subscribe right away: events sent before [`Scheduler::subscribe`] are not replayed
    /// (the store has the state).
    pub fn start(workspace: Arc<Workspace>, clock: Arc<dyn Clock>) -> Scheduler {
        Self::start_with(workspace, clock, SchedulerConfig::default())
    }

    /// Starts the loop with `config`.
    pub fn start_with(workspace: Arc<Workspace>, clock: Arc<dyn Clock>, config: SchedulerConfig) -> Scheduler {
        let (commands, rx) = mpsc::unbounded_channel();
        let (events, _) = broadcast::channel(EVENT_CAPACITY);
        let paused = config.start_paused;
        let resume_pending = config.resume_paused_runs;
        let lease = config
            .lease
            .clone()
            .or_else(|| (workspace.store().engine() == alcance_store::Engine::Postgres).then(LeaseConfig::default));
        let looped = Loop {
            ws: workspace,
            clock,
            config,
            events: events.clone(),
            commands: rx,
            paused,
            resume_pending,
            stopping: false,
            manual: None,
            backup_tried: None,
            delivery_checked: None,
            lease,
            current_run: Arc::new(AtomicI64::new(0)),
        };
        let task = tokio::spawn(looped.run());
        Scheduler {
            commands,
            events,
            task: Arc::new(Mutex::new(Some(task))),
        }
    }

    /// Ends the loop at once, as a crash or `kill -9` would: the run in flight stops where
    /// it is (nothing of the account being written is kept half-way: its batch is one
    /// transaction), stays `running` in the store, and in a team its leases and heartbeat
    /// expire so another worker takes it over. For tests of that takeover; use
    /// [`Scheduler::stop`] to stop cleanly.
    pub fn abort(&self) {
        if let Some(task) = self.task.lock().unwrap_or_else(PoisonError::into_inner).take() {
            task.abort();
        }
    }

    /// A receiver of the scheduler's events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<SchedulerEvent> {
        self.events.subscribe()
    }

    /// Collects every collectable account now (a `manual` run), after the current run if
    /// one is going. Runs even while paused: the user asked (a run paused before its next
    /// account goes on first, so the request is not stuck behind it).
    pub fn sync_now(&self) {
        let _ = self.commands.send(Command::SyncNow(Vec::new()));
    }

    /// Collects these accounts (`accounts.id`) now, as [`Scheduler::sync_now`].
    pub fn sync_accounts(&self, account_ids: Vec<AccountId>) {
        let ids = account_ids.into_iter().map(AccountId::get).collect();
        let _ = self.commands.send(Command::SyncNow(ids));
    }

    /// Cancels the current run after its current account: the accounts it had not reached
    /// are skipped (run status `cancelled`) and wait for their next cadence instead of being
    /// collected again at once. A pending "sync now" is dropped too. No run: nothing happens.
    pub fn cancel_current(&self) {
        let _ = self.commands.send(Command::Cancel);
    }

    /// Pauses scheduling; the current run pauses before its next account.
    pub fn pause(&self) {
        let _ = self.commands.send(Command::Pause);
    }

    /// Resumes scheduling and a paused run.
    pub fn resume(&self) {
        let _ = self.commands.send(Command::Resume);
    }

    /// Stops: the current run stops after its current account (stored `paused`, resumed at
    /// the next start) and the loop ends. Returns when it has.
    pub async fn stop(&self) {
        let _ = self.commands.send(Command::Stop);
        let task = self.task.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(task) = task {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "the scheduler task ended abnormally");
            }
        }
    }
}

/// The loop's state.
struct Loop {
    ws: Arc<Workspace>,
    clock: Arc<dyn Clock>,
    config: SchedulerConfig,
    events: broadcast::Sender<SchedulerEvent>,
    commands: mpsc::UnboundedReceiver<Command>,
    paused: bool,
    /// Runs left `paused` by an earlier exit still have to be resumed.
    resume_pending: bool,
    stopping: bool,
    /// A pending "sync now" (empty = every collectable account).
    manual: Option<Vec<i64>>,
    /// The UTC day a backup was last attempted in this process.
    backup_tried: Option<NaiveDate>,
    /// When report deliveries were last looked at (UTC; about once a minute).
    delivery_checked: Option<DateTime<Utc>>,
    /// Team mode: how this worker leases accounts; `None` for a solo scheduler.
    lease: Option<LeaseConfig>,
    /// The run being driven (0 when none), for the heartbeat.
    current_run: Arc<AtomicI64>,
}

impl Loop {
    fn emit(&self, event: SchedulerEvent) {
        let _ = self.events.send(event);
    }

    async fn run(mut self) {
        self.emit(SchedulerEvent::Started { at: self.clock.now() });
        tracing::info!("scheduler started");
        // Steps that failed in a row (an unreachable database, a dropped connection).
        let mut failures: u32 = 0;
        while !self.stopping {
            match self.tick().await {
                Ok(()) => failures = 0,
                Err(e) => {
                    tracing::error!(error = %format!("{e:#}"), failures, "scheduler step failed");
                    self.emit(SchedulerEvent::RunFailed {
                        message: format!("{e:#}"),
                        at: self.clock.now(),
                    });
                    // Do not spin on a broken store: back off (a nap, doubling with each
                    // failure in a row up to 16 naps) or wait for a command, then try again.
                    let wait = backoff(&self.config, failures);
                    failures = failures.saturating_add(1);
                    self.nap(self.clock.now() + wait, None).await;
                }
            }
        }
        tracing::info!("scheduler stopped");
        self.emit(SchedulerEvent::Stopped);
    }

    /// One step: runs left paused by an earlier exit (once, when not paused), backup, then
    /// a manual or scheduled run if one is due, else a nap.
    async fn tick(&mut self) -> Result<()> {
        if let Some(lease) = self.lease.clone() {
            // A team has no "runs left by an earlier exit of this process": a run is cut off
            // when its heartbeat is stale, whoever drove it, and any worker may take it over.
            if self.config.resume_paused_runs && !self.paused && self.resume_stale(&lease).await? {
                return Ok(());
            }
        } else if self.resume_pending && !self.paused {
            self.resume_pending = false;
            if let Err(e) = self.resume_paused().await {
                tracing::error!(error = %format!("{e:#}"), "resuming paused runs failed");
                self.emit(SchedulerEvent::RunFailed {
                    message: format!("{e:#}"),
                    at: self.clock.now(),
                });
            }
            return Ok(());
        }
        let now = self.clock.now();
        self.backup_if_due(now).await;
        self.deliver_if_due(now).await;
        if let Some(ids) = self.manual.take() {
            let accounts = self.collectable(&ids, true).await?;
            if !accounts.is_empty() {
                match self.lease.clone() {
                    Some(lease) => {
                        self.collect_leased(&lease, &accounts, RunKind::Manual, now).await?;
                    }
                    None => self.collect(&accounts, RunKind::Manual, now).await,
                }
            }
            return Ok(());
        }
        let store = self.ws.store().clone();
        let accounts: HashMap<i64, AccountRow> = store
            .list_accounts()
            .await?
            .into_iter()
            .filter(|a| a.status == AccountStatus::Active)
            .map(|a| (a.id, a))
            .collect();
        let mut schedules: Vec<ScheduleRow> = store
            .schedules()
            .await?
            .into_iter()
            .filter(|s| accounts.contains_key(&s.account_id))
            .collect();
        if !self.paused {
            let due_times: Vec<(i64, DateTime<Utc>)> =
                schedules.iter().map(|s| (s.account_id, s.next_run_at)).collect();
            for (account_id, at) in self.config.catch_up.plan(&due_times, now) {
                store.set_next_run(account_id, at).await?;
                if let Some(s) = schedules.iter_mut().find(|s| s.account_id == account_id) {
                    s.next_run_at = at;
                }
            }
            let due: Vec<AccountRow> = schedules
                .iter()
                .filter(|s| s.next_run_at <= now)
                .filter_map(|s| accounts.get(&s.account_id).cloned())
                .collect();
            if !due.is_empty() {
                let Some(lease) = self.lease.clone() else {
                    self.collect(&due, RunKind::Scheduled, now).await;
                    return Ok(());
                };
                if self.collect_leased(&lease, &due, RunKind::Scheduled, now).await? {
                    return Ok(());
                }
                // Every due account is another worker's for now: look again after a nap.
                let next = due_min(&schedules);
                self.nap(now + nap(&self.config), next).await;
                return Ok(());
            }
        }
        let next_run_at = if self.paused {
            None
        } else {
            schedules.iter().map(|s| s.next_run_at).min()
        };
        let mut wake_at = now + nap(&self.config);
        if let Some(next) = next_run_at {
            wake_at = wake_at.min(next);
        }
        if self.config.backups.is_some() {
            if let Some(midnight) = now.date_naive().succ_opt().and_then(|d| d.and_hms_opt(0, 0, 0)) {
                wake_at = wake_at.min(midnight.and_utc());
            }
        }
        self.nap(wake_at, next_run_at).await;
        Ok(())
    }

    /// Sleeps until `wake_at` (by the clock) or a command, handling the command.
    async fn nap(&mut self, wake_at: DateTime<Utc>, next_run_at: Option<DateTime<Utc>>) {
        self.emit(SchedulerEvent::Idle { next_run_at, wake_at });
        let wait = (wake_at - self.clock.now()).to_std().unwrap_or_default();
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            command = self.commands.recv() => self.handle(command, None),
        }
    }

    /// Applies a command; `control` is the current run's, if one is going.
    fn handle(&mut self, command: Option<Command>, control: Option<&RunControl>) {
        match command {
            Some(Command::SyncNow(ids)) => {
                let merged = match self.manual.take() {
                    // "Everything" absorbs any selection.
                    Some(prev) if prev.is_empty() || ids.is_empty() => Vec::new(),
                    Some(mut prev) => {
                        prev.extend(ids);
                        prev
                    }
                    None => ids,
                };
                self.manual = Some(merged);
                if let Some(c) = control.filter(|c| c.is_paused()) {
                    tracing::info!("sync now: the paused run goes on first");
                    c.resume();
                }
            }
            Some(Command::Cancel) => {
                self.manual = None;
                if let Some(c) = control {
                    tracing::info!("cancelling the current run");
                    c.cancel();
                }
            }
            Some(Command::Pause) => {
                if !self.paused {
                    self.paused = true;
                    if let Some(c) = control {
                        c.pause();
                    }
                    tracing::info!("scheduler paused");
                    self.emit(SchedulerEvent::Paused);
                }
            }
            Some(Command::Resume) => {
                if self.paused {
                    self.paused = false;
                    if let Some(c) = control {
                        c.resume();
                    }
                    tracing::info!("scheduler resumed");
                    self.emit(SchedulerEvent::Resumed);
                }
            }
            Some(Command::Stop) | None => {
                self.stopping = true;
                if let Some(c) = control {
                    c.interrupt();
                }
            }
        }
    }

    /// Accounts a run may collect: `active` ones, and `needs_reauth` ones for a manual run;
    /// only `ids` when given.
    async fn collectable(&self, ids: &[i64], manual: bool) -> Result<Vec<AccountRow>> {
        Ok(self
            .ws
            .store()
            .list_accounts()
            .await?
            .into_iter()
            .filter(|a| a.status == AccountStatus::Active || (manual && a.status == AccountStatus::NeedsReauth))
            .filter(|a| ids.is_empty() || ids.contains(&a.id))
            .collect())
    }

    /// The progress callback of a run of `kind` (`resumed`: an interrupted run taken up
    /// again): forwards the collector's progress as scheduler events.
    fn progress_of(&self, kind: RunKind, resumed: bool) -> impl Fn(Progress) + Send + Sync + 'static {
        let events = self.events.clone();
        let clock = Arc::clone(&self.clock);
        let current_run = Arc::clone(&self.current_run);
        move |p: Progress| {
            match &p {
                Progress::RunStarted { run_id, .. } => current_run.store(*run_id, Ordering::Relaxed),
                Progress::Resumed(tally) => current_run.store(tally.run_id, Ordering::Relaxed),
                _ => {}
            }
            forward(&events, &*clock, kind, resumed, p)
        }
    }

    /// Team mode: leases the token groups of `accounts` (see [`crate::lease`]; a manual run
    /// every group it can, a scheduled one at most `groups_per_run`) and collects,
    /// as one run of `kind` at `now`, those of the groups it got (for a scheduled run, only
    /// the ones still due once the leases are held), renewing the leases while the run goes
    /// and releasing them after. Returns `false` when no account was left to collect.
    async fn collect_leased(
        &mut self,
        lease: &LeaseConfig,
        accounts: &[AccountRow],
        kind: RunKind,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let store = self.ws.store().clone();
        // A manual sync asks for every account it names, not a worker's share of the due ones.
        let claim = match kind {
            RunKind::Manual => LeaseConfig {
                groups_per_run: usize::MAX,
                ..lease.clone()
            },
            _ => lease.clone(),
        };
        let mut held = lease::claim_groups(&store, &claim, accounts, now).await?;
        if kind == RunKind::Manual && held.len() < accounts.len() {
            tracing::info!(
                left_out = accounts.len() - held.len(),
                "sync now: accounts left out, another worker of the team is collecting them"
            );
        }
        if kind == RunKind::Scheduled && !held.is_empty() {
            // Read the schedules again under the leases: an account another worker
            // collected before we got its group is no longer due.
            let due = due_now(&store, now).await?;
            held.retain(|a| due.contains(&a.id));
        }
        if held.is_empty() {
            store.release_leases(&lease.worker).await?;
            return Ok(false);
        }
        self.current_run.store(0, Ordering::Relaxed);
        let heartbeat = Heartbeat::start(
            store.clone(),
            lease.clone(),
            Arc::clone(&self.clock),
            Arc::clone(&self.current_run),
        );
        self.collect(&held, kind, now).await;
        drop(heartbeat);
        self.current_run.store(0, Ordering::Relaxed);
        store.release_leases(&lease.worker).await?;
        Ok(true)
    }

    /// Team mode: claims one run whose worker died (its heartbeat older than the lease
    /// time) and resumes its pending accounts of the token groups this worker can lease
    /// (for a scheduled run, those still due); the others are skipped in that run, being
    /// another worker's now. Returns `false` when there was no such run.
    async fn resume_stale(&mut self, lease: &LeaseConfig) -> Result<bool> {
        let store = self.ws.store().clone();
        let now = self.clock.now();
        let Some(run) = store.claim_stale_run(&lease.worker, now, now - lease.lease).await? else {
            return Ok(false);
        };
        tracing::warn!(run_id = run.id, "a run whose worker stopped answering is taken over");
        crate::telemetry::count_lease_takeover();
        self.current_run.store(run.id, Ordering::Relaxed);
        let heartbeat = Heartbeat::start(
            store.clone(),
            lease.clone(),
            Arc::clone(&self.clock),
            Arc::clone(&self.current_run),
        );
        let kind = run.kind;
        let pending = pending_accounts(&store, run.id).await?;
        let mut accounts = if pending.is_empty() {
            Vec::new()
        } else {
            let collectable = self.collectable(&pending, kind == RunKind::Manual).await?;
            let every_group = LeaseConfig {
                groups_per_run: usize::MAX,
                ..lease.clone()
            };
            lease::claim_groups(&store, &every_group, &collectable, now).await?
        };
        if kind == RunKind::Scheduled && !accounts.is_empty() {
            let due = due_now(&store, now).await?;
            accounts.retain(|a| due.contains(&a.id));
        }
        self.resume(run.id, kind, &accounts, now).await;
        drop(heartbeat);
        self.current_run.store(0, Ordering::Relaxed);
        store.release_leases(&lease.worker).await?;
        Ok(true)
    }

    /// Resumes the stored run `run_id` of `kind` for `accounts` at `now`, handling commands
    /// meanwhile (a paused run, or a dead worker's run taken over).
    async fn resume(&mut self, run_id: i64, kind: RunKind, accounts: &[AccountRow], now: DateTime<Utc>) {
        self.emit(SchedulerEvent::RunStarted {
            run_id: RunId(run_id),
            kind,
            accounts: accounts.len(),
            resumed: true,
            at: now,
        });
        let control = RunControl::new();
        let (ws, config) = (Arc::clone(&self.ws), self.config.clone());
        let progress = self.progress_of(kind, true);
        let future = resume_accounts(&ws, &config, run_id, accounts, now, &control, &progress);
        let result = self.drive(future, &control).await;
        self.report(result);
    }

    /// Collects `accounts` as one run of `kind` at `now`, handling commands meanwhile.
    async fn collect(&mut self, accounts: &[AccountRow], kind: RunKind, now: DateTime<Utc>) {
        let control = RunControl::new();
        let (ws, config) = (Arc::clone(&self.ws), self.config.clone());
        let progress = self.progress_of(kind, false);
        let future = collect_accounts(&ws, &config, accounts, kind, now, &control, &progress);
        let result = self.drive(future, &control).await;
        if matches!(&result, Ok(summary) if summary.status == RunStatus::Cancelled) {
            if let Err(e) = self.postpone_skipped(accounts, now).await {
                tracing::error!(error = %format!("{e:#}"), "postponing the accounts of a cancelled run failed");
            }
        }
        self.report(result);
    }

    /// After a cancelled run, moves the accounts it did not reach (still due at `now`) to
    /// one cadence period from `now`, so the loop does not start them again at once.
    async fn postpone_skipped(&self, accounts: &[AccountRow], now: DateTime<Utc>) -> Result<()> {
        let store = self.ws.store();
        for schedule in store.schedules().await? {
            if schedule.next_run_at <= now && accounts.iter().any(|a| a.id == schedule.account_id) {
                store
                    .set_next_run(schedule.account_id, now + Duration::seconds(schedule.every_seconds))
                    .await?;
            }
        }
        Ok(())
    }

    /// Awaits a run while handling commands.
    async fn drive(
        &mut self,
        run: impl std::future::Future<Output = Result<RunSummary>>,
        control: &RunControl,
    ) -> Result<RunSummary> {
        tokio::pin!(run);
        loop {
            tokio::select! {
                result = &mut run => return result,
                command = self.commands.recv(), if !self.stopping => self.handle(command, Some(control)),
            }
        }
    }

    fn report(&self, result: Result<RunSummary>) {
        match result {
            Ok(summary) => self.emit(SchedulerEvent::RunFinished {
                run_id: RunId(summary.run_id),
                status: summary.status,
                accounts_ok: summary.progress.accounts_ok,
                accounts_failed: summary.progress.accounts_failed,
                metrics: summary.progress.metrics,
                at: self.clock.now(),
            }),
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "run failed");
                self.emit(SchedulerEvent::RunFailed {
                    message: format!("{e:#}"),
                    at: self.clock.now(),
                });
            }
        }
    }

    /// Resumes every run left `paused`, oldest first.
    async fn resume_paused(&mut self) -> Result<()> {
        let store = self.ws.store().clone();
        // Runs a dead process left `running` are resumed like paused ones.
        let stale = store.interrupt_stale_runs().await?;
        if stale > 0 {
            tracing::warn!(runs = stale, "runs cut off by an earlier exit will be resumed");
        }
        for run in store.resumable_runs().await? {
            if self.stopping {
                break;
            }
            let pending = pending_accounts(&store, run.id).await?;
            let accounts = self.collectable(&pending, run.kind == RunKind::Manual).await?;
            let now = self.clock.now();
            self.resume(run.id, run.kind, &accounts, now).await;
        }
        Ok(())
    }

    /// Takes today's backup (UTC date of `now`) once per day per process.
    /// Sends the scheduled reports that are due and retries failed ones
    /// ([`crate::delivery::deliver_due`]), at most once a minute and not while paused; a
    /// failure is logged (each delivery records its own).
    async fn deliver_if_due(&mut self, now: DateTime<Utc>) {
        if self.paused || self.delivery_checked.is_some_and(|t| now - t < Duration::seconds(60)) {
            return;
        }
        self.delivery_checked = Some(now);
        if let Err(e) = crate::delivery::deliver_due(&self.ws, now).await {
            tracing::error!(error = %format!("{e:#}"), "report delivery pass failed");
        }
    }

    async fn backup_if_due(&mut self, now: DateTime<Utc>) {
        let Some(policy) = self.config.backups else {
            return;
        };
        let today = now.date_naive();
        if self.backup_tried == Some(today) {
            return;
        }
        self.backup_tried = Some(today);
        let taken = match self.ws.team_database() {
            Some(database) => crate::team_backup::take_team_backup(database, self.ws.dir(), today, policy.keep).await,
            None => take_backup(self.ws.store(), self.ws.dir(), today, policy.keep).await,
        };
        match taken {
            Ok(Some(outcome)) => {
                tracing::info!(path = %outcome.path.display(), removed = outcome.removed.len(), "backup written");
                self.emit(SchedulerEvent::BackupTaken {
                    path: outcome.path,
                    removed: outcome.removed,
                });
            }
            Ok(None) => {}
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "backup failed");
                self.emit(SchedulerEvent::BackupFailed {
                    message: format!("{e:#}"),
                });
            }
        }
    }
}

/// The accounts whose `next_run_at` has come at `now`.
async fn due_now(store: &Store, now: DateTime<Utc>) -> Result<HashSet<i64>> {
    Ok(store
        .schedules()
        .await?
        .into_iter()
        .filter(|s| s.next_run_at <= now)
        .map(|s| s.account_id)
        .collect())
}

/// The soonest `next_run_at` of `schedules`.
fn due_min(schedules: &[ScheduleRow]) -> Option<DateTime<Utc>> {
    schedules.iter().map(|s| s.next_run_at).min()
}

/// The wait after `failures` failed steps in a row: one nap, doubling with each failure,
/// at most 16 naps (16 min with the default 60-s nap).
/// The accounts of run `run_id` still `pending`, in run order.
async fn pending_accounts(store: &Store, run_id: i64) -> Result<Vec<i64>> {
    Ok(store
        .run_accounts(run_id)
        .await?
        .into_iter()
        .filter(|r| r.status == RunAccountStatus::Pending)
        .map(|r| r.account_id)
        .collect())
}

fn backoff(config: &SchedulerConfig, failures: u32) -> Duration {
    nap(config) * (1_i32 << failures.min(4))
}

fn nap(config: &SchedulerConfig) -> Duration {
    Duration::from_std(config.max_nap).unwrap_or_else(|_| Duration::seconds(60))
}

/// Turns a run's progress into scheduler events.
fn forward(events: &broadcast::Sender<SchedulerEvent>, clock: &dyn Clock, kind: RunKind, resumed: bool, p: Progress) {
    match &p {
        Progress::RunStarted { run_id, accounts } if !resumed => {
            let _ = events.send(SchedulerEvent::RunStarted {
                run_id: RunId(*run_id),
                kind,
                accounts: *accounts,
                resumed: false,
                at: clock.now(),
            });
        }
        Progress::AccountFinished(outcome) if outcome.needs_reauth => {
            let _ = events.send(SchedulerEvent::NeedsReauth {
                account_id: AccountId(outcome.account_id),
                account: outcome.account.clone(),
            });
        }
        _ => {}
    }
    let _ = events.send(SchedulerEvent::Progress(p));
}

pub use crate::runs::{collect_accounts, collect_now, plan_targets, resume_accounts, set_cadence, ManualRun};

pub use crate::backup::{
    backup_dir, backup_file_name, list_backups, restore_database, take_backup, BackupOutcome, RestoreReport,
};

/// A compact "in 3h 12m" / "5m ago" for `at` relative to `now`, for status lines.
pub fn relative(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let delta = at - now;
    let secs = delta.num_seconds().abs();
    let text = if secs < 60 {
        return if delta.num_seconds() <= 0 && secs < 5 {
            "now".into()
        } else if delta.num_seconds() > 0 {
            format!("in {secs}s")
        } else {
            format!("{secs}s ago")
        };
    } else if secs < 3_600 {
        format!("{}m", secs / 60)
    } else if secs < 86_400 {
        format!("{}h {}m", secs / 3_600, secs % 3_600 / 60)
    } else {
        format!("{}d {}h", secs / 86_400, secs % 86_400 / 3_600)
    };
    if delta.num_seconds() > 0 {
        format!("in {text}")
    } else {
        format!("{text} ago")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn relative_times_read_naturally() {
        let now = Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).single().expect("valid");
        assert_eq!(relative(now, now), "now");
        assert_eq!(relative(now + Duration::seconds(30), now), "in 30s");
        assert_eq!(relative(now - Duration::minutes(5), now), "5m ago");
        assert_eq!(relative(now + Duration::minutes(192), now), "in 3h 12m");
        assert_eq!(relative(now - Duration::hours(50), now), "2d 2h ago");
        assert_eq!(backup_file_name(now.date_naive()), "alcance-2026-11-20.db");
    }
}
