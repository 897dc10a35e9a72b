//! Exports of a date range from the exports screen: CSV, JSON and XLSX into a folder of
//! the workspace.

use super::*;
use crate::error::{Context, Result};
use crate::workspace::Workspace;
use crate::ExportFormat;
use alcance_store::RowFilter;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One export format as the UI offers it: an entry of [`ExportFormat::ALL`], the one list
/// in `alcance-report`.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportFormatView {
    /// The format's key (`csv`, `json`, `xlsx`).
    pub format: ExportFormat,
    /// A short English label (`CSV`, `JSON`, `Excel (XLSX)`).
    pub label: String,
    /// The file extension, without the dot.
    pub extension: String,
    /// The MIME type of its files.
    pub mime_type: String,
}

/// Every export format, in the order a picker shows them ([`ExportFormat::ALL`]).
pub fn export_formats() -> Vec<ExportFormatView> {
    ExportFormat::ALL
        .into_iter()
        .map(|format| ExportFormatView {
            format,
            label: format.label().to_string(),
            extension: format.extension().to_string(),
            mime_type: format.mime_type().to_string(),
        })
        .collect()
}

/// One written export file.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportFileView {
    /// Its format (`csv` for both the account and the post CSV).
    pub format: ExportFormat,
    /// Absolute path.
    pub path: String,
    /// Size, bytes.
    pub bytes: u64,
}

/// What [`export_range`] wrote.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportView {
    /// The folder holding the files.
    pub folder: String,
    /// The files: account CSV, post CSV, JSON, XLSX.
    pub files: Vec<ExportFileView>,
}

/// Writes the CSV, JSON and XLSX exports of the filtered accounts over `[since, until)`
/// into `out_root/alcance-<since>_<until>/` (dates `YYYY-MM-DD`, UTC; `all` for an open
/// bound) and lists the files with their sizes.
///
/// Errors: [`ViewError`] for a bad filter; the folder is not writable; store errors.
pub async fn export_range(ws: &Workspace, filter: &ViewFilter, out_root: &Path) -> Result<ExportView> {
    if let (Some(since), Some(until)) = (filter.since, filter.until) {
        if since >= until {
            return Err(ViewError::EmptyRange { since, until }.into());
        }
    }
    let row_filter = RowFilter {
        since: filter.since,
        until: filter.until,
        ..filter.accounts_filter()?
    };
    let day = |t: Option<DateTime<Utc>>| t.map_or_else(|| "all".to_string(), |t| t.format("%Y-%m-%d").to_string());
    let folder = out_root.join(format!("alcance-{}_{}", day(filter.since), day(filter.until)));
    let paths = ws.export_all(&row_filter, &folder).await?;
    let file = |format: ExportFormat, path: &PathBuf| -> Result<ExportFileView> {
        let bytes = std::fs::metadata(path)
            .with_context(|| format!("reading the size of {}", path.display()))?
            .len();
        Ok(ExportFileView {
            format,
            path: path.display().to_string(),
            bytes,
        })
    };
    Ok(ExportView {
        folder: folder.display().to_string(),
        files: vec![
            file(ExportFormat::Csv, &paths.account_csv)?,
            file(ExportFormat::Csv, &paths.post_csv)?,
            file(ExportFormat::Json, &paths.json)?,
            file(ExportFormat::Xlsx, &paths.xlsx)?,
        ],
    })
}
