//! Graph insights shared by the Instagram and Facebook Pages clients: the wire shape of an
//! insights answer's `data` items, the request routine with the removed-metric fallback
//! ([`fetch`](insights::fetch)) and the mapping helpers both platforms use to turn insight
//! values into post metrics and gaps.

use super::results::{warning, InsightsResult, MetricMemory};
use super::{decode, get, scaled};
use crate::error::PlatformError;
use crate::http::{Answer, Http, Recorder};
use crate::lenient;
use crate::CollectWindow;
use alcance_core::catalog::{from_source, Metric, MetricSource};
use alcance_core::{CollectWarning, DataGap, EventLevel, Period, Platform, PostMetric};
use chrono::Duration;
use secrecy::SecretString;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use url::Url;

/// One item of an insights answer's `data` (`/{ig-user-id}/insights`,
/// `/{ig-media-id}/insights`, `/{page-id}/insights`, `/{post-id}/insights`,
/// `/{video-id}/video_insights`). Every field is lenient: a value of an unexpected
/// type reads as `None`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct InsightEntry {
    /// The metric name as Meta sends it (`reach`, `page_media_view`, ...).
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    /// `day | week | days_28 | lifetime`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub period: Option<String>,
    /// Time series or lifetime value(s): `[{"value": N | {...}, "end_time"?: "...+0000"}]`;
    /// `None` when absent or not a list.
    #[serde(default, deserialize_with = "lenient::opt_items")]
    pub values: Option<Vec<InsightPoint>>,
    /// `metric_type=total_value` answers (Instagram).
    #[serde(default, deserialize_with = "lenient::object")]
    pub total_value: Option<TotalValue>,
    /// Threads user-insights `clicks`: one `{"value": N, "link_url": "..."}` per link
    /// (items that do not fit are skipped).
    #[serde(default, deserialize_with = "lenient::items")]
    pub link_total_values: Vec<InsightPoint>,
}

/// `{"value": N | {"like": 330, ...} | {"F.18-24": 12, ...} | null, "end_time"?}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct InsightPoint {
    /// A number, an object of counts per key, or `null` (empty data).
    #[serde(default)]
    pub value: Value,
    /// The END of the bucket, Meta time (`2026-11-20T08:00:00+0000`).
    #[serde(default, deserialize_with = "lenient::string")]
    pub end_time: Option<String>,
}

/// `{"value": N, "breakdowns": [...]}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct TotalValue {
    /// The total (a number, or absent / `null` for empty data).
    #[serde(default)]
    pub value: Value,
    /// The breakdowns asked with `breakdown=` (items that do not fit are skipped).
    #[serde(default, deserialize_with = "lenient::items")]
    pub breakdowns: Vec<Breakdown>,
}

/// `{"dimension_keys":["media_product_type","follow_type"],"results":[...]}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct Breakdown {
    /// The dimensions of every result, in order.
    #[serde(default, deserialize_with = "texts")]
    pub dimension_keys: Vec<String>,
    /// One value per combination of dimension values.
    #[serde(default, deserialize_with = "lenient::items")]
    pub results: Vec<BreakdownResult>,
}

/// `{"dimension_values":["REEL","FOLLOWER"],"value":N}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct BreakdownResult {
    /// The values of [`Breakdown::dimension_keys`], in the same order.
    #[serde(default, deserialize_with = "texts")]
    pub dimension_values: Vec<String>,
    /// The count (a number, or anything else for no value).
    #[serde(default)]
    pub value: Value,
}

/// An array with every item as text (strings as they are, anything else as its JSON
/// text); anything else → empty.
fn texts<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => s,
                other => other.to_string(),
            })
            .collect(),
        _ => Vec::new(),
    })
}

/// Oldest account / page insights Meta keeps (two years): older parts of a window are
/// not asked.
pub(crate) const MAX_HISTORY_DAYS: i64 = 730;

/// `[since, until)` cut into `since`/`until` ranges of at most `days` days, most recent
/// first, as Unix seconds (UTC); at most the last [`MAX_HISTORY_DAYS`] of the window.
/// Empty for an empty window.
pub(crate) fn chunks(window: CollectWindow, days: i64) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut end = window.until;
    let floor = window.since.max(window.until - Duration::days(MAX_HISTORY_DAYS));
    while end > floor {
        let start = (end - Duration::days(days)).max(floor);
        out.push((start.timestamp(), end.timestamp()));
        end = start;
    }
    out
}

