//! Writing one account's collection: metrics, posts, audience, gaps, warnings and raw
//! exchanges, in one transaction, following the idempotence rule of `docs/schema.md`.
//!
//! Each table group is written by one set-based statement over a JSON array bound as a
//! single parameter (`json_each` on SQLite, `jsonb_array_elements` on PostgreSQL), so a batch costs a fixed number of statements however
//! many records it holds, and every statement text is fixed (prepared once per connection
//! and reused). Snapshots take one UPSERT per table (no per-reading lookup statement
//! before it). Raw exchanges carry binary bodies and go through one prepared statement in
//! a loop.
//!
//! The work is split in two: [`PreparedBatch::new`] does everything that costs CPU
//! (redacting, hashing and compressing raw bodies, serializing the records) without
//! touching the database, and [`Store::save_prepared`] runs the statements in one
//! write transaction (`BEGIN IMMEDIATE` on SQLite). The collector prepares the next account's batch while
//! the current one is written.

use crate::engine::{on_tx, Tx};
use crate::redact::{redact, redact_body};
use crate::time::{day_bucket, hour_bucket, to_db};
use crate::{on_pool, Engine, SaveStats, Store, StoreError};
use alcance_core::{CollectionBatch, EventLevel, Period, RawExchange};
use chrono::{DateTime, Utc};
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use flate2::Compression;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};

// Every statement below runs on both engines (see `engine`): `{rows}` is the engine's
// `FROM` item over the JSON array parameter ([`Engine::json_rows`]), `{join}` its join that
// keeps the JSON rows as the outer loop ([`Engine::ordered_join`]). Values read from the
// JSON are cast to DOUBLE PRECISION (PostgreSQL's `->>` gives text); `IS [NOT] DISTINCT
// FROM` is the NULL-safe comparison and `CASE` the two-argument `max` / `min` both engines
// know.

// $1 account id, $2 collected_at, $3 username, $4 display name, $5 wall clock.
const TOUCH_ACCOUNT: &str = "
UPDATE accounts SET
    last_collected_at = CASE WHEN last_collected_at IS NULL OR last_collected_at < $2
                             THEN $2 ELSE last_collected_at END,
    updated_at = CASE WHEN coalesce($3, username) IS DISTINCT FROM username
                           OR coalesce($4, display_name) IS DISTINCT FROM display_name
                      THEN $5 ELSE updated_at END,
    username = coalesce($3, username),
    display_name = coalesce($4, display_name)
WHERE id = $1";

const RUN_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM collection_runs WHERE id = $1)";

// Periods other than snapshot: keyed by (account, metric, period, start, end), updated in
// place. A NULL re-reading does not erase a value already read. $1 account, $2 collected_at,
// $3 JSON [{m, p, s, e, v}].
const PERIOD_UPSERT: &str = "
INSERT INTO account_metrics (account_id, metric, period, period_start, period_end, value, collected_at, last_seen_at)
SELECT $1, j.value ->> 'm', j.value ->> 'p', j.value ->> 's', j.value ->> 'e',
       CAST(j.value ->> 'v' AS DOUBLE PRECISION), $2, $2
FROM {rows} WHERE true
ON CONFLICT (account_id, metric, period, period_start, period_end) DO UPDATE SET
    value = coalesce(excluded.value, account_metrics.value),
    source = 'api', import_id = NULL,
    collected_at = CASE WHEN excluded.value IS NULL AND account_metrics.value IS NOT NULL
                        THEN account_metrics.collected_at ELSE excluded.collected_at END,
    last_seen_at = CASE WHEN excluded.last_seen_at > account_metrics.last_seen_at
                        THEN excluded.last_seen_at ELSE account_metrics.last_seen_at END";

// Snapshots (account metrics of period `snapshot`, post metrics) follow one rule: compare
// the reading with the latest stored row at or before the reading's hour bucket (`prev`).
// Each statement below does it in a single pass, by choosing the key the reading is
// written under:
// - same value as `prev` (NULL equals NULL): `prev`'s own key, so the conflict clause
//   finds `prev` and, the value being equal, moves only its `last_seen_at`;
// - another value (or no `prev`): the reading's bucket, so it is a new row, or, when the
//   bucket's row exists (it is then `prev`, with another value), that row updated in place
//   (`value`, `collected_at`, `last_seen_at`).
// In the conflict clause `account_metrics.*` / `post_metrics.*` are the stored row's old
// values.
// `prev` is the latest row a collection wrote (`source = 'api'`): rows an import wrote
// (schema version 17, `crate::imports`) are history the API never gave, not readings to
// extend. A reading landing on an imported row's key takes it over (`source` back to
// `api`, `import_id` NULL): the API's value wins.

// $1 account, $2 collected_at, $3 hour bucket, $4 JSON [{m, v}].
const SNAPSHOT_UPSERT: &str = "
INSERT INTO account_metrics (account_id, metric, period, period_start, period_end, value, collected_at, last_seen_at)
SELECT $1, j.value ->> 'm', 'snapshot', coalesce(prev.period_start, $3), coalesce(prev.period_end, $3),
       CAST(j.value ->> 'v' AS DOUBLE PRECISION), $2, $2
