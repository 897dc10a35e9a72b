//! Exports of a date range from the exports screen: CSV, JSON and XLSX into a folder of
//! the workspace.

use super::*;
use crate::error::{Context, Result};
use crate::workspace::Workspace;
use alcance_store::RowFilter;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One written export file.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportFileView {
    /// `csv`, `json` or `xlsx`.
    pub format: String,
    /// Absolute path.
    pub path: String,
    /// Size, bytes.
    pub bytes: u64,
}

/// What [`export_range`] wrote.
#[cfg_attr(feature = "specta", derive(specta::Type))]
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
    let file = |format: &str, path: &PathBuf| -> Result<ExportFileView> {
        let bytes = std::fs::metadata(path)
            .with_context(|| format!("reading the size of {}", path.display()))?
            .len();
        Ok(ExportFileView {
            format: format.to_string(),
            path: path.display().to_string(),
            bytes,
        })
    };
    Ok(ExportView {
        folder: folder.display().to_string(),
        files: vec![
            file("csv", &paths.account_csv)?,
            file("csv", &paths.post_csv)?,
            file("json", &paths.json)?,
            file("xlsx", &paths.xlsx)?,
        ],
    })
}
