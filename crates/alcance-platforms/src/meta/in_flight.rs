//! Per-object insights calls of one collection (`GET /{post-id}/insights`,
//! `GET /{video-id}/video_insights`, `GET /{media-id}/insights`) several at a time, with
//! exactly the outcomes of the same calls made one after the other (issue 16 point 5).
//!
//! Meta serves these insights one object per call, so an account with 120 posts costs
//! 120 round trips; one after the other at 150 ms that is 18 s. [`each`] keeps up to
//! `limit` of them in flight and hands the outcomes back in the objects' order, as if each
//! call had seen the [`MetricMemory`] of every call before it:
//!
//! - **The very first call is made alone**, so that a permission refusal, a rate limit or
//!   a dead token costs one call, as one after the other. Then the first object of each
//!   other memory scope (a "probe": `post`, `video`, `media:feed`, ...) goes first, and
//!   the others of a scope only once its probe answered, so that a metric Meta removed is
//!   learned once and left out of every later call, as when the calls run one after the
//!   other.
//! - **Outcomes are merged in the objects' order.** A call runs with the memory merged so
//!   far; when, by the time its turn to merge comes, an earlier object of the same scope has
//!   learned a removed metric the call did not know, the call is made again with the
//!   memory it would have had (rare: a metric refused for some objects of a scope only).
//!   Unknown metric names are reported once, on the first object in order that names them.
//! - **A stopping outcome ends the calls** ([`post_stop`]: a rate limit, a usage cap, a network
//!   failure, a dead token, a permission refusal): no object after it is launched, calls in
//!   flight for objects after it are dropped (their requests cancelled), and the outcomes end
//!   with it. The rate-limit governor ([`crate::governor`]) is consulted before every call
//!   as always, so a 429 or a usage header near the cap answered to one call holds the calls
//!   of the others that have not been sent.
//!
//! The limit: [`INSIGHTS_IN_FLIGHT`] by default, per account; see its documentation for
//! why that number is within Meta's and Threads' rules.

use super::results::{InsightsResult, MetricMemory};
use crate::error::PlatformError;
use futures_util::stream::{FuturesUnordered, StreamExt};
use std::collections::{BTreeMap, HashSet};
use std::future::Future;

/// Most per-object insights calls of one account in flight at once, by default (each
/// client's `with_insights_in_flight` changes it; 1 makes the calls one after the other).
///
/// Why 12 is within the platforms' rules (platform-apis.md §2.3, platform-apis-more.md §4):
/// Meta's budgets count calls (and CPU time) per hour or per rolling 24 hours — the app's
/// `200 × DAU` calls an hour (`X-App-Usage`), the Business Use Case budgets of Pages
/// (`4800 × engaged users` a day) and Instagram (`4800 × impressions` a day), Threads'
/// `4800 × impressions` a day per app and user (at least 48,000) — and none limits how
/// many calls are open at once; Meta's own batch requests run up to 50 calls of one app
/// together. Calls in flight change when an account's 100–170 calls are made, not how
/// many. The governor still reads the usage headers of every answer: from 75 % used it
/// spaces the calls left over the hour (calls waiting to be sent wait their turn), at 95 %
/// or on a throttling code (4, 17, 32, 613, 80001–80014) it closes the budget, so after one
/// throttled answer at most `limit − 1` calls already sent still land. Kept small so the
/// app stays one polite client (12 connections to one host; HTTP/1.1, no HTTP/2 here):
/// 8 per-post calls at a time left the owned Facebook Page at 5.2 s in the per-account
/// bench; 12, with Instagram's and Threads' per-day calls in flight too, takes every owned
/// Meta and Threads account under the brief's 5 s (docs/PERFORMANCE.md, issue 16 point 5).
pub const INSIGHTS_IN_FLIGHT: usize = 12;

/// What one object's insights call gave.
pub(crate) type Outcome = Result<InsightsResult, PlatformError>;

/// What an outcome does to the calls after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// Nothing: the calls go on.
    Go,
    /// No further call of the same scope (a permission refusal or a missing object that
    /// ends one step, e.g. Instagram's per-day totals, while the others go on).
    Scope,
    /// No further call at all.
    All,
}

/// The rule of the per-post insights loops: a result marked `halted`, a permission
/// refusal (`Forbidden`: it repeats for every object), or an error that stops the account
/// (rate limit, usage cap, network, deadline, stopped run, refused token) ends every call.
pub(crate) fn post_stop(outcome: &Outcome) -> Stop {
    match outcome {
        Ok(r) if r.halted => Stop::All,
        Err(PlatformError::Forbidden { .. }) => Stop::All,
        Err(e) if e.stops_account() => Stop::All,
        _ => Stop::Go,
    }
}

