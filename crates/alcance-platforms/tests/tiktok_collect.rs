//! `PlatformClient::collect` for TikTok: Display only, Display + Business, and the
//! account checks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::tiktok_support;

use alcance_core::{AccountRef, Period, Platform};
use alcance_platforms::tiktok::{BusinessTokens, TikTokClient};
use alcance_platforms::{CollectCtx, CollectWindow, Http, PlatformClient, PlatformError, Recorder};
use chrono::{DateTime, TimeZone, Utc};
use secrecy::SecretString;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use tiktok_support::{biz_error, biz_ok, biz_token, display_error, ok, token, FakeTikTok, Rule};

const USER: &str = "/v2/user/info/";
const LIST: &str = "/v2/video/list/";
const BIZ_GET: &str = "/open_api/v1.3/business/get/";
const BIZ_VIDEOS: &str = "/open_api/v1.3/business/video/list/";
const OPEN_ID: &str = "tt_alcance_br";

fn at(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).single().expect("valid time")
}

fn user() -> Value {
    ok(
        json!({"user": {"open_id": OPEN_ID, "username": "alcance.br", "display_name": "Alcance Brasil",
                       "follower_count": 15230, "following_count": 87, "likes_count": 402311, "video_count": 143}}),
    )
}

fn videos() -> Value {
    ok(json!({"videos": [
        {"id": "7301", "create_time": at(20, 18).timestamp(), "share_url": "https://www.tiktok.com/@alcance.br/video/7301",
         "video_description": "novo", "view_count": 5000, "like_count": 500, "comment_count": 7, "share_count": 3},
        {"id": "7300", "create_time": at(19, 9).timestamp(), "view_count": 1200, "like_count": 90, "comment_count": 2, "share_count": 1}
    ], "cursor": at(19, 9).timestamp_millis(), "has_more": false}))
}

fn ctx(owned: bool, external_id: &str) -> CollectCtx {
    CollectCtx {
        account: AccountRef {
            platform: Platform::Tiktok,
            external_id: external_id.into(),
            username: Some("alcance.br".into()),
            owned,
        },
        token: token(),
        window: CollectWindow {
            since: at(14, 0),
            until: at(21, 6),
        },
        recorder: Recorder::new(),
    }
}

fn business_rules() -> Vec<Rule> {
    vec![
        Rule::get(
            BIZ_GET,
            biz_ok(json!({"username": "alcance.br", "followers_count": 15230,
                "audience_countries": [{"country": "BR", "percentage": 0.5}],
                "metrics": [{"date": "2026-11-20", "followers_count": 15230, "profile_views": 352, "video_views": 25011,
                             "likes": 2101, "comments": 120, "shares": 61,
                             "audience_activity": [{"hour": "20", "count": 5100}]}]})),
        )
        .with_query("start_date", "2026-11-14")
        .with_query("end_date", "2026-11-21"),
        Rule::get(
            BIZ_VIDEOS,
            biz_ok(json!({"videos": [
                {"item_id": "7301", "create_time": at(20, 18).timestamp(), "video_views": 5100, "likes": 510,
                 "comments": 7, "shares": 3, "reach": 4100, "full_video_watched_rate": 0.31,
                 "total_time_watched": 40000, "average_time_watched": 7.8}
            ], "cursor": 1, "has_more": false})),
        ),
    ]
}

fn client_with_business(fake: &FakeTikTok) -> TikTokClient {
    let mut tokens: HashMap<String, SecretString> = HashMap::new();
    tokens.insert(OPEN_ID.into(), biz_token());
    let tokens: Arc<dyn BusinessTokens> = Arc::new(tokens);
    TikTokClient::new(Http::new().expect("http"), fake.endpoints()).with_business(fake.business(), tokens)
}

fn post_value(batch: &alcance_core::CollectionBatch, post: &str, key: &str) -> Option<f64> {
    let found: Vec<_> = batch
        .post_metrics
        .iter()
        .filter(|m| m.post_external_id == post && m.metric == key)
        .collect();
    assert!(found.len() <= 1, "{key} of {post} emitted {} times", found.len());
    found.first().and_then(|m| m.value)
}

