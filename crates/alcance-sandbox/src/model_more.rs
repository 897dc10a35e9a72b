//! The seeded model of Facebook Pages, WhatsApp Business and TikTok: their accounts, post
//! and video generation, Page insights per day, WhatsApp daily message / conversation /
//! pricing / template volumes, and TikTok Business daily metrics.
//!
//! Same principles as X and Instagram ([`crate::model`]): a pure function of
//! `(seed, account, time)`, posts published at random seconds of every UTC day since
//! 2024-01-01, the posting-hour × weekday multiplier `M` (São Paulo evenings, Tuesday and
//! Thursday best), follower growth `F(t)`, and lifetime values that grow with age and
//! saturate. The exact numbers are in the crate documentation.

use chrono::{DateTime, Datelike, Duration, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::model::{
    account_by_id, day_start, engagement_multiplier, rng, Generator, Kind, Network, Post, SeededAccount, ACCOUNTS,
    HOUR_MULTIPLIER, LOCAL_UTC_OFFSET_HOURS, M,
};

/// The Facebook user the sandbox's Facebook Login logs in as (the admin of the owned Page).
/// `GET /me` with a user token answers this id.
pub const FB_USER_ID: &str = "100094000000001";
/// Display name of [`FB_USER_ID`].
pub const FB_USER_NAME: &str = "Alcance Admin";
/// The owned Facebook Page id ("Alcance Brasil", `alcancebr`).
pub const FB_PAGE_OWNED: &str = "104000000000001";
/// The tracked Facebook Page id ("Ana Influencer"): public fields and posts only.
pub const FB_PAGE_TRACKED: &str = "104000000000002";
/// The seeded WhatsApp Business Account id ("Alcance Atendimento").
pub const WABA_ID: &str = "105000000000001";
/// The WABA's one business phone number id.
pub const WA_PHONE_NUMBER_ID: &str = "106000000000001";
/// Its display form, as `GET /{waba-id}/phone_numbers` answers it.
pub const WA_DISPLAY_PHONE: &str = "+55 11 4000-0001";
/// Its digits, as the analytics `phone_numbers` / `phone_number` fields carry it.
pub const WA_PHONE_DIGITS: &str = "551140000001";
/// The seeded TikTok creator's `open_id` (also its TikTok for Business `business_id`).
pub const TT_OPEN_ID: &str = "tt_alcance_br";

/// The Facebook Page the sandbox's Facebook Login manages (index 4 of [`ACCOUNTS`]).
pub(crate) const FB_OWNED: SeededAccount = SeededAccount {
    network: Network::Facebook,
    external_id: FB_PAGE_OWNED,
    username: "alcancebr",
    name: "Alcance Brasil",
    owned: true,
    bio: "Métricas de redes sociais no seu computador. Dados seus, histórico ilimitado.",
    followers_2024: 1_500.0,
    growth_per_day: 0.0022,
    following_2024: 0,
    created_at: "2019-03-12T14:22:05+0000",
    posts_before_history: 640,
    engagement_rate: 0.045,
    business_since: None,
};

/// A tracked Facebook Page (index 5).
pub(crate) const FB_TRACKED: SeededAccount = SeededAccount {
    network: Network::Facebook,
    external_id: FB_PAGE_TRACKED,
    username: "anainfluencer",
    name: "Ana Influencer",
    owned: false,
    bio: "Criadora de conteúdo | marketing digital | São Paulo",
    followers_2024: 24_000.0,
    growth_per_day: 0.0018,
    following_2024: 0,
    created_at: "2016-07-04T12:00:00+0000",
    posts_before_history: 3_900,
    engagement_rate: 0.060,
    business_since: None,
};

/// The WhatsApp Business Account (index 6). It has no followers and no posts; its
/// `username` in the manifest is the WABA's name.
pub(crate) const WA_OWNED: SeededAccount = SeededAccount {
    network: Network::Whatsapp,
    external_id: WABA_ID,
    username: "Alcance Atendimento",
    name: "Alcance Atendimento",
    owned: true,
    bio: "Atendimento ao cliente da Alcance",
    followers_2024: 0.0,
    growth_per_day: 0.0,
    following_2024: 0,
    created_at: "2022-05-02T12:00:00+0000",
    posts_before_history: 0,
    engagement_rate: 0.0,
    business_since: None,
};

/// The TikTok creator the sandbox's TikTok Login logs in as (index 7).
pub(crate) const TT_OWNED: SeededAccount = SeededAccount {
    network: Network::Tiktok,
    external_id: TT_OPEN_ID,
    username: "alcance.br",
    name: "Alcance Brasil",
    owned: true,
    bio: "Dicas rápidas de métricas e redes sociais 📈",
    followers_2024: 800.0,
    growth_per_day: 0.0035,
    following_2024: 120,
    created_at: "2021-02-01T12:00:00+0000",
    posts_before_history: 210,
    engagement_rate: 0.060,
    business_since: None,
};

const STREAM_WHATSAPP: u64 = 11;

/// Facebook post kinds with (share of posts, `status_type`).
const FB_KINDS: [(Kind, f64, &str); 4] = [
    (Kind::FbStatus, 0.15, "mobile_status_update"),
    (Kind::FbPhoto, 0.40, "added_photos"),
    (Kind::FbLink, 0.20, "shared_story"),
    (Kind::FbVideo, 0.25, "added_video"),
];

/// The Graph `status_type` of a Facebook post kind.
pub(crate) fn status_type(kind: Kind) -> &'static str {
    FB_KINDS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map(|(_, _, s)| *s)
        .unwrap_or("mobile_status_update")
}

