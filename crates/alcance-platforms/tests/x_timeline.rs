//! X timeline: `/2/users/{id}/tweets`, pagination and its guards, media mapping.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::x_support;

use alcance_core::{ContentType, EventLevel, PostMetric};
use alcance_platforms::x::{Timeline, MAX_TIMELINE_PAGES};
use alcance_platforms::{PlatformError, Recorder};
use chrono::{TimeZone, Utc};
use serde_json::json;
use x_support::{token, FakeX, Rule};

const PATH: &str = "/2/users/2244994945/tweets";

fn value(metrics: &[PostMetric], post: &str, metric: &str) -> Option<Option<f64>> {
    let found: Vec<&PostMetric> = metrics
        .iter()
        .filter(|m| m.post_external_id == post && m.metric == metric)
        .collect();
    assert!(found.len() <= 1, "{metric} of {post} emitted {} times", found.len());
    found.first().map(|m| m.value)
}

fn tweet(id: &str, created_at: &str, likes: u64) -> serde_json::Value {
    json!({
        "id": id,
        "text": format!("post {id}"),
        "created_at": created_at,
        "conversation_id": id,
        "edit_history_tweet_ids": [id],
        "public_metrics": {
            "retweet_count": 3, "reply_count": 2, "like_count": likes,
            "quote_count": 1, "bookmark_count": 4, "impression_count": 1000 + likes
        }
    })
}

fn page_one() -> serde_json::Value {
    json!({
        "data": [
            tweet("1860000000000000005", "2026-11-20T15:00:00.000Z", 50),
            {
                "id": "1860000000000000004", "text": "a photo", "created_at": "2026-11-19T12:00:00.000Z",
                "attachments": {"media_keys": ["3_1"]},
                "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 7, "quote_count": 0, "bookmark_count": 0, "impression_count": 90}
            },
            {
                "id": "1860000000000000003", "text": "a video", "created_at": "2026-11-18T12:00:00.000Z",
                "attachments": {"media_keys": ["13_2"]},
                "public_metrics": {"retweet_count": 1, "reply_count": 1, "like_count": 9, "quote_count": 0, "bookmark_count": 2, "impression_count": 400}
            }
        ],
        "includes": {"media": [
            {"media_key": "3_1", "type": "photo"},
            {"media_key": "13_2", "type": "video", "duration_ms": 45000, "public_metrics": {"view_count": 321}}
        ]},
        "meta": {"result_count": 3, "newest_id": "1860000000000000005", "oldest_id": "1860000000000000003", "next_token": "7140dibdnow9c7btw4"}
    })
}

fn page_two() -> serde_json::Value {
    json!({
        "data": [
            {
                "id": "1860000000000000002", "text": "two media", "created_at": "2026-11-17T12:00:00.000Z",
                "attachments": {"media_keys": ["3_3", "16_4"]},
                "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 1, "quote_count": 0, "bookmark_count": 0, "impression_count": 20}
            },
            {
                "id": "1860000000000000001", "text": "a space", "created_at": "2026-11-16T12:00:00.000Z",
                "attachments": {"media_keys": ["99_5"]},
                "public_metrics": {"like_count": 2}
            }
        ],
        "includes": {"media": [
            {"media_key": "3_3", "type": "photo"},
            {"media_key": "16_4", "type": "animated_gif", "public_metrics": {"view_count": 15}},
            {"media_key": "99_5", "type": "audio_space"}
        ]},
        "meta": {"result_count": 2, "newest_id": "1860000000000000002", "oldest_id": "1860000000000000001"}
    })
}

async fn walk(rules: Vec<Rule>) -> (FakeX, Result<Timeline, PlatformError>) {
    let fake = FakeX::start(rules).await;
    let since = Utc.with_ymd_and_hms(2026, 10, 24, 0, 0, 0).unwrap();
    let result = fake
        .client()
        .timeline(&token(), "2244994945", since, &Recorder::new())
        .await;
    (fake, result)
}

