//! The YouTube client against the seeded sandbox (`alcance-sandbox`, 127.0.0.1): Google's
//! consent (PKCE, offline access) through the loopback redirect, a refresh that keeps the
//! refresh token, the owner's channel collected (snapshots, uploads, videos, Analytics
//! days), a public channel tracked by handle, and the token revoked. Checks the wire
//! contract both sides follow, not the generated numbers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alcance_core::{AccountRef, Period, Platform};
use alcance_platforms::oauth::{self, HeadlessBrowser, OAuthApp, RedirectConfig};
use alcance_platforms::youtube::{provider, revoke, YouTubeClient};
use alcance_platforms::{CollectCtx, CollectWindow, Endpoints, Http, PlatformClient, Recorder};
use alcance_sandbox::model::{YT_CHANNEL_ID, YT_TRACKED_ID};
use alcance_sandbox::{Sandbox, SandboxConfig};
use chrono::{DateTime, Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use std::collections::HashSet;

const NOW: &str = "2026-11-23T12:00:00Z";

#[tokio::test]
async fn connect_collect_track_and_revoke_against_the_sandbox() {
    let sb = Sandbox::start(SandboxConfig::seeded(71)).await.expect("sandbox");
    let base = sb.base_url();
    let r = reqwest::Client::new()
        .post(format!("{}__alcance/clock", base.as_str()))
        .json(&json!({ "now": NOW }))
        .send()
        .await
        .expect("clock");
    assert_eq!(r.status(), 200);
    let endpoints = Endpoints::sandbox(&base);
    let app = OAuthApp {
        platform: Platform::Youtube,
        client_id: "alcance-test.apps.googleusercontent.com".into(),
        client_secret: Some(SecretString::from("desktop-secret".to_string())),
        scopes: Vec::new(),
        redirect: RedirectConfig::ephemeral(),
    };
    let google = provider(&endpoints);
    let tokens = oauth::authorize(
        &app,
        &google,
        &HeadlessBrowser::new(),
        std::time::Duration::from_secs(20),
    )
    .await
    .expect("consent");
    let refresh_token = tokens
        .refresh_token
        .clone()
        .expect("offline access gives a refresh token");
    assert!(tokens.expires_at.is_some());
    let renewed = oauth::refresh(&app, &google, &refresh_token).await.expect("refresh");
    assert_ne!(
        renewed.access_token.expose_secret(),
        tokens.access_token.expose_secret()
    );
    assert_eq!(
        renewed.refresh_token.as_ref().map(|t| t.expose_secret()),
        Some(refresh_token.expose_secret()),
        "Google does not rotate refresh tokens: the old one is kept"
    );

    let client = YouTubeClient::new(Http::new().expect("http"), endpoints.clone());
    let token = renewed.access_token.clone();
    let me = client.whoami(&token, &Recorder::new()).await.expect("whoami");
    assert_eq!(me.external_id, YT_CHANNEL_ID);
    assert_eq!(me.username.as_deref(), Some("alcancebr"));

    let now: DateTime<Utc> = NOW.parse().expect("now");
    let ctx = |owned: bool, id: &str, username: Option<&str>| CollectCtx {
        account: AccountRef {
            platform: Platform::Youtube,
            external_id: id.to_string(),
            username: username.map(str::to_string),
            owned,
        },
        token: token.clone(),
        window: CollectWindow {
            since: now - Duration::days(120),
            until: now,
        },
        recorder: Recorder::new(),
    };
    let b = client.collect(&ctx(true, YT_CHANNEL_ID, None)).await.expect("collect");
    assert!(b.stopped.is_none(), "{:?}", b.stopped);
    assert!(b.warnings.is_empty(), "{:?}", b.warnings);
    for k in ["followers", "total_video_views", "media_count"] {
        assert!(
            b.account_metrics
                .iter()
                .any(|m| m.metric == k && m.period == Period::Snapshot && m.value.is_some()),
            "{k}"
        );
    }
    assert!(
        b.posts.len() >= 10,
        "about two uploads a week over 120 days: {}",
        b.posts.len()
    );
    let ids: HashSet<&str> = b.posts.iter().map(|p| p.external_id.as_str()).collect();
    assert_eq!(ids.len(), b.posts.len(), "no video twice across pages");
    for p in &b.posts {
        for k in ["video_views", "likes", "comments", "video_duration"] {
            assert!(
                b.post_metrics
                    .iter()
                    .any(|m| m.post_external_id == p.external_id && m.metric == k && m.value.is_some()),
                "{} {k}",
                p.external_id
            );
        }
        assert!(p.published_at.is_some_and(|t| t >= now - Duration::days(120)));
    }
    for k in [
        "video_views",
        "watch_time_seconds",
        "followers_gained",
        "followers_lost",
    ] {
        let days = b
            .account_metrics
            .iter()
            .filter(|m| m.metric == k && m.period == Period::Day)
            .count();
        assert!((100..=121).contains(&days), "{k}: {days} days");
    }

    let tracked = client
        .collect(&ctx(false, YT_TRACKED_ID, Some("anainfluencer")))
        .await
        .expect("tracked");
    assert_eq!(
        tracked.profile.as_ref().map(|p| p.external_id.as_str()),
        Some(YT_TRACKED_ID)
    );
    // Its public videos of the window (uploads playlist, videos.list), no Analytics.
    assert!(!tracked.posts.is_empty(), "a tracked channel's videos are read");
    assert!(tracked
        .post_metrics
        .iter()
        .any(|m| m.metric == "video_views" && m.value.is_some_and(|v| v >= 0.0)));
    assert!(
        !tracked.account_metrics.iter().any(|m| m.period == Period::Day),
        "Analytics days are the owner's only"
    );
    let followers = tracked
        .account_metrics
        .iter()
        .find(|m| m.metric == "followers")
        .and_then(|m| m.value)
        .expect("followers");
    assert_eq!(
        followers % 100.0,
        0.0,
        "public subscriber counts are rounded to 3 figures: {followers}"
    );

    revoke(&Http::new().expect("http"), &endpoints, &token)
        .await
        .expect("revoke");
    let e = client.whoami(&token, &Recorder::new()).await.expect_err("revoked");
    assert!(e.needs_reauth(), "{e:?}");
    sb.shutdown().await;
}

/// Issue 17 point 3: the owned channel's videos' comment threads read from the sandbox —
/// top-level comments and the channel's replies under them, as many as each video's
/// `commentCount`, every video read completely; an unknown video is a gap, not a failure;
/// a tracked channel reads none.
#[tokio::test]
async fn comment_threads_are_read_for_the_owned_channels_videos() {
    use alcance_core::CommentKind;
    use alcance_platforms::CommentsCtx;
    let sb = Sandbox::start(SandboxConfig::seeded(71)).await.expect("sandbox");
    let base = sb.base_url();
    let r = reqwest::Client::new()
        .post(format!("{}__alcance/clock", base.as_str()))
        .json(&json!({ "now": NOW }))
        .send()
        .await
        .expect("clock");
    assert_eq!(r.status(), 200);
    let endpoints = Endpoints::sandbox(&base);
    let app = OAuthApp {
        platform: Platform::Youtube,
        client_id: "alcance-test.apps.googleusercontent.com".into(),
        client_secret: Some(SecretString::from("desktop-secret".to_string())),
        scopes: Vec::new(),
        redirect: RedirectConfig::ephemeral(),
    };
    let tokens = oauth::authorize(
        &app,
        &provider(&endpoints),
        &HeadlessBrowser::new(),
        std::time::Duration::from_secs(20),
    )
    .await
    .expect("consent");
    let client = YouTubeClient::new(Http::new().expect("http"), endpoints.clone());
    let now: DateTime<Utc> = NOW.parse().expect("now");
    let account = AccountRef {
        platform: Platform::Youtube,
        external_id: YT_CHANNEL_ID.to_string(),
        username: Some("alcancebr".into()),
        owned: true,
    };
    let batch = client
        .collect(&CollectCtx {
            account: account.clone(),
            token: tokens.access_token.clone(),
            window: CollectWindow {
                since: now - Duration::days(30),
                until: now,
            },
            recorder: Recorder::new(),
        })
        .await
        .expect("collect");
    let counted: Vec<(String, f64)> = batch
        .post_metrics
        .iter()
        .filter(|m| m.metric == "comments")
        .filter_map(|m| Some((m.post_external_id.clone(), m.value?)))
        .filter(|(_, n)| *n > 0.0)
        .collect();
    assert!(!counted.is_empty(), "some videos have comments");
    let mut posts: Vec<String> = counted.iter().map(|(id, _)| id.clone()).collect();
    posts.push("Y9999999999".into());
    let recorder = Recorder::new();
    let read = client
        .read_comments(&CommentsCtx {
            account: account.clone(),
            token: tokens.access_token.clone(),
            posts: posts.clone(),
            mentions_since: now - Duration::days(7),
            recorder: recorder.clone(),
        })
        .await
        .expect("read")
        .expect("YouTube reads comments");
    assert_eq!(read.gaps.len(), 1, "{:?}", read.gaps);
    assert_eq!(read.gaps[0].object_id, "Y9999999999");
    assert_eq!(read.gaps[0].what, "commentThreads");
    assert_eq!(read.complete_posts.len(), counted.len());
    for (video, n) in &counted {
        let of: Vec<_> = read
            .comments
            .iter()
            .filter(|c| c.post_external_id.as_deref() == Some(video.as_str()))
            .collect();
        assert_eq!(
            of.len() as f64,
            n.min(40.0),
            "{video}: as many as commentCount (the sandbox serves up to 40)"
        );
        for reply in of.iter().filter(|c| c.kind == CommentKind::Reply) {
            assert_eq!(reply.author_handle.as_deref(), Some("alcancebr"));
            let parent = reply.parent_external_id.as_deref().expect("parent");
            assert!(of
                .iter()
                .any(|c| c.external_id == parent && c.kind == CommentKind::Comment));
        }
        assert!(of
            .iter()
            .all(|c| c.text.is_some() && c.created_at.is_some() && c.author_id.is_some()));
    }
    // One page per video at most 100 threads: each video cost one quota unit.
    let asked: Vec<String> = recorder
        .take()
        .iter()
        .map(|r| r.url.clone())
        .filter(|u| u.contains("/youtube/v3/commentThreads"))
        .collect();
    assert_eq!(asked.len(), posts.len(), "{asked:?}");
    // A tracked channel's comments are not read.
    let tracked = client
        .read_comments(&CommentsCtx {
            account: AccountRef {
                owned: false,
                ..account
            },
            token: tokens.access_token.clone(),
            posts,
            mentions_since: now,
            recorder: Recorder::new(),
        })
        .await
        .expect("read");
    assert!(tracked.is_none());
}