const FB_OPENERS: [&str; 6] = [
    "Novidade na Alcance:",
    "Dica da semana:",
    "Você já reparou?",
    "Bastidores:",
    "Enquete rápida:",
    "Guia prático:",
];
const FB_TOPICS: [&str; 8] = [
    "como ler o alcance das suas publicações sem se enganar com médias",
    "por que exportar as métricas para CSV ajuda no relatório do mês",
    "o melhor horário para postar é terça e quinta à noite",
    "vídeos curtos mantêm a atenção por mais tempo",
    "acompanhe o crescimento de seguidores semana a semana",
    "compare campanhas pelo engajamento por visualização",
    "responder comentários rápido aumenta a distribuição",
    "guarde o histórico das métricas no seu computador",
];
const TT_TOPICS: [&str; 8] = [
    "3 métricas que todo criador deveria acompanhar",
    "o horário que mais dá views no Brasil",
    "como calcular a taxa de engajamento",
    "bastidores de um relatório mensal",
    "o erro mais comum ao comparar posts",
    "teste A/B de capas em 30 segundos",
    "quanto tempo as pessoas assistem seus vídeos",
    "organizando métricas de todas as redes",
];
const TT_TAGS: [&str; 5] = ["#marketingdigital", "#dicas", "#socialmedia", "#metricas", "#criadores"];

/// Generates one UTC day of posts (Facebook) or videos (TikTok); WhatsApp has none.
pub(crate) fn generate_day(g: &Generator, account: usize, day: i64) -> Vec<Post> {
    let Some(a) = ACCOUNTS.get(account) else {
        return Vec::new();
    };
    let mut r = rng(g.seed(), account, day, 1);
    let start = day_start(day);
    let mut slots: Vec<(i64, Kind)> = Vec::new();
    match a.network {
        Network::Facebook => {
            let roll: f64 = r.gen();
            let count = if roll < 0.10 {
                0
            } else if roll < 0.70 {
                1
            } else if roll < 0.95 {
                2
            } else {
                3
            };
            for _ in 0..count {
                let s = r.gen_range(0..86_400i64);
                let k: f64 = r.gen();
                let mut acc = 0.0;
                let mut kind = Kind::FbVideo;
                for (candidate, share, _) in FB_KINDS {
                    acc += share;
                    if k < acc {
                        kind = candidate;
                        break;
                    }
                }
                slots.push((s, kind));
            }
        }
        Network::Tiktok => {
            let roll: f64 = r.gen();
            let count = if roll < 0.15 {
                0
            } else if roll < 0.80 {
                1
            } else {
                2
            };
            for _ in 0..count {
                slots.push((r.gen_range(0..86_399i64), Kind::TtVideo));
            }
        }
        _ => return Vec::new(),
    }
    slots.sort_by_key(|(s, _)| *s);
    // Distinct seconds, so TikTok's millisecond cursors never split two videos.
    for i in 1..slots.len() {
        if slots[i].0 <= slots[i - 1].0 {
            slots[i].0 = (slots[i - 1].0 + 1).min(86_399);
        }
    }
    slots
        .into_iter()
        .enumerate()
        .map(|(index, (s, kind))| make_post(g, &mut r, account, day, index, start + Duration::seconds(s), kind))
        .collect()
}

