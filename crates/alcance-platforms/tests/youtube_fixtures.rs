//! Recorded YouTube exchanges (`../shared/fixtures/youtube/*.json`, see its FILES.md)
//! decoded through the client's own DTOs and mapping, and checked field by field against
//! the recording. Files Alcance does not read are listed with the reason, so a new
//! recording fails the test until it is read or listed. Skips, saying so, when the folder
//! is absent (`ALCANCE_FIXTURES_DIR` moves it; under `CI` a missing folder fails).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::youtube_support;

use alcance_core::{ContentType, Period, Platform};
use alcance_platforms::http::Answer;
use alcance_platforms::oauth::{refresh, OAuthApp, RedirectConfig};
use alcance_platforms::youtube::{
    channel_metrics, decode_channels, decode_comment_threads, decode_report, decode_uploads, decode_videos, map_error,
    parse_duration, provider,
};
use alcance_platforms::PlatformError;
use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::America::Los_Angeles;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use youtube_support::common::{fixtures_dir, json_files, read_json};
use youtube_support::{FakeYouTube, Rule};

/// Recordings of endpoints Alcance does not call, and why.
const NOT_READ: &[(&str, &str)] = &[
    (
        "mech__oauth2-device-code.json",
        "the device flow is not used: Alcance connects with the loopback redirect",
    ),
    (
        "nango__list-channel-playlists.json",
        "playlists are not collected; uploads come from the uploads playlist",
    ),
    (
        "python-youtube__oauth2-userinfo.json",
        "the channel (channels?mine=true) identifies the account, not the Google profile",
    ),
    (
        "python-youtube__search-by-channel.json",
        "search.list is avoided (its own 100-calls-a-day bucket); the uploads playlist lists every video",
    ),
];

struct Recording {
    file: String,
    doc: Value,
    answer: Answer,
}

