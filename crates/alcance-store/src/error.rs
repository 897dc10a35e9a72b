//! The store's error type: failures the user must act on (a damaged file, a full disk, a
//! file that is not a database, an unreachable PostgreSQL server, a refused password, a
//! database of another application, a schema written by a newer Alcance) get their own
//! variants with human messages, whichever engine reported them.

use std::path::{Path, PathBuf};

/// Everything that can go wrong in the store. Messages are for people and never carry a
/// token or a bound value (sqlx errors do not print parameters).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The folder for the database file could not be created, or a database file could not
    /// be read, renamed or removed (a conversion, see [`crate::at_rest::convert_in_place`]).
    #[error("cannot create or change {path}: {source}")]
    Io {
        /// The folder or file concerned.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// SQLite reported `SQLITE_CORRUPT`: the file is damaged.
    #[error("the database is damaged ({detail}); move the file aside or restore a backup, then open Alcance again")]
    Corrupt {
        /// SQLite's message, prefixed with the file path when known.
        detail: String,
    },
    /// SQLite reported `SQLITE_NOTADB`: the file exists but is not an SQLite database
    /// (another kind of file, encrypted, or overwritten).
    #[error("the file is not an SQLite database ({detail}); choose another file or move this one aside")]
    NotADatabase {
        /// SQLite's message, prefixed with the file path when known.
        detail: String,
    },
    /// The workspace database is encrypted (SQLCipher, AES-256) and no key was given: the
    /// key lives in the vault (OS keychain or the passphrase-protected vault file) of the
    /// workspace that made it.
    #[error("the database {path} is encrypted (or is not an SQLite file at all) and no key for it was found; open it with the token vault it was created with (the system keychain of the same user, or the workspace's vault file and its passphrase)")]
    Encrypted {
        /// The database file.
        path: String,
    },
    /// A key was given for a plain (unencrypted) SQLite file.
    #[error(
        "the database {path} is not encrypted; open it without a key, or encrypt it with `alcance workspace encrypt`"
    )]
    NotEncrypted {
        /// The database file.
        path: String,
    },
    /// The key given does not open the encrypted database (another workspace's key, or the
    /// file was damaged).
    #[error("the key does not open the encrypted database {path} (a key of another workspace, or a damaged file)")]
    WrongKey {
        /// The database file (with SQLite's message when it came from SQLite).
        path: String,
    },
    /// SQLite reported `SQLITE_FULL` (PostgreSQL: SQLSTATE 53100): the disk (or the temp
    /// folder) is full. The transaction was rolled back; nothing half-written remains.
    #[error("the disk is full, so nothing was saved ({detail}); free some space and try again")]
    DiskFull {
        /// SQLite's message, prefixed with the file path when known.
        detail: String,
    },
    /// SQLite reported `SQLITE_BUSY` / `SQLITE_LOCKED` after the 5 s busy timeout: another
    /// process holds the write lock. On PostgreSQL: a serialization failure, a deadlock, a
    /// lock not available or too many connections (SQLSTATE 40001, 40P01, 55P03, 53300).
    #[error("the database is busy: another process kept it locked for more than 5 s ({detail})")]
    Busy {
        /// SQLite's message, prefixed with the file path when known.
        detail: String,
    },
    /// SQLite reported `SQLITE_CANTOPEN`, `SQLITE_READONLY`, `SQLITE_PERM` or
    /// `SQLITE_IOERR`: the file cannot be opened or written. On PostgreSQL: the database
    /// does not exist or the user lacks a privilege (SQLSTATE 3D000, 42501).
    #[error("cannot open or write the database ({detail}); check the path (a file) or the database name and the user's privileges (PostgreSQL), and the permissions")]
    Access {
        /// SQLite's message, prefixed with the file path when known.
        detail: String,
    },
    /// A row broke a constraint (foreign key, unique, check, not null; PostgreSQL SQLSTATE
    /// class 23).
    #[error("the data breaks a database constraint: {detail}")]
    Constraint {
        /// SQLite's message (names the constraint, never the values).
        detail: String,
    },
    /// Applying the embedded migrations failed (e.g. the file was written by a newer
    /// Alcance, or an applied migration was altered).
    #[error("the database schema could not be brought up to date: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    /// The row addressed by id does not exist.
    #[error("{what} {id} does not exist")]
    NotFound {
        /// Kind of row: `account`, `run`, `raw response`.
        what: &'static str,
        /// The id asked for.
        id: i64,
    },
    /// An argument is not one of the allowed values (an unknown account status, run kind,
    /// run status).
    #[error("invalid {what} {value:?} (expected one of {expected})")]
    Invalid {
        /// What the value is.
        what: &'static str,
        /// The value given.
        value: String,
        /// The allowed values, comma separated.
        expected: &'static str,
    },
    /// A stored value cannot be read back (edited by hand, or from a newer version).
    #[error("the stored {column} value {value:?} cannot be read: {reason}")]
    Decode {
        /// Table and column, `accounts.platform`.
        column: &'static str,
        /// The stored value, as text.
        value: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A raw response's compressed body does not inflate.
    #[error("raw response {id} has a damaged compressed body: {source}")]
    RawBody {
        /// `raw_responses.id`.
        id: i64,
        /// The zlib decoder's error.
        source: std::io::Error,
    },
    /// Compressing a raw body failed (out of memory; practically never).
    #[error("cannot compress a raw response body: {0}")]
    Compress(#[source] std::io::Error),
    /// The PostgreSQL server did not answer (refused connection, unknown host, timeout,
    /// server shutting down).
    #[error("cannot reach the PostgreSQL server ({detail}); check the host and port, and that the server runs")]
    Unreachable {
        /// The server (URL without password) and the network error.
        detail: String,
    },
    /// The PostgreSQL server refused the user or password (SQLSTATE 28000 / 28P01).
    #[error("the PostgreSQL server refused the login ({detail}); check the user name and password")]
    Auth {
        /// The server (URL without password) and its message.
        detail: String,
    },
    /// The database holds tables of another application (it is neither empty nor an
    /// Alcance database); nothing was changed in it.
    #[error("the database belongs to another application ({detail}); use an empty database for Alcance")]
    ForeignDatabase {
        /// What was found, and the server (URL without password) or file.
        detail: String,
    },
    /// The database was migrated by a newer Alcance (it has migration `version`, this
    /// build knows up to `known`); nothing was changed in it.
    #[error("the database was written by a newer Alcance (schema version {version}, this version knows up to {known}); update Alcance")]
    SchemaTooNew {
        /// The unknown migration version found in the database.
        version: i64,
        /// The newest migration this build knows.
        known: i64,
    },
    /// An operation that exists for SQLite files only was asked of a PostgreSQL store.
    #[error("{operation} is only available for SQLite workspaces, not PostgreSQL ones")]
    SqliteOnly {
        /// What was asked (`the integrity check`, `VACUUM INTO backups`).
        operation: &'static str,
    },
    /// Any other database or pool error.
    #[error("database error: {0}")]
    Sqlx(#[source] sqlx::Error),
}

/// SQLite primary result codes (the low byte of an extended code).
const SQLITE_PERM: i64 = 3;
const SQLITE_BUSY: i64 = 5;
const SQLITE_LOCKED: i64 = 6;
const SQLITE_READONLY: i64 = 8;
const SQLITE_IOERR: i64 = 10;
const SQLITE_CORRUPT: i64 = 11;
const SQLITE_FULL: i64 = 13;
const SQLITE_CANTOPEN: i64 = 14;
const SQLITE_CONSTRAINT: i64 = 19;
const SQLITE_NOTADB: i64 = 26;

impl From<alcance_core::UnknownKey> for StoreError {
    /// A text key that is not one of an enum's keys (an unknown account status, run kind,
    /// ...) given where the store takes that enum: [`StoreError::Invalid`].
    fn from(e: alcance_core::UnknownKey) -> Self {
        StoreError::Invalid {
            what: e.what,
            value: e.value,
            expected: e.expected,
        }
    }
}

impl From<std::convert::Infallible> for StoreError {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        if let sqlx::Error::ColumnDecode { index, source } = &err {
            if let Some(key) = source.downcast_ref::<alcance_core::UnknownKey>() {
                return StoreError::Decode {
                    column: key.what,
                    value: key.value.clone(),
                    reason: format!("column {index} expects one of {}", key.expected),
                };
            }
            if let Some(StoreError::Decode { column, value, reason }) = source.downcast_ref::<StoreError>() {
                return StoreError::Decode {
                    column,
                    value: value.clone(),
                    reason: format!("column {index}: {reason}"),
                };
            }
        }
        let sqlx::Error::Database(db) = &err else {
            return StoreError::Sqlx(err);
        };
        if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
            return from_postgres(pg.code(), pg.message().to_string()).unwrap_or(StoreError::Sqlx(err));
        }
        let code = db.code().and_then(|c| c.parse::<i64>().ok()).unwrap_or(-1) & 0xff;
        let detail = db.message().to_string();
        match code {
            SQLITE_CORRUPT => StoreError::Corrupt { detail },
            SQLITE_NOTADB => StoreError::NotADatabase { detail },
            SQLITE_FULL => StoreError::DiskFull { detail },
            SQLITE_BUSY | SQLITE_LOCKED => StoreError::Busy { detail },
            SQLITE_CANTOPEN | SQLITE_READONLY | SQLITE_PERM | SQLITE_IOERR => StoreError::Access { detail },
            SQLITE_CONSTRAINT => StoreError::Constraint { detail },
            _ => StoreError::Sqlx(err),
        }
    }
}

