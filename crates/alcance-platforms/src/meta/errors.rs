//! The Graph error envelope (`{"error":{"message","type","code","error_subcode",...}}`,
//! platform-apis.md §2.4), its mapping to the [`PlatformError`] variant a caller acts on,
//! and the redaction of tokens from error messages.

use super::usage::usage_from_headers;
use super::values::number;
use crate::error::{body_preview, PlatformError};
use crate::http::Answer;
use reqwest::header::HeaderMap;
use serde_json::Value;

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
        // Only an endpoint path (never a query, never a token).
        e @ (PlatformError::Timeout { .. } | PlatformError::Deadline { .. } | PlatformError::Stopped { .. }) => e,
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
