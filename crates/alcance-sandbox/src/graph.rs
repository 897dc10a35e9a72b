//! Instagram Graph API endpoints of the seeded sandbox: user and media nodes, the media and
//! stories edges, account insights (time series, total values, breakdowns, demographics)
//! and media insights, with Meta's envelopes, errors and usage headers
//! (platform-apis.md §2 and §4).

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde_json::{json, Map, Value};

use crate::meta::{
    base_name, graph_time, insight_item, insights_paging, insights_range, list_param_values, metric_list, nonexisting,
    ok, split_fields, token_owner, unknown_path, unsupported_get, unsupported_method, with_usage_headers, EdgeQuery,
    INVALID_METRIC,
};
use crate::model::{
    account_by_id, day_of, day_start, Audience, Contribution, Generator, Kind, Network, Post, ACCOUNTS, M,
};
use crate::registry::FakeNetwork;
use crate::reply::{meta_error, meta_invalid, Reply};
use crate::server::{Req, SandboxState};

/// Instagram in the sandbox's network registry: its OAuth endpoints and the Graph API paths.
/// Graph paths are shared with Facebook and WhatsApp, which claim them by the token; every
/// request no other network claimed lands here, so it is registered last.
pub(crate) struct Instagram;

impl FakeNetwork for Instagram {
    fn network(&self) -> Network {
        Network::Instagram
    }

    fn oauth(&self, st: &SandboxState, req: &Req) -> Option<Reply> {
        let get = req.method == axum::http::Method::GET;
        let post = req.method == axum::http::Method::POST;
        Some(match req.path.as_str() {
            "/oauth/authorize" if get => crate::oauth::authorize(st, req, Network::Instagram),
            "/oauth/access_token" if post => crate::oauth::ig_token(st, req),
            "/access_token" if get => crate::oauth::ig_long_lived(st, req, "ig_exchange_token"),
            "/refresh_access_token" if get => crate::oauth::ig_long_lived(st, req, "ig_refresh_token"),
            _ => return None,
        })
    }

    fn seeded(&self, st: &SandboxState, g: &Generator, req: &Req, segs: &[&str]) -> Option<Reply> {
        Some(handle(st, g, req, segs))
    }
}

/// Media metrics that Meta removed; asking for any of them fails the whole call with #100.
pub const REMOVED_MEDIA_METRICS: &[&str] = &[
    "impressions",
    "plays",
    "video_views",
    "engagement",
    "clips_replays_count",
    "ig_reels_aggregated_all_plays_count",
    "taps_forward",
    "taps_back",
    "exits",
];

/// Media insights metrics served for FEED media (IMAGE, CAROUSEL_ALBUM, VIDEO).
pub const FEED_METRICS: &[&str] = &[
    "views",
    "reach",
    "likes",
    "comments",
    "shares",
    "saved",
    "total_interactions",
    "follows",
    "profile_visits",
    "profile_activity",
];

/// Media insights metrics served for REELS.
pub const REELS_METRICS: &[&str] = &[
    "views",
    "reach",
    "likes",
    "comments",
    "shares",
    "saved",
    "total_interactions",
    "ig_reels_avg_watch_time",
    "ig_reels_video_view_total_time",
];

/// Media insights metrics served for STORY media.
pub const STORY_METRICS: &[&str] = &[
    "views",
    "reach",
    "replies",
    "shares",
    "total_interactions",
    "follows",
    "profile_visits",
    "navigation",
];

/// Account metrics that only exist with `metric_type=total_value`, period `day`.
const TOTAL_ONLY: &[&str] = &[
    "views",
    "accounts_engaged",
    "total_interactions",
    "likes",
    "comments",
    "shares",
    "saves",
    "replies",
    "profile_links_taps",
    "follows_and_unfollows",
    "reposts",
];
/// Account metrics that also have a daily time series.
const SERIES: &[&str] = &["reach", "follower_count"];
/// Demographic metrics (period `lifetime`).
const DEMOGRAPHICS: &[&str] = &["follower_demographics", "engaged_audience_demographics"];

