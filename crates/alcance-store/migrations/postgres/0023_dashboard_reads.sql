-- Alcance store on PostgreSQL, schema version 23: the dashboard's indexes and the
-- post_latest table with its triggers, as ../0023_dashboard_reads.sql (SQLite), where each
-- part is explained. Forward-only.
CREATE INDEX posts_published ON posts (published_at);

CREATE INDEX account_metrics_metric_start ON account_metrics (metric, period_start);

CREATE TABLE post_latest (
    post_id      BIGINT           NOT NULL,
    metric       TEXT COLLATE "C" NOT NULL,
    bucket       TEXT COLLATE "C" NOT NULL,
    value        DOUBLE PRECISION NOT NULL,
    collected_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (post_id, metric)
);

-- The newest finite row of one post and metric, written to post_latest (or nothing).
CREATE FUNCTION post_latest_refresh(p_post BIGINT, p_metric TEXT) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM post_latest WHERE post_id = p_post AND metric = p_metric;
    INSERT INTO post_latest (post_id, metric, bucket, value, collected_at)
    SELECT q.post_id, q.metric, q.bucket, q.value, q.collected_at FROM post_metrics AS q
    WHERE q.post_id = p_post AND q.metric = p_metric AND q.value BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308
    ORDER BY q.bucket DESC LIMIT 1;
END;
$$;

CREATE FUNCTION post_latest_on_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO post_latest (post_id, metric, bucket, value, collected_at)
    VALUES (NEW.post_id, NEW.metric, NEW.bucket, NEW.value, NEW.collected_at)
    ON CONFLICT (post_id, metric) DO UPDATE SET
        bucket = excluded.bucket, value = excluded.value, collected_at = excluded.collected_at
    WHERE excluded.bucket >= post_latest.bucket;
    RETURN NULL;
END;
$$;

CREATE FUNCTION post_latest_on_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM post_latest_refresh(OLD.post_id, OLD.metric);
    IF NEW.post_id IS DISTINCT FROM OLD.post_id OR NEW.metric IS DISTINCT FROM OLD.metric THEN
        PERFORM post_latest_refresh(NEW.post_id, NEW.metric);
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION post_latest_on_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM post_latest AS l
               WHERE l.post_id = OLD.post_id AND l.metric = OLD.metric AND l.bucket = OLD.bucket) THEN
        PERFORM post_latest_refresh(OLD.post_id, OLD.metric);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER post_latest_insert AFTER INSERT ON post_metrics
FOR EACH ROW WHEN (NEW.value BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308)
EXECUTE FUNCTION post_latest_on_insert();

CREATE TRIGGER post_latest_update AFTER UPDATE OF post_id, metric, bucket, value, collected_at ON post_metrics
FOR EACH ROW WHEN (OLD.value IS DISTINCT FROM NEW.value OR OLD.collected_at IS DISTINCT FROM NEW.collected_at
                   OR OLD.bucket IS DISTINCT FROM NEW.bucket OR OLD.post_id IS DISTINCT FROM NEW.post_id
                   OR OLD.metric IS DISTINCT FROM NEW.metric)
EXECUTE FUNCTION post_latest_on_update();

CREATE TRIGGER post_latest_delete AFTER DELETE ON post_metrics
FOR EACH ROW EXECUTE FUNCTION post_latest_on_delete();

-- backfill
INSERT INTO post_latest (post_id, metric, bucket, value, collected_at)
SELECT DISTINCT ON (m.post_id, m.metric) m.post_id, m.metric, m.bucket, m.value, m.collected_at
FROM post_metrics AS m
WHERE m.value BETWEEN -1.7976931348623157e308 AND 1.7976931348623157e308
ORDER BY m.post_id, m.metric, m.bucket DESC;
