//! UI-facing queries: what the desktop app's screens show, computed from an open
//! [`Workspace`] in one call each.
//!
//! - [`dashboard`]: KPI tiles with period-over-period change, the follower-growth and
//!   engagement-trend charts and the best-time heatmap as SVG (rendered by
//!   `alcance-report`, so the UI, reports and exports show the same picture) and the top
//!   posts.
//! - [`posts`] and [`posts_page`]: the posts table, each post with its latest lifetime
//!   metrics (`posts_page`: one page, paged by the database).
//! - [`runs`] and [`run_events`]: the collection log.
//! - [`accounts`]: the accounts with their token health, how they are connected and their
//!   collection schedule.
//! - [`account_metrics`] and [`post_metric_history`]: one account's stored metric values
//!   over whole UTC days (the REST API's `/api/v1/metrics`), one post's snapshots.
//! - [`compare`]: 2–6 accounts side by side over a window (the dashboard's figures per
//!   account), with its chart and its CSV / JSON / XLSX file ([`compare_file`]).
//! - [`export_range`]: CSV / JSON / XLSX of a date range into a folder of the workspace.
//! - [`hashtags`]: each hashtag of the posts' captions with its posts' summed metrics,
//!   engagement rate and weekly trend.
//!
//! The dashboard, the posts table and the accounts screen read aggregates computed by the
//! database (`alcance_store::aggregate`), a few rows per post or account, not every
//! snapshot.
//!
//! Conventions: every time is UTC (`DateTime<Utc>`, serialized as RFC 3339) except the
//! best-time heatmap's weekdays and hours, which are local to [`ViewFilter::time_zone`]; counts are
//! plain numbers (`f64`, as stored); rates are percent 0–100; a value the platforms never
//! served is `None`, never 0. Platforms and the other closed sets of values are the enums of
//! `alcance-core` ([`Platform`](alcance_core::Platform), serialized as its lower-case key
//! `"x"`, `"instagram"`, ...); row ids are the newtypes of `alcance_core::ids`
//! ([`AccountId`](alcance_core::AccountId), [`RunId`], ...), serialized as bare integers.
//! With the `specta` feature every type here derives `specta::Type` for the desktop
//! shell's generated TypeScript bindings.

mod accounts;
#[cfg(test)]
mod aggregate_tests;
mod compare;
#[cfg(test)]
mod compare_tests;
mod dashboard;
mod exports;
mod filter;
mod hashtags;
mod kpi;
mod metrics;
mod posts;
#[cfg(test)]
mod reference;
mod runs;
#[cfg(test)]
mod tests;
mod token_health;

pub use crate::session::SharedVault;
pub use accounts::*;
pub use compare::*;
pub use dashboard::*;
pub use exports::*;
pub use filter::*;
pub use hashtags::*;
pub use metrics::*;
pub use posts::*;
pub use runs::*;
pub use token_health::*;

use alcance_core::RunId;
use chrono::{DateTime, Utc};

/// Invalid input to a view (the UI sent something no query can answer).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ViewError {
    /// `since` is not before `until`.
    #[error("the date range is empty: {since} is not before {until}")]
    EmptyRange {
        /// Start, UTC.
        since: DateTime<Utc>,
        /// End, UTC.
        until: DateTime<Utc>,
    },
    /// No run with this id.
    #[error("collection run {0} not found")]
    RunNotFound(RunId),
    /// A time zone that is not an IANA name (`America/Sao_Paulo`, `UTC`, ...).
    #[error(transparent)]
    UnknownTimeZone(#[from] crate::zone::UnknownTimeZone),
    /// A comparison of fewer than [`MIN_COMPARED`] or more than [`MAX_COMPARED`] accounts.
    #[error("compare 2 to 6 accounts ({given} given)")]
    CompareCount {
        /// How many accounts were given.
        given: usize,
    },
    /// The same account twice in a comparison.
    #[error("account {0} is in the comparison twice")]
    RepeatedAccount(alcance_core::AccountId),
    /// No account with this id (code `not_found`).
    #[error("account {0} not found")]
    AccountNotFound(alcance_core::AccountId),
}
