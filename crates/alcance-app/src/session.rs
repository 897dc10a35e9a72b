//! Opening a workspace in one of its modes — the one place that chooses the token vault and
//! the endpoints and calls [`Workspace::open`]. The desktop shell, the CLI and the report
//! commands all open workspaces through [`Session`]:
//!
//! - [`Session::own`]: the user's own folder (created if missing) on the real platform
//!   APIs; tokens in the OS keychain, else in the encrypted file `vault.enc` under a
//!   passphrase ([`open_vault`]). The CLI's headless commands use [`Session::existing`]
//!   (the folder must hold a database; the APIs may be a sandbox).
//! - [`Session::demo`]: the demo folder on an in-process [`Sandbox`] (kept running so "Sync
//!   now" works) with the demo's file vault.
//! - [`Session::read_only`]: reports, exports and campaigns, which need no token: a vault
//!   that cannot be opened is replaced by an empty one.

use crate::at_rest::{AtRest, NewDatabase};
use crate::demo::DEMO_VAULT_PASSPHRASE;
use crate::error::{AppError, Context, Result};
use crate::workspace::{Workspace, WorkspaceOptions};
use alcance_platforms::vault::{open_vault, EncryptedFileVault, MemoryVault, TokenVault, VaultError};
use alcance_platforms::Endpoints;
use alcance_sandbox::Sandbox;
use secrecy::SecretString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use url::Url;

/// A [`TokenVault`] that can be shared: hand one clone to [`Workspace::open`] and keep
/// another for [`crate::views::accounts`]' token health.
#[derive(Clone)]
pub struct SharedVault(pub Arc<dyn TokenVault>);

impl TokenVault for SharedVault {
    fn put(&self, key: &str, secret: &SecretString) -> Result<(), VaultError> {
        self.0.put(key, secret)
    }
    fn get(&self, key: &str) -> Result<Option<SecretString>, VaultError> {
        self.0.get(key)
    }
    fn delete(&self, key: &str) -> Result<(), VaultError> {
        self.0.delete(key)
    }
    fn kind(&self) -> &'static str {
        self.0.kind()
    }
}

/// Which platform APIs a workspace talks to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Apis {
    /// The platforms' real hosts.
    #[default]
    Real,
    /// An Alcance sandbox at this base URL (demo workspaces, tests).
    Sandbox(Url),
}

impl Apis {
    /// `Sandbox(url)` when a sandbox URL is given, else `Real`.
    pub fn from_sandbox_url(url: Option<&Url>) -> Apis {
        url.map_or(Apis::Real, |u| Apis::Sandbox(u.clone()))
    }

    fn endpoints(&self) -> Endpoints {
        match self {
            Apis::Real => Endpoints::real(),
            Apis::Sandbox(base) => Endpoints::sandbox(base),
        }
    }
}

/// Whether opening an existing workspace needs its vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VaultNeed {
    /// Fail when the vault cannot be opened (collecting, connecting).
    Required,
    /// Go on with an empty in-memory vault and report why ([`Session::vault_problem`]).
    Optional,
}

/// An open workspace with the vault it was opened with and, for the demo, its sandbox.
pub struct Session {
    ws: Arc<Workspace>,
    vault: Option<SharedVault>,
    vault_problem: Option<String>,
    sandbox: Option<Sandbox>,
}

impl std::ops::Deref for Session {
    type Target = Workspace;

    fn deref(&self) -> &Workspace {
        &self.ws
    }
}

/// The token vault of the workspace in `dir` as every session chooses it: the OS keychain,
/// else `dir/vault.enc` under `passphrase` (for commands that need the vault without opening
/// the workspace: restore, `alcance workspace encrypt|decrypt`).
///
/// Errors: [`VaultError::Locked`] when neither is usable; a wrong passphrase.
pub async fn workspace_vault(dir: &Path, passphrase: Option<SecretString>) -> Result<Box<dyn TokenVault>> {
    choose_vault(dir, passphrase).await
}

/// The vault of `dir`: the OS keychain, else `dir/vault.enc` under `passphrase` (see
/// [`open_vault`]; the keychain probe blocks, so it runs on the blocking pool).
async fn choose_vault(dir: &Path, passphrase: Option<SecretString>) -> Result<Box<dyn TokenVault>> {
    let dir = dir.to_path_buf();
    let opened = tokio::task::spawn_blocking(move || open_vault(&dir, passphrase.as_ref()))
        .await
        .context("opening the token vault")?;
    Ok(opened?)
}