FROM {rows}
LEFT JOIN account_metrics AS prev ON prev.id = (
        SELECT p.id FROM account_metrics AS p
        WHERE p.account_id = $1 AND p.metric = j.value ->> 'm' AND p.period = 'snapshot' AND p.period_start <= $3
          AND p.source = 'api'
        ORDER BY p.period_start DESC LIMIT 1)
    AND prev.value IS NOT DISTINCT FROM CAST(j.value ->> 'v' AS DOUBLE PRECISION)
WHERE true
ON CONFLICT (account_id, metric, period, period_start, period_end) DO UPDATE SET
    collected_at = CASE WHEN account_metrics.value IS NOT DISTINCT FROM excluded.value
                        THEN account_metrics.collected_at ELSE excluded.collected_at END,
    value = excluded.value,
    source = 'api', import_id = NULL,
    last_seen_at = CASE WHEN excluded.last_seen_at > account_metrics.last_seen_at
                        THEN excluded.last_seen_at ELSE account_metrics.last_seen_at END";

// $1 account, $2 collected_at, $3 hour bucket, $4 JSON [[i, m, v]] (arrays: the bulk of a
// batch, so the smallest elements). On SQLite `{join}` is CROSS JOIN, which keeps the JSON
// rows as the outer loop: with a plain JOIN SQLite may scan the account's posts outside and
// the JSON inside, which is quadratic.
const POST_METRICS_UPSERT: &str = "
INSERT INTO post_metrics (post_id, metric, value, collected_at, bucket, last_seen_at)
SELECT po.id, j.value ->> 1, CAST(j.value ->> 2 AS DOUBLE PRECISION), $2, coalesce(prev.bucket, $3), $2
FROM {rows}
{join} posts AS po ON po.account_id = $1 AND po.external_id = j.value ->> 0
LEFT JOIN post_metrics AS prev ON prev.id = (
        SELECT pm.id FROM post_metrics AS pm
        WHERE pm.post_id = po.id AND pm.metric = j.value ->> 1 AND pm.bucket <= $3 AND pm.source = 'api'
        ORDER BY pm.bucket DESC LIMIT 1)
    AND prev.value IS NOT DISTINCT FROM CAST(j.value ->> 2 AS DOUBLE PRECISION)
WHERE true
ON CONFLICT (post_id, metric, bucket) DO UPDATE SET
    collected_at = CASE WHEN post_metrics.value IS NOT DISTINCT FROM excluded.value
                        THEN post_metrics.collected_at ELSE excluded.collected_at END,
    value = excluded.value,
    source = 'api', import_id = NULL,
    last_seen_at = CASE WHEN excluded.last_seen_at > post_metrics.last_seen_at
                        THEN excluded.last_seen_at ELSE post_metrics.last_seen_at END";

// $1 account, $2 collected_at, $3 JSON [{i, t, p, l, c}].
const POSTS_UPSERT: &str = "
INSERT INTO posts (account_id, external_id, content_type, published_at, permalink, caption, first_seen_at, last_seen_at)
SELECT $1, j.value ->> 'i', j.value ->> 't', j.value ->> 'p', j.value ->> 'l', j.value ->> 'c', $2, $2
FROM {rows} WHERE true
ON CONFLICT (account_id, external_id) DO UPDATE SET
    content_type = excluded.content_type,
    source = 'api',
    published_at = coalesce(excluded.published_at, posts.published_at),
    permalink = coalesce(excluded.permalink, posts.permalink),
    caption = coalesce(excluded.caption, posts.caption),
    first_seen_at = CASE WHEN excluded.first_seen_at < posts.first_seen_at
                         THEN excluded.first_seen_at ELSE posts.first_seen_at END,
    last_seen_at = CASE WHEN excluded.last_seen_at > posts.last_seen_at
                        THEN excluded.last_seen_at ELSE posts.last_seen_at END";

// Placeholder posts for metrics of posts the batch does not list (unless stored before).
// $1 account, $2 collected_at, $3 JSON [{i}], each post once.
const POST_PLACEHOLDERS: &str = "
INSERT INTO posts (account_id, external_id, content_type, first_seen_at, last_seen_at)
SELECT $1, j.value ->> 'i', 'unknown', $2, $2 FROM {rows} WHERE true
ON CONFLICT (account_id, external_id) DO NOTHING";

// The posts' media URLs (schema version 14, `crate::media`): one row per (post, kind). A new
// URL replaces the stored one unless the file is kept or known too large (the kept file
// keeps its source), and starts an `expired` or `failed` row again (attempts back to 0); a
// video's URL is only remembered (`remote`). $1 account, $2 collected_at, $3 JSON [{i, k, u}].
const MEDIA_UPSERT: &str = "
INSERT INTO post_media (post_id, kind, source_url, seen_at, status)
SELECT po.id, j.value ->> 'k', j.value ->> 'u', $2,
       CASE WHEN j.value ->> 'k' = 'video' THEN 'remote' ELSE 'pending' END
