//! Every decoding the Facebook client does, run on one answer: the body of the `facebook`
//! fuzz target and of its corpus replay in the tests (see [`crate::fuzzing`]). Each step
//! is the client's own: the same wire types, [`decode`] and `map` functions.

use super::client::{POST_METRICS, VIDEO_METRICS};
use super::map;
use super::wire::{AccountNode, PageNode, PostNode, UserNode, VideoNode};
use crate::http::Answer;
use crate::meta::{self, decode, insights, InsightsResult, MetricMemory, RawPage};
use chrono::{DateTime, Utc};
use secrecy::SecretString;

/// Reads `answer` as each Facebook answer in turn (the Graph error, `/me`, a page node,
/// `/me/accounts`, `/posts` and `/videos` list pages, page and lifetime insights); the
/// results are dropped. Never panics.
pub(crate) fn decode_all(answer: &Answer, token: &SecretString, at: DateTime<Utc>) {
    let _ = meta::error_from_answer(answer, Some("page_media_view"));
    if let Ok(node) = decode::<UserNode>(answer, token) {
        let _ = map::user_profile(&node);
    }
    if let Ok(node) = decode::<PageNode>(answer, token) {
        let _ = map::page_profile(&node);
        let _ = map::page_metrics(&node, at);
    }
    if let Ok(page) = decode::<RawPage>(answer, token) {
        let _ = page.paging.as_ref().and_then(meta::next_page_params);
        for raw in page.data {
            let _ = serde_json::from_value::<AccountNode>(raw.clone())
                .ok()
                .and_then(map::page_access);
            let _ = serde_json::from_value::<PostNode>(raw.clone())
                .ok()
                .and_then(map::page_post);
            let _ = serde_json::from_value::<VideoNode>(raw).ok().and_then(map::page_video);
        }
    }
    if let Ok((entries, _)) = insights::entries(answer, token, &answer.endpoint) {
        let mut memory = MetricMemory::new();
        let mut out = InsightsResult::default();
        map::page_series(&entries, "1", &mut memory, &mut out);
        let requested: Vec<String> = POST_METRICS
            .iter()
            .chain(VIDEO_METRICS)
            .map(|m| m.to_string())
            .collect();
        map::lifetime_metrics(&entries, &requested, "1", &mut memory, &mut out);
        let _ = out.finish();
    }
}
