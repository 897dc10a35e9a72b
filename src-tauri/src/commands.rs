//! The IPC commands: each takes the managed [`AppState`], calls `alcance-app` and converts
//! the error into an [`IpcError`]. TypeScript bindings for all of them are generated into
//! `ui/src/lib/bindings.ts` (see [`crate::specta_builder`]).

use crate::error::{ErrorCode, IpcError, IpcResult};
use crate::oauth_bridge::RecordingBrowser;
use crate::state::{AppState, LocalApiStatus, OpenWorkspace, Settings, SyncStatus, WorkspaceKind};
use alcance_app::collect::Cadence;
use alcance_app::demo::{DemoEvent, DEMO_DAYS};
use alcance_app::oauth::{OAuthApp, RedirectConfig, DEFAULT_CALLBACK_PATH, DEFAULT_X_PORT};
use alcance_app::views::{
    self, AccountView, ChartLabels, DashboardView, ExportView, PostView, RunEventView, RunView, ViewFilter,
};
use alcance_app::{AccountId, AppError, CadenceKind, Platform, PlatformError, RunId};
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
    /// How its database is kept on disk: `encrypted` (SQLCipher, AES-256, key in the
    /// vault), `plain` (SQLite: the demo, or a workspace made before encryption at rest) or
    /// `server` (a team's PostgreSQL database).
    pub database: alcance_app::at_rest::DatabaseAtRest,
}

/// A step of the demo build, as the UI translates it (`demo.step.<step>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum DemoStep {
    /// Starting the in-process sandbox.
    Sandbox,
    /// Connecting an account through OAuth (`detail`: the platform).
    Connect,
    /// Following a public profile (`detail`: the platform and the handle).
    Track,
    /// Rendering the charts.
    Charts,
    /// Writing the CSV, JSON and XLSX exports.
    Exports,
    /// Any other step (`detail`: the demo's own text).
    Other,
}

