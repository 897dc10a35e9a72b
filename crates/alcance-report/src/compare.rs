//! The account comparison (issue 13 point 2): 2–6 accounts side by side over one window —
//! followers, growth, engagement rate, posting frequency, best slot and content mix — and
//! its files: CSV (one row per account), JSON and an Excel workbook (the table with typed
//! cells and the daily followers), plus the followers chart as SVG / PNG through
//! [`crate::chart`].
//!
//! The figures are computed by `alcance-app` (`alcance_app::views::compare`) with the
//! dashboard's definitions; this module only holds and writes them. Times are UTC; the
//! best slot's weekday and hour are local to [`Comparison::time_zone`]. `None` is "no
//! data", written as an empty CSV cell, `null` in JSON and "—" in the workbook, never 0.

use crate::export::ExportFormat;
use crate::workbook::{cell, excel_date, print_setup, Formats};
use crate::ReportError;
use alcance_core::{AccountId, Platform};
use chrono::{DateTime, NaiveDate, Utc};
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};
use serde::{Deserialize, Serialize};

/// English weekday names, Monday first (the CSV's and the workbook's best-slot column).
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A comparison of accounts over one window.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Inclusive start of the window, UTC.
    pub since: DateTime<Utc>,
    /// Exclusive end of the window, UTC.
    pub until: DateTime<Utc>,
    /// IANA name of the zone the best slots' weekdays and hours are in (`"UTC"` by default).
    pub time_zone: String,
    /// The accounts, in the order they were asked for.
    pub accounts: Vec<ComparedAccount>,
}

/// One account's column of the comparison.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparedAccount {
    /// Store id of the account (`accounts.id`).
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub account_id: AccountId,
    /// Its platform.
    pub platform: Platform,
    /// `"@username (Platform)"`, or the display name / platform id without a handle.
    pub label: String,
    /// Followers at the window's end: the latest `followers` snapshot before `until`. A
    /// count; `None` when the account has none.
    pub followers: Option<f64>,
    /// Followers at the window's start (latest snapshot before `since`). A count.
    pub followers_start: Option<f64>,
    /// `followers − followers_start`. A count (negative for a loss).
    pub follower_growth: Option<f64>,
    /// `follower_growth ÷ followers_start × 100`. Percent; `None` when the start is 0 or
    /// missing.
    pub follower_growth_percent: Option<f64>,
    /// Interactions gained by the account's posts in the window (likes + comments +
    /// replies + reposts + quotes + saves + shares, the dashboard's KPI). A count.
    pub interactions: Option<f64>,
    /// Views gained in the window (`views`, else `impressions`, the dashboard's KPI). A
    /// count.
    pub views: Option<f64>,
    /// Engagement rate: `interactions ÷ views × 100` over the window, the dashboard's
    /// definition. Percent 0–100; `None` without views.
    pub engagement_rate: Option<f64>,
    /// Posts published in the window. A count.
    pub posts: u32,
    /// Posting frequency: `posts ÷ (window length in days ÷ 7)`. Posts per week.
    pub posts_per_week: f64,
    /// The best slot of the account's best-time heatmap in the window (the dashboard's
    /// rule: stories left out, at least 2 posts a slot); `None` when no slot qualifies.
    pub best_slot: Option<CompareSlot>,
    /// Share of the window's posts per content type, largest first (ties by key).
    pub content_mix: Vec<ContentShare>,
    /// Followers per UTC day of the window: the day's last snapshot; days without one are
    /// absent.
    pub daily_followers: Vec<DayValue>,
}

/// A best-time slot: a local weekday and hour.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CompareSlot {
    /// Local weekday, 0 = Monday … 6 = Sunday (in [`Comparison::time_zone`]).
    pub weekday: u32,
    /// Local hour, 0–23.
    pub hour: u32,
    /// Mean engagement rate of the slot's posts (interactions ÷ views × 100 per post).
    /// Percent 0–100.
    pub mean: f64,
    /// Posts published in the slot in the window. A count.
    pub posts: u32,
}

