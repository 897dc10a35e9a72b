//! The seeded Facebook Pages API: Facebook Login and page tokens, Page nodes, posts and
//! videos paging, Page insights that agree with the posts, removed metrics (#100), post and
//! video insights, permissions, usage headers and the posting-hour effect.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use crate::common;
use crate::platforms;

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use common::*;
use platforms::*;
use serde_json::Value;

const NOW: &str = "2026-11-23T12:00:00Z";
const POST_FIELDS: &str = "id,message,created_time,permalink_url,status_type,full_picture,shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("time").with_timezone(&Utc)
}

fn meta_time(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%z")
        .expect("meta time")
        .with_timezone(&Utc)
}

fn unix(t: DateTime<Utc>) -> String {
    t.timestamp().to_string()
}

fn error_code(v: &Value) -> (i64, String) {
    (
        v["error"]["code"].as_i64().expect("error code"),
        v["error"]["message"].as_str().expect("message").to_string(),
    )
}

#[tokio::test]
async fn login_page_tokens_and_profile() {
    let sb = start(61).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;

    // Without a secret and without PKCE the code exchange is refused; PKCE alone works;
    // a wrong verifier is refused; codes are one-shot.
    let (status, body) = fb_exchange(&c, &sb, None, None).await;
    assert_eq!(status, 400);
    assert!(error_code(&body).1.contains("client_secret"), "{body}");
    let (status, body) = fb_exchange(&c, &sb, Some(VERIFIER), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["expires_in"], 5_183_944);
    let challenge = alcance_sandbox::oauth::s256_challenge(VERIFIER);
    let r = c
        .get(url(&sb, "/v25.0/dialog/oauth"))
        .query(&[
            ("client_id", "fb-app"),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .expect("dialog");
    let code = redirect_param(&r, "code").expect("code");
    let exchange = |verifier: &'static str| {
        let c = c.clone();
        let u = url(&sb, "/v25.0/oauth/access_token");
        let code = code.clone();
        async move {
            c.get(u)
                .query(&[
                    ("client_id", "fb-app"),
                    ("redirect_uri", REDIRECT),
                    ("code", code.as_str()),
                    ("code_verifier", verifier),
                ])
                .send()
                .await
                .expect("exchange")
        }
    };
    let wrong = exchange("a-verifier-that-does-not-match-the-challenge-at-all-0000").await;
    assert_eq!(wrong.status(), 400);
    assert_eq!(exchange(VERIFIER).await.status(), 400, "the code was used up");

    // The desktop pattern: response_type=token puts the token in the fragment.
    let r = c
        .get(url(&sb, "/v25.0/dialog/oauth"))
        .query(&[
            ("client_id", "fb-app"),
            ("redirect_uri", "https://www.facebook.com/connect/login_success.html"),
            ("response_type", "token"),
            ("state", "s1"),
        ])
        .send()
        .await
        .expect("implicit");
    assert_eq!(r.status(), 302);
    let loc = url::Url::parse(r.headers()["location"].to_str().expect("loc")).expect("url");
    let fragment = loc.fragment().expect("fragment");
    assert!(
        fragment.contains("access_token=sbx_facebook_") && fragment.contains("state=s1"),
        "{fragment}"
    );

    // Long-lived user token → /me, /me/accounts with a Page token.
    let user = fb_user_token(&c, &sb).await;
    let me = json_of(fb_get(&c, &sb, &user, "/me", &[("fields", "id,name")]).await).await;
    assert_eq!(me["id"], "100094000000001");
    let r = fb_get(
        &c,
        &sb,
        &user,
        "/me/accounts",
        &[
            (
                "fields",
                "id,name,access_token,tasks,category,instagram_business_account",
            ),
            ("limit", "100"),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    let buc: Value = serde_json::from_str(r.headers()["x-business-use-case-usage"].to_str().expect("h")).expect("json");
    assert_eq!(buc["100094000000001"][0]["type"], "pages");
    let accounts = json_of(r).await;
    let pages = accounts["data"].as_array().expect("data");
    assert_eq!(pages.len(), 1, "only the owned Page is managed");
    assert_eq!(pages[0]["name"], "Alcance Brasil");
    assert_eq!(pages[0]["instagram_business_account"]["id"], IG_OWNED);
    let page_token = pages[0]["access_token"].as_str().expect("page token").to_string();
    assert!(page_token.starts_with("sbx_facebook_"));
    assert!(accounts["paging"]["cursors"]["after"].is_string());

    // The Page node, with the Page token and with the user token; the tracked Page too.
    let fields = "id,name,username,link,fan_count,followers_count,talking_about_count,picture";
    let r = fb_get(&c, &sb, &page_token, &format!("/{FB_PAGE}"), &[("fields", fields)]).await;
    assert_eq!(r.status(), 200);
    let buc: Value = serde_json::from_str(r.headers()["x-business-use-case-usage"].to_str().expect("h")).expect("json");
    assert_eq!(buc[FB_PAGE][0]["type"], "pages");
    assert!(r.headers()["x-app-usage"].to_str().expect("h").contains("call_count"));
    let page = json_of(r).await;
    assert_eq!(page["username"], "alcancebr");
    assert_eq!(page["link"], "https://www.facebook.com/alcancebr");
    let followers = page["followers_count"].as_u64().expect("followers");
    assert!((9_000..20_000).contains(&followers), "{followers}");
    assert!(page["fan_count"].as_u64().expect("fans") < followers);
    assert!(page["talking_about_count"].as_u64().expect("talking") > 0);
    assert!(page["picture"]["data"]["url"].as_str().expect("pic").ends_with(".svg"));
    let tracked = json_of(fb_get(&c, &sb, &user, &format!("/{FB_TRACKED}"), &[("fields", fields)]).await).await;
    assert_eq!(tracked["name"], "Ana Influencer");
    assert!(tracked["followers_count"].as_u64().expect("f") > 100_000);
    let me_page = json_of(fb_get(&c, &sb, &page_token, "/me", &[("fields", "id,name")]).await).await;
    assert_eq!(me_page["id"], FB_PAGE);

    // Unknown fields and ids are Graph errors.
    let r = fb_get(
        &c,
        &sb,
        &page_token,
        &format!("/{FB_PAGE}"),
        &[("fields", "id,page_fans")],
    )
    .await;
    assert_eq!(r.status(), 400);
    assert_eq!(error_code(&json_of(r).await).0, 100);
    let r = fb_get(&c, &sb, &page_token, "/104999999999999", &[]).await;
    assert_eq!(json_of(r).await["error"]["error_subcode"], 33);

    // Insights need the Page's own token.
    let metric = [("metric", "page_media_view"), ("period", "day")];
    let r = fb_get(&c, &sb, &user, &format!("/{FB_PAGE}/insights"), &metric).await;
    assert_eq!(r.status(), 400);
    assert_eq!(error_code(&json_of(r).await).0, 190);
    let r = fb_get(&c, &sb, &page_token, &format!("/{FB_TRACKED}/insights"), &metric).await;
    assert_eq!(error_code(&json_of(r).await).0, 10);
    assert_eq!(
        fb_get(&c, &sb, &page_token, &format!("/{FB_PAGE}/insights"), &metric)
            .await
            .status(),
        200
    );

    // Revoked, foreign and missing tokens.
    let r = fb_get(&c, &sb, "not-a-token", &format!("/{FB_PAGE}"), &[]).await;
    assert_eq!(r.status(), 401);
    assert_eq!(error_code(&json_of(r).await).0, 190);
    let x = x_token(&c, &sb).await;
    assert_eq!(fb_get(&c, &sb, &x, &format!("/{FB_PAGE}"), &[]).await.status(), 401);
    c.post(url(&sb, "/__alcance/revoke"))
        .json(&serde_json::json!({ "token": page_token }))
        .send()
        .await
        .expect("revoke");
    let r = fb_get(&c, &sb, &page_token, &format!("/{FB_PAGE}"), &[]).await;
    assert_eq!(r.status(), 401);
    assert_eq!(json_of(r).await["error"]["error_subcode"], 458);
    // A bad fb_exchange_token is refused.
    let r = c
        .get(url(&sb, "/v25.0/oauth/access_token"))
        .query(&[
            ("grant_type", "fb_exchange_token"),
            ("client_id", "fb-app"),
            ("client_secret", "s"),
            ("fb_exchange_token", "nope"),
        ])
        .send()
        .await
        .expect("exchange");
    assert_eq!(error_code(&json_of(r).await).0, 190);
    sb.shutdown().await;
}

#[tokio::test]
async fn removed_and_unknown_metrics_fail_with_100() {
    let sb = start(62).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;
    let page = fb_page_token(&c, &sb).await;
    let insights = format!("/{FB_PAGE}/insights");
    for removed in [
        "page_impressions",
        "page_impressions_unique",
        "page_fans",
        "page_fan_adds",
        "page_fan_removes",
        "page_engaged_users",
        "page_impressions_viral_unique",
        "page_posts_impressions_unique",
        "no_such_metric",
    ] {
        // Alone and mixed with a good metric: the whole call fails.
        for metric in [removed.to_string(), format!("page_media_view,{removed}")] {
            let r = fb_get(
                &c,
                &sb,
                &page,
                &insights,
                &[("metric", metric.as_str()), ("period", "day")],
            )
            .await;
            assert_eq!(r.status(), 400, "{metric}");
            let body = json_of(r).await;
            assert_eq!(
                error_code(&body),
                (100, "(#100) The value must be a valid insights metric".to_string()),
                "{metric}"
            );
            assert_eq!(body["error"]["type"], "OAuthException");
            assert!(body["error"]["fbtrace_id"].is_string());
        }
    }
    // The contract's groups all work.
    for group in [
        "page_media_view,page_total_media_view_unique",
        "page_post_engagements,page_views_total",
        "page_daily_follows_unique,page_daily_unfollows_unique",
        "page_follows",
    ] {
        let r = fb_get(&c, &sb, &page, &insights, &[("metric", group), ("period", "day")]).await;
        assert_eq!(r.status(), 200, "{group}");
    }
    // Post level: post_impressions* are gone too.
    let posts = json_of(fb_get(&c, &sb, &page, &format!("/{FB_PAGE}/posts"), &[("limit", "1")]).await).await;
    let post = posts["data"][0]["id"].as_str().expect("post id").to_string();
    for removed in ["post_impressions", "post_impressions_unique", "post_engaged_users"] {
        let r = fb_get(
            &c,
            &sb,
            &page,
            &format!("/{post}/insights"),
            &[("metric", removed), ("period", "lifetime")],
        )
        .await;
        assert_eq!(error_code(&json_of(r).await).0, 100, "{removed}");
    }
    // No metric, a bad period, a too-wide range.
    let r = fb_get(&c, &sb, &page, &insights, &[("period", "day")]).await;
    assert_eq!(json_of(r).await["error"]["error_subcode"], 1504028);
    let r = fb_get(
        &c,
        &sb,
        &page,
        &insights,
        &[("metric", "page_media_view"), ("period", "month")],
    )
    .await;
    assert_eq!(r.status(), 400);
    let now = at(NOW);
    let r = fb_get(
        &c,
        &sb,
        &page,
        &insights,
        &[
            ("metric", "page_media_view"),
            ("period", "day"),
            ("since", &unix(now - Duration::days(91))),
            ("until", &unix(now)),
        ],
    )
    .await;
    assert!(error_code(&json_of(r).await).1.contains("90 days"));
    sb.shutdown().await;
}

#[tokio::test]
async fn page_insights_cover_90_days_and_agree_with_posts() {
    let sb = start(63).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;
    let page = fb_page_token(&c, &sb).await;
    let now = at(NOW);
    let insights = format!("/{FB_PAGE}/insights");
    let body = json_of(
        fb_get(
            &c,
            &sb,
            &page,
            &insights,
            &[
                ("metric", "page_media_view,page_total_media_view_unique,page_follows,page_daily_follows_unique,page_daily_unfollows_unique"),
                ("period", "day"),
                ("since", &unix(now - Duration::days(90))),
                ("until", &unix(now)),
            ],
        )
        .await,
    )
    .await;
    let series = |name: &str| -> Vec<(DateTime<Utc>, u64)> {
        body["data"]
            .as_array()
            .expect("data")
            .iter()
            .find(|m| m["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing"))["values"]
            .as_array()
            .expect("values")
            .iter()
            .map(|v| {
                (
                    meta_time(v["end_time"].as_str().expect("end")),
                    v["value"].as_u64().expect("value"),
                )
            })
            .collect()
    };
    let views = series("page_media_view");
    assert!(views.len() >= 90, "{} days", views.len());
    // Buckets are Pacific days: they end at 08:00 UTC in November, 07:00 in summer.
    assert!(views.iter().all(|(end, _)| end.hour() == 7 || end.hour() == 8));
    assert!(views.iter().any(|(end, _)| end.hour() == 8));
    assert!(views.windows(2).all(|w| w[0].0 < w[1].0));
    assert!(views.iter().filter(|(_, v)| *v > 0).count() >= 85);
    let viewers = series("page_total_media_view_unique");
    assert!(views.iter().zip(&viewers).all(|(v, u)| u.1 <= v.1));
    // page_follows grows by follows − unfollows each day.
    let total = series("page_follows");
    let follows = series("page_daily_follows_unique");
    let unfollows = series("page_daily_unfollows_unique");
    for i in 1..total.len() - 1 {
        assert_eq!(total[i].1 - total[i - 1].1, follows[i].1 - unfollows[i].1, "day {i}");
    }
    assert!(total.last().expect("last").1 > total[0].1);
    assert!(body["paging"]["next"].as_str().expect("next").contains("since="));

    // One full day (the bucket ending 2026-11-22T08:00Z) equals the sum of its posts'
    // increments: posts of that day and the 8 before it, read at the bucket's edges.
    let (start, end) = (at("2026-11-21T08:00:00Z"), at("2026-11-22T08:00:00Z"));
    let day_views = views.iter().find(|(e, _)| *e == end).expect("bucket").1;
    let day_viewers = viewers.iter().find(|(e, _)| *e == end).expect("bucket").1;
    let listed = json_of(
        fb_get(
            &c,
            &sb,
            &page,
            &format!("/{FB_PAGE}/posts"),
            &[
                ("fields", "id,created_time"),
                ("limit", "100"),
                ("since", "2026-11-13"),
                ("until", &unix(end)),
            ],
        )
        .await,
    )
    .await;
    let ids: Vec<String> = listed["data"]
        .as_array()
        .expect("posts")
        .iter()
        .map(|p| p["id"].as_str().expect("id").to_string())
        .collect();
    assert!(ids.len() >= 5, "{} posts", ids.len());
    let mut sums = [0i64; 2];
    for (clock, sign) in [(end, 1i64), (start, -1i64)] {
        set_clock(&c, &sb, &clock.to_rfc3339()).await;
        for id in &ids {
            let r = fb_get(
                &c,
                &sb,
                &page,
                &format!("/{id}/insights"),
                &[
                    ("metric", "post_media_view,post_total_media_view_unique"),
                    ("period", "lifetime"),
                ],
            )
            .await;
            if r.status() == 400 {
                continue; // not published yet at the bucket's start
            }
            let v = json_of(r).await;
            sums[0] += sign * v["data"][0]["values"][0]["value"].as_i64().expect("views");
            sums[1] += sign * v["data"][1]["values"][0]["value"].as_i64().expect("viewers");
        }
    }
    assert_eq!(sums[0], day_views as i64);
    assert_eq!((sums[1] as f64 * 0.82).round() as i64, day_viewers as i64);
    sb.shutdown().await;
}

#[tokio::test]
async fn posts_paging_post_insights_and_videos() {
    let sb = start(64).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;
    let page = fb_page_token(&c, &sb).await;
    let mut seen = HashSet::new();
    let mut last: Option<DateTime<Utc>> = None;
    let mut next = Some(url(&sb, &format!("/v25.0/{FB_PAGE}/posts")));
    let mut query = vec![
        ("fields".to_string(), POST_FIELDS.to_string()),
        ("limit".to_string(), "100".to_string()),
        ("since".to_string(), "2026-05-01".to_string()),
        ("access_token".to_string(), page.clone()),
    ];
    let mut pages = 0;
    let mut first_post = Value::Null;
    while let Some(u) = next.take() {
        let body = json_of(c.get(&u).query(&query).send().await.expect("posts")).await;
        query.clear();
        pages += 1;
        for p in body["data"].as_array().expect("data") {
            assert!(seen.insert(p["id"].as_str().expect("id").to_string()), "duplicate {p}");
            let t = meta_time(p["created_time"].as_str().expect("created"));
            assert!(last.is_none_or(|l| t <= l), "newest first");
            assert!(t >= at("2026-05-01T00:00:00Z") && t <= at(NOW));
            last = Some(t);
            assert!(p["reactions"]["summary"]["total_count"].is_u64());
            assert!(p["comments"]["summary"]["total_count"].is_u64());
            assert!(p["permalink_url"]
                .as_str()
                .expect("link")
                .starts_with("https://www.facebook.com/"));
            if first_post.is_null() {
                first_post = p.clone();
            }
        }
        next = body["paging"]["next"].as_str().map(str::to_string);
    }
    assert!(pages >= 2 && seen.len() > 150, "{pages} pages, {} posts", seen.len());

    // Post insights: reactions by type sum to the reactions summary; metrics grow with age.
    let old = json_of(
        fb_get(
            &c,
            &sb,
            &page,
            &format!("/{FB_PAGE}/posts"),
            &[("fields", POST_FIELDS), ("until", "2026-11-01"), ("limit", "1")],
        )
        .await,
    )
    .await;
    let post = &old["data"][0];
    let id = post["id"].as_str().expect("id");
    let metrics = "post_media_view,post_total_media_view_unique,post_reactions_by_type_total,post_clicks";
    let ins = json_of(
        fb_get(
            &c,
            &sb,
            &page,
            &format!("/{id}/insights"),
            &[("metric", metrics), ("period", "lifetime")],
        )
        .await,
    )
    .await;
    let data = ins["data"].as_array().expect("data");
    assert_eq!(data.len(), 4);
    assert_eq!(
        data[2]["id"],
        format!("{id}/insights/post_reactions_by_type_total/lifetime")
    );
    let by_type = data[2]["values"][0]["value"].as_object().expect("by type");
    let sum: u64 = by_type.values().map(|v| v.as_u64().expect("n")).sum();
    assert_eq!(
        sum,
        post["reactions"]["summary"]["total_count"].as_u64().expect("total")
    );
    assert!(by_type["like"].as_u64().expect("like") >= by_type.get("love").and_then(Value::as_u64).unwrap_or(0));
    let views = data[0]["values"][0]["value"].as_u64().expect("views");
    let viewers = data[1]["values"][0]["value"].as_u64().expect("viewers");
    assert!(viewers <= views && views > 0);
    // The newest post right after publication vs a day later.
    let newest = first_post["id"].as_str().expect("id");
    let published = meta_time(first_post["created_time"].as_str().expect("c"));
    let read = |t: DateTime<Utc>| {
        let c = c.clone();
        let sb = &sb;
        let page = page.clone();
        async move {
            set_clock(&c, sb, &t.to_rfc3339()).await;
            let v = json_of(
                fb_get(
                    &c,
                    sb,
                    &page,
                    &format!("/{newest}/insights"),
                    &[("metric", "post_media_view")],
                )
                .await,
            )
            .await;
            v["data"][0]["values"][0]["value"].as_u64().expect("value")
        }
    };
    let early = read(published + Duration::hours(2)).await;
    let later = read(published + Duration::hours(30)).await;
    let much_later = read(published + Duration::days(10)).await;
    assert!(early < later && later <= much_later, "{early} {later} {much_later}");
    set_clock(&c, &sb, NOW).await;

    // Videos and video insights (milliseconds).
    let videos = json_of(
        fb_get(
            &c,
            &sb,
            &page,
            &format!("/{FB_PAGE}/videos"),
            &[
                (
                    "fields",
                    "id,description,created_time,updated_time,length,permalink_url",
                ),
                ("limit", "25"),
            ],
        )
        .await,
    )
    .await;
    let list = videos["data"].as_array().expect("videos");
    assert_eq!(list.len(), 25);
    assert!(videos["paging"]["next"].is_string());
    let v = &list[3];
    let vid = v["id"].as_str().expect("vid");
    let length = v["length"].as_f64().expect("length");
    assert!((15.0..180.0).contains(&length));
    assert!(v["permalink_url"].as_str().expect("p").contains(vid));
    let vi = json_of(
        fb_get(
            &c,
            &sb,
            &page,
            &format!("/{vid}/video_insights"),
            &[
                ("metric", "total_video_views,total_video_views_unique,total_video_avg_time_watched,total_video_view_total_time"),
                ("period", "lifetime"),
            ],
        )
        .await,
    )
    .await;
    let value = |i: usize| vi["data"][i]["values"][0]["value"].as_u64().expect("value");
    let (views, unique, avg, total) = (value(0), value(1), value(2), value(3));
    assert!(views > 0 && unique <= views);
    assert!(avg > 0 && (avg as f64) <= length * 1_000.0);
    assert_eq!(total, avg * views);
    assert_eq!(
        vi["data"][0]["id"],
        format!("{vid}/video_insights/total_video_views/lifetime")
    );
    let r = fb_get(
        &c,
        &sb,
        &page,
        &format!("/{vid}/video_insights"),
        &[("metric", "total_video_impressions")],
    )
    .await;
    assert_eq!(error_code(&json_of(r).await).0, 100);
    // The tracked Page's posts are public; their insights are not.
    let tracked = json_of(fb_get(&c, &sb, &page, &format!("/{FB_TRACKED}/posts"), &[("limit", "2")]).await).await;
    let tid = tracked["data"][0]["id"].as_str().expect("tracked post");
    assert!(tid.starts_with(FB_TRACKED));
    let r = fb_get(
        &c,
        &sb,
        &page,
        &format!("/{tid}/insights"),
        &[("metric", "post_clicks")],
    )
    .await;
    assert_eq!(error_code(&json_of(r).await).0, 10);
    sb.shutdown().await;
}

#[tokio::test]
async fn evening_posts_get_more_reactions() {
    let sb = start(65).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;
    let page = fb_page_token(&c, &sb).await;
    let mut posts = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut q = vec![
            (
                "fields",
                "id,created_time,reactions.summary(total_count).limit(0)".to_string(),
            ),
            ("limit", "100".to_string()),
            ("since", "2026-03-01".to_string()),
        ];
        if let Some(a) = &after {
            q.push(("after", a.clone()));
        }
        let q: Vec<(&str, &str)> = q.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let body = json_of(fb_get(&c, &sb, &page, &format!("/{FB_PAGE}/posts"), &q).await).await;
        for p in body["data"].as_array().expect("data") {
            let t = meta_time(p["created_time"].as_str().expect("t"));
            let n = p["reactions"]["summary"]["total_count"].as_f64().expect("n");
            posts.push((t, n));
        }
        match body["paging"]["next"].as_str() {
            Some(_) => after = body["paging"]["cursors"]["after"].as_str().map(str::to_string),
            None => break,
        }
    }
    assert!(posts.len() > 250);
    let local = |t: &DateTime<Utc>| *t - Duration::hours(3);
    let mean = |f: &dyn Fn(&DateTime<Utc>) -> bool| {
        let v: Vec<f64> = posts.iter().filter(|(t, _)| f(&local(t))).map(|(_, n)| *n).collect();
        (v.iter().sum::<f64>() / v.len().max(1) as f64, v.len())
    };
    let (evening, n_evening) = mean(&|t| (19..21).contains(&t.hour()));
    let (night, n_night) = mean(&|t| (2..6).contains(&t.hour()));
    assert!(n_evening >= 10 && n_night >= 30, "{n_evening} {n_night}");
    assert!(evening > 2.0 * night, "evening {evening:.1} vs night {night:.1}");
    let (tue_thu, _) = mean(&|t| matches!(t.weekday(), chrono::Weekday::Tue | chrono::Weekday::Thu));
    let (sat, _) = mean(&|t| t.weekday() == chrono::Weekday::Sat);
    assert!(tue_thu > sat, "{tue_thu:.1} vs {sat:.1}");
    sb.shutdown().await;
}
