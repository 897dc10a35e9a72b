//! Bad input from a platform — malformed JSON, missing fields, unknown enum values, an HTML
//! error page, a truncated body, a 500 — gives a clear error in `run_events`, the run goes
//! on with the other accounts, nothing stored before is lost, and nothing panics.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use alcance_collector::{RunKind, RunSummary};
use alcance_core::{AccountMetricRow, Platform, PostMetricRow};
use alcance_platforms::CollectWindow;
use alcance_store::RowFilter;
use alcance_tests::{arm_fault, connected_workspace, seeded_sandbox, set_clock};
use chrono::{DateTime, Duration, TimeZone, Utc};

const IG_OWNED: &str = "17841400000000001";

fn day(n: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 1, 13, 0, 0).single().expect("date") + Duration::days(n)
}

fn window(at: DateTime<Utc>) -> CollectWindow {
    CollectWindow {
        since: at - Duration::days(7),
        until: at,
    }
}

fn outcome(summary: &RunSummary, platform: Platform, owned: bool) -> &alcance_collector::AccountOutcome {
    summary
        .accounts
        .iter()
        .find(|a| a.account.platform == platform && a.account.owned == owned)
        .expect("account in run")
}

type Snapshot = (Vec<AccountMetricRow>, Vec<PostMetricRow>);

async fn stored(ws: &alcance_app::Workspace) -> Snapshot {
    let f = RowFilter::default();
    (
        ws.store().account_metric_rows(&f).await.expect("account rows"),
        ws.store().post_metric_rows(&f).await.expect("post rows"),
    )
}

fn assert_nothing_lost(before: &Snapshot, after: &Snapshot, failed_user: &str) {
    // Every stored value is still there. Period metrics (a day's reach) may be corrected in
    // place by a later collection (late Meta data), so they are compared by key; the failed
    // account's rows must be untouched to the letter.
    let key = |r: &AccountMetricRow| {
        (
            r.user_id.clone(),
            r.metric_type.clone(),
            r.period,
            r.period_start,
            r.period_end,
        )
    };
    let after_keys: std::collections::HashSet<_> = after.0.iter().map(key).collect();
    for row in &before.0 {
        assert!(after_keys.contains(&key(row)), "account metric row lost: {row:?}");
        if row.user_id == failed_user {
            assert!(after.0.contains(row), "the failed account's row changed: {row:?}");
        }
    }
    // Post snapshots of earlier days are never rewritten by a later day.
    for row in &before.1 {
        assert!(after.1.contains(row), "post metric row lost or changed: {row:?}");
    }
}

