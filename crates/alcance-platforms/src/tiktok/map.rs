//! TikTok wire DTOs → `alcance_core` records (through `alcance_core::catalog::map_value`),
//! and TikTok error bodies → [`PlatformError`].

use super::wire::{self, BizAccount, BizActivity, BizDay, BizEnvelope, BizShare, BizVideo, DisplayError, VideoCommon};
use super::{AudienceShare, BusinessAccount, TikTokUser, TikTokVideo, VideoPage};
use crate::catalog_field;
use crate::error::{body_preview, PlatformError};
use crate::http::Answer;
use alcance_core::time::from_unix;
use alcance_core::{
    AccountMetric, AudienceSlice, CollectWarning, ContentType, EventLevel, Period, Platform, PostMetric, PostRecord,
    Profile,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::time::Duration as StdDuration;

/// How long to wait after a TikTok rate limit when the answer carries no `Retry-After`
/// header (TikTok documents a one-minute sliding window): 60 s.
pub const DEFAULT_RETRY_AFTER: StdDuration = StdDuration::from_secs(60);

/// The `data.user` fields of `GET /v2/user/info/` stored as account snapshots, with their
/// catalog keys: `follower_count` → `followers`, `following_count` → `following`,
/// `likes_count` → `total_likes_received`, `video_count` → `media_count`.
pub const PROFILE_FIELDS: &[&str] = &["follower_count", "following_count", "likes_count", "video_count"];

/// The Display API video counters stored as post snapshots: `view_count` → `video_views`,
/// `like_count` → `likes`, `comment_count` → `comments`, `share_count` → `shares`.
pub const VIDEO_FIELDS_MAPPED: &[&str] = &["view_count", "like_count", "comment_count", "share_count"];

/// The Business video fields stored as post snapshots: `video_views` → `video_views`,
/// `likes`, `comments`, `shares`, `reach`, `full_video_watched_rate` → `full_watch_rate`
/// (ratio 0–1), `total_time_watched` → `watch_time_seconds`, `average_time_watched` →
/// `watch_time_avg_seconds` (seconds).
pub const BUSINESS_VIDEO_FIELDS_MAPPED: &[&str] = &[
    "video_views",
    "likes",
    "comments",
    "shares",
    "reach",
    "full_video_watched_rate",
    "total_time_watched",
    "average_time_watched",
];

/// The Business daily metrics (`data.metrics[]`) stored as `Period::Day` values:
/// `followers_count` → `followers`, `profile_views`, `video_views`, `likes`, `comments`,
/// `shares`.
pub const BUSINESS_DAILY_FIELDS: &[&str] = &[
    "followers_count",
    "profile_views",
    "video_views",
    "likes",
    "comments",
    "shares",
];

/// Maps a TikTok field through the catalog: its key and the raw value in the catalog unit.
/// `None` when the field has no catalog key.
fn catalog(field: &str, raw: Option<f64>) -> Option<(&'static str, Option<f64>)> {
    catalog_field::catalog(Platform::Tiktok, field, raw)
}

/// A TikTok post's metric for `field` through the catalog (see [`catalog_field::catalog`]).
fn post_metric(post_id: &str, field: &str, raw: Option<f64>) -> Option<PostMetric> {
    catalog_field::post_metric(Platform::Tiktok, post_id, field, raw)
}

/// `full_video_watched_rate` as a ratio 0–1: TikTok sends a ratio (`0.42`); a value above 1
/// can only be a percent and is divided by 100. Negative values read as `None`.
pub(super) fn watch_rate_ratio(raw: Option<f64>) -> Option<f64> {
    let v = raw?;
    if v < 0.0 {
        None
    } else if v > 1.0 {
        Some((v / 100.0).min(1.0))
    } else {
        Some(v)
    }
}

fn warning(code: &str, message: String) -> CollectWarning {
    CollectWarning {
        level: EventLevel::Warn,
        code: code.to_string(),
        message,
    }
}

// ---------------------------------------------------------------------------------------
// Errors

/// `Retry-After` (seconds or an HTTP date) of an answer, else [`DEFAULT_RETRY_AFTER`].
fn retry_after(answer: &Answer) -> StdDuration {
    let Some(value) = answer.header("retry-after").map(str::trim) else {
        return DEFAULT_RETRY_AFTER;
    };
    if let Ok(secs) = value.parse::<u64>() {
        return StdDuration::from_secs(secs.max(1));
    }
    DateTime::parse_from_rfc2822(value)
        .ok()
        .map(|at| {
            let secs = (at.with_timezone(&Utc) - Utc::now()).num_seconds().max(1);
            StdDuration::from_secs(secs.unsigned_abs())
        })
        .unwrap_or(DEFAULT_RETRY_AFTER)
}

/// An error from the HTTP status alone (no TikTok envelope): 401 → Unauthorized, 403 →
/// Forbidden, 404 → NotFound, 429 → RateLimited, else Api with `code`.
pub(super) fn by_status(answer: &Answer, code: Option<String>, message: String) -> PlatformError {
    match answer.status {
        401 => PlatformError::Unauthorized { message },
        403 => PlatformError::Forbidden { message },
        404 => PlatformError::NotFound { message },
        429 => PlatformError::RateLimited {
            retry_after: Some(retry_after(answer)),
            message,
        },
        status => PlatformError::Api {
            endpoint: answer.endpoint.clone(),
            status,
            code,
            message,
        },
    }
}

/// The message of a body that is not (or not a known) error envelope.
fn status_message(answer: &Answer) -> String {
    let preview = body_preview(&answer.body);
    if preview.trim().is_empty() {
        format!("HTTP {} with an empty body", answer.status)
    } else {
        format!("HTTP {}: {preview}", answer.status)
    }
}

fn with_log_id(message: Option<String>, fallback: &str, log_id: Option<&str>) -> String {
    let base = message
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| fallback.to_string());
    match log_id.filter(|l| !l.is_empty()) {
        Some(l) => format!("{base} (log_id {l})"),
        None => base,
    }
}

