//! `GET /metrics` after a real collection on the sandbox (the demo, run in this process so
//! its counts are this process's): the collector's, the platform HTTP layer's and the
//! server's own counters are there with their labels and non-zero values, the workspace
//! gauges are set at the scrape, no label carries a raw id, and a proxied scrape needs an
//! analyst's API token.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use alcance_app::demo::{self, DemoOptions};
use alcance_app::people::{self, Role};
use alcance_app::Session;
use alcance_server::ApiState;

/// The value of the sample `name{labels}` (labels in the exporter's order, as rendered).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .map(|v| v.trim().parse().unwrap())
}

/// Every sample line of metric `name` (with labels), without `# HELP` / `# TYPE`.
fn samples<'t>(text: &'t str, name: &str) -> Vec<&'t str> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_after_a_collection_count_it_with_their_labels() {
    assert!(alcance_app::telemetry::install(), "the recorder installs");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ws");
    demo::run(
        DemoOptions {
            out: out.clone(),
            sandbox_url: None,
            days: 2,
        },
        &|_| {},
    )
    .await
    .unwrap_or_else(|e| panic!("demo: {e:#}"));
    let unused = url::Url::parse("http://127.0.0.1:9/").unwrap();
    let session = Session::demo_at(&out, &unused).await.unwrap();
    let ws = session.workspace();
    people::add_user(
        ws,
        None,
        "analyst@example.com",
        Role::Analyst,
        Some("correct horse battery"),
    )
    .await
    .unwrap();
    people::add_user(
        ws,
        None,
        "client@example.com",
        Role::Client,
        Some("correct horse battery"),
    )
    .await
    .unwrap();
    let (_, analyst) = people::create_api_token(ws, None, "analyst@example.com", Role::Analyst, "prometheus")
        .await
        .unwrap();
    let (_, client) = people::create_api_token(ws, None, "client@example.com", Role::Client, "tests")
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(alcance_server::serve(
        listener,
        ApiState::from_session(&session),
        async {
            let _ = stopped.await;
        },
    ));
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    for _ in 0..3 {
        assert_eq!(http.get(format!("{base}/healthz")).send().await.unwrap().status(), 200);
    }
    let accounts = http.get(format!("{base}/api/v1/accounts")).send().await.unwrap();
    assert_eq!(accounts.status(), 401);

    let answer = http.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert!(answer.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = answer.text().await.unwrap();

    // The collector: every demo account collected ok, per platform; metric values stored.
    for platform in ["x", "instagram", "tiktok"] {
        let ok = sample(
            &text,
            &format!("alcance_collections_total{{platform=\"{platform}\",outcome=\"ok\"}}"),
        );
        assert!(ok.unwrap_or(0.0) >= 2.0, "{platform} collections ok: {ok:?}\n{text}");
        let stored = sample(
            &text,
            &format!("alcance_records_stored_total{{platform=\"{platform}\"}}"),
        );
        assert!(stored.unwrap_or(0.0) > 0.0, "{platform} records stored: {stored:?}");
    }
    assert!(text.contains("# TYPE alcance_collections_total counter"), "{text}");

    // The platforms' HTTP layer: requests by API family, endpoint template and status, and
    // their time as a histogram; endpoints are templates, never paths with ids.
    let requests = samples(&text, "alcance_api_requests_total");
    assert!(!requests.is_empty(), "{text}");
    for family in ["x", "meta", "tiktok"] {
        let ok: f64 = requests
            .iter()
            .filter(|l| l.contains(&format!("platform=\"{family}\"")) && l.contains("status=\"200\""))
            .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
            .sum();
        assert!(ok > 0.0, "{family}: no answered request in {requests:#?}");
    }
    for line in &requests {
        let endpoint = line.split("endpoint=\"").nth(1).unwrap().split('"').next().unwrap();
        assert!(
            !endpoint
                .split('/')
                .any(|seg| seg.len() > 4 && seg.chars().all(|c| c.is_ascii_digit())),
            "an id in an endpoint label: {line}"
        );
    }
    assert!(
        text.contains("# TYPE alcance_api_request_duration_seconds histogram"),
        "{text}"
    );
    assert!(
        samples(&text, "alcance_api_request_duration_seconds_count")
            .iter()
            .any(|l| l.contains("platform=\"x\"")),
        "{text}"
    );

    // The server's own requests, by route template.
    let healthz = sample(
        &text,
        "alcance_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}",
    );
    assert_eq!(healthz, Some(3.0), "{text}");
    let refused = sample(
        &text,
        "alcance_http_requests_total{method=\"GET\",route=\"/api/v1/accounts\",status=\"401\"}",
    );
    assert_eq!(refused, Some(1.0), "{text}");
    assert!(text.contains("# TYPE alcance_http_request_duration_seconds histogram"));

    // The workspace gauges, set at the scrape.
    let accounts = ws.store().list_accounts().await.unwrap();
    for a in &accounts {
        let series = format!(
            "alcance_account_cadence_seconds{{platform=\"{}\",account_id=\"{}\"}}",
            a.account.platform.as_str(),
            a.id
        );
        assert!(sample(&text, &series).unwrap() > 0.0, "{series}\n{text}");
    }
    assert!(!samples(&text, "alcance_account_last_collected_timestamp_seconds").is_empty());
    // The demo's X and TikTok tokens renew themselves (refresh tokens, hours-long access
    // tokens): no expiry gauge; Meta's long-lived tokens have one, weeks ahead.
    let expiries = samples(&text, "alcance_token_expires_in_seconds");
    assert!(!expiries.is_empty(), "{text}");
    for line in &expiries {
        assert!(
            !line.contains("platform=\"x\"") && !line.contains("platform=\"tiktok\""),
            "{line}"
        );
        let seconds: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        assert!(seconds > 7.0 * 86_400.0, "{line}");
    }
    assert!(sample(&text, "alcance_due_accounts").is_some(), "{text}");

    // The scrape itself is counted by the next one.
    let again = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let scrapes = sample(
        &again,
        "alcance_http_requests_total{method=\"GET\",route=\"/metrics\",status=\"200\"}",
    );
    assert!(scrapes.unwrap_or(0.0) >= 1.0, "{again}");

    // Through a proxy (not a direct loopback client): an analyst's token, nothing less.
    let proxied = |token: Option<&str>| {
        let mut request = http
            .get(format!("{base}/metrics"))
            .header("x-forwarded-for", "203.0.113.7");
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        request.send()
    };
    assert_eq!(proxied(None).await.unwrap().status(), 401);
    assert_eq!(proxied(Some(&client)).await.unwrap().status(), 403);
    let answer = proxied(Some(&analyst)).await.unwrap();
    assert_eq!(answer.status(), 200);
    assert!(answer.text().await.unwrap().contains("alcance_collections_total"));

    let _ = stop.send(());
    task.await.unwrap().unwrap();
    session.close().await;
}
