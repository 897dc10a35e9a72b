//! Reads for exports, charts and the UI, filtered by [`RowFilter`] and ordered
//! deterministically.
//!
//! Filter lists are bound as JSON arrays (`IN (..)` over the engine's JSON list, see
//! `Engine::json_list`; NULL for "no restriction"), so each read is one fixed statement whatever the filter holds.

use crate::time::{from_db, from_db_opt, to_db};
use crate::{platform_from_db, AudienceRow, Engine, PostRow, RowFilter, Store, StoreError};
use alcance_core::{AccountMetricRow, ContentType, Period, PostMetricRow};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::FromRow;

/// $1 platforms, $2 account ids, $3 account external ids ($4 since, $5 until, $6 metrics
/// are used by [`sql_with_filter`]). Each list's condition is written plain when `shape`
/// says it is set, so the planner can drive the read from the listed accounts (one account
/// of a thousand is a seek, not a filter over every account's rows), and guarded with
/// `$n IS NULL OR` when it is not (see [`guarded`]).
pub(crate) fn account_filter(engine: Engine, shape: Shape) -> String {
    format!(
        "{platforms}
         AND {ids}
         AND {externals}",
        platforms = guarded(
            shape.platforms,
            1,
            &format!("a.platform IN ({})", engine.json_list(1, "TEXT"))
        ),
        ids = guarded(
            shape.account_ids,
            2,
            &format!("a.id IN ({})", engine.json_list(2, "BIGINT"))
        ),
        externals = guarded(
            shape.external_ids,
            3,
            &format!("a.external_id IN ({})", engine.json_list(3, "TEXT"))
        ),
    )
}

/// A row type both engines decode (`#[derive(sqlx::FromRow)]` over plain columns).
pub(crate) trait Record: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

impl<T> Record for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

/// The filter as bind values: JSON lists (or NULL) and RFC 3339 bounds (or NULL).
pub(crate) struct Binds {
    pub(crate) platforms: Option<String>,
    pub(crate) account_ids: Option<String>,
    pub(crate) external_ids: Option<String>,
    pub(crate) since: Option<String>,
    pub(crate) until: Option<String>,
    pub(crate) metrics: Option<String>,
}

/// `items` as a JSON array bind, `None` (the SQL's "no restriction") when empty.
pub(crate) fn json_list<T: serde::Serialize>(items: &[T]) -> Option<String> {
    if items.is_empty() {
        None
    } else {
        // Strings, integers and unit enums always serialize.
        serde_json::to_string(items).ok()
    }
}

impl Binds {
    pub(crate) fn of(f: &RowFilter) -> Binds {
        let platforms: Vec<&str> = f.platforms.iter().map(|p| p.as_str()).collect();
        Binds {
            platforms: json_list(&platforms),
            account_ids: json_list(&f.account_ids),
            external_ids: json_list(&f.external_ids),
            since: f.since.map(to_db),
            until: f.until.map(to_db),
            metrics: json_list(&f.metrics),
        }
    }

    async fn fetch<T: Record>(&self, store: &Store, sql: &str) -> Result<Vec<T>, StoreError> {
        Ok(crate::on_pool!(&store.pool, |p| sqlx::query_as(sql)
            .bind(&self.platforms)
            .bind(&self.account_ids)
            .bind(&self.external_ids)
            .bind(&self.since)
            .bind(&self.until)
            .bind(&self.metrics)
            .fetch_all(p)
            .await?))
    }
}

/// `SELECT` of a [`PostRow`]: posts `p` joined to their account `a`, the columns
/// [`post_from_row`] reads (no `WHERE`).
pub(crate) const POST_SELECT: &str = "SELECT p.id, p.account_id, a.external_id AS user_id, a.username, a.platform,
        p.external_id, p.content_type, p.published_at, p.permalink, p.caption, p.first_seen_at, p.last_seen_at
     FROM posts AS p JOIN accounts AS a ON a.id = p.account_id";

/// `ORDER BY` of posts: account (platform, `user_id`, `accounts.id`), `published_at`, post
/// id, `posts.id`.
pub(crate) const POST_ORDER: &str = "a.platform, a.external_id, a.id, p.published_at, p.external_id, p.id";

