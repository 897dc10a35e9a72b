//! Facebook wire shapes → Alcance records. Pure: no I/O, no clock.

use super::wire::{AccountNode, PageNode, PostNode, UserNode, VideoNode};
use super::{InsightsResult, MetricMemory, PageAccess, PagePost, PageVideo};
use crate::meta::insights::{push_post_metric, series_target, InsightEntry};
use crate::meta::{node_post_metric, number, parse_time, scaled, snapshot_metrics};
use alcance_core::{AccountMetric, AudienceSlice, ContentType, Period, Platform, PostRecord, Profile};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde_json::Value;
use std::collections::HashSet;

const FB: Platform = Platform::Facebook;

/// The insights metric whose value is an object of counts per reaction type.
pub(crate) const REACTIONS_BY_TYPE: &str = "post_reactions_by_type_total";

/// Maps a Facebook post `status_type` to a [`ContentType`]: `added_photos` → Image,
/// `added_video` → Video, `shared_story` → Link, `mobile_status_update` /
/// `wall_post` → Text, anything else → `Other(value)` (`Other("unknown")` when absent).
/// Never fails.
pub fn content_type(status_type: Option<&str>) -> ContentType {
    match status_type.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        Some("added_photos") => ContentType::Image,
        Some("added_video") => ContentType::Video,
        Some("shared_story") => ContentType::Link,
        Some("mobile_status_update") | Some("wall_post") => ContentType::Text,
        Some(other) if !other.is_empty() => ContentType::Other(other.to_string()),
        _ => ContentType::Other("unknown".to_string()),
    }
}

/// The Facebook user behind a user token; `None` without an id.
pub(crate) fn user_profile(node: &UserNode) -> Option<Profile> {
    let id = node.id.clone().filter(|s| !s.is_empty())?;
    Some(Profile {
        external_id: id,
        username: None,
        display_name: node.name.clone(),
        avatar_url: None,
    })
}

/// A `/me/accounts` item as a [`PageAccess`]; `None` without an id or a page token (the
/// user cannot act as that page).
pub(crate) fn page_access(node: AccountNode) -> Option<PageAccess> {
    let id = node.id.filter(|s| !s.is_empty())?;
    let token = node.access_token.filter(|s| !s.is_empty())?;
    let can_analyze = node.tasks.iter().any(|t| t.eq_ignore_ascii_case("ANALYZE"));
    Some(PageAccess {
        id,
        name: node.name,
        category: node.category,
        tasks: node.tasks,
        token: SecretString::from(token),
        can_analyze,
        instagram_business_account: node.instagram_business_account.and_then(|r| r.id),
    })
}

/// The profile of a page node; `None` without an id.
pub(crate) fn page_profile(node: &PageNode) -> Option<Profile> {
    let id = node.id.clone().filter(|s| !s.is_empty())?;
    Some(Profile {
        external_id: id,
        username: node.username.clone(),
        display_name: node.name.clone(),
        avatar_url: node
            .picture
            .as_ref()
            .and_then(|p| p.data.as_ref())
            .and_then(|d| d.url.clone()),
    })
}

/// `followers_count` / `fan_count` / `talking_about_count` → `followers` / `page_likes` /
/// `talking_about` snapshots at `at` (absent fields give no metric).
pub(crate) fn page_metrics(node: &PageNode, at: DateTime<Utc>) -> Vec<AccountMetric> {
    let fields = [
        ("followers_count", node.followers_count),
        ("fan_count", node.fan_count),
        ("talking_about_count", node.talking_about_count),
    ];
    snapshot_metrics(FB, &fields, at)
}

/// A post node as a [`PagePost`]; `None` without an id.
pub(crate) fn page_post(node: PostNode) -> Option<PagePost> {
    let id = node.id.filter(|s| !s.is_empty())?;
    let node_metrics = [
        (
            "reactions.summary.total_count",
            node.reactions.and_then(|r| r.summary).and_then(|s| s.total_count),
        ),
        (
            "comments.summary.total_count",
            node.comments.and_then(|r| r.summary).and_then(|s| s.total_count),
        ),
        ("shares.count", node.shares.and_then(|s| s.count)),
    ]
    .into_iter()
    .filter_map(|(field, v)| node_post_metric(FB, &id, field, v))
    .collect();
    Some(PagePost {
        post: PostRecord {
            external_id: id,
            published_at: node.created_time.as_deref().and_then(parse_time),
            content_type: content_type(node.status_type.as_deref()),
            permalink: node.permalink_url.map(absolute_link),
            caption: node.message,
        },
        status_type: node.status_type,
        picture: node.full_picture,
        node_metrics,
    })
}

/// Meta sends some permalinks as paths (`/FacebookforDevelopers/videos/1002065083862711/`):
/// make them absolute on `https://www.facebook.com`.
fn absolute_link(link: String) -> String {
    if link.starts_with('/') {
        format!("https://www.facebook.com{link}")
    } else {
        link
    }
}

