//! Recorded Instagram exchanges (`../shared/fixtures/instagram/*.json`, see its README)
//! served by the fake and read through the client's wire DTOs and mapping, checked value
//! by value. Skips with a message when the folder is absent. Nothing is copied from it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::meta_fake;

use alcance_core::{AccountMetric, ContentType, Period, Profile};
use alcance_platforms::instagram::{DiscoveredAccount, InsightsResult, MediaItem, MediaListing, MetricMemory};
use alcance_platforms::{CollectWindow, PlatformError, Recorder};
use chrono::{DateTime, Duration, TimeZone, Utc};
use meta_fake::common::{fixtures_dir, json_files};
use meta_fake::{token, Exchange, FakeGraph, Reply, Req};

#[derive(Debug)]
enum Outcome {
    Profile(Profile, Vec<AccountMetric>),
    Discovery(DiscoveredAccount),
    Node(MediaItem),
    Listing(MediaListing),
    Insights(InsightsResult),
}

fn serve_all(x: Exchange) -> impl Fn(&Req) -> Option<Reply> + Send + Sync + 'static {
    move |r: &Req| (r.path == x.path).then(|| x.reply.clone())
}

fn ts(s: &str) -> Option<DateTime<Utc>> {
    s.parse::<i64>().ok().and_then(|n| Utc.timestamp_opt(n, 0).single())
}

/// Calls the client method this exchange answers, with the fake serving the recording for
/// the matching requests only (everything else hits the catch-all 500).
async fn replay(x: &Exchange) -> Result<Outcome, PlatformError> {
    let segments: Vec<&str> = x.path.trim_start_matches('/').split('/').collect();
    let id = segments[0].to_string();
    let edge = segments.get(1).copied().unwrap_or_default().to_string();
    let rec = Recorder::new();
    let t = token();
    let has = |k: &str| x.q(k).is_some();
    match edge.as_str() {
        "insights" if has("breakdown") && x.q("period") == Some("lifetime") => {
            let (metric, breakdown) = (x.q("metric").map(str::to_string), x.q("breakdown").map(str::to_string));
            let xc = x.clone();
            let fake = FakeGraph::start(move |r| {
                (r.path == xc.path && r.q("metric") == metric.as_deref() && r.q("breakdown") == breakdown.as_deref())
                    .then(|| xc.reply.clone())
            })
            .await;
            fake.client().demographics(&t, &id, &rec).await.map(Outcome::Insights)
        }
        "insights" if has("breakdown") && has("period") => {
            let breakdown = x.q("breakdown").map(str::to_string);
            let xc = x.clone();
            let fake = FakeGraph::start(move |r| {
                (r.path == xc.path && r.q("breakdown") == breakdown.as_deref()).then(|| xc.reply.clone())
            })
            .await;
            let until = Utc.with_ymd_and_hms(2023, 11, 9, 1, 0, 0).unwrap();
            let window = CollectWindow {
                since: until - Duration::hours(25),
                until,
            };
            fake.client()
                .account_insights(&t, &id, window, &rec)
                .await
                .map(Outcome::Insights)
        }
        "insights" if has("period") => {
            let xc = x.clone();
            let fake = FakeGraph::start(move |r| {
                (r.path == xc.path && r.q("metric_type").is_none()).then(|| xc.reply.clone())
            })
            .await;
            let window = match (x.q("since").and_then(ts), x.q("until").and_then(ts)) {
                (Some(since), Some(until)) => CollectWindow { since, until },
                _ => {
                    let until = Utc.with_ymd_and_hms(2017, 5, 5, 12, 0, 0).unwrap();
                    CollectWindow {
                        since: until - Duration::days(2),
                        until,
                    }
                }
            };
            fake.client()
                .account_insights(&t, &id, window, &rec)
                .await
                .map(Outcome::Insights)
        }
        "insights" => {
            let metrics: Vec<String> = x
                .q("metric")
                .unwrap_or_default()
                .split(',')
                .map(|m| m.trim().to_string())
                .collect();
            let list: Vec<&str> = metrics.iter().map(String::as_str).collect();
            let fake = FakeGraph::start(serve_all(x.clone())).await;
            let mut memory = MetricMemory::new();
            fake.client()
                .media_insights_metrics(&t, &id, &list, &mut memory, &rec)
                .await
                .map(Outcome::Insights)
        }
        "media" | "stories" => {
            let first_page = !has("after");
            let xc = x.clone();
            let fake = FakeGraph::start(move |r| {
                (r.path == xc.path && (!first_page || r.q("after").is_none())).then(|| xc.reply.clone())
            })
            .await;
            let c = fake.client();
            if edge == "media" {
                let since = Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap();
                c.media(&t, &id, since, &rec).await.map(Outcome::Listing)
            } else {
                c.stories(&t, &id, &rec).await.map(Outcome::Listing)
            }
        }
        "" if x
            .q("fields")
            .is_some_and(|f| f.starts_with("business_discovery.username(")) =>
        {
            let fields = x.q("fields").unwrap_or_default();
            let username = fields["business_discovery.username(".len()..]
                .split(')')
                .next()
                .unwrap_or_default()
                .to_string();
            let fake = FakeGraph::start(serve_all(x.clone())).await;
            fake.client()
                .business_discovery(&t, &id, &username, &rec)
                .await
                .map(Outcome::Discovery)
        }
        "" if x.body.get("media_type").is_some() => {
            let fake = FakeGraph::start(serve_all(x.clone())).await;
            fake.client().media_node(&t, &id, &rec).await.map(Outcome::Node)
        }
        "" => {
            let fake = FakeGraph::start(serve_all(x.clone())).await;
            fake.client()
                .profile(&t, &id, &rec)
                .await
                .map(|(p, m)| Outcome::Profile(p, m))
        }
        other => panic!("no client method reads the {other:?} edge ({})", x.path),
    }
}

