//! Team workspaces: one dataset in a PostgreSQL database that many Alcance processes share
//! (collectors, `alcance serve`, members' CLIs). What differs from a solo folder:
//!
//! - the store is the database (`alcance_store::Store::open_postgres`), not `alcance.db`;
//! - the tokens live in the database too, sealed with AES-256-GCM under the **workspace
//!   key** ([`WorkspaceKey`]), which never enters the database: every process is given it
//!   ([`TeamKeySource`]: `ALCANCE_VAULT_KEY`, a key file, or the member's OS keychain);
//! - the local folder ([`Team::dir`]) only holds what is local to this member: logs,
//!   reports and exports written without an explicit `--out`.

use crate::error::{AppError, Context, Result};
use alcance_platforms::vault::sealed::{Rotation, SealedEntries, SealedSecret, SealedVault};
use alcance_platforms::vault::{KeyringVault, TokenVault, VaultError, WorkspaceKey, KEYRING_SERVICE};
use alcance_store::{PostgresUrl, SealedTokenRow, Store};
use chrono::Utc;
use secrecy::SecretString;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};

/// The environment variable holding the workspace key's text form (`alcance-key-1:…`).
pub const VAULT_KEY_ENV: &str = "ALCANCE_VAULT_KEY";
/// The environment variable naming a file that holds the workspace key.
pub const VAULT_KEY_FILE_ENV: &str = "ALCANCE_VAULT_KEY_FILE";

/// A team workspace: its database and this member's local folder.
#[derive(Debug, Clone)]
pub struct Team {
    /// The PostgreSQL database (shown with its password redacted).
    pub database: PostgresUrl,
    /// This member's local folder for logs, reports and exports (created when missing).
    pub dir: PathBuf,
}

/// Where this process finds the workspace key, first match wins.
#[derive(Debug, Clone, Default)]
pub struct TeamKeySource {
    /// The key's text form (from `ALCANCE_VAULT_KEY`).
    pub text: Option<SecretString>,
    /// A file holding it (from `ALCANCE_VAULT_KEY_FILE` or `--vault-key-file`).
    pub file: Option<PathBuf>,
    /// Look in the OS keychain under [`Team::keychain_entry`] when neither is given.
    pub keychain: bool,
}

impl TeamKeySource {
    /// `ALCANCE_VAULT_KEY`, `ALCANCE_VAULT_KEY_FILE`, then the OS keychain.
    pub fn from_env() -> TeamKeySource {
        TeamKeySource {
            text: std::env::var(VAULT_KEY_ENV)
                .ok()
                .filter(|t| !t.trim().is_empty())
                .map(SecretString::from),
            file: std::env::var_os(VAULT_KEY_FILE_ENV).map(PathBuf::from),
            keychain: true,
        }
    }
}

impl Team {
    /// The team workspace at `database`, with this member's local folder `dir`.
    pub fn new(database: PostgresUrl, dir: &Path) -> Team {
        Team {
            database,
            dir: dir.to_path_buf(),
        }
    }

    /// The OS keychain entry a member keeps this workspace's key under:
    /// `alcance/workspace-key/{user@host:port/database}` (no password).
    pub fn keychain_entry(&self) -> String {
        format!("alcance/workspace-key/{}", self.database.address())
    }

    /// Reads the workspace key from `source`.
    ///
    /// Errors: [`VaultError::Locked`] (code `vault_locked`) naming the places looked in
    /// when none holds a key; [`VaultError::BadWorkspaceKey`] for a malformed key;
    /// [`VaultError::Io`] for an unreadable key file.
    pub fn key(&self, source: &TeamKeySource) -> Result<WorkspaceKey> {
        if let Some(text) = &source.text {
            return WorkspaceKey::parse(text).context("reading ALCANCE_VAULT_KEY");
        }
        if let Some(file) = &source.file {
            return Ok(WorkspaceKey::from_file(file)?);
        }
        if source.keychain {
            let entry = self.keychain_entry();
            match KeyringVault::new(KEYRING_SERVICE).get(&entry) {
                Ok(Some(text)) => return WorkspaceKey::parse(&text).context("reading the key in the OS keychain"),
                Ok(None) => {}
                Err(e) => tracing::debug!(error = %e, "no OS keychain for the workspace key"),
            }
        }
        Err(AppError::Vault(VaultError::Locked {
            message: format!(
                "this team workspace's tokens need its workspace key: set {VAULT_KEY_ENV} (or {VAULT_KEY_FILE_ENV} \
                 to a key file), or keep it in the OS keychain as {}; the person who created the team has it \
                 (`alcance team create` printed it)",
                self.keychain_entry()
            ),
        }))
    }

