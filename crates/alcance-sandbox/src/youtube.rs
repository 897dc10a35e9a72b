//! YouTube on the seeded sandbox (platform-apis-more.md §1): Google OAuth 2.0 for installed
//! apps (authorize with PKCE, token with a refresh token that does not rotate, revoke), the
//! Data API v3 (`/youtube/v3/channels`, `/youtube/v3/playlistItems`, `/youtube/v3/videos`,
//! `/youtube/v3/commentThreads`)
//! and the Analytics API v2 (`/youtubeanalytics/v2/reports`, `dimensions=day`).
//!
//! Paths on the sandbox origin: the Data API keeps its real path (`/youtube/v3/…`); the
//! Analytics API is under `/youtubeanalytics/v2/…` and Google's token and revoke endpoints
//! under `/google/oauth2/…` (their real paths `/v2/…` and `/token` would collide with
//! TikTok's), the consent page at its real `/o/oauth2/v2/auth`.
//!
//! Answers follow the API: counts as strings, `items` absent when nothing matched,
//! `nextPageToken` on every page but the last, ids the caller may not see silently left
//! out of `videos.list`; errors in Google's envelope
//! `{"error":{"code","message","errors":[{"message","domain","reason"}],"status"}}`.

use std::time::Duration as StdDuration;

use axum::http::Method;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{json, Map, Value};

use crate::faults::FaultKind;
use crate::model::{
    account_by_id, day_start, find_yt_video, pacific_day, total_views, yt_day, Generator, Network, Post, YtDay,
    ACCOUNTS, M,
};
use crate::oauth::{self, redeem_code, TokenStatus};
use crate::registry::FakeNetwork;
use crate::reply::{oauth_error, Reply};
use crate::server::{Req, SandboxState};

/// YouTube in the sandbox's network registry.
pub(crate) struct Youtube;

impl FakeNetwork for Youtube {
    fn network(&self) -> Network {
        Network::Youtube
    }

    fn oauth(&self, st: &SandboxState, req: &Req) -> Option<Reply> {
        match (req.method.clone(), req.raw_path.trim_end_matches('/')) {
            (Method::GET, "/o/oauth2/v2/auth") => Some(oauth::authorize(st, req, Network::Youtube)),
            (Method::POST, "/google/oauth2/token") => Some(token(st, req)),
            (Method::POST, "/google/oauth2/revoke") => Some(revoke(st, req)),
            _ => None,
        }
    }

    fn seeded(&self, st: &SandboxState, g: &Generator, req: &Req, _segs: &[&str]) -> Option<Reply> {
        let path = req.raw_path.trim_end_matches('/');
        let resource = path
            .strip_prefix("/youtube/v3/")
            .or_else(|| path.strip_prefix("/youtubeanalytics/v2/"))?;
        if req.method != Method::GET {
            return Some(google_error(
                405,
                "methodNotAllowed",
                "global",
                "Method not allowed.",
                None,
            ));
        }
        let account = match authorized(st, req) {
            Ok(a) => a,
            Err(reply) => return Some(reply),
        };
        let now = st.now();
        Some(match (path.starts_with("/youtube/v3/"), resource) {
            (true, "channels") => channels(g, req, &account, now),
            (true, "playlistItems") => playlist_items(g, req, now),
            (true, "videos") => videos(g, req, now),
            (true, "commentThreads") => comment_threads(g, req, now),
            (false, "reports") => reports(g, req, &account, now),
            _ => google_error(404, "notFound", "global", "Not Found", None),
        })
    }
}

/// Access tokens live one hour (`expires_in` 3599, as Google answers).
pub const ACCESS_LIFETIME: StdDuration = StdDuration::from_secs(3_599);
/// Most items per Data API page (`maxResults` ≤ 50).
pub const MAX_RESULTS: usize = 50;
/// Days the Analytics API lags: `endDate` is clamped to today (Pacific) minus this.
pub const ANALYTICS_LAG_DAYS: i64 = 2;
/// The Analytics metrics the sandbox serves.
pub const ANALYTICS_METRICS: &[&str] = &[
    "views",
    "estimatedMinutesWatched",
    "averageViewDuration",
    "likes",
    "comments",
    "shares",
    "subscribersGained",
    "subscribersLost",
];

