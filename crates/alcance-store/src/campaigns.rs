//! Campaigns: `campaigns`, the accounts taking part (`campaign_accounts`, brand or
//! influencer), the posts counted (`campaign_posts`, many-to-many: a post may serve several
//! campaigns), money spent (`campaign_costs`) and conversions (`campaign_conversions`),
//! entered one by one or imported from CSV.
//!
//! Dates are calendar days, UTC (`chrono::NaiveDate`, stored `YYYY-MM-DD`). Money is `f64`
//! in the ISO 4217 currency stored beside it (three upper-case letters); nothing here
//! converts currencies. Counts are whole numbers.
//!
//! # CSV imports
//!
//! [`Store::import_costs_csv`] and [`Store::import_conversions_csv`] read UTF-8 CSV with a
//! header row. Header names are matched case-insensitively (spaces and `-` count as `_`), in
//! any order; other columns are ignored and listed in [`ImportReport::ignored_columns`]. The
//! delimiter is `,` unless the header line holds more `;` (spreadsheets in pt-BR and other
//! comma-decimal locales save with `;`) or tabs.
//!
//! Costs ([`COST_CSV_COLUMNS`]):
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `date` | yes | day spent: `YYYY-MM-DD` (or an RFC 3339 time, taken as its UTC day) |
//! | `amount` | yes | money spent, `>= 0`: `1234.50` (or `1234,50` when the decimal comma is unambiguous); no thousands separators, no symbols |
//! | `currency` | no | ISO 4217 code; empty → the campaign's currency |
//! | `note` | no | free text |
//! | `platform` | no | `x`, `instagram`, `facebook`, `whatsapp`, `tiktok`: narrows `account` |
//! | `account` | no | the campaign account the cost is for: `@username`, `username` or the platform's account id; empty → the whole campaign |
//!
//! Conversions ([`CONVERSION_CSV_COLUMNS`]), e.g. a shop's UTM-tagged sales export:
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `date` | yes | day of the conversion, as for costs |
//! | `count` | no | whole number of conversions, `>= 0`; empty → 1 (one sale per line) |
//! | `revenue` | no | money earned, `>= 0`, as `amount` above; empty → unknown (not 0) |
//! | `currency` | no | ISO 4217 code of `revenue`; empty → the campaign's currency |
//! | `source` | no | where the conversion was recorded (`shopify`, `site`, ...) |
//! | `utm_campaign`, `utm_source`, `utm_medium` | no | the UTM tags of the visit that converted |
//! | `platform`, `account` | no | the campaign account it is attributed to, as for costs |
//!
//! Each bad line becomes an [`ImportRowError`] with its line number (1 = the header) and
//! every reason found; the good lines are still imported, all in one transaction, so a
//! failure while writing leaves nothing half-written. A header without a required column
//! imports nothing and reports line 1. Each imported row carries an `import_key` (hash of
//! its normalised fields and of how many identical lines came before it in the file), so
//! importing the same file again — or a corrected or longer version — adds only the new
//! lines ([`ImportReport::already_imported`] counts the rest).

use crate::query::{
    post_from_row, post_metric_from_row, POST_METRIC_COLUMNS, POST_METRIC_ORDER, POST_ORDER, POST_SELECT,
};
use crate::time::{from_db, to_db};
use crate::{platform_from_db, PostRow, Store, StoreError};
use alcance_core::{Platform, PostMetricRow};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Row, Sqlite};
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

/// Longest campaign name accepted, characters.
pub const MAX_NAME_CHARS: usize = 200;

/// The columns a costs CSV may have (see the [module docs](self)); `date` and `amount` are
/// required.
pub const COST_CSV_COLUMNS: [&str; 6] = ["date", "amount", "currency", "note", "platform", "account"];

/// The columns a conversions CSV may have (see the [module docs](self)); `date` is required.
pub const CONVERSION_CSV_COLUMNS: [&str; 10] = [
    "date",
    "count",
    "revenue",
    "currency",
    "source",
    "utm_campaign",
    "utm_source",
    "utm_medium",
    "platform",
    "account",
];

/// What a campaign is for. Stored and serialized as the lower-case key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Goal {
    /// Be seen: reach and impressions.
    Awareness,
    /// Interactions: likes, comments, shares, saves.
    Engagement,
    /// Visits: link clicks.
    Traffic,
    /// Sales, sign-ups and other conversions.
    Conversions,
    /// New followers.
    Followers,
    /// Anything else.
    Other,
}

impl Goal {
    /// Every goal, in declaration order.
    pub const ALL: [Goal; 6] = [
        Goal::Awareness,
        Goal::Engagement,
        Goal::Traffic,
        Goal::Conversions,
        Goal::Followers,
        Goal::Other,
    ];

    /// The stored key (`"awareness"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Goal::Awareness => "awareness",
            Goal::Engagement => "engagement",
            Goal::Traffic => "traffic",
            Goal::Conversions => "conversions",
            Goal::Followers => "followers",
            Goal::Other => "other",
        }
    }
}

/// Implements [`fmt::Display`] (writes the stored key) and [`FromStr`] (reads a key,
/// trimmed, case-insensitively; errors: [`StoreError::Invalid`] naming `$what` and listing
/// `$expected`) for an enum stored as a key, given its `ALL` list and `as_str`.
macro_rules! stored_key {
    ($t:ident, $what:literal, $expected:literal) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $t {
            type Err = StoreError;
            /// Parses a key, case-insensitively. Errors: [`StoreError::Invalid`].
            fn from_str(s: &str) -> Result<$t, StoreError> {
                let key = s.trim().to_ascii_lowercase();
                $t::ALL
                    .into_iter()
                    .find(|v| v.as_str() == key)
                    .ok_or_else(|| StoreError::Invalid {
                        what: $what,
                        value: s.to_string(),
                        expected: $expected,
                    })
            }
        }
    };
}

