//! Instagram Graph API wire shapes (serde DTOs). Private to the module: nothing here
//! leaves `instagram`. Every field is lenient: a value of an unexpected type reads as
//! `None` instead of failing the whole answer, so only non-JSON or structurally broken
//! bodies fail to decode.

use crate::meta::{number, Paging};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn lenient_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(number(&Value::deserialize(d)?))
}

fn lenient_strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => s,
                other => other.to_string(),
            })
            .collect(),
        _ => Vec::new(),
    })
}

fn lenient_paging<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Paging>, D::Error> {
    Ok(serde_json::from_value(Value::deserialize(d)?).ok())
}

fn lenient_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Value>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items,
        _ => Vec::new(),
    })
}

/// IG user node: `GET /{ig-user-id}?fields=...` and `GET /me?fields=user_id,...`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct UserNode {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    /// Instagram Login `/me`: the professional account id used with `/{ig-user-id}/...`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub user_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub profile_picture_url: Option<String>,
    #[serde(default, deserialize_with = "lenient_f64")]
    pub followers_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient_f64")]
    pub follows_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient_f64")]
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
    #[serde(default, deserialize_with = "lenient_list")]
    pub data: Vec<Value>,
    #[serde(default, deserialize_with = "lenient_paging")]
    pub paging: Option<Paging>,
}

/// IG media node (`/media`, `/stories`, `/{ig-media-id}`).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct MediaNode {
    #[serde(default, deserialize_with = "lenient_string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub caption: Option<String>,
    /// `IMAGE | VIDEO | CAROUSEL_ALBUM`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub media_type: Option<String>,
    /// `FEED | REELS | STORY | AD`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub media_product_type: Option<String>,
    /// `2026-11-20T19:03:11+0000`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub timestamp: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub permalink: Option<String>,
    /// Omitted when the owner hid like counts.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub like_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient_f64")]
    pub comments_count: Option<f64>,
}

/// One entry of an insights answer's `data`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct InsightEntry {
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: Option<String>,
    /// `day | week | days_28 | lifetime`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub period: Option<String>,
    /// Time series or lifetime value(s): `[{"value":N,"end_time":"...+0000"}]`.
    #[serde(default, deserialize_with = "lenient_points")]
    pub values: Option<Vec<InsightPoint>>,
    /// `metric_type=total_value` answers.
    #[serde(default, deserialize_with = "lenient_total")]
    pub total_value: Option<TotalValue>,
}

fn lenient_points<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<InsightPoint>>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => Some(
            items
                .into_iter()
                .filter_map(|v| serde_json::from_value(v).ok())
                .collect(),
        ),
        _ => None,
    })
}

fn lenient_total<'de, D: Deserializer<'de>>(d: D) -> Result<Option<TotalValue>, D::Error> {
    Ok(serde_json::from_value(Value::deserialize(d)?).ok())
}

/// `{"value": N | {"F.18-24": 12, ...}, "end_time"?}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct InsightPoint {
    #[serde(default)]
    pub value: Value,
    #[serde(default, deserialize_with = "lenient_string")]
    pub end_time: Option<String>,
}

/// `{"value": N, "breakdowns": [...]}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct TotalValue {
    #[serde(default)]
    pub value: Value,
    #[serde(default, deserialize_with = "lenient_breakdowns")]
    pub breakdowns: Vec<Breakdown>,
}

fn lenient_breakdowns<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Breakdown>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect(),
        _ => Vec::new(),
    })
}

/// `{"dimension_keys":["media_product_type","follow_type"],"results":[...]}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Breakdown {
    #[serde(default, deserialize_with = "lenient_strings")]
    pub dimension_keys: Vec<String>,
    #[serde(default, deserialize_with = "lenient_results")]
    pub results: Vec<BreakdownResult>,
}

fn lenient_results<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<BreakdownResult>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| serde_json::from_value(v).ok())
            .collect(),
        _ => Vec::new(),
    })
}

/// `{"dimension_values":["REEL","FOLLOWER"],"value":N}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct BreakdownResult {
    #[serde(default, deserialize_with = "lenient_strings")]
    pub dimension_values: Vec<String>,
    #[serde(default)]
    pub value: Value,
}
