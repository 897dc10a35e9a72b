//! Hashtags in the seeded sandbox: X recent post counts (`GET /2/tweets/counts/recent`,
//! app-only bearer [`X_APP_BEARER`]) and Instagram Hashtag Search (`GET /ig_hashtag_search`,
//! `GET /{ig-hashtag-id}/top_media|recent_media`) with its budget of 30 unique hashtags
//! per Instagram account per rolling 7 days (on the sandbox clock).
//!
//! Data is derived from the hashtag's name (FNV-1a), so the same hashtag answers the same
//! counts and media on every run; counts follow the sandbox clock.
//!
//! Errors served as the platforms do: X 401 without the app bearer, X 403 for a
//! user-context token, X 400 without `query`; Instagram code 24 (subcode 2207035) for the
//! 31st hashtag of an account's 7 days, #100 for a missing or emoji `q` or a `user_id`
//! that is not the token's, #100 subcode 33 for an unknown hashtag id.

use crate::meta::{base_name, graph_time, ok, requested_fields, unsupported_get};
use crate::model::Network;
use crate::oauth::TokenStatus;
use crate::reply::{meta_error, meta_invalid, x_invalid, x_unauthorized, Reply};
use crate::server::{Req, SandboxState};
use chrono::{DateTime, Duration, DurationRound, Utc};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// The X App's app-only Bearer Token the sandbox accepts on `/2/tweets/counts/recent` (a
/// made-up value, not a secret: paste it when a sandboxed workspace asks for one).
pub const X_APP_BEARER: &str = "sandbox-x-app-bearer-0000000000000000";

/// Unique hashtags an Instagram account may query per 7 days.
const IG_LIMIT: usize = 30;

/// One account's searches: (hashtag name, first query time in its window).
type Searches = Vec<(String, DateTime<Utc>)>;

/// What Instagram accounts searched, and which hashtag each id is.
#[derive(Debug, Default)]
pub(crate) struct HashtagBook {
    /// Per IG user id, its searches.
    searches: Mutex<HashMap<String, Searches>>,
    /// Hashtag id → name.
    ids: Mutex<HashMap<String, String>>,
}

/// FNV-1a of `s`.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The static, global id of hashtag `name` (lower-case): `178` and 14 digits.
fn hashtag_id(name: &str) -> String {
    format!("178{:014}", fnv(name) % 100_000_000_000_000)
}

/// A hashtag name Instagram accepts: letters, digits, marks and `_` (no emoji, no `#`).
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || ('\u{0300}'..='\u{036F}').contains(&c))
}

/// `GET /2/tweets/counts/recent?query=&granularity=`: day (default hour, as X) buckets over
/// the 7 days before the sandbox's now, aligned on UTC boundaries, with
/// `meta.total_tweet_count`. A `from:handle` operator in the query counts that account's
/// part of the term's posts: each bucket's count × [`from_percent`] ÷ 100, rounded down
/// (so the per-account counts never exceed the term's).
pub(crate) fn x_counts(st: &SandboxState, req: &Req) -> Reply {
    let bearer = req.bearer().unwrap_or_default();
    if bearer != X_APP_BEARER {
        if matches!(st.tokens.check(Network::X, &bearer), TokenStatus::Valid(_)) {
            return Reply::problem(
                403,
                &json!({
                    "title": "Unsupported Authentication",
                    "detail": "Authenticating with OAuth 2.0 User Context is forbidden for this endpoint.  Supported authentication types are [OAuth 2.0 Application-Only].",
                    "type": "https://api.twitter.com/2/problems/unsupported-authentication",
                    "status": 403
                }),
            );
        }
        return x_unauthorized();
    }
    let Some(query) = req.q("query").map(str::trim).filter(|q| !q.is_empty()) else {
        return x_invalid("query", "", "The `query` query parameter can not be empty");
    };
    let step = match req.q("granularity").unwrap_or("hour") {
        "day" => Duration::days(1),
        "hour" => Duration::hours(1),
        "minute" => Duration::minutes(1),
        other => {
            return x_invalid(
                "granularity",
                other,
                &format!("The `granularity` query parameter value [{other}] is not one of [minute,hour,day]"),
            )
        }
    };
    let (term, from) = split_from(query);
    if term.is_empty() {
        return x_invalid("query", query, "The query needs a term besides the `from:` operator");
    }
    let end = st.now() - Duration::seconds(30);
    let start = end - Duration::days(7);
    let seed = fnv(&term.to_lowercase());
    let per_day = 40 + seed % 900;
    let mut data = Vec::new();
    let mut total = 0_u64;
    let mut at = start;
    while at < end {
        let next = (at.duration_trunc(step).unwrap_or(at) + step).min(end);
        let day = u64::try_from(at.timestamp().div_euclid(86_400)).unwrap_or(0);
        // A daily rate that moves from day to day, spread evenly over the bucket's seconds.
        let rate = per_day + (seed.rotate_left(u32::try_from(day % 64).unwrap_or(0)) % (per_day / 2 + 1));
        let seconds = u64::try_from((next - at).num_seconds()).unwrap_or(0);
        let all = rate * seconds / 86_400;
        // `from:handle`: the account's part of the term's posts (1–12 %, from the handle).
        let count = match &from {
            Some(h) => all * from_percent(h) / 100,
            None => all,
        };
        total += count;
        data.push(json!({
            "start": at.format("%Y-%m-%dT%H:%M:%S.000Z").to_string(),
            "end": next.format("%Y-%m-%dT%H:%M:%S.000Z").to_string(),
            "tweet_count": count,
        }));
        at = next;
    }
    Reply::json(200, &json!({"data": data, "meta": {"total_tweet_count": total}}))
}

