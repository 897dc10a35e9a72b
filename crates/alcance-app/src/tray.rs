//! The tray's words and menu, as plain data: the desktop window's tray (Tauri) and the tray
//! process (`alcance tray`, ADR 0021, a StatusNotifierItem on Linux) both show these, in
//! the language of the user's settings ([`Language`]).

use crate::format::Tz;
use crate::shell::{Language, SyncStatus};
use chrono::{DateTime, Utc};

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
/// reconnect. Times in `zone` (the Settings zone, [`crate::shell::Settings::display_zone`]):
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

/// What a tray menu entry does when chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayAction {
    /// Collect every collectable account now (a manual run).
    SyncNow,
    /// Pause scheduled collection (shown while it runs).
    Pause,
    /// Resume scheduled collection (shown while paused).
    Resume,
    /// Open the window (`alcance-desktop`).
    Open,
    /// Stop: the scheduler stops after its current account, the process exits.
    Quit,
}

/// One entry of the tray menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrayEntry {
    /// A line that does nothing when chosen (the status line, greyed).
    Label(String),
    /// A line between groups.
    Separator,
    /// A choice.
    Item {
        /// Its words.
        label: String,
        /// What it does.
        action: TrayAction,
        /// Whether it can be chosen now (Sync now is off while a run goes on or with no
        /// workspace).
        enabled: bool,
    },
}

/// The tray menu for the current state, top to bottom: the status line, then Sync now,
/// Pause or Resume, Open, then Quit — the desktop tray's menu, in `t`'s language. Times in
/// the status line as [`status_line`] says them.
pub fn menu(t: &TrayText, has_workspace: bool, sync: &SyncStatus, now: DateTime<Utc>, zone: Tz) -> Vec<TrayEntry> {
    let item = |label: &str, action: TrayAction, enabled: bool| TrayEntry::Item {
        label: label.to_string(),
        action,
        enabled,
    };
    vec![
        TrayEntry::Label(status_line(t, has_workspace, sync, now, zone)),
        TrayEntry::Separator,
        item(t.sync_now, TrayAction::SyncNow, has_workspace && !sync.running),
        if sync.paused {
            item(t.resume, TrayAction::Resume, true)
        } else {
            item(t.pause, TrayAction::Pause, true)
        },
        item(t.open, TrayAction::Open, true),
        TrayEntry::Separator,
        item(t.quit, TrayAction::Quit, true),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::Settings;
    use crate::views::RunView;
    use chrono::TimeZone;

    /// A manual run that finished fine two hours before `now`.
    fn ok_run(now: DateTime<Utc>) -> RunView {
        RunView {
            id: crate::RunId(1),
            kind: crate::collect::RunKind::Manual,
            status: crate::RunStatus::Ok,
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
        sync.live = Some(crate::shell::LiveRun {
            run_id: crate::RunId(2),
            kind: crate::RunKind::Scheduled,
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
        let chosen = Settings {
            time_zone: Some("Europe/Lisbon".into()),
            ..Default::default()
        };
        assert_eq!(chosen.display_zone(), chrono_tz::Europe::Lisbon);
        // An unknown name falls back like no choice: the system's zone (or UTC).
        let unknown = Settings {
            time_zone: Some("Mars/Olympus".into()),
            ..Default::default()
        };
        assert_eq!(unknown.display_zone(), Settings::default().display_zone());
    }

    #[test]
    fn the_menu_has_the_desktop_trays_entries_in_either_language() {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 23, 15, 0, 0)
            .single()
            .unwrap_or_default();
        let labels = |entries: &[TrayEntry]| -> Vec<(String, Option<TrayAction>, bool)> {
            entries
                .iter()
                .map(|e| match e {
                    TrayEntry::Label(l) => (l.clone(), None, false),
                    TrayEntry::Separator => ("-".to_string(), None, false),
                    TrayEntry::Item { label, action, enabled } => (label.clone(), Some(*action), *enabled),
                })
                .collect()
        };
        let sync = SyncStatus {
            last_run: Some(ok_run(now)),
            ..SyncStatus::default()
        };
        let en = menu(&text(Language::En), true, &sync, now, chrono_tz::UTC);
        let s = |x: &str| x.to_string();
        assert_eq!(
            labels(&en),
            vec![
                (s("Last sync: 13:00 UTC (ok)"), None, false),
                (s("-"), None, false),
                (s("Sync now"), Some(TrayAction::SyncNow), true),
                (s("Pause sync"), Some(TrayAction::Pause), true),
                (s("Open Alcance"), Some(TrayAction::Open), true),
                (s("-"), None, false),
                (s("Quit"), Some(TrayAction::Quit), true),
            ]
        );
        // Paused and running, in Portuguese: Resume instead of Pause, Sync now greyed.
        let busy = SyncStatus {
            paused: true,
            running: true,
            ..sync.clone()
        };
        let pt = menu(&text(Language::PtBr), true, &busy, now, chrono_tz::UTC);
        assert_eq!(
            labels(&pt),
            vec![
                (s("Sincronização pausada · Sincronizando…"), None, false),
                (s("-"), None, false),
                (s("Sincronizar agora"), Some(TrayAction::SyncNow), false),
                (s("Retomar sincronização"), Some(TrayAction::Resume), true),
                (s("Abrir o Alcance"), Some(TrayAction::Open), true),
                (s("-"), None, false),
                (s("Sair"), Some(TrayAction::Quit), true),
            ]
        );
        // No workspace: nothing to sync.
        let none = menu(&text(Language::En), false, &SyncStatus::default(), now, chrono_tz::UTC);
        assert_eq!(none.first(), Some(&TrayEntry::Label(s("No workspace open"))));
        assert!(none.contains(&TrayEntry::Item {
            label: s("Sync now"),
            action: TrayAction::SyncNow,
            enabled: false
        }));
    }
}