stored_key!(
    Goal,
    "campaign goal",
    "awareness, engagement, traffic, conversions, followers, other"
);

/// The part an account plays in a campaign. Stored and serialized as the lower-case key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignRole {
    /// The advertiser's own account.
    Brand,
    /// A creator paid or gifted to post for the brand.
    Influencer,
}

impl CampaignRole {
    /// Every role, in declaration order.
    pub const ALL: [CampaignRole; 2] = [CampaignRole::Brand, CampaignRole::Influencer];

    /// The stored key (`"brand"`, `"influencer"`).
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignRole::Brand => "brand",
            CampaignRole::Influencer => "influencer",
        }
    }
}

stored_key!(CampaignRole, "campaign role", "brand, influencer");

/// A campaign to create or the new values of one to update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCampaign {
    /// Unique name (case-insensitive), 1–[`MAX_NAME_CHARS`] characters after trimming.
    pub name: String,
    /// First day, UTC.
    pub starts_on: NaiveDate,
    /// Last day (inclusive), UTC; `None` while open-ended. Not before `starts_on`.
    pub ends_on: Option<NaiveDate>,
    /// Planned spend in `currency`, `>= 0`; `None` when not set.
    pub budget: Option<f64>,
    /// ISO 4217 code (`BRL`, `USD`); lower case is accepted and stored upper case.
    pub currency: String,
    /// What the campaign is for.
    pub goal: Goal,
    /// Free text.
    pub notes: Option<String>,
}

/// One row of `campaigns`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignRow {
    /// `campaigns.id`.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// First day, UTC.
    pub starts_on: NaiveDate,
    /// Last day (inclusive), UTC; `None` while open-ended.
    pub ends_on: Option<NaiveDate>,
    /// Planned spend in `currency`.
    pub budget: Option<f64>,
    /// ISO 4217 code.
    pub currency: String,
    /// What the campaign is for.
    pub goal: Goal,
    /// Free text.
    pub notes: Option<String>,
    /// When it was created (wall clock, UTC).
    pub created_at: DateTime<Utc>,
}

/// An account taking part in a campaign, with its identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignAccountRow {
    /// `campaigns.id`.
    pub campaign_id: i64,
    /// `accounts.id`.
    pub account_id: i64,
    /// Brand or influencer.
    pub role: CampaignRole,
    /// Platform of the account.
    pub platform: Platform,
    /// The platform's account id (`user_id` in exports).
    pub external_id: String,
    /// Handle without `@`.
    pub username: Option<String>,
    /// `true` for an account connected through OAuth, `false` for a tracked profile.
    pub owned: bool,
}

/// A cost to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCost {
    /// Day the money was spent, UTC.
    pub spent_on: NaiveDate,
    /// Amount, `>= 0`, in `currency`.
    pub amount: f64,
    /// ISO 4217 code; lower case is accepted.
    pub currency: String,
    /// Free text (`"fee for 3 reels"`).
    pub note: Option<String>,
    /// The campaign account the cost is for (`accounts.id`, which must be in the
    /// campaign); `None` for the campaign as a whole.
    pub account_id: Option<i64>,
}

/// One row of `campaign_costs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostRow {
    /// `campaign_costs.id`.
    pub id: i64,
    /// `campaigns.id`.
    pub campaign_id: i64,
    /// The account it is attributed to; `None` for the whole campaign (or a deleted account).
    pub account_id: Option<i64>,
    /// Day spent, UTC.
    pub spent_on: NaiveDate,
    /// Amount in `currency`.
    pub amount: f64,
    /// ISO 4217 code.
    pub currency: String,
    /// Free text.
    pub note: Option<String>,
    /// `true` when the row came from a CSV import.
    pub imported: bool,
}

/// A conversion (or several on one day) to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewConversion {
    /// Day of the conversion, UTC.
    pub converted_on: NaiveDate,
    /// How many conversions (sales, sign-ups).
    pub count: u32,
    /// Money earned, `>= 0`, in `currency`; `None` when unknown (never read as 0).
    pub revenue: Option<f64>,
    /// ISO 4217 code of `revenue`; lower case is accepted.
    pub currency: String,
    /// Where it was recorded (`shopify`, `site`).
    pub source: Option<String>,
    /// `utm_campaign` of the converting visit.
    pub utm_campaign: Option<String>,
    /// `utm_source` of the converting visit.
    pub utm_source: Option<String>,
    /// `utm_medium` of the converting visit.
    pub utm_medium: Option<String>,
    /// The campaign account it is attributed to (`accounts.id`, in the campaign); `None`
    /// when unattributed.
    pub account_id: Option<i64>,
}

/// One row of `campaign_conversions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversionRow {
    /// `campaign_conversions.id`.
    pub id: i64,
    /// `campaigns.id`.
    pub campaign_id: i64,
    /// The account it is attributed to; `None` when unattributed.
    pub account_id: Option<i64>,
    /// Day of the conversion, UTC.
    pub converted_on: NaiveDate,
    /// How many conversions.
    pub count: u32,
    /// Money earned in `currency`; `None` when unknown.
    pub revenue: Option<f64>,
    /// ISO 4217 code.
    pub currency: String,
    /// Where it was recorded.
    pub source: Option<String>,
    /// UTM campaign tag.
    pub utm_campaign: Option<String>,
    /// UTM source tag.
    pub utm_source: Option<String>,
    /// UTM medium tag.
    pub utm_medium: Option<String>,
    /// `true` when the row came from a CSV import.
    pub imported: bool,
}

/// One rejected CSV line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRowError {
    /// Line number in the file, 1-based (1 is the header).
    pub line: u64,
    /// Every problem found on the line, joined by `"; "` (`amount "12,5x" is not a number`).
    pub reason: String,
}

