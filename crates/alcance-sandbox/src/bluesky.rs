//! Bluesky (AT Protocol XRPC, `/xrpc/<method>`) of the seeded sandbox: app-password
//! sessions (`com.atproto.server.createSession`, `refreshSession` with rotation,
//! `getSession`), handle resolution, profiles, author feeds with cursors (reposts of other
//! accounts' posts included, as `reasonRepost` items) and posts by URI, with the XRPC error
//! envelope and Bluesky's `ratelimit-*` headers (platform-apis-more.md §5).

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::model::{
    account_by_id, bs_uri, day_start, find_bs_post, reposted, Generator, Kind, Network, Post, ACCOUNTS, M,
};
use crate::oauth::TokenStatus;
use crate::registry::FakeNetwork;
use crate::reply::Reply;
use crate::server::{Req, SandboxState};

/// Bluesky in the sandbox's network registry: every `/xrpc/` path.
pub(crate) struct Bluesky;

/// Lifetime of a session's access token (Bluesky's access JWTs live about 2 hours).
const ACCESS_LIFETIME: std::time::Duration = std::time::Duration::from_secs(7_200);

/// The client id the sandbox's refresh book files Bluesky sessions under (no OAuth app).
const SESSION_CLIENT: &str = "app-password";

impl FakeNetwork for Bluesky {
    fn network(&self) -> Network {
        Network::Bluesky
    }

    /// The session methods and AT Protocol OAuth ([`crate::bluesky_oauth`]) answer in both
    /// modes (like the other networks' OAuth endpoints).
    fn oauth(&self, st: &SandboxState, req: &Req) -> Option<Reply> {
        if let Some(reply) = crate::bluesky_oauth::answer(st, req) {
            return Some(reply);
        }
        let post = req.method == axum::http::Method::POST;
        let get = req.method == axum::http::Method::GET;
        Some(match req.path.as_str() {
            "/xrpc/com.atproto.server.createSession" if post => create_session(st, req),
            "/xrpc/com.atproto.server.refreshSession" if post => refresh_session(st, req),
            "/xrpc/com.atproto.server.getSession" if get => get_session(st, req),
            _ => return None,
        })
    }

    fn seeded(&self, st: &SandboxState, g: &Generator, req: &Req, segs: &[&str]) -> Option<Reply> {
        let (&"xrpc", [method]) = segs.split_first()? else {
            return None;
        };
        let now = st.now();
        Some(
            match *method {
                "com.atproto.identity.resolveHandle" => resolve_handle(req),
                "app.bsky.actor.getProfile" => get_profile(g, req, now),
                "app.bsky.feed.getAuthorFeed" => author_feed(g, req, now),
                "app.bsky.feed.getPosts" => get_posts(g, req, now),
                other => xrpc_error(400, "MethodNotImplemented", &format!("Method Not Implemented: {other}")),
            }
            .with_rate_limit(now, 3000),
        )
    }
}

trait RateHeaders {
    fn with_rate_limit(self, now: DateTime<Utc>, limit: u32) -> Reply;
}

impl RateHeaders for Reply {
    /// Bluesky's `ratelimit-*` headers: a 5-minute window (`w=300`), the reset in Unix
    /// seconds, as the recorded answers carry them.
    fn with_rate_limit(self, now: DateTime<Utc>, limit: u32) -> Reply {
        let reset = (now + Duration::seconds(300)).timestamp();
        self.with_header("ratelimit-limit", limit.to_string())
            .with_header("ratelimit-remaining", (limit - 1).to_string())
            .with_header("ratelimit-reset", reset.to_string())
            .with_header("ratelimit-policy", format!("{limit};w=300"))
    }
}

/// The XRPC error envelope `{"error", "message"}`.
fn xrpc_error(status: u16, error: &str, message: &str) -> Reply {
    Reply::json(status, &json!({ "error": error, "message": message }))
}

