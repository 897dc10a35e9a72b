//! The main job end to end: `alcance demo` on the seeded sandbox and on a replaying one.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use alcance_app::demo::{self, DemoOptions};
use alcance_collector::RunKind;
use alcance_platforms::CollectWindow;
use alcance_sandbox::{Mode, Sandbox, SandboxConfig};
use alcance_tests::{connected_workspace, seeded_sandbox, set_clock};
use chrono::{Duration, TimeZone, Utc};
use std::path::{Path, PathBuf};

const ACCOUNT_HEADER: &str = "user_id,platform,metric_type,value,collected_at,period_start,period_end";
const POST_HEADER: &str = "user_id,platform,post_id,published_at,metric_type,value,collected_at";

/// The recorded fixtures; `None` (skipped) when absent, a failure when `CI` is set.
fn fixtures() -> Option<PathBuf> {
    alcance_sandbox::replay::fixtures_dir()
}

fn csv_rows(path: &Path) -> (String, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).expect("csv");
    let mut lines = text.lines();
    let header = lines.next().expect("header").to_string();
    let rows = lines.map(|l| l.split(',').map(str::to_string).collect()).collect();
    (header, rows)
}

fn assert_no_token_anywhere(dir: &Path) {
    // Sandbox tokens all start with `sbx_`: none may reach the database or an export.
    let mut files = vec![dir.join("alcance.db")];
    for sub in ["exports", "charts"] {
        for entry in std::fs::read_dir(dir.join(sub)).expect("dir") {
            files.push(entry.expect("entry").path());
        }
    }
    for file in files {
        let bytes = std::fs::read(&file).expect("read");
        assert!(
            !bytes.windows(4).any(|w| w == b"sbx_"),
            "a token reached {}",
            file.display()
        );
    }
}

#[tokio::test]
async fn the_demo_builds_a_complete_workspace_on_the_seeded_sandbox() {
    let out = tempfile::tempdir().expect("tempdir");
    let summary = demo::run(
        DemoOptions {
            out: out.path().to_path_buf(),
            sandbox_url: None,
            days: 12,
        },
        &|_| {},
    )
    .await
    .expect("demo runs");
    assert_eq!(summary.collections, 12);
    assert_eq!(summary.account_failures, 0, "{summary:?}");
    assert_eq!(summary.sandbox_mode, "seeded");
    assert_eq!(
        summary.accounts.len(),
        17,
        "one connected account per platform and seven tracked profiles"
    );
    assert_eq!(summary.accounts.iter().filter(|a| a.owned).count(), 10);
    let platforms: std::collections::BTreeSet<_> = summary.accounts.iter().map(|a| a.platform).collect();
    assert_eq!(platforms.len(), 10, "all ten platforms collect");
    for a in &summary.accounts {
        assert!(a.metric_rows > 0, "{a:?}");
        if a.platform != alcance_core::Platform::Whatsapp {
            // WhatsApp has no followers or posts; its metrics are message analytics.
            assert!(a.followers.unwrap_or(0.0) > 1000.0, "{a:?}");
            // A tracked YouTube channel is read by its public statistics only.
            let tracked_youtube = a.platform == alcance_core::Platform::Youtube && !a.owned;
            // A tracked subreddit is stored as an account of subscribers, without posts.
            let subreddit = a.platform == alcance_core::Platform::Reddit && !a.owned && a.name.starts_with("r/");
            assert!(a.posts > 0 || tracked_youtube || subreddit, "{a:?}");
        }
    }

    let (header, rows) = csv_rows(&summary.exports.account_csv);
    assert_eq!(header, ACCOUNT_HEADER);
    // Twelve daily follower snapshots per account, each a distinct day. YouTube shows
    // subscriber counts rounded to three significant figures, which change every few days
    // (an unchanged reading is one snapshot row): its day series stands in for them.
    for a in summary.accounts.iter().filter(|a| {
        !matches!(
            a.platform,
            alcance_core::Platform::Whatsapp | alcance_core::Platform::Youtube
        )
    }) {
        let days: std::collections::BTreeSet<&str> = rows
            .iter()
            .filter(|r| r[2] == "followers" && (r[1] == a.platform.as_str()))
            .map(|r| &r[4][..10])
            .collect();
        assert!(days.len() >= 12, "{}: {} follower snapshot days", a.name, days.len());
    }
    let (header, rows) = csv_rows(&summary.exports.post_csv);
    assert_eq!(header, POST_HEADER);
    assert!(rows.iter().any(|r| r[4] == "likes"));
    assert!(rows.iter().any(|r| r[1] == "instagram" && r[4] == "reach"));
    // Bluesky: its four counters, never a view, reach or impression it does not serve.
    for key in ["likes", "reposts", "replies", "quotes"] {
        assert!(rows.iter().any(|r| r[1] == "bluesky" && r[4] == key), "bluesky {key}");
    }
    assert!(!rows
        .iter()
        .any(|r| r[1] == "bluesky" && matches!(r[4].as_str(), "views" | "reach" | "impressions")));
    // Reddit: its five post counters, never a view it does not serve.
    for key in ["score", "likes", "upvote_ratio", "comments", "reposts"] {
        assert!(rows.iter().any(|r| r[1] == "reddit" && r[4] == key), "reddit {key}");
    }
    assert!(!rows.iter().any(|r| r[1] == "reddit" && r[4] == "views"));
    // LinkedIn: per post organic statistics and social actions.
    for key in [
        "impressions",
        "reach",
        "clicks",
        "engagement_rate",
        "reactions",
        "comments",
    ] {
        assert!(rows.iter().any(|r| r[1] == "linkedin" && r[4] == key), "linkedin {key}");
    }
    // Threads: its six lifetime post insights, never a reach or impression it does not serve.
    for key in ["views", "likes", "replies", "reposts", "quotes", "shares"] {
        assert!(rows.iter().any(|r| r[1] == "threads" && r[4] == key), "threads {key}");
    }
    assert!(!rows
        .iter()
        .any(|r| r[1] == "threads" && matches!(r[4].as_str(), "reach" | "impressions")));

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&summary.exports.json).expect("json")).expect("valid json");
    assert_eq!(json["accounts"].as_array().map(Vec::len), Some(17));
    let (_, account_rows) = csv_rows(&summary.exports.account_csv);
    assert!(account_rows
        .iter()
        .any(|r| r[1] == "whatsapp" && r[2] == "messages_sent"));
    assert!(account_rows.iter().any(|r| r[1] == "tiktok" && r[2] == "followers"));
    assert!(account_rows.iter().any(|r| r[1] == "reddit" && r[2] == "karma_total"));
    assert!(account_rows.iter().any(|r| r[1] == "facebook" && r[2] == "views"));
    for key in ["followers_gained", "impressions", "engagement_rate"] {
        assert!(
            account_rows.iter().any(|r| r[1] == "linkedin" && r[2] == key),
            "linkedin {key}"
        );
    }
    let youtube_days: std::collections::BTreeSet<&str> = account_rows
        .iter()
        .filter(|r| r[1] == "youtube" && r[2] == "watch_time_seconds")
        .map(|r| &r[5][..10])
        .collect();
    assert!(
        youtube_days.len() >= 12,
        "YouTube Analytics days: {}",
        youtube_days.len()
    );
    let xlsx = std::fs::read(&summary.exports.xlsx).expect("xlsx");
    assert_eq!(&xlsx[..2], b"PK", "an XLSX is a zip");
    for chart in &summary.charts {
        let bytes = std::fs::read(chart).expect("chart");
        if chart.extension().is_some_and(|e| e == "png") {
            assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        } else {
            assert!(String::from_utf8_lossy(&bytes).contains("<svg"));
        }
    }
    assert_eq!(summary.charts.len(), 4);
    assert_no_token_anywhere(out.path());
}

