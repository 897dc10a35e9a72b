//! `alcance tray` (Linux): the tray as its own process, which links neither GTK nor WebKit
//! (ADR 0021). It opens the workspace the desktop window would reopen, runs its scheduler
//! as the window does in the background, holds the workspace's scheduler lock (the window
//! then runs none of its own and shows no tray icon), and shows a StatusNotifierItem over
//! D-Bus (`ksni`): the status line, Sync now, Pause / Resume, Open Alcance, Quit, in the
//! settings' language. Without a StatusNotifier host (or without a D-Bus session) the
//! scheduler runs all the same, and one line in the log says so.

use crate::WorkspaceArgs;
use alcance_app::sandbox::Sandbox;
use alcance_app::scheduler::{Scheduler, SystemClock};
use alcance_app::scheduler_lock::SchedulerLock;
use alcance_app::shell::{self, Settings, SyncNotice, SyncStatus, WorkspaceKind};
use alcance_app::tray::{menu, text, TrayAction, TrayEntry};
use alcance_app::{views, Session, Workspace};
use anyhow::{bail, Context, Result};
use chrono::Utc;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::{mpsc, Mutex};

/// The name of the desktop app's executable, looked for next to this one, then on `PATH`.
const DESKTOP_BIN: &str = "alcance-desktop";

/// How often the tray's status line is redrawn without news from the scheduler (its times
/// say "HH:MM" within a day and the date beyond).
const REDRAW_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// The workspace the tray opens: `--workspace` as `alcance run` opens it, else the one the
/// desktop reopens at start (`last_workspace` in the desktop's `settings.json`): the demo,
/// with its in-process seeded sandbox, or the user's own.
async fn open(args: &WorkspaceArgs, data_dir: &Path, settings: &Settings) -> Result<Session> {
    if args.workspace.is_some() {
        return crate::open_workspace(args, true).await;
    }
    match settings.last_workspace {
        Some(WorkspaceKind::Demo) => {
            let dir = WorkspaceKind::Demo.dir(data_dir);
            shell::reopen_demo(&dir).await?.with_context(|| {
                format!("the demo workspace in {} is gone; open Alcance to build it again", dir.display())
            })
        }
        Some(WorkspaceKind::Own) => {
            let dir = WorkspaceKind::Own.dir(data_dir);
            Ok(Session::own(&dir, crate::passphrase()).await?)
        }
        None => bail!(
            "no workspace to open: open Alcance once (the demo or your accounts), or pass --workspace DIR ({} has no last workspace)",
            data_dir.join("settings.json").display()
        ),
    }
}

