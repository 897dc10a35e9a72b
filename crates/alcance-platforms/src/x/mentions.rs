//! The account's mentions timeline (`GET /2/users/{id}/mentions`): replies to its posts
//! and posts naming it (platform-apis.md §1; docs/comments.md). A reply names the author
//! of what it answers, so replies to the account's posts are in this timeline too: no
//! recent search by `conversation_id` is needed (each post it returns would be another
//! paid read under pay-per-usage).
//!
//! How a post of the timeline becomes a [`CommentRecord`]:
//! - answering the account (`in_reply_to_user_id` = the account) with `referenced_tweets`
//!   `replied_to` = its `conversation_id` (the account's post): a
//!   [`CommentKind::Comment`] on that post;
//! - answering the account deeper in one of its conversations: a [`CommentKind::Reply`]
//!   on the conversation's post, its parent the post it answers;
//! - anything else: a [`CommentKind::Mention`] without a post.

use super::client::XClient;
use super::map_error;
use crate::cursor_walk::CursorWalk;
use crate::error::PlatformError;
use crate::http::{Answer, Recorder};
use crate::lenient;
use alcance_core::{CollectWarning, CommentKind, CommentRecord, EventLevel};
use chrono::{DateTime, SecondsFormat, Utc};
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Most pages of 100 read from the mentions timeline in one pass (at most 500 posts, each
/// a paid read).
pub const MAX_MENTION_PAGES: u32 = 5;

const MENTION_FIELDS: &str =
    "created_at,public_metrics,conversation_id,in_reply_to_user_id,author_id,referenced_tweets";

#[derive(Debug, Default, Deserialize)]
struct Page {
    #[serde(default, deserialize_with = "lenient::list")]
    data: Vec<Value>,
    #[serde(default)]
    includes: Option<Includes>,
    #[serde(default)]
    meta: Option<PageMeta>,
}

#[derive(Debug, Default, Deserialize)]
struct Includes {
    #[serde(default, deserialize_with = "lenient::list")]
    users: Vec<Value>,
}

#[derive(Debug, Default, Deserialize)]
struct PageMeta {
    #[serde(default, deserialize_with = "lenient::string")]
    next_token: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct UserRef {
    #[serde(default, deserialize_with = "lenient::string")]
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    username: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Mention {
    #[serde(default, deserialize_with = "lenient::string")]
    id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    text: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    created_at: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    author_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    conversation_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::string")]
    in_reply_to_user_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    referenced_tweets: Vec<Value>,
    #[serde(default)]
    public_metrics: Option<Counts>,
}

#[derive(Debug, Default, Deserialize)]
struct Counts {
    #[serde(default, deserialize_with = "lenient::i64")]
    like_count: Option<i64>,
    #[serde(default, deserialize_with = "lenient::i64")]
    reply_count: Option<i64>,
}

/// One decoded page of the mentions timeline.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MentionsPage {
    /// The page's posts as comments, replies and mentions of `user_id`.
    pub comments: Vec<CommentRecord>,
    /// `meta.next_token`, when more pages follow.
    pub next_token: Option<String>,
}

/// Decodes one answer of `GET /2/users/{user_id}/mentions` (see the module's rules). Items
/// without an id are skipped; authors' handles come from `includes.users`.
///
/// Errors: a non-2xx answer → [`map_error`]; a body that is not JSON → `Decode`.
pub fn decode_mentions(answer: &Answer, user_id: &str) -> Result<MentionsPage, PlatformError> {
    if !answer.is_success() {
        return Err(map_error(answer));
    }
    let page: Page = answer.json()?;
    let handles: HashMap<String, String> = page
        .includes
        .map(|i| i.users)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|u| serde_json::from_value::<UserRef>(u).ok())
        .filter_map(|u| Some((u.id?, u.username?)))
        .collect();
    let mut comments = Vec::with_capacity(page.data.len());
    for raw in page.data {
        let Ok(m) = serde_json::from_value::<Mention>(raw) else {
            continue;
        };
        let Some(id) = m.id else { continue };
        let replied_to = m.referenced_tweets.iter().find_map(|r| {
            (r.get("type")?.as_str()? == "replied_to")
                .then(|| r.get("id")?.as_str().map(str::to_string))
                .flatten()
        });
        let answers_account = m.in_reply_to_user_id.as_deref() == Some(user_id);
        let (kind, post, parent) = match (answers_account, m.conversation_id, replied_to) {
            (true, Some(conv), Some(to)) if conv == to => (CommentKind::Comment, Some(conv), None),
            (true, Some(conv), Some(to)) if conv != id => (CommentKind::Reply, Some(conv), Some(to)),
            _ => (CommentKind::Mention, None, None),
        };
        let counts = m.public_metrics.unwrap_or_default();
        comments.push(CommentRecord {
            author_handle: m.author_id.as_ref().and_then(|a| handles.get(a).cloned()),
            author_id: m.author_id,
            external_id: id,
            post_external_id: post,
            parent_external_id: parent,
            kind,
            created_at: m
                .created_at
                .as_deref()
                .and_then(alcance_core::time::parse_platform_time),
            text: m.text,
            like_count: counts.like_count,
            reply_count: counts.reply_count,
        });
    }
    Ok(MentionsPage {
        comments,
        next_token: page.meta.and_then(|m| m.next_token),
    })
}

/// What [`XClient::mentions`] read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mentions {
    /// Every post read, once.
    pub comments: Vec<CommentRecord>,
    /// A later page that failed (level `error` when it stops the account), a paging stop.
    pub warnings: Vec<CollectWarning>,
}

