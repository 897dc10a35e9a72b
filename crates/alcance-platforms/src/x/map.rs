//! X wire DTOs → `alcance_core` records (through `alcance_core::catalog::map_value`), and
//! X error bodies → [`PlatformError`].

use super::wire::{self, Envelope, Media, PartialError, Problem, Tweet, User};
use super::{PostsPage, XUser};
use crate::catalog_field;
use crate::error::{body_preview, PlatformError};
use crate::http::Answer;
use crate::lenient::kind as json_kind;
use alcance_core::time::{from_unix, parse_platform_time};
use alcance_core::{AccountMetric, ContentType, DataGap, MediaKind, Platform, PostMedia, PostMetric, PostRecord};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// The `public_metrics` counters of a user stored as account metrics, with the catalog
/// key each becomes: `followers_count` → `followers`, `following_count` → `following`,
/// `tweet_count` → `media_count`, `listed_count` → `listed`.
///
/// `like_count` (posts the user has liked: likes *given*) and `media_count` are read into
/// [`XUser::public_metrics`] but not stored: the catalog's `likes` means likes received,
/// and X `media_count` has no catalog source.
pub const PROFILE_FIELDS: &[&str] = &["followers_count", "following_count", "tweet_count", "listed_count"];

/// The post `public_metrics` counters, in the order they are emitted.
const POST_PUBLIC_FIELDS: &[&str] = &[
    "like_count",
    "reply_count",
    "retweet_count",
    "quote_count",
    "bookmark_count",
    "impression_count",
];

/// The post `non_public_metrics` counters, in the order they are emitted.
const POST_PRIVATE_FIELDS: &[&str] = &["impression_count", "url_link_clicks", "user_profile_clicks"];

/// Permalink of a post without knowing its author's handle (X redirects it).
fn permalink(id: &str) -> String {
    format!("https://x.com/i/web/status/{id}")
}

/// Account-level snapshots from a user's `public_metrics`: one [`AccountMetric`] with
/// [`alcance_core::Period::Snapshot`] and `period_start = period_end = at` (UTC) for each of
/// [`PROFILE_FIELDS`]. A counter the object lacks gives `value: None`; a user without a
/// `public_metrics` object gives no metrics at all.
pub fn profile_metrics(user: &XUser, at: DateTime<Utc>) -> Vec<AccountMetric> {
    let Some(counters) = &user.public_metrics else {
        return Vec::new();
    };
    PROFILE_FIELDS
        .iter()
        .filter_map(|field| {
            let raw = counters.get(*field).copied();
            catalog_field::snapshot(Platform::X, &format!("public_metrics.{field}"), raw, at)
        })
        .collect()
}

/// An X post's metric for `field` through the catalog (see [`catalog_field::catalog`]).
fn post_metric(post_id: &str, field: &str, raw: Option<f64>) -> Option<PostMetric> {
    catalog_field::post_metric(Platform::X, post_id, field, raw)
}

/// Decodes the body of any 2xx answer into the envelope; non-2xx answers go through
/// [`map_error`].
fn envelope(answer: &Answer) -> Result<Envelope, PlatformError> {
    if !answer.is_success() {
        return Err(map_error(answer));
    }
    answer.json::<Envelope>()
}

fn decode_item<T: serde::de::DeserializeOwned>(answer: &Answer, what: &str, v: Value) -> Result<T, PlatformError> {
    serde_json::from_value(v).map_err(|e| PlatformError::decode(&answer.endpoint, format!("{what}: {e}"), &answer.body))
}

fn user_from_wire(u: User) -> XUser {
    XUser {
        id: u.id,
        username: u.username,
        name: u.name,
        avatar_url: u.profile_image_url,
        created_at: u.created_at.as_deref().and_then(parse_platform_time),
        verified: u.verified,
        public_metrics: u.public_metrics.map(|m| {
            m.iter()
                .filter_map(|(k, v)| wire::value_as_f64(v).map(|f| (k.clone(), f)))
                .collect::<BTreeMap<_, _>>()
        }),
    }
}

