//! Sentiment of the stored comments, replies and mentions (issue 17 point 4;
//! docs/comments.md, "Sentiment"): the backfill that scores rows saved before scoring
//! existed or by another model ([`rescore`], run when a workspace opens and by
//! `alcance comments rescore`), and the shares the screens, the REST API and the CLI show
//! ([`summary`]): overall, per post, per local day and per local week.
//!
//! Shares are **ratios 0–1** (`positive_share` 0.25 is a quarter of the scored comments);
//! counts are comments. Comments without text (a mention pushed without it) have no label
//! and are not counted. Scoring happens on the machine with
//! [`alcance_core::sentiment::default_model`]; no text leaves it.

use crate::error::Result;
use crate::workspace::Workspace;
use alcance_core::analytics::best_time::Tz;
use alcance_core::sentiment::{default_model, SentimentShare};
use alcance_store::comments::{CommentFilter, CommentSentiment, CommentsRescored};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use alcance_core::analytics::DEFAULT_TIME_ZONE;
pub use alcance_core::sentiment::SentimentLabel;
pub use alcance_store::comments::CommentsRescored as Rescored;

/// Rows the backfill scores per transaction.
pub const RESCORE_BATCH: u32 = 500;

/// Longest excerpt of a comment's text in a summary, characters.
pub const EXCERPT_CHARS: usize = 280;

/// Scores, with the default model, every stored comment with text that another model (or
/// none) scored — every comment with text when `all` —; clears the score of comments
/// without text. Idempotent: a second call without `all` scores nothing.
/// [`Workspace::open_on`] runs it (without `all`, best effort) on every open.
///
/// Errors: the store (batches written before the failure stay written).
pub async fn rescore(ws: &Workspace, all: bool) -> Result<CommentsRescored> {
    Ok(ws.store().rescore_comments(default_model(), RESCORE_BATCH, all).await?)
}

/// The id of the model comments are scored with (`lexicon-v1`).
pub fn model_id() -> &'static str {
    default_model().id()
}

/// Counts and shares of a set of scored comments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareView {
    /// Positive comments (count).
    pub positive: u64,
    /// Neutral comments (count).
    pub neutral: u64,
    /// Negative comments (count).
    pub negative: u64,
    /// All scored comments (count).
    pub total: u64,
    /// Positive share, ratio 0–1; `None` without a comment.
    pub positive_share: Option<f64>,
    /// Neutral share, ratio 0–1; `None` without a comment.
    pub neutral_share: Option<f64>,
    /// Negative share, ratio 0–1; `None` without a comment.
    pub negative_share: Option<f64>,
    /// Net sentiment, ratio −1 to 1: (positive − negative) / total; `None` without a
    /// comment.
    pub net: Option<f64>,
}

impl From<SentimentShare> for ShareView {
    fn from(s: SentimentShare) -> Self {
        ShareView {
            positive: s.positive,
            neutral: s.neutral,
            negative: s.negative,
            total: s.total(),
            positive_share: s.ratio(SentimentLabel::Positive),
            neutral_share: s.ratio(SentimentLabel::Neutral),
            negative_share: s.ratio(SentimentLabel::Negative),
            net: s.net(),
        }
    }
}

/// The share of one local day or week.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodShare {
    /// The day, or the Monday starting the week: a local date in the summary's time zone.
    pub start: NaiveDate,
    /// The comments written that day or week.
    pub share: ShareView,
}

/// The share of one post's comments and replies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostShare {
    /// `accounts.id`.
    pub account_id: i64,
    /// The platform's post id.
    pub post_external_id: String,
    /// `posts.id`, when the post is stored.
    pub post_id: Option<i64>,
    /// Its comments' share.
    pub share: ShareView,
}

/// A scored comment quoted in a summary (the most liked of its label).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentExcerpt {
    /// `comments.id`.
    pub id: i64,
    /// `accounts.id`.
    pub account_id: i64,
    /// The author's handle, without `@`.
    pub author_handle: Option<String>,
    /// When it was written (UTC).
    pub created_at: DateTime<Utc>,
    /// The first [`EXCERPT_CHARS`] characters of its text (`…` when cut).
    pub text: String,
    /// Likes (count) when last seen.
    pub like_count: Option<i64>,
    /// Its label.
    pub label: SentimentLabel,
    /// Its compound score, −1 to 1.
    pub score: Option<f64>,
    /// The platform's id of the post it is on.
    pub post_external_id: Option<String>,
}

