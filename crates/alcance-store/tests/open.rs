#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Opening: migrations on open (file and memory), connection settings, damaged files,
//! integrity check.

use crate::common;

use alcance_core::Platform;
use alcance_store::{both_engines, on_pool, Engine};
use alcance_store::{Store, StoreError, TableCounts};
use common::*;
use sqlx::Row;

async fn pragma(store: &Store, name: &str) -> String {
    let row = sqlx::query(&format!("PRAGMA {name}"))
        .fetch_one(store.sqlite_pool().expect("an SQLite store"))
        .await
        .expect("pragma");
    match row.try_get::<String, _>(0) {
        Ok(s) => s,
        Err(_) => row.try_get::<i64, _>(0).expect("pragma value").to_string(),
    }
}

/// How many migration files the store embeds (`migrations/NNNN_*.sql`).
fn migration_files() -> i64 {
    std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .expect("migrations folder")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".sql"))
        .count() as i64
}

async fn applied_migrations(store: &Store) -> i64 {
    on_pool!(store.pool(), |p| sqlx::query_scalar(
        "SELECT count(*) FROM _sqlx_migrations WHERE success"
    )
    .fetch_one(p)
    .await)
    .expect("migrations table")
}

#[tokio::test]
async fn file_store_runs_migrations_once_and_uses_wal_and_foreign_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested").join("alcance.db");
    let store = Store::open(&path).await.expect("open creates folder and file");
    assert!(path.exists());
    assert_eq!(store.table_counts().await.expect("counts"), TableCounts::default());
    assert_eq!(applied_migrations(&store).await, migration_files());
    assert_eq!(pragma(&store, "journal_mode").await, "wal");
    assert_eq!(pragma(&store, "foreign_keys").await, "1");
    assert_eq!(pragma(&store, "synchronous").await, "1", "NORMAL");
    assert_eq!(pragma(&store, "busy_timeout").await, "5000");
    let id = store
        .upsert_account(
            &account(Platform::X, "2244994945", "XDevelopers"),
            None,
            Some("alcance/x/2244994945"),
        )
        .await
        .expect("account");
    store.close().await;

    // Reopening applies nothing new and keeps the data.
    let store = Store::open(&path).await.expect("reopen");
    assert_eq!(applied_migrations(&store).await, migration_files());
    let accounts = store.list_accounts().await.expect("list");
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].id, id);
    assert_eq!(accounts[0].vault_key.as_deref(), Some("alcance/x/2244994945"));
    assert_eq!(store.integrity_check().await.expect("check"), "ok");
    store.close().await;
}

#[tokio::test]
async fn memory_store_has_the_schema_and_keeps_data_across_calls() {
    let store = Store::open_in_memory().await.expect("open");
    assert_eq!(applied_migrations(&store).await, migration_files());
    assert_eq!(pragma(&store, "foreign_keys").await, "1");
    let id = store
        .upsert_account(&account(Platform::Tiktok, "tt-1", "creator"), Some("Creator"), None)
        .await
        .expect("account");
    let clone = store.clone();
    let row = clone.account(id).await.expect("same data through a clone");
    assert_eq!(row.display_name.as_deref(), Some("Creator"));
    assert_eq!(row.status, "active");
    assert_eq!(store.integrity_check().await.expect("check"), "ok");
}

/// SQLite is built without its global memory statistics (`.cargo/config.toml`,
/// `LIBSQLITE3_FLAGS`, ADR 0025): with them every allocation inside SQLite takes one
/// process-wide mutex that concurrent reads contend on. A build that lost the flag (cargo
/// run from outside the repository, a changed config) fails here.
#[tokio::test]
async fn sqlite_is_built_without_global_memory_statistics() {
    let store = Store::open_in_memory().await.expect("open");
    let options: Vec<String> = sqlx::query_scalar("PRAGMA compile_options")
        .fetch_all(store.sqlite_pool().expect("an SQLite store"))
        .await
        .expect("compile options");
    assert!(
        options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
        "DEFAULT_MEMSTATUS=0 missing from {options:?}"
    );
    // The same build is SQLCipher's (encryption at rest), thread-safe.
    assert!(options.iter().any(|o| o == "HAS_CODEC"), "{options:?}");
    assert!(options.iter().any(|o| o == "THREADSAFE=1"), "{options:?}");
}

