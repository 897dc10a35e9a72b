//! Instagram in the seeded model: feed posts, carousels, reels and stories, 17-digit media
//! ids that encode the account, day and position, their lifetime metrics, and the
//! follower / engaged-audience demographics (a Brazilian audience).

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::generator::Draft;
use super::{rng, Audience, Generator, Kind, Network, Post, ACCOUNTS, M, STREAM_DEMOGRAPHICS};

/// (second of day, kind) of a day's media: 0–2 feed posts (40 % image, 25 % carousel, 35 %
/// reel) and, every other day on average, 1–4 stories (30 % video).
pub(super) fn day_slots(r: &mut ChaCha8Rng) -> Vec<(i64, Kind)> {
    let mut slots = Vec::new();
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
    slots
}

/// Fills a media's lifetime values (reach `f × rate × √M × quality` by product type) and
/// returns its 17-digit id (`179`, account digit, day, index, six random digits) and 0.
pub(super) fn fill(d: &mut Draft<'_>) -> (String, u64) {
    let a = &ACCOUNTS[d.account];
    let (kind, sm, jit) = (d.kind, d.sm, d.jit);
    let (reach_rate, views_per_reach, inter_rate) = match kind {
        Kind::IgCarousel => (0.26, 1.7, 1.0),
        Kind::IgReel => (0.45, 1.9, 1.15),
        Kind::IgStory { .. } => (0.10, 1.15, 0.4),
        _ => (0.22, 1.3, 1.0),
    };
    let reach = d.followers * reach_rate * sm * d.quality;
    let views = reach * views_per_reach * jit[0];
    let inter = reach * a.engagement_rate * inter_rate * sm;
    let fin = &mut d.fin;
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
        d.avg_watch_ms = (d.r.gen_range(5_000.0..15_000.0) * d.quality.sqrt()) as u64;
    }
    let tail = d.r.gen_range(0..1_000_000u32);
    (
        format!("179{}{:05}{:02}{:06}", d.account % 10, d.day, d.index % 100, tail),
        0,
    )
}

impl Generator {
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
        let mut r = rng(self.seed(), account, month_key, STREAM_DEMOGRAPHICS + audience as u64);
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
