//! Platform-neutral records: what a platform client produces for one account in one
//! collection, and the flat rows that exports read back.
//!
//! Every metric is named by a [`crate::catalog`] key. Values are `Option<f64>`: `None` is
//! "the platform served no data" (Meta's empty data set), which is never the same as `0`.

use crate::platform::{ContentType, Platform};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The aggregation period of an account-level metric value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// A point-in-time reading (e.g. `followers` from a profile), `period_start == period_end`.
    Snapshot,
    /// One day (Meta `period=day`, a daily series point).
    Day,
    /// Seven days (Meta `period=week`).
    Week,
    /// 28 days (Meta `period=days_28`).
    Days28,
    /// One calendar month.
    Month,
    /// A total over the requested `[period_start, period_end)` range
    /// (Meta `metric_type=total_value`).
    Total,
    /// Lifetime of the object (Meta `period=lifetime`).
    Lifetime,
}

impl Period {
    /// The key stored in SQLite and written to exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Snapshot => "snapshot",
            Period::Day => "day",
            Period::Week => "week",
            Period::Days28 => "days_28",
            Period::Month => "month",
            Period::Total => "total",
            Period::Lifetime => "lifetime",
        }
    }

    /// Parses a stored key (also Meta's `period` values). `None` for anything else.
    pub fn parse(s: &str) -> Option<Period> {
        Some(match s {
            "snapshot" => Period::Snapshot,
            "day" => Period::Day,
            "week" => Period::Week,
            "days_28" => Period::Days28,
            "month" => Period::Month,
            "total" | "total_over_range" => Period::Total,
            "lifetime" => Period::Lifetime,
            _ => return None,
        })
    }
}

/// The account a client collects for, as the platform knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRef {
    /// Platform of the account.
    pub platform: Platform,
    /// The platform's own id (X user id, IG user id, ...). The `user_id` column of exports.
    pub external_id: String,
    /// Handle without `@`, where the platform has one.
    pub username: Option<String>,
    /// `true` for an account connected through OAuth (owner metrics available); `false` for
    /// a public profile tracked by username with another account's token (influencer
    /// tracking: public metrics only).
    pub owned: bool,
}

/// Profile facts read with the account's metrics (X `users/me`, IG user node).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// The platform's id for the account.
    pub external_id: String,
    /// Handle without `@`.
    pub username: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
    /// Profile picture URL.
    pub avatar_url: Option<String>,
}

/// One account-level metric value over a period. Source: X `public_metrics`, Meta
/// `/{id}/insights`, profile fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountMetric {
    /// Catalog key (`followers`, `reach`, ...).
    pub metric: String,
    /// Aggregation period.
    pub period: Period,
    /// Start of the period, UTC (inclusive).
    pub period_start: DateTime<Utc>,
    /// End of the period, UTC (exclusive; equal to `period_start` for a snapshot).
    pub period_end: DateTime<Utc>,
    /// The value in the catalog unit; `None` when the platform served no data.
    pub value: Option<f64>,
}

/// A post, reel, story, video or tweet as first seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostRecord {
    /// The platform's id for the post.
    pub external_id: String,
    /// When it was published, UTC.
    pub published_at: Option<DateTime<Utc>>,
    /// Normalised content type.
    pub content_type: ContentType,
    /// Public link to the post.
    pub permalink: Option<String>,
    /// Caption or text, as published.
    pub caption: Option<String>,
}

/// What a post's media URL points at (`post_media.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MediaKind {
    /// A still picture standing for the post (a video's cover or preview frame, a link
    /// post's picture): what screens and reports show. Downloaded into the workspace.
    Thumbnail,
    /// The post's own picture (a photo post's `media_url`). Downloaded into the workspace.
    Image,
    /// The post's video file: its URL is kept, the file is never downloaded.
    Video,
}

crate::text_enum::text_enum!(MediaKind, "media kind", [
    Thumbnail => "thumbnail",
    Image => "image",
    Video => "video",
]);

