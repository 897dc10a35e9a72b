//! Hashtag performance over the workspace's own posts (issue 17 point 2): every hashtag
//! the filtered posts' captions carry ([`alcance_core::analytics::tags`]), with the posts'
//! latest lifetime metrics summed. No API call: captions and metrics are what collection
//! stored.

use super::dashboard::latest_by_post;
use super::posts::rates;
use super::ViewFilter;
use crate::error::Result;
use crate::workspace::Workspace;
use alcance_core::analytics::tags::post_tags;
use alcance_store::RowFilter;
use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One hashtag's performance over the posts that carry it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HashtagPerformance {
    /// The hashtag's key, `#` included, lower-case NFC (`"#verão"`): `#Verão` and `#verão`
    /// are one hashtag.
    pub hashtag: String,
    /// Posts carrying it. A count.
    pub posts: u32,
    /// Accounts that used it. A count.
    pub accounts: u32,
    /// Σ of the posts' latest `reach`, over the posts that have one; `None` when none has.
    /// A count (a person reached by two posts counts twice).
    pub reach: Option<f64>,
    /// Σ of the posts' latest views (`views`, else `impressions`, as in the posts table);
    /// `None` when none has. A count.
    pub views: Option<f64>,
    /// Σ of the posts' latest `impressions` (X, Facebook, LinkedIn serve them; Instagram no
    /// longer does), over the posts that have one; `None` when none has. A count.
    pub impressions: Option<f64>,
    /// Σ of the posts' latest interactions (likes, comments, replies, reposts, quotes,
    /// saves, shares); `None` when none has. A count.
    pub interactions: Option<f64>,
    /// Σ interactions ÷ Σ views × 100 over the posts that have both; `None` without any
    /// such post or with 0 views. Percent 0–100.
    pub engagement_rate: Option<f64>,
    /// Σ interactions ÷ the posts that have interactions. Interactions per post.
    pub mean_interactions: Option<f64>,
    /// First and last publication of a post carrying it, UTC.
    pub first_used: Option<DateTime<Utc>>,
    /// See `first_used`.
    pub last_used: Option<DateTime<Utc>>,
    /// Per UTC week (Monday) in which a post carrying it was published: the posts and
    /// their interactions, oldest week first (the hashtag's trend).
    pub weeks: Vec<HashtagWeek>,
}

/// A hashtag's posts of one UTC week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HashtagWeek {
    /// The week's Monday, UTC.
    pub week: NaiveDate,
    /// Posts published that week carrying the hashtag. A count.
    pub posts: u32,
    /// Their latest interactions, summed; `None` when none has. A count.
    pub interactions: Option<f64>,
}

/// The hashtags of the filtered accounts' posts published in `[since, until)` (every post
/// when unbounded), each with its posts' latest metrics collected before `until`; most
/// interactions first, then most posts, then by name. Posts without a caption or a
/// hashtag count for none.
///
/// Errors: [`super::ViewError`] for a bad filter; store errors.
pub async fn hashtags(ws: &Workspace, filter: &ViewFilter) -> Result<Vec<HashtagPerformance>> {
    let base = filter.accounts_filter()?;
    let store = ws.store();
    let rows = store
        .posts(&RowFilter {
            since: filter.since,
            until: filter.until,
            ..base
        })
        .await?;
    let tagged: Vec<(&alcance_store::PostRow, Vec<String>)> = rows
        .iter()
        .filter_map(|p| {
            let tags = post_tags(p.caption.as_deref()?).hashtags;
            (!tags.is_empty()).then_some((p, tags))
        })
        .collect();
    let ids: Vec<i64> = tagged.iter().map(|(p, _)| p.id).collect();
    let latest = latest_by_post(store.latest_post_values(&ids, None, filter.until).await?);
    Ok(performance(tagged.iter().map(|(p, tags)| {
        let metrics = latest.get(&p.id);
        let metric = |name: &str| metrics.and_then(|m| m.get(name).copied());
        let (views, interactions, _) = rates(metric);
        TaggedPost {
            account_id: p.account_id,
            published_at: p.published_at,
            hashtags: tags.as_slice(),
            reach: metric("reach"),
            impressions: metric("impressions"),
            views,
            interactions,
        }
    })))
}

/// A post's part in the sums.
struct TaggedPost<'a> {
    account_id: i64,
    published_at: Option<DateTime<Utc>>,
    hashtags: &'a [String],
    reach: Option<f64>,
    impressions: Option<f64>,
    views: Option<f64>,
    interactions: Option<f64>,
}

#[derive(Default)]
struct Sums {
    posts: u32,
    accounts: HashSet<i64>,
    reach: Option<f64>,
    impressions: Option<f64>,
    views: Option<f64>,
    interactions: Option<f64>,
    posts_with_interactions: u32,
    rate_interactions: f64,
    rate_views: f64,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
    weeks: BTreeMap<NaiveDate, (u32, Option<f64>)>,
}

fn add(total: &mut Option<f64>, v: Option<f64>) {
    if let Some(v) = v.filter(|v| v.is_finite()) {
        *total = Some(total.unwrap_or(0.0) + v);
    }
}

