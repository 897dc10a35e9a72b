//! Self-contained, printable HTML pages of the weekly and campaign reports, a column chart
//! renderer (plotters → SVG) and the text formats every report shares.
//!
//! A page is one UTF-8 file: inline CSS (with `@media print` and `@page` rules for A4),
//! the charts as inline `<svg>` elements (rendered by [`crate::chart::render_svg`] and
//! [`render_column_svg`]), tables, and no external resource at all — no script, no font,
//! no image, no stylesheet, no `http://` / `https://` `src` or `href` — so it opens offline
//! and prints the same anywhere. Permalinks are shown as text, not links. Pages are maud
//! templates (checked at compile time), so every piece of data is HTML-escaped.

use crate::campaign::CampaignReport;
use crate::chart::{render_svg, LineChart, Series, DEFAULT_NO_DATA, MAX_SIDE, MIN_SIDE};
use crate::font::{self, FAMILY};
use crate::number::thousands;
use crate::weekly::voices::{kind_text, points_text, quote_text, share_text};
use crate::weekly::{severity_text, week_text, KpiLine, TrendLine, WeeklyReport, WEEKDAYS};
use crate::workbook::{HEAT_HIGH, HEAT_LOW, HEAT_MID};
use crate::zone::{display_zone, local_stamp};
use crate::ReportError;
use alcance_core::analytics::best_time::{Normalization, Tz};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use plotters::coord::ranged1d::{IntoSegmentedCoord, SegmentValue};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// What every report shows for "no data" (never 0): an em dash.
pub const DASH: &str = "—";

/// A count with thousands separators (`12,345`; a fraction keeps one decimal), or
/// [`DASH`].
pub fn fmt_count(v: Option<f64>) -> String {
    match v.filter(|v| v.is_finite()) {
        Some(v) if (v - v.round()).abs() < 1e-9 => thousands(v, 0),
        Some(v) => thousands(v, 1),
        None => DASH.to_string(),
    }
}

/// A number with `decimals` decimals and thousands separators, or [`DASH`].
pub fn fmt_decimal(v: Option<f64>, decimals: usize) -> String {
    v.filter(|v| v.is_finite())
        .map_or_else(|| DASH.to_string(), |v| thousands(v, decimals))
}

/// A percentage (input in percent 0–100) with two decimals: `"4.25 %"`, or [`DASH`].
pub fn fmt_pct(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite())
        .map_or_else(|| DASH.to_string(), |v| format!("{} %", thousands(v, 2)))
}

/// Money with two decimals and the currency code: `"1,500.00 BRL"`, or [`DASH`].
pub fn fmt_money(v: Option<f64>, currency: &str) -> String {
    v.filter(|v| v.is_finite())
        .map_or_else(|| DASH.to_string(), |v| format!("{} {currency}", thousands(v, 2)))
}

/// ROI (input a ratio: 0.25 = +25 %) as a signed percentage: `"+25.0 %"`, or [`DASH`].
pub fn fmt_roi(v: Option<f64>) -> String {
    fmt_signed_pct(v.map(|r| r * 100.0))
}

/// A signed percentage (input in percent): `"+12.3 %"`, `"-4.0 %"`, or [`DASH`].
pub fn fmt_signed_pct(v: Option<f64>) -> String {
    match v.filter(|v| v.is_finite()) {
        Some(v) if v > 0.0 => format!("+{} %", thousands(v, 1)),
        Some(v) => format!("{} %", thousands(v, 1)),
        None => DASH.to_string(),
    }
}

/// A column chart of one value per category (content types, accounts).
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnChart {
    /// Title drawn at the top left.
    pub title: String,
    /// Y axis description with its unit.
    pub y_label: String,
    /// `(category, value)`; a `None` value draws no column and a "—" label (no data is not
    /// 0). Values must be finite to be drawn.
    pub bars: Vec<(String, Option<f64>)>,
    /// Width in pixels, [`MIN_SIDE`]..=[`MAX_SIDE`].
    pub width: u32,
    /// Height in pixels, [`MIN_SIDE`]..=[`MAX_SIDE`].
    pub height: u32,
    /// Drawn instead of columns when no value is drawable (English:
    /// [`crate::chart::DEFAULT_NO_DATA`], `"No data yet"`).
    pub no_data: String,
}

const BAR: RGBColor = RGBColor(0x4E, 0x79, 0xA7);
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
const GRID: RGBColor = RGBColor(0xE6, 0xE6, 0xE6);

fn chart_err<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> ReportError {
    ReportError::Chart(e.to_string())
}

