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

use crate::query::{account_filter, json_list, Binds};
use crate::time::{from_db_opt, to_db};
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

/// `post_metrics AS m` for a read of a time window that scans it: on SQLite `NOT INDEXED`,
/// since with the metric list bound as JSON its planner walks the whole
/// `(post_id, metric, bucket)` key and looks every row up (0.68 s of CPU instead of 0.42 s
/// at 1 year × 100 accounts); PostgreSQL plans with the bound values.
fn scanned_post_metrics(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "post_metrics AS m NOT INDEXED",
        _ => "post_metrics AS m",
    }
}

/// The account lists of `f` as the three JSON binds of [`account_filter`].
fn account_binds(f: &RowFilter) -> (Option<String>, Option<String>, Option<String>) {
    let binds = Binds::of(f);
    (binds.platforms, binds.account_ids, binds.external_ids)
}

/// The bounds of a period-over-period gain read ([`Store::post_gain_parts`]), UTC, as the
/// stored text compares them (see the module's note on fractions of a second).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GainBounds {
    /// Inclusive start of the snapshots read (the baselines reach back to here).
    pub from: DateTime<Utc>,
    /// Start of the previous period (inclusive).
    pub previous_since: DateTime<Utc>,
    /// Start of the period, end of the previous one.
    pub since: DateTime<Utc>,
    /// Exclusive end of the snapshots read and of the period.
    pub until: DateTime<Utc>,
}

/// Which metrics a gain sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GainPick {
    /// The interaction metrics given to [`Store::post_gain_parts`], summed.
    Interactions,
    /// `views` where the post has any (finite) `views` snapshot in the window, else
    /// `impressions`.
    Views,
}

/// One side of a gain: what a post's picked total was over one period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeriodTotals {
    /// The post has a snapshot of a picked metric inside the period.
    pub seen: bool,
    /// The total at its last snapshot before the period's end: per picked metric the
    /// latest value before the end, summed (0 when `seen` is false).
    pub end: f64,
    /// The total at its last snapshot before the period's start (per metric the latest
    /// value before the start, summed), `None` when no snapshot of the window precedes
    /// the start.
    pub before: Option<f64>,
    /// Time of its first snapshot at or after the period's start, UTC.
    pub first_at: Option<DateTime<Utc>>,
    /// The total at `first_at` (the metrics first read then, summed; meaningful only when
    /// `before` is `None`, when no earlier value carries forward).
    pub first: f64,
}

/// Per post and [`GainPick`], what the dashboard's gains need over a period and the
/// previous one; the totals of the snapshots read in `[from, until)` only.
#[derive(Debug, Clone, PartialEq)]
pub struct PostGainParts {
    /// `posts.id`.
    pub post_id: i64,
    /// Which metrics.
    pub pick: GainPick,
    /// `posts.published_at`, UTC.
    pub published_at: Option<DateTime<Utc>>,
    /// Over `[since, until)`.
    pub now: PeriodTotals,
    /// Over `[previous_since, since)`.
    pub previous: PeriodTotals,
}

#[derive(sqlx::FromRow)]
struct GainRecord {
    post_id: i64,
    metric: String,
    published_at: Option<String>,
    l0: Option<f64>,
    l1: Option<f64>,
    l2: Option<f64>,
    f1t: Option<String>,
    f1v: Option<f64>,
    f2t: Option<String>,
    f2v: Option<f64>,
}

