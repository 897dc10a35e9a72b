//! TikTok Display API videos: `POST /v2/video/list/` (millisecond cursor, has_more, the
//! `since` cut, guards) and `POST /v2/video/query/` (batches of 20).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::tiktok_support;

use alcance_core::{ContentType, PostMetric};
use alcance_platforms::tiktok::{TikTokVideo, MAX_VIDEO_PAGES, QUERY_BATCH, VIDEO_FIELDS};
use alcance_platforms::{PlatformError, Recorder};
use axum::http::Method;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};
use tiktok_support::{display_error, ok, token, FakeTikTok, Rule, TOKEN};

const LIST: &str = "/v2/video/list/";
const QUERY: &str = "/v2/video/query/";

fn at(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).single().expect("valid time")
}

fn video(id: &str, created: DateTime<Utc>, views: u64) -> Value {
    json!({
        "id": id,
        "create_time": created.timestamp(),
        "cover_image_url": format!("https://p16.tiktokcdn.com/{id}.jpeg"),
        "share_url": format!("https://www.tiktok.com/@alcance.br/video/{id}"),
        "video_description": format!("video {id} #alcance"),
        "duration": 31,
        "title": format!("title {id}"),
        "like_count": views / 10,
        "comment_count": 7,
        "share_count": 3,
        "view_count": views
    })
}

