//! The error every platform client returns.

use std::time::Duration;

/// What went wrong talking to a platform. Variants are the ones a caller acts on: re-auth,
/// wait, drop a metric, skip an object, or report and go on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlatformError {
    /// The token is invalid, expired or revoked (HTTP 401, Meta code 190 / 102, TikTok
    /// `access_token_invalid`): the account needs re-authorization.
    #[error("unauthorized: {message}")]
    Unauthorized {
        /// The platform's message.
        message: String,
    },
    /// The app or token lacks access (X 403 `client-forbidden`, Meta 10 / 200–299).
    #[error("forbidden: {message}")]
    Forbidden {
        /// The platform's message.
        message: String,
    },
    /// Rate limited (HTTP 429, X `x-rate-limit-remaining: 0`, Meta 4 / 17 / 32 / 613 /
    /// 800xx). `retry_after` is how long to wait when the platform says so.
    #[error("rate limited (retry after {retry_after:?}): {message}")]
    RateLimited {
        /// How long until the budget returns, when known.
        retry_after: Option<Duration>,
        /// The platform's message.
        message: String,
    },
    /// The product's usage cap is exhausted (X `usage-capped`): no retry helps this period.
    #[error("usage cap exceeded: {message}")]
    UsageCapped {
        /// The platform's message.
        message: String,
    },
    /// A metric the platform no longer serves (Meta #100 "must be a valid insights metric").
    #[error("metric {metric} removed by the platform: {message}")]
    MetricRemoved {
        /// The platform metric name.
        metric: String,
        /// The platform's message.
        message: String,
    },
    /// The object does not exist or is not visible.
    #[error("not found: {message}")]
    NotFound {
        /// The platform's message.
        message: String,
    },
    /// Any other error answer from the platform.
    #[error("{endpoint}: HTTP {status}{}: {message}", code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())]
    Api {
        /// Endpoint path (no query, no secrets).
        endpoint: String,
        /// HTTP status.
        status: u16,
        /// Platform error code or problem type, when one was sent.
        code: Option<String>,
        /// The platform's message, or the start of the body.
        message: String,
    },
    /// The answer could not be read: malformed or truncated JSON, an HTML page, a missing
    /// required field, an unknown enum value where one is required.
    #[error("could not read the answer of {endpoint}: {message}")]
    Decode {
        /// Endpoint path (no query, no secrets).
        endpoint: String,
        /// What was wrong, with the start of the body.
        message: String,
    },
    /// No answer arrived (connection refused, timeout, TLS).
    #[error("network error: {message}")]
    Transport {
        /// What failed.
        message: String,
    },
    /// The OAuth flow failed (state mismatch, denied consent, timeout, bad token answer).
    #[error("authorization failed: {message}")]
    OAuth {
        /// What failed.
        message: String,
    },
    /// The answer did not arrive within the request time-out (the endpoint hangs).
    #[error("{endpoint}: no answer within the request time-out")]
    Timeout {
        /// Endpoint path (no query, no secrets).
        endpoint: String,
    },
    /// The run was cancelled or interrupted while this account was collected: the request
    /// was not sent (the control acts between two requests). What came before is kept.
    #[error("{endpoint}: the run was stopped; the request was not sent")]
    Stopped {
        /// Endpoint path (no query, no secrets).
        endpoint: String,
    },
    /// The account's collection deadline passed (see [`crate::http::CallLimits`]): the request
    /// was not sent, or its answer was abandoned. What came before is kept.
    #[error("{endpoint}: the collection deadline of this account passed; the request was not completed")]
    Deadline {
        /// Endpoint path (no query, no secrets).
        endpoint: String,
    },
}

impl PlatformError {
    /// A stable machine code for run events and the UI (`unauthorized`, `rate_limited`,
    /// `decode`, `http_500`, ...).
    pub fn code(&self) -> String {
        match self {
            PlatformError::Unauthorized { .. } => "unauthorized".into(),
            PlatformError::Forbidden { .. } => "forbidden".into(),
            PlatformError::RateLimited { .. } => "rate_limited".into(),
            PlatformError::UsageCapped { .. } => "usage_capped".into(),
            PlatformError::MetricRemoved { .. } => "metric_removed".into(),
            PlatformError::NotFound { .. } => "not_found".into(),
            PlatformError::Api { status, .. } => format!("http_{status}"),
            PlatformError::Decode { .. } => "decode".into(),
            PlatformError::Transport { .. } => "transport".into(),
            PlatformError::OAuth { .. } => "oauth".into(),
            PlatformError::Timeout { .. } => "timeout".into(),
            PlatformError::Deadline { .. } => "deadline".into(),
            PlatformError::Stopped { .. } => "stopped".into(),
        }
    }

    /// `true` for errors after which no further call for the account makes sense in this
    /// collection: a refused token, a rate limit, a usage cap, a network failure, the
    /// account's deadline, the run stopped.
    pub fn stops_account(&self) -> bool {
        matches!(
            self,
            PlatformError::Unauthorized { .. }
                | PlatformError::RateLimited { .. }
                | PlatformError::UsageCapped { .. }
                | PlatformError::Transport { .. }
                | PlatformError::Deadline { .. }
                | PlatformError::Stopped { .. }
        )
    }

    /// This error as the reason a collection stopped half-way (code, message, whether the
    /// token was refused, whether and for how long the platform rate-limited).
    pub fn interruption(&self) -> alcance_core::Interruption {
        alcance_core::Interruption {
            code: self.code(),
            message: self.to_string(),
            needs_reauth: self.needs_reauth(),
            rate_limited: matches!(self, PlatformError::RateLimited { .. }),
            retry_after_seconds: match self {
                PlatformError::RateLimited { retry_after, .. } => retry_after.map(|d| d.as_secs().max(1)),
                _ => None,
            },
        }
    }

    /// `true` when the account must be re-authorized (`needs_reauth`).
    pub fn needs_reauth(&self) -> bool {
        matches!(self, PlatformError::Unauthorized { .. })
    }

    /// Builds a [`PlatformError::Decode`] with the first 200 characters of the body.
    pub fn decode(endpoint: &str, what: impl std::fmt::Display, body: &[u8]) -> Self {
        PlatformError::Decode {
            endpoint: endpoint.to_string(),
            message: format!("{what}; body starts with {:?}", body_preview(body)),
        }
    }
}

/// The first 200 characters of a body, lossily decoded, for error messages.
pub fn body_preview(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut preview: String = text.chars().take(200).collect();
    if text.chars().count() > 200 {
        preview.push('…');
    }
    preview
}
