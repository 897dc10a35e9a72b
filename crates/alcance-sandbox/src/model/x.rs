//! X in the seeded model: one to three posts a day (text, photo, video, GIF), snowflake ids
//! that encode the publication time, account and position, and their lifetime metrics.

use chrono::{TimeZone, Utc};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::generator::Draft;
use super::{day_of, Generator, Kind, Network, Post, ACCOUNTS, M};

/// X's snowflake epoch (2010-11-04T01:42:54.657Z) in Unix milliseconds.
const X_EPOCH_MS: i64 = 1_288_834_974_657;

/// (second of day, kind) of a day's posts: 1–3, 45 % text, 35 % photo, 15 % video, 5 % GIF.
pub(super) fn day_slots(r: &mut ChaCha8Rng) -> Vec<(i64, Kind)> {
    let mut slots = Vec::new();
    let count = r.gen_range(1..=3usize);
    for _ in 0..count {
        let s = r.gen_range(0..86_400i64);
        let roll: f64 = r.gen();
        let kind = if roll < 0.45 {
            Kind::XText
        } else if roll < 0.80 {
            Kind::XPhoto
        } else if roll < 0.95 {
            Kind::XVideo
        } else {
            Kind::XGif
        };
        slots.push((s, kind));
    }
    slots
}

/// Fills an X post's lifetime values (impressions `f × 0.30 × √M × quality × media boost`)
/// and returns its snowflake id, as text and as a number.
pub(super) fn fill(d: &mut Draft<'_>) -> (String, u64) {
    let a = &ACCOUNTS[d.account];
    let (kind, sm, jit) = (d.kind, d.sm, d.jit);
    let boost = match kind {
        Kind::XPhoto => 1.15,
        Kind::XVideo => 1.35,
        Kind::XGif => 1.10,
        _ => 1.0,
    };
    let imp = d.followers * 0.30 * sm * d.quality * boost;
    let eng = imp * a.engagement_rate * sm;
    let fin = &mut d.fin;
    fin[M::Views as usize] = imp;
    fin[M::Reach as usize] = imp * 0.8;
    fin[M::Likes as usize] = eng * 0.62 * jit[0];
    fin[M::Reposts as usize] = eng * 0.12 * jit[1];
    fin[M::Replies as usize] = eng * 0.09 * jit[2];
    fin[M::Quotes as usize] = eng * 0.03 * jit[3];
    fin[M::Bookmarks as usize] = eng * 0.14 * jit[4];
    fin[M::LinkClicks as usize] = imp * 0.004 * sm * jit[5];
    fin[M::ProfileVisits as usize] = imp * 0.007 * sm * jit[6];
    fin[M::Follows as usize] = imp * 0.0008 * sm;
    match kind {
        Kind::XVideo => {
            fin[M::MediaViews as usize] = imp * 0.5 * jit[7];
            d.duration_ms = d.r.gen_range(8_000..120_000u64);
        }
        Kind::XGif => {
            fin[M::MediaViews as usize] = imp * 0.6 * jit[7];
            d.duration_ms = d.r.gen_range(2_000..8_000u64);
        }
        _ => {}
    }
    let ms = d.published.timestamp_millis() - X_EPOCH_MS;
    let worker = (d.account as u64) * 32 + (d.index as u64 % 32);
    let num = ((ms.max(0) as u64) << 22) | (worker << 12);
    (num.to_string(), num)
}

impl Generator {
    /// The post with this X snowflake id, when one was generated (any time).
    pub(crate) fn find_x_post(&self, id: &str) -> Option<Post> {
        let num: u64 = id.parse().ok()?;
        let ms = (num >> 22) as i64 + X_EPOCH_MS;
        let worker = ((num >> 12) & 0x3FF) as usize;
        let (account, index) = (worker / 32, worker % 32);
        if ACCOUNTS.get(account)?.network != Network::X {
            return None;
        }
        let t = Utc.timestamp_millis_opt(ms).single()?;
        let posts = self.day_posts(account, day_of(t));
        posts.get(index).filter(|p| p.id == id).cloned()
    }
}
