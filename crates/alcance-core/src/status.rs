//! How an account stands: its status in the store and how it is connected.

use crate::text_enum::text_enum;
use crate::Platform;
use serde::{Deserialize, Serialize};

/// The status of an account (`accounts.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AccountStatus {
    /// Collected by the scheduler and by "Sync now" (the status of a new account).
    #[default]
    Active,
    /// The platform refused the token: the user must connect again. "Sync now" still tries.
    NeedsReauth,
    /// Paused by the user: not collected until resumed.
    Paused,
    /// Disconnected by the user: its token is gone, its data stays.
    Disconnected,
}

text_enum!(AccountStatus, "account status", [
    Active => "active",
    NeedsReauth => "needs_reauth",
    Paused => "paused",
    Disconnected => "disconnected",
]);

/// How an account is connected, as the accounts screen shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ConnectionKind {
    /// Owned, connected through OAuth.
    Oauth,
    /// Owned, connected with an access token the user pasted (no OAuth): a WhatsApp
    /// Business system-user token, a Threads long-lived token.
    Token,
    /// Owned Bluesky account, connected with an app password (its session tokens are kept,
    /// never the password).
    AppPassword,
    /// A public profile that is not owned, collected with its owner's token.
    Tracked,
}

text_enum!(ConnectionKind, "connection kind", [
    Oauth => "oauth",
    Token => "token",
    AppPassword => "app_password",
    Tracked => "tracked",
]);

impl ConnectionKind {
    /// How an account of `platform` is usually connected: `tracked` when not owned, `token`
    /// for an owned WhatsApp Business account, `app_password` for an owned Bluesky account,
    /// else `oauth`. A platform with two ways (Bluesky OAuth, Threads tokens) records the
    /// one used per account (`accounts.connection`); this is the fallback for rows that do
    /// not say.
    pub fn of(platform: Platform, owned: bool) -> ConnectionKind {
        match (owned, platform) {
            (false, _) => ConnectionKind::Tracked,
            (true, Platform::Whatsapp) => ConnectionKind::Token,
            (true, Platform::Bluesky) => ConnectionKind::AppPassword,
            (true, _) => ConnectionKind::Oauth,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_named_and_connection_kinds_follow_the_platform() {
        // Round trips of every key: text_enum's tests.
        let err = "gone".parse::<AccountStatus>().err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("unknown account status \"gone\" (expected one of active, needs_reauth, paused, disconnected)")
        );
        assert!(AccountStatus::NeedsReauth == "needs_reauth");
        assert_eq!(ConnectionKind::of(Platform::Whatsapp, true), ConnectionKind::Token);
        assert_eq!(ConnectionKind::of(Platform::Whatsapp, false), ConnectionKind::Tracked);
        assert_eq!(ConnectionKind::of(Platform::X, true), ConnectionKind::Oauth);
        assert_eq!(ConnectionKind::of(Platform::Bluesky, true), ConnectionKind::AppPassword);
        assert_eq!(ConnectionKind::of(Platform::Bluesky, false), ConnectionKind::Tracked);
    }
}
