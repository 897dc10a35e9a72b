//! The weekly report's "Top hashtags" and "Mentions and sentiment" sections (issue 17
//! points 2–4), placed right after the top posts.
//!
//! - **Top hashtags** ([`top_hashtags`]): every hashtag the captions of the week's own
//!   posts carry ([`alcance_core::analytics::tags::post_tags`]; posts of tracked accounts
//!   only when no account is owned, as the recommendations), with the posts' latest
//!   lifetime reach, impressions and interactions summed and the engagement rate by reach
//!   (percent 0–100, Σ interactions / Σ reach × 100 over the posts that have both); plus,
//!   for a tracked hashtag, its X post volume over the week (`/2/tweets/counts/recent`,
//!   when collected). Most interactions first.
//! - **Mentions and sentiment** ([`mentions_section`]): the comments, replies, mentions
//!   and tags received this week and the week before (by their `created_at`, UTC weeks as
//!   the report's), the sentiment shares of those with text (ratios 0–1), the
//!   week-over-week change of each share (percentage points, −100 to 100), and the most
//!   liked positive and negative comments of the week (excerpts).
//!
//! Pure: the caller reads the comments and volumes ([`VoicesInput`]).

use super::truncate_chars;
use alcance_core::analytics::derived::engagement_rate;
use alcance_core::analytics::posts::{PostMetrics, TimeRange};
use alcance_core::analytics::tags::post_tags;
use alcance_core::sentiment::{SentimentLabel, SentimentShare};
use alcance_core::{CommentKind, Platform};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Most hashtags in "Top hashtags".
pub const TOP_HASHTAGS: usize = 10;

/// Longest quoted comment, characters.
pub const QUOTE_CHARS: usize = 200;

/// One stored comment, reply, mention or tag, as the section reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct VoiceComment {
    /// The platform of the account it belongs to.
    pub platform: Platform,
    /// Comment, reply, mention or tag.
    pub kind: CommentKind,
    /// When it was written, UTC.
    pub created_at: DateTime<Utc>,
    /// Its sentiment label; `None` without text.
    pub label: Option<SentimentLabel>,
    /// Likes (count).
    pub like_count: Option<i64>,
    /// The author's handle, without `@`.
    pub author_handle: Option<String>,
    /// Its text.
    pub text: Option<String>,
}

/// A tracked hashtag's X post volume over the week (sum of the day buckets of
/// `/2/tweets/counts/recent`).
#[derive(Debug, Clone, PartialEq)]
pub struct TagVolume {
    /// The hashtag's key, `#` included, lower-case (`#verão`).
    pub hashtag: String,
    /// Posts on X in the week (count).
    pub posts: f64,
}

/// What the sections read besides the report's own rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VoicesInput {
    /// The comments of this week and the week before (others are ignored).
    pub comments: Vec<VoiceComment>,
    /// Tracked hashtags' X volume over the week.
    pub tag_volume: Vec<TagVolume>,
}

/// One line of "Top hashtags".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HashtagLine {
    /// The hashtag's key, `#` included, lower-case NFC.
    pub hashtag: String,
    /// The week's own posts carrying it (count).
    pub posts: usize,
    /// Σ latest reach of those posts that have one (count); `None` when none has.
    pub reach: Option<f64>,
    /// Σ latest impressions (count); `None` when none has.
    pub impressions: Option<f64>,
    /// Σ latest interactions (count); `None` when none has.
    pub interactions: Option<f64>,
    /// Engagement rate by reach, percent 0–100 (Σ interactions / Σ reach × 100 over the
    /// posts that have both).
    pub engagement_rate_by_reach: Option<f64>,
    /// X posts using it this week (count), for a tracked hashtag whose volume was
    /// collected; `None` otherwise.
    pub x_volume: Option<f64>,
}

