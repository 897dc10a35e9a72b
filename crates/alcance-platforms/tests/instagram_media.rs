//! Media and stories listings: paging, the `since` cut, the loop guard and the page cap.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::meta_fake;

use alcance_core::ContentType;
use alcance_platforms::instagram::{MediaKind, MAX_MEDIA_PAGES};
use alcance_platforms::{PlatformError, Recorder};
use chrono::{TimeZone, Utc};
use meta_fake::{graph_error, token, FakeGraph, Reply};
use serde_json::{json, Value};

const IG: &str = "17841400000000001";
const FIELDS: &str =
    "id,caption,media_type,media_product_type,timestamp,permalink,like_count,comments_count,media_url,thumbnail_url";

fn page(items: Value, after: &str, next: bool) -> Reply {
    let mut paging = json!({"cursors": {"before": "QVFIUb", "after": after}});
    if next {
        paging["next"] = json!(format!(
            "https://graph.facebook.com/v25.0/{IG}/media?access_token=secret&limit=50&after={after}"
        ));
    }
    Reply::json(json!({"data": items, "paging": paging}))
}

fn page_one() -> Reply {
    page(
        json!([
            {"id": "m5", "caption": "Reel de lançamento", "media_type": "VIDEO", "media_product_type": "REELS",
             "timestamp": "2026-11-20T19:03:11+0000", "permalink": "https://www.instagram.com/reel/m5/",
             "like_count": 321, "comments_count": 18},
            {"id": "m4", "media_type": "CAROUSEL_ALBUM", "media_product_type": "FEED",
             "timestamp": "2026-11-19T12:00:00+0000", "comments_count": 4},
            {"caption": "no id: skipped"}
        ]),
        "QVFIUc1",
        true,
    )
}

fn page_two() -> Reply {
    page(
        json!([
            {"id": "m3", "media_type": "IMAGE", "media_product_type": "FEED", "timestamp": "2026-11-15T08:30:00+0000",
             "like_count": 77, "comments_count": 2},
            {"id": "m2", "media_type": "VIDEO", "media_product_type": "AD", "timestamp": "2026-11-01T08:30:00+0000",
             "like_count": 5, "comments_count": 0},
            {"id": "m1", "media_type": "IMAGE", "timestamp": "2026-10-01T00:00:00+0000", "like_count": 1}
        ]),
        "QVFIUc2",
        true,
    )
}

#[tokio::test]
async fn media_pages_until_older_than_since() {
    let fake = FakeGraph::start(|r| {
        if r.path != format!("/{IG}/media") || r.q("fields") != Some(FIELDS) || r.q("limit") != Some("50") {
            return None;
        }
        match r.q("after") {
            None => Some(page_one()),
            Some("QVFIUc1") => Some(page_two()),
            _ => None,
        }
    })
    .await;
    let since = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let l = fake
        .client()
        .media(&token(), IG, since, &Recorder::new())
        .await
        .expect("media");
    let ids: Vec<&str> = l.items.iter().map(|i| i.post.external_id.as_str()).collect();
    assert_eq!(ids, vec!["m5", "m4", "m3", "m2"], "m1 is older than since");
    assert_eq!(l.pages, 2);
    assert_eq!(fake.requests().len(), 2, "no third page once older media appear");
    assert_eq!(l.warnings.len(), 1, "the item without id: {:?}", l.warnings);
    assert_eq!(l.warnings[0].code, "decode");

    let m5 = &l.items[0];
    assert_eq!(m5.post.content_type, ContentType::Reel);
    assert_eq!(m5.kind, MediaKind::Reels);
    assert_eq!(m5.post.caption.as_deref(), Some("Reel de lançamento"));
    assert_eq!(m5.post.permalink.as_deref(), Some("https://www.instagram.com/reel/m5/"));
    assert_eq!(
        m5.post.published_at,
        Some(Utc.with_ymd_and_hms(2026, 11, 20, 19, 3, 11).unwrap())
    );
    assert_eq!(m5.media_product_type.as_deref(), Some("REELS"));
    let v = |i: usize, k: &str| {
        l.items[i]
            .node_metrics
            .iter()
            .find(|m| m.metric == k)
            .and_then(|m| m.value)
    };
    assert_eq!((v(0, "likes"), v(0, "comments")), (Some(321.0), Some(18.0)));
    assert_eq!(
        (v(1, "likes"), v(1, "comments")),
        (None, Some(4.0)),
        "hidden likes: no value"
    );
    assert_eq!(l.items[1].post.content_type, ContentType::Carousel);
    assert_eq!(l.items[2].post.content_type, ContentType::Image);
    assert_eq!(l.items[3].post.content_type, ContentType::Video);
    assert_eq!(l.items[3].kind, MediaKind::Feed, "AD uses the feed metrics");
}