impl fmt::Display for ImportRowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// The outcome of a CSV import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Lines read (data lines, not counting the header or blank lines).
    pub lines: usize,
    /// Rows written.
    pub imported: usize,
    /// Good lines skipped because the same row was imported before (same file, or an
    /// overlapping one).
    pub already_imported: usize,
    /// Bad lines, in file order; none of them was written.
    pub errors: Vec<ImportRowError>,
    /// Header columns that are not part of the format (ignored), as written in the file.
    pub ignored_columns: Vec<String>,
}

const CAMPAIGN_COLUMNS: &str = "id, name, starts_on, ends_on, budget, currency, goal, notes, created_at";

fn date_to_db(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn date_from_db(column: &'static str, s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| StoreError::Decode {
        column,
        value: s.to_string(),
        reason: format!("not a YYYY-MM-DD date ({e})"),
    })
}

/// The stored key (`goal`, `role`) in the row's column named by the last segment of
/// `column` (`"campaigns.goal"` → `goal`), read back as `T`; [`StoreError::Decode`] naming
/// `column` ("unknown `what`") when it is not one of `T`'s keys.
fn key_from_db<T: FromStr>(r: &SqliteRow, column: &'static str, what: &str) -> Result<T, StoreError> {
    let name = column.rsplit('.').next().unwrap_or(column);
    let value: String = r.try_get(name)?;
    value.parse().map_err(|_| StoreError::Decode {
        column,
        value: value.clone(),
        reason: format!("unknown {what}"),
    })
}

/// A [`CampaignRow`] from a row of [`CAMPAIGN_COLUMNS`].
fn campaign_from_row(r: &SqliteRow) -> Result<CampaignRow, StoreError> {
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
fn campaign_account_from_row(r: &SqliteRow) -> Result<CampaignAccountRow, StoreError> {
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
fn cost_from_row(r: &SqliteRow) -> Result<CostRow, StoreError> {
    Ok(CostRow {
        id: r.try_get("id")?,
        campaign_id: r.try_get("campaign_id")?,
        account_id: r.try_get("account_id")?,
        spent_on: date_from_db("campaign_costs.spent_on", &r.try_get::<String, _>("spent_on")?)?,
        amount: r.try_get("amount")?,
        currency: r.try_get("currency")?,
        note: r.try_get("note")?,
        imported: r.try_get("imported")?,
    })
}

/// A [`ConversionRow`] from a `campaign_conversions` row with `imported` (`import_key IS
/// NOT NULL`); a `count` outside `u32` is a [`StoreError::Decode`].
fn conversion_from_row(r: &SqliteRow) -> Result<ConversionRow, StoreError> {
    let count: i64 = r.try_get("count")?;
    Ok(ConversionRow {
        id: r.try_get("id")?,
        campaign_id: r.try_get("campaign_id")?,
        account_id: r.try_get("account_id")?,
        converted_on: date_from_db(
            "campaign_conversions.converted_on",
            &r.try_get::<String, _>("converted_on")?,
        )?,
        count: u32::try_from(count).map_err(|_| StoreError::Decode {
            column: "campaign_conversions.count",
            value: count.to_string(),
            reason: "not a count between 0 and 4294967295".to_string(),
        })?,
        revenue: r.try_get("revenue")?,
        currency: r.try_get("currency")?,
        source: r.try_get("source")?,
        utm_campaign: r.try_get("utm_campaign")?,
        utm_source: r.try_get("utm_source")?,
        utm_medium: r.try_get("utm_medium")?,
        imported: r.try_get("imported")?,
    })
}

/// The error for a campaign name another campaign already uses.
fn name_taken(name: String) -> StoreError {
    StoreError::Invalid {
        what: "campaign name",
        value: name,
        expected: "a name no other campaign uses",
    }
}

/// Binds `?1`–`?8` of a campaign insert or update: name and currency as checked, start,
/// end, budget, goal and notes (blank → NULL) of `campaign`, and `now`.
fn bind_campaign<'q>(
    query: sqlx::query::Query<'q, Sqlite, SqliteArguments<'q>>,
    name: &'q str,
    currency: &'q str,
    campaign: &'q NewCampaign,
    now: String,
) -> sqlx::query::Query<'q, Sqlite, SqliteArguments<'q>> {
    query
        .bind(name)
        .bind(date_to_db(campaign.starts_on))
        .bind(campaign.ends_on.map(date_to_db))
        .bind(campaign.budget)
        .bind(currency)
        .bind(campaign.goal.as_str())
        .bind(non_blank(campaign.notes.as_deref()))
        .bind(now)
}

/// An ISO 4217 code: three ASCII letters, returned upper case.
fn currency_code(s: &str) -> Option<String> {
    let s = s.trim();
    (s.len() == 3 && s.chars().all(|c| c.is_ascii_alphabetic())).then(|| s.to_ascii_uppercase())
}

fn check_currency(s: &str) -> Result<String, StoreError> {
    currency_code(s).ok_or_else(|| StoreError::Invalid {
        what: "currency",
        value: s.to_string(),
        expected: "an ISO 4217 code of three letters (BRL, USD, EUR, ...)",
    })
}

fn check_money(what: &'static str, v: f64) -> Result<f64, StoreError> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(StoreError::Invalid {
            what,
            value: v.to_string(),
            expected: "a finite amount >= 0",
        })
    }
}

/// Empty or blank text is stored as NULL.
fn non_blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

