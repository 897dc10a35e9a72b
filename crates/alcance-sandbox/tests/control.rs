//! Control endpoints, determinism, the clock, fault injection and replay mode.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use crate::common;

use std::time::Instant;

use alcance_sandbox::{Sandbox, SandboxConfig};
use common::*;
use serde_json::{json, Value};

const NOW: &str = "2026-11-23T12:00:00Z";

/// Fetches a set of representative bodies, with the sandbox's own origin neutralised.
async fn snapshot(seed: u64) -> Vec<String> {
    let sb = start(seed).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;
    let x = x_token(&c, &sb).await;
    let ig = ig_token(&c, &sb).await;
    let origin = sb.base_url().as_str().trim_end_matches('/').to_string();
    let mut out = Vec::new();
    for path in [
        format!("/2/users/{X_OWNED}/tweets?max_results=20&tweet.fields=created_at,public_metrics&start_time=2026-10-01T00:00:00Z"),
        "/2/users/by/username/ana_influencer?user.fields=public_metrics".to_string(),
    ] {
        out.push(x_get(&c, &sb, &x, &path).await.text().await.expect("body"));
    }
    for (path, q) in [
        (
            format!("/{IG_OWNED}/media"),
            vec![
                ("fields", "id,caption,media_type,timestamp,like_count"),
                ("limit", "10"),
            ],
        ),
        (
            format!("/{IG_OWNED}/insights"),
            vec![
                ("metric", "reach,follower_count"),
                ("period", "day"),
                ("since", "1762300800"),
                ("until", "1763510400"),
            ],
        ),
        (
            format!("/{IG_TRACKED}"),
            vec![("fields", "followers_count,media_count")],
        ),
    ] {
        out.push(ig_get(&c, &sb, &ig, &path, &q).await.text().await.expect("body"));
    }
    sb.shutdown().await;
    out.into_iter()
        .map(|b| b.replace(&origin, "ORIGIN").replace(&ig, "TOKEN"))
        .collect()
}

#[tokio::test]
async fn same_seed_and_clock_give_the_same_bodies() {
    let a = snapshot(41).await;
    let b = snapshot(41).await;
    assert_eq!(a, b);
    let other = snapshot(42).await;
    assert_ne!(a, other, "the seed matters");
    assert!(a.iter().all(|body| body.len() > 50));
}

#[tokio::test]
async fn the_clock_changes_what_is_served() {
    let sb = start(43).await;
    let c = client();
    let r = json_of(c.get(url(&sb, "/__alcance/clock")).send().await.expect("clock")).await;
    assert_eq!(r["mode"], "seeded");
    assert_eq!(r["fixed"], false);

    let token = x_token(&c, &sb).await;
    set_clock(&c, &sb, "2026-06-01T12:00:00Z").await;
    let clock = json_of(c.get(url(&sb, "/__alcance/clock")).send().await.expect("clock")).await;
    assert_eq!(clock["now"], "2026-06-01T12:00:00Z");
    let me = |c: reqwest::Client, token: String| {
        let sb = &sb;
        async move { json_of(x_get(&c, sb, &token, "/2/users/me?user.fields=public_metrics").await).await }
    };
    let june = me(c.clone(), token.clone()).await;
    let page = json_of(
        x_get(
            &c,
            &sb,
            &token,
            &format!("/2/users/{X_OWNED}/tweets?max_results=5&tweet.fields=created_at,public_metrics"),
        )
        .await,
    )
    .await;
    let newest = page["data"][0].clone();
    assert!(newest["created_at"].as_str().expect("c") <= "2026-06-01T12:00:00.000Z");

    set_clock(&c, &sb, "2026-09-01T12:00:00Z").await;
    let sept = me(c.clone(), token.clone()).await;
    let f = |v: &Value| {
        v["data"]["public_metrics"]["followers_count"]
            .as_u64()
            .expect("followers")
    };
    assert!(f(&sept) > f(&june));
    assert!(
        sept["data"]["public_metrics"]["tweet_count"].as_u64() > june["data"]["public_metrics"]["tweet_count"].as_u64()
    );
    // The June post has gained metrics since.
    let id = newest["id"].as_str().expect("id");
    let later = json_of(
        x_get(
            &c,
            &sb,
            &token,
            &format!("/2/tweets?ids={id}&tweet.fields=public_metrics"),
        )
        .await,
    )
    .await;
    let imp = |v: &Value| v["public_metrics"]["impression_count"].as_u64().expect("imp");
    assert!(imp(&later["data"][0]) >= imp(&newest));
    // Posts from after the clock do not exist yet.
    let sept_page = json_of(x_get(&c, &sb, &token, &format!("/2/users/{X_OWNED}/tweets?max_results=5")).await).await;
    let sept_id = sept_page["data"][0]["id"].as_str().expect("id").to_string();
    set_clock(&c, &sb, "2026-06-01T12:00:00Z").await;
    let early = json_of(x_get(&c, &sb, &token, &format!("/2/tweets?ids={sept_id}")).await).await;
    assert!(early.get("data").is_none());
    assert_eq!(early["errors"][0]["title"], "Not Found Error");

    // null goes back to the real time; bad input is a 400.
    let r = c
        .post(url(&sb, "/__alcance/clock"))
        .json(&json!({ "now": null }))
        .send()
        .await
        .expect("reset");
    assert_eq!(json_of(r).await["fixed"], false);
    let r = c
        .post(url(&sb, "/__alcance/clock"))
        .json(&json!({ "now": "tomorrow" }))
        .send()
        .await
        .expect("bad");
    assert_eq!(r.status(), 400);
    sb.shutdown().await;
}

