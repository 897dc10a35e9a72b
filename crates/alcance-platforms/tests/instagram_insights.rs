//! Account insights (time series, per-day totals, reach breakdowns) and demographics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::meta_fake;

use alcance_core::{AccountMetric, Period};
use alcance_platforms::{CollectWindow, PlatformError, Recorder};
use chrono::{DateTime, TimeZone, Utc};
use meta_fake::{graph_error, invalid_metric, token, FakeGraph, Reply, Req};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

const IG: &str = "17841400000000001";
const PATH: &str = "/17841400000000001/insights";

fn utc(y: i32, mo: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, 0, 0).unwrap()
}

fn window() -> CollectWindow {
    CollectWindow {
        since: utc(2026, 11, 18, 6),
        until: utc(2026, 11, 20, 10),
    }
}

fn day_of(r: &Req) -> i64 {
    r.q("since").and_then(|s| s.parse().ok()).unwrap_or(0)
}

fn series_answer() -> Value {
    json!({"data": [
        {"name": "reach", "period": "day", "title": "Reach", "description": "", "id": "x/insights/reach/day",
         "values": [{"value": 812, "end_time": "2026-11-19T08:00:00+0000"}, {"value": 934, "end_time": "2026-11-20T08:00:00+0000"}]},
        {"name": "follower_count", "period": "day", "title": "Follower count", "description": "", "id": "x/insights/follower_count/day",
         "values": [{"value": 14, "end_time": "2026-11-19T08:00:00+0000"}, {"value": null, "end_time": "2026-11-20T08:00:00+0000"}]}
    ], "paging": {"previous": "https://graph.facebook.com/v25.0/x/insights?since=1", "next": "https://graph.facebook.com/v25.0/x/insights?since=2"}})
}

fn totals_answer(since: i64) -> Value {
    // The 19th has bigger numbers than the 18th so each day's values are told apart.
    let k = if since == utc(2026, 11, 19, 0).timestamp() {
        2.0
    } else {
        1.0
    };
    let tv = |name: &str, v: f64| json!({"name": name, "period": "day", "total_value": {"value": v}, "title": name, "id": "x"});
    json!({"data": [
        tv("views", 1000.0 * k), tv("reach", 400.0 * k), tv("accounts_engaged", 50.0 * k),
        tv("total_interactions", 70.0 * k), tv("likes", 40.0 * k), tv("comments", 9.0 * k), tv("shares", 3.0 * k),
        tv("replies", 2.0 * k), tv("profile_links_taps", 6.0 * k),
        {"name": "saves", "period": "day", "values": [], "title": "saves", "id": "x"}
    ]})
}

fn breakdown_answer() -> Value {
    json!({"data": [{"name": "reach", "period": "day", "title": "Accounts reached", "id": "x",
    "total_value": {"value": 400, "breakdowns": [{"dimension_keys": ["media_product_type", "follow_type"], "results": [
        {"dimension_values": ["REEL", "FOLLOWER"], "value": 120},
        {"dimension_values": ["REEL", "NON_FOLLOWER"], "value": 210},
        {"dimension_values": ["STORY", "FOLLOWER"], "value": 70},
        {"dimension_values": ["POST", "UNKNOWN"], "value": null}
    ]}]}}]})
}

fn insights(r: &Req) -> Option<Reply> {
    if r.path != PATH || r.q("period") != Some("day") {
        return None;
    }
    match (r.q("metric_type"), r.q("breakdown")) {
        (None, None) if r.q("metric") == Some("reach,follower_count") => Some(Reply::json(series_answer())),
        (Some("total_value"), None) => {
            // Like Meta, answer only the metrics asked for.
            let mut body = totals_answer(day_of(r));
            if let Some(data) = body["data"].as_array_mut() {
                data.retain(|e| e["name"].as_str().is_some_and(|n| r.has_metric(n)));
            }
            Some(Reply::json(body))
        }
        (Some("total_value"), Some("media_product_type,follow_type")) if r.q("metric") == Some("reach") => {
            Some(Reply::json(breakdown_answer()))
        }
        _ => None,
    }
}

