//! Every decoding the Threads client does, run on one answer: the body of the `threads`
//! fuzz target and of its corpus replay in the tests (see [`crate::fuzzing`]). Each step
//! is the client's own: the public decoders, `client::entries` and the `map` functions.

use super::client::{entries, MEDIA_METRICS, TOTAL_METRICS};
use super::map;
use crate::http::Answer;
use crate::meta::{InsightsResult, MetricMemory};
use alcance_core::Period;
use chrono::{DateTime, Duration, Utc};

/// Reads `answer` as each Threads answer in turn (the error, the profile, a `/threads`
/// page, a media node, media insights, follower count, views series, day totals and
/// demographics); the results are dropped. Never panics.
pub(crate) fn decode_all(answer: &Answer, at: DateTime<Utc>) {
    let _ = super::map_error(answer);
    let _ = super::decode_profile(answer);
    let _ = super::decode_threads_page(answer);
    let _ = super::decode_media_node(answer);
    let _ = super::decode_media_insights(answer, "1", &MEDIA_METRICS);
    if let Ok(entries) = entries(answer) {
        let mut memory = MetricMemory::new();
        let mut out = InsightsResult::default();
        let requested: Vec<String> = TOTAL_METRICS.iter().map(|m| m.to_string()).collect();
        let _ = map::followers(&entries, at);
        map::views_series(&entries, "1", &mut memory, &mut out);
        map::totals(
            &entries,
            &requested,
            (at, at + Duration::days(1)),
            Period::Day,
            "1",
            &mut memory,
            &mut out,
        );
        for breakdown in ["age", "gender", "country", "city"] {
            map::demographics(&entries, breakdown, "this_month", &mut out);
        }
        let _ = out.finish();
    }
}
