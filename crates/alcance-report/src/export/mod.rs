//! Exports: the CSV long formats, the JSON bundle and the XLSX workbook.
//!
//! Formats are stable contracts:
//! - Account CSV header: `user_id,platform,metric_type,value,collected_at,period_start,period_end`
//! - Post CSV header: `user_id,platform,post_id,published_at,metric_type,value,collected_at`
//! - CSV cells: times RFC 3339 in UTC with `Z` and whole seconds (`2026-03-01T09:00:00Z`),
//!   values in the catalog unit, whole numbers without `.0`, an empty cell for "no data"
//!   (`None`) and for NaN / infinities; `platform` is the lower-case key (`instagram`).
//! - JSON: one object, see [`write_json`], `schema_version` [`SCHEMA_VERSION`].
//! - XLSX: see [`write_xlsx`].
//!
//! [`ExportFormat`] is the one list of formats; [`write_export`] writes any of them.
//!
//! Every writer reads an [`ExportSource`] table by table, page by page, and writes as the
//! rows come: an [`ExportBundle`] in memory is one source, the app's keyset reader of the
//! database another, and the output is the same bytes whichever it is.
//!
//! Exports never contain tokens or secrets: the bundle types have no field for them.

mod format;
mod source;
mod xlsx;

pub use format::{
    posts_csv_path, write_export, write_folder, ExportFolder, ExportFormat, ExportPart, UnknownExportFormat,
};
pub use source::{one_page, ExportCounts, ExportSource, Pages};
pub use xlsx::{write_xlsx, write_xlsx_from, write_xlsx_sequential, MAX_ROWS_PER_SHEET};

use crate::number::{plain, plain_opt, rfc3339};
use crate::ReportError;
use alcance_core::{AccountMetricRow, Platform, PostMetricRow, CATALOG};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::io::{self, Write};

/// The `schema_version` written by [`write_json`] and accepted by [`read_json`].
pub const SCHEMA_VERSION: u32 = 1;

/// The account CSV header, exactly.
pub const ACCOUNT_CSV_HEADER: [&str; 7] = [
    "user_id",
    "platform",
    "metric_type",
    "value",
    "collected_at",
    "period_start",
    "period_end",
];

/// The post CSV header, exactly.
pub const POST_CSV_HEADER: [&str; 7] = [
    "user_id",
    "platform",
    "post_id",
    "published_at",
    "metric_type",
    "value",
    "collected_at",
];

/// A connected or tracked account, as exported (no tokens, no secrets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountInfo {
    /// Platform (`"x"`, `"instagram"`, ...).
    pub platform: Platform,
    /// The platform's account id (`accounts.external_id`), the `user_id` of every row.
    pub user_id: String,
    /// Handle without `@`, where the platform has one.
    pub username: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
    /// `true` for an account connected through OAuth; `false` for a tracked public profile.
    pub owned: bool,
    /// Account status key as stored (`active`, `needs_reauth`, `paused`, ...).
    pub status: String,
}

/// A post, reel, story, video or tweet, as exported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostInfo {
    /// Platform.
    pub platform: Platform,
    /// The platform's id of the account that published it.
    pub user_id: String,
    /// The platform's post id.
    pub post_id: String,
    /// Content type key (`text`, `image`, `video`, `carousel`, `reel`, `story`, `link`, or
    /// the platform's own value).
    pub content_type: String,
    /// When it was published, UTC.
    pub published_at: Option<DateTime<Utc>>,
    /// Public link to the post.
    pub permalink: Option<String>,
    /// Caption or text, as published.
    pub caption: Option<String>,
}

/// One cell of a demographic breakdown (IG `follower_demographics`, ...), as exported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudienceInfo {
    /// Platform.
    pub platform: Platform,
    /// The platform's account id.
    pub user_id: String,
    /// Which audience: `followers` or `engaged_audience`.
    pub audience: String,
    /// Breakdown dimension: `age`, `gender`, `country`, `city`, or several joined by `,`.
    pub dimension: String,
    /// The dimension value(s), joined by `,` in the same order (`"18-24,F"`).
    pub key: String,
    /// Count of accounts in that slice.
    pub value: f64,
    /// Platform timeframe the breakdown covers (`this_month`, `lifetime`, ...).
    pub timeframe: String,
    /// When Alcance read it, UTC.
    pub collected_at: DateTime<Utc>,
}

/// Everything one export holds. The app fills it from the store for the selection the
/// user made (accounts, date range).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportBundle {
    /// When the export was made, UTC.
    pub generated_at: DateTime<Utc>,
    /// The accounts in the export.
    pub accounts: Vec<AccountInfo>,
    /// Account-level metric values (long format).
    pub account_metrics: Vec<AccountMetricRow>,
    /// Post metric snapshots (long format).
    pub post_metrics: Vec<PostMetricRow>,
    /// The posts.
    pub posts: Vec<PostInfo>,
    /// Demographic breakdowns.
    pub audience: Vec<AudienceInfo>,
}

