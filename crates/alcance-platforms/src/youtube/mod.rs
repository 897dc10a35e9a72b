//! YouTube client (platform-apis-more.md §1): the owner's channel
//! (`GET /youtube/v3/channels?mine=true`), its uploads (`playlistItems` of the uploads
//! playlist, every page), the videos' counts (`videos?id=` in batches of 50) and the
//! channel's daily series (YouTube Analytics API v2 `reports`, `dimensions=day`); tracked
//! public channels by handle (`channels?forHandle=@handle`, public statistics only).
//!
//! Layout: `wire` holds the serde DTOs (private to this module), `map` turns them into
//! `alcance_core` records through the metric catalog and maps Google's error envelope,
//! `client` makes the requests. The public surface is wire-independent: [`YouTubeClient`],
//! [`Channel`], [`UploadsPage`], [`VideosPage`], [`DailyReport`], the decode functions
//! (which let tests and the sandbox read a recorded answer exactly as the client would),
//! [`parse_duration`] and [`next_quota_reset`].
//!
//! Quota: the Data API allows 10,000 units a day per Google Cloud project, every list call
//! costs 1 unit, and the day resets at midnight Pacific Time; the governor keeps the
//! budget (`crate::governor`, family `youtube`). A `quotaExceeded` answer becomes
//! [`crate::PlatformError::RateLimited`] with the wait until that reset, so the account is
//! deferred while other platforms keep collecting.
//!
//! Tokens are only ever sent as `Authorization: Bearer <token>`; they never appear in a
//! URL, an archived exchange, a log line or an error message.

mod client;
mod descriptor;
pub use descriptor::{provider, revoke, DESCRIPTOR, SCOPES};
mod map;
mod wire;

use alcance_core::{AccountMetric, CollectWarning, DataGap, PostMedia, PostMetric, PostRecord, Profile};
use chrono::{DateTime, Utc};

pub use client::{Uploads, YouTubeClient, ANALYTICS_METRICS, MAX_UPLOAD_PAGES, VIDEOS_BATCH, VIDEO_ANALYTICS_METRICS};
pub use map::{
    channel_metrics, decode_channels, decode_comment_threads, decode_report, decode_uploads, decode_video_report,
    decode_videos, map_error, next_quota_reset, parse_duration, quota_cost, DAILY_QUOTA_UNITS,
};

/// A channel as read from `channels.list` (`mine=true`, `forHandle=`, `id=`).
#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    /// Channel id (`id`, `UC…`).
    pub id: String,
    /// Title (`snippet.title`).
    pub title: Option<String>,
    /// Handle without `@` (`snippet.customUrl` minus its `@`); `None` when the channel has
    /// no handle.
    pub handle: Option<String>,
    /// Avatar URL (`snippet.thumbnails.high|medium|default.url`, the first present).
    pub avatar_url: Option<String>,
    /// When the channel was created, UTC (`snippet.publishedAt`).
    pub published_at: Option<DateTime<Utc>>,
    /// The uploads playlist id (`contentDetails.relatedPlaylists.uploads`, `UU…`); `None`
    /// when `contentDetails` was not requested.
    pub uploads_playlist: Option<String>,
    /// Subscribers (`statistics.subscriberCount`, rounded by YouTube to three significant
    /// figures for public reads); `None` when hidden or absent.
    pub subscribers: Option<f64>,
    /// `statistics.hiddenSubscriberCount`: the owner hides the count. Alcance then stores no
    /// subscriber value (not 0) and records a gap.
    pub hidden_subscribers: bool,
    /// Lifetime views of the channel's public videos (`statistics.viewCount`), count.
    pub views: Option<f64>,
    /// Public videos (`statistics.videoCount`), count.
    pub videos: Option<f64>,
    /// Whether the answer carried a `statistics` object (`part=statistics`); without it
    /// no snapshot is made (absent is not "no data").
    pub statistics_served: bool,
}

impl Channel {
    /// The platform-neutral profile (`external_id` = channel id, `username` = handle).
    pub fn profile(&self) -> Profile {
        Profile {
            external_id: self.id.clone(),
            username: self.handle.clone(),
            display_name: self.title.clone(),
            avatar_url: self.avatar_url.clone(),
        }
    }
}

/// One decoded page of a video's comment threads (`commentThreads.list`,
/// `part=snippet,replies`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CommentThreadsPage {
    /// Top-level comments (kind `comment`) and the replies served with them (kind `reply`,
    /// `parent_external_id` the thread's comment), in the order served.
    pub comments: Vec<alcance_core::CommentRecord>,
    /// `false` when a thread has more replies (`snippet.totalReplyCount`) than the few
    /// (up to 5) the listing embeds: the page does not hold every reply.
    pub replies_complete: bool,
    /// `nextPageToken`; `None` on the last page.
    pub next_page_token: Option<String>,
    /// Items that could not be read (no comment id), one warning each.
    pub warnings: Vec<CollectWarning>,
}

/// One decoded page of the uploads playlist (`playlistItems.list`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UploadsPage {
    /// `(video id, published at)` in the order served; `published_at`
    /// (`contentDetails.videoPublishedAt`) is `None` for videos the caller may not see.
    pub videos: Vec<(String, Option<DateTime<Utc>>)>,
    /// `nextPageToken`: send it back as `pageToken`; `None` on the last page.
    pub next_page_token: Option<String>,
    /// `pageInfo.totalResults`, when served.
    pub total_results: Option<i64>,
    /// Items that could not be read (no video id), one warning each.
    pub warnings: Vec<CollectWarning>,
}

/// One decoded `videos.list` answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VideosPage {
    /// The videos (content type `video`; an upcoming or live broadcast keeps `live`).
    pub posts: Vec<PostRecord>,
    /// Lifetime snapshots per video: `video_views`, `likes`, `comments` (each `None` when
    /// YouTube hides it) and `video_duration` (seconds, from the ISO 8601 duration).
    pub metrics: Vec<PostMetric>,
    /// Items that could not be read, durations that could not be parsed and unknown
    /// `status` values (the video is kept), one warning each, naming the endpoint.
    pub warnings: Vec<CollectWarning>,
    /// Each video's thumbnail (`snippet.thumbnails.medium|high|default.url`, the first
    /// present; 320 × 180 for `medium`).
    pub media: Vec<PostMedia>,
}

/// A decoded YouTube Analytics `reports` answer with `dimensions=video`: per-video totals
/// over the asked range (Alcance asks from the oldest video's publication day, so the
/// totals are lifetime values as far as Analytics has processed, 1–3 days behind).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VideoReport {
    /// One value per row and known metric column (`watch_time_seconds`,
    /// `watch_time_avg_seconds`, `shares`), keyed by the video id.
    pub metrics: Vec<PostMetric>,
    /// Rows read.
    pub rows: usize,
    /// Metric columns without a catalog key: read but not stored.
    pub unmapped_columns: Vec<String>,
    /// Rows that could not be read, one gap each.
    pub gaps: Vec<DataGap>,
}

/// A decoded YouTube Analytics `reports` answer with `dimensions=day`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DailyReport {
    /// One [`alcance_core::Period::Day`] value per row and known metric column; the day
    /// runs from midnight to midnight Pacific Time (stored in UTC).
    pub metrics: Vec<AccountMetric>,
    /// Rows read.
    pub rows: usize,
    /// Metric columns without a catalog key (`redViews`, `cpm`, ...): read but not stored.
    pub unmapped_columns: Vec<String>,
    /// Rows that could not be read (a bad day, a short row), one gap each.
    pub gaps: Vec<DataGap>,
}
