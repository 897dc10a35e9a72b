//! A whole Facebook Page collection through `PlatformClient::collect` with the page token:
//! every part lands, a video's insights go to its post, tracked pages get no insights
//! calls, a dead token or a rate limit stops the work.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::meta_fake;

use alcance_core::{ContentType, EventLevel, Period, Platform};
use alcance_platforms::{CollectCtx, PlatformClient, PlatformError};
use meta_fake::common::post_metric;
use meta_fake::{collect_ctx, graph_error, lifetime, FakeGraph, Reply, Req, TOKEN};
use serde_json::{json, Value};

const PAGE: &str = "104000000000001";

fn ctx(owned: bool) -> CollectCtx {
    collect_ctx(Platform::Facebook, PAGE, "alcancebr", owned)
}

fn graph(r: &Req) -> Option<Reply> {
    let node = format!("/{PAGE}");
    let insights = format!("/{PAGE}/insights");
    let posts = format!("/{PAGE}/posts");
    let videos = format!("/{PAGE}/videos");
    match r.path.as_str() {
        p if p == node => Some(Reply::json(json!({
            "id": PAGE, "name": "Alcance Brasil", "username": "alcancebr", "fan_count": 48210, "followers_count": 51377
        }))),
        p if p == insights => {
            let data: Vec<Value> = r
                .metrics()
                .iter()
                .map(|m| json!({"name": m, "period": "day", "values": [{"value": 10, "end_time": "2026-11-20T08:00:00+0000"}]}))
                .collect();
            Some(Reply::json(json!({ "data": data })))
        }
        p if p == posts => Some(Reply::json(json!({"data": [
            {"id": "104000000000001_1", "created_time": "2026-11-20T09:00:10+0000", "status_type": "added_video",
             "message": "vídeo novo", "reactions": {"summary": {"total_count": 40}}, "comments": {"summary": {"total_count": 2}}},
            {"id": "104000000000001_2", "created_time": "2026-11-19T09:00:00+0000", "status_type": "added_photos",
             "reactions": {"summary": {"total_count": 12}}, "shares": {"count": 1}}
        ]}))),
        p if p == videos => Some(Reply::json(json!({"data": [
            {"id": "v_matched", "created_time": "2026-11-20T09:00:00+0000", "description": "vídeo novo", "length": 20.5},
            {"id": "v_alone", "created_time": "2026-11-19T20:00:00+0000", "description": "só vídeo", "length": 8.0}
        ]}))),
        "/104000000000001_1/insights" | "/104000000000001_2/insights" => Some(Reply::json(json!({"data": [
            lifetime("post_media_view", json!(900)),
            lifetime("post_total_media_view_unique", json!(600)),
            lifetime("post_reactions_by_type_total", json!({"like": 30, "love": 10})),
            lifetime("post_clicks", json!(25))
        ]}))),
        "/v_matched/video_insights" | "/v_alone/video_insights" => Some(Reply::json(json!({"data": [
            lifetime("total_video_views", json!(300)),
            lifetime("total_video_views_unique", json!(250)),
            lifetime("total_video_avg_time_watched", json!(4000)),
            lifetime("total_video_view_total_time", json!(1200000))
        ]}))),
        _ => None,
    }
}