#[tokio::test]
async fn a_replaying_server_is_stopped_by_the_guard() {
    // Always the same page with a next link: no new ids on the second page.
    let fake = FakeGraph::start(|r| (r.path == format!("/{IG}/media")).then(page_one)).await;
    let since = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let l = fake
        .client()
        .media(&token(), IG, since, &Recorder::new())
        .await
        .expect("media");
    assert_eq!(l.items.len(), 2);
    assert_eq!(fake.requests().len(), 2);
    assert_eq!(l.warnings.last().map(|w| w.code.as_str()), Some("paging_loop"));

    // New ids every time but the same cursor.
    let fake = FakeGraph::start(|r| {
        (r.path == format!("/{IG}/media")).then(|| {
            let id = format!("m{}", r.q("after").map_or(0, |_| 1));
            page(
                json!([{"id": id, "media_type": "IMAGE", "timestamp": "2026-11-20T00:00:00+0000"}]),
                "same",
                true,
            )
        })
    })
    .await;
    let l = fake
        .client()
        .media(&token(), IG, since, &Recorder::new())
        .await
        .expect("media");
    assert_eq!(l.items.len(), 2);
    assert_eq!(fake.requests().len(), 2);
    assert_eq!(l.warnings.last().map(|w| w.code.as_str()), Some("paging_loop"));
}

#[tokio::test]
async fn paging_is_capped() {
    let fake = FakeGraph::start(|r| {
        (r.path == format!("/{IG}/media")).then(|| {
            let n: u32 = r.q("after").and_then(|a| a.parse().ok()).unwrap_or(0);
            page(
                json!([{"id": format!("m{n}"), "media_type": "IMAGE", "timestamp": "2026-11-20T00:00:00+0000"}]),
                &(n + 1).to_string(),
                true,
            )
        })
    })
    .await;
    let since = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let l = fake
        .client()
        .media(&token(), IG, since, &Recorder::new())
        .await
        .expect("media");
    assert_eq!(l.pages, MAX_MEDIA_PAGES);
    assert_eq!(l.items.len(), MAX_MEDIA_PAGES);
    assert_eq!(fake.requests().len(), MAX_MEDIA_PAGES);
    assert_eq!(l.warnings.len(), 1);
    assert_eq!(l.warnings[0].code, "paging_cap");
}

#[tokio::test]
async fn a_failing_later_page_keeps_what_was_read_and_a_failing_first_page_is_an_error() {
    let fake = FakeGraph::start(|r| {
        (r.path == format!("/{IG}/media")).then(|| match r.q("after") {
            None => page_one(),
            Some(_) => Reply::raw(502, "text/html", "<html><h1>Bad Gateway</h1></html>"),
        })
    })
    .await;
    let since = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let l = fake
        .client()
        .media(&token(), IG, since, &Recorder::new())
        .await
        .expect("partial");
    assert_eq!(l.items.len(), 2);
    assert_eq!(l.warnings.last().map(|w| w.code.as_str()), Some("decode"));

    let fake = FakeGraph::start(|r| {
        (r.path == format!("/{IG}/media")).then(|| graph_error(400, 100, Some(33), "Object does not exist"))
    })
    .await;
    let e = fake
        .client()
        .media(&token(), IG, since, &Recorder::new())
        .await
        .expect_err("first page");
    assert!(matches!(e, PlatformError::NotFound { .. }), "{e:?}");

    let fake =
        FakeGraph::start(|r| (r.path == format!("/{IG}/media")).then(|| Reply::json(json!({"data": "?"})))).await;
    let l = fake
        .client()
        .media(&token(), IG, since, &Recorder::new())
        .await
        .expect("a non-list data is an empty page");
    assert!(l.items.is_empty());
}

