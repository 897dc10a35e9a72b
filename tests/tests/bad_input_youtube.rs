//! Bad input from YouTube (issue 14 point 7) through the whole stack: malformed JSON, a
//! truncated body, an HTML error page, a 500 and missing fields on the channel read give a
//! clear error naming the endpoint in `run_events`; the run goes on with the other
//! accounts and nothing stored before is lost. Unknown enum values in the videos answer keep
//! the videos, with a warning that names the endpoint.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use alcance_collector::RunKind;
use alcance_core::{EventLevel, Platform};
use alcance_platforms::oauth::HeadlessBrowser;
use alcance_platforms::CollectWindow;
use alcance_store::RowFilter;
use alcance_tests::{arm_fault, connected_workspace, seeded_sandbox, set_clock};
use chrono::{DateTime, Duration, TimeZone, Utc};

fn day(n: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 1, 13, 0, 0).single().expect("date") + Duration::days(n)
}

fn window(at: DateTime<Utc>) -> CollectWindow {
    CollectWindow {
        since: at - Duration::days(30),
        until: at,
    }
}

async fn workspace(dir: &std::path::Path, sandbox: &alcance_sandbox::Sandbox) -> alcance_app::Workspace {
    let ws = connected_workspace(dir, sandbox).await;
    ws.connect(
        &alcance_app::demo::demo_app(Platform::Youtube),
        &HeadlessBrowser::new(),
        std::time::Duration::from_secs(20),
    )
    .await
    .expect("Google sign-in against the sandbox");
    ws
}

async fn channel_fault_case(kind: &str, expected_code: &[&str]) {
    let sandbox = seeded_sandbox().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = workspace(dir.path(), &sandbox).await;
    set_clock(&sandbox, day(0)).await;
    let first = ws
        .collect(window(day(0)), day(0), RunKind::Manual, &[], &|_| {})
        .await
        .expect("first run");
    assert_eq!(first.status, "ok", "{first:?}");
    let before = ws
        .store()
        .account_metric_rows(&RowFilter::default())
        .await
        .expect("rows");
    assert!(before.iter().any(|r| r.platform == Platform::Youtube));

    set_clock(&sandbox, day(1)).await;
    arm_fault(&sandbox, "/youtube/v3/channels", kind, 10).await;
    let second = ws
        .collect(window(day(1)), day(1), RunKind::Manual, &[], &|_| {})
        .await
        .expect("second run");
    assert_eq!(second.status, "partial", "{kind}: {second:?}");
    let yt = second
        .accounts
        .iter()
        .find(|a| a.account.platform == Platform::Youtube)
        .expect("YouTube in the run");
    assert!(!yt.ok, "{kind}: the faulted account fails");
    let error = yt.error.as_deref().expect("an error message");
    assert!(
        expected_code.iter().any(|c| error.starts_with(c)),
        "{kind}: unexpected error {error}"
    );
    assert!(
        error.contains("/youtube/v3/channels"),
        "{kind}: the error names the endpoint: {error}"
    );
    for other in second
        .accounts
        .iter()
        .filter(|a| a.account.platform != Platform::Youtube)
    {
        assert!(other.ok && other.metrics > 0, "{kind}: {other:?} still collects");
    }
    let events = ws.store().run_events(second.run_id).await.expect("events");
    assert!(events
        .iter()
        .any(|e| e.account_id == Some(yt.account_id) && e.level == EventLevel::Error));
    let after = ws
        .store()
        .account_metric_rows(&RowFilter::default())
        .await
        .expect("rows");
    for row in before.iter().filter(|r| r.platform == Platform::Youtube) {
        assert!(after.contains(row), "{kind}: a stored YouTube value was lost: {row:?}");
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn malformed_json_is_a_clear_decode_error() {
    channel_fault_case("malformed_json", &["decode"]).await;
}

#[tokio::test]
async fn truncated_body_is_a_clear_decode_error() {
    channel_fault_case("truncated", &["decode"]).await;
}

#[tokio::test]
async fn html_error_page_is_a_clear_error() {
    channel_fault_case("html", &["http_502", "decode"]).await;
}

#[tokio::test]
async fn server_error_500_is_a_clear_error() {
    channel_fault_case("status_500", &["http_500"]).await;
}

#[tokio::test]
async fn missing_fields_are_a_clear_decode_error() {
    channel_fault_case("missing_fields", &["decode"]).await;
}

#[tokio::test]
async fn unknown_enum_values_keep_the_videos_with_a_warning() {
    let sandbox = seeded_sandbox().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = workspace(dir.path(), &sandbox).await;
    set_clock(&sandbox, day(0)).await;
    arm_fault(&sandbox, "/youtube/v3/videos", "unknown_enum", 50).await;
    let run = ws
        .collect(window(day(0)), day(0), RunKind::Manual, &[], &|_| {})
        .await
        .expect("run");
    assert_eq!(run.status, "ok", "unknown enum values must not fail: {run:?}");
    let yt = run
        .accounts
        .iter()
        .find(|a| a.account.platform == Platform::Youtube)
        .expect("YouTube in the run");
    let posts = ws.store().posts(&RowFilter::default()).await.expect("posts");
    assert!(
        posts.iter().any(|p| p.platform == Platform::Youtube),
        "the videos are kept"
    );
    let events = ws.store().run_events(run.run_id).await.expect("events");
    assert!(
        events.iter().any(|e| e.account_id == Some(yt.account_id)
            && e.code == "unknown_value"
            && e.message.contains("/youtube/v3/videos")
            && e.message.contains("hologram")),
        "a warning names the endpoint and the value: {events:?}"
    );
    sandbox.shutdown().await;
}
