//! Facebook, WhatsApp and TikTok across the sandbox: determinism of the seeded bodies,
//! control endpoints, faults on Graph paths with the new tokens, and replay mode
//! synthesising Facebook and TikTok OAuth and the WhatsApp token from its manifest.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use crate::common;
use crate::platforms;

use alcance_sandbox::oauth::s256_challenge;
use alcance_sandbox::{Sandbox, SandboxConfig};
use common::*;
use platforms::*;
use serde_json::{json, Value};

const NOW: &str = "2026-11-23T12:00:00Z";

/// Removes per-answer random ids (TikTok `log_id` / `request_id`).
fn scrub(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("log_id");
            m.remove("request_id");
            m.values_mut().for_each(scrub);
        }
        Value::Array(a) => a.iter_mut().for_each(scrub),
        _ => {}
    }
}

async fn snapshot(seed: u64) -> Vec<String> {
    let sb = start(seed).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;
    let page = fb_page_token(&c, &sb).await;
    let wa = wa_token(&c, &sb).await;
    let tt = tt_token(&c, &sb).await;
    let origin = sb.base_url().as_str().trim_end_matches('/').to_string();
    let mut out: Vec<Value> = Vec::new();
    for (path, q) in [
        (
            format!("/{FB_PAGE}/insights"),
            vec![
                ("metric", "page_media_view,page_post_engagements,page_follows"),
                ("period", "day"),
                ("since", "1792540800"),
                ("until", "1795392000"),
            ],
        ),
        (
            format!("/{FB_PAGE}/posts"),
            vec![
                (
                    "fields",
                    "id,message,created_time,shares,reactions.summary(total_count).limit(0)",
                ),
                ("limit", "10"),
            ],
        ),
        (format!("/{FB_TRACKED}"), vec![("fields", "followers_count,fan_count")]),
    ] {
        out.push(json_of(fb_get(&c, &sb, &page, &path, &q).await).await);
    }
    out.push(
        json_of(
            fb_get(
                &c,
                &sb,
                &wa,
                &format!("/{WABA}"),
                &[(
                    "fields",
                    "analytics.start(1793145600).end(1795392000).granularity(DAY),conversation_analytics.start(1795046400).end(1795392000).granularity(DAILY).dimensions([\"CONVERSATION_CATEGORY\",\"COUNTRY\"])",
                )],
            )
            .await,
        )
        .await,
    );
    out.push(
        json_of(
            tt_display(
                &c,
                &sb,
                &tt,
                "/v2/video/list/",
                "id,create_time,view_count,like_count",
                Some(json!({"max_count": 20})),
            )
            .await,
        )
        .await,
    );
    out.push(
        json_of(
            tt_business(
                &c,
                &sb,
                &tt,
                "/business/get/",
                &[
                    ("business_id", TT_OPEN_ID),
                    ("start_date", "2026-11-01"),
                    ("end_date", "2026-11-22"),
                    ("fields", "[\"followers_count\",\"metrics\"]"),
                ],
            )
            .await,
        )
        .await,
    );
    sb.shutdown().await;
    out.into_iter()
        .map(|mut v| {
            scrub(&mut v);
            v.to_string().replace(&origin, "ORIGIN").replace(&page, "TOKEN")
        })
        .collect()
}

#[tokio::test]
async fn same_seed_and_clock_give_the_same_bodies() {
    let a = snapshot(91).await;
    let b = snapshot(91).await;
    assert_eq!(a, b);
    for body in &a {
        // TikTok's success envelope has an `error` object with code "ok"; nothing else may.
        let failed = body.contains("\"error\":{") && !body.contains("\"error\":{\"code\":\"ok\"");
        assert!(body.len() > 50 && !failed, "{body}");
    }
    let other = snapshot(92).await;
    assert_ne!(a, other, "the seed matters");
}

