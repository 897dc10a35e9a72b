//! The accounts screen: each account with how it is connected, its token health, its
//! latest follower count and its collection schedule; account labels.

use super::*;
use crate::error::Result;
use crate::workspace::Workspace;
use alcance_core::{AccountId, AccountStatus, CadenceKind, ConnectionKind, Platform};
use alcance_platforms::scopes::{self, MissingScope};
use alcance_platforms::vault::TokenVault;
use alcance_report::series::account_label;
use alcance_store::{AccountRow, AccountScopes, RowFilter};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Cadence of an account without a `schedules` row.
pub const DEFAULT_CADENCE: CadenceKind = CadenceKind::Daily;
/// Period of [`DEFAULT_CADENCE`], seconds.
pub const DEFAULT_CADENCE_SECONDS: i64 = 86_400;

/// One account for the accounts screen and the filters.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountView {
    /// `accounts.id`.
    pub id: AccountId,
    /// The platform.
    pub platform: Platform,
    /// The platform's account id.
    pub external_id: String,
    /// Handle without `@`.
    pub username: Option<String>,
    /// Display name from the last profile read.
    pub display_name: Option<String>,
    /// `"@username (Platform)"`.
    pub label: String,
    /// `true` when connected through OAuth, `false` for a tracked public profile.
    pub owned: bool,
    /// `active`, `needs_reauth`, `paused` or `disconnected`.
    pub status: AccountStatus,
    /// Last successful collection, UTC.
    pub last_collected_at: Option<DateTime<Utc>>,
    /// Latest `followers` snapshot. A count.
    pub followers: Option<f64>,
    /// Health of the token the account collects with (its own, or its owner's).
    pub token: TokenHealth,
    /// When that access token expires, UTC (`None`: no expiry known).
    pub token_expires_at: Option<DateTime<Utc>>,
    /// How the account is connected: `oauth` (owned, through OAuth), `token` (owned,
    /// through an access token the user pasted: a WhatsApp system-user token, a Threads
    /// long-lived token), `app_password` (an owned Bluesky account signed in with an app
    /// password) or `tracked` (a public profile, not owned).
    pub connection: ConnectionKind,
    /// Collection cadence: `hourly`, `daily`, `weekly` or `custom` (`daily` when the
    /// account has no schedule yet).
    pub cadence: CadenceKind,
    /// The cadence's period, seconds (86 400 without a schedule).
    pub cadence_seconds: i64,
    /// When the scheduler collects it next, UTC (`None` without a schedule).
    pub next_run_at: Option<DateTime<Utc>>,
    /// The last collection failure as `code: message` (secrets redacted by the store);
    /// `None` after a success or before the first attempt.
    pub last_error: Option<String>,
    /// The permissions the connection was granted and the metrics a missing one leaves
    /// out (issue 13 point 6).
    pub permissions: AccountPermissions,
}

/// Whether the platform told which permissions a connection was granted.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeState {
    /// The granted scopes are known (the token answer's `scope`, Instagram's
    /// `permissions`, Facebook's `/me/permissions`), recorded at connect or refresh.
    Reported,
    /// An owned account whose grant carried no scope list (connected before schema
    /// version 13, or a platform that does not say: a pasted Threads token).
    NotReported,
    /// No OAuth scopes apply: a Bluesky app password, a WhatsApp system-user token (its
    /// permissions are set in Business Manager), a tracked profile (its owner's token).
    NotScoped,
}

/// One account's permissions for the accounts screen.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPermissions {
    /// Whether the granted scopes are known.
    pub state: ScopeState,
    /// The scopes granted, sorted (empty unless `state` is `reported`).
    pub granted: Vec<String>,
    /// The scopes the user declined on the consent screen, where the platform says
    /// (Facebook), sorted.
    pub declined: Vec<String>,
    /// The scopes Alcance's metrics need that were not granted, with the metrics each
    /// leaves out ([`alcance_platforms::scopes::missing`]); empty unless `reported`.
    pub missing: Vec<MissingScope>,
}

