//! `alcance workspace copy SRC DST`: a whole workspace from a folder into a team's
//! PostgreSQL database, or back (see [`alcance_store::copy`] for how rows move, resume and
//! are verified). Tokens live in vaults, not rows: [`copy_tokens`] moves them when both
//! vaults are open (`alcance workspace copy --with-tokens`).

use crate::at_rest::{AtRest, NewDatabase};
use crate::error::{AppError, Context, Result};
use alcance_core::Platform;
use alcance_platforms::vault::TokenVault;
use alcance_store::{Store, StoreLocation};
use secrecy::SecretString;
use std::path::Path;

pub use alcance_store::copy::{CopyProgress, TableCopy, TableSum, COPY_TABLES, DEFAULT_BATCH};

/// Opens a copy's end: a workspace folder (its `alcance.db`; `must_exist` for the source)
/// or a PostgreSQL URL. A folder's vault (the keychain, else its `vault.enc` under
/// `passphrase`) is opened only when needed: for an encrypted database's key, or to keep
/// the key of a new folder, which is created encrypted like every new workspace.
async fn open_end(location: &str, must_exist: bool, passphrase: Option<&SecretString>) -> Result<Store> {
    match StoreLocation::parse(location) {
        StoreLocation::Postgres(url) => Store::open_postgres(url.expose())
            .await
            .with_context(|| format!("opening {url}")),
        _ => {
            let dir = Path::new(location);
            let database = dir.join("alcance.db");
            if must_exist && !database.is_file() {
                return Err(AppError::NoWorkspace(format!(
                    "no Alcance workspace in {} (no alcance.db)",
                    dir.display()
                )));
            }
            let opened = if crate::at_rest::at_rest(&database)? == AtRest::Plain {
                Store::open(&database).await.map_err(AppError::from)
            } else {
                std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
                let vault = crate::session::workspace_vault(dir, passphrase.cloned()).await?;
                crate::at_rest::open_database(&database, vault.as_ref(), NewDatabase::Encrypted).await
            };
            opened.with_context(|| format!("opening the database in {}", dir.display()))
        }
    }
}

/// Copies the workspace at `source` into `destination` (each a folder or a `postgres://`
/// URL; the destination is created and migrated when new, a new folder encrypted with its
/// key in that folder's vault), `batch` rows per transaction, reporting to `progress`; a
/// folder's vault takes `passphrase` when there is no keychain. Returns each table's counts and checksums on both sides; the
/// copy is good when every [`TableCopy::matches`]. Run it again after an interruption: it
/// resumes.
///
/// Errors: the source holds no workspace; either end cannot be opened (unreachable, wrong
/// vault passphrase, an encrypted folder whose key is not in its vault,
/// password, another application's database, a newer schema); the destination holds
/// another workspace; the database failed mid-batch (that batch rolled back).
pub async fn copy_workspace(
    source: &str,
    destination: &str,
    batch: usize,
    passphrase: Option<SecretString>,
    progress: impl FnMut(CopyProgress),
) -> Result<Vec<TableCopy>> {
    if StoreLocation::parse(source) == StoreLocation::parse(destination) {
        crate::bail_app!("the source and the destination are the same workspace");
    }
    let src = open_end(source, true, passphrase.as_ref()).await?;
    let dst = match open_end(destination, false, passphrase.as_ref()).await {
        Ok(dst) => dst,
        Err(e) => {
            src.close().await;
            return Err(e);
        }
    };
    let copied = alcance_store::copy::copy_store(&src, &dst, batch, progress).await;
    src.close().await;
    dst.close().await;
    copied.context("copying the workspace")
}

/// Copies the secrets of the workspace in `store` from vault `from` into vault `to`: each
/// account's tokens (`accounts.vault_key`, and a TikTok account's API-for-Business token
/// beside it) and the developer apps' client secrets. Names with nothing in `from` are
/// skipped. Returns how many secrets were copied. Runs on the blocking pool (vault calls
/// block).
///
/// Errors: the store cannot be read; a vault fails (nothing is removed from `from`).
pub async fn copy_tokens(store: &Store, from: crate::SharedVault, to: crate::SharedVault) -> Result<usize> {
    let mut names: Vec<String> = Vec::new();
    for account in store.list_accounts().await? {
        if let Some(key) = account.vault_key {
            if account.account.platform == Platform::Tiktok {
                names.push(format!("{key}/business"));
            }
            names.push(key);
        }
    }
    names.extend(Platform::ALL.iter().map(|p| crate::tokens::app_secret_key(*p)));
    names.sort();
    names.dedup();
    let copied = tokio::task::spawn_blocking(move || -> Result<usize> {
        let mut copied = 0;
        for name in &names {
            if let Some(secret) = from.get(name)? {
                to.put(name, &secret)?;
                copied += 1;
            }
        }
        Ok(copied)
    })
    .await
    .context("copying the tokens")??;
    Ok(copied)
}
