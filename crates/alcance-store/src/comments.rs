//! Comments, replies, mentions and tags (schema version 16, `migrations/0016_comments.sql`;
//! docs/comments.md): `comments`, one row per account and platform comment id, written by
//! collections ([`Store::save_comments`]) and by Meta's webhooks alike, so the same
//! comment seen both ways is one row; `comment_reads`, the platform's comment counter of
//! each post when its comments were last read completely ([`Store::comments_due`] picks
//! the posts to read again from it).
//!
//! - Seen again, a comment's counts and text are updated; a changed text sets `edited`.
//! - A comment of a post whose comments were read completely, and that was not among
//!   them, is marked `deleted` (kept, never removed); seen again later, it is not deleted.
//! - Searching ([`CommentFilter::search`]): every word of the query must begin a word of
//!   the comment's text or its author's handle, case-insensitively; SQLite folds accents
//!   (FTS5 `unicode61 remove_diacritics 2`), PostgreSQL matches them as written
//!   (`to_tsvector('simple', …)`).
//!
//! - Sentiment (schema version 20): a comment saved with text is scored on the machine by
//!   [`alcance_core::sentiment::default_model`] (label, compound −1..1 and the model's id),
//!   and scored again when its text changes; [`Store::rescore_comments`] scores the rows a
//!   different model (or none) scored. [`Store::comment_sentiments`] reads the labels for
//!   the shares.
//!
//! Every timestamp is UTC (see [`crate::time`]).

use crate::engine::on_tx;
use crate::query::json_list;
use crate::time::{to_db, DbTime, DbTimeOpt};
use crate::{on_pool, Engine, Store, StoreError};
use alcance_core::sentiment::{default_model, SentimentLabel, SentimentModel};
use alcance_core::{CommentKind, CommentRecord, Platform};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest stored comment text, characters (Instagram allows 2,200, Facebook 8,000, X
/// 25,000 for long posts); longer text is cut.
pub const MAX_TEXT_CHARS: usize = 25_000;

/// Most words a search query keeps (the rest are ignored).
pub const MAX_SEARCH_WORDS: usize = 16;

/// Which comments to list ([`Store::comments`]): every field narrows the list; the
/// default lists everything but deleted comments.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CommentFilter {
    /// Only these accounts (`accounts.id`); empty for all.
    pub account_ids: Vec<i64>,
    /// Only these platforms; empty for all.
    pub platforms: Vec<Platform>,
    /// Only the comments on this post (`posts.external_id`, the platform's post id).
    pub post_external_id: Option<String>,
    /// Only these kinds; empty for all.
    pub kinds: Vec<CommentKind>,
    /// Written at or after this instant (UTC).
    pub since: Option<DateTime<Utc>>,
    /// Written before this instant (UTC).
    pub until: Option<DateTime<Utc>>,
    /// Words to search for in the text and the author's handle (see the module's notes);
    /// punctuation separates words.
    pub search: Option<String>,
    /// Also list comments deleted on the platform.
    pub include_deleted: bool,
    /// Only comments with these sentiment labels; empty for all (unscored ones included).
    #[serde(default)]
    pub sentiments: Vec<SentimentLabel>,
    /// Only comments on the posts of this campaign (`campaigns.id`, its `campaign_posts`).
    #[serde(default)]
    pub campaign_id: Option<i64>,
}

/// Where a page of [`Store::comments`] ends: the last row's `created_at` and id (pages
/// run newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CommentCursor {
    /// `created_at` of the last row of the page (UTC).
    pub created_at: DateTime<Utc>,
    /// `comments.id` of the last row of the page.
    pub id: i64,
}

