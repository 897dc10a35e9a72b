//! Facebook Pages on the seeded sandbox (platform-apis.md §2, §3): Facebook Login (dialog,
//! code exchange, `fb_exchange_token`), `/me/accounts` page tokens, Page nodes, posts and
//! videos edges, Page / post / video insights, with Graph envelopes, errors and usage
//! headers (`X-Business-Use-Case-Usage` type `pages`).
//!
//! Tokens: Facebook Login issues **user** tokens (acting as [`FB_USER_ID`]); `GET
//! /me/accounts` with a user token hands out one **Page** token per managed Page (they
//! never expire). Page and post insights and video insights need the Page token of the
//! Page that owns the object: a user token gets `(#190) This method must be called with a
//! Page Access Token`, another Page's token gets `(#10)` (no ANALYZE task on that Page).
//! Nodes, posts and videos of both seeded Pages are readable with any Facebook token.

use axum::http::Method;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::America::Los_Angeles;
use serde_json::{json, Map, Value};
use url::Url;

use crate::meta::{
    base_name, graph_time, insight_item, insights_paging, insights_range, metric_list, nonexisting, ok,
    requested_fields, token_owner, unknown_path, unsupported_get, unsupported_method, with_usage_headers, EdgeQuery,
    INVALID_METRIC,
};
use crate::model::{account_by_id, day_start, Generator, Kind, Network, Post, ACCOUNTS, M};
use crate::model::{
    fb_video_id, find_fb_post, find_fb_video, page_insights, reactions_by_type, status_type, FB_PAGE_OWNED, FB_USER_ID,
    FB_USER_NAME,
};
use crate::oauth::{self, redeem_code, TokenStatus};
use crate::registry::FakeNetwork;
use crate::reply::{meta_error, meta_invalid, meta_unparsable_token, Reply};
use crate::server::{Req, SandboxState};

/// Facebook Pages in the sandbox's network registry: Facebook Login and the Graph paths
/// asked with a Facebook token; in replay mode it also answers `GET /me/accounts` itself
/// when no recording does.
pub(crate) struct Facebook;

impl FakeNetwork for Facebook {
    fn network(&self) -> Network {
        Network::Facebook
    }

    fn oauth(&self, st: &SandboxState, req: &Req) -> Option<Reply> {
        let get = req.method == Method::GET;
        match req.path.as_str() {
            "/dialog/oauth" if get => Some(authorize(st, req)),
            "/oauth/access_token" if get => Some(token(st, req)),
            _ => None,
        }
    }

    fn seeded(&self, st: &SandboxState, g: &Generator, req: &Req, segs: &[&str]) -> Option<Reply> {
        let network = req.access_token().and_then(|t| st.tokens.network_of(&t));
        (network == Some(Network::Facebook)).then(|| handle(st, g, req, segs))
    }

    fn replay_fallback(&self, st: &SandboxState, req: &Req) -> Option<Reply> {
        replay_accounts(st, req)
    }
}

/// Page insights metrics served (period `day`): views, viewers, engagement, page views,
/// daily follows / unfollows and the lifetime follower total.
pub const PAGE_METRICS: &[&str] = &[
    "page_media_view",
    "page_total_media_view_unique",
    "page_post_engagements",
    "page_views_total",
    "page_daily_follows_unique",
    "page_daily_unfollows_unique",
    "page_follows",
];

/// Page and post metrics Meta removed (2024-03-14, 2025-11-15, v26 "reach" removals).
/// Asking for any of them, or for any name not in [`PAGE_METRICS`] / [`POST_METRICS`],
/// fails the whole call with HTTP 400 `(#100) The value must be a valid insights metric`.
pub const REMOVED_METRICS: &[&str] = &[
    "page_impressions",
    "page_impressions_unique",
    "page_impressions_paid",
    "page_impressions_paid_unique",
    "page_impressions_organic",
    "page_impressions_organic_unique",
    "page_impressions_viral",
    "page_impressions_viral_unique",
    "page_impressions_nonviral",
    "page_impressions_nonviral_unique",
    "page_posts_impressions",
    "page_posts_impressions_unique",
    "page_posts_served_impressions_organic_unique",
    "page_fans",
    "page_fans_locale",
    "page_fans_city",
    "page_fans_country",
    "page_fans_gender_age",
    "page_fan_adds",
    "page_fan_adds_unique",
    "page_fan_removes",
    "page_fan_removes_unique",
    "page_engaged_users",
    "page_consumptions",
    "page_video_views_unique",
    "post_impressions",
    "post_impressions_unique",
    "post_impressions_paid",
    "post_impressions_paid_unique",
    "post_impressions_fan",
    "post_impressions_fan_unique",
    "post_impressions_organic",
    "post_impressions_organic_unique",
    "post_impressions_viral",
    "post_impressions_viral_unique",
    "post_impressions_nonviral",
    "post_impressions_nonviral_unique",
    "post_engaged_users",
];

