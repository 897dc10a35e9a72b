//! Best time to post: a 7 × 24 heatmap (weekday × hour in the account's time zone) of how
//! posts published in each slot performed, and the best slots.
//!
//! Input is one value per post (its interactions, engagement rate, weighted score, ...) and
//! its publication time (UTC). Each post falls in the slot of its *local* weekday and hour
//! in the given IANA time zone (daylight saving handled by `chrono-tz`). A slot's mean is
//! reported, and the slot ranked, only when it holds at least `min_posts` posts (default 2),
//! so one lucky post cannot make a "best time".

use chrono::{DateTime, Datelike, TimeDelta, Timelike, Utc, Weekday};
/// IANA time zones (`chrono_tz::Tz`), re-exported so callers need no `chrono-tz` dependency:
/// `"America/Sao_Paulo".parse::<Tz>()`, `Tz::UTC`.
pub use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The time zone of the demo audience: `America/Sao_Paulo` (UTC−3, no daylight saving
/// since 2019).
pub const DEFAULT_TIME_ZONE: Tz = chrono_tz::America::Sao_Paulo;

/// One post's contribution: when it was published and how it did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostEngagement {
    /// Any stable key of the post's account (e.g. [`crate::analytics::posts::PostMetrics::account_key`]),
    /// used by [`Normalization::PerAccount`].
    pub account: String,
    /// Publication time, UTC.
    pub published_at: DateTime<Utc>,
    /// The engagement value in the caller's unit (interactions count, engagement rate
    /// percent, weighted points, ...). Non-finite values are skipped.
    pub value: f64,
}

/// How values are made comparable before they are averaged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Normalization {
    /// Values are used as given; means are in the input's unit.
    #[default]
    None,
    /// Each value is divided by the mean value of its account's posts in the window, so
    /// accounts of different size weigh alike: means become an index (1.0 = the account's
    /// average, 1.3 = 30 % above it). An account whose mean is not positive is skipped.
    PerAccount,
}

/// Settings of [`best_time`]. All fields have defaults (`#[serde(default)]`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BestTimeOptions {
    /// Length of the window, days, ending at `now`: posts published in
    /// `[now − window_days, now)` are considered. Default 90.
    pub window_days: u32,
    /// Posts younger than this many hours at `now` are left out: their lifetime totals are
    /// still growing. Default 48 (most of a post's engagement arrives in its first two
    /// days); 0 keeps every post.
    pub min_age_hours: u32,
    /// Posts a slot needs before its mean is reported and ranked. Default 2.
    pub min_posts: u32,
    /// How many slots [`BestTime::top`] lists. Default 10.
    pub top: usize,
    /// Normalization of values. Default [`Normalization::None`].
    pub normalization: Normalization,
}

impl Default for BestTimeOptions {
    fn default() -> Self {
        BestTimeOptions {
            window_days: 90,
            min_age_hours: 48,
            min_posts: 2,
            top: 10,
            normalization: Normalization::None,
        }
    }
}

/// One weekday × hour slot of the heatmap.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Slot {
    /// Local weekday (serialized `"Mon"` … `"Sun"`).
    pub weekday: Weekday,
    /// Local hour, 0–23 (the slot covers `hour:00`–`hour:59`).
    pub hour: u32,
    /// Posts published in the slot within the window.
    pub posts: u32,
    /// Mean value of those posts (input unit, or an index with
    /// [`Normalization::PerAccount`]); `None` when `posts < min_posts`.
    pub mean: Option<f64>,
}

/// All posts of one local weekday or of one local hour.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Marginal {
    /// Posts.
    pub posts: u32,
    /// Mean value; `None` when `posts < min_posts`.
    pub mean: Option<f64>,
}

/// The heatmap and the best slots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BestTime {
    /// IANA name of the time zone of weekdays and hours (`"America/Sao_Paulo"`).
    pub time_zone: String,
    /// Start of the window, UTC (inclusive).
    pub window_start: DateTime<Utc>,
    /// End of the window, UTC (exclusive): `now`.
    pub window_end: DateTime<Utc>,
    /// Posts published after this (UTC) were too young and left out: `now − min_age_hours`.
    pub settled_before: DateTime<Utc>,
    /// The options used.
    pub options: BestTimeOptions,
    /// Posts that went into the heatmap.
    pub posts_used: u32,
    /// Posts left out: outside the window, too young, a non-finite value, or (per-account
    /// normalization) an account whose mean is not positive.
    pub posts_skipped: u32,
    /// Mean over every post used (same unit as slot means); `None` without posts.
    pub overall_mean: Option<f64>,
    /// The 168 slots, Monday 00 h first, then Monday 01 h, …, Sunday 23 h
    /// (index `weekday.num_days_from_monday() × 24 + hour`).
    pub slots: Vec<Slot>,
    /// The best slots with a mean (at most `options.top`), best first; ties go to the slot
    /// with more posts, then the earlier slot of the week.
    pub top: Vec<Slot>,
    /// Per local weekday, Monday first (7 entries).
    pub by_weekday: Vec<Marginal>,
    /// Per local hour, 0 h first (24 entries).
    pub by_hour: Vec<Marginal>,
}

