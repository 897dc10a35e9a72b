-- Alcance store, schema version 16: comments and mentions (issue 17 point 3;
-- docs/comments.md, docs/schema.md). Forward-only. (0015 is the Sheets delivery's.)
--
-- comments: one row per account and platform comment id — comments and replies on the
-- account's own posts, mentions of it, media it is tagged in — from polling and from
-- Meta's webhooks alike (the same comment from both is one row). Seen again, a comment's
-- counts and text are updated and `edited` set when its text changed; missing from a
-- complete re-read of its post it is marked `deleted`, never removed. Comment text is
-- personal data: exported with its account and deleted with it (docs/PRIVACY.md).
-- `sentiment_label` / `sentiment_score` are left empty for a later scorer.
CREATE TABLE comments (
    id                 INTEGER PRIMARY KEY,
    account_id         INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    external_id        TEXT    NOT NULL,         -- the platform's comment id (a tag: the media's id)
    post_external_id   TEXT,                     -- posts.external_id of the post it is on / the media a mention is in
    parent_external_id TEXT,                     -- a reply: the comment it answers
    kind               TEXT    NOT NULL CHECK (kind IN ('comment', 'reply', 'mention', 'tag')),
    author_id          TEXT,
    author_handle      TEXT,                     -- without @
    created_at         TEXT    NOT NULL,         -- UTC; when not served, the first time it was seen
    text               TEXT,                     -- as written; NULL when never served (a mention webhook)
    like_count         INTEGER CHECK (like_count >= 0),
    reply_count        INTEGER CHECK (reply_count >= 0),
    edited             INTEGER NOT NULL DEFAULT 0 CHECK (edited IN (0, 1)),
    deleted            INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    first_seen_at      TEXT    NOT NULL,         -- UTC
    last_seen_at       TEXT    NOT NULL,         -- UTC
    sentiment_label    TEXT,                     -- filled later by a sentiment scorer
    sentiment_score    REAL,
    UNIQUE (account_id, external_id)
) STRICT;

CREATE INDEX comments_newest ON comments (created_at, id);
CREATE INDEX comments_post ON comments (account_id, post_external_id);

-- Full-text search over the text and the author's handle: an FTS5 index whose content is
-- the comments table itself (external content), kept by the triggers below. Diacritics
-- are folded (`comentario` finds `comentário`). PostgreSQL has a generated tsvector
-- column instead (postgres/0016_comments.sql).
CREATE VIRTUAL TABLE comments_fts USING fts5 (
    text, author_handle,
    content = 'comments', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER comments_fts_insert AFTER INSERT ON comments BEGIN
    INSERT INTO comments_fts (rowid, text, author_handle) VALUES (new.id, new.text, new.author_handle);
END;

CREATE TRIGGER comments_fts_delete AFTER DELETE ON comments BEGIN
    INSERT INTO comments_fts (comments_fts, rowid, text, author_handle)
    VALUES ('delete', old.id, old.text, old.author_handle);
END;

CREATE TRIGGER comments_fts_update AFTER UPDATE OF text, author_handle ON comments BEGIN
    INSERT INTO comments_fts (comments_fts, rowid, text, author_handle)
    VALUES ('delete', old.id, old.text, old.author_handle);
    INSERT INTO comments_fts (rowid, text, author_handle) VALUES (new.id, new.text, new.author_handle);
END;

-- comment_reads: per post, the platform's comment counter when its comments were last
-- read completely, so a collection re-reads only recent posts and posts whose counter
-- changed since (docs/comments.md).
CREATE TABLE comment_reads (
    post_id          INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    counter          REAL,                        -- the `comments` post metric at the read; NULL when none
    read_at          TEXT    NOT NULL             -- UTC
) STRICT;
