//! A team workspace as its members run it, on a real PostgreSQL (`ALCANCE_TEST_PG_URL`, see
//! scripts/pg-cluster.sh; skipped locally without one, failing under CI): `alcance team
//! create` with a key file, a WhatsApp account connected into the database from one
//! process, read by another, `alcance vault rotate-key`, and the old key's clear error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use crate::common;
use common::*;

/// `alcance` for a team member: no OS keychain (the test must not touch the user's), the
/// workspace key from `key_file`.
fn member(key_file: &std::path::Path) -> Command {
    let mut cmd = alcance();
    cmd.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
        .env("ALCANCE_VAULT_KEY_FILE", key_file)
        .env_remove("ALCANCE_VAULT_KEY")
        .env("HOME", key_file.parent().expect("folder"));
    cmd
}

/// What every team test starts from: a runtime, an empty database on the test server, a
/// seeded sandbox process, and a home folder with the path of the team's key file.
struct Team {
    runtime: tokio::runtime::Runtime,
    db: alcance_app::testing::EmptyDatabase,
    sandbox: Killed,
    url: String,
    home: tempfile::TempDir,
    key_file: std::path::PathBuf,
}

impl Team {
    /// `None` when no PostgreSQL test server is configured (skipped locally, a failure
    /// under CI).
    fn new() -> Option<Team> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let db = runtime.block_on(alcance_app::testing::empty_database())?;
        let (sandbox, url) = sandbox();
        let home = tempfile::tempdir().unwrap();
        let key_file = home.path().join("team.key");
        Some(Team {
            runtime,
            db,
            sandbox,
            url,
            home,
            key_file,
        })
    }
}