#[tokio::test]
async fn two_pages_give_every_post_and_value() {
    let (fake, result) = walk(vec![
        Rule::json(PATH, 200, page_two()).with_query("pagination_token", "7140dibdnow9c7btw4"),
        Rule::json(PATH, 200, page_one()).without("pagination_token"),
    ])
    .await;
    let tl = result.expect("timeline");
    assert!(tl.warnings.is_empty(), "{:?}", tl.warnings);

    let ids: Vec<&str> = tl.posts.iter().map(|p| p.external_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "1860000000000000005",
            "1860000000000000004",
            "1860000000000000003",
            "1860000000000000002",
            "1860000000000000001"
        ]
    );
    let kinds: Vec<ContentType> = tl.posts.iter().map(|p| p.content_type.clone()).collect();
    assert_eq!(
        kinds,
        [
            ContentType::Text,
            ContentType::Image,
            ContentType::Video,
            ContentType::Carousel,
            ContentType::Other("audio_space".into())
        ]
    );
    let first = &tl.posts[0];
    assert_eq!(
        first.published_at,
        Some(Utc.with_ymd_and_hms(2026, 11, 20, 15, 0, 0).unwrap())
    );
    assert_eq!(first.caption.as_deref(), Some("post 1860000000000000005"));
    assert_eq!(
        first.permalink.as_deref(),
        Some("https://x.com/i/web/status/1860000000000000005")
    );

    let m = &tl.metrics;
    let p = "1860000000000000005";
    assert_eq!(value(m, p, "likes"), Some(Some(50.0)));
    assert_eq!(value(m, p, "replies"), Some(Some(2.0)));
    assert_eq!(value(m, p, "reposts"), Some(Some(3.0)));
    assert_eq!(value(m, p, "quotes"), Some(Some(1.0)));
    assert_eq!(value(m, p, "bookmarks"), Some(Some(4.0)));
    assert_eq!(value(m, p, "impressions"), Some(Some(1050.0)));
    assert_eq!(value(m, p, "video_views"), None, "text posts have no video views");
    // media view_count through attachments.media_keys
    assert_eq!(value(m, "1860000000000000003", "video_views"), Some(Some(321.0)));
    assert_eq!(
        value(m, "1860000000000000004", "video_views"),
        None,
        "a photo has no video views"
    );
    assert_eq!(
        value(m, "1860000000000000002", "video_views"),
        Some(Some(15.0)),
        "GIF views"
    );
    // counters a post lacks are None, never 0
    assert_eq!(value(m, "1860000000000000001", "likes"), Some(Some(2.0)));
    assert_eq!(value(m, "1860000000000000001", "impressions"), Some(None));
    assert_eq!(m.len(), 5 * 6 + 2);

    let seen = fake.seen_on(PATH);
    assert_eq!(seen.len(), 2, "{seen:?}");
    for s in &seen {
        assert_eq!(s.param("start_time"), Some("2026-10-24T00:00:00Z"));
        assert_eq!(s.param("max_results"), Some("100"));
        assert_eq!(
            s.param("tweet.fields"),
            Some("created_at,public_metrics,attachments,conversation_id")
        );
        assert_eq!(s.param("expansions"), Some("attachments.media_keys"));
        assert_eq!(
            s.param("media.fields"),
            Some("type,duration_ms,public_metrics,preview_image_url,url")
        );
    }
    assert_eq!(seen[0].param("pagination_token"), None);
    assert_eq!(seen[1].param("pagination_token"), Some("7140dibdnow9c7btw4"));
}

#[tokio::test]
async fn a_repeated_next_token_stops_the_walk() {
    let mut again = page_two();
    again["meta"]["next_token"] = json!("7140dibdnow9c7btw4");
    let (fake, result) = walk(vec![
        Rule::json(PATH, 200, again).with_query("pagination_token", "7140dibdnow9c7btw4"),
        Rule::json(PATH, 200, page_one()).without("pagination_token"),
    ])
    .await;
    let tl = result.expect("timeline");
    assert_eq!(fake.seen_on(PATH).len(), 2, "the repeated token is not followed");
    assert_eq!(tl.posts.len(), 5);
    assert_eq!(tl.warnings.len(), 1, "{:?}", tl.warnings);
    assert_eq!(tl.warnings[0].code, "pagination_loop");
    assert_eq!(tl.warnings[0].level, EventLevel::Warn);
}