/// One content type's part of an account's posts.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentShare {
    /// Content type key (`text`, `image`, `video`, `reel`, `story`, `carousel`, ...).
    pub content_type: String,
    /// Posts of this type published in the window. A count.
    pub posts: u32,
    /// `posts ÷ all the account's posts in the window × 100`. Percent 0–100.
    pub share: f64,
}

/// A value on a UTC day.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DayValue {
    /// The UTC day.
    pub day: NaiveDate,
    /// The value (followers: a count).
    pub value: f64,
}

/// The CSV's columns, in order.
pub const CSV_COLUMNS: [&str; 16] = [
    "account_id",
    "platform",
    "account",
    "since",
    "until",
    "followers",
    "followers_start",
    "follower_growth",
    "follower_growth_percent",
    "interactions",
    "views",
    "engagement_rate_percent",
    "posts",
    "posts_per_week",
    "best_slot",
    "content_mix",
];

/// The best slot as text: `"Tue 18:00 (America/Sao_Paulo)"`; empty without one.
pub fn slot_text(slot: Option<&CompareSlot>, zone: &str) -> String {
    match slot {
        Some(s) => format!(
            "{} {:02}:00 ({zone})",
            WEEKDAYS.get(s.weekday as usize).copied().unwrap_or("?"),
            s.hour
        ),
        None => String::new(),
    }
}

/// The content mix as text: `"video 50.0%; image 25.0%; text 25.0%"`.
pub fn mix_text(mix: &[ContentShare]) -> String {
    mix.iter()
        .map(|c| format!("{} {:.1}%", c.content_type, c.share))
        .collect::<Vec<_>>()
        .join("; ")
}

fn num(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite()).map(|v| v.to_string()).unwrap_or_default()
}

/// The comparison as CSV: a header ([`CSV_COLUMNS`]) and one row per account; times RFC
/// 3339 UTC, numbers unformatted (rates in percent), empty cells for no data.
///
/// # Errors
/// [`ReportError::Csv`] (never for an in-memory buffer in practice).
pub fn write_csv(cmp: &Comparison) -> Result<Vec<u8>, ReportError> {
    let ctx = "writing the comparison CSV";
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_COLUMNS).map_err(|e| ReportError::csv(ctx, e))?;
    for a in &cmp.accounts {
        w.write_record([
            a.account_id.get().to_string(),
            a.platform.as_str().to_string(),
            a.label.clone(),
            cmp.since.to_rfc3339(),
            cmp.until.to_rfc3339(),
            num(a.followers),
            num(a.followers_start),
            num(a.follower_growth),
            num(a.follower_growth_percent),
            num(a.interactions),
            num(a.views),
            num(a.engagement_rate),
            a.posts.to_string(),
            num(Some(a.posts_per_week)),
            slot_text(a.best_slot.as_ref(), &cmp.time_zone),
            mix_text(&a.content_mix),
        ])
        .map_err(|e| ReportError::csv(ctx, e))?;
    }
    w.into_inner().map_err(|e| ReportError::io(ctx, e.into_error()))
}

/// The comparison as one file's bytes: CSV ([`write_csv`]), pretty JSON (the
/// [`Comparison`] itself) or an Excel workbook (sheet `Comparison`: one column per
/// account, typed cells, "—" for no data; sheet `Daily followers`: one row per UTC day).
///
/// # Errors
/// [`ReportError::Csv`], [`ReportError::Json`] or [`ReportError::Xlsx`].
pub fn comparison_file(cmp: &Comparison, format: ExportFormat) -> Result<Vec<u8>, ReportError> {
    match format {
        ExportFormat::Csv => write_csv(cmp),
        ExportFormat::Json => crate::files::pretty_json(cmp, "writing the comparison JSON"),
        ExportFormat::Xlsx => workbook(cmp).map_err(|e| ReportError::xlsx("building the comparison workbook", e)),
    }
}

