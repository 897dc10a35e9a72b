#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The raw-response archive (compression, dedupe, redaction) and the export reads
//! (RowFilter, ordering, identity columns).

use crate::common;

use alcance_core::{CollectionBatch, Platform};
use alcance_store::testing::TestStore;
use alcance_store::{both_engines, on_pool, Engine};
use alcance_store::{RowFilter, StoreError};
use common::*;

async fn raw_bodies_are_compressed_deduplicated_and_round_trip(engine: Engine) {
    let Some((store, account, run)) = store_with_account(engine).await else {
        return;
    };
    let big = format!(
        r#"{{"data":[{}]}}"#,
        vec![r#"{"id":"17900000000000001","like_count":12}"#; 400].join(",")
    );
    let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    let raw = vec![
        exchange(
            "https://graph.instagram.com/v25.0/me/media?limit=100",
            200,
            &big,
            at(10, 0, 1),
        ),
        exchange("https://graph.instagram.com/v25.0/me/insights", 502, html, at(10, 0, 2)),
        exchange("https://graph.instagram.com/v25.0/me/stories", 0, "", at(10, 0, 3)),
    ];
    assert_eq!(store.save_raw(run, Some(account), &raw).await.expect("save"), 3);

    // (id, stored length, body_len, body_hash, status)
    let rows: Vec<(i64, i64, i64, String, i64)> = on_pool!(store.pool(), |p| {
        sqlx::query_as(
        "SELECT id, CAST(length(body) AS BIGINT) AS stored, body_len, body_hash, status FROM raw_responses ORDER BY id"
    )
    .fetch_all(p)
    .await
    })
    .expect("rows");
    assert_eq!(rows.len(), 3);
    let (stored, len) = (rows[0].1, rows[0].2);
    assert_eq!(len as usize, big.len());
    assert!(
        stored * 10 < len,
        "repetitive JSON compresses well: {stored} of {len} bytes"
    );
    assert_eq!(rows[0].3.len(), 64, "SHA-256 hex");
    for (row, x) in rows.iter().zip(&raw) {
        assert_eq!(store.raw_body(row.0).await.expect("body"), x.body, "round trip");
        assert_eq!(row.4, i64::from(x.status));
    }

    // Seen again (later): same rows, seen_count and last_fetched_at bumped.
    let mut again = raw.clone();
    for x in &mut again {
        x.fetched_at += chrono::Duration::hours(1);
    }
    store.save_raw(run, None, &again).await.expect("again");
    let seen: Vec<(i64, String, String)> = on_pool!(store.pool(), |p| sqlx::query_as(
        "SELECT seen_count, fetched_at, last_fetched_at FROM raw_responses ORDER BY id"
    )
    .fetch_all(p)
    .await)
    .expect("rows");
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[1].0, 2);
    assert_eq!(seen[1].1, "2026-11-20T10:00:02Z");
    assert_eq!(seen[1].2, "2026-11-20T11:00:02Z");

    // A different body at the same URL is a new row.
    let changed = [exchange(
        "https://graph.instagram.com/v25.0/me/insights",
        502,
        "<html>other</html>",
        at(12, 0, 0),
    )];
    store.save_raw(run, None, &changed).await.expect("changed");
    assert_eq!(store.table_counts().await.expect("counts").raw_responses, 4);

    let err = store.raw_body(999).await.expect_err("missing");
    assert!(matches!(
        err,
        StoreError::NotFound {
            what: "raw response",
            id: 999
        }
    ));
}

async fn damaged_compressed_bodies_are_reported(engine: Engine) {
    let Some((store, _, run)) = store_with_account(engine).await else {
        return;
    };
    store
        .save_raw(
            run,
            None,
            &[exchange(
                "https://api.x.com/2/users/me",
                200,
                r#"{"data":{}}"#,
                at(10, 0, 0),
            )],
        )
        .await
        .expect("save");
    let garbage: Vec<u8> = vec![0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99];
    on_pool!(store.pool(), |p| sqlx::query("UPDATE raw_responses SET body = $1")
        .bind(&garbage)
        .execute(p)
        .await
        .map(|r| r.rows_affected()))
    .expect("damage");
    let id: i64 = on_pool!(store.pool(), |p| sqlx::query_scalar("SELECT id FROM raw_responses")
        .fetch_one(p)
        .await)
    .expect("id");
    let err = store.raw_body(id).await.expect_err("not zlib");
    assert!(matches!(err, StoreError::RawBody { .. }), "{err:?}");
}

