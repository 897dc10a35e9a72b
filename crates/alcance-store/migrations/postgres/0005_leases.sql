-- Alcance store on PostgreSQL, schema version 5: leases and run heartbeats, as
-- ../0005_leases.sql.

CREATE TABLE leases (
    name        TEXT COLLATE "C" NOT NULL PRIMARY KEY, -- the lease group: the token's vault key (or account:{id})
    worker      TEXT COLLATE "C" NOT NULL,             -- id of the worker holding it
    lease_until TEXT COLLATE "C" NOT NULL,             -- UTC; free for others once passed
    claimed_at  TEXT COLLATE "C" NOT NULL              -- UTC
);

ALTER TABLE collection_runs ADD COLUMN worker TEXT COLLATE "C";
ALTER TABLE collection_runs ADD COLUMN heartbeat_at TEXT COLLATE "C";