/// Writes the account-level long CSV: header
/// `user_id,platform,metric_type,value,collected_at,period_start,period_end`, then one line
/// per row in the given order (cell formats in the [module docs](self)). The `period` and
/// `username` fields are not in this format (they are in JSON and XLSX).
///
/// Returns the number of data rows written (not counting the header). The writer is
/// buffered internally and flushed before returning.
///
/// # Errors
/// [`ReportError::DiskFull`] / [`ReportError::Io`] when writing fails,
/// [`ReportError::Csv`] for other CSV failures. The writer may then hold a partial file.
pub fn write_account_csv<W: Write>(rows: &[AccountMetricRow], w: W) -> Result<usize, ReportError> {
    write_account_csv_pages(one_page(rows), w)
}

/// [`write_account_csv`] of rows that come in pages (an [`ExportSource`] table); writes
/// each page as it comes.
///
/// # Errors
/// As [`write_account_csv`], and the first error of `pages`.
pub fn write_account_csv_pages<W: Write>(pages: Pages<'_, AccountMetricRow>, w: W) -> Result<usize, ReportError> {
    write_long_csv(
        "writing the account metrics CSV",
        ACCOUNT_CSV_HEADER,
        pages,
        w,
        |out, row| {
            out.write_record([
                row.user_id.as_str(),
                row.platform.as_str(),
                row.metric_type.as_str(),
                &plain_opt(row.value),
                &rfc3339(&row.collected_at),
                &rfc3339(&row.period_start),
                &rfc3339(&row.period_end),
            ])
        },
    )
}

/// Writes the post-level long CSV: header
/// `user_id,platform,post_id,published_at,metric_type,value,collected_at`, then one line per
/// row in the given order; `published_at` is empty when unknown (cell formats in the
/// [module docs](self)). `content_type` is not in this format.
///
/// Returns the number of data rows written (not counting the header).
///
/// # Errors
/// As [`write_account_csv`].
pub fn write_post_csv<W: Write>(rows: &[PostMetricRow], w: W) -> Result<usize, ReportError> {
    write_post_csv_pages(one_page(rows), w)
}

/// [`write_post_csv`] of rows that come in pages; as [`write_account_csv_pages`].
///
/// # Errors
/// As [`write_account_csv`], and the first error of `pages`.
pub fn write_post_csv_pages<W: Write>(pages: Pages<'_, PostMetricRow>, w: W) -> Result<usize, ReportError> {
    write_long_csv("writing the post metrics CSV", POST_CSV_HEADER, pages, w, |out, row| {
        out.write_record([
            row.user_id.as_str(),
            row.platform.as_str(),
            row.post_id.as_str(),
            &row.published_at.as_ref().map(rfc3339).unwrap_or_default(),
            row.metric_type.as_str(),
            &row.value.map(plain).unwrap_or_default(),
            &rfc3339(&row.collected_at),
        ])
    })
}

/// Writes `header`, then one record per row of every page (written by `record`), and
/// flushes; returns the number of data rows. Errors: [`ReportError::DiskFull`] /
/// [`ReportError::Io`] when writing fails, [`ReportError::Csv`] for other CSV failures,
/// with `ctx` as their context; the first error of `pages`.
fn write_long_csv<W: Write, R: Clone>(
    ctx: &str,
    header: [&str; 7],
    pages: Pages<'_, R>,
    w: W,
    record: impl Fn(&mut csv::Writer<W>, &R) -> csv::Result<()>,
) -> Result<usize, ReportError> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(header).map_err(|e| ReportError::csv(ctx, e))?;
    let mut n = 0;
    for page in pages {
        let page = page?;
        for row in page.iter() {
            record(&mut out, row).map_err(|e| ReportError::csv(ctx, e))?;
        }
        n += page.len();
    }
    out.flush().map_err(|e| ReportError::io(ctx, e))?;
    Ok(n)
}

/// Writes the bundle as one JSON object (compact, UTF-8, newline-terminated):
///
/// `{"generated_at","schema_version":1,"accounts":[..],"account_metrics":[..],
/// "post_metrics":[..],"posts":[..],"audience":[..],"metric_catalog":[..]}`
///
/// Times are RFC 3339 UTC (`"2026-03-01T09:00:00Z"`, fractions kept when present); enums
/// are lower-case keys (`"instagram"`, `"snapshot"`); a value the platform did not serve
/// is `null` (NaN / infinities are also written as `null`). `metric_catalog` is
/// [`alcance_core::CATALOG`]: `key`, `unit`, `level`, `description`, `formula`,
/// `sources[{platform, field, scale}]`.
///
/// # Errors
/// [`ReportError::DiskFull`] / [`ReportError::Io`] when writing fails,
/// [`ReportError::Json`] otherwise.
pub fn write_json<W: Write>(bundle: &ExportBundle, w: W) -> Result<(), ReportError> {
    write_json_from(bundle, w).map(|_| ())
}

