//! Competitors against the seeded sandbox (issue 17 point 1), on both engines: a tracked X
//! profile and a tracked Instagram profile join a competitor set whose cadence (6 h) their
//! schedules take while the own accounts keep theirs (daily), so a real collection plans
//! competitors and own accounts apart; share of voice on a term is collected once a UTC day
//! (X recent counts in total and `from:` each X account) and each account's share equals
//! the sandbox's own counts, checked by asking the sandbox directly; Instagram's share is
//! "not available" (no counts), never 0; the view puts own accounts first, the export and
//! the chart come out, the weekly report gains the section, and removing a competitor
//! keeps its account.

use alcance_app::competitors::{self, CompetitorRole, CompetitorsRequest};
use alcance_app::demo::demo_app;
use alcance_app::hashtags;
use alcance_app::runs::collect_accounts;
use alcance_app::scheduler::SchedulerConfig;
use alcance_app::testing::{both_engines, open_workspace, TestWorkspace};
use alcance_app::views::{ChartLabels, SharedVault};
use alcance_app::{AccountId, AppError, ExportFormat, WorkspaceOptions};
use alcance_collector::schedule::{Cadence, Jitter};
use alcance_collector::{RunControl, RunKind};
use alcance_core::{Platform, VolumeGranularity};
use alcance_platforms::oauth::HeadlessBrowser;
use alcance_platforms::vault::{MemoryVault, TokenVault};
use alcance_platforms::x::XClient;
use alcance_platforms::{Endpoints, Http, Recorder};
use alcance_sandbox::hashtags::X_APP_BEARER;
use alcance_sandbox::{Sandbox, SandboxConfig};
use alcance_store::Engine;
use chrono::{Duration, DurationRound, Utc};
use secrecy::SecretString;
use std::sync::Arc;

const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Σ of the whole-UTC-day buckets the sandbox answers for `query`, over `first..=last`.
async fn sandbox_days(base: &url::Url, query: &str, first: chrono::NaiveDate, last: chrono::NaiveDate) -> i64 {
    let x = XClient::new(Http::new().expect("http"), Endpoints::sandbox(base));
    let counts = x
        .post_counts_recent(
            &SecretString::from(X_APP_BEARER.to_string()),
            query,
            VolumeGranularity::Day,
            &Recorder::new(),
        )
        .await
        .expect("sandbox counts");
    counts
        .buckets
        .iter()
        .filter(|b| b.start.duration_trunc(Duration::days(1)).ok() == Some(b.start))
        .filter(|b| (first..=last).contains(&b.start.date_naive()))
        .map(|b| b.count as i64)
        .sum()
}

