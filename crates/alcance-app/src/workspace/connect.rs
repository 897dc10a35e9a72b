//! Connecting Facebook Pages, WhatsApp Business, TikTok and Bluesky accounts: each
//! platform's own documented flow (platform-apis.md §2.2, §5, §6.1; platform-apis-more.md
//! §5.2), ending like every connect: the token in the vault, the account in the store. Also
//! following a public profile by its handle (X user lookup, Instagram business discovery,
//! Bluesky handle resolution) with an owned account of the same platform.

use super::Workspace;
use crate::error::{Context, Result};
use alcance_core::{AccountId, AccountRef, AccountStatus, ConnectionKind, Platform};
use alcance_platforms::bluesky::oauth as bluesky_oauth;
use alcance_platforms::bluesky::BlueskyClient;
use alcance_platforms::facebook::FacebookClient;
use alcance_platforms::oauth::{self, BrowserOpener, OAuthApp, Provider, TokenSet};
use alcance_platforms::registry::{self, Follow, Lookup};
use alcance_platforms::threads::ThreadsClient;
use alcance_platforms::tiktok::BusinessTokens;
use alcance_platforms::vault::{vault_key, TokenVault};
use alcance_platforms::whatsapp::WhatsAppClient;
use alcance_platforms::{Http, PlatformError, Recorder};
use alcance_store::AccountRow;
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;

/// The vault entry holding a TikTok account's API-for-Business token, beside its Display
/// API token (`vault_key(Tiktok, open_id)`).
pub fn tiktok_business_key(open_id: &str) -> String {
    format!("{}/business", vault_key(Platform::Tiktok, open_id))
}

/// TikTok Business tokens read from the workspace vault (see [`tiktok_business_key`]).
pub struct VaultBusinessTokens(pub Arc<dyn TokenVault>);

impl BusinessTokens for VaultBusinessTokens {
    fn business_token(&self, account: &AccountRef) -> Option<SecretString> {
        let json = self.0.get(&tiktok_business_key(&account.external_id)).ok()??;
        TokenSet::from_vault_json(&json).ok().map(|t| t.access_token)
    }
}

impl Workspace {
    /// Connects the Facebook Pages a user manages: Facebook Login (authorization code,
    /// loopback redirect), the long-lived user-token exchange (needs the app secret), then
    /// `me/accounts` for the page tokens. Every page comes back as an owned account whose
    /// page token (which does not expire) is in the vault; pages without the `ANALYZE`
    /// task are connected too and collect their public counts with a `permission` gap.
    ///
    /// Errors: consent denied or timed out, no app secret, the platform refused the code,
    /// the user manages no page.
    pub async fn connect_facebook(
        &self,
        app: &OAuthApp,
        browser: &dyn BrowserOpener,
        timeout: Duration,
    ) -> Result<Vec<AccountRow>> {
        let provider = Provider::facebook_login(&self.endpoints);
        let short = oauth::authorize(app, &provider, browser, timeout)
            .await
            .context("connecting Facebook")?;
        let user = oauth::exchange_facebook_long_lived(app, &provider, &short.access_token)
            .await
            .context("exchanging the Facebook token for a long-lived one (needs the app secret)")?;
        let client = FacebookClient::new(Http::new()?, self.endpoints.clone());
        let rec = Recorder::new();
        let me = client
            .me(&user.access_token, &rec)
            .await
            .context("reading the Facebook user")?;
        self.vault
            .put(
                &vault_key(Platform::Facebook, &format!("user-{}", me.external_id)),
                &user.to_vault_json(),
            )
            .context("saving the Facebook user token in the vault")?;
        // What the user granted and declined on the consent screen (issue 13 point 6):
        // recorded on every Page. Best effort: the Pages connect without it.
        let permissions = match client.permissions(&user.access_token, &rec).await {
            Ok(p) => Some(p),
            Err(e) => {
                tracing::warn!(error = %e, "reading the Facebook user's permissions failed");
                None
            }
        };
        let pages = client
            .pages(&user.access_token, &rec)
            .await
            .context("listing the user's Pages")?;
        if pages.is_empty() {
            return Err(crate::app_err!("this Facebook user manages no Page Alcance can read"));
        }
        let mut rows = Vec::with_capacity(pages.len());
        for page in pages {
            let key = vault_key(Platform::Facebook, &page.id);
            let tokens = TokenSet {
                access_token: page.token.clone(),
                refresh_token: None,
                expires_at: None,
                scope: None,
                user_id: Some(page.id.clone()),
                binding: None,
            };
            self.vault
                .put(&key, &tokens.to_vault_json())
                .context("saving the Page token in the vault")?;
            let account = AccountRef {
                platform: Platform::Facebook,
                external_id: page.id.clone(),
                username: None,
                owned: true,
            };
            let row = self
                .register_owned(&account, page.name.as_deref(), &key, ConnectionKind::Oauth)
                .await?;
            match &permissions {
                Some(p) => {
                    self.record_scopes(row.id, Some(p.granted.join(" ").as_str()), &p.declined)
                        .await?
                }
                None => self.record_scopes(row.id, None, &[]).await?,
            }
            self.store
                .set_account_connected_by(row.id, Some(&me.external_id))
                .await?;
            rows.push(row);
        }
        Ok(rows)
    }