#[tokio::test]
async fn manifest_lists_the_seeded_accounts() {
    let sb = start(44).await;
    let c = client();
    let m = json_of(c.get(url(&sb, "/__alcance/accounts")).send().await.expect("accounts")).await;
    assert_eq!(m["mode"], "seeded");
    assert_eq!(
        m["accounts"],
        json!([
            {"platform": "x", "external_id": X_OWNED, "username": "alcance_br", "owned": true},
            {"platform": "x", "external_id": X_TRACKED, "username": "ana_influencer", "owned": false},
            {"platform": "facebook", "external_id": "104000000000001", "username": "alcancebr", "owned": true},
            {"platform": "facebook", "external_id": "104000000000002", "username": "anainfluencer", "owned": false},
            {"platform": "instagram", "external_id": IG_OWNED, "username": "alcance.br", "owned": true},
            {"platform": "instagram", "external_id": IG_TRACKED, "username": "ana.influencer", "owned": false},
            {"platform": "whatsapp", "external_id": "105000000000001", "username": "Alcance Atendimento", "owned": true},
            {"platform": "tiktok", "external_id": "tt_alcance_br", "username": "alcance.br", "owned": true},
            {"platform": "youtube", "external_id": "UCalcanceBR0000000000001", "username": "alcancebr", "owned": true},
            {"platform": "youtube", "external_id": "UCanaInfluencer000000002", "username": "anainfluencer", "owned": false},
            {"platform": "bluesky", "external_id": "did:plc:alcancebrdemoaccount2345", "username": "alcance.bsky.social", "owned": true},
            {"platform": "bluesky", "external_id": "did:plc:concorrentepublicoperfil", "username": "concorrente.bsky.social", "owned": false},
            {"platform": "reddit", "external_id": "t2_alcbr01", "username": "alcance_br", "owned": true},
            {"platform": "reddit", "external_id": "t2_anainf2", "username": "ana_influencer", "owned": false},
            {"platform": "reddit", "external_id": "t5_mktbr3", "username": "r/marketingbr", "owned": false},
            {"platform": "linkedin", "external_id": "107000001", "username": "alcance-brasil", "owned": true},
            {"platform": "threads", "external_id": "27000000000000001", "username": "alcance.br", "owned": true},
        ])
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn faults_fire_n_times_then_stop() {
    let sb = start(45).await;
    let c = client();
    let token = x_token(&c, &sb).await;
    let ig = ig_token(&c, &sb).await;
    let arm = |body: Value| {
        let c = c.clone();
        let u = url(&sb, "/__alcance/faults");
        async move {
            let r = c.post(u).json(&body).send().await.expect("arm");
            assert_eq!(r.status(), 200);
        }
    };
    arm(json!({"path_prefix": "/2/users/me", "kind": "status_500", "times": 2})).await;
    for _ in 0..2 {
        let r = x_get(&c, &sb, &token, "/2/users/me").await;
        assert_eq!(r.status(), 500);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }
    assert_eq!(x_get(&c, &sb, &token, "/2/users/me").await.status(), 200);

    // Graph paths match with or without the version; each kind does what it says.
    arm(json!([
        {"path_prefix": format!("/{IG_OWNED}"), "kind": "html", "times": 1},
        {"path_prefix": format!("/v25.0/{IG_OWNED}"), "kind": "truncated", "times": 1},
        {"path_prefix": format!("/{IG_OWNED}"), "kind": "malformed_json", "times": 1},
        {"path_prefix": format!("/{IG_OWNED}"), "kind": "missing_fields", "times": 1},
        {"path_prefix": format!("/{IG_OWNED}"), "kind": "unknown_enum", "times": 1},
        {"path_prefix": format!("/{IG_OWNED}"), "kind": "slow", "times": 1, "delay_ms": 300},
    ]))
    .await;
    let listed = json_of(c.get(url(&sb, "/__alcance/faults")).send().await.expect("list")).await;
    assert_eq!(listed["faults"].as_array().expect("f").len(), 6);
    let media = |c: reqwest::Client, ig: String| {
        let sb = &sb;
        async move {
            ig_get(
                &c,
                sb,
                &ig,
                &format!("/{IG_OWNED}/media"),
                &[("fields", "id,media_type,media_product_type,timestamp"), ("limit", "5")],
            )
            .await
        }
    };
    let r = media(c.clone(), ig.clone()).await;
    assert_eq!(r.status(), 502);
    assert!(r.headers()["content-type"]
        .to_str()
        .expect("ct")
        .starts_with("text/html"));
    let truncated = media(c.clone(), ig.clone()).await.text().await.expect("t");
    assert!(serde_json::from_str::<Value>(&truncated).is_err());
    let malformed = media(c.clone(), ig.clone()).await;
    assert_eq!(malformed.status(), 200);
    assert!(serde_json::from_str::<Value>(&malformed.text().await.expect("m")).is_err());
    let missing = json_of(media(c.clone(), ig.clone()).await).await;
    assert!(missing["data"][0].get("id").is_none() && missing["data"][0].get("timestamp").is_none());
    let unknown = json_of(media(c.clone(), ig.clone()).await).await;
    assert_eq!(unknown["data"][0]["media_type"], "HOLOGRAM");
    let started = Instant::now();
    let slow = media(c.clone(), ig.clone()).await;
    assert!(started.elapsed().as_millis() >= 300);
    assert_eq!(slow.status(), 200);
    // All used up: normal answers again.
    let normal = json_of(media(c.clone(), ig.clone()).await).await;
    assert_eq!(normal["data"].as_array().expect("d").len(), 5);
    assert!(normal["data"][0]["id"].is_string());

    // DELETE disarms.
    arm(json!({"path_prefix": "/2/", "kind": "status_429", "times": 5})).await;
    let r = x_get(&c, &sb, &token, "/2/users/me").await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["x-rate-limit-remaining"], "0");
    c.delete(url(&sb, "/__alcance/faults")).send().await.expect("clear");
    assert_eq!(x_get(&c, &sb, &token, "/2/users/me").await.status(), 200);
    // A bad kind is refused.
    let r = c
        .post(url(&sb, "/__alcance/faults"))
        .json(&json!({"path_prefix": "/", "kind": "meteor"}))
        .send()
        .await
        .expect("bad");
    assert_eq!(r.status(), 400);
    sb.shutdown().await;
}

#[tokio::test]
async fn replay_mode_serves_recordings_and_synthesises_oauth() {
    let dir = tempfile::tempdir().expect("tempdir");
    let x_dir = dir.path().join("x");
    std::fs::create_dir_all(&x_dir).expect("mkdir");
    let exchange = json!({
        "platform": "x",
        "source": {"repo": "alcance/tests", "path": "control.rs", "commit": null, "license": "MIT"},
        "note": "GET /2/users/me written for this test",
        "request": {"method": "GET", "host": "api.x.com", "path": "/2/users/me", "query": {}, "body": null},
        "request_inferred": false,
        "response": {
            "status": 200,
            "headers": {"content-type": "application/json", "x-rate-limit-remaining": "74"},
            "body": {"data": {"id": "42", "name": "Recorded", "username": "recorded_user"}}
        }
    });
    std::fs::write(
        x_dir.join("test__users-me.json"),
        serde_json::to_vec_pretty(&exchange).expect("json"),
    )
    .expect("write");

    let sb = Sandbox::start(SandboxConfig::replay(dir.path()))
        .await
        .expect("replay sandbox");
    let c = client();
    let m = json_of(c.get(url(&sb, "/__alcance/accounts")).send().await.expect("accounts")).await;
    assert_eq!(m["mode"], "replay");
    assert_eq!(m["accounts"][0]["external_id"], "42");
    assert_eq!(m["accounts"][0]["owned"], true);
    let clock = json_of(
        c.post(url(&sb, "/__alcance/clock"))
            .json(&json!({"now": NOW}))
            .send()
            .await
            .expect("clock"),
    )
    .await;
    assert_eq!(clock, json!({"mode": "replay"}));

    // OAuth is synthesised; the recorded answer is served as recorded.
    let token = x_token(&c, &sb).await;
    let r = x_get(&c, &sb, &token, "/2/users/me").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-rate-limit-remaining"], "74");
    assert_eq!(json_of(r).await["data"]["username"], "recorded_user");

    // No recording: 404 naming the method and path.
    let r = x_get(&c, &sb, &token, "/2/users/42/tweets").await;
    assert_eq!(r.status(), 404);
    let body = json_of(r).await;
    assert_eq!(body["method"], "GET");
    assert_eq!(body["path"], "/2/users/42/tweets");

    // Faults apply in replay mode too.
    c.post(url(&sb, "/__alcance/faults"))
        .json(&json!({"path_prefix": "/2/users/me", "kind": "status_500"}))
        .send()
        .await
        .expect("arm");
    assert_eq!(x_get(&c, &sb, &token, "/2/users/me").await.status(), 500);
    assert_eq!(x_get(&c, &sb, &token, "/2/users/me").await.status(), 200);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_bad_replay_directory_is_an_error() {
    let missing = std::env::temp_dir().join("alcance-sandbox-no-such-dir-for-this-test");
    let err = Sandbox::start(SandboxConfig::replay(&missing))
        .await
        .expect_err("must fail");
    assert!(err.to_string().contains("replay"), "{err}");
}

#[tokio::test]
async fn latency_delays_platform_answers_only_and_requests_are_counted() {
    let sb = start(42).await;
    let c = client();
    let x = x_token(&c, &sb).await;
    let before = sb.state().requests_served();
    assert!(before >= 1, "the token exchange is a platform request");
    sb.state().set_latency(std::time::Duration::from_millis(1000));
    assert_eq!(sb.state().latency().as_millis(), 1000);

    let started = Instant::now();
    let r = x_get(&c, &sb, &x, "/2/users/me").await;
    assert_eq!(r.status(), 200);
    assert!(started.elapsed().as_millis() >= 1000, "{:?}", started.elapsed());
    assert_eq!(sb.state().requests_served(), before + 1);

    // Control endpoints answer at once and are not counted.
    let started = Instant::now();
    let health = c.get(url(&sb, "/__alcance/health")).send().await.expect("health");
    assert_eq!(health.status(), 200);
    assert!(started.elapsed().as_millis() < 1000, "{:?}", started.elapsed());
    assert_eq!(sb.state().requests_served(), before + 1);

    sb.state().set_latency(std::time::Duration::ZERO);
    let started = Instant::now();
    assert_eq!(x_get(&c, &sb, &x, "/2/users/me").await.status(), 200);
    assert!(started.elapsed().as_millis() < 1000, "{:?}", started.elapsed());
    sb.shutdown().await;
}
