//! Imports of platform exports (schema version 17, `migrations/0017_imports.sql`;
//! docs/imports.md, docs/schema.md "Imports and precedence"): the values a file brings
//! (parsed by `alcance-app`'s pure parsers into an [`ImportData`]) written into one account
//! in one transaction, with their provenance (`source = 'import'`, `import_id`).
//!
//! The precedence rule, applied value by value:
//! - a **post metric** (lifetime total of a post, as of the import): when the store holds a
//!   value of the post's metric collected from the API, the import writes nothing; an
//!   imported value that differs from the latest API value is a *conflict* (listed, kept
//!   in `import_conflicts`), an equal one a *duplicate*. Without an API value, an imported
//!   value equal to the latest imported one is a duplicate; another one is written as a
//!   new snapshot in the hour bucket of the import's time (a later export of the same post
//!   adds a point to its history). A post the store does not know is created
//!   (`source = 'import'`); a known post keeps its details, only empty ones are filled.
//! - a **daily account metric** (`period = 'day'`, `[day 00:00Z, next day 00:00Z)`): a day
//!   the store holds (from the API or an earlier import) keeps its value: equal is a
//!   duplicate, different a conflict. A day the store lacks — typically before the first
//!   collection, the API's window being short — is written: history goes back as far as
//!   the file does.
//! - a collection that later re-reads a row an import wrote takes it over: the API value
//!   replaces it and `source` goes back to `api` (`crate::batch`).
//!
//! A file is identified by the SHA-256 of its bytes: the same bytes for the same account
//! are refused as already imported ([`ImportOutcome::already_imported`]), and an overlapping
//! file adds only what the store lacks.

use crate::campaigns::ImportRowError;
use crate::engine::{on_tx, Tx};
use crate::stored_key::stored_key;
use crate::time::{hour_bucket, to_db, DbTime};
use crate::{on_pool, Store, StoreError};
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What kind of export a file is; stored as its key in `imports.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ImportKind {
    /// The X account archive's `data/tweets.js` (`window.YTD.tweets.part0 = [...]`).
    XArchive,
    /// A Meta Business Suite content export (Instagram or Facebook posts, one row per post:
    /// `Post ID`, `Publish time`, `Views`, `Reach`, `Likes`, ...).
    MetaPosts,
    /// A Meta Business Suite insights export of one account metric per day (`sep=,`, a
    /// title line, `"Date","Primary"`; UTF-16 or UTF-8).
    MetaDaily,
    /// TikTok Studio's `Overview.csv` or `FollowerHistory.csv` (one row per day).
    TiktokDaily,
    /// TikTok Studio's content export (one row per video).
    TiktokVideos,
    /// YouTube Studio's advanced-mode `Table data.csv` by video (`Content`, `Video title`,
    /// `Video publish time`, `Views`, ...).
    YoutubeVideos,
    /// YouTube Studio's `Table data.csv` / `Chart data.csv` by day (`Date`, `Views`, ...).
    YoutubeDaily,
    /// Any CSV, with a column mapping (which column is the post id, the day, each metric).
    GenericCsv,
}

impl ImportKind {
    /// Every kind, in declaration order.
    pub const ALL: [ImportKind; 8] = [
        ImportKind::XArchive,
        ImportKind::MetaPosts,
        ImportKind::MetaDaily,
        ImportKind::TiktokDaily,
        ImportKind::TiktokVideos,
        ImportKind::YoutubeVideos,
        ImportKind::YoutubeDaily,
        ImportKind::GenericCsv,
    ];

    /// The stored key (`"x_archive"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::XArchive => "x_archive",
            ImportKind::MetaPosts => "meta_posts",
            ImportKind::MetaDaily => "meta_daily",
            ImportKind::TiktokDaily => "tiktok_daily",
            ImportKind::TiktokVideos => "tiktok_videos",
            ImportKind::YoutubeVideos => "youtube_videos",
            ImportKind::YoutubeDaily => "youtube_daily",
            ImportKind::GenericCsv => "generic_csv",
        }
    }
}

stored_key!(
    ImportKind,
    "import kind",
    "x_archive, meta_posts, meta_daily, tiktok_daily, tiktok_videos, youtube_videos, youtube_daily, generic_csv"
);

