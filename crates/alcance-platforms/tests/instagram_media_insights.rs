//! Per-media insights: metric lists per kind, the removed-metric fallback, story errors,
//! empty data and the navigation breakdown.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::meta_fake;

use alcance_platforms::instagram::{InsightsResult, MediaKind, MetricMemory};
use alcance_platforms::{PlatformError, Recorder};
use meta_fake::{graph_error, invalid_metric, lifetime, token, FakeGraph, Reply, Req};
use serde_json::json;

fn value(r: &InsightsResult, key: &str) -> Option<f64> {
    r.post_metrics
        .iter()
        .find(|m| m.metric == key)
        .unwrap_or_else(|| panic!("{key} missing in {:#?}", r.post_metrics))
        .value
}

/// Answers each requested metric with a value from a table, and #100 when the list holds
/// a metric from `removed`.
fn media_server(removed: &'static [&'static str]) -> impl Fn(&Req) -> Option<Reply> + Send + Sync + 'static {
    move |r: &Req| {
        if !r.path.ends_with("/insights") || r.q("metric").is_none() {
            return None;
        }
        if r.metrics().iter().any(|m| removed.contains(&m.as_str())) {
            return Some(invalid_metric());
        }
        if r.q("breakdown") == Some("story_navigation_action_type") {
            return Some(Reply::json(json!({"data": [{
                "name": "navigation", "period": "lifetime", "id": "x",
                "total_value": {"value": 66, "breakdowns": [{"dimension_keys": ["story_navigation_action_type"], "results": [
                    {"dimension_values": ["TAP_FORWARD"], "value": 41},
                    {"dimension_values": ["TAP_BACK"], "value": 9},
                    {"dimension_values": ["TAP_EXIT"], "value": 14},
                    {"dimension_values": ["SWIPE_FORWARD"], "value": 2}
                ]}]}
            }]})));
        }
        let table = |m: &str| -> serde_json::Value {
            match m {
                "views" => json!(5230),
                "reach" => json!(2006),
                "likes" => json!(108),
                "comments" => json!(7),
                "shares" => json!(1),
                "saved" => json!(12),
                "total_interactions" => json!(128),
                "follows" => json!(3),
                "profile_visits" => json!(23),
                "profile_activity" => json!(11),
                "ig_reels_avg_watch_time" => json!(12549),
                "ig_reels_video_view_total_time" => json!(30017581),
                "replies" => json!(0),
                "navigation" => json!(66),
                _ => json!(1),
            }
        };
        let data: Vec<serde_json::Value> = r.metrics().iter().map(|m| lifetime(m, table(m))).collect();
        Some(Reply::json(json!({ "data": data })))
    }
}

#[tokio::test]
async fn feed_insights_land_with_catalog_keys() {
    let fake = FakeGraph::start(media_server(&[])).await;
    let r = fake
        .client()
        .media_insights(&token(), "m1", MediaKind::Feed, &Recorder::new())
        .await
        .expect("insights");
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].path, "/m1/insights");
    assert_eq!(
        reqs[0].q("metric"),
        Some("views,reach,likes,comments,shares,saved,total_interactions,follows,profile_visits,profile_activity")
    );
    assert_eq!(value(&r, "views"), Some(5230.0));
    assert_eq!(value(&r, "reach"), Some(2006.0));
    assert_eq!(value(&r, "likes"), Some(108.0));
    assert_eq!(value(&r, "comments"), Some(7.0));
    assert_eq!(value(&r, "shares"), Some(1.0));
    assert_eq!(value(&r, "saves"), Some(12.0));
    assert_eq!(value(&r, "total_interactions"), Some(128.0));
    assert_eq!(value(&r, "follows"), Some(3.0));
    assert_eq!(value(&r, "profile_views"), Some(23.0));
    assert_eq!(value(&r, "profile_activity"), Some(11.0));
    assert_eq!(r.post_metrics.len(), 10);
    assert!(r.post_metrics.iter().all(|m| m.post_external_id == "m1"));
    assert!(r.gaps.is_empty() && r.warnings.is_empty());
}

