//! The posts' media URLs and what became of them (schema version 14,
//! `migrations/0014_post_media.sql`; docs/media.md): `post_media`, one row per post and
//! kind. Collections write the URLs ([`crate::Store::save_batch`]); the media fetcher of
//! `alcance-app` takes the due rows ([`Store::media_due`]) and records each outcome
//! ([`Store::media_kept`], [`Store::media_given_up`], [`Store::media_retry_at`]). The files
//! themselves live on the disk of the machine that downloaded them
//! (`<workspace>/media/<file_name>`), never in the database.
//!
//! Every timestamp is UTC (see [`crate::time`]).

use crate::error::touched_one;
use crate::redact::redact;
use crate::time::{to_db, DbTime, DbTimeOpt};
use crate::{on_pool, Store, StoreError};
use alcance_core::{MediaKind, MediaStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A media URL waiting to be downloaded (a `pending` thumbnail or image whose next attempt
/// is due).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct MediaDue {
    /// `post_media.id`.
    pub id: i64,
    /// `posts.id` of the post.
    pub post_id: i64,
    /// `thumbnail` or `image`.
    pub kind: MediaKind,
    /// The URL to download (http or https).
    pub source_url: String,
    /// Attempts made so far (0 for a new URL).
    pub attempts: i64,
}

/// One row of `post_media`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct PostMediaRow {
    /// Row id.
    pub id: i64,
    /// `posts.id` of the post.
    pub post_id: i64,
    /// What the URL points at.
    pub kind: MediaKind,
    /// The URL as served; for a kept file, the URL it was downloaded from.
    pub source_url: String,
    /// The last collection that served a URL for it, UTC.
    #[sqlx(try_from = "DbTime")]
    pub seen_at: DateTime<Utc>,
    /// What became of it.
    pub status: MediaStatus,
    /// Download attempts made for the current URL.
    pub attempts: i64,
    /// While pending after a failure: the next attempt, UTC.
    #[sqlx(try_from = "DbTimeOpt")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The last failure (HTTP status, content type), no secrets.
    pub last_error: Option<String>,
    /// When the kept file was downloaded, UTC.
    #[sqlx(try_from = "DbTimeOpt")]
    pub fetched_at: Option<DateTime<Utc>>,
    /// Kept: the file's name in `<workspace>/media/` (`<sha256 hex>.<ext>`).
    pub file_name: Option<String>,
    /// Kept: the file's size, bytes.
    pub bytes: Option<i64>,
    /// Kept: its content type (`image/png`, `image/jpeg`, `image/gif`, `image/webp`).
    pub content_type: Option<String>,
}

/// A kept picture of a post: what screens and reports show for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct KeptMedia {
    /// `posts.id`.
    pub post_id: i64,
    /// The file's name in `<workspace>/media/`.
    pub file_name: String,
    /// Its content type.
    pub content_type: String,
    /// The URL it was downloaded from.
    pub source_url: String,
    /// When it was downloaded, UTC.
    #[sqlx(try_from = "DbTime")]
    pub fetched_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, post_id, kind, source_url, seen_at, status, attempts, next_attempt_at, last_error, \
                       fetched_at, file_name, bytes, content_type";

/// The error text stored for a failure: secrets redacted, at most 300 characters.
fn stored_error(error: &str) -> String {
    redact(error).chars().take(300).collect()
}

