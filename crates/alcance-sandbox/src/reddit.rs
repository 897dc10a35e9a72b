//! Reddit on the seeded sandbox (platform-apis-more.md §2): the installed-app OAuth of
//! www.reddit.com (`/api/v1/authorize` with `duration`, `/api/v1/access_token` with HTTP
//! Basic `client_id:` only, reusable refresh tokens, `/api/v1/revoke_token` answering 204)
//! and oauth.reddit.com's `/api/v1/me`, `/user/{name}/about`, `/user/{name}/submitted`
//! (listings with `after` paging) and `/r/{sub}/about`, on their real paths (they collide
//! with no other network's on the shared origin).
//!
//! Every API answer carries `x-ratelimit-used`, `x-ratelimit-remaining` (a float) and
//! `x-ratelimit-reset` (seconds until the window resets): one 10-minute window of 1000
//! requests (100 a minute) per sandbox, since Reddit counts per client id and the sandbox
//! has one client; past it, 429 with the same headers. Errors in Reddit's body
//! `{"message", "error"}`; a refused token is 401 with `www-authenticate: Bearer
//! realm="reddit", error="invalid_token"`.
//!
//! Simplifications (the client does not depend on them): `duration=temporary` grants get
//! a refresh token too; revoking a refresh token does not end the access tokens it
//! issued; `sort` other than `new` is served newest first as well; the ~1000-item listing
//! cap is not applied.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration as StdDuration;

use axum::http::Method;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use tokio::time::Instant;

use crate::faults::{Fault, FaultKind};
use crate::model::{
    account_by_id, day_start, is_subreddit, splitmix, Generator, Kind, Network, Post, ACCOUNTS, HISTORY_START, M,
};
use crate::oauth::{self, redeem_code, TokenStatus};
use crate::registry::FakeNetwork;
use crate::reply::Reply;
use crate::server::{Req, SandboxState};

/// Reddit in the sandbox's network registry.
pub(crate) struct Reddit;

/// Access tokens live one hour (`expires_in` 3600, Reddit's historical value).
pub const ACCESS_LIFETIME: StdDuration = StdDuration::from_secs(3_600);
/// Requests per window (100 a minute over Reddit's 10-minute window).
pub const WINDOW_LIMIT: u32 = 1_000;
/// The window's length.
pub const WINDOW: StdDuration = StdDuration::from_secs(600);
/// Most items per listing page (`limit` ≤ 100; default 25).
pub const MAX_LIMIT: usize = 100;
/// The subreddit the seeded users post in.
const POSTED_IN: &str = "marketingbr";

impl FakeNetwork for Reddit {
    fn network(&self) -> Network {
        Network::Reddit
    }

    fn oauth(&self, st: &SandboxState, req: &Req) -> Option<Reply> {
        match (req.method.clone(), req.raw_path.trim_end_matches('/')) {
            (Method::GET, "/api/v1/authorize") => Some(authorize(st, req)),
            (Method::POST, "/api/v1/access_token") => Some(token(st, req)),
            (Method::POST, "/api/v1/revoke_token") => Some(revoke(st, req)),
            _ => None,
        }
    }

    fn seeded(&self, st: &SandboxState, g: &Generator, req: &Req, _segs: &[&str]) -> Option<Reply> {
        if !is_reddit_path(&req.raw_path) {
            return None;
        }
        let now = st.now();
        let Some(counted) = take(st) else {
            return Some(with_window(error(429, "Too Many Requests"), st));
        };
        let reply = if req.method != Method::GET {
            error(405, "Method Not Allowed")
        } else {
            match authorized(st, req) {
                Err(r) => r,
                Ok(me) => route(g, req, &me, now),
            }
        };
        Some(reply.with_rate(counted))
    }
}

/// `true` for the API paths Reddit answers on the sandbox origin.
pub(crate) fn is_reddit_path(raw: &str) -> bool {
    raw.trim_end_matches('/') == "/api/v1/me"
        || raw.starts_with("/api/info")
        || raw.starts_with("/user/")
        || raw.starts_with("/r/")
}

/// Reddit's error body `{"message", "error": status}`.
fn error(status: u16, message: &str) -> Reply {
    Reply::json(status, &json!({ "message": message, "error": status }))
}

