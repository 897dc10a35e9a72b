//! Every decoding the WhatsApp client does, run on one answer: the body of the `whatsapp`
//! fuzz target and of its corpus replay in the tests (see [`crate::fuzzing`]). Each step
//! is the client's own: the same wire types, [`decode`] and `map` functions.

use super::client::map_groups;
use super::map;
use super::wire::{AnalyticsAnswer, GroupedAnswer, Groups, PhoneNumberNode, TemplateNode, WabaNode};
use crate::http::Answer;
use crate::meta::{self, decode, InsightsResult, RawPage};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde_json::Value;

/// Reads `answer` as each WhatsApp answer in turn (the Graph error, the WABA node, the
/// phone-number and template lists, messaging, conversation and pricing analytics,
/// template analytics, `/me`) and as a webhook delivery; the results are dropped. Never
/// panics.
pub(crate) fn decode_all(answer: &Answer, token: &SecretString, at: DateTime<Utc>) {
    let _ = meta::error_from_answer(answer, None);
    if let Ok(node) = decode::<WabaNode>(answer, token) {
        if let Some(w) = map::waba(node) {
            let _ = map::waba_profile(&w);
        }
    }
    if let Ok(page) = decode::<RawPage>(answer, token) {
        let _ = page.paging.as_ref().and_then(meta::next_page_params);
        let mut numbers = Vec::new();
        for raw in page.data {
            if let Some(n) = serde_json::from_value::<PhoneNumberNode>(raw.clone())
                .ok()
                .and_then(map::phone_number)
            {
                numbers.push(n);
            }
            let _ = serde_json::from_value::<TemplateNode>(raw).ok().and_then(map::template);
        }
        let _ = super::phone_number_slices(&numbers, at);
    }
    let mut out = InsightsResult::default();
    if let Ok(a) = decode::<AnalyticsAnswer>(answer, token) {
        if let Some(a) = a.analytics {
            map::message_points(&a.data_points, &mut out);
        }
    }
    if let Ok(a) = decode::<GroupedAnswer>(answer, token) {
        let groups = a.conversation_analytics.unwrap_or_default();
        map_groups(groups, "conversation_analytics", &mut out, |points, out| {
            let _ = map::conversation_points(points, out);
        });
        let groups = a.pricing_analytics.unwrap_or_default();
        map_groups(groups, "pricing_analytics", &mut out, map::pricing_points);
    }
    if let Ok(page) = decode::<Groups>(answer, token) {
        let points: Vec<Value> = page.data.into_iter().flat_map(|g| g.data_points).collect();
        map::template_points(&points, &mut out);
    }
    let _ = out.finish();
    if let Ok(v) = decode::<Value>(answer, token) {
        let _ = map::parse_webhook(&v);
    }
}
