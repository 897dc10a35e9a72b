//! Copying a whole workspace between stores, in either direction between the engines
//! (an SQLite folder → a team's PostgreSQL database, and back): `alcance workspace copy`.
//!
//! - Tables go parents first ([`COPY_TABLES`]); each in key order, in batches, one
//!   transaction per batch. Columns and keys are read from the destination's and the
//!   source's catalogs, so a column added by a later migration comes along without a change
//!   here (both stores are opened, hence migrated, by the same Alcance).
//! - Rows keep their ids. A row already in the destination under the same key is
//!   overwritten with the source's (so the default schedule a trigger gives a copied
//!   account becomes the source's schedule); a clash on another unique key (a different
//!   workspace in the destination) fails the batch, which rolls back.
//! - **Resumable**: each table starts after the destination's greatest key, so a copy
//!   interrupted (Ctrl-C, a dropped connection) and run again goes on where it stopped.
//! - **Verified**: [`Store::table_checksum`] reads each table in key order on both sides
//!   and hashes the rows in one canonical form (booleans as 0/1, reals by their bits), so
//!   the counts and SHA-256 sums printed side by side must match.
//! - The raw-response archive (`raw_responses`) is a table like the others; the team
//!   vault's rows (`sealed_tokens`) stay with their database ([`NOT_COPIED`]).

use crate::engine::on_tx;
use crate::{on_pool, Engine, Store, StoreError};
use sha2::{Digest, Sha256};
use sqlx::Row;

/// The tables a copy moves, parents before children (foreign keys hold at every batch).
pub const COPY_TABLES: &[&str] = &[
    "accounts",
    "app_credentials",
    "imports",
    "import_conflicts",
    "posts",
    "post_metrics",
    "post_gain_hours",
    "account_metrics",
    "audience",
    "collection_runs",
    "run_events",
    "raw_responses",
    "campaigns",
    "campaign_accounts",
    "campaign_posts",
    "campaign_costs",
    "campaign_conversions",
    "schedules",
    "post_refresh",
    "run_accounts",
    "webhook_events",
    "audience_consents",
    "workspace_settings",
    "report_schedules",
    "report_deliveries",
    "mail_settings",
    "post_media",
    "tracked_hashtags",
    "hashtag_volume",
    "hashtag_media",
    "hashtag_searches",
    "comments",
    "comment_reads",
    "competitor_sets",
    "competitors",
    "voice_terms",
    "voice_totals",
    "voice_counts",
];

/// SQLite's full-text index of comments (schema version 16): the FTS5 table and its shadow
/// tables. Not copied: triggers on `comments` fill it as the comments are written, on an
/// SQLite destination; PostgreSQL's index is a generated column (`comments.text_search`),
/// which no copy writes or hashes either.
pub const SEARCH_INDEX_TABLES: &[&str] = &[
    "comments_fts",
    "comments_fts_data",
    "comments_fts_idx",
    "comments_fts_docsize",
    "comments_fts_config",
];

/// Tables derived from copied ones and kept by triggers, never written by the application:
/// `post_latest` (schema version 23, ADR 0023: each post and metric's newest finite
/// snapshot, from `post_metrics`) and the dashboard's pivoted gains (schema version 24, ADR
/// 0024: `account_gain_hours` from `post_gain_hours`, `post_interaction_hours` from
/// `post_metrics`). Not copied: the destination's triggers write them as their source rows
/// are copied, on either engine, and the source tables' checksums cover them.
pub const DERIVED_TABLES: &[&str] = &["post_latest", "account_gain_hours", "post_interaction_hours"];

/// Tables a copy leaves alone: `sealed_tokens` belongs to the vault of its database (the
/// team's key check and tokens sealed under the team's key); tokens move between vaults,
/// opened with their keys (`alcance workspace copy --with-tokens`), never as rows.
///
/// `leases` belong to the live workers of their database (schema version 5): a copy
/// starts with none, so every account is free for the destination's workers.
///
/// The people of a served workspace (schema version 7: `users`, their sessions, API and
/// one-time tokens, client shares, the audit log) belong to the database they were made
/// in: a copy carries no credentials; the destination's admin adds its people.
pub const NOT_COPIED: &[&str] = &[
    "sealed_tokens",
    "leases",
    "users",
    "user_sessions",
    "api_tokens",
    "user_tokens",
    "client_shares",
    "audit_log",
];

/// Tables a trigger fills while others are copied (`schedules`: a default row per new
/// account); a resumed copy rewrites them whole instead of starting after their last key.
const FILLED_BY_TRIGGERS: &[&str] = &["schedules"];

