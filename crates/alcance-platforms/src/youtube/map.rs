//! YouTube wire DTOs → `alcance_core` records (through the metric catalog), Google's error
//! envelope → [`PlatformError`], ISO 8601 durations → seconds, and the quota day (midnight
//! Pacific Time).

use super::wire::{self, ColumnHeader, ErrorEnvelope, ListResponse, PlaylistItem, ResultTable};
use super::{Channel, CommentThreadsPage, DailyReport, UploadsPage, VideoReport, VideosPage};
use crate::catalog_field;
use crate::error::{body_preview, PlatformError};
use crate::http::Answer;
use crate::lenient::kind as json_kind;
use alcance_core::time::parse_platform_time;
use alcance_core::{
    AccountMetric, CollectWarning, ContentType, DataGap, EventLevel, MediaKind, Period, Platform, PostMedia, PostRecord,
};
use chrono::{DateTime, Datelike, Duration as ChronoDuration, NaiveDate, TimeZone, Utc};
use chrono_tz::America::Los_Angeles;
use serde_json::Value;
use std::time::Duration;

/// Data API v3 units a Google Cloud project may spend per day by default
/// (platform-apis-more.md §1.4); shared by every install of the same developer app.
pub const DAILY_QUOTA_UNITS: u32 = 10_000;

/// The Data API v3 quota cost of one request (developers.google.com/youtube/v3/determine_quota_cost):
/// every `list` (a `GET`) costs 1 unit, `search.list` 100 (it has its own bucket of 100
/// calls a day since 2026-06; counting it at 100 keeps the shared budget safe either way),
/// `insert` / `update` / `delete` 50. Analytics API v2 requests (`/v2/reports`) do not draw
/// on the Data API quota: 0.
pub fn quota_cost(method: &str, path: &str) -> u32 {
    if !path.contains("/youtube/v3/") {
        return 0;
    }
    if path.trim_end_matches('/').ends_with("/search") {
        return 100;
    }
    if method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD") {
        1
    } else {
        50
    }
}

/// When the Data API quota next resets after `now`: the next midnight in Pacific Time
/// (`America/Los_Angeles`, so PST or PDT), in UTC (platform-apis-more.md §1.4).
pub fn next_quota_reset(now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&Los_Angeles).date_naive();
    let next = local.succ_opt().unwrap_or(local);
    pacific_midnight(next).unwrap_or(now + ChronoDuration::hours(24))
}

/// Midnight of `day` in Pacific Time, in UTC (`None` only for dates chrono cannot hold).
fn pacific_midnight(day: NaiveDate) -> Option<DateTime<Utc>> {
    let naive = day.and_hms_opt(0, 0, 0)?;
    // Midnight exists on every Pacific day (the DST switches happen at 02:00).
    Los_Angeles
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// Parses an ISO 8601 duration as YouTube serves it in `contentDetails.duration` into
/// seconds: `PT#H#M#S`, `P#DT#H#M#S` for videos of a day or more, `P#W`, and `P0D` / `PT0S`
/// for live and upcoming broadcasts (0). Each number may carry a decimal fraction (`.` or
/// `,`). Years and months are refused (`None`): their length in seconds is not fixed, and
/// YouTube does not use them. Anything else (empty, a missing `P`, a unit out of order, a
/// unit twice, a `T` without a time unit, a number without a unit) is `None`.
pub fn parse_duration(text: &str) -> Option<f64> {
    let rest = text
        .trim()
        .strip_prefix('P')
        .or_else(|| text.trim().strip_prefix('p'))?;
    if rest.is_empty() {
        return None;
    }
    let (date_part, time_part) = match rest.find(['T', 't']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let mut total = 0.0;
    let mut any = false;
    let mut read = |part: &str, units: &[(char, f64)]| -> Option<()> {
        let mut number = String::new();
        let mut next_unit = 0;
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' || c == ',' {
                number.push(if c == ',' { '.' } else { c });
                continue;
            }
            let c = c.to_ascii_uppercase();
            let at = units.iter().skip(next_unit).position(|(u, _)| *u == c)? + next_unit;
            if number.is_empty() {
                return None;
            }
            let value: f64 = number.parse().ok().filter(|v: &f64| v.is_finite() && *v >= 0.0)?;
            total += value * units[at].1;
            any = true;
            number.clear();
            next_unit = at + 1;
        }
        number.is_empty().then_some(())
    };
    read(date_part, &[('W', 604_800.0), ('D', 86_400.0)])?;
    if let Some(time) = time_part {
        if time.is_empty() {
            return None;
        }
        read(time, &[('H', 3_600.0), ('M', 60.0), ('S', 1.0)])?;
    }
    any.then_some(total)
}