/// Google's error envelope with HTTP `status`.
fn google_error(status: u16, reason: &str, domain: &str, message: &str, status_text: Option<&str>) -> Reply {
    let mut error = json!({
        "code": status,
        "message": message,
        "errors": [{"message": message, "domain": domain, "reason": reason}],
    });
    if let Some(s) = status_text {
        error["status"] = json!(s);
    }
    Reply::json(status, &json!({ "error": error }))
}

/// `true` for the Data and Analytics API paths on the sandbox.
pub(crate) fn is_youtube_path(raw: &str) -> bool {
    raw.starts_with("/youtube/v3/") || raw.starts_with("/youtubeanalytics/")
}

/// The 500 / 429 / 401 / 403 answers of fault injection on YouTube paths, in Google's
/// envelope (429 as `rateLimitExceeded` / `RESOURCE_EXHAUSTED`; the fault adds
/// `Retry-After` when it has a reset); `None` for other paths and kinds.
pub(crate) fn fault_replacement(kind: FaultKind, raw: &str) -> Option<Reply> {
    if !is_youtube_path(raw) && !crate::sheets::is_sheets_path(raw) {
        return None;
    }
    Some(match kind {
        FaultKind::Status500 => google_error(
            500,
            "backendError",
            "global",
            "Internal error encountered.",
            Some("INTERNAL"),
        ),
        FaultKind::Status429 | FaultKind::Status429Bare => google_error(
            429,
            "rateLimitExceeded",
            "usageLimits",
            "Resource has been exhausted (e.g. check quota).",
            Some("RESOURCE_EXHAUSTED"),
        ),
        FaultKind::Status401 => google_error(
            401,
            "authError",
            "global",
            "Request had invalid authentication credentials. Expected OAuth 2 access token.",
            Some("UNAUTHENTICATED"),
        ),
        FaultKind::Status403 => google_error(
            403,
            "insufficientPermissions",
            "global",
            "Request had insufficient authentication scopes.",
            Some("PERMISSION_DENIED"),
        ),
        _ => return None,
    })
}

fn bad_request(message: &str) -> Reply {
    google_error(400, "badRequest", "global", message, Some("INVALID_ARGUMENT"))
}

/// The channel id the bearer token acts as, or Google's 401 `authError`.
fn authorized(st: &SandboxState, req: &Req) -> Result<String, Reply> {
    let unauthenticated = || {
        google_error(
            401,
            "authError",
            "global",
            "Request had invalid authentication credentials. Expected OAuth 2 access token.",
            Some("UNAUTHENTICATED"),
        )
    };
    let bearer = req.bearer().ok_or_else(unauthenticated)?;
    match st.tokens.check(Network::Youtube, &bearer) {
        TokenStatus::Valid(account) => Ok(account),
        _ => Err(unauthenticated()),
    }
}

fn token_answer(st: &SandboxState, channel: &str, refresh: Option<String>, scope: &str) -> Reply {
    let access = st.tokens.issue_access(Network::Youtube, channel, ACCESS_LIFETIME);
    // Sheets checks the grant's scope per call (`crate::sheets`); YouTube does not.
    st.tokens.set_scope(&access, scope);
    let mut body = json!({
        "access_token": access,
        "expires_in": ACCESS_LIFETIME.as_secs(),
        "scope": scope,
        "token_type": "Bearer",
    });
    if let Some(rt) = refresh {
        body["refresh_token"] = json!(rt);
    }
    Reply::json(200, &body).with_header("cache-control", "no-store")
}

