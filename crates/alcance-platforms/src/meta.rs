//! Meta Graph API plumbing shared by the Instagram, Facebook Pages and WhatsApp clients:
//! the request helper (token as the `access_token` query parameter), the Graph error
//! envelope and its mapping to [`PlatformError`], the `X-App-Usage` /
//! `X-Business-Use-Case-Usage` rate-limit headers, cursor paging with a loop guard, and
//! Meta timestamps.
//!
//! Platform-neutral: nothing here knows Instagram metric names. See platform-apis.md §2.

use crate::endpoints::join;
use crate::error::{body_preview, PlatformError};
use crate::http::{Answer, Http, Recorder};
use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::collections::HashSet;
use std::time::Duration;
use url::Url;

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

/// The Graph error object, `{"error":{"message","type","code","error_subcode",...}}`
/// (platform-apis.md §2.4).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GraphError {
    /// `message`, e.g. `(#100) The value must be a valid insights metric`.
    pub message: String,
    /// `type`, e.g. `OAuthException`.
    pub error_type: Option<String>,
    /// `code` (190 token, 4/17/32/613 rate limits, 10 / 200–299 permission, 100 parameter).
    pub code: Option<i64>,
    /// `error_subcode` (463 expired token, 33 missing object, 2108006 media before business).
    pub error_subcode: Option<i64>,
    /// `error_user_title`, a short human title.
    pub error_user_title: Option<String>,
    /// `error_user_msg`, a human explanation.
    pub error_user_msg: Option<String>,
    /// `is_transient`: Meta suggests retrying.
    pub is_transient: Option<bool>,
    /// `fbtrace_id`, for Meta support.
    pub fbtrace_id: Option<String>,
}

impl GraphError {
    /// The stable machine code `meta_<code>[_<subcode>]` (`meta_100_2108006`).
    pub fn machine_code(&self) -> String {
        match (self.code, self.error_subcode) {
            (Some(c), Some(s)) => format!("meta_{c}_{s}"),
            (Some(c), None) => format!("meta_{c}"),
            (None, _) => "meta_error".to_string(),
        }
    }

    /// `message`, followed by `error_user_title: error_user_msg` when Meta sent them, with
    /// token-like words redacted.
    pub fn full_message(&self) -> String {
        let mut m = self.message.clone();
        match (&self.error_user_title, &self.error_user_msg) {
            (Some(t), Some(u)) => m.push_str(&format!(" ({t}: {u})")),
            (None, Some(u)) | (Some(u), None) => m.push_str(&format!(" ({u})")),
            (None, None) => {}
        }
        redact_token_like(&m)
    }
}

/// Reads the Graph error envelope from a body; `None` when the body is not JSON or has no
/// `error` object.
pub fn parse_graph_error(body: &[u8]) -> Option<GraphError> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let e = v.get("error")?.as_object()?;
    let s = |k: &str| e.get(k).and_then(Value::as_str).map(str::to_string);
    let n = |k: &str| e.get(k).and_then(number).map(|f| f as i64);
    Some(GraphError {
        message: s("message").unwrap_or_default(),
        error_type: s("type"),
        code: n("code"),
        error_subcode: n("error_subcode"),
        error_user_title: s("error_user_title"),
        error_user_msg: s("error_user_msg"),
        is_transient: e.get("is_transient").and_then(Value::as_bool),
        fbtrace_id: s("fbtrace_id"),
    })
}

/// `true` for a code 100 whose message says a requested insights metric is not valid
/// (`(#100) The value must be a valid insights metric`, or `metric[N] must be one of ...`).
fn is_invalid_metric(err: &GraphError) -> bool {
    if err.code != Some(100) || err.error_subcode == Some(2108006) {
        return false;
    }
    let m = err.message.to_ascii_lowercase();
    m.contains("valid insights metric") || m.contains("metric[")
}