    /// Connects a WhatsApp Business Account with a system-user token the user pasted
    /// (Business Manager → System users), validated by a call before it is stored.
    ///
    /// Errors: the token is refused (`unauthorized`), the WABA id is unknown or not
    /// readable with that token.
    pub async fn connect_whatsapp(&self, token: SecretString, waba_id: &str) -> Result<AccountRow> {
        let waba_id = waba_id.trim();
        if waba_id.is_empty() || !waba_id.chars().all(|c| c.is_ascii_digit()) {
            return Err(crate::app_err!(
                "a WhatsApp Business Account id is a number (Business Manager → WhatsApp accounts)"
            ));
        }
        let client = WhatsAppClient::new(Http::new()?, self.endpoints.clone());
        let profile = client
            .validate(&token, waba_id, &Recorder::new())
            .await
            .context("checking the token against the WhatsApp Business Account")?;
        let key = vault_key(Platform::Whatsapp, waba_id);
        let tokens = TokenSet {
            access_token: token,
            refresh_token: None,
            expires_at: None,
            scope: None,
            user_id: Some(waba_id.to_string()),
            binding: None,
        };
        self.vault
            .put(&key, &tokens.to_vault_json())
            .context("saving the token in the vault")?;
        let account = AccountRef {
            platform: Platform::Whatsapp,
            external_id: waba_id.to_string(),
            username: profile.username.clone(),
            owned: true,
        };
        self.register_owned(&account, profile.display_name.as_deref(), &key, ConnectionKind::Token)
            .await
    }

    /// Connects a Bluesky account with its handle (or DID) and an **app password** the user
    /// created in Bluesky (Settings → Privacy and security → App passwords): one
    /// `com.atproto.server.createSession` on the PDS entryway. The app password is not
    /// kept; the session's `accessJwt` / `refreshJwt` go to the vault (renewed later by
    /// `refreshSession`), never to the store or a log. The account is stored by its DID.
    ///
    /// Only accounts hosted by Bluesky (`bsky.social`) can connect this way for now: a
    /// self-hosted PDS would need the DID document's `#atproto_pds` endpoint. AT Protocol
    /// OAuth is [`Self::connect_bluesky_oauth`].
    ///
    /// Errors: an empty handle; a password that is not an app password (refused before any
    /// call: `xxxx-xxxx-xxxx-xxxx`), or one Bluesky reports as the account password
    /// ([`PlatformError::Forbidden`] in the chain); a wrong handle or app password
    /// ([`PlatformError::Unauthorized`]); an inactive account; vault or store errors.
    pub async fn connect_bluesky(&self, handle: &str, app_password: SecretString) -> Result<AccountRow> {
        let handle = handle.trim().trim_start_matches('@');
        if handle.is_empty() {
            return Err(crate::app_err!(
                "type the Bluesky handle (alice.bsky.social) the app password belongs to"
            ));
        }
        let client = BlueskyClient::new(Http::new()?, self.endpoints.clone());
        let rec = Recorder::new();
        let session = client
            .create_session(handle, &app_password, &rec)
            .await
            .context("opening a Bluesky session with the app password")?;
        drop(app_password);
        let profile = client
            .profile(&session.did, &rec)
            .await
            .context("reading the Bluesky profile")?;
        let key = vault_key(Platform::Bluesky, &session.did);
        self.vault
            .put(&key, &session.to_token_set(chrono::Utc::now()).to_vault_json())
            .context("saving the Bluesky session in the vault")?;
        let account = AccountRef {
            platform: Platform::Bluesky,
            external_id: session.did.clone(),
            username: Some(session.handle.clone()),
            owned: true,
        };
        self.register_owned(
            &account,
            profile.display_name.as_deref(),
            &key,
            ConnectionKind::AppPassword,
        )
        .await
    }

