#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The idempotence rule of docs/schema.md: collecting the same data twice changes no row
//! counts; snapshots get a new row only for a new value in a new UTC-hour bucket.

use crate::common;

use alcance_core::{AccountMetric, CollectionBatch, Period};
use alcance_store::{both_engines, on_pool, Engine};
use alcance_store::{RowFilter, SaveStats, Store, TableCounts};
use chrono::{DateTime, Utc};
use common::*;

/// Counts of the collected-data tables (the run log grows by design).
fn data_counts(c: TableCounts) -> [i64; 6] {
    [
        c.accounts,
        c.posts,
        c.post_metrics,
        c.account_metrics,
        c.audience,
        c.raw_responses,
    ]
}

/// (value, collected_at, bucket, last_seen_at) of every post_metrics row of (post, metric),
/// oldest bucket first.
async fn post_series(store: &Store, post: &str, metric: &str) -> Vec<(Option<f64>, String, String, String)> {
    on_pool!(store.pool(), |p| sqlx::query_as(
        "SELECT m.value, m.collected_at, m.bucket, m.last_seen_at FROM post_metrics m JOIN posts p ON p.id = m.post_id
         WHERE p.external_id = $1 AND m.metric = $2 ORDER BY m.bucket",
    )
    .bind(post)
    .bind(metric)
    .fetch_all(p)
    .await)
    .expect("series")
}

/// (value, collected_at, period_start, last_seen_at) of the snapshot rows of `metric`.
async fn snapshot_series(store: &Store, metric: &str) -> Vec<(Option<f64>, String, String, String)> {
    on_pool!(store.pool(), |p| sqlx::query_as(
        "SELECT value, collected_at, period_start, last_seen_at FROM account_metrics
         WHERE metric = $1 AND period = 'snapshot' ORDER BY period_start",
    )
    .bind(metric)
    .fetch_all(p)
    .await)
    .expect("series")
}

fn likes_batch(value: Option<f64>) -> CollectionBatch {
    CollectionBatch {
        posts: vec![post("p1", at(8, 0, 0))],
        post_metrics: vec![post_metric("p1", "likes", value)],
        ..Default::default()
    }
}

fn followers_batch(value: Option<f64>) -> CollectionBatch {
    CollectionBatch {
        account_metrics: vec![snapshot("followers", value)],
        ..Default::default()
    }
}

async fn save(store: &Store, run: i64, account: i64, when: DateTime<Utc>, batch: &CollectionBatch) -> SaveStats {
    store
        .save_batch(run, account, when, batch, &[])
        .await
        .expect("save batch")
}

async fn the_same_collection_twice_changes_no_row_counts(engine: Engine) {
    let Some((store, account, run)) = store_with_account(engine).await else {
        return;
    };
    let raw = vec![
        exchange(
            "https://graph.instagram.com/v25.0/me?fields=id",
            200,
            r#"{"id":"1"}"#,
            at(10, 0, 1),
        ),
        exchange(
            "https://graph.instagram.com/v25.0/me/media",
            200,
            r#"{"data":[]}"#,
            at(10, 0, 2),
        ),
    ];
    let batch = full_batch(1000.0, 10.0);
    let first = store
        .save_batch(run, account, at(10, 0, 0), &batch, &raw)
        .await
        .expect("first");
    assert_eq!(
        first,
        SaveStats {
            account_metrics: 4,
            posts: 2,
            post_metrics: 4,
            audience: 2,
            raw: 2,
            events: 2,
            media: 0,
        }
    );
    let after_first = store.table_counts().await.expect("counts");
    assert_eq!(data_counts(after_first), [1, 2, 4, 4, 2, 2]);

    // Same hour, same data; then a later hour the same day, and the next day, same data.
    let run2 = store.start_run("scheduled", at(10, 30, 0)).await.expect("run 2");
    for when in [at(10, 30, 0), at(13, 0, 0), day(1, 10)] {
        store
            .save_batch(run2, account, when, &batch, &raw)
            .await
            .expect("again");
    }
    let after = store.table_counts().await.expect("counts");
    let mut expected = data_counts(after_first);
    expected[4] += 2; // audience is kept per UTC day: day(1, 10) adds one row per cell
    assert_eq!(data_counts(after), expected, "no other new data rows");
    // The run log grows: one more run, and the gap and warning each time.
    assert_eq!(after.collection_runs, 2);
    assert_eq!(after.run_events, 2 * 4);

    // Unchanged values only moved last_seen_at; collected_at is the first reading.
    let likes = post_series(&store, "p1", "likes").await;
    assert_eq!(likes.len(), 1);
    assert_eq!(likes[0].1, "2026-11-20T10:00:00Z");
    assert_eq!(likes[0].3, "2026-11-21T10:00:00Z");
    let followers = snapshot_series(&store, "followers").await;
    assert_eq!(followers.len(), 1);
    assert_eq!(followers[0].3, "2026-11-21T10:00:00Z");
    // Raw exchanges were seen four times each, archived once.
    let seen: Vec<i64> = on_pool!(store.pool(), |p| sqlx::query_scalar(
        "SELECT seen_count FROM raw_responses ORDER BY id"
    )
    .fetch_all(p)
    .await)
    .expect("seen");
    assert_eq!(seen, vec![4, 4]);
}

