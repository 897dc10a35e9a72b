//! TikTok API for Business: `business/get/` (daily metrics, audience), `business/video/list/`
//! (reach, watch time, full-watch rate), `code != 0` mapping, and the Business token
//! requests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::tiktok_support;

use alcance_core::{AccountMetric, Period, PostMetric};
use alcance_platforms::tiktok::{BUSINESS_ACCOUNT_FIELDS, BUSINESS_VIDEO_FIELDS};
use alcance_platforms::{PlatformError, Recorder};
use axum::http::Method;
use chrono::{NaiveDate, TimeZone, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use std::time::Duration;
use tiktok_support::{biz_error, biz_ok, biz_token, FakeTikTok, Rule, BIZ_TOKEN};

const GET: &str = "/open_api/v1.3/business/get/";
const VIDEOS: &str = "/open_api/v1.3/business/video/list/";
const BID: &str = "tt_alcance_br";

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).expect("valid date")
}

fn account_body() -> Value {
    biz_ok(json!({
        "username": "alcance.br",
        "display_name": "Alcance Brasil",
        "profile_image": "https://p16.tiktokcdn.com/profile.jpeg",
        "followers_count": 15230,
        "audience_countries": [{"country": "BR", "percentage": 0.61}, {"country": "PT", "percentage": 0.12}],
        "audience_genders": [{"gender": "Female", "percentage": 0.55}, {"gender": "Male", "percentage": 0.43}],
        "metrics": [
            {"date": "2026-11-19", "followers_count": 15100, "profile_views": 310, "video_views": 20400,
             "likes": 1800, "comments": 95, "shares": 40,
             "audience_activity": [{"hour": "20", "count": 5100}, {"hour": "9", "count": 800}]},
            {"date": "2026-11-20", "followers_count": 15230, "profile_views": 352, "video_views": 25011,
             "likes": 2101, "comments": 120, "shares": 61, "audience_activity": []}
        ]
    }))
}

fn daily(metrics: &[AccountMetric], key: &str, d: u32) -> Option<f64> {
    let start = day(d).and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    let found: Vec<_> = metrics
        .iter()
        .filter(|m| m.metric == key && m.period_start == start)
        .collect();
    assert_eq!(found.len(), 1, "{key} on day {d} emitted {} times", found.len());
    assert_eq!(found[0].period, Period::Day);
    assert_eq!(found[0].period_end - found[0].period_start, chrono::Duration::days(1));
    found[0].value
}

#[tokio::test]
async fn business_get_reads_daily_values_and_audience() {
    let fake = FakeTikTok::start(vec![Rule::get(GET, account_body())
        .with_query("business_id", BID)
        .with_query("start_date", "2026-11-19")
        .with_query("end_date", "2026-11-20")
        .with_query("fields", BUSINESS_ACCOUNT_FIELDS)])
    .await;
    let rec = Recorder::new();
    let acc = fake
        .business()
        .account(&biz_token(), BID, day(19), day(20), &rec)
        .await
        .expect("account");

    assert_eq!(acc.profile.external_id, BID);
    assert_eq!(acc.profile.username.as_deref(), Some("alcance.br"));
    assert_eq!(acc.profile.display_name.as_deref(), Some("Alcance Brasil"));
    assert_eq!(acc.followers_count, Some(15230.0));
    assert_eq!(acc.daily.len(), 12);
    assert_eq!(daily(&acc.daily, "followers", 19), Some(15100.0));
    assert_eq!(daily(&acc.daily, "profile_views", 20), Some(352.0));
    assert_eq!(daily(&acc.daily, "video_views", 20), Some(25011.0));
    assert_eq!(daily(&acc.daily, "likes", 19), Some(1800.0));
    assert_eq!(daily(&acc.daily, "comments", 20), Some(120.0));
    assert_eq!(daily(&acc.daily, "shares", 20), Some(61.0));

    assert_eq!(acc.audience_countries.len(), 2);
    assert_eq!(acc.audience_countries[0].key, "BR");
    assert!((acc.audience_countries[0].share - 0.61).abs() < 1e-9);
    let slice = |dim: &str, key: &str| {
        acc.audience
            .iter()
            .find(|a| a.dimension == dim && a.key == key)
            .unwrap_or_else(|| panic!("no slice {dim}={key}"))
            .clone()
    };
    assert_eq!(slice("country", "BR").value, (0.61f64 * 15230.0).round());
    assert_eq!(slice("gender", "Female").value, (0.55f64 * 15230.0).round());
    let evening = slice("active_hour", "20");
    assert_eq!((evening.value, evening.timeframe.as_str()), (5100.0, "2026-11-19"));
    assert_eq!(slice("active_hour", "09").value, 800.0);
    assert_eq!(acc.audience.len(), 6);
    assert!(acc.warnings.is_empty(), "{:?}", acc.warnings);

    let seen = fake.seen_on(GET);
    assert_eq!(seen[0].access_token.as_deref(), Some(BIZ_TOKEN));
    assert_eq!(seen[0].authorization, None);
    assert!(rec.take().iter().all(|x| !x.url.contains(BIZ_TOKEN)));
}

