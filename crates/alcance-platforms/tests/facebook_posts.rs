//! Page posts and videos (cursor and time-based paging, `since`, loop guard) and their
//! lifetime insights (reactions by type, clicks, video watch time in ms → s).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::meta_fake;

use alcance_core::{ContentType, PostMetric};
use alcance_platforms::facebook::{FacebookClient, MetricMemory, POST_METRICS, VIDEO_METRICS};
use alcance_platforms::{Http, PlatformError, Recorder};
use chrono::{TimeZone, Utc};
use meta_fake::{graph_error, invalid_metric, lifetime, token, FakeGraph, Reply, Req};
use serde_json::json;

const PAGE: &str = "104000000000001";

fn client(fake: &FakeGraph) -> FacebookClient {
    FacebookClient::new(Http::new().expect("http"), fake.endpoints())
}

fn value(ms: &[PostMetric], post: &str, key: &str) -> Option<Option<f64>> {
    ms.iter()
        .find(|m| m.post_external_id == post && m.metric == key)
        .map(|m| m.value)
}

fn post(id: &str, created: &str, status_type: &str) -> serde_json::Value {
    json!({
        "id": id, "message": format!("post {id}"), "created_time": created,
        "permalink_url": format!("https://www.facebook.com/{id}"), "status_type": status_type,
        "shares": {"count": 4},
        "reactions": {"data": [], "summary": {"total_count": 57}},
        "comments": {"data": [], "summary": {"total_count": 9, "order": "chronological"}}
    })
}

#[tokio::test]
async fn posts_follow_cursors_until_since_with_node_counts() {
    let fake = FakeGraph::start(|r: &Req| {
        if r.path != format!("/{PAGE}/posts") {
            return None;
        }
        assert_eq!(
            r.q("fields"),
            Some("id,message,created_time,permalink_url,status_type,full_picture,shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)")
        );
        assert_eq!(r.q("limit"), Some("25"));
        Some(match r.q("after") {
            None => Reply::json(json!({
                "data": [
                    post("104000000000001_1", "2026-11-20T19:03:11+0000", "added_photos"),
                    {"id": "104000000000001_2", "created_time": "2026-11-19T10:00:00+0000", "status_type": "mobile_status_update",
                     "message": "sem compartilhamentos", "reactions": {"data": [], "summary": {"total_count": 0}}}
                ],
                "paging": {"cursors": {"before": "b", "after": "c1"}, "next": "https://graph.facebook.com/v25.0/x/posts?after=c1"}
            })),
            Some("c1") => Reply::json(json!({
                "data": [
                    {"message": "item without an id"},
                    post("104000000000001_3", "2026-11-18T12:00:00+0000", "shared_story"),
                    post("104000000000001_4", "2026-11-01T12:00:00+0000", "added_video")
                ],
                "paging": {"cursors": {"after": "c2"}, "next": "https://graph.facebook.com/v25.0/x/posts?after=c2"}
            })),
            Some(other) => panic!("unexpected cursor {other}"),
        })
    })
    .await;
    let since = Utc.with_ymd_and_hms(2026, 11, 10, 0, 0, 0).unwrap();
    let l = client(&fake)
        .posts(&token(), PAGE, since, &Recorder::new())
        .await
        .expect("posts");
    assert_eq!(l.pages, 2, "the page reaching posts older than since is the last");
    let ids: Vec<(&str, ContentType)> = l
        .items
        .iter()
        .map(|p| (p.post.external_id.as_str(), p.post.content_type.clone()))
        .collect();
    assert_eq!(
        ids,
        vec![
            ("104000000000001_1", ContentType::Image),
            ("104000000000001_2", ContentType::Text),
            ("104000000000001_3", ContentType::Link)
        ]
    );
    let first = &l.items[0];
    assert_eq!(
        first.post.published_at,
        Some(Utc.with_ymd_and_hms(2026, 11, 20, 19, 3, 11).unwrap())
    );
    assert_eq!(first.post.caption.as_deref(), Some("post 104000000000001_1"));
    assert_eq!(
        first.post.permalink.as_deref(),
        Some("https://www.facebook.com/104000000000001_1")
    );
    assert_eq!(first.status_type.as_deref(), Some("added_photos"));
    let nm: Vec<(&str, Option<f64>)> = first
        .node_metrics
        .iter()
        .map(|m| (m.metric.as_str(), m.value))
        .collect();
    assert_eq!(
        nm,
        vec![
            ("reactions", Some(57.0)),
            ("comments", Some(9.0)),
            ("shares", Some(4.0))
        ]
    );
    let second: Vec<(&str, Option<f64>)> = l.items[1]
        .node_metrics
        .iter()
        .map(|m| (m.metric.as_str(), m.value))
        .collect();
    assert_eq!(second, vec![("reactions", Some(0.0))], "absent counts give no metric");
    assert!(l.warnings.iter().any(|w| w.code == "decode"), "{:?}", l.warnings);
}

