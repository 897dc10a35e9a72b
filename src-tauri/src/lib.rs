//! The Alcance desktop shell: a Tauri 2 window over `alcance-app`. Commands stay thin
//! ([`commands`]); the tray ([`tray`]) keeps syncing while the window is hidden; deep links
//! (`alcance://`) and a second launch are routed to the running instance; notifications
//! tell about re-authorization and failed runs; autostart is opt-in.
//!
//! Environment: `ALCANCE_DATA_DIR` overrides the data folder (tests), `ALCANCE_DEMO_DAYS`
//! the demo's days of collection, `ALCANCE_VAULT_PASSPHRASE` unlocks the own workspace's
//! encrypted vault file when no keychain exists, `RUST_LOG` filters the log (stderr).

pub mod campaigns;
pub mod commands;
pub mod comments;
pub mod compare;
pub mod competitors;
pub mod delivery;
pub mod error;
pub mod hashtags;
pub mod imports;
pub mod local_api;
pub mod media;
pub mod oauth_bridge;
pub mod privacy;
pub mod reports;
pub mod state;
pub mod team;
pub mod tray;
pub mod window;

use crate::error::{ErrorCode, IpcError, IpcResult};
use crate::state::{AppState, Language, SyncNotice, SyncStatus, WorkspaceKind};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use tauri::{AppHandle, Manager, RunEvent, WindowEvent};
use tauri_specta::Event as _;

/// Sent to the UI whenever the sync status changes (a run started or ended, pause,
/// resume), so screens can refresh.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct SyncChanged {
    /// The new status.
    pub status: SyncStatus,
}

/// The command and event list, shared by the app and the bindings export.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(tauri_specta::collect_commands![
            commands::app_status,
            commands::save_settings,
            commands::local_api_status,
            commands::set_local_api,
            commands::new_local_api_token,
            commands::team_server,
            commands::connect_team_server,
            commands::leave_team_server,
            commands::team_request,
            commands::team_download,
            commands::open_demo,
            commands::open_workspace,
            commands::dashboard,
            commands::list_posts,
            commands::list_runs,
            commands::list_run_events,
            commands::list_accounts,
            commands::export_data,
            commands::export_formats,
            commands::show_in_folder,
            commands::open_link,
            commands::sync_now,
            commands::set_sync_paused,
            commands::cancel_run,
            commands::set_cadence,
            commands::disconnect_account,
            commands::delete_account,
            commands::connect_whatsapp,
            commands::connect_bluesky,
            commands::connect_bluesky_oauth,
            commands::connect_account,
            commands::track_profile,
            commands::platforms,
            commands::connect_threads_token,
            commands::connect_threads,
            campaigns::list_campaigns,
            campaigns::get_campaign,
            campaigns::create_campaign,
            campaigns::update_campaign,
            campaigns::delete_campaign,
            campaigns::set_campaign_account,
            campaigns::remove_campaign_account,
            campaigns::campaign_report,
            campaigns::archive_campaign,
            campaigns::unarchive_campaign,
            campaigns::add_posts_to_campaigns,
            campaigns::remove_campaign_post,
            campaigns::campaign_posts,
            campaigns::campaign_trend,
            campaigns::add_campaign_cost,
            campaigns::add_campaign_conversion,
            campaigns::import_campaign_costs,
            campaigns::import_campaign_conversions,
            campaigns::preview_post_rule,
            privacy::privacy_status,
            privacy::grant_audience_consent,
            privacy::withdraw_audience_consent,
            privacy::set_raw_retention,
            privacy::export_account,
            reports::report_preview,
            reports::save_report,
            // Scheduled delivery (the Reports screen's card).
            delivery::list_report_schedules,
            delivery::add_report_schedule,
            delivery::set_report_schedule_enabled,
            delivery::remove_report_schedule,
            delivery::deliver_report_now,
            delivery::mail_settings,
            delivery::set_mail_settings,
            delivery::sheets_connection,
            delivery::connect_sheets,
            delivery::disconnect_sheets,
            // The posts' pictures kept in the workspace (issue 13 point 3).
            media::post_picture,
            // Issue 13 point 2: the Compare screen.
            compare::compare_accounts,
            compare::save_comparison,
            // Issue 17 point 2: the Hashtags screen.
            hashtags::own_hashtags,
            hashtags::tracked_hashtags,
            hashtags::track_hashtag,
            hashtags::untrack_hashtag,
            hashtags::hashtag_detail,
            hashtags::set_x_bearer,
            // Issue 17 point 1: the Competitors screen.
            competitors::list_competitors,
            competitors::add_competitor,
            competitors::remove_competitor,
            competitors::set_competitor_cadence,
            competitors::add_voice_term,
            competitors::remove_voice_term,
            competitors::competitors_view,
            competitors::save_competitors,
            imports::preview_import_csv,
            imports::import_export,
            imports::list_imports,
            comments::list_comments,
            comments::comment_counts,
            comments::sentiment_summary,
        ])
        .events(tauri_specta::collect_events![SyncChanged])
        // Every error code, so the UI checks received codes against the backend's list.
        .constant("ERROR_CODES", alcance_app::ErrorCode::ALL)
        .error_handling(tauri_specta::ErrorHandlingMode::Throw)
}

