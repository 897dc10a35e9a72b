//! Threads (Meta's Threads API, `graph.threads.net/v1.0`, token as the `access_token`
//! query parameter; platform-apis-more.md §4). Requests, the error envelope, paging and
//! insights reuse the Graph plumbing of [`crate::meta`]: Threads answers with the Graph
//! error object and Graph paging.
//!
//! # Tokens and accounts
//!
//! Threads accepts only HTTPS redirect URIs and its code exchange needs the app secret, so
//! the desktop's loopback flow cannot be used ([`ConnectKind::HttpsRedirect`]). An owned
//! account connects with a long-lived token (60 days) pasted from Meta's token generator
//! (validated with `GET /me`), or with an authorization code that a hosted HTTPS callback
//! page hands back through the `alcance://threads/callback` deep link
//! ([`crate::oauth::exchange_threads_code`]: code → 1 h token → 60-day token), or on a
//! team server's own HTTPS callback (`alcance serve`: `POST /api/v1/connect/threads`,
//! `GET /oauth/threads/callback`), which exchanges the code the same way. The token
//! is refreshed once a day old (`GET /refresh_access_token?grant_type=th_refresh_token`,
//! [`Renewal::RefreshWhenAged`](crate::registry::Renewal)). The account's `external_id`
//! is the Threads user id.
//!
//! # What is collected and how it maps
//!
//! | source | catalog key | where |
//! |---|---|---|
//! | `threads_insights` `followers_count` | `followers` | snapshot at `window.until` |
//! | `threads_insights` `views` (daily profile views) | `profile_views` | `Period::Day` series |
//! | `threads_insights` `likes` / `replies` / `reposts` / `quotes` / `clicks` | `likes` / `replies` / `reposts` / `quotes` / `link_clicks` | `Period::Day`, one call per full UTC day |
//! | `threads_insights` `follower_demographics` × `country` / `city` / `age` / `gender` | — | audience slices `followers` (timeframe `lifetime`) |
//! | `/me/threads` items | — | posts (`REPOST_FACADE` items are someone else's post: skipped) |
//! | `/me/threads` `media_url` (`IMAGE`, `CAROUSEL_ALBUM`) / `thumbnail_url` (`VIDEO`) | — | the post's picture URL (`batch.media`; docs/media.md) |
//! | `/{media-id}/insights` `views` / `likes` / `replies` / `reposts` / `quotes` / `shares` | same keys | post metrics (lifetime counts) |
//!
//! **Lookback.** User insights do not reach before 2024-04-13 ([`INSIGHTS_EPOCH`],
//! Unix 1712991600) nor, like Graph insights, more than two years back; the window is
//! clamped to both ([`insights_floor`]). Posts are listed for the whole window.
//!
//! **Not collected:** `clicks` per link (summed into `link_clicks`), `is_quote_post`
//! (kept on [`ThreadsMedia`] only), other users' profiles (`profile_lookup` needs the
//! `threads_profile_discovery` permission and Meta's app review).
//!
//! Layout: `wire` (private serde DTOs), `map` (wire → records), `client` (requests).
//!
//! [`ConnectKind::HttpsRedirect`]: crate::registry::ConnectKind::HttpsRedirect

mod client;
mod descriptor;
pub use descriptor::DESCRIPTOR;
pub(crate) mod fuzz;
mod map;
mod wire;

pub use client::{MAX_PAGES, MEDIA_METRICS, TOTAL_METRICS};
pub use map::content_type;

use crate::endpoints::Endpoints;
use crate::error::PlatformError;
use crate::http::{Answer, Http};
use crate::meta::InsightsResult;
use crate::CollectWindow;
use alcance_core::{PostMedia, PostRecord, Profile};
use chrono::{DateTime, Duration, Utc};
use url::Url;

/// The earliest `since` user insights answer for: 2024-04-13T07:00:00Z (Unix 1712991600,
/// Threads insights docs, "Limitations").
pub const INSIGHTS_EPOCH: i64 = 1_712_991_600;

/// How far back user insights are asked, days (two years, as Graph insights).
pub const LOOKBACK_DAYS: i64 = 730;

/// The earliest instant user insights of `window` are asked for (UTC): the latest of
/// `window.since`, [`INSIGHTS_EPOCH`] and `window.until − LOOKBACK_DAYS`.
pub fn insights_floor(window: CollectWindow) -> DateTime<Utc> {
    let epoch = DateTime::<Utc>::from_timestamp(INSIGHTS_EPOCH, 0).unwrap_or(window.since);
    window
        .since
        .max(epoch)
        .max(window.until - Duration::days(LOOKBACK_DAYS))
}

/// One item of `/me/threads`.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadsMedia {
    /// The post: id, `timestamp` (UTC), content type, permalink, text.
    pub post: PostRecord,
    /// Threads `media_type` as sent (`TEXT_POST`, `IMAGE`, `VIDEO`, `CAROUSEL_ALBUM`,
    /// `AUDIO`, `REPOST_FACADE`).
    pub media_type: Option<String>,
    /// `true` for `REPOST_FACADE`: someone else's post the account reposted (no insights,
    /// not stored as the account's post).
    pub repost: bool,
    /// `is_quote_post`.
    pub quote: bool,
    /// The post's picture URL, at most one: an `IMAGE`'s or a `CAROUSEL_ALBUM`'s
    /// `media_url` as an image, a `VIDEO`'s `thumbnail_url` as a thumbnail; none for text,
    /// audio or another type, a missing field or a URL that is not http(s).
    pub pictures: Vec<PostMedia>,
}

