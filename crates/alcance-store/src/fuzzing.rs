//! Fuzz entry point of the store (ADR 0016): the campaign CSV importers. The `campaign_csv`
//! fuzz target calls [`campaign_csv`]; the tests replay its seeds and crash regressions
//! (`fuzz/corpus/campaign_csv/`, `fuzz/regressions/campaign_csv/`) through it.

use crate::campaigns::{check_csv, CampaignAccountRow, CampaignRole, CampaignRow, Goal};
use alcance_core::Platform;
use chrono::{DateTime, NaiveDate};

/// Reads `bytes` as a costs CSV and as a conversions CSV of a fixed campaign (EUR,
/// 2026-11-01 to 2026-11-30, two member accounts: X `1` @brand and Instagram `2`
/// @influencer), as [`crate::Store::import_costs_csv`] and
/// [`crate::Store::import_conversions_csv`] parse them. Never panics.
pub fn campaign_csv(bytes: &[u8]) {
    let campaign = CampaignRow {
        id: 1,
        name: "Fuzz".into(),
        starts_on: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default(),
        ends_on: NaiveDate::from_ymd_opt(2026, 11, 30),
        budget: Some(1000.0),
        currency: "EUR".into(),
        goal: Goal::Conversions,
        notes: None,
        created_at: DateTime::from_timestamp(1_793_000_000, 0).unwrap_or_default(),
        archived_at: None,
    };
    let member = |account_id: i64, platform, username: &str, role| CampaignAccountRow {
        campaign_id: 1,
        account_id,
        role,
        platform,
        external_id: account_id.to_string(),
        username: Some(username.to_string()),
        owned: true,
    };
    let members = [
        member(1, Platform::X, "brand", CampaignRole::Brand),
        member(2, Platform::Instagram, "influencer", CampaignRole::Influencer),
    ];
    let _ = check_csv(bytes, true, &campaign, &members);
    let _ = check_csv(bytes, false, &campaign, &members);
}