fn load_all() -> Option<Vec<Recording>> {
    let Some(dir) = fixtures_dir("youtube") else {
        eprintln!("skipping: no YouTube fixtures folder (../shared/fixtures/youtube or $ALCANCE_FIXTURES_DIR/youtube)");
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
                headers: Default::default(),
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

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

fn check_channels(r: &Recording) {
    let channels = decode_channels(&r.answer).unwrap_or_else(|e| panic!("{}: {e}", r.file));
    let items = r.doc["response"]["body"]["items"].as_array().expect("items");
    assert_eq!(channels.len(), items.len(), "{}", r.file);
    let at = Utc.with_ymd_and_hms(2026, 12, 6, 0, 0, 0).unwrap();
    for (c, item) in channels.iter().zip(items) {
        let f = &r.file;
        assert_eq!(Some(c.id.as_str()), item["id"].as_str(), "{f}: id");
        let sn = &item["snippet"];
        assert_eq!(c.title.as_deref(), sn["title"].as_str(), "{f}: title");
        assert_eq!(
            c.handle.as_deref(),
            sn["customUrl"].as_str().map(|u| u.trim_start_matches('@')),
            "{f}: handle"
        );
        assert_eq!(
            c.published_at.map(|t| t.timestamp()),
            sn["publishedAt"]
                .as_str()
                .map(|t| chrono::DateTime::parse_from_rfc3339(t).expect("time").timestamp()),
            "{f}: publishedAt"
        );
        assert_eq!(
            c.avatar_url.as_deref(),
            sn["thumbnails"]["high"]["url"].as_str(),
            "{f}: avatar"
        );
        assert_eq!(
            c.uploads_playlist.as_deref(),
            item["contentDetails"]["relatedPlaylists"]["uploads"].as_str(),
            "{f}: uploads playlist"
        );
        let st = &item["statistics"];
        let hidden = st["hiddenSubscriberCount"].as_bool().unwrap_or(false);
        assert_eq!(c.hidden_subscribers, hidden, "{f}: hiddenSubscriberCount");
        assert_eq!(c.subscribers, num(&st["subscriberCount"]), "{f}: subscriberCount");
        assert_eq!(c.views, num(&st["viewCount"]), "{f}: viewCount");
        assert_eq!(c.videos, num(&st["videoCount"]), "{f}: videoCount");
        let (metrics, gaps) = channel_metrics(c, at);
        if st.is_object() {
            let value = |k: &str| metrics.iter().find(|m| m.metric == k).and_then(|m| m.value);
            assert_eq!(value("followers"), num(&st["subscriberCount"]), "{f}");
            assert_eq!(value("total_video_views"), num(&st["viewCount"]), "{f}");
            assert_eq!(value("media_count"), num(&st["videoCount"]), "{f}");
            assert!(metrics
                .iter()
                .all(|m| m.period == Period::Snapshot && m.period_start == at));
            assert!(gaps.is_empty(), "{f}");
        } else {
            assert!(metrics.is_empty() && gaps.is_empty(), "{f}: no statistics, no snapshot");
        }
        assert_eq!(c.profile().external_id, c.id);
    }
}

fn check_uploads(r: &Recording) {
    let page = decode_uploads(&r.answer).unwrap_or_else(|e| panic!("{}: {e}", r.file));
    let body = &r.doc["response"]["body"];
    let items = body["items"].as_array().expect("items");
    assert_eq!(page.videos.len(), items.len(), "{}", r.file);
    assert!(page.warnings.is_empty(), "{}: {:?}", r.file, page.warnings);
    for ((id, published), item) in page.videos.iter().zip(items) {
        let want = item["contentDetails"]["videoId"]
            .as_str()
            .or_else(|| item["snippet"]["resourceId"]["videoId"].as_str());
        assert_eq!(Some(id.as_str()), want, "{}: video id", r.file);
        assert_eq!(
            published.map(|t| t.timestamp()),
            item["contentDetails"]["videoPublishedAt"]
                .as_str()
                .map(|t| chrono::DateTime::parse_from_rfc3339(t).expect("time").timestamp()),
            "{}: videoPublishedAt",
            r.file
        );
    }
    assert_eq!(
        page.next_page_token.as_deref(),
        body["nextPageToken"].as_str(),
        "{}",
        r.file
    );
    assert_eq!(
        page.total_results,
        body["pageInfo"]["totalResults"].as_i64(),
        "{}",
        r.file
    );
}

/// Issue 17 point 3: each thread's top-level comment (and any embedded reply) becomes a
/// comment record with the recording's id, video, text, author handle without `@`,
/// channel id, likes, time and reply count.
fn check_comment_threads(r: &Recording) {
    use alcance_core::CommentKind;
    let page = decode_comment_threads(&r.answer).unwrap_or_else(|e| panic!("{}: {e}", r.file));
    let body = &r.doc["response"]["body"];
    let threads = body["items"].as_array().expect("items");
    assert!(page.warnings.is_empty(), "{}: {:?}", r.file, page.warnings);
    let replies: usize = threads
        .iter()
        .map(|t| t["replies"]["comments"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(page.comments.len(), threads.len() + replies, "{}", r.file);
    let tops: Vec<&alcance_core::CommentRecord> = page
        .comments
        .iter()
        .filter(|c| c.kind == CommentKind::Comment)
        .collect();
    assert_eq!(tops.len(), threads.len());
    for (c, t) in tops.iter().zip(threads) {
        let s = &t["snippet"]["topLevelComment"]["snippet"];
        assert_eq!(
            Some(c.external_id.as_str()),
            t["snippet"]["topLevelComment"]["id"].as_str()
        );
        assert_eq!(c.post_external_id.as_deref(), t["snippet"]["videoId"].as_str());
        assert_eq!(c.text.as_deref(), s["textOriginal"].as_str());
        assert_eq!(
            c.author_handle.as_deref(),
            s["authorDisplayName"].as_str().map(|h| h.trim_start_matches('@'))
        );
        assert_eq!(c.author_id.as_deref(), s["authorChannelId"]["value"].as_str());
        assert_eq!(c.like_count, s["likeCount"].as_i64());
        assert_eq!(c.reply_count, t["snippet"]["totalReplyCount"].as_i64());
        assert_eq!(
            c.created_at.map(|t| t.timestamp()),
            s["publishedAt"]
                .as_str()
                .map(|t| chrono::DateTime::parse_from_rfc3339(t).expect("time").timestamp())
        );
        assert!(c.parent_external_id.is_none());
    }
    assert_eq!(page.next_page_token.as_deref(), body["nextPageToken"].as_str());
    let all_embedded = threads.iter().all(|t| {
        t["snippet"]["totalReplyCount"].as_i64().unwrap_or(0) as usize
            <= t["replies"]["comments"].as_array().map_or(0, Vec::len)
    });
    assert_eq!(page.replies_complete, all_embedded, "{}", r.file);
}

fn check_videos(r: &Recording) {
    let page = decode_videos(&r.answer).unwrap_or_else(|e| panic!("{}: {e}", r.file));
    let items = r.doc["response"]["body"]["items"].as_array().expect("items");
    assert_eq!(page.posts.len(), items.len(), "{}", r.file);
    assert!(page.warnings.is_empty(), "{}: {:?}", r.file, page.warnings);
    for (post, item) in page.posts.iter().zip(items) {
        let id = item["id"].as_str().expect("id");
        assert_eq!(post.external_id, id);
        assert_eq!(post.caption.as_deref(), item["snippet"]["title"].as_str());
        assert_eq!(post.content_type, ContentType::Video);
        assert_eq!(
            post.permalink.as_deref(),
            Some(format!("https://www.youtube.com/watch?v={id}").as_str())
        );
        assert_eq!(
            post.published_at.map(|t| t.timestamp()),
            item["snippet"]["publishedAt"]
                .as_str()
                .map(|t| chrono::DateTime::parse_from_rfc3339(t).expect("time").timestamp())
        );
        let value = |k: &str| {
            page.metrics
                .iter()
                .find(|m| m.post_external_id == id && m.metric == k)
                .and_then(|m| m.value)
        };
        let st = &item["statistics"];
        assert_eq!(value("video_views"), num(&st["viewCount"]), "{}: viewCount", r.file);
        assert_eq!(value("likes"), num(&st["likeCount"]), "{}: likeCount", r.file);
        assert_eq!(value("comments"), num(&st["commentCount"]), "{}: commentCount", r.file);
        let duration = item["contentDetails"]["duration"].as_str().expect("duration");
        assert_eq!(
            value("video_duration"),
            parse_duration(duration),
            "{}: duration",
            r.file
        );
    }
    // The recorded video: Rick Astley, PT3M34S.
    if r.file == "nango__get-video.json" {
        let d = page
            .metrics
            .iter()
            .find(|m| m.metric == "video_duration")
            .and_then(|m| m.value);
        assert_eq!(d, Some(214.0));
    }
}

fn check_report(r: &Recording) {
    let report = decode_report(&r.answer).unwrap_or_else(|e| panic!("{}: {e}", r.file));
    let body = &r.doc["response"]["body"];
    let headers: Vec<&str> = body["columnHeaders"]
        .as_array()
        .expect("headers")
        .iter()
        .map(|h| h["name"].as_str().expect("name"))
        .collect();
    let rows = body["rows"].as_array().expect("rows");
    assert_eq!(report.rows, rows.len(), "{}", r.file);
    assert!(report.gaps.is_empty());
    let mapped = [
        ("views", "video_views", 1.0),
        ("estimatedMinutesWatched", "watch_time_seconds", 60.0),
        ("averageViewDuration", "watch_time_avg_seconds", 1.0),
        ("likes", "likes", 1.0),
        ("comments", "comments", 1.0),
        ("shares", "shares", 1.0),
        ("subscribersGained", "followers_gained", 1.0),
        ("subscribersLost", "followers_lost", 1.0),
    ];
    assert_eq!(report.metrics.len(), rows.len() * mapped.len(), "{}", r.file);
    for name in [
        "redViews",
        "dislikes",
        "averageViewPercentage",
        "estimatedRevenue",
        "cpm",
    ] {
        assert!(
            report.unmapped_columns.iter().any(|c| c == name),
            "{name} is reported as not stored"
        );
    }
    for row in rows {
        let day = NaiveDate::parse_from_str(row[0].as_str().expect("day"), "%Y-%m-%d").expect("date");
        let start = Los_Angeles
            .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap())
            .earliest()
            .unwrap()
            .with_timezone(&Utc);
        for (column, key, scale) in mapped {
            let i = headers.iter().position(|h| *h == column).expect(column);
            let got = report
                .metrics
                .iter()
                .find(|m| m.metric == key && m.period_start == start)
                .unwrap_or_else(|| panic!("{}: {key} on {day}", r.file));
            assert_eq!(got.period, Period::Day);
            assert_eq!(got.period_end - got.period_start, chrono::Duration::hours(24));
            assert_eq!(
                got.value,
                row[i].as_f64().map(|v| v * scale),
                "{}: {column} on {day}",
                r.file
            );
        }
    }
}

fn check_error(r: &Recording) {
    let e = map_error(&r.answer);
    let err = &r.doc["response"]["body"]["error"];
    let reason = err["errors"][0]["reason"].as_str().expect("reason");
    match (r.answer.status, &e) {
        (
            400,
            PlatformError::Api {
                status,
                code,
                message,
                endpoint,
            },
        ) => {
            assert_eq!(*status, 400);
            assert_eq!(code.as_deref(), Some(reason));
            assert_eq!(Some(message.as_str()), err["message"].as_str());
            assert_eq!(endpoint, "/youtube/v3/channels");
        }
        (403, PlatformError::Forbidden { message }) => {
            assert!(message.contains(reason), "{message}");
            assert!(message.contains(err["message"].as_str().expect("message")), "{message}");
            assert!(message.contains("/youtube/v3/channelSections"), "{message}");
        }
        other => panic!("{}: unexpected mapping {other:?}", r.file),
    }
}

#[tokio::test]
async fn every_recorded_youtube_exchange_is_read_field_by_field() {
    let Some(recordings) = load_all() else { return };
    let mut read = 0;
    for r in &recordings {
        if let Some((_, why)) = NOT_READ.iter().find(|(f, _)| *f == r.file) {
            eprintln!("{}: not read by Alcance: {why}", r.file);
            read += 1;
            continue;
        }
        let path = r.doc["request"]["path"].as_str().unwrap_or_default();
        if r.answer.status >= 400 {
            check_error(r);
        } else if path.ends_with("/youtube/v3/channels") {
            check_channels(r);
        } else if path.ends_with("/youtube/v3/playlistItems") {
            check_uploads(r);
        } else if path.ends_with("/youtube/v3/videos") {
            check_videos(r);
        } else if path.ends_with("/youtube/v3/commentThreads") {
            check_comment_threads(r);
        } else if path.ends_with("/v2/reports") {
            check_report(r);
        } else if path == "/token" {
            check_token_answer(r).await;
        } else {
            panic!("{}: no reader for {path}; read it or list it in NOT_READ", r.file);
        }
        read += 1;
    }
    assert_eq!(read, recordings.len(), "every recording was read");
}

/// A recorded Google token answer served by a fake token endpoint and read by the refresh
/// Alcance runs: every field lands in the token set.
async fn check_token_answer(r: &Recording) {
    let body = r.doc["response"]["body"].clone();
    let fake = FakeYouTube::start(vec![Rule::get("/google/oauth2/token", body.clone()).post()]).await;
    let app = OAuthApp {
        platform: Platform::Youtube,
        client_id: "fixture.apps.googleusercontent.com".into(),
        client_secret: Some(SecretString::from("fixture-secret".to_string())),
        scopes: Vec::new(),
        redirect: RedirectConfig::ephemeral(),
    };
    let before = Utc::now();
    let set = refresh(
        &app,
        &provider(&fake.endpoints()),
        &SecretString::from("1//old".to_string()),
    )
    .await
    .unwrap_or_else(|e| panic!("{}: {e}", r.file));
    assert_eq!(Some(set.access_token.expose_secret()), body["access_token"].as_str());
    assert_eq!(
        set.refresh_token.as_ref().map(|t| t.expose_secret()),
        body["refresh_token"].as_str()
    );
    assert_eq!(set.scope.as_deref(), body["scope"].as_str());
    let lives = body["expires_in"].as_i64().expect("expires_in");
    let expires = set.expires_at.expect("expires_at");
    assert!(
        expires >= before + chrono::Duration::seconds(lives - 5)
            && expires <= Utc::now() + chrono::Duration::seconds(lives)
    );
    let seen = fake.seen_on("/google/oauth2/token");
    assert_eq!(seen.len(), 1);
    let form = &seen[0].form;
    assert!(
        form.contains(&("grant_type".into(), "refresh_token".into())),
        "{form:?}"
    );
}
