//! TikTok on the seeded sandbox (platform-apis.md §6): Login Kit for Desktop (authorize
//! with PKCE, token with rotating refresh tokens, revoke), the Display API v2
//! (`/v2/user/info/`, `/v2/video/list/`, `/v2/video/query/`) and the TikTok API for
//! Business account endpoints (`/open_api/v1.3/business/get/`,
//! `/open_api/v1.3/business/video/list/`) with its token refresh
//! (`/open_api/v1.3/tt_user/oauth2/refresh_token/`: 24 h access tokens, a refresh token
//! that does not rotate and keeps its one-year lifetime).
//!
//! Display API answers are `{"data":{…},"error":{"code":"ok","message":"","log_id"}}`;
//! errors keep the envelope with `data: {}` and a non-`ok` code (`access_token_invalid`
//! 401, `invalid_params` 400, `rate_limit_exceeded` 429, `internal_error` 500). Business
//! answers are `{"code":0,"message":"OK","request_id","data":{…}}`; errors have a non-zero
//! `code` with HTTP 200 (40001 authentication, 40002 parameters, 40100 rate limit). The
//! Business API takes the same sandbox access token, in the `Access-Token` header.

use std::collections::HashSet;

use axum::http::Method;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rand::RngCore;
use serde_json::{json, Map, Value};
use url::Url;

use crate::faults::FaultKind;
use crate::model::{account_by_id, day_of, day_start, Generator, Network, Post, ACCOUNTS, HISTORY_START, M};
use crate::model::{find_tt_video, tt_day, TT_AUDIENCE_COUNTRIES, TT_AUDIENCE_GENDERS};
use crate::oauth::{self, redeem_code, TokenStatus};
use crate::registry::FakeNetwork;
use crate::reply::Reply;
use crate::server::{Req, SandboxState};

/// TikTok in the sandbox's network registry: its OAuth, the Display API (`/v2/…`) and the
/// API for Business (`/open_api/…`) paths.
pub(crate) struct Tiktok;

impl FakeNetwork for Tiktok {
    fn network(&self) -> Network {
        Network::Tiktok
    }

    fn oauth(&self, st: &SandboxState, req: &Req) -> Option<Reply> {
        route_oauth(st, req)
    }

    fn seeded(&self, st: &SandboxState, g: &Generator, req: &Req, _segs: &[&str]) -> Option<Reply> {
        if is_display_path(&req.raw_path) {
            Some(handle_display(st, g, req))
        } else if is_business_path(&req.raw_path) {
            Some(handle_business(st, g, req))
        } else {
            None
        }
    }
}

/// Access-token lifetime: 2 hours (`expires_in` 7200 s, docs updated Nov 2026).
pub const ACCESS_LIFETIME: std::time::Duration = std::time::Duration::from_secs(7_200);
/// Refresh-token lifetime announced in `refresh_expires_in`: 180 days (s).
pub const REFRESH_EXPIRES_IN: u64 = 15_552_000;
/// API for Business access-token lifetime: 24 hours (`expires_in` 86400 s).
pub const BUSINESS_ACCESS_LIFETIME: std::time::Duration = std::time::Duration::from_secs(86_400);
/// API for Business refresh-token lifetime from the authorization: one year
/// (`refresh_token_expires_in` 31536000 s, counting down on every refresh).
pub const BUSINESS_REFRESH_LIFETIME: u64 = 31_536_000;
/// Most videos per `video/list` / `business/video/list` page and ids per `video/query`.
pub const MAX_COUNT: usize = 20;
/// Longest `start_date..=end_date` of `business/get/` metrics, in days.
pub const MAX_BUSINESS_DAYS: i64 = 60;

/// Display API `fields` of `/v2/user/info/`.
pub const USER_FIELDS: &[&str] = &[
    "open_id",
    "union_id",
    "avatar_url",
    "avatar_url_100",
    "avatar_large_url",
    "display_name",
    "bio_description",
    "profile_deep_link",
    "is_verified",
    "username",
    "follower_count",
    "following_count",
    "likes_count",
    "video_count",
];

/// Display API `fields` of `/v2/video/list/` and `/v2/video/query/`.
pub const VIDEO_FIELDS: &[&str] = &[
    "id",
    "create_time",
    "cover_image_url",
    "share_url",
    "video_description",
    "duration",
    "height",
    "width",
    "title",
    "embed_html",
    "embed_link",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
];

/// Business API `fields` of `business/get/`.
pub const BUSINESS_FIELDS: &[&str] = &[
    "username",
    "display_name",
    "profile_image",
    "followers_count",
    "is_business_account",
    "audience_countries",
    "audience_genders",
    "metrics",
];

