//! Competitor sets and share of voice (schema version 19, `migrations/0019_competitors.sql`;
//! docs/schema.md): named sets with their own collection cadence
//! ([`CompetitorSetRow`]), which accounts are competitors ([`CompetitorRow`]), the terms
//! whose share of voice is collected ([`VoiceTermRow`]) and their public post counts per
//! UTC day, in total and per account ([`VoiceDayRow`]).
//!
//! Every timestamp is UTC (see [`crate::time`]); a day is stored as its UTC midnight.

use crate::engine::on_tx;
use crate::time::{to_db, DbTime, DbTimeOpt};
use crate::{on_pool, Store, StoreError};
use alcance_core::CadenceKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One row of `competitor_sets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct CompetitorSetRow {
    /// Row id.
    pub id: i64,
    /// The set's name (unique, as the user typed it, trimmed).
    pub name: String,
    /// Its members' collection cadence.
    pub cadence: CadenceKind,
    /// The cadence's period, seconds (≥ 60).
    pub every_seconds: i64,
    /// When it was made, UTC.
    #[sqlx(try_from = "DbTime")]
    pub created_at: DateTime<Utc>,
}

/// One competitor: an account in a set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct CompetitorRow {
    /// The account (`accounts.id`).
    pub account_id: i64,
    /// Its set (`competitor_sets.id`).
    pub set_id: i64,
    /// Its set's name.
    pub set_name: String,
    /// When it was added (or moved to this set), UTC.
    #[sqlx(try_from = "DbTime")]
    pub added_at: DateTime<Utc>,
}

/// One row of `voice_terms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct VoiceTermRow {
    /// Row id.
    pub id: i64,
    /// The term as sent to X (`#verão`, `black friday`).
    pub term: String,
    /// When it was first added, UTC.
    #[sqlx(try_from = "DbTime")]
    pub added_at: DateTime<Utc>,
    /// `false` once removed (its counts stay).
    pub enabled: bool,
    /// Its last collection, UTC.
    #[sqlx(try_from = "DbTimeOpt")]
    pub collected_at: Option<DateTime<Utc>>,
}

/// One day's public post count of a term: in total (`account_id` `None`, from
/// `voice_totals`) or by one account (from `voice_counts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct VoiceDayRow {
    /// The term.
    pub term: String,
    /// The account (`accounts.id`); `None` for the term's total.
    pub account_id: Option<i64>,
    /// The UTC day, as its midnight.
    #[sqlx(try_from = "DbTime")]
    pub day: DateTime<Utc>,
    /// Public posts matching the term that day. A count.
    pub count: i64,
    /// When it was read, UTC.
    #[sqlx(try_from = "DbTime")]
    pub collected_at: DateTime<Utc>,
}

const SET: &str = "id, name, cadence, every_seconds, created_at";

