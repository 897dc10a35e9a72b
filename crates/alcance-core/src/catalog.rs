//! The metric catalog: every metric Alcance stores, by one platform-neutral key, with its
//! unit, meaning and the source field on each platform that serves it.
//!
//! Exports, the UI and reports use only these keys. Platform clients map their wire fields
//! to keys with [`from_source`]; a field that maps to no key is recorded as a data gap, not
//! stored under an invented name.

use crate::platform::Platform;
use serde::Serialize;

/// The unit of a metric value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A whole count of accounts, posts, actions or views.
    Count,
    /// A duration in seconds (platform milliseconds are converted).
    Seconds,
    /// A percentage, 0–100.
    Percent,
    /// A ratio, 0–1.
    Ratio,
    /// Money in the account's billing currency.
    Currency,
}

impl Unit {
    /// Lower-case key for docs and exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::Seconds => "seconds",
            Unit::Percent => "percent",
            Unit::Ratio => "ratio",
            Unit::Currency => "currency",
        }
    }
}

/// Where a metric comes from on one platform.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MetricSource {
    /// The platform.
    pub platform: Platform,
    /// The wire field or insights metric name, as the API spells it
    /// (`public_metrics.followers_count`, `ig_reels_avg_watch_time`).
    pub field: &'static str,
    /// Multiply the wire value by this to get the catalog unit (0.001 for ms → s).
    pub scale: f64,
}

/// Whether a metric describes an account or a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Account-level (profile counts, account insights).
    Account,
    /// Post-level (lifetime totals of one post).
    Post,
    /// Served at both levels under the same meaning.
    Both,
}

/// One catalog entry.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Metric {
    /// Canonical key (`snake_case`), the `metric_type` of every export.
    pub key: &'static str,
    /// Unit of stored values.
    pub unit: Unit,
    /// Account-level, post-level or both.
    pub level: Level,
    /// One sentence for docs, tooltips and the XLSX header comments.
    pub description: &'static str,
    /// How it is obtained, when it is computed rather than read ("" when read directly).
    pub formula: &'static str,
    /// Source fields per platform.
    pub sources: &'static [MetricSource],
}

const fn src(platform: Platform, field: &'static str) -> MetricSource {
    MetricSource {
        platform,
        field,
        scale: 1.0,
    }
}

const fn src_min(platform: Platform, field: &'static str) -> MetricSource {
    MetricSource {
        platform,
        field,
        scale: 60.0,
    }
}

const fn src_ms(platform: Platform, field: &'static str) -> MetricSource {
    MetricSource {
        platform,
        field,
        scale: 0.001,
    }
}

use Level::{Account, Both, Post};
use Platform::Linkedin as LI;
use Platform::Reddit as RD;
use Platform::Threads as TH;
use Platform::Youtube as YT;
use Platform::{Bluesky as BS, Facebook as FB, Instagram as IG, Tiktok as TT, Whatsapp as WA, X};