/// One stored comment with its account and, when stored, its post.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CommentRow {
    /// `comments.id`.
    pub id: i64,
    /// `accounts.id` of the account it belongs to.
    pub account_id: i64,
    /// The account's platform.
    pub platform: Platform,
    /// The account's handle.
    pub account_username: Option<String>,
    /// The platform's comment id.
    pub external_id: String,
    /// The platform's id of the post it is on (or a mention is in), when known.
    pub post_external_id: Option<String>,
    /// `posts.id` of that post, when it is stored (one of the account's posts).
    pub post_id: Option<i64>,
    /// That post's link, when stored.
    pub post_permalink: Option<String>,
    /// That post's caption, when stored.
    pub post_caption: Option<String>,
    /// The comment a reply answers (platform id).
    pub parent_external_id: Option<String>,
    /// Comment, reply, mention or tag.
    pub kind: CommentKind,
    /// The author's platform id.
    pub author_id: Option<String>,
    /// The author's handle, without `@`.
    pub author_handle: Option<String>,
    /// When it was written (UTC); the first time it was seen when the platform gave no time.
    #[sqlx(try_from = "DbTime")]
    pub created_at: DateTime<Utc>,
    /// Its text; `None` when never served (a mention webhook).
    pub text: Option<String>,
    /// Likes (count) when last seen.
    pub like_count: Option<i64>,
    /// Replies (count) when last seen.
    pub reply_count: Option<i64>,
    /// `true` once its text changed between two reads.
    pub edited: bool,
    /// `true` when a complete re-read of its post no longer had it.
    pub deleted: bool,
    /// First seen (UTC).
    #[sqlx(try_from = "DbTime")]
    pub first_seen_at: DateTime<Utc>,
    /// Last seen (UTC).
    #[sqlx(try_from = "DbTime")]
    pub last_seen_at: DateTime<Utc>,
    /// The text's sentiment label; `None` without text (schema version 20 scores every
    /// comment with text when saved).
    pub sentiment_label: Option<SentimentLabel>,
    /// The text's compound sentiment score, −1 (most negative) to 1 (most positive).
    pub sentiment_score: Option<f64>,
    /// The id of the model that scored it (`lexicon-v1`).
    pub sentiment_model: Option<String>,
}

/// One scored comment as the sentiment shares read it ([`Store::comment_sentiments`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct CommentSentiment {
    /// `comments.id`.
    pub id: i64,
    /// `accounts.id`.
    pub account_id: i64,
    /// The platform's id of the post it is on, when known.
    pub post_external_id: Option<String>,
    /// `posts.id` of that post, when stored.
    pub post_id: Option<i64>,
    /// Comment, reply, mention or tag.
    pub kind: CommentKind,
    /// When it was written (UTC).
    #[sqlx(try_from = "DbTime")]
    pub created_at: DateTime<Utc>,
    /// Its label.
    pub label: SentimentLabel,
    /// Its compound score, −1 to 1.
    pub score: Option<f64>,
    /// Likes (count) when last seen.
    pub like_count: Option<i64>,
    /// The author's handle, without `@`.
    pub author_handle: Option<String>,
    /// Its text.
    pub text: Option<String>,
}

/// What [`Store::rescore_comments`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CommentsRescored {
    /// Rows scored now (their model was another one, or none).
    pub scored: u64,
    /// Rows without text whose stale score was cleared.
    pub cleared: u64,
}

/// What [`Store::save_comments`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CommentsSaved {
    /// Comments written (new or seen again).
    pub saved: u64,
    /// Comments seen for the first time.
    pub new: u64,
    /// Comments whose text changed now.
    pub edited: u64,
    /// Comments marked deleted now (missing from a complete read of their post).
    pub deleted: u64,
}

/// A post whose comments a collection should read ([`Store::comments_due`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct CommentsDue {
    /// `posts.id`.
    pub post_id: i64,
    /// The platform's post id.
    pub external_id: String,
    /// When it was published (UTC), when known.
    #[sqlx(try_from = "DbTimeOpt")]
    pub published_at: Option<DateTime<Utc>>,
    /// The platform's comment counter last collected (the `comments` post metric; X's
    /// `replies`).
    pub counter: Option<f64>,
}

/// One post's comments: how many are stored against the platform's own counter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PostCommentCount {
    /// `posts.id`.
    pub post_id: i64,
    /// `accounts.id`.
    pub account_id: i64,
    /// The account's platform.
    pub platform: Platform,
    /// The platform's post id.
    pub external_id: String,
    /// The post's link.
    pub permalink: Option<String>,
    /// When it was published (UTC).
    #[sqlx(try_from = "DbTimeOpt")]
    pub published_at: Option<DateTime<Utc>>,
    /// Comments and replies stored for it and not deleted (count).
    pub stored: i64,
    /// The platform's comment counter as last collected (the `comments` post metric, X's
    /// `replies`; `None` when never collected).
    pub platform_count: Option<f64>,
}

