//! Alcance's SQLite store: schema migrations, idempotent upserts of collected metrics,
//! dated snapshots, the raw-response archive and the run log.
//!
//! - Runtime queries (`sqlx::query`), no compile-time checking, no `DATABASE_URL`.
//! - Migrations in `migrations/` are embedded and run on every open; forward only.
//! - Every timestamp is stored as UTC RFC 3339 text with second precision
//!   (`2026-11-23T14:05:09Z`, see [`time`]); sub-second parts are truncated on write.
//! - Metric values are `REAL` in the catalog unit; `NULL` ("no data") is never stored as 0.
//! - No secret is stored: accounts keep the *name* of their keychain entry, app credentials
//!   only whether a secret exists, and URLs, bodies and messages are redacted again here.
//!
//! `docs/schema.md` describes every table and the idempotence rule.

#![deny(missing_docs)]

mod accounts;
mod batch;
pub mod campaigns;
mod error;
mod query;
mod redact;
mod rows;
mod runs;
pub mod schedule;
pub mod time;

pub use batch::PreparedBatch;
pub use error::StoreError;
pub use rows::*;

use alcance_core::Platform;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::path::Path;
use std::time::Duration;

/// The embedded migrations (`crates/alcance-store/migrations/`).
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// How long a connection waits for another writer's lock before failing with
/// [`StoreError::Busy`].
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections of a file-backed pool (WAL: readers run beside the one writer).
const FILE_POOL_SIZE: u32 = 4;

/// A handle on one Alcance database. Cheap to clone (the pool is shared).
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating it and its folder if missing) the database file at `path` and
    /// applies pending migrations. Settings: `journal_mode=WAL`, `synchronous=NORMAL`,
    /// `foreign_keys=ON`, `busy_timeout` 5 s, a pool of 4 connections.
    ///
    /// Errors: [`StoreError::NotADatabase`] / [`StoreError::Corrupt`] for a file that is not
    /// a (healthy) SQLite database, [`StoreError::Access`] when it cannot be opened,
    /// [`StoreError::Migrate`] when the schema cannot be updated (e.g. a newer Alcance wrote
    /// it), [`StoreError::Io`] when the folder cannot be created. Messages name the file.
    pub async fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|source| StoreError::Io {
                    path: parent.to_path_buf(),
                    source,
                })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(FILE_POOL_SIZE)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::from(e).at(path))?;
        let store = Store { pool };
        if let Err(e) = store.migrate().await {
            store.close().await;
            return Err(e.at(path));
        }
        Ok(store)
    }

    /// Opens a fresh in-memory database with the schema applied, for tests and dry runs.
    /// The pool holds exactly one connection that never expires, so the data lives as long
    /// as the `Store` (and its clones); a transaction in progress makes other calls wait.
    pub async fn open_in_memory() -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::new()
            .in_memory(true)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        let store = Store { pool };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies pending migrations on one connection with `foreign_keys=OFF`, then turns
    /// foreign keys back on. Off, because a migration that rebuilds a table (SQLite's
    /// "other ALTER TABLE changes" procedure, e.g. `0003_schedules.sql`) drops the old table,
    /// and with foreign keys on that drop would cascade into the tables referencing it. Such
    /// a migration checks `pragma_foreign_key_check` itself before it commits.
    ///
    /// `run_direct` on the connection itself, not `run(&mut *conn)`: the latter's
    /// `Acquire<'a>` bound made every caller's future `Send` only for specific lifetimes
    /// ("implementation of `Send` is not general enough", rust-lang/rust#102211), which
    /// kept Tauri commands from awaiting `Store::open`.
    async fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut *conn).await?;
        let result = MIGRATOR.run_direct(&mut *conn).await;
        if let Err(e) = sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await {
            // Never hand a connection without foreign keys back to the pool.
            let _ = conn.close().await;
            return Err(e.into());
        }
        result?;
        Ok(())
    }

    /// The underlying pool, for queries this crate does not offer (read-only use advised:
    /// writes that bypass the store bypass its idempotence rules).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Copies the WAL into the main database file (`PRAGMA wal_checkpoint(TRUNCATE)`, best
    /// effort), then closes the pool. Afterwards the `.db` file alone holds all data, even if
    /// an SQLite worker thread finishes closing a moment later. Calls made after this fail
    /// with [`StoreError::Sqlx`] (`PoolClosed`).
    pub async fn close(&self) {
        match self.pool.acquire().await {
            Ok(mut conn) => {
                if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut *conn).await {
                    tracing::debug!(%error, "checkpoint before close failed");
                }
                // Closed here and now rather than handed back to a pool that is closing.
                if let Err(error) = conn.close().await {
                    tracing::debug!(%error, "closing the checkpoint connection failed");
                }
            }
            Err(error) => tracing::debug!(%error, "no connection to checkpoint with before close"),
        }
        self.pool.close().await;
    }

    /// Runs `PRAGMA integrity_check` and returns its report: `"ok"` for a healthy file,
    /// otherwise SQLite's list of problems, one per line.
    pub async fn integrity_check(&self) -> Result<String, StoreError> {
        let lines: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&self.pool)
            .await?;
        Ok(lines.join("\n"))
    }

    /// Row count of every table.
    pub async fn table_counts(&self) -> Result<TableCounts, StoreError> {
        Ok(sqlx::query_as(
            "SELECT (SELECT count(*) FROM accounts) AS accounts,
                    (SELECT count(*) FROM app_credentials) AS app_credentials,
                    (SELECT count(*) FROM posts) AS posts, (SELECT count(*) FROM post_metrics) AS post_metrics,
                    (SELECT count(*) FROM account_metrics) AS account_metrics,
                    (SELECT count(*) FROM audience) AS audience,
                    (SELECT count(*) FROM raw_responses) AS raw_responses,
                    (SELECT count(*) FROM collection_runs) AS collection_runs,
                    (SELECT count(*) FROM run_events) AS run_events",
        )
        .fetch_one(&self.pool)
        .await?)
    }
}

/// Parses a stored platform key.
fn platform_from_db(column: &'static str, s: &str) -> Result<Platform, StoreError> {
    s.parse::<Platform>().map_err(|e| StoreError::Decode {
        column,
        value: s.to_string(),
        reason: e.to_string(),
    })
}