/// Maps a non-2xx answer (Google's error envelope, or anything else) to the variant the
/// caller acts on, naming the endpoint in the message:
///
/// | answer | error |
/// |---|---|
/// | 401 (`authError`, "Invalid Credentials") | [`PlatformError::Unauthorized`]: refresh, then re-authorize |
/// | 403 `quotaExceeded` / `dailyLimitExceeded` | [`PlatformError::RateLimited`], `retry_after` = until the next Pacific-time midnight |
/// | 403 `rateLimitExceeded` / `userRateLimitExceeded`, 429 | [`PlatformError::RateLimited`] (`Retry-After` when sent, else `None`: back off) |
/// | other 403 (`insufficientPermissions`, `forbidden`, `PERMISSION_DENIED`) | [`PlatformError::Forbidden`] |
/// | 404, or a reason ending in `NotFound` | [`PlatformError::NotFound`] |
/// | anything else (400 `keyInvalid`, 5xx, an HTML page) | [`PlatformError::Api`] with the first reason as `code` |
pub fn map_error(answer: &Answer) -> PlatformError {
    map_error_at(answer, Utc::now())
}

/// [`map_error`] with the current time given (the quota reset is computed from it).
pub(super) fn map_error_at(answer: &Answer, now: DateTime<Utc>) -> PlatformError {
    let endpoint = answer.endpoint.as_str();
    let envelope = serde_json::from_slice::<ErrorEnvelope>(&answer.body)
        .ok()
        .and_then(|e| e.error);
    let first = envelope.as_ref().and_then(|e| e.errors.first());
    let reason = first.and_then(|i| i.reason.clone());
    let domain = first.and_then(|i| i.domain.clone());
    let message = envelope
        .as_ref()
        .and_then(|e| e.message.clone().or_else(|| first.and_then(|i| i.message.clone())))
        .unwrap_or_else(|| {
            if answer.body.is_empty() {
                "no body".to_string()
            } else {
                body_preview(&answer.body)
            }
        });
    let status_text = envelope.as_ref().and_then(|e| e.status.clone());
    let described = match (&reason, &status_text) {
        (Some(r), _) => format!("{endpoint}: HTTP {} ({r}): {message}", answer.status),
        (None, Some(s)) => format!("{endpoint}: HTTP {} ({s}): {message}", answer.status),
        (None, None) => format!("{endpoint}: HTTP {}: {message}", answer.status),
    };
    let reason_is = |names: &[&str]| reason.as_deref().is_some_and(|r| names.contains(&r));
    if answer.status == 401 {
        return PlatformError::Unauthorized { message: described };
    }
    if reason_is(&["quotaExceeded", "dailyLimitExceeded"]) || domain.as_deref() == Some("youtube.quota") {
        let reset = next_quota_reset(now);
        let wait = (reset - now).to_std().unwrap_or(Duration::from_secs(60));
        return PlatformError::RateLimited {
            retry_after: Some(wait.max(Duration::from_secs(1))),
            message: format!("{described}; the YouTube quota resets at midnight Pacific Time ({reset})"),
        };
    }
    if answer.status == 429 || reason_is(&["rateLimitExceeded", "userRateLimitExceeded"]) {
        return PlatformError::RateLimited {
            retry_after: crate::governor::retry_after_of(&answer.headers),
            message: described,
        };
    }
    if answer.status == 404 || reason.as_deref().is_some_and(|r| r.ends_with("NotFound")) {
        return PlatformError::NotFound { message: described };
    }
    if answer.status == 403 {
        return PlatformError::Forbidden { message: described };
    }
    PlatformError::Api {
        endpoint: endpoint.to_string(),
        status: answer.status,
        code: reason.or(status_text),
        message,
    }
}

/// The list envelope of a 2xx answer; non-2xx answers go through [`map_error`].
fn list(answer: &Answer, expected_kind: &str) -> Result<(ListResponse, Vec<Value>), PlatformError> {
    if !answer.is_success() {
        return Err(map_error(answer));
    }
    let env: ListResponse = answer.json()?;
    if let Some(kind) = env.kind.as_deref() {
        if kind != expected_kind {
            return Err(PlatformError::decode(
                &answer.endpoint,
                format!("expected a {expected_kind} answer, got {kind}"),
                &answer.body,
            ));
        }
    }
    let items = match &env.items {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(other) => {
            return Err(PlatformError::decode(
                &answer.endpoint,
                format!("`items` is not an array but {}", json_kind(other)),
                &answer.body,
            ))
        }
    };
    if env.kind.is_none() && env.items.is_none() {
        return Err(PlatformError::decode(
            &answer.endpoint,
            "neither `kind` nor `items`: not a YouTube list answer",
            &answer.body,
        ));
    }
    Ok((env, items))
}

fn warn(endpoint: &str, code: &str, message: String) -> CollectWarning {
    CollectWarning {
        level: EventLevel::Warn,
        code: code.to_string(),
        message: format!("{endpoint}: {message}"),
    }
}