async fn audience_is_one_row_per_cell_per_utc_day(engine: Engine) {
    let Some((store, account, run)) = store_with_account(engine).await else {
        return;
    };
    let batch = CollectionBatch {
        audience: vec![slice("age", "18-24", 310.0)],
        ..Default::default()
    };
    save(&store, run, account, at(1, 0, 0), &batch).await;
    let updated = CollectionBatch {
        audience: vec![slice("age", "18-24", 312.0)],
        ..Default::default()
    };
    save(&store, run, account, at(23, 59, 59), &updated).await;
    let rows = store.audience_rows(&RowFilter::default()).await.expect("rows");
    assert_eq!(rows.len(), 1, "same UTC day: upserted");
    assert_eq!(rows[0].value, Some(312.0));
    assert_eq!(rows[0].collected_at, at(23, 59, 59));
    save(&store, run, account, day(1, 0), &updated).await;
    assert_eq!(
        store.audience_rows(&RowFilter::default()).await.expect("rows").len(),
        2,
        "next day: new row"
    );
}

async fn post_snapshots_follow_the_hour_bucket_rule(engine: Engine) {
    let Some((store, account, run)) = store_with_account(engine).await else {
        return;
    };
    save(&store, run, account, at(10, 5, 0), &likes_batch(Some(10.0))).await;

    // New value, same hour: the bucket's row is updated in place.
    let stats = save(&store, run, account, at(10, 40, 0), &likes_batch(Some(12.0))).await;
    assert_eq!(stats.post_metrics, 1);
    let series = post_series(&store, "p1", "likes").await;
    assert_eq!(series.len(), 1);
    assert_eq!(series[0].0, Some(12.0));
    assert_eq!(series[0].1, "2026-11-20T10:40:00Z");
    assert_eq!(series[0].2, "2026-11-20T10:00:00Z");

    // New value, new hour: one more snapshot.
    save(&store, run, account, at(11, 1, 0), &likes_batch(Some(15.0))).await;
    let series = post_series(&store, "p1", "likes").await;
    assert_eq!(series.len(), 2);
    assert_eq!(series[1].0, Some(15.0));
    assert_eq!(series[1].2, "2026-11-20T11:00:00Z");

    // Same value, later hours: no row, only last_seen_at of the latest row moves.
    save(&store, run, account, at(12, 0, 0), &likes_batch(Some(15.0))).await;
    save(&store, run, account, at(14, 30, 0), &likes_batch(Some(15.0))).await;
    let series = post_series(&store, "p1", "likes").await;
    assert_eq!(series.len(), 2);
    assert_eq!(
        series[1].1, "2026-11-20T11:01:00Z",
        "collected_at stays the first reading"
    );
    assert_eq!(series[1].3, "2026-11-20T14:30:00Z");
    assert_eq!(series[0].3, "2026-11-20T10:40:00Z", "older rows untouched");

    // The export shows the two snapshots in time order.
    let rows = store.post_metric_rows(&RowFilter::default()).await.expect("rows");
    let values: Vec<_> = rows.iter().map(|r| (r.value, r.collected_at)).collect();
    assert_eq!(values, vec![(Some(12.0), at(10, 40, 0)), (Some(15.0), at(11, 1, 0))]);
}

