//! Reads that aggregate in SQL for the dashboard, the posts table and the accounts screen,
//! so a screen reads hundreds of rows instead of every snapshot of its window (issue 16
//! point 4; docs/PERFORMANCE.md, "Queries at scale").
//!
//! Every statement is written once for both engines (window functions, `COALESCE`,
//! conditional aggregates); the account filter is the JSON-list filter of the export
//! reads (`$1` platforms, `$2` account ids, `$3` account external ids, NULL = all).
//!
//! Time bounds are bound as stored text (RFC 3339, whole seconds, UTC). Where a caller
//! compares stored times with a bound that has a fraction of a second, it passes the bound
//! rounded up to the next whole second ([`ceil_to_second`]): for a stored time `t` (whole
//! seconds), `t < b ⇔ t < ceil(b)` and `t ≥ b ⇔ t ≥ ceil(b)`.

use crate::query::{account_filter, json_list, Binds, Shape};
use crate::time::to_db;
use crate::{Engine, PostRow, RowFilter, Store, StoreError};
use chrono::{DateTime, Utc};

/// Largest finite `f64`: `value BETWEEN -MAX AND MAX` keeps finite values only on both
/// engines (NULL, NaN and ±infinity are left out, as the views skip them).
const FINITE: &str = "BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308";

/// `t` rounded up to the next whole second (unchanged when already whole).
pub fn ceil_to_second(t: DateTime<Utc>) -> DateTime<Utc> {
    let whole = DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t);
    if whole < t {
        whole + chrono::Duration::seconds(1)
    } else {
        whole
    }
}

/// The three JSON binds of [`account_filter`] (`$1` platforms, `$2` account ids, `$3`
/// account external ids; `None` for a list that is not set).
type AccountBinds = (Option<String>, Option<String>, Option<String>);

/// The account lists of `f` as the three JSON binds of [`account_filter`], and the
/// [`Shape`] of `f` (which lists and bounds are set) that picks the statement's variant.
fn account_binds(f: &RowFilter) -> (AccountBinds, Shape) {
    let binds = Binds::of(f);
    let shape = binds.shape();
    ((binds.platforms, binds.account_ids, binds.external_ids), shape)
}

/// Which metrics a gain sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GainPick {
    /// The interaction metrics given to the read, summed.
    Interactions,
    /// `views`, and `impressions` of the posts without a finite `views` value (the rollup
    /// leaves the others' `impressions` out: `crate::gains`).
    Views,
}

/// The interaction metrics the pivoted rollups of schema version 24 sum
/// (`account_gain_hours.interactions`, `post_interaction_hours`): the dashboard's
/// `alcance_core::analytics::posts::INTERACTION_METRICS`, which the migration's triggers
/// write out (a test checks the migration's lists against it). A gain read given exactly
/// these metrics (in any order) reads the pivot.
pub const PIVOTED_INTERACTIONS: [&str; 7] = alcance_core::analytics::posts::INTERACTION_METRICS;

/// Whether `metrics`, as a set, is [`PIVOTED_INTERACTIONS`] (so a read may use the pivots).
fn is_pivoted_interactions(metrics: &[&str]) -> bool {
    let mut given: Vec<&str> = metrics.to_vec();
    given.sort_unstable();
    given.dedup();
    let mut pivoted: Vec<&str> = PIVOTED_INTERACTIONS.to_vec();
    pivoted.sort_unstable();
    given == pivoted
}

/// The bounds of a period-over-period gain read ([`Store::period_gains`]): whole UTC
/// hours (hour buckets), `previous_since ≤ since < until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GainBounds {
    /// Start of the previous period (inclusive).
    pub previous_since: DateTime<Utc>,
    /// Start of the period, end of the previous one.
    pub since: DateTime<Utc>,
    /// Exclusive end of the period.
    pub until: DateTime<Utc>,
}

/// One account's gains of one pick over one period, from `post_gain_hours`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AccountGain {
    /// `accounts.id`.
    pub account_id: i64,
    /// Which metrics.
    pub pick: GainPick,
    /// `false`: the previous period, `true`: the period.
    pub current: bool,
    /// The sum of its posts' gains (a count; may be negative: values fall back).
    pub gain: f64,
    /// How many snapshots with a gain it sums (≥ 1).
    pub readings: i64,
}

#[derive(sqlx::FromRow)]
struct AccountGainRecord {
    account_id: i64,
    seg: i64,
    pick: i64,
    gain: Option<f64>,
    readings: Option<i64>,
}

/// The statement of [`Store::period_gains`]: `$4` previous since, `$5` since, `$6` until
/// (hour buckets as stored), `$7` the interaction metrics (JSON list), `$8` the views
/// metric, `$9` its fallback. Reads the rollup's rows of the two periods (an index range
/// on `post_gain_hours (bucket, …)`), per account, period and pick their sums.
fn period_gains_sql(engine: Engine, shape: Shape) -> String {
    format!(
        "SELECT h.account_id,
                CAST(CASE WHEN h.bucket < $5 THEN 0 ELSE 1 END AS BIGINT) AS seg,
                CAST(CASE WHEN h.metric IN ({interactions}) THEN 0 ELSE 1 END AS BIGINT) AS pick,
                sum(h.gain) AS gain, CAST(sum(h.readings) AS BIGINT) AS readings
         FROM post_gain_hours AS h JOIN accounts AS a ON a.id = h.account_id
         WHERE {accounts}
           AND h.bucket >= $4 AND h.bucket < $6 AND h.readings > 0
           AND (h.metric IN ({interactions}) OR h.metric = $8 OR h.metric = $9)
         GROUP BY h.account_id, CASE WHEN h.bucket < $5 THEN 0 ELSE 1 END,
                  CASE WHEN h.metric IN ({interactions}) THEN 0 ELSE 1 END
         ORDER BY h.account_id",
        accounts = account_filter(engine, shape),
        interactions = engine.json_list(7, "TEXT"),
    )
}