    /// Keeps `key` (its text form) in this member's OS keychain under
    /// [`Team::keychain_entry`].
    ///
    /// Errors: [`VaultError::Keyring`] when no keychain works here.
    pub fn remember_key(&self, text: &SecretString) -> Result<()> {
        Ok(KeyringVault::new(KEYRING_SERVICE).put(&self.keychain_entry(), text)?)
    }

    /// The team vault over this workspace's `sealed_tokens`, sealing with `key`, after
    /// checking that `key` is the team's ([`KEY_CHECK_ENTRY`]; a database without one is
    /// claimed by sealing it under `key`).
    ///
    /// Errors: the database cannot be reached from the vault's own connection;
    /// [`VaultError::WrongWorkspaceKey`] when `key` is not the team's current key.
    pub async fn vault(&self, key: WorkspaceKey) -> Result<SealedVault> {
        let vault = self.unchecked_vault(key).await?;
        let checked = blocking(move || {
            // A database nobody set up as a team yet: the first key to open it claims it.
            if vault.get(KEY_CHECK_ENTRY)?.is_none() {
                vault.put(KEY_CHECK_ENTRY, &SecretString::from(KEY_CHECK_VALUE.to_string()))?;
            }
            Ok::<_, VaultError>(vault)
        })
        .await?;
        Ok(checked?)
    }

    async fn unchecked_vault(&self, key: WorkspaceKey) -> Result<SealedVault> {
        let entries = DbEntries::connect(self.database.clone()).await?;
        Ok(SealedVault::new(key, Arc::new(entries)))
    }

    /// Sets the team up: creates (migrates) the database, makes a workspace key and seals
    /// the key check under it. Returns the key's text form, to hand to the team's
    /// processes; it is not kept anywhere by this call.
    ///
    /// Errors: the database (unreachable, wrong password, another application's);
    /// [`AppError::InvalidInput`] when the database is already a team workspace (its key
    /// check exists: join it instead).
    pub async fn create(&self) -> Result<SecretString> {
        let store = Store::open_postgres(self.database.expose())
            .await
            .with_context(|| format!("opening the team database {}", self.database))?;
        let existing = store.sealed_token(KEY_CHECK_ENTRY).await;
        store.close().await;
        if existing?.is_some() {
            return Err(AppError::InvalidInput(format!(
                "{} is already a team workspace: join it with its workspace key (`alcance team join`)",
                self.database
            )));
        }
        let (key, text) = WorkspaceKey::generate()?;
        let vault = self.unchecked_vault(key).await?;
        blocking(move || vault.put(KEY_CHECK_ENTRY, &SecretString::from(KEY_CHECK_VALUE.to_string()))).await??;
        Ok(text)
    }

    /// Re-seals every token under a new workspace key (`alcance vault rotate-key`): opens
    /// the vault with `current`, rotates, and returns what was done with the new key's text
    /// form. Until every process has the new key, those with the old one cannot read
    /// tokens (they fail with [`VaultError::WrongWorkspaceKey`], never crash).
    ///
    /// Errors: `current` is not the team's key; the database.
    pub async fn rotate_key(&self, current: WorkspaceKey) -> Result<(Rotation, SecretString)> {
        let mut vault = self.vault(current).await?;
        let (new, text) = WorkspaceKey::generate()?;
        let done = blocking(move || vault.rotate(new)).await??;
        Ok((done, text))
    }
}

/// The vault entry sealed at team creation to tell the team's key from another
/// (`alcance/team/key-check`; its value is a constant, no secret).
pub const KEY_CHECK_ENTRY: &str = "alcance/team/key-check";
const KEY_CHECK_VALUE: &str = "alcance team workspace";

/// Runs a blocking vault call off the async runtime.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.context("the team vault's call")
}

/// A job for the vault's database thread, with where to send its answer.
enum Job {
    Load(
        String,
        mpsc::SyncSender<std::result::Result<Option<SealedSecret>, VaultError>>,
    ),
    Save(SealedTokenRow, mpsc::SyncSender<std::result::Result<(), VaultError>>),
    Remove(String, mpsc::SyncSender<std::result::Result<(), VaultError>>),
    KeyIds(mpsc::SyncSender<std::result::Result<BTreeMap<String, String>, VaultError>>),
}

