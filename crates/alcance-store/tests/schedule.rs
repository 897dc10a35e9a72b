#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Background-collection state: the 0003 migration (collection_runs rebuilt with 'paused',
//! nothing lost), default schedules, run_accounts, refresh marks, online backups and the
//! restore check of a database file.

use crate::common;

use alcance_core::{EventLevel, Platform, RunAccountStatus};
use alcance_store::schedule::{inspect_database_file, PlannedAccount, RunAccountResult};
use alcance_store::{both_engines, on_pool, Engine};
use alcance_store::{RunCounts, Store, StoreError};
use common::*;
use sqlx::{ConnectOptions, Connection};

/// A database file with only migration 0001 applied, holding one account, one finished run
/// with two events and one archived response: what a user of the first release has.
async fn version_one_database(dir: &std::path::Path) -> std::path::PathBuf {
    let migrations = dir.join("migrations-v1");
    std::fs::create_dir_all(&migrations).expect("dir");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0001_initial.sql"),
        migrations.join("0001_initial.sql"),
    )
    .expect("copy 0001");
    let path = dir.join("alcance.db");
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .foreign_keys(true)
        .connect()
        .await
        .expect("connect");
    sqlx::migrate::Migrator::new(migrations.as_path())
        .await
        .expect("migrator")
        .run(&mut conn)
        .await
        .expect("0001 applies");
    for sql in [
        "INSERT INTO accounts (id, platform, external_id, username, owned, status, created_at, updated_at,
                               last_collected_at)
         VALUES (7, 'x', '2244994945', 'XDevelopers', 1, 'active', '2026-11-01T08:00:00Z', '2026-11-01T08:00:00Z',
                 '2026-11-19T10:00:00Z')",
        "INSERT INTO accounts (id, platform, external_id, username, owned, status, created_at, updated_at)
         VALUES (8, 'instagram', '1784', 'never_collected', 1, 'active', '2026-11-02T08:00:00Z',
                 '2026-11-02T08:00:00Z')",
        "INSERT INTO collection_runs (id, kind, status, started_at, finished_at, accounts_total, accounts_ok)
         VALUES (3, 'manual', 'ok', '2026-11-19T10:00:00Z', '2026-11-19T10:01:00Z', 1, 1)",
        "INSERT INTO run_events (run_id, account_id, at, level, code, message)
         VALUES (3, 7, '2026-11-19T10:00:30Z', 'gap', 'metric_removed', 'impressions removed')",
        "INSERT INTO run_events (run_id, account_id, at, level, code, message)
         VALUES (3, NULL, '2026-11-19T10:01:00Z', 'info', 'done', 'finished')",
        "INSERT INTO raw_responses (run_id, account_id, method, url, status, body_hash, body_len, body, fetched_at,
                                    last_fetched_at)
         VALUES (3, 7, 'GET', 'https://api.x.com/2/users/me', 200, 'abc', 2, x'789c', '2026-11-19T10:00:10Z',
                 '2026-11-19T10:00:10Z')",
    ] {
        sqlx::query(sql).execute(&mut conn).await.expect("seed v1 data");
    }
    conn.close().await.expect("close");
    path
}