/// Progress of the demo build, streamed through a channel.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum DemoProgress {
    /// A step started; `detail` is the platform or account it concerns.
    Step {
        /// The step.
        step: DemoStep,
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
    /// The platform (`x`, `instagram`, `facebook`, `tiktok`; WhatsApp uses `connect_whatsapp`).
    pub platform: Platform,
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
        vault: alcance_app::vault::TokenVault::kind(&o.vault).to_string(),
        database: o.ws.database_at_rest(),
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

/// The local API for Excel / Power BI (Settings): whether it is on, where it listens, and
/// why it does not when it should. Never a token.
#[tauri::command]
#[specta::specta]
pub async fn local_api_status(state: State<'_, AppState>) -> IpcResult<LocalApiStatus> {
    Ok(state.local_api_status().await)
}

/// Turns the local API on (serving `/api/v1` on 127.0.0.1, default port 8780, with a new
/// bearer token in the answer, shown once) or off (stopped, its tokens revoked). Saved in
/// the settings; it starts again with the app.
#[tauri::command]
#[specta::specta]
pub async fn set_local_api(state: State<'_, AppState>, enabled: bool) -> IpcResult<LocalApiStatus> {
    Ok(state.set_local_api(enabled).await?)
}

/// A new local API token (in the answer, shown once); the earlier ones stop working.
#[tauri::command]
#[specta::specta]
pub async fn new_local_api_token(state: State<'_, AppState>) -> IpcResult<LocalApiStatus> {
    Ok(state.new_local_api_token().await?)
}

/// The team server the window is a client of (its address), or `None` for the solo
/// workspace.
#[tauri::command]
#[specta::specta]
pub async fn team_server(state: State<'_, AppState>) -> IpcResult<Option<String>> {
    Ok(state.team.lock().await.as_ref().map(|t| t.base().to_string()))
}

/// "Connect to a team server": checks that an Alcance server answers at `url`
/// (`https://alcance.agency.example`; `https://` is assumed without a scheme), makes the
/// window its client (remembered across restarts; people sign in on the server's sign-in
/// screen) and returns the normalized address. The solo workspace stays as it is.
/// Errors: `invalid_input` (not an http(s) address), `unavailable` (no Alcance server
/// answers there).
#[tauri::command]
#[specta::specta]
pub async fn connect_team_server(state: State<'_, AppState>, url: String) -> IpcResult<String> {
    let client = crate::team::TeamClient::new(crate::team::server_url(&url)?)?;
    client.check().await?;
    let address = client.base().to_string();
    *state.team.lock().await = Some(std::sync::Arc::new(client));
    state.update_settings(|s| s.team_server = Some(address.clone())).await?;
    Ok(address)
}

/// Back to the solo workspace: forgets the team server and its session (sign out first
/// through the server's API to end the session there too).
#[tauri::command]
#[specta::specta]
pub async fn leave_team_server(state: State<'_, AppState>) -> IpcResult<()> {
    *state.team.lock().await = None;
    state.update_settings(|s| s.team_server = None).await?;
    Ok(())
}

/// Sends one request of the web UI's HTTP transport to the team server (an `/api/v1/…`
/// path with its query, a JSON body, the session's CSRF token) with the session cookie
/// kept here. Errors: `no_workspace` when no team server is chosen; see
/// [`crate::team::TeamClient::request`].
#[tauri::command]
#[specta::specta]
pub async fn team_request(
    state: State<'_, AppState>,
    method: String,
    path: String,
    body: Option<String>,
    csrf: Option<String>,
) -> IpcResult<crate::team::TeamAnswer> {
    let client = team_client(&state).await?;
    client.request(&method, &path, body, csrf).await
}

/// Downloads an export or a campaign report of the team server (`path`, an `/api/v1/…`
/// path) into the Downloads folder (else `<data dir>/exports`), named as the server names
/// it (else `fallback`), and returns the file's path.
#[tauri::command]
#[specta::specta]
pub async fn team_download(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
    fallback: String,
) -> IpcResult<String> {
    let client = team_client(&state).await?;
    let folder = app
        .path()
        .download_dir()
        .unwrap_or_else(|_| state.data_dir.join("exports"));
    let saved = client.download(&path, &folder, &fallback).await?;
    Ok(saved.display().to_string())
}

async fn team_client(state: &AppState) -> IpcResult<std::sync::Arc<crate::team::TeamClient>> {
    state
        .team
        .lock()
        .await
        .clone()
        .ok_or_else(|| IpcError::new(ErrorCode::NoWorkspace, "the window is not connected to a team server"))
}

/// Saves the settings (language, theme, autostart, pause) and applies them: autostart is
/// registered or removed with the OS, the tray's labels follow the language.
#[tauri::command]
#[specta::specta]
pub async fn save_settings(app: AppHandle, state: State<'_, AppState>, settings: Settings) -> IpcResult<Settings> {
    let previous = state.settings.lock().await.clone();
    // The local API is turned on and off by `set_local_api` (it makes and revokes tokens).
    // So is the team server (`connect_team_server`, `leave_team_server`).
    let settings = Settings {
        local_api: previous.local_api,
        team_server: previous.team_server.clone(),
        ..settings
    };
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
    let _busy = hold_busy(&state)?;
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

/// Maps the demo's step text to the step the UI translates, and its subject.
fn classify_step(text: &str) -> (DemoStep, String) {
    let detail_after = |prefix: &str| {
        text.strip_prefix(prefix)
            .map(|rest| rest.split(" (").next().unwrap_or("").trim().to_string())
            .unwrap_or_default()
    };
    if text.starts_with("Starting the sandbox") {
        (DemoStep::Sandbox, String::new())
    } else if text.starts_with("Connecting ") {
        (DemoStep::Connect, detail_after("Connecting "))
    } else if text.starts_with("Tracking ") {
        (DemoStep::Track, detail_after("Tracking "))
    } else if text.starts_with("Rendering") {
        (DemoStep::Charts, String::new())
    } else if text.starts_with("Writing") {
        (DemoStep::Exports, String::new())
    } else {
        (DemoStep::Other, text.to_string())
    }
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
    let _busy = hold_busy(&state)?;
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
pub async fn list_run_events(state: State<'_, AppState>, run_id: RunId) -> IpcResult<Vec<RunEventView>> {
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

/// Asks the background scheduler for a manual collection of every collectable account
/// (after the run going on, if any; also while paused) and returns the status at once;
/// progress follows as `syncChanged` events. Errors: `no_workspace`.
#[tauri::command]
#[specta::specta]
pub async fn sync_now(state: State<'_, AppState>) -> IpcResult<SyncStatus> {
    if state.workspace.read().await.is_none() {
        return Err(IpcError::no_workspace());
    }
    Ok(state.sync_now().await?)
}

/// Pauses or resumes scheduled collection; pausing also pauses the run going on before
/// its next account.
#[tauri::command]
#[specta::specta]
pub async fn set_sync_paused(state: State<'_, AppState>, paused: bool) -> IpcResult<SyncStatus> {
    Ok(state.set_paused(paused).await?)
}

/// Cancels the run going on after its current account: the accounts it has not reached
/// are skipped (run status `cancelled`) and wait for their next cadence.
/// Errors: `no_workspace`.
#[tauri::command]
#[specta::specta]
pub async fn cancel_run(state: State<'_, AppState>) -> IpcResult<SyncStatus> {
    if state.workspace.read().await.is_none() {
        return Err(IpcError::no_workspace());
    }
    Ok(state.cancel_run().await?)
}

/// The cadence `cadence` with `every_hours` (1–8760, `custom` only; ignored otherwise).
/// Errors: `invalid_input` (a custom cadence without its hours, or out of range).
fn parse_cadence(cadence: CadenceKind, every_hours: Option<u32>) -> IpcResult<Cadence> {
    let invalid = |m: String| IpcError::new(ErrorCode::InvalidInput, m);
    match (cadence, every_hours) {
        (CadenceKind::Hourly, _) => Ok(Cadence::Hourly),
        (CadenceKind::Daily, _) => Ok(Cadence::Daily),
        (CadenceKind::Weekly, _) => Ok(Cadence::Weekly),
        (CadenceKind::Custom, Some(h)) if (1..=8760).contains(&h) => Ok(Cadence::Custom {
            seconds: i64::from(h) * 3600,
        }),
        (CadenceKind::Custom, Some(h)) => Err(invalid(format!("a custom cadence is 1 to 8760 hours, not {h}"))),
        (CadenceKind::Custom, None) => Err(invalid("a custom cadence needs its hours".into())),
    }
}

/// Sets how often an account is collected and returns it with its next run (from its last
/// collection plus the new period, or now when that has passed; the scheduler picks it up
/// within a minute). `every_hours` (1–8760) is the period of a `custom` cadence.
/// Errors: `invalid_input`, `not_found`.
#[tauri::command]
#[specta::specta]
pub async fn set_cadence(
    state: State<'_, AppState>,
    account_id: AccountId,
    cadence: CadenceKind,
    every_hours: Option<u32>,
) -> IpcResult<AccountView> {
    let cadence = parse_cadence(cadence, every_hours)?;
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    alcance_app::scheduler::set_cadence(open.ws.store(), account_id, cadence, Utc::now()).await?;
    account_view(open, account_id).await
}

/// Takes the busy lock held while a demo build or a connect flow runs.
/// Errors: `busy` while another one runs.
fn hold_busy(state: &AppState) -> IpcResult<tokio::sync::MutexGuard<'_, ()>> {
    state
        .busy
        .try_lock()
        .map_err(|_| IpcError::new(ErrorCode::Busy, "another operation is running"))
}

/// Opens the own workspace when none is open (connecting an account creates it).
async fn ensure_workspace(state: &AppState) -> IpcResult<()> {
    if state.workspace.read().await.is_none() {
        state.open_own(None).await?;
    }
    Ok(())
}

/// One account as the accounts screen shows it.
async fn account_view(open: &OpenWorkspace, account_id: AccountId) -> IpcResult<AccountView> {
    views::accounts(&open.ws, Some(&open.vault), Utc::now())
        .await?
        .into_iter()
        .find(|a| a.id == account_id)
        .ok_or_else(|| IpcError::new(ErrorCode::NotFound, format!("account {account_id} not found")))
}

/// Disconnects an account: no more collection, its token leaves the vault (unless another
/// account collects with it), its data stays. Connecting it again resumes it.
/// Errors: `not_found`.
#[tauri::command]
#[specta::specta]
pub async fn disconnect_account(state: State<'_, AppState>, account_id: AccountId) -> IpcResult<AccountView> {
    let view = {
        let guard = state.workspace.read().await;
        let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
        open.ws.disconnect(account_id).await?;
        account_view(open, account_id).await?
    };
    state.refresh_problems().await;
    Ok(view)
}

/// Deletes an account with all its metrics, posts, audience rows and archived responses,
/// and its token. Irreversible (the UI confirms first). Errors: `not_found`.
#[tauri::command]
#[specta::specta]
pub async fn delete_account(state: State<'_, AppState>, account_id: AccountId) -> IpcResult<()> {
    {
        let guard = state.workspace.read().await;
        let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
        open.ws.delete_account(account_id).await?;
    }
    state.refresh_problems().await;
    Ok(())
}

/// Connects a WhatsApp Business Account with a system-user access token (Business
/// settings → System users; permissions whatsapp_business_management and
/// whatsapp_business_messaging) and its WABA id: the token is checked with one API call,
/// then kept in the vault. Opens the own workspace first when none is open.
/// Errors: `invalid_input` (empty), `oauth` (the token was refused), `vault_locked`, `io`.
#[tauri::command]
#[specta::specta]
pub async fn connect_whatsapp(state: State<'_, AppState>, waba_id: String, token: String) -> IpcResult<AccountView> {
    let waba_id = waba_id.trim().to_string();
    let token = token.trim().to_string();
    if waba_id.is_empty() || !waba_id.chars().all(|c| c.is_ascii_digit()) {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            "the WhatsApp Business Account id is a number (WhatsApp Manager → Account tools)",
        ));
    }
    if token.is_empty() {
        return Err(IpcError::new(ErrorCode::InvalidInput, "the access token is empty"));
    }
    let _busy = hold_busy(&state)?;
    ensure_workspace(&state).await?;
    let view = {
        let guard = state.workspace.read().await;
        let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
        let account = open.ws.connect_whatsapp(SecretString::from(token), &waba_id).await?;
        account_view(open, AccountId(account.id)).await?
    };
    state.refresh_problems().await;
    Ok(view)
}

/// Connects a Bluesky account with its handle and an app password (Settings → Privacy and
/// security → App passwords; never the account password, which is refused): one
/// `createSession`, then the session tokens are kept in the vault and the app password is
/// dropped. Opens the own workspace first when none is open.
/// Errors: `invalid_input` (empty handle or password), `oauth` (refused), `vault_locked`, `io`.
#[tauri::command]
#[specta::specta]
pub async fn connect_bluesky(
    state: State<'_, AppState>,
    handle: String,
    app_password: String,
) -> IpcResult<AccountView> {
    let handle = handle.trim().to_string();
    let app_password = app_password.trim().to_string();
    if handle.is_empty() {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            "type the Bluesky handle (alice.bsky.social)",
        ));
    }
    if app_password.is_empty() {
        return Err(IpcError::new(ErrorCode::InvalidInput, "the app password is empty"));
    }
    let _busy = hold_busy(&state)?;
    ensure_workspace(&state).await?;
    let view = {
        let guard = state.workspace.read().await;
        let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
        let account = open
            .ws
            .connect_bluesky(&handle, SecretString::from(app_password))
            .await?;
        account_view(open, AccountId(account.id)).await?
    };
    state.refresh_problems().await;
    Ok(view)
}