async fn secrets_left_in_raw_exchanges_are_redacted_before_storage(engine: Engine) {
    let Some((store, account, run)) = store_with_account(engine).await else {
        return;
    };
    let token_answer = r#"{"access_token":"EAAGm0PX4ZCpsBA","token_type":"bearer","expires_in":5183944}"#;
    let raw = [exchange(
        "https://graph.facebook.com/v25.0/oauth/access_token?client_id=1&client_secret=shh&fb_exchange_token=EAAB",
        200,
        token_answer,
        at(10, 0, 0),
    )];
    store
        .save_batch(run, account, at(10, 0, 0), &CollectionBatch::default(), &raw)
        .await
        .expect("save");
    let (id, url): (i64, String) = on_pool!(store.pool(), |p| sqlx::query_as("SELECT id, url FROM raw_responses")
        .fetch_one(p)
        .await)
    .expect("row");
    assert_eq!(
        url,
        "https://graph.facebook.com/v25.0/oauth/access_token?client_id=1&client_secret=REDACTED&fb_exchange_token=REDACTED"
    );
    let body = String::from_utf8(store.raw_body(id).await.expect("body")).expect("utf8");
    assert_eq!(
        body,
        r#"{"access_token":"REDACTED","token_type":"bearer","expires_in":5183944}"#
    );
}

/// Two accounts on two platforms with posts, metrics and audience at two times.
async fn two_account_store(engine: Engine) -> Option<(TestStore, i64, i64)> {
    let (store, ig, run) = store_with_account(engine).await?;
    let x = store
        .upsert_account(&account(Platform::X, "2244994945", "XDevelopers"), None, None)
        .await
        .expect("x");
    for (d, when) in [(0, at(10, 0, 0)), (1, day(1, 10))] {
        store
            .save_batch(run, ig, when, &full_batch(1000.0 + d as f64, 10.0 + d as f64), &[])
            .await
            .expect("ig");
        let mut xb = full_batch(50.0 + d as f64, 3.0 + d as f64);
        xb.profile = Some(alcance_core::Profile {
            external_id: "2244994945".to_string(),
            username: Some("XDevelopers".to_string()),
            display_name: Some("Developers".to_string()),
            avatar_url: None,
        });
        xb.posts = vec![post("1460323737035677698", at(6, 0, 0))];
        xb.post_metrics = vec![
            post_metric("1460323737035677698", "likes", Some(3.0 + d as f64)),
            post_metric("1460323737035677698", "reposts", Some(1.0)),
        ];
        store.save_batch(run, x, when, &xb, &[]).await.expect("x");
    }
    Some((store, ig, x))
}

