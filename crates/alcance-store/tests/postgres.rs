#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Opening a PostgreSQL store: the schema, the engine-specific operations, and the errors
//! a team meets first (an unreachable server, a refused password, a missing database, a
//! database of another application, a schema from a newer Alcance), each a clear
//! `StoreError` naming the cause and never the password. The location rule too.

use crate::common;

use alcance_core::Platform;
use alcance_store::testing::{self, empty_database, pg_url, with_database};
use alcance_store::{both_engines, on_pool, Engine, Store, StoreError, StoreLocation};
use common::*;

fn pg_migration_files() -> i64 {
    std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres"))
        .expect("migrations folder")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".sql"))
        .count() as i64
}

/// The password of `url` (`scheme://user:password@…`), if any.
fn password(url: &str) -> Option<&str> {
    let authority = url.split("://").nth(1)?.split('/').next()?;
    let userinfo = authority.rsplit_once('@')?.0;
    userinfo.split_once(':').map(|(_, p)| p)
}

#[tokio::test]
async fn a_postgres_store_has_the_schema_and_refuses_sqlite_only_operations() {
    let Some(store) = testing::store(Engine::Postgres).await else {
        return;
    };
    assert_eq!(store.engine(), Engine::Postgres);
    let applied: i64 = on_pool!(store.pool(), |p| sqlx::query_scalar(
        "SELECT count(*) FROM _sqlx_migrations WHERE success"
    )
    .fetch_one(p)
    .await)
    .expect("migrations");
    assert_eq!(applied, pg_migration_files());
    assert!(store.sqlite_pool().is_none());
    let id = store
        .upsert_account(&account(Platform::Tiktok, "tt-1", "creator"), Some("Creator"), None)
        .await
        .expect("account");
    // A second pool, as another process would open it, sees the data and the trigger's
    // default schedule.
    let other = store.reopen().await.expect("a PostgreSQL store").expect("reopen");
    assert_eq!(
        other.account(id).await.expect("account").display_name.as_deref(),
        Some("Creator")
    );
    assert_eq!(other.schedule(id).await.expect("schedule").cadence, "daily");
    other.close().await;
    let err = store.integrity_check().await.expect_err("SQLite only");
    assert!(matches!(err, StoreError::SqliteOnly { .. }), "{err:?}");
    let dir = tempfile::tempdir().expect("tempdir");
    let err = store
        .backup_into(&dir.path().join("b.db"))
        .await
        .expect_err("SQLite only");
    assert!(matches!(err, StoreError::SqliteOnly { .. }), "{err:?}");
    assert!(err.to_string().contains("only available for SQLite"), "{err}");
}

#[tokio::test]
async fn connect_opens_a_file_or_a_postgres_url() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("ws").join("alcance.db");
    let file = Store::connect(path.to_str().expect("utf-8")).await.expect("file");
    assert_eq!(file.engine(), Engine::Sqlite);
    assert!(path.is_file());
    file.close().await;
    assert!(matches!(
        StoreLocation::parse(path.to_str().expect("utf-8")),
        StoreLocation::File(_)
    ));
    let Some(empty) = empty_database().await else {
        return;
    };
    let store = Store::connect(empty.url()).await.expect("postgres");
    assert_eq!(store.engine(), Engine::Postgres);
    store.close().await;
    // Opening again migrates nothing and keeps working.
    let again = Store::connect(empty.url()).await.expect("again");
    assert_eq!(again.list_accounts().await.expect("accounts"), vec![]);
    again.close().await;
}