/// Business API `fields` of `business/video/list/` (times in seconds, rates ratio 0–1).
pub const BUSINESS_VIDEO_FIELDS: &[&str] = &[
    "item_id",
    "create_time",
    "thumbnail_url",
    "share_url",
    "embed_url",
    "caption",
    "video_views",
    "video_duration",
    "likes",
    "comments",
    "shares",
    "reach",
    "full_video_watched_rate",
    "total_time_watched",
    "average_time_watched",
    "impression_sources",
    "audience_countries",
];

fn log_id(now: DateTime<Utc>) -> String {
    let mut bytes = [0u8; 9];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{}{}", now.format("%Y%m%d%H%M%S"), hex::encode_upper(bytes))
}

/// A Display API error: HTTP `status`, `{"data":{},"error":{"code","message","log_id"}}`.
fn display_error(status: u16, code: &str, message: &str) -> Reply {
    Reply::json(
        status,
        &json!({"data": {}, "error": {"code": code, "message": message, "log_id": log_id(Utc::now())}}),
    )
}

fn display_ok(now: DateTime<Utc>, data: Value) -> Reply {
    Reply::json(
        200,
        &json!({"data": data, "error": {"code": "ok", "message": "", "log_id": log_id(now)}}),
    )
}

/// A Business API error: HTTP 200 with a non-zero `code`.
fn business_error(status: u16, code: i64, message: &str) -> Reply {
    Reply::json(
        status,
        &json!({"code": code, "message": message, "request_id": log_id(Utc::now()), "data": {}}),
    )
}

fn oauth_error(error: &str, description: &str) -> Reply {
    Reply::json(
        400,
        &json!({"error": error, "error_description": description, "log_id": log_id(Utc::now())}),
    )
    .with_header("cache-control", "no-store")
}

/// `true` for Display API and Login Kit paths (`/v2/…`).
pub(crate) fn is_display_path(raw: &str) -> bool {
    raw.starts_with("/v2/")
}

/// `true` for TikTok API for Business paths (`/open_api/…`).
pub(crate) fn is_business_path(raw: &str) -> bool {
    raw.starts_with("/open_api/")
}

/// The 500 / 429 / 401 / 403 answers of fault injection on TikTok paths, in TikTok's envelopes;
/// `None` for other paths and kinds.
pub(crate) fn fault_replacement(kind: FaultKind, raw: &str) -> Option<Reply> {
    match (kind, is_display_path(raw), is_business_path(raw)) {
        (FaultKind::Status500, true, _) => Some(display_error(
            500,
            "internal_error",
            "Something went wrong. Please try again later.",
        )),
        (FaultKind::Status429, true, _) => Some(display_error(
            429,
            "rate_limit_exceeded",
            "The API rate limit was exceeded. Please try again later.",
        )),
        (FaultKind::Status429Bare, true, _) => Some(display_error(
            429,
            "rate_limit_exceeded",
            "The API rate limit was exceeded. Please try again later.",
        )),
        (FaultKind::Status401, true, _) => Some(display_error(
            401,
            "access_token_invalid",
            "The access token is invalid or not found in the request.",
        )),
        (FaultKind::Status403, true, _) => Some(display_error(
            401,
            "scope_not_authorized",
            "The user did not authorize the scope required for completing this request.",
        )),
        (FaultKind::Status429Bare, _, true) => Some(business_error(
            429,
            40100,
            "Too many requests. Please retry in some time.",
        )),
        (FaultKind::Status401, _, true) => Some(business_error(
            401,
            40105,
            "Access token is incorrect or has been revoked.",
        )),
        (FaultKind::Status403, _, true) => Some(business_error(
            403,
            40001,
            "No permission to operate this business account.",
        )),
        (FaultKind::Status500, _, true) => Some(business_error(500, 50000, "Internal error. Please try again later.")),
        (FaultKind::Status429, _, true) => Some(business_error(
            200,
            40100,
            "Too many requests. Please retry in some time.",
        )),
        _ => None,
    }
}

/// `path` without a trailing `/`.
fn trimmed(path: &str) -> &str {
    path.strip_suffix('/').unwrap_or(path)
}

// ---------------------------------------------------------------------------------------
// OAuth

