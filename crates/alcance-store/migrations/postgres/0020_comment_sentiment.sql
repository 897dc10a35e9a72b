-- Alcance store on PostgreSQL, schema version 20: which sentiment model scored each
-- comment, as ../0020_comment_sentiment.sql (SQLite). Forward-only.
ALTER TABLE comments ADD COLUMN sentiment_model TEXT COLLATE "C";

CREATE INDEX comments_sentiment ON comments (sentiment_label, created_at);