/// A column's storage kind, from the engine's catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Int,
    Real,
    Text,
    Bytes,
    Bool,
}

/// One value, read from either engine.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bytes(Vec<u8>),
}

impl Value {
    /// The canonical form the checksum hashes: a tag and the value (reals by their bits,
    /// so both engines' IEEE doubles compare exactly; booleans were read as 0/1).
    fn hash_into(&self, hash: &mut Sha256) {
        match self {
            Value::Null => hash.update([0u8]),
            Value::Int(i) => {
                hash.update([1u8]);
                hash.update(i.to_le_bytes());
            }
            Value::Real(f) => {
                hash.update([2u8]);
                hash.update(f.to_bits().to_le_bytes());
            }
            Value::Text(s) => {
                hash.update([3u8]);
                hash.update((s.len() as u64).to_le_bytes());
                hash.update(s.as_bytes());
            }
            Value::Bytes(b) => {
                hash.update([4u8]);
                hash.update((b.len() as u64).to_le_bytes());
                hash.update(b);
            }
        }
    }
}

/// A table's columns (name, kind) in catalog order and its primary key columns.
#[derive(Debug, Clone)]
pub(crate) struct TableShape {
    pub(crate) columns: Vec<(String, Kind)>,
    pub(crate) keys: Vec<String>,
}

/// A table's row count and the SHA-256 (hex) of its rows in key order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSum {
    /// Rows.
    pub rows: i64,
    /// SHA-256 of the canonical rows, lower-case hex.
    pub sha256: String,
}

/// One table of a finished copy: its name, and what each side holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    /// The table.
    pub table: &'static str,
    /// Rows written by this run (a resumed copy writes only what was missing).
    pub copied: u64,
    /// The source's count and checksum.
    pub source: TableSum,
    /// The destination's.
    pub destination: TableSum,
}

impl TableCopy {
    /// `true` when both sides hold the same rows.
    pub fn matches(&self) -> bool {
        self.source == self.destination
    }
}

/// Progress of a copy, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyProgress {
    /// A table starts: rows the source holds.
    Table {
        /// The table.
        table: &'static str,
        /// Source rows.
        rows: i64,
    },
    /// A batch was written: rows of this table written so far by this run.
    Rows {
        /// The table.
        table: &'static str,
        /// Written so far.
        copied: u64,
    },
    /// Counting and hashing both sides.
    Verifying,
}

/// Rows per batch when none is given.
pub const DEFAULT_BATCH: usize = 500;

fn kind_of(engine: Engine, declared: &str) -> Result<Kind, StoreError> {
    let t = declared.to_ascii_lowercase();
    let kind = match engine {
        Engine::Sqlite => match t.as_str() {
            "integer" => Kind::Int,
            "real" => Kind::Real,
            "text" => Kind::Text,
            "blob" => Kind::Bytes,
            _ => return Err(unknown_type(declared)),
        },
        Engine::Postgres => match t.as_str() {
            "bigint" | "integer" | "smallint" => Kind::Int,
            "double precision" | "real" => Kind::Real,
            "text" | "character varying" => Kind::Text,
            "bytea" => Kind::Bytes,
            "boolean" => Kind::Bool,
            _ => return Err(unknown_type(declared)),
        },
    };
    Ok(kind)
}

fn unknown_type(declared: &str) -> StoreError {
    StoreError::Invalid {
        what: "column type",
        value: declared.to_string(),
        expected: "a type Alcance's schema uses (integer, real, text, blob / bytea, boolean)",
    }
}