async fn row_filter_selects_by_platform_account_time_and_metric(engine: Engine) {
    let Some((store, ig, x)) = two_account_store(engine).await else {
        return;
    };
    let all = store.account_metric_rows(&RowFilter::default()).await.expect("all");
    assert!(!all.is_empty());

    let only_x = RowFilter {
        platforms: vec![Platform::X],
        ..Default::default()
    };
    let rows = store.account_metric_rows(&only_x).await.expect("x");
    assert!(
        !rows.is_empty()
            && rows
                .iter()
                .all(|r| r.platform == Platform::X && r.user_id == "2244994945")
    );
    assert_eq!(rows[0].username.as_deref(), Some("XDevelopers"));
    assert_eq!(
        store.account_metric_rows(&only_x).await.expect("x").len() * 2,
        all.len()
    );

    let by_id = RowFilter {
        account_ids: vec![ig],
        ..Default::default()
    };
    let by_external = RowFilter {
        external_ids: vec!["17841400000000001".to_string()],
        ..Default::default()
    };
    let a = store.post_metric_rows(&by_id).await.expect("by id");
    let b = store.post_metric_rows(&by_external).await.expect("by external id");
    assert_eq!(a, b);
    assert!(a
        .iter()
        .all(|r| r.user_id == "17841400000000001" && r.platform == Platform::Instagram));

    let followers = RowFilter {
        metrics: vec!["followers".into()],
        account_ids: vec![x],
        ..Default::default()
    };
    let rows = store.account_metric_rows(&followers).await.expect("followers");
    let values: Vec<_> = rows.iter().map(|r| r.value).collect();
    assert_eq!(values, vec![Some(50.0), Some(51.0)]);

    // since inclusive, until exclusive, on collected_at for post metrics.
    let second_day = RowFilter {
        since: Some(day(1, 10)),
        until: Some(day(1, 11)),
        metrics: vec!["likes".into()],
        ..Default::default()
    };
    let rows = store.post_metric_rows(&second_day).await.expect("since");
    assert!(!rows.is_empty());
    assert!(rows
        .iter()
        .all(|r| r.collected_at == day(1, 10) && r.metric_type == "likes"));
    let nothing = RowFilter {
        until: Some(at(10, 0, 0)),
        ..Default::default()
    };
    assert!(store.post_metric_rows(&nothing).await.expect("until").is_empty());

    // Account rows are bounded on period_start: the daily reach of day -1 only.
    let yesterday = RowFilter {
        since: Some(day(-1, 0)),
        until: Some(day(0, 0)),
        ..Default::default()
    };
    let rows = store.account_metric_rows(&yesterday).await.expect("period");
    assert!(!rows.is_empty() && rows.iter().all(|r| r.period_start == day(-1, 0)));

    // Posts are bounded on published_at; audience on collected_at.
    let posts = store
        .posts(&RowFilter {
            since: Some(at(7, 0, 0)),
            ..Default::default()
        })
        .await
        .expect("posts");
    let ids: Vec<_> = posts.iter().map(|p| p.external_id.as_str()).collect();
    assert_eq!(ids, vec!["p1"]);
    let audience = store
        .audience_rows(&RowFilter {
            platforms: vec![Platform::Instagram],
            since: Some(day(1, 0)),
            ..Default::default()
        })
        .await
        .expect("audience");
    assert_eq!(audience.len(), 2);
    assert!(audience
        .iter()
        .all(|a| a.user_id == "17841400000000001" && a.collected_at == day(1, 10)));
}

async fn export_rows_are_ordered_deterministically(engine: Engine) {
    let Some((store, _, _)) = two_account_store(engine).await else {
        return;
    };
    let rows = store.account_metric_rows(&RowFilter::default()).await.expect("rows");
    let keys: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.platform.as_str(),
                r.user_id.clone(),
                r.metric_type.clone(),
                r.period_start,
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "account, metric, period_start");

    let rows = store.post_metric_rows(&RowFilter::default()).await.expect("rows");
    let keys: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.platform.as_str(),
                r.user_id.clone(),
                r.published_at,
                r.post_id.clone(),
                r.metric_type.clone(),
                r.collected_at,
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "account, post, metric, collected_at");
    assert_eq!(
        rows,
        store.post_metric_rows(&RowFilter::default()).await.expect("again")
    );
    let x_post = rows.iter().find(|r| r.platform == Platform::X).expect("x row");
    assert_eq!(x_post.post_id, "1460323737035677698");
    assert_eq!(x_post.content_type, "reel");
    assert_eq!(x_post.published_at, Some(at(6, 0, 0)));
}

