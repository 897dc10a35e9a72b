//! The XLSX workbook export.

use super::{AccountInfo, AudienceInfo, ExportBundle, PostInfo};
use crate::number::rfc3339;
use crate::ReportError;
use alcance_core::catalog::Level;
use alcance_core::{AccountMetricRow, Metric, PostMetricRow, Unit, CATALOG};
use chrono::{DateTime, Utc};
use rust_xlsxwriter::{
    ColNum, Color, DocProperties, ExcelDateTime, Format, FormatBorder, RowNum, Workbook, Worksheet, XlsxError,
};
use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Data rows per sheet: Excel's 1,048,576 rows minus the header. Longer tables continue
/// on sheets named `"<name> (2)"`, `"<name> (3)"`, ...
pub const MAX_ROWS_PER_SHEET: usize = 1_048_575;

/// Excel's limit on the characters of one cell (UTF-16 code units).
const MAX_CELL_UTF16: usize = 32_767;

/// Writes the bundle as an Excel workbook at `path` (replacing any file there).
///
/// Sheets, in order, each with a bold, frozen header row, an autofilter over the table and
/// column widths fitted to the content (capped):
/// - `Accounts`: platform, user_id, username, display_name, owned (`yes` / `no`: text,
///   since spreadsheet apps disagree on how to show booleans), status.
/// - `Account metrics`: user_id, username, platform, metric_type, period, value, unit,
///   collected_at (UTC), period_start (UTC), period_end (UTC).
/// - `Post metrics`: user_id, platform, post_id, content_type, published_at (UTC),
///   metric_type, value, unit, collected_at (UTC).
/// - `Posts`: platform, user_id, post_id, content_type, published_at (UTC), permalink,
///   caption.
/// - `Audience`: platform, user_id, audience, dimension, key, value, timeframe,
///   collected_at (UTC).
/// - `Metrics`: the catalog: key, unit, level, description, sources
///   (`platform: field` pairs, `× scale` when converted), formula.
///
/// Cells are typed: values are numbers in the catalog unit with format `#,##0` for count
/// metrics and `0.00` for all others (seconds, percent 0–100, ratio 0–1, currency, and
/// keys missing from the catalog); audience values use `#,##0` when whole. A `None` / NaN
/// value is an empty cell. Times are Excel datetimes in UTC, format `yyyy-mm-dd hh:mm`
/// (seconds are dropped; a time outside Excel's 1900–9999 range is written as RFC 3339
/// text). Text longer than Excel's 32,767-character cell limit is cut with `…`. A table
/// longer than [`MAX_ROWS_PER_SHEET`] continues on `"<sheet> (2)"`, ... The workbook's
/// creation date is `generated_at`.
///
/// Memory stays flat for big exports: sheets are written in rust_xlsxwriter's constant
/// memory mode, spooled to temporary files in the destination folder. The workbook is
/// written to a hidden temporary file in that folder (`.alcance-export-*.xlsx.part`),
/// flushed to disk and renamed over `path`, so a failure (a full disk) never leaves a
/// half-written file at `path`.
///
/// # Errors
/// [`ReportError::DiskFull`] when the disk fills, [`ReportError::Io`] for other I/O
/// failures (missing folder, permission denied), [`ReportError::Xlsx`] when
/// rust_xlsxwriter refuses the workbook.
pub fn write_xlsx(bundle: &ExportBundle, path: &Path) -> Result<(), ReportError> {
    write_xlsx_with_limit(bundle, path, MAX_ROWS_PER_SHEET)
}