/// Maps a Display API error code (`error.code` other than `ok`; platform-apis.md §6.1):
/// `access_token_invalid` → Unauthorized; `scope_not_authorized` /
/// `scope_permission_missed` → Forbidden; `rate_limit_exceeded` → RateLimited
/// (`Retry-After` or 60 s); `internal_error` → Api with status 500 (or the HTTP status when
/// it is 5xx); `invalid_params` and anything else → by HTTP status (401 → Unauthorized,
/// 429 → RateLimited, ...), else Api with the code.
fn display_code_error(answer: &Answer, err: &DisplayError, code: &str) -> PlatformError {
    let message = with_log_id(err.message.clone(), code, err.log_id.as_deref());
    match code {
        "access_token_invalid" => PlatformError::Unauthorized { message },
        "scope_not_authorized" | "scope_permission_missed" => PlatformError::Forbidden { message },
        "rate_limit_exceeded" => PlatformError::RateLimited {
            retry_after: Some(retry_after(answer)),
            message,
        },
        "internal_error" => PlatformError::Api {
            endpoint: answer.endpoint.clone(),
            status: if answer.status >= 500 { answer.status } else { 500 },
            code: Some(code.to_string()),
            message,
        },
        _ if answer.is_success() => PlatformError::Api {
            endpoint: answer.endpoint.clone(),
            status: if code == "invalid_params" { 400 } else { answer.status },
            code: Some(code.to_string()),
            message,
        },
        _ => by_status(answer, Some(code.to_string()), message),
    }
}

