//! Bluesky wire DTOs → `alcance_core` records (through the catalog), and XRPC error
//! envelopes → [`PlatformError`]. Every error names the XRPC method (the answer's path,
//! `/xrpc/app.bsky.feed.getAuthorFeed`).

use super::wire::{self, FeedViewPost, PostView, ProfileView, XrpcError};
use super::{BlueskyProfile, BlueskySession, FeedPage, PostsRead, Repost};
use crate::catalog_field;
use crate::error::{body_preview, PlatformError};
use crate::governor::retry_after_of;
use crate::http::Answer;
use alcance_core::time::{from_unix, parse_platform_time};
use alcance_core::{AccountMetric, ContentType, DataGap, MediaKind, Platform, PostMedia, PostMetric, PostRecord};
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use std::collections::HashSet;

/// Profile counters stored as account snapshots, with their catalog keys:
/// `followersCount` → `followers`, `followsCount` → `following`, `postsCount` → `media_count`.
const PROFILE_FIELDS: [&str; 3] = ["followersCount", "followsCount", "postsCount"];

/// Post counters, in the order they are emitted: `likeCount` → `likes`, `repostCount` →
/// `reposts`, `replyCount` → `replies`, `quoteCount` → `quotes`.
const POST_FIELDS: [&str; 4] = ["likeCount", "repostCount", "replyCount", "quoteCount"];

/// `reason.$type` of a repost in an author feed.
const REASON_REPOST: &str = "app.bsky.feed.defs#reasonRepost";
/// `reason.$type` of a pinned post (the author's own post, shown first).
const REASON_PIN: &str = "app.bsky.feed.defs#reasonPin";

/// When an `accessJwt` carries no readable `exp`, it is taken to live this long (seconds).
/// Inferred, not documented: the reference PDS issues 2-hour access tokens
/// (platform-apis-more.md §5.2, "~2 h").
pub const ACCESS_LIFETIME_FALLBACK_SECS: i64 = 2 * 3600;

/// The XRPC method of an answer (`app.bsky.feed.getAuthorFeed`), from its path.
fn method_of(answer: &Answer) -> &str {
    answer.endpoint.rsplit('/').next().unwrap_or(&answer.endpoint)
}

/// Maps a non-2xx XRPC answer to a [`PlatformError`] that names the method:
///
/// - 401, or 400 with `ExpiredToken` / `InvalidToken` / `AuthenticationRequired` /
///   `AuthMissing` → [`PlatformError::Unauthorized`] (an expired or revoked session or
///   refresh JWT, a wrong app password);
/// - 429 (`RateLimitExceeded`) → [`PlatformError::RateLimited`], `retry_after` from
///   `Retry-After` or `ratelimit-reset`; without headers `None` (the governor pauses);
/// - 403 → [`PlatformError::Forbidden`];
/// - 404, or 400 with `NotFound` / `ActorNotFound` / `RecordNotFound`, or 400
///   `InvalidRequest` whose message says "not found" / "Unable to resolve handle" →
///   [`PlatformError::NotFound`] (the AppView answers an unknown profile with
///   `400 InvalidRequest "Profile not found"`);
/// - anything else → [`PlatformError::Api`] with the XRPC `error` as its code, or the start
///   of the body when it is not the envelope (an HTML error page).
pub fn map_error(answer: &Answer) -> PlatformError {
    let method = method_of(answer).to_string();
    let envelope: Option<XrpcError> = serde_json::from_slice(&answer.body).ok();
    let (code, message) = match envelope {
        Some(XrpcError { error, message }) if error.is_some() || message.is_some() => (error, message),
        _ => (None, None),
    };
    let text = match (&code, &message) {
        (Some(c), Some(m)) => format!("{method}: {c}: {m}"),
        (Some(c), None) => format!("{method}: {c}"),
        (None, Some(m)) => format!("{method}: {m}"),
        (None, None) => format!(
            "{method}: HTTP {} without an XRPC error body; body starts with {:?}",
            answer.status,
            body_preview(&answer.body)
        ),
    };
    let code_is = |names: &[&str]| code.as_deref().is_some_and(|c| names.contains(&c));
    let says_not_found = message.as_deref().is_some_and(|m| {
        let m = m.to_ascii_lowercase();
        m.contains("not found") || m.contains("unable to resolve handle")
    });
    match answer.status {
        401 => PlatformError::Unauthorized { message: text },
        400 if code_is(&["ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing"]) => {
            PlatformError::Unauthorized { message: text }
        }
        429 => PlatformError::RateLimited {
            retry_after: retry_after_of(&answer.headers),
            message: text,
        },
        403 => PlatformError::Forbidden { message: text },
        404 => PlatformError::NotFound { message: text },
        400 if code_is(&["NotFound", "ActorNotFound", "RecordNotFound"])
            || (code_is(&["InvalidRequest"]) && says_not_found) =>
        {
            PlatformError::NotFound { message: text }
        }
        status => PlatformError::Api {
            endpoint: answer.endpoint.clone(),
            status,
            code,
            message: message.unwrap_or_else(|| body_preview(&answer.body)),
        },
    }
}

