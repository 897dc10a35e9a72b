//! Recorded Reddit exchanges (`../shared/fixtures/reddit/*.json`, see its FILES.md)
//! decoded through the client's own DTOs and mapping, and checked field by field against
//! the recording. Files Alcance does not read are listed with the reason, so a new
//! recording fails the test until it is read or listed. Skips, saying so, when the folder
//! is absent (`ALCANCE_FIXTURES_DIR` moves it; under `CI` a missing folder fails).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::reddit_support;

use alcance_core::{ContentType, MediaKind, Period, Platform};
use alcance_platforms::http::Answer;
use alcance_platforms::oauth::{refresh, OAuthApp, RedirectConfig};
use alcance_platforms::reddit::{
    decode_about, decode_me, decode_submitted, decode_subreddit, map_error, provider, subreddit_metrics, user_metrics,
    RedditUser,
};
use alcance_platforms::PlatformError;
use chrono::{TimeZone, Utc};
use reddit_support::common::{fixtures_dir, json_files, read_json};
use reddit_support::{FakeReddit, Rule};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use std::time::Duration;

/// Recordings of endpoints Alcance does not call, and why.
const NOT_READ: &[(&str, &str)] = &[
    (
        "praw__inbox-sent_02.json",
        "private messages are not collected (no analytics in them)",
    ),
    (
        "praw__message-reply_02.json",
        "private messages are not collected (no analytics in them)",
    ),
    ("praw__message-reply_03.json", "Alcance only reads: it never comments"),
    (
        "praw__message-reply_08.json",
        "private messages are not collected (no analytics in them)",
    ),
    (
        "praw__redditor-notes-subreddits_03.json",
        "moderator notes are not collected",
    ),
    (
        "praw__subreddit-collections-moderation-create-empty-layout_03.json",
        "Alcance only reads: it never creates collections",
    ),
    (
        "praw__subreddit-submit-url-selftext_02.json",
        "Alcance only reads: it never submits",
    ),
];

struct Recording {
    file: String,
    doc: Value,
    answer: Answer,
}

fn headers_of(v: &Value) -> HeaderMap {
    let mut out = HeaderMap::new();
    for (k, v) in v.as_object().into_iter().flatten() {
        // Repeated headers (set-cookie) are arrays; Alcance reads none of them.
        if let (Ok(name), Some(Ok(value))) = (HeaderName::try_from(k.as_str()), v.as_str().map(HeaderValue::try_from)) {
            out.insert(name, value);
        }
    }
    out
}

fn load_all() -> Option<Vec<Recording>> {
    let Some(dir) = fixtures_dir("reddit") else {
        eprintln!("skipping: no Reddit fixtures folder (../shared/fixtures/reddit or $ALCANCE_FIXTURES_DIR/reddit)");
        return None;
    };
    let out: Vec<Recording> = json_files(&dir)
        .iter()
        .map(|path| {
            let doc = read_json(path);
            let res = &doc["response"];
            let body = match res.get("body_text").and_then(Value::as_str) {
                Some(text) => text.as_bytes().to_vec(),
                None => serde_json::to_vec(&res["body"]).expect("re-encode body"),
            };
            let answer = Answer {
                status: res["status"].as_u64().unwrap_or(0) as u16,
                headers: headers_of(&res["headers"]),
                body,
                endpoint: doc["request"]["path"].as_str().unwrap_or_default().to_string(),
            };
            Recording {
                file: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                doc,
                answer,
            }
        })
        .collect();
    assert!(!out.is_empty(), "{} holds no .json files", dir.display());
    Some(out)
}

fn at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 6, 0, 0, 0).unwrap()
}

fn unix(v: &Value) -> Option<i64> {
    v.as_f64().map(|s| s.trunc() as i64)
}

