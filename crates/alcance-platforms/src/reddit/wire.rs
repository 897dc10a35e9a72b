//! Reddit's wire format (platform-apis-more.md §2.2), as `raw_json=1` answers carry it:
//! "things" `{kind, data}` (`t2` account, `t3` link / post, `t5` subreddit), listings
//! `{kind: "Listing", data: {after, before, dist, children}}`, the `/api/v1/me` account
//! object without a wrapper, and the error body `{message, error}`. Every field is lenient
//! (a value of another type reads as absent): only a body that is not JSON, or not an
//! object where one is required, fails to decode.

use crate::lenient;
use serde::Deserialize;
use serde_json::Value;

/// `{kind, data}`: one thing, or a listing.
#[derive(Debug, Deserialize)]
pub(super) struct Thing {
    #[serde(default, deserialize_with = "lenient::string")]
    pub kind: Option<String>,
    #[serde(default)]
    pub data: Option<Value>,
}

/// A `Listing`'s `data`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListingData {
    /// Fullname of the last item (`t3_…`): send it back as `after`; `null` at the end.
    #[serde(default, deserialize_with = "lenient::string")]
    pub after: Option<String>,
    /// The items, decoded one by one.
    #[serde(default, deserialize_with = "lenient::list")]
    pub children: Vec<Value>,
}

/// A user account: `/api/v1/me` (no wrapper) or the `data` of a `t2` (`/user/{name}/about`).
#[derive(Debug, Default, Deserialize)]
pub(super) struct Account {
    /// Id without the `t2_` prefix.
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    /// Unix seconds, a float.
    #[serde(default, deserialize_with = "lenient::f64")]
    pub created_utc: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub link_karma: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub comment_karma: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub total_karma: Option<f64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub icon_img: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub snoovatar_img: Option<String>,
    /// Suspended accounts answer 200 with `is_suspended: true` and little else.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub is_suspended: Option<bool>,
    /// The account's profile ("user subreddit", `u_<name>`): its `subscribers` are the
    /// profile's followers.
    #[serde(default, deserialize_with = "lenient::object")]
    pub subreddit: Option<ProfileSubreddit>,
}

/// The profile subreddit of an account.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ProfileSubreddit {
    #[serde(default, deserialize_with = "lenient::string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub subscribers: Option<f64>,
}

/// The `data` of a `t5` (`/r/{sub}/about`).
#[derive(Debug, Default, Deserialize)]
pub(super) struct Subreddit {
    /// Id without the `t5_` prefix.
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: Option<String>,
    /// Fullname, `t5_…`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    /// The subreddit's name without `r/`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub created_utc: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub subscribers: Option<f64>,
    /// Removed from the API around September 2025 (platform-apis-more.md §2.2).
    #[serde(default, deserialize_with = "lenient::f64")]
    pub active_user_count: Option<f64>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub community_icon: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub icon_img: Option<String>,
    /// `public`, `private`, `restricted`, `user`, `archived`, `employees_only`,
    /// `gold_restricted`, `gold_only`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub subreddit_type: Option<String>,
}

/// The `data` of a `t3` (a submission).
#[derive(Debug, Default, Deserialize)]
pub(super) struct Link {
    /// Id without the `t3_` prefix.
    #[serde(default, deserialize_with = "lenient::string")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub title: Option<String>,
    /// Unix seconds, a float.
    #[serde(default, deserialize_with = "lenient::f64")]
    pub created_utc: Option<f64>,
    /// Path on www.reddit.com (`/r/sub/comments/id/slug/`).
    #[serde(default, deserialize_with = "lenient::string")]
    pub permalink: Option<String>,
    #[serde(default, deserialize_with = "lenient::bool")]
    pub is_self: Option<bool>,
    #[serde(default, deserialize_with = "lenient::bool")]
    pub is_video: Option<bool>,
    #[serde(default, deserialize_with = "lenient::bool")]
    pub is_gallery: Option<bool>,
    /// `self`, `link`, `image`, `hosted:video`, `rich:video`, `gallery` (undocumented
    /// list, read from answers).
    #[serde(default, deserialize_with = "lenient::string")]
    pub post_hint: Option<String>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub score: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub ups: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub upvote_ratio: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub num_comments: Option<f64>,
    #[serde(default, deserialize_with = "lenient::f64")]
    pub num_crossposts: Option<f64>,
    /// Set when the post was removed (`deleted`, `moderator`, `reddit`, `author`, …).
    #[serde(default, deserialize_with = "lenient::string")]
    pub removed_by_category: Option<String>,
    /// The small picture beside the post in a listing: an http(s) URL, or one of the
    /// placeholders `self`, `default`, `nsfw`, `spoiler`, `image`, or empty.
    #[serde(default, deserialize_with = "lenient::string")]
    pub thumbnail: Option<String>,
    /// `{images: [{source: {url, width, height}, resolutions: [...], variants, id}],
    /// enabled}`: the link's or picture's preview, on image, link and video posts (not on
    /// galleries; on a text post only when its text links to a page with a picture). Kept raw: only `images[0].source.url` is read.
    #[serde(default)]
    pub preview: Option<Value>,
}

/// Reddit's error body: `{"message": "Forbidden", "error": 403}`, plus `reason` for
/// private or banned subreddits; the OAuth errors `{"error": "invalid_grant"}`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ErrorBody {
    #[serde(default, deserialize_with = "lenient::string")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub error: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    pub reason: Option<String>,
}