/// The body of a 2xx answer as `T`; a non-2xx answer → [`map_error`]; a body that is not
/// `T` (HTML, truncated JSON, a missing required field) → [`PlatformError::Decode`] naming
/// the method's path.
fn body<T: serde::de::DeserializeOwned>(answer: &Answer) -> Result<T, PlatformError> {
    if !answer.is_success() {
        return Err(map_error(answer));
    }
    answer.json::<T>()
}

fn profile_from_wire(p: ProfileView) -> BlueskyProfile {
    BlueskyProfile {
        did: p.did,
        handle: p.handle,
        display_name: p.display_name.filter(|n| !n.trim().is_empty()),
        avatar_url: p.avatar,
        created_at: p.created_at.as_deref().and_then(parse_platform_time),
        followers: p.followers_count,
        follows: p.follows_count,
        posts: p.posts_count,
    }
}

/// Decodes `app.bsky.actor.getProfile`.
///
/// Errors: non-2xx → [`map_error`] (an unknown actor is [`PlatformError::NotFound`]); a body
/// without a string `did` and `handle` → [`PlatformError::Decode`].
pub fn decode_profile(answer: &Answer) -> Result<BlueskyProfile, PlatformError> {
    body::<ProfileView>(answer).map(profile_from_wire)
}

/// Decodes `app.bsky.actor.getProfiles`: the profiles, and one [`DataGap`] (code `decode`)
/// per item that is not a profile (skipped, the others kept). Actors not found are simply
/// absent from the answer.
///
/// Errors: non-2xx → [`map_error`]; no `profiles` array → [`PlatformError::Decode`].
pub fn decode_profiles(answer: &Answer) -> Result<(Vec<BlueskyProfile>, Vec<DataGap>), PlatformError> {
    let list: wire::Profiles = body(answer)?;
    let mut profiles = Vec::new();
    let mut gaps = Vec::new();
    for (i, item) in list.profiles.into_iter().enumerate() {
        match serde_json::from_value::<ProfileView>(item) {
            Ok(p) => profiles.push(profile_from_wire(p)),
            Err(e) => gaps.push(gap(
                answer,
                "profile",
                &format!("profiles[{i}]"),
                "decode",
                &e.to_string(),
            )),
        }
    }
    Ok((profiles, gaps))
}

/// Account snapshots of a profile: `followers`, `following`, `media_count` with
/// [`alcance_core::Period::Snapshot`] at `at` (UTC); a counter the profile lacks is
/// `value: None`, never 0.
pub fn profile_metrics(profile: &BlueskyProfile, at: DateTime<Utc>) -> Vec<AccountMetric> {
    let values = [profile.followers, profile.follows, profile.posts];
    PROFILE_FIELDS
        .iter()
        .zip(values)
        .filter_map(|(field, raw)| catalog_field::snapshot(Platform::Bluesky, field, raw, at))
        .collect()
}

fn gap(answer: &Answer, what: &str, object_id: &str, code: &str, detail: &str) -> DataGap {
    DataGap {
        what: what.to_string(),
        object_id: object_id.to_string(),
        code: code.to_string(),
        detail: format!("{}: {detail}", method_of(answer)),
    }
}