/// Decodes `channels.list` (`mine=true`, `forHandle=`, `id=`): every readable channel, in
/// the order served. An answer without `items` (no channel has that handle or id, or the
/// Google account has no channel) is an empty list.
///
/// Errors: non-2xx → [`map_error`]; a body that is not a `youtube#channelListResponse`,
/// or a channel without an `id` → [`PlatformError::Decode`] naming the endpoint.
pub fn decode_channels(answer: &Answer) -> Result<Vec<Channel>, PlatformError> {
    let (_, items) = list(answer, "youtube#channelListResponse")?;
    items
        .into_iter()
        .map(|v| {
            serde_json::from_value::<wire::Channel>(v)
                .map(channel_from_wire)
                .map_err(|e| PlatformError::decode(&answer.endpoint, format!("items[]: {e}"), &answer.body))
        })
        .collect()
}

fn channel_from_wire(c: wire::Channel) -> Channel {
    let snippet = c.snippet;
    let stats = c.statistics;
    let hidden = stats.as_ref().and_then(|s| s.hidden_subscriber_count).unwrap_or(false);
    let avatar_url = snippet.as_ref().and_then(|s| s.thumbnails.as_ref()).and_then(|t| {
        [&t.high, &t.medium, &t.default]
            .into_iter()
            .flatten()
            .find_map(|th| th.url.clone())
    });
    Channel {
        title: snippet.as_ref().and_then(|s| s.title.clone()),
        handle: snippet
            .as_ref()
            .and_then(|s| s.custom_url.as_deref())
            .map(|u| u.trim().trim_start_matches('@').to_string())
            .filter(|u| !u.is_empty()),
        avatar_url,
        published_at: snippet
            .as_ref()
            .and_then(|s| s.published_at.as_deref())
            .and_then(parse_platform_time),
        uploads_playlist: c
            .content_details
            .and_then(|d| d.related_playlists)
            .and_then(|p| p.uploads)
            .filter(|u| !u.is_empty()),
        // Whether YouTube omits `subscriberCount` or sends "0" when the owner hides it is
        // not documented (platform-apis-more.md §1.2 "verify"): both read as no value here.
        subscribers: if hidden {
            None
        } else {
            stats.as_ref().and_then(|s| s.subscriber_count)
        },
        hidden_subscribers: hidden,
        views: stats.as_ref().and_then(|s| s.view_count),
        videos: stats.as_ref().and_then(|s| s.video_count),
        statistics_served: stats.is_some(),
        id: c.id,
    }
}

/// Account snapshots of a channel, stamped `at` (UTC): `followers`
/// (`statistics.subscriberCount`), `total_video_views` (`statistics.viewCount`) and
/// `media_count` (`statistics.videoCount`); a counter the answer lacks gives `value: None`.
/// When the owner hides the subscriber count (`hiddenSubscriberCount: true`) no `followers`
/// value is stored at all (never 0) and a [`DataGap`] with code `hidden_by_owner` says why.
/// A channel read without `part=statistics` gives no snapshot at all.
pub fn channel_metrics(channel: &Channel, at: DateTime<Utc>) -> (Vec<AccountMetric>, Vec<DataGap>) {
    let mut metrics = Vec::new();
    let mut gaps = Vec::new();
    if !channel.statistics_served {
        return (metrics, gaps);
    }
    if channel.hidden_subscribers {
        gaps.push(DataGap {
            what: "statistics.subscriberCount".to_string(),
            object_id: channel.id.clone(),
            code: "hidden_by_owner".to_string(),
            detail: "the channel hides its subscriber count (hiddenSubscriberCount)".to_string(),
        });
    } else {
        metrics.extend(catalog_field::snapshot(
            Platform::Youtube,
            "channels.statistics.subscriberCount",
            channel.subscribers,
            at,
        ));
    }
    metrics.extend(catalog_field::snapshot(
        Platform::Youtube,
        "channels.statistics.viewCount",
        channel.views,
        at,
    ));
    metrics.extend(catalog_field::snapshot(
        Platform::Youtube,
        "channels.statistics.videoCount",
        channel.videos,
        at,
    ));
    (metrics, gaps)
}

