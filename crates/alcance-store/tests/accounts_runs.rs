#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Accounts, app credentials, the run log, foreign keys, cascading deletes, atomicity.

use crate::common;

use alcance_core::{CollectionBatch, ConnectionKind, EventLevel, Platform};
use alcance_store::testing;
use alcance_store::{both_engines, on_pool, Engine};
use alcance_store::{RowFilter, RunCounts, Store, StoreError};
use common::*;

async fn upserting_an_account_keeps_its_id_and_merges_fields(engine: Engine) {
    let Some(store) = testing::store(engine).await else {
        return;
    };
    let mut acc = account(Platform::X, "2244994945", "XDevelopers");
    let id = store
        .upsert_account(&acc, Some("X Developers"), Some("alcance/x/2244994945"))
        .await
        .expect("insert");
    acc.username = None;
    acc.owned = false;
    let again = store.upsert_account(&acc, None, None).await.expect("update");
    assert_eq!(again, id);
    let row = store.account(id).await.expect("row");
    assert_eq!(
        row.account.username.as_deref(),
        Some("XDevelopers"),
        "None keeps the stored handle"
    );
    assert_eq!(row.display_name.as_deref(), Some("X Developers"));
    assert_eq!(row.vault_key.as_deref(), Some("alcance/x/2244994945"));
    assert!(!row.account.owned);
    assert_eq!(
        store.account_id(Platform::X, "2244994945").await.expect("lookup"),
        Some(id)
    );
    assert_eq!(
        store.account_id(Platform::Tiktok, "2244994945").await.expect("lookup"),
        None
    );

    // Same external id on another platform is another account.
    let other = store
        .upsert_account(&account(Platform::Tiktok, "2244994945", "tt"), None, None)
        .await
        .expect("tt");
    assert_ne!(other, id);
    assert_eq!(store.list_accounts().await.expect("list").len(), 2);
}

async fn account_status_is_checked_and_a_fresh_connect_reactivates(engine: Engine) {
    let Some((store, id, _)) = store_with_account(engine).await else {
        return;
    };
    store.set_account_status(id, "needs_reauth").await.expect("status");
    assert_eq!(store.account(id).await.expect("row").status, "needs_reauth");
    let err = store
        .set_account_status(id, "broken")
        .await
        .expect_err("unknown status");
    assert!(matches!(err, StoreError::Invalid { .. }), "{err:?}");
    let err = store
        .set_account_status(9999, "paused")
        .await
        .expect_err("unknown account");
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                what: "account",
                id: 9999
            }
        ),
        "{err:?}"
    );

    let acc = store.account(id).await.expect("row").account;
    store.upsert_account(&acc, None, None).await.expect("no vault key");
    assert_eq!(store.account(id).await.expect("row").status, "needs_reauth");
    store
        .upsert_account(&acc, None, Some("alcance/instagram/1"))
        .await
        .expect("reconnect");
    assert_eq!(store.account(id).await.expect("row").status, "active");
    store.set_account_status(id, "paused").await.expect("pause");
    store
        .upsert_account(&acc, None, Some("alcance/instagram/1"))
        .await
        .expect("reconnect");
    assert_eq!(
        store.account(id).await.expect("row").status,
        "paused",
        "a pause is the user's choice"
    );
}

async fn the_connection_way_is_recorded_per_account(engine: Engine) {
    let Some((store, id, _)) = store_with_account(engine).await else {
        return;
    };
    assert!(store.account_connections().await.expect("none yet").is_empty());
    store
        .set_account_connection(id, ConnectionKind::AppPassword)
        .await
        .expect("record");
    store
        .set_account_connection(id, ConnectionKind::Oauth)
        .await
        .expect("a reconnect the other way replaces it");
    assert_eq!(
        store.account_connections().await.expect("read").get(&id),
        Some(&ConnectionKind::Oauth)
    );
    store
        .set_account_connection(id, ConnectionKind::Tracked)
        .await
        .expect("tracked clears");
    assert!(store.account_connections().await.expect("read").is_empty());
    let err = store
        .set_account_connection(9999, ConnectionKind::Token)
        .await
        .expect_err("unknown account");
    assert!(matches!(err, StoreError::NotFound { what: "account", .. }), "{err:?}");
}

