//! A team workspace as its members run it, on a real PostgreSQL (`ALCANCE_TEST_PG_URL`, see
//! scripts/pg-cluster.sh; skipped locally without one, failing under CI): `alcance team
//! create` with a key file, a WhatsApp account connected into the database from one
//! process, read by another, `alcance vault rotate-key`, and the old key's clear error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

mod common;
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
