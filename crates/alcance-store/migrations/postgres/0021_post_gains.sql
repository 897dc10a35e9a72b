-- Alcance store on PostgreSQL, schema version 21: the dashboard's gains, as
-- ../0021_post_gains.sql (SQLite). Forward-only.
ALTER TABLE post_metrics ADD COLUMN gain DOUBLE PRECISION;

CREATE TABLE post_gain_hours (
    account_id BIGINT           NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    bucket     TEXT COLLATE "C" NOT NULL,
    metric     TEXT COLLATE "C" NOT NULL,
    gain       DOUBLE PRECISION NOT NULL,
    readings   BIGINT           NOT NULL,
    PRIMARY KEY (account_id, bucket, metric)
);

CREATE INDEX post_gain_hours_bucket ON post_gain_hours (bucket, account_id, metric, gain, readings);

-- backfill (the statements below are also `Store::rebuild_post_gains`)
UPDATE post_metrics SET gain = g.gain
FROM (
    SELECT m.id,
           m.value - coalesce(
               lag(m.value) OVER (PARTITION BY m.post_id, m.metric ORDER BY m.bucket),
               CASE WHEN p.published_at IS NOT NULL
                         AND extract(epoch FROM CAST(m.collected_at AS timestamptz)
                                               - CAST(p.published_at AS timestamptz)) <= 172800
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
