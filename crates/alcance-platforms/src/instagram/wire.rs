//! Instagram Graph API wire shapes (serde DTOs). Private to the module: nothing here
//! leaves `instagram`. Every field is lenient (see `crate::lenient`): a value of an
//! unexpected type reads as `None` instead of failing the whole answer, so only non-JSON or
//! structurally broken bodies fail to decode. Insights answers are read as
//! `meta::insights::InsightEntry`, shared with Facebook Pages.

use crate::lenient;
use crate::meta::Paging;
use serde::Deserialize;
use serde_json::Value;

/// IG user node: `GET /{ig-user-id}?fields=...` and `GET /me?fields=user_id,...`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct UserNode {
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: Option<String>,
    /// Instagram Login `/me`: the professional account id used with `/{ig-user-id}/...`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub profile_picture_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub followers_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub follows_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub media_count: Option<f64>,
}

/// `GET /{ig-user-id}?fields=business_discovery.username(u){...}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct DiscoveryAnswer {
    #[serde(default)]
    pub business_discovery: Option<DiscoveredNode>,
}

/// The `business_discovery` object: a user node plus an optional `media` list.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct DiscoveredNode {
    #[serde(flatten)]
    pub user: UserNode,
    #[serde(default)]
    pub media: Option<ListPage>,
}

/// A Graph list: `{"data":[...],"paging":{...}}`. Items stay raw so one malformed item
/// does not fail the page.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ListPage {
    #[serde(default, deserialize_with = "lenient::list")]
    pub data: Vec<Value>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub paging: Option<Paging>,
}

/// IG media node (`/media`, `/stories`, `/{ig-media-id}`).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct MediaNode {
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub caption: Option<String>,
    /// `IMAGE | VIDEO | CAROUSEL_ALBUM`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub media_type: Option<String>,
    /// `FEED | REELS | STORY | AD`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub media_product_type: Option<String>,
    /// `2026-11-20T19:03:11+0000`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub timestamp: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub permalink: Option<String>,
    /// Omitted when the owner hid like counts.
    #[serde(default, deserialize_with = "lenient::f64")]
    pub like_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub comments_count: Option<f64>,
    /// The media's file: an IMAGE's picture, a CAROUSEL_ALBUM's cover (its first child),
    /// a VIDEO's video file. A signed CDN URL; omitted for copyrighted media.
    #[serde(default, deserialize_with = "lenient::string")]
    pub media_url: Option<String>,
    /// A VIDEO's (reel's, video story's) cover picture; absent on pictures.
    #[serde(default, deserialize_with = "lenient::string")]
    pub thumbnail_url: Option<String>,
}
