//! The weekly report on three hand-made weeks of two accounts: KPI numbers, top posts,
//! trends and the three files (XLSX with native charts and a color scale, self-contained
//! HTML with inline SVG, JSON).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use alcance_core::analytics::best_time::Normalization;
use alcance_core::{AccountMetricRow, Period, Platform, PostMetricRow};
use alcance_report::export::{AccountInfo, PostInfo};
use alcance_report::weekly::{
    build_weekly, last_complete_week, posts_read_from, week_of, write_weekly_report, VoicesInput, WeeklyInput,
    WeeklyOptions, WeeklyReport, KPI_ER_IMPRESSIONS, KPI_ER_REACH, KPI_INTERACTIONS_GAINED, KPI_POSTS_PUBLISHED,
};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use std::io::Read;

/// `d` days after Monday 2026-11-02 at `h`:00 UTC.
pub(crate) fn t(d: i64, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, h, 0, 0).single().expect("valid") + Duration::days(d)
}

pub(crate) fn accounts() -> Vec<AccountInfo> {
    vec![
        AccountInfo {
            platform: Platform::X,
            user_id: "1".into(),
            username: Some("brand<x>".into()),
            display_name: None,
            owned: true,
            status: "active".into(),
        },
        AccountInfo {
            platform: Platform::Instagram,
            user_id: "2".into(),
            username: Some("brand.ig".into()),
            display_name: None,
            owned: true,
            status: "active".into(),
        },
    ]
}

fn snapshot(platform: Platform, user: &str, metric: &str, at: DateTime<Utc>, v: f64) -> AccountMetricRow {
    AccountMetricRow {
        user_id: user.into(),
        username: None,
        platform,
        metric_type: metric.into(),
        period: Period::Snapshot,
        value: Some(v),
        collected_at: at,
        period_start: at,
        period_end: at,
    }
}

fn day_row(metric: &str, d: i64, v: f64) -> AccountMetricRow {
    AccountMetricRow {
        user_id: "2".into(),
        username: None,
        platform: Platform::Instagram,
        metric_type: metric.into(),
        period: Period::Day,
        value: Some(v),
        // Day rows are read the next day (and again later): the collection time must not
        // move them out of their week.
        collected_at: t(d + 2, 13),
        period_start: t(d, 0),
        period_end: t(d + 1, 0),
    }
}

fn post_row(
    platform: Platform,
    user: &str,
    post: &str,
    ct: &str,
    published: DateTime<Utc>,
    metric: &str,
    v: f64,
) -> PostMetricRow {
    PostMetricRow {
        user_id: user.into(),
        platform,
        post_id: post.into(),
        content_type: ct.into(),
        published_at: Some(published),
        metric_type: metric.into(),
        value: Some(v),
        collected_at: published + Duration::hours(1),
    }
}

/// Three weeks from Monday 2026-11-02. X (@brand<x>): followers 1000 + 10/day, a text post
/// a day at 20:00 UTC with 10 likes, 2 reposts, 400 impressions. Instagram (@brand.ig):
/// followers 2000 + 20/day, daily reach 100 (150 in the third week), an image a day at
/// 12:00 UTC with 30 likes (40 in the third week), 5 comments, 500 reach.
pub(crate) fn rows() -> (Vec<AccountMetricRow>, Vec<PostMetricRow>, Vec<PostInfo>) {
    let mut account = Vec::new();
    let mut posts = Vec::new();
    let mut infos = Vec::new();
    for d in 0..21i64 {
        account.push(snapshot(
            Platform::X,
            "1",
            "followers",
            t(d, 13),
            1000.0 + 10.0 * d as f64,
        ));
        account.push(snapshot(
            Platform::Instagram,
            "2",
            "followers",
            t(d, 13),
            2000.0 + 20.0 * d as f64,
        ));
        account.push(day_row("reach", d, if d >= 14 { 150.0 } else { 100.0 }));
        let xp = format!("x{d}");
        for (m, v) in [("likes", 10.0), ("reposts", 2.0), ("impressions", 400.0)] {
            posts.push(post_row(Platform::X, "1", &xp, "text", t(d, 20), m, v));
        }
        let ip = format!("ig{d}");
        let likes = if d >= 14 { 40.0 } else { 30.0 };
        for (m, v) in [("likes", likes), ("comments", 5.0), ("reach", 500.0)] {
            posts.push(post_row(Platform::Instagram, "2", &ip, "image", t(d, 12), m, v));
        }
        infos.push(PostInfo {
            platform: Platform::Instagram,
            user_id: "2".into(),
            post_id: ip,
            content_type: "image".into(),
            published_at: Some(t(d, 12)),
            permalink: Some(format!("https://www.instagram.com/p/ig{d}/")),
            caption: Some(format!("Post <b>{d}</b>")),
        });
    }
    (account, posts, infos)
}

