//! Rate limits on the real clock: X's 15-minute windows per (token, endpoint), TikTok's
//! sliding minute per (token, endpoint) and Meta's hourly usage percentages. The sandbox
//! clock never moves these windows (moving it forward by 15 minutes or more resets them).
//! "Real" is tokio's clock, so a test that pauses it (`tokio::time::pause`) runs a
//! simulated day of windows, `x-rate-limit-reset` included; limits can be switched off
//! for benchmarks ([`SandboxState::set_limits_enabled`](crate::SandboxState::set_limits_enabled)).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

// Windows follow tokio's clock (the real monotonic clock, unless a test paused and advanced
// it), so tests can run a simulated day of rate limits with `tokio::time::pause()`.
use tokio::time::Instant;

use serde_json::json;

/// Length of an X rate-limit window (15 minutes).
pub const X_WINDOW: Duration = Duration::from_secs(15 * 60);

/// `x-rate-limit-limit` / `-remaining` sent while limits are switched off.
pub const UNLIMITED: u32 = 1_000_000;

/// Calls per hour that make Meta's usage headers read 100 %.
pub const META_HOURLY_BUDGET: u64 = 4_800;

/// TikTok's documented limit: requests per sliding minute per endpoint (here per access
/// token and endpoint).
pub const TIKTOK_PER_MINUTE: usize = 600;

/// The X endpoints the sandbox limits, with their documented per-user limits per 15 min.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum XEndpoint {
    /// `GET /2/users/me`: 75.
    UsersMe,
    /// `GET /2/users/:id`, `GET /2/users/by/username/:username`: 300.
    UsersLookup,
    /// `GET /2/users/:id/tweets`: 900.
    UserTweets,
    /// `GET /2/tweets`: 900.
    TweetsLookup,
    /// `GET /2/users/:id/mentions`: 450.
    UserMentions,
}

impl XEndpoint {
    /// Requests allowed per window.
    pub(crate) fn limit(self) -> u32 {
        match self {
            XEndpoint::UsersMe => 75,
            XEndpoint::UsersLookup => 300,
            XEndpoint::UserTweets | XEndpoint::TweetsLookup => 900,
            XEndpoint::UserMentions => 450,
        }
    }
}

/// The state of one window after a request was counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RateVerdict {
    /// `x-rate-limit-limit`.
    pub limit: u32,
    /// `x-rate-limit-remaining` after this request.
    pub remaining: u32,
    /// `x-rate-limit-reset`: Unix seconds when the window ends.
    pub reset: i64,
    /// `false` when the window was already exhausted (answer 429).
    pub allowed: bool,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    reset_unix: i64,
    used: u64,
}

impl Window {
    fn fresh(len: Duration) -> Window {
        Window {
            started: Instant::now(),
            // The window ends at `started + len`; the header says the whole second at or
            // after that moment, so a client waiting for `reset` never finds it still closed.
            reset_unix: (unix_now_f64() + len.as_secs_f64()).ceil() as i64,
            used: 0,
        }
    }

    fn roll(&mut self, len: Duration) {
        if self.started.elapsed() >= len {
            *self = Window::fresh(len);
        }
    }
}

fn unix_now() -> i64 {
    unix_now_f64().floor() as i64
}