fn biz_video(id: &str, created: i64, rate: Value) -> Value {
    json!({
        "item_id": id,
        "create_time": created.to_string(),
        "thumbnail_url": format!("https://p16.tiktokcdn.com/{id}.jpeg"),
        "share_url": format!("https://www.tiktok.com/@alcance.br/video/{id}"),
        "caption": format!("caption {id}"),
        "video_views": 25000,
        "video_duration": 31.5,
        "likes": 2100,
        "comments": 120,
        "shares": 61,
        "reach": 19000,
        "full_video_watched_rate": rate,
        "total_time_watched": 180000.5,
        "average_time_watched": 7.2
    })
}

fn pm(m: &[PostMetric], post: &str, key: &str) -> Option<f64> {
    m.iter()
        .find(|x| x.post_external_id == post && x.metric == key)
        .and_then(|x| x.value)
}

#[tokio::test]
async fn business_video_list_reads_reach_watch_time_and_full_watch_rate() {
    let t1 = Utc
        .with_ymd_and_hms(2026, 11, 20, 19, 0, 0)
        .single()
        .expect("t")
        .timestamp();
    let t2 = Utc
        .with_ymd_and_hms(2026, 11, 18, 12, 0, 0)
        .single()
        .expect("t")
        .timestamp();
    let t3 = Utc
        .with_ymd_and_hms(2026, 11, 1, 12, 0, 0)
        .single()
        .expect("t")
        .timestamp();
    let fake = FakeTikTok::start(vec![
        Rule::get(
            VIDEOS,
            biz_ok(json!({"videos": [biz_video("7301", t1, json!(0.42))], "cursor": 9001, "has_more": true})),
        )
        .with_query("business_id", BID)
        .with_query("fields", BUSINESS_VIDEO_FIELDS)
        .with_query("max_count", "20")
        .without("cursor"),
        Rule::get(
            VIDEOS,
            biz_ok(
                json!({"videos": [biz_video("7299", t2, json!(37.5)), biz_video("7200", t3, json!(0.1))],
                          "cursor": 9002, "has_more": true}),
            ),
        )
        .with_query("cursor", "9001"),
    ])
    .await;
    let since = Utc.with_ymd_and_hms(2026, 11, 10, 0, 0, 0).single().expect("since");
    let listing = fake
        .business()
        .videos(&biz_token(), BID, since, &Recorder::new())
        .await
        .expect("videos");
    let ids: Vec<&str> = listing.videos.iter().map(|v| v.post.external_id.as_str()).collect();
    assert_eq!(ids, vec!["7301", "7299"]);
    assert_eq!(listing.pages, 2);
    let v = &listing.videos[0];
    assert_eq!(v.post.published_at.map(|t| t.timestamp()), Some(t1));
    assert_eq!(v.post.caption.as_deref(), Some("caption 7301"));
    assert_eq!(v.duration_seconds, Some(31.5));
    let m = listing.metrics();
    assert_eq!(pm(&m, "7301", "video_views"), Some(25000.0));
    assert_eq!(pm(&m, "7301", "reach"), Some(19000.0));
    assert_eq!(pm(&m, "7301", "full_watch_rate"), Some(0.42));
    assert_eq!(pm(&m, "7301", "watch_time_seconds"), Some(180000.5));
    assert_eq!(pm(&m, "7301", "watch_time_avg_seconds"), Some(7.2));
    assert_eq!(pm(&m, "7301", "likes"), Some(2100.0));
    assert_eq!(pm(&m, "7299", "full_watch_rate"), Some(0.375), "percent read as ratio");
    assert_eq!(fake.seen_on(VIDEOS).len(), 2, "stops at the video older than since");
}

