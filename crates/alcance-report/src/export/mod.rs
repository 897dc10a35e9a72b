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
//! Exports never contain tokens or secrets: the bundle types have no field for them.

mod format;
mod xlsx;

pub use format::{
    posts_csv_path, write_export, write_folder, ExportFolder, ExportFormat, ExportPart, UnknownExportFormat,
};
pub use xlsx::{write_xlsx, MAX_ROWS_PER_SHEET};

use crate::number::{plain, plain_opt, rfc3339};
use crate::ReportError;
use alcance_core::{AccountMetricRow, Metric, Platform, PostMetricRow, CATALOG};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
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
    write_long_csv(
        "writing the account metrics CSV",
        ACCOUNT_CSV_HEADER,
        rows,
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
    write_long_csv("writing the post metrics CSV", POST_CSV_HEADER, rows, w, |out, row| {
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

/// Writes `header`, then one record per row (written by `record`), and flushes; returns
/// the number of data rows. Errors: [`ReportError::DiskFull`] / [`ReportError::Io`] when
/// writing fails, [`ReportError::Csv`] for other CSV failures, with `ctx` as their context.
fn write_long_csv<W: Write, R>(
    ctx: &str,
    header: [&str; 7],
    rows: &[R],
    w: W,
    record: impl Fn(&mut csv::Writer<W>, &R) -> csv::Result<()>,
) -> Result<usize, ReportError> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(header).map_err(|e| ReportError::csv(ctx, e))?;
    for row in rows {
        record(&mut out, row).map_err(|e| ReportError::csv(ctx, e))?;
    }
    out.flush().map_err(|e| ReportError::io(ctx, e))?;
    Ok(rows.len())
}

/// The JSON document, in field order.
#[derive(Serialize)]
struct JsonOut<'a> {
    generated_at: &'a DateTime<Utc>,
    schema_version: u32,
    accounts: &'a [AccountInfo],
    account_metrics: &'a [AccountMetricRow],
    post_metrics: &'a [PostMetricRow],
    posts: &'a [PostInfo],
    audience: &'a [AudienceInfo],
    metric_catalog: &'static [Metric],
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
    const CTX: &str = "writing the JSON export";
    let doc = JsonOut {
        generated_at: &bundle.generated_at,
        schema_version: SCHEMA_VERSION,
        accounts: &bundle.accounts,
        account_metrics: &bundle.account_metrics,
        post_metrics: &bundle.post_metrics,
        posts: &bundle.posts,
        audience: &bundle.audience,
        metric_catalog: CATALOG,
    };
    let mut out = io::BufWriter::with_capacity(64 * 1024, w);
    serde_json::to_writer(&mut out, &doc).map_err(|e| ReportError::json(CTX, e))?;
    out.write_all(b"\n").map_err(|e| ReportError::io(CTX, e))?;
    out.flush().map_err(|e| ReportError::io(CTX, e))?;
    Ok(())
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
