//! `alcance serve` on a demo workspace, as a user runs it: the first admin comes from
//! `alcance user add` (password on stdin) and a BI token from `alcance token create`; the
//! server prints where it listens, answers `/healthz`, `/readyz` without credentials and
//! `/api/v1/metrics` with the token only (401 without, then 401 once `alcance token
//! revoke` ran), over HTTP on 127.0.0.1, and stops cleanly (exit 0) on SIGTERM and on
//! Ctrl-C (SIGINT).
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common;
use common::*;

/// GET `path` from `address` over HTTP/1.1 with the bearer `token` (empty: none): the
/// status code and the body.
fn get_as(address: &str, path: &str, token: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let authorization = if token.is_empty() {
        String::new()
    } else {
        format!("Authorization: Bearer {token}\r\n")
    };
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\n{authorization}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read the answer");
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {answer}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// GET `path` without credentials.
fn get(address: &str, path: &str) -> (u16, String) {
    get_as(address, path, "")
}

/// Serves `dir`, checks the answers (`token` is an analyst token, live when `live`), stops
/// the server with `signal` and checks it exits 0.
fn serve_then_stop(dir: &Path, signal: &str, token: &str, live: bool) {
    let mut child = alcance()
        .arg("serve")
        .arg("--workspace")
        .arg(dir)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("alcance serve starts");
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).expect("first line");
    // "Alcance API on http://127.0.0.1:PORT/api/v1 (docs: …)"
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    assert!(address.starts_with("127.0.0.1:"), "{line}");

    assert_eq!(get(&address, "/healthz"), (200, r#"{"status":"ok"}"#.to_string()));
    let (status, ready) = get(&address, "/readyz");
    assert_eq!(status, 200, "{ready}");
    assert!(ready.contains(r#""engine":"sqlite""#), "{ready}");
    let (status, problem) = get(&address, "/api/v1/metrics?user_id=1&platform=X");
    assert_eq!(status, 401, "no credentials: {problem}");
    let (status, metrics) = get_as(&address, "/api/v1/metrics?user_id=1&platform=X", token);
    if live {
        assert_eq!(status, 200, "{metrics}");
        assert!(metrics.starts_with(r#"{"metrics":[{"metric_type":"#), "{metrics}");
        let (status, problem) = get_as(&address, "/api/v1/metrics?user_id=1&start_date=2025-02-30", token);
        assert_eq!(status, 400, "{problem}");
        assert!(problem.contains("start_date"), "{problem}");
    } else {
        assert_eq!(status, 401, "a revoked token is refused: {metrics}");
    }

    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill")
        .args([signal, &pid])
        .status()
        .expect("kill")
        .success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "alcance serve still runs 20 s after {signal}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(status.success(), "{signal} is a clean stop: {status}\n{stderr}");
    assert!(
        TcpStream::connect(&address).is_err(),
        "the port is closed after the stop"
    );
}

#[test]
fn serve_answers_on_loopback_and_stops_cleanly_on_sigterm_and_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let (_sandbox, url) = sandbox();
    ok(alcance()
        .arg("demo")
        .arg("--out")
        .arg(dir.path())
        .args(["--sandbox-url", &url, "--days", "2"])
        .output()
        .expect("demo"));
    // The first admin, password on stdin; then a BI token, printed once on stdout.
    let mut add = alcance()
        .args(["user", "add", "Admin@Example.com", "--role", "admin", "--workspace"])
        .arg(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("user add");
    add.stdin
        .take()
        .unwrap()
        .write_all(b"a long enough password\n")
        .unwrap();
    let added = add.wait_with_output().unwrap();
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    assert!(String::from_utf8_lossy(&added.stdout).contains("admin@example.com (admin)"));
    let made = ok(alcance()
        .args([
            "token",
            "create",
            "--user",
            "admin@example.com",
            "--role",
            "analyst",
            "--name",
            "BI",
        ])
        .arg("--workspace")
        .arg(dir.path())
        .output()
        .expect("token create"));
    let token = made.trim().to_string();
    assert!(token.starts_with("alc_"), "{token}");
    serve_then_stop(dir.path(), "-TERM", &token, true);
    ok(alcance()
        .args(["token", "revoke", "1", "--workspace"])
        .arg(dir.path())
        .output()
        .expect("token revoke"));
    serve_then_stop(dir.path(), "-INT", &token, false);
}