/// Who wrote a stored value: `posts.source`, `post_metrics.source`,
/// `account_metrics.source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ValueSource {
    /// A collection through the platform's API.
    Api,
    /// An import of a platform export.
    Import,
}

impl ValueSource {
    /// Both sources.
    pub const ALL: [ValueSource; 2] = [ValueSource::Api, ValueSource::Import];

    /// The stored key.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueSource::Api => "api",
            ValueSource::Import => "import",
        }
    }
}

stored_key!(ValueSource, "value source", "api, import");

/// A post of an export, with its lifetime totals as of the export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedPost {
    /// The file line it came from (1-based; tweets.js: the tweet's 1-based position).
    pub line: u64,
    /// The platform's post id (tweet id, IG media id, Facebook post id, TikTok video id,
    /// YouTube video id).
    pub external_id: String,
    /// Publication time, UTC, when the file gives it.
    pub published_at: Option<DateTime<Utc>>,
    /// `text`, `image`, `video`, `carousel`, `reel`, ... when the file says.
    pub content_type: Option<String>,
    /// Public URL, when the file gives it.
    pub permalink: Option<String>,
    /// Caption, text or title.
    pub caption: Option<String>,
    /// `(catalog key, value)` in the catalog unit (counts; seconds for watch time).
    pub metrics: Vec<(String, f64)>,
}

/// One account metric of one UTC day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedDay {
    /// The file line it came from (1-based).
    pub line: u64,
    /// The UTC day (the exports' days are the account's local days; see docs/imports.md).
    pub day: NaiveDate,
    /// Catalog key (`views`, `reach`, `profile_views`, `followers`, ...).
    pub metric: String,
    /// Value in the catalog unit.
    pub value: f64,
}

/// What a parser read from a file: good rows, line errors and ignored columns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportData {
    /// Data lines (records) read, good or bad; not the header or blank lines.
    pub rows_read: usize,
    /// Posts with their metrics.
    pub posts: Vec<ImportedPost>,
    /// Daily account metrics.
    pub days: Vec<ImportedDay>,
    /// Bad lines, in file order (line 1 is the header of a CSV); none is written.
    pub errors: Vec<ImportRowError>,
    /// Columns the parser did not use, as written in the file.
    pub ignored_columns: Vec<String>,
}

/// A value an import did not write because the store holds another one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportConflict {
    /// The file line of the imported value.
    pub line: i64,
    /// Catalog key.
    pub metric: String,
    /// The platform's post id, for a post metric.
    pub post_id: Option<String>,
    /// `YYYY-MM-DD` (UTC), for a daily account metric.
    pub day: Option<String>,
    /// The value kept (the latest API value of a post metric; the day's stored value).
    pub stored_value: Option<f64>,
    /// Who wrote the value kept.
    pub stored_source: ValueSource,
    /// The file's value, not written.
    pub imported_value: f64,
}

/// The file an import reads and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportTarget<'a> {
    /// `accounts.id`.
    pub account_id: i64,
    /// Its kind.
    pub kind: ImportKind,
    /// The file's name (no folder).
    pub file_name: &'a str,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: &'a str,
    /// The import's time (UTC): `imports.imported_at`, and the `collected_at` of the values
    /// written (post metrics go in its hour bucket).
    pub at: DateTime<Utc>,
    /// Preview: everything is computed in a transaction that is rolled back.
    pub dry_run: bool,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportOutcome {
    /// `imports.id`; `None` in a dry run and for a file imported before.
    pub import_id: Option<i64>,
    /// The earlier import of the same bytes into the account: nothing was done.
    pub already_imported: Option<ImportRow>,
    /// Data lines read.
    pub rows_read: usize,
    /// Values written (post metrics and daily account metrics), count.
    pub added: usize,
    /// Values the store already held with the same value, count.
    pub duplicates: usize,
    /// Posts created (not known before), count.
    pub posts_created: usize,
    /// Values not written because the store holds another value.
    pub conflicts: Vec<ImportConflict>,
    /// Bad lines, with line numbers; good lines were imported.
    pub errors: Vec<ImportRowError>,
    /// Columns not used.
    pub ignored_columns: Vec<String>,
    /// A preview: nothing was stored.
    pub dry_run: bool,
}

