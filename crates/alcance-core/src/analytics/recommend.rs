//! Recommendations: simple, explainable rules over the analytics, each returning at most one
//! [`Recommendation`] with the numbers that triggered it.
//!
//! Every user-facing string lives in [`RULE_TEXTS`] (English), keyed by a stable code
//! ([`codes`]): a UI in another language looks the code up in its own table and fills the
//! same `{placeholders}` from [`Recommendation::numbers`] (and the few text arguments named
//! in each template's doc). Thresholds are [`Thresholds`]; their defaults are Alcance's own
//! (see `docs/analytics.md`), not platform rules.

use crate::analytics::best_time::BestTime;
use crate::analytics::derived::{follower_growth_pct, EngagementBase};
use crate::analytics::posts::{ContentTypeStats, DatedValue, TimeRange};
use chrono::{DateTime, TimeDelta, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// The stable codes of every recommendation (keys for translations and the UI).
pub mod codes {
    /// Fewer posts per week than the target band.
    pub const POSTING_FREQUENCY_LOW: &str = "posting_frequency_low";
    /// More posts per week than the target band.
    pub const POSTING_FREQUENCY_HIGH: &str = "posting_frequency_high";
    /// Engagement rate below the low band.
    pub const ENGAGEMENT_RATE_LOW: &str = "engagement_rate_low";
    /// Engagement rate above the high band.
    pub const ENGAGEMENT_RATE_HIGH: &str = "engagement_rate_high";
    /// One content type dominates the recent posts.
    pub const CONTENT_MIX_NARROW: &str = "content_mix_narrow";
    /// A weekday × hour slot clearly beats the average.
    pub const BEST_SLOT: &str = "best_slot";
    /// Follower growth over the last 4 weeks is at or below the stall threshold.
    pub const GROWTH_STALLED: &str = "growth_stalled";
}

/// How urgent a recommendation is. Orders `Warning` < `Info` < `Positive`, so sorting puts
/// problems first. Serialized `"warning"`, `"info"`, `"positive"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A problem worth acting on.
    Warning,
    /// A tip.
    Info,
    /// Something that works; keep doing it.
    Positive,
}

/// The English text of one recommendation code. `{name}` placeholders are filled from
/// [`Recommendation::numbers`] of the same name, or from the text arguments listed here:
/// `{base}` (`reach` / `impressions` / `followers`), `{content_type}` (content type key),
/// `{weekday}` (English weekday name), `{time_zone}` (IANA name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleText {
    /// Stable code ([`codes`]).
    pub code: &'static str,
    /// Severity of the recommendation.
    pub severity: Severity,
    /// Short title template.
    pub title: &'static str,
    /// Detail template, with the numbers.
    pub detail: &'static str,
}

/// Every recommendation's English text, one entry per code of [`codes`].
pub static RULE_TEXTS: [RuleText; 7] = [
    RuleText {
        code: codes::POSTING_FREQUENCY_LOW,
        severity: Severity::Warning,
        title: "Post more often",
        detail: "You published {posts} posts in the last {weeks} weeks ({posts_per_week} a week). \
                 Aim for {min_per_week}–{max_per_week} posts a week to stay visible.",
    },
    RuleText {
        code: codes::POSTING_FREQUENCY_HIGH,
        severity: Severity::Info,
        title: "You may be posting too often",
        detail: "You published {posts} posts in the last {weeks} weeks ({posts_per_week} a week), \
                 above {max_per_week} a week. Fewer, stronger posts may reach more people each.",
    },
    RuleText {
        code: codes::ENGAGEMENT_RATE_LOW,
        severity: Severity::Warning,
        title: "Engagement rate is low",
        detail: "Your engagement rate by {base} is {rate} %, below {low} %. \
                 Try questions, carousels or short videos that invite a reaction.",
    },
    RuleText {
        code: codes::ENGAGEMENT_RATE_HIGH,
        severity: Severity::Positive,
        title: "Engagement rate is high",
        detail: "Your engagement rate by {base} is {rate} %, above {high} %. Keep doing what works.",
    },
    RuleText {
        code: codes::CONTENT_MIX_NARROW,
        severity: Severity::Info,
        title: "Vary your content",
        detail: "{share_pct} % of your last {posts} posts are {content_type}. \
                 Mixing formats helps you learn what your audience prefers.",
    },
    RuleText {
        code: codes::BEST_SLOT,
        severity: Severity::Info,
        title: "Best time to post: {weekday} at {hour}:00",
        detail: "Posts published on {weekday} between {hour}:00 and {hour}:59 ({time_zone}) did \
                 {lift}× your average ({posts} posts). Schedule important posts then.",
    },
    RuleText {
        code: codes::GROWTH_STALLED,
        severity: Severity::Warning,
        title: "Follower growth has stalled",
        detail: "Followers went from {start} to {end} in the last {weeks} weeks ({growth_pct} %), \
                 at or below {stall_pct} %. Try collaborations, trends or a campaign.",
    },
];