/// The permissions of account `a` from what the store recorded (`recorded`: schema
/// version 13, [`alcance_store::Store::account_scopes`]) and how it is connected.
pub fn permissions(a: &AccountRow, connection: ConnectionKind, recorded: Option<&AccountScopes>) -> AccountPermissions {
    let none = |state| AccountPermissions {
        state,
        granted: Vec::new(),
        declined: Vec::new(),
        missing: Vec::new(),
    };
    let not_scoped = !a.account.owned
        || connection == ConnectionKind::AppPassword
        || (a.account.platform == Platform::Whatsapp && connection == ConnectionKind::Token);
    if not_scoped {
        return none(ScopeState::NotScoped);
    }
    let Some(recorded) = recorded else {
        return none(ScopeState::NotReported);
    };
    let Some(granted) = recorded.granted.clone() else {
        let mut p = none(ScopeState::NotReported);
        p.declined = recorded.declined.clone();
        return p;
    };
    AccountPermissions {
        state: ScopeState::Reported,
        missing: scopes::missing(a.account.platform, &granted, &recorded.declined),
        declined: recorded.declined.clone(),
        granted,
    }
}

/// Every account with its latest follower count and token health at `now`. `vault` is
/// the workspace's vault (see [`SharedVault`]); `None` reports every token as
/// [`TokenHealth::Unavailable`]. Tokens are read to check their expiry and never leave
/// this function.
///
/// Errors: store errors. Vault errors become [`TokenHealth::Unavailable`].
pub async fn accounts(ws: &Workspace, vault: Option<&dyn TokenVault>, now: DateTime<Utc>) -> Result<Vec<AccountView>> {
    let store = ws.store();
    let rows = store.list_accounts().await?;
    let schedules: HashMap<i64, alcance_store::schedule::ScheduleRow> = store
        .schedules()
        .await?
        .into_iter()
        .map(|s| (s.account_id, s))
        .collect();
    // Each account's latest follower count: one index seek per account.
    let connections = store.account_connections().await?;
    let scopes = store.account_scopes().await?;
    let latest: HashMap<i64, f64> = store
        .latest_followers(&RowFilter::default(), None)
        .await?
        .into_iter()
        .filter_map(|(id, v)| Some((id, v?)))
        .collect();
    Ok(rows
        .iter()
        .map(|a| {
            let (token, token_expires_at) = token_health(a, vault, now);
            let schedule = schedules.get(&a.id);
            let connection = connection(a, &connections);
            AccountView {
                id: AccountId(a.id),
                platform: a.account.platform,
                external_id: a.account.external_id.clone(),
                username: a.account.username.clone(),
                display_name: a.display_name.clone(),
                label: row_label(a),
                owned: a.account.owned,
                status: a.status,
                last_collected_at: a.last_collected_at,
                followers: latest.get(&a.id).copied(),
                token,
                token_expires_at,
                connection,
                cadence: schedule.map_or(DEFAULT_CADENCE, |s| s.cadence),
                cadence_seconds: schedule.map_or(DEFAULT_CADENCE_SECONDS, |s| s.every_seconds),
                next_run_at: schedule.map(|s| s.next_run_at),
                last_error: schedule.and_then(|s| s.last_error.clone()),
                permissions: permissions(a, connection, scopes.get(&a.id)),
            }
        })
        .collect())
}

/// How `account` was connected: `tracked` when not owned, else as recorded at connect
/// time (`accounts.connection`, as [`alcance_store::Store::account_connections`] reads
/// them into `recorded`), else (rows from before schema version 9) the platform's
/// usual way ([`ConnectionKind::of`]).
pub fn connection(account: &AccountRow, recorded: &HashMap<i64, ConnectionKind>) -> ConnectionKind {
    match recorded.get(&account.id) {
        Some(&kind) if account.account.owned => kind,
        _ => ConnectionKind::of(account.account.platform, account.account.owned),
    }
}

/// Each account's `@handle` by `(platform, external id)`, as the engagement-trend chart
/// names its series (accounts without a handle are left out).
pub(crate) fn usernames_by_account(accounts: &[AccountRow]) -> HashMap<(Platform, String), String> {
    accounts
        .iter()
        .filter_map(|a| {
            let username = a.account.username.clone()?;
            Some(((a.account.platform, a.account.external_id.clone()), username))
        })
        .collect()
}

pub(super) fn account_labels(accounts: &[AccountRow]) -> HashMap<i64, String> {
    accounts.iter().map(|a| (a.id, row_label(a))).collect()
}

/// An account's label: `"@username (Platform)"`; an account without a handle (a WhatsApp
/// Business Account) by its display name, `"Alcance Atendimento (WhatsApp)"`, else its id.
pub(crate) fn row_label(a: &AccountRow) -> String {
    match (a.account.username.as_deref(), a.display_name.as_deref().map(str::trim)) {
        (None, Some(name)) if !name.is_empty() => format!("{name} ({})", a.account.platform.label()),
        _ => account_label(
            a.account.platform,
            &a.account.external_id,
            a.account.username.as_deref(),
        ),
    }
}