FROM {rows}
{join} posts AS po ON po.account_id = $1 AND po.external_id = j.value ->> 'i'
WHERE true
ON CONFLICT (post_id, kind) DO UPDATE SET
    seen_at = CASE WHEN excluded.seen_at > post_media.seen_at THEN excluded.seen_at ELSE post_media.seen_at END,
    source_url = CASE WHEN post_media.status IN ('kept', 'too_large') THEN post_media.source_url
                      ELSE excluded.source_url END,
    status = CASE WHEN post_media.status IN ('expired', 'failed') AND excluded.source_url <> post_media.source_url
                  THEN 'pending' ELSE post_media.status END,
    attempts = CASE WHEN post_media.status IN ('pending', 'expired', 'failed')
                         AND excluded.source_url <> post_media.source_url
                    THEN 0 ELSE post_media.attempts END,
    next_attempt_at = CASE WHEN post_media.status IN ('pending', 'expired', 'failed')
                                AND excluded.source_url <> post_media.source_url
                           THEN NULL ELSE post_media.next_attempt_at END";

// $1 account, $2 collected_at, $3 day bucket, $4 JSON [{a, d, k, v, t}].
const AUDIENCE_UPSERT: &str = "
INSERT INTO audience (account_id, audience, dimension, key, value, timeframe, collected_at, bucket)
SELECT $1, j.value ->> 'a', j.value ->> 'd', j.value ->> 'k', CAST(j.value ->> 'v' AS DOUBLE PRECISION),
       j.value ->> 't', $2, $3
FROM {rows} WHERE true
ON CONFLICT (account_id, audience, dimension, key, timeframe, bucket) DO UPDATE SET
    value = excluded.value, collected_at = excluded.collected_at";

/// The `WHERE` of [`AUDIENCE_UPSERT`] without the workspace's consent: only the slices of
/// an account of [`alcance_core::NON_DEMOGRAPHIC_AUDIENCE_PLATFORMS`] (`$1` is the account).
fn non_demographic_only() -> String {
    format!(
        "WHERE (SELECT platform FROM accounts WHERE id = $1) IN ({})",
        crate::privacy::non_demographic_platforms()
    )
}

// $1 run, $2 account, $3 at, $4 JSON [{l, c, x}].
const EVENTS_INSERT: &str = "
INSERT INTO run_events (run_id, account_id, at, level, code, message)
SELECT $1, $2, $3, j.value ->> 'l', j.value ->> 'c', j.value ->> 'x' FROM {rows} ORDER BY j.key";

const RAW_UPSERT: &str = "
INSERT INTO raw_responses (run_id, account_id, method, url, status, body_hash, body_len, body,
                           fetched_at, last_fetched_at, seen_count)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, 1)
ON CONFLICT (method, url, status, body_hash) DO UPDATE SET
    seen_count = raw_responses.seen_count + 1,
    fetched_at = CASE WHEN excluded.fetched_at < raw_responses.fetched_at
                      THEN excluded.fetched_at ELSE raw_responses.fetched_at END,
    last_fetched_at = CASE WHEN excluded.last_fetched_at > raw_responses.last_fetched_at
                           THEN excluded.last_fetched_at ELSE raw_responses.last_fetched_at END";

/// `sql` for `engine`: `{rows}` becomes the `FROM` item over JSON parameter `$json`,
/// `{join}` the engine's order-keeping join.
fn for_engine(sql: &str, engine: Engine, json: u8) -> String {
    sql.replace("{rows}", &engine.json_rows(json))
        .replace("{join}", engine.ordered_join())
}

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
struct MediaIn<'a> {
    i: &'a str,
    k: &'static str,
    u: &'a str,
}

#[derive(Serialize)]
struct PlaceholderIn<'a> {
    i: &'a str,
}

/// `[external id, metric, value]`: an array, not an object, so each element is small.
#[derive(Serialize)]
struct PostMetricIn<'a>(&'a str, &'a str, Option<f64>);

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
#[derive(Debug)]
struct RawRow {
    method: String,
    url: String,
    status: i64,
    body_hash: String,
    body_len: i64,
    body: Vec<u8>,
    fetched_at: String,
}

/// `None` for NaN and infinities: SQLite cannot hold them, JSON cannot carry them, and they
/// are not data.
fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