/// Decodes a single-user answer (`/2/users/me`, `/2/users/{id}`,
/// `/2/users/by/username/{username}`).
///
/// Errors: a non-2xx answer → [`map_error`]; a 2xx without `data` but with `errors[]`
/// (unknown or suspended username) → the first error as [`PlatformError::NotFound`] /
/// [`PlatformError::Forbidden`] / [`PlatformError::Api`]; any other body that is not a
/// user object with `id` and `username` (HTML, truncated JSON, no `data`) →
/// [`PlatformError::Decode`] naming the endpoint.
pub fn decode_user(answer: &Answer) -> Result<XUser, PlatformError> {
    let env = envelope(answer)?;
    match env.data {
        Some(data @ Value::Object(_)) => Ok(user_from_wire(decode_item(answer, "data", data)?)),
        Some(other) => Err(PlatformError::decode(
            &answer.endpoint,
            format!("`data` is not a user object but {}", json_kind(&other)),
            &answer.body,
        )),
        None => Err(match env.errors.as_deref().and_then(|e| e.first()) {
            Some(first) => error_from_partial(answer, first),
            None => PlatformError::decode(&answer.endpoint, "no `data` in the answer", &answer.body),
        }),
    }
}

/// Decodes a multi-user answer (`/2/users?ids=`, `/2/users/by?usernames=`): the users, and
/// one [`DataGap`] per partial error (`errors[]` with HTTP 200, e.g. an unknown username).
///
/// Errors: non-2xx → [`map_error`]; `data` that is not an array of users, or neither
/// `data` nor `errors` → [`PlatformError::Decode`].
pub fn decode_users(answer: &Answer) -> Result<(Vec<XUser>, Vec<DataGap>), PlatformError> {
    let env = envelope(answer)?;
    let gaps = gaps_from(&env.errors, "user");
    let users = match env.data {
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|v| decode_item::<User>(answer, "data[]", v).map(user_from_wire))
            .collect::<Result<Vec<_>, _>>()?,
        Some(other) => {
            return Err(PlatformError::decode(
                &answer.endpoint,
                format!("`data` is not an array but {}", json_kind(&other)),
                &answer.body,
            ))
        }
        None if env.errors.is_some() => Vec::new(),
        None => {
            return Err(PlatformError::decode(
                &answer.endpoint,
                "neither `data` nor `errors`",
                &answer.body,
            ))
        }
    };
    Ok((users, gaps))
}

/// Decodes a page of posts (timelines, mentions, search, `/2/tweets?ids=`,
/// `/2/tweets/{id}`): posts, public metric snapshots, `meta.next_token` and partial errors.
///
/// A page without `data` is an empty page (X's last page can be empty) as long as it has
/// `meta` or `errors`. Content type: no media → `text`, one `photo` → `image`, one
/// `video` / `animated_gif` → `video`, several media → `carousel`, one media of another
/// type → `Other(type)`, one media missing from `includes.media` → `Other("media")`. Each
/// post's picture URL, if any, is in [`PostsPage::media`].
///
/// Errors: non-2xx → [`map_error`]; a body that is not the envelope, a post without a
/// string `id`, or neither `data`, `meta` nor `errors` → [`PlatformError::Decode`].
pub fn decode_posts(answer: &Answer) -> Result<PostsPage, PlatformError> {
    let env = envelope(answer)?;
    let tweets = tweets_of(answer, env.data, env.meta.is_some() || env.errors.is_some())?;
    let media: Vec<Media> = env.includes.and_then(|i| i.media).unwrap_or_default();
    let by_key: HashMap<&str, &Media> = media.iter().map(|m| (m.media_key.as_str(), m)).collect();
    let mut page = PostsPage {
        next_token: env.meta.and_then(|m| m.next_token).filter(|t| !t.is_empty()),
        gaps: gaps_from(&env.errors, "post"),
        ..PostsPage::default()
    };
    for t in tweets {
        let keys: &[String] = t
            .attachments
            .as_ref()
            .and_then(|a| a.media_keys.as_deref())
            .unwrap_or_default();
        let attached: Vec<Option<&Media>> = keys.iter().map(|k| by_key.get(k.as_str()).copied()).collect();
        if let Some(pm) = &t.public_metrics {
            let values = [
                pm.like_count,
                pm.reply_count,
                pm.retweet_count,
                pm.quote_count,
                pm.bookmark_count,
                pm.impression_count,
            ];
            for (field, raw) in POST_PUBLIC_FIELDS.iter().zip(values) {
                page.metrics
                    .extend(post_metric(&t.id, &format!("public_metrics.{field}"), raw));
            }
        }
        let videos: Vec<&Media> = attached.iter().flatten().copied().filter(|m| is_video(m)).collect();
        if !videos.is_empty() {
            let views: Vec<f64> = videos
                .iter()
                .filter_map(|m| m.public_metrics.as_ref().and_then(|p| p.view_count))
                .collect();
            let total = if views.is_empty() {
                None
            } else {
                Some(views.iter().sum())
            };
            page.metrics
                .extend(post_metric(&t.id, "media.public_metrics.view_count", total));
        }
        page.media
            .extend(attached.iter().flatten().find_map(|m| picture(&t.id, m)));
        page.posts.push(PostRecord {
            published_at: t.created_at.as_deref().and_then(parse_platform_time),
            content_type: content_type(&attached),
            permalink: Some(permalink(&t.id)),
            caption: t.text,
            external_id: t.id,
        });
    }
    Ok(page)
}

