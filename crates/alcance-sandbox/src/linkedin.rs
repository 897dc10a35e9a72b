//! LinkedIn on the seeded sandbox (platform-apis-more.md §3): OAuth 2.0 (3-legged, the
//! client secret in the form body; 60-day access tokens; a refresh token only for a client
//! the sandbox treats as approved for programmatic refresh: a client id starting with
//! `approved-`; revoke), OIDC userinfo, and the versioned REST API: `organizationAcls`,
//! `organizations/{id}`, `networkSizes/{urn}`, `organizationalEntityFollowerStatistics`
//! (lifetime and time-bound), `organizationalEntityShareStatistics` (time-bound, per post,
//! lifetime), `posts?q=author` and `socialMetadata?ids=List(…)`.
//!
//! Paths on the sandbox origin: the real ones (`/oauth/v2/…`, `/rest/…`) except userinfo,
//! under `/linkedin/v2/userinfo` (the real `/v2/…` would fall among TikTok's paths).
//!
//! Every `/rest` call must carry `LinkedIn-Version: YYYYMM`; errors use LinkedIn's envelope
//! `{"status","serviceErrorCode","code","message"}`. Paging is `start`/`count` with
//! `paging.total` left out (as LinkedIn often does), so clients stop on a short page.

use std::time::Duration as StdDuration;

use axum::http::Method;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Map, Value};

use crate::faults::FaultKind;
use crate::model::{
    account_by_id, day_of, find_li_post, li_day, utc_midnight, Generator, Kind, Network, Post, ACCOUNTS,
    LI_DEMOGRAPHICS, LI_MEMBER_NAME, LI_MEMBER_SUB, M,
};
use crate::oauth::{self, redeem_code, TokenStatus};
use crate::registry::FakeNetwork;
use crate::reply::{oauth_error, Reply};
use crate::server::{Req, SandboxState};

/// LinkedIn in the sandbox's network registry.
pub(crate) struct Linkedin;

/// Access tokens live 60 days (`expires_in` 5183999, as recorded).
pub const ACCESS_LIFETIME: StdDuration = StdDuration::from_secs(5_183_999);
/// Refresh tokens live 365 days from the first consent (`refresh_token_expires_in`).
pub const REFRESH_LIFETIME_SECS: u64 = 31_535_999;
/// Client ids starting with this get refresh tokens (an app LinkedIn approved for them).
pub const APPROVED_CLIENT_PREFIX: &str = "approved-";
/// Most elements a `/rest` page serves (`count` above is clamped).
pub const MAX_COUNT: usize = 100;

impl FakeNetwork for Linkedin {
    fn network(&self) -> Network {
        Network::Linkedin
    }

    fn oauth(&self, st: &SandboxState, req: &Req) -> Option<Reply> {
        match (req.method.clone(), req.raw_path.trim_end_matches('/')) {
            (Method::GET, "/oauth/v2/authorization") => Some(oauth::authorize(st, req, Network::Linkedin)),
            (Method::POST, "/oauth/v2/accessToken") => Some(token(st, req)),
            (Method::POST, "/oauth/v2/revoke") => Some(revoke(st, req)),
            _ => None,
        }
    }