impl PostCommentCount {
    /// The platform's counter minus the stored comments (positive: the platform counts
    /// comments Alcance has not stored — hidden, restricted, not read yet); `None` without
    /// a counter.
    pub fn difference(&self) -> Option<f64> {
        self.platform_count.map(|c| c - self.stored as f64)
    }
}

/// The words of a search query: runs of letters and digits, lower-cased, at most
/// [`MAX_SEARCH_WORDS`] of at most 64 characters each.
pub fn search_words(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_SEARCH_WORDS)
        .map(|w| w.chars().take(64).collect::<String>().to_lowercase())
        .collect()
}

/// The engine's full-text query for `words` (each a prefix, all required): FTS5
/// `"w1"* "w2"*`, PostgreSQL `to_tsquery` text `w1:* & w2:*`. Words hold only letters and
/// digits, so nothing in them is query syntax.
fn text_query(engine: Engine, words: &[String]) -> String {
    match engine {
        Engine::Sqlite => words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" "),
        Engine::Postgres => words.iter().map(|w| format!("{w}:*")).collect::<Vec<_>>().join(" & "),
    }
}

const UPSERT: &str = "INSERT INTO comments (account_id, external_id, post_external_id, parent_external_id, kind,
        author_id, author_handle, created_at, text, like_count, reply_count, first_seen_at, last_seen_at,
        sentiment_label, sentiment_score, sentiment_model)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $14, $15, $16)
     ON CONFLICT (account_id, external_id) DO UPDATE SET
        post_external_id = COALESCE(excluded.post_external_id, comments.post_external_id),
        parent_external_id = COALESCE(excluded.parent_external_id, comments.parent_external_id),
        author_id = COALESCE(excluded.author_id, comments.author_id),
        author_handle = COALESCE(excluded.author_handle, comments.author_handle),
        created_at = CASE WHEN $13 THEN excluded.created_at ELSE comments.created_at END,
        edited = CASE WHEN excluded.text IS NOT NULL AND comments.text IS NOT NULL AND excluded.text <> comments.text
                      THEN TRUE ELSE comments.edited END,
        text = COALESCE(excluded.text, comments.text),
        sentiment_label = CASE WHEN excluded.text IS NOT NULL THEN excluded.sentiment_label ELSE comments.sentiment_label END,
        sentiment_score = CASE WHEN excluded.text IS NOT NULL THEN excluded.sentiment_score ELSE comments.sentiment_score END,
        sentiment_model = CASE WHEN excluded.text IS NOT NULL THEN excluded.sentiment_model ELSE comments.sentiment_model END,
        like_count = COALESCE(excluded.like_count, comments.like_count),
        reply_count = COALESCE(excluded.reply_count, comments.reply_count),
        deleted = FALSE,
        first_seen_at = CASE WHEN excluded.first_seen_at < comments.first_seen_at
                             THEN excluded.first_seen_at ELSE comments.first_seen_at END,
        last_seen_at = CASE WHEN excluded.last_seen_at > comments.last_seen_at
                            THEN excluded.last_seen_at ELSE comments.last_seen_at END";

const COLUMNS: &str = "c.id, c.account_id, a.platform, a.username AS account_username, c.external_id,
        c.post_external_id, p.id AS post_id, p.permalink AS post_permalink, p.caption AS post_caption,
        c.parent_external_id, c.kind, c.author_id, c.author_handle, c.created_at, c.text, c.like_count,
        c.reply_count, c.edited, c.deleted, c.first_seen_at, c.last_seen_at, c.sentiment_label, c.sentiment_score, c.sentiment_model";

const FROM: &str = "FROM comments AS c JOIN accounts AS a ON a.id = c.account_id
     LEFT JOIN posts AS p ON p.account_id = c.account_id AND p.external_id = c.post_external_id";

/// A comment's stored text: at most [`MAX_TEXT_CHARS`] characters.
fn stored_text(text: &Option<String>) -> Option<String> {
    text.as_ref().map(|t| {
        if t.chars().count() > MAX_TEXT_CHARS {
            t.chars().take(MAX_TEXT_CHARS).collect()
        } else {
            t.clone()
        }
    })
}