#[tokio::test]
async fn reels_watch_time_is_converted_to_seconds() {
    let fake = FakeGraph::start(media_server(&[])).await;
    let r = fake
        .client()
        .media_insights(&token(), "r1", MediaKind::Reels, &Recorder::new())
        .await
        .expect("insights");
    assert_eq!(
        fake.requests()[0].q("metric"),
        Some("views,reach,likes,comments,shares,saved,total_interactions,ig_reels_avg_watch_time,ig_reels_video_view_total_time")
    );
    assert_eq!(value(&r, "watch_time_avg_seconds"), Some(12.549));
    assert_eq!(value(&r, "watch_time_seconds"), Some(30017.581));
    assert_eq!(value(&r, "views"), Some(5230.0));
    assert_eq!(r.post_metrics.len(), 9);
}

#[tokio::test]
async fn story_insights_include_the_navigation_breakdown() {
    let fake = FakeGraph::start(media_server(&[])).await;
    let r = fake
        .client()
        .media_insights(&token(), "s1", MediaKind::Story, &Recorder::new())
        .await
        .expect("insights");
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        reqs[0].q("metric"),
        Some("views,reach,replies,shares,total_interactions,follows,profile_visits,navigation")
    );
    assert_eq!(reqs[1].q("metric"), Some("navigation"));
    assert_eq!(reqs[1].q("breakdown"), Some("story_navigation_action_type"));
    assert_eq!(value(&r, "replies"), Some(0.0), "a real 0 stays 0");
    assert_eq!(value(&r, "story_navigation"), Some(66.0));
    assert_eq!(value(&r, "story_taps_forward"), Some(41.0));
    assert_eq!(value(&r, "story_taps_back"), Some(9.0));
    assert_eq!(value(&r, "story_exits"), Some(14.0));
    assert_eq!(value(&r, "story_swipes_forward"), Some(2.0));
    assert!(r.gaps.iter().all(|g| g.code != "unknown_metric"), "{:?}", r.gaps);
}

#[tokio::test]
async fn removed_metrics_are_dropped_recorded_once_and_remembered() {
    let fake = FakeGraph::start(media_server(&["impressions", "plays"])).await;
    let c = fake.client();
    let rec = Recorder::new();
    let mut memory = MetricMemory::new();
    let wanted = ["impressions", "reach", "saved", "plays"];
    let r = c
        .media_insights_metrics(&token(), "m1", &wanted, &mut memory, &rec)
        .await
        .expect("insights");
    assert_eq!(value(&r, "reach"), Some(2006.0));
    assert_eq!(value(&r, "saves"), Some(12.0));
    assert_eq!(r.post_metrics.len(), 2, "{:#?}", r.post_metrics);
    let mut gaps: Vec<(&str, &str, &str)> = r
        .gaps
        .iter()
        .map(|g| (g.what.as_str(), g.object_id.as_str(), g.code.as_str()))
        .collect();
    gaps.sort();
    assert_eq!(
        gaps,
        vec![
            ("impressions", "m1", "metric_removed"),
            ("plays", "m1", "metric_removed")
        ]
    );
    assert!(r.gaps[0].detail.contains("valid insights metric"));
    // The list, then one call per metric.
    assert_eq!(fake.requests().len(), 5);
    assert!(memory.is_removed("media:custom", "impressions"));
    assert_eq!(memory.removed().count(), 2);

    // The next media does not pay again, and no second gap is recorded.
    let r = c
        .media_insights_metrics(&token(), "m2", &wanted, &mut memory, &rec)
        .await
        .expect("insights");
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 6);
    assert_eq!(reqs[5].q("metric"), Some("reach,saved"));
    assert!(r.gaps.is_empty());
    assert_eq!(value(&r, "reach"), Some(2006.0));
}