/// Post insights metrics served (period `lifetime`).
pub const POST_METRICS: &[&str] = &[
    "post_media_view",
    "post_total_media_view_unique",
    "post_reactions_by_type_total",
    "post_clicks",
];

/// Video insights metrics served (period `lifetime`; times in milliseconds).
pub const VIDEO_METRICS: &[&str] = &[
    "total_video_views",
    "total_video_views_unique",
    "total_video_avg_time_watched",
    "total_video_view_total_time",
];

/// `expires_in` of the code exchange's user token, as the wire contract shows it (s).
pub const SHORT_EXPIRES_IN: u64 = 5_183_944;
/// `expires_in` of a long-lived (`fb_exchange_token`) user token: 60 days (s).
pub const LONG_EXPIRES_IN: u64 = 5_184_000;
/// Page tokens read with a user token do not expire; the sandbox gives them ten years.
const PAGE_TOKEN_LIFETIME: std::time::Duration = std::time::Duration::from_secs(10 * 365 * 86_400);
/// Longest `until - since` of Page insights: 90 days.
pub const MAX_INSIGHTS_DAYS: i64 = 90;

/// Tasks of the admin on the owned Page (`tasks` of `/me/accounts`).
const TASKS: [&str; 5] = ["ANALYZE", "ADVERTISE", "MESSAGING", "MODERATE", "CREATE_CONTENT"];

// ---------------------------------------------------------------------------------------
// OAuth

/// `GET /dialog/oauth` (Facebook Login dialog, `/vNN.N` stripped): `response_type=code`
/// (optionally with PKCE) redirects with `code` and `state`; `response_type=token` (Meta's
/// desktop pattern) redirects with `#access_token=…&expires_in=…&state=…` in the fragment.
pub(crate) fn authorize(st: &SandboxState, req: &Req) -> Reply {
    if req.q("response_type") != Some("token") {
        return oauth::authorize(st, req, Network::Facebook);
    }
    let redirect = req.q("redirect_uri").unwrap_or_default();
    let (Some(_), Ok(mut url)) = (req.q("client_id").filter(|c| !c.is_empty()), Url::parse(redirect)) else {
        return meta_error(
            400,
            191,
            None,
            "OAuthException",
            "Can't load URL: the client_id or redirect_uri is missing or invalid.",
        );
    };
    let token = st.tokens.issue_access(
        Network::Facebook,
        FB_USER_ID,
        std::time::Duration::from_secs(SHORT_EXPIRES_IN),
    );
    let mut fragment = url::form_urlencoded::Serializer::new(String::new());
    fragment.append_pair("access_token", &token);
    fragment.append_pair(
        "data_access_expiration_time",
        &(st.now() + Duration::days(90)).timestamp().to_string(),
    );
    fragment.append_pair("expires_in", &SHORT_EXPIRES_IN.to_string());
    if let Some(state) = req.q("state").filter(|s| !s.is_empty()) {
        fragment.append_pair("state", state);
    }
    url.set_fragment(Some(&fragment.finish()));
    Reply::redirect(url.as_str())
}

