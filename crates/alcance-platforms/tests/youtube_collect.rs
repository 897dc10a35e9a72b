//! `PlatformClient::collect` for YouTube on a fake Data + Analytics API: owned and tracked
//! channels, batches of 50, the uploads walk's guards, and bad input (malformed bodies,
//! bare 401 / 403 / 429, a repeating pageToken, deleted videos, unknown enum values), each
//! with a clear error naming the endpoint and the rest of the account kept.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::youtube_support;

use alcance_core::{AccountRef, CollectionBatch, Period, Platform};
use alcance_platforms::oauth::{AuthorizeRequest, OAuthApp, RedirectConfig};
use alcance_platforms::youtube::{provider, revoke, ANALYTICS_METRICS, VIDEO_ANALYTICS_METRICS};
use alcance_platforms::{CollectCtx, CollectWindow, Http, PlatformClient, PlatformError, Recorder};
use chrono::{DateTime, TimeZone, Utc};
use secrecy::SecretString;
use serde_json::{json, Value};
use youtube_support::{data, token, FakeYouTube, Rule, REPORTS, TOKEN};

const CHANNEL: &str = "UCalcanceTEST000000000001";
const UPLOADS: &str = "UUalcanceTEST000000000001";

fn until() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn ctx(owned: bool, external_id: &str, username: Option<&str>) -> CollectCtx {
    CollectCtx {
        account: AccountRef {
            platform: Platform::Youtube,
            external_id: external_id.into(),
            username: username.map(str::to_string),
            owned,
        },
        token: token(),
        window: CollectWindow {
            since: until() - chrono::Duration::days(30),
            until: until(),
        },
        recorder: Recorder::new(),
    }
}

fn channel(hidden: bool) -> Value {
    json!({"kind": "youtube#channelListResponse", "items": [{
        "kind": "youtube#channel", "id": CHANNEL,
        "snippet": {"title": "Alcance Test", "customUrl": "@alcancetest", "publishedAt": "2024-01-02T03:04:05Z",
            "thumbnails": {"default": {"url": "https://yt3.ggpht.com/a=s88"}}},
        "statistics": {"viewCount": "12345", "subscriberCount": if hidden { "0" } else { "678" },
            "hiddenSubscriberCount": hidden, "videoCount": "3"},
        "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": UPLOADS}}}]})
}

fn item(id: &str, published: &str) -> Value {
    json!({"kind": "youtube#playlistItem", "contentDetails": {"videoId": id, "videoPublishedAt": published}})
}

fn uploads(items: Vec<Value>, next: Option<&str>) -> Value {
    let mut v = json!({"kind": "youtube#playlistItemListResponse", "items": items, "pageInfo": {"totalResults": 3}});
    if let Some(t) = next {
        v["nextPageToken"] = json!(t);
    }
    v
}

fn video(id: &str, views: &str, duration: &str, privacy: &str) -> Value {
    json!({"kind": "youtube#video", "id": id,
        "snippet": {"publishedAt": "2026-11-10T12:00:00Z", "title": format!("Video {id}"), "liveBroadcastContent": "none"},
        "statistics": {"viewCount": views, "likeCount": "7", "favoriteCount": "0", "commentCount": "2"},
        "contentDetails": {"duration": duration},
        "status": {"privacyStatus": privacy, "uploadStatus": "processed"}})
}

fn videos(items: Vec<Value>) -> Value {
    json!({"kind": "youtube#videoListResponse", "items": items})
}

fn report() -> Value {
    let names = [
        "day",
        "views",
        "estimatedMinutesWatched",
        "averageViewDuration",
        "likes",
        "comments",
        "shares",
        "subscribersGained",
        "subscribersLost",
    ];
    let headers: Vec<Value> = names
        .iter()
        .map(|n| json!({"name": n, "columnType": if *n == "day" { "DIMENSION" } else { "METRIC" }, "dataType": "INTEGER"}))
        .collect();
    json!({"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers,
        "rows": [["2026-11-20", 100, 50, 30, 4, 1, 2, 5, 1], ["2026-11-21", 120, 60, 31, 5, 0, 1, 3, null]]})
}

