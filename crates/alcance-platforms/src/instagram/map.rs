//! Instagram wire shapes → Alcance records. Pure: no I/O, no clock.

use super::wire::{MediaNode, UserNode};
use super::{InsightsResult, MediaItem, MediaKind, MetricMemory};
use crate::meta::insights::{bucket, push_post_metric, series_target, unknown_metric, InsightEntry};
use crate::meta::{node_post_metric, number, parse_time, scaled, snapshot_metrics};
use alcance_core::catalog::from_source;
use alcance_core::{
    AccountMetric, AudienceSlice, ContentType, Period, Platform, PostMedia, PostMetric, PostRecord, Profile,
};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::HashSet;

const IG: Platform = Platform::Instagram;

/// Maps Meta `media_type` / `media_product_type` to a [`ContentType`]: `REELS` → Reel,
/// `STORY` → Story, then `CAROUSEL_ALBUM` → Carousel, `IMAGE` → Image, `VIDEO` → Video;
/// anything else → `Other(lower-case value)` (`Other("unknown")` when both are absent).
/// Never fails.
pub fn content_type(media_type: Option<&str>, media_product_type: Option<&str>) -> ContentType {
    let product = media_product_type.map(|p| p.trim().to_ascii_uppercase());
    match product.as_deref() {
        Some("REELS") | Some("REEL") => return ContentType::Reel,
        Some("STORY") => return ContentType::Story,
        _ => {}
    }
    match media_type.map(|t| t.trim().to_ascii_uppercase()).as_deref() {
        Some("CAROUSEL_ALBUM") => ContentType::Carousel,
        Some("IMAGE") => ContentType::Image,
        Some("VIDEO") => ContentType::Video,
        Some(other) if !other.is_empty() => ContentType::Other(other.to_ascii_lowercase()),
        _ => match product {
            Some(p) if !p.is_empty() => ContentType::Other(p.to_ascii_lowercase()),
            _ => ContentType::Other("unknown".to_string()),
        },
    }
}

/// The profile of a user node; `None` when it has neither `user_id` nor `id`.
pub(crate) fn profile(node: &UserNode) -> Option<Profile> {
    let id = node
        .user_id
        .clone()
        .or_else(|| node.id.clone())
        .filter(|s| !s.is_empty())?;
    Some(Profile {
        external_id: id,
        username: node.username.clone(),
        display_name: node.name.clone(),
        avatar_url: node.profile_picture_url.clone(),
    })
}

/// `followers_count` / `follows_count` / `media_count` → `followers` / `following` /
/// `media_count` snapshots at `at` (fields absent from the node give no metric).
pub(crate) fn profile_metrics(node: &UserNode, at: DateTime<Utc>) -> Vec<AccountMetric> {
    let fields = [
        ("followers_count", node.followers_count),
        ("follows_count", node.follows_count),
        ("media_count", node.media_count),
    ];
    snapshot_metrics(IG, &fields, at)
}

/// The picture of media `id` (issue 13 point 3; docs/media.md), by its `media_type`:
/// `IMAGE` and `CAROUSEL_ALBUM` → `media_url` (the album's is its cover, the first child)
/// as [`alcance_core::MediaKind::Image`]; `VIDEO` (feed videos, reels, video stories) →
/// `thumbnail_url` as [`alcance_core::MediaKind::Thumbnail`] (its `media_url` is the video
/// file, not kept). Another or no `media_type`, a missing field or a URL that is not http(s)
/// → no picture. Never fails.
pub(crate) fn picture(id: &str, node: &MediaNode) -> Option<PostMedia> {
    use alcance_core::MediaKind as Picture;
    match node
        .media_type
        .as_deref()
        .map(|t| t.trim().to_ascii_uppercase())
        .as_deref()
    {
        Some("IMAGE" | "CAROUSEL_ALBUM") => PostMedia::new(id, Picture::Image, node.media_url.as_deref()),
        Some("VIDEO") => PostMedia::new(id, Picture::Thumbnail, node.thumbnail_url.as_deref()),
        _ => None,
    }
}

/// A media node as a [`MediaItem`]; `None` without an id. Items of the `/stories` edge
/// (`in_stories`) are stories whatever their product type says.
pub(crate) fn media_item(node: MediaNode, in_stories: bool) -> Option<MediaItem> {
    let id = node.id.clone().filter(|s| !s.is_empty())?;
    let (content, kind) = if in_stories {
        (ContentType::Story, MediaKind::Story)
    } else {
        (
            content_type(node.media_type.as_deref(), node.media_product_type.as_deref()),
            MediaKind::from_product_type(node.media_product_type.as_deref()),
        )
    };
    let node_metrics = [("like_count", node.like_count), ("comments_count", node.comments_count)]
        .into_iter()
        .filter_map(|(field, v)| node_post_metric(IG, &id, field, v))
        .collect();
    let pictures = picture(&id, &node).into_iter().collect();
    Some(MediaItem {
        post: PostRecord {
            external_id: id,
            published_at: node.timestamp.as_deref().and_then(parse_time),
            content_type: content,
            permalink: node.permalink,
            caption: node.caption,
        },
        media_type: node.media_type,
        media_product_type: node.media_product_type,
        kind,
        node_metrics,
        pictures,
    })
}