/// `POST /google/oauth2/token` (form; the client may authenticate with HTTP Basic):
/// `authorization_code` (code, redirect_uri, code_verifier, client_id, client_secret) →
/// access + refresh token; `refresh_token` → a new access token and no new refresh token
/// (Google does not rotate them).
fn token(st: &SandboxState, req: &Req) -> Reply {
    let form = req.form();
    let get = |k: &str| form.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let Some(client) = oauth::client_id(req, &form) else {
        return oauth_error("invalid_request", "Could not determine client ID from request.");
    };
    let basic = req.header("authorization").is_some_and(|a| a.starts_with("Basic "));
    if get("client_secret").is_none() && !basic {
        return oauth_error("invalid_client", "client_secret is missing.");
    }
    match get("grant_type") {
        Some("authorization_code") => {
            let channel = match oauth::owner(st, Network::Youtube) {
                Ok(c) => c,
                Err(r) => return r,
            };
            match redeem_code(st, Network::Youtube, &form, &client) {
                Ok(code) => {
                    let scope = code.scope.clone();
                    let rt = st.tokens.issue_refresh(Network::Youtube, &channel, &client, &scope);
                    token_answer(st, &channel, Some(rt), &scope)
                }
                Err(e) => oauth_error("invalid_grant", &e),
            }
        }
        Some("refresh_token") => {
            let rt = get("refresh_token").unwrap_or_default();
            match st.tokens.peek_refresh(Network::Youtube, rt, &client) {
                Some((channel, scope, _)) => token_answer(st, &channel, None, &scope),
                None => oauth_error("invalid_grant", "Token has been expired or revoked."),
            }
        }
        Some(other) => oauth_error("unsupported_grant_type", &format!("Invalid grant_type: {other}")),
        None => oauth_error("unsupported_grant_type", "Invalid grant_type: "),
    }
}

/// `POST /google/oauth2/revoke` (form `token`): 200 `{}` when the token was known, else 400
/// `invalid_token`.
fn revoke(st: &SandboxState, req: &Req) -> Reply {
    let form = req.form();
    let t = form.get("token").map(String::as_str).unwrap_or_default();
    if !t.is_empty() && st.tokens.revoke(t) {
        Reply::json(200, &json!({}))
    } else {
        Reply::json(
            400,
            &json!({"error": "invalid_token", "error_description": "Token expired or revoked"}),
        )
    }
}