/// [`write_xlsx`] with a smaller sheet row limit (tests of the continuation sheets).
pub(crate) fn write_xlsx_with_limit(
    bundle: &ExportBundle,
    path: &Path,
    rows_per_sheet: usize,
) -> Result<(), ReportError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let target = path.display().to_string();
    let ctx = format!("writing the XLSX export to {target}");

    let mut builder = tempfile::Builder::new();
    builder.prefix(".alcance-export-").suffix(".xlsx.part");
    // Temp files are private (0600); the export is an ordinary document. Keep the mode of
    // the file being replaced, else rw-r--r--.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .ok()
            .filter(|m| m.is_file())
            .map_or(0o644, |m| m.permissions().mode() & 0o777);
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| ReportError::io(format!("creating a temporary file in {}", dir.display()), e))?;

    let mut workbook = build_workbook(bundle, dir, &ctx, rows_per_sheet.clamp(1, MAX_ROWS_PER_SHEET))?;
    {
        let mut out = BufWriter::with_capacity(256 * 1024, tmp.as_file_mut());
        workbook
            .save_to_writer(&mut out)
            .map_err(|e| ReportError::xlsx(&ctx, e))?;
        out.flush().map_err(|e| ReportError::io(ctx.as_str(), e))?;
    }
    tmp.as_file().sync_all().map_err(|e| ReportError::io(ctx.as_str(), e))?;
    tmp.persist(path)
        .map_err(|e| ReportError::io(format!("moving the finished XLSX export to {target}"), e.error))?;
    Ok(())
}

/// The cell formats of the workbook.
struct Formats {
    header: Format,
    count: Format,
    decimal: Format,
    datetime: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xF2F2F2))
                .set_border_bottom(FormatBorder::Thin),
            count: Format::new().set_num_format("#,##0"),
            decimal: Format::new().set_num_format("0.00"),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
        }
    }
}

fn build_workbook(
    bundle: &ExportBundle,
    tempdir: &Path,
    ctx: &str,
    rows_per_sheet: usize,
) -> Result<Workbook, ReportError> {
    let mut wb = Workbook::new();
    wb.set_tempdir(tempdir).map_err(|e| ReportError::xlsx(ctx, e))?;
    let mut props = DocProperties::new().set_title("Alcance export").set_comment(format!(
        "Generated by Alcance at {} (UTC)",
        rfc3339(&bundle.generated_at)
    ));
    if let Ok(created) = ExcelDateTime::from_timestamp(bundle.generated_at.timestamp()) {
        props = props.set_creation_datetime(&created);
    }
    wb.set_properties(&props);
    let f = Formats::new();
    let units = UnitFormats::default();
    let t = Tables { f: &f, rows_per_sheet };

    accounts_sheet(&mut wb, &t, &bundle.accounts).map_err(|e| ReportError::xlsx(ctx, e))?;
    account_metrics_sheet(&mut wb, &t, &units, &bundle.account_metrics).map_err(|e| ReportError::xlsx(ctx, e))?;
    post_metrics_sheet(&mut wb, &t, &units, &bundle.post_metrics).map_err(|e| ReportError::xlsx(ctx, e))?;
    posts_sheet(&mut wb, &t, &bundle.posts).map_err(|e| ReportError::xlsx(ctx, e))?;
    audience_sheet(&mut wb, &t, &bundle.audience).map_err(|e| ReportError::xlsx(ctx, e))?;
    metrics_sheet(&mut wb, &t).map_err(|e| ReportError::xlsx(ctx, e))?;
    Ok(wb)
}

/// What every table shares: the formats and the data rows per sheet.
struct Tables<'a> {
    f: &'a Formats,
    rows_per_sheet: usize,
}

/// A column: header text and width in Excel character units.
struct Column {
    header: &'static str,
    width: f64,
}

fn col(header: &'static str, width: f64) -> Column {
    Column { header, width }
}

/// A text column whose width follows its content: the longest of the header and the
/// values (first 10,000 rows), between 8 and `max` characters.
fn text_col<'a>(header: &'static str, values: impl Iterator<Item = &'a str>, max: f64) -> Column {
    let longest = values.take(10_000).map(|v| v.chars().count()).max().unwrap_or(0);
    let chars = longest.max(header.chars().count()) as f64 + 2.0;
    Column {
        header,
        width: chars.clamp(8.0, max),
    }
}

