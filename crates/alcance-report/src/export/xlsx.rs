//! The XLSX workbook export.

use super::{AccountInfo, AudienceInfo, ExportBundle, ExportCounts, ExportSource, Pages, PostInfo};
use crate::number::rfc3339;
use crate::ReportError;
use alcance_core::catalog::Level;
use alcance_core::{AccountMetricRow, Metric, PostMetricRow, Unit, CATALOG};
use chrono::{DateTime, Utc};
use rust_xlsxwriter::{
    ColNum, Color, DocProperties, ExcelDateTime, Format, FormatBorder, RowNum, Workbook, Worksheet, XlsxError,
};
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Data rows per sheet: Excel's 1,048,576 rows minus the header. Longer tables continue
/// on sheets named `"<name> (2)"`, `"<name> (3)"`, ...
pub const MAX_ROWS_PER_SHEET: usize = 1_048_575;

/// Excel's limit on the characters of one cell (UTF-16 code units).
const MAX_CELL_UTF16: usize = 32_767;

/// The deflate level of the workbook's zip (1 fastest … 9 smallest; Excel writes 3).
const ZIP_LEVEL: u8 = 3;

/// Rows (values, for columns that may be empty) whose text sets a fitted column's width.
const FIT_ROWS: usize = 10_000;

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
/// longer than [`MAX_ROWS_PER_SHEET`] continues on `"<sheet> (2)"`, ... A fitted column's
/// width comes from the first 10,000 values of its table. The workbook's creation date is
/// `generated_at`.
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
    write_xlsx_from(bundle, path).map(|_| ())
}

/// [`write_xlsx`] of any [`ExportSource`]: each table is read page by page and its rows
/// written as they come, so memory holds a few pages whatever the row count. The four
/// data tables (account metrics, post metrics, posts, audience) are written at the same
/// time, each sheet on its own thread (rust_xlsxwriter's constant-memory sheets spool to
/// their own files and share the workbook's format table behind a lock); the workbook is
/// the same as when they are written one after the other. Returns the rows written per
/// table.
///
/// # Errors
/// As [`write_xlsx`], and the first error of a table of `source`.
pub fn write_xlsx_from(source: &dyn ExportSource, path: &Path) -> Result<ExportCounts, ReportError> {
    write_xlsx_with(source, path, MAX_ROWS_PER_SHEET, true)
}

/// [`write_xlsx_from`] with the sheets written one after the other on the calling thread
/// (the same workbook; for comparisons such as the reports bench).
///
/// # Errors
/// As [`write_xlsx_from`].
pub fn write_xlsx_sequential(source: &dyn ExportSource, path: &Path) -> Result<ExportCounts, ReportError> {
    write_xlsx_with(source, path, MAX_ROWS_PER_SHEET, false)
}

