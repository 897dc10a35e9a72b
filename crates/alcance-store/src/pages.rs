//! Keyset-paged reads of the export tables, so an export never holds a whole table in
//! memory: [`Store::account_metric_pages`], [`Store::post_metric_pages`],
//! [`Store::post_pages`] and [`Store::audience_pages`].
//!
//! Each reader returns the same rows, in the same order, as the whole-table read of the
//! same name in `query.rs` ([`Store::account_metric_rows`], ...), a page at a time. Pages
//! walk the filtered accounts in export order (platform, platform account id, `accounts.id`)
//! and, inside an account, the table's own unique order; each page is one statement that
//! starts after the last row of the previous page (a keyset, not an `OFFSET`), so a page
//! costs the same at the end of a table as at its start, and a row is never returned twice
//! or skipped at a page boundary. Rows written while an export runs may or may not be in
//! it; rows that exist throughout are in it exactly once.

use crate::query::Binds;
use crate::query::{
    account_filter, account_metric_from_row, audience_from_row, post_from_row, post_metric_from_row,
    AccountMetricRecord, AudienceRecord, PostMetricRecord, PostRecord, Record,
};
use crate::{AudienceRow, Engine, PostRow, RowFilter, Store, StoreError};
use alcance_core::{AccountMetricRow, PostMetricRow};
use std::future::Future;
use std::pin::Pin;

/// Default rows per page of the readers: about 200 KB of decoded rows. Bigger pages
/// cost fewer statements but raise glibc's dynamic mmap threshold, after which freed pages
/// stay resident in the threads' arenas: `alcance demo` peaked at 122 MB with 4,096 rows a
/// page, 104 MB with 1,024 and with 512 (docs/PERFORMANCE.md).
pub const EXPORT_PAGE_ROWS: usize = 1024;

/// One value of a keyset: the sort columns of the last row of a page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum KeyValue {
    Text(String),
    Int(i64),
}

/// A table an export reads in pages: its statement and how its rows decode.
pub(crate) trait PagedRow: Sized + Send + 'static {
    /// The row as stored.
    type Stored: Record;

    /// The statement of one page: `$1` account id, `$2` since, `$3` until, `$4` metric
    /// list (JSON text or NULL), `$5` page size; with `after`, the keyset from `$6`.
    fn page_sql(engine: Engine, after: bool) -> String;

    /// The keyset of a stored row (the values of its `ORDER BY` columns, in order).
    fn key(row: &Self::Stored) -> Vec<KeyValue>;

    /// The row, parsed. Errors: [`StoreError::Decode`].
    fn decode(row: Self::Stored) -> Result<Self, StoreError>;
}

/// `(c1, c2, ...) > ($6, $7, ...)` over `columns`, when reading after a key.
fn after_clause(columns: &[&str], after: bool) -> String {
    if !after {
        return String::new();
    }
    let params: Vec<String> = (0..columns.len()).map(|i| format!("${}", 6 + i)).collect();
    format!("AND ({}) > ({})", columns.join(", "), params.join(", "))
}

/// The page statement: `select` (ending in its `FROM … JOIN …`), restricted to one account
/// (`account_column = $1`), `time_column` in `[$2, $3)`, `metric_column` in `$4`, after the
/// keyset, ordered by `order`, `$5` rows.
fn page_sql(
    engine: Engine,
    select: &str,
    account_column: &str,
    time_column: &str,
    metric_column: Option<&str>,
    order: &[&str],
    after: bool,
) -> String {
    let metric = match metric_column {
        Some(c) => format!("AND ($4 IS NULL OR {c} IN ({}))", engine.json_list(4, "TEXT")),
        // Not filtered by metric; $4 stays referenced so every page binds the same values.
        None => "AND ($4 IS NULL OR true)".to_string(),
    };
    format!(
        "{select} WHERE {account_column} = $1
           AND ($2 IS NULL OR {time_column} >= $2)
           AND ($3 IS NULL OR {time_column} < $3)
           {metric}
           {after}
         ORDER BY {order}
         LIMIT $5",
        after = after_clause(order, after),
        order = order.join(", "),
    )
}