/// Issue 13 point 6: granted and declined scopes and the connecting user, per account,
/// normalized, replaced at a reconnect and updated by a refresh through the vault entry.
async fn granted_scopes_and_the_connecting_user_are_recorded_per_account(engine: Engine) {
    let Some(store) = testing::store(engine).await else {
        return;
    };
    let owned = account(Platform::Facebook, "108000000000001", "alcance.page");
    let id = store
        .upsert_account(&owned, None, Some("alcance/facebook/108000000000001"))
        .await
        .expect("page");
    let tracked = alcance_core::AccountRef {
        owned: false,
        ..account(Platform::Facebook, "108000000000009", "someone")
    };
    let other = store
        .upsert_account(&tracked, None, Some("alcance/facebook/108000000000001"))
        .await
        .expect("tracked profile sharing the key");
    assert!(store.account_scopes().await.expect("none yet").is_empty());

    let s = |v: &[&str]| v.iter().map(|x| (*x).to_string()).collect::<Vec<_>>();
    store
        .set_account_scopes(
            id,
            &s(&["read_insights,pages_show_list", "pages_show_list"]),
            &s(&["instagram_manage_insights"]),
        )
        .await
        .expect("record");
    store
        .set_account_connected_by(id, Some("10160000000000001"))
        .await
        .expect("user");
    let got = store.account_scopes().await.expect("read");
    assert_eq!(
        got.get(&id),
        Some(&alcance_store::AccountScopes {
            granted: Some(s(&["pages_show_list", "read_insights"])),
            declined: s(&["instagram_manage_insights"]),
            connected_by: Some("10160000000000001".into()),
        }),
        "normalized: split on commas, sorted, deduplicated"
    );
    assert!(!got.contains_key(&other), "nothing recorded for the tracked profile");

    // A refresh that reports scopes updates the owned accounts on the entry only.
    let n = store
        .set_scopes_for_vault_key("alcance/facebook/108000000000001", &s(&["pages_show_list"]))
        .await
        .expect("refresh");
    assert_eq!(n, 1);
    let got = store.account_scopes().await.expect("read");
    assert_eq!(got[&id].granted, Some(s(&["pages_show_list"])));
    assert_eq!(got[&id].declined, s(&["instagram_manage_insights"]), "declined kept");
    assert!(!got.contains_key(&other));

    // A reconnect without scope information clears them; the user goes with None.
    store.set_account_scopes(id, &[], &[]).await.expect("clear");
    store.set_account_connected_by(id, None).await.expect("clear user");
    assert!(store.account_scopes().await.expect("read").is_empty());
    let err = store
        .set_account_scopes(9999, &s(&["a"]), &[])
        .await
        .expect_err("unknown account");
    assert!(matches!(err, StoreError::NotFound { what: "account", .. }), "{err:?}");
    assert_eq!(alcance_store::normalize_scopes(" b, a  a,"), s(&["a", "b"]));
}

async fn app_credentials_store_no_secret(engine: Engine) {
    let Some(store) = testing::store(engine).await else {
        return;
    };
    store
        .save_app_credentials(Platform::X, "client-123", "http://127.0.0.1:8719/callback", false)
        .await
        .expect("save");
    store
        .save_app_credentials(Platform::X, "client-456", "http://127.0.0.1:8719/callback", true)
        .await
        .expect("replace");
    let creds = store
        .app_credentials(Platform::X)
        .await
        .expect("read")
        .expect("present");
    assert_eq!(creds.client_id, "client-456");
    assert!(creds.has_secret);
    assert_eq!(store.app_credentials(Platform::Tiktok).await.expect("read"), None);
    assert_eq!(store.table_counts().await.expect("counts").app_credentials, 1);
}

async fn runs_and_events_form_the_run_log(engine: Engine) {
    let Some((store, account, run)) = store_with_account(engine).await else {
        return;
    };
    let err = store.start_run("hourly", at(9, 0, 0)).await.expect_err("unknown kind");
    assert!(matches!(err, StoreError::Invalid { what: "run kind", .. }), "{err:?}");

    store
        .add_event(
            run,
            Some(account),
            EventLevel::Error,
            "unauthorized",
            "token expired (190)",
            at(9, 1, 0),
        )
        .await
        .expect("event");
    store
        .add_event(
            run,
            None,
            EventLevel::Info,
            "done",
            "Authorization: Bearer abc.def sent",
            at(9, 2, 0),
        )
        .await
        .expect("event");
    let err = store
        .add_event(4242, None, EventLevel::Info, "x", "y", at(9, 2, 0))
        .await
        .expect_err("unknown run");
    assert!(matches!(err, StoreError::NotFound { what: "run", id: 4242 }), "{err:?}");

    let counts = RunCounts {
        accounts_total: 3,
        accounts_ok: 2,
        accounts_failed: 1,
        metrics_written: 120,
    };
    store
        .finish_run(run, "partial", at(9, 5, 0), &counts)
        .await
        .expect("finish");
    let err = store
        .finish_run(run, "done", at(9, 5, 0), &counts)
        .await
        .expect_err("bad status");
    assert!(matches!(err, StoreError::Invalid { .. }));
    let later = store.start_run("scheduled", at(10, 0, 0)).await.expect("later run");

    let runs = store.last_runs(5).await.expect("runs");
    assert_eq!(
        runs.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![later, run],
        "newest first"
    );
    assert_eq!(runs[1].status, "partial");
    assert_eq!(runs[1].counts, counts);
    assert_eq!(runs[1].finished_at, Some(at(9, 5, 0)));
    assert_eq!(runs[0].status, "running");
    assert_eq!(runs[0].finished_at, None);
    assert_eq!(store.last_runs(1).await.expect("one").len(), 1);
    assert!(store.last_runs(-3).await.expect("none").is_empty());

    let events = store.run_events(run).await.expect("events");
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].level, EventLevel::Error);
    assert_eq!(events[0].account_id, Some(account));
    assert_eq!(events[0].at, at(9, 1, 0));
    assert_eq!(
        events[1].message, "Authorization: Bearer REDACTED sent",
        "secrets never reach SQLite"
    );
}