/// Signs in to a Bluesky account with AT Protocol OAuth in the system browser (PAR + PKCE
/// S256 + DPoP; loopback redirect on 127.0.0.1 with a free port; the localhost development
/// client id, so nothing has to be registered or hosted). The DPoP-bound tokens and their
/// key go to the vault. The demo workspace's sandbox approves by itself. Opens the own
/// workspace first when none is open.
/// Errors: `invalid_input` (empty handle), `not_found` (unknown handle), `oauth` (consent
/// denied, timed out, refused), `vault_locked`, `io`.
#[tauri::command]
#[specta::specta]
pub async fn connect_bluesky_oauth(
    app: AppHandle,
    state: State<'_, AppState>,
    handle: String,
) -> IpcResult<AccountView> {
    let handle = handle.trim().to_string();
    if handle.is_empty() {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            "type the Bluesky handle (alice.bsky.social)",
        ));
    }
    let _busy = hold_busy(&state)?;
    ensure_workspace(&state).await?;
    let view = {
        let guard = state.workspace.read().await;
        let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
        let browser = RecordingBrowser::new(state.pending_redirect.clone(), open.kind == WorkspaceKind::Demo);
        let account = open
            .ws
            .connect_bluesky_oauth(
                &handle,
                None,
                0,
                &browser,
                alcance_app::oauth::DEFAULT_AUTHORIZE_TIMEOUT,
            )
            .await?;
        account_view(open, AccountId(account.id)).await?
    };
    state.refresh_problems().await;
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.set_focus();
    }
    Ok(view)
}

