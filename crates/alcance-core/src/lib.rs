//! Alcance's domain: platforms, the metric catalog, and the platform-neutral records that
//! platform clients produce and the store, reports and UI consume.
//!
//! Pure: no I/O and no clock. Times are `chrono::DateTime<Utc>` unless a field says
//! otherwise.

pub mod analytics;
pub mod catalog;
pub mod platform;
pub mod records;
pub mod time;

pub use catalog::{Metric, MetricSource, Unit, CATALOG};
pub use platform::{ContentType, Platform, UnknownPlatform};
pub use records::*;