/// Adds the node's `likes` / `comments` where insights gave no value for them.
pub(crate) fn merge_node_metrics(metrics: &mut Vec<PostMetric>, node: &[PostMetric]) {
    for n in node {
        let has_value = metrics
            .iter()
            .any(|m| m.post_external_id == n.post_external_id && m.metric == n.metric && m.value.is_some());
        if !has_value {
            metrics.retain(|m| !(m.post_external_id == n.post_external_id && m.metric == n.metric));
            metrics.push(n.clone());
        }
    }
}

/// The single value of an entry: the last `values[].value` that is a number, else
/// `total_value.value`; `None` for empty data (`values: []`, no value, `null`).
pub(crate) fn scalar(entry: &InsightEntry) -> Option<f64> {
    if let Some(v) = entry
        .values
        .as_ref()
        .and_then(|pts| pts.iter().rev().find_map(|p| number(&p.value)))
    {
        return Some(v);
    }
    entry.total_value.as_ref().and_then(|t| number(&t.value))
}

/// A day time series (`values:[{value,end_time}]`) → account metrics: `end_time` is the
/// END of the bucket, so `period_start = end_time − period`. Object values (legacy
/// `audience_*`, `online_followers`) become audience slices; names outside the catalog
/// become `unknown_metric` gaps.
pub(crate) fn series(entries: &[InsightEntry], object_id: &str, memory: &mut MetricMemory, out: &mut InsightsResult) {
    for e in entries {
        let Some(name) = e.name.as_deref() else { continue };
        let points = e.values.as_deref().unwrap_or_default();
        let has_object = points.iter().any(|p| p.value.is_object());
        if has_object {
            for p in points {
                let timeframe = match (bucket(e.period.as_deref()), p.end_time.as_deref().and_then(parse_time)) {
                    (Some((Period::Day, len)), Some(end)) => format!("day:{}", (end - len).format("%Y-%m-%d")),
                    _ => e.period.clone().unwrap_or_else(|| "lifetime".to_string()),
                };
                legacy_slices(name, &p.value, &timeframe, out);
            }
            continue;
        }
        let Some((period, len, m, s)) = series_target(IG, e, name, object_id, memory, out) else {
            continue;
        };
        for p in points {
            let Some(end) = p.end_time.as_deref().and_then(parse_time) else {
                continue;
            };
            out.account_metrics.push(AccountMetric {
                metric: m.key.to_string(),
                period,
                period_start: end - len,
                period_end: end,
                value: number(&p.value).map(|v| scaled(v, s.scale)),
            });
        }
    }
}

/// `metric_type=total_value` for one UTC day → `Period::Day` metrics over `[start, end)`.
/// Requested metrics missing from the answer get `None` (empty data is not 0).
pub(crate) fn day_totals(
    entries: &[InsightEntry],
    requested: &[String],
    range: (DateTime<Utc>, DateTime<Utc>),
    object_id: &str,
    memory: &mut MetricMemory,
    out: &mut InsightsResult,
) {
    let mut seen = HashSet::new();
    let push = |name: &str, value: Option<f64>, memory: &mut MetricMemory, out: &mut InsightsResult| match from_source(
        IG, name,
    ) {
        Some((m, s)) => out.account_metrics.push(AccountMetric {
            metric: m.key.to_string(),
            period: Period::Day,
            period_start: range.0,
            period_end: range.1,
            value: value.map(|v| scaled(v, s.scale)),
        }),
        None => unknown_metric(IG, name, object_id, memory, out),
    };
    for e in entries {
        let Some(name) = e.name.as_deref() else { continue };
        seen.insert(name.to_string());
        push(name, scalar(e), memory, out);
    }
    for r in requested {
        if !seen.contains(r) {
            push(r, None, memory, out);
        }
    }
}

fn audience_name(metric: &str) -> String {
    match metric {
        "follower_demographics" | "audience_gender_age" | "audience_country" | "audience_city" | "audience_locale" => {
            "followers".to_string()
        }
        "engaged_audience_demographics" => "engaged_audience".to_string(),
        other => from_source(IG, other)
            .map(|(m, _)| m.key.to_string())
            .unwrap_or_else(|| other.to_string()),
    }
}

/// `total_value.breakdowns` (and legacy object values) of each entry → audience slices.
/// The audience is the entry's metric: `follower_demographics` → `followers`,
/// `engaged_audience_demographics` → `engaged_audience`, a catalog metric → its key
/// (`reach`). Results without a numeric value are skipped.
pub(crate) fn audience_slices(entries: &[InsightEntry], timeframe: &str, out: &mut InsightsResult) {
    for e in entries {
        let Some(name) = e.name.as_deref() else { continue };
        let audience = audience_name(name);
        if let Some(total) = &e.total_value {
            for b in &total.breakdowns {
                let dimension = b.dimension_keys.join(",");
                for r in &b.results {
                    let Some(value) = number(&r.value) else { continue };
                    out.audience.push(AudienceSlice {
                        audience: audience.clone(),
                        dimension: dimension.clone(),
                        key: r.dimension_values.join(","),
                        value,
                        timeframe: timeframe.to_string(),
                    });
                }
            }
        }
        for p in e.values.as_deref().unwrap_or_default() {
            if p.value.is_object() {
                legacy_slices(name, &p.value, timeframe, out);
            }
        }
    }
}

