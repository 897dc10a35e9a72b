//! The weekly report as an Excel workbook with native charts.

use super::{severity_text, week_text, WeeklyReport, WEEKDAYS};
use crate::files::write_atomically;
use crate::workbook::{
    cell, excel_date, excel_local_time, excel_time, print_setup, Formats, HEAT_HIGH, HEAT_LOW, HEAT_MID,
};
use crate::zone::{display_zone, local_stamp};
use crate::ReportError;
use alcance_core::analytics::best_time::Normalization;
use chrono::TimeDelta;
use rust_xlsxwriter::{
    Chart, ChartEmptyCells, ChartLegendPosition, Color, ConditionalFormat3ColorScale, DocProperties, Format,
    FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use std::path::Path;

/// Writes the report as an Excel workbook at `path` (replacing any file there, through a
/// temporary file and a rename). Sheets:
/// - `Summary`: the week, KPIs (all accounts, then per account) with this week, last week,
///   change and change %, and the recommendations.
/// - `Trends`: the daily table (interactions gained and followers per account) and two
///   native line charts: "Daily engagement" and "Follower growth".
/// - `Content types`: the table and a native column chart of mean interactions per post.
/// - `Best times`: the weekday × hour heatmap (local time), a 3-color-scale conditional
///   format over the means, the posts per slot and the top slots.
/// - `Top posts`: the week's best posts.
/// - `Competitors` (last, only when the workspace has competitors): own accounts beside
///   the competitors and the share of voice.
///
/// No-data cells read "—".
///
/// # Errors
/// [`ReportError::Xlsx`] when the workbook cannot be built, [`ReportError::Io`] /
/// [`ReportError::DiskFull`] when it cannot be written.
pub fn write_weekly_xlsx(report: &WeeklyReport, path: &Path) -> Result<(), ReportError> {
    let ctx = format!("writing the weekly report to {}", path.display());
    let bytes = weekly_workbook(report).map_err(|e| ReportError::xlsx(&ctx, e))?;
    write_atomically(path, &bytes)
}

/// The workbook of [`write_weekly_xlsx`] as bytes.
pub(crate) fn weekly_xlsx_bytes(report: &WeeklyReport) -> Result<Vec<u8>, ReportError> {
    weekly_workbook(report).map_err(|e| ReportError::xlsx("building the weekly report workbook", e))
}

fn weekly_workbook(report: &WeeklyReport) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    let mut props = DocProperties::new()
        .set_title(format!("Alcance weekly report {}", week_text(report)))
        .set_author("Alcance");
    if let Some(t) = excel_time(report.generated_at) {
        props = props.set_creation_datetime(&t);
    }
    wb.set_properties(&props);
    summary_sheet(wb.add_worksheet(), report, &f)?;
    trends_sheet(wb.add_worksheet(), report, &f)?;
    content_sheet(wb.add_worksheet(), report, &f)?;
    best_time_sheet(wb.add_worksheet(), report, &f)?;
    top_posts_sheet(wb.add_worksheet(), report, &f)?;
    hashtags_sheet(wb.add_worksheet(), report, &f)?;
    mentions_sheet(wb.add_worksheet(), report, &f)?;
    if let Some(c) = &report.competitors {
        super::competitors::xlsx_sheet(wb.add_worksheet(), c, &f)?;
    }
    wb.save_to_buffer()
}

