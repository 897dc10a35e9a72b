//! Test support (cargo feature `testing`, for dev-dependencies): a fresh store per test on
//! either engine, and [`both_engines!`](crate::both_engines) to run one test body on both.
//!
//! - SQLite: [`Store::open_in_memory`].
//! - PostgreSQL: a new database `alcance_test_<pid>_<n>_<nanos>` on the server of
//!   `ALCANCE_TEST_PG_URL` (`scripts/pg-cluster.sh` starts a throwaway cluster and sets
//!   it), dropped (`WITH (FORCE)`) when the [`TestStore`] is dropped. Without the variable
//!   the PostgreSQL variant prints `skipped: …` and passes, except when `CI` is set (not
//!   empty, `0` or `false`): then it fails, so CI never silently skips an engine.

pub use crate::query::read_statements;
use crate::{Engine, Store, StoreError};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::ops::Deref;
use std::sync::atomic::{AtomicU32, Ordering};

/// The environment variable holding the URL of a PostgreSQL server tests may create
/// databases on (`postgres://user:password@127.0.0.1:PORT/postgres`).
pub const PG_URL_VAR: &str = "ALCANCE_TEST_PG_URL";

/// A store for one test; derefs to [`Store`]. On PostgreSQL its database is dropped with it.
#[derive(Debug)]
pub struct TestStore {
    store: Store,
    database: Option<TestDatabase>,
}

impl TestStore {
    /// The store (also reachable through `Deref`).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The PostgreSQL database's name, `None` on SQLite.
    pub fn database_name(&self) -> Option<&str> {
        self.database.as_ref().map(|d| d.name.as_str())
    }

    /// A second, independent handle on the same database (a new pool), as a second process
    /// would open it. SQLite in memory has no second handle: `None`.
    pub async fn reopen(&self) -> Option<Result<Store, StoreError>> {
        let database = self.database.as_ref()?;
        Some(Store::open_postgres_with(database.admin.clone().database(&database.name), &database.name).await)
    }
}

impl Deref for TestStore {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.store
    }
}

/// A throwaway database on the test server.
#[derive(Debug)]
struct TestDatabase {
    admin: PgConnectOptions,
    name: String,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let admin = self.admin.clone();
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // Drop cannot await; a helper thread with its own runtime does, and is waited for.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(async move {
                let mut conn = admin.connect().await?;
                sqlx::query(&sql).execute(&mut conn).await?;
                conn.close().await?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            })
        })
        .join();
        if let Ok(Err(error)) = dropped {
            eprintln!("could not drop test database {}: {error}", self.name);
        }
    }
}

/// `true` when the `CI` environment variable is set (and not empty, `0` or `false`).
pub fn on_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// A fresh store on `engine` with the schema applied; `None` (after printing `skipped: …`)
/// for PostgreSQL when [`PG_URL_VAR`] is not set outside CI.
///
/// # Panics
/// When the store cannot be opened, or PostgreSQL is asked for on CI without
/// [`PG_URL_VAR`].
pub async fn store(engine: Engine) -> Option<TestStore> {
    match engine {
        Engine::Sqlite => Some(TestStore {
            store: Store::open_in_memory()
                .await
                .unwrap_or_else(|e| panic!("in-memory store: {e}")),
            database: None,
        }),
        Engine::Postgres => postgres().await,
    }
}

/// The URL of the test server, or `None` after printing why the test is skipped.
///
/// # Panics
/// On CI when [`PG_URL_VAR`] is not set.
pub fn pg_url() -> Option<String> {
    match std::env::var(PG_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if on_ci() => {
            panic!("{PG_URL_VAR} is not set on CI: run the tests through scripts/pg-cluster.sh (scripts/test.sh does)")
        }
        _ => {
            println!("skipped: PostgreSQL variant ({PG_URL_VAR} not set; scripts/pg-cluster.sh starts a server)");
            None
        }
    }
}

async fn postgres() -> Option<TestStore> {
    let url = pg_url()?;
    let database = create_database(&url).await;
    let store = Store::open_postgres_with(database.admin.clone().database(&database.name), &database.name)
        .await
        .unwrap_or_else(|e| panic!("opening test database {}: {e}", database.name));
    Some(TestStore {
        store,
        database: Some(database),
    })
}

/// An empty database on the test server (dropped with this value), for tests of what
/// opening finds: [`EmptyDatabase::url`] is its URL (with the server's password).
#[derive(Debug)]
pub struct EmptyDatabase {
    database: TestDatabase,
    url: String,
}

impl EmptyDatabase {
    /// `postgres://…/<name>`: the test server's URL with this database's name.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.database.name
    }

    /// The password in [`EmptyDatabase::url`] (`postgres://user:password@…`), for tests that
    /// check it is never printed or stored; empty when the URL has none.
    pub fn password(&self) -> &str {
        self.url
            .split_once("://")
            .and_then(|(_, rest)| rest.split_once('@'))
            .and_then(|(user_info, _)| user_info.split_once(':'))
            .map_or("", |(_, password)| password)
    }
}

/// A new, empty database on the test server; `None` (skipped) as for [`store`].
///
/// # Panics
/// As [`store`].
pub async fn empty_database() -> Option<EmptyDatabase> {
    let url = pg_url()?;
    let database = create_database(&url).await;
    let url = with_database(&url, &database.name);
    Some(EmptyDatabase { database, url })
}

/// `url` with its database path replaced by `/name` (parameters kept).
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.find('?') {
        Some(i) => url.split_at(i),
        None => (url, ""),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    format!("{}/{name}{query}", &base[..path_start])
}

/// Creates `alcance_test_<pid>_<n>_<nanos>` on the server of `url`.
async fn create_database(url: &str) -> TestDatabase {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let admin: PgConnectOptions = url
        .parse()
        .unwrap_or_else(|e| panic!("{PG_URL_VAR} is not a PostgreSQL URL: {e}"));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let name = format!(
        "alcance_test_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let mut conn = admin
        .connect()
        .await
        .unwrap_or_else(|e| panic!("connecting to {PG_URL_VAR}: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
    let _ = conn.close().await;
    TestDatabase { admin, name }
}

/// `both_engines!(name, ...)`: for each `async fn name(engine: Engine)` in scope, a module
/// `name` with two `#[tokio::test]`s, `name::sqlite` and `name::postgres`, each calling it
/// with its engine. The function gets its store from [`store`] (and returns early when it
/// gives `None`). `both_engines!(multi_thread: name, ...)` runs them on tokio's
/// multi-thread runtime (2 workers).
#[macro_export]
macro_rules! both_engines {
    (multi_thread: $($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::Engine::Sqlite).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::Engine::Postgres).await
                }
            }
        )*
    };
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::$name($crate::Engine::Sqlite).await
                }

                #[tokio::test]
                async fn postgres() {
                    super::$name($crate::Engine::Postgres).await
                }
            }
        )*
    };
}

/// Records a consent to collect demographic (audience) data in `store`, for tests whose
/// batches carry audience slices: without it the store keeps no demographic row
/// (docs/PRIVACY.md).
pub async fn grant_audience_consent(store: &Store) {
    let text = crate::privacy::ConsentText {
        version: "test-v1",
        language: "en",
        text: "test fixture: synthetic audience data",
    };
    if let Err(e) = store.grant_audience_consent(&text, "test", chrono::Utc::now()).await {
        panic!("granting the test consent: {e}");
    }
}
