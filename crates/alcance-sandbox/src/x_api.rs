//! X API v2 endpoints of the seeded sandbox: users (me, by id, by username), a user's
//! posts timeline, and post lookup by ids, with the real envelopes, fields, expansions,
//! pagination, partial errors and rate-limit headers (platform-apis.md §1).

use std::collections::HashSet;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Map, Value};

use crate::limits::XEndpoint;
use crate::model::{account_by_id, day_start, Generator, Kind, Network, Post, ACCOUNTS, M};
use crate::oauth::TokenStatus;
use crate::registry::FakeNetwork;
use crate::reply::{x_invalid, x_unauthorized, Reply};
use crate::server::{Req, SandboxState};

/// X in the sandbox's network registry: its OAuth 2.0 endpoints and the API v2 paths
/// (`/2/…`).
pub(crate) struct X;

impl FakeNetwork for X {
    fn network(&self) -> Network {
        Network::X
    }

    fn oauth(&self, st: &SandboxState, req: &Req) -> Option<Reply> {
        let get = req.method == axum::http::Method::GET;
        let post = req.method == axum::http::Method::POST;
        Some(match req.path.as_str() {
            "/i/oauth2/authorize" if get => crate::oauth::authorize(st, req, Network::X),
            "/2/oauth2/token" if post => crate::oauth::x_token(st, req),
            "/2/oauth2/revoke" if post => crate::oauth::x_revoke(st, req),
            _ => return None,
        })
    }

    fn seeded(&self, st: &SandboxState, g: &Generator, req: &Req, segs: &[&str]) -> Option<Reply> {
        match segs.split_first() {
            Some((&"2", rest)) => Some(handle(st, g, req, rest)),
            _ => None,
        }
    }
}

const USER_FIELDS: &[&str] = &[
    "affiliation",
    "connection_status",
    "created_at",
    "description",
    "entities",
    "id",
    "location",
    "most_recent_tweet_id",
    "name",
    "parody",
    "pinned_tweet_id",
    "profile_banner_url",
    "profile_image_url",
    "protected",
    "public_metrics",
    "receives_your_dm",
    "subscription_type",
    "url",
    "username",
    "verified",
    "verified_type",
    "withheld",
];

const TWEET_FIELDS: &[&str] = &[
    "article",
    "attachments",
    "author_id",
    "card_uri",
    "community_id",
    "context_annotations",
    "conversation_id",
    "created_at",
    "display_text_range",
    "edit_controls",
    "edit_history_tweet_ids",
    "entities",
    "geo",
    "id",
    "in_reply_to_user_id",
    "lang",
    "media_metadata",
    "non_public_metrics",
    "note_tweet",
    "organic_metrics",
    "possibly_sensitive",
    "promoted_metrics",
    "public_metrics",
    "referenced_tweets",
    "reply_settings",
    "scopes",
    "source",
    "text",
    "withheld",
];

const MEDIA_FIELDS: &[&str] = &[
    "alt_text",
    "duration_ms",
    "height",
    "media_key",
    "non_public_metrics",
    "organic_metrics",
    "preview_image_url",
    "promoted_metrics",
    "public_metrics",
    "type",
    "url",
    "variants",
    "width",
];

const EXPANSIONS: &[&str] = &[
    "article.cover_media",
    "article.media_entities",
    "attachments.media_keys",
    "attachments.media_source_tweet",
    "attachments.poll_ids",
    "author_id",
    "edit_history_tweet_ids",
    "entities.mentions.username",
    "geo.place_id",
    "in_reply_to_user_id",
    "entities.note.mentions.username",
    "referenced_tweets.id",
    "referenced_tweets.id.attachments.media_keys",
    "referenced_tweets.id.author_id",
    "pinned_tweet_id",
    "most_recent_tweet_id",
];

/// Non-public and organic metrics are only served for the owner's posts younger than this.
const PRIVATE_METRICS_MAX_AGE_DAYS: i64 = 30;

/// A comma-separated list parameter, validated against `allowed`.
fn list_param(req: &Req, name: &str, allowed: &[&str]) -> Result<HashSet<String>, Reply> {
    let mut out = HashSet::new();
    if let Some(v) = req.q(name) {
        for item in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if !allowed.contains(&item) {
                return Err(x_invalid(
                    name,
                    item,
                    &format!(
                        "The `{name}` query parameter value [{item}] is not one of [{}]",
                        allowed.join(",")
                    ),
                ));
            }
            out.insert(item.to_string());
        }
    }
    Ok(out)
}

