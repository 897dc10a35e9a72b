//! Bluesky client over the AT Protocol's XRPC (platform-apis-more.md §5): public reads
//! from the AppView without a token (`app.bsky.actor.getProfile`,
//! `app.bsky.feed.getAuthorFeed` with cursor paging, `app.bsky.feed.getPosts`,
//! `com.atproto.identity.resolveHandle`), and app-password sessions on the PDS entryway
//! (`com.atproto.server.createSession`, `refreshSession`, `getSession`).
//!
//! What Bluesky serves: followers, follows and posts counts per profile; like, repost,
//! reply and quote counts per post, and each post's picture in its embed view
//! ([`FeedPage::media`]). It serves **no** views, reach, impressions, time series
//! or demographics (`alcance_core::catalog::NOT_SERVED`), so none is ever stored: the
//! collector snapshots the counters instead.
//!
//! The author feed mixes the account's own posts with its reposts of other people's posts
//! (items with `reason.$type = app.bsky.feed.defs#reasonRepost`). Reposts are kept apart
//! ([`AuthorFeed::reposts`]) and never stored as the account's posts; replies and quote
//! posts are the account's own posts with content types `reply` and `quote`.
//!
//! Connecting an own account uses **AT Protocol OAuth** ([`oauth`]: PAR + PKCE S256 + DPoP,
//! loopback redirect, the localhost development client id) or an **app password**
//! (Settings → Privacy and security → App passwords), never the account password: it is
//! sent once to `createSession` and not kept; the session's `accessJwt` / `refreshJwt` go
//! to the vault.
//!
//! Layout as for the other platforms: `wire` (serde DTOs, private), `map` (wire → records
//! and XRPC errors → [`crate::PlatformError`]), `client` (requests, paging guards,
//! `collect`), `descriptor` (the registry entry). Tokens travel only as
//! `Authorization: Bearer`; never in a URL, a log line or an error message.

mod client;
mod descriptor;
pub use descriptor::DESCRIPTOR;
mod map;
pub mod oauth;
mod wire;

use alcance_core::{CollectWarning, DataGap, PostMedia, PostMetric, PostRecord, Profile};
use chrono::{DateTime, Utc};
use secrecy::SecretString;

pub use client::{
    looks_like_app_password, refresh_session, BlueskyClient, FEED_PAGE_SIZE, MAX_FEED_PAGES, POSTS_BATCH,
};
pub use map::{
    decode_feed_page, decode_posts, decode_profile, decode_profiles, decode_resolved, decode_session, map_error,
    profile_metrics, session_expiry, ACCESS_LIFETIME_FALLBACK_SECS,
};

/// The XRPC methods Alcance calls, as they appear in paths (`/xrpc/<method>`) and errors.
pub mod method {
    /// Profile of one actor (AppView, no token).
    pub const GET_PROFILE: &str = "app.bsky.actor.getProfile";
    /// Profiles of up to 25 actors (AppView, no token).
    pub const GET_PROFILES: &str = "app.bsky.actor.getProfiles";
    /// An actor's posts and reposts, newest first, with a cursor (AppView, no token).
    pub const GET_AUTHOR_FEED: &str = "app.bsky.feed.getAuthorFeed";
    /// Up to 25 posts by AT URI (AppView, no token); posts not found are left out.
    pub const GET_POSTS: &str = "app.bsky.feed.getPosts";
    /// Handle → DID (AppView, no token).
    pub const RESOLVE_HANDLE: &str = "com.atproto.identity.resolveHandle";
    /// Handle or DID + app password → session JWTs (PDS).
    pub const CREATE_SESSION: &str = "com.atproto.server.createSession";
    /// refreshJwt (as the bearer) → new, rotated session JWTs (PDS).
    pub const REFRESH_SESSION: &str = "com.atproto.server.refreshSession";
    /// accessJwt → the session's DID and handle (PDS).
    pub const GET_SESSION: &str = "com.atproto.server.getSession";
}

/// A Bluesky profile (`app.bsky.actor.defs#profileViewDetailed`).
#[derive(Debug, Clone, PartialEq)]
pub struct BlueskyProfile {
    /// The account's DID (`did`), its stable id: handles change, DIDs do not.
    pub did: String,
    /// Handle without `@` (`handle`, a domain name such as `alice.bsky.social`).
    pub handle: String,
    /// Display name (`displayName`).
    pub display_name: Option<String>,
    /// Avatar URL (`avatar`).
    pub avatar_url: Option<String>,
    /// Account creation time, UTC (`createdAt`).
    pub created_at: Option<DateTime<Utc>>,
    /// Followers (`followersCount`), a count; `None` when absent.
    pub followers: Option<f64>,
    /// Accounts followed (`followsCount`), a count; `None` when absent.
    pub follows: Option<f64>,
    /// Posts published (`postsCount`), a count; `None` when absent.
    pub posts: Option<f64>,
}