fn page(videos: Vec<Value>, cursor: i64, has_more: bool) -> Value {
    ok(json!({"videos": videos, "cursor": cursor, "has_more": has_more}))
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn value(metrics: &[PostMetric], post: &str, key: &str) -> Option<Option<f64>> {
    let found: Vec<&PostMetric> = metrics
        .iter()
        .filter(|m| m.post_external_id == post && m.metric == key)
        .collect();
    assert!(found.len() <= 1, "{key} of {post} emitted {} times", found.len());
    found.first().map(|m| m.value)
}

fn ids(videos: &[TikTokVideo]) -> Vec<&str> {
    videos.iter().map(|v| v.post.external_id.as_str()).collect()
}

/// Three pages: 20th, 19th | 15th, 12th | 9th (before `since` = the 10th).
fn three_pages() -> Vec<Rule> {
    vec![
        Rule::post(
            LIST,
            page(
                vec![video("7301", at(20, 18), 5000), video("7300", at(19, 9), 1200)],
                ms(at(19, 9)),
                true,
            ),
        )
        .without("cursor"),
        Rule::post(
            LIST,
            page(
                vec![video("7299", at(15, 12), 800), video("7298", at(12, 7), 300)],
                ms(at(12, 7)),
                true,
            ),
        )
        .with_body("cursor", json!(ms(at(19, 9)))),
        Rule::post(LIST, page(vec![video("7297", at(9, 23), 90)], ms(at(9, 23)), true))
            .with_body("cursor", json!(ms(at(12, 7)))),
    ]
}

#[tokio::test]
async fn video_list_walks_the_millisecond_cursor_until_since() {
    let fake = FakeTikTok::start(three_pages()).await;
    let rec = Recorder::new();
    let listing = fake.client().videos(&token(), at(10, 0), &rec).await.expect("videos");

    assert_eq!(ids(&listing.videos), vec!["7301", "7300", "7299", "7298"]);
    assert_eq!(listing.pages, 3);
    assert!(listing.warnings.is_empty(), "{:?}", listing.warnings);

    let first = &listing.videos[0];
    assert_eq!(first.post.published_at, Some(at(20, 18)));
    assert_eq!(first.post.content_type, ContentType::Video);
    assert_eq!(
        first.post.permalink.as_deref(),
        Some("https://www.tiktok.com/@alcance.br/video/7301")
    );
    assert_eq!(first.post.caption.as_deref(), Some("video 7301 #alcance"));
    assert_eq!(first.title.as_deref(), Some("title 7301"));
    assert_eq!(first.duration_seconds, Some(31.0));
    let m = listing.metrics();
    assert_eq!(value(&m, "7301", "video_views"), Some(Some(5000.0)));
    assert_eq!(value(&m, "7301", "likes"), Some(Some(500.0)));
    assert_eq!(value(&m, "7301", "comments"), Some(Some(7.0)));
    assert_eq!(value(&m, "7301", "shares"), Some(Some(3.0)));
    assert_eq!(value(&m, "7297", "video_views"), None, "older than since");
    assert_eq!(m.len(), 16);

    let seen = fake.seen_on(LIST);
    assert_eq!(seen.len(), 3);
    for s in &seen {
        assert_eq!(s.method, "POST");
        assert_eq!(s.param("fields"), Some(VIDEO_FIELDS));
        assert_eq!(s.authorization.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
        assert!(s
            .content_type
            .as_deref()
            .is_some_and(|c| c.starts_with("application/json")));
    }
    assert_eq!(seen[0].body, Some(json!({"max_count": 20})));
    assert_eq!(seen[1].body, Some(json!({"max_count": 20, "cursor": ms(at(19, 9))})));
    assert_eq!(seen[2].body, Some(json!({"max_count": 20, "cursor": ms(at(12, 7))})));
    assert_eq!(rec.len(), 3);
    assert!(rec.take().iter().all(|x| !x.url.contains(TOKEN)));
}

#[tokio::test]
async fn has_more_false_ends_the_walk() {
    let fake = FakeTikTok::start(vec![Rule::post(
        LIST,
        page(vec![video("1", at(20, 1), 10)], ms(at(20, 1)), false),
    )])
    .await;
    let listing = fake
        .client()
        .videos(&token(), at(1, 0), &Recorder::new())
        .await
        .expect("videos");
    assert_eq!(ids(&listing.videos), vec!["1"]);
    assert_eq!(fake.seen_on(LIST).len(), 1);
}

#[tokio::test]
async fn a_repeated_cursor_stops_the_walk() {
    let fake = FakeTikTok::start(vec![
        Rule::post(LIST, page(vec![video("1", at(20, 1), 10)], 111, true)).without("cursor"),
        Rule::post(LIST, page(vec![video("2", at(19, 1), 10)], 111, true)).with_body("cursor", json!(111)),
    ])
    .await;
    let listing = fake
        .client()
        .videos(&token(), at(1, 0), &Recorder::new())
        .await
        .expect("videos");
    assert_eq!(ids(&listing.videos), vec!["1", "2"]);
    assert_eq!(fake.seen_on(LIST).len(), 2);
    assert_eq!(listing.warnings.len(), 1);
    assert_eq!(listing.warnings[0].code, "pagination_loop");
}

#[tokio::test]
async fn a_page_without_new_ids_stops_the_walk() {
    let fake = FakeTikTok::start(vec![
        Rule::post(LIST, page(vec![video("1", at(20, 1), 10)], 100, true)).without("cursor"),
        Rule::post(LIST, page(vec![video("1", at(20, 1), 10)], 99, true)).with_body("cursor", json!(100)),
    ])
    .await;
    let listing = fake
        .client()
        .videos(&token(), at(1, 0), &Recorder::new())
        .await
        .expect("videos");
    assert_eq!(ids(&listing.videos), vec!["1"]);
    assert_eq!(listing.warnings.len(), 1);
    assert_eq!(listing.warnings[0].code, "pagination_stalled");
    assert_eq!(fake.seen_on(LIST).len(), 2);
}

#[tokio::test]
async fn has_more_without_a_cursor_stops_the_walk() {
    let body = ok(json!({"videos": [video("1", at(20, 1), 10)], "has_more": true}));
    let fake = FakeTikTok::start(vec![Rule::post(LIST, body)]).await;
    let listing = fake
        .client()
        .videos(&token(), at(1, 0), &Recorder::new())
        .await
        .expect("videos");
    assert_eq!(listing.warnings[0].code, "pagination_no_cursor");
    assert_eq!(fake.seen_on(LIST).len(), 1);
}

#[tokio::test]
async fn the_page_cap_stops_an_endless_listing() {
    // Each page answers with a fresh id and a fresh cursor derived from the one sent.
    let mut rules = vec![Rule::post(LIST, page(vec![video("v0", at(28, 0), 1)], 1_000, true)).without("cursor")];
    for i in 1..=(MAX_VIDEO_PAGES as i64 + 5) {
        rules.push(
            Rule::post(LIST, page(vec![video(&format!("v{i}"), at(28, 0), 1)], 1_000 + i, true))
                .with_body("cursor", json!(1_000 + i - 1)),
        );
    }
    let fake = FakeTikTok::start(rules).await;
    let listing = fake
        .client()
        .videos(&token(), at(1, 0), &Recorder::new())
        .await
        .expect("videos");
    assert_eq!(listing.pages, MAX_VIDEO_PAGES);
    assert_eq!(listing.videos.len(), MAX_VIDEO_PAGES);
    assert_eq!(fake.seen_on(LIST).len(), MAX_VIDEO_PAGES);
    assert_eq!(listing.warnings.last().map(|w| w.code.as_str()), Some("page_cap"));
}

#[tokio::test]
async fn a_later_page_failing_keeps_the_earlier_pages() {
    let fake = FakeTikTok::start(vec![
        Rule::post(LIST, page(vec![video("1", at(20, 1), 10)], 555, true)).without("cursor"),
        Rule::raw(
            Method::POST,
            LIST,
            200,
            "application/json",
            "{\"data\":{\"videos\":[{\"id\"",
        ),
    ])
    .await;
    let listing = fake
        .client()
        .videos(&token(), at(1, 0), &Recorder::new())
        .await
        .expect("videos");
    assert_eq!(ids(&listing.videos), vec!["1"]);
    assert_eq!(listing.warnings.len(), 1);
    assert_eq!(listing.warnings[0].code, "decode");
}

#[tokio::test]
async fn the_first_page_failing_is_the_error_even_with_http_200() {
    let fake = FakeTikTok::start(vec![Rule::post(
        LIST,
        display_error("scope_not_authorized", "video.list not granted"),
    )])
    .await;
    let e = fake
        .client()
        .videos(&token(), at(1, 0), &Recorder::new())
        .await
        .expect_err("fails");
    assert!(matches!(e, PlatformError::Forbidden { .. }), "{e:?}");
}

#[tokio::test]
async fn a_malformed_video_is_skipped_with_a_warning() {
    let body = page(
        vec![
            video("1", at(20, 1), 10),
            json!({"create_time": 1, "view_count": 3}),
            json!({"id": "2", "create_time": "not a time", "view_count": "44"}),
        ],
        1,
        false,
    );
    let fake = FakeTikTok::start(vec![Rule::post(LIST, body)]).await;
    let listing = fake
        .client()
        .videos(&token(), at(1, 0), &Recorder::new())
        .await
        .expect("videos");
    assert_eq!(ids(&listing.videos), vec!["1", "2"]);
    assert_eq!(listing.videos[1].post.published_at, None);
    assert_eq!(value(&listing.metrics(), "2", "video_views"), Some(Some(44.0)));
    assert_eq!(value(&listing.metrics(), "2", "likes"), Some(None));
    assert_eq!(listing.warnings.len(), 1);
    assert_eq!(listing.warnings[0].code, "decode");
}

#[tokio::test]
async fn query_videos_sends_batches_of_twenty() {
    let all: Vec<String> = (0..45).map(|i| format!("74{i:02}")).collect();
    let mut asked = all.clone();
    asked.push("7400".into()); // a duplicate
    asked.push("  ".into()); // a blank
    let batch = |from: usize, to: usize, skip: Option<usize>| {
        let ids: Vec<Value> = all[from..to].iter().map(|s| json!(s)).collect();
        let videos: Vec<Value> = (from..to)
            .filter(|i| Some(*i) != skip)
            .map(|i| video(&all[i], at(20, 1), 100 + i as u64))
            .collect();
        Rule::post(QUERY, ok(json!({"videos": videos}))).with_body("filters", json!({"video_ids": ids}))
    };
    let fake = FakeTikTok::start(vec![batch(0, 20, None), batch(20, 40, Some(33)), batch(40, 45, None)]).await;
    let q = fake
        .client()
        .query_videos(&token(), &asked, &Recorder::new())
        .await
        .expect("query");
    let seen = fake.seen_on(QUERY);
    assert_eq!(seen.len(), 3);
    let sizes: Vec<usize> = seen
        .iter()
        .map(|s| {
            s.body.as_ref().expect("json body")["filters"]["video_ids"]
                .as_array()
                .map(Vec::len)
                .unwrap_or(0)
        })
        .collect();
    assert_eq!(sizes, vec![QUERY_BATCH, QUERY_BATCH, 5]);
    assert!(seen.iter().all(|s| s.param("fields") == Some(VIDEO_FIELDS)));
    assert_eq!(q.videos.len(), 44);
    assert_eq!(q.missing, vec!["7433".to_string()]);
    let m: Vec<PostMetric> = q.videos.iter().flat_map(|v| v.metrics.clone()).collect();
    assert_eq!(value(&m, "7444", "video_views"), Some(Some(144.0)));

    let empty = fake
        .client()
        .query_videos(&token(), &[], &Recorder::new())
        .await
        .expect("no ids");
    assert!(empty.videos.is_empty() && empty.missing.is_empty());
    assert_eq!(fake.seen_on(QUERY).len(), 3, "no ids, no call");
}

#[tokio::test]
async fn query_videos_fails_on_the_first_failing_batch() {
    let fake = FakeTikTok::start(vec![Rule::post(
        QUERY,
        display_error("rate_limit_exceeded", "too many"),
    )
    .status(429)])
    .await;
    let e = fake
        .client()
        .query_videos(&token(), &["1".to_string()], &Recorder::new())
        .await
        .expect_err("rate limited");
    assert!(matches!(e, PlatformError::RateLimited { .. }), "{e:?}");
}
