//! The SQL aggregates of the dashboard, posts table and accounts screen against the Rust
//! computation they replaced (`super::reference`), on the same generated workspace, on
//! both engines: the answers must be identical.

use super::reference::{old_dashboard, old_dashboard_kpis, old_posts};
use super::*;
use crate::testing::{both_engines, open_workspace, TestWorkspace};
use crate::workspace::{Workspace, WorkspaceOptions};
use alcance_core::{AccountMetric, AccountRef, CollectionBatch, ContentType, Period, Platform, PostMetric, PostRecord};
use alcance_platforms::vault::MemoryVault;
use alcance_platforms::Endpoints;
use alcance_store::Engine;
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::path::Path;

/// A small deterministic generator (64-bit LCG), so the data is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    /// 0..n
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A generated post: external id, published at, content type, has views, per metric its
/// current value.
type Generated = (String, Option<DateTime<Utc>>, ContentType, bool, Vec<f64>);

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).single().unwrap_or_default()
}

async fn workspace(engine: Engine, dir: &Path) -> Option<TestWorkspace> {
    let base = url::Url::parse("http://127.0.0.1:9/").unwrap_or_else(|_| unreachable!());
    open_workspace(
        engine,
        dir,
        WorkspaceOptions {
            endpoints: Endpoints::sandbox(&base),
            vault: Box::new(MemoryVault::new()),
        },
    )
    .await
}

