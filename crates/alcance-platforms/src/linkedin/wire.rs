//! LinkedIn wire DTOs (serde), private to the `linkedin` module. Every field is optional:
//! LinkedIn leaves out what it does not serve, and a missing field must not fail a page.
//! Times are epoch milliseconds (UTC); counts are JSON numbers. Numbers of the wrong type
//! read as absent (`crate::lenient`), so one odd field never drops an element.

use serde::Deserialize;
use serde_json::{Map, Value};

/// LinkedIn's error envelope: `{"status":401,"serviceErrorCode":65600,"code":"…","message":"…"}`
/// (`code` only on some answers), or the Rest.li validation shape
/// `{"status":422,"errorDetailType":"…","message":"…","errorDetails":{"inputErrors":[{"code":"…"}]}}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ErrorEnvelope {
    pub service_error_code: Option<i64>,
    pub code: Option<String>,
    pub message: Option<String>,
    pub error_details: Option<ErrorDetails>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ErrorDetails {
    #[serde(default)]
    pub input_errors: Vec<InputError>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct InputError {
    pub code: Option<String>,
    pub description: Option<String>,
}

/// OpenID Connect `GET /v2/userinfo`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct UserInfo {
    pub sub: Option<String>,
    pub name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub picture: Option<String>,
    pub locale: Option<Value>,
}

/// Rest.li collection envelope: `{"elements":[…],"paging":{"start","count","total"?}}`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Collection {
    pub elements: Option<Value>,
    pub paging: Option<Paging>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Paging {
    #[serde(default, deserialize_with = "crate::lenient::i64")]
    pub start: Option<i64>,
    #[serde(default, deserialize_with = "crate::lenient::i64")]
    pub count: Option<i64>,
    #[serde(default, deserialize_with = "crate::lenient::i64")]
    pub total: Option<i64>,
}

/// One `organizationAcls` element.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct OrganizationAcl {
    pub organization: Option<String>,
    pub role: Option<String>,
    pub state: Option<String>,
}

/// `GET /rest/organizations/{id}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Organization {
    pub id: Option<Value>,
    pub localized_name: Option<String>,
    pub vanity_name: Option<String>,
}

/// `GET /rest/networkSizes/{urn}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct NetworkSize {
    #[serde(default, deserialize_with = "crate::lenient::f64")]
    pub first_degree_size: Option<f64>,
}

/// `timeRange` of a time-bound statistics element (epoch ms, UTC).
#[derive(Debug, Default, Deserialize)]
pub(super) struct TimeRange {
    #[serde(default, deserialize_with = "crate::lenient::i64")]
    pub start: Option<i64>,
    #[serde(default, deserialize_with = "crate::lenient::i64")]
    pub end: Option<i64>,
}

/// One `organizationalEntityFollowerStatistics` element: lifetime demographics, or with
/// `timeIntervals` one time range's `followerGains`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FollowerStats {
    pub time_range: Option<TimeRange>,
    pub follower_gains: Option<FollowerGains>,
    /// Every other field (`followerCountsBy…` arrays), read by name.
    #[serde(flatten)]
    pub rest: Map<String, Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FollowerGains {
    #[serde(default, deserialize_with = "crate::lenient::f64")]
    pub organic_follower_gain: Option<f64>,
    #[serde(default, deserialize_with = "crate::lenient::f64")]
    pub paid_follower_gain: Option<f64>,
}

/// One `followerCountsBy…` entry: the facet's value under its own name (`geo`,
/// `seniority`, …) and `followerCounts`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FollowerCounts {
    #[serde(default, deserialize_with = "crate::lenient::f64")]
    pub organic_follower_count: Option<f64>,
    #[serde(default, deserialize_with = "crate::lenient::f64")]
    pub paid_follower_count: Option<f64>,
}

/// One `organizationalEntityShareStatistics` element.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ShareStatsElement {
    pub share: Option<String>,
    #[serde(rename = "ugcPost")]
    pub ugc_post: Option<String>,
    pub time_range: Option<TimeRange>,
    pub total_share_statistics: Option<ShareStatistics>,
}

/// `totalShareStatistics`: organic counts and the engagement ratio.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ShareStatistics {
    #[serde(default, deserialize_with = "crate::lenient::f64")]
    pub impression_count: Option<f64>,
    #[serde(default, deserialize_with = "crate::lenient::f64")]
    pub unique_impressions_count: Option<f64>,
    #[serde(default, deserialize_with = "crate::lenient::f64")]
    pub click_count: Option<f64>,
    #[serde(default, deserialize_with = "crate::lenient::f64")]
    pub like_count: Option<f64>,
    #[serde(default, deserialize_with = "crate::lenient::f64")]
    pub comment_count: Option<f64>,
    #[serde(default, deserialize_with = "crate::lenient::f64")]
    pub share_count: Option<f64>,
    #[serde(default, deserialize_with = "crate::lenient::f64")]
    pub engagement: Option<f64>,
}

/// One `/rest/posts` element.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Post {
    pub id: Option<String>,
    pub commentary: Option<String>,
    #[serde(default, deserialize_with = "crate::lenient::i64")]
    pub created_at: Option<i64>,
    #[serde(default, deserialize_with = "crate::lenient::i64")]
    pub published_at: Option<i64>,
    pub lifecycle_state: Option<String>,
    pub content: Option<Map<String, Value>>,
}

/// One `socialMetadata` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SocialMetadata {
    pub reaction_summaries: Option<Map<String, Value>>,
    pub comment_summary: Option<CommentSummary>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CommentSummary {
    #[serde(default, deserialize_with = "crate::lenient::f64")]
    pub count: Option<f64>,
}

/// Rest.li batch-get envelope: `{"results":{key: entity},"statuses":{key: status},"errors":{key: error}}`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct BatchGet {
    pub results: Option<Map<String, Value>>,
    pub errors: Option<Map<String, Value>>,
}