impl NewCampaign {
    /// The values as stored: trimmed name, upper-case currency; errors
    /// ([`StoreError::Invalid`]) for an empty or over-long name, a bad currency, a negative
    /// or non-finite budget, or an end before the start.
    fn checked(&self) -> Result<(String, String), StoreError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
            return Err(StoreError::Invalid {
                what: "campaign name",
                value: self.name.chars().take(80).collect(),
                expected: "1 to 200 characters, no control characters",
            });
        }
        let currency = check_currency(&self.currency)?;
        if let Some(b) = self.budget {
            check_money("campaign budget", b)?;
        }
        if let Some(end) = self.ends_on {
            if end < self.starts_on {
                return Err(StoreError::Invalid {
                    what: "campaign end date",
                    value: date_to_db(end),
                    expected: "a day on or after the start date",
                });
            }
        }
        Ok((name.to_string(), currency))
    }
}

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
        let insert = sqlx::query(
            "INSERT INTO campaigns (name, starts_on, ends_on, budget, currency, goal, notes, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) RETURNING id",
        );
        let row = bind_campaign(insert, &name, &currency, campaign, to_db(Utc::now()))
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("id")?)
    }

    /// Replaces every field of campaign `id`. Existing costs and conversions keep their own
    /// currencies. Errors: as [`Store::create_campaign`]; [`StoreError::NotFound`].
    pub async fn update_campaign(&self, id: i64, campaign: &NewCampaign) -> Result<(), StoreError> {
        let (name, currency) = campaign.checked()?;
        if self.campaign_by_name(&name).await?.is_some_and(|c| c.id != id) {
            return Err(name_taken(name));
        }
        let update = sqlx::query(
            "UPDATE campaigns SET name = ?1, starts_on = ?2, ends_on = ?3, budget = ?4, currency = ?5, goal = ?6,
                                  notes = ?7, updated_at = ?8
             WHERE id = ?9",
        );
        let done = bind_campaign(update, &name, &currency, campaign, to_db(Utc::now()))
            .bind(id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound { what: "campaign", id });
        }
        Ok(())
    }

    /// Deletes a campaign with its account and post links, costs and conversions (the
    /// accounts and posts themselves stay). Errors: [`StoreError::NotFound`].
    pub async fn delete_campaign(&self, id: i64) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM campaigns WHERE id = ?1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound { what: "campaign", id });
        }
        Ok(())
    }

    /// One campaign by id. Errors: [`StoreError::NotFound`].
    pub async fn campaign(&self, id: i64) -> Result<CampaignRow, StoreError> {
        let sql = format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE id = ?1");
        match sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await? {
            Some(r) => campaign_from_row(&r),
            None => Err(StoreError::NotFound { what: "campaign", id }),
        }
    }

    /// The campaign named `name` (trimmed, case-insensitive), if any.
    pub async fn campaign_by_name(&self, name: &str) -> Result<Option<CampaignRow>, StoreError> {
        let sql = format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE name = ?1");
        sqlx::query(&sql)
            .bind(name.trim())
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(campaign_from_row)
            .transpose()
    }

    /// Every campaign, newest start first, then by name.
    pub async fn list_campaigns(&self) -> Result<Vec<CampaignRow>, StoreError> {
        let sql = format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns ORDER BY starts_on DESC, name");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(campaign_from_row).collect()
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
        sqlx::query(
            "INSERT INTO campaign_accounts (campaign_id, account_id, role, added_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (campaign_id, account_id) DO UPDATE SET role = excluded.role",
        )
        .bind(campaign_id)
        .bind(account_id)
        .bind(role.as_str())
        .bind(to_db(Utc::now()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes an account from a campaign (its costs and conversions stay, unattributed
    /// rows keep counting for the campaign). Returns `false` when it was not in.
    pub async fn remove_campaign_account(&self, campaign_id: i64, account_id: i64) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("DELETE FROM campaign_accounts WHERE campaign_id = ?1 AND account_id = ?2")
            .bind(campaign_id)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        for table in ["campaign_costs", "campaign_conversions"] {
            sqlx::query(&format!(
                "UPDATE {table} SET account_id = NULL WHERE campaign_id = ?1 AND account_id = ?2"
            ))
            .bind(campaign_id)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// The accounts of a campaign: brands first, then influencers, each by platform and
    /// handle. Errors: [`StoreError::NotFound`] for an unknown campaign.
    pub async fn campaign_accounts(&self, campaign_id: i64) -> Result<Vec<CampaignAccountRow>, StoreError> {
        self.campaign_rows(
            campaign_id,
            "SELECT c.campaign_id, c.account_id, c.role, a.platform, a.external_id, a.username, a.owned
             FROM campaign_accounts AS c JOIN accounts AS a ON a.id = c.account_id
             WHERE c.campaign_id = ?1
             ORDER BY c.role = 'influencer', a.platform, coalesce(a.username, a.external_id), a.id",
            campaign_account_from_row,
        )
        .await
    }

    /// The rows `sql` selects for campaign `campaign_id` (bound to `?1`), each read by
    /// `map`. Errors: [`StoreError::NotFound`] for an unknown campaign; what `map` returns.
    async fn campaign_rows<T>(
        &self,
        campaign_id: i64,
        sql: &str,
        map: fn(&SqliteRow) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        self.campaign(campaign_id).await?;
        let rows = sqlx::query(sql).bind(campaign_id).fetch_all(&self.pool).await?;
        rows.iter().map(map).collect()
    }

    /// Counts post `post_id` (`posts.id`) in a campaign. Returns `false` when it already
    /// was. Errors: [`StoreError::NotFound`] for an unknown campaign or post.
    pub async fn add_campaign_post(&self, campaign_id: i64, post_id: i64) -> Result<bool, StoreError> {
        self.campaign(campaign_id).await?;
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM posts WHERE id = ?1)")
            .bind(post_id)
            .fetch_one(&self.pool)
            .await?;
        if !exists {
            return Err(StoreError::NotFound {
                what: "post",
                id: post_id,
            });
        }
        let done = sqlx::query(
            "INSERT INTO campaign_posts (campaign_id, post_id, added_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (campaign_id, post_id) DO NOTHING",
        )
        .bind(campaign_id)
        .bind(post_id)
        .bind(to_db(Utc::now()))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Takes a post out of a campaign. Returns `false` when it was not in.
    pub async fn remove_campaign_post(&self, campaign_id: i64, post_id: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM campaign_posts WHERE campaign_id = ?1 AND post_id = ?2")
            .bind(campaign_id)
            .bind(post_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The posts of a campaign with their account's identity, ordered by account
    /// (platform, `user_id`), `published_at`, post id. Errors: [`StoreError::NotFound`].
    pub async fn campaign_posts(&self, campaign_id: i64) -> Result<Vec<PostRow>, StoreError> {
        let sql = format!(
            "{POST_SELECT} JOIN campaign_posts AS cp ON cp.post_id = p.id WHERE cp.campaign_id = ?1
             ORDER BY {POST_ORDER}"
        );
        self.campaign_rows(campaign_id, &sql, post_from_row).await
    }

    /// The campaigns post `post_id` counts in, as [`Store::list_campaigns`] orders them.
    pub async fn post_campaigns(&self, post_id: i64) -> Result<Vec<CampaignRow>, StoreError> {
        let sql = format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE id IN
                 (SELECT campaign_id FROM campaign_posts WHERE post_id = ?1)
             ORDER BY starts_on DESC, name"
        );
        let rows = sqlx::query(&sql).bind(post_id).fetch_all(&self.pool).await?;
        rows.iter().map(campaign_from_row).collect()
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
             WHERE cp.campaign_id = ?1
             ORDER BY {POST_METRIC_ORDER}"
        );
        self.campaign_rows(campaign_id, &sql, post_metric_from_row).await
    }

    /// Posts whose platform post id is `external_id` (trimmed), optionally on one platform
    /// only: usually one, several when two platforms use the same id.
    pub async fn find_posts(&self, external_id: &str, platform: Option<Platform>) -> Result<Vec<PostRow>, StoreError> {
        let sql = format!(
            "{POST_SELECT} WHERE p.external_id = ?1 AND (?2 IS NULL OR a.platform = ?2)
             ORDER BY a.platform, a.external_id, p.id"
        );
        let rows = sqlx::query(&sql)
            .bind(external_id.trim())
            .bind(platform.map(Platform::as_str))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(post_from_row).collect()
    }

    /// Fails unless `account_id` takes part in the campaign.
    async fn check_member(&self, campaign_id: i64, account_id: i64, what: &'static str) -> Result<(), StoreError> {
        let member: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM campaign_accounts WHERE campaign_id = ?1 AND account_id = ?2)",
        )
        .bind(campaign_id)
        .bind(account_id)
        .fetch_one(&self.pool)
        .await?;
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
        let mut conn = self.pool.acquire().await?;
        let id = row.insert(&mut conn, campaign_id).await?;
        id.ok_or_else(|| StoreError::Sqlx(sqlx::Error::RowNotFound))
    }

    /// The costs of a campaign, by day then id. Errors: [`StoreError::NotFound`].
    pub async fn costs(&self, campaign_id: i64) -> Result<Vec<CostRow>, StoreError> {
        self.campaign_rows(
            campaign_id,
            "SELECT id, campaign_id, account_id, spent_on, amount, currency, note, import_key IS NOT NULL AS imported
             FROM campaign_costs WHERE campaign_id = ?1 ORDER BY spent_on, id",
            cost_from_row,
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
        let mut conn = self.pool.acquire().await?;
        let id = row.insert(&mut conn, campaign_id).await?;
        id.ok_or_else(|| StoreError::Sqlx(sqlx::Error::RowNotFound))
    }

    /// The conversions of a campaign, by day then id. Errors: [`StoreError::NotFound`].
    pub async fn conversions(&self, campaign_id: i64) -> Result<Vec<ConversionRow>, StoreError> {
        self.campaign_rows(
            campaign_id,
            "SELECT id, campaign_id, account_id, converted_on, count, revenue, currency, source, utm_campaign,
                    utm_source, utm_medium, import_key IS NOT NULL AS imported
             FROM campaign_conversions WHERE campaign_id = ?1 ORDER BY converted_on, id",
            conversion_from_row,
        )
        .await
    }

    /// Imports costs from CSV bytes (format in the [module docs](self)): good lines are
    /// written in one transaction, bad lines come back as line-numbered errors, lines
    /// imported before are skipped.
    ///
    /// Errors: [`StoreError::NotFound`] for an unknown campaign; database errors (then
    /// nothing was written). Problems in the file are never an `Err`: see
    /// [`ImportReport::errors`].
    pub async fn import_costs_csv(&self, campaign_id: i64, csv: &[u8]) -> Result<ImportReport, StoreError> {
        self.import_csv(campaign_id, csv, ImportKind::Costs).await
    }

    /// Imports conversions from CSV bytes (format in the [module docs](self)), with the
    /// same rules and errors as [`Store::import_costs_csv`].
    pub async fn import_conversions_csv(&self, campaign_id: i64, csv: &[u8]) -> Result<ImportReport, StoreError> {
        self.import_csv(campaign_id, csv, ImportKind::Conversions).await
    }

    async fn import_csv(&self, campaign_id: i64, csv: &[u8], kind: ImportKind) -> Result<ImportReport, StoreError> {
        let ctx = ImportContext {
            campaign: self.campaign(campaign_id).await?,
            members: self.campaign_accounts(campaign_id).await?,
        };
        let (mut report, rows) = parse_csv(csv, &ctx, kind);
        if rows.is_empty() {
            return Ok(report);
        }
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for row in &rows {
            let written = match row {
                Parsed::Cost(c) => c.insert(&mut tx, campaign_id).await?,
                Parsed::Conversion(c) => c.insert(&mut tx, campaign_id).await?,
            };
            if written.is_some() {
                report.imported += 1;
            } else {
                report.already_imported += 1;
            }
        }
        tx.commit().await?;
        Ok(report)
    }
}

/// A cost row ready to insert.
#[derive(Debug)]
struct CostInsert {
    account_id: Option<i64>,
    spent_on: String,
    amount: f64,
    currency: String,
    note: Option<String>,
    import_key: Option<String>,
}

impl CostInsert {
    /// Inserts the row; `None` when a row with the same import key exists.
    async fn insert(&self, conn: &mut sqlx::SqliteConnection, campaign_id: i64) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "INSERT INTO campaign_costs (campaign_id, account_id, spent_on, amount, currency, note, import_key, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (campaign_id, import_key) DO NOTHING RETURNING id",
        )
        .bind(campaign_id)
        .bind(self.account_id)
        .bind(&self.spent_on)
        .bind(self.amount)
        .bind(&self.currency)
        .bind(&self.note)
        .bind(&self.import_key)
        .bind(to_db(Utc::now()))
        .fetch_optional(&mut *conn)
        .await?)
    }
}