/// The columns [`post_metric_from_row`] reads, from `post_metrics` `m` joined to its post
/// `p` and the post's account `a`.
pub(crate) const POST_METRIC_COLUMNS: &str = "a.external_id AS user_id, a.platform, p.external_id AS post_id,
        p.content_type, p.published_at, m.metric, m.value, m.collected_at";

/// `ORDER BY` of post metric snapshots: [`POST_ORDER`], then metric, `collected_at`.
pub(crate) const POST_METRIC_ORDER: &str =
    "a.platform, a.external_id, a.id, p.published_at, p.external_id, p.id, m.metric, m.collected_at";

/// A row of [`POST_SELECT`] as stored; [`PostRow`] once parsed.
#[derive(sqlx::FromRow)]
pub(crate) struct PostRecord {
    pub(crate) id: i64,
    pub(crate) account_id: i64,
    pub(crate) user_id: String,
    pub(crate) username: Option<String>,
    pub(crate) platform: String,
    pub(crate) external_id: String,
    pub(crate) content_type: String,
    pub(crate) published_at: Option<String>,
    pub(crate) permalink: Option<String>,
    pub(crate) caption: Option<String>,
    pub(crate) first_seen_at: String,
    pub(crate) last_seen_at: String,
}

/// A [`PostRow`] from a row of [`POST_SELECT`]. Errors: [`StoreError::Decode`] for a bad
/// platform key or time.
pub(crate) fn post_from_row(r: PostRecord) -> Result<PostRow, StoreError> {
    Ok(PostRow {
        id: r.id,
        account_id: r.account_id,
        user_id: r.user_id,
        username: r.username,
        platform: platform_from_db("accounts.platform", &r.platform)?,
        external_id: r.external_id,
        content_type: ContentType::from_key(&r.content_type),
        published_at: from_db_opt("posts.published_at", r.published_at)?,
        permalink: r.permalink,
        caption: r.caption,
        first_seen_at: from_db("posts.first_seen_at", &r.first_seen_at)?,
        last_seen_at: from_db("posts.last_seen_at", &r.last_seen_at)?,
    })
}

/// A row selecting [`POST_METRIC_COLUMNS`] as stored; [`PostMetricRow`] once parsed.
#[derive(sqlx::FromRow)]
pub(crate) struct PostMetricRecord {
    pub(crate) user_id: String,
    pub(crate) platform: String,
    pub(crate) post_id: String,
    pub(crate) content_type: String,
    pub(crate) published_at: Option<String>,
    pub(crate) metric: String,
    pub(crate) value: Option<f64>,
    pub(crate) collected_at: String,
}

/// A [`PostMetricRow`] from a row selecting [`POST_METRIC_COLUMNS`]. Errors: as
/// [`post_from_row`].
pub(crate) fn post_metric_from_row(r: PostMetricRecord) -> Result<PostMetricRow, StoreError> {
    Ok(PostMetricRow {
        user_id: r.user_id,
        platform: platform_from_db("accounts.platform", &r.platform)?,
        post_id: r.post_id,
        content_type: r.content_type,
        published_at: from_db_opt("posts.published_at", r.published_at)?,
        metric_type: r.metric,
        value: r.value,
        collected_at: from_db("post_metrics.collected_at", &r.collected_at)?,
    })
}

/// An account metric row as stored; [`AccountMetricRow`] once parsed
/// ([`account_metric_from_row`]).
#[derive(sqlx::FromRow)]
pub(crate) struct AccountMetricRecord {
    pub(crate) external_id: String,
    pub(crate) username: Option<String>,
    pub(crate) platform: String,
    pub(crate) metric: String,
    pub(crate) period: String,
    pub(crate) value: Option<f64>,
    pub(crate) collected_at: String,
    pub(crate) period_start: String,
    pub(crate) period_end: String,
}

/// An audience row as stored; [`AudienceRow`] once parsed ([`audience_from_row`]).
#[derive(sqlx::FromRow)]
pub(crate) struct AudienceRecord {
    pub(crate) account_id: i64,
    pub(crate) user_id: String,
    pub(crate) username: Option<String>,
    pub(crate) platform: String,
    pub(crate) audience: String,
    pub(crate) dimension: String,
    pub(crate) key: String,
    pub(crate) value: Option<f64>,
    pub(crate) timeframe: String,
    pub(crate) collected_at: String,
}