#[tokio::test]
async fn collect_reads_profile_and_videos() {
    let fake = FakeTikTok::start(vec![Rule::get(USER, user()), Rule::post(LIST, videos())]).await;
    let c = ctx(true, OPEN_ID);
    let batch = fake.client().collect(&c).await.expect("collect");
    assert_eq!(batch.profile.as_ref().map(|p| p.external_id.as_str()), Some(OPEN_ID));
    let snapshot = |k: &str| {
        batch
            .account_metrics
            .iter()
            .find(|m| m.metric == k && m.period == Period::Snapshot)
            .and_then(|m| m.value)
    };
    assert_eq!(snapshot("followers"), Some(15230.0));
    assert_eq!(snapshot("total_likes_received"), Some(402311.0));
    assert_eq!(batch.posts.len(), 2);
    assert_eq!(post_value(&batch, "7301", "video_views"), Some(5000.0));
    assert_eq!(post_value(&batch, "7300", "likes"), Some(90.0));
    assert!(batch.warnings.is_empty(), "{:?}", batch.warnings);
    assert_eq!(c.recorder.len(), 2, "two exchanges archived");
    assert!(fake.seen_on(BIZ_GET).is_empty(), "no Business client, no Business call");
}

#[tokio::test]
async fn collect_with_business_adds_daily_values_audience_and_video_insights() {
    let mut rules = vec![Rule::get(USER, user()), Rule::post(LIST, videos())];
    rules.extend(business_rules());
    let fake = FakeTikTok::start(rules).await;
    let batch = client_with_business(&fake)
        .collect(&ctx(true, OPEN_ID))
        .await
        .expect("collect");

    let day = |k: &str| {
        batch
            .account_metrics
            .iter()
            .find(|m| m.metric == k && m.period == Period::Day)
            .and_then(|m| m.value)
    };
    assert_eq!(day("profile_views"), Some(352.0));
    assert_eq!(day("video_views"), Some(25011.0));
    assert_eq!(day("followers"), Some(15230.0));
    assert!(batch
        .audience
        .iter()
        .any(|a| a.dimension == "country" && a.key == "BR" && a.value == 7615.0));
    assert!(batch
        .audience
        .iter()
        .any(|a| a.dimension == "active_hour" && a.key == "20" && a.value == 5100.0));
    assert_eq!(
        post_value(&batch, "7301", "video_views"),
        Some(5100.0),
        "Business value wins"
    );
    assert_eq!(post_value(&batch, "7301", "reach"), Some(4100.0));
    assert_eq!(post_value(&batch, "7301", "full_watch_rate"), Some(0.31));
    assert_eq!(post_value(&batch, "7301", "watch_time_seconds"), Some(40000.0));
    assert_eq!(post_value(&batch, "7300", "video_views"), Some(1200.0), "Display only");
    assert_eq!(batch.posts.len(), 2);
    assert!(batch.warnings.is_empty(), "{:?}", batch.warnings);
    let get = &fake.seen_on(BIZ_GET)[0];
    assert_eq!(get.param("business_id"), Some(OPEN_ID));
}

#[tokio::test]
async fn a_failing_business_token_is_a_data_gap_not_a_failure() {
    let fake = FakeTikTok::start(vec![
        Rule::get(USER, user()),
        Rule::post(LIST, videos()),
        Rule::get(
            BIZ_GET,
            biz_error(40105, "Access token is incorrect or has been revoked."),
        ),
    ])
    .await;
    let batch = client_with_business(&fake)
        .collect(&ctx(true, OPEN_ID))
        .await
        .expect("collect");
    assert_eq!(batch.posts.len(), 2);
    assert!(batch.warnings.is_empty(), "{:?}", batch.warnings);
    assert_eq!(batch.gaps.len(), 1, "{:?}", batch.gaps);
    assert_eq!(batch.gaps[0].code, "unauthorized");
    assert_eq!(batch.gaps[0].object_id, OPEN_ID);
    assert!(batch.gaps[0].detail.contains("reconnect TikTok Business"));
    assert!(
        fake.seen_on(BIZ_VIDEOS).is_empty(),
        "no more Business calls after a bad token"
    );
}

