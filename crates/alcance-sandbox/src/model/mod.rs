//! The seeded model: every number the sandbox serves in seeded mode is a pure function of
//! `(seed, account, time)`. See the crate documentation for the model and its exact
//! multipliers; the constants below are that model.
//!
//! Randomness comes from one ChaCha8 stream per `(seed, account, UTC day, purpose)`, so no
//! value depends on the order in which requests arrive. Generated days are cached.
//!
//! This module holds what every network shares: the clock and engagement multipliers, the
//! seeded accounts, post kinds and metrics, and the random streams. The rest is split by
//! network and concern:
//! - `generator` (`Generator`): caches, the follower curve, the day's posts of every network,
//!   walking a timeline, activity over an interval;
//! - `x`, `instagram`, `facebook`, `tiktok`: how each network's posts are made (and
//!   Instagram's demographics, Facebook's Page insights, TikTok's business days);
//! - `whatsapp`: the WABA's message, conversation, pricing and template volumes.
//!
//! Same principles for every network: posts published at random seconds of every UTC day
//! since 2024-01-01, the posting-hour × weekday multiplier `M` (São Paulo evenings, Tuesday
//! and Thursday best), follower growth `F(t)`, and lifetime values that grow with age and
//! saturate.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Offset, TimeZone, Timelike, Utc};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

mod bluesky;
mod facebook;
mod generator;
mod instagram;
mod linkedin;
mod reddit;
#[cfg(test)]
mod tests;
mod threads;
mod tiktok;
mod whatsapp;
mod x;
mod youtube;

pub(crate) use bluesky::{bs_uri, find_bs_post, reposted};
pub use bluesky::{BS_DID_OWNED, BS_DID_TRACKED, BS_HANDLE_OWNED, BS_HANDLE_TRACKED};
pub(crate) use facebook::{fb_video_id, find_fb_post, find_fb_video, page_insights, reactions_by_type, status_type};
pub use facebook::{FB_PAGE_OWNED, FB_PAGE_TRACKED, FB_REACTION_SHARES, FB_USER_ID, FB_USER_NAME};
pub(crate) use generator::Generator;
pub use generator::MAX_POST_VOLUME;
pub(crate) use linkedin::{find_li_post, li_day, utc_midnight, LI_DEMOGRAPHICS};
pub use linkedin::{LI_MEMBER_NAME, LI_MEMBER_SUB, LI_ORG_ID};
pub(crate) use reddit::is_subreddit;
pub use reddit::{RD_NAME_OWNED, RD_NAME_TRACKED, RD_SUB_NAME, RD_SUB_TRACKED, RD_USER_OWNED, RD_USER_TRACKED};
pub(crate) use threads::th_media_position;
pub use threads::{TH_AGES, TH_CITIES, TH_COUNTRIES, TH_GENDERS, TH_USERNAME, TH_USER_ID};
pub(crate) use tiktok::{find_tt_video, tt_day};
pub use tiktok::{TT_AUDIENCE_COUNTRIES, TT_AUDIENCE_GENDERS, TT_OPEN_ID};
pub(crate) use whatsapp::{wa_day, wa_messaging_tier, WaDay};
pub use whatsapp::{
    wa_rate, WaTemplate, WABA_ID, WA_CATEGORIES, WA_COUNTRIES, WA_DISPLAY_PHONE, WA_PHONE_DIGITS, WA_PHONE_NUMBER_ID,
    WA_TEMPLATES, WA_WEEKDAY,
};
pub(crate) use youtube::{find_yt_video, pacific_day, total_views, yt_day, YtDay};
pub use youtube::{YT_CHANNEL_ID, YT_TRACKED_ID};