/// The TypeScript bindings (`ui/src/lib/bindings.ts`): generated, committed, checked by a
/// test. Regenerate with `UPDATE_BINDINGS=1 cargo test -p alcance-desktop bindings`.
pub fn typescript_bindings() -> Result<String, specta_typescript::ExportError> {
    let ts = specta_typescript::Typescript::default()
        .bigint(specta_typescript::BigIntExportBehavior::Number)
        .header("// Generated from src-tauri by tauri-specta. Do not edit: regenerate with\n// `UPDATE_BINDINGS=1 cargo test -p alcance-desktop bindings`.\n/* eslint-disable */\n// @ts-nocheck\n");
    specta_builder().export_str(ts)
}

/// The committed bindings file.
pub fn bindings_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts")
}

/// Shows, unminimizes and focuses the main window, building it again when it was closed
/// ([`window::show`]).
pub fn show_main(app: &AppHandle) {
    window::show(app);
}

/// Registers or removes the login item.
pub fn apply_autostart(app: &AppHandle, enabled: bool) -> IpcResult<()> {
    use tauri_plugin_autostart::ManagerExt;
    let launcher = app.autolaunch();
    let result = if enabled { launcher.enable() } else { launcher.disable() };
    result.map_err(|e| IpcError::new(ErrorCode::Io, format!("changing start at login: {e}")))
}

/// Tells the UI the sync status changed.
pub async fn emit_sync(app: &AppHandle) {
    let status = app.state::<AppState>().sync_status().await;
    if let Err(e) = (SyncChanged { status }).emit(app) {
        tracing::debug!(error = %e, "emitting the sync status failed");
    }
}

/// Hands the allocator's free memory back to the system (`malloc_trim`, ADR 0020) on a
/// blocking thread, off the event loop: after a collection run and when the window closes,
/// so the tray idles at the core's live memory rather than its last peak.
pub fn release_memory() {
    tauri::async_runtime::spawn_blocking(|| {
        let released = alcance_app::memory::release_free_memory();
        tracing::debug!(released, "free memory released");
    });
}

/// Reacts to a sync change from the scheduler: the UI and the tray are refreshed;
/// re-authorization and failed runs become desktop notifications in the UI's language.
pub async fn on_sync_notice(app: &AppHandle, notice: SyncNotice) {
    let language = app.state::<AppState>().settings.lock().await.language;
    match notice {
        SyncNotice::Changed => {
            emit_sync(app).await;
            tray::refresh(app).await;
        }
        SyncNotice::NeedsReauth(who) => notify(app, &self::notice(language, Notice::Reauth(&who))),
        SyncNotice::RunFailed(0) => notify(app, &self::notice(language, Notice::RunError)),
        SyncNotice::RunFailed(n) => notify(app, &self::notice(language, Notice::Failed(n))),
    }
}

