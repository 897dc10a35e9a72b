//! Fault injection: `POST /__alcance/faults` makes the next N requests under a path prefix
//! fail in a chosen way; `POST /__alcance/faults/chaos` ([`Chaos`]) makes a seeded random
//! share of every platform request fail.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::reply::{meta_error, Reply};

/// How a faulted request fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// HTTP 500 in the platform's error envelope (X problem+json; Graph error code 1;
    /// TikTok `internal_error`, Business code 50000).
    #[serde(rename = "status_500")]
    Status500,
    /// HTTP 429 in the platform's envelope (X problem+json with `x-rate-limit-*` headers,
    /// remaining 0, reset in 60 s or [`Fault::reset_s`]; Graph error code 4 with HTTP 400;
    /// TikTok `rate_limit_exceeded`; TikTok Business code 40100 with HTTP 200). With
    /// `reset_s`, the Graph and TikTok answers also carry `Retry-After: <reset_s>`.
    #[serde(rename = "status_429")]
    Status429,
    /// HTTP 429 in the platform's envelope with no rate-limit header at all (no
    /// `x-rate-limit-*`, `Retry-After` or Meta usage header): nothing says when to come
    /// back. Graph answers carry error code 4; TikTok Business answers are HTTP 429 too.
    #[serde(rename = "status_429_bare")]
    Status429Bare,
    /// HTTP 401 in the platform's envelope: the token was refused (X problem+json
    /// `Unauthorized`; Graph code 190 `OAuthException`; TikTok `access_token_invalid`;
    /// TikTok Business code 40105).
    #[serde(rename = "status_401")]
    Status401,
    /// HTTP 403 in the platform's envelope: access refused (X `client-forbidden`; Graph
    /// code 200 permissions error; TikTok `scope_not_authorized`; TikTok Business code
    /// 40001).
    #[serde(rename = "status_403")]
    Status403,
    /// The normal answer's status and headers with half its body, then the connection is
    /// closed (the declared `content-length` is the whole body's): the client sees the
    /// transfer break off, a transport error.
    Disconnect,
    /// HTTP 502 with an HTML error page (`text/html`), as a proxy would send.
    Html,
    /// The normal answer with its body cut in half (status and headers kept).
    Truncated,
    /// HTTP 200 with a body that is not valid JSON.
    MalformedJson,
    /// The normal answer with identifying and metric fields removed from every object
    /// below the top level (`id`, `value`, `values`, `total_value`, `public_metrics`,
    /// `followers_count`, `timestamp`, `created_at`, `created_time`, `create_time`,
    /// `media_type`, `name`, `username`, `open_id`, `follower_count`, `view_count`, `sent`,
    /// `data_points`, …).
    MissingFields,
    /// The normal answer with enum values replaced by values no client knows
    /// (`media_type`, `media_product_type`, X media `type`, `period`, `dimension_values`,
    /// Facebook `status_type`, YouTube `privacyStatus` / `uploadStatus` /
    /// `liveBroadcastContent`, WhatsApp `quality_rating`, `messaging_limit_tier`,
    /// `category`, `conversation_category`, `pricing_category`, Reddit `post_hint`).
    UnknownEnum,
    /// The normal answer after a delay (`delay_ms`, default 2000 ms).
    Slow,
}

/// One armed fault, as posted to and listed by `/__alcance/faults`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// Requests whose path (with or without the Graph `/vNN.N` segment) starts with this
    /// prefix are affected.
    pub path_prefix: String,
    /// How they fail.
    pub kind: FaultKind,
    /// How many requests are still to fail (default 1).
    #[serde(default = "one")]
    pub times: u32,
    /// Delay for [`FaultKind::Slow`], ms (default 2000).
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// For [`FaultKind::Status429`]: seconds until the rate limit resets (default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_s: Option<u64>,
    /// Matching requests let through unharmed before the fault fires (default 0): `1`
    /// fails the second page of a listing, not the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u32>,
}

fn one() -> u32 {
    1
}

/// The armed faults, first match wins.
#[derive(Debug, Default)]
pub(crate) struct FaultPlan {
    faults: Mutex<Vec<Fault>>,
}

impl FaultPlan {
    /// Arms a fault.
    pub(crate) fn add(&self, fault: Fault) {
        if fault.times > 0 {
            self.faults.lock().unwrap_or_else(PoisonError::into_inner).push(fault);
        }
    }

