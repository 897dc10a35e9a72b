//! What the screens filter on: platforms, accounts, a UTC date range and the best-time
//! heatmap's time zone, and the dashboard period it selects.

use super::*;
use crate::error::Result;
use alcance_core::analytics::best_time::Tz;
use alcance_core::{AccountId, Platform};
use alcance_store::RowFilter;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Length of the default dashboard period when the filter gives no `since`: 30 days.
pub const DEFAULT_PERIOD_DAYS: i64 = 30;

/// What the screens filter on. The default (everything empty) means every platform,
/// every account and, for the dashboard, the last [`DEFAULT_PERIOD_DAYS`] days.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ViewFilter {
    /// Platforms to keep (serialized as their keys, `"x"`, `"instagram"`, ...); empty = all.
    pub platforms: Vec<Platform>,
    /// Store ids of the accounts to keep (`accounts.id`); empty = all.
    pub account_ids: Vec<AccountId>,
    /// Inclusive start, UTC. The dashboard defaults it to `until` − 30 days.
    pub since: Option<DateTime<Utc>>,
    /// Exclusive end, UTC. The dashboard defaults it to "now".
    pub until: Option<DateTime<Utc>>,
    /// IANA time zone of the best-time heatmap's weekdays and hours (the UI passes the
    /// browser's, e.g. `"America/Sao_Paulo"`); `None` (or blank) = UTC. Missing in the
    /// payload = `None` (serde's rule for `Option` fields).
    pub time_zone: Option<String>,
}

impl ViewFilter {
    /// The store filter of these accounts (no time bounds, no metric restriction).
    ///
    /// Errors: none since the platforms are typed (an unknown platform key is refused when
    /// the filter is deserialized); the `Result` stays for the checks a filter may gain.
    pub fn accounts_filter(&self) -> Result<RowFilter, ViewError> {
        Ok(RowFilter {
            platforms: self.platforms.clone(),
            account_ids: self.account_ids.iter().map(|id| id.get()).collect(),
            ..RowFilter::default()
        })
    }

    /// The time zone of [`ViewFilter::time_zone`]: UTC when `None` or blank.
    ///
    /// Errors: [`ViewError::UnknownTimeZone`] naming a zone that is not an IANA name.
    pub fn zone(&self) -> Result<Tz, ViewError> {
        Ok(crate::zone::parse_optional(self.time_zone.as_deref())?.unwrap_or(Tz::UTC))
    }

    /// The period this filter selects, on whole UTC hours (the dashboard's gains are kept
    /// per hour bucket: ADR 0019): `until` (default `now`) rounded up to the next whole
    /// hour, `since` (default that `until` − [`DEFAULT_PERIOD_DAYS`] days) rounded down to
    /// its hour, with the previous period of the same length ending at `since`.
    ///
    /// Errors: [`ViewError::EmptyRange`] when `since` is not before `until` (as given).
    pub fn period(&self, now: DateTime<Utc>) -> Result<PeriodView, ViewError> {
        let given_until = self.until.unwrap_or(now);
        if let Some(since) = self.since.filter(|s| *s >= given_until) {
            return Err(ViewError::EmptyRange {
                since,
                until: given_until,
            });
        }
        let until = ceil_to_hour(given_until);
        let since = match self.since {
            Some(s) => alcance_store::time::hour_bucket(s),
            None => until - Duration::days(DEFAULT_PERIOD_DAYS),
        };
        let length = until - since;
        Ok(PeriodView {
            since,
            until,
            previous_since: since - length,
            previous_until: since,
        })
    }
}

/// `t` rounded up to the next whole UTC hour (unchanged when already whole).
pub fn ceil_to_hour(t: DateTime<Utc>) -> DateTime<Utc> {
    let floor = alcance_store::time::hour_bucket(t);
    if floor < t {
        floor + Duration::hours(1)
    } else {
        floor
    }
}

/// A dashboard period and the one before it (same length, ending where this one starts).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodView {
    /// Inclusive start, UTC, a whole hour.
    pub since: DateTime<Utc>,
    /// Exclusive end, UTC, a whole hour.
    pub until: DateTime<Utc>,
    /// Inclusive start of the previous period, UTC.
    pub previous_since: DateTime<Utc>,
    /// Exclusive end of the previous period (= `since`), UTC.
    pub previous_until: DateTime<Utc>,
}
