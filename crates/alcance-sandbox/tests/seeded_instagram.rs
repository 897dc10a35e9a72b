//! The seeded Instagram Graph API: profile, media paging, stories, account insights,
//! demographics, media insights and their errors, usage headers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use crate::common;

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use common::*;
use serde_json::Value;

const NOW: &str = "2026-11-23T12:00:00Z";
const MEDIA_FIELDS: &str = "id,caption,media_type,media_product_type,timestamp,permalink,like_count,comments_count";

fn unix(s: &str) -> String {
    DateTime::parse_from_rfc3339(s).expect("time").timestamp().to_string()
}

fn meta_time(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%z")
        .expect("meta time")
        .with_timezone(&Utc)
}

/// A sandbox seeded with `seed`, its clock at [`NOW`], a client and a long-lived
/// Instagram token of the owned account.
async fn logged_in_at_now(seed: u64) -> (alcance_sandbox::Sandbox, reqwest::Client, String) {
    let sb = start(seed).await;
    let c = client();
    set_clock(&c, &sb, NOW).await;
    let token = ig_token(&c, &sb).await;
    (sb, c, token)
}

/// The owned account's `followers_count` at the sandbox's clock.
async fn owned_followers(c: &reqwest::Client, sb: &alcance_sandbox::Sandbox, token: &str) -> u64 {
    let body = ig_json(c, sb, token, &format!("/{IG_OWNED}"), &[("fields", "followers_count")]).await;
    body["followers_count"]
        .as_u64()
        .unwrap_or_else(|| panic!("no followers_count: {body}"))
}

/// The item named `name` of an insights answer's `data`.
fn metric_named<'a>(body: &'a Value, name: &str) -> &'a Value {
    body["data"]
        .as_array()
        .expect("data")
        .iter()
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {body}"))
}

#[tokio::test]
async fn profile_and_usage_headers() {
    let (sb, c, token) = logged_in_at_now(21).await;
    let r = ig_get(
        &c,
        &sb,
        &token,
        &format!("/{IG_OWNED}"),
        &[(
            "fields",
            "id,username,name,profile_picture_url,followers_count,follows_count,media_count",
        )],
    )
    .await;
    assert_eq!(r.status(), 200);
    let app: Value = serde_json::from_str(r.headers()["x-app-usage"].to_str().expect("h")).expect("json");
    assert!(app["call_count"].as_u64().expect("pct") >= 1);
    let buc: Value = serde_json::from_str(r.headers()["x-business-use-case-usage"].to_str().expect("h")).expect("json");
    assert_eq!(buc[IG_OWNED][0]["type"], "instagram");
    let p = json_of(r).await;
    assert_eq!(p["username"], "alcance.br");
    let followers = p["followers_count"].as_u64().expect("followers");
    assert!((10_000..17_000).contains(&followers), "{followers}");
    assert!(p["media_count"].as_u64().expect("media") > 800);

    // /me (Instagram Login) answers user_id; unversioned paths work too.
    let me = json_of(
        c.get(url(&sb, "/me"))
            .query(&[("fields", "user_id,username"), ("access_token", token.as_str())])
            .send()
            .await
            .expect("me"),
    )
    .await;
    assert_eq!(me["user_id"], IG_OWNED);
    assert_eq!(me["username"], "alcance.br");

    let tracked = ig_json(
        &c,
        &sb,
        &token,
        &format!("/{IG_TRACKED}"),
        &[("fields", "followers_count,username")],
    )
    .await;
    assert!(tracked["followers_count"].as_u64().expect("f") > 60_000);

    let bad = ig_get(&c, &sb, &token, &format!("/{IG_OWNED}"), &[("fields", "id,shoe_size")]).await;
    assert_eq!(bad.status(), 400);
    assert_eq!(json_of(bad).await["error"]["code"], 100);

    // Tokens the sandbox did not issue: 401, Graph code 190.
    let r = ig_get(&c, &sb, "EAAB-not-ours", &format!("/{IG_OWNED}"), &[("fields", "id")]).await;
    assert_eq!(r.status(), 401);
    let e = json_of(r).await;
    assert_eq!(e["error"]["code"], 190);
    assert_eq!(e["error"]["type"], "OAuthException");
    let x = x_token(&c, &sb).await;
    assert_eq!(ig_get(&c, &sb, &x, "/me", &[]).await.status(), 401);
    sb.shutdown().await;
}

