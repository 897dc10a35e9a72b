//! TikTok in the seeded model: the creator (Display API and API for Business), 0–2 videos
//! a day with 19-digit ids, their lifetime metrics, the daily business metrics and the
//! audience split.

use chrono::{DateTime, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::generator::Draft;
use super::{
    day_start, Generator, Kind, Network, Post, SeededAccount, ACCOUNTS, HOUR_MULTIPLIER, LOCAL_UTC_OFFSET_HOURS, M,
};

/// The seeded TikTok creator's `open_id` (also its TikTok for Business `business_id`).
pub const TT_OPEN_ID: &str = "tt_alcance_br";

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

/// (second of day, kind) of a day's videos: none 15 %, one 65 %, two 20 %.
pub(super) fn day_slots(r: &mut ChaCha8Rng) -> Vec<(i64, Kind)> {
    let mut slots = Vec::new();
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
    slots
}

/// Fills a video's lifetime values (views `f × 0.9 × √M × quality`, 8 % go viral ×3–8) and
/// returns its id (`73`, account digit, day, index, nine random digits), the random tail
/// and its caption.
pub(super) fn fill(d: &mut Draft<'_>) -> (String, u64, String) {
    let a = &ACCOUNTS[d.account];
    let (sm, jit) = (d.sm, d.jit);
    let viral = if d.r.gen_bool(0.08) {
        d.r.gen_range(3.0..8.0)
    } else {
        1.0
    };
    let views = d.followers * 0.9 * sm * d.quality * viral;
    let likes = views * a.engagement_rate * sm * jit[1];
    let fin = &mut d.fin;
    fin[M::Views as usize] = views;
    fin[M::Reach as usize] = views * 0.78 * jit[0].min(1.0);
    fin[M::Likes as usize] = likes;
    fin[M::Replies as usize] = likes * 0.035 * jit[2];
    fin[M::Reposts as usize] = likes * 0.08 * jit[3];
    fin[M::Bookmarks as usize] = likes * 0.10 * jit[4];
    fin[M::ProfileVisits as usize] = views * 0.012 * sm * jit[5];
    fin[M::Follows as usize] = views * 0.0015 * sm * jit[6];
    let seconds = d.r.gen_range(9..=60u64);
    d.duration_ms = seconds * 1_000;
    let share = (d.r.gen_range(0.35..0.60) * d.quality.sqrt()).min(0.95);
    d.avg_watch_ms = (d.duration_ms as f64 * share) as u64;
    let tail = d.r.gen_range(0..1_000_000_000u64);
    let id = format!("73{}{:05}{:02}{:09}", d.account % 10, d.day, d.index % 100, tail);
    let topic = TT_TOPICS[d.r.gen_range(0..TT_TOPICS.len())];
    let tag = TT_TAGS[d.r.gen_range(0..TT_TAGS.len())];
    (id, tail, format!("{topic} {tag} #fyp"))
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