fn post(r: &InsightsResult, key: &str) -> Option<f64> {
    r.post_metrics
        .iter()
        .find(|m| m.metric == key)
        .unwrap_or_else(|| panic!("{key} missing in {:#?}", r.post_metrics))
        .value
}

fn acct(r: &InsightsResult, key: &str, period: Period, end: &str) -> Option<f64> {
    let end = DateTime::parse_from_rfc3339(end)
        .map(|d| d.with_timezone(&Utc))
        .expect("end");
    r.account_metrics
        .iter()
        .find(|m| m.metric == key && m.period == period && m.period_end == end)
        .unwrap_or_else(|| panic!("{key} {period:?} ending {end} missing"))
        .value
}

fn slice(r: &InsightsResult, audience: &str, dimension: &str, key: &str) -> f64 {
    r.audience
        .iter()
        .find(|a| a.audience == audience && a.dimension == dimension && a.key == key)
        .unwrap_or_else(|| panic!("{audience}/{dimension}/{key} missing"))
        .value
}

fn gap_codes(r: &InsightsResult) -> Vec<(String, String)> {
    let mut g: Vec<(String, String)> = r.gaps.iter().map(|g| (g.what.clone(), g.code.clone())).collect();
    g.sort();
    g
}

/// Field-by-field checks of recorded values; returns false for files without specific checks.
fn check(name: &str, out: &Outcome) -> bool {
    use Outcome::*;
    match (name, out) {
        ("python-facebook__user-profile-fields.json", Profile(p, m)) => {
            assert_eq!(p.external_id, "17841407673135339");
            assert_eq!(p.username.as_deref(), Some("facebookfordevelopers"));
            assert_eq!(p.display_name.as_deref(), Some("Facebook for Developers"));
            let v = |k: &str| m.iter().find(|x| x.metric == k).and_then(|x| x.value);
            assert_eq!(v("followers"), Some(64363.0));
            assert_eq!(v("media_count"), Some(427.0));
            assert_eq!(v("following"), None, "follows_count was not recorded");
        }
        ("python-facebook__business-discovery.json", Discovery(d)) => {
            assert_eq!(d.profile.external_id, "17841400455970028");
            assert_eq!(d.profile.display_name.as_deref(), Some("Facebook"));
            let v = |k: &str| d.metrics.iter().find(|x| x.metric == k).and_then(|x| x.value);
            assert_eq!(v("followers"), Some(3_425_960.0));
            assert_eq!(v("media_count"), Some(355.0));
            let first = &d.media[0];
            assert_eq!(first.post.external_id, "18034953040210006");
            assert_eq!(first.post.content_type, ContentType::Video);
            assert_eq!(
                first.post.published_at,
                Utc.with_ymd_and_hms(2019, 10, 15, 16, 56, 13).single()
            );
            let likes = first
                .node_metrics
                .iter()
                .find(|m| m.metric == "likes")
                .and_then(|m| m.value);
            let comments = first
                .node_metrics
                .iter()
                .find(|m| m.metric == "comments")
                .and_then(|m| m.value);
            assert_eq!((likes, comments), (Some(2010.0), Some(81.0)));
        }
        ("airbyte__media-insights-reels.json", Insights(r)) => {
            assert_eq!(post(r, "comments"), Some(7.0));
            assert_eq!(post(r, "watch_time_avg_seconds"), Some(12.549));
            assert_eq!(post(r, "watch_time_seconds"), Some(30017.581));
            assert_eq!(post(r, "likes"), Some(108.0));
            assert_eq!(post(r, "video_views"), Some(2385.0), "legacy plays");
            assert_eq!(post(r, "reach"), Some(2006.0));
            assert_eq!(post(r, "saves"), Some(7.0));
            assert_eq!(post(r, "shares"), Some(1.0));
            assert_eq!(
                gap_codes(r),
                vec![
                    ("clips_replays_count".into(), "unknown_metric".into()),
                    ("ig_reels_aggregated_all_plays_count".into(), "unknown_metric".into()),
                ]
            );
        }
        ("airbyte__media-insights-error-2108006.json", Insights(r)) => {
            assert!(r.post_metrics.is_empty());
            assert_eq!(r.gaps.len(), 1);
            assert_eq!(r.gaps[0].code, "media_before_business");
            assert_eq!(r.gaps[0].object_id, "35076616084176124");
            assert!(r.gaps[0]
                .detail
                .contains("Media posted before business account conversion"));
        }
        ("airbyte__story-insights.json", Insights(r)) => {
            assert_eq!(post(r, "replies"), Some(0.0));
            assert_eq!(post(r, "impressions"), Some(105.0));
            assert_eq!(post(r, "reach"), Some(105.0));
            assert_eq!(post(r, "follows"), Some(5.0));
            assert_eq!(post(r, "profile_views"), Some(23.0));
            assert_eq!(post(r, "shares"), Some(0.0));
            assert_eq!(post(r, "total_interactions"), Some(4.0));
            assert!(r.gaps.is_empty());
        }
        ("airbyte__user-lifetime-insights-age-gender.json", Insights(r)) => {
            let followers: Vec<_> = r.audience.iter().filter(|a| a.audience == "followers").collect();
            assert_eq!(followers.len(), 6);
            assert_eq!(slice(r, "followers", "age,gender", "18-24,F"), 10.0);
            assert_eq!(slice(r, "followers", "age,gender", "18-24,U"), 1.0);
            assert_eq!(slice(r, "followers", "age,gender", "25-34,F"), 25.0);
            assert_eq!(slice(r, "followers", "age,gender", "25-34,M"), 19.0);
            assert!(followers.iter().all(|a| a.timeframe == "this_month"));
        }
        ("python-facebook__user-insights-reach-breakdown.json", Insights(r)) => {
            assert_eq!(r.audience.len(), 14);
            assert_eq!(
                slice(r, "reach", "media_product_type,follow_type", "REEL,FOLLOWER"),
                58345.0
            );
            assert_eq!(
                slice(r, "reach", "media_product_type,follow_type", "AD,NON_FOLLOWER"),
                14_357_147.0
            );
            assert_eq!(
                slice(
                    r,
                    "reach",
                    "media_product_type,follow_type",
                    "AR_EFFECT_PREVIEW,FOLLOWER"
                ),
                6.0
            );
            assert!(r.audience.iter().all(|a| a.timeframe == "day:2023-11-08"));
        }
        ("python-facebook__user-insights-day-2019.json", Insights(r)) => {
            assert_eq!(
                acct(r, "followers_gained", Period::Day, "2019-12-20T08:00:00Z"),
                Some(5.0)
            );
            assert_eq!(
                acct(r, "followers_gained", Period::Day, "2019-12-29T08:00:00Z"),
                Some(2.0)
            );
            assert_eq!(
                acct(r, "impressions", Period::Day, "2019-12-24T08:00:00Z"),
                Some(3983.0)
            );
            let first = r
                .account_metrics
                .iter()
                .find(|m| m.metric == "followers_gained")
                .expect("series");
            assert_eq!(first.period_end - first.period_start, Duration::days(1));
            assert_eq!(
                r.account_metrics
                    .iter()
                    .filter(|m| m.period == Period::Day && m.period_start.format("%H").to_string() == "08")
                    .count(),
                20
            );
        }
        ("python-facebook__user-insights-days28-2019.json", Insights(r)) => {
            assert_eq!(acct(r, "reach", Period::Days28, "2019-12-20T08:00:00Z"), Some(28629.0));
            assert_eq!(
                acct(r, "impressions", Period::Days28, "2019-12-29T08:00:00Z"),
                Some(23046.0)
            );
            let m = r
                .account_metrics
                .iter()
                .find(|m| m.period == Period::Days28)
                .expect("days_28");
            assert_eq!(m.period_end - m.period_start, Duration::days(28));
        }
        ("python-facebook__user-insights-legacy-doc.json", Insights(r)) => {
            assert_eq!(acct(r, "profile_views", Period::Day, "2017-05-05T07:00:00Z"), Some(2.0));
            assert_eq!(acct(r, "reach", Period::Day, "2017-05-04T07:00:00Z"), Some(3.0));
            assert_eq!(acct(r, "impressions", Period::Day, "2017-05-05T07:00:00Z"), Some(66.0));
        }
        ("python-facebook__user-media-p1.json", Listing(l)) => {
            assert_eq!(l.items.len(), 2);
            assert_eq!(l.items[1].post.external_id, "17896622936197745");
            let v = |k: &str| {
                l.items[1]
                    .node_metrics
                    .iter()
                    .find(|m| m.metric == k)
                    .and_then(|m| m.value)
            };
            assert_eq!((v("likes"), v("comments")), (Some(2.0), Some(6.0)));
            assert_eq!(
                l.items[0].post.published_at,
                Utc.with_ymd_and_hms(2021, 8, 13, 8, 25, 28).single()
            );
            assert_eq!(l.items[0].post.content_type, ContentType::Image);
            // The next page is not recorded: the fake's 500 becomes a warning.
            assert_eq!(l.warnings.len(), 1);
        }
        ("python-facebook__user-media-p2.json", Listing(l)) => {
            assert_eq!(l.items.len(), 2);
            assert_eq!(l.items[0].post.content_type, ContentType::Carousel);
            assert_eq!(l.items[0].post.caption.as_deref(), Some("ALBUM"));
            assert_eq!(l.items[1].post.caption.as_deref(), Some("Peach new"));
            assert_eq!(l.pages, 1, "no next link on the last page");
        }
        ("python-facebook__user-stories.json", Listing(l)) => {
            assert_eq!(l.items.len(), 2);
            assert!(l.items.iter().all(|i| i.post.content_type == ContentType::Story));
            assert_eq!(l.items[0].post.external_id, "17879450117512729");
            assert_eq!(
                l.items[0].post.published_at,
                Utc.with_ymd_and_hms(2021, 8, 19, 10, 19, 23).single()
            );
            assert_eq!(l.items[1].media_type.as_deref(), Some("VIDEO"));
        }
        ("python-facebook__user-stories-fields-p1.json", Listing(l)) => {
            let ids: Vec<&str> = l.items.iter().map(|i| i.post.external_id.as_str()).collect();
            assert_eq!(ids, vec!["18168273289049440", "17876166859931045"]);
            assert!(
                l.items.iter().all(|i| i.post.published_at.is_none()),
                "timestamp was not requested then"
            );
        }
        ("python-facebook__media-node-default-fields.json", Node(n)) => {
            assert_eq!(n.post.content_type, ContentType::Carousel);
            assert_eq!(
                n.post.permalink.as_deref(),
                Some("https://www.instagram.com/p/CRyZpmrjYC4/")
            );
            let v = |k: &str| n.node_metrics.iter().find(|m| m.metric == k).and_then(|m| m.value);
            assert_eq!((v("likes"), v("comments")), (Some(1.0), Some(0.0)));
        }
        ("python-facebook__story-node.json", Node(n)) => {
            assert_eq!(n.post.caption.as_deref(), Some("Nice"));
            assert_eq!(
                n.post.published_at,
                Utc.with_ymd_and_hms(2020, 10, 16, 12, 48, 2).single()
            );
            assert_eq!(
                n.post.content_type,
                ContentType::Image,
                "no media_product_type recorded"
            );
        }
        ("python-facebook__media-insights-carousel-2020.json", Insights(r)) => {
            assert_eq!(post(r, "saves"), Some(5.0));
            assert_eq!(post(r, "video_views"), Some(0.0));
            let unknown = r.gaps.iter().filter(|g| g.code == "unknown_metric").count();
            assert_eq!(unknown, 3, "carousel_album_* are not in the catalog");
        }
        ("python-facebook__media-insights-legacy.json", Insights(r)) => {
            assert_eq!(post(r, "impressions"), Some(8.0));
            assert_eq!(post(r, "reach"), Some(5.0));
            assert_eq!(post(r, "saves"), Some(0.0));
        }
        ("python-facebook__media-insights-photo-2020.json", Insights(r)) => {
            assert_eq!(post(r, "total_interactions"), Some(65.0), "legacy engagement");
            assert_eq!(post(r, "impressions"), Some(1081.0));
            assert_eq!(post(r, "reach"), Some(948.0));
            assert_eq!(post(r, "saves"), Some(1.0));
        }
        ("python-facebook__media-insights-profile-activity.json", Insights(r)) => {
            assert_eq!(post(r, "profile_activity"), Some(11.0));
        }
        _ => return false,
    }
    true
}