#[tokio::test]
async fn migration_0003_rebuilds_collection_runs_without_losing_events_or_archives() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = version_one_database(dir.path()).await;

    let store = Store::open(&path).await.expect("0003 applies on a v1 database");
    let run = store.run(3).await.expect("run kept");
    assert_eq!(run.status, "ok");
    assert_eq!(run.counts.accounts_ok, 1);
    let events = store.run_events(3).await.expect("events");
    assert_eq!(events.len(), 2, "dropping the old table must not cascade: {events:?}");
    assert_eq!(events[0].level, EventLevel::Gap);
    assert_eq!(events[0].account_id, Some(7));
    let raw_run: Option<i64> = on_pool!(store.pool(), |p| sqlx::query_scalar("SELECT run_id FROM raw_responses")
        .fetch_one(p)
        .await)
    .expect("raw row kept");
    assert_eq!(raw_run, Some(3), "the archive still points at its run");
    assert_eq!(store.integrity_check().await.expect("check"), "ok");
    let dangling: i64 = on_pool!(store.pool(), |p| sqlx::query_scalar(
        "SELECT count(*) FROM pragma_foreign_key_check"
    )
    .fetch_one(p)
    .await)
    .expect("fk check");
    assert_eq!(dangling, 0);
    let fk: i64 = on_pool!(store.pool(), |p| sqlx::query_scalar(
        "SELECT foreign_keys FROM pragma_foreign_keys"
    )
    .fetch_one(p)
    .await)
    .expect("pragma");
    assert_eq!(fk, 1, "foreign keys are back on after migrating");

    // Existing accounts got the default schedule: daily, a day after their last collection,
    // or due at once (their creation) when never collected.
    let schedules = store.schedules().await.expect("schedules");
    assert_eq!(schedules.len(), 2);
    let x = store.schedule(7).await.expect("x schedule");
    assert_eq!((x.cadence.as_str(), x.every_seconds), ("daily", 86_400));
    assert_eq!(x.next_run_at, day(0, 10), "2026-11-20T10:00Z");
    let ig = store.schedule(8).await.expect("ig schedule");
    assert_eq!(ig.next_run_at.to_rfc3339(), "2026-11-02T08:00:00+00:00");

    // 'paused' is now a run status; other values are still refused by the CHECK.
    let new_run = store.start_run("scheduled", at(12, 0, 0)).await.expect("run");
    store
        .set_run_progress(new_run, "paused", &RunCounts::default())
        .await
        .expect("paused accepted");
    assert_eq!(store.run(new_run).await.expect("run").status, "paused");
    let err = on_pool!(store.pool(), |p| sqlx::query(
        "UPDATE collection_runs SET status = 'sleeping' WHERE id = $1"
    )
    .bind(new_run)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))
    .expect_err("CHECK constraint kept");
    assert!(err.to_string().contains("CHECK"), "{err}");
    // Deleting a run still cascades to its events (the foreign keys point at the new table).
    on_pool!(store.pool(), |p| sqlx::query(
        "DELETE FROM collection_runs WHERE id = 3"
    )
    .execute(p)
    .await
    .map(|r| r.rows_affected()))
    .expect("delete");
    assert!(store.run_events(3).await.expect("events").is_empty());
    store.close().await;
}

async fn a_new_account_gets_a_daily_schedule_due_at_once_and_cadences_are_checked(engine: Engine) {
    let Some((store, id, _)) = store_with_account(engine).await else {
        return;
    };
    let schedule = store.schedule(id).await.expect("default schedule");
    assert_eq!(schedule.cadence, "daily");
    assert_eq!(schedule.every_seconds, 86_400);
    assert!(schedule.last_run_at.is_none() && schedule.last_status.is_none());
    // Due at creation (the wall clock at upsert, second precision).
    assert!((schedule.next_run_at - chrono::Utc::now()).num_seconds().abs() < 60);

    store
        .set_cadence(id, "hourly", 3_600, at(13, 0, 0))
        .await
        .expect("hourly");
    let s = store.schedule(id).await.expect("schedule");
    assert_eq!(
        (s.cadence.as_str(), s.every_seconds, s.next_run_at),
        ("hourly", 3_600, at(13, 0, 0))
    );
    let err = store
        .set_cadence(id, "monthly", 3_600, at(13, 0, 0))
        .await
        .expect_err("unknown");
    assert!(matches!(err, StoreError::Invalid { .. }), "{err:?}");
    let err = store
        .set_cadence(id, "custom", 59, at(13, 0, 0))
        .await
        .expect_err("too short");
    assert!(matches!(err, StoreError::Invalid { .. }), "{err:?}");
    assert!(matches!(store.schedule(999).await, Err(StoreError::NotFound { .. })));
    assert!(matches!(
        store.set_next_run(999, at(13, 0, 0)).await,
        Err(StoreError::NotFound { .. })
    ));

    // A failure keeps its message, redacted; a success clears it.
    store
        .record_schedule_result(
            id,
            at(13, 0, 5),
            false,
            Some("unauthorized: GET /me?access_token=EAAB1234secret failed"),
            at(13, 15, 0),
        )
        .await
        .expect("failed attempt");
    let s = store.schedule(id).await.expect("schedule");
    assert_eq!(s.last_status.as_deref(), Some("failed"));
    let error = s.last_error.expect("error kept");
    assert!(
        error.contains("REDACTED") && !error.contains("EAAB1234secret"),
        "{error}"
    );
    assert_eq!(s.next_run_at, at(13, 15, 0));
    store
        .record_schedule_result(id, at(13, 15, 2), true, Some("ignored"), at(14, 15, 0))
        .await
        .expect("ok attempt");
    let s = store.schedule(id).await.expect("schedule");
    assert_eq!(s.last_status.as_deref(), Some("ok"));
    assert_eq!(s.last_error, None);
    assert_eq!(s.last_run_at, Some(at(13, 15, 2)));

    // The soonest schedule comes first.
    let other = store
        .upsert_account(&account(Platform::X, "1", "early"), None, None)
        .await
        .expect("account");
    store.set_next_run(other, at(1, 0, 0)).await.expect("move");
    let order: Vec<i64> = store
        .schedules()
        .await
        .expect("schedules")
        .iter()
        .map(|s| s.account_id)
        .collect();
    assert_eq!(order, vec![other, id]);

    // Deleting the account deletes its schedule.
    store.delete_account_data(other).await.expect("delete");
    assert_eq!(store.schedules().await.expect("schedules").len(), 1);
}