    /// Connects a Bluesky account with **AT Protocol OAuth** in the browser (the standard
    /// sign-in; no app password): the handle is resolved to its DID on the public AppView,
    /// then PAR + PKCE S256 + DPoP on the PDS's authorization server
    /// ([`alcance_platforms::bluesky::oauth::authorize`]), the loopback redirect on
    /// `127.0.0.1` (port `port`, `0` for a free one), and the token answer's `sub` checked
    /// against the DID. The DPoP-bound tokens and their key go to the vault; the account is
    /// stored by its DID. `client_id`: a hosted client-metadata URL, or `None` for the
    /// localhost development client id.
    ///
    /// Errors: an empty or unknown handle ([`PlatformError::NotFound`] in the chain);
    /// consent denied, the timeout, a refused PAR or code, tokens for another account
    /// ([`PlatformError::OAuth`]); vault or store errors.
    pub async fn connect_bluesky_oauth(
        &self,
        handle: &str,
        client_id: Option<String>,
        port: u16,
        browser: &dyn BrowserOpener,
        timeout: Duration,
    ) -> Result<AccountRow> {
        let handle = handle.trim().trim_start_matches('@');
        if handle.is_empty() {
            return Err(crate::app_err!(
                "type the Bluesky handle (alice.bsky.social) to sign in with"
            ));
        }
        let client = BlueskyClient::new(Http::new()?, self.endpoints.clone());
        let rec = Recorder::new();
        let did = if handle.starts_with("did:") {
            handle.to_string()
        } else {
            client
                .resolve_handle(handle, &rec)
                .await
                .context("resolving the Bluesky handle")?
        };
        let auth = bluesky_oauth::Authorization {
            did: did.clone(),
            handle: handle.to_string(),
            client_id,
            port,
        };
        let tokens = bluesky_oauth::authorize(&self.endpoints.bluesky_pds, &auth, browser, timeout)
            .await
            .context("signing in to Bluesky")?;
        let profile = client
            .profile(&did, &rec)
            .await
            .context("reading the Bluesky profile")?;
        let key = vault_key(Platform::Bluesky, &did);
        self.vault
            .put(&key, &tokens.to_vault_json())
            .context("saving the Bluesky session in the vault")?;
        let account = AccountRef {
            platform: Platform::Bluesky,
            external_id: did,
            username: Some(profile.handle.clone()),
            owned: true,
        };
        let row = self
            .register_owned(&account, profile.display_name.as_deref(), &key, ConnectionKind::Oauth)
            .await?;
        self.record_scopes(row.id, tokens.scope.as_deref(), &[]).await?;
        Ok(row)
    }

    /// Connects a Threads account with a **long-lived token** the user pasted (Meta's app
    /// dashboard → Use cases → Threads API → Settings → User Token Generator), validated by
    /// `GET /me` before it is stored. The token goes to the vault (never the store or a
    /// log) with an assumed expiry of 60 days from now (the generator's tokens live 60
    /// days; the real expiry is not readable without the app secret, so this is inferred):
    /// the token upkeep refreshes it once it is a day old
    /// (`refresh_access_token?grant_type=th_refresh_token`), which sets the real expiry.
    /// The account is stored by its Threads user id.
    ///
    /// Errors: an empty token; the token is refused ([`PlatformError::Unauthorized`] in the
    /// chain) or lacks `threads_basic`; vault or store errors.
    pub async fn connect_threads_token(&self, token: SecretString) -> Result<AccountRow> {
        use secrecy::ExposeSecret;
        let trimmed = token.expose_secret().trim().to_string();
        if trimmed.is_empty() {
            return Err(crate::app_err!(
                "paste the Threads long-lived token (User Token Generator in the Meta app dashboard)"
            ));
        }
        let token = SecretString::from(trimmed);
        let client = ThreadsClient::new(Http::new()?, self.endpoints.clone());
        let profile = client
            .me(&token, &Recorder::new())
            .await
            .context("checking the Threads token with /me")?;
        let tokens = TokenSet {
            refresh_token: Some(token.clone()),
            access_token: token,
            expires_at: Some(chrono::Utc::now() + chrono::Duration::days(60)),
            scope: None,
            user_id: Some(profile.external_id.clone()),
            binding: None,
        };
        self.register_threads(&profile, &tokens, ConnectionKind::Token).await
    }