/// A notification's subject.
enum Notice<'a> {
    /// Accounts (handles) to reconnect.
    Reauth(&'a str),
    /// This many accounts failed.
    Failed(usize),
    /// A run could not be recorded at all.
    RunError,
}

/// Title and body of a notification in `language`.
fn notice(language: Language, n: Notice<'_>) -> (String, String) {
    match (language, n) {
        (Language::En, Notice::Reauth(who)) => (
            "Reconnect your account".into(),
            format!("The platform refused the token of {who}. Open Alcance → Accounts to reconnect."),
        ),
        (Language::PtBr, Notice::Reauth(who)) => (
            "Reconecte sua conta".into(),
            format!("A plataforma recusou o token de {who}. Abra o Alcance → Contas para reconectar."),
        ),
        (Language::En, Notice::Failed(n)) => (
            "Collection failed".into(),
            format!("{n} account(s) could not be collected. See Alcance → Runs."),
        ),
        (Language::PtBr, Notice::Failed(n)) => (
            "Falha na coleta".into(),
            format!("{n} conta(s) não puderam ser coletadas. Veja Alcance → Execuções."),
        ),
        (Language::En, Notice::RunError) => (
            "Collection failed".into(),
            "A collection could not run. See Alcance → Runs and the log.".into(),
        ),
        (Language::PtBr, Notice::RunError) => (
            "Falha na coleta".into(),
            "Uma coleta não pôde ser executada. Veja Alcance → Execuções e o log.".into(),
        ),
    }
}

fn notify(app: &AppHandle, (title, body): &(String, String)) {
    use tauri_plugin_notification::NotificationExt;
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!(error = %e, "showing a notification failed");
    }
}

/// Handles `alcance://` links: OAuth callbacks go straight to the flow waiting on the
/// pending loopback redirect, Threads callbacks (`alcance://threads/callback`) to the
/// waiting Threads sign-in with their `state` checked; any link brings the window up.
fn handle_deep_links(app: &AppHandle, urls: Vec<url::Url>) {
    show_main(app);
    let pending = app
        .state::<AppState>()
        .pending_redirect
        .lock()
        .ok()
        .and_then(|p| p.clone());
    for link in urls {
        if let Some(cb) = oauth_bridge::threads_callback(&link) {
            let threads = app.state::<AppState>().pending_threads.clone();
            oauth_bridge::deliver_threads(&threads, cb);
            continue;
        }
        match oauth_bridge::route(&link, pending.as_ref()) {
            oauth_bridge::DeepLink::OAuthCallback(target) => {
                oauth_bridge::deliver(&target);
            }
            oauth_bridge::DeepLink::NoPendingFlow => {
                tracing::warn!("an OAuth deep link arrived with no sign-in in progress");
            }
            oauth_bridge::DeepLink::Open => {}
        }
    }
}

