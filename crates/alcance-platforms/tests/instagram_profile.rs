//! Profile, /me, business discovery and media node reads.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::meta_fake;

use alcance_core::{ContentType, Period};
use alcance_platforms::instagram::{GraphHost, InstagramClient, MediaKind};
use alcance_platforms::{Http, PlatformClient, PlatformError, Recorder};
use chrono::{TimeZone, Utc};
use meta_fake::{graph_error, token, FakeGraph, Reply, TOKEN};
use serde_json::json;
use url::Url;

fn user_node() -> serde_json::Value {
    json!({
        "id": "17841400000000001",
        "username": "cafe.aurora",
        "name": "Café Aurora",
        "profile_picture_url": "https://cdn.example/p.jpg",
        "followers_count": 15234,
        "follows_count": 312,
        "media_count": 877
    })
}

#[tokio::test]
async fn profile_reads_counts_as_snapshots() {
    let fake = FakeGraph::start(|r| (r.path == "/17841400000000001").then(|| Reply::json(user_node()))).await;
    let rec = Recorder::new();
    let at = Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).unwrap();
    let (profile, metrics) = fake
        .client()
        .profile_at(&token(), "17841400000000001", at, &rec)
        .await
        .expect("profile");
    assert_eq!(profile.external_id, "17841400000000001");
    assert_eq!(profile.username.as_deref(), Some("cafe.aurora"));
    assert_eq!(profile.display_name.as_deref(), Some("Café Aurora"));
    assert_eq!(profile.avatar_url.as_deref(), Some("https://cdn.example/p.jpg"));
    let get = |k: &str| metrics.iter().find(|m| m.metric == k).expect(k).clone();
    assert_eq!(get("followers").value, Some(15234.0));
    assert_eq!(get("following").value, Some(312.0));
    assert_eq!(get("media_count").value, Some(877.0));
    for m in &metrics {
        assert_eq!(m.period, Period::Snapshot);
        assert_eq!(m.period_start, at);
        assert_eq!(m.period_end, at);
    }
    assert_eq!(metrics.len(), 3);

    let reqs = fake.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].raw_path, "/v25.0/17841400000000001");
    assert_eq!(
        reqs[0].q("fields"),
        Some("id,username,name,profile_picture_url,followers_count,follows_count,media_count")
    );
    assert_eq!(reqs[0].q("access_token"), Some(TOKEN));
    let archived = rec.take();
    assert_eq!(archived.len(), 1);
    assert!(!archived[0].url.contains(TOKEN));
}

#[tokio::test]
async fn profile_errors_are_mapped_and_bad_bodies_are_decode_errors() {
    let fake = FakeGraph::start(|r| match r.path.as_str() {
        "/dead" => Some(graph_error(
            400,
            190,
            Some(460),
            "Error validating access token: password changed",
        )),
        "/html" => Some(Reply::raw(200, "text/html", "<!DOCTYPE html><html>oops</html>")),
        "/noid" => Some(Reply::json(json!({"username": "x"}))),
        "/strings" => Some(Reply::json(
            json!({"id": 42, "followers_count": "12", "follows_count": null}),
        )),
        _ => None,
    })
    .await;
    let c = fake.client();
    let rec = Recorder::new();
    let e = c.profile(&token(), "dead", &rec).await.expect_err("190");
    assert!(e.needs_reauth());
    let e = c.profile(&token(), "html", &rec).await.expect_err("html");
    assert!(matches!(e, PlatformError::Decode { .. }), "{e:?}");
    let e = c.profile(&token(), "noid", &rec).await.expect_err("no id");
    assert!(matches!(e, PlatformError::Decode { .. }), "{e:?}");
    // Lenient numbers: an id sent as a number, counts as strings, null → absent.
    let (p, m) = c.profile(&token(), "strings", &rec).await.expect("lenient");
    assert_eq!(p.external_id, "42");
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].metric, "followers");
    assert_eq!(m[0].value, Some(12.0));
    let e = c.profile(&token(), "missing", &rec).await.expect_err("catch-all 500");
    assert!(matches!(e, PlatformError::Api { status: 500, .. }), "{e:?}");
}

#[tokio::test]
async fn me_prefers_user_id_and_falls_back_to_id() {
    let fake = FakeGraph::start(|r| {
        (r.path == "/me").then(|| {
            if r.q("fields").is_some_and(|f| f.starts_with("user_id,")) && r.query.len() == 2 {
                Reply::json(json!({"user_id": "17841400000000001", "id": "9988776655", "username": "cafe.aurora", "name": "Café Aurora"}))
            } else {
                Reply::status(400, json!({}))
            }
        })
    })
    .await;
    let c = InstagramClient::new(Http::new().expect("http"), fake.endpoints(), GraphHost::InstagramLogin);
    let p = c.whoami(&token(), &Recorder::new()).await.expect("me");
    assert_eq!(p.external_id, "17841400000000001");
    assert_eq!(p.username.as_deref(), Some("cafe.aurora"));
    assert_eq!(
        fake.requests()[0].q("fields"),
        Some("user_id,username,name,profile_picture_url,followers_count,follows_count,media_count")
    );

    let fake =
        FakeGraph::start(|r| (r.path == "/me").then(|| Reply::json(json!({"id": "555", "username": "u"})))).await;
    let p = fake.client().me(&token(), &Recorder::new()).await.expect("me");
    assert_eq!(p.external_id, "555");
}

