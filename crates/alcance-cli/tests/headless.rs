//! The headless commands on a demo workspace, as a user runs them: `alcance status`,
//! `alcance collect --now`, `alcance cadence`, `alcance run` (stopped with Ctrl-C) and
//! `alcance restore`, against a seeded `alcance sandbox` process on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::common;
use common::*;

fn demo_workspace(dir: &Path, url: &str) {
    ok(alcance()
        .arg("demo")
        .arg("--out")
        .arg(dir)
        .args(["--sandbox-url", url, "--days", "2"])
        .output()
        .expect("demo"));
}

fn on(cmd: &mut Command, dir: &Path, url: &str) -> Output {
    cmd.arg("--workspace")
        .arg(dir)
        .args(["--sandbox-url", url])
        .output()
        .expect("alcance runs")
}

/// An `alcance run` process on the workspace `dir`, its stdout lines collected as they
/// come (stopped with `kill -INT`: Unix only).
#[cfg(unix)]
struct Worker {
    child: std::process::Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

#[cfg(unix)]
impl Worker {
    /// Starts `alcance run --workspace DIR --sandbox-url URL` with `args`.
    fn start(dir: &Path, url: &str, args: &[&str]) -> Worker {
        let mut child = alcance()
            .arg("run")
            .arg("--workspace")
            .arg(dir)
            .args(["--sandbox-url", url])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Worker {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// Waits (up to 120 s per line) until a run finishes, `ok` or `partial`.
    fn wait_for_a_finished_run(&mut self) {
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(120))
                .unwrap_or_else(|e| panic!("no run finished ({e}); output so far:\n{}", self.seen.join("\n")));
            let done = line.contains(" run ") && (line.contains(" ok:") || line.contains(" partial:"));
            self.seen.push(line);
            if done {
                return;
            }
        }
    }