/// The opened vault, or with [`VaultNeed::Optional`] no vault and why (the error's message);
/// with [`VaultNeed::Required`] the error, in `context`.
fn vault_or_problem(
    opened: Result<SharedVault>,
    need: VaultNeed,
    context: &'static str,
) -> Result<(Option<SharedVault>, Option<String>)> {
    match opened {
        Ok(v) => Ok((Some(v), None)),
        Err(e) if need == VaultNeed::Optional => Ok((None, Some(e.message()))),
        Err(e) => Err(e.context(context)),
    }
}

/// Fails unless `dir` holds a workspace database.
fn require_database(dir: &Path) -> Result<()> {
    crate::backup::finish_interrupted_restore(dir)?;
    if dir.join("alcance.db").is_file() {
        return Ok(());
    }
    Err(AppError::NoWorkspace(format!(
        "no Alcance workspace in {} (no alcance.db); create one with the app or `alcance demo --out {}`",
        dir.display(),
        dir.display()
    )))
}

impl Session {
    /// Opens the workspace with `vault` (an empty in-memory one when `None`): the SQLite
    /// database in `dir`, or the team database `team` with `dir` as the local folder.
    async fn open(
        dir: &Path,
        team: Option<&crate::PostgresUrl>,
        apis: &Apis,
        (vault, vault_problem): (Option<SharedVault>, Option<String>),
        sandbox: Option<Sandbox>,
        new: NewDatabase,
    ) -> Result<Session> {
        let ws_vault: Box<dyn TokenVault> = match &vault {
            Some(v) => Box::new(v.clone()),
            None => Box::new(MemoryVault::new()),
        };
        let options = WorkspaceOptions {
            endpoints: apis.endpoints(),
            vault: ws_vault,
        };
        // An encrypted database whose vault could not be opened: the vault is what the user
        // fixes (a passphrase, an unlocked keychain), so that is the error.
        if team.is_none()
            && vault.is_none()
            && crate::at_rest::at_rest(&dir.join("alcance.db")).ok() == Some(AtRest::Encrypted)
        {
            let why = vault_problem.as_deref().unwrap_or("no vault was given");
            return Err(AppError::Vault(VaultError::Locked {
                message: format!(
                    "the workspace database is encrypted and its key is in the token vault, which could not be opened ({why})"
                ),
            }));
        }
        let ws = match team {
            Some(database) => Workspace::open_team(dir, database, options).await?,
            None => Workspace::open_new_as(dir, options, new).await?,
        };
        Ok(Session {
            ws: Arc::new(ws),
            vault,
            vault_problem,
            sandbox,
        })
    }

    /// Opens (creating it) the user's own workspace in `dir` on the real APIs, with the OS
    /// keychain or, without one, the encrypted vault file under `passphrase`.
    ///
    /// Errors: [`AppError::Vault`] ([`VaultError::Locked`] when neither is usable, code
    /// `vault_locked`); the folder cannot be created; the database cannot be opened.
    pub async fn own(dir: &Path, passphrase: Option<SecretString>) -> Result<Session> {
        Self::create(dir, &Apis::Real, passphrase).await
    }