/// Decodes the owner's non-public metrics (`/2/tweets?ids=…&tweet.fields=non_public_metrics,organic_metrics`):
/// per post carrying `non_public_metrics`, `impressions` (`impression_count`),
/// `link_clicks` (`url_link_clicks`) and `profile_views` (`user_profile_clicks`), a counter
/// the object lacks being `None`; and one [`DataGap`] per `errors[]` item (a post not
/// owned or older than 30 days: code `not_authorized_for_field`; a deleted post:
/// `not_found`). Partial errors never fail the call.
///
/// Errors: non-2xx → [`map_error`]; a malformed body or neither `data` nor `errors` →
/// [`PlatformError::Decode`].
pub fn decode_private_metrics(answer: &Answer) -> Result<(Vec<PostMetric>, Vec<DataGap>), PlatformError> {
    let env = envelope(answer)?;
    let tweets = tweets_of(answer, env.data, env.errors.is_some())?;
    let mut metrics = Vec::new();
    for t in &tweets {
        let Some(np) = &t.non_public_metrics else { continue };
        let values = [np.impression_count, np.url_link_clicks, np.user_profile_clicks];
        for (field, raw) in POST_PRIVATE_FIELDS.iter().zip(values) {
            metrics.extend(post_metric(&t.id, &format!("non_public_metrics.{field}"), raw));
        }
    }
    Ok((metrics, gaps_from(&env.errors, "non_public_metrics")))
}

/// `data` as a list of posts: an array, a single object, or absent when `absent_ok`.
fn tweets_of(answer: &Answer, data: Option<Value>, absent_ok: bool) -> Result<Vec<Tweet>, PlatformError> {
    match data {
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|v| decode_item::<Tweet>(answer, "data[]", v))
            .collect(),
        Some(obj @ Value::Object(_)) => Ok(vec![decode_item::<Tweet>(answer, "data", obj)?]),
        Some(other) => Err(PlatformError::decode(
            &answer.endpoint,
            format!("`data` is neither a post nor a list of posts but {}", json_kind(&other)),
            &answer.body,
        )),
        None if absent_ok => Ok(Vec::new()),
        None => Err(PlatformError::decode(
            &answer.endpoint,
            "no `data`, `meta` or `errors` in the answer",
            &answer.body,
        )),
    }
}

/// The picture of post `post_id` that media `m` gives (issue 13 point 3; docs/media.md):
/// a `photo`'s `url` as an image, a `video`'s or `animated_gif`'s `preview_image_url` as a
/// thumbnail. Another type, a missing field or a URL that is not http(s) → none.
fn picture(post_id: &str, m: &Media) -> Option<PostMedia> {
    match m.kind.as_deref() {
        Some("photo") => PostMedia::new(post_id, MediaKind::Image, m.url.as_deref()),
        Some("video" | "animated_gif") => PostMedia::new(post_id, MediaKind::Thumbnail, m.preview_image_url.as_deref()),
        _ => None,
    }
}

