//! The posts' media URLs (schema version 14), on both engines: a collection writes one row
//! per post and kind (a video's URL as `remote`); saving the same batch twice adds nothing;
//! a new URL replaces a pending one and starts an expired one again, but leaves a kept or
//! too-large row (and its source) alone; due rows page by id and wait for their next
//! attempt; outcomes are recorded only on the URL they were made on.

use crate::common::{at, post, store_with_account};
use alcance_core::{CollectionBatch, MediaKind, MediaStatus, PostMedia};
use alcance_store::{both_engines, Engine, StoreError};
use chrono::Duration;

fn batch(media: &[(&str, MediaKind, &str)]) -> CollectionBatch {
    let mut b = CollectionBatch::default();
    for (id, kind, url) in media {
        if !b.posts.iter().any(|p| p.external_id == *id) {
            b.posts.push(post(id, at(8, 0, 0)));
        }
        b.media.extend(PostMedia::new(id, *kind, Some(url)));
    }
    b
}

async fn media_urls_follow_the_collections(engine: Engine) {
    let Some((store, account, run)) = store_with_account(engine).await else {
        return;
    };
    let first = batch(&[
        ("m1", MediaKind::Thumbnail, "https://cdn.example/m1.jpg?sig=1"),
        ("m1", MediaKind::Video, "https://cdn.example/m1.mp4"),
        ("m2", MediaKind::Image, "https://cdn.example/m2.jpg?sig=1"),
        ("m3", MediaKind::Thumbnail, "https://cdn.example/m3.jpg?sig=1"),
    ]);
    // Not a URL Alcance would fetch: never stored.
    assert!(PostMedia::new("m4", MediaKind::Image, Some("file:///etc/passwd")).is_none());
    assert!(PostMedia::new("m4", MediaKind::Image, Some("  ")).is_none());
    let stats = store.save_batch(run, account, at(9, 0, 0), &first, &[]).await.unwrap();
    assert_eq!(stats.media, 4);
    store.save_batch(run, account, at(9, 0, 0), &first, &[]).await.unwrap();

    let t = at(10, 0, 0);
    let due = store.media_due(t, 0, 100).await.unwrap();
    assert_eq!(due.len(), 3, "the video's URL is not due: {due:?}");
    assert!(due.iter().all(|d| d.attempts == 0));
    // Paging by id.
    let page = store.media_due(t, 0, 2).await.unwrap();
    let rest = store.media_due(t, page[1].id, 2).await.unwrap();
    assert_eq!(page.len() + rest.len(), 3);

    let find = |name: &str| due.iter().find(|d| d.source_url.contains(name)).unwrap();
    let (m1, m2, m3) = (find("/m1.jpg"), find("/m2.jpg"), find("/m3.jpg"));
    store
        .media_kept(
            m1.id,
            &m1.source_url,
            &format!("{}.jpg", "a".repeat(64)),
            1234,
            "image/jpeg",
            t,
        )
        .await
        .unwrap();
    store
        .media_given_up(m2.id, &m2.source_url, MediaStatus::TooLarge, "3000000 bytes")
        .await
        .unwrap();
    store
        .media_retry_at(m3.id, &m3.source_url, "HTTP 403", t + Duration::hours(1))
        .await
        .unwrap();
    assert!(store.media_due(t, 0, 100).await.unwrap().is_empty());
    assert_eq!(store.media_due(t + Duration::hours(1), 0, 100).await.unwrap().len(), 1);
    store
        .media_given_up(m3.id, &m3.source_url, MediaStatus::Expired, "HTTP 403")
        .await
        .unwrap();
    assert!(matches!(
        store
            .media_given_up(m3.id, &m3.source_url, MediaStatus::Kept, "x")
            .await,
        Err(StoreError::Invalid { .. })
    ));
    assert!(matches!(
        store.media_retry_at(999_999, "x", "x", t).await,
        Err(StoreError::NotFound { .. })
    ));

    // The next day's collection serves new signed URLs for all three.
    let second = batch(&[
        ("m1", MediaKind::Thumbnail, "https://cdn.example/m1.jpg?sig=2"),
        ("m2", MediaKind::Image, "https://cdn.example/m2.jpg?sig=2"),
        ("m3", MediaKind::Thumbnail, "https://cdn.example/m3.jpg?sig=2"),
    ]);
    store
        .save_batch(run, account, at(9, 0, 0) + Duration::days(1), &second, &[])
        .await
        .unwrap();
    let m1_rows = store.post_media(m1.post_id).await.unwrap();
    assert_eq!(m1_rows.len(), 2);
    assert_eq!(m1_rows[0].kind, MediaKind::Thumbnail, "thumbnails first");
    assert_eq!(
        (m1_rows[0].status, m1_rows[0].source_url.as_str(), m1_rows[0].bytes),
        (MediaStatus::Kept, "https://cdn.example/m1.jpg?sig=1", Some(1234))
    );
    assert_eq!(m1_rows[1].status, MediaStatus::Remote);
    let m2_row = &store.post_media(m2.post_id).await.unwrap()[0];
    assert_eq!(
        (m2_row.status, m2_row.source_url.as_str()),
        (MediaStatus::TooLarge, "https://cdn.example/m2.jpg?sig=1")
    );
    let m3_row = &store.post_media(m3.post_id).await.unwrap()[0];
    assert_eq!(
        (
            m3_row.status,
            m3_row.attempts,
            m3_row.source_url.as_str(),
            m3_row.next_attempt_at
        ),
        (MediaStatus::Pending, 0, "https://cdn.example/m3.jpg?sig=2", None)
    );
    assert_eq!(m3_row.last_error.as_deref(), Some("HTTP 403"));

    // An outcome on the old URL does not touch the new one.
    store
        .media_given_up(m3.id, &m3.source_url, MediaStatus::Failed, "late")
        .await
        .unwrap();
    assert_eq!(
        store.post_media(m3.post_id).await.unwrap()[0].status,
        MediaStatus::Pending
    );

    let kept = store
        .kept_pictures(&[m1.post_id, m2.post_id, m3.post_id])
        .await
        .unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[&m1.post_id].content_type, "image/jpeg");
    let mut counts = store.media_counts().await.unwrap();
    counts.sort_by_key(|(s, _)| s.as_str());
    assert_eq!(
        counts,
        vec![
            (MediaStatus::Kept, 1),
            (MediaStatus::Pending, 1),
            (MediaStatus::Remote, 1),
            (MediaStatus::TooLarge, 1)
        ]
    );
}

both_engines!(media_urls_follow_the_collections);