/// The first UTC day with generated posts: 2024-01-01 (a Monday), day index 0.
pub const HISTORY_START: NaiveDate = match NaiveDate::from_ymd_opt(2024, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// The audience's time zone as a fixed offset from UTC, in hours: America/Sao_Paulo has
/// been UTC−3 all year since Brazil dropped daylight saving time in 2019.
pub const LOCAL_UTC_OFFSET_HOURS: i32 = -3;

/// Engagement multiplier by the **local** (UTC−3) hour a post is published, index 0–23.
/// Peak 1.8 at 19:00–20:59 local (22:00–23:59 UTC); trough 0.5 at 02:00–05:59 local.
pub const HOUR_MULTIPLIER: [f64; 24] = [
    0.80, 0.65, 0.50, 0.50, 0.50, 0.50, 0.65, 0.80, 0.90, 1.00, 1.00, 1.05, //
    1.15, 1.10, 1.00, 1.00, 1.05, 1.15, 1.30, 1.80, 1.80, 1.40, 1.10, 0.95,
];

/// Engagement multiplier by the **local** weekday a post is published, Monday first:
/// Tuesday and Thursday 1.25, Saturday lowest (0.85).
pub const WEEKDAY_MULTIPLIER: [f64; 7] = [1.00, 1.25, 1.05, 1.25, 0.95, 0.85, 0.90];

/// Weight of each UTC weekday in follower growth, Monday first; the weights average 1.
pub const FOLLOWER_GROWTH_WEEKDAY: [f64; 7] = [0.95, 1.20, 1.00, 1.20, 0.95, 0.80, 0.90];

/// Post metrics at age `h` hours are `final × (1 − e^(−h / SATURATION_HOURS))`, floored.
pub const SATURATION_HOURS: f64 = 18.0;

/// The engagement multiplier `M = HOUR_MULTIPLIER[local hour] × WEEKDAY_MULTIPLIER[local
/// weekday]` of a post published at `t` (UTC). Interactions scale with `M`, impressions /
/// views / reach with `√M`, so the engagement rate also scales with `√M`.
pub fn engagement_multiplier(t: DateTime<Utc>) -> f64 {
    let local = t.with_timezone(&local_offset());
    HOUR_MULTIPLIER[local.hour() as usize % 24]
        * WEEKDAY_MULTIPLIER[local.weekday().num_days_from_monday() as usize % 7]
}

fn local_offset() -> FixedOffset {
    FixedOffset::east_opt(LOCAL_UTC_OFFSET_HOURS * 3600).unwrap_or_else(|| Utc.fix())
}

/// Which platform a seeded account lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Network {
    /// X API v2.
    X,
    /// Instagram Graph API.
    Instagram,
    /// Facebook Pages (Graph API).
    Facebook,
    /// WhatsApp Business Management API (WABA analytics).
    Whatsapp,
    /// TikTok Display API v2 and TikTok API for Business.
    Tiktok,
    /// YouTube Data API v3 and Analytics API v2.
    Youtube,
    /// Bluesky (AT Protocol XRPC: AppView reads, app-password sessions).
    Bluesky,
    /// Reddit (oauth.reddit.com Data API, installed-app OAuth on www.reddit.com).
    Reddit,
    /// LinkedIn (Community Management API: an administered organization page).
    Linkedin,
    /// Threads (Meta's Threads API, `graph.threads.net`).
    Threads,
}

impl Network {
    /// Every network, in manifest order (`x`, `facebook`, `instagram`, `whatsapp`, `tiktok`,
    /// `youtube`, `bluesky`, `reddit`, `linkedin`, `threads`).
    pub const ALL: [Network; 10] = [
        Network::X,
        Network::Facebook,
        Network::Instagram,
        Network::Whatsapp,
        Network::Tiktok,
        Network::Youtube,
        Network::Bluesky,
        Network::Reddit,
        Network::Linkedin,
        Network::Threads,
    ];

    /// The manifest's platform key (`"x"`, `"facebook"`, `"instagram"`, `"whatsapp"`,
    /// `"tiktok"`).
    pub fn key(self) -> &'static str {
        match self {
            Network::X => "x",
            Network::Instagram => "instagram",
            Network::Facebook => "facebook",
            Network::Whatsapp => "whatsapp",
            Network::Tiktok => "tiktok",
            Network::Youtube => "youtube",
            Network::Bluesky => "bluesky",
            Network::Reddit => "reddit",
            Network::Linkedin => "linkedin",
            Network::Threads => "threads",
        }
    }
}

/// One seeded account, as listed by `GET /__alcance/accounts`.
#[derive(Debug, Clone, Copy)]
pub struct SeededAccount {
    /// Platform.
    pub network: Network,
    /// Platform id (X user id, Instagram user id).
    pub external_id: &'static str,
    /// Handle without `@`.
    pub username: &'static str,
    /// Display name.
    pub name: &'static str,
    /// `true` for the account the sandbox's OAuth logs in as; `false` for tracked ones.
    pub owned: bool,
    /// Profile bio.
    pub bio: &'static str,
    /// Followers at 2024-01-01T00:00Z before the per-seed ±5 % scale.
    pub followers_2024: f64,
    /// Mean follower growth per day (natural-log units: 0.0025 ≈ 0.25 %/day).
    pub growth_per_day: f64,
    /// Accounts this one follows on 2024-01-01; grows by one every 20 days.
    pub following_2024: u64,
    /// Account creation time, RFC 3339 UTC.
    pub created_at: &'static str,
    /// Posts published before 2024-01-01 (added to post counts).
    pub posts_before_history: u64,
    /// Base engagement rate per impression (X) or per reach (Instagram), ratio 0–1.
    pub engagement_rate: f64,
    /// Instagram: the day the account became a business account; media published before
    /// it answer Graph error #100 / subcode 2108006 on insights.
    pub business_since: Option<(i32, u32, u32)>,
}