/// [`write_json`] of any [`ExportSource`], written incrementally: the document's fields in
/// order, each array element serialized as its row arrives, so memory holds one page of
/// one table at a time. The bytes are the same as [`write_json`] of a bundle holding the
/// same rows. Returns the rows written per table.
///
/// # Errors
/// As [`write_json`], and the first error of a table of `source`.
pub fn write_json_from<W: Write>(source: &dyn ExportSource, w: W) -> Result<ExportCounts, ReportError> {
    const CTX: &str = "writing the JSON export";
    let io = |e: io::Error| ReportError::io(CTX, e);
    let mut out = io::BufWriter::with_capacity(64 * 1024, w);
    let mut counts = ExportCounts::default();
    out.write_all(b"{\"generated_at\":").map_err(io)?;
    serde_json::to_writer(&mut out, &source.generated_at()).map_err(|e| ReportError::json(CTX, e))?;
    write!(out, ",\"schema_version\":{SCHEMA_VERSION},\"accounts\":").map_err(io)?;
    counts.accounts = json_array(&mut out, source.accounts())?;
    out.write_all(b",\"account_metrics\":").map_err(io)?;
    counts.account_metrics = json_array(&mut out, source.account_metrics())?;
    out.write_all(b",\"post_metrics\":").map_err(io)?;
    counts.post_metrics = json_array(&mut out, source.post_metrics())?;
    out.write_all(b",\"posts\":").map_err(io)?;
    counts.posts = json_array(&mut out, source.posts())?;
    out.write_all(b",\"audience\":").map_err(io)?;
    counts.audience = json_array(&mut out, source.audience())?;
    out.write_all(b",\"metric_catalog\":").map_err(io)?;
    serde_json::to_writer(&mut out, CATALOG).map_err(|e| ReportError::json(CTX, e))?;
    out.write_all(b"}\n").map_err(io)?;
    out.flush().map_err(io)?;
    Ok(counts)
}

/// Writes the rows of `pages` as one compact JSON array (the bytes serde_json writes for
/// a slice of them); returns how many.
fn json_array<W: Write, T: Serialize + Clone>(out: &mut W, pages: Pages<'_, T>) -> Result<usize, ReportError> {
    const CTX: &str = "writing the JSON export";
    out.write_all(b"[").map_err(|e| ReportError::io(CTX, e))?;
    let mut n = 0;
    for page in pages {
        let page: Cow<'_, [T]> = page?;
        for row in page.iter() {
            if n > 0 {
                out.write_all(b",").map_err(|e| ReportError::io(CTX, e))?;
            }
            serde_json::to_writer(&mut *out, row).map_err(|e| ReportError::json(CTX, e))?;
            n += 1;
        }
    }
    out.write_all(b"]").map_err(|e| ReportError::io(CTX, e))?;
    Ok(n)
}

/// Reads a document written by [`write_json`] back into a bundle (`metric_catalog` is
/// ignored: the catalog is the program's own).
///
/// # Errors
/// [`ReportError::Json`] when the input is not JSON, misses a field, or has a
/// `schema_version` other than [`SCHEMA_VERSION`]; [`ReportError::Io`] when reading fails.
pub fn read_json<R: io::Read>(r: R) -> Result<ExportBundle, ReportError> {
    const CTX: &str = "reading a JSON export";
    // Fields listed one by one (not `#[serde(flatten)]`, which would buffer the whole
    // document); unknown fields such as `metric_catalog` are skipped.
    #[derive(Deserialize)]
    struct JsonIn {
        schema_version: u32,
        generated_at: DateTime<Utc>,
        accounts: Vec<AccountInfo>,
        account_metrics: Vec<AccountMetricRow>,
        post_metrics: Vec<PostMetricRow>,
        posts: Vec<PostInfo>,
        audience: Vec<AudienceInfo>,
    }
    let doc: JsonIn = serde_json::from_reader(io::BufReader::new(r)).map_err(|e| ReportError::json(CTX, e))?;
    if doc.schema_version != SCHEMA_VERSION {
        return Err(ReportError::Json(format!(
            "unsupported export schema_version {} (this version reads {SCHEMA_VERSION})",
            doc.schema_version
        )));
    }
    Ok(ExportBundle {
        generated_at: doc.generated_at,
        accounts: doc.accounts,
        account_metrics: doc.account_metrics,
        post_metrics: doc.post_metrics,
        posts: doc.posts,
        audience: doc.audience,
    })
}