#[tokio::test]
async fn time_based_paging_and_repeated_pages_stop_cleanly() {
    let fake = FakeGraph::start(|r: &Req| {
        (r.path == format!("/{PAGE}/posts")).then(|| match (r.q("until"), r.q("__paging_token")) {
            (None, None) => Reply::json(json!({
                "data": [post("p_1", "2026-11-20T10:00:00+0000", "added_photos")],
                "paging": {
                    "previous": "https://graph.facebook.com/v25.0/p/posts?since=1&access_token=leak&__previous=1",
                    "next": "https://graph.facebook.com/v25.0/p/posts?access_token=leak&fields=id&until=1763630000&since&__paging_token=tok1&__previous"
                }
            })),
            (Some("1763630000"), Some("tok1")) => Reply::json(json!({
                "data": [post("p_2", "2026-11-19T10:00:00+0000", "added_photos")],
                "paging": {"next": "https://graph.facebook.com/v25.0/p/posts?until=1763540000&__paging_token=tok2"}
            })),
            // The server answers page 2 again for page 3: nothing new, paging stops.
            _ => Reply::json(json!({
                "data": [post("p_2", "2026-11-19T10:00:00+0000", "added_photos")],
                "paging": {"next": "https://graph.facebook.com/v25.0/p/posts?until=1763540000&__paging_token=tok3"}
            })),
        })
    })
    .await;
    let since = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let l = client(&fake)
        .posts(&token(), PAGE, since, &Recorder::new())
        .await
        .expect("posts");
    let ids: Vec<&str> = l.items.iter().map(|p| p.post.external_id.as_str()).collect();
    assert_eq!(ids, ["p_1", "p_2"]);
    let reqs = fake.requests_to(&format!("/{PAGE}/posts"));
    assert_eq!(reqs.len(), 3);
    assert_eq!(
        reqs[1].q("access_token"),
        Some(meta_fake::TOKEN),
        "never the token of the next link"
    );
    assert_eq!(reqs[1].q("since"), None, "empty paging values are not sent");
    assert_eq!(reqs[2].q("__paging_token"), Some("tok2"));
    assert_eq!(l.warnings.len(), 1);
    assert_eq!(l.warnings[0].code, "paging_loop");
}

#[tokio::test]
async fn post_insights_give_views_reach_clicks_and_reactions_by_type() {
    let fake = FakeGraph::start(|r: &Req| {
        (r.path == "/104000000000001_1/insights").then(|| {
            assert_eq!(r.q("period"), Some("lifetime"));
            assert_eq!(r.metrics(), POST_METRICS);
            Reply::json(json!({"data": [
                lifetime("post_media_view", json!(5230)),
                lifetime("post_total_media_view_unique", json!(3120)),
                lifetime("post_reactions_by_type_total", json!({"like": 330, "love": 21, "wow": 2, "haha": 5, "sorry": 1, "anger": 0, "pride": 4})),
                {"name": "post_clicks", "period": "lifetime", "values": []}
            ]}))
        })
    })
    .await;
    let r = client(&fake)
        .post_insights(&token(), "104000000000001_1", &Recorder::new())
        .await
        .expect("insights");
    let pm = &r.post_metrics;
    let p = "104000000000001_1";
    assert_eq!(value(pm, p, "views"), Some(Some(5230.0)));
    assert_eq!(value(pm, p, "reach"), Some(Some(3120.0)));
    assert_eq!(value(pm, p, "clicks"), Some(None), "empty data is null, not 0");
    assert_eq!(value(pm, p, "likes"), Some(Some(330.0)));
    assert_eq!(value(pm, p, "reactions_love"), Some(Some(21.0)));
    assert_eq!(value(pm, p, "reactions_wow"), Some(Some(2.0)));
    assert_eq!(value(pm, p, "reactions_haha"), Some(Some(5.0)));
    assert_eq!(value(pm, p, "reactions_sad"), Some(Some(1.0)));
    assert_eq!(value(pm, p, "reactions_angry"), Some(Some(0.0)));
    assert_eq!(pm.len(), 9);
    assert_eq!(r.gaps.len(), 1, "an unknown reaction type is a gap");
    assert_eq!(r.gaps[0].what, "post_reactions_by_type_total.pride");
    assert_eq!(r.gaps[0].code, "unknown_metric");
}