/// A user against its recorded account object (`/api/v1/me` itself, or a `t2`'s `data`).
fn check_user(f: &str, u: &RedditUser, a: &Value) {
    assert_eq!(u.name, a["name"].as_str().expect("name"), "{f}: name");
    assert_eq!(u.fullname, format!("t2_{}", a["id"].as_str().expect("id")), "{f}: id");
    assert_eq!(
        u.created_at.map(|t| t.timestamp()),
        unix(&a["created_utc"]),
        "{f}: created_utc"
    );
    assert_eq!(u.link_karma, a["link_karma"].as_f64(), "{f}: link_karma");
    assert_eq!(u.comment_karma, a["comment_karma"].as_f64(), "{f}: comment_karma");
    assert_eq!(u.total_karma, a["total_karma"].as_f64(), "{f}: total_karma");
    assert_eq!(
        u.followers,
        a["subreddit"]["subscribers"].as_f64(),
        "{f}: subreddit.subscribers"
    );
    assert_eq!(
        u.title.as_deref(),
        a["subreddit"]["title"].as_str(),
        "{f}: subreddit.title"
    );
    let avatar = a["snoovatar_img"]
        .as_str()
        .filter(|s| !s.is_empty())
        .or(a["icon_img"].as_str().filter(|s| !s.is_empty()));
    assert_eq!(u.avatar_url.as_deref(), avatar, "{f}: avatar");
    assert_eq!(
        u.suspended,
        a["is_suspended"].as_bool().unwrap_or(false),
        "{f}: is_suspended"
    );
    let (metrics, gaps) = user_metrics(u, at());
    assert!(gaps.is_empty(), "{f}: {gaps:?}");
    let value = |k: &str| metrics.iter().find(|m| m.metric == k).and_then(|m| m.value);
    assert_eq!(value("followers"), a["subreddit"]["subscribers"].as_f64(), "{f}");
    assert_eq!(value("karma_post"), a["link_karma"].as_f64(), "{f}");
    assert_eq!(value("karma_comment"), a["comment_karma"].as_f64(), "{f}");
    assert_eq!(value("karma_total"), a["total_karma"].as_f64(), "{f}");
    assert_eq!(metrics.len(), 4, "{f}");
    assert!(metrics
        .iter()
        .all(|m| m.period == Period::Snapshot && m.period_start == at()));
    let p = u.profile();
    assert_eq!(p.external_id, u.fullname);
    assert_eq!(p.username.as_deref(), Some(u.name.as_str()));
}

fn check_me(r: &Recording) {
    let u = decode_me(&r.answer).unwrap_or_else(|e| panic!("{}: {e}", r.file));
    check_user(&r.file, &u, &r.doc["response"]["body"]);
}

fn check_about(r: &Recording) {
    let body = &r.doc["response"]["body"];
    assert_eq!(body["kind"], "t2", "{}", r.file);
    let u = decode_about(&r.answer).unwrap_or_else(|e| panic!("{}: {e}", r.file));
    check_user(&r.file, &u, &body["data"]);
}

fn check_subreddit(r: &Recording) {
    let d = &r.doc["response"]["body"]["data"];
    let f = &r.file;
    let s = decode_subreddit(&r.answer).unwrap_or_else(|e| panic!("{f}: {e}"));
    assert_eq!(Some(s.fullname.as_str()), d["name"].as_str(), "{f}: name");
    assert_eq!(Some(s.name.as_str()), d["display_name"].as_str(), "{f}: display_name");
    assert_eq!(s.title.as_deref(), d["title"].as_str(), "{f}: title");
    assert_eq!(s.subscribers, d["subscribers"].as_f64(), "{f}: subscribers");
    assert_eq!(
        s.active_users,
        d["active_user_count"].as_f64(),
        "{f}: active_user_count"
    );
    assert_eq!(
        s.created_at.map(|t| t.timestamp()),
        unix(&d["created_utc"]),
        "{f}: created_utc"
    );
    assert_eq!(s.kind.as_deref(), d["subreddit_type"].as_str(), "{f}: subreddit_type");
    // Both icons are recorded empty: no icon, not "".
    assert_eq!(s.icon_url, None, "{f}: icon");
    let metrics = subreddit_metrics(&s, at());
    let value = |k: &str| metrics.iter().find(|m| m.metric == k).and_then(|m| m.value);
    assert_eq!(value("followers"), d["subscribers"].as_f64(), "{f}");
    assert_eq!(value("active_users"), d["active_user_count"].as_f64(), "{f}");
    let p = s.profile();
    assert_eq!(p.username, Some(format!("r/{}", s.name)));
    assert!(p.external_id.starts_with("t5_"));
}