#[tokio::test]
async fn ninety_days_of_media_and_follower_growth() {
    let (sb, c, token) = logged_in_at_now(22).await;
    let midnight = DateTime::parse_from_rfc3339("2026-11-23T00:00:00Z")
        .expect("t")
        .with_timezone(&Utc);
    let since = midnight - Duration::days(90);
    let mut items: Vec<Value> = Vec::new();
    let mut next = None::<String>;
    let mut pages = 0;
    loop {
        let mut q = vec![("fields", MEDIA_FIELDS.to_string()), ("limit", "50".to_string())];
        if let Some(n) = &next {
            q.push(("after", n.clone()));
        }
        let q: Vec<(&str, &str)> = q.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let body = ig_json(&c, &sb, &token, &format!("/{IG_OWNED}/media"), &q).await;
        pages += 1;
        let data = body["data"].as_array().expect("data").clone();
        assert!(data.len() <= 50);
        let done = data
            .last()
            .is_some_and(|m| meta_time(m["timestamp"].as_str().expect("ts")) < since);
        items.extend(data);
        match body["paging"]["next"].as_str() {
            Some(link) if !done => {
                // The next link is on the sandbox and carries the after cursor.
                assert!(link.starts_with(sb.base_url().as_str().trim_end_matches('/')));
                next = Some(body["paging"]["cursors"]["after"].as_str().expect("after").to_string());
            }
            _ => break,
        }
        assert!(pages < 100);
    }
    let recent: Vec<&Value> = items
        .iter()
        .filter(|m| meta_time(m["timestamp"].as_str().expect("ts")) >= since)
        .collect();
    let days: HashSet<String> = recent
        .iter()
        .map(|m| m["timestamp"].as_str().expect("ts")[..10].to_string())
        .collect();
    assert!(days.len() >= 75, "media on {} of 90 days", days.len());
    let kinds: HashSet<(String, String)> = recent
        .iter()
        .map(|m| {
            (
                m["media_type"].as_str().expect("t").into(),
                m["media_product_type"].as_str().expect("p").into(),
            )
        })
        .collect();
    for k in [("IMAGE", "FEED"), ("CAROUSEL_ALBUM", "FEED"), ("VIDEO", "REELS")] {
        assert!(kinds.contains(&(k.0.to_string(), k.1.to_string())), "{k:?} missing");
    }
    assert!(recent.iter().all(|m| m["media_product_type"] != "STORY"));
    let ts: Vec<DateTime<Utc>> = items
        .iter()
        .map(|m| meta_time(m["timestamp"].as_str().expect("ts")))
        .collect();
    assert!(ts.windows(2).all(|w| w[0] >= w[1]), "newest first");

    // Three 30-day follower_count series: a gain every day.
    let mut total_gain = 0;
    for k in 0..3 {
        let until = since + Duration::days(30 * (k + 1));
        let s = until - Duration::days(30);
        let body = ig_json(
            &c,
            &sb,
            &token,
            &format!("/{IG_OWNED}/insights"),
            &[
                ("metric", "reach,follower_count"),
                ("period", "day"),
                ("since", &s.timestamp().to_string()),
                ("until", &until.timestamp().to_string()),
            ],
        )
        .await;
        assert_eq!(body["data"].as_array().expect("data").len(), 2);
        let values = metric_named(&body, "follower_count")["values"]
            .as_array()
            .expect("values");
        assert_eq!(values.len(), 30);
        for v in values {
            let gain = v["value"].as_u64().expect("gain");
            assert!(gain > 0);
            total_gain += gain;
            assert!(v["end_time"].as_str().expect("end").ends_with("T00:00:00+0000"));
        }
        assert!(metric_named(&body, "reach")["values"]
            .as_array()
            .expect("v")
            .iter()
            .all(|v| v["value"].as_u64().expect("r") > 0));
        assert!(body["paging"]["next"].is_string());
    }
    // Net gain over 90 days matches the profile's follower counts then and now.
    set_clock(&c, &sb, &midnight.to_rfc3339()).await;
    let now_f = owned_followers(&c, &sb, &token).await;
    set_clock(&c, &sb, &since.to_rfc3339()).await;
    let then_f = owned_followers(&c, &sb, &token).await;
    assert_eq!(now_f - then_f, total_gain);
    assert!((now_f as f64) / (then_f as f64) > 1.15, "{then_f} → {now_f}");
    sb.shutdown().await;
}

