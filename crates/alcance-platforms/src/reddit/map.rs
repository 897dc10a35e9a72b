//! Reddit wire DTOs → `alcance_core` records (through the metric catalog), Reddit's error
//! bodies → [`PlatformError`], and the handles of followed profiles (`u/name`, `r/name`).

use super::wire::{self, ErrorBody, ListingData, Thing};
use super::{RedditUser, SubmittedPage, Subreddit};
use crate::catalog_field;
use crate::error::{body_preview, PlatformError};
use crate::http::Answer;
use crate::lenient::kind as json_kind;
use alcance_core::{
    AccountMetric, CollectWarning, ContentType, DataGap, EventLevel, MediaKind, Platform, PostMedia, PostRecord,
};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// A followed profile's handle, parsed (see [`parse_handle`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handle {
    /// A user, by name without `u/`.
    User(String),
    /// A subreddit, by name without `r/`.
    Subreddit(String),
}

/// Reads a handle as the user types it: `r/name` or `/r/name` is a subreddit; `u/name`,
/// `/u/name`, `user/name` or a bare `name` is a user (a leading `@` is dropped; case is
/// kept, Reddit matches names case-insensitively). `None` for an empty name or one with
/// characters Reddit names never have (names are letters, digits, `_` and `-`; subreddit
/// names letters, digits and `_`).
pub fn parse_handle(text: &str) -> Option<Handle> {
    let t = text.trim().trim_start_matches('@').trim_start_matches('/');
    let lower = t.to_ascii_lowercase();
    let (subreddit, name) = if let Some(rest) = lower.strip_prefix("r/") {
        (true, &t[t.len() - rest.len()..])
    } else if let Some(rest) = lower.strip_prefix("u/").or_else(|| lower.strip_prefix("user/")) {
        (false, &t[t.len() - rest.len()..])
    } else {
        (false, t)
    };
    let name = name.trim_end_matches('/');
    let ok = |c: char| c.is_ascii_alphanumeric() || c == '_' || (!subreddit && c == '-');
    if name.is_empty() || !name.chars().all(ok) {
        return None;
    }
    Some(if subreddit {
        Handle::Subreddit(name.to_string())
    } else {
        Handle::User(name.to_string())
    })
}

/// Maps a non-2xx answer (Reddit's `{"message","error"}` body, an HTML page, anything) to
/// the variant the caller acts on, naming the endpoint:
///
/// | answer | error |
/// |---|---|
/// | 401 (`www-authenticate: Bearer … error="invalid_token"`) | [`PlatformError::Unauthorized`]: refresh, then re-authorize |
/// | 429 (JSON or Reddit's HTML "whoa there, pardner!" page) | [`PlatformError::RateLimited`], `retry_after` from `Retry-After` or `x-ratelimit-reset` when sent, else `None` (back off) |
/// | 403 (`reason`: `private`, `quarantined`, `gold_only`, …) | [`PlatformError::Forbidden`] |
/// | 404 (`reason: banned` too) | [`PlatformError::NotFound`] |
/// | anything else (5xx, 400, an HTML page) | [`PlatformError::Api`] with `error` / `reason` as `code` |
pub fn map_error(answer: &Answer) -> PlatformError {
    let endpoint = answer.endpoint.as_str();
    let body: ErrorBody = serde_json::from_slice(&answer.body).unwrap_or_default();
    let message = body.message.clone().unwrap_or_else(|| {
        if answer.body.is_empty() {
            "no body".to_string()
        } else {
            body_preview(&answer.body)
        }
    });
    let described = match &body.reason {
        Some(reason) => format!("{endpoint}: HTTP {} ({reason}): {message}", answer.status),
        None => format!("{endpoint}: HTTP {}: {message}", answer.status),
    };
    match answer.status {
        401 => {
            let challenge = answer
                .header("www-authenticate")
                .and_then(|h| h.split("error=").nth(1))
                .map(|e| e.trim_matches(|c: char| c == '"' || c.is_whitespace()).to_string());
            PlatformError::Unauthorized {
                message: match challenge {
                    Some(e) => format!("{described} ({e})"),
                    None => described,
                },
            }
        }
        429 => PlatformError::RateLimited {
            retry_after: crate::governor::retry_after_of(&answer.headers),
            message: described,
        },
        403 => PlatformError::Forbidden { message: described },
        404 => PlatformError::NotFound { message: described },
        status => PlatformError::Api {
            endpoint: endpoint.to_string(),
            status,
            code: body.reason.or(body.error).filter(|c| c.parse::<u16>().is_err()),
            message,
        },
    }
}

