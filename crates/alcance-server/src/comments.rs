//! `GET /api/v1/comments` and `GET /api/v1/comments/counts`: the Inbox of comments,
//! replies, mentions and tags (`alcance_app::comments`; docs/comments.md);
//! `GET /api/v1/sentiment`: their sentiment shares (`alcance_app::sentiment`). Any signed-in
//! caller; a client sees only the comments of the accounts shared with them (another
//! account id answers 404, as for an account that does not exist).

use crate::auth::Caller;
use crate::model::string_enum;
use crate::paging::{self, DEFAULT_LIMIT};
use crate::params::{self, ApiQuery};
use crate::problem::{ApiError, Problem};
use crate::ApiState;
use alcance_app::comments::{self, CommentCursor, CommentFilter, CommentKind, CommentRow, PostCommentCount};
use alcance_app::sentiment::{self, SentimentLabel, SentimentSummary};
use alcance_app::Platform;
use axum::extract::State;
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::Schema;
use utoipa::openapi::RefOr;
use utoipa::{IntoParams, ToSchema};

fn platform_schema() -> RefOr<Schema> {
    let keys: Vec<&str> = Platform::ALL.iter().map(|p| p.as_str()).collect();
    string_enum(&keys, "The platform, by its lower-case key.")
}

fn label_schema() -> RefOr<Schema> {
    string_enum(
        &["positive", "neutral", "negative"],
        "The sentiment label of the text (`null` without text).",
    )
}

/// The labels of a `sentiment` parameter (comma separated, any case; empty for all).
fn labels(value: Option<&str>) -> Result<Vec<SentimentLabel>, ApiError> {
    let mut out = Vec::new();
    for part in value
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let label = part.to_ascii_lowercase().parse::<SentimentLabel>().map_err(|_| {
            ApiError::invalid(format!(
                "sentiment {part:?} is not a sentiment label: expected positive, neutral or negative"
            ))
        })?;
        if !out.contains(&label) {
            out.push(label);
        }
    }
    Ok(out)
}

fn kind_schema() -> RefOr<Schema> {
    string_enum(
        &["comment", "reply", "mention", "tag"],
        "`comment` (on one of the account's posts), `reply` (to a comment on them), `mention` (someone \
         else's comment or post naming the account), `tag` (someone else's media the account is tagged in; \
         its text is the caption).",
    )
}

/// Which comments.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommentParams {
    /// Only this account's comments (`/api/v1/accounts` id).
    #[param(value_type = Option<i64>, minimum = 1)]
    pub account_id: Option<String>,
    /// Only this platform's: `instagram`, `facebook`, `x` (any letter case).
    #[param(example = "instagram")]
    pub platform: Option<String>,
    /// Only the comments on this post: the platform's post id (`posts[].external_id`).
    pub post: Option<String>,
    /// Only this kind: `comment`, `reply`, `mention` or `tag`.
    #[param(example = "comment")]
    pub kind: Option<String>,
    /// Written on or after this UTC day, `YYYY-MM-DD` (inclusive).
    #[param(value_type = Option<String>, format = Date, example = "2026-11-01")]
    pub start_date: Option<String>,
    /// Written on or before this UTC day, `YYYY-MM-DD` (inclusive).
    #[param(value_type = Option<String>, format = Date, example = "2026-11-30")]
    pub end_date: Option<String>,
    /// Words to search for in the text and the author's handle: every word must begin a
    /// word of either, any letter case; punctuation separates words.
    #[param(example = "onde comprar")]
    pub q: Option<String>,
    /// Only comments of these sentiment labels, comma separated: `positive`, `neutral`,
    /// `negative` (any letter case).
    #[param(example = "negative")]
    pub sentiment: Option<String>,
    /// Only comments on the posts of this campaign (`/api/v1/campaigns` id).
    #[param(value_type = Option<i64>, minimum = 1)]
    pub campaign_id: Option<String>,
    /// `true` to list comments deleted on the platform too (kept, marked `deleted`).
    #[param(value_type = Option<bool>)]
    pub include_deleted: Option<String>,
    /// Items per page, 1–500; default 100.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500, example = 100)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page (opaque); absent for the first page.
    pub cursor: Option<String>,
}