#[tokio::test]
async fn a_rate_limited_business_call_stops_the_account_instead_of_passing_as_complete() {
    // TikTok's API for Business says "rate limited" with HTTP 200 and code 40100: the
    // account must end as stopped (an error-level `rate_limited` warning, which the
    // collector turns into a partial, deferred collection), not as a complete collection
    // without its Business days.
    let fake = FakeTikTok::start(vec![
        Rule::get(USER, user()),
        Rule::post(LIST, videos()),
        Rule::get(BIZ_GET, biz_error(40100, "Too many requests.")),
    ])
    .await;
    let batch = client_with_business(&fake)
        .collect(&ctx(true, OPEN_ID))
        .await
        .expect("collect");
    assert_eq!(batch.posts.len(), 2, "the Display part is kept");
    let stop = batch
        .warnings
        .iter()
        .find(|w| w.code == "rate_limited")
        .unwrap_or_else(|| panic!("a rate_limited warning: {:?}", batch.warnings));
    assert_eq!(stop.level, alcance_core::EventLevel::Error, "{stop:?}");
    assert!(
        fake.seen_on(BIZ_VIDEOS).is_empty(),
        "no more Business calls after a rate limit"
    );
}

#[tokio::test]
async fn a_tracked_account_is_refused_without_a_call() {
    let fake = FakeTikTok::start(vec![Rule::get(USER, user())]).await;
    let e = fake
        .client()
        .collect(&ctx(false, "someone_else"))
        .await
        .expect_err("tracked");
    assert!(matches!(e, PlatformError::Forbidden { .. }), "{e:?}");
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn a_token_of_another_account_is_refused() {
    let fake = FakeTikTok::start(vec![Rule::get(USER, user()), Rule::post(LIST, videos())]).await;
    let e = fake
        .client()
        .collect(&ctx(true, "tt_other"))
        .await
        .expect_err("mismatch");
    assert!(
        matches!(&e, PlatformError::Forbidden { message } if message.contains(OPEN_ID)),
        "{e:?}"
    );
    assert!(fake.seen_on(LIST).is_empty());
}

#[tokio::test]
async fn a_revoked_token_fails_the_collection() {
    let fake = FakeTikTok::start(vec![
        Rule::get(USER, display_error("access_token_invalid", "revoked")).status(401)
    ])
    .await;
    let e = fake.client().collect(&ctx(true, OPEN_ID)).await.expect_err("revoked");
    assert!(e.needs_reauth(), "{e:?}");

    let fake = FakeTikTok::start(vec![
        Rule::get(USER, user()),
        Rule::post(LIST, display_error("access_token_invalid", "revoked")).status(401),
    ])
    .await;
    // The profile arrived before the video list's 401: it is kept, and the batch says the
    // token was refused (issue 15: what was fetched is not thrown away).
    let batch = fake
        .client()
        .collect(&ctx(true, OPEN_ID))
        .await
        .expect("the profile is kept");
    assert!(batch.profile.is_some() && !batch.account_metrics.is_empty());
    assert!(batch.posts.is_empty());
    let stopped = batch.stopped.expect("revoked on videos");
    assert!(stopped.needs_reauth && stopped.code == "unauthorized", "{stopped:?}");
}

#[tokio::test]
async fn a_video_list_outage_keeps_the_profile() {
    let fake = FakeTikTok::start(vec![
        Rule::get(USER, user()),
        Rule::post(LIST, display_error("internal_error", "oops")).status(500),
    ])
    .await;
    let batch = fake.client().collect(&ctx(true, OPEN_ID)).await.expect("collect");
    assert!(batch.profile.is_some());
    assert!(batch.posts.is_empty());
    assert_eq!(batch.warnings.len(), 1);
    assert_eq!(batch.warnings[0].code, "http_500");
}