#[tokio::test]
async fn every_recorded_instagram_exchange_decodes() {
    let Some(dir) = fixtures_dir("instagram") else {
        println!("skipping: ../shared/fixtures/instagram not found (set ALCANCE_FIXTURES_DIR to run)");
        return;
    };
    let files: Vec<_> = json_files(&dir)
        .into_iter()
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with(".webhook.json"))
        })
        .collect();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    let mut checked = 0;
    for path in &files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let x = Exchange::load(path);
        let outcome = replay(&x).await;
        match outcome {
            Ok(out) => {
                if check(&name, &out) {
                    checked += 1;
                } else {
                    println!("{name}: decoded ({out:?}), no value checks");
                }
            }
            Err(e) => {
                assert!(
                    x.reply.status >= 400,
                    "{name}: a recorded {} answer failed: {e}",
                    x.reply.status
                );
                println!("{name}: recorded error read as {e:?}");
            }
        }
    }
    println!("{} fixtures replayed, {checked} checked value by value", files.len());
    assert!(checked >= 15, "only {checked} fixtures had value checks");
}

#[tokio::test]
async fn the_two_recorded_media_pages_chain_through_the_cursor() {
    let Some(dir) = fixtures_dir("instagram") else {
        println!("skipping: ../shared/fixtures/instagram not found");
        return;
    };
    let p1 = dir.join("python-facebook__user-media-p1.json");
    let p2 = dir.join("python-facebook__user-media-p2.json");
    if !p1.is_file() || !p2.is_file() {
        println!("skipping: the user-media page fixtures are absent");
        return;
    }
    let (p1, p2) = (Exchange::load(&p1), Exchange::load(&p2));
    let after = p2.q("after").map(str::to_string);
    let fake = FakeGraph::start(move |r| {
        (r.path == p1.path).then(|| {
            if r.q("after").is_some() && r.q("after") == after.as_deref() {
                p2.reply.clone()
            } else {
                p1.reply.clone()
            }
        })
    })
    .await;
    let since = Utc.with_ymd_and_hms(2021, 7, 1, 0, 0, 0).unwrap();
    let l = fake
        .client()
        .media(&token(), "17841406338772941", since, &Recorder::new())
        .await
        .expect("media");
    let ids: Vec<&str> = l.items.iter().map(|i| i.post.external_id.as_str()).collect();
    // The fourth media (2021-06-09) is older than `since`.
    assert_eq!(ids, vec!["17895731045244887", "17896622936197745", "17896129349106152"]);
    assert_eq!(l.pages, 2);
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
}

