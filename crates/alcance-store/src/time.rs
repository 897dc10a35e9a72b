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

/// A stored timestamp column read back (`DateTime<Utc>` from its RFC 3339 text) on either
/// engine: chrono's own sqlx decoding wants a PostgreSQL `TIMESTAMPTZ`, and the store keeps
/// text on both engines so ordering and the idempotence rules are byte-for-byte the same.
/// Used by `FromRow` structs as `#[sqlx(try_from = "DbTime")]`; a value that does not
/// parse is a [`StoreError::Decode`].
#[derive(Debug, Clone, Copy)]
pub struct DbTime(pub DateTime<Utc>);

/// As [`DbTime`] for a nullable column.
#[derive(Debug, Clone, Copy)]
pub struct DbTimeOpt(pub Option<DateTime<Utc>>);

impl From<DbTime> for DateTime<Utc> {
    fn from(t: DbTime) -> Self {
        t.0
    }
}

impl From<DbTimeOpt> for Option<DateTime<Utc>> {
    fn from(t: DbTimeOpt) -> Self {
        t.0
    }
}

/// Implements `sqlx::Type` for wrappers stored as text on either engine.
macro_rules! stored_as_text {
    ($($t:ty),+) => {$(
        impl<DB: sqlx::Database> sqlx::Type<DB> for $t
        where
            str: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as sqlx::Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as sqlx::Type<DB>>::compatible(ty)
            }
        }
    )+};
}

stored_as_text!(DbTime, DbTimeOpt, DbDate);

impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for DbTime
where
    &'r str: sqlx::Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let text = <&'r str as sqlx::Decode<'r, DB>>::decode(value)?;
        Ok(DbTime(from_db("timestamp", text)?))
    }
}

impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for DbTimeOpt
where
    &'r str: sqlx::Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        if sqlx::ValueRef::is_null(&value) {
            return Ok(DbTimeOpt(None));
        }
        let text = <&'r str as sqlx::Decode<'r, DB>>::decode(value)?;
        Ok(DbTimeOpt(Some(from_db("timestamp", text)?)))
    }
}

/// A stored calendar day (`YYYY-MM-DD` text) read back as a `NaiveDate` on either engine,
/// for `#[sqlx(try_from = "DbDate")]`; a value that does not parse is a
/// [`StoreError::Decode`].
#[derive(Debug, Clone, Copy)]
pub struct DbDate(pub chrono::NaiveDate);

impl From<DbDate> for chrono::NaiveDate {
    fn from(d: DbDate) -> Self {
        d.0
    }
}

impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for DbDate
where
    &'r str: sqlx::Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let text = <&'r str as sqlx::Decode<'r, DB>>::decode(value)?;
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(DbDate)
            .map_err(|e| {
                Box::new(StoreError::Decode {
                    column: "date",
                    value: text.to_string(),
                    reason: format!("not a YYYY-MM-DD date ({e})"),
                }) as sqlx::error::BoxDynError
            })
    }
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
