//! Derived metrics: engagement rates, the weighted engagement score, follower growth and the
//! campaign money ratios (CTR, conversions per mille, CPM, CPE, cost per conversion, ROI).
//!
//! Every function is pure and total: it returns `None` — never `0`, never a panic, never NaN
//! or ±∞ — when an input is missing (`None`), non-finite, negative where a count or an amount
//! cannot be, when a denominator is `0`, or when the result would not be a finite number.
//! Inputs are `impl Into<Option<f64>>`, so both `ctr(12.0, 800.0)` and
//! `ctr(row.value, other.value)` work. Units are stated per function: percent means 0–100
//! (not clamped: an engagement rate by followers can pass 100), ratio means 0–1 (ROI is a
//! ratio that may be negative or above 1), money is in the campaign's currency.

use serde::{Deserialize, Serialize};

/// A count or money amount that is present, finite and `>= 0`.
fn non_negative(x: impl Into<Option<f64>>) -> Option<f64> {
    x.into().filter(|v| v.is_finite() && *v >= 0.0)
}

/// A denominator that is present, finite and `> 0`.
fn positive(x: impl Into<Option<f64>>) -> Option<f64> {
    x.into().filter(|v| v.is_finite() && *v > 0.0)
}

/// Keeps a result only when it is a finite number (overflow and underflow to ±∞ give `None`).
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// `part / whole`, both validated: `part >= 0`, `whole > 0`, result finite.
fn ratio(part: impl Into<Option<f64>>, whole: impl Into<Option<f64>>) -> Option<f64> {
    finite(non_negative(part)? / positive(whole)?)
}

/// What an engagement rate is divided by.
///
/// Serialized as `"reach"`, `"impressions"`, `"followers"`; the default is
/// [`EngagementBase::Reach`] (distinct accounts that saw the content, the most meaningful
/// base where a platform serves it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngagementBase {
    /// Distinct accounts reached (catalog `reach`: IG / FB / TikTok insights).
    #[default]
    Reach,
    /// Times the content was shown (catalog `impressions`: X `impression_count`).
    Impressions,
    /// Followers of the account (catalog `followers`), the base public benchmarks use.
    Followers,
}

impl EngagementBase {
    /// Every base, in declaration order.
    pub const ALL: [EngagementBase; 3] = [
        EngagementBase::Reach,
        EngagementBase::Impressions,
        EngagementBase::Followers,
    ];

    /// The catalog key of the denominator (`"reach"`, `"impressions"`, `"followers"`).
    pub fn metric_key(self) -> &'static str {
        match self {
            EngagementBase::Reach => "reach",
            EngagementBase::Impressions => "impressions",
            EngagementBase::Followers => "followers",
        }
    }
}

/// The possible denominators of an engagement rate for one post or one period, each in
/// counts and `None` when unknown. Source: catalog `reach`, `impressions`, `followers`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Exposure {
    /// Distinct accounts reached (count).
    pub reach: Option<f64>,
    /// Times shown (count).
    pub impressions: Option<f64>,
    /// Followers of the account at the time (count).
    pub followers: Option<f64>,
}

impl Exposure {
    /// The count `base` names, as stored (not validated: see [`engagement_rate`]).
    pub fn get(&self, base: EngagementBase) -> Option<f64> {
        match base {
            EngagementBase::Reach => self.reach,
            EngagementBase::Impressions => self.impressions,
            EngagementBase::Followers => self.followers,
        }
    }
}

/// Engagement rate, **percent 0–100**: `interactions / denominator × 100`.
///
/// `interactions` is a count of likes, comments, shares, saves, replies, reposts, quotes
/// (see [`crate::analytics::posts::INTERACTION_KEYS`]); `denominator` is reach, impressions or
/// followers (counts). `None` when either is missing or non-finite, `interactions < 0`, or
/// `denominator <= 0`. Not clamped: interactions above the denominator (possible by
/// followers) give more than 100.
pub fn engagement_rate(interactions: impl Into<Option<f64>>, denominator: impl Into<Option<f64>>) -> Option<f64> {
    finite(ratio(interactions, denominator)? * 100.0)
}

