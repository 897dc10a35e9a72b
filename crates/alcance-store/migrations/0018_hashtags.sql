-- Alcance store, schema version 18: tracked hashtags and what the platforms say about them
-- (issue 17 point 2; docs/schema.md, docs/metrics.md "Hashtags"). Forward-only.
-- (0016 and 0017 are other branches' migrations.)
-- 1. tracked_hashtags: the hashtags a workspace follows, by key (`#` + lower-case NFC, as
--    alcance_core::analytics::tags::tag_key gives: #SãoPaulo and #sãopaulo are one).
--    Untracking disables the row; the volume and media collected stay.
-- 2. hashtag_volume: public post counts per bucket (X GET /2/tweets/counts/recent,
--    data[].start / tweet_count), one row per tag, platform, granularity and bucket start;
--    a later collection overwrites a bucket's count (today's grows during the day).
-- 3. hashtag_media: public Instagram media tagged with a tracked hashtag (GET
--    /{ig-hashtag-id}/top_media | recent_media), one row per tag, media and edge.
-- 4. hashtag_searches: which Instagram account queried which hashtag when (GET
--    /ig_hashtag_search), one row per account, tag and 7-day window: the record the
--    30-unique-hashtags-per-7-days budget is counted from before every query.
-- No token here: the X app-only bearer token lives in the vault.

CREATE TABLE tracked_hashtags (
    id            INTEGER PRIMARY KEY,
    tag           TEXT    NOT NULL UNIQUE, -- the key, e.g. #são_paulo
    display       TEXT    NOT NULL,        -- as the user typed it, e.g. #São_Paulo
    added_at      TEXT    NOT NULL,        -- UTC
    enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    ig_hashtag_id TEXT,                    -- Instagram's id for it (static and global): searched once
    collected_at  TEXT                     -- UTC, its last collection (at most one a UTC day)
) STRICT;

CREATE TABLE hashtag_volume (
    id           INTEGER PRIMARY KEY,
    tag          TEXT    NOT NULL,                -- key, as tracked_hashtags.tag
    platform     TEXT    NOT NULL,                -- x
    bucket_start TEXT    NOT NULL,                -- UTC, aligned on the granularity
    granularity  TEXT    NOT NULL CHECK (granularity IN ('day', 'hour', 'minute')),
    count        INTEGER NOT NULL CHECK (count >= 0), -- public posts in the bucket
    collected_at TEXT    NOT NULL,                -- UTC
    UNIQUE (tag, platform, granularity, bucket_start)
) STRICT;

CREATE TABLE hashtag_media (
    id              INTEGER PRIMARY KEY,
    tag             TEXT    NOT NULL,  -- key, as tracked_hashtags.tag
    media_id        TEXT    NOT NULL,  -- Instagram media id
    edge            TEXT    NOT NULL CHECK (edge IN ('top', 'recent')),
    published_at    TEXT,              -- UTC, the media's timestamp
    media_type      TEXT,              -- IMAGE, VIDEO, CAROUSEL_ALBUM
    like_count      INTEGER CHECK (like_count >= 0),
    comments_count  INTEGER CHECK (comments_count >= 0),
    permalink       TEXT,
    caption_excerpt TEXT,              -- the caption's first 280 characters
    first_seen      TEXT    NOT NULL,  -- UTC, the first collection that listed it on this edge
    last_seen       TEXT    NOT NULL,  -- UTC, the last one
    UNIQUE (tag, media_id, edge)
) STRICT;

CREATE INDEX hashtag_media_tag ON hashtag_media (tag, edge, last_seen);

CREATE TABLE hashtag_searches (
    id          INTEGER PRIMARY KEY,
    ig_user_id  TEXT NOT NULL, -- the Instagram account's id (accounts.external_id)
    tag         TEXT NOT NULL, -- key
    searched_at TEXT NOT NULL, -- UTC, the first query of the tag in its 7-day window
    UNIQUE (ig_user_id, tag, searched_at)
) STRICT;

CREATE INDEX hashtag_searches_window ON hashtag_searches (ig_user_id, searched_at);