#[tokio::test]
async fn account_insights_total_values_and_breakdowns() {
    let (sb, c, token) = logged_in_at_now(23).await;
    let day = |s: &str, u: &str| {
        vec![
            ("metric", "views,reach,accounts_engaged,total_interactions,likes,comments,shares,saves,replies,profile_links_taps".to_string()),
            ("period", "day".to_string()),
            ("metric_type", "total_value".to_string()),
            ("since", unix(s)),
            ("until", unix(u)),
        ]
    };
    let get = |q: Vec<(&'static str, String)>| {
        let c = c.clone();
        let token = token.clone();
        let sb = &sb;
        async move {
            let q: Vec<(&str, &str)> = q.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = ig_get(&c, sb, &token, &format!("/{IG_OWNED}/insights"), &q).await;
            assert_eq!(r.status(), 200);
            json_of(r).await
        }
    };
    let value = |body: &Value, name: &str| {
        metric_named(body, name)["total_value"]["value"]
            .as_u64()
            .expect("value")
    };
    let d1 = get(day("2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z")).await;
    let d2 = get(day("2026-11-21T00:00:00Z", "2026-11-22T00:00:00Z")).await;
    let both = get(day("2026-11-20T00:00:00Z", "2026-11-22T00:00:00Z")).await;
    for m in [
        "views",
        "likes",
        "comments",
        "shares",
        "saves",
        "replies",
        "total_interactions",
    ] {
        assert_eq!(value(&d1, m) + value(&d2, m), value(&both, m), "{m} is additive");
    }
    assert!(value(&d1, "reach") > 0 && value(&d1, "reach") < value(&d1, "views"));
    assert_eq!(
        value(&d1, "total_interactions"),
        ["likes", "comments", "shares", "saves", "replies"]
            .iter()
            .map(|m| value(&d1, m))
            .sum::<u64>()
    );
    assert!(value(&d1, "accounts_engaged") <= value(&d1, "total_interactions"));

    // Reach by media_product_type and follow_type sums to the total.
    let bd = get(vec![
        ("metric", "reach".into()),
        ("period", "day".into()),
        ("metric_type", "total_value".into()),
        ("breakdown", "media_product_type,follow_type".into()),
        ("since", unix("2026-11-20T00:00:00Z")),
        ("until", unix("2026-11-21T00:00:00Z")),
    ])
    .await;
    let tv = &bd["data"][0]["total_value"];
    let b = &tv["breakdowns"][0];
    assert_eq!(
        b["dimension_keys"],
        serde_json::json!(["media_product_type", "follow_type"])
    );
    let results = b["results"].as_array().expect("results");
    let sum: u64 = results.iter().map(|r| r["value"].as_u64().expect("v")).sum();
    assert_eq!(sum, tv["value"].as_u64().expect("total"));
    assert_eq!(tv["value"].as_u64(), Some(value(&d1, "reach")));
    for r in results {
        let dv = r["dimension_values"].as_array().expect("dv");
        assert!(["POST", "CAROUSEL_CONTAINER", "REEL", "STORY"].contains(&dv[0].as_str().expect("p")));
        assert!(["FOLLOWER", "NON_FOLLOWER"].contains(&dv[1].as_str().expect("f")));
    }

    // Errors: total-value-only metric as a time series; more than 30 days; removed metric.
    for (q, needle) in [
        (vec![("metric", "views"), ("period", "day")], "metric_type=total_value"),
        (
            vec![
                ("metric", "reach"),
                ("period", "day"),
                ("since", "1700000000"),
                ("until", "1710000000"),
            ],
            "30 days",
        ),
        (
            vec![("metric", "impressions"), ("period", "day")],
            "valid insights metric",
        ),
    ] {
        let r = ig_get(&c, &sb, &token, &format!("/{IG_OWNED}/insights"), &q).await;
        assert_eq!(r.status(), 400);
        let e = json_of(r).await;
        assert_eq!(e["error"]["code"], 100);
        assert!(e["error"]["message"].as_str().expect("m").contains(needle), "{e}");
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn demographics_are_brazilian() {
    let (sb, c, token) = logged_in_at_now(24).await;
    let demo = |metric: &'static str, breakdown: &'static str| {
        let c = c.clone();
        let token = token.clone();
        let sb = &sb;
        async move {
            let r = ig_get(
                &c,
                sb,
                &token,
                &format!("/{IG_OWNED}/insights"),
                &[
                    ("metric", metric),
                    ("period", "lifetime"),
                    ("metric_type", "total_value"),
                    ("timeframe", "this_month"),
                    ("breakdown", breakdown),
                ],
            )
            .await;
            assert_eq!(r.status(), 200);
            let body = json_of(r).await;
            assert_eq!(body["data"][0]["period"], "lifetime");
            body["data"][0]["total_value"]["breakdowns"][0]["results"]
                .as_array()
                .expect("results")
                .clone()
        }
    };
    let country = demo("follower_demographics", "country").await;
    assert_eq!(country[0]["dimension_values"][0], "BR");
    let city = demo("follower_demographics", "city").await;
    let names: Vec<&str> = city
        .iter()
        .map(|r| r["dimension_values"][0].as_str().expect("city"))
        .collect();
    assert_eq!(names[0], "São Paulo, São Paulo");
    assert!(names.contains(&"Rio de Janeiro, Rio de Janeiro") && names.contains(&"Belo Horizonte, Minas Gerais"));
    let age_gender = demo("follower_demographics", "age,gender").await;
    assert!(age_gender
        .iter()
        .any(|r| r["dimension_values"] == serde_json::json!(["25-34", "F"])));
    let followers = owned_followers(&c, &sb, &token).await;
    let sum: u64 = age_gender.iter().map(|r| r["value"].as_u64().expect("v")).sum();
    assert!(
        (sum as f64 - followers as f64).abs() < followers as f64 * 0.1,
        "{sum} vs {followers}"
    );
    let engaged = demo("engaged_audience_demographics", "age").await;
    assert!(!engaged.is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn media_insights_by_product_type_and_their_errors() {
    let (sb, c, token) = logged_in_at_now(25).await;
    let list = ig_json(
        &c,
        &sb,
        &token,
        &format!("/{IG_OWNED}/media"),
        &[("fields", MEDIA_FIELDS), ("limit", "60")],
    )
    .await;
    let media = list["data"].as_array().expect("data").clone();
    let find = |pt: &str, mt: &str| {
        media
            .iter()
            .find(|m| {
                m["media_product_type"] == pt
                    && m["media_type"] == mt
                    && meta_time(m["timestamp"].as_str().expect("ts")) < meta_time("2026-11-20T00:00:00+0000")
            })
            .unwrap_or_else(|| panic!("no {pt}/{mt}"))
            .clone()
    };
    let insights = |id: String, metric: &'static str| {
        let c = c.clone();
        let token = token.clone();
        let sb = &sb;
        async move { ig_get(&c, sb, &token, &format!("/{id}/insights"), &[("metric", metric)]).await }
    };
    let metric = |body: &Value, name: &str| metric_named(body, name)["values"][0]["value"].as_u64().expect("value");

    let image = find("FEED", "IMAGE");
    let r = insights(
        image["id"].as_str().expect("id").into(),
        "views,reach,likes,comments,shares,saved,total_interactions,follows,profile_visits,profile_activity",
    )
    .await;
    assert_eq!(r.status(), 200);
    let feed = json_of(r).await;
    assert_eq!(feed["data"].as_array().expect("d").len(), 10);
    assert!(metric(&feed, "reach") < metric(&feed, "views"));
    assert_eq!(metric(&feed, "likes"), image["like_count"].as_u64().expect("likes"));
    assert_eq!(
        metric(&feed, "comments"),
        image["comments_count"].as_u64().expect("comments")
    );
    assert_eq!(
        metric(&feed, "total_interactions"),
        ["likes", "comments", "shares", "saved"]
            .iter()
            .map(|m| metric(&feed, m))
            .sum::<u64>()
    );

    let reel = find("REELS", "VIDEO");
    let r = insights(
        reel["id"].as_str().expect("id").into(),
        "views,reach,ig_reels_avg_watch_time,ig_reels_video_view_total_time",
    )
    .await;
    assert_eq!(r.status(), 200);
    let rb = json_of(r).await;
    let avg = metric(&rb, "ig_reels_avg_watch_time");
    assert!((3_000..20_000).contains(&avg), "{avg} ms");
    assert_eq!(
        metric(&rb, "ig_reels_video_view_total_time"),
        avg * metric(&rb, "views")
    );

    // One removed metric fails the whole call, exactly like Meta.
    for removed in [
        "impressions",
        "plays",
        "video_views",
        "engagement",
        "clips_replays_count",
        "carousel_album_reach",
        "taps_forward",
        "exits",
    ] {
        let metric_list: &'static str = Box::leak(format!("reach,{removed},likes").into_boxed_str());
        let r = insights(reel["id"].as_str().expect("id").into(), metric_list).await;
        assert_eq!(r.status(), 400, "{removed}");
        let e = json_of(r).await;
        assert_eq!(e["error"]["code"], 100);
        assert_eq!(e["error"]["type"], "OAuthException");
        assert_eq!(
            e["error"]["message"],
            "(#100) The value must be a valid insights metric"
        );
    }
    // A metric of another product type is refused too.
    let r = insights(image["id"].as_str().expect("id").into(), "navigation").await;
    assert_eq!(r.status(), 400);

    // Media posted before the business conversion (2024-01-08).
    set_clock(&c, &sb, "2024-01-20T00:00:00Z").await;
    let old = ig_json(
        &c,
        &sb,
        &token,
        &format!("/{IG_OWNED}/media"),
        &[
            ("fields", "id,timestamp"),
            ("limit", "100"),
            ("until", &unix("2024-01-05T00:00:00Z")),
        ],
    )
    .await;
    let old_id = old["data"][0]["id"].as_str().expect("old media").to_string();
    let e = json_of(insights(old_id, "reach").await).await;
    assert_eq!(e["error"]["error_subcode"], 2108006);
    sb.shutdown().await;
}

#[tokio::test]
async fn stories_live_for_24_hours_and_need_an_hour_of_viewers() {
    let (sb, c, token) = logged_in_at_now(26).await;
    // Find a day with stories by scanning the clock back.
    let mut found = None;
    for back in 0..20 {
        let now = DateTime::parse_from_rfc3339(NOW).expect("now").with_timezone(&Utc) - Duration::days(back);
        set_clock(&c, &sb, &now.to_rfc3339()).await;
        let s = ig_json(
            &c,
            &sb,
            &token,
            &format!("/{IG_OWNED}/stories"),
            &[("fields", "id,media_type,media_product_type,timestamp,permalink,caption")],
        )
        .await;
        if let Some(first) = s["data"].as_array().and_then(|d| d.first()).cloned() {
            for st in s["data"].as_array().expect("d") {
                assert_eq!(st["media_product_type"], "STORY");
                let ts = meta_time(st["timestamp"].as_str().expect("ts"));
                assert!(ts <= now && ts > now - Duration::hours(24));
            }
            found = Some(first);
            break;
        }
    }
    let story = found.expect("some day with stories");
    let published = meta_time(story["timestamp"].as_str().expect("ts"));
    let id = story["id"].as_str().expect("id").to_string();
    // 30 minutes old: not enough viewers.
    set_clock(&c, &sb, &(published + Duration::minutes(30)).to_rfc3339()).await;
    let r = ig_get(
        &c,
        &sb,
        &token,
        &format!("/{id}/insights"),
        &[("metric", "views,reach")],
    )
    .await;
    assert_eq!(r.status(), 400);
    let e = json_of(r).await;
    assert_eq!(e["error"]["code"], 10);
    assert!(e["error"]["message"]
        .as_str()
        .expect("m")
        .contains("Not enough viewers"));
    // 5 hours old: metrics, with navigation broken down.
    set_clock(&c, &sb, &(published + Duration::hours(5)).to_rfc3339()).await;
    let ok = ig_json(
        &c,
        &sb,
        &token,
        &format!("/{id}/insights"),
        &[(
            "metric",
            "views,reach,replies,shares,total_interactions,follows,profile_visits,navigation",
        )],
    )
    .await;
    assert_eq!(ok["data"].as_array().expect("d").len(), 8);
    let nav = ig_json(
        &c,
        &sb,
        &token,
        &format!("/{id}/insights"),
        &[("metric", "navigation"), ("breakdown", "story_navigation_action_type")],
    )
    .await;
    let tv = &nav["data"][0]["total_value"];
    let parts: u64 = tv["breakdowns"][0]["results"]
        .as_array()
        .expect("r")
        .iter()
        .map(|r| r["value"].as_u64().expect("v"))
        .sum();
    assert_eq!(parts, tv["value"].as_u64().expect("v"));
    // 25 hours later it is gone from /stories.
    set_clock(&c, &sb, &(published + Duration::hours(25)).to_rfc3339()).await;
    let later = ig_json(&c, &sb, &token, &format!("/{IG_OWNED}/stories"), &[("fields", "id")]).await;
    assert!(later["data"]
        .as_array()
        .expect("d")
        .iter()
        .all(|s| s["id"] != id.as_str()));
    sb.shutdown().await;
}
