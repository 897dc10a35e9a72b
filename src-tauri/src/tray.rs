//! The system tray: a status line, Sync now, Pause / Resume, Open, Quit. Sync goes on in
//! the tray while the window is hidden. Labels follow the UI language.

use crate::state::{AppState, Language, SyncStatus};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
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

/// The tray's words in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrayText {
    /// "Sync now".
    pub sync_now: &'static str,
    /// "Pause sync".
    pub pause: &'static str,
    /// "Resume sync".
    pub resume: &'static str,
    /// "Open Alcance".
    pub open: &'static str,
    /// "Quit".
    pub quit: &'static str,
    /// Status: no workspace open.
    pub no_workspace: &'static str,
    /// Status: a collection is running.
    pub syncing: &'static str,
    /// Status: paused.
    pub paused: &'static str,
    /// Status prefix before the last run's time: "Last sync".
    pub last_sync: &'static str,
    /// Status: nothing collected yet.
    pub never: &'static str,
    /// Status prefix before the next scheduled run's time: "Next".
    pub next_sync: &'static str,
    /// Status suffix after the number of accounts to reconnect: "to reconnect".
    pub to_reconnect: &'static str,
    /// Status while running, after "done/total": "accounts".
    pub accounts: &'static str,
}

/// The tray's words for `language`.
pub fn text(language: Language) -> TrayText {
    match language {
        Language::En => TrayText {
            sync_now: "Sync now",
            pause: "Pause sync",
            resume: "Resume sync",
            open: "Open Alcance",
            quit: "Quit",
            no_workspace: "No workspace open",
            syncing: "Syncing…",
            paused: "Sync paused",
            last_sync: "Last sync",
            never: "Not synced yet",
            next_sync: "Next",
            to_reconnect: "to reconnect",
            accounts: "accounts",
        },
        Language::PtBr => TrayText {
            sync_now: "Sincronizar agora",
            pause: "Pausar sincronização",
            resume: "Retomar sincronização",
            open: "Abrir o Alcance",
            quit: "Sair",
            no_workspace: "Nenhum espaço de trabalho aberto",
            syncing: "Sincronizando…",
            paused: "Sincronização pausada",
            last_sync: "Última sincronização",
            never: "Ainda não sincronizado",
            next_sync: "Próxima",
            to_reconnect: "para reconectar",
            accounts: "contas",
        },
    }
}