/// [`SealedEntries`] in the database's `sealed_tokens`. Vault calls are synchronous (the
/// [`TokenVault`] contract) and may come from inside an async task, so they are served by a
/// thread of their own with its own small runtime and its own connection: a call blocks
/// its caller, never the runtime the caller runs on waiting for itself.
struct DbEntries {
    jobs: Mutex<mpsc::Sender<Job>>,
}

fn store_failure(e: impl std::fmt::Display) -> VaultError {
    VaultError::Storage {
        message: format!("the team vault's database: {e}"),
    }
}

impl DbEntries {
    async fn connect(database: PostgresUrl) -> Result<DbEntries> {
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (ready_tx, ready_rx) = mpsc::sync_channel::<std::result::Result<(), AppError>>(1);
        std::thread::Builder::new()
            .name("alcance-team-vault".into())
            .spawn(move || serve(database, inbox, ready_tx))
            .context("starting the team vault's thread")?;
        let ready = tokio::task::spawn_blocking(move || ready_rx.recv())
            .await
            .context("waiting for the team vault's connection")?;
        match ready {
            Ok(Ok(())) => Ok(DbEntries { jobs: Mutex::new(jobs) }),
            // The store's own error (unreachable, refused login, …), so its code says what to do.
            Ok(Err(e)) => Err(e.context("connecting the team vault")),
            Err(_) => Err(AppError::Vault(store_failure("its thread ended"))),
        }
    }

    fn ask<T>(
        &self,
        job: impl FnOnce(mpsc::SyncSender<std::result::Result<T, VaultError>>) -> Job,
    ) -> std::result::Result<T, VaultError> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .send(job(reply))
            .map_err(|_| store_failure("its thread ended"))?;
        answer.recv().map_err(|_| store_failure("its thread ended"))?
    }
}

/// The vault thread: connects, says whether it could, then answers jobs until every
/// sender is gone.
fn serve(
    database: PostgresUrl,
    inbox: mpsc::Receiver<Job>,
    ready: mpsc::SyncSender<std::result::Result<(), AppError>>,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            let _ = ready.send(Err(AppError::Io(e)));
            return;
        }
    };
    let store = match runtime.block_on(Store::open_postgres(database.expose())) {
        Ok(store) => store,
        Err(e) => {
            let _ = ready.send(Err(AppError::Store(e)));
            return;
        }
    };
    let _ = ready.send(Ok(()));
    while let Ok(job) = inbox.recv() {
        runtime.block_on(async {
            match job {
                Job::Load(name, reply) => {
                    let row = store.sealed_token(&name).await.map_err(store_failure);
                    let _ = reply.send(row.map(|r| {
                        r.map(|r| SealedSecret {
                            key_id: r.key_id,
                            nonce: r.nonce,
                            ciphertext: r.ciphertext,
                        })
                    }));
                }
                Job::Save(row, reply) => {
                    let _ = reply.send(store.save_sealed_token(&row, Utc::now()).await.map_err(store_failure));
                }
                Job::Remove(name, reply) => {
                    let _ = reply.send(store.delete_sealed_token(&name).await.map_err(store_failure));
                }
                Job::KeyIds(reply) => {
                    let ids = store.sealed_token_key_ids().await.map_err(store_failure);
                    let _ = reply.send(ids.map(|v| v.into_iter().collect()));
                }
            }
        });
    }
    runtime.block_on(store.close());
}

impl SealedEntries for DbEntries {
    fn load(&self, name: &str) -> std::result::Result<Option<SealedSecret>, VaultError> {
        self.ask(|reply| Job::Load(name.to_string(), reply))
    }

    fn save(&self, name: &str, sealed: &SealedSecret) -> std::result::Result<(), VaultError> {
        let row = SealedTokenRow {
            name: name.to_string(),
            key_id: sealed.key_id.clone(),
            nonce: sealed.nonce.clone(),
            ciphertext: sealed.ciphertext.clone(),
        };
        self.ask(|reply| Job::Save(row, reply))
    }

    fn remove(&self, name: &str) -> std::result::Result<(), VaultError> {
        self.ask(|reply| Job::Remove(name.to_string(), reply))
    }

    fn key_ids(&self) -> std::result::Result<BTreeMap<String, String>, VaultError> {
        self.ask(Job::KeyIds)
    }
}
