//! What the desktop window and the tray process (`alcance tray`, ADR 0021) share about the
//! app around a workspace: the user's settings file (language, pause, last workspace, zone),
//! where the desktop keeps its data, and the sync status both show, kept current from the
//! scheduler's events by [`forward`].

use crate::collect::{Progress, RunKind};
use crate::error::{Context, Result};
use crate::format::account_label;
use crate::scheduler::SchedulerEvent;
use crate::views::{self, RunView};
use crate::{AccountRef, AccountStatus, RunId, RunStatus, Workspace};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::{broadcast, Mutex};

/// The desktop app's identifier (`identifier` in tauri.conf.json): its data folder is
/// `<OS data folder>/app.alcance.desktop`.
pub const APP_ID: &str = "app.alcance.desktop";

/// The desktop's data folder, as the desktop finds it: `ALCANCE_DATA_DIR` when set and not
/// empty, else `<OS data folder>/`[`APP_ID`] (on Linux `$XDG_DATA_HOME/app.alcance.desktop`,
/// `~/.local/share/app.alcance.desktop`), else `<temp>/alcance`. It holds
/// `settings.json`, `demo/` and `workspace/`.
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ALCANCE_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    directories::BaseDirs::new()
        .map(|b| b.data_dir().join(APP_ID))
        .unwrap_or_else(|| std::env::temp_dir().join("alcance"))
}

impl WorkspaceKind {
    /// The folder of this kind of workspace under the desktop's data folder `data_dir`:
    /// `demo/` or `workspace/`.
    pub fn dir(self, data_dir: &Path) -> PathBuf {
        match self {
            WorkspaceKind::Demo => data_dir.join("demo"),
            WorkspaceKind::Own => data_dir.join("workspace"),
        }
    }
}

/// The background scheduler of the process that schedules a workspace (the window, or the
/// tray process when it holds the lock): the defaults, started paused when the settings'
/// `sync_paused` says so.
pub fn background_scheduler(paused: bool) -> crate::scheduler::SchedulerConfig {
    crate::scheduler::SchedulerConfig {
        start_paused: paused,
        ..crate::scheduler::SchedulerConfig::default()
    }
}

/// The scheduler of a window whose workspace another process schedules (the tray process
/// holds its [`crate::scheduler_lock::SchedulerLock`], ADR 0021): paused from the start and
/// never resumed, so it runs only what the user asks for ([`crate::scheduler::Scheduler::sync_now`]),
/// with no catch-up, no resuming of interrupted runs, no backups and no report delivery —
/// the other process's scheduler does those.
pub fn standby_scheduler() -> crate::scheduler::SchedulerConfig {
    crate::scheduler::SchedulerConfig {
        start_paused: true,
        resume_paused_runs: false,
        backups: None,
        ..crate::scheduler::SchedulerConfig::default()
    }
}

/// Hands the allocator's free memory back to the system (`malloc_trim`, ADR 0020) on a
/// blocking thread, after a run: the process idles at its live memory, not its last peak.
fn release_memory() {
    tokio::task::spawn_blocking(|| {
        let released = crate::memory::release_free_memory();
        tracing::debug!(released, "free memory released");
    });
}

/// Seed of the desktop demo's sandbox (the same as `alcance demo`).
pub const DEMO_SEED: u64 = 42;

/// Reopens the demo workspace built in `dir` (by the window or `alcance demo`) with a fresh
/// in-process sandbox seeded as when it was built ([`DEMO_SEED`]), so that syncing it goes
/// on: the window at start and the tray process both reopen it so. `Ok(None)` when `dir`
/// holds no demo database (`alcance.db`).
///
/// Errors: the sandbox cannot start ([`crate::AppError::Other`]), or
/// [`crate::Session::demo`]'s.
pub async fn reopen_demo(dir: &Path) -> Result<Option<crate::Session>> {
    if !dir.join("alcance.db").is_file() {
        return Ok(None);
    }
    let sandbox = crate::sandbox::Sandbox::start(crate::sandbox::SandboxConfig::seeded(DEMO_SEED))
        .await
        .context("starting the demo sandbox")?;
    Ok(Some(crate::Session::demo(dir, sandbox).await?))
}

/// The UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Language {
    /// English.
    #[default]
    #[serde(rename = "en")]
    En,
    /// Brazilian Portuguese.
    #[serde(rename = "pt-BR")]
    PtBr,
}

/// The UI theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Follow the operating system.
    #[default]
    System,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

