//! Tracked hashtags (schema version 18, `migrations/0018_hashtags.sql`; docs/schema.md):
//! the hashtags a workspace follows ([`TrackedHashtagRow`]), their public post volume
//! ([`HashtagVolumeRow`], from X recent counts), the public Instagram media tagged with
//! them ([`HashtagMediaRow`]) and the record of Instagram hashtag searches the
//! 30-per-7-days budget is counted from ([`Store::hashtag_searches_since`]).
//!
//! Tags are keys (`#` + lower-case NFC, `alcance_core::analytics::tags::tag_key`); the
//! store does not normalise them. Every timestamp is UTC (see [`crate::time`]).

use crate::engine::on_tx;
use crate::time::{to_db, DbTime, DbTimeOpt};
use crate::{on_pool, Store, StoreError};
use alcance_core::{HashtagEdge, Platform, VolumeGranularity};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One row of `tracked_hashtags`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct TrackedHashtagRow {
    /// Row id.
    pub id: i64,
    /// The key (`#são_paulo`).
    pub tag: String,
    /// As the user typed it (`#São_Paulo`).
    pub display: String,
    /// When it was first tracked, UTC.
    #[sqlx(try_from = "DbTime")]
    pub added_at: DateTime<Utc>,
    /// `false` once untracked (its data stays).
    pub enabled: bool,
    /// Instagram's id for it (static and global), once searched.
    pub ig_hashtag_id: Option<String>,
    /// Its last collection, UTC.
    #[sqlx(try_from = "DbTimeOpt")]
    pub collected_at: Option<DateTime<Utc>>,
}

/// One bucket of `hashtag_volume`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct HashtagVolumeRow {
    /// The key.
    pub tag: String,
    /// Whose public posts were counted (`x`).
    pub platform: Platform,
    /// Bucket start, UTC.
    #[sqlx(try_from = "DbTime")]
    pub bucket_start: DateTime<Utc>,
    /// Bucket width.
    pub granularity: VolumeGranularity,
    /// Public posts in the bucket. A count.
    pub count: i64,
    /// When it was collected, UTC.
    #[sqlx(try_from = "DbTime")]
    pub collected_at: DateTime<Utc>,
}

/// One public Instagram media to save for a hashtag (from `top_media` / `recent_media`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHashtagMedia {
    /// IG media id.
    pub media_id: String,
    /// Its `timestamp`, UTC.
    pub published_at: Option<DateTime<Utc>>,
    /// `media_type`.
    pub media_type: Option<String>,
    /// `like_count`. A count (negative values are not stored).
    pub like_count: Option<i64>,
    /// `comments_count`. A count (negative values are not stored).
    pub comments_count: Option<i64>,
    /// `permalink`.
    pub permalink: Option<String>,
    /// The caption's first 280 characters.
    pub caption_excerpt: Option<String>,
}

/// One row of `hashtag_media`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct HashtagMediaRow {
    /// The key.
    pub tag: String,
    /// IG media id.
    pub media_id: String,
    /// The edge it was listed on.
    pub edge: HashtagEdge,
    /// Its `timestamp`, UTC.
    #[sqlx(try_from = "DbTimeOpt")]
    pub published_at: Option<DateTime<Utc>>,
    /// `media_type`.
    pub media_type: Option<String>,
    /// `like_count` at `last_seen`. A count.
    pub like_count: Option<i64>,
    /// `comments_count` at `last_seen`. A count.
    pub comments_count: Option<i64>,
    /// `permalink`.
    pub permalink: Option<String>,
    /// The caption's first 280 characters.
    pub caption_excerpt: Option<String>,
    /// First collection listing it on this edge, UTC.
    #[sqlx(try_from = "DbTime")]
    pub first_seen: DateTime<Utc>,
    /// Last collection listing it on this edge, UTC.
    #[sqlx(try_from = "DbTime")]
    pub last_seen: DateTime<Utc>,
}

/// One recorded Instagram hashtag search: the first query of `tag` by the account in its
/// 7-day window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct HashtagSearchRow {
    /// The Instagram account's id (`accounts.external_id`).
    pub ig_user_id: String,
    /// The key.
    pub tag: String,
    /// When, UTC.
    #[sqlx(try_from = "DbTime")]
    pub searched_at: DateTime<Utc>,
}

