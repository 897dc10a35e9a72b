//! Issue 16 point 5: the per-post insights calls of Facebook Pages, Instagram and Threads
//! run several at a time, and the collection is the same as with the calls one after the
//! other: the same posts, metrics, gaps and warnings in the same order, a removed metric
//! learned once, an unknown metric reported once, one failing post's insights a warning.
//! The fake answers each insights call after a delay and counts the calls it is answering
//! at once; a throttled answer or a usage header at the cap stops the calls not yet sent
//! (the rate-limit governor is consulted before every call).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::meta_fake;

use alcance_core::{CollectionBatch, Platform};
use alcance_platforms::governor::{Governor, GovernorConfig};
use alcance_platforms::instagram::{GraphHost, InstagramClient};
use alcance_platforms::threads::ThreadsClient;
use alcance_platforms::{CollectCtx, Http, PlatformClient};
use meta_fake::common::post_metric;
use meta_fake::{collect_ctx, graph_error, invalid_metric, lifetime, FakeGraph, Reply, Req};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

const PAGE: &str = "104000000000001";
const IG: &str = "17841400000000001";
const TH: &str = "25000000000000001";
const POSTS: usize = 20;
const ROUND_TRIP: Duration = Duration::from_millis(50);

/// Post `i`'s publication time: 10:00 UTC on 2026-11-20, then every 30 minutes back
/// (inside the collect window of `collect_ctx`).
fn at(i: usize) -> String {
    let t = chrono::DateTime::parse_from_rfc3339("2026-11-20T10:00:00Z").unwrap()
        - chrono::Duration::minutes(30 * i as i64);
    t.format("%Y-%m-%dT%H:%M:%S+0000").to_string()
}

/// The index in `/{prefix}{i}/insights`-like paths.
fn index(path: &str, prefix: &str) -> Option<usize> {
    path.strip_prefix(&format!("/{prefix}"))?
        .split('/')
        .next()?
        .parse()
        .ok()
}

/// Lifetime entries for the metrics asked, valued by post and metric, plus a metric name
/// Alcance does not know; `refused` in the list fails the whole call with #100.
fn insights(r: &Req, i: usize, refused: &str, unknown: &str) -> Reply {
    let metrics = r.metrics();
    if metrics.iter().any(|m| m == refused) {
        return invalid_metric();
    }
    let mut data: Vec<Value> = metrics
        .iter()
        .enumerate()
        .map(|(k, m)| lifetime(m, json!(100 * (i + 1) + k)))
        .collect();
    data.push(lifetime(unknown, json!(7)));
    Reply::json(json!({ "data": data }))
}

fn empty() -> Option<Reply> {
    Some(Reply::json(json!({ "data": [] })))
}

/// Facebook: 20 posts, two videos; `post_clicks` is removed, post 7's insights fail.
fn facebook(r: &Req) -> Option<Reply> {
    let p = r.path.as_str();
    if p == format!("/{PAGE}") {
        return Some(Reply::json(
            json!({"id": PAGE, "name": "Alcance", "username": "alcancebr", "followers_count": 10}),
        ));
    }
    if p == format!("/{PAGE}/insights") {
        return empty();
    }
    if p == format!("/{PAGE}/posts") {
        let data: Vec<Value> = (0..POSTS)
            .map(|i| {
                json!({"id": format!("{PAGE}_{i}"), "created_time": at(i), "status_type": "added_photos",
                            "reactions": {"summary": {"total_count": i}}})
            })
            .collect();
        return Some(Reply::json(json!({ "data": data })));
    }
    if p == format!("/{PAGE}/videos") {
        return Some(Reply::json(json!({"data": [
            {"id": "9001", "created_time": at(3), "length": 20.5},
            {"id": "9002", "created_time": at(9), "length": 8.0}
        ]})));
    }
    if let Some(i) = index(p, &format!("{PAGE}_")) {
        if i == 7 {
            return Some(graph_error(500, 1, None, "An unknown error occurred"));
        }
        return Some(insights(r, i, "post_clicks", "post_brand_new"));
    }
    index(p, "900").map(|i| insights(r, 50 + i, "-", "video_brand_new"))
}

/// Instagram: 20 media (every third a reel) and a story; `ig_reels_avg_watch_time` is
/// removed.
fn instagram(r: &Req) -> Option<Reply> {
    let p = r.path.as_str();
    if p == format!("/{IG}") {
        return Some(Reply::json(
            json!({"id": IG, "username": "alcance.br", "followers_count": 10}),
        ));
    }
    if p == format!("/{IG}/insights") {
        return empty();
    }
    if p == format!("/{IG}/media") {
        let data: Vec<Value> = (0..POSTS)
            .map(|i| {
                let reel = i % 3 == 1;
                json!({"id": format!("1790{i}"), "timestamp": at(i),
                       "media_type": if reel { "VIDEO" } else { "IMAGE" },
                       "media_product_type": if reel { "REELS" } else { "FEED" },
                       "like_count": i, "comments_count": 1})
            })
            .collect();
        return Some(Reply::json(json!({ "data": data })));
    }
    if p == format!("/{IG}/stories") {
        return Some(Reply::json(json!({"data": [
            {"id": "17950", "timestamp": at(0), "media_type": "IMAGE", "media_product_type": "STORY"}
        ]})));
    }
    if p == "/17950/insights" {
        if r.q("breakdown").is_some() {
            return empty();
        }
        return Some(insights(r, 40, "-", "ig_brand_new"));
    }
    let i = index(p, "1790")?;
    let refused = if i % 3 == 1 { "ig_reels_avg_watch_time" } else { "-" };
    Some(insights(r, i, refused, "ig_brand_new"))
}

