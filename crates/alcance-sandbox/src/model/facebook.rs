//! Facebook Pages in the seeded model: the Facebook user and its two Pages (owned and
//! tracked), 0–3 posts a day (status, photo, link, video), post and video ids, reactions
//! by type, and Page insights over an interval.

use chrono::{DateTime, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::generator::Draft;
use super::{account_by_id, Generator, Kind, Network, Post, SeededAccount, ACCOUNTS, M};

/// The Facebook user the sandbox's Facebook Login logs in as (the admin of the owned Page).
/// `GET /me` with a user token answers this id.
pub const FB_USER_ID: &str = "100094000000001";
/// Display name of [`FB_USER_ID`].
pub const FB_USER_NAME: &str = "Alcance Admin";
/// The owned Facebook Page id ("Alcance Brasil", `alcancebr`).
pub const FB_PAGE_OWNED: &str = "104000000000001";
/// The tracked Facebook Page id ("Ana Influencer"): public fields and posts only.
pub const FB_PAGE_TRACKED: &str = "104000000000002";
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
/// (second of day, kind) of a day's posts: none 10 %, one 60 %, two 25 %, three 5 %;
/// kinds by [`FB_KINDS`] shares.
pub(super) fn day_slots(r: &mut ChaCha8Rng) -> Vec<(i64, Kind)> {
    let mut slots = Vec::new();
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
    slots
}

/// Fills a Page post's lifetime values (reach `f × rate × √M × quality` by kind) and
/// returns its id (`{page-id}_1{day}{index}{7 digits}`), the random tail and its text.
pub(super) fn fill(d: &mut Draft<'_>) -> (String, u64, String) {
    let a = &ACCOUNTS[d.account];
    let (kind, sm, jit) = (d.kind, d.sm, d.jit);
    let (reach_rate, views_per_reach, reaction_k, click_rate) = match kind {
        Kind::FbStatus => (0.08, 1.25, 0.8, 0.010),
        Kind::FbLink => (0.09, 1.20, 0.6, 0.060),
        Kind::FbVideo => (0.15, 1.60, 1.1, 0.030),
        _ => (0.12, 1.40, 1.0, 0.040),
    };
    let reach = d.followers * reach_rate * sm * d.quality;
    let inter = reach * a.engagement_rate * sm;
    let fin = &mut d.fin;
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
        d.duration_ms = d.r.gen_range(15_000..180_000u64);
        d.avg_watch_ms = (d.duration_ms as f64 * d.r.gen_range(0.25..0.50)) as u64;
    }
    let tail = d.r.gen_range(0..10_000_000u64);
    let id = format!("{}_1{:05}{:02}{:07}", a.external_id, d.day, d.index % 100, tail);
    let opener = FB_OPENERS[d.r.gen_range(0..FB_OPENERS.len())];
    let topic = FB_TOPICS[d.r.gen_range(0..FB_TOPICS.len())];
    (id, tail, format!("{opener} {topic}."))
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