    /// Connects a Threads account with an **authorization code** that reached the app
    /// outside the loopback listener (the hosted callback page of `docs/threads-callback/`
    /// through the `alcance://threads/callback` deep link, or a team server's HTTPS
    /// callback): code → 1 h token → 60-day token
    /// ([`oauth::exchange_threads_code`], needs the Threads app secret), then `GET /me`,
    /// the token in the vault and the app remembered for refreshes. `redirect_uri` must be
    /// exactly the HTTPS URI of the authorize request. The caller checks `state` before.
    ///
    /// Errors: no app secret, a redirect URI that is not HTTPS, the code refused or
    /// expired, the token refused by `/me`; vault or store errors.
    pub async fn connect_threads_code(
        &self,
        app: &OAuthApp,
        code: &SecretString,
        redirect_uri: &str,
    ) -> Result<AccountRow> {
        let tokens = oauth::exchange_threads_code(&self.endpoints, app, code, redirect_uri)
            .await
            .context("exchanging the Threads code for a long-lived token")?;
        self.finish_threads(app, tokens).await
    }

    /// Completes a Threads connect whose authorize URL was built by `request` (the
    /// desktop's deep-link flow keeps it while the browser is open): the code is exchanged
    /// with the request's redirect URI and PKCE verifier, then for a 60-day token.
    ///
    /// Errors: as [`Self::connect_threads_code`].
    pub async fn connect_threads_authorized(
        &self,
        app: &OAuthApp,
        request: oauth::AuthorizeRequest,
        code: &SecretString,
    ) -> Result<AccountRow> {
        let secret = app
            .client_secret
            .clone()
            .ok_or_else(|| crate::app_err!("Threads needs the Threads app secret to exchange the code"))?;
        let provider = Provider::threads(&self.endpoints);
        let short = request
            .exchange(app, &provider, code)
            .await
            .context("exchanging the Threads code")?;
        let mut tokens = oauth::exchange_threads_long_lived(&self.endpoints, &secret, &short.access_token)
            .await
            .context("exchanging the Threads token for a long-lived one")?;
        if tokens.user_id.is_none() {
            tokens.user_id = short.user_id;
        }
        self.finish_threads(app, tokens).await
    }

    async fn finish_threads(&self, app: &OAuthApp, tokens: TokenSet) -> Result<AccountRow> {
        let client = ThreadsClient::new(Http::new()?, self.endpoints.clone());
        let profile = client
            .me(&tokens.access_token, &Recorder::new())
            .await
            .context("reading the Threads profile")?;
        let row = self.register_threads(&profile, &tokens, ConnectionKind::Oauth).await?;
        crate::tokens::remember_app(&self.store, self.vault.as_ref(), app).await?;
        Ok(row)
    }

    async fn register_threads(
        &self,
        profile: &alcance_core::Profile,
        tokens: &TokenSet,
        connection: ConnectionKind,
    ) -> Result<AccountRow> {
        let key = vault_key(Platform::Threads, &profile.external_id);
        self.vault
            .put(&key, &tokens.to_vault_json())
            .context("saving the Threads token in the vault")?;
        let account = AccountRef {
            platform: Platform::Threads,
            external_id: profile.external_id.clone(),
            username: profile.username.clone(),
            owned: true,
        };
        let row = self
            .register_owned(&account, profile.display_name.as_deref(), &key, connection)
            .await?;
        self.record_scopes(row.id, tokens.scope.as_deref(), &[]).await?;
        Ok(row)
    }

    /// Stores a TikTok API-for-Business token for a connected TikTok account, so its
    /// collections add daily account metrics, audience and per-video reach / watch time.
    pub fn set_tiktok_business_token(&self, open_id: &str, tokens: &TokenSet) -> Result<()> {
        self.vault
            .put(&tiktok_business_key(open_id), &tokens.to_vault_json())
            .context("saving the TikTok Business token in the vault")
    }

    /// Uses a TikTok account's Display API token for its API-for-Business calls too. Only
    /// for the sandbox (the demo), whose Business API accepts that token; a real account
    /// connects Business through TikTok's own `tt_user` authorization.
    pub fn use_display_token_for_tiktok_business(&self, account: &AccountRow) -> Result<()> {
        let key = account
            .vault_key
            .as_deref()
            .ok_or_else(|| crate::app_err!("the TikTok account has no token"))?;
        let json = self
            .vault
            .get(key)?
            .ok_or_else(|| crate::app_err!("the TikTok token is not in the vault"))?;
        self.vault
            .put(&tiktok_business_key(&account.account.external_id), &json)?;
        Ok(())
    }