/// The statement of [`Store::period_gains`] when its metrics are the dashboard's
/// ([`PIVOTED_INTERACTIONS`], `views` with fallback `impressions`): `$4` previous since,
/// `$5` since, `$6` until (hour buckets as stored). Reads the pivot `account_gain_hours`
/// (schema version 24): one row per account and hour with snapshots instead of one per
/// metric; per account and period the sums of both picks.
fn period_gains_pivot_sql(engine: Engine, shape: Shape) -> String {
    format!(
        "SELECT h.account_id,
                CAST(CASE WHEN h.bucket < $5 THEN 0 ELSE 1 END AS BIGINT) AS seg,
                sum(h.interactions) AS interactions,
                CAST(sum(h.interaction_readings) AS BIGINT) AS interaction_readings,
                sum(h.views) AS views, CAST(sum(h.view_readings) AS BIGINT) AS view_readings
         FROM account_gain_hours AS h JOIN accounts AS a ON a.id = h.account_id
         WHERE {accounts} AND h.bucket >= $4 AND h.bucket < $6
         GROUP BY h.account_id, CASE WHEN h.bucket < $5 THEN 0 ELSE 1 END
         ORDER BY h.account_id, CASE WHEN h.bucket < $5 THEN 0 ELSE 1 END",
        accounts = account_filter(engine, shape),
    )
}

/// A row of [`period_gains_pivot_sql`].
#[derive(sqlx::FromRow)]
struct AccountPivotRecord {
    account_id: i64,
    seg: i64,
    interactions: Option<f64>,
    interaction_readings: Option<i64>,
    views: Option<f64>,
    view_readings: Option<i64>,
}

/// The pivoted statement of [`Store::period_gains`] on `engine`, for benchmarks that
/// `EXPLAIN` it (feature `testing`): `$1`–`$3` the account lists (JSON or NULL), `$4`
/// previous since, `$5` since, `$6` until (hour buckets as stored).
#[cfg(feature = "testing")]
pub fn period_gains_pivot_statement(engine: Engine) -> String {
    period_gains_pivot_sql(engine, Shape::default())
}

/// The statement of [`Store::period_gains`] on `engine`, for benchmarks that `EXPLAIN` it
/// (feature `testing`): `$1`–`$3` the account lists (JSON or NULL), `$4` previous since,
/// `$5` since, `$6` until (hour buckets as stored), `$7` the interaction metrics (JSON
/// list), `$8` the views metric, `$9` its fallback.
#[cfg(feature = "testing")]
pub fn period_gains_statement(engine: Engine) -> String {
    period_gains_sql(engine, Shape::default())
}

/// The statement of [`Store::day_gains`]: `$4` metrics (JSON list), `$5` since, `$6`
/// until (hour buckets). Per account and UTC day, the rollup's sums.
fn day_gains_sql(engine: Engine, shape: Shape) -> String {
    format!(
        "SELECT a.platform, a.external_id AS user_id, substr(h.bucket, 1, 10) AS day,
                sum(h.gain) AS gain, CAST(sum(h.readings) AS BIGINT) AS readings
         FROM post_gain_hours AS h JOIN accounts AS a ON a.id = h.account_id
         WHERE {accounts}
           AND h.bucket >= $5 AND h.bucket < $6 AND h.readings > 0 AND h.metric IN ({metrics})
         GROUP BY a.platform, a.external_id, substr(h.bucket, 1, 10)",
        accounts = account_filter(engine, shape),
        metrics = engine.json_list(4, "TEXT"),
    )
}

/// The statement of [`Store::day_gains`] when its metrics are [`PIVOTED_INTERACTIONS`]:
/// `$4` since, `$5` until (hour buckets). Per account and UTC day, the sums of the pivot
/// `account_gain_hours` (schema version 24).
fn day_gains_pivot_sql(engine: Engine, shape: Shape) -> String {
    format!(
        "SELECT a.platform, a.external_id AS user_id, substr(h.bucket, 1, 10) AS day,
                sum(h.interactions) AS gain, CAST(sum(h.interaction_readings) AS BIGINT) AS readings
         FROM account_gain_hours AS h JOIN accounts AS a ON a.id = h.account_id
         WHERE {accounts}
           AND h.bucket >= $4 AND h.bucket < $5 AND h.interaction_readings > 0
         GROUP BY a.platform, a.external_id, substr(h.bucket, 1, 10)",
        accounts = account_filter(engine, shape),
    )
}