impl BlueskyProfile {
    /// The platform-neutral profile (`external_id` = the DID).
    pub fn profile(&self) -> Profile {
        Profile {
            external_id: self.did.clone(),
            username: Some(self.handle.clone()),
            display_name: self.display_name.clone(),
            avatar_url: self.avatar_url.clone(),
        }
    }
}

/// Someone else's post that the feed's author reposted (a feed item with
/// `reason.$type = app.bsky.feed.defs#reasonRepost`). Kept apart: never the author's post.
#[derive(Debug, Clone, PartialEq)]
pub struct Repost {
    /// AT URI of the reposted post (`post.uri`).
    pub post_uri: String,
    /// DID of the reposted post's author (`post.author.did`).
    pub original_author: String,
    /// When the repost was made, UTC (`reason.indexedAt`).
    pub reposted_at: Option<DateTime<Utc>>,
}

/// One decoded page of `app.bsky.feed.getAuthorFeed`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedPage {
    /// The author's own posts (replies and quotes included, pinned posts too), in feed order.
    pub posts: Vec<PostRecord>,
    /// Their counters: `likes` (`likeCount`), `reposts` (`repostCount`), `replies`
    /// (`replyCount`), `quotes` (`quoteCount`), lifetime totals at read time; a counter
    /// the post lacks is `None`.
    pub metrics: Vec<PostMetric>,
    /// The posts' picture URLs, at most one per post, from the post view's hydrated
    /// `embed`: an `app.bsky.embed.images#view`'s first `images[].thumb` as an image; a
    /// `video#view`'s `thumbnail` or an `external#view`'s `external.thumb` (a link card) as
    /// a thumbnail; a `recordWithMedia#view`'s `media` read the same way. None for text,
    /// quotes without media, another type, a missing field or a URL that is not http(s).
    pub media: Vec<PostMedia>,
    /// Reposts of other people's posts, kept apart.
    pub reposts: Vec<Repost>,
    /// The oldest feed time of the page (`reason.indexedAt` for reposts, `post.indexedAt`
    /// otherwise, falling back to `record.createdAt`), UTC: the walk stops once it passes
    /// the window's start.
    pub oldest: Option<DateTime<Utc>>,
    /// `cursor`: send it back for the next page; `None` on the last page.
    pub cursor: Option<String>,
    /// Items that could not be read or whose kind is unknown (skipped, the rest kept).
    pub gaps: Vec<DataGap>,
}

/// Posts read by URI (`app.bsky.feed.getPosts`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PostsRead {
    /// The posts found, in the answer's order.
    pub posts: Vec<PostRecord>,
    /// Their counters (see [`FeedPage::metrics`]).
    pub metrics: Vec<PostMetric>,
    /// Their picture URLs (see [`FeedPage::media`]).
    pub media: Vec<PostMedia>,
    /// URIs asked for but not answered (code `not_found`: deleted or hidden), and
    /// unreadable items (code `decode`).
    pub gaps: Vec<DataGap>,
}

/// Everything a walk of the author feed collected (see [`BlueskyClient::author_feed`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuthorFeed {
    /// Every distinct own post of the pages read, published in the window.
    pub posts: Vec<PostRecord>,
    /// Their counter snapshots (see [`FeedPage::metrics`]).
    pub metrics: Vec<PostMetric>,
    /// Their picture URLs (see [`FeedPage::media`]).
    pub media: Vec<PostMedia>,
    /// Reposts of other people's posts seen on the way (not stored as posts).
    pub reposts: Vec<Repost>,
    /// Guards that stopped the walk, later pages that failed, skipped items (level `gap`).
    pub warnings: Vec<CollectWarning>,
    /// Why the walk stopped early when a later page failed in a way that stops the account.
    pub stopped: Option<alcance_core::Interruption>,
}

/// A session of an own account (`createSession` / `refreshSession` output). The JWTs are
/// secrets: they go to the vault and nowhere else.
#[derive(Debug, Clone)]
pub struct BlueskySession {
    /// The account's DID.
    pub did: String,
    /// Its handle.
    pub handle: String,
    /// `accessJwt` (about 2 hours, inferred from the JWT's `exp`).
    pub access: SecretString,
    /// `refreshJwt` (rotated by every `refreshSession`; the old one is revoked).
    pub refresh: SecretString,
}