/// `GET /oauth/access_token`: the code exchange (`client_id`, `redirect_uri`, `code`, and
/// `client_secret` unless the dialog had a PKCE challenge, then `code_verifier`) →
/// `{"access_token","token_type":"bearer","expires_in":5183944}`; or
/// `grant_type=fb_exchange_token` (`client_id`, `client_secret`, `fb_exchange_token`) →
/// a long-lived token with `expires_in` 5184000. Errors are Graph errors (HTTP 400).
pub(crate) fn token(st: &SandboxState, req: &Req) -> Reply {
    let q = |k: &str| req.q(k).filter(|v| !v.is_empty());
    let Some(client) = q("client_id") else {
        return meta_error(400, 101, None, "OAuthException", "Missing client_id parameter.");
    };
    match req.q("grant_type") {
        Some("fb_exchange_token") => {
            if q("client_secret").is_none() {
                return meta_error(400, 1, None, "OAuthException", "Missing client_secret parameter.");
            }
            let short = q("fb_exchange_token").unwrap_or_default();
            match st.tokens.check(Network::Facebook, short) {
                TokenStatus::Valid(a) if a == FB_USER_ID => {}
                _ => return meta_unparsable_token(),
            }
            let access = st.tokens.issue_access(
                Network::Facebook,
                FB_USER_ID,
                std::time::Duration::from_secs(LONG_EXPIRES_IN),
            );
            ok(json!({"access_token": access, "token_type": "bearer", "expires_in": LONG_EXPIRES_IN}))
        }
        Some(other) => meta_invalid(&format!("(#100) Unsupported grant_type: {other}")),
        None => {
            for p in ["redirect_uri", "code"] {
                if q(p).is_none() {
                    return meta_error(400, 100, None, "OAuthException", &format!("Missing {p} parameter."));
                }
            }
            let form: std::collections::HashMap<String, String> = req.query.iter().cloned().collect();
            let code = match redeem_code(st, Network::Facebook, &form, client) {
                Ok(c) => c,
                Err(e) if e.contains("redirect_uri") => {
                    return meta_error(
                        400,
                        100,
                        Some(36008),
                        "OAuthException",
                        "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request",
                    )
                }
                Err(e) if e.contains("code_verifier") => {
                    return meta_error(400, 100, Some(36010), "OAuthException", "Invalid code verifier.")
                }
                Err(_) => {
                    return meta_error(400, 100, Some(36007), "OAuthException", "Invalid verification code format.")
                }
            };
            if code.challenge.is_none() && q("client_secret").is_none() {
                return meta_error(400, 1, None, "OAuthException", "Missing client_secret parameter.");
            }
            let granted = code
                .scope
                .split([',', ' '])
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            st.tokens
                .set_meta_permissions(FB_USER_ID, granted, code.declined.clone());
            let access = st.tokens.issue_access(
                Network::Facebook,
                FB_USER_ID,
                std::time::Duration::from_secs(SHORT_EXPIRES_IN),
            );
            ok(json!({"access_token": access, "token_type": "bearer", "expires_in": SHORT_EXPIRES_IN}))
        }
    }
}

/// Replay mode, when no recording answers `GET /me/accounts`: the manifest's owned Facebook
/// Page with a synthetic Page token and the `ANALYZE` task, so the connect flow can reach
/// the recorded Page endpoints. `None` for other requests.
pub(crate) fn replay_accounts(st: &SandboxState, req: &Req) -> Option<Reply> {
    if req.method != Method::GET || req.path.trim_end_matches('/') != "/me/accounts" {
        return None;
    }
    let page = st.owner(Network::Facebook)?;
    let name = st
        .manifest()
        .into_iter()
        .find(|a| a.platform == Network::Facebook.key() && a.external_id == page)
        .and_then(|a| a.username)
        .unwrap_or_else(|| page.clone());
    let token = st.tokens.issue_access(Network::Facebook, &page, PAGE_TOKEN_LIFETIME);
    Some(ok(json!({
        "data": [{
            "id": page,
            "name": name,
            "access_token": token,
            "tasks": TASKS,
            "category": "Software",
        }],
        "paging": { "cursors": { "before": URL_SAFE_NO_PAD.encode("page:0"), "after": URL_SAFE_NO_PAD.encode("page:0") } },
    })))
}

// ---------------------------------------------------------------------------------------
// Graph

/// Who a Facebook token acts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    /// The Facebook user ([`FB_USER_ID`]).
    User,
    /// A Page, by index into [`ACCOUNTS`].
    Page(usize),
}

/// Answers a Graph request made with a Facebook token (path segments after the version).
pub(crate) fn handle(st: &SandboxState, g: &Generator, req: &Req, segs: &[&str]) -> Reply {
    let token = req.access_token().unwrap_or_default();
    let actor = match token_owner(st, Network::Facebook, &token) {
        Ok(id) if id == FB_USER_ID => Actor::User,
        Ok(id) => match account_by_id(Network::Facebook, &id) {
            Some(i) => Actor::Page(i),
            None => Actor::User,
        },
        Err(r) => return r,
    };
    let ctx = Ctx {
        g,
        req,
        st,
        now: st.now(),
        actor,
    };
    let business = segs
        .first()
        .and_then(|id| ctx.page_of(id))
        .or(match actor {
            Actor::Page(i) => Some(i),
            Actor::User => None,
        })
        .map_or(FB_USER_ID, |i| ACCOUNTS[i].external_id);
    let usage = st.limits.take_meta_as(business, "pages");
    let reply = if matches!(segs, ["me", "permissions"]) {
        ctx.permissions()
    } else if req.method == Method::GET {
        ctx.route(segs)
    } else {
        unsupported_method(req)
    };
    with_usage_headers(reply, usage, req)
}