/// The stored sentiment of `text` by `model`: label, compound (finite, −1..1) and the
/// model's id; all `None` without text.
fn scored(
    model: &dyn SentimentModel,
    text: Option<&str>,
) -> (Option<SentimentLabel>, Option<f64>, Option<&'static str>) {
    match text {
        None => (None, None, None),
        Some(t) => {
            let s = model.score(t, None);
            let compound = if s.compound.is_finite() {
                s.compound.clamp(-1.0, 1.0)
            } else {
                0.0
            };
            (Some(s.label), Some(compound), Some(model.id()))
        }
    }
}

/// The WHERE conditions of a [`CommentFilter`] over `comments AS c`, `accounts AS a` and
/// `posts AS p`: parameters `$1` to `$10` (see [`Store::comments`] for the binds).
fn filter_conditions(engine: Engine, search: bool) -> String {
    // Without a query the index is not consulted at all (FTS5 refuses a NULL query).
    let matches = match (engine, search) {
        (_, false) => "$7 IS NULL",
        (Engine::Sqlite, true) => "c.id IN (SELECT rowid FROM comments_fts WHERE comments_fts MATCH $7)",
        (Engine::Postgres, true) => "c.text_search @@ to_tsquery('simple'::regconfig, $7)",
    };
    format!(
        "($1 IS NULL OR c.account_id IN ({ids}))
               AND ($2 IS NULL OR a.platform IN ({platforms}))
               AND ($3 IS NULL OR c.post_external_id = $3)
               AND ($4 IS NULL OR c.kind IN ({kinds}))
               AND ($5 IS NULL OR c.created_at >= $5)
               AND ($6 IS NULL OR c.created_at < $6)
               AND {matches}
               AND ($8 OR c.deleted = FALSE)
               AND ($9 IS NULL OR c.sentiment_label IN ({sentiments}))
               AND ($10 IS NULL OR p.id IN (SELECT cp.post_id FROM campaign_posts AS cp WHERE cp.campaign_id = $10))",
        ids = engine.json_list(1, "BIGINT"),
        platforms = engine.json_list(2, "TEXT"),
        kinds = engine.json_list(4, "TEXT"),
        sentiments = engine.json_list(9, "TEXT"),
    )
}

/// The search query of `filter` in the engine's syntax; `None` without one.
///
/// Errors: [`StoreError::Invalid`] for a query without a word.
fn filter_search(engine: Engine, filter: &CommentFilter) -> Result<Option<String>, StoreError> {
    match filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(q) => {
            let words = search_words(q);
            if words.is_empty() {
                return Err(StoreError::Invalid {
                    what: "search",
                    value: q.to_string(),
                    expected: "words of letters or digits",
                });
            }
            Ok(Some(text_query(engine, &words)))
        }
    }
}

/// Binds `$1`–`$10` of [`filter_conditions`] to `query`.
macro_rules! bind_filter {
    ($query:expr, $filter:expr, $search:expr) => {{
        let filter: &CommentFilter = $filter;
        let platforms: Vec<&str> = filter.platforms.iter().map(|p| p.as_str()).collect();
        let kinds: Vec<&str> = filter.kinds.iter().map(|k| k.as_str()).collect();
        let sentiments: Vec<&str> = filter.sentiments.iter().map(|k| k.as_str()).collect();
        $query
            .bind(json_list(&filter.account_ids))
            .bind(json_list(&platforms))
            .bind(filter.post_external_id.clone())
            .bind(json_list(&kinds))
            .bind(filter.since.map(to_db))
            .bind(filter.until.map(to_db))
            .bind($search.clone())
            .bind(filter.include_deleted)
            .bind(json_list(&sentiments))
            .bind(filter.campaign_id)
    }};
}

/// A count as stored: negative counts (never served by a platform) are not kept.
fn count(n: Option<i64>) -> Option<i64> {
    n.filter(|n| *n >= 0)
}

