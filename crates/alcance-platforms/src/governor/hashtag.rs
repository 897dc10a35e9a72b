//! Instagram Hashtag Search's budget: **30 unique hashtags per Instagram account per
//! rolling 7 days** (developers.facebook.com, "Hashtag Search": once queried, a hashtag
//! counts for 7 days; querying it again inside them neither counts again nor restarts its
//! 7 days). Past it Meta answers error code 24.
//!
//! Why here and not in [`super::Governor`]'s budgets: the governor's budgets live in
//! memory per app and token, and pace *requests* over minutes to an hour; this budget
//! counts *distinct hashtags* per Instagram account over a week, so it must survive
//! restarts and be shared by every machine of a team. Its record lives in the store
//! (`hashtag_searches`, one row per account, hashtag and 7-day window, written when a
//! search is admitted); this module is the rule, a pure function of that record and the
//! time, consulted before every `ig_hashtag_search` call
//! ([`HashtagBudget::admit`]). Requests it admits then go through the governor like any
//! other Graph call (Meta's usage headers still apply).

use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;

/// Unique hashtags one Instagram account may query per window.
pub const IG_HASHTAG_LIMIT: u32 = 30;

/// The window's length, days (rolling: a hashtag's slot frees 7 days after its first query).
pub const IG_HASHTAG_WINDOW_DAYS: i64 = 7;

/// One admitted hashtag query: the hashtag's key and when it was first queried in its
/// window (UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashtagSearch {
    /// The hashtag's key (`#verão`).
    pub tag: String,
    /// When the account first queried it, UTC.
    pub searched_at: DateTime<Utc>,
}

/// An Instagram account's hashtag budget at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashtagBudget {
    /// [`IG_HASHTAG_LIMIT`].
    pub limit: u32,
    /// Hashtags counted in the window: each with the time its slot frees (first query + 7
    /// days, UTC), soonest first.
    pub counted: Vec<HashtagSearch>,
    /// The moment the budget was taken, UTC.
    pub at: DateTime<Utc>,
}

/// What [`HashtagBudget::admit`] allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// The hashtag was queried inside its window: querying it again costs nothing.
    AlreadyCounted,
    /// A new hashtag taking a free slot: record the query at the current time.
    NewSlot,
}

/// A query refused before calling: the budget is spent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Instagram allows {limit} different hashtags per account in 7 days and all {limit} are used; \
     {tag} would be one more. The next slot frees up at {} UTC ({oldest} is counted until then)",
    .frees_at.format("%Y-%m-%d %H:%M")
)]
pub struct HashtagBudgetSpent {
    /// The hashtag refused.
    pub tag: String,
    /// [`IG_HASHTAG_LIMIT`].
    pub limit: u32,
    /// When the oldest counted hashtag leaves the window, UTC.
    pub frees_at: DateTime<Utc>,
    /// That hashtag.
    pub oldest: String,
}

impl HashtagBudget {
    /// The budget at `at` (UTC) from an account's recorded queries (any order, older ones
    /// included): the hashtags first queried in `(at − 7 days, at]`, each once (its
    /// earliest query in the window).
    pub fn at(searches: &[HashtagSearch], at: DateTime<Utc>) -> HashtagBudget {
        let start = at - Duration::days(IG_HASHTAG_WINDOW_DAYS);
        let mut first: BTreeMap<&str, DateTime<Utc>> = BTreeMap::new();
        for s in searches.iter().filter(|s| s.searched_at > start && s.searched_at <= at) {
            first
                .entry(s.tag.as_str())
                .and_modify(|t| *t = (*t).min(s.searched_at))
                .or_insert(s.searched_at);
        }
        let mut counted: Vec<HashtagSearch> = first
            .into_iter()
            .map(|(tag, searched_at)| HashtagSearch {
                tag: tag.to_string(),
                searched_at,
            })
            .collect();
        counted.sort_by(|a, b| a.searched_at.cmp(&b.searched_at).then_with(|| a.tag.cmp(&b.tag)));
        HashtagBudget {
            limit: IG_HASHTAG_LIMIT,
            counted,
            at,
        }
    }

