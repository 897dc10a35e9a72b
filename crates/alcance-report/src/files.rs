//! Where reports land on disk: the set of files a report writes and the atomic write
//! (temporary file in the same folder, fsync, rename) every report file goes through.

use crate::ReportError;
use serde::Serialize;
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

/// `value` as pretty-printed JSON with a final newline: the `.json` file of a comparison,
/// a competitor report or a campaign report.
///
/// # Errors
/// [`ReportError::Json`] naming `context` when `value` cannot be serialized.
pub(crate) fn pretty_json<T: Serialize + ?Sized>(value: &T, context: &str) -> Result<Vec<u8>, ReportError> {
    let mut json = serde_json::to_vec_pretty(value).map_err(|e| ReportError::json(context, e))?;
    json.push(b'\n');
    Ok(json)
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

/// One file format of a report, defined in `alcance-core` (a schedule's attachments are
/// stored with it).
pub use alcance_core::ReportFormat;