/// Maps a Graph error to the variant a caller acts on:
/// 190 / 102 → [`PlatformError::Unauthorized`]; 4 / 17 / 32 / 613 / 80001–80009 →
/// [`PlatformError::RateLimited`] (`retry_after` from `estimated_time_to_regain_access`
/// in `X-Business-Use-Case-Usage`); 10 and 200–299 → [`PlatformError::Forbidden`] (callers
/// special-case `Not enough viewers`); 100 "valid insights metric" →
/// [`PlatformError::MetricRemoved`] (`metric` is `metric_hint`, the request's metric list,
/// when the message names none); 100 subcode 33 → [`PlatformError::NotFound`]; anything
/// else → [`PlatformError::Api`] with code `meta_<code>[_<subcode>]`.
pub fn map_graph_error(
    status: u16,
    endpoint: &str,
    err: &GraphError,
    headers: &HeaderMap,
    metric_hint: Option<&str>,
) -> PlatformError {
    let message = err.full_message();
    match err.code {
        Some(190) | Some(102) => PlatformError::Unauthorized { message },
        Some(4) | Some(17) | Some(32) | Some(613) | Some(80001..=80009) => PlatformError::RateLimited {
            retry_after: usage_from_headers(headers).and_then(|u| u.retry_after()),
            message,
        },
        Some(10) | Some(200..=299) => PlatformError::Forbidden { message },
        Some(100) if err.error_subcode == Some(33) => PlatformError::NotFound { message },
        Some(100) if is_invalid_metric(err) => PlatformError::MetricRemoved {
            metric: metric_hint.unwrap_or("unnamed").to_string(),
            message,
        },
        _ => PlatformError::Api {
            endpoint: endpoint.to_string(),
            status,
            code: Some(err.machine_code()),
            message,
        },
    }
}

/// Turns a failed answer (non-2xx, or 2xx carrying an `error` envelope) into an error:
/// the Graph envelope through [`map_graph_error`]; a body that is not JSON (HTML error page,
/// truncated JSON) → [`PlatformError::Decode`]; JSON without the envelope or an empty body →
/// by status (401 → Unauthorized, 403 → Forbidden, 404 → NotFound, 429 → RateLimited,
/// else Api).
pub fn error_from_answer(answer: &Answer, metric_hint: Option<&str>) -> PlatformError {
    if let Some(err) = parse_graph_error(&answer.body) {
        return map_graph_error(answer.status, &answer.endpoint, &err, &answer.headers, metric_hint);
    }
    let trimmed = answer.body.iter().all(|b| b.is_ascii_whitespace());
    if !trimmed && serde_json::from_slice::<Value>(&answer.body).is_err() {
        return PlatformError::decode(
            &answer.endpoint,
            format!("HTTP {} with a body that is not JSON", answer.status),
            &answer.body,
        );
    }
    let message = if trimmed {
        format!("HTTP {} with an empty body", answer.status)
    } else {
        redact_token_like(&body_preview(&answer.body))
    };
    match answer.status {
        401 => PlatformError::Unauthorized { message },
        403 => PlatformError::Forbidden { message },
        404 => PlatformError::NotFound { message },
        429 => PlatformError::RateLimited {
            retry_after: usage_from_headers(&answer.headers).and_then(|u| u.retry_after()),
            message,
        },
        status => PlatformError::Api {
            endpoint: answer.endpoint.clone(),
            status,
            code: None,
            message,
        },
    }
}

/// `Ok(answer)` for a 2xx answer without an `error` envelope; the mapped error otherwise
/// (see [`error_from_answer`]).
pub fn check(answer: Answer, metric_hint: Option<&str>) -> Result<Answer, PlatformError> {
    if answer.is_success() && parse_graph_error(&answer.body).is_none() {
        Ok(answer)
    } else {
        Err(error_from_answer(&answer, metric_hint))
    }
}