/// One insights request: `GET {path}?metric=<metrics>&<params>`.
pub(crate) struct InsightsCall<'a> {
    /// `/{object-id}/insights` (or `/{video-id}/video_insights`).
    pub path: String,
    /// The metrics wanted, sent comma-separated as `metric=`.
    pub metrics: &'a [&'a str],
    /// The other query parameters (`period`, `since`, `until`, `breakdown`, ...).
    pub params: Vec<(&'static str, String)>,
    /// [`MetricMemory`] scope of removed metrics (`page`, `post`, `account:total`,
    /// `media:reels`, ...).
    pub scope: &'a str,
    /// The account, page, post, media or video id the gaps name.
    pub object_id: &'a str,
}

/// What an insights request produced after the removed-metric fallback.
#[derive(Debug, Default)]
pub(crate) struct Fetched {
    /// The decoded `data` items, in the order served (one request after another).
    pub entries: Vec<InsightEntry>,
    /// The metrics actually requested and answered (removed ones left out).
    pub requested: Vec<String>,
    /// One `metric_removed` gap per metric found removed for the first time in this
    /// collection.
    pub gaps: Vec<DataGap>,
    /// `data` items that did not decode (`decode`), and single-metric requests that
    /// failed without stopping the object (`http_500`, ...).
    pub warnings: Vec<CollectWarning>,
}

/// The Graph host a client talks to and the token it sends.
pub(crate) struct Graph<'a> {
    /// The shared HTTP client.
    pub http: &'a Http,
    /// The versioned Graph base URL (`https://graph.facebook.com/v25.0`).
    pub base: &'a Url,
    /// The access token (query parameter; never in errors).
    pub token: &'a SecretString,
    /// Where every exchange is archived.
    pub recorder: &'a Recorder,
}

/// `GET {call.path}?metric=<metric>&<call.params>` → the decoded `data` items, plus a
/// `decode` warning per item that does not fit. Errors: the mapped Graph error
/// ([`get`]); `Decode` when the body is not a Graph list.
async fn once(
    graph: &Graph<'_>,
    call: &InsightsCall<'_>,
    metric: &str,
) -> Result<(Vec<InsightEntry>, Vec<CollectWarning>), PlatformError> {
    let mut params: Vec<(&str, &str)> = vec![("metric", metric)];
    params.extend(call.params.iter().map(|(k, v)| (*k, v.as_str())));
    let answer = get(graph.http, graph.base, &call.path, &params, graph.token, graph.recorder).await?;
    entries(&answer, graph.token, &call.path)
}

/// The insights entries of a 2xx answer, plus a `decode` warning (naming `path`) per
/// `data` item that does not fit. Errors: `Decode` when the body is not a Graph list (the
/// token redacted from the message).
pub(crate) fn entries(
    answer: &Answer,
    token: &SecretString,
    path: &str,
) -> Result<(Vec<InsightEntry>, Vec<CollectWarning>), PlatformError> {
    #[derive(Deserialize)]
    struct RawPage {
        #[serde(default, deserialize_with = "lenient::list")]
        data: Vec<Value>,
    }
    let page: RawPage = decode(answer, token)?;
    let mut warnings = Vec::new();
    let mut entries = Vec::with_capacity(page.data.len());
    for raw in page.data {
        match serde_json::from_value::<InsightEntry>(raw) {
            Ok(e) => entries.push(e),
            Err(e) => warnings.push(warning(
                EventLevel::Warn,
                "decode",
                format!("{path}: skipped an insights entry: {e}"),
            )),
        }
    }
    Ok((entries, warnings))
}

