//! Encryption at rest of SQLite workspaces (issue 15 point 6).
//!
//! The store links SQLCipher instead of SQLite: a file is either plain SQLite (it starts
//! with the 16 bytes `SQLite format 3\0`) or encrypted page by page with AES-256 (CBC, an
//! HMAC-SHA512 per page; SQLCipher 4's defaults), its first 16 bytes being the random salt
//! of the database. Alcance gives SQLCipher a *raw* 256-bit key together with that salt
//! (`PRAGMA key = "x'<key><salt>'"`), so no passphrase is stretched when a connection opens
//! and the salt names the key: the app keeps the key in its token vault under
//! [`DatabaseKey::vault_name`] and finds it again from the file's first bytes
//! ([`file_state`]).
//!
//! What stays plain: the database is whole-file encrypted (schema, rows, indexes, the
//! free pages), and so are its write-ahead log and every backup taken with
//! [`crate::Store::backup_into`]; temporary tables live in memory (SQLCipher is built with
//! `SQLITE_TEMP_STORE=2`). PostgreSQL team databases are not concerned: their encryption
//! at rest is the server's.

use secrecy::{ExposeSecret, SecretBox};
use std::fmt;
use std::io::Read;
use std::path::Path;

use crate::StoreError;

/// The first 16 bytes of every plain SQLite 3 database file.
pub const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// What a database file is, from its first 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    /// No file, or an empty one (SQLite makes a new database of either).
    Missing,
    /// A plain SQLite database.
    Plain,
    /// Not plain SQLite: an SQLCipher database whose salt is these 16 bytes (or a file
    /// that is no database at all, which opening with any key then reports).
    Encrypted {
        /// The database's salt (SQLCipher writes it in clear at offset 0).
        salt: [u8; 16],
    },
    /// A file shorter than 16 bytes that is not empty: no database.
    Truncated,
}

/// Reads the first bytes of the file at `path` to tell plain, encrypted and missing apart.
///
/// Errors: the file exists but cannot be read (permissions, a folder in its place).
pub fn file_state(path: &Path) -> std::io::Result<FileState> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileState::Missing),
        Err(e) => return Err(e),
    };
    let mut head = [0u8; 16];
    let mut read = 0;
    while read < head.len() {
        match file.read(&mut head[read..])? {
            0 => break,
            n => read += n,
        }
    }
    Ok(match read {
        0 => FileState::Missing,
        16 if &head == PLAIN_HEADER => FileState::Plain,
        16 => FileState::Encrypted { salt: head },
        _ => FileState::Truncated,
    })
}

/// A workspace database's key: 256 random bits for AES-256 and the database's 16-byte
/// salt. `Debug` never shows the key; it is zeroed when dropped.
pub struct DatabaseKey {
    key: SecretBox<[u8; 32]>,
    salt: [u8; 16],
}

impl DatabaseKey {
    /// A key from its parts (e.g. 32 random bytes and 16 random bytes for a new database).
    pub fn new(key: [u8; 32], salt: [u8; 16]) -> DatabaseKey {
        DatabaseKey {
            key: SecretBox::new(Box::new(key)),
            salt,
        }
    }

    /// The key of the database whose salt is `salt`, from the 64 hex digits the vault keeps
    /// ([`DatabaseKey::vault_secret`]). `None` when `hex_key` is not 64 hex digits.
    pub fn from_vault(hex_key: &str, salt: [u8; 16]) -> Option<DatabaseKey> {
        let mut key = [0u8; 32];
        hex::decode_to_slice(hex_key.trim(), &mut key).ok()?;
        Some(DatabaseKey::new(key, salt))
    }

    /// The salt this key was made for (the encrypted file's first 16 bytes).
    pub fn salt(&self) -> [u8; 16] {
        self.salt
    }

    /// The vault entry that holds this key: `alcance/workspace-db/<salt in hex>`. The salt
    /// is public (it is the file's first bytes), so the name reveals nothing.
    pub fn vault_name(&self) -> String {
        vault_name(&self.salt)
    }

    /// The key as the vault stores it: 64 lowercase hex digits.
    pub fn vault_secret(&self) -> String {
        hex::encode(self.key.expose_secret())
    }

    /// The value of `PRAGMA key`: a raw key with an explicit salt, quoted for SQL.
    pub(crate) fn pragma_value(&self) -> String {
        format!(
            "\"x'{}{}'\"",
            hex::encode(self.key.expose_secret()),
            hex::encode(self.salt)
        )
    }
}

