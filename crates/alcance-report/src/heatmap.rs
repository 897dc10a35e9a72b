//! The best-time heatmap as a picture: a 7 × 24 grid of a
//! [`BestTime`](alcance_core::analytics::best_time::BestTime) (rows the local weekdays
//! Monday..Sunday top to bottom, columns the local hours 0..23), drawn with plotters to SVG
//! in the look of [`crate::chart`] (white background, title at the top left, the same
//! font, the same blue accent).
//!
//! A slot whose mean is reported (at least `min_posts` posts) is filled on a linear scale
//! from a light tint of the accent (the lowest mean shown) to the accent itself (the
//! highest); a slot without a mean is light grey, whatever its post count. The best slot
//! (`BestTime::top[0]`) is outlined. Under the grid: the hour labels, the hour axis
//! description and a legend (lowest mean, color ramp, highest mean, with the caller's
//! unit). With no reported mean at all the picture says [`HeatmapChart::no_data`].
//!
//! [`post_engagements`] turns post metrics into the best-time input, the one way the weekly
//! report and the dashboard both build it.

use crate::chart::{
    chart_err, check_size, clean_text, fit_text, y_decimals, Metrics, ACCENT, DEFAULT_NO_DATA, INK, MUTED,
};
use crate::font::{self, FAMILY};
use crate::number::thousands;
use crate::ReportError;
use alcance_core::analytics::best_time::{BestTime, PostEngagement};
use alcance_core::analytics::posts::PostMetrics;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::{Deserialize, Serialize};

/// English short weekday names, Monday first: the fallback of [`HeatmapChart::weekdays`].
pub const ENGLISH_WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
/// English title of the heatmap.
pub const DEFAULT_TITLE: &str = "Best time to post";
/// English description of the hour axis.
pub const DEFAULT_HOUR_LABEL: &str = "Hour";
/// Content types left out of best-time heatmaps by default: 24-hour stories are not
/// comparable with feed posts.
pub const BEST_TIME_EXCLUDES: [&str; 1] = ["story"];

/// Fill of a slot without a reported mean (fewer than `min_posts` posts): light grey.
pub const EMPTY_FILL: RGBColor = RGBColor(0xEE, 0xEE, 0xEE);
/// Fill of the lowest mean shown: a light tint of the accent.
pub const LOW_FILL: RGBColor = RGBColor(0xDC, 0xE6, 0xF0);
/// Fill of the highest mean shown: the charts' accent (Tableau blue).
pub const HIGH_FILL: RGBColor = ACCENT;

/// Steps of the legend's color ramp.
const RAMP_STEPS: i32 = 8;

/// The words and size of a best-time heatmap. Missing fields deserialize to the English
/// defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HeatmapChart {
    /// Title drawn at the top left (default [`DEFAULT_TITLE`]; cut with `…` when too wide).
    pub title: String,
    /// Description under the hour labels (default [`DEFAULT_HOUR_LABEL`]); callers add the
    /// time zone, e.g. `"Hour (America/Sao_Paulo)"`.
    pub hour_label: String,
    /// Drawn instead of the grid when no slot has a mean (default `"No data yet"`).
    pub no_data: String,
    /// Seven short weekday names, Monday first, for the row labels; any other count falls
    /// back to [`ENGLISH_WEEKDAYS`].
    pub weekdays: Vec<String>,
    /// Appended to the legend's values: `"%"` for an engagement rate (percent 0–100), `""`
    /// for counts or a per-account index.
    pub unit: String,
    /// Width in pixels, [`crate::chart::MIN_SIDE`]..=[`crate::chart::MAX_SIDE`].
    pub width: u32,
    /// Height in pixels, [`crate::chart::MIN_SIDE`]..=[`crate::chart::MAX_SIDE`].
    pub height: u32,
}