fn find<'a>(ms: &'a [AccountMetric], key: &str, start: DateTime<Utc>) -> &'a AccountMetric {
    ms.iter()
        .find(|m| m.metric == key && m.period_start == start)
        .unwrap_or_else(|| panic!("{key} at {start} in {ms:#?}"))
}

#[tokio::test]
async fn account_insights_map_series_totals_and_breakdowns() {
    let fake = FakeGraph::start(insights).await;
    let r = fake
        .client()
        .account_insights(&token(), IG, window(), &Recorder::new())
        .await
        .expect("insights");
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert!(r.gaps.is_empty(), "{:?}", r.gaps);
    assert!(!r.halted);
    let ms = &r.account_metrics;

    // Time series: end_time is the end of the bucket.
    let gained = find(ms, "followers_gained", utc(2026, 11, 18, 8));
    assert_eq!(gained.period, Period::Day);
    assert_eq!(gained.period_end, utc(2026, 11, 19, 8));
    assert_eq!(gained.value, Some(14.0));
    assert_eq!(
        find(ms, "followers_gained", utc(2026, 11, 19, 8)).value,
        None,
        "null is no data"
    );
    assert_eq!(find(ms, "reach", utc(2026, 11, 18, 8)).value, Some(812.0));
    assert_eq!(find(ms, "reach", utc(2026, 11, 19, 8)).value, Some(934.0));

    // Per-day totals over [00:00, 24:00) UTC.
    let views19 = find(ms, "views", utc(2026, 11, 19, 0));
    assert_eq!(
        (views19.period, views19.period_end, views19.value),
        (Period::Day, utc(2026, 11, 20, 0), Some(2000.0))
    );
    assert_eq!(find(ms, "views", utc(2026, 11, 18, 0)).value, Some(1000.0));
    assert_eq!(find(ms, "reach", utc(2026, 11, 19, 0)).value, Some(800.0));
    assert_eq!(find(ms, "accounts_engaged", utc(2026, 11, 19, 0)).value, Some(100.0));
    assert_eq!(find(ms, "total_interactions", utc(2026, 11, 18, 0)).value, Some(70.0));
    assert_eq!(find(ms, "likes", utc(2026, 11, 18, 0)).value, Some(40.0));
    assert_eq!(find(ms, "comments", utc(2026, 11, 18, 0)).value, Some(9.0));
    assert_eq!(find(ms, "shares", utc(2026, 11, 18, 0)).value, Some(3.0));
    assert_eq!(find(ms, "replies", utc(2026, 11, 19, 0)).value, Some(4.0));
    assert_eq!(find(ms, "link_clicks", utc(2026, 11, 19, 0)).value, Some(12.0));
    assert_eq!(
        find(ms, "saves", utc(2026, 11, 19, 0)).value,
        None,
        "values [] is None, never 0"
    );
    // 4 series points + 2 days × 10 totals.
    assert_eq!(ms.len(), 24, "{ms:#?}");

    // Breakdowns: one slice per result with a value, per day.
    assert_eq!(r.audience.len(), 6, "{:#?}", r.audience);
    let s = r
        .audience
        .iter()
        .find(|a| a.key == "REEL,NON_FOLLOWER" && a.timeframe == "day:2026-11-19")
        .expect("slice");
    assert_eq!(s.audience, "reach");
    assert_eq!(s.dimension, "media_product_type,follow_type");
    assert_eq!(s.value, 210.0);

    // Requests: 1 series chunk + 2 days × (totals + breakdown), with the exact parameters.
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 5);
    let series = &reqs[0];
    assert_eq!(series.q("since"), Some(window().since.timestamp().to_string().as_str()));
    assert_eq!(series.q("until"), Some(window().until.timestamp().to_string().as_str()));
    let totals: Vec<&Req> = reqs
        .iter()
        .filter(|r| r.q("metric_type").is_some() && r.q("breakdown").is_none())
        .collect();
    assert_eq!(
        totals[0].q("metric"),
        Some("views,reach,accounts_engaged,total_interactions,likes,comments,shares,saves,replies,profile_links_taps")
    );
    assert_eq!(
        day_of(totals[0]),
        utc(2026, 11, 19, 0).timestamp(),
        "most recent day first"
    );
    assert_eq!(
        totals[0].q("until"),
        Some(utc(2026, 11, 20, 0).timestamp().to_string().as_str())
    );
    assert_eq!(day_of(totals[1]), utc(2026, 11, 18, 0).timestamp());
}