/// A fault's answer on a Bluesky path (`/xrpc/…`) in the XRPC envelope: 500
/// `InternalServerError`, 429 `RateLimitExceeded` (with `ratelimit-*` headers whose reset is
/// `reset_s` away, default 60 s; none for the bare kind), 401 `InvalidToken`, 403
/// `InsufficientScope`. `None` for other paths and for the kinds that transform the normal
/// answer or are the same everywhere (HTML, malformed JSON).
pub(crate) fn fault_replacement(fault: &crate::faults::Fault, raw: &str) -> Option<Reply> {
    use crate::faults::FaultKind;
    if !raw.starts_with("/xrpc/") {
        return None;
    }
    Some(match fault.kind {
        FaultKind::Status500 => xrpc_error(500, "InternalServerError", "Internal Server Error"),
        FaultKind::Status429 => {
            let reset = Utc::now().timestamp() + i64::try_from(fault.reset_s.unwrap_or(60)).unwrap_or(60);
            xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded")
                .with_header("ratelimit-limit", "3000")
                .with_header("ratelimit-remaining", "0")
                .with_header("ratelimit-reset", reset.to_string())
                .with_header("ratelimit-policy", "3000;w=300")
        }
        FaultKind::Status429Bare => xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded"),
        FaultKind::Status401 => xrpc_error(401, "InvalidToken", "Token could not be verified"),
        FaultKind::Status403 => xrpc_error(403, "InsufficientScope", "Bad token scope"),
        _ => return None,
    })
}