/// One account's gains over one UTC day ([`Store::day_gains`]).
#[derive(Debug, Clone, PartialEq)]
pub struct AccountDayGain {
    /// The account's platform.
    pub platform: alcance_core::Platform,
    /// The account's platform id (`accounts.external_id`).
    pub user_id: String,
    /// The UTC day.
    pub day: chrono::NaiveDate,
    /// The sum of its posts' gains that day (a count; may be negative).
    pub gain: f64,
}

#[derive(sqlx::FromRow)]
struct DayGainRecord {
    platform: String,
    user_id: String,
    day: String,
    gain: Option<f64>,
    readings: Option<i64>,
}

/// With an account list in `shape`, `AND {post_id} IN (the listed accounts' posts)`, so a
/// gain read sums the listed accounts' posts alone (a seek per post by the keys that lead
/// with `post_id`) instead of every post of the period before the accounts are joined:
/// one account of 1,000 sums its own posts. Empty without a list.
fn listed_posts(engine: Engine, shape: Shape, post_id: &str) -> String {
    if shape.lists_accounts() {
        format!(
            "AND {post_id} IN (SELECT p.id FROM posts AS p JOIN accounts AS a ON a.id = p.account_id WHERE {})",
            account_filter(engine, shape)
        )
    } else {
        String::new()
    }
}

/// The statement of [`Store::top_post_gains`]: `$4` metrics (JSON list), `$5` since, `$6`
/// until (hour buckets), `$7` how many. Per post the sum of its rows' gains in the period,
/// read by range from the partial index `post_metrics_gain_bucket (bucket, metric,
/// post_id, gain)` (schema version 22) and grouped before the posts and accounts are
/// joined (the filter depends on the post alone, so it is applied per post, not per
/// row); the largest positive sums, ties to the smaller post id.
fn top_post_gains_sql(engine: Engine, shape: Shape) -> String {
    format!(
        "SELECT g.post_id, g.gain
         FROM (
             SELECT m.post_id, sum(m.gain) AS gain
             FROM post_metrics AS m
             WHERE m.bucket >= $5 AND m.bucket < $6 AND m.gain IS NOT NULL AND m.metric IN ({metrics})
               {listed}
             GROUP BY m.post_id
         ) AS g
         JOIN posts AS p ON p.id = g.post_id JOIN accounts AS a ON a.id = p.account_id
         WHERE {accounts} AND g.gain > 0
         ORDER BY g.gain DESC, g.post_id
         LIMIT $7",
        accounts = account_filter(engine, shape),
        metrics = engine.json_list(4, "TEXT"),
        listed = listed_posts(engine, shape, "m.post_id"),
    )
}

/// The statement of [`Store::top_post_gains`] when its metrics are
/// [`PIVOTED_INTERACTIONS`]: `$4` since, `$5` until (hour buckets), `$6` how many. As
/// [`top_post_gains_sql`], but per post the sums of the pivot `post_interaction_hours`
/// (schema version 24), read by range from its index `(bucket, post_id, gain)`: one entry
/// per post and hour instead of one per metric.
fn top_post_gains_pivot_sql(engine: Engine, shape: Shape) -> String {
    format!(
        "SELECT g.post_id, g.gain
         FROM (
             SELECT h.post_id, sum(h.gain) AS gain
             FROM post_interaction_hours AS h
             WHERE h.bucket >= $4 AND h.bucket < $5
               {listed}
             GROUP BY h.post_id
         ) AS g
         JOIN posts AS p ON p.id = g.post_id JOIN accounts AS a ON a.id = p.account_id
         WHERE {accounts} AND g.gain > 0
         ORDER BY g.gain DESC, g.post_id
         LIMIT $6",
        accounts = account_filter(engine, shape),
        listed = listed_posts(engine, shape, "h.post_id"),
    )
}

/// The statement of [`Store::latest_followers`]: `$4` the exclusive bound on
/// `period_start` (NULL: none).
fn latest_followers_sql(engine: Engine, shape: Shape) -> String {
    format!(
        "SELECT a.id AS account_id,
                (SELECT m.value FROM account_metrics AS m
                 WHERE m.account_id = a.id AND m.metric = 'followers' AND m.period = 'snapshot'
                   AND ($4 IS NULL OR m.period_start < $4) AND m.value {FINITE}
                 ORDER BY m.period_start DESC, m.collected_at DESC LIMIT 1) AS value
         FROM accounts AS a
         WHERE {accounts}
         ORDER BY a.id",
        accounts = account_filter(engine, shape),
    )
}

/// A bound's condition on `column`: plain when the bind is set (an index range), guarded
/// with `$n IS NULL OR` when it is not (the statement still references `$n`).
fn bound(set: bool, param: u8, column: &str, op: &str) -> String {
    crate::query::guarded(set, param, &format!("{column} {op} ${param}"))
}

