//! The run log: `collection_runs` and `run_events`. It grows by one run per collection run
//! (it is a log, not collected data, so the idempotence rule does not apply to it).

use crate::error::touched_one;
use crate::redact::redact;
use crate::time::to_db;
use crate::{on_pool, RunCounts, RunEventRow, RunRow, Store, StoreError};
use alcance_core::{EventLevel, RunKind, RunStatus};
use chrono::{DateTime, Utc};

const RUN_COLUMNS: &str =
    "id, kind, status, started_at, finished_at, accounts_total, accounts_ok, accounts_failed, metrics_written";

impl Store {
    /// Starts a run of `kind` (a [`RunKind`] or its key: `demo`, `manual` or `scheduled`)
    /// with status `running` and returns `collection_runs.id`. Errors: [`StoreError::Invalid`]
    /// for another key.
    pub async fn start_run<K>(&self, kind: K, started_at: DateTime<Utc>) -> Result<i64, StoreError>
    where
        K: TryInto<RunKind>,
        StoreError: From<K::Error>,
    {
        let kind: RunKind = kind.try_into()?;
        let id: i64 = on_pool!(&self.pool, |p| sqlx::query_scalar(
            "INSERT INTO collection_runs (kind, status, started_at) VALUES ($1, 'running', $2) RETURNING id",
        )
        .bind(kind)
        .bind(to_db(started_at))
        .fetch_one(p)
        .await?);
        Ok(id)
    }

    /// Ends a run: sets its status (a [`RunStatus`] or its key: `ok`, `partial`, `failed`,
    /// `cancelled`; `running` and `paused` are accepted too), `finished_at` (UTC) and tallies.
    /// Errors: [`StoreError::Invalid`] for another key, [`StoreError::NotFound`] for an
    /// unknown run.
    pub async fn finish_run<S>(
        &self,
        run_id: i64,
        status: S,
        finished_at: DateTime<Utc>,
        counts: &RunCounts,
    ) -> Result<(), StoreError>
    where
        S: TryInto<RunStatus>,
        StoreError: From<S::Error>,
    {
        let status: RunStatus = status.try_into()?;
        let done = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE collection_runs SET status = $1, finished_at = $2, accounts_total = $3, accounts_ok = $4,
                    accounts_failed = $5, metrics_written = $6
             WHERE id = $7",
        )
        .bind(status)
        .bind(to_db(finished_at))
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

    /// Appends an event to a run's log. `message` is for people; token-like values in it are
    /// replaced by `REDACTED`. Errors: [`StoreError::NotFound`] for an unknown run,
    /// [`StoreError::Constraint`] for an unknown account.
    pub async fn add_event(
        &self,
        run_id: i64,
        account_id: Option<i64>,
        level: EventLevel,
        code: &str,
        message: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let done = on_pool!(&self.pool, |p| sqlx::query(
            "INSERT INTO run_events (run_id, account_id, at, level, code, message)
             SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM collection_runs WHERE id = $1)",
        )
        .bind(run_id)
        .bind(account_id)
        .bind(to_db(at))
        .bind(level)
        .bind(code)
        .bind(redact(message).as_ref())
        .execute(p)
        .await?
        .rows_affected());
        touched_one(done, "run", run_id)
    }

    /// A run's events in the order they were written.
    pub async fn run_events(&self, run_id: i64) -> Result<Vec<RunEventRow>, StoreError> {
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT id, run_id, account_id, at, level, code, message FROM run_events WHERE run_id = $1 ORDER BY id",
        )
        .bind(run_id)
        .fetch_all(p)
        .await?))
    }

    /// The `n` most recent runs, newest first (by `started_at`, then id). `n <= 0` gives none.
    pub async fn last_runs(&self, n: i64) -> Result<Vec<RunRow>, StoreError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM collection_runs ORDER BY started_at DESC, id DESC LIMIT $1");
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(n.max(0))
            .fetch_all(p)
            .await?))
    }

    /// One run by id. Errors: [`StoreError::NotFound`].
    pub async fn run(&self, run_id: i64) -> Result<RunRow, StoreError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM collection_runs WHERE id = $1");
        match on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(run_id)
            .fetch_optional(p)
            .await?)
        {
            Some(run) => Ok(run),
            None => Err(StoreError::NotFound {
                what: "run",
                id: run_id,
            }),
        }
    }
}