#[tokio::test]
async fn stories_are_stories_whatever_their_type() {
    let fake = FakeGraph::start(|r| {
        (r.path == format!("/{IG}/stories")
            && r.q("fields") == Some("id,media_type,media_product_type,timestamp,permalink,caption,media_url,thumbnail_url"))
        .then(|| {
            Reply::json(json!({"data": [
                {"id": "s2", "media_type": "VIDEO", "media_product_type": "STORY", "timestamp": "2026-11-20T10:19:03+0000",
                 "permalink": "https://instagram.com/stories/cafe.aurora/2"},
                {"id": "s1", "media_type": "IMAGE", "timestamp": "2026-11-20T09:00:00+0000"}
            ], "paging": {"cursors": {"before": "b", "after": "a"}}}))
        })
    })
    .await;
    let l = fake
        .client()
        .stories(&token(), IG, &Recorder::new())
        .await
        .expect("stories");
    assert_eq!(l.items.len(), 2);
    for i in &l.items {
        assert_eq!(i.post.content_type, ContentType::Story);
        assert_eq!(i.kind, MediaKind::Story);
        assert!(i.node_metrics.is_empty());
    }
    assert_eq!(l.items[0].media_type.as_deref(), Some("VIDEO"));
    assert!(l.warnings.is_empty());
    assert_eq!(fake.requests().len(), 1, "no next link: one page");
}

#[tokio::test]
async fn each_media_gives_its_picture_url_and_odd_ones_none() {
    // Shapes from the IG Media reference: `media_url` on pictures and albums (the cover),
    // `thumbnail_url` on videos and reels (whose `media_url` is the video file).
    let fake = FakeGraph::start(|r| {
        (r.path == format!("/{IG}/media") && r.q("fields") == Some(FIELDS)).then(|| {
            Reply::json(json!({"data": [
                {"id": "p1", "media_type": "IMAGE", "timestamp": "2026-11-20T10:00:00+0000",
                 "media_url": "https://scontent.cdninstagram.com/v/p1.jpg?oh=1"},
                {"id": "p2", "media_type": "CAROUSEL_ALBUM", "timestamp": "2026-11-20T10:00:00+0000",
                 "media_url": "https://scontent.cdninstagram.com/v/p2-cover.jpg"},
                {"id": "p3", "media_type": "VIDEO", "media_product_type": "REELS", "timestamp": "2026-11-20T10:00:00+0000",
                 "media_url": "https://scontent.cdninstagram.com/o1/v/p3.mp4",
                 "thumbnail_url": "https://scontent.cdninstagram.com/v/p3-thumb.jpg"},
                {"id": "p4", "media_type": "VIDEO", "timestamp": "2026-11-20T10:00:00+0000",
                 "media_url": "https://scontent.cdninstagram.com/o1/v/p4.mp4"},
                {"id": "p5", "media_type": "IMAGE", "timestamp": "2026-11-20T10:00:00+0000",
                 "media_url": "file:///etc/passwd"},
                {"id": "p6", "media_type": "HOLOGRAM", "timestamp": "2026-11-20T10:00:00+0000",
                 "media_url": "https://scontent.cdninstagram.com/v/p6.jpg"},
                {"id": "p7", "media_type": "IMAGE", "timestamp": "2026-11-20T10:00:00+0000", "media_url": 42},
                {"id": "p8", "timestamp": "2026-11-20T10:00:00+0000",
                 "media_url": "https://scontent.cdninstagram.com/v/p8.jpg"}
            ]}))
        })
    })
    .await;
    let since = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let l = fake
        .client()
        .media(&token(), IG, since, &Recorder::new())
        .await
        .expect("a lenient page");
    assert_eq!(l.items.len(), 8, "every media is kept, with or without a picture");
    let pictures: Vec<(&str, alcance_core::MediaKind, &str)> = l
        .items
        .iter()
        .flat_map(|i| &i.pictures)
        .map(|m| (m.post_external_id.as_str(), m.kind, m.url.as_str()))
        .collect();
    use alcance_core::MediaKind::{Image, Thumbnail};
    assert_eq!(
        pictures,
        vec![
            ("p1", Image, "https://scontent.cdninstagram.com/v/p1.jpg?oh=1"),
            ("p2", Image, "https://scontent.cdninstagram.com/v/p2-cover.jpg"),
            ("p3", Thumbnail, "https://scontent.cdninstagram.com/v/p3-thumb.jpg"),
        ]
    );
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
}
