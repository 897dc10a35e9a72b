//! Managing campaigns on an open workspace: list, read with members and counts, change,
//! delete, add or remove accounts and posts, import costs and conversions from CSV bytes —
//! what `alcance serve`'s `/api/v1/campaigns` routes (and the desktop's campaign screens)
//! call. Creating one and its report are in [`crate::reports`] ([`create_campaign`],
//! [`campaign_report`], [`write_campaign`]), shared with the CLI.
//!
//! Dates are UTC days; money is in the campaign's currency (ISO 4217). Errors carry
//! [`crate::ErrorCode::NotFound`] for an unknown campaign, account or post and
//! [`crate::ErrorCode::InvalidInput`] for a bad name, currency, budget, date range or CSV.
//!
//! [`create_campaign`]: crate::reports::create_campaign
//! [`campaign_report`]: crate::reports::campaign_report
//! [`write_campaign`]: crate::reports::write_campaign

use crate::error::{Context, Result};
use crate::workspace::Workspace;
use alcance_core::{AccountId, CampaignId, PostId};
use alcance_report::campaign::CampaignKpis;
use alcance_store::campaigns::{
    CampaignAccountRow, CampaignRole, CampaignRow, ConversionRow, CostRow, ImportReport, NewCampaign,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A campaign with who takes part and what it counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CampaignDetail {
    /// The campaign (`campaigns` row).
    pub campaign: CampaignRow,
    /// Brands first, then influencers, each by platform and handle.
    pub accounts: Vec<CampaignAccountRow>,
    /// Store ids (`/api/v1/posts` ids) of the posts counted in the campaign, by account,
    /// then publication.
    pub post_ids: Vec<i64>,
    /// Cost lines, in the order recorded.
    pub costs: Vec<CostRow>,
    /// Conversion lines, in the order recorded.
    pub conversions: Vec<ConversionRow>,
}

/// A campaign as the Campaigns screen lists it: its row with the totals of its report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CampaignSummary {
    /// The campaign (`campaigns` row).
    pub campaign: CampaignRow,
    /// The whole campaign's figures ([`crate::reports::CampaignReport::total`]): counts are
    /// counts, rates percent 0–100, money in the campaign currency, ROI a ratio; `None` where
    /// undefined (no cost, no conversions, no reach).
    pub total: CampaignKpis,
    /// Share of the budget spent, ratio (cost / budget); `None` without a budget or cost.
    pub budget_used: Option<f64>,
}

/// Every campaign (as [`campaigns`]) with the totals of its report built at `now`, UTC.
/// Reads each campaign's posts, costs and conversions: one report per campaign.
pub async fn campaign_summaries(ws: &Workspace, now: DateTime<Utc>) -> Result<Vec<CampaignSummary>> {
    let rows = campaigns(ws).await?;
    let mut out = Vec::with_capacity(rows.len());
    for campaign in rows {
        let report = crate::reports::campaign_report(ws, CampaignId::from(campaign.id), now).await?;
        out.push(CampaignSummary {
            campaign,
            total: report.total.kpis,
            budget_used: report.budget_used,
        });
    }
    Ok(out)
}

/// Every campaign, newest start first, then by name.
pub async fn campaigns(ws: &Workspace) -> Result<Vec<CampaignRow>> {
    Ok(ws.store().list_campaigns().await?)
}

/// Campaign `id` with its accounts, posts, costs and conversions.
/// Errors: no such campaign (not found).
pub async fn campaign_detail(ws: &Workspace, id: CampaignId) -> Result<CampaignDetail> {
    let store = ws.store();
    let id = id.get();
    Ok(CampaignDetail {
        campaign: store.campaign(id).await?,
        accounts: store.campaign_accounts(id).await?,
        post_ids: store.campaign_posts(id).await?.into_iter().map(|p| p.id).collect(),
        costs: store.costs(id).await?,
        conversions: store.conversions(id).await?,
    })
}

/// Replaces every field of campaign `id` and returns it as stored.
/// Errors: not found; a bad or already used name, currency, budget or date range.
pub async fn update_campaign(ws: &Workspace, id: CampaignId, campaign: &NewCampaign) -> Result<CampaignRow> {
    let store = ws.store();
    store
        .update_campaign(id.get(), campaign)
        .await
        .with_context(|| format!("updating campaign {id}"))?;
    Ok(store.campaign(id.get()).await?)
}

/// Deletes campaign `id` with its account and post links, costs and conversions; the
/// accounts, posts and their metrics stay. Errors: not found.
pub async fn delete_campaign(ws: &Workspace, id: CampaignId) -> Result<()> {
    Ok(ws.store().delete_campaign(id.get()).await?)
}

/// Adds `account` to campaign `id` as a brand or an influencer, or changes its role.
/// Errors: an unknown campaign or account (not found).
pub async fn set_campaign_account(
    ws: &Workspace,
    id: CampaignId,
    account: AccountId,
    role: CampaignRole,
) -> Result<()> {
    Ok(ws.store().set_campaign_account(id.get(), account.get(), role).await?)
}

/// Takes `account` out of campaign `id` (its costs and conversions stay, unattributed).
/// Returns `false` when it was not in.
pub async fn remove_campaign_account(ws: &Workspace, id: CampaignId, account: AccountId) -> Result<bool> {
    Ok(ws.store().remove_campaign_account(id.get(), account.get()).await?)
}

/// Counts `post` in campaign `id`. Returns `false` when it already was.
/// Errors: an unknown campaign or post (not found).
pub async fn add_campaign_post(ws: &Workspace, id: CampaignId, post: PostId) -> Result<bool> {
    Ok(ws.store().add_campaign_post(id.get(), post.get()).await?)
}

/// Takes `post` out of campaign `id`. Returns `false` when it was not in.
pub async fn remove_campaign_post(ws: &Workspace, id: CampaignId, post: PostId) -> Result<bool> {
    Ok(ws.store().remove_campaign_post(id.get(), post.get()).await?)
}

/// Imports a costs CSV (the bytes of the file; columns
/// [`COST_CSV_COLUMNS`](alcance_store::campaigns::COST_CSV_COLUMNS)) into campaign `id`:
/// good lines are stored, bad ones listed in the report with their line number and reason.
/// Errors: an unknown campaign; a file that is not CSV.
pub async fn import_costs_csv(ws: &Workspace, id: CampaignId, csv: &[u8]) -> Result<ImportReport> {
    ws.store()
        .import_costs_csv(id.get(), csv)
        .await
        .with_context(|| format!("importing costs into campaign {id}"))
}

/// Imports a conversions CSV into campaign `id`; as [`import_costs_csv`] (columns
/// [`CONVERSION_CSV_COLUMNS`](alcance_store::campaigns::CONVERSION_CSV_COLUMNS)).
pub async fn import_conversions_csv(ws: &Workspace, id: CampaignId, csv: &[u8]) -> Result<ImportReport> {
    ws.store()
        .import_conversions_csv(id.get(), csv)
        .await
        .with_context(|| format!("importing conversions into campaign {id}"))
}
