//! The Threads client against the seeded sandbox (`alcance-sandbox`, 127.0.0.1): the
//! code flow that a hosted HTTPS callback page finishes (authorize → code → 1 h token →
//! 60-day token), the refresh, a pasted long-lived token (the control endpoint stands in
//! for Meta's token generator), the owner's account collected (follower snapshot, daily
//! profile views and totals, demographics, posts with lifetime insights, repost facades
//! left out), a deleted post, and a revoked token. Checks the wire contract both sides
//! follow, not the generated numbers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alcance_core::{AccountRef, Period, Platform};
use alcance_platforms::oauth::{self, OAuthApp, Provider, RedirectConfig};
use alcance_platforms::threads::ThreadsClient;
use alcance_platforms::{CollectCtx, CollectWindow, Endpoints, Http, PlatformClient, PlatformError, Recorder};
use alcance_sandbox::model::{TH_USERNAME, TH_USER_ID};
use alcance_sandbox::{Sandbox, SandboxConfig};
use chrono::{DateTime, Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use std::collections::HashSet;

const NOW: &str = "2026-11-23T12:00:00Z";
const CALLBACK: &str = "https://alcance.example/threads-callback/";

/// Asks the sandbox's authorize page for a code, as the browser would, and reads it from
/// the redirect to the (HTTPS, never visited) callback page.
async fn authorize_code(endpoints: &Endpoints, app: &OAuthApp) -> (SecretString, String) {
    let provider = Provider::threads(endpoints);
    let request = oauth::AuthorizeRequest::new(app, &provider, CALLBACK).expect("authorize url");
    assert!(request
        .url
        .as_str()
        .contains("scope=threads_basic%2Cthreads_manage_insights"));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http");
    let answer = http.get(request.url.clone()).send().await.expect("authorize");
    assert_eq!(answer.status(), 302);
    let location = answer.headers()["location"].to_str().expect("location").to_string();
    assert!(location.starts_with(CALLBACK), "{location}");
    let url = url::Url::parse(&location).expect("location url");
    let get = |k: &str| url.query_pairs().find(|(n, _)| n == k).map(|(_, v)| v.into_owned());
    assert_eq!(get("state").as_deref(), Some(request.state()));
    (
        SecretString::from(get("code").expect("code")),
        request.state().to_string(),
    )
}

#[tokio::test]
async fn connect_collect_and_revoke_against_the_sandbox() {
    let sb = Sandbox::start(SandboxConfig::seeded(73)).await.expect("sandbox");
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
        platform: Platform::Threads,
        client_id: "threads-app-id".into(),
        client_secret: Some(SecretString::from("threads-app-secret".to_string())),
        scopes: Vec::new(),
        redirect: RedirectConfig::default(),
    };

    // The hosted callback page hands the code back; Alcance exchanges it twice.
    let (code, _) = authorize_code(&endpoints, &app).await;
    let tokens = oauth::exchange_threads_code(&endpoints, &app, &code, CALLBACK)
        .await
        .expect("code → long-lived");
    assert_eq!(tokens.user_id.as_deref(), Some(TH_USER_ID));
    let lifetime = tokens.expires_at.expect("expires") - Utc::now();
    assert!(lifetime > Duration::days(59), "a 60-day token: {lifetime}");
    // A code is single-use.
    let again = oauth::exchange_threads_code(&endpoints, &app, &code, CALLBACK).await;
    assert!(matches!(again, Err(PlatformError::OAuth { .. })), "{again:?}");
    // The token upkeep's refresh.
    let renewed = oauth::refresh(&app, &Provider::threads(&endpoints), &tokens.access_token)
        .await
        .expect("refresh");
    assert_ne!(
        renewed.access_token.expose_secret(),
        tokens.access_token.expose_secret()
    );
    assert_eq!(
        renewed.refresh_token.as_ref().map(|t| t.expose_secret()),
        Some(renewed.access_token.expose_secret())
    );

    // A pasted long-lived token, as the token generator gives one.
    let grant: Value = reqwest::get(format!("{}__alcance/threads-token", base.as_str()))
        .await
        .expect("control")
        .json()
        .await
        .expect("json");
    let pasted = SecretString::from(grant["access_token"].as_str().expect("token").to_string());
    let client = ThreadsClient::new(Http::new().expect("http"), endpoints.clone());
    let me = client.whoami(&pasted, &Recorder::new()).await.expect("whoami");
    assert_eq!(me.external_id, TH_USER_ID);
    assert_eq!(me.username.as_deref(), Some(TH_USERNAME));

    let now: DateTime<Utc> = NOW.parse().expect("now");
    let ctx = CollectCtx {
        account: AccountRef {
            platform: Platform::Threads,
            external_id: TH_USER_ID.to_string(),
            username: Some(TH_USERNAME.to_string()),
            owned: true,
        },
        token: renewed.access_token.clone(),
        window: CollectWindow {
            since: now - Duration::days(60),
            until: now,
        },
        recorder: Recorder::new(),
    };
    let b = client.collect(&ctx).await.expect("collect");
    assert!(b.stopped.is_none(), "{:?}", b.stopped);
    assert!(b.warnings.is_empty(), "{:?}", b.warnings);
    assert!(b.gaps.is_empty(), "{:?}", b.gaps);
    assert!(b
        .account_metrics
        .iter()
        .any(|m| m.metric == "followers" && m.period == Period::Snapshot && m.value.is_some_and(|v| v > 100.0)));
    let days = |k: &str| {
        b.account_metrics
            .iter()
            .filter(|m| m.metric == k && m.period == Period::Day && m.value.is_some())
            .count()
    };
    assert!((59..=61).contains(&days("profile_views")), "{}", days("profile_views"));
    for k in ["likes", "replies", "reposts", "quotes", "link_clicks"] {
        assert_eq!(days(k), 30, "{k}: the last 30 full UTC days");
    }
    for (dimension, key) in [
        ("country", "BR"),
        ("city", "São Paulo, São Paulo"),
        ("age", "25-34"),
        ("gender", "F"),
    ] {
        assert!(
            b.audience
                .iter()
                .any(|a| a.audience == "followers" && a.dimension == dimension && a.key == key && a.value > 0.0),
            "{dimension} {key}: {:?}",
            b.audience
        );
    }
    assert!(b.posts.len() >= 40, "about 1.5 a day over 60 days: {}", b.posts.len());
    let ids: HashSet<&str> = b.posts.iter().map(|p| p.external_id.as_str()).collect();
    assert_eq!(ids.len(), b.posts.len(), "no post twice across pages");
    for p in &b.posts {
        assert!(p.published_at.is_some_and(|t| t >= ctx.window.since && t <= now));
        for k in ["views", "likes", "replies", "reposts", "quotes", "shares"] {
            assert!(
                b.post_metrics
                    .iter()
                    .any(|m| m.post_external_id == p.external_id && m.metric == k && m.value.is_some()),
                "{} {k}",
                p.external_id
            );
        }
    }
    assert!(
        b.posts
            .iter()
            .all(|p| p.content_type != alcance_core::ContentType::Other("repost_facade".into())),
        "someone else's posts are not stored"
    );

    // A post that does not exist (deleted): the client names the endpoint, the caller gets NotFound.
    let mut memory = alcance_platforms::meta::MetricMemory::new();
    let gone = client
        .media_insights(&pasted, "180000000000000000", &mut memory, &Recorder::new())
        .await;
    assert!(matches!(gone, Err(PlatformError::NotFound { .. })), "{gone:?}");

    // Revoked (the user removed the app): 190 → Unauthorized, re-authorization needed.
    let r = reqwest::Client::new()
        .post(format!("{}__alcance/revoke", base.as_str()))
        .json(&json!({ "token": pasted.expose_secret() }))
        .send()
        .await
        .expect("revoke");
    assert_eq!(r.status(), 200);
    let e = client.whoami(&pasted, &Recorder::new()).await.expect_err("revoked");
    assert!(e.needs_reauth(), "{e:?}");
    sb.shutdown().await;
}
