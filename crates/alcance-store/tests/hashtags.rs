//! Tracked hashtags (schema version 18), on both engines: tracking is by key and
//! re-tracking re-enables; volume buckets overwrite their count; hashtag media keep their
//! first sighting and take the new counts; the search record answers by account and window.

use crate::common::at;
use alcance_core::{HashtagEdge, Platform, VolumeGranularity};
use alcance_store::hashtags::NewHashtagMedia;
use alcance_store::{both_engines, testing, Engine, StoreError};
use chrono::Duration;

async fn tracked_volume_media_and_searches(engine: Engine) {
    let Some(store) = testing::store(engine).await else {
        return;
    };
    let t0 = at(9, 0, 0);
    let row = store.track_hashtag("#são_paulo", "#São_Paulo", t0).await.unwrap();
    assert!(row.enabled && row.collected_at.is_none());
    store.track_hashtag("#verão", "#Verão", t0).await.unwrap();
    assert!(store.untrack_hashtag("#verão").await.unwrap());
    assert!(!store.untrack_hashtag("#verão").await.unwrap(), "already untracked");
    assert!(!store.untrack_hashtag("#nunca").await.unwrap());
    let tags: Vec<String> = store
        .tracked_hashtags(false)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.tag)
        .collect();
    assert_eq!(tags, ["#são_paulo"]);
    assert_eq!(store.tracked_hashtags(true).await.unwrap().len(), 2);
    // Tracked again: enabled, first added_at kept, the new spelling shown.
    let again = store
        .track_hashtag("#verão", "#VERÃO", t0 + Duration::days(1))
        .await
        .unwrap();
    assert!(again.enabled);
    assert_eq!((again.added_at, again.display.as_str()), (t0, "#VERÃO"));
    store.set_hashtag_ig_id("#verão", "17843000000000001").await.unwrap();
    store.hashtag_collected("#verão", t0).await.unwrap();
    let v = store
        .tracked_hashtags(false)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.tag == "#verão")
        .unwrap();
    assert_eq!(
        (v.ig_hashtag_id.as_deref(), v.collected_at),
        (Some("17843000000000001"), Some(t0))
    );

    // Volume: a bucket collected again takes the new count.
    let day = |d: i64| at(0, 0, 0) + Duration::days(d);
    let n = store
        .save_hashtag_volume(
            "#verão",
            Platform::X,
            VolumeGranularity::Day,
            &[(day(0), 10), (day(1), 4)],
            t0,
        )
        .await
        .unwrap();
    assert_eq!(n, 2);
    store
        .save_hashtag_volume(
            "#verão",
            Platform::X,
            VolumeGranularity::Day,
            &[(day(1), 25)],
            t0 + Duration::hours(20),
        )
        .await
        .unwrap();
    let vol = store.hashtag_volume("#verão", day(0)).await.unwrap();
    let counts: Vec<i64> = vol.iter().map(|b| b.count).collect();
    assert_eq!(counts, [10, 25]);
    assert_eq!(vol[1].collected_at, t0 + Duration::hours(20));
    assert_eq!(store.hashtag_volume("#verão", day(1)).await.unwrap().len(), 1);
    let bad = store
        .save_hashtag_volume(
            "#verão",
            Platform::X,
            VolumeGranularity::Day,
            &[(day(2), 3), (day(3), -1)],
            t0,
        )
        .await;
    assert!(matches!(bad, Err(StoreError::Invalid { .. })), "{bad:?}");
    assert_eq!(
        store.hashtag_volume("#verão", day(0)).await.unwrap().len(),
        2,
        "nothing of the bad batch"
    );

    // Media: first_seen stays, counts and last_seen move; edges are apart.
    let media = |likes: i64| NewHashtagMedia {
        media_id: "18000000000000001".into(),
        published_at: Some(t0 - Duration::hours(3)),
        media_type: Some("IMAGE".into()),
        like_count: Some(likes),
        comments_count: Some(-5),
        permalink: Some("https://www.instagram.com/p/x/".into()),
        caption_excerpt: Some("Sol #verão".into()),
    };
    store
        .save_hashtag_media("#verão", HashtagEdge::Top, &[media(100)], t0)
        .await
        .unwrap();
    let later = t0 + Duration::days(1);
    store
        .save_hashtag_media("#verão", HashtagEdge::Top, &[media(150)], later)
        .await
        .unwrap();
    store
        .save_hashtag_media("#verão", HashtagEdge::Recent, &[media(1)], t0)
        .await
        .unwrap();
    let top = store.hashtag_media("#verão", HashtagEdge::Top, t0).await.unwrap();
    assert_eq!(top.len(), 1);
    assert_eq!(
        (top[0].first_seen, top[0].last_seen, top[0].like_count),
        (t0, later, Some(150))
    );
    assert_eq!(top[0].comments_count, None, "a negative count is not stored");
    assert!(store
        .hashtag_media("#verão", HashtagEdge::Recent, later)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store
            .hashtag_media("#verão", HashtagEdge::Recent, t0)
            .await
            .unwrap()
            .len(),
        1
    );

    // Searches by account and window.
    store.record_hashtag_search("178410", "#verão", t0).await.unwrap();
    store.record_hashtag_search("178410", "#verão", t0).await.unwrap();
    store
        .record_hashtag_search("178410", "#praia", t0 - Duration::days(8))
        .await
        .unwrap();
    store.record_hashtag_search("999", "#sol", t0).await.unwrap();
    let window = store
        .hashtag_searches_since("178410", t0 - Duration::days(7))
        .await
        .unwrap();
    assert_eq!(window.len(), 1);
    assert_eq!((window[0].tag.as_str(), window[0].searched_at), ("#verão", t0));
}

both_engines!(tracked_volume_media_and_searches);
