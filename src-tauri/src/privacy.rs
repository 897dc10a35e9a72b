//! The Privacy commands (issue 15 point 7; docs/PRIVACY.md): the workspace's consent to
//! collect demographic (audience) data, the retention of raw API responses, and "export
//! everything about this account". Every change is logged with the OS user
//! ([`alcance_app::privacy::os_user`]).

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use alcance_app::privacy::{self as p, os_user};
use alcance_app::AccountId;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use tauri::State;

/// The active consent, as the Settings screen shows it.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct ConsentView {
    /// Version of the text agreed to (`audience-v1`).
    pub version: String,
    /// Its language: `en` or `pt-BR`.
    pub language: String,
    /// Who agreed (`os:<user>`, an email, `alcance demo`).
    pub granted_by: String,
    /// When, UTC RFC 3339.
    pub granted_at: String,
}

/// The workspace's privacy settings.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct PrivacyView {
    /// The active consent to collect audience data; `null`: audience data is not collected.
    pub consent: Option<ConsentView>,
    /// The version of the consent text below.
    pub consent_version: String,
    /// The consent text in English.
    pub consent_text_en: String,
    /// The consent text in Brazilian Portuguese.
    pub consent_text_pt_br: String,
    /// Days raw API responses are kept; `null`: forever.
    pub raw_retention_days: Option<u32>,
}

/// Where an account's export was written.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct AccountExportView {
    /// The ZIP's path (inside the workspace's `exports/`).
    pub path: String,
    /// Rows exported, all tables together.
    pub rows: u32,
}

async fn view(ws: &alcance_app::Workspace) -> IpcResult<PrivacyView> {
    let consent = ws.audience_consent().await?.map(|c| ConsentView {
        version: c.text_version,
        language: c.language,
        granted_by: c.granted_by,
        granted_at: c.granted_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    });
    Ok(PrivacyView {
        consent,
        consent_version: p::CONSENT_VERSION.to_string(),
        consent_text_en: p::CONSENT_TEXT_EN.to_string(),
        consent_text_pt_br: p::CONSENT_TEXT_PT_BR.to_string(),
        raw_retention_days: ws.raw_retention_days().await?,
    })
}

/// The open workspace's consent and retention. Errors: `no_workspace`.
#[tauri::command]
#[specta::specta]
pub async fn privacy_status(state: State<'_, AppState>) -> IpcResult<PrivacyView> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    view(&open.ws).await
}

/// Records the OS user's consent, now, to the text in `language` (`en`, `pt-BR`) shown on
/// the Settings screen: audience data is collected from the next account on.
/// Errors: `no_workspace`.
#[tauri::command]
#[specta::specta]
pub async fn grant_audience_consent(state: State<'_, AppState>, language: String) -> IpcResult<PrivacyView> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    open.ws.grant_audience_consent(&language, &os_user()).await?;
    view(&open.ws).await
}

/// Withdraws the consent: audience data stops being collected and what is stored of it is
/// deleted (the UI confirms first). Errors: `no_workspace`.
#[tauri::command]
#[specta::specta]
pub async fn withdraw_audience_consent(state: State<'_, AppState>) -> IpcResult<PrivacyView> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    open.ws.withdraw_audience_consent(&os_user()).await?;
    view(&open.ws).await
}

/// Keeps raw API responses `days` days (`null`: forever); older ones go after each run.
/// Errors: `no_workspace`, `invalid_input` (0 days).
#[tauri::command]
#[specta::specta]
pub async fn set_raw_retention(state: State<'_, AppState>, days: Option<u32>) -> IpcResult<PrivacyView> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    open.ws.set_raw_retention_days(days, &os_user()).await?;
    view(&open.ws).await
}

/// Exports everything stored about account `account_id` to
/// `<workspace>/exports/account-<id>-<UTC time>.zip` (CSV and JSON per table, a manifest
/// with SHA-256 sums; no token). Errors: `no_workspace`, `not_found`, `io`.
#[tauri::command]
#[specta::specta]
pub async fn export_account(state: State<'_, AppState>, account_id: AccountId) -> IpcResult<AccountExportView> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    let name = format!(
        "account-{}-{}.zip",
        account_id.get(),
        Utc::now().format("%Y%m%dT%H%M%SZ")
    );
    let path = open.ws.dir().join("exports").join(name);
    let manifest = open.ws.export_account(account_id, &path, &os_user()).await?;
    // A u32 for the window (TypeScript numbers); no workspace comes near 4 billion rows.
    let rows = u32::try_from(manifest.total_rows()).unwrap_or(u32::MAX);
    Ok(AccountExportView {
        path: path.display().to_string(),
        rows,
    })
}