/// The statement of [`Store::post_gain_parts`]. `$4` from, `$5` previous since, `$6`
/// since, `$7` until, `$8` the interaction metrics (JSON list), `$9` the views metric,
/// `$10` its fallback. Segments of a post metric's snapshots: 0 before the previous
/// period, 1 in it, 2 in the period; per post and metric, the last value of each segment
/// (`l0`, `l1`, `l2`) and the first snapshot of segments 1 and 2 (`f1t`, `f1v`, `f2t`,
/// `f2v`). The caller sums them per post.
///
/// SQLite: the first and last times of each segment by `GROUP BY`, their values found
/// again through the unique key `(post_id, metric, bucket)` (one snapshot per hour
/// bucket); window functions over every snapshot cost it twice as much. PostgreSQL: `LAG`
/// / `LEAD` over the snapshots (one sort); finding values again made its planner misjudge
/// the join and hash the whole table.
fn gain_parts_sql(engine: Engine) -> String {
    let r = format!(
        "r AS (
            SELECT m.post_id, m.metric, m.collected_at AS t, m.value AS v, p.published_at,
                   CASE WHEN m.collected_at < $5 THEN 0 WHEN m.collected_at < $6 THEN 1 ELSE 2 END AS seg
            FROM {scanned} JOIN posts AS p ON p.id = m.post_id JOIN accounts AS a ON a.id = p.account_id
            WHERE {accounts}
              AND m.collected_at >= $4 AND m.collected_at < $7
              AND (m.metric IN ({interactions}) OR m.metric = $9 OR m.metric = $10)
              AND m.value {FINITE}
        )",
        accounts = account_filter(engine),
        interactions = engine.json_list(8, "TEXT"),
        scanned = scanned_post_metrics(engine),
    );
    let columns = "post_id, metric, MAX(published_at) AS published_at,
               MAX(CASE WHEN seg = 0 THEN lv END) AS l0,
               MAX(CASE WHEN seg = 1 THEN lv END) AS l1,
               MAX(CASE WHEN seg = 2 THEN lv END) AS l2,
               MAX(CASE WHEN seg = 1 THEN ft END) AS f1t,
               MAX(CASE WHEN seg = 1 THEN fv END) AS f1v,
               MAX(CASE WHEN seg = 2 THEN ft END) AS f2t,
               MAX(CASE WHEN seg = 2 THEN fv END) AS f2v";
    match engine {
        Engine::Postgres => format!(
            "WITH {r}, e AS (
                SELECT post_id, metric, t, v, seg, published_at,
                       LAG(seg) OVER (PARTITION BY post_id, metric ORDER BY t) AS before_seg,
                       LEAD(seg) OVER (PARTITION BY post_id, metric ORDER BY t) AS after_seg
                FROM r
            ), sv AS (
                SELECT post_id, metric, seg, published_at,
                       CASE WHEN after_seg IS NULL OR after_seg <> seg THEN v END AS lv,
                       CASE WHEN before_seg IS NULL OR before_seg <> seg THEN t END AS ft,
                       CASE WHEN before_seg IS NULL OR before_seg <> seg THEN v END AS fv
                FROM e
                WHERE after_seg IS NULL OR after_seg <> seg OR before_seg IS NULL OR before_seg <> seg
            )
            SELECT {columns} FROM sv GROUP BY post_id, metric ORDER BY post_id, metric"
        ),
        _ => format!(
            "WITH {r}, g AS (
                SELECT post_id, metric, seg, MIN(t) AS ft, MAX(t) AS lt, MAX(published_at) AS published_at
                FROM r GROUP BY post_id, metric, seg
            ), sv AS (
                SELECT g.post_id, g.metric, g.seg, g.published_at, g.ft, f.value AS fv, l.value AS lv
                FROM g
                JOIN post_metrics AS l
                  ON l.post_id = g.post_id AND l.metric = g.metric AND l.bucket = substr(g.lt, 1, 13) || ':00:00Z'
                JOIN post_metrics AS f
                  ON f.post_id = g.post_id AND f.metric = g.metric AND f.bucket = substr(g.ft, 1, 13) || ':00:00Z'
            )
            SELECT {columns} FROM sv GROUP BY post_id, metric ORDER BY post_id, metric"
        ),
    }
}

/// The statement of [`Store::post_gain_parts`] on `engine`, for benchmarks that `EXPLAIN`
/// it (feature `testing`): `$1`–`$3` the account lists (JSON or NULL), `$4` from, `$5`
/// previous since, `$6` since, `$7` until (stored text), `$8` the interaction metrics
/// (JSON list), `$9` the views metric, `$10` its fallback.
#[cfg(feature = "testing")]
pub fn gain_parts_statement(engine: Engine) -> String {
    gain_parts_sql(engine)
}

