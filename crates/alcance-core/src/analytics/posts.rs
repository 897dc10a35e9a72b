//! Post analytics: the latest lifetime totals of each post, top and bottom posts by any
//! metric, the breakdown by content type, and period-over-period change of any KPI.
//!
//! Post metrics are lifetime totals stored as dated snapshots
//! ([`crate::PostMetricRow`]); [`latest_post_metrics`] keeps, per post and metric, the value
//! of the most recent snapshot that has one. Nothing here reads a clock: "now" and periods
//! are passed in, UTC.

use crate::analytics::derived::{
    engagement_rate, engagement_rate_by, weighted_engagement, EngagementBase, EngagementCounts, EngagementWeights,
    Exposure,
};
use crate::platform::Platform;
use crate::records::{AccountMetricRow, Period, PostMetricRow};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Catalog keys that count as interactions when a post has no `total_interactions`:
/// likes, comments, replies, reposts, quotes, shares, saves and bookmarks (X's saves).
/// Views, reach, impressions, clicks and follows are exposure or outcomes, not interactions.
pub const INTERACTION_KEYS: [&str; 8] = [
    "likes",
    "comments",
    "replies",
    "reposts",
    "quotes",
    "shares",
    "saves",
    "bookmarks",
];

/// Derived key: interactions of a post, count ([`PostMetrics::interactions`]).
pub const INTERACTIONS: &str = "interactions";

/// How old (hours) a post may be at its first snapshot of a metric for that value to count
/// as gained rather than as a baseline (the posts' earlier counts happened before Alcance
/// watched): the engagement trend's rule (`alcance_report::series::engagement_trend`) and
/// the store's rolled-up gains (`alcance_store::gains`) share it.
pub const FRESH_POST_HOURS: i64 = 48;

/// The post metrics that count as interactions in the dashboard's gains (catalog keys):
/// the engagement trend (`alcance_report::series::engagement_trend`) and the store's
/// pivoted rollups (`alcance_store::aggregate::PIVOTED_INTERACTIONS`, whose migration
/// writes the same list; a store test checks it) share it.
pub const INTERACTION_METRICS: [&str; 7] = ["likes", "comments", "replies", "reposts", "quotes", "saves", "shares"];
/// Derived key: engagement rate by reach, percent 0–100.
pub const ENGAGEMENT_RATE_BY_REACH: &str = "engagement_rate_by_reach";
/// Derived key: engagement rate by impressions, percent 0–100.
pub const ENGAGEMENT_RATE_BY_IMPRESSIONS: &str = "engagement_rate_by_impressions";
/// Derived key: engagement rate by followers at publication, percent 0–100.
pub const ENGAGEMENT_RATE_BY_FOLLOWERS: &str = "engagement_rate_by_followers";
/// Derived key: weighted engagement score with [`EngagementWeights::default`], points.
pub const WEIGHTED_ENGAGEMENT: &str = "weighted_engagement";

/// Every derived key [`PostMetrics::value`] understands besides catalog keys.
pub const DERIVED_POST_KEYS: [&str; 5] = [
    INTERACTIONS,
    ENGAGEMENT_RATE_BY_REACH,
    ENGAGEMENT_RATE_BY_IMPRESSIONS,
    ENGAGEMENT_RATE_BY_FOLLOWERS,
    WEIGHTED_ENGAGEMENT,
];

/// One post with the latest value of each of its metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostMetrics {
    /// Platform.
    pub platform: Platform,
    /// The platform's account id (`user_id` of exports).
    pub user_id: String,
    /// The platform's post id.
    pub post_id: String,
    /// Content type key (`text`, `image`, `video`, `carousel`, `reel`, `story`, `link`, or
    /// the platform's own value).
    pub content_type: String,
    /// Publication time, UTC; `None` when the platform did not say.
    pub published_at: Option<DateTime<Utc>>,
    /// Catalog key → latest known lifetime value, in the catalog unit. A key is absent when
    /// no snapshot had a value (unknown, not zero).
    pub metrics: BTreeMap<String, f64>,
    /// When the newest snapshot used was collected, UTC.
    pub collected_at: Option<DateTime<Utc>>,
    /// The account's followers near publication (count), for the by-followers engagement
    /// rate; filled by [`attach_followers`], `None` until then.
    pub followers: Option<f64>,
}

