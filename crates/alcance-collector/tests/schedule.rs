#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Cadence math: cadences, the Instagram story minimum, jitter bounds, catch-up after a
//! sleep without a burst, and the refresh policy's windows.

use alcance_collector::schedule::{
    effective_every, next_run_at, Cadence, CatchUp, Jitter, RefreshPolicy, RefreshTier, MAX_JITTER, STORY_CADENCE,
};
use alcance_collector::CollectError;
use alcance_core::{AccountRef, Platform};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::{BTreeMap, HashSet};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).single().expect("valid")
}

fn account(platform: Platform, owned: bool) -> AccountRef {
    AccountRef {
        platform,
        external_id: "1".into(),
        username: None,
        owned,
    }
}

#[test]
fn cadences_parse_store_and_print() {
    assert_eq!(Cadence::default(), Cadence::Daily);
    assert_eq!(Cadence::parse("hourly").expect("hourly").every_seconds(), 3_600);
    assert_eq!(Cadence::parse(" Weekly ").expect("weekly"), Cadence::Weekly);
    assert_eq!(Cadence::parse("6h").expect("6h"), Cadence::Custom { seconds: 21_600 });
    assert_eq!(Cadence::parse("90m").expect("90m").every(), Duration::minutes(90));
    assert_eq!(Cadence::parse("2d").expect("2d").every_seconds(), 172_800);
    assert_eq!(
        Cadence::parse("3600").expect("seconds"),
        Cadence::Hourly,
        "named when exact"
    );
    assert_eq!(Cadence::parse("1w").expect("1w"), Cadence::Weekly);
    for bad in ["", "often", "59s", "0", "-5m", "5y", "400d", "99999999999999999999h"] {
        assert!(
            matches!(
                Cadence::parse(bad).map_err(CollectError::from),
                Err(CollectError::InvalidCadence { .. })
            ),
            "{bad:?} must be refused"
        );
    }
    for c in [
        Cadence::Hourly,
        Cadence::Daily,
        Cadence::Weekly,
        Cadence::Custom { seconds: 5_400 },
    ] {
        assert_eq!(Cadence::from_stored(c.key(), c.every_seconds()).expect("round trip"), c);
    }
    assert_eq!(
        Cadence::from_stored("custom", 3_600).expect("custom hour"),
        Cadence::Custom { seconds: 3_600 }
    );
    assert!(Cadence::from_stored("monthly", 1).is_err());
    assert!(Cadence::from_stored("custom", 10).is_err());
    assert_eq!(Cadence::Daily.to_string(), "daily");
    assert_eq!(Cadence::Custom { seconds: 21_600 }.to_string(), "every 6h");
    assert_eq!(Cadence::Custom { seconds: 5_400 }.to_string(), "every 90m");
    assert_eq!(Cadence::Custom { seconds: 61 }.to_string(), "every 61s");
}

#[test]
fn an_owned_instagram_account_is_collected_at_least_every_six_hours_for_its_stories() {
    let ig_owned = account(Platform::Instagram, true);
    assert_eq!(STORY_CADENCE, Duration::hours(6));
    assert_eq!(
        effective_every(Cadence::Daily, &ig_owned, Some(STORY_CADENCE)),
        Duration::hours(6)
    );
    assert_eq!(
        effective_every(Cadence::Weekly, &ig_owned, Some(STORY_CADENCE)),
        Duration::hours(6)
    );
    assert_eq!(
        effective_every(Cadence::Hourly, &ig_owned, Some(STORY_CADENCE)),
        Duration::hours(1)
    );
    assert_eq!(
        effective_every(Cadence::Daily, &ig_owned, None),
        Duration::days(1),
        "rule off"
    );
    // Tracked Instagram profiles and other platforms keep their cadence.
    assert_eq!(
        effective_every(
            Cadence::Daily,
            &account(Platform::Instagram, false),
            Some(STORY_CADENCE)
        ),
        Duration::days(1)
    );
    assert_eq!(
        effective_every(Cadence::Daily, &account(Platform::X, true), Some(STORY_CADENCE)),
        Duration::days(1)
    );
    // Even with the largest jitter, a story (24 h of life) is read at least three times.
    let every = effective_every(Cadence::Daily, &ig_owned, Some(STORY_CADENCE));
    let worst_gap = every + Jitter::bound(every);
    assert!(worst_gap * 3 < Duration::hours(24), "{worst_gap}");
}