async fn competitors_on_their_cadence_with_share_of_voice(engine: Engine) {
    let sandbox = Sandbox::start(SandboxConfig::seeded(17)).await.expect("sandbox");
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = Arc::new(MemoryVault::new());
    let Some(ws): Option<TestWorkspace> = open_workspace(
        engine,
        dir.path(),
        WorkspaceOptions {
            endpoints: Endpoints::sandbox(&sandbox.base_url()),
            vault: Box::new(SharedVault(Arc::clone(&vault) as Arc<dyn TokenVault>)),
        },
    )
    .await
    else {
        return;
    };
    let own_x = ws
        .connect(&demo_app(Platform::X), &HeadlessBrowser::new(), TIMEOUT)
        .await
        .expect("connect X");
    let own_ig = ws
        .connect(&demo_app(Platform::Instagram), &HeadlessBrowser::new(), TIMEOUT)
        .await
        .expect("connect Instagram");
    let rival_x = ws
        .track_by_username(Platform::X, "ana_influencer", AccountId(own_x.id))
        .await
        .expect("track X");
    let rival_ig = ws
        .track_by_username(Platform::Instagram, "ana.influencer", AccountId(own_ig.id))
        .await
        .expect("track Instagram");
    let now = Utc::now().duration_trunc(Duration::seconds(1)).unwrap();

    // The set and its cadence: members take it, own accounts keep theirs.
    let set = competitors::set_cadence(&ws, Some("rivais"), Cadence::Custom { seconds: 6 * 3_600 }, now)
        .await
        .unwrap();
    assert_eq!((set.name.as_str(), set.members), ("rivais", 0));
    let added = competitors::add(&ws, AccountId(rival_x.id), Some("rivais"), now)
        .await
        .unwrap();
    assert_eq!(
        (added.set.as_str(), added.voice_available, added.owned),
        ("rivais", true, false)
    );
    competitors::add(&ws, AccountId(rival_ig.id), Some("rivais"), now)
        .await
        .unwrap();
    let missing = competitors::add(&ws, AccountId(9_999), None, now).await;
    assert!(matches!(missing, Err(AppError::NotFound(_))), "{missing:?}");
    let list = competitors::list(&ws).await.unwrap();
    assert_eq!(list.sets.len(), 1);
    assert_eq!(list.sets[0].members, 2);
    assert_eq!(list.sets[0].cadence, Cadence::Custom { seconds: 21_600 });
    for id in [rival_x.id, rival_ig.id] {
        let s = ws.store().schedule(id).await.unwrap();
        assert_eq!(s.every_seconds, 21_600, "competitor {id} takes the set's cadence");
    }
    for id in [own_x.id, own_ig.id] {
        assert_eq!(ws.store().schedule(id).await.unwrap().every_seconds, 86_400);
    }

    // Share of voice: terms are checked; the bearer token is the hashtags' one.
    for bad in ["  ", "#verão from:ana", "a\nb"] {
        let refused = competitors::add_voice_term(&ws, bad, now).await;
        assert!(
            matches!(refused, Err(AppError::InvalidInput(_))),
            "{bad:?}: {refused:?}"
        );
    }
    competitors::add_voice_term(&ws, " #verão ", now).await.unwrap();
    let without = competitors::collect_voice(&ws, now).await.unwrap();
    assert!(
        without.notes.iter().any(|n| n.1 == "voice_no_x_bearer"),
        "{:?}",
        without.notes
    );
    hashtags::set_x_bearer(&ws, SecretString::from(X_APP_BEARER.to_string()))
        .await
        .unwrap();

    // A real collection of every account: the run, then the share of voice after it, and
    // each account's next run on its own cadence.
    let accounts = ws.store().list_accounts().await.unwrap();
    let config = SchedulerConfig {
        jitter: Jitter::none(),
        backups: None,
        ..SchedulerConfig::default()
    };
    let summary = collect_accounts(
        &ws,
        &config,
        &accounts,
        RunKind::Manual,
        now,
        &RunControl::new(),
        &|_| {},
    )
    .await
    .expect("collect");
    let events = ws.store().run_events(summary.run_id).await.unwrap();
    let done = events
        .iter()
        .find(|e| e.code == "voice_collected")
        .expect("voice event");
    assert!(
        done.message
            .contains("1 term(s) due, 3 X count series saved for 2 X account(s)"),
        "{}",
        done.message
    );
    let next = |id: i64| {
        let ws = &ws;
        async move { ws.store().schedule(id).await.unwrap().next_run_at }
    };
    assert_eq!(next(rival_x.id).await, now + Duration::hours(6));
    assert_eq!(next(rival_ig.id).await, now + Duration::hours(6));
    assert_eq!(next(own_x.id).await, now + Duration::days(1));
    // (An owned Instagram account is collected at least every 6 h for its stories.)
    assert_eq!(next(own_ig.id).await, now + Duration::hours(6));

    // The view: own accounts first, then the competitors; shares as the sandbox counts.
    let labels = ChartLabels::default();
    let view = competitors::view(&ws, &CompetitorsRequest::default(), &labels, now)
        .await
        .unwrap();
    let order: Vec<(i64, CompetitorRole)> = view
        .report
        .figures
        .iter()
        .map(|f| (f.account_id.get(), f.role))
        .collect();
    assert_eq!(
        order,
        [
            (own_x.id, CompetitorRole::Own),
            (own_ig.id, CompetitorRole::Own),
            (rival_x.id, CompetitorRole::Competitor),
            (rival_ig.id, CompetitorRole::Competitor),
        ]
    );
    assert_eq!(view.terms, ["#verão"]);
    assert!(view.chart_svg.starts_with("<svg") || view.chart_svg.contains("<svg"));
    for (f, a) in view.report.figures.iter().zip(&view.report.comparison.accounts) {
        match (a.interactions, a.posts) {
            (Some(i), p) if p > 0 => {
                let mean = f.mean_engagement_per_post.expect("a mean");
                assert!((mean - i / f64::from(p)).abs() < 1e-9);
            }
            _ => assert_eq!(f.mean_engagement_per_post, None),
        }
    }
    let sov = view.report.share_of_voice.as_ref().expect("share of voice");
    assert_eq!(sov.term, "#verão");
    assert_eq!((sov.last_day - sov.first_day).num_days(), 6);
    let base = sandbox.base_url();
    let total = sandbox_days(&base, "#verão", sov.first_day, sov.last_day).await;
    assert!(total > 0);
    assert_eq!(sov.total_posts, Some(total));
    for v in &sov.accounts {
        if v.platform == Platform::X {
            let handle = if v.account_id.get() == own_x.id {
                own_x.account.username.clone().unwrap()
            } else {
                "ana_influencer".to_string()
            };
            let mine = sandbox_days(&base, &format!("#verão from:{handle}"), sov.first_day, sov.last_day).await;
            assert!(v.available);
            assert_eq!(v.posts, Some(mine), "{}", v.label);
            let share = v.share.expect("a share");
            assert!((share - mine as f64 / total as f64).abs() < 1e-12);
            assert!((0.0..=1.0).contains(&share));
            assert!(mine < total);
        } else {
            assert!(!v.available, "{}", v.label);
            assert_eq!((v.posts, v.share), (None, None), "not available is not 0");
        }
    }

    // The same UTC day: nothing due.
    let again = competitors::collect_voice(&ws, now + Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!((again.due, again.saved), (0, 0));

    // Exports and the chart.
    let (_, csv) = competitors::export(&ws, &CompetitorsRequest::default(), &labels, ExportFormat::Csv, now)
        .await
        .unwrap();
    let text = String::from_utf8(csv).unwrap();
    assert_eq!(text.lines().count(), 5, "{text}");
    assert!(text.lines().next().unwrap().ends_with("share_of_voice_ratio"));
    assert!(text.contains(",competitor,rivais,"), "{text}");
    let (_, xlsx) = competitors::export(&ws, &CompetitorsRequest::default(), &labels, ExportFormat::Xlsx, now)
        .await
        .unwrap();
    assert_eq!(&xlsx[..2], b"PK");
    let png = competitors::chart_png(&ws, &CompetitorsRequest::default(), &labels, now)
        .await
        .unwrap();
    assert_eq!(&png[1..4], b"PNG");
    let unknown = competitors::view(
        &ws,
        &CompetitorsRequest {
            set: Some("nope".into()),
            ..CompetitorsRequest::default()
        },
        &labels,
        now,
    )
    .await;
    assert!(matches!(unknown, Err(AppError::NotFound(_))), "{unknown:?}");

    // The weekly report's section: present with competitors.
    let week = alcance_report::weekly::week_of(now.date_naive());
    let section = competitors::weekly_section(&ws, week, alcance_core::analytics::best_time::Tz::UTC, now)
        .await
        .unwrap()
        .expect("a section");
    assert_eq!(section.comparison.accounts.len(), 4);

    // Removing keeps the account; without competitors there is no section.
    assert!(competitors::remove(&ws, AccountId(rival_x.id)).await.unwrap());
    assert!(competitors::remove(&ws, AccountId(rival_ig.id)).await.unwrap());
    assert!(!competitors::remove(&ws, AccountId(rival_ig.id)).await.unwrap());
    assert_eq!(ws.store().list_accounts().await.unwrap().len(), 4);
    assert!(
        competitors::weekly_section(&ws, week, alcance_core::analytics::best_time::Tz::UTC, now)
            .await
            .unwrap()
            .is_none()
    );
}

both_engines!(competitors_on_their_cadence_with_share_of_voice);