/// Counts and shares of one week's scored comments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct WeekSentiment {
    /// Comments, replies, mentions and tags received (count), scored or not.
    pub received: u64,
    /// Positive (count).
    pub positive: u64,
    /// Neutral (count).
    pub neutral: u64,
    /// Negative (count).
    pub negative: u64,
    /// Positive share of the scored ones, ratio 0–1; `None` without one.
    pub positive_share: Option<f64>,
    /// Neutral share, ratio 0–1.
    pub neutral_share: Option<f64>,
    /// Negative share, ratio 0–1.
    pub negative_share: Option<f64>,
}

impl WeekSentiment {
    fn of<'c>(comments: impl Iterator<Item = &'c VoiceComment>) -> Self {
        let mut received = 0u64;
        let mut share = SentimentShare::default();
        for c in comments {
            received += 1;
            if let Some(label) = c.label {
                share.add(label);
            }
        }
        WeekSentiment {
            received,
            positive: share.positive,
            neutral: share.neutral,
            negative: share.negative,
            positive_share: share.ratio(SentimentLabel::Positive),
            neutral_share: share.ratio(SentimentLabel::Neutral),
            negative_share: share.ratio(SentimentLabel::Negative),
        }
    }
}

/// A quoted comment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuotedComment {
    /// Platform.
    pub platform: Platform,
    /// The author's handle, without `@`.
    pub author_handle: Option<String>,
    /// When it was written, UTC.
    pub created_at: DateTime<Utc>,
    /// Likes (count).
    pub like_count: Option<i64>,
    /// Its text on one line, at most [`QUOTE_CHARS`] characters (the last one `…` when
    /// cut).
    pub excerpt: String,
}

/// "Mentions and sentiment".
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MentionsSection {
    /// This week.
    pub week: WeekSentiment,
    /// The week before.
    pub previous_week: WeekSentiment,
    /// This week's received comments per kind (`comment`, `reply`, `mention`, `tag`), in
    /// that order, kinds without one left out.
    pub by_kind: Vec<(CommentKind, u64)>,
    /// Change of the positive share, percentage points (−100 to 100); `None` when a week
    /// has no scored comment.
    pub positive_change_points: Option<f64>,
    /// Change of the negative share, percentage points.
    pub negative_change_points: Option<f64>,
    /// The week's most liked positive comment (the newest of equals).
    pub most_liked_positive: Option<QuotedComment>,
    /// The week's most liked negative comment.
    pub most_liked_negative: Option<QuotedComment>,
}

/// "Top hashtags" of `week_posts` (the week's posts, every account) with their `captions`
/// (by platform, account id and post id): own posts only when `owned` names any account
/// (`(platform, user_id)`), at most [`TOP_HASHTAGS`], most interactions first, then most
/// posts, then by name; `volume` adds the X volume of tracked hashtags.
pub fn top_hashtags(
    week_posts: &[PostMetrics],
    captions: &HashMap<(Platform, &str, &str), &str>,
    owned: &HashSet<(Platform, String)>,
    volume: &[TagVolume],
) -> Vec<HashtagLine> {
    #[derive(Default)]
    struct Sums {
        posts: usize,
        reach: Option<f64>,
        impressions: Option<f64>,
        interactions: Option<f64>,
        rate_interactions: f64,
        rate_reach: f64,
    }
    fn add(total: &mut Option<f64>, v: Option<f64>) {
        if let Some(v) = v.filter(|v| v.is_finite()) {
            *total = Some(total.unwrap_or(0.0) + v);
        }
    }
    let mut by_tag: BTreeMap<String, Sums> = BTreeMap::new();
    for p in week_posts {
        if !owned.is_empty() && !owned.contains(&(p.platform, p.user_id.clone())) {
            continue;
        }
        let Some(caption) = captions.get(&(p.platform, p.user_id.as_str(), p.post_id.as_str())) else {
            continue;
        };
        let tags = post_tags(caption).hashtags;
        let unique: HashSet<String> = tags.into_iter().collect();
        let reach = p.metric("reach");
        let interactions = p.interactions();
        for tag in unique {
            let s = by_tag.entry(tag).or_default();
            s.posts += 1;
            add(&mut s.reach, reach);
            add(&mut s.impressions, p.metric("impressions"));
            add(&mut s.interactions, interactions);
            if let (Some(i), Some(r)) = (interactions, reach) {
                if i.is_finite() && r.is_finite() {
                    s.rate_interactions += i;
                    s.rate_reach += r;
                }
            }
        }
    }
    let mut lines: Vec<HashtagLine> = by_tag
        .into_iter()
        .map(|(hashtag, s)| HashtagLine {
            x_volume: volume.iter().find(|v| v.hashtag == hashtag).map(|v| v.posts),
            hashtag,
            posts: s.posts,
            reach: s.reach,
            impressions: s.impressions,
            interactions: s.interactions,
            engagement_rate_by_reach: engagement_rate(s.rate_interactions, s.rate_reach),
        })
        .collect();
    lines.sort_by(|a, b| {
        b.interactions
            .unwrap_or(-1.0)
            .total_cmp(&a.interactions.unwrap_or(-1.0))
            .then(b.posts.cmp(&a.posts))
            .then_with(|| a.hashtag.cmp(&b.hashtag))
    });
    lines.truncate(TOP_HASHTAGS);
    lines
}