/// Turns a Display API answer into its `data` object, or the error it carries.
///
/// - a body that is not JSON: HTTP 2xx → [`PlatformError::Decode`]; otherwise by status
///   (an HTML 502 page is `Api { status: 502 }`, a 401 page `Unauthorized`, ...)
/// - `error.code` other than `"ok"`, with any HTTP status (also 200) → see the code list
///   on [`map_display_error`]
/// - OAuth-shaped `{"error":"invalid_grant","error_description","log_id"}` → HTTP 401:
///   Unauthorized; otherwise [`PlatformError::OAuth`]
/// - a non-2xx answer without an error code → by status
/// - a 2xx answer without a `data` object → [`PlatformError::Decode`]
fn display_data(answer: &Answer) -> Result<serde_json::Map<String, Value>, PlatformError> {
    let mut obj = body_object(answer)?;
    match obj.get("error") {
        Some(Value::String(error)) if !error.is_empty() => {
            let description = obj.get("error_description").and_then(Value::as_str);
            let log_id = obj.get("log_id").and_then(Value::as_str);
            let message = with_log_id(description.map(|d| format!("{error}: {d}")), error, log_id);
            return Err(if answer.status == 401 {
                PlatformError::Unauthorized { message }
            } else {
                PlatformError::OAuth {
                    message: format!("{}: {message}", answer.endpoint),
                }
            });
        }
        Some(err @ Value::Object(_)) => {
            let err: DisplayError = serde_json::from_value(err.clone()).unwrap_or_default();
            let code = err.code.as_deref().map(str::trim).unwrap_or_default().to_string();
            if !code.is_empty() && !code.eq_ignore_ascii_case("ok") {
                return Err(display_code_error(answer, &err, &code));
            }
        }
        _ => {}
    }
    if !answer.is_success() {
        return Err(by_status(answer, None, status_message(answer)));
    }
    data_object(answer, obj.remove("data"))
}

/// Maps a failed Display API v2 answer to a [`PlatformError`] (platform-apis.md §6.1):
/// `error.code` `access_token_invalid` → [`PlatformError::Unauthorized`];
/// `scope_not_authorized` / `scope_permission_missed` → [`PlatformError::Forbidden`];
/// `rate_limit_exceeded` (HTTP 429) → [`PlatformError::RateLimited`] with `Retry-After` or
/// 60 s; `internal_error` → [`PlatformError::Api`] status 500; `invalid_params` →
/// [`PlatformError::Api`] status 400 (code `invalid_params`); an OAuth-shaped body
/// `{"error","error_description"}` → Unauthorized on HTTP 401, else
/// [`PlatformError::OAuth`]; a non-JSON body on a 2xx → [`PlatformError::Decode`], on an
/// error status by that status. `None` when the answer is a success (`error.code` `ok`).
pub fn map_display_error(answer: &Answer) -> Option<PlatformError> {
    display_data(answer).err()
}

/// The Business code families (platform-apis.md §6.2; codes checked against TikTok's
/// Business Messaging error table as mirrored by integrators, see the module docs).
pub(super) fn business_code_error(answer: &Answer, env: &BizEnvelope, code: i64) -> PlatformError {
    let mut message = env
        .message
        .clone()
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| format!("code {code}"));
    if let Some(id) = env.request_id.as_deref().filter(|r| !r.is_empty()) {
        message = format!("{message} (code {code}, request_id {id})");
    } else {
        message = format!("{message} (code {code})");
    }
    match code {
        40001 | 40102 | 40104 | 40105 => PlatformError::Unauthorized { message },
        40100 => PlatformError::RateLimited {
            retry_after: Some(retry_after(answer)),
            message,
        },
        _ if !answer.is_success() && matches!(answer.status, 401 | 429) => {
            by_status(answer, Some(format!("tiktok_{code}")), message)
        }
        _ => {
            let status = if answer.is_success() {
                match code {
                    40000..=49999 => 400,
                    50000..=59999 => 500,
                    _ => answer.status,
                }
            } else {
                answer.status
            };
            PlatformError::Api {
                endpoint: answer.endpoint.clone(),
                status,
                code: Some(format!("tiktok_{code}")),
                message,
            }
        }
    }
}

/// Turns an API for Business answer into its envelope with `code` 0, or the error.
fn business_envelope(answer: &Answer) -> Result<BizEnvelope, PlatformError> {
    let env: BizEnvelope = serde_json::from_value(Value::Object(body_object(answer)?)).unwrap_or_default();
    match env.code {
        Some(0) | None if !answer.is_success() => Err(by_status(answer, None, status_message(answer))),
        Some(0) => Ok(env),
        Some(code) => Err(business_code_error(answer, &env, code)),
        None => Err(PlatformError::decode(
            &answer.endpoint,
            "no `code` in the answer (not the API for Business envelope)",
            &answer.body,
        )),
    }
}

