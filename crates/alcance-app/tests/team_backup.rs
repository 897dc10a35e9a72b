#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A team workspace's daily backup (`pg_dump` custom format) and its restore, on a real
//! PostgreSQL (`ALCANCE_TEST_PG_URL`; skipped locally without one, failing under CI).

use alcance_app::backup::list_backups;
use alcance_app::team_backup::{restore_team_database, take_team_backup};
use alcance_app::{AccountRef, Platform, PostgresUrl, Store, StoreLocation};
use alcance_store::testing::empty_database;
use chrono::NaiveDate;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

#[tokio::test]
async fn daily_dumps_rotate_and_a_restore_brings_the_data_back() {
    let Some(db) = empty_database().await else {
        return;
    };
    let StoreLocation::Postgres(url) = StoreLocation::parse(db.url()) else {
        panic!("not PostgreSQL");
    };
    let url: PostgresUrl = url;
    let local = tempfile::tempdir().unwrap();
    let store = Store::open_postgres(url.expose()).await.expect("store");
    let account = AccountRef {
        platform: Platform::X,
        external_id: "2244994945".into(),
        username: Some("alcance_br".into()),
        owned: true,
    };
    let id = store.upsert_account(&account, None, None).await.expect("account");
    store.close().await;

    // Three days with keep = 2: the oldest goes; the day's second call writes nothing.
    for d in 1..=3 {
        let taken = take_team_backup(&url, local.path(), day(d), 2).await.expect("backup");
        assert!(taken.is_some(), "day {d}");
    }
    assert!(take_team_backup(&url, local.path(), day(3), 2)
        .await
        .expect("again")
        .is_none());
    let kept = list_backups(local.path()).expect("list");
    assert_eq!(kept.iter().map(|(d, _)| *d).collect::<Vec<_>>(), vec![day(3), day(2)]);
    let dump = kept[0].1.clone();
    assert!(dump.to_string_lossy().ends_with("alcance-2026-12-03.dump"));
    let password = db.password().to_string();
    assert!(!password.is_empty());
    assert!(!std::fs::read(&dump)
        .unwrap()
        .windows(password.len())
        .any(|w| w == password.as_bytes()));

    // The account is deleted, then the dump restores it.
    let store = Store::open_postgres(url.expose()).await.expect("store");
    store.delete_account_data(id).await.expect("delete");
    assert!(store.list_accounts().await.expect("list").is_empty());
    store.close().await;
    let report = restore_team_database(&url, local.path(), &dump).await.expect("restore");
    assert!(report.previous.exists(), "the database as it was is kept");
    assert!(report.migrations_in_file.contains(&1));
    let store = Store::open_postgres(url.expose()).await.expect("store");
    let accounts = store.list_accounts().await.expect("list");
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].account.username.as_deref(), Some("alcance_br"));
    store.close().await;

    // Not a dump: refused, nothing changed.
    let bogus = local.path().join("notes.dump");
    std::fs::write(&bogus, "hello").unwrap();
    let err = restore_team_database(&url, local.path(), &bogus)
        .await
        .expect_err("refused");
    assert!(err.message().contains("refusing to restore"), "{}", err.message());
    let store = Store::open_postgres(url.expose()).await.expect("store");
    assert_eq!(store.list_accounts().await.expect("list").len(), 1);
    store.close().await;
}
