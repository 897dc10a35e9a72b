//! LinkedIn client (platform-apis-more.md §3, Community Management API): the owned account
//! is an **organization page the member administers** (`/rest/organizationAcls?q=roleAssignee`),
//! read through the versioned REST API (`/rest/…`, headers `LinkedIn-Version: YYYYMM` and
//! `X-Restli-Protocol-Version: 2.0.0`): the page (`/rest/organizations/{id}`), its follower
//! count (`/rest/networkSizes`), follower statistics (lifetime demographics and daily gains),
//! share statistics (daily for the page, lifetime per post), its posts (`/rest/posts?q=author`)
//! and their social actions (`/rest/socialMetadata`). The member is read through OpenID
//! Connect (`/v2/userinfo`).
//!
//! Connect choice: LinkedIn uses the [`crate::registry::ConnectKind::OauthLoopback`] flow;
//! [`PlatformClient::owned_profiles`](crate::PlatformClient::owned_profiles) names **every**
//! page the member administers (in the order `organizationAcls` serves them), and each
//! becomes an owned account collecting with the member's one token (one vault entry,
//! removed and revoked when the last of the pages is disconnected). `whoami` names the
//! first.
//!
//! Access: every `/rest` read here needs the Community Management API product, which
//! LinkedIn grants after review (Development tier, then Standard tier), and the member must
//! be an ADMINISTRATOR of the page. A 403 `ACCESS_DENIED` on a statistics, posts or social
//! read becomes a [`alcance_core::DataGap`] with code `permission` and the rest of the
//! account is still collected.
//!
//! Rate limits: LinkedIn sends no rate-limit headers and no `Retry-After`; limits are daily
//! per application and per member (reset at midnight UTC, numbers unpublished). A 429 is
//! [`crate::PlatformError::RateLimited`] without a wait, so the governor's default back-off
//! applies (family `linkedin`).
//!
//! Tokens are only ever sent as `Authorization: Bearer <token>`; they never appear in a
//! URL, an archived exchange, a log line or an error message.
//!
//! Layout: `wire` holds the serde DTOs (private), `map` turns them into `alcance_core`
//! records through the metric catalog and maps LinkedIn's error envelope, `client` makes
//! the requests. The decode functions are public so tests and the sandbox read a recorded
//! answer exactly as the client does.

mod client;
mod descriptor;
pub use descriptor::{provider, revoke, DESCRIPTOR, SCOPES};
mod map;
mod wire;

use alcance_core::{CollectWarning, PostRecord, Profile};
use chrono::{DateTime, Utc};

pub use client::{LinkedInClient, MAX_POST_PAGES, POSTS_PER_PAGE, STATS_BATCH};
pub use map::{
    day_intervals, decode_acls, decode_follower_demographics, decode_follower_gains, decode_network_size,
    decode_organization, decode_paging, decode_post_stats, decode_posts, decode_share_days, decode_social_metadata,
    decode_userinfo, encode_urn, map_error, organization_id, organization_urn, restli_list,
};

/// The `LinkedIn-Version` (`YYYYMM`) every `/rest` call sends. Each version is supported for
/// at least a year and there is no default (platform-apis-more.md §3.3); 202607 is the
/// latest seen there. Change it here when LinkedIn sunsets it (a 426 answer says so).
pub const LINKEDIN_VERSION: &str = "202607";

/// The member behind a token, from OIDC `GET /v2/userinfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The member's id (`sub`, the id of `urn:li:person:{sub}`).
    pub sub: String,
    /// Full name (`name`, else `given_name family_name`).
    pub name: Option<String>,
    /// Profile picture URL (`picture`).
    pub picture: Option<String>,
    /// Locale (`locale`, as served: `en-US` or `{"country","language"}` as JSON text).
    pub locale: Option<String>,
}

/// An organization page, from `GET /rest/organizations/{id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    /// Numeric id as text (`id`); the account's `external_id`.
    pub id: String,
    /// `urn:li:organization:{id}`.
    pub urn: String,
    /// Display name (`localizedName`).
    pub name: Option<String>,
    /// The page's URL name (`vanityName`, `linkedin.com/company/{vanityName}`).
    pub vanity_name: Option<String>,
}

impl Organization {
    /// The platform-neutral profile (`external_id` = numeric id, `username` = vanity name,
    /// `display_name` = localized name; no avatar: the logo needs a second call).
    pub fn profile(&self) -> Profile {
        Profile {
            external_id: self.id.clone(),
            username: self.vanity_name.clone(),
            display_name: self.name.clone(),
            avatar_url: None,
        }
    }
}

/// A Rest.li collection page's paging, as served.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageInfo {
    /// `paging.start`: the offset of the first element.
    pub start: Option<i64>,
    /// `paging.count`: the page size asked for.
    pub count: Option<i64>,
    /// `paging.total`, when served (often absent: stop on a short page instead).
    pub total: Option<i64>,
    /// Elements on this page.
    pub elements: usize,
}

/// One decoded `GET /rest/posts?q=author` page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PostsPage {
    /// The published posts, in the order served.
    pub posts: Vec<PostRecord>,
    /// Every element with an id, published or not, with its time (UTC): how far back the
    /// page reached.
    pub seen: Vec<(String, Option<DateTime<Utc>>)>,
    /// The page's paging.
    pub info: PageInfo,
    /// Unreadable elements and unknown lifecycle states, one warning each, naming the endpoint.
    pub warnings: Vec<CollectWarning>,
}