#[tokio::test]
async fn faults_hit_facebook_and_whatsapp_paths() {
    let sb = start(93).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;
    let page = fb_page_token(&c, &sb).await;
    let wa = wa_token(&c, &sb).await;
    let r = c
        .post(url(&sb, "/__alcance/faults"))
        .json(&json!([
            {"path_prefix": format!("/{FB_PAGE}/insights"), "kind": "status_500"},
            {"path_prefix": format!("/v25.0/{FB_PAGE}/posts"), "kind": "unknown_enum"},
            {"path_prefix": format!("/{FB_PAGE}/posts"), "kind": "status_429"},
            {"path_prefix": format!("/{WABA}"), "kind": "missing_fields"},
            {"path_prefix": format!("/{WABA}/phone_numbers"), "kind": "unknown_enum"},
        ]))
        .send()
        .await
        .expect("arm");
    assert_eq!(r.status(), 200);
    let r = fb_get(
        &c,
        &sb,
        &page,
        &format!("/{FB_PAGE}/insights"),
        &[("metric", "page_follows")],
    )
    .await;
    assert_eq!(r.status(), 500);
    assert_eq!(json_of(r).await["error"]["code"], 1);
    let posts = json_of(
        fb_get(
            &c,
            &sb,
            &page,
            &format!("/{FB_PAGE}/posts"),
            &[("fields", "id,status_type"), ("limit", "2")],
        )
        .await,
    )
    .await;
    assert_eq!(posts["data"][0]["status_type"], "hologram_update");
    let r = fb_get(&c, &sb, &page, &format!("/{FB_PAGE}/posts"), &[]).await;
    assert_eq!(json_of(r).await["error"]["code"], 4);
    let node = json_of(
        fb_get(
            &c,
            &sb,
            &wa,
            &format!("/{WABA}"),
            &[(
                "fields",
                "id,analytics.start(1795046400).end(1795392000).granularity(DAY)",
            )],
        )
        .await,
    )
    .await;
    assert!(
        node.get("id").is_none() && node["analytics"].get("data_points").is_none(),
        "{node}"
    );
    let phones = json_of(
        fb_get(
            &c,
            &sb,
            &wa,
            &format!("/{WABA}/phone_numbers"),
            &[("fields", "id,quality_rating,messaging_limit_tier")],
        )
        .await,
    )
    .await;
    assert_eq!(phones["data"][0]["quality_rating"], "PLAID");
    assert_eq!(phones["data"][0]["messaging_limit_tier"], "TIER_HOLOGRAM");
    // All used up.
    let r = fb_get(
        &c,
        &sb,
        &page,
        &format!("/{FB_PAGE}/insights"),
        &[("metric", "page_follows")],
    )
    .await;
    assert_eq!(r.status(), 200);
    sb.shutdown().await;
}

#[tokio::test]
async fn replay_mode_synthesises_facebook_tiktok_and_whatsapp_auth() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |platform: &str, name: &str, request: Value, body: Value| {
        let folder = dir.path().join(platform);
        std::fs::create_dir_all(&folder).expect("mkdir");
        let exchange = json!({
            "platform": platform,
            "source": {"repo": "alcance/tests", "path": "more_platforms.rs", "commit": null, "license": "MIT"},
            "note": "written for this test",
            "request": request,
            "request_inferred": false,
            "response": {"status": 200, "headers": {"content-type": "application/json"}, "body": body},
        });
        std::fs::write(folder.join(name), serde_json::to_vec_pretty(&exchange).expect("json")).expect("write");
    };
    write(
        "facebook",
        "test__page-posts.json",
        json!({"method": "GET", "host": "graph.facebook.com", "path": "/v25.0/555000000000001/posts", "query": {"fields": "id,message"}, "body": null}),
        json!({"data": [{"id": "555000000000001_1", "message": "Recorded post"}]}),
    );
    write(
        "tiktok",
        "test__tt-user-token.json",
        json!({"method": "POST", "host": "business-api.tiktok.com", "path": "/open_api/v1.3/tt_user/oauth2/token/", "query": {}, "body": null}),
        json!({"code": 0, "message": "OK", "data": {"open_id": "tt_replay_user", "access_token": "act.replay"}}),
    );
    write(
        "whatsapp",
        "test__waba-analytics.json",
        json!({"method": "GET", "host": "graph.facebook.com", "path": "/v25.0/105999000000001", "query": {"fields": "analytics.start(1).end(2).granularity(DAY)"}, "body": null}),
        json!({"analytics": {"granularity": "DAY", "data_points": []}, "id": "105999000000001"}),
    );
    let sb = Sandbox::start(SandboxConfig::replay(dir.path()))
        .await
        .expect("replay sandbox");
    let c = client();
    let manifest = json_of(c.get(url(&sb, "/__alcance/accounts")).send().await.expect("accounts")).await;
    let platforms: Vec<&str> = manifest["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| a["platform"].as_str().expect("p"))
        .collect();
    assert_eq!(platforms, ["facebook", "whatsapp", "tiktok"]);

    // TikTok: authorize and token are synthesised for the manifest's open_id.
    let login = tt_login(&c, &sb).await;
    assert_eq!(login["open_id"], "tt_replay_user");
    assert!(login["refresh_token"].is_string());
    // Facebook: the dialog and code exchange are synthesised; recorded Graph answers replay.
    let (status, short) = fb_exchange(&c, &sb, Some(VERIFIER), None).await;
    assert_eq!(status, 200, "{short}");
    let token = short["access_token"].as_str().expect("token");
    let accounts = json_of(
        fb_get(
            &c,
            &sb,
            token,
            "/me/accounts",
            &[("fields", "id,name,access_token,tasks")],
        )
        .await,
    )
    .await;
    // No recording of /me/accounts: the manifest's Page comes with a synthetic Page token.
    assert_eq!(accounts["data"][0]["id"], "555000000000001");
    assert_eq!(accounts["data"][0]["tasks"][0], "ANALYZE");
    let page = accounts["data"][0]["access_token"].as_str().expect("page token");
    let posts = json_of(fb_get(&c, &sb, page, "/555000000000001/posts", &[("fields", "id,message")]).await).await;
    assert_eq!(posts["data"][0]["message"], "Recorded post");
    // WhatsApp: the pasted token names the manifest's WABA.
    let wa = json_of(
        c.get(url(&sb, "/__alcance/whatsapp-token"))
            .send()
            .await
            .expect("token"),
    )
    .await;
    assert_eq!(wa["waba_id"], "105999000000001");
    assert_eq!(wa["phone_number_ids"], json!([]));
    // Unrecorded TikTok calls are the replay 404.
    let r = tt_display(&c, &sb, "act.replay", "/v2/user/info/", "open_id", None).await;
    assert_eq!(r.status(), 404);
    sb.shutdown().await;
}

