//! How campaign rows are read back from SQLite and dates written to it.

use super::model::{CampaignAccountRow, CampaignRow, ConversionRow, CostRow};
use crate::time::from_db;
use crate::{platform_from_db, StoreError};
use chrono::NaiveDate;
use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, Row};
use std::str::FromStr;

pub(super) const CAMPAIGN_COLUMNS: &str = "id, name, starts_on, ends_on, budget, currency, goal, notes, created_at";

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

/// The stored key (`goal`, `role`) in the row's column named by the last segment of
/// `column` (`"campaigns.goal"` → `goal`), read back as `T`; [`StoreError::Decode`] naming
/// `column` ("unknown `what`") when it is not one of `T`'s keys.
pub(super) fn key_from_db<T: FromStr>(r: &SqliteRow, column: &'static str, what: &str) -> Result<T, StoreError> {
    let name = column.rsplit('.').next().unwrap_or(column);
    let value: String = r.try_get(name)?;
    value.parse().map_err(|_| StoreError::Decode {
        column,
        value: value.clone(),
        reason: format!("unknown {what}"),
    })
}

/// A [`CampaignRow`] from a row of [`CAMPAIGN_COLUMNS`].
pub(super) fn campaign_from_row(r: &SqliteRow) -> Result<CampaignRow, StoreError> {
    let ends_on: Option<String> = r.try_get("ends_on")?;
    Ok(CampaignRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        starts_on: date_from_db("campaigns.starts_on", &r.try_get::<String, _>("starts_on")?)?,
        ends_on: ends_on.map(|s| date_from_db("campaigns.ends_on", &s)).transpose()?,
        budget: r.try_get("budget")?,
        currency: r.try_get("currency")?,
        goal: key_from_db(r, "campaigns.goal", "goal")?,
        notes: r.try_get("notes")?,
        created_at: from_db("campaigns.created_at", &r.try_get::<String, _>("created_at")?)?,
    })
}

/// A [`CampaignAccountRow`] from a `campaign_accounts` row `c` joined to its account `a`.
pub(super) fn campaign_account_from_row(r: &SqliteRow) -> Result<CampaignAccountRow, StoreError> {
    Ok(CampaignAccountRow {
        campaign_id: r.try_get("campaign_id")?,
        account_id: r.try_get("account_id")?,
        role: key_from_db(r, "campaign_accounts.role", "role")?,
        platform: platform_from_db("accounts.platform", &r.try_get::<String, _>("platform")?)?,
        external_id: r.try_get("external_id")?,
        username: r.try_get("username")?,
        owned: r.try_get("owned")?,
    })
}

/// A [`CostRow`] from a `campaign_costs` row with `imported` (`import_key IS NOT NULL`).
pub(super) fn cost_from_row(r: &SqliteRow) -> Result<CostRow, StoreError> {
    Ok(CostRow::from_row(r)?)
}

/// A [`ConversionRow`] from a `campaign_conversions` row with `imported` (`import_key IS
/// NOT NULL`); a `count` outside `u32` is a decode error.
pub(super) fn conversion_from_row(r: &SqliteRow) -> Result<ConversionRow, StoreError> {
    Ok(ConversionRow::from_row(r)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaigns::{CampaignRole, Goal};
    use crate::Store;

    #[tokio::test]
    async fn unknown_stored_keys_are_decode_errors_naming_the_column() {
        let store = Store::open_in_memory().await.unwrap_or_else(|e| panic!("open: {e}"));
        let row = sqlx::query("SELECT 'sales' AS goal, 'Brand' AS role")
            .fetch_one(&store.pool)
            .await
            .unwrap_or_else(|e| panic!("select: {e}"));
        match key_from_db::<Goal>(&row, "campaigns.goal", "goal") {
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
            key_from_db::<CampaignRole>(&row, "campaign_accounts.role", "role").ok(),
            Some(CampaignRole::Brand)
        );
    }
}
