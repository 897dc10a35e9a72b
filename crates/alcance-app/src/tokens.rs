//! Token upkeep before each collection: refresh ahead of expiry, store rotated tokens
//! before using them, and mark accounts whose token cannot be renewed `needs_reauth` so
//! they are skipped and reported while the others keep collecting.
//!
//! Each platform's descriptor in the registry (`alcance_platforms::registry`) names its
//! [`Renewal`] kind and its OAuth provider; the durations are [`RefreshRules`]
//! (platform-apis.md §1.2, §2.2, §4.1, §6.1), all times UTC:
//!
//! | renewal kind (platforms today) | token | renewed when | how |
//! |---|---|---|---|
//! | [`Renewal::RefreshBeforeExpiry`] (X; TikTok, **rotating**; YouTube; LinkedIn) | access 2 h, refresh token (X with `offline.access`, TikTok 180 days); LinkedIn access 60 days, a refresh token (365 days, not rotated) only for apps LinkedIn approved: without one the token is kept until it expires, the Accounts screen shows it `expires_soon` from 7 days before, then the page needs re-authorization | within [`RefreshRules::access_margin`] (10 min) of expiry | `grant_type=refresh_token`; a rotated refresh token replaces the old one |
//! | [`Renewal::RefreshWhenAged`] (Instagram Login; Threads) | long-lived 60 days (a pasted Threads token is assumed 60 days from its connect) | at least [`RefreshRules::instagram_min_age`] (24 h) old | `GET refresh_access_token?grant_type=ig_refresh_token` / `th_refresh_token` (no app needed) |
//! | [`Renewal::ExchangeBeforeExpiry`] (Facebook) | long-lived user token 60 days | within [`RefreshRules::facebook_window`] (10 days) of expiry | `fb_exchange_token` re-exchange (needs the app secret) |
//! | [`Renewal::Never`] (WhatsApp) | system-user token, usually without expiry | never; an expired token needs re-auth | — |
//! | [`Renewal::RefreshSession`] (Bluesky, **rotating**) | app password: access JWT about 2 h (its `exp`), refresh JWT; AT Protocol OAuth: access token 30 min, single-use refresh token, session about 7 days | within [`RefreshRules::access_margin`] (10 min) of expiry | app password: `POST com.atproto.server.refreshSession` with the refresh JWT as bearer; OAuth: `grant_type=refresh_token` at the stored token endpoint with a DPoP proof from the stored key; no developer app; the rotated refresh token is stored before use |
//! | TikTok API for Business (§6.2) | access 24 h, refresh 1 year from the authorization | within 10 min of expiry | `POST tt_user/oauth2/refresh_token/` with the TikTok app id and secret; the answered refresh token is stored |
//!
//! The API-for-Business token of a TikTok account sits beside its Display token, under
//! [`tiktok_business_key`]. It is renewed like the Display one, but it only adds metrics
//! (daily insights, audience, reach, watch time): when its refresh is refused the account
//! stays `active` and keeps collecting with the Display API, the run gets a `warn`
//! `tiktok_business_reauth` event, and the missing Business metrics are a data gap. A
//! Business entry holding the Display entry's own grant (the demo's sandbox shortcut,
//! `Workspace::use_display_token_for_tiktok_business`) is not refreshed on its own, which
//! would spend the Display entry's rotating refresh token: it takes the Display entry's
//! renewed set.
//!
//! A renewed token set is written to the vault (one `put` of the whole set, replacing the
//! old one) **before** the new access token is used, so a crash can never lose a rotated
//! refresh token that the platform has already invalidated. Renewals of one vault entry are
//! serialized within the process (a tracked profile shares its owner's entry).
//!
//! A refresh the platform refuses (revoked or invalid refresh token, `invalid_grant`), or a
//! token that expired with no way to renew it, marks every account using that vault entry
//! `needs_reauth`. A refresh that fails for a passing reason (network, HTTP 5xx) keeps the
//! stored token ([`TokenAction::Deferred`]).
//!
//! Secrets: tokens and app secrets stay in the vault and in [`secrecy::SecretString`]s;
//! messages of [`TokenAction`] and log lines never contain them (known secrets are also
//! scrubbed from platform messages).

