//! Parsing the timestamp formats the platforms send.

use chrono::{DateTime, TimeZone, Utc};

/// Parses a platform timestamp into UTC. Accepts RFC 3339 (X: `2021-02-23T18:07:07.000Z`),
/// Meta's offset without a colon (`2021-08-13T08:25:28+0000`), Unix seconds and Unix
/// milliseconds (values above 10^11 are taken as milliseconds, TikTok cursors).
/// Returns `None` for anything else.
pub fn parse_platform_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%z") {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(n) = s.parse::<i64>() {
        return from_unix(n);
    }
    None
}

/// Unix seconds (or milliseconds when above 10^11) to UTC; `None` when out of range.
pub fn from_unix(n: i64) -> Option<DateTime<Utc>> {
    if n.abs() > 100_000_000_000 {
        Utc.timestamp_millis_opt(n).single()
    } else {
        Utc.timestamp_opt(n, 0).single()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_platform_format() {
        let x = parse_platform_time("2021-02-23T18:07:07.000Z").expect("x");
        assert_eq!(x.to_rfc3339(), "2021-02-23T18:07:07+00:00");
        let meta = parse_platform_time("2021-08-13T08:25:28+0000").expect("meta");
        assert_eq!(meta.to_rfc3339(), "2021-08-13T08:25:28+00:00");
        let unix = parse_platform_time("1641543656").expect("unix");
        assert_eq!(unix.timestamp(), 1_641_543_656);
        let ms = parse_platform_time("1641543656000").expect("ms");
        assert_eq!(ms.timestamp(), 1_641_543_656);
        assert!(parse_platform_time("yesterday").is_none());
    }
}