/// A listing of `t3` (the submitted listing, or the post of a `/comments/{id}` answer),
/// field by field.
fn check_listing(f: &str, answer: &Answer, listing: &Value) {
    let page = decode_submitted(answer).unwrap_or_else(|e| panic!("{f}: {e}"));
    let children = listing["data"]["children"].as_array().expect("children");
    assert_eq!(page.posts.len(), children.len(), "{f}");
    assert_eq!(page.after.as_deref(), listing["data"]["after"].as_str(), "{f}: after");
    let mut oldest: Option<i64> = None;
    for (post, child) in page.posts.iter().zip(children) {
        let d = &child["data"];
        let id = d["id"].as_str().expect("id");
        assert_eq!(post.external_id, id, "{f}");
        assert_eq!(post.caption.as_deref(), d["title"].as_str(), "{f}: title");
        let created = unix(&d["created_utc"]);
        assert_eq!(post.published_at.map(|t| t.timestamp()), created, "{f}: created_utc");
        oldest = match (oldest, created) {
            (Some(o), Some(c)) => Some(o.min(c)),
            (o, c) => o.or(c),
        };
        assert_eq!(
            post.permalink,
            d["permalink"].as_str().map(|p| format!("https://www.reddit.com{p}")),
            "{f}: permalink"
        );
        let want_type = if d["is_self"].as_bool() == Some(true) {
            ContentType::Text
        } else {
            ContentType::Link
        };
        assert_eq!(post.content_type, want_type, "{f}: {id}");
        let value = |k: &str| {
            page.metrics
                .iter()
                .find(|m| m.post_external_id == id && m.metric == k)
                .and_then(|m| m.value)
        };
        assert_eq!(value("score"), d["score"].as_f64(), "{f}: {id} score");
        assert_eq!(value("likes"), d["ups"].as_f64(), "{f}: {id} ups");
        assert_eq!(
            value("upvote_ratio"),
            d["upvote_ratio"].as_f64(),
            "{f}: {id} upvote_ratio"
        );
        assert_eq!(value("comments"), d["num_comments"].as_f64(), "{f}: {id} num_comments");
        assert_eq!(
            value("reposts"),
            d["num_crossposts"].as_f64(),
            "{f}: {id} num_crossposts"
        );
        let removed = d["removed_by_category"].as_str().is_some();
        assert_eq!(
            page.warnings
                .iter()
                .any(|w| w.code == "removed" && w.message.contains(id)),
            removed,
            "{f}: {id} removed_by_category"
        );
    }
    assert_eq!(page.oldest.map(|t| t.timestamp()), oldest, "{f}: oldest");
    assert!(
        page.warnings.iter().all(|w| w.code == "removed"),
        "{f}: {:?}",
        page.warnings
    );
}

fn check_submitted(r: &Recording) {
    check_listing(&r.file, &r.answer, &r.doc["response"]["body"]);
}

/// `/comments/{id}` answers `[post listing, comments listing]`: Alcance does not call it,
/// but its post is the only recent `t3` recorded (2025, removed by Reddit), so its listing
/// is read as a submitted page and the comments listing (`t1`) is left alone.
fn check_comments_post(r: &Recording) {
    let post_listing = r.doc["response"]["body"][0].clone();
    let answer = Answer {
        body: serde_json::to_vec(&post_listing).unwrap(),
        ..r.answer.clone()
    };
    check_listing(&r.file, &answer, &post_listing);
}

fn check_error(r: &Recording) {
    let e = map_error(&r.answer);
    let body = &r.doc["response"]["body"];
    let path = r.answer.endpoint.as_str();
    match (r.answer.status, &e) {
        (401, PlatformError::Unauthorized { message }) => {
            assert!(message.contains(path), "{message}");
            assert!(
                message.contains(body["message"].as_str().expect("message")),
                "{message}"
            );
            assert!(message.contains("invalid_token"), "www-authenticate: {message}");
        }
        (403, PlatformError::Forbidden { message }) => {
            assert!(message.contains(path) && message.contains("Forbidden"), "{message}");
        }
        (429, PlatformError::RateLimited { retry_after, message }) => {
            // Reddit's HTML page with `retry-after: 4`.
            assert_eq!(*retry_after, Some(Duration::from_secs(4)), "{}", r.file);
            assert!(message.contains(path) && message.contains("429"), "{message}");
        }
        other => panic!("{}: unexpected mapping {other:?}", r.file),
    }
}