/// A video node as a [`PageVideo`]; `None` without an id.
pub(crate) fn page_video(node: VideoNode) -> Option<PageVideo> {
    let id = node.id.filter(|s| !s.is_empty())?;
    Some(PageVideo {
        post: PostRecord {
            external_id: id,
            published_at: node.created_time.as_deref().and_then(parse_time),
            content_type: ContentType::Video,
            permalink: node.permalink_url.map(absolute_link),
            caption: node.description.or_else(|| node.title.clone()),
        },
        title: node.title,
        length_seconds: node.length,
        updated_at: node.updated_time.as_deref().and_then(parse_time),
    })
}

/// Page insights time series (`values:[{value,end_time}]`) → account metrics. `end_time`
/// is the END of the bucket, so `period_start = end_time − period`. Object values (counts
/// per key) become audience slices (audience = catalog key or metric name, dimension `key`,
/// timeframe `day:YYYY-MM-DD` of the bucket start); names outside the catalog become
/// `unknown_metric` gaps; points without a readable `end_time` are skipped.
pub(crate) fn page_series(
    entries: &[InsightEntry],
    page_id: &str,
    memory: &mut MetricMemory,
    out: &mut InsightsResult,
) {
    for e in entries {
        let Some(name) = e.name.as_deref() else { continue };
        let Some((period, len, m, s)) = series_target(FB, e, name, page_id, memory, out) else {
            continue;
        };
        for p in e.values.as_deref().unwrap_or_default() {
            let Some(end) = p.end_time.as_deref().and_then(parse_time) else {
                continue;
            };
            let start = end - len;
            if let Value::Object(map) = &p.value {
                let timeframe = match period {
                    Period::Day => format!("day:{}", start.format("%Y-%m-%d")),
                    other => format!("{}:{}", other.as_str(), start.format("%Y-%m-%d")),
                };
                for (k, v) in map {
                    let Some(value) = number(v) else { continue };
                    out.audience.push(AudienceSlice {
                        audience: m.key.to_string(),
                        dimension: "key".to_string(),
                        key: k.clone(),
                        value: scaled(value, s.scale),
                        timeframe: timeframe.clone(),
                    });
                }
                continue;
            }
            out.account_metrics.push(AccountMetric {
                metric: m.key.to_string(),
                period,
                period_start: start,
                period_end: end,
                value: number(&p.value).map(|v| scaled(v, s.scale)),
            });
        }
    }
}

/// The single value of a lifetime entry: the last `values[].value` (a number or an
/// object); `Value::Null` for empty data.
fn lifetime_value(entry: &InsightEntry) -> Value {
    entry
        .values
        .as_ref()
        .and_then(|pts| pts.iter().rev().find(|p| !p.value.is_null()))
        .map(|p| p.value.clone())
        .unwrap_or(Value::Null)
}

/// Lifetime insights of a post or video → post metrics (catalog units: ms → s). Requested
/// metrics missing from the answer or with empty data get `None`;
/// `post_reactions_by_type_total` (`{"like":330,"love":2,...}`) becomes one metric per
/// type present (`post_reactions_by_type_total.like` → `likes`, `.love` →
/// `reactions_love`, ...); unknown types and names become `unknown_metric` gaps.
pub(crate) fn lifetime_metrics(
    entries: &[InsightEntry],
    requested: &[String],
    object_id: &str,
    memory: &mut MetricMemory,
    out: &mut InsightsResult,
) {
    let mut seen = HashSet::new();
    for e in entries {
        let Some(name) = e.name.as_deref() else { continue };
        seen.insert(name.to_string());
        let value = lifetime_value(e);
        if name == REACTIONS_BY_TYPE {
            if let Value::Object(map) = &value {
                for (kind, v) in map {
                    let field = format!("{REACTIONS_BY_TYPE}.{kind}");
                    push_post_metric(FB, &field, number(v), object_id, memory, out);
                }
            }
            continue;
        }
        push_post_metric(FB, name, number(&value), object_id, memory, out);
    }
    for r in requested {
        if !seen.contains(r) && r != REACTIONS_BY_TYPE {
            push_post_metric(FB, r, None, object_id, memory, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_types_map_to_content_types() {
        assert_eq!(content_type(Some("added_photos")), ContentType::Image);
        assert_eq!(content_type(Some("added_video")), ContentType::Video);
        assert_eq!(content_type(Some("shared_story")), ContentType::Link);
        assert_eq!(content_type(Some("mobile_status_update")), ContentType::Text);
        assert_eq!(
            content_type(Some("created_event")),
            ContentType::Other("created_event".into())
        );
        assert_eq!(content_type(None), ContentType::Other("unknown".into()));
    }

    #[test]
    fn relative_permalinks_become_absolute() {
        assert_eq!(
            absolute_link("/Page/videos/1/".into()),
            "https://www.facebook.com/Page/videos/1/"
        );
        assert_eq!(
            absolute_link("https://www.facebook.com/1_2".into()),
            "https://www.facebook.com/1_2"
        );
    }
}