/// What became of a post's media URL (`post_media.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MediaStatus {
    /// Not downloaded yet (never tried, or waiting for its next attempt).
    Pending,
    /// Downloaded once into the workspace's media folder.
    Kept,
    /// Larger than the size cap: nothing kept, not tried again.
    TooLarge,
    /// The URL was refused (HTTP 403, 404 or 410: a signed CDN URL past its expiry) on
    /// every allowed attempt; a later collection serving a new URL starts it again.
    Expired,
    /// Not an image, or the server kept failing; a new URL starts it again.
    Failed,
    /// A video's URL: remembered, never downloaded.
    Remote,
}

crate::text_enum::text_enum!(MediaStatus, "media status", [
    Pending => "pending",
    Kept => "kept",
    TooLarge => "too_large",
    Expired => "expired",
    Failed => "failed",
    Remote => "remote",
]);

/// Which edge of an Instagram hashtag a media was read from (`hashtag_media.edge`):
/// `GET /{ig-hashtag-id}/top_media` or `/recent_media` (Instagram Hashtag Search).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum HashtagEdge {
    /// `top_media`: the most popular public media tagged with the hashtag (Meta's choice).
    Top,
    /// `recent_media`: public media tagged with it in the last 24 hours, newest first.
    Recent,
}

crate::text_enum::text_enum!(HashtagEdge, "hashtag edge", [
    Top => "top",
    Recent => "recent",
]);

impl HashtagEdge {
    /// The Graph edge's path segment: `top_media`, `recent_media`.
    pub fn edge_path(self) -> &'static str {
        match self {
            HashtagEdge::Top => "top_media",
            HashtagEdge::Recent => "recent_media",
        }
    }
}

/// The width of one bucket of a post-volume series (`hashtag_volume.granularity`; X
/// `GET /2/tweets/counts/recent?granularity=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum VolumeGranularity {
    /// One UTC day per bucket (what Alcance collects).
    Day,
    /// One hour per bucket.
    Hour,
    /// One minute per bucket.
    Minute,
}

crate::text_enum::text_enum!(VolumeGranularity, "volume granularity", [
    Day => "day",
    Hour => "hour",
    Minute => "minute",
]);

/// One media URL of a post as the platform served it in this collection (Instagram
/// `media_url` / `thumbnail_url`, Facebook `full_picture`, TikTok `cover_image_url`,
/// YouTube `snippet.thumbnails`, Threads `media_url` / `thumbnail_url`, X
/// `includes.media[].preview_image_url` / `url`, Bluesky `embed` `thumb` / `thumbnail`,
/// Reddit `preview.images[0].source.url` / `thumbnail`; see docs/media.md). CDN URLs are
/// often signed and expire
/// after hours: a later collection brings a fresh one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostMedia {
    /// `PostRecord::external_id` of the post.
    pub post_external_id: String,
    /// What the URL points at.
    pub kind: MediaKind,
    /// The URL as served (http or https; anything else is not stored).
    pub url: String,
}

impl PostMedia {
    /// A media URL of post `post_external_id`; `None` when `url` is missing, blank, or not
    /// an absolute http(s) URL.
    pub fn new(post_external_id: &str, kind: MediaKind, url: Option<&str>) -> Option<PostMedia> {
        let url = url?.trim();
        let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
        if !(lower.starts_with("https://") || lower.starts_with("http://")) || url.len() > 4096 {
            return None;
        }
        Some(PostMedia {
            post_external_id: post_external_id.to_string(),
            kind,
            url: url.to_string(),
        })
    }
}

/// What a stored comment is (`comments.kind`; docs/schema.md, docs/comments.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CommentKind {
    /// A top-level comment on one of the account's posts (Instagram
    /// `GET /{ig-media-id}/comments`, Facebook `GET /{post-id}/comments`, an X reply to one of
    /// the account's posts).
    Comment,
    /// A reply to a comment on one of the account's posts (Instagram `replies`, Facebook
    /// `comments` of a comment, the webhook's `parent_id`).
    Reply,
    /// Someone else's comment or post naming the account (Instagram `mentions` webhook, the
    /// X mentions timeline `GET /2/users/:id/mentions`).
    Mention,
    /// Someone else's media the account is tagged in (Instagram `GET /{ig-user-id}/tags`);
    /// its text is the media's caption.
    Tag,
}

