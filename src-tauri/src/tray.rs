//! The system tray: a status line, Sync now, Pause / Resume, Open, Quit. Sync goes on in
//! the tray while the window is hidden. Labels follow the UI language; the words and the
//! status line are alcance-app's ([`alcance_app::tray`]), shared with the tray process
//! (`alcance tray`, ADR 0021), whose scheduler lock, when held, keeps this tray away.

use crate::state::{AppState, Language};
use alcance_app::tray::{menu, text, TrayAction, TrayEntry};
use chrono::Utc;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Wry};

/// The tray's menu items that change at run time.
pub struct TrayItems {
    status: MenuItem<Wry>,
    sync: MenuItem<Wry>,
    pause: MenuItem<Wry>,
    open: MenuItem<Wry>,
    quit: MenuItem<Wry>,
}

/// Builds the tray and manages its [`TrayItems`].
pub fn install(app: &AppHandle, language: Language) -> tauri::Result<()> {
    let t = text(language);
    let items = TrayItems {
        status: MenuItem::with_id(app, "status", t.no_workspace, false, None::<&str>)?,
        sync: MenuItem::with_id(app, "sync", t.sync_now, true, None::<&str>)?,
        pause: MenuItem::with_id(app, "pause", t.pause, true, None::<&str>)?,
        open: MenuItem::with_id(app, "open", t.open, true, None::<&str>)?,
        quit: MenuItem::with_id(app, "quit", t.quit, true, None::<&str>)?,
    };
    let menu = Menu::with_items(
        app,
        &[
            &items.status,
            &PredefinedMenuItem::separator(app)?,
            &items.sync,
            &items.pause,
            &items.open,
            &PredefinedMenuItem::separator(app)?,
            &items.quit,
        ],
    )?;
    let mut builder = TrayIconBuilder::with_id("main")
        .tooltip("Alcance")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| {
            let app = app.clone();
            match event.id().as_ref() {
                "sync" => {
                    tauri::async_runtime::spawn(async move {
                        let state = app.state::<AppState>();
                        if let Err(e) = state.sync_now().await {
                            tracing::warn!(error = %format!("{e:#}"), "sync from the tray failed");
                        }
                    });
                }
                "pause" => {
                    tauri::async_runtime::spawn(async move {
                        let state = app.state::<AppState>();
                        let paused = !state.sync_status().await.paused;
                        if let Err(e) = state.set_paused(paused).await {
                            tracing::warn!(error = %e, "pausing from the tray failed");
                        }
                    });
                }
                "open" => crate::show_main(&app),
                "quit" => app.exit(0),
                _ => {}
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    app.manage(items);
    Ok(())
}

/// Updates the tray's labels from the current state and language.
pub async fn refresh(app: &AppHandle) {
    let Some(items) = app.try_state::<TrayItems>() else {
        return;
    };
    let state = app.state::<AppState>();
    let (language, zone) = {
        let settings = state.settings.lock().await;
        (settings.language, settings.display_zone())
    };
    let has_workspace = state.workspace.read().await.is_some();
    let sync = state.sync_status().await;
    // The words and which entries can be chosen are the shared menu's (the tray process
    // shows the same one); this tray only maps its entries onto its fixed items.
    for entry in menu(&text(language), has_workspace, &sync, Utc::now(), zone) {
        let result = match entry {
            TrayEntry::Label(line) => items.status.set_text(line),
            TrayEntry::Separator => Ok(()),
            TrayEntry::Item { label, action, enabled } => {
                let item = match action {
                    TrayAction::SyncNow => &items.sync,
                    TrayAction::Pause | TrayAction::Resume => &items.pause,
                    TrayAction::Open => &items.open,
                    TrayAction::Quit => &items.quit,
                };
                item.set_text(label).and_then(|()| item.set_enabled(enabled))
            }
        };
        if let Err(e) = result {
            tracing::debug!(error = %e, "updating the tray failed");
        }
    }
}
