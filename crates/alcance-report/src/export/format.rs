//! The export formats: one list ([`ExportFormat::ALL`]) that the app, the CLI and the UI
//! read, with everything a caller needs to offer a format (key, label, file extension,
//! MIME type) and to write it ([`write_export`]).
//!
//! Adding a format is one variant here, its arms in the `match`es of this file, and its
//! writer in [`crate::export`]; every list (CLI `--format` values, the UI's format picker,
//! the IPC bindings) follows from [`ExportFormat::ALL`].

use super::{
    write_account_csv_pages, write_json_from, write_post_csv_pages, write_xlsx_from, ExportCounts, ExportSource,
};
use crate::ReportError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// An export file format. Serialized (serde, IPC bindings) as its lower-case [`key`]
/// (`"csv"`, `"json"`, `"xlsx"`); parsed from the same key, case-insensitively, by
/// [`FromStr`].
///
/// [`key`]: ExportFormat::key
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// The long CSVs: account metrics ([`super::write_account_csv`]) at the chosen path,
    /// post metrics ([`super::write_post_csv`]) beside it ([`posts_csv_path`]).
    Csv,
    /// One JSON document ([`super::write_json`]).
    Json,
    /// One Excel workbook ([`super::write_xlsx`]).
    Xlsx,
}

impl ExportFormat {
    /// Every format, in the order a picker shows them.
    pub const ALL: [ExportFormat; 3] = [ExportFormat::Csv, ExportFormat::Json, ExportFormat::Xlsx];

    /// The stable key (`csv`, `json`, `xlsx`): the serde value, the CLI argument, the
    /// `format` field of the app's export views.
    pub fn key(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
            ExportFormat::Xlsx => "xlsx",
        }
    }

    /// The file extension without the dot (`csv`, `json`, `xlsx`).
    pub fn extension(self) -> &'static str {
        self.key()
    }

    /// The MIME type of the file(s).
    pub fn mime_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv",
            ExportFormat::Json => "application/json",
            ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// A short English label for pickers and help text (`CSV`, `JSON`, `Excel (XLSX)`).
    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::Csv => "CSV",
            ExportFormat::Json => "JSON",
            ExportFormat::Xlsx => "Excel (XLSX)",
        }
    }

    /// The files of this format, in writing order, when the user chose `out`: `out`
    /// itself, and for CSV also [`posts_csv_path`]`(out)`.
    pub fn parts(self) -> &'static [ExportPart] {
        match self {
            ExportFormat::Csv => &[ExportPart::AccountCsv, ExportPart::PostCsv],
            ExportFormat::Json => &[ExportPart::Json],
            ExportFormat::Xlsx => &[ExportPart::Xlsx],
        }
    }

    /// The paths [`write_export`] writes for `out`, in writing order.
    pub fn paths(self, out: &Path) -> Vec<PathBuf> {
        self.parts().iter().map(|p| p.path(out)).collect()
    }
}

impl fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A text that is not the key of any [`ExportFormat`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown export format {0:?} (expected one of: csv, json, xlsx)")]
pub struct UnknownExportFormat(pub String);

impl FromStr for ExportFormat {
    type Err = UnknownExportFormat;

    /// Parses a [`key`](ExportFormat::key), ignoring case and surrounding spaces.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        ExportFormat::ALL
            .into_iter()
            .find(|f| f.key().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownExportFormat(s.to_string()))
    }
}

/// One file of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportPart {
    /// The account-level long CSV, at the chosen path.
    AccountCsv,
    /// The post-level long CSV, beside it ([`posts_csv_path`]).
    PostCsv,
    /// The JSON document, at the chosen path.
    Json,
    /// The workbook, at the chosen path.
    Xlsx,
}

impl ExportPart {
    /// Where this part goes when the user chose `out`.
    pub fn path(self, out: &Path) -> PathBuf {
        match self {
            ExportPart::PostCsv => posts_csv_path(out),
            ExportPart::AccountCsv | ExportPart::Json | ExportPart::Xlsx => out.to_path_buf(),
        }
    }

    /// `true` when the part is written as a stream ([`ExportPart::write_to`]); the
    /// workbook is not (it is assembled in temporary files and written by
    /// [`write_xlsx_from`], which needs its path).
    pub fn streams(self) -> bool {
        !matches!(self, ExportPart::Xlsx)
    }

    /// Writes this part of `source` to `w` (CSV and JSON), reading its tables page by page.
    /// Returns the rows written per table (the CSVs count only their own table).
    ///
    /// # Errors
    /// As the part's writer; [`ReportError::Io`] for [`ExportPart::Xlsx`], which does not
    /// stream (use [`write_export`] or [`write_xlsx_from`]).
    pub fn write_to<W: Write>(self, source: &dyn ExportSource, w: W) -> Result<ExportCounts, ReportError> {
        match self {
            ExportPart::AccountCsv => Ok(ExportCounts {
                account_metrics: write_account_csv_pages(source.account_metrics(), w)?,
                ..ExportCounts::default()
            }),
            ExportPart::PostCsv => Ok(ExportCounts {
                post_metrics: write_post_csv_pages(source.post_metrics(), w)?,
                ..ExportCounts::default()
            }),
            ExportPart::Json => write_json_from(source, w),
            ExportPart::Xlsx => Err(ReportError::io(
                "writing the XLSX export",
                std::io::Error::new(std::io::ErrorKind::Unsupported, "the workbook is written to a path"),
            )),
        }
    }

