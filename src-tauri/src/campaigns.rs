//! The Campaigns screen's commands: list with totals, read, create, change, delete a
//! campaign, set its brands and influencers, and its report — thin wrappers over
//! `alcance_app::campaigns` and `alcance_app::reports` on the open workspace (the same
//! functions `alcance serve`'s `/api/v1/campaigns` routes call, so both UIs see the same
//! values). Dates are UTC days; money is in the campaign's currency (ISO 4217).

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use alcance_app::campaigns::{self, CampaignDetail, CampaignSummary};
use alcance_app::reports::{self, CampaignReport};
use alcance_app::store::{CampaignRole, CampaignRow, NewCampaign};
use alcance_app::{AccountId, CampaignId};
use chrono::Utc;
use tauri::State;

/// Every campaign, newest start first, with the totals of its report (reach, engagement,
/// spend, ROI; `null` where undefined).
#[tauri::command]
#[specta::specta]
pub async fn list_campaigns(state: State<'_, AppState>) -> IpcResult<Vec<CampaignSummary>> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(campaigns::campaign_summaries(&open.ws, Utc::now()).await?)
}

/// One campaign with its brand and influencer accounts, post ids, costs and conversions.
/// Errors: `not_found`.
#[tauri::command]
#[specta::specta]
pub async fn get_campaign(state: State<'_, AppState>, campaign_id: CampaignId) -> IpcResult<CampaignDetail> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(campaigns::campaign_detail(&open.ws, campaign_id).await?)
}

/// Creates a campaign and returns it as stored. Errors: `invalid_input` (a used name, a
/// bad currency, a negative budget, an end before the start).
#[tauri::command]
#[specta::specta]
pub async fn create_campaign(state: State<'_, AppState>, campaign: NewCampaign) -> IpcResult<CampaignRow> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(reports::create_campaign(&open.ws, &campaign).await?)
}

/// Replaces every field of a campaign and returns it as stored.
/// Errors: `not_found`, `invalid_input`.
#[tauri::command]
#[specta::specta]
pub async fn update_campaign(
    state: State<'_, AppState>,
    campaign_id: CampaignId,
    campaign: NewCampaign,
) -> IpcResult<CampaignRow> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(campaigns::update_campaign(&open.ws, campaign_id, &campaign).await?)
}

/// Deletes a campaign with its links, costs and conversions; the accounts, posts and
/// metrics stay. Errors: `not_found`.
#[tauri::command]
#[specta::specta]
pub async fn delete_campaign(state: State<'_, AppState>, campaign_id: CampaignId) -> IpcResult<()> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(campaigns::delete_campaign(&open.ws, campaign_id).await?)
}

/// Adds an account to a campaign as a brand or an influencer, or changes its role.
/// Errors: `not_found`.
#[tauri::command]
#[specta::specta]
pub async fn set_campaign_account(
    state: State<'_, AppState>,
    campaign_id: CampaignId,
    account_id: AccountId,
    role: CampaignRole,
) -> IpcResult<()> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(campaigns::set_campaign_account(&open.ws, campaign_id, account_id, role).await?)
}

/// Takes an account out of a campaign (its costs and conversions stay, unattributed);
/// nothing happens when it was not in.
#[tauri::command]
#[specta::specta]
pub async fn remove_campaign_account(
    state: State<'_, AppState>,
    campaign_id: CampaignId,
    account_id: AccountId,
) -> IpcResult<()> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    campaigns::remove_campaign_account(&open.ws, campaign_id, account_id).await?;
    Ok(())
}

/// The campaign report: per account side by side and in total (counts are counts, rates
/// percent 0–100, money in the campaign currency, ROI and `budget_used` ratios; `null`
/// where undefined). Errors: `not_found`.
#[tauri::command]
#[specta::specta]
pub async fn campaign_report(state: State<'_, AppState>, campaign_id: CampaignId) -> IpcResult<CampaignReport> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(reports::campaign_report(&open.ws, campaign_id, Utc::now()).await?)
}