const TRACKED: &str = "id, tag, display, added_at, enabled, ig_hashtag_id, collected_at";
const MEDIA: &str = "tag, media_id, edge, published_at, media_type, like_count, comments_count, permalink, \
                     caption_excerpt, first_seen, last_seen";

impl Store {
    /// Tracks `tag` (a key) shown as `display`, from `at` (UTC); tracking an untracked tag
    /// again enables it (its first `added_at` and data stay) and takes the new `display`.
    pub async fn track_hashtag(
        &self,
        tag: &str,
        display: &str,
        at: DateTime<Utc>,
    ) -> Result<TrackedHashtagRow, StoreError> {
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(&format!(
            "INSERT INTO tracked_hashtags (tag, display, added_at, enabled) VALUES ($1, $2, $3, $4)
             ON CONFLICT (tag) DO UPDATE SET enabled = excluded.enabled, display = excluded.display
             RETURNING {TRACKED}"
        ))
        .bind(tag)
        .bind(display)
        .bind(to_db(at))
        .bind(true)
        .fetch_one(p)
        .await?))
    }

    /// Stops tracking `tag` (its row and data stay). `false` when it was not tracked.
    pub async fn untrack_hashtag(&self, tag: &str) -> Result<bool, StoreError> {
        let n = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE tracked_hashtags SET enabled = $2 WHERE tag = $1 AND enabled = $3"
        )
        .bind(tag)
        .bind(false)
        .bind(true)
        .execute(p)
        .await?
        .rows_affected());
        Ok(n > 0)
    }

    /// The tracked hashtags (with the untracked ones when `with_untracked`), by key.
    pub async fn tracked_hashtags(&self, with_untracked: bool) -> Result<Vec<TrackedHashtagRow>, StoreError> {
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(&format!(
            "SELECT {TRACKED} FROM tracked_hashtags WHERE enabled = $1 OR $2 ORDER BY tag"
        ))
        .bind(true)
        .bind(with_untracked)
        .fetch_all(p)
        .await?))
    }

    /// Remembers Instagram's id for `tag` (ids are static: searched once).
    pub async fn set_hashtag_ig_id(&self, tag: &str, ig_hashtag_id: &str) -> Result<(), StoreError> {
        on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE tracked_hashtags SET ig_hashtag_id = $2 WHERE tag = $1"
        )
        .bind(tag)
        .bind(ig_hashtag_id)
        .execute(p)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Stamps `tag`'s last collection at `at` (UTC).
    pub async fn hashtag_collected(&self, tag: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE tracked_hashtags SET collected_at = $2 WHERE tag = $1"
        )
        .bind(tag)
        .bind(to_db(at))
        .execute(p)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Saves `buckets` (start UTC, public post count) of `tag`'s volume on `platform`,
    /// collected at `collected_at`, in one transaction; a bucket already stored takes the
    /// new count. Returns the buckets written. Negative counts are refused.
    ///
    /// Errors: [`StoreError::Invalid`] for a negative count (nothing is written).
    pub async fn save_hashtag_volume(
        &self,
        tag: &str,
        platform: Platform,
        granularity: VolumeGranularity,
        buckets: &[(DateTime<Utc>, i64)],
        collected_at: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        if let Some((_, bad)) = buckets.iter().find(|(_, c)| *c < 0) {
            return Err(StoreError::Invalid {
                what: "post count",
                value: bad.to_string(),
                expected: "a count of 0 or more",
            });
        }
        let mut tx = self.pool.begin_write().await?;
        for (start, count) in buckets {
            on_tx!(&mut tx, |c| sqlx::query(
                "INSERT INTO hashtag_volume (tag, platform, bucket_start, granularity, count, collected_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (tag, platform, granularity, bucket_start)
                 DO UPDATE SET count = excluded.count, collected_at = excluded.collected_at"
            )
            .bind(tag)
            .bind(platform)
            .bind(to_db(*start))
            .bind(granularity)
            .bind(*count)
            .bind(to_db(collected_at))
            .execute(&mut *c)
            .await?
            .rows_affected());
        }
        tx.commit().await?;
        Ok(buckets.len())
    }

    /// `tag`'s volume buckets starting at or after `since` (UTC), oldest first, every
    /// platform and granularity.
    pub async fn hashtag_volume(&self, tag: &str, since: DateTime<Utc>) -> Result<Vec<HashtagVolumeRow>, StoreError> {
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT tag, platform, bucket_start, granularity, count, collected_at FROM hashtag_volume
             WHERE tag = $1 AND bucket_start >= $2 ORDER BY platform, granularity, bucket_start"
        )
        .bind(tag)
        .bind(to_db(since))
        .fetch_all(p)
        .await?))
    }

    /// Saves the media `edge` of `tag` listed at `seen_at` (UTC), in one transaction: new
    /// ones are inserted (`first_seen = last_seen = seen_at`), known ones take the new
    /// counts and `last_seen`. Returns the rows written.
    pub async fn save_hashtag_media(
        &self,
        tag: &str,
        edge: HashtagEdge,
        media: &[NewHashtagMedia],
        seen_at: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let mut tx = self.pool.begin_write().await?;
        for m in media {
            on_tx!(&mut tx, |c| sqlx::query(
                "INSERT INTO hashtag_media (tag, media_id, edge, published_at, media_type, like_count, comments_count,
                                            permalink, caption_excerpt, first_seen, last_seen)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
                 ON CONFLICT (tag, media_id, edge) DO UPDATE SET
                     published_at = excluded.published_at, media_type = excluded.media_type,
                     like_count = excluded.like_count, comments_count = excluded.comments_count,
                     permalink = excluded.permalink, caption_excerpt = excluded.caption_excerpt,
                     last_seen = excluded.last_seen"
            )
            .bind(tag)
            .bind(&m.media_id)
            .bind(edge)
            .bind(m.published_at.map(to_db))
            .bind(&m.media_type)
            .bind(m.like_count.filter(|c| *c >= 0))
            .bind(m.comments_count.filter(|c| *c >= 0))
            .bind(&m.permalink)
            .bind(&m.caption_excerpt)
            .bind(to_db(seen_at))
            .execute(&mut *c)
            .await?
            .rows_affected());
        }
        tx.commit().await?;
        Ok(media.len())
    }

    /// `tag`'s media on `edge` listed by the collection of `seen_at` or later (UTC), most
    /// likes first.
    pub async fn hashtag_media(
        &self,
        tag: &str,
        edge: HashtagEdge,
        seen_since: DateTime<Utc>,
    ) -> Result<Vec<HashtagMediaRow>, StoreError> {
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(&format!(
            "SELECT {MEDIA} FROM hashtag_media WHERE tag = $1 AND edge = $2 AND last_seen >= $3
             ORDER BY like_count DESC NULLS LAST, media_id"
        ))
        .bind(tag)
        .bind(edge)
        .bind(to_db(seen_since))
        .fetch_all(p)
        .await?))
    }

    /// Records that Instagram account `ig_user_id` queried `tag` at `at` (UTC): call it for
    /// a query the budget admitted as a new slot (not for one already counted).
    pub async fn record_hashtag_search(
        &self,
        ig_user_id: &str,
        tag: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_pool!(&self.pool, |p| sqlx::query(
            "INSERT INTO hashtag_searches (ig_user_id, tag, searched_at) VALUES ($1, $2, $3)
             ON CONFLICT (ig_user_id, tag, searched_at) DO NOTHING"
        )
        .bind(ig_user_id)
        .bind(tag)
        .bind(to_db(at))
        .execute(p)
        .await?
        .rows_affected());
        Ok(())
    }

    /// The searches of Instagram account `ig_user_id` after `since` (UTC), oldest first.
    pub async fn hashtag_searches_since(
        &self,
        ig_user_id: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<HashtagSearchRow>, StoreError> {
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(
            "SELECT ig_user_id, tag, searched_at FROM hashtag_searches
             WHERE ig_user_id = $1 AND searched_at > $2 ORDER BY searched_at, tag"
        )
        .bind(ig_user_id)
        .bind(to_db(since))
        .fetch_all(p)
        .await?))
    }
}
