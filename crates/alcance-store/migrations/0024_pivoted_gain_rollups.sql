-- Alcance store, schema version 24: the dashboard's gains pivoted, kept by triggers
-- (issue 16 point 4; ADR 0024, docs/schema.md "account_gain_hours",
-- "post_interaction_hours"). Forward-only.
--
-- The interaction metrics below are `alcance_report::series::INTERACTION_METRICS` (a test
-- checks the lists are equal: `crate::gains`). Both tables are derived: triggers keep
-- each row equal to the sums of its source rows, computed again from them at every change
-- (so no drift from adding and subtracting), and a copy (`alcance workspace copy`) does
-- not move them: the triggers rebuild them as the source rows are copied.
--
-- account_gain_hours: per account and hour bucket, the `post_gain_hours` rows with
-- `readings > 0` summed over the interaction metrics and over `views` + `impressions`
-- (the rollup already leaves out `impressions` of posts that have `views`).
CREATE TABLE account_gain_hours (
    account_id           INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    bucket               TEXT    NOT NULL, -- UTC hour, as post_gain_hours.bucket
    interactions         REAL    NOT NULL,
    interaction_readings INTEGER NOT NULL,
    views                REAL    NOT NULL,
    view_readings        INTEGER NOT NULL,
    PRIMARY KEY (account_id, bucket)
) STRICT;

-- The dashboard reads a period of every filtered account.
CREATE INDEX account_gain_hours_bucket
    ON account_gain_hours (bucket, account_id, interactions, interaction_readings, views, view_readings);

-- post_interaction_hours: per post and hour bucket, the sum of the `post_metrics.gain` of
-- its interaction-metric rows that have a gain, and how many they are.
CREATE TABLE post_interaction_hours (
    post_id  INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    bucket   TEXT    NOT NULL, -- UTC hour, as post_metrics.bucket
    gain     REAL    NOT NULL,
    readings INTEGER NOT NULL,
    PRIMARY KEY (post_id, bucket)
) STRICT;

-- The dashboard's top posts read a period by range.
CREATE INDEX post_interaction_hours_bucket ON post_interaction_hours (bucket, post_id, gain);

-- account_gain_hours from post_gain_hours. A row is computed again from the (at most nine)
-- rollup rows of its account and hour: an insert or a change writes the row of the new key
-- (an upsert), a delete or a change of key updates the row of the old key (an update only:
-- never a row for an account a cascade is deleting).
CREATE TRIGGER account_gain_hours_on_insert AFTER INSERT ON post_gain_hours
WHEN NEW.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares', 'views', 'impressions')
BEGIN
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
END;

CREATE TRIGGER account_gain_hours_on_update AFTER UPDATE OF account_id, bucket, metric, gain, readings ON post_gain_hours
WHEN NEW.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares', 'views', 'impressions')
BEGIN
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
END;