    /// The handle to follow on `platform`, as the platform spells it: `raw` trimmed, one
    /// leading `@` dropped, checked against the registry's handle rules (X handles are 1–15
    /// of `[A-Za-z0-9_]`, Instagram usernames 1–30 of `[A-Za-z0-9._]`). No network call.
    ///
    /// Errors: the platform's API does not allow following profiles the user does not
    /// manage (Facebook Pages, WhatsApp, TikTok; see [`Self::track_by_username`]); the handle
    /// is empty or not a legal handle of the platform (the message quotes it).
    pub fn track_handle(platform: Platform, raw: &str) -> Result<String> {
        let (max, allowed, what) = match registry::get(platform).follow {
            Follow::ByHandle {
                max_len,
                allowed,
                allowed_text,
                ..
            } => (max_len, allowed, allowed_text),
            Follow::Unsupported(why) => return Err(not_followable(platform, why)),
        };
        let trimmed = raw.trim();
        let handle = trimmed.strip_prefix('@').unwrap_or(trimmed);
        if handle.is_empty() {
            return Err(crate::app_err!("type the {} handle to follow", platform.label()));
        }
        if handle.chars().count() > max || !handle.chars().all(allowed) {
            return Err(crate::app_err!(
                "{raw:?} is not a valid {} handle: 1 to {max} {what}",
                platform.label()
            ));
        }
        Ok(handle.to_string())
    }

    /// The owned account `owner_account_id` whose token follows `platform` profiles: it
    /// must be an account of that platform connected by the user (not a tracked profile),
    /// not disconnected, with its token in the vault.
    ///
    /// Errors: no such account ([`alcance_store::StoreError::NotFound`] in the chain);
    /// otherwise a message saying which condition failed.
    pub async fn track_owner(&self, platform: Platform, owner_account_id: AccountId) -> Result<AccountRow> {
        let owner = self
            .store
            .account(owner_account_id.get())
            .await
            .with_context(|| format!("choosing the account to follow with (id {owner_account_id})"))?;
        let name = account_name(&owner);
        if owner.account.platform != platform {
            return Err(crate::app_err!(
                "{name} belongs to {}, not {}: follow {} profiles with one of your {} accounts",
                owner.account.platform.label(),
                platform.label(),
                platform.label(),
                platform.label()
            ));
        }
        if !owner.account.owned {
            return Err(crate::app_err!(
                "{name} is a followed profile, not an account you connected: pick one of your {} accounts",
                platform.label()
            ));
        }
        if owner.status == AccountStatus::Disconnected {
            return Err(crate::app_err!("{name} is disconnected: connect it again first"));
        }
        if self.load_token(owner.vault_key.as_deref()).is_none() {
            return Err(crate::app_err!(
                "{name} has no token in the vault: connect it again first"
            ));
        }
        Ok(owner)
    }