/// The sort key of a post's publication time with the engine's own place for "unknown"
/// (SQLite sorts `NULL` first, PostgreSQL last), so that the keyset compares no `NULL` and
/// the order stays the one of [`Store::posts`] on each engine. Stored times are RFC 3339
/// text starting with a digit: `''` sorts before every one of them, `'~'` after.
fn published_key(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "COALESCE(p.published_at, '')",
        Engine::Postgres => "(COALESCE(p.published_at, '~') COLLATE \"C\")",
    }
}

impl PagedRow for AccountMetricRow {
    type Stored = AccountMetricRecord;

    fn page_sql(engine: Engine, after: bool) -> String {
        page_sql(
            engine,
            "SELECT a.external_id, a.username, a.platform, m.metric, m.period, m.value, m.collected_at,
                    m.period_start, m.period_end
             FROM account_metrics AS m JOIN accounts AS a ON a.id = m.account_id",
            "m.account_id",
            "m.period_start",
            Some("m.metric"),
            &[
                "m.metric",
                "m.period_start",
                "m.period",
                "m.period_end",
                "m.collected_at",
            ],
            after,
        )
    }

    fn key(r: &AccountMetricRecord) -> Vec<KeyValue> {
        vec![
            KeyValue::Text(r.metric.clone()),
            KeyValue::Text(r.period_start.clone()),
            KeyValue::Text(r.period.clone()),
            KeyValue::Text(r.period_end.clone()),
            KeyValue::Text(r.collected_at.clone()),
        ]
    }

    fn decode(r: AccountMetricRecord) -> Result<Self, StoreError> {
        account_metric_from_row(r)
    }
}

/// A post metric row with its keyset columns.
#[derive(sqlx::FromRow)]
pub(crate) struct PostMetricPageRecord {
    #[sqlx(flatten)]
    row: PostMetricRecord,
    k_published: String,
    k_post: i64,
}

impl PagedRow for PostMetricRow {
    type Stored = PostMetricPageRecord;

    fn page_sql(engine: Engine, after: bool) -> String {
        let published = published_key(engine);
        page_sql(
            engine,
            &format!(
                "SELECT {columns}, {published} AS k_published, p.id AS k_post
                 FROM post_metrics AS m JOIN posts AS p ON p.id = m.post_id JOIN accounts AS a ON a.id = p.account_id",
                columns = crate::query::POST_METRIC_COLUMNS
            ),
            "p.account_id",
            "m.collected_at",
            Some("m.metric"),
            &[published, "p.external_id", "p.id", "m.metric", "m.collected_at"],
            after,
        )
    }

    fn key(r: &PostMetricPageRecord) -> Vec<KeyValue> {
        vec![
            KeyValue::Text(r.k_published.clone()),
            KeyValue::Text(r.row.post_id.clone()),
            KeyValue::Int(r.k_post),
            KeyValue::Text(r.row.metric.clone()),
            KeyValue::Text(r.row.collected_at.clone()),
        ]
    }

    fn decode(r: PostMetricPageRecord) -> Result<Self, StoreError> {
        post_metric_from_row(r.row)
    }
}

/// A post with its keyset column.
#[derive(sqlx::FromRow)]
pub(crate) struct PostPageRecord {
    #[sqlx(flatten)]
    row: PostRecord,
    k_published: String,
}

impl PagedRow for PostRow {
    type Stored = PostPageRecord;

    fn page_sql(engine: Engine, after: bool) -> String {
        let published = published_key(engine);
        page_sql(
            engine,
            &format!(
                "SELECT p.id, p.account_id, a.external_id AS user_id, a.username, a.platform, p.external_id,
                        p.content_type, p.published_at, p.permalink, p.caption, p.first_seen_at, p.last_seen_at,
                        {published} AS k_published
                 FROM posts AS p JOIN accounts AS a ON a.id = p.account_id"
            ),
            "p.account_id",
            "p.published_at",
            None,
            &[published, "p.external_id", "p.id"],
            after,
        )
    }

    fn key(r: &PostPageRecord) -> Vec<KeyValue> {
        vec![
            KeyValue::Text(r.k_published.clone()),
            KeyValue::Text(r.row.external_id.clone()),
            KeyValue::Int(r.row.id),
        ]
    }