/// Maximum `until - since` for account insights: 30 days.
const MAX_RANGE_SECS: i64 = 30 * 86_400;

/// Story insights are refused below this age ("Not enough viewers").
const STORY_MIN_AGE: Duration = Duration::hours(1);

fn title(metric: &str) -> (&'static str, &'static str) {
    match metric {
        "views" => ("Views", "The number of times your content was played or displayed."),
        "reach" => (
            "Accounts reached",
            "The number of unique accounts that have seen your content, at least once.",
        ),
        "likes" => ("Likes", "The number of likes on your content."),
        "comments" => ("Comments", "The number of comments on your content."),
        "shares" => ("Shares", "The number of shares of your content."),
        "saved" | "saves" => ("Saves", "The number of saves of your content."),
        "replies" => ("Replies", "The number of replies to your story."),
        "total_interactions" => (
            "Interactions",
            "Likes, saves, comments, shares and replies on your content.",
        ),
        "accounts_engaged" => (
            "Accounts engaged",
            "The number of accounts that have interacted with your content.",
        ),
        "profile_links_taps" => ("Profile links taps", "Taps on the links and buttons of your profile."),
        "follower_count" => ("Follower count", "The number of new followers each day."),
        "follows_and_unfollows" => ("Follows and unfollows", "Accounts that followed or unfollowed you."),
        "reposts" => ("Reposts", "The number of reposts of your content."),
        "follows" => (
            "Follows",
            "The number of accounts that started following you from this media.",
        ),
        "profile_visits" => (
            "Profile visits",
            "The number of times your profile was visited from this media.",
        ),
        "profile_activity" => (
            "Profile activity",
            "Actions taken on your profile after engaging with this media.",
        ),
        "ig_reels_avg_watch_time" => (
            "Average watch time",
            "The average time your reel was played, in milliseconds.",
        ),
        "ig_reels_video_view_total_time" => ("Watch time", "The total time your reel was played, in milliseconds."),
        "navigation" => ("Navigation", "Taps forward, taps back, exits and swipes on your story."),
        "follower_demographics" => (
            "Follower demographics",
            "The demographic characteristics of your followers.",
        ),
        "engaged_audience_demographics" => (
            "Engaged audience demographics",
            "The demographic characteristics of the engaged audience.",
        ),
        _ => ("", ""),
    }
}

/// Answers a Graph API request (path segments after the optional version).
pub(crate) fn handle(st: &SandboxState, g: &Generator, req: &Req, segs: &[&str]) -> Reply {
    let Some(token) = req.access_token() else {
        return meta_error(
            400,
            2500,
            None,
            "OAuthException",
            "An active access token must be used to query information about the current user.",
        );
    };
    let owner_id = match token_owner(st, Network::Instagram, &token) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let usage = st.limits.take_meta(&owner_id);
    let ctx = Ctx {
        g,
        req,
        now: st.now(),
        owner: account_by_id(Network::Instagram, &owner_id),
    };
    let hashtag = match segs {
        _ if req.method != axum::http::Method::GET => None,
        ["ig_hashtag_search"] => Some(crate::hashtags::ig_search(st, req, &owner_id)),
        [id, "top_media"] => crate::hashtags::ig_edge(st, req, &owner_id, id, false),
        [id, "recent_media"] => crate::hashtags::ig_edge(st, req, &owner_id, id, true),
        _ => None,
    };
    let reply = if let Some(reply) = hashtag {
        reply
    } else if req.method == axum::http::Method::GET {
        ctx.route(segs)
    } else {
        unsupported_method(req)
    };
    with_usage_headers(reply, usage, req)
}

struct Ctx<'a> {
    g: &'a Generator,
    req: &'a Req,
    now: DateTime<Utc>,
    owner: Option<usize>,
}

/// The tag of Instagram media cursors.
const CURSOR_TAG: &str = "igm1";