#[test]
fn a_team_creates_its_workspace_shares_tokens_and_rotates_its_key() {
    let Some(Team {
        runtime,
        db,
        sandbox: _sandbox,
        url,
        home,
        key_file,
    }) = Team::new()
    else {
        return;
    };

    let out = ok(member(&key_file)
        .args(["team", "create", db.url(), "--key-file"])
        .arg(&key_file)
        .output()
        .expect("team create"));
    assert!(out.contains("Team workspace ready"), "{out}");
    assert!(
        !out.contains("alcance-key-1:"),
        "the key went to the file, not the screen: {out}"
    );
    let password = db.password().to_string();
    assert!(!password.is_empty());
    assert!(
        !out.contains(&password),
        "the database password is never printed: {out}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // One member connects a WhatsApp Business Account; its token goes into the database sealed.
    let grant: serde_json::Value = serde_json::from_str(&runtime.block_on(async {
        reqwest::get(format!("{}/__alcance/whatsapp-token", url.trim_end_matches('/')))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }))
    .unwrap();
    let token = grant["access_token"].as_str().unwrap().to_string();
    let waba = grant["waba_id"].as_str().unwrap().to_string();
    let out = with_stdin(
        member(&key_file)
            .args(["connect", "whatsapp", "--waba-id", &waba, "--workspace", db.url()])
            .args(["--sandbox-url", &url]),
        &format!("{token}\n"),
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(!stdout.contains(&token) && !stderr.contains(&token));

    // Another process (another machine) lists it with its token health.
    let list = ok(member(&key_file)
        .args(["accounts", "--workspace", db.url(), "--sandbox-url", &url])
        .output()
        .expect("accounts"));
    assert!(list.contains("Alcance Atendimento"), "{list}");
    assert!(!list.contains(&token));

    // Rotation: a new key in a new file; the old file now gets a clear error, not a crash.
    let old_key = home.path().join("old.key");
    std::fs::copy(&key_file, &old_key).unwrap();
    let new_key = home.path().join("new.key");
    let out = ok(member(&key_file)
        .args(["vault", "rotate-key", "--workspace", db.url(), "--key-file"])
        .arg(&new_key)
        .output()
        .expect("rotate"));
    assert!(
        out.contains("Re-sealed 2 token(s)"),
        "the account's token and the key check: {out}"
    );
    let stale = with_stdin(
        member(&old_key)
            .args(["connect", "whatsapp", "--waba-id", &waba, "--workspace", db.url()])
            .args(["--sandbox-url", &url]),
        &format!("{token}\n"),
    );
    let (stdout, stderr) = text(&stale);
    assert!(!stale.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.contains("workspace key"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let list = ok(member(&new_key)
        .args(["accounts", "--workspace", db.url(), "--sandbox-url", &url])
        .output()
        .expect("accounts with the new key"));
    assert!(list.contains("Alcance Atendimento"), "{list}");
}

#[test]
fn a_solo_workspace_moves_to_the_team_with_its_tokens() {
    let Some(Team {
        runtime: _runtime,
        db,
        sandbox: _sandbox,
        url,
        home,
        key_file,
    }) = Team::new()
    else {
        return;
    };
    let folder = home.path().join("solo");
    ok(alcance()
        .arg("demo")
        .arg("--out")
        .arg(&folder)
        .args(["--sandbox-url", &url, "--days", "2"])
        .output()
        .expect("demo"));
    ok(member(&key_file)
        .args(["team", "create", db.url(), "--key-file"])
        .arg(&key_file)
        .output()
        .expect("team create"));

    let out = ok(member(&key_file)
        .args(["workspace", "copy"])
        .arg(&folder)
        .args([db.url(), "--with-tokens", "--batch", "100"])
        .output()
        .expect("copy"));
    assert!(out.contains("every table matches"), "{out}");
    assert!(!out.contains("DIFFERENT"), "{out}");
    let moved: usize = out
        .split("matches; ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no token count in {out}"));
    assert!(moved >= 5, "one token per connected account at least: {out}");

    // On the team, the connected accounts' tokens are there: their health is known.
    let list = ok(member(&key_file)
        .args(["accounts", "--workspace", db.url(), "--sandbox-url", &url])
        .output()
        .expect("accounts"));
    assert!(list.contains("@alcance_br"), "{list}");
    let x_row = list.lines().find(|l| l.contains("@alcance_br")).unwrap();
    assert!(!x_row.contains("unavailable"), "{x_row}");
    assert!(!list.contains("sbx_"), "no token is printed");
}

/// Forwards every connection to `127.0.0.1:port` to `target` (a PostgreSQL server), on
/// `runtime`, until the runtime is dropped.
fn forward(runtime: &tokio::runtime::Runtime, port: u16, target: std::net::SocketAddr) {
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))
        .expect("the reserved port is still free");
    runtime.spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
}

#[test]
fn a_worker_waits_for_an_unreachable_database_and_starts_when_it_answers() {
    let Some(Team {
        runtime: _runtime,
        db,
        sandbox: _sandbox,
        url,
        home,
        key_file,
    }) = Team::new()
    else {
        return;
    };
    ok(member(&key_file)
        .args(["team", "create", db.url(), "--key-file"])
        .arg(&key_file)
        .output()
        .expect("team create"));
    // The same database behind a port where nothing listens yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut parsed = url::Url::parse(db.url()).unwrap();
    let target: std::net::SocketAddr = format!("127.0.0.1:{}", parsed.port().unwrap()).parse().unwrap();
    parsed.set_port(Some(port)).unwrap();
    let log_path = home.path().join("worker.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut worker = Killed(
        member(&key_file)
            .args([
                "run",
                "--workspace",
                parsed.as_str(),
                "--sandbox-url",
                &url,
                "--keep-backups",
                "0",
            ])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("alcance run"),
    );
    let mut wait_for_log = |what: &str| {
        for _ in 0..600 {
            let text = std::fs::read_to_string(&log_path).unwrap_or_default();
            if text.contains(what) {
                return text;
            }
            assert!(
                worker_alive(&mut worker),
                "the worker exited while waiting for {what:?}:\n{text}"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!(
            "never logged {what:?}:\n{}",
            std::fs::read_to_string(&log_path).unwrap_or_default()
        );
    };
    let waiting = wait_for_log("retrying in 2 s");
    assert!(waiting.contains("cannot reach the PostgreSQL server"), "{waiting}");
    assert!(!waiting.contains(db.password()), "no password in the log: {waiting}");

    // The database comes back: the worker connects on its next try and collects.
    let network = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    forward(&network, port, target);
    let started = wait_for_log("Alcance is collecting");
    assert!(!started.contains(db.password()), "{started}");
    let status = Command::new("kill")
        .args(["-INT", &worker.0.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = worker.0.wait().unwrap();
    assert!(
        exit.success(),
        "{exit}: {}",
        std::fs::read_to_string(&log_path).unwrap_or_default()
    );
}

/// `true` while the child runs.
fn worker_alive(worker: &mut Killed) -> bool {
    matches!(worker.0.try_wait(), Ok(None))
}