#[tokio::test]
async fn the_host_picks_the_graph_base() {
    let fake = FakeGraph::start(|r| (r.path == "/1").then(|| Reply::json(json!({"id": "1"})))).await;
    let mut endpoints = fake.endpoints();
    endpoints.graph_instagram = Url::parse(&format!("{}v24.0", fake.base)).expect("url");
    let ig = InstagramClient::new(Http::new().expect("http"), endpoints.clone(), GraphHost::InstagramLogin);
    let fb = InstagramClient::new(Http::new().expect("http"), endpoints, GraphHost::FacebookLogin);
    ig.profile(&token(), "1", &Recorder::new()).await.expect("ig");
    fb.profile(&token(), "1", &Recorder::new()).await.expect("fb");
    let paths: Vec<String> = fake.requests().into_iter().map(|r| r.raw_path).collect();
    assert_eq!(paths, vec!["/v24.0/1".to_string(), "/v25.0/1".to_string()]);
    assert_eq!(ig.host(), GraphHost::InstagramLogin);
}

#[tokio::test]
async fn business_discovery_reads_another_account() {
    let fake = FakeGraph::start(|r| {
        (r.path == "/17841400000000001"
            && r.q("fields")
                .is_some_and(|f| f.starts_with("business_discovery.username(bluebottle){")))
        .then(|| {
            Reply::json(json!({
                "business_discovery": {
                    "id": "17841400455970028",
                    "username": "bluebottle",
                    "followers_count": 3425960,
                    "follows_count": 12,
                    "media_count": 355,
                    "media": {"data": [
                        {"id": "18034953040210006", "media_type": "VIDEO", "media_product_type": "REELS",
                         "timestamp": "2019-10-15T16:56:13+0000", "like_count": 2010, "comments_count": 81},
                        {"id": "17895515710395299", "media_type": "IMAGE", "timestamp": "2019-10-14T21:28:43+0000",
                         "comments_count": 206}
                    ]}
                },
                "id": "17841400000000001"
            }))
        })
    })
    .await;
    let d = fake
        .client()
        .business_discovery(&token(), "17841400000000001", "@bluebottle", &Recorder::new())
        .await
        .expect("discovery");
    assert_eq!(d.profile.external_id, "17841400455970028");
    assert_eq!(d.profile.username.as_deref(), Some("bluebottle"));
    let followers = d.metrics.iter().find(|m| m.metric == "followers").expect("followers");
    assert_eq!(followers.value, Some(3_425_960.0));
    assert_eq!(d.media.len(), 2);
    assert_eq!(d.media[0].post.content_type, ContentType::Reel);
    assert_eq!(d.media[0].kind, MediaKind::Reels);
    let likes = |i: usize| {
        d.media[i]
            .node_metrics
            .iter()
            .find(|m| m.metric == "likes")
            .and_then(|m| m.value)
    };
    assert_eq!(likes(0), Some(2010.0));
    assert_eq!(likes(1), None, "hidden like counts give no value");
    let e = fake
        .client()
        .business_discovery(&token(), "17841400000000001", "bad name}", &Recorder::new())
        .await
        .expect_err("invalid username");
    assert!(matches!(e, PlatformError::NotFound { .. }));
}

#[tokio::test]
async fn media_node_reads_one_post() {
    let fake = FakeGraph::start(|r| {
        (r.path == "/17896129349106152").then(|| {
            Reply::json(json!({
                "id": "17896129349106152", "caption": "ALBUM", "comments_count": 0, "like_count": 1,
                "media_type": "CAROUSEL_ALBUM", "media_product_type": "FEED",
                "permalink": "https://www.instagram.com/p/CRyZpmrjYC4/", "timestamp": "2021-07-26T10:45:20+0000"
            }))
        })
    })
    .await;
    let item = fake
        .client()
        .media_node(&token(), "17896129349106152", &Recorder::new())
        .await
        .expect("node");
    assert_eq!(item.post.content_type, ContentType::Carousel);
    assert_eq!(item.post.caption.as_deref(), Some("ALBUM"));
    assert_eq!(
        item.post.published_at,
        Some(Utc.with_ymd_and_hms(2021, 7, 26, 10, 45, 20).unwrap())
    );
    assert_eq!(item.kind, MediaKind::Feed);
    let v = |k: &str| item.node_metrics.iter().find(|m| m.metric == k).and_then(|m| m.value);
    assert_eq!(v("likes"), Some(1.0));
    assert_eq!(v("comments"), Some(0.0));
}
