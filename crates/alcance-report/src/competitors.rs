//! The competitor report (issue 17 point 1): the workspace's own accounts beside its
//! competitors over one window — the account comparison's figures
//! ([`crate::compare::Comparison`]: followers and growth, posts per week, engagement rate,
//! content mix, best slot) plus each account's role, set and mean engagement per post — and
//! the share of voice on one term; its files (CSV, JSON, XLSX).
//!
//! The figures are computed by `alcance-app` (`alcance_app::competitors`); this module
//! holds and writes them. `None` is "no data" or "not available" (an empty CSV cell, JSON
//! `null`, "—" in the workbook), never 0.

use crate::compare::{mix_text, slot_text, Comparison};
use crate::export::ExportFormat;
use crate::workbook::{cell, Formats};
use crate::ReportError;
use alcance_core::{AccountId, Platform};
use chrono::NaiveDate;
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};
use serde::{Deserialize, Serialize};

/// Whose account a row is.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompetitorRole {
    /// One of the workspace's own connections (not in a competitor set).
    Own,
    /// A member of a competitor set.
    Competitor,
}

impl CompetitorRole {
    /// `own` or `competitor`.
    pub fn as_str(self) -> &'static str {
        match self {
            CompetitorRole::Own => "own",
            CompetitorRole::Competitor => "competitor",
        }
    }
}

/// One account's figures beyond the comparison's.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompetitorFigures {
    /// Store id of the account (`accounts.id`), as in the comparison.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub account_id: AccountId,
    /// Own account or competitor.
    pub role: CompetitorRole,
    /// The competitor set's name; `None` for an own account.
    pub set: Option<String>,
    /// Mean engagement per post: interactions gained in the window ÷ posts published in
    /// it. Interactions per post (a count); `None` without posts or interactions.
    pub mean_engagement_per_post: Option<f64>,
}

/// One account's share of voice on a term.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoiceShare {
    /// Store id of the account.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub account_id: AccountId,
    /// Its label, as in the comparison.
    pub label: String,
    /// Its platform.
    pub platform: Platform,
    /// Own account or competitor.
    pub role: CompetitorRole,
    /// Whether the platform's API gives public post counts for a query (X only: recent
    /// counts). `false`: Instagram, Facebook, Bluesky and the rest — shown "—", not 0.
    pub available: bool,
    /// The account's public posts matching the term over the days (Σ of
    /// `voice_counts.count`). A count; `None` when not available or not collected yet.
    pub posts: Option<i64>,
    /// `posts ÷ total_posts`: a **ratio 0–1**; `None` when `posts` is `None` or the total
    /// is 0 or unknown.
    pub share: Option<f64>,
}

/// The share of voice on one term over X's last 7 UTC days.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareOfVoice {
    /// The term as sent to X (`#verão`, `black friday`).
    pub term: String,
    /// First UTC day counted.
    pub first_day: NaiveDate,
    /// Last UTC day counted (inclusive; today's count is still growing).
    pub last_day: NaiveDate,
    /// All public X posts matching the term over the days (Σ of `voice_totals.count`). A
    /// count; `None` before its first collection.
    pub total_posts: Option<i64>,
    /// One entry per account of the report, in its order.
    pub accounts: Vec<VoiceShare>,
}

/// The competitor report: the comparison (own accounts first, then competitors), the
/// figures per account (same order) and the share of voice on the chosen term.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompetitorReport {
    /// The side-by-side figures.
    pub comparison: Comparison,
    /// Role, set and mean engagement per post, one per account of `comparison`, same order.
    pub figures: Vec<CompetitorFigures>,
    /// The share of voice; `None` when no term is collected.
    pub share_of_voice: Option<ShareOfVoice>,
}

/// The CSV's columns: the comparison's ([`crate::compare::CSV_COLUMNS`]) then these.
pub const EXTRA_CSV_COLUMNS: [&str; 7] = [
    "role",
    "set",
    "mean_engagement_per_post",
    "voice_term",
    "voice_posts",
    "voice_total_posts",
    "share_of_voice_ratio",
];