async fn refresh_marks_never_move_backwards(engine: Engine) {
    let Some((store, id, _)) = store_with_account(engine).await else {
        return;
    };
    assert!(store.refresh_marks(id).await.expect("marks").is_empty());
    store
        .mark_refreshed(id, &[172_800, 2_592_000], at(12, 0, 0))
        .await
        .expect("mark");
    store
        .mark_refreshed(id, &[172_800], at(11, 0, 0))
        .await
        .expect("older mark");
    store
        .mark_refreshed(id, &[172_800], at(13, 0, 0))
        .await
        .expect("newer mark");
    assert_eq!(
        store.refresh_marks(id).await.expect("marks"),
        vec![(172_800, at(13, 0, 0)), (2_592_000, at(12, 0, 0))]
    );
    assert!(
        store.mark_refreshed(id, &[0], at(13, 0, 0)).await.is_err(),
        "horizon > 0"
    );
}

async fn run_accounts_track_a_run_through_pause_and_cancel(engine: Engine) {
    let Some((store, a, run)) = store_with_account(engine).await else {
        return;
    };
    let b = store
        .upsert_account(&account(Platform::X, "2", "b"), None, None)
        .await
        .expect("b");
    let c = store
        .upsert_account(&account(Platform::X, "3", "c"), None, None)
        .await
        .expect("c");
    let planned = |account_id| PlannedAccount {
        account_id,
        window_since: day(-2, 9),
        window_until: day(0, 9),
    };
    store
        .add_run_accounts(run, &[planned(a), planned(b), planned(c)])
        .await
        .expect("plan");
    assert!(
        store.add_run_accounts(run, &[planned(a)]).await.is_err(),
        "an account is in a run once"
    );
    let rows = store.run_accounts(run).await.expect("rows");
    assert_eq!(
        rows.iter()
            .map(|r| (r.account_id, r.position, r.status.as_str()))
            .collect::<Vec<_>>(),
        vec![(a, 0, "pending"), (b, 1, "pending"), (c, 2, "pending")]
    );
    assert_eq!(rows[0].window_since, day(-2, 9));

    store
        .finish_run_account(
            run,
            a,
            &RunAccountResult {
                status: RunAccountStatus::Done,
                metrics_written: 40,
                posts_written: 5,
                gaps: 1,
                needs_reauth: false,
                error: None,
                finished_at: at(9, 1, 0),
                partial: false,
                retry_at: None,
            },
        )
        .await
        .expect("done");
    let err = store
        .finish_run_account(
            run,
            b,
            &RunAccountResult {
                status: RunAccountStatus::Pending,
                metrics_written: 0,
                posts_written: 0,
                gaps: 0,
                needs_reauth: false,
                error: None,
                finished_at: at(9, 1, 0),
                partial: false,
                retry_at: None,
            },
        )
        .await
        .expect_err("pending is not an end");
    assert!(matches!(err, StoreError::Invalid { .. }));

    // Paused with pending accounts: resumable.
    let counts = RunCounts {
        accounts_total: 3,
        accounts_ok: 1,
        accounts_failed: 0,
        metrics_written: 40,
    };
    store.set_run_progress(run, "paused", &counts).await.expect("pause");
    assert!(
        store.set_run_progress(run, "ok", &counts).await.is_err(),
        "only running/paused"
    );
    let resumable = store.resumable_runs().await.expect("resumable");
    assert_eq!(resumable.len(), 1);
    assert_eq!(resumable[0].id, run);
    assert_eq!(resumable[0].counts, counts);
    assert_eq!(resumable[0].finished_at, None);

    // Cancelled: the rest is skipped and the run is no longer resumable.
    let skipped = store
        .skip_pending_run_accounts(run, "cancelled by the user", at(9, 2, 0))
        .await
        .expect("skip");
    assert_eq!(skipped, 2);
    assert!(store.resumable_runs().await.expect("resumable").is_empty());
    let rows = store.run_accounts(run).await.expect("rows");
    assert_eq!(
        rows.iter().map(|r| r.status.as_str()).collect::<Vec<_>>(),
        vec!["done", "skipped", "skipped"]
    );
    assert_eq!(
        (rows[0].metrics_written, rows[0].posts_written, rows[0].gaps),
        (40, 5, 1)
    );
    assert_eq!(rows[1].error.as_deref(), Some("cancelled by the user"));
    store
        .finish_run(run, "cancelled", at(9, 2, 0), &counts)
        .await
        .expect("finish");
    assert_eq!(store.run(run).await.expect("run").status, "cancelled");
}