use crate::error::{Context, Result};
use crate::workspace::tiktok_business_key;
use alcance_core::{EventLevel, Platform};
use alcance_platforms::meta::redact_secret;
use alcance_platforms::oauth::{self, OAuthApp, RedirectConfig, TokenSet};
use alcance_platforms::registry::{self, Renewal};
use alcance_platforms::tiktok::TikTokBusinessClient;
use alcance_platforms::vault::TokenVault;
use alcance_platforms::{Endpoints, Http, PlatformError};
use alcance_store::{AccountRow, Store};
use chrono::{DateTime, Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use url::Url;

/// When tokens are renewed (the durations of each [`Renewal`] kind). [`Default`] gives
/// the documented lifetimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshRules {
    /// X and TikTok access tokens (2 h) are refreshed when they expire within this
    /// (default 10 minutes).
    pub access_margin: Duration,
    /// Instagram long-lived tokens are refreshed once they are at least this old (default
    /// 24 h, Instagram's minimum age for a refresh).
    pub instagram_min_age: Duration,
    /// Lifetime of an Instagram long-lived token (60 days), to tell its age from its expiry.
    pub instagram_lifetime: Duration,
    /// Facebook long-lived user tokens are re-exchanged when they expire within this
    /// (default 10 days).
    pub facebook_window: Duration,
}

impl Default for RefreshRules {
    fn default() -> Self {
        RefreshRules {
            access_margin: Duration::minutes(10),
            instagram_min_age: Duration::hours(24),
            instagram_lifetime: Duration::days(60),
            facebook_window: Duration::days(10),
        }
    }
}

/// What to do with one stored token set (see [`plan`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Use it as it is.
    Keep,
    /// Renew it before use.
    Renew,
    /// It has expired and cannot be renewed: the account needs re-authorization.
    Expired,
}

/// Decides, from the stored set alone, whether `platform`'s token is kept, renewed or dead
/// at `now` (UTC) under `rules`, by the platform's [`Renewal`] kind (see the module table).
/// A set without `expires_at` is kept.
pub fn plan(platform: Platform, set: &TokenSet, now: DateTime<Utc>, rules: &RefreshRules) -> Plan {
    let Some(expires_at) = set.expires_at else {
        return Plan::Keep;
    };
    let expired = expires_at <= now;
    let renewable = set.refresh_token.is_some();
    let renew = match registry::get(platform).renewal {
        // A refresh token renews an access token even once it has expired.
        Renewal::RefreshBeforeExpiry => renewable && set.expires_within(now, rules.access_margin),
        Renewal::RefreshWhenAged => {
            !expired && renewable && expires_at - now <= rules.instagram_lifetime - rules.instagram_min_age
        }
        Renewal::ExchangeBeforeExpiry => !expired && set.expires_within(now, rules.facebook_window),
        Renewal::Never => false,
        // Bluesky: like a refresh token, the refresh JWT renews an expired access JWT.
        Renewal::RefreshSession(_) => renewable && set.expires_within(now, rules.access_margin),
    };
    if renew {
        Plan::Renew
    } else if expired {
        Plan::Expired
    } else {
        Plan::Keep
    }
}

/// How one vault entry was handled before a collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenAction {
    /// The stored token is good for this collection.
    Valid,
    /// Renewed and stored in the vault; the new access token expires then (UTC).
    Refreshed {
        /// New expiry, when the platform said.
        expires_at: Option<DateTime<Utc>>,
    },
    /// The token cannot be used or renewed: the accounts are now `needs_reauth` and are
    /// skipped. `code`: `refresh_refused` (the platform refused the refresh: revoked,
    /// `invalid_grant`), `token_expired` (expired with no refresh token), `vault` (the
    /// vault could not be read or the rotated token could not be saved), `no_app` (expired
    /// and no developer-app settings to renew it with).
    NeedsReauth {
        /// Stable machine code (see above).
        code: &'static str,
        /// A person-readable reason, without secrets.
        message: String,
    },
    /// Renewal failed for a reason that may pass (network, HTTP 5xx, no app settings for a
    /// token that still works); the stored token is used as it is.
    Deferred {
        /// Why, without secrets.
        message: String,
    },
}

/// Which vault entry of the accounts a [`TokenCheck`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenEntry {
    /// The token the accounts collect with (`accounts.vault_key`): when it is dead the
    /// accounts are `needs_reauth` and skipped.
    Account,
    /// A TikTok account's API-for-Business token ([`tiktok_business_key`]), beside its
    /// Display token: when it is dead the account keeps collecting with the Display API and
    /// the run records a `warn` `tiktok_business_reauth` event.
    TiktokBusiness,
}

/// The outcome for one vault entry and the accounts that use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCheck {
    /// The vault key (`alcance/{platform}/{external_id}`, or
    /// `alcance/tiktok/{open_id}/business`; never a secret).
    pub vault_key: String,
    /// Which of the accounts' entries this is.
    pub entry: TokenEntry,
    /// The platform of the accounts.
    pub platform: Platform,
    /// `accounts.id` of every account using this entry (owner and tracked profiles).
    pub account_ids: Vec<i64>,
    /// What happened.
    pub action: TokenAction,
}