/// The carried read (the weekly report's): the period's snapshots plus, from before it,
/// each post and metric's latest snapshot and its latest one with a value, the same rows
/// in the same order as filtering every snapshot in Rust.
async fn carried_read_keeps_the_period_and_the_values_carried_into_it(engine: Engine) {
    let Some((store, ig, run)) = store_with_account(engine).await else {
        return;
    };
    for d in 0..5_i64 {
        let v = d as f64;
        let mut posts = vec![post("p1", day(0, 8))];
        let mut metrics = vec![post_metric("p1", "likes", Some(10.0 + v))];
        // Comments: values on days 0 and 1, empty on day 2, no longer read after it.
        match d {
            0 | 1 => metrics.push(post_metric("p1", "comments", Some(v))),
            2 => metrics.push(post_metric("p1", "comments", None)),
            _ => {}
        }
        // Reach read once, on day 0.
        if d == 0 {
            metrics.push(post_metric("p1", "reach", Some(500.0)));
        }
        // A second post from day 2.
        if d >= 2 {
            posts.push(post("p2", day(2, 8)));
            metrics.push(post_metric("p2", "likes", Some(3.0 * v)));
        }
        let b = CollectionBatch {
            posts,
            post_metrics: metrics,
            ..CollectionBatch::default()
        };
        store.save_batch(run, ig, day(d, 10), &b, &[]).await.expect("batch");
    }
    let since = day(3, 0);
    let all = store.post_metric_rows(&RowFilter::default()).await.expect("all");
    let carried = store
        .post_metric_rows_carried(&RowFilter {
            since: Some(since),
            ..Default::default()
        })
        .await
        .expect("carried");

    // The reference: every row at or after `since`, and of the rows before it the latest
    // of each post and metric and the latest with a value.
    let latest_before = |post: &str, metric: &str, with_value: bool| {
        all.iter()
            .filter(|r| r.post_id == post && r.metric_type == metric && r.collected_at < since)
            .filter(|r| !with_value || r.value.is_some())
            .map(|r| r.collected_at)
            .max()
    };
    let expected: Vec<_> = all
        .iter()
        .filter(|r| {
            r.collected_at >= since
                || Some(r.collected_at) == latest_before(&r.post_id, &r.metric_type, false)
                || (r.value.is_some() && Some(r.collected_at) == latest_before(&r.post_id, &r.metric_type, true))
        })
        .cloned()
        .collect();
    assert_eq!(carried, expected);

    let key = |r: &alcance_core::PostMetricRow| (r.post_id.clone(), r.metric_type.clone(), r.collected_at, r.value);
    let got: Vec<_> = carried.iter().map(key).collect();
    let s = |x: &str| x.to_string();
    // p1 likes: day 2 (latest before), days 3 and 4; not days 0 and 1.
    assert!(got.contains(&(s("p1"), s("likes"), day(2, 10), Some(12.0))));
    assert!(!got.iter().any(|k| k.0 == "p1" && k.1 == "likes" && k.2 < day(2, 10)));
    // p1 comments: the empty day 2 and the last value of day 1, not day 0.
    assert!(got.contains(&(s("p1"), s("comments"), day(2, 10), None)));
    assert!(got.contains(&(s("p1"), s("comments"), day(1, 10), Some(1.0))));
    assert!(!got.contains(&(s("p1"), s("comments"), day(0, 10), Some(0.0))));
    // p1 reach: read once, long before: carried.
    assert!(got.contains(&(s("p1"), s("reach"), day(0, 10), Some(500.0))));
    assert_eq!(carried.len(), 9, "{got:?}");
    assert_eq!(all.len(), 12);

    // Without `since` it is the plain read.
    let until = RowFilter {
        until: Some(day(3, 0)),
        ..Default::default()
    };
    assert_eq!(
        store.post_metric_rows_carried(&until).await.expect("until"),
        store.post_metric_rows(&until).await.expect("plain")
    );
}

both_engines!(
    carried_read_keeps_the_period_and_the_values_carried_into_it,
    raw_bodies_are_compressed_deduplicated_and_round_trip,
    damaged_compressed_bodies_are_reported,
    secrets_left_in_raw_exchanges_are_redacted_before_storage,
    row_filter_selects_by_platform_account_time_and_metric,
    export_rows_are_ordered_deterministically,
);