/// The first statement of [`Store::posts_page`], the posts with a publication time: `$4` /
/// `$5` published bounds (or NULL), `$6` 1 when a cursor is given, `$7` its
/// `published_at`, `$8` its `posts.id`, `$9` the page size. Newest first by `(published_at,
/// id)`, which `posts_published` (schema version 23) gives in order: a page is a walk of
/// the index from the cursor, `LIMIT` rows long, not a sort of every post. `cursor`: the
/// variant for a cursor with a publication time (a seek to it).
fn posts_page_dated_sql(engine: Engine, shape: Shape, cursor: bool) -> String {
    let after = if cursor {
        "$6 IS NOT NULL AND (p.published_at, p.id) < ($7, $8)"
    } else {
        "($6 IS NULL OR $7 IS NULL OR p.published_at < $7 OR (p.published_at = $7 AND p.id < $8))"
    };
    format!(
        "{select}
         WHERE {accounts} AND p.published_at IS NOT NULL
           AND {since} AND {until} AND {after}
         ORDER BY p.published_at DESC, p.id DESC
         LIMIT $9",
        select = crate::query::POST_SELECT,
        accounts = account_filter(engine, shape),
        since = bound(shape.since, 4, "p.published_at", ">="),
        until = bound(shape.until, 5, "p.published_at", "<"),
    )
}

/// The second statement of [`Store::posts_page`], run when the dated posts did not fill the
/// page and no bound is set: the posts without a publication time, by id descending
/// (those below the cursor's id when the cursor is one of them). Same parameters.
fn posts_page_undated_sql(engine: Engine, shape: Shape) -> String {
    format!(
        "{select}
         WHERE {accounts} AND p.published_at IS NULL AND $4 IS NULL AND $5 IS NULL
           AND ($6 IS NULL OR $7 IS NOT NULL OR p.id < $8)
         ORDER BY p.id DESC
         LIMIT $9",
        select = crate::query::POST_SELECT,
        accounts = account_filter(engine, shape),
    )
}

/// The statement of [`Store::count_posts`]: `$4` / `$5` published bounds (or NULL; the
/// guard of a set bound is left out so the count is a range of `posts_published`). With no
/// account list in `shape` the accounts are not joined: the count is then read from the
/// index alone (`$1`–`$3` are NULL and stay referenced).
fn count_posts_sql(engine: Engine, shape: Shape) -> String {
    let (since, until) = (
        bound(shape.since, 4, "p.published_at", ">="),
        bound(shape.until, 5, "p.published_at", "<"),
    );
    if shape.lists_accounts() {
        format!(
            "SELECT COUNT(*) FROM posts AS p JOIN accounts AS a ON a.id = p.account_id
             WHERE {accounts} AND {since} AND {until}",
            accounts = account_filter(engine, shape),
        )
    } else {
        format!(
            "SELECT COUNT(*) FROM posts AS p
             WHERE $1 IS NULL AND $2 IS NULL AND $3 IS NULL AND {since} AND {until}"
        )
    }
}

/// The packed latest values of the `post_latest` rows `l` (an aggregate over them): per
/// row `metric <US> value` joined by `<RS>`, the value as in [`latest_post_values_sql`]
/// with `from` / `until` the SQL of its bounds (a parameter or `NULL`). Each value is text
/// that reads back to the same f64 (SQLite: 17 significant digits; PostgreSQL's float8
/// output is the shortest exact form); a NULL value drops its pair (concatenation with
/// NULL is NULL, which the aggregates skip; SQLite's printf would print NULL as 0, so it
/// formats inside each branch).
fn packed_latest(engine: Engine, from: &str, until: &str) -> String {
    let text = |v: &str| match engine {
        Engine::Sqlite => format!("printf('%!.17g', {v})"),
        Engine::Postgres => format!("CAST({v} AS TEXT)"),
    };
    let value = format!(
        "CASE WHEN {until} IS NULL OR l.collected_at < {until} THEN
                  CASE WHEN {from} IS NULL OR l.collected_at >= {from} THEN {latest} END
              ELSE (SELECT {walked} FROM post_metrics AS q
                    WHERE q.post_id = l.post_id AND q.metric = l.metric
                      AND ({from} IS NULL OR q.collected_at >= {from}) AND q.collected_at < {until}
                      AND q.value {FINITE}
                    ORDER BY q.bucket DESC LIMIT 1)
         END",
        latest = text("l.value"),
        walked = text("q.value"),
    );
    match engine {
        Engine::Sqlite => format!("group_concat(l.metric || char(31) || {value}, char(30))"),
        Engine::Postgres => format!("string_agg(l.metric || chr(31) || {value}, chr(30))"),
    }
}

/// The statement of [`Store::published_with_values`]: `$4` / `$5` the publication bounds,
/// `$6` the values' exclusive upper bound on `collected_at`. Per post published in the
/// bounds (a range of `posts_published`), the columns best time needs and its latest
/// values packed as [`packed_latest`]: one row per post, one statement for the heatmap.
fn published_with_values_sql(engine: Engine, shape: Shape) -> String {
    format!(
        "SELECT p.id, a.platform, a.external_id AS user_id, p.external_id, p.content_type, p.published_at,
                (SELECT {packed} FROM post_latest AS l WHERE l.post_id = p.id) AS packed
         FROM posts AS p JOIN accounts AS a ON a.id = p.account_id
         WHERE {accounts} AND p.published_at >= $4 AND p.published_at < $5
         ORDER BY p.id",
        packed = packed_latest(engine, "NULL", "$6"),
        accounts = account_filter(engine, shape),
    )
}