/// Connects a Threads account with a long-lived token pasted from Meta's User Token
/// Generator (app dashboard → Use cases → Threads API → Settings): the token is checked
/// with `GET /me`, then kept in the vault and refreshed once a day old. Opens the own
/// workspace first when none is open.
/// Errors: `invalid_input` (empty), `oauth` (the token was refused), `vault_locked`, `io`.
#[tauri::command]
#[specta::specta]
pub async fn connect_threads_token(state: State<'_, AppState>, token: String) -> IpcResult<AccountView> {
    let token = token.trim().to_string();
    if token.is_empty() {
        return Err(IpcError::new(ErrorCode::InvalidInput, "the Threads token is empty"));
    }
    let _busy = hold_busy(&state)?;
    ensure_workspace(&state).await?;
    let view = {
        let guard = state.workspace.read().await;
        let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
        let account = open.ws.connect_threads_token(SecretString::from(token)).await?;
        account_view(open, AccountId(account.id)).await?
    };
    state.refresh_problems().await;
    Ok(view)
}

/// What [`connect_threads`] needs: the Threads app and the HTTPS page that hands the code
/// back (`docs/threads-callback/index.html`, hosted by the user and registered as the
/// app's redirect URI).
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct ThreadsConnectRequest {
    /// The Threads app ID (not the Meta app ID).
    pub client_id: String,
    /// The Threads app secret (both token calls need it). Kept in the vault for renewals;
    /// never stored in SQLite or logged.
    pub client_secret: String,
    /// The hosted callback page's HTTPS URL, exactly as registered with the app.
    pub redirect_uri: String,
}