    /// Follows a public profile by its handle (an influencer, a competitor) with the token
    /// of the owned account `owner_account_id` of the same platform, then stores it as a
    /// tracked account ([`Self::track`]) that collects with that token. Returns the stored
    /// account; following the same profile again returns the same account (same id), and
    /// resumes it when it was disconnected.
    ///
    /// The handle is checked by [`Self::track_handle`] and the owner by
    /// [`Self::track_owner`]; the owner's token is renewed first when due. Resolution:
    /// X `GET /2/users/by/username/{handle}`; Instagram business discovery
    /// (`GET /{owner-ig-id}?fields=business_discovery.username(<handle>){…}`), which only
    /// finds Business and Creator accounts; Bluesky `com.atproto.identity.resolveHandle`
    /// then `app.bsky.actor.getProfile` on the public AppView (the owner's token is not sent;
    /// a handle without a dot means `<handle>.bsky.social`). Facebook Pages (reading another Page needs
    /// Meta's Page Public Content Access), WhatsApp and TikTok (their APIs read only the
    /// connected account) cannot follow profiles.
    ///
    /// Errors: those of [`Self::track_handle`] and [`Self::track_owner`]; the owner's token
    /// was refused on renewal ([`PlatformError::Unauthorized`] in the chain; the owner is
    /// marked `needs_reauth`); no profile has this handle ([`PlatformError::NotFound`] in
    /// the chain, the message names the handle); the handle is one of the user's own
    /// connected accounts; any other [`PlatformError`] of the lookup (rate limit, refused
    /// token); store errors.
    pub async fn track_by_username(
        &self,
        platform: Platform,
        username: &str,
        owner_account_id: AccountId,
    ) -> Result<AccountRow> {
        let handle = Self::track_handle(platform, username)?;
        let owner = self.track_owner(platform, owner_account_id).await?;
        let checks = self.refresh_tokens(std::slice::from_ref(&owner)).await;
        if crate::tokens::skipped(&checks).contains(&owner.id) {
            let message = checks
                .iter()
                .find_map(|c| match &c.action {
                    crate::tokens::TokenAction::NeedsReauth { message, .. } => Some(message.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| "the token was refused on renewal".to_string());
            return Err(
                crate::error::AppError::from(PlatformError::Unauthorized { message }).context(format!(
                    "the token of {} was refused: connect it again, then follow @{handle}",
                    account_name(&owner)
                )),
            );
        }
        let token = self
            .load_token(owner.vault_key.as_deref())
            .ok_or_else(|| crate::app_err!("{} has no token in the vault", account_name(&owner)))?;
        let rec = Recorder::new();
        let (lookup, not_found) = match registry::get(platform).follow {
            Follow::ByHandle { lookup, not_found, .. } => (lookup, not_found),
            Follow::Unsupported(why) => return Err(not_followable(platform, why)),
        };
        let profile = lookup(Lookup {
            http: Http::new()?,
            endpoints: &self.endpoints,
            token: &token,
            owner_external_id: &owner.account.external_id,
            handle: &handle,
            recorder: &rec,
        })
        .await
        .map_err(|e| {
            lookup_error(
                e,
                not_found(&handle),
                format!("looking up @{handle} on {}", platform.label()),
            )
        })?;
        let (external_id, found_name, display_name) = (
            profile.external_id,
            profile.username.unwrap_or_else(|| handle.clone()),
            profile.display_name,
        );
        let known = self.store.list_accounts().await?;
        if known
            .iter()
            .any(|a| a.account.owned && a.account.platform == platform && a.account.external_id == external_id)
        {
            return Err(crate::app_err!(
                "@{found_name} is one of your connected {} accounts: it is collected already",
                platform.label()
            ));
        }
        let row = self.track(platform, &external_id, Some(&found_name), &owner).await?;
        match display_name.as_deref().map(str::trim) {
            Some(name) if !name.is_empty() && row.display_name.is_none() => {
                self.store.upsert_account(&row.account, Some(name), None).await?;
                self.account(AccountId(row.id)).await
            }
            _ => Ok(row),
        }
    }

    /// Checks that a client exists for every platform (used by tests and the UI).
    pub fn supports(&self, platform: Platform) -> bool {
        self.clients
            .get(platform)
            .map(|c| c.platform() == platform)
            .unwrap_or(false)
    }
}

/// Why profiles the user does not manage cannot be followed on `platform` (`why` from the
/// registry: Facebook Pages, WhatsApp, TikTok; see platform-apis.md §3, §5, §6).
fn not_followable(platform: Platform, why: &str) -> crate::error::AppError {
    crate::app_err!(
        "{}'s API does not allow following profiles you do not manage: {why}",
        platform.label()
    )
}

/// `@handle (Platform)`, or `account <id> (Platform)` without a handle.
fn account_name(row: &AccountRow) -> String {
    match row.account.username.as_deref() {
        Some(u) => format!("@{u} ({})", row.account.platform.label()),
        None => format!("account {} ({})", row.id, row.account.platform.label()),
    }
}

/// A failed profile lookup as an error: an unknown handle (`NotFound`, or Meta's
/// "cannot find user" code 110) becomes [`PlatformError::NotFound`] under `not_found`;
/// anything else keeps its variant, under `lookup`.
fn lookup_error(e: PlatformError, not_found: String, lookup: String) -> crate::error::AppError {
    match e {
        PlatformError::NotFound { .. } => crate::error::AppError::from(e).context(not_found),
        PlatformError::Api {
            code: Some(ref code), ..
        } if code == "meta_110" || code.starts_with("meta_110_") => {
            let message = e.to_string();
            crate::error::AppError::from(PlatformError::NotFound { message }).context(not_found)
        }
        e => crate::error::AppError::from(e).context(lookup),
    }
}
