//! What the shell keeps between commands: settings, the open workspace, the sync status
//! and a pending OAuth redirect. Managed with `app.manage(AppState)`.

use alcance_app::collect::Progress;
use alcance_app::demo::{self, DemoEvent, DemoOptions};
use alcance_app::error::Context;
use alcance_app::format::account_label;
use alcance_app::sandbox::{Sandbox, SandboxConfig};
use alcance_app::scheduler::{Scheduler, SchedulerConfig, SchedulerEvent, SystemClock};
use alcance_app::views::{self, RunView};
use alcance_app::{AccountRef, AccountStatus, AppError, RunId, RunKind, RunStatus, Session, SharedVault, Workspace};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::{broadcast, Mutex, RwLock};
use tokio::task::JoinHandle;

use crate::local_api::{self, LocalApi};

/// Results of the shell state: [`AppError`], which commands turn into IPC errors.
pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// Seed of the desktop demo's sandbox (the same as `alcance demo`).
pub const DEMO_SEED: u64 = 42;

/// The UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type, Default)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type, Default)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum WorkspaceKind {
    /// `<data dir>/demo`: the sandbox-backed demo workspace.
    Demo,
    /// `<data dir>/workspace`: the user's own accounts.
    Own,
}

/// User settings, stored as JSON in `<data dir>/settings.json` (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type, Default)]
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

/// The local API as the Settings screen shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct LocalApiStatus {
    /// The setting is on.
    pub enabled: bool,
    /// Where it listens (`http://127.0.0.1:8780`), when running.
    pub url: Option<String>,
    /// A token just made (on turning it on, or "New token"): shown this once, never
    /// stored anywhere but as its hash.
    pub token: Option<String>,
    /// Why it is on but not running (no workspace open, no port), if so.
    pub problem: Option<String>,
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
        alcance_app::atomic::write_bytes_atomically(path, text.as_bytes())
    }
}

/// The open workspace and what keeps it working.
pub struct OpenWorkspace {
    /// The workspace (shared with its scheduler).
    pub ws: Arc<Workspace>,
    /// Its vault (another handle on the one the workspace holds), for token health.
    pub vault: SharedVault,
    /// Demo or own.
    pub kind: WorkspaceKind,
    /// The demo's in-process sandbox (stays up so "Sync now" works on the demo).
    pub sandbox: Option<Sandbox>,
    /// The background collection loop (`alcance_app::scheduler`): cadences per account,
    /// catch-up, token upkeep, daily backups.
    pub scheduler: Scheduler,
    /// The task turning the scheduler's events into [`SyncStatus`] and [`SyncNotice`]s.
    forwarder: JoinHandle<()>,
}

/// The run going on now, for the progress bar of the Runs screen and the tray.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type, Default)]
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

/// Shell state, shared by commands, the tray and the scheduler.
pub struct AppState {
    /// `<data dir>`: settings, `demo/`, `workspace/`.
    pub data_dir: PathBuf,
    /// Settings (persisted on change).
    pub settings: Mutex<Settings>,
    /// The open workspace.
    pub workspace: RwLock<Option<OpenWorkspace>>,
    /// Sync status, kept current by the scheduler's forwarding task.
    pub sync: Arc<Mutex<SyncStatus>>,
    /// Held while a demo build or a connect flow runs.
    pub busy: Mutex<()>,
    /// The loopback redirect URI of the OAuth flow in progress, for deep links.
    pub pending_redirect: Arc<std::sync::Mutex<Option<url::Url>>>,
    /// The Threads sign-in waiting for its `alcance://threads/callback` deep link.
    pub pending_threads: Arc<std::sync::Mutex<Option<crate::oauth_bridge::PendingThreads>>>,
    /// The local API while it runs, and why it does not when it should.
    local_api: Mutex<(Option<LocalApi>, Option<String>)>,
    /// The team server's client while the window is connected to one.
    pub team: Mutex<Option<Arc<crate::team::TeamClient>>>,
    notifier: Notifier,
}

impl AppState {
    /// State over `data_dir`, with its settings loaded, telling nobody about sync changes.
    pub fn new(data_dir: PathBuf) -> AppState {
        Self::with_notifier(data_dir, Arc::new(|_| {}))
    }