/// Decodes a Graph answer's JSON body as `T`. Errors: [`PlatformError::Decode`] (with
/// `token` redacted from the message) when the body does not fit.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    answer: &Answer,
    token: &SecretString,
) -> Result<T, PlatformError> {
    answer.json().map_err(|e| redact_secret(e, token.expose_secret()))
}

/// Sends `GET {base}{path}?{params}&access_token=<token>`, archives the exchange (URL
/// scrubbed) into `recorder`, and returns the 2xx answer or the mapped error (see
/// [`check`]). `path` starts with `/` and its node ids must be Graph ids
/// (`[A-Za-z0-9_.-]`), else [`PlatformError::NotFound`] without a request. `metric_hint` is
/// the request's metric list, used to name a removed metric. The token never appears in
/// the returned error.
pub async fn get(
    http: &Http,
    base: &Url,
    path: &str,
    params: &[(&str, &str)],
    token: &SecretString,
    recorder: &Recorder,
) -> Result<Answer, PlatformError> {
    let url = graph_url(base, path, params, token)?;
    let metric_hint = params.iter().find(|(k, _)| *k == "metric").map(|(_, v)| *v);
    let secret = token.expose_secret();
    let answer = http
        .send(http.client().get(url), recorder)
        .await
        .map_err(|e| redact_secret(e, secret))?;
    check(answer, metric_hint).map_err(|e| redact_secret(e, secret))
}

fn is_graph_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// Replaces every occurrence of `secret` (when at least 8 characters long) in the error's
/// messages with `REDACTED`, so a token echoed by a server or an HTML page never travels on.
pub fn redact_secret(err: PlatformError, secret: &str) -> PlatformError {
    if secret.len() < 8 {
        return err;
    }
    let r = |s: String| s.replace(secret, "REDACTED");
    match err {
        PlatformError::Unauthorized { message } => PlatformError::Unauthorized { message: r(message) },
        PlatformError::Forbidden { message } => PlatformError::Forbidden { message: r(message) },
        PlatformError::RateLimited { retry_after, message } => PlatformError::RateLimited {
            retry_after,
            message: r(message),
        },
        PlatformError::UsageCapped { message } => PlatformError::UsageCapped { message: r(message) },
        PlatformError::MetricRemoved { metric, message } => PlatformError::MetricRemoved {
            metric,
            message: r(message),
        },
        PlatformError::NotFound { message } => PlatformError::NotFound { message: r(message) },
        PlatformError::Api {
            endpoint,
            status,
            code,
            message,
        } => PlatformError::Api {
            endpoint,
            status,
            code,
            message: r(message),
        },
        PlatformError::Decode { endpoint, message } => PlatformError::Decode {
            endpoint,
            message: r(message),
        },
        PlatformError::Transport { message } => PlatformError::Transport { message: r(message) },
        PlatformError::OAuth { message } => PlatformError::OAuth { message: r(message) },
    }
}

/// Redacts words that look like Meta / Instagram access tokens (`EAA…`, `IGQ…`, `IGAA…`,
/// 30+ characters) in a platform message.
fn redact_token_like(msg: &str) -> String {
    msg.split_inclusive(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '=')
        .map(|part| {
            let word = part.trim_end_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '=');
            let tail = &part[word.len()..];
            let looks = word.len() >= 30
                && (word.starts_with("EAA") || word.starts_with("IGQ") || word.starts_with("IGAA"))
                && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if looks {
                format!("REDACTED{tail}")
            } else {
                part.to_string()
            }
        })
        .collect()
}

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

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn lenient_cursors<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Cursors>, D::Error> {
    Ok(serde_json::from_value(Value::deserialize(d)?).ok())
}