fn unauthorized() -> Reply {
    error(401, "Unauthorized").with_header("www-authenticate", "Bearer realm=\"reddit\", error=\"invalid_token\"")
}

/// The 500 / 429 / 401 / 403 answers of fault injection on Reddit paths, in Reddit's body
/// (429 with `x-ratelimit-*` saying 0 left and the reset `reset_s` away, default 60 s;
/// none for the bare kind); `None` for other paths and kinds.
pub(crate) fn fault_replacement(fault: &Fault, raw: &str) -> Option<Reply> {
    if !is_reddit_path(raw) {
        return None;
    }
    Some(match fault.kind {
        FaultKind::Status500 => error(500, "Internal Server Error"),
        FaultKind::Status429 => error(429, "Too Many Requests")
            .with_header("x-ratelimit-used", WINDOW_LIMIT.to_string())
            .with_header("x-ratelimit-remaining", "0.0")
            .with_header("x-ratelimit-reset", fault.reset_s.unwrap_or(60).to_string()),
        FaultKind::Status429Bare => error(429, "Too Many Requests"),
        FaultKind::Status401 => unauthorized(),
        FaultKind::Status403 => error(403, "Forbidden"),
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------
// The rate window

/// One window: when it started and requests counted in it.
#[derive(Debug, Clone, Copy)]
struct Window {
    start: Instant,
    used: u32,
}

/// Windows per sandbox (keyed by its state's address: one window per client id, and the
/// sandbox has one client).
static WINDOWS: Mutex<Option<HashMap<usize, Window>>> = Mutex::new(None);

/// The window after counting one request: `Some((used, remaining, reset seconds))`, or
/// `None` when the window is spent. Limits switched off: never spent, nothing counted.
fn take(st: &SandboxState) -> Option<(u32, u32, u64)> {
    if !st.limits_enabled() {
        return Some((0, WINDOW_LIMIT, WINDOW.as_secs()));
    }
    let now = Instant::now();
    let mut all = WINDOWS.lock().unwrap_or_else(PoisonError::into_inner);
    let w = all
        .get_or_insert_with(HashMap::new)
        .entry(std::ptr::from_ref(st) as usize)
        .or_insert(Window { start: now, used: 0 });
    if now.duration_since(w.start) >= WINDOW {
        *w = Window { start: now, used: 0 };
    }
    let reset = WINDOW.saturating_sub(now.duration_since(w.start)).as_secs().max(1);
    if w.used >= WINDOW_LIMIT {
        return None;
    }
    w.used += 1;
    Some((w.used, WINDOW_LIMIT - w.used, reset))
}

/// The current window's headers on a refused request (nothing counted).
fn with_window(reply: Reply, st: &SandboxState) -> Reply {
    let all = WINDOWS.lock().unwrap_or_else(PoisonError::into_inner);
    let reset = all
        .as_ref()
        .and_then(|m| m.get(&(std::ptr::from_ref(st) as usize)))
        .map_or(WINDOW.as_secs(), |w| {
            WINDOW.saturating_sub(w.start.elapsed()).as_secs().max(1)
        });
    reply.with_rate((WINDOW_LIMIT, 0, reset))
}

trait RateHeaders {
    fn with_rate(self, counted: (u32, u32, u64)) -> Reply;
}

impl RateHeaders for Reply {
    /// Reddit's headers: used (an integer), remaining (a float, `"997.0"`), reset
    /// (seconds until the window resets).
    fn with_rate(self, (used, remaining, reset): (u32, u32, u64)) -> Reply {
        self.with_header("x-ratelimit-used", used.to_string())
            .with_header("x-ratelimit-remaining", format!("{remaining}.0"))
            .with_header("x-ratelimit-reset", reset.to_string())
    }
}

// ---------------------------------------------------------------------------------------
// OAuth

/// `GET /api/v1/authorize`: Reddit requires `duration` (`temporary` or `permanent`); the
/// rest (client id, redirect, `response_type=code`, state, scope) is the shared consent.
fn authorize(st: &SandboxState, req: &Req) -> Reply {
    match req.q("duration") {
        Some("permanent" | "temporary") => oauth::authorize(st, req, Network::Reddit),
        _ => Reply {
            status: 400,
            headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
            body: b"<html><body><h1>bad request (reddit.com)</h1><p>invalid duration: expected temporary or permanent</p></body></html>".to_vec(),
            delay_ms: 0,
        },
    }
}

/// The client id of HTTP Basic `client_id:` (Reddit ignores a `client_id` in the form).
fn basic_client(req: &Req) -> Option<String> {
    req.header("authorization")
        .is_some_and(|a| a.starts_with("Basic ") || a.starts_with("basic "))
        .then(|| oauth::client_id(req, &HashMap::new()))
        .flatten()
}

fn token_answer(st: &SandboxState, account: &str, refresh: &str, scope: &str) -> Reply {
    let access = st.tokens.issue_access(Network::Reddit, account, ACCESS_LIFETIME);
    Reply::json(
        200,
        &json!({
            "access_token": access,
            "token_type": "bearer",
            "expires_in": ACCESS_LIFETIME.as_secs(),
            "refresh_token": refresh,
            "scope": scope,
        }),
    )
}

/// `POST /api/v1/access_token` with HTTP Basic `client_id:`: `authorization_code` (code,
/// redirect_uri) → access + refresh token; `refresh_token` → a new access token and the
/// same refresh token (Reddit's are reusable). No Basic auth: 401 `{"message":
/// "Unauthorized","error":401}`; a bad code or refresh token: 400 `{"error":
/// "invalid_grant"}`.
fn token(st: &SandboxState, req: &Req) -> Reply {
    let Some(client) = basic_client(req) else {
        return error(401, "Unauthorized");
    };
    let form = req.form();
    let invalid_grant = || Reply::json(400, &json!({ "error": "invalid_grant" }));
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let account = match oauth::owner(st, Network::Reddit) {
                Ok(a) => a,
                Err(r) => return r,
            };
            match redeem_code(st, Network::Reddit, &form, &client) {
                Ok(code) => {
                    let scope = code.scope.clone();
                    let rt = st.tokens.issue_refresh(Network::Reddit, &account, &client, &scope);
                    token_answer(st, &account, &rt, &scope)
                }
                Err(_) => invalid_grant(),
            }
        }
        Some("refresh_token") => {
            let rt = form.get("refresh_token").map(String::as_str).unwrap_or_default();
            match st.tokens.peek_refresh(Network::Reddit, rt, &client) {
                Some((account, scope, _)) => token_answer(st, &account, rt, &scope),
                None => invalid_grant(),
            }
        }
        _ => Reply::json(400, &json!({ "error": "unsupported_grant_type" })),
    }
}

/// `POST /api/v1/revoke_token` (Basic auth, form `token`, `token_type_hint`): 204 whether
/// or not the token was known (as Reddit documents); 401 without Basic auth.
fn revoke(st: &SandboxState, req: &Req) -> Reply {
    if basic_client(req).is_none() {
        return error(401, "Unauthorized");
    }
    if let Some(t) = req.form().get("token").filter(|t| !t.is_empty()) {
        st.tokens.revoke(t);
    }
    Reply {
        status: 204,
        headers: Vec::new(),
        body: Vec::new(),
        delay_ms: 0,
    }
}

// ---------------------------------------------------------------------------------------
// The API

/// The user the bearer token acts as, or Reddit's 401.
fn authorized(st: &SandboxState, req: &Req) -> Result<String, Reply> {
    let bearer = req.bearer().ok_or_else(unauthorized)?;
    match st.tokens.check(Network::Reddit, &bearer) {
        TokenStatus::Valid(account) => Ok(account),
        _ => Err(unauthorized()),
    }
}

fn route(g: &Generator, req: &Req, me: &str, now: DateTime<Utc>) -> Reply {
    let path = req.raw_path.trim_end_matches('/');
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    match segs.as_slice() {
        ["api", "v1", "me"] => match account_by_id(Network::Reddit, me) {
            Some(i) => Reply::json(200, &user(g, i, now)),
            None => unauthorized(),
        },
        ["user", name, "about"] => match user_index(name) {
            Some(i) => Reply::json(200, &json!({"kind": "t2", "data": user(g, i, now)})),
            None => error(404, "Not Found"),
        },
        ["user", name, "submitted"] => match user_index(name) {
            Some(i) => submitted(g, req, i, now),
            None => error(404, "Not Found"),
        },
        ["r", name, "about"] => match subreddit_index(name) {
            Some(i) => Reply::json(200, &json!({"kind": "t5", "data": subreddit(g, i, now)})),
            None => error(404, "Not Found"),
        },
        _ => error(404, "Not Found"),
    }
}

/// A seeded Reddit user by name (case-insensitive, as Reddit matches names).
fn user_index(name: &str) -> Option<usize> {
    (0..ACCOUNTS.len()).find(|i| {
        let a = &ACCOUNTS[*i];
        a.network == Network::Reddit && !is_subreddit(*i) && a.username.eq_ignore_ascii_case(name)
    })
}

/// The seeded subreddit by name (without `r/`).
fn subreddit_index(name: &str) -> Option<usize> {
    (0..ACCOUNTS.len()).find(|i| {
        is_subreddit(*i)
            && ACCOUNTS[*i]
                .username
                .trim_start_matches("r/")
                .eq_ignore_ascii_case(name)
    })
}

fn created_utc(account: usize) -> f64 {
    chrono::DateTime::parse_from_rfc3339(ACCOUNTS[account].created_at)
        .map(|t| t.timestamp() as f64)
        .unwrap_or(0.0)
}

/// The account object of user `account` at `now` (`/api/v1/me`, or a `t2`'s `data`).
/// Karma: posts × 35 + 1000 (link), days since 2024 × 4 + 500 (comment).
fn user(g: &Generator, account: usize, now: DateTime<Utc>) -> Value {
    let a = &ACCOUNTS[account];
    let link = g.post_count(account, now) * 35 + 1_000;
    let days = (now.date_naive() - HISTORY_START).num_days().max(0) as u64;
    let comment = days * 4 + 500;
    let id = a.external_id.trim_start_matches("t2_");
    json!({
        "id": id,
        "name": a.username,
        "created": created_utc(account),
        "created_utc": created_utc(account),
        "link_karma": link,
        "comment_karma": comment,
        "awardee_karma": 0,
        "awarder_karma": 0,
        "total_karma": link + comment,
        "is_suspended": false,
        "verified": true,
        "icon_img": format!("https://styles.redditmedia.com/t5_{id}/profileIcon.png"),
        "snoovatar_img": "",
        "subreddit": {
            "display_name": format!("u_{}", a.username),
            "display_name_prefixed": format!("u/{}", a.username),
            "title": a.name,
            "public_description": a.bio,
            "subscribers": g.followers(account, now),
            "subreddit_type": "user",
            "name": format!("t5_{id}u"),
        },
    })
}

/// The `data` of the seeded subreddit at `now` (`active_user_count` is `null`, as Reddit
/// serves it since about September 2025).
fn subreddit(g: &Generator, account: usize, now: DateTime<Utc>) -> Value {
    let a = &ACCOUNTS[account];
    let fullname = a.external_id;
    json!({
        "id": fullname.trim_start_matches("t5_"),
        "name": fullname,
        "display_name": a.username.trim_start_matches("r/"),
        "display_name_prefixed": a.username,
        "title": a.name,
        "public_description": a.bio,
        "subscribers": g.followers(account, now),
        "active_user_count": null,
        "accounts_active": null,
        "created_utc": created_utc(account),
        "subreddit_type": "public",
        "community_icon": "",
        "icon_img": "",
        "over18": false,
    })
}

/// `(day, index)` of a seeded post id (`r` + account (2) + day (5) + index (1)).
fn position(id: &str) -> Option<(usize, i64, usize)> {
    let digits = id.strip_prefix('r')?;
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((
        digits.get(0..2)?.parse().ok()?,
        digits.get(2..7)?.parse().ok()?,
        digits.get(7..8)?.parse().ok()?,
    ))
}

/// `GET /user/{name}/submitted?sort&limit&after`: newest first, `limit` (default 25, at
/// most 100), `after=t3_…` continues after that post; `data.after` is the last item's
/// fullname while more may follow, `null` at the end. An `after` that is no post of this
/// user gives an empty listing (as Reddit does for a stale cursor).
fn submitted(g: &Generator, req: &Req, account: usize, now: DateTime<Utc>) -> Reply {
    let limit = req
        .q("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(25)
        .clamp(1, MAX_LIMIT);
    let before = match req.q("after").filter(|a| !a.is_empty()) {
        None => None,
        Some(a) => match position(a.trim_start_matches("t3_")) {
            Some((acc, day, index)) if acc == account % 100 => Some((day, index)),
            _ => return Reply::json(200, &listing(Vec::new(), None)),
        },
    };
    let posts = g.walk_back(account, now, day_start(0), before, |_| true, limit);
    let after = (posts.len() == limit)
        .then(|| posts.last().map(|p| format!("t3_{}", p.id)))
        .flatten();
    let children = posts.iter().map(|p| link(p, now, &req.base)).collect();
    Reply::json(200, &listing(children, after))
}

fn listing(children: Vec<Value>, after: Option<String>) -> Value {
    json!({"kind": "Listing", "data": {
        "after": after, "before": null, "dist": children.len(), "modhash": null, "geo_filter": "",
        "children": children,
    }})
}

/// One submission as a `t3` at `now`, on sandbox `base`: `ups` = `score` (Reddit folds
/// the hidden downvotes into `upvote_ratio`), `downs` 0, `view_count` null. Pictures as
/// Reddit serves them (the sandbox's small PNG, [`crate::picture`]): image and video posts
/// carry `preview.images[0].source` and a `thumbnail` URL; galleries only a `thumbnail`
/// URL (Reddit serves no `preview` for them); text posts `thumbnail: "self"`, link posts
/// `"default"`.
fn link(p: &Post, now: DateTime<Utc>, base: &str) -> Value {
    let a = &ACCOUNTS[p.account];
    let ups = p.value(M::Likes, now);
    let downs = p.value(M::Views, now);
    let ratio = if ups + downs == 0 {
        1.0
    } else {
        (ups as f64 / (ups + downs) as f64 * 100.0).round() / 100.0
    };
    let slug: String = p
        .text
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(40)
        .collect();
    let permalink = format!("/r/{POSTED_IN}/comments/{}/{slug}/", p.id);
    let (is_self, is_video, is_gallery, hint) = match p.kind {
        Kind::RdSelf => (true, false, false, "self"),
        Kind::RdImage => (false, false, false, "image"),
        Kind::RdVideo => (false, true, false, "hosted:video"),
        Kind::RdGallery => (false, false, true, "gallery"),
        _ => (false, false, false, "link"),
    };
    let url = if is_self {
        format!("https://www.reddit.com{permalink}")
    } else {
        format!("https://alcance.example/{:x}", splitmix(p.published.timestamp() as u64))
    };
    let selftext = if is_self { p.text.as_str() } else { "" };
    let mut data = json!({
        "id": p.id, "name": format!("t3_{}", p.id), "title": p.text,
        "selftext": selftext,
        "created": p.published.timestamp() as f64, "created_utc": p.published.timestamp() as f64,
        "permalink": permalink, "url": url,
        "is_self": is_self, "is_video": is_video,
        "score": ups, "ups": ups, "downs": 0, "upvote_ratio": ratio,
        "num_comments": p.value(M::Replies, now), "num_crossposts": p.value(M::Reposts, now),
        "view_count": null, "author": a.username, "author_fullname": a.external_id,
        "subreddit": POSTED_IN, "subreddit_name_prefixed": format!("r/{POSTED_IN}"),
        "over_18": false, "removed_by_category": null,
    });
    if is_gallery {
        data["is_gallery"] = json!(true);
    }
    data["post_hint"] = json!(hint);
    let picture = crate::picture::post_picture_url(base, &p.id);
    data["thumbnail"] = match p.kind {
        Kind::RdSelf => json!("self"),
        Kind::RdImage | Kind::RdVideo | Kind::RdGallery => json!(picture),
        _ => json!("default"),
    };
    if matches!(p.kind, Kind::RdImage | Kind::RdVideo) {
        data["preview"] = json!({
            "images": [{
                "source": { "url": picture, "width": 48, "height": 48 },
                "resolutions": [], "variants": {}, "id": format!("pv{}", p.id),
            }],
            "enabled": p.kind == Kind::RdImage,
        });
    }
    json!({"kind": "t3", "data": data})
}