/// A row of `imports`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportRow {
    /// `imports.id`.
    pub id: i64,
    /// The account imported into.
    pub account_id: i64,
    /// The kind of export.
    pub kind: ImportKind,
    /// The file's name.
    pub file_name: String,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
    /// When, UTC.
    #[sqlx(try_from = "DbTime")]
    pub imported_at: DateTime<Utc>,
    /// Data lines read.
    pub rows_read: i64,
    /// Values written.
    pub added: i64,
    /// Values already stored.
    pub duplicates: i64,
    /// Values not written (conflicts).
    pub conflicts: i64,
    /// Lines refused.
    pub errors: i64,
}

const IMPORT_COLUMNS: &str =
    "id, account_id, kind, file_name, sha256, imported_at, rows_read, added, duplicates, conflicts, errors";

/// Whether two stored values are the same (NaN never reaches the store).
fn same(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0))
}

impl Store {
    /// Imports `data` into the account of `target` (see the [module docs](self) for the
    /// precedence rule), in one write transaction; a dry run rolls it back.
    ///
    /// Errors: [`StoreError::NotFound`] for an unknown account; database errors (nothing
    /// was written). Bad lines are never an `Err`: see [`ImportOutcome::errors`].
    pub async fn import_data(&self, target: &ImportTarget<'_>, data: &ImportData) -> Result<ImportOutcome, StoreError> {
        let mut outcome = ImportOutcome {
            import_id: None,
            already_imported: None,
            rows_read: data.rows_read,
            added: 0,
            duplicates: 0,
            posts_created: 0,
            conflicts: Vec::new(),
            errors: data.errors.clone(),
            ignored_columns: data.ignored_columns.clone(),
            dry_run: target.dry_run,
        };
        let exists: bool = on_pool!(&self.pool, |p| sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM accounts WHERE id = $1)"
        )
        .bind(target.account_id)
        .fetch_one(p)
        .await?);
        if !exists {
            return Err(StoreError::NotFound {
                what: "account",
                id: target.account_id,
            });
        }
        if let Some(earlier) = self.import_by_hash(target.account_id, target.sha256).await? {
            outcome.already_imported = Some(earlier);
            return Ok(outcome);
        }
        let mut tx = self.pool.begin_write().await?;
        let import_id: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar(
            "INSERT INTO imports (account_id, kind, file_name, sha256, imported_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id"
        )
        .bind(target.account_id)
        .bind(target.kind)
        .bind(target.file_name)
        .bind(target.sha256)
        .bind(to_db(target.at))
        .fetch_one(&mut *c)
        .await?);
        let at = to_db(target.at);
        let bucket = to_db(hour_bucket(target.at));
        let mut written = Vec::new();
        for post in &data.posts {
            written.extend(import_post(&mut tx, target.account_id, import_id, &at, &bucket, post, &mut outcome).await?);
        }
        // The gains and their rollup of the rows written (schema version 21).
        crate::gains::refresh_keys(&mut tx, &written).await?;
        for day in &data.days {
            import_day(&mut tx, target.account_id, import_id, &at, day, &mut outcome).await?;
        }
        for c in &outcome.conflicts {
            on_tx!(&mut tx, |conn| sqlx::query(
                "INSERT INTO import_conflicts (import_id, line, metric, post_id, day, stored_value, stored_source,
                                               imported_value)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            )
            .bind(import_id)
            .bind(c.line)
            .bind(&c.metric)
            .bind(&c.post_id)
            .bind(&c.day)
            .bind(c.stored_value)
            .bind(c.stored_source)
            .bind(c.imported_value)
            .execute(&mut *conn)
            .await?
            .rows_affected());
        }
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        on_tx!(&mut tx, |c| sqlx::query(
            "UPDATE imports SET rows_read = $2, added = $3, duplicates = $4, conflicts = $5, errors = $6 WHERE id = $1"
        )
        .bind(import_id)
        .bind(count(outcome.rows_read))
        .bind(count(outcome.added))
        .bind(count(outcome.duplicates))
        .bind(count(outcome.conflicts.len()))
        .bind(count(outcome.errors.len()))
        .execute(&mut *c)
        .await?
        .rows_affected());
        if target.dry_run {
            // Dropping the transaction rolls it back: the preview leaves nothing behind.
            drop(tx);
        } else {
            tx.commit().await?;
            outcome.import_id = Some(import_id);
        }
        Ok(outcome)
    }

    /// The import of the bytes hashed `sha256` into account `account_id`, if any.
    pub async fn import_by_hash(&self, account_id: i64, sha256: &str) -> Result<Option<ImportRow>, StoreError> {
        let sql = format!("SELECT {IMPORT_COLUMNS} FROM imports WHERE account_id = $1 AND sha256 = $2");
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(account_id)
            .bind(sha256)
            .fetch_optional(p)
            .await?))
    }

    /// Every import, newest first; of one account when `account_id` is given.
    pub async fn imports(&self, account_id: Option<i64>) -> Result<Vec<ImportRow>, StoreError> {
        let sql = format!(
            "SELECT {IMPORT_COLUMNS} FROM imports WHERE ($1 IS NULL OR account_id = $1) ORDER BY imported_at DESC, id DESC"
        );
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(account_id)
            .fetch_all(p)
            .await?))
    }

    /// The conflicts of import `import_id`, in the order found.
    pub async fn import_conflicts(&self, import_id: i64) -> Result<Vec<ImportConflict>, StoreError> {
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT line, metric, post_id, day, stored_value, stored_source, imported_value
             FROM import_conflicts WHERE import_id = $1 ORDER BY id"
        )
        .bind(import_id)
        .fetch_all(p)
        .await?))
    }
}