fn performance<'a>(posts: impl Iterator<Item = TaggedPost<'a>>) -> Vec<HashtagPerformance> {
    let mut by_tag: HashMap<&'a str, Sums> = HashMap::new();
    for p in posts {
        for tag in p.hashtags {
            let s = by_tag.entry(tag.as_str()).or_default();
            s.posts += 1;
            s.accounts.insert(p.account_id);
            add(&mut s.reach, p.reach);
            add(&mut s.impressions, p.impressions);
            add(&mut s.views, p.views);
            add(&mut s.interactions, p.interactions);
            if p.interactions.is_some_and(f64::is_finite) {
                s.posts_with_interactions += 1;
            }
            if let (Some(i), Some(v)) = (p.interactions, p.views) {
                if i.is_finite() && v.is_finite() {
                    s.rate_interactions += i;
                    s.rate_views += v;
                }
            }
            if let Some(at) = p.published_at {
                s.first = Some(s.first.map_or(at, |f| f.min(at)));
                s.last = Some(s.last.map_or(at, |l| l.max(at)));
                let day = at.date_naive();
                let monday = day - TimeDelta::days(i64::from(day.weekday().num_days_from_monday()));
                let week = s.weeks.entry(monday).or_insert((0, None));
                week.0 += 1;
                add(&mut week.1, p.interactions);
            }
        }
    }
    let mut out: Vec<HashtagPerformance> = by_tag
        .into_iter()
        .map(|(tag, s)| HashtagPerformance {
            hashtag: tag.to_string(),
            posts: s.posts,
            accounts: u32::try_from(s.accounts.len()).unwrap_or(u32::MAX),
            reach: s.reach,
            impressions: s.impressions,
            views: s.views,
            interactions: s.interactions,
            engagement_rate: (s.rate_views > 0.0).then(|| s.rate_interactions / s.rate_views * 100.0),
            mean_interactions: s
                .interactions
                .filter(|_| s.posts_with_interactions > 0)
                .map(|i| i / f64::from(s.posts_with_interactions)),
            first_used: s.first,
            last_used: s.last,
            weeks: s
                .weeks
                .into_iter()
                .map(|(week, (posts, interactions))| HashtagWeek {
                    week,
                    posts,
                    interactions,
                })
                .collect(),
        })
        .collect();
    out.sort_by(|a, b| {
        b.interactions
            .unwrap_or(-1.0)
            .total_cmp(&a.interactions.unwrap_or(-1.0))
            .then(b.posts.cmp(&a.posts))
            .then_with(|| a.hashtag.cmp(&b.hashtag))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32) -> Option<DateTime<Utc>> {
        Utc.with_ymd_and_hms(2026, 11, day, 12, 0, 0).single()
    }

    #[test]
    fn sums_rates_and_weeks_follow_the_posts_that_carry_each_hashtag() {
        let verao = ["#verão".to_string(), "#praia".to_string()];
        let praia = ["#praia".to_string()];
        let posts = vec![
            // Monday 2026-11-16.
            TaggedPost {
                account_id: 1,
                published_at: at(16),
                hashtags: &verao,
                reach: Some(1000.0),
                impressions: Some(2400.0),
                views: Some(2000.0),
                interactions: Some(100.0),
            },
            // Sunday 2026-11-22: the same week.
            TaggedPost {
                account_id: 2,
                published_at: at(22),
                hashtags: &praia,
                reach: None,
                impressions: None,
                views: Some(500.0),
                interactions: Some(50.0),
            },
            // Monday 2026-11-23, no metrics yet: counted as a post, not in the sums.
            TaggedPost {
                account_id: 1,
                published_at: at(23),
                hashtags: &praia,
                reach: None,
                impressions: None,
                views: None,
                interactions: None,
            },
        ];
        let out = performance(posts.into_iter());
        let tags: Vec<&str> = out.iter().map(|h| h.hashtag.as_str()).collect();
        assert_eq!(tags, ["#praia", "#verão"], "most interactions first");
        let praia = &out[0];
        assert_eq!((praia.posts, praia.accounts), (3, 2));
        assert_eq!(praia.reach, Some(1000.0));
        assert_eq!(praia.impressions, Some(2400.0), "only the post that has impressions");
        assert_eq!(praia.views, Some(2500.0));
        assert_eq!(praia.interactions, Some(150.0));
        // 150 / 2,500 × 100 over the two posts with both; 150 over the two posts with
        // interactions.
        assert_eq!(praia.engagement_rate, Some(6.0));
        assert_eq!(praia.mean_interactions, Some(75.0));
        assert_eq!((praia.first_used, praia.last_used), (at(16), at(23)));
        let week = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).expect("day");
        assert_eq!(
            praia.weeks,
            [
                HashtagWeek {
                    week: week(16),
                    posts: 2,
                    interactions: Some(150.0)
                },
                HashtagWeek {
                    week: week(23),
                    posts: 1,
                    interactions: None
                },
            ]
        );
        let verao = &out[1];
        assert_eq!((verao.posts, verao.engagement_rate), (1, Some(5.0)));
    }

    #[test]
    fn no_views_means_no_rate_never_zero() {
        let tag = ["#x".to_string()];
        let out = performance(
            [TaggedPost {
                account_id: 1,
                published_at: None,
                hashtags: &tag,
                reach: None,
                impressions: None,
                views: Some(0.0),
                interactions: Some(3.0),
            }]
            .into_iter(),
        );
        assert_eq!(out[0].engagement_rate, None);
        assert_eq!(out[0].mean_interactions, Some(3.0));
        assert!(out[0].weeks.is_empty() && out[0].first_used.is_none());
    }
}