/// The variant for a PostgreSQL SQLSTATE the user acts on; `None` for the others.
fn from_postgres(sqlstate: &str, detail: String) -> Option<StoreError> {
    Some(match sqlstate {
        s if s.starts_with("23") => StoreError::Constraint { detail },
        "28000" | "28P01" => StoreError::Auth { detail },
        "3D000" | "42501" => StoreError::Access { detail },
        "53100" => StoreError::DiskFull { detail },
        "40001" | "40P01" | "55P03" | "53300" => StoreError::Busy { detail },
        "57P01" | "57P02" | "57P03" => StoreError::Unreachable { detail },
        _ => return None,
    })
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        use sqlx::migrate::MigrateError;
        match err {
            // A plain SQL failure inside a migration is a migration problem; the file-level
            // failures (damaged file, full disk) keep their own, clearer variants.
            MigrateError::Execute(inner) => match StoreError::from(inner) {
                StoreError::Sqlx(inner) => StoreError::Migrate(MigrateError::Execute(inner)),
                other => other,
            },
            MigrateError::ExecuteMigration(inner, version) => match StoreError::from(inner) {
                StoreError::Sqlx(inner) => StoreError::Migrate(MigrateError::ExecuteMigration(inner, version)),
                other => other,
            },
            other => StoreError::Migrate(other),
        }
    }
}