/// The `paging` object of a Graph list: `{"cursors":{"before","after"},"next"?,"previous"?}`.
/// `next` is absent on the last page. Fields of an unexpected type read as `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Paging {
    /// Opaque cursors around this page.
    #[serde(default, deserialize_with = "lenient_cursors")]
    pub cursors: Option<Cursors>,
    /// Full URL of the next page (carries the token: never log or store it).
    #[serde(default, deserialize_with = "lenient_string")]
    pub next: Option<String>,
    /// Full URL of the previous page.
    #[serde(default, deserialize_with = "lenient_string")]
    pub previous: Option<String>,
}

/// `paging.cursors`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Cursors {
    /// Cursor of the first item, sent as `before=`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub before: Option<String>,
    /// Cursor of the last item, sent as `after=` to get the next page.
    #[serde(default, deserialize_with = "lenient_string")]
    pub after: Option<String>,
}

impl Paging {
    /// The `after` cursor to request next, only when `next` says there is a next page.
    pub fn next_after(&self) -> Option<&str> {
        self.next.as_ref()?;
        self.cursors.as_ref()?.after.as_deref().filter(|c| !c.is_empty())
    }
}

/// What to do after a page (see [`PageGuard::advance`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageStep {
    /// Request the page with `after=<cursor>`.
    Next(String),
    /// The last page was read (`paging.next` or the `after` cursor absent).
    End,
    /// The guard stopped paging early; report it as a warning.
    Stopped(PageStop),
}

/// Why a [`PageGuard`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStop {
    /// The server sent a cursor already followed (a replaying server repeats pages).
    RepeatedCursor,
    /// The page held no id not seen on an earlier page (empty or repeated page).
    NoNewIds,
    /// The page cap was reached.
    Capped,
}

impl PageStop {
    /// Stable code for a run-event warning: `paging_loop` or `paging_cap`.
    pub fn code(self) -> &'static str {
        match self {
            PageStop::RepeatedCursor | PageStop::NoNewIds => "paging_loop",
            PageStop::Capped => "paging_cap",
        }
    }
}

/// Guards cursor paging against servers that repeat pages or cursors, and caps the number
/// of pages. One guard per listing.
#[derive(Debug, Clone)]
pub struct PageGuard {
    max_pages: usize,
    pages: usize,
    cursors: HashSet<String>,
    ids: HashSet<String>,
}

impl PageGuard {
    /// A guard allowing at most `max_pages` pages (at least 1).
    pub fn new(max_pages: usize) -> Self {
        Self {
            max_pages: max_pages.max(1),
            pages: 0,
            cursors: HashSet::new(),
            ids: HashSet::new(),
        }
    }

    /// Pages read so far.
    pub fn pages(&self) -> usize {
        self.pages
    }

    /// `true` when `id` was on an earlier (or the current) page.
    pub fn seen(&self, id: &str) -> bool {
        self.ids.contains(id)
    }

    /// Records a page with `ids` and its `paging`, and decides what comes next: `End` when
    /// there is no next page; `Stopped(NoNewIds)` when the page brought no new id;
    /// `Stopped(RepeatedCursor)` when the next cursor was already followed;
    /// `Stopped(Capped)` after `max_pages` pages; else `Next(cursor)`.
    pub fn advance<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>, paging: Option<&Paging>) -> PageStep {
        self.advance_key(ids, paging.and_then(Paging::next_after))
    }
}

/// Sends `POST {base}{path}?{params}&access_token=<token>` with an empty body, archives the
/// exchange (URL scrubbed) into `recorder`, and returns the 2xx answer or the mapped error
/// (see [`check`]). Path rules and token handling as [`get`]. Used for Graph writes that
/// take their arguments as query parameters (WhatsApp `POST /{waba-id}?is_enabled_for_insights=true`).
pub async fn post(
    http: &Http,
    base: &Url,
    path: &str,
    params: &[(&str, &str)],
    token: &SecretString,
    recorder: &Recorder,
) -> Result<Answer, PlatformError> {
    let url = graph_url(base, path, params, token)?;
    let secret = token.expose_secret();
    let answer = http
        .send(
            http.client().post(url).header(reqwest::header::CONTENT_LENGTH, "0"),
            recorder,
        )
        .await
        .map_err(|e| redact_secret(e, secret))?;
    check(answer, None).map_err(|e| redact_secret(e, secret))
}