/// The status line: what the tray says about sync right now — the run going on (accounts
/// done of total), or the last sync and the next one, then paused and the accounts to
/// reconnect. Times in `zone` (the Settings zone, [`crate::state::Settings::display_zone`]):
/// `HH:MM` and the zone's abbreviation (`13:00 UTC`, `10:00 -03`) within a day, else the
/// local date.
pub fn status_line(t: &TrayText, has_workspace: bool, sync: &SyncStatus, now: DateTime<Utc>, zone: Tz) -> String {
    if !has_workspace {
        return t.no_workspace.to_string();
    }
    let when = |at: DateTime<Utc>| {
        let local = at.with_timezone(&zone);
        if (now - at).num_hours().abs() < 24 {
            local.format("%H:%M %Z").to_string()
        } else {
            local.format("%Y-%m-%d").to_string()
        }
    };
    let mut parts = Vec::new();
    if sync.paused {
        parts.push(t.paused.to_string());
    }
    if sync.running {
        match &sync.live {
            Some(live) => parts.push(format!(
                "{} {}/{} {}",
                t.syncing, live.accounts_done, live.accounts_total, t.accounts
            )),
            None => parts.push(t.syncing.to_string()),
        }
    } else {
        parts.push(match &sync.last_run {
            Some(run) => format!(
                "{}: {} ({})",
                t.last_sync,
                when(run.finished_at.unwrap_or(run.started_at)),
                run.status
            ),
            None => t.never.to_string(),
        });
        if let Some(next) = sync.next_run_at {
            parts.push(format!("{}: {}", t.next_sync, when(next.max(now))));
        }
    }
    if !sync.problems.is_empty() {
        parts.push(format!("⚠ {} {}", sync.problems.len(), t.to_reconnect));
    }
    parts.join(" · ")
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
    let t = text(language);
    let has_workspace = state.workspace.read().await.is_some();
    let sync = state.sync_status().await;
    let line = status_line(&t, has_workspace, &sync, Utc::now(), zone);
    let results = [
        items.status.set_text(line),
        items.sync.set_text(t.sync_now),
        items.sync.set_enabled(has_workspace && !sync.running),
        items.pause.set_text(if sync.paused { t.resume } else { t.pause }),
        items.open.set_text(t.open),
        items.quit.set_text(t.quit),
    ];
    for r in results {
        if let Err(e) = r {
            tracing::debug!(error = %e, "updating the tray failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alcance_app::views::RunView;
    use chrono::TimeZone;

    /// A manual run that finished fine two hours before `now`.
    fn ok_run(now: DateTime<Utc>) -> RunView {
        RunView {
            id: alcance_app::RunId(1),
            kind: alcance_app::collect::RunKind::Manual,
            status: alcance_app::RunStatus::Ok,
            started_at: now - chrono::Duration::hours(2),
            finished_at: Some(now - chrono::Duration::hours(2)),
            duration_seconds: Some(1.0),
            accounts_total: 2,
            accounts_ok: 2,
            accounts_failed: 0,
            metrics_written: 10,
        }
    }

    #[test]
    fn the_status_line_says_what_sync_is_doing() {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 23, 15, 0, 0)
            .single()
            .unwrap_or_default();
        let t = text(Language::En);
        let mut sync = SyncStatus::default();
        assert_eq!(status_line(&t, false, &sync, now, chrono_tz::UTC), "No workspace open");
        assert_eq!(status_line(&t, true, &sync, now, chrono_tz::UTC), "Not synced yet");
        sync.last_run = Some(ok_run(now));
        assert_eq!(
            status_line(&t, true, &sync, now, chrono_tz::UTC),
            "Last sync: 13:00 UTC (ok)"
        );
        sync.next_run_at = Some(now + chrono::Duration::hours(4));
        assert_eq!(
            status_line(&t, true, &sync, now, chrono_tz::UTC),
            "Last sync: 13:00 UTC (ok) · Next: 19:00 UTC"
        );
        sync.problems = vec!["@acme (Instagram)".into()];
        assert_eq!(
            status_line(&t, true, &sync, now, chrono_tz::UTC),
            "Last sync: 13:00 UTC (ok) · Next: 19:00 UTC · ⚠ 1 to reconnect"
        );
        sync.problems.clear();
        sync.next_run_at = None;
        sync.paused = true;
        assert_eq!(
            status_line(&t, true, &sync, now, chrono_tz::UTC),
            "Sync paused · Last sync: 13:00 UTC (ok)"
        );
        sync.running = true;
        assert_eq!(
            status_line(&text(Language::PtBr), true, &sync, now, chrono_tz::UTC),
            "Sincronização pausada · Sincronizando…"
        );
        sync.paused = false;
        sync.live = Some(crate::state::LiveRun {
            run_id: alcance_app::RunId(2),
            kind: alcance_app::RunKind::Scheduled,
            accounts_total: 8,
            accounts_done: 3,
            accounts_failed: 0,
            metrics: 120,
            current_account: Some("@ana (X)".into()),
            paused: false,
        });
        assert_eq!(
            status_line(&t, true, &sync, now, chrono_tz::UTC),
            "Syncing… 3/8 accounts"
        );
    }

    #[test]
    fn the_status_line_says_times_in_the_chosen_zone() {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 23, 15, 0, 0)
            .single()
            .unwrap_or_default();
        let t = text(Language::PtBr);
        let last_run = Some(ok_run(now));
        // 13:00 UTC is 10:00 in São Paulo (UTC−03:00); the next run at 02:00 UTC on the
        // 25th is more than a day away and shows as São Paulo's date, the 24th.
        let sync = SyncStatus {
            last_run,
            next_run_at: Some(now + chrono::Duration::hours(35)),
            ..SyncStatus::default()
        };
        let line = status_line(&t, true, &sync, now, chrono_tz::America::Sao_Paulo);
        assert_eq!(line, "Última sincronização: 10:00 -03 (ok) · Próxima: 2026-11-24");
    }

    #[test]
    fn the_display_zone_is_the_chosen_one_else_the_systems() {
        let chosen = crate::state::Settings {
            time_zone: Some("Europe/Lisbon".into()),
            ..Default::default()
        };
        assert_eq!(chosen.display_zone(), chrono_tz::Europe::Lisbon);
        // An unknown name falls back like no choice: the system's zone (or UTC).
        let unknown = crate::state::Settings {
            time_zone: Some("Mars/Olympus".into()),
            ..Default::default()
        };
        assert_eq!(unknown.display_zone(), crate::state::Settings::default().display_zone());
    }
}