crate::text_enum::text_enum!(CommentKind, "comment kind", [
    Comment => "comment",
    Reply => "reply",
    Mention => "mention",
    Tag => "tag",
]);

impl CommentKind {
    /// `true` for the kinds that belong to one of the account's own posts and count
    /// against the platform's comment counter ([`CommentKind::Comment`], [`CommentKind::Reply`]).
    pub fn on_own_post(self) -> bool {
        matches!(self, CommentKind::Comment | CommentKind::Reply)
    }
}

/// One comment, reply, mention or tag as a platform (or a webhook) served it. Comment text
/// is personal data: it is stored in the workspace only, exported with the account and
/// deleted with it (docs/PRIVACY.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentRecord {
    /// The platform's id of the comment (Instagram / Facebook comment id, X post id; for a
    /// tag, the tagged media's id).
    pub external_id: String,
    /// `PostRecord::external_id` of the account's post it is on (the media a mention is
    /// in); `None` for an X mention outside the account's conversations.
    pub post_external_id: Option<String>,
    /// The platform's id of the comment it replies to, for a reply.
    pub parent_external_id: Option<String>,
    /// What it is.
    pub kind: CommentKind,
    /// The author's platform id, when served (Instagram `from.id`, X `author_id`).
    pub author_id: Option<String>,
    /// The author's handle without `@` (Instagram `username`, X `username` from
    /// `includes.users`, Facebook `from.name`), when served.
    pub author_handle: Option<String>,
    /// When it was written, UTC (Instagram `timestamp`, Facebook `created_time`, X
    /// `created_at`, the webhook entry's `time`); `None` when not served (the time it was
    /// first seen is stored then).
    pub created_at: Option<DateTime<Utc>>,
    /// Its text as written; `None` when not served (a mention webhook carries no text).
    pub text: Option<String>,
    /// Likes (count) at read time, when served (Instagram `like_count`, Facebook
    /// `like_count`, X `public_metrics.like_count`).
    pub like_count: Option<i64>,
    /// Replies (count) at read time, when served (Instagram: the `replies` read, Facebook
    /// `comment_count`, X `public_metrics.reply_count`).
    pub reply_count: Option<i64>,
}

/// The comments of one account read in one pass (see `alcance_platforms::PlatformClient::read_comments`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CommentsRead {
    /// Every comment, reply, mention and tag read, without repeats.
    pub comments: Vec<CommentRecord>,
    /// `PostRecord::external_id`s of the posts whose comments were read completely (every
    /// page, every reply): a stored comment of these posts that was not read is deleted on
    /// the platform.
    pub complete_posts: Vec<String>,
    /// Posts and listings that could not be read (a failed page, a permission the token
    /// lacks), as data gaps; what was read is still stored.
    pub gaps: Vec<DataGap>,
}

/// One lifetime-total metric value of a post at collection time (a snapshot: store it
/// dated and derive deltas later). Source: X `public_metrics` / `non_public_metrics`,
/// IG `/{media-id}/insights`, media fields `like_count` / `comments_count`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostMetric {
    /// `PostRecord::external_id` of the post.
    pub post_external_id: String,
    /// Catalog key.
    pub metric: String,
    /// Value in the catalog unit; `None` when the platform served no data.
    pub value: Option<f64>,
}

/// One cell of a demographic breakdown (IG `follower_demographics` by `age`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudienceSlice {
    /// Which audience: `followers` or `engaged_audience`.
    pub audience: String,
    /// Breakdown dimension: `age`, `gender`, `country`, `city`, or several joined by `,`.
    pub dimension: String,
    /// The dimension value(s), joined by `,` in the same order (`"18-24,F"`).
    pub key: String,
    /// Count of accounts in that slice.
    pub value: f64,
    /// Platform timeframe the breakdown covers (`this_month`, `lifetime`, ...).
    pub timeframe: String,
}