/// `{base}{path}?{params}&access_token=<token>`, the URL of a Graph request. Errors:
/// [`PlatformError::NotFound`] when `path` is not a Graph path of object ids (see
/// [`is_graph_path`]), so no request is made.
fn graph_url(base: &Url, path: &str, params: &[(&str, &str)], token: &SecretString) -> Result<Url, PlatformError> {
    if !is_graph_path(path) {
        return Err(PlatformError::NotFound {
            message: format!("{path:?} is not a Graph API path of object ids"),
        });
    }
    let mut url = join(base, path);
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
        q.append_pair("access_token", token.expose_secret());
    }
    Ok(url)
}

/// `true` when `path` starts with `/` and every segment is a non-empty Graph id
/// (`[A-Za-z0-9_.-]`, at least one alphanumeric character).
fn is_graph_path(path: &str) -> bool {
    path.starts_with('/')
        && path
            .split('/')
            .skip(1)
            .all(|seg| seg.chars().any(|c| c.is_ascii_alphanumeric()) && seg.chars().all(is_graph_id_char))
}

/// Query parameters of a `paging.next` URL that select the next page in time-based paging
/// (Facebook `/posts` and `/feed`: `until`, `since`, `__paging_token`), offset paging
/// (`offset`) or cursor paging (`after`).
const NEXT_PAGE_KEYS: &[&str] = &["after", "until", "since", "__paging_token", "offset"];

/// The query parameters that request the page after this one, or `None` on the last page
/// (no `next` link). Cursor paging gives `[("after", <cursor>)]`; without `cursors.after`
/// (time-based paging of `/posts`) the non-empty `after` / `until` / `since` /
/// `__paging_token` / `offset` parameters of the `next` URL are used, so the caller never
/// follows the URL itself (it carries the token). `None` as well when `next` names none
/// of them.
pub fn next_page_params(paging: &Paging) -> Option<Vec<(String, String)>> {
    if let Some(after) = paging.next_after() {
        return Some(vec![("after".to_string(), after.to_string())]);
    }
    let next = Url::parse(paging.next.as_deref()?).ok()?;
    let params: Vec<(String, String)> = next
        .query_pairs()
        .filter(|(k, v)| NEXT_PAGE_KEYS.contains(&k.as_ref()) && !v.is_empty())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    (!params.is_empty()).then_some(params)
}

impl PageGuard {
    /// [`PageGuard::advance`] for any kind of paging: `next_key` identifies the next page
    /// (a cursor, or the next-page parameters joined into one string; `None` on the last
    /// page). Returns `End`, `Stopped(NoNewIds)`, `Stopped(RepeatedCursor)` (the same key
    /// twice), `Stopped(Capped)` or `Next(next_key)`, by the same rules.
    pub fn advance_key<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>, next_key: Option<&str>) -> PageStep {
        self.pages += 1;
        let mut new = 0usize;
        for id in ids {
            if self.ids.insert(id.to_string()) {
                new += 1;
            }
        }
        let Some(key) = next_key.filter(|k| !k.is_empty()) else {
            return PageStep::End;
        };
        if new == 0 {
            return PageStep::Stopped(PageStop::NoNewIds);
        }
        if !self.cursors.insert(key.to_string()) {
            return PageStep::Stopped(PageStop::RepeatedCursor);
        }
        if self.pages >= self.max_pages {
            return PageStep::Stopped(PageStop::Capped);
        }
        PageStep::Next(key.to_string())
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

/// The items read from a paged Graph list (`{"data":[…],"paging":{…}}`), in the order
/// served, plus what went wrong after the first page.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing<T> {
    /// Items without repeats, newest first where the edge sorts that way.
    pub items: Vec<T>,
    /// Pages that failed after the first (`http_500`, `decode`, ...), items skipped for
    /// having no id (`decode`), paging guard stops (`paging_loop`, `paging_cap`).
    pub warnings: Vec<alcance_core::CollectWarning>,
    /// Pages read.
    pub pages: usize,
}

