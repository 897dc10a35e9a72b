//! A platform field mapped through the metric catalog, keeping an absent value as `None`
//! (TikTok and X serve counts this way; Meta's nodes use `meta::values` instead).

use alcance_core::catalog::{from_source, map_value};
use alcance_core::{AccountMetric, Period, Platform, PostMetric};
use chrono::{DateTime, Utc};

/// Maps `platform`'s `field` through the catalog: its key, and the raw value in the catalog
/// unit (`alcance_core::catalog::map_value`). `None` when the field has no catalog key.
pub(crate) fn catalog(platform: Platform, field: &str, raw: Option<f64>) -> Option<(&'static str, Option<f64>)> {
    let (metric, _) = from_source(platform, field)?;
    let value = raw.and_then(|v| map_value(platform, field, v)).map(|(_, v)| v);
    Some((metric.key, value))
}

/// The post metric `platform`'s `field` maps to for post `post_id` (value `None` when
/// `raw` is absent); `None` when the field has no catalog key.
pub(crate) fn post_metric(platform: Platform, post_id: &str, field: &str, raw: Option<f64>) -> Option<PostMetric> {
    let (key, value) = catalog(platform, field, raw)?;
    Some(PostMetric {
        post_external_id: post_id.to_string(),
        metric: key.to_string(),
        value,
    })
}

/// The account snapshot metric `platform`'s `field` maps to, stamped `at` (UTC) as both
/// period start and end (value `None` when `raw` is absent); `None` when the field has no
/// catalog key.
pub(crate) fn snapshot(platform: Platform, field: &str, raw: Option<f64>, at: DateTime<Utc>) -> Option<AccountMetric> {
    let (key, value) = catalog(platform, field, raw)?;
    Some(AccountMetric {
        metric: key.to_string(),
        period: Period::Snapshot,
        period_start: at,
        period_end: at,
        value,
    })
}