/// Maps a failed API for Business answer (`{"code": non-zero, "message", "request_id"}`,
/// usually with HTTP 200) to a [`PlatformError`]: codes 40001 (no permission for the
/// token), 40102 (token expired), 40104 (token missing), 40105 (token incorrect or
/// revoked) → [`PlatformError::Unauthorized`]; 40100 (requests too frequent) →
/// [`PlatformError::RateLimited`] with `Retry-After` or 60 s; other codes →
/// [`PlatformError::Api`] with code `tiktok_<code>` and status 400 for 4xxxx / 500 for
/// 5xxxx codes (or the HTTP status when it is an error status). A non-JSON body on a 2xx
/// → [`PlatformError::Decode`], on an error status by that status. `None` for a success
/// (`code` 0).
pub fn map_business_error(answer: &Answer) -> Option<PlatformError> {
    business_envelope(answer).err()
}

fn business_data(answer: &Answer) -> Result<serde_json::Map<String, Value>, PlatformError> {
    data_object(answer, business_envelope(answer)?.data)
}

/// The body of a Display API or API for Business answer as a JSON object. A body that is
/// not JSON, or JSON that is not an object: HTTP 2xx → [`PlatformError::Decode`];
/// otherwise by status.
fn body_object(answer: &Answer) -> Result<serde_json::Map<String, Value>, PlatformError> {
    let value: Value = match serde_json::from_slice(&answer.body) {
        Ok(v) => v,
        Err(e) if answer.is_success() => return Err(PlatformError::decode(&answer.endpoint, e, &answer.body)),
        Err(_) => return Err(by_status(answer, None, status_message(answer))),
    };
    match value {
        Value::Object(obj) => Ok(obj),
        other if answer.is_success() => Err(PlatformError::decode(
            &answer.endpoint,
            format!("the answer is {}, not an object", wire::kind(&other)),
            &answer.body,
        )),
        _ => Err(by_status(answer, None, status_message(answer))),
    }
}

/// The `data` member of a successful answer (Display API or API for Business) as an
/// object; missing or of another kind → [`PlatformError::Decode`].
fn data_object(answer: &Answer, data: Option<Value>) -> Result<serde_json::Map<String, Value>, PlatformError> {
    match data {
        Some(Value::Object(data)) => Ok(data),
        Some(other) => Err(PlatformError::decode(
            &answer.endpoint,
            format!("`data` is {}, not an object", wire::kind(&other)),
            &answer.body,
        )),
        None => Err(PlatformError::decode(
            &answer.endpoint,
            "no `data` in the answer",
            &answer.body,
        )),
    }
}

fn from_data<T: DeserializeOwned>(
    answer: &Answer,
    what: &str,
    data: serde_json::Map<String, Value>,
) -> Result<T, PlatformError> {
    serde_json::from_value(Value::Object(data))
        .map_err(|e| PlatformError::decode(&answer.endpoint, format!("{what}: {e}"), &answer.body))
}

// ---------------------------------------------------------------------------------------
// Display API v2

/// Decodes `GET /v2/user/info/` into a [`TikTokUser`].
///
/// Errors: see [`map_display_error`]; a 2xx answer whose `data.user` is missing or has no
/// `open_id` → [`PlatformError::Decode`].
pub fn decode_user(answer: &Answer) -> Result<TikTokUser, PlatformError> {
    let data = display_data(answer)?;
    let wire::UserData { user: u } = from_data(answer, "data.user", data)?;
    Ok(TikTokUser {
        open_id: u.open_id,
        union_id: u.union_id,
        username: u.username.filter(|s| !s.is_empty()),
        display_name: u.display_name.filter(|s| !s.is_empty()),
        avatar_url: u.avatar_url.filter(|s| !s.is_empty()),
        bio_description: u.bio_description,
        profile_deep_link: u.profile_deep_link,
        is_verified: u.is_verified,
        follower_count: u.follower_count,
        following_count: u.following_count,
        likes_count: u.likes_count,
        video_count: u.video_count,
    })
}