#[tokio::test]
async fn an_online_backup_is_a_restorable_copy_and_bad_files_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("alcance.db");
    let store = Store::open(&path).await.expect("open");
    let (account_id, run) = {
        let id = store
            .upsert_account(&account(Platform::Instagram, "1784", "alcance_demo"), None, None)
            .await
            .expect("account");
        (id, store.start_run("manual", at(9, 0, 0)).await.expect("run"))
    };
    store
        .save_batch(run, account_id, at(10, 0, 0), &full_batch(1000.0, 10.0), &[])
        .await
        .expect("save");

    let backup = dir.path().join("backup.db");
    store.backup_into(&backup).await.expect("backup");
    assert!(
        store.backup_into(&backup).await.is_err(),
        "VACUUM INTO never overwrites an existing file"
    );
    let info = inspect_database_file(&backup, None).await.expect("inspect");
    assert_eq!(info.integrity, "ok");
    assert!(info.has_migrations_table);
    assert!(info.applied_migrations.contains(&1) && info.applied_migrations.contains(&3));
    assert!(info.is_restorable(), "{info:?}");
    let live = store.table_counts().await.expect("counts");
    store.close().await;
    let copy = Store::open(&backup).await.expect("the backup opens");
    assert_eq!(copy.table_counts().await.expect("counts"), live);
    copy.close().await;

    // Not a database at all.
    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, vec![0x5a_u8; 8192]).expect("write");
    let err = inspect_database_file(&garbage, None).await.expect_err("garbage");
    // Not plain SQLite: without a key it may as well be encrypted; the message says both.
    assert!(matches!(err, StoreError::Encrypted { .. }), "{err:?}");
    // Missing.
    let err = inspect_database_file(&dir.path().join("missing.db"), None)
        .await
        .expect_err("missing");
    assert!(matches!(err, StoreError::Access { .. }), "{err:?}");
    // An SQLite file that is not an Alcance database.
    let foreign = dir.path().join("foreign.db");
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&foreign)
        .create_if_missing(true)
        .connect()
        .await
        .expect("connect");
    sqlx::query("CREATE TABLE notes (body TEXT)")
        .execute(&mut conn)
        .await
        .expect("table");
    conn.close().await.expect("close");
    let info = inspect_database_file(&foreign, None).await.expect("inspect");
    assert_eq!(info.integrity, "ok");
    assert!(!info.has_migrations_table && !info.is_restorable());
    // A database written by a newer Alcance.
    let newer = dir.path().join("newer.db");
    std::fs::copy(&backup, &newer).expect("copy");
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&newer)
        .connect()
        .await
        .expect("connect");
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (9999, 'from the future', 1, x'00', 0)",
    )
    .execute(&mut conn)
    .await
    .expect("future migration");
    conn.close().await.expect("close");
    let info = inspect_database_file(&newer, None).await.expect("inspect");
    assert_eq!(info.integrity, "ok");
    assert!(!info.is_restorable(), "{info:?}");
    // Damaged pages past the schema: integrity_check reports them (or reading fails as corrupt).
    let damaged = dir.path().join("damaged.db");
    let mut bytes = std::fs::read(&backup).expect("read");
    let page = 4096;
    assert!(bytes.len() > 3 * page, "the backup has several pages");
    let len = bytes.len();
    for (i, b) in bytes.iter_mut().enumerate().take(len).skip(2 * page) {
        *b = (i as u8).wrapping_mul(37).wrapping_add(11);
    }
    std::fs::write(&damaged, &bytes).expect("write");
    match inspect_database_file(&damaged, None).await {
        Ok(info) => {
            assert_ne!(info.integrity, "ok", "{info:?}");
            assert!(!info.is_restorable());
        }
        Err(e) => assert!(e.is_damaged_file(), "{e:?}"),
    }
}