struct Ctx<'a> {
    g: &'a Generator,
    req: &'a Req,
    st: &'a SandboxState,
    now: DateTime<Utc>,
    actor: Actor,
}

/// The tag of post and video cursors.
const CURSOR_TAG: &str = "fbp1";

/// The Pacific-time (America/Los_Angeles) day containing `t`, as UTC `[start, end)`:
/// Page insights buckets end at Pacific midnight (`T08:00:00+0000` in winter,
/// `T07:00:00+0000` in summer), as Meta's do.
pub(crate) fn pacific_day(t: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    // Far-out instants (any `since`/`until` a client sends) are clamped to years 1900–9000,
    // where the time-zone arithmetic is defined.
    let lo = Utc
        .with_ymd_and_hms(1900, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let hi = Utc
        .with_ymd_and_hms(9000, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    let date = t.clamp(lo, hi).with_timezone(&Los_Angeles).date_naive();
    let midnight = |d: chrono::NaiveDate| {
        Los_Angeles
            .from_local_datetime(&d.and_time(NaiveTime::MIN))
            .earliest()
            .map(|x| x.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&d.and_time(NaiveTime::MIN)))
    };
    let next = date.succ_opt().unwrap_or(date);
    (midnight(date), midnight(next))
}

impl Ctx<'_> {
    /// The seeded Page `id` names, or the Page owning the post / video `id`.
    fn page_of(&self, id: &str) -> Option<usize> {
        if let Some(i) = account_by_id(Network::Facebook, id) {
            return Some(i);
        }
        if id.contains('_') {
            return find_fb_post(self.g, id).map(|p| p.account);
        }
        find_fb_video(self.g, id).map(|p| p.account)
    }

    /// `GET /me/permissions` with the user token: `{"data":[{"permission","status"}]}`,
    /// status `granted` or `declined`, as the last login left them. `DELETE
    /// /me/permissions` with the user token: removes the app (every token of the user and
    /// its Pages is revoked) → `{"success":true}`. A Page token gets `(#100)` as on Meta
    /// (a Page has no permissions edge).
    fn permissions(&self) -> Reply {
        if self.actor != Actor::User {
            return nonexisting("permissions", "Page");
        }
        if self.req.method == Method::DELETE {
            self.st.tokens.remove_app(Network::Facebook, FB_USER_ID);
            return ok(json!({ "success": true }));
        }
        if self.req.method != Method::GET {
            return unsupported_method(self.req);
        }
        let (granted, declined) = self.st.tokens.meta_permissions(FB_USER_ID).unwrap_or_default();
        let row = |p: &String, status: &str| json!({ "permission": p, "status": status });
        let data: Vec<Value> = granted
            .iter()
            .map(|p| row(p, "granted"))
            .chain(declined.iter().map(|p| row(p, "declined")))
            .collect();
        ok(json!({ "data": data }))
    }

    fn route(&self, segs: &[&str]) -> Reply {
        match segs {
            ["me"] => match self.actor {
                Actor::User => self.user_node(),
                Actor::Page(i) => self.page_node(i),
            },
            ["me", "accounts"] => match self.actor {
                Actor::User => self.accounts(),
                Actor::Page(_) => nonexisting("accounts", "Page"),
            },
            [id] => self.node(id),
            [id, "insights"] => self.insights(id),
            [id, "posts" | "feed" | "published_posts"] => match account_by_id(Network::Facebook, id) {
                Some(i) => self.edge(i, false),
                None => unsupported_get(id),
            },
            [id, "videos"] => match account_by_id(Network::Facebook, id) {
                Some(i) => self.edge(i, true),
                None => unsupported_get(id),
            },
            [id, "comments"] => match self.visible(find_fb_post(self.g, id).or_else(|| find_fb_video(self.g, id))) {
                Some(p) => crate::comments::facebook(self.req, &p, self.now),
                None => unsupported_get(id),
            },
            [id, "video_insights"] => match self.visible(find_fb_video(self.g, id)) {
                Some(p) => self.video_insights(&p, id),
                None => unsupported_get(id),
            },
            _ => unknown_path(self.req),
        }
    }

    fn visible(&self, p: Option<Post>) -> Option<Post> {
        p.filter(|p| p.published <= self.now)
    }

    fn fields(&self, default: &str) -> Vec<(String, Option<String>)> {
        requested_fields(self.req, default)
    }

    fn user_node(&self) -> Reply {
        let mut o = Map::new();
        for (f, _) in self.fields("id,name") {
            match base_name(&f) {
                "id" => o.insert("id".into(), json!(FB_USER_ID)),
                "name" => o.insert("name".into(), json!(FB_USER_NAME)),
                other => return nonexisting(other, "User"),
            };
        }
        o.entry("id").or_insert_with(|| json!(FB_USER_ID));
        ok(Value::Object(o))
    }

    /// `GET /me/accounts`: the Pages the user manages, each with a fresh Page token.
    fn accounts(&self) -> Reply {
        let fields = self.fields("access_token,category,category_list,name,id,tasks");
        let mut data = Vec::new();
        for (i, a) in ACCOUNTS.iter().enumerate() {
            if a.network != Network::Facebook || !a.owned {
                continue;
            }
            match self.page_json(i, &fields) {
                Ok(v) => data.push(v),
                Err(r) => return r,
            }
        }
        let before = URL_SAFE_NO_PAD.encode("page:0");
        let after = URL_SAFE_NO_PAD.encode(format!("page:{}", data.len().saturating_sub(1)));
        ok(json!({ "data": data, "paging": { "cursors": { "before": before, "after": after } } }))
    }

    fn node(&self, id: &str) -> Reply {
        if let Some(i) = account_by_id(Network::Facebook, id) {
            return self.page_node(i);
        }
        if id.contains('_') {
            return match self.visible(find_fb_post(self.g, id)) {
                Some(p) => match self.post_json(&p, &self.fields("id,message,created_time")) {
                    Ok(v) => ok(v),
                    Err(r) => r,
                },
                None => unsupported_get(id),
            };
        }
        match self.visible(find_fb_video(self.g, id)) {
            Some(p) => match self.video_json(&p, &self.fields("id,description,updated_time")) {
                Ok(v) => ok(v),
                Err(r) => r,
            },
            None => unsupported_get(id),
        }
    }

    fn page_node(&self, i: usize) -> Reply {
        match self.page_json(i, &self.fields("id,name")) {
            Ok(v) => ok(v),
            Err(r) => r,
        }
    }

    fn page_json(&self, i: usize, fields: &[(String, Option<String>)]) -> Result<Value, Reply> {
        let a = &ACCOUNTS[i];
        let followers = self.g.followers(i, self.now);
        let mut o = Map::new();
        for (field, _) in fields {
            let name = base_name(field);
            let v = match name {
                "id" => json!(a.external_id),
                "name" => json!(a.name),
                "username" => json!(a.username),
                "link" => json!(format!("https://www.facebook.com/{}", a.username)),
                "about" => json!(a.bio),
                "category" => json!(if a.owned { "Software" } else { "Digital creator" }),
                "category_list" => {
                    json!([{"id": "2211", "name": if a.owned { "Software" } else { "Digital creator" }}])
                }
                "fan_count" => json!(followers * 93 / 100),
                "followers_count" => json!(followers),
                "talking_about_count" => {
                    let week = page_insights(self.g, i, self.now - Duration::days(7), self.now);
                    json!(week.post_engagements / 2)
                }
                "verification_status" => json!(if a.owned { "not_verified" } else { "blue_verified" }),
                "website" => json!("https://alcance.invalid"),
                "picture" => json!({"data": {
                    "height": 50, "is_silhouette": false, "width": 50,
                    "url": format!("{}/__alcance/img/{}.svg", self.req.base, a.username),
                }}),
                "instagram_business_account" if a.external_id == FB_PAGE_OWNED => {
                    json!({ "id": ACCOUNTS[2].external_id })
                }
                "instagram_business_account" => continue,
                "tasks" | "access_token" if self.actor != Actor::User || !a.owned => {
                    // Only the Page's admin (user token) sees its tasks and Page token.
                    continue;
                }
                "tasks" => json!(TASKS),
                "access_token" => {
                    json!(self
                        .st
                        .tokens
                        .issue_access(Network::Facebook, a.external_id, PAGE_TOKEN_LIFETIME))
                }
                other => return Err(nonexisting(other, "Page")),
            };
            o.insert(name.to_string(), v);
        }
        o.entry("id").or_insert_with(|| json!(a.external_id));
        Ok(Value::Object(o))
    }

    fn post_json(&self, p: &Post, fields: &[(String, Option<String>)]) -> Result<Value, Reply> {
        let t = self.now;
        let a = &ACCOUNTS[p.account];
        let mut o = Map::new();
        for (field, _) in fields {
            let name = base_name(field);
            let with_summary = field.contains(".summary(");
            let v = match name {
                "id" => json!(p.id),
                "message" => json!(p.text),
                "created_time" => json!(graph_time(p.published)),
                "updated_time" => json!(graph_time(p.published)),
                // A video post links to its video, as Meta's do (`/{page}/videos/{video-id}/`).
                "permalink_url" => match fb_video_id(p) {
                    Some(vid) => json!(format!("https://www.facebook.com/{}/videos/{vid}/", a.username)),
                    None => json!(format!(
                        "https://www.facebook.com/{}/posts/{}",
                        a.external_id,
                        p.id.split_once('_').map_or(p.id.as_str(), |(_, s)| s)
                    )),
                },
                "status_type" => json!(status_type(p.kind)),
                "is_published" => json!(true),
                "from" => json!({ "name": a.name, "id": a.external_id }),
                "full_picture" if p.kind == Kind::FbStatus => continue,
                "full_picture" => json!(crate::picture::post_picture_url(&self.req.base, &p.id)),
                "shares" => match p.value(M::Reposts, t) {
                    0 => continue,
                    n => json!({ "count": n }),
                },
                "reactions" | "likes" => {
                    let mut r = json!({ "data": [] });
                    if with_summary {
                        r["summary"] = json!({"total_count": p.value(M::Likes, t), "viewer_reaction": "NONE"});
                    }
                    r
                }
                "comments" => {
                    let mut r = json!({ "data": [] });
                    if with_summary {
                        r["summary"] =
                            json!({"order": "ranked", "total_count": p.value(M::Replies, t), "can_comment": true});
                    }
                    r
                }
                "insights" => {
                    let metrics = field
                        .split_once(".metric(")
                        .and_then(|(_, rest)| rest.split_once(')'))
                        .map(|(m, _)| m.to_string())
                        .unwrap_or_else(|| POST_METRICS.join(","));
                    json!({ "data": self.post_insight_items(p, &metrics)? })
                }
                other => return Err(nonexisting(other, "PagePost")),
            };
            o.insert(name.to_string(), v);
        }
        o.entry("id").or_insert_with(|| json!(p.id));
        Ok(Value::Object(o))
    }

    fn video_json(&self, p: &Post, fields: &[(String, Option<String>)]) -> Result<Value, Reply> {
        let vid = fb_video_id(p).unwrap_or_default();
        let a = &ACCOUNTS[p.account];
        let mut o = Map::new();
        for (field, _) in fields {
            let name = base_name(field);
            let v = match name {
                "id" => json!(vid),
                "description" => json!(p.text),
                "title" => json!(p.text.split('.').next().unwrap_or_default()),
                "created_time" | "updated_time" => json!(graph_time(p.published)),
                "length" => json!(p.duration_ms as f64 / 1_000.0),
                "permalink_url" => json!(format!("/{}/videos/{vid}/", a.username)),
                "picture" => json!(crate::picture::post_picture_url(&self.req.base, &vid)),
                "published" => json!(true),
                "from" => json!({ "name": a.name, "id": a.external_id }),
                "post_id" => json!(p.id),
                other => return Err(nonexisting(other, "Video")),
            };
            o.insert(name.to_string(), v);
        }
        o.entry("id").or_insert_with(|| json!(vid));
        Ok(Value::Object(o))
    }

    /// `GET /{page-id}/posts` (all kinds) or `/{page-id}/videos` (videos), newest first.
    fn edge(&self, account: usize, videos: bool) -> Reply {
        let fields = if videos {
            self.fields("id,description,updated_time")
        } else {
            self.fields("id,message,created_time")
        };
        let q = match EdgeQuery::parse(self.req, self.now, CURSOR_TAG) {
            Ok(q) => q,
            Err(r) => return r,
        };
        q.answer(
            self.g,
            self.req,
            account,
            |p| !videos || p.kind == Kind::FbVideo,
            |p| {
                if videos {
                    self.video_json(p, &fields)
                } else {
                    self.post_json(p, &fields)
                }
            },
        )
    }

    /// Checks that this token may read insights of Page `account`.
    fn may_analyze(&self, account: usize) -> Result<(), Reply> {
        match self.actor {
            Actor::Page(i) if i == account => Ok(()),
            Actor::Page(_) => Err(meta_error(
                400,
                10,
                None,
                "OAuthException",
                "(#10) This endpoint requires the 'read_insights' permission and the ANALYZE task on the Page",
            )),
            Actor::User => Err(meta_error(
                400,
                190,
                None,
                "OAuthException",
                "(#190) This method must be called with a Page Access Token",
            )),
        }
    }

    fn insights(&self, id: &str) -> Reply {
        if let Some(i) = account_by_id(Network::Facebook, id) {
            return match self.page_insights(i) {
                Ok(r) | Err(r) => r,
            };
        }
        let Some(p) = self.visible(find_fb_post(self.g, id)) else {
            return unsupported_get(id);
        };
        if let Err(r) = self.may_analyze(p.account) {
            return r;
        }
        let metrics = match metric_list(self.req) {
            Ok(m) => m.join(","),
            Err(r) => return r,
        };
        if let Some(period) = self.req.q("period").filter(|p| *p != "lifetime") {
            return meta_invalid(&format!(
                "(#100) Incorrect period ({period}): post metrics support period lifetime"
            ));
        }
        match self.post_insight_items(&p, &metrics) {
            Ok(data) => ok(json!({ "data": data })),
            Err(r) => r,
        }
    }

    /// The `data[]` items of post insights for a comma-separated metric list.
    fn post_insight_items(&self, p: &Post, metrics: &str) -> Result<Vec<Value>, Reply> {
        self.may_analyze(p.account)?;
        let t = self.now;
        let mut data = Vec::new();
        for m in metrics.split(',').map(str::trim).filter(|m| !m.is_empty()) {
            if !POST_METRICS.contains(&m) {
                return Err(meta_invalid(INVALID_METRIC));
            }
            let value = match m {
                "post_media_view" => json!(p.value(M::Views, t)),
                "post_total_media_view_unique" => json!(p.value(M::Reach, t)),
                "post_clicks" => json!(p.value(M::LinkClicks, t)),
                _ => {
                    let by_type: Map<String, Value> = reactions_by_type(p.value(M::Likes, t))
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), json!(v)))
                        .collect();
                    Value::Object(by_type)
                }
            };
            let id = format!("{}/insights/{m}/lifetime", p.id);
            data.push(lifetime_item(m, id, value));
        }
        Ok(data)
    }

    fn page_insights(&self, account: usize) -> Result<Reply, Reply> {
        let metrics = metric_list(self.req)?;
        for m in &metrics {
            if REMOVED_METRICS.contains(&m.as_str()) || !PAGE_METRICS.contains(&m.as_str()) {
                return Err(meta_invalid(INVALID_METRIC));
            }
        }
        self.may_analyze(account)?;
        let period = self.req.q("period").unwrap_or("day");
        if period != "day" {
            return Err(meta_invalid(&format!(
                "(#100) Incorrect period ({period}) for {}: supported period is day",
                metrics.join(", ")
            )));
        }
        let (since, until) = insights_range(self.req, self.now, Duration::days(3))?;
        if until - since > Duration::days(MAX_INSIGHTS_DAYS) {
            return Err(meta_invalid(
                "(#100) There cannot be more than 90 days (7776000 s) between since and until",
            ));
        }
        // Pacific-day buckets from the one holding `since` to the one holding `until - 1 s`,
        // none starting after the clock, none ending before 2024.
        let mut buckets = Vec::new();
        let (mut start, mut end) = pacific_day(since);
        while start < until && start < self.now {
            if end > day_start(0) {
                buckets.push((start, end));
            }
            (start, end) = pacific_day(end);
        }
        let rows: Vec<_> = buckets
            .iter()
            .map(|(s, e)| (*e, page_insights(self.g, account, *s, (*e).min(self.now))))
            .collect();
        let page_id = ACCOUNTS[account].external_id;
        let data: Vec<Value> = metrics
            .iter()
            .map(|m| {
                let values: Vec<Value> = rows
                    .iter()
                    .map(|(end, r)| {
                        let v = match m.as_str() {
                            "page_media_view" => r.media_view,
                            "page_total_media_view_unique" => r.viewers,
                            "page_post_engagements" => r.post_engagements,
                            "page_views_total" => r.views_total,
                            "page_daily_follows_unique" => r.follows,
                            "page_daily_unfollows_unique" => r.unfollows,
                            _ => r.follows_total,
                        };
                        json!({ "value": v, "end_time": graph_time(*end) })
                    })
                    .collect();
                let id = format!("{page_id}/insights/{m}/day");
                insight_item(m, "day", metric_title(m), id, "values", json!(values))
            })
            .collect();
        Ok(ok(json!({
            "data": data,
            "paging": insights_paging(self.req, since, until),
        })))
    }

    fn video_insights(&self, p: &Post, vid: &str) -> Reply {
        if let Err(r) = self.may_analyze(p.account) {
            return r;
        }
        let metrics: Vec<String> = match self.req.q("metric").filter(|m| !m.trim().is_empty()) {
            None => VIDEO_METRICS.iter().map(|m| m.to_string()).collect(),
            Some(list) => list
                .split(',')
                .map(|m| m.trim().to_string())
                .filter(|m| !m.is_empty())
                .collect(),
        };
        let t = self.now;
        let views = p.value(M::MediaViews, t);
        let avg = if views > 0 { p.avg_watch_ms } else { 0 };
        let mut data = Vec::new();
        for m in &metrics {
            let value = match m.as_str() {
                "total_video_views" => views,
                "total_video_views_unique" => (views * 72 / 100).min(p.value(M::Reach, t)),
                "total_video_avg_time_watched" => avg,
                "total_video_view_total_time" => avg * views,
                _ => return meta_invalid(INVALID_METRIC),
            };
            let id = format!("{vid}/video_insights/{m}/lifetime");
            data.push(lifetime_item(m, id, value));
        }
        ok(json!({ "data": data }))
    }
}

