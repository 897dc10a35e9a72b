//! Encryption at rest of a workspace's SQLite database (issue 15 point 6): every new
//! workspace is an SQLCipher database (AES-256) whose random 256-bit key lives in the
//! workspace's token vault — the OS keychain, or the vault file under the passphrase the
//! user already gives — never beside the database. The demo workspace stays plain: its
//! data is synthetic, and people open it with other tools (`sqlite3`, DB Browser).
//!
//! The key's vault entry is named after the database's salt (the file's first 16 bytes,
//! public by design; [`alcance_store::at_rest`]), so a backup of the workspace opens with
//! the same entry, and two workspaces on one keychain never collide.

use crate::error::{Context, Result};
use alcance_platforms::vault::TokenVault;
use alcance_store::at_rest::{self, Converted, FileState};
use alcance_store::{DatabaseKey, Store, StoreError};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use std::path::Path;

/// How a workspace database that does not exist yet is created. An existing file is
/// opened as it is (plain or encrypted) whatever this says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NewDatabase {
    /// SQLCipher, a fresh random key stored in the vault (every user workspace).
    #[default]
    Encrypted,
    /// Plain SQLite (the demo workspace: synthetic data, opened with other tools).
    Plain,
}

/// What the workspace database is, for the UI and `alcance workspace encrypt|decrypt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AtRest {
    /// No database yet.
    None,
    /// Plain SQLite.
    Plain,
    /// SQLCipher, AES-256.
    Encrypted,
}

/// How an open workspace's database is kept on disk, for the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum DatabaseAtRest {
    /// SQLCipher, AES-256, its key in the vault.
    Encrypted,
    /// Plain SQLite: the demo, or a workspace made before encryption at rest.
    Plain,
    /// A team's PostgreSQL database (its encryption at rest is the server's).
    Server,
}

/// What the file at `path` is.
///
/// Errors: the file exists but cannot be read.
pub fn at_rest(path: &Path) -> Result<AtRest> {
    let state = at_rest::file_state(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(match state {
        FileState::Missing => AtRest::None,
        FileState::Plain | FileState::Truncated => AtRest::Plain,
        FileState::Encrypted { .. } => AtRest::Encrypted,
    })
}

/// The key of the encrypted database at `path` from `vault`; `None` for a plain, missing
/// or truncated file.
///
/// Errors: [`StoreError::NotADatabase`] when the file is not plain SQLite and `vault` holds
/// no key for it (damaged, or encrypted under another vault); the vault's errors; a vault
/// entry that is not a key.
pub fn key_for_file(path: &Path, vault: &dyn TokenVault) -> Result<Option<DatabaseKey>> {
    let state = at_rest::file_state(path).with_context(|| format!("reading {}", path.display()))?;
    let FileState::Encrypted { salt } = state else {
        return Ok(None);
    };
    let name = at_rest::vault_name(&salt);
    let Some(secret) = vault.get(&name)? else {
        // This vault opened but holds no key for the file: to this workspace it is damaged
        // (or encrypted under another machine's vault); the UI offers to move it aside.
        return Err(StoreError::NotADatabase {
            detail: format!(
                "{}: neither plain SQLite nor encrypted with a key this vault holds (damaged, or encrypted with another machine's vault)",
                path.display()
            ),
        }
        .into());
    };
    DatabaseKey::from_vault(secret.expose_secret(), salt)
        .map(Some)
        .ok_or_else(|| crate::app_err!("the vault entry {name} is not a database key (64 hex digits)"))
}

/// A new random key (OS randomness: 32 key bytes, 16 salt bytes), stored in `vault`.
///
/// Errors: the vault refuses the entry (locked keychain, unwritable vault file).
fn new_key(vault: &dyn TokenVault) -> Result<DatabaseKey> {
    let mut bytes = [0u8; 32];
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let key = DatabaseKey::new(bytes, salt);
    bytes.fill(0);
    vault
        .put(&key.vault_name(), &SecretString::from(key.vault_secret()))
        .context("storing the workspace database's key in the vault")?;
    Ok(key)
}

/// Opens (creating it as `new` says when missing) the workspace database at `path`, with
/// its key from `vault` when it is encrypted.
///
/// Errors: as [`key_for_file`] and [`Store::open`] / [`Store::open_encrypted`]; storing a
/// new key in the vault.
pub async fn open_database(path: &Path, vault: &dyn TokenVault, new: NewDatabase) -> Result<Store> {
    let state = at_rest::file_state(path).with_context(|| format!("reading {}", path.display()))?;
    let store = match (state, new) {
        (FileState::Missing, NewDatabase::Encrypted) => {
            let key = new_key(vault)?;
            Store::open_encrypted(path, &key).await
        }
        (FileState::Encrypted { .. }, _) => match key_for_file(path, vault)? {
            Some(key) => Store::open_encrypted(path, &key).await,
            None => Store::open(path).await,
        },
        _ => Store::open(path).await,
    };
    Ok(store?)
}

/// Encrypts the plain workspace database in `dir` in place (see
/// [`alcance_store::at_rest::convert_in_place`]) with a new key stored in `vault`. The app
/// and `alcance run` must not have the workspace open.
///
/// Errors: the database is already encrypted or missing; another process has it open
/// ([`StoreError::Busy`]); the vault refuses the key; the conversion's checks (the original
/// is then unchanged and the new key removed).
pub async fn encrypt_workspace(dir: &Path, vault: &dyn TokenVault) -> Result<Converted> {
    let path = dir.join("alcance.db");
    match at_rest(&path)? {
        AtRest::None => crate::bail_app!("no Alcance workspace in {} (no alcance.db)", dir.display()),
        AtRest::Encrypted => crate::bail_app!("the workspace database {} is already encrypted", path.display()),
        AtRest::Plain => {}
    }
    let key = new_key(vault)?;
    match at_rest::convert_in_place(&path, None, Some(&key)).await {
        Ok(done) => Ok(done),
        Err(e) => {
            let _ = vault.delete(&key.vault_name());
            Err(crate::error::AppError::from(e).context("encrypting the workspace database"))
        }
    }
}

/// Decrypts the encrypted workspace database in `dir` in place with its key from `vault`,
/// then removes the key from the vault. The app and `alcance run` must not have the
/// workspace open.
///
/// Errors: the database is plain or missing; the key is not in `vault`; another process has
/// it open; the conversion's checks (the original is then unchanged).
pub async fn decrypt_workspace(dir: &Path, vault: &dyn TokenVault) -> Result<Converted> {
    let path = dir.join("alcance.db");
    if at_rest(&path)? != AtRest::Encrypted {
        crate::bail_app!("the workspace database {} is not encrypted", path.display());
    }
    let Some(key) = key_for_file(&path, vault)? else {
        crate::bail_app!("the workspace database {} is not encrypted", path.display());
    };
    let done = at_rest::convert_in_place(&path, Some(&key), None)
        .await
        .context("decrypting the workspace database")?;
    // Backups taken while it was encrypted still need the key: keep it while any exists.
    let backups = crate::backup::list_backups(dir).unwrap_or_default();
    if backups.is_empty() {
        vault.delete(&key.vault_name())?;
    }
    Ok(done)
}
