//! Reads for exports, charts and the UI, filtered by [`RowFilter`] and ordered
//! deterministically.
//!
//! Filter lists are bound as JSON arrays (`IN (SELECT value FROM json_each(?))`, NULL for
//! "no restriction"), so each read is one fixed statement whatever the filter holds.

use crate::time::{from_db, from_db_opt, to_db};
use crate::{platform_from_db, AudienceRow, PostRow, RowFilter, Store, StoreError};
use alcance_core::{AccountMetricRow, ContentType, Period, PostMetricRow};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

// ?1 platforms, ?2 account ids, ?3 account external ids, ?4 since, ?5 until, ?6 metrics.
const ACCOUNT_FILTER: &str = "
    (?1 IS NULL OR a.platform IN (SELECT value FROM json_each(?1)))
    AND (?2 IS NULL OR a.id IN (SELECT value FROM json_each(?2)))
    AND (?3 IS NULL OR a.external_id IN (SELECT value FROM json_each(?3)))";

/// The filter as bind values: JSON lists (or NULL) and RFC 3339 bounds (or NULL).
struct Binds {
    platforms: Option<String>,
    account_ids: Option<String>,
    external_ids: Option<String>,
    since: Option<String>,
    until: Option<String>,
    metrics: Option<String>,
}

fn json_list<T: serde::Serialize>(items: &[T]) -> Option<String> {
    if items.is_empty() {
        None
    } else {
        // Strings, integers and unit enums always serialize.
        serde_json::to_string(items).ok()
    }
}