/// Unix seconds on the sandbox's rate-limit clock: the system time, shifted by however far
/// tokio's clock was moved away from the real one (zero unless a test paused and advanced
/// tokio's clock), so `x-rate-limit-reset` agrees with the windows.
fn unix_now_f64() -> f64 {
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

/// Every window the sandbox keeps.
#[derive(Debug, Default)]
pub(crate) struct Limits {
    x: Mutex<HashMap<(String, XEndpoint), Window>>,
    meta: Mutex<MetaUsage>,
    tiktok: Mutex<HashMap<(String, &'static str), VecDeque<Instant>>>,
    /// `true` when limits are switched off ([`SandboxState::set_limits_enabled`]).
    disabled: AtomicBool,
}

#[derive(Debug, Default)]
struct MetaUsage {
    app: Option<Window>,
    business: HashMap<String, Window>,
}

/// Meta usage header values after a call was counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MetaHeaders {
    /// `X-App-Usage` JSON.
    pub app_usage: String,
    /// `X-Business-Use-Case-Usage` JSON.
    pub business_usage: String,
}

fn percent(calls: u64) -> u64 {
    (calls * 100).div_ceil(META_HOURLY_BUDGET)
}

impl Limits {
    /// Counts one X request by `token` on `endpoint`.
    pub(crate) fn take_x(&self, token: &str, endpoint: XEndpoint) -> RateVerdict {
        if self.disabled.load(Ordering::Relaxed) {
            return RateVerdict {
                limit: UNLIMITED,
                remaining: UNLIMITED,
                reset: unix_now() + X_WINDOW.as_secs() as i64,
                allowed: true,
            };
        }
        let mut map = self.x.lock().unwrap_or_else(PoisonError::into_inner);
        let w = map
            .entry((token.to_string(), endpoint))
            .or_insert_with(|| Window::fresh(X_WINDOW));
        w.roll(X_WINDOW);
        let limit = endpoint.limit();
        let allowed = w.used < u64::from(limit);
        if allowed {
            w.used += 1;
        }
        RateVerdict {
            limit,
            remaining: limit.saturating_sub(w.used.min(u64::from(limit)) as u32),
            reset: w.reset_unix,
            allowed,
        }
    }

    /// Counts one Graph API call against the app and the business object `business_id`
    /// (the Instagram account), and returns the usage headers: percentages of
    /// [`META_HOURLY_BUDGET`] used in the current hour (may exceed 100; never enforced).
    pub(crate) fn take_meta(&self, business_id: &str) -> MetaHeaders {
        self.take_meta_as(business_id, "instagram")
    }

    /// [`Limits::take_meta`] for a business object of another `kind` (`"pages"`,
    /// `"whatsapp_business_management"`), the `type` of `X-Business-Use-Case-Usage`.
    pub(crate) fn take_meta_as(&self, business_id: &str, kind: &str) -> MetaHeaders {
        const HOUR: Duration = Duration::from_secs(3600);
        if self.disabled.load(Ordering::Relaxed) {
            return MetaHeaders {
                app_usage: json!({"call_count": 0, "total_cputime": 0, "total_time": 0}).to_string(),
                business_usage: json!({ business_id: [{
                    "type": kind, "call_count": 0, "total_cputime": 0, "total_time": 0,
                    "estimated_time_to_regain_access": 0,
                }]})
                .to_string(),
            };
        }
        let mut u = self.meta.lock().unwrap_or_else(PoisonError::into_inner);
        let app = u.app.get_or_insert_with(|| Window::fresh(HOUR));
        app.roll(HOUR);
        app.used += 1;
        let app_pct = percent(app.used);
        let b = u
            .business
            .entry(business_id.to_string())
            .or_insert_with(|| Window::fresh(HOUR));
        b.roll(HOUR);
        b.used += 1;
        let b_pct = percent(b.used);
        let regain = if b_pct >= 100 {
            (b.reset_unix - unix_now()).max(0).div_euclid(60) + 1
        } else {
            0
        };
        MetaHeaders {
            app_usage: json!({"call_count": app_pct, "total_cputime": app_pct / 2, "total_time": app_pct}).to_string(),
            business_usage: json!({ business_id: [{
                "type": kind,
                "call_count": b_pct,
                "total_cputime": b_pct / 2,
                "total_time": b_pct,
                "estimated_time_to_regain_access": regain,
            }]})
            .to_string(),
        }
    }

    /// Counts one TikTok request by `token` on `endpoint` in a sliding minute; `false` when
    /// [`TIKTOK_PER_MINUTE`] requests were already counted in the last 60 s (answer 429;
    /// refused requests are not counted).
    pub(crate) fn take_tiktok(&self, token: &str, endpoint: &'static str) -> bool {
        const MINUTE: Duration = Duration::from_secs(60);
        if self.disabled.load(Ordering::Relaxed) {
            return true;
        }
        let mut map = self.tiktok.lock().unwrap_or_else(PoisonError::into_inner);
        let times = map.entry((token.to_string(), endpoint)).or_default();
        while times.front().is_some_and(|t| t.elapsed() >= MINUTE) {
            times.pop_front();
        }
        if times.len() >= TIKTOK_PER_MINUTE {
            return false;
        }
        times.push_back(Instant::now());
        true
    }

    /// Forgets every window (`DELETE /__alcance/limits`).
    pub(crate) fn reset(&self) {
        self.tiktok.lock().unwrap_or_else(PoisonError::into_inner).clear();
        self.x.lock().unwrap_or_else(PoisonError::into_inner).clear();
        *self.meta.lock().unwrap_or_else(PoisonError::into_inner) = MetaUsage::default();
    }
}

impl crate::server::SandboxState {
    /// Switches rate limiting on (the default) or off. Off, X answers carry
    /// `x-rate-limit-limit` / `-remaining` of [`UNLIMITED`] and are never refused, Meta usage
    /// headers read 0 % and TikTok is never refused: for benchmarks of the collector itself.
    pub fn set_limits_enabled(&self, enabled: bool) {
        self.limits.disabled.store(!enabled, Ordering::Relaxed);
    }

    /// `true` unless limits were switched off.
    pub fn limits_enabled(&self) -> bool {
        !self.limits.disabled.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x_window_counts_down_then_refuses() {
        let l = Limits::default();
        let first = l.take_x("t", XEndpoint::UsersMe);
        assert_eq!((first.limit, first.remaining, first.allowed), (75, 74, true));
        for _ in 0..74 {
            assert!(l.take_x("t", XEndpoint::UsersMe).allowed);
        }
        let refused = l.take_x("t", XEndpoint::UsersMe);
        assert_eq!((refused.remaining, refused.allowed), (0, false));
        // Other tokens and endpoints have their own windows.
        assert!(l.take_x("u", XEndpoint::UsersMe).allowed);
        assert_eq!(l.take_x("t", XEndpoint::UsersLookup).remaining, 299);
    }

    #[test]
    fn meta_usage_grows() {
        let l = Limits::default();
        let h = l.take_meta("1");
        assert!(h.app_usage.contains("\"call_count\":1"));
        for _ in 0..99 {
            l.take_meta("1");
        }
        let h = l.take_meta("1");
        assert!(h.app_usage.contains("\"call_count\":3"), "{}", h.app_usage);
        assert!(h.business_usage.contains("\"type\":\"instagram\""));
    }
}