    fn seeded(&self, st: &SandboxState, g: &Generator, req: &Req, _segs: &[&str]) -> Option<Reply> {
        let path = req.raw_path.trim_end_matches('/');
        if !is_linkedin_path(path) {
            return None;
        }
        if req.method != Method::GET {
            return Some(li_error(405, 0, "METHOD_NOT_ALLOWED", "Method not allowed"));
        }
        let account = match authorized(st, req) {
            Ok(a) => a,
            Err(reply) => return Some(reply),
        };
        let now = st.now();
        if path == "/linkedin/v2/userinfo" {
            return Some(userinfo());
        }
        if req
            .header("linkedin-version")
            .is_none_or(|v| v.len() != 6 || !v.bytes().all(|b| b.is_ascii_digit()))
        {
            // Inferred: LinkedIn refuses versioned calls without the header.
            return Some(li_error(
                400,
                0,
                "VERSION_MISSING",
                "A version must be present. Please specify a version by adding the LinkedIn-Version header.",
            ));
        }
        let Some(owned) = account_by_id(Network::Linkedin, &account) else {
            return Some(li_error(
                403,
                100,
                "ACCESS_DENIED",
                "Not enough permissions to access this resource",
            ));
        };
        let org_urn = format!("urn:li:organization:{}", ACCOUNTS[owned].external_id);
        let resource = path.strip_prefix("/rest/").unwrap_or_default();
        Some(match resource {
            "organizationAcls" => acls(req, &org_urn),
            "organizationalEntityFollowerStatistics" => follower_stats(g, req, owned, &org_urn, now),
            "organizationalEntityShareStatistics" => share_stats(g, req, owned, &org_urn, now),
            "posts" => posts(g, req, owned, &org_urn, now),
            "socialMetadata" => social_metadata(g, req, owned, now),
            r if r.starts_with("organizations/") => organization(r, owned),
            r if r.starts_with("networkSizes/") => network_size(g, req, r, owned, &org_urn, now),
            _ => li_error(404, 0, "NOT_FOUND", "Resource not found"),
        })
    }
}

/// `true` for LinkedIn API paths on the sandbox (`/rest/…`, `/linkedin/…`).
pub(crate) fn is_linkedin_path(raw: &str) -> bool {
    raw.starts_with("/rest/") || raw.starts_with("/linkedin/")
}

/// LinkedIn's error envelope with HTTP `status`.
fn li_error(status: u16, service_code: i64, code: &str, message: &str) -> Reply {
    Reply::json(
        status,
        &json!({"status": status, "serviceErrorCode": service_code, "code": code, "message": message}),
    )
    .with_header("x-restli-protocol-version", "2.0.0")
}

/// The 500 / 429 / 401 / 403 answers of fault injection on LinkedIn paths, in LinkedIn's
/// envelope (a 429 without `Retry-After`, as LinkedIn sends it); `None` for other paths
/// and kinds.
pub(crate) fn fault_replacement(kind: FaultKind, raw: &str) -> Option<Reply> {
    if !is_linkedin_path(raw) {
        return None;
    }
    Some(match kind {
        FaultKind::Status500 => li_error(500, 0, "INTERNAL_SERVER_ERROR", "Internal Server Error"),
        FaultKind::Status429 | FaultKind::Status429Bare => li_error(
            429,
            101,
            "TOO_MANY_REQUESTS",
            "Resource level throttle APPLICATION DAY limit for calls to this resource is reached.",
        ),
        FaultKind::Status401 => li_error(
            401,
            65601,
            "REVOKED_ACCESS_TOKEN",
            "The token used in the request has been revoked by the user",
        ),
        FaultKind::Status403 => li_error(
            403,
            100,
            "ACCESS_DENIED",
            "Not enough permissions to access this resource",
        ),
        _ => return None,
    })
}

/// The page id the bearer token acts as, or LinkedIn's 401.
fn authorized(st: &SandboxState, req: &Req) -> Result<String, Reply> {
    let Some(bearer) = req.bearer() else {
        return Err(li_error(401, 65600, "INVALID_ACCESS_TOKEN", "Invalid access token"));
    };
    match st.tokens.check(Network::Linkedin, &bearer) {
        TokenStatus::Valid(account) => Ok(account),
        TokenStatus::Revoked => Err(li_error(
            401,
            65601,
            "REVOKED_ACCESS_TOKEN",
            "The token used in the request has been revoked by the user",
        )),
        TokenStatus::Expired => Err(li_error(
            401,
            65602,
            "EXPIRED_ACCESS_TOKEN",
            "The token used in the request has expired",
        )),
        TokenStatus::Unknown => Err(li_error(401, 65600, "INVALID_ACCESS_TOKEN", "Invalid access token")),
    }
}