/// An [`AccountMetricRow`] from its stored row. Errors: [`StoreError::Decode`] for a bad
/// platform key, period or time.
pub(crate) fn account_metric_from_row(r: AccountMetricRecord) -> Result<AccountMetricRow, StoreError> {
    Ok(AccountMetricRow {
        user_id: r.external_id,
        username: r.username,
        platform: platform_from_db("accounts.platform", &r.platform)?,
        metric_type: r.metric,
        period: Period::parse(&r.period).ok_or_else(|| StoreError::Decode {
            column: "account_metrics.period",
            value: r.period.clone(),
            reason: "unknown period".to_string(),
        })?,
        value: r.value,
        collected_at: from_db("account_metrics.collected_at", &r.collected_at)?,
        period_start: from_db("account_metrics.period_start", &r.period_start)?,
        period_end: from_db("account_metrics.period_end", &r.period_end)?,
    })
}

/// An [`AudienceRow`] from its stored row. Errors: [`StoreError::Decode`] for a bad platform
/// key or time.
pub(crate) fn audience_from_row(r: AudienceRecord) -> Result<AudienceRow, StoreError> {
    Ok(AudienceRow {
        account_id: r.account_id,
        user_id: r.user_id,
        username: r.username,
        platform: platform_from_db("accounts.platform", &r.platform)?,
        audience: r.audience,
        dimension: r.dimension,
        key: r.key,
        value: r.value,
        timeframe: r.timeframe,
        collected_at: from_db("audience.collected_at", &r.collected_at)?,
    })
}

/// Which of a filter's optional binds are set. A read's statement drops the `$n IS NULL OR`
/// guard of each bound or list that is set: a guarded condition cannot be searched by an
/// index on SQLite (nor always on PostgreSQL), a plain `column >= $4` or `a.id IN (…)` can
/// (`posts_published`, `account_metrics_metric_start`, schema version 23; the accounts'
/// keys). Every variant still references all the parameters of its statement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Shape {
    /// `$1` (platforms) is set.
    pub(crate) platforms: bool,
    /// `$2` (account ids) is set.
    pub(crate) account_ids: bool,
    /// `$3` (account external ids) is set.
    pub(crate) external_ids: bool,
    /// `$4` (since) is set.
    pub(crate) since: bool,
    /// `$5` (until) is set.
    pub(crate) until: bool,
    /// `$6` (metrics) is set.
    pub(crate) metrics: bool,
}

impl Shape {
    /// Whether any account list (`$1`–`$3`) is set.
    pub(crate) fn lists_accounts(self) -> bool {
        self.platforms || self.account_ids || self.external_ids
    }
}

impl Binds {
    /// The [`Shape`] of these binds.
    pub(crate) fn shape(&self) -> Shape {
        Shape {
            platforms: self.platforms.is_some(),
            account_ids: self.account_ids.is_some(),
            external_ids: self.external_ids.is_some(),
            since: self.since.is_some(),
            until: self.until.is_some(),
            metrics: self.metrics.is_some(),
        }
    }
}

/// `condition` on parameter `$param` as a statement writes it: as is when the bind is set
/// (so an index can search it), else guarded as `($param IS NULL OR condition)` (the
/// statement still references `$param`). See [`Shape`].
pub(crate) fn guarded(set: bool, param: u8, condition: &str) -> String {
    if set {
        condition.to_string()
    } else {
        format!("(${param} IS NULL OR {condition})")
    }
}

fn sql_with_filter(
    engine: Engine,
    shape: Shape,
    select: &str,
    time_column: &str,
    metric_column: Option<&str>,
    order: &str,
) -> String {
    let since = format!("{time_column} >= $4");
    sql_with_since(engine, shape, select, &since, time_column, metric_column, order)
}

