//! Tests of the account comparison: exact figures from seeded rows, on both engines.

use super::*;
use crate::error::Result;
use crate::testing::{both_engines, open_workspace, TestWorkspace};
use crate::workspace::{Workspace, WorkspaceOptions};
use alcance_core::{
    AccountId, AccountMetric, AccountRef, CollectionBatch, ContentType, Period, Platform, PostMetric, PostRecord,
};
use alcance_platforms::vault::{vault_key, MemoryVault};
use alcance_platforms::Endpoints;
use alcance_report::export::ExportFormat;
use alcance_store::Engine;
use chrono::{DateTime, TimeZone, Utc};
use std::path::Path;

fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, d, h, m, 0).single().unwrap_or_default()
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

/// A post of the seed: id, type, publication time, likes and views (or impressions) per
/// day of age (lifetime totals grow by these each day from the day it is published).
struct Seeded {
    id: &'static str,
    kind: ContentType,
    published: DateTime<Utc>,
    likes: f64,
    views: f64,
}

/// Stores an account and collects it daily at 23:00 UTC on March 1–20, 2026: followers
/// `followers(d)`, each post's lifetime totals `likes·age` and `views·age` (age = days
/// since publication + 1), under `views_metric`. Returns `accounts.id`.
async fn seed_account(
    ws: &Workspace,
    platform: Platform,
    username: &str,
    followers: impl Fn(u32) -> f64,
    posts: &[Seeded],
    views_metric: &str,
) -> AccountId {
    let store = ws.store();
    let external = format!("{username}-id");
    let account = AccountRef {
        platform,
        external_id: external.clone(),
        username: Some(username.into()),
        owned: true,
    };
    let id = AccountId(
        store
            .upsert_account(&account, Some(username), Some(&vault_key(platform, &external)))
            .await
            .unwrap_or_else(|e| panic!("{e}")),
    );
    for d in 1..=20u32 {
        let when = at(d, 23, 0);
        let run = store.start_run("manual", when).await.unwrap_or_else(|e| panic!("{e}"));
        let mut batch = CollectionBatch {
            account_metrics: vec![AccountMetric {
                metric: "followers".into(),
                period: Period::Snapshot,
                period_start: when,
                period_end: when,
                value: Some(followers(d)),
            }],
            ..CollectionBatch::default()
        };
        for p in posts {
            if p.published > when {
                continue;
            }
            let age = ((when.date_naive() - p.published.date_naive()).num_days() + 1) as f64;
            batch.posts.push(PostRecord {
                external_id: p.id.into(),
                published_at: Some(p.published),
                content_type: p.kind.clone(),
                permalink: None,
                caption: None,
            });
            for (metric, per_day) in [("likes", p.likes), (views_metric, p.views)] {
                batch.post_metrics.push(PostMetric {
                    post_external_id: p.id.into(),
                    metric: metric.into(),
                    value: Some(per_day * age),
                });
            }
        }
        store
            .save_batch(run, id.get(), when, &batch, &[])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        store
            .finish_run(run, "ok", when, &alcance_store::RunCounts::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    id
}

/// Ana (X): followers 1000 + 10·d; videos published Thursday March 12 18:30 and Thursday
/// March 19 18:10 UTC (likes 10/100 impressions a day), an image on March 15 09:00 (likes
/// 4/100 impressions a day). Bia (Instagram): followers 500 until day 10, then +5 a day;
/// an image on March 5 (1 like / 10 views a day), a reel on March 11 10:00 (3 likes / 60
/// views a day). Cai (Bluesky): an account with no data.
async fn seed(ws: &Workspace) -> (AccountId, AccountId, AccountId) {
    let ana = seed_account(
        ws,
        Platform::X,
        "ana",
        |d| 1000.0 + 10.0 * f64::from(d),
        &[
            Seeded {
                id: "a1",
                kind: ContentType::Video,
                published: at(12, 18, 30),
                likes: 10.0,
                views: 100.0,
            },
            Seeded {
                id: "a2",
                kind: ContentType::Video,
                published: at(19, 18, 10),
                likes: 10.0,
                views: 100.0,
            },
            Seeded {
                id: "a3",
                kind: ContentType::Image,
                published: at(15, 9, 0),
                likes: 4.0,
                views: 100.0,
            },
        ],
        "impressions",
    )
    .await;
    let bia = seed_account(
        ws,
        Platform::Instagram,
        "bia",
        |d| {
            if d <= 10 {
                500.0
            } else {
                500.0 + 5.0 * f64::from(d - 10)
            }
        },
        &[
            Seeded {
                id: "b0",
                kind: ContentType::Image,
                published: at(5, 10, 0),
                likes: 1.0,
                views: 10.0,
            },
            Seeded {
                id: "b1",
                kind: ContentType::Reel,
                published: at(11, 10, 0),
                likes: 3.0,
                views: 60.0,
            },
        ],
        "views",
    )
    .await;
    let cai = ws
        .store()
        .upsert_account(
            &AccountRef {
                platform: Platform::Bluesky,
                external_id: "did:plc:cai".into(),
                username: Some("cai.bsky.social".into()),
                owned: false,
            },
            None,
            None,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (ana, bia, AccountId(cai))
}

fn request(ids: &[AccountId]) -> CompareRequest {
    CompareRequest {
        account_ids: ids.to_vec(),
        since: Some(at(11, 0, 0)),
        until: Some(at(21, 0, 0)),
        time_zone: Some("America/Sao_Paulo".into()),
    }
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

async fn the_comparison_has_each_accounts_figures(engine: Engine) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(ws) = workspace(engine, dir.path()).await else {
        return;
    };
    let (ana, bia, cai) = seed(&ws).await;
    let view = compare(&ws, &request(&[ana, bia, cai]), &ChartLabels::default(), at(25, 0, 0))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let c = &view.comparison;
    assert_eq!((c.since, c.until), (at(11, 0, 0), at(21, 0, 0)));
    assert_eq!(c.time_zone, "America/Sao_Paulo");
    let ids: Vec<AccountId> = c.accounts.iter().map(|a| a.account_id).collect();
    assert_eq!(ids, vec![ana, bia, cai], "the order asked");

    // Ana: followers 1200 at day 20, 1100 at day 10 (the last before the window).
    let a = &c.accounts[0];
    assert_eq!(a.label, "@ana (X)");
    assert_eq!(a.platform, Platform::X);
    assert_eq!(
        (a.followers, a.followers_start, a.follower_growth),
        (Some(1200.0), Some(1100.0), Some(100.0))
    );
    assert!(
        close(a.follower_growth_percent, 100.0 / 11.0),
        "{:?}",
        a.follower_growth_percent
    );
    // a1: 9 days old on day 20 → 90 likes / 900; a2: 2 days → 20 / 200; a3: 6 days → 24 / 600.
    assert_eq!((a.interactions, a.views), (Some(134.0), Some(1700.0)));
    assert!(
        close(a.engagement_rate, 134.0 / 1700.0 * 100.0),
        "{:?}",
        a.engagement_rate
    );
    assert_eq!(a.posts, 3);
    assert!((a.posts_per_week - 2.1).abs() < 1e-9, "{}", a.posts_per_week);
    // The two videos, both 10 %, Thursdays 18:xx UTC = 15:xx in São Paulo (UTC−3).
    assert_eq!(
        a.best_slot,
        Some(CompareSlot {
            weekday: 3,
            hour: 15,
            mean: 10.0,
            posts: 2
        })
    );
    let mix: Vec<(&str, u32)> = a
        .content_mix
        .iter()
        .map(|m| (m.content_type.as_str(), m.posts))
        .collect();
    assert_eq!(mix, vec![("video", 2), ("image", 1)]);
    assert!((a.content_mix[0].share - 200.0 / 3.0).abs() < 1e-9);
    assert_eq!(a.daily_followers.len(), 10);
    assert_eq!(
        a.daily_followers.first().map(|d| (d.day, d.value)),
        Some((at(11, 0, 0).date_naive(), 1110.0))
    );
    assert_eq!(a.daily_followers.last().map(|d| d.value), Some(1200.0));

    // Bia: 500 → 550; b1 fresh: 30 likes / 600 views; b0 (before the window): 6 → 16
    // likes, 60 → 160 views.
    let b = &c.accounts[1];
    assert_eq!((b.followers, b.follower_growth), (Some(550.0), Some(50.0)));
    assert!(close(b.follower_growth_percent, 10.0));
    assert_eq!((b.interactions, b.views), (Some(40.0), Some(700.0)));
    assert!(close(b.engagement_rate, 40.0 / 700.0 * 100.0));
    assert_eq!(b.posts, 1, "b0 was published before the window");
    assert!((b.posts_per_week - 0.7).abs() < 1e-9);
    assert_eq!(b.best_slot, None, "one post: no slot has the 2 it needs");
    assert_eq!(b.content_mix.len(), 1);
    assert_eq!(
        (b.content_mix[0].content_type.as_str(), b.content_mix[0].share),
        ("reel", 100.0)
    );

    // Cai: no data is None, never 0.
    let n = &c.accounts[2];
    assert_eq!((n.followers, n.follower_growth, n.engagement_rate), (None, None, None));
    assert_eq!((n.posts, n.posts_per_week, n.best_slot), (0, 0.0, None));
    assert!(n.content_mix.is_empty() && n.daily_followers.is_empty());

    // The chart: one line per account with data, 10 days each.
    assert_eq!(view.chart_points, 20);
    assert!(view.chart_svg.starts_with("<svg") && view.chart_svg.contains("Follower growth"));

    // Ana's figures are the dashboard's tiles filtered to her.
    let (_, kpis) = dashboard_kpis(
        &ws,
        &ViewFilter {
            account_ids: vec![ana],
            since: Some(at(11, 0, 0)),
            until: Some(at(21, 0, 0)),
            ..ViewFilter::default()
        },
        at(25, 0, 0),
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    let tile = |k: KpiKey| kpis.iter().find(|x| x.key == k).and_then(|x| x.value);
    assert_eq!(tile(KpiKey::EngagementRate), a.engagement_rate);
    assert_eq!(tile(KpiKey::Posts), Some(3.0));

    // Its files.
    let (_, csv) = compare_file(
        &ws,
        &request(&[ana, bia]),
        &ChartLabels::default(),
        ExportFormat::Csv,
        at(25, 0, 0),
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    let text = String::from_utf8(csv).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[1].contains(",@ana (X),") && lines[1].contains("Thu 15:00 (America/Sao_Paulo)"),
        "{text}"
    );
    assert!(lines[2].contains(",reel 100.0%"), "{text}");
    let (view2, xlsx) = compare_file(
        &ws,
        &request(&[ana, bia]),
        &ChartLabels::default(),
        ExportFormat::Xlsx,
        at(25, 0, 0),
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(xlsx.starts_with(b"PK"));
    assert_eq!(
        compare_file_name(&view2.comparison, ExportFormat::Xlsx),
        "compare-2026-03-11-2026-03-20.xlsx"
    );
    let png = compare_chart_png(&ws, &request(&[ana, bia]), &ChartLabels::default(), at(25, 0, 0))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(png.starts_with(b"\x89PNG"));
    ws.close().await;
}

async fn bad_comparisons_are_typed_errors(engine: Engine) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(ws) = workspace(engine, dir.path()).await else {
        return;
    };
    let (ana, bia, _) = seed(&ws).await;
    let labels = ChartLabels::default();
    let now = at(25, 0, 0);
    let err = |r: Result<CompareView>| match r {
        Ok(_) => panic!("accepted"),
        Err(e) => e,
    };
    let view_error = |e: &crate::AppError| match e.root() {
        crate::AppError::View(v) => format!("{v:?}"),
        other => panic!("not a view error: {other}"),
    };
    let one = err(compare(&ws, &request(&[ana]), &labels, now).await);
    assert_eq!(view_error(&one), "CompareCount { given: 1 }");
    assert_eq!(one.code(), crate::ErrorCode::InvalidInput);
    let seven: Vec<AccountId> = (1..=7).map(AccountId).collect();
    assert_eq!(
        view_error(&err(compare(&ws, &request(&seven), &labels, now).await)),
        "CompareCount { given: 7 }"
    );
    assert!(view_error(&err(compare(&ws, &request(&[ana, ana]), &labels, now).await)).starts_with("RepeatedAccount"));
    let unknown = err(compare(&ws, &request(&[ana, AccountId(9999)]), &labels, now).await);
    assert!(view_error(&unknown).starts_with("AccountNotFound"));
    assert_eq!(unknown.code(), crate::ErrorCode::NotFound);
    let backwards = CompareRequest {
        since: Some(at(21, 0, 0)),
        until: Some(at(11, 0, 0)),
        ..request(&[ana, bia])
    };
    assert!(view_error(&err(compare(&ws, &backwards, &labels, now).await)).starts_with("EmptyRange"));
    let mars = CompareRequest {
        time_zone: Some("Mars/Olympus_Mons".into()),
        ..request(&[ana, bia])
    };
    assert!(view_error(&err(compare(&ws, &mars, &labels, now).await)).starts_with("UnknownTimeZone"));
    // The default window: the 30 days before now.
    let default = CompareRequest {
        since: None,
        until: None,
        ..request(&[ana, bia])
    };
    let view = compare(&ws, &default, &labels, now)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(
        view.comparison.until - view.comparison.since,
        chrono::Duration::days(30)
    );
    ws.close().await;
}

both_engines!(
    the_comparison_has_each_accounts_figures,
    bad_comparisons_are_typed_errors,
);
