//! KPI arithmetic: what posts gained over a window (the dashboard's tiles and top posts).
//! The arithmetic over raw metric rows (follower counts at a time, gains from every
//! snapshot) is the tests' reference since the dashboard aggregates in SQL.

#[cfg(test)]
use alcance_core::{AccountMetricRow, Period, Platform, PostMetricRow};
#[cfg(test)]
use alcance_report::series::{FRESH_POST_HOURS, INTERACTION_METRICS};
#[cfg(test)]
use chrono::{DateTime, Duration, Utc};
#[cfg(test)]
use std::collections::BTreeMap;
use std::collections::HashMap;

/// What each post gained over a window, by `posts.id`; a post with no snapshot in the
/// window is absent.
#[derive(Default)]
pub(super) struct PostGains {
    pub(super) per_post: HashMap<i64, f64>,
}

impl PostGains {
    /// The sum of the gains; `None` when no post has one.
    pub(super) fn total(&self) -> Option<f64> {
        if self.per_post.is_empty() {
            None
        } else {
            Some(self.per_post.values().sum())
        }
    }
}

#[cfg(test)]
pub(super) type PostKey = (Platform, String, String);
/// A post's publication time and its interaction totals over time (collected at, total).
#[cfg(test)]
pub(super) type PostTotals = (Option<DateTime<Utc>>, Vec<(DateTime<Utc>, f64)>);

#[cfg(test)]
/// The sum over accounts of each one's latest `followers` snapshot with `period_start <
/// at`; `None` when no account has one.
pub(super) fn followers_at(rows: &[AccountMetricRow], at: DateTime<Utc>) -> Option<f64> {
    // (platform, user id) → (period start, collected at, value) of the latest reading.
    type Latest<'a> = HashMap<(Platform, &'a str), (DateTime<Utc>, DateTime<Utc>, f64)>;
    let mut latest: Latest = HashMap::new();
    for r in rows {
        if r.metric_type != "followers" || r.period != Period::Snapshot || r.period_start >= at {
            continue;
        }
        let Some(v) = r.value.filter(|v| v.is_finite()) else {
            continue;
        };
        let slot = latest
            .entry((r.platform, r.user_id.as_str()))
            .or_insert((r.period_start, r.collected_at, v));
        if (r.period_start, r.collected_at) >= (slot.0, slot.1) {
            *slot = (r.period_start, r.collected_at, v);
        }
    }
    if latest.is_empty() {
        None
    } else {
        Some(latest.values().map(|(_, _, v)| v).sum())
    }
}

/// Which post metrics a gain is computed over.
#[cfg(test)]
#[derive(Clone, Copy)]
pub(super) enum Pick {
    /// [`INTERACTION_METRICS`], summed.
    Interactions,
    /// `views` where the post has any, else `impressions`.
    Views,
}

#[cfg(test)]
/// Gains of each post over a window.
pub(super) struct Gains {
    pub(super) per_post: HashMap<PostKey, f64>,
}

#[cfg(test)]
impl Gains {
    pub(super) fn total(&self) -> Option<f64> {
        if self.per_post.is_empty() {
            None
        } else {
            Some(self.per_post.values().sum())
        }
    }
}

#[cfg(test)]
/// Per post, the lifetime total of the picked metrics at each snapshot time (each metric
/// carried forward from its latest snapshot), sorted by time.
pub(super) fn post_totals(rows: &[PostMetricRow], pick: Pick) -> BTreeMap<PostKey, PostTotals> {
    let uses_views: std::collections::HashSet<PostKey> = match pick {
        Pick::Views => rows
            .iter()
            .filter(|r| r.metric_type == "views" && r.value.is_some_and(f64::is_finite))
            .map(|r| (r.platform, r.user_id.clone(), r.post_id.clone()))
            .collect(),
        Pick::Interactions => Default::default(),
    };
    type Readings = BTreeMap<PostKey, (Option<DateTime<Utc>>, Vec<(DateTime<Utc>, usize, f64)>)>;
    let mut readings: Readings = BTreeMap::new();
    for r in rows {
        let key = (r.platform, r.user_id.clone(), r.post_id.clone());
        let slot = match pick {
            Pick::Interactions => INTERACTION_METRICS.iter().position(|m| *m == r.metric_type),
            Pick::Views => {
                let wanted = if uses_views.contains(&key) {
                    "views"
                } else {
                    "impressions"
                };
                (r.metric_type == wanted).then_some(0)
            }
        };
        let (Some(slot), Some(value)) = (slot, r.value.filter(|v| v.is_finite())) else {
            continue;
        };
        let entry = readings.entry(key).or_insert((r.published_at, Vec::new()));
        entry.1.push((r.collected_at, slot, value));
    }
    readings
        .into_iter()
        .map(|(key, (published, mut snaps))| {
            snaps.sort_by_key(|s| s.0);
            let mut latest = [None::<f64>; INTERACTION_METRICS.len()];
            let mut totals: Vec<(DateTime<Utc>, f64)> = Vec::new();
            for (at, slot, value) in snaps {
                latest[slot] = Some(value);
                let total: f64 = latest.iter().flatten().sum();
                match totals.last_mut() {
                    Some(last) if last.0 == at => last.1 = total,
                    _ => totals.push((at, total)),
                }
            }
            (key, (published, totals))
        })
        .collect()
}

#[cfg(test)]
/// What each post gained over `[since, until)`: its total at the last snapshot before
/// `until` minus its total at the last snapshot before `since`. A post first seen inside
/// the window counts from 0 when it was fresh then (published at most
/// [`FRESH_POST_HOURS`] before its first snapshot, the engagement trend's rule), else from
/// its first snapshot. Negative gains clamp to 0. Posts with no snapshot in the window are
/// left out.
pub(super) fn gained(rows: &[PostMetricRow], pick: Pick, since: DateTime<Utc>, until: DateTime<Utc>) -> Gains {
    let mut per_post = HashMap::new();
    for (key, (published, totals)) in post_totals(rows, pick) {
        let Some(end) = totals.iter().rev().find(|(t, _)| *t < until) else {
            continue;
        };
        if end.0 < since {
            continue;
        }
        let baseline = match totals.iter().rev().find(|(t, _)| *t < since) {
            Some((_, v)) => *v,
            None => {
                let Some(first) = totals.iter().find(|(t, _)| *t >= since) else {
                    continue;
                };
                let fresh = published.is_some_and(|p| first.0 - p <= Duration::hours(FRESH_POST_HOURS));
                if fresh {
                    0.0
                } else {
                    first.1
                }
            }
        };
        per_post.insert(key, (end.1 - baseline).max(0.0));
    }
    Gains { per_post }
}
