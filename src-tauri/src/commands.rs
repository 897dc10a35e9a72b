//! The IPC commands: each takes the managed [`AppState`], calls `alcance-app` and converts
//! the error into an [`IpcError`]. TypeScript bindings for all of them are generated into
//! `ui/src/lib/bindings.ts` (see [`crate::specta_builder`]).

use crate::error::{ErrorCode, IpcError, IpcResult};
use crate::oauth_bridge::RecordingBrowser;
use crate::state::{AppState, Settings, SyncStatus, WorkspaceKind};
use alcance_app::demo::{DemoEvent, DEMO_DAYS};
use alcance_app::views::{
    self, AccountView, ChartLabels, DashboardView, ExportView, PostView, RunEventView, RunView, ViewFilter,
};
use alcance_collector::RunKind;
use alcance_core::Platform;
use alcance_platforms::oauth::{OAuthApp, RedirectConfig, DEFAULT_CALLBACK_PATH, DEFAULT_X_PORT};
use chrono::Utc;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, State};

/// What the app shows before anything else: version, folders, settings, workspace.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct AppStatus {
    /// The app version (`Cargo.toml`).
    pub version: String,
    /// The data folder: settings, `demo/`, `workspace/`.
    pub data_dir: String,
    /// The open workspace, if any.
    pub workspace: Option<WorkspaceInfo>,
    /// User settings.
    pub settings: Settings,
    /// Scheduled collection.
    pub sync: SyncStatus,
}

/// The open workspace.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct WorkspaceInfo {
    /// Demo or own.
    pub kind: WorkspaceKind,
    /// Its folder.
    pub dir: String,
    /// `keyring`, `encrypted-file` or `memory`: where its tokens are kept.
    pub vault: String,
}

/// Progress of the demo build, streamed through a channel.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum DemoProgress {
    /// A step started. `step` is one of `sandbox`, `connect`, `track`, `charts`,
    /// `exports`, `other`; `detail` the platform or account it concerns.
    Step {
        /// The step.
        step: String,
        /// What it concerns ("X", "@ana_influencer"), may be empty.
        detail: String,
    },
    /// Daily collections: `done` of `total` simulated days.
    Collect {
        /// Days collected so far.
        done: u32,
        /// Days to collect.
        total: u32,
    },
}

/// A request to connect an account through OAuth 2.0 + PKCE.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct ConnectRequest {
    /// Platform key (`x`, `instagram`).
    pub platform: String,
    /// The developer app's client id (public).
    pub client_id: String,
    /// The app secret where the platform demands one (Instagram Login's code exchange).
    /// Used for this flow only; never stored in SQLite or logged.
    pub client_secret: Option<String>,
    /// Loopback port registered with the platform (X needs a fixed one, default 8719);
    /// `None` picks the platform default (X 8719, others a free port).
    pub port: Option<u16>,
}

async fn status(state: &AppState) -> AppStatus {
    let workspace = state.workspace.read().await.as_ref().map(|o| WorkspaceInfo {
        kind: o.kind,
        dir: o.ws.dir().display().to_string(),
        vault: alcance_platforms::vault::TokenVault::kind(&o.vault).to_string(),
    });
    AppStatus {
        version: env!("CARGO_PKG_VERSION").to_string(),
        data_dir: state.data_dir.display().to_string(),
        workspace,
        settings: state.settings.lock().await.clone(),
        sync: state.sync_status().await,
    }
}

/// The app status: call at start to pick the first-run screen or the dashboard.
#[tauri::command]
#[specta::specta]
pub async fn app_status(state: State<'_, AppState>) -> IpcResult<AppStatus> {
    Ok(status(&state).await)
}

/// Saves the settings (language, theme, autostart, pause) and applies them: autostart is
/// registered or removed with the OS, the tray's labels follow the language.
#[tauri::command]
#[specta::specta]
pub async fn save_settings(app: AppHandle, state: State<'_, AppState>, settings: Settings) -> IpcResult<Settings> {
    let previous = state.settings.lock().await.clone();
    if settings.autostart != previous.autostart {
        crate::apply_autostart(&app, settings.autostart)?;
    }
    let saved = state.update_settings(|s| *s = settings.clone()).await?;
    if saved.sync_paused != previous.sync_paused {
        state.set_paused(saved.sync_paused).await?;
    }
    crate::tray::refresh(&app).await;
    Ok(saved)
}

