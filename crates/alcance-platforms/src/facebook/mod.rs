//! Facebook Pages through the Graph API (`graph.facebook.com`, token as the `access_token`
//! query parameter; platform-apis.md §2–§3).
//!
//! # Tokens and accounts
//!
//! A Facebook Page is collected with its **Page access token**. Connecting goes: Facebook
//! Login → user token (long-lived exchange in `oauth`) → [`FacebookClient::pages`]
//! (`GET /me/accounts`) lists the pages the user manages with one page token each → the app
//! registers every page as its own account (`external_id` = page id) and stores that page
//! token in the vault. So [`PlatformClient::whoami`](crate::PlatformClient::whoami) takes
//! the **user** token and returns the Facebook *user* (`GET /me?fields=id,name`), never a
//! page, while [`PlatformClient::collect`](crate::PlatformClient::collect) takes the
//! **page** token in `CollectCtx::token` and the page id in `CollectCtx::account`. A page
//! whose `tasks` lack `ANALYZE` is listed with `can_analyze == false`: its insights calls
//! are refused and become a `permission` gap. A tracked page (`owned == false`) is read
//! with another page's token: node counts and posts only, no insights.
//!
//! # What is collected and how it maps
//!
//! | source | catalog key | period |
//! |---|---|---|
//! | page node `followers_count` / `fan_count` / `talking_about_count` | `followers` / `page_likes` / `talking_about` | snapshot |
//! | `page_media_view` / `page_total_media_view_unique` | `views` / `reach` | day |
//! | `page_post_engagements` / `page_views_total` | `total_interactions` / `profile_views` | day |
//! | `page_daily_follows_unique` / `page_daily_unfollows_unique` | `followers_gained` / `followers_lost` | day |
//! | `page_follows` (total at the end of the day) | `followers` | day |
//! | post node `reactions.summary` / `comments.summary` / `shares.count` | `reactions` / `comments` / `shares` | lifetime snapshot |
//! | post insights `post_media_view` / `post_total_media_view_unique` / `post_clicks` | `views` / `reach` / `clicks` | lifetime snapshot |
//! | `post_reactions_by_type_total` `{like, love, wow, haha, sorry, anger}` | `likes`, `reactions_love`, `reactions_wow`, `reactions_haha`, `reactions_sad`, `reactions_angry` | lifetime snapshot |
//! | video insights `total_video_views` / `total_video_views_unique` | `video_views` / `video_viewers` | lifetime snapshot |
//! | `total_video_avg_time_watched` / `total_video_view_total_time` (ms) | `watch_time_avg_seconds` / `watch_time_seconds` (s) | lifetime snapshot |
//!
//! Reactions by type are per-type post metrics, not audience slices (an
//! [`AudienceSlice`](alcance_core::AudienceSlice) has no post id); a type outside the list
//! becomes an `unknown_metric` gap. Insights `end_time` is the END of the bucket
//! (`2026-11-20T08:00:00+0000` closes the Pacific day that began at `2026-11-19T08:00Z`):
//! `period_start = end_time − 1 day`, UTC. Meta's empty data is `None`, never 0.
//!
//! Page insights are requested in small metric groups ([`PAGE_METRIC_GROUPS`]) over ≤ 90-day
//! `since`/`until` chunks of at most the last two years. A metric Meta rejects with
//! `(#100) The value must be a valid insights metric` is dropped, recorded once as a
//! `metric_removed` gap, remembered for the rest of the collection ([`MetricMemory`]),
//! and the other metrics still land.
//!
//! A video published on a page is both a post (`status_type` `added_video`) and a video
//! object with another id. [`PlatformClient::collect`](crate::PlatformClient::collect)
//! attaches a video's insights to the `added_video` post created within
//! [`VIDEO_POST_MATCH_SECONDS`] of it, so the post is not counted twice; an unmatched video
//! is stored as its own post (`ContentType::Video`).
//!
//! Layout: `wire` (private serde DTOs), `map` (wire → records), `client` (requests).

mod client;
mod descriptor;
pub use descriptor::DESCRIPTOR;
pub(crate) mod fuzz;
mod map;
mod wire;

