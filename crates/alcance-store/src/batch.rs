//! Writing one account's collection: metrics, posts, audience, gaps, warnings and raw
//! exchanges, in one transaction, following the idempotence rule of `docs/schema.md`.
//!
//! Each table group is written by one set-based statement over a JSON array bound as a
//! single parameter (`json_each(?)`), so a batch costs a fixed number of statements however
//! many records it holds, and every statement text is fixed (prepared once per connection).
//! Raw exchanges carry binary bodies and go through one prepared statement in a loop.

use crate::redact::{redact, redact_body};
use crate::time::{day_bucket, hour_bucket, to_db};
use crate::{SaveStats, Store, StoreError};
use alcance_core::{CollectionBatch, EventLevel, Period, RawExchange};
use chrono::{DateTime, Utc};
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use flate2::Compression;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::SqliteConnection;
use std::collections::HashMap;
use std::io::{Read, Write};

// ?1 account id, ?2 collected_at, ?3 username, ?4 display name, ?5 wall clock.
const TOUCH_ACCOUNT: &str = "
UPDATE accounts SET
    last_collected_at = CASE WHEN last_collected_at IS NULL OR last_collected_at < ?2
                             THEN ?2 ELSE last_collected_at END,
    updated_at = CASE WHEN coalesce(?3, username) IS NOT username
                           OR coalesce(?4, display_name) IS NOT display_name
                      THEN ?5 ELSE updated_at END,
    username = coalesce(?3, username),
    display_name = coalesce(?4, display_name)
WHERE id = ?1";

const RUN_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM collection_runs WHERE id = ?1)";

// Periods other than snapshot: keyed by (account, metric, period, start, end), updated in
// place. A NULL re-reading does not erase a value already read. ?1 account, ?2 collected_at,
// ?3 JSON [{m, p, s, e, v}].
const PERIOD_UPSERT: &str = "
INSERT INTO account_metrics (account_id, metric, period, period_start, period_end, value, collected_at, last_seen_at)
SELECT ?1, j.value ->> 'm', j.value ->> 'p', j.value ->> 's', j.value ->> 'e', j.value ->> 'v', ?2, ?2
FROM json_each(?3) AS j WHERE true
ON CONFLICT (account_id, metric, period, period_start, period_end) DO UPDATE SET
    value = coalesce(excluded.value, account_metrics.value),
    collected_at = CASE WHEN excluded.value IS NULL AND account_metrics.value IS NOT NULL
                        THEN account_metrics.collected_at ELSE excluded.collected_at END,
    last_seen_at = max(account_metrics.last_seen_at, excluded.last_seen_at)";

// The latest snapshot row at or before the bucket ?3, for metric j.m of account ?1.
const PREV_SNAPSHOT: &str = "(
        SELECT p.id FROM account_metrics AS p
        WHERE p.account_id = ?1 AND p.metric = j.value ->> 'm' AND p.period = 'snapshot' AND p.period_start <= ?3
        ORDER BY p.period_start DESC LIMIT 1)";

// The latest post_metrics row at or before the bucket ?3, for post po and metric j.m.
const PREV_POST_METRIC: &str = "(
        SELECT pm.id FROM post_metrics AS pm
        WHERE pm.post_id = po.id AND pm.metric = j.value ->> 'm' AND pm.bucket <= ?3
        ORDER BY pm.bucket DESC LIMIT 1)";

/// Snapshot statements, built once from the fragments above.
struct SnapshotSql {
    account_bump: String,
    account_upsert: String,
    post_bump: String,
    post_upsert: String,
}