/// Builds the demo workspace afresh (sandbox → OAuth → 90 days of collection → charts →
/// exports, all on 127.0.0.1) in `<data dir>/demo` and opens it. Progress streams through
/// `on_progress`. Errors: `busy` while another build or sync runs.
#[tauri::command]
#[specta::specta]
pub async fn open_demo(
    app: AppHandle,
    state: State<'_, AppState>,
    on_progress: Channel<DemoProgress>,
) -> IpcResult<AppStatus> {
    let _busy = state
        .busy
        .try_lock()
        .map_err(|_| IpcError::new(ErrorCode::Busy, "another operation is running"))?;
    let days = std::env::var("ALCANCE_DEMO_DAYS")
        .ok()
        .and_then(|d| d.parse::<i64>().ok())
        .filter(|d| (1..=365).contains(d))
        .unwrap_or(DEMO_DAYS);
    let done = std::sync::atomic::AtomicU32::new(0);
    let total = std::sync::atomic::AtomicU32::new(0);
    let on_event = |event: DemoEvent| {
        use std::sync::atomic::Ordering::Relaxed;
        let message = match event {
            DemoEvent::Step(text) => {
                let (step, detail) = classify_step(&text);
                DemoProgress::Step { step, detail }
            }
            DemoEvent::CollectionsPlanned(n) => {
                total.store(u32::try_from(n).unwrap_or(u32::MAX), Relaxed);
                DemoProgress::Collect {
                    done: 0,
                    total: total.load(Relaxed),
                }
            }
            DemoEvent::CollectionDone { .. } => DemoProgress::Collect {
                done: done.fetch_add(1, Relaxed) + 1,
                total: total.load(Relaxed),
            },
            DemoEvent::Run(_) => return,
        };
        if let Err(e) = on_progress.send(message) {
            tracing::debug!(error = %e, "the demo progress channel is closed");
        }
    };
    state.open_demo(days, &on_event).await?;
    crate::tray::refresh(&app).await;
    Ok(status(&state).await)
}

/// Maps the demo's step text to a step key the UI translates, and its subject.
fn classify_step(text: &str) -> (String, String) {
    let detail_after = |prefix: &str| {
        text.strip_prefix(prefix)
            .map(|rest| rest.split(" (").next().unwrap_or("").trim().to_string())
            .unwrap_or_default()
    };
    let (step, detail) = if text.starts_with("Starting the sandbox") {
        ("sandbox", String::new())
    } else if text.starts_with("Connecting ") {
        ("connect", detail_after("Connecting "))
    } else if text.starts_with("Tracking ") {
        ("track", detail_after("Tracking "))
    } else if text.starts_with("Rendering") {
        ("charts", String::new())
    } else if text.starts_with("Writing") {
        ("exports", String::new())
    } else {
        ("other", text.to_string())
    };
    (step.to_string(), detail)
}

/// Opens (creating it) the user's own workspace: tokens in the OS keychain, or in the
/// encrypted vault file under `passphrase` when there is none. Errors: `vault_locked`.
#[tauri::command]
#[specta::specta]
pub async fn open_workspace(
    app: AppHandle,
    state: State<'_, AppState>,
    passphrase: Option<String>,
) -> IpcResult<AppStatus> {
    let _busy = state
        .busy
        .try_lock()
        .map_err(|_| IpcError::new(ErrorCode::Busy, "another operation is running"))?;
    state
        .open_own(passphrase.filter(|p| !p.is_empty()).map(SecretString::from))
        .await?;
    crate::tray::refresh(&app).await;
    Ok(status(&state).await)
}

/// The dashboard: KPIs with period-over-period change, charts (SVG), top posts.
#[tauri::command]
#[specta::specta]
pub async fn dashboard(
    state: State<'_, AppState>,
    filter: ViewFilter,
    labels: ChartLabels,
) -> IpcResult<DashboardView> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(views::dashboard(&open.ws, &filter, &labels, Utc::now()).await?)
}

/// The posts table.
#[tauri::command]
#[specta::specta]
pub async fn list_posts(state: State<'_, AppState>, filter: ViewFilter) -> IpcResult<Vec<PostView>> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(views::posts(&open.ws, &filter).await?)
}

