//! Background collection state: `schedules` (each account's cadence and next run),
//! `post_refresh` (when each post-age horizon was last re-collected), `run_accounts`
//! (per-run account progress, so a paused run resumes where it stopped), the run status
//! transitions that do not end a run, and online backups of the database file.
//!
//! The cadence math (jitter, catch-up, refresh policy) lives in `alcance-collector`; this
//! module only stores its results. Every timestamp is UTC (see [`crate::time`]).

use crate::engine::on_tx;
use crate::error::touched_one;
use crate::redact::redact;
use crate::time::to_db;
use crate::time::{DbTime, DbTimeOpt};
use crate::{on_pool, DatabaseKey, RunCounts, RunRow, Store, StoreError, MIGRATOR};
use alcance_core::{CadenceKind, RunAccountStatus, RunStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{ConnectOptions, Connection};
use std::path::Path;

/// An attempt's result and the next run of one account's schedule: `last_run_at`,
/// `last_status`, `last_error`, `next_run_at`, `updated_at`, then `account_id`.
const SCHEDULE_RESULT_SQL: &str = "UPDATE schedules SET last_run_at = $1, last_status = $2, last_error = $3,
        next_run_at = $4, updated_at = $5
    WHERE account_id = $6";

/// The shortest period a schedule may have, seconds.
pub const MIN_EVERY_SECONDS: i64 = 60;

/// One row of `schedules`: when an account is collected next and how the last attempt went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ScheduleRow {
    /// `accounts.id`.
    pub account_id: i64,
    /// Hourly, daily, weekly or custom (`every_seconds` holds the period).
    pub cadence: CadenceKind,
    /// The cadence's period, seconds (≥ [`MIN_EVERY_SECONDS`]).
    pub every_seconds: i64,
    /// When the scheduler collects the account next, UTC (jitter included).
    #[sqlx(try_from = "DbTime")]
    pub next_run_at: DateTime<Utc>,
    /// `collected_at` of the last attempt (scheduled or manual), UTC.
    #[sqlx(try_from = "DbTimeOpt")]
    pub last_run_at: Option<DateTime<Utc>>,
    /// `ok` or `failed` for the last attempt; `None` before the first.
    pub last_status: Option<String>,
    /// `code: message` of the last failure (secrets redacted); `None` after a success.
    pub last_error: Option<String>,
}

/// One account of a run when the run is planned: which account and the collection window
/// it is planned with (UTC, `[since, until)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlannedAccount {
    /// `accounts.id`.
    pub account_id: i64,
    /// Window start, UTC.
    pub window_since: DateTime<Utc>,
    /// Window end, UTC.
    pub window_until: DateTime<Utc>,
}

/// How one account of a run ended, for [`Store::finish_run_account`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunAccountResult {
    /// `done`, `failed` or `skipped`.
    pub status: RunAccountStatus,
    /// Metric rows written or updated (counts).
    pub metrics_written: i64,
    /// Post rows written or updated (counts).
    pub posts_written: i64,
    /// Data gaps recorded (counts).
    pub gaps: i64,
    /// `true` when the token was refused and the account is now `needs_reauth`.
    pub needs_reauth: bool,
    /// `code: message` when it failed (redacted again before it is written).
    pub error: Option<String>,
    /// When it ended, UTC.
    pub finished_at: DateTime<Utc>,
    /// `true` when it failed half-way and what arrived before was stored (status `failed`).
    pub partial: bool,
    /// When it will be collected again, UTC, when it was deferred (rate limited, or cut by
    /// its deadline); `None` otherwise.
    pub retry_at: Option<DateTime<Utc>>,
}