impl<T> Default for Listing<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            warnings: Vec::new(),
            pages: 0,
        }
    }
}

/// What the caller of [`list_pages`] says about one page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageVerdict {
    /// Ids of the page's items, for the loop guard (repeated pages stop paging).
    pub ids: Vec<String>,
    /// `true` to read no further page (e.g. the page reached items older than `since`).
    pub stop: bool,
}

/// Reads a paged Graph list: `GET {base}{path}?{params}[&<next-page params>]`, handing each
/// page's raw `data` items to `on_page`, following [`next_page_params`] (cursor or
/// time-based paging) under a [`PageGuard`] of `max_pages`. Returns the pages read and the
/// warnings (a failed later page, a guard stop). Errors: the first page's error (mapped
/// Graph error, or `Decode` when the body is not a Graph list).
#[allow(clippy::too_many_arguments)]
pub async fn list_pages<F>(
    http: &Http,
    base: &Url,
    path: &str,
    params: &[(&str, &str)],
    token: &SecretString,
    recorder: &Recorder,
    max_pages: usize,
    mut on_page: F,
) -> Result<(usize, Vec<alcance_core::CollectWarning>), PlatformError>
where
    F: FnMut(Vec<Value>) -> PageVerdict,
{
    #[derive(Deserialize)]
    struct RawPage {
        #[serde(default, deserialize_with = "lenient::list")]
        data: Vec<Value>,
        #[serde(default, deserialize_with = "lenient::object")]
        paging: Option<Paging>,
    }
    let warn = |code: &str, message: String| alcance_core::CollectWarning {
        level: alcance_core::EventLevel::Warn,
        code: code.to_string(),
        message,
    };
    let mut guard = PageGuard::new(max_pages);
    let mut warnings = Vec::new();
    let mut next: Vec<(String, String)> = Vec::new();
    let mut pages = 0usize;
    loop {
        let mut all: Vec<(&str, &str)> = params.to_vec();
        all.extend(next.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let page = match get(http, base, path, &all, token, recorder).await {
            Ok(answer) => decode::<RawPage>(&answer, token),
            Err(e) => Err(e),
        };
        let page = match page {
            Ok(p) => p,
            Err(e) if pages == 0 => return Err(e),
            Err(e) => {
                warnings.push(warn(
                    &e.code(),
                    format!(
                        "{path}: page {} failed, keeping what the first {pages} gave: {e}",
                        pages + 1
                    ),
                ));
                break;
            }
        };
        pages += 1;
        let verdict = on_page(page.data);
        let params_next = page.paging.as_ref().and_then(next_page_params);
        let key = params_next
            .as_ref()
            .map(|p| p.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&"));
        let step = guard.advance_key(verdict.ids.iter().map(String::as_str), key.as_deref());
        if verdict.stop {
            break;
        }
        match (step, params_next) {
            (PageStep::Next(_), Some(p)) => next = p,
            (PageStep::Stopped(why), _) => {
                warnings.push(warn(
                    why.code(),
                    format!("{path}: paging stopped after {pages} pages ({why:?})"),
                ));
                break;
            }
            _ => break,
        }
    }
    Ok((pages, warnings))
}

/// Lenient serde helpers for Graph DTOs: a value of an unexpected type reads as `None` /
/// empty instead of failing the whole answer, so only non-JSON or structurally broken
/// bodies fail to decode.
pub(crate) mod lenient {
    use super::number;
    use serde::de::DeserializeOwned;
    use serde::{Deserialize, Deserializer};
    use serde_json::Value;

    /// A string, or a number written as text; anything else → `None`.
    pub(crate) fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    }

    /// A number, or a string holding one; anything else → `None`.
    pub(crate) fn f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Ok(number(&Value::deserialize(d)?))
    }

    /// A whole number (Unix seconds), or a string holding one; anything else → `None`.
    pub(crate) fn i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        Ok(number(&Value::deserialize(d)?)
            .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
            .map(|f| f as i64))
    }

    /// An array of strings (numbers are written as text); anything else → empty.
    pub(crate) fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Array(items) => items
                .into_iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        })
    }

    /// An array kept raw (items decoded one by one later); anything else → empty.
    pub(crate) fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Value>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Array(items) => items,
            _ => Vec::new(),
        })
    }

    /// An array whose items are decoded as `T`, skipping items that do not fit; anything
    /// else → empty.
    pub(crate) fn items<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Array(items) => items
                .into_iter()
                .filter_map(|v| serde_json::from_value(v).ok())
                .collect(),
            _ => Vec::new(),
        })
    }

    /// A value decoded as `T`, or `None` when it does not fit.
    pub(crate) fn object<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<T>, D::Error> {
        Ok(serde_json::from_value(Value::deserialize(d)?).ok())
    }

    /// An array whose items are decoded as `T`, skipping items that do not fit; `None`
    /// when absent or not an array (so "no list" stays apart from an empty one).
    pub(crate) fn opt_items<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Option<Vec<T>>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Array(items) => Some(
                items
                    .into_iter()
                    .filter_map(|v| serde_json::from_value(v).ok())
                    .collect(),
            ),
            _ => None,
        })
    }
}