/// The last `limit` collection runs, newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_runs(state: State<'_, AppState>, limit: u32) -> IpcResult<Vec<RunView>> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(views::runs(&open.ws, limit).await?)
}

/// The events of one run.
#[tauri::command]
#[specta::specta]
pub async fn list_run_events(state: State<'_, AppState>, run_id: i64) -> IpcResult<Vec<RunEventView>> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(views::run_events(&open.ws, run_id).await?)
}

/// The accounts with their token health.
#[tauri::command]
#[specta::specta]
pub async fn list_accounts(state: State<'_, AppState>) -> IpcResult<Vec<AccountView>> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(views::accounts(&open.ws, Some(&open.vault), Utc::now()).await?)
}

/// Writes CSV, JSON and XLSX of the filter's accounts and date range into
/// `<workspace>/exports/alcance-<since>_<until>/`.
#[tauri::command]
#[specta::specta]
pub async fn export_data(state: State<'_, AppState>, filter: ViewFilter) -> IpcResult<ExportView> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    let out = open.ws.dir().join("exports");
    Ok(views::export_range(&open.ws, &filter, &out).await?)
}

/// Shows a file of the open workspace in the system's file manager. Only paths inside the
/// workspace folder are accepted (`invalid_input` otherwise).
#[tauri::command]
#[specta::specta]
pub async fn show_in_folder(app: AppHandle, state: State<'_, AppState>, path: String) -> IpcResult<()> {
    let root = {
        let guard = state.workspace.read().await;
        guard
            .as_ref()
            .ok_or_else(IpcError::no_workspace)?
            .ws
            .dir()
            .to_path_buf()
    };
    let path = inside(&root, Path::new(&path))?;
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .reveal_item_in_dir(&path)
        .map_err(|e| IpcError::new(ErrorCode::Io, format!("showing {} in its folder: {e}", path.display())))
}

/// `path` canonicalized, if it exists inside `root`.
fn inside(root: &Path, path: &Path) -> IpcResult<PathBuf> {
    let canon = |p: &Path| {
        p.canonicalize()
            .map_err(|e| IpcError::new(ErrorCode::NotFound, format!("{}: {e}", p.display())))
    };
    let (root, path) = (canon(root)?, canon(path)?);
    if path.starts_with(&root) {
        Ok(path)
    } else {
        Err(IpcError::new(
            ErrorCode::InvalidInput,
            format!("{} is not inside the workspace folder", path.display()),
        ))
    }
}

/// Opens an `https` link (a post's permalink, a developer portal) in the system browser.
#[tauri::command]
#[specta::specta]
pub async fn open_link(app: AppHandle, url: String) -> IpcResult<()> {
    let parsed = url::Url::parse(&url).map_err(|e| IpcError::new(ErrorCode::InvalidInput, format!("{url}: {e}")))?;
    if parsed.scheme() != "https" {
        return Err(IpcError::new(ErrorCode::InvalidInput, "only https links are opened"));
    }
    use tauri_plugin_opener::OpenerExt;
    app.opener()
        .open_url(parsed.as_str(), None::<&str>)
        .map_err(|e| IpcError::new(ErrorCode::Io, format!("opening {parsed}: {e}")))
}

/// Collects every active account now. Errors: `busy` while another sync runs.
#[tauri::command]
#[specta::specta]
pub async fn sync_now(app: AppHandle, state: State<'_, AppState>) -> IpcResult<RunView> {
    crate::run_sync(&app, &state, RunKind::Manual).await
}

/// Pauses or resumes scheduled collection.
#[tauri::command]
#[specta::specta]
pub async fn set_sync_paused(app: AppHandle, state: State<'_, AppState>, paused: bool) -> IpcResult<SyncStatus> {
    let status = state.set_paused(paused).await?;
    crate::tray::refresh(&app).await;
    Ok(status)
}