/// Every metric Alcance knows, sorted by key.
pub static CATALOG: &[Metric] = &[
    Metric { key: "accounts_engaged", unit: Unit::Count, level: Account, description: "Distinct accounts that interacted with the account's content in the period.", formula: "", sources: &[src(IG, "accounts_engaged")] },
    Metric { key: "active_users", unit: Unit::Count, level: Account, description: "People active in a subreddit at collection time, as Reddit estimates them (Reddit active_user_count; removed from the API around September 2025, stored only when served).", formula: "", sources: &[src(RD, "active_user_count")] },
    Metric { key: "bookmarks", unit: Unit::Count, level: Post, description: "Times the post was bookmarked.", formula: "", sources: &[src(X, "public_metrics.bookmark_count")] },
    Metric { key: "clicks", unit: Unit::Count, level: Both, description: "Clicks anywhere on the post (FB post_clicks: links, photos, 'see more'), lifetime; per day on the account for LinkedIn pages (organic clicks on its posts).", formula: "", sources: &[src(FB, "post_clicks"), src(LI, "totalShareStatistics.clickCount")] },
    Metric { key: "comments", unit: Unit::Count, level: Both, description: "Comments (replies on X are `replies`).", formula: "", sources: &[src(IG, "comments"), src(IG, "comments_count"), src(FB, "comments.summary.total_count"), src(TT, "comment_count"), src(TT, "comments"), src(YT, "videos.statistics.commentCount"), src(YT, "reports.comments"), src(LI, "totalShareStatistics.commentCount"), src(LI, "commentSummary.count"), src(RD, "num_comments")] },
    Metric { key: "conversation_cost", unit: Unit::Currency, level: Account, description: "WhatsApp conversation charges in the period, in the WABA currency (absent for WABAs on a partner credit line).", formula: "", sources: &[src(WA, "conversation_analytics.data_points.cost")] },
    Metric { key: "conversations", unit: Unit::Count, level: Account, description: "WhatsApp conversations opened in the period (all categories, directions and types).", formula: "", sources: &[src(WA, "conversation_analytics.data_points.conversation")] },
    Metric { key: "engagement_rate", unit: Unit::Ratio, level: Both, description: "Engagement as the platform computes it, ratio 0–1: LinkedIn organic (clicks + likes + comments + shares + follows) / impressions, per post (lifetime) or per day on the page.", formula: "", sources: &[src(LI, "totalShareStatistics.engagement")] },
    Metric { key: "followers", unit: Unit::Count, level: Account, description: "Followers at collection time (a snapshot; growth is derived from snapshots).", formula: "", sources: &[src(X, "public_metrics.followers_count"), src(IG, "followers_count"), src(FB, "followers_count"), src(TT, "follower_count"), src(TT, "followers_count"), src(FB, "page_follows"), src(YT, "channels.statistics.subscriberCount"), src(BS, "followersCount"), src(TH, "followers_count"), src(LI, "networkSizes.firstDegreeSize"), src(RD, "subreddit.subscribers"), src(RD, "subscribers")] },
    Metric { key: "followers_gained", unit: Unit::Count, level: Account, description: "New followers in the period (IG `follower_count` day series, FB `page_daily_follows_unique`).", formula: "", sources: &[src(IG, "follower_count"), src(FB, "page_daily_follows_unique"), src(YT, "reports.subscribersGained"), src(LI, "followerGains.organicFollowerGain + paidFollowerGain")] },
    Metric { key: "followers_lost", unit: Unit::Count, level: Account, description: "Accounts that stopped following in the period (FB page_daily_unfollows_unique).", formula: "", sources: &[src(FB, "page_daily_unfollows_unique"), src(YT, "reports.subscribersLost")] },
    Metric { key: "following", unit: Unit::Count, level: Account, description: "Accounts this account follows, at collection time.", formula: "", sources: &[src(X, "public_metrics.following_count"), src(IG, "follows_count"), src(TT, "following_count"), src(BS, "followsCount")] },
    Metric { key: "follows", unit: Unit::Count, level: Both, description: "Accounts that started following because of the post, or new follows in the period.", formula: "", sources: &[src(IG, "follows")] },
    Metric { key: "full_watch_rate", unit: Unit::Ratio, level: Post, description: "Share of the video's views that watched it to the end, ratio 0–1 (TikTok Business full_video_watched_rate).", formula: "", sources: &[src(TT, "full_video_watched_rate")] },
    Metric { key: "impressions", unit: Unit::Count, level: Both, description: "Times the content was shown (X impressions; legacy Meta impressions before their 2025 removal).", formula: "", sources: &[src(X, "public_metrics.impression_count"), src(X, "non_public_metrics.impression_count"), src(IG, "impressions"), src(LI, "totalShareStatistics.impressionCount")] },
    Metric { key: "karma_comment", unit: Unit::Count, level: Account, description: "Karma the account earned from comments, at collection time (Reddit comment_karma).", formula: "", sources: &[src(RD, "comment_karma")] },
    Metric { key: "karma_post", unit: Unit::Count, level: Account, description: "Karma the account earned from posts, at collection time (Reddit link_karma).", formula: "", sources: &[src(RD, "link_karma")] },
    Metric { key: "karma_total", unit: Unit::Count, level: Account, description: "All the account's karma (posts, comments, awards), at collection time (Reddit total_karma).", formula: "", sources: &[src(RD, "total_karma")] },
    Metric { key: "likes", unit: Unit::Count, level: Both, description: "Likes (reactions of type like on Facebook).", formula: "", sources: &[src(X, "public_metrics.like_count"), src(IG, "likes"), src(IG, "like_count"), src(TT, "like_count"), src(TT, "likes"), src(FB, "post_reactions_by_type_total.like"), src(YT, "videos.statistics.likeCount"), src(YT, "reports.likes"), src(BS, "likeCount"), src(TH, "likes"), src(TH, "threads_insights.likes"), src(LI, "totalShareStatistics.likeCount"), src(RD, "ups")] },
    Metric { key: "link_clicks", unit: Unit::Count, level: Both, description: "Clicks on links in the post or profile.", formula: "", sources: &[src(X, "non_public_metrics.url_link_clicks"), src(IG, "link_clicks"), src(IG, "profile_links_taps"), src(TH, "threads_insights.clicks")] },
    Metric { key: "listed", unit: Unit::Count, level: Account, description: "Lists the account is a member of (X).", formula: "", sources: &[src(X, "public_metrics.listed_count")] },
    Metric { key: "media_count", unit: Unit::Count, level: Account, description: "Posts (media, tweets, videos) the account has published, at collection time.", formula: "", sources: &[src(X, "public_metrics.tweet_count"), src(IG, "media_count"), src(TT, "video_count"), src(YT, "channels.statistics.videoCount"), src(BS, "postsCount")] },
    Metric { key: "messages_delivered", unit: Unit::Count, level: Account, description: "WhatsApp messages delivered in the period.", formula: "", sources: &[src(WA, "analytics.data_points.delivered"), src(WA, "statuses.delivered")] },
    Metric { key: "messages_failed", unit: Unit::Count, level: Account, description: "WhatsApp messages that failed, counted from `messages` webhook statuses.", formula: "", sources: &[src(WA, "statuses.failed")] },
    Metric { key: "messages_played", unit: Unit::Count, level: Account, description: "WhatsApp voice messages played, counted from `messages` webhook statuses.", formula: "", sources: &[src(WA, "statuses.played")] },
    Metric { key: "messages_read", unit: Unit::Count, level: Account, description: "WhatsApp messages read, counted from `messages` webhook statuses.", formula: "", sources: &[src(WA, "statuses.read")] },
    Metric { key: "messages_sent", unit: Unit::Count, level: Account, description: "WhatsApp messages sent in the period.", formula: "", sources: &[src(WA, "analytics.data_points.sent"), src(WA, "statuses.sent")] },
    Metric { key: "page_likes", unit: Unit::Count, level: Account, description: "People who like the Facebook Page at collection time (FB fan_count; followers are `followers`).", formula: "", sources: &[src(FB, "fan_count")] },
    Metric { key: "pricing_cost", unit: Unit::Currency, level: Account, description: "WhatsApp per-message charges in the period, in the WABA currency (pricing_analytics).", formula: "", sources: &[src(WA, "pricing_analytics.data_points.cost")] },
    Metric { key: "pricing_volume", unit: Unit::Count, level: Account, description: "WhatsApp messages counted by per-message pricing in the period (pricing_analytics volume).", formula: "", sources: &[src(WA, "pricing_analytics.data_points.volume")] },
    Metric { key: "profile_activity", unit: Unit::Count, level: Post, description: "Actions taken on the profile after seeing the post (IG profile_activity total).", formula: "", sources: &[src(IG, "profile_activity")] },
    Metric { key: "profile_views", unit: Unit::Count, level: Both, description: "Visits to the profile (from the post, or in the period).", formula: "", sources: &[src(IG, "profile_visits"), src(IG, "profile_views"), src(X, "non_public_metrics.user_profile_clicks"), src(FB, "page_views_total"), src(TT, "profile_views"), src(TH, "threads_insights.views")] },
    Metric { key: "quotes", unit: Unit::Count, level: Both, description: "Quote posts of the post (X, Bluesky, Threads), or in the period (Threads account insights).", formula: "", sources: &[src(X, "public_metrics.quote_count"), src(BS, "quoteCount"), src(TH, "quotes"), src(TH, "threads_insights.quotes")] },
    Metric { key: "reach", unit: Unit::Count, level: Both, description: "Distinct accounts that saw the content (Meta reach; 'viewers' after Graph v26).", formula: "", sources: &[src(IG, "reach"), src(FB, "page_total_media_view_unique"), src(FB, "post_total_media_view_unique"), src(TT, "reach"), src(LI, "totalShareStatistics.uniqueImpressionsCount")] },
    Metric { key: "reactions", unit: Unit::Count, level: Post, description: "Reactions of every type on the post (FB reactions.summary.total_count; likes included).", formula: "", sources: &[src(FB, "reactions.summary.total_count"), src(LI, "reactionSummaries.*.count")] },
    Metric { key: "reactions_angry", unit: Unit::Count, level: Post, description: "Angry reactions on the post (FB post_reactions_by_type_total `anger`).", formula: "", sources: &[src(FB, "post_reactions_by_type_total.anger")] },
    Metric { key: "reactions_haha", unit: Unit::Count, level: Post, description: "Haha reactions on the post (FB post_reactions_by_type_total `haha`).", formula: "", sources: &[src(FB, "post_reactions_by_type_total.haha")] },
    Metric { key: "reactions_love", unit: Unit::Count, level: Post, description: "Love reactions on the post (FB post_reactions_by_type_total `love`).", formula: "", sources: &[src(FB, "post_reactions_by_type_total.love")] },
    Metric { key: "reactions_sad", unit: Unit::Count, level: Post, description: "Sad reactions on the post (FB post_reactions_by_type_total `sorry`).", formula: "", sources: &[src(FB, "post_reactions_by_type_total.sorry")] },
    Metric { key: "reactions_wow", unit: Unit::Count, level: Post, description: "Wow reactions on the post (FB post_reactions_by_type_total `wow`).", formula: "", sources: &[src(FB, "post_reactions_by_type_total.wow")] },
    Metric { key: "reels_skip_rate", unit: Unit::Percent, level: Post, description: "Share of reel views skipped in the first seconds, percent 0–100.", formula: "", sources: &[src(IG, "reels_skip_rate")] },
    Metric { key: "replies", unit: Unit::Count, level: Both, description: "Replies (X replies, IG story replies).", formula: "", sources: &[src(X, "public_metrics.reply_count"), src(IG, "replies"), src(BS, "replyCount"), src(TH, "replies"), src(TH, "threads_insights.replies")] },
    Metric { key: "reposts", unit: Unit::Count, level: Both, description: "Reposts / retweets of the post.", formula: "", sources: &[src(X, "public_metrics.retweet_count"), src(IG, "reposts"), src(BS, "repostCount"), src(TH, "reposts"), src(TH, "threads_insights.reposts"), src(RD, "num_crossposts")] },
    Metric { key: "saves", unit: Unit::Count, level: Both, description: "Times the post was saved.", formula: "", sources: &[src(IG, "saved"), src(IG, "saves")] },
    Metric { key: "score", unit: Unit::Count, level: Post, description: "Net votes of the post (upvotes minus downvotes) as Reddit shows them, fuzzed by Reddit and possibly negative (Reddit score).", formula: "", sources: &[src(RD, "score")] },
    Metric { key: "shares", unit: Unit::Count, level: Both, description: "Times the post was shared.", formula: "", sources: &[src(IG, "shares"), src(FB, "shares.count"), src(TT, "share_count"), src(TT, "shares"), src(YT, "reports.shares"), src(TH, "shares"), src(LI, "totalShareStatistics.shareCount")] },
    Metric { key: "story_exits", unit: Unit::Count, level: Post, description: "Story exits (IG navigation breakdown TAP_EXIT; legacy `exits`).", formula: "", sources: &[src(IG, "navigation.TAP_EXIT"), src(IG, "exits")] },
    Metric { key: "story_navigation", unit: Unit::Count, level: Post, description: "Story navigation actions in total (IG `navigation`).", formula: "", sources: &[src(IG, "navigation")] },
    Metric { key: "story_swipes_forward", unit: Unit::Count, level: Post, description: "Swipes to the next account's story (IG navigation breakdown SWIPE_FORWARD).", formula: "", sources: &[src(IG, "navigation.SWIPE_FORWARD")] },
    Metric { key: "story_taps_back", unit: Unit::Count, level: Post, description: "Taps back to the previous story (IG TAP_BACK; legacy `taps_back`).", formula: "", sources: &[src(IG, "navigation.TAP_BACK"), src(IG, "taps_back")] },
    Metric { key: "story_taps_forward", unit: Unit::Count, level: Post, description: "Taps forward to the next story (IG TAP_FORWARD; legacy `taps_forward`).", formula: "", sources: &[src(IG, "navigation.TAP_FORWARD"), src(IG, "taps_forward")] },
    Metric { key: "talking_about", unit: Unit::Count, level: Account, description: "People talking about the Facebook Page (FB talking_about_count), at collection time.", formula: "", sources: &[src(FB, "talking_about_count")] },
    Metric { key: "template_clicked", unit: Unit::Count, level: Account, description: "Button clicks on WhatsApp template messages in the period (all buttons and templates).", formula: "", sources: &[src(WA, "template_analytics.data_points.clicked")] },
    Metric { key: "template_cost", unit: Unit::Currency, level: Account, description: "Amount spent on WhatsApp template messages in the period (template_analytics cost `amount_spent`).", formula: "", sources: &[src(WA, "template_analytics.data_points.cost.amount_spent")] },
    Metric { key: "template_delivered", unit: Unit::Count, level: Account, description: "WhatsApp template messages delivered in the period.", formula: "", sources: &[src(WA, "template_analytics.data_points.delivered")] },
    Metric { key: "template_read", unit: Unit::Count, level: Account, description: "WhatsApp template messages read in the period (counted up to 7 days after sending).", formula: "", sources: &[src(WA, "template_analytics.data_points.read")] },
    Metric { key: "template_sent", unit: Unit::Count, level: Account, description: "WhatsApp template messages sent in the period.", formula: "", sources: &[src(WA, "template_analytics.data_points.sent")] },
    Metric { key: "total_interactions", unit: Unit::Count, level: Both, description: "Likes, comments, saves, shares and replies together, as the platform counts them (IG total_interactions; legacy `engagement`).", formula: "", sources: &[src(IG, "total_interactions"), src(IG, "engagement"), src(FB, "page_post_engagements")] },
    Metric { key: "total_likes_received", unit: Unit::Count, level: Account, description: "Likes received on all of the account's videos, at collection time (TikTok likes_count).", formula: "", sources: &[src(TT, "likes_count")] },
    Metric { key: "total_video_views", unit: Unit::Count, level: Account, description: "Views of all the account's public videos since it was created, at collection time (YouTube channel statistics.viewCount).", formula: "", sources: &[src(YT, "channels.statistics.viewCount")] },
    Metric { key: "upvote_ratio", unit: Unit::Ratio, level: Post, description: "Share of the post's votes that are upvotes, ratio 0–1 (Reddit upvote_ratio).", formula: "", sources: &[src(RD, "upvote_ratio")] },
    Metric { key: "video_duration", unit: Unit::Seconds, level: Post, description: "Length of the video, seconds (YouTube contentDetails.duration, ISO 8601).", formula: "", sources: &[src(YT, "videos.contentDetails.duration")] },
    Metric { key: "video_viewers", unit: Unit::Count, level: Post, description: "Distinct people who watched the video for 3 seconds or to the end (FB total_video_views_unique).", formula: "", sources: &[src(FB, "total_video_views_unique")] },
    Metric { key: "video_views", unit: Unit::Count, level: Both, description: "Video plays (X media view_count, TikTok view_count, legacy IG video_views / plays); per day for TikTok Business accounts.", formula: "", sources: &[src(X, "media.public_metrics.view_count"), src(IG, "video_views"), src(IG, "plays"), src(TT, "view_count"), src(TT, "video_views"), src(FB, "total_video_views"), src(YT, "videos.statistics.viewCount"), src(YT, "reports.views")] },
    Metric { key: "views", unit: Unit::Count, level: Both, description: "Times the content was played or displayed (Meta `views`, the successor of impressions and plays since Graph v22).", formula: "", sources: &[src(IG, "views"), src(FB, "page_media_view"), src(FB, "post_media_view"), src(TH, "views")] },
    Metric { key: "watch_time_avg_seconds", unit: Unit::Seconds, level: Both, description: "Average watch time per play, seconds (IG ig_reels_avg_watch_time in ms; per day for YouTube channels).", formula: "", sources: &[src_ms(IG, "ig_reels_avg_watch_time"), src(TT, "average_time_watched"), src_ms(FB, "total_video_avg_time_watched"), src(YT, "reports.averageViewDuration")] },
    Metric { key: "watch_time_seconds", unit: Unit::Seconds, level: Both, description: "Total watch time across all plays, seconds (IG ig_reels_video_view_total_time in ms; per day for YouTube channels, from estimated minutes).", formula: "", sources: &[src_ms(IG, "ig_reels_video_view_total_time"), src(TT, "total_time_watched"), src_ms(FB, "total_video_view_total_time"), src_min(YT, "reports.estimatedMinutesWatched")] },
];

