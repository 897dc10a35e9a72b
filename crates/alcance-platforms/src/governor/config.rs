//! The governor's settings, its counters and its view of one budget.

use std::time::Duration;

/// The governor's settings. [`Default`] gives the documented platform budgets.
#[derive(Debug, Clone, PartialEq)]
pub struct GovernorConfig {
    /// Extra wait after a window's `reset` time, for clock skew and whole-second resets
    /// (default 1 s).
    pub reset_margin: Duration,
    /// The longest the governor waits before a request; a request that would wait longer
    /// is not sent and fails with [`PlatformError::RateLimited`](crate::PlatformError::RateLimited) (default 16 min: one X
    /// window and its margin).
    pub max_wait: Duration,
    /// Share of an X window's limit that may be sent at once at the start of a window,
    /// ratio 0–1 (default 0.1); the rest is released evenly over the window.
    pub burst_ratio: f64,
    /// Length of an X rate-limit window (15 min).
    pub x_window: Duration,
    /// TikTok requests allowed per endpoint and token in any 60 s (default 600).
    pub tiktok_per_minute: u32,
    /// YouTube Data API units the developer app's project may spend per Pacific-Time day
    /// (default 10,000, Google's default quota; raise it when the project got more).
    pub youtube_daily_units: u32,
    /// Meta usage (percent 0–100) from which calls are spread over the hour (default 75).
    pub meta_soft_percent: f64,
    /// Meta usage (percent 0–100) at which calls stop until access returns (default 95).
    pub meta_hard_percent: f64,
    /// Pause after a rate-limited answer that says nothing about when to come back
    /// (default 60 s); doubles with each such answer in a row, up to 1 h. X answers use
    /// X's documented window ([`GovernorConfig::x_window`]) instead, TikTok's its minute.
    pub default_pause: Duration,
    /// Retries of one read request after 5xx, transport errors and 429s (default 3).
    pub max_retries: u32,
    /// Of those, retries after a time-out (default 1): an endpoint that did not answer
    /// within the request time-out rarely answers the third time, and each try costs a whole
    /// time-out.
    pub max_timeout_retries: u32,
    /// First backoff after a 5xx or transport error (default 250 ms); doubles per retry,
    /// with jitter (half fixed, half random).
    pub backoff_base: Duration,
    /// Longest backoff (default 30 s).
    pub backoff_max: Duration,
}

impl Default for GovernorConfig {
    fn default() -> Self {
        GovernorConfig {
            reset_margin: Duration::from_secs(1),
            max_wait: Duration::from_secs(16 * 60),
            burst_ratio: 0.1,
            x_window: Duration::from_secs(15 * 60),
            tiktok_per_minute: 600,
            youtube_daily_units: crate::youtube::DAILY_QUOTA_UNITS,
            meta_soft_percent: 75.0,
            meta_hard_percent: 95.0,
            default_pause: Duration::from_secs(60),
            max_retries: 3,
            max_timeout_retries: 1,
            backoff_base: Duration::from_millis(250),
            backoff_max: Duration::from_secs(30),
        }
    }
}

/// Counters since the governor was made (for tests, the UI and the run log).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GovernorStats {
    /// Requests sent (each retry counts).
    pub sent: u64,
    /// Answers that said "rate limited" (HTTP 429, Meta throttling codes).
    pub rate_limited: u64,
    /// Retries sent after a 5xx, transport error or 429.
    pub retries: u64,
    /// Requests not sent because the wait would exceed [`GovernorConfig::max_wait`].
    pub refused: u64,
    /// Total time requests spent waiting for budget, milliseconds.
    pub waited_ms: u64,
}

/// What the governor knows about one budget, for the UI and tests.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetView {
    /// X-style window: requests allowed in it (`x-rate-limit-limit`).
    pub limit: Option<u32>,
    /// X-style window: requests the governor believes are left, counting the ones it sent
    /// since the last answer (may be below `x-rate-limit-remaining`).
    pub remaining: Option<i64>,
    /// X-style window: time until it resets.
    pub reset_in: Option<Duration>,
    /// Meta: the latest usage, percent 0–100 (the highest of call count, CPU time, total
    /// time across `X-App-Usage` and `X-Business-Use-Case-Usage`).
    pub usage_percent: Option<f64>,
    /// TikTok: requests sent in the last 60 s.
    pub sent_last_minute: usize,
    /// Time until the budget is open again after a rate-limited answer or exhausted window.
    pub blocked_for: Option<Duration>,
    /// Requests in flight.
    pub in_flight: u32,
    /// YouTube Data API: units spent on the current Pacific-Time day (`None` for other
    /// budgets).
    pub quota_units_used: Option<u32>,
}