impl PostMetrics {
    /// A stable key of the post's account: `"<platform>:<user_id>"` (`"x:1580000000000000001"`).
    pub fn account_key(&self) -> String {
        format!("{}:{}", self.platform.as_str(), self.user_id)
    }

    /// The latest value of a catalog metric, `None` when unknown.
    pub fn metric(&self, key: &str) -> Option<f64> {
        self.metrics.get(key).copied()
    }

    /// Interactions, count: the platform's `total_interactions` when served, otherwise the
    /// sum of the [`INTERACTION_KEYS`] the post has. `None` when it has none of them.
    pub fn interactions(&self) -> Option<f64> {
        if let Some(total) = self.metric("total_interactions").filter(|v| v.is_finite()) {
            return Some(total);
        }
        let present: Vec<f64> = INTERACTION_KEYS.iter().filter_map(|k| self.metric(k)).collect();
        if present.is_empty() {
            None
        } else {
            Some(present.iter().sum())
        }
    }

    /// The engagement-rate denominators of the post: its `reach`, `impressions` and
    /// [`PostMetrics::followers`].
    pub fn exposure(&self) -> Exposure {
        Exposure {
            reach: self.metric("reach"),
            impressions: self.metric("impressions"),
            followers: self.followers,
        }
    }

    /// Engagement rate of the post, percent 0–100: [`PostMetrics::interactions`] over the
    /// chosen base ([`engagement_rate_by`]; `None` when either is unknown or the base is 0).
    pub fn engagement_rate(&self, base: EngagementBase) -> Option<f64> {
        engagement_rate_by(base, self.interactions(), &self.exposure())
    }

    /// The action counts of the post (for [`weighted_engagement`]).
    pub fn engagement_counts(&self) -> EngagementCounts {
        EngagementCounts::from_metrics(self.metrics.iter().map(|(k, v)| (k.as_str(), *v)))
    }

    /// The value of any catalog key or derived key ([`DERIVED_POST_KEYS`]); `None` when
    /// unknown or not computable.
    pub fn value(&self, key: &str) -> Option<f64> {
        match key {
            INTERACTIONS => self.interactions(),
            ENGAGEMENT_RATE_BY_REACH => self.engagement_rate(EngagementBase::Reach),
            ENGAGEMENT_RATE_BY_IMPRESSIONS => self.engagement_rate(EngagementBase::Impressions),
            ENGAGEMENT_RATE_BY_FOLLOWERS => self.engagement_rate(EngagementBase::Followers),
            WEIGHTED_ENGAGEMENT => weighted_engagement(&self.engagement_counts(), &EngagementWeights::default()),
            other => self.metric(other),
        }
        .filter(|v| v.is_finite())
    }
}

