//! Every decoding the Instagram client does, run on one answer: the body of the
//! `instagram` fuzz target and of its corpus replay in the tests (see [`crate::fuzzing`]).
//! Each step is the client's own: the same wire types, [`decode`] and `map` functions.

use super::client::DAY_TOTAL_METRICS;
use super::map;
use super::wire::{DiscoveryAnswer, ListPage, MediaNode, UserNode};
use crate::http::Answer;
use crate::meta::{self, decode, insights, InsightsResult, MetricMemory};
use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;

/// Reads `answer` as each Instagram answer in turn (the Graph error, a user node, business
/// discovery, a media node, `/media` and `/stories` pages, account, day-total, audience
/// and media insights); the results are dropped. Never panics.
pub(crate) fn decode_all(answer: &Answer, token: &SecretString, at: DateTime<Utc>) {
    let _ = meta::error_from_answer(answer, Some("reach"));
    if let Ok(node) = decode::<UserNode>(answer, token) {
        let _ = map::profile(&node);
        let _ = map::profile_metrics(&node, at);
    }
    if let Ok(body) = decode::<DiscoveryAnswer>(answer, token) {
        let node = body.business_discovery.unwrap_or_default();
        let _ = map::profile(&node.user);
        let _ = map::profile_metrics(&node.user, at);
        for raw in node.media.map(|p| p.data).unwrap_or_default() {
            let _ = serde_json::from_value::<MediaNode>(raw)
                .ok()
                .and_then(|n| map::media_item(n, false));
        }
    }
    if let Ok(node) = decode::<MediaNode>(answer, token) {
        let _ = map::media_item(node, false);
    }
    if let Ok(page) = decode::<ListPage>(answer, token) {
        let _ = page.paging.as_ref().and_then(meta::next_page_params);
        for raw in page.data {
            for in_stories in [false, true] {
                let _ = serde_json::from_value::<MediaNode>(raw.clone())
                    .ok()
                    .and_then(|n| map::media_item(n, in_stories));
            }
        }
    }
    if let Ok((entries, _)) = insights::entries(answer, token, &answer.endpoint) {
        let mut memory = MetricMemory::new();
        let mut out = InsightsResult::default();
        let requested: Vec<String> = DAY_TOTAL_METRICS.iter().map(|m| m.to_string()).collect();
        map::series(&entries, "1", &mut memory, &mut out);
        map::day_totals(
            &entries,
            &requested,
            (at, at + Duration::days(1)),
            "1",
            &mut memory,
            &mut out,
        );
        map::audience_slices(&entries, "this_month", &mut out);
        map::post_metrics(&entries, &requested, "2", &mut memory, &mut out);
        map::navigation_breakdown(&entries, "2", &mut memory, &mut out);
        let _ = out.finish();
    }
}