fn snapshot_sql() -> &'static SnapshotSql {
    static SQL: std::sync::OnceLock<SnapshotSql> = std::sync::OnceLock::new();
    SQL.get_or_init(|| SnapshotSql {
        // Same value as the latest row: only that row's last_seen_at moves.
        // ?1 account, ?2 collected_at, ?3 hour bucket, ?4 JSON [{m, v}].
        account_bump: format!(
            "UPDATE account_metrics SET last_seen_at = max(last_seen_at, ?2)
             WHERE id IN (
                 SELECT prev.id FROM json_each(?4) AS j
                 CROSS JOIN account_metrics AS prev ON prev.id = {PREV_SNAPSHOT}
                 WHERE prev.value IS (j.value ->> 'v'))"
        ),
        // Another value: a new row in a new bucket, or the bucket's row updated in place.
        account_upsert: format!(
            "INSERT INTO account_metrics (account_id, metric, period, period_start, period_end, value,
                                          collected_at, last_seen_at)
             SELECT ?1, j.value ->> 'm', 'snapshot', ?3, ?3, j.value ->> 'v', ?2, ?2
             FROM json_each(?4) AS j
             WHERE NOT EXISTS (SELECT 1 FROM account_metrics AS prev
                               WHERE prev.id = {PREV_SNAPSHOT} AND prev.value IS (j.value ->> 'v'))
             ON CONFLICT (account_id, metric, period, period_start, period_end) DO UPDATE SET
                 value = excluded.value, collected_at = excluded.collected_at,
                 last_seen_at = max(account_metrics.last_seen_at, excluded.last_seen_at)"
        ),
        // ?1 account, ?2 collected_at, ?3 hour bucket, ?4 JSON [{i, m, v}].
        post_bump: format!(
            "UPDATE post_metrics SET last_seen_at = max(last_seen_at, ?2)
             WHERE id IN (
                 SELECT prev.id FROM json_each(?4) AS j
                 CROSS JOIN posts AS po ON po.account_id = ?1 AND po.external_id = j.value ->> 'i'
                 CROSS JOIN post_metrics AS prev ON prev.id = {PREV_POST_METRIC}
                 WHERE prev.value IS (j.value ->> 'v'))"
        ),
        post_upsert: format!(
            "INSERT INTO post_metrics (post_id, metric, value, collected_at, bucket, last_seen_at)
             SELECT po.id, j.value ->> 'm', j.value ->> 'v', ?2, ?3, ?2
             FROM json_each(?4) AS j
             CROSS JOIN posts AS po ON po.account_id = ?1 AND po.external_id = j.value ->> 'i'
             WHERE NOT EXISTS (SELECT 1 FROM post_metrics AS prev
                               WHERE prev.id = {PREV_POST_METRIC} AND prev.value IS (j.value ->> 'v'))
             ON CONFLICT (post_id, metric, bucket) DO UPDATE SET
                 value = excluded.value, collected_at = excluded.collected_at,
                 last_seen_at = max(post_metrics.last_seen_at, excluded.last_seen_at)"
        ),
    })
}

// ?1 account, ?2 collected_at, ?3 JSON [{i, t, p, l, c}].
const POSTS_UPSERT: &str = "
INSERT INTO posts (account_id, external_id, content_type, published_at, permalink, caption, first_seen_at, last_seen_at)
SELECT ?1, j.value ->> 'i', j.value ->> 't', j.value ->> 'p', j.value ->> 'l', j.value ->> 'c', ?2, ?2
FROM json_each(?3) AS j WHERE true
ON CONFLICT (account_id, external_id) DO UPDATE SET
    content_type = excluded.content_type,
    published_at = coalesce(excluded.published_at, posts.published_at),
    permalink = coalesce(excluded.permalink, posts.permalink),
    caption = coalesce(excluded.caption, posts.caption),
    first_seen_at = min(posts.first_seen_at, excluded.first_seen_at),
    last_seen_at = max(posts.last_seen_at, excluded.last_seen_at)";

// Placeholder posts for metrics of posts neither listed in the batch nor stored before.
// ?1 account, ?2 collected_at, ?3 JSON [{i, m, v}].
const POST_PLACEHOLDERS: &str = "
INSERT INTO posts (account_id, external_id, content_type, first_seen_at, last_seen_at)
SELECT DISTINCT ?1, j.value ->> 'i', 'unknown', ?2, ?2 FROM json_each(?3) AS j WHERE true
ON CONFLICT (account_id, external_id) DO NOTHING";

// ?1 account, ?2 collected_at, ?3 day bucket, ?4 JSON [{a, d, k, v, t}].
const AUDIENCE_UPSERT: &str = "
INSERT INTO audience (account_id, audience, dimension, key, value, timeframe, collected_at, bucket)
SELECT ?1, j.value ->> 'a', j.value ->> 'd', j.value ->> 'k', j.value ->> 'v', j.value ->> 't', ?2, ?3
FROM json_each(?4) AS j WHERE true
ON CONFLICT (account_id, audience, dimension, key, timeframe, bucket) DO UPDATE SET
    value = excluded.value, collected_at = excluded.collected_at";

// ?1 run, ?2 account, ?3 at, ?4 JSON [{l, c, x}].
const EVENTS_INSERT: &str = "
INSERT INTO run_events (run_id, account_id, at, level, code, message)
SELECT ?1, ?2, ?3, j.value ->> 'l', j.value ->> 'c', j.value ->> 'x' FROM json_each(?4) AS j ORDER BY j.key";

