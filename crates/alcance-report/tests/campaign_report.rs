//! The campaign report on hand-made data: every figure checked exactly, `None` (never 0)
//! for zero or unknown denominators, currencies never mixed, and the three files.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic on a broken fixture

use alcance_core::analytics::posts::PostMetrics;
use alcance_core::Platform;
use alcance_report::campaign::{
    campaign_report, write_campaign_report, AccountKey, CampaignConversion, CampaignCost, CampaignData, CampaignInfo,
    CampaignKpis, CampaignMember, CampaignReport,
};
use alcance_report::html::DASH;
use chrono::{NaiveDate, TimeZone, Utc};
use std::io::Read;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).expect("valid day")
}

fn key(platform: Platform, id: &str) -> AccountKey {
    AccountKey {
        platform,
        user_id: id.to_string(),
    }
}

fn post(platform: Platform, user: &str, id: &str, metrics: &[(&str, f64)]) -> PostMetrics {
    PostMetrics {
        platform,
        user_id: user.to_string(),
        post_id: id.to_string(),
        content_type: "image".to_string(),
        published_at: Utc.with_ymd_and_hms(2026, 11, 5, 18, 0, 0).single(),
        metrics: metrics.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        collected_at: None,
        followers: None,
    }
}

fn cost(amount: f64, currency: &str, account: Option<AccountKey>) -> CampaignCost {
    CampaignCost {
        date: day(2),
        amount,
        currency: currency.to_string(),
        account,
        note: None,
    }
}

fn conversion(count: u32, revenue: Option<f64>, currency: &str, account: Option<AccountKey>) -> CampaignConversion {
    CampaignConversion {
        date: day(10),
        count,
        revenue,
        currency: currency.to_string(),
        account,
        utm_campaign: Some("bf".into()),
        utm_source: Some("instagram".into()),
    }
}

/// Influencer A (Instagram: reach, no impressions), influencer B (X: impressions, link
/// clicks), brand C (no posts, no money), and a post of an account outside the campaign.
pub(crate) fn data() -> CampaignData {
    let a = key(Platform::Instagram, "10");
    let b = key(Platform::X, "20");
    CampaignData {
        campaign: CampaignInfo {
            id: 7,
            name: "Black <Friday>".into(),
            starts_on: day(1),
            ends_on: Some(day(30)),
            budget: Some(5000.0),
            currency: "BRL".into(),
            goal: "conversions".into(),
        },
        members: vec![
            CampaignMember {
                account: a.clone(),
                username: Some("ana.ig".into()),
                role: "influencer".into(),
            },
            CampaignMember {
                account: b.clone(),
                username: Some("bia_x".into()),
                role: "influencer".into(),
            },
            CampaignMember {
                account: key(Platform::Instagram, "30"),
                username: Some("brand".into()),
                role: "brand".into(),
            },
        ],
        posts: vec![
            // 80 + 20 interactions over 1,000 reach.
            post(
                Platform::Instagram,
                "10",
                "a1",
                &[("likes", 80.0), ("comments", 20.0), ("reach", 1000.0)],
            ),
            // The platform's own total wins over the parts.
            post(
                Platform::Instagram,
                "10",
                "a2",
                &[("total_interactions", 200.0), ("likes", 150.0), ("reach", 3000.0)],
            ),
            post(
                Platform::X,
                "20",
                "b1",
                &[
                    ("likes", 40.0),
                    ("reposts", 10.0),
                    ("impressions", 10_000.0),
                    ("link_clicks", 50.0),
                ],
            ),
            post(Platform::X, "99", "z1", &[("likes", 25.0), ("impressions", 5000.0)]),
        ],
        costs: vec![
            cost(1500.0, "BRL", Some(a.clone())),
            cost(500.0, "brl", Some(b.clone())),
            cost(200.0, "BRL", None),
            cost(100.0, "USD", Some(a.clone())),
        ],
        conversions: vec![
            conversion(10, Some(1800.0), "BRL", Some(a)),
            conversion(0, None, "BRL", Some(b)),
            conversion(3, Some(300.0), "EUR", None),
        ],
    }
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() <= 1e-9 * b.abs().max(1.0))
}

pub(crate) fn report() -> CampaignReport {
    let at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).single().expect("time");
    campaign_report(&data(), at)
}

