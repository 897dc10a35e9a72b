//! Recorded Facebook exchanges (`../shared/fixtures/facebook/*.json`, see its README),
//! served by the fake and read through the Facebook client's wire DTOs and mapping, checked
//! field by field against the recorded bodies. Skips with a message when the folder is
//! absent. Nothing is copied from it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::meta_fake;

use alcance_core::ContentType;
use alcance_platforms::{PlatformError, Recorder};
use chrono::{DateTime, TimeZone, Utc};
use meta_fake::common::{fixtures_dir, json_files};
use meta_fake::{token, Exchange, FakeGraph, Reply, Req};
use secrecy::ExposeSecret;
use serde_json::Value;
use std::path::Path;

fn meta_time(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%z")
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn long_ago() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap()
}

/// Serves the exchange for requests to its path whose paging parameters match the
/// recording's (so a next-page request does not get the first page again).
fn serve(x: Exchange) -> impl Fn(&Req) -> Option<Reply> + Send + Sync + 'static {
    move |r: &Req| {
        let same = ["after", "until", "__paging_token"]
            .iter()
            .all(|k| r.q(k).filter(|v| !v.is_empty()) == x.q(k).filter(|v| !v.is_empty()));
        (r.path == x.path && same).then(|| x.reply.clone())
    }
}

