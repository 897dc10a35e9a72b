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

use crate::error::PlatformError;
use crate::http::Answer;
use crate::meta::{parse_graph_error, usage_from_headers};
use rand::Rng;
use reqwest::header::HeaderMap;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::Notify;
use tokio::time::Instant;

/// The API families whose budgets work differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ApiFamily {
    /// X API v2 (`/2/...`, `api.x.com`, `api.twitter.com`), and the Engagement API
    /// (`/insights/engagement/...`).
    X,
    /// Meta Graph API: Facebook Pages, Instagram, WhatsApp (`graph.facebook.com`,
    /// `graph.instagram.com`, paths starting with a `/vNN.N` version).
    Meta,
    /// TikTok Display API v2 (`/v2/...`) and API for Business (`/open_api/...`).
    TikTok,
    /// Anything else: only 429s and retries apply.
    Other,
}

impl ApiFamily {
    /// Lower-case name for logs: `x`, `meta`, `tiktok`, `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiFamily::X => "x",
            ApiFamily::Meta => "meta",
            ApiFamily::TikTok => "tiktok",
            ApiFamily::Other => "other",
        }
    }

    /// The family of a request to `host` and `path` (path without query). Real hosts are
    /// recognised by name; on any other host (the sandbox on 127.0.0.1) by path: `/2/` X,
    /// `/v2/` and `/open_api/` TikTok, `/vNN.N/` Meta, `/insights/engagement/` X.
    pub fn of(host: Option<&str>, path: &str) -> ApiFamily {
        let host = host.unwrap_or_default().to_ascii_lowercase();
        match host.as_str() {
            "api.x.com" | "api.twitter.com" | "data-api.x.com" | "data-api.twitter.com" => return ApiFamily::X,
            "graph.facebook.com" | "graph.instagram.com" => return ApiFamily::Meta,
            "open.tiktokapis.com" | "business-api.tiktok.com" => return ApiFamily::TikTok,
            _ => {}
        }
        if path.starts_with("/2/") || path.starts_with("/insights/engagement/") {
            ApiFamily::X
        } else if path.starts_with("/v2/") || path.starts_with("/open_api/") {
            ApiFamily::TikTok
        } else if path.split('/').nth(1).is_some_and(is_graph_version) {
            ApiFamily::Meta
        } else {
            ApiFamily::Other
        }
    }
}

impl fmt::Display for ApiFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `v25.0`-style Graph version segment.
fn is_graph_version(seg: &str) -> bool {
    seg.strip_prefix('v').is_some_and(|rest| {
        let mut parts = rest.split('.');
        matches!((parts.next(), parts.next(), parts.next()),
            (Some(a), Some(b), None) if !a.is_empty() && !b.is_empty()
                && a.chars().all(|c| c.is_ascii_digit()) && b.chars().all(|c| c.is_ascii_digit()))
    })
}

/// A token's fingerprint: the first 8 bytes of its SHA-256, as 16 lower-case hex
/// characters. Identifies a budget without holding the token; safe to log. Requests
/// without a token get the fingerprint `none`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenFingerprint(String);

impl TokenFingerprint {
    /// The fingerprint of `token`.
    pub fn of(token: &str) -> TokenFingerprint {
        let digest = Sha256::digest(token.as_bytes());
        TokenFingerprint(hex::encode(&digest[..8]))
    }

    /// The fingerprint of requests that carry no token.
    pub fn none() -> TokenFingerprint {
        TokenFingerprint("none".to_string())
    }

    /// The 16 hex characters (or `none`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TokenFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which budget a request draws on: API family, endpoint template and token fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestKey {
    /// The API family.
    pub api: ApiFamily,
    /// The path with ids replaced by placeholders (`/2/users/{id}/tweets`,
    /// `/2/users/by/username/{username}`, Graph `/{id}/insights` without the version,
    /// TikTok `/v2/video/list/`).
    pub endpoint: String,
    /// The token's fingerprint (from `Authorization: Bearer`, TikTok Business
    /// `Access-Token`, or the `access_token` query parameter).
    pub token: TokenFingerprint,
}

impl RequestKey {
    /// The key of a built request.
    pub fn of(request: &reqwest::Request) -> RequestKey {
        let url = request.url();
        let api = ApiFamily::of(url.host_str(), url.path());
        let token = request_token(request)
            .map(|t| TokenFingerprint::of(&t))
            .unwrap_or_else(TokenFingerprint::none);
        RequestKey {
            api,
            endpoint: endpoint_template(api, url.path()),
            token,
        }
    }