#[test]
fn influencer_figures_are_exact_and_unknown_is_none() {
    let r = report();
    assert_eq!(r.accounts.len(), 3);
    let a = &r.accounts[0].kpis;
    assert_eq!(r.accounts[0].label, "@ana.ig (Instagram)");
    assert_eq!(a.posts, 2);
    assert_eq!(a.reach, Some(4000.0));
    assert_eq!(a.impressions, None, "Instagram served no impressions: unknown, not 0");
    assert_eq!(a.interactions, Some(300.0));
    assert!(close(a.engagement_rate_by_reach, 7.5));
    assert_eq!(a.engagement_rate_by_impressions, None);
    assert_eq!(a.cost, Some(1500.0), "the USD cost is not added to BRL");
    assert_eq!(a.cpm, None, "no impressions → no CPM");
    assert!(close(a.cpe, 5.0));
    assert_eq!(a.conversions, Some(10.0));
    assert!(close(a.cost_per_conversion, 150.0));
    assert!(close(a.roi, 0.2));

    let b = &r.accounts[1].kpis;
    assert_eq!(b.impressions, Some(10_000.0));
    assert_eq!(b.interactions, Some(50.0));
    assert!(close(b.engagement_rate_by_impressions, 0.5));
    assert!(close(b.ctr, 0.5));
    assert!(close(b.cpm, 50.0));
    assert!(close(b.cpe, 10.0));
    assert_eq!(b.conversions, Some(0.0), "zero conversions entered is a real 0");
    assert_eq!(b.cost_per_conversion, None, "0 conversions is a zero denominator");
    assert_eq!(b.revenue, None);
    assert_eq!(b.roi, None);

    let c = &r.accounts[2].kpis;
    assert_eq!(
        c,
        &CampaignKpis {
            posts: 0,
            ..CampaignKpis::default()
        },
        "a member with nothing has no figures, not zeros"
    );
}

#[test]
fn the_total_adds_every_row_and_unattributed_ones_get_their_column() {
    let r = report();
    let u = r.unattributed.as_ref().expect("unattributed column");
    assert_eq!(u.kpis.posts, 1);
    assert_eq!(u.kpis.cost, Some(200.0));
    assert_eq!(u.kpis.conversions, Some(3.0));
    assert_eq!(u.kpis.revenue, None, "EUR revenue is not counted in a BRL campaign");
    assert!(close(u.kpis.cpm, 40.0));
    assert!(close(u.kpis.cost_per_conversion, 200.0 / 3.0));

    let t = &r.total.kpis;
    assert_eq!(t.posts, 4);
    assert_eq!(t.reach, Some(4000.0));
    assert_eq!(t.impressions, Some(15_000.0));
    assert_eq!(t.interactions, Some(375.0));
    assert!(close(t.engagement_rate_by_reach, 7.5));
    assert!(
        close(t.engagement_rate_by_impressions, 0.5),
        "75 / 15,000 over the posts with both"
    );
    assert!(close(t.ctr, 0.5), "only the post with link clicks counts");
    assert_eq!(t.cost, Some(2200.0));
    assert_eq!(t.conversions, Some(13.0));
    assert_eq!(t.revenue, Some(1800.0));
    assert!(close(t.cpm, 2200.0 / 15_000.0 * 1000.0));
    assert!(close(t.cpe, 2200.0 / 375.0));
    assert!(close(t.cost_per_conversion, 2200.0 / 13.0));
    assert!(close(t.roi, (1800.0 - 2200.0) / 2200.0));
    assert!(close(r.budget_used, 0.44));
    assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
    assert!(r.warnings[0].contains("USD") && r.warnings[0].contains("100.00"));
    assert!(r.warnings[1].contains("EUR"));
}

#[test]
fn a_campaign_without_money_or_posts_has_no_ratios() {
    let mut d = data();
    d.costs.clear();
    d.conversions.clear();
    d.posts.clear();
    let r = campaign_report(&d, Utc::now());
    let t = &r.total.kpis;
    assert_eq!(
        (t.cost, t.cpm, t.cpe, t.cost_per_conversion, t.roi),
        (None, None, None, None, None)
    );
    assert_eq!(t.interactions, None);
    assert!(r.unattributed.is_none());
    assert_eq!(r.budget_used, None);
}

#[test]
fn the_side_by_side_table_shows_dashes_not_zeros() {
    let r = report();
    let table = r.table();
    let labels: Vec<&str> = r.columns().iter().map(|c| c.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "@ana.ig (Instagram)",
            "@bia_x (X)",
            "@brand (Instagram)",
            "Unattributed",
            "Campaign total"
        ]
    );
    let row = |name: &str| {
        table
            .iter()
            .find(|r| r.label.starts_with(name))
            .map(|r| r.cells.clone())
            .unwrap_or_default()
    };
    assert_eq!(row("Role"), ["influencer", "influencer", "brand", DASH, DASH]);
    assert_eq!(row("Reach"), ["4,000", DASH, DASH, DASH, "4,000"]);
    assert_eq!(row("CPM")[1], "50.00 BRL");
    assert_eq!(row("Cost per conversion")[1], DASH);
    assert_eq!(row("Cost (BRL)")[2], DASH);
    assert_eq!(row("ROI")[0], "+20.0 %");
    assert_eq!(row("ROI")[4], "-18.2 %");
    assert_eq!(row("Engagement rate by reach")[0], "7.50 %");
    assert!(table.iter().all(|r| r.cells.len() == 5));
}