impl Store {
    /// Creates the set `name` with `cadence` (`every_seconds` its period) at `at` (UTC), or
    /// sets the cadence of the set of that name (its members and `created_at` stay).
    ///
    /// Errors: [`StoreError::Invalid`] for a blank name or a period under 60 s.
    pub async fn upsert_competitor_set(
        &self,
        name: &str,
        cadence: CadenceKind,
        every_seconds: i64,
        at: DateTime<Utc>,
    ) -> Result<CompetitorSetRow, StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid {
                what: "competitor set name",
                value: String::new(),
                expected: "a name that is not blank",
            });
        }
        if every_seconds < crate::schedule::MIN_EVERY_SECONDS {
            return Err(StoreError::Invalid {
                what: "cadence period",
                value: every_seconds.to_string(),
                expected: "60 seconds or more",
            });
        }
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(&format!(
            "INSERT INTO competitor_sets (name, cadence, every_seconds, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (name) DO UPDATE SET cadence = excluded.cadence, every_seconds = excluded.every_seconds
             RETURNING {SET}"
        ))
        .bind(name)
        .bind(cadence)
        .bind(every_seconds)
        .bind(to_db(at))
        .fetch_one(p)
        .await?))
    }

    /// The competitor sets, by name.
    pub async fn competitor_sets(&self) -> Result<Vec<CompetitorSetRow>, StoreError> {
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(&format!(
            "SELECT {SET} FROM competitor_sets ORDER BY name"
        ))
        .fetch_all(p)
        .await?))
    }

    /// Deletes the set `name` and its competitor rows (the accounts and their data stay).
    /// `false` when there was no such set.
    pub async fn delete_competitor_set(&self, name: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin_write().await?;
        on_tx!(&mut tx, |c| sqlx::query(
            "DELETE FROM competitors WHERE set_id IN (SELECT id FROM competitor_sets WHERE name = $1)"
        )
        .bind(name.trim())
        .execute(&mut *c)
        .await?
        .rows_affected());
        let n = on_tx!(&mut tx, |c| sqlx::query("DELETE FROM competitor_sets WHERE name = $1")
            .bind(name.trim())
            .execute(&mut *c)
            .await?
            .rows_affected());
        tx.commit().await?;
        Ok(n > 0)
    }

    /// Makes account `account_id` a competitor in set `set_id` from `at` (UTC); an account
    /// already in another set moves to this one (a competitor is in one set).
    ///
    /// Errors: [`StoreError::Database`] (a foreign-key error) when the account or the set
    /// does not exist.
    pub async fn add_competitor(&self, account_id: i64, set_id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
        on_pool!(&self.pool, |p| sqlx::query(
            "INSERT INTO competitors (account_id, set_id, added_at) VALUES ($1, $2, $3)
             ON CONFLICT (account_id) DO UPDATE SET set_id = excluded.set_id, added_at = excluded.added_at"
        )
        .bind(account_id)
        .bind(set_id)
        .bind(to_db(at))
        .execute(p)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Removes account `account_id` from the competitors (the account and its data stay).
    /// `false` when it was not one.
    pub async fn remove_competitor(&self, account_id: i64) -> Result<bool, StoreError> {
        let n = on_pool!(&self.pool, |p| sqlx::query(
            "DELETE FROM competitors WHERE account_id = $1"
        )
        .bind(account_id)
        .execute(p)
        .await?
        .rows_affected());
        Ok(n > 0)
    }

    /// The competitors with their set's name, by set name then account id.
    pub async fn competitors(&self) -> Result<Vec<CompetitorRow>, StoreError> {
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT c.account_id, c.set_id, s.name AS set_name, c.added_at
             FROM competitors c JOIN competitor_sets s ON s.id = c.set_id
             ORDER BY s.name, c.account_id"
        )
        .fetch_all(p)
        .await?))
    }

    /// Adds `term` (trimmed, as sent to X) to the share-of-voice terms at `at` (UTC); adding
    /// a removed term again enables it (its first `added_at` and counts stay).
    ///
    /// Errors: [`StoreError::Invalid`] for a blank term.
    pub async fn add_voice_term(&self, term: &str, at: DateTime<Utc>) -> Result<VoiceTermRow, StoreError> {
        let term = term.trim();
        if term.is_empty() {
            return Err(StoreError::Invalid {
                what: "share-of-voice term",
                value: String::new(),
                expected: "a hashtag or keyword",
            });
        }
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(
            "INSERT INTO voice_terms (term, added_at, enabled) VALUES ($1, $2, $3)
             ON CONFLICT (term) DO UPDATE SET enabled = excluded.enabled
             RETURNING id, term, added_at, enabled, collected_at"
        )
        .bind(term)
        .bind(to_db(at))
        .bind(true)
        .fetch_one(p)
        .await?))
    }

    /// Stops collecting `term` (its row and counts stay). `false` when it was not collected.
    pub async fn remove_voice_term(&self, term: &str) -> Result<bool, StoreError> {
        let n = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE voice_terms SET enabled = $2 WHERE term = $1 AND enabled = $3"
        )
        .bind(term.trim())
        .bind(false)
        .bind(true)
        .execute(p)
        .await?
        .rows_affected());
        Ok(n > 0)
    }

    /// The share-of-voice terms (with the removed ones when `with_removed`), by term.
    pub async fn voice_terms(&self, with_removed: bool) -> Result<Vec<VoiceTermRow>, StoreError> {
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT id, term, added_at, enabled, collected_at FROM voice_terms WHERE enabled = $1 OR $2 ORDER BY term"
        )
        .bind(true)
        .bind(with_removed)
        .fetch_all(p)
        .await?))
    }

    /// Stamps `term`'s last collection at `at` (UTC).
    pub async fn voice_term_collected(&self, term: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE voice_terms SET collected_at = $2 WHERE term = $1"
        )
        .bind(term)
        .bind(to_db(at))
        .execute(p)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Saves `days` (UTC midnight, public post count) of `term`: its total when
    /// `account_id` is `None`, else that account's; collected at `collected_at`, in one
    /// transaction. A day already stored takes the new count. Returns the days written.
    ///
    /// Errors: [`StoreError::Invalid`] for a negative count (nothing is written).
    pub async fn save_voice_days(
        &self,
        term: &str,
        account_id: Option<i64>,
        days: &[(DateTime<Utc>, i64)],
        collected_at: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        if let Some((_, bad)) = days.iter().find(|(_, c)| *c < 0) {
            return Err(StoreError::Invalid {
                what: "post count",
                value: bad.to_string(),
                expected: "a count of 0 or more",
            });
        }
        let mut tx = self.pool.begin_write().await?;
        for (day, count) in days {
            match account_id {
                None => on_tx!(&mut tx, |c| {
                    sqlx::query(
                    "INSERT INTO voice_totals (term, day, count, collected_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (term, day) DO UPDATE SET count = excluded.count, collected_at = excluded.collected_at"
                )
                .bind(term)
                .bind(to_db(*day))
                .bind(*count)
                .bind(to_db(collected_at))
                .execute(&mut *c)
                .await?
                .rows_affected()
                }),
                Some(account) => {
                    on_tx!(&mut tx, |c| {
                        sqlx::query(
                    "INSERT INTO voice_counts (term, account_id, day, count, collected_at) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (term, account_id, day) DO UPDATE SET count = excluded.count,
                                                                       collected_at = excluded.collected_at"
                )
                .bind(term)
                .bind(account)
                .bind(to_db(*day))
                .bind(*count)
                .bind(to_db(collected_at))
                .execute(&mut *c)
                .await?
                .rows_affected()
                    })
                }
            };
        }
        tx.commit().await?;
        Ok(days.len())
    }

    /// `term`'s days from `since` (inclusive) to `until` (exclusive), UTC: its totals
    /// (`account_id` `None`) and every account's counts, by account (totals first) then day.
    pub async fn voice_days(
        &self,
        term: &str,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<VoiceDayRow>, StoreError> {
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT term, account_id, day, count, collected_at FROM (
                 SELECT term, CAST(NULL AS BIGINT) AS account_id, day, count, collected_at FROM voice_totals
                 WHERE term = $1 AND day >= $2 AND day < $3
                 UNION ALL
                 SELECT term, account_id, day, count, collected_at FROM voice_counts
                 WHERE term = $1 AND day >= $2 AND day < $3
             ) AS v ORDER BY account_id NULLS FIRST, day"
        )
        .bind(term)
        .bind(to_db(since))
        .bind(to_db(until))
        .fetch_all(p)
        .await?))
    }
}