/// One row of `run_accounts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct RunAccountRow {
    /// `collection_runs.id`.
    pub run_id: i64,
    /// `accounts.id`.
    pub account_id: i64,
    /// 0-based order in the run.
    pub position: i64,
    /// Pending until it ends, then done, failed or skipped.
    pub status: RunAccountStatus,
    /// Planned window start, UTC.
    #[sqlx(try_from = "DbTime")]
    pub window_since: DateTime<Utc>,
    /// Planned window end, UTC.
    #[sqlx(try_from = "DbTime")]
    pub window_until: DateTime<Utc>,
    /// Metric rows written or updated (counts).
    pub metrics_written: i64,
    /// Post rows written or updated (counts).
    pub posts_written: i64,
    /// Data gaps recorded (counts).
    pub gaps: i64,
    /// `true` when the token was refused.
    pub needs_reauth: bool,
    /// `code: message` of a failure, secrets redacted.
    pub error: Option<String>,
    /// When the account ended, UTC; `None` while pending.
    #[sqlx(try_from = "DbTimeOpt")]
    pub finished_at: Option<DateTime<Utc>>,
    /// `true` when it failed half-way and what arrived before was stored.
    pub partial: bool,
    /// When a deferred account (rate limited, cut by its deadline) will be collected again,
    /// UTC; `None` when it was not deferred.
    #[sqlx(try_from = "DbTimeOpt")]
    pub retry_at: Option<DateTime<Utc>>,
}

/// What [`inspect_database_file`] found in a database file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatabaseFileInfo {
    /// `PRAGMA integrity_check`'s report: `"ok"` for a healthy file, else SQLite's list of
    /// problems, one per line.
    pub integrity: String,
    /// `true` when the file has sqlx's `_sqlx_migrations` table (an Alcance database).
    pub has_migrations_table: bool,
    /// Versions recorded as successfully applied, ascending.
    pub applied_migrations: Vec<i64>,
    /// The newest migration version this build of Alcance knows.
    pub known_latest_migration: i64,
}

impl DatabaseFileInfo {
    /// `true` when the file is healthy, is an Alcance database (migration 1 applied), and
    /// was not written by a newer Alcance (no version above [`Self::known_latest_migration`]).
    pub fn is_restorable(&self) -> bool {
        self.integrity == "ok"
            && self.has_migrations_table
            && self.applied_migrations.contains(&1)
            && self
                .applied_migrations
                .iter()
                .all(|v| *v <= self.known_latest_migration)
    }
}

const SCHEDULE_COLUMNS: &str = "account_id, cadence, every_seconds, next_run_at, last_run_at, last_status, last_error";

const RUN_ACCOUNT_COLUMNS: &str = "run_id, account_id, position, status, window_since, window_until, \
     metrics_written, posts_written, gaps, needs_reauth, error, finished_at, partial, retry_at";

fn check_every(every_seconds: i64) -> Result<(), StoreError> {
    if every_seconds >= MIN_EVERY_SECONDS {
        Ok(())
    } else {
        Err(StoreError::Invalid {
            what: "schedule period (seconds)",
            value: every_seconds.to_string(),
            expected: "60 or more",
        })
    }
}

fn not_found(what: &'static str, id: i64) -> StoreError {
    StoreError::NotFound { what, id }
}

