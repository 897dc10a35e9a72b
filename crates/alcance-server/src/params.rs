//! Query parameters as the API reads them: each is taken as text and checked here, so a
//! bad value answers 400 with a [`crate::Problem`] naming the parameter, the value and what
//! was expected.

use crate::problem::ApiError;
use alcance_app::Platform;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::de::DeserializeOwned;

/// The query string deserialized into `T`; a malformed one answers 400 problem+json
/// (axum's own `Query` answers plain text).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(q)| ApiQuery(q))
            .map_err(|e| ApiError::invalid(e.body_text()))
    }
}

/// A UTC day `YYYY-MM-DD` in parameter `name`; `None` when absent or empty.
///
/// Errors: 400 when it is not a calendar day in that form.
pub fn date(name: &str, value: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let well_formed = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(day) if well_formed => Ok(Some(day)),
        _ => Err(ApiError::invalid(format!(
            "{name} {text:?} is not a date: expected YYYY-MM-DD (a UTC day), e.g. 2025-05-01"
        ))),
    }
}

/// A half-open UTC range `[since, until)`; `None` for an open end.
pub type UtcRange = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// `start` and `end` (inclusive UTC days) as the half-open UTC range
/// `[start 00:00, end + 1 day 00:00)`.
///
/// Errors: 400 when `end` is before `start`.
pub fn day_range(start: Option<NaiveDate>, end: Option<NaiveDate>) -> Result<UtcRange, ApiError> {
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            return Err(ApiError::invalid(format!("end_date {e} is before start_date {s}")));
        }
    }
    let midnight = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc();
    Ok((start.map(midnight), end.and_then(|d| d.succ_opt()).map(midnight)))
}

/// A platform, matched case-insensitively (`instagram`, `Instagram`, `INSTAGRAM`; also
/// `twitter`, `ig`, `fb`, `wa`, `tt`); `None` when absent or empty.
///
/// Errors: 400 naming the platforms there are.
pub fn platform(value: Option<&str>) -> Result<Option<Platform>, ApiError> {
    let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    text.parse::<Platform>().map(Some).map_err(|_| {
        let known: Vec<&str> = Platform::ALL.iter().map(|p| p.label()).collect();
        ApiError::invalid(format!(
            "unknown platform {text:?}: expected one of {} (any letter case)",
            known.join(", ")
        ))
    })
}

/// A store id (a positive integer) in parameter `name`; `None` when absent or empty.
///
/// Errors: 400 when it is not a positive integer.
pub fn id(name: &str, value: Option<&str>) -> Result<Option<i64>, ApiError> {
    let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    match text.parse::<i64>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err(ApiError::invalid(format!(
            "{name} {text:?} is not an id: expected a positive integer"
        ))),
    }
}

/// An integer `limit`; `None` when absent or empty.
///
/// Errors: 400 when it is not an integer.
pub fn integer(name: &str, value: Option<&str>) -> Result<Option<i64>, ApiError> {
    let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    text.parse::<i64>()
        .map(Some)
        .map_err(|_| ApiError::invalid(format!("{name} {text:?} is not an integer")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_platforms_and_ids_are_checked() {
        assert_eq!(
            date("start_date", Some("2025-05-01")).unwrap(),
            NaiveDate::from_ymd_opt(2025, 5, 1)
        );
        for bad in [
            "2025-5-1",
            "2025-13-01",
            "2025-02-30",
            "yesterday",
            "2025-05-01T00:00:00Z",
        ] {
            let e = date("start_date", Some(bad)).unwrap_err();
            assert!(
                e.detail.contains("start_date") && e.detail.contains("YYYY-MM-DD"),
                "{}",
                e.detail
            );
        }
        assert_eq!(date("end_date", Some("")).unwrap(), None);
        assert_eq!(platform(Some("iNsTaGrAm")).unwrap(), Some(Platform::Instagram));
        assert!(platform(Some("myspace")).unwrap_err().detail.contains("Instagram"));
        assert_eq!(id("user_id", Some("3")).unwrap(), Some(3));
        assert!(id("user_id", Some("-3")).is_err() && id("user_id", Some("x")).is_err());
        let d = |s| date("d", Some(s)).unwrap();
        assert!(day_range(d("2025-05-02"), d("2025-05-01")).is_err());
        let (since, until) = day_range(d("2025-05-01"), d("2025-05-01")).unwrap();
        assert_eq!(until.unwrap() - since.unwrap(), chrono::Duration::days(1));
    }
}
