//! The Bluesky client end to end over HTTP: `collect` and the author-feed walk against a
//! replaying sandbox fed with exchanges written here from the lexicons (bad input
//! included: a truncated body, XRPC error envelopes, a 429 without headers, a repeating
//! cursor, unknown `$type`s), and the session flow, the seeded feed and the handle lookup
//! against the seeded sandbox. A request no exchange matches gets the sandbox's 404, so an
//! unexpected call fails loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alcance_core::{AccountRef, ContentType, EventLevel, MediaKind, Platform};
use alcance_platforms::bluesky::BlueskyClient;
use alcance_platforms::governor::{ApiFamily, Governor, RequestKey, TokenFingerprint};
use alcance_platforms::registry::{self, Follow, Lookup};
use alcance_platforms::{CollectCtx, CollectWindow, Endpoints, Http, PlatformClient, PlatformError, Recorder};
use alcance_sandbox::{Sandbox, SandboxConfig};
use chrono::{DateTime, Duration, TimeZone, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;

const DID: &str = "did:plc:ewvi7nxzyoun6zhxrhs64oiz";
const HANDLE: &str = "atproto.com";
const OTHER: &str = "did:plc:z72i7hdynmk6r22z27h6tvur";

fn until() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn ctx(owned: bool) -> CollectCtx {
    CollectCtx {
        account: AccountRef {
            platform: Platform::Bluesky,
            external_id: DID.into(),
            username: Some(HANDLE.into()),
            owned,
        },
        token: SecretString::from("bluesky-access-jwt-not-sent".to_string()),
        window: CollectWindow {
            since: until() - Duration::days(30),
            until: until(),
        },
        recorder: Recorder::new(),
    }
}

/// Writes one exchange file (the shared fixtures' format) into `dir`.
fn exchange(dir: &Path, name: &str, method: &str, query: Value, status: u16, headers: Value, body: Value) {
    let mut response = json!({ "status": status, "headers": headers });
    match body {
        Value::String(text) => response["body_text"] = json!(text),
        body => response["body"] = body,
    }
    let doc = json!({
        "platform": "bluesky",
        "source": { "repo": "alcance/tests", "path": "bluesky_collect.rs", "commit": null, "license": "MIT" },
        "note": name,
        "request": { "method": "GET", "host": "public.api.bsky.app", "path": format!("/xrpc/{method}"), "query": query, "body": null },
        "request_inferred": false,
        "response": response,
    });
    std::fs::write(
        dir.join(format!("{name}.json")),
        serde_json::to_vec_pretty(&doc).unwrap(),
    )
    .unwrap();
}

fn json_headers() -> Value {
    json!({ "content-type": "application/json; charset=utf-8" })
}

fn profile_answer(dir: &Path) {
    exchange(
        dir,
        "profile",
        "app.bsky.actor.getProfile",
        json!({ "actor": DID }),
        200,
        json!({
            "content-type": "application/json; charset=utf-8",
            "ratelimit-limit": "3000", "ratelimit-remaining": "2",
            "ratelimit-reset": "4102444800", "ratelimit-policy": "3000;w=300"
        }),
        json!({
            "did": DID, "handle": HANDLE, "displayName": "AT Protocol",
            "createdAt": "2023-04-20T00:00:00.000Z",
            "followersCount": 41000, "followsCount": 12, "postsCount": 320
        }),
    );
}

fn post(rkey: &str, author: &str, created: &str, record_extra: Value, counts: [u64; 4]) -> Value {
    let mut record = json!({ "$type": "app.bsky.feed.post", "createdAt": created, "text": format!("post {rkey}") });
    if let (Some(r), Some(extra)) = (record.as_object_mut(), record_extra.as_object()) {
        r.extend(extra.clone());
    }
    json!({
        "uri": format!("at://{author}/app.bsky.feed.post/{rkey}"),
        "cid": format!("bafy{rkey}"),
        "author": { "did": author, "handle": "someone.bsky.social" },
        "record": record,
        "likeCount": counts[0], "repostCount": counts[1], "replyCount": counts[2], "quoteCount": counts[3],
        "indexedAt": created,
    })
}

fn feed_query(cursor: Option<&str>) -> Value {
    let mut q = json!({ "actor": DID, "limit": "100", "filter": "posts_with_replies" });
    if let Some(c) = cursor {
        q["cursor"] = json!(c);
    }
    q
}

fn uri(rkey: &str) -> String {
    format!("at://{DID}/app.bsky.feed.post/{rkey}")
}

async fn replay(dir: &Path) -> (Sandbox, BlueskyClient) {
    let sandbox = Sandbox::start(SandboxConfig::replay(dir)).await.expect("sandbox");
    let client = BlueskyClient::new(Http::new().expect("http"), Endpoints::sandbox(&sandbox.base_url()));
    (sandbox, client)
}

fn feed_requests(rec: &Recorder) -> usize {
    rec.take()
        .iter()
        .filter(|e| e.url.contains("app.bsky.feed.getAuthorFeed"))
        .count()
}

#[tokio::test]
async fn collect_reads_counters_and_own_posts_and_keeps_reposts_apart() {
    let dir = tempfile::tempdir().unwrap();
    profile_answer(dir.path());
    exchange(
        dir.path(),
        "feed-1",
        "app.bsky.feed.getAuthorFeed",
        feed_query(None),
        200,
        json_headers(),
        json!({
            "feed": [
                { "post": post("3text", DID, "2026-11-22T20:00:00.000Z", json!({}), [40, 5, 3, 1]) },
                { "post": post("3theirs", OTHER, "2026-11-21T12:00:00.000Z", json!({}), [900, 80, 10, 2]),
                  "reason": { "$type": "app.bsky.feed.defs#reasonRepost", "by": { "did": DID, "handle": HANDLE }, "indexedAt": "2026-11-21T13:00:00.000Z" } },
                { "post": post("3reply", DID, "2026-11-20T10:00:00.000Z",
                    json!({ "reply": { "root": { "uri": "at://x/app.bsky.feed.post/r", "cid": "c" }, "parent": { "uri": "at://x/app.bsky.feed.post/r", "cid": "c" } } }), [2, 0, 1, 0]) },
                { "post": post("3quote", DID, "2026-11-19T10:00:00.000Z",
                    json!({ "embed": { "$type": "app.bsky.embed.record", "record": { "uri": "at://x/app.bsky.feed.post/q", "cid": "c" } } }), [7, 1, 0, 0]) }
            ],
            "cursor": "c1"
        }),
    );
    exchange(
        dir.path(),
        "feed-2",
        "app.bsky.feed.getAuthorFeed",
        feed_query(Some("c1")),
        200,
        json_headers(),
        json!({
            "feed": [
                { "post": post("3image", DID, "2026-11-10T10:00:00.000Z",
                    json!({ "embed": { "$type": "app.bsky.embed.images", "images": [{ "alt": "" }, { "alt": "" }] } }), [12, 2, 0, 0]) },
                { "post": post("3old", DID, "2026-09-01T10:00:00.000Z", json!({}), [99, 9, 9, 9]) }
            ],
            "cursor": "c2"
        }),
    );
    let (sandbox, client) = replay(dir.path()).await;
    let c = ctx(true);
    let batch = client.collect(&c).await.expect("collect");
    let profile = batch.profile.as_ref().expect("profile");
    assert_eq!(
        (profile.external_id.as_str(), profile.username.as_deref()),
        (DID, Some(HANDLE))
    );
    let account: Vec<(&str, Option<f64>)> = batch
        .account_metrics
        .iter()
        .map(|m| (m.metric.as_str(), m.value))
        .collect();
    assert_eq!(
        account,
        vec![
            ("followers", Some(41000.0)),
            ("following", Some(12.0)),
            ("media_count", Some(320.0))
        ]
    );
    let posts: Vec<(&str, &ContentType)> = batch
        .posts
        .iter()
        .map(|p| (p.external_id.as_str(), &p.content_type))
        .collect();
    let (text, reply, quote, image) = (uri("3text"), uri("3reply"), uri("3quote"), uri("3image"));
    assert_eq!(
        posts,
        vec![
            (text.as_str(), &ContentType::Text),
            (reply.as_str(), &ContentType::Other("reply".into())),
            (quote.as_str(), &ContentType::Other("quote".into())),
            (image.as_str(), &ContentType::Carousel),
        ],
        "own posts in the window; the repost and the post older than the window are not stored"
    );
    let keys: std::collections::BTreeSet<&str> = batch.post_metrics.iter().map(|m| m.metric.as_str()).collect();
    assert_eq!(
        keys.into_iter().collect::<Vec<_>>(),
        vec!["likes", "quotes", "replies", "reposts"]
    );
    assert!(batch.post_metrics.iter().all(|m| !m.post_external_id.contains(OTHER)));
    let reposts = batch
        .warnings
        .iter()
        .find(|w| w.code == "reposts_skipped")
        .expect("reposts noted");
    assert_eq!(reposts.level, EventLevel::Info);
    assert!(reposts.message.contains("reposted 1 posts"), "{}", reposts.message);
    assert!(batch.stopped.is_none());
    // The walk stopped at the page that passed the window's start, without a third call.
    assert_eq!(feed_requests(&c.recorder), 2);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_repeating_cursor_stops_the_walk_instead_of_looping() {
    let dir = tempfile::tempdir().unwrap();
    profile_answer(dir.path());
    exchange(
        dir.path(),
        "feed-1",
        "app.bsky.feed.getAuthorFeed",
        feed_query(None),
        200,
        json_headers(),
        json!({ "feed": [{ "post": post("3a", DID, "2026-11-22T20:00:00.000Z", json!({}), [1, 0, 0, 0]) }], "cursor": "same" }),
    );
    exchange(
        dir.path(),
        "feed-2",
        "app.bsky.feed.getAuthorFeed",
        feed_query(Some("same")),
        200,
        json_headers(),
        json!({ "feed": [{ "post": post("3b", DID, "2026-11-21T20:00:00.000Z", json!({}), [1, 0, 0, 0]) }], "cursor": "same" }),
    );
    let (sandbox, client) = replay(dir.path()).await;
    let rec = Recorder::new();
    let feed = client
        .author_feed(DID, until() - Duration::days(30), &rec)
        .await
        .expect("feed");
    assert_eq!(feed.posts.len(), 2);
    let w = feed
        .warnings
        .iter()
        .find(|w| w.code == "pagination_loop")
        .expect("loop warning");
    assert!(w.message.contains("app.bsky.feed.getAuthorFeed"), "{}", w.message);
    assert_eq!(feed_requests(&rec), 2, "two pages, then stop");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_malformed_feed_body_is_a_decode_warning_and_the_profile_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    profile_answer(dir.path());
    exchange(
        dir.path(),
        "feed-1",
        "app.bsky.feed.getAuthorFeed",
        feed_query(None),
        200,
        json_headers(),
        json!("{\"feed\": [{\"post\": {\"uri\": \"at://"),
    );
    let (sandbox, client) = replay(dir.path()).await;
    let rec = Recorder::new();
    match client.author_feed(DID, until() - Duration::days(30), &rec).await {
        Err(PlatformError::Decode { endpoint, .. }) => assert_eq!(endpoint, "/xrpc/app.bsky.feed.getAuthorFeed"),
        other => panic!("{other:?}"),
    }
    let batch = client
        .collect(&ctx(true))
        .await
        .expect("the profile alone is a collection");
    assert!(batch.profile.is_some() && batch.account_metrics.len() == 3);
    assert!(batch.posts.is_empty());
    let w = batch
        .warnings
        .iter()
        .find(|w| w.code == "decode")
        .expect("decode warning");
    assert!(w.message.contains("app.bsky.feed.getAuthorFeed"), "{}", w.message);
    assert!(batch.stopped.is_none());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn xrpc_error_envelopes_become_the_callers_variants() {
    let dir = tempfile::tempdir().unwrap();
    exchange(
        dir.path(),
        "profile-401",
        "app.bsky.actor.getProfile",
        json!({ "actor": DID }),
        401,
        json_headers(),
        json!({ "error": "InvalidToken", "message": "Bad token scope" }),
    );
    exchange(
        dir.path(),
        "profile-400",
        "app.bsky.actor.getProfile",
        json!({ "actor": "nobody.bsky.social" }),
        400,
        json_headers(),
        json!({ "error": "InvalidRequest", "message": "Profile not found" }),
    );
    exchange(
        dir.path(),
        "resolve-400",
        "com.atproto.identity.resolveHandle",
        json!({ "handle": "nobody.bsky.social" }),
        400,
        json_headers(),
        json!({ "error": "InvalidRequest", "message": "Unable to resolve handle" }),
    );
    let (sandbox, client) = replay(dir.path()).await;
    match client.collect(&ctx(false)).await {
        Err(PlatformError::Unauthorized { message }) => {
            assert_eq!(message, "app.bsky.actor.getProfile: InvalidToken: Bad token scope");
        }
        other => panic!("{other:?}"),
    }
    let rec = Recorder::new();
    assert!(matches!(
        client.profile("nobody.bsky.social", &rec).await,
        Err(PlatformError::NotFound { .. })
    ));
    match client.resolve_handle("@nobody.bsky.social", &rec).await {
        Err(PlatformError::NotFound { message }) => assert!(message.starts_with("com.atproto.identity.resolveHandle:")),
        other => panic!("{other:?}"),
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_429_without_headers_on_page_two_keeps_page_one() {
    let dir = tempfile::tempdir().unwrap();
    profile_answer(dir.path());
    exchange(
        dir.path(),
        "feed-1",
        "app.bsky.feed.getAuthorFeed",
        feed_query(None),
        200,
        json_headers(),
        json!({ "feed": [{ "post": post("3a", DID, "2026-11-22T20:00:00.000Z", json!({}), [1, 0, 0, 0]) }], "cursor": "c1" }),
    );
    exchange(
        dir.path(),
        "feed-2",
        "app.bsky.feed.getAuthorFeed",
        feed_query(Some("c1")),
        429,
        json!({}),
        json!({ "error": "RateLimitExceeded", "message": "Rate Limit Exceeded" }),
    );
    let (sandbox, client) = replay(dir.path()).await;
    let batch = client.collect(&ctx(true)).await.expect("collect");
    assert_eq!(batch.posts.len(), 1, "page one kept");
    let stopped = batch.stopped.as_ref().expect("stopped");
    assert!(stopped.rate_limited && !stopped.needs_reauth);
    assert_eq!(stopped.retry_after_seconds, None, "no header said when");
    assert!(
        stopped.message.contains("app.bsky.feed.getAuthorFeed"),
        "{}",
        stopped.message
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn unknown_types_are_reported_and_the_rest_of_the_page_kept() {
    let dir = tempfile::tempdir().unwrap();
    profile_answer(dir.path());
    exchange(
        dir.path(),
        "feed-1",
        "app.bsky.feed.getAuthorFeed",
        feed_query(None),
        200,
        json_headers(),
        json!({ "feed": [
            { "post": post("3new", DID, "2026-11-22T20:00:00.000Z", json!({}), [1, 0, 0, 0]),
              "reason": { "$type": "app.bsky.feed.defs#reasonSomethingNew", "indexedAt": "2026-11-22T20:00:00.000Z" } },
            { "post": post("3holo", DID, "2026-11-21T20:00:00.000Z", json!({ "embed": { "$type": "app.bsky.embed.hologram" } }), [3, 0, 0, 0]) },
            { "post": { "cid": "no-uri", "author": { "did": DID } } },
            { "post": post("3ok", DID, "2026-11-20T20:00:00.000Z", json!({}), [5, 0, 0, 0]) }
        ] }),
    );
    let (sandbox, client) = replay(dir.path()).await;
    let batch = client.collect(&ctx(true)).await.expect("collect");
    let posts: Vec<(String, ContentType)> = batch
        .posts
        .iter()
        .map(|p| (p.external_id.clone(), p.content_type.clone()))
        .collect();
    assert_eq!(
        posts,
        vec![
            (uri("3holo"), ContentType::Other("app.bsky.embed.hologram".into())),
            (uri("3ok"), ContentType::Text)
        ]
    );
    let gaps: Vec<&str> = batch
        .warnings
        .iter()
        .filter(|w| w.level == EventLevel::Gap)
        .map(|w| w.code.as_str())
        .collect();
    assert_eq!(gaps, vec!["unknown_type", "unknown_type", "decode"]);
    assert!(batch
        .warnings
        .iter()
        .filter(|w| w.level == EventLevel::Gap)
        .all(|w| w.message.contains("app.bsky.feed.getAuthorFeed")));
    sandbox.shutdown().await;
}

/// A post view with its hydrated `embed` view.
fn with_view(mut post: Value, embed: Value) -> Value {
    post["embed"] = embed;
    post
}

/// The CDN URL of a picture the AppView serves (`feed_thumbnail`, `video.bsky.app`, ...).
fn cdn(path: &str) -> String {
    format!("https://cdn.bsky.app/img/{path}@jpeg")
}

/// Each own post's picture from its embed view (written from the lexicons
/// `app.bsky.embed.{images,video,external,recordWithMedia}#view`), with the odd cases a
/// lenient reader must survive; a repost's picture and a picture of a post older than the
/// window are not kept.
#[tokio::test]
async fn collect_keeps_each_own_posts_picture_from_its_embed_view() {
    let dir = tempfile::tempdir().unwrap();
    profile_answer(dir.path());
    let images = |rkey: &str| {
        json!({ "$type": "app.bsky.embed.images#view", "images": [
            { "thumb": cdn(&format!("feed_thumbnail/plain/{DID}/{rkey}-1")), "fullsize": cdn(&format!("feed_fullsize/plain/{DID}/{rkey}-1")), "alt": "" },
            { "thumb": cdn(&format!("feed_thumbnail/plain/{DID}/{rkey}-2")), "fullsize": cdn(&format!("feed_fullsize/plain/{DID}/{rkey}-2")), "alt": "" }
        ] })
    };
    let video = json!({ "$type": "app.bsky.embed.video#view", "cid": "bafyvideo",
        "playlist": format!("https://video.bsky.app/watch/{DID}/bafyvideo/playlist.m3u8"),
        "thumbnail": format!("https://video.bsky.app/watch/{DID}/bafyvideo/thumbnail.jpg") });
    let feed = json!({ "feed": [
        { "post": with_view(post("3img", DID, "2026-11-22T20:00:00.000Z", json!({}), [1, 0, 0, 0]), images("3img")) },
        { "post": with_view(post("3vid", DID, "2026-11-22T19:00:00.000Z", json!({}), [1, 0, 0, 0]), video.clone()) },
        { "post": with_view(post("3card", DID, "2026-11-22T18:00:00.000Z", json!({}), [1, 0, 0, 0]),
            json!({ "$type": "app.bsky.embed.external#view", "external": {
                "uri": "https://atproto.com/blog", "title": "Blog", "description": "",
                "thumb": cdn(&format!("feed_thumbnail/plain/{DID}/card")) } })) },
        { "post": with_view(post("3qimg", DID, "2026-11-22T17:00:00.000Z", json!({}), [1, 0, 0, 0]),
            json!({ "$type": "app.bsky.embed.recordWithMedia#view",
                    "record": { "record": { "$type": "app.bsky.embed.record#viewRecord", "uri": "at://x/app.bsky.feed.post/q",
                        "embeds": [images("quoted")] } },
                    "media": images("3qimg") })) },
        { "post": with_view(post("3qvid", DID, "2026-11-22T16:00:00.000Z", json!({}), [1, 0, 0, 0]),
            json!({ "$type": "app.bsky.embed.recordWithMedia#view", "record": {}, "media": video })) },
        // A quote of a post with a picture: the picture is the quoted post's, not kept.
        { "post": with_view(post("3quote", DID, "2026-11-22T15:00:00.000Z", json!({}), [1, 0, 0, 0]),
            json!({ "$type": "app.bsky.embed.record#view", "record": { "$type": "app.bsky.embed.record#viewRecord",
                "uri": "at://x/app.bsky.feed.post/q", "embeds": [images("quoted")] } })) },
        // The first image without a thumb: the next one that has one.
        { "post": with_view(post("3second", DID, "2026-11-22T14:00:00.000Z", json!({}), [1, 0, 0, 0]),
            json!({ "$type": "app.bsky.embed.images#view", "images": [
                { "fullsize": cdn("feed_fullsize/plain/x/nothumb"), "alt": "" },
                { "thumb": cdn("feed_thumbnail/plain/x/second"), "alt": "" } ] })) },
        { "post": with_view(post("3card0", DID, "2026-11-22T13:00:00.000Z", json!({}), [1, 0, 0, 0]),
            json!({ "$type": "app.bsky.embed.external#view", "external": { "uri": "https://example.com", "title": "", "description": "" } })) },
        { "post": with_view(post("3novthumb", DID, "2026-11-22T12:00:00.000Z", json!({}), [1, 0, 0, 0]),
            json!({ "$type": "app.bsky.embed.video#view", "cid": "c", "playlist": "https://video.bsky.app/p.m3u8" })) },
        { "post": with_view(post("3js", DID, "2026-11-22T11:00:00.000Z", json!({}), [1, 0, 0, 0]),
            json!({ "$type": "app.bsky.embed.images#view", "images": [{ "thumb": "javascript:alert(1)" }] })) },
        { "post": with_view(post("3blob", DID, "2026-11-22T10:00:00.000Z", json!({}), [1, 0, 0, 0]),
            json!({ "$type": "app.bsky.embed.images#view", "images": [{ "thumb": { "$link": "bafkrei" } }] })) },
        { "post": with_view(post("3holo", DID, "2026-11-22T09:00:00.000Z", json!({}), [1, 0, 0, 0]),
            json!({ "$type": "app.bsky.embed.hologram#view", "thumb": cdn("x/holo") })) },
        { "post": with_view(post("3notype", DID, "2026-11-22T08:00:00.000Z", json!({}), [1, 0, 0, 0]),
            json!({ "images": [{ "thumb": cdn("x/notype") }] })) },
        { "post": with_view(post("3str", DID, "2026-11-22T07:00:00.000Z", json!({}), [1, 0, 0, 0]), json!("images")) },
        { "post": with_view(post("3theirs", OTHER, "2026-11-21T12:00:00.000Z", json!({}), [900, 80, 10, 2]), images("3theirs")),
          "reason": { "$type": "app.bsky.feed.defs#reasonRepost", "by": { "did": DID, "handle": HANDLE }, "indexedAt": "2026-11-21T13:00:00.000Z" } },
        { "post": with_view(post("3old", DID, "2026-09-01T10:00:00.000Z", json!({}), [1, 0, 0, 0]), images("3old")) }
    ] });
    exchange(
        dir.path(),
        "feed-1",
        "app.bsky.feed.getAuthorFeed",
        feed_query(None),
        200,
        json_headers(),
        feed,
    );
    let (sandbox, client) = replay(dir.path()).await;
    let batch = client.collect(&ctx(true)).await.expect("collect");
    assert_eq!(
        batch.posts.len(),
        14,
        "every own post in the window is kept, picture or not"
    );
    let media: Vec<(String, MediaKind, String)> = batch
        .media
        .iter()
        .map(|m| (m.post_external_id.clone(), m.kind, m.url.clone()))
        .collect();
    let thumb = |rkey: &str| cdn(&format!("feed_thumbnail/plain/{DID}/{rkey}-1"));
    let video_thumbnail = format!("https://video.bsky.app/watch/{DID}/bafyvideo/thumbnail.jpg");
    assert_eq!(
        media,
        vec![
            (uri("3img"), MediaKind::Image, thumb("3img")),
            (uri("3vid"), MediaKind::Thumbnail, video_thumbnail.clone()),
            (
                uri("3card"),
                MediaKind::Thumbnail,
                cdn(&format!("feed_thumbnail/plain/{DID}/card"))
            ),
            (uri("3qimg"), MediaKind::Image, thumb("3qimg")),
            (uri("3qvid"), MediaKind::Thumbnail, video_thumbnail),
            (uri("3second"), MediaKind::Image, cdn("feed_thumbnail/plain/x/second")),
        ]
    );
    // A picture that cannot be read is no warning; the unknown embed types (hologram, no
    // `$type`, a string) are reported for the content type, as before.
    let mut codes: Vec<&str> = batch.warnings.iter().map(|w| w.code.as_str()).collect();
    codes.sort_unstable();
    assert_eq!(
        codes,
        vec!["reposts_skipped", "unknown_type", "unknown_type", "unknown_type"],
        "{:?}",
        batch.warnings
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_governor_reads_blueskys_ratelimit_headers() {
    let dir = tempfile::tempdir().unwrap();
    profile_answer(dir.path());
    let (sandbox, _) = replay(dir.path()).await;
    let governor = Arc::new(Governor::new());
    let http = Http::new().expect("http").with_governor(Arc::clone(&governor));
    let client = BlueskyClient::new(http, Endpoints::sandbox(&sandbox.base_url()));
    client.profile(DID, &Recorder::new()).await.expect("profile");
    let key = RequestKey {
        api: ApiFamily::Bluesky,
        endpoint: "/xrpc/app.bsky.actor.getProfile".to_string(),
        token: TokenFingerprint::none(),
    };
    let view = governor.budget(&key).expect("a budget for the AppView");
    assert_eq!(view.limit, Some(3000));
    assert!(view.remaining.is_some_and(|r| r <= 2), "{view:?}");
    assert!(view.reset_in.is_some(), "{view:?}");
    sandbox.shutdown().await;
}

async fn seeded() -> (Sandbox, Endpoints) {
    let sandbox = Sandbox::start(SandboxConfig::seeded(42)).await.expect("sandbox");
    sandbox.state().set_clock(Some(until()));
    let endpoints = Endpoints::sandbox(&sandbox.base_url());
    (sandbox, endpoints)
}

#[tokio::test]
async fn an_app_password_session_opens_refreshes_and_rotates() {
    let (sandbox, endpoints) = seeded().await;
    let client = BlueskyClient::new(Http::new().expect("http"), endpoints.clone());
    let rec = Recorder::new();
    // The account password is refused before any request is sent.
    let refused = client
        .create_session(
            "alcance.bsky.social",
            &SecretString::from("my account password".to_string()),
            &rec,
        )
        .await;
    assert!(matches!(refused, Err(PlatformError::Forbidden { .. })), "{refused:?}");
    assert!(rec.is_empty(), "nothing sent");
    let wrong = client
        .create_session(
            "someone.bsky.social",
            &SecretString::from("abcd-efgh-ijkl-mnop".to_string()),
            &rec,
        )
        .await;
    assert!(matches!(wrong, Err(PlatformError::Unauthorized { .. })), "{wrong:?}");
    let session = client
        .create_session(
            "@alcance.bsky.social",
            &SecretString::from("demo-demo-demo-demo".to_string()),
            &rec,
        )
        .await
        .expect("session");
    assert_eq!(session.did, "did:plc:alcancebrdemoaccount2345");
    assert_eq!(session.handle, "alcance.bsky.social");
    let me = client.whoami(&session.access, &rec).await.expect("whoami");
    assert_eq!(me.external_id, session.did);
    // Archived exchanges never hold the password (a JSON body is not archived in URLs).
    assert!(rec.take().iter().all(|e| !e.url.contains("demo-demo")));
    let registry::Renewal::RefreshSession(refresh) = registry::get(Platform::Bluesky).renewal else {
        panic!("Bluesky renews its session")
    };
    let first = session.to_token_set(chrono::Utc::now());
    let set = refresh(&endpoints, &first).await.expect("refresh");
    assert_ne!(set.access_token.expose_secret(), session.access.expose_secret());
    assert_ne!(
        set.refresh_token.as_ref().map(|t| t.expose_secret().to_string()),
        Some(session.refresh.expose_secret().to_string()),
        "the refresh token rotates"
    );
    match refresh(&endpoints, &first).await {
        Err(PlatformError::Unauthorized { message }) => {
            assert_eq!(
                message,
                "com.atproto.server.refreshSession: ExpiredToken: Token has been revoked"
            );
        }
        other => panic!("the old refresh token is revoked: {other:?}"),
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_seeded_feed_collects_own_posts_and_a_tracked_profile_by_handle() {
    let (sandbox, endpoints) = seeded().await;
    let http = Http::new().expect("http");
    let client = BlueskyClient::new(http.clone(), endpoints.clone());
    let owned = CollectCtx {
        account: AccountRef {
            platform: Platform::Bluesky,
            external_id: "did:plc:alcancebrdemoaccount2345".into(),
            username: Some("alcance.bsky.social".into()),
            owned: true,
        },
        window: CollectWindow {
            since: until() - Duration::days(90),
            until: until(),
        },
        ..ctx(true)
    };
    let batch = client.collect(&owned).await.expect("collect");
    assert!(batch.posts.len() > 20, "{} posts", batch.posts.len());
    assert!(batch
        .posts
        .iter()
        .all(|p| p.external_id.starts_with("at://did:plc:alcancebrdemoaccount2345/")));
    assert!(batch.warnings.iter().any(|w| w.code == "reposts_skipped"));
    assert!(batch
        .posts
        .iter()
        .any(|p| p.content_type == ContentType::Other("reply".into())));
    assert_eq!(batch.post_metrics.len(), batch.posts.len() * 4);
    // The sandbox's pictures: an image post's first thumb as an image, a link card's thumb
    // as a thumbnail; text posts, replies and quotes have none.
    for m in &batch.media {
        let p = batch
            .posts
            .iter()
            .find(|p| p.external_id == m.post_external_id)
            .unwrap();
        let kind = match p.content_type {
            ContentType::Image => MediaKind::Image,
            ContentType::Link => MediaKind::Thumbnail,
            ref other => panic!("a picture for a {other:?} post: {m:?}"),
        };
        assert_eq!(m.kind, kind, "{m:?}");
        let rkey = p.external_id.rsplit('/').next().unwrap();
        assert!(
            m.url.contains("/__alcance/img/") && m.url.ends_with(&format!("{rkey}.png")),
            "{m:?}"
        );
    }
    let with_picture = |t: ContentType| batch.posts.iter().filter(|p| p.content_type == t).count();
    assert_eq!(
        batch.media.len(),
        with_picture(ContentType::Image) + with_picture(ContentType::Link)
    );
    assert!(batch.media.iter().any(|m| m.kind == MediaKind::Image));
    assert!(batch.media.iter().any(|m| m.kind == MediaKind::Thumbnail));
    // A deleted (unknown) post asked by URI is a not_found gap; the real one is read.
    let asked = vec![
        batch.posts[0].external_id.clone(),
        "at://did:plc:alcancebrdemoaccount2345/app.bsky.feed.post/3lbs990000000".to_string(),
    ];
    let read = client.posts(&asked, &Recorder::new()).await.expect("posts");
    let (posts, gaps) = (read.posts, read.gaps);
    assert_eq!(posts.len(), 1);
    assert_eq!(
        gaps.iter().map(|g| g.code.as_str()).collect::<Vec<_>>(),
        vec!["not_found"]
    );
    // Following by handle: no owned token needed by the lookup itself; `concorrente` is
    // taken as concorrente.bsky.social.
    let Follow::ByHandle { lookup, .. } = registry::get(Platform::Bluesky).follow else {
        panic!("Bluesky profiles can be followed")
    };
    let rec = Recorder::new();
    let profile = lookup(Lookup {
        http,
        endpoints: &endpoints,
        token: &SecretString::from("unused".to_string()),
        owner_external_id: "did:plc:alcancebrdemoaccount2345",
        handle: "concorrente",
        recorder: &rec,
    })
    .await
    .expect("lookup");
    assert_eq!(profile.external_id, "did:plc:concorrentepublicoperfil");
    assert_eq!(profile.username.as_deref(), Some("concorrente.bsky.social"));
    sandbox.shutdown().await;
}
