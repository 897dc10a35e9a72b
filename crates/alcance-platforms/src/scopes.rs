//! Which metrics need which OAuth scope (issue 13 point 6, "permissions per account"): per
//! platform, the scopes whose absence stops metrics from being collected, and what an
//! account's granted scopes (`accounts.granted_scopes`, recorded at connect and at token
//! refresh) leave out.
//!
//! The table follows the platforms' documentation (platform-apis.md §1.2, §2.5, §3, §6;
//! platform-apis-more.md §1, §3, §4, §5): X non-public and post metrics need `tweet.read`
//! (and `users.read` for the owner), Instagram insights `instagram_business_manage_insights`
//! (Instagram Login) or `instagram_manage_insights` (Facebook Login), Facebook Page insights
//! `read_insights`, TikTok videos `video.list` and counts `user.info.stats`, YouTube
//! Analytics `yt-analytics.readonly`, LinkedIn page statistics `rw_organization_admin`,
//! Threads insights `threads_manage_insights`. Reddit's split between `read` and `history`
//! is marked "(verify)" in the notes and follows them.

use alcance_core::Platform;
use serde::Serialize;

/// Every metric of the account: the scope is needed to read the account at all.
pub const EVERY_METRIC: &str = "*";
/// The audience (demographics) rows, which are not catalog metrics.
pub const AUDIENCE: &str = "audience";

/// One scope (or equivalent scopes) and the metrics that are not collected without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScopeNeed {
    /// Scopes any one of which suffices; the first is the one Alcance asks for and shows.
    pub any_of: &'static [&'static str],
    /// Catalog keys (`alcance_core::catalog`) of the metrics not collected without it,
    /// [`AUDIENCE`] for demographics, or [`EVERY_METRIC`] alone when nothing is.
    pub metrics: &'static [&'static str],
}

const fn need(any_of: &'static [&'static str], metrics: &'static [&'static str]) -> ScopeNeed {
    ScopeNeed { any_of, metrics }
}

const EVERY: &[&str] = &[EVERY_METRIC];

const X: &[ScopeNeed] = &[
    need(&["users.read"], &["followers", "following", "listed", "media_count"]),
    need(
        &["tweet.read"],
        &[
            "likes",
            "replies",
            "reposts",
            "quotes",
            "bookmarks",
            "impressions",
            "video_views",
            "link_clicks",
            "profile_views",
        ],
    ),
];

const FACEBOOK: &[ScopeNeed] = &[
    need(&["pages_show_list"], EVERY),
    need(
        &["pages_read_engagement"],
        &[
            "followers",
            "page_likes",
            "talking_about",
            "likes",
            "comments",
            "shares",
            "reactions",
        ],
    ),
    need(
        &["read_insights"],
        &[
            "views",
            "reach",
            "total_interactions",
            "profile_views",
            "followers_gained",
            "followers_lost",
            "clicks",
            "video_views",
            "video_viewers",
            "watch_time_seconds",
            "watch_time_avg_seconds",
        ],
    ),
];

const INSTAGRAM: &[ScopeNeed] = &[
    need(&["instagram_business_basic", "instagram_basic"], EVERY),
    need(
        &["instagram_business_manage_insights", "instagram_manage_insights"],
        &[
            "reach",
            "views",
            "accounts_engaged",
            "total_interactions",
            "profile_views",
            "profile_activity",
            "follows",
            "followers_gained",
            "saves",
            "shares",
            "watch_time_seconds",
            "watch_time_avg_seconds",
            "story_navigation",
            "reels_skip_rate",
            "link_clicks",
            AUDIENCE,
        ],
    ),
];

const WHATSAPP: &[ScopeNeed] = &[need(&["whatsapp_business_management"], EVERY)];

const TIKTOK: &[ScopeNeed] = &[
    need(&["user.info.basic"], EVERY),
    need(
        &["user.info.stats"],
        &["followers", "following", "total_likes_received", "media_count"],
    ),
    need(&["video.list"], &["video_views", "likes", "comments", "shares"]),
];

const YOUTUBE: &[ScopeNeed] = &[
    need(&["https://www.googleapis.com/auth/youtube.readonly"], EVERY),
    need(
        &["https://www.googleapis.com/auth/yt-analytics.readonly"],
        &[
            "watch_time_seconds",
            "watch_time_avg_seconds",
            "shares",
            "followers_gained",
            "followers_lost",
        ],
    ),
];

const BLUESKY: &[ScopeNeed] = &[];

const REDDIT: &[ScopeNeed] = &[
    need(&["identity"], EVERY),
    need(&["read"], &["active_users"]),
    need(&["history"], &["score", "upvote_ratio", "comments", "reposts"]),
];

