//! The posts table: each post with its latest lifetime metrics and engagement rate.

use super::accounts::account_labels;
#[cfg(test)]
use super::kpi::PostKey;
use super::*;
use crate::error::Result;
use crate::workspace::Workspace;
#[cfg(test)]
use alcance_core::PostMetricRow;
use alcance_core::{AccountId, Platform, PostId};
use alcance_report::series::{account_label, INTERACTION_METRICS};
pub use alcance_store::aggregate::PostCursor;
use alcance_store::RowFilter;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Longest caption a [`PostView`] carries, in characters (longer ones end with `…`).
pub const CAPTION_MAX_CHARS: usize = 280;

/// One post with its latest lifetime metrics (the last snapshot before the filter's
/// `until`, or the latest one).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostView {
    /// `posts.id`.
    pub id: PostId,
    /// `accounts.id` of the account that published it.
    pub account_id: AccountId,
    /// The platform.
    pub platform: Platform,
    /// `"@username (Platform)"` (see `alcance_report::series::account_label`).
    pub account_label: String,
    /// The platform's post id.
    pub post_id: String,
    /// Content type key (`text`, `image`, `video`, `carousel`, `reel`, `story`, ...).
    pub content_type: String,
    /// Publication time, UTC.
    pub published_at: Option<DateTime<Utc>>,
    /// Public link (X `https://x.com/i/web/status/{id}`, Instagram `permalink`).
    pub permalink: Option<String>,
    /// Caption or text, at most [`CAPTION_MAX_CHARS`] characters.
    pub caption: Option<String>,
    /// Views (Instagram `views`) or, where a post has none, impressions (X
    /// `impression_count`). A count.
    pub views: Option<f64>,
    /// Likes. A count.
    pub likes: Option<f64>,
    /// Comments + replies. A count.
    pub comments: Option<f64>,
    /// Shares + reposts + quotes. A count.
    pub shares: Option<f64>,
    /// Saves + bookmarks. A count.
    pub saves: Option<f64>,
    /// All interactions (likes, comments, replies, reposts, quotes, saves, shares). A count.
    pub interactions: Option<f64>,
    /// Interactions ÷ views × 100. Percent 0–100 (can exceed 100 on tiny view counts).
    pub engagement_rate: Option<f64>,
    /// Interactions gained in the filter's period (dashboard top posts; equal to
    /// `interactions` in the posts table).
    pub interactions_gained: Option<f64>,
}

/// The posts table: posts of the filtered accounts published in `[since, until)` (all
/// posts when unbounded), newest first, each with its latest metrics up to `until`.
///
/// Errors: [`ViewError`] for a bad filter; store errors.
pub async fn posts(ws: &Workspace, filter: &ViewFilter) -> Result<Vec<PostView>> {
    let base = filter.accounts_filter()?;
    let rows = ws
        .store()
        .posts(&RowFilter {
            since: filter.since,
            until: filter.until,
            ..base
        })
        .await?;
    let mut out = with_latest_metrics(ws, rows, filter.until).await?;
    out.sort_by(|a, b| b.published_at.cmp(&a.published_at).then(b.id.cmp(&a.id)));
    Ok(out)
}

/// One page of the posts table: as [`posts`], those after `after` in its order (newest
/// first, posts without a publication time last, then by id descending), at most `limit`.
/// Paged in the database: only the page's posts and their latest metrics are read.
///
/// Errors: [`ViewError`] for a bad filter; store errors.
pub async fn posts_page(
    ws: &Workspace,
    filter: &ViewFilter,
    after: Option<PostCursor>,
    limit: usize,
) -> Result<Vec<PostView>> {
    let base = filter.accounts_filter()?;
    let rows = ws
        .store()
        .posts_page(
            &RowFilter {
                since: filter.since,
                until: filter.until,
                ..base
            },
            after,
            limit,
        )
        .await?;
    with_latest_metrics(ws, rows, filter.until).await
}

