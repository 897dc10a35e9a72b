//! X post counts (`GET /2/tweets/counts/recent`): how many public posts of the last 7 days
//! match a query, per minute, hour or day (docs.x.com, "Recent Post counts"). Alcance asks
//! with `query=#tag&granularity=day` for the hashtags a workspace tracks.
//!
//! The endpoint takes only the developer App's **app-only Bearer Token** (OAuth 2.0 App
//! Only), not a user-context token: X answers a user token with HTTP 403 and a missing or
//! wrong bearer with HTTP 401.

use super::map::map_error;
use crate::error::PlatformError;
use crate::http::Answer;
use alcance_core::time::parse_platform_time;
use alcance_core::VolumeGranularity;
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// One bucket of a count series: `data[]` of the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountBucket {
    /// Bucket start, UTC (`data[].start`).
    pub start: DateTime<Utc>,
    /// Bucket end, UTC, exclusive (`data[].end`).
    pub end: DateTime<Utc>,
    /// Public posts matching the query in `[start, end)` (`data[].tweet_count`). A count.
    pub count: u64,
}

/// A count series as X served it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostCounts {
    /// The query sent (`#verão`).
    pub query: String,
    /// The buckets' width.
    pub granularity: VolumeGranularity,
    /// The buckets, oldest first. The first and last are usually partial (the 7-day window
    /// starts and ends mid-day).
    pub buckets: Vec<CountBucket>,
    /// `meta.total_tweet_count`: the sum over the window. A count; `None` when absent.
    pub total: Option<u64>,
}

#[derive(Deserialize)]
struct Wire {
    #[serde(default)]
    data: Option<Vec<WireBucket>>,
    #[serde(default)]
    meta: Option<WireMeta>,
}

#[derive(Deserialize)]
struct WireBucket {
    start: String,
    end: String,
    tweet_count: u64,
}

#[derive(Deserialize)]
struct WireMeta {
    #[serde(default)]
    total_tweet_count: Option<u64>,
}

/// Decodes a `/2/tweets/counts/recent` answer.
///
/// Errors: non-2xx → [`map_error`] (401 [`PlatformError::Unauthorized`]: no or a wrong
/// bearer; 403 [`PlatformError::Forbidden`]: a user-context token or an app without
/// access; 429 [`PlatformError::RateLimited`]); a body that is not the documented shape,
/// or a bucket time that is not RFC 3339 → [`PlatformError::Decode`]. An answer without
/// `data` (no matching post at all) is an empty series.
pub fn decode_post_counts(
    answer: &Answer,
    query: &str,
    granularity: VolumeGranularity,
) -> Result<PostCounts, PlatformError> {
    if !answer.is_success() {
        return Err(map_error(answer));
    }
    let wire: Wire = answer.json()?;
    let time = |s: &str| {
        parse_platform_time(s).ok_or_else(|| {
            PlatformError::decode(
                &answer.endpoint,
                format!("bucket time {s:?} is not RFC 3339"),
                &answer.body,
            )
        })
    };
    let mut buckets = Vec::new();
    for b in wire.data.unwrap_or_default() {
        buckets.push(CountBucket {
            start: time(&b.start)?,
            end: time(&b.end)?,
            count: b.tweet_count,
        });
    }
    buckets.sort_by_key(|b| b.start);
    Ok(PostCounts {
        query: query.to_string(),
        granularity,
        buckets,
        total: wire.meta.and_then(|m| m.total_tweet_count),
    })
}