pub(crate) fn report() -> WeeklyReport {
    let (account, posts, infos) = rows();
    let accounts = accounts();
    let options = WeeklyOptions::default();
    build_weekly(&WeeklyInput {
        week: week_of(NaiveDate::from_ymd_opt(2026, 11, 18).expect("day")),
        time_zone: "America/Sao_Paulo".parse().expect("tz"),
        generated_at: t(24, 9),
        accounts: &accounts,
        account_rows: &account,
        post_rows: &posts,
        posts: &infos,
        options: &options,
        voices: &VoicesInput::default(),
    })
}

fn summary(r: &WeeklyReport, key: &str) -> (Option<f64>, Option<f64>, Option<f64>) {
    let l = r
        .summary
        .iter()
        .find(|l| l.key == key)
        .unwrap_or_else(|| panic!("no {key}"));
    (l.change.current, l.change.previous, l.change.pct_change)
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9 * b.abs().max(1.0))
}

#[test]
fn weeks_run_monday_to_monday_utc() {
    let w = week_of(NaiveDate::from_ymd_opt(2026, 11, 22).expect("sunday"));
    assert_eq!((w.start, w.end), (t(14, 0), t(21, 0)));
    assert_eq!(
        last_complete_week(t(21, 0)).start,
        t(14, 0),
        "Monday 00:00: last week is complete"
    );
    assert_eq!(last_complete_week(t(23, 15)).start, t(14, 0));
    assert_eq!(last_complete_week(t(20, 23)).start, t(7, 0));
}

#[test]
fn summary_kpis_compare_the_week_with_the_one_before() {
    let r = report();
    assert_eq!((r.week.start, r.previous_week.start), (t(14, 0), t(7, 0)));
    assert_eq!(r.posts_as_of, t(23, 0), "48 h after the week");
    // Followers: last snapshot of each week (day 20 and day 13), both accounts.
    let (cur, prev, pct) = summary(&r, "followers");
    assert_eq!((cur, prev), (Some(1200.0 + 2400.0), Some(1130.0 + 2260.0)));
    assert!(close(pct, 210.0 / 3390.0 * 100.0));
    assert_eq!(summary(&r, KPI_POSTS_PUBLISHED), (Some(14.0), Some(14.0), Some(0.0)));
    // Daily reach summed: 7 × 150 against 7 × 100.
    assert_eq!(summary(&r, "reach"), (Some(1050.0), Some(700.0), Some(50.0)));
    // Interactions gained: X 12 a day, Instagram 35 then 45 a day.
    assert_eq!(
        summary(&r, KPI_INTERACTIONS_GAINED),
        (
            Some(7.0 * 12.0 + 7.0 * 45.0),
            Some(7.0 * 12.0 + 7.0 * 35.0),
            Some((399.0 - 329.0) / 329.0 * 100.0)
        )
    );
    // Engagement rates of the week's posts: 45 / 500 against 35 / 500; 12 / 400 flat.
    let (cur, prev, _) = summary(&r, KPI_ER_REACH);
    assert!(close(cur, 9.0) && close(prev, 7.0));
    let (cur, prev, pct) = summary(&r, KPI_ER_IMPRESSIONS);
    assert!(close(cur, 3.0) && close(prev, 3.0) && close(pct, 0.0));
    // Per account lines carry the account.
    let ig_followers = r
        .account_kpis
        .iter()
        .find(|l| l.key == "followers" && l.platform == Some(Platform::Instagram))
        .expect("ig followers");
    assert_eq!(ig_followers.account.as_deref(), Some("@brand.ig (Instagram)"));
    assert_eq!(ig_followers.change.abs_change, Some(140.0));
    assert!(
        !r.account_kpis
            .iter()
            .any(|l| l.key == "reach" && l.platform == Some(Platform::X)),
        "X serves no reach: no line rather than a 0"
    );
}