const DATETIME_WIDTH: f64 = 18.0;
const NUMBER_WIDTH: f64 = 14.0;

/// Writes `rows` as a table on one or more sheets named `name`, `name (2)`, ...: header
/// row, frozen panes, autofilter, column widths, then one row per item via `write_row`.
fn write_table<T>(
    wb: &mut Workbook,
    t: &Tables,
    name: &str,
    columns: &[Column],
    rows: &[T],
    mut write_row: impl FnMut(&mut Worksheet, RowNum, &T) -> Result<(), XlsxError>,
) -> Result<(), XlsxError> {
    let last_col = columns.len().saturating_sub(1) as ColNum;
    let chunks: Vec<&[T]> = if rows.is_empty() {
        vec![rows]
    } else {
        rows.chunks(t.rows_per_sheet).collect()
    };
    for (k, chunk) in chunks.into_iter().enumerate() {
        let ws = wb.add_worksheet_with_constant_memory()?;
        if k == 0 {
            ws.set_name(name)?;
        } else {
            ws.set_name(format!("{name} ({})", k + 1))?;
        }
        for (c, column) in columns.iter().enumerate() {
            ws.set_column_width(c as ColNum, column.width)?;
        }
        ws.set_freeze_panes(1, 0)?;
        ws.autofilter(0, 0, chunk.len() as RowNum, last_col)?;
        // Printed (or converted to PDF): landscape, one page wide, header row on every page.
        ws.set_landscape();
        ws.set_print_fit_to_pages(1, 0);
        ws.set_repeat_rows(0, 0)?;
        for (c, column) in columns.iter().enumerate() {
            ws.write_string_with_format(0, c as ColNum, column.header, &t.f.header)?;
        }
        for (i, item) in chunk.iter().enumerate() {
            write_row(ws, i as RowNum + 1, item)?;
        }
    }
    Ok(())
}

/// Writes text, cut to Excel's cell limit; nothing for an empty string.
fn text(ws: &mut Worksheet, row: RowNum, col: ColNum, s: &str) -> Result<(), XlsxError> {
    if s.is_empty() {
        return Ok(());
    }
    let utf16: usize = s.chars().map(char::len_utf16).sum();
    if utf16 <= MAX_CELL_UTF16 {
        ws.write_string(row, col, s)?;
    } else {
        let mut used = 0;
        let mut cut = String::with_capacity(s.len().min(MAX_CELL_UTF16 * 2));
        for c in s.chars() {
            used += c.len_utf16();
            if used > MAX_CELL_UTF16 - 1 {
                break;
            }
            cut.push(c);
        }
        cut.push('…');
        ws.write_string(row, col, cut)?;
    }
    Ok(())
}

fn opt_text(ws: &mut Worksheet, row: RowNum, col: ColNum, s: Option<&str>) -> Result<(), XlsxError> {
    text(ws, row, col, s.unwrap_or(""))
}

/// Writes a finite number with `format`; nothing for `None` / NaN / infinities.
fn number(ws: &mut Worksheet, row: RowNum, col: ColNum, v: Option<f64>, format: &Format) -> Result<(), XlsxError> {
    if let Some(v) = v.filter(|v| v.is_finite()) {
        ws.write_number_with_format(row, col, v, format)?;
    }
    Ok(())
}

/// Writes an Excel datetime (UTC, whole seconds); RFC 3339 text outside 1900–9999.
fn datetime(ws: &mut Worksheet, row: RowNum, col: ColNum, t: &DateTime<Utc>, f: &Formats) -> Result<(), XlsxError> {
    match ExcelDateTime::from_timestamp(t.timestamp()) {
        Ok(dt) => {
            ws.write_datetime_with_format(row, col, &dt, &f.datetime)?;
        }
        Err(_) => {
            ws.write_string(row, col, rfc3339(t))?;
        }
    }
    Ok(())
}

