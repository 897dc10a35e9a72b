//! LinkedIn in the seeded model: one organization page administered by the sandbox's member
//! (no tracked page: LinkedIn's API reads only administered pages), about three posts a
//! week (text, image, video; videos are `ugcPost`s), their lifetime organic counts, the
//! page's UTC days of share statistics and follower gains, and its follower demographics.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::generator::Draft;
use super::{day_of, Generator, Kind, Network, Post, SeededAccount, ACCOUNTS, M};

/// The seeded page's numeric organization id.
pub const LI_ORG_ID: &str = "107000001";
/// The member who administers it (`sub` of `/v2/userinfo`, `urn:li:person:{sub}`).
pub const LI_MEMBER_SUB: &str = "aLc4nc3Mb1";
/// The member's name.
pub const LI_MEMBER_NAME: &str = "Marina Souza";

/// The page the sandbox's LinkedIn sign-in administers (vanity name `alcance-brasil`).
pub(crate) const LI_OWNED: SeededAccount = SeededAccount {
    network: Network::Linkedin,
    external_id: LI_ORG_ID,
    username: "alcance-brasil",
    name: "Alcance Brasil",
    owned: true,
    bio: "Métricas de redes sociais no seu computador. Dados seus, histórico ilimitado.",
    followers_2024: 1_300.0,
    growth_per_day: 0.0022,
    following_2024: 0,
    created_at: "2019-03-12T14:22:05Z",
    posts_before_history: 260,
    engagement_rate: 0.035,
    business_since: None,
};

const LI_TOPICS: [&str; 5] = [
    "Como medir o alcance orgânico da sua página",
    "Relatório mensal: o que olhar primeiro",
    "Engajamento no LinkedIn: cliques contam",
    "Melhor horário para publicar para empresas",
    "Seguidores pagos e orgânicos: a diferença",
];

/// (second of day, kind) of a day's posts: none on 60 % of days, one on 37 %, two on 3 %;
/// 60 % text, 30 % image, 10 % video.
pub(super) fn day_slots(r: &mut ChaCha8Rng) -> Vec<(i64, Kind)> {
    let roll: f64 = r.gen();
    let count = if roll < 0.60 {
        0
    } else if roll < 0.97 {
        1
    } else {
        2
    };
    (0..count)
        .map(|_| {
            let k: f64 = r.gen();
            let kind = if k < 0.60 {
                Kind::LiText
            } else if k < 0.90 {
                Kind::LiImage
            } else {
                Kind::LiVideo
            };
            (r.gen_range(0..86_399i64), kind)
        })
        .collect()
}

/// Fills a post's lifetime values (impressions `f × 0.9 × √M × quality`, unique
/// impressions 70 % of them, likes by the engagement rate, comments, reposts, clicks,
/// follows) and returns its URN (`urn:li:share:` or, for videos, `urn:li:ugcPost:`, then
/// 19 digits: `7`, account digit, day in five digits, index digit, eleven random digits),
/// the random tail and its text.
pub(super) fn fill(d: &mut Draft<'_>) -> (String, u64, String) {
    let a = &ACCOUNTS[d.account];
    let (sm, jit) = (d.sm, d.jit);
    let boost = if d.r.gen_bool(0.04) {
        d.r.gen_range(3.0..8.0)
    } else {
        1.0
    };
    let impressions = d.followers * 0.9 * sm * d.quality * boost;
    let likes = impressions * a.engagement_rate * sm * jit[1];
    let fin = &mut d.fin;
    fin[M::Views as usize] = impressions;
    fin[M::Reach as usize] = impressions * 0.70 * jit[0];
    fin[M::Likes as usize] = likes;
    fin[M::Replies as usize] = likes * 0.09 * jit[2];
    fin[M::Reposts as usize] = likes * 0.05 * jit[3];
    fin[M::LinkClicks as usize] = impressions * 0.012 * sm * jit[4];
    fin[M::Follows as usize] = impressions * 0.002 * jit[6];
    let tail = d.r.gen_range(0..100_000_000_000u64);
    let kind = if d.kind == Kind::LiVideo { "ugcPost" } else { "share" };
    let id = format!(
        "urn:li:{kind}:7{}{:05}{}{tail:011}",
        d.account % 10,
        d.day,
        d.index % 10
    );
    let topic = LI_TOPICS[d.r.gen_range(0..LI_TOPICS.len())];
    (id, tail, format!("{topic}. #métricas #marketing"))
}