impl Store {
    /// The columns and primary key of `table`, from the engine's catalog; PostgreSQL's
    /// generated columns (`comments.text_search`) are left out: nothing writes them.
    pub(crate) async fn table_shape(&self, table: &str) -> Result<TableShape, StoreError> {
        let engine = self.engine();
        let rows: Vec<(String, String, i64)> = match engine {
            Engine::Sqlite => on_pool!(&self.pool, |p| sqlx::query_as(
                "SELECT name, type, pk FROM pragma_table_info($1) ORDER BY cid"
            )
            .bind(table)
            .fetch_all(p)
            .await?),
            // `indkey` is an int2vector, indexed from 0: positions are made 1-based as
            // SQLite's `pk` (0 = not in the key).
            Engine::Postgres => on_pool!(&self.pool, |p| {
                sqlx::query_as(
                "SELECT a.attname::text, format_type(a.atttypid, NULL),
                        CAST(coalesce(array_position(i.indkey::int2[], a.attnum) - array_lower(i.indkey::int2[], 1) + 1, 0) AS BIGINT)
                 FROM pg_attribute a
                 JOIN pg_class t ON t.oid = a.attrelid AND t.relkind = 'r'
                 JOIN pg_namespace n ON n.oid = t.relnamespace
                 LEFT JOIN pg_index i ON i.indrelid = t.oid AND i.indisprimary
                 WHERE n.nspname = current_schema() AND t.relname = $1 AND a.attnum > 0 AND NOT a.attisdropped
                   AND a.attgenerated = ''
                 ORDER BY a.attnum"
            )
            .bind(table)
            .fetch_all(p)
            .await?
            }),
        };
        if rows.is_empty() {
            return Err(StoreError::Invalid {
                what: "table",
                value: table.to_string(),
                expected: "a table of the Alcance schema",
            });
        }
        let mut keyed: Vec<(i64, String)> = rows
            .iter()
            .filter(|(_, _, pk)| *pk > 0)
            .map(|(n, _, pk)| (*pk, n.clone()))
            .collect();
        keyed.sort();
        let columns = rows
            .into_iter()
            .map(|(name, declared, _)| Ok((name, kind_of(engine, &declared)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(TableShape {
            columns,
            keys: keyed.into_iter().map(|(_, n)| n).collect(),
        })
    }

    /// Up to `limit` rows of `table` after the key `after` (all of them from the start when
    /// `None`), in key order, as the columns of `shape`.
    async fn read_rows(
        &self,
        table: &str,
        shape: &TableShape,
        after: Option<&[Value]>,
        limit: usize,
    ) -> Result<Vec<Vec<Value>>, StoreError> {
        self.read_rows_where(table, shape, after, limit, None).await
    }

    /// [`Self::read_rows`], limited to the rows matching `scope`: an SQL condition whose
    /// one parameter is written `$S` and bound to the given id (`account_id = $S`).
    pub(crate) async fn read_rows_where(
        &self,
        table: &str,
        shape: &TableShape,
        after: Option<&[Value]>,
        limit: usize,
        scope: Option<(&str, i64)>,
    ) -> Result<Vec<Vec<Value>>, StoreError> {
        let columns: Vec<&str> = shape.columns.iter().map(|(n, _)| n.as_str()).collect();
        let keys = shape.keys.join(", ");
        let mut conditions = Vec::new();
        if after.is_some() {
            let params: Vec<String> = (1..=shape.keys.len()).map(|i| format!("${i}")).collect();
            conditions.push(format!("({keys}) > ({})", params.join(", ")));
        }
        if let Some((condition, _)) = scope {
            let n = after.map_or(0, <[Value]>::len) + 1;
            conditions.push(format!("({})", condition.replace("$S", &format!("${n}"))));
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let sql = format!(
            "SELECT {} FROM {table} {filter} ORDER BY {keys} LIMIT {limit}",
            columns.join(", ")
        );
        let kinds: Vec<Kind> = shape.columns.iter().map(|(_, k)| *k).collect();
        let key_kinds: Vec<Kind> = shape
            .keys
            .iter()
            .filter_map(|k| shape.columns.iter().find(|(n, _)| n == k).map(|(_, kind)| *kind))
            .collect();
        on_pool!(&self.pool, |p| {
            let mut query = sqlx::query(&sql);
            for (value, kind) in after.unwrap_or_default().iter().zip(&key_kinds) {
                query = match (value, kind) {
                    (Value::Int(i), Kind::Bool) => query.bind(*i != 0),
                    (Value::Int(i), _) => query.bind(*i),
                    (Value::Real(f), _) => query.bind(*f),
                    (Value::Text(s), _) => query.bind(s.clone()),
                    (Value::Bytes(b), _) => query.bind(b.clone()),
                    (Value::Null, _) => query.bind(None::<i64>),
                };
            }
            if let Some((_, id)) = scope {
                query = query.bind(id);
            }
            let rows = query.fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                let mut values = Vec::with_capacity(kinds.len());
                for (i, kind) in kinds.iter().enumerate() {
                    let value = match kind {
                        Kind::Int => row.try_get::<Option<i64>, _>(i)?.map(Value::Int),
                        Kind::Real => row.try_get::<Option<f64>, _>(i)?.map(Value::Real),
                        Kind::Text => row.try_get::<Option<String>, _>(i)?.map(Value::Text),
                        Kind::Bytes => row.try_get::<Option<Vec<u8>>, _>(i)?.map(Value::Bytes),
                        Kind::Bool => row.try_get::<Option<bool>, _>(i)?.map(|b| Value::Int(i64::from(b))),
                    };
                    values.push(value.unwrap_or(Value::Null));
                }
                out.push(values);
            }
            Ok::<_, StoreError>(out)
        })
    }

    /// Writes `rows` (values named by `names`) into `table` of this store in one
    /// transaction, overwriting rows with the same key. Returns the rows written.
    async fn write_rows(
        &self,
        table: &str,
        shape: &TableShape,
        names: &[String],
        rows: &[Vec<Value>],
    ) -> Result<u64, StoreError> {
        if rows.is_empty() {
            return Ok(0);
        }
        // Our columns in the source's order; a column only one side has fails loudly.
        let mut kinds = Vec::with_capacity(names.len());
        for name in names {
            let kind = shape
                .columns
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, k)| *k)
                .ok_or_else(|| StoreError::Invalid {
                    what: "column",
                    value: format!("{table}.{name}"),
                    expected: "the same schema on both sides (open both with the same Alcance)",
                })?;
            kinds.push(kind);
        }
        let width = names.len();
        let tuples: Vec<String> = (0..rows.len())
            .map(|r| {
                let params: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
                format!("({})", params.join(", "))
            })
            .collect();
        let updates: Vec<String> = names
            .iter()
            .filter(|n| !shape.keys.contains(n))
            .map(|n| format!("{n} = excluded.{n}"))
            .collect();
        let on_conflict = if updates.is_empty() {
            format!("ON CONFLICT ({}) DO NOTHING", shape.keys.join(", "))
        } else {
            format!(
                "ON CONFLICT ({}) DO UPDATE SET {}",
                shape.keys.join(", "),
                updates.join(", ")
            )
        };
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {} {on_conflict}",
            names.join(", "),
            tuples.join(", ")
        );
        let mut tx = self.pool.begin_write().await?;
        let written = on_tx!(&mut tx, |c| {
            let mut query = sqlx::query(&sql);
            for row in rows {
                for (value, kind) in row.iter().zip(&kinds) {
                    query = match (value, kind) {
                        (Value::Null, Kind::Int) => query.bind(None::<i64>),
                        (Value::Null, Kind::Real) => query.bind(None::<f64>),
                        (Value::Null, Kind::Text) => query.bind(None::<String>),
                        (Value::Null, Kind::Bytes) => query.bind(None::<Vec<u8>>),
                        (Value::Null, Kind::Bool) => query.bind(None::<bool>),
                        (Value::Int(i), Kind::Bool) => query.bind(*i != 0),
                        (Value::Int(i), _) => query.bind(*i),
                        (Value::Real(f), _) => query.bind(*f),
                        (Value::Text(s), _) => query.bind(s.clone()),
                        (Value::Bytes(b), _) => query.bind(b.clone()),
                    };
                }
            }
            query.execute(&mut *c).await?.rows_affected()
        });
        tx.commit().await?;
        Ok(written)
    }

