//! Daily backups (online `VACUUM INTO`, one file per UTC day, rotation) and restore (the file
//! is checked first; a corrupt or foreign file is refused and the live database untouched;
//! the replaced database is kept as `alcance.db.before-restore`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use alcance_app::at_rest::{at_rest, encrypt_workspace, open_database, AtRest, NewDatabase};
use alcance_app::scheduler::{backup_dir, list_backups, restore_database, take_backup};
use alcance_app::vault::{MemoryVault, TokenVault};
use alcance_core::{AccountRef, Platform};
use alcance_store::Store;
use chrono::NaiveDate;
use sqlx::{ConnectOptions, Connection};
use std::path::Path;

fn account(n: u32) -> AccountRef {
    AccountRef {
        platform: Platform::X,
        external_id: format!("{n}"),
        username: Some(format!("user{n}")),
        owned: true,
    }
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).expect("date")
}

async fn accounts_in(path: &Path) -> usize {
    let store = Store::open(path).await.expect("open");
    let n = store.list_accounts().await.expect("accounts").len();
    store.close().await;
    n
}

#[tokio::test]
async fn one_backup_per_day_and_only_the_newest_are_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("alcance.db")).await.expect("open");
    store.upsert_account(&account(1), None, None).await.expect("account");

    // A file that is not a daily backup is left alone by rotation.
    std::fs::create_dir_all(backup_dir(dir.path())).expect("dir");
    let note = backup_dir(dir.path()).join("README.txt");
    std::fs::write(&note, "mine").expect("note");

    let mut removed_all = Vec::new();
    for d in 20..=24 {
        store.upsert_account(&account(d), None, None).await.expect("account");
        let outcome = take_backup(&store, dir.path(), day(d), 3)
            .await
            .expect("backup")
            .expect("a new backup");
        assert_eq!(
            outcome.path,
            backup_dir(dir.path()).join(format!("alcance-2026-11-{d}.db"))
        );
        removed_all.extend(outcome.removed);
        assert!(list_backups(dir.path()).expect("list").len() <= 3);
    }
    // The same day again: nothing new.
    assert!(take_backup(&store, dir.path(), day(24), 3)
        .await
        .expect("backup")
        .is_none());
    let kept: Vec<NaiveDate> = list_backups(dir.path())
        .expect("list")
        .iter()
        .map(|(d, _)| *d)
        .collect();
    assert_eq!(kept, vec![day(24), day(23), day(22)], "newest first");
    let removed: Vec<String> = removed_all
        .iter()
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    assert_eq!(removed, vec!["alcance-2026-11-20.db", "alcance-2026-11-21.db"]);
    assert!(note.exists());
    assert!(
        std::fs::read_dir(backup_dir(dir.path()))
            .expect("dir")
            .filter_map(Result::ok)
            .all(|e| !e.file_name().to_string_lossy().ends_with(".partial")),
        "no temporary file is left behind"
    );
    // Each backup is a full copy as of its day: the 22nd had accounts 1, 20, 21, 22.
    assert_eq!(
        accounts_in(&backup_dir(dir.path()).join("alcance-2026-11-22.db")).await,
        4
    );
    store.close().await;
}

