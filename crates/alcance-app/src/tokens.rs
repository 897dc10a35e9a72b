//! Token upkeep before each collection: refresh ahead of expiry, store rotated tokens
//! before using them, and mark accounts whose token cannot be renewed `needs_reauth` so
//! they are skipped and reported while the others keep collecting.
//!
//! Rules per platform (platform-apis.md §1.2, §2.2, §4.1, §6.1), all times UTC:
//!
//! | platform | token | renewed when | how |
//! |---|---|---|---|
//! | X | access 2 h, refresh with `offline.access` | within [`RefreshRules::access_margin`] (10 min) of expiry | `grant_type=refresh_token` (the answer may rotate the refresh token) |
//! | TikTok | access 2 h, refresh 180 days, **rotating** | within 10 min of expiry | `grant_type=refresh_token`; the new refresh token replaces the old one |
//! | Instagram (Instagram Login) | long-lived 60 days | at least [`RefreshRules::instagram_min_age`] (24 h) old | `GET refresh_access_token?grant_type=ig_refresh_token` |
//! | Facebook | long-lived user token 60 days | within [`RefreshRules::facebook_window`] (10 days) of expiry | `fb_exchange_token` re-exchange (needs the app secret) |
//! | WhatsApp | system-user token, usually without expiry | never; an expired token needs re-auth | — |
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

use alcance_core::{EventLevel, Platform};
use alcance_platforms::meta::redact_secret;
use alcance_platforms::oauth::{self, OAuthApp, Provider, RedirectConfig, TokenSet};
use alcance_platforms::vault::TokenVault;
use alcance_platforms::{Endpoints, PlatformError};
use alcance_store::{AccountRow, Store};
use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use url::Url;