#[tokio::test]
async fn a_removed_account_metric_is_dropped_once_and_not_requested_again() {
    let fake = FakeGraph::start(|r| {
        if r.path == PATH
            && r.q("metric_type") == Some("total_value")
            && r.q("breakdown").is_none()
            && r.has_metric("replies")
        {
            return Some(invalid_metric());
        }
        insights(r)
    })
    .await;
    let r = fake
        .client()
        .account_insights(&token(), IG, window(), &Recorder::new())
        .await
        .expect("insights");
    let removed: Vec<_> = r.gaps.iter().filter(|g| g.code == "metric_removed").collect();
    assert_eq!(removed.len(), 1, "{:?}", r.gaps);
    assert_eq!(removed[0].what, "replies");
    assert_eq!(removed[0].object_id, IG);
    assert!(removed[0].detail.contains("valid insights metric"));
    assert!(r.account_metrics.iter().all(|m| m.metric != "replies"));
    // The others still landed for both days.
    assert_eq!(
        find(&r.account_metrics, "views", utc(2026, 11, 19, 0)).value,
        Some(2000.0)
    );
    assert_eq!(
        find(&r.account_metrics, "views", utc(2026, 11, 18, 0)).value,
        Some(1000.0)
    );
    // Day 1: the list (fails) + 10 one by one; day 2: one call without `replies`.
    let totals: Vec<Req> = fake
        .requests()
        .into_iter()
        .filter(|r| r.q("metric_type").is_some() && r.q("breakdown").is_none())
        .collect();
    assert_eq!(totals.len(), 12);
    assert_eq!(
        totals[11].q("metric"),
        Some("views,reach,accounts_engaged,total_interactions,likes,comments,shares,saves,profile_links_taps")
    );
}

#[tokio::test]
async fn a_long_window_is_chunked_and_totals_cover_the_last_30_days() {
    let fake = FakeGraph::start(|r| (r.path == PATH).then(|| Reply::json(json!({"data": []})))).await;
    let w = CollectWindow {
        since: utc(2026, 8, 1, 0),
        until: utc(2026, 11, 1, 0),
    };
    let r = fake
        .client()
        .account_insights(&token(), IG, w, &Recorder::new())
        .await
        .expect("insights");
    let reqs = fake.requests();
    let series: Vec<&Req> = reqs.iter().filter(|r| r.q("metric_type").is_none()).collect();
    assert_eq!(series.len(), 4);
    for s in &series {
        let since: i64 = s.q("since").and_then(|v| v.parse().ok()).expect("since");
        let until: i64 = s.q("until").and_then(|v| v.parse().ok()).expect("until");
        assert!(until - since <= 30 * 86_400 && until > since);
    }
    let totals = reqs
        .iter()
        .filter(|r| r.q("metric_type").is_some() && r.q("breakdown").is_none())
        .count();
    let breakdowns = reqs.iter().filter(|r| r.q("breakdown").is_some()).count();
    assert_eq!((totals, breakdowns), (30, 30));
    // Empty data: every requested total is None, never 0; no slices.
    assert_eq!(r.account_metrics.len(), 300);
    assert!(r.account_metrics.iter().all(|m| m.value.is_none()));
    assert_eq!(
        r.account_metrics.iter().map(|m| m.period_start).min(),
        Some(utc(2026, 10, 2, 0))
    );
    assert!(r.audience.is_empty());
}