impl Binds {
    fn of(f: &RowFilter) -> Binds {
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

    async fn fetch(&self, store: &Store, sql: &str) -> Result<Vec<SqliteRow>, StoreError> {
        Ok(sqlx::query(sql)
            .bind(&self.platforms)
            .bind(&self.account_ids)
            .bind(&self.external_ids)
            .bind(&self.since)
            .bind(&self.until)
            .bind(&self.metrics)
            .fetch_all(&store.pool)
            .await?)
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

/// A [`PostRow`] from a row of [`POST_SELECT`]. Errors: [`StoreError::Decode`] for a bad
/// platform key or time; database errors for a missing column.
pub(crate) fn post_from_row(r: &SqliteRow) -> Result<PostRow, StoreError> {
    Ok(PostRow {
        id: r.try_get("id")?,
        account_id: r.try_get("account_id")?,
        user_id: r.try_get("user_id")?,
        username: r.try_get("username")?,
        platform: platform_from_db("accounts.platform", &r.try_get::<String, _>("platform")?)?,
        external_id: r.try_get("external_id")?,
        content_type: ContentType::from_key(&r.try_get::<String, _>("content_type")?),
        published_at: from_db_opt("posts.published_at", r.try_get("published_at")?)?,
        permalink: r.try_get("permalink")?,
        caption: r.try_get("caption")?,
        first_seen_at: from_db("posts.first_seen_at", &r.try_get::<String, _>("first_seen_at")?)?,
        last_seen_at: from_db("posts.last_seen_at", &r.try_get::<String, _>("last_seen_at")?)?,
    })
}

/// A [`PostMetricRow`] from a row selecting [`POST_METRIC_COLUMNS`]. Errors: as
/// [`post_from_row`].
pub(crate) fn post_metric_from_row(r: &SqliteRow) -> Result<PostMetricRow, StoreError> {
    Ok(PostMetricRow {
        user_id: r.try_get("user_id")?,
        platform: platform_from_db("accounts.platform", &r.try_get::<String, _>("platform")?)?,
        post_id: r.try_get("post_id")?,
        content_type: r.try_get("content_type")?,
        published_at: from_db_opt("posts.published_at", r.try_get("published_at")?)?,
        metric_type: r.try_get("metric")?,
        value: r.try_get("value")?,
        collected_at: from_db("post_metrics.collected_at", &r.try_get::<String, _>("collected_at")?)?,
    })
}

fn sql_with_filter(select: &str, time_column: &str, metric_column: Option<&str>, order: &str) -> String {
    let metric = match metric_column {
        Some(c) => format!("AND (?6 IS NULL OR {c} IN (SELECT value FROM json_each(?6)))"),
        // The metric list does not apply here; ?6 stays referenced so every read binds six values.
        None => "AND (?6 IS NULL OR true)".to_string(),
    };
    format!(
        "{select} WHERE {ACCOUNT_FILTER}
           AND (?4 IS NULL OR {time_column} >= ?4)
           AND (?5 IS NULL OR {time_column} < ?5)
           {metric}
         ORDER BY {order}"
    )
}

impl Store {
    /// Account-level metric rows for the long export, with the account's platform id as
    /// `user_id` and its username. `since` / `until` bound `period_start`. Ordered by
    /// account (platform, `user_id`), metric, `period_start`, period, `period_end`,
    /// `collected_at`. Snapshot rows have `period_start == period_end ==` their UTC hour.
    pub async fn account_metric_rows(&self, filter: &RowFilter) -> Result<Vec<AccountMetricRow>, StoreError> {
        let sql = sql_with_filter(
            "SELECT a.external_id, a.username, a.platform, m.metric, m.period, m.value, m.collected_at,
                    m.period_start, m.period_end
             FROM account_metrics AS m JOIN accounts AS a ON a.id = m.account_id",
            "m.period_start",
            Some("m.metric"),
            "a.platform, a.external_id, a.id, m.metric, m.period_start, m.period, m.period_end, m.collected_at",
        );
        let rows = Binds::of(filter).fetch(self, &sql).await?;
        rows.iter()
            .map(|r| {
                let period: String = r.try_get("period")?;
                Ok(AccountMetricRow {
                    user_id: r.try_get("external_id")?,
                    username: r.try_get("username")?,
                    platform: platform_from_db("accounts.platform", &r.try_get::<String, _>("platform")?)?,
                    metric_type: r.try_get("metric")?,
                    period: Period::parse(&period).ok_or_else(|| StoreError::Decode {
                        column: "account_metrics.period",
                        value: period.clone(),
                        reason: "unknown period".to_string(),
                    })?,
                    value: r.try_get("value")?,
                    collected_at: from_db("account_metrics.collected_at", &r.try_get::<String, _>("collected_at")?)?,
                    period_start: from_db("account_metrics.period_start", &r.try_get::<String, _>("period_start")?)?,
                    period_end: from_db("account_metrics.period_end", &r.try_get::<String, _>("period_end")?)?,
                })
            })
            .collect()
    }

    /// Post metric snapshots for the long export, with the account's platform id as
    /// `user_id`. `since` / `until` bound `collected_at`. Ordered by account (platform,
    /// `user_id`), post (`published_at`, post id), metric, `collected_at`.
    pub async fn post_metric_rows(&self, filter: &RowFilter) -> Result<Vec<PostMetricRow>, StoreError> {
        let sql = sql_with_filter(
            &format!(
                "SELECT {POST_METRIC_COLUMNS}
                 FROM post_metrics AS m JOIN posts AS p ON p.id = m.post_id JOIN accounts AS a ON a.id = p.account_id"
            ),
            "m.collected_at",
            Some("m.metric"),
            POST_METRIC_ORDER,
        );
        let rows = Binds::of(filter).fetch(self, &sql).await?;
        rows.iter().map(post_metric_from_row).collect()
    }

    /// Posts with their account's identity. `since` / `until` bound `published_at` (posts
    /// without one are left out when a bound is set); `metrics` is ignored. Ordered by
    /// account (platform, `user_id`), `published_at`, post id.
    pub async fn posts(&self, filter: &RowFilter) -> Result<Vec<PostRow>, StoreError> {
        let sql = sql_with_filter(POST_SELECT, "p.published_at", None, POST_ORDER);
        let rows = Binds::of(filter).fetch(self, &sql).await?;
        rows.iter().map(post_from_row).collect()
    }

    /// Audience (demographic) rows with their account's identity. `since` / `until` bound
    /// `collected_at`; `metrics` is ignored. Ordered by account (platform, `user_id`),
    /// day, audience, dimension, timeframe, key.
    pub async fn audience_rows(&self, filter: &RowFilter) -> Result<Vec<AudienceRow>, StoreError> {
        let sql = sql_with_filter(
            "SELECT u.account_id, a.external_id AS user_id, a.username, a.platform, u.audience, u.dimension, u.key,
                    u.value, u.timeframe, u.collected_at
             FROM audience AS u JOIN accounts AS a ON a.id = u.account_id",
            "u.collected_at",
            None,
            "a.platform, a.external_id, a.id, u.bucket, u.audience, u.dimension, u.timeframe, u.key",
        );
        let rows = Binds::of(filter).fetch(self, &sql).await?;
        rows.iter()
            .map(|r| {
                Ok(AudienceRow {
                    account_id: r.try_get("account_id")?,
                    user_id: r.try_get("user_id")?,
                    username: r.try_get("username")?,
                    platform: platform_from_db("accounts.platform", &r.try_get::<String, _>("platform")?)?,
                    audience: r.try_get("audience")?,
                    dimension: r.try_get("dimension")?,
                    key: r.try_get("key")?,
                    value: r.try_get("value")?,
                    timeframe: r.try_get("timeframe")?,
                    collected_at: from_db("audience.collected_at", &r.try_get::<String, _>("collected_at")?)?,
                })
            })
            .collect()
    }
}