/// A conversion row ready to insert.
#[derive(Debug)]
struct ConversionInsert {
    account_id: Option<i64>,
    converted_on: String,
    count: u32,
    revenue: Option<f64>,
    currency: String,
    source: Option<String>,
    utm_campaign: Option<String>,
    utm_source: Option<String>,
    utm_medium: Option<String>,
    import_key: Option<String>,
}

impl ConversionInsert {
    /// Inserts the row; `None` when a row with the same import key exists.
    async fn insert(&self, conn: &mut sqlx::SqliteConnection, campaign_id: i64) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "INSERT INTO campaign_conversions (campaign_id, account_id, converted_on, count, revenue, currency, source,
                                               utm_campaign, utm_source, utm_medium, import_key, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT (campaign_id, import_key) DO NOTHING RETURNING id",
        )
        .bind(campaign_id)
        .bind(self.account_id)
        .bind(&self.converted_on)
        .bind(i64::from(self.count))
        .bind(self.revenue)
        .bind(&self.currency)
        .bind(&self.source)
        .bind(&self.utm_campaign)
        .bind(&self.utm_source)
        .bind(&self.utm_medium)
        .bind(&self.import_key)
        .bind(to_db(Utc::now()))
        .fetch_optional(&mut *conn)
        .await?)
    }
}