/// Legacy object values (`{"F.18-24": 12}` of `audience_gender_age`, `{"BR": 40}` of
/// `audience_country`, hourly `online_followers`) → slices.
fn legacy_slices(metric: &str, value: &Value, timeframe: &str, out: &mut InsightsResult) {
    let Value::Object(map) = value else { return };
    let (audience, dimension) = match metric {
        "audience_gender_age" => ("followers".to_string(), "gender,age"),
        "audience_country" => ("followers".to_string(), "country"),
        "audience_city" => ("followers".to_string(), "city"),
        "audience_locale" => ("followers".to_string(), "locale"),
        "online_followers" => ("online_followers".to_string(), "hour"),
        other => (audience_name(other), "key"),
    };
    for (k, v) in map {
        let Some(value) = number(v) else { continue };
        let key = if dimension == "gender,age" {
            k.replacen('.', ",", 1)
        } else {
            k.clone()
        };
        out.audience.push(AudienceSlice {
            audience: audience.clone(),
            dimension: dimension.to_string(),
            key,
            value,
            timeframe: timeframe.to_string(),
        });
    }
}

/// Media insights → post metrics (lifetime totals). Requested metrics missing from the
/// answer get `None`; names outside the catalog become `unknown_metric` gaps; a
/// `navigation` entry with breakdowns also yields `navigation.TAP_FORWARD` etc.
pub(crate) fn post_metrics(
    entries: &[InsightEntry],
    requested: &[String],
    media_id: &str,
    memory: &mut MetricMemory,
    out: &mut InsightsResult,
) {
    let mut seen = HashSet::new();
    for e in entries {
        let Some(name) = e.name.as_deref() else { continue };
        seen.insert(name.to_string());
        push_post_metric(IG, name, scalar(e), media_id, memory, out);
        if name == "navigation" {
            navigation_breakdown(std::slice::from_ref(e), media_id, memory, out);
        }
    }
    for r in requested {
        if !seen.contains(r) {
            push_post_metric(IG, r, None, media_id, memory, out);
        }
    }
}

/// `navigation` with `breakdown=story_navigation_action_type` → `navigation.<ACTION>`
/// fields (`TAP_FORWARD` → `story_taps_forward`, ...); unknown actions become gaps.
pub(crate) fn navigation_breakdown(
    entries: &[InsightEntry],
    media_id: &str,
    memory: &mut MetricMemory,
    out: &mut InsightsResult,
) {
    for e in entries {
        if e.name.as_deref() != Some("navigation") {
            continue;
        }
        let Some(total) = &e.total_value else { continue };
        for b in &total.breakdowns {
            for r in &b.results {
                let Some(action) = r.dimension_values.first() else {
                    continue;
                };
                let field = format!("navigation.{action}");
                push_post_metric(IG, &field, number(&r.value), media_id, memory, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_cover_every_meta_value() {
        assert_eq!(content_type(Some("VIDEO"), Some("REELS")), ContentType::Reel);
        assert_eq!(content_type(Some("IMAGE"), Some("STORY")), ContentType::Story);
        assert_eq!(
            content_type(Some("CAROUSEL_ALBUM"), Some("FEED")),
            ContentType::Carousel
        );
        assert_eq!(content_type(Some("IMAGE"), None), ContentType::Image);
        assert_eq!(content_type(Some("VIDEO"), Some("AD")), ContentType::Video);
        assert_eq!(
            content_type(Some("HOLOGRAM"), None),
            ContentType::Other("hologram".into())
        );
        assert_eq!(content_type(None, None), ContentType::Other("unknown".into()));
    }

    #[test]
    fn node_metrics_fill_only_missing_values() {
        let node = vec![
            PostMetric {
                post_external_id: "1".into(),
                metric: "likes".into(),
                value: Some(3.0),
            },
            PostMetric {
                post_external_id: "1".into(),
                metric: "comments".into(),
                value: Some(9.0),
            },
        ];
        let mut metrics = vec![
            PostMetric {
                post_external_id: "1".into(),
                metric: "likes".into(),
                value: Some(5.0),
            },
            PostMetric {
                post_external_id: "1".into(),
                metric: "comments".into(),
                value: None,
            },
        ];
        merge_node_metrics(&mut metrics, &node);
        let get = |k: &str| metrics.iter().find(|m| m.metric == k).and_then(|m| m.value);
        assert_eq!(get("likes"), Some(5.0));
        assert_eq!(get("comments"), Some(9.0));
        assert_eq!(metrics.len(), 2);
    }
}