/// Views of `rows` (in their order), each with its latest finite value of each metric
/// collected before `until` (any time when `None`).
pub(crate) async fn with_latest_metrics(
    ws: &Workspace,
    rows: Vec<alcance_store::PostRow>,
    until: Option<DateTime<Utc>>,
) -> Result<Vec<PostView>> {
    let store = ws.store();
    let accounts = store.list_accounts().await?;
    let labels = account_labels(&accounts);
    let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
    let latest = super::dashboard::latest_by_post(store.latest_post_values(&ids, None, until).await?);
    Ok(rows
        .iter()
        .map(|p| {
            let mut v = post_view(p, latest.get(&p.id), &labels);
            v.interactions_gained = v.interactions;
            v
        })
        .collect())
}

#[cfg(test)]
/// Per post and metric, the latest value collected before `until`.
pub(super) fn latest_values(rows: &[PostMetricRow], until: DateTime<Utc>) -> HashMap<PostKey, HashMap<String, f64>> {
    let mut stamped: HashMap<PostKey, HashMap<String, (DateTime<Utc>, f64)>> = HashMap::new();
    for r in rows {
        if r.collected_at >= until {
            continue;
        }
        let Some(v) = r.value.filter(|v| v.is_finite()) else {
            continue;
        };
        let metrics = stamped
            .entry((r.platform, r.user_id.clone(), r.post_id.clone()))
            .or_default();
        let slot = metrics.entry(r.metric_type.clone()).or_insert((r.collected_at, v));
        if r.collected_at >= slot.0 {
            *slot = (r.collected_at, v);
        }
    }
    stamped
        .into_iter()
        .map(|(k, m)| (k, m.into_iter().map(|(name, (_, v))| (name, v)).collect()))
        .collect()
}

pub(super) fn post_view(
    p: &alcance_store::PostRow,
    metrics: Option<&HashMap<String, f64>>,
    labels: &HashMap<i64, String>,
) -> PostView {
    let get = |names: &[&str]| -> Option<f64> {
        let m = metrics?;
        let values: Vec<f64> = names.iter().filter_map(|n| m.get(*n).copied()).collect();
        if values.is_empty() {
            None
        } else {
            Some(values.iter().sum())
        }
    };
    let (views, interactions, engagement_rate) = rates(|name| metrics.and_then(|m| m.get(name).copied()));
    PostView {
        id: PostId(p.id),
        account_id: AccountId(p.account_id),
        platform: p.platform,
        account_label: labels
            .get(&p.account_id)
            .cloned()
            .unwrap_or_else(|| account_label(p.platform, &p.user_id, p.username.as_deref())),
        post_id: p.external_id.clone(),
        content_type: p.content_type.as_key().to_string(),
        published_at: p.published_at,
        permalink: p.permalink.clone(),
        caption: p.caption.as_deref().map(truncate_caption),
        views,
        likes: get(&["likes"]),
        comments: get(&["comments", "replies"]),
        shares: get(&["shares", "reposts", "quotes"]),
        saves: get(&["saves", "bookmarks"]),
        interactions,
        engagement_rate,
        interactions_gained: None,
    }
}

/// A post's views (`views`, else `impressions`), interactions (the sum of the
/// [`INTERACTION_METRICS`] it has) and engagement rate (interactions ÷ views × 100,
/// percent; `None` without both or with 0 views), from its latest value of each metric.
pub(super) fn rates(metric: impl Fn(&str) -> Option<f64>) -> (Option<f64>, Option<f64>, Option<f64>) {
    let sum = |names: &[&str]| -> Option<f64> {
        let values: Vec<f64> = names.iter().filter_map(|n| metric(n)).collect();
        if values.is_empty() {
            None
        } else {
            Some(values.iter().sum())
        }
    };
    let views = sum(&["views"]).or_else(|| sum(&["impressions"]));
    let interactions = sum(&INTERACTION_METRICS);
    let rate = match (interactions, views) {
        (Some(i), Some(v)) if v > 0.0 => Some(i / v * 100.0),
        _ => None,
    };
    (views, interactions, rate)
}

pub(super) fn truncate_caption(caption: &str) -> String {
    if caption.chars().count() <= CAPTION_MAX_CHARS {
        caption.to_string()
    } else {
        let cut: String = caption.chars().take(CAPTION_MAX_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    }
}