#[tokio::test]
async fn control_endpoints_for_the_new_platforms() {
    let sb = start(94).await;
    let c = client();
    let flags = json_of(c.get(url(&sb, "/__alcance/whatsapp")).send().await.expect("flags")).await;
    assert_eq!(
        flags,
        json!({"waba_id": WABA, "insights_enabled": false, "cost_visible": true})
    );
    let r = c
        .post(url(&sb, "/__alcance/whatsapp"))
        .json(&json!({"cost_visible": "maybe"}))
        .send()
        .await
        .expect("bad");
    assert_eq!(r.status(), 400);
    // Two pasted tokens are distinct and both valid; revoking one leaves the other.
    let a = wa_token(&c, &sb).await;
    let b = wa_token(&c, &sb).await;
    assert_ne!(a, b);
    c.post(url(&sb, "/__alcance/revoke"))
        .json(&json!({"token": a}))
        .send()
        .await
        .expect("revoke");
    let get = |t: String| {
        let c = c.clone();
        let sb = &sb;
        async move {
            fb_get(&c, sb, &t, &format!("/{WABA}"), &[("fields", "id")])
                .await
                .status()
        }
    };
    assert_eq!(get(a).await, 401);
    assert_eq!(get(b).await, 200);
    // The TikTok code is bound to its client_key and redirect_uri.
    let code = tt_code(&c, &sb, &s256_challenge(VERIFIER)).await;
    let (status, body) = tt_post_token(
        &c,
        &sb,
        &[
            ("client_key", "tt-key"),
            ("client_secret", "tt-secret"),
            ("code", code.as_str()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", "http://127.0.0.1:9999/callback/"),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    sb.shutdown().await;
}

#[tokio::test]
async fn extreme_inputs_get_answers_not_panics() {
    let sb = start(95).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;
    let page = fb_page_token(&c, &sb).await;
    let wa = wa_token(&c, &sb).await;
    let tt = tt_token(&c, &sb).await;
    let far = "8210266876799"; // the last second chrono can represent
    for (since, until) in [(far, far), ("-8334601228800", "-8334601228000"), ("0", far), ("x", "y")] {
        let r = fb_get(
            &c,
            &sb,
            &page,
            &format!("/{FB_PAGE}/insights"),
            &[("metric", "page_follows"), ("since", since), ("until", until)],
        )
        .await;
        assert!(
            r.status() == 200 || r.status() == 400,
            "{since} {until}: {}",
            r.status()
        );
        let r = fb_get(
            &c,
            &sb,
            &page,
            &format!("/{FB_PAGE}/posts"),
            &[("since", since), ("until", until)],
        )
        .await;
        assert!(r.status() == 200 || r.status() == 400);
    }
    for fields in [
        format!("analytics.start({far}).end({far}).granularity(DAY)"),
        format!("analytics.start(1795046400).end({far}).granularity(MONTH)"),
        "conversation_analytics.start(1795046400).end(-1).granularity(DAILY)".to_string(),
        "pricing_analytics.start().end().granularity()".to_string(),
        "analytics.start(1795046400)))".to_string(),
    ] {
        let r = fb_get(&c, &sb, &wa, &format!("/{WABA}"), &[("fields", fields.as_str())]).await;
        assert!(r.status() == 200 || r.status() == 400, "{fields}");
    }
    c.post(url(&sb, &format!("/v25.0/{WABA}")))
        .query(&[("is_enabled_for_insights", "true"), ("access_token", wa.as_str())])
        .send()
        .await
        .expect("enable");
    let r = fb_get(
        &c,
        &sb,
        &wa,
        &format!("/{WABA}/template_analytics"),
        &[
            ("start", "1795046400"),
            ("end", far),
            ("granularity", "DAILY"),
            ("template_ids", "[1060000000000101]"),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    for cursor in [json!(i64::MAX), json!(-5), json!(1.5), json!(null)] {
        let r = tt_display(
            &c,
            &sb,
            &tt,
            "/v2/video/list/",
            "id",
            Some(json!({"max_count": 5, "cursor": cursor})),
        )
        .await;
        assert!(r.status() == 200 || r.status() == 400, "{cursor}");
    }
    let r = tt_business(
        &c,
        &sb,
        &tt,
        "/business/get/",
        &[
            ("business_id", TT_OPEN_ID),
            ("start_date", "+262000-01-01"),
            ("end_date", "+262000-01-02"),
            ("fields", "[\"metrics\"]"),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    sb.shutdown().await;
}