/// The vault entry name of the key of the database whose salt is `salt` (see
/// [`DatabaseKey::vault_name`]).
pub fn vault_name(salt: &[u8; 16]) -> String {
    format!("alcance/workspace-db/{}", hex::encode(salt))
}

impl Clone for DatabaseKey {
    fn clone(&self) -> Self {
        DatabaseKey::new(*self.key.expose_secret(), self.salt)
    }
}

impl fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseKey")
            .field("salt", &hex::encode(self.salt))
            .field("key", &"[redacted]")
            .finish()
    }
}

/// Copies the whole database of `conn` (schema and rows) into the new file `dest`,
/// encrypted with `key` or plain when `None`: SQLCipher's `sqlcipher_export` into `dest`
/// attached with that key. One read transaction, so the copy is consistent while other
/// connections write. `dest` must not exist.
///
/// Errors: SQLite's ([`StoreError::Access`] when `dest` cannot be created,
/// [`StoreError::DiskFull`]); the attachment is detached on every path.
pub(crate) async fn export_into(
    conn: &mut sqlx::SqliteConnection,
    dest: &str,
    key: Option<&DatabaseKey>,
) -> Result<(), StoreError> {
    // The key is bound, never formatted into the statement.
    let key_text = key.map_or_else(String::new, |k| {
        format!("x'{}{}'", k.vault_secret(), hex::encode(k.salt))
    });
    sqlx::query("ATTACH DATABASE ?1 AS alcance_export KEY ?2")
        .bind(dest)
        .bind(key_text)
        .execute(&mut *conn)
        .await?;
    let exported = sqlx::query("SELECT sqlcipher_export('alcance_export')")
        .execute(&mut *conn)
        .await;
    let detached = sqlx::query("DETACH DATABASE alcance_export").execute(&mut *conn).await;
    exported?;
    detached?;
    Ok(())
}

/// What [`convert_in_place`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    /// Rows per table, equal in the old and the new file (checked), by table name.
    pub rows: Vec<(String, i64)>,
    /// The size of the new file, bytes.
    pub bytes: u64,
}

/// Re-writes the SQLite workspace database at `path` from `from` (its current key, `None`
/// for a plain file) to `to` (`None`: plain), in place and safely:
///
/// 1. opens the file alone (`locking_mode = EXCLUSIVE`, a checkpoint that must fold the
///    whole write-ahead log): if the app or `alcance run` has it open, it stops there;
/// 2. exports every table into `<path>.converting` with the new key, closes it, and
///    re-opens that copy to check `PRAGMA integrity_check` and each table's row count
///    against the original;
/// 3. renames the copy over `path` (atomic on one file system) and removes the old
///    write-ahead log files.
///
/// A failure before step 3 leaves the original untouched (the partial copy is removed);
/// the freed blocks of a plain original are not wiped (the file system may keep them:
/// docs/SECURITY.md).
///
/// Errors: [`StoreError::Busy`] when another process holds the database; the open errors of
/// [`crate::Store::open`] / [`crate::Store::open_encrypted`] for the original; a check that
/// fails ([`StoreError::Corrupt`] naming it); I/O errors ([`StoreError::Io`]).
pub async fn convert_in_place(
    path: &Path,
    from: Option<&DatabaseKey>,
    to: Option<&DatabaseKey>,
) -> Result<Converted, StoreError> {
    use sqlx::{ConnectOptions, Connection};
    crate::check_file_against_key(path, from)?;
    if file_state(path).map_err(|source| io_at(path, source))? == FileState::Missing {
        return Err(StoreError::Access {
            detail: format!("{}: no such database", path.display()),
        });
    }
    let converting = path.with_extension("db.converting");
    remove_if_present(&converting)?;
    let Some(dest) = converting.to_str() else {
        return Err(StoreError::Invalid {
            what: "database path",
            value: converting.display().to_string(),
            expected: "a UTF-8 file path",
        });
    };
    let keyed = from.is_some();
    // `create`: the flag also lets ATTACH create the copy (the original exists: checked above).
    let mut conn = crate::file_options(path, from)
        .create_if_missing(true)
        .pragma("locking_mode", "EXCLUSIVE")
        .busy_timeout(std::time::Duration::from_millis(500))
        .connect()
        .await
        .map_err(|e| crate::keyed_error(StoreError::from(e), keyed).at(path))?;
    let result = async {
        // A checkpoint that cannot fold every frame means another connection reads or writes.
        let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut conn)
            .await
            .map_err(|e| crate::keyed_error(StoreError::from(e), keyed))?;
        if busy != 0 {
            return Err(StoreError::Busy {
                detail: format!(
                    "{}: another process has the workspace open; quit the app and `alcance run` first",
                    path.display()
                ),
            });
        }
        // Holding a write lock from here keeps every other process out until the rename.
        sqlx::query("BEGIN IMMEDIATE").execute(&mut conn).await?;
        let before = table_rows(&mut conn).await?;
        sqlx::query("COMMIT").execute(&mut conn).await?;
        export_into(&mut conn, dest, to).await?;
        let mut copy = crate::file_options(&converting, to)
            .create_if_missing(false)
            .connect()
            .await?;
        let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut copy)
            .await?;
        let after = table_rows(&mut copy).await?;
        copy.close().await?;
        if integrity != "ok" || after != before {
            return Err(StoreError::Corrupt {
                detail: format!(
                    "the converted copy did not check out (integrity: {integrity}); the original is unchanged"
                ),
            });
        }
        Ok(before)
    }
    .await;
    let rows = match result {
        Ok(rows) => rows,
        Err(e) => {
            let _ = conn.close().await;
            let _ = std::fs::remove_file(&converting);
            return Err(e.at(path));
        }
    };
    std::fs::rename(&converting, path).map_err(|source| io_at(path, source))?;
    // The exclusive connection still points at the replaced file's inode; closing it
    // cannot touch the new one.
    let _ = conn.close().await;
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        remove_if_present(Path::new(&side))?;
    }
    let bytes = std::fs::metadata(path).map_err(|source| io_at(path, source))?.len();
    Ok(Converted { rows, bytes })
}

