//! What the CLI's process tests share: the `alcance` binary with a clean environment, a
//! seeded `alcance sandbox` process killed on drop, and reading a command's output.
#![allow(dead_code)] // each test binary uses its own part

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};

/// The demo workspace's vault passphrase (tokens land in `vault.enc` without a keychain).
pub const PASSPHRASE: &str = "alcance-demo-workspace";

/// The `alcance` binary with the demo passphrase and none of the user's `ALCANCE_*`
/// settings (workspace, sandbox URL, client id and secret, WhatsApp token) or `RUST_LOG`.
pub fn alcance() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_alcance"));
    cmd.env("ALCANCE_VAULT_PASSPHRASE", PASSPHRASE)
        .env_remove("ALCANCE_WORKSPACE")
        .env_remove("ALCANCE_SANDBOX_URL")
        .env_remove("ALCANCE_CLIENT_ID")
        .env_remove("ALCANCE_CLIENT_SECRET")
        .env_remove("ALCANCE_WHATSAPP_TOKEN")
        .env_remove("RUST_LOG");
    cmd
}

/// A child process, killed and reaped on drop.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `alcance sandbox --port 0` (seeded) and the URL it printed.
pub fn sandbox() -> (Killed, String) {
    sandbox_with(std::iter::empty::<&str>())
}

/// `alcance sandbox --port 0 <extra>` (e.g. `--replay DIR`) and the URL it printed.
pub fn sandbox_with(extra: impl IntoIterator<Item = impl AsRef<std::ffi::OsStr>>) -> (Killed, String) {
    let mut child = alcance()
        .args(["sandbox", "--port", "0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sandbox starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    reader.read_line(&mut line).expect("first line");
    let url = line.trim().rsplit(' ').next().expect("url").to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    // Keep reading: a closed pipe would make the sandbox's next print fail and kill it.
    std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
    (Killed(child), url)
}

/// A command's stdout and stderr as text.
pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Asserts the command succeeded and returns its stdout.
pub fn ok(out: Output) -> String {
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "failed:\n{stdout}\n{stderr}");
    stdout
}

/// Runs `cmd` with `input` on its stdin.
pub fn with_stdin(cmd: &mut Command, input: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("alcance runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("alcance ends")
}

/// Sets the sandbox clock (`now`: RFC 3339, or `null` for the real time).
pub async fn set_clock(url: &str, now: Option<&str>) {
    let body = match now {
        Some(t) => format!(r#"{{"now": "{t}"}}"#),
        None => r#"{"now": null}"#.to_string(),
    };
    let addr = url.trim_start_matches("http://").trim_end_matches('/').to_string();
    let request = format!(
        "POST /__alcance/clock HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(&addr).await.expect("sandbox");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}