/// The Login Kit endpoints both modes answer: `GET /v2/auth/authorize/`,
/// `POST /v2/oauth/token/`, `POST /v2/oauth/revoke/` (trailing `/` optional).
pub(crate) fn route_oauth(st: &SandboxState, req: &Req) -> Option<Reply> {
    match (req.method.clone(), trimmed(&req.raw_path)) {
        (Method::GET, "/v2/auth/authorize") => Some(authorize(st, req)),
        (Method::POST, "/v2/oauth/token") => Some(token(st, req)),
        (Method::POST, "/v2/oauth/revoke") => Some(revoke(st, req)),
        _ => None,
    }
}

/// Login Kit for Desktop: `redirect_uri` must be `http(s)://localhost|127.0.0.1:PORT/…`
/// without query or fragment; then the shared authorize (PKCE required, `client_key`).
fn authorize(st: &SandboxState, req: &Req) -> Reply {
    let redirect = req.q("redirect_uri").unwrap_or_default();
    let loopback = Url::parse(redirect).is_ok_and(|u| {
        matches!(u.host_str(), Some("localhost" | "127.0.0.1"))
            && u.port().is_some()
            && u.query().is_none()
            && u.fragment().is_none()
    });
    if !loopback {
        return Reply {
            status: 400,
            headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
            body: b"<!doctype html><html><body><h1>redirect_uri</h1><p>Desktop apps must redirect to localhost or 127.0.0.1 with a port, without query or fragment.</p></body></html>".to_vec(),
            delay_ms: 0,
        };
    }
    oauth::authorize(st, req, Network::Tiktok)
}

fn token_answer(st: &SandboxState, open_id: &str, client_key: &str, scope: &str) -> Reply {
    let access = st.tokens.issue_access(Network::Tiktok, open_id, ACCESS_LIFETIME);
    st.tokens.set_scope(&access, scope);
    let refresh = st.tokens.issue_refresh(Network::Tiktok, open_id, client_key, scope);
    Reply::json(
        200,
        &json!({
            "access_token": access,
            "expires_in": ACCESS_LIFETIME.as_secs(),
            "open_id": open_id,
            "refresh_expires_in": REFRESH_EXPIRES_IN,
            "refresh_token": refresh,
            "scope": scope,
            "token_type": "Bearer",
        }),
    )
    .with_header("cache-control", "no-store")
}

/// `POST /v2/oauth/token/` (form): `authorization_code` (client_key, client_secret, code,
/// redirect_uri, code_verifier) or `refresh_token` (client_key, client_secret,
/// refresh_token; the old refresh token stops working).
fn token(st: &SandboxState, req: &Req) -> Reply {
    let form = req.form();
    let get = |k: &str| form.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let Some(client_key) = get("client_key") else {
        return oauth_error("invalid_request", "Missing required parameter: client_key.");
    };
    if get("client_secret").is_none() {
        return oauth_error("invalid_client", "Client secret is missing or invalid.");
    }
    match get("grant_type") {
        Some("authorization_code") => {
            for p in ["code", "redirect_uri", "code_verifier"] {
                if get(p).is_none() {
                    return oauth_error("invalid_request", &format!("Missing required parameter: {p}."));
                }
            }
            let open_id = match oauth::owner(st, Network::Tiktok) {
                Ok(o) => o,
                Err(r) => return r,
            };
            match redeem_code(st, Network::Tiktok, &form, client_key) {
                Ok(code) => {
                    let scope = code.scope.clone();
                    token_answer(st, &open_id, client_key, &scope)
                }
                Err(e) if e.contains("code_verifier") => {
                    oauth_error("invalid_request", "Code verifier or code challenge is invalid.")
                }
                Err(e) => oauth_error("invalid_grant", &e),
            }
        }
        Some("refresh_token") => {
            let rt = get("refresh_token").unwrap_or_default();
            match st.tokens.take_refresh(Network::Tiktok, rt, client_key) {
                Some((open_id, scope)) => token_answer(st, &open_id, client_key, &scope),
                None => oauth_error("invalid_grant", "Refresh token is invalid or expired."),
            }
        }
        Some(other) => oauth_error(
            "unsupported_grant_type",
            &format!("grant_type {other} is not supported."),
        ),
        None => oauth_error("invalid_request", "Missing required parameter: grant_type."),
    }
}

/// `POST /v2/oauth/revoke/` (form client_key, client_secret, token) → `{}`.
fn revoke(st: &SandboxState, req: &Req) -> Reply {
    let form = req.form();
    match form.get("token").filter(|t| !t.is_empty()) {
        Some(t) => {
            st.tokens.revoke(t);
            Reply::json(200, &json!({}))
        }
        None => oauth_error("invalid_request", "Missing required parameter: token."),
    }
}

// ---------------------------------------------------------------------------------------
// Display API v2

