//! Alcance's store: schema migrations, idempotent upserts of collected metrics, dated
//! snapshots, the raw-response archive and the run log, on SQLite (an embedded file, the
//! solo default) or PostgreSQL (a team's shared database), chosen by [`StoreLocation`].
//!
//! - Runtime queries (`sqlx::query`), no compile-time checking, no `DATABASE_URL`; each
//!   statement is written once for both engines (the `engine` module holds every difference).
//! - Migrations in `migrations/` (SQLite) and `migrations/postgres/` are embedded and run
//!   on every open; forward only.
//! - Every timestamp is stored as UTC RFC 3339 text with second precision
//!   (`2026-11-23T14:05:09Z`, see [`time`]); sub-second parts are truncated on write.
//! - Metric values are `REAL` / `DOUBLE PRECISION` in the catalog unit; `NULL` ("no data") is never stored as 0.
//! - No secret is stored: accounts keep the *name* of their keychain entry, app credentials
//!   only whether a secret exists, and URLs, bodies and messages are redacted again here.
//!
//! `docs/schema.md` describes every table and the idempotence rule.

#![deny(missing_docs)]

mod accounts;
pub mod aggregate;
pub mod at_rest;
mod batch;
pub mod campaigns;
pub mod comments;
pub mod competitors;
pub mod copy;
pub mod delivery;
mod engine;
mod error;
pub mod fuzzing;
pub mod gains;
pub mod hashtags;
pub mod imports;
mod leases;
mod location;
pub mod media;
mod pages;
pub mod people;
pub mod privacy;
mod query;
mod redact;
mod rows;
mod runs;
pub mod schedule;
mod sealed;
mod stored_key;
#[cfg(feature = "testing")]
pub mod synthetic;
#[cfg(feature = "testing")]
pub mod testing;
pub mod time;
pub mod webhooks;

pub use accounts::{normalize_scopes, AccountScopes};
pub use at_rest::{DatabaseKey, FileState};
pub use batch::PreparedBatch;
pub use engine::{Engine, Pool};
pub use error::StoreError;
pub use location::{PostgresUrl, StoreLocation};
pub use pages::{ExportPages, EXPORT_PAGE_ROWS};
pub use rows::*;
pub use sealed::SealedTokenRow;

use alcance_core::Platform;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The embedded SQLite migrations (`crates/alcance-store/migrations/*.sql`).
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// The embedded PostgreSQL migrations (`crates/alcance-store/migrations/postgres/`): the
/// same schema as [`MIGRATOR`]'s, written for PostgreSQL.
static PG_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// How long a connection waits for another writer's lock before failing with
/// [`StoreError::Busy`].
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections of a file-backed pool (WAL: readers run beside the one writer).
const FILE_POOL_SIZE: u32 = 4;

/// Connections of a PostgreSQL pool (per process; the server's `max_connections` bounds
/// the team's total).
const PG_POOL_SIZE: u32 = 8;

/// How long opening the store's first PostgreSQL connection may take before the server
/// counts as unreachable.
const PG_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a query waits for one of the pool's [`PG_POOL_SIZE`] connections (or for a
/// new one to open) before failing. As long as SQLite's pool wait (sqlx's default, 30 s)
/// and the server's request time limit: under load, requests queue for a connection
/// instead of failing after [`PG_CONNECT_TIMEOUT`] while slow reads hold the pool
/// (docs/PERFORMANCE.md, "The team server under load").
const PG_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// A handle on one Alcance database, SQLite or PostgreSQL. Cheap to clone (the pool is
/// shared).
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    /// The SQLCipher key of an encrypted SQLite file (backups and conversions use it).
    key: Option<Arc<DatabaseKey>>,
}

impl Store {
    /// Opens the store at `location`: a `postgres://` / `postgresql://` URL
    /// ([`Store::open_postgres`]) or the path of an SQLite database file ([`Store::open`]).
    /// See [`StoreLocation::parse`]. Errors: those of the engine's opener.
    pub async fn connect(location: &str) -> Result<Store, StoreError> {
        Store::open_location(&StoreLocation::parse(location)).await
    }