/// Metrics a platform's API does not serve at all, so Alcance never shows or exports them
/// for that platform (a chart of them stays empty, it is not zero): listed in the
/// "Not served" section of `docs/metrics.md` so nobody invents them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NotServed {
    /// The platform.
    pub platform: Platform,
    /// Catalog keys the platform has no source for.
    pub keys: &'static [&'static str],
    /// Why (what the API offers instead), one sentence.
    pub why: &'static str,
}

/// Every platform's known missing metrics, in [`Platform::ALL`] order.
pub static NOT_SERVED: &[NotServed] = &[NotServed {
    platform: BS,
    keys: &["reach", "impressions", "views", "video_views", "profile_views", "link_clicks", "saves", "shares"],
    why: "the AT Protocol AppView serves only public counters (followersCount, followsCount, postsCount; likeCount, repostCount, replyCount, quoteCount per post): no views, reach, impressions, clicks, time series or demographics, so Alcance snapshots the counters at each collection",
}, NotServed {
    platform: RD,
    keys: &["reach", "impressions", "views", "video_views", "profile_views", "link_clicks", "saves", "shares", "following", "media_count"],
    why: "the Data API serves only public counters (karma and profile subscribers per user, subscribers per subreddit; score, ups, upvote_ratio, num_comments, num_crossposts per post): view_count is always null, downs is 0, there are no views, reach, clicks, followings, submission counts, time series or demographics, so Alcance snapshots the counters at each collection",
}, NotServed {
    platform: LI,
    keys: &["followers_lost", "following", "saves", "quotes"],
    why: "the Community Management API reports follower gains only (organic and paid, no losses), pages follow nobody, and share statistics have no saves or quote counts (reposts are `shareCount`)",
}, NotServed {
    platform: TH,
    keys: &["reach", "impressions", "saves", "following", "media_count", "video_views"],
    why: "the Threads API serves views, likes, replies, reposts, quotes and shares per post and views, likes, replies, reposts, quotes, clicks, followers_count and follower_demographics per account: no reach, impressions, saves, following or post counts, and no separate video plays",
}];