    /// State over `data_dir` whose sync changes go to `notifier`.
    pub fn with_notifier(data_dir: PathBuf, notifier: Notifier) -> AppState {
        let settings = Settings::load(&data_dir.join("settings.json"));
        let sync = SyncStatus {
            paused: settings.sync_paused,
            ..SyncStatus::default()
        };
        // A team server chosen earlier: its client is back (signed out: the session cookie
        // lived in memory only).
        let team = settings
            .team_server
            .as_deref()
            .and_then(|url| crate::team::server_url(url).ok())
            .and_then(|url| crate::team::TeamClient::new(url).ok())
            .map(Arc::new);
        AppState {
            data_dir,
            team: Mutex::new(team),
            settings: Mutex::new(settings),
            workspace: RwLock::new(None),
            sync: Arc::new(Mutex::new(sync)),
            busy: Mutex::new(()),
            pending_redirect: Arc::new(std::sync::Mutex::new(None)),
            pending_threads: Arc::new(std::sync::Mutex::new(None)),
            local_api: Mutex::new((None, None)),
            notifier,
        }
    }

    /// The settings file.
    pub fn settings_path(&self) -> PathBuf {
        self.data_dir.join("settings.json")
    }

    /// The folder of a workspace kind.
    pub fn workspace_dir(&self, kind: WorkspaceKind) -> PathBuf {
        match kind {
            WorkspaceKind::Demo => self.data_dir.join("demo"),
            WorkspaceKind::Own => self.data_dir.join("workspace"),
        }
    }

    /// Saves new settings and returns them.
    pub async fn update_settings(&self, f: impl FnOnce(&mut Settings)) -> Result<Settings> {
        let mut settings = self.settings.lock().await;
        f(&mut settings);
        settings.save(&self.settings_path())?;
        Ok(settings.clone())
    }

    /// Closes the open workspace, if any: stops its scheduler (a run going on stops after
    /// its current account and is resumed the next time the workspace opens), then its
    /// sandbox.
    pub async fn close_workspace(&self) {
        // The local API holds the workspace: it stops first (and restarts on the next one).
        self.stop_local_api().await;
        let Some(open) = self.workspace.write().await.take() else {
            return;
        };
        open.scheduler.stop().await;
        open.forwarder.abort();
        let _ = open.forwarder.await;
        match Arc::try_unwrap(open.ws) {
            Ok(ws) => ws.close().await,
            Err(_) => tracing::warn!("the workspace is still in use; its database closes when the last user ends"),
        }
        if let Some(sandbox) = open.sandbox {
            sandbox.shutdown().await;
        }
        {
            let mut sync = self.sync.lock().await;
            sync.running = false;
            sync.live = None;
            sync.next_run_at = None;
            sync.last_run = None;
            sync.problems.clear();
        }
        (self.notifier)(SyncNotice::Changed);
    }

    /// Builds the demo workspace afresh in `<data dir>/demo` — an in-process seeded
    /// sandbox, OAuth, `days` daily collections, charts, exports — and opens it. `on_event`
    /// gets the demo's progress.
    pub async fn open_demo(&self, days: i64, on_event: &(dyn Fn(DemoEvent) + Send + Sync)) -> Result<()> {
        self.close_workspace().await;
        let dir = self.workspace_dir(WorkspaceKind::Demo);
        let sandbox = Sandbox::start(SandboxConfig::seeded(DEMO_SEED))
            .await
            .map_err(|e| AppError::Other(anyhow::Error::from(e).context("starting the demo sandbox")))?;
        let base = sandbox.base_url();
        let result = demo::run(
            DemoOptions {
                out: dir.clone(),
                sandbox_url: Some(base.clone()),
                days,
            },
            on_event,
        )
        .await;
        if let Err(e) = result {
            sandbox.shutdown().await;
            return Err(e);
        }
        self.open_demo_dir(&dir, sandbox).await?;
        self.update_settings(|s| s.last_workspace = Some(WorkspaceKind::Demo))
            .await?;
        Ok(())
    }

