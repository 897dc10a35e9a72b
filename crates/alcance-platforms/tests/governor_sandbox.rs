//! A simulated day of X collection against the sandbox, which enforces X's documented
//! per-user limits (`/2/users/me` 75 and user lookup 300 per 15-minute window) on tokio's
//! clock: with `tokio::time::pause()`, the governed client makes zero rate-limited requests
//! while using at least 90 % of the day's budget of every endpoint it drives.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alcance_core::Platform;
use alcance_platforms::governor::{ApiFamily, Governor, RequestKey, TokenFingerprint};
use alcance_platforms::oauth::{self, HeadlessBrowser, OAuthApp, Provider, RedirectConfig};
use alcance_platforms::x::XClient;
use alcance_platforms::{Endpoints, Http, Recorder};
use alcance_sandbox::{Sandbox, SandboxConfig};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

const DAY: Duration = Duration::from_secs(24 * 3600);
const WINDOWS_PER_DAY: usize = 96;

async fn x_token(endpoints: &Endpoints) -> SecretString {
    let app = OAuthApp {
        platform: Platform::X,
        client_id: "governor-day".into(),
        client_secret: None,
        scopes: vec!["tweet.read".into(), "users.read".into(), "offline.access".into()],
        redirect: RedirectConfig::ephemeral(),
    };
    oauth::authorize(
        &app,
        &Provider::x(endpoints),
        &HeadlessBrowser::new(),
        Duration::from_secs(30),
    )
    .await
    .expect("sandbox OAuth")
    .access_token
}

/// Calls `call` in a loop until the simulated day ends; returns the statuses the sandbox
/// answered (from the archive of every exchange).
async fn drive<F, Fut>(deadline: Instant, call: F) -> Vec<u16>
where
    F: Fn(Recorder) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let rec = Recorder::new();
    let mut statuses = Vec::new();
    while Instant::now() < deadline {
        call(rec.clone()).await;
        statuses.extend(rec.take().into_iter().map(|e| e.status));
    }
    statuses
}

#[tokio::test]
async fn a_simulated_day_uses_the_x_budget_without_a_single_429() {
    let sandbox = Sandbox::start(SandboxConfig::seeded(7)).await.expect("sandbox");
    let endpoints = Endpoints::sandbox(&sandbox.base_url());
    let token = x_token(&endpoints).await;

    tokio::time::pause();
    let governor = Arc::new(Governor::new());
    let http = Http::new().expect("http").with_governor(Arc::clone(&governor));
    let client = XClient::new(http, endpoints);
    let started = Instant::now();
    let deadline = started + DAY;

    let mut tasks = Vec::new();
    for _ in 0..2 {
        let (c, t) = (client.clone(), token.clone());
        tasks.push((
            "users/me",
            75usize,
            tokio::spawn(async move {
                drive(deadline, |rec| {
                    let (client, token) = (c.clone(), t.clone());
                    async move {
                        let _ = client.me(&token, &rec).await;
                    }
                })
                .await
            }),
        ));
        let (c2, t2) = (client.clone(), token.clone());
        tasks.push((
            "users/by/username",
            300,
            tokio::spawn(async move {
                drive(deadline, |rec| {
                    let (client, token) = (c2.clone(), t2.clone());
                    async move {
                        let _ = client.user_by_username(&token, "ana_influencer", &rec).await;
                    }
                })
                .await
            }),
        ));
    }
    let mut per_endpoint: std::collections::BTreeMap<&str, (usize, Vec<u16>)> = Default::default();
    for (name, limit, task) in tasks {
        let statuses = task.await.expect("driver");
        let entry = per_endpoint.entry(name).or_insert((limit, Vec::new()));
        entry.1.extend(statuses);
    }
    let elapsed = Instant::now() - started;
    assert!(
        elapsed >= DAY && elapsed < DAY + Duration::from_secs(20 * 60),
        "{elapsed:?}"
    );

    for (name, (limit, statuses)) in &per_endpoint {
        let limited = statuses.iter().filter(|s| **s == 429).count();
        let ok = statuses.iter().filter(|s| **s == 200).count();
        let budget = limit * WINDOWS_PER_DAY;
        assert_eq!(limited, 0, "{name}: rate-limited requests");
        assert_eq!(ok, statuses.len(), "{name}: every answer is a 200");
        assert!(ok * 100 >= budget * 90, "{name}: used {ok} of a budget of {budget}");
        assert!(ok <= budget + limit, "{name}: {ok} is more than the day allows");
    }
    let stats = governor.stats();
    assert_eq!((stats.rate_limited, stats.refused), (0, 0), "{stats:?}");

    // The governor's view of the window matches the sandbox's headers, keyed by a
    // fingerprint, never the token.
    let key = RequestKey {
        api: ApiFamily::X,
        endpoint: "/2/users/me".into(),
        token: TokenFingerprint::of(token.expose_secret()),
    };
    let view = governor.budget(&key).expect("users/me budget");
    assert_eq!(view.limit, Some(75));
    assert!(!format!("{key}").contains(token.expose_secret()));
    sandbox.shutdown().await;
}