#[tokio::test]
async fn a_removed_post_metric_is_dropped_for_every_later_post() {
    let fake = FakeGraph::start(|r: &Req| {
        if !r.path.ends_with("/insights") {
            return None;
        }
        if r.has_metric("post_clicks") {
            return Some(invalid_metric());
        }
        Some(Reply::json(
            json!({"data": r.metrics().iter().map(|m| lifetime(m, json!(3))).collect::<Vec<_>>()}),
        ))
    })
    .await;
    let c = client(&fake);
    let mut memory = MetricMemory::new();
    let a = c
        .post_insights_with(&token(), "p_a", &mut memory, &Recorder::new())
        .await
        .expect("a");
    assert_eq!(value(&a.post_metrics, "p_a", "views"), Some(Some(3.0)));
    assert_eq!(value(&a.post_metrics, "p_a", "clicks"), None);
    assert_eq!(a.gaps.len(), 1);
    assert_eq!(a.gaps[0].what, "post_clicks");
    assert_eq!(a.gaps[0].code, "metric_removed");
    let b = c
        .post_insights_with(&token(), "p_b", &mut memory, &Recorder::new())
        .await
        .expect("b");
    assert!(b.gaps.is_empty());
    let to_b = fake.requests_to("/p_b/insights");
    assert_eq!(to_b.len(), 1, "one request, without the removed metric");
    assert!(!to_b[0].has_metric("post_clicks"));
}

#[tokio::test]
async fn videos_and_their_insights_in_seconds() {
    let fake = FakeGraph::start(|r: &Req| match r.path.as_str() {
        p if p == format!("/{PAGE}/videos") => Some(Reply::json(json!({"data": [
            {"id": "200000000000001", "title": "Bastidores", "description": "Como gravamos",
             "created_time": "2026-11-20T15:00:00+0000", "updated_time": "2026-11-20T16:00:00+0000",
             "length": 33.344, "permalink_url": "/alcancebr/videos/200000000000001/"}
        ]}))),
        "/200000000000001/video_insights" => {
            assert_eq!(r.metrics(), VIDEO_METRICS);
            assert_eq!(r.q("period"), Some("lifetime"));
            Some(Reply::json(json!({"data": [
                lifetime("total_video_views", json!(89)),
                lifetime("total_video_views_unique", json!(56)),
                lifetime("total_video_avg_time_watched", json!(12500)),
                lifetime("total_video_view_total_time", json!(1112500))
            ]})))
        }
        _ => None,
    })
    .await;
    let c = client(&fake);
    let since = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let l = c.videos(&token(), PAGE, since, &Recorder::new()).await.expect("videos");
    assert_eq!(l.items.len(), 1);
    let v = &l.items[0];
    assert_eq!(v.post.external_id, "200000000000001");
    assert_eq!(v.post.content_type, ContentType::Video);
    assert_eq!(v.post.caption.as_deref(), Some("Como gravamos"));
    assert_eq!(
        v.post.permalink.as_deref(),
        Some("https://www.facebook.com/alcancebr/videos/200000000000001/")
    );
    assert_eq!(v.title.as_deref(), Some("Bastidores"));
    assert_eq!(v.length_seconds, Some(33.344));
    assert_eq!(
        v.updated_at,
        Some(Utc.with_ymd_and_hms(2026, 11, 20, 16, 0, 0).unwrap())
    );

    let r = c
        .video_insights(&token(), "200000000000001", &Recorder::new())
        .await
        .expect("insights");
    let pm = &r.post_metrics;
    let id = "200000000000001";
    assert_eq!(value(pm, id, "video_views"), Some(Some(89.0)));
    assert_eq!(value(pm, id, "video_viewers"), Some(Some(56.0)));
    assert_eq!(value(pm, id, "watch_time_avg_seconds"), Some(Some(12.5)));
    assert_eq!(value(pm, id, "watch_time_seconds"), Some(Some(1112.5)));
}

#[tokio::test]
async fn post_insights_refused_or_broken_are_errors() {
    let fake = FakeGraph::start(|r: &Req| match r.path.as_str() {
        "/denied/insights" => Some(graph_error(
            400,
            10,
            None,
            "(#10) Requires pages_read_engagement permission",
        )),
        "/broken/insights" => Some(Reply::raw(
            200,
            "application/json",
            r#"{"data":[{"name":"post_media_view","#,
        )),
        _ => None,
    })
    .await;
    let c = client(&fake);
    let e = c
        .post_insights(&token(), "denied", &Recorder::new())
        .await
        .expect_err("10");
    assert!(matches!(e, PlatformError::Forbidden { .. }), "{e:?}");
    let e = c
        .post_insights(&token(), "broken", &Recorder::new())
        .await
        .expect_err("truncated");
    assert!(matches!(e, PlatformError::Decode { .. }), "{e:?}");
    let e = c
        .post_insights(&token(), "missing", &Recorder::new())
        .await
        .expect_err("500");
    assert!(matches!(e, PlatformError::Api { status: 500, .. }), "{e:?}");
}