/// Writes one post and its metrics under the precedence rule; returns the keys of the
/// `post_metrics` rows written (`posts.id`, metric, bucket).
async fn import_post(
    tx: &mut Tx,
    account_id: i64,
    import_id: i64,
    at: &str,
    bucket: &str,
    post: &ImportedPost,
    outcome: &mut ImportOutcome,
) -> Result<Vec<(i64, String, String)>, StoreError> {
    let mut written = Vec::new();
    // A known post keeps its details; only empty ones are filled.
    let existing: Option<i64> = on_tx!(&mut *tx, |c| sqlx::query_scalar(
        "SELECT id FROM posts WHERE account_id = $1 AND external_id = $2"
    )
    .bind(account_id)
    .bind(&post.external_id)
    .fetch_optional(&mut *c)
    .await?);
    let published = post.published_at.map(to_db);
    let post_id = match existing {
        Some(id) => {
            on_tx!(&mut *tx, |c| sqlx::query(
                "UPDATE posts SET published_at = coalesce(published_at, $2), permalink = coalesce(permalink, $3),
                     caption = coalesce(caption, $4),
                     content_type = CASE WHEN content_type = 'unknown' AND $5 IS NOT NULL THEN $5 ELSE content_type END
                 WHERE id = $1"
            )
            .bind(id)
            .bind(&published)
            .bind(&post.permalink)
            .bind(&post.caption)
            .bind(&post.content_type)
            .execute(&mut *c)
            .await?
            .rows_affected());
            id
        }
        None => {
            outcome.posts_created += 1;
            on_tx!(&mut *tx, |c| sqlx::query_scalar(
                "INSERT INTO posts (account_id, external_id, content_type, published_at, permalink, caption,
                                    first_seen_at, last_seen_at, source, import_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 'import', $8) RETURNING id"
            )
            .bind(account_id)
            .bind(&post.external_id)
            .bind(post.content_type.as_deref().unwrap_or("unknown"))
            .bind(&published)
            .bind(&post.permalink)
            .bind(&post.caption)
            .bind(at)
            .bind(import_id)
            .fetch_one(&mut *c)
            .await?)
        }
    };
    for (metric, value) in &post.metrics {
        let api: Option<(Option<f64>,)> = on_tx!(&mut *tx, |c| sqlx::query_as(
            "SELECT value FROM post_metrics WHERE post_id = $1 AND metric = $2 AND source = 'api'
             ORDER BY bucket DESC LIMIT 1"
        )
        .bind(post_id)
        .bind(metric)
        .fetch_optional(&mut *c)
        .await?);
        let conflict = |stored_value: Option<f64>, stored_source| ImportConflict {
            line: i64::try_from(post.line).unwrap_or(i64::MAX),
            metric: metric.clone(),
            post_id: Some(post.external_id.clone()),
            day: None,
            stored_value,
            stored_source,
            imported_value: *value,
        };
        if let Some((stored,)) = api {
            if same(stored, *value) {
                outcome.duplicates += 1;
            } else {
                outcome.conflicts.push(conflict(stored, ValueSource::Api));
            }
            continue;
        }
        let latest: Option<(Option<f64>,)> = on_tx!(&mut *tx, |c| sqlx::query_as(
            "SELECT value FROM post_metrics WHERE post_id = $1 AND metric = $2 ORDER BY bucket DESC LIMIT 1"
        )
        .bind(post_id)
        .bind(metric)
        .fetch_optional(&mut *c)
        .await?);
        if latest.is_some_and(|(v,)| same(v, *value)) {
            outcome.duplicates += 1;
            continue;
        }
        let inserted: Option<i64> = on_tx!(&mut *tx, |c| {
            sqlx::query_scalar(
            "INSERT INTO post_metrics (post_id, metric, value, collected_at, bucket, last_seen_at, source, import_id)
             VALUES ($1, $2, $3, $4, $5, $4, 'import', $6)
             ON CONFLICT (post_id, metric, bucket) DO NOTHING RETURNING id"
        )
        .bind(post_id)
        .bind(metric)
        .bind(*value)
        .bind(at)
        .bind(bucket)
        .bind(import_id)
        .fetch_optional(&mut *c)
        .await?
        });
        match inserted {
            Some(_) => {
                outcome.added += 1;
                written.push((post_id, metric.clone(), bucket.to_string()));
            }
            // Another import wrote this bucket with another value: it is kept.
            None => outcome
                .conflicts
                .push(conflict(latest.and_then(|(v,)| v), ValueSource::Import)),
        }
    }
    Ok(written)
}

