//! Line charts over time, rendered with plotters to SVG (UI, reports) and PNG (files).
//!
//! One look for every chart: white background, the title at the top left, a date x axis
//! in UTC (`dd/mm` within one calendar year, `yyyy-mm-dd` across years, `dd/mm hh:mm` for
//! spans of two days or less), a y axis with thousands separators and the chart's unit
//! label, a light grid, one distinct color per series (Tableau 10, then the lighter hues of
//! Tableau 20, repeating after twenty) and a legend under the plot. A chart with no plottable point says "No data yet".
//!
//! The x axis description and the no-data text are [`ChartText`] (English by default;
//! [`render_svg_with`] / [`render_png_with`] take translated ones).

use crate::font::{self, FAMILY};
use crate::number::thousands;
use crate::ReportError;
use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::{Deserialize, Serialize};

/// One line of a chart: a label for the legend and its points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Legend text, e.g. `"@acme (Instagram)"`.
    pub label: String,
    /// `(time UTC, value)` pairs in the unit of the chart's y axis. Any order (they are
    /// sorted by time before drawing); NaN / infinite values, values beyond ±10^15 and
    /// times outside 1970-01-01..2200-01-01 are skipped (not plottable).
    pub points: Vec<(DateTime<Utc>, f64)>,
}

/// A line chart of one or more series over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineChart {
    /// Title drawn at the top left (truncated with `…` when wider than the chart).
    pub title: String,
    /// Y axis description with its unit (`"Followers"`, `"Interactions per day"`).
    pub y_label: String,
    /// The lines; an empty list (or only empty series) draws [`ChartText::no_data`].
    pub series: Vec<Series>,
    /// Width in pixels, [`MIN_SIDE`]..=[`MAX_SIDE`].
    pub width: u32,
    /// Height in pixels, [`MIN_SIDE`]..=[`MAX_SIDE`].
    pub height: u32,
}

/// The English x axis description of line charts: every time on it is UTC.
pub const DEFAULT_X_LABEL: &str = "Date (UTC)";
/// The English text of a chart with nothing to draw.
pub const DEFAULT_NO_DATA: &str = "No data yet";

/// The words a line chart draws besides its title and y label, so the UI can show them in
/// its language. Missing fields deserialize to the English defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChartText {
    /// X axis description (default [`DEFAULT_X_LABEL`], `"Date (UTC)"`); the axis stays
    /// UTC whatever the text says.
    pub x_label: String,
    /// Drawn in the middle of a chart with no plottable point (default
    /// [`DEFAULT_NO_DATA`], `"No data yet"`).
    pub no_data: String,
}

impl Default for ChartText {
    fn default() -> Self {
        ChartText {
            x_label: DEFAULT_X_LABEL.to_string(),
            no_data: DEFAULT_NO_DATA.to_string(),
        }
    }
}

/// Smallest accepted width or height, pixels.
pub const MIN_SIDE: u32 = 200;
/// Largest accepted width or height, pixels (a 4096 × 4096 PNG needs a 48 MiB buffer).
pub const MAX_SIDE: u32 = 4096;

/// Tableau 10 (distinct, colorblind-aware hues that read well on white), then ten lighter
/// or muted hues of Tableau 20 for charts with more series (the demo draws twelve
/// accounts): a chart of up to ten series looks as before.
const PALETTE: [RGBColor; 20] = [
    RGBColor(0x4E, 0x79, 0xA7),
    RGBColor(0xF2, 0x8E, 0x2B),
    RGBColor(0xE1, 0x57, 0x59),
    RGBColor(0x76, 0xB7, 0xB2),
    RGBColor(0x59, 0xA1, 0x4F),
    RGBColor(0xED, 0xC9, 0x48),
    RGBColor(0xB0, 0x7A, 0xA1),
    RGBColor(0xFF, 0x9D, 0xA7),
    RGBColor(0x9C, 0x75, 0x5F),
    RGBColor(0xBA, 0xB0, 0xAC),
    RGBColor(0xA0, 0xCB, 0xE8),
    RGBColor(0xFF, 0xBE, 0x7D),
    RGBColor(0x8C, 0xD1, 0x7D),
    RGBColor(0xB6, 0x99, 0x2D),
    RGBColor(0x49, 0x98, 0x94),
    RGBColor(0xD3, 0x72, 0x95),
    RGBColor(0x79, 0x70, 0x6E),
    RGBColor(0xD4, 0xA6, 0xC8),
    RGBColor(0xD7, 0xB5, 0xA6),
    RGBColor(0xFA, 0xBF, 0xD2),
];
pub(crate) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(crate) const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
const GRID: RGBColor = RGBColor(0xE6, 0xE6, 0xE6);
const AXIS: RGBColor = RGBColor(0xAA, 0xAA, 0xAA);
/// The accent color: the first series' color (Tableau blue), also the heatmap's top color.
pub(crate) const ACCENT: RGBColor = PALETTE[0];

