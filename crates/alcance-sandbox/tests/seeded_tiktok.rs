//! The seeded TikTok APIs: Login Kit with PKCE and rotating refresh tokens, Display API v2
//! user info and video paging (millisecond cursors), video query, the Business API account
//! metrics and video list, TikTok's error envelopes, rate limits and faults.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use crate::common;
use crate::platforms;

use std::collections::HashSet;

use alcance_sandbox::oauth::s256_challenge;
use chrono::{DateTime, Utc};
use common::*;
use platforms::*;
use serde_json::{json, Value};
use sha2::Digest;

const NOW: &str = "2026-11-23T12:00:00Z";
const VIDEO_FIELDS: &str =
    "id,create_time,cover_image_url,share_url,video_description,duration,title,like_count,comment_count,share_count,view_count";
const USER_FIELDS: &str = "open_id,union_id,avatar_url,display_name,username,bio_description,profile_deep_link,is_verified,follower_count,following_count,likes_count,video_count";

fn code_form<'a>(code: &'a str, verifier: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("client_key", "tt-key"),
        ("client_secret", "tt-secret"),
        ("code", code),
        ("grant_type", "authorization_code"),
        ("redirect_uri", TT_REDIRECT),
        ("code_verifier", verifier),
    ]
}

#[tokio::test]
async fn pkce_and_rotating_refresh_tokens() {
    let sb = start(81).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;

    // A wrong verifier is refused (and spends the code).
    let code = tt_code(&c, &sb, &s256_challenge(VERIFIER)).await;
    let (status, body) = tt_post_token(
        &c,
        &sb,
        &code_form(&code, "another-verifier-0123456789-0123456789-abcdef"),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_request");
    assert!(body["log_id"].is_string());
    assert_eq!(tt_post_token(&c, &sb, &code_form(&code, VERIFIER)).await.0, 400);
    // A missing verifier is refused too.
    let code = tt_code(&c, &sb, &s256_challenge(VERIFIER)).await;
    let form: Vec<_> = code_form(&code, VERIFIER)
        .into_iter()
        .filter(|(k, _)| *k != "code_verifier")
        .collect();
    assert_eq!(tt_post_token(&c, &sb, &form).await.0, 400);
    // The hex-encoded S256 challenge some desktop integrations send is accepted.
    let hex = hex::encode(sha2::Sha256::digest(VERIFIER.as_bytes()));
    let code = tt_code(&c, &sb, &hex).await;
    assert_eq!(tt_post_token(&c, &sb, &code_form(&code, VERIFIER)).await.0, 200);

    // Authorize: PKCE required, loopback redirect with a port required.
    let r = c
        .get(url(&sb, "/v2/auth/authorize/"))
        .query(&[
            ("client_key", "tt-key"),
            ("response_type", "code"),
            ("scope", "user.info.basic"),
            ("redirect_uri", TT_REDIRECT),
            ("state", "s"),
        ])
        .send()
        .await
        .expect("authorize");
    assert_eq!(redirect_param(&r, "error").as_deref(), Some("invalid_request"));
    let r = c
        .get(url(&sb, "/v2/auth/authorize/"))
        .query(&[
            ("client_key", "tt-key"),
            ("response_type", "code"),
            ("redirect_uri", "https://example.com/callback/"),
            ("code_challenge", "x"),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .expect("authorize");
    assert_eq!(r.status(), 400);

    // The token answer, then rotation.
    let first = tt_login(&c, &sb).await;
    assert_eq!(first["open_id"], TT_OPEN_ID);
    assert_eq!(first["expires_in"], 7_200);
    assert_eq!(first["refresh_expires_in"], 15_552_000);
    assert_eq!(first["token_type"], "Bearer");
    assert_eq!(
        first["scope"],
        "user.info.basic,user.info.profile,user.info.stats,video.list"
    );
    let rt1 = first["refresh_token"].as_str().expect("refresh").to_string();
    let refresh = |rt: String, key: &'static str| {
        let c = c.clone();
        let sb = &sb;
        async move {
            tt_post_token(
                &c,
                sb,
                &[
                    ("client_key", key),
                    ("client_secret", "tt-secret"),
                    ("grant_type", "refresh_token"),
                    ("refresh_token", rt.as_str()),
                ],
            )
            .await
        }
    };
    // Another client cannot use it (and does not spend it).
    assert_eq!(refresh(rt1.clone(), "other-key").await.0, 400);
    let (status, second) = refresh(rt1.clone(), "tt-key").await;
    assert_eq!(status, 200, "{second}");
    let rt2 = second["refresh_token"].as_str().expect("rotated").to_string();
    assert_ne!(rt1, rt2);
    assert_ne!(first["access_token"], second["access_token"]);
    // The old refresh token stopped working; the new one works once.
    let (status, body) = refresh(rt1, "tt-key").await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
    let access = second["access_token"].as_str().expect("access");
    assert_eq!(
        tt_display(&c, &sb, access, "/v2/user/info/", "open_id", None)
            .await
            .status(),
        200
    );
    assert_eq!(refresh(rt2.clone(), "tt-key").await.0, 200);
    assert_eq!(refresh(rt2, "tt-key").await.0, 400);

    // Revoke: the access token stops working.
    let r = c
        .post(url(&sb, "/v2/oauth/revoke/"))
        .form(&[
            ("client_key", "tt-key"),
            ("client_secret", "tt-secret"),
            ("token", access),
        ])
        .send()
        .await
        .expect("revoke");
    assert_eq!(r.status(), 200);
    let r = tt_display(&c, &sb, access, "/v2/user/info/", "open_id", None).await;
    assert_eq!(r.status(), 401);
    assert_eq!(json_of(r).await["error"]["code"], "access_token_invalid");
    sb.shutdown().await;
}

#[tokio::test]
async fn user_info_and_video_list_pages_to_the_end() {
    let sb = start(82).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;
    let token = tt_token(&c, &sb).await;
    let info = json_of(tt_display(&c, &sb, &token, "/v2/user/info/", USER_FIELDS, None).await).await;
    assert_eq!(info["error"]["code"], "ok");
    assert_eq!(info["error"]["message"], "");
    let user = &info["data"]["user"];
    assert_eq!(user["open_id"], TT_OPEN_ID);
    assert_eq!(user["username"], "alcance.br");
    let followers = user["follower_count"].as_u64().expect("followers");
    assert!((15_000..60_000).contains(&followers), "{followers}");
    let video_count = user["video_count"].as_u64().expect("videos");

    // Page through everything with the millisecond cursor.
    let mut cursor: Option<i64> = None;
    let mut ids = HashSet::new();
    let mut pages = 0;
    let mut newest_views = Vec::new();
    loop {
        let mut body = json!({ "max_count": 20 });
        if let Some(cur) = cursor {
            body["cursor"] = json!(cur);
        }
        let r = tt_display(&c, &sb, &token, "/v2/video/list/", VIDEO_FIELDS, Some(body)).await;
        assert_eq!(r.status(), 200);
        let page = json_of(r).await;
        pages += 1;
        let videos = page["data"]["videos"].as_array().expect("videos");
        let next = page["data"]["cursor"].as_i64().expect("cursor");
        for v in videos {
            let created = v["create_time"].as_i64().expect("create_time");
            assert!(
                cursor.is_none_or(|cur| created * 1_000 < cur),
                "newest first, before the cursor"
            );
            assert!(created * 1_000 >= next);
            assert!(ids.insert(v["id"].as_str().expect("id").to_string()));
            assert!(v["share_url"].as_str().expect("share").contains("/video/"));
            if pages == 1 {
                newest_views.push(v["view_count"].as_u64().expect("views"));
            }
        }
        if !page["data"]["has_more"].as_bool().expect("has_more") {
            break;
        }
        assert_eq!(videos.len(), 20);
        cursor = Some(next);
        assert!(pages < 200, "paging never ends");
    }
    // About one video a day since 2024, plus the 210 from before the history.
    assert_eq!(ids.len() as u64 + 210, video_count);
    assert!((700..1_300).contains(&ids.len()), "{}", ids.len());
    assert!(newest_views.iter().all(|v| *v > 0));

    // video/query refreshes known ids; unknown ones are left out.
    let some: Vec<String> = ids.iter().take(5).cloned().collect();
    let mut query_ids = some.clone();
    query_ids.push("7399999999999999999".into());
    let q = json_of(
        tt_display(
            &c,
            &sb,
            &token,
            "/v2/video/query/",
            "id,view_count,like_count",
            Some(json!({ "filters": { "video_ids": query_ids } })),
        )
        .await,
    )
    .await;
    let got: Vec<&str> = q["data"]["videos"]
        .as_array()
        .expect("videos")
        .iter()
        .map(|v| v["id"].as_str().expect("id"))
        .collect();
    assert_eq!(got, some.iter().map(String::as_str).collect::<Vec<_>>());
    let too_many: Vec<String> = ids.iter().take(21).cloned().collect();
    let r = tt_display(
        &c,
        &sb,
        &token,
        "/v2/video/query/",
        "id",
        Some(json!({ "filters": { "video_ids": too_many } })),
    )
    .await;
    assert_eq!(r.status(), 400);
    assert_eq!(json_of(r).await["error"]["code"], "invalid_params");

    // Bad input keeps TikTok's envelope: missing or unknown fields, bad max_count, bad JSON.
    for (path, fields, body) in [
        ("/v2/user/info/", "", None),
        ("/v2/user/info/", "open_id,pet_name", None),
        ("/v2/video/list/", "id", Some(json!({ "max_count": 50 }))),
        ("/v2/video/list/", "id", Some(json!({ "cursor": "yesterday" }))),
    ] {
        let r = tt_display(&c, &sb, &token, path, fields, body).await;
        assert_eq!(r.status(), 400, "{path} {fields}");
        let v = json_of(r).await;
        assert_eq!(v["error"]["code"], "invalid_params");
        assert_eq!(v["data"], json!({}));
    }
    let r = c
        .post(url(&sb, "/v2/video/list/"))
        .query(&[("fields", "id")])
        .bearer_auth(&token)
        .body("{not json")
        .send()
        .await
        .expect("bad json");
    assert_eq!(r.status(), 400);
    // Foreign tokens.
    let x = x_token(&c, &sb).await;
    let r = tt_display(&c, &sb, &x, "/v2/user/info/", "open_id", None).await;
    assert_eq!(r.status(), 401);
    assert_eq!(json_of(r).await["error"]["code"], "access_token_invalid");
    sb.shutdown().await;
}

#[tokio::test]
async fn business_account_metrics_and_videos() {
    let sb = start(83).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;
    let token = tt_token(&c, &sb).await;
    let fields = "[\"username\",\"display_name\",\"profile_image\",\"followers_count\",\"audience_countries\",\"audience_genders\",\"metrics\"]";
    let get = |start: &'static str, end: &'static str, business: &'static str| {
        let c = c.clone();
        let sb = &sb;
        let token = token.clone();
        async move {
            let r = tt_business(
                &c,
                sb,
                &token,
                "/business/get/",
                &[
                    ("business_id", business),
                    ("start_date", start),
                    ("end_date", end),
                    ("fields", fields),
                ],
            )
            .await;
            assert_eq!(r.status(), 200);
            json_of(r).await
        }
    };
    // 2026-10-25 … 2026-11-25: the two days after the clock are left out.
    let body = get("2026-10-25", "2026-11-25", TT_OPEN_ID).await;
    assert_eq!(body["code"], 0);
    assert_eq!(body["message"], "OK");
    assert!(body["request_id"].is_string());
    let data = &body["data"];
    assert_eq!(data["username"], "alcance.br");
    assert_eq!(
        data["audience_countries"][0],
        json!({"country": "BR", "percentage": 0.86})
    );
    let genders: f64 = data["audience_genders"]
        .as_array()
        .expect("genders")
        .iter()
        .map(|g| g["percentage"].as_f64().expect("p"))
        .sum();
    assert!((genders - 1.0).abs() < 1e-9);
    let metrics = data["metrics"].as_array().expect("metrics");
    assert_eq!(metrics.len(), 30);
    assert_eq!(metrics[0]["date"], "2026-10-25");
    assert_eq!(metrics[29]["date"], "2026-11-23");
    let mut last = 0;
    for m in metrics {
        let f = m["followers_count"].as_u64().expect("followers");
        assert!(f >= last, "followers grow");
        last = f;
        assert!(m["likes"].as_u64().expect("likes") <= m["video_views"].as_u64().expect("views"));
        let activity = m["audience_activity"].as_array().expect("activity");
        assert_eq!(activity.len(), 24);
        let peak = activity
            .iter()
            .max_by_key(|a| a["count"].as_u64().expect("count"))
            .expect("peak");
        // São Paulo evening, 19–20 h = 22–23 h UTC.
        assert!(peak["hour"] == "22" || peak["hour"] == "23", "{peak}");
    }
    assert_eq!(data["followers_count"].as_u64(), Some(last));
    let full_day = metrics[20]["video_views"].as_u64().expect("views");
    assert!(full_day > 0);

    // Errors: a non-zero code with HTTP 200.
    assert_eq!(get("2026-01-01", "2026-11-01", TT_OPEN_ID).await["code"], 40002);
    assert_eq!(get("2026-11-10", "2026-11-01", TT_OPEN_ID).await["code"], 40002);
    assert_eq!(get("2026-11-01", "2026-11-02", "someone_else").await["code"], 40002);
    let r = tt_business(
        &c,
        &sb,
        "bad-token",
        "/business/get/",
        &[("business_id", TT_OPEN_ID), ("fields", "[\"username\"]")],
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(json_of(r).await["code"], 40001);

    // The business video list pages like the Display list and adds reach and watch time.
    let vfields = "[\"item_id\",\"create_time\",\"caption\",\"video_views\",\"video_duration\",\"likes\",\"comments\",\"shares\",\"reach\",\"full_video_watched_rate\",\"total_time_watched\",\"average_time_watched\"]";
    let mut cursor: Option<String> = None;
    let mut seen = HashSet::new();
    for _ in 0..3 {
        let mut q = vec![
            ("business_id", TT_OPEN_ID.to_string()),
            ("fields", vfields.to_string()),
            ("max_count", "20".to_string()),
        ];
        if let Some(cur) = &cursor {
            q.push(("cursor", cur.clone()));
        }
        let q: Vec<(&str, &str)> = q.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = json_of(tt_business(&c, &sb, &token, "/business/video/list/", &q).await).await;
        assert_eq!(page["code"], 0, "{page}");
        let videos = page["data"]["videos"].as_array().expect("videos");
        assert_eq!(videos.len(), 20);
        assert_eq!(page["data"]["has_more"], true);
        for v in videos {
            assert!(seen.insert(v["item_id"].as_str().expect("id").to_string()));
            let views = v["video_views"].as_f64().expect("views");
            assert!(v["reach"].as_f64().expect("reach") <= views);
            let rate = v["full_video_watched_rate"].as_f64().expect("rate");
            assert!((0.0..=1.0).contains(&rate));
            let avg = v["average_time_watched"].as_f64().expect("avg");
            assert!(avg <= v["video_duration"].as_f64().expect("duration"));
            let total = v["total_time_watched"].as_f64().expect("total");
            assert!((total - avg * views).abs() <= views * 0.01 + 1.0, "{v}");
            assert!(v["create_time"]
                .as_str()
                .expect("create_time string")
                .parse::<i64>()
                .is_ok());
        }
        cursor = Some(page["data"]["cursor"].as_i64().expect("cursor").to_string());
    }
    assert_eq!(seen.len(), 60);
    let bad = json_of(
        tt_business(
            &c,
            &sb,
            &token,
            "/business/video/list/",
            &[("business_id", TT_OPEN_ID), ("fields", "[\"item_id\",\"mood\"]")],
        )
        .await,
    )
    .await;
    assert_eq!(bad["code"], 40002);
    sb.shutdown().await;
}

const BIZ_REFRESH: &str = "/open_api/v1.3/tt_user/oauth2/refresh_token/";

/// `POST tt_user/oauth2/refresh_token/` with a JSON body → (HTTP status, answer).
async fn biz_refresh(c: &reqwest::Client, sb: &alcance_sandbox::Sandbox, body: &Value) -> (u16, Value) {
    let r = c.post(url(sb, BIZ_REFRESH)).json(body).send().await.expect("refresh");
    (r.status().as_u16(), json_of(r).await)
}

#[tokio::test]
async fn business_refresh_keeps_the_refresh_token_until_it_is_revoked() {
    let sb = start(86).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;
    let login = tt_login(&c, &sb).await;
    let rt = login["refresh_token"].as_str().expect("refresh token").to_string();
    let body = json!({
        "client_id": "tt-key", "client_secret": "tt-secret",
        "grant_type": "refresh_token", "refresh_token": rt,
    });

    let (status, first) = biz_refresh(&c, &sb, &body).await;
    assert_eq!((status, first["code"].as_i64()), (200, Some(0)), "{first}");
    assert_eq!(first["message"], "OK");
    assert!(first["request_id"].is_string());
    let data = &first["data"];
    assert_eq!(data["expires_in"], 86_400);
    assert_eq!(data["open_id"], TT_OPEN_ID);
    assert_eq!(data["token_type"], "Bearer");
    assert_eq!(data["scope"], login["scope"]);
    // Not rotated: the same refresh token, its year counting down from the authorization.
    assert_eq!(data["refresh_token"].as_str(), Some(rt.as_str()));
    let left = data["refresh_token_expires_in"].as_u64().expect("seconds left");
    assert!(left <= 31_536_000 && left > 31_536_000 - 60, "{left}");
    let access = data["access_token"].as_str().expect("access").to_string();
    assert_ne!(Some(access.as_str()), login["access_token"].as_str());
    // The new access token reads the API for Business.
    let r = tt_business(
        &c,
        &sb,
        &access,
        "/business/get/",
        &[("business_id", TT_OPEN_ID), ("fields", "[\"username\"]")],
    )
    .await;
    assert_eq!(json_of(r).await["code"], 0);

    // The same refresh token works again, for another access token.
    let (status, second) = biz_refresh(&c, &sb, &body).await;
    assert_eq!((status, second["code"].as_i64()), (200, Some(0)), "{second}");
    assert_ne!(second["data"]["access_token"], data["access_token"]);

    // Refusals: HTTP 200 with a non-zero code.
    let mut other_app = body.clone();
    other_app["client_id"] = json!("other-key");
    let mut unknown = body.clone();
    unknown["refresh_token"] = json!("sbx_tiktok_00000000000000000000000000000000");
    let mut no_secret = body.clone();
    no_secret["client_secret"] = json!("");
    let mut code_grant = body.clone();
    code_grant["grant_type"] = json!("authorization_code");
    for (case, expected) in [
        (other_app, 40105),
        (unknown, 40105),
        (no_secret, 40002),
        (code_grant, 40002),
    ] {
        let (status, answer) = biz_refresh(&c, &sb, &case).await;
        assert_eq!(
            (status, answer["code"].as_i64()),
            (200, Some(expected)),
            "{case}: {answer}"
        );
        assert_eq!(answer["data"], json!({}));
    }
    let r = c.get(url(&sb, BIZ_REFRESH)).send().await.expect("get");
    assert_eq!(r.status(), 405);

    // Revoked: refused from then on.
    let r = c
        .post(url(&sb, "/__alcance/revoke"))
        .json(&json!({ "token": rt }))
        .send()
        .await
        .expect("revoke");
    assert_eq!(json_of(r).await["revoked"], true);
    let (status, refused) = biz_refresh(&c, &sb, &body).await;
    assert_eq!((status, refused["code"].as_i64()), (200, Some(40105)), "{refused}");
    assert!(refused["data"]["access_token"].is_null());
    sb.shutdown().await;
}

#[tokio::test]
async fn rate_limit_faults_and_clock_reset() {
    let sb = start(84).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;
    let token = tt_token(&c, &sb).await;
    for i in 0..600 {
        let r = tt_display(&c, &sb, &token, "/v2/user/info/", "open_id", None).await;
        assert_eq!(r.status(), 200, "request {i}");
    }
    let r = tt_display(&c, &sb, &token, "/v2/user/info/", "open_id", None).await;
    assert_eq!(r.status(), 429);
    let body = json_of(r).await;
    assert_eq!(body["error"]["code"], "rate_limit_exceeded");
    assert_eq!(body["data"], json!({}));
    // Per endpoint: the video list still answers.
    let r = tt_display(&c, &sb, &token, "/v2/video/list/", "id", Some(json!({"max_count": 1}))).await;
    assert_eq!(r.status(), 200);
    // DELETE /__alcance/limits resets the windows.
    let r = c.delete(url(&sb, "/__alcance/limits")).send().await.expect("reset");
    assert_eq!(r.status(), 200);
    for _ in 0..600 {
        assert_eq!(
            tt_display(&c, &sb, &token, "/v2/user/info/", "open_id", None)
                .await
                .status(),
            200
        );
    }
    assert_eq!(
        tt_display(&c, &sb, &token, "/v2/user/info/", "open_id", None)
            .await
            .status(),
        429
    );
    // So does moving the sandbox clock 15 minutes or more forward (not less).
    set_clock(&c, &sb, "2026-11-23T12:10:00Z").await;
    assert_eq!(
        tt_display(&c, &sb, &token, "/v2/user/info/", "open_id", None)
            .await
            .status(),
        429
    );
    set_clock(&c, &sb, "2026-11-23T12:30:00Z").await;
    assert_eq!(
        tt_display(&c, &sb, &token, "/v2/user/info/", "open_id", None)
            .await
            .status(),
        200
    );

    // Faults on TikTok paths use TikTok's envelopes.
    let arm = |body: Value| {
        let c = c.clone();
        let u = url(&sb, "/__alcance/faults");
        async move {
            assert_eq!(c.post(u).json(&body).send().await.expect("arm").status(), 200);
        }
    };
    arm(json!([
        {"path_prefix": "/v2/video/list/", "kind": "status_500"},
        {"path_prefix": "/v2/video/list/", "kind": "status_429"},
        {"path_prefix": "/v2/video/list/", "kind": "missing_fields"},
        {"path_prefix": "/open_api/v1.3/business/get/", "kind": "status_429"},
        {"path_prefix": "/v2/user/info/", "kind": "html"},
    ]))
    .await;
    let list = || {
        tt_display(
            &c,
            &sb,
            &token,
            "/v2/video/list/",
            "id,create_time,view_count",
            Some(json!({"max_count": 2})),
        )
    };
    let r = list().await;
    assert_eq!(r.status(), 500);
    assert_eq!(json_of(r).await["error"]["code"], "internal_error");
    let r = list().await;
    assert_eq!(r.status(), 429);
    assert_eq!(json_of(r).await["error"]["code"], "rate_limit_exceeded");
    let stripped = json_of(list().await).await;
    assert!(stripped["data"]["videos"][0].get("create_time").is_none());
    assert!(stripped["data"]["videos"][0].get("id").is_none());
    let ok = json_of(list().await).await;
    assert!(ok["data"]["videos"][0]["create_time"].is_i64());
    let r = tt_business(
        &c,
        &sb,
        &token,
        "/business/get/",
        &[("business_id", TT_OPEN_ID), ("fields", "[\"username\"]")],
    )
    .await;
    assert_eq!(json_of(r).await["code"], 40100);
    let r = tt_display(&c, &sb, &token, "/v2/user/info/", "open_id", None).await;
    assert_eq!(r.status(), 502);
    assert!(r.headers()["content-type"]
        .to_str()
        .expect("ct")
        .starts_with("text/html"));
    sb.shutdown().await;
}

#[tokio::test]
async fn metrics_grow_with_age_and_saturate() {
    let sb = start(85).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;
    let token = tt_token(&c, &sb).await;
    let page = json_of(
        tt_display(
            &c,
            &sb,
            &token,
            "/v2/video/list/",
            "id,create_time",
            Some(json!({"max_count": 1})),
        )
        .await,
    )
    .await;
    let v = &page["data"]["videos"][0];
    let id = v["id"].as_str().expect("id").to_string();
    let created = DateTime::<Utc>::from_timestamp(v["create_time"].as_i64().expect("t"), 0).expect("time");
    let mut views = Vec::new();
    for hours in [1, 6, 24, 72, 24 * 10, 24 * 30] {
        let t = created + chrono::Duration::hours(hours);
        set_clock(&c, &sb, &t.to_rfc3339()).await;
        let q = json_of(
            tt_display(
                &c,
                &sb,
                &token,
                "/v2/video/query/",
                "id,view_count",
                Some(json!({"filters": {"video_ids": [id]}})),
            )
            .await,
        )
        .await;
        views.push(q["data"]["videos"][0]["view_count"].as_u64().expect("views"));
    }
    assert!(views.windows(2).all(|w| w[0] <= w[1]), "{views:?}");
    assert!(views[0] < views[2] / 2, "{views:?}");
    let (d10, d30) = (views[4] as f64, views[5] as f64);
    assert!(d30 - d10 <= d30 * 0.01, "saturated: {views:?}");
    // Before publication the video does not exist yet.
    set_clock(&c, &sb, &(created - chrono::Duration::hours(1)).to_rfc3339()).await;
    let q = json_of(
        tt_display(
            &c,
            &sb,
            &token,
            "/v2/video/query/",
            "id",
            Some(json!({"filters": {"video_ids": [id]}})),
        )
        .await,
    )
    .await;
    assert_eq!(q["data"]["videos"], json!([]));
    sb.shutdown().await;
}