impl Store {
    /// Stores the comments of account `account_id` read (or pushed) at `seen_at` (UTC), in
    /// one transaction: new ones are inserted, known ones updated (counts, text — a
    /// changed text sets `edited` —, the post and author when newly served; `deleted` is
    /// cleared). Then every comment or reply of the posts of `complete_posts` (platform
    /// post ids whose comments were read completely) last seen before `seen_at` is marked
    /// deleted, and those posts' `comment_reads` record the counter collected for them.
    ///
    /// A comment without an id is skipped. Errors: [`StoreError::NotFound`] for an unknown
    /// account; the database.
    pub async fn save_comments(
        &self,
        account_id: i64,
        seen_at: DateTime<Utc>,
        comments: &[CommentRecord],
        complete_posts: &[String],
    ) -> Result<CommentsSaved, StoreError> {
        let at = to_db(seen_at);
        let mut saved = CommentsSaved::default();
        let model = default_model();
        let mut tx = self.pool.begin_write().await?;
        let exists: Option<i64> = on_tx!(&mut tx, |c| sqlx::query_scalar("SELECT id FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_optional(&mut *c)
            .await?);
        crate::error::touched_one(u64::from(exists.is_some()), "account", account_id)?;
        for comment in comments {
            let external_id = comment.external_id.trim();
            if external_id.is_empty() {
                continue;
            }
            let before: Option<(Option<String>,)> = on_tx!(&mut tx, |c| sqlx::query_as(
                "SELECT text FROM comments WHERE account_id = $1 AND external_id = $2"
            )
            .bind(account_id)
            .bind(external_id)
            .fetch_optional(&mut *c)
            .await?);
            let text = stored_text(&comment.text);
            match &before {
                None => saved.new += 1,
                Some((Some(old),)) if text.as_ref().is_some_and(|t| t != old) => saved.edited += 1,
                Some(_) => {}
            }
            let (label, score, model_id) = scored(model, text.as_deref());
            on_tx!(&mut tx, |c| sqlx::query(UPSERT)
                .bind(account_id)
                .bind(external_id)
                .bind(&comment.post_external_id)
                .bind(&comment.parent_external_id)
                .bind(comment.kind)
                .bind(&comment.author_id)
                .bind(&comment.author_handle)
                .bind(to_db(comment.created_at.unwrap_or(seen_at)))
                .bind(&text)
                .bind(count(comment.like_count))
                .bind(count(comment.reply_count))
                .bind(&at)
                .bind(comment.created_at.is_some())
                .bind(label)
                .bind(score)
                .bind(model_id)
                .execute(&mut *c)
                .await?
                .rows_affected());
            saved.saved += 1;
        }
        for post in complete_posts {
            saved.deleted += on_tx!(&mut tx, |c| sqlx::query(
                "UPDATE comments SET deleted = TRUE
                 WHERE account_id = $1 AND post_external_id = $2 AND kind IN ('comment', 'reply')
                   AND deleted = FALSE AND last_seen_at < $3"
            )
            .bind(account_id)
            .bind(post)
            .bind(&at)
            .execute(&mut *c)
            .await?
            .rows_affected());
            on_tx!(&mut tx, |c| sqlx::query(
                "INSERT INTO comment_reads (post_id, counter, read_at)
                 SELECT p.id,
                        (SELECT m.value FROM post_metrics AS m WHERE m.post_id = p.id
                           AND m.metric = CASE WHEN a.platform = 'x' THEN 'replies' ELSE 'comments' END
                         ORDER BY m.collected_at DESC LIMIT 1),
                        $3
                 FROM posts AS p JOIN accounts AS a ON a.id = p.account_id
                 WHERE p.account_id = $1 AND p.external_id = $2
                 ON CONFLICT (post_id) DO UPDATE SET counter = excluded.counter, read_at = excluded.read_at"
            )
            .bind(account_id)
            .bind(post)
            .bind(&at)
            .execute(&mut *c)
            .await?
            .rows_affected());
        }
        tx.commit().await?;
        Ok(saved)
    }

    /// Up to `limit` posts of account `account_id` whose comments a collection should
    /// read: published at or after `recent_since` (UTC; comments come mostly in a post's
    /// first days), or whose platform comment counter (the latest `comments` post metric)
    /// differs from the one recorded at their last complete read, or never read while the
    /// counter is above 0. Stories (no comments, only private replies) are never due.
    /// Newest published first.
    pub async fn comments_due(
        &self,
        account_id: i64,
        recent_since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<CommentsDue>, StoreError> {
        let sql = "SELECT post_id, external_id, published_at, counter FROM (
                 SELECT p.id AS post_id, p.external_id, p.published_at,
                        (SELECT m.value FROM post_metrics AS m WHERE m.post_id = p.id
                           AND m.metric = CASE WHEN a.platform = 'x' THEN 'replies' ELSE 'comments' END
                         ORDER BY m.collected_at DESC LIMIT 1) AS counter,
                        r.post_id AS read_post, r.counter AS read_counter
                 FROM posts AS p JOIN accounts AS a ON a.id = p.account_id
                 LEFT JOIN comment_reads AS r ON r.post_id = p.id
                 WHERE p.account_id = $1 AND p.content_type <> 'story'
             ) AS q
             WHERE published_at >= $2
                OR (read_post IS NULL AND counter > 0)
                OR (read_post IS NOT NULL AND counter IS NOT NULL
                    AND (read_counter IS NULL OR counter <> read_counter))
             ORDER BY published_at IS NULL, published_at DESC, post_id DESC
             LIMIT $3";
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(sql)
            .bind(account_id)
            .bind(to_db(recent_since))
            .bind(i64::from(limit))
            .fetch_all(p)
            .await?))
    }

    /// One page of comments matching `filter`, newest first (by `created_at`, then id),
    /// after `after` (the previous page's last row; `None` for the first page), at most
    /// `limit` rows.
    ///
    /// Errors: [`StoreError::Invalid`] for a search query without a word (only
    /// punctuation); the database.
    pub async fn comments(
        &self,
        filter: &CommentFilter,
        after: Option<CommentCursor>,
        limit: u32,
    ) -> Result<Vec<CommentRow>, StoreError> {
        let engine = self.engine();
        let search = filter_search(engine, filter)?;
        let sql = format!(
            "SELECT {COLUMNS} {FROM}
             WHERE {conditions}
               AND ($11 IS NULL OR c.created_at < $11 OR (c.created_at = $11 AND c.id < $12))
             ORDER BY c.created_at DESC, c.id DESC
             LIMIT $13",
            conditions = filter_conditions(engine, search.is_some()),
        );
        Ok(on_pool!(&self.pool, |p| bind_filter!(
            sqlx::query_as(&sql),
            filter,
            search
        )
        .bind(after.map(|c| to_db(c.created_at)))
        .bind(after.map_or(0, |c| c.id))
        .bind(i64::from(limit))
        .fetch_all(p)
        .await?))
    }

    /// Every scored comment matching `filter` (no paging; ordered by `created_at`, then
    /// id), for the sentiment shares: per post, per campaign, per day or week. Comments
    /// without a label (no text) are left out.
    ///
    /// Errors: [`StoreError::Invalid`] for a search query without a word; the database.
    pub async fn comment_sentiments(&self, filter: &CommentFilter) -> Result<Vec<CommentSentiment>, StoreError> {
        let engine = self.engine();
        let search = filter_search(engine, filter)?;
        let sql = format!(
            "SELECT c.id, c.account_id, c.post_external_id, p.id AS post_id, c.kind, c.created_at,
                    c.sentiment_label AS label, c.sentiment_score AS score, c.like_count, c.author_handle, c.text
             {FROM}
             WHERE {conditions} AND c.sentiment_label IS NOT NULL
             ORDER BY c.created_at, c.id",
            conditions = filter_conditions(engine, search.is_some()),
        );
        Ok(on_pool!(&self.pool, |p| bind_filter!(
            sqlx::query_as(&sql),
            filter,
            search
        )
        .fetch_all(p)
        .await?))
    }

    /// Scores again, with `model`, every comment with text that another model (or none:
    /// saved before schema version 20) scored — every comment with text when `all` —, and
    /// clears the score of comments without text; `batch` rows a transaction (1 or more).
    /// Idempotent: a second call without `all` scores nothing. Returns what it did.
    ///
    /// Errors: the database (the batches written before stay written).
    pub async fn rescore_comments(
        &self,
        model: &dyn SentimentModel,
        batch: u32,
        all: bool,
    ) -> Result<CommentsRescored, StoreError> {
        let mut done = CommentsRescored::default();
        let id = model.id();
        done.cleared = on_pool!(&self.pool, |p| sqlx::query(
            "UPDATE comments SET sentiment_label = NULL, sentiment_score = NULL, sentiment_model = NULL
             WHERE text IS NULL AND (sentiment_label IS NOT NULL OR sentiment_score IS NOT NULL
                                     OR sentiment_model IS NOT NULL)"
        )
        .execute(p)
        .await?
        .rows_affected());
        let mut after = 0i64;
        loop {
            let rows: Vec<(i64, String)> = on_pool!(&self.pool, |p| sqlx::query_as(
                "SELECT id, text FROM comments
                 WHERE text IS NOT NULL AND ($4 OR sentiment_model IS NULL OR sentiment_model <> $1) AND id > $2
                 ORDER BY id LIMIT $3"
            )
            .bind(id)
            .bind(after)
            .bind(i64::from(batch.max(1)))
            .bind(all)
            .fetch_all(p)
            .await?);
            let Some(last) = rows.last().map(|r| r.0) else {
                break;
            };
            after = last;
            let mut tx = self.pool.begin_write().await?;
            for (row_id, text) in &rows {
                let (label, score, model_id) = scored(model, Some(text));
                on_tx!(&mut tx, |c| sqlx::query(
                    "UPDATE comments SET sentiment_label = $1, sentiment_score = $2, sentiment_model = $3
                     WHERE id = $4"
                )
                .bind(label)
                .bind(score)
                .bind(model_id)
                .bind(row_id)
                .execute(&mut *c)
                .await?
                .rows_affected());
                done.scored += 1;
            }
            tx.commit().await?;
        }
        Ok(done)
    }

    /// Per post of the accounts `account_ids` (all accounts when empty; only post
    /// `post_external_id` when given): the comments stored against the platform's counter,
    /// for the posts that have either, newest published first, at most `limit`.
    pub async fn post_comment_counts(
        &self,
        account_ids: &[i64],
        post_external_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<PostCommentCount>, StoreError> {
        let engine = self.engine();
        let sql = format!(
            "SELECT post_id, account_id, platform, external_id, permalink, published_at, stored, platform_count FROM (
                 SELECT p.id AS post_id, p.account_id, a.platform, p.external_id, p.permalink, p.published_at,
                        (SELECT count(*) FROM comments AS c
                         WHERE c.account_id = p.account_id AND c.post_external_id = p.external_id
                           AND (c.kind = 'comment' OR (c.kind = 'reply' AND a.platform IN ('instagram', 'youtube')))
                           AND c.deleted = FALSE) AS stored,
                        (SELECT m.value FROM post_metrics AS m WHERE m.post_id = p.id
                           AND m.metric = CASE WHEN a.platform = 'x' THEN 'replies' ELSE 'comments' END
                         ORDER BY m.collected_at DESC LIMIT 1) AS platform_count
                 FROM posts AS p JOIN accounts AS a ON a.id = p.account_id
                 WHERE ($1 IS NULL OR p.account_id IN ({ids})) AND ($2 IS NULL OR p.external_id = $2)
             ) AS q
             WHERE stored > 0 OR platform_count > 0
             ORDER BY published_at IS NULL, published_at DESC, post_id DESC
             LIMIT $3",
            ids = engine.json_list(1, "BIGINT"),
        );
        Ok(on_pool!(&self.pool, |p| sqlx::query_as(&sql)
            .bind(json_list(account_ids))
            .bind(post_external_id)
            .bind(i64::from(limit))
            .fetch_all(p)
            .await?))
    }

    /// When the newest comment of account `account_id` among `kinds` was written (UTC);
    /// `None` when it has none.
    pub async fn latest_comment_at(
        &self,
        account_id: i64,
        kinds: &[CommentKind],
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        let sql = format!(
            "SELECT max(created_at) FROM comments WHERE account_id = $1 AND kind IN ({})",
            self.engine().json_list(2, "TEXT")
        );
        let latest: Option<String> = on_pool!(&self.pool, |p| sqlx::query_scalar(&sql)
            .bind(account_id)
            .bind(serde_json::to_string(&kinds).unwrap_or_else(|_| "[]".into()))
            .fetch_one(p)
            .await?);
        crate::time::from_db_opt("comments.created_at", latest)
    }

    /// The account of `platform` whose platform id is `external_id`, when stored (a
    /// webhook names the receiving account this way).
    pub async fn account_id_by_external(
        &self,
        platform: Platform,
        external_id: &str,
    ) -> Result<Option<i64>, StoreError> {
        Ok(on_pool!(&self.pool, |p| sqlx::query_scalar(
            "SELECT id FROM accounts WHERE platform = $1 AND external_id = $2"
        )
        .bind(platform)
        .bind(external_id)
        .fetch_optional(p)
        .await?))
    }
}