/// Folds post metric snapshots into one [`PostMetrics`] per post (keyed by platform,
/// `user_id`, post id): for each metric, the value of the latest snapshot (by
/// `collected_at`) that has a finite value. With `as_of`, snapshots collected after it are
/// ignored (the state "as of" that moment, UTC). Rows with `value: None` never erase an
/// earlier value. Ordered by platform, `user_id`, `published_at` (unknown first), post id.
pub fn latest_post_metrics(rows: &[PostMetricRow], as_of: Option<DateTime<Utc>>) -> Vec<PostMetrics> {
    // Per post: the post so far, and per metric the `collected_at` of the value kept.
    type Seen<'a> = BTreeMap<&'a str, DateTime<Utc>>;
    let mut posts: BTreeMap<(Platform, &str, &str), (PostMetrics, Seen<'_>)> = BTreeMap::new();
    for row in rows {
        if as_of.is_some_and(|cut| row.collected_at > cut) {
            continue;
        }
        let (post, seen) = posts
            .entry((row.platform, row.user_id.as_str(), row.post_id.as_str()))
            .or_insert_with(|| {
                (
                    PostMetrics {
                        platform: row.platform,
                        user_id: row.user_id.clone(),
                        post_id: row.post_id.clone(),
                        content_type: row.content_type.clone(),
                        published_at: row.published_at,
                        metrics: BTreeMap::new(),
                        collected_at: None,
                        followers: None,
                    },
                    BTreeMap::new(),
                )
            });
        if post.published_at.is_none() {
            post.published_at = row.published_at;
        }
        let Some(value) = row.value.filter(|v| v.is_finite()) else {
            continue;
        };
        if seen
            .get(row.metric_type.as_str())
            .is_some_and(|at| *at > row.collected_at)
        {
            continue;
        }
        seen.insert(row.metric_type.as_str(), row.collected_at);
        post.metrics.insert(row.metric_type.clone(), value);
        post.collected_at = post.collected_at.max(Some(row.collected_at));
    }
    let mut out: Vec<PostMetrics> = posts.into_values().map(|(p, _)| p).collect();
    out.sort_by(|a, b| {
        (a.platform, &a.user_id, a.published_at, &a.post_id).cmp(&(b.platform, &b.user_id, b.published_at, &b.post_id))
    });
    out
}

/// Sets [`PostMetrics::followers`] of each post from the account's `followers` snapshots
/// (account rows with `metric_type == "followers"` and a finite value, matched by platform
/// and `user_id`): the snapshot whose `period_start` is nearest to `published_at` (the
/// earlier one on a tie; the latest snapshot when the post has no publication time). Posts
/// of accounts without snapshots keep `None`.
pub fn attach_followers(posts: &mut [PostMetrics], rows: &[AccountMetricRow]) {
    type Series = Vec<(DateTime<Utc>, f64)>;
    let mut series: BTreeMap<(Platform, &str), Series> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.metric_type == "followers") {
        if let Some(v) = r.value.filter(|v| v.is_finite() && *v >= 0.0) {
            series
                .entry((r.platform, r.user_id.as_str()))
                .or_default()
                .push((r.period_start, v));
        }
    }
    for s in series.values_mut() {
        s.sort_by_key(|a| a.0);
    }
    for post in posts {
        let Some(s) = series.get(&(post.platform, post.user_id.as_str())) else {
            continue;
        };
        post.followers = match post.published_at {
            None => s.last().map(|p| p.1),
            Some(t) => s.iter().min_by_key(|(at, _)| ((*at - t).abs(), *at)).map(|p| p.1),
        };
    }
}

/// A post in a ranking, with the value it was ranked by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankedPost {
    /// 1 for the first of the list.
    pub rank: usize,
    /// Platform.
    pub platform: Platform,
    /// The platform's account id.
    pub user_id: String,
    /// The platform's post id.
    pub post_id: String,
    /// Content type key.
    pub content_type: String,
    /// Publication time, UTC.
    pub published_at: Option<DateTime<Utc>>,
    /// The value of the ranking key, in its unit (catalog unit, count, percent or points).
    pub value: f64,
}

fn ranked(posts: &[PostMetrics], key: &str, n: usize, best_first: bool) -> Vec<RankedPost> {
    let mut with: Vec<(&PostMetrics, f64)> = posts.iter().filter_map(|p| p.value(key).map(|v| (p, v))).collect();
    with.sort_by(|(pa, a), (pb, b)| {
        let by_value = if best_first { b.total_cmp(a) } else { a.total_cmp(b) };
        by_value
            .then_with(|| pb.published_at.cmp(&pa.published_at))
            .then_with(|| pa.post_id.cmp(&pb.post_id))
    });
    with.into_iter()
        .take(n)
        .enumerate()
        .map(|(i, (p, value))| RankedPost {
            rank: i + 1,
            platform: p.platform,
            user_id: p.user_id.clone(),
            post_id: p.post_id.clone(),
            content_type: p.content_type.clone(),
            published_at: p.published_at,
            value,
        })
        .collect()
}

/// The `n` posts with the highest value of `key` (a catalog key or one of
/// [`DERIVED_POST_KEYS`]), highest first. Posts without a value are left out; ties go to
/// the newer post, then the smaller post id.
pub fn top_posts(posts: &[PostMetrics], key: &str, n: usize) -> Vec<RankedPost> {
    ranked(posts, key, n, true)
}

/// The `n` posts with the lowest value of `key`, lowest first (same rules as [`top_posts`]).
pub fn bottom_posts(posts: &[PostMetrics], key: &str, n: usize) -> Vec<RankedPost> {
    ranked(posts, key, n, false)
}

/// Statistics of one content type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentTypeStats {
    /// Content type key.
    pub content_type: String,
    /// Posts of this type.
    pub posts: usize,
    /// Share of all posts given, ratio 0–1.
    pub share: f64,
    /// Posts of this type that have a value of the metric.
    pub posts_with_value: usize,
    /// Sum of the metric over those posts (metric unit); `None` when none has a value.
    pub total: Option<f64>,
    /// Mean of the metric over those posts (metric unit); `None` when none has a value.
    pub mean: Option<f64>,
    /// Engagement rate of the type, percent 0–100: Σ interactions / Σ base × 100 over the
    /// posts that have both (a ratio of sums, so big posts weigh more); `None` when no post
    /// has both or Σ base is 0.
    pub engagement_rate: Option<f64>,
}