/// A `commentThreads.list?part=snippet,replies&videoId=…` page: each thread's top-level
/// comment and the replies embedded with it. `edited` is not carried (a comment's
/// `updatedAt` after its `publishedAt`): the store marks a comment edited when its text
/// changes between two reads.
///
/// Errors: [`map_error`] for non-2xx answers (403 `commentsDisabled`, 404
/// `videoNotFound`, the quota); [`PlatformError::Decode`] for a body that is not a thread
/// list.
pub fn decode_comment_threads(answer: &Answer) -> Result<CommentThreadsPage, PlatformError> {
    let (env, items) = list(answer, "youtube#commentThreadListResponse")?;
    let mut page = CommentThreadsPage {
        next_page_token: env.next_page_token.filter(|t| !t.is_empty()),
        replies_complete: true,
        ..CommentThreadsPage::default()
    };
    for (i, thread) in items.into_iter().enumerate() {
        let top = &thread["snippet"]["topLevelComment"];
        let video = thread["snippet"]["videoId"]
            .as_str()
            .or_else(|| top["snippet"]["videoId"].as_str());
        let Some(record) = youtube_comment(top, video, None) else {
            page.warnings.push(warn(
                &answer.endpoint,
                "decode",
                format!("items[{i}] has no top-level comment id; skipped"),
            ));
            continue;
        };
        let parent = record.external_id.clone();
        let replies: Vec<&Value> = thread["replies"]["comments"]
            .as_array()
            .map(|r| r.iter().collect())
            .unwrap_or_default();
        let total = thread["snippet"]["totalReplyCount"].as_i64();
        if total.is_some_and(|t| t > replies.len() as i64) {
            page.replies_complete = false;
        }
        let reply_count = total.or(Some(replies.len() as i64));
        page.comments
            .push(alcance_core::CommentRecord { reply_count, ..record });
        for reply in replies {
            if let Some(r) = youtube_comment(reply, video, Some(&parent)) {
                page.comments.push(r);
            }
        }
    }
    Ok(page)
}

/// One `youtube#comment` resource as a record on video `video`: `id`, `snippet.textOriginal`
/// (else `textDisplay`), `authorDisplayName` (the `@handle`, without `@`),
/// `authorChannelId.value`, `likeCount`, `publishedAt`; a reply when `parent` is given
/// (else `snippet.parentId`). `None` without an id.
fn youtube_comment(c: &Value, video: Option<&str>, parent: Option<&str>) -> Option<alcance_core::CommentRecord> {
    let id = c["id"].as_str().filter(|s| !s.trim().is_empty())?.to_string();
    let s = &c["snippet"];
    let parent = parent
        .map(str::to_string)
        .or_else(|| s["parentId"].as_str().map(str::to_string));
    Some(alcance_core::CommentRecord {
        external_id: id,
        post_external_id: video.or_else(|| s["videoId"].as_str()).map(str::to_string),
        kind: if parent.is_some() {
            alcance_core::CommentKind::Reply
        } else {
            alcance_core::CommentKind::Comment
        },
        parent_external_id: parent,
        author_id: s["authorChannelId"]["value"].as_str().map(str::to_string),
        author_handle: s["authorDisplayName"]
            .as_str()
            .map(|h| h.trim().trim_start_matches('@').to_string())
            .filter(|h| !h.is_empty()),
        created_at: s["publishedAt"].as_str().and_then(parse_platform_time),
        text: s["textOriginal"]
            .as_str()
            .or_else(|| s["textDisplay"].as_str())
            .map(str::to_string),
        like_count: s["likeCount"].as_i64(),
        reply_count: None,
    })
}

/// Decodes one `playlistItems.list` page of the uploads playlist: each item's video id
/// (`contentDetails.videoId`, else `snippet.resourceId.videoId`) and publish time
/// (`contentDetails.videoPublishedAt`), `nextPageToken` and `pageInfo.totalResults`. An item
/// without a video id is skipped with a warning.
///
/// Errors: non-2xx → [`map_error`]; a body that is not a
/// `youtube#playlistItemListResponse` → [`PlatformError::Decode`].
pub fn decode_uploads(answer: &Answer) -> Result<UploadsPage, PlatformError> {
    let (env, items) = list(answer, "youtube#playlistItemListResponse")?;
    let mut page = UploadsPage {
        next_page_token: env.next_page_token.filter(|t| !t.is_empty()),
        total_results: env.page_info.and_then(|p| p.total_results),
        ..UploadsPage::default()
    };
    for (i, v) in items.into_iter().enumerate() {
        let item = serde_json::from_value::<PlaylistItem>(v).ok();
        let content = item.as_ref().and_then(|i| i.content_details.as_ref());
        let id = content.and_then(|c| c.video_id.clone()).or_else(|| {
            item.as_ref()
                .and_then(|i| i.snippet.as_ref())
                .and_then(|s| s.resource_id.as_ref())
                .and_then(|r| r.video_id.clone())
        });
        match id.filter(|id| !id.trim().is_empty()) {
            Some(id) => page.videos.push((
                id,
                content
                    .and_then(|c| c.video_published_at.as_deref())
                    .and_then(parse_platform_time),
            )),
            None => page.warnings.push(warn(
                &answer.endpoint,
                "decode",
                format!("items[{i}] has no video id; skipped"),
            )),
        }
    }
    Ok(page)
}

