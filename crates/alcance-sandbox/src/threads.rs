//! Threads (Meta's Threads API, `graph.threads.net/v1.0`) of the seeded sandbox: its OAuth
//! endpoints (`/threads/oauth/authorize`, `/threads/oauth/access_token`, and the shared
//! `/access_token` and `/refresh_access_token` with their `th_…` grant types), the
//! `GET /__alcance/threads-token` control endpoint (a long-lived token, as Meta's token
//! generator gives one), and the API paths a Threads token calls: `/me`,
//! `/{threads-user-id}`, `/me/threads` with cursor paging, `/{media-id}/insights`,
//! `/{threads-user-id}/threads_insights` (views series, totals, `followers_count`,
//! `follower_demographics` by one breakdown), with the Graph error envelope and usage
//! headers (platform-apis-more.md §4).
//!
//! API paths share Instagram's (`/me`, `/{id}/insights`), so Threads claims a request only
//! when its `access_token` is a Threads token (like Facebook and WhatsApp); a request with
//! an unknown token falls through to Instagram, which refuses it with #190.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use std::time::Duration as StdDuration;

use crate::meta::{
    graph_time, metric_list, ok, parse_when, token_owner, unsupported_get, with_usage_headers, EdgeQuery,
};
use crate::model::{
    account_by_id, day_of, day_start, th_media_position, Generator, Kind, Network, Post, ACCOUNTS, M, TH_AGES,
    TH_CITIES, TH_COUNTRIES, TH_GENDERS,
};
use crate::oauth::{client_id, owner, redeem_code, TokenStatus};
use crate::registry::FakeNetwork;
use crate::reply::{meta_error, meta_invalid, meta_unparsable_token, Reply};
use crate::server::{Req, SandboxState};

/// Threads in the sandbox's network registry.
pub(crate) struct Threads;

/// Short-lived Threads token lifetime (1 h).
pub const TH_SHORT_LIFETIME: StdDuration = StdDuration::from_secs(3_600);
/// Long-lived Threads token lifetime (60 days, `expires_in` 5184000 s).
pub const TH_LONG_LIFETIME: StdDuration = StdDuration::from_secs(5_184_000);
/// The earliest `since` user insights accept (Unix 1712991600, 2024-04-13T07:00Z).
pub const TH_INSIGHTS_EPOCH: i64 = 1_712_991_600;
/// Media insights metrics Threads serves.
pub const TH_MEDIA_METRICS: [&str; 6] = ["views", "likes", "replies", "reposts", "quotes", "shares"];
/// User insights metrics Threads serves.
pub const TH_USER_METRICS: [&str; 8] = [
    "views",
    "likes",
    "replies",
    "reposts",
    "quotes",
    "clicks",
    "followers_count",
    "follower_demographics",
];
/// Followers needed before `follower_demographics` answers.
pub const TH_DEMOGRAPHICS_MIN_FOLLOWERS: u64 = 100;

impl FakeNetwork for Threads {
    fn network(&self) -> Network {
        Network::Threads
    }

    fn oauth(&self, st: &SandboxState, req: &Req) -> Option<Reply> {
        let get = req.method == axum::http::Method::GET;
        let post = req.method == axum::http::Method::POST;
        Some(match req.path.as_str() {
            "/threads/oauth/authorize" if get => crate::oauth::authorize(st, req, Network::Threads),
            "/threads/oauth/access_token" if post => code_token(st, req),
            "/access_token" if get && req.q("grant_type") == Some("th_exchange_token") => long_lived(st, req, true),
            "/refresh_access_token" if get && req.q("grant_type") == Some("th_refresh_token") => {
                long_lived(st, req, false)
            }
            _ => return None,
        })
    }

    fn seeded(&self, st: &SandboxState, g: &Generator, req: &Req, segs: &[&str]) -> Option<Reply> {
        let token = req.access_token()?;
        (st.tokens.network_of(&token) == Some(Network::Threads)).then(|| handle(st, g, req, segs, &token))
    }
}

fn th_oauth_error(message: &str) -> Reply {
    meta_error(400, 100, None, "OAuthException", message)
}

