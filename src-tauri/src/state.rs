//! What the shell keeps between commands: settings, the open workspace, the sync status
//! and a pending OAuth redirect. Managed with `app.manage(AppState)`.

use alcance_app::demo::{self, DemoEvent, DemoOptions, DEMO_VAULT_PASSPHRASE};
use alcance_app::views::{self, RunView, SharedVault};
use alcance_app::{Workspace, WorkspaceOptions};
use alcance_collector::{Progress, RunKind};
use alcance_platforms::vault::{open_vault, EncryptedFileVault, TokenVault};
use alcance_platforms::{CollectWindow, Endpoints};
use alcance_sandbox::{Sandbox, SandboxConfig};
use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::{Mutex, RwLock};

/// Hours between scheduled collections.
pub const CADENCE_HOURS: u32 = 6;
/// Days each collection looks back for posts and insights.
pub const COLLECT_LOOKBACK_DAYS: i64 = 7;
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
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        let tmp = path.with_extension("json.partial");
        let text = serde_json::to_string_pretty(self).context("serializing the settings")?;
        std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("moving {} into place", path.display()))?;
        Ok(())
    }
}

/// The open workspace and what keeps it working.
pub struct OpenWorkspace {
    /// The workspace.
    pub ws: Workspace,
    /// Its vault (another handle on the one the workspace holds), for token health.
    pub vault: SharedVault,
    /// Demo or own.
    pub kind: WorkspaceKind,
    /// The demo's in-process sandbox (stays up so "Sync now" works on the demo).
    pub sandbox: Option<Sandbox>,
}

/// The sync status the tray and the UI show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type, Default)]
pub struct SyncStatus {
    /// Scheduled collection is paused.
    pub paused: bool,
    /// A collection is running now.
    pub running: bool,
    /// The last run this session started (or the latest in the log), if any.
    pub last_run: Option<RunView>,
    /// When the next scheduled collection is due, UTC (`None` while paused or with no
    /// workspace).
    pub next_run_at: Option<DateTime<Utc>>,
    /// Hours between scheduled collections.
    pub cadence_hours: u32,
}

/// Shell state, shared by commands, the tray and the scheduler.
pub struct AppState {
    /// `<data dir>`: settings, `demo/`, `workspace/`.
    pub data_dir: PathBuf,
    /// Settings (persisted on change).
    pub settings: Mutex<Settings>,
    /// The open workspace.
    pub workspace: RwLock<Option<OpenWorkspace>>,
    /// Sync status.
    pub sync: Mutex<SyncStatus>,
    /// Held while a demo build, a connect flow or a sync runs.
    pub busy: Mutex<()>,
    /// The loopback redirect URI of the OAuth flow in progress, for deep links.
    pub pending_redirect: Arc<std::sync::Mutex<Option<url::Url>>>,
}