/// Series with at most this many points get a marker on each point.
const MARKER_MAX_POINTS: usize = 40;

/// Renders the chart as a standalone SVG document (`<svg ...>...</svg>`, UTF-8), sized
/// `width` × `height` px, with the English [`ChartText`]. Text uses
/// `font-family="sans-serif"`.
///
/// # Errors
/// [`ReportError::Chart`] for a size outside [`MIN_SIDE`]..=[`MAX_SIDE`] or a drawing
/// failure. Empty or all-NaN series are not an error.
pub fn render_svg(chart: &LineChart) -> Result<String, ReportError> {
    render_svg_with(chart, &ChartText::default())
}

/// [`render_svg`] with the x axis description and no-data text of `text` (translated).
///
/// # Errors
/// As [`render_svg`].
pub fn render_svg_with(chart: &LineChart, text: &ChartText) -> Result<String, ReportError> {
    check_size(chart.width, chart.height)?;
    font::ensure_registered()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (chart.width, chart.height)).into_drawing_area();
        draw(&root, chart, text)?;
        root.present().map_err(chart_err)?;
    }
    Ok(svg)
}

/// Renders the chart as PNG file bytes (8-bit RGB, `width` × `height` px), text in the
/// embedded DejaVu Sans, with the English [`ChartText`].
///
/// # Errors
/// [`ReportError::Chart`] for a size outside [`MIN_SIDE`]..=[`MAX_SIDE`], a drawing
/// failure or a PNG encoding failure.
pub fn render_png(chart: &LineChart) -> Result<Vec<u8>, ReportError> {
    render_png_with(chart, &ChartText::default())
}

/// [`render_png`] with the x axis description and no-data text of `text` (translated).
///
/// # Errors
/// As [`render_png`].
pub fn render_png_with(chart: &LineChart, text: &ChartText) -> Result<Vec<u8>, ReportError> {
    check_size(chart.width, chart.height)?;
    font::ensure_registered()?;
    let (w, h) = (chart.width, chart.height);
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        draw(&root, chart, text)?;
        root.present().map_err(chart_err)?;
    }
    let mut png = Vec::with_capacity(rgb.len() / 8);
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut png),
        &rgb,
        w,
        h,
        image::ColorType::Rgb8,
    )
    .map_err(|e| ReportError::Chart(format!("PNG encoding failed: {e}")))?;
    Ok(png)
}

/// `Ok` when both sides are within [`MIN_SIDE`]..=[`MAX_SIDE`] px, else
/// [`ReportError::Chart`] naming the size.
pub(crate) fn check_size(width: u32, height: u32) -> Result<(), ReportError> {
    let ok = |v: u32| (MIN_SIDE..=MAX_SIDE).contains(&v);
    if ok(width) && ok(height) {
        Ok(())
    } else {
        Err(ReportError::Chart(format!(
            "chart size {width}x{height} px is outside {MIN_SIDE}..={MAX_SIDE} px per side"
        )))
    }
}

pub(crate) fn chart_err<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> ReportError {
    ReportError::Chart(e.to_string())
}

/// A series ready to draw: sorted, finite, plottable points.
struct Line<'a> {
    label: &'a str,
    color: RGBColor,
    points: Vec<(DateTime<Utc>, f64)>,
}

/// Times a chart can place: 1970-01-01 ≤ t < 2200-01-01 (keeps plotters' date arithmetic
/// far from chrono's limits).
fn plottable_time(t: &DateTime<Utc>) -> bool {
    (0..7_258_118_400).contains(&t.timestamp())
}

/// Values a chart can place: finite and within ±10^15 (no metric comes near; beyond it
/// plotters' tick arithmetic loses precision).
fn plottable_value(v: f64) -> bool {
    v.is_finite() && v.abs() <= 1e15
}