#[tokio::test]
async fn an_unreachable_server_is_a_clear_error_without_the_password() {
    // Port 1 on the loopback: nothing listens, the connection is refused at once.
    let err = Store::connect("postgres://alcance:pa55word@127.0.0.1:1/alcance")
        .await
        .expect_err("nothing listens on port 1");
    assert!(matches!(err, StoreError::Unreachable { .. }), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("127.0.0.1:1"), "{shown}");
    assert!(!shown.contains("pa55word"), "{shown}");
    let err = Store::connect("postgres://alcance:pa55word@127.0.0.1:notaport/x")
        .await
        .expect_err("bad URL");
    assert!(matches!(err, StoreError::Invalid { .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("pa55word"), "{err:?}");
}

#[tokio::test]
async fn a_wrong_password_and_a_missing_database_are_named() {
    let Some(url) = pg_url() else {
        return;
    };
    let real = password(&url).unwrap_or_default().to_string();
    let wrong = match password(&url) {
        Some(p) => url.replacen(&format!(":{p}@"), ":not-the-password@", 1),
        None => url.replacen("://", "://nobody:not-the-password@", 1),
    };
    let err = Store::connect(&wrong).await.expect_err("wrong password");
    assert!(matches!(err, StoreError::Auth { .. }), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("password"), "{shown}");
    assert!(!shown.contains("not-the-password"), "{shown}");
    assert!(real.is_empty() || !shown.contains(&real), "{shown}");

    let err = Store::connect(&with_database(&url, "alcance_no_such_database"))
        .await
        .expect_err("missing database");
    assert!(matches!(err, StoreError::Access { .. }), "{err:?}");
    assert!(err.to_string().contains("does not exist"), "{err}");
}

#[tokio::test]
async fn a_database_of_another_application_is_left_alone() {
    let Some(empty) = empty_database().await else {
        return;
    };
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(empty.url())
        .await
        .expect("connect");
    sqlx::query("CREATE TABLE customers (id BIGINT PRIMARY KEY, name TEXT)")
        .execute(&mut conn)
        .await
        .expect("other app's table");
    let err = Store::connect(empty.url()).await.expect_err("another app's database");
    assert!(matches!(err, StoreError::ForeignDatabase { .. }), "{err:?}");
    assert!(err.to_string().contains("customers"), "{err}");
    let tables: i64 =
        sqlx::query_scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()")
            .fetch_one(&mut conn)
            .await
            .expect("tables");
    assert_eq!(tables, 1, "nothing was created");

    // Another sqlx application: its own migration 1.
    let Some(other) = empty_database().await else {
        return;
    };
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(other.url())
        .await
        .expect("connect");
    for sql in [
        "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, success BOOLEAN NOT NULL)",
        "INSERT INTO _sqlx_migrations VALUES (1, 'create users', TRUE)",
        "CREATE TABLE users (id BIGINT PRIMARY KEY)",
    ] {
        sqlx::query(sql).execute(&mut conn).await.expect(sql);
    }
    let err = Store::connect(other.url()).await.expect_err("another sqlx app");
    assert!(matches!(err, StoreError::ForeignDatabase { .. }), "{err:?}");
    assert!(err.to_string().contains("create users"), "{err}");
}

/// A migrations table with nothing applied (a first migration that rolled back) is an
/// empty database: Alcance migrates it.
#[tokio::test]
async fn an_empty_migrations_table_alone_is_an_empty_database() {
    let Some(empty) = empty_database().await else {
        return;
    };
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(empty.url())
        .await
        .expect("connect");
    sqlx::query(
        "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL,
             installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL,
             checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL)",
    )
    .execute(&mut conn)
    .await
    .expect("migrations table");
    let store = Store::connect(empty.url()).await.expect("migrates");
    assert_eq!(store.list_accounts().await.expect("accounts"), vec![]);
    store.close().await;
}

/// A database migrated by a newer Alcance (a migration this build does not know) is
/// refused with both versions named, and left as it is.
async fn a_schema_newer_than_the_binary_is_refused(engine: Engine) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("alcance.db");
    let empty = match engine {
        Engine::Postgres => match empty_database().await {
            Some(empty) => Some(empty),
            None => return,
        },
        _ => None,
    };
    let location = match &empty {
        Some(empty) => empty.url().to_string(),
        None => path.to_str().expect("utf-8").to_string(),
    };
    let store = Store::connect(&location).await.expect("open");
    // The newest migration this build knows (renumbering a migration does not break this).
    let latest = store.latest_migration();
    on_pool!(store.pool(), |p| sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES ($1, 'from the future', TRUE, $2, 0)"
    )
    .bind(9999_i64)
    .bind(vec![0u8; 48])
    .execute(p)
    .await
    .map(|r| r.rows_affected()))
    .expect("future migration");
    store.close().await;
    let err = Store::connect(&location).await.expect_err("newer schema");
    assert!(
        matches!(
            err,
            StoreError::SchemaTooNew {
                version: 9999,
                known
            } if known == latest
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("newer Alcance"), "{err}");
}

both_engines!(a_schema_newer_than_the_binary_is_refused);

/// Both engines' migrations build the same tables with the same columns (SQLite's
/// `sqlite_schema`, PostgreSQL's `information_schema`), but for the comments' full-text
/// index, which each engine keeps its own way: SQLite's FTS5 tables
/// (`copy::SEARCH_INDEX_TABLES`), PostgreSQL's generated `comments.text_search` column.
#[tokio::test]
async fn both_engines_have_the_same_tables_and_columns() {
    let Some(pg) = testing::store(Engine::Postgres).await else {
        return;
    };
    let sqlite = Store::open_in_memory().await.expect("sqlite");
    let mut on_sqlite: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_schema AS m, pragma_table_info(m.name) AS p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(sqlite.sqlite_pool().expect("sqlite"))
    .await
    .expect("sqlite columns");
    let mut on_pg: Vec<(String, String)> = on_pool!(pg.pool(), |p| sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns
         WHERE table_schema = current_schema()"
    )
    .fetch_all(p)
    .await)
    .expect("postgres columns");
    on_sqlite.retain(|(table, _)| !alcance_store::copy::SEARCH_INDEX_TABLES.contains(&table.as_str()));
    assert!(on_pg.contains(&("comments".to_string(), "text_search".to_string())));
    on_pg.retain(|(table, column)| !(table == "comments" && column == "text_search"));
    on_sqlite.sort();
    on_pg.sort();
    assert_eq!(on_pg, on_sqlite);
}
