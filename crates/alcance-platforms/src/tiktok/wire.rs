//! TikTok wire shapes (serde DTOs) of the Display API v2 (`open.tiktokapis.com/v2/...`)
//! and the API for Business (`business-api.tiktok.com/open_api/v1.3/...`). Private to the
//! module: nothing here leaves `tiktok`.
//!
//! Every field is lenient: a value of an unexpected type reads as `None` (a number may also
//! come as a numeric string), so only non-JSON bodies, a missing envelope or a missing
//! required id fail to decode. List items are kept as raw JSON and decoded one by one, so
//! one malformed video costs a warning, not the page.

use crate::lenient;
use serde::Deserialize;
use serde_json::Value;

pub(super) use crate::lenient::kind;

// ---------------------------------------------------------------------------------------
// Display API v2

/// `error` of a Display API answer: `{"code":"ok"|"access_token_invalid"|...,"message","log_id"}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct DisplayError {
    #[serde(default, deserialize_with = "lenient::string")]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub log_id: Option<String>,
}

/// `data` of `GET /v2/user/info/`.
#[derive(Debug, Deserialize)]
pub(super) struct UserData {
    pub user: User,
}

/// `data.user` (fields as requested; counts need `user.info.stats`, profile fields
/// `user.info.profile`).
#[derive(Debug, Deserialize)]
pub(super) struct User {
    #[serde(deserialize_with = "lenient::required_id")]
    pub open_id: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub union_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub avatar_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub bio_description: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub profile_deep_link: Option<String>,
    #[serde(default, deserialize_with = "lenient::bool")]
    pub is_verified: Option<bool>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub follower_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub following_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub likes_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub video_count: Option<f64>,
}

/// `data` of a video page, the same shape in both APIs: `POST /v2/video/list/` (`videos`,
/// `cursor` in Unix ms, `has_more`), `POST /v2/video/query/` (`videos` only) and
/// `GET business/video/list/`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct VideoData {
    #[serde(default, deserialize_with = "lenient::list")]
    pub videos: Vec<Value>,
    #[serde(default, deserialize_with = "lenient::i64_truncated")]
    pub cursor: Option<i64>,
    #[serde(default, deserialize_with = "lenient::bool")]
    pub has_more: Option<bool>,
}

/// The fields a Display API video and an API for Business video share, under the same wire
/// names (flattened into [`Video`] and [`BizVideo`]).
#[derive(Debug, Default, Deserialize)]
pub(super) struct VideoCommon {
    /// Unix seconds, UTC (sent as a number or a numeric string).
    #[serde(default, deserialize_with = "lenient::i64_truncated")]
    pub create_time: Option<i64>,
    /// The public link to the video.
    #[serde(default, deserialize_with = "lenient::string")]
    pub share_url: Option<String>,
}

/// One video of `data.videos[]`.
#[derive(Debug, Deserialize)]
pub(super) struct Video {
    #[serde(deserialize_with = "lenient::required_id")]
    pub id: String,
    /// `create_time`, `share_url`.
    #[serde(flatten)]
    pub common: VideoCommon,
    #[serde(default, deserialize_with = "lenient::string")]
    pub cover_image_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub video_description: Option<String>,
    /// Seconds.
    #[serde(default, deserialize_with = "lenient::f64")]
    pub duration: Option<f64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub like_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub comment_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub share_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub view_count: Option<f64>,
}

// ---------------------------------------------------------------------------------------
// API for Business

/// The Business envelope `{code, message, request_id, data}`; `code` 0 is success.
#[derive(Debug, Default, Deserialize)]
pub(super) struct BizEnvelope {
    #[serde(default, deserialize_with = "lenient::i64_truncated")]
    pub code: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub request_id: Option<String>,
    #[serde(default)]
    pub data: Option<Value>,
}

/// `data` of `GET business/get/`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct BizAccount {
    #[serde(default, deserialize_with = "lenient::string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub profile_image: Option<String>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub followers_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub audience_countries: Vec<Value>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub audience_genders: Vec<Value>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub metrics: Vec<Value>,
}

/// One share of an audience breakdown: `{"country":"BR","percentage":0.61}` or
/// `{"gender":"Female","percentage":0.55}`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct BizShare {
    #[serde(default, deserialize_with = "lenient::string")]
    pub country: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub gender: Option<String>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub percentage: Option<f64>,
}

/// One day of `data.metrics[]`.
#[derive(Debug, Deserialize)]
pub(super) struct BizDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub followers_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub profile_views: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub video_views: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub likes: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub comments: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub shares: Option<f64>,
    #[serde(default, deserialize_with = "lenient::list")]
    pub audience_activity: Vec<Value>,
}

/// One hour of `audience_activity[]`: `{"hour":"20","count":N}`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct BizActivity {
    #[serde(default, deserialize_with = "lenient::string")]
    pub hour: Option<String>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub count: Option<f64>,
}

/// One video of `business/video/list/` `data.videos[]`.
#[derive(Debug, Deserialize)]
pub(super) struct BizVideo {
    #[serde(deserialize_with = "lenient::required_id")]
    pub item_id: String,
    /// `create_time`, `share_url`.
    #[serde(flatten)]
    pub common: VideoCommon,
    #[serde(default, deserialize_with = "lenient::string")]
    pub thumbnail_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub caption: Option<String>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub video_views: Option<f64>,
    /// Seconds.
    #[serde(default, deserialize_with = "lenient::f64")]
    pub video_duration: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub likes: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub comments: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub shares: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub reach: Option<f64>,
    /// Ratio 0–1.
    #[serde(default, deserialize_with = "lenient::f64")]
    pub full_video_watched_rate: Option<f64>,
    /// Seconds.
    #[serde(default, deserialize_with = "lenient::f64")]
    pub total_time_watched: Option<f64>,
    /// Seconds.
    #[serde(default, deserialize_with = "lenient::f64")]
    pub average_time_watched: Option<f64>,
}

/// `data` of `tt_user/oauth2/token/` and `tt_user/oauth2/refresh_token/`.
#[derive(Deserialize)]
pub(super) struct BizToken {
    #[serde(default, deserialize_with = "lenient::string")]
    pub access_token: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub refresh_token: Option<String>,
    #[serde(default, deserialize_with = "lenient::i64_truncated")]
    pub expires_in: Option<i64>,
    #[serde(default, deserialize_with = "lenient::i64_truncated")]
    pub refresh_token_expires_in: Option<i64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub open_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub creator_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub scope: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub token_type: Option<String>,
}

/// `data` of `tt_user/token_info/get/`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct BizTokenInfo {
    #[serde(default, deserialize_with = "lenient::string")]
    pub app_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub creator_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub scope: Option<String>,
}