/// Engagement rate by the chosen base, **percent 0–100**:
/// `interactions / exposure[base] × 100` (see [`engagement_rate`] for the `None` rules).
pub fn engagement_rate_by(
    base: EngagementBase,
    interactions: impl Into<Option<f64>>,
    exposure: &Exposure,
) -> Option<f64> {
    engagement_rate(interactions, exposure.get(base))
}

/// Weights of the weighted engagement score, points per action. Serialized with every field
/// optional in input (`#[serde(default)]`): a missing field keeps its default.
///
/// Defaults (Alcance's, not a platform's): likes 1, reposts 2, replies 3, quotes 2 (the
/// brief's X weights); comments 3 (a comment is a reply), shares 2 (a share is a repost),
/// saves 2 and bookmarks 2 (a save signals intent like a repost).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EngagementWeights {
    /// Points per like.
    pub likes: f64,
    /// Points per repost / retweet.
    pub reposts: f64,
    /// Points per reply (X replies, IG story replies).
    pub replies: f64,
    /// Points per quote post.
    pub quotes: f64,
    /// Points per comment.
    pub comments: f64,
    /// Points per save.
    pub saves: f64,
    /// Points per share.
    pub shares: f64,
    /// Points per bookmark (X).
    pub bookmarks: f64,
}

impl Default for EngagementWeights {
    fn default() -> Self {
        EngagementWeights {
            likes: 1.0,
            reposts: 2.0,
            replies: 3.0,
            quotes: 2.0,
            comments: 3.0,
            saves: 2.0,
            shares: 2.0,
            bookmarks: 2.0,
        }
    }
}

/// Action counts of one post or period, `None` where the platform serves no such count.
/// Keys are the catalog's (`likes`, `reposts`, `replies`, `quotes`, `comments`, `saves`,
/// `shares`, `bookmarks`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EngagementCounts {
    /// Likes (count).
    pub likes: Option<f64>,
    /// Reposts (count).
    pub reposts: Option<f64>,
    /// Replies (count).
    pub replies: Option<f64>,
    /// Quote posts (count).
    pub quotes: Option<f64>,
    /// Comments (count).
    pub comments: Option<f64>,
    /// Saves (count).
    pub saves: Option<f64>,
    /// Shares (count).
    pub shares: Option<f64>,
    /// Bookmarks (count).
    pub bookmarks: Option<f64>,
}

impl EngagementCounts {
    /// Reads the counts from catalog-keyed values (`metric key → value`); other keys are
    /// ignored.
    pub fn from_metrics<'a>(metrics: impl IntoIterator<Item = (&'a str, f64)>) -> EngagementCounts {
        let mut c = EngagementCounts::default();
        for (key, value) in metrics {
            let slot = match key {
                "likes" => &mut c.likes,
                "reposts" => &mut c.reposts,
                "replies" => &mut c.replies,
                "quotes" => &mut c.quotes,
                "comments" => &mut c.comments,
                "saves" => &mut c.saves,
                "shares" => &mut c.shares,
                "bookmarks" => &mut c.bookmarks,
                _ => continue,
            };
            *slot = Some(value);
        }
        c
    }

    fn pairs(&self, w: &EngagementWeights) -> [(Option<f64>, f64); 8] {
        [
            (self.likes, w.likes),
            (self.reposts, w.reposts),
            (self.replies, w.replies),
            (self.quotes, w.quotes),
            (self.comments, w.comments),
            (self.saves, w.saves),
            (self.shares, w.shares),
            (self.bookmarks, w.bookmarks),
        ]
    }
}