/// `https://bsky.app/profile/{did}/post/{rkey}` for `at://{did}/app.bsky.feed.post/{rkey}`.
fn permalink(uri: &str) -> Option<String> {
    let rest = uri.strip_prefix("at://")?;
    let mut parts = rest.split('/');
    let (did, collection, rkey) = (parts.next()?, parts.next()?, parts.next()?);
    (collection == "app.bsky.feed.post" && !rkey.is_empty())
        .then(|| format!("https://bsky.app/profile/{did}/post/{rkey}"))
}

fn type_of(v: &Value) -> Option<&str> {
    v.get("$type").and_then(Value::as_str)
}

/// What kind of post it is. A reply (`record.reply`) is `Other("reply")`; then by the
/// record's embed (the view's embed when the record has none, with `#view` dropped):
/// none → `text`; `app.bsky.embed.images` → `image` (one) or `carousel` (several);
/// `app.bsky.embed.video` → `video`; `app.bsky.embed.external` → `link`;
/// `app.bsky.embed.record` / `recordWithMedia` → `Other("quote")`. An embed of an unknown
/// type keeps that type (`Other("app.bsky.embed.new")`) and is reported by the caller.
fn content_type(post: &PostView) -> (ContentType, Option<String>) {
    if post.record.get("reply").is_some_and(Value::is_object) {
        return (ContentType::Other("reply".to_string()), None);
    }
    let embed = post
        .record
        .get("embed")
        .filter(|e| e.is_object())
        .or(post.embed.as_ref());
    let Some(embed) = embed else {
        return (ContentType::Text, None);
    };
    let kind = type_of(embed).unwrap_or_default();
    let kind = kind.strip_suffix("#view").unwrap_or(kind);
    let images = |e: &Value| e.get("images").and_then(Value::as_array).map_or(0, Vec::len);
    match kind {
        "app.bsky.embed.images" if images(embed) > 1 => (ContentType::Carousel, None),
        "app.bsky.embed.images" => (ContentType::Image, None),
        "app.bsky.embed.video" => (ContentType::Video, None),
        "app.bsky.embed.external" => (ContentType::Link, None),
        "app.bsky.embed.record" | "app.bsky.embed.recordWithMedia" => (ContentType::Other("quote".to_string()), None),
        "" => (
            ContentType::Other("embed".to_string()),
            Some("an embed without $type".to_string()),
        ),
        other => (ContentType::Other(other.to_string()), Some(other.to_string())),
    }
}

/// The picture of post `uri` from its hydrated embed view (`postView.embed`; issue 13
/// point 3, docs/media.md): `app.bsky.embed.images#view` → the first image's `thumb` (the
/// AppView's `feed_thumbnail` CDN URL; the next image's when the first has none) as an
/// image; `app.bsky.embed.video#view` →
/// `thumbnail` as a thumbnail; `app.bsky.embed.external#view` → `external.thumb` (the
/// link card's picture) as a thumbnail; `app.bsky.embed.recordWithMedia#view` → its
/// `media`, read the same way (the quoted post's own embed is someone else's picture and
/// is not read). The record's `embed` holds only blob references, no URL, so it is not
/// read. A quote without media (`app.bsky.embed.record#view`), another type, a missing
/// field or a URL that is not http(s) → no picture. Never fails.
fn picture(uri: &str, embed: Option<&Value>) -> Option<PostMedia> {
    let embed = embed?;
    match type_of(embed)? {
        "app.bsky.embed.recordWithMedia#view" => media_picture(uri, embed.get("media")?),
        _ => media_picture(uri, embed),
    }
}