/// One comment, reply, mention or tag.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Comment {
    /// The store's id.
    pub id: i64,
    /// The account it belongs to (`/api/v1/accounts` id).
    pub account_id: i64,
    /// The account's platform.
    #[schema(schema_with = platform_schema)]
    pub platform: Platform,
    /// The account's handle.
    pub account_username: Option<String>,
    /// The platform's comment id (a tag: the media's id).
    pub external_id: String,
    /// The platform's id of the post it is on (or a mention is in).
    pub post_external_id: Option<String>,
    /// The store's id of that post, when it is one of the account's (`/api/v1/posts`).
    pub post_id: Option<i64>,
    /// That post's link.
    pub post_permalink: Option<String>,
    /// That post's caption.
    pub post_caption: Option<String>,
    /// A reply: the platform's id of the comment it answers.
    pub parent_external_id: Option<String>,
    /// What it is.
    #[schema(schema_with = kind_schema)]
    pub kind: CommentKind,
    /// The author's platform id.
    pub author_id: Option<String>,
    /// The author's handle, without `@`.
    pub author_handle: Option<String>,
    /// When it was written (UTC); when the platform gave no time, when it was first seen.
    pub created_at: DateTime<Utc>,
    /// Its text; `null` when never served (a mention pushed without its text).
    pub text: Option<String>,
    /// Likes (count) when last seen.
    pub like_count: Option<i64>,
    /// Replies (count) when last seen.
    pub reply_count: Option<i64>,
    /// `true` once its text changed between two reads.
    pub edited: bool,
    /// `true` when the platform no longer has it (kept here).
    pub deleted: bool,
    /// First seen (UTC).
    pub first_seen_at: DateTime<Utc>,
    /// Last seen (UTC).
    pub last_seen_at: DateTime<Utc>,
    /// Sentiment label of its text, computed on the machine when it was saved:
    /// `positive`, `neutral` or `negative`; `null` without text.
    #[schema(schema_with = label_schema)]
    pub sentiment_label: Option<SentimentLabel>,
    /// Compound sentiment score of its text, −1 (most negative) to 1 (most positive).
    pub sentiment_score: Option<f64>,
    /// The id of the model that scored it (`lexicon-v1`).
    pub sentiment_model: Option<String>,
}

impl From<CommentRow> for Comment {
    fn from(r: CommentRow) -> Self {
        Comment {
            id: r.id,
            account_id: r.account_id,
            platform: r.platform,
            account_username: r.account_username,
            external_id: r.external_id,
            post_external_id: r.post_external_id,
            post_id: r.post_id,
            post_permalink: r.post_permalink,
            post_caption: r.post_caption,
            parent_external_id: r.parent_external_id,
            kind: r.kind,
            author_id: r.author_id,
            author_handle: r.author_handle,
            created_at: r.created_at,
            text: r.text,
            like_count: r.like_count,
            reply_count: r.reply_count,
            edited: r.edited,
            deleted: r.deleted,
            first_seen_at: r.first_seen_at,
            last_seen_at: r.last_seen_at,
            sentiment_label: r.sentiment_label,
            sentiment_score: r.sentiment_score,
            sentiment_model: r.sentiment_model,
        }
    }
}

/// A page of comments, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentPage {
    /// The comments.
    pub items: Vec<Comment>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// One post's comments stored against the platform's own counter.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostCommentCountView {
    /// The store's post id (`/api/v1/posts`).
    pub post_id: i64,
    /// Its account.
    pub account_id: i64,
    /// Its platform.
    #[schema(schema_with = platform_schema)]
    pub platform: Platform,
    /// The platform's post id.
    pub external_id: String,
    /// Its link.
    pub permalink: Option<String>,
    /// When it was published (UTC).
    pub published_at: Option<DateTime<Utc>>,
    /// Comments stored and not deleted, counted as the platform counts (count).
    pub stored: i64,
    /// The platform's counter as last collected (count); `null` when never collected.
    pub platform_count: Option<f64>,
    /// `platform_count − stored` (comments the platform counts that are not stored:
    /// hidden, restricted, not read yet); `null` without a counter.
    pub difference: Option<f64>,
}