fn summary_sheet(ws: &mut Worksheet, report: &WeeklyReport, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Summary")?;
    print_setup(ws);
    ws.set_column_width(0, 28)?;
    ws.set_column_width(1, 44)?;
    for c in 2..=5 {
        ws.set_column_width(c, 15)?;
    }
    ws.write_string_with_format(0, 0, "Alcance weekly report", &f.title)?;
    ws.write_string_with_format(1, 0, format!("Week {}", week_text(report)), &f.subtitle)?;
    ws.write_string_with_format(
        2,
        0,
        format!(
            "Generated {} {zone} · post figures as of {} {zone} · days are UTC days · — means no data (never 0) · \
             change % is against last week",
            local_stamp(report.generated_at, display_zone(&report.time_zone)),
            local_stamp(report.posts_as_of, display_zone(&report.time_zone)),
            zone = report.time_zone
        ),
        &f.subtitle,
    )?;
    let headers = ["Account", "KPI", "This week", "Last week", "Change", "Change %"];
    let mut row = 4;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *h, &f.header)?;
    }
    row += 1;
    for line in report.summary.iter().chain(report.account_kpis.iter()) {
        let format = if line.unit == "percent" {
            &f.percent_pts
        } else {
            &f.count
        };
        ws.write_string_with_format(row, 0, line.account.as_deref().unwrap_or("All accounts"), &f.text)?;
        ws.write_string_with_format(row, 1, &line.label, &f.text)?;
        cell(ws, row, 2, line.change.current, format, f)?;
        cell(ws, row, 3, line.change.previous, format, f)?;
        let change_format = if line.unit == "percent" {
            &f.points
        } else {
            &f.signed_count
        };
        cell(ws, row, 4, line.change.abs_change, change_format, f)?;
        cell(ws, row, 5, line.change.pct_change, &f.signed_pct, f)?;
        row += 1;
    }
    row += 1;
    ws.write_string_with_format(row, 0, "Recommendations", &f.title)?;
    row += 1;
    let wrap = Format::new().set_text_wrap();
    for group in &report.recommendations {
        for r in &group.items {
            ws.write_string_with_format(row, 0, &group.account, &f.text)?;
            ws.write_string_with_format(row, 1, format!("{} ({})", r.title, severity_text(r.severity)), &f.text)?;
            ws.merge_range(row, 2, row, 5, &r.detail, &wrap)?;
            ws.set_row_height(row, 48)?;
            row += 1;
        }
        if group.items.is_empty() {
            ws.write_string_with_format(row, 0, &group.account, &f.text)?;
            ws.write_string_with_format(row, 1, "Nothing to change this week", &f.text)?;
            row += 1;
        }
    }
    Ok(())
}