pub use crate::meta::Listing;
pub use crate::meta::{InsightsResult, MetricMemory};
pub use client::{Permissions, MAX_PAGES, PAGE_METRIC_GROUPS, POST_METRICS, VIDEO_METRICS, VIDEO_POST_MATCH_SECONDS};
pub use map::content_type;

use crate::endpoints::Endpoints;
use crate::http::Http;
use alcance_core::{PostMetric, PostRecord};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use url::Url;

/// One page the user manages, from `GET /me/accounts` (`data[]`).
#[derive(Debug, Clone)]
pub struct PageAccess {
    /// Page id (`id`): the account's `external_id`.
    pub id: String,
    /// Page name (`name`).
    pub name: Option<String>,
    /// Page category (`category`, localized by Meta, e.g. `Marketing Agency`).
    pub category: Option<String>,
    /// The user's tasks on the page (`tasks`: `ANALYZE`, `ADVERTISE`, `MODERATE`,
    /// `CREATE_CONTENT`, `MANAGE`, `MESSAGING`), as sent.
    pub tasks: Vec<String>,
    /// The Page access token (`access_token`). Goes to the vault only: never log, store in
    /// SQLite or export it.
    pub token: SecretString,
    /// `true` when `tasks` holds `ANALYZE`, which Page insights require; `false` pages get
    /// a `permission` gap instead of insights.
    pub can_analyze: bool,
    /// The Instagram professional account linked to the page
    /// (`instagram_business_account.id`), when there is one.
    pub instagram_business_account: Option<String>,
}

/// One page post from `GET /{page-id}/posts`, with the counts of its node.
#[derive(Debug, Clone, PartialEq)]
pub struct PagePost {
    /// Id (`{page-id}_{post-id}`), `created_time` (UTC), content type from `status_type`,
    /// `permalink_url`, `message`.
    pub post: PostRecord,
    /// Meta `status_type` as sent (`added_photos`, `added_video`, `shared_story`,
    /// `mobile_status_update`, ...).
    pub status_type: Option<String>,
    /// `full_picture`: URL of the post's picture, when it has one.
    pub picture: Option<String>,
    /// Lifetime counts at read time: `reactions` (`reactions.summary.total_count`),
    /// `comments` (`comments.summary.total_count`), `shares` (`shares.count`; Meta omits
    /// `shares` when nobody shared, so an absent field gives no metric rather than 0).
    pub node_metrics: Vec<PostMetric>,
}

/// One video from `GET /{page-id}/videos`.
#[derive(Debug, Clone, PartialEq)]
pub struct PageVideo {
    /// Video id, `created_time` (UTC), `ContentType::Video`, `permalink_url` (made absolute
    /// on `https://www.facebook.com` when Meta sends a path), `description` (or `title`).
    pub post: PostRecord,
    /// `title`, when set.
    pub title: Option<String>,
    /// `length`: duration in seconds.
    pub length_seconds: Option<f64>,
    /// `updated_time`, UTC.
    pub updated_at: Option<DateTime<Utc>>,
}

/// The Facebook Pages Graph API client (`Endpoints::graph_facebook`). Cheap to clone.
#[derive(Debug, Clone)]
pub struct FacebookClient {
    http: Http,
    endpoints: Endpoints,
    insights_in_flight: usize,
}

impl FacebookClient {
    /// A client calling `endpoints.graph_facebook` through `http`, with up to
    /// [`INSIGHTS_IN_FLIGHT`](crate::meta::INSIGHTS_IN_FLIGHT) post or video insights calls
    /// of one page in flight at once.
    pub fn new(http: Http, endpoints: Endpoints) -> Self {
        Self {
            http,
            endpoints,
            insights_in_flight: crate::meta::INSIGHTS_IN_FLIGHT,
        }
    }

    /// This client with at most `calls` (at least 1; 1 = one after the other) post or
    /// video insights calls of one page in flight at once. The outcomes are the same
    /// whatever the number (see `meta::in_flight`).
    pub fn with_insights_in_flight(mut self, calls: usize) -> Self {
        self.insights_in_flight = calls.max(1);
        self
    }

    /// The versioned Graph base URL requests go to (`https://graph.facebook.com/v25.0`).
    pub fn base(&self) -> &Url {
        &self.endpoints.graph_facebook
    }
}
