//! The pivoted gain rollups of schema version 24 (ADR 0024): after any mix of writes the
//! tables the triggers keep (`account_gain_hours`, `post_interaction_hours`) equal the same
//! computed from scratch from their sources, and the dashboard's reads give the same
//! answer from the pivots as from the per-metric statements.

use crate::common::{account, day, post, post_metric, store_with_account};
use alcance_core::{CollectionBatch, Platform};
use alcance_store::aggregate::{GainBounds, PIVOTED_INTERACTIONS};
use alcance_store::imports::{ImportData, ImportKind, ImportTarget, ImportedPost};
use alcance_store::{both_engines, on_pool, Engine, RowFilter, Store};
use chrono::{DateTime, Duration, Utc};

/// A small deterministic generator (values are whole numbers: sums are exact on both
/// engines whatever their order).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// The metrics a batch carries: the pivoted interactions, views and impressions, and one
/// the pivots leave out.
const METRICS: [&str; 7] = ["likes", "comments", "saves", "shares", "views", "impressions", "reach"];

/// A batch of `posts` (external id, published at) with `metrics` (post, metric, value).
fn batch(posts: &[(String, DateTime<Utc>)], metrics: &[(String, &str, Option<f64>)]) -> CollectionBatch {
    CollectionBatch {
        posts: posts.iter().map(|(id, at)| post(id, *at)).collect(),
        post_metrics: metrics.iter().map(|(p, m, v)| post_metric(p, m, *v)).collect(),
        ..CollectionBatch::default()
    }
}

async fn save(store: &Store, run: i64, account: i64, at: DateTime<Utc>, b: &CollectionBatch) {
    store.save_batch(run, account, at, b, &[]).await.unwrap();
}

/// Asserts the kept pivots equal the ones from scratch; returns how many rows each has.
async fn assert_exact(store: &Store, when: &str) -> (usize, usize) {
    let d = store.gain_pivot_dump().await.unwrap();
    assert_eq!(d.accounts_kept, d.accounts_scratch, "account_gain_hours {when}");
    assert_eq!(d.posts_kept, d.posts_scratch, "post_interaction_hours {when}");
    assert_eq!(d.stray, 0, "rows without a reading whose sums are not 0, {when}");
    (d.accounts_kept.len(), d.posts_kept.len())
}

/// The three gain reads through the pivots (the dashboard's metrics) and through the
/// per-metric statements (the same metrics and one no row has, which the pivots do not
/// serve), over a few periods: the same answers.
async fn assert_reads_agree(store: &Store, when: &str) {
    let pivoted: Vec<&str> = PIVOTED_INTERACTIONS.to_vec();
    let mut unpivoted = pivoted.clone();
    unpivoted.push("no_such_metric");
    let all = RowFilter::default();
    for (since, until) in [
        (day(0, 0), day(20, 0)),
        (day(3, 0), day(7, 0)),
        (day(-5, 0), day(2, 13)),
    ] {
        let bounds = GainBounds {
            previous_since: since - (until - since),
            since,
            until,
        };
        let mut fast = store
            .period_gains(&all, bounds, &pivoted, "views", "impressions")
            .await
            .unwrap();
        let mut slow = store
            .period_gains(&all, bounds, &unpivoted, "views", "impressions")
            .await
            .unwrap();
        let key = |g: &alcance_store::aggregate::AccountGain| {
            (
                g.account_id,
                g.current,
                g.pick == alcance_store::aggregate::GainPick::Views,
            )
        };
        fast.sort_by_key(key);
        slow.sort_by_key(key);
        assert_eq!(fast, slow, "period_gains {when} {since}..{until}");
        let by_day = |mut v: Vec<alcance_store::aggregate::AccountDayGain>| {
            v.sort_by(|a, b| (&a.user_id, a.day).cmp(&(&b.user_id, b.day)));
            v
        };
        let fast = by_day(store.day_gains(&all, &pivoted, since, until).await.unwrap());
        let slow = by_day(store.day_gains(&all, &unpivoted, since, until).await.unwrap());
        assert_eq!(fast, slow, "day_gains {when} {since}..{until}");
        let fast = store.top_post_gains(&all, &pivoted, since, until, 5).await.unwrap();
        let slow = store.top_post_gains(&all, &unpivoted, since, until, 5).await.unwrap();
        assert_eq!(fast, slow, "top_post_gains {when} {since}..{until}");
    }
}