/// Catalog unit per metric key (a map, since 1M rows look units up).
struct UnitFormats {
    units: HashMap<&'static str, Unit>,
}

impl Default for UnitFormats {
    fn default() -> UnitFormats {
        UnitFormats {
            units: CATALOG.iter().map(|m| (m.key, m.unit)).collect(),
        }
    }
}

impl UnitFormats {
    fn unit(&self, key: &str) -> Option<Unit> {
        self.units.get(key).copied()
    }

    fn format<'f>(&self, key: &str, f: &'f Formats) -> &'f Format {
        match self.unit(key) {
            Some(Unit::Count) => &f.count,
            _ => &f.decimal,
        }
    }
}

fn accounts_sheet(wb: &mut Workbook, t: &Tables, rows: &[AccountInfo]) -> Result<(), XlsxError> {
    let columns = [
        col("platform", 11.0),
        text_col("user_id", rows.iter().map(|r| r.user_id.as_str()), 30.0),
        text_col("username", rows.iter().filter_map(|r| r.username.as_deref()), 30.0),
        text_col(
            "display_name",
            rows.iter().filter_map(|r| r.display_name.as_deref()),
            40.0,
        ),
        col("owned", 9.0),
        text_col("status", rows.iter().map(|r| r.status.as_str()), 20.0),
    ];
    write_table(wb, t, "Accounts", &columns, rows, |ws, r, a| {
        ws.write_string(r, 0, a.platform.as_str())?;
        text(ws, r, 1, &a.user_id)?;
        opt_text(ws, r, 2, a.username.as_deref())?;
        opt_text(ws, r, 3, a.display_name.as_deref())?;
        ws.write_string(r, 4, if a.owned { "yes" } else { "no" })?;
        text(ws, r, 5, &a.status)?;
        Ok(())
    })
}

fn account_metrics_sheet(
    wb: &mut Workbook,
    t: &Tables,
    units: &UnitFormats,
    rows: &[AccountMetricRow],
) -> Result<(), XlsxError> {
    let f = t.f;
    let columns = [
        text_col("user_id", rows.iter().map(|r| r.user_id.as_str()), 30.0),
        text_col("username", rows.iter().filter_map(|r| r.username.as_deref()), 30.0),
        col("platform", 11.0),
        text_col("metric_type", rows.iter().map(|r| r.metric_type.as_str()), 30.0),
        col("period", 10.0),
        col("value", NUMBER_WIDTH),
        col("unit", 9.0),
        col("collected_at (UTC)", DATETIME_WIDTH + 2.0),
        col("period_start (UTC)", DATETIME_WIDTH + 2.0),
        col("period_end (UTC)", DATETIME_WIDTH + 2.0),
    ];
    write_table(wb, t, "Account metrics", &columns, rows, |ws, r, m| {
        text(ws, r, 0, &m.user_id)?;
        opt_text(ws, r, 1, m.username.as_deref())?;
        ws.write_string(r, 2, m.platform.as_str())?;
        text(ws, r, 3, &m.metric_type)?;
        ws.write_string(r, 4, m.period.as_str())?;
        number(ws, r, 5, m.value, units.format(&m.metric_type, f))?;
        if let Some(unit) = units.unit(&m.metric_type) {
            ws.write_string(r, 6, unit.as_str())?;
        }
        datetime(ws, r, 7, &m.collected_at, f)?;
        datetime(ws, r, 8, &m.period_start, f)?;
        datetime(ws, r, 9, &m.period_end, f)?;
        Ok(())
    })
}

