//! The seeded generator: every number the sandbox serves in seeded mode is a pure function
//! of `(seed, account, time)`. See the crate documentation for the model and its exact
//! multipliers; the constants below are that model.
//!
//! Randomness comes from one ChaCha8 stream per `(seed, account, UTC day, purpose)`, so no
//! value depends on the order in which requests arrive. Generated days are cached.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Offset, TimeZone, Timelike, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

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
}

impl Network {
    /// Every network, in manifest order (`x`, `facebook`, `instagram`, `whatsapp`, `tiktok`).
    pub const ALL: [Network; 5] = [
        Network::X,
        Network::Facebook,
        Network::Instagram,
        Network::Whatsapp,
        Network::Tiktok,
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
pub const ACCOUNTS: [SeededAccount; 8] = [
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
    crate::model_more::FB_OWNED,
    crate::model_more::FB_TRACKED,
    crate::model_more::WA_OWNED,
    crate::model_more::TT_OWNED,
];

/// Index into [`ACCOUNTS`] of the account with this network and id.
pub(crate) fn account_by_id(network: Network, id: &str) -> Option<usize> {
    ACCOUNTS
        .iter()
        .position(|a| a.network == network && a.external_id == id)
}

/// X's snowflake epoch (2010-11-04T01:42:54.657Z) in Unix milliseconds.
const X_EPOCH_MS: i64 = 1_288_834_974_657;

const STREAM_POSTS: u64 = 1;
const STREAM_FOLLOWERS: u64 = 2;
const STREAM_ACCOUNT: u64 = 3;
const STREAM_DEMOGRAPHICS: u64 = 4;

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
    fn follower_share(self) -> f64 {
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

const N_METRICS: usize = 12;

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

/// Generated days by `(account, UTC day)`.
type DayCache = HashMap<(usize, i64), Arc<Vec<Post>>>;

/// The generator with its caches.
#[derive(Debug)]
pub(crate) struct Generator {
    seed: u64,
    days: Mutex<DayCache>,
    /// Per account: `prefix[d]` = timeline posts published on days `0..d`.
    prefix: Mutex<Vec<Vec<u64>>>,
}

fn splitmix(mut z: u64) -> u64 {
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

const OPENERS: [&str; 8] = [
    "Dica do dia:",
    "Você sabia?",
    "Novo no blog:",
    "Thread rápida:",
    "Bastidores:",
    "Pergunta sincera:",
    "Lembrete:",
    "Spoiler:",
];
const TOPICS: [&str; 10] = [
    "o alcance orgânico depende muito do horário de publicação",
    "Reels curtos seguram mais a atenção nos primeiros 3 segundos",
    "salvar posts é o sinal de engajamento mais valioso",
    "um calendário editorial consistente vale mais que viralizar uma vez",
    "medir a taxa de engajamento por impressão evita comparações injustas",
    "stories com enquetes aumentam as respostas",
    "carrosséis educativos geram mais compartilhamentos",
    "responder comentários na primeira hora ajuda a distribuição",
    "exportar seus dados em CSV facilita relatórios para clientes",
    "terça e quinta à noite costumam render mais interações",
];
const TAGS: [&str; 6] = [
    "#marketing",
    "#socialmedia",
    "#dados",
    "#alcance",
    "#conteudo",
    "#metricas",
];

fn compose_text(r: &mut ChaCha8Rng, n: u64) -> String {
    let opener = OPENERS[r.gen_range(0..OPENERS.len())];
    let topic = TOPICS[r.gen_range(0..TOPICS.len())];
    let tag = TAGS[r.gen_range(0..TAGS.len())];
    format!("{opener} {topic}. {tag} (#{n})")
}

fn followers_noise(seed: u64, account: usize, day: i64) -> f64 {
    rng(seed, account, day, STREAM_FOLLOWERS).gen_range(-0.0006..0.0006)
}

impl Generator {
    /// A generator for `seed`, with empty caches.
    pub(crate) fn new(seed: u64) -> Generator {
        Generator {
            seed,
            days: Mutex::new(HashMap::new()),
            prefix: Mutex::new(vec![Vec::new(); ACCOUNTS.len()]),
        }
    }

    /// The per-seed scale of an account's follower base (0.95–1.05).
    fn scale(&self, account: usize) -> f64 {
        rng(self.seed, account, 0, STREAM_ACCOUNT).gen_range(0.95..1.05)
    }

    /// Followers of `account` at `t`: `F(t) = F₀ · s · exp(g · C(t) + ε(t))`, where `C` is the
    /// weekday-weighted day count since 2024-01-01 and `ε` a smooth noise within ±0.06 %.
    /// Never decreases.
    pub(crate) fn followers(&self, account: usize, t: DateTime<Utc>) -> u64 {
        let Some(a) = ACCOUNTS.get(account) else { return 0 };
        let secs = (t - day_start(0)).num_seconds();
        let n = secs.div_euclid(86_400);
        let frac = secs.rem_euclid(86_400) as f64 / 86_400.0;
        let week = n.div_euclid(7);
        let wd = n.rem_euclid(7) as usize;
        let before: f64 = FOLLOWER_GROWTH_WEEKDAY[..wd].iter().sum();
        let c = 7.0 * week as f64 + before + FOLLOWER_GROWTH_WEEKDAY[wd] * frac;
        let e0 = followers_noise(self.seed, account, n);
        let e1 = followers_noise(self.seed, account, n + 1);
        let eps = e0 + (e1 - e0) * frac;
        let f = a.followers_2024 * self.scale(account) * (a.growth_per_day * c + eps).exp();
        if f.is_finite() && f > 0.0 {
            f.round() as u64
        } else {
            0
        }
    }

    /// Accounts `account` follows at `t`.
    pub(crate) fn following(&self, account: usize, t: DateTime<Utc>) -> u64 {
        let a = &ACCOUNTS[account.min(ACCOUNTS.len() - 1)];
        a.following_2024 + (day_of(t).max(0) as u64) / 20
    }

    /// The posts of `account` published on UTC day `day`, in time order (cached).
    pub(crate) fn day_posts(&self, account: usize, day: i64) -> Arc<Vec<Post>> {
        if day < 0 || account >= ACCOUNTS.len() || day > 99_999 {
            return Arc::new(Vec::new());
        }
        let mut cache = self.days.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(p) = cache.get(&(account, day)) {
            return Arc::clone(p);
        }
        let posts = Arc::new(self.generate_day(account, day));
        cache.insert((account, day), Arc::clone(&posts));
        posts
    }

    /// The seed this generator was built with.
    pub(crate) fn seed(&self) -> u64 {
        self.seed
    }

    fn generate_day(&self, account: usize, day: i64) -> Vec<Post> {
        let a = &ACCOUNTS[account];
        if !matches!(a.network, Network::X | Network::Instagram) {
            return crate::model_more::generate_day(self, account, day);
        }
        let mut r = rng(self.seed, account, day, STREAM_POSTS);
        let start = day_start(day);
        // (second of day, kind) for every post of the day.
        let mut slots: Vec<(i64, Kind)> = Vec::new();
        match a.network {
            Network::X => {
                let count = r.gen_range(1..=3usize);
                for _ in 0..count {
                    let s = r.gen_range(0..86_400i64);
                    let roll: f64 = r.gen();
                    let kind = if roll < 0.45 {
                        Kind::XText
                    } else if roll < 0.80 {
                        Kind::XPhoto
                    } else if roll < 0.95 {
                        Kind::XVideo
                    } else {
                        Kind::XGif
                    };
                    slots.push((s, kind));
                }
            }
            Network::Instagram => {
                let roll: f64 = r.gen();
                let feed = if roll < 0.05 {
                    0
                } else if roll < 0.90 {
                    1
                } else {
                    2
                };
                for _ in 0..feed {
                    let s = r.gen_range(0..86_400i64);
                    let k: f64 = r.gen();
                    let kind = if k < 0.40 {
                        Kind::IgImage
                    } else if k < 0.65 {
                        Kind::IgCarousel
                    } else {
                        Kind::IgReel
                    };
                    slots.push((s, kind));
                }
                if r.gen_bool(0.5) {
                    let stories = r.gen_range(1..=4usize);
                    for _ in 0..stories {
                        let s = r.gen_range(0..86_400i64);
                        slots.push((s, Kind::IgStory { video: r.gen_bool(0.3) }));
                    }
                }
            }
            Network::Facebook | Network::Whatsapp | Network::Tiktok => {}
        }
        slots.sort_by_key(|(s, _)| *s);
        let mut posts = Vec::with_capacity(slots.len());
        for (index, (s, kind)) in slots.into_iter().enumerate() {
            let published = start + Duration::seconds(s);
            posts.push(self.make_post(&mut r, account, day, index, published, kind));
        }
        posts
    }

    fn make_post(
        &self,
        r: &mut ChaCha8Rng,
        account: usize,
        day: i64,
        index: usize,
        published: DateTime<Utc>,
        kind: Kind,
    ) -> Post {
        let a = &ACCOUNTS[account];
        let quality: f64 = r.gen_range(0.75..1.30);
        let jit: [f64; 8] = std::array::from_fn(|_| r.gen_range(0.85..1.15));
        let serial = day.max(0) as u64 * 4 + index as u64 + 1;
        let text = compose_text(r, serial);
        let m = engagement_multiplier(published);
        let sm = m.sqrt();
        let f = self.followers(account, published) as f64;
        let mut fin = [0.0f64; N_METRICS];
        let mut duration_ms = 0;
        let mut avg_watch_ms = 0;
        let (id, id_num) = match a.network {
            Network::X => {
                let boost = match kind {
                    Kind::XPhoto => 1.15,
                    Kind::XVideo => 1.35,
                    Kind::XGif => 1.10,
                    _ => 1.0,
                };
                let imp = f * 0.30 * sm * quality * boost;
                let eng = imp * a.engagement_rate * sm;
                fin[M::Views as usize] = imp;
                fin[M::Reach as usize] = imp * 0.8;
                fin[M::Likes as usize] = eng * 0.62 * jit[0];
                fin[M::Reposts as usize] = eng * 0.12 * jit[1];
                fin[M::Replies as usize] = eng * 0.09 * jit[2];
                fin[M::Quotes as usize] = eng * 0.03 * jit[3];
                fin[M::Bookmarks as usize] = eng * 0.14 * jit[4];
                fin[M::LinkClicks as usize] = imp * 0.004 * sm * jit[5];
                fin[M::ProfileVisits as usize] = imp * 0.007 * sm * jit[6];
                fin[M::Follows as usize] = imp * 0.0008 * sm;
                match kind {
                    Kind::XVideo => {
                        fin[M::MediaViews as usize] = imp * 0.5 * jit[7];
                        duration_ms = r.gen_range(8_000..120_000u64);
                    }
                    Kind::XGif => {
                        fin[M::MediaViews as usize] = imp * 0.6 * jit[7];
                        duration_ms = r.gen_range(2_000..8_000u64);
                    }
                    _ => {}
                }
                let ms = published.timestamp_millis() - X_EPOCH_MS;
                let worker = (account as u64) * 32 + (index as u64 % 32);
                let num = ((ms.max(0) as u64) << 22) | (worker << 12);
                (num.to_string(), num)
            }
            Network::Instagram => {
                let (reach_rate, views_per_reach, inter_rate) = match kind {
                    Kind::IgCarousel => (0.26, 1.7, 1.0),
                    Kind::IgReel => (0.45, 1.9, 1.15),
                    Kind::IgStory { .. } => (0.10, 1.15, 0.4),
                    _ => (0.22, 1.3, 1.0),
                };
                let reach = f * reach_rate * sm * quality;
                let views = reach * views_per_reach * jit[0];
                let inter = reach * a.engagement_rate * inter_rate * sm;
                fin[M::Views as usize] = views;
                fin[M::Reach as usize] = reach;
                if kind.is_story() {
                    fin[M::Replies as usize] = inter * 0.55 * jit[1];
                    fin[M::Reposts as usize] = inter * 0.45 * jit[2];
                    fin[M::Navigation as usize] = views * 0.95;
                } else {
                    fin[M::Likes as usize] = inter * 0.74 * jit[1];
                    fin[M::Replies as usize] = inter * 0.06 * jit[2];
                    fin[M::Reposts as usize] = inter * 0.08 * jit[3];
                    fin[M::Bookmarks as usize] = inter * 0.12 * jit[4];
                }
                fin[M::Follows as usize] = reach * 0.0025 * sm * jit[5];
                fin[M::ProfileVisits as usize] = reach * 0.025 * sm * jit[6];
                if kind == Kind::IgReel {
                    avg_watch_ms = (r.gen_range(5_000.0..15_000.0) * quality.sqrt()) as u64;
                }
                let tail = r.gen_range(0..1_000_000u32);
                (format!("179{}{:05}{:02}{:06}", account % 10, day, index % 100, tail), 0)
            }
            Network::Facebook | Network::Whatsapp | Network::Tiktok => (String::new(), 0),
        };
        let code_bytes =
            splitmix(self.seed ^ splitmix(id_num ^ ((day as u64) << 8) ^ ((index as u64) << 4) ^ account as u64))
                .to_be_bytes();
        let mut shortcode = String::from("C");
        shortcode.push_str(&URL_SAFE_NO_PAD.encode(code_bytes));
        shortcode.truncate(11);
        Post {
            id,
            id_num,
            account,
            day,
            index,
            published,
            kind,
            text,
            finals: fin,
            duration_ms,
            avg_watch_ms,
            shortcode,
        }
    }

    /// The post with this X snowflake id, when one was generated (any time).
    pub(crate) fn find_x_post(&self, id: &str) -> Option<Post> {
        let num: u64 = id.parse().ok()?;
        let ms = (num >> 22) as i64 + X_EPOCH_MS;
        let worker = ((num >> 12) & 0x3FF) as usize;
        let (account, index) = (worker / 32, worker % 32);
        if ACCOUNTS.get(account)?.network != Network::X {
            return None;
        }
        let t = Utc.timestamp_millis_opt(ms).single()?;
        let posts = self.day_posts(account, day_of(t));
        posts.get(index).filter(|p| p.id == id).cloned()
    }

    /// The Instagram media with this id, when one was generated (any time).
    pub(crate) fn find_ig_media(&self, id: &str) -> Option<Post> {
        if id.len() != 17 || !id.starts_with("179") || !id.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let account: usize = id.get(3..4)?.parse().ok()?;
        let day: i64 = id.get(4..9)?.parse().ok()?;
        let index: usize = id.get(9..11)?.parse().ok()?;
        if ACCOUNTS.get(account)?.network != Network::Instagram {
            return None;
        }
        let posts = self.day_posts(account, day);
        posts.get(index).filter(|p| p.id == id).cloned()
    }

    /// Walks `account`'s posts newest first: published in `[lower, upper]`, strictly before
    /// position `before` (`(day, index)`) when given, passing `keep`; at most `limit`.
    pub(crate) fn walk_back(
        &self,
        account: usize,
        upper: DateTime<Utc>,
        lower: DateTime<Utc>,
        before: Option<(i64, usize)>,
        keep: impl Fn(&Post) -> bool,
        limit: usize,
    ) -> Vec<Post> {
        let mut out = Vec::new();
        if upper < lower || limit == 0 {
            return out;
        }
        let mut day = day_of(upper);
        if let Some((d, _)) = before {
            day = day.min(d);
        }
        let last = day_of(lower).max(0);
        while day >= last {
            let posts = self.day_posts(account, day);
            for p in posts.iter().rev() {
                if p.published > upper || p.published < lower {
                    continue;
                }
                if let Some(b) = before {
                    if (p.day, p.index) >= b {
                        continue;
                    }
                }
                if keep(p) {
                    out.push(p.clone());
                    if out.len() >= limit {
                        return out;
                    }
                }
            }
            day -= 1;
        }
        out
    }

    /// Timeline posts of `account` (X: all; Instagram: feed and reels, not stories)
    /// published at or before `t`, plus those before 2024.
    pub(crate) fn post_count(&self, account: usize, t: DateTime<Utc>) -> u64 {
        let Some(a) = ACCOUNTS.get(account) else { return 0 };
        let day = day_of(t);
        if day < 0 {
            return a.posts_before_history;
        }
        let counts = |p: &Post| !p.kind.is_story();
        let full_days = {
            let mut prefix = self.prefix.lock().unwrap_or_else(PoisonError::into_inner);
            let v = &mut prefix[account];
            if v.is_empty() {
                v.push(0);
            }
            while (v.len() as i64) <= day {
                let d = v.len() as i64 - 1;
                let n = self.day_posts(account, d).iter().filter(|p| counts(p)).count() as u64;
                let last = v.last().copied().unwrap_or(0);
                v.push(last + n);
            }
            v[day as usize]
        };
        let today = self
            .day_posts(account, day)
            .iter()
            .filter(|p| counts(p) && p.published <= t)
            .count() as u64;
        a.posts_before_history + full_days + today
    }

    /// Per-post increments of Instagram metrics over `[a, b)` for `account`.
    pub(crate) fn activity(&self, account: usize, a: DateTime<Utc>, b: DateTime<Utc>) -> Vec<Contribution> {
        let mut out = Vec::new();
        if b <= a {
            return out;
        }
        let first = (day_of(a) - 8).max(0);
        let last = day_of(b - Duration::seconds(1));
        for day in first..=last {
            for p in self.day_posts(account, day).iter() {
                if p.published >= b {
                    continue;
                }
                let delta: [u64; N_METRICS] = std::array::from_fn(|i| {
                    let m = METRICS[i];
                    p.value(m, b).saturating_sub(p.value(m, a))
                });
                if delta.iter().any(|d| *d > 0) {
                    out.push(Contribution {
                        product: p.kind.breakdown_product(),
                        follower_share: p.kind.follower_share(),
                        story: p.kind.is_story(),
                        delta,
                    });
                }
            }
        }
        out
    }

    /// A demographics breakdown for `account`: rows of (dimension values, count), largest
    /// first, at most 45 rows. `dims` is `["age"]`, `["gender"]`, `["age","gender"]`
    /// (either order), `["country"]` or `["city"]`; `total` is the audience size to split.
    /// `None` for an unsupported combination.
    pub(crate) fn demographics(
        &self,
        account: usize,
        audience: Audience,
        dims: &[&str],
        total: u64,
        month_key: i64,
    ) -> Option<Vec<(Vec<String>, u64)>> {
        let mut r = rng(self.seed, account, month_key, STREAM_DEMOGRAPHICS + audience as u64);
        let young = audience == Audience::Engaged;
        let ages: Vec<(&str, f64)> = AGES
            .iter()
            .map(|(k, w, we)| (*k, if young { *we } else { *w }))
            .collect();
        let genders = [("F", 0.58), ("M", 0.39), ("U", 0.03)];
        let mut rows: Vec<(Vec<String>, f64)> = Vec::new();
        match dims {
            ["age"] => rows.extend(ages.iter().map(|(a, w)| (vec![a.to_string()], *w))),
            ["gender"] => rows.extend(genders.iter().map(|(g, w)| (vec![g.to_string()], *w))),
            ["age", "gender"] | ["gender", "age"] => {
                let age_first = dims[0] == "age";
                for (a, wa) in &ages {
                    for (g, wg) in &genders {
                        let vals = if age_first {
                            vec![a.to_string(), g.to_string()]
                        } else {
                            vec![g.to_string(), a.to_string()]
                        };
                        rows.push((vals, wa * wg));
                    }
                }
            }
            ["country"] => rows.extend(COUNTRIES.iter().map(|(c, w)| (vec![c.to_string()], *w))),
            ["city"] => rows.extend(CITIES.iter().map(|(c, w)| (vec![c.to_string()], *w))),
            _ => return None,
        }
        let mut out: Vec<(Vec<String>, u64)> = rows
            .into_iter()
            .map(|(k, w)| {
                let jitter: f64 = r.gen_range(0.92..1.08);
                (k, (total as f64 * w * jitter).round().max(0.0) as u64)
            })
            .filter(|(_, v)| *v > 0)
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out.truncate(45);
        Some(out)
    }
}

/// Every metric, in index order.
const METRICS: [M; N_METRICS] = [
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

/// Age buckets: (label, share of followers, share of the engaged audience).
const AGES: [(&str, f64, f64); 7] = [
    ("13-17", 0.02, 0.04),
    ("18-24", 0.24, 0.31),
    ("25-34", 0.36, 0.37),
    ("35-44", 0.21, 0.17),
    ("45-54", 0.10, 0.07),
    ("55-64", 0.05, 0.03),
    ("65+", 0.02, 0.01),
];

/// Countries (ISO 3166-1 alpha-2) and shares: Brazil first.
const COUNTRIES: [(&str, f64); 10] = [
    ("BR", 0.86),
    ("PT", 0.03),
    ("US", 0.025),
    ("AR", 0.012),
    ("AO", 0.008),
    ("DE", 0.006),
    ("GB", 0.006),
    ("JP", 0.005),
    ("MZ", 0.004),
    ("ES", 0.004),
];

/// Cities in Meta's "City, State" form, with shares.
const CITIES: [(&str, f64); 15] = [
    ("São Paulo, São Paulo", 0.21),
    ("Rio de Janeiro, Rio de Janeiro", 0.12),
    ("Belo Horizonte, Minas Gerais", 0.05),
    ("Brasília, Distrito Federal", 0.045),
    ("Salvador, Bahia", 0.035),
    ("Curitiba, Paraná", 0.035),
    ("Porto Alegre, Rio Grande do Sul", 0.03),
    ("Recife, Pernambuco", 0.028),
    ("Fortaleza, Ceará", 0.025),
    ("Campinas, São Paulo", 0.02),
    ("Goiânia, Goiás", 0.018),
    ("Florianópolis, Santa Catarina", 0.015),
    ("Manaus, Amazonas", 0.013),
    ("Belém, Pará", 0.012),
    ("Lisboa, Lisboa", 0.01),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn multiplier_peaks_in_the_local_evening() {
        // 2026-11-24 is a Tuesday; 23:00 UTC is 20:00 in São Paulo.
        let peak = engagement_multiplier(at("2026-11-24T23:00:00Z"));
        assert!((peak - 1.8 * 1.25).abs() < 1e-9);
        let low = engagement_multiplier(at("2026-11-24T07:00:00Z"));
        assert!((low - 0.5 * 1.25).abs() < 1e-9);
    }

    #[test]
    fn ids_round_trip() {
        let g = Generator::new(7);
        let x = g.day_posts(0, 100);
        assert!(!x.is_empty());
        for p in x.iter() {
            let found = g.find_x_post(&p.id).map(|f| f.id);
            assert_eq!(found.as_deref(), Some(p.id.as_str()));
        }
        let ig = g.day_posts(2, 100);
        for p in ig.iter() {
            assert_eq!(p.id.len(), 17);
            assert_eq!(g.find_ig_media(&p.id).map(|f| f.id).as_deref(), Some(p.id.as_str()));
        }
        assert!(g.find_ig_media("17999999999999999").is_none());
    }

    #[test]
    fn followers_grow_every_day() {
        let g = Generator::new(1);
        let mut last = 0;
        for d in 0..200 {
            let f = g.followers(0, day_start(d));
            assert!(f >= last, "day {d}: {f} < {last}");
            last = f;
        }
        let f2026 = g.followers(0, at("2026-11-01T00:00:00Z"));
        assert!((10_000..15_000).contains(&f2026), "{f2026}");
        let inf = g.followers(1, at("2026-11-01T00:00:00Z"));
        assert!((70_000..100_000).contains(&inf), "{inf}");
    }

    #[test]
    fn post_count_matches_a_walk() {
        let g = Generator::new(3);
        let t = day_start(40) + Duration::hours(13);
        let walked = g.walk_back(0, t, day_start(0), None, |_| true, usize::MAX).len() as u64;
        assert_eq!(g.post_count(0, t), ACCOUNTS[0].posts_before_history + walked);
    }
}