fn happy_rules() -> Vec<Rule> {
    vec![
        Rule::get(&data("channels"), channel(false)).with_query("mine", "true"),
        Rule::get(
            &data("playlistItems"),
            uploads(
                vec![item("v1", "2026-11-20T10:00:00Z"), item("v2", "2026-11-15T10:00:00Z")],
                Some("P2"),
            ),
        )
        .without("pageToken"),
        Rule::get(
            &data("playlistItems"),
            uploads(
                vec![item("v3", "2026-11-01T10:00:00Z"), item("old", "2025-01-01T00:00:00Z")],
                None,
            ),
        )
        .with_query("pageToken", "P2"),
        Rule::get(
            &data("videos"),
            videos(vec![
                video("v1", "1000", "PT3M34S", "public"),
                video("v3", "10", "PT1H", "unlisted"),
            ]),
        ),
        Rule::get(REPORTS, report()).with_query("dimensions", "day"),
        Rule::get(REPORTS, video_report()).with_query("dimensions", "video"),
    ]
}

fn video_report() -> Value {
    json!({"kind": "youtubeAnalytics#resultTable", "columnHeaders": [
        {"name": "video", "columnType": "DIMENSION", "dataType": "STRING"},
        {"name": "estimatedMinutesWatched", "columnType": "METRIC", "dataType": "INTEGER"},
        {"name": "averageViewDuration", "columnType": "METRIC", "dataType": "INTEGER"},
        {"name": "shares", "columnType": "METRIC", "dataType": "INTEGER"}],
        "rows": [["v1", 500, 90, 12], ["v3", 2, 1200, 0]]})
}

fn value(batch: &CollectionBatch, post: &str, metric: &str) -> Option<Option<f64>> {
    batch
        .post_metrics
        .iter()
        .find(|m| m.post_external_id == post && m.metric == metric)
        .map(|m| m.value)
}

fn account(batch: &CollectionBatch, metric: &str, period: Period) -> Vec<Option<f64>> {
    batch
        .account_metrics
        .iter()
        .filter(|m| m.metric == metric && m.period == period)
        .map(|m| m.value)
        .collect()
}