impl AppState {
    /// State over `data_dir`, with its settings loaded.
    pub fn new(data_dir: PathBuf) -> AppState {
        let settings = Settings::load(&data_dir.join("settings.json"));
        let sync = SyncStatus {
            paused: settings.sync_paused,
            cadence_hours: CADENCE_HOURS,
            ..SyncStatus::default()
        };
        AppState {
            data_dir,
            settings: Mutex::new(settings),
            workspace: RwLock::new(None),
            sync: Mutex::new(sync),
            busy: Mutex::new(()),
            pending_redirect: Arc::new(std::sync::Mutex::new(None)),
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

    /// Closes the open workspace (and its sandbox), if any.
    pub async fn close_workspace(&self) {
        if let Some(open) = self.workspace.write().await.take() {
            open.ws.close().await;
            if let Some(sandbox) = open.sandbox {
                sandbox.shutdown().await;
            }
        }
    }

    /// Builds the demo workspace afresh in `<data dir>/demo` — an in-process seeded
    /// sandbox, OAuth, `days` daily collections, charts, exports — and opens it. `on_event`
    /// gets the demo's progress.
    pub async fn open_demo(&self, days: i64, on_event: &(dyn Fn(DemoEvent) + Send + Sync)) -> Result<()> {
        self.close_workspace().await;
        let dir = self.workspace_dir(WorkspaceKind::Demo);
        let sandbox = Sandbox::start(SandboxConfig::seeded(DEMO_SEED))
            .await
            .context("starting the demo sandbox")?;
        let base = sandbox.base_url();
        let result = run_here(demo::run(
            DemoOptions {
                out: dir.clone(),
                sandbox_url: Some(base.clone()),
                days,
            },
            on_event,
        ));
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
            .context("starting the demo sandbox")?;
        self.open_demo_dir(&dir, sandbox).await?;
        Ok(true)
    }

    async fn open_demo_dir(&self, dir: &Path, sandbox: Sandbox) -> Result<()> {
        let base = sandbox.base_url();
        let passphrase = SecretString::from(DEMO_VAULT_PASSPHRASE.to_string());
        let vault = EncryptedFileVault::open(dir.join("vault.enc"), &passphrase).context("opening the demo vault")?;
        let shared = SharedVault(Arc::new(vault));
        let ws = run_here(Workspace::open(
            dir,
            WorkspaceOptions {
                endpoints: Endpoints::sandbox(&base),
                vault: Box::new(shared.clone()),
            },
        ))?;
        self.install(OpenWorkspace {
            ws,
            vault: shared,
            kind: WorkspaceKind::Demo,
            sandbox: Some(sandbox),
        })
        .await;
        Ok(())
    }

    /// Opens (creating it) the user's own workspace in `<data dir>/workspace`, with the OS
    /// keychain or, without one, the encrypted vault file under `passphrase`.
    ///
    /// Errors: [`alcance_platforms::vault::VaultError::Locked`] when neither is usable.
    pub async fn open_own(&self, passphrase: Option<SecretString>) -> Result<()> {
        self.close_workspace().await;
        let dir = self.workspace_dir(WorkspaceKind::Own);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let vault_dir = dir.clone();
        let vault: Box<dyn TokenVault> =
            tokio::task::spawn_blocking(move || open_vault(&vault_dir, passphrase.as_ref()))
                .await
                .context("opening the token vault")??;
        let shared = SharedVault(Arc::from(vault));
        let ws = run_here(Workspace::open(
            &dir,
            WorkspaceOptions {
                endpoints: Endpoints::real(),
                vault: Box::new(shared.clone()),
            },
        ))?;
        self.install(OpenWorkspace {
            ws,
            vault: shared,
            kind: WorkspaceKind::Own,
            sandbox: None,
        })
        .await;
        self.update_settings(|s| s.last_workspace = Some(WorkspaceKind::Own))
            .await?;
        Ok(())
    }

    async fn install(&self, open: OpenWorkspace) {
        let last = views::runs(&open.ws, 1).await.ok().and_then(|mut r| r.pop());
        *self.workspace.write().await = Some(open);
        let mut sync = self.sync.lock().await;
        sync.last_run = last;
        sync.next_run_at = (!sync.paused).then(|| Utc::now() + Duration::hours(i64::from(CADENCE_HOURS)));
    }

    /// Sets "paused" (persisted) and returns the new status.
    pub async fn set_paused(&self, paused: bool) -> Result<SyncStatus> {
        self.update_settings(|s| s.sync_paused = paused).await?;
        let has_workspace = self.workspace.read().await.is_some();
        let mut sync = self.sync.lock().await;
        sync.paused = paused;
        sync.next_run_at = (!paused && has_workspace).then(|| Utc::now() + Duration::hours(i64::from(CADENCE_HOURS)));
        Ok(sync.clone())
    }

    /// Runs one collection of every active account now (`kind` manual or scheduled) and
    /// returns the run. Accounts whose token was refused come back in `needs_reauth`.
    ///
    /// Errors: no workspace is open; the store failed.
    pub async fn sync(&self, kind: RunKind) -> Result<(RunView, SyncOutcome)> {
        {
            let mut sync = self.sync.lock().await;
            sync.running = true;
        }
        let result = self.sync_inner(kind).await;
        let mut sync = self.sync.lock().await;
        sync.running = false;
        sync.next_run_at = (!sync.paused).then(|| Utc::now() + Duration::hours(i64::from(CADENCE_HOURS)));
        if let Ok((run, _)) = &result {
            sync.last_run = Some(run.clone());
        }
        result
    }

    async fn sync_inner(&self, kind: RunKind) -> Result<(RunView, SyncOutcome)> {
        let guard = self.workspace.read().await;
        let open = guard.as_ref().context("no workspace is open")?;
        let now = Utc::now();
        let window = CollectWindow {
            since: now - Duration::days(COLLECT_LOOKBACK_DAYS),
            until: now,
        };
        let progress = |_: Progress| {};
        let summary = open.ws.collect(window, now, kind, &[], &progress).await?;
        let outcome = SyncOutcome {
            failed: summary.accounts.iter().filter(|a| !a.ok).count(),
            needs_reauth: summary
                .accounts
                .iter()
                .filter(|a| a.needs_reauth)
                .map(|a| {
                    a.account
                        .username
                        .clone()
                        .unwrap_or_else(|| a.account.external_id.clone())
                })
                .collect(),
        };
        let run = views::runs(&open.ws, 50)
            .await?
            .into_iter()
            .find(|r| r.id == summary.run_id)
            .context("the run just finished is not in the log")?;
        Ok((run, outcome))
    }

    /// The current sync status.
    pub async fn sync_status(&self) -> SyncStatus {
        self.sync.lock().await.clone()
    }
}

/// What a sync means for notifications.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncOutcome {
    /// Accounts that failed.
    pub failed: usize,
    /// Accounts (handles) whose token was refused.
    pub needs_reauth: Vec<String>,
}

/// Runs `fut` to completion on the current worker thread (`tokio::task::block_in_place`).
///
/// Some `alcance-app` futures (opening a workspace, the demo, OAuth connect) are `Send` in
/// practice but rustc cannot prove it for every lifetime ("implementation of `Send` is not
/// general enough", higher-ranked lifetimes inside sqlx), which Tauri's command futures
/// require. Driving them here keeps them out of the command's future. Needs the
/// multi-threaded runtime (Tauri's; tests use `flavor = "multi_thread"`).
pub fn run_here<F: std::future::Future>(fut: F) -> F::Output {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(fut))
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_demo_workspace_opens_syncs_and_pauses() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let state = AppState::new(dir.path().to_path_buf());
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
        assert!(status.last_run.is_some() && status.next_run_at.is_some());

        let (run, outcome) = state.sync(RunKind::Manual).await.unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(run.kind, "manual");
        assert_eq!(run.status, "ok", "{run:?}");
        assert!(run.metrics_written > 0);
        assert_eq!(outcome, SyncOutcome::default());

        let paused = state.set_paused(true).await.unwrap_or_else(|e| panic!("{e:#}"));
        assert!(paused.paused && paused.next_run_at.is_none());
        assert!(Settings::load(&state.settings_path()).sync_paused);
        state.close_workspace().await;
        assert!(state.sync(RunKind::Manual).await.is_err());
    }
}