#[tokio::test]
async fn garbage_file_is_reported_as_not_a_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("garbage.db");
    let garbage: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&path, &garbage).expect("write garbage");
    let err = Store::open(&path).await.expect_err("garbage must not open");
    // Without a key, garbage cannot be told from an encrypted database (neither starts with
    // SQLite's header): the error names both, and the file.
    assert!(matches!(err, StoreError::Encrypted { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("not an SQLite file") && msg.contains("garbage.db"),
        "{msg}"
    );
    // With a key, it is not a database that key opens.
    let key = alcance_store::DatabaseKey::new([1; 32], garbage[..16].try_into().expect("16 bytes"));
    let err = Store::open_encrypted(&path, &key)
        .await
        .expect_err("garbage must not open");
    assert!(matches!(err, StoreError::WrongKey { .. }), "{err:?}");
    assert!(err.to_string().contains("damaged"), "{err}");
    // Shorter than a header: not a database, whatever the key.
    std::fs::write(&path, b"SQLite").expect("write");
    let err = Store::open(&path).await.expect_err("truncated");
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
    assert!(err.is_damaged_file());
    assert!(err.to_string().contains("not an SQLite database"), "{err}");
}

#[tokio::test]
async fn damaged_pages_are_reported_as_corrupt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("damaged.db");
    let store = Store::open(&path).await.expect("open");
    let account_id = store
        .upsert_account(
            &account(Platform::Instagram, "17841400000000001", "alcance_demo"),
            None,
            None,
        )
        .await
        .expect("account");
    let run = store.start_run("manual", at(9, 0, 0)).await.expect("run");
    store
        .save_batch(run, account_id, at(10, 0, 0), &full_batch(1000.0, 10.0), &[])
        .await
        .expect("save");
    store.close().await; // checkpoints the WAL into the main file

    // Keep the 100-byte header, overwrite the rest of page 1 (the schema) with garbage.
    let mut bytes = std::fs::read(&path).expect("read db");
    assert!(bytes.len() > 4096);
    for (i, b) in bytes.iter_mut().enumerate().take(4096).skip(100) {
        *b = (i as u8).wrapping_mul(37).wrapping_add(11);
    }
    std::fs::write(&path, &bytes).expect("write damaged db");
    let err = Store::open(&path).await.expect_err("damaged file must not open");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(err.is_damaged_file());
    let msg = err.to_string();
    assert!(msg.contains("damaged") && msg.contains("damaged.db"), "{msg}");
}

#[tokio::test]
async fn a_folder_in_place_of_the_file_is_an_access_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = Store::open(dir.path())
        .await
        .expect_err("a directory is not a database");
    assert!(
        matches!(err, StoreError::Access { .. } | StoreError::Sqlx(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_full_disk_is_reported_and_the_batch_rolled_back() {
    let Some((store, account_id, run)) = store_with_account(Engine::Sqlite).await else {
        return;
    };
    let pool = store.sqlite_pool().expect("an SQLite store");
    // The in-memory pool has one connection, so this cap applies to every write after it.
    let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
        .fetch_one(pool)
        .await
        .expect("pages");
    sqlx::query(&format!("PRAGMA max_page_count = {pages}"))
        .execute(pool)
        .await
        .expect("cap");
    let before = store.table_counts().await.expect("counts");
    // Incompressible text: xorshift64 letters.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let noise: String = (0..400_000)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            char::from(b'a' + (seed % 26) as u8)
        })
        .collect();
    let raw = [exchange(
        "https://api.x.com/2/users/1/tweets",
        200,
        &noise,
        at(10, 0, 0),
    )];
    let err = store
        .save_batch(run, account_id, at(10, 0, 0), &full_batch(1.0, 1.0), &raw)
        .await
        .expect_err("no room");
    assert!(matches!(err, StoreError::DiskFull { .. }), "{err:?}");
    assert!(err.to_string().contains("disk is full"), "{err}");
    assert_eq!(
        store.table_counts().await.expect("counts"),
        before,
        "nothing half-written"
    );
}

async fn a_hand_edited_value_is_a_decode_error_not_a_panic(engine: Engine) {
    let Some((store, account_id, _)) = store_with_account(engine).await else {
        return;
    };
    on_pool!(store.pool(), |p| sqlx::query(
        "UPDATE accounts SET last_collected_at = 'yesterday' WHERE id = $1"
    )
    .bind(account_id)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))
    .expect("edit");
    let err = store.list_accounts().await.expect_err("bad timestamp");
    assert!(
        matches!(
            err,
            StoreError::Decode {
                column: "accounts.last_collected_at",
                ..
            }
        ),
        "{err:?}"
    );
    on_pool!(store.pool(), |p| sqlx::query(
        "UPDATE accounts SET last_collected_at = NULL, platform = 'myspace'"
    )
    .execute(p)
    .await
    .map(|r| r.rows_affected()))
    .expect("edit");
    let err = store.account(account_id).await.expect_err("bad platform");
    assert!(
        matches!(
            err,
            StoreError::Decode {
                column: "accounts.platform",
                ..
            }
        ),
        "{err:?}"
    );
}

both_engines!(a_hand_edited_value_is_a_decode_error_not_a_panic,);

/// `alcance workspace copy` decides for every table: copied, left with its vault, or
/// derived by the destination's triggers.
#[tokio::test]
async fn the_copy_list_names_every_table_of_the_schema() {
    let store = Store::open_in_memory().await.expect("store");
    let pool = store.sqlite_pool().expect("sqlite");
    let mut tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .expect("tables");
    tables.sort();
    let mut listed: Vec<String> = alcance_store::copy::COPY_TABLES
        .iter()
        .chain(alcance_store::copy::NOT_COPIED)
        .chain(alcance_store::copy::SEARCH_INDEX_TABLES)
        .chain(alcance_store::copy::DERIVED_TABLES)
        .map(|t| t.to_string())
        .collect();
    listed.sort();
    assert_eq!(listed, tables);
    store.close().await;
}