fn parts(req: &Req) -> Vec<String> {
    req.q("part")
        .unwrap_or_default()
        .split(',')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

fn etag(seed: &str) -> String {
    let h = crate::model::splitmix(
        seed.bytes()
            .fold(0u64, |a, b| a.wrapping_mul(131).wrapping_add(u64::from(b))),
    );
    format!("{h:016x}")
}

fn list(kind: &str, items: Vec<Value>, total: usize, per_page: usize, next: Option<String>) -> Reply {
    let mut body = Map::new();
    body.insert("kind".into(), json!(kind));
    body.insert("etag".into(), json!(etag(&format!("{kind}{total}{}", items.len()))));
    if let Some(n) = next {
        body.insert("nextPageToken".into(), json!(n));
    }
    body.insert(
        "pageInfo".into(),
        json!({"totalResults": total, "resultsPerPage": per_page}),
    );
    if !items.is_empty() {
        body.insert("items".into(), Value::Array(items));
    }
    Reply::json(200, &Value::Object(body))
}

/// Subscribers as the Data API shows them: rounded down to three significant figures.
fn rounded(n: u64) -> u64 {
    if n < 1_000 {
        return n;
    }
    let digits = n.ilog10();
    let unit = 10u64.pow(digits - 2);
    n / unit * unit
}

fn uploads_of(channel: &str) -> String {
    format!("UU{}", channel.get(2..).unwrap_or_default())
}

fn channel_item(g: &Generator, account: usize, parts: &[String], now: DateTime<Utc>) -> Value {
    let a = &ACCOUNTS[account];
    let mut item = Map::new();
    item.insert("kind".into(), json!("youtube#channel"));
    item.insert("etag".into(), json!(etag(a.external_id)));
    item.insert("id".into(), json!(a.external_id));
    let has = |p: &str| parts.iter().any(|x| x == p);
    if has("snippet") {
        let avatar = |size: u32| json!({"url": format!("https://yt3.ggpht.com/sandbox/{}=s{size}-c-k-c0x00ffffff-no-rj", a.username), "width": size, "height": size});
        item.insert(
            "snippet".into(),
            json!({
                "title": a.name,
                "description": a.bio,
                "customUrl": format!("@{}", a.username),
                "publishedAt": a.created_at,
                "thumbnails": {"default": avatar(88), "medium": avatar(240), "high": avatar(800)},
                "localized": {"title": a.name, "description": a.bio},
                "country": "BR",
            }),
        );
    }
    if has("statistics") {
        item.insert(
            "statistics".into(),
            json!({
                "viewCount": total_views(g, account, now).to_string(),
                "subscriberCount": rounded(g.followers(account, now)).to_string(),
                "hiddenSubscriberCount": false,
                "videoCount": g.post_count(account, now).to_string(),
            }),
        );
    }
    if has("contentDetails") {
        item.insert(
            "contentDetails".into(),
            json!({"relatedPlaylists": {"likes": "", "uploads": uploads_of(a.external_id)}}),
        );
    }
    Value::Object(item)
}

/// `GET /youtube/v3/channels?part=…&(mine=true|forHandle=@h|id=a,b)`.
fn channels(g: &Generator, req: &Req, me: &str, now: DateTime<Utc>) -> Reply {
    let parts = parts(req);
    if parts.is_empty() {
        return bad_request("No filter selected. Expected one of: forUsername, mine, forHandle, id, ...; and part.");
    }
    let youtube = |i: &usize| ACCOUNTS[*i].network == Network::Youtube;
    let found: Vec<usize> = if req.q("mine") == Some("true") {
        account_by_id(Network::Youtube, me).into_iter().collect()
    } else if let Some(h) = req.q("forHandle") {
        let h = h.trim_start_matches('@');
        (0..ACCOUNTS.len())
            .filter(youtube)
            .filter(|i| ACCOUNTS[*i].username.eq_ignore_ascii_case(h))
            .collect()
    } else if let Some(ids) = req.q("id") {
        ids.split(',')
            .filter_map(|id| account_by_id(Network::Youtube, id.trim()))
            .collect()
    } else {
        return bad_request("No filter selected. Expected one of: forUsername, mine, forHandle, id.");
    };
    let items: Vec<Value> = found.iter().map(|i| channel_item(g, *i, &parts, now)).collect();
    let total = items.len();
    list("youtube#channelListResponse", items, total, 5, None)
}

fn max_results(req: &Req, default: usize) -> Result<usize, Reply> {
    match req.q("maxResults") {
        None => Ok(default),
        Some(m) => match m.parse::<usize>() {
            Ok(n) if n <= MAX_RESULTS => Ok(n),
            _ => Err(bad_request(&format!(
                "Invalid value '{m}'. Values must be within the range: [0, 50]"
            ))),
        },
    }
}

fn published(p: &Post) -> String {
    p.published.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `GET /youtube/v3/playlistItems?part=…&playlistId=UU…&maxResults=&pageToken=`: the
/// channel's uploads, newest first. Page tokens are opaque (`EAAa` + offset).
fn playlist_items(g: &Generator, req: &Req, now: DateTime<Utc>) -> Reply {
    let Some(playlist) = req.q("playlistId") else {
        return bad_request("No filter selected. Expected one of: playlistId, id");
    };
    let account = playlist
        .strip_prefix("UU")
        .and_then(|rest| account_by_id(Network::Youtube, &format!("UC{rest}")));
    let Some(account) = account else {
        return google_error(
            404,
            "playlistNotFound",
            "youtube.playlistItem",
            "The playlist identified with the request's <code>playlistId</code> parameter cannot be found.",
            Some("NOT_FOUND"),
        );
    };
    let per_page = match max_results(req, 5) {
        Ok(n) => n,
        Err(r) => return r,
    };
    let offset = match req.q("pageToken") {
        None => 0,
        Some(t) => match t.strip_prefix("EAAa").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => n,
            None => return bad_request("The request specifies an invalid page token."),
        },
    };
    let parts = parts(req);
    let walked = g.walk_back(account, now, day_start(0), None, |_| true, offset + per_page + 1);
    let total = g.post_count(account, now) as usize - ACCOUNTS[account].posts_before_history as usize;
    let page: Vec<&Post> = walked.iter().skip(offset).take(per_page).collect();
    let next = (walked.len() > offset + per_page).then(|| format!("EAAa{}", offset + per_page));
    let items: Vec<Value> = page
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut item = Map::new();
            item.insert("kind".into(), json!("youtube#playlistItem"));
            item.insert("etag".into(), json!(etag(&p.id)));
            item.insert("id".into(), json!(format!("{playlist}.{}", p.id)));
            if parts.iter().any(|x| x == "snippet") {
                item.insert(
                    "snippet".into(),
                    json!({
                        "publishedAt": published(p),
                        "channelId": ACCOUNTS[account].external_id,
                        "title": p.text,
                        "playlistId": playlist,
                        "position": offset + i,
                        "resourceId": {"kind": "youtube#video", "videoId": p.id},
                    }),
                );
            }
            if parts.iter().any(|x| x == "contentDetails") {
                item.insert(
                    "contentDetails".into(),
                    json!({"videoId": p.id, "videoPublishedAt": published(p)}),
                );
            }
            Value::Object(item)
        })
        .collect();
    list("youtube#playlistItemListResponse", items, total, per_page, next)
}