/// The known `status.privacyStatus` values.
const PRIVACY: &[&str] = &["public", "unlisted", "private"];
/// The known `status.uploadStatus` values.
const UPLOAD: &[&str] = &["processed", "uploaded", "failed", "rejected", "deleted"];
/// The known `snippet.liveBroadcastContent` values.
const LIVE: &[&str] = &["none", "upcoming", "live", "completed"];

/// Decodes a `videos.list` answer (parts `snippet,statistics,contentDetails,status`): one
/// post per video (content type `video`; `Other("live")` while a broadcast is upcoming or
/// live), permalink `https://www.youtube.com/watch?v={id}`, caption = title; and per video
/// `video_views` (`statistics.viewCount`), `likes` (`likeCount`), `comments`
/// (`commentCount`), each `None` when YouTube hides it, and `video_duration` (seconds, from
/// `contentDetails.duration`; absent when it cannot be parsed, with a warning).
///
/// An item that cannot be read (no `id`) and an unknown `privacyStatus` / `uploadStatus` /
/// `liveBroadcastContent` value each give a warning naming the endpoint, the video and the
/// value; the rest of the answer (and an unknown-status video itself) is kept. Ids YouTube
/// does not return (deleted or private videos) are the caller's to notice: see
/// [`super::YouTubeClient::videos`].
///
/// Errors: non-2xx → [`map_error`]; a body that is not a `youtube#videoListResponse` →
/// [`PlatformError::Decode`].
pub fn decode_videos(answer: &Answer) -> Result<VideosPage, PlatformError> {
    let (_, items) = list(answer, "youtube#videoListResponse")?;
    let endpoint = answer.endpoint.as_str();
    let mut page = VideosPage::default();
    for (i, v) in items.into_iter().enumerate() {
        let video = match serde_json::from_value::<wire::Video>(v) {
            Ok(video) => video,
            Err(e) => {
                page.warnings
                    .push(warn(endpoint, "decode", format!("items[{i}] unreadable, skipped: {e}")));
                continue;
            }
        };
        let id = video.id.clone();
        let mut unknown = |field: &str, value: Option<&str>, known: &[&str]| {
            if let Some(v) = value.filter(|v| !known.contains(v)) {
                page.warnings.push(warn(
                    endpoint,
                    "unknown_value",
                    format!(
                        "video {id}: unknown {field} {v:?} (expected one of {}); the video is kept",
                        known.join(", ")
                    ),
                ));
            }
        };
        let status = video.status.as_ref();
        unknown(
            "status.privacyStatus",
            status.and_then(|s| s.privacy_status.as_deref()),
            PRIVACY,
        );
        unknown(
            "status.uploadStatus",
            status.and_then(|s| s.upload_status.as_deref()),
            UPLOAD,
        );
        let live = video.snippet.as_ref().and_then(|s| s.live_broadcast_content.as_deref());
        unknown("snippet.liveBroadcastContent", live, LIVE);
        if let Some(stats) = &video.statistics {
            let fields = [
                ("videos.statistics.viewCount", stats.view_count),
                ("videos.statistics.likeCount", stats.like_count),
                ("videos.statistics.commentCount", stats.comment_count),
            ];
            for (field, raw) in fields {
                page.metrics
                    .extend(catalog_field::post_metric(Platform::Youtube, &id, field, raw));
            }
        }
        if let Some(text) = video.content_details.as_ref().and_then(|d| d.duration.as_deref()) {
            match parse_duration(text) {
                Some(seconds) => page.metrics.extend(catalog_field::post_metric(
                    Platform::Youtube,
                    &id,
                    "videos.contentDetails.duration",
                    Some(seconds),
                )),
                None => page.warnings.push(warn(
                    endpoint,
                    "decode",
                    format!("video {id}: contentDetails.duration {text:?} is not an ISO 8601 duration; not stored"),
                )),
            }
        }
        let thumbnail = video
            .snippet
            .as_ref()
            .and_then(|s| s.thumbnails.as_ref())
            .and_then(|t| {
                [&t.medium, &t.high, &t.default]
                    .into_iter()
                    .flatten()
                    .find_map(|t| t.url.clone())
            });
        page.media
            .extend(PostMedia::new(&id, MediaKind::Thumbnail, thumbnail.as_deref()));
        page.posts.push(PostRecord {
            published_at: video
                .snippet
                .as_ref()
                .and_then(|s| s.published_at.as_deref())
                .and_then(parse_platform_time),
            content_type: match live {
                Some("upcoming" | "live") => ContentType::Other("live".to_string()),
                _ => ContentType::Video,
            },
            permalink: Some(format!("https://www.youtube.com/watch?v={id}")),
            caption: video.snippet.and_then(|s| s.title),
            external_id: video.id,
        });
    }
    Ok(page)
}