/// The seeded accounts, owned first per platform. Indexes are stable (X and Instagram
/// first, then Facebook, WhatsApp, TikTok); the manifest lists them in [`Network::ALL`]
/// order.
pub const ACCOUNTS: [SeededAccount; 17] = [
    SeededAccount {
        network: Network::X,
        external_id: "1580000000000000001",
        username: "alcance_br",
        name: "Alcance Brasil",
        owned: true,
        bio: "Métricas de redes sociais no seu computador. Dados seus, histórico ilimitado.",
        followers_2024: 900.0,
        growth_per_day: 0.0025,
        following_2024: 310,
        created_at: "2019-03-12T14:22:05.000Z",
        posts_before_history: 1_200,
        engagement_rate: 0.025,
        business_since: None,
    },
    SeededAccount {
        network: Network::X,
        external_id: "1580000000000000002",
        username: "ana_influencer",
        name: "Ana Influencer",
        owned: false,
        bio: "Criadora de conteúdo | marketing digital | São Paulo",
        followers_2024: 10_700.0,
        growth_per_day: 0.0020,
        following_2024: 890,
        created_at: "2016-07-04T12:00:00.000Z",
        posts_before_history: 8_400,
        engagement_rate: 0.030,
        business_since: None,
    },
    SeededAccount {
        network: Network::Instagram,
        external_id: "17841400000000001",
        username: "alcance.br",
        name: "Alcance Brasil",
        owned: true,
        bio: "Métricas de redes sociais no seu computador 📊",
        followers_2024: 1_000.0,
        growth_per_day: 0.0025,
        following_2024: 280,
        created_at: "2019-03-12T14:22:05.000Z",
        posts_before_history: 140,
        engagement_rate: 0.070,
        business_since: Some((2024, 1, 8)),
    },
    SeededAccount {
        network: Network::Instagram,
        external_id: "17841400000000002",
        username: "ana.influencer",
        name: "Ana Influencer",
        owned: false,
        bio: "Marketing digital, rotina e bastidores ✨ SP",
        followers_2024: 11_000.0,
        growth_per_day: 0.0020,
        following_2024: 1_020,
        created_at: "2016-07-04T12:00:00.000Z",
        posts_before_history: 2_300,
        engagement_rate: 0.080,
        business_since: None,
    },
    facebook::FB_OWNED,
    facebook::FB_TRACKED,
    whatsapp::WA_OWNED,
    tiktok::TT_OWNED,
    youtube::YT_OWNED,
    youtube::YT_TRACKED,
    bluesky::BS_OWNED,
    bluesky::BS_TRACKED,
    reddit::RD_OWNED,
    reddit::RD_TRACKED,
    reddit::RD_SUBREDDIT,
    linkedin::LI_OWNED,
    threads::TH_OWNED,
];

/// Index into [`ACCOUNTS`] of the account with this network and id.
pub(crate) fn account_by_id(network: Network, id: &str) -> Option<usize> {
    ACCOUNTS
        .iter()
        .position(|a| a.network == network && a.external_id == id)
}

/// Random stream of a day's posts.
pub(crate) const STREAM_POSTS: u64 = 1;
/// Random stream of the follower noise.
pub(crate) const STREAM_FOLLOWERS: u64 = 2;
/// Random stream of per-account constants.
pub(crate) const STREAM_ACCOUNT: u64 = 3;
/// Random stream of demographics (plus the audience).
pub(crate) const STREAM_DEMOGRAPHICS: u64 = 4;

