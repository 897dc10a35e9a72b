//! Facebook Pages Graph API wire shapes (serde DTOs). Private to the module. Every field is
//! lenient (see `crate::lenient`): a value of an unexpected type reads as `None`. Insights
//! answers are read as `meta::insights::InsightEntry`, shared with Instagram.

use crate::lenient;
use serde::Deserialize;

/// `GET /me?fields=id,name` with a user token.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct UserNode {
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
}

/// `{"id": "..."}` reference.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct IdRef {
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: Option<String>,
}

/// One `GET /me/accounts` item.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct AccountNode {
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    /// The Page access token (secret).
    #[serde(default, deserialize_with = "lenient::string")]
    pub access_token: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub category: Option<String>,
    #[serde(default, deserialize_with = "lenient::strings")]
    pub tasks: Vec<String>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub instagram_business_account: Option<IdRef>,
}

/// `picture` field: `{"data":{"url","height","width","is_silhouette"}}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Picture {
    #[serde(default, deserialize_with = "lenient::object")]
    pub data: Option<PictureData>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct PictureData {
    #[serde(default, deserialize_with = "lenient::string")]
    pub url: Option<String>,
}

/// Page node: `GET /{page-id}?fields=id,name,username,link,fan_count,followers_count,talking_about_count,picture`
/// (`link` is requested as the wire contract says, but not mapped).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct PageNode {
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub fan_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub followers_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub talking_about_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub picture: Option<Picture>,
}

/// `{"count": N}` (`shares`).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Count {
    #[serde(default, deserialize_with = "lenient::f64")]
    pub count: Option<f64>,
}

/// `{"data":[],"summary":{"total_count":N}}` (`reactions`, `comments` with `.summary(total_count).limit(0)`).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Summarized {
    #[serde(default, deserialize_with = "lenient::object")]
    pub summary: Option<Summary>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Summary {
    #[serde(default, deserialize_with = "lenient::f64")]
    pub total_count: Option<f64>,
}

/// Page post node (`/{page-id}/posts`).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct PostNode {
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub message: Option<String>,
    /// `2026-11-20T19:03:11+0000`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub created_time: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub permalink_url: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub status_type: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub full_picture: Option<String>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub shares: Option<Count>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub reactions: Option<Summarized>,
    #[serde(default, deserialize_with = "lenient::object")]
    pub comments: Option<Summarized>,
}

/// Page video node (`/{page-id}/videos`).
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct VideoNode {
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub created_time: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub updated_time: Option<String>,
    /// Seconds (`33.344`).
    #[serde(default, deserialize_with = "lenient::f64")]
    pub length: Option<f64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub permalink_url: Option<String>,
}
