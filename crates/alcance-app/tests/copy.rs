#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `alcance workspace copy`: the demo workspace (SQLite) into a team's PostgreSQL database
//! and back into a new folder, verified table by table (counts and checksums) and by its
//! exports, which must come out byte-identical; an interrupted copy resumes. On a real
//! PostgreSQL (`ALCANCE_TEST_PG_URL`; skipped locally without one, failing under CI).

use alcance_app::demo::{self, DemoOptions};
use alcance_app::{Store, StoreLocation};
use alcance_store::copy::{copy_store, CopyProgress, TableCopy, COPY_TABLES};
use alcance_store::testing::empty_database;
use alcance_store::RowFilter;

fn all_match(report: &[TableCopy]) {
    assert_eq!(report.len(), COPY_TABLES.len());
    for t in report {
        assert!(t.matches(), "{}: {:?} vs {:?}", t.table, t.source, t.destination);
    }
}

/// The two long CSV exports of everything in `store`, as bytes.
async fn exports_of(store: &Store) -> (Vec<u8>, Vec<u8>) {
    let filter = RowFilter::default();
    let mut accounts = Vec::new();
    let rows = store.account_metric_rows(&filter).await.expect("account rows");
    alcance_report::export::write_account_csv(&rows, &mut accounts).expect("account csv");
    let mut posts = Vec::new();
    let rows = store.post_metric_rows(&filter).await.expect("post rows");
    alcance_report::export::write_post_csv(&rows, &mut posts).expect("post csv");
    assert!(accounts.len() > 1000 && posts.len() > 1000);
    (accounts, posts)
}

#[tokio::test]
async fn the_demo_workspace_goes_to_postgresql_and_back_unchanged_and_a_copy_resumes() {
    let Some(db) = empty_database().await else {
        return;
    };
    let folder = tempfile::tempdir().unwrap();
    demo::run(
        DemoOptions {
            out: folder.path().to_path_buf(),
            sandbox_url: None,
            days: 5,
        },
        &|_| {},
    )
    .await
    .expect("demo");
    let sqlite = Store::open(&folder.path().join("alcance.db")).await.expect("sqlite");
    let StoreLocation::Postgres(url) = StoreLocation::parse(db.url()) else {
        panic!("not PostgreSQL");
    };
    let postgres = Store::open_postgres(url.expose()).await.expect("postgres");

    let mut events = Vec::new();
    let report = copy_store(&sqlite, &postgres, 200, |p| events.push(p))
        .await
        .expect("copy");
    all_match(&report);
    let by_table = |t: &str| report.iter().find(|r| r.table == t).unwrap().clone();
    assert!(
        by_table("post_metrics").source.rows > 100,
        "{:?}",
        by_table("post_metrics")
    );
    assert!(by_table("raw_responses").source.rows > 0, "the raw archive comes along");
    assert!(events.iter().any(|e| matches!(
        e,
        CopyProgress::Rows {
            table: "post_metrics",
            ..
        }
    )));
    assert_eq!(exports_of(&sqlite).await, exports_of(&postgres).await);

    // New rows get fresh ids after the copy (the identity sequences moved on).
    let account = alcance_app::AccountRef {
        platform: alcance_app::Platform::X,
        external_id: "999".into(),
        username: Some("new_after_copy".into()),
        owned: false,
    };
    let id = postgres
        .upsert_account(&account, None, None)
        .await
        .expect("new account");
    let max_copied = sqlite
        .list_accounts()
        .await
        .unwrap()
        .iter()
        .map(|a| a.id)
        .max()
        .unwrap();
    assert!(id > max_copied);
    postgres.delete_account_data(id).await.expect("delete it again");

    // An interrupted copy: the newest post snapshots never arrived; running it again
    // copies only those and ends identical.
    let before = by_table("post_metrics").source.rows;
    let cut = alcance_store::on_pool!(postgres.pool(), |p| sqlx::query(
        "DELETE FROM post_metrics WHERE id > (SELECT max(id) - 40 FROM post_metrics)"
    )
    .execute(p)
    .await
    .unwrap()
    .rows_affected());
    assert_eq!(cut, 40);
    let again = copy_store(&sqlite, &postgres, 16, |_| {}).await.expect("resumed copy");
    all_match(&again);
    let resumed = again.iter().find(|r| r.table == "post_metrics").unwrap();
    assert_eq!(resumed.copied, 40, "only the missing rows");
    assert_eq!(resumed.destination.rows, before);

    // And back into a new folder.
    let back_dir = tempfile::tempdir().unwrap();
    let back = Store::open(&back_dir.path().join("alcance.db"))
        .await
        .expect("new sqlite");
    let report = copy_store(&postgres, &back, 500, |_| {}).await.expect("copy back");
    all_match(&report);
    assert_eq!(exports_of(&sqlite).await, exports_of(&back).await);

    // The verification can fail: one changed value changes the table's checksum.
    let sum = back.table_checksum("accounts").await.unwrap();
    alcance_store::on_pool!(back.pool(), |p| sqlx::query(
        "UPDATE accounts SET display_name = 'changed' WHERE id = $1"
    )
    .bind(max_copied)
    .execute(p)
    .await
    .unwrap()
    .rows_affected());
    let changed = back.table_checksum("accounts").await.unwrap();
    assert_eq!(changed.rows, sum.rows);
    assert_ne!(changed.sha256, sum.sha256);
    for store in [sqlite, postgres, back] {
        store.close().await;
    }
}