/// The "Not served" section of `docs/metrics.md`: one row per [`NOT_SERVED`] entry.
pub fn not_served_markdown() -> String {
    let mut out = String::from(
        "## Not served\n\nMetrics a platform's API does not offer at all; Alcance never shows or invents \
         them for it.\n\n| platform | metrics | why |\n|---|---|---|\n",
    );
    for n in NOT_SERVED {
        let keys: Vec<String> = n.keys.iter().map(|k| format!("`{k}`")).collect();
        out.push_str(&format!("| {} | {} | {} |\n", n.platform, keys.join(", "), n.why));
    }
    out
}

/// Looks up a catalog entry by key.
pub fn lookup(key: &str) -> Option<&'static Metric> {
    CATALOG.iter().find(|m| m.key == key)
}

/// Finds the catalog entry a platform field maps to, with its source (for the scale).
/// `None` when the field is unknown: record a data gap, never store it.
pub fn from_source(platform: Platform, field: &str) -> Option<(&'static Metric, &'static MetricSource)> {
    CATALOG.iter().find_map(|m| {
        m.sources
            .iter()
            .find(|s| s.platform == platform && s.field == field)
            .map(|s| (m, s))
    })
}

/// Maps a platform field and its raw value to `(key, value in catalog unit)`.
pub fn map_value(platform: Platform, field: &str, raw: f64) -> Option<(&'static str, f64)> {
    from_source(platform, field).map(|(m, s)| (m.key, raw * s.scale))
}

