//! The store as an [`ExportSource`]: every table of an export read in keyset pages
//! (`alcance_store::ExportPages`) by a task on the async runtime and handed to the
//! blocking writers of `alcance-report` through a bounded channel, so an export holds a
//! few pages per table instead of the workspace.

use alcance_core::{AccountMetricRow, PostMetricRow};
use alcance_report::export::{one_page, AccountInfo, AudienceInfo, ExportSource, Pages, PostInfo};
use alcance_report::ReportError;
use alcance_store::{AudienceRow, ExportPages, PostRow, RowFilter, Store, StoreError, EXPORT_PAGE_ROWS};
use chrono::{DateTime, Utc};
use std::borrow::Cow;
use std::future::Future;

/// Pages a table's reader may read ahead of its writer (each at most the page size).
const PAGES_AHEAD: usize = 2;

/// The rows of `filter` in the store, as the writers read them. Each table opened starts
/// its own reader task on `runtime`; the writer must run outside the runtime's own threads
/// (`tokio::task::spawn_blocking`), since it waits for the pages.
#[derive(Debug, Clone)]
pub(crate) struct StoreSource {
    store: Store,
    runtime: tokio::runtime::Handle,
    filter: RowFilter,
    accounts: Vec<AccountInfo>,
    generated_at: DateTime<Utc>,
    page_rows: usize,
}

impl StoreSource {
    /// The rows of `filter` in `store`, with `accounts` as the export's account list,
    /// made at `generated_at` (UTC). Call it inside the runtime that will read the pages.
    pub(crate) fn new(
        store: Store,
        filter: RowFilter,
        accounts: Vec<AccountInfo>,
        generated_at: DateTime<Utc>,
    ) -> StoreSource {
        StoreSource {
            store,
            runtime: tokio::runtime::Handle::current(),
            filter,
            accounts,
            generated_at,
            page_rows: EXPORT_PAGE_ROWS,
        }
    }

    /// The same source with `rows` rows a page (tests of page boundaries).
    #[cfg(test)]
    pub(crate) fn with_page_rows(mut self, rows: usize) -> StoreSource {
        self.page_rows = rows;
        self
    }

    /// Starts reading the table `open` gives on the runtime and returns its pages, each
    /// row mapped by `map` (`None` leaves it out).
    fn stream<R, T, F, Fut>(&self, open: F, map: fn(R) -> Option<T>) -> Pages<'_, T>
    where
        R: Send + 'static,
        T: Clone + Send + Sync + 'static,
        F: FnOnce(Store, RowFilter, usize) -> Fut + Send + 'static,
        Fut: Future<Output = Result<ExportPages<R>, StoreError>> + Send + 'static,
    {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Vec<T>, StoreError>>(PAGES_AHEAD);
        let reader = open(self.store.clone(), self.filter.clone(), self.page_rows);
        self.runtime.spawn(async move {
            let mut pages = match reader.await {
                Ok(pages) => pages,
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
            };
            loop {
                let page = match pages.next_page().await {
                    Ok(Some(rows)) => Ok(rows.into_iter().filter_map(map).collect()),
                    Ok(None) => return,
                    Err(e) => Err(e),
                };
                let failed = page.is_err();
                // The writer stopped (an error of its own): stop reading.
                if tx.send(page).await.is_err() || failed {
                    return;
                }
            }
        });
        Box::new(
            std::iter::from_fn(move || rx.blocking_recv())
                .map(|page| page.map(Cow::Owned).map_err(|e| ReportError::Source(e.to_string()))),
        )
    }
}

impl ExportSource for StoreSource {
    fn generated_at(&self) -> DateTime<Utc> {
        self.generated_at
    }

    fn accounts(&self) -> Pages<'_, AccountInfo> {
        one_page(&self.accounts)
    }

    fn account_metrics(&self) -> Pages<'_, AccountMetricRow> {
        self.stream(
            |store, filter, rows| async move { store.account_metric_pages(&filter, rows).await },
            Some,
        )
    }

    fn post_metrics(&self) -> Pages<'_, PostMetricRow> {
        self.stream(
            |store, filter, rows| async move { store.post_metric_pages(&filter, rows).await },
            Some,
        )
    }

    fn posts(&self) -> Pages<'_, PostInfo> {
        self.stream(
            |store, filter, rows| async move { store.post_pages(&filter, rows).await },
            |p: PostRow| Some(crate::reports::post_info(p)),
        )
    }

    fn audience(&self) -> Pages<'_, AudienceInfo> {
        self.stream(
            |store, filter, rows| async move { store.audience_pages(&filter, rows).await },
            audience_info,
        )
    }
}

/// An audience row as the exports list it; `None` for a cell without a value.
pub(crate) fn audience_info(a: AudienceRow) -> Option<AudienceInfo> {
    Some(AudienceInfo {
        platform: a.platform,
        user_id: a.user_id,
        audience: a.audience,
        dimension: a.dimension,
        key: a.key,
        value: a.value?,
        timeframe: a.timeframe,
        collected_at: a.collected_at,
    })
}
