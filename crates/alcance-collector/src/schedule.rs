//! Cadence math for background collection. Pure: no I/O and no clock (`now` is always an
//! argument, UTC), so the scheduler and its tests agree to the second.
//!
//! - [`Cadence`]: how often an account is collected (hourly, daily — the default —,
//!   weekly, or every N seconds, at least 60).
//! - [`effective_every`]: an account with an owned Instagram account is collected at least
//!   every [`STORY_CADENCE`] (6 h). Instagram stories live 24 h and their insights go with
//!   them (`GET /{ig-user-id}/stories` lists only live stories; platform-apis.md §3), and
//!   the Instagram client reads every live story at each collection. At most 6 h apart
//!   (6 h 36 min with the largest jitter), every story is read at least three times before
//!   it expires and its last snapshot is at most ~6.6 h older than its final value. A
//!   tracked Instagram profile gets no such minimum: other accounts' stories cannot be read.
//! - [`Jitter`]: each next run moves by up to ±10 % of the cadence, capped at 15 min, so
//!   accounts connected together do not hit the APIs together. Deterministic for a seed.
//! - [`CatchUp`]: after sleep or a stretch offline, every overdue account runs **once** (the
//!   next run is planned from the time the account actually ran, never once per missed
//!   slot), and overdue accounts are staggered a few seconds apart instead of bursting.
//! - [`RefreshPolicy`]: which posts to re-read by age (every run for the first 48 h, daily
//!   until 30 days, weekly until 90 days, then never) and the collection window that follows.
//!
//! ## The refresh window trade-off
//!
//! Platform clients take one [`CollectWindow`] per account and re-read every post published
//! in it (X `GET /2/users/{id}/tweets?start_time=`, Instagram `GET /{id}/media` until a
//! post older than `since`), so a policy cannot ask for "young posts and the 60-day-old
//! ones" without the ones in between. [`RefreshPolicy::plan`] therefore picks the *longest
//! horizon that is due* and sets `since = now − horizon`; every younger tier is refreshed by
//! the same pass and marked so. Most runs read 48 h of posts (one or two pages), one run a
//! day reads 30 days, one a week reads 90 days. The cost: the weekly pass pages through
//! ~90 days of posts (X bills each post read; Meta counts each page against the hourly
//! budget), and a post older than the last horizon keeps its last snapshot forever. That is
//! acceptable because lifetime totals saturate within days (Meta media insights settle
//! within 48 h; X private metrics exist only for 30 days anyway). Account-level insights
//! follow the same window, so yesterday's daily values are re-read for at least 48 h,
//! past Meta's up-to-48-h delay. A gap since the last success wider than the due horizon
//! (the app was off) widens the window to the gap, up to the longest horizon.

pub use alcance_core::cadence::{Cadence, CadenceKind, InvalidCadence, MAX_CADENCE_SECONDS, MIN_CADENCE_SECONDS};
use alcance_core::{AccountRef, Platform};
use alcance_platforms::CollectWindow;
use chrono::{DateTime, Duration, Utc};
use std::hash::{BuildHasher, Hasher};

/// The longest period between two collections of an owned Instagram account, so that its
/// stories (which expire after 24 h) are read several times while they live.
pub const STORY_CADENCE: Duration = Duration::hours(6);
/// Jitter is at most this fraction of the cadence (10 %).
pub const JITTER_FRACTION_PERCENT: i64 = 10;
/// Jitter is never more than this (15 min), whatever the cadence.
pub const MAX_JITTER: Duration = Duration::minutes(15);

/// The period an account is really collected at: its cadence, shortened to
/// `story_cadence` (normally [`STORY_CADENCE`]) for an owned Instagram account so its
/// stories are read before they expire. `None` turns the story rule off.
pub fn effective_every(cadence: Cadence, account: &AccountRef, story_cadence: Option<Duration>) -> Duration {
    let every = cadence.every();
    match story_cadence {
        Some(story) if account.platform == Platform::Instagram && account.owned => every.min(story),
        _ => every,
    }
}

/// Random offsets for next runs: uniform in ±[`Jitter::bound`], a function of the seed,
/// the account and the slot, so a seeded jitter gives the same plan every time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Jitter {
    seed: Option<u64>,
}

impl Jitter {
    /// No jitter: every offset is zero.
    pub fn none() -> Self {
        Self { seed: None }
    }

    /// Deterministic jitter for `seed` (tests, reproducible plans).
    pub fn seeded(seed: u64) -> Self {
        Self { seed: Some(seed) }
    }

    /// Jitter seeded from the process's random hasher keys and the wall clock.
    pub fn random() -> Self {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_i64(Utc::now().timestamp_nanos_opt().unwrap_or_default());
        Self::seeded(h.finish())
    }

    /// The largest offset for a cadence of `every`: 10 % of it, at most 15 min, whole seconds.
    pub fn bound(every: Duration) -> Duration {
        let tenth = every.num_seconds().max(0) * JITTER_FRACTION_PERCENT / 100;
        Duration::seconds(tenth.min(MAX_JITTER.num_seconds()))
    }

    /// The offset for `account_id`'s run planned at `slot` (UTC) with period `every`: whole
    /// seconds in `[-bound, +bound]`.
    pub fn offset(&self, account_id: i64, slot: DateTime<Utc>, every: Duration) -> Duration {
        let Some(seed) = self.seed else {
            return Duration::zero();
        };
        let bound = Jitter::bound(every).num_seconds();
        if bound == 0 {
            return Duration::zero();
        }
        let mixed =
            splitmix64(seed ^ splitmix64(account_id as u64) ^ splitmix64(slot.timestamp() as u64).rotate_left(17));
        let span = (2 * bound + 1) as u64;
        Duration::seconds((mixed % span) as i64 - bound)
    }
}