const RAW_UPSERT: &str = "
INSERT INTO raw_responses (run_id, account_id, method, url, status, body_hash, body_len, body,
                           fetched_at, last_fetched_at, seen_count)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, 1)
ON CONFLICT (method, url, status, body_hash) DO UPDATE SET
    seen_count = raw_responses.seen_count + 1,
    fetched_at = min(raw_responses.fetched_at, excluded.fetched_at),
    last_fetched_at = max(raw_responses.last_fetched_at, excluded.last_fetched_at)";

#[derive(Serialize)]
struct PeriodIn<'a> {
    m: &'a str,
    p: &'static str,
    s: String,
    e: String,
    v: Option<f64>,
}

#[derive(Serialize)]
struct SnapshotIn<'a> {
    m: &'a str,
    v: Option<f64>,
}

#[derive(Serialize)]
struct PostIn<'a> {
    i: &'a str,
    t: &'a str,
    p: Option<String>,
    l: Option<&'a str>,
    c: Option<&'a str>,
}

#[derive(Serialize)]
struct PostMetricIn<'a> {
    i: &'a str,
    m: &'a str,
    v: Option<f64>,
}

#[derive(Serialize)]
struct AudienceIn<'a> {
    a: &'a str,
    d: &'a str,
    k: &'a str,
    v: Option<f64>,
    t: &'a str,
}

#[derive(Serialize)]
struct EventIn<'a> {
    l: &'static str,
    c: &'a str,
    x: String,
}

/// A raw exchange ready to write: redacted, hashed and compressed.
struct RawRow {
    method: String,
    url: String,
    status: i64,
    body_hash: String,
    body_len: i64,
    body: Vec<u8>,
    fetched_at: String,
}

/// `None` for NaN and infinities: SQLite cannot hold them and they are not data.
fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

/// `None` for an empty or blank string.
fn non_blank(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

fn json<T: Serialize>(rows: &[T]) -> Result<String, StoreError> {
    // Serializing these plain structs cannot fail; the error arm is kept to avoid a panic path.
    serde_json::to_string(rows).map_err(|e| StoreError::Invalid {
        what: "batch",
        value: e.to_string(),
        expected: "records serializable as JSON",
    })
}

/// Keeps the last of each key, in first-seen order.
fn last_per_key<T, K: std::hash::Hash + Eq>(items: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let mut index: HashMap<K, usize> = HashMap::with_capacity(items.len());
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        match index.get(&key(&item)) {
            Some(&i) => out[i] = item,
            None => {
                index.insert(key(&item), out.len());
                out.push(item);
            }
        }
    }
    out
}

fn prepare_raw(raw: &[RawExchange]) -> Result<Vec<RawRow>, StoreError> {
    raw.iter()
        .map(|x| {
            let url = redact(&x.url);
            let body = redact_body(&x.body);
            if matches!(url, std::borrow::Cow::Owned(_)) || matches!(body, std::borrow::Cow::Owned(_)) {
                let endpoint = x.url.split(['?', '#']).next().unwrap_or_default();
                tracing::debug!(method = %x.method, endpoint, "a secret in a raw exchange (e.g. a Meta paging.next URL) was redacted before archiving");
            }
            let body_hash = hex::encode(Sha256::digest(&body));
            let mut encoder = ZlibEncoder::new(Vec::with_capacity(body.len() / 4 + 16), Compression::default());
            encoder.write_all(&body).map_err(StoreError::Compress)?;
            let compressed = encoder.finish().map_err(StoreError::Compress)?;
            Ok(RawRow {
                method: x.method.clone(),
                url: url.into_owned(),
                status: i64::from(x.status),
                body_hash,
                body_len: i64::try_from(body.len()).unwrap_or(i64::MAX),
                body: compressed,
                fetched_at: to_db(x.fetched_at),
            })
        })
        .collect()
}

async fn write_raw(
    conn: &mut SqliteConnection,
    run_id: i64,
    account_id: Option<i64>,
    rows: &[RawRow],
) -> Result<usize, StoreError> {
    let mut written = 0;
    for r in rows {
        written += sqlx::query(RAW_UPSERT)
            .bind(run_id)
            .bind(account_id)
            .bind(&r.method)
            .bind(&r.url)
            .bind(r.status)
            .bind(&r.body_hash)
            .bind(r.body_len)
            .bind(&r.body)
            .bind(&r.fetched_at)
            .execute(&mut *conn)
            .await?
            .rows_affected() as usize;
    }
    Ok(written)
}