/// The vault key of a platform's developer-app secret: `alcance/app/{platform}/client_secret`.
pub fn app_secret_key(platform: Platform) -> String {
    format!("alcance/app/{}/client_secret", platform.as_str())
}

/// Remembers the developer app used to connect: client id and redirect URI in the store
/// (`app_credentials`, no secret), the client secret (when there is one) in the vault
/// under [`app_secret_key`]. Refreshes later use them.
///
/// Errors: the store or the vault cannot be written.
pub async fn remember_app(store: &Store, vault: &dyn TokenVault, app: &OAuthApp) -> Result<()> {
    let key = app_secret_key(app.platform);
    match &app.client_secret {
        Some(secret) => vault.put(&key, secret).context("saving the app secret in the vault")?,
        None => vault
            .delete(&key)
            .context("removing an old app secret from the vault")?,
    }
    store
        .save_app_credentials(
            app.platform,
            &app.client_id,
            &app.redirect.redirect_uri(app.redirect.port),
            app.client_secret.is_some(),
        )
        .await
        .context("saving the app settings")?;
    Ok(())
}

/// The developer app remembered for `platform` by [`remember_app`], with its secret from
/// the vault; `None` when none was saved. Scopes are left empty (refreshes keep the
/// granted ones).
///
/// Errors: the store or the vault cannot be read; the secret is recorded but missing.
pub async fn app_for(store: &Store, vault: &dyn TokenVault, platform: Platform) -> Result<Option<OAuthApp>> {
    let Some(row) = store.app_credentials(platform).await? else {
        return Ok(None);
    };
    let client_secret = if row.has_secret {
        let secret = vault
            .get(&app_secret_key(platform))
            .context("reading the app secret from the vault")?;
        Some(secret.with_context(|| format!("the {} app secret is missing from the vault", platform.label()))?)
    } else {
        None
    };
    let redirect = Url::parse(&row.redirect_uri)
        .ok()
        .map(|u| RedirectConfig {
            port: u.port().unwrap_or(0),
            path: u.path().to_string(),
        })
        .unwrap_or_default();
    Ok(Some(OAuthApp {
        platform,
        client_id: row.client_id,
        client_secret,
        scopes: Vec::new(),
        redirect,
    }))
}

/// One async lock per vault key, so two collections in this process never renew (and
/// rotate) the same token twice.
fn entry_lock(key: &str) -> Arc<tokio::sync::Mutex<()>> {
    static LOCKS: OnceLock<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> = OnceLock::new();
    let mut map = LOCKS
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    Arc::clone(map.entry(key.to_string()).or_default())
}