/// Weighted engagement score, **points** (a weighted count):
/// `Σ weight(action) × count(action)` over the actions whose count is present.
///
/// `None` when no count is present, when a present count is negative or non-finite, when a
/// weight is negative or non-finite, or when the sum overflows. Absent counts add nothing
/// (they are unknown, not zero).
pub fn weighted_engagement(counts: &EngagementCounts, weights: &EngagementWeights) -> Option<f64> {
    let mut total = 0.0;
    let mut any = false;
    for (count, weight) in counts.pairs(weights) {
        let Some(count) = count else { continue };
        let count = non_negative(count)?;
        let weight = non_negative(weight)?;
        total += count * weight;
        any = true;
    }
    if any {
        finite(total)
    } else {
        None
    }
}

/// Follower growth, **count** (may be negative): `end − start`, both follower counts
/// (catalog `followers` snapshots at the start and end of the period).
/// `None` when either is missing, negative or non-finite.
pub fn follower_growth(start: impl Into<Option<f64>>, end: impl Into<Option<f64>>) -> Option<f64> {
    finite(non_negative(end)? - non_negative(start)?)
}

/// Follower growth, **percent** (may be negative; 100 means the count doubled):
/// `(end − start) / start × 100`. `None` when either is missing, negative or non-finite, or
/// `start == 0`.
pub fn follower_growth_pct(start: impl Into<Option<f64>>, end: impl Into<Option<f64>>) -> Option<f64> {
    let start = positive(start)?;
    finite((non_negative(end)? - start) / start * 100.0)
}

/// Click-through rate, **percent 0–100**: `clicks / impressions × 100` (catalog
/// `link_clicks` over `impressions`). `None` when `clicks < 0`, `impressions <= 0`, or
/// either is missing or non-finite.
pub fn ctr(clicks: impl Into<Option<f64>>, impressions: impl Into<Option<f64>>) -> Option<f64> {
    finite(ratio(clicks, impressions)? * 100.0)
}

/// Conversions per 1,000 impressions, **count per mille**: `conversions / impressions × 1000`.
/// `None` when `conversions < 0`, `impressions <= 0`, or either is missing or non-finite.
pub fn conversions_per_mille(conversions: impl Into<Option<f64>>, impressions: impl Into<Option<f64>>) -> Option<f64> {
    finite(ratio(conversions, impressions)? * 1000.0)
}

/// Cost per mille (CPM), **money per 1,000 impressions** in the campaign currency:
/// `cost / impressions × 1000`. `None` when `cost < 0`, `impressions <= 0`, or either is
/// missing or non-finite.
pub fn cpm(cost: impl Into<Option<f64>>, impressions: impl Into<Option<f64>>) -> Option<f64> {
    finite(ratio(cost, impressions)? * 1000.0)
}

/// Cost per engagement (CPE), **money per interaction** in the campaign currency:
/// `cost / engagements`. `None` when `cost < 0`, `engagements <= 0`, or either is missing
/// or non-finite.
pub fn cpe(cost: impl Into<Option<f64>>, engagements: impl Into<Option<f64>>) -> Option<f64> {
    ratio(cost, engagements)
}

/// Cost per conversion (CPA), **money per conversion** in the campaign currency:
/// `cost / conversions`. `None` when `cost < 0`, `conversions <= 0`, or either is missing
/// or non-finite.
pub fn cost_per_conversion(cost: impl Into<Option<f64>>, conversions: impl Into<Option<f64>>) -> Option<f64> {
    ratio(cost, conversions)
}