/// The statement of [`Store::latest_followers`]: `$4` the exclusive bound on
/// `period_start` (NULL: none).
fn latest_followers_sql(engine: Engine) -> String {
    format!(
        "SELECT a.id AS account_id,
                (SELECT m.value FROM account_metrics AS m
                 WHERE m.account_id = a.id AND m.metric = 'followers' AND m.period = 'snapshot'
                   AND ($4 IS NULL OR m.period_start < $4) AND m.value {FINITE}
                 ORDER BY m.period_start DESC, m.collected_at DESC LIMIT 1) AS value
         FROM accounts AS a
         WHERE {accounts}
         ORDER BY a.id",
        accounts = account_filter(engine),
    )
}

/// The statement of [`Store::posts_page`]: `$4` / `$5` published bounds (or NULL), `$6`
/// 1 when a cursor is given, `$7` its `published_at` (or NULL), `$8` its `posts.id`, `$9`
/// the page size.
fn posts_page_sql(engine: Engine) -> String {
    format!(
        "{select}
         WHERE {accounts}
           AND ($4 IS NULL OR p.published_at >= $4)
           AND ($5 IS NULL OR p.published_at < $5)
           AND ($6 IS NULL
                OR ($7 IS NULL AND p.published_at IS NULL AND p.id < $8)
                OR ($7 IS NOT NULL AND (p.published_at < $7 OR (p.published_at = $7 AND p.id < $8)
                                         OR p.published_at IS NULL)))
         ORDER BY CASE WHEN p.published_at IS NULL THEN 1 ELSE 0 END, p.published_at DESC, p.id DESC
         LIMIT $9",
        select = crate::query::POST_SELECT,
        accounts = account_filter(engine),
    )
}

/// The statement of [`Store::post_day_gains`]: `$4` metrics (JSON list), `$5` from, `$6`
/// the first day returned (`YYYY-MM-DD`), `$7` until. Per post, metric and UTC day the
/// day's last snapshot (`g`; on SQLite its value found again through the unique key), the
/// metric's value on its previous day (`LAG`) and the post's first day (a window too: a
/// join to a per-post `GROUP BY` made SQLite scan it once per row), then per post and day
/// the sum of the changes.
fn post_day_gains_sql(engine: Engine) -> String {
    // Per post, metric and day: the day's last snapshot time `lt` and value `lv`.
    let last_of_day = match engine {
        // PostgreSQL: by a window (finding the value again misleads its planner, see
        // `gain_parts_sql`).
        Engine::Postgres => {
            "g AS (
                SELECT post_id, metric, day, t AS lt, v AS lv FROM (
                    SELECT r.*, ROW_NUMBER() OVER (PARTITION BY post_id, metric, day ORDER BY t DESC) AS rn FROM r
                ) AS x WHERE rn = 1
            )"
        }
        _ => {
            "d AS (
                SELECT post_id, metric, day, MAX(t) AS lt FROM r GROUP BY post_id, metric, day
            ), g AS (
                SELECT d.post_id, d.metric, d.day, d.lt, l.value AS lv
                FROM d JOIN post_metrics AS l
                  ON l.post_id = d.post_id AND l.metric = d.metric AND l.bucket = substr(d.lt, 1, 13) || ':00:00Z'
            )"
        }
    };
    format!(
        "WITH r AS (
            SELECT m.post_id, m.metric, m.collected_at AS t, m.value AS v, substr(m.collected_at, 1, 10) AS day
            FROM {scanned} JOIN posts AS p ON p.id = m.post_id JOIN accounts AS a ON a.id = p.account_id
            WHERE {accounts}
              AND m.metric IN ({metrics}) AND m.value {FINITE}
              AND m.collected_at >= $5 AND m.collected_at < $7
        ), {last_of_day}, v AS (
            SELECT post_id, day, lt, lv,
                   LAG(lv) OVER (PARTITION BY post_id, metric ORDER BY day) AS prev,
                   MIN(day) OVER (PARTITION BY post_id) AS first_day
            FROM g
        )
        SELECT a.platform, a.external_id AS user_id, p.external_id AS post_id, p.published_at, v.day,
               CAST(CASE WHEN v.day = v.first_day THEN 1 ELSE 0 END AS BIGINT) AS first_day,
               MAX(v.lt) AS last_at, SUM(v.lv - COALESCE(v.prev, 0)) AS delta
        FROM v JOIN posts AS p ON p.id = v.post_id JOIN accounts AS a ON a.id = p.account_id
        WHERE v.day >= $6
        GROUP BY a.platform, a.external_id, p.id, p.external_id, p.published_at, v.day, v.first_day",
        accounts = account_filter(engine),
        metrics = engine.json_list(4, "TEXT"),
        scanned = scanned_post_metrics(engine),
    )
}

