//! How long a run may spend on one account and on itself, and when a rate-limited
//! account is collected again: the bounds that keep one slow or rate-limited account from
//! holding the run (issue 15).
//!
//! - **Account deadline**: every request of an account's collection obeys it (the HTTP
//!   layer neither sends, waits for budget nor retries past it); what arrived before is
//!   stored as a partial collection and the rest becomes a data gap.
//! - **Run deadline**: no account starts after it; the accounts left are `skipped` (they
//!   stay due, so the next scheduler pass takes them).
//! - **Rate-limit wait**: the longest a request waits for a closed rate-limit budget (a
//!   429's reset, an exhausted window) before the account is deferred instead.
//! - **Deferral** ([`rate_limit_deferral`]): after the platform's own reset when it said
//!   one, else after the window the platform documents (X 15 min, TikTok 1 min,
//!   platform-apis.md §1.7 / §6.1), else (Meta without usage headers) a capped exponential
//!   backoff.

use alcance_core::Platform;
use std::time::Duration;

/// The default [`RunLimits::account_deadline`]: 3 minutes.
pub const ACCOUNT_DEADLINE: Duration = Duration::from_secs(3 * 60);

/// The default [`RunLimits::run_deadline`]: 1 hour.
pub const RUN_DEADLINE: Duration = Duration::from_secs(60 * 60);

/// The default [`RunLimits::max_rate_wait`]: 30 seconds.
pub const MAX_RATE_WAIT: Duration = Duration::from_secs(30);

/// First backoff of a rate-limited account when nothing says for how long (60 s); doubles
/// per rate-limited collection in a row, up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_secs(60);

/// The longest backoff of a rate-limited account (1 hour).
pub const MAX_BACKOFF: Duration = Duration::from_secs(60 * 60);

/// The time limits of a run. Configurable per run through
/// [`RunControl::with_limits`](crate::RunControl::with_limits); written in the run's first
/// event (code `limits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunLimits {
    /// The longest one account's collection may take, from its first request (default
    /// [`ACCOUNT_DEADLINE`]).
    pub account_deadline: Duration,
    /// The longest the run may take, from its start (or resume); no account starts after
    /// it (default [`RUN_DEADLINE`]). `None`: no run deadline.
    pub run_deadline: Option<Duration>,
    /// The longest a request waits for a closed rate-limit budget before its account is
    /// deferred (default [`MAX_RATE_WAIT`]).
    pub max_rate_wait: Duration,
}

impl Default for RunLimits {
    fn default() -> Self {
        RunLimits {
            account_deadline: ACCOUNT_DEADLINE,
            run_deadline: Some(RUN_DEADLINE),
            max_rate_wait: MAX_RATE_WAIT,
        }
    }
}

impl RunLimits {
    /// The limits as a person reads them in the run's events: `account deadline 180 s, run
    /// deadline 3600 s, rate-limit wait 30 s`.
    pub fn describe(&self) -> String {
        format!(
            "account deadline {} s, run deadline {}, rate-limit wait {} s",
            self.account_deadline.as_secs(),
            self.run_deadline
                .map_or_else(|| "none".to_string(), |d| format!("{} s", d.as_secs())),
            self.max_rate_wait.as_secs()
        )
    }
}

/// How long to leave a rate-limited account of `platform` alone: `retry_after` when the
/// platform said it (`Retry-After`, `x-rate-limit-reset`, Meta's
/// `estimated_time_to_regain_access`), else the platform's documented window (X 15 min,
/// TikTok 1 min, Bluesky 5 min), else [`FIRST_BACKOFF`] doubled `streak` times (the account's earlier
/// rate-limited collections in a row), at most [`MAX_BACKOFF`]. Never under one second.
pub fn rate_limit_deferral(platform: Platform, retry_after: Option<Duration>, streak: u32) -> Duration {
    let wait = match (retry_after, platform) {
        (Some(d), _) => d,
        (None, Platform::X) => Duration::from_secs(15 * 60),
        (None, Platform::Tiktok) => Duration::from_secs(60),
        // Bluesky's PDS and AppView windows are 5 minutes (`ratelimit-policy: 3000;w=300`).
        (None, Platform::Bluesky) => Duration::from_secs(5 * 60),
        (None, _) => {
            let factor = 1u32.checked_shl(streak.min(16)).unwrap_or(u32::MAX);
            FIRST_BACKOFF.saturating_mul(factor).min(MAX_BACKOFF)
        }
    };
    wait.max(Duration::from_secs(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_platform_said_then_the_documented_window_then_capped_backoff() {
        let d = |p, r, s| rate_limit_deferral(p, r, s).as_secs();
        assert_eq!(d(Platform::X, Some(Duration::from_secs(17)), 3), 17);
        assert_eq!(d(Platform::X, None, 0), 900);
        assert_eq!(d(Platform::Tiktok, None, 5), 60);
        assert_eq!(d(Platform::Instagram, None, 0), 60);
        assert_eq!(d(Platform::Facebook, None, 2), 240);
        assert_eq!(d(Platform::Whatsapp, None, 30), 3600);
        // YouTube: `rateLimitExceeded` says nothing: back off; `quotaExceeded` says until
        // the Pacific-time midnight reset (the client's retry_after).
        assert_eq!(d(Platform::Youtube, None, 1), 120);
        assert_eq!(d(Platform::Youtube, Some(Duration::from_secs(8 * 3600)), 0), 8 * 3600);
        // LinkedIn: a 429 never says when (no headers): the default back-off, doubling.
        assert_eq!(d(Platform::Linkedin, None, 0), 60);
        assert_eq!(d(Platform::Linkedin, None, 3), 480);
        assert_eq!(d(Platform::Instagram, Some(Duration::ZERO), 0), 1);
        assert_eq!(
            RunLimits::default().describe(),
            "account deadline 180 s, run deadline 3600 s, rate-limit wait 30 s"
        );
    }
}
