//! The Reddit client against the seeded sandbox (`alcance-sandbox`, 127.0.0.1): the
//! installed-app consent (`duration=permanent`, no PKCE, HTTP Basic `client_id:`) through
//! the loopback redirect, a refresh that keeps the reusable refresh token, the owner
//! collected (karma, followers, every page of submissions in the window), a user and a
//! subreddit followed by handle, the `x-ratelimit-*` headers, and the token revoked. Checks
//! the wire contract both sides follow, not the generated numbers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alcance_core::{AccountRef, ContentType, MediaKind, Period, Platform};
use alcance_platforms::oauth::{self, HeadlessBrowser, OAuthApp, RedirectConfig};
use alcance_platforms::reddit::{decode_submitted, provider, revoke, RedditClient};
use alcance_platforms::registry::{self, Follow, Lookup};
use alcance_platforms::{CollectCtx, CollectWindow, Endpoints, Http, PlatformClient, Recorder};
use alcance_sandbox::model::{RD_NAME_OWNED, RD_NAME_TRACKED, RD_SUB_TRACKED, RD_USER_OWNED, RD_USER_TRACKED};
use alcance_sandbox::{Sandbox, SandboxConfig};
use chrono::{DateTime, Duration, Utc};
use secrecy::ExposeSecret;
use serde_json::json;
use std::collections::HashSet;

const NOW: &str = "2026-11-23T12:00:00Z";