/// Renews, where due, the tokens of `accounts` (grouped by vault entry) at `now` (UTC,
/// normally the real time) and marks the accounts whose token is dead `needs_reauth`.
/// TikTok accounts also get their API-for-Business entry checked ([`TokenEntry::TiktokBusiness`],
/// after the Display entries; accounts without one get no such check). Accounts without
/// a vault key are left to the collector (it reports them). Never fails as a whole: each
/// entry's problem is in its [`TokenCheck`].
pub async fn refresh_tokens(
    store: &Store,
    vault: &dyn TokenVault,
    endpoints: &Endpoints,
    accounts: &[AccountRow],
    now: DateTime<Utc>,
    rules: &RefreshRules,
) -> Vec<TokenCheck> {
    let mut groups: BTreeMap<String, (Platform, Vec<i64>)> = BTreeMap::new();
    // Business key → (the Display key beside it, accounts).
    let mut business: BTreeMap<String, (String, Vec<i64>)> = BTreeMap::new();
    for a in accounts {
        if let Some(key) = a.vault_key.as_deref() {
            groups
                .entry(key.to_string())
                .or_insert_with(|| (a.account.platform, Vec::new()))
                .1
                .push(a.id);
            if a.account.platform == Platform::Tiktok {
                business
                    .entry(tiktok_business_key(&a.account.external_id))
                    .or_insert_with(|| (key.to_string(), Vec::new()))
                    .1
                    .push(a.id);
            }
        }
    }
    // Read before the Display entries are renewed (a renewal rotates their refresh token).
    let mirrors: HashSet<String> = business
        .iter()
        .filter(|(key, (display_key, _))| shares_grant(vault, key, display_key))
        .map(|(key, _)| key.clone())
        .collect();
    let mut checks = Vec::with_capacity(groups.len() + business.len());
    for (vault_key, (platform, account_ids)) in groups {
        let action = renew_entry(store, vault, endpoints, platform, &vault_key, now, rules).await;
        match &action {
            TokenAction::NeedsReauth { code, message } => {
                tracing::warn!(platform = %platform, vault_key = %vault_key, code, error = %message, "token cannot be renewed; the account needs re-authorization");
                for id in &account_ids {
                    if let Err(e) = store
                        .set_account_status(*id, alcance_core::AccountStatus::NeedsReauth)
                        .await
                    {
                        tracing::warn!(account_id = id, error = %e, "could not mark the account needs_reauth");
                    }
                }
            }
            TokenAction::Refreshed { expires_at } => {
                tracing::info!(platform = %platform, vault_key = %vault_key, expires_at = ?expires_at, "token renewed");
            }
            TokenAction::Deferred { message } => {
                tracing::warn!(platform = %platform, vault_key = %vault_key, error = %message, "token renewal deferred; using the stored token");
            }
            TokenAction::Valid => {}
        }
        checks.push(TokenCheck {
            vault_key,
            entry: TokenEntry::Account,
            platform,
            account_ids,
            action,
        });
    }
    for (vault_key, (display_key, account_ids)) in business {
        let action = if mirrors.contains(&vault_key) {
            let display = checks.iter().find(|c| c.vault_key == display_key).map(|c| &c.action);
            follow_display(vault, &vault_key, &display_key, display).await
        } else {
            renew_business(store, vault, endpoints, &vault_key, now, rules).await
        };
        let Some(action) = action else { continue };
        match &action {
            TokenAction::NeedsReauth { code, message } => {
                tracing::warn!(vault_key = %vault_key, code, error = %message, "the TikTok API for Business token cannot be renewed; collecting with the Display API only");
            }
            TokenAction::Refreshed { expires_at } => {
                tracing::info!(vault_key = %vault_key, expires_at = ?expires_at, "TikTok API for Business token renewed");
            }
            TokenAction::Deferred { message } => {
                tracing::warn!(vault_key = %vault_key, error = %message, "TikTok API for Business token renewal deferred; using the stored token");
            }
            TokenAction::Valid => {}
        }
        checks.push(TokenCheck {
            vault_key,
            entry: TokenEntry::TiktokBusiness,
            platform: Platform::Tiktok,
            account_ids,
            action,
        });
    }
    checks
}

/// The token set stored under `key`: `Ok(None)` when there is none; an unreadable vault or
/// entry is the `vault` [`TokenAction::NeedsReauth`].
fn read_set(vault: &dyn TokenVault, key: &str) -> Result<Option<TokenSet>, TokenAction> {
    let stored = match vault.get(key) {
        Ok(Some(json)) => json,
        Ok(None) => return Ok(None),
        Err(e) => {
            return Err(TokenAction::NeedsReauth {
                code: "vault",
                message: format!("the token could not be read from the vault: {e}"),
            })
        }
    };
    TokenSet::from_vault_json(&stored)
        .map(Some)
        .map_err(|e| TokenAction::NeedsReauth {
            code: "vault",
            message: e.to_string(),
        })
}

/// What to do without developer-app settings (or without the app secret a refresh
/// needs): an expired token needs re-authorization, a live one is used as it is.
fn without_app(label: &str, expired: bool) -> TokenAction {
    if expired {
        TokenAction::NeedsReauth {
            code: "no_app",
            message: format!(
                "the {label} token expired and no developer-app settings are saved to renew it: connect the account again"
            ),
        }
    } else {
        TokenAction::Deferred {
            message: format!(
                "no {label} developer-app settings are saved, so the token cannot be renewed before it expires"
            ),
        }
    }
}

/// A failed renewal: refused by the platform (revoked or invalid refresh token, an HTTP
/// 4xx from the token endpoint) → `refresh_refused` [`TokenAction::NeedsReauth`] telling to
/// `reconnect`; anything that may pass (network, HTTP 5xx, rate limit) →
/// [`TokenAction::Deferred`]. `secrets` are scrubbed from the message.
fn renewal_failed(label: &str, e: PlatformError, secrets: &[String], reconnect: &str) -> TokenAction {
    let refused = match &e {
        PlatformError::OAuth { message } => !message.contains("answered HTTP 5"),
        PlatformError::Unauthorized { .. } | PlatformError::Forbidden { .. } => true,
        _ => false,
    };
    let e = secrets.iter().fold(e, |e, s| redact_secret(e, s));
    let message = format!("renewing the {label} token failed: {e}");
    if refused {
        TokenAction::NeedsReauth {
            code: "refresh_refused",
            message: format!("{message}; {reconnect}"),
        }
    } else {
        TokenAction::Deferred { message }
    }
}

/// The exposed values of `secrets`, for scrubbing messages.
fn exposed(secrets: &[Option<&SecretString>]) -> Vec<String> {
    secrets
        .iter()
        .flatten()
        .map(|s| s.expose_secret().to_string())
        .collect()
}

