//! Threads wire shapes → `alcance_core` records, through the catalog
//! (`alcance_core::catalog::from_source` with `Platform::Threads`). Error bodies go
//! through the Graph envelope mapping ([`crate::meta::error_from_answer`]): Threads answers
//! with the Graph error object (`type` `THApiException` or `OAuthException`).

use super::wire::{MediaNode, UserNode};
use super::ThreadsMedia;
use crate::meta::insights::{push_post_metric, unknown_metric, InsightEntry};
use crate::meta::{number, parse_time, snapshot_metrics, InsightsResult, MetricMemory};
use alcance_core::catalog::from_source;
use alcance_core::{
    AccountMetric, AudienceSlice, ContentType, MediaKind, Period, Platform, PostMedia, PostRecord, Profile,
};
use chrono::{DateTime, Duration, Utc};

/// The platform every record here belongs to.
const TH: Platform = Platform::Threads;

/// Prefix of the catalog source fields of `threads_insights` metrics (account level):
/// `views` there is profile views, not post views, so it has its own source field.
pub(super) const USER_PREFIX: &str = "threads_insights.";

/// A user node → its profile; `None` without an id.
pub(super) fn profile(node: &UserNode) -> Option<Profile> {
    let id = node.id.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    Some(Profile {
        external_id: id.to_string(),
        username: node.username.clone(),
        display_name: node.name.clone(),
        avatar_url: node.threads_profile_picture_url.clone(),
    })
}

/// Threads `media_type` → content type: `TEXT_POST` → text, `IMAGE` → image, `VIDEO` →
/// video, `CAROUSEL_ALBUM` → carousel; anything else (`AUDIO`, a type Threads adds later)
/// is kept as `Other` in lower case. `None` for `REPOST_FACADE` (someone else's post).
pub fn content_type(media_type: Option<&str>) -> Option<ContentType> {
    let t = media_type.map(|t| t.trim().to_ascii_uppercase()).unwrap_or_default();
    Some(match t.as_str() {
        "REPOST_FACADE" => return None,
        "TEXT_POST" | "" => ContentType::Text,
        "IMAGE" => ContentType::Image,
        "VIDEO" => ContentType::Video,
        "CAROUSEL_ALBUM" => ContentType::Carousel,
        other => ContentType::Other(other.to_ascii_lowercase()),
    })
}

/// The picture of post `id` (issue 13 point 3; docs/media.md), by its `media_type`:
/// `IMAGE` and `CAROUSEL_ALBUM` → `media_url` as an image; `VIDEO` → `thumbnail_url` as a
/// thumbnail (its `media_url` is the video file, not kept). Text, audio, repost facades,
/// another type, a missing field or a URL that is not http(s) → no picture. Never fails.
pub(super) fn picture(id: &str, node: &MediaNode) -> Option<PostMedia> {
    match node
        .media_type
        .as_deref()
        .map(|t| t.trim().to_ascii_uppercase())
        .as_deref()
    {
        Some("IMAGE" | "CAROUSEL_ALBUM") => PostMedia::new(id, MediaKind::Image, node.media_url.as_deref()),
        Some("VIDEO") => PostMedia::new(id, MediaKind::Thumbnail, node.thumbnail_url.as_deref()),
        _ => None,
    }
}

/// A `/me/threads` item → the post; `None` without an id. A `REPOST_FACADE` item comes
/// back with `repost == true`.
pub(super) fn media(node: MediaNode) -> Option<ThreadsMedia> {
    let id = node.id.as_deref().map(str::trim).filter(|s| !s.is_empty())?.to_string();
    let content = content_type(node.media_type.as_deref());
    let pictures = picture(&id, &node).into_iter().collect();
    Some(ThreadsMedia {
        pictures,
        repost: content.is_none(),
        quote: node.is_quote_post.unwrap_or(false),
        media_type: node.media_type.clone(),
        post: PostRecord {
            external_id: id,
            published_at: node.timestamp.as_deref().and_then(parse_time),
            content_type: content.unwrap_or_else(|| ContentType::Other("repost_facade".into())),
            permalink: node.permalink,
            caption: node.text,
        },
    })
}

/// The single value of an insights entry: `total_value.value`, else the first
/// `values[].value`, else the sum of `link_total_values[].value` (user-insights `clicks`,
/// one value per link; the sum is inferred, Threads documents the per-link shape only).
/// `None` for empty data.
fn single_value(e: &InsightEntry) -> Option<f64> {
    if let Some(v) = e.total_value.as_ref().and_then(|t| number(&t.value)) {
        return Some(v);
    }
    if let Some(v) = e
        .values
        .as_deref()
        .and_then(|v| v.first())
        .and_then(|p| number(&p.value))
    {
        return Some(v);
    }
    let links: Vec<f64> = e.link_total_values.iter().filter_map(|p| number(&p.value)).collect();
    (!links.is_empty()).then(|| links.iter().sum())
}

/// Media insights entries (`/{media-id}/insights`, `period` `lifetime`) → post metrics of
/// `media_id` (`views`, `likes`, `replies`, `reposts`, `quotes`, `shares`, counts). A metric
/// requested and absent, or with an empty value, is stored as `None` (no data, not 0); a
/// name outside the catalog is an `unknown_metric` gap.
pub(super) fn post_metrics(
    entries: &[InsightEntry],
    requested: &[String],
    media_id: &str,
    memory: &mut MetricMemory,
    out: &mut InsightsResult,
) {
    let mut seen = Vec::new();
    for e in entries {
        let Some(name) = e.name.as_deref() else { continue };
        seen.push(name.to_string());
        push_post_metric(TH, name, single_value(e), media_id, memory, out);
    }
    for name in requested.iter().filter(|r| !seen.contains(r)) {
        push_post_metric(TH, name, None, media_id, memory, out);
    }
}