/// A lifetime `data[]` item of an insights answer for metric `m`: one value, no end time
/// (what both the post and the video insights serve).
fn lifetime_item(m: &str, id: String, value: impl serde::Serialize) -> Value {
    insight_item(
        m,
        "lifetime",
        metric_title(m),
        id,
        "values",
        json!([{ "value": value }]),
    )
}

fn metric_title(metric: &str) -> (&'static str, &'static str) {
    match metric {
        "page_media_view" => (
            "Views",
            "The number of times your Page's content was played or displayed.",
        ),
        "page_total_media_view_unique" => ("Viewers", "The number of people who saw your Page's content."),
        "page_post_engagements" => (
            "Post engagements",
            "The number of reactions, comments, shares and clicks on your posts.",
        ),
        "page_views_total" => ("Page views", "The number of times your Page's profile was viewed."),
        "page_daily_follows_unique" => ("Daily follows", "The number of people who followed your Page."),
        "page_daily_unfollows_unique" => ("Daily unfollows", "The number of people who unfollowed your Page."),
        "page_follows" => ("Followers", "The total number of people who follow your Page."),
        "post_media_view" => ("Views", "The number of times your post was played or displayed."),
        "post_total_media_view_unique" => ("Viewers", "The number of people who saw your post."),
        "post_reactions_by_type_total" => ("Reactions by type", "Lifetime reactions on your post, by type."),
        "post_clicks" => ("Post clicks", "The number of clicks anywhere in your post."),
        "total_video_views" => (
            "Lifetime Total Video Views",
            "Total number of times your video was viewed for 3 seconds or viewed to the end, whichever came first.",
        ),
        "total_video_views_unique" => (
            "Lifetime Unique Video Views",
            "Number of unique people who viewed your video for 3 seconds or viewed to the end.",
        ),
        "total_video_avg_time_watched" => (
            "Lifetime Average time video viewed",
            "Average time your video was played, in milliseconds.",
        ),
        "total_video_view_total_time" => (
            "Lifetime Total Video View Time",
            "Total time your video was played, in milliseconds.",
        ),
        _ => ("", ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn pacific_days_follow_daylight_saving() {
        let (s, e) = pacific_day(at("2026-11-20T12:00:00Z"));
        assert_eq!(graph_time(s), "2026-11-20T08:00:00+0000");
        assert_eq!(graph_time(e), "2026-11-21T08:00:00+0000");
        let (s, e) = pacific_day(at("2026-07-01T12:00:00Z"));
        assert_eq!(graph_time(s), "2026-07-01T07:00:00+0000");
        assert_eq!(graph_time(e), "2026-07-02T07:00:00+0000");
        // The day DST ends (2026-11-01) lasts 25 hours.
        let (s, e) = pacific_day(at("2026-11-01T12:00:00Z"));
        assert_eq!((e - s).num_hours(), 25);
    }

    #[test]
    fn cursors_round_trip() {
        assert_eq!(
            crate::meta::decode_cursor(CURSOR_TAG, &URL_SAFE_NO_PAD.encode("fbp1:12:1")),
            Some((12, 1))
        );
        assert_eq!(crate::meta::decode_cursor(CURSOR_TAG, "nope"), None);
    }
}