async fn biz_failure(rule: Rule) -> PlatformError {
    let fake = FakeTikTok::start(vec![rule]).await;
    let e = fake
        .business()
        .account(&biz_token(), BID, day(19), day(20), &Recorder::new())
        .await
        .expect_err("must fail");
    assert!(!format!("{e:?}").contains(BIZ_TOKEN), "{e:?}");
    e
}

#[tokio::test]
async fn a_non_zero_code_is_an_error_even_with_http_200() {
    let e = biz_failure(Rule::get(
        GET,
        biz_error(40105, "Access token is incorrect or has been revoked."),
    ))
    .await;
    assert!(matches!(e, PlatformError::Unauthorized { .. }), "{e:?}");
    assert!(e.to_string().contains("40105"), "{e}");

    let e = biz_failure(Rule::get(GET, biz_error(40001, "No permission to operate."))).await;
    assert!(e.needs_reauth(), "{e:?}");

    let e = biz_failure(Rule::get(GET, biz_error(40100, "Too many requests."))).await;
    assert!(
        matches!(e, PlatformError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(60)),
        "{e:?}"
    );

    let e = biz_failure(Rule::get(GET, biz_error(40002, "start_date is invalid"))).await;
    assert!(
        matches!(&e, PlatformError::Api { status: 400, code: Some(c), .. } if c == "tiktok_40002"),
        "{e:?}"
    );

    let e = biz_failure(Rule::get(GET, biz_error(50002, "Internal error")).status(500)).await;
    assert!(matches!(e, PlatformError::Api { status: 500, .. }), "{e:?}");
}

#[tokio::test]
async fn unreadable_business_answers() {
    let e = biz_failure(Rule::raw(
        Method::GET,
        GET,
        200,
        "text/html",
        "<html>maintenance</html>",
    ))
    .await;
    assert!(matches!(e, PlatformError::Decode { .. }), "{e:?}");
    let e = biz_failure(Rule::raw(
        Method::GET,
        GET,
        200,
        "application/json",
        "{\"code\":0,\"data\":{\"usern",
    ))
    .await;
    assert!(matches!(e, PlatformError::Decode { .. }), "{e:?}");
    let e = biz_failure(Rule::get(GET, json!({"data": {"username": "no envelope"}}))).await;
    assert!(matches!(e, PlatformError::Decode { .. }), "{e:?}");
    let e = biz_failure(Rule::raw(Method::GET, GET, 503, "text/html", "<html>down</html>")).await;
    assert!(matches!(e, PlatformError::Api { status: 503, .. }), "{e:?}");
    let e = biz_failure(Rule::raw(Method::GET, GET, 401, "text/plain", "unauthorized")).await;
    assert!(matches!(e, PlatformError::Unauthorized { .. }), "{e:?}");
}

#[tokio::test]
async fn a_bad_day_is_skipped_and_shares_need_followers() {
    let body = biz_ok(json!({
        "username": "a",
        "audience_countries": [{"country": "BR", "percentage": 0.9}],
        "metrics": [{"date": "20/11/2026", "likes": 3}, {"date": "2026-11-20", "likes": 4}, "oops"]
    }));
    let fake = FakeTikTok::start(vec![Rule::get(GET, body)]).await;
    let acc = fake
        .business()
        .account(&biz_token(), BID, day(19), day(20), &Recorder::new())
        .await
        .expect("account");
    assert_eq!(daily(&acc.daily, "likes", 20), Some(4.0));
    assert_eq!(daily(&acc.daily, "shares", 20), None);
    assert_eq!(acc.daily.len(), 6);
    let codes: Vec<&str> = acc.warnings.iter().map(|w| w.code.as_str()).collect();
    assert_eq!(codes, vec!["decode", "decode", "missing_followers"]);
    assert!(acc.audience.is_empty());
    assert_eq!(acc.audience_countries.len(), 1);
}