/// The Threads API client (`Endpoints::threads_api`). Cheap to clone.
#[derive(Debug, Clone)]
pub struct ThreadsClient {
    http: Http,
    endpoints: Endpoints,
    insights_in_flight: usize,
}

impl ThreadsClient {
    /// A client calling `endpoints.threads_api` through `http`, with up to
    /// [`INSIGHTS_IN_FLIGHT`](crate::meta::INSIGHTS_IN_FLIGHT) media insights calls of one
    /// account in flight at once.
    pub fn new(http: Http, endpoints: Endpoints) -> Self {
        Self {
            http,
            endpoints,
            insights_in_flight: crate::meta::INSIGHTS_IN_FLIGHT,
        }
    }

    /// This client with at most `calls` (at least 1; 1 = one after the other) media
    /// insights calls of one account in flight at once. The outcomes are the same whatever
    /// the number (see `meta::in_flight`).
    pub fn with_insights_in_flight(mut self, calls: usize) -> Self {
        self.insights_in_flight = calls.max(1);
        self
    }

    /// The versioned base URL requests go to (`https://graph.threads.net/v1.0`).
    pub fn base(&self) -> &Url {
        &self.endpoints.threads_api
    }
}

/// The answer of `GET /me` or `GET /{threads-user-id}` → the profile. Errors: the mapped
/// Graph error ([`map_error`]) for a failed answer; `Decode` (naming the endpoint) for a
/// body that is not a user node with an id.
pub fn decode_profile(answer: &Answer) -> Result<Profile, PlatformError> {
    let answer = crate::meta::check(answer.clone(), None)?;
    let node: wire::UserNode = answer.json()?;
    map::profile(&node).ok_or_else(|| PlatformError::decode(&answer.endpoint, "the user node has no id", &answer.body))
}

/// One page of `/me/threads` → its items (repost facades included, marked) and the
/// `after` cursor when `paging.next` says there is a next page. Items without an id are
/// skipped. Errors: the mapped Graph error; `Decode` for a body that is not a Graph list.
pub fn decode_threads_page(answer: &Answer) -> Result<(Vec<ThreadsMedia>, Option<String>), PlatformError> {
    #[derive(serde::Deserialize)]
    struct Page {
        #[serde(default, deserialize_with = "crate::lenient::list")]
        data: Vec<serde_json::Value>,
        #[serde(default, deserialize_with = "crate::lenient::object")]
        paging: Option<crate::meta::Paging>,
    }
    let answer = crate::meta::check(answer.clone(), None)?;
    let page: Page = answer.json()?;
    let items = page
        .data
        .into_iter()
        .filter_map(|v| serde_json::from_value::<wire::MediaNode>(v).ok())
        .filter_map(map::media)
        .collect();
    let after = page.paging.as_ref().and_then(|p| p.next_after()).map(str::to_string);
    Ok((items, after))
}

/// The answer of `GET /{media-id}?fields=id,media_type,permalink,text,timestamp,…` → the
/// post. Errors: the mapped Graph error; `Decode` (naming the endpoint) for a body that is
/// not a Threads post: no id, or neither `media_type` nor `timestamp` (a publishing
/// container's `{id, status, error_message}`, which Alcance never reads).
pub fn decode_media_node(answer: &Answer) -> Result<ThreadsMedia, PlatformError> {
    let answer = crate::meta::check(answer.clone(), None)?;
    let node: wire::MediaNode = answer.json()?;
    if node.media_type.is_none() && node.timestamp.is_none() {
        return Err(PlatformError::decode(
            &answer.endpoint,
            "not a Threads post (no media_type nor timestamp; a publishing container?)",
            &answer.body,
        ));
    }
    map::media(node).ok_or_else(|| PlatformError::decode(&answer.endpoint, "the media node has no id", &answer.body))
}

/// The answer of `GET /{media-id}/insights?metric=…` → post metrics of `media_id`
/// (`requested`: the metrics asked, so a missing one is stored as `None`). Errors: the
/// mapped Graph error; `Decode` for a body that is not a Graph list.
pub fn decode_media_insights(
    answer: &Answer,
    media_id: &str,
    requested: &[&str],
) -> Result<InsightsResult, PlatformError> {
    let entries = client::entries(answer)?;
    let mut out = InsightsResult::default();
    let requested: Vec<String> = requested.iter().map(|s| s.to_string()).collect();
    map::post_metrics(
        &entries,
        &requested,
        media_id,
        &mut crate::meta::MetricMemory::new(),
        &mut out,
    );
    Ok(out)
}

/// Maps a failed Threads answer to the error a caller acts on (the Graph envelope: 190 →
/// `Unauthorized`, 4 / 17 / 32 / 613 → `RateLimited`, 10 / 200-series → `Forbidden`, 100
/// with subcode 33 → `NotFound`, else `Api` naming the endpoint).
pub fn map_error(answer: &Answer) -> PlatformError {
    crate::meta::error_from_answer(answer, None)
}