/// Reads one exchange through the client and checks it; returns what was checked.
async fn replay(name: &str, x: &Exchange, dir: &Path) -> String {
    let rec = Recorder::new();
    let t = token();
    let segments: Vec<&str> = x.path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["debug_token"] | ["oauth", "access_token"] => {
            // Token debugging and the long-lived exchange belong to `oauth`, not to the Pages client.
            format!("{name}: token endpoint, read by alcance_platforms::oauth")
        }
        ["me", "accounts"] => {
            let fake = FakeGraph::start(serve(x.clone())).await;
            let pages = fake.facebook().pages(&t, &rec).await.expect("pages");
            let data = x.body["data"].as_array().expect("data");
            assert_eq!(pages.len(), data.len());
            for (p, d) in pages.iter().zip(data) {
                assert_eq!(p.id, d["id"].as_str().unwrap_or_default());
                assert_eq!(p.name.as_deref(), d["name"].as_str());
                assert_eq!(p.category.as_deref(), d["category"].as_str());
                assert_eq!(p.token.expose_secret(), d["access_token"].as_str().unwrap_or_default());
                let tasks: Vec<&str> = d["tasks"]
                    .as_array()
                    .expect("tasks")
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                assert_eq!(p.tasks, tasks);
                assert_eq!(p.can_analyze, tasks.contains(&"ANALYZE"));
            }
            assert_eq!(pages[0].id, "2121008874780932");
            assert_eq!(pages[0].category.as_deref(), Some("相机/照片"));
            assert!(pages[0].can_analyze);
            assert_eq!(fake.requests().len(), 1, "cursors without paging.next: the last page");
            format!("{name}: {} page(s) with tokens", pages.len())
        }
        [id] if x.reply.status >= 400 => {
            let id = if id.starts_with('{') { "20531316728" } else { id };
            let path = x.path.clone();
            let reply = x.reply.clone();
            let fake =
                FakeGraph::start(move |r: &Req| (r.path == path || path.contains('{')).then(|| reply.clone())).await;
            let e = fake.facebook().page(&t, id, &rec).await.expect_err("recorded error");
            let recorded = x.body["error"]["message"].as_str().unwrap_or_default();
            match &e {
                PlatformError::Api {
                    status, code, message, ..
                } => {
                    assert_eq!(*status, 400);
                    assert_eq!(code.as_deref(), Some("meta_100"));
                    assert!(message.starts_with(&recorded[..60]), "{message}");
                    assert!(message.contains("pages_read_engagement"));
                }
                other => panic!("{name}: {other:?}"),
            }
            format!("{name}: error {}", e.code())
        }
        [id] => {
            let fake = FakeGraph::start(serve(x.clone())).await;
            let at = Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap();
            let (p, ms) = fake.facebook().page_at(&t, id, at, &rec).await.expect("page");
            assert_eq!(p.external_id, x.body["id"].as_str().unwrap_or_default());
            assert_eq!(p.username.as_deref(), x.body["username"].as_str());
            assert_eq!(p.display_name.as_deref(), x.body["name"].as_str());
            let v = |k: &str| ms.iter().find(|m| m.metric == k).and_then(|m| m.value);
            assert_eq!(v("page_likes"), x.body["fan_count"].as_f64());
            assert_eq!(v("page_likes"), Some(214_507_731.0));
            assert_eq!(v("followers"), None, "followers_count was not recorded");
            format!("{name}: page {} with {} snapshots", p.external_id, ms.len())
        }
        [page, "videos"] => {
            let fake = FakeGraph::start(serve(x.clone())).await;
            let l = fake
                .facebook()
                .videos(&t, page, long_ago(), &rec)
                .await
                .expect("videos");
            let data = x.body["data"].as_array().expect("data");
            assert_eq!(l.items.len(), data.len());
            for (v, d) in l.items.iter().zip(data) {
                assert_eq!(v.post.external_id, d["id"].as_str().unwrap_or_default());
                assert_eq!(v.post.content_type, ContentType::Video);
                assert_eq!(
                    v.post.published_at,
                    Some(meta_time(d["created_time"].as_str().unwrap_or_default()))
                );
                assert_eq!(
                    v.updated_at,
                    Some(meta_time(d["updated_time"].as_str().unwrap_or_default()))
                );
                assert_eq!(v.post.caption.as_deref(), d["description"].as_str());
                assert_eq!(v.title.as_deref(), d["title"].as_str());
                assert_eq!(v.length_seconds, d["length"].as_f64());
                assert_eq!(
                    v.post.permalink.as_deref(),
                    Some(
                        format!(
                            "https://www.facebook.com{}",
                            d["permalink_url"].as_str().unwrap_or_default()
                        )
                        .as_str()
                    )
                );
            }
            assert_eq!(l.items[0].length_seconds, Some(33.344));
            // paging.next says there is a page 2 (`after=after`); nothing was recorded for it.
            assert_eq!(fake.requests()[1].q("after"), Some("after"));
            assert_eq!(l.pages, 1);
            assert_eq!(l.warnings.len(), 1, "{:?}", l.warnings);
            assert_eq!(l.warnings[0].code, "http_500");
            format!("{name}: {} videos", l.items.len())
        }
        [user, "posts"] => {
            // Page 1 and page 2 are served by their own paging parameters when both exist.
            let mut exchanges = vec![x.clone()];
            for other in [
                "python-facebook__user-posts-p1.json",
                "python-facebook__user-posts-p2.json",
            ] {
                let p = dir.join(other);
                if other != name && p.is_file() {
                    exchanges.push(Exchange::load(&p));
                }
            }
            let first_page = x.q("until").is_none();
            let served = exchanges.clone();
            let fake = FakeGraph::start(move |r: &Req| {
                if !first_page {
                    // Read page 2 on its own: it is served as the first answer.
                    return (r.path == served[0].path).then(|| served[0].reply.clone());
                }
                served.iter().find_map(|e| serve(e.clone())(r))
            })
            .await;
            let l = fake.facebook().posts(&t, user, long_ago(), &rec).await.expect("posts");
            let data = x.body["data"].as_array().expect("data");
            assert_eq!(l.items.len(), data.len(), "page 2 repeats page 1's ids");
            for (p, d) in l.items.iter().zip(data) {
                assert_eq!(p.post.external_id, d["id"].as_str().unwrap_or_default());
                assert_eq!(p.post.caption.as_deref(), d["message"].as_str());
                assert_eq!(
                    p.post.published_at,
                    Some(meta_time(d["created_time"].as_str().unwrap_or_default()))
                );
                assert_eq!(
                    p.post.content_type,
                    ContentType::Other("unknown".into()),
                    "no status_type recorded"
                );
                assert!(p.node_metrics.is_empty(), "no counts recorded");
            }
            assert_eq!(l.items[0].post.external_id, "4_10113477241177441");
            assert_eq!(
                l.items[0].post.published_at,
                Utc.with_ymd_and_hms(2021, 7, 4, 19, 50, 58).single()
            );
            let reqs = fake.requests();
            if first_page && exchanges.len() == 2 {
                assert_eq!(reqs.len(), 2, "time-based paging follows paging.next once");
                assert_eq!(reqs[1].q("until"), Some("1624385168"));
                assert_eq!(reqs[1].q("__paging_token"), Some("__paging_token"));
                assert_eq!(reqs[1].q("access_token"), Some(meta_fake::TOKEN));
                assert!(l.warnings.is_empty(), "{:?}", l.warnings);
            }
            if !first_page {
                assert_eq!(reqs.len(), 1, "page 2 has no paging.next");
            }
            format!("{name}: {} posts over {} requests", l.items.len(), reqs.len())
        }
        other => panic!("{name}: no Facebook client method reads {other:?}"),
    }
}

#[tokio::test]
async fn every_recorded_facebook_exchange_reads_through_the_client() {
    let Some(dir) = fixtures_dir("facebook") else {
        eprintln!("skipped: ../shared/fixtures/facebook not found (set ALCANCE_FIXTURES_DIR to run)");
        return;
    };
    let files = json_files(&dir);
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    let mut read = 0;
    for f in &files {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let x = Exchange::load(f);
        let what = replay(&name, &x, &dir).await;
        eprintln!("{what}");
        if !what.contains("read by alcance_platforms::oauth") {
            read += 1;
        }
    }
    assert!(read >= 5, "only {read} exchanges were read by the client");
}
