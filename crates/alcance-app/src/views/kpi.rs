//! KPI arithmetic: what posts gained over a window (the dashboard's tiles and top posts).
//! The arithmetic over raw metric rows (follower counts at a time, gains from every
//! snapshot) is the tests' reference since the dashboard aggregates in SQL.

#[cfg(test)]
use alcance_core::{AccountMetricRow, Period, Platform, PostMetricRow};
#[cfg(test)]
use alcance_report::series::FRESH_POST_HOURS;
#[cfg(test)]
use chrono::{DateTime, Duration, Utc};
#[cfg(test)]
use std::collections::BTreeMap;
use std::collections::HashMap;

/// What each account gained over a period (clamped at 0), by `accounts.id`; an account
/// with no snapshot in the period is absent.
#[derive(Default)]
pub(super) struct AccountGains {
    pub(super) per_account: HashMap<i64, f64>,
}

impl AccountGains {
    /// The sum of the gains; `None` when no account has one.
    pub(super) fn total(&self) -> Option<f64> {
        if self.per_account.is_empty() {
            None
        } else {
            Some(self.per_account.values().sum())
        }
    }
}

#[cfg(test)]
pub(super) type PostKey = (Platform, String, String);

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

/// One stored snapshot's gain by the rule of docs/analytics.md "Gains", computed from the
/// raw rows (the reference the rollup is compared with).
#[cfg(test)]
pub(super) struct RowGain {
    pub(super) post: PostKey,
    pub(super) metric: String,
    /// The snapshot's UTC hour bucket.
    pub(super) bucket: DateTime<Utc>,
    pub(super) gain: f64,
}

#[cfg(test)]
/// Every stored snapshot's gain, from all the rows of the posts (`rows`: every snapshot,
/// whatever its time): per post and metric, in time order, its finite value minus the
/// previous finite value; the first finite value counts in full when the post was
/// published at most [`FRESH_POST_HOURS`] before it was read, else 0; `impressions` of a
/// post with a finite `views` value are left out, as NULL and non-finite values.
pub(super) fn row_gains(rows: &[PostMetricRow]) -> Vec<RowGain> {
    let finite = |r: &PostMetricRow| r.value.filter(|v| v.is_finite());
    let viewed: std::collections::HashSet<PostKey> = rows
        .iter()
        .filter(|r| r.metric_type == "views" && finite(r).is_some())
        .map(|r| (r.platform, r.user_id.clone(), r.post_id.clone()))
        .collect();
    type Series = BTreeMap<(PostKey, String), (Option<DateTime<Utc>>, Vec<(DateTime<Utc>, f64)>)>;
    let mut series: Series = BTreeMap::new();
    for r in rows {
        let key = (r.platform, r.user_id.clone(), r.post_id.clone());
        if r.metric_type == "impressions" && viewed.contains(&key) {
            continue;
        }
        let Some(v) = finite(r) else { continue };
        series
            .entry((key, r.metric_type.clone()))
            .or_insert((r.published_at, Vec::new()))
            .1
            .push((r.collected_at, v));
    }
    let mut out = Vec::new();
    for ((post, metric), (published, mut values)) in series {
        values.sort_by_key(|(t, _)| *t);
        let mut previous: Option<f64> = None;
        for (at, v) in values {
            let gain = match previous {
                Some(p) => v - p,
                None if published.is_some_and(|p| at - p <= Duration::hours(FRESH_POST_HOURS)) => v,
                None => 0.0,
            };
            previous = Some(v);
            out.push(RowGain {
                post: post.clone(),
                metric: metric.clone(),
                bucket: alcance_store::time::hour_bucket(at),
                gain,
            });
        }
    }
    out
}

#[cfg(test)]
/// The KPI gain over `[since, until)` of the rows whose metric `pick` keeps: per account
/// the sum of its rows' gains in the period clamped at 0, summed; `None` when no row of
/// the period is kept.
pub(super) fn period_gain(
    gains: &[RowGain],
    pick: impl Fn(&str) -> bool,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Option<f64> {
    let mut per_account: BTreeMap<(Platform, String), f64> = BTreeMap::new();
    for g in gains {
        if pick(&g.metric) && g.bucket >= since && g.bucket < until {
            *per_account.entry((g.post.0, g.post.1.clone())).or_insert(0.0) += g.gain;
        }
    }
    (!per_account.is_empty()).then(|| per_account.values().map(|g| g.max(0.0)).sum())
}