/// The LinkedIn post with this URN, when one was generated.
pub(crate) fn find_li_post(g: &Generator, urn: &str) -> Option<Post> {
    let digits = urn
        .strip_prefix("urn:li:share:")
        .or_else(|| urn.strip_prefix("urn:li:ugcPost:"))?;
    if digits.len() != 19 || !digits.starts_with('7') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // The digit is the account index modulo 10 (LinkedIn's page sits past index 9).
    let digit: usize = digits.get(1..2)?.parse().ok()?;
    let day: i64 = digits.get(2..7)?.parse().ok()?;
    let index: usize = digits.get(7..8)?.parse().ok()?;
    (0..ACCOUNTS.len())
        .filter(|a| ACCOUNTS[*a].network == Network::Linkedin && a % 10 == digit)
        .find_map(|account| g.day_posts(account, day).get(index).filter(|p| p.id == urn).cloned())
}

/// One UTC day of a page's organic share statistics and follower gains.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct LiDay {
    /// `impressionCount`.
    pub impressions: u64,
    /// `uniqueImpressionsCount`.
    pub unique: u64,
    /// `clickCount`.
    pub clicks: u64,
    /// `likeCount`.
    pub likes: u64,
    /// `commentCount`.
    pub comments: u64,
    /// `shareCount`.
    pub shares: u64,
    /// `followerGains.organicFollowerGain`.
    pub organic_gain: u64,
    /// `followerGains.paidFollowerGain`.
    pub paid_gain: u64,
}

impl LiDay {
    /// `engagement`: (clicks + likes + comments + shares + follows) / impressions, ratio 0–1.
    pub(crate) fn engagement(&self) -> f64 {
        if self.impressions == 0 {
            return 0.0;
        }
        (self.clicks + self.likes + self.comments + self.shares + self.organic_gain) as f64 / self.impressions as f64
    }
}

/// Midnight UTC of `day`.
pub(crate) fn utc_midnight(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// The page's statistics over UTC day `day`: what its posts gained that day, and its
/// follower growth split 85 % organic / 15 % paid.
pub(crate) fn li_day(g: &Generator, account: usize, day: NaiveDate) -> LiDay {
    let a = utc_midnight(day);
    let b = a + Duration::days(1);
    let mut out = LiDay::default();
    for d in (day_of(a) - 8).max(0)..=day_of(b) {
        for p in g.day_posts(account, d).iter() {
            if p.published >= b {
                continue;
            }
            let delta = |m: M| p.value(m, b).saturating_sub(p.value(m, a));
            out.impressions += delta(M::Views);
            out.unique += delta(M::Reach);
            out.clicks += delta(M::LinkClicks);
            out.likes += delta(M::Likes);
            out.comments += delta(M::Replies);
            out.shares += delta(M::Reposts);
        }
    }
    let gained = g.followers(account, b).saturating_sub(g.followers(account, a));
    out.paid_gain = gained * 15 / 100;
    out.organic_gain = gained - out.paid_gain;
    out
}

/// The page's follower demographics: `(array, facet field, facet value, share of
/// followers)`; each array's shares sum to 1 except geography (members without one).
pub(crate) const LI_DEMOGRAPHICS: &[(&str, &str, &str, f64)] = &[
    ("followerCountsByAssociationType", "associationType", "EMPLOYEE", 0.04),
    ("followerCountsBySeniority", "seniority", "urn:li:seniority:3", 0.46),
    ("followerCountsBySeniority", "seniority", "urn:li:seniority:4", 0.32),
    ("followerCountsBySeniority", "seniority", "urn:li:seniority:6", 0.22),
    ("followerCountsByFunction", "function", "urn:li:function:15", 0.58),
    ("followerCountsByFunction", "function", "urn:li:function:4", 0.42),
    ("followerCountsByIndustry", "industry", "urn:li:industry:1810", 0.61),
    ("followerCountsByIndustry", "industry", "urn:li:industry:96", 0.39),
    (
        "followerCountsByStaffCountRange",
        "staffCountRange",
        "SIZE_11_TO_50",
        0.55,
    ),
    (
        "followerCountsByStaffCountRange",
        "staffCountRange",
        "SIZE_51_TO_200",
        0.45,
    ),
    ("followerCountsByGeoCountry", "geo", "urn:li:geo:106057199", 0.81),
    ("followerCountsByGeoCountry", "geo", "urn:li:geo:100364837", 0.09),
];