fn quote(c: &VoiceComment) -> QuotedComment {
    let text = c
        .text
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let excerpt = truncate_chars(&text, QUOTE_CHARS);
    QuotedComment {
        platform: c.platform,
        author_handle: c.author_handle.clone(),
        created_at: c.created_at,
        like_count: c.like_count,
        excerpt,
    }
}

/// `"3 (75.0 %)"`: a count and its share (ratio 0–1 shown in percent), `"0"` without a
/// share.
pub(crate) fn share_text(count: u64, share: Option<f64>) -> String {
    match share.filter(|s| s.is_finite()) {
        Some(s) => format!("{count} ({:.1} %)", s * 100.0),
        None => count.to_string(),
    }
}

/// `"+25.0 pp"`: a change in percentage points, or `—`.
pub(crate) fn points_text(points: Option<f64>) -> String {
    match points.filter(|p| p.is_finite()) {
        // Round first, so -0.01 reads "0.0 pp", not "-0.0 pp".
        Some(p) if (p * 10.0).round() == 0.0 => "0.0 pp".to_string(),
        Some(p) => format!("{p:+.1} pp"),
        None => crate::html::DASH.to_string(),
    }
}

/// The plural English name of a comment kind, for the reports.
pub(crate) fn kind_text(kind: CommentKind) -> &'static str {
    match kind {
        CommentKind::Comment => "Comments",
        CommentKind::Reply => "Replies",
        CommentKind::Mention => "Mentions",
        CommentKind::Tag => "Tags",
    }
}

/// `"@ana (12 likes): text"`, one line.
pub(crate) fn quote_text(q: &QuotedComment) -> String {
    format!(
        "@{} ({} likes, {}): {}",
        q.author_handle.as_deref().unwrap_or("?"),
        q.like_count.unwrap_or(0),
        q.platform.as_str(),
        q.excerpt
    )
}