#[test]
fn top_posts_trends_content_and_best_times_come_from_the_analytics() {
    let r = report();
    assert_eq!(r.top_posts.len(), 10);
    let first = &r.top_posts[0];
    assert_eq!(
        (first.post_id.as_str(), first.interactions),
        ("ig20", 45.0),
        "ties go to the newer post"
    );
    assert!(close(first.engagement_rate_by_reach, 9.0));
    assert_eq!(first.engagement_rate_by_impressions, None);
    assert_eq!(first.permalink.as_deref(), Some("https://www.instagram.com/p/ig20/"));
    assert!(r.top_posts[..7].iter().all(|p| p.platform == Platform::Instagram));
    assert_eq!(r.top_posts[7].interactions, 12.0);

    assert_eq!(r.trends.days.len(), 28);
    assert_eq!(r.trends.days.last().copied(), NaiveDate::from_ymd_opt(2026, 11, 22));
    let x = r
        .trends
        .engagement
        .iter()
        .find(|l| l.label.starts_with("@brand<x>"))
        .expect("x line");
    // The 28 days start a week before the data: no collection is no point, not 0.
    assert_eq!(x.values[..7], [None; 7]);
    assert_eq!(x.values[7..], [Some(12.0); 21]);
    let ig_followers = r
        .trends
        .followers
        .iter()
        .find(|l| l.label == "@brand.ig (Instagram)")
        .expect("ig followers");
    assert_eq!(ig_followers.values.last().copied().flatten(), Some(2400.0));

    assert_eq!(
        r.content_types
            .iter()
            .map(|c| (c.content_type.as_str(), c.posts))
            .collect::<Vec<_>>(),
        [("image", 21), ("text", 21)]
    );
    let text = &r.content_types[1];
    assert_eq!(text.mean_interactions, Some(12.0));
    assert_eq!(text.engagement_rate_by_reach, None);
    assert!(close(text.engagement_rate_by_impressions, 3.0));

    let bt = &r.best_time;
    assert_eq!(bt.time_zone, "America/Sao_Paulo");
    assert_eq!(bt.options.normalization, Normalization::PerAccount);
    // Posts of the last 48 h before the week's end are too young.
    assert_eq!(bt.posts_used, 2 * 19);
    // 20:00 UTC is 17:00 in São Paulo, 12:00 UTC is 09:00.
    assert!(bt.top.iter().all(|s| s.hour == 17 || s.hour == 9), "{:?}", bt.top);
    assert_eq!(r.recommendations.len(), 2, "one group per owned account");
}

#[test]
fn the_three_files_hold_native_charts_inline_svg_and_json() {
    let r = report();
    let dir = tempfile::tempdir().expect("tempdir");
    let files = write_weekly_report(&r, dir.path()).expect("write");

    let mut zip = zip::ZipArchive::new(std::fs::File::open(&files.xlsx).expect("xlsx")).expect("zip");
    let part = |zip: &mut zip::ZipArchive<std::fs::File>, name: &str| {
        let mut text = String::new();
        zip.by_name(name)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .read_to_string(&mut text)
            .expect("utf-8");
        text
    };
    let engagement = part(&mut zip, "xl/charts/chart1.xml");
    assert!(engagement.contains("<c:lineChart>") && engagement.contains("Daily engagement"));
    assert!(engagement.contains("<c:dateAx>"), "a date axis");
    let followers = part(&mut zip, "xl/charts/chart2.xml");
    assert!(followers.contains("<c:lineChart>") && followers.contains("Follower growth"));
    let content = part(&mut zip, "xl/charts/chart3.xml");
    assert!(content.contains("<c:barChart>") && content.contains("<c:barDir val=\"col\"/>"));
    let workbook = part(&mut zip, "xl/workbook.xml");
    for sheet in ["Summary", "Trends", "Content types", "Best times", "Top posts"] {
        assert!(workbook.contains(&format!("name=\"{sheet}\"")), "{sheet}");
    }
    let heat = part(&mut zip, "xl/worksheets/sheet4.xml");
    assert!(heat.contains("<colorScale>") && heat.contains("<conditionalFormatting sqref=\"B5:Y11\">"));

    let html = std::fs::read_to_string(&files.html).expect("html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.matches("<svg").count() >= 3,
        "engagement, followers and content charts inline"
    );
    for bad in [
        "src=\"http",
        "href=\"http",
        "src='http",
        "href='http",
        "url(http",
        "<script",
        "<link",
        "@import",
        "<img",
    ] {
        assert!(!html.contains(bad), "{bad} in the HTML");
    }
    assert!(html.contains("@media print") && html.contains("@page"));
    assert!(
        html.contains("@brand&lt;x&gt; (X)") && !html.contains("brand<x>"),
        "labels are escaped"
    );
    assert!(html.contains("Post &lt;b&gt;20&lt;/b&gt;"), "captions are escaped");

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&files.json).expect("json")).expect("valid json");
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["week"]["start"], "2026-11-16T00:00:00Z");
    assert_eq!(json["summary"][0]["key"], "followers");
    assert_eq!(json["summary"][0]["change"]["current"], 3600.0);
    assert_eq!(json["best_time"]["slots"].as_array().map(Vec::len), Some(168));
}