async fn pivots_stay_exact_through_every_kind_of_write(engine: Engine) {
    let Some((store, a0, run)) = store_with_account(engine).await else {
        return;
    };
    let a1 = store
        .upsert_account(&account(Platform::Instagram, "17841400000000002", "second"), None, None)
        .await
        .unwrap();
    let accounts = [a0, a1];
    let mut rng = Lcg(0x0024_1607);
    let posts: Vec<Vec<(String, DateTime<Utc>)>> = (0..2)
        .map(|a| {
            (0..5)
                .map(|p| (format!("a{a}p{p}"), day(i64::from(p) - 2, 7)))
                .collect()
        })
        .collect();
    let mut values = [[[0.0_f64; METRICS.len()]; 5]; 2];

    // Daily collections, two a day on some days, metrics growing, falling back, missing.
    for d in 0..12_i64 {
        for (a, &account_id) in accounts.iter().enumerate() {
            let hours: &[u32] = if d % 4 == 1 { &[9, 17] } else { &[9] };
            for &h in hours {
                let mut metrics = Vec::new();
                for (p, (id, _)) in posts[a].iter().enumerate() {
                    for (m, metric) in METRICS.iter().enumerate() {
                        // Posts 3 and 4 have no views (their impressions count as views).
                        if *metric == "views" && p >= 3 {
                            continue;
                        }
                        let v = &mut values[a][p][m];
                        *v = if rng.below(5) == 0 {
                            (*v - 3.0).max(0.0)
                        } else {
                            *v + rng.below(20) as f64
                        };
                        let value = (rng.below(6) != 0).then_some(*v);
                        metrics.push((id.clone(), *metric, value));
                    }
                }
                save(
                    &store,
                    run,
                    account_id,
                    day(d, h) + Duration::minutes(i64::from(h)),
                    &batch(&posts[a], &metrics),
                )
                .await;
            }
        }
    }
    let (accounts_rows, posts_rows) = assert_exact(&store, "after the collections").await;
    assert!(accounts_rows >= 2 * 12, "{accounts_rows}");
    assert!(posts_rows >= 2 * 5 * 10, "{posts_rows}");
    assert_reads_agree(&store, "after the collections").await;

    // Out of order: an hour between two collections, one before every collection, and
    // views first read for a post that had impressions only.
    let p = &posts[0];
    let late = [
        (
            day(3, 21),
            vec![
                (p[1].clone(), "likes", Some(1.0)),
                (p[2].clone(), "comments", Some(500.0)),
            ],
        ),
        (
            day(-3, 0),
            vec![(p[0].clone(), "likes", Some(2.0)), (p[0].clone(), "shares", Some(7.0))],
        ),
        (
            day(5, 20),
            vec![
                (p[3].clone(), "views", Some(1_234.0)),
                (p[3].clone(), "likes", Some(90.0)),
            ],
        ),
    ];
    for (at, rows) in late {
        let (post_rows, metrics): (Vec<_>, Vec<_>) = rows
            .into_iter()
            .map(|((id, pubd), m, v)| ((id.clone(), pubd), (id, m, v)))
            .unzip();
        save(&store, run, a0, at, &batch(&post_rows, &metrics)).await;
    }
    assert_exact(&store, "after out-of-order batches").await;

    // The same hour collected again with other values (replaces the bucket's values).
    let again = vec![
        (p[1].0.clone(), "likes", Some(3.0)),
        (p[1].0.clone(), "comments", None),
        (p[2].0.clone(), "views", Some(5.0)),
    ];
    save(
        &store,
        run,
        a0,
        day(6, 9) + Duration::minutes(40),
        &batch(&p[1..3], &again),
    )
    .await;
    assert_exact(&store, "after an hour collected again").await;

    // An import of an earlier hour (the import path's refresh).
    let data = ImportData {
        rows_read: 2,
        posts: vec![
            ImportedPost {
                line: 2,
                external_id: p[0].0.clone(),
                published_at: Some(p[0].1),
                content_type: Some("reel".into()),
                permalink: None,
                caption: None,
                metrics: vec![("likes".into(), 40.0), ("saves".into(), 4.0), ("views".into(), 300.0)],
            },
            ImportedPost {
                line: 3,
                external_id: "imported_only".into(),
                published_at: Some(day(1, 2)),
                content_type: Some("reel".into()),
                permalink: None,
                caption: None,
                metrics: vec![("likes".into(), 11.0), ("comments".into(), 2.0)],
            },
        ],
        ..ImportData::default()
    };
    let target = ImportTarget {
        account_id: a0,
        kind: ImportKind::MetaPosts,
        file_name: "posts.csv",
        sha256: "00000000000000000000000000000000000000000000000000000000000000a4",
        at: day(2, 3),
        dry_run: false,
    };
    store.import_data(&target, &data).await.unwrap();
    assert_exact(&store, "after an import").await;
    assert_reads_agree(&store, "after the late writes").await;

    // A post deleted: its rows leave post_interaction_hours by the cascade.
    let deleted: i64 = on_pool!(store.pool(), |c| sqlx::query_scalar(
        "SELECT id FROM posts WHERE external_id = 'a0p1'"
    )
    .fetch_one(c)
    .await)
    .unwrap();
    on_pool!(store.pool(), |c| sqlx::query("DELETE FROM posts WHERE id = $1")
        .bind(deleted)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .unwrap();
    assert_exact(&store, "after a post was deleted").await;
    let left: i64 = on_pool!(store.pool(), |c| sqlx::query_scalar(
        "SELECT count(*) FROM post_interaction_hours WHERE post_id = $1"
    )
    .bind(deleted)
    .fetch_one(c)
    .await)
    .unwrap();
    assert_eq!(left, 0);

    // Everything computed again (the rollup loses the deleted post's gains).
    let before = store.gain_pivot_dump().await.unwrap();
    store.rebuild_post_gains().await.unwrap();
    assert_exact(&store, "after rebuild_post_gains").await;
    let after = store.gain_pivot_dump().await.unwrap();
    assert_ne!(
        before.accounts_kept, after.accounts_kept,
        "the rebuild moved the rollup"
    );
    assert_reads_agree(&store, "after the rebuild").await;

    // An account deleted: its rows leave both pivots.
    store.delete_account_data(a1).await.unwrap();
    let (accounts_rows_after, _) = assert_exact(&store, "after an account was deleted").await;
    assert!(accounts_rows_after > 0 && accounts_rows_after < after.accounts_kept.len());
    let left: i64 = on_pool!(store.pool(), |c| sqlx::query_scalar(
        "SELECT count(*) FROM account_gain_hours WHERE account_id = $1"
    )
    .bind(a1)
    .fetch_one(c)
    .await)
    .unwrap();
    assert_eq!(left, 0);
    assert_reads_agree(&store, "after an account was deleted").await;

    // The comparison can fail: a kept row moved by hand no longer equals the source's.
    on_pool!(store.pool(), |c| sqlx::query(
        "UPDATE post_interaction_hours SET gain = gain + 1 WHERE post_id = (SELECT min(post_id) FROM post_interaction_hours WHERE readings > 0)"
    )
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    on_pool!(store.pool(), |c| sqlx::query(
        "UPDATE account_gain_hours SET views = views + 1 WHERE account_id = $1 AND view_readings > 0"
    )
    .bind(a0)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    let broken = store.gain_pivot_dump().await.unwrap();
    assert_ne!(broken.posts_kept, broken.posts_scratch);
    assert_ne!(broken.accounts_kept, broken.accounts_scratch);
}

both_engines!(pivots_stay_exact_through_every_kind_of_write);

/// Updates of `post_metrics` that change nothing a pivot sums (the value of a row whose
/// gain stays, `last_seen_at`) leave `post_interaction_hours` alone: the triggers fire on
/// the gain and the key only.
async fn other_columns_do_not_touch_the_post_pivot(engine: Engine) {
    let Some((store, a0, run)) = store_with_account(engine).await else {
        return;
    };
    let posts = vec![("x1".to_string(), day(0, 1))];
    let m = |v: f64| vec![("x1".to_string(), "likes", Some(v))];
    save(&store, run, a0, day(0, 2), &batch(&posts, &m(10.0))).await;
    assert_exact(&store, "after one batch").await;
    // Sabotage the pivot row, then touch columns the triggers must ignore.
    on_pool!(store.pool(), |c| sqlx::query(
        "UPDATE post_interaction_hours SET gain = 999"
    )
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    on_pool!(store.pool(), |c| sqlx::query(
        "UPDATE post_metrics SET last_seen_at = collected_at, value = value"
    )
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    let d = store.gain_pivot_dump().await.unwrap();
    assert_eq!(d.posts_kept.first().map(|r| r.2), Some(999.0), "{d:?}");
    // A change of the gain computes the row again.
    save(
        &store,
        run,
        a0,
        day(0, 2) + Duration::minutes(5),
        &batch(&posts, &m(12.0)),
    )
    .await;
    assert_exact(&store, "after the gain changed").await;
}

both_engines!(other_columns_do_not_touch_the_post_pivot);