impl Store {
    /// Up to `limit` media URLs to download now, in id order after row `after_id` (0 for
    /// the first page): `pending` thumbnails and images whose `next_attempt_at` is unset or
    /// at or before `now` (UTC).
    pub async fn media_due(&self, now: DateTime<Utc>, after_id: i64, limit: u32) -> Result<Vec<MediaDue>, StoreError> {
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT id, post_id, kind, source_url, attempts FROM post_media
             WHERE status = 'pending' AND kind IN ('thumbnail', 'image')
               AND (next_attempt_at IS NULL OR next_attempt_at <= $1) AND id > $2
             ORDER BY id LIMIT $3"
        )
        .bind(to_db(now))
        .bind(after_id)
        .bind(i64::from(limit))
        .fetch_all(p)
        .await?))
    }

    /// Records row `id` as downloaded from `source_url` at `fetched_at` (UTC) into
    /// `<workspace>/media/<file_name>` (`bytes` long, of `content_type`). A URL a collection
    /// brought meanwhile is dropped: the picture is the same, and it is kept once.
    /// Errors: [`StoreError::NotFound`] for an unknown row.
    pub async fn media_kept(
        &self,
        id: i64,
        source_url: &str,
        file_name: &str,
        bytes: u64,
        content_type: &str,
        fetched_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let n = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE post_media SET status = 'kept', source_url = $2, file_name = $3, bytes = $4,
                 content_type = $5, fetched_at = $6, attempts = attempts + 1, next_attempt_at = NULL,
                 last_error = NULL
             WHERE id = $1 AND status = 'pending'"
        )
        .bind(id)
        .bind(source_url)
        .bind(file_name)
        .bind(i64::try_from(bytes).unwrap_or(i64::MAX))
        .bind(content_type)
        .bind(to_db(fetched_at))
        .execute(p)
        .await?
        .rows_affected());
        self.media_row_exists(id, n).await
    }

    /// Gives row `id` up as `status` (`too_large`, `expired` or `failed`; any other status
    /// is refused) after an attempt on `source_url` that failed with `error`. Does nothing
    /// when a collection replaced the URL meanwhile.
    /// Errors: [`StoreError::Invalid`] for another status, [`StoreError::NotFound`].
    pub async fn media_given_up(
        &self,
        id: i64,
        source_url: &str,
        status: MediaStatus,
        error: &str,
    ) -> Result<(), StoreError> {
        if !matches!(
            status,
            MediaStatus::TooLarge | MediaStatus::Expired | MediaStatus::Failed
        ) {
            return Err(StoreError::Invalid {
                what: "media status",
                value: status.as_str().to_string(),
                expected: "too_large, expired or failed",
            });
        }
        let n = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE post_media SET status = $3, attempts = attempts + 1, next_attempt_at = NULL, last_error = $4
             WHERE id = $1 AND source_url = $2 AND status = 'pending'"
        )
        .bind(id)
        .bind(source_url)
        .bind(status)
        .bind(stored_error(error))
        .execute(p)
        .await?
        .rows_affected());
        self.media_row_exists(id, n).await
    }

    /// Counts a failed attempt on `source_url` for row `id` and leaves it `pending` until
    /// `next_attempt_at` (UTC). Does nothing when a collection replaced the URL meanwhile.
    /// Errors: [`StoreError::NotFound`].
    pub async fn media_retry_at(
        &self,
        id: i64,
        source_url: &str,
        error: &str,
        next_attempt_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let n = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE post_media SET attempts = attempts + 1, next_attempt_at = $3, last_error = $4
             WHERE id = $1 AND source_url = $2 AND status = 'pending'"
        )
        .bind(id)
        .bind(source_url)
        .bind(to_db(next_attempt_at))
        .bind(stored_error(error))
        .execute(p)
        .await?
        .rows_affected());
        self.media_row_exists(id, n).await
    }

    /// `Ok` when an update touched a row, or when row `id` exists (its URL changed under
    /// the fetcher); [`StoreError::NotFound`] otherwise.
    async fn media_row_exists(&self, id: i64, touched: u64) -> Result<(), StoreError> {
        if touched > 0 {
            return Ok(());
        }
        let exists: bool = on_pool!(&self.pool, |p| sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM post_media WHERE id = $1)"
        )
        .bind(id)
        .fetch_one(p)
        .await?);
        touched_one(u64::from(exists), "post media", id)
    }

    /// Every media row of post `post_id` (`posts.id`), thumbnails first.
    pub async fn post_media(&self, post_id: i64) -> Result<Vec<PostMediaRow>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM post_media WHERE post_id = $1
             ORDER BY CASE kind WHEN 'thumbnail' THEN 0 WHEN 'image' THEN 1 ELSE 2 END"
        );
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(post_id)
            .fetch_all(p)
            .await?))
    }

    /// The kept picture of each of `post_ids` that has one (its thumbnail, else its image),
    /// by `posts.id`. Posts without a kept picture are absent.
    pub async fn kept_pictures(&self, post_ids: &[i64]) -> Result<HashMap<i64, KeptMedia>, StoreError> {
        if post_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let list = self.pool.engine().json_list(1, "BIGINT");
        let sql = format!(
            "SELECT post_id, file_name, content_type, source_url, fetched_at FROM post_media
             WHERE status = 'kept' AND kind IN ('thumbnail', 'image') AND post_id IN ({list})
             ORDER BY post_id, CASE kind WHEN 'thumbnail' THEN 0 ELSE 1 END"
        );
        let ids = serde_json::to_string(post_ids).unwrap_or_else(|_| "[]".to_string());
        let rows: Vec<KeptMedia> = on_pool!(&self.pool, |p| sqlx::query_as(&sql).bind(&ids).fetch_all(p).await?);
        let mut out = HashMap::with_capacity(rows.len());
        for r in rows {
            out.entry(r.post_id).or_insert(r);
        }
        Ok(out)
    }

    /// How many media rows are in each status.
    pub async fn media_counts(&self) -> Result<Vec<(MediaStatus, i64)>, StoreError> {
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT status, COUNT(*) FROM post_media GROUP BY status ORDER BY status"
        )
        .fetch_all(p)
        .await?))
    }
}
