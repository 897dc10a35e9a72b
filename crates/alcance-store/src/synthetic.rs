//! Synthetic data at scale for benchmarks (cargo feature `testing`): a year of X accounts
//! written by a bulk path (rows generated here in the store's own formats and inserted with
//! `INSERT … SELECT` over a JSON array, 20,000 rows a statement), and where a bench store
//! lives ([`Place`]: an SQLite file or a fresh PostgreSQL database). Used by the team day
//! bench (`alcance-app`) and the server's load bench (`alcance-server`); never by tests of
//! behaviour, which use the sandbox.

use crate::time::{hour_bucket, to_db};
use crate::{on_pool, Engine, Store};
use alcance_core::{AccountRef, Platform};
use chrono::{DateTime, Duration, Utc};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Errors of the bench helpers (setup failures, reported and fatal).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Res<T> = Result<T, BoxError>;

/// The integer in the environment variable `name` (a bench knob), else `default`.
pub fn env_num(name: &str, default: i64) -> i64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// The PostgreSQL server (`ALCANCE_BENCH_PG_URL`, else `ALCANCE_TEST_PG_URL`), if any.
pub fn pg_server() -> Option<String> {
    ["ALCANCE_BENCH_PG_URL", "ALCANCE_TEST_PG_URL"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
}

/// A fresh, empty database `alcance_bench_<name>_<pid>` on the server; its URL.
pub async fn fresh_database(server: &str, name: &str) -> Res<String> {
    use sqlx::Connection;
    let database = format!("alcance_bench_{name}_{}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(server).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
        .execute(&mut admin)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {database}"))
        .execute(&mut admin)
        .await?;
    admin.close().await?;
    Ok(crate::testing::with_database(server, &database))
}

/// Where a bench store lives: an SQLite file, or a PostgreSQL database URL.
#[derive(Clone)]
pub enum Place {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL database URL.
    Postgres(String),
}

impl Place {
    /// A fresh place for a store called `name` on `engine`: `dir/<name>.db`, or a new
    /// database `alcance_bench_<name>_<pid>` on [`pg_server`].
    ///
    /// Errors: no PostgreSQL server is set, or it refuses the database.
    pub async fn new(engine: Engine, dir: &Path, name: &str) -> Res<Place> {
        Ok(match engine {
            Engine::Postgres => {
                Place::Postgres(fresh_database(&pg_server().ok_or("no PostgreSQL server")?, name).await?)
            }
            _ => Place::Sqlite(dir.join(format!("{name}.db"))),
        })
    }

    /// Opens (and migrates) the store.
    ///
    /// Errors: as `Store::open` / `Store::open_postgres`.
    pub async fn open(&self) -> Res<Store> {
        Ok(match self {
            Place::Sqlite(path) => Store::open(path).await?,
            Place::Postgres(url) => Store::open_postgres(url).await?,
        })
    }

    /// Database size, bytes: `pg_database_size`, or the SQLite file with its WAL.
    pub async fn size(&self, store: &Store) -> Res<u64> {
        Ok(match self {
            Place::Sqlite(path) => {
                let mut wal = path.clone().into_os_string();
                wal.push("-wal");
                let file = std::fs::metadata(path)?.len();
                file + std::fs::metadata(PathBuf::from(wal)).map(|m| m.len()).unwrap_or(0)
            }
            Place::Postgres(_) => on_pool!(store.pool(), |p| sqlx::query_scalar::<_, i64>(
                "SELECT pg_database_size(current_database())"
            )
            .fetch_one(p)
            .await?) as u64,
        })
    }
}

/// What the generated year holds, per account (X profiles, one collection a day at the
/// account's own hour): `posts_per_day` text posts published at spread hours; each post's
/// six metrics (likes, replies, reposts, quotes, bookmarks, impressions) change at its
/// reads on days 0, 1, 2, 7 and 30 after it was first seen (a read that finds the same
/// value adds no row: the store's snapshot rule), so 30 `post_metrics` rows a post; three
/// account snapshots a day (followers, following, media_count), each a new value.
pub struct YearShape {
    /// X accounts (profiles), each with its own collection hour.
    pub accounts: i64,
    /// Days of data, from the start day on.
    pub days: i64,
    /// Posts each account publishes a day.
    pub posts_per_day: i64,
}

const POST_METRICS: [&str; 6] = ["likes", "replies", "reposts", "quotes", "bookmarks", "impressions"];
const ACCOUNT_METRICS: [&str; 3] = ["followers", "following", "media_count"];
const READ_DAYS: [i64; 5] = [0, 1, 2, 7, 30];
const CHUNK: usize = 20_000;

/// The bulk insert statements: one JSON array of row arrays as `$1`.
fn bulk_sql(engine: Engine, table: &str) -> String {
    let (rows, get) = match engine {
        Engine::Postgres => ("jsonb_array_elements(CAST($1 AS jsonb)) AS t(j)", "j"),
        _ => ("json_each($1) AS t", "t.value"),
    };
    let col = |i: usize| format!("{get} ->> {i}");
    let num = |i: usize, ty: &str| format!("CAST({get} ->> {i} AS {ty})");
    match table {
        "posts" => format!(
            "INSERT INTO posts (id, account_id, external_id, content_type, published_at, permalink, caption,
                                first_seen_at, last_seen_at)
             SELECT {}, {}, {}, 'text', {}, {}, {}, {}, {} FROM {rows}",
            num(0, "BIGINT"),
            num(1, "BIGINT"),
            col(2),
            col(3),
            col(4),
            col(5),
            col(6),
            col(7)
        ),
        "post_metrics" => format!(
            "INSERT INTO post_metrics (post_id, metric, value, collected_at, bucket, last_seen_at)
             SELECT {}, {}, {}, {}, {}, {} FROM {rows}",
            num(0, "BIGINT"),
            col(1),
            num(2, "DOUBLE PRECISION"),
            col(3),
            col(4),
            col(3)
        ),
        _ => format!(
            "INSERT INTO account_metrics (account_id, metric, period, period_start, period_end, value, collected_at,
                                          last_seen_at)
             SELECT {}, {}, 'snapshot', {}, {}, {}, {}, {} FROM {rows}",
            num(0, "BIGINT"),
            col(1),
            col(2),
            col(2),
            num(3, "DOUBLE PRECISION"),
            col(4),
            col(4)
        ),
    }
}

