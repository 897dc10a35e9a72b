//! The rate-limit governor: one per app (shared by every client and account that uses the
//! same developer app), consulted by [`crate::Http::send`] before each request and fed each
//! answer. It keeps Alcance under every platform's documented budget instead of finding the
//! limit by hitting it, and retries what is safe to retry.
//!
//! Budgets are kept per [`RequestKey`]: the API family ([`ApiFamily`]), the endpoint
//! template (`/2/users/{id}/tweets`) and a [`TokenFingerprint`] (a SHA-256 prefix of the
//! token, never the token). Meta budgets are per token for every endpoint (`*`), because
//! Meta's usage headers measure the app / business object, not an endpoint.
//!
//! | family | signal | what the governor does |
//! |---|---|---|
//! | X | `x-rate-limit-limit` / `-remaining` / `-reset` (Unix s) on every answer, 15-min windows (platform-apis.md §1.7) | releases the window's budget evenly over the window (a 10 % burst allowed), never sends with no budget left, waits for `reset` + 1 s; one probe request learns a window it does not know |
//! | Meta | `X-App-Usage`, `X-Business-Use-Case-Usage` (percent of budget, `estimated_time_to_regain_access` minutes), error codes 4 / 17 / 32 / 613 / 80001–80014 (§2.3, §2.4) | from 75 % used, spreads the calls left over the hour; at 95 % or on a throttling code, stops until the regain time (or 60 s, doubling) |
//! | TikTok | none; 600 requests / minute / endpoint, sliding (§6.1) | a sliding 60-s window of sends per endpoint and token |
//! | YouTube | none; 10,000 Data API units a day per project, reset at midnight Pacific Time; 403 `quotaExceeded`, 403 `rateLimitExceeded` (platform-apis-more.md §1.3–1.4) | counts each Data API request's units (`list` = 1) in one budget for every token; a request the day's units cannot pay waits for the reset (so it is refused, and the account deferred); `quotaExceeded` closes the budget until the reset; `rateLimitExceeded` backs off like a 429 |
//! | LinkedIn | none: HTTP 429 only, no `Retry-After`; daily limits per app and per member, reset at midnight UTC, numbers unpublished (platform-apis-more.md §3.3) | a 429 closes the budget for the default pause, doubled per 429 in a row (at most 1 h) |
//! | Bluesky | `ratelimit-limit` / `-remaining` / `-reset` (Unix s) / `-policy` (`3000;w=300`) on XRPC answers (platform-apis-more.md §5.3) | paces like X on the policy's window length; a 429 without headers closes the budget for one 5-minute window |
//! | Reddit | `x-ratelimit-used` / `-remaining` (floats) / `-reset` (**seconds until** the reset) on every answer; 100 queries a minute per OAuth client id, averaged over 10 minutes (platform-apis-more.md §2.3) | one budget per workspace (its one Reddit app, so per client id, every token included); paces like X on a 10-minute window whose limit is `used + remaining`; a 429 with `Retry-After` waits as told, without any header the default pause |
//! | any | HTTP 429 with `Retry-After` / reset; 5xx and transport errors | waits as told; retries read requests with exponential backoff and jitter |
//!
//! Retried requests (reads only; never a token exchange): every `GET` / `HEAD`, and the
//! `POST` reads TikTok `/v2/video/list/`, `/v2/video/query/` and the X Engagement API
//! `/insights/engagement/{totals,28hr,historical}` (see [`is_read_request`]). At most
//! [`GovernorConfig::max_retries`] retries per request; an endpoint whose last
//! `max_retries + 1` requests all failed transiently is not retried again until one
//! succeeds (fail fast instead of hammering a broken endpoint).
//!
//! Every wait uses `tokio::time`, so tests can pause and advance time. Reset times in
//! headers are wall-clock Unix seconds, read against [`wall_clock_unix`] (the system clock,
//! which follows tokio's clock when a test pauses it).
//!
//! Secrets: the governor sees requests but keeps only fingerprints; its log lines and
//! errors name the API family, the endpoint template and the fingerprint.
//!
//! Instagram Hashtag Search's 30 unique hashtags per account per 7 days is a budget of
//! distinct hashtags over a week, not of requests: its rule is [`hashtag`], its record the
//! store's (see there).
//!
//! Layout: `key` (which budget a request draws on, which requests may be retried),
//! `config` (settings, counters, the budget view), `headers` (`x-rate-limit-*`,
//! `Retry-After`, X usage caps), `clock` (wall-clock resets on tokio's clock); the budgets
//! and the decisions live here. Backoff delays come from backon's exponential schedule.