fn workbook(cmp: &Comparison) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    table_sheet(wb.add_worksheet(), cmp, &f)?;
    daily_sheet(wb.add_worksheet(), cmp, &f)?;
    wb.save_to_buffer()
}

pub(crate) fn table_sheet(ws: &mut Worksheet, cmp: &Comparison, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Comparison")?;
    print_setup(ws);
    ws.write_string_with_format(0, 0, "Account comparison", &f.title)?;
    ws.write_string_with_format(
        1,
        0,
        format!(
            "{} – {} UTC · best slots in {} · — means no data (never 0)",
            cmp.since.format("%Y-%m-%d %H:%M"),
            cmp.until.format("%Y-%m-%d %H:%M"),
            cmp.time_zone
        ),
        &f.subtitle,
    )?;
    let top = 3u32;
    ws.set_column_width(0, 30)?;
    ws.write_string_with_format(top, 0, "Figure", &f.header)?;
    for (i, a) in cmp.accounts.iter().enumerate() {
        let col = 1 + i as u16;
        ws.set_column_width(col, 24)?;
        ws.write_string_with_format(top, col, &a.label, &f.header)?;
    }
    type Getter = fn(&ComparedAccount) -> Option<f64>;
    let numbers: [(&str, Getter, &rust_xlsxwriter::Format); 9] = [
        ("Followers (end)", |a| a.followers, &f.count),
        ("Followers (start)", |a| a.followers_start, &f.count),
        ("Follower growth", |a| a.follower_growth, &f.signed_count),
        ("Follower growth (%)", |a| a.follower_growth_percent, &f.signed_pct),
        ("Interactions", |a| a.interactions, &f.count),
        ("Views", |a| a.views, &f.count),
        ("Engagement rate (%)", |a| a.engagement_rate, &f.percent_pts),
        ("Posts", |a| Some(f64::from(a.posts)), &f.count),
        ("Posts per week", |a| Some(a.posts_per_week), &f.decimal),
    ];
    let mut row = top + 1;
    for (name, get, format) in numbers {
        ws.write_string_with_format(row, 0, name, &f.text)?;
        for (i, a) in cmp.accounts.iter().enumerate() {
            cell(ws, row, 1 + i as u16, get(a), format, f)?;
        }
        row += 1;
    }
    type TextGetter = fn(&ComparedAccount, &str) -> String;
    let texts: [(&str, TextGetter); 2] = [
        ("Best slot", |a, zone| slot_text(a.best_slot.as_ref(), zone)),
        ("Content mix", |a, _| mix_text(&a.content_mix)),
    ];
    for (name, get) in texts {
        ws.write_string_with_format(row, 0, name, &f.text)?;
        for (i, a) in cmp.accounts.iter().enumerate() {
            let text = get(a, &cmp.time_zone);
            if text.is_empty() {
                ws.write_string_with_format(row, 1 + i as u16, crate::html::DASH, &f.dash)?;
            } else {
                ws.write_string_with_format(row, 1 + i as u16, text, &f.text)?;
            }
        }
        row += 1;
    }
    ws.set_freeze_panes(top + 1, 1)?;
    Ok(())
}