/// One post's change over one UTC day ([`Store::post_day_gains`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PostDayGain {
    /// The account's platform.
    pub platform: alcance_core::Platform,
    /// The account's platform id (`accounts.external_id`).
    pub user_id: String,
    /// The platform's post id (`posts.external_id`).
    pub post_id: String,
    /// `posts.published_at`, UTC.
    pub published_at: Option<DateTime<Utc>>,
    /// The UTC day.
    pub day: chrono::NaiveDate,
    /// This is the post's first day with a snapshot in the rows read.
    pub first_day: bool,
    /// Its last snapshot of the day, UTC.
    pub last_at: DateTime<Utc>,
    /// Per metric its last value of the day minus its last value on an earlier day of the
    /// rows read (0 when none), summed: the total's change that day (the total counts each
    /// metric at its latest value). On the first day, the total itself.
    pub delta: f64,
}

#[derive(sqlx::FromRow)]
struct DayGainRecord {
    platform: String,
    user_id: String,
    post_id: String,
    published_at: Option<String>,
    day: String,
    first_day: i64,
    last_at: String,
    delta: Option<f64>,
}

/// The statement of [`Store::count_posts`]: `$4` / `$5` published bounds (or NULL).
fn count_posts_sql(engine: Engine) -> String {
    format!(
        "SELECT COUNT(*) FROM posts AS p JOIN accounts AS a ON a.id = p.account_id
         WHERE {accounts}
           AND ($4 IS NULL OR p.published_at >= $4)
           AND ($5 IS NULL OR p.published_at < $5)",
        accounts = account_filter(engine),
    )
}

/// The statement of [`Store::latest_post_values`]: `$1` post ids (JSON list), `$2`
/// inclusive lower bound on `collected_at`, `$3` exclusive upper bound (NULL: none).
fn latest_post_values_sql(engine: Engine) -> String {
    format!(
        "SELECT post_id, metric, value FROM (
            SELECT m.post_id, m.metric, m.value,
                   ROW_NUMBER() OVER (PARTITION BY m.post_id, m.metric ORDER BY m.collected_at DESC) AS rn
            FROM post_metrics AS m
            WHERE m.post_id IN ({ids}) AND ($2 IS NULL OR m.collected_at >= $2) AND ($3 IS NULL OR m.collected_at < $3)
              AND m.value {FINITE}
         ) AS x
         WHERE rn = 1
         ORDER BY post_id, metric",
        ids = engine.json_list(1, "BIGINT"),
    )
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

/// One metric's part of a period's totals: its last value before the end, its last value
/// before the start (`None`: none in the window), its first snapshot at or after the start.
struct MetricPart {
    end: Option<f64>,
    before: Option<f64>,
    first: Option<(DateTime<Utc>, f64)>,
}

/// The period's totals over the picked metrics' parts, summed in the given order.
fn period_totals(parts: &[MetricPart]) -> PeriodTotals {
    let seen = parts.iter().any(|p| p.first.is_some());
    let end = parts.iter().filter_map(|p| p.end).sum();
    let before = if parts.iter().any(|p| p.before.is_some()) {
        Some(parts.iter().filter_map(|p| p.before).sum())
    } else {
        None
    };
    let first_at = parts.iter().filter_map(|p| p.first.map(|f| f.0)).min();
    let first = parts
        .iter()
        .filter_map(|p| p.first.filter(|f| Some(f.0) == first_at).map(|f| f.1))
        .sum();
    PeriodTotals {
        seen,
        end,
        before,
        first_at,
        first,
    }
}

