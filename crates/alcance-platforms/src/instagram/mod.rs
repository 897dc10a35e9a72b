//! Instagram professional accounts through the Graph API (Facebook Login host
//! `graph.facebook.com` or Instagram Login host `graph.instagram.com`; platform-apis.md §4).
//!
//! [`InstagramClient`] reads the profile (`GET /{ig-user-id}`), account insights (daily
//! time series, per-day totals, reach breakdowns), demographics, media and live stories
//! with cursor paging, and per-media insights with the removed-metric fallback: a metric
//! Meta rejects with `(#100) ... valid insights metric` is dropped, recorded as a
//! [`DataGap`](alcance_core::DataGap) `metric_removed` and remembered for the rest of the collection, while the
//! other metrics still land. Values are mapped to catalog keys through
//! `alcance_core::catalog::map_value`; Meta's empty data is `None`, never 0.
//!
//! Hashtag Search (`ig_hashtag_search`, a hashtag's `top_media` / `recent_media`) lives in
//! `hashtags`.
//!
//! Layout: `wire` (private serde DTOs), `map` (wire → records), `client` (requests).

mod client;
mod descriptor;
pub use descriptor::DESCRIPTOR;
pub(crate) mod fuzz;
mod hashtags;
pub use hashtags::{is_hashtag_limit, HashtagMedia, CAPTION_EXCERPT_CHARS, HASHTAG_MEDIA_FIELDS};
mod map;
mod wire;

pub use client::MAX_MEDIA_PAGES;
pub use map::content_type;

pub(crate) use crate::meta::warning;
/// Shared with Facebook Pages and WhatsApp; defined in [`crate::meta`] (kept here for
/// existing paths).
pub use crate::meta::{InsightsResult, MetricMemory};

use crate::endpoints::Endpoints;
use crate::http::Http;
use alcance_core::{AccountMetric, CollectWarning, PostMedia, PostMetric, PostRecord, Profile};
use url::Url;

/// Which Graph host the token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GraphHost {
    /// Instagram API with Facebook Login: `Endpoints::graph_facebook`
    /// (`https://graph.facebook.com/v25.0`), a user or page token.
    FacebookLogin,
    /// Instagram API with Instagram Login: `Endpoints::graph_instagram`
    /// (`https://graph.instagram.com/v25.0`), an Instagram user token.
    InstagramLogin,
}

impl GraphHost {
    /// The versioned Graph base URL for this host in `endpoints`.
    pub fn base(self, endpoints: &Endpoints) -> &Url {
        match self {
            GraphHost::FacebookLogin => &endpoints.graph_facebook,
            GraphHost::InstagramLogin => &endpoints.graph_instagram,
        }
    }
}

/// The media product whose insights metric list applies (Meta `media_product_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    /// `FEED` (and `AD`): IMAGE, VIDEO and CAROUSEL_ALBUM posts.
    Feed,
    /// `REELS`.
    Reels,
    /// `STORY` (insights only while the story is live, 24 h).
    Story,
}

/// The lifetime metrics a feed post and a reel share, in request order.
const POST_AND_REEL_METRICS: [&str; 7] = [
    "views",
    "reach",
    "likes",
    "comments",
    "shares",
    "saved",
    "total_interactions",
];
/// [`MediaKind::Feed`]'s metrics: the shared ones, then the profile actions.
const FEED_METRICS: [&str; 10] = concat(POST_AND_REEL_METRICS, ["follows", "profile_visits", "profile_activity"]);
/// [`MediaKind::Reels`]'s metrics: the shared ones, then the watch times.
const REELS_METRICS: [&str; 9] = concat(
    POST_AND_REEL_METRICS,
    ["ig_reels_avg_watch_time", "ig_reels_video_view_total_time"],
);