    /// [`Session::own`] on `apis` (the CLI's `connect`, which may talk to a sandbox).
    ///
    /// Errors: as [`Session::own`].
    pub async fn create(dir: &Path, apis: &Apis, passphrase: Option<SecretString>) -> Result<Session> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let vault = choose_vault(dir, passphrase).await?;
        Self::open(
            dir,
            None,
            apis,
            (Some(SharedVault(Arc::from(vault))), None),
            None,
            NewDatabase::Encrypted,
        )
        .await
    }

    /// Opens the existing workspace in `dir` (the CLI's headless commands) on `apis`, its
    /// vault chosen as [`Session::own`] does; with [`VaultNeed::Optional`] a vault that
    /// cannot be opened is reported by [`Session::vault_problem`] instead of failing.
    ///
    /// Errors: [`AppError::NoWorkspace`] when `dir` has no `alcance.db`; the vault (when
    /// required); the database.
    pub async fn existing(
        dir: &Path,
        apis: &Apis,
        passphrase: Option<SecretString>,
        need: VaultNeed,
    ) -> Result<Session> {
        require_database(dir)?;
        let opened = choose_vault(dir, passphrase).await.map(|v| SharedVault(Arc::from(v)));
        let vault = vault_or_problem(opened, need, "opening the token vault")?;
        Self::open(dir, None, apis, vault, None, NewDatabase::Encrypted).await
    }

    /// Opens the existing workspace in `dir` for commands that read the store or write
    /// campaigns but never call a platform (reports, exports, campaigns): the vault as
    /// [`Session::own`] chooses it, or an empty in-memory one when it cannot be opened (these
    /// commands need no token); endpoints are the real hosts (unused).
    ///
    /// Errors: [`AppError::NoWorkspace`] when `dir` has no `alcance.db`; the database.
    pub async fn read_only(dir: &Path, passphrase: Option<SecretString>) -> Result<Session> {
        let session = Self::existing(dir, &Apis::Real, passphrase, VaultNeed::Optional).await?;
        if let Some(problem) = &session.vault_problem {
            tracing::info!(error = %problem, "token vault unavailable; a read-only command goes on without tokens");
        }
        Ok(session)
    }

    /// Opens the team workspace `team` (its PostgreSQL database; created and migrated when
    /// new) on `apis`. The vault is the team vault in the database, sealed under the
    /// workspace key found through `key`; with [`VaultNeed::Optional`] a missing or wrong
    /// key is reported by [`Session::vault_problem`] instead of failing (reports and
    /// exports need no token).
    ///
    /// Errors: the database ([`crate::StoreError`]: unreachable, wrong password, another
    /// application's database, a newer schema); the key when required
    /// ([`VaultError::Locked`], [`VaultError::BadWorkspaceKey`], code `vault_locked`).
    pub async fn team(
        team: &crate::team::Team,
        apis: &Apis,
        key: &crate::team::TeamKeySource,
        need: VaultNeed,
    ) -> Result<Session> {
        let opened = match team.key(key) {
            Ok(key) => team.vault(key).await.map(|v| SharedVault(Arc::new(v))),
            Err(e) => Err(e),
        };
        let vault = vault_or_problem(opened, need, "opening the team vault")?;
        Self::open(
            &team.dir,
            Some(&team.database),
            apis,
            vault,
            None,
            NewDatabase::Encrypted,
        )
        .await
    }

    /// Opens the demo workspace in `dir` on `sandbox` (kept and shut down by
    /// [`Session::close`]), with the demo's encrypted vault file.
    ///
    /// Errors: the demo vault cannot be opened; the database.
    pub async fn demo(dir: &Path, sandbox: Sandbox) -> Result<Session> {
        let base = sandbox.base_url();
        match Self::demo_at(dir, &base).await {
            Ok(mut session) => {
                session.sandbox = Some(sandbox);
                Ok(session)
            }
            Err(e) => {
                sandbox.shutdown().await;
                Err(e)
            }
        }
    }

    /// Opens the demo workspace in `dir` on the sandbox at `base` (not owned by the session).
    ///
    /// Errors: the demo vault cannot be opened; the database.
    pub async fn demo_at(dir: &Path, base: &Url) -> Result<Session> {
        let passphrase = SecretString::from(DEMO_VAULT_PASSPHRASE.to_string());
        let vault = EncryptedFileVault::open(dir.join("vault.enc"), &passphrase).context("opening the demo vault")?;
        let vault = (Some(SharedVault(Arc::new(vault))), None);
        // Plain: synthetic data that people open with other tools (README, docs/SECURITY.md).
        Self::open(dir, None, &Apis::Sandbox(base.clone()), vault, None, NewDatabase::Plain).await
    }

    /// The workspace (shared: the scheduler holds another handle).
    pub fn workspace(&self) -> &Arc<Workspace> {
        &self.ws
    }

    /// The workspace folder.
    pub fn dir(&self) -> PathBuf {
        self.ws.dir().to_path_buf()
    }

    /// The vault (another handle on the one the workspace holds), for token health; `None`
    /// when it could not be opened ([`VaultNeed::Optional`]).
    pub fn vault(&self) -> Option<&SharedVault> {
        self.vault.as_ref()
    }

    /// Why the vault could not be opened, if it could not.
    pub fn vault_problem(&self) -> Option<&str> {
        self.vault_problem.as_deref()
    }

    /// Splits the session into the workspace, its vault and the demo's sandbox (the shell
    /// keeps them apart).
    pub fn into_parts(self) -> (Arc<Workspace>, Option<SharedVault>, Option<Sandbox>) {
        (self.ws, self.vault, self.sandbox)
    }

    /// Closes the store (when no other handle on the workspace is left) and shuts the
    /// sandbox down.
    pub async fn close(self) {
        match Arc::try_unwrap(self.ws) {
            Ok(ws) => ws.close().await,
            Err(_) => tracing::warn!("the workspace is still in use; its database closes when the last user ends"),
        }
        if let Some(sandbox) = self.sandbox {
            sandbox.shutdown().await;
        }
    }
}
