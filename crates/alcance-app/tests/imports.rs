//! Imports of platform exports (issue 17 point 5): every parser on its sample file
//! (`tests/data/imports/`, synthetic values in the documented shapes), idempotence, the
//! precedence of API values (conflicts listed), history before the API's window, malformed
//! lines, dry runs and the kind/platform check, on both engines.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on setup failures

use alcance_app::imports::parse::parse;
use alcance_app::imports::{
    import_conflicts, import_file, list_imports, preview_csv, ColumnMap, ImportKind, ImportRequest, ValueSource,
};
use alcance_app::testing::{both_engines, open_workspace};
use alcance_app::{AccountId, ErrorCode, WorkspaceOptions};
use alcance_core::{AccountMetric, AccountRef, CollectionBatch, ContentType, Period, Platform, PostMetric, PostRecord};
use alcance_platforms::vault::MemoryVault;
use alcance_platforms::Endpoints;
use alcance_store::{Engine, RowFilter};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

fn sample(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/imports")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 9, 20).unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 9, 20, 15, 30, 0).unwrap()
}

fn metric(post: &alcance_store::imports::ImportedPost, key: &str) -> Option<f64> {
    post.metrics.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
}

fn day_value(data: &alcance_store::imports::ImportData, day: &str, key: &str) -> Option<f64> {
    let day: NaiveDate = day.parse().unwrap();
    data.days
        .iter()
        .find(|d| d.day == day && d.metric == key)
        .map(|d| d.value)
}

#[test]
fn the_x_archive_gives_tweets_with_likes_and_reposts() {
    let data = parse(
        ImportKind::XArchive,
        &sample("tweets.js"),
        &ColumnMap::default(),
        today(),
    );
    assert!(data.errors.is_empty(), "{:?}", data.errors);
    assert_eq!(data.rows_read, 4);
    let ids: Vec<&str> = data.posts.iter().map(|p| p.external_id.as_str()).collect();
    assert_eq!(
        ids,
        ["1839000000000000001", "1700000000000000002", "1500000000000000004"],
        "the retweet is skipped"
    );
    let first = &data.posts[0];
    assert_eq!(metric(first, "likes"), Some(42.0));
    assert_eq!(metric(first, "reposts"), Some(7.0));
    assert_eq!(first.line, 2, "the tweet's opening line");
    assert_eq!(first.caption.as_deref(), Some("Lançamento da coleção de verão {hoje}!"));
    assert_eq!(
        first.published_at,
        Utc.with_ymd_and_hms(2024, 9, 25, 12, 3, 11).single()
    );
    // Counts as JSON numbers (older archives) read as well as strings.
    assert_eq!(metric(&data.posts[2], "likes"), Some(128.0));
    assert_eq!(
        data.posts[2].published_at,
        Utc.with_ymd_and_hms(2018, 10, 10, 20, 19, 24).single()
    );
}

#[test]
fn meta_content_exports_in_english_and_portuguese() {
    let data = parse(
        ImportKind::MetaPosts,
        &sample("instagram_posts.csv"),
        &ColumnMap::default(),
        today(),
    );
    assert!(data.errors.is_empty(), "{:?}", data.errors);
    assert_eq!(data.posts.len(), 3);
    let reel = &data.posts[0];
    assert_eq!(reel.external_id, "17900000000000001");
    assert_eq!(metric(reel, "views"), Some(1520.0), "the thousands comma");
    assert_eq!(metric(reel, "saves"), Some(31.0));
    assert_eq!(reel.content_type.as_deref(), Some("reel"));
    assert_eq!(reel.published_at, Utc.with_ymd_and_hms(2026, 9, 16, 14, 5, 0).single());
    assert_eq!(reel.caption.as_deref(), Some("Antes e depois, sala de estar"));
    // An empty cell is no value, never 0.
    assert_eq!(metric(&data.posts[1], "views"), None);
    assert_eq!(metric(&data.posts[1], "shares"), None);
    assert!(data.ignored_columns.contains(&"Account username".to_string()));

    let pt = parse(
        ImportKind::MetaPosts,
        &sample("facebook_posts_pt-BR.csv"),
        &ColumnMap::default(),
        today(),
    );
    assert!(pt.errors.is_empty(), "{:?}", pt.errors);
    let promo = &pt.posts[0];
    assert_eq!(promo.external_id, "123456789012345_1000000000000001");
    assert_eq!(metric(promo, "views"), Some(1250.0), "1.250 is a thousand in pt-BR");
    assert_eq!(metric(promo, "watch_time_avg_seconds"), Some(11.2), "decimal comma");
    assert_eq!(metric(promo, "reactions"), Some(64.0));
    assert_eq!(
        promo.published_at,
        Utc.with_ymd_and_hms(2026, 9, 16, 18, 30, 0).single(),
        "day first"
    );
    assert_eq!(pt.posts[1].content_type.as_deref(), Some("image"));
}