async fn renew_entry(
    store: &Store,
    vault: &dyn TokenVault,
    endpoints: &Endpoints,
    platform: Platform,
    key: &str,
    now: DateTime<Utc>,
    rules: &RefreshRules,
) -> TokenAction {
    let lock = entry_lock(key);
    let _held = lock.lock().await;
    // Read under the lock: another collection may have renewed it a moment ago.
    let set = match read_set(vault, key) {
        Ok(Some(set)) => set,
        Ok(None) => return TokenAction::Valid, // the collector reports a missing token
        Err(action) => return action,
    };
    match plan(platform, &set, now, rules) {
        Plan::Keep => return TokenAction::Valid,
        Plan::Expired => {
            return TokenAction::NeedsReauth {
                code: "token_expired",
                message: format!(
                    "the {} token expired and cannot be renewed: connect the account again",
                    platform.label()
                ),
            }
        }
        Plan::Renew => {}
    }
    let descriptor = registry::get(platform);
    let renewal = descriptor.renewal;
    // Refresh kinds send the refresh token; a re-exchange sends the access token itself.
    let input = match renewal {
        Renewal::RefreshBeforeExpiry | Renewal::RefreshWhenAged | Renewal::RefreshSession(_) => {
            set.refresh_token.clone()
        }
        Renewal::ExchangeBeforeExpiry => Some(set.access_token.clone()),
        Renewal::Never => None,
    };
    if let (Renewal::RefreshSession(refresh), Some(input)) = (renewal, input.as_ref()) {
        return renew_session(vault, endpoints, platform, key, &set, refresh, input).await;
    }
    let (Some(provider), Some(input)) = (descriptor.provider(endpoints), input) else {
        return TokenAction::Valid;
    };
    let expired = set.expires_at.is_some_and(|t| t <= now);
    let app = match app_for(store, vault, platform).await {
        Ok(Some(app)) => app,
        // Instagram's refresh needs only the token itself.
        Ok(None) if renewal == Renewal::RefreshWhenAged => OAuthApp {
            platform,
            client_id: String::new(),
            client_secret: None,
            scopes: Vec::new(),
            redirect: RedirectConfig::default(),
        },
        Ok(None) => return without_app(platform.label(), expired),
        Err(e) => {
            return TokenAction::Deferred {
                message: format!("{e:#}"),
            }
        }
    };
    let secrets = exposed(&[
        Some(&set.access_token),
        set.refresh_token.as_ref(),
        app.client_secret.as_ref(),
    ]);
    let renewed = match oauth::refresh(&app, &provider, &input).await {
        Ok(renewed) => renewed,
        Err(e) => return renewal_failed(platform.label(), e, &secrets, "connect the account again"),
    };
    let merged = TokenSet {
        user_id: renewed.user_id.clone().or(set.user_id.clone()),
        scope: renewed.scope.clone().or(set.scope.clone()),
        refresh_token: renewed.refresh_token.clone().or_else(|| {
            // A re-exchanged token (Facebook) has no refresh token; the others keep theirs
            // unless rotated.
            (renewal != Renewal::ExchangeBeforeExpiry)
                .then(|| set.refresh_token.clone())
                .flatten()
        }),
        ..renewed
    };
    // Store first: a rotated refresh token is the only one that works from now on.
    if let Err(e) = vault.put(key, &merged.to_vault_json()) {
        let message = format!(
            "the renewed {} token could not be saved in the vault: {e}",
            platform.label()
        );
        // A refresh answer may have rotated the refresh token: the old one may be dead.
        return if renewal == Renewal::RefreshBeforeExpiry {
            TokenAction::NeedsReauth { code: "vault", message }
        } else {
            TokenAction::Deferred { message }
        };
    }
    // The answer's `scope` is what the grant holds now (issue 13 point 6): recorded on the
    // accounts collecting with this entry. Best effort: the token is renewed either way.
    if let Some(scope) = renewed.scope.as_deref() {
        let granted = alcance_store::normalize_scopes(scope);
        if let Err(e) = store.set_scopes_for_vault_key(key, &granted).await {
            tracing::warn!(%platform, error = %e, "recording the refreshed token's scopes failed");
        }
    }
    TokenAction::Refreshed {
        expires_at: merged.expires_at,
    }
}