/// `None` for an empty or blank string.
fn non_blank(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

/// The records as one JSON array; `None` when there are none (the statement is skipped).
fn json<T: Serialize>(rows: &[T]) -> Result<Option<String>, StoreError> {
    if rows.is_empty() {
        return Ok(None);
    }
    // Serializing these plain structs cannot fail; the error arm is kept to avoid a panic path.
    serde_json::to_string(rows).map(Some).map_err(|e| StoreError::Invalid {
        what: "batch",
        value: e.to_string(),
        expected: "records serializable as JSON",
    })
}

/// Keeps the last of each key, in first-seen order.
fn last_per_key<T, K: std::hash::Hash + Eq>(items: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    merge_per_key(items, key, |kept, later| *kept = later)
}

/// One item per key, in first-seen order: a later item with the key of a kept one is
/// folded into it by `merge(kept, later)`. One row per conflict key is what a set-based
/// UPSERT may touch on PostgreSQL ("cannot affect row a second time"); `merge` gives the
/// row the statement would have left after applying the items one by one.
fn merge_per_key<T, K: std::hash::Hash + Eq>(
    items: Vec<T>,
    key: impl Fn(&T) -> K,
    merge: impl Fn(&mut T, T),
) -> Vec<T> {
    let mut index: HashMap<K, usize> = HashMap::with_capacity(items.len());
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        match index.get(&key(&item)) {
            Some(&i) => merge(&mut out[i], item),
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

async fn write_raw(tx: &mut Tx, run_id: i64, account_id: Option<i64>, rows: &[RawRow]) -> Result<usize, StoreError> {
    let mut written = 0;
    for r in rows {
        written += on_tx!(tx, |c| sqlx::query(RAW_UPSERT)
            .bind(run_id)
            .bind(account_id)
            .bind(&r.method)
            .bind(&r.url)
            .bind(r.status)
            .bind(&r.body_hash)
            .bind(r.body_len)
            .bind(&r.body)
            .bind(&r.fetched_at)
            .execute(&mut *c)
            .await?
            .rows_affected()) as usize;
    }
    Ok(written)
}

async fn ensure_run(tx: &mut Tx, run_id: i64) -> Result<(), StoreError> {
    let exists: bool = on_tx!(tx, |c| sqlx::query_scalar(RUN_EXISTS)
        .bind(run_id)
        .fetch_one(&mut *c)
        .await?);
    if exists {
        Ok(())
    } else {
        Err(StoreError::NotFound {
            what: "run",
            id: run_id,
        })
    }
}

/// Runs one set-based statement (`sql` before [`for_engine`]) when there is a `payload`:
/// binds account id, `collected_at`, the bucket (when the statement has one) and the JSON
/// payload; returns the rows inserted or updated (0 without a payload).
async fn exec_json(
    tx: &mut Tx,
    sql: &str,
    account_id: i64,
    collected_at: &str,
    bucket: Option<&str>,
    payload: Option<&str>,
) -> Result<usize, StoreError> {
    let Some(payload) = payload else {
        return Ok(0);
    };
    let sql = for_engine(sql, tx.engine(), if bucket.is_some() { 4 } else { 3 });
    let done = on_tx!(tx, |c| {
        let mut q = sqlx::query(&sql).bind(account_id).bind(collected_at);
        if let Some(bucket) = bucket {
            q = q.bind(bucket);
        }
        q.bind(payload).execute(&mut *c).await?.rows_affected()
    });
    Ok(done as usize)
}

/// One account's collection made ready to write by [`PreparedBatch::new`]: the records
/// serialized for the set-based statements, secrets redacted, raw bodies hashed (SHA-256)
/// and zlib-compressed. Holds no reference to the batch it came from (it can be sent to
/// another task) and no secret. Written by [`Store::save_prepared`]; a prepared batch can
/// be saved more than once (the idempotence rule applies as for
/// [`Store::save_batch`]).
#[derive(Debug)]
pub struct PreparedBatch {
    /// `collected_at`, its UTC hour bucket and its UTC day bucket, as stored.
    at: String,
    hour: String,
    day: String,
    username: Option<String>,
    display_name: Option<String>,
    /// JSON arrays for the statements; `None` when a group is empty.
    periods: Option<String>,
    snapshots: Option<String>,
    posts: Option<String>,
    placeholders: Option<String>,
    post_metrics: Option<String>,
    audience: Option<String>,
    events: Option<String>,
    media: Option<String>,
    raw: Vec<RawRow>,
}

impl PreparedBatch {
    /// Prepares `batch` and its `raw` exchanges, collected at `collected_at` (UTC), for
    /// [`Store::save_prepared`]: everything [`Store::save_batch`] does before it takes the
    /// write lock (see there for how values are bucketed, deduplicated and redacted). Pure
    /// CPU work (hashing and compressing the raw bodies dominates), no database access.
    ///
    /// Errors: [`StoreError::Compress`] when a body cannot be compressed (practically never).
    pub fn new(
        collected_at: DateTime<Utc>,
        batch: &CollectionBatch,
        raw: &[RawExchange],
    ) -> Result<PreparedBatch, StoreError> {
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
        // A period read twice in one batch: a later NULL does not erase an earlier value.
        let periods: Vec<PeriodIn<'_>> = merge_per_key(
            periods
                .into_iter()
                .map(|m| PeriodIn {
                    m: &m.metric,
                    p: m.period.as_str(),
                    s: to_db(m.period_start),
                    e: to_db(m.period_end),
                    v: finite(m.value),
                })
                .collect(),
            |m| (m.m, m.p, m.s.clone(), m.e.clone()),
            |kept, later| kept.v = later.v.or(kept.v),
        );
        // A post listed twice: the later listing wins, its missing fields keep the earlier ones.
        let posts: Vec<PostIn<'_>> = merge_per_key(
            batch
                .posts
                .iter()
                .map(|p| PostIn {
                    i: &p.external_id,
                    t: p.content_type.as_key(),
                    p: p.published_at.map(to_db),
                    l: p.permalink.as_deref(),
                    c: p.caption.as_deref(),
                })
                .collect(),
            |p| p.i,
            |kept, later| {
                kept.t = later.t;
                kept.p = later.p.or(kept.p.take());
                kept.l = later.l.or(kept.l);
                kept.c = later.c.or(kept.c);
            },
        );
        let post_metrics = last_per_key(
            batch
                .post_metrics
                .iter()
                .map(|m| PostMetricIn(&m.post_external_id, &m.metric, finite(m.value)))
                .collect(),
            |m| (m.0, m.1),
        );
        // Posts with metrics that the batch does not list, each once, in first-seen order.
        let listed: HashSet<&str> = batch.posts.iter().map(|p| p.external_id.as_str()).collect();
        let mut unlisted: HashSet<&str> = HashSet::new();
        let placeholders: Vec<PlaceholderIn<'_>> = post_metrics
            .iter()
            .filter(|m| !listed.contains(m.0) && unlisted.insert(m.0))
            .map(|m| PlaceholderIn { i: m.0 })
            .collect();
        let audience: Vec<AudienceIn<'_>> = last_per_key(
            batch
                .audience
                .iter()
                .map(|a| AudienceIn {
                    a: &a.audience,
                    d: &a.dimension,
                    k: &a.key,
                    v: finite(Some(a.value)),
                    t: &a.timeframe,
                })
                .collect(),
            |a| (a.a, a.d, a.k, a.t),
        );
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
        // One URL per (post, kind): the last one served wins.
        let media: Vec<MediaIn<'_>> = last_per_key(
            batch
                .media
                .iter()
                .map(|m| MediaIn {
                    i: &m.post_external_id,
                    k: m.kind.as_str(),
                    u: &m.url,
                })
                .collect(),
            |m| (m.i, m.k),
        );
        let (username, display_name) = match &batch.profile {
            Some(p) => (non_blank(p.username.as_deref()), non_blank(p.display_name.as_deref())),
            None => (None, None),
        };
        Ok(PreparedBatch {
            at: to_db(collected_at),
            hour: to_db(hour_bucket(collected_at)),
            day: to_db(day_bucket(collected_at)),
            username: username.map(str::to_owned),
            display_name: display_name.map(str::to_owned),
            periods: json(&periods)?,
            snapshots: json(&snapshots)?,
            posts: json(&posts)?,
            placeholders: json(&placeholders)?,
            post_metrics: json(&post_metrics)?,
            audience: json(&audience)?,
            events: json(&events)?,
            media: json(&media)?,
            raw: prepare_raw(raw)?,
        })
    }
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
    /// The same as [`PreparedBatch::new`] followed by [`Store::save_prepared`]; the CPU work
    /// happens before the write lock is taken.
    ///
    /// Errors: [`StoreError::NotFound`] for an unknown account or run (nothing written),
    /// [`StoreError::DiskFull`], [`StoreError::Busy`], [`StoreError::Corrupt`],
    /// [`StoreError::Compress`].
    pub async fn save_batch(
        &self,
        run_id: i64,
        account_id: i64,
        collected_at: DateTime<Utc>,
        batch: &CollectionBatch,
        raw: &[RawExchange],
    ) -> Result<SaveStats, StoreError> {
        let prepared = PreparedBatch::new(collected_at, batch, raw)?;
        self.save_prepared(run_id, account_id, &prepared).await
    }

    /// Writes a batch made ready by [`PreparedBatch::new`] for account `account_id` in run
    /// `run_id`, in ONE `BEGIN IMMEDIATE` transaction, exactly as [`Store::save_batch`]
    /// does (same rows, same statistics). Only SQL runs while the write lock is held.
    ///
    /// Errors: [`StoreError::NotFound`] for an unknown account or run (nothing written),
    /// [`StoreError::DiskFull`], [`StoreError::Busy`], [`StoreError::Corrupt`].
    pub async fn save_prepared(
        &self,
        run_id: i64,
        account_id: i64,
        batch: &PreparedBatch,
    ) -> Result<SaveStats, StoreError> {
        self.save_prepared_with(run_id, account_id, batch, true).await
    }

    /// [`Store::save_prepared`] without keeping `post_metrics.gain` and `post_gain_hours`
    /// (the rollup is then stale): for the benchmark that measures what keeping them adds
    /// to a batch (feature `testing`). Never for a workspace in use.
    ///
    /// Errors: as [`Store::save_prepared`].
    #[cfg(feature = "testing")]
    pub async fn save_prepared_without_gains(
        &self,
        run_id: i64,
        account_id: i64,
        batch: &PreparedBatch,
    ) -> Result<SaveStats, StoreError> {
        self.save_prepared_with(run_id, account_id, batch, false).await
    }

    async fn save_prepared_with(
        &self,
        run_id: i64,
        account_id: i64,
        batch: &PreparedBatch,
        gains: bool,
    ) -> Result<SaveStats, StoreError> {
        let PreparedBatch {
            at,
            hour,
            day,
            username,
            display_name,
            periods,
            snapshots,
            posts,
            placeholders,
            post_metrics,
            audience,
            events,
            media,
            raw,
        } = batch;
        let mut stats = SaveStats::default();
        let mut tx = self.pool.begin_write().await?;
        let touched = on_tx!(&mut tx, |c| sqlx::query(TOUCH_ACCOUNT)
            .bind(account_id)
            .bind(at)
            .bind(username)
            .bind(display_name)
            .bind(to_db(Utc::now()))
            .execute(&mut *c)
            .await?
            .rows_affected());
        if touched == 0 {
            return Err(StoreError::NotFound {
                what: "account",
                id: account_id,
            });
        }
        ensure_run(&mut tx, run_id).await?;

        stats.account_metrics += exec_json(&mut tx, PERIOD_UPSERT, account_id, at, None, periods.as_deref()).await?;
        stats.account_metrics += exec_json(
            &mut tx,
            SNAPSHOT_UPSERT,
            account_id,
            at,
            Some(hour),
            snapshots.as_deref(),
        )
        .await?;
        stats.posts += exec_json(&mut tx, POSTS_UPSERT, account_id, at, None, posts.as_deref()).await?;
        stats.posts += exec_json(
            &mut tx,
            POST_PLACEHOLDERS,
            account_id,
            at,
            None,
            placeholders.as_deref(),
        )
        .await?;
        stats.post_metrics += exec_json(
            &mut tx,
            POST_METRICS_UPSERT,
            account_id,
            at,
            Some(hour),
            post_metrics.as_deref(),
        )
        .await?;
        if let Some(payload) = post_metrics.as_deref().filter(|_| gains) {
            // The gains and their rollup, in this transaction (schema version 21).
            crate::gains::refresh_batch(&mut tx, account_id, at, hour, payload).await?;
        }
        stats.media += exec_json(&mut tx, MEDIA_UPSERT, account_id, at, None, media.as_deref()).await?;
        if audience.is_some() {
            // Demographic rows only under the workspace's consent (docs/PRIVACY.md).
            let sql = if crate::privacy::consent_active_in(&mut tx).await? {
                AUDIENCE_UPSERT.to_string()
            } else {
                AUDIENCE_UPSERT.replace("WHERE true", &non_demographic_only())
            };
            stats.audience += exec_json(&mut tx, &sql, account_id, at, Some(day), audience.as_deref()).await?;
        }
        if let Some(events) = events {
            let sql = for_engine(EVENTS_INSERT, tx.engine(), 4);
            stats.events += on_tx!(&mut tx, |c| sqlx::query(&sql)
                .bind(run_id)
                .bind(account_id)
                .bind(at)
                .bind(events)
                .execute(&mut *c)
                .await?
                .rows_affected()) as usize;
        }
        stats.raw = write_raw(&mut tx, run_id, Some(account_id), raw).await?;
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
        let mut tx = self.pool.begin_write().await?;
        ensure_run(&mut tx, run_id).await?;
        let written = write_raw(&mut tx, run_id, account_id, &rows).await?;
        tx.commit().await?;
        Ok(written)
    }

    /// The decompressed body of `raw_responses` row `raw_id`, as archived (after
    /// redaction). Errors: [`StoreError::NotFound`], [`StoreError::RawBody`] when the stored
    /// bytes do not inflate.
    pub async fn raw_body(&self, raw_id: i64) -> Result<Vec<u8>, StoreError> {
        let row: Option<(Vec<u8>, i64)> = on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT body, body_len FROM raw_responses WHERE id = $1"
        )
        .bind(raw_id)
        .fetch_optional(p)
        .await?);
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

