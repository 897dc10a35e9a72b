//! Where reports land on disk: the set of files a report writes and the atomic write
//! (temporary file in the same folder, fsync, rename) every report file goes through.

use crate::ReportError;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The files written by [`crate::weekly::write_weekly_report`] or
/// [`crate::campaign::write_campaign_report`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportFiles {
    /// The workbook.
    pub xlsx: PathBuf,
    /// The printable page.
    pub html: PathBuf,
    /// The JSON document.
    pub json: PathBuf,
    /// The A4 PDF ([`crate::pdf`]).
    pub pdf: PathBuf,
}

/// Writes `bytes` to `path` through a temporary file in the same folder, an fsync and a
/// rename (mode 0644 on Unix).
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    write_streaming(path, |file| {
        file.write_all(bytes)
            .map_err(|e| ReportError::io(format!("writing {}", path.display()), e))
    })
}

/// As [`write_atomically`], with `write` filling the temporary file.
pub(crate) fn write_streaming(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> Result<(), ReportError>,
) -> Result<(), ReportError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let ctx = || format!("writing {}", path.display());
    let mut tmp = tempfile::Builder::new()
        .prefix(".alcance-report-")
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(|e| ReportError::io(ctx(), e))?;
    write(tmp.as_file_mut())?;
    tmp.as_file().sync_all().map_err(|e| ReportError::io(ctx(), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(|e| ReportError::io(ctx(), e))?;
    }
    tmp.persist(path).map_err(|e| ReportError::io(ctx(), e.error))?;
    Ok(())
}

/// One file format of a report (weekly or campaign): what `--format` of `alcance report`,
/// the window's report downloads and the REST API's `format=` choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReportFormat {
    /// The report's data ([`crate::weekly::WeeklyReport`] / [`crate::campaign::CampaignReport`]),
    /// pretty-printed JSON.
    Json,
    /// An Excel workbook with native charts.
    Xlsx,
    /// One self-contained printable HTML page.
    Html,
    /// An A4 PDF ([`crate::pdf`]).
    Pdf,
}

impl ReportFormat {
    /// Every format, in the order the CLI and the window list them.
    pub const ALL: [ReportFormat; 4] = [
        ReportFormat::Pdf,
        ReportFormat::Xlsx,
        ReportFormat::Html,
        ReportFormat::Json,
    ];

    /// The key and file extension: `json`, `xlsx`, `html`, `pdf`.
    pub fn key(self) -> &'static str {
        match self {
            ReportFormat::Json => "json",
            ReportFormat::Xlsx => "xlsx",
            ReportFormat::Html => "html",
            ReportFormat::Pdf => "pdf",
        }
    }

    /// The MIME type of the file.
    pub fn mime(self) -> &'static str {
        match self {
            ReportFormat::Json => "application/json",
            ReportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ReportFormat::Html => "text/html; charset=utf-8",
            ReportFormat::Pdf => "application/pdf",
        }
    }
}

impl std::fmt::Display for ReportFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

impl std::str::FromStr for ReportFormat {
    type Err = String;

    /// A [`ReportFormat::key`], any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ReportFormat::ALL
            .into_iter()
            .find(|f| f.key().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown report format {s:?}: use pdf, xlsx, html or json"))
    }
}