/// Renews a session with its own refresh token ([`Renewal::RefreshSession`], Bluesky
/// `com.atproto.server.refreshSession`; no developer app involved). The answer rotates the
/// refresh token and revokes the old one, so the new set is stored before anything else; a
/// set that cannot be stored needs re-authorization. A refused refresh (`400 ExpiredToken`,
/// `401`) is `refresh_refused`.
async fn renew_session(
    vault: &dyn TokenVault,
    endpoints: &Endpoints,
    platform: Platform,
    key: &str,
    set: &TokenSet,
    refresh: registry::SessionRefresh,
    refresh_token: &SecretString,
) -> TokenAction {
    let secrets = exposed(&[Some(&set.access_token), Some(refresh_token), set.binding.as_ref()]);
    let renewed = match refresh(endpoints, set).await {
        Ok(renewed) => renewed,
        Err(e) => {
            return renewal_failed(
                platform.label(),
                e,
                &secrets,
                "connect the account again with a new app password",
            )
        }
    };
    let merged = TokenSet {
        refresh_token: renewed.refresh_token.clone().or_else(|| set.refresh_token.clone()),
        user_id: renewed.user_id.clone().or(set.user_id.clone()),
        scope: renewed.scope.clone().or(set.scope.clone()),
        binding: renewed.binding.clone().or_else(|| set.binding.clone()),
        ..renewed
    };
    if let Err(e) = vault.put(key, &merged.to_vault_json()) {
        return TokenAction::NeedsReauth {
            code: "vault",
            message: format!(
                "the renewed {} session could not be saved in the vault: {e}",
                platform.label()
            ),
        };
    }
    TokenAction::Refreshed {
        expires_at: merged.expires_at,
    }
}

/// How the API for Business is named in messages.
const BUSINESS_LABEL: &str = "TikTok API for Business";
/// What a dead Business token asks of the user.
const BUSINESS_RECONNECT: &str = "connect TikTok Business again to get daily insights, audience, reach and watch time back (the Display API keeps collecting)";

/// `true` when the Business entry `business_key` holds the same refresh token as the
/// Display entry `display_key` (one grant stored twice, as the demo does).
fn shares_grant(vault: &dyn TokenVault, business_key: &str, display_key: &str) -> bool {
    let refresh = |key: &str| {
        read_set(vault, key)
            .ok()
            .flatten()
            .and_then(|s| s.refresh_token)
            .map(|t| t.expose_secret().to_string())
    };
    matches!((refresh(business_key), refresh(display_key)), (Some(b), Some(d)) if b == d)
}

/// A Business entry sharing the Display entry's grant: after the Display entry was
/// renewed, store its new set under `business_key` too (the old shared refresh token may
/// be spent). `None` (no check) when the Display entry was not renewed.
async fn follow_display(
    vault: &dyn TokenVault,
    business_key: &str,
    display_key: &str,
    display: Option<&TokenAction>,
) -> Option<TokenAction> {
    if !matches!(display, Some(TokenAction::Refreshed { .. })) {
        return None;
    }
    let lock = entry_lock(business_key);
    let _held = lock.lock().await;
    let copied = vault
        .get(display_key)
        .and_then(|json| match json {
            Some(json) => vault.put(business_key, &json).map(|()| Some(json)),
            None => Ok(None),
        })
        .map(|json| json.and_then(|j| TokenSet::from_vault_json(&j).ok()));
    Some(match copied {
        Ok(Some(set)) => TokenAction::Refreshed {
            expires_at: set.expires_at,
        },
        Ok(None) => TokenAction::Valid,
        Err(e) => TokenAction::NeedsReauth {
            code: "vault",
            message: format!(
                "the renewed {BUSINESS_LABEL} token could not be saved in the vault: {e}; {BUSINESS_RECONNECT}"
            ),
        },
    })
}