    /// Sends Ctrl-C (SIGINT), checks the process stops cleanly, and returns its whole output.
    fn interrupt(mut self) -> String {
        let killed = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(killed.success());
        let status = self.child.wait().expect("run exits");
        self.seen.extend(self.lines.iter());
        let output = self.seen.join("\n");
        assert!(status.success(), "Ctrl-C is a clean stop:\n{output}");
        output
    }
}

#[test]
fn status_collect_and_cadence_on_a_demo_workspace() {
    let (_sandbox, url) = sandbox();
    let dir = tempfile::tempdir().expect("tempdir");
    demo_workspace(dir.path(), &url);

    let status = ok(on(alcance().arg("status"), dir.path(), &url));
    for needle in [
        "@alcance_br",
        "@ana_influencer",
        "@alcance.br",
        "OAuth",
        "tracked",
        "app password",
        "daily",
        "daily (every 6h: stories)",
        "due now",
        "Last runs",
        "demo",
        "Token vault: encrypted-file",
        "Backups: none yet",
    ] {
        assert!(status.contains(needle), "missing {needle:?} in\n{status}");
    }
    assert!(!status.contains("sbx_"), "no token is printed");

    // One account now, by handle.
    let collected = ok(on(
        alcance().args(["collect", "--now", "--account", "x:@alcance_br"]),
        dir.path(),
        &url,
    ));
    assert!(
        collected.contains("@alcance_br") && collected.contains(": ok"),
        "{collected}"
    );
    assert!(
        !collected.contains("@ana_influencer"),
        "only the chosen account: {collected}"
    );
    let status = ok(on(alcance().arg("status"), dir.path(), &url));
    let line = status
        .lines()
        .find(|l| l.contains("@alcance_br"))
        .expect("a line for @alcance_br");
    assert!(
        line.contains("in 23h") || line.contains("in 1d"),
        "next run a day on: {line}"
    );
    assert!(status.contains("manual"), "the manual run is listed:\n{status}");

    // Cadence by id or handle.
    let set = ok(on(
        alcance().args(["cadence", "x:@ana_influencer", "6h"]),
        dir.path(),
        &url,
    ));
    assert!(set.contains("@ana_influencer: every 6h"), "{set}");
    let status = ok(on(alcance().arg("status"), dir.path(), &url));
    assert!(status.contains("every 6h"), "{status}");

    // Mistakes are explained, not panics.
    let out = on(
        alcance().args(["collect", "--account", "x:@alcance_br"]),
        dir.path(),
        &url,
    );
    assert!(!out.status.success());
    assert!(text(&out).1.contains("--now"), "{:?}", text(&out));
    let out = on(
        alcance().args(["collect", "--now", "--account", "@nobody"]),
        dir.path(),
        &url,
    );
    assert!(!out.status.success());
    assert!(text(&out).1.contains("no account"), "{:?}", text(&out));
    // The same handle on X and Reddit: refused with the way to say which.
    let out = on(alcance().args(["cadence", "@alcance_br", "6h"]), dir.path(), &url);
    assert!(!out.status.success());
    let err = text(&out).1;
    assert!(
        err.contains("matches several accounts") && err.contains("x:@alcance_br"),
        "{err}"
    );
    let out = on(alcance().args(["cadence", "x:@alcance_br", "often"]), dir.path(), &url);
    assert!(!out.status.success());
    assert!(text(&out).1.contains("invalid cadence"), "{:?}", text(&out));
    let empty = tempfile::tempdir().expect("tempdir");
    let out = on(alcance().arg("status"), empty.path(), &url);
    assert!(!out.status.success());
    assert!(text(&out).1.contains("no Alcance workspace"), "{:?}", text(&out));
}

#[cfg(unix)]
#[test]
fn run_collects_due_accounts_writes_a_backup_stops_on_ctrl_c_and_restore_brings_it_back() {
    let (_sandbox, url) = sandbox();
    let dir = tempfile::tempdir().expect("tempdir");
    demo_workspace(dir.path(), &url);

    let mut worker = Worker::start(dir.path(), &url, &["--keep-backups", "2"]);
    // Every demo account is due (the demo does not schedule): one scheduled run of them all.
    worker.wait_for_a_finished_run();
    let output = worker.interrupt();
    for needle in [
        "press Ctrl-C to stop",
        "Backup written",
        "started (scheduled)",
        "ok     X @alcance_br",
        "Next run",
        "Stopped.",
    ] {
        assert!(output.contains(needle), "missing {needle:?} in\n{output}");
    }
    let backups: Vec<_> = std::fs::read_dir(dir.path().join("backups"))
        .expect("backups folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "db"))
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");

    // Restore: a damaged file is refused, the backup is restored and the old db kept.
    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, vec![0x42_u8; 4096]).expect("write");
    let out = alcance()
        .arg("restore")
        .arg("--workspace")
        .arg(dir.path())
        .arg(&garbage)
        .output()
        .expect("restore");
    assert!(!out.status.success());
    assert!(text(&out).1.contains("refusing to restore"), "{:?}", text(&out));
    assert!(!dir.path().join("alcance.db.before-restore").exists());
    let restored = ok(alcance()
        .arg("restore")
        .arg("--workspace")
        .arg(dir.path())
        .arg(&backups[0])
        .output()
        .expect("restore"));
    assert!(restored.contains("before-restore"), "{restored}");
    assert!(dir.path().join("alcance.db.before-restore").exists());
    let status = ok(on(alcance().arg("status"), dir.path(), &url));
    assert!(status.contains("@alcance_br"), "{status}");
}

/// `alcance run --metrics-listen`: the worker serves its own `/metrics`, with the counts of
/// the run it just made, and still stops cleanly on Ctrl-C.
#[cfg(unix)]
#[test]
fn run_serves_its_own_metrics() {
    let (_sandbox, url) = sandbox();
    let dir = tempfile::tempdir().expect("tempdir");
    demo_workspace(dir.path(), &url);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut worker = Worker::start(dir.path(), &url, &["--keep-backups", "0", "--metrics-listen", &addr]);
    worker.wait_for_a_finished_run();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let metrics = runtime.block_on(async {
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let answer = http.get(format!("http://{addr}/metrics")).send().await.unwrap();
        assert_eq!(answer.status(), 200);
        answer.text().await.unwrap()
    });
    let ok = metrics
        .lines()
        .find_map(|l| l.strip_prefix("alcance_collections_total{platform=\"x\",outcome=\"ok\"} "))
        .unwrap_or_else(|| panic!("no x collections in\n{metrics}"));
    assert!(ok.trim().parse::<f64>().unwrap() >= 1.0, "{ok}");
    assert!(
        metrics.contains("alcance_api_requests_total{platform=\"x\""),
        "{metrics}"
    );
    let output = worker.interrupt();
    assert!(
        output.contains(&format!("Prometheus metrics at http://{addr}/metrics")),
        "{output}"
    );
}

/// The "Posts" cell of `handle`'s row in `alcance collect`'s summary table.
fn posts_collected(output: &str, handle: &str) -> u64 {
    let row = output
        .lines()
        .find(|l| l.contains(handle) && l.contains("ok"))
        .unwrap_or_else(|| panic!("no ok row for {handle} in\n{output}"));
    let cells: Vec<&str> = row.split(['│', '┆']).map(str::trim).filter(|c| !c.is_empty()).collect();
    // Account, Platform, Result, Metric values, Posts, Gaps
    cells[4].parse().unwrap_or_else(|_| panic!("no post count in {row:?}"))
}

#[test]
fn collect_since_backfills_further_than_the_refresh_window() {
    let (_sandbox, url) = sandbox();
    let dir = tempfile::tempdir().expect("tempdir");
    demo_workspace(dir.path(), &url);

    let usual = ok(on(
        alcance().args(["collect", "--now", "--account", "x:@alcance_br"]),
        dir.path(),
        &url,
    ));
    let since = (chrono::Utc::now() - chrono::Duration::days(400))
        .format("%Y-%m-%d")
        .to_string();
    let backfill = ok(on(
        alcance().args(["collect", "--now", "--account", "x:@alcance_br", "--since", &since]),
        dir.path(),
        &url,
    ));
    let (p90, p400) = (
        posts_collected(&usual, "@alcance_br"),
        posts_collected(&backfill, "@alcance_br"),
    );
    assert!(p90 > 50, "the last 90 days hold posts: {usual}");
    assert!(p400 > 3 * p90, "400 days read {p400} posts, 90 days {p90}");

    // A day that has not begun is refused, not a panic.
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let out = on(
        alcance().args(["collect", "--now", "--account", "x:@alcance_br", "--since", &tomorrow]),
        dir.path(),
        &url,
    );
    assert!(!out.status.success());
    assert!(text(&out).1.contains("not in the past"), "{:?}", text(&out));
    let out = on(
        alcance().args(["collect", "--now", "--since", "last year"]),
        dir.path(),
        &url,
    );
    assert!(!out.status.success(), "a malformed day is a usage error");
}