async fn a_run_cut_off_while_running_becomes_resumable(engine: Engine) {
    let Some(store) = alcance_store::testing::store(engine).await else {
        return;
    };
    let id = store
        .upsert_account(&account(Platform::X, "9", "cut"), None, None)
        .await
        .expect("account");
    let at = chrono::Utc::now();
    let run = store.start_run("scheduled", at).await.expect("run");
    store
        .add_run_accounts(
            run,
            &[PlannedAccount {
                account_id: id,
                window_since: at,
                window_until: at,
            }],
        )
        .await
        .expect("planned");
    // The process dies here: the run stays `running` and is not resumable yet.
    assert!(store.resumable_runs().await.expect("runs").is_empty());
    assert_eq!(store.interrupt_stale_runs().await.expect("interrupt"), 1);
    let resumable = store.resumable_runs().await.expect("runs");
    assert_eq!(resumable.iter().map(|r| r.id).collect::<Vec<_>>(), vec![run]);
    assert_eq!(resumable[0].status, "paused");
    // Finished runs are never touched.
    assert_eq!(store.interrupt_stale_runs().await.expect("again"), 0);
}

/// Schema version 7: a partial, deferred account keeps both facts in its run entry, its
/// schedule moves to the retry time, and deferrals in a row are counted for the backoff.
async fn a_deferred_partial_account_keeps_its_retry_time(engine: Engine) {
    let Some((store, a, first)) = store_with_account(engine).await else {
        return;
    };
    let planned = PlannedAccount {
        account_id: a,
        window_since: day(-1, 9),
        window_until: day(0, 9),
    };
    let deferred = |finished_at, retry_at| RunAccountResult {
        status: RunAccountStatus::Failed,
        metrics_written: 12,
        posts_written: 3,
        gaps: 1,
        needs_reauth: false,
        error: Some("rate_limited: too many requests; deferred".into()),
        finished_at,
        partial: true,
        retry_at: Some(retry_at),
    };
    assert_eq!(store.rate_limit_streak(a).await.expect("streak"), 0);
    store.add_run_accounts(first, &[planned]).await.expect("plan");
    store
        .finish_run_account_and_schedule(
            first,
            a,
            &deferred(at(9, 1, 0), at(9, 16, 0)),
            at(9, 0, 0),
            Some(at(9, 16, 0)),
        )
        .await
        .expect("deferred");
    let row = &store.run_accounts(first).await.expect("rows")[0];
    assert_eq!(
        (row.status, row.partial, row.retry_at, row.metrics_written),
        (RunAccountStatus::Failed, true, Some(at(9, 16, 0)), 12)
    );
    let schedule = store.schedule(a).await.expect("schedule");
    assert_eq!(schedule.next_run_at, at(9, 16, 0));
    assert_eq!(schedule.last_status.as_deref(), Some("failed"));
    assert_eq!(store.rate_limit_streak(a).await.expect("streak"), 1);

    // Deferred again in a second run: two in a row; a complete collection ends the streak.
    let second = store.start_run("scheduled", at(9, 16, 0)).await.expect("run");
    store.add_run_accounts(second, &[planned]).await.expect("plan");
    store
        .finish_run_account(second, a, &deferred(at(9, 17, 0), at(9, 19, 0)))
        .await
        .expect("deferred");
    assert_eq!(store.rate_limit_streak(a).await.expect("streak"), 2);
    let third = store.start_run("scheduled", at(9, 19, 0)).await.expect("run");
    store.add_run_accounts(third, &[planned]).await.expect("plan");
    store
        .finish_run_account(
            third,
            a,
            &RunAccountResult {
                status: RunAccountStatus::Done,
                metrics_written: 40,
                posts_written: 5,
                gaps: 0,
                needs_reauth: false,
                error: None,
                finished_at: at(9, 20, 0),
                partial: false,
                retry_at: None,
            },
        )
        .await
        .expect("done");
    assert_eq!(store.rate_limit_streak(a).await.expect("streak"), 0);
    let row = &store.run_accounts(third).await.expect("rows")[0];
    assert_eq!((row.partial, row.retry_at), (false, None));
}

both_engines!(
    a_new_account_gets_a_daily_schedule_due_at_once_and_cadences_are_checked,
    refresh_marks_never_move_backwards,
    run_accounts_track_a_run_through_pause_and_cancel,
    a_run_cut_off_while_running_becomes_resumable,
    a_deferred_partial_account_keeps_its_retry_time,
);