/// Connects a Threads account through the browser: opens Threads' consent page with the
/// hosted HTTPS callback page as redirect URI, waits (5 minutes) for that page to hand the
/// code back through `alcance://threads/callback?code=…&state=…` (the `state` is checked),
/// then exchanges it (code → 1 h token → 60-day token) and stores the account.
/// Errors: `invalid_input` (empty id or secret, a redirect URI that is not HTTPS, another
/// Threads sign-in in progress), `oauth` (consent refused or timed out, wrong state, the
/// code refused), `vault_locked`, `io`.
#[tauri::command]
#[specta::specta]
pub async fn connect_threads(
    app: AppHandle,
    state: State<'_, AppState>,
    request: ThreadsConnectRequest,
) -> IpcResult<AccountView> {
    let invalid = |m: &str| IpcError::new(ErrorCode::InvalidInput, m);
    let client_id = request.client_id.trim().to_string();
    let secret = request.client_secret.trim().to_string();
    let redirect = request.redirect_uri.trim().to_string();
    if client_id.is_empty() || secret.is_empty() {
        return Err(invalid("the Threads app ID and secret are both needed"));
    }
    if !url::Url::parse(&redirect).is_ok_and(|u| u.scheme() == "https") {
        return Err(invalid(
            "Threads accepts only an HTTPS redirect URI: the address where you host docs/threads-callback/index.html",
        ));
    }
    let _busy = hold_busy(&state)?;
    ensure_workspace(&state).await?;
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    let provider = open.ws.provider(Platform::Threads)?;
    let oauth_app = OAuthApp {
        platform: Platform::Threads,
        client_id,
        client_secret: Some(SecretString::from(secret)),
        scopes: provider.default_scopes.clone(),
        redirect: RedirectConfig::default(),
    };
    let authorize =
        alcance_app::oauth::AuthorizeRequest::new(&oauth_app, &provider, &redirect).map_err(AppError::from)?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    {
        let mut pending = state
            .pending_threads
            .lock()
            .map_err(|_| invalid("the Threads sign-in state is unavailable"))?;
        if pending.as_ref().is_some_and(|p| !p.tx.is_closed()) {
            return Err(invalid("a Threads sign-in is already waiting for its callback"));
        }
        *pending = Some(crate::oauth_bridge::PendingThreads {
            state: authorize.state().to_string(),
            tx,
        });
    }
    use alcance_app::oauth::BrowserOpener;
    alcance_app::oauth::SystemBrowser
        .open(&authorize.url)
        .map_err(AppError::from)?;
    let waited = tokio::time::timeout(alcance_app::oauth::DEFAULT_AUTHORIZE_TIMEOUT, rx).await;
    if let Ok(mut p) = state.pending_threads.lock() {
        p.take();
    }
    let code =
        match waited {
            Ok(Ok(Ok(code))) => code,
            Ok(Ok(Err(message))) => return Err(AppError::from(PlatformError::OAuth { message }).into()),
            _ => return Err(AppError::from(PlatformError::OAuth {
                message:
                    "no Threads callback arrived within 5 minutes (is the callback page hosted at the redirect URI?)"
                        .into(),
            })
            .into()),
        };
    let account = open.ws.connect_threads_authorized(&oauth_app, authorize, &code).await?;
    if let Err(e) = open
        .ws
        .store()
        .save_app_credentials(Platform::Threads, &oauth_app.client_id, &redirect, true)
        .await
    {
        tracing::warn!(error = %e, "saving the developer-app settings failed");
    }
    let view = account_view(open, AccountId(account.id)).await?;
    drop(guard);
    state.refresh_problems().await;
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.set_focus();
    }
    Ok(view)
}

