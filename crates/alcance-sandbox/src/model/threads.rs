//! Threads in the seeded model: one owned account (connected with a long-lived token or
//! the code flow), 0–3 items a day (text, image, video, carousel, and reposts of someone
//! else's post, which Threads lists as `REPOST_FACADE` without insights), their lifetime
//! views / likes / replies / reposts / quotes / shares, and the follower demographics.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::generator::Draft;
use super::{Kind, Network, SeededAccount, ACCOUNTS, M};

/// The owned Threads account's user id.
pub const TH_USER_ID: &str = "27000000000000001";
/// The owned Threads account's handle.
pub const TH_USERNAME: &str = "alcance.br";

/// The Threads account the sandbox's tokens act as.
pub(crate) const TH_OWNED: SeededAccount = SeededAccount {
    network: Network::Threads,
    external_id: TH_USER_ID,
    username: TH_USERNAME,
    name: "Alcance Brasil",
    owned: true,
    bio: "Métricas de redes sociais no seu computador. Também no Threads 🧵",
    followers_2024: 800.0,
    growth_per_day: 0.0030,
    following_2024: 120,
    created_at: "2023-07-06T12:00:00.000Z",
    posts_before_history: 60,
    engagement_rate: 0.050,
    business_since: None,
};

/// Follower share by country (ISO 3166-1 alpha-2), summing to 1.
pub const TH_COUNTRIES: [(&str, f64); 4] = [("BR", 0.78), ("PT", 0.08), ("US", 0.06), ("AR", 0.08)];
/// Follower share by city (as Threads names them, `City, State`), summing to 1.
pub const TH_CITIES: [(&str, f64); 3] = [
    ("São Paulo, São Paulo", 0.45),
    ("Rio de Janeiro, Rio de Janeiro", 0.35),
    ("Belo Horizonte, Minas Gerais", 0.20),
];
/// Follower share by age range, summing to 1.
pub const TH_AGES: [(&str, f64); 5] = [
    ("18-24", 0.22),
    ("25-34", 0.38),
    ("35-44", 0.24),
    ("45-54", 0.11),
    ("55-64", 0.05),
];
/// Follower share by gender (`F`, `M`, `U`), summing to 1.
pub const TH_GENDERS: [(&str, f64); 3] = [("F", 0.54), ("M", 0.42), ("U", 0.04)];

/// (second of day, kind) of a day's items: 0–3, 50 % text, 20 % image, 10 % video, 10 %
/// carousel, 10 % repost of someone else's post.
pub(super) fn day_slots(r: &mut ChaCha8Rng) -> Vec<(i64, Kind)> {
    let count = r.gen_range(0..=3usize);
    (0..count)
        .map(|_| {
            let s = r.gen_range(0..86_400i64);
            let roll: f64 = r.gen();
            let kind = if roll < 0.50 {
                Kind::ThText
            } else if roll < 0.70 {
                Kind::ThImage
            } else if roll < 0.80 {
                Kind::ThVideo
            } else if roll < 0.90 {
                Kind::ThCarousel
            } else {
                Kind::ThRepost
            };
            (s, kind)
        })
        .collect()
}

/// Fills a post's lifetime counts (views `f × 0.9 × √M × quality`, interactions a share of
/// them; shares are kept in the `Bookmarks` slot) and returns its media id: `18` + account
/// (2 digits) + day (5) + index (2) + `0000000`, 18 digits like a Threads media id. A repost
/// facade has no counts of its own.
pub(super) fn fill(d: &mut Draft<'_>) -> (String, u64) {
    let a = &ACCOUNTS[d.account];
    let id = format!("18{:02}{:05}{:02}0000000", d.account % 100, d.day.max(0), d.index % 100);
    let num = id.parse::<u64>().unwrap_or(0);
    if d.kind == Kind::ThRepost {
        return (id, num);
    }
    let boost = match d.kind {
        Kind::ThImage => 1.2,
        Kind::ThVideo => 1.4,
        Kind::ThCarousel => 1.1,
        _ => 1.0,
    };
    let views = d.followers * 0.9 * d.sm * d.quality * boost;
    let eng = views * a.engagement_rate * d.sm;
    let jit = d.jit;
    d.fin[M::Views as usize] = views * jit[0];
    d.fin[M::Likes as usize] = eng * 0.70 * jit[1];
    d.fin[M::Replies as usize] = eng * 0.12 * jit[2];
    d.fin[M::Reposts as usize] = eng * 0.08 * jit[3];
    d.fin[M::Quotes as usize] = eng * 0.03 * jit[4];
    d.fin[M::Bookmarks as usize] = eng * 0.05 * jit[5];
    d.fin[M::ProfileVisits as usize] = views * 0.02 * jit[6];
    (id, num)
}

/// `(account index, day, index)` of a generated Threads media id, any time; `None` for an
/// id not of that shape.
pub(crate) fn th_media_position(id: &str) -> Option<(usize, i64, usize)> {
    if id.len() != 18 || !id.bytes().all(|b| b.is_ascii_digit()) || !id.starts_with("18") || !id.ends_with("0000000") {
        return None;
    }
    let account: usize = id.get(2..4)?.parse().ok()?;
    let day: i64 = id.get(4..9)?.parse().ok()?;
    let index: usize = id.get(9..11)?.parse().ok()?;
    (ACCOUNTS.get(account)?.network == Network::Threads).then_some((account, day, index))
}