#[tokio::test]
async fn collecting_the_same_data_twice_changes_no_data_row_counts() {
    let sandbox = seeded_sandbox().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let ws = connected_workspace(dir.path(), &sandbox).await;
    let at = Utc.with_ymd_and_hms(2026, 9, 1, 13, 0, 0).single().expect("date");
    set_clock(&sandbox, at).await;
    let window = CollectWindow {
        since: at - Duration::days(7),
        until: at,
    };
    let first = ws
        .collect(window, at, RunKind::Manual, &[], &|_| {})
        .await
        .expect("first");
    assert_eq!(first.status, "ok");
    // A run stamped in the past (here 2026-09-01) keeps its real duration: it does not end
    // at today's wall clock.
    let run = ws.store().run(first.run_id).await.expect("run");
    let took = run.finished_at.expect("finished") - run.started_at;
    assert!(
        took >= Duration::zero() && took < Duration::minutes(5),
        "run {} took {took} by its timestamps",
        first.run_id
    );
    // The comments' incremental reads ask for mentions and tags since the newest one stored
    // (docs/comments.md), so the second run's request differs from the first and its
    // exchange is archived anew; every other exchange is the same request and body.
    let archived = || async {
        let pool = ws.store().sqlite_pool().expect("sqlite").clone();
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM raw_responses WHERE url NOT LIKE '%/mentions%' AND url NOT LIKE '%/tags%'",
        )
        .fetch_one(&pool)
        .await
        .expect("raw responses")
    };
    let archived_before = archived().await;
    let before = ws.store().table_counts().await.expect("counts");
    let again = ws
        .collect(window, at, RunKind::Manual, &[], &|_| {})
        .await
        .expect("again");
    assert_eq!(again.status, "ok");
    let after = ws.store().table_counts().await.expect("counts");
    assert_eq!(before.accounts, after.accounts);
    assert_eq!(before.posts, after.posts);
    assert_eq!(before.post_metrics, after.post_metrics);
    assert_eq!(before.account_metrics, after.account_metrics);
    assert_eq!(before.audience, after.audience);
    assert_eq!(archived_before, archived().await, "the same exchanges archived again");
    assert_eq!(
        after.collection_runs,
        before.collection_runs + 1,
        "the run log grows by one run"
    );

    // A day later the values moved: new snapshots land.
    let next = at + Duration::days(1);
    set_clock(&sandbox, next).await;
    let later = ws
        .collect(
            CollectWindow {
                since: next - Duration::days(7),
                until: next,
            },
            next,
            RunKind::Manual,
            &[],
            &|_| {},
        )
        .await
        .expect("next day");
    assert_eq!(later.status, "ok");
    let grown = ws.store().table_counts().await.expect("counts");
    assert!(grown.post_metrics > after.post_metrics && grown.account_metrics > after.account_metrics);
    sandbox.shutdown().await;
}