/// The data folder: `ALCANCE_DATA_DIR`, else the OS app-data folder.
fn data_dir(app: &AppHandle) -> PathBuf {
    if let Some(dir) = std::env::var_os("ALCANCE_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    app.path()
        .app_data_dir()
        .unwrap_or_else(|_| std::env::temp_dir().join("alcance"))
}

/// Reopens the last workspace (which starts its scheduler).
async fn start_background(app: AppHandle) {
    let state = app.state::<AppState>();
    let last = state.settings.lock().await.last_workspace;
    let reopened = match last {
        Some(WorkspaceKind::Demo) => state.reopen_demo().await.map(|_| ()),
        Some(WorkspaceKind::Own) => {
            let pass = std::env::var("ALCANCE_VAULT_PASSPHRASE")
                .ok()
                .filter(|p| !p.is_empty())
                .map(secrecy::SecretString::from);
            state.open_own(pass).await
        }
        None => Ok(()),
    };
    if let Err(e) = reopened {
        tracing::warn!(error = %format!("{e:#}"), "reopening the last workspace failed");
    }
    emit_sync(&app).await;
    tray::refresh(&app).await;
}

/// Starts the desktop app.
pub fn run() {
    // Before any thread starts (ADR 0020): freed memory goes back instead of staying in
    // the arenas of threads that ran once.
    let malloc = alcance_app::memory::tune();
    // Started at login (`--minimized`): the tray only, no webview until Open.
    let minimized = std::env::args().any(|a| a == "--minimized");
    // GTK 3 on X11 probes GLX for its visuals when it starts, which can map Mesa's driver
    // and LLVM into the process: 52 MiB RSS under Xvfb here, which a tray-only start has
    // no use for (docs/PERFORMANCE.md, "the tray after session 25"). A window opened later from the
    // tray is then composited without GL (WebKit's web process still renders it). Set
    // before GTK starts, while no other thread runs; the user's own `GDK_GL` wins.
    #[cfg(target_os = "linux")]
    if minimized && std::env::var_os("GDK_GL").is_none() {
        std::env::set_var("GDK_GL", "disable");
    }
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,alcance=info,alcance_desktop_lib=info")),
        )
        .try_init();
    tracing::debug!(?malloc, "glibc allocator");
    let specta = specta_builder();
    let handler = specta.invoke_handler();
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| show_main(app)))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec!["--minimized"]),
        ))
        .invoke_handler(handler)
        .setup(move |app| {
            specta.mount_events(app);
            let handle = app.handle().clone();
            let notices = handle.clone();
            let state = AppState::with_notifier(
                data_dir(&handle),
                std::sync::Arc::new(move |notice| {
                    let app = notices.clone();
                    tauri::async_runtime::spawn(async move { on_sync_notice(&app, notice).await });
                }),
            );
            let (language, last) = tauri::async_runtime::block_on(async {
                let settings = state.settings.lock().await;
                (settings.language, settings.last_workspace)
            });
            // The tray process (`alcance tray`, ADR 0021) holds the scheduler lock of the
            // workspace this window reopens: the tray icon is its, not this window's.
            let tray_elsewhere = last.is_some_and(|kind| {
                alcance_app::scheduler_lock::SchedulerLock::is_held_elsewhere(&state.workspace_dir(kind))
                    .unwrap_or(false)
            });
            app.manage(state);
            app.manage(window::LastRoute::default());
            if tray_elsewhere {
                tracing::info!("the tray process shows the tray icon and schedules collection");
            } else if let Err(e) = tray::install(&handle, language) {
                // No tray (no StatusNotifier host): the window still works.
                tracing::warn!(error = %e, "the system tray is not available");
            }
            if !minimized {
                window::build(&handle, None)?;
            }
            {
                use tauri_plugin_deep_link::DeepLinkExt;
                #[cfg(all(not(debug_assertions), any(target_os = "linux", windows)))]
                if std::env::var_os("ALCANCE_DATA_DIR").is_none() {
                    // Off the start path: on Linux it writes a .desktop file and runs
                    // update-desktop-database and xdg-mime, which the first screen need not wait for.
                    let app = handle.clone();
                    std::thread::spawn(move || {
                        if let Err(e) = app.deep_link().register_all() {
                            tracing::warn!(error = %e, "registering the alcance:// scheme failed");
                        }
                    });
                }
                let links = handle.clone();
                app.deep_link()
                    .on_open_url(move |event| handle_deep_links(&links, event.urls()));
                if let Ok(Some(urls)) = app.deep_link().get_current() {
                    handle_deep_links(&handle, urls);
                }
            }
            tauri::async_runtime::spawn(start_background(handle));
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window keeps Alcance in the tray, where sync goes on: the window
            // and its webview go (WebKit's web process with them), the screen it showed is
            // remembered for Open.
            match event {
                WindowEvent::CloseRequested { .. } if window.label() == window::MAIN => {
                    window::remember(window.app_handle());
                }
                // What the window and its webview held is free: the tray keeps only the core.
                WindowEvent::Destroyed if window.label() == window::MAIN => release_memory(),
                _ => {}
            }
        })
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|app, event| match event {
            // The last window closed (`code` is `None`; Quit sets one): the tray lives on.
            RunEvent::ExitRequested { code: None, api, .. } if app.tray_by_id("main").is_some() => {
                api.prevent_exit();
            }
            RunEvent::Exit => {
                let app = app.clone();
                tauri::async_runtime::block_on(async move {
                    app.state::<AppState>().close_workspace().await;
                });
            }
            _ => {}
        }),
        Err(e) => {
            eprintln!("alcance desktop failed to start: {e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed TypeScript bindings match the Rust commands and types. Set
    /// `UPDATE_BINDINGS=1` to rewrite them.
    #[test]
    fn bindings_are_current() {
        let generated = typescript_bindings().unwrap_or_else(|e| panic!("exporting the bindings: {e}"));
        let path = bindings_path();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &generated).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "{} is stale: run `UPDATE_BINDINGS=1 cargo test -p alcance-desktop bindings` and commit it",
            path.display()
        );
        for name in [
            "dashboard",
            "openDemo",
            "exportData",
            "IpcError",
            "DashboardView",
            "syncChanged",
        ] {
            assert!(generated.contains(name), "{name} missing from the bindings");
        }
    }

    /// The webview runs only the app's own code and reaches only the IPC bridge: the
    /// content security policy allows no inline or remote script, no network origin, no
    /// plugin objects, no framing and no form posts; the window's capability grants no
    /// plugin command (plugins are driven from Rust). The top-level tauri.conf.json is the
    /// same file as src-tauri's. See docs/SECURITY.md.
    #[test]
    fn the_webview_is_locked_down() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let read = |path: &std::path::Path| -> serde_json::Value {
            let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        };
        let conf = read(&root.join("tauri.conf.json"));
        assert_eq!(
            conf,
            read(&root.join("../tauri.conf.json")),
            "the two tauri.conf.json differ"
        );
        let csp = &conf["app"]["security"]["csp"];
        let directive = |name: &str| csp[name].as_str().unwrap_or_else(|| panic!("no {name} in the CSP"));
        assert_eq!(directive("default-src"), "'self'");
        assert_eq!(directive("script-src"), "'self'");
        assert_eq!(directive("connect-src"), "ipc: http://ipc.localhost");
        for (name, value) in [
            ("object-src", "'none'"),
            ("base-uri", "'none'"),
            ("form-action", "'none'"),
            ("frame-ancestors", "'none'"),
        ] {
            assert_eq!(directive(name), value);
        }
        let all: Vec<&str> = csp
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(_, v)| v.as_str())
            .collect();
        for word in ["'unsafe-eval'", "http:", "https:", "*"] {
            assert!(
                all.iter().all(|v| !v.split_whitespace().any(|w| w == word)),
                "{word} in the CSP: {csp}"
            );
        }
        assert!(!directive("script-src").contains("unsafe-inline"));
        let capability = read(&root.join("capabilities/default.json"));
        assert_eq!(
            capability["permissions"],
            serde_json::json!(["core:event:allow-listen", "core:event:allow-unlisten"])
        );
        assert_eq!(capability["windows"], serde_json::json!(["main"]));
    }

    /// The tray process (`alcance tray`) finds the desktop's data folder through
    /// `alcance_app::shell::data_dir`, which names it after the identifier here.
    #[test]
    fn the_tray_process_knows_the_desktops_identifier() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(root.join("tauri.conf.json")).unwrap_or_default();
        let conf: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(conf["identifier"], alcance_app::shell::APP_ID);
    }

    #[test]
    fn notices_are_translated() {
        let (title, body) = notice(Language::PtBr, Notice::Reauth("@acme"));
        assert_eq!(title, "Reconecte sua conta");
        assert!(body.contains("@acme"));
        let (title, body) = notice(Language::En, Notice::Failed(2));
        assert_eq!(title, "Collection failed");
        assert!(body.starts_with("2 account(s)"));
    }
}