    /// Hashtags counted. At most [`IG_HASHTAG_LIMIT`] when every query went through
    /// [`Self::admit`].
    pub fn used(&self) -> u32 {
        u32::try_from(self.counted.len()).unwrap_or(u32::MAX)
    }

    /// Slots left (0 when spent).
    pub fn remaining(&self) -> u32 {
        self.limit.saturating_sub(self.used())
    }

    /// When the next slot frees up, UTC: the oldest counted query + 7 days; `None` when
    /// nothing is counted.
    pub fn next_free_at(&self) -> Option<DateTime<Utc>> {
        self.counted
            .first()
            .map(|s| s.searched_at + Duration::days(IG_HASHTAG_WINDOW_DAYS))
    }

    /// Whether `tag` (a key) may be queried now.
    ///
    /// Errors: [`HashtagBudgetSpent`] when it is not counted and every slot is taken,
    /// saying when the next one frees up.
    pub fn admit(&self, tag: &str) -> Result<Admission, HashtagBudgetSpent> {
        if self.counted.iter().any(|s| s.tag == tag) {
            return Ok(Admission::AlreadyCounted);
        }
        if self.used() < self.limit {
            return Ok(Admission::NewSlot);
        }
        let oldest = self.counted.first();
        Err(HashtagBudgetSpent {
            tag: tag.to_string(),
            limit: self.limit,
            frees_at: self.next_free_at().unwrap_or(self.at),
            oldest: oldest.map(|s| s.tag.clone()).unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).single().expect("time")
    }

    fn search(tag: &str, at: DateTime<Utc>) -> HashtagSearch {
        HashtagSearch {
            tag: tag.into(),
            searched_at: at,
        }
    }

    #[test]
    fn thirty_pass_the_thirty_first_is_refused_with_when_a_slot_frees() {
        let mut record = Vec::new();
        let now = t(10, 12);
        for i in 0..30u32 {
            let budget = HashtagBudget::at(&record, now);
            let tag = format!("#tag{i}");
            assert_eq!(budget.admit(&tag), Ok(Admission::NewSlot), "{tag}");
            // Spread over the past days: #tag0 is the oldest (day 4, 00:00 + i hours).
            record.push(search(&tag, t(4, 0) + Duration::hours(i64::from(i))));
        }
        let budget = HashtagBudget::at(&record, now);
        assert_eq!((budget.used(), budget.remaining()), (30, 0));
        // A counted hashtag costs nothing again.
        assert_eq!(budget.admit("#tag7"), Ok(Admission::AlreadyCounted));
        let refused = budget.admit("#tag30").expect_err("31st");
        assert_eq!(refused.frees_at, t(11, 0));
        assert_eq!(refused.oldest, "#tag0");
        let message = refused.to_string();
        assert!(
            message.contains("2026-12-11 00:00 UTC") && message.contains("#tag30"),
            "{message}"
        );
        // Once #tag0's 7 days are over, its slot is free again.
        let later = HashtagBudget::at(&record, t(11, 0));
        assert_eq!(later.used(), 29);
        assert_eq!(later.admit("#tag30"), Ok(Admission::NewSlot));
        assert_eq!(later.next_free_at(), Some(t(11, 1)));
    }

    #[test]
    fn a_repeat_query_does_not_restart_the_seven_days() {
        // Queried on the 1st and again on the 5th: counted from the 1st.
        let record = vec![search("#a", t(1, 9)), search("#a", t(5, 9))];
        let budget = HashtagBudget::at(&record, t(6, 0));
        assert_eq!(budget.counted, [search("#a", t(1, 9))]);
        assert_eq!(budget.next_free_at(), Some(t(8, 9)));
        // Old queries and future ones (a clock moved back) are outside the window.
        let empty = HashtagBudget::at(&[search("#b", t(1, 0)), search("#c", t(20, 0))], t(9, 0));
        assert_eq!((empty.used(), empty.next_free_at()), (0, None));
    }
}