/// Which workspace is (or was last) open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum WorkspaceKind {
    /// `<data dir>/demo`: the sandbox-backed demo workspace.
    Demo,
    /// `<data dir>/workspace`: the user's own accounts.
    Own,
}

// The doc comments of the types below are the UI's too (the desktop's generated TypeScript
// bindings carry them): they stay word for word as they were in the desktop crate, links
// to its modules (`crate::local_api`, `crate::team`) included.

/// User settings, stored as JSON in `<data dir>/settings.json` (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Settings {
    /// UI language.
    pub language: Language,
    /// UI theme.
    pub theme: Theme,
    /// Start Alcance (in the tray) when the user logs in. Opt-in.
    pub autostart: bool,
    /// Scheduled collection is paused.
    pub sync_paused: bool,
    /// The workspace to reopen at start.
    pub last_workspace: Option<WorkspaceKind>,
    /// "Local API for Excel / Power BI": serve the REST API on 127.0.0.1 over the open
    /// workspace ([`crate::local_api`]). Off by default; changed only through
    /// `set_local_api` (`save_settings` keeps the stored value).
    pub local_api: bool,
    /// "Connect to a team server": the `alcance serve` address the window is a client of
    /// ([`crate::team`]); `None` = the solo workspace. Changed only through
    /// `connect_team_server` / `leave_team_server`.
    #[serde(default)]
    pub team_server: Option<String>,
    /// The display time zone chosen in Settings (IANA name, e.g. `America/Sao_Paulo`);
    /// `None` = the system's. The window keeps its own copy (the webview's storage) and
    /// saves it here so the tray, which runs without a window, says times in it too.
    #[serde(default)]
    pub time_zone: Option<String>,
}

impl Settings {
    /// The zone the tray shows times in: [`Settings::time_zone`] when it names a known
    /// IANA zone, else the system's, else UTC.
    pub fn display_zone(&self) -> chrono_tz::Tz {
        self.time_zone
            .as_deref()
            .and_then(|z| z.trim().parse().ok())
            .or_else(|| iana_time_zone::get_timezone().ok().and_then(|z| z.parse().ok()))
            .unwrap_or(chrono_tz::UTC)
    }
}

impl Settings {
    /// Reads `path`; a missing or unreadable file gives the defaults (logged).
    pub fn load(path: &Path) -> Settings {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                tracing::warn!(path = %path.display(), error = %e, "settings file is not valid; using defaults");
                Settings::default()
            }),
            Err(_) => Settings::default(),
        }
    }

    /// Writes `path` (through a temporary file, so a crash never leaves half a file).
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).context("serializing the settings")?;
        crate::atomic::write_bytes_atomically(path, text.as_bytes())
    }
}

/// The run going on now, for the progress bar of the Runs screen and the tray.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LiveRun {
    /// `collection_runs.id`.
    pub run_id: RunId,
    /// `scheduled` or `manual` (`demo` when an interrupted demo run is resumed).
    pub kind: RunKind,
    /// Accounts in the run.
    pub accounts_total: u32,
    /// Accounts finished (saved, failed or skipped).
    pub accounts_done: u32,
    /// Accounts that failed so far.
    pub accounts_failed: u32,
    /// Metric values written so far (counts).
    pub metrics: u32,
    /// The account being collected, `"@username (Platform)"`.
    pub current_account: Option<String>,
    /// The run is paused before its next account.
    pub paused: bool,
}

/// The sync status the tray and the UI show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SyncStatus {
    /// Scheduled collection is paused.
    pub paused: bool,
    /// A collection is running now.
    pub running: bool,
    /// The last finished run (this session's, or the latest in the log), if any.
    pub last_run: Option<RunView>,
    /// When the earliest scheduled collection is due, UTC (`None` while paused, with no
    /// workspace or no schedulable account).
    pub next_run_at: Option<DateTime<Utc>>,
    /// The run going on now.
    pub live: Option<LiveRun>,
    /// Accounts whose token the platform refused (`"@username (Platform)"`): reconnect them.
    pub problems: Vec<String>,
}

impl SyncStatus {
    /// Records a pause or a resume of scheduled collection: while paused nothing is due
    /// (`next_run_at` is cleared; the scheduler sets it again when it resumes).
    pub fn set_paused(&mut self, paused: bool) {
        self.paused = paused;
        if paused {
            self.next_run_at = None;
        }
    }
}