/// `a` followed by `b`, for metric lists built at compile time; `N` must be `A + B` (a
/// wrong length fails the build where the constant is evaluated).
const fn concat<const A: usize, const B: usize, const N: usize>(
    a: [&'static str; A],
    b: [&'static str; B],
) -> [&'static str; N] {
    assert!(A + B == N, "concat: N must be A + B");
    let mut out = [""; N];
    let mut i = 0;
    while i < A {
        out[i] = a[i];
        i += 1;
    }
    let mut j = 0;
    while j < B {
        out[A + j] = b[j];
        j += 1;
    }
    out
}

impl MediaKind {
    /// The `/{ig-media-id}/insights?metric=` list requested for this kind (period lifetime).
    /// Story `navigation` is also requested with `breakdown=story_navigation_action_type`.
    pub fn metrics(self) -> &'static [&'static str] {
        match self {
            MediaKind::Feed => &FEED_METRICS,
            MediaKind::Reels => &REELS_METRICS,
            MediaKind::Story => &[
                "views",
                "reach",
                "replies",
                "shares",
                "total_interactions",
                "follows",
                "profile_visits",
                "navigation",
            ],
        }
    }

    /// The kind for a `media_product_type`: `REELS` → Reels, `STORY` → Story, anything else
    /// (`FEED`, `AD`, unknown, absent) → Feed.
    pub fn from_product_type(media_product_type: Option<&str>) -> MediaKind {
        match media_product_type.map(|p| p.trim().to_ascii_uppercase()).as_deref() {
            Some("REELS") | Some("REEL") => MediaKind::Reels,
            Some("STORY") => MediaKind::Story,
            _ => MediaKind::Feed,
        }
    }

    /// Lower-case key: `feed`, `reels`, `story`.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Feed => "feed",
            MediaKind::Reels => "reels",
            MediaKind::Story => "story",
        }
    }
}

/// One media (post, reel or story) from a listing, with the counts of its node.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaItem {
    /// The post: id, `timestamp` (UTC), content type, permalink, caption.
    pub post: PostRecord,
    /// Meta `media_type` as sent (`IMAGE`, `VIDEO`, `CAROUSEL_ALBUM`).
    pub media_type: Option<String>,
    /// Meta `media_product_type` as sent (`FEED`, `REELS`, `STORY`, `AD`).
    pub media_product_type: Option<String>,
    /// Which insights metric list applies.
    pub kind: MediaKind,
    /// `likes` from `like_count` (absent when the owner hid likes) and `comments` from
    /// `comments_count`: lifetime counts at read time.
    pub node_metrics: Vec<PostMetric>,
    /// The media's picture URL, at most one: an `IMAGE`'s or a `CAROUSEL_ALBUM`'s
    /// `media_url` (the album's cover) as an image, a `VIDEO`'s `thumbnail_url` as a
    /// thumbnail; none for another type, a missing field or a URL that is not http(s).
    pub pictures: Vec<PostMedia>,
}

/// The media read from a paged listing (`/{ig-user-id}/media` or `/stories`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MediaListing {
    /// Media in the order served (newest first), without repeats.
    pub items: Vec<MediaItem>,
    /// Pages that failed after the first, malformed items, paging guard stops.
    pub warnings: Vec<CollectWarning>,
    /// Pages read.
    pub pages: usize,
}

/// An account found with `business_discovery` (public counts of another professional
/// account, read with the owner's token).
#[derive(Debug, Clone, PartialEq)]
pub struct DiscoveredAccount {
    /// Its profile.
    pub profile: Profile,
    /// `followers`, `following`, `media_count` snapshots.
    pub metrics: Vec<AccountMetric>,
    /// Its recent media with node counts (`like_count`, `comments_count`).
    pub media: Vec<MediaItem>,
}

/// The Instagram Graph API client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct InstagramClient {
    http: Http,
    endpoints: Endpoints,
    host: GraphHost,
    insights_in_flight: usize,
}

impl InstagramClient {
    /// A client calling `host`'s base in `endpoints` through `http`, with up to
    /// [`INSIGHTS_IN_FLIGHT`](crate::meta::INSIGHTS_IN_FLIGHT) media insights calls of one
    /// account in flight at once.
    pub fn new(http: Http, endpoints: Endpoints, host: GraphHost) -> Self {
        Self {
            http,
            endpoints,
            host,
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

    /// The host this client calls.
    pub fn host(&self) -> GraphHost {
        self.host
    }

    /// The versioned Graph base URL requests go to.
    pub fn base(&self) -> &Url {
        self.host.base(&self.endpoints)
    }
}