/// `POST /threads/oauth/access_token` (real `graph.threads.net/oauth/access_token`): form
/// `client_id`, `client_secret`, `grant_type=authorization_code`, `redirect_uri` (HTTPS
/// only, as Threads), `code` → `{"access_token","user_id"}` (short-lived, 1 h; `user_id`
/// a number, as recorded).
fn code_token(st: &SandboxState, req: &Req) -> Reply {
    let form = req.form();
    let Some(client) = client_id(req, &form) else {
        return th_oauth_error("Missing client_id");
    };
    if form.get("client_secret").is_none_or(|s| s.is_empty()) {
        return th_oauth_error("Missing client_secret");
    }
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return th_oauth_error("Invalid grant_type: must be authorization_code");
    }
    if !form.get("redirect_uri").is_some_and(|r| r.starts_with("https://")) {
        return th_oauth_error("Invalid redirect_uri: Threads accepts only HTTPS redirect URIs");
    }
    let account = match owner(st, Network::Threads) {
        Ok(a) => a,
        Err(r) => return r,
    };
    if let Err(e) = redeem_code(st, Network::Threads, &form, &client) {
        return th_oauth_error(&e);
    }
    let access = st.tokens.issue_access(Network::Threads, &account, TH_SHORT_LIFETIME);
    let user_id = account.parse::<u64>().map_or(json!(account), |n| json!(n));
    Reply::json(200, &json!({ "access_token": access, "user_id": user_id })).with_header("cache-control", "no-store")
}

/// `GET /access_token?grant_type=th_exchange_token&client_secret&access_token` (a 1 h
/// token → 60 days) and `GET /refresh_access_token?grant_type=th_refresh_token&access_token`
/// (a long-lived token → a new 60-day one): `{"access_token","token_type":"bearer",
/// "expires_in":5184000}`. A bad token answers Graph error 190 with HTTP 400.
fn long_lived(st: &SandboxState, req: &Req, exchange: bool) -> Reply {
    if exchange && req.q("client_secret").is_none_or(|s| s.is_empty()) {
        return meta_error(400, 100, None, "OAuthException", "(#100) Missing client_secret");
    }
    let bearer = req.access_token().unwrap_or_default();
    let account = match st.tokens.check(Network::Threads, &bearer) {
        TokenStatus::Valid(a) => a,
        _ => return meta_unparsable_token(),
    };
    let access = st.tokens.issue_access(Network::Threads, &account, TH_LONG_LIFETIME);
    Reply::json(
        200,
        &json!({"access_token": access, "token_type": "bearer", "expires_in": TH_LONG_LIFETIME.as_secs()}),
    )
}

/// `GET /__alcance/threads-token`: a long-lived token of the sandbox's Threads account, as
/// Meta's User Token Generator hands one out → `{"access_token","token_type":"bearer",
/// "expires_in","user_id"}` (404 when the sandbox has no Threads account). Never logged.
pub(crate) fn control_token(st: &SandboxState) -> Reply {
    let Some(account) = st.owner(Network::Threads) else {
        return Reply::json(404, &json!({ "error": "this sandbox has no Threads account" }));
    };
    let token = st.tokens.issue_access(Network::Threads, &account, TH_LONG_LIFETIME);
    Reply::json(
        200,
        &json!({
            "access_token": token,
            "token_type": "bearer",
            "expires_in": TH_LONG_LIFETIME.as_secs(),
            "user_id": account,
        }),
    )
    .with_header("cache-control", "no-store")
}

/// Answers an API request made with the Threads token `token`.
fn handle(st: &SandboxState, g: &Generator, req: &Req, segs: &[&str], token: &str) -> Reply {
    let me = match token_owner(st, Network::Threads, token) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let Some(account) = account_by_id(Network::Threads, &me) else {
        return unsupported_get(&me);
    };
    let now = st.now();
    let usage = st.limits.take_meta_as(&me, "threads");
    let reply = match segs {
        [id] if *id == "me" || *id == me.as_str() => user_node(account, req),
        [id, "threads"] if *id == "me" || *id == me.as_str() => threads_edge(g, req, account, now),
        [id, "threads_insights"] if *id == "me" || *id == me.as_str() => user_insights(g, req, account, now),
        [media, "insights"] => media_insights(g, media, account, req, now),
        [media] => match find_media(g, media, account, now) {
            Some(p) => ok(media_node(&p, account, req)),
            None => unsupported_get(media),
        },
        _ => crate::meta::unknown_path(req),
    };
    with_usage_headers(reply, usage, req)
}

/// `GET /me` or `/{threads-user-id}`: `id`, `username`, `name`,
/// `threads_profile_picture_url`, `threads_biography` (all of them whatever `fields`
/// asks, as the fields Threads users have are few).
fn user_node(account: usize, req: &Req) -> Reply {
    let a = &ACCOUNTS[account];
    let wanted = crate::meta::requested_fields(req, "id");
    let all = json!({
        "id": a.external_id,
        "username": a.username,
        "name": a.name,
        "threads_profile_picture_url": format!("{}/__alcance/img/threads-{}.svg", req.base, a.username),
        "threads_biography": a.bio,
        "is_verified": false,
    });
    let mut out = serde_json::Map::new();
    for (f, _) in wanted {
        if let Some(v) = all.get(&f) {
            out.insert(f, v.clone());
        }
    }
    out.insert("id".into(), json!(a.external_id));
    ok(Value::Object(out))
}

