//! Alcance's domain: platforms, the metric catalog, and the platform-neutral records that
//! platform clients produce and the store, reports and UI consume.
//!
//! Pure: no I/O and no clock. Times are `chrono::DateTime<Utc>` unless a field says
//! otherwise.

pub mod analytics;
pub mod cadence;
pub mod catalog;
pub mod ids;
pub mod metric_key;
pub mod platform;
pub mod records;
pub mod report;
pub mod run;
pub mod sentiment;
pub mod status;
mod text_enum;
pub mod time;

pub use cadence::{Cadence, CadenceKind, InvalidCadence, MAX_CADENCE_SECONDS, MIN_CADENCE_SECONDS};
pub use catalog::{Metric, MetricSource, Unit, CATALOG};
pub use ids::{AccountId, CampaignId, PostId, RunId};
pub use metric_key::MetricKey;
pub use platform::{ContentType, Platform, UnknownPlatform};
pub use records::*;
pub use report::{PdfLanguage, ReportFormat};
pub use run::{RunAccountStatus, RunKind, RunStatus};
pub use status::{AccountStatus, ConnectionKind};
pub use text_enum::UnknownKey;
