#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Encryption at rest (issue 15 point 6): an SQLCipher workspace opens only with its key,
//! holds no readable text on disk, backs up encrypted, and converts in place both ways
//! without losing a row.

use crate::common;

use alcance_core::Platform;
use alcance_store::at_rest::{convert_in_place, file_state, FileState, PLAIN_HEADER};
use alcance_store::schedule::inspect_database_file;
use alcance_store::{DatabaseKey, Store, StoreError};
use common::*;
use std::path::Path;

/// A username no page of a plain database could hide: if it is in the file, the file is
/// readable.
const MARKER: &str = "marcador_legivel_em_texto";

fn key(byte: u8, salt: u8) -> DatabaseKey {
    DatabaseKey::new([byte; 32], [salt; 16])
}

/// Every byte of the database and its side files.
fn disk_bytes(path: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for suffix in ["", "-wal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        if let Ok(bytes) = std::fs::read(&name) {
            all.extend(bytes);
        }
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

async fn fill(store: &Store) -> i64 {
    let id = store
        .upsert_account(&account(Platform::X, "1", MARKER), Some("Conta Secreta"), None)
        .await
        .expect("account");
    let run = store.start_run("manual", at(9, 0, 0)).await.expect("run");
    let raw = [exchange("https://api.x.com/2/users/1", 200, MARKER, at(10, 0, 0))];
    store
        .save_batch(run, id, at(10, 0, 0), &full_batch(1234.0, 56.0), &raw)
        .await
        .expect("batch");
    // The batch's profile renamed the account; name it again so the marker is stored.
    store
        .upsert_account(&account(Platform::X, "1", MARKER), None, None)
        .await
        .expect("rename");
    id
}

#[tokio::test]
async fn an_encrypted_workspace_opens_only_with_its_key_and_shows_nothing_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alcance.db");
    let k = key(0x11, 0x22);
    let store = Store::open_encrypted(&path, &k).await.expect("create encrypted");
    assert!(store.is_encrypted());
    fill(&store).await;
    assert_eq!(store.integrity_check().await.unwrap(), "ok");
    store.close().await;

    assert_eq!(file_state(&path).unwrap(), FileState::Encrypted { salt: k.salt() });
    let bytes = disk_bytes(&path);
    assert!(!bytes.starts_with(PLAIN_HEADER));
    assert!(!contains(&bytes, MARKER), "the username is readable on disk");
    assert!(!contains(&bytes, "CREATE TABLE"), "the schema is readable on disk");

    // No key: a clear error, not "not a database".
    let err = Store::open(&path).await.expect_err("no key");
    assert!(matches!(err, StoreError::Encrypted { .. }), "{err:?}");
    assert!(err.to_string().contains("encrypted"), "{err}");
    // Another key with the same salt: refused, the file untouched.
    let err = Store::open_encrypted(&path, &key(0x33, 0x22))
        .await
        .expect_err("wrong key");
    assert!(matches!(err, StoreError::WrongKey { .. }), "{err:?}");
    // A key made for another database.
    let err = Store::open_encrypted(&path, &key(0x11, 0x44))
        .await
        .expect_err("other salt");
    assert!(matches!(err, StoreError::WrongKey { .. }), "{err:?}");

    let again = Store::open_encrypted(&path, &k).await.expect("reopen");
    let counts = again.table_counts().await.unwrap();
    assert_eq!(counts.accounts, 1);
    assert!(counts.account_metrics > 0);
    again.close().await;
}

#[tokio::test]
async fn a_plain_file_refuses_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alcance.db");
    Store::open(&path).await.unwrap().close().await;
    let err = Store::open_encrypted(&path, &key(1, 2)).await.expect_err("plain");
    assert!(matches!(err, StoreError::NotEncrypted { .. }), "{err:?}");
}

#[tokio::test]
async fn backups_of_an_encrypted_workspace_are_encrypted_with_the_same_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alcance.db");
    let k = key(0x55, 0x66);
    let store = Store::open_encrypted(&path, &k).await.unwrap();
    fill(&store).await;
    let backup = dir.path().join("backup.db");
    store.backup_into(&backup).await.expect("backup");
    store.close().await;

    assert_eq!(file_state(&backup).unwrap(), FileState::Encrypted { salt: k.salt() });
    assert!(!contains(&std::fs::read(&backup).unwrap(), MARKER));
    let err = inspect_database_file(&backup, None).await.expect_err("no key");
    assert!(matches!(err, StoreError::Encrypted { .. }), "{err:?}");
    let info = inspect_database_file(&backup, Some(&k)).await.expect("inspect");
    assert_eq!(info.integrity, "ok");
    assert!(info.applied_migrations.contains(&1));
    let copy = Store::open_encrypted(&backup, &k).await.expect("backup opens");
    assert_eq!(copy.table_counts().await.unwrap().accounts, 1);
    copy.close().await;
}

#[tokio::test]
async fn converting_in_place_keeps_every_row_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alcance.db");
    let store = Store::open(&path).await.unwrap();
    fill(&store).await;
    let before = store.table_counts().await.unwrap();
    store.close().await;
    assert!(contains(&disk_bytes(&path), MARKER));

    let k = key(0x77, 0x88);
    let converted = convert_in_place(&path, None, Some(&k)).await.expect("encrypt");
    assert!(
        converted.rows.iter().any(|(t, n)| t == "accounts" && *n == 1),
        "{converted:?}"
    );
    assert_eq!(file_state(&path).unwrap(), FileState::Encrypted { salt: k.salt() });
    assert!(!contains(&disk_bytes(&path), MARKER));
    assert!(!path.with_extension("db.converting").exists());
    let store = Store::open_encrypted(&path, &k).await.expect("opens encrypted");
    assert_eq!(store.table_counts().await.unwrap(), before);
    assert_eq!(store.integrity_check().await.unwrap(), "ok");
    // Still writable after the conversion (WAL again, migrations current).
    store
        .upsert_account(&account(Platform::Instagram, "2", "depois"), None, None)
        .await
        .unwrap();
    store.close().await;

    // Wrong key: nothing changes.
    let err = convert_in_place(&path, Some(&key(0x99, 0x88)), None)
        .await
        .expect_err("wrong key");
    assert!(matches!(err, StoreError::WrongKey { .. }), "{err:?}");
    assert_eq!(file_state(&path).unwrap(), FileState::Encrypted { salt: k.salt() });

    convert_in_place(&path, Some(&k), None).await.expect("decrypt");
    assert_eq!(file_state(&path).unwrap(), FileState::Plain);
    let store = Store::open(&path).await.expect("opens plain");
    assert_eq!(store.table_counts().await.unwrap().accounts, 2);
    store.close().await;
}

#[tokio::test]
async fn a_workspace_in_use_is_not_converted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alcance.db");
    let store = Store::open(&path).await.unwrap();
    fill(&store).await;
    // The app holds it open (a reader mid-transaction keeps its snapshot).
    let pool = store.sqlite_pool().unwrap().clone();
    let mut reader = pool.begin().await.unwrap();
    let _: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts")
        .fetch_one(&mut *reader)
        .await
        .unwrap();
    let err = convert_in_place(&path, None, Some(&key(1, 2)))
        .await
        .expect_err("in use");
    assert!(matches!(err, StoreError::Busy { .. }), "{err:?}");
    drop(reader);
    assert_eq!(file_state(&path).unwrap(), FileState::Plain);
    assert!(!path.with_extension("db.converting").exists());
    assert_eq!(store.table_counts().await.unwrap().accounts, 1);
    store.close().await;
}