/// Breaks `posts` down by content type: count, share, total and mean of `key` (catalog or
/// derived key), and the engagement rate by `base`. Ordered by post count (most first),
/// then content type key.
pub fn content_breakdown(posts: &[PostMetrics], key: &str, base: EngagementBase) -> Vec<ContentTypeStats> {
    #[derive(Default)]
    struct Acc {
        posts: usize,
        with: usize,
        total: f64,
        interactions: f64,
        base: f64,
        rated: bool,
    }
    let mut groups: BTreeMap<&str, Acc> = BTreeMap::new();
    for p in posts {
        let acc = groups.entry(p.content_type.as_str()).or_default();
        acc.posts += 1;
        if let Some(v) = p.value(key) {
            acc.with += 1;
            acc.total += v;
        }
        let denominator = p.exposure().get(base).filter(|d| d.is_finite() && *d > 0.0);
        let interactions = p.interactions().filter(|i| i.is_finite() && *i >= 0.0);
        if let (Some(i), Some(d)) = (interactions, denominator) {
            acc.interactions += i;
            acc.base += d;
            acc.rated = true;
        }
    }
    let all = posts.len();
    let mut out: Vec<ContentTypeStats> = groups
        .into_iter()
        .map(|(ct, a)| ContentTypeStats {
            content_type: ct.to_string(),
            posts: a.posts,
            share: if all == 0 { 0.0 } else { a.posts as f64 / all as f64 },
            posts_with_value: a.with,
            total: (a.with > 0).then_some(a.total).filter(|v| v.is_finite()),
            mean: (a.with > 0).then(|| a.total / a.with as f64).filter(|v| v.is_finite()),
            engagement_rate: if a.rated {
                engagement_rate(a.interactions, a.base)
            } else {
                None
            },
        })
        .collect();
    out.sort_by(|a, b| b.posts.cmp(&a.posts).then_with(|| a.content_type.cmp(&b.content_type)));
    out
}

/// A value at a moment, UTC; `None` is "no data" (skipped by every aggregation).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DatedValue {
    /// When the value applies (a day row's `period_start`, a snapshot's time, a post's
    /// publication), UTC.
    pub at: DateTime<Utc>,
    /// The value in its unit.
    pub value: Option<f64>,
}

/// A half-open time range `[start, end)`, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeRange {
    /// Inclusive start, UTC.
    pub start: DateTime<Utc>,
    /// Exclusive end, UTC.
    pub end: DateTime<Utc>,
}

impl TimeRange {
    /// `true` when `start <= t < end`.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }

    /// The range of the same length just before this one.
    pub fn previous(&self) -> TimeRange {
        let len = self.end.signed_duration_since(self.start);
        TimeRange {
            start: self.start.checked_sub_signed(len).unwrap_or(DateTime::<Utc>::MIN_UTC),
            end: self.start,
        }
    }

    /// The `days` days ending at `end` (exclusive), `[end − days, end)`.
    pub fn days_before(end: DateTime<Utc>, days: u32) -> TimeRange {
        TimeRange {
            start: end
                .checked_sub_signed(TimeDelta::days(i64::from(days)))
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
            end,
        }
    }
}

/// Which periods to compare, both rolling and of equal length, ending at a given `now`
/// (pass a UTC midnight to compare whole days).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// The last 7 days against the 7 before.
    WeekOverWeek,
    /// The last 30 days against the 30 before.
    MonthOverMonth,
}

impl Comparison {
    /// Length of each period, days (7 or 30).
    pub fn days(self) -> u32 {
        match self {
            Comparison::WeekOverWeek => 7,
            Comparison::MonthOverMonth => 30,
        }
    }

    /// `(current, previous)`: `[now − d, now)` and `[now − 2d, now − d)`.
    pub fn ranges(self, now: DateTime<Utc>) -> (TimeRange, TimeRange) {
        let current = TimeRange::days_before(now, self.days());
        (current, current.previous())
    }
}