#[tokio::test]
async fn restore_checks_the_file_keeps_the_old_database_and_refuses_damaged_or_foreign_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = MemoryVault::new();
    let live = dir.path().join("alcance.db");
    let store = Store::open(&live).await.expect("open");
    store.upsert_account(&account(1), None, None).await.expect("account");
    let backup = take_backup(&store, dir.path(), day(20), 7)
        .await
        .expect("backup")
        .expect("new")
        .path;
    store.upsert_account(&account(2), None, None).await.expect("account");
    store.upsert_account(&account(3), None, None).await.expect("account");
    store.close().await;
    assert_eq!(accounts_in(&live).await, 3);

    // A damaged copy of the backup: refused, nothing changes.
    let damaged = dir.path().join("damaged.db");
    let mut bytes = std::fs::read(&backup).expect("read");
    let len = bytes.len();
    for (i, b) in bytes.iter_mut().enumerate().take(len).skip(100) {
        *b = (i as u8).wrapping_mul(31).wrapping_add(7);
    }
    std::fs::write(&damaged, &bytes).expect("write");
    let err = restore_database(dir.path(), &damaged, &vault)
        .await
        .expect_err("damaged");
    assert!(format!("{err:#}").contains("refusing to restore"), "{err:#}");
    // Not a database at all.
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "just some text, not SQLite").expect("write");
    let err = restore_database(dir.path(), &text, &vault).await.expect_err("text");
    assert!(format!("{err:#}").contains("refusing to restore"), "{err:#}");
    // An SQLite file of another program.
    let foreign = dir.path().join("foreign.db");
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&foreign)
        .create_if_missing(true)
        .connect()
        .await
        .expect("connect");
    sqlx::query("CREATE TABLE t (x)")
        .execute(&mut conn)
        .await
        .expect("table");
    conn.close().await.expect("close");
    let err = restore_database(dir.path(), &foreign, &vault)
        .await
        .expect_err("foreign");
    assert!(format!("{err:#}").contains("not an Alcance database"), "{err:#}");
    // The live database itself.
    assert!(restore_database(dir.path(), &live, &vault).await.is_err());
    assert_eq!(accounts_in(&live).await, 3, "the live database is untouched");
    assert!(!dir.path().join("alcance.db.before-restore").exists());

    // A good backup: restored; the replaced database is kept.
    let report = restore_database(dir.path(), &backup, &vault).await.expect("restore");
    assert_eq!(report.database, live);
    let kept = report.previous.expect("previous kept");
    assert_eq!(kept, dir.path().join("alcance.db.before-restore"));
    assert!(report.migrations_in_file.contains(&1));
    assert_eq!(accounts_in(&live).await, 1, "the backup's data");
    assert_eq!(
        accounts_in(&kept).await,
        3,
        "the replaced data, complete (WAL folded in)"
    );
    assert!(backup.exists(), "the backup is copied, not moved");
    let store = Store::open(&live).await.expect("open");
    assert_eq!(store.integrity_check().await.expect("check"), "ok");
    store.close().await;
}

async fn accounts_with(path: &Path, vault: &dyn TokenVault) -> usize {
    let store = open_database(path, vault, NewDatabase::Plain).await.expect("open");
    let n = store.list_accounts().await.expect("accounts").len();
    store.close().await;
    n
}

/// Issue 15 point 6: an encrypted workspace's backups are encrypted, restore with the key
/// the vault holds, and are refused (nothing changed) by a vault without it.
#[tokio::test]
async fn encrypted_workspaces_back_up_and_restore_encrypted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let live = dir.path().join("alcance.db");
    let vault = MemoryVault::new();
    let store = open_database(&live, &vault, NewDatabase::Encrypted)
        .await
        .expect("create");
    assert!(store.is_encrypted());
    store.upsert_account(&account(1), None, None).await.expect("account");
    let backup = take_backup(&store, dir.path(), day(20), 7)
        .await
        .expect("backup")
        .expect("new")
        .path;
    store.upsert_account(&account(2), None, None).await.expect("account");
    store.close().await;
    assert_eq!(at_rest(&backup).unwrap(), AtRest::Encrypted);
    let err = Store::open(&backup).await.expect_err("no key");
    assert!(err.to_string().contains("encrypted"), "{err}");

    // Another machine's vault: refused before anything moves.
    let err = restore_database(dir.path(), &backup, &MemoryVault::new())
        .await
        .expect_err("no key");
    assert!(err.message().contains("encrypted"), "{}", err.message());
    assert_eq!(accounts_with(&live, &vault).await, 2);

    restore_database(dir.path(), &backup, &vault).await.expect("restore");
    assert_eq!(at_rest(&live).unwrap(), AtRest::Encrypted);
    assert_eq!(accounts_with(&live, &vault).await, 1);
    assert_eq!(
        accounts_with(&dir.path().join("alcance.db.before-restore"), &vault).await,
        2
    );
}