impl Store {
    /// Every account's schedule, soonest `next_run_at` first (then by account id). Accounts
    /// get a default row (daily, due at once) when they are inserted.
    pub async fn schedules(&self) -> Result<Vec<ScheduleRow>, StoreError> {
        let sql = format!("SELECT {SCHEDULE_COLUMNS} FROM schedules ORDER BY next_run_at, account_id");
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(&sql).fetch_all(p).await?))
    }

    /// One account's schedule. Errors: [`StoreError::NotFound`] for an unknown account.
    pub async fn schedule(&self, account_id: i64) -> Result<ScheduleRow, StoreError> {
        let sql = format!("SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE account_id = $1");
        match on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(account_id)
            .fetch_optional(p)
            .await?)
        {
            Some(schedule) => Ok(schedule),
            None => Err(not_found("account", account_id)),
        }
    }

    /// Sets an account's cadence (a [`CadenceKind`] or its key: `hourly`, `daily`, `weekly`
    /// or `custom`) with its period in seconds and its next run (UTC), creating the row if it
    /// is missing. The caller computes `next_run_at` (`alcance-collector`'s cadence math).
    ///
    /// Errors: [`StoreError::Invalid`] for another key or a period under 60 s;
    /// [`StoreError::Constraint`] for an unknown account.
    pub async fn set_cadence<C>(
        &self,
        account_id: i64,
        cadence: C,
        every_seconds: i64,
        next_run_at: DateTime<Utc>,
    ) -> Result<(), StoreError>
    where
        C: TryInto<CadenceKind>,
        StoreError: From<C::Error>,
    {
        let cadence: CadenceKind = cadence.try_into()?;
        check_every(every_seconds)?;
        on_pool!(&self.pool, |p| sqlx::query(
            "INSERT INTO schedules (account_id, cadence, every_seconds, next_run_at, updated_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (account_id) DO UPDATE SET cadence = excluded.cadence,
                 every_seconds = excluded.every_seconds, next_run_at = excluded.next_run_at,
                 updated_at = excluded.updated_at",
        )
        .bind(account_id)
        .bind(cadence)
        .bind(every_seconds)
        .bind(to_db(next_run_at))
        .bind(to_db(Utc::now()))
        .execute(p)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Moves an account's next run (UTC): catch-up staggering, "sync now".
    /// Errors: [`StoreError::NotFound`] for an account without a schedule.
    pub async fn set_next_run(&self, account_id: i64, next_run_at: DateTime<Utc>) -> Result<(), StoreError> {
        let done = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE schedules SET next_run_at = $1, updated_at = $2 WHERE account_id = $3"
        )
        .bind(to_db(next_run_at))
        .bind(to_db(Utc::now()))
        .bind(account_id)
        .execute(p)
        .await?
        .rows_affected());
        touched_one(done, "schedule", account_id)
    }

    /// Records an attempt at `at` (UTC) — `ok` clears `last_error`, a failure keeps its
    /// `code: message` (secrets redacted) — and sets the next run (UTC).
    /// Errors: [`StoreError::NotFound`] for an account without a schedule.
    pub async fn record_schedule_result(
        &self,
        account_id: i64,
        at: DateTime<Utc>,
        ok: bool,
        error: Option<&str>,
        next_run_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let error = if ok {
            None
        } else {
            error.map(|e| redact(e).into_owned())
        };
        let done = on_pool!(&self.pool, |p| sqlx::query(SCHEDULE_RESULT_SQL,)
            .bind(to_db(at))
            .bind(if ok { "ok" } else { "failed" })
            .bind(error)
            .bind(to_db(next_run_at))
            .bind(to_db(Utc::now()))
            .bind(account_id)
            .execute(p)
            .await?
            .rows_affected());
        touched_one(done, "schedule", account_id)
    }

    /// When each post-age horizon of an account was last re-collected:
    /// `(horizon_seconds, refreshed_at UTC)`, shortest horizon first.
    pub async fn refresh_marks(&self, account_id: i64) -> Result<Vec<(i64, DateTime<Utc>)>, StoreError> {
        let marks: Vec<(i64, DbTime)> = on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT horizon_seconds, refreshed_at FROM post_refresh WHERE account_id = $1 ORDER BY horizon_seconds",
        )
        .bind(account_id)
        .fetch_all(p)
        .await?);
        Ok(marks.into_iter().map(|(h, t)| (h, t.0)).collect())
    }

    /// Marks the horizons (seconds of post age) as re-collected at `at` (UTC). A mark never
    /// moves backwards. Errors: [`StoreError::Constraint`] for an unknown account or a
    /// horizon ≤ 0.
    pub async fn mark_refreshed(&self, account_id: i64, horizons: &[i64], at: DateTime<Utc>) -> Result<(), StoreError> {
        if horizons.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin_write().await?;
        for horizon in horizons {
            on_tx!(&mut tx, |c| sqlx::query(
                "INSERT INTO post_refresh (account_id, horizon_seconds, refreshed_at) VALUES ($1, $2, $3)
                 ON CONFLICT (account_id, horizon_seconds) DO UPDATE SET refreshed_at = excluded.refreshed_at
                 WHERE excluded.refreshed_at > post_refresh.refreshed_at",
            )
            .bind(account_id)
            .bind(horizon)
            .bind(to_db(at))
            .execute(&mut *c)
            .await?
            .rows_affected());
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records the accounts of a run, in order (`position` 0, 1, …), all `pending`, in one
    /// transaction. Errors: [`StoreError::Constraint`] for an unknown run or account or an
    /// account listed twice.
    pub async fn add_run_accounts(&self, run_id: i64, accounts: &[PlannedAccount]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin_write().await?;
        let start: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar(
            "SELECT coalesce(max(position) + 1, 0) FROM run_accounts WHERE run_id = $1"
        )
        .bind(run_id)
        .fetch_one(&mut *c)
        .await?);
        for (i, a) in accounts.iter().enumerate() {
            on_tx!(&mut tx, |c| sqlx::query(
                "INSERT INTO run_accounts (run_id, account_id, position, status, window_since, window_until)
                 VALUES ($1, $2, $3, 'pending', $4, $5)",
            )
            .bind(run_id)
            .bind(a.account_id)
            .bind(start + i as i64)
            .bind(to_db(a.window_since))
            .bind(to_db(a.window_until))
            .execute(&mut *c)
            .await?
            .rows_affected());
        }
        tx.commit().await?;
        Ok(())
    }

    /// A run's accounts in run order.
    pub async fn run_accounts(&self, run_id: i64) -> Result<Vec<RunAccountRow>, StoreError> {
        let sql = format!("SELECT {RUN_ACCOUNT_COLUMNS} FROM run_accounts WHERE run_id = $1 ORDER BY position");
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(run_id)
            .fetch_all(p)
            .await?))
    }

    /// How many of the account's latest finished collections in a row were deferred for a
    /// rate limit (`run_accounts.retry_at` set), newest first, counting at most 16: the
    /// exponent of its backoff when the platform says nothing about when to come back.
    pub async fn rate_limit_streak(&self, account_id: i64) -> Result<u32, StoreError> {
        let rows: Vec<(Option<String>,)> = on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT retry_at FROM run_accounts
             WHERE account_id = $1 AND status IN ('done', 'failed')
             ORDER BY run_id DESC LIMIT 16",
        )
        .bind(account_id)
        .fetch_all(p)
        .await?);
        Ok(rows.iter().take_while(|(retry_at,)| retry_at.is_some()).count() as u32)
    }

    /// Records how one account of a run ended. Errors: [`StoreError::Invalid`] for a status
    /// other than `done`, `failed`, `skipped`; [`StoreError::NotFound`] when the account is
    /// not part of the run.
    pub async fn finish_run_account(
        &self,
        run_id: i64,
        account_id: i64,
        result: &RunAccountResult,
    ) -> Result<(), StoreError> {
        self.finish_run_account_and_schedule(run_id, account_id, result, result.finished_at, None)
            .await
    }

    /// [`Self::finish_run_account`] and, when `next_run_at` (UTC) is given, the account's
    /// schedule result as [`Self::record_schedule_result`] would write it (attempt at
    /// `collected_at`, `ok` when the status is `done`, the result's error), in one
    /// transaction: a worker that dies cannot leave an account `done` in its run and still
    /// due in `schedules` (another worker would collect it again). An account without a
    /// schedule row is not an error (its schedule is left alone).
    ///
    /// Errors: as [`Self::finish_run_account`].
    pub async fn finish_run_account_and_schedule(
        &self,
        run_id: i64,
        account_id: i64,
        result: &RunAccountResult,
        collected_at: DateTime<Utc>,
        next_run_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        if result.status == RunAccountStatus::Pending {
            return Err(StoreError::Invalid {
                what: "run account status",
                value: result.status.to_string(),
                expected: "done, failed, skipped",
            });
        }
        let error = result.error.as_deref().map(|e| redact(e).into_owned());
        let mut tx = self.pool.begin_write().await?;
        let done = on_tx!(&mut tx, |c| sqlx::query(
            "UPDATE run_accounts SET status = $1, metrics_written = $2, posts_written = $3, gaps = $4,
                    needs_reauth = $5, error = $6, finished_at = $7, partial = $8, retry_at = $9
             WHERE run_id = $10 AND account_id = $11",
        )
        .bind(result.status)
        .bind(result.metrics_written)
        .bind(result.posts_written)
        .bind(result.gaps)
        .bind(result.needs_reauth)
        .bind(error.as_deref())
        .bind(to_db(result.finished_at))
        .bind(result.partial)
        .bind(result.retry_at.map(to_db))
        .bind(run_id)
        .bind(account_id)
        .execute(&mut *c)
        .await?
        .rows_affected());
        touched_one(done, "run account", account_id)?;
        if let Some(next) = next_run_at {
            let ok = result.status == RunAccountStatus::Done;
            on_tx!(&mut tx, |c| sqlx::query(SCHEDULE_RESULT_SQL,)
                .bind(to_db(collected_at))
                .bind(if ok { "ok" } else { "failed" })
                .bind(if ok { None } else { error.as_deref() })
                .bind(to_db(next))
                .bind(to_db(Utc::now()))
                .bind(account_id)
                .execute(&mut *c)
                .await?
                .rows_affected());
        }
        tx.commit().await?;
        Ok(())
    }

    /// Marks every still-`pending` account of a run `skipped` at `at` (UTC) with `reason`;
    /// returns how many.
    pub async fn skip_pending_run_accounts(
        &self,
        run_id: i64,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let done = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE run_accounts SET status = 'skipped', error = $1, finished_at = $2
             WHERE run_id = $3 AND status = 'pending'",
        )
        .bind(redact(reason).as_ref())
        .bind(to_db(at))
        .bind(run_id)
        .execute(p)
        .await?
        .rows_affected());
        Ok(done)
    }

    /// Sets a run's status and tallies without ending it (`finished_at` stays empty):
    /// `running` ↔ `paused`. Errors: [`StoreError::Invalid`] for a status other than
    /// `running` or `paused`; [`StoreError::NotFound`] for an unknown run.
    pub async fn set_run_progress<S>(&self, run_id: i64, status: S, counts: &RunCounts) -> Result<(), StoreError>
    where
        S: TryInto<RunStatus>,
        StoreError: From<S::Error>,
    {
        let status: RunStatus = status.try_into()?;
        if !status.is_open() {
            return Err(StoreError::Invalid {
                what: "unfinished run status",
                value: status.to_string(),
                expected: "running, paused",
            });
        }
        let done = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE collection_runs SET status = $1, finished_at = NULL, accounts_total = $2, accounts_ok = $3,
                    accounts_failed = $4, metrics_written = $5
             WHERE id = $6",
        )
        .bind(status)
        .bind(counts.accounts_total)
        .bind(counts.accounts_ok)
        .bind(counts.accounts_failed)
        .bind(counts.metrics_written)
        .bind(run_id)
        .execute(p)
        .await?
        .rows_affected());
        touched_one(done, "run", run_id)
    }

    /// Marks every run still `running` as `paused` and returns how many. A run is only
    /// `running` while its process lives; one found `running` when a scheduler starts was
    /// cut off (kill -9, power loss, a crash), and pausing it makes [`Self::resumable_runs`]
    /// hand it to the scheduler, which resumes it where it stopped. Call it only from the
    /// process that owns the workspace (the scheduler), never from a second reader. Solo
    /// (SQLite) only: in a team many workers' runs are `running` at once, and a cut-off run
    /// is one whose heartbeat is stale ([`Store::claim_stale_run`]).
    pub async fn interrupt_stale_runs(&self) -> Result<u64, StoreError> {
        let done = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE collection_runs SET status = 'paused' WHERE status = 'running'"
        )
        .execute(p)
        .await?
        .rows_affected());
        Ok(done)
    }

    /// Paused runs that still have `pending` accounts, oldest first: the runs a scheduler
    /// resumes when it starts.
    pub async fn resumable_runs(&self) -> Result<Vec<RunRow>, StoreError> {
        let ids: Vec<i64> = on_pool!(&self.pool, |p| sqlx::query_scalar(
            "SELECT id FROM collection_runs r
             WHERE status = 'paused'
               AND EXISTS (SELECT 1 FROM run_accounts a WHERE a.run_id = r.id AND a.status = 'pending')
             ORDER BY started_at, id",
        )
        .fetch_all(p)
        .await?);
        let mut runs = Vec::with_capacity(ids.len());
        for id in ids {
            runs.push(self.run(id).await?);
        }
        Ok(runs)
    }

    /// Writes a consistent copy of the whole database to `dest` with `VACUUM INTO` (an online
    /// backup: other connections keep reading and writing meanwhile). An encrypted store's
    /// copy is encrypted with the same key and salt (`sqlcipher_export` into `dest` attached
    /// with the key), so the backup opens with the key the vault already holds. `dest` must not exist;
    /// write to a temporary name and rename it into place, so a failed backup never leaves a
    /// half-written file under the final name.
    ///
    /// Errors: [`StoreError::SqliteOnly`] on PostgreSQL (its backups are a logical dump);
    /// [`StoreError::Invalid`] for a path that is not UTF-8; SQLite's errors
    /// ([`StoreError::Access`] when `dest` exists or cannot be written,
    /// [`StoreError::DiskFull`]).
    pub async fn backup_into(&self, dest: &Path) -> Result<(), StoreError> {
        let Some(path) = dest.to_str() else {
            return Err(StoreError::Invalid {
                what: "backup path",
                value: dest.display().to_string(),
                expected: "a UTF-8 file path",
            });
        };
        let Some(pool) = self.sqlite_pool() else {
            return Err(StoreError::SqliteOnly {
                operation: "a VACUUM INTO backup",
            });
        };
        if let Some(key) = self.key() {
            return encrypted_copy(pool, path, key).await.map_err(|e| e.at(dest));
        }
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(pool)
            .await
            .map_err(|e| StoreError::from(e).at(dest))?;
        Ok(())
    }
}