#[test]
fn meta_daily_insights_in_utf16_and_portuguese() {
    let data = parse(
        ImportKind::MetaDaily,
        &sample("instagram_views_daily.csv"),
        &ColumnMap::default(),
        today(),
    );
    assert!(data.errors.is_empty(), "{:?}", data.errors);
    assert_eq!(data.days.len(), 4);
    assert_eq!(day_value(&data, "2026-08-22", "views"), Some(8226.0));
    assert_eq!(data.days[0].line, 4, "after sep=, the title and the header");
    let pt = parse(
        ImportKind::MetaDaily,
        &sample("instagram_alcance_diario_pt-BR.csv"),
        &ColumnMap::default(),
        today(),
    );
    assert!(pt.errors.is_empty(), "{:?}", pt.errors);
    assert_eq!(day_value(&pt, "2026-08-22", "reach"), Some(7485.0));
}

#[test]
fn tiktok_studio_exports() {
    let overview = parse(
        ImportKind::TiktokDaily,
        &sample("tiktok_overview.csv"),
        &ColumnMap::default(),
        today(),
    );
    assert!(overview.errors.is_empty(), "{:?}", overview.errors);
    assert_eq!(
        day_value(&overview, "2026-08-31", "video_views"),
        Some(1441.0),
        "year from today"
    );
    assert_eq!(day_value(&overview, "2026-09-02", "profile_views"), Some(137.0));
    let followers = parse(
        ImportKind::TiktokDaily,
        &sample("tiktok_follower_history.csv"),
        &ColumnMap::default(),
        today(),
    );
    assert_eq!(day_value(&followers, "2026-09-01", "followers"), Some(10440.0));
    assert_eq!(followers.ignored_columns, ["Difference in followers from previous day"]);
    let videos = parse(
        ImportKind::TiktokVideos,
        &sample("tiktok_videos.csv"),
        &ColumnMap::default(),
        today(),
    );
    assert!(videos.errors.is_empty(), "{:?}", videos.errors);
    assert_eq!(videos.posts[1].external_id, "7300000000000000004");
    assert_eq!(metric(&videos.posts[1], "video_views"), Some(25310.0));
    assert_eq!(metric(&videos.posts[0], "watch_time_avg_seconds"), Some(3.2));
    assert_eq!(videos.posts[1].caption.as_deref(), Some("Rotina da manhã, parte 2"));
}

#[test]
fn youtube_studio_exports_skip_the_total_row() {
    let table = parse(
        ImportKind::YoutubeVideos,
        &sample("youtube_table_data.csv"),
        &ColumnMap::default(),
        today(),
    );
    assert!(table.errors.is_empty(), "{:?}", table.errors);
    assert_eq!(table.rows_read, 2, "the Total row is not a video");
    let v = &table.posts[0];
    assert_eq!(v.external_id, "abcDEF12345");
    assert_eq!(
        metric(v, "watch_time_seconds"),
        Some(700.25 * 3600.0),
        "hours to seconds"
    );
    assert_eq!(metric(v, "watch_time_avg_seconds"), Some(120.0));
    assert_eq!(metric(v, "impressions"), Some(250000.0));
    assert_eq!(metric(v, "video_duration"), Some(612.0));
    assert_eq!(v.published_at, Utc.with_ymd_and_hms(2026, 9, 22, 0, 0, 0).single());
    let daily = parse(
        ImportKind::YoutubeDaily,
        &sample("youtube_daily.csv"),
        &ColumnMap::default(),
        today(),
    );
    assert!(daily.errors.is_empty(), "{:?}", daily.errors);
    assert_eq!(day_value(&daily, "2026-08-02", "followers_gained"), Some(12.0));
    assert_eq!(day_value(&daily, "2026-08-03", "video_views"), Some(1100.0));
}

