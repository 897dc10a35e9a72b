//! Meta's rate-limit usage headers, `X-App-Usage` and `X-Business-Use-Case-Usage`
//! (platform-apis.md §2.3): the percentages of the app's and business objects' budgets,
//! read by the governor and by the error mapping (`estimated_time_to_regain_access`).

use super::values::number;
use reqwest::header::HeaderMap;
use serde_json::Value;
use std::time::Duration;

/// Header with the app-level usage, JSON `{"call_count","total_cputime","total_time"}` in
/// percent of the app's hourly budget.
pub const APP_USAGE_HEADER: &str = "x-app-usage";

/// Header with the Business Use Case usage, JSON
/// `{"<object-id>":[{"type","call_count","total_cputime","total_time","estimated_time_to_regain_access"}]}`.
pub const BUSINESS_USE_CASE_USAGE_HEADER: &str = "x-business-use-case-usage";

/// Rate-limit usage reported by Meta in `X-App-Usage` or one entry of
/// `X-Business-Use-Case-Usage` (platform-apis.md §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MetaUsage {
    /// Share of the call budget used, percent 0–100 (`call_count`).
    pub call_count: f64,
    /// Share of the CPU-time budget used, percent 0–100 (`total_cputime`).
    pub total_cputime: f64,
    /// Share of the total-time budget used, percent 0–100 (`total_time`).
    pub total_time: f64,
    /// Minutes until access returns when throttled (`estimated_time_to_regain_access`;
    /// only in `X-Business-Use-Case-Usage`). `None` when absent; `Some(0)` when not throttled.
    pub estimated_time_to_regain_access: Option<u64>,
}

impl MetaUsage {
    /// The highest of the three percentages (0–100): throttle when it nears 80–90.
    pub fn peak_percent(&self) -> f64 {
        self.call_count.max(self.total_cputime).max(self.total_time)
    }

    /// `estimated_time_to_regain_access` as a duration, when it is above zero.
    pub fn retry_after(&self) -> Option<Duration> {
        self.estimated_time_to_regain_access
            .filter(|m| *m > 0)
            .map(|m| Duration::from_secs(m.saturating_mul(60)))
    }

    /// The worse of two readings, field by field (the maximum of each).
    pub fn worst(self, other: MetaUsage) -> MetaUsage {
        MetaUsage {
            call_count: self.call_count.max(other.call_count),
            total_cputime: self.total_cputime.max(other.total_cputime),
            total_time: self.total_time.max(other.total_time),
            estimated_time_to_regain_access: match (
                self.estimated_time_to_regain_access,
                other.estimated_time_to_regain_access,
            ) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            },
        }
    }

    fn from_object(v: &Value) -> Option<MetaUsage> {
        let obj = v.as_object()?;
        let pct = |k: &str| obj.get(k).and_then(number).unwrap_or(0.0);
        Some(MetaUsage {
            call_count: pct("call_count"),
            total_cputime: pct("total_cputime"),
            total_time: pct("total_time"),
            estimated_time_to_regain_access: obj
                .get("estimated_time_to_regain_access")
                .and_then(number)
                .filter(|m| *m >= 0.0)
                .map(|m| m.round() as u64),
        })
    }
}

/// One entry of `X-Business-Use-Case-Usage`.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessUseCaseUsage {
    /// The business object the budget belongs to (IG user id, page id, WABA id).
    pub object_id: String,
    /// The use case (`type`: `instagram`, `pages`, `whatsapp_business_management`, ...).
    pub use_case: String,
    /// The usage of that budget.
    pub usage: MetaUsage,
}

/// Parses an `X-App-Usage` header value (`{"call_count":1,"total_cputime":0,"total_time":3}`).
/// Missing fields count as 0 %. `None` when the value is not a JSON object.
pub fn parse_app_usage(header: &str) -> Option<MetaUsage> {
    let v: Value = serde_json::from_str(header.trim()).ok()?;
    MetaUsage::from_object(&v)
}

/// Parses an `X-Business-Use-Case-Usage` header value into one entry per business object
/// and use case. Malformed parts are skipped; an unreadable header gives an empty list.
pub fn parse_business_use_case_usage(header: &str) -> Vec<BusinessUseCaseUsage> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(header.trim()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (object_id, entries) in map {
        let list: Vec<&Value> = match &entries {
            Value::Array(a) => a.iter().collect(),
            Value::Object(_) => vec![&entries],
            _ => continue,
        };
        for e in list {
            if let Some(usage) = MetaUsage::from_object(e) {
                let use_case = e.get("type").and_then(Value::as_str).unwrap_or_default().to_string();
                out.push(BusinessUseCaseUsage {
                    object_id: object_id.clone(),
                    use_case,
                    usage,
                });
            }
        }
    }
    out
}

/// The worst usage (field-wise maximum) across `X-App-Usage` and every
/// `X-Business-Use-Case-Usage` entry of an answer; `None` when neither header is readable.
pub fn usage_from_headers(headers: &HeaderMap) -> Option<MetaUsage> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let mut worst: Option<MetaUsage> = text(APP_USAGE_HEADER).and_then(parse_app_usage);
    if let Some(h) = text(BUSINESS_USE_CASE_USAGE_HEADER) {
        for e in parse_business_use_case_usage(h) {
            worst = Some(match worst {
                Some(w) => w.worst(e.usage),
                None => e.usage,
            });
        }
    }
    worst
}
