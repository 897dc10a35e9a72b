-- Alcance store on PostgreSQL, schema version 22: the index the dashboard's top posts read
-- the period's gains by, as ../0022_post_gain_bucket_index.sql (SQLite). Forward-only.
CREATE INDEX post_metrics_gain_bucket ON post_metrics (bucket, metric, post_id, gain) WHERE gain IS NOT NULL;