/// Platforms whose [`AudienceSlice`]s describe the business itself, not people: WhatsApp
/// Business (conversations, costs and template sends by category, country and phone number;
/// the quality rating and messaging tier of the business's own numbers). Every other
/// platform's audience slices are demographic data about people (followers' and engaged
/// audiences' ages, genders, countries, cities, activity hours) and are collected only under
/// the workspace's consent (docs/PRIVACY.md).
pub const NON_DEMOGRAPHIC_AUDIENCE_PLATFORMS: &[crate::Platform] = &[crate::Platform::Whatsapp];

/// `true` when the audience slices of `platform` are demographic data about people (see
/// [`NON_DEMOGRAPHIC_AUDIENCE_PLATFORMS`]).
pub fn audience_is_demographic(platform: crate::Platform) -> bool {
    !NON_DEMOGRAPHIC_AUDIENCE_PLATFORMS.contains(&platform)
}

/// Something the platform would not give and why: a removed metric, a media without
/// insights, a story with too few viewers. Stored as a run event of level `gap`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataGap {
    /// What was asked for: a platform metric name or an endpoint.
    pub what: String,
    /// The object it was asked of (account or post id).
    pub object_id: String,
    /// Stable machine code: `metric_removed`, `not_enough_viewers`, `media_before_business`,
    /// `permission`, `not_found`, ...
    pub code: String,
    /// The platform's message, scrubbed of tokens.
    pub detail: String,
}

/// One HTTP exchange as archived in `raw_responses`. The URL and request have every
/// secret removed (`access_token`, `Authorization`, ...): see `alcance-platforms::scrub`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawExchange {
    /// HTTP method.
    pub method: String,
    /// The request URL with secrets replaced by `REDACTED`.
    pub url: String,
    /// HTTP status, or 0 when no response arrived (connect error, timeout).
    pub status: u16,
    /// The response body as received (decoded transfer encoding, not yet compressed).
    pub body: Vec<u8>,
    /// When the response arrived, UTC.
    pub fetched_at: DateTime<Utc>,
}

/// Severity of a run event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventLevel {
    /// Progress and facts.
    Info,
    /// Something was skipped but the account still collected.
    Warn,
    /// A platform did not serve a metric or an object (see [`DataGap`]).
    Gap,
    /// The account (or a step) failed; other accounts go on.
    Error,
}

crate::text_enum::text_enum!(EventLevel, "event level", [
    Info => "info",
    Warn => "warn",
    Gap => "gap",
    Error => "error",
]);

/// What a stored Meta webhook event is (`webhook_events.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum WebhookEventKind {
    /// A WhatsApp message status update (`statuses[]`: sent, delivered, read, …).
    #[serde(rename = "message-status")]
    MessageStatus,
    /// An Instagram comment or reply (`field` = `comments`).
    #[serde(rename = "comment")]
    Comment,
    /// An Instagram mention of the account (`field` = `mentions`).
    #[serde(rename = "mention")]
    Mention,
}

crate::text_enum::text_enum!(WebhookEventKind, "webhook event kind", [
    MessageStatus => "message-status",
    Comment => "comment",
    Mention => "mention",
]);

/// A problem met while collecting that did not stop the account (a failed page, a
/// malformed media). Becomes a `run_events` row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollectWarning {
    /// Severity.
    pub level: EventLevel,
    /// Stable code (`decode`, `http_500`, `not_found`, `rate_limited`, ...).
    pub code: String,
    /// What happened, for a person; no secrets.
    pub message: String,
}