async fn nulls_stay_null_and_are_a_value_of_their_own(engine: Engine) {
    let Some((store, account, run)) = store_with_account(engine).await else {
        return;
    };
    save(&store, run, account, at(10, 0, 0), &likes_batch(None)).await;
    save(&store, run, account, at(11, 0, 0), &likes_batch(None)).await;
    let series = post_series(&store, "p1", "likes").await;
    assert_eq!(series.len(), 1, "null then null is the same value");
    assert_eq!(series[0].0, None);
    let stored_null: bool = on_pool!(store.pool(), |p| sqlx::query_scalar(
        "SELECT value IS NULL FROM post_metrics"
    )
    .fetch_one(p)
    .await)
    .expect("null");
    assert!(stored_null, "NULL in SQLite, not 0");

    save(&store, run, account, at(12, 0, 0), &likes_batch(Some(0.0))).await;
    save(&store, run, account, at(13, 0, 0), &likes_batch(None)).await;
    save(&store, run, account, at(14, 0, 0), &likes_batch(Some(f64::NAN))).await;
    let values: Vec<_> = post_series(&store, "p1", "likes")
        .await
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(
        values,
        vec![None, Some(0.0), None],
        "0 differs from null; NaN is stored as null"
    );
    let exported: Vec<_> = store
        .post_metric_rows(&RowFilter::default())
        .await
        .expect("rows")
        .into_iter()
        .map(|r| r.value)
        .collect();
    assert_eq!(exported, vec![None, Some(0.0), None]);
}

async fn follower_snapshots_follow_the_same_rule(engine: Engine) {
    let Some((store, account, run)) = store_with_account(engine).await else {
        return;
    };
    save(&store, run, account, at(9, 0, 0), &followers_batch(Some(1000.0))).await;
    save(&store, run, account, at(9, 59, 59), &followers_batch(Some(1001.0))).await;
    save(&store, run, account, at(10, 0, 0), &followers_batch(Some(1001.0))).await;
    save(&store, run, account, at(11, 0, 0), &followers_batch(Some(1003.0))).await;
    save(&store, run, account, at(11, 10, 0), &followers_batch(None)).await;
    let series = snapshot_series(&store, "followers").await;
    let summary: Vec<_> = series.iter().map(|r| (r.0, r.2.as_str())).collect();
    assert_eq!(
        summary,
        vec![(Some(1001.0), "2026-11-20T09:00:00Z"), (None, "2026-11-20T11:00:00Z")],
        "in-place update at 9h, same value at 10h, 1003 replaced in place by null at 11h"
    );
    assert_eq!(series[0].3, "2026-11-20T10:00:00Z");

    // Exports show the bucket as period_start == period_end.
    let rows = store.account_metric_rows(&RowFilter::default()).await.expect("rows");
    assert_eq!(rows.len(), 2);
    assert!(rows
        .iter()
        .all(|r| r.period == Period::Snapshot && r.period_start == r.period_end));
    assert_eq!(rows[0].period_start, at(9, 0, 0));
    assert_eq!(rows[0].collected_at, at(9, 59, 59));
    assert_eq!(rows[0].username.as_deref(), Some("alcance_demo"));
    assert_eq!(rows[0].user_id, "17841400000000001");
}