/// Renews the TikTok API-for-Business entry `key` when due: `POST
/// tt_user/oauth2/refresh_token/` with the TikTok app's id and secret (the app saved by
/// [`remember_app`]), the answer stored before use. `None` when there is no such entry.
async fn renew_business(
    store: &Store,
    vault: &dyn TokenVault,
    endpoints: &Endpoints,
    key: &str,
    now: DateTime<Utc>,
    rules: &RefreshRules,
) -> Option<TokenAction> {
    let lock = entry_lock(key);
    let _held = lock.lock().await;
    let set = match read_set(vault, key) {
        Ok(Some(set)) => set,
        Ok(None) => return None,
        Err(action) => return Some(action),
    };
    let refresh_token = match plan(Platform::Tiktok, &set, now, rules) {
        Plan::Keep => return Some(TokenAction::Valid),
        Plan::Expired => {
            return Some(TokenAction::NeedsReauth {
                code: "token_expired",
                message: format!("the {BUSINESS_LABEL} token expired and cannot be renewed: {BUSINESS_RECONNECT}"),
            })
        }
        Plan::Renew => match &set.refresh_token {
            Some(t) => t,
            None => return Some(TokenAction::Valid),
        },
    };
    let expired = set.expires_at.is_some_and(|t| t <= now);
    let (app_id, app_secret) = match app_for(store, vault, Platform::Tiktok).await {
        Ok(Some(OAuthApp {
            client_id,
            client_secret: Some(secret),
            ..
        })) => (client_id, secret),
        Ok(_) => return Some(without_app(BUSINESS_LABEL, expired)),
        Err(e) => {
            return Some(TokenAction::Deferred {
                message: format!("{e:#}"),
            })
        }
    };
    let secrets = exposed(&[Some(&set.access_token), Some(refresh_token), Some(&app_secret)]);
    let client = match Http::new() {
        Ok(http) => TikTokBusinessClient::new(http, endpoints.clone()),
        Err(e) => return Some(renewal_failed(BUSINESS_LABEL, e, &secrets, BUSINESS_RECONNECT)),
    };
    let renewed = match client.refresh(&app_id, &app_secret, refresh_token).await {
        Ok(renewed) => renewed.to_token_set(Utc::now()),
        Err(e) => return Some(renewal_failed(BUSINESS_LABEL, e, &secrets, BUSINESS_RECONNECT)),
    };
    let rotated = renewed
        .refresh_token
        .as_ref()
        .is_some_and(|t| t.expose_secret() != refresh_token.expose_secret());
    let merged = TokenSet {
        refresh_token: renewed.refresh_token.clone().or_else(|| set.refresh_token.clone()),
        user_id: renewed.user_id.clone().or(set.user_id.clone()),
        scope: renewed.scope.clone().or(set.scope.clone()),
        ..renewed
    };
    // Store first, in case TikTok rotated the refresh token.
    if let Err(e) = vault.put(key, &merged.to_vault_json()) {
        let message = format!("the renewed {BUSINESS_LABEL} token could not be saved in the vault: {e}");
        return Some(if rotated {
            TokenAction::NeedsReauth {
                code: "vault",
                message: format!("{message}; {BUSINESS_RECONNECT}"),
            }
        } else {
            TokenAction::Deferred { message }
        });
    }
    Some(TokenAction::Refreshed {
        expires_at: merged.expires_at,
    })
}

/// The accounts a run must skip (token dead: [`TokenAction::NeedsReauth`]); give their
/// targets no token so the collector reports them and makes no request.
pub fn skipped(checks: &[TokenCheck]) -> HashSet<i64> {
    checks
        .iter()
        .filter(|c| c.entry == TokenEntry::Account && matches!(c.action, TokenAction::NeedsReauth { .. }))
        .flat_map(|c| c.account_ids.iter().copied())
        .collect()
}

/// Writes what token upkeep did into the run log of `run_id`, per account, stamped `at`
/// (UTC): `error` events for skipped accounts (code of [`TokenAction::NeedsReauth`]),
/// `warn` `tiktok_business_reauth` events for a dead TikTok API-for-Business token (the
/// account still collected), `warn` `refresh_deferred` events, `info` `token_renewed`
/// events. Messages hold no secret. Best effort: a failed write is logged, not returned.
pub async fn record(store: &Store, run_id: i64, checks: &[TokenCheck], at: DateTime<Utc>) {
    for check in checks {
        let business = check.entry == TokenEntry::TiktokBusiness;
        let (level, code, message) = match &check.action {
            TokenAction::Valid => continue,
            TokenAction::Refreshed { .. } => (
                EventLevel::Info,
                "token_renewed",
                format!(
                    "the {} token was renewed before collecting",
                    if business {
                        BUSINESS_LABEL
                    } else {
                        check.platform.label()
                    }
                ),
            ),
            TokenAction::Deferred { message } => (EventLevel::Warn, "refresh_deferred", message.clone()),
            TokenAction::NeedsReauth { message, .. } if business => {
                (EventLevel::Warn, "tiktok_business_reauth", message.clone())
            }
            TokenAction::NeedsReauth { code, message } => (EventLevel::Error, *code, message.clone()),
        };
        for id in &check.account_ids {
            if let Err(e) = store.add_event(run_id, Some(*id), level, code, &message, at).await {
                tracing::warn!(run_id, account_id = id, error = %e, "could not record a token event");
            }
        }
    }
}