    /// The key whose budget this request draws on: the same key, except for Meta, where
    /// every endpoint of a token shares one budget (endpoint `*`).
    pub fn budget(&self) -> RequestKey {
        match self.api {
            ApiFamily::Meta => RequestKey {
                api: self.api,
                endpoint: "*".to_string(),
                token: self.token.clone(),
            },
            _ => self.clone(),
        }
    }
}

impl fmt::Display for RequestKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} (token {})", self.api, self.endpoint, self.token)
    }
}

/// The token a request carries, if any (never logged; only fingerprinted).
fn request_token(request: &reqwest::Request) -> Option<String> {
    let headers = request.headers();
    if let Some(auth) = headers
        .get(reqwest::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let t = auth
            .strip_prefix("Bearer ")
            .or_else(|| auth.strip_prefix("bearer "))
            .unwrap_or(auth)
            .trim();
        if !t.is_empty() {
            return Some(t.to_string());
        }
    }
    if let Some(t) = headers.get("access-token").and_then(|v| v.to_str().ok()) {
        if !t.trim().is_empty() {
            return Some(t.trim().to_string());
        }
    }
    request
        .url()
        .query_pairs()
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v.into_owned())
        .filter(|t| !t.is_empty())
}

/// The endpoint template of `path` for `api`: X user ids, usernames and post ids, and
/// Graph node ids become `{id}` / `{username}`; the Graph version segment is dropped.
pub fn endpoint_template(api: ApiFamily, path: &str) -> String {
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    let mut out: Vec<String> = Vec::with_capacity(segs.len());
    for (i, seg) in segs.iter().enumerate() {
        let prev = if i == 0 { None } else { segs.get(i - 1).copied() };
        let templ = match api {
            ApiFamily::X => match prev {
                Some("username") => Some("{username}"),
                Some("users") if *seg != "me" && *seg != "by" => Some("{id}"),
                Some("tweets") if !matches!(*seg, "search" | "counts" | "sample" | "firehose") => Some("{id}"),
                // `/2/` is the API version, not an id.
                _ if i > 0 && is_id(seg) => Some("{id}"),
                _ => None,
            },
            ApiFamily::Meta if i == 0 && is_graph_version(seg) => continue,
            ApiFamily::Meta if *seg != "me" && seg.chars().any(|c| c.is_ascii_digit()) => Some("{id}"),
            _ if is_id(seg) => Some("{id}"),
            _ => None,
        };
        out.push(templ.map(str::to_string).unwrap_or_else(|| (*seg).to_string()));
    }
    format!("/{}", out.join("/"))
}

/// A segment of digits (and `_`, as in Graph post ids `123_456`).
fn is_id(seg: &str) -> bool {
    !seg.is_empty() && seg.chars().any(|c| c.is_ascii_digit()) && seg.chars().all(|c| c.is_ascii_digit() || c == '_')
}

/// `true` for requests that only read and may be sent again: `GET`, `HEAD`, and the `POST`
/// reads TikTok `/v2/video/list/` and `/v2/video/query/` and the X Engagement API
/// `/insights/engagement/{totals,28hr,historical}`. A request whose body cannot be cloned
/// (a stream) is never retried.
pub fn is_read_request(request: &reqwest::Request) -> bool {
    let method = request.method();
    if method == reqwest::Method::GET || method == reqwest::Method::HEAD {
        return true;
    }
    if method != reqwest::Method::POST {
        return false;
    }
    let path = request.url().path().trim_end_matches('/');
    let reads = [
        "/v2/video/list",
        "/v2/video/query",
        "/insights/engagement/totals",
        "/insights/engagement/28hr",
        "/insights/engagement/historical",
    ];
    reads.iter().any(|r| path.ends_with(r))
}

/// The current time as Unix seconds (fractional): the system clock, shifted by however far
/// tokio's clock has been moved away from the real one. Outside tests that pause tokio's
/// clock the shift is zero; in such tests, wall-clock reset times then advance with
/// `tokio::time::advance` like every wait does.
pub fn wall_clock_unix() -> f64 {
    let system = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let tokio_now = Instant::now().into_std();
    let real_now = std::time::Instant::now();
    let shift = if tokio_now >= real_now {
        (tokio_now - real_now).as_secs_f64()
    } else {
        -(real_now - tokio_now).as_secs_f64()
    };
    system + shift
}