    /// The greatest key of `table` (`None` when it is empty): where a resumed copy starts.
    async fn last_key(&self, table: &str, shape: &TableShape) -> Result<Option<Vec<Value>>, StoreError> {
        let keys_only = TableShape {
            columns: shape
                .keys
                .iter()
                .filter_map(|k| shape.columns.iter().find(|(n, _)| n == k).cloned())
                .collect(),
            keys: shape.keys.clone(),
        };
        let order: Vec<String> = shape.keys.iter().map(|k| format!("{k} DESC")).collect();
        let sql = format!(
            "SELECT {} FROM {table} ORDER BY {} LIMIT 1",
            shape.keys.join(", "),
            order.join(", ")
        );
        let kinds: Vec<Kind> = keys_only.columns.iter().map(|(_, k)| *k).collect();
        let row: Option<Vec<Value>> = on_pool!(&self.pool, |p| {
            match sqlx::query(&sql).fetch_optional(p).await? {
                None => None,
                Some(row) => {
                    let mut values = Vec::with_capacity(kinds.len());
                    for (i, kind) in kinds.iter().enumerate() {
                        values.push(match kind {
                            Kind::Int => Value::Int(row.try_get(i)?),
                            Kind::Real => Value::Real(row.try_get(i)?),
                            Kind::Text => Value::Text(row.try_get(i)?),
                            Kind::Bytes => Value::Bytes(row.try_get(i)?),
                            Kind::Bool => Value::Int(i64::from(row.try_get::<bool, _>(i)?)),
                        });
                    }
                    Some(values)
                }
            }
        });
        Ok(row)
    }