/// A recorded answer of `www.reddit.com/api/v1/access_token`, served by a fake token
/// endpoint and read by the refresh Alcance runs: every field lands in the token set;
/// refusals (an `error` with HTTP 200, a 429) are OAuth errors naming the endpoint.
async fn check_token_answer(r: &Recording) {
    let res = &r.doc["response"];
    let body = res["body"].clone();
    let rule = Rule::json("/api/v1/access_token", r.answer.status, body.clone()).post();
    let fake = FakeReddit::start(vec![rule]).await;
    let app = OAuthApp {
        platform: Platform::Reddit,
        client_id: "fixture-client-id".into(),
        client_secret: None,
        scopes: Vec::new(),
        redirect: RedirectConfig::fixed(8725),
    };
    let before = Utc::now();
    let result = refresh(
        &app,
        &provider(&fake.endpoints()),
        &SecretString::from("old-refresh".to_string()),
    )
    .await;
    let seen = fake.seen_on("/api/v1/access_token");
    assert_eq!(seen.len(), 1, "{}", r.file);
    // HTTP Basic `client_id:` (empty password), nothing of the client in the form.
    assert_eq!(
        seen[0].authorization.as_deref(),
        Some("Basic Zml4dHVyZS1jbGllbnQtaWQ6"),
        "{}",
        r.file
    );
    let form = &seen[0].form;
    assert!(
        form.contains(&("grant_type".into(), "refresh_token".into())),
        "{form:?}"
    );
    assert!(
        form.iter().all(|(k, _)| k != "client_id" && k != "client_secret"),
        "{form:?}"
    );
    if let Some(error) = body["error"].as_str() {
        let e = result.expect_err("a refusal");
        assert!(matches!(e, PlatformError::OAuth { .. }), "{}: {e:?}", r.file);
        assert!(
            e.to_string().contains(error) && e.to_string().contains("/api/v1/access_token"),
            "{e}"
        );
        return;
    }
    if r.answer.status >= 400 {
        let e = result.expect_err("a refusal");
        assert!(e.to_string().contains(&r.answer.status.to_string()), "{}: {e}", r.file);
        return;
    }
    let set = result.unwrap_or_else(|e| panic!("{}: {e}", r.file));
    assert_eq!(Some(set.access_token.expose_secret()), body["access_token"].as_str());
    // Reddit's refresh tokens are reusable: an answer without one keeps the old.
    assert_eq!(
        set.refresh_token.as_ref().map(|t| t.expose_secret()),
        body["refresh_token"].as_str().or(Some("old-refresh")),
        "{}",
        r.file
    );
    assert_eq!(set.scope.as_deref(), body["scope"].as_str(), "{}", r.file);
    let lives = body["expires_in"].as_i64().expect("expires_in");
    let expires = set.expires_at.expect("expires_at");
    assert!(
        expires >= before + chrono::Duration::seconds(lives - 5)
            && expires <= Utc::now() + chrono::Duration::seconds(lives),
        "{}",
        r.file
    );
}

#[tokio::test]
async fn every_recorded_reddit_exchange_is_read_field_by_field() {
    let Some(recordings) = load_all() else { return };
    let mut read = 0;
    for r in &recordings {
        if let Some((_, why)) = NOT_READ.iter().find(|(f, _)| *f == r.file) {
            eprintln!("{}: not read by Alcance: {why}", r.file);
            read += 1;
            continue;
        }
        let path = r.doc["request"]["path"].as_str().unwrap_or_default();
        let trimmed = path.trim_end_matches('/');
        if path == "/api/v1/access_token" {
            check_token_answer(r).await;
        } else if r.answer.status >= 400 {
            check_error(r);
        } else if path == "/api/v1/me" {
            check_me(r);
        } else if trimmed.starts_with("/user/") && trimmed.ends_with("/about") {
            check_about(r);
        } else if trimmed.starts_with("/user/") && trimmed.ends_with("/submitted") {
            check_submitted(r);
        } else if trimmed.starts_with("/r/") && trimmed.ends_with("/about") {
            check_subreddit(r);
        } else if trimmed.starts_with("/comments/") {
            check_comments_post(r);
        } else {
            panic!("{}: no reader for {path}; read it or list it in NOT_READ", r.file);
        }
        read += 1;
    }
    assert_eq!(read, recordings.len(), "every recording was read");
}