/// The JSON object of a 2xx answer; non-2xx → [`map_error`]; not an object →
/// [`PlatformError::Decode`].
fn object(answer: &Answer) -> Result<Value, PlatformError> {
    if !answer.is_success() {
        return Err(map_error(answer));
    }
    let value: Value = answer.json()?;
    if !value.is_object() {
        return Err(PlatformError::decode(
            &answer.endpoint,
            format!("expected a JSON object, got {}", json_kind(&value)),
            &answer.body,
        ));
    }
    Ok(value)
}

/// The `data` of a thing of `kind` (`t2`, `t5`, `Listing`).
fn thing_data(answer: &Answer, kind: &str) -> Result<Value, PlatformError> {
    let value = object(answer)?;
    let thing: Thing =
        serde_json::from_value(value).map_err(|e| PlatformError::decode(&answer.endpoint, e, &answer.body))?;
    match (thing.kind.as_deref(), thing.data) {
        (Some(k), Some(data)) if k == kind && data.is_object() => Ok(data),
        (Some("Listing"), _) if kind != "Listing" => Err(PlatformError::NotFound {
            message: format!(
                "{}: Reddit answered a listing instead of a {kind} (no such name: Reddit redirects unknown names to a search)",
                answer.endpoint
            ),
        }),
        (k, _) => Err(PlatformError::decode(
            &answer.endpoint,
            format!("expected a {kind} thing with a `data` object, got kind {k:?}"),
            &answer.body,
        )),
    }
}

/// Unix seconds (a float, as Reddit sends them) → UTC.
fn unix(seconds: Option<f64>) -> Option<DateTime<Utc>> {
    let s = seconds.filter(|s| s.is_finite() && s.abs() < 1.0e11)?;
    DateTime::from_timestamp(s.trunc() as i64, ((s.fract().abs()) * 1e9) as u32)
}

fn user_from_wire(a: wire::Account, endpoint: &str, body: &[u8]) -> Result<RedditUser, PlatformError> {
    let suspended = a.is_suspended.unwrap_or(false);
    let name = a
        .name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| PlatformError::decode(endpoint, "the account has no `name`", body))?;
    let fullname = match a.id.filter(|i| !i.trim().is_empty()) {
        Some(id) if id.starts_with("t2_") => id,
        Some(id) => format!("t2_{id}"),
        // A suspended account is served without its id.
        None if suspended => String::new(),
        None => return Err(PlatformError::decode(endpoint, "the account has no `id`", body)),
    };
    Ok(RedditUser {
        fullname,
        name,
        title: a.subreddit.as_ref().and_then(|s| s.title.clone()),
        avatar_url: a
            .snoovatar_img
            .filter(|u| !u.is_empty())
            .or(a.icon_img)
            .filter(|u| !u.is_empty()),
        created_at: unix(a.created_utc),
        link_karma: a.link_karma,
        comment_karma: a.comment_karma,
        total_karma: a.total_karma,
        followers: a.subreddit.and_then(|s| s.subscribers),
        suspended,
    })
}

/// Decodes `GET /api/v1/me` (the account object itself, no `{kind, data}` wrapper).
///
/// Errors: non-2xx → [`map_error`]; a body that is not a JSON object, or an account
/// without `name` or `id` → [`PlatformError::Decode`] naming the endpoint.
pub fn decode_me(answer: &Answer) -> Result<RedditUser, PlatformError> {
    let value = object(answer)?;
    let account: wire::Account =
        serde_json::from_value(value).map_err(|e| PlatformError::decode(&answer.endpoint, e, &answer.body))?;
    user_from_wire(account, &answer.endpoint, &answer.body)
}