impl From<PostCommentCount> for PostCommentCountView {
    fn from(c: PostCommentCount) -> Self {
        PostCommentCountView {
            difference: c.difference(),
            post_id: c.post_id,
            account_id: c.account_id,
            platform: c.platform,
            external_id: c.external_id,
            permalink: c.permalink,
            published_at: c.published_at,
            stored: c.stored,
            platform_count: c.platform_count,
        }
    }
}

/// The caller's comment filter from the query (account scoping as `/api/v1/posts`).
async fn filter(state: &ApiState, caller: &Caller, q: &CommentParams) -> Result<CommentFilter, ApiError> {
    let view = state
        .filter(
            caller,
            q.account_id.as_deref(),
            q.platform.as_deref(),
            q.start_date.as_deref(),
            q.end_date.as_deref(),
        )
        .await?;
    let kinds = match q.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => Vec::new(),
        Some(k) => vec![k.to_ascii_lowercase().parse::<CommentKind>().map_err(|_| {
            ApiError::invalid(format!(
                "kind {k:?} is not a comment kind: expected comment, reply, mention or tag"
            ))
        })?],
    };
    let include_deleted = match q.include_deleted.as_deref().map(str::trim) {
        None | Some("") | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "include_deleted {other:?} must be true or false"
            )))
        }
    };
    let campaign_id = params::integer("campaign_id", q.campaign_id.as_deref())?;
    if campaign_id.is_some_and(|id| id < 1) {
        return Err(ApiError::invalid("campaign_id must be 1 or more"));
    }
    Ok(CommentFilter {
        sentiments: labels(q.sentiment.as_deref())?,
        campaign_id,
        account_ids: view.account_ids.iter().map(|a| a.0).collect(),
        platforms: view.platforms,
        post_external_id: q.post.clone().filter(|p| !p.trim().is_empty()),
        kinds,
        since: view.since,
        until: view.until,
        search: q.q.clone().filter(|s| !s.trim().is_empty()),
        include_deleted,
    })
}