fn trends_sheet(ws: &mut Worksheet, report: &WeeklyReport, f: &Formats) -> Result<(), XlsxError> {
    const SHEET: &str = "Trends";
    // The two charts side by side on top, the daily table under them.
    const TOP: u32 = 21;
    const CHART_W: u32 = 620;
    ws.set_name(SHEET)?;
    print_setup(ws);
    let t = &report.trends;
    let n_eng = t.engagement.len() as u16;
    let n_fol = t.followers.len() as u16;
    // Columns: A date | engagement per account | blank | date | followers per account.
    let fol_date_col = 1 + n_eng + 1;
    ws.set_column_width(0, 12)?;
    ws.set_column_width(fol_date_col, 12)?;
    ws.write_string_with_format(TOP, 0, "Day (UTC)", &f.header)?;
    ws.write_string_with_format(TOP, fol_date_col, "Day (UTC)", &f.header)?;
    for (i, line) in t.engagement.iter().enumerate() {
        let col = 1 + i as u16;
        ws.set_column_width(col, 16)?;
        ws.write_string_with_format(TOP, col, format!("{} interactions", line.label), &f.header)?;
    }
    for (i, line) in t.followers.iter().enumerate() {
        let col = fol_date_col + 1 + i as u16;
        ws.set_column_width(col, 16)?;
        ws.write_string_with_format(TOP, col, format!("{} followers", line.label), &f.header)?;
    }
    ws.set_row_height(TOP, 45)?;
    for (d, day) in t.days.iter().enumerate() {
        let row = TOP + 1 + d as u32;
        if let Some(x) = excel_date(*day) {
            ws.write_datetime_with_format(row, 0, &x, &f.date)?;
            ws.write_datetime_with_format(row, fol_date_col, &x, &f.date)?;
        }
        for (i, line) in t.engagement.iter().enumerate() {
            if let Some(v) = line.values.get(d).copied().flatten() {
                ws.write_number_with_format(row, 1 + i as u16, v, &f.count)?;
            }
        }
        for (i, line) in t.followers.iter().enumerate() {
            if let Some(v) = line.values.get(d).copied().flatten() {
                ws.write_number_with_format(row, fol_date_col + 1 + i as u16, v, &f.count)?;
            }
        }
    }
    if t.days.is_empty() {
        ws.write_string_with_format(0, 0, "No days to chart.", &f.subtitle)?;
        return Ok(());
    }
    let last = TOP + t.days.len() as u32;
    let line_chart = |title: &str, y: &str, date_col: u16, first: u16, count: u16| {
        let mut chart = Chart::new_line();
        chart.title().set_name(title);
        chart.x_axis().set_name("Day (UTC)");
        chart.x_axis().set_date_axis(true);
        chart.x_axis().set_num_format("dd/mm");
        chart.y_axis().set_name(y);
        chart.y_axis().set_num_format("#,##0");
        chart.legend().set_position(ChartLegendPosition::Bottom);
        chart.show_empty_cells_as(ChartEmptyCells::Gaps);
        for k in 0..count {
            let col = first + k;
            chart
                .add_series()
                .set_name((SHEET, TOP, col))
                .set_categories((SHEET, TOP + 1, date_col, last, date_col))
                .set_values((SHEET, TOP + 1, col, last, col));
        }
        chart.set_width(CHART_W).set_height(390);
        chart
    };
    if n_eng > 0 {
        let chart = line_chart(
            "Daily engagement (interactions gained per day)",
            "Interactions",
            0,
            1,
            n_eng,
        );
        ws.insert_chart_with_offset(0, 0, &chart, 4, 4)?;
    }
    if n_fol > 0 {
        let chart = line_chart("Follower growth", "Followers", fol_date_col, fol_date_col + 1, n_fol);
        ws.insert_chart_with_offset(0, 0, &chart, CHART_W + 24, 4)?;
    }
    Ok(())
}

fn content_sheet(ws: &mut Worksheet, report: &WeeklyReport, f: &Formats) -> Result<(), XlsxError> {
    const SHEET: &str = "Content types";
    const CHART_COL: u16 = 7;
    ws.set_name(SHEET)?;
    print_setup(ws);
    let headers = [
        "Content type",
        "Posts",
        "Share of posts",
        "Mean interactions per post",
        "Engagement rate by reach (%)",
        "Engagement rate by impressions (%)",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.set_column_width(c as u16, if c == 0 { 16 } else { 18 })?;
        ws.write_string_with_format(0, c as u16, *h, &f.header)?;
    }
    ws.set_row_height(0, 45)?;
    let share = Format::new()
        .set_num_format("0.0%")
        .set_border(FormatBorder::Thin)
        .set_border_color(Color::RGB(0xD0D4DA));
    for (i, line) in report.content_types.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_string_with_format(row, 0, &line.content_type, &f.text)?;
        ws.write_number_with_format(row, 1, line.posts as f64, &f.count)?;
        ws.write_number_with_format(row, 2, line.share, &share)?;
        cell(ws, row, 3, line.mean_interactions, &f.decimal, f)?;
        // The chart reads a hidden copy where no data is a blank (a "—" would plot as 0).
        if let Some(v) = line.mean_interactions.filter(|v| v.is_finite()) {
            ws.write_number(row, CHART_COL, v)?;
        }
        cell(ws, row, 4, line.engagement_rate_by_reach, &f.percent_pts, f)?;
        cell(ws, row, 5, line.engagement_rate_by_impressions, &f.percent_pts, f)?;
    }
    let note_row = report.content_types.len() as u32 + 2;
    ws.write_string_with_format(
        note_row,
        0,
        format!(
            "Posts published {} – {} (UTC). Engagement rates are Σ interactions / Σ base × 100 over the posts that have both.",
            report.content_window.start.format("%Y-%m-%d"),
            (report.content_window.end - TimeDelta::days(1)).format("%Y-%m-%d")
        ),
        &f.subtitle,
    )?;
    if !report.content_types.is_empty() {
        let last = report.content_types.len() as u32;
        let mut chart = Chart::new_column();
        chart.title().set_name("Mean interactions per post by content type");
        ws.write_string(0, CHART_COL, "Mean interactions per post")?;
        ws.set_column_hidden(CHART_COL)?;
        chart.show_hidden_data();
        chart
            .add_series()
            .set_name((SHEET, 0, CHART_COL))
            .set_categories((SHEET, 1, 0, last, 0))
            .set_values((SHEET, 1, CHART_COL, last, CHART_COL));
        chart.x_axis().set_name("Content type");
        chart.y_axis().set_name("Interactions per post");
        chart.y_axis().set_num_format("#,##0");
        chart.legend().set_hidden();
        chart.set_width(640).set_height(340);
        ws.insert_chart(note_row + 2, 0, &chart)?;
    }
    Ok(())
}