/// The picture of an images, video or external embed view (see [`picture`]).
fn media_picture(uri: &str, media: &Value) -> Option<PostMedia> {
    fn text(v: Option<&Value>) -> Option<&str> {
        v.and_then(Value::as_str)
    }
    match type_of(media)? {
        "app.bsky.embed.images#view" => media
            .get("images")?
            .as_array()?
            .iter()
            .find_map(|image| PostMedia::new(uri, MediaKind::Image, text(image.get("thumb")))),
        "app.bsky.embed.video#view" => PostMedia::new(uri, MediaKind::Thumbnail, text(media.get("thumbnail"))),
        "app.bsky.embed.external#view" => PostMedia::new(
            uri,
            MediaKind::Thumbnail,
            text(media.get("external").and_then(|e| e.get("thumb"))),
        ),
        _ => None,
    }
}

/// The post's record, counters and content type; plus a gap for an unknown embed type.
fn post_of(answer: &Answer, post: &PostView) -> (PostRecord, Vec<PostMetric>, Option<DataGap>) {
    let created = post
        .record
        .get("createdAt")
        .and_then(Value::as_str)
        .and_then(parse_platform_time);
    let indexed = post.indexed_at.as_deref().and_then(parse_platform_time);
    let (content_type, unknown) = content_type(post);
    let record = PostRecord {
        external_id: post.uri.clone(),
        published_at: created.or(indexed),
        content_type,
        permalink: permalink(&post.uri),
        caption: post.record.get("text").and_then(Value::as_str).map(str::to_string),
    };
    let values = [post.like_count, post.repost_count, post.reply_count, post.quote_count];
    let metrics = POST_FIELDS
        .iter()
        .zip(values)
        .filter_map(|(field, raw)| catalog_field::post_metric(Platform::Bluesky, &post.uri, field, raw))
        .collect();
    let gap = unknown.map(|t| {
        gap(
            answer,
            "content_type",
            &post.uri,
            "unknown_type",
            &format!("unknown embed type {t:?}; the post is kept with that type"),
        )
    });
    (record, metrics, gap)
}

/// Decodes one page of `app.bsky.feed.getAuthorFeed` for the author `author_did`.
///
/// Items: no `reason` (or `#reasonPin`) and a post by the author → an own post with its
/// counters and its picture URL, if any ([`FeedPage::media`]); `#reasonRepost` → a
/// [`Repost`] kept apart (its picture is not read); an item without `reason` whose post
/// is by someone else (not expected from an author feed) is skipped with a gap
/// `not_author`; an unknown `reason.$type` is skipped with a gap `unknown_type`; an item
/// that is not a feed post (no `post.uri`, no `post.author.did`) is skipped with a gap
/// `decode`. The rest of the page is always kept.
///
/// Errors: non-2xx → [`map_error`]; a body without a `feed` array (HTML, truncated JSON)
/// → [`PlatformError::Decode`] naming `app.bsky.feed.getAuthorFeed`.
pub fn decode_feed_page(answer: &Answer, author_did: &str) -> Result<FeedPage, PlatformError> {
    let feed: wire::AuthorFeed = body(answer)?;
    let mut page = FeedPage {
        cursor: feed.cursor.filter(|c| !c.is_empty()),
        ..FeedPage::default()
    };
    let mut oldest: Option<DateTime<Utc>> = None;
    for (i, item) in feed.feed.into_iter().enumerate() {
        let item: FeedViewPost = match serde_json::from_value(item) {
            Ok(item) => item,
            Err(e) => {
                page.gaps.push(gap(
                    answer,
                    "post",
                    &format!("feed[{i}]"),
                    "decode",
                    &format!("item skipped: {e}"),
                ));
                continue;
            }
        };
        let reason_type = item.reason.as_ref().map(|r| type_of(r).unwrap_or_default().to_string());
        let reason_time = item
            .reason
            .as_ref()
            .and_then(|r| r.get("indexedAt"))
            .and_then(Value::as_str)
            .and_then(parse_platform_time);
        let post_time = item
            .post
            .indexed_at
            .as_deref()
            .and_then(parse_platform_time)
            .or_else(|| {
                item.post
                    .record
                    .get("createdAt")
                    .and_then(Value::as_str)
                    .and_then(parse_platform_time)
            });
        let pinned = reason_type.as_deref() == Some(REASON_PIN);
        let feed_time = reason_time.or(post_time);
        // A pinned post sits first whatever its age: it does not tell how far the feed went.
        if !pinned {
            if let Some(t) = feed_time {
                oldest = Some(oldest.map_or(t, |o| o.min(t)));
            }
        }
        match reason_type.as_deref() {
            Some(REASON_REPOST) => page.reposts.push(Repost {
                post_uri: item.post.uri,
                original_author: item.post.author.did,
                reposted_at: reason_time,
            }),
            None | Some(REASON_PIN) if item.post.author.did == author_did => {
                let (record, metrics, unknown) = post_of(answer, &item.post);
                page.media.extend(picture(&item.post.uri, item.post.embed.as_ref()));
                page.posts.push(record);
                page.metrics.extend(metrics);
                page.gaps.extend(unknown);
            }
            None | Some(REASON_PIN) => page.gaps.push(gap(
                answer,
                "post",
                &item.post.uri,
                "not_author",
                &format!(
                    "a post by {} without a repost reason in the feed of {author_did}; not stored as the account's post",
                    item.post.author.did
                ),
            )),
            Some(other) => page.gaps.push(gap(
                answer,
                "post",
                &item.post.uri,
                "unknown_type",
                &format!("unknown feed reason {other:?}; item skipped (it may not be the account's own post)"),
            )),
        }
    }
    page.oldest = oldest;
    Ok(page)
}

