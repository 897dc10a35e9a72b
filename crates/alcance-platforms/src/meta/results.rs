//! What a Graph collection step produces and learns, shared by the Instagram, Facebook
//! Pages and WhatsApp clients: [`InsightsResult`] (metrics, slices, gaps, warnings) and
//! [`MetricMemory`] (metrics found removed, unknown names already reported).

use alcance_core::{AccountMetric, AudienceSlice, CollectWarning, DataGap, EventLevel, PostMetric};
use std::collections::{BTreeSet, HashSet};

/// What one insights step produced: account metrics, post metrics, audience slices, data
/// gaps and warnings. Values are in catalog units (counts; seconds for watch time); times
/// are UTC.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InsightsResult {
    /// Account-level values (`Period::Day` series points and per-day totals).
    pub account_metrics: Vec<AccountMetric>,
    /// Post-level lifetime totals (media insights).
    pub post_metrics: Vec<PostMetric>,
    /// Breakdowns (reach by `media_product_type,follow_type`, demographics).
    pub audience: Vec<AudienceSlice>,
    /// Metrics or objects Meta did not serve (`metric_removed`, `not_enough_viewers`,
    /// `media_before_business`, `unknown_metric`, `permission`, `not_found`).
    pub gaps: Vec<DataGap>,
    /// Calls that failed without stopping the step (`http_500`, `decode`, ...).
    pub warnings: Vec<CollectWarning>,
    /// `true` when a rate limit, usage cap or network failure stopped the calls early:
    /// the caller should make no further calls for this account in this collection.
    pub halted: bool,
    /// The failure that set `halted`, when one did (see [`CollectionBatch::stopped`]).
    ///
    /// [`CollectionBatch::stopped`]: alcance_core::CollectionBatch::stopped
    pub stopped: Option<alcance_core::Interruption>,
}

impl InsightsResult {
    pub(crate) fn gap(&mut self, what: &str, object_id: &str, code: &str, detail: impl Into<String>) {
        self.gaps.push(DataGap {
            what: what.to_string(),
            object_id: object_id.to_string(),
            code: code.to_string(),
            detail: detail.into(),
        });
    }

    pub(crate) fn warn(&mut self, code: &str, message: impl Into<String>) {
        self.warnings.push(warning(EventLevel::Warn, code, message));
    }

    /// Appends `other`'s metrics, slices, gaps and warnings (and its stop) to this result.
    pub(crate) fn extend(&mut self, other: InsightsResult) {
        self.account_metrics.extend(other.account_metrics);
        self.post_metrics.extend(other.post_metrics);
        self.audience.extend(other.audience);
        self.gaps.extend(other.gaps);
        self.warnings.extend(other.warnings);
        self.halted |= other.halted;
        if self.stopped.is_none() {
            self.stopped = other.stopped;
        }
    }

    /// Removes duplicates: account metrics by (metric, period, start), post metrics by
    /// (post, metric) preferring a value over `None`, slices by all keys, gaps by
    /// (what, object, code).
    pub(crate) fn finish(mut self) -> Self {
        let mut seen = HashSet::new();
        self.account_metrics
            .retain(|m| seen.insert((m.metric.clone(), m.period.as_str(), m.period_start)));
        self.post_metrics = dedupe_post_metrics(std::mem::take(&mut self.post_metrics));
        let mut seen = HashSet::new();
        self.audience.retain(|a| {
            seen.insert((
                a.audience.clone(),
                a.dimension.clone(),
                a.key.clone(),
                a.timeframe.clone(),
            ))
        });
        let mut seen = HashSet::new();
        self.gaps
            .retain(|g| seen.insert((g.what.clone(), g.object_id.clone(), g.code.clone())));
        self
    }
}

fn dedupe_post_metrics(metrics: Vec<PostMetric>) -> Vec<PostMetric> {
    let mut out: Vec<PostMetric> = Vec::with_capacity(metrics.len());
    for m in metrics {
        match out
            .iter_mut()
            .find(|o| o.post_external_id == m.post_external_id && o.metric == m.metric)
        {
            Some(existing) => {
                if existing.value.is_none() {
                    existing.value = m.value;
                }
            }
            None => out.push(m),
        }
    }
    out
}

/// A run-event warning of `level` with a stable `code`.
pub(crate) fn warning(level: EventLevel, code: &str, message: impl Into<String>) -> CollectWarning {
    CollectWarning {
        level,
        code: code.to_string(),
        message: message.into(),
    }
}

/// What one collection learned about metrics: the metrics Meta rejected as removed
/// (per scope, e.g. `media:reels`), so later calls skip them, and unknown metric names
/// already reported. Create one per collection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetricMemory {
    removed: BTreeSet<String>,
    unknown: BTreeSet<String>,
}

impl MetricMemory {
    /// An empty memory.
    pub fn new() -> Self {
        Self::default()
    }

    /// `true` when `metric` was rejected as removed in `scope` during this collection.
    pub fn is_removed(&self, scope: &str, metric: &str) -> bool {
        self.removed.contains(&format!("{scope}:{metric}"))
    }

    /// Every removed metric seen, as `scope:metric` (`media:feed:impressions`).
    pub fn removed(&self) -> impl Iterator<Item = &str> {
        self.removed.iter().map(String::as_str)
    }

    /// Records a removed metric; `true` the first time (record the gap then).
    pub(crate) fn mark_removed(&mut self, scope: &str, metric: &str) -> bool {
        self.removed.insert(format!("{scope}:{metric}"))
    }

    /// Records an unknown metric name; `true` the first time (record the gap then).
    pub(crate) fn note_unknown(&mut self, name: &str) -> bool {
        self.unknown.insert(name.to_string())
    }

    /// The removed metrics of `scope` and of the scopes under it (`media:story` also
    /// gives `media:story:breakdown:navigation`), as `scope:metric`, in order.
    pub(crate) fn removed_in<'a>(&'a self, scope: &str) -> impl Iterator<Item = &'a str> + 'a {
        let prefix = format!("{scope}:");
        self.removed
            .range(prefix.clone()..)
            .take_while(move |k| k.starts_with(&prefix))
            .map(String::as_str)
    }

    /// This memory's removed metrics, without the unknown names reported.
    pub(crate) fn without_unknown(&self) -> MetricMemory {
        MetricMemory {
            removed: self.removed.clone(),
            unknown: BTreeSet::new(),
        }
    }

    /// Adds `other`'s removed metrics of `scope` (and of the scopes under it).
    pub(crate) fn learn_removed_in(&mut self, other: &MetricMemory, scope: &str) {
        self.removed.extend(other.removed_in(scope).map(str::to_string));
    }

    /// Adds `other`'s unknown names (reported: no gap for them again).
    pub(crate) fn learn_unknown(&mut self, other: &MetricMemory) {
        self.unknown.extend(other.unknown.iter().cloned());
    }
}