/// `true` for an app password's shape (`xxxx-xxxx-xxxx-xxxx`).
fn app_password(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 4
        && groups
            .iter()
            .all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

fn session_body(st: &SandboxState, did: &str) -> Value {
    let handle = ACCOUNTS
        .iter()
        .find(|a| a.network == Network::Bluesky && a.external_id == did)
        .map_or(did, |a| a.username);
    let access = st.tokens.issue_access(Network::Bluesky, did, ACCESS_LIFETIME);
    let refresh = st
        .tokens
        .issue_refresh(Network::Bluesky, did, SESSION_CLIENT, "com.atproto.appPass");
    json!({
        "did": did,
        "handle": handle,
        "email": "alcance@example.com",
        "emailConfirmed": true,
        "emailAuthFactor": false,
        "accessJwt": access,
        "refreshJwt": refresh,
        "active": true,
    })
}

/// `POST createSession {"identifier", "password"}`: the owned account's handle or DID and
/// any well-formed app password; anything else is `401 AuthenticationRequired` (as
/// recorded), an account password shape included.
fn create_session(st: &SandboxState, req: &Req) -> Reply {
    let now = st.now();
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let text = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    let (identifier, password) = (text("identifier"), text("password"));
    if identifier.is_empty() || password.is_empty() {
        return xrpc_error(
            400,
            "InvalidRequest",
            "Input must have the properties \"identifier\" and \"password\"",
        )
        .with_rate_limit(now, 30);
    }
    let owned = st.owner(Network::Bluesky).unwrap_or_default();
    let handle = account_by_id(Network::Bluesky, &owned).map(|i| ACCOUNTS[i].username);
    let who = identifier.trim_start_matches('@');
    if (who != owned && Some(who) != handle) || !app_password(&password) {
        return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password").with_rate_limit(now, 30);
    }
    Reply::json(200, &session_body(st, &owned)).with_rate_limit(now, 30)
}

/// `POST refreshSession` with the refresh JWT as bearer: a new session; the old refresh
/// token is spent (reusing it is `400 ExpiredToken "Token has been revoked"`).
fn refresh_session(st: &SandboxState, req: &Req) -> Reply {
    let now = st.now();
    let Some(rt) = req.bearer() else {
        return xrpc_error(401, "AuthMissing", "Authentication Required").with_rate_limit(now, 3000);
    };
    match st.tokens.take_refresh(Network::Bluesky, &rt, SESSION_CLIENT) {
        Some((did, _)) => Reply::json(200, &session_body(st, &did)).with_rate_limit(now, 3000),
        None => xrpc_error(400, "ExpiredToken", "Token has been revoked").with_rate_limit(now, 3000),
    }
}

/// `GET getSession` with the access JWT: `{did, handle, active}`.
fn get_session(st: &SandboxState, req: &Req) -> Reply {
    let now = st.now();
    let status = req
        .bearer()
        .map_or(TokenStatus::Unknown, |t| st.tokens.check(Network::Bluesky, &t));
    match status {
        TokenStatus::Valid(did) => {
            let handle = account_by_id(Network::Bluesky, &did).map_or("", |i| ACCOUNTS[i].username);
            Reply::json(200, &json!({ "did": did, "handle": handle, "active": true }))
        }
        TokenStatus::Expired => xrpc_error(400, "ExpiredToken", "Token has expired"),
        _ => xrpc_error(401, "InvalidToken", "Bad token scope"),
    }
    .with_rate_limit(now, 3000)
}

/// The seeded Bluesky account named by a DID or a handle.
fn actor(name: &str) -> Option<usize> {
    let name = name.trim().trim_start_matches('@');
    ACCOUNTS
        .iter()
        .position(|a| a.network == Network::Bluesky && (a.external_id == name || a.username == name))
}

fn resolve_handle(req: &Req) -> Reply {
    match req.q("handle").and_then(actor) {
        Some(i) => Reply::json(200, &json!({ "did": ACCOUNTS[i].external_id })),
        None => xrpc_error(400, "InvalidRequest", "Unable to resolve handle"),
    }
}

fn profile_view(g: &Generator, account: usize, now: DateTime<Utc>) -> Value {
    let a = &ACCOUNTS[account];
    json!({
        "did": a.external_id,
        "handle": a.username,
        "displayName": a.name,
        "description": a.bio,
        "avatar": format!("https://cdn.bsky.app/img/avatar/plain/{}/sandbox@jpeg", a.external_id),
        "associated": { "lists": 0, "feedgens": 0, "starterPacks": 0, "labeler": false },
        "viewer": { "muted": false, "blockedBy": false },
        "labels": [],
        "createdAt": a.created_at,
        "indexedAt": a.created_at,
        "followersCount": g.followers(account, now),
        "followsCount": g.following(account, now),
        "postsCount": g.post_count(account, now),
    })
}

fn get_profile(g: &Generator, req: &Req, now: DateTime<Utc>) -> Reply {
    match req.q("actor").and_then(actor) {
        Some(i) => Reply::json(200, &profile_view(g, i, now)),
        None => xrpc_error(400, "InvalidRequest", "Profile not found"),
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// `app.bsky.feed.defs#postView` of a generated post at `now`, on sandbox `base`. Its
/// hydrated `embed` view carries the post's picture as Bluesky serves it (the sandbox's
/// small PNG, [`crate::picture`]): an image post's `images[].thumb` / `fullsize`
/// (`app.bsky.embed.images#view`), a link post's card `external.thumb`
/// (`app.bsky.embed.external#view`); other posts carry no embed view (a real quote's
/// `app.bsky.embed.record#view` has no picture of its own post either).
fn post_view(p: &Post, now: DateTime<Utc>, base: &str) -> Value {
    let a = &ACCOUNTS[p.account];
    let uri = bs_uri(p);
    let mut record = json!({
        "$type": "app.bsky.feed.post",
        "createdAt": rfc3339(p.published),
        "langs": ["pt"],
        "text": p.text,
    });
    let embed = match p.kind {
        Kind::BsImage => Some(json!({
            "$type": "app.bsky.embed.images",
            "images": [{ "alt": "", "image": { "$type": "blob", "mimeType": "image/jpeg", "size": 120_000 } }],
        })),
        Kind::BsLink => Some(json!({
            "$type": "app.bsky.embed.external",
            "external": { "uri": "https://alcance.example/blog", "title": "Blog do Alcance", "description": "" },
        })),
        Kind::BsQuote => Some(json!({
            "$type": "app.bsky.embed.record",
            "record": { "uri": format!("at://{}/app.bsky.feed.post/3lbsquoted0001", a.external_id), "cid": "bafyquoted" },
        })),
        _ => None,
    };
    if let (Some(e), Some(obj)) = (embed, record.as_object_mut()) {
        obj.insert("embed".into(), e);
    }
    if p.kind == Kind::BsReply {
        let parent =
            json!({ "uri": format!("at://{}/app.bsky.feed.post/3lbsparent0001", a.external_id), "cid": "bafyparent" });
        if let Some(obj) = record.as_object_mut() {
            obj.insert("reply".into(), json!({ "root": parent.clone(), "parent": parent }));
        }
    }
    let picture = crate::picture::post_picture_url(base, &p.id);
    let embed_view = match p.kind {
        Kind::BsImage => Some(json!({
            "$type": "app.bsky.embed.images#view",
            "images": [{ "thumb": picture, "fullsize": picture, "alt": "" }],
        })),
        Kind::BsLink => Some(json!({
            "$type": "app.bsky.embed.external#view",
            "external": {
                "uri": "https://alcance.example/blog", "title": "Blog do Alcance", "description": "",
                "thumb": picture,
            },
        })),
        _ => None,
    };
    let mut view = json!({
        "uri": uri,
        "cid": format!("bafy{}", p.id),
        "author": {
            "did": a.external_id,
            "handle": a.username,
            "displayName": a.name,
            "labels": [],
            "createdAt": a.created_at,
        },
        "record": record,
        "replyCount": p.value(M::Replies, now),
        "repostCount": p.value(M::Reposts, now),
        "likeCount": p.value(M::Likes, now),
        "quoteCount": p.value(M::Quotes, now),
        "indexedAt": rfc3339(p.published),
        "viewer": { "threadMuted": false, "embeddingDisabled": false },
        "labels": [],
    });
    if let (Some(e), Some(obj)) = (embed_view, view.as_object_mut()) {
        obj.insert("embed".into(), e);
    }
    view
}

/// `getAuthorFeed?actor&limit&cursor`: the account's items newest first; a repost item
/// carries the reposted post of another seeded account and `reason: reasonRepost`. The
/// cursor is the last item's position (`{day}:{index}`); absent on the last page.
fn author_feed(g: &Generator, req: &Req, now: DateTime<Utc>) -> Reply {
    let Some(account) = req.q("actor").and_then(actor) else {
        return xrpc_error(400, "InvalidRequest", "Profile not found");
    };
    let limit = req.q("limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return xrpc_error(400, "InvalidRequest", "limit must be between 1 and 100");
    }
    let before = match req.q("cursor") {
        None => None,
        Some(c) => match c
            .split_once(':')
            .and_then(|(d, i)| Some((d.parse::<i64>().ok()?, i.parse::<usize>().ok()?)))
        {
            Some(pos) => Some(pos),
            None => return xrpc_error(400, "InvalidRequest", "Malformed cursor"),
        },
    };
    let items = g.walk_back(account, now, day_start(0), before, |_| true, limit + 1);
    let more = items.len() > limit;
    let page: Vec<&Post> = items.iter().take(limit).collect();
    let feed: Vec<Value> = page
        .iter()
        .filter_map(|p| {
            if p.kind == Kind::BsRepost {
                let original = reposted(g, account, p.day).filter(|o| o.published <= now)?;
                let a = &ACCOUNTS[account];
                Some(json!({
                    "post": post_view(&original, now, &req.base),
                    "reason": {
                        "$type": "app.bsky.feed.defs#reasonRepost",
                        "by": { "did": a.external_id, "handle": a.username, "displayName": a.name },
                        "indexedAt": rfc3339(p.published),
                    },
                }))
            } else {
                Some(json!({ "post": post_view(p, now, &req.base) }))
            }
        })
        .collect();
    let mut body = json!({ "feed": feed });
    if more {
        if let (Some(last), Some(obj)) = (page.last(), body.as_object_mut()) {
            obj.insert("cursor".into(), json!(format!("{}:{}", last.day, last.index)));
        }
    }
    Reply::json(200, &body)
}

/// `getPosts?uris=…` (at most 25): the posts found, in the order asked; unknown or deleted
/// URIs are left out, as Bluesky does.
fn get_posts(g: &Generator, req: &Req, now: DateTime<Utc>) -> Reply {
    let uris: Vec<&str> = req
        .query
        .iter()
        .filter(|(k, _)| k == "uris")
        .map(|(_, v)| v.as_str())
        .collect();
    if uris.len() > 25 {
        return xrpc_error(400, "InvalidRequest", "uris must not have more than 25 elements");
    }
    let posts: Vec<Value> = uris
        .iter()
        .filter_map(|u| find_bs_post(g, u))
        .filter(|p| p.published <= now)
        .map(|p| post_view(&p, now, &req.base))
        .collect();
    Reply::json(200, &json!({ "posts": posts }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::day_of;

    #[test]
    fn app_password_shape() {
        assert!(app_password("demo-demo-demo-demo"));
        assert!(!app_password("hunter2"));
    }

    #[test]
    fn feeds_keep_reposts_apart_and_page_by_position() {
        let g = Generator::new(42);
        let now = day_start(day_of(Utc::now()));
        let owned = actor("alcance.bsky.social").unwrap_or_default();
        let items = g.walk_back(owned, now, now - Duration::days(60), None, |_| true, 500);
        assert!(
            items.iter().any(|p| p.kind == Kind::BsRepost),
            "some reposts in 60 days"
        );
        assert!(
            items.iter().any(|p| p.kind != Kind::BsRepost),
            "some own posts in 60 days"
        );
        let own = items.iter().find(|p| p.kind != Kind::BsRepost).cloned();
        let found = own.as_ref().and_then(|p| find_bs_post(&g, &bs_uri(p)));
        assert_eq!(found.map(|p| p.id), own.map(|p| p.id));
    }
}
