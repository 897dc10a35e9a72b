//! What the shell keeps between commands: settings, the open workspace, the sync status
//! and a pending OAuth redirect. Managed with `app.manage(AppState)`.

use alcance_app::demo::{self, DemoEvent, DemoOptions};
use alcance_app::sandbox::{Sandbox, SandboxConfig};
use alcance_app::scheduler::{Scheduler, SystemClock};
use alcance_app::scheduler_lock::SchedulerLock;
use alcance_app::shell::{forward, problems};
use alcance_app::views;
use alcance_app::{AppError, Session, SharedVault, Workspace};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::{Mutex, RwLock};
use tokio::task::JoinHandle;

use crate::local_api::{self, LocalApi};

/// Results of the shell state: [`AppError`], which commands turn into IPC errors.
pub type Result<T, E = AppError> = std::result::Result<T, E>;

// The settings file and the sync status are shared with the tray process (`alcance tray`,
// ADR 0021): they live in alcance-app.
pub use alcance_app::shell::{
    Language, LiveRun, Notifier, Settings, SyncNotice, SyncStatus, Theme, WorkspaceKind, DEMO_SEED,
};

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
    /// This process's claim on the workspace's scheduler ([`SchedulerLock`], ADR 0021):
    /// `Owner` as before the tray process existed; `Standby` when another process (`alcance
    /// tray`) holds it, and then [`OpenWorkspace::scheduler`] runs manual runs only.
    pub claim: SchedulerClaim,
}

/// Who schedules the open workspace's collections.
#[derive(Debug)]
pub enum SchedulerClaim {
    /// This process holds the workspace's scheduler lock (released when the workspace
    /// closes).
    Owner(SchedulerLock),
    /// The lock could not be taken or tested (a file system without locks): this process
    /// schedules, as it did before the lock existed.
    Unlocked,
    /// Another process holds the lock and schedules: this one runs only what the user
    /// asks for (Sync now), never scheduled runs, catch-up, backups or report delivery.
    Standby,
}

impl SchedulerClaim {
    /// Claims the scheduler of the workspace folder `dir`.
    pub fn of(dir: &Path) -> SchedulerClaim {
        match SchedulerLock::try_acquire(dir) {
            Ok(Some(lock)) => SchedulerClaim::Owner(lock),
            Ok(None) => {
                tracing::info!(
                    dir = %dir.display(),
                    "another Alcance process (the tray) schedules this workspace: this window runs no scheduler of its own"
                );
                SchedulerClaim::Standby
            }
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "the scheduler lock is not available; scheduling here");
                SchedulerClaim::Unlocked
            }
        }
    }

    /// Another process schedules the workspace.
    pub fn is_standby(&self) -> bool {
        matches!(self, SchedulerClaim::Standby)
    }
}

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
        kind.dir(&self.data_dir)
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
        let Some(session) = alcance_app::shell::reopen_demo(&dir).await? else {
            return Ok(false);
        };
        self.install(session, WorkspaceKind::Demo).await?;
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
        let claim = SchedulerClaim::of(ws.dir());
        let config = if claim.is_standby() {
            alcance_app::shell::standby_scheduler()
        } else {
            alcance_app::shell::background_scheduler(paused)
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
            claim,
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
        // In standby the tray process schedules: its scheduler is the one to pause (it reads
        // the setting when it starts); this one stays manual-only.
        if let Some(open) = self.workspace.read().await.as_ref().filter(|o| !o.claim.is_standby()) {
            if paused {
                open.scheduler.pause();
            } else {
                open.scheduler.resume();
            }
        }
        let status = {
            let mut sync = self.sync.lock().await;
            sync.set_paused(paused);
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

#[cfg(test)]
mod tests {
    use super::*;
    use alcance_app::RunKind;

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

    /// The tray process (`alcance tray`, ADR 0021) holds the workspace's scheduler lock: the
    /// window runs no scheduled collection (Resume included), yet its Sync now collects;
    /// without the tray the window schedules and holds the lock itself, until it closes.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_window_whose_workspace_the_tray_schedules_runs_only_what_the_user_asks() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let state = AppState::new(dir.path().to_path_buf());
        let demo = state.workspace_dir(WorkspaceKind::Demo);
        let tray = SchedulerLock::try_acquire(&demo)
            .unwrap_or_else(|e| panic!("{e:#}"))
            .unwrap_or_else(|| panic!("the lock is free before the window opens"));
        state.open_demo(2, &|_| {}).await.unwrap_or_else(|e| panic!("{e:#}"));
        let standby = |state: &AppState| {
            let state = state.workspace.try_read().ok();
            state.and_then(|w| w.as_ref().map(|o| o.claim.is_standby()))
        };
        assert_eq!(standby(&state), Some(true));
        // Resume (the setting) schedules nothing here: the tray's scheduler does.
        let resumed = state.set_paused(false).await.unwrap_or_else(|e| panic!("{e:#}"));
        assert!(!resumed.paused);
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        let idle = state.sync_status().await;
        assert!(!idle.running && idle.next_run_at.is_none(), "{idle:?}");
        // Sync now, the user's own request, collects.
        state.sync_now().await.unwrap_or_else(|e| panic!("{e:#}"));
        let done = wait_for(&state, "the manual run", |s| {
            s.last_run.as_ref().is_some_and(|r| r.kind == RunKind::Manual) && !s.running
        })
        .await;
        assert!(done.last_run.is_some_and(|r| r.metrics_written > 0));
        state.close_workspace().await;
        drop(tray);

        // No tray: the window owns the scheduler and its lock while the workspace is open.
        assert!(state.reopen_demo().await.unwrap_or_else(|e| panic!("{e:#}")));
        assert_eq!(standby(&state), Some(false));
        assert!(SchedulerLock::is_held_elsewhere(&demo).unwrap_or_else(|e| panic!("{e:#}")));
        state.close_workspace().await;
        assert!(!SchedulerLock::is_held_elsewhere(&demo).unwrap_or_else(|e| panic!("{e:#}")));
    }
}