/// Every table's row count, by name (the copy check of [`convert_in_place`]).
async fn table_rows(conn: &mut sqlx::SqliteConnection) -> Result<Vec<(String, i64)>, StoreError> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut rows = Vec::with_capacity(names.len());
    for name in names {
        // Names come from the schema itself; quoted as identifiers.
        let sql = format!("SELECT count(*) FROM \"{}\"", name.replace('"', "\"\""));
        let count: i64 = sqlx::query_scalar(&sql).fetch_one(&mut *conn).await?;
        rows.push((name, count));
    }
    Ok(rows)
}

fn io_at(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn remove_if_present(path: &Path) -> Result<(), StoreError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_at(path, e)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_of_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        assert_eq!(file_state(&path).unwrap(), FileState::Missing);
        std::fs::write(&path, b"").unwrap();
        assert_eq!(file_state(&path).unwrap(), FileState::Missing);
        std::fs::write(&path, b"SQLite").unwrap();
        assert_eq!(file_state(&path).unwrap(), FileState::Truncated);
        let mut plain = PLAIN_HEADER.to_vec();
        plain.extend_from_slice(&[0; 100]);
        std::fs::write(&path, &plain).unwrap();
        assert_eq!(file_state(&path).unwrap(), FileState::Plain);
        let salt = [7u8; 16];
        std::fs::write(&path, [salt.as_slice(), &[1; 100]].concat()).unwrap();
        assert_eq!(file_state(&path).unwrap(), FileState::Encrypted { salt });
        assert!(file_state(dir.path()).is_err(), "a folder cannot be read as a file");
    }

    #[test]
    fn the_key_never_shows_in_debug_and_round_trips_through_the_vault_form() {
        let key = DatabaseKey::new([0xab; 32], [0x01; 16]);
        let shown = format!("{key:?}");
        assert!(!shown.contains("abab"), "{shown}");
        assert!(shown.contains("0101"), "{shown}");
        assert_eq!(key.vault_name(), format!("alcance/workspace-db/{}", "01".repeat(16)));
        let again = DatabaseKey::from_vault(&key.vault_secret(), key.salt()).unwrap();
        assert_eq!(again.pragma_value(), key.pragma_value());
        assert_eq!(
            key.pragma_value(),
            format!("\"x'{}{}'\"", "ab".repeat(32), "01".repeat(16))
        );
        assert!(DatabaseKey::from_vault("not hex", [0; 16]).is_none());
        assert!(DatabaseKey::from_vault("abcd", [0; 16]).is_none());
    }
}