#[tokio::test]
async fn empty_business_id_makes_no_call() {
    let fake = FakeTikTok::start(Vec::new()).await;
    let e = fake
        .business()
        .account(&biz_token(), " ", day(19), day(20), &Recorder::new())
        .await
        .expect_err("empty id");
    assert!(matches!(e, PlatformError::NotFound { .. }));
    assert!(fake.seen().is_empty());
}

const TOKEN_PATH: &str = "/open_api/v1.3/tt_user/oauth2/token/";
const REFRESH_PATH: &str = "/open_api/v1.3/tt_user/oauth2/refresh_token/";
const INFO_PATH: &str = "/open_api/v1.3/tt_user/token_info/get/";

fn token_answer(access: &str, refresh: &str) -> Value {
    biz_ok(json!({
        "access_token": access, "expires_in": 86400, "open_id": BID,
        "refresh_token": refresh, "refresh_token_expires_in": 31536000,
        "scope": "user.info.basic,user.insights,video.insights,video.list", "token_type": "Bearer"
    }))
}

#[tokio::test]
async fn business_token_requests_send_the_documented_bodies_and_are_not_archived() {
    let fake = FakeTikTok::start(vec![
        Rule::post(TOKEN_PATH, token_answer("act.first-access", "rft.first-refresh"))
            .with_body("grant_type", json!("authorization_code"))
            .with_body("auth_code", json!("code-123")),
        Rule::post(REFRESH_PATH, token_answer("act.second-access", "rft.rotated-refresh"))
            .with_body("grant_type", json!("refresh_token"))
            .with_body("refresh_token", json!("rft.first-refresh")),
        Rule::post(REFRESH_PATH, biz_error(40105, "refresh token revoked")),
        Rule::post(
            INFO_PATH,
            biz_ok(json!({"app_id": "app-1", "creator_id": BID, "scope": "user.insights,video.list"})),
        ),
    ])
    .await;
    let client = fake.business();
    let secret = SecretString::from("app-secret-xyz".to_string());
    let first = client
        .exchange_code(
            "app-1",
            &secret,
            &SecretString::from("code-123".to_string()),
            "http://127.0.0.1:8720/callback/",
        )
        .await
        .expect("exchange");
    assert_eq!(first.access_token.expose_secret(), "act.first-access");
    assert_eq!(first.open_id.as_deref(), Some(BID));
    let sent = &fake.seen_on(TOKEN_PATH)[0];
    assert_eq!(
        sent.body,
        Some(
            json!({"client_id": "app-1", "client_secret": "app-secret-xyz", "grant_type": "authorization_code",
                    "auth_code": "code-123", "redirect_uri": "http://127.0.0.1:8720/callback/"})
        )
    );

    let refresh = first.refresh_token.clone().expect("refresh token");
    let second = client.refresh("app-1", &secret, &refresh).await.expect("refresh");
    assert_eq!(
        second.refresh_token.as_ref().map(|t| t.expose_secret()),
        Some("rft.rotated-refresh"),
        "the rotated refresh token comes back"
    );
    let received = Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).single().expect("t");
    let set = second.to_token_set(received);
    assert_eq!(set.expires_at, Some(received + chrono::Duration::seconds(86400)));
    assert_eq!(set.user_id.as_deref(), Some(BID));
    assert_eq!(
        set.scope.as_deref(),
        Some("user.info.basic,user.insights,video.insights,video.list")
    );

    let stale = client
        .refresh("app-1", &secret, &SecretString::from("rft.old".to_string()))
        .await
        .expect_err("revoked");
    assert!(
        matches!(&stale, PlatformError::OAuth { message } if message.contains("40105")),
        "{stale:?}"
    );
    assert!(!stale.to_string().contains("app-secret-xyz"));

    let info = client
        .token_info("app-1", &second.access_token)
        .await
        .expect("token info");
    assert_eq!(info.creator_id.as_deref(), Some(BID));
    assert_eq!(info.scope, vec!["user.insights", "video.list"]);
    assert_eq!(
        fake.seen_on(INFO_PATH)[0].body,
        Some(json!({"app_id": "app-1", "access_token": "act.second-access"}))
    );
}
