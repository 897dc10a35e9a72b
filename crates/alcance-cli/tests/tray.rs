//! `alcance tray` (Linux, ADR 0021) as the login start runs it: on a demo workspace,
//! against a seeded `alcance sandbox` process on 127.0.0.1, with no D-Bus session (CI has
//! none, and a session without a tray host behaves the same): the scheduler collects all
//! the same, the workspace's scheduler lock keeps a second scheduler out, and the lock is
//! free again once the process ends, stopped or killed.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common;
use alcance_app::scheduler_lock::SchedulerLock;
use common::*;

/// `alcance tray --workspace DIR --sandbox-url URL`, with the desktop's data folder in
/// `data` and no D-Bus session.
fn tray(dir: &Path, data: &Path, url: &str) -> Child {
    alcance()
        .arg("tray")
        .arg("--workspace")
        .arg(dir)
        .args(["--sandbox-url", url])
        .env("ALCANCE_DATA_DIR", data)
        .env("RUST_LOG", "info")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("XDG_RUNTIME_DIR", data)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("alcance tray starts")
}

/// The `Last runs` part of `alcance status`.
fn last_runs(dir: &Path, url: &str) -> String {
    let out = alcance()
        .arg("status")
        .arg("--workspace")
        .arg(dir)
        .args(["--sandbox-url", url])
        .output()
        .expect("status");
    let stdout = ok(out);
    stdout
        .split_once("Last runs:")
        .map(|(_, runs)| runs.to_string())
        .unwrap_or_default()
}

fn signal(child: &Child, name: &str) {
    let sent = Command::new("kill")
        .args([name, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(sent.success());
}

#[test]
fn the_tray_process_schedules_collection_holds_the_lock_and_lets_it_go() {
    let (_sandbox, url) = sandbox();
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path().join("demo");
    let data = work.path().join("data");
    std::fs::create_dir_all(&data).expect("data folder");
    ok(alcance()
        .arg("demo")
        .arg("--out")
        .arg(&dir)
        .args(["--sandbox-url", &url, "--days", "2"])
        .output()
        .expect("demo"));
    assert!(!last_runs(&dir, &url).contains("scheduled"));

    let mut child = tray(&dir, &data, &url);
    // The demo schedules nothing ahead: every account is due, and the tray's scheduler
    // collects them in one scheduled run.
    let started = Instant::now();
    let runs = loop {
        let runs = last_runs(&dir, &url);
        if runs
            .lines()
            .any(|l| l.contains("scheduled") && (l.contains("ok") || l.contains("partial")))
        {
            break runs;
        }
        if let Ok(Some(status)) = child.try_wait() {
            let mut stderr = String::new();
            let _ = child.stderr.take().map(|mut e| e.read_to_string(&mut stderr));
            panic!("alcance tray ended ({status}) before collecting:\n{stderr}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "no scheduled run in 3 minutes:\n{runs}"
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    assert!(runs.contains("scheduled"), "{runs}");

    // One scheduler per workspace: the lock is held, and a second tray is turned away.
    assert!(SchedulerLock::is_held_elsewhere(&dir).expect("probe"));
    let second = alcance()
        .arg("tray")
        .arg("--workspace")
        .arg(&dir)
        .args(["--sandbox-url", &url])
        .env("ALCANCE_DATA_DIR", &data)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .expect("second tray");
    assert!(!second.status.success());
    let (_, err) = text(&second);
    assert!(err.contains("already schedules"), "{err}");

    // SIGTERM (a logout): a clean stop, the lock let go.
    signal(&child, "-TERM");
    let status = child.wait().expect("tray exits");
    let mut stderr = String::new();
    let _ = child.stderr.take().map(|mut e| e.read_to_string(&mut stderr));
    assert!(status.success(), "{status}:\n{stderr}");
    // No D-Bus session: one line says the icon is missing; the scheduler ran regardless.
    assert_eq!(stderr.matches("no tray icon").count(), 1, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!SchedulerLock::is_held_elsewhere(&dir).expect("probe"));

    // Killed outright: the OS lets the lock go with the process.
    let mut child = tray(&dir, &data, &url);
    let started = Instant::now();
    while !SchedulerLock::is_held_elsewhere(&dir).expect("probe") {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the tray never took the lock"
        );
        assert!(child.try_wait().expect("wait").is_none(), "the tray ended early");
        std::thread::sleep(Duration::from_millis(100));
    }
    signal(&child, "-KILL");
    let _ = child.wait();
    assert!(!SchedulerLock::is_held_elsewhere(&dir).expect("probe"));
}

#[test]
fn the_tray_without_a_workspace_says_how_to_get_one() {
    let data = tempfile::tempdir().expect("tempdir");
    let out = alcance()
        .arg("tray")
        .env("ALCANCE_DATA_DIR", data.path())
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .expect("tray");
    assert!(!out.status.success());
    let (_, err) = text(&out);
    assert!(
        err.contains("no workspace to open") && err.contains("--workspace"),
        "{err}"
    );
}