/// What a post is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// X text-only post.
    XText,
    /// X post with a photo.
    XPhoto,
    /// X post with a video.
    XVideo,
    /// X post with an animated GIF.
    XGif,
    /// Instagram IMAGE / FEED.
    IgImage,
    /// Instagram CAROUSEL_ALBUM / FEED.
    IgCarousel,
    /// Instagram VIDEO / REELS.
    IgReel,
    /// Instagram story (IMAGE or VIDEO) / STORY.
    IgStory {
        /// `true` for a video story.
        video: bool,
    },
    /// Facebook Page text post (`status_type` `mobile_status_update`).
    FbStatus,
    /// Facebook Page photo post (`added_photos`).
    FbPhoto,
    /// Facebook Page link share (`shared_story`).
    FbLink,
    /// Facebook Page video post (`added_video`); also listed by `/{page-id}/videos`.
    FbVideo,
    /// TikTok video.
    TtVideo,
    /// YouTube upload.
    YtVideo,
    /// Bluesky text post.
    BsText,
    /// Bluesky post with images (`app.bsky.embed.images`).
    BsImage,
    /// Bluesky post with a link card (`app.bsky.embed.external`).
    BsLink,
    /// Bluesky reply (`record.reply`).
    BsReply,
    /// Bluesky quote post (`app.bsky.embed.record`).
    BsQuote,
    /// A repost of someone else's post: a feed item with `reasonRepost`, not a post.
    BsRepost,
    /// Reddit text (self) post.
    RdSelf,
    /// Reddit link post.
    RdLink,
    /// Reddit image post (`post_hint: image`).
    RdImage,
    /// Reddit video post (`is_video`, `post_hint: hosted:video`).
    RdVideo,
    /// Reddit gallery (`is_gallery`).
    RdGallery,
    /// LinkedIn text post (`urn:li:share:`).
    LiText,
    /// LinkedIn post with an image (`content.media` `urn:li:image:`).
    LiImage,
    /// LinkedIn video post (`urn:li:ugcPost:`, `content.media` `urn:li:video:`).
    LiVideo,
    /// Threads `TEXT_POST`.
    ThText,
    /// Threads `IMAGE`.
    ThImage,
    /// Threads `VIDEO`.
    ThVideo,
    /// Threads `CAROUSEL_ALBUM`.
    ThCarousel,
    /// Threads `REPOST_FACADE`: someone else's post reposted (no insights).
    ThRepost,
}

impl Kind {
    /// Instagram `media_type`.
    pub(crate) fn media_type(self) -> &'static str {
        match self {
            Kind::IgCarousel => "CAROUSEL_ALBUM",
            Kind::IgReel | Kind::IgStory { video: true } | Kind::XVideo => "VIDEO",
            _ => "IMAGE",
        }
    }

    /// Instagram `media_product_type`.
    pub(crate) fn product_type(self) -> &'static str {
        match self {
            Kind::IgReel => "REELS",
            Kind::IgStory { .. } => "STORY",
            _ => "FEED",
        }
    }

    /// The `media_product_type` value of account-insight breakdowns.
    pub(crate) fn breakdown_product(self) -> &'static str {
        match self {
            Kind::IgReel => "REEL",
            Kind::IgStory { .. } => "STORY",
            Kind::IgCarousel => "CAROUSEL_CONTAINER",
            _ => "POST",
        }
    }

    /// Share of reach that comes from followers (ratio 0–1).
    pub(crate) fn follower_share(self) -> f64 {
        match self {
            Kind::IgReel => 0.38,
            Kind::IgStory { .. } => 0.92,
            Kind::IgCarousel => 0.68,
            _ => 0.72,
        }
    }

    /// `true` for an Instagram story.
    pub(crate) fn is_story(self) -> bool {
        matches!(self, Kind::IgStory { .. })
    }

    /// X media type of the attachment (`photo`, `video`, `animated_gif`).
    pub(crate) fn x_media_type(self) -> Option<&'static str> {
        match self {
            Kind::XPhoto => Some("photo"),
            Kind::XVideo => Some("video"),
            Kind::XGif => Some("animated_gif"),
            _ => None,
        }
    }
}

/// The lifetime metrics a post saturates to. Indexes into [`Post::finals`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum M {
    /// X `impression_count`; Instagram `views`.
    Views = 0,
    /// Instagram `reach` (unique accounts).
    Reach,
    /// Likes.
    Likes,
    /// X `reply_count`; Instagram `comments` (feed, reels) or story `replies`.
    Replies,
    /// X `retweet_count`; Instagram `shares`.
    Reposts,
    /// X `quote_count`.
    Quotes,
    /// X `bookmark_count`; Instagram `saved`.
    Bookmarks,
    /// X `url_link_clicks`.
    LinkClicks,
    /// X `user_profile_clicks`; Instagram `profile_visits`.
    ProfileVisits,
    /// Follows from this post.
    Follows,
    /// X media `view_count` (videos, GIFs).
    MediaViews,
    /// Instagram story `navigation`.
    Navigation,
}

