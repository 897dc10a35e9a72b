//! Wall-clock reset times (Unix seconds in rate-limit headers) read against tokio's clock,
//! so tests that pause time see resets advance like every wait.

use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::time::Instant;

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
pub(super) fn instant_at_unix(unix: f64) -> Instant {
    let ahead = unix - wall_clock_unix();
    let now = Instant::now();
    if ahead.is_finite() && ahead > 0.0 {
        now + Duration::from_secs_f64(ahead.min(172_800.0))
    } else {
        now
    }
}