#[tokio::test]
async fn an_owned_channel_gets_snapshots_videos_and_its_day_series() {
    let fake = FakeYouTube::start(happy_rules()).await;
    let batch = fake.client().collect(&ctx(true, CHANNEL, None)).await.expect("collect");
    assert!(batch.stopped.is_none(), "{:?}", batch.stopped);
    let profile = batch.profile.as_ref().expect("profile");
    assert_eq!(profile.username.as_deref(), Some("alcancetest"));
    assert_eq!(account(&batch, "followers", Period::Snapshot), vec![Some(678.0)]);
    assert_eq!(
        account(&batch, "total_video_views", Period::Snapshot),
        vec![Some(12345.0)]
    );
    assert_eq!(account(&batch, "media_count", Period::Snapshot), vec![Some(3.0)]);
    // The walk stopped at the page of old uploads; v2 was deleted (videos.list left it out).
    let ids: Vec<&str> = batch.posts.iter().map(|p| p.external_id.as_str()).collect();
    assert_eq!(ids, ["v1", "v3"]);
    assert_eq!(value(&batch, "v1", "video_views"), Some(Some(1000.0)));
    assert_eq!(value(&batch, "v1", "video_duration"), Some(Some(214.0)));
    assert_eq!(value(&batch, "v3", "video_duration"), Some(Some(3600.0)));
    assert_eq!(value(&batch, "v3", "likes"), Some(Some(7.0)));
    assert!(batch
        .gaps
        .iter()
        .any(|g| g.object_id == "v2" && g.code == "not_found" && g.what == "/youtube/v3/videos"));
    let asked = fake.seen_on(&data("videos"));
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].param("id"), Some("v1,v2,v3"));
    assert_eq!(asked[0].param("part"), Some("snippet,statistics,contentDetails,status"));
    // Daily series, Pacific days.
    assert_eq!(
        account(&batch, "video_views", Period::Day),
        vec![Some(100.0), Some(120.0)]
    );
    assert_eq!(
        account(&batch, "watch_time_seconds", Period::Day),
        vec![Some(3000.0), Some(3600.0)]
    );
    assert_eq!(account(&batch, "followers_lost", Period::Day), vec![Some(1.0), None]);
    let day = batch
        .account_metrics
        .iter()
        .find(|m| m.period == Period::Day)
        .expect("day");
    assert_eq!(day.period_start, Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap());
    // Lifetime watch time and shares per video, from the oldest publication day (Pacific).
    assert_eq!(value(&batch, "v1", "watch_time_seconds"), Some(Some(30_000.0)));
    assert_eq!(value(&batch, "v1", "watch_time_avg_seconds"), Some(Some(90.0)));
    assert_eq!(value(&batch, "v1", "shares"), Some(Some(12.0)));
    assert_eq!(value(&batch, "v3", "watch_time_avg_seconds"), Some(Some(1200.0)));
    let reports = fake.seen_on(REPORTS);
    assert_eq!(reports.len(), 2);
    let per_video = &reports[0];
    assert_eq!(per_video.param("dimensions"), Some("video"));
    assert_eq!(per_video.param("filters"), Some("video==v1,v3"));
    assert_eq!(per_video.param("metrics"), Some(VIDEO_ANALYTICS_METRICS));
    assert_eq!(
        per_video.param("startDate"),
        Some("2026-11-10"),
        "the videos' publishedAt, Pacific day"
    );
    assert_eq!(per_video.param("maxResults"), Some("2"));
    let r = &reports[1];
    assert_eq!(r.param("ids"), Some("channel==MINE"));
    assert_eq!(r.param("dimensions"), Some("day"));
    assert_eq!(r.param("metrics"), Some(ANALYTICS_METRICS));
    assert_eq!(r.param("startDate"), Some("2026-10-24"));
    assert_eq!(r.param("endDate"), Some("2026-11-23"));
    // Tokens travel only in the header.
    for s in fake.seen() {
        assert_eq!(s.authorization.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
        assert!(s.query.iter().all(|(_, v)| !v.contains(TOKEN)));
    }
}

#[tokio::test]
async fn a_hidden_subscriber_count_is_not_stored_as_zero() {
    let mut rules = happy_rules();
    rules[0] = Rule::get(&data("channels"), channel(true)).with_query("mine", "true");
    let fake = FakeYouTube::start(rules).await;
    let batch = fake.client().collect(&ctx(true, CHANNEL, None)).await.expect("collect");
    assert!(account(&batch, "followers", Period::Snapshot).is_empty());
    assert!(batch.gaps.iter().any(|g| g.code == "hidden_by_owner"));
    assert_eq!(account(&batch, "media_count", Period::Snapshot), vec![Some(3.0)]);
}

