//! The one HTTP layer every platform client goes through: it sends, archives each exchange
//! (scrubbed) into a [`Recorder`], and hands back status, headers and body.

use crate::error::PlatformError;
use crate::governor::{is_read_request, Governor, Next, RequestKey};
use alcance_core::RawExchange;
use backon::{ConstantBuilder, Retryable};
use chrono::Utc;
use reqwest::header::HeaderMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use url::Url;

/// Query parameters and headers whose values are secrets and never leave this process.
pub const SECRET_PARAMS: &[&str] = &[
    "access_token",
    "fb_exchange_token",
    "input_token",
    "client_secret",
    "appsecret_proof",
    "refresh_token",
    "code",
    "code_verifier",
    "app_secret",
    "auth_code",
];

/// Returns `url` as a string with every secret query value replaced by `REDACTED`.
pub fn scrub_url(url: &Url) -> String {
    let mut clean = url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let secret = SECRET_PARAMS.iter().any(|s| k.eq_ignore_ascii_case(s));
            (
                k.into_owned(),
                if secret { "REDACTED".to_string() } else { v.into_owned() },
            )
        })
        .collect();
    if pairs.is_empty() {
        clean.set_query(None);
    } else {
        clean.query_pairs_mut().clear().extend_pairs(pairs);
    }
    let _ = clean.set_password(None);
    clean.to_string()
}

/// Time limits the requests of one collection obey; the collector sets them for each
/// account ([`Recorder::with_limits`]). The default sets none (the governor's own limits
/// apply).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallLimits {
    /// No request is sent, waited for or retried past this instant (tokio's clock): later
    /// requests fail at once with [`PlatformError::Deadline`]. `None`: no deadline.
    pub deadline: Option<tokio::time::Instant>,
    /// The longest a request may wait for a rate-limit budget (a 429's reset, an exhausted
    /// window) before it gives up with [`PlatformError::RateLimited`] so the account can be
    /// deferred instead of holding the run. `None`: the governor's
    /// [`max_wait`](crate::governor::GovernorConfig::max_wait).
    pub max_rate_wait: Option<Duration>,
}