/// Decodes `app.bsky.feed.getPosts` for the URIs `asked`: the posts, their counters and
/// picture URLs ([`PostsRead::media`]), and
/// one [`DataGap`] (code `not_found`) per asked URI the answer left out (a deleted post:
/// `getPosts` omits it instead of failing), plus `decode` gaps for unreadable items.
///
/// Errors: non-2xx → [`map_error`]; no `posts` array → [`PlatformError::Decode`].
pub fn decode_posts(answer: &Answer, asked: &[String]) -> Result<PostsRead, PlatformError> {
    let list: wire::Posts = body(answer)?;
    let mut posts = Vec::new();
    let mut metrics = Vec::new();
    let mut media = Vec::new();
    let mut gaps = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for (i, item) in list.posts.into_iter().enumerate() {
        match serde_json::from_value::<PostView>(item) {
            Ok(post) => {
                let (record, m, unknown) = post_of(answer, &post);
                media.extend(picture(&post.uri, post.embed.as_ref()));
                seen.insert(post.uri.clone());
                posts.push(record);
                metrics.extend(m);
                gaps.extend(unknown);
            }
            Err(e) => gaps.push(gap(answer, "post", &format!("posts[{i}]"), "decode", &e.to_string())),
        }
    }
    for uri in asked.iter().filter(|u| !seen.contains(u.as_str())) {
        gaps.push(gap(
            answer,
            "post",
            uri,
            "not_found",
            "not in the answer (deleted, or hidden by its author)",
        ));
    }
    Ok(PostsRead {
        posts,
        metrics,
        media,
        gaps,
    })
}

/// Decodes `com.atproto.identity.resolveHandle`: the DID.
///
/// Errors: non-2xx → [`map_error`] (an unknown handle is `400 InvalidRequest "Unable to
/// resolve handle"` → [`PlatformError::NotFound`]); a `did` that is not a DID →
/// [`PlatformError::Decode`].
pub fn decode_resolved(answer: &Answer) -> Result<String, PlatformError> {
    let resolved: wire::Resolved = body(answer)?;
    if !resolved.did.starts_with("did:") {
        return Err(PlatformError::decode(
            &answer.endpoint,
            format!("`did` is not a DID: {:?}", resolved.did),
            &answer.body,
        ));
    }
    Ok(resolved.did)
}