fn post_metrics_sheet(
    wb: &mut Workbook,
    t: &Tables,
    units: &UnitFormats,
    rows: &[PostMetricRow],
) -> Result<(), XlsxError> {
    let f = t.f;
    let columns = [
        text_col("user_id", rows.iter().map(|r| r.user_id.as_str()), 30.0),
        col("platform", 11.0),
        text_col("post_id", rows.iter().map(|r| r.post_id.as_str()), 36.0),
        text_col("content_type", rows.iter().map(|r| r.content_type.as_str()), 16.0),
        col("published_at (UTC)", DATETIME_WIDTH + 2.0),
        text_col("metric_type", rows.iter().map(|r| r.metric_type.as_str()), 30.0),
        col("value", NUMBER_WIDTH),
        col("unit", 9.0),
        col("collected_at (UTC)", DATETIME_WIDTH + 2.0),
    ];
    write_table(wb, t, "Post metrics", &columns, rows, |ws, r, m| {
        text(ws, r, 0, &m.user_id)?;
        ws.write_string(r, 1, m.platform.as_str())?;
        text(ws, r, 2, &m.post_id)?;
        text(ws, r, 3, &m.content_type)?;
        if let Some(t) = &m.published_at {
            datetime(ws, r, 4, t, f)?;
        }
        text(ws, r, 5, &m.metric_type)?;
        number(ws, r, 6, m.value, units.format(&m.metric_type, f))?;
        if let Some(unit) = units.unit(&m.metric_type) {
            ws.write_string(r, 7, unit.as_str())?;
        }
        datetime(ws, r, 8, &m.collected_at, f)?;
        Ok(())
    })
}

fn posts_sheet(wb: &mut Workbook, t: &Tables, rows: &[PostInfo]) -> Result<(), XlsxError> {
    let f = t.f;
    let columns = [
        col("platform", 11.0),
        text_col("user_id", rows.iter().map(|r| r.user_id.as_str()), 30.0),
        text_col("post_id", rows.iter().map(|r| r.post_id.as_str()), 36.0),
        text_col("content_type", rows.iter().map(|r| r.content_type.as_str()), 16.0),
        col("published_at (UTC)", DATETIME_WIDTH + 2.0),
        text_col("permalink", rows.iter().filter_map(|r| r.permalink.as_deref()), 50.0),
        text_col("caption", rows.iter().filter_map(|r| r.caption.as_deref()), 70.0),
    ];
    write_table(wb, t, "Posts", &columns, rows, |ws, r, p| {
        ws.write_string(r, 0, p.platform.as_str())?;
        text(ws, r, 1, &p.user_id)?;
        text(ws, r, 2, &p.post_id)?;
        text(ws, r, 3, &p.content_type)?;
        if let Some(t) = &p.published_at {
            datetime(ws, r, 4, t, f)?;
        }
        opt_text(ws, r, 5, p.permalink.as_deref())?;
        opt_text(ws, r, 6, p.caption.as_deref())?;
        Ok(())
    })
}

fn audience_sheet(wb: &mut Workbook, t: &Tables, rows: &[AudienceInfo]) -> Result<(), XlsxError> {
    let f = t.f;
    let columns = [
        col("platform", 11.0),
        text_col("user_id", rows.iter().map(|r| r.user_id.as_str()), 30.0),
        text_col("audience", rows.iter().map(|r| r.audience.as_str()), 20.0),
        text_col("dimension", rows.iter().map(|r| r.dimension.as_str()), 20.0),
        text_col("key", rows.iter().map(|r| r.key.as_str()), 30.0),
        col("value", NUMBER_WIDTH),
        text_col("timeframe", rows.iter().map(|r| r.timeframe.as_str()), 20.0),
        col("collected_at (UTC)", DATETIME_WIDTH + 2.0),
    ];
    write_table(wb, t, "Audience", &columns, rows, |ws, r, a| {
        ws.write_string(r, 0, a.platform.as_str())?;
        text(ws, r, 1, &a.user_id)?;
        text(ws, r, 2, &a.audience)?;
        text(ws, r, 3, &a.dimension)?;
        text(ws, r, 4, &a.key)?;
        let format = if a.value.fract() == 0.0 { &f.count } else { &f.decimal };
        number(ws, r, 5, Some(a.value), format)?;
        text(ws, r, 6, &a.timeframe)?;
        datetime(ws, r, 7, &a.collected_at, f)?;
        Ok(())
    })
}