/// Answers a Display API request (`/v2/user/info/`, `/v2/video/list/`, `/v2/video/query/`).
pub(crate) fn handle_display(st: &SandboxState, g: &Generator, req: &Req) -> Reply {
    let path = trimmed(&req.raw_path);
    let endpoint = match (req.method.clone(), path) {
        (Method::GET, "/v2/user/info") => "user/info",
        (Method::POST, "/v2/video/list") => "video/list",
        (Method::POST, "/v2/video/query") => "video/query",
        (_, "/v2/user/info" | "/v2/video/list" | "/v2/video/query") => {
            return display_error(
                405,
                "invalid_params",
                "The HTTP method is not supported by this endpoint.",
            )
        }
        _ => return display_error(404, "invalid_params", &format!("Unknown endpoint {}", req.raw_path)),
    };
    let token = req.bearer().unwrap_or_default();
    let account = match st.tokens.check(Network::Tiktok, &token) {
        TokenStatus::Valid(open_id) => account_by_id(Network::Tiktok, &open_id),
        _ => {
            return display_error(
                401,
                "access_token_invalid",
                "The access token is invalid or not found in the request.",
            )
        }
    };
    if !st.limits.take_tiktok(&token, endpoint) {
        return display_error(
            429,
            "rate_limit_exceeded",
            "The API rate limit was exceeded. Please try again later.",
        );
    }
    let Some(account) = account else {
        return display_error(
            401,
            "access_token_invalid",
            "The token's user is unknown to the sandbox.",
        );
    };
    // A grant without video.list (unticked at consent) reads the profile, not videos.
    if endpoint != "user/info" && st.tokens.lacks_scope(&token, "video.list") {
        return display_error(
            401,
            "scope_not_authorized",
            "The user did not authorize the scope required for completing this request.",
        );
    }
    let ctx = Display {
        g,
        req,
        now: st.now(),
        account,
    };
    let result = match endpoint {
        "user/info" => ctx.user_info(),
        "video/list" => ctx.video_list(),
        _ => ctx.video_query(),
    };
    match result {
        Ok(r) | Err(r) => r,
    }
}

struct Display<'a> {
    g: &'a Generator,
    req: &'a Req,
    now: DateTime<Utc>,
    account: usize,
}

fn invalid(message: &str) -> Reply {
    display_error(400, "invalid_params", message)
}

/// The `fields` query parameter checked against `allowed`.
fn display_fields(req: &Req, allowed: &[&str]) -> Result<Vec<String>, Reply> {
    let raw = req.q("fields").unwrap_or_default();
    let fields: Vec<String> = raw
        .split(',')
        .map(|f| f.trim().to_string())
        .filter(|f| !f.is_empty())
        .collect();
    if fields.is_empty() {
        return Err(invalid("The fields parameter is required."));
    }
    if let Some(bad) = fields.iter().find(|f| !allowed.contains(&f.as_str())) {
        return Err(invalid(&format!("Invalid field: {bad}.")));
    }
    Ok(fields)
}

/// The `share_url` of a video.
fn share_url(p: &Post) -> String {
    format!(
        "https://www.tiktok.com/@{}/video/{}",
        ACCOUNTS[p.account].username, p.id
    )
}

/// A video's title: its description up to the first hashtag.
fn title(p: &Post) -> String {
    p.text.split('#').next().unwrap_or_default().trim().to_string()
}

