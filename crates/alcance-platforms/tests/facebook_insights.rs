//! Page node counts and page insights: metric groups, end_time as the end of the bucket,
//! removed metrics dropped and remembered, a page without ANALYZE, 90-day chunks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::meta_fake;

use alcance_core::{AccountMetric, Period};
use alcance_platforms::facebook::{FacebookClient, MetricMemory, PAGE_METRIC_GROUPS};
use alcance_platforms::{CollectWindow, Http, PlatformError, Recorder};
use chrono::{DateTime, Duration, TimeZone, Utc};
use meta_fake::{graph_error, invalid_metric, token, FakeGraph, Reply, Req, TOKEN};
use serde_json::{json, Value};

const PAGE: &str = "104000000000001";

fn client(fake: &FakeGraph) -> FacebookClient {
    FacebookClient::new(Http::new().expect("http"), fake.endpoints())
}

fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

/// A day series entry with values ending on the given Pacific midnights.
fn series(name: &str, points: &[(&str, Value)]) -> Value {
    json!({
        "name": name,
        "period": "day",
        "values": points.iter().map(|(end, v)| json!({"value": v, "end_time": end})).collect::<Vec<_>>(),
        "title": name,
        "description": "",
        "id": format!("{PAGE}/insights/{name}/day")
    })
}

fn find<'a>(ms: &'a [AccountMetric], key: &str, start: DateTime<Utc>) -> Option<&'a AccountMetric> {
    ms.iter().find(|m| m.metric == key && m.period_start == start)
}

#[tokio::test]
async fn the_page_node_gives_profile_and_snapshots() {
    let fake = FakeGraph::start(|r: &Req| {
        (r.path == format!("/{PAGE}")).then(|| {
            assert_eq!(
                r.q("fields"),
                Some("id,name,username,link,fan_count,followers_count,talking_about_count,picture")
            );
            Reply::json(json!({
                "id": PAGE, "name": "Alcance Brasil", "username": "alcancebr",
                "link": "https://www.facebook.com/alcancebr", "fan_count": 48210, "followers_count": 51377,
                "talking_about_count": 912,
                "picture": {"data": {"height": 50, "is_silhouette": false, "url": "https://scontent.example/p.jpg", "width": 50}}
            }))
        })
    })
    .await;
    let at = utc(2026, 11, 21, 9);
    let (p, ms) = client(&fake)
        .page_at(&token(), PAGE, at, &Recorder::new())
        .await
        .expect("page");
    assert_eq!(p.external_id, PAGE);
    assert_eq!(p.username.as_deref(), Some("alcancebr"));
    assert_eq!(p.display_name.as_deref(), Some("Alcance Brasil"));
    assert_eq!(p.avatar_url.as_deref(), Some("https://scontent.example/p.jpg"));
    let get = |k: &str| ms.iter().find(|m| m.metric == k).expect(k);
    assert_eq!(get("followers").value, Some(51377.0));
    assert_eq!(get("page_likes").value, Some(48210.0));
    assert_eq!(get("talking_about").value, Some(912.0));
    assert!(ms
        .iter()
        .all(|m| m.period == Period::Snapshot && m.period_start == at && m.period_end == at));
    assert_eq!(ms.len(), 3);
}