/// Threads: 20 posts and a repost facade; post 4 is gone (404), `shares` is removed.
fn threads(r: &Req) -> Option<Reply> {
    let p = r.path.as_str();
    if p == format!("/{TH}") {
        return Some(Reply::json(json!({"id": TH, "username": "alcance.br"})));
    }
    if p == format!("/{TH}/threads_insights") {
        return empty();
    }
    if p == "/me/threads" {
        let mut data: Vec<Value> = (0..POSTS)
            .map(|i| json!({"id": format!("1800{i}"), "timestamp": at(i), "media_type": "TEXT_POST"}))
            .collect();
        data.insert(
            5,
            json!({"id": "18099", "timestamp": at(5), "media_type": "REPOST_FACADE"}),
        );
        return Some(Reply::json(json!({ "data": data })));
    }
    let i = index(p, "1800")?;
    if i == 4 {
        return Some(graph_error(404, 100, Some(33), "Object does not exist"));
    }
    Some(insights(r, i, "shares", "th_brand_new"))
}

/// Per-object insights calls wait a round trip; the rest (the accounts' own insights,
/// listings) answer at once.
fn slow(r: &Req) -> bool {
    let account = [PAGE, IG, TH].iter().any(|id| r.path.starts_with(&format!("/{id}/")));
    !account && (r.path.ends_with("/insights") || r.path.ends_with("/video_insights"))
}

/// A fake's answers.
type Handler = fn(&Req) -> Option<Reply>;

async fn collect(platform: Platform, limit: usize) -> (CollectionBatch, usize, usize) {
    let (handler, id, user): (Handler, &str, &str) = match platform {
        Platform::Facebook => (facebook, PAGE, "alcancebr"),
        Platform::Instagram => (instagram, IG, "alcance.br"),
        _ => (threads, TH, "alcance.br"),
    };
    let fake = FakeGraph::start_slow(ROUND_TRIP, slow, handler).await;
    let http = Http::new().expect("http");
    let client: Arc<dyn PlatformClient> = match platform {
        Platform::Facebook => Arc::new(fake.facebook().with_insights_in_flight(limit)),
        Platform::Instagram => Arc::new(
            InstagramClient::new(http, fake.endpoints(), GraphHost::FacebookLogin).with_insights_in_flight(limit),
        ),
        _ => Arc::new(ThreadsClient::new(http, fake.endpoints()).with_insights_in_flight(limit)),
    };
    let ctx: CollectCtx = collect_ctx(platform, id, user, true);
    let batch = client.collect(&ctx).await.expect("batch");
    (batch, fake.max_in_flight(), fake.requests().len())
}