impl Display<'_> {
    fn body(&self) -> Result<Map<String, Value>, Reply> {
        if self.req.body.is_empty() {
            return Ok(Map::new());
        }
        match serde_json::from_slice::<Value>(&self.req.body) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(invalid("The request body must be a JSON object.")),
        }
    }

    fn user_info(&self) -> Result<Reply, Reply> {
        let fields = display_fields(self.req, USER_FIELDS)?;
        let a = &ACCOUNTS[self.account];
        let t = self.now;
        let avatar = format!("{}/__alcance/img/{}.svg", self.req.base, a.username);
        let mut u = Map::new();
        for f in &fields {
            let v = match f.as_str() {
                "open_id" => json!(a.external_id),
                "union_id" => json!(format!("union_{}", a.external_id)),
                "avatar_url" | "avatar_url_100" | "avatar_large_url" => json!(avatar),
                "display_name" => json!(a.name),
                "bio_description" => json!(a.bio),
                "profile_deep_link" => json!(format!("https://vm.tiktok.com/{}/", a.username)),
                "is_verified" => json!(false),
                "username" => json!(a.username),
                "follower_count" => json!(self.g.followers(self.account, t)),
                "following_count" => json!(self.g.following(self.account, t)),
                "likes_count" => {
                    let videos = self
                        .g
                        .walk_back(self.account, t, day_start(0), None, |_| true, usize::MAX);
                    let likes: u64 = videos.iter().map(|p| p.value(M::Likes, t)).sum();
                    json!(likes + a.posts_before_history * 150)
                }
                _ => json!(self.g.post_count(self.account, t)),
            };
            u.insert(f.clone(), v);
        }
        Ok(display_ok(self.now, json!({ "user": u })))
    }

    fn video_json(&self, p: &Post, fields: &[String]) -> Value {
        let t = self.now;
        let mut o = Map::new();
        for f in fields {
            let v = match f.as_str() {
                "id" => json!(p.id),
                "create_time" => json!(p.published.timestamp()),
                "cover_image_url" => json!(crate::picture::post_picture_url(&self.req.base, &p.id)),
                "share_url" => json!(share_url(p)),
                "video_description" => json!(p.text),
                "duration" => json!(p.duration_ms / 1_000),
                "height" => json!(1920),
                "width" => json!(1080),
                "title" => json!(title(p)),
                "embed_link" => json!(format!("https://www.tiktok.com/player/v1/{}", p.id)),
                "embed_html" => json!(format!(
                    "<blockquote class=\"tiktok-embed\" cite=\"{}\" data-video-id=\"{}\"></blockquote>",
                    share_url(p),
                    p.id
                )),
                "like_count" => json!(p.value(M::Likes, t)),
                "comment_count" => json!(p.value(M::Replies, t)),
                "share_count" => json!(p.value(M::Reposts, t)),
                _ => json!(p.value(M::Views, t)),
            };
            o.insert(f.clone(), v);
        }
        Value::Object(o)
    }

    /// `POST /v2/video/list/` body `{"max_count":1–20 (default 10),"cursor":<unix ms>?}`:
    /// newest first; `cursor` answers the oldest returned video's `create_time` in ms, and
    /// the next page holds videos created strictly before it.
    fn video_list(&self) -> Result<Reply, Reply> {
        let fields = display_fields(self.req, VIDEO_FIELDS)?;
        let body = self.body()?;
        let max = match body.get("max_count") {
            None | Some(Value::Null) => 10,
            Some(v) => match v.as_u64() {
                Some(n) if (1..=MAX_COUNT as u64).contains(&n) => n as usize,
                _ => return Err(invalid("max_count must be an integer between 1 and 20.")),
            },
        };
        let cursor = match body.get("cursor") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_i64() {
                Some(ms) if ms >= 0 => Some(ms),
                _ => return Err(invalid("cursor must be a Unix timestamp in milliseconds.")),
            },
        };
        let (videos, more) = self.page(cursor, max);
        let data: Vec<Value> = videos.iter().map(|p| self.video_json(p, &fields)).collect();
        let next = videos
            .last()
            .map(|p| p.published.timestamp() * 1_000)
            .or(cursor)
            .unwrap_or_else(|| self.now.timestamp_millis());
        Ok(display_ok(
            self.now,
            json!({ "videos": data, "cursor": next, "has_more": more }),
        ))
    }

    /// Videos created before `cursor` (ms), newest first; `true` when older ones remain.
    fn page(&self, cursor: Option<i64>, max: usize) -> (Vec<Post>, bool) {
        page(self.g, self.account, self.now, cursor, max)
    }

    /// `POST /v2/video/query/` body `{"filters":{"video_ids":[…1–20]}}`: the token owner's
    /// videos among the ids (unknown ids are left out), in request order.
    fn video_query(&self) -> Result<Reply, Reply> {
        let fields = display_fields(self.req, VIDEO_FIELDS)?;
        let body = self.body()?;
        let ids: Vec<String> = body
            .get("filters")
            .and_then(|f| f.get("video_ids"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| {
                        v.as_str()
                            .map(str::to_string)
                            .or_else(|| v.as_u64().map(|n| n.to_string()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        if ids.is_empty() || ids.len() > MAX_COUNT {
            return Err(invalid("filters.video_ids must hold between 1 and 20 video ids."));
        }
        let mut seen = HashSet::new();
        let videos: Vec<Value> = ids
            .iter()
            .filter(|id| seen.insert(id.as_str()))
            .filter_map(|id| find_tt_video(self.g, id))
            .filter(|p| p.account == self.account && p.published <= self.now)
            .map(|p| self.video_json(&p, &fields))
            .collect();
        Ok(display_ok(self.now, json!({ "videos": videos })))
    }
}

/// Videos of `account` created before `cursor` (Unix ms; none = now), newest first, at most
/// `max`; `true` when older videos remain.
fn page(g: &Generator, account: usize, now: DateTime<Utc>, cursor: Option<i64>, max: usize) -> (Vec<Post>, bool) {
    let upper = match cursor.and_then(|ms| Utc.timestamp_millis_opt(ms - 1).single()) {
        Some(c) => c.min(now),
        None => now,
    };
    let mut videos = g.walk_back(account, upper, day_start(0), None, |_| true, max + 1);
    let more = videos.len() > max;
    videos.truncate(max);
    (videos, more)
}

// ---------------------------------------------------------------------------------------
// Business API

/// Answers a TikTok API for Business request (`/open_api/v1.3/…`).
pub(crate) fn handle_business(st: &SandboxState, g: &Generator, req: &Req) -> Reply {
    let path = trimmed(&req.raw_path);
    if path == "/open_api/v1.3/tt_user/oauth2/refresh_token" {
        return business_refresh(st, req);
    }
    let endpoint = match path {
        "/open_api/v1.3/business/get" => "business/get",
        "/open_api/v1.3/business/video/list" => "business/video/list",
        _ => return business_error(404, 40400, &format!("Unknown endpoint {}", req.raw_path)),
    };
    if req.method != Method::GET {
        return business_error(405, 40002, "The HTTP method is not supported by this endpoint.");
    }
    let token = req.header("access-token").unwrap_or_default().trim().to_string();
    let open_id = match st.tokens.check(Network::Tiktok, &token) {
        TokenStatus::Valid(open_id) => open_id,
        _ => return business_error(200, 40001, "The access token is invalid or has expired."),
    };
    if !st.limits.take_tiktok(&token, endpoint) {
        return business_error(200, 40100, "Too many requests. Please retry in some time.");
    }
    let Some(account) = account_by_id(Network::Tiktok, &open_id) else {
        return business_error(200, 40001, "The token's user is unknown to the sandbox.");
    };
    if req.q("business_id") != Some(open_id.as_str()) {
        return business_error(200, 40002, "business_id must be the open_id of the authorized account.");
    }
    let ctx = Business {
        g,
        req,
        now: st.now(),
        account,
    };
    let result = if endpoint == "business/get" {
        ctx.get()
    } else {
        ctx.videos()
    };
    match result {
        Ok(data) => Reply::json(
            200,
            &json!({"code": 0, "message": "OK", "request_id": log_id(ctx.now), "data": data}),
        ),
        Err(r) => r,
    }
}

/// `POST /open_api/v1.3/tt_user/oauth2/refresh_token/`, JSON `{"client_id", "client_secret",
/// "grant_type":"refresh_token", "refresh_token"}` → `{"code":0,"message":"OK","request_id",
/// "data":{"access_token","expires_in":86400,"open_id","refresh_token",
/// "refresh_token_expires_in","scope","token_type":"Bearer"}}`.
///
/// As in the recorded answer (fixture `python-tiktok__tt-user-oauth2-refresh-token`, whose
/// `refresh_token_expires_in` is the year minus the time since the authorization), the
/// refresh token does not rotate: the same one comes back with the seconds left of its
/// year, and keeps working. The sandbox's API for Business takes the sandbox's TikTok
/// grants, so a refresh token from the Login Kit flow (`/v2/oauth/token/`) issued to
/// `client_id` works here (without being consumed). Refusals answer HTTP 200 with code
/// 40105 (unknown, revoked or another app's refresh token, or one past its year) or 40002
/// (a missing parameter, a `grant_type` other than `refresh_token`).
fn business_refresh(st: &SandboxState, req: &Req) -> Reply {
    if req.method != Method::POST {
        return business_error(405, 40002, "The HTTP method is not supported by this endpoint.");
    }
    let Ok(body) = serde_json::from_slice::<Map<String, Value>>(&req.body) else {
        return bad("The request body must be a JSON object.");
    };
    let get = |k: &str| body.get(k).and_then(Value::as_str).filter(|v| !v.is_empty());
    for field in ["client_id", "client_secret", "grant_type", "refresh_token"] {
        if get(field).is_none() {
            return bad(&format!("{field} is required."));
        }
    }
    if get("grant_type") != Some("refresh_token") {
        return bad("grant_type must be refresh_token.");
    }
    let client_id = get("client_id").unwrap_or_default();
    let rt = get("refresh_token").unwrap_or_default();
    let Some((open_id, scope, age)) = st.tokens.peek_refresh(Network::Tiktok, rt, client_id) else {
        return business_error(200, 40105, "The refresh token is invalid or has been revoked.");
    };
    let Some(left) = BUSINESS_REFRESH_LIFETIME.checked_sub(age.as_secs()).filter(|s| *s > 0) else {
        return business_error(200, 40105, "The refresh token has expired; authorize again.");
    };
    let access = st
        .tokens
        .issue_access(Network::Tiktok, &open_id, BUSINESS_ACCESS_LIFETIME);
    let now = st.now();
    Reply::json(
        200,
        &json!({
            "code": 0,
            "message": "OK",
            "request_id": log_id(now),
            "data": {
                "access_token": access,
                "expires_in": BUSINESS_ACCESS_LIFETIME.as_secs(),
                "open_id": open_id,
                "refresh_token": rt,
                "refresh_token_expires_in": left,
                "scope": scope,
                "token_type": "Bearer",
            },
        }),
    )
    .with_header("cache-control", "no-store")
}

struct Business<'a> {
    g: &'a Generator,
    req: &'a Req,
    now: DateTime<Utc>,
    account: usize,
}

fn bad(message: &str) -> Reply {
    business_error(200, 40002, message)
}

/// A JSON array of strings (`["a","b"]`) or a comma-separated list, checked against
/// `allowed`.
fn business_fields(raw: Option<&str>, allowed: &[&str]) -> Result<Vec<String>, Reply> {
    let raw = raw.unwrap_or_default().trim();
    let fields: Vec<String> = if raw.starts_with('[') {
        serde_json::from_str::<Vec<String>>(raw).map_err(|_| bad("fields must be a JSON array of strings."))?
    } else {
        raw.split(',')
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .collect()
    };
    if fields.is_empty() {
        return Err(bad("fields is required."));
    }
    if let Some(f) = fields.iter().find(|f| !allowed.contains(&f.as_str())) {
        return Err(bad(&format!("Invalid field: {f}.")));
    }
    Ok(fields)
}

impl Business<'_> {
    /// `business/get/`: profile fields, audience shares and `metrics[]` per UTC date of
    /// `start_date..=end_date` (at most 60 days; dates after the clock or before 2024 are
    /// left out).
    fn get(&self) -> Result<Value, Reply> {
        let fields = business_fields(self.req.q("fields"), BUSINESS_FIELDS)?;
        let a = &ACCOUNTS[self.account];
        let mut data = Map::new();
        for f in &fields {
            let v = match f.as_str() {
                "username" => json!(a.username),
                "display_name" => json!(a.name),
                "profile_image" => json!(format!("{}/__alcance/img/{}.svg", self.req.base, a.username)),
                "followers_count" => json!(self.g.followers(self.account, self.now)),
                "is_business_account" => json!(true),
                "audience_countries" => json!(TT_AUDIENCE_COUNTRIES
                    .iter()
                    .map(|(c, p)| json!({"country": c, "percentage": p}))
                    .collect::<Vec<_>>()),
                "audience_genders" => json!(TT_AUDIENCE_GENDERS
                    .iter()
                    .map(|(g, p)| json!({"gender": g, "percentage": p}))
                    .collect::<Vec<_>>()),
                _ => self.metrics()?,
            };
            data.insert(f.clone(), v);
        }
        Ok(Value::Object(data))
    }

    fn metrics(&self) -> Result<Value, Reply> {
        let date = |name: &str| {
            let v = self
                .req
                .q(name)
                .ok_or_else(|| bad(&format!("{name} is required with the metrics field.")))?;
            NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").map_err(|_| bad(&format!("{name} must be YYYY-MM-DD.")))
        };
        let (start, end) = (date("start_date")?, date("end_date")?);
        if end < start {
            return Err(bad("end_date must not be before start_date."));
        }
        if (end - start).num_days() >= MAX_BUSINESS_DAYS {
            return Err(bad("The date range cannot exceed 60 days."));
        }
        let mut out = Vec::new();
        let mut d = start.max(HISTORY_START);
        while d <= end {
            let day = day_of(Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN)));
            if day_start(day) >= self.now {
                break;
            }
            let m = tt_day(self.g, self.account, day, self.now);
            let activity: Vec<Value> = m
                .audience_activity
                .iter()
                .enumerate()
                .map(|(h, n)| json!({"hour": h.to_string(), "count": n}))
                .collect();
            out.push(json!({
                "date": d.format("%Y-%m-%d").to_string(),
                "followers_count": m.followers,
                "profile_views": m.profile_views,
                "video_views": m.video_views,
                "likes": m.likes,
                "comments": m.comments,
                "shares": m.shares,
                "audience_activity": activity,
            }));
            d += Duration::days(1);
        }
        Ok(json!(out))
    }

    /// `business/video/list/?business_id&fields=[…]&max_count=1–20 (default 20)&cursor=<ms>
    /// [&filters={"video_ids":[…]}]`.
    fn videos(&self) -> Result<Value, Reply> {
        let fields = business_fields(self.req.q("fields"), BUSINESS_VIDEO_FIELDS)?;
        let max = match self.req.q("max_count") {
            None => MAX_COUNT,
            Some(v) => match v.trim().parse::<usize>() {
                Ok(n) if (1..=MAX_COUNT).contains(&n) => n,
                _ => return Err(bad("max_count must be an integer between 1 and 20.")),
            },
        };
        let cursor = match self.req.q("cursor") {
            None => None,
            Some(v) => match v.trim().parse::<i64>() {
                Ok(ms) if ms >= 0 => Some(ms),
                _ => return Err(bad("cursor must be a number returned by a previous page.")),
            },
        };
        let (videos, more, next) = match self.req.q("filters") {
            Some(raw) => {
                let ids: Vec<String> = serde_json::from_str::<Value>(raw)
                    .ok()
                    .and_then(|v| v.get("video_ids").cloned())
                    .and_then(|v| serde_json::from_value::<Vec<String>>(v).ok())
                    .ok_or_else(|| bad("filters must be {\"video_ids\":[\"…\"]}."))?;
                if ids.is_empty() || ids.len() > MAX_COUNT {
                    return Err(bad("filters.video_ids must hold between 1 and 20 ids."));
                }
                let found: Vec<Post> = ids
                    .iter()
                    .filter_map(|id| find_tt_video(self.g, id))
                    .filter(|p| p.account == self.account && p.published <= self.now)
                    .collect();
                (found, false, 0)
            }
            None => {
                let (videos, more) = page(self.g, self.account, self.now, cursor, max);
                let next = videos
                    .last()
                    .map(|p| p.published.timestamp() * 1_000)
                    .or(cursor)
                    .unwrap_or(0);
                (videos, more, next)
            }
        };
        let data: Vec<Value> = videos.iter().map(|p| self.video_json(p, &fields)).collect();
        Ok(json!({ "videos": data, "cursor": next, "has_more": more }))
    }

    fn video_json(&self, p: &Post, fields: &[String]) -> Value {
        let t = self.now;
        let views = p.value(M::Views, t);
        let duration = p.duration_ms as f64 / 1_000.0;
        let avg = if views > 0 {
            p.avg_watch_ms as f64 / 1_000.0
        } else {
            0.0
        };
        let ratio = if duration > 0.0 { avg / duration } else { 0.0 };
        let round = |x: f64, d: i32| (x * 10f64.powi(d)).round() / 10f64.powi(d);
        let mut o = Map::new();
        for f in fields {
            let v = match f.as_str() {
                "item_id" => json!(p.id),
                "create_time" => json!(p.published.timestamp().to_string()),
                "thumbnail_url" => json!(crate::picture::post_picture_url(&self.req.base, &p.id)),
                "share_url" => json!(share_url(p)),
                "embed_url" => json!(format!("https://www.tiktok.com/embed/v2/{}", p.id)),
                "caption" => json!(p.text),
                "video_views" => json!(views),
                "video_duration" => json!(duration),
                "likes" => json!(p.value(M::Likes, t)),
                "comments" => json!(p.value(M::Replies, t)),
                "shares" => json!(p.value(M::Reposts, t)),
                "reach" => json!(p.value(M::Reach, t)),
                "full_video_watched_rate" => json!(if views > 0 { round(ratio * ratio, 4) } else { 0.0 }),
                "total_time_watched" => json!(round(avg * views as f64, 1)),
                "average_time_watched" => json!(round(avg, 2)),
                "impression_sources" => json!([
                    {"impression_source": "For You", "percentage": 0.72},
                    {"impression_source": "Follow", "percentage": 0.14},
                    {"impression_source": "Personal Profile", "percentage": 0.08},
                    {"impression_source": "Search", "percentage": 0.04},
                    {"impression_source": "Sound", "percentage": 0.02},
                ]),
                _ => json!(TT_AUDIENCE_COUNTRIES
                    .iter()
                    .map(|(c, p)| json!({"country": c, "percentage": p}))
                    .collect::<Vec<_>>()),
            };
            o.insert(f.clone(), v);
        }
        Value::Object(o)
    }
}
