//! Campaign CRUD: campaigns, their accounts and posts, costs and conversions.

use super::import::{ConversionInsert, CostInsert};
use super::model::{
    CampaignAccountRow, CampaignRole, CampaignRow, ConversionRow, CostRow, NewCampaign, NewConversion, NewCost,
};
use super::rows::{as_is, campaign_account_from_row, campaign_from_row, date_to_db, CampaignRecord, CAMPAIGN_COLUMNS};
use super::validate::{bind_campaign, check_currency, check_money, name_taken, non_blank};
use crate::engine::on_tx;
use crate::error::touched_one;
use crate::query::{
    post_from_row, post_metric_from_row, POST_METRIC_COLUMNS, POST_METRIC_ORDER, POST_ORDER, POST_SELECT,
};
use crate::query::{PostRecord, Record};
use crate::time::to_db;
use crate::{on_pool, PostRow, Store, StoreError};
use alcance_core::{Platform, PostMetricRow};
use chrono::{DateTime, Utc};

impl Store {
    /// Creates a campaign and returns `campaigns.id`.
    ///
    /// Errors: [`StoreError::Invalid`] for a bad name, currency, budget or date range (see
    /// [`NewCampaign`]) or a name another campaign already uses (case-insensitive).
    pub async fn create_campaign(&self, campaign: &NewCampaign) -> Result<i64, StoreError> {
        let (name, currency) = campaign.checked()?;
        if self.campaign_by_name(&name).await?.is_some() {
            return Err(name_taken(name));
        }
        let now = to_db(Utc::now());
        let id: i64 = on_pool!(&self.pool, |p| bind_campaign!(
            sqlx::query_scalar(
                "INSERT INTO campaigns (name, starts_on, ends_on, budget, currency, goal, notes, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
            ),
            &name,
            &currency,
            campaign,
            &now
        )
        .fetch_one(p)
        .await?);
        Ok(id)
    }

    /// Replaces every field of campaign `id`. Existing costs and conversions keep their own
    /// currencies. Errors: as [`Store::create_campaign`]; [`StoreError::NotFound`].
    pub async fn update_campaign(&self, id: i64, campaign: &NewCampaign) -> Result<(), StoreError> {
        let (name, currency) = campaign.checked()?;
        if self.campaign_by_name(&name).await?.is_some_and(|c| c.id != id) {
            return Err(name_taken(name));
        }
        let now = to_db(Utc::now());
        let done = on_pool!(&self.pool, |p| bind_campaign!(
            sqlx::query(
                "UPDATE campaigns SET name = $1, starts_on = $2, ends_on = $3, budget = $4, currency = $5, goal = $6,
                                      notes = $7, updated_at = $8
                 WHERE id = $9",
            ),
            &name,
            &currency,
            campaign,
            &now
        )
        .bind(id)
        .execute(p)
        .await?
        .rows_affected());
        touched_one(done, "campaign", id)
    }

    /// Deletes a campaign with its account and post links, costs and conversions (the
    /// accounts and posts themselves stay). Errors: [`StoreError::NotFound`].
    pub async fn delete_campaign(&self, id: i64) -> Result<(), StoreError> {
        let done = on_pool!(&self.pool, |p| sqlx::query("DELETE FROM campaigns WHERE id = $1")
            .bind(id)
            .execute(p)
            .await?
            .rows_affected());
        touched_one(done, "campaign", id)
    }