/// Decodes `com.atproto.server.createSession` / `refreshSession`: DID, handle and the two
/// JWTs (as secrets; the decode error never quotes the body, which holds them).
///
/// Errors: non-2xx → [`map_error`] (a wrong app password is `401 AuthenticationRequired`,
/// a revoked refresh JWT `400 ExpiredToken`: both [`PlatformError::Unauthorized`]); an
/// account that is not active (`active: false`, `status` `takendown` / `suspended` /
/// `deactivated`) → [`PlatformError::Forbidden`]; missing or empty JWTs →
/// [`PlatformError::Decode`].
pub fn decode_session(answer: &Answer) -> Result<BlueskySession, PlatformError> {
    if !answer.is_success() {
        return Err(map_error(answer));
    }
    let session: wire::Session = serde_json::from_slice(&answer.body).map_err(|e| PlatformError::Decode {
        endpoint: answer.endpoint.clone(),
        message: format!("not a session: {e}"),
    })?;
    if session.active == Some(false) {
        return Err(PlatformError::Forbidden {
            message: format!(
                "{}: the account {} is not active ({})",
                method_of(answer),
                session.handle,
                session.status.as_deref().unwrap_or("no status given")
            ),
        });
    }
    let (Some(access), Some(refresh)) = (
        session.access_jwt.filter(|t| !t.is_empty()),
        session.refresh_jwt.filter(|t| !t.is_empty()),
    ) else {
        return Err(PlatformError::Decode {
            endpoint: answer.endpoint.clone(),
            message: "the session has no accessJwt or refreshJwt".to_string(),
        });
    };
    Ok(BlueskySession {
        did: session.did,
        handle: session.handle,
        access: SecretString::from(access),
        refresh: SecretString::from(refresh),
    })
}

/// When an access JWT expires, UTC: its payload's `exp` (Unix seconds), read without
/// checking the signature (only to know when to refresh); otherwise `now` +
/// [`ACCESS_LIFETIME_FALLBACK_SECS`].
pub fn session_expiry(access: &SecretString, now: DateTime<Utc>) -> DateTime<Utc> {
    let exp = access
        .expose_secret()
        .split('.')
        .nth(1)
        .and_then(|payload| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload.trim_end_matches('='))
                .ok()
        })
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .and_then(|claims| claims.get("exp").and_then(Value::as_i64))
        .and_then(from_unix);
    exp.unwrap_or_else(|| now + Duration::seconds(ACCESS_LIFETIME_FALLBACK_SECS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderMap;

    fn answer(status: u16, path: &str, body: &str) -> Answer {
        Answer {
            status,
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
            endpoint: format!("/xrpc/{path}"),
        }
    }

    #[test]
    fn errors_name_the_method_and_pick_the_callers_variant() {
        let e = map_error(&answer(
            400,
            "app.bsky.actor.getProfile",
            r#"{"error":"InvalidRequest","message":"Profile not found"}"#,
        ));
        assert!(matches!(e, PlatformError::NotFound { ref message } if message.contains("app.bsky.actor.getProfile")));
        let e = map_error(&answer(
            400,
            "com.atproto.server.refreshSession",
            r#"{"error":"ExpiredToken","message":"Token has been revoked"}"#,
        ));
        assert!(matches!(e, PlatformError::Unauthorized { .. }), "{e:?}");
        let e = map_error(&answer(502, "app.bsky.feed.getAuthorFeed", "<html>bad gateway</html>"));
        assert!(
            matches!(e, PlatformError::Api { status: 502, ref endpoint, code: None, .. } if endpoint.ends_with("getAuthorFeed")),
            "{e:?}"
        );
    }

    #[test]
    fn the_expiry_comes_from_the_jwt_or_two_hours() {
        let now = Utc::now();
        let payload =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"exp":1748024208,"sub":"did:plc:x"}"#);
        let jwt = SecretString::from(format!("eyJhbGciOiJIUzI1NiJ9.{payload}.sig"));
        assert_eq!(session_expiry(&jwt, now).timestamp(), 1_748_024_208);
        let opaque = SecretString::from("not-a-jwt".to_string());
        assert_eq!(session_expiry(&opaque, now), now + Duration::hours(2));
    }

    #[test]
    fn permalinks_use_the_did_and_record_key() {
        assert_eq!(
            permalink("at://did:plc:abc/app.bsky.feed.post/3k7q").as_deref(),
            Some("https://bsky.app/profile/did:plc:abc/post/3k7q")
        );
        assert_eq!(permalink("https://example.com"), None);
    }
}