    /// Disarms everything.
    pub(crate) fn clear(&self) {
        self.faults.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    /// The faults still armed.
    pub(crate) fn list(&self) -> Vec<Fault> {
        self.faults.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Takes one use of the first fault matching `raw` or `normalized` path.
    pub(crate) fn take(&self, raw: &str, normalized: &str) -> Option<Fault> {
        let mut faults = self.faults.lock().unwrap_or_else(PoisonError::into_inner);
        let i = faults
            .iter()
            .position(|f| raw.starts_with(&f.path_prefix) || normalized.starts_with(&f.path_prefix))?;
        let f = &mut faults[i];
        if let Some(after) = f.after.as_mut().filter(|a| **a > 0) {
            *after -= 1;
            return None;
        }
        f.times -= 1;
        let taken = f.clone();
        if f.times == 0 {
            faults.remove(i);
        }
        Some(taken)
    }
}

/// Chaos mode, as posted to `/__alcance/faults/chaos`: every platform API request (not the
/// OAuth and control endpoints) fails with probability [`Chaos::probability`], in one of
/// [`Chaos::kinds`] picked evenly. Armed faults of the plan (`/__alcance/faults`) go first.
///
/// Reproducible for a seed: whether a request fails, and how, is a hash of the seed, the
/// request (method, path, query without `access_token` / `appsecret_proof`, body) and how
/// many identical requests came before it since the chaos was armed. A client that sends
/// the same requests gets the same faults; clients that send identical requests at the
/// same time share those faults in arrival order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chaos {
    /// Any value; the same seed gives the same faults.
    pub seed: u64,
    /// Share of requests that fail, ratio 0–1 (clamped).
    pub probability: f64,
    /// The kinds to pick from, evenly (default [`Chaos::DEFAULT_KINDS`]: the transient
    /// faults a collection must survive).
    #[serde(default = "default_chaos_kinds")]
    pub kinds: Vec<FaultKind>,
    /// Delay of a [`FaultKind::Slow`] answer, ms (default 2000): above the client's request
    /// time-out it is a time-out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// Reset of a [`FaultKind::Status429`] answer, seconds (default 60; the Graph and TikTok
    /// answers then carry `Retry-After`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_s: Option<u64>,
}

impl Chaos {
    /// The kinds chaos picks from by default: 429 with and without rate-limit headers, 500,
    /// 502 with an HTML page, a time-out ([`FaultKind::Slow`]), a truncated body, a malformed
    /// body and a connection that breaks off.
    pub const DEFAULT_KINDS: [FaultKind; 8] = [
        FaultKind::Status429,
        FaultKind::Status429Bare,
        FaultKind::Status500,
        FaultKind::Html,
        FaultKind::Slow,
        FaultKind::Truncated,
        FaultKind::MalformedJson,
        FaultKind::Disconnect,
    ];
}

fn default_chaos_kinds() -> Vec<FaultKind> {
    Chaos::DEFAULT_KINDS.to_vec()
}

/// What chaos did since it was armed, as `GET /__alcance/faults/chaos` lists it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChaosReport {
    /// The chaos in force, `None` when disarmed (the counts stay until the next arming).
    pub chaos: Option<Chaos>,
    /// Platform API requests chaos looked at (OAuth and control endpoints not counted).
    pub requests: u64,
    /// Requests it made fail, by kind (`status_500`, `slow`, …).
    pub faults: BTreeMap<String, u64>,
}

impl ChaosReport {
    /// Every fault injected, all kinds together.
    pub fn total_faults(&self) -> u64 {
        self.faults.values().sum()
    }
}

/// Chaos mode's state: what is armed, how often each request was seen, the counts.
#[derive(Debug, Default)]
pub(crate) struct ChaosPlan {
    inner: Mutex<ChaosInner>,
}

#[derive(Debug, Default)]
struct ChaosInner {
    report: ChaosReport,
    /// Requests seen so far per request hash.
    seen: HashMap<u64, u64>,
}

impl ChaosPlan {
    /// Arms `chaos` (probability clamped to 0–1; no kinds means the default ones) and
    /// starts the counts afresh.
    pub(crate) fn arm(&self, mut chaos: Chaos) -> ChaosReport {
        chaos.probability = if chaos.probability.is_finite() {
            chaos.probability.clamp(0.0, 1.0)
        } else {
            0.0
        };
        if chaos.kinds.is_empty() {
            chaos.kinds = default_chaos_kinds();
        }
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        *inner = ChaosInner::default();
        inner.report.chaos = Some(chaos);
        inner.report.clone()
    }

    /// Disarms chaos, keeping the counts.
    pub(crate) fn disarm(&self) -> ChaosReport {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.report.chaos = None;
        inner.seen.clear();
        inner.report.clone()
    }