#[test]
fn jitter_stays_within_ten_percent_capped_at_fifteen_minutes_and_is_deterministic() {
    assert_eq!(Jitter::bound(Duration::hours(1)), Duration::minutes(6));
    assert_eq!(Jitter::bound(Duration::days(1)), MAX_JITTER, "10 % of a day is capped");
    assert_eq!(Jitter::bound(Duration::weeks(1)), Duration::minutes(15));
    assert_eq!(Jitter::bound(Duration::seconds(60)), Duration::seconds(6));

    let jitter = Jitter::seeded(7);
    for every in [
        Duration::minutes(1),
        Duration::hours(1),
        Duration::hours(6),
        Duration::days(1),
        Duration::weeks(1),
    ] {
        let bound = Jitter::bound(every);
        let mut seen = HashSet::new();
        let (mut below, mut above) = (0, 0);
        for account_id in 0..50 {
            for slot in 0..40 {
                let at = t0() + Duration::minutes(37 * slot);
                let offset = jitter.offset(account_id, at, every);
                assert!(offset.abs() <= bound, "{offset} outside ±{bound} for {every}");
                assert_eq!(
                    offset,
                    Jitter::seeded(7).offset(account_id, at, every),
                    "seeded = deterministic"
                );
                seen.insert(offset.num_seconds());
                if offset < Duration::zero() {
                    below += 1;
                } else if offset > Duration::zero() {
                    above += 1;
                }
            }
        }
        // 2 000 draws spread over the whole range, on both sides.
        assert!(
            seen.len() as i64 > (2 * bound.num_seconds() + 1).min(1_000) / 2,
            "{every}: {}",
            seen.len()
        );
        assert!(below > 600 && above > 600, "{every}: {below} below, {above} above");
    }
    // Another seed plans differently; no jitter plans exactly.
    let a: Vec<_> = (0..20)
        .map(|i| Jitter::seeded(7).offset(i, t0(), Duration::days(1)))
        .collect();
    let b: Vec<_> = (0..20)
        .map(|i| Jitter::seeded(8).offset(i, t0(), Duration::days(1)))
        .collect();
    assert_ne!(a, b);
    assert_eq!(Jitter::none().offset(3, t0(), Duration::days(1)), Duration::zero());
    assert_eq!(
        next_run_at(t0(), Duration::hours(1), &Jitter::none(), 3),
        t0() + Duration::hours(1)
    );
    let next = next_run_at(t0(), Duration::days(1), &jitter, 3);
    assert!((next - (t0() + Duration::days(1))).abs() <= MAX_JITTER);
}

/// A minute-by-minute simulation of the scheduler's loop over `accounts` (hourly cadence,
/// seeded jitter) where the machine sleeps from `sleep_from` to `wake_at`: returns each
/// account's run times.
fn simulate(
    accounts: i64,
    sleep_from: DateTime<Utc>,
    wake_at: DateTime<Utc>,
    until: DateTime<Utc>,
) -> BTreeMap<i64, Vec<DateTime<Utc>>> {
    let every = Cadence::Hourly.every();
    let jitter = Jitter::seeded(42);
    let catch_up = CatchUp::default();
    let mut next: BTreeMap<i64, DateTime<Utc>> = (0..accounts).map(|id| (id, t0())).collect();
    let mut runs: BTreeMap<i64, Vec<DateTime<Utc>>> = BTreeMap::new();
    let mut now = t0();
    while now < until {
        if now >= sleep_from && now < wake_at {
            now = wake_at; // asleep: nothing runs, the clock jumps
            continue;
        }
        let schedules: Vec<_> = next.iter().map(|(id, at)| (*id, *at)).collect();
        for (id, at) in catch_up.plan(&schedules, now) {
            next.insert(id, at);
        }
        let due: Vec<i64> = next.iter().filter(|(_, at)| **at <= now).map(|(id, _)| *id).collect();
        for id in due {
            runs.entry(id).or_default().push(now);
            next.insert(id, next_run_at(now, every, &jitter, id));
        }
        now += Duration::minutes(1);
    }
    runs
}

#[test]
fn after_a_sleep_each_overdue_account_runs_once_staggered_then_back_to_its_cadence() {
    let sleep_from = t0() + Duration::minutes(90);
    let wake_at = t0() + Duration::hours(10) + Duration::minutes(3);
    let until = wake_at + Duration::hours(3);
    let runs = simulate(12, sleep_from, wake_at, until);
    assert_eq!(runs.len(), 12);
    let mut first_after_wake = Vec::new();
    for (id, times) in &runs {
        // Before sleeping: on cadence (t0, then about an hour later).
        let before: Vec<_> = times.iter().filter(|t| **t < sleep_from).collect();
        assert_eq!(before.len(), 2, "account {id}: {times:?}");
        // Woken up: exactly one catch-up run in the first ten minutes, not one per missed slot
        // (8 hourly slots were missed).
        let catch_up: Vec<_> = times
            .iter()
            .filter(|t| **t >= wake_at && **t < wake_at + Duration::minutes(10))
            .collect();
        assert_eq!(catch_up.len(), 1, "account {id}: {times:?}");
        first_after_wake.push(*catch_up[0]);
        // Then hourly again: consecutive runs 54–66 min apart (±10 % jitter).
        let after: Vec<_> = times.iter().filter(|t| **t >= wake_at).collect();
        assert!(after.len() >= 3, "account {id}: {after:?}");
        for pair in after.windows(2) {
            let gap = *pair[1] - *pair[0];
            assert!(
                gap >= Duration::minutes(54) && gap <= Duration::minutes(67),
                "account {id}: gap {gap}"
            );
        }
    }
    // No burst: the catch-up runs are staggered, at most two per minute (30 s spacing
    // rounded to the simulation's minute), and they start right at wake-up.
    first_after_wake.sort();
    assert_eq!(first_after_wake[0], wake_at);
    let mut per_minute: BTreeMap<DateTime<Utc>, usize> = BTreeMap::new();
    for t in &first_after_wake {
        *per_minute.entry(*t).or_default() += 1;
    }
    assert!(per_minute.values().all(|n| *n <= 2), "{per_minute:?}");
    assert!(per_minute.len() >= 6, "{per_minute:?}");
}