impl Ctx<'_> {
    fn route(&self, segs: &[&str]) -> Reply {
        match segs {
            ["me"] => match self.owner {
                Some(i) => self.user_node(i),
                None => unsupported_get("me"),
            },
            [id] => self.node(id),
            [id, "insights"] => self.insights(id),
            [id, "media"] => match account_by_id(Network::Instagram, id) {
                Some(i) => self.media_edge(i, false),
                None => unsupported_get(id),
            },
            [id, "stories"] => match account_by_id(Network::Instagram, id) {
                Some(i) => self.media_edge(i, true),
                None => unsupported_get(id),
            },
            [id, "comments"] => match self.visible_media(id) {
                Some(p) if !p.kind.is_story() => crate::comments::instagram(self.req, &p, self.now),
                _ => unsupported_get(id),
            },
            [id, "tags"] => match account_by_id(Network::Instagram, id) {
                Some(i) => crate::comments::instagram_tags(self.req, i, self.now),
                None => unsupported_get(id),
            },
            _ => unknown_path(self.req),
        }
    }

    fn visible_media(&self, id: &str) -> Option<Post> {
        self.g.find_ig_media(id).filter(|p| p.published <= self.now)
    }

    fn node(&self, id: &str) -> Reply {
        if let Some(i) = account_by_id(Network::Instagram, id) {
            return self.user_node(i);
        }
        match self.visible_media(id) {
            Some(p) => {
                let fields = split_fields(self.req.q("fields").unwrap_or("id"));
                match self.media_json(&p, &fields) {
                    Ok(v) => ok(v),
                    Err(r) => r,
                }
            }
            None => unsupported_get(id),
        }
    }

    fn user_json(&self, i: usize, fields: &[(String, Option<String>)]) -> Result<Value, Reply> {
        let a = &ACCOUNTS[i];
        let mut o = Map::new();
        for (field, sub) in fields {
            let name = base_name(field);
            let v = match name {
                "id" | "user_id" => json!(a.external_id),
                "ig_id" => json!(a.external_id[7..].parse::<u64>().unwrap_or(0)),
                "username" => json!(a.username),
                "name" => json!(a.name),
                "biography" => json!(a.bio),
                "website" => json!("https://alcance.invalid"),
                "account_type" => json!(if a.owned { "BUSINESS" } else { "MEDIA_CREATOR" }),
                "profile_picture_url" => json!(format!("{}/__alcance/img/{}.svg", self.req.base, a.username)),
                "followers_count" => json!(self.g.followers(i, self.now)),
                "follows_count" => json!(self.g.following(i, self.now)),
                "media_count" => json!(self.g.post_count(i, self.now)),
                "media" => {
                    let sub = split_fields(sub.as_deref().unwrap_or("id"));
                    let posts = self
                        .g
                        .walk_back(i, self.now, day_start(0), None, |p| !p.kind.is_story(), 25);
                    let mut data = Vec::new();
                    for p in &posts {
                        data.push(self.media_json(p, &sub)?);
                    }
                    json!({ "data": data })
                }
                "business_discovery" => self.business_discovery(field, sub.as_deref())?,
                other => return Err(nonexisting(other, "IGUser")),
            };
            o.insert(name.to_string(), v);
        }
        if !o.contains_key("id") && !fields.iter().any(|(f, _)| f == "user_id") {
            o.insert("id".into(), json!(a.external_id));
        }
        Ok(Value::Object(o))
    }

    /// `business_discovery.username(<name>){fields}`: another account's public profile.
    fn business_discovery(&self, field: &str, sub: Option<&str>) -> Result<Value, Reply> {
        let name = field
            .split_once(".username(")
            .and_then(|(_, rest)| rest.split_once(')'))
            .map(|(n, _)| n.trim())
            .unwrap_or_default();
        let Some(i) = ACCOUNTS
            .iter()
            .position(|a| a.network == Network::Instagram && a.username.eq_ignore_ascii_case(name))
        else {
            return Err(meta_error(
                400,
                110,
                Some(2207013),
                "OAuthException",
                &format!("Invalid user id: cannot find an Instagram business or creator account named {name}"),
            ));
        };
        let fields = split_fields(sub.unwrap_or("id,username"));
        self.user_json(i, &fields)
    }

    fn user_node(&self, i: usize) -> Reply {
        let fields = split_fields(self.req.q("fields").unwrap_or("id"));
        match self.user_json(i, &fields) {
            Ok(v) => ok(v),
            Err(r) => r,
        }
    }

    fn permalink(&self, p: &Post) -> String {
        match p.kind {
            Kind::IgReel => format!("https://www.instagram.com/reel/{}/", p.shortcode),
            Kind::IgStory { .. } => format!(
                "https://www.instagram.com/stories/{}/{}/",
                ACCOUNTS[p.account].username, p.id
            ),
            _ => format!("https://www.instagram.com/p/{}/", p.shortcode),
        }
    }

    fn media_json(&self, p: &Post, fields: &[(String, Option<String>)]) -> Result<Value, Reply> {
        let t = self.now;
        let mut o = Map::new();
        let story = p.kind.is_story();
        let image = crate::picture::post_picture_url(&self.req.base, &p.id);
        for (field, sub) in fields {
            let name = base_name(field);
            let v = match name {
                "id" => json!(p.id),
                "caption" => json!(p.text),
                "media_type" => json!(p.kind.media_type()),
                "media_product_type" => json!(p.kind.product_type()),
                "timestamp" => json!(graph_time(p.published)),
                "permalink" => json!(self.permalink(p)),
                "shortcode" => json!(p.shortcode),
                "username" => json!(ACCOUNTS[p.account].username),
                "owner" => json!({ "id": ACCOUNTS[p.account].external_id }),
                "media_url" => json!(image),
                "is_comment_enabled" => json!(!story),
                "is_shared_to_feed" if p.kind == Kind::IgReel => json!(true),
                "is_shared_to_feed" => continue,
                "thumbnail_url" if p.kind.media_type() == "VIDEO" => json!(image),
                "thumbnail_url" => continue,
                "like_count" if !story => json!(p.value(M::Likes, t)),
                "comments_count" if !story => json!(p.value(M::Replies, t)),
                "like_count" | "comments_count" => continue,
                "children" if p.kind == Kind::IgCarousel => {
                    let sub = split_fields(sub.as_deref().unwrap_or("id"));
                    let mut data = Vec::new();
                    for c in 0..3 {
                        let id = format!("178{}{c}", &p.id[3..16]);
                        let mut child = Map::new();
                        for (f, _) in &sub {
                            let v = match base_name(f) {
                                "id" => json!(id),
                                "media_type" => json!("IMAGE"),
                                "media_url" => json!(crate::picture::post_picture_url(&self.req.base, &id)),
                                "permalink" => json!(self.permalink(p)),
                                "shortcode" => json!(p.shortcode),
                                "timestamp" => json!(graph_time(p.published)),
                                "thumbnail_url" => continue,
                                other => return Err(nonexisting(other, "IGMedia")),
                            };
                            child.insert(base_name(f).to_string(), v);
                        }
                        child.entry("id").or_insert_with(|| json!(id));
                        data.push(Value::Object(child));
                    }
                    json!({ "data": data })
                }
                "children" => continue,
                other => return Err(nonexisting(other, "IGMedia")),
            };
            o.insert(name.to_string(), v);
        }
        o.entry("id").or_insert_with(|| json!(p.id));
        Ok(Value::Object(o))
    }

    /// `GET /{ig-user-id}/media` (feed and reels, newest first) or `/stories` (stories
    /// published in the last 24 h).
    fn media_edge(&self, account: usize, stories: bool) -> Reply {
        let fields = split_fields(self.req.q("fields").unwrap_or("id"));
        let mut q = match EdgeQuery::parse(self.req, self.now, CURSOR_TAG) {
            Ok(q) => q,
            Err(r) => return r,
        };
        if stories {
            q.lower = q.lower.max(self.now - Duration::hours(24));
        }
        q.answer(
            self.g,
            self.req,
            account,
            |p| p.kind.is_story() == stories,
            |p| self.media_json(p, &fields),
        )
    }

    fn insights(&self, id: &str) -> Reply {
        if let Some(i) = account_by_id(Network::Instagram, id) {
            return self.user_insights(i);
        }
        match self.visible_media(id) {
            Some(p) => self.media_insights(&p),
            None => unsupported_get(id),
        }
    }

    fn media_insights(&self, p: &Post) -> Reply {
        let metrics = match metric_list(self.req) {
            Ok(m) => m,
            Err(r) => return r,
        };
        let allowed = match p.kind {
            Kind::IgReel => REELS_METRICS,
            Kind::IgStory { .. } => STORY_METRICS,
            _ => FEED_METRICS,
        };
        for (i, m) in metrics.iter().enumerate() {
            let known = FEED_METRICS.contains(&m.as_str())
                || REELS_METRICS.contains(&m.as_str())
                || STORY_METRICS.contains(&m.as_str());
            if REMOVED_MEDIA_METRICS.contains(&m.as_str()) || m.starts_with("carousel_album_") || !known {
                return meta_invalid(INVALID_METRIC);
            }
            if !allowed.contains(&m.as_str()) {
                return meta_invalid(&format!(
                    "(#100) metric[{i}] must be one of the following values: {}",
                    allowed.join(", ")
                ));
            }
        }
        let breakdown = self.req.q("breakdown").filter(|b| !b.is_empty());
        if let Some(b) = breakdown {
            if b != "story_navigation_action_type" || metrics.iter().any(|m| m != "navigation") {
                return meta_invalid(&format!(
                    "(#100) Incompatible breakdown ({b}) with the requested metrics"
                ));
            }
        }
        let t = self.now;
        if p.kind.is_story() && t - p.published < STORY_MIN_AGE {
            return meta_error(
                400,
                10,
                None,
                "OAuthException",
                "(#10) Not enough viewers for the media to show insights",
            );
        }
        if let Some((y, mo, d)) = ACCOUNTS[p.account].business_since {
            let since =
                NaiveDate::from_ymd_opt(y, mo, d).map(|d| Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN)));
            if since.is_some_and(|s| p.published < s) {
                return Reply::json(
                    400,
                    &json!({"error": {
                        "message": "Invalid parameter",
                        "type": "OAuthException",
                        "code": 100,
                        "error_subcode": 2108006,
                        "is_transient": false,
                        "error_user_title": "Media posted before business account conversion",
                        "error_user_msg": "The media was posted before the most recent time that the user's account was converted to a business account from a personal account.",
                        "fbtrace_id": crate::reply::trace_id(),
                    }}),
                );
            }
        }
        let v = |m: M| p.value(m, t);
        let data: Vec<Value> = metrics
            .iter()
            .map(|m| {
                let value = match m.as_str() {
                    "views" => v(M::Views),
                    "reach" => v(M::Reach),
                    "likes" => v(M::Likes),
                    "comments" | "replies" => v(M::Replies),
                    "shares" => v(M::Reposts),
                    "saved" => v(M::Bookmarks),
                    "total_interactions" => v(M::Likes) + v(M::Replies) + v(M::Reposts) + v(M::Bookmarks),
                    "follows" => v(M::Follows),
                    "profile_visits" => v(M::ProfileVisits),
                    "profile_activity" => v(M::ProfileVisits) * 7 / 20,
                    "ig_reels_avg_watch_time" if v(M::Views) > 0 => p.avg_watch_ms,
                    "ig_reels_video_view_total_time" => p.avg_watch_ms * v(M::Views),
                    "navigation" => v(M::Navigation),
                    _ => 0,
                };
                let id = format!("{}/insights/{m}/lifetime", p.id);
                if m == "navigation" && breakdown.is_some() {
                    let fwd = value * 62 / 100;
                    let back = value * 8 / 100;
                    let exit = value / 5;
                    let swipe = value - fwd - back - exit;
                    let total = json!({
                        "value": value,
                        "breakdowns": [{
                            "dimension_keys": ["story_navigation_action_type"],
                            "results": [
                                {"dimension_values": ["TAP_FORWARD"], "value": fwd},
                                {"dimension_values": ["TAP_BACK"], "value": back},
                                {"dimension_values": ["TAP_EXIT"], "value": exit},
                                {"dimension_values": ["SWIPE_FORWARD"], "value": swipe},
                            ],
                        }],
                    });
                    insight_item(m, "lifetime", title(m), id, "total_value", total)
                } else {
                    insight_item(m, "lifetime", title(m), id, "values", json!([{ "value": value }]))
                }
            })
            .collect();
        ok(json!({ "data": data }))
    }

    fn user_insights(&self, account: usize) -> Reply {
        match self.try_user_insights(account) {
            Ok(r) | Err(r) => r,
        }
    }

    fn try_user_insights(&self, account: usize) -> Result<Reply, Reply> {
        let metrics = metric_list(self.req)?;
        let metric_type = self.req.q("metric_type").unwrap_or("time_series");
        if metric_type != "time_series" && metric_type != "total_value" {
            return Err(meta_invalid(
                "(#100) metric_type must be one of the following values: time_series, total_value",
            ));
        }
        let dims = list_param_values(self.req, "breakdown");
        let lifetime = metrics.iter().filter(|m| DEMOGRAPHICS.contains(&m.as_str())).count();
        for m in &metrics {
            let known =
                TOTAL_ONLY.contains(&m.as_str()) || SERIES.contains(&m.as_str()) || DEMOGRAPHICS.contains(&m.as_str());
            if !known {
                return Err(meta_invalid(INVALID_METRIC));
            }
        }
        if lifetime > 0 && lifetime < metrics.len() {
            return Err(meta_invalid(
                "(#100) Demographic metrics (period lifetime) cannot be combined with period day metrics",
            ));
        }
        let period = self
            .req
            .q("period")
            .unwrap_or(if lifetime > 0 { "lifetime" } else { "day" });
        if lifetime > 0 {
            if period != "lifetime" {
                return Err(meta_invalid(&format!(
                    "(#100) Incorrect period ({period}) for {}: supported period is lifetime",
                    metrics.join(", ")
                )));
            }
            return self.demographics(account, &metrics, &dims);
        }
        if period != "day" {
            return Err(meta_invalid(&format!(
                "(#100) Incorrect period ({period}) for {}: supported period is day",
                metrics.join(", ")
            )));
        }
        if metric_type != "total_value" {
            let need: Vec<&str> = metrics
                .iter()
                .map(String::as_str)
                .filter(|m| TOTAL_ONLY.contains(m))
                .collect();
            if !need.is_empty() {
                return Err(meta_invalid(&format!(
                    "(#100) The following metrics ({}) should be specified with parameter metric_type=total_value",
                    need.join(", ")
                )));
            }
            if !dims.is_empty() {
                return Err(meta_invalid(
                    "(#100) Breakdowns are only supported with metric_type=total_value",
                ));
            }
        }
        for m in &metrics {
            if !dims.iter().all(|d| breakdown_allowed(m, d)) {
                return Err(meta_invalid(&format!(
                    "(#100) Incompatible breakdowns ({}) for metric {m}",
                    dims.join(",")
                )));
            }
        }
        let (since, until) = insights_range(self.req, self.now, Duration::days(1))?;
        if (until - since).num_seconds() > MAX_RANGE_SECS {
            return Err(meta_invalid(
                "(#100) There cannot be more than 30 days (2592000 s) between since and until",
            ));
        }
        let ig_id = ACCOUNTS[account].external_id;
        let mut data = Vec::new();
        if metric_type == "total_value" {
            let end = until.min(self.now);
            let contribs = self.g.activity(account, since, end);
            for m in &metrics {
                let rows = self.rows(account, m, &contribs, since, end);
                let total: u64 = rows.iter().map(|r| r.2).sum();
                let mut tv = json!({ "value": total });
                if !dims.is_empty() {
                    tv["breakdowns"] = json!([breakdown(&rows, &dims)]);
                }
                let id = format!("{ig_id}/insights/{m}/day");
                data.push(insight_item(m, "day", title(m), id, "total_value", tv));
            }
            return Ok(ok(json!({ "data": data })));
        }
        // Time series: one value per UTC day, `end_time` = the end of the day.
        let mut buckets = Vec::new();
        let mut day = day_of(since);
        loop {
            let start = day_start(day);
            if start >= until || start >= self.now {
                break;
            }
            let end = day_start(day + 1);
            buckets.push((start, end));
            day += 1;
        }
        for m in &metrics {
            let values: Vec<Value> = buckets
                .iter()
                .map(|(s, e)| {
                    let clipped = (*e).min(self.now);
                    let contribs = self.g.activity(account, *s, clipped);
                    let v: u64 = self.rows(account, m, &contribs, *s, clipped).iter().map(|r| r.2).sum();
                    json!({ "value": v, "end_time": graph_time(*e) })
                })
                .collect();
            let id = format!("{ig_id}/insights/{m}/day");
            data.push(insight_item(m, "day", title(m), id, "values", json!(values)));
        }
        Ok(ok(json!({
            "data": data,
            "paging": insights_paging(self.req, since, until),
        })))
    }

    /// Rows `(media_product_type, follow_type, value)` of an account metric over
    /// `[a, b)`; the metric's value is their sum.
    fn rows(
        &self,
        account: usize,
        metric: &str,
        contribs: &[Contribution],
        a: DateTime<Utc>,
        b: DateTime<Utc>,
    ) -> Vec<(&'static str, &'static str, u64)> {
        let split = |c: &Contribution, v: u64| {
            let fol = (v as f64 * c.follower_share).round() as u64;
            [
                (c.product, "FOLLOWER", fol.min(v)),
                (c.product, "NON_FOLLOWER", v - fol.min(v)),
            ]
        };
        let interactions = |c: &Contribution| {
            c.delta[M::Likes as usize]
                + c.delta[M::Replies as usize]
                + c.delta[M::Reposts as usize]
                + c.delta[M::Bookmarks as usize]
        };
        let sum = |f: &dyn Fn(&Contribution) -> u64| contribs.iter().map(f).sum::<u64>();
        let net = || {
            if b <= a {
                0
            } else {
                self.g
                    .followers(account, b)
                    .saturating_sub(self.g.followers(account, a))
            }
        };
        let mut rows = Vec::new();
        match metric {
            "views" => {
                for c in contribs {
                    rows.extend(split(c, c.delta[M::Views as usize]));
                }
            }
            "reach" => {
                for c in contribs {
                    let r = (c.delta[M::Reach as usize] as f64 * 0.82).round() as u64;
                    rows.extend(split(c, r));
                }
            }
            "likes" | "comments" | "replies" | "shares" | "saves" | "total_interactions" => {
                for c in contribs {
                    let v = match metric {
                        "likes" => c.delta[M::Likes as usize],
                        "comments" if !c.story => c.delta[M::Replies as usize],
                        "replies" if c.story => c.delta[M::Replies as usize],
                        "shares" => c.delta[M::Reposts as usize],
                        "saves" => c.delta[M::Bookmarks as usize],
                        "total_interactions" => interactions(c),
                        _ => 0,
                    };
                    rows.push((c.product, "", v));
                }
            }
            "accounts_engaged" => rows.push(("", "", (sum(&interactions) as f64 * 0.72).round() as u64)),
            "profile_links_taps" => rows.push((
                "",
                "",
                (sum(&|c: &Contribution| c.delta[M::ProfileVisits as usize]) as f64 * 0.15).round() as u64,
            )),
            "reposts" => rows.push((
                "",
                "",
                (sum(&|c: &Contribution| c.delta[M::Reposts as usize]) as f64 * 0.15).round() as u64,
            )),
            "follower_count" => rows.push(("", "", net())),
            "follows_and_unfollows" => {
                let n = net();
                let unfollows = (n as f64 * 0.25).round() as u64;
                rows.push(("", "FOLLOWER", n + unfollows));
                rows.push(("", "NON_FOLLOWER", unfollows));
            }
            _ => {}
        }
        rows
    }

    fn demographics(&self, account: usize, metrics: &[String], dims: &[String]) -> Result<Reply, Reply> {
        let timeframe = self.req.q("timeframe").unwrap_or("this_month");
        let start = match timeframe {
            "this_month" => NaiveDate::from_ymd_opt(self.now.year(), self.now.month(), 1)
                .map(|d| Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN)))
                .unwrap_or(self.now),
            "this_week" => {
                let days_from_monday = i64::from(self.now.weekday().num_days_from_monday());
                day_start(day_of(self.now) - days_from_monday)
            }
            other => {
                return Err(meta_invalid(&format!(
                    "(#100) Param timeframe ({other}) must be one of {{this_week, this_month}}"
                )))
            }
        };
        if dims.is_empty() {
            return Err(meta_invalid(&format!(
                "(#100) The following metrics ({}) should be specified with parameter breakdown",
                metrics.join(", ")
            )));
        }
        let dim_refs: Vec<&str> = dims.iter().map(String::as_str).collect();
        let month_key = i64::from(self.now.year()) * 12 + i64::from(self.now.month0());
        let ig_id = ACCOUNTS[account].external_id;
        let mut data = Vec::new();
        for m in metrics {
            let (audience, total) = if m == "follower_demographics" {
                (Audience::Followers, self.g.followers(account, self.now))
            } else {
                let contribs = self.g.activity(account, start, self.now);
                let inter: u64 = contribs
                    .iter()
                    .map(|c| {
                        c.delta[M::Likes as usize]
                            + c.delta[M::Replies as usize]
                            + c.delta[M::Reposts as usize]
                            + c.delta[M::Bookmarks as usize]
                    })
                    .sum();
                (Audience::Engaged, (inter as f64 * 0.72).round() as u64)
            };
            let Some(rows) = self.g.demographics(account, audience, &dim_refs, total, month_key) else {
                return Err(meta_invalid(&format!(
                    "(#100) Incompatible breakdowns ({}) for metric {m}; use age, gender, age,gender, country or city",
                    dims.join(",")
                )));
            };
            let results: Vec<Value> = rows
                .into_iter()
                .map(|(vals, v)| json!({ "dimension_values": vals, "value": v }))
                .collect();
            let id = format!("{ig_id}/insights/{m}/lifetime");
            let total = json!({ "breakdowns": [{ "dimension_keys": dims, "results": results }] });
            data.push(insight_item(m, "lifetime", title(m), id, "total_value", total));
        }
        Ok(ok(json!({ "data": data })))
    }
}

fn breakdown_allowed(metric: &str, dim: &str) -> bool {
    match dim {
        "media_product_type" => matches!(
            metric,
            "reach" | "views" | "likes" | "comments" | "shares" | "saves" | "replies" | "total_interactions"
        ),
        "follow_type" | "follower_type" => matches!(metric, "reach" | "views" | "follows_and_unfollows"),
        _ => false,
    }
}

/// Groups rows by the requested dimensions into one `breakdowns[]` item.
fn breakdown(rows: &[(&'static str, &'static str, u64)], dims: &[String]) -> Value {
    let mut groups: Vec<(Vec<&str>, u64)> = Vec::new();
    for (product, follow, v) in rows {
        let key: Vec<&str> = dims
            .iter()
            .map(|d| if d == "media_product_type" { *product } else { *follow })
            .collect();
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some(g) => g.1 += v,
            None => groups.push((key, *v)),
        }
    }
    groups.retain(|(_, v)| *v > 0);
    groups.sort();
    let results: Vec<Value> = groups
        .into_iter()
        .map(|(k, v)| json!({ "dimension_values": k, "value": v }))
        .collect();
    json!({ "dimension_keys": dims, "results": results })
}
