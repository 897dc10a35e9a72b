//! The Facebook Pages client against the seeded sandbox (`alcance-sandbox`, 127.0.0.1):
//! Facebook Login → user token → `pages()` → a full `collect` with the page token, as the
//! app does it. Checks the wire contract both sides follow, not the generated numbers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alcance_core::{AccountRef, Period, Platform};
use alcance_platforms::facebook::FacebookClient;
use alcance_platforms::{CollectCtx, CollectWindow, Endpoints, Http, PlatformClient, Recorder};
use alcance_sandbox::{Sandbox, SandboxConfig};
use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;
use serde_json::{json, Value};
use url::Url;

const PAGE: &str = "104000000000001";
const REDIRECT: &str = "http://127.0.0.1:8719/callback";
const NOW: &str = "2026-11-23T12:00:00Z";

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn url(sb: &Sandbox, path: &str) -> String {
    format!("{}{}", sb.base_url().as_str().trim_end_matches('/'), path)
}

/// Sets the sandbox clock and runs the Facebook Login dialog and code exchange (with the
/// app secret); returns the user token.
async fn user_token(sb: &Sandbox) -> SecretString {
    let c = http();
    let r = c
        .post(url(sb, "/__alcance/clock"))
        .json(&json!({ "now": NOW }))
        .send()
        .await
        .expect("clock");
    assert_eq!(r.status(), 200);
    let r = c
        .get(url(sb, "/v25.0/dialog/oauth"))
        .query(&[
            ("client_id", "fb-app"),
            ("redirect_uri", REDIRECT),
            ("state", "s"),
            ("response_type", "code"),
            ("scope", "pages_show_list,pages_read_engagement,read_insights"),
        ])
        .send()
        .await
        .expect("dialog");
    assert_eq!(r.status(), 302);
    let location = Url::parse(r.headers()["location"].to_str().expect("location")).expect("url");
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("code");
    let r = c
        .get(url(sb, "/v25.0/oauth/access_token"))
        .query(&[
            ("client_id", "fb-app"),
            ("redirect_uri", REDIRECT),
            ("client_secret", "app-secret"),
            ("code", code.as_str()),
        ])
        .send()
        .await
        .expect("exchange");
    let body: Value = r.json().await.expect("token json");
    SecretString::from(body["access_token"].as_str().expect("access_token").to_string())
}

#[tokio::test]
async fn login_pages_and_a_full_collection_against_the_sandbox() {
    let sb = Sandbox::start(SandboxConfig::seeded(61)).await.expect("sandbox");
    let endpoints = Endpoints::sandbox(&sb.base_url());
    let c = FacebookClient::new(Http::new().expect("http"), endpoints);
    let user = user_token(&sb).await;
    let me = c.whoami(&user, &Recorder::new()).await.expect("whoami");
    assert!(!me.external_id.is_empty());
    let pages = c.pages(&user, &Recorder::new()).await.expect("pages");
    let page = pages.iter().find(|p| p.id == PAGE).expect("the seeded page");
    assert!(page.can_analyze);

    let now: DateTime<Utc> = NOW.parse().expect("now");
    let ctx = CollectCtx {
        account: AccountRef {
            platform: Platform::Facebook,
            external_id: PAGE.to_string(),
            username: Some("alcancebr".into()),
            owned: true,
        },
        token: page.token.clone(),
        window: CollectWindow {
            since: now - Duration::days(14),
            until: now,
        },
        recorder: Recorder::new(),
    };
    let b = c.collect(&ctx).await.expect("collect");
    assert_eq!(
        b.profile.as_ref().and_then(|p| p.username.as_deref()),
        Some("alcancebr")
    );
    let has = |k: &str, p: Period| {
        b.account_metrics
            .iter()
            .any(|m| m.metric == k && m.period == p && m.value.is_some())
    };
    assert!(has("followers", Period::Snapshot) && has("page_likes", Period::Snapshot));
    for k in ["views", "total_interactions", "followers_gained"] {
        assert!(has(k, Period::Day), "{k} day values land");
    }
    assert!(!b.posts.is_empty(), "seeded posts in the last 14 days");
    for k in ["reactions", "views", "reach", "video_views", "watch_time_seconds"] {
        assert!(
            b.post_metrics.iter().any(|m| m.metric == k && m.value.is_some()),
            "{k} post metric lands"
        );
    }
    assert!(
        b.warnings.is_empty(),
        "the client and the sandbox agree on the wire: {:#?}",
        b.warnings
    );
    for g in &b.gaps {
        assert_eq!(g.code, "metric_removed", "{g:?}");
    }
}