mod clock;
mod config;
pub mod hashtag;
mod headers;
mod key;

pub use clock::wall_clock_unix;
pub use config::{BudgetView, GovernorConfig, GovernorStats};
pub use key::{
    endpoint_template, is_read_request, ApiFamily, RequestKey, TokenFingerprint, REDDIT_CLIENT_BUDGET,
    YOUTUBE_QUOTA_BUDGET,
};

use crate::error::PlatformError;
use crate::http::Answer;
use crate::meta::{parse_graph_error, usage_from_headers};
use backon::{BackoffBuilder, ExponentialBuilder};
use clock::instant_at_unix;
use headers::{is_usage_capped, rate_window, retry_after};
use reqwest::header::HeaderMap;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

/// What [`Governor::settle`] tells the sender to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Hand the answer (or the error) to the caller.
    Done,
    /// Send the request again after this delay (and after [`Governor::acquire`]).
    Retry(Duration),
}

/// Leave to send one request, from [`Governor::acquire`]; hand it back with
/// [`Governor::settle`]. Dropping it unsettled (a cancelled request) frees its slot.
#[derive(Debug)]
pub struct Permit {
    governor: Arc<Governor>,
    key: RequestKey,
    budget: RequestKey,
    seq: u64,
    in_flight_before: u32,
    settled: bool,
}

impl Permit {
    /// The request's key.
    pub fn key(&self) -> &RequestKey {
        &self.key
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if !self.settled {
            let mut state = self.governor.lock();
            if let Some(b) = state.budgets.get_mut(&self.budget) {
                b.in_flight = b.in_flight.saturating_sub(1);
                b.probing = false;
            }
            drop(state);
            self.governor.notify.notify_waiters();
        }
    }
}

/// X-style header window.
#[derive(Debug, Clone, Copy)]
struct Window {
    limit: u32,
    /// The window's length when the answer's policy said (Bluesky `w=300`); else X's.
    length: Option<Duration>,
    reset_unix: i64,
    reset_at: Instant,
    /// `x-rate-limit-remaining` of the answer the estimate is based on.
    base_remaining: i64,
    /// Send sequence number of that request.
    base_seq: u64,
    /// Requests in flight when that request was sent (maybe not counted in its answer).
    base_in_flight: u32,
}

impl Window {
    /// A lower bound on the requests left: the base answer's remaining, less everything
    /// that may not have been counted in it.
    fn remaining(&self, sent: u64) -> i64 {
        let after = sent.saturating_sub(self.base_seq + 1);
        self.base_remaining - i64::from(self.base_in_flight) - i64::try_from(after).unwrap_or(i64::MAX)
    }
}

#[derive(Debug, Default)]
struct MetaState {
    /// Latest usage, percent.
    percent: Option<f64>,
    /// Usage and answered-call count when the current estimate of calls per percent started.
    origin: Option<(f64, u64)>,
    /// Calls answered by this budget.
    answered: u64,
    /// Estimated calls per percent of usage.
    calls_per_percent: Option<f64>,
}

/// YouTube Data API units spent on one Pacific-Time day.
#[derive(Debug, Default, Clone, Copy)]
struct QuotaDay {
    /// The Pacific-Time day the count is for.
    day: Option<chrono::NaiveDate>,
    /// Units spent (sent requests' costs, and the whole quota after `quotaExceeded`).
    used: u32,
}

#[derive(Debug, Default)]
struct Budget {
    sent: u64,
    in_flight: u32,
    probing: bool,
    headerless: bool,
    window: Option<Window>,
    blocked_until: Option<Instant>,
    throttle_streak: u32,
    recent: VecDeque<Instant>,
    last_send: Option<Instant>,
    meta: MetaState,
    quota: QuotaDay,
}

