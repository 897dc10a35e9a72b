//! The posts' pictures kept in the workspace (issue 13 point 3), on both engines, against a
//! picture server on 127.0.0.1 that counts its requests: a picture is downloaded once (a
//! second run asks nothing); the size cap, the content type and the bytes are checked; an
//! expired URL is tried 3 times with backoff and then left alone; a fresh URL from a later
//! collection starts it again, while a fresh URL for a kept picture downloads nothing; a
//! video's URL is never fetched; a folder that cannot be written stops the run with an
//! error and leaves the rows pending.

use alcance_app::media::{keep_media, MediaOptions, MediaSummary};
use alcance_app::testing::{both_engines, open_workspace, TestWorkspace};
use alcance_app::WorkspaceOptions;
use alcance_core::{AccountRef, CollectionBatch, ContentType, MediaKind, MediaStatus, Platform, PostMedia, PostRecord};
use alcance_platforms::vault::MemoryVault;
use alcance_platforms::Endpoints;
use alcance_store::Engine;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

fn utc(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).single().unwrap()
}

/// The picture server's answers by name; every request is counted.
async fn picture(State(hits): State<Arc<AtomicUsize>>, UrlPath(name): UrlPath<String>) -> Response {
    hits.fetch_add(1, Ordering::SeqCst);
    let png = |seed| alcance_sandbox::picture::png(16, 16, seed);
    match name.as_str() {
        "a.png" | "a-again.png" => ([(header::CONTENT_TYPE, "image/png")], png(1)).into_response(),
        "b.png" => ([(header::CONTENT_TYPE, "image/png")], png(2)).into_response(),
        "fresh.png" => ([(header::CONTENT_TYPE, "image/png")], png(3)).into_response(),
        "expired.png" => (StatusCode::FORBIDDEN, "URL signature expired").into_response(),
        "huge.png" => (
            [(header::CONTENT_TYPE, "image/png")],
            alcance_sandbox::picture::png(700, 700, 4),
        )
            .into_response(),
        "page.png" => ([(header::CONTENT_TYPE, "text/html")], "<html></html>").into_response(),
        "liar.png" => ([(header::CONTENT_TYPE, "image/png")], "<svg onload=alert(1)>").into_response(),
        "to-file" => (StatusCode::FOUND, [(header::LOCATION, "file:///etc/passwd")]).into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

struct Setup {
    ws: TestWorkspace,
    base: String,
    hits: Arc<AtomicUsize>,
    account: i64,
    _dir: tempfile::TempDir,
}

async fn setup(engine: Engine) -> Option<Setup> {
    let dir = tempfile::tempdir().unwrap();
    let ws = open_workspace(
        engine,
        dir.path(),
        WorkspaceOptions {
            endpoints: Endpoints::real(),
            vault: Box::new(MemoryVault::new()),
        },
    )
    .await?;
    let hits = Arc::new(AtomicUsize::new(0));
    let app = axum::Router::new()
        .route("/img/{name}", get(picture))
        .with_state(Arc::clone(&hits));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/img", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let account = ws
        .store()
        .upsert_account(
            &AccountRef {
                platform: Platform::Tiktok,
                external_id: "open-1".into(),
                username: Some("loja".into()),
                owned: true,
            },
            None,
            None,
        )
        .await
        .unwrap();
    Some(Setup {
        ws,
        base,
        hits,
        account,
        _dir: dir,
    })
}

impl Setup {
    /// Stores one collection at `at` listing each `(post, kind, file)` with its media URL.
    async fn collect(&self, at: DateTime<Utc>, media: &[(&str, MediaKind, &str)]) {
        let store = self.ws.store();
        let run = store.start_run("manual", at).await.unwrap();
        let mut batch = CollectionBatch::default();
        for (post, kind, file) in media {
            if !batch.posts.iter().any(|p| p.external_id == *post) {
                batch.posts.push(PostRecord {
                    external_id: (*post).to_string(),
                    published_at: Some(at),
                    content_type: ContentType::Video,
                    permalink: None,
                    caption: None,
                });
            }
            let url = format!("{}/{file}", self.base);
            batch.media.extend(PostMedia::new(post, *kind, Some(&url)));
        }
        store.save_batch(run, self.account, at, &batch, &[]).await.unwrap();
    }

    async fn keep(&self, now: DateTime<Utc>) -> MediaSummary {
        keep_media(self.ws.store(), &self.dir(), now, &options()).await.unwrap()
    }

    fn dir(&self) -> std::path::PathBuf {
        self.ws.workspace().dir().join("media")
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// The status of post `post`'s media of `kind`.
    async fn status(&self, post: &str, kind: MediaKind) -> (MediaStatus, i64) {
        let id = self.post_id(post).await;
        let rows = self.ws.store().post_media(id).await.unwrap();
        let row = rows.iter().find(|r| r.kind == kind).unwrap();
        (row.status, row.attempts)
    }

    async fn post_id(&self, post: &str) -> i64 {
        let posts = self.ws.store().find_posts(post, Some(Platform::Tiktok)).await.unwrap();
        posts.iter().find(|p| p.account_id == self.account).unwrap().id
    }
}

fn options() -> MediaOptions {
    MediaOptions {
        max_bytes: 1024 * 1024,
        loopback_only: true,
        ..MediaOptions::default()
    }
}

async fn each_picture_is_kept_once_and_failures_are_told_apart(engine: Engine) {
    let Some(s) = setup(engine).await else { return };
    let t0 = utc(20, 9);
    s.collect(
        t0,
        &[
            ("p1", MediaKind::Thumbnail, "a.png"),
            ("p1", MediaKind::Video, "p1.mp4"),
            ("p2", MediaKind::Image, "a-again.png"),
            ("p3", MediaKind::Thumbnail, "b.png"),
            ("p4", MediaKind::Thumbnail, "huge.png"),
            ("p5", MediaKind::Thumbnail, "page.png"),
            ("p6", MediaKind::Thumbnail, "liar.png"),
            ("p7", MediaKind::Thumbnail, "to-file"),
            ("p8", MediaKind::Thumbnail, "expired.png"),
        ],
    )
    .await;
    let first = s.keep(t0).await;
    assert_eq!(
        first,
        MediaSummary {
            kept: 3,
            too_large: 1,
            failed: 3,
            retry_later: 1,
            ..MediaSummary::default()
        }
    );
    // The video's URL is not requested: 8 pictures, 8 requests (the redirect is not followed).
    assert_eq!(s.hits(), 8);
    assert_eq!(s.status("p1", MediaKind::Video).await, (MediaStatus::Remote, 0));
    assert_eq!(s.status("p4", MediaKind::Thumbnail).await.0, MediaStatus::TooLarge);
    assert_eq!(s.status("p6", MediaKind::Thumbnail).await.0, MediaStatus::Failed);
    assert_eq!(s.status("p7", MediaKind::Thumbnail).await.0, MediaStatus::Failed);
    // p1 and p2 are the same picture: one file; p3 another.
    let mut files: Vec<String> = std::fs::read_dir(s.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files.iter().all(|f| f.len() == 68 && f.ends_with(".png")), "{files:?}");
    let kept =
        s.ws.store()
            .kept_pictures(&[s.post_id("p1").await, s.post_id("p2").await, s.post_id("p4").await])
            .await
            .unwrap();
    assert_eq!(kept.len(), 2);
    assert!(kept
        .values()
        .all(|k| k.content_type == "image/png" && k.fetched_at == t0));
    let (content_type, bytes) =
        s.ws.workspace()
            .post_picture(s.post_id("p3").await)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(
        (content_type.as_str(), bytes),
        ("image/png", alcance_sandbox::picture::png(16, 16, 2))
    );
    assert_eq!(
        s.ws.workspace().post_picture(s.post_id("p4").await).await.unwrap(),
        None
    );

    // A second run asks nothing: the kept are kept, the others given up or not yet due.
    assert_eq!(s.keep(t0 + Duration::minutes(30)).await, MediaSummary::default());
    assert_eq!(s.hits(), 8);
    s.ws.close().await;
}

async fn an_expired_url_is_tried_three_times_then_left_until_a_fresh_url(engine: Engine) {
    let Some(s) = setup(engine).await else { return };
    let t0 = utc(20, 9);
    s.collect(
        t0,
        &[
            ("p1", MediaKind::Thumbnail, "expired.png"),
            ("p2", MediaKind::Thumbnail, "a.png"),
        ],
    )
    .await;
    s.keep(t0).await;
    assert_eq!(s.status("p1", MediaKind::Thumbnail).await, (MediaStatus::Pending, 1));
    // Backoff: 1 h after the first refusal, then 2 h.
    assert_eq!(s.keep(t0 + Duration::minutes(59)).await, MediaSummary::default());
    assert_eq!(s.keep(t0 + Duration::hours(1)).await.retry_later, 1);
    assert_eq!(s.keep(t0 + Duration::hours(2)).await, MediaSummary::default());
    assert_eq!(s.keep(t0 + Duration::hours(3)).await.expired, 1);
    assert_eq!(s.status("p1", MediaKind::Thumbnail).await, (MediaStatus::Expired, 3));
    let asked = s.hits();
    assert_eq!(asked, 4, "3 attempts on the expired URL, 1 on the kept one");
    for days in [1, 10, 100] {
        assert_eq!(s.keep(t0 + Duration::days(days)).await, MediaSummary::default());
    }
    assert_eq!(s.hits(), asked, "never retried forever");

    // A later collection brings the same expired URL: still given up. Then a fresh one:
    // started again and kept. A fresh URL for the kept picture downloads nothing.
    let t1 = t0 + Duration::days(2);
    s.collect(t1, &[("p1", MediaKind::Thumbnail, "expired.png")]).await;
    assert_eq!(s.status("p1", MediaKind::Thumbnail).await.0, MediaStatus::Expired);
    s.collect(
        t1,
        &[
            ("p1", MediaKind::Thumbnail, "fresh.png"),
            ("p2", MediaKind::Thumbnail, "b.png"),
        ],
    )
    .await;
    assert_eq!(s.status("p1", MediaKind::Thumbnail).await, (MediaStatus::Pending, 0));
    assert_eq!(s.status("p2", MediaKind::Thumbnail).await, (MediaStatus::Kept, 1));
    assert_eq!(
        s.keep(t1).await,
        MediaSummary {
            kept: 1,
            ..MediaSummary::default()
        }
    );
    assert_eq!(s.hits(), asked + 1);
    let p2 = s.ws.store().post_media(s.post_id("p2").await).await.unwrap();
    assert!(
        p2[0].source_url.ends_with("/a.png"),
        "the kept file keeps its source: {p2:?}"
    );
    s.ws.close().await;
}

async fn a_folder_that_cannot_be_written_stops_the_run_and_loses_nothing(engine: Engine) {
    let Some(s) = setup(engine).await else { return };
    let t0 = utc(20, 9);
    s.collect(t0, &[("p1", MediaKind::Thumbnail, "a.png")]).await;
    // A file where the folder should be: creating the folder fails, as on a full disk.
    let blocked = s.ws.workspace().dir().join("blocked");
    std::fs::write(&blocked, b"not a folder").unwrap();
    let err = keep_media(s.ws.store(), &blocked.join("media"), t0, &options())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("media folder"), "{err}");
    assert_eq!(s.status("p1", MediaKind::Thumbnail).await, (MediaStatus::Pending, 0));
    // Once the disk has room again, the next run keeps it.
    assert_eq!(s.keep(t0).await.kept, 1);
    s.ws.close().await;
}

async fn a_cap_smaller_than_the_picture_keeps_nothing(engine: Engine) {
    let Some(s) = setup(engine).await else { return };
    let t0 = utc(20, 9);
    s.collect(t0, &[("p1", MediaKind::Thumbnail, "a.png")]).await;
    let tiny = MediaOptions {
        max_bytes: 100,
        ..options()
    };
    let summary = keep_media(s.ws.store(), &s.dir(), t0, &tiny).await.unwrap();
    assert_eq!(summary.too_large, 1);
    assert!(!s.dir().exists() || std::fs::read_dir(s.dir()).unwrap().next().is_none());
    s.ws.close().await;
}

/// Instagram (OAuth), Threads (a pasted token), X (OAuth), Bluesky (an app password) and
/// Reddit (OAuth) collected from the seeded sandbox through the app: the media step that
/// follows keeps their pictures, each as the kind its post calls for (a photo's or an
/// album's `media_url` / `url`, a Bluesky image's `thumb`, a Reddit preview as an image; a
/// video's `thumbnail_url` / `preview_image_url`, a Bluesky link card's `thumb`, a Reddit
/// gallery's `thumbnail` as a thumbnail), and the kept files are the sandbox's PNGs.
async fn a_sandbox_collection_keeps_the_posts_pictures(engine: Engine) {
    use alcance_app::demo::demo_app;
    use alcance_platforms::oauth::HeadlessBrowser;
    use alcance_sandbox::{Sandbox, SandboxConfig};
    use alcance_store::RowFilter;
    use secrecy::SecretString;

    let sandbox = Sandbox::start(SandboxConfig::seeded(31)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let Some(ws) = open_workspace(
        engine,
        dir.path(),
        WorkspaceOptions {
            endpoints: Endpoints::sandbox(&sandbox.base_url()),
            vault: Box::new(MemoryVault::new()),
        },
    )
    .await
    else {
        return;
    };
    let timeout = std::time::Duration::from_secs(30);
    let browser = HeadlessBrowser::new();
    let x = ws
        .workspace()
        .connect(&demo_app(Platform::X), &browser, timeout)
        .await
        .unwrap();
    let ig = ws
        .workspace()
        .connect(&demo_app(Platform::Instagram), &browser, timeout)
        .await
        .unwrap();
    let grant: serde_json::Value = reqwest::get(sandbox.base_url().join("__alcance/threads-token").unwrap())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = SecretString::from(grant["access_token"].as_str().unwrap().to_string());
    let th = ws.workspace().connect_threads_token(token).await.unwrap();
    let bs = ws
        .workspace()
        .connect_bluesky(
            "alcance.bsky.social",
            SecretString::from(alcance_app::demo::DEMO_APP_PASSWORD.to_string()),
        )
        .await
        .unwrap();
    let rd = ws
        .workspace()
        .connect(&demo_app(Platform::Reddit), &browser, timeout)
        .await
        .unwrap();

    let now = Utc::now();
    let run = ws
        .workspace()
        .collect(
            alcance_platforms::CollectWindow {
                since: now - Duration::days(30),
                until: now,
            },
            now,
            alcance_collector::RunKind::Manual,
            &[x.id, ig.id, th.id, bs.id, rd.id],
            &|_| {},
        )
        .await
        .unwrap();
    assert!(run.accounts.iter().all(|a| a.ok), "{:?}", run.accounts);

    let store = ws.store();
    let media_dir = ws.workspace().dir().join("media");
    for platform in [
        Platform::Instagram,
        Platform::Threads,
        Platform::X,
        Platform::Bluesky,
        Platform::Reddit,
    ] {
        let posts = store
            .posts(&RowFilter {
                platforms: vec![platform],
                ..RowFilter::default()
            })
            .await
            .unwrap();
        assert!(!posts.is_empty(), "{platform}: no post collected");
        let (mut kept, mut images, mut thumbnails) = (0, 0, 0);
        for post in &posts {
            for row in store.post_media(post.id).await.unwrap() {
                assert!(row.source_url.contains("/__alcance/img/"), "{platform}: {row:?}");
                // A story is a picture or a video: either kind. A Bluesky link card's
                // picture is a thumbnail; a Reddit video's preview is a still image, a
                // gallery has only its thumbnail.
                let expected = match (platform, &post.content_type) {
                    (Platform::Bluesky, ContentType::Link) => Some(MediaKind::Thumbnail),
                    (Platform::Reddit, ContentType::Video) => Some(MediaKind::Image),
                    (Platform::Reddit, ContentType::Carousel) => Some(MediaKind::Thumbnail),
                    (_, ContentType::Video | ContentType::Reel) => Some(MediaKind::Thumbnail),
                    (_, ContentType::Story) => None,
                    _ => Some(MediaKind::Image),
                };
                if let Some(kind) = expected {
                    assert_eq!(row.kind, kind, "{platform} {:?}: {row:?}", post.content_type);
                }
                match row.kind {
                    MediaKind::Image => images += 1,
                    _ => thumbnails += 1,
                }
                if row.status == MediaStatus::Kept {
                    kept += 1;
                    let file = media_dir.join(row.file_name.as_deref().unwrap());
                    let bytes = std::fs::read(&file).unwrap();
                    assert!(bytes.starts_with(b"\x89PNG"), "{platform}: {}", file.display());
                }
            }
        }
        assert!(
            kept > 0,
            "{platform}: no picture kept ({images} images, {thumbnails} thumbnails)"
        );
        assert!(images > 0, "{platform}: no photo's picture");
        // Reddit's only thumbnails are galleries' (a video's preview is a still image), and
        // the sandbox's 30 days before some dates hold no gallery: its kinds are checked per
        // row above.
        if platform != Platform::Reddit {
            assert!(thumbnails > 0, "{platform}: no thumbnail");
        }
    }
    ws.close().await;
}

both_engines!(
    a_sandbox_collection_keeps_the_posts_pictures,
    each_picture_is_kept_once_and_failures_are_told_apart,
    an_expired_url_is_tried_three_times_then_left_until_a_fresh_url,
    a_folder_that_cannot_be_written_stops_the_run_and_loses_nothing,
    a_cap_smaller_than_the_picture_keeps_nothing,
);