/// Collection steps shared by the Graph clients (Instagram, Facebook Pages, WhatsApp): how
/// an error of one call becomes an error, a gap or a warning in an
/// [`InsightsResult`](crate::instagram::InsightsResult).
pub(crate) mod steps {
    use crate::error::PlatformError;
    use crate::instagram::{warning, InsightsResult};
    use alcance_core::{CollectionBatch, EventLevel};

    /// How a step goes on after an error that was absorbed into the result.
    pub(crate) enum Flow {
        /// Go on with the next call of the step.
        Continue,
        /// Skip the rest of this step (permission, not found).
        SkipStep,
        /// Make no further calls for this account.
        Halt,
    }

    /// `true` for errors after which no further call for the account makes sense in this
    /// collection (rate limit, usage cap, network).
    pub(crate) fn halts(e: &PlatformError) -> bool {
        matches!(
            e,
            PlatformError::RateLimited { .. } | PlatformError::UsageCapped { .. } | PlatformError::Transport { .. }
        )
    }

    /// Records an error of one call into `out` and says how the step goes on:
    /// Unauthorized → `Err`; rate limit / usage cap / network → warning + `halted`;
    /// permission → `permission` gap, skip the step; not found → `not_found` gap, skip the
    /// step; removed metric → `metric_removed` gap; anything else → warning, continue.
    pub(crate) fn absorb(
        e: PlatformError,
        what: &str,
        object_id: &str,
        out: &mut InsightsResult,
    ) -> Result<Flow, PlatformError> {
        match &e {
            PlatformError::Unauthorized { .. } => Err(e),
            _ if halts(&e) => {
                out.warn(&e.code(), format!("{what}: {e}; no further calls for this account"));
                out.halted = true;
                Ok(Flow::Halt)
            }
            PlatformError::Forbidden { message } => {
                out.gap(what, object_id, "permission", message.clone());
                Ok(Flow::SkipStep)
            }
            PlatformError::NotFound { message } => {
                out.gap(what, object_id, "not_found", message.clone());
                Ok(Flow::SkipStep)
            }
            PlatformError::MetricRemoved { metric, message } => {
                out.gap(metric, object_id, "metric_removed", message.clone());
                Ok(Flow::Continue)
            }
            _ => {
                out.warn(&e.code(), format!("{what}: {e}"));
                Ok(Flow::Continue)
            }
        }
    }

