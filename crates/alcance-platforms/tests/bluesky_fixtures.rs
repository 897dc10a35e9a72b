//! Every recorded Bluesky exchange (`../shared/fixtures/bluesky/*.json`, see its FILES.md)
//! read field by field through the client's own decoders and error mapping. Skips, saying
//! so, when the folder is absent (fails on CI).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use alcance_core::{ContentType, MediaKind, Period};
use alcance_platforms::bluesky::{
    decode_feed_page, decode_posts, decode_profiles, decode_session, map_error, profile_metrics,
    ACCESS_LIFETIME_FALLBACK_SECS,
};
use alcance_platforms::http::Answer;
use alcance_platforms::PlatformError;
use chrono::{DateTime, Duration, TimeZone, Utc};
use common::post_metric;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::ExposeSecret;
use serde_json::Value;

/// A recorded exchange's answer, as the client would have received it.
fn answer_of(doc: &Value) -> Answer {
    let res = &doc["response"];
    let mut headers = HeaderMap::new();
    for (k, v) in res["headers"].as_object().into_iter().flatten() {
        if let (Ok(k), Some(Ok(v))) = (HeaderName::try_from(k.as_str()), v.as_str().map(HeaderValue::try_from)) {
            headers.append(k, v);
        }
    }
    let body = match res.get("body_text").and_then(Value::as_str) {
        Some(text) => text.as_bytes().to_vec(),
        None => serde_json::to_vec(&res["body"]).expect("re-encode body"),
    };
    Answer {
        status: u16::try_from(res["status"].as_u64().unwrap_or(0)).unwrap_or(0),
        headers,
        body,
        endpoint: doc["request"]["path"].as_str().unwrap_or_default().to_string(),
    }
}

/// The fixture `name`, or `None` (skipped) when the recordings are absent.
fn fixture(name: &str) -> Option<(Value, Answer)> {
    let dir = common::fixtures_dir("bluesky")?;
    let path = dir.join(name);
    assert!(path.exists(), "{} is listed in FILES.md but absent", path.display());
    let doc = common::read_json(&path);
    let answer = answer_of(&doc);
    Some((doc, answer))
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("date").with_timezone(&Utc)
}