fn best_time_sheet(ws: &mut Worksheet, report: &WeeklyReport, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Best times")?;
    print_setup(ws);
    let bt = &report.best_time;
    let index = bt.options.normalization == Normalization::PerAccount;
    ws.write_string_with_format(0, 0, "Best time to post", &f.title)?;
    ws.write_string_with_format(
        1,
        0,
        format!(
            "Mean {} of posts published per weekday and hour ({}), {} – {}; a slot needs {} posts. {} posts used.",
            if index {
                "interactions index (1.00 = the account's average)"
            } else {
                "interactions"
            },
            bt.time_zone,
            bt.window_start.format("%Y-%m-%d"),
            bt.window_end.format("%Y-%m-%d"),
            bt.options.min_posts,
            bt.posts_used
        ),
        &f.subtitle,
    )?;
    let top = 3u32;
    ws.set_column_width(0, 12)?;
    for h in 0..24u16 {
        ws.set_column_width(1 + h, 5.5)?;
        ws.write_string_with_format(top, 1 + h, format!("{h:02}"), &f.header)?;
    }
    ws.write_string_with_format(top, 0, "Weekday", &f.header)?;
    let heat = Format::new()
        .set_num_format(if index { "0.00" } else { "#,##0" })
        .set_align(FormatAlign::Center)
        .set_border(FormatBorder::Thin)
        .set_border_color(Color::RGB(0xE0E0E0));
    let count = Format::new()
        .set_num_format("0")
        .set_align(FormatAlign::Center)
        .set_border(FormatBorder::Thin)
        .set_border_color(Color::RGB(0xE0E0E0));
    let empty = Format::new()
        .set_border(FormatBorder::Thin)
        .set_border_color(Color::RGB(0xE0E0E0));
    let counts_top = top + 10;
    ws.write_string_with_format(counts_top - 1, 0, "Posts per slot", &f.title)?;
    ws.write_string_with_format(counts_top, 0, "Weekday", &f.header)?;
    for h in 0..24u16 {
        ws.write_string_with_format(counts_top, 1 + h, format!("{h:02}"), &f.header)?;
    }
    for d in 0..7u32 {
        let name = WEEKDAYS[d as usize];
        ws.write_string_with_format(top + 1 + d, 0, name, &f.header)?;
        ws.write_string_with_format(counts_top + 1 + d, 0, name, &f.header)?;
        for h in 0..24u32 {
            let slot = bt.slots.get((d * 24 + h) as usize);
            let col = 1 + h as u16;
            match slot.and_then(|s| s.mean).filter(|m| m.is_finite()) {
                Some(m) => ws.write_number_with_format(top + 1 + d, col, m, &heat)?,
                None => ws.write_blank(top + 1 + d, col, &empty)?,
            };
            let posts = slot.map_or(0, |s| s.posts);
            ws.write_number_with_format(counts_top + 1 + d, col, f64::from(posts), &count)?;
        }
    }
    let scale = ConditionalFormat3ColorScale::new()
        .set_minimum_color(Color::RGB(HEAT_LOW))
        .set_midpoint_color(Color::RGB(HEAT_MID))
        .set_maximum_color(Color::RGB(HEAT_HIGH));
    ws.add_conditional_format(top + 1, 1, top + 7, 24, &scale)?;
    let list_top = counts_top + 10;
    ws.write_string_with_format(list_top - 1, 0, "Top slots", &f.title)?;
    if bt.top.is_empty() {
        ws.write_string_with_format(list_top, 0, "Not enough posts per slot yet.", &f.subtitle)?;
    }
    for (i, s) in bt.top.iter().enumerate() {
        ws.write_string(
            list_top + i as u32,
            0,
            format!(
                "{}. {} {:02}:00–{:02}:59 · {} posts · mean {}",
                i + 1,
                WEEKDAYS[s.weekday.num_days_from_monday() as usize],
                s.hour,
                s.hour,
                s.posts,
                crate::html::fmt_decimal(s.mean, 2)
            ),
        )?;
    }
    Ok(())
}