fn x_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn not_found(value: &str, detail: String, resource_type: &str, parameter: &str) -> Value {
    json!({
        "value": value,
        "detail": detail,
        "title": "Not Found Error",
        "resource_type": resource_type,
        "parameter": parameter,
        "resource_id": value,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    })
}

fn field_error(id: &str, field: &str) -> Value {
    json!({
        "value": id,
        "detail": format!("Sorry, you are not authorized to access '{field}' on the Tweet with ids [{id}]."),
        "title": "Authorization Error",
        "resource_type": "tweet",
        "parameter": field,
        "resource_id": id,
        "section": "data",
        "type": "https://api.twitter.com/2/problems/not-authorized-for-field",
    })
}

/// Answers an X API request (path segments after `/2/`).
pub(crate) fn handle(st: &SandboxState, g: &Generator, req: &Req, segs: &[&str]) -> Reply {
    if segs == ["tweets", "counts", "recent"] && req.method == axum::http::Method::GET {
        return crate::hashtags::x_counts(st, req);
    }
    let endpoint = match segs {
        ["users", "me"] => XEndpoint::UsersMe,
        ["users", "by", "username", _] | ["users", _] => XEndpoint::UsersLookup,
        ["users", _, "tweets"] => XEndpoint::UserTweets,
        ["users", _, "mentions"] => XEndpoint::UserMentions,
        ["tweets"] => XEndpoint::TweetsLookup,
        _ => {
            return Reply::json(
                404,
                &json!({"errors": [{"message": "Sorry, that page does not exist", "code": 34}]}),
            )
        }
    };
    if req.method != axum::http::Method::GET {
        return Reply::problem(
            405,
            &json!({"title": "Method Not Allowed", "detail": "Method Not Allowed", "type": "about:blank", "status": 405}),
        );
    }
    let token = req.bearer().unwrap_or_default();
    let owner = match st.tokens.check(Network::X, &token) {
        TokenStatus::Valid(id) => account_by_id(Network::X, &id),
        _ => return x_unauthorized(),
    };
    let verdict = st.limits.take_x(&token, endpoint);
    let reply = if verdict.allowed {
        let ctx = Ctx {
            g,
            req,
            now: st.now(),
            owner,
        };
        match segs {
            ["users", "me"] => match owner {
                Some(i) => ctx.user(i),
                None => x_unauthorized(),
            },
            ["users", "by", "username", name] => ctx.user_by_username(name),
            ["users", id] => ctx.user_by_id(id),
            ["users", id, "tweets"] => ctx.timeline(id),
            ["users", id, "mentions"] => ctx.mentions(id),
            _ => ctx.lookup(),
        }
    } else {
        Reply::problem(
            429,
            &json!({"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}),
        )
    };
    reply
        .with_header("x-rate-limit-limit", verdict.limit.to_string())
        .with_header("x-rate-limit-remaining", verdict.remaining.to_string())
        .with_header("x-rate-limit-reset", verdict.reset.to_string())
        .with_header("api-version", "2.150")
        .with_header("x-access-level", "read")
}

struct Ctx<'a> {
    g: &'a Generator,
    req: &'a Req,
    now: DateTime<Utc>,
    /// Index of the token's account in [`ACCOUNTS`].
    owner: Option<usize>,
}

fn ok(body: &Value) -> Reply {
    Reply::json(200, body)
}

impl Ctx<'_> {
    fn user_json(&self, i: usize, fields: &HashSet<String>) -> Value {
        let a = &ACCOUNTS[i];
        let mut u = Map::new();
        u.insert("id".into(), json!(a.external_id));
        u.insert("name".into(), json!(a.name));
        u.insert("username".into(), json!(a.username));
        let has = |f: &str| fields.contains(f);
        if has("created_at") {
            u.insert("created_at".into(), json!(a.created_at));
        }
        if has("description") {
            u.insert("description".into(), json!(a.bio));
        }
        if has("profile_image_url") {
            u.insert(
                "profile_image_url".into(),
                json!(format!("{}/__alcance/img/{}.svg", self.req.base, a.username)),
            );
        }
        if has("verified") {
            u.insert("verified".into(), json!(!a.owned));
        }
        if has("verified_type") {
            u.insert("verified_type".into(), json!(if a.owned { "none" } else { "blue" }));
        }
        if has("protected") {
            u.insert("protected".into(), json!(false));
        }
        if has("location") {
            u.insert("location".into(), json!("São Paulo, Brasil"));
        }
        if has("url") {
            u.insert("url".into(), json!(""));
        }
        if has("public_metrics") {
            let followers = self.g.followers(i, self.now);
            let tweets = self.g.post_count(i, self.now);
            let days = (self.now - day_start(0)).num_days().max(0) as u64;
            u.insert(
                "public_metrics".into(),
                json!({
                    "followers_count": followers,
                    "following_count": self.g.following(i, self.now),
                    "tweet_count": tweets,
                    "listed_count": followers / 180,
                    "like_count": 1_500 + days * 3,
                    "media_count": tweets * 11 / 20,
                }),
            );
        }
        Value::Object(u)
    }

    fn user(&self, i: usize) -> Reply {
        match list_param(self.req, "user.fields", USER_FIELDS) {
            Ok(fields) => ok(&json!({ "data": self.user_json(i, &fields) })),
            Err(r) => r,
        }
    }

    fn user_by_username(&self, name: &str) -> Reply {
        if name.is_empty() || name.len() > 15 || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return x_invalid(
                "username",
                name,
                &format!("The `username` query parameter value [{name}] does not match ^[A-Za-z0-9_]{{1,15}}$"),
            );
        }
        let found = ACCOUNTS
            .iter()
            .position(|a| a.network == Network::X && a.username.eq_ignore_ascii_case(name));
        self.user_or_not_found(found, name, "username")
    }

    /// The user at `found` in [`ACCOUNTS`], else X's "Could not find user with
    /// {parameter}: [{value}]." error (after checking `user.fields`), as the lookups by
    /// username and by id answer.
    fn user_or_not_found(&self, found: Option<usize>, value: &str, parameter: &str) -> Reply {
        match found {
            Some(i) => self.user(i),
            None => match list_param(self.req, "user.fields", USER_FIELDS) {
                Ok(_) => ok(&json!({ "errors": [not_found(
                    value,
                    format!("Could not find user with {parameter}: [{value}]."),
                    "user",
                    parameter,
                )] })),
                Err(r) => r,
            },
        }
    }

    fn user_by_id(&self, id: &str) -> Reply {
        if id.is_empty() || id.len() > 19 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return x_invalid("id", id, &format!("The `id` query parameter value [{id}] is not valid"));
        }
        self.user_or_not_found(account_by_id(Network::X, id), id, "id")
    }

    /// Renders one post; private-metric refusals go to `errors`.
    fn tweet_json(&self, p: &Post, fields: &HashSet<String>, errors: &mut Vec<Value>) -> Value {
        let t = self.now;
        let mut o = Map::new();
        o.insert("id".into(), json!(p.id));
        o.insert("text".into(), json!(p.text));
        o.insert("edit_history_tweet_ids".into(), json!([p.id]));
        let has = |f: &str| fields.contains(f);
        if has("created_at") {
            o.insert("created_at".into(), json!(x_time(p.published)));
        }
        if has("author_id") {
            o.insert("author_id".into(), json!(ACCOUNTS[p.account].external_id));
        }
        if has("conversation_id") {
            o.insert("conversation_id".into(), json!(p.id));
        }
        if has("lang") {
            o.insert("lang".into(), json!("pt"));
        }
        if has("possibly_sensitive") {
            o.insert("possibly_sensitive".into(), json!(false));
        }
        if has("reply_settings") {
            o.insert("reply_settings".into(), json!("everyone"));
        }
        if has("attachments") {
            if let Some(key) = p.media_key() {
                o.insert("attachments".into(), json!({ "media_keys": [key] }));
            }
        }
        if has("public_metrics") {
            o.insert(
                "public_metrics".into(),
                json!({
                    "retweet_count": p.value(M::Reposts, t),
                    "reply_count": p.value(M::Replies, t),
                    "like_count": p.value(M::Likes, t),
                    "quote_count": p.value(M::Quotes, t),
                    "bookmark_count": p.value(M::Bookmarks, t),
                    "impression_count": p.value(M::Views, t),
                }),
            );
        }
        let private_ok =
            self.owner == Some(p.account) && t - p.published < Duration::days(PRIVATE_METRICS_MAX_AGE_DAYS);
        for field in ["non_public_metrics", "organic_metrics"] {
            if !has(field) {
                continue;
            }
            if !private_ok {
                errors.push(field_error(&p.id, field));
                continue;
            }
            let v = if field == "non_public_metrics" {
                json!({
                    "impression_count": p.value(M::Views, t),
                    "url_link_clicks": p.value(M::LinkClicks, t),
                    "user_profile_clicks": p.value(M::ProfileVisits, t),
                })
            } else {
                json!({
                    "impression_count": p.value(M::Views, t),
                    "like_count": p.value(M::Likes, t),
                    "reply_count": p.value(M::Replies, t),
                    "retweet_count": p.value(M::Reposts, t),
                    "url_link_clicks": p.value(M::LinkClicks, t),
                    "user_profile_clicks": p.value(M::ProfileVisits, t),
                })
            };
            o.insert(field.into(), v);
        }
        Value::Object(o)
    }

    fn media_json(&self, p: &Post, fields: &HashSet<String>) -> Option<Value> {
        let key = p.media_key()?;
        let kind = p.kind.x_media_type()?;
        let t = self.now;
        let mut o = Map::new();
        o.insert("media_key".into(), json!(key));
        o.insert("type".into(), json!(kind));
        let has = |f: &str| fields.contains(f);
        let video = matches!(p.kind, Kind::XVideo | Kind::XGif);
        if has("duration_ms") && video {
            o.insert("duration_ms".into(), json!(p.duration_ms));
        }
        if has("width") {
            o.insert("width".into(), json!(1280));
        }
        if has("height") {
            o.insert("height".into(), json!(720));
        }
        let img = crate::picture::post_picture_url(&self.req.base, &key);
        if has("url") && !video {
            o.insert("url".into(), json!(img));
        }
        if has("preview_image_url") && video {
            o.insert("preview_image_url".into(), json!(img));
        }
        if has("public_metrics") && video {
            o.insert(
                "public_metrics".into(),
                json!({ "view_count": p.value(M::MediaViews, t) }),
            );
        }
        let private_ok =
            self.owner == Some(p.account) && t - p.published < Duration::days(PRIVATE_METRICS_MAX_AGE_DAYS);
        if video && private_ok {
            let views = p.value(M::MediaViews, t);
            let playback = json!({
                "playback_0_count": views,
                "playback_25_count": views * 7 / 10,
                "playback_50_count": views / 2,
                "playback_75_count": views * 3 / 10,
                "playback_100_count": views / 5,
            });
            if has("non_public_metrics") {
                o.insert("non_public_metrics".into(), playback.clone());
            }
            if has("organic_metrics") {
                let mut org = playback;
                org["view_count"] = json!(views);
                o.insert("organic_metrics".into(), org);
            }
        }
        Some(Value::Object(o))
    }

    /// `data`, `includes`, `errors` for a list of posts.
    fn posts_body(&self, posts: &[Post]) -> Result<Map<String, Value>, Reply> {
        let tweet_fields = list_param(self.req, "tweet.fields", TWEET_FIELDS)?;
        let media_fields = list_param(self.req, "media.fields", MEDIA_FIELDS)?;
        let user_fields = list_param(self.req, "user.fields", USER_FIELDS)?;
        let expansions = list_param(self.req, "expansions", EXPANSIONS)?;
        let mut errors = Vec::new();
        let data: Vec<Value> = posts
            .iter()
            .map(|p| self.tweet_json(p, &tweet_fields, &mut errors))
            .collect();
        let mut body = Map::new();
        if !data.is_empty() {
            body.insert("data".into(), Value::Array(data));
        }
        let mut includes = Map::new();
        if expansions.contains("attachments.media_keys") {
            let media: Vec<Value> = posts.iter().filter_map(|p| self.media_json(p, &media_fields)).collect();
            if !media.is_empty() {
                includes.insert("media".into(), Value::Array(media));
            }
        }
        if expansions.contains("author_id") {
            let mut seen = Vec::new();
            for p in posts {
                if !seen.contains(&p.account) {
                    seen.push(p.account);
                }
            }
            let users: Vec<Value> = seen.into_iter().map(|i| self.user_json(i, &user_fields)).collect();
            if !users.is_empty() {
                includes.insert("users".into(), Value::Array(users));
            }
        }
        if !includes.is_empty() {
            body.insert("includes".into(), Value::Object(includes));
        }
        if !errors.is_empty() {
            body.insert("errors".into(), Value::Array(errors));
        }
        Ok(body)
    }

    fn parse_time(&self, name: &str) -> Result<Option<DateTime<Utc>>, Reply> {
        match self.req.q(name) {
            None => Ok(None),
            Some(v) => DateTime::parse_from_rfc3339(v)
                .map(|t| Some(t.with_timezone(&Utc)))
                .map_err(|_| {
                    x_invalid(
                        name,
                        v,
                        &format!("Invalid '{name}':'{v}'. '{name}' must be a valid RFC3339 date-time"),
                    )
                }),
        }
    }

    fn parse_id(&self, name: &str) -> Result<Option<u64>, Reply> {
        match self.req.q(name) {
            None => Ok(None),
            Some(v) => v.parse::<u64>().map(Some).map_err(|_| {
                x_invalid(
                    name,
                    v,
                    &format!("The `{name}` query parameter value [{v}] is not valid"),
                )
            }),
        }
    }

    /// `GET /2/users/{id}/mentions`: replies to the account's posts published since
    /// `start_time` (else the last 7 days) and posts naming it (`crate::comments::x_mentions`),
    /// newest first, `max_results` (5–100, default 10) a page, `pagination_token` an offset;
    /// `expansions=author_id` adds `includes.users` with their usernames.
    fn mentions(&self, id: &str) -> Reply {
        match self.try_mentions(id) {
            Ok(r) | Err(r) => r,
        }
    }

    /// A user timeline's checks, as X makes them: `id` numeric (1–19 digits), then
    /// `max_results` 5–100 (default 10), which it returns. Errors: X's invalid-request answer.
    fn user_page(&self, id: &str) -> Result<usize, Reply> {
        if id.is_empty() || id.len() > 19 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(x_invalid(
                "id",
                id,
                &format!("The `id` query parameter value [{id}] is not valid"),
            ));
        }
        match self.req.q("max_results") {
            None => Ok(10),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (5..=100).contains(&n) => Ok(n),
                _ => Err(x_invalid(
                    "max_results",
                    v,
                    &format!("The `max_results` query parameter value [{v}] is not between 5 and 100"),
                )),
            },
        }
    }

    fn try_mentions(&self, id: &str) -> Result<Reply, Reply> {
        let max = self.user_page(id)?;
        let start = self.parse_time("start_time")?.unwrap_or(self.now - Duration::days(7));
        let from = match self.req.q("pagination_token") {
            None => 0,
            Some(tok) => tok
                .strip_prefix('m')
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or_else(|| {
                    x_invalid(
                        "pagination_token",
                        tok,
                        &format!("The `pagination_token` query parameter value [{tok}] is not valid"),
                    )
                })?,
        };
        let Some(account) = account_by_id(Network::X, id) else {
            return Ok(ok(&json!({ "errors": [not_found(
                id,
                format!("Could not find user with id: [{id}]."),
                "user",
                "id",
            )] })));
        };
        let posts = self.g.walk_back(account, self.now, start, None, |_| true, 2000);
        let all: Vec<Value> = crate::comments::x_mentions(&posts, id, self.now)
            .into_iter()
            .filter(|m| {
                m["created_at"]
                    .as_str()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .is_some_and(|t| t >= start)
            })
            .collect();
        let end = (from + max).min(all.len());
        let mut data = Vec::new();
        let mut users: Vec<Value> = Vec::new();
        for m in all.get(from..end).unwrap_or_default() {
            let mut m = m.clone();
            let author = m.as_object_mut().and_then(|o| o.remove("_author"));
            if let (Some(author), Some(author_id)) = (author, m["author_id"].as_str()) {
                if !users.iter().any(|u| u["id"].as_str() == Some(author_id)) {
                    users.push(json!({ "id": author_id, "username": author, "name": author }));
                }
            }
            data.push(m);
        }
        let mut body = json!({ "data": data, "meta": { "result_count": end.saturating_sub(from) } });
        if self.req.q("expansions").is_some_and(|e| e.contains("author_id")) && !users.is_empty() {
            body["includes"] = json!({ "users": users });
        }
        if end < all.len() {
            body["meta"]["next_token"] = json!(format!("m{end}"));
        }
        if data_is_empty(&body) {
            body = json!({ "meta": { "result_count": 0 } });
        }
        Ok(ok(&body))
    }

    /// `GET /2/users/{id}/tweets`.
    fn timeline(&self, id: &str) -> Reply {
        match self.try_timeline(id) {
            Ok(r) | Err(r) => r,
        }
    }

    fn try_timeline(&self, id: &str) -> Result<Reply, Reply> {
        let max = self.user_page(id)?;
        let start = self.parse_time("start_time")?;
        let end = self.parse_time("end_time")?;
        let since_id = self.parse_id("since_id")?;
        let until_id = self.parse_id("until_id")?;
        if let (Some(s), Some(e)) = (start, end) {
            if s >= e {
                return Err(x_invalid(
                    "start_time",
                    &x_time(s),
                    "Invalid 'start_time'. 'start_time' must be before 'end_time'",
                ));
            }
        }
        let before = match self.req.q("pagination_token") {
            None => None,
            Some(tok) => Some(decode_token(tok).ok_or_else(|| {
                x_invalid(
                    "pagination_token",
                    tok,
                    &format!("The `pagination_token` query parameter value [{tok}] is not valid"),
                )
            })?),
        };
        // Validate the field lists before looking anything up.
        let _ = self.posts_body(&[])?;
        let Some(account) = account_by_id(Network::X, id) else {
            return Ok(ok(&json!({ "errors": [not_found(
                id,
                format!("Could not find user with id: [{id}]."),
                "user",
                "id",
            )] })));
        };
        let upper = match end {
            Some(e) if e <= self.now => e - Duration::milliseconds(1),
            _ => self.now,
        };
        let lower = start.unwrap_or_else(|| day_start(0));
        let keep = |p: &Post| since_id.is_none_or(|s| p.id_num > s) && until_id.is_none_or(|u| p.id_num < u);
        let mut page = self.g.walk_back(account, upper, lower, before, keep, max + 1);
        let more = page.len() > max;
        page.truncate(max);
        let mut body = self.posts_body(&page)?;
        let mut meta = Map::new();
        meta.insert("result_count".into(), json!(page.len()));
        if let (Some(first), Some(last)) = (page.first(), page.last()) {
            meta.insert("newest_id".into(), json!(first.id));
            meta.insert("oldest_id".into(), json!(last.id));
            if more {
                meta.insert("next_token".into(), json!(encode_token(last.day, last.index)));
            }
        }
        body.insert("meta".into(), Value::Object(meta));
        Ok(ok(&Value::Object(body)))
    }

    /// `GET /2/tweets?ids=`.
    fn lookup(&self) -> Reply {
        let raw = self.req.q("ids").unwrap_or_default();
        let ids: Vec<&str> = raw.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
        if ids.is_empty() {
            return x_invalid("ids", raw, "The `ids` query parameter can not be empty");
        }
        if ids.len() > 100 {
            return x_invalid(
                "ids",
                raw,
                &format!("The `ids` query parameter value [{raw}] is not valid: size must be between 1 and 100"),
            );
        }
        if let Some(bad) = ids
            .iter()
            .find(|i| i.len() > 19 || !i.bytes().all(|b| b.is_ascii_digit()))
        {
            return x_invalid(
                "ids",
                bad,
                &format!("The `ids` query parameter value [{bad}] does not match ^[0-9]{{1,19}}$"),
            );
        }
        let mut seen = HashSet::new();
        let mut posts = Vec::new();
        let mut missing = Vec::new();
        for id in ids {
            if !seen.insert(id) {
                continue;
            }
            match self.g.find_x_post(id).filter(|p| p.published <= self.now) {
                Some(p) => posts.push(p),
                None => missing.push(not_found(
                    id,
                    format!("Could not find tweet with ids: [{id}]."),
                    "tweet",
                    "ids",
                )),
            }
        }
        match self.posts_body(&posts) {
            Ok(mut body) => {
                if !missing.is_empty() {
                    let mut errs = match body.remove("errors") {
                        Some(Value::Array(e)) => e,
                        _ => Vec::new(),
                    };
                    errs.extend(missing);
                    body.insert("errors".into(), Value::Array(errs));
                }
                ok(&Value::Object(body))
            }
            Err(r) => r,
        }
    }
}

/// The opaque `next_token`: position `(day, index)` of the last post served.
fn encode_token(day: i64, index: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("xs1:{day}:{index}"))
}

fn decode_token(tok: &str) -> Option<(i64, usize)> {
    let bytes = URL_SAFE_NO_PAD.decode(tok).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let mut parts = text.strip_prefix("xs1:")?.split(':');
    let day = parts.next()?.parse().ok()?;
    let index = parts.next()?.parse().ok()?;
    Some((day, index))
}

/// `true` when the body's `data` is missing or empty.
fn data_is_empty(body: &Value) -> bool {
    body["data"].as_array().is_none_or(Vec::is_empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_tokens_round_trip() {
        assert_eq!(decode_token(&encode_token(1040, 2)), Some((1040, 2)));
        assert_eq!(decode_token("garbage"), None);
    }
}
