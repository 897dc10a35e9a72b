//! Serde DTOs of the X API v2 answers this client reads (platform-apis.md §1.3–1.8).
//!
//! Private to `x`: nothing here leaves the module. Required fields (`data[].id`, a user's
//! `id` and `username`) are plain types so a body without them fails to decode; everything
//! else is optional, and numbers are read leniently (a number, a numeric string or `null`)
//! so one odd counter never sinks a whole page.

use crate::lenient;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// A JSON number or numeric string as `f64` (shared: [`crate::meta::number`]).
pub(super) use crate::meta::number as value_as_f64;

/// `{"data": <T>?, "includes"?, "meta"?, "errors"?}`: the v2 success envelope.
/// `data` is kept raw so a single object (`/2/tweets/{id}`) and an array (`/2/tweets?ids=`)
/// both decode, and so a malformed item is reported with its own serde message.
#[derive(Debug, Deserialize)]
pub(super) struct Envelope {
    #[serde(default)]
    pub data: Option<Value>,
    #[serde(default)]
    pub includes: Option<Includes>,
    #[serde(default)]
    pub meta: Option<Meta>,
    /// Partial errors served with HTTP 200 (items of the problem shape).
    #[serde(default)]
    pub errors: Option<Vec<PartialError>>,
}

/// `includes`: expanded objects. Only `media` is read.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Includes {
    #[serde(default)]
    pub media: Option<Vec<Media>>,
}

/// `meta` of a paginated answer (`result_count`, `newest_id`, `oldest_id` are not needed).
#[derive(Debug, Default, Deserialize)]
pub(super) struct Meta {
    #[serde(default)]
    pub next_token: Option<String>,
}

/// A user object (`user.fields=id,name,username,created_at,profile_image_url,verified,public_metrics`).
#[derive(Debug, Deserialize)]
pub(super) struct User {
    pub id: String,
    pub username: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub profile_image_url: Option<String>,
    #[serde(default)]
    pub verified: Option<bool>,
    /// `followers_count`, `following_count`, `tweet_count`, `listed_count`, and newer
    /// `like_count`, `media_count`; kept as a map so unknown counters pass through.
    #[serde(default)]
    pub public_metrics: Option<BTreeMap<String, Value>>,
}

/// A post (`tweet.fields=created_at,public_metrics,attachments,conversation_id`, and
/// `non_public_metrics,organic_metrics` on the owner's lookup).
#[derive(Debug, Deserialize)]
pub(super) struct Tweet {
    pub id: String,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub public_metrics: Option<PublicMetrics>,
    #[serde(default)]
    pub non_public_metrics: Option<NonPublicMetrics>,
    #[serde(default)]
    pub attachments: Option<Attachments>,
}

/// `public_metrics` of a post (any auth).
#[derive(Debug, Default, Deserialize)]
pub(super) struct PublicMetrics {
    #[serde(default, deserialize_with = "lenient::f64")]
    pub retweet_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub reply_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub like_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub quote_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub bookmark_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub impression_count: Option<f64>,
}

/// `non_public_metrics` of a post (owner's user-context token, post ≤ 30 days old).
#[derive(Debug, Default, Deserialize)]
pub(super) struct NonPublicMetrics {
    #[serde(default, deserialize_with = "lenient::f64")]
    pub impression_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub url_link_clicks: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub user_profile_clicks: Option<f64>,
}

/// `attachments` of a post.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Attachments {
    #[serde(default)]
    pub media_keys: Option<Vec<String>>,
}

/// `includes.media[]` (`media.fields=type,duration_ms,public_metrics,preview_image_url,url`).
#[derive(Debug, Deserialize)]
pub(super) struct Media {
    pub media_key: String,
    /// `photo`, `video`, `animated_gif`; other values are kept, not rejected.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub public_metrics: Option<MediaPublicMetrics>,
    /// A photo's file (`https://pbs.twimg.com/media/<id>.jpg`); absent on videos.
    #[serde(default, deserialize_with = "lenient::string")]
    pub url: Option<String>,
    /// A video's or GIF's still preview (`https://pbs.twimg.com/…_thumb/<id>/img/<id>.jpg`).
    #[serde(default, deserialize_with = "lenient::string")]
    pub preview_image_url: Option<String>,
}

/// `public_metrics` of a media item.
#[derive(Debug, Default, Deserialize)]
pub(super) struct MediaPublicMetrics {
    #[serde(default, deserialize_with = "lenient::f64")]
    pub view_count: Option<f64>,
}

/// One item of `errors[]`: a partial error with HTTP 200 (`value`, `detail`, `title`,
/// `resource_type`, `parameter`, `resource_id`, `type`, `field`), an invalid-request
/// item (`parameters`, `message`) or a v1.1 item (`code`, `message`).
#[derive(Debug, Default, Deserialize)]
pub(super) struct PartialError {
    #[serde(default)]
    pub value: Option<Value>,
    #[serde(default)]
    pub detail: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub resource_id: Option<String>,
    #[serde(default)]
    pub parameter: Option<String>,
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default, rename = "type")]
    pub problem_type: Option<String>,
    #[serde(default)]
    pub code: Option<Value>,
    #[serde(default)]
    pub message: Option<String>,
}

/// An error body: RFC 7807 problem+json (`title`, `detail`, `type`, `status`, `reason`),
/// optionally with `errors[]`, or the v1.1 shape `{"errors":[{"code":88,"message"}]}`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Problem {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
    #[serde(default, rename = "type")]
    pub problem_type: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub errors: Option<Vec<PartialError>>,
}