/// A post's [`PostGainParts`] from its metrics' rows (`rows`: one per metric). Interaction
/// metrics are summed in the order of `interactions`.
fn post_parts(
    rows: &[GainRecord],
    interactions: &[&str],
    views: &str,
    fallback: &str,
) -> Result<Vec<PostGainParts>, StoreError> {
    let Some(head) = rows.first() else {
        return Ok(Vec::new());
    };
    let published_at = from_db_opt("posts.published_at", head.published_at.clone())?;
    let time = |t: &Option<String>| from_db_opt("post_metrics.collected_at", t.clone());
    // Per row: (now, previous) parts.
    let mut parts: Vec<(&str, MetricPart, MetricPart)> = Vec::with_capacity(rows.len());
    for r in rows {
        let f2 = time(&r.f2t)?.zip(r.f2v);
        let f1 = time(&r.f1t)?.zip(r.f1v);
        parts.push((
            r.metric.as_str(),
            MetricPart {
                end: r.l2.or(r.l1).or(r.l0),
                before: r.l1.or(r.l0),
                first: f2,
            },
            MetricPart {
                end: r.l1.or(r.l0),
                before: r.l0,
                first: f1,
            },
        ));
    }
    let mut out = Vec::new();
    let pick = |names: &[&str], parts: &mut Vec<(&str, MetricPart, MetricPart)>| {
        let mut now = Vec::new();
        let mut previous = Vec::new();
        for name in names {
            if let Some(i) = parts.iter().position(|(m, _, _)| m == name) {
                let (_, n, p) = parts.swap_remove(i);
                now.push(n);
                previous.push(p);
            }
        }
        (now, previous)
    };
    let (now, previous) = pick(interactions, &mut parts);
    if !now.is_empty() {
        out.push((GainPick::Interactions, now, previous));
    }
    let (mut now, mut previous) = pick(&[views], &mut parts);
    if now.is_empty() {
        (now, previous) = pick(&[fallback], &mut parts);
    }
    if !now.is_empty() {
        out.push((GainPick::Views, now, previous));
    }
    Ok(out
        .into_iter()
        .map(|(pick, now, previous)| PostGainParts {
            post_id: head.post_id,
            pick,
            published_at,
            now: period_totals(&now),
            previous: period_totals(&previous),
        })
        .collect())
}