    /// Reopens an existing demo workspace (at start), with a fresh sandbox for syncing.
    pub async fn reopen_demo(&self) -> Result<bool> {
        let dir = self.workspace_dir(WorkspaceKind::Demo);
        if !dir.join("alcance.db").is_file() {
            return Ok(false);
        }
        let sandbox = Sandbox::start(SandboxConfig::seeded(DEMO_SEED))
            .await
            .map_err(|e| AppError::Other(anyhow::Error::from(e).context("starting the demo sandbox")))?;
        self.open_demo_dir(&dir, sandbox).await?;
        Ok(true)
    }

    async fn open_demo_dir(&self, dir: &Path, sandbox: Sandbox) -> Result<()> {
        let session = Session::demo(dir, sandbox).await?;
        self.install(session, WorkspaceKind::Demo).await
    }

    /// Opens (creating it) the user's own workspace in `<data dir>/workspace`, with the OS
    /// keychain or, without one, the encrypted vault file under `passphrase`.
    ///
    /// Errors: [`AppError::Vault`] (`vault_locked`) when neither is usable.
    pub async fn open_own(&self, passphrase: Option<SecretString>) -> Result<()> {
        self.close_workspace().await;
        let dir = self.workspace_dir(WorkspaceKind::Own);
        let session = Session::own(&dir, passphrase).await?;
        self.install(session, WorkspaceKind::Own).await?;
        self.update_settings(|s| s.last_workspace = Some(WorkspaceKind::Own))
            .await?;
        Ok(())
    }

    /// Makes `ws` the open workspace and starts its scheduler (paused when the settings say
    /// so) with the task that forwards its events.
    async fn install(&self, session: Session, kind: WorkspaceKind) -> Result<()> {
        let (ws, vault, sandbox) = session.into_parts();
        let Some(vault) = vault else {
            return Err(AppError::Other(anyhow::anyhow!(
                "the workspace opened without its token vault"
            )));
        };
        let last = views::runs(&ws, 1).await.ok().and_then(|mut r| r.pop());
        let problems = problems(&ws).await;
        let paused = self.settings.lock().await.sync_paused;
        {
            let mut sync = self.sync.lock().await;
            *sync = SyncStatus {
                paused,
                last_run: last,
                problems,
                ..SyncStatus::default()
            };
        }
        let config = SchedulerConfig {
            start_paused: paused,
            ..SchedulerConfig::default()
        };
        let scheduler = Scheduler::start_with(Arc::clone(&ws), Arc::new(SystemClock), config);
        let events = scheduler.subscribe();
        let forwarder = tokio::spawn(forward(
            events,
            Arc::clone(&ws),
            Arc::clone(&self.sync),
            Arc::clone(&self.notifier),
        ));
        *self.workspace.write().await = Some(OpenWorkspace {
            ws,
            vault,
            kind,
            sandbox,
            scheduler,
            forwarder,
        });
        (self.notifier)(SyncNotice::Changed);
        if self.settings.lock().await.local_api {
            self.start_local_api().await;
        }
        Ok(())
    }

    /// The local API's status (no token: a token is shown only when made).
    pub async fn local_api_status(&self) -> LocalApiStatus {
        let enabled = self.settings.lock().await.local_api;
        let running = self.local_api.lock().await;
        LocalApiStatus {
            enabled,
            url: running.0.as_ref().map(LocalApi::url),
            token: None,
            problem: if enabled { running.1.clone() } else { None },
        }
    }

    /// Turns the local API on (persisted): serves it over the open workspace and returns a
    /// new token, shown once. Off: stops it and revokes its tokens.
    ///
    /// Errors: saving the settings; the store (making or revoking the token).
    pub async fn set_local_api(&self, enabled: bool) -> Result<LocalApiStatus> {
        self.update_settings(|s| s.local_api = enabled).await?;
        if enabled {
            self.start_local_api().await;
            return self.new_local_api_token().await;
        }
        self.stop_local_api().await;
        if let Some(open) = self.workspace.read().await.as_ref() {
            local_api::revoke_tokens(&open.ws).await?;
        }
        Ok(self.local_api_status().await)
    }