/// How the values inside one period combine into the period's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Sum (flows: daily reach, views, new followers, interactions).
    Sum,
    /// Arithmetic mean (rates and averages: engagement rate, average watch time).
    Mean,
    /// The latest value in the period (stocks: followers, following, media count).
    Last,
}

/// The aggregation a catalog metric takes over a period: [`Aggregation::Last`] for the
/// stocks `followers`, `following`, `media_count`, `listed`; [`Aggregation::Mean`] for
/// percent, ratio and per-play averages (`reels_skip_rate`, `watch_time_avg_seconds`,
/// derived engagement rates); [`Aggregation::Sum`] for every other key.
pub fn default_aggregation(metric_key: &str) -> Aggregation {
    match metric_key {
        "followers" | "following" | "media_count" | "listed" => Aggregation::Last,
        "reels_skip_rate"
        | "watch_time_avg_seconds"
        | ENGAGEMENT_RATE_BY_REACH
        | ENGAGEMENT_RATE_BY_IMPRESSIONS
        | ENGAGEMENT_RATE_BY_FOLLOWERS => Aggregation::Mean,
        other => match crate::catalog::lookup(other).map(|m| m.unit) {
            Some(crate::catalog::Unit::Percent | crate::catalog::Unit::Ratio) => Aggregation::Mean,
            _ => Aggregation::Sum,
        },
    }
}

/// The value of one period: `values` with a finite value and `at` in `range`, combined by
/// `aggregation`. `None` when the period has no such value.
pub fn aggregate(values: &[DatedValue], range: TimeRange, aggregation: Aggregation) -> Option<f64> {
    let inside = values
        .iter()
        .filter(|d| range.contains(d.at))
        .filter_map(|d| d.value.filter(|v| v.is_finite()).map(|v| (d.at, v)));
    let result = match aggregation {
        Aggregation::Sum | Aggregation::Mean => {
            let (n, sum) = inside.fold((0usize, 0.0), |(n, s), (_, v)| (n + 1, s + v));
            if n == 0 {
                return None;
            }
            if aggregation == Aggregation::Sum {
                sum
            } else {
                sum / n as f64
            }
        }
        Aggregation::Last => inside.max_by(|a, b| a.0.cmp(&b.0))?.1,
    };
    result.is_finite().then_some(result)
}

/// A KPI in two periods and its change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The current period's value (metric unit); `None` when it has no data.
    pub current: Option<f64>,
    /// The previous period's value (metric unit); `None` when it has no data.
    pub previous: Option<f64>,
    /// `current − previous` (metric unit); `None` when either is `None`.
    pub abs_change: Option<f64>,
    /// `(current − previous) / |previous| × 100`, percent (positive = up); `None` when either
    /// is `None` or `previous` is 0.
    pub pct_change: Option<f64>,
}

impl Change {
    /// The change from `previous` to `current` (see the field docs for the `None` rules).
    pub fn between(current: Option<f64>, previous: Option<f64>) -> Change {
        let current = current.filter(|v| v.is_finite());
        let previous = previous.filter(|v| v.is_finite());
        let abs_change = current.zip(previous).map(|(c, p)| c - p).filter(|v| v.is_finite());
        let pct_change = abs_change
            .zip(previous.filter(|p| *p != 0.0))
            .map(|(d, p)| d / p.abs() * 100.0)
            .filter(|v| v.is_finite());
        Change {
            current,
            previous,
            abs_change,
            pct_change,
        }
    }
}

/// Period-over-period change of one KPI given as dated values: each period aggregated with
/// [`aggregate`], then [`Change::between`].
pub fn period_change(
    values: &[DatedValue],
    current: TimeRange,
    previous: TimeRange,
    aggregation: Aggregation,
) -> Change {
    Change::between(
        aggregate(values, current, aggregation),
        aggregate(values, previous, aggregation),
    )
}

/// One account KPI's period-over-period change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiChange {
    /// Platform.
    pub platform: Platform,
    /// The platform's account id.
    pub user_id: String,
    /// Catalog key.
    pub metric: String,
    /// How each period was aggregated ([`default_aggregation`]).
    pub aggregation: Aggregation,
    /// The values and the change.
    pub change: Change,
}

