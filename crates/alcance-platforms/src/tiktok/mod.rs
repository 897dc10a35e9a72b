//! TikTok: the Display API v2 (Login Kit tokens; platform-apis.md §6.1) and the API for
//! Business (TikTok account holder tokens; §6.2).
//!
//! - [`TikTokClient`] reads the token owner's profile (`GET /v2/user/info/`), lists their
//!   videos (`POST /v2/video/list/`, Unix-millisecond cursor, `has_more`, newest first)
//!   and refreshes known ids (`POST /v2/video/query/`, 20 ids per call). It implements
//!   [`crate::PlatformClient`]; with [`TikTokClient::with_business`] its `collect` also
//!   reads the API for Business for accounts that have a Business token.
//! - [`TikTokBusinessClient`] reads `business/get/` (daily followers, profile views, video
//!   views, likes, comments, shares; audience countries, genders, active hours) and
//!   `business/video/list/` (per-video reach, watch time, full-watch rate), and runs the
//!   Business token requests (`tt_user/oauth2/token/`, `tt_user/oauth2/refresh_token/`,
//!   `tt_user/token_info/get/`) whose answers [`parse_business_token`] and
//!   [`parse_business_token_info`] read.
//!
//! Tokens: the Display API takes `Authorization: Bearer <token>`, the API for Business
//! `Access-Token: <token>` (no `Bearer`); tokens never appear in a URL, an archived
//! exchange, a log line or an error message. Business token requests are not archived at
//! all (their answers hold tokens).
//!
//! **Rotating refresh tokens.** TikTok access tokens live 2 hours; refreshing
//! (`grant_type=refresh_token`, [`crate::oauth::refresh`] with [`crate::oauth::Provider::tiktok`])
//! returns a *new* refresh token and invalidates the old one. The caller must store the
//! whole new [`crate::oauth::TokenSet`] (the new refresh token included) in the vault
//! *before* using the new access token: if the process dies between the refresh and the
//! store, the account is locked out until the user signs in again. Business tokens
//! ([`TikTokBusinessClient::refresh`]) live 24 hours; their refresh token keeps the
//! authorization's one-year lifetime (the recorded refresh answer counts
//! `refresh_token_expires_in` down from the authorization), and is stored from each answer
//! the same way in case TikTok rotates it.
//!
//! Errors. Display API: an `error.code` other than `"ok"` is an error even with HTTP 200
//! (`access_token_invalid` → `Unauthorized`, `scope_not_authorized` /
//! `scope_permission_missed` → `Forbidden`, `rate_limit_exceeded` → `RateLimited` with 60 s
//! when no `Retry-After`, `invalid_params` → `Api` 400, `internal_error` → `Api` 500); see
//! [`map_display_error`]. API for Business: `code` other than 0 is an error (40001 /
//! 40102 / 40104 / 40105 → `Unauthorized`, 40100 → `RateLimited`, others `Api`); see
//! [`map_business_error`]. The Business codes follow TikTok's Business API error table as
//! mirrored by integrators (the primary page was not reachable offline): treat them as
//! best knowledge, not a contract.
//!
//! Layout: `wire` (private serde DTOs), `map` (wire → records, error mapping), `client`
//! (Display API requests and `collect`), `business` (API for Business).

mod business;
mod client;
mod descriptor;
pub use descriptor::DESCRIPTOR;
mod map;
mod wire;

pub use business::{
    business_dates, parse_business_token, parse_business_token_info, BusinessToken, BusinessTokenInfo, BusinessTokens,
    TikTokBusinessClient, BUSINESS_ACCOUNT_FIELDS, BUSINESS_VIDEO_FIELDS, MAX_BUSINESS_DAYS,
};
pub use client::{TikTokClient, MAX_VIDEO_PAGES, QUERY_BATCH, USER_FIELDS, VIDEO_FIELDS, VIDEO_PAGE_SIZE};
pub use map::{
    decode_business_account, decode_business_video_page, decode_user, decode_video_page, map_business_error,
    map_display_error, profile_metrics, BUSINESS_DAILY_FIELDS, BUSINESS_VIDEO_FIELDS_MAPPED, DEFAULT_RETRY_AFTER,
    PROFILE_FIELDS, VIDEO_FIELDS_MAPPED,
};

use crate::error::PlatformError;
use alcance_core::{
    AccountMetric, AudienceSlice, CollectWarning, EventLevel, MediaKind, PostMedia, PostMetric, PostRecord, Profile,
};
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::future::Future;