/// [`sql_with_filter`] whose lower bound is `since`, a condition on `$4` that holds for the
/// rows kept when `$4` is set (the upper bound `$5` stays on `time_column`).
fn sql_with_since(
    engine: Engine,
    shape: Shape,
    select: &str,
    since: &str,
    time_column: &str,
    metric_column: Option<&str>,
    order: &str,
) -> String {
    let metric = match metric_column {
        Some(c) => format!(
            "AND {}",
            guarded(shape.metrics, 6, &format!("{c} IN ({})", engine.json_list(6, "TEXT")))
        ),
        // The metric list does not apply here; $6 stays referenced so every read binds six values.
        None => "AND ($6 IS NULL OR true)".to_string(),
    };
    let since = format!("AND {}", guarded(shape.since, 4, &format!("({since})")));
    let until = format!("AND {}", guarded(shape.until, 5, &format!("{time_column} < $5")));
    format!(
        "{select} WHERE {account}
           {since}
           {until}
           {metric}
         ORDER BY {order}",
        account = account_filter(engine, shape)
    )
}

/// The statement of [`Store::account_metric_rows`].
fn account_metric_rows_sql(engine: Engine, shape: Shape) -> String {
    sql_with_filter(
        engine,
        shape,
        "SELECT a.external_id, a.username, a.platform, m.metric, m.period, m.value, m.collected_at,
                m.period_start, m.period_end
         FROM account_metrics AS m JOIN accounts AS a ON a.id = m.account_id",
        "m.period_start",
        Some("m.metric"),
        "a.platform, a.external_id, a.id, m.metric, m.period_start, m.period, m.period_end, m.collected_at",
    )
}

/// The statement of [`Store::post_metric_rows`].
fn post_metric_rows_sql(engine: Engine, shape: Shape) -> String {
    sql_with_filter(
        engine,
        shape,
        &format!(
            "SELECT {POST_METRIC_COLUMNS}
             FROM post_metrics AS m JOIN posts AS p ON p.id = m.post_id JOIN accounts AS a ON a.id = p.account_id"
        ),
        "m.collected_at",
        Some("m.metric"),
        POST_METRIC_ORDER,
    )
}

/// The statement of [`Store::post_metric_rows_carried`]: [`post_metric_rows_sql`] whose
/// lower bound keeps, besides the rows at or after `since`, each post and metric's latest
/// row before it and its latest row with a value before it (no later row, or no later row
/// with a value, of the same post and metric before `since`).
fn post_metric_rows_carried_sql(engine: Engine, shape: Shape) -> String {
    sql_with_since(
        engine,
        shape,
        &format!(
            "SELECT {POST_METRIC_COLUMNS}
             FROM post_metrics AS m JOIN posts AS p ON p.id = m.post_id JOIN accounts AS a ON a.id = p.account_id"
        ),
        "(m.collected_at >= $4
          OR NOT EXISTS (SELECT 1 FROM post_metrics AS l
                         WHERE l.post_id = m.post_id AND l.metric = m.metric
                           AND l.collected_at > m.collected_at AND l.collected_at < $4)
          OR (m.value IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM post_metrics AS l
                              WHERE l.post_id = m.post_id AND l.metric = m.metric AND l.value IS NOT NULL
                                AND l.collected_at > m.collected_at AND l.collected_at < $4)))",
        "m.collected_at",
        Some("m.metric"),
        POST_METRIC_ORDER,
    )
}

/// The statement of [`Store::posts`].
fn posts_sql(engine: Engine, shape: Shape) -> String {
    sql_with_filter(engine, shape, POST_SELECT, "p.published_at", None, POST_ORDER)
}

/// The statement of [`Store::audience_rows`].
fn audience_rows_sql(engine: Engine, shape: Shape) -> String {
    sql_with_filter(
        engine,
        shape,
        "SELECT u.account_id, a.external_id AS user_id, a.username, a.platform, u.audience, u.dimension, u.key,
                u.value, u.timeframe, u.collected_at
         FROM audience AS u JOIN accounts AS a ON a.id = u.account_id",
        "u.collected_at",
        None,
        "a.platform, a.external_id, a.id, u.bucket, u.audience, u.dimension, u.timeframe, u.key",
    )
}