#[test]
fn the_files_are_written_and_the_html_is_self_contained() {
    let r = report();
    let dir = tempfile::tempdir().expect("tempdir");
    let files = write_campaign_report(&r, dir.path()).expect("write");
    assert_eq!(files.xlsx, dir.path().join("campaign-7.xlsx"));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&files.xlsx).expect("xlsx")).expect("zip");
    let mut chart = String::new();
    zip.by_name("xl/charts/chart1.xml")
        .expect("a native chart")
        .read_to_string(&mut chart)
        .expect("utf-8");
    assert!(
        chart.contains("<c:barChart>") && chart.contains("<c:lineChart>"),
        "columns + cost line"
    );
    let html = std::fs::read_to_string(&files.html).expect("html");
    assert!(html.contains("Black &lt;Friday&gt;") && !html.contains("<Friday>"));
    assert!(html.contains("<svg"));
    for bad in ["src=\"http", "href=\"http", "url(http", "<script", "<link", "@import"] {
        assert!(!html.contains(bad), "{bad} in the HTML");
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&files.json).expect("json")).expect("valid json");
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["total"]["kpis"]["cost"], 2200.0);
    assert!(json["accounts"][1]["kpis"]["cost_per_conversion"].is_null());
}

/// The workbook says the report's zone: on its first sheet and over the Posts sheet's
/// "Published" column, whose cells hold that zone's wall-clock time (Excel has no zones).
#[test]
fn the_workbook_gives_publication_times_in_the_reports_zone() {
    let read = |zip: &mut zip::ZipArchive<std::fs::File>, name: &str| {
        let mut text = String::new();
        zip.by_name(name)
            .unwrap_or_else(|_| panic!("{name}"))
            .read_to_string(&mut text)
            .expect("utf-8");
        text
    };
    let dir = tempfile::tempdir().expect("tempdir");
    // 2026-11-05 18:00 UTC = 23:30 in Kolkata (UTC+05:30): Excel serial 46331.979166…
    let r = report().in_time_zone("Asia/Kolkata".parse().expect("zone"));
    let files = write_campaign_report(&r, dir.path()).expect("write");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&files.xlsx).expect("xlsx")).expect("zip");
    let strings = read(&mut zip, "xl/sharedStrings.xml");
    assert!(strings.contains("Published (Asia/Kolkata)"), "{strings}");
    assert!(strings.contains("generated 2026-12-01 14:30 Asia/Kolkata"), "{strings}");
    let posts = read(&mut zip, "xl/worksheets/sheet2.xml");
    assert!(posts.contains("<v>46331.97916666"), "{posts}");
    assert!(!posts.contains("<v>46331.75</v>"), "UTC left in the Posts sheet");
}

/// Issue 17 point 4: the comments' sentiment on the campaign's posts in every file — the
/// HTML sentence, the PDF paragraph (en, pt-BR), the workbook's shares and the JSON counts;
/// nothing when no comment is scored.
#[test]
fn the_comments_sentiment_is_in_every_file() {
    use alcance_core::sentiment::SentimentShare;
    use alcance_report::pdf::{campaign_pdf_text, PdfLanguage};
    let mut r = report();
    r.sentiment = Some(SentimentShare {
        positive: 7,
        neutral: 3,
        negative: 2,
    });
    assert_eq!(
        r.sentiment_text().as_deref(),
        Some("12 comments: 58.3 % positive, 25.0 % neutral, 16.7 % negative")
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let files = write_campaign_report(&r, dir.path()).expect("write");
    let html = std::fs::read_to_string(&files.html).expect("html");
    assert!(html.contains("12 comments: 58.3 % positive, 25.0 % neutral, 16.7 % negative"));
    let en = campaign_pdf_text(&r, PdfLanguage::En).expect("pdf").join("\n");
    assert!(
        en.contains("Sentiment of the 12 comments on its posts: 58.3 % positive"),
        "{en}"
    );
    let pt = campaign_pdf_text(&r, PdfLanguage::PtBr).expect("pdf").join("\n");
    assert!(pt.contains("58,3 % positivos"), "{pt}");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&files.xlsx).expect("xlsx")).expect("zip");
    let mut strings = String::new();
    zip.by_name("xl/sharedStrings.xml")
        .expect("strings")
        .read_to_string(&mut strings)
        .expect("utf-8");
    assert!(strings.contains("Negative share") && strings.contains("Comments on its posts (scored)"));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&files.json).expect("json")).expect("valid json");
    assert_eq!(json["sentiment"]["negative"], 2);
    r.sentiment = Some(SentimentShare::default());
    assert_eq!(r.sentiment_text(), None);
    let html = alcance_report::html::campaign_html(&r).expect("html");
    assert!(!html.contains("Sentiment of the comments"));
}