/// Return on investment, **ratio** (0.25 = 25 % gain, −1 = everything lost, may exceed 1):
/// `(revenue − cost) / cost`, both in the campaign currency. `None` when `revenue < 0`,
/// `cost <= 0`, or either is missing or non-finite.
pub fn roi(revenue: impl Into<Option<f64>>, cost: impl Into<Option<f64>>) -> Option<f64> {
    let cost = positive(cost)?;
    finite((non_negative(revenue)? - cost) / cost)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() <= 1e-9 * b.abs().max(1.0))
    }

    #[test]
    fn worked_examples() {
        assert!(close(engagement_rate(50.0, 1000.0), 5.0));
        assert!(close(ctr(8.0, 400.0), 2.0));
        assert!(close(conversions_per_mille(3.0, 1500.0), 2.0));
        assert!(close(cpm(25.0, 10_000.0), 2.5));
        assert!(close(cpe(30.0, 120.0), 0.25));
        assert!(close(cost_per_conversion(90.0, 4.0), 22.5));
        assert!(close(roi(150.0, 100.0), 0.5));
        assert!(close(roi(40.0, 100.0), -0.6));
        assert!(close(follower_growth(1000.0, 1030.0), 30.0));
        assert!(close(follower_growth(1000.0, 990.0), -10.0));
        assert!(close(follower_growth_pct(1000.0, 1030.0), 3.0));
        assert!(close(follower_growth_pct(1000.0, 990.0), -1.0));
    }

    #[test]
    fn zero_missing_negative_and_non_finite_inputs_give_none_not_zero() {
        assert_eq!(engagement_rate(10.0, 0.0), None);
        assert_eq!(engagement_rate(10.0, -5.0), None);
        assert_eq!(engagement_rate(-1.0, 100.0), None);
        assert_eq!(engagement_rate(None, 100.0), None);
        assert_eq!(engagement_rate(10.0, None), None);
        assert_eq!(engagement_rate(f64::NAN, 100.0), None);
        assert_eq!(engagement_rate(10.0, f64::INFINITY), None);
        assert_eq!(ctr(1.0, 0.0), None);
        assert_eq!(cpm(10.0, 0.0), None);
        assert_eq!(cpm(-10.0, 100.0), None);
        assert_eq!(cpe(10.0, 0.0), None);
        assert_eq!(cost_per_conversion(10.0, 0.0), None);
        assert_eq!(conversions_per_mille(1.0, 0.0), None);
        assert_eq!(roi(100.0, 0.0), None);
        assert_eq!(roi(-1.0, 10.0), None);
        assert_eq!(follower_growth_pct(0.0, 10.0), None);
        assert_eq!(follower_growth(None, 10.0), None);
        // Zero numerators are real zeros.
        assert_eq!(engagement_rate(0.0, 100.0), Some(0.0));
        assert_eq!(cpm(0.0, 100.0), Some(0.0));
        // Overflow is not a number.
        assert_eq!(engagement_rate(1e308, 1e-300), None);
    }

    #[test]
    fn the_base_picks_the_denominator() {
        let exposure = Exposure {
            reach: Some(200.0),
            impressions: Some(400.0),
            followers: None,
        };
        assert!(close(engagement_rate_by(EngagementBase::Reach, 10.0, &exposure), 5.0));
        assert!(close(
            engagement_rate_by(EngagementBase::Impressions, 10.0, &exposure),
            2.5
        ));
        assert_eq!(engagement_rate_by(EngagementBase::Followers, 10.0, &exposure), None);
        assert_eq!(EngagementBase::default(), EngagementBase::Reach);
        for base in EngagementBase::ALL {
            let json = serde_json::to_string(&base).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", base.metric_key()));
        }
    }

    #[test]
    fn weighted_score_uses_defaults_and_skips_absent_counts() {
        let counts = EngagementCounts {
            likes: Some(10.0),
            reposts: Some(2.0),
            replies: Some(1.0),
            quotes: Some(1.0),
            ..EngagementCounts::default()
        };
        // 10·1 + 2·2 + 1·3 + 1·2
        assert!(close(weighted_engagement(&counts, &EngagementWeights::default()), 19.0));
        assert_eq!(
            weighted_engagement(&EngagementCounts::default(), &EngagementWeights::default()),
            None
        );
        let bad = EngagementCounts {
            likes: Some(-1.0),
            ..counts
        };
        assert_eq!(weighted_engagement(&bad, &EngagementWeights::default()), None);
        let from = EngagementCounts::from_metrics([("likes", 4.0), ("saves", 1.0), ("reach", 99.0)]);
        assert_eq!(from.likes, Some(4.0));
        assert_eq!(from.saves, Some(1.0));
        assert!(close(weighted_engagement(&from, &EngagementWeights::default()), 6.0));
    }

    #[test]
    fn weights_deserialize_partially_and_round_trip() {
        let w: EngagementWeights = serde_json::from_str(r#"{"likes": 0.5, "saves": 4}"#).unwrap_or_default();
        assert_eq!(w.likes, 0.5);
        assert_eq!(w.saves, 4.0);
        assert_eq!(w.replies, 3.0);
        let back: EngagementWeights =
            serde_json::from_str(&serde_json::to_string(&w).unwrap_or_default()).unwrap_or_default();
        assert_eq!(back, w);
    }

    fn any_input() -> impl Strategy<Value = Option<f64>> {
        prop_oneof![
            Just(None),
            any::<f64>().prop_map(Some),
            (-1e12..1e12f64).prop_map(Some),
            Just(Some(0.0)),
        ]
    }

    proptest! {
        #[test]
        fn results_are_none_or_finite(a in any_input(), b in any_input()) {
            for r in [
                engagement_rate(a, b), ctr(a, b), conversions_per_mille(a, b), cpm(a, b), cpe(a, b),
                cost_per_conversion(a, b), roi(a, b), follower_growth(a, b), follower_growth_pct(a, b),
            ] {
                prop_assert!(r.is_none_or(f64::is_finite), "{r:?}");
            }
        }

        #[test]
        fn a_non_positive_denominator_is_none(a in 0.0..1e9f64, d in -1e9..=0.0f64) {
            prop_assert_eq!(engagement_rate(a, d), None);
            prop_assert_eq!(ctr(a, d), None);
            prop_assert_eq!(cpm(a, d), None);
            prop_assert_eq!(cpe(a, d), None);
            prop_assert_eq!(cost_per_conversion(a, d), None);
            prop_assert_eq!(roi(a, d), None);
        }

        #[test]
        fn rates_stay_within_0_and_100_when_the_part_fits(whole in 1.0..1e9f64, share in 0.0..=1.0f64) {
            let part = whole * share;
            let r = engagement_rate(part, whole);
            prop_assert!(r.is_some_and(|r| (0.0..=100.0 + 1e-9).contains(&r)));
            prop_assert!(close(r, share * 100.0));
        }

        #[test]
        fn rates_are_scale_invariant(part in 0.0..1e6f64, whole in 1.0..1e6f64, k in 0.01..1000.0f64) {
            let a = engagement_rate(part, whole).unwrap_or(f64::NAN);
            let b = engagement_rate(part * k, whole * k).unwrap_or(f64::NAN);
            prop_assert!((a - b).abs() <= 1e-9 * a.abs().max(1.0));
        }

        #[test]
        fn money_ratios_agree(cost in 0.0..1e7f64, impressions in 1.0..1e9f64, conversions in 1.0..1e6f64) {
            // CPM / 1000 × impressions = cost; CPA × conversions = cost.
            let back = cpm(cost, impressions).unwrap_or(f64::NAN) / 1000.0 * impressions;
            prop_assert!((back - cost).abs() <= 1e-6 * cost.max(1.0));
            let back = cost_per_conversion(cost, conversions).unwrap_or(f64::NAN) * conversions;
            prop_assert!((back - cost).abs() <= 1e-6 * cost.max(1.0));
        }

        #[test]
        fn roi_sign_follows_profit(revenue in 0.0..1e9f64, cost in 0.01..1e9f64) {
            let r = roi(revenue, cost).unwrap_or(f64::NAN);
            prop_assert!(r >= -1.0);
            prop_assert_eq!(r > 0.0, revenue > cost);
        }

        #[test]
        fn growth_pct_matches_growth(start in 1.0..1e8f64, end in 0.0..1e8f64) {
            let abs = follower_growth(start, end).unwrap_or(f64::NAN);
            let pct = follower_growth_pct(start, end).unwrap_or(f64::NAN);
            prop_assert!((abs / start * 100.0 - pct).abs() <= 1e-9 * pct.abs().max(1.0));
        }
    }
}