impl Default for Jitter {
    /// [`Jitter::random`].
    fn default() -> Self {
        Self::random()
    }
}

/// SplitMix64's output function: a well-mixed 64-bit hash of `x`.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// When an account that ran at `ran_at` (UTC) runs next: `ran_at + every + jitter`. Planned
/// from when it actually ran, so an account that was overdue runs once and then returns to
/// its cadence (no run per missed slot).
pub fn next_run_at(ran_at: DateTime<Utc>, every: Duration, jitter: &Jitter, account_id: i64) -> DateTime<Utc> {
    ran_at + every + jitter.offset(account_id, ran_at, every)
}

/// How overdue accounts are caught up after sleep or a stretch offline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatchUp {
    /// An account is overdue when its next run is more than this in the past (5 min by
    /// default); a run only slightly late simply runs.
    pub grace: Duration,
    /// Overdue accounts are re-planned this far apart (30 s by default), most overdue first.
    pub spacing: Duration,
}

impl Default for CatchUp {
    fn default() -> Self {
        Self {
            grace: Duration::minutes(5),
            spacing: Duration::seconds(30),
        }
    }
}

impl CatchUp {
    /// New next-run times for the overdue entries of `schedules` (`(account_id,
    /// next_run_at)`, UTC) at `now`: the most overdue at `now`, the next at `now + spacing`,
    /// and so on (ties by account id). Entries that are not overdue are not returned.
    pub fn plan(&self, schedules: &[(i64, DateTime<Utc>)], now: DateTime<Utc>) -> Vec<(i64, DateTime<Utc>)> {
        let mut overdue: Vec<(i64, DateTime<Utc>)> = schedules
            .iter()
            .copied()
            .filter(|(_, next)| *next < now - self.grace)
            .collect();
        overdue.sort_by_key(|(id, next)| (*next, *id));
        overdue
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (*id, now + self.spacing * i as i32))
            .collect()
    }
}

/// One band of post ages and how often its posts are re-read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshTier {
    /// Posts up to this age (from publication) belong to the tier.
    pub max_age: Duration,
    /// How often to re-read them; `None` = at every run.
    pub every: Option<Duration>,
}

/// Which posts a collection re-reads, by age. Posts older than the last tier's `max_age`
/// are never re-read. See the module docs for the window trade-off.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshPolicy {
    /// The tiers, any order (sorted by `max_age` when planning).
    pub tiers: Vec<RefreshTier>,
    /// A tier counts as due when this share of its period has passed (0.0–1.0; default
    /// 0.15 → a daily tier is due after 20.4 h), so jitter cannot push it to every other run.
    pub tolerance: f64,
}

impl Default for RefreshPolicy {
    /// Every run for the first 48 h, daily until 30 days, weekly until 90 days, then never.
    fn default() -> Self {
        Self {
            tiers: vec![
                RefreshTier {
                    max_age: Duration::hours(48),
                    every: None,
                },
                RefreshTier {
                    max_age: Duration::days(30),
                    every: Some(Duration::days(1)),
                },
                RefreshTier {
                    max_age: Duration::days(90),
                    every: Some(Duration::weeks(1)),
                },
            ],
            tolerance: 0.15,
        }
    }
}

/// What [`RefreshPolicy::plan`] decided for one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshPlan {
    /// The window to collect: `[now − horizon, now)`, UTC.
    pub window: CollectWindow,
    /// The tiers this window refreshes, as `max_age` in seconds (for
    /// `Store::mark_refreshed` once the account's batch is saved).
    pub horizons: Vec<i64>,
}

/// The window when a policy has no tier at all.
const FALLBACK_HORIZON: Duration = Duration::hours(48);

impl RefreshPolicy {
    /// The longest horizon (the last tier's `max_age`); 48 h for a policy without tiers.
    pub fn longest(&self) -> Duration {
        self.tiers.iter().map(|t| t.max_age).max().unwrap_or(FALLBACK_HORIZON)
    }

    /// Plans one account's window at `now` (UTC) from its refresh marks
    /// (`(horizon_seconds, refreshed_at)`, `Store::refresh_marks`) and its last successful
    /// collection: the horizon is the longest due tier (a tier without a mark is due), widened
    /// to the time since `last_success` when that is longer, capped at [`Self::longest`].
    pub fn plan(
        &self,
        now: DateTime<Utc>,
        marks: &[(i64, DateTime<Utc>)],
        last_success: Option<DateTime<Utc>>,
    ) -> RefreshPlan {
        let mut tiers = self.tiers.clone();
        tiers.sort_by_key(|t| t.max_age);
        let tolerance = self.tolerance.clamp(0.0, 1.0);
        let mark = |horizon: Duration| {
            marks
                .iter()
                .find(|(h, _)| *h == horizon.num_seconds())
                .map(|(_, at)| *at)
        };
        let mut horizon = Duration::zero();
        for tier in &tiers {
            let due = match (tier.every, mark(tier.max_age)) {
                (None, _) | (_, None) => true,
                (Some(every), Some(at)) => {
                    let needed = every.num_seconds() as f64 * (1.0 - tolerance);
                    (now - at).num_seconds() as f64 >= needed
                }
            };
            if due {
                horizon = horizon.max(tier.max_age);
            }
        }
        if let Some(last) = last_success {
            horizon = horizon.max((now - last).min(self.longest()));
        }
        if horizon <= Duration::zero() {
            horizon = FALLBACK_HORIZON;
        }
        RefreshPlan {
            window: CollectWindow {
                since: now - horizon,
                until: now,
            },
            horizons: tiers
                .iter()
                .filter(|t| t.max_age <= horizon)
                .map(|t| t.max_age.num_seconds())
                .collect(),
        }
    }
}