CREATE TRIGGER account_gain_hours_on_update_old AFTER UPDATE OF account_id, bucket, metric, gain, readings ON post_gain_hours
WHEN OLD.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares', 'views', 'impressions')
     AND NOT (NEW.account_id = OLD.account_id AND NEW.bucket = OLD.bucket
              AND NEW.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares', 'views', 'impressions'))
BEGIN
    UPDATE account_gain_hours SET (interactions, interaction_readings, views, view_readings) = (
        SELECT coalesce(sum(CASE WHEN h.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares') THEN h.gain END), 0),
               coalesce(sum(CASE WHEN h.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares') THEN h.readings END), 0),
               coalesce(sum(CASE WHEN h.metric IN ('views', 'impressions') THEN h.gain END), 0),
               coalesce(sum(CASE WHEN h.metric IN ('views', 'impressions') THEN h.readings END), 0)
        FROM post_gain_hours AS h
        WHERE h.account_id = OLD.account_id AND h.bucket = OLD.bucket AND h.readings > 0)
    WHERE account_id = OLD.account_id AND bucket = OLD.bucket;
END;

CREATE TRIGGER account_gain_hours_on_delete AFTER DELETE ON post_gain_hours
WHEN OLD.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares', 'views', 'impressions')
BEGIN
    UPDATE account_gain_hours SET (interactions, interaction_readings, views, view_readings) = (
        SELECT coalesce(sum(CASE WHEN h.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares') THEN h.gain END), 0),
               coalesce(sum(CASE WHEN h.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares') THEN h.readings END), 0),
               coalesce(sum(CASE WHEN h.metric IN ('views', 'impressions') THEN h.gain END), 0),
               coalesce(sum(CASE WHEN h.metric IN ('views', 'impressions') THEN h.readings END), 0)
        FROM post_gain_hours AS h
        WHERE h.account_id = OLD.account_id AND h.bucket = OLD.bucket AND h.readings > 0)
    WHERE account_id = OLD.account_id AND bucket = OLD.bucket;
END;

-- post_interaction_hours from post_metrics, the same way: a row is computed again from its
-- post's interaction-metric rows of its hour (one seek per metric on the unique key). Only
-- writes that change what it sums fire (`gain`, the key; not `value`, `last_seen_at`, …).
CREATE TRIGGER post_interaction_hours_on_insert AFTER INSERT ON post_metrics
WHEN NEW.gain IS NOT NULL AND NEW.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares')
BEGIN
    INSERT INTO post_interaction_hours (post_id, bucket, gain, readings)
    SELECT NEW.post_id, NEW.bucket, coalesce(sum(m.gain), 0), count(m.gain)
    FROM post_metrics AS m
    WHERE m.post_id = NEW.post_id AND m.bucket = NEW.bucket AND m.gain IS NOT NULL
      AND m.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares')
    ON CONFLICT (post_id, bucket) DO UPDATE SET gain = excluded.gain, readings = excluded.readings;
END;

CREATE TRIGGER post_interaction_hours_on_update AFTER UPDATE OF post_id, metric, bucket, gain ON post_metrics
WHEN NEW.gain IS NOT NULL AND NEW.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares')
     AND (OLD.gain IS NOT NEW.gain OR OLD.post_id <> NEW.post_id OR OLD.bucket <> NEW.bucket OR OLD.metric <> NEW.metric)
BEGIN
    INSERT INTO post_interaction_hours (post_id, bucket, gain, readings)
    SELECT NEW.post_id, NEW.bucket, coalesce(sum(m.gain), 0), count(m.gain)
    FROM post_metrics AS m
    WHERE m.post_id = NEW.post_id AND m.bucket = NEW.bucket AND m.gain IS NOT NULL
      AND m.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares')
    ON CONFLICT (post_id, bucket) DO UPDATE SET gain = excluded.gain, readings = excluded.readings;
END;

CREATE TRIGGER post_interaction_hours_on_update_old AFTER UPDATE OF post_id, metric, bucket, gain ON post_metrics
WHEN OLD.gain IS NOT NULL AND OLD.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares')
     AND NOT (NEW.gain IS NOT NULL AND NEW.post_id = OLD.post_id AND NEW.bucket = OLD.bucket
              AND NEW.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares'))
BEGIN
    UPDATE post_interaction_hours SET (gain, readings) = (
        SELECT coalesce(sum(m.gain), 0), count(m.gain)
        FROM post_metrics AS m
        WHERE m.post_id = OLD.post_id AND m.bucket = OLD.bucket AND m.gain IS NOT NULL
          AND m.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares'))
    WHERE post_id = OLD.post_id AND bucket = OLD.bucket;
END;

CREATE TRIGGER post_interaction_hours_on_delete AFTER DELETE ON post_metrics
WHEN OLD.gain IS NOT NULL AND OLD.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares')
BEGIN
    UPDATE post_interaction_hours SET (gain, readings) = (
        SELECT coalesce(sum(m.gain), 0), count(m.gain)
        FROM post_metrics AS m
        WHERE m.post_id = OLD.post_id AND m.bucket = OLD.bucket AND m.gain IS NOT NULL
          AND m.metric IN ('likes', 'comments', 'replies', 'reposts', 'quotes', 'saves', 'shares'))
    WHERE post_id = OLD.post_id AND bucket = OLD.bucket;
END;

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