#[tokio::test]
async fn permission_errors_become_gaps_and_skip_their_step() {
    let fake = FakeGraph::start(|r| {
        if r.path == PATH && r.q("metric_type") == Some("total_value") && r.q("breakdown").is_none() {
            return Some(graph_error(
                403,
                10,
                None,
                "(#10) Application does not have permission for this action",
            ));
        }
        insights(r)
    })
    .await;
    let r = fake
        .client()
        .account_insights(&token(), IG, window(), &Recorder::new())
        .await
        .expect("insights");
    assert_eq!(r.gaps.len(), 1, "{:?}", r.gaps);
    assert_eq!(r.gaps[0].code, "permission");
    assert_eq!(r.gaps[0].what, "account_insights:total_value");
    // Series and breakdowns still landed; the totals step stopped after the first refusal.
    assert_eq!(r.account_metrics.len(), 4);
    assert_eq!(r.audience.len(), 6);
    let totals = fake
        .requests()
        .iter()
        .filter(|r| r.q("metric_type").is_some() && r.q("breakdown").is_none())
        .count();
    assert_eq!(totals, 1);
}

#[tokio::test]
async fn a_rate_limit_halts_and_unauthorized_is_an_error() {
    let fake = FakeGraph::start(|r| {
        (r.path == PATH).then(|| {
            graph_error(400, 80002, None, "(#80002) There have been too many calls to this Instagram account")
                .header(
                    "x-business-use-case-usage",
                    r#"{"17841400000000001":[{"type":"instagram","call_count":100,"total_cputime":5,"total_time":5,"estimated_time_to_regain_access":15}]}"#,
                )
        })
    })
    .await;
    let r = fake
        .client()
        .account_insights(&token(), IG, window(), &Recorder::new())
        .await
        .expect("partial");
    assert!(r.halted);
    assert_eq!(r.warnings.len(), 1);
    assert_eq!(r.warnings[0].code, "rate_limited");
    assert_eq!(fake.requests().len(), 1, "no call after a rate limit");

    let fake =
        FakeGraph::start(|r| (r.path == PATH).then(|| graph_error(401, 190, None, "Invalid OAuth access token"))).await;
    let e = fake
        .client()
        .account_insights(&token(), IG, window(), &Recorder::new())
        .await
        .expect_err("190");
    assert!(matches!(e, PlatformError::Unauthorized { .. }));
}