#[test]
fn catch_up_replans_only_the_overdue_most_overdue_first() {
    let now = t0();
    let plan = CatchUp {
        grace: Duration::minutes(5),
        spacing: Duration::seconds(30),
    }
    .plan(
        &[
            (1, now - Duration::hours(3)),
            (2, now - Duration::minutes(2)), // late but within grace: runs as is
            (3, now - Duration::days(2)),
            (4, now + Duration::hours(1)), // not due
            (5, now - Duration::hours(3)),
        ],
        now,
    );
    assert_eq!(
        plan,
        vec![
            (3, now),
            (1, now + Duration::seconds(30)),
            (5, now + Duration::seconds(60)),
        ]
    );
    assert!(CatchUp::default().plan(&[], now).is_empty());
}

#[test]
fn the_refresh_policy_widens_the_window_only_when_an_older_tier_is_due() {
    let policy = RefreshPolicy::default();
    assert_eq!(policy.longest(), Duration::days(90));
    const H48: i64 = 172_800;
    const D30: i64 = 2_592_000;
    const D90: i64 = 7_776_000;

    // Never collected: the whole 90 days (a backfill), every tier refreshed.
    let now = t0();
    let first = policy.plan(now, &[], None);
    assert_eq!(first.window.since, now - Duration::days(90));
    assert_eq!(first.window.until, now);
    assert_eq!(first.horizons, vec![H48, D30, D90]);
    let mut marks = vec![(H48, now), (D30, now), (D90, now)];

    // An hour later: only the young posts (48 h).
    let later = now + Duration::hours(1);
    let hourly = policy.plan(later, &marks, Some(now));
    assert_eq!(hourly.window.since, later - Duration::hours(48));
    assert_eq!(hourly.horizons, vec![H48]);

    // 21 h later (within the 15 % tolerance of a day): the 30-day tier is due.
    let next_day = now + Duration::hours(21);
    let daily = policy.plan(next_day, &marks, Some(now + Duration::hours(20)));
    assert_eq!(daily.window.since, next_day - Duration::days(30));
    assert_eq!(daily.horizons, vec![H48, D30]);
    marks = vec![(H48, next_day), (D30, next_day), (D90, now)];
    // 19 h after that: not yet.
    let early = next_day + Duration::hours(19);
    assert_eq!(policy.plan(early, &marks, Some(next_day)).horizons, vec![H48]);

    // A week after the 90-day pass: the weekly tier is due again.
    let week = now + Duration::days(7);
    marks = vec![
        (H48, week - Duration::hours(1)),
        (D30, week - Duration::hours(2)),
        (D90, now),
    ];
    let weekly = policy.plan(week, &marks, Some(week - Duration::hours(1)));
    assert_eq!(weekly.window.since, week - Duration::days(90));
    assert_eq!(weekly.horizons, vec![H48, D30, D90]);

    // Offline for 40 days with fresh-looking marks of the two short tiers: the window covers
    // the gap (capped at 90 days) so nothing published meanwhile is missed.
    let back = now + Duration::days(40);
    let marks = vec![
        (H48, back - Duration::hours(1)),
        (D30, back - Duration::hours(1)),
        (D90, back - Duration::days(1)),
    ];
    let gap = policy.plan(back, &marks, Some(now));
    assert_eq!(gap.window.since, now);
    assert_eq!(gap.horizons, vec![H48, D30]);
    let very_long = policy.plan(now + Duration::days(400), &marks, Some(now));
    assert_eq!(very_long.window.since, now + Duration::days(400) - Duration::days(90));

    // A custom policy: every run for 6 h, hourly until 7 days; tiers in any order.
    let custom = RefreshPolicy {
        tiers: vec![
            RefreshTier {
                max_age: Duration::days(7),
                every: Some(Duration::hours(1)),
            },
            RefreshTier {
                max_age: Duration::hours(6),
                every: None,
            },
        ],
        tolerance: 0.0,
    };
    let marks = vec![(21_600, now), (604_800, now - Duration::minutes(59))];
    assert_eq!(custom.plan(now, &marks, Some(now)).horizons, vec![21_600]);
    let marks = vec![(21_600, now), (604_800, now - Duration::minutes(60))];
    assert_eq!(custom.plan(now, &marks, Some(now)).horizons, vec![21_600, 604_800]);
    // No tiers at all: a 48-hour window.
    let empty = RefreshPolicy {
        tiers: vec![],
        tolerance: 0.15,
    };
    assert_eq!(empty.plan(now, &[], Some(now)).window.since, now - Duration::hours(48));
}