fn prepare(chart: &LineChart) -> Vec<Line<'_>> {
    chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut points: Vec<(DateTime<Utc>, f64)> = s
                .points
                .iter()
                .filter(|(t, v)| plottable_value(*v) && plottable_time(t))
                .copied()
                .collect();
            points.sort_by_key(|p| p.0);
            Line {
                label: &s.label,
                color: PALETTE[i % PALETTE.len()],
                points,
            }
        })
        .collect()
}

/// Sizes derived from the chart's size so small and large charts both read well.
pub(crate) struct Metrics {
    /// Outer margin, px.
    pub(crate) margin: i32,
    /// Title font size, px.
    pub(crate) title: f64,
    /// Label font size, px.
    pub(crate) label: f64,
    /// Line width, px.
    pub(crate) stroke: u32,
}

impl Metrics {
    pub(crate) fn for_size(w: u32, h: u32) -> Metrics {
        let s = (f64::from(w.min(h)) / 450.0).clamp(0.7, 3.0);
        Metrics {
            margin: (16.0 * s).round() as i32,
            title: (22.0 * s).round(),
            label: (14.0 * s).round(),
            stroke: (2.0 * s).round().max(1.0) as u32,
        }
    }
}

pub(crate) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &LineChart,
    text: &ChartText,
) -> Result<(), ReportError>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(chart_err)?;
    let (w, h) = root.dim_in_pixel();
    let m = Metrics::for_size(w, h);
    let lines = prepare(chart);

    // Title.
    let title_style = TextStyle::from((FAMILY, m.title).into_font()).color(&INK);
    let title_h = (m.title * 1.3).round() as i32 + m.margin;
    let max_text_w = (w as i32 - 2 * m.margin).max(10);
    let title = fit_text(root, &chart.title, &title_style, max_text_w)?;
    root.draw_text(&title, &title_style, (m.margin, m.margin))
        .map_err(chart_err)?;
    let rest = root
        .clone()
        .shrink((0, title_h), (w, (h as i32 - title_h).max(1) as u32));

    let drawable: Vec<&Line> = lines.iter().filter(|l| !l.points.is_empty()).collect();
    if drawable.is_empty() {
        let (rw, rh) = rest.dim_in_pixel();
        let style = TextStyle::from((FAMILY, m.title).into_font())
            .color(&MUTED)
            .pos(Pos::new(HPos::Center, VPos::Center));
        let no_data = fit_text(root, &text.no_data, &style, max_text_w)?;
        rest.draw_text(&no_data, &style, (rw as i32 / 2, rh as i32 / 2))
            .map_err(chart_err)?;
        return Ok(());
    }

    // Legend under the plot.
    let legend_style = TextStyle::from((FAMILY, m.label).into_font()).color(&INK);
    let legend = layout_legend(root, &lines, &legend_style, &m, w, h)?;
    let (rw, rh) = rest.dim_in_pixel();
    let plot_h = (rh as i32 - legend.height).max(1) as u32;
    let plot = rest.clone().shrink((0, 0), (rw, plot_h));
    let legend_area = rest.shrink((0, plot_h as i32), (rw, (rh as i32 - plot_h as i32).max(1) as u32));

    draw_plot(&plot, chart, &drawable, &m, text)?;
    draw_legend(&legend_area, &legend, &legend_style, &m)?;
    Ok(())
}

