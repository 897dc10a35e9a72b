//! X user lookups: `/2/users/me`, `/2/users/by/username/{username}`, `/2/users/{id}`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::x_support;

use alcance_core::Period;
use alcance_platforms::x::{profile_metrics, PROFILE_FIELDS};
use alcance_platforms::{PlatformClient, PlatformError, Recorder};
use chrono::{TimeZone, Utc};
use serde_json::json;
use x_support::{token, FakeX, Rule, TOKEN};

const USER_FIELDS: &str = "id,name,username,created_at,profile_image_url,verified,public_metrics";

fn user_body(id: &str, username: &str) -> serde_json::Value {
    json!({"data": {
        "id": id,
        "name": "Alcance Demo",
        "username": username,
        "created_at": "2019-03-04T10:11:12.000Z",
        "profile_image_url": "https://pbs.twimg.com/profile_images/1/a_normal.jpg",
        "verified": false,
        "public_metrics": {
            "followers_count": 12873,
            "following_count": 311,
            "tweet_count": 4521,
            "listed_count": 87,
            "like_count": 9020,
            "media_count": 640
        }
    }})
}

#[tokio::test]
async fn me_reads_the_owner_and_every_public_counter() {
    let fake = FakeX::start(vec![Rule::json(
        "/2/users/me",
        200,
        user_body("1500000000000000001", "alcance_demo"),
    )
    .with_query("user.fields", USER_FIELDS)])
    .await;
    let rec = Recorder::new();
    let user = fake.client().me(&token(), &rec).await.expect("me");

    assert_eq!(user.id, "1500000000000000001");
    assert_eq!(user.username, "alcance_demo");
    assert_eq!(user.name.as_deref(), Some("Alcance Demo"));
    assert_eq!(
        user.avatar_url.as_deref(),
        Some("https://pbs.twimg.com/profile_images/1/a_normal.jpg")
    );
    assert_eq!(
        user.created_at,
        Some(Utc.with_ymd_and_hms(2019, 3, 4, 10, 11, 12).unwrap())
    );
    let counters = user.public_metrics.clone().expect("public_metrics");
    assert_eq!(counters.get("followers_count"), Some(&12873.0));
    assert_eq!(counters.get("like_count"), Some(&9020.0));
    assert_eq!(counters.get("media_count"), Some(&640.0));

    let at = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
    let metrics = profile_metrics(&user, at);
    let got: Vec<(&str, Option<f64>)> = metrics.iter().map(|m| (m.metric.as_str(), m.value)).collect();
    assert_eq!(
        got,
        vec![
            ("followers", Some(12873.0)),
            ("following", Some(311.0)),
            ("media_count", Some(4521.0)),
            ("listed", Some(87.0)),
        ]
    );
    assert!(metrics
        .iter()
        .all(|m| m.period == Period::Snapshot && m.period_start == at && m.period_end == at));
    assert_eq!(PROFILE_FIELDS.len(), metrics.len());

    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(rec.len(), 1);
    let archived = rec.take();
    assert_eq!(archived[0].status, 200);
    assert!(
        archived[0].url.ends_with(
            "/2/users/me?user.fields=id%2Cname%2Cusername%2Ccreated_at%2Cprofile_image_url%2Cverified%2Cpublic_metrics"
        ),
        "{}",
        archived[0].url
    );
}

#[tokio::test]
async fn whoami_is_the_profile_of_me() {
    let fake = FakeX::start(vec![Rule::json("/2/users/me", 200, user_body("42", "owner"))]).await;
    let profile = fake.client().whoami(&token(), &Recorder::new()).await.expect("whoami");
    assert_eq!(profile.external_id, "42");
    assert_eq!(profile.username.as_deref(), Some("owner"));
    assert_eq!(profile.display_name.as_deref(), Some("Alcance Demo"));
}

#[tokio::test]
async fn tracked_profiles_by_username_and_by_id() {
    let fake = FakeX::start(vec![
        Rule::json(
            "/2/users/by/username/TwitterDev",
            200,
            user_body("2244994945", "TwitterDev"),
        )
        .with_query("user.fields", USER_FIELDS),
        Rule::json("/2/users/2244994945", 200, user_body("2244994945", "TwitterDev"))
            .with_query("user.fields", USER_FIELDS),
    ])
    .await;
    let client = fake.client();
    let rec = Recorder::new();
    let by_name = client
        .user_by_username(&token(), "@TwitterDev", &rec)
        .await
        .expect("by username");
    let by_id = client.user_by_id(&token(), "2244994945", &rec).await.expect("by id");
    assert_eq!(by_name, by_id);
    assert_eq!(
        by_name.public_metrics.as_ref().and_then(|m| m.get("following_count")),
        Some(&311.0)
    );
    assert_eq!(fake.seen().len(), 2);
}

