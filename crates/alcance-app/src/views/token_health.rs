//! Whether an account's token can still collect, read from the vault without letting the
//! token leave.

use alcance_core::AccountStatus;
use alcance_platforms::oauth::TokenSet;
use alcance_platforms::vault::TokenVault;
use alcance_store::AccountRow;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// A token without a refresh token that expires within this many days is
/// [`TokenHealth::ExpiresSoon`].
pub const EXPIRES_SOON_DAYS: i64 = 7;

/// Whether an account's token can still collect.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenHealth {
    /// A token is stored and valid (no expiry, a refresh token, or more than
    /// [`EXPIRES_SOON_DAYS`] days left).
    Ok,
    /// No refresh token and the access token expires within [`EXPIRES_SOON_DAYS`] days.
    ExpiresSoon,
    /// No refresh token and the access token has expired: reconnect.
    Expired,
    /// No token is stored for the account: reconnect.
    Missing,
    /// The platform refused the token (HTTP 401, Meta error 190): reconnect.
    NeedsReauth,
    /// Collection is paused for this account.
    Paused,
    /// The account was disconnected.
    Disconnected,
    /// The vault could not be read (locked keychain, wrong passphrase).
    Unavailable,
}

/// The token health of one account at `now`, and its access token's expiry.
pub fn token_health(
    account: &AccountRow,
    vault: Option<&dyn TokenVault>,
    now: DateTime<Utc>,
) -> (TokenHealth, Option<DateTime<Utc>>) {
    match account.status {
        AccountStatus::NeedsReauth => return (TokenHealth::NeedsReauth, None),
        AccountStatus::Disconnected => return (TokenHealth::Disconnected, None),
        AccountStatus::Active | AccountStatus::Paused => {}
    }
    let Some(vault) = vault else {
        return (TokenHealth::Unavailable, None);
    };
    let Some(key) = account.vault_key.as_deref() else {
        return (TokenHealth::Missing, None);
    };
    let tokens = match vault.get(key) {
        Ok(Some(json)) => match TokenSet::from_vault_json(&json) {
            Ok(t) => t,
            Err(_) => return (TokenHealth::Unavailable, None),
        },
        Ok(None) => return (TokenHealth::Missing, None),
        Err(_) => return (TokenHealth::Unavailable, None),
    };
    let health = match tokens.expires_at {
        _ if account.status == AccountStatus::Paused => TokenHealth::Paused,
        _ if tokens.refresh_token.is_some() => TokenHealth::Ok,
        None => TokenHealth::Ok,
        Some(at) if at <= now => TokenHealth::Expired,
        Some(at) if at - now <= Duration::days(EXPIRES_SOON_DAYS) => TokenHealth::ExpiresSoon,
        Some(_) => TokenHealth::Ok,
    };
    (health, tokens.expires_at)
}