/// `GET /youtube/v3/commentThreads?part=snippet,replies&videoId=…&maxResults=(1–100, default
/// 20)&pageToken=`: the video's seeded comments (those its `commentCount` counts, replies
/// included, `crate::comments::seeded`) as threads, newest first, each with its replies
/// under `replies.comments` when `part` has `replies`; `totalReplyCount` always. A video
/// that does not exist (or is not published yet) answers 404 `videoNotFound`.
fn comment_threads(g: &Generator, req: &Req, now: DateTime<Utc>) -> Reply {
    let Some(video) = req.q("videoId") else {
        return bad_request("No filter selected. Expected one of: videoId, allThreadsRelatedToChannelId, id");
    };
    let Some(p) = find_yt_video(g, video).filter(|p| p.published <= now) else {
        return google_error(
            404,
            "videoNotFound",
            "youtube.commentThread",
            "The video identified by the <code><a href=\"/youtube/v3/docs/commentThreads/list#videoId\">videoId</a></code> parameter could not be found.",
            Some("NOT_FOUND"),
        );
    };
    let per_page = match req.q("maxResults") {
        None => 20,
        Some(m) => match m.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                return bad_request(&format!(
                    "Invalid value '{m}'. Values must be within the range: [1, 100]"
                ))
            }
        },
    };
    let offset = match req.q("pageToken") {
        None => 0,
        Some(t) => match t.strip_prefix("QURT").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => n,
            None => return bad_request("The request specifies an invalid page token."),
        },
    };
    let with_replies = parts(req).iter().any(|x| x == "replies");
    let all = crate::comments::seeded(&p, now, true);
    let channel = &ACCOUNTS[p.account].external_id;
    let comment = |c: &crate::comments::SeededComment| {
        let mut snippet = json!({
            "channelId": channel,
            "videoId": p.id,
            "textDisplay": c.text,
            "textOriginal": c.text,
            "authorDisplayName": format!("@{}", c.author),
            "authorChannelUrl": format!("http://www.youtube.com/@{}", c.author),
            "authorChannelId": {"value": format!("UC{}", c.author_id)},
            "canRate": true,
            "viewerRating": "none",
            "likeCount": c.likes,
            "publishedAt": c.at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "updatedAt": c.at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        });
        if let Some(parent) = &c.parent {
            snippet["parentId"] = json!(parent);
        }
        json!({"kind": "youtube#comment", "etag": etag(&c.id), "id": c.id, "snippet": snippet})
    };
    let threads: Vec<&crate::comments::SeededComment> = all.iter().rev().filter(|c| c.parent.is_none()).collect();
    let total = threads.len();
    let next = (total > offset + per_page).then(|| format!("QURT{}", offset + per_page));
    let items: Vec<Value> = threads
        .iter()
        .skip(offset)
        .take(per_page)
        .map(|c| {
            let replies: Vec<Value> = all
                .iter()
                .filter(|r| r.parent.as_deref() == Some(c.id.as_str()))
                .map(comment)
                .collect();
            let mut thread = json!({
                "kind": "youtube#commentThread",
                "etag": etag(&format!("t{}", c.id)),
                "id": c.id,
                "snippet": {
                    "channelId": channel,
                    "videoId": p.id,
                    "topLevelComment": comment(c),
                    "canReply": true,
                    "totalReplyCount": replies.len(),
                    "isPublic": true,
                },
            });
            if with_replies && !replies.is_empty() {
                thread["replies"] = json!({ "comments": replies });
            }
            thread
        })
        .collect();
    list("youtube#commentThreadListResponse", items, total, per_page, next)
}