#[tokio::test]
async fn a_tracked_channel_is_read_by_handle_with_its_public_videos_and_no_analytics() {
    let mut rules = vec![Rule::get(&data("channels"), channel(false)).with_query("forHandle", "@alcancetest")];
    // The uploads walk and the video batch of the owned case; no Analytics rule: a call
    // to it would get the fake's 404 and show up in `seen`.
    rules.extend(happy_rules().into_iter().skip(1).take(3));
    let fake = FakeYouTube::start(rules).await;
    let batch = fake
        .client()
        .collect(&ctx(false, CHANNEL, Some("alcancetest")))
        .await
        .expect("collect");
    assert_eq!(account(&batch, "followers", Period::Snapshot), vec![Some(678.0)]);
    let mut ids: Vec<&str> = batch.posts.iter().map(|p| p.external_id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["v1", "v3"], "the window's public videos");
    assert!(batch
        .post_metrics
        .iter()
        .any(|m| m.post_external_id == "v1" && m.metric == "video_views" && m.value == Some(1000.0)));
    assert!(
        !batch.post_metrics.iter().any(|m| m.metric == "watch_time_seconds"),
        "watch time is the owner's Analytics"
    );
    assert!(
        !batch.account_metrics.iter().any(|m| m.period == Period::Day),
        "no Analytics days"
    );
    assert!(batch.warnings.is_empty(), "{:?}", batch.warnings);
    let seen = fake.seen();
    assert_eq!(seen[0].param("part"), Some("snippet,statistics,contentDetails"));
    assert!(
        seen.iter().all(|r| !r.path.contains("/v2/reports")),
        "no Analytics call"
    );
    assert_eq!(
        seen.len(),
        4,
        "channel, two uploads pages, one video batch: 4 quota units"
    );
}

#[tokio::test]
async fn an_unknown_handle_is_not_found() {
    let fake = FakeYouTube::start(vec![Rule::get(
        &data("channels"),
        json!({"kind": "youtube#channelListResponse", "pageInfo": {"totalResults": 0}}),
    )])
    .await;
    let e = fake
        .client()
        .channel_by_handle(&token(), "@nobody", &Recorder::new())
        .await
        .expect_err("no channel");
    assert!(matches!(e, PlatformError::NotFound { .. }), "{e:?}");
    assert!(e.to_string().contains("@nobody"));
}

#[tokio::test]
async fn videos_are_read_in_batches_of_fifty() {
    let ids: Vec<String> = (0..120).map(|i| format!("id{i:03}")).collect();
    let items: Vec<Value> = ids.iter().map(|id| item(id, "2026-11-20T10:00:00Z")).collect();
    let fake = FakeYouTube::start(vec![Rule::get(&data("videos"), videos(Vec::new()))]).await;
    let (page, gaps) = fake
        .client()
        .videos(&token(), &ids, &Recorder::new())
        .await
        .expect("videos");
    assert!(page.posts.is_empty());
    assert_eq!(gaps.len(), 120, "every id unanswered is a gap");
    let sizes: Vec<usize> = fake
        .seen_on(&data("videos"))
        .iter()
        .map(|s| s.param("id").unwrap_or_default().split(',').count())
        .collect();
    assert_eq!(sizes, [50, 50, 20]);
    assert_eq!(items.len(), 120);
}

#[tokio::test]
async fn a_repeating_page_token_stops_the_walk() {
    let fake = FakeYouTube::start(vec![
        Rule::get(
            &data("playlistItems"),
            uploads(vec![item("a", "2026-11-20T10:00:00Z")], Some("SAME")),
        )
        .without("pageToken"),
        Rule::get(
            &data("playlistItems"),
            uploads(vec![item("b", "2026-11-19T10:00:00Z")], Some("SAME")),
        )
        .with_query("pageToken", "SAME"),
    ])
    .await;
    let walk = fake
        .client()
        .uploads(
            &token(),
            UPLOADS,
            until() - chrono::Duration::days(30),
            &Recorder::new(),
        )
        .await
        .expect("walk");
    assert_eq!(walk.ids, ["a", "b"]);
    assert!(
        walk.warnings.iter().any(|w| w.code == "pagination_loop"),
        "{:?}",
        walk.warnings
    );
    assert_eq!(fake.seen().len(), 2, "stopped instead of looping");
}