fn draw_plot<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    chart: &LineChart,
    lines: &[&Line],
    m: &Metrics,
    text: &ChartText,
) -> Result<(), ReportError>
where
    DB::ErrorType: 'static,
{
    let (x0, x1) = x_range(lines);
    let (y0, y1) = y_range(lines);
    let decimals = y_decimals(y1 - y0);
    let span = x1 - x0;
    let date_format = if span <= Duration::days(2) {
        "%d/%m %H:%M"
    } else if x0.year() == x1.year() {
        "%d/%m"
    } else {
        "%Y-%m-%d"
    };

    let label_style = TextStyle::from((FAMILY, m.label).into_font()).color(&MUTED);
    let desc_style = TextStyle::from((FAMILY, m.label).into_font()).color(&INK);

    // Widest y tick label decides the y label area.
    let widest = [y0, y1]
        .iter()
        .map(|v| thousands(*v, decimals))
        .map(|t| plot.estimate_text_size(&t, &label_style).map(|(tw, _)| tw))
        .collect::<Result<Vec<_>, _>>()
        .map_err(chart_err)?
        .into_iter()
        .max()
        .unwrap_or(0);
    let y_area = widest as i32 + (m.label * 2.6).round() as i32;
    let x_area = (m.label * 3.2).round() as i32;
    let (pw, _) = plot.dim_in_pixel();
    let mut x_labels = ((pw as i32 - y_area) / ((m.label * 7.0) as i32).max(1)).clamp(2, 12) as usize;
    if span > Duration::days(2) {
        // Labels name days: no more ticks than days, so plotters never steps inside a day
        // (a 3-day axis read "03/12 03/12 04/12 04/12").
        x_labels = x_labels.min(span.num_days().max(1) as usize + 1);
    }

    let mut ctx = ChartBuilder::on(plot)
        .margin_top(m.margin / 2)
        .margin_left(m.margin / 2)
        .margin_right(m.margin * 2)
        .margin_bottom(m.margin / 2)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(chart_err)?;

    let x_fmt = |t: &DateTime<Utc>| t.format(date_format).to_string();
    let y_fmt = |v: &f64| thousands(*v, decimals);
    ctx.configure_mesh()
        .x_labels(x_labels)
        .y_labels(6)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS.stroke_width(1))
        .label_style(label_style.clone())
        .axis_desc_style(desc_style)
        .y_desc(chart.y_label.as_str())
        .x_desc(clean_text(&text.x_label))
        .draw()
        .map_err(chart_err)?;

    for line in lines {
        let style = line.color.stroke_width(m.stroke);
        ctx.draw_series(LineSeries::new(line.points.iter().copied(), style))
            .map_err(chart_err)?;
        if line.points.len() <= MARKER_MAX_POINTS {
            let r = (m.stroke + 2).max(3);
            ctx.draw_series(line.points.iter().map(|p| Circle::new(*p, r, line.color.filled())))
                .map_err(chart_err)?;
        }
    }
    Ok(())
}

/// X range over every point, padded 2 % each side (12 h each side for a single instant).
fn x_range(lines: &[&Line]) -> (DateTime<Utc>, DateTime<Utc>) {
    let mut lo: Option<DateTime<Utc>> = None;
    let mut hi: Option<DateTime<Utc>> = None;
    for (t, _) in lines.iter().flat_map(|l| l.points.iter()) {
        lo = Some(lo.map_or(*t, |c| c.min(*t)));
        hi = Some(hi.map_or(*t, |c| c.max(*t)));
    }
    let epoch = Utc.timestamp_opt(0, 0).single().unwrap_or_default();
    let (lo, hi) = (lo.unwrap_or(epoch), hi.unwrap_or(epoch));
    if hi <= lo {
        return (lo - Duration::hours(12), hi + Duration::hours(12));
    }
    let pad = Duration::seconds(((hi - lo).num_seconds() / 50).max(60));
    (lo - pad, hi + pad)
}

/// Y range over every value, padded 8 % of the span; starts at 0 rather than below it
/// when every value is ≥ 0. A flat (or nearly flat: span below a millionth of the
/// magnitude) series gets a band of ±10 % of its magnitude (at least ±1) around it.
fn y_range(lines: &[&Line]) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for (_, v) in lines.iter().flat_map(|l| l.points.iter()) {
        lo = lo.min(*v);
        hi = hi.max(*v);
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    let magnitude = lo.abs().max(hi.abs());
    let span = hi - lo;
    let (mut a, b) = if span > magnitude * 1e-6 && span > 1e-9 {
        let pad = span * 0.08;
        (lo - pad, hi + pad)
    } else {
        let pad = (magnitude * 0.1).max(1.0);
        (lo - pad, hi + pad)
    };
    if lo >= 0.0 && a < 0.0 {
        a = 0.0;
    }
    (a, b)
}

/// Decimals of y tick labels for a y span.
pub(crate) fn y_decimals(span: f64) -> usize {
    if span >= 20.0 {
        0
    } else if span >= 2.0 {
        1
    } else {
        2
    }
}

/// The legend's items in rows, and the pixel height it needs.
struct Legend {
    rows: Vec<Vec<LegendItem>>,
    height: i32,
}

/// The legend's spacing, px, scaled with the label font size: `(swatch length, gap from
/// swatch to text, space between items, row height)`, what layout and drawing both use.
fn legend_spacing(m: &Metrics) -> (i32, i32, i32, i32) {
    (
        (m.label * 2.2).round() as i32,
        (m.label * 0.5).round() as i32,
        (m.label * 1.6).round() as i32,
        (m.label * 1.7).round() as i32,
    )
}

struct LegendItem {
    text: String,
    color: Option<RGBColor>,
    width: i32,
}