/// One fault on the owned X account's profile call, which a collection cannot do without.
async fn profile_fault_case(kind: &str, expected_code: &[&str]) {
    let sandbox = seeded_sandbox().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = connected_workspace(dir.path(), &sandbox).await;
    let quiet = |_| {};

    set_clock(&sandbox, day(0)).await;
    let first = ws
        .collect(window(day(0)), day(0), RunKind::Manual, &[], &quiet)
        .await
        .expect("first run");
    assert_eq!(first.status, "ok", "{first:?}");
    let before = stored(&ws).await;
    assert!(!before.0.is_empty() && !before.1.is_empty());

    set_clock(&sandbox, day(1)).await;
    arm_fault(&sandbox, "/2/users/me", kind, 10).await;
    let second = ws
        .collect(window(day(1)), day(1), RunKind::Manual, &[], &quiet)
        .await
        .expect("second run");
    assert_eq!(second.status, "partial", "{kind}: {second:?}");

    let x = outcome(&second, Platform::X, true);
    assert!(!x.ok, "{kind}: the faulted account must fail");
    let error = x.error.as_deref().expect("an error message");
    assert!(
        expected_code.iter().any(|c| error.starts_with(c)),
        "{kind}: unexpected error {error}"
    );
    assert!(
        error.contains("/2/users/me"),
        "{kind}: the error names the endpoint: {error}"
    );
    let ig = outcome(&second, Platform::Instagram, true);
    assert!(
        ig.ok && ig.metrics > 0,
        "{kind}: the other platform must still collect: {ig:?}"
    );

    let events = ws.store().run_events(second.run_id).await.expect("events");
    let event = events
        .iter()
        .find(|e| e.account_id == Some(x.account_id) && e.level == alcance_core::EventLevel::Error)
        .expect("an error event for the faulted account");
    assert!(
        expected_code.contains(&event.code.as_str()),
        "{kind}: event code {}",
        event.code
    );
    assert!(!event.message.is_empty());

    let after = stored(&ws).await;
    assert_nothing_lost(&before, &after, &x.account.external_id);
    assert_eq!(ws.store().integrity_check().await.expect("integrity"), "ok");
    // The failed exchange is archived for diagnosis.
    assert!(ws.store().table_counts().await.expect("counts").raw_responses > 0);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn malformed_json_is_a_clear_decode_error() {
    profile_fault_case("malformed_json", &["decode"]).await;
}

#[tokio::test]
async fn truncated_body_is_a_clear_decode_error() {
    profile_fault_case("truncated", &["decode"]).await;
}

#[tokio::test]
async fn html_error_page_is_a_clear_error() {
    profile_fault_case("html", &["http_502", "decode"]).await;
}

#[tokio::test]
async fn server_error_500_is_a_clear_error() {
    profile_fault_case("status_500", &["http_500"]).await;
}

#[tokio::test]
async fn missing_fields_are_a_clear_decode_error() {
    profile_fault_case("missing_fields", &["decode"]).await;
}

#[tokio::test]
async fn unknown_enum_values_do_not_fail_a_collection() {
    let sandbox = seeded_sandbox().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = connected_workspace(dir.path(), &sandbox).await;
    set_clock(&sandbox, day(0)).await;
    arm_fault(&sandbox, &format!("/{IG_OWNED}/media"), "unknown_enum", 50).await;
    arm_fault(&sandbox, "/2/users/", "unknown_enum", 50).await;
    let run = ws
        .collect(window(day(0)), day(0), RunKind::Manual, &[], &|_| {})
        .await
        .expect("run");
    assert_eq!(run.status, "ok", "unknown enum values must not fail: {run:?}");
    let posts = ws.store().posts(&RowFilter::default()).await.expect("posts");
    let ig_posts: Vec<_> = posts
        .iter()
        .filter(|p| p.platform == Platform::Instagram && p.user_id == IG_OWNED)
        .collect();
    assert!(!ig_posts.is_empty());
    // An unknown media type is kept as the platform's own value, not guessed.
    // (Stories come from /stories, which this fault does not touch.)
    assert!(
        ig_posts
            .iter()
            .any(|p| matches!(p.content_type, alcance_core::ContentType::Other(_)))
            && ig_posts
                .iter()
                .filter(|p| p.content_type != alcance_core::ContentType::Story)
                .all(|p| matches!(p.content_type, alcance_core::ContentType::Other(_))),
        "{:?}",
        ig_posts.iter().map(|p| p.content_type.clone()).collect::<Vec<_>>()
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_failing_page_after_the_first_keeps_what_was_collected() {
    let sandbox = seeded_sandbox().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = connected_workspace(dir.path(), &sandbox).await;
    set_clock(&sandbox, day(0)).await;
    // Every media-insights call of the owned IG account fails: the account still stores
    // its profile, account insights and media node counts, with warnings, and is left
    // incomplete (partial), to be collected again.
    arm_fault(&sandbox, "/1792", "status_500", 1000).await;
    let run = ws
        .collect(window(day(0)), day(0), RunKind::Manual, &[], &|_| {})
        .await
        .expect("run");
    let ig = outcome(&run, Platform::Instagram, true);
    assert!(!ig.ok && ig.partial && ig.metrics > 0, "{ig:?}");
    assert!(
        ig.error.as_deref().is_some_and(|e| e.starts_with("transient")),
        "{ig:?}"
    );
    let events = ws.store().run_events(run.run_id).await.expect("events");
    assert!(
        events
            .iter()
            .any(|e| e.account_id == Some(ig.account_id) && e.level != alcance_core::EventLevel::Info),
        "the failed calls are reported: {events:?}"
    );
    sandbox.shutdown().await;
}