    /// Opens the store at an already parsed location (see [`Store::connect`]).
    pub async fn open_location(location: &StoreLocation) -> Result<Store, StoreError> {
        match location {
            StoreLocation::File(path) => Store::open(path).await,
            StoreLocation::Postgres(url) => Store::open_postgres(url.expose()).await,
        }
    }

    /// Opens (creating it and its folder if missing) the database file at `path` and
    /// applies pending migrations. Settings: `journal_mode=WAL`, `synchronous=NORMAL`,
    /// `foreign_keys=ON`, `busy_timeout` 5 s, a pool of 4 connections.
    ///
    /// Errors: [`StoreError::NotADatabase`] / [`StoreError::Corrupt`] for a file that is not
    /// a (healthy) SQLite database, [`StoreError::Access`] when it cannot be opened,
    /// [`StoreError::SchemaTooNew`] when a newer Alcance wrote it, [`StoreError::Migrate`]
    /// when the schema cannot be updated otherwise, [`StoreError::Io`] when the folder
    /// cannot be created. Messages name the file.
    pub async fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_sqlite(path, None).await
    }

    /// [`Store::open`] for an encrypted workspace: opens the SQLCipher database at `path`
    /// with `key` (AES-256; see [`at_rest`]), or creates it encrypted with `key`'s salt when
    /// the file is missing or empty. Every connection of the pool sends the key first;
    /// statement logging is off on this pool, so the key's pragma is never logged.
    ///
    /// Errors: as [`Store::open`]; [`StoreError::NotEncrypted`] when the file is a plain
    /// SQLite database, [`StoreError::WrongKey`] when `key` does not open it.
    pub async fn open_encrypted(path: &Path, key: &DatabaseKey) -> Result<Store, StoreError> {
        Store::open_sqlite(path, Some(Arc::new(key.clone()))).await
    }

    async fn open_sqlite(path: &Path, key: Option<Arc<DatabaseKey>>) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|source| StoreError::Io {
                    path: parent.to_path_buf(),
                    source,
                })?;
        }
        check_file_against_key(path, key.as_deref())?;
        let options = file_options(path, key.as_deref())
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let options = test_page_cap(options);
        let pool = SqlitePoolOptions::new()
            .max_connections(FILE_POOL_SIZE)
            .connect_with(options)
            .await
            .map_err(|e| keyed_error(StoreError::from(e), key.is_some()).at(path))?;
        let store = Store {
            pool: Pool::Sqlite(pool),
            key,
        };
        if let Err(e) = store.migrate().await {
            store.close().await;
            return Err(keyed_error(e, store.key.is_some()).at(path));
        }
        Ok(store)
    }

    /// Whether this store is an SQLCipher-encrypted SQLite file.
    pub fn is_encrypted(&self) -> bool {
        self.key.is_some()
    }

    /// The key of an encrypted SQLite store (`None` for a plain file, memory, PostgreSQL).
    pub(crate) fn key(&self) -> Option<&DatabaseKey> {
        self.key.as_deref()
    }

    /// Opens a fresh in-memory SQLite database with the schema applied, for tests and dry
    /// runs. The pool holds exactly one connection that never expires, so the data lives as
    /// long as the `Store` (and its clones); a transaction in progress makes other calls wait.
    pub async fn open_in_memory() -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::new()
            .in_memory(true)
            .row_buffer_size(ROW_BUFFER)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        let store = Store {
            pool: Pool::Sqlite(pool),
            key: None,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://user:password@host:5432/db`,
    /// libpq-style parameters such as `?sslmode=` accepted) with a pool of 8 connections and
    /// applies pending migrations. The database must exist; it must be empty or an Alcance
    /// database. Time stamps, values and ordering are stored exactly as on SQLite
    /// (`docs/schema.md`).
    ///
    /// Errors, each naming the cause and never the password: [`StoreError::Invalid`] for a
    /// URL that does not parse, [`StoreError::Unreachable`] when no server answers in 10 s,
    /// [`StoreError::Auth`] for a refused user or password, [`StoreError::Access`] for a
    /// database that does not exist, [`StoreError::ForeignDatabase`] for a database holding
    /// another application's tables, [`StoreError::SchemaTooNew`] when a newer Alcance
    /// migrated it, [`StoreError::Migrate`] when the schema cannot be updated otherwise.
    pub async fn open_postgres(url: &str) -> Result<Store, StoreError> {
        let shown = location::redact_url(url);
        let options: PgConnectOptions = url.parse().map_err(|e: sqlx::Error| StoreError::Invalid {
            what: "PostgreSQL URL",
            value: format!("{shown} ({})", location::redact_url(&e.to_string())),
            expected: "postgres://user:password@host:port/database",
        })?;
        // Shown in the server's pg_stat_activity, so an administrator sees who connects.
        Store::open_postgres_with(options.application_name("alcance"), &shown).await
    }

    /// [`Store::open_postgres`] with parsed options; `shown` names the server in errors.
    pub(crate) async fn open_postgres_with(options: PgConnectOptions, shown: &str) -> Result<Store, StoreError> {
        let shown = shown.to_string();
        let connect = PgPoolOptions::new()
            .max_connections(PG_POOL_SIZE)
            .acquire_timeout(PG_ACQUIRE_TIMEOUT)
            .connect_with(options);
        let pool = tokio::time::timeout(PG_CONNECT_TIMEOUT, connect)
            .await
            .unwrap_or(Err(sqlx::Error::PoolTimedOut))
            .map_err(|e| StoreError::from(e).on_server(&shown))?;
        let store = Store {
            pool: Pool::Postgres(pool),
            key: None,
        };
        if let Err(e) = store.migrate().await {
            store.close().await;
            return Err(e.on_server(&shown));
        }
        Ok(store)
    }

    /// Applies pending migrations of the store's engine.
    async fn migrate(&self) -> Result<(), StoreError> {
        let result = match &self.pool {
            Pool::Sqlite(pool) => migrate_sqlite(pool).await,
            Pool::Postgres(pool) => migrate_postgres(pool).await,
        };
        result.map_err(|e| match e {
            StoreError::Migrate(sqlx::migrate::MigrateError::VersionMissing(version)) => StoreError::SchemaTooNew {
                version,
                known: self.latest_migration(),
            },
            other => other,
        })
    }

    /// The newest migration version this build knows for the store's engine (a database
    /// or a backup above it was written by a newer Alcance).
    pub fn latest_migration(&self) -> i64 {
        let migrator = match self.pool.engine() {
            Engine::Sqlite => &MIGRATOR,
            Engine::Postgres => &PG_MIGRATOR,
        };
        migrator.iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// The newest migration applied to the database (`_sqlx_migrations`, successful ones;
    /// 0 when none), read through one connection of the pool, so it also tells that the
    /// database answers. Compare with [`Store::latest_migration`]: equal when the schema is
    /// current.
    ///
    /// Errors: the database cannot be reached or read ([`StoreError::Unreachable`],
    /// [`StoreError::Busy`], ...).
    pub async fn applied_migration(&self) -> Result<i64, StoreError> {
        const SQL: &str = "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success";
        let version: i64 = on_pool!(&self.pool, |p| sqlx::query_scalar(SQL).fetch_one(p).await)?;
        Ok(version)
    }

    /// The engine the store runs on.
    pub fn engine(&self) -> Engine {
        self.pool.engine()
    }

    /// The underlying pool, for queries this crate does not offer (read-only use advised:
    /// writes that bypass the store bypass its idempotence rules). Run a query on it with
    /// [`on_pool!`]: `on_pool!(store.pool(), |p| sqlx::query_scalar(SQL).fetch_one(p).await)`.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// The SQLite pool, `None` on PostgreSQL (for SQLite-only checks in tests: pragmas,
    /// `sqlite_master`).
    pub fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match &self.pool {
            Pool::Sqlite(p) => Some(p),
            Pool::Postgres(_) => None,
        }
    }

    /// Closes the pool. On SQLite it first copies the WAL into the main database file
    /// (`PRAGMA wal_checkpoint(TRUNCATE)`, best effort), so afterwards the `.db` file alone
    /// holds all data, even if an SQLite worker thread finishes closing a moment later.
    /// Calls made after this fail with [`StoreError::Sqlx`] (`PoolClosed`).
    pub async fn close(&self) {
        if let Pool::Sqlite(pool) = &self.pool {
            match pool.acquire().await {
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
        }
        self.pool.close().await;
    }

    /// Runs `PRAGMA integrity_check` and returns its report: `"ok"` for a healthy file,
    /// otherwise SQLite's list of problems, one per line. Errors:
    /// [`StoreError::SqliteOnly`] on PostgreSQL (the server checks its own pages).
    pub async fn integrity_check(&self) -> Result<String, StoreError> {
        let Some(pool) = self.sqlite_pool() else {
            return Err(StoreError::SqliteOnly {
                operation: "the integrity check (PRAGMA integrity_check)",
            });
        };
        let lines: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check").fetch_all(pool).await?;
        Ok(lines.join("\n"))
    }

    /// Row count of every table.
    pub async fn table_counts(&self) -> Result<TableCounts, StoreError> {
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT (SELECT count(*) FROM accounts) AS accounts,
                    (SELECT count(*) FROM app_credentials) AS app_credentials,
                    (SELECT count(*) FROM posts) AS posts, (SELECT count(*) FROM post_metrics) AS post_metrics,
                    (SELECT count(*) FROM account_metrics) AS account_metrics,
                    (SELECT count(*) FROM audience) AS audience,
                    (SELECT count(*) FROM raw_responses) AS raw_responses,
                    (SELECT count(*) FROM collection_runs) AS collection_runs,
                    (SELECT count(*) FROM run_events) AS run_events",
        )
        .fetch_one(p)
        .await?))
    }
}