/// The text of `code`, `None` for an unknown code.
pub fn rule_text(code: &str) -> Option<&'static RuleText> {
    RULE_TEXTS.iter().find(|t| t.code == code)
}

/// One recommendation, ready to show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    /// Stable code ([`codes`]), the translation key.
    pub code: &'static str,
    /// How urgent it is.
    pub severity: Severity,
    /// Short English title.
    pub title: String,
    /// English detail with the numbers.
    pub detail: String,
    /// The numbers behind it, by placeholder name (units in each rule's doc).
    pub numbers: Vec<(String, f64)>,
}

/// Thresholds of the rules. Defaults are Alcance's (see `docs/analytics.md`); every field
/// is optional in JSON (`#[serde(default)]`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// Lower end of the posting-frequency band, posts per week. Default 3.
    pub posts_per_week_min: f64,
    /// Upper end of the posting-frequency band, posts per week. Default 21 (3 a day).
    pub posts_per_week_max: f64,
    /// Weeks the posting frequency is measured over, ending at `now`. Default 4.
    pub frequency_weeks: u32,
    /// Below this engagement rate (percent 0–100) it is low. Default 1.
    pub engagement_low_pct: f64,
    /// Above this engagement rate (percent 0–100) it is high. Default 3.
    pub engagement_high_pct: f64,
    /// A content type whose share of posts (ratio 0–1) is at least this dominates. Default 0.8.
    pub dominant_share: f64,
    /// Posts needed before content diversity is judged. Default 5.
    pub diversity_min_posts: usize,
    /// A best slot is recommended when its mean is at least this multiple of the overall
    /// mean (ratio). Default 1.1.
    pub best_slot_min_lift: f64,
    /// Follower growth over the growth window at or below this (percent) is a stall.
    /// Default 0.1.
    pub growth_stall_pct: f64,
    /// Weeks the follower growth is measured over. Default 4.
    pub growth_weeks: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            posts_per_week_min: 3.0,
            posts_per_week_max: 21.0,
            frequency_weeks: 4,
            engagement_low_pct: 1.0,
            engagement_high_pct: 3.0,
            dominant_share: 0.8,
            diversity_min_posts: 5,
            best_slot_min_lift: 1.1,
            growth_stall_pct: 0.1,
            growth_weeks: 4,
        }
    }
}

/// Formats a number for text: integers without decimals, others with `decimals` places.
fn num(v: f64, decimals: usize) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.decimals$}")
    }
}