/// What the shell should tell the user about (the UI, the tray, notifications).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncNotice {
    /// [`SyncStatus`] changed: refresh the UI and the tray.
    Changed,
    /// The platform refused this account's token (`"@username (Platform)"`).
    NeedsReauth(String),
    /// A run ended with this many failed accounts (more than zero), or could not run at all
    /// (`0`, with the reason in the log).
    RunFailed(usize),
}

/// Receives [`SyncNotice`]s; called from the scheduler's forwarding task.
pub type Notifier = Arc<dyn Fn(SyncNotice) + Send + Sync>;

/// Labels of the accounts whose token the platform refused.
pub async fn problems(ws: &Workspace) -> Vec<String> {
    match ws.store().list_accounts().await {
        Ok(rows) => rows
            .iter()
            .filter(|a| a.status == AccountStatus::NeedsReauth)
            .map(|a| label(&a.account))
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "listing the accounts failed");
            Vec::new()
        }
    }
}

fn label(account: &AccountRef) -> String {
    account_label(account.platform, &account.external_id, account.username.as_deref())
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Applies the scheduler's events to `sync` and tells `notify`, until the loop stops.
pub async fn forward(
    mut events: broadcast::Receiver<SchedulerEvent>,
    ws: Arc<Workspace>,
    sync: Arc<Mutex<SyncStatus>>,
    notify: Notifier,
) {
    loop {
        let event = match events.recv().await {
            Ok(e) => e,
            Err(broadcast::error::RecvError::Lagged(n)) => {
                tracing::debug!(skipped = n, "the sync status fell behind the scheduler");
                continue;
            }
            Err(broadcast::error::RecvError::Closed) => break,
        };
        let mut notices = Vec::new();
        {
            let mut s = sync.lock().await;
            let before = s.clone();
            match event {
                SchedulerEvent::Idle { next_run_at, .. } => {
                    s.next_run_at = if s.paused { None } else { next_run_at };
                }
                SchedulerEvent::RunStarted {
                    run_id, kind, accounts, ..
                } => {
                    s.running = true;
                    s.live = Some(LiveRun {
                        run_id,
                        kind,
                        accounts_total: count(accounts),
                        accounts_done: 0,
                        accounts_failed: 0,
                        metrics: 0,
                        current_account: None,
                        paused: false,
                    });
                }
                SchedulerEvent::Progress(progress) => {
                    if let Some(live) = s.live.as_mut() {
                        match progress {
                            Progress::AccountStarted { account, .. } => live.current_account = Some(label(&account)),
                            Progress::Run(p) | Progress::Resumed(p) | Progress::Paused(p) | Progress::Finished(p) => {
                                live.accounts_total = count(p.accounts_total);
                                live.accounts_done = count(p.accounts_done());
                                live.accounts_failed = count(p.accounts_failed);
                                live.metrics = count(p.metrics);
                                live.paused = p.status == RunStatus::Paused;
                            }
                            _ => {}
                        }
                    }
                }
                SchedulerEvent::NeedsReauth { account, .. } => {
                    let who = label(&account);
                    if !s.problems.contains(&who) {
                        s.problems.push(who.clone());
                    }
                    notices.push(SyncNotice::NeedsReauth(who));
                }
                SchedulerEvent::RunFinished {
                    run_id,
                    accounts_failed,
                    ..
                } => {
                    s.running = false;
                    s.live = None;
                    // The run's buffers are free now: back to the system, not kept in the arenas.
                    release_memory();
                    match views::run(&ws, run_id).await {
                        Ok(run) => s.last_run = Some(run),
                        Err(e) => tracing::warn!(error = %format!("{e:#}"), "reading the finished run failed"),
                    }
                    s.problems = problems(&ws).await;
                    if accounts_failed > 0 {
                        notices.push(SyncNotice::RunFailed(accounts_failed));
                    }
                }
                SchedulerEvent::RunFailed { message, .. } => {
                    tracing::warn!(error = %message, "a collection could not run");
                    s.running = false;
                    s.live = None;
                    release_memory();
                    notices.push(SyncNotice::RunFailed(0));
                }
                SchedulerEvent::Paused => {
                    s.paused = true;
                    s.next_run_at = None;
                }
                SchedulerEvent::Resumed => s.paused = false,
                SchedulerEvent::Stopped => break,
                _ => {}
            }
            if *s != before {
                notices.push(SyncNotice::Changed);
            }
        }
        for notice in notices {
            notify(notice);
        }
    }
}