    /// The counts so far.
    pub(crate) fn report(&self) -> ChaosReport {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner).report.clone()
    }

    /// The fault chaos gives this request, if any (counted).
    pub(crate) fn pick(&self, method: &str, path: &str, query: &[(String, String)], body: &[u8]) -> Option<Fault> {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let chaos = inner.report.chaos.clone()?;
        let key = request_hash(method, path, query, body);
        let seen = inner.seen.entry(key).or_insert(0);
        let n = *seen;
        *seen += 1;
        inner.report.requests += 1;
        let roll = mix(mix(chaos.seed ^ key).wrapping_add(n));
        // The top 53 bits as a fraction in [0, 1).
        let fraction = (roll >> 11) as f64 / (1u64 << 53) as f64;
        if fraction >= chaos.probability || chaos.kinds.is_empty() {
            return None;
        }
        let which = usize::try_from(mix(roll) % chaos.kinds.len() as u64).unwrap_or(0);
        let kind = *chaos.kinds.get(which)?;
        *inner.report.faults.entry(kind_name(kind)).or_insert(0) += 1;
        Some(Fault {
            path_prefix: path.to_string(),
            kind,
            times: 1,
            delay_ms: chaos.delay_ms,
            reset_s: chaos.reset_s,
            after: None,
        })
    }
}

/// A kind's name on the wire (`status_429_bare`, `malformed_json`).
pub fn kind_name(kind: FaultKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{kind:?}"))
}

