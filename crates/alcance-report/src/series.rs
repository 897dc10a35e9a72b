//! Chart series derived from stored rows.
//!
//! Both functions are pure and deterministic: series come back sorted by label, points
//! sorted by time (UTC). Rows whose value is `None` (the platform served no data) or not
//! finite are ignored, never read as 0.

use crate::chart::Series;
use alcance_core::{AccountMetricRow, Period, Platform, PostMetricRow};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap};

/// How old (hours) a post may be at its first snapshot for that snapshot's interactions to
/// count as gained that day in [`engagement_trend`] (shared with the store's rolled-up gains).
pub use alcance_core::analytics::posts::FRESH_POST_HOURS;

/// The post metrics that count as interactions in [`engagement_trend`] (catalog keys;
/// shared with the store's pivoted gains).
pub use alcance_core::analytics::posts::INTERACTION_METRICS;

/// The legend label of an account: `"@username (Platform)"`, or `"<user_id> (Platform)"`
/// when the username is unknown or blank. `Platform` is [`Platform::label`] (`X`,
/// `Instagram`, ...).
pub fn account_label(platform: Platform, user_id: &str, username: Option<&str>) -> String {
    match username
        .map(|u| u.trim().trim_start_matches('@'))
        .filter(|u| !u.is_empty())
    {
        Some(u) => format!("@{u} ({})", platform.label()),
        None => format!("{user_id} ({})", platform.label()),
    }
}

/// Follower growth: one Series per account ("@username (platform)") from `followers`
/// snapshot rows (period 'snapshot'), x = period_start, sorted.
///
/// Reads rows with `metric_type == "followers"`, `period == Period::Snapshot` and a finite
/// value; everything else is ignored. Accounts are keyed by `(platform, user_id)`; the
/// label uses the username of the account's most recently collected row that has one
/// (see [`account_label`]). Points are `(period_start, followers)` (a count), one per
/// distinct `period_start`: when the same instant was stored twice, the row with the
/// latest `collected_at` wins. Series are sorted by label; accounts with no usable row get
/// no series.
pub fn follower_growth(rows: &[AccountMetricRow]) -> Vec<Series> {
    snapshot_series(rows.iter().filter_map(|row| {
        if row.metric_type != "followers" || row.period != Period::Snapshot {
            return None;
        }
        Some(Snapshot {
            platform: row.platform,
            user_id: &row.user_id,
            username: row.username.as_deref(),
            period_start: row.period_start,
            collected_at: row.collected_at,
            value: row.value?,
        })
    }))
}

/// One account snapshot for [`snapshot_series`]: the account (platform, platform id,
/// username if known), the snapshot's instant (`period_start`, UTC), when it was collected
/// (UTC) and its value (non-finite values are skipped).
#[derive(Debug, Clone, Copy)]
pub struct Snapshot<'a> {
    /// The account's platform.
    pub platform: Platform,
    /// The account's platform id.
    pub user_id: &'a str,
    /// The account's username as stored with this snapshot, if any.
    pub username: Option<&'a str>,
    /// The instant the value is for.
    pub period_start: DateTime<Utc>,
    /// When it was collected.
    pub collected_at: DateTime<Utc>,
    /// The value (a count for followers).
    pub value: f64,
}

/// [`follower_growth`] from snapshots already picked (one metric, snapshot period): one
/// Series per account, points `(period_start, value)` with the latest `collected_at` per
/// instant, the label from the username of the most recently collected snapshot with one;
/// sorted by label. For readers that select the rows in the database (the dashboard).
pub fn snapshot_series<'a>(snapshots: impl IntoIterator<Item = Snapshot<'a>>) -> Vec<Series> {
    struct Acc<'a> {
        username: Option<(DateTime<Utc>, &'a str)>,
        // period_start -> (collected_at, value)
        points: BTreeMap<DateTime<Utc>, (DateTime<Utc>, f64)>,
    }
    let mut accounts: BTreeMap<(Platform, &str), Acc> = BTreeMap::new();
    for row in snapshots {
        if !row.value.is_finite() {
            continue;
        }
        let value = row.value;
        let acc = accounts.entry((row.platform, row.user_id)).or_insert_with(|| Acc {
            username: None,
            points: BTreeMap::new(),
        });
        if let Some(u) = row.username.filter(|u| !u.trim().is_empty()) {
            if acc.username.is_none_or(|(at, _)| row.collected_at >= at) {
                acc.username = Some((row.collected_at, u));
            }
        }
        let slot = acc.points.entry(row.period_start).or_insert((row.collected_at, value));
        if row.collected_at >= slot.0 {
            *slot = (row.collected_at, value);
        }
    }
    let mut out: Vec<Series> = accounts
        .into_iter()
        .map(|((platform, user_id), acc)| Series {
            label: account_label(platform, user_id, acc.username.map(|(_, u)| u)),
            points: acc.points.into_iter().map(|(t, (_, v))| (t, v)).collect(),
        })
        .collect();
    out.sort_by(|a, b| a.label.cmp(&b.label));
    out
}