impl StoreError {
    /// Adds the database file path to file-level errors, so the message says which file.
    pub(crate) fn at(self, path: &Path) -> Self {
        let with = |detail: String| format!("{}: {detail}", path.display());
        match self {
            StoreError::Corrupt { detail } => StoreError::Corrupt { detail: with(detail) },
            StoreError::NotADatabase { detail } => StoreError::NotADatabase { detail: with(detail) },
            StoreError::DiskFull { detail } => StoreError::DiskFull { detail: with(detail) },
            StoreError::Busy { detail } => StoreError::Busy { detail: with(detail) },
            StoreError::Access { detail } => StoreError::Access { detail: with(detail) },
            other => other,
        }
    }

    /// Adds the PostgreSQL server (`shown`: its URL without password) to connection-level
    /// errors, and turns network failures and pool timeouts into [`StoreError::Unreachable`].
    pub(crate) fn on_server(self, shown: &str) -> Self {
        let with = |detail: String| format!("{shown}: {detail}");
        match self {
            StoreError::Sqlx(e @ (sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::Tls(_))) => {
                StoreError::Unreachable {
                    detail: with(e.to_string()),
                }
            }
            StoreError::Auth { detail } => StoreError::Auth { detail: with(detail) },
            StoreError::Access { detail } => StoreError::Access { detail: with(detail) },
            StoreError::Unreachable { detail } => StoreError::Unreachable { detail: with(detail) },
            StoreError::ForeignDatabase { detail } => StoreError::ForeignDatabase { detail: with(detail) },
            StoreError::Busy { detail } => StoreError::Busy { detail: with(detail) },
            other => other,
        }
    }

    /// `true` for the errors that mean the database file itself is unusable
    /// ([`StoreError::Corrupt`], [`StoreError::NotADatabase`]); the UI offers to move it aside.
    pub fn is_damaged_file(&self) -> bool {
        matches!(self, StoreError::Corrupt { .. } | StoreError::NotADatabase { .. })
    }
}

/// `Ok(())` when the statement touched a row, else [`StoreError::NotFound`] naming `what`
/// and `id`: the check every UPDATE or DELETE of one row by id makes.
pub(crate) fn touched_one(rows_affected: u64, what: &'static str, id: i64) -> Result<(), StoreError> {
    if rows_affected == 0 {
        return Err(StoreError::NotFound { what, id });
    }
    Ok(())
}