fn is_video(m: &Media) -> bool {
    matches!(m.kind.as_deref(), Some("video" | "animated_gif"))
}

fn content_type(attached: &[Option<&Media>]) -> ContentType {
    match attached {
        [] => ContentType::Text,
        [one] => match one.and_then(|m| m.kind.as_deref()) {
            Some("photo") => ContentType::Image,
            Some("video" | "animated_gif") => ContentType::Video,
            Some(other) => ContentType::Other(other.to_string()),
            None => ContentType::Other("media".to_string()),
        },
        _ => ContentType::Carousel,
    }
}

/// The last path segment of a problem `type` URI (`https://api.x.com/2/problems/usage-capped`
/// → `usage-capped`); both `api.twitter.com` and `api.x.com` hosts occur.
fn type_suffix(t: &str) -> &str {
    t.trim_end_matches('/').rsplit('/').next().unwrap_or(t)
}

/// The stable gap code of a partial error's problem type.
fn gap_code(problem_type: Option<&str>) -> String {
    match problem_type.map(type_suffix) {
        Some("resource-not-found") => "not_found".to_string(),
        Some(s) if !s.is_empty() && s != "about:blank" => s.replace('-', "_"),
        _ => "partial_error".to_string(),
    }
}

fn gaps_from(errors: &Option<Vec<PartialError>>, default_what: &str) -> Vec<DataGap> {
    errors
        .iter()
        .flatten()
        .map(|e| DataGap {
            what: e
                .field
                .clone()
                .or_else(|| e.parameter.clone())
                .unwrap_or_else(|| default_what.to_string()),
            object_id: e
                .resource_id
                .clone()
                .or_else(|| e.value.as_ref().and_then(value_text))
                .unwrap_or_default(),
            code: gap_code(e.problem_type.as_deref()),
            detail: e
                .detail
                .clone()
                .or_else(|| e.title.clone())
                .or_else(|| e.message.clone())
                .unwrap_or_default(),
        })
        .collect()
}

fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A partial error that stands for the whole answer (a user lookup with no `data`).
fn error_from_partial(answer: &Answer, e: &PartialError) -> PlatformError {
    let message = e
        .detail
        .clone()
        .or_else(|| e.title.clone())
        .or_else(|| e.message.clone())
        .unwrap_or_else(|| "the answer has errors and no data".to_string());
    match e.problem_type.as_deref().map(type_suffix) {
        Some("resource-not-found" | "resource-unavailable") => PlatformError::NotFound { message },
        Some("not-authorized-for-resource" | "not-authorized-for-field") => PlatformError::Forbidden { message },
        other => PlatformError::Api {
            endpoint: answer.endpoint.clone(),
            status: answer.status,
            code: other.map(str::to_string),
            message,
        },
    }
}

