//! Bluesky in the seeded model: the owned account (connected with an app password) and a
//! tracked public profile, 0–3 feed items a day (text, image, link, reply, quote, and
//! reposts of the tracked profile's posts, which are not the account's posts), and their
//! like / repost / reply / quote counts. Bluesky has no views or reach, so none is made.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::generator::Draft;
use super::{Generator, Kind, Network, Post, SeededAccount, ACCOUNTS, M};

/// The owned Bluesky account's DID.
pub const BS_DID_OWNED: &str = "did:plc:alcancebrdemoaccount2345";
/// The owned Bluesky account's handle.
pub const BS_HANDLE_OWNED: &str = "alcance.bsky.social";
/// The tracked Bluesky profile's DID.
pub const BS_DID_TRACKED: &str = "did:plc:concorrentepublicoperfil";
/// The tracked Bluesky profile's handle.
pub const BS_HANDLE_TRACKED: &str = "concorrente.bsky.social";

/// The Bluesky account the sandbox's `createSession` logs in as.
pub(crate) const BS_OWNED: SeededAccount = SeededAccount {
    network: Network::Bluesky,
    external_id: BS_DID_OWNED,
    username: BS_HANDLE_OWNED,
    name: "Alcance Brasil",
    owned: true,
    bio: "Métricas de redes sociais no seu computador. Agora também no Bluesky 🦋",
    followers_2024: 1_200.0,
    growth_per_day: 0.0025,
    following_2024: 150,
    created_at: "2023-09-19T15:47:01.417Z",
    posts_before_history: 90,
    engagement_rate: 0.045,
    business_since: None,
};

/// A public Bluesky profile the demo tracks by handle.
pub(crate) const BS_TRACKED: SeededAccount = SeededAccount {
    network: Network::Bluesky,
    external_id: BS_DID_TRACKED,
    username: BS_HANDLE_TRACKED,
    name: "Concorrente Público",
    owned: false,
    bio: "Marketing e dados, em público.",
    followers_2024: 2_400.0,
    growth_per_day: 0.0020,
    following_2024: 400,
    created_at: "2023-05-02T10:00:00.000Z",
    posts_before_history: 600,
    engagement_rate: 0.040,
    business_since: None,
};

/// (second of day, kind) of a day's feed items: 0–3, 40 % text, 20 % image, 10 % link,
/// 15 % reply, 5 % quote, 10 % repost of someone else's post.
pub(super) fn day_slots(r: &mut ChaCha8Rng) -> Vec<(i64, Kind)> {
    let count = r.gen_range(0..=3usize);
    (0..count)
        .map(|_| {
            let s = r.gen_range(0..86_400i64);
            let roll: f64 = r.gen();
            let kind = if roll < 0.40 {
                Kind::BsText
            } else if roll < 0.60 {
                Kind::BsImage
            } else if roll < 0.70 {
                Kind::BsLink
            } else if roll < 0.85 {
                Kind::BsReply
            } else if roll < 0.90 {
                Kind::BsQuote
            } else {
                Kind::BsRepost
            };
            (s, kind)
        })
        .collect()
}

/// Fills a post's lifetime counts (interactions `f × 0.12 × √M × quality × rate`: likes,
/// reposts, replies, quotes) and returns its record key: `3lbs` + account (2 digits) + day
/// (5) + index (2), 13 characters like a TID. A repost has no counts of its own.
pub(super) fn fill(d: &mut Draft<'_>) -> (String, u64) {
    let a = &ACCOUNTS[d.account];
    let rkey = format!("3lbs{:02}{:05}{:02}", d.account % 100, d.day.max(0), d.index % 100);
    if d.kind == Kind::BsRepost {
        return (rkey, 0);
    }
    let boost = match d.kind {
        Kind::BsImage => 1.25,
        Kind::BsReply => 0.35,
        Kind::BsQuote => 0.9,
        _ => 1.0,
    };
    let seen = d.followers * 0.12 * d.sm * d.quality * boost;
    let eng = seen * a.engagement_rate * d.sm * 8.0;
    let (sm, jit) = (d.sm, d.jit);
    d.fin[M::Likes as usize] = eng * 0.70 * jit[0];
    d.fin[M::Reposts as usize] = eng * 0.12 * jit[1] * sm;
    d.fin[M::Replies as usize] = eng * 0.10 * jit[2];
    d.fin[M::Quotes as usize] = eng * 0.03 * jit[3];
    (rkey, 0)
}

/// The AT URI of a generated post of a Bluesky account.
pub(crate) fn bs_uri(p: &Post) -> String {
    format!("at://{}/app.bsky.feed.post/{}", ACCOUNTS[p.account].external_id, p.id)
}

/// The generated Bluesky post with this AT URI (`at://{did}/app.bsky.feed.post/{rkey}`),
/// any time; reposts are not posts and are never found.
pub(crate) fn find_bs_post(g: &Generator, uri: &str) -> Option<Post> {
    let rest = uri.strip_prefix("at://")?;
    let (did, tail) = rest.split_once("/app.bsky.feed.post/")?;
    let account = ACCOUNTS
        .iter()
        .position(|a| a.network == Network::Bluesky && a.external_id == did)?;
    let digits = tail.strip_prefix("3lbs")?;
    if digits.len() != 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let day: i64 = digits.get(2..7)?.parse().ok()?;
    let index: usize = digits.get(7..9)?.parse().ok()?;
    g.day_posts(account, day)
        .get(index)
        .filter(|p| p.id == tail && p.kind != Kind::BsRepost)
        .cloned()
}

/// The post a repost of `account` on `day` points at: the first own post of another
/// seeded Bluesky account that day, if any.
pub(crate) fn reposted(g: &Generator, account: usize, day: i64) -> Option<Post> {
    let other = ACCOUNTS
        .iter()
        .enumerate()
        .find(|(i, a)| *i != account && a.network == Network::Bluesky)?
        .0;
    g.day_posts(other, day)
        .iter()
        .find(|p| p.kind != Kind::BsRepost)
        .cloned()
}
