//! How timestamps are stored: UTC, RFC 3339 text with second precision and a `Z` suffix
//! (`2026-11-23T14:05:09Z`). Fixed width, so text order is time order and SQLite's own
//! date functions read it.

use crate::StoreError;
use chrono::{DateTime, Utc};

/// Seconds in the snapshot bucket of `post_metrics` and snapshot `account_metrics`.
const HOUR: i64 = 3_600;
/// Seconds in the bucket of `audience`.
const DAY: i64 = 86_400;

/// Formats `t` as stored: `YYYY-MM-DDTHH:MM:SSZ`, UTC, sub-second part truncated.
pub fn to_db(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The UTC hour `t` falls in (`14:05:09` → `14:00:00`): the snapshot bucket.
pub fn hour_bucket(t: DateTime<Utc>) -> DateTime<Utc> {
    truncate(t, HOUR)
}

/// The UTC day `t` falls in (midnight UTC): the audience bucket.
pub fn day_bucket(t: DateTime<Utc>) -> DateTime<Utc> {
    truncate(t, DAY)
}

fn truncate(t: DateTime<Utc>, step: i64) -> DateTime<Utc> {
    let secs = t.timestamp();
    DateTime::from_timestamp(secs - secs.rem_euclid(step), 0).unwrap_or(t)
}

/// Parses a stored timestamp; `column` names it in the error.
pub(crate) fn from_db(column: &'static str, s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Decode {
            column,
            value: s.to_string(),
            reason: format!("not an RFC 3339 timestamp ({e})"),
        })
}

/// Parses an optional stored timestamp.
pub(crate) fn from_db_opt(column: &'static str, s: Option<String>) -> Result<Option<DateTime<Utc>>, StoreError> {
    s.map(|s| from_db(column, &s)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn formats_fixed_width_utc_and_truncates_to_buckets() {
        let t =
            Utc.with_ymd_and_hms(2026, 11, 23, 14, 5, 9).single().expect("valid") + chrono::Duration::milliseconds(750);
        assert_eq!(to_db(t), "2026-11-23T14:05:09Z");
        assert_eq!(to_db(hour_bucket(t)), "2026-11-23T14:00:00Z");
        assert_eq!(to_db(day_bucket(t)), "2026-11-23T00:00:00Z");
        let before_epoch = Utc.with_ymd_and_hms(1969, 12, 31, 23, 30, 0).single().expect("valid");
        assert_eq!(to_db(hour_bucket(before_epoch)), "1969-12-31T23:00:00Z");
        assert_eq!(
            from_db("t", "2026-11-23T14:05:09Z").ok(),
            Some(t - chrono::Duration::milliseconds(750))
        );
        assert!(matches!(
            from_db("t", "yesterday"),
            Err(StoreError::Decode { column: "t", .. })
        ));
    }
}