enum Decision {
    Go,
    Until(Instant),
    WaitForAnswer,
}

#[derive(Debug, Default)]
struct State {
    budgets: HashMap<RequestKey, Budget>,
    /// Consecutive transient failures per endpoint (not per budget).
    failures: HashMap<RequestKey, u32>,
}

/// The rate-limit governor. Share one (`Arc`) between every client of a workspace; see the
/// module documentation for the rules.
#[derive(Debug)]
pub struct Governor {
    config: GovernorConfig,
    state: Mutex<State>,
    notify: Notify,
    sent: AtomicU64,
    rate_limited: AtomicU64,
    retries: AtomicU64,
    refused: AtomicU64,
    waited_ms: AtomicU64,
}

impl Default for Governor {
    fn default() -> Self {
        Governor::new()
    }
}

impl Governor {
    /// A governor with the documented budgets ([`GovernorConfig::default`]).
    pub fn new() -> Governor {
        Governor::with_config(GovernorConfig::default())
    }

    /// A governor with `config`.
    pub fn with_config(config: GovernorConfig) -> Governor {
        Governor {
            config,
            state: Mutex::new(State::default()),
            notify: Notify::new(),
            sent: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            waited_ms: AtomicU64::new(0),
        }
    }

    /// The settings.
    pub fn config(&self) -> &GovernorConfig {
        &self.config
    }

    /// Counters since the governor was made.
    pub fn stats(&self) -> GovernorStats {
        GovernorStats {
            sent: self.sent.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            waited_ms: self.waited_ms.load(Ordering::Relaxed),
        }
    }