fn make_post(
    g: &Generator,
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
    let sm = engagement_multiplier(published).sqrt();
    let f = g.followers(account, published) as f64;
    let mut fin = [0.0f64; 12];
    let mut duration_ms = 0;
    let mut avg_watch_ms = 0;
    let tail: u64;
    let id;
    let text;
    if kind == Kind::TtVideo {
        let viral = if r.gen_bool(0.08) { r.gen_range(3.0..8.0) } else { 1.0 };
        let views = f * 0.9 * sm * quality * viral;
        let likes = views * a.engagement_rate * sm * jit[1];
        fin[M::Views as usize] = views;
        fin[M::Reach as usize] = views * 0.78 * jit[0].min(1.0);
        fin[M::Likes as usize] = likes;
        fin[M::Replies as usize] = likes * 0.035 * jit[2];
        fin[M::Reposts as usize] = likes * 0.08 * jit[3];
        fin[M::Bookmarks as usize] = likes * 0.10 * jit[4];
        fin[M::ProfileVisits as usize] = views * 0.012 * sm * jit[5];
        fin[M::Follows as usize] = views * 0.0015 * sm * jit[6];
        let seconds = r.gen_range(9..=60u64);
        duration_ms = seconds * 1_000;
        let share = (r.gen_range(0.35..0.60) * quality.sqrt()).min(0.95);
        avg_watch_ms = (duration_ms as f64 * share) as u64;
        tail = r.gen_range(0..1_000_000_000u64);
        id = format!("73{}{:05}{:02}{:09}", account % 10, day, index % 100, tail);
        let topic = TT_TOPICS[r.gen_range(0..TT_TOPICS.len())];
        let tag = TT_TAGS[r.gen_range(0..TT_TAGS.len())];
        text = format!("{topic} {tag} #fyp");
    } else {
        let (reach_rate, views_per_reach, reaction_k, click_rate) = match kind {
            Kind::FbStatus => (0.08, 1.25, 0.8, 0.010),
            Kind::FbLink => (0.09, 1.20, 0.6, 0.060),
            Kind::FbVideo => (0.15, 1.60, 1.1, 0.030),
            _ => (0.12, 1.40, 1.0, 0.040),
        };
        let reach = f * reach_rate * sm * quality;
        let inter = reach * a.engagement_rate * sm;
        fin[M::Views as usize] = reach * views_per_reach * jit[0];
        fin[M::Reach as usize] = reach;
        fin[M::Likes as usize] = inter * 0.78 * reaction_k * jit[1];
        fin[M::Replies as usize] = inter * 0.10 * jit[2];
        let share_rate = if kind == Kind::FbLink { 0.18 } else { 0.12 };
        fin[M::Reposts as usize] = inter * share_rate * jit[3];
        fin[M::LinkClicks as usize] = reach * click_rate * sm * jit[4];
        fin[M::ProfileVisits as usize] = reach * 0.02 * sm * jit[5];
        fin[M::Follows as usize] = reach * 0.002 * sm * jit[6];
        if kind == Kind::FbVideo {
            fin[M::MediaViews as usize] = fin[M::Views as usize] * 0.55 * jit[7];
            duration_ms = r.gen_range(15_000..180_000u64);
            avg_watch_ms = (duration_ms as f64 * r.gen_range(0.25..0.50)) as u64;
        }
        tail = r.gen_range(0..10_000_000u64);
        id = format!("{}_1{:05}{:02}{:07}", a.external_id, day, index % 100, tail);
        let opener = FB_OPENERS[r.gen_range(0..FB_OPENERS.len())];
        let topic = FB_TOPICS[r.gen_range(0..FB_TOPICS.len())];
        text = format!("{opener} {topic}.");
    }
    Post {
        id,
        id_num: tail,
        account,
        day,
        index,
        published,
        kind,
        text,
        finals: fin,
        duration_ms,
        avg_watch_ms,
        shortcode: String::new(),
    }
}