/// `PT#H#M#S` of a duration in whole seconds.
fn iso_duration(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, (seconds / 60) % 60, seconds % 60);
    let mut out = String::from("PT");
    if h > 0 {
        out.push_str(&format!("{h}H"));
    }
    if m > 0 {
        out.push_str(&format!("{m}M"));
    }
    if s > 0 || (h == 0 && m == 0) {
        out.push_str(&format!("{s}S"));
    }
    out
}

/// `GET /youtube/v3/videos?part=…&id=a,b` (≤ 50 ids): the videos published by `now`;
/// unknown or future ids are left out, as YouTube leaves out deleted and private ones.
fn videos(g: &Generator, req: &Req, now: DateTime<Utc>) -> Reply {
    let Some(ids) = req.q("id") else {
        return bad_request("No filter selected. Expected one of: chart, id, myRating.");
    };
    let ids: Vec<&str> = ids.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if ids.len() > MAX_RESULTS {
        return bad_request("The request specifies more than 50 video ids.");
    }
    let parts = parts(req);
    let has = |p: &str| parts.iter().any(|x| x == p);
    let items: Vec<Value> = ids
        .iter()
        .filter_map(|id| find_yt_video(g, id))
        .filter(|p| p.published <= now)
        .map(|p| {
            let a = &ACCOUNTS[p.account];
            let mut item = Map::new();
            item.insert("kind".into(), json!("youtube#video"));
            item.insert(
                "etag".into(),
                json!(etag(&format!("{}{}", p.id, now.timestamp() / 3600))),
            );
            item.insert("id".into(), json!(p.id));
            if has("snippet") {
                item.insert(
                    "snippet".into(),
                    json!({
                        "publishedAt": published(&p),
                        "channelId": a.external_id,
                        "title": p.text,
                        "description": "",
                        "channelTitle": a.name,
                        "categoryId": "27",
                        "liveBroadcastContent": "none",
                        "defaultAudioLanguage": "pt-BR",
                        "thumbnails": {"medium": {
                            "url": crate::picture::post_picture_url(&req.base, &p.id),
                            "width": 320,
                            "height": 180,
                        }},
                    }),
                );
            }
            if has("statistics") {
                item.insert(
                    "statistics".into(),
                    json!({
                        "viewCount": p.value(M::Views, now).to_string(),
                        "likeCount": p.value(M::Likes, now).to_string(),
                        "favoriteCount": "0",
                        "commentCount": p.value(M::Replies, now).to_string(),
                    }),
                );
            }
            if has("contentDetails") {
                item.insert(
                    "contentDetails".into(),
                    json!({
                        "duration": iso_duration(p.duration_ms / 1000),
                        "dimension": "2d",
                        "definition": "hd",
                        "caption": "false",
                        "licensedContent": false,
                        "contentRating": {},
                        "projection": "rectangular",
                    }),
                );
            }
            if has("status") {
                item.insert(
                    "status".into(),
                    json!({
                        "uploadStatus": "processed",
                        "privacyStatus": "public",
                        "license": "youtube",
                        "embeddable": true,
                        "publicStatsViewable": true,
                        "madeForKids": false,
                    }),
                );
            }
            Value::Object(item)
        })
        .collect();
    let total = items.len();
    list("youtube#videoListResponse", items, total, total, None)
}

