//! A workspace: store + token vault + platform clients, and what the UI and CLI do with them.

mod connect;
pub use connect::{tiktok_business_key, VaultBusinessTokens};

use crate::atomic::write_bytes_atomically;
use crate::error::{Context, Result};
use alcance_collector::{Clients, Progress, RunKind, RunSummary, Target};
use alcance_core::{AccountId, AccountRef, AccountStatus, ConnectionKind, Platform, Profile};
use alcance_platforms::governor::Governor;
use alcance_platforms::oauth::{self, BrowserOpener, OAuthApp, Provider, TokenSet};
use alcance_platforms::registry::{self, ClientDeps, ConnectKind, PlatformInfo};
use alcance_platforms::vault::{vault_key, TokenVault};
use alcance_platforms::{CollectWindow, Endpoints, Http, Recorder};
use alcance_report::export::ExportBundle;
use alcance_store::{AccountRow, RowFilter, Store};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// How to open a workspace.
pub struct WorkspaceOptions {
    /// Where the platform APIs live (real hosts, or the sandbox).
    pub endpoints: Endpoints,
    /// The token vault to use.
    pub vault: Box<dyn TokenVault>,
}

/// What [`Workspace::readiness`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readiness {
    /// The store engine: `sqlite` or `postgres`.
    pub engine: &'static str,
    /// The newest migration applied to the database (0 when none).
    pub applied_migration: i64,
    /// The newest migration this build knows.
    pub latest_migration: i64,
}

impl Readiness {
    /// `true` when every migration this build knows is applied.
    pub fn schema_current(&self) -> bool {
        self.applied_migration >= self.latest_migration
    }
}

/// An open workspace.
pub struct Workspace {
    dir: PathBuf,
    store: Store,
    vault: Arc<dyn TokenVault>,
    endpoints: Endpoints,
    clients: Clients,
    /// The HTTP layer (with the governor) the clients share, for calls outside a
    /// collection's clients (tracked hashtags, `crate::hashtags`).
    http: Http,
    /// The team database, for a team workspace ([`Workspace::open_team`]).
    team_database: Option<crate::PostgresUrl>,
}

/// Files written by [`Workspace::export_all`] (the names are `alcance-report`'s).
pub type ExportPaths = alcance_report::export::ExportFolder;

/// One client per platform of the registry on `http`, sharing one rate-limit governor
/// (see governor.rs); TikTok's Business tokens read from `vault`.
/// Also returns `http` with that governor, for the workspace's other calls.
fn platform_clients(http: Http, endpoints: &Endpoints, vault: &Arc<dyn TokenVault>) -> (Clients, Http) {
    let http = http.with_governor(Arc::new(Governor::new()));
    let deps = ClientDeps {
        http: &http,
        endpoints,
        tiktok_business: Arc::new(VaultBusinessTokens(vault.clone())),
    };
    let clients = registry::all().fold(Clients::new(), |clients, d| clients.with((d.client)(&deps)));
    (clients, http)
}

impl Workspace {
    /// Opens (creating if needed) the workspace in `dir`: runs the store's migrations and
    /// builds one client per platform against `options.endpoints`. A new workspace's
    /// database is encrypted (SQLCipher, AES-256) with a random key kept in
    /// `options.vault`; an existing one opens as it is, an encrypted one with its key from
    /// `options.vault` (see [`crate::at_rest`]).
    ///
    /// Errors: the folder cannot be created, the database is corrupt or not a database, an
    /// encrypted database's key is not in the vault, the vault refuses a new key.
    pub async fn open(dir: &Path, options: WorkspaceOptions) -> Result<Workspace> {
        Workspace::open_new_as(dir, options, crate::at_rest::NewDatabase::Encrypted).await
    }

