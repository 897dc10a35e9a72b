//! The Campaigns screen's commands: list with totals, read, create, change, delete a
//! campaign, set its brands and influencers, and its report — thin wrappers over
//! `alcance_app::campaigns` and `alcance_app::reports` on the open workspace (the same
//! functions `alcance serve`'s `/api/v1/campaigns` routes call, so both UIs see the same
//! values). Dates are UTC days; money is in the campaign's currency (ISO 4217).

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use alcance_app::campaigns::{self, CampaignDetail, CampaignSummary, CampaignTrend, PostRule, TrendLabels};
use alcance_app::reports::{self, CampaignReport};
use alcance_app::store::{
    CampaignRole, CampaignRow, ConversionRow, CostRow, ImportReport, NewCampaign, NewConversion, NewCost,
};
use alcance_app::views::PostView;
use alcance_app::{AccountId, CampaignId, PostId};
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

/// Archives a campaign (it keeps everything; the list shows it under "Show archived") and
/// returns it as stored, `archived_at` set (UTC). Errors: `not_found`.
#[tauri::command]
#[specta::specta]
pub async fn archive_campaign(state: State<'_, AppState>, campaign_id: CampaignId) -> IpcResult<CampaignRow> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(campaigns::archive_campaign(&open.ws, campaign_id, Utc::now()).await?)
}

/// Takes a campaign out of the archive and returns it as stored. Errors: `not_found`.
#[tauri::command]
#[specta::specta]
pub async fn unarchive_campaign(state: State<'_, AppState>, campaign_id: CampaignId) -> IpcResult<CampaignRow> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(campaigns::unarchive_campaign(&open.ws, campaign_id).await?)
}

/// Counts every post in every campaign picked (the Posts screen's "Add to campaign…");
/// returns how many links were new (a post already in a campaign is no error).
/// Errors: `invalid_input` (an empty list, more than 1000 of either), `not_found`.
#[tauri::command]
#[specta::specta]
pub async fn add_posts_to_campaigns(
    state: State<'_, AppState>,
    campaign_ids: Vec<CampaignId>,
    post_ids: Vec<PostId>,
) -> IpcResult<u32> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    let added = campaigns::add_posts_to_campaigns(&open.ws, &campaign_ids, &post_ids).await?;
    Ok(u32::try_from(added).unwrap_or(u32::MAX))
}

/// Takes a post out of a campaign; nothing happens when it was not in.
#[tauri::command]
#[specta::specta]
pub async fn remove_campaign_post(
    state: State<'_, AppState>,
    campaign_id: CampaignId,
    post_id: PostId,
) -> IpcResult<()> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    campaigns::remove_campaign_post(&open.ws, campaign_id, post_id).await?;
    Ok(())
}

/// The campaign's posts with their latest lifetime metrics, most interactions first (the
/// top posts). Errors: `not_found`.
#[tauri::command]
#[specta::specta]
pub async fn campaign_posts(state: State<'_, AppState>, campaign_id: CampaignId) -> IpcResult<Vec<PostView>> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(campaigns::campaign_posts(&open.ws, campaign_id).await?)
}

/// Reach and interactions the campaign's posts gained per UTC day, with the chart (SVG)
/// labelled in the UI's language. Errors: `not_found`.
#[tauri::command]
#[specta::specta]
pub async fn campaign_trend(
    state: State<'_, AppState>,
    campaign_id: CampaignId,
    labels: TrendLabels,
) -> IpcResult<CampaignTrend> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(campaigns::campaign_trend(&open.ws, campaign_id, &labels).await?)
}

/// Records a cost (influencer fee, boost) and returns it as stored. Errors: `not_found`,
/// `invalid_input` (a negative amount, a bad currency, an account not in the campaign).
#[tauri::command]
#[specta::specta]
pub async fn add_campaign_cost(
    state: State<'_, AppState>,
    campaign_id: CampaignId,
    cost: NewCost,
) -> IpcResult<CostRow> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(campaigns::add_cost(&open.ws, campaign_id, &cost).await?)
}

/// Records conversions (count, revenue) on a day and returns them as stored. Errors: as
/// `add_campaign_cost`.
#[tauri::command]
#[specta::specta]
pub async fn add_campaign_conversion(
    state: State<'_, AppState>,
    campaign_id: CampaignId,
    conversion: NewConversion,
) -> IpcResult<ConversionRow> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(campaigns::add_conversion(&open.ws, campaign_id, &conversion).await?)
}

/// Imports a costs CSV (the text of the file the user picked): good lines are kept, bad
/// ones come back with their line number and reason. Errors: `not_found`, `invalid_input`
/// (not CSV).
#[tauri::command]
#[specta::specta]
pub async fn import_campaign_costs(
    state: State<'_, AppState>,
    campaign_id: CampaignId,
    csv: String,
) -> IpcResult<ImportReport> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(campaigns::import_costs_csv(&open.ws, campaign_id, csv.as_bytes()).await?)
}

/// Imports a conversions CSV; as `import_campaign_costs`.
#[tauri::command]
#[specta::specta]
pub async fn import_campaign_conversions(
    state: State<'_, AppState>,
    campaign_id: CampaignId,
    csv: String,
) -> IpcResult<ImportReport> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(campaigns::import_conversions_csv(&open.ws, campaign_id, csv.as_bytes()).await?)
}

/// The posts a rule picks for a campaign (an influencer's posts in a date range whose
/// caption carries a hashtag, a mention or a link), most interactions first, to preview
/// before adding them. Errors: `not_found`, `invalid_input` (a blank term, a bad range, no
/// influencer).
#[tauri::command]
#[specta::specta]
pub async fn preview_post_rule(
    state: State<'_, AppState>,
    campaign_id: CampaignId,
    rule: PostRule,
) -> IpcResult<Vec<PostView>> {
    let guard = state.workspace.read().await;
    let open = guard.as_ref().ok_or_else(IpcError::no_workspace)?;
    Ok(campaigns::preview_post_rule(&open.ws, campaign_id, &rule).await?)
}
