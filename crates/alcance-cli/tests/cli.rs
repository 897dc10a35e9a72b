//! The `alcance` binary as a user runs it: `alcance sandbox --replay DIR` in one process and
//! `alcance demo --sandbox-url URL` in another; and the demo on its own.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use std::path::{Path, PathBuf};

use crate::common;
use common::*;

/// The recorded fixtures of `platform`; `None` (skipped) when absent, a failure when `CI`
/// is set and the fixtures folder is missing.
fn fixtures(platform: &str) -> Option<PathBuf> {
    alcance_app::sandbox::platform_fixtures_dir(platform)
}

/// Starts `alcance sandbox --port 0 --replay DIR` and returns it with the URL it printed.
fn replay_sandbox(dir: &Path) -> (Killed, String) {
    sandbox_with([std::ffi::OsStr::new("--replay"), dir.as_os_str()])
}

#[test]
fn demo_against_a_replaying_sandbox_process_exports_the_recorded_values() {
    let Some(dir) = fixtures("x") else { return };
    let (_sandbox, url) = replay_sandbox(&dir);
    let out = tempfile::tempdir().expect("tempdir");
    let result = alcance()
        .arg("demo")
        .arg("--out")
        .arg(out.path())
        .args(["--sandbox-url", &url])
        .output()
        .expect("demo");
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(
        result.status.success(),
        "demo failed: {stdout}\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(stdout.contains("replay sandbox"), "{stdout}");
    assert!(
        stdout.contains("TwitterDev"),
        "the summary table lists the tracked account: {stdout}"
    );

    // The recorded followers_count of TwitterDev is in the account CSV, as recorded.
    let recorded: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("python-twitter__users-by-username.json")).expect("fixture"))
            .expect("json");
    let user = &recorded["response"]["body"]["data"];
    let want = format!(
        "{},x,followers,{},",
        user["id"].as_str().expect("id"),
        user["public_metrics"]["followers_count"].as_u64().expect("followers")
    );
    let csv = std::fs::read_to_string(out.path().join("exports/account_metrics.csv")).expect("csv");
    assert!(
        csv.lines().any(|l| l.starts_with(&want)),
        "no line starting {want:?} in\n{csv}"
    );
    // The run was logged as JSON lines in the workspace.
    let logs: Vec<_> = std::fs::read_dir(out.path().join("logs")).expect("logs").collect();
    assert!(!logs.is_empty());
}

#[test]
fn the_demo_prints_a_summary_table_and_writes_every_artifact() {
    let out = tempfile::tempdir().expect("tempdir");
    let result = alcance()
        .arg("demo")
        .arg("--out")
        .arg(out.path())
        .args(["--days", "3"])
        .output()
        .expect("demo runs");
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(
        result.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    for needle in [
        "Platform",
        "Followers",
        "alcance_br",
        "alcance.br",
        "3 collection(s) on the seeded sandbox",
    ] {
        assert!(stdout.contains(needle), "missing {needle:?} in\n{stdout}");
    }
    for file in [
        "alcance.db",
        "charts/engagement_trend.svg",
        "charts/engagement_trend.png",
        "charts/follower_growth.svg",
        "charts/follower_growth.png",
        "exports/account_metrics.csv",
        "exports/post_metrics.csv",
        "exports/alcance-export.json",
        "exports/alcance-export.xlsx",
    ] {
        let meta = std::fs::metadata(out.path().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(meta.len() > 0, "{file} is empty");
    }
    // The posts' pictures (docs/media.md): kept once in media/, the sandbox's expiring ones
    // given up on after their third day (whether an oversized one is among 3 days' posts
    // depends on the seed, so "too large" is not asserted).
    for needle in [" kept", " expired"] {
        assert!(
            stdout.contains(needle),
            "missing {needle:?} in the media line of\n{stdout}"
        );
    }
    // The weekly report delivered to the sandbox's Google Sheets, read back as CSV.
    assert!(stdout.contains("Sheets:   weekly report written to tab "), "{stdout}");
    let sheet = std::fs::read_dir(out.path().join("reports"))
        .expect("reports")
        .map(|e| e.expect("entry").path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("google-sheets-"))
        })
        .expect("the Sheets tab read back as CSV");
    let sheet = std::fs::read_to_string(sheet).expect("read the tab");
    assert!(sheet.starts_with("Alcance weekly report,"), "{sheet}");
    assert!(
        sheet
            .lines()
            .any(|l| l.starts_with("KPI,Label,Unit,This week,Last week")),
        "{sheet}"
    );
    let pictures: Vec<_> = std::fs::read_dir(out.path().join("media")).expect("media").collect();
    assert!(!pictures.is_empty(), "no picture kept");
    let log_dir = out.path().join("logs");
    let log_text: String = std::fs::read_dir(&log_dir)
        .expect("logs")
        .map(|e| std::fs::read_to_string(e.expect("entry").path()).unwrap_or_default())
        .collect();
    assert!(log_text.contains("account collected"), "the JSON log records the run");
    assert!(!log_text.contains("sbx_"), "no token in the log");
}

/// A reader that closed the pipe before anything was printed (`alcance sandbox | head -0`):
/// the CLI ends with 141 (128 + SIGPIPE) as a Unix filter does, not with Rust's
/// "failed printing to stdout" panic.
#[test]
fn a_closed_stdout_ends_the_cli_quietly_with_141() {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let mut cmd = alcance();
    cmd.args(["sandbox", "--port", "0"])
        .stdout(writer)
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("sandbox starts");
    drop(cmd); // the parent's copy of the pipe's write end
    let started = std::time::Instant::now();
    while child.try_wait().expect("status").is_none() {
        if started.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("the sandbox kept running with its stdout closed");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(141), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
