//! X API v2 client (platform-apis.md §1): the owner's profile (`GET /2/users/me`), tracked
//! profiles (`/2/users/by/username/{username}`, `/2/users/{id}`), the posts timeline
//! (`/2/users/{id}/tweets`, every page) and the owner's non-public post metrics
//! (`/2/tweets?ids=`, posts under 30 days old), and recent post counts of a query
//! (`/2/tweets/counts/recent`, app-only bearer; `counts`).
//!
//! Layout: `wire` holds the serde DTOs (private to this module), `map` turns them into
//! `alcance_core` records through the metric catalog and maps error bodies, `client` makes
//! the requests. The public surface is wire-independent: [`XClient`], [`XUser`],
//! [`Timeline`], [`PostsPage`], [`RateLimit`] and the decode functions, which also let
//! tests and the sandbox read a recorded answer exactly as the client would.
//!
//! Tokens are only ever sent as `Authorization: Bearer <token>`; they never appear in a
//! URL, an archived exchange, a log line or an error message.

mod client;
mod counts;
mod descriptor;
pub use descriptor::DESCRIPTOR;
mod map;
mod mentions;
mod wire;

use alcance_core::{CollectWarning, DataGap, PostMedia, PostMetric, PostRecord, Profile};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

pub use client::{
    rate_limit, RateLimit, XClient, MAX_TIMELINE_PAGES, PRIVATE_METRICS_BATCH, PRIVATE_METRICS_MAX_AGE_DAYS,
};
pub use counts::{decode_post_counts, CountBucket, PostCounts};
pub use map::{
    decode_posts, decode_private_metrics, decode_user, decode_users, map_error, profile_metrics, PROFILE_FIELDS,
};
pub use mentions::{decode_mentions, Mentions, MentionsPage, MAX_MENTION_PAGES};

/// An X user as read from a user lookup (`data` of `/2/users/me`, `/2/users/{id}`,
/// `/2/users/by/username/{username}`; items of `/2/users?ids=` and `/2/users/by?usernames=`).
#[derive(Debug, Clone, PartialEq)]
pub struct XUser {
    /// User id (`data.id`), a decimal string.
    pub id: String,
    /// Handle without `@` (`data.username`).
    pub username: String,
    /// Display name (`data.name`).
    pub name: Option<String>,
    /// Profile picture URL (`data.profile_image_url`).
    pub avatar_url: Option<String>,
    /// Account creation time, UTC (`data.created_at`); `None` when absent or unreadable.
    pub created_at: Option<DateTime<Utc>>,
    /// Verified badge (`data.verified`).
    pub verified: Option<bool>,
    /// Every numeric counter of `data.public_metrics`, keyed by its X field name
    /// (`followers_count`, `following_count`, `tweet_count`, `listed_count`, and newer
    /// `like_count` / `media_count`), as counts. `None` when the answer had no
    /// `public_metrics` object (it was not requested); a counter missing from the object is
    /// simply absent from the map, never 0.
    pub public_metrics: Option<BTreeMap<String, f64>>,
}

impl XUser {
    /// The platform-neutral profile (`external_id` = `id`).
    pub fn profile(&self) -> Profile {
        Profile {
            external_id: self.id.clone(),
            username: Some(self.username.clone()),
            display_name: self.name.clone(),
            avatar_url: self.avatar_url.clone(),
        }
    }
}

/// One decoded page of posts (`/2/users/{id}/tweets`, `/2/users/{id}/mentions`,
/// `/2/tweets/search/*`, `/2/tweets?ids=`, `/2/tweets/{id}`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PostsPage {
    /// The posts of the page, in the order served (newest first on timelines).
    pub posts: Vec<PostRecord>,
    /// Public lifetime-total snapshots of those posts: `likes`, `replies`, `reposts`,
    /// `quotes`, `bookmarks`, `impressions` (from `public_metrics`, only for posts that
    /// carry a `public_metrics` object; a counter it lacks is `None`) and `video_views`
    /// (sum of `includes.media[].public_metrics.view_count` of the post's videos and GIFs,
    /// only for posts with such media; X aggregates a media's views across every post
    /// that contains it).
    pub metrics: Vec<PostMetric>,
    /// `meta.next_token`: send it back as `pagination_token` for the next page; `None` on
    /// the last page.
    pub next_token: Option<String>,
    /// Partial errors served with HTTP 200 (`errors[]`), one per item.
    pub gaps: Vec<DataGap>,
    /// The posts' picture URLs, at most one per post: its first attached media that has
    /// one, a `photo`'s `url` as an image or a `video`'s / `animated_gif`'s
    /// `preview_image_url` as a thumbnail (from `includes.media`, matched by `media_key`).
    pub media: Vec<PostMedia>,
}

/// Everything a timeline walk collected (see [`XClient::timeline`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    /// Every distinct post of every page read.
    pub posts: Vec<PostRecord>,
    /// Public metric snapshots of those posts (see [`PostsPage::metrics`]).
    pub metrics: Vec<PostMetric>,
    /// The posts' picture URLs (see [`PostsPage::media`]).
    pub media: Vec<PostMedia>,
    /// Pages that failed after the first, pagination guards that stopped the walk, and
    /// partial errors of a page (level `gap`).
    pub warnings: Vec<CollectWarning>,
    /// Why the walk stopped before its end when a later page failed in a way that stops
    /// the account (a refused token, a rate limit, a dropped connection, the deadline).
    pub stopped: Option<alcance_core::Interruption>,
}