/// Fills `{name}` placeholders of `template` from `args`.
fn fill(template: &str, args: &[(&str, String)]) -> String {
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The codes of a posting frequency below and above its band.
const FREQUENCY_CODES: (&str, &str) = (codes::POSTING_FREQUENCY_LOW, codes::POSTING_FREQUENCY_HIGH);
/// The codes of an engagement rate below and above its band.
const ENGAGEMENT_CODES: (&str, &str) = (codes::ENGAGEMENT_RATE_LOW, codes::ENGAGEMENT_RATE_HIGH);

/// The code for `value` outside the band `(low, high)`: `low_code` below `low`,
/// `high_code` above `high`, `None` within the band (bounds included).
fn outside_band(
    value: f64,
    (low, high): (f64, f64),
    (low_code, high_code): (&'static str, &'static str),
) -> Option<&'static str> {
    if value < low {
        Some(low_code)
    } else if value > high {
        Some(high_code)
    } else {
        None
    }
}

/// Builds the recommendation `code` from its text: placeholders are filled from
/// `text_args` first (they win over a number of the same name, e.g. a zero-padded hour),
/// then from `numbers` formatted with `decimals` places.
fn build(
    code: &'static str,
    numbers: Vec<(&str, f64)>,
    decimals: usize,
    text_args: Vec<(&str, String)>,
) -> Option<Recommendation> {
    let text = rule_text(code)?;
    let mut args = text_args;
    args.extend(numbers.iter().map(|(k, v)| (*k, num(*v, decimals))));
    Some(Recommendation {
        code,
        severity: text.severity,
        title: fill(text.title, &args),
        detail: fill(text.detail, &args),
        numbers: numbers.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
    })
}

/// Posting frequency: posts published in the last `frequency_weeks` weeks before `now`
/// (UTC), per week, against `[posts_per_week_min, posts_per_week_max]`.
/// [`codes::POSTING_FREQUENCY_LOW`] below the band, [`codes::POSTING_FREQUENCY_HIGH`] above
/// it, `None` inside it (or with `frequency_weeks == 0`). Numbers: `posts` (count), `weeks`,
/// `posts_per_week`, `min_per_week`, `max_per_week`.
pub fn posting_frequency(published: &[DateTime<Utc>], now: DateTime<Utc>, t: &Thresholds) -> Option<Recommendation> {
    if t.frequency_weeks == 0 {
        return None;
    }
    let range = TimeRange::days_before(now, t.frequency_weeks.saturating_mul(7));
    let posts = published.iter().filter(|at| range.contains(**at)).count() as f64;
    let weeks = f64::from(t.frequency_weeks);
    let per_week = posts / weeks;
    let code = outside_band(per_week, (t.posts_per_week_min, t.posts_per_week_max), FREQUENCY_CODES)?;
    build(
        code,
        vec![
            ("posts", posts),
            ("weeks", weeks),
            ("posts_per_week", per_week),
            ("min_per_week", t.posts_per_week_min),
            ("max_per_week", t.posts_per_week_max),
        ],
        1,
        vec![],
    )
}

/// Engagement-rate band of an account's engagement rate (percent 0–100, by `base`):
/// [`codes::ENGAGEMENT_RATE_LOW`] below `engagement_low_pct`, [`codes::ENGAGEMENT_RATE_HIGH`]
/// above `engagement_high_pct`, `None` in between or when the rate is unknown / not finite.
/// Numbers: `rate`, `low`, `high` (percent).
pub fn engagement_band(rate_pct: Option<f64>, base: EngagementBase, t: &Thresholds) -> Option<Recommendation> {
    let rate = rate_pct.filter(|r| r.is_finite() && *r >= 0.0)?;
    let code = outside_band(rate, (t.engagement_low_pct, t.engagement_high_pct), ENGAGEMENT_CODES)?;
    build(
        code,
        vec![
            ("rate", rate),
            ("low", t.engagement_low_pct),
            ("high", t.engagement_high_pct),
        ],
        2,
        vec![("base", base.metric_key().to_string())],
    )
}

