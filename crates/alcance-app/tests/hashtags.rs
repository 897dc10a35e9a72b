//! Tracked hashtags against the seeded sandbox (issue 17 point 2), on both engines: the X
//! App bearer token is checked before it is kept (a wrong one and a user token refused),
//! tracked hashtags are collected once a UTC day (X daily volume, Instagram top and recent
//! media), the Instagram budget of 30 unique hashtags per 7 days is enforced before calling
//! (the 31st is refused, naming when a slot frees, and no call is made; old searches leave
//! the window), the sandbox itself refuses a 31st search with Meta's code 24 and X's counts
//! without the bearer with 401, and what happens becomes run events.

use alcance_app::demo::demo_app;
use alcance_app::hashtags::{self, X_APP_BEARER_KEY};
use alcance_app::testing::{both_engines, open_workspace, TestWorkspace};
use alcance_app::views::SharedVault;
use alcance_app::{AppError, WorkspaceOptions};
use alcance_collector::RunKind;
use alcance_core::{HashtagEdge, Platform, VolumeGranularity};
use alcance_platforms::instagram::{is_hashtag_limit, GraphHost, InstagramClient};
use alcance_platforms::oauth::HeadlessBrowser;
use alcance_platforms::vault::{MemoryVault, TokenVault};
use alcance_platforms::x::XClient;
use alcance_platforms::{Endpoints, Http, PlatformError, Recorder};
use alcance_sandbox::hashtags::X_APP_BEARER;
use alcance_sandbox::{Sandbox, SandboxConfig};
use alcance_store::Engine;
use chrono::{Duration, DurationRound, Utc};
use secrecy::SecretString;
use std::sync::Arc;

const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

