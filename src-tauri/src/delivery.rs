//! The Reports screen's "Scheduled delivery" card (issue 13 point 5): the report schedules
//! with their last delivery, add / pause / resume / remove, "Send now", the SMTP settings
//! (the password goes to the vault) and the Google account for Sheets — thin wrappers over
//! `alcance_app::delivery` and `alcance_app::sheets`, the same the CLI's `alcance report
//! schedule|deliver-now|mail|sheets` call.

use crate::error::{IpcError, IpcResult};
use crate::oauth_bridge::RecordingBrowser;
use crate::state::{AppState, WorkspaceKind};
use alcance_app::delivery::{self, ScheduleInput, ScheduleView, SendNowResult};
use alcance_app::sheets::{self, SheetsConnection};
use chrono::Utc;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use tauri::State;

/// The SMTP settings as the card shows them (never the password).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct MailView {
    /// `smtp://user@host:587?tls=required`, `smtps://user@host`, `smtp://127.0.0.1:25`.
    pub smtp_url: String,
    /// The `From:` address.
    pub sender: String,
    /// When it was set, UTC RFC 3339.
    pub updated_at: String,
}

/// The schedules with their last delivery and next send. Errors: no workspace.
#[tauri::command]
#[specta::specta]
pub async fn list_report_schedules(state: State<'_, AppState>) -> IpcResult<Vec<ScheduleView>> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(delivery::schedule_views(&open.ws, Utc::now()).await?)
}

/// Adds a schedule. Errors: `invalid_input` (no destination, a bad address, zone, day or
/// hour), `not_found` (no such campaign).
#[tauri::command]
#[specta::specta]
pub async fn add_report_schedule(state: State<'_, AppState>, input: ScheduleInput) -> IpcResult<ScheduleView> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    let now = Utc::now();
    let added = delivery::add_schedule(&open.ws, &input.request()?, now).await?;
    Ok(delivery::schedule_view(&open.ws, added.row.id, now).await?)
}

/// Pauses (`false`) or resumes (`true`) a schedule. Errors: `not_found`.
#[tauri::command]
#[specta::specta]
pub async fn set_report_schedule_enabled(state: State<'_, AppState>, id: i64, enabled: bool) -> IpcResult<()> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(delivery::set_schedule_enabled(&open.ws, id, enabled).await?)
}

/// Removes a schedule and its delivery history. Errors: `not_found`.
#[tauri::command]
#[specta::specta]
pub async fn remove_report_schedule(state: State<'_, AppState>, id: i64) -> IpcResult<()> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(delivery::remove_schedule(&open.ws, id).await?)
}

/// Sends a schedule's latest due period now (still once per period). A failed attempt is
/// recorded and retried with backoff; its error is in the answer. Errors: `not_found`.
#[tauri::command]
#[specta::specta]
pub async fn deliver_report_now(state: State<'_, AppState>, id: i64) -> IpcResult<SendNowResult> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(delivery::send_now(&open.ws, id, Utc::now()).await?)
}

/// The SMTP settings, `null` until set.
#[tauri::command]
#[specta::specta]
pub async fn mail_settings(state: State<'_, AppState>) -> IpcResult<Option<MailView>> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    let row = open
        .ws
        .store()
        .mail_settings()
        .await
        .map_err(alcance_app::AppError::from)?;
    Ok(row.map(|m| MailView {
        smtp_url: m.smtp_url,
        sender: m.sender,
        updated_at: m.updated_at.to_rfc3339(),
    }))
}

/// Sets the SMTP server (a URL without password), the sender and the password (into the
/// vault; empty or `null`: none). Errors: `invalid_input` (a bad URL or sender), the vault.
#[tauri::command]
#[specta::specta]
pub async fn set_mail_settings(
    state: State<'_, AppState>,
    smtp_url: String,
    sender: String,
    password: Option<String>,
) -> IpcResult<()> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    let password = password.filter(|p| !p.is_empty()).map(SecretString::from);
    delivery::set_mail(&open.ws, &smtp_url, &sender, password.as_ref(), Utc::now()).await?;
    Ok(())
}

/// The connected Google account for Sheets, `null` when none.
#[tauri::command]
#[specta::specta]
pub async fn sheets_connection(state: State<'_, AppState>) -> IpcResult<Option<SheetsConnection>> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(sheets::connection(&open.ws)?)
}

/// Connects a Google account for Sheets in the system browser (the demo's sandbox approves
/// by itself): loopback redirect with PKCE; the grant goes to the vault. Errors: consent
/// denied or timed out, Google refused the code.
#[tauri::command]
#[specta::specta]
pub async fn connect_sheets(
    state: State<'_, AppState>,
    client_id: String,
    client_secret: Option<String>,
) -> IpcResult<SheetsConnection> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    let browser = RecordingBrowser::new(state.pending_redirect.clone(), open.kind == WorkspaceKind::Demo);
    let secret = client_secret.filter(|s| !s.is_empty()).map(SecretString::from);
    let connection = sheets::connect(
        &open.ws,
        &client_id,
        secret,
        &browser,
        alcance_app::oauth::DEFAULT_AUTHORIZE_TIMEOUT,
    )
    .await;
    browser.take();
    Ok(connection?)
}

/// Revokes the Google grant and forgets it.
#[tauri::command]
#[specta::specta]
pub async fn disconnect_sheets(state: State<'_, AppState>) -> IpcResult<()> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    sheets::disconnect(&open.ws).await?;
    Ok(())
}