/// Period-over-period change of every account KPI in `rows`, per account and metric.
///
/// To never double-count, each metric reads one kind of row: stocks
/// ([`Aggregation::Last`]) read `snapshot` rows, everything else reads `day` rows (dated by
/// `period_start`); `week`, `days_28`, `month`, `total` and `lifetime` rows are ignored.
/// Summed daily `reach` counts an account reached on two days twice (platforms do not
/// serve distinct reach over arbitrary periods). Metrics with no row in either period are
/// left out. Ordered by platform, `user_id`, metric.
pub fn kpi_changes(rows: &[AccountMetricRow], current: TimeRange, previous: TimeRange) -> Vec<KpiChange> {
    let mut series: BTreeMap<(Platform, &str, &str), Vec<DatedValue>> = BTreeMap::new();
    for r in rows {
        let wanted = match default_aggregation(&r.metric_type) {
            Aggregation::Last => Period::Snapshot,
            Aggregation::Sum | Aggregation::Mean => Period::Day,
        };
        if r.period != wanted || !(current.contains(r.period_start) || previous.contains(r.period_start)) {
            continue;
        }
        series
            .entry((r.platform, r.user_id.as_str(), r.metric_type.as_str()))
            .or_default()
            .push(DatedValue {
                at: r.period_start,
                value: r.value,
            });
    }
    series
        .into_iter()
        .map(|((platform, user_id, metric), values)| {
            let aggregation = default_aggregation(metric);
            KpiChange {
                platform,
                user_id: user_id.to_string(),
                metric: metric.to_string(),
                aggregation,
                change: period_change(&values, current, previous, aggregation),
            }
        })
        .collect()
}

/// Period-over-period change of a post KPI: posts are dated by `published_at` (posts
/// without one are left out) and valued by `key` (catalog or derived key), then aggregated
/// per period. Use [`Aggregation::Sum`] for totals (interactions of the week's posts),
/// [`Aggregation::Mean`] for per-post averages (mean engagement rate).
pub fn post_period_change(
    posts: &[PostMetrics],
    key: &str,
    current: TimeRange,
    previous: TimeRange,
    aggregation: Aggregation,
) -> Change {
    let values: Vec<DatedValue> = posts
        .iter()
        .filter_map(|p| {
            Some(DatedValue {
                at: p.published_at?,
                value: p.value(key),
            })
        })
        .collect();
    period_change(&values, current, previous, aggregation)
}