/// Decodes `GET /user/{name}/about` (a `t2`). A suspended account (200 with
/// `is_suspended: true`) is decoded with `suspended` set and, when Reddit leaves the id
/// out, an empty `fullname`.
///
/// Errors: non-2xx → [`map_error`] (404: no such user); a listing instead of a `t2` →
/// [`PlatformError::NotFound`]; anything else unreadable → [`PlatformError::Decode`].
pub fn decode_about(answer: &Answer) -> Result<RedditUser, PlatformError> {
    let data = thing_data(answer, "t2")?;
    let account: wire::Account =
        serde_json::from_value(data).map_err(|e| PlatformError::decode(&answer.endpoint, e, &answer.body))?;
    user_from_wire(account, &answer.endpoint, &answer.body)
}

/// Decodes `GET /r/{sub}/about` (a `t5`).
///
/// Errors: non-2xx → [`map_error`] (403 private, 404 banned or unknown); a listing instead
/// of a `t5` (Reddit's search redirect for unknown names) → [`PlatformError::NotFound`];
/// a subreddit without `name` / `id` or `display_name` → [`PlatformError::Decode`].
pub fn decode_subreddit(answer: &Answer) -> Result<Subreddit, PlatformError> {
    let data = thing_data(answer, "t5")?;
    let s: wire::Subreddit =
        serde_json::from_value(data).map_err(|e| PlatformError::decode(&answer.endpoint, e, &answer.body))?;
    let fullname = s
        .name
        .filter(|n| n.starts_with("t5_"))
        .or_else(|| s.id.filter(|i| !i.trim().is_empty()).map(|i| format!("t5_{i}")))
        .ok_or_else(|| PlatformError::decode(&answer.endpoint, "the subreddit has no `name` or `id`", &answer.body))?;
    let name = s
        .display_name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| PlatformError::decode(&answer.endpoint, "the subreddit has no `display_name`", &answer.body))?;
    Ok(Subreddit {
        fullname,
        name,
        title: s.title,
        icon_url: s
            .community_icon
            .filter(|u| !u.is_empty())
            .or(s.icon_img)
            .filter(|u| !u.is_empty()),
        created_at: unix(s.created_utc),
        subscribers: s.subscribers,
        active_users: s.active_user_count,
        kind: s.subreddit_type,
    })
}

/// Account snapshots of a user, stamped `at` (UTC): `followers` (`subreddit.subscribers`),
/// `karma_post` (`link_karma`), `karma_comment` (`comment_karma`), `karma_total`
/// (`total_karma`); a counter the answer lacks gives `value: None`. A suspended account
/// gives no snapshot and a [`DataGap`] with code `suspended`.
pub fn user_metrics(user: &RedditUser, at: DateTime<Utc>) -> (Vec<AccountMetric>, Vec<DataGap>) {
    if user.suspended {
        let gap = DataGap {
            what: "is_suspended".to_string(),
            object_id: if user.fullname.is_empty() {
                user.name.clone()
            } else {
                user.fullname.clone()
            },
            code: "suspended".to_string(),
            detail: format!(
                "u/{} is suspended: Reddit serves no karma or followers for it",
                user.name
            ),
        };
        return (Vec::new(), vec![gap]);
    }
    let fields = [
        ("subreddit.subscribers", user.followers),
        ("link_karma", user.link_karma),
        ("comment_karma", user.comment_karma),
        ("total_karma", user.total_karma),
    ];
    let metrics = fields
        .into_iter()
        .filter_map(|(field, value)| catalog_field::snapshot(Platform::Reddit, field, value, at))
        .collect();
    (metrics, Vec::new())
}

