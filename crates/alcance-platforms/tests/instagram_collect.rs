//! A whole collection through `PlatformClient::collect`: every part lands, failing parts
//! become warnings or gaps, a rate limit stops further calls.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::meta_fake;

use alcance_core::{ContentType, EventLevel, Period, Platform};
use alcance_platforms::{CollectCtx, PlatformClient, PlatformError};
use meta_fake::common::post_metric;
use meta_fake::{collect_ctx, graph_error, lifetime, FakeGraph, Reply, Req, TOKEN};
use serde_json::json;

const IG: &str = "17841400000000001";

fn ctx(owned: bool) -> CollectCtx {
    collect_ctx(Platform::Instagram, IG, "cafe.aurora", owned)
}

fn graph(r: &Req) -> Option<Reply> {
    let media = format!("/{IG}/media");
    let stories = format!("/{IG}/stories");
    let insights = format!("/{IG}/insights");
    match r.path.as_str() {
        p if p == format!("/{IG}") => Some(Reply::json(json!({
            "id": IG, "username": "cafe.aurora", "followers_count": 15234, "follows_count": 312, "media_count": 877
        }))),
        p if p == insights => Some(Reply::json(json!({"data": []}))),
        p if p == media => Some(Reply::json(json!({"data": [
            {"id": "r1", "media_type": "VIDEO", "media_product_type": "REELS", "timestamp": "2026-11-20T09:00:00+0000",
             "like_count": 50, "comments_count": 5},
            {"id": "f1", "media_type": "IMAGE", "media_product_type": "FEED", "timestamp": "2026-11-19T09:00:00+0000",
             "comments_count": 2},
            {"id": "old", "media_type": "IMAGE", "media_product_type": "FEED", "timestamp": "2026-11-01T09:00:00+0000"}
        ], "paging": {"cursors": {"before": "a", "after": "b"}, "next": "https://graph.facebook.com/next"}}))),
        p if p == stories => Some(Reply::json(json!({"data": [
            {"id": "s1", "media_type": "IMAGE", "media_product_type": "STORY", "timestamp": "2026-11-20T08:00:00+0000"}
        ]}))),
        "/r1/insights" => Some(Reply::json(json!({"data": [
            {"name": "likes", "period": "lifetime", "values": []},
            lifetime("comments", json!(6)),
            lifetime("reach", json!(100)),
            lifetime("ig_reels_avg_watch_time", json!(4000))
        ]}))),
        "/s1/insights" => Some(graph_error(
            400,
            10,
            None,
            "(#10) Not enough viewers for the media to show insights",
        )),
        _ => None,
    }
}

#[tokio::test]
async fn an_owned_account_collects_every_part() {
    let fake = FakeGraph::start(graph).await;
    let c = fake.client();
    assert_eq!(c.platform(), Platform::Instagram);
    let ctx = ctx(true);
    let b = c.collect(&ctx).await.expect("batch");

    let profile = b.profile.as_ref().expect("profile");
    assert_eq!(profile.username.as_deref(), Some("cafe.aurora"));
    let followers = b
        .account_metrics
        .iter()
        .find(|m| m.metric == "followers")
        .expect("followers");
    assert_eq!(followers.value, Some(15234.0));
    assert_eq!(followers.period, Period::Snapshot);
    assert_eq!(
        followers.period_start, ctx.window.until,
        "snapshots use the collection clock"
    );
    // One full day in the window: 10 empty totals, all None.
    let day_totals: Vec<_> = b.account_metrics.iter().filter(|m| m.period == Period::Day).collect();
    assert_eq!(day_totals.len(), 10);
    assert!(day_totals.iter().all(|m| m.value.is_none()));

    let ids: Vec<(&str, ContentType)> = b
        .posts
        .iter()
        .map(|p| (p.external_id.as_str(), p.content_type.clone()))
        .collect();
    assert_eq!(
        ids,
        vec![
            ("r1", ContentType::Reel),
            ("f1", ContentType::Image),
            ("s1", ContentType::Story)
        ]
    );
    let pm = &b.post_metrics;
    assert_eq!(
        post_metric(pm, "r1", "likes"),
        Some(Some(50.0)),
        "node like_count fills the empty insight"
    );
    assert_eq!(
        post_metric(pm, "r1", "comments"),
        Some(Some(6.0)),
        "insights win over the node"
    );
    assert_eq!(post_metric(pm, "r1", "reach"), Some(Some(100.0)));
    assert_eq!(post_metric(pm, "r1", "watch_time_avg_seconds"), Some(Some(4.0)));
    assert_eq!(post_metric(pm, "r1", "views"), Some(None), "requested, not served");
    assert_eq!(
        post_metric(pm, "f1", "comments"),
        Some(Some(2.0)),
        "insights failed: node counts kept"
    );
    assert_eq!(post_metric(pm, "f1", "likes"), None, "likes hidden: no value");
    assert_eq!(post_metric(pm, "s1", "reach"), None);

    assert!(b
        .gaps
        .iter()
        .any(|g| g.code == "not_enough_viewers" && g.object_id == "s1"));
    let f1_warning = b
        .warnings
        .iter()
        .find(|w| w.message.contains("f1"))
        .expect("f1 warning");
    assert_eq!(f1_warning.code, "http_500");
    assert_eq!(f1_warning.level, EventLevel::Warn);
    // The media list stopped at the media older than `since`: one page.
    assert_eq!(fake.requests_to(&format!("/{IG}/media")).len(), 1);
    // 6 demographics calls answered with empty data: no slices.
    assert!(b.audience.is_empty());

    let archived = ctx.recorder.take();
    assert_eq!(archived.len(), fake.requests().len());
    assert!(archived.iter().all(|x| !x.url.contains(TOKEN)));
}

