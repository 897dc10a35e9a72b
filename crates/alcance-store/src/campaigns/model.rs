//! Campaign values: goals, roles, the rows the store returns and the import report.

use crate::stored_key::stored_key;
use alcance_core::Platform;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest campaign name accepted, characters.
pub const MAX_NAME_CHARS: usize = 200;

/// What a campaign is for. Stored and serialized as the lower-case key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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

stored_key!(
    Goal,
    "campaign goal",
    "awareness, engagement, traffic, conversions, followers, other"
);

/// The part an account plays in a campaign. Stored and serialized as the lower-case key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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
    /// When it was archived (wall clock, UTC); `None` while it is not. An archived
    /// campaign keeps its members, posts, costs, conversions and report.
    pub archived_at: Option<DateTime<Utc>>,
}

/// An account taking part in a campaign, with its identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CostRow {
    /// `campaign_costs.id`.
    pub id: i64,
    /// `campaigns.id`.
    pub campaign_id: i64,
    /// The account it is attributed to; `None` for the whole campaign (or a deleted account).
    pub account_id: Option<i64>,
    /// Day spent, UTC.
    #[sqlx(try_from = "crate::time::DbDate")]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConversionRow {
    /// `campaign_conversions.id`.
    pub id: i64,
    /// `campaigns.id`.
    pub campaign_id: i64,
    /// The account it is attributed to; `None` when unattributed.
    pub account_id: Option<i64>,
    /// Day of the conversion, UTC.
    #[sqlx(try_from = "crate::time::DbDate")]
    pub converted_on: NaiveDate,
    /// How many conversions.
    #[sqlx(try_from = "i64")]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoreError;

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
}