/// `platform: field` pairs of a catalog entry, `× scale` when the value is converted.
fn sources_text(m: &Metric) -> String {
    m.sources
        .iter()
        .map(|s| {
            if (s.scale - 1.0).abs() > f64::EPSILON {
                format!("{}: {} × {}", s.platform, s.field, s.scale)
            } else {
                format!("{}: {}", s.platform, s.field)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn metrics_sheet(wb: &mut Workbook, t: &Tables) -> Result<(), XlsxError> {
    let sources: Vec<String> = CATALOG.iter().map(sources_text).collect();
    let columns = [
        text_col("key", CATALOG.iter().map(|m| m.key), 30.0),
        col("unit", 10.0),
        col("level", 14.0),
        text_col("description", CATALOG.iter().map(|m| m.description), 90.0),
        text_col("sources", sources.iter().map(String::as_str), 90.0),
        text_col("formula", CATALOG.iter().map(|m| m.formula), 40.0),
    ];
    let rows: Vec<(&Metric, &str)> = CATALOG.iter().zip(sources.iter().map(String::as_str)).collect();
    write_table(wb, t, "Metrics", &columns, &rows, |ws, r, (m, src)| {
        ws.write_string(r, 0, m.key)?;
        ws.write_string(r, 1, m.unit.as_str())?;
        let level = match m.level {
            Level::Account => "account",
            Level::Post => "post",
            Level::Both => "account, post",
        };
        ws.write_string(r, 2, level)?;
        text(ws, r, 3, m.description)?;
        text(ws, r, 4, src)?;
        text(ws, r, 5, m.formula)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alcance_core::Platform;
    use chrono::TimeZone;
    use std::io::Read;

    fn zip_part(path: &Path, name: &str) -> String {
        let file = std::fs::File::open(path).expect("open");
        let mut zip = zip::ZipArchive::new(file).expect("zip");
        let mut text = String::new();
        zip.by_name(name)
            .expect("part present")
            .read_to_string(&mut text)
            .expect("utf-8");
        text
    }

    #[test]
    fn long_tables_continue_on_numbered_sheets() {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).single().expect("valid");
        let post_metrics = (0..5)
            .map(|i| PostMetricRow {
                user_id: "1".to_string(),
                platform: Platform::X,
                post_id: format!("p{i}"),
                content_type: "text".to_string(),
                published_at: None,
                metric_type: "likes".to_string(),
                value: Some(f64::from(i)),
                collected_at: at,
            })
            .collect();
        let bundle = ExportBundle {
            generated_at: at,
            accounts: vec![],
            account_metrics: vec![],
            post_metrics,
            posts: vec![],
            audience: vec![],
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("split.xlsx");
        write_xlsx_with_limit(&bundle, &path, 2).expect("xlsx");

        let workbook = zip_part(&path, "xl/workbook.xml");
        let names: Vec<&str> = workbook
            .split("<sheet name=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .collect();
        // The catalog splits too at 2 rows per sheet.
        assert_eq!(names.len(), 7 + CATALOG.len().div_ceil(2));
        assert_eq!(names[8], "Metrics (2)");
        assert_eq!(
            names[..8],
            [
                "Accounts",
                "Account metrics",
                "Post metrics",
                "Post metrics (2)",
                "Post metrics (3)",
                "Posts",
                "Audience",
                "Metrics"
            ]
        );
        // Every continuation sheet has its own header and filter; the last holds row 5.
        let third = zip_part(&path, "xl/worksheets/sheet5.xml");
        assert!(third.contains("<autoFilter ref=\"A1:I2\"/>"), "{third}");
        assert!(third.contains(">post_id<") && third.contains(">p4<"));
        let empty = zip_part(&path, "xl/worksheets/sheet1.xml");
        assert!(
            empty.contains("<autoFilter ref=\"A1:F1\"/>"),
            "an empty table keeps its header"
        );
    }
}