impl BestTime {
    /// The slot of a local weekday and hour (`None` for an hour above 23).
    pub fn slot(&self, weekday: Weekday, hour: u32) -> Option<&Slot> {
        if hour > 23 {
            return None;
        }
        self.slots
            .get(weekday.num_days_from_monday() as usize * 24 + hour as usize)
    }

    /// The weekday marginal of `weekday`.
    pub fn weekday(&self, weekday: Weekday) -> Option<&Marginal> {
        self.by_weekday.get(weekday.num_days_from_monday() as usize)
    }

    /// The hour marginal of `hour` (0–23).
    pub fn hour(&self, hour: u32) -> Option<&Marginal> {
        self.by_hour.get(hour as usize)
    }
}

#[derive(Clone, Copy, Default)]
struct Acc {
    n: u32,
    sum: f64,
}

impl Acc {
    fn add(&mut self, v: f64) {
        self.n = self.n.saturating_add(1);
        self.sum += v;
    }

    fn mean(self, min: u32) -> Option<f64> {
        (self.n > 0 && self.n >= min)
            .then(|| self.sum / f64::from(self.n))
            .filter(|m| m.is_finite())
    }
}

fn minus(t: DateTime<Utc>, d: TimeDelta) -> DateTime<Utc> {
    t.checked_sub_signed(d).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Builds the best-time heatmap of `posts` in time zone `tz`, over the window of
/// `options.window_days` days ending at `now` (UTC, passed in: there is no clock here).
///
/// Posts published before `now − window_days`, at or after `now`, or after
/// `now − min_age_hours`, and posts with a non-finite value, are skipped and counted in
/// [`BestTime::posts_skipped`]. Never fails: with no usable post every mean is `None` and
/// `top` is empty.
pub fn best_time(posts: &[PostEngagement], tz: Tz, now: DateTime<Utc>, options: &BestTimeOptions) -> BestTime {
    let window_start = minus(now, TimeDelta::days(i64::from(options.window_days)));
    let settled_before = minus(now, TimeDelta::hours(i64::from(options.min_age_hours)));
    let mut skipped = 0u32;

    let kept: Vec<&PostEngagement> = posts
        .iter()
        .filter(|p| {
            let ok = p.value.is_finite()
                && p.published_at >= window_start
                && p.published_at < now
                && p.published_at <= settled_before;
            if !ok {
                skipped = skipped.saturating_add(1);
            }
            ok
        })
        .collect();

    let account_means: BTreeMap<&str, f64> = if options.normalization == Normalization::PerAccount {
        let mut accs: BTreeMap<&str, Acc> = BTreeMap::new();
        for p in &kept {
            accs.entry(p.account.as_str()).or_default().add(p.value);
        }
        accs.into_iter()
            .filter_map(|(k, a)| a.mean(1).filter(|m| *m > 0.0).map(|m| (k, m)))
            .collect()
    } else {
        BTreeMap::new()
    };

    let mut slots = [Acc::default(); 168];
    let mut days = [Acc::default(); 7];
    let mut hours = [Acc::default(); 24];
    let mut all = Acc::default();
    for p in kept {
        let value = match options.normalization {
            Normalization::None => p.value,
            Normalization::PerAccount => match account_means.get(p.account.as_str()) {
                Some(mean) => p.value / mean,
                None => {
                    skipped = skipped.saturating_add(1);
                    continue;
                }
            },
        };
        if !value.is_finite() {
            skipped = skipped.saturating_add(1);
            continue;
        }
        let local = p.published_at.with_timezone(&tz);
        let day = local.weekday().num_days_from_monday() as usize % 7;
        let hour = local.hour() as usize % 24;
        slots[day * 24 + hour].add(value);
        days[day].add(value);
        hours[hour].add(value);
        all.add(value);
    }

    let min = options.min_posts;
    let slot_list: Vec<Slot> = slots
        .iter()
        .enumerate()
        .map(|(i, a)| Slot {
            weekday: weekday_from_index(i / 24),
            hour: (i % 24) as u32,
            posts: a.n,
            mean: a.mean(min),
        })
        .collect();
    let mut top: Vec<Slot> = slot_list.iter().filter(|s| s.mean.is_some()).copied().collect();
    top.sort_by(|a, b| {
        let (ma, mb) = (a.mean.unwrap_or(f64::NEG_INFINITY), b.mean.unwrap_or(f64::NEG_INFINITY));
        mb.total_cmp(&ma)
            .then_with(|| b.posts.cmp(&a.posts))
            .then_with(|| a.weekday.num_days_from_monday().cmp(&b.weekday.num_days_from_monday()))
            .then_with(|| a.hour.cmp(&b.hour))
    });
    top.truncate(options.top);

    let marginal = |a: &Acc| Marginal {
        posts: a.n,
        mean: a.mean(min),
    };
    BestTime {
        time_zone: tz.name().to_string(),
        window_start,
        window_end: now,
        settled_before,
        options: *options,
        posts_used: all.n,
        posts_skipped: skipped,
        overall_mean: all.mean(1),
        slots: slot_list,
        top,
        by_weekday: days.iter().map(marginal).collect(),
        by_hour: hours.iter().map(marginal).collect(),
    }
}

/// Monday for 0 … Sunday for 6 (and 7+ wrap).
pub fn weekday_from_index(i: usize) -> Weekday {
    match i % 7 {
        0 => Weekday::Mon,
        1 => Weekday::Tue,
        2 => Weekday::Wed,
        3 => Weekday::Thu,
        4 => Weekday::Fri,
        5 => Weekday::Sat,
        _ => Weekday::Sun,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single().unwrap_or_default()
    }

    fn p(account: &str, at: DateTime<Utc>, value: f64) -> PostEngagement {
        PostEngagement {
            account: account.into(),
            published_at: at,
            value,
        }
    }

    fn test_now() -> DateTime<Utc> {
        utc(2026, 9, 30, 12)
    }

    #[test]
    fn posts_land_in_their_local_slot() {
        // 2026-09-15 is a Tuesday; 22:30 UTC is 19:30 in São Paulo (UTC−3).
        let posts = vec![
            p("a", utc(2026, 9, 15, 22), 10.0),
            p("a", utc(2026, 9, 22, 22), 20.0),
            p("a", utc(2026, 9, 16, 1), 4.0), // Tue 22:00 local
        ];
        let bt = best_time(&posts, DEFAULT_TIME_ZONE, test_now(), &BestTimeOptions::default());
        assert_eq!(bt.time_zone, "America/Sao_Paulo");
        let slot = bt.slot(Weekday::Tue, 19).copied();
        assert_eq!(slot.map(|s| (s.posts, s.mean)), Some((2, Some(15.0))));
        let single = bt.slot(Weekday::Tue, 22).copied();
        assert_eq!(
            single.map(|s| (s.posts, s.mean)),
            Some((1, None)),
            "one post is not enough"
        );
        assert_eq!(bt.top.len(), 1);
        assert_eq!((bt.top[0].weekday, bt.top[0].hour), (Weekday::Tue, 19));
        assert_eq!(bt.weekday(Weekday::Tue).map(|m| m.posts), Some(3));
        assert_eq!(bt.posts_used, 3);
        assert_eq!(bt.slots.len(), 168);
        assert_eq!(bt.by_hour.len(), 24);
        // In UTC the same posts sit on Tuesday 22 h.
        let in_utc = best_time(&posts, Tz::UTC, test_now(), &BestTimeOptions::default());
        assert_eq!((in_utc.top[0].weekday, in_utc.top[0].hour), (Weekday::Tue, 22));
    }

    #[test]
    fn daylight_saving_moves_the_local_hour() {
        // New York: 23:00 UTC is 19:00 EDT in July and 18:00 EST in December.
        let tz = chrono_tz::America::New_York;
        let summer = best_time(
            &[p("a", utc(2026, 7, 7, 23), 1.0), p("a", utc(2026, 7, 14, 23), 1.0)],
            tz,
            utc(2026, 8, 1, 0),
            &BestTimeOptions::default(),
        );
        assert_eq!(summer.top[0].hour, 19);
        let winter = best_time(
            &[p("a", utc(2026, 12, 1, 23), 1.0), p("a", utc(2026, 12, 8, 23), 1.0)],
            tz,
            utc(2026, 12, 20, 0),
            &BestTimeOptions::default(),
        );
        assert_eq!(winter.top[0].hour, 18);
    }

    #[test]
    fn the_window_and_the_minimum_age_filter_posts() {
        let now = test_now();
        let posts = vec![
            p("a", now - TimeDelta::days(91), 100.0),   // too old
            p("a", now - TimeDelta::hours(10), 100.0),  // too young
            p("a", now + TimeDelta::hours(1), 100.0),   // in the future
            p("a", now - TimeDelta::days(5), f64::NAN), // not a number
            p("a", now - TimeDelta::days(7), 3.0),      // kept
            p("a", now - TimeDelta::days(14), 5.0),     // kept, same slot
        ];
        let bt = best_time(&posts, Tz::UTC, now, &BestTimeOptions::default());
        assert_eq!((bt.posts_used, bt.posts_skipped), (2, 4));
        assert_eq!(bt.top[0].mean, Some(4.0));
        assert_eq!(bt.overall_mean, Some(4.0));
        let keep_young = BestTimeOptions {
            min_age_hours: 0,
            ..BestTimeOptions::default()
        };
        assert_eq!(best_time(&posts, Tz::UTC, now, &keep_young).posts_used, 3);
    }

    #[test]
    fn top_is_ordered_and_capped() {
        let now = test_now();
        let mut posts = Vec::new();
        // 12 slots on Monday (hours 0..12) with means 1..=12, two posts each.
        for h in 0..12u32 {
            for week in 1..=2 {
                let at = utc(2026, 9, 7, h) + TimeDelta::weeks(week - 1);
                posts.push(p("a", at, f64::from(h + 1)));
            }
        }
        let bt = best_time(&posts, Tz::UTC, now, &BestTimeOptions::default());
        assert_eq!(bt.top.len(), 10);
        let hours: Vec<u32> = bt.top.iter().map(|s| s.hour).collect();
        assert_eq!(hours, vec![11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
        let empty = best_time(&[], Tz::UTC, now, &BestTimeOptions::default());
        assert!(empty.top.is_empty() && empty.overall_mean.is_none());
    }

    #[test]
    fn per_account_normalization_lets_small_accounts_count() {
        let now = test_now();
        // A big account posts on Monday 10 h, a small one on Friday 10 h; each does 50 %
        // better than its own average in those slots.
        let mut posts = Vec::new();
        for week in 0..4 {
            let w = TimeDelta::weeks(week);
            posts.push(p("big", utc(2026, 9, 1, 10) + w, 1000.0)); // Tue (average slot)
            posts.push(p("big", utc(2026, 9, 1, 12) + w, 1000.0)); // Tue
            posts.push(p("big", utc(2026, 8, 31, 10) + w, 1500.0)); // Mon (good slot)
            posts.push(p("small", utc(2026, 9, 4, 10) + w, 30.0)); // Fri (good slot)
            posts.push(p("small", utc(2026, 9, 4, 12) + w, 10.0)); // Fri
        }
        let raw = best_time(&posts, Tz::UTC, now, &BestTimeOptions::default());
        assert_eq!(raw.top[0].weekday, Weekday::Mon);
        let opts = BestTimeOptions {
            normalization: Normalization::PerAccount,
            ..BestTimeOptions::default()
        };
        let norm = best_time(&posts, Tz::UTC, now, &opts);
        // small: mean 20 → Friday 10 h index 1.5; big: mean 1166.7 → Monday 10 h index 1.29.
        assert_eq!((norm.top[0].weekday, norm.top[0].hour), (Weekday::Fri, 10));
        assert!(norm.top[0].mean.is_some_and(|m| (m - 1.5).abs() < 1e-9));
        assert!(norm.overall_mean.is_some_and(|m| (m - 1.0).abs() < 1e-9));
    }

    #[test]
    fn the_result_serializes_with_weekday_names() {
        let bt = best_time(
            &[p("a", utc(2026, 9, 7, 9), 1.0), p("a", utc(2026, 9, 14, 9), 3.0)],
            Tz::UTC,
            test_now(),
            &BestTimeOptions::default(),
        );
        let json = serde_json::to_value(&bt).unwrap_or_default();
        assert_eq!(json["top"][0]["weekday"], "Mon");
        assert_eq!(json["top"][0]["hour"], 9);
        assert_eq!(json["top"][0]["mean"], 2.0);
        let opts: BestTimeOptions = serde_json::from_str(r#"{"window_days": 30}"#).unwrap_or_default();
        assert_eq!((opts.window_days, opts.min_posts, opts.top), (30, 2, 10));
    }
}