impl CallLimits {
    /// Time left before the deadline (zero once it passed); `None` without a deadline.
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(tokio::time::Instant::now()))
    }

    /// The longest a request may wait for budget now: the smaller of
    /// [`CallLimits::max_rate_wait`] and the time left before the deadline.
    pub fn wait_limit(&self) -> Option<Duration> {
        match (self.max_rate_wait, self.remaining()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// What the HTTP layer noticed during one collection, beyond the answers themselves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallNotes {
    /// A request was refused or abandoned because the deadline passed.
    pub deadline_hit: bool,
    /// A request ended rate-limited (a 429 handed back, or the budget closed longer than
    /// the request could wait).
    pub rate_limited: bool,
    /// A request was not sent because the run was stopped (cancelled or interrupted).
    pub stopped: bool,
    /// The longest wait an error answer named (`Retry-After`, `x-rate-limit-reset`) or a
    /// refused request was told, when one did: when the platform accepts calls again.
    pub retry_after: Option<Duration>,
    /// Requests that ended, after their retries, in a time-out or a server error (HTTP
    /// 5xx), and successful answers labelled JSON whose body is not whole JSON (cut short or
    /// garbled): failures that pass, so the collection is incomplete and worth repeating
    /// even when its client went on without that part.
    pub passing_failures: u32,
}

#[derive(Debug, Default)]
struct RecorderInner {
    exchanges: Mutex<Vec<RawExchange>>,
    limits: CallLimits,
    notes: Mutex<CallNotes>,
    /// `true` once the run is stopped: no further request is sent.
    stop: Option<tokio::sync::watch::Receiver<bool>>,
    /// `true` when the workspace has no consent for demographic data: clients skip their
    /// demographic calls ([`Recorder::audience_allowed`]).
    no_audience: std::sync::atomic::AtomicBool,
}

/// Collects the exchanges of one collection so the store can archive them in
/// `raw_responses`, even when the collection fails half-way; also carries the collection's
/// [`CallLimits`] to the HTTP layer and what it noticed ([`CallNotes`]). Cheap to clone
/// (shared).
#[derive(Debug, Clone, Default)]
pub struct Recorder(Arc<RecorderInner>);

impl Recorder {
    /// A new, empty recorder without limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// A new, empty recorder whose requests obey `limits`.
    pub fn with_limits(limits: CallLimits) -> Self {
        Recorder(Arc::new(RecorderInner {
            limits,
            ..RecorderInner::default()
        }))
    }

    /// A new, empty recorder whose requests obey `limits` and are no longer sent once
    /// `stop` reads `true` (the run was cancelled or interrupted): a request in flight
    /// ends, the next one fails with [`PlatformError::Stopped`].
    pub fn for_collection(limits: CallLimits, stop: tokio::sync::watch::Receiver<bool>) -> Self {
        Recorder(Arc::new(RecorderInner {
            limits,
            stop: Some(stop),
            ..RecorderInner::default()
        }))
    }

    /// Marks this collection as one without consent for demographic (audience) data: the
    /// clients skip their calls whose only answer is demographic (Instagram, Threads and
    /// LinkedIn follower demographics). Set before the collection starts.
    pub fn forbid_audience(&self) {
        self.0.no_audience.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// `false` when the workspace gave no consent for demographic data (see
    /// [`Recorder::forbid_audience`]); `true` by default.
    pub fn audience_allowed(&self) -> bool {
        !self.0.no_audience.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// `true` once the run this collection belongs to was stopped.
    pub fn is_stopped(&self) -> bool {
        self.0.stop.as_ref().is_some_and(|s| *s.borrow())
    }

    /// The limits the requests recorded here obey.
    pub fn limits(&self) -> CallLimits {
        self.0.limits
    }

    /// What the HTTP layer noticed so far.
    pub fn notes(&self) -> CallNotes {
        *self.0.notes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn note(&self, f: impl FnOnce(&mut CallNotes)) {
        f(&mut self.0.notes.lock().unwrap_or_else(PoisonError::into_inner));
    }

    /// Appends one exchange.
    pub fn push(&self, exchange: RawExchange) {
        if let Ok(mut v) = self.0.exchanges.lock() {
            v.push(exchange);
        }
    }

    /// Takes every exchange recorded so far, leaving the recorder empty.
    pub fn take(&self) -> Vec<RawExchange> {
        self.0
            .exchanges
            .lock()
            .map(|mut v| std::mem::take(&mut *v))
            .unwrap_or_default()
    }

    /// How many exchanges are held.
    pub fn len(&self) -> usize {
        self.0.exchanges.lock().map(|v| v.len()).unwrap_or(0)
    }

    /// `true` when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An HTTP answer, fully read.
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status code.
    pub status: u16,
    /// Response headers (rate-limit headers are read from here).
    pub headers: HeaderMap,
    /// Body bytes (transfer and content encodings already decoded).
    pub body: Vec<u8>,
    /// Path of the request without query, for error messages (`/2/users/me`).
    pub endpoint: String,
}

impl Answer {
    /// A header's value as text, when present and ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Parses the body as JSON into `T`; a malformed, truncated or non-JSON body (an HTML
    /// error page) becomes [`PlatformError::Decode`] naming the endpoint.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, PlatformError> {
        serde_json::from_slice(&self.body).map_err(|e| PlatformError::decode(&self.endpoint, e, &self.body))
    }

    /// `true` for a 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The shared HTTP client: a `reqwest::Client` with timeouts and a user agent, and
/// optionally the app's rate-limit [`Governor`] (shared by every clone).
#[derive(Debug, Clone)]
pub struct Http {
    client: reqwest::Client,
    governor: Option<Arc<Governor>>,
}

/// The default time a request may take from sending to the last body byte.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The default time to establish a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

impl Http {
    /// A client with a 30 s request timeout and 10 s connect timeout.
    pub fn new() -> Result<Self, PlatformError> {
        Self::with_timeouts(REQUEST_TIMEOUT, CONNECT_TIMEOUT)
    }

    /// A client whose requests time out after `request` (sending to the last body byte) and
    /// whose connections time out after `connect`. A timed-out request fails with
    /// [`PlatformError::Timeout`].
    pub fn with_timeouts(request: Duration, connect: Duration) -> Result<Self, PlatformError> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("Alcance/", env!("CARGO_PKG_VERSION")))
            .timeout(request)
            .connect_timeout(connect)
            .build()
            .map_err(|e| PlatformError::Transport { message: e.to_string() })?;
        Ok(Self { client, governor: None })
    }

    /// This client with `governor` consulted before every request (see
    /// [`Http::send`]). Share one governor between every `Http` of a workspace.
    pub fn with_governor(mut self, governor: Arc<Governor>) -> Self {
        self.governor = Some(governor);
        self
    }

    /// The governor, when one is attached.
    pub fn governor(&self) -> Option<&Arc<Governor>> {
        self.governor.as_ref()
    }

    /// The inner reqwest client, to build requests with.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends `request`, reads the whole body and records the exchange (URL scrubbed) into
    /// `recorder`. Any status is an `Ok(Answer)`: callers map error bodies themselves.
    ///
    /// With a [`Governor`] attached, the request first waits for its rate-limit budget, the
    /// answer's rate-limit headers are fed back, and read requests are retried after 5xx
    /// answers, transport errors and 429s (each attempt is recorded); the last answer is
    /// returned.
    ///
    /// The recorder's [`CallLimits`] bound every request: nothing is sent, awaited or
    /// retried past the deadline, and no rate-limit wait is longer than the limit allows. A
    /// timed-out read is retried at most [`GovernorConfig::max_timeout_retries`] times
    /// (a hanging endpoint is not worth four full time-outs).
    ///
    /// Errors: [`PlatformError::Transport`] when no answer arrived or the body broke off;
    /// [`PlatformError::Timeout`] when the answer did not come in time;
    /// [`PlatformError::Deadline`] past the recorder's deadline; with a governor,
    /// [`PlatformError::RateLimited`] when the budget stays closed longer than the request
    /// may wait (nothing was sent).
    ///
    /// [`GovernorConfig::max_timeout_retries`]: crate::governor::GovernorConfig::max_timeout_retries
    pub async fn send(&self, request: reqwest::RequestBuilder, recorder: &Recorder) -> Result<Answer, PlatformError> {
        let request = request
            .build()
            .map_err(|e| PlatformError::Transport { message: e.to_string() })?;
        let limits = recorder.limits();
        if recorder.is_stopped() {
            recorder.note(|n| n.stopped = true);
            return Err(PlatformError::Stopped {
                endpoint: request.url().path().to_string(),
            });
        }
        let result = self.send_within(request, recorder, limits).await;
        match &result {
            Err(PlatformError::Deadline { .. }) => recorder.note(|n| n.deadline_hit = true),
            Err(PlatformError::RateLimited { retry_after, .. }) => {
                let wait = *retry_after;
                recorder.note(|n| {
                    n.rate_limited = true;
                    n.retry_after = longest(n.retry_after, wait);
                });
            }
            Err(PlatformError::Timeout { .. }) => recorder.note(|n| n.passing_failures += 1),
            Ok(answer) if broken_json(answer) => recorder.note(|n| n.passing_failures += 1),
            Ok(answer) if !answer.is_success() => {
                let wait = crate::governor::retry_after_of(&answer.headers);
                recorder.note(|n| {
                    n.rate_limited |= answer.status == 429;
                    n.retry_after = longest(n.retry_after, wait);
                    if answer.status >= 500 {
                        n.passing_failures += 1;
                    }
                });
            }
            _ => {}
        }
        result
    }

    /// [`Http::send`] of a built request under `limits`.
    async fn send_within(
        &self,
        request: reqwest::Request,
        recorder: &Recorder,
        limits: CallLimits,
    ) -> Result<Answer, PlatformError> {
        let endpoint = request.url().path().to_string();
        let deadline_error = || PlatformError::Deadline {
            endpoint: endpoint.clone(),
        };
        if limits.remaining().is_some_and(|left| left.is_zero()) {
            return Err(deadline_error());
        }
        let Some(governor) = &self.governor else {
            return self.execute_until(request, recorder, limits).await;
        };
        let key = RequestKey::of(&request);
        let read = is_read_request(&request);
        let timeouts = AtomicU32::new(0);
        // backon drives the loop; the governor decides each time whether and when to send
        // again (its header-driven budgets, `Retry-After`, its own backoff and retry cap), so
        // the schedule backon is given only says "no limit of its own".
        let pending = Mutex::new(Some(request));
        let attempt = AtomicU32::new(0);
        let once = || async {
            let permit = match governor.acquire_within(&key, limits.wait_limit()).await {
                Ok(permit) => permit,
                Err(e) => return Ok(Err(e)),
            };
            if limits.remaining().is_some_and(|left| left.is_zero()) {
                return Ok(Err(deadline_error()));
            }
            let Some(current) = pending.lock().unwrap_or_else(PoisonError::into_inner).take() else {
                return Ok(Err(PlatformError::Transport {
                    message: format!("{}: the request could not be repeated", key.endpoint),
                }));
            };
            let spare = if read { current.try_clone() } else { None };
            let result = self.execute_until(current, recorder, limits).await;
            let n = attempt.fetch_add(1, Ordering::Relaxed);
            let timed_out = matches!(result, Err(PlatformError::Timeout { .. }));
            let timed_out_before = if timed_out {
                timeouts.fetch_add(1, Ordering::Relaxed)
            } else {
                0
            };
            // A JSON answer cut short or garbled on the way is retried like a failed
            // transfer; when the retries run out, the client gets it as it came.
            let broken = match &result {
                Ok(answer) if broken_json(answer) => Some(PlatformError::Transport {
                    message: format!("{}: the answer is not whole JSON", key.endpoint),
                }),
                _ => None,
            };
            let judged = match &broken {
                Some(e) => Err(e),
                None => result.as_ref(),
            };
            let next = governor.settle(permit, judged, n, spare.is_some());
            // A timed-out read is repeated at most `max_timeout_retries` times, and no retry
            // starts when its delay would end past the deadline.
            let next = match next {
                Next::Retry(_) if timed_out && timed_out_before >= governor.config().max_timeout_retries => Next::Done,
                Next::Retry(delay) if limits.remaining().is_some_and(|left| left <= delay) => Next::Done,
                next => next,
            };
            match (next, spare) {
                (Next::Retry(delay), Some(again)) => {
                    *pending.lock().unwrap_or_else(PoisonError::into_inner) = Some(again);
                    Err(Again { delay, result })
                }
                _ => Ok(result),
            }
        };
        match once
            .retry(
                ConstantBuilder::default()
                    .with_delay(Duration::ZERO)
                    .without_max_times(),
            )
            .sleep(tokio::time::sleep)
            .adjust(|again: &Again, _| Some(again.delay))
            .await
        {
            Ok(result) => result,
            // Unreachable while the schedule has no limit; the last answer is still the answer.
            Err(again) => again.result,
        }
    }

    /// One send, without the governor, abandoned at the deadline of `limits`.
    async fn execute_until(
        &self,
        request: reqwest::Request,
        recorder: &Recorder,
        limits: CallLimits,
    ) -> Result<Answer, PlatformError> {
        let Some(deadline) = limits.deadline else {
            return self.execute(request, recorder).await;
        };
        let method = request.method().to_string();
        let url = request.url().clone();
        match tokio::time::timeout_at(deadline, self.execute(request, recorder)).await {
            Ok(result) => result,
            Err(_) => {
                recorder.push(RawExchange {
                    method,
                    url: scrub_url(&url),
                    status: 0,
                    body: Vec::new(),
                    fetched_at: Utc::now(),
                });
                Err(PlatformError::Deadline {
                    endpoint: url.path().to_string(),
                })
            }
        }
    }

    /// One send, without the governor.
    async fn execute(&self, request: reqwest::Request, recorder: &Recorder) -> Result<Answer, PlatformError> {
        let method = request.method().to_string();
        let url = request.url().clone();
        let endpoint = url.path().to_string();
        let scrubbed = scrub_url(&url);
        let key = RequestKey::of(&request);
        let started = std::time::Instant::now();
        let result = self.execute_once(request, recorder, method, scrubbed, endpoint).await;
        observe_request(&key, result.as_ref().ok().map(|a| a.status), started.elapsed());
        result
    }

    /// [`Http::execute`] without the metrics.
    async fn execute_once(
        &self,
        request: reqwest::Request,
        recorder: &Recorder,
        method: String,
        scrubbed: String,
        endpoint: String,
    ) -> Result<Answer, PlatformError> {
        let result = self.client.execute(request).await;
        let response = match result {
            Ok(r) => r,
            Err(e) => {
                recorder.push(RawExchange {
                    method,
                    url: scrubbed,
                    status: 0,
                    body: Vec::new(),
                    fetched_at: Utc::now(),
                });
                if e.is_timeout() {
                    return Err(PlatformError::Timeout { endpoint });
                }
                return Err(PlatformError::Transport {
                    message: format!("{endpoint}: {}", without_url(&e)),
                });
            }
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = match response.bytes().await {
            Ok(b) => b.to_vec(),
            Err(e) => {
                recorder.push(RawExchange {
                    method,
                    url: scrubbed,
                    status,
                    body: Vec::new(),
                    fetched_at: Utc::now(),
                });
                if e.is_timeout() {
                    return Err(PlatformError::Timeout { endpoint });
                }
                return Err(PlatformError::Transport {
                    message: format!("{endpoint}: body broke off: {}", without_url(&e)),
                });
            }
        };
        recorder.push(RawExchange {
            method,
            url: scrubbed,
            status,
            body: body.clone(),
            fetched_at: Utc::now(),
        });
        Ok(Answer {
            status,
            headers,
            body,
            endpoint,
        })
    }
}

/// `true` for a successful answer labelled JSON whose body is not whole JSON: cut short
/// (the connection dropped after the headers, a proxy truncated it) or garbled on the way.
fn broken_json(answer: &Answer) -> bool {
    answer.is_success() && !answer.body.is_empty() && declares_json(&answer.headers) && !is_whole_json(&answer.body)
}

/// `true` when the answer says its body is JSON (`application/json`, `…+json`,
/// `text/javascript` as the Graph API sometimes labels it).
fn declares_json(headers: &HeaderMap) -> bool {
    headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.to_ascii_lowercase())
        .is_some_and(|v| v.contains("json") || v.starts_with("text/javascript"))
}

/// `true` when `body` is one complete JSON value (whatever its shape).
fn is_whole_json(body: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok()
}

/// Counts one sent request in `alcance_api_requests_total{platform,endpoint,status}` and its
/// time in the histogram `alcance_api_request_duration_seconds{platform,endpoint}`.
/// `platform` is the API family (`x`, `meta`, `tiktok`, `other`), `endpoint` the templated
/// path of [`RequestKey`] (ids replaced, so few values), `status` the HTTP status or
/// `transport` when no whole answer came (refused connection, timeout, broken body).
fn observe_request(key: &RequestKey, status: Option<u16>, took: Duration) {
    let status = status.map_or_else(|| "transport".to_string(), |s| s.to_string());
    metrics::counter!(
        "alcance_api_requests_total",
        "platform" => key.api.as_str(),
        "endpoint" => key.endpoint.clone(),
        "status" => status
    )
    .increment(1);
    metrics::histogram!(
        "alcance_api_request_duration_seconds",
        "platform" => key.api.as_str(),
        "endpoint" => key.endpoint.clone()
    )
    .record(took.as_secs_f64());
}

/// An attempt the governor wants repeated after `delay`, with what it got (returned as is
/// should the retry loop ever stop first).
struct Again {
    delay: Duration,
    result: Result<Answer, PlatformError>,
}

/// The longer of two known waits.
fn longest(a: Option<Duration>, b: Option<Duration>) -> Option<Duration> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// reqwest errors print the URL, which may carry a token: print the error without it.
fn without_url(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    if let Some(url) = e.url() {
        msg = msg.replace(url.as_str(), &scrub_url(url));
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_removes_every_secret_and_keeps_the_rest() {
        let url = Url::parse("https://graph.facebook.com/v25.0/me?fields=id&access_token=EAAB123&appsecret_proof=abc")
            .expect("url");
        let s = scrub_url(&url);
        assert!(!s.contains("EAAB123") && !s.contains("abc"), "{s}");
        assert!(s.contains("fields=id") && s.contains("access_token=REDACTED"), "{s}");
    }
}