/// Renders a column chart as a standalone SVG document (`<svg …>…</svg>`), with the value
/// above each column and [`ColumnChart::no_data`] when no value is drawable.
///
/// # Errors
/// [`ReportError::Chart`] for a size outside [`MIN_SIDE`]..=[`MAX_SIDE`] or a drawing
/// failure.
pub fn render_column_svg(chart: &ColumnChart) -> Result<String, ReportError> {
    let ok = |v: u32| (MIN_SIDE..=MAX_SIDE).contains(&v);
    if !ok(chart.width) || !ok(chart.height) {
        return Err(ReportError::Chart(format!(
            "chart size {}x{} px is outside {MIN_SIDE}..={MAX_SIDE} px per side",
            chart.width, chart.height
        )));
    }
    font::ensure_registered()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (chart.width, chart.height)).into_drawing_area();
        draw_columns(&root, chart)?;
        root.present().map_err(chart_err)?;
    }
    Ok(svg)
}

pub(crate) fn draw_columns<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    chart: &ColumnChart,
) -> Result<(), ReportError>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(chart_err)?;
    let (w, h) = root.dim_in_pixel();
    let scale = (f64::from(w.min(h)) / 450.0).clamp(0.7, 3.0);
    let margin = (16.0 * scale).round() as i32;
    let title_size = (22.0 * scale).round();
    let label_size = (14.0 * scale).round();
    let title_style = TextStyle::from((FAMILY, title_size).into_font()).color(&INK);
    let title: String = chart
        .title
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    root.draw_text(&title, &title_style, (margin, margin))
        .map_err(chart_err)?;
    let title_h = (title_size * 1.3).round() as i32 + margin;
    let area = root
        .clone()
        .shrink((0, title_h), (w, (h as i32 - title_h).max(1) as u32));

    let values: Vec<Option<f64>> = chart
        .bars
        .iter()
        .map(|(_, v)| v.filter(|v| v.is_finite() && v.abs() <= 1e15))
        .collect();
    if chart.bars.is_empty() || values.iter().all(Option::is_none) {
        let (aw, ah) = area.dim_in_pixel();
        let style = TextStyle::from((FAMILY, title_size).into_font())
            .color(&MUTED)
            .pos(Pos::new(HPos::Center, VPos::Center));
        area.draw_text(
            &crate::chart::clean_text(&chart.no_data),
            &style,
            (aw as i32 / 2, ah as i32 / 2),
        )
        .map_err(chart_err)?;
        return Ok(());
    }
    let hi = values.iter().flatten().fold(0.0f64, |m, v| m.max(*v));
    let lo = values.iter().flatten().fold(0.0f64, |m, v| m.min(*v));
    let top = if hi > 0.0 { hi * 1.15 } else { 1.0 };
    let bottom = if lo < 0.0 { lo * 1.15 } else { 0.0 };
    let decimals = if top - bottom >= 20.0 { 0 } else { 2 };
    let n = chart.bars.len();
    let labels: Vec<String> = chart
        .bars
        .iter()
        .map(|(l, _)| {
            let l: String = l.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
            if l.chars().count() > 24 {
                l.chars().take(23).collect::<String>() + "…"
            } else {
                l
            }
        })
        .collect();
    let label_style = TextStyle::from((FAMILY, label_size).into_font()).color(&MUTED);
    let mut ctx = ChartBuilder::on(&area)
        .margin_left(margin / 2)
        .margin_right(margin)
        .margin_bottom(margin / 2)
        .x_label_area_size((label_size * 2.4).round() as i32)
        .y_label_area_size((label_size * 6.0).round() as i32)
        // Integer ranges are inclusive in plotters: n bars are the values 0..=n-1.
        .build_cartesian_2d((0..n.saturating_sub(1)).into_segmented(), bottom..top)
        .map_err(chart_err)?;
    let x_fmt = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
        _ => String::new(),
    };
    let y_fmt = |v: &f64| thousands(*v, decimals);
    ctx.configure_mesh()
        .disable_x_mesh()
        .x_labels(n.max(1))
        .y_labels(6)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(RGBColor(0xAA, 0xAA, 0xAA).stroke_width(1))
        .label_style(label_style.clone())
        .axis_desc_style(TextStyle::from((FAMILY, label_size).into_font()).color(&INK))
        .y_desc(chart.y_label.as_str())
        .draw()
        .map_err(chart_err)?;
    let gap = ((f64::from(w) / n.max(1) as f64) * 0.15).round() as u32;
    ctx.draw_series(values.iter().enumerate().filter_map(|(i, v)| {
        let v = (*v)?;
        let mut bar = Rectangle::new(
            [(SegmentValue::Exact(i), 0.0), (SegmentValue::Exact(i + 1), v)],
            BAR.filled(),
        );
        bar.set_margin(0, 0, gap, gap);
        Some(bar)
    }))
    .map_err(chart_err)?;
    let value_style = TextStyle::from((FAMILY, label_size).into_font())
        .color(&INK)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    ctx.draw_series(values.iter().enumerate().map(|(i, v)| {
        let (text, at) = match v {
            Some(v) => (thousands(*v, if (v - v.round()).abs() < 1e-9 { 0 } else { 1 }), *v),
            None => (DASH.to_string(), 0.0),
        };
        Text::new(text, (SegmentValue::CenterOf(i), at), value_style.clone())
    }))
    .map_err(chart_err)?;
    Ok(())
}

