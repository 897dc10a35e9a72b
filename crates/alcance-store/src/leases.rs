//! Many collectors, one schedule: `leases` (which worker holds a token's accounts until
//! when) and the heartbeat of `collection_runs` (which worker drives a run, and when it last
//! said so). See docs/adr/0007-one-worker-owns-a-token-at-a-time.md.
//!
//! A worker is one scheduler loop (one `alcance run` process, one server, or one
//! `Scheduler` in a test), named by a string unique among the workers of a database. Every
//! claim is one statement, atomic on both engines: `INSERT … ON CONFLICT DO UPDATE … WHERE`
//! for a lease (PostgreSQL re-checks the `WHERE` on the row a concurrent claim just wrote;
//! SQLite runs one writer at a time), `UPDATE … WHERE` with the staleness test repeated on
//! the row for a run (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so workers skip a run another
//! is claiming). Every time is the caller's clock (UTC), so tests can compress time.

use crate::engine::Engine;
use crate::time::to_db;
use crate::{on_pool, RunRow, Store, StoreError};
use chrono::{DateTime, Utc};

impl Engine {
    /// The row-locking suffix of a claim's sub-select: `FOR UPDATE SKIP LOCKED` on
    /// PostgreSQL (concurrent claimers pass over each other's rows instead of queueing),
    /// nothing on SQLite (one writer at a time).
    pub(crate) fn skip_locked(self) -> &'static str {
        match self {
            Engine::Sqlite => "",
            Engine::Postgres => "FOR UPDATE SKIP LOCKED",
        }
    }
}

impl Store {
    /// Claims (or renews) the lease `name` for `worker` until `until` (UTC) when it is free:
    /// never held, expired at `now` (UTC), or already `worker`'s. Returns `true` when
    /// `worker` holds it afterwards. Atomic: of workers claiming one free lease at once,
    /// exactly one gets it.
    pub async fn claim_lease(
        &self,
        name: &str,
        worker: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let held: Option<String> = on_pool!(&self.pool, |p| sqlx::query_scalar(
            "INSERT INTO leases (name, worker, lease_until, claimed_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (name) DO UPDATE SET worker = excluded.worker, lease_until = excluded.lease_until,
                 claimed_at = CASE WHEN leases.worker = excluded.worker THEN leases.claimed_at
                                   ELSE excluded.claimed_at END
             WHERE leases.lease_until <= $4 OR leases.worker = excluded.worker
             RETURNING name",
        )
        .bind(name)
        .bind(worker)
        .bind(to_db(until))
        .bind(to_db(now))
        .fetch_optional(p)
        .await?);
        Ok(held.is_some())
    }

    /// Moves every lease `worker` holds to expire at `until` (UTC); returns how many it
    /// holds. A lease another worker took over (after it expired) is not touched.
    pub async fn renew_leases(&self, worker: &str, until: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE leases SET lease_until = $1 WHERE worker = $2"
        )
        .bind(to_db(until))
        .bind(worker)
        .execute(p)
        .await?
        .rows_affected()))
    }

    /// Releases every lease `worker` holds; returns how many.
    pub async fn release_leases(&self, worker: &str) -> Result<u64, StoreError> {
        Ok(on_pool!(&self.pool, |p| sqlx::query(
            "DELETE FROM leases WHERE worker = $1"
        )
        .bind(worker)
        .execute(p)
        .await?
        .rows_affected()))
    }

    /// The leases held at `now` (UTC): `(name, worker)`, by name.
    pub async fn live_leases(&self, now: DateTime<Utc>) -> Result<Vec<(String, String)>, StoreError> {
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT name, worker FROM leases WHERE lease_until > $1 ORDER BY name"
        )
        .bind(to_db(now))
        .fetch_all(p)
        .await?))
    }

    /// Records that `worker` drives the unfinished run `run_id` and is alive at `at` (UTC).
    /// Returns `false` when the run ended or another worker took it over (the caller should
    /// stop working on it).
    pub async fn heartbeat_run(&self, run_id: i64, worker: &str, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let done = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE collection_runs SET worker = $1, heartbeat_at = $2
             WHERE id = $3 AND finished_at IS NULL AND (worker IS NULL OR worker = $1)",
        )
        .bind(worker)
        .bind(to_db(at))
        .bind(run_id)
        .execute(p)
        .await?
        .rows_affected());
        Ok(done == 1)
    }

    /// Claims for `worker` the oldest unfinished run (`running` or `paused`) whose heartbeat
    /// (or start, when it never had one) is at or before `stale_before` (UTC): a run whose
    /// worker died. Its heartbeat becomes `now` (UTC) and its worker `worker`, so no other
    /// worker claims it; the caller resumes it. Atomic: of workers claiming at once, exactly
    /// one gets a given run. `None` when there is none.
    pub async fn claim_stale_run(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<Option<RunRow>, StoreError> {
        let sql = format!(
            "UPDATE collection_runs SET worker = $1, heartbeat_at = $2
             WHERE id = (SELECT id FROM collection_runs
                         WHERE status IN ('running', 'paused') AND finished_at IS NULL
                           AND coalesce(heartbeat_at, started_at) <= $3
                         ORDER BY started_at, id LIMIT 1 {})
               AND status IN ('running', 'paused') AND finished_at IS NULL
               AND coalesce(heartbeat_at, started_at) <= $3
             RETURNING id",
            self.engine().skip_locked()
        );
        let id: Option<i64> = on_pool!(&self.pool, |p| sqlx::query_scalar(&sql)
            .bind(worker)
            .bind(to_db(now))
            .bind(to_db(stale_before))
            .fetch_optional(p)
            .await?);
        match id {
            Some(id) => Ok(Some(self.run(id).await?)),
            None => Ok(None),
        }
    }
}