/// Connects an account: OAuth 2.0 authorization code + PKCE in the system browser (the
/// demo workspace's sandbox approves by itself), loopback redirect on 127.0.0.1 (a deep
/// link `alcance://oauth/callback?code&state` is forwarded to it), then the account is
/// stored and its token kept in the vault. Facebook Login connects every Page the user
/// manages (long-lived token exchange, needs the app secret) and returns the first.
/// WhatsApp connects with [`connect_whatsapp`], Bluesky with [`connect_bluesky`] instead.
/// Opens the own workspace first when
/// none is open.
#[tauri::command]
#[specta::specta]
pub async fn connect_account(
    app: AppHandle,
    state: State<'_, AppState>,
    request: ConnectRequest,
) -> IpcResult<AccountView> {
    let platform = request.platform;
    if request.client_id.trim().is_empty() {
        return Err(IpcError::new(ErrorCode::InvalidInput, "the client id is empty"));
    }
    let _busy = hold_busy(&state)?;
    ensure_workspace(&state).await?;
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
    let timeout = alcance_app::oauth::DEFAULT_AUTHORIZE_TIMEOUT;
    let result = if platform == Platform::Facebook {
        // Facebook Login connects the user's Pages (each its own account, with its Page
        // token); the first one is returned, the others appear in the list.
        open.ws
            .connect_facebook(&oauth_app, &browser, timeout)
            .await
            .and_then(|pages| {
                pages.into_iter().next().ok_or_else(|| {
                    AppError::Other(anyhow::anyhow!("this Facebook user manages no Page Alcance can read"))
                })
            })
    } else {
        open.ws.connect(&oauth_app, &browser, timeout).await
    };
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
    let view = account_view(open, AccountId(account.id)).await?;
    drop(guard);
    state.refresh_problems().await;
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.set_focus();
    }
    Ok(view)
}

/// How long [`connect_account`] waits for consent, for the docs.
pub const CONNECT_TIMEOUT: Duration = alcance_app::oauth::DEFAULT_AUTHORIZE_TIMEOUT;

/// Follows a public profile (an influencer, a competitor) by its handle with the token of
/// the owned account `owner_account_id` of the same platform, and returns it as the
/// accounts screen shows it (`connection` `tracked`, collected with the owner's token).
/// `platform` is `x` (user lookup) or `instagram` (business discovery: Business and
/// Creator accounts only); `username` the handle, with or without `@`. Following the same
/// profile again returns the same account.
/// Errors: `invalid_input` (Facebook, WhatsApp or TikTok, whose APIs do
/// not allow following profiles the user does not manage; an illegal handle; an owner that
/// is not a connected, non-disconnected account of the platform with a token; the user's
/// own account), `not_found` (no such owner, or no profile has this handle), `oauth` (the
/// platform refused the lookup or the owner's token), `vault_locked`, `no_workspace`.
#[tauri::command]
#[specta::specta]
pub async fn track_profile(
    state: State<'_, AppState>,
    platform: Platform,
    username: String,
    owner_account_id: AccountId,
) -> IpcResult<AccountView> {
    alcance_app::Workspace::track_handle(platform, &username)
        .map_err(|e| IpcError::new(ErrorCode::InvalidInput, e.message()))?;
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    open.ws
        .track_owner(platform, owner_account_id)
        .await
        .map_err(track_error)?;
    let account = open
        .ws
        .track_by_username(platform, &username, owner_account_id)
        .await
        .map_err(track_error)?;
    account_view(open, AccountId(account.id)).await
}

