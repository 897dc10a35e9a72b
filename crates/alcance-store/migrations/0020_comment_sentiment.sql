-- Alcance store, schema version 20: which sentiment model scored each comment (issue 17
-- point 4; docs/comments.md, docs/schema.md). Forward-only. (0019 is the competitors'.)
--
-- comments.sentiment_label / sentiment_score (0016) are now filled when a comment with
-- text is saved, and again when its text changes; `sentiment_model` is the id of the model
-- that scored it (`alcance_core::sentiment::SentimentModel::id`, `lexicon-v1`), so rows
-- scored by another model (or none: saved before this version) are rescored
-- (`Store::rescore_comments`, run when a workspace opens and by `alcance comments rescore`).
ALTER TABLE comments ADD COLUMN sentiment_model TEXT;

-- The Inbox's sentiment filter and the shares read labels per time.
CREATE INDEX comments_sentiment ON comments (sentiment_label, created_at);
