//! The Threads API's JSON shapes (serde DTOs, private to the folder). Every field is
//! lenient: a value of an unexpected type reads as `None`, never a failed page.

use crate::lenient;
use serde::Deserialize;

/// A Threads user node: `GET /me` or `GET /{threads-user-id}` with
/// `fields=id,username,name,threads_profile_picture_url,threads_biography,is_verified`.
/// Threads serves no follower count here (that is `threads_insights` `followers_count`). `threads_biography` and `is_verified` are not
/// read: Alcance stores neither.
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct UserNode {
    /// The Threads user id (a decimal string).
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: Option<String>,
    /// Handle without `@`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub username: Option<String>,
    /// Display name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    /// Profile picture URL (expires; not stored beyond the profile row).
    #[serde(default, deserialize_with = "lenient::string")]
    pub threads_profile_picture_url: Option<String>,
}

/// One item of `GET /me/threads` (`fields=id,media_product_type,media_type,permalink,username,text,timestamp,shortcode,is_quote_post`).
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct MediaNode {
    /// Threads media id.
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: Option<String>,
    /// `TEXT_POST`, `IMAGE`, `VIDEO`, `CAROUSEL_ALBUM`, `AUDIO`, `REPOST_FACADE` (someone
    /// else's post reposted: no insights).
    #[serde(default, deserialize_with = "lenient::string")]
    pub media_type: Option<String>,
    /// Public link (`https://www.threads.com/@user/post/<shortcode>`).
    #[serde(default, deserialize_with = "lenient::string")]
    pub permalink: Option<String>,
    /// Text of the post.
    #[serde(default, deserialize_with = "lenient::string")]
    pub text: Option<String>,
    /// Publication time, `2025-11-16T09:00:20+0000` (UTC).
    #[serde(default, deserialize_with = "lenient::string")]
    pub timestamp: Option<String>,
    /// `true` for a quote post.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub is_quote_post: Option<bool>,
    /// The post's media file: an `IMAGE`'s picture, a `VIDEO`'s video file (a signed CDN
    /// URL); absent on text posts.
    #[serde(default, deserialize_with = "lenient::string")]
    pub media_url: Option<String>,
    /// A `VIDEO`'s cover picture ("only shows up for Threads media with video").
    #[serde(default, deserialize_with = "lenient::string")]
    pub thumbnail_url: Option<String>,
}