/// The environment variable that caps a database file's size in debug builds (tests):
/// `PRAGMA max_page_count` set to its value on every connection of [`Store::open`], so a
/// write that needs more pages fails with `SQLITE_FULL` ([`StoreError::DiskFull`]) as on a
/// full disk. SQLite keeps the cap at least the file's current page count, so `1` means
/// "no growth". Release builds ignore it.
pub const TEST_MAX_PAGES_VAR: &str = "ALCANCE_TEST_MAX_PAGES";

/// `options` with the [`TEST_MAX_PAGES_VAR`] cap, in debug builds when it is set to a
/// number.
fn test_page_cap(options: SqliteConnectOptions) -> SqliteConnectOptions {
    if !cfg!(debug_assertions) {
        return options;
    }
    match std::env::var(TEST_MAX_PAGES_VAR)
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
    {
        Some(pages) => options.pragma("max_page_count", pages.to_string()),
        None => options,
    }
}

/// Applies pending SQLite migrations on one connection with `foreign_keys=OFF`, then turns
/// foreign keys back on. Off, because a migration that rebuilds a table (SQLite's "other
/// ALTER TABLE changes" procedure, e.g. `0003_schedules.sql`) drops the old table, and
/// with foreign keys on that drop would cascade into the tables referencing it. Such a
/// migration checks `pragma_foreign_key_check` itself before it commits.
///
/// `run_direct` on the connection itself, not `run(&mut *conn)`: the latter's
/// `Acquire<'a>` bound made every caller's future `Send` only for specific lifetimes
/// ("implementation of `Send` is not general enough", rust-lang/rust#102211), which kept
/// Tauri commands from awaiting `Store::open`.
async fn migrate_sqlite(pool: &SqlitePool) -> Result<(), StoreError> {
    let mut conn = pool.acquire().await?;
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

/// Applies pending PostgreSQL migrations (sqlx takes an advisory lock, so two processes
/// starting at once migrate one after the other), after checking that the database is
/// empty or already Alcance's. [`StoreError::ForeignDatabase`] when it holds tables but no
/// applied migration 1 (another application's tables), or when its applied migration 1 is
/// not Alcance's (another sqlx application). `_sqlx_migrations` alone, with nothing
/// applied (a first migration that failed and rolled back), counts as empty.
async fn migrate_postgres(pool: &sqlx::PgPool) -> Result<(), StoreError> {
    let mut conn = pool.acquire().await?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = current_schema() ORDER BY table_name",
    )
    .fetch_all(&mut *conn)
    .await?;
    let others: Vec<String> = tables.iter().filter(|t| *t != "_sqlx_migrations").cloned().collect();
    let first: Option<String> = if tables.len() > others.len() {
        sqlx::query_scalar("SELECT description FROM _sqlx_migrations WHERE version = 1 AND success")
            .fetch_optional(&mut *conn)
            .await?
    } else {
        None
    };
    let ours = PG_MIGRATOR
        .iter()
        .find(|m| m.version == 1)
        .map(|m| m.description.to_string());
    match first {
        None if !others.is_empty() => {
            return Err(StoreError::ForeignDatabase {
                detail: format!("it holds the tables {}", shorten(&others)),
            })
        }
        Some(first) if Some(&first) != ours.as_ref() => {
            return Err(StoreError::ForeignDatabase {
                detail: format!("its migrations table belongs to another application (migration 1 is {first:?})"),
            })
        }
        _ => {}
    }
    PG_MIGRATOR.run_direct(&mut *conn).await?;
    Ok(())
}