/// The token owner as read from `GET /v2/user/info/` (`data.user`). Counts need the
/// `user.info.stats` scope, profile fields `user.info.profile`; what the answer lacks is
/// `None`, never 0.
#[derive(Debug, Clone, PartialEq)]
pub struct TikTokUser {
    /// `open_id`: the user's id for this app (the account's `external_id`, and the
    /// `business_id` of the API for Business).
    pub open_id: String,
    /// `union_id`: the user's id across the developer's apps.
    pub union_id: Option<String>,
    /// `username`, the handle without `@`.
    pub username: Option<String>,
    /// `display_name`.
    pub display_name: Option<String>,
    /// `avatar_url`.
    pub avatar_url: Option<String>,
    /// `bio_description`.
    pub bio_description: Option<String>,
    /// `profile_deep_link`.
    pub profile_deep_link: Option<String>,
    /// `is_verified`.
    pub is_verified: Option<bool>,
    /// `follower_count`, a count.
    pub follower_count: Option<f64>,
    /// `following_count`, a count.
    pub following_count: Option<f64>,
    /// `likes_count`: likes received on all the user's videos, a count.
    pub likes_count: Option<f64>,
    /// `video_count`: public videos, a count.
    pub video_count: Option<f64>,
}

impl TikTokUser {
    /// The platform-neutral profile (`external_id` = `open_id`).
    pub fn profile(&self) -> Profile {
        Profile {
            external_id: self.open_id.clone(),
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            avatar_url: self.avatar_url.clone(),
        }
    }
}

/// One video with its lifetime-total snapshots (Display API or API for Business).
#[derive(Debug, Clone, PartialEq)]
pub struct TikTokVideo {
    /// The post: id (`id` / `item_id`), `published_at` from `create_time` (Unix seconds,
    /// UTC), content type `video`, permalink `share_url`, caption.
    pub post: PostRecord,
    /// `title` (Display API; `None` for Business videos).
    pub title: Option<String>,
    /// `duration` / `video_duration`, seconds.
    pub duration_seconds: Option<f64>,
    /// `cover_image_url` / `thumbnail_url` (signed URLs that expire after hours).
    pub cover_image_url: Option<String>,
    /// Lifetime totals by catalog key: Display `video_views`, `likes`, `comments`,
    /// `shares`; Business adds `reach`, `full_watch_rate` (ratio 0–1),
    /// `watch_time_seconds`, `watch_time_avg_seconds`. `None` when the answer lacked it.
    pub metrics: Vec<PostMetric>,
}

/// One decoded page of a video listing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VideoPage {
    /// Videos in the order served (newest first).
    pub videos: Vec<TikTokVideo>,
    /// `data.cursor`: send it back for the next page (Display API: Unix milliseconds of the
    /// oldest video returned).
    pub cursor: Option<i64>,
    /// `data.has_more` (`false` when absent).
    pub has_more: bool,
    /// Items skipped because they could not be read (`decode`).
    pub warnings: Vec<CollectWarning>,
}

/// Every video a listing walk read (see [`TikTokClient::videos`],
/// [`TikTokBusinessClient::videos`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VideoListing {
    /// Distinct videos published at or after `since` (or without a `create_time`), newest
    /// first.
    pub videos: Vec<TikTokVideo>,
    /// Pages that failed after the first, skipped items, and guard stops
    /// (`pagination_loop`, `pagination_stalled`, `pagination_no_cursor`, `page_cap`).
    pub warnings: Vec<CollectWarning>,
    /// Pages read.
    pub pages: usize,
}

impl VideoListing {
    /// The posts of the listing, in order.
    pub fn posts(&self) -> Vec<PostRecord> {
        self.videos.iter().map(|v| v.post.clone()).collect()
    }

    /// Every video's cover image (`cover_image_url` / `thumbnail_url`), as a thumbnail.
    pub fn media(&self) -> Vec<PostMedia> {
        self.videos
            .iter()
            .filter_map(|v| PostMedia::new(&v.post.external_id, MediaKind::Thumbnail, v.cover_image_url.as_deref()))
            .collect()
    }

    /// Every metric snapshot of the listing.
    pub fn metrics(&self) -> Vec<PostMetric> {
        self.videos.iter().flat_map(|v| v.metrics.iter().cloned()).collect()
    }
}

/// What `POST /v2/video/query/` returned for a list of ids.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VideoQuery {
    /// The videos TikTok returned.
    pub videos: Vec<TikTokVideo>,
    /// Ids asked for that did not come back (deleted, private, or not the user's).
    pub missing: Vec<String>,
    /// Items skipped because they could not be read.
    pub warnings: Vec<CollectWarning>,
}

/// A share of an audience breakdown (API for Business `audience_countries` /
/// `audience_genders`).
#[derive(Debug, Clone, PartialEq)]
pub struct AudienceShare {
    /// The country code (`BR`) or gender (`Female`, `Male`, `Other`) as sent.
    pub key: String,
    /// The share of followers, ratio 0–1.
    pub share: f64,
}