/// Writes one daily account metric under the precedence rule.
async fn import_day(
    tx: &mut Tx,
    account_id: i64,
    import_id: i64,
    at: &str,
    day: &ImportedDay,
    outcome: &mut ImportOutcome,
) -> Result<(), StoreError> {
    let start = format!("{}T00:00:00Z", day.day.format("%Y-%m-%d"));
    let Some(next) = day.day.checked_add_days(Days::new(1)) else {
        outcome.errors.push(ImportRowError {
            line: day.line,
            reason: format!("day {} is out of range", day.day),
        });
        return Ok(());
    };
    let end = format!("{}T00:00:00Z", next.format("%Y-%m-%d"));
    let stored: Option<(Option<f64>, ValueSource)> = on_tx!(&mut *tx, |c| sqlx::query_as(
        "SELECT value, source FROM account_metrics
         WHERE account_id = $1 AND metric = $2 AND period = 'day' AND period_start = $3 AND period_end = $4"
    )
    .bind(account_id)
    .bind(&day.metric)
    .bind(&start)
    .bind(&end)
    .fetch_optional(&mut *c)
    .await?);
    match stored {
        Some((value, _)) if same(value, day.value) => outcome.duplicates += 1,
        Some((value, source)) => outcome.conflicts.push(ImportConflict {
            line: i64::try_from(day.line).unwrap_or(i64::MAX),
            metric: day.metric.clone(),
            post_id: None,
            day: Some(day.day.format("%Y-%m-%d").to_string()),
            stored_value: value,
            stored_source: source,
            imported_value: day.value,
        }),
        None => {
            on_tx!(&mut *tx, |c| sqlx::query(
                "INSERT INTO account_metrics (account_id, metric, period, period_start, period_end, value,
                                              collected_at, last_seen_at, source, import_id)
                 VALUES ($1, $2, 'day', $3, $4, $5, $6, $6, 'import', $7)"
            )
            .bind(account_id)
            .bind(&day.metric)
            .bind(&start)
            .bind(&end)
            .bind(day.value)
            .bind(at)
            .bind(import_id)
            .execute(&mut *c)
            .await?
            .rows_affected());
            outcome.added += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_sources_print_and_parse_back() {
        for kind in ImportKind::ALL {
            assert_eq!(kind.as_str().parse::<ImportKind>().ok(), Some(kind));
        }
        for source in ValueSource::ALL {
            assert_eq!(source.to_string().parse::<ValueSource>().ok(), Some(source));
        }
        assert!("tweets".parse::<ImportKind>().is_err());
    }

    #[test]
    fn values_compare_with_a_relative_tolerance() {
        assert!(same(Some(1520.0), 1520.0));
        assert!(!same(Some(1520.0), 1521.0));
        assert!(!same(None, 0.0));
        assert!(same(Some(0.1 + 0.2), 0.3));
    }
}