#[tokio::test]
async fn an_owned_page_collects_every_part() {
    let fake = FakeGraph::start(graph).await;
    let c = fake.facebook();
    assert_eq!(c.platform(), Platform::Facebook);
    let ctx = ctx(true);
    let b = c.collect(&ctx).await.expect("batch");

    assert_eq!(
        b.profile.as_ref().and_then(|p| p.username.as_deref()),
        Some("alcancebr")
    );
    let snap = |k: &str| {
        b.account_metrics
            .iter()
            .find(|m| m.metric == k && m.period == Period::Snapshot)
            .expect(k)
    };
    assert_eq!(snap("followers").value, Some(51377.0));
    assert_eq!(snap("page_likes").value, Some(48210.0));
    assert_eq!(snap("followers").period_start, ctx.window.until);
    let days: Vec<&str> = b
        .account_metrics
        .iter()
        .filter(|m| m.period == Period::Day)
        .map(|m| m.metric.as_str())
        .collect();
    assert_eq!(
        days,
        [
            "views",
            "reach",
            "total_interactions",
            "profile_views",
            "followers_gained",
            "followers_lost",
            "followers"
        ]
    );

    let posts: Vec<(&str, ContentType)> = b
        .posts
        .iter()
        .map(|p| (p.external_id.as_str(), p.content_type.clone()))
        .collect();
    assert_eq!(
        posts,
        vec![
            ("104000000000001_1", ContentType::Video),
            ("104000000000001_2", ContentType::Image),
            ("v_alone", ContentType::Video)
        ],
        "the video of an added_video post is not a second post"
    );
    let pm = &b.post_metrics;
    assert_eq!(post_metric(pm, "104000000000001_1", "reactions"), Some(Some(40.0)));
    assert_eq!(post_metric(pm, "104000000000001_1", "comments"), Some(Some(2.0)));
    assert_eq!(post_metric(pm, "104000000000001_1", "views"), Some(Some(900.0)));
    assert_eq!(post_metric(pm, "104000000000001_1", "likes"), Some(Some(30.0)));
    assert_eq!(post_metric(pm, "104000000000001_1", "reactions_love"), Some(Some(10.0)));
    assert_eq!(post_metric(pm, "104000000000001_1", "clicks"), Some(Some(25.0)));
    assert_eq!(
        post_metric(pm, "104000000000001_1", "video_views"),
        Some(Some(300.0)),
        "matched video's insights land on its post"
    );
    assert_eq!(
        post_metric(pm, "104000000000001_1", "watch_time_seconds"),
        Some(Some(1200.0))
    );
    assert_eq!(post_metric(pm, "104000000000001_2", "shares"), Some(Some(1.0)));
    assert_eq!(post_metric(pm, "v_alone", "watch_time_avg_seconds"), Some(Some(4.0)));
    assert_eq!(post_metric(pm, "v_matched", "video_views"), None);
    assert!(b.gaps.is_empty(), "{:?}", b.gaps);
    assert!(b.warnings.is_empty(), "{:?}", b.warnings);
    let archived = ctx.recorder.take();
    assert_eq!(
        archived.len(),
        1 + 4 + 2 + 2 + 2,
        "node, 4 groups, 2 lists, 2 posts, 2 videos"
    );
    assert!(archived.iter().all(|x| !x.url.contains(TOKEN)));
}

#[tokio::test]
async fn a_tracked_page_asks_no_insights() {
    let fake = FakeGraph::start(graph).await;
    let c = fake.facebook();
    let b = c.collect(&ctx(false)).await.expect("batch");
    assert!(fake.requests().iter().all(|r| !r.path.contains("insights")));
    assert_eq!(b.posts.len(), 3);
    assert_eq!(
        post_metric(&b.post_metrics, "104000000000001_1", "reactions"),
        Some(Some(40.0))
    );
    assert!(b.account_metrics.iter().all(|m| m.period == Period::Snapshot));
}

#[tokio::test]
async fn a_dead_page_token_fails_the_account_and_a_rate_limit_stops_further_calls() {
    let fake = FakeGraph::start(|r: &Req| {
        (r.path == format!("/{PAGE}")).then(|| graph_error(400, 190, Some(467), "Invalid OAuth access token."))
    })
    .await;
    let c = fake.facebook();
    let e = c.collect(&ctx(true)).await.expect_err("190");
    assert!(matches!(e, PlatformError::Unauthorized { .. }), "{e:?}");

    let fake = FakeGraph::start(|r: &Req| {
        if r.path == "/104000000000001_1/insights" {
            return Some(graph_error(400, 32, None, "(#32) Page request limit reached"));
        }
        graph(r)
    })
    .await;
    let c = fake.facebook();
    let b = c.collect(&ctx(true)).await.expect("what landed is kept");
    assert_eq!(b.posts.len(), 3);
    let errors: Vec<_> = b.warnings.iter().filter(|w| w.level == EventLevel::Error).collect();
    assert_eq!(errors.len(), 1, "{:?}", b.warnings);
    assert_eq!(errors[0].code, "rate_limited");
    assert!(fake.requests_to("/104000000000001_2/insights").is_empty());
    assert!(fake.requests().iter().all(|r| !r.path.ends_with("video_insights")));
}

#[tokio::test]
async fn insights_refused_for_posts_is_one_permission_gap() {
    let fake = FakeGraph::start(|r: &Req| {
        if r.path.ends_with("/insights") && r.path != format!("/{PAGE}/insights") {
            return Some(graph_error(400, 10, None, "(#10) Requires read_insights permission"));
        }
        graph(r)
    })
    .await;
    let c = fake.facebook();
    let b = c.collect(&ctx(true)).await.expect("batch");
    let gaps: Vec<_> = b.gaps.iter().filter(|g| g.code == "permission").collect();
    assert_eq!(gaps.len(), 1);
    assert_eq!(gaps[0].object_id, "104000000000001_1");
    assert_eq!(fake.requests_to("/104000000000001_2/insights").len(), 0);
    assert!(fake.requests().iter().all(|r| !r.path.ends_with("video_insights")));
    assert_eq!(
        post_metric(&b.post_metrics, "104000000000001_2", "reactions"),
        Some(Some(12.0))
    );
}
