//! Meta rate-limit headers, cursor paging guard and timestamps.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::meta_fake;

use alcance_platforms::meta::{
    self, parse_app_usage, parse_business_use_case_usage, usage_from_headers, Cursors, MetaUsage, PageGuard, PageStep,
    PageStop, Paging,
};
use alcance_platforms::{Http, Recorder};
use meta_fake::{token, FakeGraph, Reply};
use serde_json::json;
use std::time::Duration;

#[test]
fn app_usage_is_read_as_percentages() {
    let u = parse_app_usage(r#"{"call_count":1,"total_cputime":0,"total_time":3}"#).expect("usage");
    assert_eq!(u.call_count, 1.0);
    assert_eq!(u.total_cputime, 0.0);
    assert_eq!(u.total_time, 3.0);
    assert_eq!(u.estimated_time_to_regain_access, None);
    assert_eq!(u.peak_percent(), 3.0);
    assert_eq!(u.retry_after(), None);
    assert!(parse_app_usage("not json").is_none());
    assert!(parse_app_usage("[1,2]").is_none());
    // Missing fields count as 0 %, numeric strings are accepted.
    let u = parse_app_usage(r#"{"call_count":"95"}"#).expect("usage");
    assert_eq!(u.call_count, 95.0);
    assert_eq!(u.total_time, 0.0);
}

#[test]
fn business_use_case_usage_lists_every_object_and_type() {
    let h = r#"{"17841400455970028":[{"type":"instagram","call_count":12,"total_cputime":72,"total_time":10,"estimated_time_to_regain_access":20}],
               "1234":[{"type":"pages","call_count":5,"total_cputime":1,"total_time":2,"estimated_time_to_regain_access":0},
                       {"type":"whatsapp_business_management","call_count":7,"total_cputime":3,"total_time":4}]}"#;
    let entries = parse_business_use_case_usage(h);
    assert_eq!(entries.len(), 3);
    let ig = entries.iter().find(|e| e.use_case == "instagram").expect("ig");
    assert_eq!(ig.object_id, "17841400455970028");
    assert_eq!(
        ig.usage,
        MetaUsage {
            call_count: 12.0,
            total_cputime: 72.0,
            total_time: 10.0,
            estimated_time_to_regain_access: Some(20),
        }
    );
    assert_eq!(ig.usage.retry_after(), Some(Duration::from_secs(1200)));
    assert_eq!(ig.usage.peak_percent(), 72.0);
    let pages = entries.iter().find(|e| e.use_case == "pages").expect("pages");
    assert_eq!(pages.usage.retry_after(), None, "0 minutes is no wait");
    assert!(parse_business_use_case_usage("garbage").is_empty());
    assert!(parse_business_use_case_usage(r#"{"1":"x"}"#).is_empty());
}

#[tokio::test]
async fn usage_is_read_from_a_real_answer_as_the_worst_of_both_headers() {
    let fake = FakeGraph::start(|r| {
        (r.path == "/me").then(|| {
            Reply::json(json!({"id": "1"}))
                .header("x-app-usage", r#"{"call_count":40,"total_cputime":5,"total_time":9}"#)
                .header(
                    "x-business-use-case-usage",
                    r#"{"9":[{"type":"instagram","call_count":10,"total_cputime":88,"total_time":3,"estimated_time_to_regain_access":7}]}"#,
                )
        })
    })
    .await;
    let http = Http::new().expect("http");
    let answer = meta::get(
        &http,
        &fake.endpoints().graph_instagram,
        "/me",
        &[],
        &token(),
        &Recorder::new(),
    )
    .await
    .expect("answer");
    let u = usage_from_headers(&answer.headers).expect("usage");
    assert_eq!(u.call_count, 40.0);
    assert_eq!(u.total_cputime, 88.0);
    assert_eq!(u.total_time, 9.0);
    assert_eq!(u.estimated_time_to_regain_access, Some(7));
    assert_eq!(usage_from_headers(&Default::default()), None);
}

fn paging(after: Option<&str>, next: bool) -> Paging {
    Paging {
        cursors: Some(Cursors {
            before: Some("b".into()),
            after: after.map(str::to_string),
        }),
        next: next.then(|| "https://graph.facebook.com/v25.0/1/media?after=x".to_string()),
        previous: None,
    }
}

#[test]
fn paging_follows_after_only_while_next_exists() {
    assert_eq!(paging(Some("c1"), true).next_after(), Some("c1"));
    assert_eq!(paging(Some("c1"), false).next_after(), None);
    assert_eq!(paging(None, true).next_after(), None);
    let p: Paging = serde_json::from_value(json!({"cursors": {"before": "a", "after": "z"}, "next": "u"})).expect("p");
    assert_eq!(p.next_after(), Some("z"));
    let odd: Paging = serde_json::from_value(json!({"cursors": 5, "next": 7})).expect("lenient");
    assert_eq!(odd.next_after(), None);
}

#[test]
fn the_guard_stops_on_repeats_and_caps() {
    let mut g = PageGuard::new(3);
    assert_eq!(
        g.advance(["1", "2"], Some(&paging(Some("c1"), true))),
        PageStep::Next("c1".into())
    );
    assert!(g.seen("2"));
    // Same ids again: a replaying server.
    assert_eq!(
        g.advance(["1", "2"], Some(&paging(Some("c2"), true))),
        PageStep::Stopped(PageStop::NoNewIds)
    );

    let mut g = PageGuard::new(10);
    assert_eq!(
        g.advance(["1"], Some(&paging(Some("c1"), true))),
        PageStep::Next("c1".into())
    );
    assert_eq!(
        g.advance(["2"], Some(&paging(Some("c1"), true))),
        PageStep::Stopped(PageStop::RepeatedCursor)
    );
    assert_eq!(PageStop::RepeatedCursor.code(), "paging_loop");

    let mut g = PageGuard::new(2);
    assert_eq!(
        g.advance(["1"], Some(&paging(Some("c1"), true))),
        PageStep::Next("c1".into())
    );
    assert_eq!(
        g.advance(["2"], Some(&paging(Some("c2"), true))),
        PageStep::Stopped(PageStop::Capped)
    );
    assert_eq!(PageStop::Capped.code(), "paging_cap");
    assert_eq!(g.pages(), 2);

    let mut g = PageGuard::new(5);
    assert_eq!(g.advance(["1"], Some(&paging(Some("c1"), false))), PageStep::End);
    let mut g = PageGuard::new(5);
    assert_eq!(g.advance(std::iter::empty(), None), PageStep::End);
}

#[test]
fn meta_timestamps_are_utc() {
    let t = meta::parse_time("2026-11-20T19:03:11+0000").expect("meta time");
    assert_eq!(t.to_rfc3339(), "2026-11-20T19:03:11+00:00");
    let t = meta::parse_time("2019-12-20T08:00:00-0300").expect("offset");
    assert_eq!(t.to_rfc3339(), "2019-12-20T11:00:00+00:00");
    assert!(meta::parse_time("20/11/2026").is_none());
    assert_eq!(meta::number(&json!("12")), Some(12.0));
    assert_eq!(meta::number(&json!(null)), None);
    assert_eq!(meta::number(&json!({"a": 1})), None);
}
