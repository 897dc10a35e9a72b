//! The owner's non-public post metrics: `/2/tweets?ids=…&tweet.fields=non_public_metrics,organic_metrics`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::x_support;

use alcance_platforms::{PlatformError, Recorder};
use serde_json::json;
use x_support::{token, FakeX, Rule};

const PATH: &str = "/2/tweets";

#[tokio::test]
async fn metrics_and_partial_errors_become_values_and_gaps() {
    let body = json!({
        "data": [
            {"id": "101", "text": "mine", "edit_history_tweet_ids": ["101"],
             "non_public_metrics": {"impression_count": 5120, "url_link_clicks": 33, "user_profile_clicks": 12},
             "organic_metrics": {"impression_count": 5120, "like_count": 40, "reply_count": 3, "retweet_count": 5, "url_link_clicks": 33, "user_profile_clicks": 12}},
            {"id": "102", "text": "mine too",
             "non_public_metrics": {"impression_count": 80}}
        ],
        "errors": [
            {"value": "103", "detail": "Sorry, you are not authorized to access 'non_public_metrics' on the Tweet with ids: [103].",
             "title": "Field Authorization Error", "resource_type": "tweet", "field": "non_public_metrics",
             "parameter": "non_public_metrics", "resource_id": "103", "section": "data",
             "type": "https://api.twitter.com/2/problems/not-authorized-for-field"},
            {"value": "104", "detail": "Could not find tweet with ids: [104].", "title": "Not Found Error",
             "resource_type": "tweet", "parameter": "ids", "resource_id": "104",
             "type": "https://api.x.com/2/problems/resource-not-found"}
        ]
    });
    let fake = FakeX::start(vec![
        Rule::json(PATH, 200, body).with_query("tweet.fields", "non_public_metrics,organic_metrics")
    ])
    .await;
    let ids: Vec<String> = ["101", "102", "103", "104"].iter().map(|s| s.to_string()).collect();
    let (metrics, gaps) = fake
        .client()
        .private_metrics(&token(), &ids, &Recorder::new())
        .await
        .expect("partial errors never fail the call");

    let got: Vec<(&str, &str, Option<f64>)> = metrics
        .iter()
        .map(|m| (m.post_external_id.as_str(), m.metric.as_str(), m.value))
        .collect();
    assert_eq!(
        got,
        vec![
            ("101", "impressions", Some(5120.0)),
            ("101", "link_clicks", Some(33.0)),
            ("101", "profile_views", Some(12.0)),
            ("102", "impressions", Some(80.0)),
            ("102", "link_clicks", None),
            ("102", "profile_views", None),
        ]
    );
    assert_eq!(gaps.len(), 2);
    assert_eq!(gaps[0].object_id, "103");
    assert_eq!(gaps[0].code, "not_authorized_for_field");
    assert_eq!(gaps[0].what, "non_public_metrics");
    assert!(gaps[0].detail.contains("not authorized"), "{}", gaps[0].detail);
    assert_eq!(gaps[1].object_id, "104");
    assert_eq!(gaps[1].code, "not_found");

    let seen = fake.seen_on(PATH);
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].param("ids"), Some("101,102,103,104"));
}

#[tokio::test]
async fn ids_go_in_batches_of_one_hundred() {
    let ids: Vec<String> = (0..150).map(|i| format!("{}", 5000 + i)).collect();
    let first: String = ids[..100].join(",");
    let second: String = ids[100..].join(",");
    let fake = FakeX::start(vec![
        Rule::json(
            PATH,
            200,
            json!({"data": [{"id": "5000", "non_public_metrics": {"impression_count": 1}}]}),
        )
        .with_query("ids", &first),
        Rule::json(
            PATH,
            200,
            json!({"data": [{"id": "5100", "non_public_metrics": {"impression_count": 2}}]}),
        )
        .with_query("ids", &second),
    ])
    .await;
    let mut with_dupes = ids.clone();
    with_dupes.push("5000".into());
    let (metrics, gaps) = fake
        .client()
        .private_metrics(&token(), &with_dupes, &Recorder::new())
        .await
        .expect("two batches");
    assert!(gaps.is_empty());
    let impressions: Vec<(&str, Option<f64>)> = metrics
        .iter()
        .filter(|m| m.metric == "impressions")
        .map(|m| (m.post_external_id.as_str(), m.value))
        .collect();
    assert_eq!(impressions, vec![("5000", Some(1.0)), ("5100", Some(2.0))]);
    assert_eq!(fake.seen_on(PATH).len(), 2);
}

#[tokio::test]
async fn no_ids_no_call() {
    let fake = FakeX::start(vec![]).await;
    let (metrics, gaps) = fake
        .client()
        .private_metrics(&token(), &[], &Recorder::new())
        .await
        .expect("nothing to do");
    assert!(metrics.is_empty() && gaps.is_empty());
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn only_errors_is_fine_and_a_failed_batch_is_an_error() {
    let fake = FakeX::start(vec![
        Rule::json(PATH, 200, json!({"errors": [{"value": "1", "resource_id": "1", "title": "Not Found Error",
            "detail": "Could not find tweet with ids: [1].", "type": "https://api.twitter.com/2/problems/resource-not-found"}]}))
        .with_query("ids", "1"),
        Rule::json(PATH, 401, json!({"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}))
            .with_query("ids", "2"),
    ])
    .await;
    let client = fake.client();
    let (metrics, gaps) = client
        .private_metrics(&token(), &["1".to_string()], &Recorder::new())
        .await
        .expect("errors only");
    assert!(metrics.is_empty());
    assert_eq!(gaps.len(), 1);
    assert_eq!(gaps[0].code, "not_found");
    let err = client
        .private_metrics(&token(), &["2".to_string()], &Recorder::new())
        .await
        .expect_err("401");
    assert!(err.needs_reauth(), "{err:?}");
    assert!(matches!(err, PlatformError::Unauthorized { .. }));
}