/// The one picture of u/spez's recorded submissions (2016, `raw_json=1`): a text post
/// whose link preview Reddit made (`preview.images[0].source.url`) as an image. The other
/// 99 have `thumbnail` `self`, `default`, `nsfw` or empty and no preview: no picture.
#[test]
fn spez_submissions_give_the_one_preview_picture() {
    let Some(recordings) = load_all() else { return };
    let r = recordings
        .iter()
        .find(|r| r.file == "praw__redditor-listings-submissions-new_02.json")
        .expect("praw__redditor-listings-submissions-new_02.json is recorded");
    let page = decode_submitted(&r.answer).expect("page");
    assert_eq!(page.posts.len(), 100);
    let media: Vec<(&str, MediaKind, &str)> = page
        .media
        .iter()
        .map(|m| (m.post_external_id.as_str(), m.kind, m.url.as_str()))
        .collect();
    assert_eq!(
        media,
        vec![(
            "3tlcil",
            MediaKind::Image,
            "https://i.redditmedia.com/e5nYrNScwPdp2ya3sBS6R8UrXl2UnngFwuDMsvKk0O8.jpg?s=3a2766b4ec1a93608450cec44bb44cb1"
        )]
    );
    // The 2025 post of the /comments recording: `thumbnail: "default"`, no preview.
    let r = recordings
        .iter()
        .find(|r| r.file == "praw__subreddit-submit-url-selftext_03.json")
        .expect("praw__subreddit-submit-url-selftext_03.json is recorded");
    let answer = Answer {
        body: serde_json::to_vec(&r.doc["response"]["body"][0]).unwrap(),
        ..r.answer.clone()
    };
    let page = decode_submitted(&answer).expect("page");
    assert_eq!(page.posts.len(), 1);
    assert!(page.media.is_empty(), "{:?}", page.media);
}

/// A listing written from Reddit's answers (no recording has a preview with `&amp;` or a
/// thumbnail URL), with the odd cases a lenient reader must survive.
#[test]
fn each_submission_gives_its_picture_url_and_odd_ones_none() {
    let t3 = |id: &str, extra: Value| {
        let mut data = serde_json::json!({ "id": id, "title": id, "created_utc": 1_764_000_000.0 });
        if let (Some(d), Some(e)) = (data.as_object_mut(), extra.as_object()) {
            d.extend(e.clone());
        }
        serde_json::json!({ "kind": "t3", "data": data })
    };
    let preview = |url: Value| serde_json::json!({ "images": [{ "source": { "url": url, "width": 1080, "height": 1350 }, "resolutions": [] }], "enabled": true });
    let body = serde_json::json!({ "kind": "Listing", "data": { "after": null, "children": [
        // Without raw_json=1 Reddit HTML-escapes the URL's `&`.
        t3("img", serde_json::json!({ "post_hint": "image",
            "preview": preview(serde_json::json!("https://preview.redd.it/abc.jpg?width=1080&amp;format=pjpg&amp;auto=webp&amp;s=0f1e")),
            "thumbnail": "https://b.thumbs.redditmedia.com/abc.jpg" })),
        t3("raw", serde_json::json!({ "post_hint": "link",
            "preview": preview(serde_json::json!("https://external-preview.redd.it/def.jpg?auto=webp&s=9a8b")),
            "thumbnail": "https://b.thumbs.redditmedia.com/def.jpg" })),
        t3("gal", serde_json::json!({ "is_gallery": true, "thumbnail": "https://b.thumbs.redditmedia.com/gal.jpg?a=1&amp;b=2" })),
        t3("self", serde_json::json!({ "is_self": true, "thumbnail": "self" })),
        t3("default", serde_json::json!({ "thumbnail": "default" })),
        t3("nsfw", serde_json::json!({ "thumbnail": "nsfw" })),
        t3("spoiler", serde_json::json!({ "thumbnail": "spoiler" })),
        t3("image", serde_json::json!({ "thumbnail": "image" })),
        t3("empty", serde_json::json!({ "thumbnail": "" })),
        t3("none", serde_json::json!({})),
        t3("badpreview", serde_json::json!({ "preview": preview(serde_json::json!(42)), "thumbnail": "https://b.thumbs.redditmedia.com/fallback.jpg" })),
        t3("noimages", serde_json::json!({ "preview": { "images": [] }, "thumbnail": "nsfw" })),
        t3("weird", serde_json::json!({ "preview": "yes", "thumbnail": ["?"] })),
        t3("js", serde_json::json!({ "preview": preview(serde_json::json!("javascript:alert(1)")), "thumbnail": "data:image/png;base64,AAAA" }))
    ] } });
    let answer = Answer {
        status: 200,
        headers: HeaderMap::new(),
        body: serde_json::to_vec(&body).unwrap(),
        endpoint: "/user/alcance_br/submitted".to_string(),
    };
    let page = decode_submitted(&answer).expect("a lenient page");
    assert_eq!(
        page.posts.len(),
        14,
        "every submission is read, with or without a picture"
    );
    assert!(page.warnings.is_empty(), "{:?}", page.warnings);
    let media: Vec<(&str, MediaKind, &str)> = page
        .media
        .iter()
        .map(|m| (m.post_external_id.as_str(), m.kind, m.url.as_str()))
        .collect();
    assert_eq!(
        media,
        vec![
            (
                "img",
                MediaKind::Image,
                "https://preview.redd.it/abc.jpg?width=1080&format=pjpg&auto=webp&s=0f1e"
            ),
            (
                "raw",
                MediaKind::Image,
                "https://external-preview.redd.it/def.jpg?auto=webp&s=9a8b"
            ),
            (
                "gal",
                MediaKind::Thumbnail,
                "https://b.thumbs.redditmedia.com/gal.jpg?a=1&b=2"
            ),
            (
                "badpreview",
                MediaKind::Thumbnail,
                "https://b.thumbs.redditmedia.com/fallback.jpg"
            ),
        ]
    );
}

