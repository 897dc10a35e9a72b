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
        // `Ok(None)` marks the end of the table: a channel that closes without it (the task
        // was dropped with the runtime) is an error, never a shorter table.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Option<Vec<T>>, StoreError>>(PAGES_AHEAD);
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
                let page = pages
                    .next_page()
                    .await
                    .map(|page| page.map(|rows| rows.into_iter().filter_map(map).collect()));
                let last = !matches!(page, Ok(Some(_)));
                // The writer stopped (an error of its own): stop reading.
                if tx.send(page).await.is_err() || last {
                    return;
                }
            }
        });
        let mut done = false;
        Box::new(std::iter::from_fn(move || {
            if done {
                return None;
            }
            let page = match rx.blocking_recv() {
                Some(Ok(Some(rows))) => return Some(Ok(Cow::Owned(rows))),
                Some(Ok(None)) => None,
                Some(Err(e)) => Some(Err(ReportError::Source(e.to_string()))),
                None => Some(Err(ReportError::Source(
                    "the database reader stopped before the end of the table".to_string(),
                ))),
            };
            done = true;
            page
        }))
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::testing::{both_engines, open_workspace, Engine};
    use alcance_core::{
        AccountMetric, AccountRef, AudienceSlice, CollectionBatch, ContentType, Period, Platform, PostMetric,
        PostRecord,
    };
    use alcance_report::export::{write_json_from, write_xlsx_from, ExportBundle, ExportPart};
    use chrono::{Duration, TimeZone};
    use std::io::Read;
    use std::sync::Arc;

    /// Three accounts, five days: account metrics (one "no data"), posts (one without a
    /// publication time, two published at the same time), snapshots of three metrics per
    /// post, audience cells (one without a value, left out of exports).
    async fn fill(store: &Store) {
        // The audience cells are demographic: stored under the workspace's consent.
        alcance_store::testing::grant_audience_consent(store).await;
        let start = Utc.with_ymd_and_hms(2026, 11, 1, 10, 0, 0).single().expect("time");
        let run = store.start_run("manual", start).await.expect("run");
        for (platform, external, name) in [
            (Platform::Instagram, "17841400000000001", "marca"),
            (Platform::X, "2244994945", "XDevelopers"),
            (Platform::X, "1000", "early"),
        ] {
            let account = AccountRef {
                platform,
                external_id: external.to_string(),
                username: Some(name.to_string()),
                owned: true,
            };
            let id = store.upsert_account(&account, Some(name), None).await.expect("account");
            for d in 0..5 {
                let at = start + Duration::days(d);
                let day = at - Duration::hours(10);
                let posts: Vec<PostRecord> = (0..4)
                    .map(|i| PostRecord {
                        external_id: format!("{external}-p{i}"),
                        published_at: (i != 3).then(|| start - Duration::hours(i64::from(i.min(1)))),
                        content_type: ContentType::Image,
                        permalink: Some(format!("https://example.com/{external}/{i}")),
                        caption: Some(format!("post {i} \"quoted\" ✓")),
                    })
                    .collect();
                let batch = CollectionBatch {
                    media: Vec::new(),
                    profile: None,
                    account_metrics: vec![
                        AccountMetric {
                            metric: "followers".into(),
                            period: Period::Snapshot,
                            period_start: at,
                            period_end: at,
                            value: Some(100.0 + d as f64),
                        },
                        AccountMetric {
                            metric: "reach".into(),
                            period: Period::Day,
                            period_start: day,
                            period_end: day + Duration::days(1),
                            value: (d != 2).then_some(d as f64 * 1.5),
                        },
                    ],
                    post_metrics: posts
                        .iter()
                        .flat_map(|p| {
                            ["likes", "comments", "engagement_rate"].map(|m| PostMetric {
                                post_external_id: p.external_id.clone(),
                                metric: m.into(),
                                value: Some(d as f64 + 0.5),
                            })
                        })
                        .collect(),
                    posts,
                    audience: vec![
                        AudienceSlice {
                            audience: "followers".into(),
                            dimension: "age".into(),
                            key: "18-24".into(),
                            value: 10.0 + d as f64,
                            timeframe: "this_month".into(),
                        },
                        AudienceSlice {
                            audience: "followers".into(),
                            dimension: "country".into(),
                            key: "BR".into(),
                            value: f64::NAN,
                            timeframe: "this_month".into(),
                        },
                    ],
                    gaps: vec![],
                    warnings: vec![],
                    stopped: None,
                };
                store.save_batch(run, id, at, &batch, &[]).await.expect("batch");
            }
        }
    }

    fn zip_parts(path: &std::path::Path) -> Vec<(String, String)> {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(path).expect("open")).expect("zip");
        (0..zip.len())
            .map(|i| {
                let mut entry = zip.by_index(i).expect("entry");
                let name = entry.name().map(|n| n.to_string()).expect("name");
                let mut text = String::new();
                entry.read_to_string(&mut text).expect("utf-8");
                (name, text)
            })
            .collect()
    }

    /// Every file of an export of `source`: the two CSVs and the JSON as bytes, the XLSX
    /// as its parts. Written on the blocking pool, as the app does.
    async fn files(source: Arc<dyn ExportSource + Send>) -> (Vec<Vec<u8>>, Vec<(String, String)>) {
        tokio::task::spawn_blocking(move || {
            let mut texts = Vec::new();
            for part in [ExportPart::AccountCsv, ExportPart::PostCsv, ExportPart::Json] {
                let mut out = Vec::new();
                part.write_to(source.as_ref(), &mut out).expect("write");
                texts.push(out);
            }
            let dir = tempfile::tempdir().expect("tempdir");
            let path = dir.path().join("x.xlsx");
            write_xlsx_from(source.as_ref(), &path).expect("xlsx");
            (texts, zip_parts(&path))
        })
        .await
        .expect("writer")
    }

    async fn streamed_exports_equal_the_whole_selection_read_at_once(engine: Engine) {
        let dir = tempfile::tempdir().expect("tempdir");
        let options = crate::WorkspaceOptions {
            endpoints: alcance_platforms::Endpoints::real(),
            vault: Box::new(crate::vault::MemoryVault::new()),
        };
        let Some(t) = open_workspace(engine, dir.path(), options).await else {
            return;
        };
        fill(t.store()).await;
        let filters = [
            RowFilter::default(),
            RowFilter {
                platforms: vec![Platform::X],
                since: Some(Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).single().expect("time")),
                ..RowFilter::default()
            },
        ];
        for filter in filters {
            let bundle: ExportBundle = t.bundle(&filter).await.expect("bundle");
            assert!(bundle.post_metrics.len() > 50, "{}", bundle.post_metrics.len());
            let at_once = files(Arc::new(bundle.clone())).await;
            for page_rows in [1, 2, 7, EXPORT_PAGE_ROWS] {
                let source = StoreSource::new(
                    t.store().clone(),
                    filter.clone(),
                    bundle.accounts.clone(),
                    bundle.generated_at,
                )
                .with_page_rows(page_rows);
                let streamed = files(Arc::new(source)).await;
                assert!(
                    streamed.0 == at_once.0,
                    "{filter:?}, {page_rows} rows a page: CSV / JSON differ"
                );
                assert!(
                    streamed.1 == at_once.1,
                    "{filter:?}, {page_rows} rows a page: XLSX differs"
                );
            }
        }
        // The JSON of a filter holds what the store holds, without the audience cells
        // that have no value.
        let mut json = Vec::new();
        let counts = tokio::task::spawn_blocking({
            let source =
                StoreSource::new(t.store().clone(), RowFilter::default(), vec![], Utc::now()).with_page_rows(5);
            move || write_json_from(&source, &mut json).map(|c| (c, json))
        })
        .await
        .expect("writer")
        .expect("json")
        .0;
        assert_eq!(counts.account_metrics, 3 * 5 * 2);
        assert_eq!(counts.post_metrics, 3 * 5 * 4 * 3);
        assert_eq!(counts.posts, 3 * 4);
        assert_eq!(counts.audience, 3 * 5);
        t.close().await;
    }

    both_engines!(multi_thread: streamed_exports_equal_the_whole_selection_read_at_once);

    /// A reader that dies with its runtime ends the table with an error, so a writer never
    /// takes the missing pages for the end of the table.
    #[test]
    fn a_reader_that_dies_is_an_error_not_a_shorter_table() {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let (store, source) = runtime.block_on(async {
            let store = Store::open_in_memory().await.expect("store");
            let source = StoreSource::new(store.clone(), RowFilter::default(), vec![], Utc::now());
            (store, source)
        });
        drop(runtime);
        let mut pages = source.account_metrics();
        assert!(matches!(pages.next(), Some(Err(ReportError::Source(_)))));
        assert!(pages.next().is_none(), "one error, then the end");
        drop(pages);
        drop((source, store));
    }
}