/// Threads `media_type` of a generated item.
fn media_type(kind: Kind) -> &'static str {
    match kind {
        Kind::ThImage => "IMAGE",
        Kind::ThVideo => "VIDEO",
        Kind::ThCarousel => "CAROUSEL_ALBUM",
        Kind::ThRepost => "REPOST_FACADE",
        _ => "TEXT_POST",
    }
}

/// A post node. Pictures as Threads serves them: `media_url` on an `IMAGE` or a
/// `CAROUSEL_ALBUM` (its cover), `thumbnail_url` on a `VIDEO` (the sandbox's small PNGs,
/// [`crate::picture`]); text posts and repost facades have neither.
fn media_node(p: &Post, account: usize, req: &Req) -> Value {
    let a = &ACCOUNTS[account];
    let short = format!("D{}", &p.id[p.id.len().saturating_sub(10)..]);
    let mut node = json!({
        "id": p.id,
        "media_product_type": "THREADS",
        "media_type": media_type(p.kind),
        "permalink": format!("https://www.threads.com/@{}/post/{short}", a.username),
        "username": a.username,
        "text": p.text,
        "timestamp": graph_time(p.published),
        "shortcode": short,
        "is_quote_post": false,
    });
    let picture = crate::picture::post_picture_url(&req.base, &p.id);
    match p.kind {
        Kind::ThImage | Kind::ThCarousel => node["media_url"] = json!(picture),
        Kind::ThVideo => node["thumbnail_url"] = json!(picture),
        _ => {}
    }
    node
}

/// `GET /me/threads?fields&limit&since&until&after`: newest first, cursor paging.
fn threads_edge(g: &Generator, req: &Req, account: usize, now: DateTime<Utc>) -> Reply {
    let q = match EdgeQuery::parse(req, now, "thm1") {
        Ok(q) => q,
        Err(r) => return r,
    };
    q.answer(g, req, account, |_| true, |p| Ok(media_node(p, account, req)))
}

/// The generated post `id` of `account`, published by `now`.
fn find_media(g: &Generator, id: &str, account: usize, now: DateTime<Utc>) -> Option<Post> {
    let (owner, day, index) = th_media_position(id)?;
    if owner != account {
        return None;
    }
    g.day_posts(account, day)
        .get(index)
        .filter(|p| p.id == id && p.published <= now)
        .cloned()
}

fn lifetime(name: &str, value: u64, id: &str) -> Value {
    json!({
        "name": name,
        "period": "lifetime",
        "values": [{ "value": value }],
        "title": name,
        "description": "",
        "id": format!("{id}/insights/{name}/lifetime"),
    })
}

/// `GET /{media-id}/insights?metric=…`: lifetime values; `data: []` for a repost facade;
/// #100 for an unknown metric (`clicks` included, as Threads); #100 subcode 33 for an
/// unknown or deleted post.
fn media_insights(g: &Generator, id: &str, account: usize, req: &Req, now: DateTime<Utc>) -> Reply {
    let metrics = match metric_list(req) {
        Ok(m) => m,
        Err(r) => return r,
    };
    if let Some(bad) = metrics.iter().find(|m| !TH_MEDIA_METRICS.contains(&m.as_str())) {
        return meta_invalid(&format!(
            "(#100) metric[0] must be one of the following values: {} (got {bad})",
            TH_MEDIA_METRICS.join(", ")
        ));
    }
    let Some(p) = find_media(g, id, account, now) else {
        return unsupported_get(id);
    };
    if p.kind == Kind::ThRepost {
        return ok(json!({ "data": [] }));
    }
    let data: Vec<Value> = metrics
        .iter()
        .map(|m| {
            let slot = match m.as_str() {
                "views" => M::Views,
                "likes" => M::Likes,
                "replies" => M::Replies,
                "reposts" => M::Reposts,
                "quotes" => M::Quotes,
                _ => M::Bookmarks,
            };
            lifetime(m, p.value(slot, now), id)
        })
        .collect();
    ok(json!({ "data": data }))
}

/// Sum over `account`'s own posts of the growth of `slot` within `[a, b)`.
fn growth(g: &Generator, account: usize, slot: M, a: DateTime<Utc>, b: DateTime<Utc>) -> u64 {
    let first = (day_of(a) - 8).max(0);
    let last = day_of(b - Duration::seconds(1));
    let mut sum = 0u64;
    for day in first..=last {
        for p in g.day_posts(account, day).iter().filter(|p| p.kind != Kind::ThRepost) {
            if p.published < b {
                sum += p.value(slot, b).saturating_sub(p.value(slot, a));
            }
        }
    }
    sum
}

fn total(name: &str, value: u64, id: &str) -> Value {
    json!({
        "name": name,
        "period": "day",
        "title": name,
        "description": "",
        "total_value": { "value": value },
        "id": format!("{id}/insights/{name}/day"),
    })
}

