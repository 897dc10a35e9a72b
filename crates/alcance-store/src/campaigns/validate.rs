//! Checks on campaign values before they are written.

use super::model::{NewCampaign, MAX_NAME_CHARS};
use super::rows::date_to_db;
use crate::StoreError;

/// The error for a campaign name another campaign already uses.
pub(super) fn name_taken(name: String) -> StoreError {
    StoreError::Invalid {
        what: "campaign name",
        value: name,
        expected: "a name no other campaign uses",
    }
}

/// `bind_campaign!(query, name, currency, campaign, now)`: binds `$1`–`$8` of a campaign
/// insert or update: name and currency as checked, start, end, budget, goal and notes
/// (blank → NULL) of `campaign` (a `&NewCampaign`), and `now`. A macro, so one text serves
/// the query types of both engines inside [`crate::on_pool!`].
macro_rules! bind_campaign {
    ($query:expr, $name:expr, $currency:expr, $campaign:expr, $now:expr) => {
        $query
            .bind($name)
            .bind($crate::campaigns::rows::date_to_db($campaign.starts_on))
            .bind($campaign.ends_on.map($crate::campaigns::rows::date_to_db))
            .bind($campaign.budget)
            .bind($currency)
            .bind($campaign.goal.as_str())
            .bind($crate::campaigns::validate::non_blank($campaign.notes.as_deref()))
            .bind($now)
    };
}
pub(super) use bind_campaign;

/// An ISO 4217 code: three ASCII letters, returned upper case.
pub(super) fn currency_code(s: &str) -> Option<String> {
    let s = s.trim();
    (s.len() == 3 && s.chars().all(|c| c.is_ascii_alphabetic())).then(|| s.to_ascii_uppercase())
}

pub(super) fn check_currency(s: &str) -> Result<String, StoreError> {
    currency_code(s).ok_or_else(|| StoreError::Invalid {
        what: "currency",
        value: s.to_string(),
        expected: "an ISO 4217 code of three letters (BRL, USD, EUR, ...)",
    })
}

pub(super) fn check_money(what: &'static str, v: f64) -> Result<f64, StoreError> {
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
pub(super) fn non_blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

impl NewCampaign {
    /// The values as stored: trimmed name, upper-case currency; errors
    /// ([`StoreError::Invalid`]) for an empty or over-long name, a bad currency, a negative
    /// or non-finite budget, or an end before the start.
    pub(super) fn checked(&self) -> Result<(String, String), StoreError> {
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