fn layout_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    lines: &[Line],
    style: &TextStyle,
    m: &Metrics,
    w: u32,
    h: u32,
) -> Result<Legend, ReportError>
where
    DB::ErrorType: 'static,
{
    let (swatch, gap, spacing, row_h) = legend_spacing(m);
    let avail = (w as i32 - 2 * m.margin).max(50);
    let max_rows = ((h as f64 * 0.3) / f64::from(row_h)).floor().max(1.0) as usize;

    let mut items = Vec::with_capacity(lines.len());
    for line in lines {
        let label = if line.points.is_empty() {
            format!("{} (no data)", line.label)
        } else {
            line.label.to_string()
        };
        let text = fit_text(root, &label, style, (avail - swatch - gap).max(10))?;
        let (tw, _) = root.estimate_text_size(&text, style).map_err(chart_err)?;
        items.push(LegendItem {
            width: swatch + gap + tw as i32,
            text,
            color: if line.points.is_empty() { None } else { Some(line.color) },
        });
    }

    let mut rows: Vec<Vec<LegendItem>> = vec![Vec::new()];
    let mut x = 0;
    let total = items.len();
    for (placed, item) in items.into_iter().enumerate() {
        let needs = if x == 0 { item.width } else { x + spacing + item.width };
        if needs > avail && x > 0 {
            if rows.len() == max_rows {
                // Out of room: the rest are summarised, making room on the last row.
                let mut hidden = total - placed;
                if let Some(last) = rows.last_mut() {
                    loop {
                        let more = format!("+{hidden} more");
                        let (tw, _) = root.estimate_text_size(&more, style).map_err(chart_err)?;
                        let used: i32 = last.iter().map(|i| i.width + spacing).sum();
                        if last.is_empty() || used + tw as i32 <= avail {
                            last.push(LegendItem {
                                text: more,
                                color: None,
                                width: tw as i32,
                            });
                            break;
                        }
                        last.pop();
                        hidden += 1;
                    }
                }
                break;
            }
            rows.push(Vec::new());
            x = 0;
        }
        x = if x == 0 { item.width } else { x + spacing + item.width };
        if let Some(last) = rows.last_mut() {
            last.push(item);
        }
    }
    let height = rows.len() as i32 * row_h + m.margin;
    Ok(Legend { rows, height })
}

fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    legend: &Legend,
    style: &TextStyle,
    m: &Metrics,
) -> Result<(), ReportError>
where
    DB::ErrorType: 'static,
{
    let (swatch, gap, spacing, row_h) = legend_spacing(m);
    let text_style = style.pos(Pos::new(HPos::Left, VPos::Center));
    let muted = text_style.color(&MUTED);
    for (r, row) in legend.rows.iter().enumerate() {
        let y = r as i32 * row_h + row_h / 2;
        let mut x = m.margin;
        for item in row {
            match item.color {
                Some(color) => {
                    area.draw(&PathElement::new(
                        vec![(x, y), (x + swatch, y)],
                        color.stroke_width(m.stroke + 1),
                    ))
                    .map_err(chart_err)?;
                    area.draw(&Circle::new((x + swatch / 2, y), (m.stroke + 2).max(3), color.filled()))
                        .map_err(chart_err)?;
                    area.draw_text(&item.text, &text_style, (x + swatch + gap, y))
                        .map_err(chart_err)?;
                }
                None => {
                    area.draw_text(&item.text, &muted, (x, y)).map_err(chart_err)?;
                }
            }
            x += item.width + spacing;
        }
    }
    Ok(())
}

/// `text` with control characters (which render as boxes or break SVG) shown as spaces.
pub(crate) fn clean_text(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// `text` as is when it fits `max_w` pixels, else cut at a character boundary with `…`.
pub(crate) fn fit_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
    max_w: i32,
) -> Result<String, ReportError>
where
    DB::ErrorType: 'static,
{
    let clean = clean_text(text);
    let width = |s: &str| {
        area.estimate_text_size(s, style)
            .map(|(tw, _)| tw as i32)
            .map_err(chart_err)
    };
    if clean.is_empty() || width(&clean)? <= max_w {
        return Ok(clean);
    }
    let chars: Vec<char> = clean.chars().collect();
    // Binary search the longest prefix that fits with the ellipsis.
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid].iter().collect::<String>() + "…";
        if width(&candidate)? <= max_w {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Ok(chars[..lo].iter().collect::<String>().trim_end().to_string() + "…")
}