    /// Row count and SHA-256 of `table`'s rows in key order, each row's values in column
    /// name order, in a canonical form both engines give the same for the same rows.
    ///
    /// Errors: `table` is not in the schema; the database.
    pub async fn table_checksum(&self, table: &str) -> Result<TableSum, StoreError> {
        let mut shape = self.table_shape(table).await?;
        // Columns by name: the engines may list them in another order (a rebuilt table).
        shape.columns.sort_by(|a, b| a.0.cmp(&b.0));
        let mut hash = Sha256::new();
        let mut rows = 0i64;
        let mut after: Option<Vec<Value>> = None;
        loop {
            let page = self.read_rows(table, &shape, after.as_deref(), 2000).await?;
            let Some(last) = page.last() else { break };
            after = Some(key_of(&shape, last));
            for row in &page {
                for value in row {
                    value.hash_into(&mut hash);
                }
                rows += 1;
            }
        }
        Ok(TableSum {
            rows,
            sha256: hex::encode(hash.finalize()),
        })
    }

    /// After rows were written with explicit ids, moves PostgreSQL's identity sequences past
    /// the greatest id so new rows do not collide (nothing to do on SQLite).
    async fn bump_identities(&self, table: &str, shape: &TableShape) -> Result<(), StoreError> {
        if self.engine() != Engine::Postgres || !shape.columns.iter().any(|(n, _)| n == "id") {
            return Ok(());
        }
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce((SELECT max(id) FROM {table}), 0) + 1, false)
             WHERE pg_get_serial_sequence('{table}', 'id') IS NOT NULL"
        );
        on_pool!(&self.pool, |p| sqlx::query(&sql).execute(p).await?.rows_affected());
        Ok(())
    }
}

/// The key values of `row` (columns of `shape`, keys in key order).
pub(crate) fn key_of(shape: &TableShape, row: &[Value]) -> Vec<Value> {
    shape
        .keys
        .iter()
        .filter_map(|k| shape.columns.iter().position(|(n, _)| n == k))
        .filter_map(|i| row.get(i).cloned())
        .collect()
}

/// Copies every table of `source` into `destination` (see the module docs), `batch` rows
/// per transaction, reporting to `progress`; then verifies. Returns one [`TableCopy`] per
/// table of [`COPY_TABLES`]; check [`TableCopy::matches`].
///
/// Errors: the two stores do not have the same schema; a destination that holds another
/// workspace (a clash on a unique key); the database (a dropped connection rolls its batch
/// back; running the copy again resumes).
pub async fn copy_store(
    source: &Store,
    destination: &Store,
    batch: usize,
    mut progress: impl FnMut(CopyProgress),
) -> Result<Vec<TableCopy>, StoreError> {
    let batch = batch.clamp(1, 5000);
    let mut copied_by_table = Vec::with_capacity(COPY_TABLES.len());
    for &table in COPY_TABLES {
        let src_shape = source.table_shape(table).await?;
        let dst_shape = destination.table_shape(table).await?;
        let names: Vec<String> = src_shape.columns.iter().map(|(n, _)| n.clone()).collect();
        let total: i64 = on_pool!(&source.pool, |p| sqlx::query_scalar(&format!(
            "SELECT count(*) FROM {table}"
        ))
        .fetch_one(p)
        .await?);
        progress(CopyProgress::Table { table, rows: total });
        // Resume after the destination's greatest key, except where a trigger already put
        // rows of its own (a copied account gets a default schedule): those start over and
        // are overwritten.
        let mut after = if FILLED_BY_TRIGGERS.contains(&table) {
            None
        } else {
            destination.last_key(table, &dst_shape).await?
        };
        let mut copied = 0u64;
        loop {
            let page = source.read_rows(table, &src_shape, after.as_deref(), batch).await?;
            let Some(last) = page.last() else { break };
            after = Some(key_of(&src_shape, last));
            copied += destination.write_rows(table, &dst_shape, &names, &page).await?;
            progress(CopyProgress::Rows { table, copied });
        }
        destination.bump_identities(table, &dst_shape).await?;
        copied_by_table.push((table, copied));
    }
    progress(CopyProgress::Verifying);
    let mut report = Vec::with_capacity(copied_by_table.len());
    for (table, copied) in copied_by_table {
        report.push(TableCopy {
            table,
            copied,
            source: source.table_checksum(table).await?,
            destination: destination.table_checksum(table).await?,
        });
    }
    Ok(report)
}