#[cfg(test)]
mod tests {
    use super::*;
    use alcance_core::{AccountMetric, AccountRef, ContentType, Platform, PostMetric, PostRecord};
    use chrono::TimeZone;

    /// 2026-11-20 at `h:m` UTC.
    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, h, m, 0)
            .single()
            .unwrap_or_else(|| panic!("bad test time {h}:{m}"))
    }

    async fn store(engine: Engine) -> Option<(crate::testing::TestStore, i64, i64)> {
        let store = crate::testing::store(engine).await?;
        let account = AccountRef {
            platform: Platform::X,
            external_id: "42".into(),
            username: Some("ana".into()),
            owned: true,
        };
        let id = store
            .upsert_account(&account, None, None)
            .await
            .unwrap_or_else(|e| panic!("account: {e}"));
        let run = store
            .start_run("manual", at(9, 0))
            .await
            .unwrap_or_else(|e| panic!("run: {e}"));
        Some((store, id, run))
    }

    /// A batch listing `listed` posts, with one `likes` reading per `(post, value)` and a
    /// `followers` snapshot.
    fn batch(listed: &[&str], likes: &[(&str, Option<f64>)], followers: Option<f64>) -> CollectionBatch {
        CollectionBatch {
            account_metrics: vec![AccountMetric {
                metric: "followers".into(),
                period: Period::Snapshot,
                period_start: at(0, 0),
                period_end: at(0, 0),
                value: followers,
            }],
            posts: listed
                .iter()
                .map(|id| PostRecord {
                    external_id: (*id).into(),
                    published_at: Some(at(8, 0)),
                    content_type: ContentType::Text,
                    permalink: None,
                    caption: None,
                })
                .collect(),
            post_metrics: likes
                .iter()
                .map(|(id, v)| PostMetric {
                    post_external_id: (*id).into(),
                    metric: "likes".into(),
                    value: *v,
                })
                .collect(),
            ..Default::default()
        }
    }

    async fn save(store: &Store, run: i64, account: i64, when: DateTime<Utc>, b: &CollectionBatch) -> SaveStats {
        store
            .save_batch(run, account, when, b, &[])
            .await
            .unwrap_or_else(|e| panic!("save at {when}: {e}"))
    }

    /// Every `likes` row of `post`: (value, collected_at, bucket, last_seen_at), by bucket.
    async fn likes(store: &Store, post: &str) -> Vec<(Option<f64>, String, String, String)> {
        on_pool!(store.pool(), |p| sqlx::query_as(
            "SELECT pm.value, pm.collected_at, pm.bucket, pm.last_seen_at FROM post_metrics AS pm
             JOIN posts AS p ON p.id = pm.post_id WHERE p.external_id = $1 AND pm.metric = 'likes'
             ORDER BY pm.bucket",
        )
        .bind(post)
        .fetch_all(p)
        .await)
        .unwrap_or_else(|e| panic!("likes of {post}: {e}"))
    }

    fn row(v: Option<f64>, collected: &str, bucket: &str, seen: &str) -> (Option<f64>, String, String, String) {
        let day = |hm: &str| format!("2026-11-20T{hm}:00Z");
        (v, day(collected), day(bucket), day(seen))
    }

    async fn one_upsert_per_table_applies_each_snapshot_rule_to_each_reading(engine: Engine) {
        let Some((store, account, run)) = store(engine).await else {
            return;
        };
        let posts = ["p1", "p2", "p3", "p4"];
        let first = batch(
            &posts,
            &[("p1", Some(1.0)), ("p2", Some(2.0)), ("p3", Some(3.0)), ("p4", None)],
            Some(100.0),
        );
        assert_eq!(save(&store, run, account, at(10, 5), &first).await.post_metrics, 4);

        // Same hour: unchanged readings only move last_seen_at, a changed one is updated in place.
        let same_hour = batch(
            &posts,
            &[("p1", Some(1.0)), ("p2", Some(20.0)), ("p3", Some(3.0)), ("p4", None)],
            Some(100.0),
        );
        let stats = save(&store, run, account, at(10, 40), &same_hour).await;
        assert_eq!((stats.post_metrics, stats.account_metrics), (4, 1));
        assert_eq!(
            likes(&store, "p1").await,
            vec![row(Some(1.0), "10:05", "10:00", "10:40")]
        );
        assert_eq!(
            likes(&store, "p2").await,
            vec![row(Some(20.0), "10:40", "10:00", "10:40")]
        );
        assert_eq!(likes(&store, "p4").await, vec![row(None, "10:05", "10:00", "10:40")]);

        // A later hour: the unchanged reading bumps the earlier bucket's row; the others
        // (a new value, a value turned NULL, NULL turned 0) are new rows.
        let later = batch(
            &posts,
            &[("p1", Some(1.0)), ("p2", Some(21.0)), ("p3", None), ("p4", Some(0.0))],
            Some(101.0),
        );
        let stats = save(&store, run, account, at(12, 10), &later).await;
        assert_eq!((stats.post_metrics, stats.account_metrics), (4, 1));
        assert_eq!(
            likes(&store, "p1").await,
            vec![row(Some(1.0), "10:05", "10:00", "12:10")]
        );
        assert_eq!(
            likes(&store, "p2").await,
            vec![
                row(Some(20.0), "10:40", "10:00", "10:40"),
                row(Some(21.0), "12:10", "12:00", "12:10")
            ]
        );
        assert_eq!(
            likes(&store, "p4").await,
            vec![
                row(None, "10:05", "10:00", "10:40"),
                row(Some(0.0), "12:10", "12:00", "12:10")
            ]
        );

        // A reading from the past (11:30, before the 12:00 rows) compares with the row
        // before its own bucket: the same value bumps that row, another value gets a row of
        // its own, and the later rows stay as they are.
        let past = batch(&posts, &[("p2", Some(20.0)), ("p3", Some(5.0))], Some(100.0));
        assert_eq!(save(&store, run, account, at(11, 30), &past).await.post_metrics, 2);
        assert_eq!(
            likes(&store, "p2").await,
            vec![
                row(Some(20.0), "10:40", "10:00", "11:30"),
                row(Some(21.0), "12:10", "12:00", "12:10")
            ]
        );
        assert_eq!(
            likes(&store, "p3").await,
            vec![
                row(Some(3.0), "10:05", "10:00", "10:40"),
                row(Some(5.0), "11:30", "11:00", "11:30"),
                row(None, "12:10", "12:00", "12:10")
            ]
        );
        let followers: Vec<(Option<f64>, String, String)> = on_pool!(store.pool(), |p| sqlx::query_as(
            "SELECT value, period_start, last_seen_at FROM account_metrics
             WHERE metric = 'followers' AND period = 'snapshot' ORDER BY period_start",
        )
        .fetch_all(p)
        .await)
        .unwrap_or_else(|e| panic!("followers: {e}"));
        assert_eq!(
            followers,
            vec![
                (
                    Some(100.0),
                    "2026-11-20T10:00:00Z".into(),
                    "2026-11-20T11:30:00Z".into()
                ),
                (
                    Some(101.0),
                    "2026-11-20T12:00:00Z".into(),
                    "2026-11-20T12:10:00Z".into()
                )
            ],
            "the 11:30 reading equals the 10:00 row: bumped, no 11:00 row"
        );
        let counts = store.table_counts().await.unwrap_or_else(|e| panic!("counts: {e}"));
        assert_eq!((counts.post_metrics, counts.account_metrics), (8, 2));
    }

    async fn a_prepared_batch_saves_like_save_batch_and_again_without_new_rows(engine: Engine) {
        let Some((store, account, run)) = store(engine).await else {
            return;
        };
        // p9 has a metric but is not listed: a placeholder post, created once.
        let b = batch(
            &["p1"],
            &[("p1", Some(1.0)), ("p9", Some(9.0)), ("p1", Some(2.0))],
            Some(5.0),
        );
        let raw = [RawExchange {
            method: "GET".into(),
            url: "https://api.x.com/2/users/42?access_token=SECRET".into(),
            status: 200,
            body: br#"{"data":{"id":"42"},"refresh_token":"SECRET"}"#.to_vec(),
            fetched_at: at(10, 0),
        }];
        let prepared = PreparedBatch::new(at(10, 0), &b, &raw).unwrap_or_else(|e| panic!("prepare: {e}"));
        assert!(
            !format!("{prepared:?}").contains("SECRET"),
            "secrets are gone before the store sees the batch"
        );
        let first = store
            .save_prepared(run, account, &prepared)
            .await
            .unwrap_or_else(|e| panic!("save: {e}"));
        assert_eq!(
            (first.posts, first.post_metrics, first.account_metrics, first.raw),
            (2, 2, 1, 1),
            "p1 listed + p9 placeholder; p1's last reading (2) wins"
        );
        let before = store.table_counts().await.unwrap_or_else(|e| panic!("counts: {e}"));
        let again = store
            .save_prepared(run, account, &prepared)
            .await
            .unwrap_or_else(|e| panic!("save again: {e}"));
        assert_eq!(
            (again.posts, again.post_metrics, again.account_metrics, again.raw),
            (1, 2, 1, 1),
            "p1 upserted again, the placeholder exists; metrics and raw seen again"
        );
        let after = store.table_counts().await.unwrap_or_else(|e| panic!("counts: {e}"));
        assert_eq!(
            (
                after.posts,
                after.post_metrics,
                after.account_metrics,
                after.raw_responses
            ),
            (
                before.posts,
                before.post_metrics,
                before.account_metrics,
                before.raw_responses
            )
        );
        assert_eq!(
            likes(&store, "p1").await,
            vec![row(Some(2.0), "10:00", "10:00", "10:00")]
        );
        let placeholder: String = on_pool!(store.pool(), |p| sqlx::query_scalar(
            "SELECT content_type FROM posts WHERE external_id = 'p9'"
        )
        .fetch_one(p)
        .await)
        .unwrap_or_else(|e| panic!("p9: {e}"));
        assert_eq!(placeholder, "unknown");
        let body = store.raw_body(1).await.unwrap_or_else(|e| panic!("raw body: {e}"));
        assert_eq!(body, br#"{"data":{"id":"42"},"refresh_token":"REDACTED"}"#);

        // Saving for an unknown account writes nothing and says so.
        let unknown = store.save_prepared(run, account + 100, &prepared).await;
        assert!(
            matches!(unknown, Err(StoreError::NotFound { what: "account", .. })),
            "{unknown:?}"
        );
    }

    crate::both_engines!(
        one_upsert_per_table_applies_each_snapshot_rule_to_each_reading,
        a_prepared_batch_saves_like_save_batch_and_again_without_new_rows,
    );
}