/// Decodes a YouTube Analytics v2 `reports` answer with `dimensions=day`: the `day` column
/// (`YYYY-MM-DD`) gives each row's period, midnight to midnight Pacific Time (YouTube
/// Analytics reports days in Pacific Time: inferred from the quota day and the Studio's
/// dates, not stated in the `reports.query` reference), stored in UTC; every metric column
/// with a catalog source (`views` → `video_views`, `estimatedMinutesWatched` →
/// `watch_time_seconds` × 60, `averageViewDuration` → `watch_time_avg_seconds`, `likes`,
/// `comments`, `shares`, `subscribersGained` → `followers_gained`, `subscribersLost` →
/// `followers_lost`) gives one [`Period::Day`] value (a `null` cell: `value: None`). Other
/// metric columns are listed in [`DailyReport::unmapped_columns`]. Column order comes from
/// `columnHeaders`, never assumed. No `rows` (no data in the range) is an empty report.
///
/// A row whose day cannot be read, or that is shorter than the headers, is skipped with a
/// [`DataGap`] (code `decode`).
///
/// Errors: non-2xx → [`map_error`]; a body without `columnHeaders`, or without a `day`
/// column → [`PlatformError::Decode`] naming the endpoint.
pub fn decode_report(answer: &Answer) -> Result<DailyReport, PlatformError> {
    let table = read_table(answer, "day", "the report was not asked with dimensions=day")?;
    let mut report = DailyReport {
        unmapped_columns: table.unmapped,
        gaps: table.gaps,
        ..DailyReport::default()
    };
    for (r, cells) in table.rows {
        let day = cells
            .get(table.dimension)
            .and_then(Value::as_str)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let bounds = day.and_then(|d| Some((pacific_midnight(d)?, pacific_midnight(d.succ_opt()?)?)));
        let Some((start, end)) = bounds else {
            let cell = cells.get(table.dimension).cloned().unwrap_or(Value::Null);
            report.gaps.push(row_gap(
                &answer.endpoint,
                r,
                "its day is not a YYYY-MM-DD date".to_string(),
                &cell,
            ));
            continue;
        };
        report.rows += 1;
        for (i, field) in &table.columns {
            let raw = cells.get(*i).and_then(crate::meta::number);
            if let Some((key, value)) = catalog_field::catalog(Platform::Youtube, field, raw) {
                report.metrics.push(AccountMetric {
                    metric: key.to_string(),
                    period: Period::Day,
                    period_start: start,
                    period_end: end,
                    value,
                });
            }
        }
    }
    Ok(report)
}

/// Decodes a YouTube Analytics v2 `reports` answer with `dimensions=video` (one row per
/// video, totals over the asked range): every metric column with a catalog source
/// (`estimatedMinutesWatched` → `watch_time_seconds` × 60, `averageViewDuration` →
/// `watch_time_avg_seconds`, `shares`) gives one [`PostMetric`] of the row's video. A row
/// without a video id, or shorter than the headers, is skipped with a [`DataGap`] (code
/// `decode`); other metric columns are listed in [`VideoReport::unmapped_columns`].
///
/// Errors: non-2xx → [`map_error`]; a body without `columnHeaders`, or without a `video`
/// column → [`PlatformError::Decode`] naming the endpoint.
pub fn decode_video_report(answer: &Answer) -> Result<VideoReport, PlatformError> {
    let table = read_table(answer, "video", "the report was not asked with dimensions=video")?;
    let mut report = VideoReport {
        unmapped_columns: table.unmapped,
        gaps: table.gaps,
        ..VideoReport::default()
    };
    for (r, cells) in table.rows {
        let Some(video) = cells
            .get(table.dimension)
            .and_then(Value::as_str)
            .filter(|v| !v.trim().is_empty())
        else {
            let cell = cells.get(table.dimension).cloned().unwrap_or(Value::Null);
            report
                .gaps
                .push(row_gap(&answer.endpoint, r, "it names no video".to_string(), &cell));
            continue;
        };
        report.rows += 1;
        for (i, field) in &table.columns {
            let raw = cells.get(*i).and_then(crate::meta::number);
            report
                .metrics
                .extend(catalog_field::post_metric(Platform::Youtube, video, field, raw));
        }
    }
    Ok(report)
}

/// A result table's rows that have every column, with the dimension's column and the
/// metric columns that have a catalog source (`reports.<name>`).
struct Table {
    dimension: usize,
    columns: Vec<(usize, String)>,
    rows: Vec<(usize, Vec<Value>)>,
    unmapped: Vec<String>,
    gaps: Vec<DataGap>,
}