/// How many metrics a post has ([`M`]).
pub(crate) const N_METRICS: usize = 12;

/// One generated post, reel or story.
#[derive(Debug, Clone)]
pub(crate) struct Post {
    /// Platform id: X snowflake or 17-digit Instagram media id.
    pub id: String,
    /// X: the snowflake as a number (ordering); Instagram: 0.
    pub id_num: u64,
    /// Index into [`ACCOUNTS`].
    pub account: usize,
    /// UTC day index since [`HISTORY_START`].
    pub day: i64,
    /// Position within the day (time order).
    pub index: usize,
    /// Publication time, UTC.
    pub published: DateTime<Utc>,
    /// What it is.
    pub kind: Kind,
    /// Text / caption.
    pub text: String,
    /// Lifetime values each metric saturates to.
    pub finals: [f64; N_METRICS],
    /// X video / GIF duration, ms; 0 otherwise.
    pub duration_ms: u64,
    /// Reels: average watch time in ms (does not grow with age).
    pub avg_watch_ms: u64,
    /// Instagram shortcode for the permalink.
    pub shortcode: String,
}

impl Post {
    /// Hours since publication at `t`, `None` before publication.
    pub(crate) fn age_hours(&self, t: DateTime<Utc>) -> Option<f64> {
        if t < self.published {
            return None;
        }
        Some((t - self.published).num_milliseconds() as f64 / 3_600_000.0)
    }

    /// The lifetime value of `m` as it stood at `t` (0 before publication).
    pub(crate) fn value(&self, m: M, t: DateTime<Utc>) -> u64 {
        match self.age_hours(t) {
            None => 0,
            Some(h) => {
                let v = self.finals[m as usize] * (1.0 - (-h / SATURATION_HOURS).exp());
                if v.is_finite() && v > 0.0 {
                    v.floor() as u64
                } else {
                    0
                }
            }
        }
    }

    /// X media key of the attachment (`3_` photo, `7_` video, `16_` GIF).
    pub(crate) fn media_key(&self) -> Option<String> {
        match self.kind {
            Kind::XPhoto => Some(format!("3_{}", self.id)),
            Kind::XVideo => Some(format!("7_{}", self.id)),
            Kind::XGif => Some(format!("16_{}", self.id)),
            _ => None,
        }
    }
}

/// Per-post change of Instagram metrics over an interval, for account insights.
#[derive(Debug, Clone)]
pub(crate) struct Contribution {
    /// Account-insight `media_product_type` (`POST`, `CAROUSEL_CONTAINER`, `REEL`, `STORY`).
    pub product: &'static str,
    /// Share of reach from followers, ratio 0–1.
    pub follower_share: f64,
    /// `true` for a story (its `Replies` are story replies, not comments).
    pub story: bool,
    /// Increment of each metric over the interval.
    pub delta: [u64; N_METRICS],
}

/// Which audience a demographics breakdown describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Audience {
    /// `follower_demographics`.
    Followers,
    /// `engaged_audience_demographics`.
    Engaged,
}

/// SplitMix64: a well-mixed 64-bit hash of `z`.
pub(crate) fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The ChaCha8 stream of `(seed, account, UTC day, purpose)`.
pub(crate) fn rng(seed: u64, account: usize, day: i64, stream: u64) -> ChaCha8Rng {
    let key = splitmix(seed ^ splitmix(((account as u64) << 56) ^ (day as u64) ^ splitmix(stream.wrapping_mul(31))));
    ChaCha8Rng::seed_from_u64(key)
}

/// Midnight UTC starting day `day`.
pub(crate) fn day_start(day: i64) -> DateTime<Utc> {
    Utc.from_utc_datetime(&HISTORY_START.and_time(chrono::NaiveTime::MIN)) + Duration::days(day)
}

/// The UTC day index of `t`.
pub(crate) fn day_of(t: DateTime<Utc>) -> i64 {
    (t - day_start(0)).num_seconds().div_euclid(86_400)
}

/// Every metric, in index order.
pub(crate) const METRICS: [M; N_METRICS] = [
    M::Views,
    M::Reach,
    M::Likes,
    M::Replies,
    M::Reposts,
    M::Quotes,
    M::Bookmarks,
    M::LinkClicks,
    M::ProfileVisits,
    M::Follows,
    M::MediaViews,
    M::Navigation,
];