// ---------------------------------------------------------------------------------------
// CSV parsing: pure, no database.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ImportKind {
    Costs,
    Conversions,
}

impl ImportKind {
    fn columns(self) -> &'static [&'static str] {
        match self {
            ImportKind::Costs => &COST_CSV_COLUMNS,
            ImportKind::Conversions => &CONVERSION_CSV_COLUMNS,
        }
    }

    fn required(self) -> &'static [&'static str] {
        match self {
            ImportKind::Costs => &["date", "amount"],
            ImportKind::Conversions => &["date"],
        }
    }
}

struct ImportContext {
    campaign: CampaignRow,
    members: Vec<CampaignAccountRow>,
}

#[derive(Debug)]
enum Parsed {
    Cost(CostInsert),
    Conversion(ConversionInsert),
}

/// The delimiter of a CSV file, from its first line: `;` or a tab when they outnumber `,`.
fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let count = |d: u8| first.iter().filter(|b| **b == d).count();
    let (comma, semicolon, tab) = (count(b','), count(b';'), count(b'\t'));
    if tab > comma && tab > semicolon {
        b'\t'
    } else if semicolon > comma {
        b';'
    } else {
        b','
    }
}

/// A header name as matched: trimmed, without a BOM, lower case, spaces and `-` as `_`.
fn normalise_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}')
        .trim()
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect()
}

/// Parses every line; returns the report (lines, errors, ignored columns) and the good rows.
fn parse_csv(bytes: &[u8], ctx: &ImportContext, kind: ImportKind) -> (ImportReport, Vec<Parsed>) {
    let mut report = ImportReport::default();
    let mut rows = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniff_delimiter(bytes))
        .flexible(true)
        .has_headers(true)
        .from_reader(bytes);

    let header = match reader.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            report.errors.push(ImportRowError {
                line: 1,
                reason: format!("the header row cannot be read: {e}"),
            });
            return (report, rows);
        }
    };
    let mut columns: HashMap<&'static str, usize> = HashMap::new();
    let mut header_problems = Vec::new();
    for (i, raw) in header.iter().enumerate() {
        let Ok(text) = std::str::from_utf8(raw) else {
            header_problems.push(format!(
                "column {} is not UTF-8 text (save the file as CSV UTF-8)",
                i + 1
            ));
            continue;
        };
        let name = normalise_header(text);
        match kind.columns().iter().find(|c| **c == name) {
            Some(known) => {
                if columns.insert(known, i).is_some() {
                    header_problems.push(format!("column {known:?} appears twice"));
                }
            }
            None if name.is_empty() => {}
            None => report.ignored_columns.push(text.trim().to_string()),
        }
    }
    for required in kind.required() {
        if !columns.contains_key(required) {
            header_problems.push(format!(
                "required column {required:?} is missing (the header must name {}; optional: {})",
                kind.required().join(", "),
                kind.columns()
                    .iter()
                    .filter(|c| !kind.required().contains(c))
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    if !header_problems.is_empty() {
        report.errors.push(ImportRowError {
            line: 1,
            reason: header_problems.join("; "),
        });
        return (report, rows);
    }

    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut record = csv::ByteRecord::new();
    let mut fallback_line = 1u64;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(fallback_line + 1, |p| p.line());
                report.errors.push(ImportRowError {
                    line,
                    reason: format!("not readable as CSV: {e}"),
                });
                // A reader error on in-memory bytes is a malformed record; go on.
                fallback_line = line;
                continue;
            }
        }
        let line = record.position().map_or(fallback_line + 1, |p| record_line(bytes, p));
        fallback_line = line;
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        report.lines += 1;
        match parse_line(&record, header.len(), &columns, ctx, kind) {
            Ok((fingerprint, mut parsed)) => {
                let nth = seen.entry(fingerprint.clone()).or_insert(0);
                *nth += 1;
                let key = import_key(kind, &fingerprint, *nth);
                match &mut parsed {
                    Parsed::Cost(c) => c.import_key = Some(key),
                    Parsed::Conversion(c) => c.import_key = Some(key),
                }
                rows.push(parsed);
            }
            Err(problems) => report.errors.push(ImportRowError {
                line,
                reason: problems.join("; "),
            }),
        }
    }
    (report, rows)
}