/// Reads a `reports` result table whose dimension column is `dimension`; `missing` says
/// why a table without it is wrong. Rows shorter than the headers become gaps.
fn read_table(answer: &Answer, dimension: &str, missing: &str) -> Result<Table, PlatformError> {
    if !answer.is_success() {
        return Err(map_error(answer));
    }
    let table: ResultTable = answer.json()?;
    let headers: Vec<Option<String>> = match table.column_headers {
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|v| serde_json::from_value::<ColumnHeader>(v).ok().and_then(|h| h.name))
            .collect(),
        _ => {
            return Err(PlatformError::decode(
                &answer.endpoint,
                "no `columnHeaders` array: not a YouTube Analytics result table",
                &answer.body,
            ))
        }
    };
    let Some(dim_col) = headers.iter().position(|h| h.as_deref() == Some(dimension)) else {
        return Err(PlatformError::decode(
            &answer.endpoint,
            format!("no `{dimension}` column: {missing}"),
            &answer.body,
        ));
    };
    let mut out = Table {
        dimension: dim_col,
        columns: Vec::new(),
        rows: Vec::new(),
        unmapped: Vec::new(),
        gaps: Vec::new(),
    };
    for (i, h) in headers.iter().enumerate() {
        let Some(name) = h.as_deref().filter(|_| i != dim_col) else {
            continue;
        };
        let field = format!("reports.{name}");
        if catalog_field::catalog(Platform::Youtube, &field, None).is_some() {
            out.columns.push((i, field));
        } else {
            out.unmapped.push(name.to_string());
        }
    }
    let rows = match table.rows {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(rows)) => rows,
        Some(other) => {
            return Err(PlatformError::decode(
                &answer.endpoint,
                format!("`rows` is not an array but {}", json_kind(&other)),
                &answer.body,
            ))
        }
    };
    for (r, row) in rows.into_iter().enumerate() {
        match row {
            Value::Array(cells) if cells.len() >= headers.len() => out.rows.push((r, cells)),
            other => out.gaps.push(row_gap(
                &answer.endpoint,
                r,
                format!("not a row of {} cells", headers.len()),
                &other,
            )),
        }
    }
    Ok(out)
}

fn row_gap(endpoint: &str, row: usize, why: String, value: &Value) -> DataGap {
    let shown: String = value.to_string().chars().take(80).collect();
    DataGap {
        what: format!("{endpoint} rows[{row}]"),
        object_id: String::new(),
        code: "decode".to_string(),
        detail: format!("row {row} skipped: {why} ({shown})"),
    }
}

/// The Pacific-Time calendar day `t` falls on (the day YouTube Analytics and the quota use).
pub(super) fn pacific_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&Los_Angeles).date_naive()
}

