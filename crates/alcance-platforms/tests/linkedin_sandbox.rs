//! The LinkedIn client against the seeded sandbox (`alcance-sandbox`, 127.0.0.1): LinkedIn's
//! consent through the loopback redirect (the secret in the form body), a token without a
//! refresh token for an ordinary app and with one for an app approved for programmatic
//! refresh (refreshed, not rotated), the administered page connected and collected
//! (follower count and demographics, daily follower gains and share statistics, posts with
//! their statistics and social actions), and the token revoked. Checks the wire contract
//! both sides follow, not the generated numbers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alcance_core::{AccountRef, Period, Platform};
use alcance_platforms::linkedin::{provider, revoke, LinkedInClient};
use alcance_platforms::oauth::{self, HeadlessBrowser, OAuthApp, RedirectConfig};
use alcance_platforms::{CollectCtx, CollectWindow, Endpoints, Http, PlatformClient, Recorder};
use alcance_sandbox::model::LI_ORG_ID;
use alcance_sandbox::{Sandbox, SandboxConfig};
use chrono::{DateTime, Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use std::collections::HashSet;

const NOW: &str = "2026-11-23T12:00:00Z";

fn app(client_id: &str) -> OAuthApp {
    OAuthApp {
        platform: Platform::Linkedin,
        client_id: client_id.into(),
        client_secret: Some(SecretString::from("li-secret".to_string())),
        scopes: Vec::new(),
        redirect: RedirectConfig::ephemeral(),
    }
}

#[tokio::test]
async fn connect_collect_refresh_and_revoke_against_the_sandbox() {
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
    let linkedin = provider(&endpoints);
    let wait = std::time::Duration::from_secs(20);

    // An ordinary app: 60 days, no refresh token (reconnect before it expires).
    let plain = oauth::authorize(&app("alcance-li"), &linkedin, &HeadlessBrowser::new(), wait)
        .await
        .expect("consent");
    assert!(plain.refresh_token.is_none());
    let expires = plain.expires_at.expect("expires_at");
    assert!(expires > Utc::now() + Duration::days(59), "{expires}");

    // An app approved for programmatic refresh tokens: refreshed, the same refresh token kept.
    let approved = app("approved-alcance-li");
    let tokens = oauth::authorize(&approved, &linkedin, &HeadlessBrowser::new(), wait)
        .await
        .expect("consent");
    let refresh_token = tokens.refresh_token.clone().expect("approved apps get a refresh token");
    let renewed = oauth::refresh(&approved, &linkedin, &refresh_token)
        .await
        .expect("refresh");
    assert_ne!(
        renewed.access_token.expose_secret(),
        tokens.access_token.expose_secret()
    );
    assert_eq!(
        renewed.refresh_token.as_ref().map(|t| t.expose_secret()),
        Some(refresh_token.expose_secret()),
        "LinkedIn does not rotate refresh tokens"
    );

    let client = LinkedInClient::new(Http::new().expect("http"), endpoints.clone());
    let token = renewed.access_token.clone();
    let me = client.whoami(&token, &Recorder::new()).await.expect("whoami");
    assert_eq!(me.external_id, LI_ORG_ID);
    assert_eq!(me.username.as_deref(), Some("alcance-brasil"));
    assert_eq!(me.display_name.as_deref(), Some("Alcance Brasil"));

    let now: DateTime<Utc> = NOW.parse().expect("now");
    let ctx = CollectCtx {
        account: AccountRef {
            platform: Platform::Linkedin,
            external_id: LI_ORG_ID.to_string(),
            username: Some("alcance-brasil".to_string()),
            owned: true,
        },
        token: token.clone(),
        window: CollectWindow {
            since: now - Duration::days(120),
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
        .any(|m| m.metric == "followers" && m.period == Period::Snapshot && m.value.is_some_and(|v| v > 1000.0)));
    for k in [
        "followers_gained",
        "impressions",
        "reach",
        "clicks",
        "likes",
        "comments",
        "shares",
        "engagement_rate",
    ] {
        let days = b
            .account_metrics
            .iter()
            .filter(|m| m.metric == k && m.period == Period::Day && m.value.is_some())
            .count();
        assert!((115..=121).contains(&days), "{k}: {days} days");
    }
    assert!(b.audience.iter().any(|s| s.dimension == "seniority"));
    assert!(
        b.posts.len() >= 30,
        "about three posts a week over 120 days: {}",
        b.posts.len()
    );
    let ids: HashSet<&str> = b.posts.iter().map(|p| p.external_id.as_str()).collect();
    assert_eq!(ids.len(), b.posts.len(), "no post twice across pages");
    assert!(b.posts.iter().any(|p| p.external_id.starts_with("urn:li:ugcPost:")));
    for p in &b.posts {
        for k in [
            "impressions",
            "reach",
            "clicks",
            "likes",
            "comments",
            "shares",
            "engagement_rate",
            "reactions",
        ] {
            let n = b
                .post_metrics
                .iter()
                .filter(|m| m.post_external_id == p.external_id && m.metric == k && m.value.is_some())
                .count();
            assert_eq!(n, 1, "{} {k}", p.external_id);
        }
        assert!(p.published_at.is_some_and(|t| t >= now - Duration::days(120)));
    }

    revoke(&Http::new().expect("http"), &endpoints, &approved, &token)
        .await
        .expect("revoke");
    let e = client.whoami(&token, &Recorder::new()).await.expect_err("revoked");
    assert!(e.needs_reauth(), "{e:?}");
    let unknown = SecretString::from("AQV-never-issued".to_string());
    match revoke(&Http::new().expect("http"), &endpoints, &approved, &unknown).await {
        Err(alcance_platforms::PlatformError::OAuth { message }) => {
            assert!(
                message.contains("HTTP 400") && !message.contains("AQV-never-issued"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    let mut no_secret = approved.clone();
    no_secret.client_secret = None;
    assert!(revoke(&Http::new().expect("http"), &endpoints, &no_secret, &token)
        .await
        .is_err());
    sb.shutdown().await;
}

#[tokio::test]
async fn the_sandbox_refuses_rest_calls_without_a_version_in_linkedins_envelope() {
    let sb = Sandbox::start(SandboxConfig::seeded(74)).await.expect("sandbox");
    let endpoints = Endpoints::sandbox(&sb.base_url());
    let tokens = oauth::authorize(
        &app("alcance-li"),
        &provider(&endpoints),
        &HeadlessBrowser::new(),
        std::time::Duration::from_secs(20),
    )
    .await
    .expect("consent");
    let r = reqwest::Client::new()
        .get(format!("{}/organizations/{LI_ORG_ID}", endpoints.linkedin_api.as_str()))
        .bearer_auth(tokens.access_token.expose_secret())
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["status"], 400);
    assert!(body["serviceErrorCode"].is_number() && body["code"].is_string() && body["message"].is_string());
    let r = reqwest::Client::new()
        .get(format!("{}/organizations/{LI_ORG_ID}", endpoints.linkedin_api.as_str()))
        .header("LinkedIn-Version", "202607")
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 401);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["serviceErrorCode"], 65600);
    sb.shutdown().await;
}