/// The access token stored under `key`, for collecting; `None` when there is none or it is
/// unreadable.
pub fn access_token(vault: &dyn TokenVault, key: &str) -> Option<SecretString> {
    let json = vault.get(key).ok()??;
    TokenSet::from_vault_json(&json).ok().map(|t| t.access_token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(expires_in: Option<Duration>, refresh: bool, now: DateTime<Utc>) -> TokenSet {
        TokenSet {
            access_token: SecretString::from("a".to_string()),
            refresh_token: refresh.then(|| SecretString::from("r".to_string())),
            expires_at: expires_in.map(|d| now + d),
            scope: None,
            user_id: None,
            binding: None,
        }
    }

    #[test]
    fn plans_follow_each_platforms_lifetimes() {
        let now = Utc::now();
        let r = RefreshRules::default();
        let p = |platform, exp: Option<Duration>, refresh| plan(platform, &set(exp, refresh, now), now, &r);
        // X / TikTok: 10 minutes ahead.
        assert_eq!(p(Platform::X, Some(Duration::minutes(30)), true), Plan::Keep);
        assert_eq!(p(Platform::X, Some(Duration::minutes(9)), true), Plan::Renew);
        assert_eq!(p(Platform::Tiktok, Some(Duration::minutes(-5)), true), Plan::Renew);
        // YouTube: Google's 1-hour tokens, renewed like X's.
        assert_eq!(p(Platform::Youtube, Some(Duration::minutes(50)), true), Plan::Keep);
        assert_eq!(p(Platform::Youtube, Some(Duration::minutes(5)), true), Plan::Renew);
        // Reddit: 1-hour tokens (24 h reported; `expires_in` is trusted), renewed like X's
        // with a reusable refresh token.
        assert_eq!(p(Platform::Reddit, Some(Duration::minutes(50)), true), Plan::Keep);
        assert_eq!(p(Platform::Reddit, Some(Duration::minutes(5)), true), Plan::Renew);
        assert_eq!(p(Platform::Reddit, Some(Duration::minutes(-60)), true), Plan::Renew);
        // LinkedIn: 60-day tokens; refreshed near expiry with a refresh token (approved
        // apps), else kept until they expire, then re-authorization.
        assert_eq!(p(Platform::Linkedin, Some(Duration::days(30)), true), Plan::Keep);
        assert_eq!(p(Platform::Linkedin, Some(Duration::minutes(5)), true), Plan::Renew);
        assert_eq!(p(Platform::Linkedin, Some(Duration::days(3)), false), Plan::Keep);
        assert_eq!(p(Platform::Linkedin, Some(Duration::minutes(-1)), false), Plan::Expired);
        assert_eq!(p(Platform::X, Some(Duration::minutes(9)), false), Plan::Keep);
        assert_eq!(p(Platform::X, Some(Duration::minutes(-1)), false), Plan::Expired);
        assert_eq!(p(Platform::X, None, true), Plan::Keep);
        // Instagram: at least 24 h old (60-day tokens).
        assert_eq!(p(Platform::Instagram, Some(Duration::days(60)), true), Plan::Keep);
        assert_eq!(
            p(Platform::Instagram, Some(Duration::days(59) + Duration::hours(1)), true),
            Plan::Keep
        );
        assert_eq!(p(Platform::Instagram, Some(Duration::days(59)), true), Plan::Renew);
        assert_eq!(p(Platform::Instagram, Some(Duration::minutes(50)), false), Plan::Keep);
        assert_eq!(p(Platform::Instagram, Some(Duration::minutes(-1)), true), Plan::Expired);
        // Facebook: 10 days ahead.
        assert_eq!(p(Platform::Facebook, Some(Duration::days(11)), false), Plan::Keep);
        assert_eq!(p(Platform::Facebook, Some(Duration::days(9)), false), Plan::Renew);
        assert_eq!(p(Platform::Facebook, Some(Duration::seconds(-1)), false), Plan::Expired);
        // Bluesky sessions: 10 minutes ahead, even once expired, with a refresh JWT.
        assert_eq!(p(Platform::Bluesky, Some(Duration::hours(2)), true), Plan::Keep);
        assert_eq!(p(Platform::Bluesky, Some(Duration::minutes(5)), true), Plan::Renew);
        assert_eq!(p(Platform::Bluesky, Some(Duration::minutes(-30)), true), Plan::Renew);
        assert_eq!(p(Platform::Bluesky, Some(Duration::minutes(-30)), false), Plan::Expired);
        // Threads: Instagram's rule (60-day tokens refreshed once a day old).
        assert_eq!(p(Platform::Threads, Some(Duration::days(60)), true), Plan::Keep);
        assert_eq!(p(Platform::Threads, Some(Duration::days(59)), true), Plan::Renew);
        assert_eq!(p(Platform::Threads, Some(Duration::minutes(-1)), true), Plan::Expired);
        // WhatsApp: never renewed.
        assert_eq!(p(Platform::Whatsapp, Some(Duration::days(1)), false), Plan::Keep);
        assert_eq!(p(Platform::Whatsapp, Some(Duration::days(-1)), false), Plan::Expired);
    }
}