#[tokio::test]
async fn a_removed_metric_in_a_kind_list_still_lets_the_rest_land() {
    let fake = FakeGraph::start(media_server(&["profile_activity"])).await;
    let c = fake.client();
    let mut memory = MetricMemory::new();
    let rec = Recorder::new();
    let r1 = c
        .media_insights_with(&token(), "m1", MediaKind::Feed, &mut memory, &rec)
        .await
        .expect("m1");
    let r2 = c
        .media_insights_with(&token(), "m2", MediaKind::Feed, &mut memory, &rec)
        .await
        .expect("m2");
    assert_eq!(value(&r1, "views"), Some(5230.0));
    assert_eq!(value(&r2, "views"), Some(5230.0));
    assert_eq!(r1.post_metrics.len(), 9);
    assert_eq!(r2.post_metrics.len(), 9);
    assert_eq!(r1.gaps.len(), 1);
    assert_eq!(r1.gaps[0].what, "profile_activity");
    assert!(r2.gaps.is_empty());
    // m1: list + 10 single calls; m2: one call without profile_activity.
    assert_eq!(fake.requests().len(), 12);
    // A removed feed metric is not assumed removed for reels.
    assert!(!memory.is_removed("media:reels", "profile_activity"));
}

#[tokio::test]
async fn not_enough_viewers_and_before_business_are_gaps_not_failures() {
    let fake = FakeGraph::start(|r| match r.path.as_str() {
        "/s1/insights" => Some(graph_error(
            400,
            10,
            None,
            "(#10) Not enough viewers for the media to show insights",
        )),
        "/m9/insights" => Some(graph_error(400, 100, Some(2108006), "Invalid parameter")),
        "/m8/insights" => Some(graph_error(400, 190, None, "Invalid OAuth access token")),
        _ => None,
    })
    .await;
    let c = fake.client();
    let rec = Recorder::new();
    let r = c
        .media_insights(&token(), "s1", MediaKind::Story, &rec)
        .await
        .expect("story");
    assert!(r.post_metrics.is_empty());
    assert_eq!(r.gaps.len(), 1);
    assert_eq!(
        (r.gaps[0].code.as_str(), r.gaps[0].object_id.as_str()),
        ("not_enough_viewers", "s1")
    );
    assert_eq!(fake.requests_to("/s1/insights").len(), 1, "no navigation call after it");

    let r = c
        .media_insights(&token(), "m9", MediaKind::Feed, &rec)
        .await
        .expect("skip");
    assert!(r.post_metrics.is_empty());
    assert_eq!(r.gaps.len(), 1);
    assert_eq!(r.gaps[0].code, "media_before_business");

    let e = c
        .media_insights(&token(), "m8", MediaKind::Feed, &rec)
        .await
        .expect_err("190");
    assert!(matches!(e, PlatformError::Unauthorized { .. }));
    let e = c
        .media_insights(&token(), "m7", MediaKind::Feed, &rec)
        .await
        .expect_err("500");
    assert!(matches!(e, PlatformError::Api { status: 500, .. }));
}

#[tokio::test]
async fn empty_data_is_none_never_zero() {
    let fake = FakeGraph::start(|r| match r.path.as_str() {
        "/m1/insights" => Some(Reply::json(json!({"data": []}))),
        "/m2/insights" => Some(Reply::json(json!({"data": [
            {"name": "reach", "period": "lifetime", "values": []},
            {"name": "views", "period": "lifetime", "total_value": {"value": 44}},
            {"name": "likes", "period": "lifetime", "values": [{"value": null}]},
            {"name": "clips_replays_count", "period": "lifetime", "values": [{"value": 3}]}
        ]}))),
        _ => None,
    })
    .await;
    let c = fake.client();
    let rec = Recorder::new();
    let r = c
        .media_insights(&token(), "m1", MediaKind::Reels, &rec)
        .await
        .expect("m1");
    assert_eq!(r.post_metrics.len(), 9);
    assert!(
        r.post_metrics.iter().all(|m| m.value.is_none()),
        "{:#?}",
        r.post_metrics
    );

    let r = c
        .media_insights(&token(), "m2", MediaKind::Feed, &rec)
        .await
        .expect("m2");
    assert_eq!(value(&r, "reach"), None);
    assert_eq!(value(&r, "views"), Some(44.0), "newer total_value shape");
    assert_eq!(value(&r, "likes"), None);
    assert_eq!(value(&r, "comments"), None, "requested but absent");
    assert_eq!(r.gaps.len(), 1);
    assert_eq!(
        (r.gaps[0].what.as_str(), r.gaps[0].code.as_str()),
        ("clips_replays_count", "unknown_metric")
    );
    assert!(r.post_metrics.iter().all(|m| m.metric != "clips_replays_count"));
}