#[test]
fn every_recorded_exchange_decodes_or_maps_to_a_clear_error() {
    let Some(dir) = common::fixtures_dir("bluesky") else {
        return;
    };
    let files = common::json_files(&dir);
    assert_eq!(files.len(), 8, "the 8 recordings of FILES.md");
    for file in &files {
        let doc = common::read_json(file);
        let answer = answer_of(&doc);
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let method = answer.endpoint.rsplit('/').next().unwrap_or_default().to_string();
        if !answer.is_success() {
            let text = map_error(&answer).to_string();
            assert!(text.contains(&method), "{name}: the error names {method}: {text}");
            continue;
        }
        let outcome: Result<(), PlatformError> = match method.as_str() {
            "app.bsky.actor.getProfiles" => {
                decode_profiles(&answer).map(|(p, g)| assert!(!p.is_empty() && g.is_empty()))
            }
            "app.bsky.feed.getPosts" => decode_posts(&answer, &[]).map(|r| assert!(!r.posts.is_empty())),
            "app.bsky.feed.getAuthorFeed" => {
                decode_feed_page(&answer, "did:plc:z72i7hdynmk6r22z27h6tvur").map(|p| assert!(!p.posts.is_empty()))
            }
            // One session has empty JWTs (redacted by its recorder): a clear decode error.
            "com.atproto.server.createSession" => match decode_session(&answer) {
                Ok(s) => {
                    assert!(s.did.starts_with("did:plc:"));
                    Ok(())
                }
                Err(PlatformError::Decode { endpoint, message }) => {
                    assert!(
                        endpoint.ends_with("createSession") && message.contains("accessJwt"),
                        "{name}"
                    );
                    Ok(())
                }
                Err(e) => Err(e),
            },
            "app.bsky.feed.getPostThread" => Ok(()), // read in its own test below
            other => panic!("{name}: no decoder for {other}"),
        };
        outcome.unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn bskyr_get_profiles_field_by_field() {
    let Some((_, answer)) = fixture("bskyr__actor-get-profiles.json") else {
        return;
    };
    let (profiles, gaps) = decode_profiles(&answer).expect("profiles");
    assert!(gaps.is_empty());
    assert_eq!(profiles.len(), 1);
    let p = &profiles[0];
    assert_eq!(p.did, "did:plc:wpe35pganb6d4pg4ekmfy6u5");
    assert_eq!(p.handle, "chriskenny.bsky.social");
    assert_eq!(p.display_name.as_deref(), Some("Chris Kenny"));
    assert!(p
        .avatar_url
        .as_deref()
        .is_some_and(|a| a.starts_with("https://cdn.bsky.app/img/avatar/plain/did:plc:wpe35pganb6d4pg4ekmfy6u5/")));
    assert_eq!(p.created_at, Some(utc("2023-09-19T15:47:01.417Z")));
    assert_eq!(
        (p.followers, p.follows, p.posts),
        (Some(554.0), Some(296.0), Some(65.0))
    );
    let profile = p.profile();
    assert_eq!(profile.external_id, p.did);
    assert_eq!(profile.username.as_deref(), Some("chriskenny.bsky.social"));
    let at = Utc.with_ymd_and_hms(2025, 5, 19, 17, 41, 25).unwrap();
    let metrics: Vec<(String, Option<f64>)> = profile_metrics(p, at)
        .into_iter()
        .map(|m| {
            assert_eq!((m.period, m.period_start, m.period_end), (Period::Snapshot, at, at));
            (m.metric, m.value)
        })
        .collect();
    assert_eq!(
        metrics,
        vec![
            ("followers".to_string(), Some(554.0)),
            ("following".to_string(), Some(296.0)),
            ("media_count".to_string(), Some(65.0)),
        ]
    );
    // No views, reach or impressions are invented.
    assert!(metrics
        .iter()
        .all(|(k, _)| !matches!(k.as_str(), "views" | "reach" | "impressions")));
}

/// The post of `bskyr__feed-get-posts.json` and of the thread recording: the same post.
fn assert_localview_post(answer: &Answer, uri: &str) {
    let read = decode_posts(answer, &[uri.to_string()]).expect("posts");
    let (posts, metrics, gaps) = (&read.posts, &read.metrics, &read.gaps);
    assert!(gaps.is_empty(), "{gaps:?}");
    assert_eq!(posts.len(), 1);
    let p = &posts[0];
    assert_eq!(p.external_id, uri);
    assert_eq!(p.published_at, Some(utc("2023-09-19T11:32:54.574Z")));
    assert_eq!(p.content_type, ContentType::Image);
    assert_eq!(
        p.permalink.as_deref(),
        Some("https://bsky.app/profile/did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/post/3k7qmjev5lr2s")
    );
    assert!(p
        .caption
        .as_deref()
        .is_some_and(|c| c.starts_with("Excited to be a speaker") && c.ends_with("rstats.ai/gov.html")));
    assert_eq!(post_metric(metrics, uri, "likes"), Some(Some(4.0)));
    assert_eq!(post_metric(metrics, uri, "reposts"), Some(Some(0.0)));
    assert_eq!(post_metric(metrics, uri, "replies"), Some(Some(0.0)));
    assert_eq!(post_metric(metrics, uri, "quotes"), Some(Some(0.0)));
    assert_eq!(metrics.len(), 4, "no views, reach or impressions: {metrics:?}");
    // The picture: the embed view's first `thumb` (the record's embed holds only a blob
    // reference).
    let media: Vec<(&str, MediaKind, &str)> = read
        .media
        .iter()
        .map(|m| (m.post_external_id.as_str(), m.kind, m.url.as_str()))
        .collect();
    assert_eq!(
        media,
        vec![(
            uri,
            MediaKind::Image,
            "https://cdn.bsky.app/img/feed_thumbnail/plain/did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/bafkreictkyws7qbruuupes52t6k5o5o5qfggf7pm6urzz7dyty53gzu3h4@jpeg"
        )]
    );
}

const LOCALVIEW: &str = "at://did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/app.bsky.feed.post/3k7qmjev5lr2s";

#[test]
fn bskyr_get_posts_field_by_field_and_a_deleted_post_is_a_gap() {
    let Some((doc, answer)) = fixture("bskyr__feed-get-posts.json") else {
        return;
    };
    assert_eq!(doc["request"]["query"]["uris"], LOCALVIEW);
    assert_localview_post(&answer, LOCALVIEW);
    // A URI asked for but left out of the answer (a deleted post): a not_found gap, the
    // other post kept.
    let deleted = "at://did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/app.bsky.feed.post/3kdeleted00";
    let read = decode_posts(&answer, &[LOCALVIEW.to_string(), deleted.to_string()]).expect("posts");
    let (posts, gaps) = (read.posts, read.gaps);
    assert_eq!(posts.len(), 1);
    assert_eq!(gaps.len(), 1);
    assert_eq!(
        (gaps[0].object_id.as_str(), gaps[0].code.as_str()),
        (deleted, "not_found")
    );
    assert!(gaps[0].detail.starts_with("app.bsky.feed.getPosts:"), "{:?}", gaps[0]);
}

#[test]
fn bskyr_post_thread_carries_the_same_post_view() {
    let Some((doc, answer)) = fixture("bskyr__feed-get-post-thread.json") else {
        return;
    };
    let thread = &doc["response"]["body"]["thread"];
    assert_eq!(thread["$type"], "app.bsky.feed.defs#threadViewPost");
    assert_eq!(thread["replies"].as_array().map(Vec::len), Some(0));
    // Alcance reads posts through getPosts; the thread's post view is the same shape.
    let as_posts = Answer {
        body: serde_json::to_vec(&serde_json::json!({ "posts": [thread["post"].clone()] })).unwrap(),
        endpoint: "/xrpc/app.bsky.feed.getPosts".to_string(),
        ..answer
    };
    assert_localview_post(&as_posts, LOCALVIEW);
}

#[test]
fn libphpsky_author_feed_field_by_field() {
    let Some((doc, answer)) = fixture("libphpsky__feed-get-author-feed.json") else {
        return;
    };
    assert_eq!(doc["request"]["query"]["actor"], "bsky.app");
    let did = "did:plc:z72i7hdynmk6r22z27h6tvur";
    let page = decode_feed_page(&answer, did).expect("page");
    let uri = "at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3lfxpbo2kss24";
    assert_eq!(page.cursor.as_deref(), Some("2025-01-17T21:08:17.119Z"));
    assert!(page.reposts.is_empty() && page.gaps.is_empty());
    assert_eq!(
        page.oldest,
        Some(utc("2025-01-17T21:08:17.654Z")),
        "the post's indexedAt"
    );
    assert_eq!(page.posts.len(), 1);
    let p = &page.posts[0];
    assert_eq!(p.external_id, uri);
    assert_eq!(p.published_at, Some(utc("2025-01-17T21:08:17.119Z")));
    assert_eq!(p.content_type, ContentType::Text);
    assert_eq!(
        p.permalink.as_deref(),
        Some("https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur/post/3lfxpbo2kss24")
    );
    assert!(p
        .caption
        .as_deref()
        .is_some_and(|c| c.starts_with("📢 Bluesky 1.96.5 rolling out now")));
    assert_eq!(post_metric(&page.metrics, uri, "likes"), Some(Some(29092.0)));
    assert_eq!(post_metric(&page.metrics, uri, "reposts"), Some(Some(3119.0)));
    assert_eq!(post_metric(&page.metrics, uri, "replies"), Some(Some(1226.0)));
    assert_eq!(post_metric(&page.metrics, uri, "quotes"), Some(Some(247.0)));
    assert_eq!(page.metrics.len(), 4);
    assert!(page.media.is_empty(), "a text post has no picture");
    // Read as another account's feed, the post is not stored as that account's post.
    let other = decode_feed_page(&answer, "did:plc:someoneelse").expect("page");
    assert!(other.posts.is_empty());
    assert_eq!(other.gaps.len(), 1);
    assert_eq!(other.gaps[0].code, "not_author");
}

#[test]
fn libphpsky_session_field_by_field() {
    let Some((doc, answer)) = fixture("libphpsky__server-create-session.json") else {
        return;
    };
    assert_eq!(doc["request"]["body"]["identifier"], "samorollo.bsky.social");
    let session = decode_session(&answer).expect("session");
    assert_eq!(session.did, "did:plc:rbkeag6b36ghkibhr6x235pm");
    assert_eq!(session.handle, "samorollo.bsky.social");
    assert_eq!(session.access.expose_secret(), "XXXXXXXXXXXXXXX");
    assert_eq!(session.refresh.expose_secret(), "YYYYYYYYYYYYYYY");
    // The placeholder JWTs carry no `exp`: the documented ~2 h is assumed.
    let now = Utc::now();
    let set = session.to_token_set(now);
    assert_eq!(set.user_id.as_deref(), Some("did:plc:rbkeag6b36ghkibhr6x235pm"));
    assert_eq!(
        set.expires_at,
        Some(now + Duration::seconds(ACCESS_LIFETIME_FALLBACK_SECS))
    );
    assert_eq!(
        set.refresh_token
            .as_ref()
            .map(|t| t.expose_secret().to_string())
            .as_deref(),
        Some("YYYYYYYYYYYYYYY")
    );
    // The email and DID document are not kept anywhere.
    assert!(!format!("{session:?}").contains("sutikkukun"));
}

#[test]
fn bskyr_session_with_redacted_jwts_is_refused() {
    let Some((doc, answer)) = fixture("bskyr__server-create-session.json") else {
        return;
    };
    assert_eq!(doc["response"]["body"]["handle"], "bskyr.bsky.social");
    assert_eq!(answer.header("ratelimit-policy"), Some("10;w=86400"));
    match decode_session(&answer) {
        Err(PlatformError::Decode { endpoint, message }) => {
            assert_eq!(endpoint, "/xrpc/com.atproto.server.createSession");
            assert!(message.contains("accessJwt"), "{message}");
            assert!(!message.contains("ctk44"), "no body quoted: {message}");
        }
        other => panic!("empty JWTs must not make a session: {other:?}"),
    }
}

#[test]
fn bskyr_wrong_password_is_unauthorized_naming_the_method() {
    let Some((_, answer)) = fixture("bskyr__server-create-session-401.json") else {
        return;
    };
    match map_error(&answer) {
        PlatformError::Unauthorized { message } => {
            assert_eq!(
                message,
                "com.atproto.server.createSession: AuthenticationRequired: Invalid identifier or password"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(map_error(&answer).code(), "unauthorized");
}

#[test]
fn bskyr_invalid_request_is_an_api_error_with_its_xrpc_code() {
    let Some((_, answer)) = fixture("bskyr__repo-create-record-400.json") else {
        return;
    };
    match map_error(&answer) {
        PlatformError::Api {
            endpoint,
            status,
            code,
            message,
        } => {
            assert_eq!(endpoint, "/xrpc/com.atproto.repo.createRecord");
            assert_eq!(status, 400);
            assert_eq!(code.as_deref(), Some("InvalidRequest"));
            assert_eq!(
                message,
                "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"
            );
        }
        other => panic!("{other:?}"),
    }
}
