//! Reading comments, replies, mentions and tags of an owned account
//! ([`crate::PlatformClient::read_comments`]; docs/comments.md): what a client is asked to
//! read ([`CommentsCtx`]) and the Graph API comment listing Instagram and Facebook share.
//!
//! A post's comments count as read *completely* only when every page of its listing and of
//! every nested reply listing was read: only then may the store mark a comment it no longer
//! sees as deleted.

use crate::error::PlatformError;
use crate::http::{Http, Recorder};
use crate::lenient;
use crate::meta::{self, PageVerdict};
use alcance_core::{AccountRef, CommentKind, CommentRecord, CommentsRead, DataGap};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

/// Most pages read from one post's comment listing (and from a mentions or tags listing);
/// a longer listing stops there, and its post does not count as read completely.
pub const MAX_COMMENT_PAGES: usize = 20;

/// What a client reads comments for: one owned account, its token, the posts to read
/// (their platform ids, chosen by the app: see `alcance_app::comments`), and from when to
/// read mentions and tags.
#[derive(Debug, Clone)]
pub struct CommentsCtx {
    /// The owned account.
    pub account: AccountRef,
    /// Its access token.
    pub token: SecretString,
    /// Platform ids of the account's posts whose comments to read.
    pub posts: Vec<String>,
    /// Mentions and tags written at or after this instant (UTC) are read.
    pub mentions_since: DateTime<Utc>,
    /// Where every exchange is archived.
    pub recorder: Recorder,
}

/// A data gap for a comment read that failed: `what` the endpoint, the object, the
/// error's code and message (never a token).
pub(crate) fn gap(what: &str, object_id: &str, e: &PlatformError) -> DataGap {
    DataGap {
        what: what.to_string(),
        object_id: object_id.to_string(),
        code: e.code(),
        detail: e.to_string(),
    }
}

/// A Graph comment node, lenient: Instagram (`id,text,username,timestamp,like_count,
/// replies{…}`) and Facebook (`id,message,created_time,from{id,name},like_count,
/// comment_count,parent{id}`) fields together.
#[derive(Debug, Default, Deserialize)]
struct GraphComment {
    #[serde(default, deserialize_with = "lenient::string")]
    id: Option<String>,
    /// Instagram.
    #[serde(default, deserialize_with = "lenient::string")]
    text: Option<String>,
    /// Facebook.
    #[serde(default, deserialize_with = "lenient::string")]
    message: Option<String>,
    /// Instagram.
    #[serde(default, deserialize_with = "lenient::string")]
    username: Option<String>,
    #[serde(default, deserialize_with = "lenient::object")]
    from: Option<Author>,
    /// Instagram.
    #[serde(default, deserialize_with = "lenient::string")]
    timestamp: Option<String>,
    /// Facebook.
    #[serde(default, deserialize_with = "lenient::string")]
    created_time: Option<String>,
    #[serde(default, deserialize_with = "lenient::i64")]
    like_count: Option<i64>,
    /// Facebook: replies (count).
    #[serde(default, deserialize_with = "lenient::i64")]
    comment_count: Option<i64>,
    /// Facebook with `filter=stream`: the comment a reply answers.
    #[serde(default, deserialize_with = "lenient::object")]
    parent: Option<Parent>,
    /// Instagram: the replies edge.
    #[serde(default, deserialize_with = "lenient::object")]
    replies: Option<Replies>,
}