fn token_answer(st: &SandboxState, page: &str, refresh: Option<String>, scope: &str) -> Reply {
    let access = st.tokens.issue_access(Network::Linkedin, page, ACCESS_LIFETIME);
    let mut body = json!({
        "access_token": access,
        "expires_in": ACCESS_LIFETIME.as_secs(),
        "scope": scope.replace(' ', ","),
        "token_type": "Bearer",
    });
    if scope.split([' ', ',']).any(|s| s == "openid") {
        body["id_token"] = json!("sandbox.id-token.unsigned");
    }
    if let Some(rt) = refresh {
        body["refresh_token"] = json!(rt);
        body["refresh_token_expires_in"] = json!(REFRESH_LIFETIME_SECS);
    }
    Reply::json(200, &body).with_header("cache-control", "no-store")
}

/// `POST /oauth/v2/accessToken` (form with `client_id` and `client_secret`; HTTP Basic is
/// refused, as integrators report of LinkedIn): `authorization_code` → a 60-day access token
/// (plus a refresh token for an approved client); `refresh_token` → a new access token and
/// the same refresh token (LinkedIn does not rotate them).
fn token(st: &SandboxState, req: &Req) -> Reply {
    let form = req.form();
    let get = |k: &str| form.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let (Some(client), Some(_secret)) = (get("client_id"), get("client_secret")) else {
        return Reply::json(
            401,
            &json!({"error": "invalid_client", "error_description": "Client authentication failed"}),
        );
    };
    let approved = client.starts_with(APPROVED_CLIENT_PREFIX);
    match get("grant_type") {
        Some("authorization_code") => {
            let page = match oauth::owner(st, Network::Linkedin) {
                Ok(p) => p,
                Err(r) => return r,
            };
            match redeem_code(st, Network::Linkedin, &form, client) {
                Ok(code) => {
                    let rt = approved.then(|| st.tokens.issue_refresh(Network::Linkedin, &page, client, &code.scope));
                    token_answer(st, &page, rt, &code.scope)
                }
                Err(e) => oauth_error("invalid_request", &e),
            }
        }
        Some("refresh_token") => {
            let rt = get("refresh_token").unwrap_or_default();
            match st.tokens.peek_refresh(Network::Linkedin, rt, client) {
                Some((page, scope, _)) => token_answer(st, &page, Some(rt.to_string()), &scope),
                None => oauth_error(
                    "invalid_request",
                    "The provided refresh token is invalid or has been revoked",
                ),
            }
        }
        Some(other) => oauth_error(
            "unsupported_grant_type",
            &format!("grant_type {other} is not supported"),
        ),
        None => oauth_error("invalid_request", "A required parameter \"grant_type\" is missing"),
    }
}

/// `POST /oauth/v2/revoke` (form `client_id`, `client_secret`, `token`): 200 with an empty
/// body when the token was known, else 400.
fn revoke(st: &SandboxState, req: &Req) -> Reply {
    let form = req.form();
    let has = |k: &str| form.get(k).is_some_and(|v| !v.is_empty());
    if !has("client_id") || !has("client_secret") {
        return Reply::json(
            401,
            &json!({"error": "invalid_client", "error_description": "Client authentication failed"}),
        );
    }
    let t = form.get("token").map(String::as_str).unwrap_or_default();
    if !t.is_empty() && st.tokens.revoke(t) {
        Reply::json(200, &json!({}))
    } else {
        oauth_error("invalid_request", "The token is invalid or was revoked already")
    }
}

/// `GET /v2/userinfo` (OIDC).
fn userinfo() -> Reply {
    let (given, family) = LI_MEMBER_NAME.split_once(' ').unwrap_or((LI_MEMBER_NAME, ""));
    Reply::json(
        200,
        &json!({
            "sub": LI_MEMBER_SUB,
            "email_verified": true,
            "name": LI_MEMBER_NAME,
            "locale": {"country": "BR", "language": "pt"},
            "given_name": given,
            "family_name": family,
            "picture": format!("https://media.licdn.com/dms/image/sandbox/{LI_MEMBER_SUB}"),
        }),
    )
}

/// `start` and `count` of a finder (count clamped to [`MAX_COUNT`], default 10).
fn paging(req: &Req) -> Result<(usize, usize), Reply> {
    let num = |k: &str, default: usize| -> Result<usize, Reply> {
        match req.q(k) {
            None => Ok(default),
            Some(v) => v
                .parse::<usize>()
                .map_err(|_| li_error(400, 0, "ILLEGAL_ARGUMENT", &format!("Invalid value for param {k}: {v}"))),
        }
    };
    Ok((num("start", 0)?, num("count", 10)?.min(MAX_COUNT)))
}