async fn period_metrics_are_corrected_in_place(engine: Engine) {
    let Some((store, account, run)) = store_with_account(engine).await else {
        return;
    };
    let reach = |v: Option<f64>| CollectionBatch {
        account_metrics: vec![daily("reach", -1, v), daily("reach", -2, Some(900.0))],
        ..Default::default()
    };
    save(&store, run, account, at(9, 0, 0), &reach(None)).await;
    save(&store, run, account, at(15, 0, 0), &reach(Some(1200.0))).await;
    save(&store, run, account, day(1, 9), &reach(Some(1250.0))).await;
    // A later empty answer does not erase the value already read.
    save(&store, run, account, day(2, 9), &reach(None)).await;
    let rows = store.account_metric_rows(&RowFilter::default()).await.expect("rows");
    assert_eq!(rows.len(), 2, "one row per (metric, period, start, end)");
    let yesterday = &rows[1];
    assert_eq!(yesterday.period, Period::Day);
    assert_eq!(yesterday.period_start, day(-1, 0));
    assert_eq!(yesterday.period_end, day(0, 0));
    assert_eq!(yesterday.value, Some(1250.0));
    assert_eq!(yesterday.collected_at, day(1, 9));
    assert_eq!(rows[0].value, Some(900.0));
    assert_eq!(
        rows[0].collected_at,
        day(2, 9),
        "same value re-read: collected_at follows"
    );
}

async fn ninety_daily_collections_of_growing_values_keep_one_snapshot_per_day(engine: Engine) {
    let Some((store, account, run)) = store_with_account(engine).await else {
        return;
    };
    for d in 0..90 {
        let mut batch = full_batch(1000.0 + d as f64, 10.0 + (d / 10) as f64);
        batch.account_metrics = vec![snapshot("followers", Some(1000.0 + d as f64))];
        store
            .save_batch(run, account, day(d, 9), &batch, &[])
            .await
            .expect("save");
    }
    let counts = store.table_counts().await.expect("counts");
    assert_eq!(counts.account_metrics, 90, "followers change daily");
    // p1 likes change every 10 days (9 distinct values); the other three metrics never change.
    assert_eq!(counts.post_metrics, 9 + 3);
    assert_eq!(counts.audience, 2 * 90);
    let account_row = store.account(account).await.expect("account");
    assert_eq!(account_row.last_collected_at, Some(day(89, 9)));
    assert_eq!(account_row.display_name.as_deref(), Some("Alcance Demo"));
}

async fn fractional_values_round_trip_exactly_and_stay_idempotent(engine: Engine) {
    let Some((store, account, run)) = store_with_account(engine).await else {
        return;
    };
    let values = [
        0.1,
        1.0 / 3.0,
        2.0f64.sqrt(),
        1e-300,
        123_456.789,
        9_007_199_254_740_993.0,
        -0.0,
        4.35,
        1e21,
        f64::MAX,
    ];
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut all: Vec<f64> = values.to_vec();
    for _ in 0..200 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let v = f64::from_bits(seed);
        if v.is_finite() {
            all.push(v);
        }
    }
    let batch = CollectionBatch {
        account_metrics: all
            .iter()
            .enumerate()
            .map(|(i, v)| AccountMetric {
                metric: format!("m{i:03}"),
                value: Some(*v),
                ..snapshot("x", None)
            })
            .collect(),
        ..Default::default()
    };
    save(&store, run, account, at(9, 0, 0), &batch).await;
    save(&store, run, account, at(10, 0, 0), &batch).await;
    let rows = store.account_metric_rows(&RowFilter::default()).await.expect("rows");
    assert_eq!(rows.len(), all.len(), "equal values are recognised as equal");
    for (row, expected) in rows.iter().zip(&all) {
        let got = row.value.expect("value");
        assert!(
            got == *expected,
            "{} stored as {got:e}, sent {expected:e}",
            row.metric_type
        );
    }
}

both_engines!(
    the_same_collection_twice_changes_no_row_counts,
    audience_is_one_row_per_cell_per_utc_day,
    post_snapshots_follow_the_hour_bucket_rule,
    nulls_stay_null_and_are_a_value_of_their_own,
    follower_snapshots_follow_the_same_rule,
    period_metrics_are_corrected_in_place,
    ninety_daily_collections_of_growing_values_keep_one_snapshot_per_day,
    fractional_values_round_trip_exactly_and_stay_idempotent,
);