async fn replay_demo(platform_dir: &str) -> Option<(tempfile::TempDir, demo::DemoSummary, PathBuf)> {
    let fixtures = fixtures()?;
    let dir = fixtures.join(platform_dir);
    let sandbox = Sandbox::start(SandboxConfig {
        mode: Mode::Replay { dir: dir.clone() },
        bind: "127.0.0.1:0".parse().expect("loopback"),
    })
    .await
    .expect("replaying sandbox");
    let out = tempfile::tempdir().expect("tempdir");
    let summary = demo::run(
        DemoOptions {
            out: out.path().to_path_buf(),
            sandbox_url: Some(sandbox.base_url()),
            days: 90,
        },
        &|_| {},
    )
    .await
    .expect("demo against a replaying sandbox");
    sandbox.shutdown().await;
    assert_eq!(summary.sandbox_mode, "replay");
    assert_eq!(summary.collections, 1);
    Some((out, summary, dir))
}

fn recorded(dir: &Path, file: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join(file)).expect("fixture")).expect("json");
    v["response"]["body"].clone()
}

fn value_of(rows: &[Vec<String>], user: &str, metric: &str) -> Vec<f64> {
    rows.iter()
        .filter(|r| r[0] == user && r[2] == metric)
        .filter_map(|r| r[3].parse().ok())
        .collect()
}

#[tokio::test]
async fn the_demo_against_replayed_x_exchanges_exports_the_recorded_values() {
    let Some((_out, summary, dir)) = replay_demo("x").await else {
        return;
    };
    let (_, rows) = csv_rows(&summary.exports.account_csv);
    let user = recorded(&dir, "python-twitter__users-by-username.json");
    let id = user["data"]["id"].as_str().expect("id");
    for (field, key) in [
        ("followers_count", "followers"),
        ("following_count", "following"),
        ("tweet_count", "media_count"),
        ("listed_count", "listed"),
    ] {
        let want = user["data"]["public_metrics"][field].as_f64().expect("recorded");
        assert_eq!(value_of(&rows, id, key), vec![want], "{field} of {id}");
    }
    let (_, post_rows) = csv_rows(&summary.exports.post_csv);
    let timeline = recorded(&dir, "python-twitter__users-tweets.json");
    let tweets = timeline["data"].as_array().expect("tweets");
    assert!(!tweets.is_empty());
    for tweet in tweets {
        let tid = tweet["id"].as_str().expect("id");
        for (field, key) in [
            ("like_count", "likes"),
            ("retweet_count", "reposts"),
            ("reply_count", "replies"),
            ("quote_count", "quotes"),
        ] {
            let want = tweet["public_metrics"][field].as_f64().expect("recorded");
            let got: Vec<f64> = post_rows
                .iter()
                .filter(|r| r[2] == tid && r[4] == key)
                .filter_map(|r| r[5].parse().ok())
                .collect();
            assert_eq!(got, vec![want], "{field} of tweet {tid}");
        }
    }
}

#[tokio::test]
async fn the_demo_against_replayed_instagram_exchanges_exports_the_recorded_values() {
    let Some((_out, summary, dir)) = replay_demo("instagram").await else {
        return;
    };
    let (_, rows) = csv_rows(&summary.exports.account_csv);
    let profile = recorded(&dir, "python-facebook__user-profile-fields.json");
    let id = profile["id"].as_str().expect("id");
    for (field, key) in [("followers_count", "followers"), ("media_count", "media_count")] {
        let want = profile[field].as_f64().expect("recorded");
        assert_eq!(value_of(&rows, id, key), vec![want], "{field} of {id}");
    }
    let (_, post_rows) = csv_rows(&summary.exports.post_csv);
    let media = recorded(&dir, "python-facebook__user-media-p1.json");
    let items = media["data"].as_array().expect("media");
    let mut checked = 0;
    for item in items {
        let mid = item["id"].as_str().expect("id");
        if let Some(want) = item["comments_count"].as_f64() {
            let got: Vec<f64> = post_rows
                .iter()
                .filter(|r| r[2] == mid && r[4] == "comments")
                .filter_map(|r| r[5].parse().ok())
                .collect();
            assert_eq!(got, vec![want], "comments_count of media {mid}");
            checked += 1;
        }
    }
    assert!(checked > 0, "the recorded media page has comment counts");
}