/// A post published in a period with its latest values ([`Store::published_with_values`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedPost {
    /// `posts.id`.
    pub id: i64,
    /// The account's platform.
    pub platform: alcance_core::Platform,
    /// The account's platform id.
    pub user_id: String,
    /// The platform's post id.
    pub external_id: String,
    /// Content type.
    pub content_type: alcance_core::ContentType,
    /// Publication time, UTC (within the period's bounds).
    pub published_at: DateTime<Utc>,
    /// Its latest finite value of each metric collected before the bound, sorted by
    /// metric; empty when it has none.
    pub values: Vec<PostValue>,
}

#[derive(sqlx::FromRow)]
struct PublishedRecord {
    id: i64,
    platform: String,
    user_id: String,
    external_id: String,
    content_type: String,
    published_at: String,
    packed: Option<String>,
}

/// The statement of [`Store::latest_post_values`]: `$1` post ids (JSON list), `$2`
/// inclusive lower bound on `collected_at`, `$3` exclusive upper bound (NULL: none).
/// Per post of the list and metric with a finite value, its row of `post_latest` (schema
/// version 23: the newest finite row by hour bucket, kept by triggers on `post_metrics`),
/// one key seek per post:
/// - collected before `$3` (or no `$3`): that value, or NULL when it was collected before
///   `$2` (every other finite row of the pair is older still);
/// - collected at or after `$3` (a period in the past): one walk of the unique key
///   `(post_id, metric, bucket)` backwards to the first row in the bounds with a finite
///   value, NULL when there is none.
///
/// The newest bucket holds the newest `collected_at` because each row's bucket is its
/// `collected_at`'s hour (every write path sets it so) and a pair's buckets are distinct.
/// The pairs come back packed, one row per post (`packed` below): the rows a read returns,
/// not the values it finds, are what costs the most once the reads are seeks (2,936 rows
/// instead of 17,616 for a month's heatmap at 1 year × 100 accounts).
fn latest_post_values_sql(engine: Engine) -> String {
    let packed = packed_latest(engine, "$2", "$3");
    format!(
        "SELECT l.post_id, {packed} AS packed
         FROM post_latest AS l
         WHERE l.post_id IN ({ids})
         GROUP BY l.post_id
         ORDER BY l.post_id",
        ids = engine.json_list(1, "BIGINT"),
    )
}

/// The statement of [`Store::snapshot_values`]: `$4` the metric, `$5` / `$6` the
/// `period_start` bounds. A range of `account_metrics_metric_start (metric, period_start)`
/// (schema version 23), four narrow columns per row.
fn snapshot_values_sql(engine: Engine, shape: Shape) -> String {
    format!(
        "SELECT m.account_id, m.period_start, m.collected_at, m.value
         FROM account_metrics AS m JOIN accounts AS a ON a.id = m.account_id
         WHERE {accounts} AND m.metric = $4 AND m.period = 'snapshot'
           AND m.period_start >= $5 AND m.period_start < $6 AND m.value {FINITE}
         ORDER BY m.account_id, m.period_start, m.collected_at",
        accounts = account_filter(engine, shape),
    )
}

/// One account snapshot of one metric ([`Store::snapshot_values`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SnapshotValue {
    /// `accounts.id`.
    pub account_id: i64,
    /// The instant the value is for (`account_metrics.period_start`, UTC).
    pub period_start: DateTime<Utc>,
    /// When it was collected (UTC).
    pub collected_at: DateTime<Utc>,
    /// The value (finite), in the metric's catalog unit.
    pub value: f64,
}

#[derive(sqlx::FromRow)]
struct SnapshotRecord {
    account_id: i64,
    period_start: String,
    collected_at: String,
    value: f64,
}

/// A post's latest values: `(posts.id, metric, value)`.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PostValue {
    /// `posts.id`.
    pub post_id: i64,
    /// Catalog metric key.
    pub metric: String,
    /// The value (finite; NULL snapshots are skipped).
    pub value: f64,
}

/// A row of [`latest_post_values_sql`]: a post and its packed `metric <US> value` pairs
/// (`<RS>`-separated; NULL when it has no finite value in the bounds).
#[derive(sqlx::FromRow)]
struct PostValueRecord {
    post_id: i64,
    packed: Option<String>,
}

/// The pairs of a [`PostValueRecord`], sorted by metric. Errors: [`StoreError::Decode`]
/// for a pair that is not `metric <US> number`.
fn unpack_values(r: PostValueRecord, out: &mut Vec<PostValue>) -> Result<(), StoreError> {
    let Some(packed) = r.packed else {
        return Ok(());
    };
    let first = out.len();
    for pair in packed.split('\u{1e}') {
        let bad = |reason: &str| StoreError::Decode {
            column: "post_latest.value",
            value: pair.to_string(),
            reason: reason.to_string(),
        };
        let (metric, value) = pair.split_once('\u{1f}').ok_or_else(|| bad("no separator"))?;
        let value: f64 = value
            .parse()
            .map_err(|e: std::num::ParseFloatError| bad(&e.to_string()))?;
        out.push(PostValue {
            post_id: r.post_id,
            metric: metric.to_string(),
            value,
        });
    }
    out[first..].sort_by(|a, b| a.metric.cmp(&b.metric));
    Ok(())
}

#[derive(sqlx::FromRow)]
struct FollowersRecord {
    account_id: i64,
    value: Option<f64>,
}