/// Account snapshots from a user: one [`AccountMetric`] with [`Period::Snapshot`] and
/// `period_start = period_end = at` (UTC) per field of [`PROFILE_FIELDS`] (counts); a
/// counter the answer lacked (scope `user.info.stats` not granted) has `value: None`.
pub fn profile_metrics(user: &TikTokUser, at: DateTime<Utc>) -> Vec<AccountMetric> {
    let raws = [
        user.follower_count,
        user.following_count,
        user.likes_count,
        user.video_count,
    ];
    PROFILE_FIELDS
        .iter()
        .zip(raws)
        .filter_map(|(field, raw)| catalog_field::snapshot(Platform::Tiktok, field, raw, at))
        .collect()
}

fn display_video(v: wire::Video) -> TikTokVideo {
    let metrics = VIDEO_FIELDS_MAPPED
        .iter()
        .zip([v.view_count, v.like_count, v.comment_count, v.share_count])
        .filter_map(|(field, raw)| post_metric(&v.id, field, raw))
        .collect();
    let caption = v
        .video_description
        .filter(|d| !d.is_empty())
        .or_else(|| v.title.clone().filter(|t| !t.is_empty()));
    TikTokVideo {
        post: video_post(v.id, v.common, caption),
        title: v.title.filter(|t| !t.is_empty()),
        duration_seconds: v.duration,
        cover_image_url: v.cover_image_url.filter(|u| !u.is_empty()),
        metrics,
    }
}

/// The post of a video of either API: `external_id` = `id` / `item_id`, `published_at`
/// from `create_time` (Unix seconds, UTC), content type `video`, permalink `share_url`
/// (empty → `None`), `caption`.
fn video_post(external_id: String, common: VideoCommon, caption: Option<String>) -> PostRecord {
    PostRecord {
        published_at: common.create_time.and_then(from_unix),
        content_type: ContentType::Video,
        permalink: common.share_url.filter(|u| !u.is_empty()),
        caption,
        external_id,
    }
}

/// A video page of either API from its `data` object: each `videos[]` item decoded as `T`
/// and mapped by `map` (an item that does not decode is skipped with a `decode` warning),
/// the next `cursor` and `has_more` (`false` when absent). Errors: `Decode` when `data`
/// is not a video page.
fn video_page<T: DeserializeOwned>(
    answer: &Answer,
    data: serde_json::Map<String, Value>,
    map: impl Fn(T) -> TikTokVideo,
) -> Result<VideoPage, PlatformError> {
    let d: wire::VideoData = from_data(answer, "data", data)?;
    let mut warnings = Vec::new();
    let videos = d
        .videos
        .into_iter()
        .enumerate()
        .filter_map(|(i, item)| match serde_json::from_value::<T>(item) {
            Ok(v) => Some(map(v)),
            Err(e) => {
                warnings.push(warning(
                    "decode",
                    format!("{}: video {i} of the page was skipped: {e}", answer.endpoint),
                ));
                None
            }
        })
        .collect();
    Ok(VideoPage {
        videos,
        cursor: d.cursor,
        has_more: d.has_more.unwrap_or(false),
        warnings,
    })
}

/// Decodes a page of `POST /v2/video/list/` or `POST /v2/video/query/`: videos (posts with
/// `published_at` from `create_time` Unix seconds, UTC; content type `video`; permalink
/// `share_url`; caption `video_description`, else `title`) with `video_views`, `likes`,
/// `comments`, `shares` snapshots (`None` when a counter is absent), the next `cursor`
/// (Unix milliseconds) and `has_more` (`false` when absent). A video without an `id`
/// is skipped with a `decode` warning.
///
/// Errors: see [`map_display_error`] (an `error.code` other than `ok` fails even with
/// HTTP 200); a 2xx without a `data` object → [`PlatformError::Decode`].
pub fn decode_video_page(answer: &Answer) -> Result<VideoPage, PlatformError> {
    video_page(answer, display_data(answer)?, display_video)
}

// ---------------------------------------------------------------------------------------
// API for Business

fn business_video(v: BizVideo) -> TikTokVideo {
    let raws = [
        v.video_views,
        v.likes,
        v.comments,
        v.shares,
        v.reach,
        watch_rate_ratio(v.full_video_watched_rate),
        v.total_time_watched,
        v.average_time_watched,
    ];
    let metrics = BUSINESS_VIDEO_FIELDS_MAPPED
        .iter()
        .zip(raws)
        .filter_map(|(field, raw)| post_metric(&v.item_id, field, raw))
        .collect();
    TikTokVideo {
        post: video_post(v.item_id, v.common, v.caption.filter(|c| !c.is_empty())),
        title: None,
        duration_seconds: v.video_duration,
        cover_image_url: v.thumbnail_url.filter(|u| !u.is_empty()),
        metrics,
    }
}