async fn batch_gaps_and_warnings_become_run_events(engine: Engine) {
    let Some((store, account, run)) = store_with_account(engine).await else {
        return;
    };
    store
        .save_batch(run, account, at(10, 0, 0), &full_batch(1.0, 1.0), &[])
        .await
        .expect("save");
    let events = store.run_events(run).await.expect("events");
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].level, EventLevel::Gap);
    assert_eq!(events[0].code, "metric_removed");
    assert!(events[0].message.contains("impressions") && events[0].message.contains("p2"));
    assert_eq!(events[1].level, EventLevel::Warn);
    assert_eq!(events[1].code, "http_500");
    assert!(events
        .iter()
        .all(|e| e.account_id == Some(account) && e.at == at(10, 0, 0)));
}

async fn foreign_keys_are_enforced(engine: Engine) {
    let Some((store, account, run)) = store_with_account(engine).await else {
        return;
    };
    let err = on_pool!(store.pool(), |p| sqlx::query(
        "INSERT INTO posts (account_id, external_id, content_type, first_seen_at, last_seen_at)
         VALUES (777, 'p', 'image', '2026-11-20T00:00:00Z', '2026-11-20T00:00:00Z')",
    )
    .execute(p)
    .await
    .map(|r| r.rows_affected()))
    .expect_err("no account 777");
    assert!(matches!(StoreError::from(err), StoreError::Constraint { .. }));

    let err = store
        .save_batch(run, 777, at(10, 0, 0), &full_batch(1.0, 1.0), &[])
        .await
        .expect_err("unknown account");
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                what: "account",
                id: 777
            }
        ),
        "{err:?}"
    );
    let err = store
        .add_event(run, Some(777), EventLevel::Info, "x", "y", at(10, 0, 0))
        .await
        .expect_err("unknown account in event");
    assert!(matches!(err, StoreError::Constraint { .. }), "{err:?}");
    let err = store
        .save_raw(run, Some(777), &[exchange("https://x/1", 200, "{}", at(10, 0, 0))])
        .await;
    assert!(matches!(err, Err(StoreError::Constraint { .. })), "{err:?}");
    assert_eq!(store.table_counts().await.expect("counts").posts, 0);
    let _ = account;
}

async fn a_failing_batch_writes_nothing(engine: Engine) {
    let Some((store, account, run)) = store_with_account(engine).await else {
        return;
    };
    let before = store.table_counts().await.expect("counts");
    let err = store
        .save_batch(run + 100, account, at(10, 0, 0), &full_batch(1.0, 1.0), &[])
        .await
        .expect_err("unknown run");
    assert!(matches!(err, StoreError::NotFound { what: "run", .. }), "{err:?}");
    assert_eq!(store.table_counts().await.expect("counts"), before);
    assert_eq!(
        store.account(account).await.expect("row").last_collected_at,
        None,
        "rolled back"
    );
}