/// `alcance tray`: until Quit, SIGINT or SIGTERM.
pub(crate) async fn tray(args: &WorkspaceArgs) -> Result<()> {
    let mut interrupts = crate::Interrupts::new()?;
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).context("listening for SIGTERM")?;
    let data_dir = shell::data_dir();
    let settings_path = data_dir.join("settings.json");
    let settings = Settings::load(&settings_path);
    let session = open(args, &data_dir, &settings).await?;
    let dir = session.dir();
    let lock = match SchedulerLock::try_acquire(&dir) {
        Ok(Some(lock)) => Some(lock),
        Ok(None) => {
            let (ws, _, sandbox) = session.into_parts();
            close(ws, sandbox).await;
            bail!(
                "another Alcance process already schedules {} (another `alcance tray`, or the window started before it)",
                dir.display()
            );
        }
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "the scheduler lock is not available; scheduling anyway");
            None
        }
    };
    let (ws, _vault, sandbox) = session.into_parts();
    let paused = settings.sync_paused;
    let sync = Arc::new(Mutex::new(SyncStatus {
        paused,
        last_run: views::runs(&ws, 1).await.ok().and_then(|mut r| r.pop()),
        problems: shell::problems(&ws).await,
        ..SyncStatus::default()
    }));
    // The desktop's background scheduler, with the desktop's settings.
    let config = shell::background_scheduler(paused);
    let scheduler = Scheduler::start_with(Arc::clone(&ws), Arc::new(SystemClock), config);
    let (notices_tx, mut notices) = mpsc::unbounded_channel::<SyncNotice>();
    let forwarder = tokio::spawn(shell::forward(
        scheduler.subscribe(),
        Arc::clone(&ws),
        Arc::clone(&sync),
        Arc::new(move |n| {
            let _ = notices_tx.send(n);
        }),
    ));
    let (actions_tx, mut actions) = mpsc::unbounded_channel::<TrayAction>();
    let view = TrayView {
        settings_path: settings_path.clone(),
        sync: Arc::clone(&sync),
    };
    // `actions_tx` stays here to the end: without an icon (no D-Bus) nothing else holds a
    // sender, and a closed channel would read as Quit.
    let icon = icon::Icon::spawn(view.menu().await, actions_tx.clone()).await;
    tracing::info!(dir = %dir.display(), "alcance tray: scheduling");
    let mut redraw = tokio::time::interval(REDRAW_EVERY);
    loop {
        tokio::select! {
            notice = notices.recv() => match notice {
                Some(SyncNotice::Changed) => icon.show(view.menu().await).await,
                Some(SyncNotice::NeedsReauth(who)) => {
                    tracing::warn!(account = %who, "the platform refused this account's token: reconnect it in Alcance → Accounts");
                }
                Some(SyncNotice::RunFailed(failed)) => tracing::warn!(failed, "a collection failed; see Alcance → Runs"),
                // The forwarder ended: the scheduler stopped.
                None => break,
            },
            action = actions.recv() => match action {
                Some(TrayAction::SyncNow) => scheduler.sync_now(),
                Some(action @ (TrayAction::Pause | TrayAction::Resume)) => {
                    let pause = action == TrayAction::Pause;
                    // The setting is the desktop's too: read it afresh, change the one field.
                    let mut settings = Settings::load(&settings_path);
                    settings.sync_paused = pause;
                    if let Err(e) = settings.save(&settings_path) {
                        tracing::warn!(error = %format!("{e:#}"), "saving the pause setting failed");
                    }
                    if pause {
                        scheduler.pause();
                    } else {
                        scheduler.resume();
                    }
                    sync.lock().await.set_paused(pause);
                    icon.show(view.menu().await).await;
                }
                Some(TrayAction::Open) => open_window(),
                Some(TrayAction::Quit) | None => break,
            },
            _ = redraw.tick() => icon.show(view.menu().await).await,
            () = interrupts.recv() => break,
            _ = terminate.recv() => break,
        }
    }
    drop(actions_tx);
    tracing::info!("alcance tray: stopping after the current account");
    icon.shutdown().await;
    scheduler.stop().await;
    drop(scheduler);
    let _ = forwarder.await;
    close(ws, sandbox).await;
    drop(lock);
    Ok(())
}

/// Closes the workspace's database and the demo's sandbox.
async fn close(ws: Arc<Workspace>, sandbox: Option<Sandbox>) {
    match Arc::try_unwrap(ws) {
        Ok(ws) => ws.close().await,
        Err(_) => tracing::warn!("the workspace is still in use; its database closes when the last user ends"),
    }
    if let Some(sandbox) = sandbox {
        sandbox.shutdown().await;
    }
}

/// What the menu is made from: the settings (language, zone, read afresh each time, as
/// the window may change them) and the sync status.
struct TrayView {
    settings_path: PathBuf,
    sync: Arc<Mutex<SyncStatus>>,
}

impl TrayView {
    /// The menu now.
    async fn menu(&self) -> Vec<TrayEntry> {
        let settings = Settings::load(&self.settings_path);
        let sync = self.sync.lock().await.clone();
        menu(
            &text(settings.language),
            true,
            &sync,
            Utc::now(),
            settings.display_zone(),
        )
    }
}