#[test]
fn a_generic_csv_follows_its_mapping() {
    let map = ColumnMap::from_args(&[
        "Publicação=post_id",
        "Data=published_at",
        "Curtidas=likes",
        "Alcance=reach",
        "Legenda=caption",
    ])
    .unwrap();
    let data = parse(ImportKind::GenericCsv, &sample("generic.csv"), &map, today());
    assert!(data.errors.is_empty(), "{:?}", data.errors);
    assert_eq!(data.posts[0].external_id, "P-001");
    assert_eq!(
        metric(&data.posts[0], "reach"),
        Some(1500.0),
        "`;` files use pt-BR numbers"
    );
    let daily = parse(
        ImportKind::GenericCsv,
        &sample("generic_daily.csv"),
        &ColumnMap::from_args(&["day=date", "followers=followers", "views=views"]).unwrap(),
        today(),
    );
    assert_eq!(day_value(&daily, "2026-06-02", "followers"), Some(1010.0));
    // A mapping naming a column the file lacks is refused on line 1.
    let bad = parse(
        ImportKind::GenericCsv,
        &sample("generic.csv"),
        &ColumnMap::from_args(&["Id=post_id", "Curtidas=likes"]).unwrap(),
        today(),
    );
    assert_eq!(bad.errors.len(), 1);
    assert!(bad.errors[0].reason.contains("\"Id\""), "{}", bad.errors[0].reason);
    let preview = preview_csv(&sample("generic.csv"), 1).unwrap();
    assert_eq!(preview.header[0], "Publicação");
    assert_eq!(
        preview.rows,
        vec![vec!["P-001", "2026-07-01 10:00", "120", "1.500", "Primeiro"]]
    );
    assert!(preview.metrics.contains(&"likes".to_string()));
}

#[test]
fn malformed_lines_are_listed_and_the_good_ones_kept() {
    let data = parse(
        ImportKind::MetaPosts,
        &sample("instagram_posts_malformed.csv"),
        &ColumnMap::default(),
        today(),
    );
    let lines: Vec<u64> = data.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [3, 4, 5, 6], "{:?}", data.errors);
    assert!(data.errors[0].reason.contains("yesterday"));
    assert!(data.errors[1].reason.contains("post id is empty"));
    assert!(data.errors[2].reason.contains("\"12x\" is not a number"));
    assert!(data.errors[3].reason.contains("9 fields"));
    let kept: Vec<&str> = data.posts.iter().map(|p| p.external_id.as_str()).collect();
    assert_eq!(kept, ["17900000000000001", "17900000000000008"]);
    assert_eq!(data.rows_read, 6);
    // The wrong kind of file is one error on line 1, naming what is missing.
    let wrong = parse(
        ImportKind::TiktokVideos,
        &sample("instagram_posts.csv"),
        &ColumnMap::default(),
        today(),
    );
    assert_eq!(wrong.errors.len(), 1);
    assert!(
        wrong.errors[0].reason.contains("Video link"),
        "{}",
        wrong.errors[0].reason
    );
    // Bytes that are no file at all never panic.
    for kind in ImportKind::ALL {
        for bytes in [
            &b""[..],
            b"\xff\xfe\x00",
            b"window.YTD.tweets.part0 = [{",
            b"\"a\n,,,\n\"\"\"",
        ] {
            let _ = parse(kind, bytes, &ColumnMap::default(), today());
        }
    }
}

async fn account(ws: &alcance_app::Workspace, platform: Platform, id: &str) -> AccountId {
    AccountId::from(
        ws.store()
            .upsert_account(
                &AccountRef {
                    platform,
                    external_id: id.into(),
                    username: Some(format!("marca_{id}")),
                    owned: true,
                },
                None,
                None,
            )
            .await
            .unwrap(),
    )
}

fn request<'a>(
    account: AccountId,
    kind: ImportKind,
    name: &'a str,
    bytes: &'a [u8],
    map: &'a ColumnMap,
) -> ImportRequest<'a> {
    ImportRequest {
        account,
        kind,
        file_name: name,
        bytes,
        map,
        dry_run: false,
    }
}

