#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The keyset-paged export reads: every page size returns the rows of the whole-table read,
//! in its order, none lost or repeated at a page boundary, on both engines.

use crate::common;

use alcance_core::{AccountMetricRow, Platform, PostMetricRow, PostRecord};
use alcance_store::testing::TestStore;
use alcance_store::{both_engines, AudienceRow, Engine, ExportPages, PostRow, RowFilter};
use common::*;

/// Three accounts on two platforms, three days of collections: posts with the same
/// publication time (ties broken by post id), a post without one (`NULL` sorts first on
/// SQLite, last on PostgreSQL), several metrics and snapshots per post, audience cells.
async fn workspace(engine: Engine) -> Option<(TestStore, i64)> {
    let (store, ig, run) = store_with_account(engine).await?;
    let x = store
        .upsert_account(&account(Platform::X, "2244994945", "XDevelopers"), None, None)
        .await
        .expect("x");
    let x2 = store
        .upsert_account(&account(Platform::X, "1000", "early"), None, None)
        .await
        .expect("x2");
    for d in 0..3 {
        let when = day(d, 10);
        for (account, external, n) in [(ig, "17841400000000001", 4), (x, "2244994945", 3), (x2, "1000", 2)] {
            let mut batch = full_batch(1000.0 + d as f64, 10.0 + d as f64);
            batch.profile.as_mut().expect("profile").external_id = external.to_string();
            batch.account_metrics.push(daily("reach", d, Some(d as f64)));
            let mut posts: Vec<PostRecord> = (0..n).map(|i| post(&format!("p{i}"), at(6, 0, 0))).collect();
            posts.push(PostRecord {
                published_at: None,
                ..post("unknown", at(6, 0, 0))
            });
            batch.post_metrics = posts
                .iter()
                .flat_map(|p| {
                    ["likes", "comments", "saves"]
                        .into_iter()
                        .map(|m| post_metric(&p.external_id, m, Some((d * 10) as f64)))
                })
                .collect();
            batch.posts = posts;
            store.save_batch(run, account, when, &batch, &[]).await.expect("batch");
        }
    }
    Some((store, ig))
}

async fn all_pages<T>(mut pages: ExportPages<T>) -> Vec<T> {
    let mut rows = Vec::new();
    while let Some(page) = pages.next_page().await.expect("page") {
        assert!(!page.is_empty(), "no empty page");
        rows.extend(page);
    }
    assert!(pages.next_page().await.expect("done").is_none(), "stays done");
    rows
}

async fn pages_return_the_whole_read_in_order(engine: Engine) {
    let Some((store, ig)) = workspace(engine).await else {
        return;
    };
    let filters = [
        RowFilter::default(),
        RowFilter {
            platforms: vec![Platform::X],
            ..RowFilter::default()
        },
        RowFilter {
            account_ids: vec![ig],
            metrics: vec!["likes".into(), "reach".into()],
            ..RowFilter::default()
        },
        RowFilter {
            since: Some(day(1, 0)),
            until: Some(day(2, 0)),
            ..RowFilter::default()
        },
    ];
    for filter in &filters {
        let account_rows: Vec<AccountMetricRow> = store.account_metric_rows(filter).await.expect("rows");
        let post_rows: Vec<PostMetricRow> = store.post_metric_rows(filter).await.expect("rows");
        let posts: Vec<PostRow> = store.posts(filter).await.expect("rows");
        let audience: Vec<AudienceRow> = store.audience_rows(filter).await.expect("rows");
        assert!(!post_rows.is_empty() || filter.since.is_some(), "{filter:?}");
        for page_rows in [1, 2, 3, 7, 64, 10_000] {
            let ctx = format!("{filter:?}, {page_rows} a page");
            let pages = store.account_metric_pages(filter, page_rows).await.expect("open");
            assert_eq!(all_pages(pages).await, account_rows, "{ctx}");
            let pages = store.post_metric_pages(filter, page_rows).await.expect("open");
            assert_eq!(all_pages(pages).await, post_rows, "{ctx}");
            let pages = store.post_pages(filter, page_rows).await.expect("open");
            assert_eq!(all_pages(pages).await, posts, "{ctx}");
            let pages = store.audience_pages(filter, page_rows).await.expect("open");
            assert_eq!(all_pages(pages).await, audience, "{ctx}");
        }
    }
    // The post without a publication time keeps the engine's place for NULL.
    let posts = store.posts(&RowFilter::default()).await.expect("posts");
    let x_posts: Vec<&str> = posts
        .iter()
        .filter(|p| p.user_id == "1000")
        .map(|p| p.external_id.as_str())
        .collect();
    let expected = if engine == Engine::Sqlite {
        ["unknown", "p0", "p1"]
    } else {
        ["p0", "p1", "unknown"]
    };
    assert_eq!(x_posts, expected);
}

async fn a_full_page_at_an_accounts_end_moves_on_and_a_large_page_spans_nothing(engine: Engine) {
    let Some((store, ig)) = workspace(engine).await else {
        return;
    };
    let only_ig = RowFilter {
        account_ids: vec![ig],
        ..RowFilter::default()
    };
    let n = store.account_metric_rows(&only_ig).await.expect("rows").len();
    // Exactly one account's rows in one page: the next read finds the account done.
    let mut pages = store.account_metric_pages(&only_ig, n).await.expect("open");
    assert_eq!(pages.next_page().await.expect("page").map(|p| p.len()), Some(n));
    assert!(pages.next_page().await.expect("end").is_none());
    // Pages never mix accounts: with all accounts and a big page, one page per account.
    let mut pages = store
        .account_metric_pages(&RowFilter::default(), 100_000)
        .await
        .expect("open");
    let mut users = Vec::new();
    while let Some(page) = pages.next_page().await.expect("page") {
        let first = page[0].user_id.clone();
        assert!(page.iter().all(|r| r.user_id == first));
        users.push(first);
    }
    assert_eq!(users, ["17841400000000001", "1000", "2244994945"]);
    // No account matches: no page.
    let none = RowFilter {
        account_ids: vec![-1],
        ..RowFilter::default()
    };
    let mut pages = store.post_metric_pages(&none, 10).await.expect("open");
    assert!(pages.next_page().await.expect("page").is_none());
}

both_engines!(
    pages_return_the_whole_read_in_order,
    a_full_page_at_an_accounts_end_moves_on_and_a_large_page_spans_nothing
);