/// Lists comments, replies, mentions and tags, newest first, with filters and full-text
/// search.
#[utoipa::path(
    get,
    path = "/api/v1/comments",
    tag = "comments",
    params(CommentParams),
    responses(
        (status = 200, description = "A page of comments", body = CommentPage),
        (status = 400, description = "A bad date, platform, kind, account id, search, `limit` or `cursor`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No account has this `account_id`", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The server failed (see its log)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_comments(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<CommentParams>,
) -> Result<Json<CommentPage>, ApiError> {
    let max = comments::MAX_PAGE as usize;
    let limit = paging::limit(params::integer("limit", q.limit.as_deref())?, DEFAULT_LIMIT, max)?;
    let filter = filter(&state, &caller, &q).await?;
    let after = paging::after::<(DateTime<Utc>, i64)>("comments", q.cursor.as_deref())?
        .map(|(created_at, id)| CommentCursor { created_at, id });
    let page = comments::list(state.workspace(), &filter, after, u32::try_from(limit).unwrap_or(100)).await?;
    Ok(Json(CommentPage {
        next_cursor: page
            .next
            .map(|c| paging::next_cursor("comments", &(c.created_at, c.id))),
        items: page.items.into_iter().map(Comment::from).collect(),
    }))
}

/// Which posts' counts.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CountParams {
    /// Only this account's posts (`/api/v1/accounts` id).
    #[param(value_type = Option<i64>, minimum = 1)]
    pub account_id: Option<String>,
    /// Only this post: the platform's post id.
    pub post: Option<String>,
    /// Posts, 1–500; default 100.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500, example = 100)]
    pub limit: Option<String>,
}

/// Per post (newest first, those with stored comments or a counter above 0): the comments
/// stored against the platform's own counter, and the difference.
#[utoipa::path(
    get,
    path = "/api/v1/comments/counts",
    tag = "comments",
    params(CountParams),
    responses(
        (status = 200, description = "Per-post counts", body = [PostCommentCountView]),
        (status = 400, description = "A bad account id or `limit`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No account has this `account_id`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn comment_counts(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<CountParams>,
) -> Result<Json<Vec<PostCommentCountView>>, ApiError> {
    let max = comments::MAX_PAGE as usize;
    let limit = paging::limit(params::integer("limit", q.limit.as_deref())?, DEFAULT_LIMIT, max)?;
    let view = state.filter(&caller, q.account_id.as_deref(), None, None, None).await?;
    let ids: Vec<i64> = view.account_ids.iter().map(|a| a.0).collect();
    let post = q.post.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let counts = comments::post_counts(state.workspace(), &ids, post, u32::try_from(limit).unwrap_or(100)).await?;
    Ok(Json(counts.into_iter().map(PostCommentCountView::from).collect()))
}

/// Which comments' sentiment.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SentimentParams {
    /// Only this account's comments (`/api/v1/accounts` id).
    #[param(value_type = Option<i64>, minimum = 1)]
    pub account_id: Option<String>,
    /// Only this platform's: `instagram`, `facebook`, `x` (any letter case).
    pub platform: Option<String>,
    /// Only the comments on this post: the platform's post id.
    pub post: Option<String>,
    /// Only this kind: `comment`, `reply`, `mention` or `tag`.
    pub kind: Option<String>,
    /// Only comments on the posts of this campaign (`/api/v1/campaigns` id).
    #[param(value_type = Option<i64>, minimum = 1)]
    pub campaign_id: Option<String>,
    /// Written on or after this UTC day, `YYYY-MM-DD` (inclusive).
    #[param(value_type = Option<String>, format = Date, example = "2026-11-01")]
    pub start_date: Option<String>,
    /// Written on or before this UTC day, `YYYY-MM-DD` (inclusive).
    #[param(value_type = Option<String>, format = Date, example = "2026-11-30")]
    pub end_date: Option<String>,
    /// Words every counted comment must contain (as `/api/v1/comments`' `q`).
    pub q: Option<String>,
    /// IANA time zone of the days and weeks; default `America/Sao_Paulo`.
    #[param(example = "America/Sao_Paulo")]
    pub time_zone: Option<String>,
}

/// Sentiment shares of the comments, replies and mentions matching the filters: overall,
/// per local day, per local week (Monday) and per post, with the most liked positive and
/// negative comments. Shares are ratios 0–1; counts are comments.
#[utoipa::path(
    get,
    path = "/api/v1/sentiment",
    tag = "comments",
    params(SentimentParams),
    responses(
        (status = 200, description = "The sentiment summary", body = SentimentSummary),
        (status = 400, description = "A bad date, platform, kind, account or campaign id, search or time zone", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No account has this `account_id`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn sentiment_summary(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<SentimentParams>,
) -> Result<Json<SentimentSummary>, ApiError> {
    let tz = alcance_app::zone::parse_optional(q.time_zone.as_deref())
        .map_err(|e| ApiError::invalid(e.to_string()))?
        .unwrap_or(sentiment::DEFAULT_TIME_ZONE);
    let params = CommentParams {
        account_id: q.account_id,
        platform: q.platform,
        post: q.post,
        kind: q.kind,
        start_date: q.start_date,
        end_date: q.end_date,
        q: q.q,
        campaign_id: q.campaign_id,
        ..CommentParams::default()
    };
    let filter = filter(&state, &caller, &params).await?;
    Ok(Json(sentiment::summary(state.workspace(), &filter, tz).await?))
}