/// Content diversity from a [`crate::analytics::posts::content_breakdown`]: when the
/// most common content type's share of posts is at least `dominant_share` and there are at
/// least `diversity_min_posts` posts, [`codes::CONTENT_MIX_NARROW`]; else `None`.
/// Numbers: `posts` (all posts), `share_pct` (percent 0–100 of the dominant type).
pub fn content_diversity(breakdown: &[ContentTypeStats], t: &Thresholds) -> Option<Recommendation> {
    let total: usize = breakdown.iter().map(|s| s.posts).sum();
    if total == 0 || total < t.diversity_min_posts {
        return None;
    }
    let top = breakdown
        .iter()
        .max_by(|a, b| a.posts.cmp(&b.posts).then_with(|| b.content_type.cmp(&a.content_type)))?;
    let share = top.posts as f64 / total as f64;
    if share < t.dominant_share {
        return None;
    }
    build(
        codes::CONTENT_MIX_NARROW,
        vec![("posts", total as f64), ("share_pct", share * 100.0)],
        0,
        vec![("content_type", top.content_type.clone())],
    )
}

/// English name of a weekday (`"Tuesday"`).
pub fn weekday_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// Best slot from a [`BestTime`]: its first ranked slot, when its mean is at least
/// `best_slot_min_lift` × the overall mean (both positive) → [`codes::BEST_SLOT`]; `None`
/// without a ranked slot or a clear lift. Numbers: `weekday` (0 = Monday … 6 = Sunday),
/// `hour` (local, 0–23), `posts` (count in the slot), `mean`, `overall_mean` (the
/// heatmap's unit), `lift` (ratio).
pub fn best_slot(best: &BestTime, t: &Thresholds) -> Option<Recommendation> {
    let slot = best.top.first()?;
    let mean = slot.mean.filter(|m| m.is_finite() && *m > 0.0)?;
    let overall = best.overall_mean.filter(|m| m.is_finite() && *m > 0.0)?;
    let lift = mean / overall;
    if !lift.is_finite() || lift < t.best_slot_min_lift {
        return None;
    }
    build(
        codes::BEST_SLOT,
        vec![
            ("weekday", f64::from(slot.weekday.num_days_from_monday())),
            ("hour", f64::from(slot.hour)),
            ("posts", f64::from(slot.posts)),
            ("mean", mean),
            ("overall_mean", overall),
            ("lift", lift),
        ],
        2,
        vec![
            ("weekday", weekday_name(slot.weekday).to_string()),
            ("hour", format!("{:02}", slot.hour)),
            ("time_zone", best.time_zone.clone()),
        ],
    )
}

/// Growth stall: follower growth percent over the last `growth_weeks` weeks, from the
/// latest `followers` value in the 7 days before `now` (end) and the latest one in the
/// 7 days before `now − growth_weeks` (start). [`codes::GROWTH_STALLED`] when it is at or
/// below `growth_stall_pct`; `None` when it is above, or either end has no value (not
/// enough history to judge). Numbers: `start`, `end` (counts), `weeks`, `growth_pct`,
/// `stall_pct` (percent).
pub fn growth_stall(followers: &[DatedValue], now: DateTime<Utc>, t: &Thresholds) -> Option<Recommendation> {
    if t.growth_weeks == 0 {
        return None;
    }
    let latest_in = |range: TimeRange| {
        followers
            .iter()
            .filter(|d| range.contains(d.at))
            .filter_map(|d| d.value.filter(|v| v.is_finite()).map(|v| (d.at, v)))
            .max_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, v)| v)
    };
    // Half-open ranges ending just after the reference moments, so a snapshot taken
    // exactly at `now` (or at `now − weeks`) counts.
    let tick = TimeDelta::seconds(1);
    let end = latest_in(TimeRange::days_before(now.checked_add_signed(tick)?, 7))?;
    let start_at = now.checked_sub_signed(TimeDelta::weeks(i64::from(t.growth_weeks)))?;
    let start = latest_in(TimeRange::days_before(start_at.checked_add_signed(tick)?, 7))?;
    let growth = follower_growth_pct(start, end)?;
    if growth > t.growth_stall_pct {
        return None;
    }
    build(
        codes::GROWTH_STALLED,
        vec![
            ("start", start),
            ("end", end),
            ("weeks", f64::from(t.growth_weeks)),
            ("growth_pct", growth),
            ("stall_pct", t.growth_stall_pct),
        ],
        2,
        vec![],
    )
}

