//! The seeded X API: users, timeline pagination, private metrics, the posting-hour effect,
//! auth and rate limits.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use crate::common;

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Duration, Timelike, Utc};
use common::*;
use serde_json::Value;

const NOW: &str = "2026-11-23T12:00:00Z";
const TWEET_QUERY: &str = "tweet.fields=created_at,public_metrics,attachments,conversation_id&expansions=attachments.media_keys&media.fields=type,duration_ms,public_metrics";

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("time").with_timezone(&Utc)
}

/// Walks the whole timeline of `user` since `start`, following `next_token`.
async fn walk(
    c: &reqwest::Client,
    sb: &alcance_sandbox::Sandbox,
    token: &str,
    user: &str,
    start: &str,
    max: u32,
) -> (Vec<Value>, usize) {
    let mut posts = Vec::new();
    let mut pages = 0;
    let mut next: Option<String> = None;
    loop {
        let mut path = format!("/2/users/{user}/tweets?max_results={max}&start_time={start}&{TWEET_QUERY}");
        if let Some(n) = &next {
            path.push_str(&format!("&pagination_token={n}"));
        }
        let r = x_get(c, sb, token, &path).await;
        assert_eq!(r.status(), 200);
        let body = json_of(r).await;
        pages += 1;
        let count = body["meta"]["result_count"].as_u64().expect("result_count") as usize;
        let data = body["data"].as_array().cloned().unwrap_or_default();
        assert_eq!(count, data.len());
        assert!(data.len() <= max as usize);
        if let Some(first) = data.first() {
            assert_eq!(body["meta"]["newest_id"], first["id"]);
            assert_eq!(body["meta"]["oldest_id"], data.last().expect("last")["id"]);
        }
        posts.extend(data);
        match body["meta"]["next_token"].as_str() {
            Some(n) => next = Some(n.to_string()),
            None => break,
        }
        assert!(pages < 500, "pagination does not end");
    }
    (posts, pages)
}

#[tokio::test]
async fn users_me_and_lookups() {
    let sb = start(11).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;
    let token = x_token(&c, &sb).await;
    let me = json_of(
        x_get(
            &c,
            &sb,
            &token,
            "/2/users/me?user.fields=id,name,username,created_at,profile_image_url,verified,public_metrics",
        )
        .await,
    )
    .await;
    assert_eq!(me["data"]["id"], X_OWNED);
    assert_eq!(me["data"]["username"], "alcance_br");
    let followers = me["data"]["public_metrics"]["followers_count"]
        .as_u64()
        .expect("followers");
    assert!((10_000..16_000).contains(&followers), "{followers}");
    assert!(me["data"]["public_metrics"]["tweet_count"].as_u64().expect("tweets") > 1_200);

    // Without user.fields: no public_metrics.
    let bare = json_of(x_get(&c, &sb, &token, "/2/users/me").await).await;
    assert!(bare["data"].get("public_metrics").is_none());

    let by_name = json_of(
        x_get(
            &c,
            &sb,
            &token,
            "/2/users/by/username/ana_influencer?user.fields=public_metrics",
        )
        .await,
    )
    .await;
    assert_eq!(by_name["data"]["id"], X_TRACKED);
    assert!(
        by_name["data"]["public_metrics"]["followers_count"]
            .as_u64()
            .expect("f")
            > 60_000
    );
    let by_id = json_of(
        x_get(
            &c,
            &sb,
            &token,
            &format!("/2/users/{X_TRACKED}?user.fields=public_metrics"),
        )
        .await,
    )
    .await;
    assert_eq!(by_id["data"], by_name["data"]);

    // Unknown user: HTTP 200 with a partial error and no data.
    let r = x_get(&c, &sb, &token, "/2/users/by/username/nobody_here").await;
    assert_eq!(r.status(), 200);
    let missing = json_of(r).await;
    assert!(missing.get("data").is_none());
    assert_eq!(missing["errors"][0]["title"], "Not Found Error");

    // A bad field is a 400 invalid-request problem.
    let r = x_get(&c, &sb, &token, "/2/users/me?user.fields=shoe_size").await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    sb.shutdown().await;
}

#[tokio::test]
async fn pagination_walks_every_post_in_the_window_and_ends() {
    let sb = start(12).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;
    let token = x_token(&c, &sb).await;
    let start = "2026-10-24T12:00:00Z";
    let (small, pages) = walk(&c, &sb, &token, X_OWNED, start, 5).await;
    let (big, _) = walk(&c, &sb, &token, X_OWNED, start, 100).await;
    assert!(pages > 5);
    // 30 days × 1–3 posts.
    assert!((30..=90).contains(&small.len()), "{}", small.len());
    let ids: Vec<&str> = small.iter().map(|p| p["id"].as_str().expect("id")).collect();
    let big_ids: Vec<&str> = big.iter().map(|p| p["id"].as_str().expect("id")).collect();
    assert_eq!(ids, big_ids, "page size must not change the walk");
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len(), "no duplicates");
    let times: Vec<DateTime<Utc>> = small
        .iter()
        .map(|p| t(p["created_at"].as_str().expect("created_at")))
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert!(times.iter().all(|x| *x >= t(start) && *x <= t(NOW)));
    // Every day of the window has posts.
    let days: HashSet<_> = times.iter().map(|x| x.date_naive()).collect();
    assert!(days.len() >= 30);
    sb.shutdown().await;
}

