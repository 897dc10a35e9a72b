//! The generator: caches of generated days, the follower curve, the day's posts of every
//! network (slots and values drawn by the network modules), walking a timeline, post counts
//! and the activity (metric increments) over an interval.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::{
    bluesky, day_of, day_start, engagement_multiplier, facebook, instagram, linkedin, reddit, rng, splitmix, threads,
    tiktok, x, youtube, Contribution, Kind, Network, Post, ACCOUNTS, FOLLOWER_GROWTH_WEEKDAY, METRICS, N_METRICS,
    STREAM_ACCOUNT, STREAM_FOLLOWERS, STREAM_POSTS,
};

/// A post being made: the draws every post of its network shares, and the values the
/// network module fills in (`fin`, `duration_ms`, `avg_watch_ms`).
pub(super) struct Draft<'r> {
    /// The day's random stream, positioned after the shared draws.
    pub r: &'r mut ChaCha8Rng,
    /// Index into [`ACCOUNTS`].
    pub account: usize,
    /// UTC day index.
    pub day: i64,
    /// Position within the day.
    pub index: usize,
    /// Publication time, UTC.
    pub published: DateTime<Utc>,
    /// What it is.
    pub kind: Kind,
    /// Per-post quality factor (0.75–1.30).
    pub quality: f64,
    /// Eight jitters (0.85–1.15).
    pub jit: [f64; 8],
    /// √ of the engagement multiplier at `published`.
    pub sm: f64,
    /// Followers at `published`.
    pub followers: f64,
    /// Lifetime values each metric saturates to.
    pub fin: [f64; N_METRICS],
    /// Video duration, ms.
    pub duration_ms: u64,
    /// Average watch time, ms.
    pub avg_watch_ms: u64,
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
    /// How many times a day's X and Instagram slots are drawn (1 = the model's rates).
    volume: AtomicU32,
}