/// SplitMix64's finalizer: a well-spread 64-bit hash step.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a over the request's method, path, query (sorted, credentials left out) and body.
fn request_hash(method: &str, path: &str, query: &[(String, String)], body: &[u8]) -> u64 {
    let mut pairs: Vec<&(String, String)> = query
        .iter()
        .filter(|(k, _)| k != "access_token" && k != "appsecret_proof")
        .collect();
    pairs.sort();
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    let mut eat = |bytes: &[u8]| {
        for b in bytes.iter().chain([&0xffu8]) {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(method.as_bytes());
    eat(path.as_bytes());
    for (k, v) in pairs {
        eat(k.as_bytes());
        eat(v.as_bytes());
    }
    eat(body);
    h
}

/// `true` when the path belongs to the X API (problem+json errors).
pub(crate) fn is_x_path(normalized: &str) -> bool {
    normalized.starts_with("/2/") || normalized.starts_with("/i/")
}

/// The answer for a fault that replaces the response outright, or `None` when the fault
/// transforms the normal answer (see [`transform`]). `raw` is the path as sent, `normalized`
/// without the Graph version.
pub(crate) fn replacement(fault: &Fault, raw: &str, normalized: &str) -> Option<Reply> {
    let platform_reply = crate::tiktok::fault_replacement(fault.kind, raw)
        .or_else(|| crate::youtube::fault_replacement(fault.kind, raw))
        .or_else(|| crate::linkedin::fault_replacement(fault.kind, raw));
    if let Some(r) = platform_reply {
        return Some(match (fault.kind, fault.reset_s) {
            (FaultKind::Status429, Some(reset)) => r.with_header("retry-after", reset.to_string()),
            _ => r,
        });
    }
    if let Some(r) = crate::bluesky::fault_replacement(fault, raw) {
        return Some(r);
    }
    if let Some(r) = crate::reddit::fault_replacement(fault, raw) {
        return Some(r);
    }
    let x = is_x_path(normalized);
    match fault.kind {
        FaultKind::Status500 => Some(if x {
            Reply::problem(
                500,
                &json!({"title": "Internal Server Error", "detail": "Internal Server Error", "type": "about:blank", "status": 500}),
            )
        } else {
            meta_error(500, 1, None, "OAuthException", "An unknown error has occurred.")
        }),
        FaultKind::Status429 => Some(if x {
            let reset = chrono::Utc::now().timestamp() + i64::try_from(fault.reset_s.unwrap_or(60)).unwrap_or(60);
            Reply::problem(
                429,
                &json!({"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}),
            )
            .with_header("x-rate-limit-limit", "900")
            .with_header("x-rate-limit-remaining", "0")
            .with_header("x-rate-limit-reset", reset.to_string())
        } else {
            let r = meta_error(400, 4, None, "OAuthException", "(#4) Application request limit reached");
            match fault.reset_s {
                Some(reset) => r.with_header("retry-after", reset.to_string()),
                None => r,
            }
        }),
        FaultKind::Status429Bare => Some(if x {
            Reply::problem(
                429,
                &json!({"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}),
            )
        } else {
            meta_error(429, 4, None, "OAuthException", "(#4) Application request limit reached")
        }),
        FaultKind::Status401 => Some(if x {
            Reply::problem(
                401,
                &json!({"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}),
            )
        } else {
            meta_error(
                401,
                190,
                Some(460),
                "OAuthException",
                "Error validating access token: The session has been invalidated because the user changed their password.",
            )
        }),
        FaultKind::Status403 => Some(if x {
            Reply::problem(
                403,
                &json!({
                    "title": "Client Forbidden",
                    "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project.",
                    "reason": "client-not-enrolled",
                    "type": "https://api.twitter.com/2/problems/client-forbidden"
                }),
            )
        } else {
            meta_error(403, 200, None, "OAuthException", "(#200) Permissions error")
        }),
        FaultKind::Html => Some(Reply {
            status: 502,
            headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
            body: b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n".to_vec(),
            delay_ms: 0,
        }),
        FaultKind::MalformedJson => Some(Reply {
            status: 200,
            headers: vec![(
                "content-type".into(),
                if x { "application/json; charset=utf-8" } else { "application/json" }.into(),
            )],
            body: br#"{"data": [{"id": "1", "value": 12,, "name": undefined}"#.to_vec(),
            delay_ms: 0,
        }),
        FaultKind::Truncated
        | FaultKind::MissingFields
        | FaultKind::UnknownEnum
        | FaultKind::Slow
        | FaultKind::Disconnect => None,
    }
}

/// Rewrites the normal answer for the transforming kinds.
pub(crate) fn transform(fault: &Fault, mut reply: Reply) -> Reply {
    match fault.kind {
        FaultKind::Truncated => {
            let keep = reply.body.len() / 2;
            reply.body.truncate(keep);
        }
        FaultKind::Disconnect => {
            let whole = reply.body.len().max(2);
            reply.body.truncate(whole / 2);
            reply.headers.retain(|(k, _)| !k.eq_ignore_ascii_case("content-length"));
            reply.headers.push(("content-length".into(), whole.to_string()));
        }
        FaultKind::MissingFields | FaultKind::UnknownEnum => {
            if let Ok(mut v) = serde_json::from_slice::<Value>(&reply.body) {
                if fault.kind == FaultKind::MissingFields {
                    strip(&mut v, 0);
                } else {
                    scramble(&mut v);
                }
                reply.body = v.to_string().into_bytes();
            }
        }
        FaultKind::Slow => reply.delay_ms = fault.delay_ms.unwrap_or(2_000),
        _ => {}
    }
    reply
}

const STRIPPED: [&str; 25] = [
    "id",
    "value",
    "values",
    "total_value",
    "public_metrics",
    "non_public_metrics",
    "organic_metrics",
    "followers_count",
    "follows_count",
    "media_count",
    "timestamp",
    "created_at",
    "media_type",
    "media_product_type",
    "name",
    "username",
    "user_id",
    "access_token",
    "open_id",
    "follower_count",
    "view_count",
    "create_time",
    "created_time",
    "sent",
    "data_points",
];

fn strip(v: &mut Value, depth: usize) {
    match v {
        Value::Object(map) => {
            // Top-level envelopes (`data`, `meta`, `paging`) stay, so the damage is inside.
            let is_envelope = depth == 0 && (map.contains_key("data") || map.contains_key("error"));
            if !is_envelope {
                let keys: Vec<String> = map.keys().filter(|k| STRIPPED.contains(&k.as_str())).cloned().collect();
                for k in keys {
                    map.remove(&k);
                }
            }
            for child in map.values_mut() {
                strip(child, depth + 1);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|c| strip(c, depth + 1)),
        _ => {}
    }
}

fn scramble(v: &mut Value) {
    match v {
        Value::Object(map) => {
            scramble_map(map);
            map.values_mut().for_each(scramble);
        }
        Value::Array(items) => items.iter_mut().for_each(scramble),
        _ => {}
    }
}

fn scramble_map(map: &mut Map<String, Value>) {
    for (k, v) in map.iter_mut() {
        match (k.as_str(), &*v) {
            ("media_type", Value::String(_)) => *v = json!("HOLOGRAM"),
            ("media_product_type", Value::String(_)) => *v = json!("SPATIAL"),
            ("period", Value::String(_)) => *v = json!("fortnight"),
            ("type", Value::String(s)) if matches!(s.as_str(), "photo" | "video" | "animated_gif") => {
                *v = json!("hologram")
            }
            ("token_type", Value::String(_)) => *v = json!("mac"),
            ("status_type", Value::String(_)) => *v = json!("hologram_update"),
            ("privacyStatus" | "uploadStatus" | "liveBroadcastContent", Value::String(_)) => *v = json!("hologram"),
            ("quality_rating", Value::String(_)) => *v = json!("PLAID"),
            ("messaging_limit_tier", Value::String(_)) => *v = json!("TIER_HOLOGRAM"),
            ("conversation_category" | "pricing_category" | "category", Value::String(_)) => {
                *v = json!("UNKNOWN_CATEGORY_X")
            }
            ("dimension_values", Value::Array(a)) => {
                *v = Value::Array(a.iter().map(|_| json!("UNKNOWN_VALUE_X")).collect())
            }
            ("post_hint", Value::String(_)) => *v = json!("hologram"),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(prefix: &str, kind: FaultKind, times: u32) -> Fault {
        Fault {
            path_prefix: prefix.into(),
            kind,
            times,
            delay_ms: None,
            reset_s: None,
            after: None,
        }
    }

    #[test]
    fn faults_fire_n_times() {
        let plan = FaultPlan::default();
        plan.add(fault("/2/users", FaultKind::Status500, 2));
        assert!(plan.take("/2/tweets", "/2/tweets").is_none());
        assert!(plan.take("/2/users/me", "/2/users/me").is_some());
        assert!(plan.take("/2/users/me", "/2/users/me").is_some());
        assert!(plan.take("/2/users/me", "/2/users/me").is_none());
        plan.add(fault("/17841400000000001", FaultKind::Html, 1));
        assert!(plan
            .take("/v25.0/17841400000000001/media", "/17841400000000001/media")
            .is_some());
    }

    #[test]
    fn kinds_use_the_documented_names() {
        let f: Fault = serde_json::from_value(json!({"path_prefix": "/2/", "kind": "status_500"}))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((f.kind, f.times, f.delay_ms), (FaultKind::Status500, 1, None));
        let f: Fault = serde_json::from_value(json!({"path_prefix": "/", "kind": "malformed_json", "times": 3}))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((f.kind, f.times), (FaultKind::MalformedJson, 3));
    }

    #[test]
    fn after_lets_requests_through_first_and_the_new_kinds_have_their_names() {
        let plan = FaultPlan::default();
        let f: Fault = serde_json::from_value(
            json!({"path_prefix": "/2/users/1/tweets", "kind": "status_429", "after": 1, "reset_s": 7200}),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        plan.add(f);
        assert!(
            plan.take("/2/users/1/tweets", "/2/users/1/tweets").is_none(),
            "page 1 passes"
        );
        let taken = plan.take("/2/users/1/tweets", "/2/users/1/tweets");
        assert_eq!(taken.map(|f| f.reset_s), Some(Some(7200)), "page 2 fails");
        assert!(plan.take("/2/users/1/tweets", "/2/users/1/tweets").is_none(), "once");
        for (name, kind) in [
            ("status_429_bare", FaultKind::Status429Bare),
            ("status_401", FaultKind::Status401),
            ("status_403", FaultKind::Status403),
            ("disconnect", FaultKind::Disconnect),
        ] {
            let f: Fault = serde_json::from_value(json!({"path_prefix": "/", "kind": name}))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(f.kind, kind);
        }
        let bare = replacement(&fault("/2/", FaultKind::Status429Bare, 1), "/2/users/me", "/2/users/me")
            .unwrap_or_else(|| panic!("a reply"));
        assert_eq!(bare.status, 429);
        assert!(
            bare.headers
                .iter()
                .all(|(k, _)| !k.starts_with("x-rate-limit") && k != "retry-after"),
            "{:?}",
            bare.headers
        );
        let cut = transform(
            &fault("/", FaultKind::Disconnect, 1),
            Reply::json(200, &json!({"data": [1, 2, 3, 4, 5, 6, 7, 8]})),
        );
        let declared: Option<usize> = cut
            .headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok());
        assert!(
            declared.is_some_and(|d| d > cut.body.len()),
            "{declared:?} vs {}",
            cut.body.len()
        );
    }

    #[test]
    fn missing_fields_keeps_the_envelope() {
        let r = Reply::json(
            200,
            &json!({"data": [{"id": "1", "text": "t", "public_metrics": {"like_count": 1}}]}),
        );
        let out = transform(&fault("/", FaultKind::MissingFields, 1), r);
        let v: Value = serde_json::from_slice(&out.body).unwrap_or_default();
        assert_eq!(v, json!({"data": [{"text": "t"}]}));
    }
}