#[tokio::test]
async fn page_insights_land_per_day_with_end_time_as_the_bucket_end() {
    let fake = FakeGraph::start(|r: &Req| {
        if r.path != format!("/{PAGE}/insights") {
            return None;
        }
        assert_eq!(r.q("period"), Some("day"));
        let data: Vec<Value> = r
            .metrics()
            .iter()
            .map(|m| match m.as_str() {
                "page_media_view" => series(
                    m,
                    &[
                        ("2026-11-19T08:00:00+0000", json!(1200)),
                        ("2026-11-20T08:00:00+0000", json!(1350)),
                    ],
                ),
                "page_total_media_view_unique" => series(m, &[("2026-11-20T08:00:00+0000", json!(800))]),
                "page_post_engagements" => series(m, &[("2026-11-20T08:00:00+0000", json!(95))]),
                "page_views_total" => series(m, &[("2026-11-20T08:00:00+0000", json!(40))]),
                "page_daily_follows_unique" => series(m, &[("2026-11-20T08:00:00+0000", json!(12))]),
                "page_daily_unfollows_unique" => series(m, &[("2026-11-20T08:00:00+0000", json!(3))]),
                "page_follows" => series(m, &[("2026-11-20T08:00:00+0000", json!(51377))]),
                other => panic!("unexpected metric {other}"),
            })
            .collect();
        Some(Reply::json(
            json!({"data": data, "paging": {"previous": "p", "next": "n"}}),
        ))
    })
    .await;
    let window = CollectWindow {
        since: utc(2026, 11, 18, 0),
        until: utc(2026, 11, 21, 0),
    };
    let r = client(&fake)
        .page_insights(&token(), PAGE, window, &Recorder::new())
        .await
        .expect("insights");
    let reqs = fake.requests_to(&format!("/{PAGE}/insights"));
    let groups: Vec<String> = reqs
        .iter()
        .map(|r| r.q("metric").unwrap_or_default().to_string())
        .collect();
    let expected: Vec<String> = PAGE_METRIC_GROUPS.iter().map(|g| g.join(",")).collect();
    assert_eq!(groups, expected, "one request per group, in order");
    for q in &reqs {
        assert_eq!(q.q("since"), Some(window.since.timestamp().to_string().as_str()));
        assert_eq!(q.q("until"), Some(window.until.timestamp().to_string().as_str()));
    }
    let day19 = utc(2026, 11, 19, 8);
    let day18 = utc(2026, 11, 18, 8);
    let views = find(&r.account_metrics, "views", day19).expect("views");
    assert_eq!(views.value, Some(1350.0));
    assert_eq!(views.period, Period::Day);
    assert_eq!(views.period_end, utc(2026, 11, 20, 8), "end_time closes the bucket");
    assert_eq!(
        find(&r.account_metrics, "views", day18).and_then(|m| m.value),
        Some(1200.0)
    );
    let v = |k: &str| find(&r.account_metrics, k, day19).and_then(|m| m.value);
    assert_eq!(v("reach"), Some(800.0));
    assert_eq!(v("total_interactions"), Some(95.0));
    assert_eq!(v("profile_views"), Some(40.0));
    assert_eq!(v("followers_gained"), Some(12.0));
    assert_eq!(v("followers_lost"), Some(3.0));
    assert_eq!(v("followers"), Some(51377.0));
    assert_eq!(r.account_metrics.len(), 8);
    assert!(r.gaps.is_empty(), "{:?}", r.gaps);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert!(!r.halted);
}

#[tokio::test]
async fn a_removed_metric_is_dropped_recorded_and_remembered_while_the_rest_land() {
    let fake = FakeGraph::start(|r: &Req| {
        if r.path != format!("/{PAGE}/insights") {
            return None;
        }
        if r.has_metric("page_total_media_view_unique") {
            return Some(invalid_metric());
        }
        let data: Vec<Value> = r
            .metrics()
            .iter()
            .map(|m| series(m, &[("2026-11-20T08:00:00+0000", json!(7))]))
            .collect();
        Some(Reply::json(json!({ "data": data })))
    })
    .await;
    let c = client(&fake);
    let window = CollectWindow {
        since: utc(2026, 11, 19, 0),
        until: utc(2026, 11, 21, 0),
    };
    let mut memory = MetricMemory::new();
    let r = c
        .page_insights_with(&token(), PAGE, window, &mut memory, &Recorder::new())
        .await
        .expect("insights");
    let keys: Vec<&str> = r.account_metrics.iter().map(|m| m.metric.as_str()).collect();
    assert_eq!(
        keys,
        [
            "views",
            "total_interactions",
            "profile_views",
            "followers_gained",
            "followers_lost",
            "followers"
        ]
    );
    assert!(r.account_metrics.iter().all(|m| m.value == Some(7.0)));
    assert_eq!(r.gaps.len(), 1);
    assert_eq!(r.gaps[0].what, "page_total_media_view_unique");
    assert_eq!(r.gaps[0].code, "metric_removed");
    assert_eq!(r.gaps[0].object_id, PAGE);
    assert!(r.gaps[0].detail.contains("valid insights metric"));
    assert!(memory.is_removed("page", "page_total_media_view_unique"));
    let first_round = fake.requests_to(&format!("/{PAGE}/insights")).len();
    assert_eq!(first_round, 4 + 2, "the failing group is retried metric by metric");

    // Next collection with the same memory: the removed metric is not asked again.
    let r = c
        .page_insights_with(&token(), PAGE, window, &mut memory, &Recorder::new())
        .await
        .expect("insights");
    assert!(r.gaps.is_empty(), "recorded once per memory");
    let later = &fake.requests_to(&format!("/{PAGE}/insights"))[first_round..];
    assert_eq!(later.len(), 4);
    assert!(later.iter().all(|q| !q.has_metric("page_total_media_view_unique")));
    assert_eq!(later[0].q("metric"), Some("page_media_view"));
}

