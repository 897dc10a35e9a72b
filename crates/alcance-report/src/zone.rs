//! The time zone a report says its moments in (issue 13, "local time"): when it was made,
//! when the post figures were read, when each post was published. Days stay UTC days (the
//! week, the daily trend points, the campaign's dates), as in the window; storage and the
//! JSON report stay UTC. The zone travels in the report as an IANA name
//! ([`crate::weekly::WeeklyReport::time_zone`], [`crate::campaign::CampaignReport::time_zone`]).

use alcance_core::analytics::best_time::Tz;
use chrono::{DateTime, NaiveDateTime, Utc};

/// The zone named `name` (IANA, e.g. `America/Sao_Paulo`); empty or unknown gives UTC.
pub fn display_zone(name: &str) -> Tz {
    name.trim().parse().unwrap_or(Tz::UTC)
}

/// `YYYY-MM-DD HH:MM` of `at` on the wall clock of `zone`.
pub fn local_stamp(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
}

/// The wall-clock time of `at` in `zone`, for spreadsheet cells (which carry no zone).
pub fn local_naive(at: DateTime<Utc>, zone: Tz) -> NaiveDateTime {
    at.with_timezone(&zone).naive_local()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn moments_move_to_the_zone_and_unknown_zones_are_utc() {
        let at = Utc.with_ymd_and_hms(2026, 12, 7, 2, 30, 0).single().unwrap_or_default();
        // São Paulo is UTC−03:00: the evening before.
        assert_eq!(local_stamp(at, display_zone("America/Sao_Paulo")), "2026-12-06 23:30");
        assert_eq!(local_stamp(at, display_zone("Asia/Kolkata")), "2026-12-07 08:00");
        assert_eq!(display_zone(""), Tz::UTC);
        assert_eq!(display_zone("Mars/Olympus"), Tz::UTC);
        assert_eq!(local_stamp(at, display_zone("nowhere")), "2026-12-07 02:30");
        assert_eq!(local_naive(at, Tz::UTC), at.naive_utc());
    }
}
