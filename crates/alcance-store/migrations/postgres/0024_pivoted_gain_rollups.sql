-- Alcance store on PostgreSQL, schema version 24: the dashboard's gains pivoted, kept by
-- triggers, as ../0024_pivoted_gain_rollups.sql (SQLite): one plpgsql function per derived
-- table, its row computed again from the source rows at every change. Forward-only.
CREATE TABLE account_gain_hours (
    account_id           BIGINT           NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    bucket               TEXT COLLATE "C" NOT NULL,
    interactions         DOUBLE PRECISION NOT NULL,
    interaction_readings BIGINT           NOT NULL,
    views                DOUBLE PRECISION NOT NULL,
    view_readings        BIGINT           NOT NULL,
    PRIMARY KEY (account_id, bucket)
);

CREATE INDEX account_gain_hours_bucket
    ON account_gain_hours (bucket, account_id, interactions, interaction_readings, views, view_readings);

CREATE TABLE post_interaction_hours (
    post_id  BIGINT           NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    bucket   TEXT COLLATE "C" NOT NULL,
    gain     DOUBLE PRECISION NOT NULL,
    readings BIGINT           NOT NULL,
    PRIMARY KEY (post_id, bucket)
);

CREATE INDEX post_interaction_hours_bucket ON post_interaction_hours (bucket, post_id, gain);

-- account_gain_hours from post_gain_hours: a delete or a change of key updates the old
-- key's row (an update only: never a row for an account a cascade is deleting), an insert
-- or a change writes the new key's row (an upsert).
CREATE FUNCTION account_gain_hours_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT'
       AND OLD.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares', 'views', 'impressions')
       AND NOT (TG_OP = 'UPDATE' AND NEW.account_id = OLD.account_id AND NEW.bucket = OLD.bucket
                AND NEW.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares', 'views', 'impressions'))
    THEN
        UPDATE account_gain_hours SET (interactions, interaction_readings, views, view_readings) = (
            SELECT coalesce(sum(CASE WHEN h.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares') THEN h.gain END), 0),
                   coalesce(sum(CASE WHEN h.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares') THEN h.readings END), 0),
                   coalesce(sum(CASE WHEN h.metric IN ('views', 'impressions') THEN h.gain END), 0),
                   coalesce(sum(CASE WHEN h.metric IN ('views', 'impressions') THEN h.readings END), 0)
            FROM post_gain_hours AS h
            WHERE h.account_id = OLD.account_id AND h.bucket = OLD.bucket AND h.readings > 0)
        WHERE account_id = OLD.account_id AND bucket = OLD.bucket;
    END IF;
    IF TG_OP <> 'DELETE'
       AND NEW.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares', 'views', 'impressions')
    THEN
        INSERT INTO account_gain_hours (account_id, bucket, interactions, interaction_readings, views, view_readings)
        SELECT NEW.account_id, NEW.bucket,
               coalesce(sum(CASE WHEN h.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares') THEN h.gain END), 0),
               coalesce(sum(CASE WHEN h.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares') THEN h.readings END), 0),
               coalesce(sum(CASE WHEN h.metric IN ('views', 'impressions') THEN h.gain END), 0),
               coalesce(sum(CASE WHEN h.metric IN ('views', 'impressions') THEN h.readings END), 0)
        FROM post_gain_hours AS h
        WHERE h.account_id = NEW.account_id AND h.bucket = NEW.bucket AND h.readings > 0
        ON CONFLICT (account_id, bucket) DO UPDATE SET
            interactions = excluded.interactions, interaction_readings = excluded.interaction_readings,
            views = excluded.views, view_readings = excluded.view_readings;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER account_gain_hours_keep
AFTER INSERT OR DELETE OR UPDATE OF account_id, bucket, metric, gain, readings ON post_gain_hours
FOR EACH ROW EXECUTE FUNCTION account_gain_hours_keep();

-- post_interaction_hours from post_metrics, the same way; the triggers' conditions keep
-- writes that change nothing it sums (other metrics, `value`, `last_seen_at`, …) from
-- calling the function.
CREATE FUNCTION post_interaction_hours_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.gain IS NOT NULL
       AND OLD.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares')
       AND NOT (TG_OP = 'UPDATE' AND NEW.gain IS NOT NULL AND NEW.post_id = OLD.post_id AND NEW.bucket = OLD.bucket
                AND NEW.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares'))
    THEN
        UPDATE post_interaction_hours SET (gain, readings) = (
            SELECT coalesce(sum(m.gain), 0), count(m.gain)
            FROM post_metrics AS m
            WHERE m.post_id = OLD.post_id AND m.bucket = OLD.bucket AND m.gain IS NOT NULL
              AND m.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares'))
        WHERE post_id = OLD.post_id AND bucket = OLD.bucket;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.gain IS NOT NULL
       AND NEW.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares')
    THEN
        INSERT INTO post_interaction_hours (post_id, bucket, gain, readings)
        SELECT NEW.post_id, NEW.bucket, coalesce(sum(m.gain), 0), count(m.gain)
        FROM post_metrics AS m
        WHERE m.post_id = NEW.post_id AND m.bucket = NEW.bucket AND m.gain IS NOT NULL
          AND m.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares')
        ON CONFLICT (post_id, bucket) DO UPDATE SET gain = excluded.gain, readings = excluded.readings;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER post_interaction_hours_on_insert AFTER INSERT ON post_metrics
FOR EACH ROW
WHEN (NEW.gain IS NOT NULL AND NEW.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares'))
EXECUTE FUNCTION post_interaction_hours_keep();

CREATE TRIGGER post_interaction_hours_on_update AFTER UPDATE OF post_id, metric, bucket, gain ON post_metrics
FOR EACH ROW
WHEN (((OLD.gain IS NOT NULL AND OLD.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares'))
       OR (NEW.gain IS NOT NULL AND NEW.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares')))
      AND (OLD.gain IS DISTINCT FROM NEW.gain OR OLD.post_id <> NEW.post_id OR OLD.bucket <> NEW.bucket
           OR OLD.metric <> NEW.metric))
EXECUTE FUNCTION post_interaction_hours_keep();

CREATE TRIGGER post_interaction_hours_on_delete AFTER DELETE ON post_metrics
FOR EACH ROW
WHEN (OLD.gain IS NOT NULL AND OLD.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares'))
EXECUTE FUNCTION post_interaction_hours_keep();

-- backfill (the statements below are also `Store::rebuild_post_gains`'s last two)
INSERT INTO account_gain_hours (account_id, bucket, interactions, interaction_readings, views, view_readings)
SELECT h.account_id, h.bucket,
       coalesce(sum(CASE WHEN h.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares') THEN h.gain END), 0),
       coalesce(sum(CASE WHEN h.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares') THEN h.readings END), 0),
       coalesce(sum(CASE WHEN h.metric IN ('views', 'impressions') THEN h.gain END), 0),
       coalesce(sum(CASE WHEN h.metric IN ('views', 'impressions') THEN h.readings END), 0)
FROM post_gain_hours AS h
WHERE h.readings > 0
  AND h.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares', 'views', 'impressions')
GROUP BY h.account_id, h.bucket;

INSERT INTO post_interaction_hours (post_id, bucket, gain, readings)
SELECT m.post_id, m.bucket, sum(m.gain), count(*)
FROM post_metrics AS m
WHERE m.gain IS NOT NULL AND m.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares')
GROUP BY m.post_id, m.bucket;
