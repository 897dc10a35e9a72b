-- Alcance store, schema version 14: the posts' media kept in the workspace (issue 13
-- point 3; docs/media.md, docs/schema.md). Forward-only.
-- post_media: one row per post and kind (thumbnail, image, video) with the URL a
-- collection served, and what became of it: a thumbnail or image is downloaded once into
-- <workspace>/media/<sha256>.<ext> (`kept`), or given up on (`too_large`, `expired` after
-- a bounded number of attempts, `failed`); a video's URL is only remembered (`remote`).
-- A later collection serving a new URL for an `expired` or `failed` row starts it again.
-- (0015 and 0016 are other branches' migrations.)

CREATE TABLE post_media (
    id              INTEGER PRIMARY KEY,
    post_id         INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL CHECK (kind IN ('thumbnail', 'image', 'video')),
    source_url      TEXT    NOT NULL, -- the URL as served (http/https); of the kept file once kept
    seen_at         TEXT    NOT NULL, -- UTC, the last collection that served a URL for it
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'kept', 'too_large', 'expired', 'failed', 'remote')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TEXT,             -- UTC; while pending after a failure, when to try again
    last_error      TEXT,             -- the last failure (HTTP status, content type), no secrets
    fetched_at      TEXT,             -- UTC, when the kept file was downloaded
    file_name       TEXT,             -- kept: <sha256 hex>.<png|jpg|gif|webp> in <workspace>/media/
    bytes           INTEGER CHECK (bytes >= 0),
    content_type    TEXT,             -- kept: image/png, image/jpeg, image/gif, image/webp
    UNIQUE (post_id, kind)
) STRICT;

CREATE INDEX post_media_due ON post_media (status, next_attempt_at);