#[tokio::test]
async fn media_expansions_and_private_metrics() {
    let sb = start(13).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;
    let token = x_token(&c, &sb).await;
    let body = json_of(
        x_get(
            &c,
            &sb,
            &token,
            &format!("/2/users/{X_OWNED}/tweets?max_results=100&start_time=2026-09-01T00:00:00Z&{TWEET_QUERY}"),
        )
        .await,
    )
    .await;
    let data = body["data"].as_array().expect("data");
    let keys: HashSet<&str> = data
        .iter()
        .filter_map(|p| p["attachments"]["media_keys"][0].as_str())
        .collect();
    let media = body["includes"]["media"].as_array().expect("media");
    assert_eq!(media.len(), keys.len());
    for m in media {
        assert!(keys.contains(m["media_key"].as_str().expect("key")));
        match m["type"].as_str() {
            Some("video") | Some("animated_gif") => {
                assert!(m["duration_ms"].as_u64().expect("duration") > 0);
                assert!(m["public_metrics"]["view_count"].is_u64());
            }
            Some("photo") => assert!(m.get("public_metrics").is_none()),
            other => panic!("unexpected media type {other:?}"),
        }
    }

    // Owner's recent post: private metrics; 40-day-old post and tracked post: partial errors.
    let recent = data
        .iter()
        .find(|p| t(p["created_at"].as_str().expect("c")) > t(NOW) - Duration::days(5))
        .expect("recent");
    let old = data
        .iter()
        .find(|p| t(p["created_at"].as_str().expect("c")) < t(NOW) - Duration::days(40))
        .expect("old");
    let tracked = json_of(x_get(&c, &sb, &token, &format!("/2/users/{X_TRACKED}/tweets?max_results=5")).await).await;
    let tracked_id = tracked["data"][0]["id"].as_str().expect("tracked id");
    let ids = format!(
        "{},{},{},{}",
        recent["id"].as_str().expect("id"),
        old["id"].as_str().expect("id"),
        tracked_id,
        "1234567890123456789"
    );
    let r = x_get(
        &c,
        &sb,
        &token,
        &format!("/2/tweets?ids={ids}&tweet.fields=non_public_metrics,organic_metrics"),
    )
    .await;
    assert_eq!(r.status(), 200);
    let look = json_of(r).await;
    let items = look["data"].as_array().expect("data");
    assert_eq!(items.len(), 3);
    let np = &items[0]["non_public_metrics"];
    assert!(np["impression_count"].as_u64().expect("impressions") > 0);
    assert!(np["url_link_clicks"].is_u64() && np["user_profile_clicks"].is_u64());
    assert!(items[0]["organic_metrics"]["like_count"].is_u64());
    assert!(items[1].get("non_public_metrics").is_none());
    assert!(items[2].get("organic_metrics").is_none());
    let errors = look["errors"].as_array().expect("errors");
    // 2 refused fields × 2 posts + 1 unknown id.
    assert_eq!(errors.len(), 5);
    assert!(errors
        .iter()
        .any(|e| e["type"].as_str().expect("t").ends_with("/not-authorized-for-field")));
    assert!(errors
        .iter()
        .any(|e| e["value"] == "1234567890123456789" && e["title"] == "Not Found Error"));
    sb.shutdown().await;
}

#[tokio::test]
async fn posting_hour_and_weekday_effects_show_in_engagement() {
    let sb = start(14).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;
    let token = x_token(&c, &sb).await;
    let mut by_hour: BTreeMap<u32, (f64, f64)> = BTreeMap::new(); // local hour → (sum rate, n)
    let mut by_wd: BTreeMap<u32, (f64, f64)> = BTreeMap::new();
    for user in [X_OWNED, X_TRACKED] {
        let (posts, _) = walk(&c, &sb, &token, user, "2026-03-01T00:00:00Z", 100).await;
        for p in posts {
            let created = t(p["created_at"].as_str().expect("c"));
            if created > t(NOW) - Duration::days(4) {
                continue; // not saturated yet
            }
            let m = &p["public_metrics"];
            let imp = m["impression_count"].as_f64().expect("imp");
            let eng: f64 = [
                "like_count",
                "retweet_count",
                "reply_count",
                "quote_count",
                "bookmark_count",
            ]
            .iter()
            .map(|k| m[*k].as_f64().expect("metric"))
            .sum();
            let local = created - Duration::hours(3);
            let e = by_hour.entry(local.hour()).or_default();
            e.0 += eng / imp;
            e.1 += 1.0;
            let w = by_wd
                .entry(chrono::Datelike::weekday(&local).num_days_from_monday())
                .or_default();
            w.0 += eng / imp;
            w.1 += 1.0;
        }
    }
    assert_eq!(by_hour.len(), 24, "posts at every hour");
    let avg = |m: &BTreeMap<u32, (f64, f64)>, keys: &[u32]| {
        let (s, n) = keys.iter().fold((0.0, 0.0), |acc, k| {
            let v = m.get(k).copied().unwrap_or_default();
            (acc.0 + v.0, acc.1 + v.1)
        });
        s / n
    };
    let peak = avg(&by_hour, &[19, 20]);
    let night = avg(&by_hour, &[2, 3, 4, 5]);
    let day = avg(&by_hour, &[9, 10, 14, 15]);
    // Engagement rate scales with √M: √1.8 / √0.5 ≈ 1.9.
    assert!(peak > night * 1.6, "peak {peak} night {night}");
    assert!(peak > day * 1.2, "peak {peak} day {day}");
    let best_hour = by_hour
        .iter()
        .max_by(|a, b| (a.1 .0 / a.1 .1).total_cmp(&(b.1 .0 / b.1 .1)))
        .map(|(h, _)| *h)
        .expect("hours");
    assert!(best_hour == 19 || best_hour == 20, "best hour {best_hour}");
    let tue_thu = avg(&by_wd, &[1, 3]);
    let sat = avg(&by_wd, &[5]);
    assert!(tue_thu > sat * 1.1, "tue/thu {tue_thu} sat {sat}");
    sb.shutdown().await;
}