/// The recorded `field` of item `i` of an exchange's `data`.
fn recorded(x: &Exchange, i: usize, field: &str) -> String {
    x.body["data"][i][field].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn recorded_media_and_stories_keep_their_picture_urls() {
    let Some(dir) = fixtures_dir("instagram") else {
        println!("skipping: ../shared/fixtures/instagram not found");
        return;
    };
    use alcance_core::MediaKind::Image;
    // (file, per item: the field whose URL is the picture, or None for no picture)
    let cases: [(&str, &[Option<&str>]); 4] = [
        (
            "python-facebook__user-media-p1.json",
            &[Some("media_url"), Some("media_url")],
        ),
        // A CAROUSEL_ALBUM's media_url is its cover.
        (
            "python-facebook__user-media-p2.json",
            &[Some("media_url"), Some("media_url")],
        ),
        // An IMAGE story, then a VIDEO story with its mp4 as media_url and no thumbnail_url.
        ("python-facebook__user-stories.json", &[Some("media_url"), None]),
        (
            "python-facebook__user-stories-fields-p1.json",
            &[Some("media_url"), Some("media_url")],
        ),
    ];
    for (file, expected) in cases {
        let path = dir.join(file);
        if !path.is_file() {
            println!("skipping {file}: absent");
            continue;
        }
        let x = Exchange::load(&path);
        let Ok(Outcome::Listing(l)) = replay(&x).await else {
            panic!("{file}: not a listing");
        };
        assert_eq!(l.items.len(), expected.len(), "{file}");
        for (i, (item, field)) in l.items.iter().zip(expected).enumerate() {
            let got: Vec<(&str, alcance_core::MediaKind, &str)> = item
                .pictures
                .iter()
                .map(|m| (m.post_external_id.as_str(), m.kind, m.url.as_str()))
                .collect();
            match field {
                Some(f) => {
                    let url = recorded(&x, i, f);
                    assert!(url.starts_with("https://scontent-"), "{file} item {i}: {url}");
                    assert_eq!(
                        got,
                        vec![(item.post.external_id.as_str(), Image, url.as_str())],
                        "{file} item {i}"
                    );
                }
                None => assert!(got.is_empty(), "{file} item {i}: {got:?}"),
            }
        }
    }
    // One URL spelled out: the first recorded IMAGE of page 1, query (signature) included.
    let x = Exchange::load(&dir.join("python-facebook__user-media-p1.json"));
    let Ok(Outcome::Listing(l)) = replay(&x).await else {
        panic!("page 1: not a listing");
    };
    let url = &l.items[0].pictures[0].url;
    assert!(
        url.starts_with(
            "https://scontent-gmp1-1.cdninstagram.com/v/t51.29350-15/235924128_269317301288861_6602043128777306709_n.jpg?"
        ) && url.ends_with("&oe=61227755"),
        "{url}"
    );
}