/// The rule of a step's calls ([`absorb`](super::steps::absorb)): an error that stops the
/// account ends every call; a permission refusal or a missing object ends its scope.
pub(crate) fn step_stop(outcome: &Outcome) -> Stop {
    match outcome {
        Ok(r) if r.halted => Stop::All,
        Err(e) if e.stops_account() => Stop::All,
        Err(PlatformError::Forbidden { .. } | PlatformError::NotFound { .. }) => Stop::Scope,
        _ => Stop::Go,
    }
}

/// One finished call: the object's index, its outcome, the memory it ended with, the
/// removed metrics of its scope it started from, and whether it was a repeated call.
struct Done {
    index: usize,
    outcome: Outcome,
    memory: MetricMemory,
    started_with: Vec<String>,
    repeated: bool,
}

/// Runs `call` for the items of `items` with at most `limit` (at least 1) calls in flight
/// and returns the outcomes in the items' order, the same as calling them one after the
/// other with `memory` (the collection's, updated as it would have been) and honouring
/// `stop`: one entry per item up to and including the first outcome that stops
/// [`Stop::All`] (or every item), `None` for an item not asked because an earlier outcome
/// stopped its scope ([`Stop::Scope`]).
///
/// `scope(item)` is the [`MetricMemory`] scope of the item's calls (`post`, `media:reels`,
/// ...; removed metrics under `scope:` are what a call depends on). `call(item, memory)`
/// makes the item's calls with `memory` and hands back the outcome and that memory.
pub(crate) async fn each<'a, T, S, F, Fut>(
    items: &'a [T],
    limit: usize,
    memory: &mut MetricMemory,
    scope: S,
    stop: fn(&Outcome) -> Stop,
    call: F,
) -> Vec<Option<Outcome>>
where
    S: Fn(&T) -> &str,
    F: Fn(&'a T, MetricMemory) -> Fut,
    Fut: Future<Output = (Outcome, MetricMemory)>,
{
    let limit = limit.max(1);
    // Launch order: the first item of each scope (the probes), then the rest in order.
    let mut seen: HashSet<&str> = HashSet::new();
    let (probes, rest): (Vec<usize>, Vec<usize>) = (0..items.len()).partition(|&i| seen.insert(scope(&items[i])));
    let order: Vec<usize> = probes.iter().chain(rest.iter()).copied().collect();
    let probes: HashSet<usize> = probes.into_iter().collect();
    // Scopes whose probe has answered, and scopes an outcome merged so far stopped.
    let mut answered: HashSet<&str> = HashSet::new();
    let mut closed: HashSet<&str> = HashSet::new();

    let run = |index: usize, start: MetricMemory, repeated: bool| {
        let started_with: Vec<String> = start.removed_in(scope(&items[index])).map(str::to_string).collect();
        let fut = call(&items[index], start);
        async move {
            let (outcome, memory) = fut.await;
            Done {
                index,
                outcome,
                memory,
                started_with,
                repeated,
            }
        }
    };

    let mut out: Vec<Option<Outcome>> = Vec::with_capacity(items.len());
    let mut finished: BTreeMap<usize, Done> = BTreeMap::new();
    let mut in_flight = FuturesUnordered::new();
    // The removed metrics every answered call learned, whatever its turn: what a call
    // launched now starts from (without unknown names, so that it reports every one).
    let mut live = memory.without_unknown();
    let mut next = 0usize;
    while out.len() < items.len() {
        // Merge what is ready, in the items' order.
        while let Some(item) = items.get(out.len()) {
            let here = scope(item);
            if closed.contains(here) {
                // Not asked one after the other: an earlier outcome stopped its scope.
                finished.remove(&out.len());
                out.push(None);
                continue;
            }
            let Some(done) = finished.remove(&out.len()) else { break };
            if !done.repeated && memory.removed_in(here).ne(done.started_with.iter().map(String::as_str)) {
                // An earlier item of this scope learned a removed metric after this call
                // started: ask again with the memory the calls one after the other had.
                in_flight.push(run(done.index, memory.clone(), true));
                break;
            }
            let outcome = if done.repeated {
                *memory = done.memory;
                done.outcome
            } else {
                reconcile(done.outcome, &done.memory, here, memory)
            };
            let verdict = stop(&outcome);
            out.push(Some(outcome));
            match verdict {
                Stop::All => return out,
                Stop::Scope => {
                    closed.insert(here);
                }
                Stop::Go => {}
            }
        }
        if out.len() == items.len() {
            break;
        }
        // Launch while there is room: nothing beside the very first call until it answered
        // (a refusal, a rate limit or a dead token then costs one call, as one after the
        // other), never past an outcome waiting for its turn that stops what comes after
        // it, never an item whose scope's probe has not answered; an item of a scope
        // already stopped is not asked.
        while in_flight.len() < limit && next < order.len() {
            let i = order[next];
            let here = scope(&items[i]);
            if closed.contains(here) || i < out.len() {
                next += 1;
                continue;
            }
            let held = finished.values().any(|d| {
                d.index < i
                    && match stop(&d.outcome) {
                        Stop::All => true,
                        Stop::Scope => scope(&items[d.index]) == here,
                        Stop::Go => false,
                    }
            });
            let first_pending = next > 0 && answered.is_empty();
            if held || first_pending || (!probes.contains(&i) && !answered.contains(here)) {
                break;
            }
            in_flight.push(run(i, live.clone(), false));
            next += 1;
        }
        let Some(done) = in_flight.next().await else {
            // Nothing in flight and nothing launchable: cannot happen (the next item in
            // order is always launchable once everything before it merged); end here
            // rather than loop.
            break;
        };
        let here = scope(&items[done.index]);
        answered.insert(here);
        live.learn_removed_in(&done.memory, here);
        if done.index >= out.len() {
            finished.insert(done.index, done);
        }
    }
    out
}

/// Merges a call of an item of `scope` that started from the merged memory's removed
/// metrics of that scope: the removed metrics it learned in its scope join `memory`, and
/// its `unknown_metric` gaps stay only for names `memory` had not reported yet (the call
/// started without any, so it reports every name it met).
fn reconcile(outcome: Outcome, learned: &MetricMemory, scope: &str, memory: &mut MetricMemory) -> Outcome {
    let outcome = outcome.map(|mut r| {
        r.gaps
            .retain(|g| g.code != "unknown_metric" || memory.note_unknown(&g.what));
        r
    });
    memory.learn_removed_in(learned, scope);
    memory.learn_unknown(learned);
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use alcance_core::DataGap;
    use std::collections::HashSet;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    fn gap(what: &str, object: &str, code: &str) -> DataGap {
        DataGap {
            what: what.into(),
            object_id: object.into(),
            code: code.into(),
            detail: String::new(),
        }
    }

    /// A fake insights call of item `(id, scope)`: metric `gone` is refused in scope
    /// `reels` (learned once), every item names the unknown metric `odd`, item `stop` is
    /// rate-limited; items answer after a delay that makes later items finish first.
    async fn fake(item: &(&str, &str), mut memory: MetricMemory, calls: &AtomicUsize) -> (Outcome, MetricMemory) {
        let (id, scope) = *item;
        calls.fetch_add(1, Ordering::SeqCst);
        let delay = 5 + (id.len() as u64 * 7) % 13;
        tokio::time::sleep(Duration::from_millis(delay)).await;
        if id == "refused" {
            return (
                Err(PlatformError::Forbidden {
                    message: "no permission".into(),
                }),
                memory,
            );
        }
        if id == "stop" {
            return (
                Err(PlatformError::RateLimited {
                    retry_after: None,
                    message: "slow down".into(),
                }),
                memory,
            );
        }
        let mut r = InsightsResult::default();
        if scope == "reels" && !memory.is_removed(scope, "gone") && memory.mark_removed(scope, "gone") {
            r.gaps.push(gap("gone", id, "metric_removed"));
        }
        if memory.note_unknown("odd") {
            r.gaps.push(gap("odd", id, "unknown_metric"));
        }
        r.post_metrics.push(alcance_core::PostMetric {
            post_external_id: id.into(),
            metric: "views".into(),
            value: Some(1.0),
        });
        (Ok(r), memory)
    }

    /// The calls one after the other, as the clients' loops made them: an item of a
    /// stopped scope is not asked, a stopping outcome ends the loop.
    async fn one_by_one(
        items: &[(&'static str, &'static str)],
        stop: fn(&Outcome) -> Stop,
    ) -> (Vec<Option<Outcome>>, MetricMemory) {
        let calls = AtomicUsize::new(0);
        let mut memory = MetricMemory::new();
        let mut out = Vec::new();
        let mut closed = HashSet::new();
        for item in items {
            if closed.contains(item.1) {
                out.push(None);
                continue;
            }
            let (o, m) = fake(item, std::mem::take(&mut memory), &calls).await;
            memory = m;
            let verdict = stop(&o);
            out.push(Some(o));
            match verdict {
                Stop::All => break,
                Stop::Scope => {
                    closed.insert(item.1);
                }
                Stop::Go => {}
            }
        }
        (out, memory)
    }

    fn items() -> Vec<(&'static str, &'static str)> {
        vec![
            ("a", "feed"),
            ("bb", "reels"),
            ("ccc", "feed"),
            ("dddd", "reels"),
            ("eeeee", "story"),
            ("ffffff", "reels"),
            ("g", "feed"),
        ]
    }

    #[tokio::test]
    async fn in_flight_outcomes_are_those_of_one_call_after_the_other() {
        let items = items();
        let (expected, expected_memory) = one_by_one(&items, post_stop).await;
        for limit in [1, 2, 3, 8] {
            let calls = AtomicUsize::new(0);
            let mut memory = MetricMemory::new();
            let got = each(
                &items,
                limit,
                &mut memory,
                |i| i.1,
                post_stop,
                |i, m| fake(i, m, &calls),
            )
            .await;
            assert_eq!(format!("{got:?}"), format!("{expected:?}"), "limit {limit}");
            assert_eq!(memory, expected_memory, "limit {limit}");
            assert_eq!(
                calls.load(Ordering::SeqCst),
                items.len(),
                "limit {limit}: no call repeated"
            );
        }
        let gaps: Vec<(String, String)> = expected
            .iter()
            .flat_map(|o| {
                o.as_ref()
                    .and_then(|o| o.as_ref().ok())
                    .map(|r| r.gaps.clone())
                    .unwrap_or_default()
            })
            .map(|g| (g.what, g.object_id))
            .collect();
        assert_eq!(
            gaps,
            [
                ("odd".to_string(), "a".to_string()),
                ("gone".to_string(), "bb".to_string())
            ]
        );
    }

    #[tokio::test]
    async fn outcomes_end_at_the_first_stopping_one() {
        let mut items = items();
        items.insert(3, ("stop", "feed"));
        let (expected, _) = one_by_one(&items, post_stop).await;
        assert_eq!(expected.len(), 4);
        for limit in [1, 3, 8] {
            let calls = AtomicUsize::new(0);
            let mut memory = MetricMemory::new();
            let got = each(
                &items,
                limit,
                &mut memory,
                |i| i.1,
                post_stop,
                |i, m| fake(i, m, &calls),
            )
            .await;
            assert_eq!(format!("{got:?}"), format!("{expected:?}"), "limit {limit}");
        }
    }

    #[tokio::test]
    async fn a_metric_learned_late_repeats_the_calls_that_did_not_know_it() {
        // `gone` is refused only from the third reel on: the reels in flight beside it
        // started without knowing, and are asked again with the memory they would have had.
        let items: Vec<(&str, &str)> = (0..6)
            .map(|i| (["r0", "r1", "r2", "r3", "r4", "r5"][i], "reels"))
            .collect();
        let late = |item: &(&'static str, &'static str), mut memory: MetricMemory| {
            let (id, scope) = *item;
            async move {
                tokio::time::sleep(Duration::from_millis(5)).await;
                let mut r = InsightsResult::default();
                let asks_gone = !memory.is_removed(scope, "gone");
                if asks_gone && id >= "r2" && memory.mark_removed(scope, "gone") {
                    r.gaps.push(gap("gone", id, "metric_removed"));
                }
                r.warn("asked", format!("{id} asked gone: {asks_gone}"));
                (Ok(r), memory)
            }
        };
        let mut sequential = MetricMemory::new();
        let mut expected = Vec::new();
        for item in &items {
            let (o, m) = late(item, std::mem::take(&mut sequential)).await;
            sequential = m;
            expected.push(Some(o));
        }
        let mut memory = MetricMemory::new();
        let got = each(&items, 4, &mut memory, |i| i.1, post_stop, late).await;
        assert_eq!(format!("{got:?}"), format!("{expected:?}"));
        assert_eq!(memory, sequential);
    }

    #[tokio::test]
    async fn a_refusal_ends_its_scope_only_under_the_step_rule() {
        let mut items = items();
        items.insert(2, ("refused", "reels"));
        for (stop, kept) in [(step_stop as fn(&Outcome) -> Stop, 6), (post_stop, 3)] {
            let (expected, _) = one_by_one(&items, stop).await;
            assert_eq!(expected.iter().filter(|o| o.is_some()).count(), kept);
            for limit in [1, 3, 8] {
                let calls = AtomicUsize::new(0);
                let mut memory = MetricMemory::new();
                let got = each(&items, limit, &mut memory, |i| i.1, stop, |i, m| fake(i, m, &calls)).await;
                assert_eq!(format!("{got:?}"), format!("{expected:?}"), "limit {limit}");
            }
        }
    }
}
