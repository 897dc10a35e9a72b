//! Seeded comments of the sandbox's posts (docs/comments.md): Instagram
//! `GET /{ig-media-id}/comments` (replies nested), `GET /{ig-user-id}/tags`, Facebook
//! `GET /{post-id}/comments` (`filter=stream`: replies listed with their `parent`) and the
//! X mentions timeline `GET /2/users/{id}/mentions`.
//!
//! A post's comments follow its comment counter (`M::Replies`): comment number `i`
//! (0-based) appears when the counter passes `i`, so at any clock time the post serves
//! exactly as many items as its counter counts, up to [`MAX_SERVED`] (a post with more
//! keeps the rest hidden, as platforms hide restricted comments: the difference shows).
//! Instagram's counter counts replies, so there every fourth item is a reply by the
//! account to the comment before; Facebook's counts top-level comments only, so there the
//! account's reply to every fourth comment comes on top of the counter. Every ninth comment
//! is edited two days after it was written.

use crate::meta::{graph_time, ok};
use crate::model::{splitmix, Post, ACCOUNTS, M, SATURATION_HOURS};
use crate::reply::{meta_invalid, Reply};
use crate::server::Req;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

/// Most comments (and replies) served for one post.
pub(crate) const MAX_SERVED: u64 = 40;

const AUTHORS: [&str; 10] = [
    "ana.souza",
    "joao_pedro",
    "maria.fotos",
    "lucas.dev",
    "carla_viaja",
    "pedro.cozinha",
    "julia.art",
    "rafa_run",
    "bia.moda",
    "theo.music",
];

/// Comment texts in Portuguese and English: praise, questions and, since the Inbox and the
/// reports show sentiment, a few complaints.
const TEXTS: [&str; 16] = [
    "Amei esse post!",
    "Great shot, love the colours",
    "Onde comprar?",
    "Que lugar lindo",
    "This is so helpful, thanks",
    "Quero saber mais sobre isso",
    "Incrível 😍",
    "Which camera did you use?",
    "Sensacional, parabéns",
    "Can't wait for the next one",
    "Muito bom, compartilhei",
    "Love it!",
    "Péssimo atendimento, nunca mais compro",
    "Terrible quality, really disappointed",
    "Chegou quebrado, que raiva 😡",
    "Awful customer service, never again",
];

/// One seeded comment or reply.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SeededComment {
    /// Graph-style numeric id.
    pub id: String,
    /// The comment a reply answers.
    pub parent: Option<String>,
    /// The author's handle.
    pub author: String,
    /// The author's id.
    pub author_id: String,
    /// When it was written (UTC).
    pub at: DateTime<Utc>,
    /// Its text as of the clock.
    pub text: String,
    /// Likes.
    pub likes: u64,
}

fn post_hash(p: &Post) -> u64 {
    p.id.bytes().fold(0x5151_u64, |h, b| splitmix(h ^ u64::from(b)))
}