/// [`write_xlsx_from`] with a sheet row limit (tests of the continuation sheets) and the
/// sheets written in parallel or one after the other.
pub(crate) fn write_xlsx_with(
    source: &dyn ExportSource,
    path: &Path,
    rows_per_sheet: usize,
    parallel: bool,
) -> Result<ExportCounts, ReportError> {
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

    let (mut workbook, counts) =
        build_workbook(source, dir, &ctx, rows_per_sheet.clamp(1, MAX_ROWS_PER_SHEET), parallel)?;
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
    Ok(counts)
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

/// What every row writer shares: the formats and the catalog units.
struct Ctx {
    f: Formats,
    units: UnitFormats,
}

/// How wide a column is, in Excel character units.
#[derive(Clone, Copy)]
enum Width {
    /// Always this wide.
    Fixed(f64),
    /// The longest of the header and the table's first [`FIT_ROWS`] values, plus 2,
    /// between 8 and this many characters.
    Fit(f64),
}

/// A column: header text and width.
struct Column {
    header: &'static str,
    width: Width,
}

const fn col(header: &'static str, width: f64) -> Column {
    Column {
        header,
        width: Width::Fixed(width),
    }
}

/// A column whose width follows its content ([`Width::Fit`]).
const fn text_col(header: &'static str, max: f64) -> Column {
    Column {
        header,
        width: Width::Fit(max),
    }
}

const DATETIME_WIDTH: f64 = 18.0;
const NUMBER_WIDTH: f64 = 14.0;

/// The longest value (in characters) of each fitted column among its first [`FIT_ROWS`]
/// values, filled by the row writers as they write.
struct Fit {
    longest: Vec<usize>,
    seen: Vec<usize>,
}

impl Fit {
    fn new(columns: usize) -> Fit {
        Fit {
            longest: vec![0; columns],
            seen: vec![0; columns],
        }
    }

    /// Notes a value of column `col`.
    fn see(&mut self, col: usize, v: &str) {
        if let (Some(seen), Some(longest)) = (self.seen.get_mut(col), self.longest.get_mut(col)) {
            if *seen < FIT_ROWS {
                *seen += 1;
                *longest = (*longest).max(v.chars().count());
            }
        }
    }

    /// Notes a value of column `col` if there is one (an empty cell does not count).
    fn see_opt(&mut self, col: usize, v: Option<&str>) {
        if let Some(v) = v {
            self.see(col, v);
        }
    }

    fn width(&self, col: usize, column: &Column) -> f64 {
        match column.width {
            Width::Fixed(w) => w,
            Width::Fit(max) => {
                let longest = self.longest.get(col).copied().unwrap_or(0);
                let chars = longest.max(column.header.chars().count()) as f64 + 2.0;
                chars.clamp(8.0, max)
            }
        }
    }
}

/// Writes one row of a table at sheet row `r` (the header is row 0), noting its text in
/// the [`Fit`].
type RowWriter<T> = fn(&mut Worksheet, RowNum, &T, &Ctx, &mut Fit) -> Result<(), XlsxError>;

/// One table of the workbook being written: its rows, read page by page, spread over as
/// many sheets as they need.
trait Table: Send {
    /// The name of its first sheet.
    fn name(&self) -> &'static str;
    fn columns(&self) -> &'static [Column];
    fn fit(&self) -> &Fit;
    /// Data rows written on each of its sheets so far.
    fn sheet_rows(&self) -> &[usize];
    /// Writes the header on `ws`, then rows until the sheet holds `rows_per_sheet`; returns
    /// `true` when rows remain for another sheet.
    fn fill(&mut self, ws: &mut Worksheet, cx: &Ctx, rows_per_sheet: usize) -> Result<bool, ReportError>;
}

struct TableWriter<'a, T: Clone> {
    name: &'static str,
    columns: &'static [Column],
    pages: Pages<'a, T>,
    /// The page being written and the index of its next row.
    page: Option<(Cow<'a, [T]>, usize)>,
    write_row: RowWriter<T>,
    fit: Fit,
    sheet_rows: Vec<usize>,
    ctx: &'a str,
}

impl<'a, T: Clone> TableWriter<'a, T> {
    fn new(
        name: &'static str,
        columns: &'static [Column],
        pages: Pages<'a, T>,
        write_row: RowWriter<T>,
        ctx: &'a str,
    ) -> TableWriter<'a, T> {
        TableWriter {
            name,
            columns,
            pages,
            page: None,
            write_row,
            fit: Fit::new(columns.len()),
            sheet_rows: Vec::new(),
            ctx,
        }
    }

    /// `true` when a row is left to write (reading the next non-empty page if needed).
    fn has_row(&mut self) -> Result<bool, ReportError> {
        loop {
            if let Some((page, i)) = &self.page {
                if *i < page.len() {
                    return Ok(true);
                }
            }
            match self.pages.next() {
                None => {
                    self.page = None;
                    return Ok(false);
                }
                Some(page) => self.page = Some((page?, 0)),
            }
        }
    }
}