/// The filtered reads of [`Store`] as `(method name, SQL)` on `engine`, for benchmarks that
/// `EXPLAIN` them (feature `testing`). Each statement takes six parameters: `$1` platforms,
/// `$2` account ids, `$3` account external ids (JSON arrays as text, or NULL for "all"),
/// `$4` since and `$5` until (RFC 3339 UTC text as stored, or NULL), `$6` metric names (a
/// JSON array as text, or NULL), in the variant the store runs for `filter` (the guards of
/// its set bounds and metrics dropped, see `Shape`).
#[cfg(feature = "testing")]
pub fn read_statements(engine: Engine, filter: &RowFilter) -> Vec<(&'static str, String)> {
    let shape = Binds::of(filter).shape();
    vec![
        ("account_metric_rows", account_metric_rows_sql(engine, shape)),
        ("post_metric_rows", post_metric_rows_sql(engine, shape)),
        ("post_metric_rows_carried", post_metric_rows_carried_sql(engine, shape)),
        ("posts", posts_sql(engine, shape)),
        ("audience_rows", audience_rows_sql(engine, shape)),
    ]
}

impl Store {
    /// Account-level metric rows for the long export, with the account's platform id as
    /// `user_id` and its username. `since` / `until` bound `period_start`. Ordered by
    /// account (platform, `user_id`), metric, `period_start`, period, `period_end`,
    /// `collected_at`. Snapshot rows have `period_start == period_end ==` their UTC hour.
    pub async fn account_metric_rows(&self, filter: &RowFilter) -> Result<Vec<AccountMetricRow>, StoreError> {
        let binds = Binds::of(filter);
        let sql = account_metric_rows_sql(self.engine(), binds.shape());
        let rows: Vec<AccountMetricRecord> = binds.fetch(self, &sql).await?;
        rows.into_iter().map(account_metric_from_row).collect()
    }

    /// Post metric snapshots for the long export, with the account's platform id as
    /// `user_id`. `since` / `until` bound `collected_at`. Ordered by account (platform,
    /// `user_id`), post (`published_at`, post id), metric, `collected_at`.
    pub async fn post_metric_rows(&self, filter: &RowFilter) -> Result<Vec<PostMetricRow>, StoreError> {
        let binds = Binds::of(filter);
        let sql = post_metric_rows_sql(self.engine(), binds.shape());
        let rows: Vec<PostMetricRecord> = binds.fetch(self, &sql).await?;
        rows.into_iter().map(post_metric_from_row).collect()
    }

    /// [`Store::post_metric_rows`] for a reader that needs a period's snapshots and, from
    /// before it, only the value each post and metric carries into it: the snapshots with
    /// `collected_at` in `[since, until)`, plus for every post and metric its latest
    /// snapshot before `since` and its latest snapshot with a value before `since` (one row
    /// when they are the same; readers that skip empty values, like
    /// `alcance_core::analytics::posts::latest_post_metrics`, get what they would from every row). With
    /// `since` unset: every snapshot before `until`. Same columns and order as
    /// [`Store::post_metric_rows`]. The weekly report reads this way instead of every
    /// snapshot of the workspace's history.
    pub async fn post_metric_rows_carried(&self, filter: &RowFilter) -> Result<Vec<PostMetricRow>, StoreError> {
        let binds = Binds::of(filter);
        let sql = post_metric_rows_carried_sql(self.engine(), binds.shape());
        let rows: Vec<PostMetricRecord> = binds.fetch(self, &sql).await?;
        rows.into_iter().map(post_metric_from_row).collect()
    }

    /// Posts with their account's identity. `since` / `until` bound `published_at` (posts
    /// without one are left out when a bound is set); `metrics` is ignored. Ordered by
    /// account (platform, `user_id`), `published_at`, post id.
    pub async fn posts(&self, filter: &RowFilter) -> Result<Vec<PostRow>, StoreError> {
        let binds = Binds::of(filter);
        let sql = posts_sql(self.engine(), binds.shape());
        let rows: Vec<PostRecord> = binds.fetch(self, &sql).await?;
        rows.into_iter().map(post_from_row).collect()
    }

    /// Audience (demographic) rows with their account's identity. `since` / `until` bound
    /// `collected_at`; `metrics` is ignored. Ordered by account (platform, `user_id`),
    /// day, audience, dimension, timeframe, key.
    pub async fn audience_rows(&self, filter: &RowFilter) -> Result<Vec<AudienceRow>, StoreError> {
        let binds = Binds::of(filter);
        let sql = audience_rows_sql(self.engine(), binds.shape());
        let rows: Vec<AudienceRecord> = binds.fetch(self, &sql).await?;
        rows.into_iter().map(audience_from_row).collect()
    }
}