fn top_posts_sheet(ws: &mut Worksheet, report: &WeeklyReport, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Top posts")?;
    print_setup(ws);
    let zone = display_zone(&report.time_zone);
    let published = format!("Published ({})", zone.name());
    let headers = [
        ("Rank", 6.0),
        ("Account", 24.0),
        ("Content type", 12.0),
        (published.as_str(), 17.0),
        ("Interactions", 12.0),
        ("Reach", 11.0),
        ("Impressions", 12.0),
        ("ER by reach (%)", 11.0),
        ("ER by impressions (%)", 12.0),
        ("Post id", 22.0),
        ("Caption", 40.0),
        ("Link", 36.0),
    ];
    for (c, (h, w)) in headers.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
        ws.write_string_with_format(0, c as u16, *h, &f.header)?;
    }
    ws.set_row_height(0, 30)?;
    for (i, p) in report.top_posts.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_number_with_format(row, 0, p.rank as f64, &f.count)?;
        ws.write_string_with_format(row, 1, &p.account, &f.text)?;
        ws.write_string_with_format(row, 2, &p.content_type, &f.text)?;
        match p.published_at.and_then(|t| excel_local_time(t, zone)) {
            Some(t) => ws.write_datetime_with_format(row, 3, &t, &f.datetime)?,
            None => ws.write_string_with_format(row, 3, crate::html::DASH, &f.dash)?,
        };
        ws.write_number_with_format(row, 4, p.interactions, &f.count)?;
        cell(ws, row, 5, p.reach, &f.count, f)?;
        cell(ws, row, 6, p.impressions, &f.count, f)?;
        cell(ws, row, 7, p.engagement_rate_by_reach, &f.percent_pts, f)?;
        cell(ws, row, 8, p.engagement_rate_by_impressions, &f.percent_pts, f)?;
        ws.write_string_with_format(row, 9, &p.post_id, &f.text)?;
        ws.write_string_with_format(row, 10, p.caption.as_deref().unwrap_or(""), &f.text)?;
        ws.write_string_with_format(row, 11, p.permalink.as_deref().unwrap_or(""), &f.text)?;
    }
    if report.top_posts.is_empty() {
        ws.write_string_with_format(1, 0, "No post was published this week.", &f.subtitle)?;
    }
    Ok(())
}