#[test]
fn an_empty_workspace_still_gets_a_report() {
    let options = WeeklyOptions::default();
    let r = build_weekly(&WeeklyInput {
        week: week_of(NaiveDate::from_ymd_opt(2026, 11, 18).expect("day")),
        time_zone: "UTC".parse().expect("tz"),
        generated_at: t(24, 9),
        accounts: &[],
        account_rows: &[],
        post_rows: &[],
        posts: &[],
        options: &options,
        voices: &VoicesInput::default(),
    });
    assert!(r.summary.is_empty() && r.top_posts.is_empty() && r.best_time.top.is_empty());
    let dir = tempfile::tempdir().expect("tempdir");
    let files = write_weekly_report(&r, dir.path()).expect("write");
    let html = std::fs::read_to_string(files.html).expect("html");
    assert!(html.contains("No data yet") && html.contains("No post was published this week"));
}

/// Of the post snapshots before [`posts_read_from`], the report uses only each post and
/// metric's latest one and its latest one with a value (what
/// `Store::post_metric_rows_carried` reads): the report built from those equals the one
/// built from every snapshot. Eight weeks of two accounts whose posts are re-read every
/// day, with growing totals, empty readings, a metric no longer read, posts first seen
/// late and posts read before and after the trend's first day.
#[test]
fn the_carried_snapshots_give_the_same_report_as_every_snapshot() {
    let (account, _, infos) = rows();
    let accounts = accounts();
    let options = WeeklyOptions::default();
    let week = week_of(NaiveDate::from_ymd_opt(2026, 12, 23).expect("day"));
    let from = posts_read_from(week.end, &options);
    assert_eq!(
        from,
        t(28, 0),
        "UTC midnight, 28 days before the end (Monday 2026-12-28)"
    );

    let mut all = Vec::new();
    for p in 0..56i64 {
        let published = t(p, 12 + (p % 9) as u32);
        let (platform, user, ct) = if p % 3 == 0 {
            (Platform::X, "1", "text")
        } else {
            (Platform::Instagram, "2", "image")
        };
        let post = format!("p{p}");
        // Read daily for 20 days, from 1 hour after publication; every 7th post first seen
        // three days late (not fresh).
        let first = if p % 7 == 0 { 3 } else { 0 };
        for k in first..20i64 {
            let at = published + Duration::hours(1) + Duration::days(k);
            let grow = (k + 1) as f64;
            let mut push = |metric: &str, value: Option<f64>| {
                let mut r = post_row(platform, user, &post, ct, published, metric, 0.0);
                r.value = value;
                r.collected_at = at;
                all.push(r);
            };
            push("likes", Some(10.0 * grow + p as f64));
            // Comments: no longer read after day 6; empty on day 4.
            if k < 6 {
                push("comments", (k != 4).then_some(2.0 * grow));
            }
            // Reach: an empty reading every 5th day, and a drop on day 9.
            let reach = if k == 9 { 100.0 } else { 300.0 * grow };
            push("reach", (k % 5 != 3).then_some(reach));
        }
    }
    let mut carried: Vec<PostMetricRow> = Vec::new();
    for r in &all {
        let same = |o: &&PostMetricRow| {
            o.platform == r.platform
                && o.post_id == r.post_id
                && o.metric_type == r.metric_type
                && o.collected_at < from
        };
        let latest = all.iter().filter(same).map(|o| o.collected_at).max();
        let latest_value = all
            .iter()
            .filter(same)
            .filter(|o| o.value.is_some())
            .map(|o| o.collected_at)
            .max();
        if r.collected_at >= from
            || Some(r.collected_at) == latest
            || (r.value.is_some() && Some(r.collected_at) == latest_value)
        {
            carried.push(r.clone());
        }
    }
    assert!(carried.len() * 4 < all.len() * 3, "{} of {}", carried.len(), all.len());

    let build = |post_rows: &[PostMetricRow]| {
        build_weekly(&WeeklyInput {
            week,
            time_zone: "America/Sao_Paulo".parse().expect("tz"),
            generated_at: week.end + Duration::days(3),
            accounts: &accounts,
            account_rows: &account,
            post_rows,
            posts: &infos,
            options: &options,
            voices: &VoicesInput::default(),
        })
    };
    let full = build(&all);
    let reduced = build(&carried);
    // The trend has gains inside its window, so the comparison is not of empty reports.
    assert!(full
        .trends
        .engagement
        .iter()
        .any(|l| l.values.iter().flatten().any(|v| *v > 0.0)));
    assert!(!full.top_posts.is_empty());
    assert_eq!(
        serde_json::to_value(&reduced).expect("json"),
        serde_json::to_value(&full).expect("json")
    );
}