#[tokio::test]
async fn a_malformed_videos_body_is_a_warning_and_the_channel_is_kept() {
    let mut rules = happy_rules();
    rules[3] = Rule::raw(
        &data("videos"),
        200,
        "application/json",
        "{\"kind\": \"youtube#videoListResponse\", \"items\": [",
    );
    let fake = FakeYouTube::start(rules).await;
    let batch = fake.client().collect(&ctx(true, CHANNEL, None)).await.expect("collect");
    let w = batch
        .warnings
        .iter()
        .find(|w| w.code == "decode")
        .expect("decode warning");
    assert!(w.message.contains("/youtube/v3/videos"), "{}", w.message);
    assert_eq!(account(&batch, "followers", Period::Snapshot), vec![Some(678.0)]);
    assert_eq!(
        account(&batch, "video_views", Period::Day).len(),
        2,
        "Analytics still read"
    );
}

#[tokio::test]
async fn an_unknown_privacy_status_keeps_the_video_with_a_warning() {
    let mut rules = happy_rules();
    rules[3] = Rule::get(&data("videos"), videos(vec![video("v1", "5", "PT1S", "members_only")]));
    let fake = FakeYouTube::start(rules).await;
    let batch = fake.client().collect(&ctx(true, CHANNEL, None)).await.expect("collect");
    assert!(batch.posts.iter().any(|p| p.external_id == "v1"));
    let w = batch
        .warnings
        .iter()
        .find(|w| w.code == "unknown_value")
        .expect("warning");
    assert!(
        w.message.contains("/youtube/v3/videos") && w.message.contains("members_only"),
        "{}",
        w.message
    );
}

#[tokio::test]
async fn a_bare_401_on_the_channel_fails_the_account() {
    let fake = FakeYouTube::start(vec![Rule::raw(&data("channels"), 401, "text/plain", "")]).await;
    let e = fake
        .client()
        .collect(&ctx(true, CHANNEL, None))
        .await
        .expect_err("unauthorized");
    assert!(e.needs_reauth(), "{e:?}");
    assert!(e.to_string().contains("/youtube/v3/channels"), "{e}");
    assert!(!e.to_string().contains(TOKEN));
}

#[tokio::test]
async fn a_bare_403_on_analytics_is_a_warning_and_the_videos_are_kept() {
    let mut rules = happy_rules();
    rules[4] = Rule::raw(REPORTS, 403, "text/plain", "");
    let fake = FakeYouTube::start(rules).await;
    let batch = fake.client().collect(&ctx(true, CHANNEL, None)).await.expect("collect");
    assert!(batch.stopped.is_none());
    let w = batch.warnings.iter().find(|w| w.code == "forbidden").expect("warning");
    assert!(w.message.contains(REPORTS), "{}", w.message);
    assert_eq!(batch.posts.len(), 2);
}

#[tokio::test]
async fn a_bare_429_on_a_later_page_stops_the_account_and_keeps_what_arrived() {
    let mut rules = happy_rules();
    rules[2] = Rule::raw(&data("playlistItems"), 429, "text/plain", "").with_query("pageToken", "P2");
    let fake = FakeYouTube::start(rules).await;
    let batch = fake.client().collect(&ctx(true, CHANNEL, None)).await.expect("collect");
    let stopped = batch.stopped.as_ref().expect("stopped");
    assert!(stopped.rate_limited);
    assert!(
        stopped.message.contains("/youtube/v3/playlistItems"),
        "{}",
        stopped.message
    );
    assert_eq!(account(&batch, "followers", Period::Snapshot), vec![Some(678.0)]);
    assert!(fake.seen_on(REPORTS).is_empty(), "no call after the account stopped");
}

#[tokio::test]
async fn quota_exceeded_defers_until_the_pacific_midnight_reset() {
    let mut rules = happy_rules();
    rules[3] = Rule::json(
        &data("videos"),
        403,
        json!({"error": {"code": 403, "message": "The request cannot be completed because you have exceeded your quota.",
            "errors": [{"message": "quota", "domain": "youtube.quota", "reason": "quotaExceeded"}]}}),
    );
    let fake = FakeYouTube::start(rules).await;
    let batch = fake.client().collect(&ctx(true, CHANNEL, None)).await.expect("collect");
    let stopped = batch.stopped.as_ref().expect("stopped");
    assert!(stopped.rate_limited, "{stopped:?}");
    let wait = stopped.retry_after_seconds.expect("retry after");
    assert!(wait > 0 && wait <= 25 * 3600, "{wait}");
    assert!(stopped.message.contains("quotaExceeded"));
    assert_eq!(account(&batch, "followers", Period::Snapshot), vec![Some(678.0)]);
}

