//! Meta Graph API plumbing shared by the Instagram, Facebook Pages and WhatsApp clients,
//! one room per idea:
//! - `request`: [`get`] and [`post`] (token as the `access_token` query parameter,
//!   Graph-id paths only, the token redacted from every error);
//! - `errors`: the Graph error envelope and its mapping to [`PlatformError`](crate::PlatformError);
//! - `usage`: the `X-App-Usage` / `X-Business-Use-Case-Usage` rate-limit headers;
//! - `paging`: cursor and time-based paging with a loop guard, [`list_pages`];
//! - `values`: Meta timestamps, numbers as text, unit scaling;
//! - `results`: [`InsightsResult`] and [`MetricMemory`], what a collection step produces;
//! - `in_flight`: per-object insights calls several at a time, outcomes as one after the
//!   other ([`INSIGHTS_IN_FLIGHT`]);
//! - `steps`, `insights`: how one call's error becomes a gap or a warning, and the
//!   insights routine with the removed-metric fallback.
//!
//! Platform-neutral: nothing here knows Instagram metric names. See platform-apis.md §2.

mod errors;
pub(crate) mod in_flight;
pub(crate) mod insights;
mod paging;
mod request;
mod results;
pub(crate) mod steps;
mod usage;
mod values;

pub use errors::{check, error_from_answer, map_graph_error, parse_graph_error, redact_secret, GraphError};
pub use in_flight::INSIGHTS_IN_FLIGHT;
pub use paging::{list_pages, next_page_params, Cursors, Listing, PageGuard, PageStep, PageStop, PageVerdict, Paging};
pub use request::{delete, get, post};
pub use results::{InsightsResult, MetricMemory};
pub use usage::{
    parse_app_usage, parse_business_use_case_usage, usage_from_headers, BusinessUseCaseUsage, MetaUsage,
    APP_USAGE_HEADER, BUSINESS_USE_CASE_USAGE_HEADER,
};
pub use values::{number, parse_time, scaled};

pub(crate) use paging::RawPage;
pub(crate) use request::decode;
pub(crate) use results::warning;
pub(crate) use values::{node_post_metric, snapshot_metrics};