impl Store {
    /// Per post of the filtered accounts (the account lists of `filter`; its bounds and
    /// metrics are ignored) with a finite snapshot of a picked metric in `[from, until)`,
    /// the totals its gains over `[since, until)` and `[previous_since, since)` are computed
    /// from (`alcance_app::views`' KPI rule). `interactions` are the metric keys the
    /// [`GainPick::Interactions`] total sums, `views` and `fallback` the metric of
    /// [`GainPick::Views`] and the one used for posts without it. Ordered by post id, then
    /// pick. One statement; the snapshots are aggregated in the database.
    ///
    /// Errors: database errors; [`StoreError::Decode`] for a bad stored time.
    pub async fn post_gain_parts(
        &self,
        filter: &RowFilter,
        bounds: GainBounds,
        interactions: &[&str],
        views: &str,
        fallback: &str,
    ) -> Result<Vec<PostGainParts>, StoreError> {
        let sql = gain_parts_sql(self.engine());
        let (platforms, ids, externals) = account_binds(filter);
        let metrics = json_list(interactions);
        let rows: Vec<GainRecord> = crate::on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(&platforms)
            .bind(&ids)
            .bind(&externals)
            .bind(to_db(bounds.from))
            .bind(to_db(bounds.previous_since))
            .bind(to_db(bounds.since))
            .bind(to_db(bounds.until))
            .bind(&metrics)
            .bind(views)
            .bind(fallback)
            .fetch_all(p)
            .await?);
        // Rows come by post, then metric.
        let mut out = Vec::new();
        let mut start = 0;
        while start < rows.len() {
            let post = rows[start].post_id;
            let end = rows[start..]
                .iter()
                .position(|r| r.post_id != post)
                .map_or(rows.len(), |n| start + n);
            out.extend(post_parts(&rows[start..end], interactions, views, fallback)?);
            start = end;
        }
        Ok(out)
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
        let sql = latest_followers_sql(self.engine());
        let (platforms, ids, externals) = account_binds(filter);
        let rows: Vec<FollowersRecord> = crate::on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(&platforms)
            .bind(&ids)
            .bind(&externals)
            .bind(before.map(to_db))
            .fetch_all(p)
            .await?);
        Ok(rows.into_iter().map(|r| (r.account_id, r.value)).collect())
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
        let sql = posts_page_sql(self.engine());
        let (platforms, ids, externals) = account_binds(filter);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows: Vec<crate::query::PostRecord> = crate::on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(&platforms)
            .bind(&ids)
            .bind(&externals)
            .bind(filter.since.map(to_db))
            .bind(filter.until.map(to_db))
            .bind(after.map(|_| 1_i64))
            .bind(after.and_then(|a| a.published_at).map(to_db))
            .bind(after.map_or(0, |a| a.id))
            .bind(limit)
            .fetch_all(p)
            .await?);
        rows.into_iter().map(crate::query::post_from_row).collect()
    }

    /// Per post of the filtered accounts (the account lists of `filter`) and UTC day from
    /// `first_day` on, how the sum of `metrics` changed that day, from their finite
    /// snapshots collected in `[from, until)` (the engagement trend's daily gains before
    /// the clamp and the fresh-post rule, which the caller applies). Unordered.
    ///
    /// Errors: database errors; [`StoreError::Decode`] for a bad stored row.
    pub async fn post_day_gains(
        &self,
        filter: &RowFilter,
        metrics: &[&str],
        from: DateTime<Utc>,
        first_day: chrono::NaiveDate,
        until: DateTime<Utc>,
    ) -> Result<Vec<PostDayGain>, StoreError> {
        let sql = post_day_gains_sql(self.engine());
        let (platforms, ids, externals) = account_binds(filter);
        let metrics = json_list(metrics);
        let rows: Vec<DayGainRecord> = crate::on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(&platforms)
            .bind(&ids)
            .bind(&externals)
            .bind(&metrics)
            .bind(to_db(from))
            .bind(first_day.format("%Y-%m-%d").to_string())
            .bind(to_db(until))
            .fetch_all(p)
            .await?);
        rows.into_iter()
            .map(|r| {
                Ok(PostDayGain {
                    platform: crate::platform_from_db("accounts.platform", &r.platform)?,
                    user_id: r.user_id,
                    post_id: r.post_id,
                    published_at: from_db_opt("posts.published_at", r.published_at)?,
                    day: chrono::NaiveDate::parse_from_str(&r.day, "%Y-%m-%d").map_err(|e| StoreError::Decode {
                        column: "post_metrics.collected_at",
                        value: r.day.clone(),
                        reason: e.to_string(),
                    })?,
                    first_day: r.first_day != 0,
                    last_at: crate::time::from_db("post_metrics.collected_at", &r.last_at)?,
                    delta: r.delta.unwrap_or(0.0),
                })
            })
            .collect()
    }

    /// How many posts [`Store::posts`] returns for `filter` (its account lists and
    /// `published_at` bounds), counted in the database.
    ///
    /// Errors: database errors.
    pub async fn count_posts(&self, filter: &RowFilter) -> Result<u64, StoreError> {
        let sql = count_posts_sql(self.engine());
        let (platforms, ids, externals) = account_binds(filter);
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
        Ok(crate::on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(&ids)
            .bind(from.map(to_db))
            .bind(until.map(to_db))
            .fetch_all(p)
            .await?))
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