/// Engagement trend: per account, per UTC day, the interactions gained that day = sum over
/// posts of the increase of (likes+comments+replies+reposts+quotes+saves+shares) between
/// that post's last snapshot of the previous day and its last snapshot of this day (a
/// post's first snapshot counts in full on the day it appears when the post was published
/// at most [`FRESH_POST_HOURS`] before it; an older post first seen later — the backlog read
/// when an account is connected — only sets the baseline). Negative deltas (platform
/// corrections) clamp to 0.
///
/// Precisely:
/// - A post is `(platform, user_id, post_id)`; its interactions at a moment are the sum of
///   the [`INTERACTION_METRICS`] it has values for, each metric taken at its latest
///   snapshot up to that moment (a metric missing from one collection keeps its last
///   value; a metric never served counts 0; `None` / NaN values are ignored).
/// - The post's total on day D (UTC) is that sum at its last snapshot of D. Its gain on D
///   is total(D) − total(previous day it was collected), clamped to ≥ 0 per post; on the
///   first day it appears, the gain is total(D) when the post is fresh (published at most
///   [`FRESH_POST_HOURS`] before that snapshot), else 0 (the post's earlier interactions
///   happened before Alcance watched and are not attributed to that day). After a collection gap the "previous day"
///   is the last day it was collected, so the gap's gain lands on the day collection
///   resumed.
/// - An account's point for day D is at D 00:00 UTC with the sum of its posts' gains on D
///   (a count). Days on which none of its posts was collected have no point (a gap, not
///   0).
///
/// Labels come from `usernames[(platform, user_id)]` (see [`account_label`]); series are
/// sorted by label.
pub fn engagement_trend(rows: &[PostMetricRow], usernames: &HashMap<(Platform, String), String>) -> Vec<Series> {
    // (platform, user_id, post_id) -> rows of interaction metrics with a usable value.
    // One interaction-metric reading: (collected_at, index in INTERACTION_METRICS, value).
    type Reading = (DateTime<Utc>, usize, f64);
    let mut posts: BTreeMap<(Platform, &str, &str), Vec<Reading>> = BTreeMap::new();
    let mut published: HashMap<(Platform, &str, &str), DateTime<Utc>> = HashMap::new();
    for row in rows {
        if let Some(p) = row.published_at {
            published.insert((row.platform, row.user_id.as_str(), row.post_id.as_str()), p);
        }
        let Some(metric) = INTERACTION_METRICS.iter().position(|m| *m == row.metric_type) else {
            continue;
        };
        let Some(value) = row.value.filter(|v| v.is_finite()) else {
            continue;
        };
        posts
            .entry((row.platform, row.user_id.as_str(), row.post_id.as_str()))
            .or_default()
            .push((row.collected_at, metric, value));
    }

    // (platform, user_id) -> day -> interactions gained.
    let mut accounts: BTreeMap<(Platform, &str), BTreeMap<NaiveDate, f64>> = BTreeMap::new();
    for ((platform, user_id, post), mut snaps) in posts {
        let published_at = published.get(&(platform, user_id, post)).copied();
        // Stable sort keeps input order for equal timestamps: the later row wins.
        snaps.sort_by_key(|s| s.0);
        let mut latest = [None::<f64>; INTERACTION_METRICS.len()];
        let mut prev_total: Option<f64> = None;
        let days = accounts.entry((platform, user_id)).or_default();
        let mut i = 0;
        while i < snaps.len() {
            let day = snaps[i].0.date_naive();
            while i < snaps.len() && snaps[i].0.date_naive() == day {
                let (_, metric, value) = snaps[i];
                latest[metric] = Some(value);
                i += 1;
            }
            let total: f64 = latest.iter().flatten().sum();
            let gain = match prev_total {
                Some(prev) => (total - prev).max(0.0),
                None => {
                    let first_seen = snaps[i - 1].0;
                    let fresh =
                        published_at.is_some_and(|p| first_seen - p <= chrono::Duration::hours(FRESH_POST_HOURS));
                    if fresh {
                        total.max(0.0)
                    } else {
                        0.0
                    }
                }
            };
            prev_total = Some(total);
            *days.entry(day).or_insert(0.0) += gain;
        }
    }

    let mut out: Vec<Series> = accounts
        .into_iter()
        .map(|((platform, user_id), days)| {
            let username = usernames.get(&(platform, user_id.to_string())).map(String::as_str);
            Series {
                label: account_label(platform, user_id, username),
                points: days
                    .into_iter()
                    .filter_map(|(day, gain)| day.and_hms_opt(0, 0, 0).map(|t| (t.and_utc(), gain)))
                    .collect(),
            }
        })
        .collect();
    out.sort_by(|a, b| a.label.cmp(&b.label));
    out
}