/// Decodes a page of `GET business/video/list/`: videos (id `item_id`, `create_time` Unix
/// seconds, permalink `share_url`, caption `caption`) with the lifetime snapshots of
/// [`BUSINESS_VIDEO_FIELDS_MAPPED`] (`None` when absent), the next `cursor` and
/// `has_more`. A video without `item_id` is skipped with a `decode` warning.
///
/// Errors: see [`map_business_error`]; a success without a `data` object →
/// [`PlatformError::Decode`].
pub fn decode_business_video_page(answer: &Answer) -> Result<VideoPage, PlatformError> {
    video_page(answer, business_data(answer)?, business_video)
}

/// Reads a breakdown list into shares (ratio 0–1). TikTok sends ratios (`0.61`); when any
/// value of the list is above 1 the whole list is taken as percent 0–100 and divided by
/// 100. Items without a key or a numeric share are dropped.
fn shares(items: Vec<Value>, key: impl Fn(&BizShare) -> Option<String>) -> Vec<AudienceShare> {
    let parsed: Vec<(String, f64)> = items
        .into_iter()
        .filter_map(|v| serde_json::from_value::<BizShare>(v).ok())
        .filter_map(|s| Some((key(&s)?.trim().to_string(), s.percentage?)))
        .filter(|(k, p)| !k.is_empty() && *p >= 0.0)
        .collect();
    let scale = if parsed.iter().any(|(_, p)| *p > 1.0) {
        0.01
    } else {
        1.0
    };
    parsed
        .into_iter()
        .map(|(key, p)| AudienceShare {
            key,
            share: (p * scale).min(1.0),
        })
        .collect()
}

/// UTC midnight of a `YYYY-MM-DD` date.
fn midnight(date: NaiveDate) -> Option<DateTime<Utc>> {
    Some(date.and_hms_opt(0, 0, 0)?.and_utc())
}

