//! `alcance serve` on a demo workspace, as a user runs it: it prints where it listens,
//! answers `/healthz`, `/readyz` and `/api/v1/metrics` over HTTP on 127.0.0.1, and stops
//! cleanly (exit 0) on SIGTERM and on Ctrl-C (SIGINT).
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

mod common;
use common::*;

/// GET `path` from `address` over HTTP/1.1: the status code and the body.
fn get(address: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
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

/// Serves `dir`, checks the answers, stops the server with `signal` and checks it exits 0.
fn serve_then_stop(dir: &Path, signal: &str) {
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
    let (status, metrics) = get(&address, "/api/v1/metrics?user_id=1&platform=X");
    assert_eq!(status, 200, "{metrics}");
    assert!(metrics.starts_with(r#"{"metrics":[{"metric_type":"#), "{metrics}");
    let (status, problem) = get(&address, "/api/v1/metrics?user_id=1&start_date=2025-02-30");
    assert_eq!(status, 400, "{problem}");
    assert!(problem.contains("start_date"), "{problem}");

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
    serve_then_stop(dir.path(), "-TERM");
    serve_then_stop(dir.path(), "-INT");
}