/// The Facebook video id of a video post (`5`, account digit, day, index, six digits of the
/// post id's tail; 15 digits), `None` for other posts.
pub(crate) fn fb_video_id(p: &Post) -> Option<String> {
    (p.kind == Kind::FbVideo).then(|| {
        format!(
            "5{}{:05}{:02}{:06}",
            p.account % 10,
            p.day,
            p.index % 100,
            p.id_num % 1_000_000
        )
    })
}

/// The Facebook post `{page-id}_{suffix}` with this id, when one was generated.
pub(crate) fn find_fb_post(g: &Generator, id: &str) -> Option<Post> {
    let (page, suffix) = id.split_once('_')?;
    let account = account_by_id(Network::Facebook, page)?;
    if suffix.len() != 15 || !suffix.starts_with('1') || !suffix.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let day: i64 = suffix.get(1..6)?.parse().ok()?;
    let index: usize = suffix.get(6..8)?.parse().ok()?;
    g.day_posts(account, day).get(index).filter(|p| p.id == id).cloned()
}

/// The Facebook video post with this video id, when one was generated.
pub(crate) fn find_fb_video(g: &Generator, id: &str) -> Option<Post> {
    if id.len() != 15 || !id.starts_with('5') || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let account: usize = id.get(1..2)?.parse().ok()?;
    let day: i64 = id.get(2..7)?.parse().ok()?;
    let index: usize = id.get(7..9)?.parse().ok()?;
    if ACCOUNTS.get(account)?.network != Network::Facebook {
        return None;
    }
    g.day_posts(account, day)
        .get(index)
        .filter(|p| fb_video_id(p).as_deref() == Some(id))
        .cloned()
}

/// The TikTok video with this id (19 digits), when one was generated.
pub(crate) fn find_tt_video(g: &Generator, id: &str) -> Option<Post> {
    if id.len() != 19 || !id.starts_with("73") || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let account: usize = id.get(2..3)?.parse().ok()?;
    let day: i64 = id.get(3..8)?.parse().ok()?;
    let index: usize = id.get(8..10)?.parse().ok()?;
    if ACCOUNTS.get(account)?.network != Network::Tiktok {
        return None;
    }
    g.day_posts(account, day).get(index).filter(|p| p.id == id).cloned()
}

/// Reactions of a Facebook post split by type (`post_reactions_by_type_total` keys), in
/// this order; the shares sum to 1 and the remainder of the rounding goes to `like`.
pub const FB_REACTION_SHARES: [(&str, f64); 6] = [
    ("like", 0.74),
    ("love", 0.15),
    ("haha", 0.05),
    ("wow", 0.03),
    ("sorry", 0.02),
    ("anger", 0.01),
];

/// `total` reactions split by type; zero counts are left out (as Meta does).
pub(crate) fn reactions_by_type(total: u64) -> Vec<(&'static str, u64)> {
    let mut parts: Vec<(&'static str, u64)> = FB_REACTION_SHARES
        .iter()
        .map(|(k, s)| (*k, (total as f64 * s).floor() as u64))
        .collect();
    let assigned: u64 = parts.iter().map(|(_, v)| v).sum();
    if let Some(first) = parts.first_mut() {
        first.1 += total.saturating_sub(assigned);
    }
    parts.retain(|(_, v)| *v > 0);
    parts
}

/// Facebook Page insights over `[a, b)`, from the posts' increments (posts of the 8
/// previous days included) and the follower curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct PageInsights {
    /// `page_media_view`: Σ post `post_media_view` increments.
    pub media_view: u64,
    /// `page_total_media_view_unique`: 82 % of Σ post viewers increments (overlap).
    pub viewers: u64,
    /// `page_post_engagements`: Σ increments of reactions + comments + shares + clicks.
    pub post_engagements: u64,
    /// `page_views_total`: Σ page visits from posts + direct visits (0.15 % of followers
    /// per day).
    pub views_total: u64,
    /// `page_daily_follows_unique`: net follower gain + unfollows.
    pub follows: u64,
    /// `page_daily_unfollows_unique`: 22 % of the net gain, rounded.
    pub unfollows: u64,
    /// `page_follows`: followers at `b` (lifetime total).
    pub follows_total: u64,
}

