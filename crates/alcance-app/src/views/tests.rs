//! Tests of the screens' queries over a workspace with seeded rows.

use super::posts::truncate_caption;
use super::*;
use crate::testing::{both_engines, open_workspace, TestWorkspace};
use crate::workspace::{Workspace, WorkspaceOptions};
use alcance_core::analytics::best_time::Tz;
use alcance_core::{AccountMetric, AccountRef, CollectionBatch, ContentType, PostMetric, PostRecord};
use alcance_core::{Period, Platform};
use alcance_platforms::oauth::TokenSet;
use alcance_platforms::vault::TokenVault;
use alcance_platforms::vault::{vault_key, MemoryVault};
use alcance_platforms::Endpoints;
use alcance_report::series::engagement_trend;
use alcance_store::RowFilter;
use alcance_store::{on_pool, Engine};
use chrono::TimeZone;
use chrono::{DateTime, Duration, Utc};
use secrecy::ExposeSecret;
use secrecy::SecretString;
use std::collections::HashMap;
use std::path::Path;

/// The view error under `e`'s context layers, if it is one.
fn view_error(e: &crate::AppError) -> Option<&ViewError> {
    match e.root() {
        crate::AppError::View(v) => Some(v),
        _ => None,
    }
}

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, d, 12, 0, 0).single().unwrap_or_default()
}

/// A workspace in `dir` on `engine`; `None` when the engine is skipped.
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