fn parse_day(req: &Req, name: &str) -> Result<NaiveDate, Reply> {
    let v = req
        .q(name)
        .ok_or_else(|| bad_request(&format!("Required parameter: {name}")))?;
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| bad_request(&format!("Invalid value at '{name}' ({v}): expected YYYY-MM-DD")))
}

/// `GET /youtubeanalytics/v2/reports?ids=channel==MINE&startDate&endDate&metrics=…&dimensions=day`:
/// one row per Pacific day from `startDate` to `endDate`, clamped to
/// [`ANALYTICS_LAG_DAYS`] before today (Pacific); `rows` absent when the range is empty.
fn reports(g: &Generator, req: &Req, me: &str, now: DateTime<Utc>) -> Reply {
    if req.q("ids") != Some("channel==MINE") && req.q("ids") != Some(&format!("channel=={me}")) {
        return google_error(
            403,
            "forbidden",
            "global",
            "Forbidden: only channel==MINE is served.",
            Some("PERMISSION_DENIED"),
        );
    }
    let (start, end) = match (parse_day(req, "startDate"), parse_day(req, "endDate")) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    if end < start {
        return bad_request("The query's start date must be on or before its end date.");
    }
    let metrics: Vec<&str> = req
        .q("metrics")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .collect();
    if metrics.is_empty() {
        return bad_request("Required parameter: metrics");
    }
    if let Some(unknown) = metrics.iter().find(|m| !ANALYTICS_METRICS.contains(m)) {
        return bad_request(&format!(
            "Unknown identifier ({unknown}) given in field parameters.metrics."
        ));
    }
    if req.q("dimensions") == Some("video") {
        return video_rows(g, req, me, &metrics, now);
    }
    let day_dimension = match req.q("dimensions") {
        Some("day") => true,
        None | Some("") => false,
        Some(other) => {
            return bad_request(&format!(
                "The query is not supported. Check the documentation ({other})."
            ))
        }
    };
    let Some(account) = account_by_id(Network::Youtube, me) else {
        return google_error(403, "forbidden", "global", "Forbidden", Some("PERMISSION_DENIED"));
    };
    let last = pacific_day(now) - Duration::days(ANALYTICS_LAG_DAYS);
    let end = end.min(last);
    let mut headers: Vec<Value> = Vec::new();
    if day_dimension {
        headers.push(json!({"name": "day", "columnType": "DIMENSION", "dataType": "STRING"}));
    }
    for m in &metrics {
        headers.push(json!({"name": m, "columnType": "METRIC", "dataType": "INTEGER"}));
    }
    let mut days = Vec::new();
    let mut d = start;
    while d <= end {
        days.push((d, yt_day(g, account, d)));
        d = match d.succ_opt() {
            Some(n) => n,
            None => break,
        };
    }
    let cell = |v: &YtDay, m: &str| -> u64 {
        match m {
            "views" => v.views,
            "estimatedMinutesWatched" => v.minutes,
            "averageViewDuration" => v.avg_view_seconds,
            "likes" => v.likes,
            "comments" => v.comments,
            "shares" => v.shares,
            "subscribersGained" => v.gained,
            _ => v.lost,
        }
    };
    let rows: Vec<Value> = if day_dimension {
        days.iter()
            .map(|(d, v)| {
                let mut row = vec![json!(d.format("%Y-%m-%d").to_string())];
                row.extend(metrics.iter().map(|m| json!(cell(v, m))));
                Value::Array(row)
            })
            .collect()
    } else if days.is_empty() {
        Vec::new()
    } else {
        vec![Value::Array(
            metrics
                .iter()
                .map(|m| json!(days.iter().map(|(_, v)| cell(v, m)).sum::<u64>()))
                .collect(),
        )]
    };
    let mut body = json!({"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers});
    if !rows.is_empty() {
        body["rows"] = Value::Array(rows);
    }
    Reply::json(200, &body)
}

/// `dimensions=video&filters=video==a,b,…`: one row per listed video of the channel `me`
/// published by `now` (others left out, as YouTube does): lifetime watch time from the
/// video's views and an average view of 42 % of its duration, shares from its reposts.
/// `maxResults` (1–200) is required, as for YouTube's top-videos report.
fn video_rows(g: &Generator, req: &Req, me: &str, metrics: &[&str], now: DateTime<Utc>) -> Reply {
    let Some(filter) = req.q("filters").and_then(|f| f.strip_prefix("video==")) else {
        return bad_request("The query is not supported: dimensions=video needs filters=video==ID[,ID…].");
    };
    let max: usize = match req.q("maxResults").and_then(|m| m.parse().ok()) {
        Some(m) if (1..=200).contains(&m) => m,
        _ => return bad_request("The query is not supported: dimensions=video needs maxResults from 1 to 200."),
    };
    if let Some(m) = metrics.iter().find(|m| {
        !matches!(
            **m,
            "views" | "estimatedMinutesWatched" | "averageViewDuration" | "likes" | "comments" | "shares"
        )
    }) {
        return bad_request(&format!("The query is not supported: {m} per video."));
    }
    let mut headers = vec![json!({"name": "video", "columnType": "DIMENSION", "dataType": "STRING"})];
    headers.extend(
        metrics
            .iter()
            .map(|m| json!({"name": m, "columnType": "METRIC", "dataType": "INTEGER"})),
    );
    let rows: Vec<Value> = filter
        .split(',')
        .filter_map(|id| find_yt_video(g, id.trim()))
        .filter(|p| p.published <= now && ACCOUNTS[p.account].external_id == me)
        .take(max)
        .map(|p| {
            let views = p.value(M::Views, now);
            let avg = p.duration_ms / 1000 * 42 / 100;
            let mut row = vec![json!(p.id)];
            row.extend(metrics.iter().map(|m| {
                json!(match *m {
                    "views" => views,
                    "estimatedMinutesWatched" => views * avg / 60,
                    "averageViewDuration" => avg,
                    "likes" => p.value(M::Likes, now),
                    "comments" => p.value(M::Replies, now),
                    _ => p.value(M::Reposts, now),
                })
            }));
            Value::Array(row)
        })
        .collect();
    let mut body = json!({"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers});
    if !rows.is_empty() {
        body["rows"] = Value::Array(rows);
    }
    Reply::json(200, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_rounding_look_like_youtube() {
        assert_eq!(iso_duration(214), "PT3M34S");
        assert_eq!(iso_duration(3600), "PT1H");
        assert_eq!(iso_duration(0), "PT0S");
        assert_eq!(rounded(999), 999);
        assert_eq!(rounded(12_345), 12_300);
        assert_eq!(rounded(1_234_567), 1_230_000);
        assert_eq!(uploads_of("UCabc"), "UUabc");
    }
}