fn num<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The report as CSV: the comparison's row per account with [`EXTRA_CSV_COLUMNS`] added
/// (share of voice as a ratio 0–1; empty cells for no data or not available).
///
/// # Errors
/// [`ReportError::Csv`].
pub fn write_csv(report: &CompetitorReport) -> Result<Vec<u8>, ReportError> {
    let ctx = "writing the competitors CSV";
    let base = crate::compare::write_csv(&report.comparison)?;
    let mut r = csv::Reader::from_reader(base.as_slice());
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = r
        .headers()
        .map_err(|e| ReportError::csv(ctx, e))?
        .iter()
        .map(String::from)
        .collect();
    header.extend(EXTRA_CSV_COLUMNS.iter().map(|s| s.to_string()));
    w.write_record(&header).map_err(|e| ReportError::csv(ctx, e))?;
    let voice = report.share_of_voice.as_ref();
    for (i, record) in r.records().enumerate() {
        let record = record.map_err(|e| ReportError::csv(ctx, e))?;
        let mut row: Vec<String> = record.iter().map(String::from).collect();
        let fig = report.figures.get(i);
        let share = voice.and_then(|v| v.accounts.get(i));
        row.push(fig.map(|f| f.role.as_str().to_string()).unwrap_or_default());
        row.push(fig.and_then(|f| f.set.clone()).unwrap_or_default());
        row.push(num(fig
            .and_then(|f| f.mean_engagement_per_post)
            .filter(|v| v.is_finite())));
        row.push(voice.map(|v| v.term.clone()).unwrap_or_default());
        row.push(num(share.and_then(|s| s.posts)));
        row.push(num(voice.and_then(|v| v.total_posts)));
        row.push(num(share.and_then(|s| s.share).filter(|v| v.is_finite())));
        w.write_record(&row).map_err(|e| ReportError::csv(ctx, e))?;
    }
    w.into_inner().map_err(|e| ReportError::io(ctx, e.into_error()))
}

/// The report as one file's bytes: CSV ([`write_csv`]), pretty JSON (the
/// [`CompetitorReport`]) or an Excel workbook (the comparison's sheets `Comparison` and
/// `Daily followers`, then `Competitors`: role, set, mean engagement per post and share of
/// voice per account).
///
/// # Errors
/// [`ReportError::Csv`], [`ReportError::Json`] or [`ReportError::Xlsx`].
pub fn competitors_file(report: &CompetitorReport, format: ExportFormat) -> Result<Vec<u8>, ReportError> {
    match format {
        ExportFormat::Csv => write_csv(report),
        ExportFormat::Json => crate::files::pretty_json(report, "writing the competitors JSON"),
        ExportFormat::Xlsx => workbook(report).map_err(|e| ReportError::xlsx("building the competitors workbook", e)),
    }
}

fn workbook(report: &CompetitorReport) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    crate::compare::table_sheet(wb.add_worksheet(), &report.comparison, &f)?;
    crate::compare::daily_sheet(wb.add_worksheet(), &report.comparison, &f)?;
    competitors_sheet(wb.add_worksheet(), report, &f)?;
    wb.save_to_buffer()
}