/// The catalog as a Markdown table (key, unit, level, platforms, source fields, formula,
/// description): the body of `docs/metrics.md`.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| key | unit | level | platforms | source fields | formula | description |\n|---|---|---|---|---|---|---|\n",
    );
    for m in CATALOG {
        let mut platforms: Vec<&str> = m.sources.iter().map(|s| s.platform.as_str()).collect();
        platforms.dedup();
        let fields: Vec<String> = m
            .sources
            .iter()
            .map(|s| {
                if (s.scale - 1.0).abs() > f64::EPSILON {
                    format!("{}: `{}` × {}", s.platform, s.field, s.scale)
                } else {
                    format!("{}: `{}`", s.platform, s.field)
                }
            })
            .collect();
        let level = match m.level {
            Level::Account => "account",
            Level::Post => "post",
            Level::Both => "account, post",
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} |\n",
            m.key,
            m.unit.as_str(),
            level,
            platforms.join(", "),
            fields.join("<br>"),
            if m.formula.is_empty() {
                "read directly"
            } else {
                m.formula
            },
            m.description
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_is_sorted_unique_and_snake_case() {
        for w in CATALOG.windows(2) {
            assert!(w[0].key < w[1].key, "{} must sort before {}", w[0].key, w[1].key);
        }
        for m in CATALOG {
            assert!(
                m.key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{}",
                m.key
            );
            assert!(!m.sources.is_empty(), "{} has no source", m.key);
        }
    }

    #[test]
    fn a_source_field_maps_to_exactly_one_key() {
        for m in CATALOG {
            for s in m.sources {
                let (found, _) = from_source(s.platform, s.field).expect("mapped");
                assert_eq!(found.key, m.key, "{}:{} maps to two keys", s.platform, s.field);
            }
        }
    }

    #[test]
    fn not_served_keys_exist_and_have_no_source_on_their_platform() {
        for n in NOT_SERVED {
            for key in n.keys {
                let m = lookup(key).unwrap_or_else(|| panic!("{key} is not a catalog key"));
                assert!(
                    m.sources.iter().all(|s| s.platform != n.platform),
                    "{key} is served by {} after all",
                    n.platform
                );
            }
        }
        assert!(not_served_markdown().contains("| bluesky | `reach`, `impressions`"));
    }

    #[test]
    fn milliseconds_become_seconds() {
        assert_eq!(
            map_value(Platform::Instagram, "ig_reels_avg_watch_time", 1500.0),
            Some(("watch_time_avg_seconds", 1.5))
        );
        assert_eq!(
            map_value(Platform::X, "public_metrics.followers_count", 10.0),
            Some(("followers", 10.0))
        );
        assert_eq!(map_value(Platform::Instagram, "no_such_metric", 1.0), None);
    }

    #[test]
    fn youtube_minutes_become_seconds_and_resources_keep_fields_apart() {
        assert_eq!(
            map_value(Platform::Youtube, "reports.estimatedMinutesWatched", 2.5),
            Some(("watch_time_seconds", 150.0))
        );
        assert_eq!(
            map_value(Platform::Youtube, "channels.statistics.viewCount", 7.0),
            Some(("total_video_views", 7.0))
        );
        assert_eq!(
            map_value(Platform::Youtube, "videos.statistics.viewCount", 7.0),
            Some(("video_views", 7.0))
        );
    }
}
