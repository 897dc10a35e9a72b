//! Reddit in the seeded model: the owned user (`u/alcance_br`), a tracked public user
//! (`u/ana_influencer`) and a tracked subreddit (`r/marketingbr`, stored as an account
//! whose followers are its subscribers, without posts of its own); 0–2 submissions a day
//! for the users (text, link, image, video, gallery) with their upvotes, comments and
//! crossposts. Karma is derived from the submissions count and the days since 2024.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::generator::Draft;
use super::{Kind, Network, SeededAccount, ACCOUNTS, M};

/// The owned Reddit user's fullname (`t2_` + id).
pub const RD_USER_OWNED: &str = "t2_alcbr01";
/// The owned Reddit user's name.
pub const RD_NAME_OWNED: &str = "alcance_br";
/// The tracked Reddit user's fullname.
pub const RD_USER_TRACKED: &str = "t2_anainf2";
/// The tracked Reddit user's name.
pub const RD_NAME_TRACKED: &str = "ana_influencer";
/// The tracked subreddit's fullname (`t5_` + id).
pub const RD_SUB_TRACKED: &str = "t5_mktbr3";
/// The tracked subreddit's name (without `r/`).
pub const RD_SUB_NAME: &str = "marketingbr";

/// The Reddit user the sandbox's OAuth logs in as.
pub(crate) const RD_OWNED: SeededAccount = SeededAccount {
    network: Network::Reddit,
    external_id: RD_USER_OWNED,
    username: RD_NAME_OWNED,
    name: "Alcance Brasil",
    owned: true,
    bio: "Métricas de redes sociais no seu computador.",
    followers_2024: 1_300.0,
    growth_per_day: 0.0025,
    following_2024: 0,
    created_at: "2019-03-12T14:22:05Z",
    posts_before_history: 60,
    engagement_rate: 0.050,
    business_since: None,
};

/// A public Reddit user the demo tracks by handle (`u/ana_influencer`).
pub(crate) const RD_TRACKED: SeededAccount = SeededAccount {
    network: Network::Reddit,
    external_id: RD_USER_TRACKED,
    username: RD_NAME_TRACKED,
    name: "Ana Influencer",
    owned: false,
    bio: "Marketing digital, em público.",
    followers_2024: 1_800.0,
    growth_per_day: 0.0020,
    following_2024: 0,
    created_at: "2016-07-04T12:00:00Z",
    posts_before_history: 700,
    engagement_rate: 0.060,
    business_since: None,
};

/// A public subreddit the demo tracks by handle (`r/marketingbr`): `followers_2024` are
/// its subscribers; it has no posts of its own.
pub(crate) const RD_SUBREDDIT: SeededAccount = SeededAccount {
    network: Network::Reddit,
    external_id: RD_SUB_TRACKED,
    username: "r/marketingbr",
    name: "Marketing Brasil",
    owned: false,
    bio: "Comunidade brasileira de marketing digital.",
    followers_2024: 48_000.0,
    growth_per_day: 0.0012,
    following_2024: 0,
    created_at: "2012-05-20T12:00:00Z",
    posts_before_history: 0,
    engagement_rate: 0.0,
    business_since: None,
};

/// `true` for the seeded subreddit (an account with subscribers and no submissions).
pub(crate) fn is_subreddit(account: usize) -> bool {
    ACCOUNTS
        .get(account)
        .is_some_and(|a| a.network == Network::Reddit && a.external_id.starts_with("t5_"))
}

/// (second of day, kind) of a user's submissions of a day: 0–2, 40 % text, 25 % link,
/// 20 % image, 10 % video, 5 % gallery.
pub(super) fn day_slots(r: &mut ChaCha8Rng) -> Vec<(i64, Kind)> {
    let count = r.gen_range(0..=2usize);
    (0..count)
        .map(|_| {
            let s = r.gen_range(0..86_400i64);
            let roll: f64 = r.gen();
            let kind = if roll < 0.40 {
                Kind::RdSelf
            } else if roll < 0.65 {
                Kind::RdLink
            } else if roll < 0.85 {
                Kind::RdImage
            } else if roll < 0.95 {
                Kind::RdVideo
            } else {
                Kind::RdGallery
            };
            (s, kind)
        })
        .collect()
}

/// Fills a submission's lifetime counts (upvotes `f × 0.4 × √M × quality × rate × 8`,
/// comments 15 % of them, crossposts 1 %) and returns its id: `r` + account (2 digits) +
/// day (5) + index (1), 9 base-36 characters like Reddit's. `Views` holds the downvotes
/// (5–25 % of the upvotes), which Reddit hides but folds into `upvote_ratio`.
pub(super) fn fill(d: &mut Draft<'_>) -> (String, u64) {
    let a = &ACCOUNTS[d.account];
    let id = format!("r{:02}{:05}{}", d.account % 100, d.day.max(0), d.index % 10);
    let boost = match d.kind {
        Kind::RdImage => 1.4,
        Kind::RdVideo => 1.2,
        Kind::RdGallery => 1.3,
        Kind::RdLink => 0.8,
        _ => 1.0,
    };
    let ups = d.followers * 0.4 * d.sm * d.quality * boost * a.engagement_rate * 8.0;
    let (jit, down_share) = (d.jit, d.r.gen_range(0.05..0.25));
    d.fin[M::Likes as usize] = ups * jit[0];
    d.fin[M::Views as usize] = ups * jit[0] * down_share;
    d.fin[M::Replies as usize] = ups * 0.15 * jit[1];
    d.fin[M::Reposts as usize] = ups * 0.01 * jit[2];
    (id, 0)
}