/// The comments of `p` visible at `now`, oldest first (see the module's rules):
/// `replies_counted` for Instagram (replies are among the counted items), else the
/// account's replies come on top (Facebook).
pub(crate) fn seeded(p: &Post, now: DateTime<Utc>, replies_counted: bool) -> Vec<SeededComment> {
    let count = p.value(M::Replies, now).min(MAX_SERVED);
    let total = p.finals[M::Replies as usize];
    let h = post_hash(p);
    let own = ACCOUNTS[p.account].username;
    let mut out = Vec::with_capacity(count as usize);
    for i in 0..count {
        // The age at which the counter reached i + 1: final × (1 − e^(−h/S)) = i + 1.
        let share = ((i + 1) as f64 / total).min(0.999_999);
        let hours = -SATURATION_HOURS * (1.0 - share).ln();
        let at = (p.published + Duration::seconds((hours * 3600.0) as i64)).min(now);
        let r = splitmix(h ^ (i + 1));
        let id = format!("179{:011}{:03}", h % 100_000_000_000, i);
        let reply = replies_counted && i % 4 == 3;
        let (author, parent) = if reply {
            (own.to_string(), out.last().map(|c: &SeededComment| c.id.clone()))
        } else {
            (AUTHORS[(r % AUTHORS.len() as u64) as usize].to_string(), None)
        };
        let mut text = if reply {
            "Obrigada! 💛".to_string()
        } else {
            TEXTS[((r >> 8) % TEXTS.len() as u64) as usize].to_string()
        };
        if i % 9 == 4 && now >= at + Duration::hours(48) {
            text.push_str(" (editado)");
        }
        out.push(SeededComment {
            author_id: format!("178{:014}", splitmix(r) % 100_000_000_000_000),
            id,
            parent,
            author,
            at,
            text,
            likes: (r >> 16) % 12,
        });
        if !replies_counted && i % 4 == 3 && now >= at + Duration::hours(1) {
            let parent = out.last().map(|c| c.id.clone());
            out.push(SeededComment {
                id: format!("179{:011}{:03}", h % 100_000_000_000, 500 + i),
                parent,
                author: own.to_string(),
                author_id: format!("178{:014}", splitmix(h) % 100_000_000_000_000),
                at: at + Duration::hours(1),
                text: "Obrigada! 💛".to_string(),
                likes: 0,
            });
        }
    }
    out
}

/// Offset paging over `items`: `limit` (1–100, default 25) and `after` (`c<offset>`);
/// `{"data":[…],"paging":{"cursors":{…},"next"?}}`.
fn page(req: &Req, items: Vec<Value>) -> Reply {
    let limit = match req.q("limit").map(str::parse::<usize>) {
        None => 25,
        Some(Ok(n)) => n.clamp(1, 100),
        Some(Err(_)) => return meta_invalid("(#100) Param limit must be a number"),
    };
    let from = match req.q("after") {
        None => 0,
        Some(c) => match c.strip_prefix('c').and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => n,
            None => return meta_invalid("(#100) The after cursor is not valid"),
        },
    };
    let end = (from + limit).min(items.len());
    let data: Vec<Value> = items.get(from..end).map(<[Value]>::to_vec).unwrap_or_default();
    let mut body = json!({ "data": data });
    if !data_is_empty(&body) {
        let after = format!("c{end}");
        body["paging"] = json!({ "cursors": { "before": format!("c{from}"), "after": after } });
        if end < items.len() {
            body["paging"]["next"] = json!(req.url_with(&[("after", Some(after))]));
        }
    }
    ok(body)
}

fn data_is_empty(body: &Value) -> bool {
    body["data"].as_array().is_none_or(Vec::is_empty)
}

/// `GET /{ig-media-id}/comments`: top-level comments newest first, each with its replies
/// in `replies{…}` when asked for.
pub(crate) fn instagram(req: &Req, p: &Post, now: DateTime<Utc>) -> Reply {
    let fields = req.q("fields").unwrap_or("id,text,timestamp");
    let all = seeded(p, now, true);
    let node = |c: &SeededComment| {
        json!({
            "id": c.id,
            "text": c.text,
            "username": c.author,
            "from": { "id": c.author_id, "username": c.author },
            "timestamp": graph_time(c.at),
            "like_count": c.likes,
        })
    };
    let mut items = Vec::new();
    for c in all.iter().rev().filter(|c| c.parent.is_none()) {
        let mut v = node(c);
        if fields.contains("replies") {
            let replies: Vec<Value> = all
                .iter()
                .filter(|r| r.parent.as_deref() == Some(c.id.as_str()))
                .map(node)
                .collect();
            if !replies.is_empty() {
                v["replies"] = json!({ "data": replies });
            }
        }
        items.push(v);
    }
    page(req, items)
}

