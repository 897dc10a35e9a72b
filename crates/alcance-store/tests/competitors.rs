//! Competitor sets and share of voice (schema version 19), on both engines: a set is made
//! once and takes a new cadence; an account is in one set and moves; removing a set or a
//! competitor keeps the account; voice days overwrite their count, totals and per-account
//! counts are read apart; a negative count writes nothing; deleting an account drops its
//! competitor row and counts.

use crate::common::{account, at};
use alcance_core::{CadenceKind, Platform};
use alcance_store::{both_engines, testing, Engine, StoreError};
use chrono::Duration;

async fn sets_competitors_and_voice(engine: Engine) {
    let Some(store) = testing::store(engine).await else {
        return;
    };
    let t0 = at(9, 0, 0);
    let a = store
        .upsert_account(&account(Platform::X, "111", "rival_a"), None, None)
        .await
        .unwrap();
    let b = store
        .upsert_account(&account(Platform::Instagram, "222", "rival_b"), None, None)
        .await
        .unwrap();
    assert!(matches!(
        store.upsert_competitor_set("  ", CadenceKind::Daily, 86_400, t0).await,
        Err(StoreError::Invalid { .. })
    ));
    assert!(matches!(
        store.upsert_competitor_set("rivals", CadenceKind::Custom, 59, t0).await,
        Err(StoreError::Invalid { .. })
    ));
    let set = store
        .upsert_competitor_set(" rivals ", CadenceKind::Daily, 86_400, t0)
        .await
        .unwrap();
    assert_eq!(
        (set.name.as_str(), set.cadence, set.every_seconds),
        ("rivals", CadenceKind::Daily, 86_400)
    );
    let again = store
        .upsert_competitor_set("rivals", CadenceKind::Custom, 21_600, t0 + Duration::days(1))
        .await
        .unwrap();
    assert_eq!(
        (again.id, again.created_at),
        (set.id, t0),
        "same set, first created_at kept"
    );
    assert_eq!((again.cadence, again.every_seconds), (CadenceKind::Custom, 21_600));
    let other = store
        .upsert_competitor_set("banks", CadenceKind::Weekly, 604_800, t0)
        .await
        .unwrap();

    store.add_competitor(a, set.id, t0).await.unwrap();
    store.add_competitor(b, set.id, t0).await.unwrap();
    assert!(store.add_competitor(a, 9_999, t0).await.is_err(), "unknown set");
    assert!(
        store.add_competitor(9_999, set.id, t0).await.is_err(),
        "unknown account"
    );
    store.add_competitor(b, other.id, t0).await.unwrap(); // moves
    let rows = store.competitors().await.unwrap();
    let view: Vec<(i64, &str)> = rows.iter().map(|r| (r.account_id, r.set_name.as_str())).collect();
    assert_eq!(view, [(b, "banks"), (a, "rivals")]);
    assert!(store.remove_competitor(b).await.unwrap());
    assert!(!store.remove_competitor(b).await.unwrap());
    assert!(store.delete_competitor_set("rivals").await.unwrap());
    assert!(!store.delete_competitor_set("rivals").await.unwrap());
    assert!(store.competitors().await.unwrap().is_empty());
    assert_eq!(store.list_accounts().await.unwrap().len(), 2, "accounts stay");

    // Share of voice.
    assert!(matches!(
        store.add_voice_term(" ", t0).await,
        Err(StoreError::Invalid { .. })
    ));
    let term = store.add_voice_term(" #verão ", t0).await.unwrap();
    assert_eq!((term.term.as_str(), term.enabled), ("#verão", true));
    store.add_voice_term("black friday", t0).await.unwrap();
    assert!(store.remove_voice_term("black friday").await.unwrap());
    assert!(!store.remove_voice_term("black friday").await.unwrap());
    assert_eq!(store.voice_terms(false).await.unwrap().len(), 1);
    assert_eq!(store.voice_terms(true).await.unwrap().len(), 2);
    store.voice_term_collected("#verão", t0).await.unwrap();
    assert_eq!(store.voice_terms(false).await.unwrap()[0].collected_at, Some(t0));

    let day = |d: i64| at(0, 0, 0) + Duration::days(d);
    store
        .save_voice_days("#verão", None, &[(day(0), 100), (day(1), 80)], t0)
        .await
        .unwrap();
    store
        .save_voice_days("#verão", Some(a), &[(day(0), 5), (day(1), 3)], t0)
        .await
        .unwrap();
    store
        .save_voice_days("#verão", Some(b), &[(day(1), 7)], t0)
        .await
        .unwrap();
    // Collected again: the day takes the new count.
    let t1 = t0 + Duration::hours(3);
    store
        .save_voice_days("#verão", None, &[(day(1), 90)], t1)
        .await
        .unwrap();
    assert!(matches!(
        store
            .save_voice_days("#verão", Some(a), &[(day(2), 1), (day(3), -1)], t1)
            .await,
        Err(StoreError::Invalid { .. })
    ));
    let rows = store.voice_days("#verão", day(0), day(3)).await.unwrap();
    let got: Vec<(Option<i64>, i64)> = rows.iter().map(|r| (r.account_id, r.count)).collect();
    assert_eq!(got, [(None, 100), (None, 90), (Some(a), 5), (Some(a), 3), (Some(b), 7)]);
    assert_eq!(rows[1].collected_at, t1);
    assert_eq!(store.voice_days("#verão", day(1), day(2)).await.unwrap().len(), 3);
    assert!(store
        .voice_days("black friday", day(0), day(3))
        .await
        .unwrap()
        .is_empty());

    // Deleting an account drops its competitor row and its counts.
    store.add_competitor(a, other.id, t0).await.unwrap();
    store.delete_account_data(a).await.unwrap();
    assert!(store.competitors().await.unwrap().is_empty());
    let left: Vec<Option<i64>> = store
        .voice_days("#verão", day(0), day(3))
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.account_id)
        .collect();
    assert_eq!(left, [None, None, Some(b)]);
}

both_engines!(sets_competitors_and_voice);