fn collection(elements: Vec<Value>, start: usize, count: usize) -> Reply {
    Reply::json(
        200,
        &json!({"paging": {"start": start, "count": count, "links": []}, "elements": elements}),
    )
    .with_header("x-restli-protocol-version", "2.0.0")
}

/// `GET /rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED`.
fn acls(req: &Req, org_urn: &str) -> Reply {
    if req.q("q") != Some("roleAssignee") {
        return li_error(
            400,
            0,
            "ILLEGAL_ARGUMENT",
            "Unsupported finder: only q=roleAssignee is served",
        );
    }
    let (start, count) = match paging(req) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let wanted = |k: &str, v: &str| req.q(k).is_none_or(|x| x == v);
    let mut all = Vec::new();
    if wanted("role", "ADMINISTRATOR") && wanted("state", "APPROVED") {
        all.push(json!({
            "roleAssignee": format!("urn:li:person:{LI_MEMBER_SUB}"),
            "state": "APPROVED",
            "role": "ADMINISTRATOR",
            "organization": org_urn,
        }));
    }
    let page: Vec<Value> = all.into_iter().skip(start).take(count).collect();
    collection(page, start, count)
}

/// `GET /rest/organizations/{id}`.
fn organization(resource: &str, owned: usize) -> Reply {
    let id = resource.strip_prefix("organizations/").unwrap_or_default();
    let a = &ACCOUNTS[owned];
    if id != a.external_id {
        return li_error(
            403,
            100,
            "ACCESS_DENIED",
            "Not enough permissions to access: organizations.GET",
        );
    }
    Reply::json(
        200,
        &json!({
            "vanityName": a.username,
            "localizedName": a.name,
            "id": id.parse::<u64>().unwrap_or_default(),
            "organizationType": "PRIVATELY_HELD",
            "defaultLocale": {"country": "BR", "language": "pt"},
            "name": {"localized": {"pt_BR": a.name}, "preferredLocale": {"country": "BR", "language": "pt"}},
            "localizedDescription": a.bio,
            "primaryOrganizationType": "NONE",
            "locations": [],
            "created": {"actor": format!("urn:li:person:{LI_MEMBER_SUB}"), "time": 1_552_400_525_000u64},
            "autoCreated": false,
        }),
    )
}

/// `GET /rest/networkSizes/{orgUrn}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`.
fn network_size(g: &Generator, req: &Req, resource: &str, owned: usize, org_urn: &str, now: DateTime<Utc>) -> Reply {
    let key = resource.strip_prefix("networkSizes/").unwrap_or_default();
    let decoded: String = url::form_urlencoded::parse(format!("k={key}").as_bytes())
        .map(|(_, v)| v.into_owned())
        .next()
        .unwrap_or_default();
    if decoded != org_urn {
        return li_error(
            403,
            100,
            "ACCESS_DENIED",
            "Not enough permissions to access: networkSizes.GET",
        );
    }
    if req.q("edgeType") != Some("COMPANY_FOLLOWED_BY_MEMBER") {
        return li_error(
            400,
            0,
            "ILLEGAL_ARGUMENT",
            "edgeType must be COMPANY_FOLLOWED_BY_MEMBER",
        );
    }
    Reply::json(200, &json!({"firstDegreeSize": g.followers(owned, now)}))
}

/// `(start ms, end ms)` of `(timeRange:(start:…,end:…),timeGranularityType:DAY)`.
fn parse_intervals(v: &str) -> Option<(i64, i64)> {
    let num_after = |key: &str| -> Option<i64> {
        let at = v.find(key)? + key.len();
        let digits: String = v[at..].chars().take_while(|c| c.is_ascii_digit()).collect();
        digits.parse().ok()
    };
    if !v.contains("timeGranularityType:DAY") {
        return None;
    }
    let (start, end) = (num_after("start:")?, num_after("end:")?);
    (end > start).then_some((start, end))
}