/// The line a record starts on. The reader positions a record at the start of any empty
/// lines it skipped before it, so those are stepped over here.
fn record_line(bytes: &[u8], pos: &csv::Position) -> u64 {
    let mut line = pos.line();
    let start = usize::try_from(pos.byte()).unwrap_or(usize::MAX);
    for b in bytes.iter().skip(start) {
        match b {
            b'\n' => line += 1,
            b'\r' => {}
            _ => break,
        }
    }
    line
}

fn import_key(kind: ImportKind, fingerprint: &str, nth: u32) -> String {
    let mut h = Sha256::new();
    h.update(match kind {
        ImportKind::Costs => b"costs\x1f".as_slice(),
        ImportKind::Conversions => b"conversions\x1f".as_slice(),
    });
    h.update(fingerprint.as_bytes());
    h.update(format!("\x1f{nth}").as_bytes());
    hex::encode(h.finalize())
}

/// Parses one data line into a row and its fingerprint (normalised fields), or every
/// problem found on it.
fn parse_line(
    record: &csv::ByteRecord,
    header_len: usize,
    columns: &HashMap<&'static str, usize>,
    ctx: &ImportContext,
    kind: ImportKind,
) -> Result<(String, Parsed), Vec<String>> {
    let mut problems = Vec::new();
    if record.len() > header_len {
        problems.push(format!(
            "{} fields but the header has {header_len} (a value with the delimiter in it needs quotes)",
            record.len()
        ));
        return Err(problems);
    }
    let mut get = |name: &str| -> Option<String> {
        let i = *columns.get(name)?;
        let raw = record.get(i)?;
        match std::str::from_utf8(raw) {
            Ok(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            Err(_) => {
                problems.push(format!("{name} is not UTF-8 text (save the file as CSV UTF-8)"));
                None
            }
        }
    };
    let date = get("date");
    let amount = get("amount");
    let count = get("count");
    let revenue = get("revenue");
    let currency = get("currency");
    let note = get("note");
    let source = get("source");
    let utm_campaign = get("utm_campaign");
    let utm_source = get("utm_source");
    let utm_medium = get("utm_medium");
    let platform = get("platform");
    let account = get("account");

    let date = match date {
        None => {
            problems.push("date is empty".to_string());
            None
        }
        Some(d) => match parse_date(&d) {
            Some(d) => Some(d),
            None => {
                problems.push(format!("date {d:?} is not a YYYY-MM-DD date"));
                None
            }
        },
    };
    let currency = match currency {
        None => Some(ctx.campaign.currency.clone()),
        Some(c) => match currency_code(&c) {
            Some(c) => Some(c),
            None => {
                problems.push(format!(
                    "currency {c:?} is not an ISO 4217 code (three letters, e.g. BRL)"
                ));
                None
            }
        },
    };
    let account_id = match resolve_account(platform.as_deref(), account.as_deref(), ctx) {
        Ok(a) => a,
        Err(p) => {
            problems.push(p);
            None
        }
    };

    match kind {
        ImportKind::Costs => {
            let amount = match amount {
                None => {
                    problems.push("amount is empty".to_string());
                    None
                }
                Some(a) => match parse_money(&a) {
                    Ok(v) => Some(v),
                    Err(p) => {
                        problems.push(format!("amount {a:?} {p}"));
                        None
                    }
                },
            };
            match (date, amount, currency) {
                (Some(date), Some(amount), Some(currency)) if problems.is_empty() => {
                    let spent_on = date_to_db(date);
                    let fingerprint = [
                        spent_on.as_str(),
                        &amount.to_string(),
                        &currency,
                        note.as_deref().unwrap_or(""),
                        &account_id.map(|a| a.to_string()).unwrap_or_default(),
                    ]
                    .join("\x1f");
                    Ok((
                        fingerprint,
                        Parsed::Cost(CostInsert {
                            account_id,
                            spent_on,
                            amount,
                            currency,
                            note,
                            import_key: None,
                        }),
                    ))
                }
                _ => Err(problems),
            }
        }
        ImportKind::Conversions => {
            let count = match count {
                None => Some(1u32),
                Some(c) => match c.parse::<u32>() {
                    Ok(n) => Some(n),
                    Err(_) => {
                        problems.push(format!("count {c:?} is not a whole number >= 0"));
                        None
                    }
                },
            };
            let revenue = match revenue {
                None => Ok(None),
                Some(r) => parse_money(&r).map(Some).map_err(|p| format!("revenue {r:?} {p}")),
            };
            let revenue = match revenue {
                Ok(r) => r,
                Err(p) => {
                    problems.push(p);
                    None
                }
            };
            match (date, count, currency) {
                (Some(date), Some(count), Some(currency)) if problems.is_empty() => {
                    let converted_on = date_to_db(date);
                    let fingerprint = [
                        converted_on.as_str(),
                        &count.to_string(),
                        &revenue.map(|r| r.to_string()).unwrap_or_default(),
                        &currency,
                        source.as_deref().unwrap_or(""),
                        utm_campaign.as_deref().unwrap_or(""),
                        utm_source.as_deref().unwrap_or(""),
                        utm_medium.as_deref().unwrap_or(""),
                        &account_id.map(|a| a.to_string()).unwrap_or_default(),
                    ]
                    .join("\x1f");
                    Ok((
                        fingerprint,
                        Parsed::Conversion(ConversionInsert {
                            account_id,
                            converted_on,
                            count,
                            revenue,
                            currency,
                            source,
                            utm_campaign,
                            utm_source,
                            utm_medium,
                            import_key: None,
                        }),
                    ))
                }
                _ => Err(problems),
            }
        }
    }
}

/// `YYYY-MM-DD`, or an RFC 3339 time taken as its UTC day.
fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().or_else(|| {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.with_timezone(&Utc).date_naive())
    })
}