/// Accumulates JSON rows and inserts them `CHUNK` at a time.
struct Bulk<'a> {
    store: &'a Store,
    sql: String,
    json: String,
    rows: usize,
    total: usize,
}

impl<'a> Bulk<'a> {
    fn new(store: &'a Store, table: &str) -> Bulk<'a> {
        Bulk {
            store,
            sql: bulk_sql(store.engine(), table),
            json: String::from("["),
            rows: 0,
            total: 0,
        }
    }

    /// Adds one row (a JSON array); `true` when the chunk is full (then [`Bulk::flush`]).
    fn add(&mut self, row: std::fmt::Arguments<'_>) -> Res<bool> {
        if self.rows > 0 {
            self.json.push(',');
        }
        self.json.write_fmt(row)?;
        self.rows += 1;
        Ok(self.rows >= CHUNK)
    }

    async fn flush(&mut self) -> Res<()> {
        if self.rows == 0 {
            return Ok(());
        }
        self.json.push(']');
        let json = std::mem::replace(&mut self.json, String::from("["));
        on_pool!(self.store.pool(), |p| sqlx::query(&self.sql)
            .bind(&json)
            .execute(p)
            .await?
            .rows_affected());
        self.total += self.rows;
        self.rows = 0;
        Ok(())
    }
}

/// The day `d`'s collection time of account `i` (its hour `i % 24`, minute `i % 60`).
fn collection_at(start: DateTime<Utc>, i: i64, d: i64) -> DateTime<Utc> {
    start + Duration::days(d) + Duration::hours(i % 24) + Duration::minutes(i % 60)
}

/// Builds the year into `store` (empty, migrated), the first day starting at `start` (UTC);
/// returns the rows inserted: (posts, post metric rows, account metric rows).
///
/// Errors: the store refuses a statement.
pub async fn build_year(store: &Store, shape: &YearShape, start: DateTime<Utc>) -> Res<(usize, usize, usize)> {
    let mut ids = Vec::new();
    for i in 0..shape.accounts {
        let account = AccountRef {
            platform: Platform::X,
            external_id: format!("{}", 1_000_000 + i),
            username: Some(format!("creator_{i:04}")),
            owned: false,
        };
        ids.push(store.upsert_account(&account, None, None).await?);
    }
    let mut posts = Bulk::new(store, "posts");
    let mut post_metrics = Bulk::new(store, "post_metrics");
    let mut account_metrics = Bulk::new(store, "account_metrics");
    let (accounts, per_day) = (shape.accounts, shape.posts_per_day);
    // Post `k` of account `i` published on day `pd`: its id, publication time and the day
    // of its first read (that day's collection if it comes after, else the next day's).
    let post_id = |pd: i64, i: i64, k: i64| (pd * accounts + i) * per_day + k + 1;
    let published_at = |pd: i64, i: i64, k: i64| {
        start + Duration::days(pd) + Duration::hours((i * 7 + k * 5 + pd * 3) % 24) + Duration::minutes((i + k) % 60)
    };
    let first_day = |pd: i64, i: i64, k: i64| {
        if collection_at(start, i, pd) > published_at(pd, i, k) {
            pd
        } else {
            pd + 1
        }
    };
    // Rows go in in time order (day by day, each account's collection of the day), as
    // collections write them, so the tables' physical order follows time as in a real
    // workspace.
    for d in 0..shape.days {
        for (i, account_id) in ids.iter().enumerate() {
            let i = i as i64;
            let read = collection_at(start, i, d);
            let (at, bucket) = (to_db(read), to_db(hour_bucket(read)));
            let values = [10_000 + i * 10 + d * 3, 500 + d, 1_000 + d * per_day];
            for (m, v) in ACCOUNT_METRICS.iter().zip(values) {
                if account_metrics.add(format_args!("[{account_id},\"{m}\",\"{bucket}\",{v},\"{at}\"]"))? {
                    account_metrics.flush().await?;
                }
            }
            // Posts first seen today.
            for pd in [d - 1, d].into_iter().filter(|pd| *pd >= 0) {
                for k in (0..per_day).filter(|k| first_day(pd, i, *k) == d) {
                    let external = format!("{}{:03}{}", 1_800_000_000 + i, pd, k);
                    let last = collection_at(start, i, (d + READ_DAYS[READ_DAYS.len() - 1]).min(shape.days - 1));
                    let full = posts.add(format_args!(
                        "[{},{account_id},\"{external}\",\"{}\",\"https://x.com/creator_{i:04}/status/{external}\",\
                         \"Post {k} of day {pd} by creator {i}\",\"{at}\",\"{}\"]",
                        post_id(pd, i, k),
                        to_db(published_at(pd, i, k)),
                        to_db(last)
                    ))?;
                    if full {
                        posts.flush().await?;
                    }
                }
            }
            // Today's reads that find new values: posts first seen `offset` days ago.
            for (n, offset) in READ_DAYS.iter().enumerate() {
                let fd = d - offset;
                for pd in [fd - 1, fd].into_iter().filter(|pd| *pd >= 0) {
                    for k in (0..per_day).filter(|k| first_day(pd, i, *k) == fd) {
                        let id = post_id(pd, i, k);
                        let scale = (n as i64 + 1) * (1 + (i + pd + k) % 7);
                        let values = [20 * scale, 3 * scale, 5 * scale, scale, 2 * scale, 1_000 * scale];
                        for (m, v) in POST_METRICS.iter().zip(values) {
                            if post_metrics.add(format_args!("[{id},\"{m}\",{v},\"{at}\",\"{bucket}\"]"))? {
                                // Their posts first (foreign key).
                                posts.flush().await?;
                                post_metrics.flush().await?;
                            }
                        }
                    }
                }
            }
        }
    }
    posts.flush().await?;
    post_metrics.flush().await?;
    account_metrics.flush().await?;
    // The bulk rows bypass the write path: the gains and their rollup from scratch, as the
    // schema-21 migration's backfill.
    store.rebuild_post_gains().await?;
    if store.engine() == Engine::Postgres {
        on_pool!(store.pool(), |p| {
            sqlx::query("SELECT setval(pg_get_serial_sequence('posts', 'id'), (SELECT max(id) FROM posts))")
                .execute(p)
                .await?;
            // Autovacuum would get there on its own; the bench does not wait for it.
            sqlx::query("VACUUM ANALYZE").execute(p).await?.rows_affected()
        });
    }
    Ok((posts.total, post_metrics.total, account_metrics.total))
}