#[tokio::test]
async fn missing_counters_are_none_and_missing_public_metrics_gives_no_metrics() {
    let fake = FakeX::start(vec![
        Rule::json(
            "/2/users/by/username/partial",
            200,
            json!({"data": {"id": "7", "username": "partial", "public_metrics": {"followers_count": "1200", "tweet_count": 3}}}),
        ),
        Rule::json("/2/users/8", 200, json!({"data": {"id": "8", "username": "bare", "name": "Bare"}})),
    ])
    .await;
    let client = fake.client();
    let at = Utc::now();
    let partial = client
        .user_by_username(&token(), "partial", &Recorder::new())
        .await
        .expect("partial");
    let metrics = profile_metrics(&partial, at);
    let followers = metrics.iter().find(|m| m.metric == "followers").expect("followers");
    assert_eq!(followers.value, Some(1200.0), "numeric strings are read");
    let listed = metrics.iter().find(|m| m.metric == "listed").expect("listed");
    assert_eq!(listed.value, None, "a missing counter is None, never 0");

    let bare = client.user_by_id(&token(), "8", &Recorder::new()).await.expect("bare");
    assert_eq!(bare.public_metrics, None);
    assert!(profile_metrics(&bare, at).is_empty());
}

#[tokio::test]
async fn an_unknown_username_is_not_found() {
    let fake = FakeX::start(vec![Rule::json(
        "/2/users/by/username/nobody_here_42",
        200,
        json!({"errors": [{
            "value": "nobody_here_42",
            "detail": "Could not find user with username: [nobody_here_42].",
            "title": "Not Found Error",
            "resource_type": "user",
            "parameter": "username",
            "resource_id": "nobody_here_42",
            "type": "https://api.twitter.com/2/problems/resource-not-found"
        }]}),
    )])
    .await;
    let err = fake
        .client()
        .user_by_username(&token(), "nobody_here_42", &Recorder::new())
        .await
        .expect_err("unknown user");
    assert!(
        matches!(err, PlatformError::NotFound { ref message } if message.contains("nobody_here_42")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_user_without_id_or_data_is_a_decode_error() {
    let fake = FakeX::start(vec![
        Rule::json("/2/users/me", 200, json!({"data": {"name": "no id", "username": "x"}})),
        Rule::json("/2/users/9", 200, json!({"meta": {}})),
    ])
    .await;
    let client = fake.client();
    let err = client.me(&token(), &Recorder::new()).await.expect_err("no id");
    assert!(
        matches!(err, PlatformError::Decode { ref endpoint, ref message } if endpoint == "/2/users/me" && message.contains("id")),
        "{err:?}"
    );
    let err = client
        .user_by_id(&token(), "9", &Recorder::new())
        .await
        .expect_err("no data");
    assert!(
        matches!(err, PlatformError::Decode { ref endpoint, .. } if endpoint == "/2/users/9"),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_unexpected_call_fails_loudly() {
    let fake = FakeX::start(vec![]).await;
    let err = fake
        .client()
        .user_by_id(&token(), "123", &Recorder::new())
        .await
        .expect_err("catch-all");
    assert!(matches!(err, PlatformError::Api { status: 500, .. }), "{err:?}");
    assert!(err.to_string().contains("unexpected call"), "{err}");
}

#[tokio::test]
async fn handles_are_one_encoded_path_segment_and_empty_ones_make_no_call() {
    let fake = FakeX::start(vec![]).await;
    let client = fake.client();
    let err = client
        .user_by_username(&token(), "../me", &Recorder::new())
        .await
        .expect_err("catch-all");
    assert!(matches!(err, PlatformError::Api { status: 500, .. }), "{err:?}");
    assert_eq!(fake.seen()[0].path, "/2/users/by/username/..%2Fme");

    let err = client
        .user_by_username(&token(), " @ ", &Recorder::new())
        .await
        .expect_err("empty");
    assert!(matches!(err, PlatformError::NotFound { .. }), "{err:?}");
    let err = client
        .timeline(&token(), "", Utc::now(), &Recorder::new())
        .await
        .expect_err("empty id");
    assert!(matches!(err, PlatformError::NotFound { .. }), "{err:?}");
    assert_eq!(fake.seen().len(), 1);
}