/// Connects an account: OAuth 2.0 authorization code + PKCE in the system browser (the
/// demo workspace's sandbox approves by itself), loopback redirect on 127.0.0.1 (a deep
/// link `alcance://oauth/callback?code&state` is forwarded to it), then the account is
/// stored and its token kept in the vault. Opens the own workspace first when none is open.
#[tauri::command]
#[specta::specta]
pub async fn connect_account(
    app: AppHandle,
    state: State<'_, AppState>,
    request: ConnectRequest,
) -> IpcResult<AccountView> {
    let platform: Platform = request
        .platform
        .parse()
        .map_err(|e: alcance_core::UnknownPlatform| IpcError::new(ErrorCode::InvalidInput, e.to_string()))?;
    if request.client_id.trim().is_empty() {
        return Err(IpcError::new(ErrorCode::InvalidInput, "the client id is empty"));
    }
    let _busy = state
        .busy
        .try_lock()
        .map_err(|_| IpcError::new(ErrorCode::Busy, "another operation is running"))?;
    if state.workspace.read().await.is_none() {
        state.open_own(None).await?;
    }
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    let provider = open.ws.provider(platform)?;
    let port = request
        .port
        .unwrap_or(if platform == Platform::X { DEFAULT_X_PORT } else { 0 });
    let oauth_app = OAuthApp {
        platform,
        client_id: request.client_id.trim().to_string(),
        client_secret: request.client_secret.filter(|s| !s.is_empty()).map(SecretString::from),
        scopes: provider.default_scopes.clone(),
        redirect: RedirectConfig {
            port,
            path: DEFAULT_CALLBACK_PATH.to_string(),
        },
    };
    let browser = RecordingBrowser::new(state.pending_redirect.clone(), open.kind == WorkspaceKind::Demo);
    let result = open
        .ws
        .connect(
            &oauth_app,
            &browser,
            alcance_platforms::oauth::DEFAULT_AUTHORIZE_TIMEOUT,
        )
        .await;
    let redirect = browser
        .take()
        .map(|u| u.to_string())
        .unwrap_or_else(|| oauth_app.redirect.redirect_uri(port));
    let account = result?;
    if let Err(e) = open
        .ws
        .store()
        .save_app_credentials(
            platform,
            &oauth_app.client_id,
            &redirect,
            oauth_app.client_secret.is_some(),
        )
        .await
    {
        tracing::warn!(error = %e, "saving the developer-app settings failed");
    }
    let list = views::accounts(&open.ws, Some(&open.vault), Utc::now()).await?;
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.set_focus();
    }
    list.into_iter()
        .find(|a| a.id == account.id)
        .ok_or_else(|| IpcError::new(ErrorCode::NotFound, "the connected account is not in the list"))
}

/// How long [`connect_account`] waits for consent, for the docs.
pub const CONNECT_TIMEOUT: Duration = alcance_platforms::oauth::DEFAULT_AUTHORIZE_TIMEOUT;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_steps_become_keys() {
        assert_eq!(classify_step("Starting the sandbox"), ("sandbox".into(), String::new()));
        assert_eq!(
            classify_step("Connecting X (OAuth 2.0 + PKCE, loopback redirect)"),
            ("connect".into(), "X".into())
        );
        assert_eq!(
            classify_step("Tracking Instagram ana.influencer"),
            ("track".into(), "Instagram ana.influencer".into())
        );
        assert_eq!(classify_step("Rendering charts"), ("charts".into(), String::new()));
        assert_eq!(
            classify_step("Writing CSV, JSON and XLSX exports"),
            ("exports".into(), String::new())
        );
        assert_eq!(classify_step("Something new"), ("other".into(), "Something new".into()));
    }

    #[test]
    fn only_paths_inside_the_workspace_are_shown() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let ws = dir.path().join("ws");
        std::fs::create_dir_all(ws.join("exports")).unwrap_or_else(|e| panic!("{e}"));
        let file = ws.join("exports/a.csv");
        std::fs::write(&file, "x").unwrap_or_else(|e| panic!("{e}"));
        assert!(inside(&ws, &file).is_ok());
        let outside = dir.path().join("secret.txt");
        std::fs::write(&outside, "x").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            inside(&ws, &outside).err().map(|e| e.code),
            Some(ErrorCode::InvalidInput)
        );
        let sneaky = ws.join("exports/../../secret.txt");
        assert_eq!(
            inside(&ws, &sneaky).err().map(|e| e.code),
            Some(ErrorCode::InvalidInput)
        );
        assert_eq!(
            inside(&ws, &ws.join("missing")).err().map(|e| e.code),
            Some(ErrorCode::NotFound)
        );
    }
}