/// `alcance workspace encrypt` on an existing plain workspace: every row kept, its daily
/// backups from then on encrypted, a second run refused.
#[tokio::test]
async fn a_plain_workspace_is_encrypted_in_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let live = dir.path().join("alcance.db");
    let vault = MemoryVault::new();
    let store = Store::open(&live).await.expect("plain");
    store.upsert_account(&account(1), None, None).await.expect("account");
    store.close().await;
    let done = encrypt_workspace(dir.path(), &vault).await.expect("encrypt");
    assert!(done.rows.iter().any(|(t, n)| t == "accounts" && *n == 1));
    assert_eq!(at_rest(&live).unwrap(), AtRest::Encrypted);
    let store = open_database(&live, &vault, NewDatabase::Plain).await.expect("open");
    let backup = take_backup(&store, dir.path(), day(21), 7)
        .await
        .expect("backup")
        .expect("new")
        .path;
    store.close().await;
    assert_eq!(at_rest(&backup).unwrap(), AtRest::Encrypted);
    let err = encrypt_workspace(dir.path(), &vault).await.expect_err("twice");
    assert!(err.message().contains("already encrypted"), "{}", err.message());
}

/// What a restore killed part-way leaves is tidied on the next start: an unfinished copy
/// (`alcance.db.restoring`) is removed, and a live database an older Alcance had already
/// moved aside (`alcance.db.before-restore` without `alcance.db`) is put back.
#[tokio::test]
async fn the_next_start_finishes_an_interrupted_restore() {
    let dir = tempfile::tempdir().expect("tempdir");
    let live = dir.path().join("alcance.db");
    let store = Store::open(&live).await.expect("open");
    store.upsert_account(&account(1), None, None).await.expect("account");
    store.close().await;
    std::fs::write(dir.path().join("alcance.db.restoring"), b"half a copy").expect("leftover");
    std::fs::rename(&live, dir.path().join("alcance.db.before-restore")).expect("moved aside");

    assert!(alcance_app::backup::finish_interrupted_restore(dir.path()).expect("tidy"));
    assert!(!dir.path().join("alcance.db.restoring").exists());
    assert!(!dir.path().join("alcance.db.before-restore").exists());
    assert_eq!(accounts_in(&live).await, 1, "the database as it was before the restore");
    // Nothing left to do: a second call changes nothing.
    assert!(!alcance_app::backup::finish_interrupted_restore(dir.path()).expect("tidy"));
    assert_eq!(accounts_in(&live).await, 1);
}

/// A backup killed mid-write leaves its temporary file (never a file under a backup's
/// name); the next backup removes it once it is an hour old, and leaves a fresh one alone.
#[tokio::test]
async fn the_next_backup_removes_what_a_killed_one_left() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("alcance.db")).await.expect("open");
    store.upsert_account(&account(1), None, None).await.expect("account");
    let folder = backup_dir(dir.path());
    std::fs::create_dir_all(&folder).expect("folder");
    let stale = folder.join(".alcance-2026-11-01.db.Ab12Cd.partial");
    let fresh = folder.join(".alcance-2026-11-02.db.Ef34Gh.partial");
    for f in [&stale, &fresh] {
        std::fs::write(f, b"half a backup").expect("leftover");
    }
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .expect("open")
        .set_modified(two_hours_ago)
        .expect("age it");
    take_backup(&store, dir.path(), day(3), 7).await.expect("backup");
    assert!(!stale.exists(), "an hour-old leftover is removed");
    assert!(fresh.exists(), "a backup that may still be running is left alone");
    assert_eq!(list_backups(dir.path()).expect("list").len(), 1);
    store.close().await;
}