/// `GET /{post-id}/comments` (Facebook): with `filter=stream` every comment and reply,
/// replies with their `parent`; else top-level comments only. Chronological.
pub(crate) fn facebook(req: &Req, p: &Post, now: DateTime<Utc>) -> Reply {
    let stream = req.q("filter") == Some("stream");
    let all = seeded(p, now, false);
    let items = all
        .iter()
        .filter(|c| stream || c.parent.is_none())
        .map(|c| {
            let replies = all
                .iter()
                .filter(|r| r.parent.as_deref() == Some(c.id.as_str()))
                .count();
            let mut v = json!({
                "id": format!("{}_{}", p.id, c.id),
                "message": c.text,
                "created_time": graph_time(c.at),
                "from": { "id": c.author_id, "name": c.author },
                "like_count": c.likes,
                "comment_count": replies,
            });
            if let Some(parent) = &c.parent {
                v["parent"] = json!({ "id": format!("{}_{}", p.id, parent) });
            }
            v
        })
        .collect();
    page(req, items)
}

/// `GET /{ig-user-id}/tags`: one media tagging `account` every third day of the last 30
/// days before `now`, newest first.
pub(crate) fn instagram_tags(req: &Req, account: usize, now: DateTime<Utc>) -> Reply {
    let own = ACCOUNTS[account].username;
    let items = (0..10u64)
        .map(|k| {
            let at = now - Duration::days(3 * k as i64 + 1);
            let h = splitmix(account as u64 ^ splitmix(at.timestamp() as u64 / 86_400));
            json!({
                "id": format!("180{:014}", h % 100_000_000_000_000),
                "caption": format!("Obrigado @{own} pela parceria! #collab"),
                "username": AUTHORS[(h % AUTHORS.len() as u64) as usize],
                "timestamp": graph_time(at),
                "like_count": h % 300,
                "comments_count": (h >> 9) % 20,
                "permalink": format!("https://www.instagram.com/p/tag{}/", h % 100_000),
            })
        })
        .collect();
    page(req, items)
}

/// The X mentions of the account of `posts` (its posts published in the asked window):
/// the replies each post's counter allows (at most 5 a post, as X's reply counts include
/// replies Alcance is not shown), each answering the post, and one post naming the account
/// for every post published first on its day. Newest first, as X serves them.
pub(crate) fn x_mentions(posts: &[Post], account_id: &str, now: DateTime<Utc>) -> Vec<Value> {
    let mut out: Vec<(DateTime<Utc>, Value)> = Vec::new();
    for p in posts {
        for (i, c) in seeded(p, now, false)
            .iter()
            .filter(|c| c.parent.is_none())
            .take(5)
            .enumerate()
        {
            out.push((
                c.at,
                json!({
                    "id": format!("{}{:02}", p.id, i + 1),
                    "text": format!("@{} {}", ACCOUNTS[p.account].username, c.text),
                    "created_at": c.at.format("%Y-%m-%dT%H:%M:%S.000Z").to_string(),
                    "author_id": c.author_id,
                    "conversation_id": p.id,
                    "in_reply_to_user_id": account_id,
                    "referenced_tweets": [{ "type": "replied_to", "id": p.id }],
                    "public_metrics": { "retweet_count": 0, "reply_count": 0, "like_count": c.likes, "quote_count": 0 },
                    "_author": c.author,
                }),
            ));
        }
        if p.index == 0 {
            let at = (p.published + Duration::hours(3)).min(now);
            let id = format!("{}99", p.id);
            out.push((
                at,
                json!({
                    "id": id,
                    "text": format!("Recomendo seguir @{}", ACCOUNTS[p.account].username),
                    "created_at": at.format("%Y-%m-%dT%H:%M:%S.000Z").to_string(),
                    "author_id": "1580000000000099999",
                    "conversation_id": id,
                    "public_metrics": { "retweet_count": 1, "reply_count": 0, "like_count": 4, "quote_count": 0 },
                    "_author": "fa_do_alcance",
                }),
            ));
        }
    }
    out.sort_by_key(|b| std::cmp::Reverse(b.0));
    out.into_iter().map(|(_, v)| v).collect()
}