/// Sentiment of the comments matching a filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SentimentSummary {
    /// The model whose labels are counted (`lexicon-v1`).
    pub model: String,
    /// The IANA time zone of the days and weeks.
    pub time_zone: String,
    /// All matching scored comments.
    pub overall: ShareView,
    /// Per local day, from the first comment's day to the last one's, days without a
    /// comment included (zero counts), oldest first.
    pub by_day: Vec<PeriodShare>,
    /// Per local week (Monday to Sunday), the same way.
    pub by_week: Vec<PeriodShare>,
    /// Per post with scored comments, most comments first (then the post id).
    pub by_post: Vec<PostShare>,
    /// The most liked positive comment (the newest of equals).
    pub most_liked_positive: Option<CommentExcerpt>,
    /// The most liked negative comment (the newest of equals).
    pub most_liked_negative: Option<CommentExcerpt>,
}

/// The Monday of the local week holding `day`.
fn monday(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Shares per period start (`key` maps a local day to its period), every period from the
/// first to the last included, stepping `step` days.
fn series(points: &[(NaiveDate, SentimentLabel)], key: fn(NaiveDate) -> NaiveDate, step: i64) -> Vec<PeriodShare> {
    let mut map: BTreeMap<NaiveDate, SentimentShare> = BTreeMap::new();
    for (day, label) in points {
        map.entry(key(*day)).or_default().add(*label);
    }
    let (Some(first), Some(last)) = (map.keys().next().copied(), map.keys().next_back().copied()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut at = first;
    while at <= last {
        out.push(PeriodShare {
            start: at,
            share: map.get(&at).copied().unwrap_or_default().into(),
        });
        match at.checked_add_signed(Duration::days(step)) {
            Some(next) => at = next,
            None => break,
        }
    }
    out
}

/// The excerpt of `row`.
fn excerpt(row: &CommentSentiment) -> CommentExcerpt {
    let text = row.text.as_deref().unwrap_or_default();
    let text = if text.chars().count() > EXCERPT_CHARS {
        let mut cut: String = text.chars().take(EXCERPT_CHARS).collect();
        cut.push('…');
        cut
    } else {
        text.to_string()
    };
    CommentExcerpt {
        id: row.id,
        account_id: row.account_id,
        author_handle: row.author_handle.clone(),
        created_at: row.created_at,
        text,
        like_count: row.like_count,
        label: row.label,
        score: row.score,
        post_external_id: row.post_external_id.clone(),
    }
}

/// The most liked comment of `label` (the newest of equals).
pub fn most_liked(rows: &[CommentSentiment], label: SentimentLabel) -> Option<CommentExcerpt> {
    rows.iter()
        .filter(|r| r.label == label && r.text.as_deref().is_some_and(|t| !t.trim().is_empty()))
        .max_by_key(|r| (r.like_count.unwrap_or(0), r.created_at, r.id))
        .map(excerpt)
}

/// The summary of the scored rows `rows` (as [`alcance_store::Store::comment_sentiments`]
/// reads them), days and weeks local to `tz`. Pure.
pub fn summarize(rows: &[CommentSentiment], tz: Tz) -> SentimentSummary {
    let overall = SentimentShare::of(rows.iter().map(|r| r.label));
    let days: Vec<(NaiveDate, SentimentLabel)> = rows
        .iter()
        .map(|r| (r.created_at.with_timezone(&tz).date_naive(), r.label))
        .collect();
    let mut posts: BTreeMap<(i64, String), (Option<i64>, SentimentShare)> = BTreeMap::new();
    for r in rows {
        if let Some(post) = &r.post_external_id {
            let slot = posts.entry((r.account_id, post.clone())).or_default();
            slot.0 = slot.0.or(r.post_id);
            slot.1.add(r.label);
        }
    }
    let mut by_post: Vec<PostShare> = posts
        .into_iter()
        .map(|((account_id, post_external_id), (post_id, share))| PostShare {
            account_id,
            post_external_id,
            post_id,
            share: share.into(),
        })
        .collect();
    by_post.sort_by(|a, b| {
        b.share
            .total
            .cmp(&a.share.total)
            .then_with(|| a.post_external_id.cmp(&b.post_external_id))
    });
    SentimentSummary {
        model: default_model().id().to_string(),
        time_zone: tz.name().to_string(),
        overall: overall.into(),
        by_day: series(&days, |d| d, 1),
        by_week: series(&days, monday, 7),
        by_post,
        most_liked_positive: most_liked(rows, SentimentLabel::Positive),
        most_liked_negative: most_liked(rows, SentimentLabel::Negative),
    }
}

/// The sentiment of the comments, replies and mentions matching `filter` (its
/// `sentiments` field is ignored: every label is counted): overall, per post, per day and
/// per week local to `tz`. Per campaign: set [`CommentFilter::campaign_id`].
///
/// Errors: [`crate::AppError::InvalidInput`] for `since` not before `until` or a search
/// without a word; the store.
pub async fn summary(ws: &Workspace, filter: &CommentFilter, tz: Tz) -> Result<SentimentSummary> {
    if let (Some(since), Some(until)) = (filter.since, filter.until) {
        if since >= until {
            return Err(crate::AppError::InvalidInput("`since` must be before `until`".into()));
        }
    }
    let filter = CommentFilter {
        sentiments: Vec::new(),
        ..filter.clone()
    };
    let rows = ws.store().comment_sentiments(&filter).await.map_err(|e| match e {
        alcance_store::StoreError::Invalid {
            what: "search", value, ..
        } => crate::AppError::InvalidInput(format!(
            "the search {value:?} has no word to look for (letters or digits)"
        )),
        other => other.into(),
    })?;
    Ok(summarize(&rows, tz))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alcance_core::CommentKind;
    use chrono::TimeZone;
    use SentimentLabel::*;

    fn row(id: i64, post: &str, at: DateTime<Utc>, label: SentimentLabel, likes: i64) -> CommentSentiment {
        CommentSentiment {
            id,
            account_id: 1,
            post_external_id: Some(post.into()),
            post_id: None,
            kind: CommentKind::Comment,
            created_at: at,
            label,
            score: None,
            like_count: Some(likes),
            author_handle: Some(format!("a{id}")),
            text: Some(format!("text {id}")),
        }
    }

    #[test]
    fn days_and_weeks_are_local_with_gaps_and_posts_ranked() {
        let tz: Tz = DEFAULT_TIME_ZONE;
        let utc = |d: u32, h: u32| Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).single().unwrap_or_default();
        // 2 Nov 01:00 UTC is 1 Nov (Sunday) 22:00 in São Paulo.
        let rows = vec![
            row(1, "p1", utc(2, 1), Positive, 3),
            row(2, "p1", utc(2, 12), Negative, 7),
            row(3, "p2", utc(4, 12), Positive, 9),
            row(4, "p1", utc(4, 13), Neutral, 0),
        ];
        let s = summarize(&rows, tz);
        assert_eq!(
            (
                s.overall.positive,
                s.overall.neutral,
                s.overall.negative,
                s.overall.total
            ),
            (2, 1, 1, 4)
        );
        assert_eq!(s.overall.positive_share, Some(0.5));
        assert_eq!(s.overall.net, Some(0.25));
        let days: Vec<(String, u64)> = s.by_day.iter().map(|d| (d.start.to_string(), d.share.total)).collect();
        assert_eq!(
            days,
            [
                ("2026-11-01".to_string(), 1),
                ("2026-11-02".to_string(), 1),
                ("2026-11-03".to_string(), 0),
                ("2026-11-04".to_string(), 2)
            ]
        );
        let weeks: Vec<(String, u64)> = s.by_week.iter().map(|d| (d.start.to_string(), d.share.total)).collect();
        assert_eq!(weeks, [("2026-10-26".to_string(), 1), ("2026-11-02".to_string(), 3)]);
        assert_eq!(s.by_post[0].post_external_id, "p1");
        assert_eq!(s.by_post[0].share.negative_share, Some(1.0 / 3.0));
        assert_eq!(s.by_post[1].share.positive, 1);
        assert_eq!(s.most_liked_positive.map(|e| e.id), Some(3));
        assert_eq!(s.most_liked_negative.map(|e| e.like_count), Some(Some(7)));
        let empty = summarize(&[], tz);
        assert!(empty.by_day.is_empty() && empty.overall.net.is_none() && empty.most_liked_negative.is_none());
    }
}