const CSS: &str = r#"
:root { --ink:#1f2933; --muted:#5f6b7a; --line:#d9dee5; --head:#eef2f7; --accent:#2f5f98; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1100px; padding: 24px; font-size: 14px; line-height: 1.4; background: #fff; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 16px; padding-bottom: 8px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 28px 0 8px; color: var(--accent); }
h3 { font-size: 15px; margin: 16px 0 6px; }
p.meta, p.note, figcaption { color: var(--muted); font-size: 12px; margin: 4px 0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border: 1px solid var(--line); padding: 4px 7px; text-align: left; vertical-align: top; }
th { background: var(--head); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.pic { width: 52px; padding: 2px; } td.pic img { display: block; object-fit: cover; border-radius: 4px; }
td.pic .nopic { display: inline-block; width: 48px; text-align: center; color: #999; }
td.na { color: #9aa5b1; text-align: right; }
td.up { color: #1b7a3a; } td.down { color: #b23b3b; }
figure { margin: 8px 0 16px; page-break-inside: avoid; break-inside: avoid; }
figure svg { width: 100%; height: auto; display: block; border: 1px solid var(--line); }
ul.recs { padding-left: 0; list-style: none; }
ul.recs li { border-left: 4px solid var(--line); padding: 4px 10px; margin: 6px 0; }
ul.recs li.warning { border-color: #d9822b; } ul.recs li.info { border-color: #2f5f98; }
ul.recs li.positive { border-color: #1b7a3a; }
table.heat td, table.heat th { text-align: center; padding: 3px 2px; font-size: 11px; min-width: 28px; }
table.heat th.day { text-align: left; min-width: 80px; }
.small { font-size: 12px; } .mono { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 11px; word-break: break-all; }
td.nowrap { white-space: nowrap; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
footer { margin-top: 28px; border-top: 1px solid var(--line); padding-top: 8px; color: var(--muted); font-size: 11px; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  h2 { break-after: avoid; page-break-after: avoid; }
  section { break-inside: avoid-page; }
  table, figure { break-inside: avoid; page-break-inside: avoid; }
  tr { break-inside: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

fn page(title: &str, zone: Tz, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (text(title)) }
                style { (PreEscaped(CSS)) }
            }
            body {
                (body)
                footer {
                    "Made by Alcance, local-first social media analytics. Times in " (zone.name())
                    "; weeks, days and daily figures are UTC days. "
                    (PreEscaped("&#8220;")) (DASH) (PreEscaped("&#8221;")) " means no data, never zero."
                }
            }
        }
    }
    .into_string()
}

/// Text as the page shows it: control characters other than newline and tab become spaces
/// (maud escapes the markup).
fn text(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// A `<td>` for a number already formatted: right-aligned, or muted for [`DASH`].
fn num_td(t: &str) -> Markup {
    html! {
        @if t == DASH {
            td.na { (DASH) }
        } @else {
            td.num { (text(t)) }
        }
    }
}

/// A `<td>` for a change: colored by `class`, or muted for [`DASH`].
fn change_td(t: &str, class: &str) -> Markup {
    html! {
        @if t == DASH {
            (num_td(DASH))
        } @else {
            td class=(class) { (text(t)) }
        }
    }
}

pub(crate) fn kpi_value(line: &KpiLine, v: Option<f64>) -> String {
    if line.unit == "percent" {
        fmt_pct(v)
    } else {
        fmt_count(v)
    }
}

/// The change of a KPI: percentage points for percentages (`+0.25 pp`), a signed count
/// otherwise (`+1,234`), or [`DASH`].
pub(crate) fn change_text(line: &KpiLine) -> String {
    let c = &line.change;
    if line.unit == "percent" {
        c.abs_change.filter(|v| v.is_finite()).map_or_else(
            || DASH.to_string(),
            |v| {
                // Round first, so -0.001 reads "0.00 pp", not "-0.00 pp".
                let v = (v * 100.0).round() / 100.0;
                if v == 0.0 {
                    "0.00 pp".to_string()
                } else {
                    format!("{v:+.2} pp")
                }
            },
        )
    } else {
        c.abs_change.filter(|v| v.is_finite()).map_or_else(
            || DASH.to_string(),
            |v| {
                let t = fmt_count(Some(v.abs()));
                if v > 0.0 {
                    format!("+{t}")
                } else if v < 0.0 {
                    format!("-{t}")
                } else {
                    t
                }
            },
        )
    }
}

fn kpi_rows(lines: &[KpiLine], with_account: bool) -> Markup {
    html! {
        @for l in lines {
            @let c = &l.change;
            @let class = match c.abs_change {
                Some(d) if d > 0.0 => "num up",
                Some(d) if d < 0.0 => "num down",
                _ => "num",
            };
            tr {
                @if with_account {
                    td { (text(l.account.as_deref().unwrap_or("All accounts"))) }
                }
                td { (text(&l.label)) }
                (num_td(&kpi_value(l, c.current)))
                (num_td(&kpi_value(l, c.previous)))
                (change_td(&change_text(l), class))
                (change_td(&fmt_signed_pct(c.pct_change), class))
            }
        }
    }
}

fn trend_chart(title: &str, y: &str, days: &[NaiveDate], lines: &[TrendLine]) -> Result<String, ReportError> {
    render_svg(&trend_line_chart(title, y, days, lines))
}

/// The line chart of a weekly report's daily series (1000 × 420 px): one line per
/// [`TrendLine`], a point per day with a value.
pub(crate) fn trend_line_chart(title: &str, y: &str, days: &[NaiveDate], lines: &[TrendLine]) -> LineChart {
    let series = lines
        .iter()
        .map(|l| Series {
            label: l.label.clone(),
            points: days
                .iter()
                .zip(l.values.iter())
                .filter_map(|(d, v)| {
                    let v = (*v)?;
                    Some((d.and_time(chrono::NaiveTime::MIN).and_utc(), v))
                })
                .collect(),
        })
        .collect();
    LineChart {
        title: title.to_string(),
        y_label: y.to_string(),
        series,
        width: 1000,
        height: 420,
    }
}

/// Linear interpolation of two 0xRRGGBB colors.
fn mix(a: u32, b: u32, t: f64) -> u32 {
    let t = t.clamp(0.0, 1.0);
    let ch = |c: u32, shift: u32| f64::from((c >> shift) & 0xFF);
    let one = |shift: u32| (ch(a, shift) + (ch(b, shift) - ch(a, shift)) * t).round() as u32 & 0xFF;
    (one(16) << 16) | (one(8) << 8) | one(0)
}

/// The 3-color scale of the heatmap (minimum, 50th percentile, maximum), as the XLSX
/// conditional format draws it.
pub(crate) fn heat_color(v: f64, min: f64, mid: f64, max: f64) -> u32 {
    if max <= min {
        return HEAT_MID;
    }
    if v <= mid {
        if mid > min {
            mix(HEAT_LOW, HEAT_MID, (v - min) / (mid - min))
        } else {
            HEAT_MID
        }
    } else if max > mid {
        mix(HEAT_MID, HEAT_HIGH, (v - mid) / (max - mid))
    } else {
        HEAT_HIGH
    }
}

/// The heatmap's color scale over the slots' finite means: `(minimum, median, maximum)`,
/// or `None` when no slot has one.
pub(crate) fn heat_scale(bt: &alcance_core::analytics::best_time::BestTime) -> Option<(f64, f64, f64)> {
    let mut means: Vec<f64> = bt
        .slots
        .iter()
        .filter_map(|s| s.mean)
        .filter(|m| m.is_finite())
        .collect();
    means.sort_by(f64::total_cmp);
    Some((*means.first()?, means[means.len() / 2], *means.last()?))
}

/// Whether a heat color (0xRRGGBB) is dark enough to need white text.
pub(crate) fn heat_is_dark(color: u32) -> bool {
    ((color >> 16) & 0xFF) < 0x70
}

fn heatmap(report: &WeeklyReport) -> Markup {
    let bt = &report.best_time;
    let Some((min, mid, max)) = heat_scale(bt) else {
        return html! {
            p.note { "Not enough posts yet: a slot needs at least " (bt.options.min_posts) " posts in the window." }
        };
    };
    let index = bt.options.normalization == Normalization::PerAccount;
    html! {
        table.heat {
            thead {
                tr {
                    th.day { "Weekday" }
                    @for h in 0..24 {
                        th { (format!("{h:02}")) }
                    }
                }
            }
            tbody {
                @for (d, name) in WEEKDAYS.iter().enumerate() {
                    tr {
                        th.day { (name) }
                        @for h in 0..24 {
                            @match bt.slots.get(d * 24 + h) {
                                Some(s) if s.mean.is_some_and(f64::is_finite) => {
                                    @let m = s.mean.unwrap_or_default();
                                    @let color = heat_color(m, min, mid, max);
                                    @let ink = if heat_is_dark(color) { "#fff" } else { "#1f2933" };
                                    td style=(format!("background:#{color:06X};color:{ink}"))
                                        title=(format!("{} posts", s.posts)) {
                                        @if index { (format!("{m:.2}")) } @else { (thousands(m, 0)) }
                                    }
                                }
                                Some(s) if s.posts > 0 => {
                                    td.na title=(format!("{} post(s)", s.posts)) { "·" }
                                }
                                _ => { td {} }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The weekly report as one self-contained printable HTML page: summary KPIs with
/// week-over-week change, recommendations, the engagement-trend and follower-growth line
/// charts and the content-type column chart (inline SVG), the best-time heatmap (a table
/// colored like the XLSX color scale), per-account KPIs and the top posts.
///
/// # Errors
/// [`ReportError::Chart`] when a chart cannot be rendered.
pub fn weekly_html(report: &WeeklyReport) -> Result<String, ReportError> {
    let zone = display_zone(&report.time_zone);
    let week = week_text(report);
    let t = &report.trends;
    let first = t.days.first().map(|d| d.to_string()).unwrap_or_default();
    let last = t.days.last().map(|d| d.to_string()).unwrap_or_default();
    let engagement = trend_chart(
        "Daily engagement (interactions gained per day)",
        "Interactions",
        &t.days,
        &t.engagement,
    )?;
    let followers = trend_chart("Follower growth", "Followers", &t.days, &t.followers)?;
    let columns = render_column_svg(&ColumnChart {
        title: "Mean interactions per post by content type".to_string(),
        y_label: "Interactions per post".to_string(),
        bars: report
            .content_types
            .iter()
            .map(|c| (c.content_type.clone(), c.mean_interactions))
            .collect(),
        width: 1000,
        height: 400,
        no_data: DEFAULT_NO_DATA.to_string(),
    })?;
    let bt = &report.best_time;
    let best_slots: Vec<String> = bt
        .top
        .iter()
        .take(5)
        .map(|s| {
            format!(
                "{} {:02}:00 ({} posts, {})",
                WEEKDAYS[s.weekday.num_days_from_monday() as usize],
                s.hour,
                s.posts,
                fmt_decimal(s.mean, 2)
            )
        })
        .collect();
    let body = html! {
        header {
            h1 { "Weekly report" }
            p.meta {
                "Week " (text(&week)) " (UTC days) · " (report.accounts.len()) " account(s) · generated "
                (local_stamp(report.generated_at, zone)) " " (zone.name())
            }
        }
        section {
            h2 { "Summary" }
            table {
                thead {
                    tr {
                        th { "KPI" } th.num { "This week" } th.num { "Last week" } th.num { "Change" }
                        th.num { "Change %" }
                    }
                }
                tbody { (kpi_rows(&report.summary, false)) }
            }
            p.note {
                "Sums add up the accounts that have the KPI in both weeks. Engagement rates are Σ interactions / \
                 Σ reach (or impressions) × 100 over the posts published in the week; pp = percentage points. \
                 Post figures are lifetime totals as of "
                (local_stamp(report.posts_as_of, zone)) " " (zone.name()) "."
            }
        }
        section {
            h2 { "Recommendations" }
            @if report.recommendations.iter().all(|r| r.items.is_empty()) {
                p.note { "Nothing to change this week." }
            }
            @for group in report.recommendations.iter().filter(|g| !g.items.is_empty()) {
                h3 { (text(&group.account)) }
                ul.recs {
                    @for r in &group.items {
                        li class=(severity_text(r.severity)) {
                            strong { (text(&r.title)) }
                            br;
                            span.small { (text(&r.detail)) }
                        }
                    }
                }
            }
        }
        section {
            h2 { "Trends" }
            figure {
                (PreEscaped(engagement))
                figcaption {
                    "Interactions gained per day (likes, comments, replies, reposts, quotes, saves, shares added to \
                     the posts' lifetime totals that day), " (first) " – " (last) " UTC."
                }
            }
            figure {
                (PreEscaped(followers))
                figcaption { "Followers at each day's last snapshot, " (first) " – " (last) " UTC." }
            }
        }
        section {
            h2 { "Content types" }
            figure {
                (PreEscaped(columns))
                figcaption {
                    "Posts published " (report.content_window.start.format("%Y-%m-%d").to_string()) " – "
                    ((report.content_window.end - TimeDelta::days(1)).format("%Y-%m-%d").to_string()) " UTC."
                }
            }
            table {
                thead {
                    tr {
                        th { "Content type" } th.num { "Posts" } th.num { "Share" } th.num { "Mean interactions" }
                        th.num { "ER by reach" } th.num { "ER by impressions" }
                    }
                }
                tbody {
                    @for c in &report.content_types {
                        tr {
                            td { (text(&c.content_type)) }
                            (num_td(&fmt_count(Some(c.posts as f64))))
                            (num_td(&fmt_pct(Some(c.share * 100.0))))
                            (num_td(&fmt_decimal(c.mean_interactions, 1)))
                            (num_td(&fmt_pct(c.engagement_rate_by_reach)))
                            (num_td(&fmt_pct(c.engagement_rate_by_impressions)))
                        }
                    }
                }
            }
        }
        section {
            h2 { "Best times to post" }
            p.note {
                "Mean "
                @if bt.options.normalization == Normalization::PerAccount {
                    "interactions index (1.00 = the account's average)"
                } @else {
                    "interactions"
                }
                " of the posts published in each weekday × hour slot, " (text(&bt.time_zone)) " local time, "
                (bt.window_start.format("%Y-%m-%d").to_string()) " – " (bt.window_end.format("%Y-%m-%d").to_string())
                " (" (bt.posts_used) " posts; a slot needs " (bt.options.min_posts) "; darker is better)."
            }
            (heatmap(report))
            @if !best_slots.is_empty() {
                p.small { "Best slots: " (text(&best_slots.join("; "))) }
            }
        }
        section {
            h2 { "Top posts of the week" }
            @if report.top_posts.is_empty() {
                p.note { "No post was published this week." }
            } @else {
                table {
                    thead {
                        tr {
                            th.num { "#" } th { "Account" } th { "Type" } th { "Published (" (zone.name()) ")" }
                            th.num { "Interactions" } th.num { "Reach" } th.num { "Impressions" }
                            th.num { "ER by reach" } th.num { "ER by impr." } th { "Post" }
                        }
                    }
                    tbody {
                        @for p in &report.top_posts {
                            tr {
                                td.num { (p.rank) }
                                td { (text(&p.account)) }
                                td { (text(&p.content_type)) }
                                td.nowrap { (fmt_time(p.published_at, zone)) }
                                (num_td(&fmt_count(Some(p.interactions))))
                                (num_td(&fmt_count(p.reach)))
                                (num_td(&fmt_count(p.impressions)))
                                (num_td(&fmt_pct(p.engagement_rate_by_reach)))
                                (num_td(&fmt_pct(p.engagement_rate_by_impressions)))
                                td.small {
                                    (text(p.caption.as_deref().unwrap_or(&p.post_id)))
                                    @if let Some(link) = p.permalink.as_deref() {
                                        br;
                                        span.mono { (text(link)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        (voices_html(report))
        section {
            h2 { "KPIs per account" }
            table {
                thead {
                    tr {
                        th { "Account" } th { "KPI" } th.num { "This week" } th.num { "Last week" }
                        th.num { "Change" } th.num { "Change %" }
                    }
                }
                tbody { (kpi_rows(&report.account_kpis, true)) }
            }
        }
        @if let Some(c) = &report.competitors {
            (crate::weekly::competitors::html_section(c))
        }
    };
    Ok(page(&format!("Alcance weekly report {week}"), zone, body))
}

/// The campaign report as one self-contained printable HTML page: the campaign's facts,
/// the side-by-side table ([`CampaignReport::table`]), a column chart of interactions per
/// account (inline SVG), the posts, costs and conversions, and any warnings.
///
/// # Errors
/// [`ReportError::Chart`] when the chart cannot be rendered.
pub fn campaign_html(report: &CampaignReport) -> Result<String, ReportError> {
    let zone = display_zone(&report.time_zone);
    let c = &report.campaign;
    let chart = if report.accounts.is_empty() {
        None
    } else {
        Some(render_column_svg(&ColumnChart {
            title: "Interactions per account".to_string(),
            y_label: "Interactions".to_string(),
            bars: report
                .accounts
                .iter()
                .map(|a| (a.label.clone(), a.kpis.interactions))
                .collect(),
            width: 1000,
            height: 380,
            no_data: DEFAULT_NO_DATA.to_string(),
        })?)
    };
    let body = html! {
        header {
            h1 { "Campaign: " (text(&c.name)) }
            p.meta {
                (c.starts_on.to_string()) " – " (c.ends_on.map_or_else(|| "open".to_string(), |d| d.to_string()))
                " · goal " (text(&c.goal)) " · budget " (text(&fmt_money(c.budget, &c.currency)))
                @if let Some(u) = report.budget_used {
                    " (" (fmt_pct(Some(u * 100.0))) " used)"
                }
                " · generated " (local_stamp(report.generated_at, zone)) " " (zone.name())
            }
        }
        section {
            h2 { "Side by side" }
            table {
                thead {
                    tr {
                        th { "Figure" }
                        @for col in report.columns() {
                            th.num { (text(&col.label)) }
                        }
                    }
                }
                tbody {
                    @for row in report.table() {
                        tr {
                            td { (text(&row.label)) }
                            @for cell in &row.cells {
                                (num_td(cell))
                            }
                        }
                    }
                }
            }
            p.note {
                "Reach is summed over posts (a person reached by two posts counts twice). CPM = cost / impressions \
                 × 1,000; CPE = cost / interactions; ROI = (revenue − cost) / cost. Only amounts in the campaign \
                 currency are added."
            }
            @for w in &report.warnings {
                p.note { "Note: " (text(w)) }
            }
            @if let Some(t) = report.sentiment_text() {
                p { "Sentiment of the comments on its posts (computed on this computer): " (text(&t)) "." }
            }
        }
        @if let Some(svg) = chart {
            section { figure { (PreEscaped(svg)) } }
        }
        section {
            h2 { "Posts" }
            @if report.posts.is_empty() {
                p.note { "No post is in the campaign yet." }
            } @else {
                table {
                    thead {
                        tr {
                            th { "Picture" } th { "Account" } th { "Post" } th { "Type" }
                            th { "Published (" (zone.name()) ")" }
                            th.num { "Reach" } th.num { "Impressions" } th.num { "Interactions" } th.num { "ER by reach" }
                            th.num { "ER by impr." }
                        }
                    }
                    tbody {
                        @for p in &report.posts {
                            tr {
                                td.pic {
                                    @if let Some(pic) = p.picture.as_ref().filter(|x| x.data_url.starts_with("data:image/")) {
                                        img src=(pic.data_url) alt=(format!("Picture of post {}", p.post_id))
                                            title=(format!("Kept {} {} from {}", local_stamp(pic.fetched_at, zone), zone.name(), pic.source_url))
                                            width="48" height="48";
                                    } @else {
                                        span.nopic title="No picture kept" { "·" }
                                    }
                                }
                                td { (text(&p.account)) }
                                td.mono { (text(&p.post_id)) }
                                td { (text(&p.content_type)) }
                                td { (fmt_time(p.published_at, zone)) }
                                (num_td(&fmt_count(p.reach)))
                                (num_td(&fmt_count(p.impressions)))
                                (num_td(&fmt_count(p.interactions)))
                                (num_td(&fmt_pct(p.engagement_rate_by_reach)))
                                (num_td(&fmt_pct(p.engagement_rate_by_impressions)))
                            }
                        }
                    }
                }
            }
        }
        section.two {
            div {
                h2 { "Costs" }
                @if report.costs.is_empty() {
                    p.note { "No cost entered." }
                } @else {
                    table {
                        thead { tr { th { "Date" } th.num { "Amount" } th { "For" } th { "Note" } } }
                        tbody {
                            @for x in &report.costs {
                                tr {
                                    td { (x.date.to_string()) }
                                    (num_td(&fmt_money(Some(x.amount), &x.currency)))
                                    td {
                                        (text(&x.account.as_ref().map_or_else(
                                            || "campaign".to_string(),
                                            |k| format!("{}:{}", k.platform, k.user_id),
                                        )))
                                    }
                                    td { (text(x.note.as_deref().unwrap_or(""))) }
                                }
                            }
                        }
                    }
                }
            }
            div {
                h2 { "Conversions" }
                @if report.conversions.is_empty() {
                    p.note { "No conversion entered." }
                } @else {
                    table {
                        thead { tr { th { "Date" } th.num { "Count" } th.num { "Revenue" } th { "UTM" } } }
                        tbody {
                            @for x in &report.conversions {
                                @let utm = [x.utm_source.as_deref(), x.utm_campaign.as_deref()]
                                    .into_iter()
                                    .flatten()
                                    .collect::<Vec<_>>()
                                    .join(" / ");
                                tr {
                                    td { (x.date.to_string()) }
                                    (num_td(&fmt_count(Some(f64::from(x.count)))))
                                    (num_td(&fmt_money(x.revenue, &x.currency)))
                                    td { (text(&utm)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(&format!("Alcance campaign report: {}", c.name), zone, body))
}

/// A moment on `zone`'s wall clock, `—` when unknown.
fn fmt_time(t: Option<DateTime<Utc>>, zone: Tz) -> String {
    t.map_or_else(|| DASH.to_string(), |t| local_stamp(t, zone))
}

/// The weekly report's "Top hashtags" and "Mentions and sentiment" sections
/// (`weekly::voices`).
fn voices_html(report: &WeeklyReport) -> Markup {
    let m = &report.mentions;
    html! {
        section {
            h2 { "Top hashtags" }
            @if report.top_hashtags.is_empty() {
                p.note { "No own post of this week carried a hashtag." }
            } @else {
                table {
                    thead {
                        tr {
                            th { "Hashtag" } th.num { "Posts" } th.num { "Reach" } th.num { "Impressions" }
                            th.num { "Interactions" } th.num { "ER by reach" } th.num { "X posts (week)" }
                        }
                    }
                    tbody {
                        @for h in &report.top_hashtags {
                            tr {
                                td { (text(&h.hashtag)) }
                                (num_td(&fmt_count(Some(h.posts as f64))))
                                (num_td(&fmt_count(h.reach)))
                                (num_td(&fmt_count(h.impressions)))
                                (num_td(&fmt_count(h.interactions)))
                                (num_td(&fmt_pct(h.engagement_rate_by_reach)))
                                (num_td(&fmt_count(h.x_volume)))
                            }
                        }
                    }
                }
            }
        }
        section {
            h2 { "Mentions and sentiment" }
            @if m.week.received == 0 && m.previous_week.received == 0 {
                p.note { "No comment, reply or mention was received this week or the week before." }
            } @else {
                p.small {
                    "Received this week: " (m.week.received)
                    @for (kind, n) in &m.by_kind { " · " (kind_text(*kind)) ": " (n) }
                    ". Sentiment is computed on this computer; shares are of the comments with text."
                }
                table {
                    thead {
                        tr { th { "Week" } th.num { "Received" } th.num { "Positive" } th.num { "Neutral" } th.num { "Negative" } }
                    }
                    tbody {
                        @for (label, w) in [("This week", &m.week), ("Last week", &m.previous_week)] {
                            tr {
                                td { (label) }
                                td.num { (w.received) }
                                td.num { (share_text(w.positive, w.positive_share)) }
                                td.num { (share_text(w.neutral, w.neutral_share)) }
                                td.num { (share_text(w.negative, w.negative_share)) }
                            }
                        }
                        tr {
                            td { "Change" } td.na { (DASH) }
                            td.num { (points_text(m.positive_change_points)) }
                            td.na { (DASH) }
                            td.num { (points_text(m.negative_change_points)) }
                        }
                    }
                }
                @if let Some(q) = &m.most_liked_positive {
                    p.small { "Most liked positive: " (text(&quote_text(q))) }
                }
                @if let Some(q) = &m.most_liked_negative {
                    p.small { "Most liked negative: " (text(&quote_text(q))) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_never_turn_no_data_into_zero() {
        assert_eq!(fmt_count(None), DASH);
        assert_eq!(fmt_count(Some(f64::NAN)), DASH);
        assert_eq!(fmt_count(Some(0.0)), "0");
        assert_eq!(fmt_count(Some(12345.0)), "12,345");
        assert_eq!(fmt_pct(Some(4.254)), "4.25 %");
        assert_eq!(fmt_money(Some(1500.0), "BRL"), "1,500.00 BRL");
        assert_eq!(fmt_money(None, "BRL"), DASH);
        assert_eq!(fmt_roi(Some(0.25)), "+25.0 %");
        assert_eq!(fmt_roi(Some(-0.6)), "-60.0 %");
        assert_eq!(fmt_signed_pct(Some(0.0)), "0.0 %");
    }

    #[test]
    fn escaping_covers_markup_and_quotes() {
        // maud escapes `& < > "`; attributes are double-quoted, so `'` needs no escape.
        // Control characters other than newline and tab become spaces.
        assert_eq!(
            html! { (text("<a href=\"x\">'&'</a>\u{7}")) }.into_string(),
            "&lt;a href=&quot;x&quot;&gt;'&amp;'&lt;/a&gt; "
        );
        assert_eq!(
            html! { td title=(text("\"><script>")) {} }.into_string(),
            "<td title=\"&quot;&gt;&lt;script&gt;\"></td>"
        );
    }

    #[test]
    fn heat_colors_run_from_low_to_high() {
        assert_eq!(heat_color(0.0, 0.0, 1.0, 2.0), HEAT_LOW);
        assert_eq!(heat_color(1.0, 0.0, 1.0, 2.0), HEAT_MID);
        assert_eq!(heat_color(2.0, 0.0, 1.0, 2.0), HEAT_HIGH);
        assert_eq!(heat_color(5.0, 5.0, 5.0, 5.0), HEAT_MID);
    }

    #[test]
    fn a_column_chart_draws_values_and_dashes() {
        let svg = render_column_svg(&ColumnChart {
            title: "Posts".into(),
            y_label: "Count".into(),
            bars: vec![("reel".into(), Some(1234.0)), ("image".into(), None)],
            width: 600,
            height: 300,
            no_data: DEFAULT_NO_DATA.to_string(),
        })
        .unwrap_or_default();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("1,234") && svg.contains(DASH) && svg.contains("reel"));
        let one = render_column_svg(&ColumnChart {
            title: "One".into(),
            y_label: "Count".into(),
            bars: vec![("only".into(), Some(0.5))],
            width: 400,
            height: 300,
            no_data: DEFAULT_NO_DATA.to_string(),
        })
        .unwrap_or_default();
        assert!(one.contains("only") && one.contains("<rect"), "a single column draws");
        let empty = render_column_svg(&ColumnChart {
            title: "Posts".into(),
            y_label: "Count".into(),
            bars: vec![],
            width: 600,
            height: 300,
            no_data: DEFAULT_NO_DATA.to_string(),
        })
        .unwrap_or_default();
        assert!(empty.contains("No data yet"));
        let translated = render_column_svg(&ColumnChart {
            title: "Posts".into(),
            y_label: "Count".into(),
            bars: vec![("reel".into(), None)],
            width: 600,
            height: 300,
            no_data: "Ainda sem dados".into(),
        })
        .unwrap_or_default();
        assert!(translated.contains("Ainda sem dados") && !translated.contains("No data yet"));
        assert!(render_column_svg(&ColumnChart {
            title: String::new(),
            y_label: String::new(),
            bars: vec![],
            width: 10,
            height: 300,
            no_data: DEFAULT_NO_DATA.to_string(),
        })
        .is_err());
    }
}