/// `threads_insights` `views` (daily profile views, `values[{value, end_time}]`) →
/// `profile_views` per day: `Period::Day` with `period_end = end_time` and `period_start`
/// one day earlier (UTC; that `end_time` closes the bucket is inferred from the Graph
/// convention, Threads' docs show only the shape). Points without a readable time are
/// skipped with a `decode` warning; other metrics in `entries` are ignored here.
pub(super) fn views_series(
    entries: &[InsightEntry],
    account_id: &str,
    memory: &mut MetricMemory,
    out: &mut InsightsResult,
) {
    for e in entries {
        let Some(name) = e.name.as_deref() else { continue };
        if name != "views" {
            continue;
        }
        let field = format!("{USER_PREFIX}{name}");
        let Some((m, _)) = from_source(TH, &field) else {
            unknown_metric(TH, &field, account_id, memory, out);
            continue;
        };
        for p in e.values.as_deref().unwrap_or_default() {
            let Some(end) = p.end_time.as_deref().and_then(parse_time) else {
                out.warn(
                    "decode",
                    format!(
                        "threads_insights views: a point without a readable end_time ({:?})",
                        p.end_time
                    ),
                );
                continue;
            };
            out.account_metrics.push(AccountMetric {
                metric: m.key.to_string(),
                period: Period::Day,
                period_start: end - Duration::days(1),
                period_end: end,
                value: number(&p.value),
            });
        }
    }
}

/// `threads_insights` totals over one `[since, until)` range (`likes`, `replies`,
/// `reposts`, `quotes`, `clicks` as `total_value`) → account metrics of `period`
/// (`Period::Day` for one UTC day) under `likes`, `replies`, `reposts`, `quotes`,
/// `link_clicks`. A requested metric that did not come back is `None` (no data, not 0).
pub(super) fn totals(
    entries: &[InsightEntry],
    requested: &[String],
    range: (DateTime<Utc>, DateTime<Utc>),
    period: Period,
    account_id: &str,
    memory: &mut MetricMemory,
    out: &mut InsightsResult,
) {
    let push = |name: &str, value: Option<f64>, memory: &mut MetricMemory, out: &mut InsightsResult| {
        let field = format!("{USER_PREFIX}{name}");
        match from_source(TH, &field) {
            Some((m, _)) => out.account_metrics.push(AccountMetric {
                metric: m.key.to_string(),
                period,
                period_start: range.0,
                period_end: range.1,
                value,
            }),
            None => unknown_metric(TH, &field, account_id, memory, out),
        }
    };
    let mut seen = Vec::new();
    for e in entries {
        let Some(name) = e.name.as_deref() else { continue };
        seen.push(name.to_string());
        push(name, single_value(e), memory, out);
    }
    for name in requested.iter().filter(|r| !seen.contains(r)) {
        push(name, None, memory, out);
    }
}

/// `threads_insights` `followers_count` (`total_value.value`) → a `followers` snapshot at
/// `at` (UTC); nothing when Threads sent no value.
pub(super) fn followers(entries: &[InsightEntry], at: DateTime<Utc>) -> Vec<AccountMetric> {
    let value = entries
        .iter()
        .find(|e| e.name.as_deref() == Some("followers_count"))
        .and_then(single_value);
    snapshot_metrics(TH, &[("followers_count", value)], at)
}

/// `follower_demographics` with one `breakdown` (`country`, `city`, `age`, `gender`) →
/// audience slices: audience `followers`, dimension the breakdown's `dimension_keys`
/// joined by `,` (falling back to `breakdown` when Threads names none), key its
/// `dimension_values`, value the follower count, timeframe `timeframe`. Results without a
/// number are skipped.
pub(super) fn demographics(entries: &[InsightEntry], breakdown: &str, timeframe: &str, out: &mut InsightsResult) {
    for e in entries {
        if e.name.as_deref() != Some("follower_demographics") {
            continue;
        }
        let Some(total) = &e.total_value else { continue };
        for b in &total.breakdowns {
            let dimension = if b.dimension_keys.is_empty() {
                breakdown.to_string()
            } else {
                b.dimension_keys.join(",")
            };
            for r in &b.results {
                let Some(value) = number(&r.value) else { continue };
                out.audience.push(AudienceSlice {
                    audience: "followers".to_string(),
                    dimension: dimension.clone(),
                    key: r.dimension_values.join(","),
                    value,
                    timeframe: timeframe.to_string(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_map_and_reposts_are_not_posts() {
        assert_eq!(content_type(Some("TEXT_POST")), Some(ContentType::Text));
        assert_eq!(content_type(Some("carousel_album")), Some(ContentType::Carousel));
        assert_eq!(content_type(Some("REPOST_FACADE")), None);
        assert_eq!(content_type(Some("AUDIO")), Some(ContentType::Other("audio".into())));
        assert_eq!(
            content_type(Some("HOLOGRAM")),
            Some(ContentType::Other("hologram".into()))
        );
    }
}