    /// Writes this part of `source` to `path`: streamed into a temporary file beside it,
    /// flushed and renamed into place (CSV, JSON), or by [`write_xlsx_from`]; the folder
    /// must exist. Returns the rows written per table.
    ///
    /// # Errors
    /// As [`write_export`].
    pub fn write_file(self, source: &dyn ExportSource, path: &Path) -> Result<ExportCounts, ReportError> {
        write_part(self, source, path)
    }
}

/// `<dir>/<stem>-posts.csv` beside `path` (`exports/march.csv` → `exports/march-posts.csv`;
/// `alcance-export-posts.csv` when `path` has no file name).
pub fn posts_csv_path(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map_or_else(|| "alcance-export".into(), |s| s.to_string_lossy().to_string());
    path.with_file_name(format!("{stem}-posts.csv"))
}

/// Writes `source` as `format` for the chosen path `out` (see [`ExportFormat::paths`]),
/// creating the folder if missing. Each file goes to a temporary file beside it, is
/// flushed to disk and renamed into place, so a failure (a full disk) never leaves a
/// half-written file. Returns the paths written, in order.
///
/// # Errors
/// [`ReportError::DiskFull`] / [`ReportError::Io`] for file system failures,
/// [`ReportError::Csv`], [`ReportError::Json`] or [`ReportError::Xlsx`] when a format
/// cannot be produced.
pub fn write_export(format: ExportFormat, source: &dyn ExportSource, out: &Path) -> Result<Vec<PathBuf>, ReportError> {
    if let Some(dir) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| ReportError::io(format!("creating {}", dir.display()), e))?;
    }
    let mut written = Vec::new();
    for part in format.parts() {
        let path = part.path(out);
        write_part(*part, source, &path)?;
        written.push(path);
    }
    Ok(written)
}

/// The files of a whole-workspace export folder ([`write_folder`]; the demo's `exports/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFolder {
    /// `account_metrics.csv`, the account-level long CSV
    /// (`user_id,platform,metric_type,value,collected_at,period_start,period_end`).
    pub account_csv: PathBuf,
    /// `post_metrics.csv`, the post-level long CSV
    /// (`user_id,platform,post_id,published_at,metric_type,value,collected_at`).
    pub post_csv: PathBuf,
    /// `alcance-export.json`, everything as one JSON document.
    pub json: PathBuf,
    /// `alcance-export.xlsx`, everything as an Excel workbook, a sheet per table.
    pub xlsx: PathBuf,
}

impl ExportFolder {
    /// The file names inside `dir`.
    pub fn in_dir(dir: &Path) -> ExportFolder {
        ExportFolder {
            account_csv: dir.join("account_metrics.csv"),
            post_csv: dir.join("post_metrics.csv"),
            json: dir.join("alcance-export.json"),
            xlsx: dir.join("alcance-export.xlsx"),
        }
    }
}

/// Writes `source` in every format into the folder `dir` (created if missing), under the
/// names of [`ExportFolder::in_dir`], each file atomically as [`write_export`] does. Each
/// file reads the tables it holds again, page by page (nothing is kept between files).
///
/// # Errors
/// As [`write_export`].
pub fn write_folder(source: &dyn ExportSource, dir: &Path) -> Result<ExportFolder, ReportError> {
    std::fs::create_dir_all(dir).map_err(|e| ReportError::io(format!("creating {}", dir.display()), e))?;
    let folder = ExportFolder::in_dir(dir);
    write_part(ExportPart::AccountCsv, source, &folder.account_csv)?;
    write_part(ExportPart::PostCsv, source, &folder.post_csv)?;
    write_part(ExportPart::Json, source, &folder.json)?;
    write_part(ExportPart::Xlsx, source, &folder.xlsx)?;
    Ok(folder)
}

/// Writes one part of `source` to `path`: streamed into a temporary file beside it,
/// flushed and renamed into place (CSV, JSON), or by [`write_xlsx_from`].
fn write_part(part: ExportPart, source: &dyn ExportSource, path: &Path) -> Result<ExportCounts, ReportError> {
    if !part.streams() {
        return write_xlsx_from(source, path);
    }
    let mut counts = ExportCounts::default();
    crate::files::write_streaming(path, |file| {
        let mut w = BufWriter::with_capacity(256 * 1024, file);
        counts = part.write_to(source, &mut w)?;
        w.flush()
            .map_err(|e| ReportError::io(format!("writing {}", path.display()), e))
    })?;
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_back_and_serialize_lowercase() {
        for f in ExportFormat::ALL {
            assert_eq!(f.key().parse::<ExportFormat>(), Ok(f));
            assert_eq!(f.key().to_uppercase().parse::<ExportFormat>(), Ok(f));
            assert_eq!(
                serde_json::to_string(&f).unwrap_or_default(),
                format!("\"{}\"", f.key())
            );
            assert_eq!(f.to_string(), f.key());
            assert!(!f.label().is_empty() && f.mime_type().contains('/'));
        }
        assert!("pdf".parse::<ExportFormat>().is_err());
    }

    #[test]
    fn csv_writes_the_posts_beside_the_chosen_file() {
        assert_eq!(
            ExportFormat::Csv.paths(Path::new("out/march.csv")),
            vec![PathBuf::from("out/march.csv"), PathBuf::from("out/march-posts.csv")]
        );
        assert_eq!(
            ExportFormat::Xlsx.paths(Path::new("a.xlsx")),
            vec![PathBuf::from("a.xlsx")]
        );
    }
}