/// Maps an X error answer to a [`PlatformError`] (platform-apis.md §1.8). Reads RFC 7807
/// `application/problem+json` (`title`, `detail`, `type`, `reason`) and the v1.1 shape
/// `{"errors":[{"code":88,"message"}]}`; a body that is not JSON (an HTML page) is fine.
///
/// - problem type `…/usage-capped` (title `UsageCapExceeded`) → [`PlatformError::UsageCapped`]
/// - HTTP 429 or v1.1 code 88 → [`PlatformError::RateLimited`] with `retry_after` =
///   `x-rate-limit-reset` (Unix seconds) − now, at least 1 s, else the `Retry-After`
///   header (seconds or HTTP date), else `None`
/// - HTTP 401 → [`PlatformError::Unauthorized`]
/// - HTTP 403 (`…/client-forbidden`, reason `client-not-enrolled`, and any other) →
///   [`PlatformError::Forbidden`]
/// - HTTP 404 or `…/resource-not-found` → [`PlatformError::NotFound`]
/// - anything else → [`PlatformError::Api`] with the endpoint, status, the problem type's
///   last path segment (or the v1.1 code) as `code`, and `detail`, `title` or the start of
///   the body as `message`.
///
/// Problem types are matched on their path suffix (`api.twitter.com` and `api.x.com`).
pub fn map_error(answer: &Answer) -> PlatformError {
    let problem: Problem = serde_json::from_slice(&answer.body).unwrap_or_default();
    let first = problem.errors.as_ref().and_then(|e| e.first());
    let suffix = problem.problem_type.as_deref().map(type_suffix);
    let legacy_code = first.and_then(|e| e.code.as_ref()).and_then(wire::value_as_f64);
    let status = answer.status;
    let message = problem
        .detail
        .clone()
        .or_else(|| problem.title.clone())
        .or_else(|| first.and_then(|e| e.message.clone().or_else(|| e.detail.clone())))
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| {
            let preview = body_preview(&answer.body);
            if preview.trim().is_empty() {
                format!("HTTP {status} with an empty body")
            } else {
                format!("HTTP {status}: {preview}")
            }
        });

    if suffix == Some("usage-capped") || problem.title.as_deref() == Some("UsageCapExceeded") {
        return PlatformError::UsageCapped { message };
    }
    if status == 429 || legacy_code == Some(88.0) {
        return PlatformError::RateLimited {
            retry_after: retry_after(answer, Utc::now()),
            message,
        };
    }
    if status == 401 {
        return PlatformError::Unauthorized { message };
    }
    if status == 403 || suffix == Some("client-forbidden") || problem.reason.as_deref() == Some("client-not-enrolled") {
        return PlatformError::Forbidden { message };
    }
    if status == 404 || suffix == Some("resource-not-found") {
        return PlatformError::NotFound { message };
    }
    let code = match suffix {
        Some(s) if !s.is_empty() && s != "about:blank" => Some(s.to_string()),
        _ => legacy_code.map(|c| format!("{c}")),
    };
    PlatformError::Api {
        endpoint: answer.endpoint.clone(),
        status,
        code,
        message,
    }
}

/// How long to wait: `x-rate-limit-reset` − `now` (at least 1 s), else `Retry-After`.
fn retry_after(answer: &Answer, now: DateTime<Utc>) -> Option<Duration> {
    if let Some(reset) = answer
        .header("x-rate-limit-reset")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .and_then(from_unix)
    {
        let secs = (reset - now).num_seconds().max(1);
        return Some(Duration::from_secs(secs.unsigned_abs()));
    }
    let value = answer.header("retry-after")?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs.max(1)));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?.with_timezone(&Utc);
    Some(Duration::from_secs((at - now).num_seconds().max(1).unsigned_abs()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alcance_core::catalog::map_value;

    #[test]
    fn problem_type_suffix_ignores_the_host() {
        assert_eq!(
            type_suffix("https://api.twitter.com/2/problems/usage-capped"),
            "usage-capped"
        );
        assert_eq!(type_suffix("https://api.x.com/2/problems/usage-capped"), "usage-capped");
        assert_eq!(type_suffix("about:blank"), "about:blank");
        assert_eq!(
            gap_code(Some("https://api.x.com/2/problems/not-authorized-for-field")),
            "not_authorized_for_field"
        );
        assert_eq!(
            gap_code(Some("https://api.twitter.com/2/problems/resource-not-found")),
            "not_found"
        );
        assert_eq!(gap_code(None), "partial_error");
    }

    #[test]
    fn every_profile_field_has_a_catalog_key() {
        for f in PROFILE_FIELDS.iter().chain(POST_PUBLIC_FIELDS) {
            assert!(
                map_value(Platform::X, &format!("public_metrics.{f}"), 1.0).is_some(),
                "{f}"
            );
        }
        for f in POST_PRIVATE_FIELDS {
            assert!(
                map_value(Platform::X, &format!("non_public_metrics.{f}"), 1.0).is_some(),
                "{f}"
            );
        }
        assert!(map_value(Platform::X, "media.public_metrics.view_count", 1.0).is_some());
    }
}