/// A Business account read with `business/get/` (see [`decode_business_account`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BusinessAccount {
    /// `external_id` = the `business_id` asked for (the Display `open_id`), `username`,
    /// `display_name`, avatar from `profile_image`.
    pub profile: Profile,
    /// `followers_count` at read time, a count.
    pub followers_count: Option<f64>,
    /// Daily values ([`alcance_core::Period::Day`], UTC days): `followers`,
    /// `profile_views`, `video_views`, `likes`, `comments`, `shares`.
    pub daily: Vec<AccountMetric>,
    /// `audience_countries`, shares (ratio 0–1).
    pub audience_countries: Vec<AudienceShare>,
    /// `audience_genders`, shares (ratio 0–1).
    pub audience_genders: Vec<AudienceShare>,
    /// Followers by country and gender (estimated counts) and by active hour.
    pub audience: Vec<AudienceSlice>,
    /// Days or breakdowns that could not be read.
    pub warnings: Vec<CollectWarning>,
}

/// Cap, reason and label of a listing walk.
pub(super) struct Walk<'a> {
    pub since: DateTime<Utc>,
    pub max_pages: usize,
    /// For messages: `TikTok video list`, `TikTok Business video list`.
    pub label: &'a str,
}

fn walk_warning(code: &str, message: String) -> CollectWarning {
    CollectWarning {
        level: EventLevel::Warn,
        code: code.to_string(),
        message,
    }
}

/// Walks a cursor listing (newest first): requests `fetch(None)`, then `fetch(cursor)`
/// while `has_more`, stopping at the first video older than `since`, at a repeated cursor
/// (`pagination_loop`), at a page without a new id (`pagination_stalled`), at `has_more`
/// without a cursor (`pagination_no_cursor`) and after `max_pages` (`page_cap`). Only the
/// first page's failure is an `Err`; a later one ends the walk with a warning.
pub(super) async fn walk_pages<F, Fut>(walk: Walk<'_>, mut fetch: F) -> Result<VideoListing, PlatformError>
where
    F: FnMut(Option<i64>) -> Fut,
    Fut: Future<Output = Result<VideoPage, PlatformError>>,
{
    let label = walk.label;
    let mut listing = VideoListing::default();
    let mut seen_ids: HashSet<String> = HashSet::new();
    let mut seen_cursors: HashSet<i64> = HashSet::new();
    let mut cursor: Option<i64> = None;
    loop {
        let page = match fetch(cursor).await {
            Ok(p) => p,
            Err(e) if listing.pages == 0 => return Err(e),
            Err(e) => {
                tracing::warn!(page = listing.pages + 1, code = %e.code(), "{label}: page failed; keeping earlier pages");
                let mut warning = walk_warning(
                    &e.code(),
                    format!(
                        "{label}: page {} failed, kept the videos of the earlier pages: {e}",
                        listing.pages + 1
                    ),
                );
                if e.stops_account() {
                    // A refused token, a rate limit, a dropped connection: the account
                    // stops here (see `CollectionBatch::stopped`).
                    warning.level = EventLevel::Error;
                }
                listing.warnings.push(warning);
                break;
            }
        };
        listing.pages += 1;
        let pages = listing.pages;
        listing.warnings.extend(page.warnings);
        let mut fresh = 0usize;
        let mut reached_since = false;
        for video in page.videos {
            if !seen_ids.insert(video.post.external_id.clone()) {
                continue;
            }
            fresh += 1;
            if video.post.published_at.is_some_and(|t| t < walk.since) {
                reached_since = true;
                continue;
            }
            listing.videos.push(video);
        }
        if reached_since || !page.has_more {
            break;
        }
        let stop = match page.cursor {
            None => Some((
                "pagination_no_cursor",
                format!("page {pages} said has_more without a cursor"),
            )),
            Some(c) if !seen_cursors.insert(c) => Some((
                "pagination_loop",
                format!("page {pages} repeated a cursor already followed ({c})"),
            )),
            Some(_) if fresh == 0 => Some(("pagination_stalled", format!("page {pages} brought no new videos"))),
            Some(_) if pages >= walk.max_pages => Some((
                "page_cap",
                format!("stopped after {} pages; older videos were not read", walk.max_pages),
            )),
            Some(_) => None,
        };
        if let Some((code, why)) = stop {
            listing.warnings.push(walk_warning(code, format!("{label}: {why}")));
            break;
        }
        cursor = page.cursor;
    }
    tracing::debug!(pages = listing.pages, videos = listing.videos.len(), "{label} read");
    Ok(listing)
}
