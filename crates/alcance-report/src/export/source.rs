//! Where an export's rows come from: [`ExportSource`], read table by table and page by
//! page, so that no writer needs a whole table in memory.

use super::{AccountInfo, AudienceInfo, ExportBundle, PostInfo};
use crate::ReportError;
use alcance_core::{AccountMetricRow, PostMetricRow};
use chrono::{DateTime, Utc};
use std::borrow::Cow;

/// The rows of one export table, a page at a time, in export order. A page is borrowed
/// when the rows are already in memory ([`ExportBundle`]) and owned when they were just
/// read (the app's database reader). An `Err` ends the table: the writer stops and
/// returns it.
pub type Pages<'a, T> = Box<dyn Iterator<Item = Result<Cow<'a, [T]>, ReportError>> + Send + 'a>;

/// One page holding `rows`, borrowed.
pub fn one_page<T: Clone + Send + Sync>(rows: &[T]) -> Pages<'_, T> {
    Box::new(std::iter::once(Ok(Cow::Borrowed(rows))))
}

/// Everything an export holds, read on demand: the writers ([`super::write_json_from`],
/// [`super::write_xlsx_from`], [`super::ExportPart::write_to`]) open each table when they
/// reach it and write its rows as the pages come, so memory stays flat whatever the row
/// count. A table may be opened more than once (the CSV and the JSON of one export folder
/// each read the account metrics) and from several threads at once (the XLSX writes its
/// big sheets in parallel): each call starts a new read of the same rows.
///
/// Implemented by [`ExportBundle`] (everything in memory) and by the app's reader of the
/// store (keyset pages, `alcance_store::ExportPages`).
pub trait ExportSource: Sync {
    /// When the export was made, UTC.
    fn generated_at(&self) -> DateTime<Utc>;
    /// The accounts in the export.
    fn accounts(&self) -> Pages<'_, AccountInfo>;
    /// Account-level metric values (long format).
    fn account_metrics(&self) -> Pages<'_, AccountMetricRow>;
    /// Post metric snapshots (long format).
    fn post_metrics(&self) -> Pages<'_, PostMetricRow>;
    /// The posts.
    fn posts(&self) -> Pages<'_, PostInfo>;
    /// Demographic breakdowns.
    fn audience(&self) -> Pages<'_, AudienceInfo>;
}

impl ExportSource for ExportBundle {
    fn generated_at(&self) -> DateTime<Utc> {
        self.generated_at
    }

    fn accounts(&self) -> Pages<'_, AccountInfo> {
        one_page(&self.accounts)
    }

    fn account_metrics(&self) -> Pages<'_, AccountMetricRow> {
        one_page(&self.account_metrics)
    }

    fn post_metrics(&self) -> Pages<'_, PostMetricRow> {
        one_page(&self.post_metrics)
    }

    fn posts(&self) -> Pages<'_, PostInfo> {
        one_page(&self.posts)
    }

    fn audience(&self) -> Pages<'_, AudienceInfo> {
        one_page(&self.audience)
    }
}

/// Rows written per table by one export (each table counted once per file that holds it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportCounts {
    /// Accounts.
    pub accounts: usize,
    /// Account metric rows.
    pub account_metrics: usize,
    /// Post metric rows.
    pub post_metrics: usize,
    /// Posts.
    pub posts: usize,
    /// Audience rows.
    pub audience: usize,
}