/// Page insights of Facebook account `account` over `[a, b)` (`b` already clipped to the
/// clock by the caller).
pub(crate) fn page_insights(g: &Generator, account: usize, a: DateTime<Utc>, b: DateTime<Utc>) -> PageInsights {
    let followers_b = g.followers(account, b);
    if b <= a {
        return PageInsights {
            follows_total: followers_b,
            ..PageInsights::default()
        };
    }
    let contribs = g.activity(account, a, b);
    let sum = |m: M| contribs.iter().map(|c| c.delta[m as usize]).sum::<u64>();
    let reach: u64 = sum(M::Reach);
    let fraction_of_day = (b - a).num_seconds() as f64 / 86_400.0;
    let direct = (followers_b as f64 * 0.0015 * fraction_of_day).floor() as u64;
    let net = followers_b.saturating_sub(g.followers(account, a));
    let unfollows = (net as f64 * 0.22).round() as u64;
    PageInsights {
        media_view: sum(M::Views),
        viewers: (reach as f64 * 0.82).round() as u64,
        post_engagements: sum(M::Likes) + sum(M::Replies) + sum(M::Reposts) + sum(M::LinkClicks),
        views_total: sum(M::ProfileVisits) + direct,
        follows: net + unfollows,
        unfollows,
        follows_total: followers_b,
    }
}

/// TikTok for Business daily metrics of one UTC date (`metrics[]` of `business/get/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TtDay {
    /// Followers at the end of the day (or at the clock for today).
    pub followers: u64,
    /// Profile views during the day.
    pub profile_views: u64,
    /// Video views during the day (all videos).
    pub video_views: u64,
    /// Likes received during the day.
    pub likes: u64,
    /// Comments received during the day.
    pub comments: u64,
    /// Shares during the day.
    pub shares: u64,
    /// Followers active per UTC hour 0–23.
    pub audience_activity: [u64; 24],
}

/// TikTok Business metrics of `account` for UTC day `day`, as of `now`.
pub(crate) fn tt_day(g: &Generator, account: usize, day: i64, now: DateTime<Utc>) -> TtDay {
    let a = day_start(day);
    let b = day_start(day + 1).min(now);
    let contribs = if b > a { g.activity(account, a, b) } else { Vec::new() };
    let sum = |m: M| contribs.iter().map(|c| c.delta[m as usize]).sum::<u64>();
    let followers = g.followers(account, b.max(a));
    let weights: Vec<f64> = (0..24)
        .map(|h| HOUR_MULTIPLIER[(h + 24 + LOCAL_UTC_OFFSET_HOURS).rem_euclid(24) as usize])
        .collect();
    let peak = weights.iter().copied().fold(f64::MIN, f64::max).max(f64::EPSILON);
    // At the peak hour (22–23 UTC = 19–20 h in São Paulo) 12 % of followers are active.
    let audience_activity = std::array::from_fn(|h| (followers as f64 * 0.12 * weights[h] / peak).round() as u64);
    TtDay {
        followers,
        profile_views: sum(M::ProfileVisits),
        video_views: sum(M::Views),
        likes: sum(M::Likes),
        comments: sum(M::Replies),
        shares: sum(M::Reposts),
        audience_activity,
    }
}

/// Audience countries of the TikTok creator (ISO alpha-2, ratio 0–1, largest first).
pub const TT_AUDIENCE_COUNTRIES: [(&str, f64); 5] =
    [("BR", 0.86), ("PT", 0.04), ("US", 0.03), ("AO", 0.02), ("AR", 0.02)];
/// Audience genders of the TikTok creator (ratio 0–1).
pub const TT_AUDIENCE_GENDERS: [(&str, f64); 3] = [("Female", 0.57), ("Male", 0.41), ("Other", 0.02)];

// ---------------------------------------------------------------------------------------
// WhatsApp

/// WhatsApp message categories (pricing and conversations) with their share of the day's
/// messages sent: marketing 30 %, utility 25 %, authentication 4 %, service the rest.
pub const WA_CATEGORIES: [(&str, f64); 4] = [
    ("MARKETING", 0.30),
    ("UTILITY", 0.25),
    ("AUTHENTICATION", 0.04),
    ("SERVICE", 0.41),
];

/// Recipients' countries with their share of messages (Brazil first).
pub const WA_COUNTRIES: [(&str, f64); 4] = [("BR", 0.92), ("AR", 0.03), ("PT", 0.03), ("US", 0.02)];