#[tokio::test]
async fn the_google_authorize_url_asks_for_offline_access_with_pkce() {
    let fake = FakeYouTube::start(Vec::new()).await;
    let app = OAuthApp {
        platform: Platform::Youtube,
        client_id: "123.apps.googleusercontent.com".into(),
        client_secret: Some(SecretString::from("desktop-secret".to_string())),
        scopes: Vec::new(),
        redirect: RedirectConfig::ephemeral(),
    };
    let request = AuthorizeRequest::new(&app, &provider(&fake.endpoints()), "http://127.0.0.1:53682/callback")
        .expect("authorize url");
    let pairs: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    let has = |k: &str, v: &str| pairs.iter().any(|(a, b)| a == k && b == v);
    assert!(request.url.path().ends_with("/o/oauth2/v2/auth"));
    assert!(has("access_type", "offline") && has("prompt", "consent"), "{pairs:?}");
    assert!(has("code_challenge_method", "S256") && has("response_type", "code"));
    assert!(has("redirect_uri", "http://127.0.0.1:53682/callback"));
    assert!(has(
        "scope",
        "https://www.googleapis.com/auth/youtube.readonly https://www.googleapis.com/auth/yt-analytics.readonly"
    ));
    assert!(!request.url.as_str().contains("desktop-secret"));
}

#[tokio::test]
async fn a_refresh_without_a_new_refresh_token_keeps_the_old_one() {
    let fake = FakeYouTube::start(vec![Rule::get(
        "/google/oauth2/token",
        json!({"access_token": "ya29.new", "expires_in": 3599, "scope": "https://www.googleapis.com/auth/youtube.readonly", "token_type": "Bearer"}),
    )
    .post()])
    .await;
    let app = OAuthApp {
        platform: Platform::Youtube,
        client_id: "123.apps.googleusercontent.com".into(),
        client_secret: Some(SecretString::from("desktop-secret".to_string())),
        scopes: Vec::new(),
        redirect: RedirectConfig::ephemeral(),
    };
    let old = SecretString::from("1//refresh-old".to_string());
    let set = alcance_platforms::oauth::refresh(&app, &provider(&fake.endpoints()), &old)
        .await
        .expect("refresh");
    use secrecy::ExposeSecret;
    assert_eq!(set.access_token.expose_secret(), "ya29.new");
    assert_eq!(
        set.refresh_token.as_ref().map(|t| t.expose_secret()),
        Some("1//refresh-old")
    );
}

#[tokio::test]
async fn revoking_posts_the_token_in_the_form() {
    let fake = FakeYouTube::start(vec![Rule::get("/google/oauth2/revoke", json!({})).post()]).await;
    revoke(&Http::new().expect("http"), &fake.endpoints(), &token())
        .await
        .expect("revoked");
    let seen = fake.seen_on("/google/oauth2/revoke");
    assert_eq!(seen.len(), 1);
    assert!(seen[0].form.contains(&("token".to_string(), TOKEN.to_string())));
    assert!(seen[0].query.is_empty(), "the token never travels in the URL");
    let refused = FakeYouTube::start(vec![Rule::json(
        "/google/oauth2/revoke",
        400,
        json!({"error": "invalid_token"}),
    )
    .post()])
    .await;
    let e = revoke(&Http::new().expect("http"), &refused.endpoints(), &token())
        .await
        .expect_err("refused");
    assert!(matches!(e, PlatformError::OAuth { .. }) && !e.to_string().contains(TOKEN));
}