/// Posts published in `range` (posts without a publication time are left out).
pub fn published_in(posts: &[PostMetrics], range: TimeRange) -> Vec<&PostMetrics> {
    posts
        .iter()
        .filter(|p| p.published_at.is_some_and(|t| range.contains(t)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 9, d, h, 0, 0).single().unwrap_or_default()
    }

    fn row(post: &str, ct: &str, metric: &str, value: Option<f64>, at: DateTime<Utc>) -> PostMetricRow {
        PostMetricRow {
            user_id: "u1".into(),
            platform: Platform::Instagram,
            post_id: post.into(),
            content_type: ct.into(),
            published_at: Some(t(1, 12)),
            metric_type: metric.into(),
            value,
            collected_at: at,
        }
    }

    fn post(id: &str, ct: &str, metrics: &[(&str, f64)]) -> PostMetrics {
        PostMetrics {
            platform: Platform::Instagram,
            user_id: "u1".into(),
            post_id: id.into(),
            content_type: ct.into(),
            published_at: Some(t(2, 10)),
            metrics: metrics.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            collected_at: None,
            followers: None,
        }
    }

    #[test]
    fn the_latest_snapshot_with_a_value_wins_and_null_never_erases() {
        let rows = vec![
            row("p1", "image", "likes", Some(10.0), t(2, 0)),
            row("p1", "image", "likes", Some(25.0), t(4, 0)),
            row("p1", "image", "likes", Some(18.0), t(3, 0)),
            row("p1", "image", "reach", Some(300.0), t(2, 0)),
            row("p1", "image", "reach", None, t(4, 0)),
            row("p2", "reel", "likes", None, t(4, 0)),
        ];
        let posts = latest_post_metrics(&rows, None);
        assert_eq!(posts.len(), 2);
        assert_eq!(posts[0].metric("likes"), Some(25.0));
        assert_eq!(posts[0].metric("reach"), Some(300.0));
        assert_eq!(posts[0].collected_at, Some(t(4, 0)));
        assert!(posts[1].metrics.is_empty(), "a post with only nulls has no values");
        let as_of = latest_post_metrics(&rows, Some(t(3, 12)));
        assert_eq!(as_of[0].metric("likes"), Some(18.0));
    }

    #[test]
    fn interactions_prefer_the_platform_total_then_sum_the_actions() {
        let ig = post(
            "a",
            "image",
            &[("total_interactions", 50.0), ("likes", 40.0), ("reach", 1000.0)],
        );
        assert_eq!(ig.interactions(), Some(50.0));
        assert_eq!(ig.value(ENGAGEMENT_RATE_BY_REACH), Some(5.0));
        let x = post(
            "b",
            "text",
            &[
                ("likes", 6.0),
                ("reposts", 2.0),
                ("replies", 1.0),
                ("impressions", 300.0),
            ],
        );
        assert_eq!(x.interactions(), Some(9.0));
        assert_eq!(x.value(ENGAGEMENT_RATE_BY_IMPRESSIONS), Some(3.0));
        assert_eq!(x.value(ENGAGEMENT_RATE_BY_REACH), None);
        assert_eq!(x.value(WEIGHTED_ENGAGEMENT), Some(6.0 + 4.0 + 3.0));
        assert_eq!(post("c", "text", &[("impressions", 5.0)]).interactions(), None);
    }

    #[test]
    fn followers_come_from_the_nearest_snapshot() {
        let snap = |day: u32, v: f64| AccountMetricRow {
            user_id: "u1".into(),
            username: None,
            platform: Platform::Instagram,
            metric_type: "followers".into(),
            period: Period::Snapshot,
            value: Some(v),
            collected_at: t(day, 13),
            period_start: t(day, 13),
            period_end: t(day, 13),
        };
        let mut posts = vec![post("a", "image", &[("likes", 10.0)])];
        attach_followers(&mut posts, &[snap(1, 1000.0), snap(3, 1100.0), snap(9, 2000.0)]);
        // Published Sep 2 10:00: Sep 1 13:00 is 21 h away, Sep 3 13:00 is 27 h away.
        assert_eq!(posts[0].followers, Some(1000.0));
        assert_eq!(posts[0].value(ENGAGEMENT_RATE_BY_FOLLOWERS), Some(1.0));
    }

    #[test]
    fn top_and_bottom_rank_by_any_key_and_skip_unknown_values() {
        let posts = vec![
            post("a", "image", &[("likes", 5.0), ("reach", 100.0)]),
            post("b", "reel", &[("likes", 50.0), ("reach", 2000.0)]),
            post("c", "image", &[("likes", 20.0), ("reach", 200.0)]),
            post("d", "image", &[("reach", 50.0)]),
        ];
        let top = top_posts(&posts, "likes", 2);
        assert_eq!(
            top.iter()
                .map(|p| (p.rank, p.post_id.as_str(), p.value))
                .collect::<Vec<_>>(),
            vec![(1, "b", 50.0), (2, "c", 20.0)]
        );
        let bottom = bottom_posts(&posts, "likes", 10);
        assert_eq!(
            bottom.iter().map(|p| p.post_id.as_str()).collect::<Vec<_>>(),
            vec!["a", "c", "b"]
        );
        let by_rate = top_posts(&posts, ENGAGEMENT_RATE_BY_REACH, 1);
        assert_eq!(by_rate[0].post_id, "c"); // 10 % beats 5 % and 2.5 %
        assert!(top_posts(&posts, "saves", 3).is_empty());
    }

    #[test]
    fn the_content_breakdown_counts_sums_averages_and_rates() {
        let posts = vec![
            post("a", "image", &[("likes", 10.0), ("reach", 100.0)]),
            post("b", "image", &[("likes", 30.0), ("reach", 300.0)]),
            post("c", "image", &[("reach", 100.0)]),
            post("d", "reel", &[("likes", 90.0), ("reach", 1000.0)]),
        ];
        let stats = content_breakdown(&posts, "likes", EngagementBase::Reach);
        assert_eq!(stats.len(), 2);
        let image = &stats[0];
        assert_eq!(
            (image.content_type.as_str(), image.posts, image.posts_with_value),
            ("image", 3, 2)
        );
        assert_eq!(image.share, 0.75);
        assert_eq!(image.total, Some(40.0));
        assert_eq!(image.mean, Some(20.0));
        // 40 interactions over 400 reach (post c has no interactions).
        assert_eq!(image.engagement_rate, Some(10.0));
        assert_eq!(stats[1].engagement_rate, Some(9.0));
        assert_eq!(
            content_breakdown(&posts, "likes", EngagementBase::Impressions)[0].engagement_rate,
            None
        );
    }

    #[test]
    fn period_over_period_change() {
        let now = t(15, 0);
        let (cur, prev) = Comparison::WeekOverWeek.ranges(now);
        assert_eq!(
            (cur.start, cur.end, prev.start, prev.end),
            (t(8, 0), now, t(1, 0), t(8, 0))
        );
        let daily: Vec<DatedValue> = (1..15)
            .map(|d| DatedValue {
                at: t(d, 0),
                value: Some(if d >= 8 { 30.0 } else { 20.0 }),
            })
            .collect();
        let c = period_change(&daily, cur, prev, Aggregation::Sum);
        assert_eq!(
            (c.current, c.previous, c.abs_change, c.pct_change),
            (Some(210.0), Some(140.0), Some(70.0), Some(50.0))
        );
        let m = period_change(&daily, cur, prev, Aggregation::Mean);
        assert_eq!(m.abs_change, Some(10.0));
        let l = period_change(&daily, cur, prev, Aggregation::Last);
        assert_eq!((l.current, l.previous), (Some(30.0), Some(20.0)));
        // No previous data, or a previous 0: no percentage.
        let c = period_change(&daily[7..], cur, prev, Aggregation::Sum);
        assert_eq!((c.previous, c.abs_change, c.pct_change), (None, None, None));
        assert_eq!(Change::between(Some(5.0), Some(0.0)).pct_change, None);
        assert_eq!(Change::between(Some(5.0), Some(0.0)).abs_change, Some(5.0));
        assert_eq!(Change::between(Some(-5.0), Some(-10.0)).pct_change, Some(50.0));
        let (cur, prev) = Comparison::MonthOverMonth.ranges(now);
        assert_eq!(cur.end - cur.start, TimeDelta::days(30));
        assert_eq!(prev.end, cur.start);
    }

    #[test]
    fn kpi_changes_read_one_kind_of_row_per_metric() {
        let r = |metric: &str, period: Period, day: u32, v: f64| AccountMetricRow {
            user_id: "u1".into(),
            username: None,
            platform: Platform::Instagram,
            metric_type: metric.into(),
            period,
            value: Some(v),
            collected_at: t(day, 13),
            period_start: t(day, 0),
            period_end: t(day, 0),
        };
        let rows = vec![
            r("followers", Period::Snapshot, 3, 1000.0),
            r("followers", Period::Snapshot, 10, 1050.0),
            r("followers", Period::Snapshot, 12, 1100.0),
            r("reach", Period::Day, 3, 100.0),
            r("reach", Period::Day, 4, 100.0),
            r("reach", Period::Day, 10, 300.0),
            // A 28-day total covering the same days must not be added in.
            r("reach", Period::Days28, 10, 9999.0),
        ];
        let (cur, prev) = Comparison::WeekOverWeek.ranges(t(15, 0));
        let kpis = kpi_changes(&rows, cur, prev);
        assert_eq!(kpis.len(), 2);
        let followers = &kpis[0];
        assert_eq!(followers.metric, "followers");
        assert_eq!(followers.aggregation, Aggregation::Last);
        assert_eq!(followers.change.abs_change, Some(100.0));
        assert_eq!(followers.change.pct_change, Some(10.0));
        let reach = &kpis[1];
        assert_eq!(
            (reach.change.current, reach.change.previous),
            (Some(300.0), Some(200.0))
        );
        assert_eq!(default_aggregation("reels_skip_rate"), Aggregation::Mean);
        assert_eq!(default_aggregation("views"), Aggregation::Sum);
    }

    #[test]
    fn post_kpis_compare_posts_by_publication_week() {
        let mut a = post("a", "image", &[("likes", 10.0)]);
        a.published_at = Some(t(3, 10));
        let mut b = post("b", "image", &[("likes", 30.0)]);
        b.published_at = Some(t(10, 10));
        let mut c = post("c", "image", &[("likes", 50.0)]);
        c.published_at = Some(t(11, 10));
        let posts = vec![a, b, c];
        let (cur, prev) = Comparison::WeekOverWeek.ranges(t(15, 0));
        let change = post_period_change(&posts, "likes", cur, prev, Aggregation::Sum);
        assert_eq!(
            (change.current, change.previous, change.pct_change),
            (Some(80.0), Some(10.0), Some(700.0))
        );
        assert_eq!(published_in(&posts, cur).len(), 2);
    }
}