/// The error of [`track_profile`] once the platform and the handle are checked: an
/// unknown handle ([`PlatformError::NotFound`]) is `not_found`; typed causes map as
/// everywhere (other platform errors `oauth`, a missing owner `not_found`, a locked vault
/// `vault_locked`); what is left without a typed cause is a refusal of the request itself
/// (an unusable owner, the user's own account): `invalid_input`.
fn track_error(e: AppError) -> IpcError {
    let unknown_handle = matches!(e.root(), AppError::Platform(PlatformError::NotFound { .. }));
    let mut ipc = IpcError::from(e);
    if unknown_handle {
        ipc.code = ErrorCode::NotFound;
    } else if ipc.code == ErrorCode::Internal {
        ipc.code = ErrorCode::InvalidInput;
    }
    ipc
}

/// Every export format, in display order, from `alcance-report`'s one list: key (`csv`,
/// `json`, `xlsx`), English label, file extension and MIME type. Needs no workspace; never
/// fails.
#[tauri::command]
#[specta::specta]
pub async fn export_formats() -> IpcResult<Vec<views::ExportFormatView>> {
    Ok(views::export_formats())
}

/// Every platform Alcance connects to, in display order, from the platform registry: key,
/// label, connect form (`oauth_loopback`, `facebook_pages`, `access_token`), English help,
/// developer portal, scopes, redirect URI, default port, whether a secret is asked for and
/// whether public profiles can be followed. Needs no workspace; never fails.
#[tauri::command]
#[specta::specta]
pub async fn platforms() -> IpcResult<Vec<alcance_app::PlatformInfo>> {
    Ok(alcance_app::Workspace::platforms())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_steps_become_keys() {
        assert_eq!(
            classify_step("Starting the sandbox"),
            (DemoStep::Sandbox, String::new())
        );
        assert_eq!(
            classify_step("Connecting X (OAuth 2.0 + PKCE, loopback redirect)"),
            (DemoStep::Connect, "X".into())
        );
        assert_eq!(
            classify_step("Tracking Instagram ana.influencer"),
            (DemoStep::Track, "Instagram ana.influencer".into())
        );
        assert_eq!(classify_step("Rendering charts"), (DemoStep::Charts, String::new()));
        assert_eq!(
            classify_step("Writing CSV, JSON and XLSX exports"),
            (DemoStep::Exports, String::new())
        );
        assert_eq!(
            classify_step("Something new"),
            (DemoStep::Other, "Something new".into())
        );
        assert_eq!(
            serde_json::to_value(DemoStep::Exports).ok(),
            Some(serde_json::json!("exports"))
        );
    }

    #[test]
    fn cadences_are_checked() {
        assert_eq!(parse_cadence(CadenceKind::Hourly, None).ok(), Some(Cadence::Hourly));
        assert_eq!(parse_cadence(CadenceKind::Weekly, Some(3)).ok(), Some(Cadence::Weekly));
        assert_eq!(
            parse_cadence(CadenceKind::Custom, Some(6)).ok(),
            Some(Cadence::Custom { seconds: 21_600 })
        );
        for (cadence, hours) in [
            (CadenceKind::Custom, None),
            (CadenceKind::Custom, Some(0)),
            (CadenceKind::Custom, Some(9000)),
        ] {
            assert_eq!(
                parse_cadence(cadence, hours).err().map(|e| e.code),
                Some(ErrorCode::InvalidInput),
                "{cadence} {hours:?}"
            );
        }
        // An unknown cadence never reaches the command: the IPC argument is a `CadenceKind`.
        assert!(serde_json::from_str::<CadenceKind>(r#""monthly""#).is_err());
    }

    #[test]
    fn tracking_errors_get_the_code_the_ui_branches_on() {
        let unknown = AppError::from(PlatformError::NotFound {
            message: "Could not find user".into(),
        })
        .context("no X account is named @nobody");
        let e = track_error(unknown);
        assert_eq!(e.code, ErrorCode::NotFound);
        assert!(
            e.message.starts_with("no X account is named @nobody: "),
            "{}",
            e.message
        );
        let refused = AppError::from(PlatformError::Unauthorized {
            message: "refresh token revoked".into(),
        })
        .context("the token of @alcance_br (X) was refused");
        assert_eq!(track_error(refused).code, ErrorCode::Oauth);
        let owner = AppError::from(alcance_app::StoreError::NotFound { what: "account", id: 9 });
        assert_eq!(track_error(owner).code, ErrorCode::NotFound);
        let own = AppError::from(anyhow::anyhow!("@alcance_br is one of your connected X accounts"));
        assert_eq!(track_error(own).code, ErrorCode::InvalidInput);
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
