//! The two database engines behind one [`crate::Store`]: every difference between SQLite
//! and PostgreSQL lives in this module.
//!
//! - [`Pool`] and [`Tx`] hold the native sqlx pool / transaction of either engine.
//! - [`on_pool!`](crate::on_pool) and [`on_tx!`](crate::on_tx) expand one query-building
//!   expression once per engine (`sqlx::query(SQL).bind(..).execute(p)` type-checks for
//!   both, the database type being inferred from the executor). Both arms must produce the
//!   same type: `rows_affected()`, a decoded value, a `FromRow` struct.
//! - Every statement is written once, in SQL both engines run (`$1` placeholders,
//!   `ON CONFLICT`, `RETURNING`, `IS [NOT] DISTINCT FROM`, `CASE` instead of two-argument
//!   `min` / `max`, `CAST(.. AS DOUBLE PRECISION)`); where the SQL must differ, a function
//!   below returns the fragment for the engine ([`Engine::json_rows`],
//!   [`Engine::json_list`]).

use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Engine {
    /// An embedded SQLite file (or an in-memory database).
    Sqlite,
    /// A PostgreSQL database shared by a team.
    Postgres,
}

impl Engine {
    /// A `FROM` item giving one row per element of the JSON array bound as parameter
    /// `$param`, aliased `j`, with columns `j.value` (the element; `->>` reads its fields,
    /// `->> 0` its array items) and `j.key` (its 0-based (SQLite) or 1-based (PostgreSQL)
    /// position, for `ORDER BY`).
    pub(crate) fn json_rows(self, param: u8) -> String {
        match self {
            Engine::Sqlite => format!("json_each(${param}) AS j"),
            Engine::Postgres => {
                format!("jsonb_array_elements(CAST(${param} AS jsonb)) WITH ORDINALITY AS j(value, key)")
            }
        }
    }

    /// The join keyword that keeps its left side as the outer loop: `CROSS JOIN` on SQLite
    /// (whose planner may otherwise reorder into a quadratic plan; SQLite accepts `ON` after
    /// it), a plain `JOIN` on PostgreSQL (which rejects `CROSS JOIN .. ON` and plans well).
    pub(crate) fn ordered_join(self) -> &'static str {
        match self {
            Engine::Sqlite => "CROSS JOIN",
            Engine::Postgres => "JOIN",
        }
    }

    /// A sub-select of the values of the JSON array (of strings or integers) bound as
    /// parameter `$param`, each as `sql_type` (`TEXT`, `BIGINT`), for `x IN (..)`.
    pub(crate) fn json_list(self, param: u8, sql_type: &str) -> String {
        match self {
            Engine::Sqlite => format!("SELECT CAST(value AS {sql_type}) FROM json_each(${param})"),
            Engine::Postgres => {
                format!("SELECT CAST(x AS {sql_type}) FROM jsonb_array_elements_text(CAST(${param} AS jsonb)) AS t(x)")
            }
        }
    }
}

/// The native connection pool of the engine a store runs on.
#[derive(Debug, Clone)]
pub enum Pool {
    /// SQLite (a file in WAL mode, or in memory).
    Sqlite(SqlitePool),
    /// PostgreSQL.
    Postgres(PgPool),
}

impl Pool {
    /// The engine of this pool.
    pub fn engine(&self) -> Engine {
        match self {
            Pool::Sqlite(_) => Engine::Sqlite,
            Pool::Postgres(_) => Engine::Postgres,
        }
    }

    /// Starts a write transaction: `BEGIN IMMEDIATE` on SQLite (takes the write lock at
    /// once, so two writers queue on the busy timeout instead of failing on upgrade),
    /// `BEGIN` on PostgreSQL (row locks are taken as rows are written).
    pub(crate) async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Starts a transaction with the engine's default `BEGIN`.
    pub(crate) async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Pool::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Pool::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Closes every connection.
    pub(crate) async fn close(&self) {
        match self {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }
}

/// An open transaction of either engine; rolled back when dropped without
/// [`Tx::commit`].
#[derive(Debug)]
pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    /// The engine of this transaction.
    pub(crate) fn engine(&self) -> Engine {
        match self {
            Tx::Sqlite(_) => Engine::Sqlite,
            Tx::Postgres(_) => Engine::Postgres,
        }
    }

    /// Commits.
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }
}

/// `on_pool!(pool, |p| expr)`: evaluates `expr` with `p` bound to the engine's native pool
/// (`&SqlitePool` or `&PgPool`); `expr` is expanded once per engine, so both expansions
/// must have the same type. `pool` is an `&`[`Pool`]. Exported for tests that read the
/// database directly.
#[macro_export]
macro_rules! on_pool {
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            $crate::Pool::Sqlite($p) => $body,
            $crate::Pool::Postgres($p) => $body,
        }
    };
}

/// `on_tx!(tx, |c| expr)`: as [`on_pool!`] for a transaction (`&mut Tx`), with `c` bound
/// to the engine's `&mut` connection (use `&mut *c` as the executor).
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::engine::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::engine::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_tx;