impl XClient {
    /// The mentions of `user_id` written at or after `since` (UTC), newest first:
    /// `GET /2/users/{id}/mentions?max_results=100&start_time=<RFC 3339>&tweet.fields=created_at,public_metrics,conversation_id,in_reply_to_user_id,author_id,referenced_tweets&expansions=author_id&user.fields=username[&pagination_token=…]`,
    /// at most [`MAX_MENTION_PAGES`] pages (warning `page_cap`; loops and stalls stop too).
    ///
    /// Errors: an empty `user_id` → `NotFound` without a call; the first page's failure.
    pub async fn mentions(
        &self,
        token: &SecretString,
        user_id: &str,
        since: DateTime<Utc>,
        rec: &Recorder,
    ) -> Result<Mentions, PlatformError> {
        let url = self.url_with("/2/users", &[user_id.trim(), "mentions"])?;
        let start_time = since.to_rfc3339_opts(SecondsFormat::Secs, true);
        let mut out = Mentions::default();
        let mut seen: HashSet<String> = HashSet::new();
        let mut tokens: HashSet<String> = HashSet::new();
        let mut next: Option<String> = None;
        let mut pages = 0u32;
        loop {
            let mut query: Vec<(&str, &str)> = vec![
                ("max_results", "100"),
                ("start_time", &start_time),
                ("tweet.fields", MENTION_FIELDS),
                ("expansions", "author_id"),
                ("user.fields", "username"),
            ];
            if let Some(t) = next.as_deref() {
                query.push(("pagination_token", t));
            }
            pages += 1;
            let page = match self.get(token, url.clone(), &query, rec).await {
                Ok(answer) => decode_mentions(&answer, user_id),
                Err(e) => Err(e),
            };
            let page = match page {
                Ok(p) => p,
                Err(e) if pages == 1 => return Err(e),
                Err(e) => {
                    out.warnings.push(CollectWarning {
                        level: if e.stops_account() {
                            EventLevel::Error
                        } else {
                            EventLevel::Warn
                        },
                        code: e.code(),
                        message: format!(
                            "X mentions of user {user_id}: page {pages} failed, kept the earlier pages: {e}"
                        ),
                    });
                    break;
                }
            };
            let mut fresh = 0;
            for c in page.comments {
                if seen.insert(c.external_id.clone()) {
                    fresh += 1;
                    out.comments.push(c);
                }
            }
            let Some(next_token) = page.next_token else { break };
            let walk = CursorWalk {
                token: "a pagination token",
                items: "mentions",
                older: "mentions",
                max_pages: MAX_MENTION_PAGES,
            };
            if let Some((code, why)) = walk.stop(&mut tokens, &next_token, fresh, pages) {
                out.warnings.push(CollectWarning {
                    level: EventLevel::Warn,
                    code: code.to_string(),
                    message: format!("X mentions of user {user_id}: {why}"),
                });
                break;
            }
            next = Some(next_token);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: serde_json::Value) -> Answer {
        Answer {
            status,
            headers: reqwest::header::HeaderMap::new(),
            body: serde_json::to_vec(&body).unwrap_or_default(),
            endpoint: "/2/users/42/mentions".into(),
        }
    }

    #[test]
    fn replies_to_the_account_become_its_comments_and_replies_the_rest_mentions() {
        let body = serde_json::json!({
            "data": [
                {"id": "100", "text": "@me nice", "author_id": "7", "conversation_id": "10", "in_reply_to_user_id": "42",
                 "referenced_tweets": [{"type": "replied_to", "id": "10"}], "created_at": "2026-11-20T10:00:00.000Z",
                 "public_metrics": {"like_count": 3, "reply_count": 1}},
                {"id": "101", "text": "@me deeper", "author_id": "8", "conversation_id": "10", "in_reply_to_user_id": "42",
                 "referenced_tweets": [{"type": "replied_to", "id": "55"}]},
                {"id": "102", "text": "look at @me", "author_id": "9", "conversation_id": "102"},
                {"id": "103", "text": "@other @me", "author_id": "9", "conversation_id": "30", "in_reply_to_user_id": "99",
                 "referenced_tweets": [{"type": "replied_to", "id": "30"}]},
                {"text": "no id"}
            ],
            "includes": {"users": [{"id": "7", "username": "ana"}, {"id": "9", "username": "bia"}]},
            "meta": {"result_count": 5}
        });
        let page = decode_mentions(&answer(200, body), "42").expect("page");
        type Row<'a> = (&'a str, CommentKind, Option<&'a str>, Option<&'a str>, Option<&'a str>);
        let got: Vec<Row> = page
            .comments
            .iter()
            .map(|c| {
                (
                    c.external_id.as_str(),
                    c.kind,
                    c.post_external_id.as_deref(),
                    c.parent_external_id.as_deref(),
                    c.author_handle.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("100", CommentKind::Comment, Some("10"), None, Some("ana")),
                ("101", CommentKind::Reply, Some("10"), Some("55"), None),
                ("102", CommentKind::Mention, None, None, Some("bia")),
                ("103", CommentKind::Mention, None, None, Some("bia")),
            ]
        );
        assert_eq!(
            (page.comments[0].like_count, page.comments[0].reply_count),
            (Some(3), Some(1))
        );
        assert!(page.next_token.is_none());
    }

    #[test]
    fn a_refusal_is_the_mapped_error() {
        let body = serde_json::json!({"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"});
        let e = decode_mentions(&answer(401, body), "42").expect_err("refused");
        assert!(e.needs_reauth(), "{e}");
    }
}