    /// A new local API token (the earlier ones revoked), in the returned status.
    ///
    /// Errors: [`AppError::NoWorkspace`] with no workspace open; the store.
    pub async fn new_local_api_token(&self) -> Result<LocalApiStatus> {
        let token = match self.workspace.read().await.as_ref() {
            Some(open) => local_api::new_token(&open.ws).await?,
            None => {
                return Err(AppError::NoWorkspace(
                    "open a workspace before making a local API token".into(),
                ))
            }
        };
        Ok(LocalApiStatus {
            token: Some(token),
            ..self.local_api_status().await
        })
    }

    /// Starts the local API over the open workspace unless it runs; a failure is kept as
    /// the status's problem (and logged), never an error of the caller.
    async fn start_local_api(&self) {
        let mut running = self.local_api.lock().await;
        if running.0.is_some() {
            return;
        }
        let started = match self.workspace.read().await.as_ref() {
            Some(open) => LocalApi::start(Arc::clone(&open.ws), open.vault.clone(), local_api::DEFAULT_PORT)
                .await
                .map_err(|e| e.to_string()),
            None => Err("no workspace is open".to_string()),
        };
        *running = match started {
            Ok(api) => (Some(api), None),
            Err(problem) => {
                tracing::warn!(%problem, "the local API is on but not running");
                (None, Some(problem))
            }
        };
    }

    async fn stop_local_api(&self) {
        let api = self.local_api.lock().await.0.take();
        if let Some(api) = api {
            api.stop().await;
        }
    }

    /// Sets "paused" (persisted): pauses or resumes the scheduler and the run going on
    /// (between accounts). Returns the new status.
    pub async fn set_paused(&self, paused: bool) -> Result<SyncStatus> {
        self.update_settings(|s| s.sync_paused = paused).await?;
        if let Some(open) = self.workspace.read().await.as_ref() {
            if paused {
                open.scheduler.pause();
            } else {
                open.scheduler.resume();
            }
        }
        let status = {
            let mut sync = self.sync.lock().await;
            sync.paused = paused;
            if paused {
                sync.next_run_at = None;
            }
            sync.clone()
        };
        (self.notifier)(SyncNotice::Changed);
        Ok(status)
    }

    /// Asks the scheduler for a manual run of every collectable account (after the run
    /// going on, if any; even while paused: the user asked) and returns the status at once.
    /// Progress arrives as [`SyncNotice::Changed`].
    ///
    /// Errors: no workspace is open.
    pub async fn sync_now(&self) -> Result<SyncStatus> {
        let guard = self.workspace.read().await;
        let open = guard.as_ref().ok_or_else(AppError::no_workspace)?;
        open.scheduler.sync_now();
        Ok(self.sync_status().await)
    }

    /// Cancels the run going on after its current account. Errors: no workspace is open.
    pub async fn cancel_run(&self) -> Result<SyncStatus> {
        let guard = self.workspace.read().await;
        let open = guard.as_ref().ok_or_else(AppError::no_workspace)?;
        open.scheduler.cancel_current();
        Ok(self.sync_status().await)
    }

    /// Reads the accounts needing reconnection again (after a connect, a disconnect or a
    /// delete) and tells the UI.
    pub async fn refresh_problems(&self) {
        let list = match self.workspace.read().await.as_ref() {
            Some(open) => problems(&open.ws).await,
            None => Vec::new(),
        };
        self.sync.lock().await.problems = list;
        (self.notifier)(SyncNotice::Changed);
    }

    /// The current sync status.
    pub async fn sync_status(&self) -> SyncStatus {
        self.sync.lock().await.clone()
    }
}