/// Decodes `GET business/get/` for `business_id`.
///
/// - `profile`: `external_id = business_id`, `username`, `display_name`, `profile_image`.
/// - `daily`: one [`Period::Day`] value per day of `data.metrics[]` and field of
///   [`BUSINESS_DAILY_FIELDS`] (`period_start` = the date's 00:00 UTC, `period_end` + 1
///   day; TikTok's `date` is taken as a UTC day); `None` when a field is absent. A day with
///   an unreadable `date` is skipped with a `decode` warning.
/// - `audience_countries` / `audience_genders`: shares, ratio 0–1.
/// - `audience`: [`AudienceSlice`]s: `followers` by `country` and by `gender` as estimated
///   counts (`round(share × followers_count)`, timeframe `current`; left out with a
///   warning when `followers_count` is absent), and `followers` by `active_hour` (key the
///   hour as sent, `"00"`–`"23"`, value the `audience_activity` count, timeframe the date).
///
/// Errors: see [`map_business_error`]; a success without a `data` object →
/// [`PlatformError::Decode`].
pub fn decode_business_account(answer: &Answer, business_id: &str) -> Result<BusinessAccount, PlatformError> {
    let data = business_data(answer)?;
    let a: BizAccount = from_data(answer, "data", data)?;
    let mut out = BusinessAccount {
        profile: Profile {
            external_id: business_id.to_string(),
            username: a.username.filter(|s| !s.is_empty()),
            display_name: a.display_name.filter(|s| !s.is_empty()),
            avatar_url: a.profile_image.filter(|s| !s.is_empty()),
        },
        followers_count: a.followers_count,
        audience_countries: shares(a.audience_countries, |s| s.country.clone()),
        audience_genders: shares(a.audience_genders, |s| s.gender.clone()),
        ..BusinessAccount::default()
    };
    for (i, item) in a.metrics.into_iter().enumerate() {
        let day: BizDay = match serde_json::from_value(item) {
            Ok(d) => d,
            Err(e) => {
                out.warnings.push(warning(
                    "decode",
                    format!("{}: day {i} of `metrics` was skipped: {e}", answer.endpoint),
                ));
                continue;
            }
        };
        let Some(start) = NaiveDate::parse_from_str(day.date.trim(), "%Y-%m-%d")
            .ok()
            .and_then(midnight)
        else {
            out.warnings.push(warning(
                "decode",
                format!(
                    "{}: day {i} of `metrics` has an unreadable date {:?}",
                    answer.endpoint, day.date
                ),
            ));
            continue;
        };
        let raws = [
            day.followers_count,
            day.profile_views,
            day.video_views,
            day.likes,
            day.comments,
            day.shares,
        ];
        for (field, raw) in BUSINESS_DAILY_FIELDS.iter().zip(raws) {
            if let Some((key, value)) = catalog(field, raw) {
                out.daily.push(AccountMetric {
                    metric: key.to_string(),
                    period: Period::Day,
                    period_start: start,
                    period_end: start + Duration::days(1),
                    value,
                });
            }
        }
        let date = day.date.trim().to_string();
        for hour in day.audience_activity {
            let Ok(h) = serde_json::from_value::<BizActivity>(hour) else {
                continue;
            };
            let (Some(hour), Some(count)) = (h.hour, h.count) else {
                continue;
            };
            let key = match hour.trim().parse::<u32>() {
                Ok(n) if n < 24 => format!("{n:02}"),
                _ => hour.trim().to_string(),
            };
            out.audience.push(AudienceSlice {
                audience: "followers".into(),
                dimension: "active_hour".into(),
                key,
                value: count,
                timeframe: date.clone(),
            });
        }
    }
    let breakdowns = [("country", &out.audience_countries), ("gender", &out.audience_genders)];
    let mut slices = Vec::new();
    for (dimension, list) in breakdowns {
        if list.is_empty() {
            continue;
        }
        match out.followers_count {
            Some(followers) => slices.extend(list.iter().map(|s| AudienceSlice {
                audience: "followers".into(),
                dimension: dimension.into(),
                key: s.key.clone(),
                value: (s.share * followers).round(),
                timeframe: "current".into(),
            })),
            None => out.warnings.push(warning(
                "missing_followers",
                format!(
                    "{}: audience by {dimension} left out: no followers_count to turn shares into counts",
                    answer.endpoint
                ),
            )),
        }
    }
    out.audience.extend(slices);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alcance_core::catalog::map_value;

    #[test]
    fn every_mapped_field_has_a_catalog_key() {
        for f in PROFILE_FIELDS
            .iter()
            .chain(VIDEO_FIELDS_MAPPED)
            .chain(BUSINESS_VIDEO_FIELDS_MAPPED)
            .chain(BUSINESS_DAILY_FIELDS)
        {
            assert!(map_value(Platform::Tiktok, f, 1.0).is_some(), "{f} has no catalog key");
        }
        assert_eq!(
            map_value(Platform::Tiktok, "likes_count", 5.0),
            Some(("total_likes_received", 5.0))
        );
        assert_eq!(
            map_value(Platform::Tiktok, "full_video_watched_rate", 0.25),
            Some(("full_watch_rate", 0.25))
        );
    }

    #[test]
    fn watch_rate_is_a_ratio() {
        assert_eq!(watch_rate_ratio(Some(0.42)), Some(0.42));
        assert_eq!(watch_rate_ratio(Some(42.0)), Some(0.42));
        assert_eq!(watch_rate_ratio(Some(-1.0)), None);
        assert_eq!(watch_rate_ratio(None), None);
    }

    #[test]
    fn shares_in_percent_are_scaled() {
        let items = vec![
            serde_json::json!({"country": "BR", "percentage": 61}),
            serde_json::json!({"country": "PT", "percentage": 0.5}),
            serde_json::json!({"percentage": 3}),
        ];
        let s = shares(items, |s| s.country.clone());
        assert_eq!(s.len(), 2);
        assert!((s[0].share - 0.61).abs() < 1e-9 && (s[1].share - 0.005).abs() < 1e-9);
    }
}