/// The tokio instant at which [`wall_clock_unix`] reads `unix` (now when that is past; at
/// most two days ahead).
fn instant_at_unix(unix: f64) -> Instant {
    let ahead = unix - wall_clock_unix();
    let now = Instant::now();
    if ahead.is_finite() && ahead > 0.0 {
        now + Duration::from_secs_f64(ahead.min(172_800.0))
    } else {
        now
    }
}

/// The governor's settings. [`Default`] gives the documented platform budgets.
#[derive(Debug, Clone, PartialEq)]
pub struct GovernorConfig {
    /// Extra wait after a window's `reset` time, for clock skew and whole-second resets
    /// (default 1 s).
    pub reset_margin: Duration,
    /// The longest the governor waits before a request; a request that would wait longer
    /// is not sent and fails with [`PlatformError::RateLimited`] (default 16 min: one X
    /// window and its margin).
    pub max_wait: Duration,
    /// Share of an X window's limit that may be sent at once at the start of a window,
    /// ratio 0–1 (default 0.1); the rest is released evenly over the window.
    pub burst_ratio: f64,
    /// Length of an X rate-limit window (15 min).
    pub x_window: Duration,
    /// TikTok requests allowed per endpoint and token in any 60 s (default 600).
    pub tiktok_per_minute: u32,
    /// Meta usage (percent 0–100) from which calls are spread over the hour (default 75).
    pub meta_soft_percent: f64,
    /// Meta usage (percent 0–100) at which calls stop until access returns (default 95).
    pub meta_hard_percent: f64,
    /// Pause after a rate-limited answer that says nothing about when to come back
    /// (default 60 s); doubles with each such answer in a row, up to 1 h.
    pub default_pause: Duration,
    /// Retries of one read request after 5xx, transport errors and 429s (default 3).
    pub max_retries: u32,
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
            meta_soft_percent: 75.0,
            meta_hard_percent: 95.0,
            default_pause: Duration::from_secs(60),
            max_retries: 3,
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
}

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
        let budget_key = key.budget();
        let started = Instant::now();
        loop {
            let now = Instant::now();
            let notified = self.notify.notified();
            let decision = {
                let mut state = self.lock();
                let b = state.budgets.entry(budget_key.clone()).or_default();
                let d = self.decide(key.api, b, now);
                if let Decision::Go = d {
                    let seq = b.sent;
                    let in_flight_before = b.in_flight;
                    b.sent += 1;
                    b.in_flight += 1;
                    b.last_send = Some(now);
                    if key.api == ApiFamily::TikTok {
                        b.recent.push_back(now);
                    }
                    drop(state);
                    self.sent.fetch_add(1, Ordering::Relaxed);
                    let waited = now.saturating_duration_since(started);
                    if !waited.is_zero() {
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
                    if wait > self.config.max_wait {
                        self.refused.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!(
                            api = %key.api,
                            endpoint = %key.endpoint,
                            token = %key.token,
                            wait_s = wait.as_secs(),
                            "rate-limit budget closed for longer than the governor waits; request not sent"
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

    fn decide(&self, api: ApiFamily, b: &mut Budget, now: Instant) -> Decision {
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
            let window_s = cfg.x_window.as_secs_f64().max(1.0);
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
            ApiFamily::X | ApiFamily::Other => {}
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
                    if answer.status == 429 || meta_throttle {
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
                Err(PlatformError::Transport { .. }) => transient = true,
                Err(_) => {}
            }
            if let Some(wait) = throttled {
                self.rate_limited.fetch_add(1, Ordering::Relaxed);
                if !capped {
                    let until = now + wait;
                    b.blocked_until = Some(b.blocked_until.map_or(until, |t| t.max(until)));
                }
                tracing::warn!(
                    api = %key.api,
                    endpoint = %key.endpoint,
                    token = %key.token,
                    wait_s = wait.as_secs(),
                    "rate limited by the platform"
                );
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

    /// Exponential backoff for retry `attempt` (0-based): `base · 2^attempt`, capped,
    /// half of it fixed and half random (jitter).
    fn backoff(&self, attempt: u32) -> Duration {
        let cfg = &self.config;
        let full = cfg
            .backoff_base
            .saturating_mul(1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX))
            .min(cfg.backoff_max);
        let half = full / 2;
        let jitter_ms = u64::try_from(half.as_millis()).unwrap_or(0);
        let jitter = if jitter_ms == 0 {
            0
        } else {
            rand::thread_rng().gen_range(0..=jitter_ms)
        };
        half + Duration::from_millis(jitter)
    }

    /// Updates the X-style window from `x-rate-limit-*` headers.
    fn read_window(&self, b: &mut Budget, permit: &Permit, answer: &Answer, now: Instant) {
        let Some((limit, remaining, reset_unix)) = x_rate_headers(&answer.headers) else {
            if permit.key.api == ApiFamily::X && answer.status != 429 && b.window.is_none() {
                // Served without rate-limit headers (a proxy, a sandbox with limits off):
                // nothing to pace on.
                b.headerless = true;
            }
            return;
        };
        b.headerless = false;
        let remaining = if answer.status == 429 { 0 } else { i64::from(remaining) };
        let reset_at = instant_at_unix(reset_unix as f64).max(now);
        let candidate = Window {
            limit,
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
        if let Some((_, _, reset_unix)) = x_rate_headers(&answer.headers) {
            let at = instant_at_unix(reset_unix as f64) + cfg.reset_margin;
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

/// `x-rate-limit-limit`, `x-rate-limit-remaining`, `x-rate-limit-reset` (Unix seconds), when
/// all three are present and numeric. Proxy headers without the dash are ignored.
fn x_rate_headers(headers: &HeaderMap) -> Option<(u32, u32, i64)> {
    let num = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok())
    };
    let limit = u32::try_from(num("x-rate-limit-limit")?).ok()?;
    let remaining = u32::try_from(num("x-rate-limit-remaining")?.max(0)).ok()?;
    let reset = num("x-rate-limit-reset")?;
    // Milliseconds sneak into some proxies' resets; Unix seconds are < 10^11.
    let reset = if reset > 100_000_000_000 { reset / 1000 } else { reset };
    Some((limit, remaining, reset))
}

/// `Retry-After` as seconds or an HTTP date, capped at one day.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    let secs = match v.parse::<f64>() {
        Ok(s) if s.is_finite() && s >= 0.0 => s,
        Ok(_) => return None,
        Err(_) => {
            let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
            (at.timestamp() as f64 - wall_clock_unix()).max(0.0)
        }
    };
    Some(Duration::from_secs_f64(secs.min(86_400.0)))
}

/// X answers 429 with a `usage-capped` problem when the monthly cap is spent: waiting for
/// the window does not help.
fn is_usage_capped(answer: &Answer) -> bool {
    let head = &answer.body[..answer.body.len().min(2048)];
    let text = String::from_utf8_lossy(head);
    text.contains("usage-capped") || text.contains("UsageCapExceeded")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_by_host_and_path() {
        assert_eq!(ApiFamily::of(Some("api.x.com"), "/2/users/me"), ApiFamily::X);
        assert_eq!(ApiFamily::of(Some("127.0.0.1"), "/2/users/me"), ApiFamily::X);
        assert_eq!(
            ApiFamily::of(Some("127.0.0.1"), "/v25.0/1784/insights"),
            ApiFamily::Meta
        );
        assert_eq!(ApiFamily::of(Some("graph.instagram.com"), "/me"), ApiFamily::Meta);
        assert_eq!(ApiFamily::of(Some("127.0.0.1"), "/v2/video/list/"), ApiFamily::TikTok);
        assert_eq!(
            ApiFamily::of(Some("127.0.0.1"), "/open_api/v1.3/business/get/"),
            ApiFamily::TikTok
        );
        assert_eq!(ApiFamily::of(Some("example.org"), "/health"), ApiFamily::Other);
    }

    #[test]
    fn templates_hide_ids_and_usernames() {
        assert_eq!(
            endpoint_template(ApiFamily::X, "/2/users/1580000000000000001/tweets"),
            "/2/users/{id}/tweets"
        );
        assert_eq!(
            endpoint_template(ApiFamily::X, "/2/users/by/username/ana_influencer"),
            "/2/users/by/username/{username}"
        );
        assert_eq!(endpoint_template(ApiFamily::X, "/2/users/me"), "/2/users/me");
        assert_eq!(endpoint_template(ApiFamily::X, "/2/users/jack"), "/2/users/{id}");
        assert_eq!(endpoint_template(ApiFamily::X, "/2/tweets"), "/2/tweets");
        assert_eq!(
            endpoint_template(ApiFamily::Meta, "/v25.0/17841400000000001/insights"),
            "/{id}/insights"
        );
        assert_eq!(endpoint_template(ApiFamily::Meta, "/v25.0/me"), "/me");
        assert_eq!(
            endpoint_template(ApiFamily::Meta, "/123_456/insights"),
            "/{id}/insights"
        );
        assert_eq!(
            endpoint_template(ApiFamily::TikTok, "/v2/video/list/"),
            "/v2/video/list/"
        );
    }

    #[test]
    fn fingerprints_never_hold_the_token() {
        let token = "sbx_x_0123456789abcdef0123456789abcdef";
        let fp = TokenFingerprint::of(token);
        assert_eq!(fp.as_str().len(), 16);
        assert!(!token.contains(fp.as_str()) && !fp.as_str().contains("sbx"));
        assert_eq!(fp, TokenFingerprint::of(token));
        assert_ne!(fp, TokenFingerprint::of("another"));
    }

    #[test]
    fn keys_come_from_every_token_carrier() {
        let client = reqwest::Client::new();
        let bearer = client
            .get("http://127.0.0.1:1/2/users/42/tweets")
            .bearer_auth("tok-a")
            .build()
            .expect("request");
        let k = RequestKey::of(&bearer);
        assert_eq!(
            (k.api, k.endpoint.as_str(), k.token.clone()),
            (ApiFamily::X, "/2/users/{id}/tweets", TokenFingerprint::of("tok-a"))
        );
        let query = client
            .get("http://127.0.0.1:1/v25.0/17841/media?access_token=tok-b&limit=25")
            .build()
            .expect("request");
        let k = RequestKey::of(&query);
        assert_eq!(k.token, TokenFingerprint::of("tok-b"));
        assert_eq!(k.budget().endpoint, "*");
        let business = client
            .get("https://business-api.tiktok.com/open_api/v1.3/business/get/")
            .header("Access-Token", "tok-c")
            .build()
            .expect("request");
        assert_eq!(RequestKey::of(&business).token, TokenFingerprint::of("tok-c"));
        let anonymous = client.get("http://127.0.0.1:1/2/users/me").build().expect("request");
        assert_eq!(RequestKey::of(&anonymous).token, TokenFingerprint::none());
        assert!(!format!("{k}").contains("tok-"));
    }

    #[test]
    fn reads_are_get_and_the_listed_posts() {
        let client = reqwest::Client::new();
        let req = |m: reqwest::Method, u: &str| client.request(m, u).build().expect("request");
        assert!(is_read_request(&req(reqwest::Method::GET, "http://h/2/users/me")));
        assert!(is_read_request(&req(
            reqwest::Method::POST,
            "http://h/v2/video/list/?fields=id"
        )));
        assert!(is_read_request(&req(reqwest::Method::POST, "http://h/v2/video/query/")));
        assert!(is_read_request(&req(
            reqwest::Method::POST,
            "https://data-api.x.com/insights/engagement/28hr"
        )));
        assert!(!is_read_request(&req(
            reqwest::Method::POST,
            "http://h/v2/oauth/token/"
        )));
        assert!(!is_read_request(&req(reqwest::Method::POST, "http://h/2/oauth2/token")));
        assert!(!is_read_request(&req(reqwest::Method::DELETE, "http://h/2/users/me")));
    }

    #[test]
    fn header_parsing() {
        let mut h = HeaderMap::new();
        h.insert("x-rate-limit-limit", "900".parse().expect("header"));
        h.insert("x-rate-limit-remaining", "12".parse().expect("header"));
        assert_eq!(x_rate_headers(&h), None);
        h.insert("x-rate-limit-reset", "1665183228".parse().expect("header"));
        assert_eq!(x_rate_headers(&h), Some((900, 12, 1_665_183_228)));
        h.insert("x-rate-limit-remaining", "lots".parse().expect("header"));
        assert_eq!(x_rate_headers(&h), None);
        let mut r = HeaderMap::new();
        r.insert("retry-after", "120".parse().expect("header"));
        assert_eq!(retry_after(&r), Some(Duration::from_secs(120)));
        r.insert("retry-after", "soon".parse().expect("header"));
        assert_eq!(retry_after(&r), None);
        r.insert("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT".parse().expect("header"));
        assert_eq!(retry_after(&r), Some(Duration::ZERO));
    }

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
