//! The error type of every fallible function in this crate.

use std::io;

/// Why a chart or an export failed. Messages are for a person and never contain secrets
/// (this crate never sees tokens); paths may appear.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The disk (or the quota) is full. Nothing was left at the destination path for XLSX
    /// exports; a CSV / JSON writer the caller owns may hold a partial file.
    #[error("disk full while {context}: free some disk space and export again")]
    DiskFull {
        /// What was being done (`"writing the XLSX export to /home/a/x.xlsx"`).
        context: String,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// Any other I/O failure (permission denied, missing folder, broken pipe).
    #[error("I/O error while {context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// The CSV writer failed for a reason other than I/O.
    #[error("CSV export failed: {0}")]
    Csv(String),
    /// The XLSX writer refused the workbook (an Excel limit or a bad parameter).
    #[error("XLSX export failed: {0}")]
    Xlsx(String),
    /// JSON serialization or parsing failed (for [`crate::export::read_json`]: the input
    /// is not an Alcance export of a supported `schema_version`).
    #[error("JSON export failed: {0}")]
    Json(String),
    /// The chart could not be drawn or encoded (e.g. a size outside 200–8192 px).
    #[error("chart rendering failed: {0}")]
    Chart(String),
    /// The PDF could not be written (the embedded font refused, a PDF limit exceeded).
    #[error("PDF report failed: {0}")]
    Pdf(String),
    /// The rows to export could not be read (an [`crate::export::ExportSource`] failed,
    /// e.g. the database); the message says why.
    #[error("reading the rows to export failed: {0}")]
    Source(String),
}

impl ReportError {
    /// Wraps an I/O error, recognising a full disk (`ENOSPC`, `ERROR_DISK_FULL`,
    /// quota exceeded) so the message tells the user what to do.
    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> ReportError {
        let context = context.into();
        if is_disk_full(&source) {
            ReportError::DiskFull { context, source }
        } else {
            ReportError::Io { context, source }
        }
    }

    /// Maps a CSV error, keeping I/O failures as [`ReportError::Io`] / `DiskFull`.
    pub(crate) fn csv(context: &str, e: csv::Error) -> ReportError {
        if e.is_io_error() {
            match e.into_kind() {
                csv::ErrorKind::Io(io) => ReportError::io(context, io),
                other => ReportError::Csv(format!("{other:?}")),
            }
        } else {
            ReportError::Csv(e.to_string())
        }
    }

    /// Maps a serde_json error, keeping I/O failures as [`ReportError::Io`] / `DiskFull`.
    pub(crate) fn json(context: &str, e: serde_json::Error) -> ReportError {
        if e.is_io() {
            ReportError::io(context, io::Error::from(e))
        } else {
            ReportError::Json(e.to_string())
        }
    }

    /// Maps a rust_xlsxwriter error, keeping I/O failures as [`ReportError::Io`] /
    /// `DiskFull`.
    pub(crate) fn xlsx(context: &str, e: rust_xlsxwriter::XlsxError) -> ReportError {
        match e {
            rust_xlsxwriter::XlsxError::IoError(io) => ReportError::io(context, io),
            rust_xlsxwriter::XlsxError::TempFileError(dir, io) => {
                ReportError::io(format!("{context} (temporary file in {})", dir.display()), io)
            }
            other => ReportError::Xlsx(format!("{context}: {other}")),
        }
    }
}

/// `true` for the "no space left" family of errors on Linux, macOS and Windows.
fn is_disk_full(e: &io::Error) -> bool {
    if matches!(e.kind(), io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded) {
        return true;
    }
    // ENOSPC (28) / EDQUOT (122 Linux, 69 macOS) on Unix; ERROR_HANDLE_DISK_FULL (39) and
    // ERROR_DISK_FULL (112) on Windows.
    match e.raw_os_error() {
        Some(code) if cfg!(unix) => code == 28,
        Some(code) if cfg!(windows) => code == 39 || code == 112,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_says_so() {
        let e = ReportError::io("writing x.csv", io::Error::from(io::ErrorKind::StorageFull));
        assert!(matches!(e, ReportError::DiskFull { .. }));
        assert!(e.to_string().contains("disk full while writing x.csv"), "{e}");
        let other = ReportError::io("writing x.csv", io::Error::from(io::ErrorKind::PermissionDenied));
        assert!(matches!(other, ReportError::Io { .. }));
    }

    #[cfg(unix)]
    #[test]
    fn enospc_is_a_full_disk() {
        let e = ReportError::io("saving", io::Error::from_raw_os_error(28));
        assert!(matches!(e, ReportError::DiskFull { .. }), "{e:?}");
    }
}
