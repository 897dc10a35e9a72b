//! Reddit client (platform-apis-more.md §2): the signed-in user (`GET /api/v1/me`: karma
//! and the profile's followers), a user's submissions (`GET /user/{name}/submitted`,
//! `sort=new`, `limit=100`, `after=t3_…` paging), public users (`GET /user/{name}/about`)
//! and subreddits (`GET /r/{sub}/about`: subscribers, and active users while Reddit still
//! serves them), all on `oauth.reddit.com` with `raw_json=1`.
//!
//! What Reddit serves: karma (post, comment, total) and profile followers per user;
//! subscribers (and, until about September 2025, active users) per subreddit; `score`,
//! `ups`, `upvote_ratio`, `num_comments` and `num_crossposts` per post, and its picture
//! (`preview`, else `thumbnail`; [`SubmittedPage::media`]). Scores are fuzzed
//! by Reddit; `downs` is always 0 and `view_count` always null, so neither is stored. No
//! views, reach, impressions, time series or demographics
//! (`alcance_core::catalog::NOT_SERVED`): the collector snapshots the counters.
//!
//! Accounts: an owned account is the user who authorized the app (external id `t2_<id>`,
//! username the Reddit name). Tracked public profiles are followed by handle: `u/name` (or a
//! bare name) is a **user**, stored with external id `t2_<id>` and username `name`;
//! `r/name` is a **subreddit**, stored as an account with external id `t5_<id>` and
//! username `r/<name>`, whose metrics are `followers` (its `subscribers`) and
//! `active_users`, and which has no posts of its own (its posts are other users').
//!
//! Every request carries a descriptive `User-Agent` ([`USER_AGENT`]): Reddit throttles or
//! blocks default ones, sometimes with an HTML page. The limit is 100 queries a minute per
//! OAuth client id, shared by every user of the app (each Alcance user brings their own
//! approved app); the governor (`crate::governor`, family `reddit`) keeps one budget per
//! workspace (its one Reddit app) and paces on the `x-ratelimit-*` headers.
//!
//! Layout as for the other platforms: `wire` (serde DTOs, private), `map` (wire → records
//! and errors → [`crate::PlatformError`]), `client` (requests, the `after` walk with its
//! guards, `collect`), `descriptor` (the registry entry, OAuth provider and revocation).
//! Tokens travel only as `Authorization: Bearer`; never in a URL, a log line or an error.

mod client;
mod descriptor;
pub use descriptor::{provider, revoke, DESCRIPTOR, SCOPES};
mod map;
mod wire;

use alcance_core::{CollectWarning, PostMedia, PostMetric, PostRecord, Profile};
use chrono::{DateTime, Utc};

pub use client::{RedditClient, Submissions, MAX_SUBMITTED_PAGES, SUBMITTED_PAGE_SIZE, USER_AGENT};
pub use map::{
    decode_about, decode_me, decode_submitted, decode_subreddit, map_error, parse_handle, subreddit_metrics,
    user_metrics, Handle,
};

/// A Reddit user (`/api/v1/me`, or a `t2` from `/user/{name}/about`).
#[derive(Debug, Clone, PartialEq)]
pub struct RedditUser {
    /// Fullname `t2_<id>` (`id` with its prefix): the stored external id.
    pub fullname: String,
    /// The Reddit name without `u/` (`name`).
    pub name: String,
    /// The profile's title (`subreddit.title`), when set.
    pub title: Option<String>,
    /// Avatar URL (`snoovatar_img`, else `icon_img`), HTML entities left as served.
    pub avatar_url: Option<String>,
    /// Account creation, UTC (`created_utc`, Unix seconds).
    pub created_at: Option<DateTime<Utc>>,
    /// Post karma (`link_karma`), a count.
    pub link_karma: Option<f64>,
    /// Comment karma (`comment_karma`), a count.
    pub comment_karma: Option<f64>,
    /// All karma (`total_karma`: posts, comments, awards), a count.
    pub total_karma: Option<f64>,
    /// Followers of the profile (`subreddit.subscribers` of its `u_<name>` profile;
    /// that these are followers is inferred from the app, not documented).
    pub followers: Option<f64>,
    /// `is_suspended`: Reddit answers 200 with almost nothing for a suspended account.
    pub suspended: bool,
}

impl RedditUser {
    /// The platform-neutral profile (`external_id` = `t2_<id>`, `username` = the name).
    pub fn profile(&self) -> Profile {
        Profile {
            external_id: self.fullname.clone(),
            username: Some(self.name.clone()),
            display_name: self.title.clone().filter(|t| !t.trim().is_empty()),
            avatar_url: self.avatar_url.clone(),
        }
    }
}

/// A subreddit (`t5` from `/r/{sub}/about`).
#[derive(Debug, Clone, PartialEq)]
pub struct Subreddit {
    /// Fullname `t5_<id>` (`name`): the stored external id.
    pub fullname: String,
    /// The subreddit's name without `r/` (`display_name`).
    pub name: String,
    /// Title (`title`).
    pub title: Option<String>,
    /// Icon URL (`community_icon`, else `icon_img`).
    pub icon_url: Option<String>,
    /// Creation, UTC (`created_utc`).
    pub created_at: Option<DateTime<Utc>>,
    /// Members (`subscribers`), a count; stored as `followers`.
    pub subscribers: Option<f64>,
    /// People active now (`active_user_count`), a count; Reddit stopped serving it around
    /// September 2025, so it is usually `None`.
    pub active_users: Option<f64>,
    /// `subreddit_type` (`public`, `private`, `restricted`, …).
    pub kind: Option<String>,
}

impl Subreddit {
    /// The platform-neutral profile (`external_id` = `t5_<id>`, `username` = `r/<name>`).
    pub fn profile(&self) -> Profile {
        Profile {
            external_id: self.fullname.clone(),
            username: Some(format!("r/{}", self.name)),
            display_name: self.title.clone().filter(|t| !t.trim().is_empty()),
            avatar_url: self.icon_url.clone(),
        }
    }
}

/// One decoded page of `/user/{name}/submitted`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubmittedPage {
    /// The submissions (`t3`), in the order served (newest first with `sort=new`).
    pub posts: Vec<PostRecord>,
    /// Their lifetime counters at read time: `score`, `likes` (`ups`), `upvote_ratio`
    /// (ratio 0–1), `comments` (`num_comments`), `reposts` (`num_crossposts`).
    pub metrics: Vec<PostMetric>,
    /// Their picture URLs, at most one per post: `preview.images[0].source.url` (`&amp;`
    /// read as `&`) as an image, else `thumbnail` when it is an http(s) URL (not `self`,
    /// `default`, `nsfw`, `spoiler`, `image` or empty) as a thumbnail.
    pub media: Vec<PostMedia>,
    /// `data.after` (`t3_…`): send it back as `after`; `None` on the last page.
    pub after: Option<String>,
    /// The oldest `created_utc` of the page, UTC: the walk stops once it passes the window.
    pub oldest: Option<DateTime<Utc>>,
    /// Items skipped (not a `t3`, no id), removed posts (kept, flagged) and unknown
    /// `post_hint` values (kept), one warning each, naming the endpoint.
    pub warnings: Vec<CollectWarning>,
}