async fn imports_are_idempotent_and_never_overwrite_the_api(engine: Engine) {
    let dir = tempfile::tempdir().unwrap();
    let Some(ws) = open_workspace(
        engine,
        dir.path(),
        WorkspaceOptions {
            endpoints: Endpoints::real(),
            vault: Box::new(MemoryVault::new()),
        },
    )
    .await
    else {
        return;
    };
    let ig = account(&ws, Platform::Instagram, "17840000000000000").await;
    let none = ColumnMap::default();

    // The API collected the reel's likes (85 → 90 later) and 10 September's views.
    let run = ws.store().start_run("manual", now()).await.unwrap();
    let collected = Utc.with_ymd_and_hms(2026, 9, 18, 9, 0, 0).unwrap();
    let batch = CollectionBatch {
        posts: vec![PostRecord {
            external_id: "17900000000000001".into(),
            published_at: Utc.with_ymd_and_hms(2026, 9, 16, 14, 5, 0).single(),
            content_type: ContentType::Reel,
            permalink: None,
            caption: Some("Antes e depois".into()),
        }],
        post_metrics: vec![
            PostMetric {
                post_external_id: "17900000000000001".into(),
                metric: "likes".into(),
                value: Some(90.0),
            },
            PostMetric {
                post_external_id: "17900000000000001".into(),
                metric: "views".into(),
                value: Some(1520.0),
            },
        ],
        account_metrics: vec![AccountMetric {
            metric: "views".into(),
            period: Period::Day,
            period_start: Utc.with_ymd_and_hms(2026, 9, 10, 0, 0, 0).unwrap(),
            period_end: Utc.with_ymd_and_hms(2026, 9, 11, 0, 0, 0).unwrap(),
            value: Some(4000.0),
        }],
        ..Default::default()
    };
    ws.store()
        .save_batch(run, ig.get(), collected, &batch, &[])
        .await
        .unwrap();

    // A dry run previews and stores nothing.
    let posts_csv = sample("instagram_posts.csv");
    let mut preview = request(
        ig,
        ImportKind::MetaPosts,
        "/tmp/export/instagram_posts.csv",
        &posts_csv,
        &none,
    );
    preview.dry_run = true;
    let p = import_file(&ws, &preview, now()).await.unwrap();
    assert!(p.dry_run && p.import_id.is_none());
    assert!(p.added > 0);
    assert!(
        list_imports(&ws, None).await.unwrap().is_empty(),
        "a dry run leaves no import"
    );

    // Posts: the API's likes (90) are kept against the file's 85; the API's views (1520)
    // equal the file's: a duplicate. Everything else is added.
    let first = import_file(
        &ws,
        &request(
            ig,
            ImportKind::MetaPosts,
            "/tmp/export/instagram_posts.csv",
            &posts_csv,
            &none,
        ),
        now(),
    )
    .await
    .unwrap();
    assert_eq!(
        (p.added, p.duplicates, p.conflicts.len()),
        (first.added, first.duplicates, first.conflicts.len())
    );
    assert_eq!(first.rows_read, 3);
    assert_eq!(first.posts_created, 2, "the reel was known from the API");
    assert_eq!(first.duplicates, 1);
    assert_eq!(first.conflicts.len(), 1);
    let c = &first.conflicts[0];
    assert_eq!(
        (
            c.metric.as_str(),
            c.post_id.as_deref(),
            c.stored_value,
            c.stored_source,
            c.imported_value
        ),
        ("likes", Some("17900000000000001"), Some(90.0), ValueSource::Api, 85.0)
    );
    // reel: reach, shares, follows, comments, saves (5); carousel: reach, likes, follows,
    // comments, saves (5, empty cells skipped); image: 7.
    assert_eq!(first.added, 17);
    let import_id = first.import_id.unwrap();
    assert_eq!(import_conflicts(&ws, import_id).await.unwrap(), first.conflicts);
    let reel = ws.store().find_posts("17900000000000001", None).await.unwrap();
    assert_eq!(
        reel[0].caption.as_deref(),
        Some("Antes e depois"),
        "an API post keeps its caption"
    );
    let likes = ws
        .store()
        .post_metric_rows(&RowFilter {
            account_ids: vec![ig.get()],
            metrics: vec!["likes".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    let reel_likes: Vec<Option<f64>> = likes
        .iter()
        .filter(|r| r.post_id == "17900000000000001")
        .map(|r| r.value)
        .collect();
    assert_eq!(reel_likes, [Some(90.0)], "the API value stays, alone");
    let stored = list_imports(&ws, Some(ig)).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        (
            stored[0].file_name.as_str(),
            stored[0].added,
            stored[0].conflicts,
            stored[0].duplicates
        ),
        ("instagram_posts.csv", 17, 1, 1)
    );
    assert_eq!(stored[0].sha256.len(), 64);

    // The same bytes again: refused as already imported, nothing added.
    let again = import_file(
        &ws,
        &request(ig, ImportKind::MetaPosts, "copy.csv", &posts_csv, &none),
        now() + chrono::Duration::hours(2),
    )
    .await
    .unwrap();
    assert_eq!(again.already_imported.as_ref().map(|r| r.id), Some(import_id));
    assert_eq!(again.added, 0);
    // An overlapping file (other bytes, same values, one new post): only the new post.
    let mut overlapping = posts_csv.clone();
    overlapping.extend_from_slice(
        b"17900000000000009,17840000000000000,marca_exemplo,Marca Exemplo,Nova,0,09/18/2026 10:00,https://www.instagram.com/p/EXEMPLO9/,IG image,,Lifetime,50,40,3,0,0,1,2\n",
    );
    let overlap = import_file(
        &ws,
        &request(
            ig,
            ImportKind::MetaPosts,
            "instagram_posts (1).csv",
            &overlapping,
            &none,
        ),
        now() + chrono::Duration::hours(3),
    )
    .await
    .unwrap();
    assert_eq!(overlap.posts_created, 1);
    assert_eq!(overlap.added, 7, "the new post's seven values");
    assert_eq!(overlap.duplicates, 1 + 17);
    assert_eq!(overlap.conflicts.len(), 1, "the API's likes again");

    // Days: 10 September came from the API (4000 against the file's 4312): a conflict;
    // August is before the API's first day and extends the series.
    let daily = sample("instagram_views_daily.csv");
    let days = import_file(
        &ws,
        &request(ig, ImportKind::MetaDaily, "Views.csv", &daily, &none),
        now(),
    )
    .await
    .unwrap();
    assert_eq!((days.added, days.duplicates), (3, 0));
    assert_eq!(days.conflicts.len(), 1);
    assert_eq!(days.conflicts[0].day.as_deref(), Some("2026-09-10"));
    assert_eq!(days.conflicts[0].stored_value, Some(4000.0));
    let views = ws
        .store()
        .account_metric_rows(&RowFilter {
            account_ids: vec![ig.get()],
            metrics: vec!["views".into()],
            ..Default::default()
        })
        .await
        .unwrap();
    let series: Vec<(String, Option<f64>)> = views
        .iter()
        .filter(|r| r.period == Period::Day)
        .map(|r| (r.period_start.format("%Y-%m-%d").to_string(), r.value))
        .collect();
    assert_eq!(
        series,
        [
            ("2026-08-22".to_string(), Some(8226.0)),
            ("2026-08-23".to_string(), Some(905.0)),
            ("2026-08-24".to_string(), Some(27.0)),
            ("2026-09-10".to_string(), Some(4000.0)),
        ],
        "history before the API's first day, the API's day kept"
    );

    // A later collection of an imported day takes it over: the API's value wins.
    let run = ws.store().start_run("manual", now()).await.unwrap();
    let retake = CollectionBatch {
        account_metrics: vec![AccountMetric {
            metric: "views".into(),
            period: Period::Day,
            period_start: Utc.with_ymd_and_hms(2026, 8, 22, 0, 0, 0).unwrap(),
            period_end: Utc.with_ymd_and_hms(2026, 8, 23, 0, 0, 0).unwrap(),
            value: Some(8300.0),
        }],
        ..Default::default()
    };
    ws.store().save_batch(run, ig.get(), now(), &retake, &[]).await.unwrap();
    let sql = "SELECT source FROM account_metrics WHERE account_id = $1 AND period_start = '2026-08-22T00:00:00Z'";
    let source: String = alcance_store::on_pool!(ws.store().pool(), |p| sqlx::query_scalar(sql)
        .bind(ig.get())
        .fetch_one(p)
        .await
        .unwrap());
    assert_eq!(source, "api");

    // The kind must fit the account: tweets.js cannot go into Instagram.
    let tweets = sample("tweets.js");
    let wrong = import_file(
        &ws,
        &request(ig, ImportKind::XArchive, "tweets.js", &tweets, &none),
        now(),
    )
    .await
    .unwrap_err();
    assert_eq!(wrong.code(), ErrorCode::InvalidInput);
    let x = account(&ws, Platform::X, "99").await;
    let archive = import_file(
        &ws,
        &request(x, ImportKind::XArchive, "tweets.js", &tweets, &none),
        now(),
    )
    .await
    .unwrap();
    assert_eq!((archive.posts_created, archive.added), (3, 6));
    let sql = "SELECT count(*) FROM posts WHERE account_id = $1 AND source = 'import' AND import_id = $2";
    let marked: i64 = alcance_store::on_pool!(ws.store().pool(), |p| sqlx::query_scalar(sql)
        .bind(x.get())
        .bind(archive.import_id.unwrap())
        .fetch_one(p)
        .await
        .unwrap());
    assert_eq!(marked, 3, "imported posts carry their import");

    // Malformed lines: listed with their numbers, the good lines stored, one import row.
    let bad = sample("instagram_posts_malformed.csv");
    let partial = import_file(&ws, &request(ig, ImportKind::MetaPosts, "bad.csv", &bad, &none), now())
        .await
        .unwrap();
    assert_eq!(partial.errors.len(), 4);
    assert_eq!(partial.posts_created, 1, "post 8");
    let listed = list_imports(&ws, Some(ig)).await.unwrap();
    let row = listed.iter().find(|r| r.file_name == "bad.csv").unwrap();
    assert_eq!((row.rows_read, row.errors, row.id), (6, 4, partial.import_id.unwrap()));
    ws.close().await;
}

both_engines!(imports_are_idempotent_and_never_overwrite_the_api);

/// A large archive: 2,000 tweets parsed and imported into SQLite in one transaction, then
/// the same file refused as already imported. Prints the times (docs/imports.md quotes a
/// run); asserts the counts only.
#[tokio::test]
async fn a_large_archive_imports_in_one_transaction() {
    const N: usize = 2_000;
    let mut js = String::from("window.YTD.tweets.part0 = [\n");
    for i in 0..N {
        if i > 0 {
            js.push_str(",\n");
        }
        js.push_str(&format!(
            "  {{\"tweet\": {{\"id_str\": \"{}\", \"created_at\": \"Wed Oct 10 20:19:24 +0000 2018\", \"full_text\": \"post {i} #alcance\", \"favorite_count\": \"{}\", \"retweet_count\": \"{}\"}}}}",
            1_000_000 + i,
            i % 97,
            i % 13
        ));
    }
    js.push_str("\n]\n");
    let started = std::time::Instant::now();
    let data = parse(ImportKind::XArchive, js.as_bytes(), &ColumnMap::default(), today());
    let parsed = started.elapsed();
    assert_eq!((data.posts.len(), data.errors.len()), (N, 0));

    let dir = tempfile::tempdir().unwrap();
    let Some(ws) = open_workspace(
        Engine::Sqlite,
        dir.path(),
        WorkspaceOptions {
            endpoints: Endpoints::real(),
            vault: Box::new(MemoryVault::new()),
        },
    )
    .await
    else {
        return;
    };
    let x = account(&ws, Platform::X, "7").await;
    let none = ColumnMap::default();
    let started = std::time::Instant::now();
    let done = import_file(
        &ws,
        &request(x, ImportKind::XArchive, "tweets.js", js.as_bytes(), &none),
        now(),
    )
    .await
    .unwrap();
    let imported = started.elapsed();
    assert_eq!((done.posts_created, done.added), (N, 2 * N));
    let again = import_file(
        &ws,
        &request(x, ImportKind::XArchive, "tweets.js", js.as_bytes(), &none),
        now(),
    )
    .await
    .unwrap();
    assert!(again.already_imported.is_some());
    println!(
        "{N} tweets ({} KiB): parsed in {parsed:?}, parsed and imported in {imported:?}",
        js.len() / 1024
    );
    ws.close().await;
}