/// The first few table names, comma separated.
fn shorten(tables: &[String]) -> String {
    let mut shown = tables.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if tables.len() > 5 {
        shown.push_str(&format!(" and {} more", tables.len() - 5));
    }
    shown
}

/// Parses a stored platform key.
fn platform_from_db(column: &'static str, s: &str) -> Result<Platform, StoreError> {
    s.parse::<Platform>().map_err(|e| StoreError::Decode {
        column,
        value: s.to_string(),
        reason: e.to_string(),
    })
}

/// Refuses, before SQLite sees it, a file that cannot be opened the way asked: an encrypted
/// file without a key, a plain one with a key, a key made for another file's salt, a file
/// too short to be a database.
fn check_file_against_key(path: &Path, key: Option<&DatabaseKey>) -> Result<(), StoreError> {
    let state = at_rest::file_state(path).map_err(|e| StoreError::Access {
        detail: format!("{}: {e}", path.display()),
    })?;
    let shown = || path.display().to_string();
    match (state, key) {
        (FileState::Truncated, _) => Err(StoreError::NotADatabase {
            detail: format!("{}: shorter than a database header", shown()),
        }),
        (FileState::Encrypted { .. }, None) => Err(StoreError::Encrypted { path: shown() }),
        (FileState::Plain, Some(_)) => Err(StoreError::NotEncrypted { path: shown() }),
        (FileState::Encrypted { salt }, Some(key)) if salt != key.salt() => Err(StoreError::WrongKey { path: shown() }),
        _ => Ok(()),
    }
}

/// Rows SQLite's worker thread may read ahead of the task decoding them (sqlx's default is
/// 50): with a small buffer the worker stops every 50 rows until the reader catches up, two
/// thread wake-ups per row at worst; the screens read thousands of rows per statement
/// (docs/PERFORMANCE.md, "Queries at scale").
const ROW_BUFFER: usize = 1024;

/// SQLite options for the file at `path`, with SQLCipher's key first when `key` is given
/// (and statement logging off, so the `PRAGMA key` statement is never logged).
pub(crate) fn file_options(path: &Path, key: Option<&DatabaseKey>) -> SqliteConnectOptions {
    let options = SqliteConnectOptions::new().filename(path).row_buffer_size(ROW_BUFFER);
    match key {
        Some(key) => {
            use sqlx::ConnectOptions;
            options.pragma("key", key.pragma_value()).disable_statement_logging()
        }
        None => options,
    }
}

/// With a key, SQLite's "not a database" means the key does not open the file.
fn keyed_error(error: StoreError, keyed: bool) -> StoreError {
    match error {
        StoreError::NotADatabase { detail } if keyed => StoreError::WrongKey { path: detail },
        other => other,
    }
}