impl Default for HeatmapChart {
    fn default() -> Self {
        HeatmapChart {
            title: DEFAULT_TITLE.to_string(),
            hour_label: DEFAULT_HOUR_LABEL.to_string(),
            no_data: DEFAULT_NO_DATA.to_string(),
            weekdays: ENGLISH_WEEKDAYS.iter().map(|d| (*d).to_string()).collect(),
            unit: String::new(),
            width: 720,
            height: 320,
        }
    }
}

impl HeatmapChart {
    /// The row labels: [`HeatmapChart::weekdays`] when it has exactly 7 names, else
    /// [`ENGLISH_WEEKDAYS`].
    pub fn weekday_names(&self) -> Vec<String> {
        if self.weekdays.len() == 7 {
            self.weekdays.clone()
        } else {
            ENGLISH_WEEKDAYS.iter().map(|d| (*d).to_string()).collect()
        }
    }
}

/// The best-time input of `posts`: one [`PostEngagement`] per post that has a publication
/// time and a `value` (in the caller's unit: interactions, engagement rate percent, …),
/// keyed by [`PostMetrics::account_key`]. Posts whose content type is in `excludes` (see
/// [`BEST_TIME_EXCLUDES`]) are left out.
pub fn post_engagements<'a, I, S, F>(posts: I, excludes: &[S], value: F) -> Vec<PostEngagement>
where
    I: IntoIterator<Item = &'a PostMetrics>,
    S: AsRef<str>,
    F: Fn(&PostMetrics) -> Option<f64>,
{
    posts
        .into_iter()
        .filter(|p| !excludes.iter().any(|e| e.as_ref() == p.content_type))
        .filter_map(|p| {
            Some(PostEngagement {
                account: p.account_key(),
                published_at: p.published_at?,
                value: value(p)?,
            })
        })
        .collect()
}

/// Renders the heatmap of `best` as a standalone SVG document (`<svg ...>...</svg>`,
/// UTF-8), `chart.width` × `chart.height` px: 168 equal cells (one `<rect>` each) when
/// some slot has a mean, else only the title and [`HeatmapChart::no_data`].
///
/// # Errors
/// [`ReportError::Chart`] for a size outside the chart limits or a drawing failure.
/// Missing, NaN or infinite means are drawn as empty slots, never an error.
pub fn render_best_time_svg(best: &BestTime, chart: &HeatmapChart) -> Result<String, ReportError> {
    check_size(chart.width, chart.height)?;
    font::ensure_registered()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (chart.width, chart.height)).into_drawing_area();
        draw(&root, best, chart)?;
        root.present().map_err(chart_err)?;
    }
    Ok(svg)
}

/// The slot means a heatmap colors: `(index, mean)` for the finite ones, index
/// `weekday × 24 + hour` (Monday 0 h = 0).
fn shown_means(best: &BestTime) -> Vec<(usize, f64)> {
    best.slots
        .iter()
        .enumerate()
        .take(168)
        .filter_map(|(i, s)| s.mean.filter(|m| m.is_finite()).map(|m| (i, m)))
        .collect()
}

/// The fill of a mean on the scale `lo..=hi`: [`LOW_FILL`] at `lo`, [`HIGH_FILL`] at `hi`
/// (all [`HIGH_FILL`] when `hi <= lo`).
pub(crate) fn scale_fill(mean: f64, lo: f64, hi: f64) -> RGBColor {
    let t = if hi > lo {
        ((mean - lo) / (hi - lo)).clamp(0.0, 1.0)
    } else {
        1.0
    };
    mix(LOW_FILL, HIGH_FILL, t)
}

