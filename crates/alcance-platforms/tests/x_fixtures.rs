//! Recorded X exchanges (`../shared/fixtures/x/*.json`, see its README.md) decoded through
//! the client's own DTOs and mapping. Skips, saying so, when the folder is absent.
//! The folder can be moved with `ALCANCE_FIXTURES_DIR` (the `fixtures` folder itself).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alcance_core::{ContentType, PostMetric};
use alcance_platforms::http::Answer;
use alcance_platforms::x::{
    decode_posts, decode_private_metrics, decode_user, decode_users, map_error, profile_metrics, rate_limit,
};
use alcance_platforms::PlatformError;
use chrono::{TimeZone, Utc};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `<fixtures>/x`. A missing fixtures folder fails the test when `CI` is set
/// ([`alcance_sandbox::replay::fixtures_dir`]); a missing `x` folder inside it skips.
fn fixtures_dir() -> PathBuf {
    alcance_sandbox::replay::fixtures_dir()
        .unwrap_or_else(alcance_sandbox::replay::default_fixtures_dir)
        .join("x")
}

struct Exchange {
    method: String,
    path: String,
    query: BTreeMap<String, String>,
    answer: Answer,
}

fn load(path: &std::path::Path) -> Exchange {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let req = &doc["request"];
    let res = &doc["response"];
    let mut headers = HeaderMap::new();
    if let Some(map) = res["headers"].as_object() {
        for (k, v) in map {
            let values: Vec<&str> = match v {
                Value::String(s) => vec![s.as_str()],
                Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            for v in values {
                if let (Ok(k), Ok(v)) = (HeaderName::try_from(k.as_str()), HeaderValue::try_from(v)) {
                    headers.append(k, v);
                }
            }
        }
    }
    let body = match res.get("body_text").and_then(Value::as_str) {
        Some(text) => text.as_bytes().to_vec(),
        None => serde_json::to_vec(&res["body"]).expect("re-encode body"),
    };
    let path_str = req["path"].as_str().unwrap_or_default().to_string();
    Exchange {
        method: req["method"].as_str().unwrap_or("GET").to_string(),
        query: req["query"]
            .as_object()
            .map(|q| {
                q.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .unwrap_or_default(),
        answer: Answer {
            status: u16::try_from(res["status"].as_u64().unwrap_or(0)).unwrap_or(0),
            headers,
            body,
            endpoint: path_str.clone(),
        },
        path: path_str,
    }
}

/// Which decoder the client uses for a recorded path, if any.
#[derive(Debug, PartialEq)]
enum Kind {
    User,
    Users,
    Posts,
    Private,
}

fn is_id(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn kind(ex: &Exchange) -> Option<Kind> {
    if ex.method != "GET" {
        return None;
    }
    let segs: Vec<&str> = ex.path.trim_matches('/').split('/').collect();
    match segs.as_slice() {
        ["2", "users", "me"] | ["2", "users", "by", "username", _] => Some(Kind::User),
        ["2", "users", id] if is_id(id) => Some(Kind::User),
        ["2", "users", "by"] | ["2", "users"] => Some(Kind::Users),
        ["2", "users", id, "tweets" | "mentions"] if is_id(id) => Some(Kind::Posts),
        ["2", "tweets", "search", _] => Some(Kind::Posts),
        ["2", "tweets"] => {
            let fields = ex.query.get("tweet.fields").map(String::as_str).unwrap_or("");
            Some(if fields.contains("non_public_metrics") {
                Kind::Private
            } else {
                Kind::Posts
            })
        }
        ["2", "tweets", id] if is_id(id) => Some(Kind::Posts),
        _ => None,
    }
}

fn metric(metrics: &[PostMetric], post: &str, key: &str) -> Option<Option<f64>> {
    metrics
        .iter()
        .find(|m| m.post_external_id == post && m.metric == key)
        .map(|m| m.value)
}

#[test]
fn recorded_x_exchanges_decode_through_the_client() {
    let dir = fixtures_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        println!(
            "SKIPPED: no recorded X exchanges at {} (set ALCANCE_FIXTURES_DIR)",
            dir.display()
        );
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json") && !p.to_string_lossy().ends_with(".webhook.json"))
        .collect();
    files.sort();
    let mut decoded = 0;
    let mut errors_mapped = 0;
    for file in &files {
        let ex = load(file);
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !ex.answer.is_success() {
            let err = map_error(&ex.answer);
            let text = err.to_string();
            assert!(
                text.len() > 20 && !text.contains("HTTP 0"),
                "{name}: unclear error {text}"
            );
            errors_mapped += 1;
            continue;
        }
        let Some(k) = kind(&ex) else { continue };
        let outcome = match k {
            Kind::User => decode_user(&ex.answer).map(|u| assert!(!u.id.is_empty() && !u.username.is_empty())),
            Kind::Users => decode_users(&ex.answer).map(|(u, _)| assert!(!u.is_empty(), "{name}: no users")),
            Kind::Posts => decode_posts(&ex.answer).map(|p| assert!(!p.posts.is_empty(), "{name}: no posts")),
            Kind::Private => decode_private_metrics(&ex.answer).map(|_| ()),
        };
        if let Err(e) = outcome {
            panic!("{name} ({k:?}) does not decode: {e}");
        }
        decoded += 1;
    }
    println!("decoded {decoded} recorded X answers, mapped {errors_mapped} error answers");
    assert!(
        decoded >= 5,
        "only {decoded} recorded answers matched this client's endpoints"
    );
}

fn fixture(name: &str) -> Option<Exchange> {
    let path = fixtures_dir().join(name);
    if path.exists() {
        Some(load(&path))
    } else {
        println!("SKIPPED: {} is absent", path.display());
        None
    }
}

#[test]
fn twitterdev_profile_by_username() {
    let Some(ex) = fixture("python-twitter__users-by-username.json") else {
        return;
    };
    let user = decode_user(&ex.answer).expect("user");
    assert_eq!(user.id, "2244994945");
    assert_eq!(user.username, "TwitterDev");
    assert_eq!(user.name.as_deref(), Some("Twitter Dev"));
    assert_eq!(user.verified, Some(true));
    assert_eq!(
        user.created_at,
        Some(Utc.with_ymd_and_hms(2013, 12, 14, 4, 35, 55).unwrap())
    );
    let at = Utc::now();
    let got: Vec<(String, Option<f64>)> = profile_metrics(&user, at)
        .into_iter()
        .map(|m| (m.metric, m.value))
        .collect();
    assert_eq!(
        got,
        vec![
            ("followers".to_string(), Some(514020.0)),
            ("following".to_string(), Some(2038.0)),
            ("media_count".to_string(), Some(3639.0)),
            ("listed".to_string(), Some(1676.0)),
        ]
    );
}

#[test]
fn tweepy_me_and_its_rate_limit() {
    let Some(ex) = fixture("tweepy__get-me.json") else {
        return;
    };
    let user = decode_user(&ex.answer).expect("me");
    assert_eq!(user.id, "1072250532645998596");
    assert_eq!(user.username, "TweepyDev");
    assert_eq!(user.public_metrics, None, "no user.fields were asked for");
    assert!(profile_metrics(&user, Utc::now()).is_empty());
    let rl = rate_limit(&ex.answer).expect("x-rate-limit headers");
    assert_eq!((rl.limit, rl.remaining, rl.reset.timestamp()), (75, 74, 1_641_543_656));
}

#[test]
fn users_lookup_by_ids() {
    let Some(ex) = fixture("python-twitter__users-lookup-ids.json") else {
        return;
    };
    let (users, gaps) = decode_users(&ex.answer).expect("users");
    assert!(gaps.is_empty());
    assert_eq!(users.len(), 2);
    assert_eq!(users[0].username, "Twitter");
    assert_eq!(
        users[0].public_metrics.as_ref().and_then(|m| m.get("followers_count")),
        Some(&58_677_711.0)
    );
    assert_eq!(
        users[1].avatar_url.as_deref(),
        Some("https://pbs.twimg.com/profile_images/1283786620521652229/lEODkLTh_normal.jpg")
    );
}

#[test]
fn twitterdev_timeline_with_public_metrics() {
    let Some(ex) = fixture("python-twitter__users-tweets.json") else {
        return;
    };
    let page = decode_posts(&ex.answer).expect("page");
    assert_eq!(page.posts.len(), 5);
    assert_eq!(
        page.next_token.as_deref(),
        Some("7140dibdnow9c7btw3w3itbygz8uu5pbs45oy6erjc2ls")
    );
    let first = &page.posts[0];
    assert_eq!(first.external_id, "1364275610764201984");
    assert_eq!(
        first.published_at,
        Some(Utc.with_ymd_and_hms(2021, 2, 23, 18, 7, 7).unwrap())
    );
    assert_eq!(first.content_type, ContentType::Text);
    let m = &page.metrics;
    assert_eq!(metric(m, "1364275610764201984", "likes"), Some(Some(37.0)));
    assert_eq!(metric(m, "1364275610764201984", "reposts"), Some(Some(10.0)));
    assert_eq!(metric(m, "1364275610764201984", "replies"), Some(Some(2.0)));
    assert_eq!(metric(m, "1364275610764201984", "quotes"), Some(Some(1.0)));
    // 2021 answers have no bookmark or impression counts: None, never 0
    assert_eq!(metric(m, "1364275610764201984", "bookmarks"), Some(None));
    assert_eq!(metric(m, "1364275610764201984", "impressions"), Some(None));
    assert_eq!(metric(m, "1362439336910675970", "likes"), Some(Some(74.0)));
}

#[test]
fn tweepy_timeline_page_and_rate_limit() {
    let Some(ex) = fixture("tweepy__get-users-tweets.json") else {
        return;
    };
    let page = decode_posts(&ex.answer).expect("page");
    assert_eq!(page.posts.len(), 2);
    assert!(page.metrics.is_empty(), "no public_metrics were asked for");
    assert_eq!(
        page.next_token.as_deref(),
        Some("7140dibdnow9c7btw4232poeq0wapgnwgwqwvuwn3peex")
    );
    let rl = rate_limit(&ex.answer).expect("rate limit");
    assert_eq!((rl.limit, rl.remaining), (1500, 1498));
}

#[test]
fn a_single_tweet_with_a_video() {
    let Some(ex) = fixture("python-twitter__tweet-by-id.json") else {
        return;
    };
    let page = decode_posts(&ex.answer).expect("single post");
    assert_eq!(page.posts.len(), 1);
    assert_eq!(page.posts[0].external_id, "1067094924124872705");
    assert_eq!(page.posts[0].content_type, ContentType::Video);
    assert_eq!(
        metric(&page.metrics, "1067094924124872705", "video_views"),
        Some(None),
        "no view_count recorded"
    );
    // The recording expanded the media with `media.fields=type,duration_ms`: the video is
    // matched by its key, but without `preview_image_url` there is no picture.
    assert!(page.media.is_empty(), "{:?}", page.media);
}

/// No recording asked for `preview_image_url` or `url`: a timeline page written from the
/// X media object reference (`url` for photos, `preview_image_url` for videos and GIFs),
/// with the odd cases a lenient reader must survive.
#[test]
fn each_post_gives_its_first_picture_and_odd_ones_none() {
    use alcance_core::MediaKind::{Image, Thumbnail};
    let body = serde_json::json!({
        "data": [
            {"id": "1", "text": "two photos", "attachments": {"media_keys": ["3_11", "3_12"]}},
            {"id": "2", "text": "a video", "attachments": {"media_keys": ["7_21"]}},
            {"id": "3", "text": "a gif", "attachments": {"media_keys": ["16_31"]}},
            {"id": "4", "text": "a video without preview, then a photo", "attachments": {"media_keys": ["7_41", "3_42"]}},
            {"id": "5", "text": "a key X did not expand", "attachments": {"media_keys": ["3_51"]}},
            {"id": "6", "text": "a photo with a file URL", "attachments": {"media_keys": ["3_61"]}},
            {"id": "7", "text": "a type X may add", "attachments": {"media_keys": ["9_71"]}},
            {"id": "8", "text": "text only"}
        ],
        "includes": {"media": [
            {"media_key": "3_11", "type": "photo", "url": "https://pbs.twimg.com/media/Fh11AbCdEf.jpg"},
            {"media_key": "3_12", "type": "photo", "url": "https://pbs.twimg.com/media/Fh12AbCdEf.jpg"},
            {"media_key": "7_21", "type": "video", "duration_ms": 46947,
             "preview_image_url": "https://pbs.twimg.com/ext_tw_video_thumb/21/pu/img/Vid21.jpg"},
            {"media_key": "16_31", "type": "animated_gif",
             "preview_image_url": "https://pbs.twimg.com/tweet_video_thumb/Gif31.jpg"},
            {"media_key": "7_41", "type": "video"},
            {"media_key": "3_42", "type": "photo", "url": "https://pbs.twimg.com/media/Fh42AbCdEf.png"},
            {"media_key": "3_61", "type": "photo", "url": "file:///etc/passwd"},
            {"media_key": "9_71", "type": "hologram", "url": "https://pbs.twimg.com/media/H71.jpg",
             "preview_image_url": "https://pbs.twimg.com/media/H71p.jpg"}
        ]},
        "meta": {"result_count": 8}
    });
    let answer = Answer {
        status: 200,
        headers: HeaderMap::new(),
        body: serde_json::to_vec(&body).expect("body"),
        endpoint: "/2/users/1/tweets".to_string(),
    };
    let page = decode_posts(&answer).expect("a lenient page");
    assert_eq!(page.posts.len(), 8);
    let pictures: Vec<(&str, alcance_core::MediaKind, &str)> = page
        .media
        .iter()
        .map(|m| (m.post_external_id.as_str(), m.kind, m.url.as_str()))
        .collect();
    assert_eq!(
        pictures,
        vec![
            ("1", Image, "https://pbs.twimg.com/media/Fh11AbCdEf.jpg"),
            (
                "2",
                Thumbnail,
                "https://pbs.twimg.com/ext_tw_video_thumb/21/pu/img/Vid21.jpg"
            ),
            ("3", Thumbnail, "https://pbs.twimg.com/tweet_video_thumb/Gif31.jpg"),
            ("4", Image, "https://pbs.twimg.com/media/Fh42AbCdEf.png"),
        ]
    );
}

#[test]
fn mentions_and_search() {
    if let Some(ex) = fixture("python-twitter__users-mentions.json") {
        let page = decode_posts(&ex.answer).expect("mentions");
        assert_eq!(page.posts.len(), 5);
        assert_eq!(metric(&page.metrics, "1364377404156772352", "replies"), Some(Some(1.0)));
    }
    if let Some(ex) = fixture("python-twitter__tweets-search-all.json") {
        let page = decode_posts(&ex.answer).expect("search");
        let first = page.posts.first().expect("a post");
        assert_eq!(first.external_id, "1276035977375477760");
        // media_keys without includes.media: the type is unknown, not guessed
        assert_eq!(first.content_type, ContentType::Other("media".into()));
    }
}

#[test]
fn a_recorded_problem_is_a_clear_error() {
    let Some(ex) = fixture("python-twitter__stream-rules-delete-error.json") else {
        return;
    };
    let err = map_error(&ex.answer);
    match &err {
        PlatformError::Api {
            status,
            code,
            message,
            endpoint,
        } => {
            assert_eq!(*status, 400);
            assert_eq!(code.as_deref(), Some("invalid-request"));
            assert_eq!(message, "One or more parameters to your request was invalid.");
            assert_eq!(endpoint, "/2/tweets/search/stream/rules");
        }
        other => panic!("expected Api, got {other:?}"),
    }
    assert_eq!(err.code(), "http_400");
}

/// The recorded mentions timeline (TwitterDev, 2021) read as Alcance stores comments: the
/// recording asked no `in_reply_to_user_id` / `conversation_id`, so every post is a mention
/// without a post; ids, times, counts and the next page's token come through.
#[test]
fn twitterdev_mentions_become_mentions() {
    use alcance_core::CommentKind;
    let Some(ex) = fixture("python-twitter__users-mentions.json") else {
        return;
    };
    let page = alcance_platforms::x::decode_mentions(&ex.answer, "2244994945").expect("mentions");
    assert_eq!(page.comments.len(), 5);
    assert_eq!(
        page.next_token.as_deref(),
        Some("7140dibdnow9c7btw3w3ixl43r8knib48jsfyzko1h5py")
    );
    let first = &page.comments[0];
    assert_eq!(first.external_id, "1364398068313903104");
    assert_eq!(
        first.created_at,
        Some(Utc.with_ymd_and_hms(2021, 2, 24, 2, 13, 43).unwrap())
    );
    assert!(first
        .text
        .as_deref()
        .unwrap_or("")
        .starts_with("@Twitter should consider"));
    assert!(page
        .comments
        .iter()
        .all(|c| c.kind == CommentKind::Mention && c.post_external_id.is_none() && c.author_handle.is_none()));
    let replies: Vec<Option<i64>> = page.comments.iter().map(|c| c.reply_count).collect();
    assert_eq!(replies, [Some(0), Some(0), Some(1), Some(1), Some(1)]);
}
