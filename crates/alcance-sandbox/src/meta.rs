//! Graph API plumbing the three Meta handlers share (Instagram in [`crate::graph`], Facebook
//! Pages in [`crate::facebook`], WhatsApp Business in [`crate::whatsapp`]): token checks,
//! usage headers, the `fields` syntax, times, common errors, the paging of media / posts
//! edges and the shape of insights answers (platform-apis.md §2).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde_json::{json, Value};

use crate::limits::MetaHeaders;
use crate::model::{day_start, Generator, Network, Post};
use crate::oauth::TokenStatus;
use crate::reply::{meta_error, meta_invalid, Reply};
use crate::server::{Req, SandboxState};

/// The #100 message of an unknown or removed insights metric.
pub(crate) const INVALID_METRIC: &str = "(#100) The value must be a valid insights metric";

/// Default `limit` of a media / posts edge (items per page).
const EDGE_DEFAULT_LIMIT: usize = 25;
/// Largest `limit` of a media / posts edge; larger values are clamped to it.
const EDGE_MAX_LIMIT: usize = 100;

/// A `200 OK` JSON answer.
pub(crate) fn ok(v: Value) -> Reply {
    Reply::json(200, &v)
}

/// A time as Graph writes it: `2026-11-23T12:00:00+0000` (UTC).
pub(crate) fn graph_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S+0000").to_string()
}

/// HTTP 400, #100 subcode 33: the object `id` does not exist or cannot be read.
pub(crate) fn unsupported_get(id: &str) -> Reply {
    meta_error(
        400,
        100,
        Some(33),
        "GraphMethodException",
        &format!(
            "Unsupported get request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation."
        ),
    )
}

/// HTTP 400, #100 subcode 33 for a method the node does not serve (`Unsupported post
/// request.`).
pub(crate) fn unsupported_method(req: &Req) -> Reply {
    meta_error(
        400,
        100,
        Some(33),
        "GraphMethodException",
        &format!("Unsupported {} request.", req.method.as_str().to_ascii_lowercase()),
    )
}

/// HTTP 400, #2500: a path with more (or other) segments than any route has.
pub(crate) fn unknown_path(req: &Req) -> Reply {
    meta_error(
        400,
        2500,
        None,
        "OAuthException",
        &format!("Unknown path components: {}", req.path),
    )
}

/// HTTP 400, #100: `fields` names `field`, which nodes of type `node` (`IGUser`, `Page`)
/// do not have.
pub(crate) fn nonexisting(field: &str, node: &str) -> Reply {
    meta_invalid(&format!(
        "(#100) Tried accessing nonexisting field ({field}) on node type ({node})"
    ))
}

/// The account id a Graph token of `network` acts as, or the HTTP 401 #190 answer for a
/// token that is revoked (subcode 458, or 460 "session invalidated" for WhatsApp
/// system-user tokens), expired (463) or was never issued for `network` (no subcode).
pub(crate) fn token_owner(st: &SandboxState, network: Network, token: &str) -> Result<String, Reply> {
    let refused = |subcode: Option<i64>, message: &str| meta_error(401, 190, subcode, "OAuthException", message);
    match st.tokens.check(network, token) {
        TokenStatus::Valid(id) => Ok(id),
        TokenStatus::Revoked if network == Network::Whatsapp => Err(refused(
            Some(460),
            "Error validating access token: The session has been invalidated.",
        )),
        TokenStatus::Revoked => Err(refused(
            Some(458),
            "Error validating access token: The user has not authorized application.",
        )),
        TokenStatus::Expired => Err(refused(
            Some(463),
            "Error validating access token: Session has expired.",
        )),
        TokenStatus::Unknown => Err(refused(None, "Invalid OAuth access token - Cannot parse access token")),
    }
}

/// `reply` with Meta's usage headers (`X-App-Usage`, `X-Business-Use-Case-Usage`, JSON)
/// and `facebook-api-version` (the request's version segment, else `v25.0`).
pub(crate) fn with_usage_headers(reply: Reply, usage: MetaHeaders, req: &Req) -> Reply {
    reply
        .with_header("x-app-usage", usage.app_usage)
        .with_header("x-business-use-case-usage", usage.business_usage)
        .with_header(
            "facebook-api-version",
            req.version.clone().unwrap_or_else(|| "v25.0".into()),
        )
}

/// Splits a Graph `fields` list at top-level commas: `a,b{c,d},e.limit(5)` →
/// `[("a",None),("b",Some("c,d")),("e",None)]` (modifiers after `.` are dropped).
pub(crate) fn split_fields(s: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    let mut push = |cur: &mut String| {
        let item = cur.trim().to_string();
        cur.clear();
        if item.is_empty() {
            return;
        }
        let (head, sub) = match item.find('{') {
            Some(i) if item.ends_with('}') => (item[..i].to_string(), Some(item[i + 1..item.len() - 1].to_string())),
            _ => (item.clone(), None),
        };
        out.push((head, sub));
    };
    for ch in s.chars() {
        match ch {
            '{' | '(' => {
                depth += 1;
                cur.push(ch);
            }
            '}' | ')' => {
                depth -= 1;
                cur.push(ch);
            }
            ',' if depth == 0 => push(&mut cur),
            _ => cur.push(ch),
        }
    }
    push(&mut cur);
    out
}

