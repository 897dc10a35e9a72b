//! YouTube in the seeded model: the owned channel and a tracked public channel, about two
//! uploads a week with 11-character video ids, their lifetime counts and durations, and the
//! channel's Analytics days (Pacific Time).

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::America::Los_Angeles;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::generator::Draft;
use super::{day_of, Generator, Kind, Network, Post, SeededAccount, ACCOUNTS, M};

/// The seeded owned channel's id (`UC` + 22 characters, as YouTube's).
pub const YT_CHANNEL_ID: &str = "UCalcanceBR0000000000001";
/// The seeded tracked (public) channel's id.
pub const YT_TRACKED_ID: &str = "UCanaInfluencer000000002";

/// The channel the sandbox's Google sign-in logs in as (handle `@alcancebr`).
pub(crate) const YT_OWNED: SeededAccount = SeededAccount {
    network: Network::Youtube,
    external_id: YT_CHANNEL_ID,
    username: "alcancebr",
    name: "Alcance Brasil",
    owned: true,
    bio: "Tutoriais de métricas de redes sociais, um vídeo por semana.",
    followers_2024: 450.0,
    growth_per_day: 0.0030,
    following_2024: 0,
    created_at: "2020-05-04T12:00:00Z",
    posts_before_history: 35,
    engagement_rate: 0.045,
    business_since: None,
};

/// A public channel the demo tracks by handle (`@anainfluencer`).
pub(crate) const YT_TRACKED: SeededAccount = SeededAccount {
    network: Network::Youtube,
    external_id: YT_TRACKED_ID,
    username: "anainfluencer",
    name: "Ana Influencer",
    owned: false,
    bio: "Vlogs de marketing digital e bastidores.",
    followers_2024: 24_000.0,
    growth_per_day: 0.0015,
    following_2024: 0,
    created_at: "2017-02-10T12:00:00Z",
    posts_before_history: 420,
    engagement_rate: 0.040,
    business_since: None,
};

const YT_TOPICS: [&str; 6] = [
    "Como ler o relatório mensal de métricas",
    "Taxa de engajamento: o cálculo certo",
    "Melhor horário para postar no Brasil (com dados)",
    "Comparando redes sociais lado a lado",
    "Exportando métricas para planilhas",
    "Seguidores vs. alcance: o que importa",
];

/// Lifetime views of the channel's videos published before 2024 (added to the total).
pub(crate) const VIEWS_BEFORE_HISTORY: u64 = 38_000;

/// (second of day, kind) of a day's uploads: one on 28 % of days, two on 2 %.
pub(super) fn day_slots(r: &mut ChaCha8Rng) -> Vec<(i64, Kind)> {
    let roll: f64 = r.gen();
    let count = if roll < 0.70 {
        0
    } else if roll < 0.98 {
        1
    } else {
        2
    };
    (0..count).map(|_| (r.gen_range(0..86_399i64), Kind::YtVideo)).collect()
}

const ID_CHARS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Fills a video's lifetime values (views `f × 0.35 × √M × quality`, 5 % take off ×3–10;
/// `Follows` = subscribers gained from it) and returns its id (`Y`, account digit, day in
/// five digits, index digit, three random characters: 11 characters like YouTube's), the
/// random tail and its title. Duration 1–25 minutes; average view 30–55 % of it.
pub(super) fn fill(d: &mut Draft<'_>) -> (String, u64, String) {
    let a = &ACCOUNTS[d.account];
    let (sm, jit) = (d.sm, d.jit);
    let boost = if d.r.gen_bool(0.05) {
        d.r.gen_range(3.0..10.0)
    } else {
        1.0
    };
    let views = d.followers * 0.35 * sm * d.quality * boost;
    let likes = views * a.engagement_rate * sm * jit[1];
    let fin = &mut d.fin;
    fin[M::Views as usize] = views;
    fin[M::Likes as usize] = likes;
    fin[M::Replies as usize] = likes * 0.06 * jit[2];
    fin[M::Reposts as usize] = likes * 0.05 * jit[3];
    fin[M::Follows as usize] = views * 0.004 * sm * jit[6];
    let seconds = d.r.gen_range(60..=1_500u64);
    d.duration_ms = seconds * 1_000;
    let share = (d.r.gen_range(0.30..0.55) * d.quality.sqrt()).min(0.9);
    d.avg_watch_ms = (d.duration_ms as f64 * share) as u64;
    let tail = d.r.gen_range(0..(64u64 * 64 * 64));
    let chars: String = [tail / 4096, (tail / 64) % 64, tail % 64]
        .iter()
        .map(|i| ID_CHARS[*i as usize] as char)
        .collect();
    let id = format!("Y{}{:05}{}{chars}", d.account % 10, d.day, d.index % 10);
    let topic = YT_TOPICS[d.r.gen_range(0..YT_TOPICS.len())];
    (id, tail, format!("{topic} | Alcance"))
}