/// A money amount: digits with one optional decimal separator (`.`, or `,` when it is the
/// only separator), `>= 0`, finite. The error completes `amount "…" <reason>`.
fn parse_money(s: &str) -> Result<f64, &'static str> {
    let has_dot = s.contains('.');
    let commas = s.matches(',').count();
    let text = if has_dot && commas > 0 {
        return Err("mixes '.' and ',': write it without thousands separators, e.g. 1234.50");
    } else if commas > 1 || s.matches('.').count() > 1 {
        return Err("has thousands separators: write it as 1234.50");
    } else {
        s.replace(',', ".")
    };
    if text.starts_with('-') {
        return Err("is negative (costs and revenue are >= 0)");
    }
    if !text.chars().all(|c| c.is_ascii_digit() || c == '.') || !text.chars().any(|c| c.is_ascii_digit()) {
        return Err("is not a number (digits and one decimal separator, no currency symbol)");
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err("is not a number (digits and one decimal separator, no currency symbol)"),
    }
}

/// The campaign account named by the `platform` / `account` columns; `None` when both are
/// empty.
fn resolve_account(platform: Option<&str>, account: Option<&str>, ctx: &ImportContext) -> Result<Option<i64>, String> {
    let platform = match platform {
        None => None,
        Some(p) => Some(p.parse::<Platform>().map_err(|e| e.to_string())?),
    };
    let Some(account) = account else {
        return match platform {
            None => Ok(None),
            Some(_) => Err("platform is set but account is empty".to_string()),
        };
    };
    let wanted = account.trim_start_matches('@').to_lowercase();
    let matches: Vec<&CampaignAccountRow> = ctx
        .members
        .iter()
        .filter(|m| platform.is_none_or(|p| p == m.platform))
        .filter(|m| {
            m.external_id == wanted
                || m.external_id == account
                || m.username.as_deref().is_some_and(|u| u.to_lowercase() == wanted)
        })
        .collect();
    match matches.as_slice() {
        [one] => Ok(Some(one.account_id)),
        [] => {
            let known: Vec<String> = ctx
                .members
                .iter()
                .map(|m| {
                    format!(
                        "{} ({})",
                        m.username
                            .as_deref()
                            .map_or_else(|| m.external_id.clone(), |u| format!("@{u}")),
                        m.platform.label()
                    )
                })
                .collect();
            Err(format!(
                "account {account:?} is not in campaign {:?} ({})",
                ctx.campaign.name,
                if known.is_empty() {
                    "it has no accounts yet".to_string()
                } else {
                    format!("its accounts: {}", known.join(", "))
                }
            ))
        }
        many => Err(format!(
            "account {account:?} matches {} accounts of the campaign ({}); add a platform column",
            many.len(),
            many.iter().map(|m| m.platform.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_keys_print_and_parse_back() {
        for goal in Goal::ALL {
            assert_eq!(goal.to_string(), goal.as_str());
            assert_eq!(
                format!(" {} ", goal.as_str().to_uppercase()).parse::<Goal>().ok(),
                Some(goal)
            );
        }
        for role in CampaignRole::ALL {
            assert_eq!(role.to_string(), role.as_str());
            assert_eq!(
                format!(" {} ", role.as_str().to_uppercase())
                    .parse::<CampaignRole>()
                    .ok(),
                Some(role)
            );
        }
        match "creator".parse::<CampaignRole>() {
            Err(StoreError::Invalid { what, value, expected }) => {
                assert_eq!(
                    (what, value.as_str(), expected),
                    ("campaign role", "creator", "brand, influencer")
                );
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
        match "sales".parse::<Goal>() {
            Err(StoreError::Invalid { what, expected, .. }) => {
                assert_eq!(what, "campaign goal");
                assert!(
                    expected.contains("awareness") && expected.contains("other"),
                    "{expected}"
                );
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

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

    #[test]
    fn money_parsing_accepts_one_decimal_separator_only() {
        assert_eq!(parse_money("1234.50"), Ok(1234.5));
        assert_eq!(parse_money("1234,50"), Ok(1234.5));
        assert_eq!(parse_money("0"), Ok(0.0));
        assert!(parse_money("1.234,50").is_err());
        assert!(parse_money("1,234,500").is_err());
        assert!(parse_money("-3").is_err());
        assert!(parse_money("R$ 10").is_err());
        assert!(parse_money(".").is_err());
        assert!(parse_money("1e400").is_err());
    }

    #[test]
    fn delimiters_are_sniffed_from_the_header_line() {
        assert_eq!(sniff_delimiter(b"date;amount;note\n2026-01-01;1,5;x"), b';');
        assert_eq!(sniff_delimiter(b"date,amount\n"), b',');
        assert_eq!(sniff_delimiter(b"date\tamount\tnote"), b'\t');
        assert_eq!(sniff_delimiter(b""), b',');
    }

    #[test]
    fn headers_are_normalised() {
        assert_eq!(normalise_header("\u{feff} UTM-Campaign "), "utm_campaign");
        assert_eq!(normalise_header("Utm Source"), "utm_source");
    }

    #[test]
    fn dates_accept_iso_days_and_rfc3339_times() {
        assert_eq!(parse_date("2026-03-01"), NaiveDate::from_ymd_opt(2026, 3, 1));
        assert_eq!(
            parse_date("2026-03-01T23:30:00-03:00"),
            NaiveDate::from_ymd_opt(2026, 3, 2)
        );
        assert_eq!(parse_date("01/03/2026"), None);
        assert_eq!(parse_date("2026-02-30"), None);
    }
}