/// `alcance-desktop` next to this executable (an installed or built pair), else the one on
/// `PATH`.
fn desktop_binary() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(DESKTOP_BIN)))
        .filter(|path| path.is_file())
        .unwrap_or_else(|| PathBuf::from(DESKTOP_BIN))
}

/// Starts the window, detached: its own session and no inherited terminal, so it outlives
/// neither more nor less than a window started from the desktop's menu. It finds the
/// scheduler lock held and runs no scheduler of its own. A second start only brings the
/// running window up (the desktop is single-instance).
fn open_window() {
    use std::os::unix::process::CommandExt;
    let path = desktop_binary();
    let mut command = std::process::Command::new(&path);
    command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0);
    match command.spawn() {
        // Reaped on a thread so no zombie stays behind while the tray lives on.
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(e) => tracing::warn!(path = %path.display(), error = %e, "starting the Alcance window failed"),
    }
}

/// The StatusNotifierItem over D-Bus (`ksni`). Shown when a StatusNotifier host (a panel)
/// is there or turns up later; without one, or without a D-Bus session at all, the tray
/// process goes on scheduling and one log line says so.
mod icon {
    use alcance_app::tray::{TrayAction, TrayEntry};
    use ksni::TrayMethods;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use tokio::sync::mpsc;

    /// The PNG the desktop's window and tray use (32×32 RGBA).
    const ICON_PNG: &[u8] = include_bytes!("../../../icons/32x32.png");

    /// The tray icon's state as ksni reads it.
    struct Item {
        entries: Vec<TrayEntry>,
        actions: mpsc::UnboundedSender<TrayAction>,
        pixmap: Vec<ksni::Icon>,
        /// One log line per absence of a host, not one per retry.
        offline_said: Arc<AtomicBool>,
    }

    impl ksni::Tray for Item {
        fn id(&self) -> String {
            "alcance".into()
        }

        fn title(&self) -> String {
            "Alcance".into()
        }

        fn category(&self) -> ksni::Category {
            ksni::Category::ApplicationStatus
        }

        fn icon_pixmap(&self) -> Vec<ksni::Icon> {
            self.pixmap.clone()
        }