#[tokio::test]
async fn the_governor_spends_the_daily_units_then_refuses_until_the_reset() {
    use alcance_platforms::governor::{Governor, GovernorConfig, RequestKey};
    use alcance_platforms::youtube::YouTubeClient;
    use std::sync::Arc;
    let fake = FakeYouTube::start(vec![
        Rule::get(&data("channels"), channel(false)),
        Rule::get(REPORTS, report()),
        Rule::json(
            &data("videos"),
            403,
            json!({"error": {"code": 403, "message": "quota", "errors": [{"domain": "youtube.quota", "reason": "quotaExceeded"}]}}),
        ),
    ])
    .await;
    // Within `max_wait` (16 min) of midnight Pacific Time the governor would wait for the
    // reset instead of refusing: a 1 s cap keeps the test the same at any hour.
    let governor = Arc::new(Governor::with_config(GovernorConfig {
        youtube_daily_units: 2,
        max_wait: std::time::Duration::from_secs(1),
        ..GovernorConfig::default()
    }));
    let client = YouTubeClient::new(
        Http::new().expect("http").with_governor(governor.clone()),
        fake.endpoints(),
    );
    let rec = Recorder::new();
    client.channel_by_handle(&token(), "a", &rec).await.expect("unit 1");
    client.channel_by_id(&token(), CHANNEL, &rec).await.expect("unit 2");
    let e = client.mine(&token(), &rec).await.expect_err("no units left");
    match &e {
        PlatformError::RateLimited {
            retry_after: Some(wait),
            ..
        } => {
            assert!(wait.as_secs() > 0 && wait.as_secs() <= 25 * 3600, "{wait:?}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fake.seen_on(&data("channels")).len(), 2, "the third call was not sent");
    // The Analytics API does not draw on the Data API quota.
    client
        .daily_report(&token(), until() - chrono::Duration::days(2), until(), &rec)
        .await
        .expect("analytics still answers");
    let req = Http::new()
        .expect("http")
        .client()
        .get(alcance_platforms::endpoints::join(
            &fake.endpoints().youtube_api,
            "/videos",
        ))
        .bearer_auth("other-token")
        .build()
        .expect("request");
    let view = governor.budget(&RequestKey::of(&req)).expect("budget");
    assert_eq!(view.quota_units_used, Some(2), "every token shares the project's units");
}

#[tokio::test]
async fn a_quota_exceeded_answer_closes_the_budget_for_every_token() {
    use alcance_platforms::governor::{Governor, GovernorConfig};
    use alcance_platforms::youtube::YouTubeClient;
    use std::sync::Arc;
    let fake = FakeYouTube::start(vec![Rule::json(
        &data("channels"),
        403,
        json!({"error": {"code": 403, "message": "quota", "errors": [{"domain": "youtube.quota", "reason": "quotaExceeded"}]}}),
    )])
    .await;
    // A 1 s cap on waits: near midnight Pacific Time (within the default 16 min) the closed
    // budget would otherwise be waited out and the call sent again.
    let governor = Arc::new(Governor::with_config(GovernorConfig {
        max_wait: std::time::Duration::from_secs(1),
        ..GovernorConfig::default()
    }));
    let client = YouTubeClient::new(Http::new().expect("http").with_governor(governor), fake.endpoints());
    let rec = Recorder::new();
    let first = client.mine(&token(), &rec).await.expect_err("quota");
    assert!(matches!(first, PlatformError::RateLimited { .. }), "{first:?}");
    let other = SecretString::from("ya29.another-account".to_string());
    let second = client.mine(&other, &rec).await.expect_err("still closed");
    assert!(matches!(second, PlatformError::RateLimited { .. }), "{second:?}");
    assert_eq!(
        fake.seen().len(),
        1,
        "nothing sent after quotaExceeded, whatever the token"
    );
}