/// "Mentions and sentiment" of `comments` for `week` against `previous` (UTC ranges).
pub fn mentions_section(comments: &[VoiceComment], week: TimeRange, previous: TimeRange) -> MentionsSection {
    let within = |r: TimeRange| move |c: &&VoiceComment| r.contains(c.created_at);
    let this: Vec<&VoiceComment> = comments.iter().filter(within(week)).collect();
    let this_week = WeekSentiment::of(this.iter().copied());
    let previous_week = WeekSentiment::of(comments.iter().filter(within(previous)));
    let points = |now: Option<f64>, before: Option<f64>| Some((now? - before?) * 100.0);
    let by_kind = CommentKind::ALL
        .iter()
        .map(|k| (*k, this.iter().filter(|c| c.kind == *k).count() as u64))
        .filter(|(_, n)| *n > 0)
        .collect();
    let most_liked = |label: SentimentLabel| {
        this.iter()
            .filter(|c| c.label == Some(label) && c.text.as_deref().is_some_and(|t| !t.trim().is_empty()))
            .max_by_key(|c| (c.like_count.unwrap_or(0), c.created_at))
            .map(|c| quote(c))
    };
    MentionsSection {
        positive_change_points: points(this_week.positive_share, previous_week.positive_share),
        negative_change_points: points(this_week.negative_share, previous_week.negative_share),
        week: this_week,
        previous_week,
        by_kind,
        most_liked_positive: most_liked(SentimentLabel::Positive),
        most_liked_negative: most_liked(SentimentLabel::Negative),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).single().unwrap_or_default()
    }

    fn c(d: u32, kind: CommentKind, label: Option<SentimentLabel>, likes: i64, text: &str) -> VoiceComment {
        VoiceComment {
            platform: Platform::Instagram,
            kind,
            created_at: at(d, 12),
            label,
            like_count: Some(likes),
            author_handle: Some(format!("fan{d}{likes}")),
            text: (!text.is_empty()).then(|| text.to_string()),
        }
    }

    #[test]
    fn week_over_week_shares_and_the_most_liked_quotes() {
        use SentimentLabel::*;
        let week = TimeRange {
            start: at(16, 0),
            end: at(23, 0),
        };
        let previous = week.previous();
        let comments = vec![
            // The week before: 1 positive, 1 negative → 50 % / 50 %.
            c(10, CommentKind::Comment, Some(Positive), 1, "bom"),
            c(11, CommentKind::Comment, Some(Negative), 90, "ruim"),
            // This week: 3 positive, 1 negative, 1 mention without text.
            c(16, CommentKind::Comment, Some(Positive), 4, "amei"),
            c(17, CommentKind::Reply, Some(Positive), 12, "lindo demais"),
            c(18, CommentKind::Comment, Some(Positive), 12, "perfeito"),
            c(19, CommentKind::Comment, Some(Negative), 2, &"horrível ".repeat(40)),
            c(20, CommentKind::Mention, None, 0, ""),
            // After the week: ignored.
            c(24, CommentKind::Comment, Some(Negative), 500, "péssimo"),
        ];
        let s = mentions_section(&comments, week, previous);
        assert_eq!((s.week.received, s.week.positive, s.week.negative), (5, 3, 1));
        assert_eq!(s.week.positive_share, Some(0.75));
        assert_eq!(
            (s.previous_week.received, s.previous_week.negative_share),
            (2, Some(0.5))
        );
        assert_eq!(s.positive_change_points, Some(25.0));
        assert_eq!(s.negative_change_points, Some(-25.0));
        assert_eq!(
            s.by_kind,
            vec![
                (CommentKind::Comment, 3),
                (CommentKind::Reply, 1),
                (CommentKind::Mention, 1)
            ]
        );
        // Two positives with 12 likes: the newest.
        assert_eq!(
            s.most_liked_positive.as_ref().map(|q| q.excerpt.as_str()),
            Some("perfeito")
        );
        let negative = s.most_liked_negative.unwrap_or_else(|| panic!("a negative quote"));
        assert_eq!(negative.excerpt.chars().count(), QUOTE_CHARS);
        assert!(negative.excerpt.ends_with('…'));
        assert_eq!(share_text(3, s.week.positive_share), "3 (75.0 %)");
        assert_eq!(points_text(s.negative_change_points), "-25.0 pp");
        assert_eq!(points_text(Some(-0.01)), "0.0 pp");
        let empty = mentions_section(&[], week, previous);
        assert_eq!((empty.week.received, empty.positive_change_points), (0, None));
    }
}