#[tokio::test]
async fn a_page_with_no_new_posts_stops_the_walk() {
    // A replaying server answers the same page whatever the token.
    let mut same = page_one();
    same["meta"]["next_token"] = json!("another-token");
    let (fake, result) = walk(vec![
        Rule::json(PATH, 200, same).with_query("pagination_token", "7140dibdnow9c7btw4"),
        Rule::json(PATH, 200, page_one()).without("pagination_token"),
    ])
    .await;
    let tl = result.expect("timeline");
    assert_eq!(fake.seen_on(PATH).len(), 2);
    assert_eq!(tl.posts.len(), 3, "posts are kept once");
    assert_eq!(tl.metrics.len(), 3 * 6 + 1, "metrics are kept once");
    assert_eq!(tl.warnings.len(), 1);
    assert_eq!(tl.warnings[0].code, "pagination_stalled");
}

#[tokio::test]
async fn the_walk_stops_at_the_page_cap() {
    let mut rules = Vec::new();
    for i in 0..=MAX_TIMELINE_PAGES + 2 {
        let body = json!({
            "data": [tweet(&format!("{}", 1000 + i), "2026-11-01T00:00:00.000Z", 1)],
            "meta": {"result_count": 1, "next_token": format!("t{}", i + 1)}
        });
        let rule = Rule::json(PATH, 200, body);
        rules.push(if i == 0 {
            rule.without("pagination_token")
        } else {
            rule.with_query("pagination_token", &format!("t{i}"))
        });
    }
    let (fake, result) = walk(rules).await;
    let tl = result.expect("timeline");
    assert_eq!(fake.seen_on(PATH).len() as u32, MAX_TIMELINE_PAGES);
    assert_eq!(tl.posts.len() as u32, MAX_TIMELINE_PAGES);
    assert_eq!(tl.warnings.len(), 1);
    assert_eq!(tl.warnings[0].code, "page_cap");
    assert!(
        tl.warnings[0].message.contains("40 pages"),
        "{}",
        tl.warnings[0].message
    );
}

#[tokio::test]
async fn a_failed_later_page_keeps_what_was_read() {
    let (fake, result) = walk(vec![
        Rule::raw(PATH, 503, "text/html", "<html><body>Over capacity</body></html>")
            .with_query("pagination_token", "7140dibdnow9c7btw4"),
        Rule::json(PATH, 200, page_one()).without("pagination_token"),
    ])
    .await;
    let tl = result.expect("timeline");
    assert_eq!(fake.seen_on(PATH).len(), 2);
    assert_eq!(tl.posts.len(), 3);
    assert_eq!(tl.warnings.len(), 1);
    assert_eq!(tl.warnings[0].code, "http_503");
    assert!(tl.warnings[0].message.contains("page 2"), "{}", tl.warnings[0].message);
}

#[tokio::test]
async fn a_failed_first_page_is_an_error() {
    let (_, result) = walk(vec![Rule::raw(
        PATH,
        200,
        "application/json",
        "{\"data\":[{\"id\":\"1\",\"text\":",
    )])
    .await;
    let err = result.expect_err("truncated first page");
    assert!(
        matches!(err, PlatformError::Decode { ref endpoint, .. } if endpoint == PATH),
        "{err:?}"
    );

    let (_, result) = walk(vec![Rule::json(
        PATH,
        200,
        json!({"data": [{"text": "no id"}], "meta": {}}),
    )])
    .await;
    assert!(matches!(result, Err(PlatformError::Decode { .. })), "{result:?}");
}

#[tokio::test]
async fn an_empty_last_page_has_no_data() {
    let (_, result) = walk(vec![Rule::json(
        PATH,
        200,
        json!({"meta": {"result_count": 0, "previous_token": "77qp8"}}),
    )])
    .await;
    let tl = result.expect("empty timeline");
    assert!(tl.posts.is_empty() && tl.metrics.is_empty() && tl.warnings.is_empty());
}

#[tokio::test]
async fn partial_errors_of_a_page_are_gap_warnings() {
    let mut body = page_two();
    body["errors"] = json!([{
        "value": "1860000000000000000", "detail": "Could not find tweet with referenced_tweets.id: [1860000000000000000].",
        "title": "Not Found Error", "resource_type": "tweet", "parameter": "referenced_tweets.id",
        "resource_id": "1860000000000000000", "type": "https://api.x.com/2/problems/resource-not-found"
    }]);
    let (_, result) = walk(vec![Rule::json(PATH, 200, body)]).await;
    let tl = result.expect("timeline");
    assert_eq!(tl.posts.len(), 2);
    assert_eq!(tl.warnings.len(), 1);
    assert_eq!(tl.warnings[0].level, EventLevel::Gap);
    assert_eq!(tl.warnings[0].code, "not_found");
}