/// A counts query split into its term (the other words, as typed) and the handle of its
/// `from:` operator (lower-case, `@` dropped), if any. Only the first `from:` counts.
fn split_from(query: &str) -> (String, Option<String>) {
    let mut from = None;
    let mut words = Vec::new();
    for w in query.split_whitespace() {
        match w.get(..5).filter(|p| p.eq_ignore_ascii_case("from:")) {
            Some(_) if from.is_none() => from = Some(w[5..].trim_start_matches('@').to_lowercase()),
            _ => words.push(w),
        }
    }
    (words.join(" "), from)
}

/// The percent of a term's posts that `from:handle` matches in the sandbox: 1–12, derived
/// from the handle (so an account's share of voice is the same on every run).
pub fn from_percent(handle: &str) -> u64 {
    1 + fnv(&handle.trim_start_matches('@').to_lowercase()) % 12
}

/// `GET /ig_hashtag_search?user_id=&q=` for the token's owner `owner_id`.
pub(crate) fn ig_search(st: &SandboxState, req: &Req, owner_id: &str) -> Reply {
    if req.q("user_id") != Some(owner_id) {
        return meta_invalid("(#100) The parameter user_id is required and must be the IG user of the access token");
    }
    let name = req
        .q("q")
        .unwrap_or_default()
        .trim()
        .trim_start_matches('#')
        .to_lowercase();
    if !valid_name(&name) {
        return meta_invalid("(#100) Invalid parameter q: a hashtag name of letters, digits and _ is required");
    }
    let now = st.now();
    let mut searches = st.hashtags.searches.lock().unwrap_or_else(PoisonError::into_inner);
    let mine = searches.entry(owner_id.to_string()).or_default();
    let window_start = now - Duration::days(7);
    mine.retain(|(_, at)| *at > window_start);
    if !mine.iter().any(|(n, _)| *n == name) {
        if mine.len() >= IG_LIMIT {
            return meta_error(
                400,
                24,
                Some(2_207_035),
                "OAuthException",
                "(#24) The user has reached the maximum number of unique hashtags (30) that can be queried in a 7 day period",
            );
        }
        mine.push((name.clone(), now));
    }
    drop(searches);
    let id = hashtag_id(&name);
    st.hashtags
        .ids
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(id.clone(), name);
    ok(json!({"data": [{"id": id}]}))
}

/// `GET /{ig-hashtag-id}/top_media|recent_media?user_id=&fields=`; `None` for an id that
/// is no hashtag's (the Graph router answers it).
pub(crate) fn ig_edge(st: &SandboxState, req: &Req, owner_id: &str, id: &str, recent: bool) -> Option<Reply> {
    let name = st
        .hashtags
        .ids
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(id)
        .cloned();
    let Some(name) = name else {
        return id.starts_with("178").then(|| unsupported_get(id));
    };
    if req.q("user_id") != Some(owner_id) {
        return Some(meta_invalid(
            "(#100) The parameter user_id is required and must be the IG user of the access token",
        ));
    }
    let fields = requested_fields(req, "id");
    let now = st.now();
    let seed = fnv(&name);
    let n = if recent { seed % 26 } else { 9 + seed % 10 };
    let limit = req
        .q("limit")
        .and_then(|l| l.parse::<u64>().ok())
        .unwrap_or(25)
        .clamp(1, 50);
    let types = ["IMAGE", "VIDEO", "CAROUSEL_ALBUM"];
    let data: Vec<Value> = (0..n.min(limit))
        .map(|i| {
            let h = fnv(&format!("{name}:{i}:{recent}"));
            let age = if recent {
                Duration::minutes(i64::try_from(i * 50 + h % 40).unwrap_or(0))
            } else {
                Duration::hours(i64::try_from(6 + i * 31 + h % 24).unwrap_or(0))
            };
            let likes = if recent { h % 80 } else { 2_000 + h % 40_000 };
            let full = json!({
                "id": format!("18{:015}", h % 1_000_000_000_000_000),
                "caption": format!("Post {i} sobre #{name} 🔥 com @amiga"),
                "media_type": types[usize::try_from(h % 3).unwrap_or(0)],
                "comments_count": likes / 20 + h % 7,
                "like_count": likes,
                "permalink": format!("https://www.instagram.com/p/SBX{:08x}/", h % 0xffff_ffff),
                "timestamp": graph_time(now - age),
            });
            let mut out = Map::new();
            for (f, _) in &fields {
                let f = base_name(f);
                if let Some(v) = full.get(f) {
                    out.insert(f.to_string(), v.clone());
                }
            }
            out.insert("id".into(), full["id"].clone());
            Value::Object(out)
        })
        .collect();
    Some(ok(json!({"data": data})))
}