#[tokio::test]
async fn a_page_without_analyze_is_one_permission_gap() {
    let fake = FakeGraph::start(|r: &Req| {
        (r.path == format!("/{PAGE}/insights")).then(|| {
            graph_error(
                403,
                200,
                None,
                "(#200) The user does not have sufficient administrative permission for this action on this page",
            )
        })
    })
    .await;
    let window = CollectWindow {
        since: utc(2026, 5, 1, 0),
        until: utc(2026, 11, 21, 0),
    };
    let r = client(&fake)
        .page_insights(&token(), PAGE, window, &Recorder::new())
        .await
        .expect("a refusal is not an error");
    assert!(r.account_metrics.is_empty());
    assert_eq!(r.gaps.len(), 1);
    assert_eq!(r.gaps[0].code, "permission");
    assert_eq!(r.gaps[0].what, "page_insights");
    assert_eq!(fake.requests().len(), 1, "no further insights calls after the refusal");
}

#[tokio::test]
async fn long_windows_are_cut_into_90_day_chunks_and_a_rate_limit_halts() {
    let buc = format!(
        r#"{{"{PAGE}":[{{"type":"pages","call_count":100,"total_cputime":40,"total_time":35,"estimated_time_to_regain_access":7}}]}}"#
    );
    let fake = FakeGraph::start(move |r: &Req| {
        if r.path != format!("/{PAGE}/insights") {
            return None;
        }
        if r.q("metric") == Some("page_daily_follows_unique,page_daily_unfollows_unique") {
            return Some(
                graph_error(
                    400,
                    80001,
                    None,
                    "(#80001) There have been too many calls to this Page account",
                )
                .header("x-business-use-case-usage", &buc),
            );
        }
        Some(Reply::json(json!({"data": []})))
    })
    .await;
    let until = utc(2026, 11, 21, 0);
    let window = CollectWindow {
        since: until - Duration::days(200),
        until,
    };
    let r = client(&fake)
        .page_insights(&token(), PAGE, window, &Recorder::new())
        .await
        .expect("rate limit is absorbed");
    assert!(r.halted);
    assert_eq!(r.warnings.len(), 1);
    assert_eq!(r.warnings[0].code, "rate_limited");
    assert!(!r.warnings[0].message.contains(TOKEN));
    let reqs = fake.requests_to(&format!("/{PAGE}/insights"));
    assert_eq!(reqs.len(), 3, "stops at the throttled group");
    assert_eq!(reqs[0].q("until"), Some(until.timestamp().to_string().as_str()));
    assert_eq!(
        reqs[0].q("since"),
        Some((until - Duration::days(90)).timestamp().to_string().as_str()),
        "at most 90 days per request, most recent first"
    );
}

/// Whether an error is the expected one.
type Check = fn(&PlatformError) -> bool;

#[tokio::test]
async fn graph_errors_of_the_page_node_map_to_what_the_caller_acts_on() {
    let cases: Vec<(Reply, Check)> = vec![
        (
            graph_error(401, 190, Some(460), "Error validating access token: password changed"),
            |e| matches!(e, PlatformError::Unauthorized { .. }),
        ),
        (
            graph_error(400, 4, None, "(#4) Application request limit reached").header(
                "x-business-use-case-usage",
                r#"{"104000000000001":[{"type":"pages","call_count":100,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":3}]}"#,
            ),
            |e| matches!(e, PlatformError::RateLimited { retry_after: Some(d), .. } if d.as_secs() == 180),
        ),
        (graph_error(400, 17, None, "(#17) User request limit reached"), |e| {
            matches!(e, PlatformError::RateLimited { .. })
        }),
        (graph_error(400, 32, None, "(#32) Page request limit reached"), |e| {
            matches!(e, PlatformError::RateLimited { .. })
        }),
        (graph_error(400, 613, None, "(#613) Calls to this api have exceeded the rate limit."), |e| {
            matches!(e, PlatformError::RateLimited { .. })
        }),
        (
            Reply::raw(502, "text/html; charset=utf-8", "<!DOCTYPE html><html><body>Bad Gateway</body></html>"),
            |e| matches!(e, PlatformError::Decode { .. }),
        ),
        (
            Reply::raw(200, "application/json", r#"{"id":"104000000000001","name":"Alcance Br"#),
            |e| matches!(e, PlatformError::Decode { .. }),
        ),
        (Reply::raw(200, "text/html", "<html>login</html>"), |e| {
            matches!(e, PlatformError::Decode { .. })
        }),
        (Reply::json(json!({"name": "no id"})), |e| {
            matches!(e, PlatformError::Decode { .. })
        }),
    ];
    for (i, (reply, ok)) in cases.into_iter().enumerate() {
        let fake = FakeGraph::start(move |r: &Req| (r.path == format!("/{PAGE}")).then(|| reply.clone())).await;
        let e = client(&fake)
            .page(&token(), PAGE, &Recorder::new())
            .await
            .expect_err("error");
        assert!(ok(&e), "case {i}: {e:?}");
        assert!(!e.to_string().contains(TOKEN), "case {i}: token leaked");
    }
}