/// The largest [`Generator::set_volume`]: X ids hold 32 posts a day (the model draws at most
/// 3), Instagram ids 100 media (at most 6).
pub const MAX_POST_VOLUME: u32 = 10;

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
            volume: AtomicU32::new(1),
        }
    }

    /// Makes every X and Instagram account publish `volume` times as many posts a day
    /// (benchmarks; clamped to 1–[`MAX_POST_VOLUME`]; other networks unchanged): a day's
    /// slots are drawn `volume` times from its random stream, so `1` gives the model's
    /// posts exactly and any other value the same posts for the same seed every time.
    /// Forgets every generated day. Returns the volume in force.
    pub(crate) fn set_volume(&self, volume: u32) -> u32 {
        let volume = volume.clamp(1, MAX_POST_VOLUME);
        let mut days = self.days.lock().unwrap_or_else(PoisonError::into_inner);
        let mut prefix = self.prefix.lock().unwrap_or_else(PoisonError::into_inner);
        self.volume.store(volume, Ordering::Relaxed);
        days.clear();
        prefix.iter_mut().for_each(Vec::clear);
        volume
    }

    /// The volume set by [`Generator::set_volume`] (1 by default).
    pub(crate) fn volume(&self) -> u32 {
        self.volume.load(Ordering::Relaxed)
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

    /// The posts of UTC day `day` (X and Instagram here; Facebook and TikTok in
    /// [`Generator::media_day`]; WhatsApp has none).
    fn generate_day(&self, account: usize, day: i64) -> Vec<Post> {
        let a = &ACCOUNTS[account];
        if !matches!(
            a.network,
            Network::X | Network::Instagram | Network::Bluesky | Network::Reddit | Network::Threads
        ) {
            return self.media_day(account, day);
        }
        let mut r = rng(self.seed, account, day, STREAM_POSTS);
        let start = day_start(day);
        // (second of day, kind) for every post of the day.
        let mut slots: Vec<(i64, Kind)> = match a.network {
            Network::X => (0..self.volume()).flat_map(|_| x::day_slots(&mut r)).collect(),
            Network::Instagram => (0..self.volume()).flat_map(|_| instagram::day_slots(&mut r)).collect(),
            Network::Bluesky => bluesky::day_slots(&mut r),
            // A subreddit's posts are other people's: it has none of its own.
            Network::Reddit if reddit::is_subreddit(account) => Vec::new(),
            Network::Reddit => reddit::day_slots(&mut r),
            Network::Threads => threads::day_slots(&mut r),
            Network::Facebook | Network::Whatsapp | Network::Tiktok | Network::Youtube | Network::Linkedin => {
                Vec::new()
            }
        };
        slots.sort_by_key(|(s, _)| *s);
        let mut posts = Vec::with_capacity(slots.len());
        for (index, (s, kind)) in slots.into_iter().enumerate() {
            let published = start + Duration::seconds(s);
            posts.push(self.make_post(&mut r, account, day, index, published, kind));
        }
        posts
    }

    /// An X post or Instagram media: the draws every post shares, then the network's own.
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
        let mut d = Draft {
            r,
            account,
            day,
            index,
            published,
            kind,
            quality,
            jit,
            sm: m.sqrt(),
            followers: self.followers(account, published) as f64,
            fin: [0.0f64; N_METRICS],
            duration_ms: 0,
            avg_watch_ms: 0,
        };
        let (id, id_num) = match a.network {
            Network::X => x::fill(&mut d),
            Network::Instagram => instagram::fill(&mut d),
            Network::Bluesky => bluesky::fill(&mut d),
            Network::Reddit => reddit::fill(&mut d),
            Network::Threads => threads::fill(&mut d),
            Network::Facebook | Network::Whatsapp | Network::Tiktok | Network::Youtube | Network::Linkedin => {
                (String::new(), 0)
            }
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
            finals: d.fin,
            duration_ms: d.duration_ms,
            avg_watch_ms: d.avg_watch_ms,
            shortcode,
        }
    }

    /// One UTC day of Facebook posts or TikTok videos (distinct seconds, so TikTok's
    /// millisecond cursors never split two videos).
    fn media_day(&self, account: usize, day: i64) -> Vec<Post> {
        let Some(a) = ACCOUNTS.get(account) else {
            return Vec::new();
        };
        let mut r = rng(self.seed, account, day, STREAM_POSTS);
        let start = day_start(day);
        let mut slots: Vec<(i64, Kind)> = match a.network {
            Network::Facebook => facebook::day_slots(&mut r),
            Network::Tiktok => tiktok::day_slots(&mut r),
            Network::Youtube => youtube::day_slots(&mut r),
            Network::Linkedin => linkedin::day_slots(&mut r),
            Network::X
            | Network::Instagram
            | Network::Whatsapp
            | Network::Bluesky
            | Network::Reddit
            | Network::Threads => return Vec::new(),
        };
        slots.sort_by_key(|(s, _)| *s);
        for i in 1..slots.len() {
            if slots[i].0 <= slots[i - 1].0 {
                slots[i].0 = (slots[i - 1].0 + 1).min(86_399);
            }
        }
        slots
            .into_iter()
            .enumerate()
            .map(|(index, (s, kind))| self.make_media(&mut r, account, day, index, start + Duration::seconds(s), kind))
            .collect()
    }

    /// A Facebook post or TikTok video: the draws both share, then the network's own.
    fn make_media(
        &self,
        r: &mut ChaCha8Rng,
        account: usize,
        day: i64,
        index: usize,
        published: DateTime<Utc>,
        kind: Kind,
    ) -> Post {
        let quality: f64 = r.gen_range(0.75..1.30);
        let jit: [f64; 8] = std::array::from_fn(|_| r.gen_range(0.85..1.15));
        let mut d = Draft {
            r,
            account,
            day,
            index,
            published,
            kind,
            quality,
            jit,
            sm: engagement_multiplier(published).sqrt(),
            followers: self.followers(account, published) as f64,
            fin: [0.0f64; N_METRICS],
            duration_ms: 0,
            avg_watch_ms: 0,
        };
        let (id, tail, text) = if kind == Kind::TtVideo {
            tiktok::fill(&mut d)
        } else if kind == Kind::YtVideo {
            youtube::fill(&mut d)
        } else if matches!(kind, Kind::LiText | Kind::LiImage | Kind::LiVideo) {
            linkedin::fill(&mut d)
        } else {
            facebook::fill(&mut d)
        };
        Post {
            id,
            id_num: tail,
            account,
            day,
            index,
            published,
            kind,
            text,
            finals: d.fin,
            duration_ms: d.duration_ms,
            avg_watch_ms: d.avg_watch_ms,
            shortcode: String::new(),
        }
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

    /// Timeline posts of `account` (X: all; Instagram: feed and reels, not stories;
    /// Bluesky: not its reposts of others' posts) published at or before `t`, plus those
    /// before 2024.
    pub(crate) fn post_count(&self, account: usize, t: DateTime<Utc>) -> u64 {
        let Some(a) = ACCOUNTS.get(account) else { return 0 };
        let day = day_of(t);
        if day < 0 {
            return a.posts_before_history;
        }
        let counts = |p: &Post| !p.kind.is_story() && p.kind != Kind::BsRepost && p.kind != Kind::ThRepost;
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
}
