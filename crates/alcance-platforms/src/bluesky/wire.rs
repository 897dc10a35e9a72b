//! Bluesky (AT Protocol XRPC) wire DTOs, as the lexicons define them
//! (`app.bsky.actor.defs#profileViewDetailed`, `app.bsky.feed.defs#feedViewPost`,
//! `#postView`, `com.atproto.server.createSession` output, the XRPC error envelope).
//! Private to the folder; counters are read leniently (a string or a wrong type reads as
//! absent, never as 0).

use crate::lenient;
use serde::Deserialize;
use serde_json::Value;

/// The XRPC error envelope: `{"error": "InvalidRequest", "message": "Profile not found"}`.
#[derive(Debug, Deserialize)]
pub(super) struct XrpcError {
    #[serde(default, deserialize_with = "lenient::string")]
    pub error: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub message: Option<String>,
}

/// `app.bsky.actor.defs#profileViewDetailed` (`getProfile`, items of `getProfiles`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ProfileView {
    pub did: String,
    pub handle: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub avatar: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub created_at: Option<String>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub followers_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub follows_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub posts_count: Option<f64>,
}

/// `app.bsky.actor.getProfiles` output.
#[derive(Debug, Deserialize)]
pub(super) struct Profiles {
    pub profiles: Vec<Value>,
}

/// `app.bsky.feed.getAuthorFeed` output: items kept raw and decoded one by one, so one
/// unreadable item does not lose the page.
#[derive(Debug, Deserialize)]
pub(super) struct AuthorFeed {
    pub feed: Vec<Value>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub cursor: Option<String>,
}

/// `app.bsky.feed.defs#feedViewPost`.
#[derive(Debug, Deserialize)]
pub(super) struct FeedViewPost {
    pub post: PostView,
    /// `#reasonRepost` (someone's post reposted by the feed's author) or `#reasonPin`.
    #[serde(default)]
    pub reason: Option<Value>,
}

/// `app.bsky.feed.defs#postView`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PostView {
    pub uri: String,
    pub author: Author,
    /// The `app.bsky.feed.post` record as written (`text`, `createdAt`, `reply`, `embed`).
    #[serde(default)]
    pub record: Value,
    /// The hydrated embed view (`app.bsky.embed.images#view`, ...).
    #[serde(default)]
    pub embed: Option<Value>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub reply_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub repost_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub like_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub quote_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub indexed_at: Option<String>,
}

/// `app.bsky.actor.defs#profileViewBasic` (a post's author).
#[derive(Debug, Deserialize)]
pub(super) struct Author {
    pub did: String,
}

/// `app.bsky.feed.getPosts` output (posts not found are left out, not reported).
#[derive(Debug, Deserialize)]
pub(super) struct Posts {
    pub posts: Vec<Value>,
}

/// `com.atproto.identity.resolveHandle` output.
#[derive(Debug, Deserialize)]
pub(super) struct Resolved {
    pub did: String,
}

/// `com.atproto.server.createSession` / `refreshSession` output (`getSession` has no JWTs).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Session {
    pub did: String,
    pub handle: String,
    #[serde(default)]
    pub access_jwt: Option<String>,
    #[serde(default)]
    pub refresh_jwt: Option<String>,
    #[serde(default, deserialize_with = "lenient::bool")]
    pub active: Option<bool>,
    /// `takendown`, `suspended`, `deactivated` when not active.
    #[serde(default, deserialize_with = "lenient::string")]
    pub status: Option<String>,
}