/// The YouTube video with this id (11 characters), when one was generated.
pub(crate) fn find_yt_video(g: &Generator, id: &str) -> Option<Post> {
    if id.len() != 11 || !id.starts_with('Y') || !id.is_ascii() {
        return None;
    }
    let account: usize = id.get(1..2)?.parse().ok()?;
    let day: i64 = id.get(2..7)?.parse().ok()?;
    let index: usize = id.get(7..8)?.parse().ok()?;
    if ACCOUNTS.get(account)?.network != Network::Youtube {
        return None;
    }
    g.day_posts(account, day).get(index).filter(|p| p.id == id).cloned()
}

/// Midnight of `day` in Pacific Time, in UTC.
pub(crate) fn pacific_midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0)
        .and_then(|n| Los_Angeles.from_local_datetime(&n).earliest())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&day.and_hms_opt(8, 0, 0).unwrap_or_default()))
}

/// The Pacific-Time day `t` falls on.
pub(crate) fn pacific_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&Los_Angeles).date_naive()
}

/// One YouTube Analytics day of a channel (`dimensions=day`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct YtDay {
    /// `views`.
    pub views: u64,
    /// `estimatedMinutesWatched`.
    pub minutes: u64,
    /// `averageViewDuration`, seconds.
    pub avg_view_seconds: u64,
    /// `likes`.
    pub likes: u64,
    /// `comments`.
    pub comments: u64,
    /// `shares`.
    pub shares: u64,
    /// `subscribersGained`.
    pub gained: u64,
    /// `subscribersLost`.
    pub lost: u64,
}

/// The Analytics values of `account` for Pacific day `day` (midnight to midnight PT).
pub(crate) fn yt_day(g: &Generator, account: usize, day: NaiveDate) -> YtDay {
    let a = pacific_midnight(day);
    let b = pacific_midnight(day.succ_opt().unwrap_or(day)).max(a + Duration::hours(23));
    let mut out = YtDay {
        views: 0,
        minutes: 0,
        avg_view_seconds: 0,
        likes: 0,
        comments: 0,
        shares: 0,
        gained: 0,
        lost: 0,
    };
    let mut watched_ms: u128 = 0;
    for d in (day_of(a) - 8).max(0)..=day_of(b) {
        for p in g.day_posts(account, d).iter() {
            if p.published >= b {
                continue;
            }
            let delta = |m: M| p.value(m, b).saturating_sub(p.value(m, a));
            let views = delta(M::Views);
            out.views += views;
            watched_ms += u128::from(views) * u128::from(p.avg_watch_ms);
            out.likes += delta(M::Likes);
            out.comments += delta(M::Replies);
            out.shares += delta(M::Reposts);
            out.gained += delta(M::Follows);
        }
    }
    out.minutes = (watched_ms / 60_000) as u64;
    out.avg_view_seconds = if out.views > 0 {
        (watched_ms / u128::from(out.views) / 1_000) as u64
    } else {
        0
    };
    // About one in six gained subscribers leaves again (deterministic, no extra stream).
    out.lost = out.gained / 6;
    out
}

/// Lifetime views of every video of `account` as of `now`, plus those before 2024.
pub(crate) fn total_views(g: &Generator, account: usize, now: DateTime<Utc>) -> u64 {
    let last = day_of(now);
    let mut total = VIEWS_BEFORE_HISTORY;
    for d in 0..=last.max(0) {
        for p in g.day_posts(account, d).iter() {
            total += p.value(M::Views, now);
        }
    }
    total
}