async fn ensure_run(conn: &mut SqliteConnection, run_id: i64) -> Result<(), StoreError> {
    let exists: bool = sqlx::query_scalar(RUN_EXISTS)
        .bind(run_id)
        .fetch_one(&mut *conn)
        .await?;
    if exists {
        Ok(())
    } else {
        Err(StoreError::NotFound {
            what: "run",
            id: run_id,
        })
    }
}

/// Runs one set-based statement: binds account id, `collected_at`, the bucket (when the
/// statement has one) and the JSON `payload`; returns the rows inserted or updated.
async fn exec_json(
    conn: &mut SqliteConnection,
    sql: &str,
    account_id: i64,
    collected_at: &str,
    bucket: Option<&str>,
    payload: &str,
) -> Result<usize, StoreError> {
    let mut q = sqlx::query(sql).bind(account_id).bind(collected_at);
    if let Some(bucket) = bucket {
        q = q.bind(bucket);
    }
    Ok(q.bind(payload).execute(&mut *conn).await?.rows_affected() as usize)
}

impl Store {
    /// Writes one account's collection in ONE transaction (all or nothing):
    /// the profile (`username` / `display_name`, when given and non-blank), account metrics,
    /// posts, post metrics, audience, gaps (as `run_events` of level `gap`, code = the gap's
    /// code), warnings (as `run_events` with their level) and the raw exchanges; sets
    /// `accounts.last_collected_at` to `collected_at` (never moves it backwards).
    ///
    /// `collected_at` (UTC, stored to the second) dates every value. Snapshot values
    /// (post metrics, account metrics of period `snapshot`) go to the UTC-hour bucket of
    /// `collected_at`; for snapshots the record's own `period_start` / `period_end` are
    /// replaced by that bucket. Audience cells go to the UTC day of `collected_at`.
    /// Metrics of posts the batch does not list and the store does not know get a
    /// placeholder post (`content_type` `unknown`) that a later listing completes.
    /// Non-finite values are stored as NULL. Secrets left in URLs, bodies and messages are
    /// replaced by `REDACTED`. See `docs/schema.md` for the idempotence rule.
    ///
    /// Errors: [`StoreError::NotFound`] for an unknown account or run (nothing written),
    /// [`StoreError::DiskFull`], [`StoreError::Busy`], [`StoreError::Corrupt`].
    pub async fn save_batch(
        &self,
        run_id: i64,
        account_id: i64,
        collected_at: DateTime<Utc>,
        batch: &CollectionBatch,
        raw: &[RawExchange],
    ) -> Result<SaveStats, StoreError> {
        let at = to_db(collected_at);
        let hour = to_db(hour_bucket(collected_at));
        let day = to_db(day_bucket(collected_at));

        // Everything that costs CPU happens before the write lock is taken.
        let (snapshots, periods): (Vec<_>, Vec<_>) =
            batch.account_metrics.iter().partition(|m| m.period == Period::Snapshot);
        let snapshots = last_per_key(
            snapshots
                .into_iter()
                .map(|m| SnapshotIn {
                    m: &m.metric,
                    v: finite(m.value),
                })
                .collect(),
            |s| s.m,
        );
        let periods: Vec<PeriodIn<'_>> = periods
            .into_iter()
            .map(|m| PeriodIn {
                m: &m.metric,
                p: m.period.as_str(),
                s: to_db(m.period_start),
                e: to_db(m.period_end),
                v: finite(m.value),
            })
            .collect();
        let posts: Vec<PostIn<'_>> = batch
            .posts
            .iter()
            .map(|p| PostIn {
                i: &p.external_id,
                t: p.content_type.as_key(),
                p: p.published_at.map(to_db),
                l: p.permalink.as_deref(),
                c: p.caption.as_deref(),
            })
            .collect();
        let post_metrics = last_per_key(
            batch
                .post_metrics
                .iter()
                .map(|m| PostMetricIn {
                    i: &m.post_external_id,
                    m: &m.metric,
                    v: finite(m.value),
                })
                .collect(),
            |m| (m.i, m.m),
        );
        let audience: Vec<AudienceIn<'_>> = batch
            .audience
            .iter()
            .map(|a| AudienceIn {
                a: &a.audience,
                d: &a.dimension,
                k: &a.key,
                v: finite(Some(a.value)),
                t: &a.timeframe,
            })
            .collect();
        let events: Vec<EventIn<'_>> = batch
            .gaps
            .iter()
            .map(|g| EventIn {
                l: EventLevel::Gap.as_str(),
                c: &g.code,
                x: redact(&format!("{} on {}: {}", g.what, g.object_id, g.detail)).into_owned(),
            })
            .chain(batch.warnings.iter().map(|w| EventIn {
                l: w.level.as_str(),
                c: &w.code,
                x: redact(&w.message).into_owned(),
            }))
            .collect();
        let raw_rows = prepare_raw(raw)?;
        let (username, display_name) = match &batch.profile {
            Some(p) => (non_blank(p.username.as_deref()), non_blank(p.display_name.as_deref())),
            None => (None, None),
        };

        let mut stats = SaveStats::default();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let touched = sqlx::query(TOUCH_ACCOUNT)
            .bind(account_id)
            .bind(&at)
            .bind(username)
            .bind(display_name)
            .bind(to_db(Utc::now()))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if touched == 0 {
            return Err(StoreError::NotFound {
                what: "account",
                id: account_id,
            });
        }
        ensure_run(&mut tx, run_id).await?;

        if !periods.is_empty() {
            stats.account_metrics += exec_json(&mut tx, PERIOD_UPSERT, account_id, &at, None, &json(&periods)?).await?;
        }
        let sql = snapshot_sql();
        if !snapshots.is_empty() {
            let payload = json(&snapshots)?;
            stats.account_metrics +=
                exec_json(&mut tx, &sql.account_bump, account_id, &at, Some(&hour), &payload).await?;
            stats.account_metrics +=
                exec_json(&mut tx, &sql.account_upsert, account_id, &at, Some(&hour), &payload).await?;
        }
        if !posts.is_empty() {
            stats.posts += exec_json(&mut tx, POSTS_UPSERT, account_id, &at, None, &json(&posts)?).await?;
        }
        if !post_metrics.is_empty() {
            let payload = json(&post_metrics)?;
            stats.posts += exec_json(&mut tx, POST_PLACEHOLDERS, account_id, &at, None, &payload).await?;
            stats.post_metrics += exec_json(&mut tx, &sql.post_bump, account_id, &at, Some(&hour), &payload).await?;
            stats.post_metrics += exec_json(&mut tx, &sql.post_upsert, account_id, &at, Some(&hour), &payload).await?;
        }
        if !audience.is_empty() {
            stats.audience +=
                exec_json(&mut tx, AUDIENCE_UPSERT, account_id, &at, Some(&day), &json(&audience)?).await?;
        }
        if !events.is_empty() {
            stats.events += sqlx::query(EVENTS_INSERT)
                .bind(run_id)
                .bind(account_id)
                .bind(&at)
                .bind(json(&events)?)
                .execute(&mut *tx)
                .await?
                .rows_affected() as usize;
        }
        stats.raw = write_raw(&mut tx, run_id, Some(account_id), &raw_rows).await?;
        tx.commit().await?;
        tracing::debug!(run_id, account_id, ?stats, "batch saved");
        Ok(stats)
    }