#[tokio::test]
async fn unknown_and_revoked_tokens_get_401() {
    let sb = start(15).await;
    let c = client();
    let r = x_get(&c, &sb, "not-a-sandbox-token", "/2/users/me").await;
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let body = json_of(r).await;
    assert_eq!(body["title"], "Unauthorized");
    assert_eq!(body["status"], 401);
    let r = c.get(url(&sb, "/2/users/me")).send().await.expect("no auth");
    assert_eq!(r.status(), 401);

    // An Instagram token is foreign to X.
    let ig = ig_token(&c, &sb).await;
    assert_eq!(x_get(&c, &sb, &ig, "/2/users/me").await.status(), 401);

    let token = x_token(&c, &sb).await;
    assert_eq!(x_get(&c, &sb, &token, "/2/users/me").await.status(), 200);
    let r = c
        .post(url(&sb, "/__alcance/revoke"))
        .json(&serde_json::json!({ "token": token }))
        .send()
        .await
        .expect("revoke");
    assert_eq!(json_of(r).await["revoked"], true);
    assert_eq!(x_get(&c, &sb, &token, "/2/users/me").await.status(), 401);
    sb.shutdown().await;
}

#[tokio::test]
async fn rate_limit_headers_count_down_then_429() {
    let sb = start(16).await;
    let c = client();
    let token = x_token(&c, &sb).await;
    let mut reset = None;
    for expected in (0..75).rev() {
        let r = x_get(&c, &sb, &token, "/2/users/me").await;
        assert_eq!(r.status(), 200);
        let h = r.headers();
        assert_eq!(h["x-rate-limit-limit"], "75");
        assert_eq!(
            h["x-rate-limit-remaining"].to_str().expect("remaining"),
            expected.to_string()
        );
        let this_reset: i64 = h["x-rate-limit-reset"].to_str().expect("reset").parse().expect("unix");
        assert!(this_reset > Utc::now().timestamp() + 800 && this_reset <= Utc::now().timestamp() + 901);
        assert!(reset.is_none_or(|r| r == this_reset), "one window");
        reset = Some(this_reset);
    }
    let r = x_get(&c, &sb, &token, "/2/users/me").await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["x-rate-limit-remaining"], "0");
    let body = json_of(r).await;
    assert_eq!(body["title"], "Too Many Requests");
    // Another endpoint has its own window.
    let r = x_get(&c, &sb, &token, &format!("/2/users/{X_OWNED}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-rate-limit-limit"], "300");
    assert_eq!(r.headers()["x-rate-limit-remaining"], "299");
    // The control endpoint resets the windows.
    c.delete(url(&sb, "/__alcance/limits")).send().await.expect("reset");
    assert_eq!(x_get(&c, &sb, &token, "/2/users/me").await.status(), 200);
    sb.shutdown().await;
}

#[tokio::test]
async fn bad_parameters_are_invalid_requests() {
    let sb = start(17).await;
    let c = client();
    let token = x_token(&c, &sb).await;
    for path in [
        format!("/2/users/{X_OWNED}/tweets?max_results=1000"),
        format!("/2/users/{X_OWNED}/tweets?start_time=yesterday"),
        format!("/2/users/{X_OWNED}/tweets?pagination_token=%21%21"),
        format!("/2/users/{X_OWNED}/tweets?tweet.fields=nope"),
        "/2/users/abc".to_string(),
        "/2/tweets".to_string(),
        format!("/2/tweets?ids={}", vec!["1"; 101].join(",")),
    ] {
        let r = x_get(&c, &sb, &token, &path).await;
        assert_eq!(r.status(), 400, "{path}");
        let body = json_of(r).await;
        assert_eq!(body["title"], "Invalid Request", "{path}");
    }
    sb.shutdown().await;
}