const LINKEDIN: &[ScopeNeed] = &[
    need(
        &["rw_organization_admin"],
        &[
            "followers",
            "followers_gained",
            "impressions",
            "reach",
            "clicks",
            "engagement_rate",
            AUDIENCE,
        ],
    ),
    need(
        &["r_organization_social"],
        &["likes", "comments", "reactions", "shares"],
    ),
];

const THREADS: &[ScopeNeed] = &[
    need(&["threads_basic"], EVERY),
    need(
        &["threads_manage_insights"],
        &[
            "followers",
            "views",
            "likes",
            "replies",
            "reposts",
            "quotes",
            "shares",
            "link_clicks",
            "profile_views",
            AUDIENCE,
        ],
    ),
];

/// The scopes `platform`'s metrics need, in the order the Accounts screen lists them.
/// Empty for Bluesky (an app password or an `atproto` session reads everything public).
pub fn needs(platform: Platform) -> &'static [ScopeNeed] {
    match platform {
        Platform::X => X,
        Platform::Facebook => FACEBOOK,
        Platform::Instagram => INSTAGRAM,
        Platform::Whatsapp => WHATSAPP,
        Platform::Tiktok => TIKTOK,
        Platform::Youtube => YOUTUBE,
        Platform::Bluesky => BLUESKY,
        Platform::Reddit => REDDIT,
        Platform::Linkedin => LINKEDIN,
        Platform::Threads => THREADS,
    }
}

/// A scope an account was not granted, and what is not collected without it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MissingScope {
    /// The scope, as the platform spells it (`video.list`).
    pub scope: String,
    /// `true` when the platform reported it as declined by the user (Facebook), `false`
    /// when it is only absent from the granted list.
    pub declined: bool,
    /// Catalog keys of the metrics not collected without it; `audience` for demographics;
    /// `*` alone when the account cannot be read at all.
    pub metrics: Vec<String>,
}

/// The scopes of [`needs`]`(platform)` that `granted` lacks (none of their equivalents is
/// in it), with the metrics each leaves out; `declined` marks those the user declined.
/// Scope names are compared exactly (platforms' scopes are case-sensitive).
pub fn missing(platform: Platform, granted: &[String], declined: &[String]) -> Vec<MissingScope> {
    let has = |list: &[String], s: &str| list.iter().any(|g| g == s);
    needs(platform)
        .iter()
        .filter(|n| !n.any_of.iter().any(|s| has(granted, s)))
        .map(|n| MissingScope {
            scope: n.any_of[0].to_string(),
            declined: n.any_of.iter().any(|s| has(declined, s)),
            metrics: n.metrics.iter().map(|m| (*m).to_string()).collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;
    use alcance_core::catalog::CATALOG;

    #[test]
    fn every_metric_named_is_a_catalog_metric_of_that_platform() {
        for p in Platform::ALL {
            for n in needs(p) {
                assert!(!n.any_of.is_empty(), "{p}");
                if n.metrics == EVERY {
                    continue;
                }
                for m in n.metrics {
                    if *m == AUDIENCE {
                        continue;
                    }
                    let entry = CATALOG.iter().find(|c| c.key == *m);
                    let entry = entry.unwrap_or_else(|| panic!("{p}: {m} is not in the catalog"));
                    assert!(
                        entry.sources.iter().any(|s| s.platform == p),
                        "{p}: {m} has no source on the platform"
                    );
                }
            }
        }
    }

    #[test]
    fn the_scope_shown_is_one_alcance_asks_for() {
        for p in Platform::ALL {
            let asked = registry::get(p).scopes();
            for n in needs(p) {
                assert!(
                    asked.iter().any(|a| a == n.any_of[0]),
                    "{p}: {} is not requested",
                    n.any_of[0]
                );
            }
        }
    }

    #[test]
    fn missing_scopes_name_their_metrics_and_equivalents_count() {
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_string()).collect::<Vec<_>>();
        let gone = missing(Platform::Tiktok, &s(&["user.info.basic", "user.info.stats"]), &[]);
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0].scope, "video.list");
        assert!(!gone[0].declined);
        assert!(gone[0].metrics.contains(&"video_views".to_string()));

        // Facebook Login's Instagram scope stands for Instagram Login's.
        let ig = missing(
            Platform::Instagram,
            &s(&["instagram_basic", "instagram_manage_insights"]),
            &[],
        );
        assert!(ig.is_empty(), "{ig:?}");
        let ig = missing(
            Platform::Instagram,
            &s(&["instagram_business_basic"]),
            &s(&["instagram_business_manage_insights"]),
        );
        assert_eq!(ig.len(), 1);
        assert!(ig[0].declined);
        assert!(ig[0].metrics.contains(&AUDIENCE.to_string()));
        assert!(missing(Platform::Bluesky, &[], &[]).is_empty());
    }
}