/// Everything one collection of one account produced. The store writes a batch in one
/// transaction, so a batch is either fully stored or not at all; a collection that stopped
/// half-way ([`CollectionBatch::stopped`]) is still one batch holding what arrived.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CollectionBatch {
    /// Profile facts, when the profile call succeeded.
    pub profile: Option<Profile>,
    /// Account-level metric values.
    pub account_metrics: Vec<AccountMetric>,
    /// Posts seen in this collection.
    pub posts: Vec<PostRecord>,
    /// Post metric snapshots.
    pub post_metrics: Vec<PostMetric>,
    /// Demographic breakdowns.
    pub audience: Vec<AudienceSlice>,
    /// Metrics or objects the platform did not serve.
    pub gaps: Vec<DataGap>,
    /// Non-fatal problems.
    pub warnings: Vec<CollectWarning>,
    /// Media URLs of the posts (thumbnails, pictures, videos), where the platform gave any.
    #[serde(default)]
    pub media: Vec<PostMedia>,
    /// Why the collection stopped before it had everything (a dead token, a rate limit, a
    /// broken connection, the account's deadline), when it did: the batch then holds only
    /// what arrived before, and is stored as a partial collection. `None` when every step
    /// ran (steps may still have warnings and gaps).
    #[serde(default)]
    pub stopped: Option<Interruption>,
}

/// Why one account's collection stopped half-way (see [`CollectionBatch::stopped`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interruption {
    /// Stable code of the failure (`unauthorized`, `rate_limited`, `transport`, `deadline`,
    /// ...), as in run events.
    pub code: String,
    /// What happened, for a person; no secrets.
    pub message: String,
    /// `true` when the token was refused: the account needs re-authorization.
    pub needs_reauth: bool,
    /// `true` when the platform rate-limited the account (the collector defers it).
    pub rate_limited: bool,
    /// How long until the platform accepts calls again, seconds, when it said so.
    pub retry_after_seconds: Option<u64>,
}

impl CollectionBatch {
    /// Records why the collection stopped, keeping the first reason when it stopped before.
    pub fn stop(&mut self, why: Interruption) {
        if self.stopped.is_none() {
            self.stopped = Some(why);
        }
    }

    /// `true` when the batch holds anything to store (a profile, metrics or posts).
    pub fn has_data(&self) -> bool {
        self.profile.is_some() || self.metric_count() > 0 || !self.posts.is_empty()
    }

    /// Number of metric values (account + post + audience) in the batch.
    pub fn metric_count(&self) -> usize {
        self.account_metrics.len() + self.post_metrics.len() + self.audience.len()
    }
}

/// One row of the account-level long export. Header (fixed by the brief):
/// `user_id,platform,metric_type,value,collected_at,period_start,period_end`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountMetricRow {
    /// The platform's account id.
    pub user_id: String,
    /// Account handle, for sheets and charts (not in the CSV).
    pub username: Option<String>,
    /// Platform.
    pub platform: Platform,
    /// Catalog key.
    pub metric_type: String,
    /// Aggregation period (not in the brief's CSV; in JSON and XLSX).
    pub period: Period,
    /// Value in the catalog unit; `None` when the platform served no data (empty cell).
    pub value: Option<f64>,
    /// When Alcance read it, UTC.
    pub collected_at: DateTime<Utc>,
    /// Period start, UTC.
    pub period_start: DateTime<Utc>,
    /// Period end, UTC.
    pub period_end: DateTime<Utc>,
}

/// One row of the post-level long export. Header:
/// `user_id,platform,post_id,published_at,metric_type,value,collected_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostMetricRow {
    /// The platform's account id.
    pub user_id: String,
    /// Platform.
    pub platform: Platform,
    /// The platform's post id.
    pub post_id: String,
    /// Content type key (not in the brief's CSV; in JSON and XLSX).
    pub content_type: String,
    /// When the post was published, UTC.
    pub published_at: Option<DateTime<Utc>>,
    /// Catalog key.
    pub metric_type: String,
    /// Value in the catalog unit; `None` when the platform served no data.
    pub value: Option<f64>,
    /// When Alcance read this snapshot, UTC.
    pub collected_at: DateTime<Utc>,
}
