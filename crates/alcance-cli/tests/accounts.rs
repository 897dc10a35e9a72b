//! The account commands as a headless user runs them, against a seeded `alcance sandbox`
//! process: `alcance accounts`, `disconnect`, `connect x` (the test plays the browser: it
//! fetches the printed authorize URL, which the sandbox approves and redirects to the CLI's
//! loopback), `connect whatsapp` (token on stdin), `track` and `delete-data`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::common;
use common::*;

fn failed(out: Output) -> String {
    let (stdout, stderr) = text(&out);
    assert!(!out.status.success(), "should have failed:\n{stdout}\n{stderr}");
    stderr
}

/// `cmd` on the workspace `dir` against the sandbox at `url`.
fn on<'a>(cmd: &'a mut Command, dir: &Path, url: &str) -> &'a mut Command {
    cmd.arg("--workspace").arg(dir).args(["--sandbox-url", url])
}

/// GET `url` following redirects (to the CLI's loopback): the test is the browser.
fn browse(url: &str) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let response = reqwest::Client::new().get(url).send().await.expect("GET");
        response.text().await.unwrap_or_default()
    })
}

fn row_of<'a>(table: &'a str, handle: &str) -> &'a str {
    table
        .lines()
        .find(|l| l.contains(handle))
        .unwrap_or_else(|| panic!("{handle} missing in\n{table}"))
}

#[test]
fn accounts_connect_track_disconnect_and_delete_on_a_demo_workspace() {
    let (_sandbox, url) = sandbox();
    let dir = tempfile::tempdir().expect("tempdir");
    ok(alcance()
        .arg("demo")
        .arg("--out")
        .arg(dir.path())
        .args(["--sandbox-url", &url, "--days", "2"])
        .output()
        .expect("demo"));
    let ws = dir.path();

    // The list, with token health; no token is printed.
    let list = ok(on(alcance().arg("accounts"), ws, &url).output().expect("accounts"));
    for needle in [
        "@alcance_br",
        "@ana_influencer",
        "@alcance.br",
        "oauth",
        "tracked",
        "token",
        "daily",
    ] {
        assert!(list.contains(needle), "missing {needle:?} in\n{list}");
    }
    assert!(row_of(&list, "@alcance_br").contains("ok"), "{list}");
    assert!(!list.contains("sbx_"), "no token is printed");

    // Disconnect: the data stays, the account is no longer collected.
    let out = ok(on(alcance().args(["disconnect", "x:@alcance_br"]), ws, &url)
        .output()
        .expect("disconnect"));
    assert!(out.contains("Disconnected @alcance_br (X)"), "{out}");
    let list = ok(on(alcance().arg("accounts"), ws, &url).output().expect("accounts"));
    assert!(row_of(&list, "@alcance_br").contains("disconnected"), "{list}");

    // Connect X again through the loopback flow: read the printed authorize URL and open it.
    let mut child = on(
        alcance().args([
            "connect",
            "x",
            "--client-id",
            "alcance-demo-x",
            "--port",
            "0",
            "--timeout",
            "60",
        ]),
        ws,
        &url,
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("connect starts");
    let stdout = child.stdout.take().expect("stdout");
    let (lines_tx, lines_rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut printed = Vec::new();
    let authorize = loop {
        let line = lines_rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no authorize URL printed: {printed:?}"));
        if line.starts_with("http") {
            break line;
        }
        printed.push(line);
    };
    assert!(authorize.starts_with(&url), "the sandbox's authorize page: {authorize}");
    assert!(authorize.contains("code_challenge="), "PKCE: {authorize}");
    browse(&authorize);
    let out = child.wait_with_output().expect("connect ends");
    // Every line the reader thread has yet to forward: it ends at the exited child's EOF
    // (`try_iter` raced it and could miss the last line).
    let rest: Vec<String> = lines_rx.iter().collect();
    assert!(
        out.status.success(),
        "connect failed: {printed:?} {rest:?}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        rest.iter()
            .any(|l| l.starts_with("Connected @alcance_br (X) as account")),
        "{rest:?}"
    );
    let list = ok(on(alcance().arg("accounts"), ws, &url).output().expect("accounts"));
    assert!(row_of(&list, "@alcance_br").contains("active"), "{list}");

    // WhatsApp: the token comes on stdin (or ALCANCE_WHATSAPP_TOKEN), never as an argument.
    let grant: serde_json::Value = serde_json::from_str(&browse(&format!(
        "{}/__alcance/whatsapp-token",
        url.trim_end_matches('/')
    )))
    .expect("token JSON");
    let token = grant["access_token"].as_str().expect("access_token").to_string();
    let waba = grant["waba_id"].as_str().expect("waba_id").to_string();
    let out = with_stdin(
        on(alcance().args(["connect", "whatsapp", "--waba-id", &waba]), ws, &url),
        &format!("{token}\n"),
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("Connected Alcance Atendimento (WhatsApp)"), "{stdout}");
    assert!(
        !stdout.contains(&token) && !stderr.contains(&token),
        "the token is never printed"
    );
    let stderr = failed(
        on(
            alcance().args(["connect", "whatsapp", "--waba-id", "not-a-number"]),
            ws,
            &url,
        )
        .stdin(Stdio::null())
        .output()
        .expect("connect"),
    );
    assert!(stderr.contains("--waba-id"), "{stderr}");

    // Track: the same profile again is the same account; an unknown handle fails.
    let out = ok(on(alcance().args(["track", "x", "@ana_influencer"]), ws, &url)
        .output()
        .expect("track"));
    assert!(
        out.contains("Tracking @ana_influencer (X)") && out.contains("@alcance_br's token"),
        "{out}"
    );
    let stderr = failed(
        on(alcance().args(["track", "x", "@nobody_here_42"]), ws, &url)
            .output()
            .expect("track"),
    );
    assert!(stderr.contains("nobody_here_42"), "{stderr}");
    let stderr = failed(
        on(alcance().args(["track", "tiktok", "@someone"]), ws, &url)
            .output()
            .expect("track"),
    );
    assert!(stderr.to_lowercase().contains("tiktok"), "{stderr}");

    // Delete: a wrong confirmation deletes nothing; the handle confirms; --yes skips it.
    let stderr = failed(with_stdin(
        on(alcance().args(["delete-data", "x:@ana_influencer"]), ws, &url),
        "nope\n",
    ));
    assert!(stderr.contains("not deleted"), "{stderr}");
    let list = ok(on(alcance().arg("accounts"), ws, &url).output().expect("accounts"));
    assert!(list.contains("@ana_influencer"), "{list}");
    let out = with_stdin(
        on(alcance().args(["delete-data", "x:@ana_influencer"]), ws, &url),
        "@ana_influencer\n",
    );
    assert!(ok(out).contains("Deleted @ana_influencer (X)"));
    let out = ok(
        on(alcance().args(["delete-data", "--yes", "@ana.influencer"]), ws, &url)
            .output()
            .expect("delete"),
    );
    assert!(out.contains("Deleted @ana.influencer (Instagram)"), "{out}");
    let list = ok(on(alcance().arg("accounts"), ws, &url).output().expect("accounts"));
    // Reddit's @ana_influencer (the same handle on another network) stays.
    assert!(
        !list
            .lines()
            .any(|l| l.contains("@ana_influencer") && !l.contains("Reddit"))
            && !list.contains("@ana.influencer"),
        "{list}"
    );
    assert!(list.contains("@alcance_br"), "{list}");
}