/// The request's `fields` split with [`split_fields`]; `default` when it is missing or
/// blank.
pub(crate) fn requested_fields(req: &Req, default: &str) -> Vec<(String, Option<String>)> {
    split_fields(req.q("fields").filter(|f| !f.trim().is_empty()).unwrap_or(default))
}

/// A field name without its `.modifier(...)` chain.
pub(crate) fn base_name(field: &str) -> &str {
    field.split('.').next().unwrap_or(field)
}

/// Unix seconds, RFC 3339, Meta's `+0000` form, or `YYYY-MM-DD` (midnight UTC).
pub(crate) fn parse_when(v: &str) -> Option<DateTime<Utc>> {
    let v = v.trim();
    if let Ok(n) = v.parse::<i64>() {
        return Utc.timestamp_opt(n, 0).single();
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%z") {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .map(|d| Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN)))
}

/// The comma-separated parameter `name`, trimmed, blanks dropped; empty when absent.
pub(crate) fn list_param_values(req: &Req, name: &str) -> Vec<String> {
    req.q(name)
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The comma-separated `metric` parameter, trimmed, blanks dropped; HTTP 400 #100
/// (subcode 1504028, "No metric was specified") when that leaves nothing.
pub(crate) fn metric_list(req: &Req) -> Result<Vec<String>, Reply> {
    let list = list_param_values(req, "metric");
    if list.is_empty() {
        return Err(meta_error(
            400,
            100,
            Some(1504028),
            "OAuthException",
            "(#100) No metric was specified",
        ));
    }
    Ok(list)
}

/// `since` / `until` of an insights call (any form [`parse_when`] reads): `until` defaults
/// to `now`, `since` to `until - default_span`. HTTP 400 #100 when either does not parse,
/// `since` would fall out of the time range, or `since` is not before `until`.
pub(crate) fn insights_range(
    req: &Req,
    now: DateTime<Utc>,
    default_span: Duration,
) -> Result<(DateTime<Utc>, DateTime<Utc>), Reply> {
    let until = match req.q("until") {
        Some(v) => {
            parse_when(v).ok_or_else(|| meta_invalid("(#100) The parameter until is not a valid date or timestamp"))?
        }
        None => now,
    };
    let since = match req.q("since") {
        Some(v) => {
            parse_when(v).ok_or_else(|| meta_invalid("(#100) The parameter since is not a valid date or timestamp"))?
        }
        None => until
            .checked_sub_signed(default_span)
            .ok_or_else(|| meta_invalid("(#100) The parameter until is out of range"))?,
    };
    if since >= until {
        return Err(meta_invalid(
            "(#100) The since timestamp must be before the until timestamp",
        ));
    }
    Ok((since, until))
}

/// `paging` of an insights answer over `[since, until)`: `previous` and `next` are this
/// request's URL with `since` / `until` (Unix s) moved one span back and forward.
pub(crate) fn insights_paging(req: &Req, since: DateTime<Utc>, until: DateTime<Utc>) -> Value {
    let span = until - since;
    let shift = |d: Duration| {
        let moved = |t: DateTime<Utc>| t.checked_add_signed(d).unwrap_or(t).timestamp().to_string();
        req.url_with(&[("since", Some(moved(since))), ("until", Some(moved(until)))])
    };
    json!({ "previous": shift(-span), "next": shift(span) })
}

/// One `data[]` item of an insights answer: `{"name","period","title","description","id"}`
/// and `key` (`"values"`: `[{"value","end_time"?}]`, or `"total_value"`) set to `value`.
pub(crate) fn insight_item(
    name: &str,
    period: &str,
    (title, description): (&str, &str),
    id: String,
    key: &str,
    value: Value,
) -> Value {
    let mut item = json!({
        "name": name,
        "period": period,
        "title": title,
        "description": description,
        "id": id,
    });
    item[key] = value;
    item
}

/// The query of a media / posts edge (`GET /{id}/media`, `/{id}/posts`): at most `limit`
/// items (1–100, default 25) published in `[lower, upper]` (UTC), older than the `after`
/// cursor when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EdgeQuery {
    /// Items per page.
    pub limit: usize,
    /// The position `(day, index)` the `after` cursor names.
    pub after: Option<(i64, usize)>,
    /// Earliest publication time: `since`, else the start of the seeded history.
    pub lower: DateTime<Utc>,
    /// Latest publication time: `until`, capped at the clock.
    pub upper: DateTime<Utc>,
    /// The tag of this edge's cursors (`igm1`, `fbp1`).
    cursor_tag: &'static str,
}

impl EdgeQuery {
    /// Reads `limit`, `after` (cursors tagged `cursor_tag`), `since` and `until`; HTTP 400
    /// #100 for the first one that is not valid, in that order.
    pub(crate) fn parse(req: &Req, now: DateTime<Utc>, cursor_tag: &'static str) -> Result<EdgeQuery, Reply> {
        let limit = match req.q("limit") {
            None => EDGE_DEFAULT_LIMIT,
            Some(v) => v
                .parse::<usize>()
                .map_err(|_| meta_invalid("(#100) Param limit must be a number"))?
                .clamp(1, EDGE_MAX_LIMIT),
        };
        let after = match req.q("after") {
            None => None,
            Some(c) => {
                Some(decode_cursor(cursor_tag, c).ok_or_else(|| meta_invalid("(#100) The after cursor is not valid"))?)
            }
        };
        let mut q = EdgeQuery {
            limit,
            after,
            lower: day_start(0),
            upper: now,
            cursor_tag,
        };
        if let Some(v) = req.q("since") {
            q.lower = parse_when(v)
                .ok_or_else(|| meta_invalid("(#100) The parameter since is not a valid date or timestamp"))?;
        }
        if let Some(v) = req.q("until") {
            q.upper = parse_when(v)
                .ok_or_else(|| meta_invalid("(#100) The parameter until is not a valid date or timestamp"))?
                .min(now);
        }
        Ok(q)
    }

    /// One page of `account`'s items that `keep` accepts, newest first, each rendered by
    /// `render`: `{"data":[…],"paging":{"cursors":{"before","after"},"next"?}}` (no
    /// `paging` on an empty page; `next` only when older items remain). The first
    /// `render` error is the answer.
    pub(crate) fn answer(
        &self,
        g: &Generator,
        req: &Req,
        account: usize,
        keep: impl Fn(&Post) -> bool,
        render: impl Fn(&Post) -> Result<Value, Reply>,
    ) -> Reply {
        let mut page = g.walk_back(account, self.upper, self.lower, self.after, keep, self.limit + 1);
        let more = page.len() > self.limit;
        page.truncate(self.limit);
        let mut data = Vec::with_capacity(page.len());
        for p in &page {
            match render(p) {
                Ok(v) => data.push(v),
                Err(r) => return r,
            }
        }
        let mut body = json!({ "data": data });
        if let (Some(first), Some(last)) = (page.first(), page.last()) {
            let after = cursor(self.cursor_tag, last);
            body["paging"] = json!({ "cursors": { "before": cursor(self.cursor_tag, first), "after": after } });
            if more {
                body["paging"]["next"] = json!(req.url_with(&[("after", Some(after)), ("before", None)]));
            }
        }
        ok(body)
    }
}

/// The cursor of a post's position: `<tag>:<day>:<index>`, base64url without padding.
pub(crate) fn cursor(tag: &str, p: &Post) -> String {
    URL_SAFE_NO_PAD.encode(format!("{tag}:{}:{}", p.day, p.index))
}

/// The `(day, index)` a cursor tagged `tag` names; `None` for anything else.
pub(crate) fn decode_cursor(tag: &str, c: &str) -> Option<(i64, usize)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(c).ok()?).ok()?;
    let mut parts = text.strip_prefix(tag)?.strip_prefix(':')?.split(':');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_nested_fields() {
        let f = split_fields("id, caption,children{id,media_type},media.limit(5){like_count}");
        assert_eq!(f[0], ("id".to_string(), None));
        assert_eq!(f[1], ("caption".to_string(), None));
        assert_eq!(f[2], ("children".to_string(), Some("id,media_type".to_string())));
        assert_eq!(base_name(&f[3].0), "media");
        assert_eq!(f[3].1.as_deref(), Some("like_count"));
    }

    #[test]
    fn parses_graph_times() {
        assert_eq!(parse_when("1700000000").map(|t| t.timestamp()), Some(1_700_000_000));
        assert_eq!(
            parse_when("2026-11-20").map(|t| t.to_rfc3339()),
            Some("2026-11-20T00:00:00+00:00".to_string())
        );
        assert!(parse_when("yesterday").is_none());
    }

    #[test]
    fn cursors_round_trip_only_with_their_tag() {
        assert_eq!(
            decode_cursor("fbp1", &URL_SAFE_NO_PAD.encode("fbp1:12:1")),
            Some((12, 1))
        );
        assert_eq!(decode_cursor("igm1", &URL_SAFE_NO_PAD.encode("fbp1:12:1")), None);
        assert_eq!(decode_cursor("fbp1", &URL_SAFE_NO_PAD.encode("fbp12:1")), None);
        assert_eq!(decode_cursor("fbp1", "nope"), None);
    }
}