#[tokio::test]
async fn insights_calls_overlap_and_the_batch_is_that_of_one_call_after_the_other() {
    for platform in [Platform::Facebook, Platform::Instagram, Platform::Threads] {
        let (one_by_one, max_one, calls_one) = collect(platform, 1).await;
        assert_eq!(max_one, 1, "{platform:?}: one call at a time");
        for limit in [4, 8] {
            let (batch, max, calls) = collect(platform, limit).await;
            assert!(
                (2..=limit).contains(&max),
                "{platform:?}: {max} calls at once with a limit of {limit}"
            );
            assert_eq!(batch, one_by_one, "{platform:?}, {limit} in flight");
            assert_eq!(calls, calls_one, "{platform:?}: no call more than one after the other");
        }

        // What one after the other gives, spelled out: every post's insights but the
        // failing one's, the removed metric and the unknown name reported once each.
        let gaps: Vec<(&str, &str)> = one_by_one
            .gaps
            .iter()
            .map(|g| (g.code.as_str(), g.what.as_str()))
            .collect();
        let pm = &one_by_one.post_metrics;
        match platform {
            Platform::Facebook => {
                assert_eq!(
                    gaps,
                    [
                        ("unknown_metric", "post_brand_new"),
                        ("metric_removed", "post_clicks"),
                        ("unknown_metric", "video_brand_new")
                    ]
                );
                assert_eq!(one_by_one.gaps[1].object_id, format!("{PAGE}_0"), "the first post");
                assert_eq!(post_metric(pm, &format!("{PAGE}_19"), "views"), Some(Some(2000.0)));
                assert_eq!(post_metric(pm, &format!("{PAGE}_7"), "views"), None);
                assert_eq!(post_metric(pm, &format!("{PAGE}_7"), "reactions"), Some(Some(7.0)));
                assert_eq!(post_metric(pm, "9002", "video_views"), Some(Some(5300.0)));
                assert!(one_by_one
                    .warnings
                    .iter()
                    .any(|w| w.message.contains(&format!("post {PAGE}_7 insights"))));
                assert!(one_by_one.stopped.is_none());
            }
            Platform::Instagram => {
                assert_eq!(
                    gaps,
                    [
                        ("unknown_metric", "ig_brand_new"),
                        ("metric_removed", "ig_reels_avg_watch_time")
                    ]
                );
                assert_eq!(one_by_one.gaps[1].object_id, "17901", "the first reel");
                assert_eq!(post_metric(pm, "17904", "views"), Some(Some(500.0)));
                assert_eq!(post_metric(pm, "17950", "views"), Some(Some(4100.0)));
                assert_eq!(one_by_one.posts.len(), POSTS + 1);
            }
            _ => {
                assert_eq!(
                    gaps,
                    [
                        ("unknown_metric", "th_brand_new"),
                        ("metric_removed", "shares"),
                        ("not_found", "media_insights")
                    ]
                );
                assert_eq!(post_metric(pm, "18003", "views"), Some(Some(400.0)));
                assert_eq!(post_metric(pm, "18004", "views"), None);
                assert_eq!(one_by_one.posts.len(), POSTS, "the repost facade left out");
            }
        }
    }
}

/// Facebook's `graph` with post `THROTTLED` answering at once, either Graph code 4 (the
/// app's rate limit) or a success whose `X-App-Usage` says 96 % used.
fn throttling(usage_header: bool) -> impl Fn(&Req) -> Option<Reply> + Send + Sync + 'static {
    move |r: &Req| {
        if index(&r.path, &format!("{PAGE}_")) == Some(THROTTLED) {
            return Some(if usage_header {
                insights(r, THROTTLED, "post_clicks", "post_brand_new")
                    .header("x-app-usage", r#"{"call_count":96,"total_cputime":10,"total_time":10}"#)
            } else {
                graph_error(403, 4, None, "(#4) Application request limit reached")
            });
        }
        if r.path == format!("/{PAGE}/posts") {
            let data: Vec<Value> = (0..40)
                .map(|i| json!({"id": format!("{PAGE}_{i}"), "created_time": "2026-11-20T10:00:00+0000"}))
                .collect();
            return Some(Reply::json(json!({ "data": data, "paging": {} })));
        }
        facebook(r)
    }
}

const THROTTLED: usize = 5;

#[tokio::test]
async fn a_throttled_answer_stops_the_calls_not_yet_sent() {
    let limit = 4;
    for usage_header in [false, true] {
        let fake = FakeGraph::start_slow(
            ROUND_TRIP,
            |r| slow(r) && index(&r.path, &format!("{PAGE}_")) != Some(THROTTLED),
            throttling(usage_header),
        )
        .await;
        let governor = Arc::new(Governor::with_config(GovernorConfig {
            max_wait: Duration::from_millis(200),
            ..GovernorConfig::default()
        }));
        let http = Http::new().expect("http").with_governor(governor);
        let client =
            alcance_platforms::facebook::FacebookClient::new(http, fake.endpoints()).with_insights_in_flight(limit);
        let batch = client
            .collect(&collect_ctx(Platform::Facebook, PAGE, "alcancebr", true))
            .await
            .expect("batch");

        let stopped = batch.stopped.as_ref().expect("the collection says why it stopped");
        assert!(stopped.rate_limited, "{usage_header}: {stopped:?}");
        let asked: std::collections::BTreeSet<usize> = fake
            .requests()
            .iter()
            .filter_map(|r| index(&r.path, &format!("{PAGE}_")))
            .collect();
        // Up to the throttled post, plus what was in flight beside it (limit − 1) and what
        // replaced those before its answer came (limit − 1); never the 40 posts.
        assert!(
            asked.len() <= THROTTLED + 1 + 2 * (limit - 1),
            "{usage_header}: the insights of {} posts asked: {asked:?}",
            asked.len()
        );
        assert!(asked.contains(&THROTTLED));
        assert!(
            fake.requests().iter().all(|r| !r.path.ends_with("/video_insights")),
            "no video insights after the stop"
        );
        // What landed before the stop stays; nothing after the last post asked.
        let pm = &batch.post_metrics;
        assert_eq!(post_metric(pm, &format!("{PAGE}_0"), "views"), Some(Some(100.0)));
        let last = asked.last().copied().unwrap_or_default();
        assert_eq!(post_metric(pm, &format!("{PAGE}_{}", last + 1), "views"), None);
        assert_eq!(batch.posts.len(), 40 + 2, "the posts and videos listed all land");
    }
}
