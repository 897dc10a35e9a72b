//! alcance-report: what Alcance shows and hands out.
//!
//! - [`chart`]: line charts rendered with plotters to SVG (for the UI and reports) and PNG
//!   (for files), with an embedded DejaVu Sans font so PNG text never depends on the
//!   system's fonts.
//! - [`series`]: the chart series derived from stored rows: follower growth and the
//!   engagement trend.
//! - [`heatmap`]: the best-time heatmap (weekday × hour) rendered to SVG in the charts'
//!   look, and the shared way posts become best-time input.
//! - [`export`]: the CSV long formats, the JSON bundle and the XLSX workbook.
//! - [`compare`]: 2–6 accounts side by side over a window, as CSV, JSON and XLSX.
//! - [`html`] and [`pdf`]: the weekly and campaign reports as a printable page and as an
//!   A4 PDF (English or Brazilian Portuguese).
//!
//! Pure functions over rows that the store hands in; no database, no network, no clock.
//! Every time is UTC. Values are in the unit of the metric catalog
//! ([`alcance_core::CATALOG`]): counts, seconds, percent 0–100 or ratio 0–1.
//!
//! Nothing here panics on data: malformed values (NaN, infinities, out-of-range dates,
//! over-long strings) are skipped, written as empty cells or reported as a
//! [`ReportError`].

pub mod campaign;
pub mod chart;
pub mod compare;
pub mod competitors;
mod error;
pub mod export;
mod files;
mod font;
pub mod fuzzing;
pub mod heatmap;
pub mod html;
mod number;
pub mod pdf;
pub mod series;
pub mod weekly;
mod workbook;
pub mod zone;

pub use error::ReportError;
pub use files::{ReportFiles, ReportFormat};