#[derive(Debug, Default, Deserialize)]
struct Author {
    #[serde(default, deserialize_with = "lenient::string")]
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    username: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Parent {
    #[serde(default, deserialize_with = "lenient::string")]
    id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Replies {
    #[serde(default, deserialize_with = "lenient::list")]
    data: Vec<Value>,
    #[serde(default, deserialize_with = "lenient::object")]
    paging: Option<meta::Paging>,
}

/// One Graph comment node as a record of `post_id`; `None` without an id. A node with a
/// `parent` (Facebook) or `parent_id` given (Instagram's nested replies) is a reply.
fn graph_record(node: GraphComment, post_id: &str, parent_id: Option<&str>) -> Option<CommentRecord> {
    let id = node.id?;
    let parent = parent_id.map(str::to_string).or_else(|| node.parent.and_then(|p| p.id));
    let from = node.from.unwrap_or_default();
    Some(CommentRecord {
        external_id: id,
        post_external_id: Some(post_id.to_string()),
        kind: if parent.is_some() {
            CommentKind::Reply
        } else {
            CommentKind::Comment
        },
        parent_external_id: parent,
        author_id: from.id,
        author_handle: node.username.or(from.username).or(from.name),
        created_at: node
            .timestamp
            .or(node.created_time)
            .as_deref()
            .and_then(meta::parse_time),
        text: node.text.or(node.message),
        like_count: node.like_count,
        reply_count: node.comment_count,
    })
}

/// The comments of one Graph object read from a paged `GET {base}/{object_id}/comments`.
#[derive(Debug, Default)]
pub(crate) struct GraphComments {
    pub(crate) comments: Vec<CommentRecord>,
    /// Every page of the listing and of each nested `replies` edge was read.
    pub(crate) complete: bool,
    /// A later page that failed, a paging guard stop.
    pub(crate) warnings: Vec<alcance_core::CollectWarning>,
}

/// `GET {base}/{object_id}/comments?fields=<fields>&limit=50[&<extra>]`, every page (at
/// most [`MAX_COMMENT_PAGES`]): top-level comments, the replies nested in each node's
/// `replies` edge (Instagram), or the replies listed with their `parent` (Facebook
/// `filter=stream`). An Instagram comment's reply count is the number of replies read
/// when its `replies` edge was read whole.
///
/// Errors: the first page's (mapped Graph error; `Decode` for a body that is not a list).
pub(crate) async fn graph_comments(
    http: &Http,
    base: &Url,
    object_id: &str,
    fields: &str,
    extra: &[(&str, &str)],
    token: &SecretString,
    rec: &Recorder,
) -> Result<GraphComments, PlatformError> {
    let mut out = GraphComments::default();
    let mut replies_whole = true;
    let mut params = vec![("fields", fields), ("limit", "50")];
    params.extend_from_slice(extra);
    let (_, warnings) = meta::list_pages(
        http,
        base,
        &format!("/{object_id}/comments"),
        &params,
        token,
        rec,
        MAX_COMMENT_PAGES,
        |data| {
            let mut verdict = PageVerdict::default();
            for raw in data {
                let Ok(mut node) = serde_json::from_value::<GraphComment>(raw) else {
                    continue;
                };
                let replies = node.replies.take();
                let Some(mut record) = graph_record(node, object_id, None) else {
                    continue;
                };
                if let Some(replies) = replies {
                    let more = replies.paging.as_ref().is_some_and(|p| p.next.is_some());
                    replies_whole &= !more;
                    let mut n = 0;
                    for raw in replies.data {
                        let reply = serde_json::from_value::<GraphComment>(raw)
                            .ok()
                            .and_then(|r| graph_record(r, object_id, Some(&record.external_id)));
                        if let Some(reply) = reply {
                            n += 1;
                            out.comments.push(reply);
                        }
                    }
                    if !more && record.reply_count.is_none() {
                        record.reply_count = Some(n);
                    }
                } else if fields.contains("replies") && record.reply_count.is_none() {
                    record.reply_count = Some(0);
                }
                verdict.ids.push(record.external_id.clone());
                out.comments.push(record);
            }
            verdict
        },
    )
    .await?;
    out.complete = warnings.is_empty() && replies_whole;
    out.warnings = warnings;
    let mut seen = std::collections::HashSet::new();
    out.comments.retain(|c| seen.insert(c.external_id.clone()));
    Ok(out)
}

/// Reads the comments of each of `posts` with [`graph_comments`] into `read`: a post read
/// completely joins `read.complete_posts`; a post whose listing fails becomes a gap
/// (`what` = `comments`), as does a later page that failed; a failure that stops the
/// account (a refused token, a rate limit, a dropped connection, the deadline) ends the
/// reading there. Returns `false` when it ended so.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn graph_posts_comments(
    http: &Http,
    base: &Url,
    posts: &[String],
    fields: &str,
    extra: &[(&str, &str)],
    token: &SecretString,
    rec: &Recorder,
    read: &mut CommentsRead,
) -> bool {
    for post in posts {
        match graph_comments(http, base, post, fields, extra, token, rec).await {
            Ok(got) => {
                if got.complete {
                    read.complete_posts.push(post.clone());
                }
                read.comments.extend(got.comments);
                let mut stopped = false;
                for w in got.warnings {
                    stopped |= w.level == alcance_core::EventLevel::Error;
                    read.gaps.push(DataGap {
                        what: "comments".into(),
                        object_id: post.clone(),
                        code: w.code,
                        detail: w.message,
                    });
                }
                if stopped {
                    return false;
                }
            }
            Err(e) => {
                read.gaps.push(gap("comments", post, &e));
                if e.stops_account() {
                    return false;
                }
            }
        }
    }
    true
}
