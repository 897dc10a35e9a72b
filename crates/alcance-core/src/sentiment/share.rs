//! Sentiment share: how many of a set of scored texts (a post's comments, a campaign's
//! mentions, a week's replies) are positive, neutral and negative, as counts and as ratios
//! 0–1; per group ([`share_by`]) and per week ([`weekly_share`]).

use super::SentimentLabel;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Counts and ratios of a set of scored texts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SentimentShare {
    /// Positive texts (count).
    pub positive: u64,
    /// Neutral texts (count).
    pub neutral: u64,
    /// Negative texts (count).
    pub negative: u64,
}

impl SentimentShare {
    /// The share of `labels`.
    pub fn of<I: IntoIterator<Item = SentimentLabel>>(labels: I) -> Self {
        let mut share = SentimentShare::default();
        for label in labels {
            share.add(label);
        }
        share
    }

    /// Counts one more text (saturating: a count never wraps).
    pub fn add(&mut self, label: SentimentLabel) {
        let slot = match label {
            SentimentLabel::Positive => &mut self.positive,
            SentimentLabel::Neutral => &mut self.neutral,
            SentimentLabel::Negative => &mut self.negative,
        };
        *slot = slot.saturating_add(1);
    }

    /// All texts counted.
    pub fn total(&self) -> u64 {
        self.positive.saturating_add(self.neutral).saturating_add(self.negative)
    }

    /// The count of one label.
    pub fn count(&self, label: SentimentLabel) -> u64 {
        match label {
            SentimentLabel::Positive => self.positive,
            SentimentLabel::Neutral => self.neutral,
            SentimentLabel::Negative => self.negative,
        }
    }

    /// The ratio 0–1 of `label` among all texts; `None` when there is no text.
    pub fn ratio(&self, label: SentimentLabel) -> Option<f64> {
        let total = self.total();
        (total > 0).then(|| self.count(label) as f64 / total as f64)
    }

    /// Net sentiment, ratio −1 to 1: (positive − negative) / all texts; `None` when there is
    /// no text.
    pub fn net(&self) -> Option<f64> {
        let total = self.total();
        (total > 0).then(|| (self.positive as f64 - self.negative as f64) / total as f64)
    }
}

/// The share of each group (a post id, a campaign id, ...), groups in key order.
pub fn share_by<K: Ord, I: IntoIterator<Item = (K, SentimentLabel)>>(items: I) -> BTreeMap<K, SentimentShare> {
    let mut map: BTreeMap<K, SentimentShare> = BTreeMap::new();
    for (key, label) in items {
        map.entry(key).or_default().add(label);
    }
    map
}

/// One week of a [`weekly_share`] series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeekShare {
    /// The Monday that starts the week, a local date in the series' time zone.
    pub week_start: NaiveDate,
    /// The texts dated in that week.
    pub share: SentimentShare,
}

/// The Monday of the local week holding `at`.
fn week_of(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    let local = at.with_timezone(&tz).date_naive();
    local - Duration::days(i64::from(local.weekday().num_days_from_monday()))
}

/// Sentiment share per week (Monday to Sunday, local to `tz`) of the texts dated in
/// `[since, until)` (UTC instants: the text's publication time), one entry for every week
/// that the period touches, oldest first, weeks without a text included with zero counts
/// (a gap in the chart, not a missing point). Texts outside the period are left out; an
/// empty period (`until <= since`) gives an empty series.
pub fn weekly_share<I: IntoIterator<Item = (DateTime<Utc>, SentimentLabel)>>(
    items: I,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    tz: Tz,
) -> Vec<WeekShare> {
    if until <= since {
        return Vec::new();
    }
    let first = week_of(since, tz);
    let last = week_of(until - Duration::nanoseconds(1), tz);
    let mut weeks: BTreeMap<NaiveDate, SentimentShare> = BTreeMap::new();
    let mut week = first;
    while week <= last {
        weeks.insert(week, SentimentShare::default());
        match week.checked_add_signed(Duration::days(7)) {
            Some(next) => week = next,
            None => break,
        }
    }
    for (at, label) in items {
        if at < since || at >= until {
            continue;
        }
        weeks.entry(week_of(at, tz)).or_default().add(label);
    }
    weeks
        .into_iter()
        .map(|(week_start, share)| WeekShare { week_start, share })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use SentimentLabel::*;

    #[test]
    fn counts_ratios_and_net() {
        let s = SentimentShare::of([Positive, Positive, Neutral, Negative]);
        assert_eq!((s.positive, s.neutral, s.negative, s.total()), (2, 1, 1, 4));
        assert_eq!(s.ratio(Positive), Some(0.5));
        assert_eq!(s.ratio(Negative), Some(0.25));
        assert_eq!(s.net(), Some(0.25));
        let empty = SentimentShare::default();
        assert_eq!((empty.ratio(Positive), empty.net()), (None, None));
    }

    #[test]
    fn per_group() {
        let by = share_by([("p1", Positive), ("p2", Negative), ("p1", Negative), ("p1", Positive)]);
        assert_eq!(by.len(), 2);
        assert_eq!(by.get("p1").map(|s| (s.positive, s.negative)), Some((2, 1)));
        assert_eq!(by.get("p2").map(SentimentShare::total), Some(1));
    }

    #[test]
    fn weeks_are_local_mondays_with_gaps_kept() {
        let tz: Tz = "America/Sao_Paulo".parse().unwrap_or(chrono_tz::UTC);
        let utc = |d: u32, h: u32| Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).single().unwrap_or_default();
        // Monday 2 Nov 2026 01:00 UTC is still Sunday 1 Nov 22:00 in São Paulo (UTC−3).
        let items = [
            (utc(2, 1), Positive),
            (utc(2, 4), Negative),
            (utc(20, 12), Neutral),
            (utc(30, 12), Positive), // after `until`: left out
        ];
        let series = weekly_share(items, utc(1, 12), utc(23, 0), tz);
        let starts: Vec<String> = series.iter().map(|w| w.week_start.to_string()).collect();
        assert_eq!(starts, vec!["2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16"]);
        let counts: Vec<(u64, u64, u64)> = series
            .iter()
            .map(|w| (w.share.positive, w.share.neutral, w.share.negative))
            .collect();
        assert_eq!(counts, vec![(1, 0, 0), (0, 0, 1), (0, 0, 0), (0, 1, 0)]);
        assert!(weekly_share(items, utc(23, 0), utc(1, 0), tz).is_empty());
    }
}