/// When tokens are renewed. [`Default`] gives the documented lifetimes.
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
/// at `now` (UTC) under `rules` (see the module table). A set without `expires_at` is kept.
pub fn plan(platform: Platform, set: &TokenSet, now: DateTime<Utc>, rules: &RefreshRules) -> Plan {
    let Some(expires_at) = set.expires_at else {
        return Plan::Keep;
    };
    let expired = expires_at <= now;
    let renewable = set.refresh_token.is_some();
    match platform {
        Platform::X | Platform::Tiktok => {
            if !set.expires_within(now, rules.access_margin) {
                Plan::Keep
            } else if renewable {
                Plan::Renew
            } else if expired {
                Plan::Expired
            } else {
                Plan::Keep
            }
        }
        Platform::Instagram => {
            let old_enough = expires_at - now <= rules.instagram_lifetime - rules.instagram_min_age;
            if expired {
                Plan::Expired
            } else if renewable && old_enough {
                Plan::Renew
            } else {
                Plan::Keep
            }
        }
        Platform::Facebook => {
            if expired {
                Plan::Expired
            } else if set.expires_within(now, rules.facebook_window) {
                Plan::Renew
            } else {
                Plan::Keep
            }
        }
        Platform::Whatsapp => {
            if expired {
                Plan::Expired
            } else {
                Plan::Keep
            }
        }
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

/// The outcome for one vault entry and the accounts that use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCheck {
    /// The vault key (`alcance/{platform}/{external_id}`; never a secret).
    pub vault_key: String,
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
/// Accounts without a vault key are left to the collector (it reports them). Never fails
/// as a whole: each entry's problem is in its [`TokenCheck`].
pub async fn refresh_tokens(
    store: &Store,
    vault: &dyn TokenVault,
    endpoints: &Endpoints,
    accounts: &[AccountRow],
    now: DateTime<Utc>,
    rules: &RefreshRules,
) -> Vec<TokenCheck> {
    let mut groups: BTreeMap<String, (Platform, Vec<i64>)> = BTreeMap::new();
    for a in accounts {
        if let Some(key) = a.vault_key.as_deref() {
            groups
                .entry(key.to_string())
                .or_insert_with(|| (a.account.platform, Vec::new()))
                .1
                .push(a.id);
        }
    }
    let mut checks = Vec::with_capacity(groups.len());
    for (vault_key, (platform, account_ids)) in groups {
        let action = renew_entry(store, vault, endpoints, platform, &vault_key, now, rules).await;
        match &action {
            TokenAction::NeedsReauth { code, message } => {
                tracing::warn!(platform = %platform, vault_key = %vault_key, code, error = %message, "token cannot be renewed; the account needs re-authorization");
                for id in &account_ids {
                    if let Err(e) = store.set_account_status(*id, "needs_reauth").await {
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
            platform,
            account_ids,
            action,
        });
    }
    checks
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
    let stored = match vault.get(key) {
        Ok(Some(json)) => json,
        Ok(None) => return TokenAction::Valid, // the collector reports a missing token
        Err(e) => {
            return TokenAction::NeedsReauth {
                code: "vault",
                message: format!("the token could not be read from the vault: {e}"),
            }
        }
    };
    let set = match TokenSet::from_vault_json(&stored) {
        Ok(set) => set,
        Err(e) => {
            return TokenAction::NeedsReauth {
                code: "vault",
                message: e.to_string(),
            }
        }
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
    let (provider, input) = match platform {
        Platform::X => (Provider::x(endpoints), set.refresh_token.clone()),
        Platform::Tiktok => (Provider::tiktok(endpoints), set.refresh_token.clone()),
        Platform::Instagram => (Provider::instagram_login(endpoints), set.refresh_token.clone()),
        Platform::Facebook => (Provider::facebook_login(endpoints), Some(set.access_token.clone())),
        Platform::Whatsapp => return TokenAction::Valid,
    };
    let Some(input) = input else {
        return TokenAction::Valid;
    };
    let expired = set.expires_at.is_some_and(|t| t <= now);
    let app = match app_for(store, vault, platform).await {
        Ok(Some(app)) => app,
        // Instagram's refresh needs only the token itself.
        Ok(None) if platform == Platform::Instagram => OAuthApp {
            platform,
            client_id: String::new(),
            client_secret: None,
            scopes: Vec::new(),
            redirect: RedirectConfig::default(),
        },
        Ok(None) if expired => {
            return TokenAction::NeedsReauth {
                code: "no_app",
                message: format!(
                "the {} token expired and no developer-app settings are saved to renew it: connect the account again",
                platform.label()
            ),
            }
        }
        Ok(None) => {
            return TokenAction::Deferred {
                message: format!(
                    "no {} developer-app settings are saved, so the token cannot be renewed before it expires",
                    platform.label()
                ),
            }
        }
        Err(e) => {
            return TokenAction::Deferred {
                message: format!("{e:#}"),
            }
        }
    };
    let secrets: Vec<String> = [
        Some(&set.access_token),
        set.refresh_token.as_ref(),
        app.client_secret.as_ref(),
    ]
    .into_iter()
    .flatten()
    .map(|s| s.expose_secret().to_string())
    .collect();
    let scrub = |e: PlatformError| secrets.iter().fold(e, |e, s| redact_secret(e, s));
    let renewed = match oauth::refresh(&app, &provider, &input).await {
        Ok(renewed) => renewed,
        Err(e) => {
            let refused = match &e {
                PlatformError::OAuth { message } => !message.contains("answered HTTP 5"),
                PlatformError::Unauthorized { .. } | PlatformError::Forbidden { .. } => true,
                _ => false,
            };
            let message = format!("renewing the {} token failed: {}", platform.label(), scrub(e));
            return if refused {
                TokenAction::NeedsReauth {
                    code: "refresh_refused",
                    message: format!("{message}; connect the account again"),
                }
            } else {
                TokenAction::Deferred { message }
            };
        }
    };
    let merged = TokenSet {
        user_id: renewed.user_id.clone().or(set.user_id.clone()),
        scope: renewed.scope.clone().or(set.scope.clone()),
        refresh_token: renewed.refresh_token.clone().or_else(|| {
            // Facebook has no refresh token; the others keep theirs unless rotated.
            (platform != Platform::Facebook)
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
        return if matches!(platform, Platform::X | Platform::Tiktok) {
            TokenAction::NeedsReauth { code: "vault", message }
        } else {
            TokenAction::Deferred { message }
        };
    }
    TokenAction::Refreshed {
        expires_at: merged.expires_at,
    }
}

/// The accounts a run must skip (token dead: [`TokenAction::NeedsReauth`]); give their
/// targets no token so the collector reports them and makes no request.
pub fn skipped(checks: &[TokenCheck]) -> HashSet<i64> {
    checks
        .iter()
        .filter(|c| matches!(c.action, TokenAction::NeedsReauth { .. }))
        .flat_map(|c| c.account_ids.iter().copied())
        .collect()
}

/// Writes what token upkeep did into the run log of `run_id`, per account, stamped `at`
/// (UTC): `error` events for skipped accounts (code of [`TokenAction::NeedsReauth`]),
/// `warn` `refresh_deferred` events, `info` `token_renewed` events. Best effort: a failed
/// write is logged, not returned.
pub async fn record(store: &Store, run_id: i64, checks: &[TokenCheck], at: DateTime<Utc>) {
    for check in checks {
        let (level, code, message) = match &check.action {
            TokenAction::Valid => continue,
            TokenAction::Refreshed { .. } => (
                EventLevel::Info,
                "token_renewed",
                format!("the {} token was renewed before collecting", check.platform.label()),
            ),
            TokenAction::Deferred { message } => (EventLevel::Warn, "refresh_deferred", message.clone()),
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
        // WhatsApp: never renewed.
        assert_eq!(p(Platform::Whatsapp, Some(Duration::days(1)), false), Plan::Keep);
        assert_eq!(p(Platform::Whatsapp, Some(Duration::days(-1)), false), Plan::Expired);
    }
}