async fn tracked_hashtags_are_collected_within_the_instagram_budget(engine: Engine) {
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
    let x_account = ws
        .connect(&demo_app(Platform::X), &HeadlessBrowser::new(), TIMEOUT)
        .await
        .expect("connect X");
    let ig_account = ws
        .connect(&demo_app(Platform::Instagram), &HeadlessBrowser::new(), TIMEOUT)
        .await
        .expect("connect Instagram");

    // The bearer token: a wrong one and the X account's user token are refused, not kept.
    let wrong = hashtags::set_x_bearer(&ws, SecretString::from("not-a-bearer".to_string())).await;
    assert!(matches!(wrong, Err(AppError::InvalidInput(_))), "{wrong:?}");
    let user_token = ws.target(&x_account).token.expect("X user token");
    let user = hashtags::set_x_bearer(&ws, user_token.clone()).await;
    assert!(
        matches!(&user, Err(AppError::InvalidInput(m)) if m.contains("app-only")),
        "{user:?}"
    );
    assert!(vault.get(X_APP_BEARER_KEY).unwrap().is_none());
    hashtags::set_x_bearer(&ws, SecretString::from(format!(" {X_APP_BEARER} ")))
        .await
        .expect("the sandbox's app bearer");
    assert!(vault.get(X_APP_BEARER_KEY).unwrap().is_some());

    // Tracking takes hashtags, by key; anything else is refused.
    // Whole seconds: the store keeps UTC times to the second.
    let now = Utc::now().duration_trunc(Duration::seconds(1)).unwrap();
    let sp = hashtags::track(&ws, "#São_Paulo", now).await.unwrap();
    assert_eq!((sp.tag.as_str(), sp.display.as_str()), ("#são_paulo", "#São_Paulo"));
    hashtags::track(&ws, "verão", now).await.unwrap();
    for bad in ["#2026", "@marca", "#a b", "🔥"] {
        let refused = hashtags::track(&ws, bad, now).await;
        assert!(matches!(refused, Err(AppError::InvalidInput(_))), "{bad}: {refused:?}");
    }

    // The first collection of the day reads X volume and Instagram media for both.
    let run = ws.store().start_run(RunKind::Manual, now).await.unwrap();
    hashtags::after_collection(&ws, run, now).await;
    let events = ws.store().run_events(run).await.unwrap();
    let done = events
        .iter()
        .find(|e| e.code == "hashtag_collected")
        .expect("summary event");
    assert!(
        done.message
            .contains("2 due, X volume saved for 2, Instagram media for 2"),
        "{}",
        done.message
    );
    let list = hashtags::tracked(&ws, false, now).await.unwrap();
    assert!(list.x_bearer_set);
    for t in &list.hashtags {
        assert!((6..=7).contains(&t.x_daily.len()), "{}: {:?}", t.tag, t.x_daily);
        assert!(
            t.x_daily.iter().all(|p| p.start.timestamp() % 86_400 == 0),
            "whole UTC days only"
        );
        assert_eq!(t.x_posts_7d, Some(t.x_daily.iter().map(|p| p.count).sum()));
        assert!(t.x_posts_7d.unwrap() > 0);
        assert!(t.instagram_top >= 9, "{}: {}", t.tag, t.instagram_top);
        assert_eq!(t.collected_at, Some(now));
    }
    let budget = list.instagram_budget.expect("an Instagram account");
    assert_eq!((budget.limit, budget.used, budget.remaining), (30, 2, 28));
    let detail = hashtags::show(&ws, "são_paulo", &Default::default(), now)
        .await
        .unwrap();
    assert!(detail.instagram_media.iter().any(|m| m.edge == HashtagEdge::Top));
    assert!(detail.instagram_media.iter().all(|m| m.permalink.is_some()));

    // The same UTC day: nothing is due, nothing called.
    let again = hashtags::collect_tracked(&ws, now + Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!((again.due, again.x_saved, again.instagram_saved), (0, 0, 0));

    // 28 more hashtags searched by this account yesterday fill the budget: a new tracked
    // hashtag is refused before any call, saying when a slot frees up; X volume still comes.
    let ig_id = ig_account.account.external_id.clone();
    let yesterday = now - Duration::days(1);
    for i in 0..28 {
        ws.store()
            .record_hashtag_search(&ig_id, &format!("#outra{i}"), yesterday + Duration::minutes(i))
            .await
            .unwrap();
    }
    hashtags::track(&ws, "#novo", now).await.unwrap();
    let tomorrow = now + Duration::days(1);
    let report = hashtags::collect_tracked(&ws, tomorrow).await.unwrap();
    assert_eq!(
        (report.due, report.x_saved, report.instagram_saved),
        (3, 3, 2),
        "{report:?}"
    );
    let refused = report
        .notes
        .iter()
        .find(|(_, code, _)| code == "hashtag_budget_spent")
        .expect("the 31st is refused");
    assert!(
        refused.2.contains("#novo") && refused.2.contains("frees up at"),
        "{}",
        refused.2
    );
    let novo = ws.store().tracked_hashtags(false).await.unwrap();
    let novo = novo.iter().find(|r| r.tag == "#novo").unwrap();
    assert_eq!(novo.ig_hashtag_id, None, "no search was made");
    // Seven days after yesterday the 28 have left the window (the 2 of today have not):
    // #novo gets a slot.
    let later = now + Duration::days(6) + Duration::hours(12);
    let view = hashtags::tracked(&ws, false, later)
        .await
        .unwrap()
        .instagram_budget
        .unwrap();
    assert_eq!(view.used, 2, "{view:?}");
    assert_eq!(view.next_free_at, Some(now + Duration::days(7)));
    let report = hashtags::collect_tracked(&ws, later).await.unwrap();
    assert_eq!(report.instagram_saved, 3, "{report:?}");
    let view = hashtags::tracked(&ws, false, later)
        .await
        .unwrap()
        .instagram_budget
        .unwrap();
    assert_eq!(view.used, 3, "{view:?}");

    // The sandbox's own answers: X counts need the App bearer (401 without, 403 with a
    // user token); Meta refuses a 31st unique hashtag with code 24.
    let x = XClient::new(Http::new().unwrap(), ws.endpoints().clone());
    let rec = Recorder::new();
    let none = x
        .post_counts_recent(&SecretString::from(String::new()), "#a", VolumeGranularity::Day, &rec)
        .await;
    assert!(matches!(none, Err(PlatformError::Unauthorized { .. })), "{none:?}");
    let as_user = x
        .post_counts_recent(&user_token, "#a", VolumeGranularity::Day, &rec)
        .await;
    assert!(matches!(as_user, Err(PlatformError::Forbidden { .. })), "{as_user:?}");
    let ig = InstagramClient::new(Http::new().unwrap(), ws.endpoints().clone(), GraphHost::InstagramLogin);
    let token = ws.target(&ig_account).token.expect("Instagram token");
    // The sandbox counted são_paulo, verão and novo: 27 more fill its 30.
    for i in 0..27 {
        ig.hashtag_id(&token, &ig_id, &format!("enche{i}"), &rec)
            .await
            .unwrap_or_else(|e| panic!("search {i}: {e}"));
    }
    // Searching a counted one again is free.
    ig.hashtag_id(&token, &ig_id, "verão", &rec)
        .await
        .expect("counted already");
    let over = ig.hashtag_id(&token, &ig_id, "trintaeum", &rec).await;
    assert!(over.as_ref().is_err_and(is_hashtag_limit), "{over:?}");
    ws.close().await;
}

both_engines!(tracked_hashtags_are_collected_within_the_instagram_budget);
