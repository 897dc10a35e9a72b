-- Alcance store, schema version 22: the dashboard's top posts read the period's gains by
-- range (issue 16 point 4; docs/PERFORMANCE.md "The dashboard after session 26",
-- docs/schema.md "Reading for the screens"). Forward-only.
--
-- `Store::top_post_gains` sums, per post, the `post_metrics.gain` of the rows whose hour
-- bucket is in the period: with this index it reads the period's entries (those with a
-- gain) in key order instead of scanning every snapshot of the workspace (at 1 year × 100
-- accounts 59,000 index entries instead of 1.07 M rows). Partial: rows without a gain
-- (NULL or non-finite values, `impressions` of posts with `views`) are never summed.
CREATE INDEX post_metrics_gain_bucket ON post_metrics (bucket, metric, post_id, gain) WHERE gain IS NOT NULL;