fn mix(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let ch = |x: u8, y: u8| {
        (f64::from(x) + (f64::from(y) - f64::from(x)) * t)
            .round()
            .clamp(0.0, 255.0) as u8
    };
    RGBColor(ch(a.0, b.0), ch(a.1, b.1), ch(a.2, b.2))
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    best: &BestTime,
    chart: &HeatmapChart,
) -> Result<(), ReportError>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(chart_err)?;
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let m = Metrics::for_size(w as u32, h as u32);
    let max_text_w = (w - 2 * m.margin).max(10);

    // Title.
    let title_style = TextStyle::from((FAMILY, m.title).into_font()).color(&INK);
    let title = fit_text(root, &chart.title, &title_style, max_text_w)?;
    root.draw_text(&title, &title_style, (m.margin, m.margin))
        .map_err(chart_err)?;
    let top = (m.title * 1.3).round() as i32 + m.margin;

    let means = shown_means(best);
    if means.is_empty() {
        let style = TextStyle::from((FAMILY, m.title).into_font())
            .color(&MUTED)
            .pos(Pos::new(HPos::Center, VPos::Center));
        let no_data = fit_text(root, &chart.no_data, &style, max_text_w)?;
        root.draw_text(&no_data, &style, (w / 2, top + (h - top) / 2))
            .map_err(chart_err)?;
        return Ok(());
    }
    let lo = means.iter().map(|(_, v)| *v).fold(f64::INFINITY, f64::min);
    let hi = means.iter().map(|(_, v)| *v).fold(f64::NEG_INFINITY, f64::max);

    let label_style = TextStyle::from((FAMILY, m.label).into_font()).color(&MUTED);
    let desc_style = TextStyle::from((FAMILY, m.label).into_font()).color(&INK);
    let text_w = |s: &str, style: &TextStyle| {
        root.estimate_text_size(s, style)
            .map(|(tw, _)| tw as i32)
            .map_err(chart_err)
    };

    // Row labels: at most a third of the width.
    let gap = (m.label * 0.6).round() as i32;
    let names: Vec<String> = chart
        .weekday_names()
        .iter()
        .map(|n| fit_text(root, n, &label_style, (w / 3).max(10)))
        .collect::<Result<_, _>>()?;
    let mut name_w = 0;
    for n in &names {
        name_w = name_w.max(text_w(n, &label_style)?);
    }
    let left = m.margin + name_w + gap;
    let right = w - m.margin;

    // Under the grid: hour labels, the hour description, the legend.
    let line_h = (m.label * 1.6).round() as i32;
    let grid_top = top + m.margin / 2;
    let grid_bottom_max = h - m.margin / 2 - 3 * line_h;
    let cell_w = ((right - left) / 24).max(2);
    let cell_h = ((grid_bottom_max - grid_top) / 7).max(2);
    let grid_w = cell_w * 24;
    let grid_left = left + ((right - left - grid_w) / 2).max(0);
    let grid_bottom = grid_top + 7 * cell_h;
    let inset = i32::from(cell_w >= 6 && cell_h >= 6);

    // Cells.
    let mut fills = [EMPTY_FILL; 168];
    for (i, mean) in &means {
        fills[*i] = scale_fill(*mean, lo, hi);
    }
    for (i, fill) in fills.iter().enumerate() {
        let (row, col) = ((i / 24) as i32, (i % 24) as i32);
        let x = grid_left + col * cell_w;
        let y = grid_top + row * cell_h;
        root.draw(&Rectangle::new(
            [(x + inset, y + inset), (x + cell_w - inset, y + cell_h - inset)],
            fill.filled(),
        ))
        .map_err(chart_err)?;
    }
    // The best slot, outlined.
    if let Some(slot) = best.top.first().filter(|s| s.mean.is_some_and(f64::is_finite)) {
        let row = slot.weekday.num_days_from_monday() as i32;
        let col = slot.hour.min(23) as i32;
        let x = grid_left + col * cell_w;
        let y = grid_top + row * cell_h;
        let (x1, y1) = (x + cell_w, y + cell_h);
        root.draw(&PathElement::new(
            vec![(x, y), (x1, y), (x1, y1), (x, y1), (x, y)],
            INK.stroke_width((m.stroke / 2).max(1) + 1),
        ))
        .map_err(chart_err)?;
    }

    // Weekday labels, right-aligned left of their row.
    let row_style = label_style.pos(Pos::new(HPos::Right, VPos::Center));
    for (row, name) in names.iter().enumerate() {
        let y = grid_top + row as i32 * cell_h + cell_h / 2;
        root.draw_text(name, &row_style, (grid_left - gap, y))
            .map_err(chart_err)?;
    }

    // Hour labels under their column, every `step` hours so they do not touch.
    let widest = text_w("00", &label_style)? + (m.label * 0.5).round() as i32;
    let step = [1, 2, 3, 4, 6, 12]
        .into_iter()
        .find(|s| s * cell_w >= widest)
        .unwrap_or(12);
    let hour_style = label_style.pos(Pos::new(HPos::Center, VPos::Top));
    for hour in (0..24).step_by(step as usize) {
        let x = grid_left + hour * cell_w + cell_w / 2;
        root.draw_text(&format!("{hour:02}"), &hour_style, (x, grid_bottom + line_h / 5))
            .map_err(chart_err)?;
    }
    let desc = fit_text(root, &clean_text(&chart.hour_label), &desc_style, max_text_w)?;
    root.draw_text(
        &desc,
        &desc_style.pos(Pos::new(HPos::Center, VPos::Top)),
        (grid_left + grid_w / 2, grid_bottom + line_h + line_h / 5),
    )
    .map_err(chart_err)?;

    // Legend: lowest mean, ramp, highest mean.
    let decimals = y_decimals(hi - lo);
    let unit = clean_text(&chart.unit);
    let value_text = |v: f64| format!("{}{unit}", thousands(v, decimals));
    let legend_y = grid_bottom + 2 * line_h + line_h / 2;
    let legend_style = label_style.pos(Pos::new(HPos::Left, VPos::Center));
    let low_text = value_text(lo);
    root.draw_text(&low_text, &legend_style, (grid_left, legend_y))
        .map_err(chart_err)?;
    let ramp_left = grid_left + text_w(&low_text, &label_style)? + gap;
    let ramp_w = (cell_w * 2).clamp(8, (m.label * 2.0).round() as i32);
    let ramp_h = (m.label * 0.9).round() as i32;
    for k in 0..RAMP_STEPS {
        let x = ramp_left + k * ramp_w;
        let t = f64::from(k) / f64::from(RAMP_STEPS - 1);
        root.draw(&Rectangle::new(
            [(x, legend_y - ramp_h / 2), (x + ramp_w, legend_y + ramp_h / 2)],
            mix(LOW_FILL, HIGH_FILL, t).filled(),
        ))
        .map_err(chart_err)?;
    }
    root.draw_text(
        &value_text(hi),
        &legend_style,
        (ramp_left + RAMP_STEPS * ramp_w + gap, legend_y),
    )
    .map_err(chart_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_runs_from_the_tint_to_the_accent() {
        assert_eq!(scale_fill(1.0, 1.0, 5.0), LOW_FILL);
        assert_eq!(scale_fill(5.0, 1.0, 5.0), HIGH_FILL);
        assert_eq!(scale_fill(9.0, 1.0, 5.0), HIGH_FILL, "clamped above");
        assert_eq!(scale_fill(3.0, 3.0, 3.0), HIGH_FILL, "one value is the top color");
        let mid = scale_fill(3.0, 1.0, 5.0);
        assert!(mid != LOW_FILL && mid != HIGH_FILL);
        assert!(mid.0 < LOW_FILL.0 && mid.0 > HIGH_FILL.0, "{mid:?}");
        assert_ne!(LOW_FILL, EMPTY_FILL);
    }

    #[test]
    fn weekday_names_fall_back_to_english() {
        let mut chart = HeatmapChart::default();
        assert_eq!(chart.weekday_names()[6], "Sun");
        chart.weekdays = vec!["Seg".into(); 3];
        assert_eq!(chart.weekday_names()[0], "Mon");
        chart.weekdays = ["Seg", "Ter", "Qua", "Qui", "Sex", "Sáb", "Dom"]
            .iter()
            .map(|d| (*d).to_string())
            .collect();
        assert_eq!(chart.weekday_names()[5], "Sáb");
    }
}
