//! The weekly report's "Competitors" section (issue 17 point 6): absent without
//! competitors; with them, last in the HTML, the PDF (English and Brazilian Portuguese), the
//! XLSX (sheet `Competitors`, after `Top posts`) and the JSON, share of voice in percent and
//! "—" (never 0) where the platform gives no counts.

use crate::weekly_report::report;
use alcance_core::{AccountId, Platform};
use alcance_report::compare::{ComparedAccount, Comparison};
use alcance_report::competitors::{CompetitorFigures, CompetitorReport, CompetitorRole, ShareOfVoice, VoiceShare};
use alcance_report::pdf::{weekly_pdf_text, PdfLanguage};
use alcance_report::weekly::{weekly_file, ReportFormat};
use std::io::Read;

fn account(id: i64, platform: Platform, label: &str) -> ComparedAccount {
    ComparedAccount {
        account_id: AccountId(id),
        platform,
        label: label.into(),
        followers: Some(5000.0),
        followers_start: Some(4800.0),
        follower_growth: Some(200.0),
        follower_growth_percent: Some(4.17),
        interactions: Some(90.0),
        views: Some(3000.0),
        engagement_rate: Some(3.0),
        posts: 3,
        posts_per_week: 3.0,
        best_slot: None,
        content_mix: Vec::new(),
        daily_followers: Vec::new(),
    }
}

fn section() -> CompetitorReport {
    let r = report();
    let voice = |id, label: &str, platform, role, posts: Option<i64>, share| VoiceShare {
        account_id: AccountId(id),
        label: label.into(),
        platform,
        role,
        available: platform == Platform::X,
        posts,
        share,
    };
    CompetitorReport {
        comparison: Comparison {
            since: r.week.start,
            until: r.week.end,
            time_zone: "UTC".into(),
            accounts: vec![
                account(1, Platform::X, "@marca (X)"),
                account(2, Platform::Instagram, "@rival_ig (Instagram)"),
            ],
        },
        figures: vec![
            CompetitorFigures {
                account_id: AccountId(1),
                role: CompetitorRole::Own,
                set: None,
                mean_engagement_per_post: Some(30.0),
            },
            CompetitorFigures {
                account_id: AccountId(2),
                role: CompetitorRole::Competitor,
                set: Some("rivais".into()),
                mean_engagement_per_post: Some(30.0),
            },
        ],
        share_of_voice: Some(ShareOfVoice {
            term: "#verão".into(),
            first_day: r.week.start.date_naive(),
            last_day: (r.week.end - chrono::Duration::days(1)).date_naive(),
            total_posts: Some(800),
            accounts: vec![
                voice(1, "@marca (X)", Platform::X, CompetitorRole::Own, Some(200), Some(0.25)),
                voice(
                    2,
                    "@rival_ig (Instagram)",
                    Platform::Instagram,
                    CompetitorRole::Competitor,
                    None,
                    None,
                ),
            ],
        }),
    }
}

fn sheets(xlsx: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx.to_vec())).unwrap();
    let mut book = String::new();
    zip.by_name("xl/workbook.xml")
        .unwrap()
        .read_to_string(&mut book)
        .unwrap();
    book
}

#[test]
fn the_section_is_absent_without_competitors() {
    let r = report();
    assert!(r.competitors.is_none());
    let html = String::from_utf8(weekly_file(&r, ReportFormat::Html, PdfLanguage::En).unwrap()).unwrap();
    assert!(!html.contains("<h2>Competitors</h2>"));
    let json = String::from_utf8(weekly_file(&r, ReportFormat::Json, PdfLanguage::En).unwrap()).unwrap();
    assert!(!json.contains("\"competitors\""));
    let xlsx = weekly_file(&r, ReportFormat::Xlsx, PdfLanguage::En).unwrap();
    assert!(!sheets(&xlsx).contains("Competitors"));
    let pdf = weekly_pdf_text(&r, PdfLanguage::En).unwrap().join("\n");
    assert!(!pdf.contains("Competitors"));
}

#[test]
fn the_section_comes_last_in_every_rendering() {
    let mut r = report();
    r.competitors = Some(section());
    let html = String::from_utf8(weekly_file(&r, ReportFormat::Html, PdfLanguage::En).unwrap()).unwrap();
    let at = html.find("<h2>Competitors</h2>").expect("the section");
    assert!(html.find("<h2>KPIs per account</h2>").unwrap() < at, "last");
    let rest = &html[at..];
    assert!(
        rest.contains("competitor (rivais)") && rest.contains("25.00 %"),
        "{rest}"
    );
    assert!(rest.contains("Share of voice on #verão"), "{rest}");

    let json: serde_json::Value =
        serde_json::from_slice(&weekly_file(&r, ReportFormat::Json, PdfLanguage::En).unwrap()).unwrap();
    assert_eq!(json["competitors"]["share_of_voice"]["accounts"][0]["share"], 0.25);
    assert!(json["competitors"]["share_of_voice"]["accounts"][1]["share"].is_null());

    let xlsx = weekly_file(&r, ReportFormat::Xlsx, PdfLanguage::En).unwrap();
    let book = sheets(&xlsx);
    let (top, comp) = (
        book.find("name=\"Top posts\"").unwrap(),
        book.find("name=\"Competitors\"").unwrap(),
    );
    assert!(top < comp, "{book}");

    let en = weekly_pdf_text(&r, PdfLanguage::En).unwrap().join("\n");
    let at = en.find("Competitors").expect("the PDF section");
    assert!(en.find("KPIs per account").unwrap() < at);
    assert!(en[at..].contains("25.00 %"), "{}", &en[at..]);
    let pt = weekly_pdf_text(&r, PdfLanguage::PtBr).unwrap().join("\n");
    let at = pt.find("Concorrentes").expect("the Portuguese section");
    // Table cells wrap on the page: the extracted text is read as one line of words.
    let words = pt[at..].split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("própria") && words.contains("concorrente (rivais)"),
        "{words}"
    );
    assert!(words.contains("25,00 %"), "{words}");
    assert!(words.contains("Participação na conversa sobre #verão"), "{words}");
}