        fn tool_tip(&self) -> ksni::ToolTip {
            let status = self
                .entries
                .iter()
                .find_map(|e| match e {
                    TrayEntry::Label(line) => Some(line.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            ksni::ToolTip {
                title: "Alcance".into(),
                description: status,
                ..Default::default()
            }
        }

        fn menu(&self) -> Vec<ksni::MenuItem<Self>> {
            use ksni::menu::StandardItem;
            self.entries
                .iter()
                .map(|entry| match entry {
                    TrayEntry::Separator => ksni::MenuItem::Separator,
                    TrayEntry::Label(line) => StandardItem {
                        label: line.clone(),
                        enabled: false,
                        ..Default::default()
                    }
                    .into(),
                    TrayEntry::Item { label, action, enabled } => {
                        let action = *action;
                        StandardItem {
                            label: label.clone(),
                            enabled: *enabled,
                            activate: Box::new(move |item: &mut Item| {
                                let _ = item.actions.send(action);
                            }),
                            ..Default::default()
                        }
                        .into()
                    }
                })
                .collect()
        }

        fn watcher_online(&self) {
            self.offline_said.store(false, Ordering::Relaxed);
            tracing::info!("a StatusNotifier host is there: the tray icon shows");
        }

        fn watcher_offline(&self, reason: ksni::OfflineReason) -> bool {
            if !self.offline_said.swap(true, Ordering::Relaxed) {
                tracing::info!(
                    ?reason,
                    "no StatusNotifier host (no tray in this session): scheduling without an icon"
                );
            }
            // Keep the service: the icon shows when a host turns up.
            true
        }
    }

    /// The icon, or nothing when D-Bus is out of reach.
    pub(super) struct Icon(Option<ksni::Handle<Item>>);

    impl Icon {
        /// Puts the icon up with `entries`; its choices arrive on `actions`.
        pub(super) async fn spawn(entries: Vec<TrayEntry>, actions: mpsc::UnboundedSender<TrayAction>) -> Icon {
            let item = Item {
                entries,
                actions,
                pixmap: pixmap(),
                offline_said: Arc::new(AtomicBool::new(false)),
            };
            // A missing watcher is not an error: the icon waits for a host (a panel that
            // starts after the tray at login) while the scheduler runs.
            match item.assume_sni_available(true).spawn().await {
                Ok(handle) => Icon(Some(handle)),
                Err(e) => {
                    tracing::warn!(error = %e, "no tray icon (no D-Bus session?): scheduling without one");
                    Icon(None)
                }
            }
        }

        /// Shows `entries` (and the tooltip's status line from them).
        pub(super) async fn show(&self, entries: Vec<TrayEntry>) {
            if let Some(handle) = &self.0 {
                handle.update(|item| item.entries = entries).await;
            }
        }

        /// Takes the icon down.
        pub(super) async fn shutdown(self) {
            if let Some(handle) = self.0 {
                handle.shutdown().await;
            }
        }
    }

    /// The app icon as StatusNotifierItem pixmaps (ARGB32, network byte order); none when
    /// the embedded PNG cannot be read (the host then shows a generic icon).
    fn pixmap() -> Vec<ksni::Icon> {
        let decoder = png::Decoder::new(std::io::Cursor::new(ICON_PNG));
        let Ok(mut reader) = decoder.read_info() else {
            return Vec::new();
        };
        let Some(size) = reader.output_buffer_size() else {
            return Vec::new();
        };
        let mut rgba = vec![0; size];
        let Ok(info) = reader.next_frame(&mut rgba) else {
            return Vec::new();
        };
        if info.color_type != png::ColorType::Rgba || info.bit_depth != png::BitDepth::Eight {
            return Vec::new();
        }
        let data = rgba
            .chunks_exact(4)
            .take(info.buffer_size() / 4)
            .flat_map(|p| [p[3], p[0], p[1], p[2]])
            .collect();
        match (i32::try_from(info.width), i32::try_from(info.height)) {
            (Ok(width), Ok(height)) => vec![ksni::Icon { width, height, data }],
            _ => Vec::new(),
        }
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn the_icon_is_the_apps_32_pixel_square_in_argb() {
            let icons = super::pixmap();
            assert_eq!(icons.len(), 1);
            let icon = &icons[0];
            assert_eq!((icon.width, icon.height), (32, 32));
            assert_eq!(icon.data.len(), 32 * 32 * 4);
            // Not blank: some pixel is opaque.
            assert!(icon.data.chunks_exact(4).any(|p| p[0] == 255));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_looked_for_next_to_this_executable_then_on_the_path() {
        let path = desktop_binary();
        assert!(path.ends_with(DESKTOP_BIN));
        assert!(path == Path::new(DESKTOP_BIN) || path.is_file(), "{}", path.display());
    }

    #[tokio::test]
    async fn without_a_workspace_it_says_how_to_get_one() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let args = WorkspaceArgs {
            workspace: None,
            sandbox_url: None,
        };
        let err = match open(&args, dir.path(), &Settings::default()).await {
            Ok(_) => panic!("opened a workspace out of nothing"),
            Err(e) => format!("{e:#}"),
        };
        assert!(err.contains("--workspace") && err.contains("settings.json"), "{err}");
        let gone = Settings {
            last_workspace: Some(WorkspaceKind::Demo),
            ..Settings::default()
        };
        let err = match open(&args, dir.path(), &gone).await {
            Ok(_) => panic!("opened a demo that is not there"),
            Err(e) => format!("{e:#}"),
        };
        assert!(err.contains("demo workspace"), "{err}");
    }
}