/// The sheet `Competitors`: one row per account (role, set, followers, growth, posts per
/// week, mean engagement per post, best slot, content mix, share of voice).
pub(crate) fn competitors_sheet(ws: &mut Worksheet, report: &CompetitorReport, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Competitors")?;
    let voice = report.share_of_voice.as_ref();
    let share_header = match voice {
        Some(v) => format!("Share of voice {} ({} – {})", v.term, v.first_day, v.last_day),
        None => "Share of voice".to_string(),
    };
    let header = [
        "Account",
        "Role",
        "Set",
        "Followers (end)",
        "Follower growth",
        "Follower growth (%)",
        "Posts per week",
        "Mean engagement per post",
        "Engagement rate (%)",
        "Best slot",
        "Content mix",
        "Term posts",
        share_header.as_str(),
    ];
    for (c, h) in header.iter().enumerate() {
        ws.set_column_width(c as u16, if c == 0 { 28 } else { 16 })?;
        ws.write_string_with_format(0, c as u16, *h, &f.header)?;
    }
    for (i, a) in report.comparison.accounts.iter().enumerate() {
        let row = 1 + i as u32;
        let fig = report.figures.get(i);
        let share = voice.and_then(|v| v.accounts.get(i));
        ws.write_string_with_format(row, 0, &a.label, &f.text)?;
        ws.write_string_with_format(row, 1, fig.map_or("", |x| x.role.as_str()), &f.text)?;
        ws.write_string_with_format(row, 2, fig.and_then(|x| x.set.as_deref()).unwrap_or(""), &f.text)?;
        cell(ws, row, 3, a.followers, &f.count, f)?;
        cell(ws, row, 4, a.follower_growth, &f.signed_count, f)?;
        cell(ws, row, 5, a.follower_growth_percent, &f.signed_pct, f)?;
        cell(ws, row, 6, Some(a.posts_per_week), &f.decimal, f)?;
        cell(ws, row, 7, fig.and_then(|x| x.mean_engagement_per_post), &f.decimal, f)?;
        cell(ws, row, 8, a.engagement_rate, &f.percent_pts, f)?;
        let slot = slot_text(a.best_slot.as_ref(), &report.comparison.time_zone);
        let mix = mix_text(&a.content_mix);
        for (col, text) in [(9u16, slot), (10u16, mix)] {
            if text.is_empty() {
                ws.write_string_with_format(row, col, crate::html::DASH, &f.dash)?;
            } else {
                ws.write_string_with_format(row, col, text, &f.text)?;
            }
        }
        cell(ws, row, 11, share.and_then(|s| s.posts).map(|p| p as f64), &f.count, f)?;
        cell(ws, row, 12, share.and_then(|s| s.share), &f.share, f)?;
    }
    ws.set_freeze_panes(1, 1)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::ComparedAccount;
    use chrono::{TimeZone, Utc};

    fn account(id: i64, platform: Platform, label: &str, posts: u32, interactions: Option<f64>) -> ComparedAccount {
        ComparedAccount {
            account_id: AccountId(id),
            platform,
            label: label.into(),
            followers: Some(1000.0),
            followers_start: Some(900.0),
            follower_growth: Some(100.0),
            follower_growth_percent: Some(11.1),
            interactions,
            views: None,
            engagement_rate: None,
            posts,
            posts_per_week: f64::from(posts) / 2.0,
            best_slot: None,
            content_mix: Vec::new(),
            daily_followers: Vec::new(),
        }
    }

    fn sample() -> CompetitorReport {
        let at = |d| Utc.with_ymd_and_hms(2026, 3, d, 0, 0, 0).single().unwrap_or_default();
        CompetitorReport {
            comparison: Comparison {
                since: at(1),
                until: at(15),
                time_zone: "UTC".into(),
                accounts: vec![
                    account(1, Platform::X, "@marca (X)", 4, Some(40.0)),
                    account(2, Platform::Instagram, "@rival (Instagram)", 0, None),
                ],
            },
            figures: vec![
                CompetitorFigures {
                    account_id: AccountId(1),
                    role: CompetitorRole::Own,
                    set: None,
                    mean_engagement_per_post: Some(10.0),
                },
                CompetitorFigures {
                    account_id: AccountId(2),
                    role: CompetitorRole::Competitor,
                    set: Some("rivais".into()),
                    mean_engagement_per_post: None,
                },
            ],
            share_of_voice: Some(ShareOfVoice {
                term: "#verão".into(),
                first_day: at(8).date_naive(),
                last_day: at(14).date_naive(),
                total_posts: Some(200),
                accounts: vec![
                    VoiceShare {
                        account_id: AccountId(1),
                        label: "@marca (X)".into(),
                        platform: Platform::X,
                        role: CompetitorRole::Own,
                        available: true,
                        posts: Some(50),
                        share: Some(0.25),
                    },
                    VoiceShare {
                        account_id: AccountId(2),
                        label: "@rival (Instagram)".into(),
                        platform: Platform::Instagram,
                        role: CompetitorRole::Competitor,
                        available: false,
                        posts: None,
                        share: None,
                    },
                ],
            }),
        }
    }

    #[test]
    fn the_csv_adds_role_set_mean_and_share_and_leaves_not_available_empty() {
        let bytes = write_csv(&sample()).unwrap_or_else(|e| panic!("{e}"));
        let mut r = csv::Reader::from_reader(bytes.as_slice());
        let header: Vec<String> = r
            .headers()
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(String::from)
            .collect();
        assert_eq!(
            header.len(),
            crate::compare::CSV_COLUMNS.len() + EXTRA_CSV_COLUMNS.len()
        );
        assert_eq!(header.last().map(String::as_str), Some("share_of_voice_ratio"));
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap_or_else(|e| panic!("{e}"))).collect();
        let n = crate::compare::CSV_COLUMNS.len();
        let tail = |r: &csv::StringRecord| r.iter().skip(n).map(String::from).collect::<Vec<_>>();
        assert_eq!(tail(&rows[0]), ["own", "", "10", "#verão", "50", "200", "0.25"]);
        assert_eq!(tail(&rows[1]), ["competitor", "rivais", "", "#verão", "", "200", ""]);
    }

    #[test]
    fn json_round_trips_and_the_workbook_has_the_competitors_sheet() {
        let report = sample();
        let json = competitors_file(&report, ExportFormat::Json).unwrap_or_else(|e| panic!("{e}"));
        let back: CompetitorReport = serde_json::from_slice(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, report);
        let xlsx = competitors_file(&report, ExportFormat::Xlsx).unwrap_or_else(|e| panic!("{e}"));
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap_or_else(|e| panic!("{e}"));
        let mut book = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/workbook.xml").unwrap_or_else(|e| panic!("{e}")),
            &mut book,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(book.contains("name=\"Competitors\""), "{book}");
        assert!(book.contains("name=\"Comparison\""), "{book}");
    }
}