pub(crate) fn daily_sheet(ws: &mut Worksheet, cmp: &Comparison, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Daily followers")?;
    ws.set_column_width(0, 14)?;
    ws.write_string_with_format(0, 0, "Day (UTC)", &f.header)?;
    for (i, a) in cmp.accounts.iter().enumerate() {
        ws.set_column_width(1 + i as u16, 24)?;
        ws.write_string_with_format(0, 1 + i as u16, &a.label, &f.header)?;
    }
    let mut days: Vec<NaiveDate> = cmp
        .accounts
        .iter()
        .flat_map(|a| a.daily_followers.iter().map(|d| d.day))
        .collect();
    days.sort_unstable();
    days.dedup();
    for (r, day) in days.iter().enumerate() {
        let row = 1 + r as u32;
        match excel_date(*day) {
            Some(d) => ws.write_datetime_with_format(row, 0, d, &f.date)?,
            None => ws.write_string_with_format(row, 0, day.to_string(), &f.text)?,
        };
        for (i, a) in cmp.accounts.iter().enumerate() {
            let v = a.daily_followers.iter().find(|d| d.day == *day).map(|d| d.value);
            cell(ws, row, 1 + i as u16, v, &f.count, f)?;
        }
    }
    ws.set_freeze_panes(1, 1)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn sample() -> Comparison {
        let at = |d| Utc.with_ymd_and_hms(2026, 3, d, 0, 0, 0).single().unwrap_or_default();
        Comparison {
            since: at(1),
            until: at(15),
            time_zone: "America/Sao_Paulo".into(),
            accounts: vec![
                ComparedAccount {
                    account_id: AccountId(3),
                    platform: Platform::Instagram,
                    label: "@ana, \"the\" creator (Instagram)".into(),
                    followers: Some(1200.0),
                    followers_start: Some(1000.0),
                    follower_growth: Some(200.0),
                    follower_growth_percent: Some(20.0),
                    interactions: Some(50.0),
                    views: Some(1000.0),
                    engagement_rate: Some(5.0),
                    posts: 4,
                    posts_per_week: 2.0,
                    best_slot: Some(CompareSlot {
                        weekday: 1,
                        hour: 18,
                        mean: 6.5,
                        posts: 2,
                    }),
                    content_mix: vec![
                        ContentShare {
                            content_type: "reel".into(),
                            posts: 3,
                            share: 75.0,
                        },
                        ContentShare {
                            content_type: "image".into(),
                            posts: 1,
                            share: 25.0,
                        },
                    ],
                    daily_followers: vec![DayValue {
                        day: at(2).date_naive(),
                        value: 1010.0,
                    }],
                },
                ComparedAccount {
                    account_id: AccountId(5),
                    platform: Platform::X,
                    label: "@bo (X)".into(),
                    followers: None,
                    followers_start: None,
                    follower_growth: None,
                    follower_growth_percent: None,
                    interactions: None,
                    views: None,
                    engagement_rate: None,
                    posts: 0,
                    posts_per_week: 0.0,
                    best_slot: None,
                    content_mix: Vec::new(),
                    daily_followers: Vec::new(),
                },
            ],
        }
    }

    #[test]
    fn the_csv_has_a_row_per_account_and_empty_cells_for_no_data() {
        let bytes = write_csv(&sample()).unwrap_or_else(|e| panic!("{e}"));
        let mut r = csv::Reader::from_reader(bytes.as_slice());
        let header: Vec<String> = r
            .headers()
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(String::from)
            .collect();
        assert_eq!(header, CSV_COLUMNS);
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap_or_else(|e| panic!("{e}"))).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][2], "@ana, \"the\" creator (Instagram)");
        assert_eq!(&rows[0][5], "1200");
        assert_eq!(&rows[0][8], "20");
        assert_eq!(&rows[0][14], "Tue 18:00 (America/Sao_Paulo)");
        assert_eq!(&rows[0][15], "reel 75.0%; image 25.0%");
        assert_eq!(&rows[1][1], "x");
        assert_eq!(&rows[1][5], "");
        assert_eq!(&rows[1][14], "");
    }

    #[test]
    fn json_round_trips_and_the_workbook_is_a_zip() {
        let cmp = sample();
        let json = comparison_file(&cmp, ExportFormat::Json).unwrap_or_else(|e| panic!("{e}"));
        let back: Comparison = serde_json::from_slice(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, cmp);
        let xlsx = comparison_file(&cmp, ExportFormat::Xlsx).unwrap_or_else(|e| panic!("{e}"));
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap_or_else(|e| panic!("{e}"));
        let mut shared = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/sharedStrings.xml").unwrap_or_else(|e| panic!("{e}")),
            &mut shared,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(shared.contains("Engagement rate (%)"), "{shared}");
        assert!(shared.contains("@bo (X)"), "{shared}");
        assert!(zip.len() > 2);
    }
}