/// Writes the database of `pool` into the new file `dest`, encrypted with `key` (its key and
/// salt): `ATTACH … KEY`, `sqlcipher_export`, `DETACH`, on one connection.
async fn encrypted_copy(pool: &sqlx::SqlitePool, dest: &str, key: &DatabaseKey) -> Result<(), StoreError> {
    let mut conn = pool.acquire().await?;
    crate::at_rest::export_into(&mut conn, dest, Some(key)).await
}

/// Opens the database file at `path` read-only (without applying migrations) and reports
/// its `PRAGMA integrity_check` and applied migrations: what a restore checks before it
/// replaces the live database.
///
/// Errors: [`StoreError::NotADatabase`] / [`StoreError::Corrupt`] for a file SQLite cannot
/// read at all; [`StoreError::Access`] when it cannot be opened (missing, no permission).
/// Messages name the file.
pub async fn inspect_database_file(path: &Path, key: Option<&DatabaseKey>) -> Result<DatabaseFileInfo, StoreError> {
    if !path.is_file() {
        return Err(StoreError::Access {
            detail: format!("{}: no such file", path.display()),
        });
    }
    crate::check_file_against_key(path, key)?;
    let options = crate::file_options(path, key).read_only(true).create_if_missing(false);
    let keyed = key.is_some();
    let mut conn = options
        .connect()
        .await
        .map_err(|e| crate::keyed_error(StoreError::from(e), keyed).at(path))?;
    let result = inspect(&mut conn)
        .await
        .map_err(|e| crate::keyed_error(e, keyed).at(path));
    let _ = conn.close().await;
    result
}

async fn inspect(conn: &mut sqlx::SqliteConnection) -> Result<DatabaseFileInfo, StoreError> {
    let integrity = sqlx::query_scalar::<_, String>("PRAGMA integrity_check")
        .fetch_all(&mut *conn)
        .await?
        .join("\n");
    let has_migrations_table: bool =
        sqlx::query_scalar("SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = '_sqlx_migrations'")
            .fetch_one(&mut *conn)
            .await?;
    let applied_migrations = if has_migrations_table {
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = 1 ORDER BY version")
            .fetch_all(&mut *conn)
            .await?
    } else {
        Vec::new()
    };
    Ok(DatabaseFileInfo {
        integrity,
        has_migrations_table,
        applied_migrations,
        known_latest_migration: MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0),
    })
}
