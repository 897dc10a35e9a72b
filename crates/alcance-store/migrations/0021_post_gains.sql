-- Alcance store, schema version 21: the dashboard's gains, written with the snapshots
-- (issue 16 point 4; ADR 0019, docs/analytics.md "Gains", docs/schema.md
-- "post_gain_hours"). Forward-only.
--
-- post_metrics.gain: what the row adds to its post's metric, the row's value minus the
-- post's latest finite value of the metric in an earlier hour bucket; a post's first
-- finite value counts in full when the post was fresh then (published at most 48 hours
-- before it was collected), else 0 (it is the baseline). NULL when the value is NULL or
-- not finite, and for `impressions` of a post that has a finite `views` value (the
-- dashboard's views count `views` where a post has them, else `impressions`).
-- post_gain_hours: per account, hour bucket and metric, the sum of those gains
-- (`readings`: how many rows have one). Both are kept by the store's write path in the
-- transaction that writes the snapshots (`crate::gains`).
ALTER TABLE post_metrics ADD COLUMN gain REAL;

CREATE TABLE post_gain_hours (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    bucket     TEXT    NOT NULL, -- UTC hour, as post_metrics.bucket
    metric     TEXT    NOT NULL,
    gain       REAL    NOT NULL,
    readings   INTEGER NOT NULL,
    PRIMARY KEY (account_id, bucket, metric)
) STRICT;

-- The dashboard reads a period of every filtered account.
CREATE INDEX post_gain_hours_bucket ON post_gain_hours (bucket, account_id, metric, gain, readings);

-- backfill (the statements below are also `Store::rebuild_post_gains`)
UPDATE post_metrics SET gain = g.gain
FROM (
    SELECT m.id,
           m.value - coalesce(
               lag(m.value) OVER (PARTITION BY m.post_id, m.metric ORDER BY m.bucket),
               CASE WHEN p.published_at IS NOT NULL
                         AND CAST(strftime('%s', m.collected_at) AS INTEGER)
                             - CAST(strftime('%s', p.published_at) AS INTEGER) <= 172800
                    THEN 0 ELSE m.value END) AS gain
    FROM post_metrics AS m JOIN posts AS p ON p.id = m.post_id
    WHERE m.value BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308
      AND NOT (m.metric = 'impressions' AND m.post_id IN (
          SELECT v.post_id FROM post_metrics AS v
          WHERE v.metric = 'views' AND v.value BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308))
) AS g
WHERE post_metrics.id = g.id;

INSERT INTO post_gain_hours (account_id, bucket, metric, gain, readings)
SELECT p.account_id, m.bucket, m.metric, sum(m.gain), count(*)
FROM post_metrics AS m JOIN posts AS p ON p.id = m.post_id
WHERE m.gain IS NOT NULL
GROUP BY p.account_id, m.bucket, m.metric;
