//! Meta values: timestamps, numbers that may come as text, unit scaling to catalog units,
//! and node counts turned into catalog metrics.

use chrono::{DateTime, Utc};
use serde_json::Value;

/// Parses a Meta timestamp (`2021-08-13T08:25:28+0000`, also RFC 3339 and Unix seconds)
/// into UTC via `alcance_core::time`; `None` when unreadable.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    alcance_core::time::parse_platform_time(s)
}

/// A JSON number, or a string holding one, as `f64`; `None` for anything else.
pub fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

/// `raw × scale`, computed as a division when the scale is an exact reciprocal (0.001 →
/// ÷ 1000) so milliseconds become seconds without binary noise (30017581 ms → 30017.581 s).
pub fn scaled(raw: f64, scale: f64) -> f64 {
    if scale == 1.0 || scale == 0.0 {
        return raw * scale;
    }
    let divisor = (1.0 / scale).round();
    if divisor >= 1.0 && ((1.0 / divisor) - scale).abs() <= f64::EPSILON * scale.abs() {
        raw / divisor
    } else {
        raw * scale
    }
}

/// A node's counts (`(field, raw value)` pairs, e.g. `("followers_count", Some(51377.0))`)
/// → `Period::Snapshot` account metrics at `at` (UTC) under the catalog keys `platform`'s
/// fields map to, in catalog units ([`scaled`]). A field without a value or outside the
/// catalog gives no metric.
pub(crate) fn snapshot_metrics(
    platform: alcance_core::Platform,
    fields: &[(&str, Option<f64>)],
    at: DateTime<Utc>,
) -> Vec<alcance_core::AccountMetric> {
    fields
        .iter()
        .filter_map(|&(field, v)| {
            let v = v?;
            let (m, s) = alcance_core::catalog::from_source(platform, field)?;
            Some(alcance_core::AccountMetric {
                metric: m.key.to_string(),
                period: alcance_core::Period::Snapshot,
                period_start: at,
                period_end: at,
                value: Some(scaled(v, s.scale)),
            })
        })
        .collect()
}

/// One count of a post / media node (`like_count`, `shares.count`, ...) as the post metric
/// the catalog maps `platform`'s `field` to, in catalog units ([`scaled`]); `None` without
/// a value or outside the catalog.
pub(crate) fn node_post_metric(
    platform: alcance_core::Platform,
    post_id: &str,
    field: &str,
    value: Option<f64>,
) -> Option<alcance_core::PostMetric> {
    let v = value?;
    let (m, s) = alcance_core::catalog::from_source(platform, field)?;
    Some(alcance_core::PostMetric {
        post_external_id: post_id.to_string(),
        metric: m.key.to_string(),
        value: Some(scaled(v, s.scale)),
    })
}