    fn decode(r: PostPageRecord) -> Result<Self, StoreError> {
        post_from_row(r.row)
    }
}

/// An audience row with its keyset column.
#[derive(sqlx::FromRow)]
pub(crate) struct AudiencePageRecord {
    #[sqlx(flatten)]
    row: AudienceRecord,
    k_bucket: String,
}

impl PagedRow for AudienceRow {
    type Stored = AudiencePageRecord;

    fn page_sql(engine: Engine, after: bool) -> String {
        page_sql(
            engine,
            "SELECT u.account_id, a.external_id AS user_id, a.username, a.platform, u.audience, u.dimension, u.key,
                    u.value, u.timeframe, u.collected_at, u.bucket AS k_bucket
             FROM audience AS u JOIN accounts AS a ON a.id = u.account_id",
            "u.account_id",
            "u.collected_at",
            None,
            &["u.bucket", "u.audience", "u.dimension", "u.timeframe", "u.key"],
            after,
        )
    }

    fn key(r: &AudiencePageRecord) -> Vec<KeyValue> {
        vec![
            KeyValue::Text(r.k_bucket.clone()),
            KeyValue::Text(r.row.audience.clone()),
            KeyValue::Text(r.row.dimension.clone()),
            KeyValue::Text(r.row.timeframe.clone()),
            KeyValue::Text(r.row.key.clone()),
        ]
    }

    fn decode(r: AudiencePageRecord) -> Result<Self, StoreError> {
        audience_from_row(r.row)
    }
}

/// What one page statement binds.
#[derive(Debug, Clone)]
struct PageQuery {
    first_sql: String,
    after_sql: String,
    account: i64,
    /// The keyset of the last row returned from `account`, if any.
    after: Option<Vec<KeyValue>>,
    since: Option<String>,
    until: Option<String>,
    metrics: Option<String>,
    page_rows: usize,
}

/// A page: its rows, and the keyset of its last row when the page is full (more rows of
/// the account may follow).
type Page<T> = (Vec<T>, Option<Vec<KeyValue>>);

type PageFuture<'a, T> = Pin<Box<dyn Future<Output = Result<Page<T>, StoreError>> + Send + 'a>>;

/// Reads one page of `T` (the table's statement, monomorphised per table).
type FetchPage<T> = for<'a> fn(&'a Store, &'a PageQuery) -> PageFuture<'a, T>;

fn fetch_page<'a, T: PagedRow>(store: &'a Store, q: &'a PageQuery) -> PageFuture<'a, T> {
    Box::pin(async move {
        let limit = i64::try_from(q.page_rows).unwrap_or(i64::MAX);
        let (sql, key) = match &q.after {
            Some(key) => (&q.after_sql, key.as_slice()),
            None => (&q.first_sql, &[][..]),
        };
        let stored: Vec<T::Stored> = crate::on_pool!(&store.pool, |p| {
            let mut query = sqlx::query_as(sql)
                .bind(q.account)
                .bind(&q.since)
                .bind(&q.until)
                .bind(&q.metrics)
                .bind(limit);
            for k in key {
                query = match k {
                    KeyValue::Text(s) => query.bind(s.as_str()),
                    KeyValue::Int(i) => query.bind(*i),
                };
            }
            query.fetch_all(p).await?
        });
        let next = match stored.last() {
            Some(last) if stored.len() >= q.page_rows => Some(T::key(last)),
            _ => None,
        };
        let rows = stored.into_iter().map(T::decode).collect::<Result<Vec<T>, _>>()?;
        Ok((rows, next))
    })
}

/// Rows of one export table matching a [`RowFilter`], read in keyset pages (module docs).
/// Made by [`Store::account_metric_pages`] and its siblings; [`ExportPages::next_page`]
/// returns the pages in order, then `None`.
pub struct ExportPages<T> {
    store: Store,
    query: PageQuery,
    /// The filtered accounts, in export order.
    accounts: Vec<i64>,
    /// Index in `accounts` of the account being read.
    at: usize,
    fetch: FetchPage<T>,
}