    /// [`Workspace::open`], creating a missing database as `new` says (the demo workspace
    /// stays [`crate::at_rest::NewDatabase::Plain`]).
    ///
    /// Errors: as [`Workspace::open`].
    pub async fn open_new_as(
        dir: &Path,
        options: WorkspaceOptions,
        new: crate::at_rest::NewDatabase,
    ) -> Result<Workspace> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating the workspace folder {}", dir.display()))?;
        crate::backup::finish_interrupted_restore(dir)?;
        let store = crate::at_rest::open_database(&dir.join("alcance.db"), options.vault.as_ref(), new)
            .await
            .with_context(|| format!("opening the database in {}", dir.display()))?;
        Workspace::open_on(dir, store, options).await
    }

    /// Opens the team workspace in the PostgreSQL database `database` (migrating it when
    /// it is new or older), with `dir` as this member's local folder (logs, reports).
    ///
    /// Errors: the folder cannot be created; the database is unreachable, refuses the
    /// password, belongs to another application or was migrated by a newer Alcance (each a
    /// [`crate::StoreError`] naming the cause, never the password).
    pub async fn open_team(dir: &Path, database: &crate::PostgresUrl, options: WorkspaceOptions) -> Result<Workspace> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating the workspace folder {}", dir.display()))?;
        let store = Store::open_postgres(database.expose())
            .await
            .with_context(|| format!("opening the team database {database}"))?;
        let mut ws = Workspace::open_on(dir, store, options).await?;
        ws.team_database = Some(database.clone());
        Ok(ws)
    }

    /// Opens the workspace whose data lives in `store` (an open store on either engine,
    /// e.g. a team's PostgreSQL database), with `dir` holding its files (exports, backups,
    /// a file vault). `dir` must exist. Stored comments not scored by the current
    /// sentiment model are scored ([`crate::sentiment::rescore`]; a failure is logged).
    ///
    /// Errors: the HTTP client cannot be built.
    pub async fn open_on(dir: &Path, store: Store, options: WorkspaceOptions) -> Result<Workspace> {
        let vault: Arc<dyn TokenVault> = Arc::from(options.vault);
        let (clients, http) = platform_clients(Http::new()?, &options.endpoints, &vault);
        let ws = Workspace {
            dir: dir.to_path_buf(),
            store,
            vault,
            endpoints: options.endpoints,
            clients,
            http,
            team_database: None,
        };
        // Comments saved before they were scored, or scored by another model, are scored
        // now (best effort: the next open tries again; `alcance comments rescore` too).
        match crate::sentiment::rescore(&ws, false).await {
            Ok(done) if done.scored > 0 || done.cleared > 0 => {
                tracing::info!(
                    scored = done.scored,
                    cleared = done.cleared,
                    "comments' sentiment rescored"
                )
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "comments' sentiment was not rescored"),
        }
        Ok(ws)
    }

    /// This workspace with its platform clients rebuilt on an HTTP client whose requests
    /// time out after `request` (from sending to the last body byte; the default is
    /// [`alcance_platforms::http::REQUEST_TIMEOUT`], 30 s) and a fresh rate-limit governor:
    /// for tests that make a platform hang on purpose (the fault soak).
    ///
    /// Errors: the HTTP client cannot be built.
    pub fn with_request_timeout(mut self, request: Duration) -> Result<Workspace> {
        let http = Http::with_timeouts(request, alcance_platforms::http::CONNECT_TIMEOUT)?;
        (self.clients, self.http) = platform_clients(http, &self.endpoints, &self.vault);
        Ok(self)
    }

    /// The team database when this is a team workspace (opened with
    /// [`Workspace::open_team`]); `None` for a folder.
    pub fn team_database(&self) -> Option<&crate::PostgresUrl> {
        self.team_database.as_ref()
    }

    /// Whether the database answers and its schema is current: the newest migration
    /// applied to it and the newest this build knows (a server's `/readyz`).
    ///
    /// Errors: the database cannot be reached or read.
    pub async fn readiness(&self) -> Result<Readiness> {
        let applied_migration = self.store.applied_migration().await?;
        Ok(Readiness {
            engine: match self.store.engine() {
                alcance_store::Engine::Postgres => "postgres",
                _ => "sqlite",
            },
            applied_migration,
            latest_migration: self.store.latest_migration(),
        })
    }

    /// How the database is kept on disk, for the UI (see [`crate::at_rest::DatabaseAtRest`]).
    pub fn database_at_rest(&self) -> crate::at_rest::DatabaseAtRest {
        use crate::at_rest::DatabaseAtRest;
        match (self.store.engine(), self.store.is_encrypted()) {
            (alcance_store::Engine::Postgres, _) => DatabaseAtRest::Server,
            (_, true) => DatabaseAtRest::Encrypted,
            (_, false) => DatabaseAtRest::Plain,
        }
    }

    /// The workspace folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The store, for queries.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The workspace's vault (tokens, app secrets, the SMTP password).
    pub(crate) fn token_vault(&self) -> &dyn TokenVault {
        self.vault.as_ref()
    }

    /// The HTTP layer the platform clients share (with their rate-limit governor).
    pub(crate) fn http(&self) -> &Http {
        &self.http
    }

    /// The endpoints the workspace talks to.
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// Every platform as the UI lists it (label, connect form, help), from the registry.
    pub fn platforms() -> Vec<PlatformInfo> {
        registry::infos()
    }

    /// The OAuth provider description of `platform` on this workspace's endpoints.
    ///
    /// Errors: the platform connects with a pasted access token, not a browser flow.
    pub fn provider(&self, platform: Platform) -> Result<Provider> {
        let descriptor = registry::get(platform);
        descriptor
            .provider(&self.endpoints)
            .ok_or_else(|| match descriptor.connect {
                ConnectKind::AppPassword => crate::app_err!(
                    "{} connects with a handle and an app password (connect_bluesky), not a browser flow",
                    platform.label()
                ),
                _ => crate::app_err!(
                "{} connects with an access token and the business account id (connect_whatsapp), not a browser flow",
                platform.label()
            ),
            })
    }

    /// Connects an account through OAuth 2.0 (authorization code + PKCE, loopback
    /// redirect): opens `browser` on the platform's consent page, waits for the redirect,
    /// exchanges the code, asks the platform who the token belongs to, stores the token in
    /// the vault and the account in the store. Returns the stored account; where the token
    /// manages several accounts (LinkedIn pages) they are all stored
    /// ([`Self::connect_accounts`]) and the first is returned.
    ///
    /// Errors: consent denied or timed out, the platform refused the code, the vault is locked.
    pub async fn connect(&self, app: &OAuthApp, browser: &dyn BrowserOpener, timeout: Duration) -> Result<AccountRow> {
        let rows = self.connect_accounts(app, browser, timeout).await?;
        rows.into_iter()
            .next()
            .ok_or_else(|| crate::app_err!("the platform named no account for this token"))
    }

    /// [`Self::connect`], returning every account the token manages (at least one): one per
    /// administered LinkedIn page, else the token's owner. They share one vault entry (the
    /// first account's), which is removed when the last of them is disconnected.
    ///
    /// Errors: as [`Self::connect`]; the platform naming no account.
    pub async fn connect_accounts(
        &self,
        app: &OAuthApp,
        browser: &dyn BrowserOpener,
        timeout: Duration,
    ) -> Result<Vec<AccountRow>> {
        let platform = registry::get(app.platform);
        if platform.connect == ConnectKind::FacebookPages {
            return Err(crate::app_err!(
                "{} connects Pages (connect_facebook), not the user",
                platform.label()
            ));
        }
        if platform.connect == ConnectKind::HttpsRedirect {
            return Err(crate::app_err!(
                "{} accepts only HTTPS redirect URIs, so it cannot use the loopback flow: paste a long-lived token (connect_threads_token) or finish through the hosted callback page (connect_threads_code)",
                platform.label()
            ));
        }
        let provider = self.provider(app.platform)?;
        let mut tokens = oauth::authorize(app, &provider, browser, timeout)
            .await
            .with_context(|| format!("connecting {}", app.platform.label()))?;
        if let (Some(long_lived), Some(secret)) = (platform.long_lived, &app.client_secret) {
            let user_id = tokens.user_id.clone();
            let scope = tokens.scope.clone();
            tokens = long_lived(&self.endpoints, secret, &tokens.access_token)
                .await
                .with_context(|| format!("exchanging the {} token for a long-lived one", platform.label()))?;
            if tokens.user_id.is_none() {
                tokens.user_id = user_id;
            }
            // The exchange answer lists no scopes; the grant is the authorized one.
            if tokens.scope.is_none() {
                tokens.scope = scope;
            }
        }
        let client = self
            .clients
            .get(app.platform)
            .ok_or_else(|| crate::app_err!("no client for {}", app.platform))?;
        let profiles: Vec<Profile> = match client.owned_profiles(&tokens.access_token, &Recorder::new()).await {
            Ok(profiles) => profiles,
            // Instagram Login's token answer already names the user (`user_id`): when the
            // profile call fails the account is still known and collection reads it later.
            Err(e) if tokens.user_id.is_some() => {
                tracing::warn!(platform = %app.platform, error = %e, "whoami failed; using the token answer's user_id");
                vec![Profile::default()]
            }
            Err(e) => {
                return Err(crate::error::AppError::from(e).context("asking the platform who the token belongs to"))
            }
        };
        // One token, every account it manages (LinkedIn: each administered page), all
        // under the first account's vault entry.
        let mut accounts = Vec::with_capacity(profiles.len());
        for profile in profiles {
            let external_id = if profile.external_id.is_empty() {
                tokens
                    .user_id
                    .clone()
                    .ok_or_else(|| crate::app_err!("the platform did not say whose token this is"))?
            } else {
                profile.external_id.clone()
            };
            accounts.push((
                AccountRef {
                    platform: app.platform,
                    external_id,
                    username: profile.username.clone(),
                    owned: true,
                },
                profile.display_name,
            ));
        }
        let Some((first, _)) = accounts.first() else {
            return Err(crate::app_err!("the platform named no account for this token"));
        };
        let key = vault_key(app.platform, &first.external_id);
        self.store_tokens(&key, &tokens)?;
        crate::tokens::remember_app(&self.store, self.vault.as_ref(), app).await?;
        let mut rows = Vec::with_capacity(accounts.len());
        for (account, display_name) in &accounts {
            let row = self
                .register_owned(account, display_name.as_deref(), &key, ConnectionKind::Oauth)
                .await?;
            self.record_scopes(row.id, tokens.scope.as_deref(), &[]).await?;
            rows.push(row);
        }
        Ok(rows)
    }

    /// Records the scopes the platform reported as granted (`granted`: its `scope` text,
    /// any separator; `None` when it did not say) and declined on account `id`
    /// (`accounts.granted_scopes`, schema version 13), replacing what an earlier connect
    /// recorded.
    ///
    /// Errors: store errors.
    pub(crate) async fn record_scopes(&self, id: i64, granted: Option<&str>, declined: &[String]) -> Result<()> {
        let granted = granted.map(alcance_store::normalize_scopes).unwrap_or_default();
        self.store.set_account_scopes(id, &granted, declined).await?;
        Ok(())
    }

    /// Records a connected (owned) account whose tokens are already in the vault under
    /// `key`: inserts or updates it, marks it active, records how it was connected
    /// (`connection`, shown on the accounts screen), and returns its row.
    async fn register_owned(
        &self,
        account: &AccountRef,
        display_name: Option<&str>,
        key: &str,
        connection: ConnectionKind,
    ) -> Result<AccountRow> {
        let id = self.store.upsert_account(account, display_name, Some(key)).await?;
        self.store
            .set_account_status(id, alcance_core::AccountStatus::Active)
            .await?;
        self.store.set_account_connection(id, connection).await?;
        self.account(AccountId(id)).await
    }

    /// Adds a public profile to follow with an owned account's token (influencer tracking).
    /// Returns the stored account.
    pub async fn track(
        &self,
        platform: Platform,
        external_id: &str,
        username: Option<&str>,
        owner: &AccountRow,
    ) -> Result<AccountRow> {
        if owner.account.platform != platform {
            return Err(crate::app_err!(
                "a {} account cannot track a {} profile",
                owner.account.platform,
                platform
            ));
        }
        let account = AccountRef {
            platform,
            external_id: external_id.to_string(),
            username: username.map(str::to_string),
            owned: false,
        };
        let id = self
            .store
            .upsert_account(&account, None, owner.vault_key.as_deref())
            .await?;
        self.account(AccountId(id)).await
    }

    /// One stored account by id (`accounts.id`).
    ///
    /// Errors: no such account; store errors.
    pub async fn account(&self, id: AccountId) -> Result<AccountRow> {
        self.store
            .list_accounts()
            .await?
            .into_iter()
            .find(|a| id == a.id)
            .ok_or_else(|| crate::app_err!("account {id} not found"))
    }

    /// Disconnects account `id`: its status becomes `disconnected` (the scheduler and "sync
    /// now" leave it out), its token is removed from the vault unless another account still
    /// collects with it (tracked profiles and Facebook Pages share their owner's token), and
    /// its data stays for charts and exports. Connecting it again makes it `active`.
    /// Returns the updated account.
    ///
    /// Errors: unknown account; the store or the vault failed (the status change is kept).
    pub async fn disconnect(&self, id: AccountId) -> Result<AccountRow> {
        let account = self.account(id).await?;
        self.store
            .set_account_status(id.get(), alcance_core::AccountStatus::Disconnected)
            .await?;
        self.forget_token(&account).await?;
        self.account(id).await
    }

    /// Deletes account `id` with every metric, post, audience row and archived response of
    /// it (run events stay, without the account), and removes its token from the vault as
    /// [`Self::disconnect`] does. Irreversible. Logged in the audit log (`privacy-delete`)
    /// with the OS user as the actor ([`Self::delete_account_by`] names another).
    ///
    /// Errors: unknown account; the store or the vault failed.
    pub async fn delete_account(&self, id: AccountId) -> Result<()> {
        self.delete_account_by(id, &crate::privacy::os_user()).await
    }

    /// Removes `account`'s vault entries (and TikTok's API-for-Business token beside it)
    /// when no other account that is not disconnected uses the same entry, revoking the
    /// grant at the platform first where it offers a revocation ([`Self::revoke_grant`]).
    pub(crate) async fn forget_token(&self, account: &AccountRow) -> Result<()> {
        let connected_by = self.connected_by(account.id).await?;
        self.forget_tokens(account, connected_by.as_deref()).await
    }

    /// The platform user whose login connected account `id` (`accounts.connected_by`: a
    /// Facebook Page's Facebook user), when recorded.
    ///
    /// Errors: store errors.
    pub(crate) async fn connected_by(&self, id: i64) -> Result<Option<String>> {
        Ok(self
            .store
            .account_scopes()
            .await?
            .remove(&id)
            .and_then(|s| s.connected_by))
    }

    /// [`Self::forget_token`] with the account's connecting user read beforehand
    /// (`connected_by`; a deleted account's row is gone by now). A Facebook Page that is
    /// the last active account of its Facebook user also removes the app from that user
    /// ([`Self::remove_meta_app`]).
    pub(crate) async fn forget_tokens(&self, account: &AccountRow, connected_by: Option<&str>) -> Result<()> {
        if let Some(user) = connected_by {
            self.remove_meta_app(account, user).await?;
        }
        let Some(key) = account.vault_key.as_deref() else {
            return Ok(());
        };
        let shared = self.store.list_accounts().await?.iter().any(|a| {
            a.id != account.id && a.status != AccountStatus::Disconnected && a.vault_key.as_deref() == Some(key)
        });
        if shared {
            return Ok(());
        }
        self.revoke_grant(account.account.platform, key).await;
        self.vault.delete(key).context("removing the token from the vault")?;
        if account.account.platform == Platform::Tiktok {
            self.vault
                .delete(&tiktok_business_key(&account.account.external_id))
                .context("removing the TikTok Business token from the vault")?;
        }
        Ok(())
    }

    /// Revokes the grant stored under `key` at the platform's revocation endpoint
    /// ([`PlatformDescriptor::revoke`](alcance_platforms::registry::PlatformDescriptor):
    /// YouTube, Reddit, LinkedIn, Bluesky OAuth sessions) before the vault entry goes, with
    /// the developer app remembered for the platform. Best effort: a failure is logged
    /// (without the token) and the entry is removed anyway; platforms without a revocation
    /// leave the token to its own expiry.
    async fn revoke_grant(&self, platform: Platform, key: &str) {
        let Some(revoke) = registry::get(platform).revoke else {
            return;
        };
        let Ok(Some(json)) = self.vault.get(key) else {
            return;
        };
        let Ok(tokens) = TokenSet::from_vault_json(&json) else {
            return;
        };
        let app = crate::tokens::app_for(&self.store, self.vault.as_ref(), platform)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(%platform, error = %e, "the remembered app is unreadable; revoking without it");
                None
            });
        let http = match Http::new() {
            Ok(http) => http,
            Err(e) => {
                tracing::warn!(%platform, error = %e, "no HTTP client to revoke the token; the vault entry is removed anyway");
                return;
            }
        };
        let call = registry::RevokeCall {
            http,
            endpoints: &self.endpoints,
            app: app.as_ref(),
            tokens: &tokens,
        };
        match revoke(call).await {
            Ok(()) => tracing::info!(%platform, "token revoked at the platform"),
            Err(e) => {
                tracing::warn!(%platform, error = %e, "revoking the token failed; the vault entry is removed anyway")
            }
        }
    }

    /// When no other account that is not disconnected was connected by Facebook user
    /// `user` (`accounts.connected_by`), removes the app from that user at Meta (Graph
    /// `DELETE /me/permissions` with the user token, which also ends the Page tokens it
    /// handed out) and the user token's vault entry (`facebook/user-<id>`). Best effort at
    /// Meta: a failure is logged (without the token) and the entry is removed anyway.
    ///
    /// Errors: store or vault errors.
    async fn remove_meta_app(&self, account: &AccountRow, user: &str) -> Result<()> {
        if account.account.platform != Platform::Facebook {
            return Ok(());
        }
        let recorded = self.store.account_scopes().await?;
        let others = self.store.list_accounts().await?.into_iter().any(|a| {
            a.id != account.id
                && a.status != AccountStatus::Disconnected
                && recorded.get(&a.id).and_then(|s| s.connected_by.as_deref()) == Some(user)
        });
        if others {
            return Ok(());
        }
        let key = vault_key(Platform::Facebook, &format!("user-{user}"));
        let tokens = match self.vault.get(&key) {
            Ok(Some(json)) => TokenSet::from_vault_json(&json).ok(),
            _ => None,
        };
        if let Some(tokens) = tokens {
            let removed = match Http::new() {
                Ok(http) => alcance_platforms::facebook::FacebookClient::new(http, self.endpoints.clone())
                    .remove_app(&tokens.access_token)
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match removed {
                Ok(()) => tracing::info!("the app was removed from the Facebook user (DELETE /me/permissions)"),
                Err(e) => {
                    tracing::warn!(error = %e, "removing the app from the Facebook user failed; the token is removed anyway")
                }
            }
        }
        self.vault
            .delete(&key)
            .context("removing the Facebook user token from the vault")?;
        Ok(())
    }

    fn store_tokens(&self, key: &str, tokens: &TokenSet) -> Result<()> {
        self.vault
            .put(key, &tokens.to_vault_json())
            .context("saving the token in the vault")?;
        Ok(())
    }

    fn load_token(&self, key: Option<&str>) -> Option<secrecy::SecretString> {
        let key = key?;
        let json = self.vault.get(key).ok()??;
        TokenSet::from_vault_json(&json).ok().map(|t| t.access_token)
    }

    /// The platform clients, one per platform (for runs planned outside [`Self::collect`],
    /// e.g. the scheduler).
    pub fn clients(&self) -> &Clients {
        &self.clients
    }

    /// The collection target of a stored account: its id, identity and the token it
    /// collects with (its own, or its owner's for a tracked profile; `None` when the vault
    /// has none, which the run reports as needing re-authorization). Every run builds its
    /// targets here.
    pub fn target(&self, account: &AccountRow) -> Target {
        Target {
            account_id: account.id,
            account: account.account.clone(),
            token: self.load_token(account.vault_key.as_deref()),
        }
    }

    /// Collects every active account (or the ones in `only`, by store id) over `window`,
    /// stamping snapshots with `collected_at` (UTC).
    pub async fn collect(
        &self,
        window: CollectWindow,
        collected_at: DateTime<Utc>,
        kind: RunKind,
        only: &[i64],
        progress: &(dyn Fn(Progress) + Send + Sync),
    ) -> Result<RunSummary> {
        let accounts: Vec<AccountRow> = self
            .store
            .list_accounts()
            .await?
            .into_iter()
            .filter(|a| a.status != AccountStatus::Disconnected && a.status != AccountStatus::Paused)
            .filter(|a| only.is_empty() || only.contains(&a.id))
            .collect();
        // Renew tokens first; accounts whose token is dead are skipped and reported.
        let checks = self.refresh_tokens(&accounts).await;
        let skipped = crate::tokens::skipped(&checks);
        let targets: Vec<Target> = accounts
            .iter()
            .map(|a| {
                let mut target = self.target(a);
                if skipped.contains(&a.id) {
                    target.token = None;
                }
                target
            })
            .collect();
        let summary = alcance_collector::run(
            &self.store,
            &self.clients,
            &targets,
            window,
            collected_at,
            kind,
            progress,
        )
        .await?;
        crate::tokens::record(&self.store, summary.run_id, &checks, collected_at).await;
        crate::media::after_collection(self, collected_at).await;
        crate::hashtags::after_collection(self, summary.run_id, collected_at).await;
        crate::competitors::after_collection(self, summary.run_id, collected_at).await;
        // The demo reads comments once, after its last simulated day (`demo::run`): at every
        // one of its 90 days it would multiply its calls and its time.
        if kind != RunKind::Demo {
            crate::comments::after_collection(self, &summary, collected_at).await;
        }
        Ok(summary)
    }

    /// Renews the tokens of `accounts` that are due (see [`crate::tokens`]) and marks the
    /// accounts whose token is dead `needs_reauth`. Every run calls this before building
    /// its targets: give the accounts of [`crate::tokens::skipped`] no token, and log the
    /// checks with [`crate::tokens::record`] once the run has an id.
    pub async fn refresh_tokens(&self, accounts: &[AccountRow]) -> Vec<crate::tokens::TokenCheck> {
        crate::tokens::refresh_tokens(
            &self.store,
            self.vault.as_ref(),
            &self.endpoints,
            accounts,
            Utc::now(),
            &crate::tokens::RefreshRules::default(),
        )
        .await
    }

    /// Everything in the store matching `filter`, as an export bundle in memory (every
    /// row at once: for small selections and tests; the exports themselves stream,
    /// see [`Workspace::export_all`]).
    pub async fn bundle(&self, filter: &RowFilter) -> Result<ExportBundle> {
        let accounts = self.store.list_accounts().await?;
        let account_metrics = self.store.account_metric_rows(filter).await?;
        let post_metrics = self.store.post_metric_rows(filter).await?;
        let posts = self.store.posts(filter).await?;
        let audience = self.store.audience_rows(filter).await?;
        Ok(ExportBundle {
            generated_at: Utc::now(),
            accounts: crate::reports::account_infos(&accounts),
            account_metrics,
            post_metrics,
            posts: posts.into_iter().map(crate::reports::post_info).collect(),
            audience: audience
                .into_iter()
                .filter_map(crate::export_source::audience_info)
                .collect(),
        })
    }

    /// Writes the CSV, JSON and XLSX exports of everything matching `filter` into `out`
    /// (the same files as [`Workspace::bundle`] written by
    /// [`alcance_report::export::write_folder`]), reading the rows in keyset pages as the
    /// files are written (on Tokio's blocking pool), so memory stays flat whatever the
    /// workspace holds. Every account of the workspace is listed.
    ///
    /// Errors: reading the store, writing the files (a full disk leaves no partial file).
    pub async fn export_all(&self, filter: &RowFilter, out: &Path) -> Result<ExportPaths> {
        let accounts = crate::reports::account_infos(&self.store.list_accounts().await?);
        let source = crate::export_source::StoreSource::new(self.store.clone(), filter.clone(), accounts, Utc::now());
        let dir = out.to_path_buf();
        tokio::task::spawn_blocking(move || alcance_report::export::write_folder(&source, &dir))
            .await
            .context("writing the exports")?
            .context("writing the exports")
    }

    /// Renders the engagement-trend and follower-growth charts (SVG and PNG) into `out`.
    /// Returns the written files.
    pub async fn render_charts(&self, filter: &RowFilter, out: &Path) -> Result<Vec<PathBuf>> {
        use alcance_report::chart::{render_png, render_svg, LineChart};
        std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
        // Each chart reads only the metrics it draws (followers; the interaction metrics),
        // not every row of the selection.
        let only = |wanted: &[&str]| {
            let metrics: Vec<alcance_core::MetricKey> = if filter.metrics.is_empty() {
                wanted.iter().map(|m| (*m).into()).collect()
            } else {
                filter
                    .metrics
                    .iter()
                    .filter(|m| wanted.contains(&m.0.as_str()))
                    .cloned()
                    .collect()
            };
            RowFilter {
                metrics,
                ..filter.clone()
            }
        };
        let followers = only(&["followers"]);
        let interactions = only(&alcance_report::series::INTERACTION_METRICS);
        let account_rows = if followers.metrics.is_empty() {
            Vec::new()
        } else {
            self.store.account_metric_rows(&followers).await?
        };
        let post_rows = if interactions.metrics.is_empty() {
            Vec::new()
        } else {
            self.store.post_metric_rows(&interactions).await?
        };
        let usernames = crate::views::usernames_by_account(&self.store.list_accounts().await?);
        let charts = [
            (
                "follower_growth",
                LineChart {
                    title: "Follower growth".into(),
                    y_label: "Followers".into(),
                    series: alcance_report::series::follower_growth(&account_rows),
                    width: 1200,
                    height: 600,
                },
            ),
            (
                "engagement_trend",
                LineChart {
                    title: "Engagement trend (interactions per day)".into(),
                    y_label: "Interactions".into(),
                    series: alcance_report::series::engagement_trend(&post_rows, &usernames),
                    width: 1200,
                    height: 600,
                },
            ),
        ];
        let mut written = Vec::new();
        for (name, chart) in charts {
            let svg = out.join(format!("{name}.svg"));
            let png = out.join(format!("{name}.png"));
            let svg_text = render_svg(&chart)?;
            write_bytes_atomically(&svg, svg_text.as_bytes())?;
            let png_bytes = render_png(&chart)?;
            write_bytes_atomically(&png, &png_bytes)?;
            written.push(svg);
            written.push(png);
        }
        Ok(written)
    }

    /// Closes the store (flushes the WAL).
    pub async fn close(self) {
        self.store.close().await;
    }
}