/// The UTC days the interval covers (the first starting at or after `start` rounded down to
/// midnight), up to the last day that has ended by `now` (LinkedIn serves complete days).
fn days(start_ms: i64, end_ms: i64, now: DateTime<Utc>) -> Vec<chrono::NaiveDate> {
    let (Some(start), Some(end)) = (
        DateTime::from_timestamp_millis(start_ms),
        DateTime::from_timestamp_millis(end_ms),
    ) else {
        return Vec::new();
    };
    let mut d = start.date_naive();
    let mut out = Vec::new();
    while utc_midnight(d) + Duration::days(1) <= end.min(now) && out.len() < 400 {
        out.push(d);
        d = match d.succ_opt() {
            Some(n) => n,
            None => break,
        };
    }
    out
}

fn check_entity(req: &Req, org_urn: &str) -> Result<(), Reply> {
    if req.q("q") != Some("organizationalEntity") {
        return Err(li_error(
            400,
            0,
            "ILLEGAL_ARGUMENT",
            "Unsupported finder: q=organizationalEntity expected",
        ));
    }
    if req.q("organizationalEntity") != Some(org_urn) {
        return Err(li_error(
            403,
            100,
            "ACCESS_DENIED",
            "Not enough permissions to access this organization",
        ));
    }
    Ok(())
}

fn range(day: chrono::NaiveDate) -> Value {
    let a = utc_midnight(day);
    json!({"start": a.timestamp_millis(), "end": (a + Duration::days(1)).timestamp_millis()})
}

/// `GET /rest/organizationalEntityFollowerStatistics?q=organizationalEntity&organizationalEntity={urn}`
/// (lifetime demographics) or with `timeIntervals` (daily gains).
fn follower_stats(g: &Generator, req: &Req, owned: usize, org_urn: &str, now: DateTime<Utc>) -> Reply {
    if let Err(r) = check_entity(req, org_urn) {
        return r;
    }
    if let Some(v) = req.q("timeIntervals") {
        let Some((start, end)) = parse_intervals(v) else {
            return li_error(400, 0, "ILLEGAL_ARGUMENT", &format!("Invalid timeIntervals: {v}"));
        };
        let elements: Vec<Value> = days(start, end, now)
            .into_iter()
            .map(|d| {
                let day = li_day(g, owned, d);
                json!({
                    "timeRange": range(d),
                    "followerGains": {"organicFollowerGain": day.organic_gain, "paidFollowerGain": day.paid_gain},
                    "organizationalEntity": org_urn,
                })
            })
            .collect();
        let n = elements.len();
        return collection(elements, 0, n);
    }
    let followers = g.followers(owned, now) as f64;
    let mut element = Map::new();
    for (array, facet, value, share) in LI_DEMOGRAPHICS {
        let total = (followers * share).floor() as u64;
        let paid = total / 20;
        let entry = json!({
            *facet: value,
            "followerCounts": {"organicFollowerCount": total - paid, "paidFollowerCount": paid},
        });
        if let Some(list) = element
            .entry(array.to_string())
            .or_insert_with(|| Value::Array(Vec::new()))
            .as_array_mut()
        {
            list.push(entry);
        }
    }
    element.insert("organizationalEntity".into(), json!(org_urn));
    collection(vec![Value::Object(element)], 0, 1)
}

/// The URNs of `List(urn1,urn2)` (already decoded from the query).
fn list_items(v: &str) -> Option<Vec<String>> {
    let inner = v.strip_prefix("List(")?.strip_suffix(')')?;
    Some(
        inner
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                url::form_urlencoded::parse(format!("k={s}").as_bytes())
                    .map(|(_, v)| v.into_owned())
                    .next()
                    .unwrap_or_default()
            })
            .collect(),
    )
}

fn totals(impressions: u64, unique: u64, clicks: u64, likes: u64, comments: u64, shares: u64, follows: u64) -> Value {
    let engagement = if impressions == 0 {
        0.0
    } else {
        (clicks + likes + comments + shares + follows) as f64 / impressions as f64
    };
    json!({
        "uniqueImpressionsCount": unique,
        "shareCount": shares,
        "engagement": engagement,
        "clickCount": clicks,
        "likeCount": likes,
        "impressionCount": impressions,
        "commentCount": comments,
    })
}

