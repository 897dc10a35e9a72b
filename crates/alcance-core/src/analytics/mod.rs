//! Pure analytics over collected metrics: derived metrics ([`derived`]), best time to post
//! ([`best_time`](mod@best_time)), post rankings, content breakdown and period-over-period change
//! ([`posts`]), rule-based recommendations ([`recommend`]), and the hashtags, mentions and
//! links of a post's text ([`tags`]).
//!
//! No I/O and no clock: "now", windows and time zones are passed in; times are UTC unless a
//! field says otherwise. Values follow the catalog units (counts, seconds, percent 0–100,
//! ratio 0–1, money in the campaign currency). `None` means "unknown or not computable"
//! and is never replaced by 0. `docs/analytics.md` lists every formula, unit and threshold.

#![deny(missing_docs)]

pub mod best_time;
pub mod derived;
pub mod posts;
pub mod recommend;
pub mod tags;

pub use best_time::{best_time, BestTime, BestTimeOptions, Normalization, PostEngagement, Slot, Tz, DEFAULT_TIME_ZONE};
pub use derived::{EngagementBase, EngagementCounts, EngagementWeights, Exposure};
pub use posts::{Aggregation, Change, Comparison, ContentTypeStats, DatedValue, PostMetrics, RankedPost, TimeRange};
pub use recommend::{Recommendation, Severity, Thresholds};