/// Price in USD of one paid (`REGULAR`) message or conversation of `category` to `country`
/// (illustrative rates of the Brazilian market; service messages are free).
pub fn wa_rate(category: &str, country: &str) -> f64 {
    match (category, country) {
        ("MARKETING", "BR") => 0.0625,
        ("MARKETING", "AR") => 0.0618,
        ("MARKETING", "PT") => 0.0685,
        ("MARKETING", _) => 0.0250,
        ("UTILITY", "BR") => 0.0068,
        ("UTILITY", "AR") => 0.0260,
        ("UTILITY", "PT") => 0.0200,
        ("UTILITY", _) => 0.0040,
        ("AUTHENTICATION", "BR") => 0.0068,
        ("AUTHENTICATION", "AR") => 0.0260,
        ("AUTHENTICATION", "PT") => 0.0200,
        ("AUTHENTICATION", _) => 0.0135,
        _ => 0.0,
    }
}

/// One pricing-analytics row of a day: messages of a category, pricing type and country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WaPricing {
    /// `pricing_category`.
    pub category: &'static str,
    /// `pricing_type`: `REGULAR`, `FREE_CUSTOMER_SERVICE` or `FREE_ENTRY_POINT`.
    pub pricing_type: &'static str,
    /// Recipient country.
    pub country: &'static str,
    /// Messages (volume).
    pub volume: u64,
}

/// One conversation-analytics row of a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WaConversation {
    /// `conversation_category`.
    pub category: &'static str,
    /// `conversation_direction`.
    pub direction: &'static str,
    /// `conversation_type`: `REGULAR`, `FREE_TIER` or `FREE_ENTRY_POINT`.
    pub conversation_type: &'static str,
    /// Recipient country.
    pub country: &'static str,
    /// Conversations opened.
    pub count: u64,
}

/// One template's counts for a day.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct WaTemplateDay {
    /// Messages sent with the template.
    pub sent: u64,
    /// Delivered (≤ sent).
    pub delivered: u64,
    /// Read (≤ delivered).
    pub read: u64,
    /// Button clicks (0 for templates without buttons).
    pub clicked: u64,
    /// USD spent (paid messages of the template's category).
    pub amount_spent: f64,
}

/// A WhatsApp day of the seeded WABA: every count of the analytics fields.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WaDay {
    /// Messages sent by the business number (`analytics.sent`).
    pub sent: u64,
    /// Of which delivered (`analytics.delivered`, ≤ sent).
    pub delivered: u64,
    /// Pricing rows; their volumes sum to `sent`.
    pub pricing: Vec<WaPricing>,
    /// Conversation rows (40 % of messages open a conversation).
    pub conversations: Vec<WaConversation>,
    /// Per template of [`WA_TEMPLATES`], in its order.
    pub templates: [WaTemplateDay; 3],
}

/// A message template of the seeded WABA.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaTemplate {
    /// Template id.
    pub id: &'static str,
    /// Template name.
    pub name: &'static str,
    /// `category`: the pricing category of its messages.
    pub category: &'static str,
    /// `language`.
    pub language: &'static str,
    /// Its one button: (`clicked[].type`, `button_content`, click rate per read), if any.
    pub button: Option<(&'static str, &'static str, f64)>,
    /// Share of delivered messages that are read (ratio 0–1).
    pub read_rate: f64,
}

/// The three approved templates of the seeded WABA; each sends all messages of its category.
pub const WA_TEMPLATES: [WaTemplate; 3] = [
    WaTemplate {
        id: "1060000000000101",
        name: "promo_black_friday",
        category: "MARKETING",
        language: "pt_BR",
        button: Some(("url_button", "Ver ofertas", 0.11)),
        read_rate: 0.58,
    },
    WaTemplate {
        id: "1060000000000102",
        name: "boas_vindas",
        category: "UTILITY",
        language: "pt_BR",
        button: Some(("quick_reply_button", "Falar com atendente", 0.18)),
        read_rate: 0.82,
    },
    WaTemplate {
        id: "1060000000000103",
        name: "codigo_verificacao",
        category: "AUTHENTICATION",
        language: "pt_BR",
        button: None,
        read_rate: 0.90,
    },
];

/// Weight of each UTC weekday in WhatsApp volume, Monday first (business days busier).
pub const WA_WEEKDAY: [f64; 7] = [1.10, 1.15, 1.10, 1.15, 1.05, 0.80, 0.65];