/// Account snapshots of a subreddit, stamped `at` (UTC): `followers` (`subscribers`) and,
/// only when Reddit still serves it, `active_users` (`active_user_count`; absent is not 0,
/// so no value is stored then).
pub fn subreddit_metrics(sub: &Subreddit, at: DateTime<Utc>) -> Vec<AccountMetric> {
    let mut out: Vec<AccountMetric> = catalog_field::snapshot(Platform::Reddit, "subscribers", sub.subscribers, at)
        .into_iter()
        .collect();
    if sub.active_users.is_some() {
        out.extend(catalog_field::snapshot(
            Platform::Reddit,
            "active_user_count",
            sub.active_users,
            at,
        ));
    }
    out
}

/// The `post_hint` values seen in answers (not documented as a closed list).
const POST_HINTS: &[&str] = &["self", "link", "image", "hosted:video", "rich:video", "gallery"];

fn warn(endpoint: &str, code: &str, message: String) -> CollectWarning {
    CollectWarning {
        level: EventLevel::Warn,
        code: code.to_string(),
        message: format!("{endpoint}: {message}"),
    }
}

/// Decodes one page of `GET /user/{name}/submitted` (a `Listing` of `t3`): per post its
/// record (id without `t3_`, `created_utc` in UTC, permalink
/// `https://www.reddit.com{permalink}`, caption = `title`, content type from `is_gallery`
/// → carousel, `is_video` / `post_hint` video → video, `post_hint: image` → image,
/// `is_self` → text, else link) and its counters `score`, `likes` (`ups`), `upvote_ratio`,
/// `comments` (`num_comments`), `reposts` (`num_crossposts`), and its picture URL, if any
/// ([`SubmittedPage::media`]); `data.after` for the next page.
///
/// A child that is not a `t3` or has no id is skipped with a warning; a removed post
/// (`removed_by_category` set) is kept with a warning (code `removed`: its counters are
/// the last Reddit serves); an unknown `post_hint` is kept with a warning (code
/// `unknown_value`).
///
/// Errors: non-2xx → [`map_error`]; a body that is not a `Listing` →
/// [`PlatformError::Decode`] naming the endpoint.
pub fn decode_submitted(answer: &Answer) -> Result<SubmittedPage, PlatformError> {
    let data = thing_data(answer, "Listing")?;
    let endpoint = answer.endpoint.as_str();
    let listing: ListingData =
        serde_json::from_value(data).map_err(|e| PlatformError::decode(endpoint, e, &answer.body))?;
    let mut page = SubmittedPage {
        after: listing.after.filter(|a| !a.trim().is_empty()),
        ..SubmittedPage::default()
    };
    for (i, child) in listing.children.into_iter().enumerate() {
        let thing: Thing = match serde_json::from_value(child) {
            Ok(t) => t,
            Err(e) => {
                page.warnings.push(warn(
                    endpoint,
                    "decode",
                    format!("children[{i}] unreadable, skipped: {e}"),
                ));
                continue;
            }
        };
        if thing.kind.as_deref() != Some("t3") {
            page.warnings.push(warn(
                endpoint,
                "unknown_value",
                format!("children[{i}] is a {:?}, not a t3 submission; skipped", thing.kind),
            ));
            continue;
        }
        let link: wire::Link = thing
            .data
            .and_then(|d| serde_json::from_value(d).ok())
            .unwrap_or_default();
        let Some(id) = link
            .id
            .clone()
            .map(|i| i.trim_start_matches("t3_").to_string())
            .filter(|i| !i.trim().is_empty())
        else {
            page.warnings
                .push(warn(endpoint, "decode", format!("children[{i}] has no id; skipped")));
            continue;
        };
        if let Some(hint) = link.post_hint.as_deref().filter(|h| !POST_HINTS.contains(h)) {
            page.warnings.push(warn(
                endpoint,
                "unknown_value",
                format!(
                    "post {id}: unknown post_hint {hint:?} (expected one of {}); the post is kept",
                    POST_HINTS.join(", ")
                ),
            ));
        }
        if let Some(why) = link.removed_by_category.as_deref().filter(|w| !w.is_empty()) {
            page.warnings.push(warn(
                endpoint,
                "removed",
                format!("post {id} was removed ({why}); kept with the last counters Reddit serves"),
            ));
        }
        let published = unix(link.created_utc);
        if let Some(t) = published {
            page.oldest = Some(page.oldest.map_or(t, |o| o.min(t)));
        }
        let fields = [
            ("score", link.score),
            ("ups", link.ups),
            ("upvote_ratio", link.upvote_ratio),
            ("num_comments", link.num_comments),
            ("num_crossposts", link.num_crossposts),
        ];
        for (field, raw) in fields {
            page.metrics
                .extend(catalog_field::post_metric(Platform::Reddit, &id, field, raw));
        }
        page.media.extend(picture(&id, &link));
        page.posts.push(PostRecord {
            published_at: published,
            content_type: content_type(&link),
            permalink: link
                .permalink
                .as_deref()
                .filter(|p| p.starts_with('/'))
                .map(|p| format!("https://www.reddit.com{p}")),
            caption: link.title,
            external_id: id,
        });
    }
    Ok(page)
}

