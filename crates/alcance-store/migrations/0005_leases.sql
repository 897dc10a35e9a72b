-- Alcance store, schema version 5: many collectors, one schedule (docs/schema.md, leases;
-- docs/adr/0007-one-worker-owns-a-token-at-a-time.md).
-- 1. leases: which worker (scheduler loop) holds a token's accounts until when. A worker
--    claims a lease before it collects the due accounts collected with that token, renews
--    it while the run goes, and releases it when the run ends; a dead worker's lease
--    expires and another worker takes the accounts over.
-- 2. collection_runs.worker / heartbeat_at: which worker drives a run and when it last said
--    so. In a team workspace a `running` or `paused` run with a stale heartbeat was cut off
--    and is resumed by exactly one other worker.

CREATE TABLE leases (
    name        TEXT NOT NULL PRIMARY KEY, -- the lease group: the token's vault key (or account:{id})
    worker      TEXT NOT NULL,             -- id of the worker holding it
    lease_until TEXT NOT NULL,             -- UTC; free for others once passed
    claimed_at  TEXT NOT NULL              -- UTC
) STRICT;

ALTER TABLE collection_runs ADD COLUMN worker TEXT;
ALTER TABLE collection_runs ADD COLUMN heartbeat_at TEXT;