/// Everything [`recommend`] looks at, for one account (or one group of accounts).
#[derive(Debug, Clone, Copy)]
pub struct RecommendInput<'a> {
    /// The moment to judge at, UTC.
    pub now: DateTime<Utc>,
    /// Publication times of the account's posts, UTC.
    pub published: &'a [DateTime<Utc>],
    /// The account's engagement rate, percent 0–100, by `engagement_base`.
    pub engagement_rate: Option<f64>,
    /// What the engagement rate is divided by.
    pub engagement_base: EngagementBase,
    /// The content-type breakdown of recent posts.
    pub content: &'a [ContentTypeStats],
    /// The best-time heatmap, when computed.
    pub best_time: Option<&'a BestTime>,
    /// Follower snapshots (catalog `followers`), any order.
    pub followers: &'a [DatedValue],
}

/// Runs every rule and returns the recommendations that fire, warnings first (then info,
/// then positive; rule order within a severity).
pub fn recommend(input: &RecommendInput<'_>, t: &Thresholds) -> Vec<Recommendation> {
    let mut out: Vec<Recommendation> = [
        posting_frequency(input.published, input.now, t),
        engagement_band(input.engagement_rate, input.engagement_base, t),
        content_diversity(input.content, t),
        input.best_time.and_then(|b| best_slot(b, t)),
        growth_stall(input.followers, input.now, t),
    ]
    .into_iter()
    .flatten()
    .collect();
    out.sort_by_key(|r| r.severity);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::best_time::{best_time, BestTimeOptions, PostEngagement};
    use chrono::TimeZone;
    use chrono_tz::Tz;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 9, 30, 12, 0, 0).single().unwrap_or_default()
    }

    fn days_ago(d: i64) -> DateTime<Utc> {
        now() - TimeDelta::days(d)
    }

    fn number(r: &Recommendation, name: &str) -> Option<f64> {
        r.numbers.iter().find(|(k, _)| k == name).map(|(_, v)| *v)
    }

    #[test]
    fn every_code_has_one_text_and_no_placeholder_is_left_unfilled() {
        let all = [
            codes::POSTING_FREQUENCY_LOW,
            codes::POSTING_FREQUENCY_HIGH,
            codes::ENGAGEMENT_RATE_LOW,
            codes::ENGAGEMENT_RATE_HIGH,
            codes::CONTENT_MIX_NARROW,
            codes::BEST_SLOT,
            codes::GROWTH_STALLED,
        ];
        for code in all {
            assert_eq!(RULE_TEXTS.iter().filter(|t| t.code == code).count(), 1, "{code}");
        }
        assert_eq!(RULE_TEXTS.len(), all.len());
        assert!(rule_text("nope").is_none());
    }

    fn assert_filled(r: &Recommendation) {
        assert!(!r.title.contains('{') && !r.detail.contains('{'), "{r:?}");
        assert_eq!(rule_text(r.code).map(|t| t.severity), Some(r.severity));
    }

    #[test]
    fn posting_frequency_fires_below_and_above_the_band_only() {
        let t = Thresholds::default();
        let few: Vec<_> = (0..6).map(|i| days_ago(i * 4 + 1)).collect(); // 6 in 4 weeks = 1.5/week
        let r = posting_frequency(&few, now(), &t).expect("low frequency fires");
        assert_eq!(r.code, codes::POSTING_FREQUENCY_LOW);
        assert_eq!(number(&r, "posts_per_week"), Some(1.5));
        assert!(
            r.detail.contains("6 posts") && r.detail.contains("1.5 a week"),
            "{}",
            r.detail
        );
        assert_filled(&r);
        // Old posts do not count.
        let mut old = few.clone();
        old.extend((0..30).map(|i| days_ago(40 + i)));
        assert_eq!(
            posting_frequency(&old, now(), &t).map(|r| r.code),
            Some(codes::POSTING_FREQUENCY_LOW)
        );
        let ok: Vec<_> = (0..28).map(days_ago).collect(); // 7 a week
        assert_eq!(posting_frequency(&ok, now(), &t), None);
        let many: Vec<_> = (0..28 * 4).map(|i| now() - TimeDelta::hours(i * 6 + 1)).collect(); // 28 a week
        let r = posting_frequency(&many, now(), &t).expect("high frequency fires");
        assert_eq!(r.code, codes::POSTING_FREQUENCY_HIGH);
        assert_filled(&r);
    }

    #[test]
    fn engagement_bands() {
        let t = Thresholds::default();
        let low = engagement_band(Some(0.45), EngagementBase::Reach, &t).expect("low fires");
        assert_eq!(
            (low.code, low.severity),
            (codes::ENGAGEMENT_RATE_LOW, Severity::Warning)
        );
        assert!(low.detail.contains("by reach is 0.45 %"), "{}", low.detail);
        assert_filled(&low);
        let high = engagement_band(Some(4.2), EngagementBase::Impressions, &t).expect("high fires");
        assert_eq!(
            (high.code, high.severity),
            (codes::ENGAGEMENT_RATE_HIGH, Severity::Positive)
        );
        assert_filled(&high);
        assert_eq!(engagement_band(Some(2.0), EngagementBase::Reach, &t), None);
        assert_eq!(engagement_band(Some(1.0), EngagementBase::Reach, &t), None);
        assert_eq!(engagement_band(None, EngagementBase::Reach, &t), None);
        assert_eq!(engagement_band(Some(f64::NAN), EngagementBase::Reach, &t), None);
    }

    fn stats(ct: &str, posts: usize) -> ContentTypeStats {
        ContentTypeStats {
            content_type: ct.into(),
            posts,
            share: 0.0,
            posts_with_value: posts,
            total: None,
            mean: None,
            engagement_rate: None,
        }
    }

    #[test]
    fn content_diversity_fires_when_one_type_dominates() {
        let t = Thresholds::default();
        let r = content_diversity(&[stats("image", 9), stats("reel", 1)], &t).expect("fires");
        assert_eq!(r.code, codes::CONTENT_MIX_NARROW);
        assert_eq!(number(&r, "share_pct"), Some(90.0));
        assert!(
            r.detail.starts_with("90 % of your last 10 posts are image"),
            "{}",
            r.detail
        );
        assert_filled(&r);
        assert_eq!(content_diversity(&[stats("image", 6), stats("reel", 4)], &t), None);
        assert_eq!(
            content_diversity(&[stats("image", 3)], &t),
            None,
            "too few posts to judge"
        );
        assert_eq!(content_diversity(&[], &t), None);
    }

    fn heatmap(peak: f64) -> BestTime {
        // Tuesday 2026-09-15 19:00 São Paulo = 22:00 UTC; other posts at Monday 10:00 UTC.
        let mut posts = Vec::new();
        for week in 0..3 {
            let w = TimeDelta::weeks(week);
            let at = |d: u32, h: u32| Utc.with_ymd_and_hms(2026, 9, d, h, 0, 0).single().unwrap_or_default() + w;
            posts.push(PostEngagement {
                account: "a".into(),
                published_at: at(1, 22),
                value: peak,
            });
            posts.push(PostEngagement {
                account: "a".into(),
                published_at: at(7, 13),
                value: 1.0,
            });
        }
        best_time(
            &posts,
            crate::analytics::best_time::DEFAULT_TIME_ZONE,
            now(),
            &BestTimeOptions::default(),
        )
    }

    #[test]
    fn best_slot_fires_with_a_clear_lift() {
        let t = Thresholds::default();
        let r = best_slot(&heatmap(3.0), &t).expect("fires");
        assert_eq!(r.code, codes::BEST_SLOT);
        assert_eq!(r.title, "Best time to post: Tuesday at 19:00");
        assert_eq!(number(&r, "weekday"), Some(1.0));
        assert_eq!(number(&r, "hour"), Some(19.0));
        assert_eq!(number(&r, "lift"), Some(1.5)); // 3 / mean(3, 1)
        assert!(
            r.detail.contains("America/Sao_Paulo") && r.detail.contains("1.50×"),
            "{}",
            r.detail
        );
        assert_filled(&r);
        assert_eq!(best_slot(&heatmap(1.05), &t), None, "no clear lift");
        let empty = best_time(&[], Tz::UTC, now(), &BestTimeOptions::default());
        assert_eq!(best_slot(&empty, &t), None);
    }

    fn series(values: &[(i64, f64)]) -> Vec<DatedValue> {
        values
            .iter()
            .map(|(d, v)| DatedValue {
                at: days_ago(*d),
                value: Some(*v),
            })
            .collect()
    }

    #[test]
    fn growth_stall_fires_at_or_below_the_threshold() {
        let t = Thresholds::default();
        let flat = series(&[(30, 10_000.0), (28, 10_000.0), (14, 10_004.0), (0, 10_005.0)]);
        let r = growth_stall(&flat, now(), &t).expect("stall fires");
        assert_eq!(r.code, codes::GROWTH_STALLED);
        assert_eq!(number(&r, "start"), Some(10_000.0));
        assert_eq!(number(&r, "end"), Some(10_005.0));
        assert!(number(&r, "growth_pct").is_some_and(|g| (g - 0.05).abs() < 1e-9));
        assert!(r.detail.contains("from 10000 to 10005"), "{}", r.detail);
        assert_filled(&r);
        let shrinking = series(&[(28, 10_000.0), (1, 9_900.0)]);
        assert!(growth_stall(&shrinking, now(), &t).is_some());
        let growing = series(&[(28, 10_000.0), (1, 10_300.0)]);
        assert_eq!(growth_stall(&growing, now(), &t), None);
        let short_history = series(&[(10, 10_000.0), (0, 10_000.0)]);
        assert_eq!(growth_stall(&short_history, now(), &t), None, "not enough history");
    }

    #[test]
    fn recommend_runs_every_rule_and_sorts_warnings_first() {
        let published: Vec<_> = (0..4).map(|i| days_ago(i * 7 + 1)).collect();
        let content = [stats("image", 9), stats("reel", 1)];
        let best = heatmap(3.0);
        let followers = series(&[(28, 5_000.0), (0, 5_000.0)]);
        let input = RecommendInput {
            now: now(),
            published: &published,
            engagement_rate: Some(5.0),
            engagement_base: EngagementBase::Reach,
            content: &content,
            best_time: Some(&best),
            followers: &followers,
        };
        let codes: Vec<&str> = recommend(&input, &Thresholds::default())
            .iter()
            .map(|r| r.code)
            .collect();
        assert_eq!(
            codes,
            vec![
                codes::POSTING_FREQUENCY_LOW,
                codes::GROWTH_STALLED,
                codes::CONTENT_MIX_NARROW,
                codes::BEST_SLOT,
                codes::ENGAGEMENT_RATE_HIGH,
            ]
        );
        let json = serde_json::to_value(recommend(&input, &Thresholds::default())).unwrap_or_default();
        assert_eq!(json[0]["severity"], "warning");
        assert_eq!(json[0]["numbers"][0][0], "posts");
    }
}