impl<T: Clone + Send + Sync> Table for TableWriter<'_, T> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn columns(&self) -> &'static [Column] {
        self.columns
    }

    fn fit(&self) -> &Fit {
        &self.fit
    }

    fn sheet_rows(&self) -> &[usize] {
        &self.sheet_rows
    }

    fn fill(&mut self, ws: &mut Worksheet, cx: &Ctx, rows_per_sheet: usize) -> Result<bool, ReportError> {
        let xlsx = |e| ReportError::xlsx(self.ctx, e);
        for (c, column) in self.columns.iter().enumerate() {
            ws.write_string_with_format(0, c as ColNum, column.header, &cx.f.header)
                .map_err(xlsx)?;
        }
        let mut written = 0;
        let more = loop {
            if !self.has_row()? {
                break false;
            }
            if written == rows_per_sheet {
                break true;
            }
            if let Some((page, i)) = &mut self.page {
                if let Some(row) = page.get(*i) {
                    (self.write_row)(ws, written as RowNum + 1, row, cx, &mut self.fit).map_err(xlsx)?;
                }
                *i += 1;
            }
            written += 1;
        };
        self.sheet_rows.push(written);
        Ok(more)
    }
}

/// A row of the `Metrics` sheet: a catalog entry and its sources as text.
#[derive(Clone)]
struct CatalogRow {
    metric: &'static Metric,
    sources: String,
}