/// "Top hashtags" (`weekly::voices`).
fn hashtags_sheet(ws: &mut Worksheet, report: &WeeklyReport, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Hashtags")?;
    print_setup(ws);
    let headers = [
        ("Hashtag", 24.0),
        ("Posts", 8.0),
        ("Reach", 11.0),
        ("Impressions", 12.0),
        ("Interactions", 12.0),
        ("ER by reach (%)", 11.0),
        ("X posts (week)", 12.0),
    ];
    for (c, (h, w)) in headers.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
        ws.write_string_with_format(0, c as u16, *h, &f.header)?;
    }
    ws.set_row_height(0, 30)?;
    for (i, h) in report.top_hashtags.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_string_with_format(row, 0, &h.hashtag, &f.text)?;
        ws.write_number_with_format(row, 1, h.posts as f64, &f.count)?;
        cell(ws, row, 2, h.reach, &f.count, f)?;
        cell(ws, row, 3, h.impressions, &f.count, f)?;
        cell(ws, row, 4, h.interactions, &f.count, f)?;
        cell(ws, row, 5, h.engagement_rate_by_reach, &f.percent_pts, f)?;
        cell(ws, row, 6, h.x_volume, &f.count, f)?;
    }
    if report.top_hashtags.is_empty() {
        ws.write_string_with_format(1, 0, "No own post of this week carried a hashtag.", &f.subtitle)?;
    }
    Ok(())
}

/// "Mentions and sentiment" (`weekly::voices`): shares as Excel percentages (ratios 0–1
/// formatted `0.0%`), changes in percentage points.
fn mentions_sheet(ws: &mut Worksheet, report: &WeeklyReport, f: &Formats) -> Result<(), XlsxError> {
    use super::voices::kind_text;
    ws.set_name("Mentions")?;
    print_setup(ws);
    let m = &report.mentions;
    let headers = [
        ("Week", 14.0),
        ("Received", 10.0),
        ("Positive", 10.0),
        ("Neutral", 10.0),
        ("Negative", 10.0),
        ("Positive share", 11.0),
        ("Neutral share", 11.0),
        ("Negative share", 11.0),
    ];
    for (c, (h, w)) in headers.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
        ws.write_string_with_format(0, c as u16, *h, &f.header)?;
    }
    ws.set_row_height(0, 30)?;
    for (i, (name, w)) in [("This week", &m.week), ("Last week", &m.previous_week)]
        .into_iter()
        .enumerate()
    {
        let row = 1 + i as u32;
        ws.write_string_with_format(row, 0, name, &f.text)?;
        ws.write_number_with_format(row, 1, w.received as f64, &f.count)?;
        ws.write_number_with_format(row, 2, w.positive as f64, &f.count)?;
        ws.write_number_with_format(row, 3, w.neutral as f64, &f.count)?;
        ws.write_number_with_format(row, 4, w.negative as f64, &f.count)?;
        cell(ws, row, 5, w.positive_share, &f.share, f)?;
        cell(ws, row, 6, w.neutral_share, &f.share, f)?;
        cell(ws, row, 7, w.negative_share, &f.share, f)?;
    }
    ws.write_string_with_format(3, 0, "Change", &f.text)?;
    cell(ws, 3, 5, m.positive_change_points, &f.points, f)?;
    cell(ws, 3, 7, m.negative_change_points, &f.points, f)?;
    let mut row = 5;
    ws.write_string_with_format(row, 0, "This week by kind", &f.header)?;
    for (kind, n) in &m.by_kind {
        row += 1;
        ws.write_string_with_format(row, 0, kind_text(*kind), &f.text)?;
        ws.write_number_with_format(row, 1, *n as f64, &f.count)?;
    }
    for (what, q) in [
        ("Most liked positive", &m.most_liked_positive),
        ("Most liked negative", &m.most_liked_negative),
    ] {
        if let Some(q) = q {
            row += 2;
            ws.write_string_with_format(row, 0, what, &f.header)?;
            ws.write_string_with_format(
                row + 1,
                0,
                format!("@{}", q.author_handle.as_deref().unwrap_or("?")),
                &f.text,
            )?;
            ws.write_number_with_format(row + 1, 1, q.like_count.unwrap_or(0) as f64, &f.count)?;
            ws.write_string_with_format(row + 1, 2, &q.excerpt, &f.text)?;
            row += 1;
        }
    }
    Ok(())
}