/// `GET /{user-id}/threads_insights?metric=…[&since&until][&breakdown]`.
fn user_insights(g: &Generator, req: &Req, account: usize, now: DateTime<Utc>) -> Reply {
    let metrics = match metric_list(req) {
        Ok(m) => m,
        Err(r) => return r,
    };
    if let Some(bad) = metrics.iter().find(|m| !TH_USER_METRICS.contains(&m.as_str())) {
        return meta_invalid(&format!(
            "(#100) metric[0] must be one of the following values: {} (got {bad})",
            TH_USER_METRICS.join(", ")
        ));
    }
    let id = ACCOUNTS[account].external_id;
    let until = match req.q("until").map(parse_when) {
        None => now,
        Some(Some(t)) => t.min(now),
        Some(None) => return meta_invalid("(#100) The parameter until is not a valid date or timestamp"),
    };
    let since = match req.q("since").map(parse_when) {
        None => until - Duration::days(2),
        Some(Some(t)) => t,
        Some(None) => return meta_invalid("(#100) The parameter since is not a valid date or timestamp"),
    };
    if req.q("since").is_some() && since.timestamp() < TH_INSIGHTS_EPOCH {
        return meta_invalid("(#100) The since parameter cannot be before 1712991600 (April 13, 2024)");
    }
    if since >= until
        && !metrics
            .iter()
            .all(|m| m == "followers_count" || m == "follower_demographics")
    {
        return meta_invalid("(#100) The since timestamp must be before the until timestamp");
    }
    let mut data = Vec::new();
    for m in &metrics {
        match m.as_str() {
            "views" => {
                let mut values = Vec::new();
                let mut day = day_start(day_of(since));
                while day < until {
                    let end = day + Duration::days(1);
                    if end <= until && day >= since - Duration::hours(23) {
                        values.push(json!({ "value": growth(g, account, M::ProfileVisits, day, end), "end_time": graph_time(end) }));
                    }
                    day = end;
                }
                data.push(json!({
                    "name": "views", "period": "day", "title": "views", "description": "",
                    "values": values, "id": format!("{id}/insights/views/day"),
                }));
            }
            "likes" => data.push(total(m, growth(g, account, M::Likes, since, until), id)),
            "replies" => data.push(total(m, growth(g, account, M::Replies, since, until), id)),
            "reposts" => data.push(total(m, growth(g, account, M::Reposts, since, until), id)),
            "quotes" => data.push(total(m, growth(g, account, M::Quotes, since, until), id)),
            "clicks" => {
                let clicks = growth(g, account, M::ProfileVisits, since, until) / 4;
                data.push(json!({
                    "name": "clicks", "period": "day", "title": "clicks", "description": "",
                    "link_total_values": [
                        { "value": clicks - clicks / 3, "link_url": "https://alcance.example/" },
                        { "value": clicks / 3, "link_url": "https://alcance.example/blog" },
                    ],
                    "id": format!("{id}/insights/clicks/day"),
                }));
            }
            "followers_count" => data.push(total(m, g.followers(account, now), id)),
            _ => match demographics(g, req, account, now) {
                Ok(v) => data.push(v),
                Err(r) => return r,
            },
        }
    }
    ok(json!({ "data": data }))
}

/// `follower_demographics` with exactly one `breakdown` (`country`, `city`, `age`,
/// `gender`): #100 for none or several; #10 under 100 followers (inferred: Threads
/// documents the minimum, not its error).
fn demographics(g: &Generator, req: &Req, account: usize, now: DateTime<Utc>) -> Result<Value, Reply> {
    let breakdown = req.q("breakdown").unwrap_or_default();
    let table: &[(&str, f64)] = match breakdown {
        "country" => &TH_COUNTRIES,
        "city" => &TH_CITIES,
        "age" => &TH_AGES,
        "gender" => &TH_GENDERS,
        _ => {
            return Err(meta_invalid(
                "(#100) follower_demographics needs exactly one breakdown: country, city, age or gender",
            ))
        }
    };
    let followers = g.followers(account, now);
    if followers < TH_DEMOGRAPHICS_MIN_FOLLOWERS {
        return Err(meta_error(
            400,
            10,
            None,
            "THApiException",
            "(#10) Not enough followers to show demographics",
        ));
    }
    let results: Vec<Value> = table
        .iter()
        .map(|(k, share)| json!({ "dimension_values": [k], "value": (followers as f64 * share).floor() as u64 }))
        .collect();
    let id = ACCOUNTS[account].external_id;
    Ok(json!({
        "name": "follower_demographics", "period": "lifetime", "title": "follower_demographics", "description": "",
        "total_value": { "breakdowns": [{ "dimension_keys": [breakdown], "results": results }] },
        "id": format!("{id}/insights/follower_demographics/lifetime"),
    }))
}