/// Splits `total` by `shares` (summing to 1): floors, remainder to the first part.
fn split(total: u64, shares: &[f64]) -> Vec<u64> {
    let mut parts: Vec<u64> = shares.iter().map(|s| (total as f64 * s).floor() as u64).collect();
    let assigned: u64 = parts.iter().sum();
    if let Some(first) = parts.first_mut() {
        *first += total.saturating_sub(assigned);
    }
    parts
}

/// The full UTC day `day` of WABA `account`.
fn wa_full_day(g: &Generator, account: usize, day: i64) -> WaDay {
    let mut r = rng(g.seed(), account, day, STREAM_WHATSAPP);
    let weekday = day_start(day).weekday().num_days_from_monday() as usize % 7;
    let volume = 120.0 * (0.0012 * day as f64).exp() * WA_WEEKDAY[weekday] * r.gen_range(0.85..1.15);
    let sent = volume.round().max(0.0) as u64;
    let delivered = (sent as f64 * r.gen_range(0.93..0.985)).floor() as u64;
    let shares: Vec<f64> = WA_CATEGORIES.iter().map(|(_, s)| *s).collect();
    let per_category = split(sent, &shares);
    let country_shares: Vec<f64> = WA_COUNTRIES.iter().map(|(_, s)| *s).collect();
    let mut pricing = Vec::new();
    let mut conversations = Vec::new();
    for ((category, _), n) in WA_CATEGORIES.iter().zip(&per_category) {
        for ((country, _), v) in WA_COUNTRIES.iter().zip(split(*n, &country_shares)) {
            if v == 0 {
                continue;
            }
            let types: &[(&'static str, f64)] = match *category {
                "MARKETING" => &[("REGULAR", 0.90), ("FREE_ENTRY_POINT", 0.10)],
                "UTILITY" => &[("REGULAR", 0.70), ("FREE_CUSTOMER_SERVICE", 0.30)],
                "SERVICE" => &[("FREE_CUSTOMER_SERVICE", 1.0)],
                _ => &[("REGULAR", 1.0)],
            };
            let type_shares: Vec<f64> = types.iter().map(|(_, s)| *s).collect();
            for ((pricing_type, _), volume) in types.iter().zip(split(v, &type_shares)) {
                if volume == 0 {
                    continue;
                }
                pricing.push(WaPricing {
                    category,
                    pricing_type,
                    country,
                    volume,
                });
                let count = (volume as f64 * 0.4).round() as u64;
                if count == 0 {
                    continue;
                }
                let (direction, conversation_type) = match (*category, *pricing_type) {
                    ("SERVICE", _) => ("USER_INITIATED", "FREE_TIER"),
                    (_, "FREE_ENTRY_POINT") => ("USER_INITIATED", "FREE_ENTRY_POINT"),
                    (_, "FREE_CUSTOMER_SERVICE") => ("USER_INITIATED", "REGULAR"),
                    _ => ("BUSINESS_INITIATED", "REGULAR"),
                };
                conversations.push(WaConversation {
                    category,
                    direction,
                    conversation_type,
                    country,
                    count,
                });
            }
        }
    }
    let delivered_ratio = if sent == 0 { 0.0 } else { delivered as f64 / sent as f64 };
    let templates = std::array::from_fn(|i| {
        let t = &WA_TEMPLATES[i];
        let sent: u64 = pricing
            .iter()
            .filter(|p| p.category == t.category)
            .map(|p| p.volume)
            .sum();
        let delivered = (sent as f64 * delivered_ratio).floor() as u64;
        let read = (delivered as f64 * t.read_rate * r.gen_range(0.92..1.05))
            .floor()
            .min(delivered as f64) as u64;
        let clicked = t
            .button
            .map(|(_, _, rate)| (read as f64 * rate * r.gen_range(0.85..1.15)).floor() as u64)
            .unwrap_or(0);
        let amount_spent = pricing
            .iter()
            .filter(|p| p.category == t.category && p.pricing_type == "REGULAR")
            .map(|p| p.volume as f64 * wa_rate(p.category, p.country))
            .sum();
        WaTemplateDay {
            sent,
            delivered,
            read,
            clicked,
            amount_spent,
        }
    });
    WaDay {
        sent,
        delivered,
        pricing,
        conversations,
        templates,
    }
}

fn scale(v: u64, f: f64) -> u64 {
    (v as f64 * f).floor() as u64
}

/// WABA `account`'s UTC day `day` as of `now`: the full day once it is over, a share of it
/// (the elapsed fraction, floored) while it runs, nothing before 2024 or after `now`.
pub(crate) fn wa_day(g: &Generator, account: usize, day: i64, now: DateTime<Utc>) -> Option<WaDay> {
    let start = day_start(day);
    if day < 0 || start >= now {
        return None;
    }
    let full = wa_full_day(g, account, day);
    let elapsed = (now - start).num_seconds();
    if elapsed >= 86_400 {
        return Some(full);
    }
    let f = elapsed as f64 / 86_400.0;
    let pricing: Vec<WaPricing> = full
        .pricing
        .iter()
        .map(|p| WaPricing {
            volume: scale(p.volume, f),
            ..p.clone()
        })
        .filter(|p| p.volume > 0)
        .collect();
    let conversations = full
        .conversations
        .iter()
        .map(|c| WaConversation {
            count: scale(c.count, f),
            ..c.clone()
        })
        .filter(|c| c.count > 0)
        .collect();
    let templates = full.templates.map(|t| WaTemplateDay {
        sent: scale(t.sent, f),
        delivered: scale(t.delivered, f),
        read: scale(t.read, f),
        clicked: scale(t.clicked, f),
        amount_spent: t.amount_spent * f,
    });
    Some(WaDay {
        sent: pricing.iter().map(|p| p.volume).sum(),
        delivered: scale(full.delivered, f).min(pricing.iter().map(|p| p.volume).sum()),
        pricing,
        conversations,
        templates,
    })
}

/// The messaging limit tier of the seeded phone number at `t`: `TIER_1K` until 2025,
/// `TIER_10K` after.
pub(crate) fn wa_messaging_tier(t: DateTime<Utc>) -> &'static str {
    if t.year() >= 2025 {
        "TIER_10K"
    } else {
        "TIER_1K"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        let g = Generator::new(5);
        let fb = account_by_id(Network::Facebook, FB_PAGE_OWNED).unwrap_or_default();
        let tt = account_by_id(Network::Tiktok, TT_OPEN_ID).unwrap_or_default();
        let mut videos = 0;
        for day in 300..330 {
            for p in g.day_posts(fb, day).iter() {
                assert_eq!(find_fb_post(&g, &p.id).map(|f| f.id), Some(p.id.clone()));
                if let Some(v) = fb_video_id(p) {
                    videos += 1;
                    assert_eq!(find_fb_video(&g, &v).map(|f| f.id), Some(p.id.clone()));
                }
            }
            for p in g.day_posts(tt, day).iter() {
                assert_eq!(find_tt_video(&g, &p.id).map(|f| f.id), Some(p.id.clone()));
            }
        }
        assert!(videos > 0);
        assert!(find_fb_post(&g, "104000000000001_199999990000000").is_none());
        assert!(find_tt_video(&g, "7300000000000000000").is_none());
    }

    #[test]
    fn whatsapp_days_are_consistent() {
        let g = Generator::new(9);
        let wa = account_by_id(Network::Whatsapp, WABA_ID).unwrap_or_default();
        let now = day_start(900) + Duration::hours(30);
        for day in 880..=901 {
            let Some(d) = wa_day(&g, wa, day, now) else {
                panic!("day {day} exists");
            };
            assert!(d.delivered <= d.sent);
            assert_eq!(d.pricing.iter().map(|p| p.volume).sum::<u64>(), d.sent);
            assert!(d.conversations.iter().map(|c| c.count).sum::<u64>() <= d.sent);
            for t in d.templates {
                assert!(t.read <= t.delivered && t.delivered <= t.sent);
            }
        }
        assert!(wa_day(&g, wa, 902, now).is_none());
        let partial = wa_day(&g, wa, 901, now).map(|d| d.sent).unwrap_or_default();
        let full = wa_day(&g, wa, 900, now).map(|d| d.sent).unwrap_or_default();
        assert!(partial < full, "{partial} < {full}");
    }

    #[test]
    fn reactions_split_sums_to_the_total() {
        for total in [0u64, 1, 7, 330, 12_345] {
            let parts = reactions_by_type(total);
            assert_eq!(parts.iter().map(|(_, v)| v).sum::<u64>(), total);
        }
    }
}
