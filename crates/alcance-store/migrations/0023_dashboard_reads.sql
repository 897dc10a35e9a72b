-- Alcance store, schema version 23: what the dashboard's remaining reads seek by (issue 16
-- point 4; docs/schema.md "post_latest", docs/PERFORMANCE.md "Queries at scale").
-- Forward-only.
--
-- 1. The period's posts and their count: a range of publication times instead of a scan
--    of every post.
CREATE INDEX posts_published ON posts (published_at);

-- 2. The follower chart: one metric's snapshots over the period instead of a scan of every
--    account snapshot.
CREATE INDEX account_metrics_metric_start ON account_metrics (metric, period_start);

-- 3. post_latest: per post and metric, its newest row with a finite value (newest hour
--    bucket; each row's bucket is the hour of its collected_at, so also the newest
--    collected_at). Derived from post_metrics alone and kept by the triggers below on every
--    write path (batches, imports, copies, deletes and their cascades); never written by
--    the application. The heatmap, the top posts and a posts page read a post's latest
--    values from here: one row per post and metric instead of a walk of its snapshots.
CREATE TABLE post_latest (
    post_id      INTEGER NOT NULL,
    metric       TEXT    NOT NULL,
    bucket       TEXT    NOT NULL, -- post_metrics.bucket of the row
    value        REAL    NOT NULL, -- finite
    collected_at TEXT    NOT NULL, -- post_metrics.collected_at of the row
    PRIMARY KEY (post_id, metric)
) STRICT, WITHOUT ROWID;

-- A new row with a finite value is the latest unless a newer bucket is already there.
CREATE TRIGGER post_latest_insert AFTER INSERT ON post_metrics
WHEN NEW.value BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308
BEGIN
    INSERT INTO post_latest (post_id, metric, bucket, value, collected_at)
    VALUES (NEW.post_id, NEW.metric, NEW.bucket, NEW.value, NEW.collected_at)
    ON CONFLICT (post_id, metric) DO UPDATE SET
        bucket = excluded.bucket, value = excluded.value, collected_at = excluded.collected_at
    WHERE excluded.bucket >= post_latest.bucket;
END;

-- A row whose key, value or time changed: the latest of its post and metric (and of the
-- old ones, when the key moved) is looked up again. An upsert that rewrites the same
-- values (a re-read that found nothing new) does not fire it.
CREATE TRIGGER post_latest_update AFTER UPDATE OF post_id, metric, bucket, value, collected_at ON post_metrics
WHEN OLD.value IS NOT NEW.value OR OLD.collected_at IS NOT NEW.collected_at OR OLD.bucket IS NOT NEW.bucket
     OR OLD.post_id IS NOT NEW.post_id OR OLD.metric IS NOT NEW.metric
BEGIN
    DELETE FROM post_latest
    WHERE (post_id = OLD.post_id AND metric = OLD.metric) OR (post_id = NEW.post_id AND metric = NEW.metric);
    INSERT INTO post_latest (post_id, metric, bucket, value, collected_at)
    SELECT q.post_id, q.metric, q.bucket, q.value, q.collected_at FROM post_metrics AS q
    WHERE q.post_id = OLD.post_id AND q.metric = OLD.metric AND q.value BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308
    ORDER BY q.bucket DESC LIMIT 1;
    INSERT INTO post_latest (post_id, metric, bucket, value, collected_at)
    SELECT q.post_id, q.metric, q.bucket, q.value, q.collected_at FROM post_metrics AS q
    WHERE q.post_id = NEW.post_id AND q.metric = NEW.metric AND q.value BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308
      AND NOT (NEW.post_id = OLD.post_id AND NEW.metric = OLD.metric)
    ORDER BY q.bucket DESC LIMIT 1;
END;

-- A deleted row (also by a cascade from its post or account): when it was the latest, the
-- next newest finite row of its post and metric takes its place, if any.
CREATE TRIGGER post_latest_delete AFTER DELETE ON post_metrics
BEGIN
    DELETE FROM post_latest WHERE post_id = OLD.post_id AND metric = OLD.metric AND bucket = OLD.bucket;
    INSERT INTO post_latest (post_id, metric, bucket, value, collected_at)
    SELECT q.post_id, q.metric, q.bucket, q.value, q.collected_at FROM post_metrics AS q
    WHERE q.post_id = OLD.post_id AND q.metric = OLD.metric AND q.value BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308
      AND NOT EXISTS (SELECT 1 FROM post_latest AS l WHERE l.post_id = OLD.post_id AND l.metric = OLD.metric)
    ORDER BY q.bucket DESC LIMIT 1;
END;

-- backfill
INSERT INTO post_latest (post_id, metric, bucket, value, collected_at)
SELECT post_id, metric, bucket, value, collected_at
FROM (
    SELECT m.post_id, m.metric, m.bucket, m.value, m.collected_at,
           row_number() OVER (PARTITION BY m.post_id, m.metric ORDER BY m.bucket DESC) AS n
    FROM post_metrics AS m
    WHERE m.value BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308
) AS r
WHERE n = 1;
