//! The rate-limit headers the governor reads besides Meta's usage: X's `x-rate-limit-*`
//! window, the IETF draft's `ratelimit-*` window (Bluesky), `Retry-After` (seconds or an
//! HTTP date) and X's usage-cap answer.

use super::clock::wall_clock_unix;
use crate::http::Answer;
use reqwest::header::HeaderMap;
use std::time::{Duration, UNIX_EPOCH};

/// `x-rate-limit-limit`, `x-rate-limit-remaining`, `x-rate-limit-reset` (Unix seconds), when
/// all three are present and numeric. Proxy headers without the dash are ignored.
pub(super) fn x_rate_headers(headers: &HeaderMap) -> Option<(u32, u32, i64)> {
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

/// A rate-limit window read from an answer's headers: X's `x-rate-limit-*`, or else the
/// `ratelimit-*` headers of draft-polli-ratelimit-headers as Bluesky sends them
/// (`ratelimit-limit: 3000`, `ratelimit-remaining: 2997`, `ratelimit-reset: 1747676784`,
/// `ratelimit-policy: 3000;w=300`; bsky-docs `advanced-guides/rate-limits.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct RateWindow {
    /// Requests allowed in the window.
    pub limit: u32,
    /// Requests left.
    pub remaining: u32,
    /// When the window resets, Unix seconds.
    pub reset_unix: i64,
    /// The window's length when the policy says (`w=300` → 300 s); `None`: the family's
    /// default (X's 15 minutes).
    pub length: Option<Duration>,
}

/// The window of `headers` (see [`RateWindow`]); `None` unless limit, remaining and reset
/// are all present and numeric.
pub(super) fn rate_window(headers: &HeaderMap) -> Option<RateWindow> {
    if let Some((limit, remaining, reset_unix)) = x_rate_headers(headers) {
        return Some(RateWindow {
            limit,
            remaining,
            reset_unix,
            length: None,
        });
    }
    if let Some(window) = reddit_window(headers) {
        return Some(window);
    }
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    // A list of several limits ("3000, 100") is read by its first item.
    let first = |name: &str| text(name).and_then(|v| v.split(',').next()).map(str::trim);
    let num = |name: &str| first(name).and_then(|v| v.parse::<i64>().ok());
    let limit = u32::try_from(num("ratelimit-limit")?).ok()?;
    let remaining = u32::try_from(num("ratelimit-remaining")?.max(0)).ok()?;
    let reset = num("ratelimit-reset")?;
    // Bluesky sends the reset as Unix seconds (recorded: 1747676784); the draft means
    // seconds from now. A value too small to be a date of this century is a delay.
    let reset_unix = if reset < 1_000_000_000 {
        (wall_clock_unix() as i64).saturating_add(reset.max(0))
    } else if reset > 100_000_000_000 {
        reset / 1000
    } else {
        reset
    };
    let length = first("ratelimit-policy")
        .and_then(|p| p.split(';').find_map(|part| part.trim().strip_prefix("w=")))
        .and_then(|w| w.trim().parse::<u64>().ok())
        .filter(|w| *w > 0)
        .map(Duration::from_secs);
    Some(RateWindow {
        limit,
        remaining,
        reset_unix,
        length,
    })
}

/// Reddit's window (platform-apis-more.md §2.3): `x-ratelimit-used` (requests counted),
/// `x-ratelimit-remaining` (a float, `"997.0"`) and `x-ratelimit-reset` (**seconds until**
/// the window resets, not a date). The limit is `used + remaining` (Reddit sends no limit
/// header); the window is 10 minutes (the documented averaging period; the recorded resets,
/// 31–586 s, fit it). `None` unless remaining and reset are present and numeric (`used`
/// missing counts as 0).
fn reddit_window(headers: &HeaderMap) -> Option<RateWindow> {
    let num = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|v| v.is_finite() && *v >= 0.0 && *v < 1.0e9)
    };
    let remaining = num("x-ratelimit-remaining")?;
    let reset = num("x-ratelimit-reset")?;
    let used = num("x-ratelimit-used").unwrap_or(0.0);
    let limit = (used + remaining).round().max(1.0) as u32;
    Some(RateWindow {
        limit,
        remaining: remaining.floor() as u32,
        reset_unix: (wall_clock_unix() + reset).ceil() as i64,
        length: Some(Duration::from_secs(600)),
    })
}

/// `Retry-After` as seconds or an HTTP date, capped at one day.
pub(super) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    let secs = match v.parse::<f64>() {
        Ok(s) if s.is_finite() && s >= 0.0 => s,
        Ok(_) => return None,
        Err(_) => {
            let at = httpdate::parse_http_date(v).ok()?.duration_since(UNIX_EPOCH).ok()?;
            (at.as_secs_f64() - wall_clock_unix()).max(0.0)
        }
    };
    Some(Duration::from_secs_f64(secs.min(86_400.0)))
}

/// X answers 429 with a `usage-capped` problem when the monthly cap is spent: waiting for
/// the window does not help.
pub(super) fn is_usage_capped(answer: &Answer) -> bool {
    let head = &answer.body[..answer.body.len().min(2048)];
    let text = String::from_utf8_lossy(head);
    text.contains("usage-capped") || text.contains("UsageCapExceeded")
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn reddit_ratelimit_headers_give_a_ten_minute_window_reset_from_now() {
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-remaining", "997.0".parse().expect("header"));
        h.insert("x-ratelimit-used", "3".parse().expect("header"));
        assert_eq!(rate_window(&h), None);
        h.insert("x-ratelimit-reset", "342".parse().expect("header"));
        let before = wall_clock_unix();
        let w = rate_window(&h).expect("window");
        assert_eq!(
            (w.limit, w.remaining, w.length),
            (1000, 997, Some(Duration::from_secs(600)))
        );
        assert!(w.reset_unix >= (before + 342.0) as i64 && w.reset_unix <= (wall_clock_unix() + 343.0) as i64);
        h.insert("x-ratelimit-remaining", "plenty".parse().expect("header"));
        assert_eq!(rate_window(&h), None);
    }

    #[test]
    fn bluesky_ratelimit_headers_give_a_window_with_its_length() {
        let mut h = HeaderMap::new();
        h.insert("ratelimit-limit", "3000".parse().expect("header"));
        h.insert("ratelimit-remaining", "2997".parse().expect("header"));
        assert_eq!(rate_window(&h), None);
        h.insert("ratelimit-reset", "1747676784".parse().expect("header"));
        h.insert("ratelimit-policy", "3000;w=300".parse().expect("header"));
        assert_eq!(
            rate_window(&h),
            Some(RateWindow {
                limit: 3000,
                remaining: 2997,
                reset_unix: 1_747_676_784,
                length: Some(Duration::from_secs(300)),
            })
        );
        // X's own headers win when both are present.
        h.insert("x-rate-limit-limit", "900".parse().expect("header"));
        h.insert("x-rate-limit-remaining", "1".parse().expect("header"));
        h.insert("x-rate-limit-reset", "1665183228".parse().expect("header"));
        assert_eq!(rate_window(&h).map(|w| (w.limit, w.length)), Some((900, None)));
    }
}