fn post_totals(p: &Post, now: DateTime<Utc>) -> Value {
    totals(
        p.value(M::Views, now),
        p.value(M::Reach, now),
        p.value(M::LinkClicks, now),
        p.value(M::Likes, now),
        p.value(M::Replies, now),
        p.value(M::Reposts, now),
        p.value(M::Follows, now),
    )
}

/// `GET /rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity={urn}`
/// with `timeIntervals` (daily page totals), `shares=List(…)` or `ugcPosts=List(…)` (per
/// post, lifetime; a request mixing both is refused, as LinkedIn does), or neither (the
/// page's lifetime totals).
fn share_stats(g: &Generator, req: &Req, owned: usize, org_urn: &str, now: DateTime<Utc>) -> Reply {
    if let Err(r) = check_entity(req, org_urn) {
        return r;
    }
    let shares = req.q("shares");
    let ugc = req.q("ugcPosts");
    if shares.is_some() && ugc.is_some() {
        return li_error(
            400,
            0,
            "ILLEGAL_ARGUMENT",
            "shares and ugcPosts cannot be requested together",
        );
    }
    if let Some((param, v)) = shares.map(|v| ("share", v)).or_else(|| ugc.map(|v| ("ugcPost", v))) {
        let Some(urns) = list_items(v) else {
            return li_error(400, 0, "ILLEGAL_ARGUMENT", &format!("Invalid List(...) value: {v}"));
        };
        let elements: Vec<Value> = urns
            .iter()
            .filter_map(|u| find_li_post(g, u))
            .filter(|p| p.account == owned && p.published <= now)
            .map(|p| {
                json!({
                    param: p.id,
                    "totalShareStatistics": post_totals(&p, now),
                    "organizationalEntity": org_urn,
                })
            })
            .collect();
        let n = elements.len();
        return collection(elements, 0, n);
    }
    if let Some(v) = req.q("timeIntervals") {
        let Some((start, end)) = parse_intervals(v) else {
            return li_error(400, 0, "ILLEGAL_ARGUMENT", &format!("Invalid timeIntervals: {v}"));
        };
        let elements: Vec<Value> = days(start, end, now)
            .into_iter()
            .map(|d| {
                let day = li_day(g, owned, d);
                let mut stats = totals(
                    day.impressions,
                    day.unique,
                    day.clicks,
                    day.likes,
                    day.comments,
                    day.shares,
                    day.organic_gain,
                );
                stats["engagement"] = json!(day.engagement());
                json!({"timeRange": range(d), "totalShareStatistics": stats, "organizationalEntity": org_urn})
            })
            .collect();
        let n = elements.len();
        return collection(elements, 0, n);
    }
    let mut sum = [0u64; 7];
    for d in 0..=day_of(now).max(0) {
        for p in g.day_posts(owned, d).iter().filter(|p| p.published <= now) {
            for (i, m) in [
                M::Views,
                M::Reach,
                M::LinkClicks,
                M::Likes,
                M::Replies,
                M::Reposts,
                M::Follows,
            ]
            .iter()
            .enumerate()
            {
                sum[i] += p.value(*m, now);
            }
        }
    }
    let stats = totals(sum[0], sum[1], sum[2], sum[3], sum[4], sum[5], sum[6]);
    collection(
        vec![json!({"totalShareStatistics": stats, "organizationalEntity": org_urn})],
        0,
        1,
    )
}

fn post_json(p: &Post, org_urn: &str) -> Value {
    let mut post = json!({
        "id": p.id,
        "author": org_urn,
        "commentary": p.text,
        "visibility": "PUBLIC",
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": false,
        "createdAt": p.published.timestamp_millis(),
        "publishedAt": p.published.timestamp_millis(),
        "lastModifiedAt": p.published.timestamp_millis(),
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
    });
    let tail = p.id.rsplit(':').next().unwrap_or_default();
    match p.kind {
        Kind::LiImage => post["content"] = json!({"media": {"id": format!("urn:li:image:D4E{tail}"), "altText": ""}}),
        Kind::LiVideo => post["content"] = json!({"media": {"id": format!("urn:li:video:D5E{tail}"), "title": p.text}}),
        _ => {}
    }
    post
}

