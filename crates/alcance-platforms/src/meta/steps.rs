//! Collection steps shared by the Graph clients (Instagram, Facebook Pages, WhatsApp): how
//! an error of one call becomes an error, a gap or a warning in an
//! [`InsightsResult`](super::InsightsResult).

use super::results::{warning, InsightsResult};
use crate::error::PlatformError;
use alcance_core::{CollectWarning, CollectionBatch, DataGap, EventLevel, Interruption};

/// How a step goes on after an error that was absorbed into the result.
pub(crate) enum Flow {
    /// Go on with the next call of the step.
    Continue,
    /// Skip the rest of this step (permission, not found).
    SkipStep,
    /// Make no further calls for this account.
    Halt,
}

/// `true` for errors after which no further call for the account makes sense in this
/// collection (rate limit, usage cap, network, deadline), the token being fine.
pub(crate) fn halts(e: &PlatformError) -> bool {
    e.stops_account() && !e.needs_reauth()
}

/// Records an error of one call into `out` and says how the step goes on:
/// Unauthorized → `Err`; rate limit / usage cap / network → warning + `halted`;
/// permission → `permission` gap, skip the step; not found → `not_found` gap, skip the
/// step; removed metric → `metric_removed` gap; anything else → warning, continue.
pub(crate) fn absorb(
    e: PlatformError,
    what: &str,
    object_id: &str,
    out: &mut InsightsResult,
) -> Result<Flow, PlatformError> {
    match &e {
        PlatformError::Unauthorized { .. } => Err(e),
        _ if halts(&e) => {
            out.warn(&e.code(), format!("{what}: {e}; no further calls for this account"));
            out.halted = true;
            if out.stopped.is_none() {
                out.stopped = Some(e.interruption());
            }
            Ok(Flow::Halt)
        }
        PlatformError::Timeout { .. } => {
            // One hanging call: its part is a gap, the rest of the account goes on.
            out.gap(what, object_id, "timeout", e.to_string());
            Ok(Flow::Continue)
        }
        PlatformError::Forbidden { message } => {
            out.gap(what, object_id, "permission", message.clone());
            Ok(Flow::SkipStep)
        }
        PlatformError::NotFound { message } => {
            out.gap(what, object_id, "not_found", message.clone());
            Ok(Flow::SkipStep)
        }
        PlatformError::MetricRemoved { metric, message } => {
            out.gap(metric, object_id, "metric_removed", message.clone());
            Ok(Flow::Continue)
        }
        _ => {
            out.warn(&e.code(), format!("{what}: {e}"));
            Ok(Flow::Continue)
        }
    }
}

/// Ends a step of a collection: its results go into the batch (its `halted` too), or
/// its failure is recorded under `part` (see [`part_failed`]).
pub(crate) fn step_done(
    batch: &mut CollectionBatch,
    part: &str,
    r: Result<InsightsResult, PlatformError>,
    halted: &mut bool,
) {
    match r {
        Ok(r) => {
            *halted |= r.halted;
            merge(batch, r);
        }
        Err(e) => part_failed(batch, part, &e, halted),
    }
}

/// Moves a step's results into the batch (and why it stopped, when it did).
pub(crate) fn merge(batch: &mut CollectionBatch, r: InsightsResult) {
    if let Some(why) = r.stopped {
        batch.stop(why);
    }
    batch.account_metrics.extend(r.account_metrics);
    batch.post_metrics.extend(r.post_metrics);
    batch.audience.extend(r.audience);
    batch.gaps.extend(r.gaps);
    batch.warnings.extend(r.warnings);
}

/// Codes of the errors that stop an account (see [`PlatformError::stops_account`]).
const STOP_CODES: &[&str] = &[
    "unauthorized",
    "rate_limited",
    "usage_capped",
    "transport",
    "deadline",
    "stopped",
];

/// A listing whose later page failed in a way that stops the account (its warning of level
/// `error` with a stopping code, see [`crate::meta::list_pages`]): no further calls for the
/// account, and the batch says why it stopped. The listing's items stay.
pub(crate) fn listing_stopped(batch: &mut CollectionBatch, warnings: &[CollectWarning], halted: &mut bool) {
    let Some(w) = warnings
        .iter()
        .find(|w| w.level == EventLevel::Error && STOP_CODES.contains(&w.code.as_str()))
    else {
        return;
    };
    *halted = true;
    batch.stop(Interruption {
        code: w.code.clone(),
        message: w.message.clone(),
        needs_reauth: w.code == "unauthorized",
        rate_limited: w.code == "rate_limited",
        retry_after_seconds: None,
    });
}

/// Records a failed part as a warning (an error-level one, setting `halted`, when it
/// stops the collection: rate limit, usage cap, network, dead token), or as a `timeout`
/// gap when its call did not answer in time.
pub(crate) fn part_failed(batch: &mut CollectionBatch, part: &str, e: &PlatformError, halted: &mut bool) {
    if let PlatformError::Timeout { endpoint } = e {
        // One hanging call: its part is a gap, the rest of the account goes on.
        batch.gaps.push(DataGap {
            what: part.to_string(),
            object_id: endpoint.clone(),
            code: "timeout".to_string(),
            detail: e.to_string(),
        });
        return;
    }
    let stop = halts(e) || e.needs_reauth();
    if stop {
        *halted = true;
        batch.stop(e.interruption());
    }
    let level = if stop { EventLevel::Error } else { EventLevel::Warn };
    let suffix = if stop {
        "; no further calls for this account"
    } else {
        ""
    };
    batch
        .warnings
        .push(warning(level, &e.code(), format!("{part}: {e}{suffix}")));
}