impl<T> std::fmt::Debug for ExportPages<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportPages")
            .field("accounts", &self.accounts.len())
            .field("at", &self.at)
            .field("page_rows", &self.query.page_rows)
            .finish_non_exhaustive()
    }
}

impl<T> ExportPages<T> {
    /// The next page: at most the page size of rows (never an empty page; pages end at an
    /// account's last row, so they may be shorter), or `None` when the table is done.
    ///
    /// Errors: [`StoreError`] of the statement or of a stored value that does not decode.
    pub async fn next_page(&mut self) -> Result<Option<Vec<T>>, StoreError> {
        while let Some(&account) = self.accounts.get(self.at) {
            self.query.account = account;
            let (rows, next) = (self.fetch)(&self.store, &self.query).await?;
            if next.is_none() {
                self.at += 1;
            }
            self.query.after = next;
            if !rows.is_empty() {
                return Ok(Some(rows));
            }
        }
        Ok(None)
    }
}

impl Store {
    /// The ids of the accounts `filter` keeps (platforms, account ids, platform account
    /// ids; the time bounds and metrics do not apply), in export order: platform, platform
    /// account id, `accounts.id`.
    pub async fn export_account_ids(&self, filter: &RowFilter) -> Result<Vec<i64>, StoreError> {
        let binds = Binds::of(filter);
        let sql = format!(
            "SELECT a.id FROM accounts AS a WHERE {} ORDER BY a.platform, a.external_id, a.id",
            account_filter(self.engine(), binds.shape())
        );
        let rows: Vec<(i64,)> = crate::on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(&binds.platforms)
            .bind(&binds.account_ids)
            .bind(&binds.external_ids)
            .fetch_all(p)
            .await?);
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn export_pages<T: PagedRow>(
        &self,
        filter: &RowFilter,
        page_rows: usize,
    ) -> Result<ExportPages<T>, StoreError> {
        let accounts = self.export_account_ids(filter).await?;
        let engine = self.engine();
        let binds = Binds::of(filter);
        Ok(ExportPages {
            store: self.clone(),
            query: PageQuery {
                first_sql: T::page_sql(engine, false),
                after_sql: T::page_sql(engine, true),
                account: 0,
                after: None,
                since: binds.since,
                until: binds.until,
                metrics: binds.metrics,
                page_rows: page_rows.max(1),
            },
            accounts,
            at: 0,
            fetch: fetch_page::<T>,
        })
    }

    /// [`Store::account_metric_rows`] in keyset pages of at most `page_rows` rows (at least
    /// 1; [`EXPORT_PAGE_ROWS`] is a good size): the same rows in the same order.
    ///
    /// Errors: reading the account list (each page's own errors come from
    /// [`ExportPages::next_page`]).
    pub async fn account_metric_pages(
        &self,
        filter: &RowFilter,
        page_rows: usize,
    ) -> Result<ExportPages<AccountMetricRow>, StoreError> {
        self.export_pages(filter, page_rows).await
    }

    /// [`Store::post_metric_rows`] in keyset pages; as [`Store::account_metric_pages`].
    ///
    /// Errors: as [`Store::account_metric_pages`].
    pub async fn post_metric_pages(
        &self,
        filter: &RowFilter,
        page_rows: usize,
    ) -> Result<ExportPages<PostMetricRow>, StoreError> {
        self.export_pages(filter, page_rows).await
    }

    /// [`Store::posts`] in keyset pages; as [`Store::account_metric_pages`].
    ///
    /// Errors: as [`Store::account_metric_pages`].
    pub async fn post_pages(&self, filter: &RowFilter, page_rows: usize) -> Result<ExportPages<PostRow>, StoreError> {
        self.export_pages(filter, page_rows).await
    }

    /// [`Store::audience_rows`] in keyset pages; as [`Store::account_metric_pages`].
    ///
    /// Errors: as [`Store::account_metric_pages`].
    pub async fn audience_pages(
        &self,
        filter: &RowFilter,
        page_rows: usize,
    ) -> Result<ExportPages<AudienceRow>, StoreError> {
        self.export_pages(filter, page_rows).await
    }
}