/// Where a page of [`Store::posts_page`] starts: after the post with this publication
/// time and id in the order newest first, posts without a time last, then by id
/// descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostCursor {
    /// `posts.published_at` of the last post of the previous page, UTC.
    pub published_at: Option<DateTime<Utc>>,
    /// `posts.id` of that post.
    pub id: i64,
}

impl Store {
    /// Per filtered account (the account lists of `filter`; its bounds and metrics are
    /// ignored), period (`[previous_since, since)`, `[since, until)`) and [`GainPick`]
    /// with a snapshot in it, the sum of its posts' gains (`post_gain_hours`, kept by the
    /// write path: docs/analytics.md "Gains"). `interactions` are the metric keys
    /// [`GainPick::Interactions`] sums, `views` and `fallback` those of
    /// [`GainPick::Views`]. The bounds are whole hours (a bound inside an hour counts
    /// that hour from its start). Ordered by account id. One statement over the rollup:
    /// a row per account, hour with snapshots and metric, whatever the snapshots number;
    /// with the dashboard's metrics ([`PIVOTED_INTERACTIONS`], `views`, `impressions`) a
    /// row per account and hour of the pivot `account_gain_hours` (schema version 24).
    ///
    /// Errors: database errors.
    pub async fn period_gains(
        &self,
        filter: &RowFilter,
        bounds: GainBounds,
        interactions: &[&str],
        views: &str,
        fallback: &str,
    ) -> Result<Vec<AccountGain>, StoreError> {
        let ((platforms, ids, externals), shape) = account_binds(filter);
        let hour = |t| to_db(crate::time::hour_bucket(t));
        if is_pivoted_interactions(interactions) && views == "views" && fallback == "impressions" {
            let sql = period_gains_pivot_sql(self.engine(), shape);
            let rows: Vec<AccountPivotRecord> = crate::on_pool!(&self.pool, |p| sqlx::query_as(&sql)
                .bind(&platforms)
                .bind(&ids)
                .bind(&externals)
                .bind(hour(bounds.previous_since))
                .bind(hour(bounds.since))
                .bind(hour(bounds.until))
                .fetch_all(p)
                .await?);
            return Ok(rows
                .into_iter()
                .flat_map(|r| {
                    [
                        (GainPick::Interactions, r.interactions, r.interaction_readings),
                        (GainPick::Views, r.views, r.view_readings),
                    ]
                    .into_iter()
                    .filter(|(_, _, readings)| readings.unwrap_or(0) > 0)
                    .map(move |(pick, gain, readings)| AccountGain {
                        account_id: r.account_id,
                        pick,
                        current: r.seg == 1,
                        gain: gain.unwrap_or(0.0),
                        readings: readings.unwrap_or(0),
                    })
                })
                .collect());
        }
        let sql = period_gains_sql(self.engine(), shape);
        let rows: Vec<AccountGainRecord> = crate::on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(&platforms)
            .bind(&ids)
            .bind(&externals)
            .bind(hour(bounds.previous_since))
            .bind(hour(bounds.since))
            .bind(hour(bounds.until))
            .bind(json_list(interactions))
            .bind(views)
            .bind(fallback)
            .fetch_all(p)
            .await?);
        Ok(rows
            .into_iter()
            .filter(|r| r.readings.unwrap_or(0) > 0)
            .map(|r| AccountGain {
                account_id: r.account_id,
                pick: if r.pick == 0 {
                    GainPick::Interactions
                } else {
                    GainPick::Views
                },
                current: r.seg == 1,
                gain: r.gain.unwrap_or(0.0),
                readings: r.readings.unwrap_or(0),
            })
            .collect())
    }

    /// Per filtered account (the account lists of `filter`), its latest finite
    /// `followers` snapshot with `period_start < before` (any when `None`; the latest `period_start`, then
    /// `collected_at`), `None` when it has none; ordered by `accounts.id`. One index seek
    /// per account (the `account_metrics` unique key).
    ///
    /// Errors: database errors.
    pub async fn latest_followers(
        &self,
        filter: &RowFilter,
        before: Option<DateTime<Utc>>,
    ) -> Result<Vec<(i64, Option<f64>)>, StoreError> {
        let ((platforms, ids, externals), shape) = account_binds(filter);
        let sql = latest_followers_sql(self.engine(), shape);
        let rows: Vec<FollowersRecord> = crate::on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(&platforms)
            .bind(&ids)
            .bind(&externals)
            .bind(before.map(to_db))
            .fetch_all(p)
            .await?);
        Ok(rows.into_iter().map(|r| (r.account_id, r.value)).collect())
    }

    /// The filtered accounts' (the account lists of `filter`) snapshots of `metric` (period
    /// `snapshot`) with `period_start` in `[since, until)` (`until` compared at the whole
    /// second it falls in, as [`Store::account_metric_rows`] does) and a finite value, ordered by
    /// account id, `period_start`, `collected_at`: the follower chart's points, without the
    /// account columns and period bounds an export row carries.
    ///
    /// Errors: database errors; [`StoreError::Decode`] for a bad stored time.
    pub async fn snapshot_values(
        &self,
        filter: &RowFilter,
        metric: &str,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<SnapshotValue>, StoreError> {
        let ((platforms, ids, externals), shape) = account_binds(filter);
        let sql = snapshot_values_sql(self.engine(), shape);
        let rows: Vec<SnapshotRecord> = crate::on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(&platforms)
            .bind(&ids)
            .bind(&externals)
            .bind(metric)
            .bind(to_db(ceil_to_second(since)))
            .bind(to_db(until))
            .fetch_all(p)
            .await?);
        rows.into_iter()
            .map(|r| {
                Ok(SnapshotValue {
                    account_id: r.account_id,
                    period_start: crate::time::from_db("account_metrics.period_start", &r.period_start)?,
                    collected_at: crate::time::from_db("account_metrics.collected_at", &r.collected_at)?,
                    value: r.value,
                })
            })
            .collect()
    }

    /// The filtered accounts' (the account lists of `filter`) posts published in `[since,
    /// until)` (`since` rounded up and `until` down to the whole second, as
    /// [`Store::posts`] compares them), ordered by `posts.id`, each with its latest finite
    /// values collected before `values_until` (as [`Store::latest_post_values`]): the
    /// best-time heatmap's input in one statement, one row per post.
    ///
    /// Errors: database errors; [`StoreError::Decode`] for a bad stored row.
    pub async fn published_with_values(
        &self,
        filter: &RowFilter,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        values_until: DateTime<Utc>,
    ) -> Result<Vec<PublishedPost>, StoreError> {
        let ((platforms, ids, externals), shape) = account_binds(filter);
        let sql = published_with_values_sql(self.engine(), shape);
        let rows: Vec<PublishedRecord> = crate::on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(&platforms)
            .bind(&ids)
            .bind(&externals)
            .bind(to_db(ceil_to_second(since)))
            .bind(to_db(until))
            .bind(to_db(values_until))
            .fetch_all(p)
            .await?);
        rows.into_iter()
            .map(|r| {
                let mut values = Vec::new();
                unpack_values(
                    PostValueRecord {
                        post_id: r.id,
                        packed: r.packed,
                    },
                    &mut values,
                )?;
                Ok(PublishedPost {
                    id: r.id,
                    platform: crate::platform_from_db("accounts.platform", &r.platform)?,
                    user_id: r.user_id,
                    external_id: r.external_id,
                    content_type: alcance_core::ContentType::from_key(&r.content_type),
                    published_at: crate::time::from_db("posts.published_at", &r.published_at)?,
                    values,
                })
            })
            .collect()
    }

    /// One page of the filtered accounts' posts (the account lists of `filter`; `since` /
    /// `until` bound `published_at`, posts without one left out when a bound is set),
    /// newest first, posts without a publication time last, then by id descending; those
    /// after `after`, at most `limit`.
    ///
    /// Errors: database errors; [`StoreError::Decode`] for a bad stored row.
    pub async fn posts_page(
        &self,
        filter: &RowFilter,
        after: Option<PostCursor>,
        limit: usize,
    ) -> Result<Vec<PostRow>, StoreError> {
        let ((platforms, ids, externals), shape) = account_binds(filter);
        let (since, until) = (filter.since.map(to_db), filter.until.map(to_db));
        let cursor = (
            after.map(|_| 1_i64),
            after.and_then(|a| a.published_at).map(to_db),
            after.map_or(0, |a| a.id),
        );
        let read = |sql: String, limit: usize| {
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let (platforms, ids, externals, since, until, cursor) =
                (&platforms, &ids, &externals, &since, &until, &cursor);
            async move {
                let rows: Vec<crate::query::PostRecord> = crate::on_pool!(&self.pool, |p| sqlx::query_as(&sql)
                    .bind(platforms)
                    .bind(ids)
                    .bind(externals)
                    .bind(since)
                    .bind(until)
                    .bind(cursor.0)
                    .bind(&cursor.1)
                    .bind(cursor.2)
                    .bind(limit)
                    .fetch_all(p)
                    .await?);
                Ok::<_, StoreError>(rows)
            }
        };
        // A cursor without a publication time is past every dated post.
        let mut rows = if after.is_some_and(|a| a.published_at.is_none()) {
            Vec::new()
        } else {
            let sql = posts_page_dated_sql(self.engine(), shape, cursor.1.is_some());
            read(sql, limit).await?
        };
        if rows.len() < limit && filter.since.is_none() && filter.until.is_none() {
            rows.extend(read(posts_page_undated_sql(self.engine(), shape), limit - rows.len()).await?);
        }
        rows.into_iter().map(crate::query::post_from_row).collect()
    }

    /// Per filtered account (the account lists of `filter`) and UTC day with a snapshot of
    /// `metrics` in `[since, until)` (whole hours, as [`Store::period_gains`]), the sum of
    /// its posts' gains of `metrics` that day (the engagement trend before the clamp,
    /// which the caller applies). Unordered. Reads the rollup; with `metrics` the
    /// [`PIVOTED_INTERACTIONS`], its pivot `account_gain_hours` (schema version 24).
    ///
    /// Errors: database errors; [`StoreError::Decode`] for a bad stored row.
    pub async fn day_gains(
        &self,
        filter: &RowFilter,
        metrics: &[&str],
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<AccountDayGain>, StoreError> {
        let ((platforms, ids, externals), shape) = account_binds(filter);
        let hour = |t| to_db(crate::time::hour_bucket(t));
        let rows: Vec<DayGainRecord> = if is_pivoted_interactions(metrics) {
            let sql = day_gains_pivot_sql(self.engine(), shape);
            crate::on_pool!(&self.pool, |p| sqlx::query_as(&sql)
                .bind(&platforms)
                .bind(&ids)
                .bind(&externals)
                .bind(hour(since))
                .bind(hour(until))
                .fetch_all(p)
                .await?)
        } else {
            let sql = day_gains_sql(self.engine(), shape);
            crate::on_pool!(&self.pool, |p| sqlx::query_as(&sql)
                .bind(&platforms)
                .bind(&ids)
                .bind(&externals)
                .bind(json_list(metrics))
                .bind(hour(since))
                .bind(hour(until))
                .fetch_all(p)
                .await?)
        };
        rows.into_iter()
            .filter(|r| r.readings.unwrap_or(0) > 0)
            .map(|r| {
                Ok(AccountDayGain {
                    platform: crate::platform_from_db("accounts.platform", &r.platform)?,
                    user_id: r.user_id,
                    day: chrono::NaiveDate::parse_from_str(&r.day, "%Y-%m-%d").map_err(|e| StoreError::Decode {
                        column: "post_gain_hours.bucket",
                        value: r.day.clone(),
                        reason: e.to_string(),
                    })?,
                    gain: r.gain.unwrap_or(0.0),
                })
            })
            .collect()
    }

    /// The `limit` posts of the filtered accounts (the account lists of `filter`) that
    /// gained most of `metrics` in `[since, until)` (whole hours, as
    /// [`Store::period_gains`]): per post the sum of its snapshots' gains
    /// (`post_metrics.gain`), positive sums only, largest first, ties to the smaller
    /// `posts.id`. Returns `(posts.id, gain)`. Reads the period's entries of the index
    /// `post_metrics_gain_bucket` (schema version 22), not every snapshot; with `metrics`
    /// the [`PIVOTED_INTERACTIONS`], the period's entries of the pivot
    /// `post_interaction_hours` (schema version 24), one per post and hour.
    ///
    /// Errors: database errors.
    pub async fn top_post_gains(
        &self,
        filter: &RowFilter,
        metrics: &[&str],
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<(i64, f64)>, StoreError> {
        let ((platforms, ids, externals), shape) = account_binds(filter);
        let hour = |t| to_db(crate::time::hour_bucket(t));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        if is_pivoted_interactions(metrics) {
            let sql = top_post_gains_pivot_sql(self.engine(), shape);
            return Ok(crate::on_pool!(&self.pool, |p| sqlx::query_as(&sql)
                .bind(&platforms)
                .bind(&ids)
                .bind(&externals)
                .bind(hour(since))
                .bind(hour(until))
                .bind(limit)
                .fetch_all(p)
                .await?));
        }
        let sql = top_post_gains_sql(self.engine(), shape);
        Ok(crate::on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(&platforms)
            .bind(&ids)
            .bind(&externals)
            .bind(json_list(metrics))
            .bind(hour(since))
            .bind(hour(until))
            .bind(limit)
            .fetch_all(p)
            .await?))
    }

    /// How many posts [`Store::posts`] returns for `filter` (its account lists and
    /// `published_at` bounds), counted in the database.
    ///
    /// Errors: database errors.
    pub async fn count_posts(&self, filter: &RowFilter) -> Result<u64, StoreError> {
        let ((platforms, ids, externals), shape) = account_binds(filter);
        let sql = count_posts_sql(self.engine(), shape);
        let n: i64 = crate::on_pool!(&self.pool, |p| sqlx::query_scalar(&sql)
            .bind(&platforms)
            .bind(&ids)
            .bind(&externals)
            .bind(filter.since.map(to_db))
            .bind(filter.until.map(to_db))
            .fetch_one(p)
            .await?);
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Per post of `post_ids` and metric, its latest finite value collected in `[from,
    /// until)` (`None`: unbounded); ordered by post id, metric.
    ///
    /// Errors: database errors.
    pub async fn latest_post_values(
        &self,
        post_ids: &[i64],
        from: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
    ) -> Result<Vec<PostValue>, StoreError> {
        if post_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = latest_post_values_sql(self.engine());
        let ids = json_list(post_ids);
        let rows: Vec<PostValueRecord> = crate::on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(&ids)
            .bind(from.map(to_db))
            .bind(until.map(to_db))
            .fetch_all(p)
            .await?);
        let mut out = Vec::with_capacity(rows.len() * 6);
        for r in rows {
            unpack_values(r, &mut out)?;
        }
        Ok(out)
    }

    /// The posts with these ids (`posts.id`) with their account's identity, ordered by id;
    /// ids of no post are left out.
    ///
    /// Errors: database errors; [`StoreError::Decode`] for a bad stored row.
    pub async fn posts_by_id(&self, post_ids: &[i64]) -> Result<Vec<PostRow>, StoreError> {
        if post_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "{select} WHERE p.id IN ({ids}) ORDER BY p.id",
            select = crate::query::POST_SELECT,
            ids = self.engine().json_list(1, "BIGINT"),
        );
        let ids = json_list(post_ids);
        let rows: Vec<crate::query::PostRecord> =
            crate::on_pool!(&self.pool, |p| sqlx::query_as(&sql).bind(&ids).fetch_all(p).await?);
        rows.into_iter().map(crate::query::post_from_row).collect()
    }
}