    /// Archives campaign `id` at `at` (wall clock, UTC), or takes it out of the archive
    /// with `None`. Archiving an archived campaign keeps its first time. Errors:
    /// [`StoreError::NotFound`].
    pub async fn set_campaign_archived(&self, id: i64, at: Option<DateTime<Utc>>) -> Result<(), StoreError> {
        let now = to_db(Utc::now());
        let done = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE campaigns SET archived_at = CASE WHEN CAST($1 AS TEXT) IS NULL THEN NULL
                                                    ELSE coalesce(archived_at, CAST($1 AS TEXT)) END,
                                  updated_at = $2
             WHERE id = $3",
        )
        .bind(at.map(to_db))
        .bind(&now)
        .bind(id)
        .execute(p)
        .await?
        .rows_affected());
        touched_one(done, "campaign", id)
    }

    /// One campaign by id. Errors: [`StoreError::NotFound`].
    pub async fn campaign(&self, id: i64) -> Result<CampaignRow, StoreError> {
        let sql = format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1");
        let row: Option<CampaignRecord> =
            on_pool!(&self.pool, |p| sqlx::query_as(&sql).bind(id).fetch_optional(p).await?);
        match row {
            Some(r) => campaign_from_row(r),
            None => Err(StoreError::NotFound { what: "campaign", id }),
        }
    }

    /// The campaign named `name` (trimmed, case-insensitive), if any.
    pub async fn campaign_by_name(&self, name: &str) -> Result<Option<CampaignRow>, StoreError> {
        // lower() on both sides: SQLite's NOCASE column and PostgreSQL's unique index on
        // lower(name) fold ASCII letters the same way.
        let sql = format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE lower(name) = lower($1)");
        let row: Option<CampaignRecord> = on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(name.trim())
            .fetch_optional(p)
            .await?);
        row.map(campaign_from_row).transpose()
    }

    /// Every campaign, newest start first, then by name.
    pub async fn list_campaigns(&self) -> Result<Vec<CampaignRow>, StoreError> {
        let sql = format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns ORDER BY starts_on DESC, lower(name)");
        let rows: Vec<CampaignRecord> = on_pool!(&self.pool, |p| sqlx::query_as(&sql).fetch_all(p).await?);
        rows.into_iter().map(campaign_from_row).collect()
    }

    /// Adds an account to a campaign with `role`, or changes its role when it is already
    /// in. Errors: [`StoreError::NotFound`] for an unknown campaign or account.
    pub async fn set_campaign_account(
        &self,
        campaign_id: i64,
        account_id: i64,
        role: CampaignRole,
    ) -> Result<(), StoreError> {
        self.campaign(campaign_id).await?;
        self.account(account_id).await?;
        on_pool!(&self.pool, |p| sqlx::query(
            "INSERT INTO campaign_accounts (campaign_id, account_id, role, added_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (campaign_id, account_id) DO UPDATE SET role = excluded.role",
        )
        .bind(campaign_id)
        .bind(account_id)
        .bind(role.as_str())
        .bind(to_db(Utc::now()))
        .execute(p)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Removes an account from a campaign (its costs and conversions stay, unattributed
    /// rows keep counting for the campaign). Returns `false` when it was not in.
    pub async fn remove_campaign_account(&self, campaign_id: i64, account_id: i64) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = on_tx!(&mut tx, |c| sqlx::query(
            "DELETE FROM campaign_accounts WHERE campaign_id = $1 AND account_id = $2"
        )
        .bind(campaign_id)
        .bind(account_id)
        .execute(&mut *c)
        .await?
        .rows_affected());
        for table in ["campaign_costs", "campaign_conversions"] {
            let sql = format!("UPDATE {table} SET account_id = NULL WHERE campaign_id = $1 AND account_id = $2");
            on_tx!(&mut tx, |c| sqlx::query(&sql)
                .bind(campaign_id)
                .bind(account_id)
                .execute(&mut *c)
                .await?
                .rows_affected());
        }
        tx.commit().await?;
        Ok(done > 0)
    }

    /// The accounts of a campaign: brands first, then influencers, each by platform and
    /// handle. Errors: [`StoreError::NotFound`] for an unknown campaign.
    pub async fn campaign_accounts(&self, campaign_id: i64) -> Result<Vec<CampaignAccountRow>, StoreError> {
        self.campaign_rows(
            campaign_id,
            "SELECT c.campaign_id, c.account_id, c.role, a.platform, a.external_id, a.username, a.owned
             FROM campaign_accounts AS c JOIN accounts AS a ON a.id = c.account_id
             WHERE c.campaign_id = $1
             ORDER BY c.role = 'influencer', a.platform, coalesce(a.username, a.external_id), a.id",
            campaign_account_from_row,
        )
        .await
    }

    /// The rows `sql` selects for campaign `campaign_id` (bound to `$1`), each read by
    /// `map`. Errors: [`StoreError::NotFound`] for an unknown campaign; what `map` returns.
    async fn campaign_rows<R: Record, T>(
        &self,
        campaign_id: i64,
        sql: &str,
        map: fn(R) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        self.campaign(campaign_id).await?;
        let rows: Vec<R> = on_pool!(&self.pool, |p| sqlx::query_as(sql)
            .bind(campaign_id)
            .fetch_all(p)
            .await?);
        rows.into_iter().map(map).collect()
    }

    /// Counts post `post_id` (`posts.id`) in a campaign. Returns `false` when it already
    /// was. Errors: [`StoreError::NotFound`] for an unknown campaign or post.
    pub async fn add_campaign_post(&self, campaign_id: i64, post_id: i64) -> Result<bool, StoreError> {
        self.campaign(campaign_id).await?;
        let exists: bool = on_pool!(&self.pool, |p| sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM posts WHERE id = $1)"
        )
        .bind(post_id)
        .fetch_one(p)
        .await?);
        if !exists {
            return Err(StoreError::NotFound {
                what: "post",
                id: post_id,
            });
        }
        let done = on_pool!(&self.pool, |p| sqlx::query(
            "INSERT INTO campaign_posts (campaign_id, post_id, added_at) VALUES ($1, $2, $3)
             ON CONFLICT (campaign_id, post_id) DO NOTHING",
        )
        .bind(campaign_id)
        .bind(post_id)
        .bind(to_db(Utc::now()))
        .execute(p)
        .await?
        .rows_affected());
        Ok(done > 0)
    }

    /// Takes a post out of a campaign. Returns `false` when it was not in.
    pub async fn remove_campaign_post(&self, campaign_id: i64, post_id: i64) -> Result<bool, StoreError> {
        let done = on_pool!(&self.pool, |p| sqlx::query(
            "DELETE FROM campaign_posts WHERE campaign_id = $1 AND post_id = $2"
        )
        .bind(campaign_id)
        .bind(post_id)
        .execute(p)
        .await?
        .rows_affected());
        Ok(done > 0)
    }

    /// The posts of a campaign with their account's identity, ordered by account
    /// (platform, `user_id`), `published_at`, post id. Errors: [`StoreError::NotFound`].
    pub async fn campaign_posts(&self, campaign_id: i64) -> Result<Vec<PostRow>, StoreError> {
        let sql = format!(
            "{POST_SELECT} JOIN campaign_posts AS cp ON cp.post_id = p.id WHERE cp.campaign_id = $1
             ORDER BY {POST_ORDER}"
        );
        self.campaign_rows(campaign_id, &sql, post_from_row).await
    }

    /// The campaigns post `post_id` counts in, as [`Store::list_campaigns`] orders them.
    pub async fn post_campaigns(&self, post_id: i64) -> Result<Vec<CampaignRow>, StoreError> {
        let sql = format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE id IN
                 (SELECT campaign_id FROM campaign_posts WHERE post_id = $1)
             ORDER BY starts_on DESC, lower(name)"
        );
        let rows: Vec<CampaignRecord> =
            on_pool!(&self.pool, |p| sqlx::query_as(&sql).bind(post_id).fetch_all(p).await?);
        rows.into_iter().map(campaign_from_row).collect()
    }

    /// Every metric snapshot of the campaign's posts, in the order of
    /// [`Store::post_metric_rows`] (account, post, metric, `collected_at`), for
    /// `alcance_core::analytics::posts::latest_post_metrics`. Errors: [`StoreError::NotFound`].
    pub async fn campaign_post_metric_rows(&self, campaign_id: i64) -> Result<Vec<PostMetricRow>, StoreError> {
        let sql = format!(
            "SELECT {POST_METRIC_COLUMNS}
             FROM campaign_posts AS cp
             JOIN posts AS p ON p.id = cp.post_id
             JOIN accounts AS a ON a.id = p.account_id
             JOIN post_metrics AS m ON m.post_id = p.id
             WHERE cp.campaign_id = $1
             ORDER BY {POST_METRIC_ORDER}"
        );
        self.campaign_rows(campaign_id, &sql, post_metric_from_row).await
    }

    /// Posts whose platform post id is `external_id` (trimmed), optionally on one platform
    /// only: usually one, several when two platforms use the same id.
    pub async fn find_posts(&self, external_id: &str, platform: Option<Platform>) -> Result<Vec<PostRow>, StoreError> {
        let sql = format!(
            "{POST_SELECT} WHERE p.external_id = $1 AND ($2 IS NULL OR a.platform = $2)
             ORDER BY a.platform, a.external_id, p.id"
        );
        let rows: Vec<PostRecord> = on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(external_id.trim())
            .bind(platform.map(Platform::as_str))
            .fetch_all(p)
            .await?);
        rows.into_iter().map(post_from_row).collect()
    }

    /// Fails unless `account_id` takes part in the campaign.
    async fn check_member(&self, campaign_id: i64, account_id: i64, what: &'static str) -> Result<(), StoreError> {
        let member: bool = on_pool!(&self.pool, |p| sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM campaign_accounts WHERE campaign_id = $1 AND account_id = $2)",
        )
        .bind(campaign_id)
        .bind(account_id)
        .fetch_one(p)
        .await?);
        if member {
            Ok(())
        } else {
            Err(StoreError::Invalid {
                what,
                value: format!("account {account_id}"),
                expected: "an account of the campaign (add it to the campaign first)",
            })
        }
    }

    /// Records a cost and returns `campaign_costs.id`.
    ///
    /// Errors: [`StoreError::NotFound`] for an unknown campaign; [`StoreError::Invalid`] for
    /// a negative or non-finite amount, a bad currency, or an account not in the campaign.
    pub async fn add_cost(&self, campaign_id: i64, cost: &NewCost) -> Result<i64, StoreError> {
        self.campaign(campaign_id).await?;
        let amount = check_money("cost amount", cost.amount)?;
        let currency = check_currency(&cost.currency)?;
        if let Some(account) = cost.account_id {
            self.check_member(campaign_id, account, "cost account").await?;
        }
        let row = CostInsert {
            account_id: cost.account_id,
            spent_on: date_to_db(cost.spent_on),
            amount,
            currency,
            note: non_blank(cost.note.as_deref()).map(str::to_string),
            import_key: None,
        };
        let mut tx = self.pool.begin().await?;
        let id = row.insert(&mut tx, campaign_id).await?;
        tx.commit().await?;
        id.ok_or_else(|| StoreError::Sqlx(sqlx::Error::RowNotFound))
    }

    /// The costs of a campaign, by day then id. Errors: [`StoreError::NotFound`].
    pub async fn costs(&self, campaign_id: i64) -> Result<Vec<CostRow>, StoreError> {
        self.campaign_rows(
            campaign_id,
            "SELECT id, campaign_id, account_id, spent_on, amount, currency, note, import_key IS NOT NULL AS imported
             FROM campaign_costs WHERE campaign_id = $1 ORDER BY spent_on, id",
            as_is::<CostRow>,
        )
        .await
    }

    /// Records conversions and returns `campaign_conversions.id`.
    ///
    /// Errors: [`StoreError::NotFound`] for an unknown campaign; [`StoreError::Invalid`] for
    /// a negative or non-finite revenue, a bad currency, or an account not in the campaign.
    pub async fn add_conversion(&self, campaign_id: i64, conversion: &NewConversion) -> Result<i64, StoreError> {
        self.campaign(campaign_id).await?;
        if let Some(r) = conversion.revenue {
            check_money("conversion revenue", r)?;
        }
        let currency = check_currency(&conversion.currency)?;
        if let Some(account) = conversion.account_id {
            self.check_member(campaign_id, account, "conversion account").await?;
        }
        let row = ConversionInsert {
            account_id: conversion.account_id,
            converted_on: date_to_db(conversion.converted_on),
            count: conversion.count,
            revenue: conversion.revenue,
            currency,
            source: non_blank(conversion.source.as_deref()).map(str::to_string),
            utm_campaign: non_blank(conversion.utm_campaign.as_deref()).map(str::to_string),
            utm_source: non_blank(conversion.utm_source.as_deref()).map(str::to_string),
            utm_medium: non_blank(conversion.utm_medium.as_deref()).map(str::to_string),
            import_key: None,
        };
        let mut tx = self.pool.begin().await?;
        let id = row.insert(&mut tx, campaign_id).await?;
        tx.commit().await?;
        id.ok_or_else(|| StoreError::Sqlx(sqlx::Error::RowNotFound))
    }

    /// The conversions of a campaign, by day then id. Errors: [`StoreError::NotFound`].
    pub async fn conversions(&self, campaign_id: i64) -> Result<Vec<ConversionRow>, StoreError> {
        self.campaign_rows(
            campaign_id,
            "SELECT id, campaign_id, account_id, converted_on, count, revenue, currency, source, utm_campaign,
                    utm_source, utm_medium, import_key IS NOT NULL AS imported
             FROM campaign_conversions WHERE campaign_id = $1 ORDER BY converted_on, id",
            as_is::<ConversionRow>,
        )
        .await
    }
}