    /// Ends a step of a collection: its results go into the batch (its `halted` too), or
    /// its failure is recorded under `part` (see [`part_failed`]).
    pub(crate) fn step_done(
        batch: &mut CollectionBatch,
        part: &str,
        r: Result<InsightsResult, PlatformError>,
        halted: &mut bool,
    ) {
        match r {
            Ok(r) => {
                *halted |= r.halted;
                merge(batch, r);
            }
            Err(e) => part_failed(batch, part, &e, halted),
        }
    }

    /// Moves a step's results into the batch.
    pub(crate) fn merge(batch: &mut CollectionBatch, r: InsightsResult) {
        batch.account_metrics.extend(r.account_metrics);
        batch.post_metrics.extend(r.post_metrics);
        batch.audience.extend(r.audience);
        batch.gaps.extend(r.gaps);
        batch.warnings.extend(r.warnings);
    }

    /// Records a failed part as a warning (an error-level one, setting `halted`, when it
    /// stops the collection: rate limit, usage cap, network, dead token).
    pub(crate) fn part_failed(batch: &mut CollectionBatch, part: &str, e: &PlatformError, halted: &mut bool) {
        let stop = halts(e) || e.needs_reauth();
        if stop {
            *halted = true;
        }
        let level = if stop { EventLevel::Error } else { EventLevel::Warn };
        let suffix = if stop {
            "; no further calls for this account"
        } else {
            ""
        };
        batch
            .warnings
            .push(warning(level, &e.code(), format!("{part}: {e}{suffix}")));
    }
}

/// Graph insights shared by the Instagram and Facebook Pages clients: the wire shape of an
/// insights answer's `data` items, the request routine with the removed-metric fallback
/// ([`fetch`](insights::fetch)) and the mapping helpers both platforms use to turn insight
/// values into post metrics and gaps.
pub(crate) mod insights {
    use super::{decode, get, lenient, scaled};
    use crate::error::PlatformError;
    use crate::http::{Http, Recorder};
    use crate::instagram::{warning, InsightsResult, MetricMemory};
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
        #[derive(Deserialize)]
        struct RawPage {
            #[serde(default, deserialize_with = "lenient::list")]
            data: Vec<Value>,
        }
        let mut params: Vec<(&str, &str)> = vec![("metric", metric)];
        params.extend(call.params.iter().map(|(k, v)| (*k, v.as_str())));
        let answer = get(graph.http, graph.base, &call.path, &params, graph.token, graph.recorder).await?;
        let page: RawPage = decode(&answer, graph.token)?;
        let mut warnings = Vec::new();
        let mut entries = Vec::with_capacity(page.data.len());
        for raw in page.data {
            match serde_json::from_value::<InsightEntry>(raw) {
                Ok(e) => entries.push(e),
                Err(e) => warnings.push(warning(
                    EventLevel::Warn,
                    "decode",
                    format!("{}: skipped an insights entry: {e}", call.path),
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_like_words_are_redacted() {
        let m = redact_token_like("Invalid token EAABwzLixnjYBAKZCZAxyzxyzxyzxyzxyzxyz123 given");
        assert_eq!(m, "Invalid token REDACTED given");
        assert_eq!(redact_token_like("(#100) short words stay"), "(#100) short words stay");
    }

    #[test]
    fn invalid_metric_needs_code_100_and_the_message() {
        let mut e = GraphError {
            message: "(#100) The value must be a valid insights metric".into(),
            code: Some(100),
            ..GraphError::default()
        };
        assert!(is_invalid_metric(&e));
        e.error_subcode = Some(2108006);
        assert!(!is_invalid_metric(&e));
        e.error_subcode = None;
        e.code = Some(10);
        assert!(!is_invalid_metric(&e));
    }
}