fn build_workbook(
    source: &dyn ExportSource,
    tempdir: &Path,
    ctx: &str,
    rows_per_sheet: usize,
    parallel: bool,
) -> Result<(Workbook, ExportCounts), ReportError> {
    let xlsx = |e| ReportError::xlsx(ctx, e);
    let mut wb = Workbook::new();
    wb.set_tempdir(tempdir).map_err(xlsx)?;
    // Deflate at level 3 (Excel's own) instead of the zip crate's 6: half the time of a
    // big workbook is compression, and level 3 takes about 40 % less of it for a file
    // about 13 % larger (docs/PERFORMANCE.md).
    wb.set_zip_compression_level(ZIP_LEVEL);
    let generated_at = source.generated_at();
    let mut props = DocProperties::new()
        .set_title("Alcance export")
        .set_comment(format!("Generated by Alcance at {} (UTC)", rfc3339(&generated_at)));
    if let Ok(created) = ExcelDateTime::from_timestamp(generated_at.timestamp()) {
        props = props.set_creation_datetime(&created);
    }
    wb.set_properties(&props);
    let cx = Ctx {
        f: Formats::new(),
        units: UnitFormats::default(),
    };
    // Sheets written in parallel would number the cell formats in the order their threads
    // first use them; registering them first keeps `styles.xml` the same every time (and
    // each use a read lock). The order is the one of a workbook written sheet by sheet
    // whose first account metric is a count.
    for format in [&cx.f.header, &cx.f.count, &cx.f.datetime, &cx.f.decimal] {
        wb.register_format(format);
    }

    let catalog: Vec<CatalogRow> = CATALOG
        .iter()
        .map(|m| CatalogRow {
            metric: m,
            sources: sources_text(m),
        })
        .collect();
    let mut tables: Vec<Box<dyn Table + '_>> = vec![
        Box::new(TableWriter::new(
            "Accounts",
            ACCOUNT_COLUMNS,
            source.accounts(),
            account_row,
            ctx,
        )),
        Box::new(TableWriter::new(
            "Account metrics",
            ACCOUNT_METRIC_COLUMNS,
            source.account_metrics(),
            account_metric_row,
            ctx,
        )),
        Box::new(TableWriter::new(
            "Post metrics",
            POST_METRIC_COLUMNS,
            source.post_metrics(),
            post_metric_row,
            ctx,
        )),
        Box::new(TableWriter::new("Posts", POST_COLUMNS, source.posts(), post_row, ctx)),
        Box::new(TableWriter::new(
            "Audience",
            AUDIENCE_COLUMNS,
            source.audience(),
            audience_row,
            ctx,
        )),
        Box::new(TableWriter::new(
            "Metrics",
            CATALOG_COLUMNS,
            super::one_page(&catalog),
            catalog_row,
            ctx,
        )),
    ];

    // The first sheet of every table, in workbook order, each filled by its own thread.
    for t in &tables {
        wb.add_worksheet_with_constant_memory()
            .and_then(|ws| ws.set_name(t.name()))
            .map_err(xlsx)?;
    }
    let first: Vec<(usize, bool)> = {
        let sheets = wb.worksheets_mut();
        let jobs = tables.iter_mut().zip(sheets.iter_mut());
        if parallel {
            std::thread::scope(|scope| {
                let cx = &cx;
                let handles: Vec<_> = jobs
                    .map(|(t, ws)| scope.spawn(move || t.fill(ws, cx, rows_per_sheet)))
                    .collect();
                handles
                    .into_iter()
                    .enumerate()
                    .map(|(i, h)| {
                        h.join()
                            .unwrap_or_else(|_| Err(ReportError::Xlsx(format!("{ctx}: a sheet writer failed"))))
                            .map(|more| (i, more))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })?
        } else {
            jobs.enumerate()
                .map(|(i, (t, ws))| t.fill(ws, &cx, rows_per_sheet).map(|more| (i, more)))
                .collect::<Result<Vec<_>, _>>()?
        }
    };

    // Tables longer than a sheet continue on sheets added after the first ones (one after
    // the other), which then move behind their table's first sheet.
    let mut order: Vec<Vec<usize>> = (0..tables.len()).map(|i| vec![i]).collect();
    for (i, mut more) in first {
        let (Some(t), Some(sheets)) = (tables.get_mut(i), order.get_mut(i)) else {
            continue;
        };
        while more {
            let ws = wb.add_worksheet_with_constant_memory().map_err(xlsx)?;
            ws.set_name(format!("{} ({})", t.name(), sheets.len() + 1))
                .map_err(xlsx)?;
            more = t.fill(ws, &cx, rows_per_sheet)?;
            sheets.push(wb.worksheets().len() - 1);
        }
    }
    for (t, sheets) in tables.iter().zip(&order) {
        let columns = t.columns();
        let last_col = columns.len().saturating_sub(1) as ColNum;
        for (&index, &rows) in sheets.iter().zip(t.sheet_rows()) {
            let Some(ws) = wb.worksheets_mut().get_mut(index) else {
                continue;
            };
            for (c, column) in columns.iter().enumerate() {
                ws.set_column_width(c as ColNum, t.fit().width(c, column))
                    .map_err(xlsx)?;
            }
            ws.set_freeze_panes(1, 0).map_err(xlsx)?;
            ws.autofilter(0, 0, rows as RowNum, last_col).map_err(xlsx)?;
            // Printed (or converted to PDF): landscape, one page wide, header row on every page.
            ws.set_landscape();
            ws.set_print_fit_to_pages(1, 0);
            ws.set_repeat_rows(0, 0).map_err(xlsx)?;
        }
    }
    let mut written: Vec<Option<Worksheet>> = std::mem::take(wb.worksheets_mut()).into_iter().map(Some).collect();
    *wb.worksheets_mut() = order
        .iter()
        .flatten()
        .filter_map(|&i| written.get_mut(i).and_then(Option::take))
        .collect();

    let rows = |i: usize| tables.get(i).map_or(0, |t| t.sheet_rows().iter().sum());
    let counts = ExportCounts {
        accounts: rows(0),
        account_metrics: rows(1),
        post_metrics: rows(2),
        posts: rows(3),
        audience: rows(4),
    };
    Ok((wb, counts))
}

/// Writes text, cut to Excel's cell limit; nothing for an empty string.
fn text(ws: &mut Worksheet, row: RowNum, col: ColNum, s: &str) -> Result<(), XlsxError> {
    if s.is_empty() {
        return Ok(());
    }
    // A string never has more UTF-16 units than UTF-8 bytes: count only long ones.
    if s.len() <= MAX_CELL_UTF16 || s.chars().map(char::len_utf16).sum::<usize>() <= MAX_CELL_UTF16 {
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
}

/// The number format of a value in `unit`: `#,##0` for counts, `0.00` for all others and
/// for keys missing from the catalog.
fn value_format(unit: Option<Unit>, f: &Formats) -> &Format {
    match unit {
        Some(Unit::Count) => &f.count,
        _ => &f.decimal,
    }
}

const ACCOUNT_COLUMNS: &[Column] = &[
    col("platform", 11.0),
    text_col("user_id", 30.0),
    text_col("username", 30.0),
    text_col("display_name", 40.0),
    col("owned", 9.0),
    text_col("status", 20.0),
];

fn account_row(ws: &mut Worksheet, r: RowNum, a: &AccountInfo, _: &Ctx, fit: &mut Fit) -> Result<(), XlsxError> {
    fit.see(1, &a.user_id);
    fit.see_opt(2, a.username.as_deref());
    fit.see_opt(3, a.display_name.as_deref());
    fit.see(5, &a.status);
    ws.write_string(r, 0, a.platform.as_str())?;
    text(ws, r, 1, &a.user_id)?;
    opt_text(ws, r, 2, a.username.as_deref())?;
    opt_text(ws, r, 3, a.display_name.as_deref())?;
    ws.write_string(r, 4, if a.owned { "yes" } else { "no" })?;
    text(ws, r, 5, &a.status)?;
    Ok(())
}

const ACCOUNT_METRIC_COLUMNS: &[Column] = &[
    text_col("user_id", 30.0),
    text_col("username", 30.0),
    col("platform", 11.0),
    text_col("metric_type", 30.0),
    col("period", 10.0),
    col("value", NUMBER_WIDTH),
    col("unit", 9.0),
    col("collected_at (UTC)", DATETIME_WIDTH + 2.0),
    col("period_start (UTC)", DATETIME_WIDTH + 2.0),
    col("period_end (UTC)", DATETIME_WIDTH + 2.0),
];

fn account_metric_row(
    ws: &mut Worksheet,
    r: RowNum,
    m: &AccountMetricRow,
    cx: &Ctx,
    fit: &mut Fit,
) -> Result<(), XlsxError> {
    let f = &cx.f;
    fit.see(0, &m.user_id);
    fit.see_opt(1, m.username.as_deref());
    fit.see(3, &m.metric_type);
    text(ws, r, 0, &m.user_id)?;
    opt_text(ws, r, 1, m.username.as_deref())?;
    ws.write_string(r, 2, m.platform.as_str())?;
    text(ws, r, 3, &m.metric_type)?;
    ws.write_string(r, 4, m.period.as_str())?;
    let unit = cx.units.unit(&m.metric_type);
    number(ws, r, 5, m.value, value_format(unit, f))?;
    if let Some(unit) = unit {
        ws.write_string(r, 6, unit.as_str())?;
    }
    datetime(ws, r, 7, &m.collected_at, f)?;
    datetime(ws, r, 8, &m.period_start, f)?;
    datetime(ws, r, 9, &m.period_end, f)?;
    Ok(())
}

const POST_METRIC_COLUMNS: &[Column] = &[
    text_col("user_id", 30.0),
    col("platform", 11.0),
    text_col("post_id", 36.0),
    text_col("content_type", 16.0),
    col("published_at (UTC)", DATETIME_WIDTH + 2.0),
    text_col("metric_type", 30.0),
    col("value", NUMBER_WIDTH),
    col("unit", 9.0),
    col("collected_at (UTC)", DATETIME_WIDTH + 2.0),
];

fn post_metric_row(ws: &mut Worksheet, r: RowNum, m: &PostMetricRow, cx: &Ctx, fit: &mut Fit) -> Result<(), XlsxError> {
    let f = &cx.f;
    fit.see(0, &m.user_id);
    fit.see(2, &m.post_id);
    fit.see(3, &m.content_type);
    fit.see(5, &m.metric_type);
    text(ws, r, 0, &m.user_id)?;
    ws.write_string(r, 1, m.platform.as_str())?;
    text(ws, r, 2, &m.post_id)?;
    text(ws, r, 3, &m.content_type)?;
    if let Some(t) = &m.published_at {
        datetime(ws, r, 4, t, f)?;
    }
    text(ws, r, 5, &m.metric_type)?;
    let unit = cx.units.unit(&m.metric_type);
    number(ws, r, 6, m.value, value_format(unit, f))?;
    if let Some(unit) = unit {
        ws.write_string(r, 7, unit.as_str())?;
    }
    datetime(ws, r, 8, &m.collected_at, f)?;
    Ok(())
}

const POST_COLUMNS: &[Column] = &[
    col("platform", 11.0),
    text_col("user_id", 30.0),
    text_col("post_id", 36.0),
    text_col("content_type", 16.0),
    col("published_at (UTC)", DATETIME_WIDTH + 2.0),
    text_col("permalink", 50.0),
    text_col("caption", 70.0),
];

fn post_row(ws: &mut Worksheet, r: RowNum, p: &PostInfo, cx: &Ctx, fit: &mut Fit) -> Result<(), XlsxError> {
    fit.see(1, &p.user_id);
    fit.see(2, &p.post_id);
    fit.see(3, &p.content_type);
    fit.see_opt(5, p.permalink.as_deref());
    fit.see_opt(6, p.caption.as_deref());
    ws.write_string(r, 0, p.platform.as_str())?;
    text(ws, r, 1, &p.user_id)?;
    text(ws, r, 2, &p.post_id)?;
    text(ws, r, 3, &p.content_type)?;
    if let Some(t) = &p.published_at {
        datetime(ws, r, 4, t, &cx.f)?;
    }
    opt_text(ws, r, 5, p.permalink.as_deref())?;
    opt_text(ws, r, 6, p.caption.as_deref())?;
    Ok(())
}

const AUDIENCE_COLUMNS: &[Column] = &[
    col("platform", 11.0),
    text_col("user_id", 30.0),
    text_col("audience", 20.0),
    text_col("dimension", 20.0),
    text_col("key", 30.0),
    col("value", NUMBER_WIDTH),
    text_col("timeframe", 20.0),
    col("collected_at (UTC)", DATETIME_WIDTH + 2.0),
];

fn audience_row(ws: &mut Worksheet, r: RowNum, a: &AudienceInfo, cx: &Ctx, fit: &mut Fit) -> Result<(), XlsxError> {
    let f = &cx.f;
    fit.see(1, &a.user_id);
    fit.see(2, &a.audience);
    fit.see(3, &a.dimension);
    fit.see(4, &a.key);
    fit.see(6, &a.timeframe);
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

const CATALOG_COLUMNS: &[Column] = &[
    text_col("key", 30.0),
    col("unit", 10.0),
    col("level", 14.0),
    text_col("description", 90.0),
    text_col("sources", 90.0),
    text_col("formula", 40.0),
];

fn catalog_row(ws: &mut Worksheet, r: RowNum, row: &CatalogRow, _: &Ctx, fit: &mut Fit) -> Result<(), XlsxError> {
    let m = row.metric;
    fit.see(0, m.key);
    fit.see(3, m.description);
    fit.see(4, &row.sources);
    fit.see(5, m.formula);
    ws.write_string(r, 0, m.key)?;
    ws.write_string(r, 1, m.unit.as_str())?;
    let level = match m.level {
        Level::Account => "account",
        Level::Post => "post",
        Level::Both => "account, post",
    };
    ws.write_string(r, 2, level)?;
    text(ws, r, 3, m.description)?;
    text(ws, r, 4, &row.sources)?;
    text(ws, r, 5, m.formula)?;
    Ok(())
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
        write_xlsx_with(&bundle, &path, 2, true).expect("xlsx");

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

    /// Every part of the zip, by name.
    fn parts(path: &Path) -> Vec<(String, String)> {
        let file = std::fs::File::open(path).expect("open");
        let mut zip = zip::ZipArchive::new(file).expect("zip");
        let mut parts = Vec::new();
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).expect("entry");
            let name = entry.name().map(|n| n.to_string()).expect("name");
            let mut text = String::new();
            entry.read_to_string(&mut text).expect("utf-8");
            parts.push((name, text));
        }
        parts
    }

    /// A bundle handed over a row a page.
    struct RowByRow(ExportBundle);

    fn rows<T: Clone + Send + Sync>(rows: &[T]) -> Pages<'_, T> {
        Box::new(rows.iter().map(|r| Ok(Cow::Owned(vec![r.clone()]))))
    }

    impl ExportSource for RowByRow {
        fn generated_at(&self) -> DateTime<Utc> {
            self.0.generated_at
        }
        fn accounts(&self) -> Pages<'_, AccountInfo> {
            rows(&self.0.accounts)
        }
        fn account_metrics(&self) -> Pages<'_, AccountMetricRow> {
            rows(&self.0.account_metrics)
        }
        fn post_metrics(&self) -> Pages<'_, PostMetricRow> {
            rows(&self.0.post_metrics)
        }
        fn posts(&self) -> Pages<'_, PostInfo> {
            rows(&self.0.posts)
        }
        fn audience(&self) -> Pages<'_, AudienceInfo> {
            rows(&self.0.audience)
        }
    }

    #[test]
    fn parallel_sheets_and_pages_write_the_same_workbook() {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).single().expect("valid");
        let post_metrics: Vec<PostMetricRow> = (0..7)
            .map(|i| PostMetricRow {
                user_id: "1".repeat(i + 1),
                platform: Platform::X,
                post_id: format!("p{i}"),
                content_type: "text".to_string(),
                published_at: (i % 2 == 0).then_some(at),
                metric_type: if i % 3 == 0 { "likes" } else { "engagement_rate" }.to_string(),
                value: (i != 4).then_some(i as f64 * 1.5),
                collected_at: at,
            })
            .collect();
        let account_metrics = (0..5)
            .map(|i| AccountMetricRow {
                user_id: "7".to_string(),
                username: (i != 2).then(|| "someone".repeat(i + 1)),
                platform: Platform::Instagram,
                metric_type: if i % 2 == 0 { "reach" } else { "engagement_rate" }.to_string(),
                period: alcance_core::Period::Day,
                value: Some(i as f64 + 0.25),
                collected_at: at,
                period_start: at,
                period_end: at,
            })
            .collect();
        let bundle = ExportBundle {
            generated_at: at,
            accounts: vec![],
            account_metrics,
            post_metrics,
            posts: vec![],
            audience: vec![],
        };
        let dir = tempfile::tempdir().expect("tempdir");
        for limit in [MAX_ROWS_PER_SHEET, 3] {
            let one_by_one = dir.path().join("sequential.xlsx");
            let counts = write_xlsx_with(&bundle, &one_by_one, limit, false).expect("xlsx");
            assert_eq!((counts.account_metrics, counts.post_metrics), (5, 7));
            let expected = parts(&one_by_one);
            for _ in 0..3 {
                let parallel = dir.path().join("parallel.xlsx");
                write_xlsx_with(&bundle, &parallel, limit, true).expect("xlsx");
                assert_eq!(parts(&parallel), expected, "{limit} rows a sheet");
                let paged = dir.path().join("paged.xlsx");
                write_xlsx_with(&RowByRow(bundle.clone()), &paged, limit, true).expect("xlsx");
                assert_eq!(parts(&paged), expected, "{limit} rows a sheet, a row a page");
            }
        }
    }
}