#[tokio::test]
async fn server_errors_and_malformed_answers_are_warnings() {
    let fake = FakeGraph::start(|r| {
        if r.q("breakdown").is_some() {
            return Some(Reply::raw(200, "application/json", r#"{"data":[{"name":"reach","#));
        }
        insights(r).filter(|_| r.q("metric_type").is_none())
    })
    .await;
    let r = fake
        .client()
        .account_insights(&token(), IG, window(), &Recorder::new())
        .await
        .expect("partial");
    assert_eq!(r.account_metrics.len(), 4, "the series landed");
    let codes: Vec<&str> = r.warnings.iter().map(|w| w.code.as_str()).collect();
    assert_eq!(codes, vec!["http_500", "decode", "http_500", "decode"]);
    assert!(!r.halted);
}

#[tokio::test]
async fn demographics_become_audience_slices() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let fake = FakeGraph::start(move |r| {
        if r.path != PATH || r.q("period") != Some("lifetime") || r.q("timeframe") != Some("this_month") {
            return None;
        }
        if let Ok(mut l) = log.lock() {
            l.push(format!(
                "{}|{}",
                r.q("metric").unwrap_or_default(),
                r.q("breakdown").unwrap_or_default()
            ));
        }
        let metric = r.q("metric").unwrap_or_default().to_string();
        let results = match r.q("breakdown") {
            Some("age,gender") => json!([
                {"dimension_values": ["18-24", "F"], "value": 10},
                {"dimension_values": ["25-34", "M"], "value": 19}
            ]),
            Some("country") => {
                json!([{"dimension_values": ["BR"], "value": 640}, {"dimension_values": ["PT"], "value": 55}])
            }
            Some("city") if metric == "engaged_audience_demographics" => {
                return Some(graph_error(
                    400,
                    100,
                    None,
                    "(#100) Not enough users to show demographics",
                ));
            }
            Some("city") => json!([{"dimension_values": ["São Paulo, São Paulo (state)"], "value": 210}]),
            _ => return None,
        };
        let keys: Vec<&str> = r.q("breakdown").unwrap_or_default().split(',').collect();
        Some(Reply::json(json!({"data": [{
            "name": metric, "period": "lifetime", "title": "Demographics", "description": "", "id": "x",
            "total_value": {"breakdowns": [{"dimension_keys": keys, "results": results}]}
        }]})))
    })
    .await;
    let r = fake
        .client()
        .demographics(&token(), IG, &Recorder::new())
        .await
        .expect("demographics");
    assert_eq!(
        seen.lock().map(|s| s.clone()).unwrap_or_default(),
        vec![
            "follower_demographics|age,gender",
            "follower_demographics|country",
            "follower_demographics|city",
            "engaged_audience_demographics|age,gender",
            "engaged_audience_demographics|country",
            "engaged_audience_demographics|city",
        ]
    );
    let slice = |aud: &str, dim: &str, key: &str| {
        r.audience
            .iter()
            .find(|a| a.audience == aud && a.dimension == dim && a.key == key)
            .map(|a| (a.value, a.timeframe.clone()))
    };
    assert_eq!(
        slice("followers", "age,gender", "18-24,F"),
        Some((10.0, "this_month".to_string()))
    );
    assert_eq!(
        slice("followers", "age,gender", "25-34,M"),
        Some((19.0, "this_month".to_string()))
    );
    assert_eq!(slice("followers", "country", "BR").map(|s| s.0), Some(640.0));
    assert_eq!(
        slice("followers", "city", "São Paulo, São Paulo (state)").map(|s| s.0),
        Some(210.0)
    );
    assert_eq!(slice("engaged_audience", "country", "PT").map(|s| s.0), Some(55.0));
    assert_eq!(slice("engaged_audience", "city", "São Paulo, São Paulo (state)"), None);
    assert_eq!(r.audience.len(), 9);
    assert_eq!(r.warnings.len(), 1);
    assert_eq!(r.warnings[0].code, "http_400");
}

#[tokio::test]
async fn legacy_object_values_become_slices() {
    let fake = FakeGraph::start(|r| {
        (r.path == PATH).then(|| {
            Reply::json(json!({"data": [{
                "name": "audience_gender_age", "period": "lifetime", "id": "x",
                "values": [{"value": {"F.18-24": 12, "M.25-34": 30, "U.45-54": "4"}, "end_time": "2023-01-01T08:00:00+0000"}]
            }]}))
        })
    })
    .await;
    let r = fake
        .client()
        .demographics(&token(), IG, &Recorder::new())
        .await
        .expect("demographics");
    let mut keys: Vec<(String, String, f64)> = r
        .audience
        .iter()
        .map(|a| (a.dimension.clone(), a.key.clone(), a.value))
        .collect();
    keys.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        keys,
        vec![
            ("gender,age".to_string(), "F,18-24".to_string(), 12.0),
            ("gender,age".to_string(), "M,25-34".to_string(), 30.0),
            ("gender,age".to_string(), "U,45-54".to_string(), 4.0),
        ]
    );
    assert!(r.audience.iter().all(|a| a.audience == "followers"));
}