#[tokio::test]
async fn a_tracked_account_reads_only_public_parts() {
    let fake = FakeGraph::start(graph).await;
    let b = fake.client().collect(&ctx(false)).await.expect("batch");
    let paths: Vec<String> = fake.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, vec![format!("/{IG}"), format!("/{IG}/media")]);
    assert_eq!(b.posts.len(), 2);
    assert_eq!(post_metric(&b.post_metrics, "r1", "likes"), Some(Some(50.0)));
    assert_eq!(post_metric(&b.post_metrics, "r1", "comments"), Some(Some(5.0)));
    assert!(b.warnings.is_empty(), "{:?}", b.warnings);
}

#[tokio::test]
async fn a_rate_limit_stops_further_calls_but_keeps_what_landed() {
    let fake = FakeGraph::start(|r| {
        if r.path == "/r1/insights" {
            return Some(graph_error(400, 4, None, "(#4) Application request limit reached"));
        }
        graph(r)
    })
    .await;
    let b = fake.client().collect(&ctx(true)).await.expect("batch");
    assert_eq!(b.posts.len(), 3, "posts still land");
    assert_eq!(post_metric(&b.post_metrics, "f1", "comments"), Some(Some(2.0)));
    let w = b.warnings.iter().find(|w| w.code == "rate_limited").expect("warning");
    assert_eq!(w.level, EventLevel::Error);
    assert!(fake.requests_to("/f1/insights").is_empty());
    assert!(fake.requests_to("/s1/insights").is_empty());
}

#[tokio::test]
async fn a_failing_profile_fails_the_collection() {
    let fake = FakeGraph::start(|r| {
        (r.path == format!("/{IG}")).then(|| {
            graph_error(
                400,
                190,
                Some(463),
                "Error validating access token: Session has expired",
            )
        })
    })
    .await;
    let e = fake.client().collect(&ctx(true)).await.expect_err("190");
    assert!(matches!(e, PlatformError::Unauthorized { .. }));
    assert!(e.needs_reauth());
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn a_media_insights_permission_refusal_is_asked_once() {
    let fake = FakeGraph::start(|r| {
        if r.path.ends_with("/insights") && r.path != format!("/{IG}/insights") {
            return Some(graph_error(
                403,
                10,
                None,
                "(#10) Application does not have permission for this action",
            ));
        }
        graph(r)
    })
    .await;
    let b = fake.client().collect(&ctx(true)).await.expect("batch");
    assert_eq!(b.posts.len(), 3);
    let refused: Vec<_> = b.gaps.iter().filter(|g| g.code == "permission").collect();
    assert_eq!(refused.len(), 1, "{:?}", b.gaps);
    assert_eq!(refused[0].object_id, "r1");
    assert!(fake.requests_to("/f1/insights").is_empty());
    assert_eq!(
        post_metric(&b.post_metrics, "r1", "likes"),
        Some(Some(50.0)),
        "node counts still land"
    );
}