async fn deleting_an_account_cascades_to_its_data_only(engine: Engine) {
    let Some((store, first, run)) = store_with_account(engine).await else {
        return;
    };
    let second = store
        .upsert_account(&account(Platform::Facebook, "104000000000001", "page"), None, None)
        .await
        .expect("second");
    let raw = [exchange(
        "https://graph.facebook.com/v25.0/me",
        200,
        r#"{"id":"1"}"#,
        at(10, 0, 0),
    )];
    store
        .save_batch(run, first, at(10, 0, 0), &full_batch(1.0, 1.0), &raw)
        .await
        .expect("first");
    let raw2 = [exchange(
        "https://graph.facebook.com/v25.0/page",
        200,
        r#"{"id":"2"}"#,
        at(10, 0, 0),
    )];
    store
        .save_batch(run, second, at(10, 0, 0), &full_batch(2.0, 2.0), &raw2)
        .await
        .expect("second");
    let both = store.table_counts().await.expect("counts");

    store.delete_account_data(first).await.expect("delete");
    let after = store.table_counts().await.expect("counts");
    assert_eq!(after.accounts, 1);
    assert_eq!(after.posts, both.posts / 2);
    assert_eq!(after.post_metrics, both.post_metrics / 2);
    assert_eq!(after.account_metrics, both.account_metrics / 2);
    assert_eq!(after.audience, both.audience / 2);
    assert_eq!(after.raw_responses, 1);
    assert_eq!(after.run_events, both.run_events, "the run log is kept");
    let events = store.run_events(run).await.expect("events");
    assert_eq!(
        events.iter().filter(|e| e.account_id.is_none()).count(),
        2,
        "detached from the deleted account"
    );
    let filter = RowFilter {
        account_ids: vec![first],
        ..Default::default()
    };
    assert!(store.post_metric_rows(&filter).await.expect("rows").is_empty());
    assert!(!store.posts(&RowFilter::default()).await.expect("rows").is_empty());
    let err = store.delete_account_data(first).await.expect_err("already gone");
    assert!(matches!(err, StoreError::NotFound { .. }));
}

async fn metrics_of_unlisted_posts_get_a_placeholder_post(engine: Engine) {
    let Some((store, account, run)) = store_with_account(engine).await else {
        return;
    };
    let metrics_only = CollectionBatch {
        post_metrics: vec![post_metric("p9", "views", Some(50.0))],
        ..Default::default()
    };
    let stats = store
        .save_batch(run, account, at(10, 0, 0), &metrics_only, &[])
        .await
        .expect("save");
    assert_eq!((stats.posts, stats.post_metrics), (1, 1));
    let posts = store.posts(&RowFilter::default()).await.expect("posts");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].content_type.as_key(), "unknown");

    // A later listing completes the placeholder; its metric history is kept.
    let listed = CollectionBatch {
        posts: vec![post("p9", at(7, 0, 0))],
        post_metrics: vec![post_metric("p9", "views", Some(80.0))],
        ..Default::default()
    };
    store
        .save_batch(run, account, at(12, 0, 0), &listed, &[])
        .await
        .expect("save");
    let posts = store.posts(&RowFilter::default()).await.expect("posts");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].content_type.as_key(), "reel");
    assert_eq!(posts[0].published_at, Some(at(7, 0, 0)));
    assert_eq!(posts[0].first_seen_at, at(10, 0, 0));
    assert_eq!(posts[0].last_seen_at, at(12, 0, 0));
    assert_eq!(posts[0].user_id, "17841400000000001");
    assert_eq!(
        store.post_metric_rows(&RowFilter::default()).await.expect("rows").len(),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_batches_on_a_file_store_all_land() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("a.db")).await.expect("open");
    let run = store.start_run("scheduled", at(9, 0, 0)).await.expect("run");
    let mut ids = Vec::new();
    for i in 0..6 {
        let acc = account(Platform::Instagram, &format!("1784140000000000{i}"), &format!("acc{i}"));
        ids.push(store.upsert_account(&acc, None, None).await.expect("account"));
    }
    let tasks: Vec<_> = ids
        .iter()
        .map(|&id| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .save_batch(run, id, at(10, 0, 0), &full_batch(id as f64, 1.0), &[])
                    .await
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task").expect("saved under concurrency");
    }
    let counts = store.table_counts().await.expect("counts");
    assert_eq!(counts.posts, 12);
    assert_eq!(counts.post_metrics, 24);
    store.close().await;
}

both_engines!(
    upserting_an_account_keeps_its_id_and_merges_fields,
    account_status_is_checked_and_a_fresh_connect_reactivates,
    the_connection_way_is_recorded_per_account,
    granted_scopes_and_the_connecting_user_are_recorded_per_account,
    app_credentials_store_no_secret,
    runs_and_events_form_the_run_log,
    batch_gaps_and_warnings_become_run_events,
    foreign_keys_are_enforced,
    a_failing_batch_writes_nothing,
    deleting_an_account_cascades_to_its_data_only,
    metrics_of_unlisted_posts_get_a_placeholder_post,
);
