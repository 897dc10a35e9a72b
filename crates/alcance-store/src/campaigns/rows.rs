//! How campaign rows are read back from the database and dates written to it.

use super::model::{CampaignAccountRow, CampaignRow};
use crate::time::{from_db, from_db_opt};
use crate::{platform_from_db, StoreError};
use chrono::NaiveDate;
use std::str::FromStr;

pub(super) const CAMPAIGN_COLUMNS: &str =
    "id, name, starts_on, ends_on, budget, currency, goal, notes, created_at, archived_at";

pub(super) fn date_to_db(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(super) fn date_from_db(column: &'static str, s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| StoreError::Decode {
        column,
        value: s.to_string(),
        reason: format!("not a YYYY-MM-DD date ({e})"),
    })
}

/// A stored key (`goal`, `role`) read back as `T`; [`StoreError::Decode`] naming
/// `column` ("unknown `what`") when it is not one of `T`'s keys.
pub(super) fn key_from_db<T: FromStr>(value: String, column: &'static str, what: &str) -> Result<T, StoreError> {
    value.parse().map_err(|_| StoreError::Decode {
        column,
        value,
        reason: format!("unknown {what}"),
    })
}

/// A row of [`CAMPAIGN_COLUMNS`] as stored; [`CampaignRow`] once parsed.
#[derive(sqlx::FromRow)]
pub(super) struct CampaignRecord {
    id: i64,
    name: String,
    starts_on: String,
    ends_on: Option<String>,
    budget: Option<f64>,
    currency: String,
    goal: String,
    notes: Option<String>,
    created_at: String,
    archived_at: Option<String>,
}

/// A [`CampaignRow`] from a row of [`CAMPAIGN_COLUMNS`].
pub(super) fn campaign_from_row(r: CampaignRecord) -> Result<CampaignRow, StoreError> {
    Ok(CampaignRow {
        id: r.id,
        name: r.name,
        starts_on: date_from_db("campaigns.starts_on", &r.starts_on)?,
        ends_on: r.ends_on.map(|s| date_from_db("campaigns.ends_on", &s)).transpose()?,
        budget: r.budget,
        currency: r.currency,
        goal: key_from_db(r.goal, "campaigns.goal", "goal")?,
        notes: r.notes,
        created_at: from_db("campaigns.created_at", &r.created_at)?,
        archived_at: from_db_opt("campaigns.archived_at", r.archived_at)?,
    })
}

/// A `campaign_accounts` row `c` joined to its account `a`, as stored.
#[derive(sqlx::FromRow)]
pub(super) struct CampaignAccountRecord {
    campaign_id: i64,
    account_id: i64,
    role: String,
    platform: String,
    external_id: String,
    username: Option<String>,
    owned: bool,
}

/// A [`CampaignAccountRow`] from a `campaign_accounts` row `c` joined to its account `a`.
pub(super) fn campaign_account_from_row(r: CampaignAccountRecord) -> Result<CampaignAccountRow, StoreError> {
    Ok(CampaignAccountRow {
        campaign_id: r.campaign_id,
        account_id: r.account_id,
        role: key_from_db(r.role, "campaign_accounts.role", "role")?,
        platform: platform_from_db("accounts.platform", &r.platform)?,
        external_id: r.external_id,
        username: r.username,
        owned: r.owned,
    })
}

/// A [`CostRow`] or [`ConversionRow`] (read directly) as the `campaign_rows` mapper.
pub(super) fn as_is<T>(r: T) -> Result<T, StoreError> {
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaigns::{CampaignRole, Goal};

    #[test]
    fn unknown_stored_keys_are_decode_errors_naming_the_column() {
        match key_from_db::<Goal>("sales".to_string(), "campaigns.goal", "goal") {
            Err(StoreError::Decode { column, value, reason }) => {
                assert_eq!(
                    (column, value.as_str(), reason.as_str()),
                    ("campaigns.goal", "sales", "unknown goal")
                );
            }
            other => panic!("expected Decode, got {other:?}"),
        }
        // Stored keys are read case-insensitively, like typed ones.
        assert_eq!(
            key_from_db::<CampaignRole>("Brand".to_string(), "campaign_accounts.role", "role").ok(),
            Some(CampaignRole::Brand)
        );
    }
}