    /// Archives raw exchanges alone (for a collection that failed before producing a batch),
    /// in one transaction, with the same redaction, hashing, compression and deduplication
    /// as [`Store::save_batch`]. Returns how many rows were inserted or seen again.
    /// Errors: [`StoreError::NotFound`] for an unknown run, [`StoreError::Constraint`] for
    /// an unknown account.
    pub async fn save_raw(
        &self,
        run_id: i64,
        account_id: Option<i64>,
        raw: &[RawExchange],
    ) -> Result<usize, StoreError> {
        let rows = prepare_raw(raw)?;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        ensure_run(&mut tx, run_id).await?;
        let written = write_raw(&mut tx, run_id, account_id, &rows).await?;
        tx.commit().await?;
        Ok(written)
    }

    /// The decompressed body of `raw_responses` row `raw_id`, as archived (after
    /// redaction). Errors: [`StoreError::NotFound`], [`StoreError::RawBody`] when the stored
    /// bytes do not inflate.
    pub async fn raw_body(&self, raw_id: i64) -> Result<Vec<u8>, StoreError> {
        let row: Option<(Vec<u8>, i64)> = sqlx::query_as("SELECT body, body_len FROM raw_responses WHERE id = ?1")
            .bind(raw_id)
            .fetch_optional(&self.pool)
            .await?;
        let Some((compressed, len)) = row else {
            return Err(StoreError::NotFound {
                what: "raw response",
                id: raw_id,
            });
        };
        let mut body = Vec::with_capacity(usize::try_from(len).unwrap_or(0).min(64 << 20));
        ZlibDecoder::new(compressed.as_slice())
            .read_to_end(&mut body)
            .map_err(|source| StoreError::RawBody { id: raw_id, source })?;
        Ok(body)
    }
}