    /// What the governor knows about the budget `key` draws on; `None` before its first
    /// request.
    pub fn budget(&self, key: &RequestKey) -> Option<BudgetView> {
        let now = Instant::now();
        let state = self.lock();
        let b = state.budgets.get(&key.budget())?;
        let window = b.window.filter(|w| now < w.reset_at + self.config.reset_margin);
        Some(BudgetView {
            limit: window.map(|w| w.limit),
            remaining: window.map(|w| w.remaining(b.sent)),
            reset_in: window.map(|w| w.reset_at.saturating_duration_since(now)),
            usage_percent: b.meta.percent,
            sent_last_minute: b
                .recent
                .iter()
                .filter(|t| now.saturating_duration_since(**t) < Duration::from_secs(60))
                .count(),
            blocked_for: b.blocked_until.filter(|t| *t > now).map(|t| t - now),
            in_flight: b.in_flight,
            quota_units_used: (key.api == ApiFamily::YouTube && key::is_youtube_data(&key.endpoint))
                .then(|| youtube_quota_used(b.quota)),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the lock; a poisoned lock still holds usable counts.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until `key`'s budget allows one more request, and reserves it.
    ///
    /// Errors: [`PlatformError::RateLimited`] (with `retry_after`) when the wait would be
    /// longer than [`GovernorConfig::max_wait`]; nothing is sent then.
    pub async fn acquire(self: &Arc<Self>, key: &RequestKey) -> Result<Permit, PlatformError> {
        self.acquire_within(key, None).await
    }

    /// [`Governor::acquire`], waiting at most `limit` (when given and shorter than
    /// [`GovernorConfig::max_wait`]): a collection with a deadline, or one that would rather
    /// be deferred than wait for a long-closed budget.
    ///
    /// Errors: [`PlatformError::RateLimited`] (with `retry_after`: the whole wait) when the
    /// wait would be longer; nothing is sent then.
    pub async fn acquire_within(
        self: &Arc<Self>,
        key: &RequestKey,
        limit: Option<Duration>,
    ) -> Result<Permit, PlatformError> {
        let max_wait = limit.map_or(self.config.max_wait, |l| l.min(self.config.max_wait));
        let budget_key = key.budget();
        let started = Instant::now();
        loop {
            let now = Instant::now();
            let notified = self.notify.notified();
            let decision = {
                let mut state = self.lock();
                let b = state.budgets.entry(budget_key.clone()).or_default();
                let d = self.decide(key, b, now);
                if let Decision::Go = d {
                    let seq = b.sent;
                    let in_flight_before = b.in_flight;
                    b.sent += 1;
                    b.in_flight += 1;
                    b.last_send = Some(now);
                    if key.api == ApiFamily::TikTok {
                        b.recent.push_back(now);
                    }
                    if key.api == ApiFamily::YouTube {
                        let cost = youtube_cost(key);
                        b.quota = QuotaDay {
                            day: Some(youtube_today()),
                            used: youtube_quota_used(b.quota).saturating_add(cost),
                        };
                    }
                    drop(state);
                    self.sent.fetch_add(1, Ordering::Relaxed);
                    let waited = now.saturating_duration_since(started);
                    if !waited.is_zero() {
                        metrics::counter!("alcance_rate_limit_waits_total", "platform" => key.api.as_str())
                            .increment(1);
                        count_wait_seconds(key.api, waited);
                        self.waited_ms
                            .fetch_add(u64::try_from(waited.as_millis()).unwrap_or(u64::MAX), Ordering::Relaxed);
                    }
                    return Ok(Permit {
                        governor: Arc::clone(self),
                        key: key.clone(),
                        budget: budget_key,
                        seq,
                        in_flight_before,
                        settled: false,
                    });
                }
                d
            };
            match decision {
                Decision::Go => {}
                Decision::Until(at) => {
                    let wait = at.saturating_duration_since(now);
                    if wait > max_wait {
                        self.refused.fetch_add(1, Ordering::Relaxed);
                        warn_wait(
                            key,
                            wait,
                            "rate-limit budget closed for longer than the governor waits; request not sent",
                        );
                        return Err(PlatformError::RateLimited {
                            retry_after: Some(wait),
                            message: format!(
                                "{} {}: the rate-limit budget opens again in {} s; the request was not sent",
                                key.api,
                                key.endpoint,
                                wait.as_secs()
                            ),
                        });
                    }
                    tracing::debug!(
                        api = %key.api,
                        endpoint = %key.endpoint,
                        token = %key.token,
                        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        "rate-limit governor: pacing"
                    );
                    tokio::select! {
                        _ = tokio::time::sleep_until(at) => {}
                        _ = notified => {}
                    }
                }
                Decision::WaitForAnswer => {
                    // A probe is in flight: its answer tells the window. Re-check at the
                    // latest after a second in case it never comes.
                    tokio::select! {
                        _ = notified => {}
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    }
                }
            }
        }
    }

    fn decide(&self, key: &RequestKey, b: &mut Budget, now: Instant) -> Decision {
        let api = key.api;
        let cfg = &self.config;
        if let Some(until) = b.blocked_until {
            if now < until {
                return Decision::Until(until);
            }
            b.blocked_until = None;
            // The usage read before the pause is stale now: the next answer tells.
            b.meta.percent = None;
        }
        // X-style header window (X always; any family whose answers carry the headers).
        let window = b.window.filter(|w| now < w.reset_at + cfg.reset_margin);
        if let Some(w) = window {
            let remaining = w.remaining(b.sent);
            if remaining <= 0 {
                return Decision::Until(w.reset_at + cfg.reset_margin);
            }
            let limit = f64::from(w.limit.max(1));
            let window_s = w.length.unwrap_or(cfg.x_window).as_secs_f64().max(1.0);
            let left_s = w.reset_at.saturating_duration_since(now).as_secs_f64().min(window_s);
            let elapsed_s = window_s - left_s;
            let used = limit - remaining as f64;
            let burst = (limit * cfg.burst_ratio).floor().max(1.0);
            let allowed = burst + limit * elapsed_s / window_s;
            if used + 1.0 > allowed {
                let needed_s = (used + 1.0 - burst) * window_s / limit;
                let wait = Duration::from_secs_f64((needed_s - elapsed_s).clamp(0.001, window_s));
                return Decision::Until(now + wait);
            }
        } else if api == ApiFamily::X && !b.headerless {
            // No window known (first request, or the last one has reset): one probe learns it.
            if b.in_flight > 0 {
                return Decision::WaitForAnswer;
            }
            b.probing = true;
            b.window = None;
        }
        match api {
            ApiFamily::TikTok => {
                let minute = Duration::from_secs(60);
                while b
                    .recent
                    .front()
                    .is_some_and(|t| now.saturating_duration_since(*t) >= minute)
                {
                    b.recent.pop_front();
                }
                let limit = usize::try_from(cfg.tiktok_per_minute.max(1)).unwrap_or(usize::MAX);
                if b.recent.len() >= limit {
                    if let Some(oldest) = b.recent.front() {
                        return Decision::Until(*oldest + minute);
                    }
                }
            }
            ApiFamily::Meta => {
                if let (Some(p), Some(last)) = (b.meta.percent, b.last_send) {
                    if p >= cfg.meta_soft_percent {
                        // Spread the calls left over the hour Meta's usage is measured on.
                        let per_percent = b
                            .meta
                            .calls_per_percent
                            .unwrap_or_else(|| (b.meta.answered as f64 / p.max(1.0)).max(1.0));
                        let left_calls = ((100.0 - p).max(0.5) * per_percent).max(1.0);
                        let interval = Duration::from_secs_f64((3600.0 / left_calls).min(3600.0));
                        if now < last + interval {
                            return Decision::Until(last + interval);
                        }
                    }
                }
            }
            ApiFamily::YouTube => {
                let cost = youtube_cost(key);
                if cost > 0 && youtube_quota_used(b.quota).saturating_add(cost) > cfg.youtube_daily_units {
                    // The day's units are spent: nothing more until midnight Pacific Time.
                    return Decision::Until(youtube_reset_instant());
                }
            }
            // Bluesky and Reddit pace on their header windows above, like X.
            ApiFamily::X | ApiFamily::Other | ApiFamily::Bluesky | ApiFamily::Reddit | ApiFamily::LinkedIn => {}
        }
        Decision::Go
    }

    /// Feeds the outcome of the request `permit` was for, and says whether to retry.
    /// `attempt` is 0 for the first send; `retryable` whether the request may be sent again
    /// (see [`is_read_request`]).
    ///
    /// Reads the rate-limit headers of any answer; a 429 or a Meta throttling code closes
    /// the budget until the reset / `Retry-After` / regain time (or a default pause), and
    /// is retried when that is within [`GovernorConfig::max_wait`]; 5xx answers, Meta
    /// transient codes (1, 2, `is_transient`) and transport errors are retried after a
    /// backoff, up to [`GovernorConfig::max_retries`] times.
    pub fn settle(
        &self,
        mut permit: Permit,
        outcome: Result<&Answer, &PlatformError>,
        attempt: u32,
        retryable: bool,
    ) -> Next {
        permit.settled = true;
        let now = Instant::now();
        let cfg = &self.config;
        let key = permit.key.clone();
        let mut next = Next::Done;
        {
            let mut state = self.lock();
            let b = state.budgets.entry(permit.budget.clone()).or_default();
            b.in_flight = b.in_flight.saturating_sub(1);
            b.probing = false;
            let mut transient = false;
            let mut throttled: Option<Duration> = None;
            let mut capped = false;
            match outcome {
                Ok(answer) => {
                    self.read_window(b, &permit, answer, now);
                    if key.api == ApiFamily::Meta {
                        self.read_meta_usage(b, &answer.headers, now);
                    }
                    let graph = if key.api == ApiFamily::Meta && !answer.is_success() {
                        parse_graph_error(&answer.body)
                    } else {
                        None
                    };
                    let meta_throttle = graph
                        .as_ref()
                        .and_then(|g| g.code)
                        .is_some_and(|c| matches!(c, 4 | 17 | 32 | 613 | 80001..=80014));
                    let youtube = if key.api == ApiFamily::YouTube && !answer.is_success() {
                        youtube_reason(&answer.body)
                    } else {
                        None
                    };
                    let youtube_throttle =
                        matches!(youtube.as_deref(), Some("rateLimitExceeded" | "userRateLimitExceeded"));
                    if matches!(youtube.as_deref(), Some("quotaExceeded" | "dailyLimitExceeded")) {
                        // The project's daily quota is spent: closed until midnight Pacific
                        // Time; retrying earlier only spends more (failed calls cost units).
                        self.rate_limited.fetch_add(1, Ordering::Relaxed);
                        b.quota = QuotaDay {
                            day: Some(youtube_today()),
                            used: cfg.youtube_daily_units,
                        };
                        let until = youtube_reset_instant();
                        b.blocked_until = Some(b.blocked_until.map_or(until, |t| t.max(until)));
                        warn_wait(
                            &key,
                            until.saturating_duration_since(now),
                            "YouTube daily quota exceeded",
                        );
                    } else if answer.status == 429 || meta_throttle || youtube_throttle {
                        capped = is_usage_capped(answer);
                        throttled = Some(self.throttle_wait(b, &key, answer, now));
                    } else {
                        let meta_transient = graph
                            .as_ref()
                            .is_some_and(|g| matches!(g.code, Some(1) | Some(2)) || g.is_transient == Some(true));
                        transient = answer.status >= 500 || meta_transient;
                        if answer.is_success() {
                            b.throttle_streak = 0;
                        }
                    }
                }
                Err(PlatformError::Transport { .. } | PlatformError::Timeout { .. }) => transient = true,
                Err(_) => {}
            }
            if let Some(wait) = throttled {
                self.rate_limited.fetch_add(1, Ordering::Relaxed);
                if !capped {
                    let until = now + wait;
                    b.blocked_until = Some(b.blocked_until.map_or(until, |t| t.max(until)));
                }
                warn_wait(&key, wait, "rate limited by the platform");
                if retryable && !capped && attempt < cfg.max_retries && wait <= cfg.max_wait {
                    next = Next::Retry(Duration::ZERO);
                }
            }
            let streak = state.failures.entry(key.clone()).or_insert(0);
            if transient {
                *streak += 1;
                if retryable && attempt < cfg.max_retries && *streak <= cfg.max_retries {
                    let retry_after = match outcome {
                        Ok(answer) => retry_after(&answer.headers),
                        Err(_) => None,
                    };
                    let delay = self.backoff(attempt).max(retry_after.unwrap_or_default());
                    if delay <= cfg.max_wait {
                        next = Next::Retry(delay);
                    }
                }
            } else if throttled.is_none() {
                *streak = 0;
            }
        }
        self.notify.notify_waiters();
        if let Next::Retry(delay) = next {
            self.retries.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(
                api = %key.api,
                endpoint = %key.endpoint,
                attempt = attempt + 1,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                "retrying a read request"
            );
        }
        next
    }

    /// Exponential backoff for retry `attempt` (0-based), from backon's jittered
    /// exponential schedule: half of `base · 2^attempt` (capped at `backoff_max`) fixed,
    /// and up to as much again at random, so `full / 2 ≤ delay ≤ full`.
    fn backoff(&self, attempt: u32) -> Duration {
        let cfg = &self.config;
        ExponentialBuilder::default()
            .with_min_delay(cfg.backoff_base / 2)
            .with_max_delay(cfg.backoff_max / 2)
            .with_factor(2.0)
            .with_jitter()
            .without_max_times()
            .build()
            .nth(usize::try_from(attempt).unwrap_or(usize::MAX))
            .unwrap_or(cfg.backoff_max)
            .min(cfg.backoff_max)
    }

    /// Updates the X-style window from `x-rate-limit-*` headers.
    fn read_window(&self, b: &mut Budget, permit: &Permit, answer: &Answer, now: Instant) {
        let Some(headers::RateWindow {
            limit,
            remaining,
            reset_unix,
            length,
        }) = rate_window(&answer.headers)
        else {
            if permit.key.api == ApiFamily::X && answer.status != 429 && b.window.is_none() {
                // Served without rate-limit headers (a proxy, a sandbox with limits off):
                // nothing to pace on.
                b.headerless = true;
            }
            return;
        };
        b.headerless = false;
        let remaining = if answer.status == 429 { 0 } else { i64::from(remaining) };
        // The budget left as the platform last reported it, per API family and endpoint
        // template (low cardinality: never a token or an id).
        metrics::gauge!(
            "alcance_rate_limit_remaining",
            "platform" => permit.key.api.as_str(),
            "endpoint" => permit.key.endpoint.clone()
        )
        .set(remaining as f64);
        let reset_at = instant_at_unix(reset_unix as f64).max(now);
        let candidate = Window {
            limit,
            length,
            reset_unix,
            reset_at,
            base_remaining: remaining,
            base_seq: permit.seq,
            base_in_flight: permit.in_flight_before,
        };
        b.window = Some(match b.window {
            Some(w) if reset_unix < w.reset_unix => w,
            Some(w) if reset_unix == w.reset_unix => {
                if answer.status == 429 || candidate.remaining(b.sent) > w.remaining(b.sent) {
                    candidate
                } else {
                    Window { limit, ..w }
                }
            }
            _ => candidate,
        });
    }

    /// Updates Meta usage from `X-App-Usage` / `X-Business-Use-Case-Usage`.
    fn read_meta_usage(&self, b: &mut Budget, headers: &HeaderMap, now: Instant) {
        b.meta.answered += 1;
        let Some(usage) = usage_from_headers(headers) else {
            return;
        };
        let p = usage.peak_percent();
        let m = &mut b.meta;
        match m.origin {
            Some((p0, _)) if p < p0 => m.origin = Some((p, m.answered)),
            Some((p0, n0)) if p - p0 >= 2.0 => {
                m.calls_per_percent = Some(((m.answered - n0) as f64 / (p - p0)).max(0.01));
            }
            Some(_) => {}
            None => m.origin = Some((p, m.answered)),
        }
        m.percent = Some(p);
        if p >= self.config.meta_hard_percent {
            let wait = usage
                .retry_after()
                .unwrap_or_else(|| self.default_pause(b.throttle_streak));
            let until = now + wait;
            b.blocked_until = Some(b.blocked_until.map_or(until, |t| t.max(until)));
            tracing::warn!(
                usage_percent = p,
                wait_s = wait.as_secs(),
                "Meta usage near its limit; pausing"
            );
        }
    }

    /// How long a rate-limited answer closes its budget.
    fn throttle_wait(&self, b: &mut Budget, key: &RequestKey, answer: &Answer, now: Instant) -> Duration {
        let cfg = &self.config;
        b.throttle_streak = b.throttle_streak.saturating_add(1);
        if let Some(d) = retry_after(&answer.headers) {
            return d;
        }
        if let Some(w) = rate_window(&answer.headers) {
            let at = instant_at_unix(w.reset_unix as f64) + cfg.reset_margin;
            return at.saturating_duration_since(now).max(cfg.reset_margin);
        }
        if key.api == ApiFamily::Meta {
            if let Some(d) = usage_from_headers(&answer.headers).and_then(|u| u.retry_after()) {
                return d;
            }
        }
        if key.api == ApiFamily::TikTok {
            return Duration::from_secs(60);
        }
        if key.api == ApiFamily::X {
            // No header says when: X's windows are 15 minutes (platform-apis.md §1.7), so
            // the budget is back at the latest one window later.
            return cfg.x_window;
        }
        if key.api == ApiFamily::Bluesky {
            // No header says when: Bluesky's windows are 5 minutes (3000 requests / 5 min,
            // bsky-docs rate-limits.md; platform-apis-more.md §5.3).
            return Duration::from_secs(300);
        }
        self.default_pause(b.throttle_streak)
    }

    /// [`GovernorConfig::default_pause`] doubled per rate-limited answer in a row, ≤ 1 h.
    fn default_pause(&self, streak: u32) -> Duration {
        let factor = 1u32.checked_shl(streak.saturating_sub(1).min(16)).unwrap_or(u32::MAX);
        self.config
            .default_pause
            .saturating_mul(factor)
            .min(Duration::from_secs(3600))
    }
}

/// How long a rate-limited answer's headers say to wait: `Retry-After`, or X's
/// `x-rate-limit-reset` (from now, at least one second); `None` when neither is sent.
pub(crate) fn retry_after_of(headers: &HeaderMap) -> Option<Duration> {
    if let Some(d) = retry_after(headers) {
        return Some(d);
    }
    let reset_unix = rate_window(headers)?.reset_unix;
    let ahead = reset_unix as f64 - wall_clock_unix();
    Some(Duration::from_secs_f64(ahead.clamp(1.0, 172_800.0)))
}

/// Logs a warning that `key`'s budget stays closed for `wait` (fields `api`, `endpoint`,
/// `token` (its label, never the secret), `wait_s`), with `what` as the message: the
/// governor's refusal and a platform's rate limit.
fn warn_wait(key: &RequestKey, wait: Duration, what: &str) {
    tracing::warn!(
        api = %key.api,
        endpoint = %key.endpoint,
        token = %key.token,
        wait_s = wait.as_secs(),
        "{what}"
    );
}

/// Milliseconds waited for a budget per API family, over the process (index
/// [`family_index`]); the counter below gets the whole seconds.
static WAITED_MS: [AtomicU64; 8] = [
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
];

fn family_index(api: ApiFamily) -> usize {
    match api {
        ApiFamily::X => 0,
        ApiFamily::Meta => 1,
        ApiFamily::TikTok => 2,
        ApiFamily::Other => 3,
        ApiFamily::YouTube => 4,
        ApiFamily::Bluesky => 5,
        ApiFamily::Reddit => 6,
        ApiFamily::LinkedIn => 7,
    }
}

/// The Data API units `key`'s request costs (`crate::youtube::quota_cost`; the governor
/// sees no method, and Alcance sends only `GET`s there); 0 for the Analytics API.
fn youtube_cost(key: &RequestKey) -> u32 {
    crate::youtube::quota_cost("GET", &key.endpoint)
}

/// Today in Pacific Time, on tokio's clock ([`wall_clock_unix`]).
fn youtube_today() -> chrono::NaiveDate {
    youtube_now()
        .with_timezone(&chrono_tz::America::Los_Angeles)
        .date_naive()
}

fn youtube_now() -> chrono::DateTime<chrono::Utc> {
    let secs = wall_clock_unix();
    chrono::DateTime::from_timestamp(secs.floor() as i64, 0).unwrap_or_else(chrono::Utc::now)
}

/// Units spent today (0 when the count is from an earlier Pacific-Time day).
fn youtube_quota_used(q: QuotaDay) -> u32 {
    if q.day == Some(youtube_today()) {
        q.used
    } else {
        0
    }
}

/// The tokio instant of the next midnight Pacific Time.
fn youtube_reset_instant() -> Instant {
    let reset = crate::youtube::next_quota_reset(youtube_now());
    instant_at_unix(reset.timestamp() as f64)
}

/// The first `error.errors[].reason` of a Google error body, if any.
fn youtube_reason(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get("error")?
        .get("errors")?
        .as_array()?
        .iter()
        .find_map(|e| e.get("reason").and_then(|r| r.as_str()).map(str::to_string))
}

/// Adds `waited` to `alcance_rate_limit_wait_seconds_total{platform}`. A counter holds whole
/// numbers, so the milliseconds are summed here and the counter grows by each whole second
/// the sum passes: short pacing waits add up instead of rounding to nothing.
fn count_wait_seconds(api: ApiFamily, waited: Duration) {
    let ms = u64::try_from(waited.as_millis()).unwrap_or(u64::MAX);
    let before = WAITED_MS[family_index(api)].fetch_add(ms, Ordering::Relaxed);
    let seconds = before.saturating_add(ms) / 1000 - before / 1000;
    if seconds > 0 {
        metrics::counter!("alcance_rate_limit_wait_seconds_total", "platform" => api.as_str()).increment(seconds);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let g = Governor::new();
        for attempt in 0..10 {
            let d = g.backoff(attempt);
            let full = Duration::from_millis(250)
                .saturating_mul(1 << attempt)
                .min(Duration::from_secs(30));
            assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?}");
        }
    }
}