/// Labels of the accounts whose token the platform refused.
async fn problems(ws: &Workspace) -> Vec<String> {
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
async fn forward(
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
                    crate::release_memory();
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
                    crate::release_memory();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_survive_garbage() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("settings.json");
        assert_eq!(Settings::load(&path), Settings::default());
        let s = Settings {
            language: Language::PtBr,
            theme: Theme::Dark,
            autostart: true,
            sync_paused: true,
            last_workspace: Some(WorkspaceKind::Demo),
            local_api: true,
            team_server: Some("https://alcance.agency.example".into()),
            time_zone: Some("America/Manaus".into()),
        };
        s.save(&path).unwrap_or_else(|e| panic!("{e:#}"));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(text.contains("\"pt-BR\"") && text.contains("\"dark\""), "{text}");
        assert_eq!(Settings::load(&path), s);
        std::fs::write(&path, "{ not json").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Settings::load(&path), Settings::default());
        // Unknown and missing fields: defaults for the missing ones.
        std::fs::write(&path, r#"{"language":"pt-BR","future":1}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Settings::load(&path).language, Language::PtBr);
    }

    /// Waits (up to 60 s) until the status satisfies `done`.
    async fn wait_for(state: &AppState, what: &str, done: impl Fn(&SyncStatus) -> bool) -> SyncStatus {
        for _ in 0..600 {
            let status = state.sync_status().await;
            if done(&status) {
                return status;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("timed out waiting for {what}: {:?}", state.sync_status().await);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_demo_workspace_opens_and_its_scheduler_syncs_pauses_and_stops() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let notices = Arc::new(std::sync::Mutex::new(Vec::<SyncNotice>::new()));
        let seen = Arc::clone(&notices);
        let state = AppState::with_notifier(
            dir.path().to_path_buf(),
            Arc::new(move |n| {
                if let Ok(mut v) = seen.lock() {
                    v.push(n);
                }
            }),
        );
        // Paused from the start: the scheduler must not collect on its own.
        state
            .update_settings(|s| s.sync_paused = true)
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        let steps = std::sync::Mutex::new(0usize);
        state
            .open_demo(3, &|_| {
                if let Ok(mut n) = steps.lock() {
                    *n += 1;
                }
            })
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert!(steps.lock().map(|n| *n).unwrap_or(0) > 3);
        assert!(dir.path().join("demo/alcance.db").is_file());
        let settings = Settings::load(&state.settings_path());
        assert_eq!(settings.last_workspace, Some(WorkspaceKind::Demo));
        let status = state.sync_status().await;
        let demo_run = status
            .last_run
            .clone()
            .unwrap_or_else(|| panic!("no last run: {status:?}"));
        assert!(
            status.paused && !status.running && status.next_run_at.is_none(),
            "{status:?}"
        );

        // "Sync now" runs even while paused, through the scheduler, and returns at once.
        let asked = state.sync_now().await.unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(asked.last_run.as_ref().map(|r| r.id), Some(demo_run.id));
        let done = wait_for(&state, "the manual run", |s| {
            s.last_run.as_ref().is_some_and(|r| r.kind == RunKind::Manual) && !s.running
        })
        .await;
        let run = done.last_run.clone().unwrap_or_else(|| panic!("no run"));
        assert_eq!(run.status, "ok", "{run:?}");
        assert!(
            run.metrics_written > 0 && run.accounts_ok == run.accounts_total,
            "{run:?}"
        );
        assert!(done.live.is_none() && done.problems.is_empty(), "{done:?}");
        let changed = notices
            .lock()
            .map(|v| v.iter().filter(|n| **n == SyncNotice::Changed).count())
            .unwrap_or(0);
        assert!(changed >= 3, "run start, progress and end are announced: {changed}");

        // Resume: the scheduler announces the next due time.
        let resumed = state.set_paused(false).await.unwrap_or_else(|e| panic!("{e:#}"));
        assert!(!resumed.paused);
        assert!(!Settings::load(&state.settings_path()).sync_paused);
        wait_for(&state, "a next run time", |s| s.next_run_at.is_some() || s.running).await;
        let paused = state.set_paused(true).await.unwrap_or_else(|e| panic!("{e:#}"));
        assert!(paused.paused && paused.next_run_at.is_none());
        assert!(Settings::load(&state.settings_path()).sync_paused);

        state.close_workspace().await;
        assert!(state.sync_now().await.is_err());
        assert!(state.cancel_run().await.is_err());
        let closed = state.sync_status().await;
        assert!(closed.last_run.is_none() && !closed.running, "{closed:?}");
    }
}