/// `GET /rest/posts?q=author&author={urn}&count=&start=&sortBy=`: the page's posts, newest
/// first (by creation; `LAST_MODIFIED`, the default, gives the same order here since the
/// seeded posts are never edited).
fn posts(g: &Generator, req: &Req, owned: usize, org_urn: &str, now: DateTime<Utc>) -> Reply {
    if req.q("q") != Some("author") {
        return li_error(400, 0, "ILLEGAL_ARGUMENT", "Unsupported finder: q=author expected");
    }
    if req.q("author") != Some(org_urn) {
        return li_error(
            403,
            100,
            "ACCESS_DENIED",
            "Not enough permissions to access: partnerApiPostsExternal.FINDER-author",
        );
    }
    if let Some(s) = req.q("sortBy").filter(|s| !matches!(*s, "CREATED" | "LAST_MODIFIED")) {
        return li_error(400, 0, "ILLEGAL_ARGUMENT", &format!("Invalid sortBy: {s}"));
    }
    let (start, count) = match paging(req) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let walked = g.walk_back(owned, now, crate::model::day_start(0), None, |_| true, start + count);
    let elements: Vec<Value> = walked
        .iter()
        .skip(start)
        .take(count)
        .map(|p| post_json(p, org_urn))
        .collect();
    collection(elements, start, count)
}

/// `GET /rest/socialMetadata?ids=List(…)`: per known post its reaction summaries and comment
/// count; unknown or future posts under `errors` with a 404.
fn social_metadata(g: &Generator, req: &Req, owned: usize, now: DateTime<Utc>) -> Reply {
    let Some(urns) = req.q("ids").and_then(list_items) else {
        return li_error(400, 0, "ILLEGAL_ARGUMENT", "ids=List(...) is required");
    };
    let mut results = Map::new();
    let mut errors = Map::new();
    let mut statuses = Map::new();
    for urn in urns {
        match find_li_post(g, &urn).filter(|p| p.account == owned && p.published <= now) {
            Some(p) => {
                let likes = p.value(M::Likes, now);
                // Two reaction types: most are LIKE, one in eight PRAISE (celebrate).
                let praise = likes / 8;
                let comments = p.value(M::Replies, now);
                results.insert(
                    urn.clone(),
                    json!({
                        "reactionSummaries": {
                            "LIKE": {"reactionType": "LIKE", "count": likes - praise},
                            "PRAISE": {"reactionType": "PRAISE", "count": praise},
                        },
                        "commentsState": "OPEN",
                        "commentSummary": {"count": comments, "topLevelCount": comments - comments / 5},
                        "entity": urn,
                    }),
                );
                statuses.insert(urn, json!(200));
            }
            None => {
                errors.insert(
                    urn.clone(),
                    json!({"status": 404, "code": "NOT_FOUND", "message": format!("Entity {urn} not found")}),
                );
                statuses.insert(urn, json!(404));
            }
        }
    }
    Reply::json(
        200,
        &json!({"results": results, "statuses": statuses, "errors": errors}),
    )
    .with_header("x-restli-protocol-version", "2.0.0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restli_values_parse() {
        assert_eq!(
            parse_intervals("(timeRange:(start:1700000000000,end:1700086400000),timeGranularityType:DAY)"),
            Some((1_700_000_000_000, 1_700_086_400_000))
        );
        assert_eq!(
            parse_intervals("(timeRange:(start:5,end:1),timeGranularityType:DAY)"),
            None
        );
        assert_eq!(
            parse_intervals("(timeRange:(start:1,end:5),timeGranularityType:MONTH)"),
            None
        );
        assert_eq!(
            list_items("List(urn:li:share:1,urn%3Ali%3AugcPost%3A2)"),
            Some(vec!["urn:li:share:1".to_string(), "urn:li:ugcPost:2".to_string()])
        );
        assert_eq!(list_items("urn:li:share:1"), None);
    }
}