/// The picture of submission `id` (issue 13 point 3; docs/media.md): the preview's
/// full-size picture `preview.images[0].source.url` as an image, else the listing's
/// `thumbnail` as a thumbnail when it is an http(s) URL (the placeholders `self`,
/// `default`, `nsfw`, `spoiler`, `image` and an empty string are not). `&amp;` is read as
/// `&`: Reddit HTML-escapes URLs in JSON unless asked for `raw_json=1` (which Alcance
/// sends; an answer without it still gives a working URL). A missing field, another type
/// or a URL that is not http(s) → no picture. Never fails.
fn picture(id: &str, link: &wire::Link) -> Option<PostMedia> {
    let source = link
        .preview
        .as_ref()
        .and_then(|p| p.get("images"))
        .and_then(Value::as_array)
        .and_then(|images| images.first())
        .and_then(|image| image.get("source"))
        .and_then(|source| source.get("url"))
        .and_then(Value::as_str)
        .map(|url| url.replace("&amp;", "&"));
    PostMedia::new(id, MediaKind::Image, source.as_deref()).or_else(|| {
        let thumbnail = link.thumbnail.as_deref().map(|url| url.replace("&amp;", "&"));
        PostMedia::new(id, MediaKind::Thumbnail, thumbnail.as_deref())
    })
}

fn content_type(link: &wire::Link) -> ContentType {
    let hint = link.post_hint.as_deref();
    if link.is_gallery == Some(true) || hint == Some("gallery") {
        ContentType::Carousel
    } else if link.is_video == Some(true) || matches!(hint, Some("hosted:video" | "rich:video")) {
        ContentType::Video
    } else if hint == Some("image") {
        ContentType::Image
    } else if link.is_self == Some(true) || hint == Some("self") {
        ContentType::Text
    } else {
        ContentType::Link
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_tell_users_from_subreddits() {
        assert_eq!(parse_handle("r/brasil"), Some(Handle::Subreddit("brasil".into())));
        assert_eq!(parse_handle("/r/Brasil/"), Some(Handle::Subreddit("Brasil".into())));
        assert_eq!(parse_handle("R/brasil"), Some(Handle::Subreddit("brasil".into())));
        assert_eq!(parse_handle("u/spez"), Some(Handle::User("spez".into())));
        assert_eq!(
            parse_handle("/user/Lil_SpazBot"),
            Some(Handle::User("Lil_SpazBot".into()))
        );
        assert_eq!(
            parse_handle("@ana-influencer"),
            Some(Handle::User("ana-influencer".into()))
        );
        assert_eq!(parse_handle("r/"), None);
        assert_eq!(parse_handle("r/has-dash"), None);
        assert_eq!(parse_handle("u/a b"), None);
        assert_eq!(parse_handle(""), None);
    }

    #[test]
    fn unix_seconds_keep_their_fraction_and_refuse_nonsense() {
        let t = unix(Some(1_457_804_287.5)).expect("time");
        assert_eq!(t.timestamp(), 1_457_804_287);
        assert_eq!(t.timestamp_subsec_millis(), 500);
        assert_eq!(unix(Some(f64::NAN)), None);
        assert_eq!(unix(None), None);
    }
}