/// Stores the owned X account `@acme` (id 42) and returns its `accounts.id`.
async fn acme(ws: &Workspace) -> i64 {
    let account = AccountRef {
        platform: Platform::X,
        external_id: "42".into(),
        username: Some("acme".into()),
        owned: true,
    };
    ws.store()
        .upsert_account(&account, Some("Acme"), Some(&vault_key(Platform::X, "42")))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

/// One X account: followers 1000 + 10·d on days 1..=20; post "p1" published on day 2
/// with likes 5·(d−1) and impressions 100·(d−1) from day 2 on; post "p2" published on
/// day 12 with likes 2·(d−11) and impressions 50·(d−11).
async fn seed(ws: &Workspace) -> i64 {
    let store = ws.store();
    let id = acme(ws).await;
    for d in 1..=20u32 {
        let at = day(d);
        let run = store.start_run("manual", at).await.unwrap_or_else(|e| panic!("{e}"));
        let mut batch = CollectionBatch {
            account_metrics: vec![AccountMetric {
                metric: "followers".into(),
                period: Period::Snapshot,
                period_start: at,
                period_end: at,
                value: Some(1000.0 + 10.0 * f64::from(d)),
            }],
            ..CollectionBatch::default()
        };
        for (post, published, likes, imps) in [("p1", 2u32, 5.0, 100.0), ("p2", 12, 2.0, 50.0)] {
            if d < published {
                continue;
            }
            let age = f64::from(d - published + 1);
            batch.posts.push(PostRecord {
                external_id: post.into(),
                published_at: Some(day(published) - Duration::hours(1)),
                content_type: ContentType::Text,
                permalink: Some(format!("https://x.com/i/web/status/{post}")),
                caption: Some(format!("post {post}")),
            });
            batch.post_metrics.push(PostMetric {
                post_external_id: post.into(),
                metric: "likes".into(),
                value: Some(likes * age),
            });
            batch.post_metrics.push(PostMetric {
                post_external_id: post.into(),
                metric: "impressions".into(),
                value: Some(imps * age),
            });
        }
        store
            .save_batch(run, id, at, &batch, &[])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        store
            .finish_run(
                run,
                "ok",
                at + Duration::minutes(1),
                &alcance_store::RunCounts::default(),
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    id
}

fn midnight(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, d, 0, 0, 0).single().unwrap_or_default()
}

async fn dashboard_kpis_compare_the_period_with_the_previous_one(engine: Engine) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(ws) = workspace(engine, dir.path()).await else {
        return;
    };
    seed(&ws).await;
    // Period: days 11..=20 (10 days); previous: days 1..=10.
    let filter = ViewFilter {
        since: Some(midnight(11)),
        until: Some(midnight(21)),
        ..ViewFilter::default()
    };
    let view = dashboard(&ws, &filter, &ChartLabels::default(), day(25))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(view.period.previous_since, midnight(1));
    let kpi = |k: KpiKey| {
        view.kpis
            .iter()
            .find(|x| x.key == k)
            .cloned()
            .unwrap_or_else(|| panic!("{k:?}"))
    };
    // Followers at the end: day 20 → 1200; at the start (last before day 11): day 10 → 1100.
    let f = kpi(KpiKey::Followers);
    assert_eq!((f.value, f.previous), (Some(1200.0), Some(1100.0)));
    let change = f.change_percent.unwrap_or_default();
    assert!((change - 100.0 / 11.0).abs() < 1e-9, "{change}");
    // p1 likes: day 10 → 45, day 20 → 95: +50 in the period; p2 is fresh on day 12
    // (published an hour before) and reaches 2·9 = 18 on day 20: +18.
    // Previous period: p1 fresh on day 2, 45 by day 10.
    let i = kpi(KpiKey::Interactions);
    assert_eq!((i.value, i.previous), (Some(68.0), Some(45.0)));
    // Impressions: p1 +1000, p2 +450; previous: 900.
    let v = kpi(KpiKey::Views);
    assert_eq!((v.value, v.previous), (Some(1450.0), Some(900.0)));
    let r = kpi(KpiKey::EngagementRate);
    assert_eq!(r.unit, KpiUnit::Percent);
    assert!((r.value.unwrap_or_default() - 68.0 / 1450.0 * 100.0).abs() < 1e-9);
    let p = kpi(KpiKey::Posts);
    assert_eq!((p.value, p.previous), (Some(1.0), Some(1.0)));
    // The interactions KPI is the sum of the engagement trend's daily gains.
    let rows = ws
        .store()
        .post_metric_rows(&RowFilter::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let trend: f64 = engagement_trend(&rows, &HashMap::new())
        .iter()
        .flat_map(|s| s.points.iter())
        .filter(|(t, _)| *t >= midnight(11) && *t < midnight(21))
        .map(|(_, v)| v)
        .sum();
    assert_eq!(trend, 68.0);
    // Charts have data and carry the given titles; top posts are ranked by gain.
    assert_eq!(view.follower_points, 10);
    assert_eq!(view.engagement_points, 10);
    assert!(view.follower_growth_svg.starts_with("<svg"));
    assert!(view.follower_growth_svg.contains("Follower growth"));
    assert!(!view.engagement_trend_svg.contains("No data yet"));
    let top: Vec<(&str, Option<f64>)> = view
        .top_posts
        .iter()
        .map(|p| (p.post_id.as_str(), p.interactions_gained))
        .collect();
    assert_eq!(top, vec![("p1", Some(50.0)), ("p2", Some(18.0))]);
    assert_eq!(view.top_posts[0].likes, Some(95.0));
    // The KPIs alone (the API's route) are the dashboard's.
    let (period, kpis) = dashboard_kpis(&ws, &filter, day(25))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!((period, kpis), (view.period, view.kpis.clone()));
    ws.close().await;
}

async fn an_empty_workspace_has_empty_kpis_and_no_data_charts(engine: Engine) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(ws) = workspace(engine, dir.path()).await else {
        return;
    };
    let view = dashboard(&ws, &ViewFilter::default(), &ChartLabels::default(), day(25))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(view.period.until, day(25));
    assert_eq!(view.period.since, day(25) - Duration::days(DEFAULT_PERIOD_DAYS));
    for k in &view.kpis {
        if k.key == KpiKey::Posts {
            assert_eq!(k.value, Some(0.0));
        } else {
            assert_eq!(k.value, None, "{:?}", k.key);
        }
        assert_eq!(k.change_percent, None);
    }
    assert!(view.engagement_trend_svg.contains("No data yet"));
    assert_eq!(view.follower_points + view.engagement_points, 0);
    assert!(view.top_posts.is_empty());
    ws.close().await;
}

async fn bad_filters_are_view_errors(engine: Engine) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(ws) = workspace(engine, dir.path()).await else {
        return;
    };
    // Platforms are typed: an unknown key is refused where the filter is read (the IPC
    // payload), naming it.
    let bad = serde_json::from_str::<ViewFilter>(r#"{"platforms":["myspace"]}"#);
    assert!(
        bad.as_ref().err().is_some_and(|e| e.to_string().contains("myspace")),
        "{bad:?}"
    );
    let empty = ViewFilter {
        since: Some(day(5)),
        until: Some(day(5)),
        ..ViewFilter::default()
    };
    let e = export_range(&ws, &empty, dir.path()).await.err();
    assert!(matches!(
        e.as_ref().and_then(view_error),
        Some(ViewError::EmptyRange { .. })
    ));
    let e = run_events(&ws, RunId(999)).await.err();
    assert!(matches!(
        e.as_ref().and_then(view_error),
        Some(ViewError::RunNotFound(RunId(999)))
    ));
    ws.close().await;
}

async fn posts_runs_accounts_and_exports(engine: Engine) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(ws) = workspace(engine, dir.path()).await else {
        return;
    };
    let id = seed(&ws).await;

    let all = posts(&ws, &ViewFilter::default())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let ids: Vec<&str> = all.iter().map(|p| p.post_id.as_str()).collect();
    assert_eq!(ids, vec!["p2", "p1"], "newest first");
    let p1 = &all[1];
    assert_eq!(
        (p1.likes, p1.views, p1.interactions),
        (Some(95.0), Some(1900.0), Some(95.0))
    );
    assert!((p1.engagement_rate.unwrap_or_default() - 5.0).abs() < 1e-9);
    assert_eq!(p1.account_label, "@acme (X)");
    // Metrics as of an earlier `until`.
    let early = posts(
        &ws,
        &ViewFilter {
            until: Some(midnight(11)),
            ..ViewFilter::default()
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(early.len(), 1);
    assert_eq!(early[0].likes, Some(45.0));
    let none = posts(
        &ws,
        &ViewFilter {
            platforms: vec![Platform::Instagram],
            ..ViewFilter::default()
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(none.is_empty());

    let r = runs(&ws, 5).await.unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(r.len(), 5);
    assert_eq!(r[0].started_at, day(20));
    assert_eq!(r[0].duration_seconds, Some(60.0));
    let events = run_events(&ws, r[0].id).await.unwrap_or_else(|e| panic!("{e:#}"));
    assert!(events.iter().all(|e| !e.message.is_empty()));

    // Token health from a vault the test controls.
    let vault = MemoryVault::new();
    let at = |v: &[AccountView]| v.iter().find(|a| a.id == id).map(|a| (a.token, a.followers));
    let list = accounts(&ws, Some(&vault), day(25))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(at(&list), Some((TokenHealth::Missing, Some(1200.0))));
    let json = |expires: DateTime<Utc>, refresh: bool| {
        TokenSet {
            access_token: SecretString::from("secret-token".to_string()),
            refresh_token: refresh.then(|| SecretString::from("secret-refresh".to_string())),
            expires_at: Some(expires),
            scope: None,
            user_id: None,
            binding: None,
        }
        .to_vault_json()
    };
    let key = vault_key(Platform::X, "42");
    for (expires, refresh, want) in [
        (day(24), false, TokenHealth::Expired),
        (day(27), false, TokenHealth::ExpiresSoon),
        (day(24) + Duration::days(30), false, TokenHealth::Ok),
        (day(24), true, TokenHealth::Ok),
    ] {
        vault
            .put(&key, &json(expires, refresh))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(vault
            .get(&key)
            .ok()
            .flatten()
            .is_some_and(|s| s.expose_secret().contains("secret-token")));
        let list = accounts(&ws, Some(&vault), day(25))
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(at(&list).map(|a| a.0), Some(want), "{expires} refresh={refresh}");
        let text = serde_json::to_string(&list).unwrap_or_default();
        assert!(!text.contains("secret-"), "a token leaked into the view");
    }
    ws.store()
        .set_account_status(id, "needs_reauth")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let list = accounts(&ws, None, day(25)).await.unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(at(&list).map(|a| a.0), Some(TokenHealth::NeedsReauth));

    let out = dir.path().join("exports");
    let export = export_range(
        &ws,
        &ViewFilter {
            since: Some(midnight(11)),
            until: Some(midnight(21)),
            ..ViewFilter::default()
        },
        &out,
    )
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(export.folder.ends_with("alcance-2026-03-11_2026-03-21"));
    let formats: Vec<&str> = export.files.iter().map(|f| f.format.key()).collect();
    assert_eq!(formats, vec!["csv", "csv", "json", "xlsx"]);
    for f in &export.files {
        assert!(f.bytes > 0 && Path::new(&f.path).is_file(), "{f:?}");
    }
    let csv = std::fs::read_to_string(&export.files[0].path).unwrap_or_default();
    assert!(
        csv.contains("2026-03-15") && !csv.contains("2026-03-05"),
        "range applied:\n{csv}"
    );
    let xlsx = std::fs::read(&export.files[3].path).unwrap_or_default();
    assert_eq!(&xlsx[..2], b"PK", "an XLSX is a zip file");
    ws.close().await;
}

fn at(d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, d, h, min, 0).single().unwrap_or_default()
}

/// One X account with posts of known engagement rates (likes ÷ impressions × 100),
/// all collected on 2026-03-20 12:00 UTC:
/// - Tue 03-03 15:00 (10 %) and Tue 03-10 15:30 (20 %): slot Tue 15 h UTC, mean 15 %;
/// - Wed 03-04 09:00 (5 %) and Wed 03-11 09:10 (7 %): slot Wed 9 h UTC, mean 6 %;
/// - Thu 03-05 12:00 (50 %): alone in its slot, so no mean;
/// - two stories on Fridays 10:00 (90 %): left out;
/// - Tue 02-24 15:00 (99 %): before the period;
/// - Mon 03-02 08:00 with likes but no impressions: no rate.
async fn seed_best_time(ws: &Workspace) -> i64 {
    let store = ws.store();
    let id = acme(ws).await;
    let old = Utc.with_ymd_and_hms(2026, 2, 24, 15, 0, 0).single().unwrap_or_default();
    let posts = [
        ("a1", at(3, 15, 0), ContentType::Text, 10.0, Some(100.0)),
        ("a2", at(10, 15, 30), ContentType::Image, 20.0, Some(100.0)),
        ("b1", at(4, 9, 0), ContentType::Text, 5.0, Some(100.0)),
        ("b2", at(11, 9, 10), ContentType::Video, 7.0, Some(100.0)),
        ("c1", at(5, 12, 0), ContentType::Text, 50.0, Some(100.0)),
        ("s1", at(6, 10, 0), ContentType::Story, 90.0, Some(100.0)),
        ("s2", at(13, 10, 0), ContentType::Story, 90.0, Some(100.0)),
        ("old", old, ContentType::Text, 99.0, Some(100.0)),
        ("d1", at(2, 8, 0), ContentType::Text, 3.0, None),
    ];
    let mut batch = CollectionBatch::default();
    for (post, published, kind, likes, impressions) in posts {
        batch.posts.push(PostRecord {
            external_id: post.into(),
            published_at: Some(published),
            content_type: kind,
            permalink: None,
            caption: None,
        });
        batch.post_metrics.push(PostMetric {
            post_external_id: post.into(),
            metric: "likes".into(),
            value: Some(likes),
        });
        if let Some(v) = impressions {
            batch.post_metrics.push(PostMetric {
                post_external_id: post.into(),
                metric: "impressions".into(),
                value: Some(v),
            });
        }
    }
    let collected = at(20, 12, 0);
    let run = store
        .start_run("manual", collected)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .save_batch(run, id, collected, &batch, &[])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    id
}

fn march(time_zone: Option<&str>) -> ViewFilter {
    ViewFilter {
        since: Some(midnight(1)),
        until: Some(midnight(21)),
        time_zone: time_zone.map(str::to_string),
        ..ViewFilter::default()
    }
}

fn slots(view: &DashboardView) -> Vec<(u32, u32, f64, u32)> {
    view.best_time_slots
        .iter()
        .map(|s| (s.weekday, s.hour, (s.mean * 1e9).round() / 1e9, s.posts))
        .collect()
}

async fn the_best_time_heatmap_ranks_slots_by_mean_engagement_rate(engine: Engine) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(ws) = workspace(engine, dir.path()).await else {
        return;
    };
    seed_best_time(&ws).await;

    let view = dashboard(&ws, &march(None), &ChartLabels::default(), day(25))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(view.best_time_zone, "UTC");
    // Tuesday (1) 15 h: (10 + 20) / 2; Wednesday (2) 9 h: (5 + 7) / 2. Thursday's single
    // post has no mean; stories, the old post and the post without views do not count.
    assert_eq!(slots(&view), vec![(1, 15, 15.0, 2), (2, 9, 6.0, 2)]);
    assert_eq!(view.best_time_posts, 5);
    let svg = &view.best_time_svg;
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(svg.contains("Best time to post") && svg.contains("Hour (UTC)"));
    assert!(svg.contains("Mon") && svg.contains("Sun"));
    // 168 cells, two of them colored.
    assert_eq!(svg.matches("fill=\"#EEEEEE\"").count(), 166, "{svg}");

    // São Paulo is UTC−3 (no daylight saving since 2019): 15 h UTC is 12 h local.
    let local = dashboard(&ws, &march(Some("America/Sao_Paulo")), &ChartLabels::default(), day(25))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(local.best_time_zone, "America/Sao_Paulo");
    assert_eq!(slots(&local), vec![(1, 12, 15.0, 2), (2, 6, 6.0, 2)]);
    assert!(local.best_time_svg.contains("Hour (America/Sao_Paulo)"));
    // The rest of the dashboard does not depend on the zone.
    assert_eq!(local.kpis, view.kpis);

    // From the second week on, each slot holds one post (a2, b2; s2 is a story): no
    // slot qualifies, so the heatmap says "no data" though it counted two posts.
    let later = ViewFilter {
        since: Some(midnight(8)),
        ..march(None)
    };
    let late = dashboard(&ws, &later, &ChartLabels::default(), day(25))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(late.best_time_slots.is_empty());
    assert_eq!(late.best_time_posts, 2);
    assert!(late.best_time_svg.contains("No data yet"));
    assert!(!late.best_time_svg.contains("#EEEEEE"));

    let bad = march(Some("Mars/Olympus_Mons"));
    let e = dashboard(&ws, &bad, &ChartLabels::default(), day(25)).await.err();
    assert!(
        matches!(
            e.as_ref().and_then(view_error),
            Some(ViewError::UnknownTimeZone(z)) if z.0 == "Mars/Olympus_Mons"
        ),
        "{e:?}"
    );
    assert!(e.map(|e| e.message()).unwrap_or_default().contains("Mars/Olympus_Mons"));
    ws.close().await;
}

fn pt_br() -> ChartLabels {
    ChartLabels {
        follower_title: "Crescimento de seguidores".into(),
        follower_y: "Seguidores".into(),
        engagement_title: "Tendência de engajamento".into(),
        engagement_y: "Interações por dia".into(),
        date_axis: "Data (UTC)".into(),
        no_data: "Ainda sem dados".into(),
        best_time_title: "Melhor horário para postar".into(),
        hour_axis: "Hora".into(),
        weekdays: ["seg", "ter", "qua", "qui", "sex", "sáb", "dom"]
            .iter()
            .map(|d| (*d).to_string())
            .collect(),
    }
}

async fn charts_are_drawn_with_the_given_labels(engine: Engine) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(ws) = workspace(engine, dir.path()).await else {
        return;
    };
    // Empty workspace: every chart says the translated "no data".
    let empty = dashboard(&ws, &march(None), &pt_br(), day(25))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    for svg in [
        &empty.follower_growth_svg,
        &empty.engagement_trend_svg,
        &empty.best_time_svg,
    ] {
        assert!(svg.contains("Ainda sem dados") && !svg.contains("No data yet"), "{svg}");
    }
    assert_eq!(empty.best_time_posts, 0);

    seed(&ws).await;
    seed_best_time(&ws).await;
    let view = dashboard(&ws, &march(Some("America/Sao_Paulo")), &pt_br(), day(25))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(view.follower_growth_svg.contains("Data (UTC)"));
    assert!(!view.follower_growth_svg.contains("Date (UTC)"));
    let svg = &view.best_time_svg;
    assert!(svg.contains("Melhor horário para postar") && svg.contains("Hora (America/Sao_Paulo)"));
    for d in ["seg", "ter", "sáb", "dom"] {
        assert!(svg.contains(d), "{d} missing");
    }
    assert!(!svg.contains("Mon") && !svg.contains("Best time"));

    // A weekday list that is not 7 long falls back to the English names.
    let mut short = pt_br();
    short.weekdays = vec!["seg".into(), "ter".into()];
    let fallback = dashboard(&ws, &march(None), &short, day(25))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(fallback.best_time_svg.contains("Sun") && !fallback.best_time_svg.contains("seg"));
    ws.close().await;
}

#[test]
fn older_payloads_without_the_new_fields_still_deserialize() {
    let labels: ChartLabels = serde_json::from_str(
        r#"{"follower_title":"Seguidores","follower_y":"Seguidores","engagement_title":"Engajamento","engagement_y":"Interações"}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(labels.follower_title, "Seguidores");
    let english = ChartLabels::default();
    assert_eq!(
        (
            &labels.date_axis,
            &labels.no_data,
            &labels.best_time_title,
            &labels.hour_axis
        ),
        (
            &english.date_axis,
            &english.no_data,
            &english.best_time_title,
            &english.hour_axis
        )
    );
    assert_eq!(labels.date_axis, "Date (UTC)");
    assert_eq!(labels.weekdays.len(), 7);
    assert_eq!(labels.weekdays[0], "Mon");
    let round_trip: ChartLabels =
        serde_json::from_value(serde_json::to_value(pt_br()).unwrap_or_default()).unwrap_or_default();
    assert_eq!(round_trip, pt_br());

    let filter: ViewFilter = serde_json::from_str(r#"{"platforms":["x"],"account_ids":[],"since":null,"until":null}"#)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(filter.time_zone, None);
    assert_eq!(filter.zone().map(|z| z.name().to_string()).ok().as_deref(), Some("UTC"));
    let blank = ViewFilter {
        time_zone: Some("  ".into()),
        ..ViewFilter::default()
    };
    assert_eq!(blank.zone().ok(), Some(Tz::UTC));
}

async fn accounts_without_a_handle_are_labelled_by_their_name(engine: Engine) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(ws) = workspace(engine, dir.path()).await else {
        return;
    };
    let store = ws.store();
    for (external, name) in [("105", Some("Alcance Atendimento")), ("106", None), ("107", Some("  "))] {
        let account = AccountRef {
            platform: Platform::Whatsapp,
            external_id: external.into(),
            username: None,
            owned: true,
        };
        store
            .upsert_account(&account, name, None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let acme = acme(&ws).await;
    let list = accounts(&ws, None, day(1)).await.unwrap_or_else(|e| panic!("{e:#}"));
    let label = |external: &str| {
        list.iter()
            .find(|a| a.external_id == external)
            .map(|a| a.label.clone())
            .unwrap_or_default()
    };
    assert_eq!(label("105"), "Alcance Atendimento (WhatsApp)");
    assert_eq!(label("106"), "106 (WhatsApp)");
    assert_eq!(label("107"), "107 (WhatsApp)");
    let x = list.iter().find(|a| a.id == acme).map(|a| a.label.clone());
    assert_eq!(x.as_deref(), Some("@acme (X)"), "a handle wins over the display name");
}

async fn accounts_show_their_connection_and_schedule(engine: Engine) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(ws) = workspace(engine, dir.path()).await else {
        return;
    };
    let store = ws.store();
    let add = |platform: Platform, external: &str, owned: bool| AccountRef {
        platform,
        external_id: external.into(),
        username: Some(format!("{external}_user")),
        owned,
    };
    let mut ids = Vec::new();
    for (platform, external, owned) in [
        (Platform::X, "1", true),
        (Platform::Whatsapp, "2", true),
        (Platform::Instagram, "3", false),
        (Platform::Whatsapp, "4", false),
    ] {
        let id = store
            .upsert_account(&add(platform, external, owned), None, None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        ids.push(id);
    }
    let next = day(26);
    store
        .set_cadence(ids[0], "custom", 6 * 3600, next)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .record_schedule_result(ids[0], day(25), false, Some("http_500: server error"), next)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .set_cadence(ids[1], "weekly", 7 * 86_400, day(27))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .record_schedule_result(ids[1], day(25), true, None, day(27))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // An account without a schedules row gets the defaults.
    on_pool!(store.pool(), |p| sqlx::query(
        "DELETE FROM schedules WHERE account_id = $1"
    )
    .bind(ids[2])
    .execute(p)
    .await
    .map(|r| r.rows_affected()))
    .unwrap_or_else(|e| panic!("{e}"));

    let list = accounts(&ws, None, day(25)).await.unwrap_or_else(|e| panic!("{e:#}"));
    let get = |id: i64| {
        list.iter()
            .find(|a| a.id == id)
            .cloned()
            .unwrap_or_else(|| panic!("account {id} missing"))
    };
    let x = get(ids[0]);
    assert_eq!(
        (
            x.connection.as_str(),
            x.cadence.as_str(),
            x.cadence_seconds,
            x.next_run_at
        ),
        ("oauth", "custom", 21_600, Some(next))
    );
    assert_eq!(x.last_error.as_deref(), Some("http_500: server error"));
    let wa = get(ids[1]);
    assert_eq!(
        (
            wa.connection.as_str(),
            wa.cadence.as_str(),
            wa.cadence_seconds,
            wa.next_run_at
        ),
        ("token", "weekly", 604_800, Some(day(27)))
    );
    assert_eq!(wa.last_error, None);
    let tracked = get(ids[2]);
    assert_eq!(
        (
            tracked.connection.as_str(),
            tracked.cadence.as_str(),
            tracked.cadence_seconds
        ),
        ("tracked", "daily", 86_400)
    );
    assert_eq!((tracked.next_run_at, tracked.last_error), (None, None));
    let tracked_wa = get(ids[3]);
    assert_eq!(tracked_wa.connection, "tracked");
    assert_eq!(tracked_wa.cadence, "daily");
    assert!(
        tracked_wa.next_run_at.is_some(),
        "inserted accounts get a default schedule"
    );
    ws.close().await;
}

#[test]
fn captions_are_cut_at_a_character_boundary() {
    let long = "é".repeat(CAPTION_MAX_CHARS + 5);
    let cut = truncate_caption(&long);
    assert_eq!(cut.chars().count(), CAPTION_MAX_CHARS);
    assert!(cut.ends_with('…'));
    assert_eq!(truncate_caption("short"), "short");
}

/// One account's values over inclusive UTC days: both end days are in, the day after is
/// not; an unknown account or another platform is `not_found`, reversed days
/// `invalid_input`.
async fn account_metrics_cover_whole_days_at_both_ends(engine: Engine) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(ws) = workspace(engine, dir.path()).await else {
        return;
    };
    let id = seed(&ws).await;
    let date = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 3, d);
    let query = |start: Option<chrono::NaiveDate>, end: Option<chrono::NaiveDate>| MetricsQuery {
        account_id: alcance_core::AccountId(id),
        platform: Some(Platform::X),
        start_date: start,
        end_date: end,
    };
    let got = account_metrics(&ws, &query(date(5), date(7)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let followers: Vec<(DateTime<Utc>, Option<f64>)> = got
        .iter()
        .filter(|m| m.metric_type == "followers")
        .map(|m| (m.period_start, m.value))
        .collect();
    assert_eq!(
        followers,
        vec![(day(5), Some(1050.0)), (day(6), Some(1060.0)), (day(7), Some(1070.0))]
    );
    assert!(got
        .iter()
        .all(|m| m.period == Period::Snapshot && m.period_end == m.period_start));
    let one_day = account_metrics(&ws, &query(date(20), date(20)))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(one_day.len(), 1);
    let all = account_metrics(&ws, &query(None, None))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all.len(), 20);

    let code = |r: crate::error::Result<Vec<MetricValueView>>| r.err().map(|e| e.code());
    assert_eq!(
        code(account_metrics(&ws, &query(date(7), date(5))).await),
        Some(crate::ErrorCode::InvalidInput)
    );
    let elsewhere = MetricsQuery {
        platform: Some(Platform::Instagram),
        ..query(None, None)
    };
    assert_eq!(
        code(account_metrics(&ws, &elsewhere).await),
        Some(crate::ErrorCode::NotFound)
    );
    let unknown = MetricsQuery {
        account_id: alcance_core::AccountId(id + 1000),
        ..query(None, None)
    };
    assert_eq!(
        code(account_metrics(&ws, &unknown).await),
        Some(crate::ErrorCode::NotFound)
    );
    ws.close().await;
}

/// Hashtags come from the whole stored caption (not the posts table's cut one), with the
/// posts' latest metrics before `until`; the filter's accounts and days apply.
async fn hashtags_sum_the_latest_metrics_of_the_posts_that_carry_them(engine: Engine) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let Some(ws) = workspace(engine, dir.path()).await else {
        return;
    };
    let store = ws.store();
    let id = acme(&ws).await;
    let long = format!("{} #Verão", "texto ".repeat(80));
    for (d, scale) in [(10u32, 1.0), (11, 2.0)] {
        let run = store
            .start_run("manual", day(d))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let mut batch = CollectionBatch::default();
        for (post, caption, published, likes, imps) in [
            ("a", "Sol! #Verão #praia", 3u32, 10.0, 200.0),
            ("b", long.as_str(), 5, 4.0, 100.0),
            ("c", "#PRAIA de novo @amiga", 9, 6.0, 0.0),
            ("d", "sem tags", 9, 50.0, 500.0),
        ] {
            batch.posts.push(PostRecord {
                external_id: post.into(),
                published_at: Some(day(published)),
                content_type: ContentType::Text,
                permalink: None,
                caption: Some(caption.to_string()),
            });
            for (metric, v) in [("likes", likes), ("impressions", imps)] {
                batch.post_metrics.push(PostMetric {
                    post_external_id: post.into(),
                    metric: metric.into(),
                    value: Some(v * scale),
                });
            }
        }
        store
            .save_batch(run, id, day(d), &batch, &[])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let tags = hashtags(&ws, &ViewFilter::default())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let names: Vec<&str> = tags.iter().map(|h| h.hashtag.as_str()).collect();
    // The latest snapshot (×2): #verão 20 + 8 = 28 likes, #praia 20 + 12 = 32.
    assert_eq!(names, ["#praia", "#verão"]);
    let (praia, verao) = (&tags[0], &tags[1]);
    assert_eq!((praia.posts, praia.accounts, praia.interactions), (2, 1, Some(32.0)));
    assert_eq!(
        (verao.posts, verao.interactions, verao.views),
        (2, Some(28.0), Some(600.0))
    );
    // #praia: 32 / (400 + 0) × 100; post c's 0 impressions add nothing to the base.
    assert_eq!(praia.engagement_rate, Some(8.0));
    assert_eq!(praia.reach, None, "no post had reach: unknown, not 0");
    // Before the second snapshot: the first one's values.
    let early = ViewFilter {
        until: Some(midnight(11)),
        ..ViewFilter::default()
    };
    let tags = hashtags(&ws, &early).await.unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(
        tags.iter().find(|h| h.hashtag == "#verão").and_then(|h| h.interactions),
        Some(14.0)
    );
    // Only posts published in the period: day 9 on leaves c (and d, which has none).
    let late = ViewFilter {
        since: Some(midnight(9)),
        ..ViewFilter::default()
    };
    let tags = hashtags(&ws, &late).await.unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(
        tags.iter().map(|h| (h.hashtag.as_str(), h.posts)).collect::<Vec<_>>(),
        [("#praia", 1)]
    );
    ws.close().await;
}

both_engines!(
    hashtags_sum_the_latest_metrics_of_the_posts_that_carry_them,
    dashboard_kpis_compare_the_period_with_the_previous_one,
    an_empty_workspace_has_empty_kpis_and_no_data_charts,
    bad_filters_are_view_errors,
    posts_runs_accounts_and_exports,
    the_best_time_heatmap_ranks_slots_by_mean_engagement_rate,
    charts_are_drawn_with_the_given_labels,
    accounts_without_a_handle_are_labelled_by_their_name,
    accounts_show_their_connection_and_schedule,
    account_metrics_cover_whole_days_at_both_ends,
);