/// Requests `call.metrics` minus those `memory` already knows removed in `call.scope`,
/// as one request. When Meta rejects the list as holding a removed or invalid metric
/// (Graph error #100 → [`PlatformError::MetricRemoved`]) the metrics are requested one
/// by one: each one rejected again is dropped, remembered in `memory` and recorded as
/// one `metric_removed` gap (only the first time in the collection); the others land.
/// During that one-by-one pass an error for which `stops_object` is `true` ends the
/// call with that error, any other becomes a warning. No request when every metric is
/// known removed.
///
/// Errors: the first request's error other than `MetricRemoved` (mapped Graph error,
/// `Decode`), or a one-by-one error that `stops_object`.
pub(crate) async fn fetch(
    graph: &Graph<'_>,
    call: &InsightsCall<'_>,
    memory: &mut MetricMemory,
    stops_object: fn(&PlatformError) -> bool,
) -> Result<Fetched, PlatformError> {
    let wanted: Vec<&str> = call
        .metrics
        .iter()
        .copied()
        .filter(|m| !memory.is_removed(call.scope, m))
        .collect();
    let mut out = Fetched::default();
    if wanted.is_empty() {
        return Ok(out);
    }
    let removed_gap = |metric: &str, message: &str| DataGap {
        what: metric.to_string(),
        object_id: call.object_id.to_string(),
        code: "metric_removed".to_string(),
        detail: message.to_string(),
    };
    match once(graph, call, &wanted.join(",")).await {
        Ok((entries, warnings)) => {
            out.entries = entries;
            out.warnings = warnings;
            out.requested = wanted.iter().map(|m| m.to_string()).collect();
            return Ok(out);
        }
        Err(PlatformError::MetricRemoved { message, .. }) if wanted.len() == 1 => {
            if memory.mark_removed(call.scope, wanted[0]) {
                out.gaps.push(removed_gap(wanted[0], &message));
            }
            return Ok(out);
        }
        Err(PlatformError::MetricRemoved { .. }) => {}
        Err(e) => return Err(e),
    }
    tracing::debug!(path = %call.path, "a metric was rejected as removed; requesting one by one");
    for m in wanted {
        match once(graph, call, m).await {
            Ok((entries, warnings)) => {
                out.entries.extend(entries);
                out.warnings.extend(warnings);
                out.requested.push(m.to_string());
            }
            Err(PlatformError::MetricRemoved { message, .. }) => {
                if memory.mark_removed(call.scope, m) {
                    out.gaps.push(removed_gap(m, &message));
                }
            }
            Err(e) if stops_object(&e) => return Err(e),
            Err(e) => out.warnings.push(warning(
                EventLevel::Warn,
                &e.code(),
                format!("{} metric {m}: {e}", call.path),
            )),
        }
    }
    Ok(out)
}

/// Records `name` (a `platform` metric outside the catalog) as one `unknown_metric` gap
/// on `object_id`, only the first time `memory` sees the name in this collection.
pub(crate) fn unknown_metric(
    platform: Platform,
    name: &str,
    object_id: &str,
    memory: &mut MetricMemory,
    out: &mut InsightsResult,
) {
    if memory.note_unknown(name) {
        out.gap(
            name,
            object_id,
            "unknown_metric",
            format!(
                "{} metric {name:?} is not in the Alcance catalog; not stored",
                platform.label()
            ),
        );
    }
}

/// Pushes the post metric the catalog maps `platform`'s `field` to, with `value` (raw
/// platform units) scaled to catalog units (ms → s); `None` stays `None` (empty data).
/// A field outside the catalog becomes an [`unknown_metric`] gap instead.
pub(crate) fn push_post_metric(
    platform: Platform,
    field: &str,
    value: Option<f64>,
    object_id: &str,
    memory: &mut MetricMemory,
    out: &mut InsightsResult,
) {
    match from_source(platform, field) {
        Some((m, s)) => out.post_metrics.push(PostMetric {
            post_external_id: object_id.to_string(),
            metric: m.key.to_string(),
            value: value.map(|v| scaled(v, s.scale)),
        }),
        None => unknown_metric(platform, field, object_id, memory, out),
    }
}

/// Where the points of time-series entry `e` (named `name`, a `platform` metric) go:
/// its period and bucket length ([`bucket`]) and the catalog metric with the source
/// that maps it. `None` after recording why not: an `unsupported_period` warning for a
/// period that is not a day / week / 28-day series, an [`unknown_metric`] gap for a
/// name outside the catalog.
pub(crate) fn series_target(
    platform: Platform,
    e: &InsightEntry,
    name: &str,
    object_id: &str,
    memory: &mut MetricMemory,
    out: &mut InsightsResult,
) -> Option<(Period, Duration, &'static Metric, &'static MetricSource)> {
    let Some((period, len)) = bucket(e.period.as_deref()) else {
        out.warn(
            "unsupported_period",
            format!("{name}: period {:?} is not a time series Alcance stores", e.period),
        );
        return None;
    };
    let Some((m, s)) = from_source(platform, name) else {
        unknown_metric(platform, name, object_id, memory, out);
        return None;
    };
    Some((period, len, m, s))
}

/// The [`Period`] of a time-series entry's `period` (absent → `day`) and its bucket
/// length: `day` → 1 day, `week` → 7 days, `days_28` → 28 days; `None` for anything
/// else (`lifetime`, unknown).
pub(crate) fn bucket(period: Option<&str>) -> Option<(Period, Duration)> {
    match Period::parse(period.unwrap_or("day"))? {
        Period::Day => Some((Period::Day, Duration::days(1))),
        Period::Week => Some((Period::Week, Duration::days(7))),
        Period::Days28 => Some((Period::Days28, Duration::days(28))),
        _ => None,
    }
}