/// `YYYY-MM-DD` of a date, for Analytics `startDate` / `endDate`.
pub(super) fn ymd(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderMap;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
            endpoint: "/youtube/v3/videos".to_string(),
        }
    }

    #[test]
    fn per_video_reports_become_post_metrics() {
        let body = r#"{"kind":"youtubeAnalytics#resultTable","columnHeaders":[
            {"name":"video","columnType":"DIMENSION","dataType":"STRING"},
            {"name":"estimatedMinutesWatched","columnType":"METRIC","dataType":"INTEGER"},
            {"name":"averageViewDuration","columnType":"METRIC","dataType":"INTEGER"},
            {"name":"shares","columnType":"METRIC","dataType":"INTEGER"},
            {"name":"redViews","columnType":"METRIC","dataType":"INTEGER"}],
          "rows":[["vid1",10,42,3,0],["",1,1,1,0],["vid2",null,30,0,0],["short"]]}"#;
        let report = decode_video_report(&answer(200, body)).expect("report");
        assert_eq!(report.rows, 2);
        assert_eq!(report.unmapped_columns, vec!["redViews"]);
        assert_eq!(report.gaps.len(), 2, "{:?}", report.gaps);
        let got: Vec<(&str, &str, Option<f64>)> = report
            .metrics
            .iter()
            .map(|m| (m.post_external_id.as_str(), m.metric.as_str(), m.value))
            .collect();
        assert_eq!(
            got,
            vec![
                ("vid1", "watch_time_seconds", Some(600.0)),
                ("vid1", "watch_time_avg_seconds", Some(42.0)),
                ("vid1", "shares", Some(3.0)),
                ("vid2", "watch_time_seconds", None),
                ("vid2", "watch_time_avg_seconds", Some(30.0)),
                ("vid2", "shares", Some(0.0)),
            ]
        );
        let day_table = r#"{"columnHeaders":[{"name":"day"},{"name":"views"}],"rows":[]}"#;
        assert!(matches!(
            decode_video_report(&answer(200, day_table)),
            Err(PlatformError::Decode { .. })
        ));
    }

    #[test]
    fn durations_become_seconds() {
        let cases = [
            ("PT3M34S", Some(214.0)),
            ("PT1H2M3S", Some(3723.0)),
            ("PT15S", Some(15.0)),
            ("PT2H", Some(7200.0)),
            ("P1DT2H", Some(93_600.0)),
            ("P1W", Some(604_800.0)),
            ("P0D", Some(0.0)),
            ("PT0S", Some(0.0)),
            ("PT1.5S", Some(1.5)),
            ("PT0,5S", Some(0.5)),
            ("pt1m", Some(60.0)),
            ("", None),
            ("P", None),
            ("PT", None),
            ("3M", None),
            ("P1Y", None),
            ("P1M", None),
            ("PT1S1M", None),
            ("PT1M1M", None),
            ("PT5", None),
            ("PTS", None),
            ("P1H", None),
            ("PT1..5S", None),
            ("PT-1S", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_duration(text), want, "{text:?}");
        }
    }

    #[test]
    fn the_quota_resets_at_pacific_midnight_in_winter_and_summer() {
        // 2026-12-06 09:00 UTC = 01:00 PST → next reset 2026-12-07 08:00 UTC.
        let winter = Utc.with_ymd_and_hms(2026, 12, 6, 9, 0, 0).single().expect("time");
        assert_eq!(
            next_quota_reset(winter),
            Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).single().expect("time")
        );
        // 2026-07-01 06:59 UTC = 23:59 PDT on 06-30 → reset 2026-07-01 07:00 UTC.
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 6, 59, 0).single().expect("time");
        assert_eq!(
            next_quota_reset(summer),
            Utc.with_ymd_and_hms(2026, 7, 1, 7, 0, 0).single().expect("time")
        );
    }

    #[test]
    fn quota_costs_per_method() {
        assert_eq!(quota_cost("GET", "/youtube/v3/videos"), 1);
        assert_eq!(quota_cost("GET", "/youtube/v3/search"), 100);
        assert_eq!(quota_cost("POST", "/youtube/v3/videos"), 50);
        assert_eq!(quota_cost("GET", "/v2/reports"), 0);
    }

    #[test]
    fn google_errors_map_to_what_the_caller_does() {
        let now = Utc.with_ymd_and_hms(2026, 12, 6, 9, 0, 0).single().expect("time");
        let quota = r#"{"error":{"code":403,"message":"The request cannot be completed because you have exceeded your quota.","errors":[{"message":"quota","domain":"youtube.quota","reason":"quotaExceeded"}]}}"#;
        match map_error_at(&answer(403, quota), now) {
            PlatformError::RateLimited { retry_after, message } => {
                assert_eq!(retry_after, Some(Duration::from_secs(23 * 3600)));
                assert!(message.contains("/youtube/v3/videos") && message.contains("quotaExceeded"));
            }
            other => panic!("{other:?}"),
        }
        let rate = r#"{"error":{"code":403,"message":"slow down","errors":[{"reason":"rateLimitExceeded","domain":"usageLimits"}]}}"#;
        assert!(matches!(
            map_error_at(&answer(403, rate), now),
            PlatformError::RateLimited { retry_after: None, .. }
        ));
        let scope = r#"{"error":{"code":403,"message":"Request had insufficient authentication scopes.","errors":[{"reason":"insufficientPermissions"}],"status":"PERMISSION_DENIED"}}"#;
        assert!(matches!(
            map_error_at(&answer(403, scope), now),
            PlatformError::Forbidden { .. }
        ));
        assert!(matches!(
            map_error_at(&answer(401, ""), now),
            PlatformError::Unauthorized { .. }
        ));
        assert!(matches!(
            map_error_at(&answer(403, ""), now),
            PlatformError::Forbidden { .. }
        ));
        assert!(matches!(
            map_error_at(&answer(429, "<html>"), now),
            PlatformError::RateLimited { retry_after: None, .. }
        ));
        let gone = r#"{"error":{"code":404,"message":"nope","errors":[{"reason":"videoNotFound"}]}}"#;
        assert!(matches!(
            map_error_at(&answer(404, gone), now),
            PlatformError::NotFound { .. }
        ));
        match map_error_at(&answer(500, "<html>oops</html>"), now) {
            PlatformError::Api { status, endpoint, .. } => {
                assert_eq!((status, endpoint.as_str()), (500, "/youtube/v3/videos"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_status_values_warn_and_keep_the_video() {
        let body = r#"{"kind":"youtube#videoListResponse","items":[{"id":"a","status":{"privacyStatus":"members_only","uploadStatus":"processed"},"statistics":{"viewCount":"5"}}]}"#;
        let page = decode_videos(&answer(200, body)).expect("page");
        assert_eq!(page.posts.len(), 1);
        assert_eq!(page.warnings.len(), 1);
        assert!(page.warnings[0].message.contains("/youtube/v3/videos"));
        assert!(page.warnings[0].message.contains("members_only"));
        assert_eq!(page.warnings[0].code, "unknown_value");
    }
}