#[tokio::test]
async fn connect_collect_follow_and_revoke_against_the_sandbox() {
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
        platform: Platform::Reddit,
        client_id: "my-installed-app".into(),
        client_secret: None,
        scopes: Vec::new(),
        redirect: RedirectConfig::ephemeral(),
    };
    let reddit = provider(&endpoints);
    let tokens = oauth::authorize(
        &app,
        &reddit,
        &HeadlessBrowser::new(),
        std::time::Duration::from_secs(20),
    )
    .await
    .expect("consent");
    let refresh_token = tokens
        .refresh_token
        .clone()
        .expect("duration=permanent gives a refresh token");
    assert!(tokens.expires_at.is_some());
    assert_eq!(tokens.scope.as_deref(), Some("identity read history"));
    let renewed = oauth::refresh(&app, &reddit, &refresh_token).await.expect("refresh");
    assert_ne!(
        renewed.access_token.expose_secret(),
        tokens.access_token.expose_secret()
    );
    assert_eq!(
        renewed.refresh_token.as_ref().map(|t| t.expose_secret()),
        Some(refresh_token.expose_secret()),
        "Reddit's refresh tokens are reusable"
    );
    let wrong_client = OAuthApp {
        client_id: "someone-elses-app".into(),
        ..app.clone()
    };
    let e = oauth::refresh(&wrong_client, &reddit, &refresh_token)
        .await
        .expect_err("another client's refresh token");
    assert!(e.to_string().contains("invalid_grant"), "{e}");

    let client = RedditClient::new(Http::new().expect("http"), endpoints.clone());
    let token = renewed.access_token.clone();
    let me = client.whoami(&token, &Recorder::new()).await.expect("whoami");
    assert_eq!(me.external_id, RD_USER_OWNED);
    assert_eq!(me.username.as_deref(), Some(RD_NAME_OWNED));

    let now: DateTime<Utc> = NOW.parse().expect("now");
    let ctx = |owned: bool, id: &str, username: &str| CollectCtx {
        account: AccountRef {
            platform: Platform::Reddit,
            external_id: id.to_string(),
            username: Some(username.to_string()),
            owned,
        },
        token: token.clone(),
        window: CollectWindow {
            since: now - Duration::days(150),
            until: now,
        },
        recorder: Recorder::new(),
    };
    let b = client
        .collect(&ctx(true, RD_USER_OWNED, RD_NAME_OWNED))
        .await
        .expect("collect");
    assert!(b.stopped.is_none(), "{:?}", b.stopped);
    assert!(b.warnings.is_empty(), "{:?}", b.warnings);
    for k in ["followers", "karma_post", "karma_comment", "karma_total"] {
        assert!(
            b.account_metrics
                .iter()
                .any(|m| m.metric == k && m.period == Period::Snapshot && m.value.is_some()),
            "{k}"
        );
    }
    assert!(
        b.posts.len() > 100,
        "0–2 a day over 150 days is more than one page: {}",
        b.posts.len()
    );
    let ids: HashSet<&str> = b.posts.iter().map(|p| p.external_id.as_str()).collect();
    assert_eq!(ids.len(), b.posts.len(), "no submission twice across pages");
    for p in &b.posts {
        for k in ["score", "likes", "upvote_ratio", "comments", "reposts"] {
            assert!(
                b.post_metrics
                    .iter()
                    .any(|m| m.post_external_id == p.external_id && m.metric == k && m.value.is_some()),
                "{} {k}",
                p.external_id
            );
        }
        assert!(p.published_at.is_some_and(|t| t >= now - Duration::days(150)));
        assert!(p
            .permalink
            .as_deref()
            .is_some_and(|l| l.starts_with("https://www.reddit.com/r/")));
    }
    assert!(b
        .post_metrics
        .iter()
        .filter(|m| m.metric == "upvote_ratio")
        .all(|m| m.value.is_some_and(|v| (0.0..=1.0).contains(&v))));
    // Pictures: an image's or a video's preview as an image, a gallery's thumbnail as a
    // thumbnail; text and link posts (thumbnail `self` / `default`) have none.
    for m in &b.media {
        let p = b
            .posts
            .iter()
            .find(|p| p.external_id == m.post_external_id)
            .expect("its post");
        let kind = match p.content_type {
            ContentType::Image | ContentType::Video => MediaKind::Image,
            ContentType::Carousel => MediaKind::Thumbnail,
            ref other => panic!("a picture for a {other:?} post: {m:?}"),
        };
        assert_eq!(m.kind, kind, "{m:?}");
        assert!(
            m.url.contains("/__alcance/img/") && m.url.ends_with(&format!("{}.png", p.external_id)),
            "{m:?}"
        );
    }
    let pictured = b
        .posts
        .iter()
        .filter(|p| {
            matches!(
                p.content_type,
                ContentType::Image | ContentType::Video | ContentType::Carousel
            )
        })
        .count();
    assert_eq!(b.media.len(), pictured, "one picture per image, video or gallery post");
    assert!(b.media.iter().any(|m| m.kind == MediaKind::Image));
    assert!(b.media.iter().any(|m| m.kind == MediaKind::Thumbnail));

    // Following by handle: a user and a subreddit.
    let Follow::ByHandle {
        lookup,
        allowed,
        max_len,
        ..
    } = registry::get(Platform::Reddit).follow
    else {
        panic!("Reddit profiles can be followed");
    };
    let rec = Recorder::new();
    let find = |handle: &'static str| {
        assert!(handle.chars().all(allowed) && handle.len() <= max_len, "{handle}");
        lookup(Lookup {
            http: Http::new().expect("http"),
            endpoints: &endpoints,
            token: &token,
            owner_external_id: RD_USER_OWNED,
            handle,
            recorder: &rec,
        })
    };
    let user = find("u/ana_influencer").await.expect("user");
    assert_eq!(user.external_id, RD_USER_TRACKED);
    assert_eq!(user.username.as_deref(), Some(RD_NAME_TRACKED));
    let sub = find("r/marketingbr").await.expect("subreddit");
    assert_eq!(sub.external_id, RD_SUB_TRACKED);
    assert_eq!(sub.username.as_deref(), Some("r/marketingbr"));
    let e = find("r/nobody_here").await.expect_err("unknown subreddit");
    assert!(matches!(e, alcance_platforms::PlatformError::NotFound { .. }), "{e:?}");

    let tracked = client
        .collect(&ctx(false, RD_SUB_TRACKED, "r/marketingbr"))
        .await
        .expect("subreddit");
    assert!(tracked.posts.is_empty(), "a subreddit has no posts of its own");
    assert!(tracked
        .account_metrics
        .iter()
        .any(|m| m.metric == "followers" && m.value.is_some_and(|v| v > 40_000.0)));
    let tracked_user = client
        .collect(&ctx(false, RD_USER_TRACKED, RD_NAME_TRACKED))
        .await
        .expect("user");
    assert!(!tracked_user.posts.is_empty());

    // The rate-limit headers, read as the client reads a page.
    let answer = reqwest::Client::new()
        .get(format!(
            "{}user/{RD_NAME_OWNED}/submitted?limit=5&sort=new",
            base.as_str()
        ))
        .bearer_auth(token.expose_secret())
        .send()
        .await
        .expect("page");
    let h = answer.headers().clone();
    let used: u32 = h["x-ratelimit-used"].to_str().unwrap().parse().unwrap();
    let remaining: f64 = h["x-ratelimit-remaining"].to_str().unwrap().parse().unwrap();
    let reset: u64 = h["x-ratelimit-reset"].to_str().unwrap().parse().unwrap();
    assert_eq!(used as f64 + remaining, 1000.0);
    assert!((1..=600).contains(&reset));
    let body = answer.bytes().await.expect("body").to_vec();
    let page = decode_submitted(&alcance_platforms::http::Answer {
        status: 200,
        headers: Default::default(),
        body,
        endpoint: "/user/alcance_br/submitted".into(),
    })
    .expect("a listing");
    assert_eq!(page.posts.len(), 5);
    assert!(page.after.as_deref().is_some_and(|a| a.starts_with("t3_")));

    revoke(&Http::new().expect("http"), &endpoints, &app.client_id, &refresh_token)
        .await
        .expect("revoke");
    let e = oauth::refresh(&app, &reddit, &refresh_token)
        .await
        .expect_err("revoked");
    assert!(e.to_string().contains("invalid_grant"), "{e}");
    sb.shutdown().await;
}