/// Five accounts (four X, one Instagram; one without a handle) collected over 70 days at
/// their own times, some days twice, some skipped: posts published now and then (some
/// without a time, some read long after publication, some stories), their metrics growing,
/// sometimes falling back, sometimes missing (NULL), `views` on some posts only, follower
/// counts with gaps. Returns the accounts' ids.
async fn generate(ws: &Workspace) -> Vec<i64> {
    let store = ws.store();
    let mut rng = Lcg(0x5eed_0016);
    let mut ids = Vec::new();
    for a in 0..5u32 {
        let platform = if a == 4 { Platform::Instagram } else { Platform::X };
        let account = AccountRef {
            platform,
            external_id: format!("{}", 100 + a),
            username: (a != 2).then(|| format!("acct{a}")),
            owned: a % 2 == 0,
        };
        let id = store
            .upsert_account(&account, Some(&format!("Account {a}")), None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        ids.push(id);
        // (external id, published at, content type, has views, per metric: current value)
        let mut posts: Vec<Generated> = Vec::new();
        let metrics = [
            "likes",
            "comments",
            "replies",
            "reposts",
            "saves",
            "views",
            "impressions",
            "bookmarks",
        ];
        let mut followers = 1_000.0 + f64::from(a) * 100.0;
        for d in 0..70i64 {
            let collections = if rng.chance(10) {
                0
            } else if rng.chance(15) {
                2
            } else {
                1
            };
            for c in 0..collections {
                let at = start()
                    + Duration::days(d)
                    + Duration::hours(i64::from(a) * 3 + c * 7)
                    + Duration::seconds(rng.below(3_600) as i64);
                // New posts.
                if rng.chance(45) {
                    let n = posts.len();
                    let published = if rng.chance(8) {
                        None
                    } else if rng.chance(12) {
                        Some(at - Duration::days(rng.below(20) as i64 + 3))
                    } else {
                        Some(at - Duration::minutes(rng.below(600) as i64))
                    };
                    let content = match rng.below(6) {
                        0 => ContentType::Story,
                        1 => ContentType::Image,
                        _ => ContentType::Text,
                    };
                    let has_views = platform == Platform::Instagram || rng.chance(20);
                    posts.push((
                        format!("a{a}p{n}"),
                        published,
                        content,
                        has_views,
                        vec![0.0; metrics.len()],
                    ));
                }
                followers += rng.below(40) as f64 - 10.0;
                let mut batch = CollectionBatch {
                    account_metrics: vec![AccountMetric {
                        metric: "followers".into(),
                        period: Period::Snapshot,
                        period_start: at,
                        period_end: at,
                        value: (!rng.chance(5)).then_some(followers),
                    }],
                    ..CollectionBatch::default()
                };
                let live = posts.len().saturating_sub(12);
                for (external, published, content, has_views, values) in posts.iter_mut().skip(live) {
                    batch.posts.push(PostRecord {
                        external_id: external.clone(),
                        published_at: *published,
                        content_type: content.clone(),
                        permalink: None,
                        caption: Some(format!("caption of {external}")),
                    });
                    for (i, metric) in metrics.iter().enumerate() {
                        if *metric == "views" && !*has_views {
                            continue;
                        }
                        if rng.chance(20) {
                            continue; // not served this time
                        }
                        let step = rng.below(30) as f64;
                        values[i] = if rng.chance(4) {
                            (values[i] - 5.0).max(0.0)
                        } else {
                            values[i] + step
                        };
                        batch.post_metrics.push(PostMetric {
                            post_external_id: external.clone(),
                            metric: (*metric).into(),
                            value: (!rng.chance(3)).then_some(values[i]),
                        });
                    }
                }
                let run = store.start_run("manual", at).await.unwrap_or_else(|e| panic!("{e}"));
                store
                    .save_batch(run, id, at, &batch, &[])
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                store
                    .finish_run(run, "ok", at, &alcance_store::RunCounts::default())
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
            }
        }
        out_of_order(store, id, a, &posts).await;
    }
    // An import: history of posts never collected (its own hour bucket, before later
    // collections) and a metric the collections never served on a collected post.
    let imported = store
        .import_data(
            &alcance_store::imports::ImportTarget {
                account_id: ids[1],
                kind: alcance_store::imports::ImportKind::XArchive,
                file_name: "tweets.js",
                sha256: "00",
                at: start() + Duration::days(40) + Duration::minutes(20),
                dry_run: false,
            },
            &alcance_store::imports::ImportData {
                rows_read: 3,
                posts: vec![
                    imported_post(
                        1,
                        "old1",
                        Some(start() + Duration::days(39)),
                        &[("likes", 40.0), ("reposts", 3.0)],
                    ),
                    imported_post(
                        2,
                        "old2",
                        Some(start() - Duration::days(30)),
                        &[("likes", 400.0), ("impressions", 9e3)],
                    ),
                    imported_post(3, "a1p3", None, &[("quotes", 7.0)]),
                ],
                days: Vec::new(),
                errors: Vec::new(),
                ignored_columns: Vec::new(),
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(imported.added >= 5, "{imported:?}");
    ids
}

fn imported_post(
    line: u64,
    id: &str,
    published: Option<DateTime<Utc>>,
    metrics: &[(&str, f64)],
) -> alcance_store::imports::ImportedPost {
    alcance_store::imports::ImportedPost {
        line,
        external_id: id.into(),
        published_at: published,
        content_type: Some("text".into()),
        permalink: None,
        caption: None,
        metrics: metrics.iter().map(|(m, v)| ((*m).to_string(), *v)).collect(),
    }
}

/// Writes that arrive out of order after the account's collections: a backfill of an
/// hour between two collections with other values, the same hour collected again with a
/// replaced value, and `views` first read for a post that had `impressions` only.
async fn out_of_order(store: &alcance_store::Store, id: i64, a: u32, posts: &[Generated]) {
    let post = |n: usize, metrics: &[(&str, Option<f64>)]| {
        let (external, published, content, _, _) = &posts[n.min(posts.len() - 1)];
        (
            PostRecord {
                external_id: external.clone(),
                published_at: *published,
                content_type: content.clone(),
                permalink: None,
                caption: None,
            },
            metrics
                .iter()
                .map(|(m, v)| PostMetric {
                    post_external_id: external.clone(),
                    metric: (*m).into(),
                    value: *v,
                })
                .collect::<Vec<_>>(),
        )
    };
    let n = posts.len();
    let base = f64::from(a) * 10.0;
    // (when, posts and their metrics)
    let writes = [
        // Backfill: an hour between collections of days 30 and 31.
        (
            start() + Duration::days(30) + Duration::hours(22) + Duration::minutes(5),
            vec![
                post(n / 2, &[("likes", Some(base + 3.0)), ("comments", Some(1.0))]),
                post(
                    n / 2 + 1,
                    &[("likes", Some(base + 500.0)), ("impressions", Some(9_000.0))],
                ),
            ],
        ),
        // The same hour again with other values (replaces the bucket's value).
        (
            start() + Duration::days(30) + Duration::hours(22) + Duration::minutes(45),
            vec![post(n / 2, &[("likes", Some(base + 2.0)), ("comments", None)])],
        ),
        // Views first read for a post (its impressions no longer count as views).
        (
            start() + Duration::days(50) + Duration::hours(23),
            vec![post(n / 3, &[("views", Some(1_234.0)), ("likes", Some(base + 77.0))])],
        ),
        // A backfill before every collection.
        (
            start() - Duration::days(1),
            vec![post(0, &[("likes", Some(1.0)), ("replies", Some(f64::from(a)))])],
        ),
    ];
    for (at, records) in writes {
        let mut batch = CollectionBatch::default();
        for (p, metrics) in records {
            batch.posts.push(p);
            batch.post_metrics.extend(metrics);
        }
        let run = store.start_run("manual", at).await.unwrap_or_else(|e| panic!("{e}"));
        store
            .save_batch(run, id, at, &batch, &[])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        store
            .finish_run(run, "ok", at, &alcance_store::RunCounts::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

/// Filters over the generated data: the default period at several "now"s (some with a
/// fraction of a second), explicit ranges, one account, one platform, a time zone.
fn filters(ids: &[i64]) -> Vec<(ViewFilter, DateTime<Utc>)> {
    let at = |d: i64, h: i64, ms: i64| start() + Duration::days(d) + Duration::hours(h) + Duration::milliseconds(ms);
    let mut out = vec![
        (ViewFilter::default(), at(70, 0, 0)),
        (ViewFilter::default(), at(45, 13, 250)),
        (ViewFilter::default(), at(63, 5, 999)),
        (ViewFilter::default(), at(200, 0, 0)),
        (ViewFilter::default(), at(5, 0, 0)),
    ];
    let ranged = |since: DateTime<Utc>, until: DateTime<Utc>| ViewFilter {
        since: Some(since),
        until: Some(until),
        ..ViewFilter::default()
    };
    out.push((ranged(at(20, 0, 0), at(34, 0, 0)), at(70, 0, 0)));
    out.push((ranged(at(10, 7, 500), at(40, 19, 100)), at(70, 0, 0)));
    out.push((ranged(at(50, 0, 0), at(50, 6, 0)), at(70, 0, 0)));
    out.push((
        ViewFilter {
            account_ids: vec![alcance_core::AccountId(ids[1]), alcance_core::AccountId(ids[4])],
            time_zone: Some("America/Sao_Paulo".into()),
            ..ViewFilter::default()
        },
        at(66, 2, 0),
    ));
    out.push((
        ViewFilter {
            platforms: vec![Platform::Instagram],
            ..ViewFilter::default()
        },
        at(60, 0, 0),
    ));
    out
}

async fn sql_aggregates_match_the_rust_reference(engine: Engine) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(ws) = workspace(engine, dir.path()).await else {
        return;
    };
    let ids = generate(&ws).await;
    let labels = ChartLabels::default();
    let mut compared = 0;
    for (filter, now) in filters(&ids) {
        let old = old_dashboard(&ws, &filter, &labels, now)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let new = dashboard(&ws, &filter, &labels, now)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(new.kpis, old.kpis, "KPIs for {filter:?} at {now}");
        assert_eq!(new.top_posts, old.top_posts, "top posts for {filter:?} at {now}");
        assert_eq!(new.best_time_slots, old.best_time_slots, "best slots for {filter:?}");
        assert_eq!(
            new.best_time_posts, old.best_time_posts,
            "best-time posts for {filter:?}"
        );
        assert_eq!(
            new.follower_points, old.follower_points,
            "follower points for {filter:?}"
        );
        assert_eq!(
            new.engagement_points, old.engagement_points,
            "trend points for {filter:?}"
        );
        assert_eq!(new, old, "the whole dashboard (SVGs included) for {filter:?} at {now}");
        let kpis = dashboard_kpis(&ws, &filter, now)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let old_kpis = old_dashboard_kpis(&ws, &filter, now)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kpis, old_kpis, "dashboard_kpis for {filter:?}");
        compared += 1;
    }
    assert_eq!(compared, 10);
    // Sanity: the data exercises the rules (gains, views, a heatmap, top posts).
    let full = dashboard(&ws, &ViewFilter::default(), &labels, start() + Duration::days(70))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(full.kpis.iter().all(|k| k.value.is_some()), "{:?}", full.kpis);
    assert_eq!(full.top_posts.len(), TOP_POSTS);
    assert!(full.best_time_posts > 10, "{}", full.best_time_posts);
    assert!(full.engagement_points > 20, "{}", full.engagement_points);

    // The posts table, whole and paged, against the reference.
    let post_filters = [
        ViewFilter::default(),
        ViewFilter {
            account_ids: vec![alcance_core::AccountId(ids[0])],
            until: Some(start() + Duration::days(30) + Duration::milliseconds(300)),
            ..ViewFilter::default()
        },
        ViewFilter {
            since: Some(start() + Duration::days(10)),
            until: Some(start() + Duration::days(50)),
            platforms: vec![Platform::X],
            ..ViewFilter::default()
        },
    ];
    for filter in post_filters {
        let old = old_posts(&ws, &filter).await.unwrap_or_else(|e| panic!("{e}"));
        let new = posts(&ws, &filter).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(!old.is_empty());
        assert_eq!(new, old, "posts for {filter:?}");
        for limit in [1, 7, 50] {
            let mut paged: Vec<PostView> = Vec::new();
            let mut after = None;
            loop {
                let page = posts_page(&ws, &filter, after, limit)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                assert!(page.len() <= limit);
                let Some(last) = page.last() else { break };
                after = Some(PostCursor {
                    published_at: last.published_at,
                    id: last.id.get(),
                });
                let done = page.len() < limit;
                paged.extend(page);
                if done {
                    break;
                }
            }
            assert_eq!(paged, old, "posts paged by {limit} for {filter:?}");
        }
    }
    assert!(old_posts(&ws, &ViewFilter::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .any(|p| p.published_at.is_none()));

    // The rollup the writes kept equals the one the migration's backfill builds from the
    // same snapshots.
    let kept = ws.store().gain_rollup_dump().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(kept.rollup.len() > 500, "{}", kept.rollup.len());
    assert!(
        kept.rows.iter().any(|(_, g)| g.is_some_and(|g| g < 0.0)),
        "values falling back"
    );
    ws.store().rebuild_post_gains().await.unwrap_or_else(|e| panic!("{e}"));
    let rebuilt = ws.store().gain_rollup_dump().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kept.rows, rebuilt.rows, "post_metrics.gain");
    assert_eq!(kept.rollup, rebuilt.rollup, "post_gain_hours");

    // Each post's latest values, kept by triggers through batches, re-read buckets and
    // out-of-order imports, equal the ones computed from the snapshots; and still after a
    // post's newest snapshots are deleted, after a post and a whole account are.
    let store = ws.store();
    let latest = || async {
        let (kept, computed) = store.post_latest_dump().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kept, computed, "post_latest");
        kept
    };
    let before = latest().await;
    assert!(before.len() > 500, "{}", before.len());
    let pool = store.pool();
    // A post and metric with two finite snapshots or more, and its newest one's bucket.
    let (post, metric): (i64, String) = alcance_store::on_pool!(pool, |p| sqlx::query_as(
        "SELECT post_id, metric FROM post_metrics WHERE value BETWEEN -1e300 AND 1e300
         GROUP BY post_id, metric HAVING count(*) >= 2 ORDER BY post_id, metric LIMIT 1"
    )
    .fetch_one(p)
    .await
    .unwrap_or_else(|e| panic!("{e}")));
    let bucket = before
        .iter()
        .find(|(p, m, ..)| *p == post && *m == metric)
        .map(|(_, _, b, _, _)| b.clone())
        .unwrap_or_else(|| panic!("no latest row of {post}/{metric}"));
    alcance_store::on_pool!(pool, |p| sqlx::query(
        "DELETE FROM post_metrics WHERE post_id = $1 AND metric = $2 AND bucket = $3"
    )
    .bind(post)
    .bind(&metric)
    .bind(&bucket)
    .execute(p)
    .await
    .map(|r| r.rows_affected())
    .unwrap_or_else(|e| panic!("{e}")));
    let after = latest().await;
    assert!(
        after
            .iter()
            .any(|(p, m, b, _, _)| *p == post && *m == metric && *b < bucket),
        "the next newest row of {post}/{metric} took the deleted one's place"
    );
    let other = before[0].0;
    alcance_store::on_pool!(pool, |p| sqlx::query("DELETE FROM posts WHERE id = $1")
        .bind(other)
        .execute(p)
        .await
        .map(|r| r.rows_affected())
        .unwrap_or_else(|e| panic!("{e}")));
    assert!(!latest().await.iter().any(|(p, ..)| *p == other));
    store
        .delete_account_data(ids[1])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let left = latest().await;
    assert!(
        left.len() < after.len() && !left.is_empty(),
        "{} of {}",
        left.len(),
        after.len()
    );
    ws.close().await;
}

both_engines!(sql_aggregates_match_the_rust_reference);