/// The recorded rate-limit headers drive the governor: a window of `used + remaining`
/// that resets `x-ratelimit-reset` seconds from now.
#[tokio::test]
async fn recorded_ratelimit_headers_tell_the_governor_the_window() {
    let Some(recordings) = load_all() else { return };
    let with = recordings
        .iter()
        .find(|r| r.file == "praw__message-reply_04.json")
        .expect("praw__message-reply_04.json is recorded");
    let rule = Rule::get("/user/alcance_br/about", with.doc["response"]["body"].clone()).bare();
    let mut rule = rule;
    for name in ["x-ratelimit-used", "x-ratelimit-remaining", "x-ratelimit-reset"] {
        let v = with.doc["response"]["headers"][name].as_str().expect(name);
        rule = rule.with_header(name, v);
    }
    let fake = FakeReddit::start(vec![rule]).await;
    let governor = std::sync::Arc::new(alcance_platforms::governor::Governor::new());
    let http = alcance_platforms::Http::new()
        .expect("http")
        .with_governor(governor.clone());
    let client = alcance_platforms::reddit::RedditClient::new(http, fake.endpoints());
    let rec = alcance_platforms::Recorder::new();
    client
        .user(&reddit_support::token(), "alcance_br", &rec)
        .await
        .expect("user");
    let key = alcance_platforms::governor::RequestKey {
        api: alcance_platforms::governor::ApiFamily::Reddit,
        endpoint: "/user/{name}/about".into(),
        token: alcance_platforms::governor::TokenFingerprint::of(reddit_support::TOKEN),
    };
    let view = governor.budget(&key).expect("a Reddit budget");
    assert_eq!(view.limit, Some(1000));
    assert!(view.remaining.is_some_and(|r| (990..=997).contains(&r)), "{view:?}");
    let reset = view.reset_in.expect("reset").as_secs();
    assert!((330..=343).contains(&reset), "reset in {reset} s");
    // Another user's token draws on the same (per client id) budget.
    let other = alcance_platforms::governor::RequestKey {
        token: alcance_platforms::governor::TokenFingerprint::of("someone-else"),
        endpoint: "/api/v1/me".into(),
        ..key
    };
    let shared = governor.budget(&other).expect("the same budget");
    assert_eq!((shared.limit, shared.remaining), (view.limit, view.remaining));
}
