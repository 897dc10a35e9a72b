//! The YouTube client: requests, the uploads walk with its guards, batched video reads,
//! the Analytics day series, and `collect`.

use super::map::{
    channel_metrics, decode_channels, decode_comment_threads, decode_report, decode_uploads, decode_video_report,
    decode_videos, pacific_day, ymd,
};
use super::{Channel, DailyReport, VideoReport, VideosPage};
use crate::cursor_walk::CursorWalk;
use crate::endpoints::{join, Endpoints};
use crate::error::PlatformError;
use crate::http::{Answer, Http, Recorder};
use crate::{CollectCtx, PlatformClient};
use alcance_core::{CollectWarning, CollectionBatch, DataGap, EventLevel, Platform, PostRecord, Profile};
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashSet;
use url::Url;

/// The most uploads-playlist pages one walk reads (50 videos each, 1 quota unit each); a
/// walk that stops here says so in a warning (code `page_cap`).
pub const MAX_UPLOAD_PAGES: u32 = 40;
/// Video ids per `videos.list` call (the API's maximum).
pub const VIDEOS_BATCH: usize = 50;
/// The Analytics metrics of the channel's day series, in request order.
pub const ANALYTICS_METRICS: &str =
    "views,estimatedMinutesWatched,averageViewDuration,likes,comments,shares,subscribersGained,subscribersLost";

/// The Analytics metrics asked per video (`dimensions=video`): what the Data API's
/// `statistics` do not serve (watch time, average view duration, shares). Views, likes and
/// comments per video come from `videos.list`, real-time rather than 1–3 days behind.
pub const VIDEO_ANALYTICS_METRICS: &str = "estimatedMinutesWatched,averageViewDuration,shares";

/// `part` of the owner's channel read.
const MINE_PARTS: &str = "snippet,statistics,contentDetails";
/// `part` of a public channel read (`contentDetails` for the uploads playlist, which is
/// public: a tracked channel's videos are walked like the owner's).
const PUBLIC_PARTS: &str = "snippet,statistics,contentDetails";
/// `part` of the video batches.
const VIDEO_PARTS: &str = "snippet,statistics,contentDetails,status";

/// The YouTube Data API v3 + Analytics API v2 client. Cheap to clone. Every request carries
/// `Authorization: Bearer <token>` and is archived (URL scrubbed) in the caller's
/// [`Recorder`].
#[derive(Debug, Clone)]
pub struct YouTubeClient {
    http: Http,
    endpoints: Endpoints,
}

/// Everything an uploads walk collected (see [`YouTubeClient::uploads`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Uploads {
    /// Distinct video ids, newest first as served, published at or after the walk's
    /// `since` (or with no publish time: private videos).
    pub ids: Vec<String>,
    /// Pages that failed after the first, guards that stopped the walk, unreadable items.
    pub warnings: Vec<CollectWarning>,
    /// Why the walk stopped early when a later page failed in a way that stops the account.
    pub stopped: Option<alcance_core::Interruption>,
}

impl YouTubeClient {
    /// A client for the Data API at `endpoints.youtube_api` and the Analytics API at
    /// `endpoints.youtube_analytics`.
    pub fn new(http: Http, endpoints: Endpoints) -> Self {
        Self { http, endpoints }
    }

    async fn get(
        &self,
        token: &SecretString,
        url: Url,
        query: &[(&str, &str)],
        rec: &Recorder,
    ) -> Result<Answer, PlatformError> {
        let request = self
            .http
            .client()
            .get(url)
            .bearer_auth(token.expose_secret())
            .query(query);
        self.http.send(request, rec).await
    }

    fn data(&self, path: &str) -> Url {
        join(&self.endpoints.youtube_api, path)
    }

    /// The token owner's channel: `GET /youtube/v3/channels?part=snippet,statistics,contentDetails&mine=true`.
    ///
    /// Errors: [`super::map_error`] for non-2xx answers (401 → [`PlatformError::Unauthorized`],
    /// 403 `quotaExceeded` → [`PlatformError::RateLimited`] until the Pacific-time reset, …);
    /// a Google account without a channel (no `items`) → [`PlatformError::NotFound`];
    /// [`PlatformError::Decode`] for an unreadable body.
    pub async fn mine(&self, token: &SecretString, rec: &Recorder) -> Result<Channel, PlatformError> {
        let answer = self
            .get(
                token,
                self.data("/channels"),
                &[("part", MINE_PARTS), ("mine", "true")],
                rec,
            )
            .await?;
        decode_channels(&answer)?
            .into_iter()
            .next()
            .ok_or_else(|| PlatformError::NotFound {
                message: format!(
                    "{}: the signed-in Google account has no YouTube channel",
                    answer.endpoint
                ),
            })
    }

    /// A public channel by handle (a leading `@` is dropped and sent back):
    /// `GET /youtube/v3/channels?part=snippet,statistics&forHandle=@{handle}`. Public
    /// statistics only.
    ///
    /// Errors: as [`Self::mine`]; no channel with that handle (200 without `items`) or an
    /// empty handle (no call) → [`PlatformError::NotFound`].
    pub async fn channel_by_handle(
        &self,
        token: &SecretString,
        handle: &str,
        rec: &Recorder,
    ) -> Result<Channel, PlatformError> {
        let handle = handle.trim().trim_start_matches('@');
        if handle.is_empty() {
            return Err(PlatformError::NotFound {
                message: "/youtube/v3/channels: an empty YouTube handle".to_string(),
            });
        }
        let at = format!("@{handle}");
        self.one_channel(token, &[("part", PUBLIC_PARTS), ("forHandle", &at)], &at, rec)
            .await
    }

    /// A public channel by id: `GET /youtube/v3/channels?part=snippet,statistics&id={id}`.
    ///
    /// Errors: as [`Self::channel_by_handle`].
    pub async fn channel_by_id(
        &self,
        token: &SecretString,
        id: &str,
        rec: &Recorder,
    ) -> Result<Channel, PlatformError> {
        let id = id.trim();
        if id.is_empty() {
            return Err(PlatformError::NotFound {
                message: "/youtube/v3/channels: an empty YouTube channel id".to_string(),
            });
        }
        self.one_channel(token, &[("part", PUBLIC_PARTS), ("id", id)], id, rec)
            .await
    }

    async fn one_channel(
        &self,
        token: &SecretString,
        query: &[(&str, &str)],
        what: &str,
        rec: &Recorder,
    ) -> Result<Channel, PlatformError> {
        let answer = self.get(token, self.data("/channels"), query, rec).await?;
        decode_channels(&answer)?
            .into_iter()
            .next()
            .ok_or_else(|| PlatformError::NotFound {
                message: format!("{}: no YouTube channel is {what}", answer.endpoint),
            })
    }

    /// The ids of the videos in `playlist` (the channel's uploads playlist) published since
    /// `since` (UTC): `GET /youtube/v3/playlistItems?part=contentDetails&playlistId={id}&maxResults=50`,
    /// then the same with `pageToken=<nextPageToken>`.
    ///
    /// The uploads playlist lists the newest upload first (observed and widely relied on,
    /// not documented), so the walk stops after a page whose every dated item is older than
    /// `since`. Guards: it also stops when `nextPageToken` is absent, when a token repeats
    /// one already followed (warning `pagination_loop`), when a page brings no video not seen
    /// before (warning `pagination_stalled`), and after [`MAX_UPLOAD_PAGES`] pages (warning
    /// `page_cap`). Videos without a publish time (private) are kept; the videos call tells.
    ///
    /// Errors: only the first page's failure is an `Err`; a later page that fails ends the
    /// walk with a warning and keeps what was read.
    pub async fn uploads(
        &self,
        token: &SecretString,
        playlist: &str,
        since: DateTime<Utc>,
        rec: &Recorder,
    ) -> Result<Uploads, PlatformError> {
        let url = self.data("/playlistItems");
        let mut out = Uploads::default();
        let mut seen_ids: HashSet<String> = HashSet::new();
        let mut seen_tokens: HashSet<String> = HashSet::new();
        let mut next: Option<String> = None;
        let mut pages: u32 = 0;
        loop {
            let mut query: Vec<(&str, &str)> = vec![
                ("part", "contentDetails"),
                ("playlistId", playlist),
                ("maxResults", "50"),
            ];
            if let Some(t) = next.as_deref() {
                query.push(("pageToken", t));
            }
            let result = match self.get(token, url.clone(), &query, rec).await {
                Ok(answer) => decode_uploads(&answer),
                Err(e) => Err(e),
            };
            pages += 1;
            let page = match result {
                Ok(page) => page,
                Err(e) if pages == 1 => return Err(e),
                Err(e) => {
                    if e.stops_account() {
                        out.stopped = Some(e.interruption());
                    }
                    out.warnings.push(CollectWarning {
                        level: if e.stops_account() { EventLevel::Error } else { EventLevel::Warn },
                        code: e.code(),
                        message: format!(
                            "YouTube uploads of playlist {playlist}: page {pages} failed, kept the videos of the earlier pages: {e}"
                        ),
                    });
                    break;
                }
            };
            out.warnings.extend(page.warnings);
            let mut fresh = 0;
            let mut any_recent = false;
            let mut any_dated = false;
            for (id, published) in page.videos {
                if let Some(t) = published {
                    any_dated = true;
                    if t < since {
                        continue;
                    }
                    any_recent = true;
                }
                if seen_ids.insert(id.clone()) {
                    fresh += 1;
                    out.ids.push(id);
                }
            }
            let Some(token_next) = page.next_page_token else { break };
            if any_dated && !any_recent {
                break;
            }
            let walk = CursorWalk {
                token: "a pageToken",
                items: "videos",
                older: "uploads",
                max_pages: MAX_UPLOAD_PAGES,
            };
            let stop = walk.stop(&mut seen_tokens, &token_next, fresh, pages);
            if let Some((code, why)) = stop {
                out.warnings.push(CollectWarning {
                    level: EventLevel::Warn,
                    code: code.to_string(),
                    message: format!("YouTube uploads of playlist {playlist} (/youtube/v3/playlistItems): {why}"),
                });
                break;
            }
            next = Some(token_next);
        }
        Ok(out)
    }

    /// The videos `ids`, [`VIDEOS_BATCH`] per call:
    /// `GET /youtube/v3/videos?part=snippet,statistics,contentDetails,status&id=<≤50 comma-separated>`.
    /// Duplicate and empty ids are dropped; no ids → no call. An id YouTube does not return
    /// (deleted, private to someone else, rejected) becomes a [`DataGap`] with code
    /// `not_found`.
    ///
    /// Errors: the first batch that fails fails the call (the collector keeps earlier ones
    /// by calling batch by batch, see `collect`).
    pub async fn videos(
        &self,
        token: &SecretString,
        ids: &[String],
        rec: &Recorder,
    ) -> Result<(VideosPage, Vec<DataGap>), PlatformError> {
        let mut page = VideosPage::default();
        let mut gaps = Vec::new();
        for chunk in unique_ids(ids).chunks(VIDEOS_BATCH) {
            let (p, g) = self.video_batch(token, chunk, rec).await?;
            page.posts.extend(p.posts);
            page.media.extend(p.media);
            page.metrics.extend(p.metrics);
            page.warnings.extend(p.warnings);
            gaps.extend(g);
        }
        Ok((page, gaps))
    }

    async fn video_batch(
        &self,
        token: &SecretString,
        ids: &[String],
        rec: &Recorder,
    ) -> Result<(VideosPage, Vec<DataGap>), PlatformError> {
        let joined = ids.join(",");
        let answer = self
            .get(
                token,
                self.data("/videos"),
                &[("part", VIDEO_PARTS), ("id", &joined), ("maxResults", "50")],
                rec,
            )
            .await?;
        let page = decode_videos(&answer)?;
        let returned: HashSet<&str> = page.posts.iter().map(|p| p.external_id.as_str()).collect();
        let gaps = ids
            .iter()
            .filter(|id| !returned.contains(id.as_str()))
            .map(|id| DataGap {
                what: "/youtube/v3/videos".to_string(),
                object_id: id.clone(),
                code: "not_found".to_string(),
                detail: "videos.list returned no item for this id: deleted, private or rejected".to_string(),
            })
            .collect();
        Ok((page, gaps))
    }

    /// The channel's day series from `since` to `until` (both UTC, taken as Pacific-Time
    /// days, inclusive): `GET /v2/reports?ids=channel==MINE&startDate=YYYY-MM-DD&endDate=YYYY-MM-DD
    /// &metrics=views,estimatedMinutesWatched,averageViewDuration,likes,comments,shares,subscribersGained,subscribersLost
    /// &dimensions=day&sort=day` on the Analytics API. YouTube clamps `endDate` to the last
    /// day with every metric available (about 1–3 days behind).
    ///
    /// Errors: see [`super::decode_report`].
    pub async fn daily_report(
        &self,
        token: &SecretString,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        rec: &Recorder,
    ) -> Result<DailyReport, PlatformError> {
        let start = ymd(pacific_day(since));
        let end = ymd(pacific_day(until).max(pacific_day(since)));
        let answer = self
            .get(
                token,
                join(&self.endpoints.youtube_analytics, "/reports"),
                &[
                    ("ids", "channel==MINE"),
                    ("startDate", &start),
                    ("endDate", &end),
                    ("metrics", ANALYTICS_METRICS),
                    ("dimensions", "day"),
                    ("sort", "day"),
                ],
                rec,
            )
            .await?;
        decode_report(&answer)
    }

    /// Lifetime watch time, average view duration and shares of up to
    /// [`VIDEOS_BATCH`] own videos: `GET /v2/reports?ids=channel==MINE&startDate={first}
    /// &endDate={today}&metrics=estimatedMinutesWatched,averageViewDuration,shares
    /// &dimensions=video&filters=video==id1,id2,…&sort=-estimatedMinutesWatched&maxResults=50`
    /// (days in Pacific Time; `first` is the oldest video's publication day, so the totals
    /// cover each video's whole life). The filter taking a comma-separated list of video
    /// ids with `video` as the dimension is documented; 50 per call is Alcance's choice,
    /// not a stated limit.
    ///
    /// Errors: see [`super::decode_video_report`].
    pub async fn video_report(
        &self,
        token: &SecretString,
        ids: &[String],
        first: DateTime<Utc>,
        rec: &Recorder,
    ) -> Result<VideoReport, PlatformError> {
        let start = ymd(pacific_day(first));
        let end = ymd(pacific_day(Utc::now()).max(pacific_day(first)));
        let filter = format!("video=={}", ids.join(","));
        let max = ids.len().clamp(1, VIDEOS_BATCH).to_string();
        let answer = self
            .get(
                token,
                join(&self.endpoints.youtube_analytics, "/reports"),
                &[
                    ("ids", "channel==MINE"),
                    ("startDate", &start),
                    ("endDate", &end),
                    ("metrics", VIDEO_ANALYTICS_METRICS),
                    ("dimensions", "video"),
                    ("filters", &filter),
                    ("sort", "-estimatedMinutesWatched"),
                    ("maxResults", &max),
                ],
                rec,
            )
            .await?;
        decode_video_report(&answer)
    }

    /// Reads a tracked channel: by handle when the account has one, else by id.
    async fn public_channel(&self, ctx: &CollectCtx) -> Result<Channel, PlatformError> {
        match ctx.account.username.as_deref().filter(|u| !u.trim().is_empty()) {
            Some(handle) => self.channel_by_handle(&ctx.token, handle, &ctx.recorder).await,
            None => {
                self.channel_by_id(&ctx.token, &ctx.account.external_id, &ctx.recorder)
                    .await
            }
        }
    }
}

fn unique_ids(ids: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    ids.iter()
        .map(|id| id.trim())
        .filter(|id| !id.is_empty() && seen.insert(*id))
        .map(str::to_string)
        .collect()
}

fn warning(what: &str, e: &PlatformError) -> CollectWarning {
    CollectWarning {
        level: if e.stops_account() {
            EventLevel::Error
        } else {
            EventLevel::Warn
        },
        code: e.code(),
        message: format!("{what}: {e}"),
    }
}

impl YouTubeClient {
    /// Every comment thread of video `video` (top-level comments and the replies embedded
    /// with them), 100 threads a page, at most [`crate::comments::MAX_COMMENT_PAGES`]
    /// pages: `GET /youtube/v3/commentThreads?part=snippet,replies&videoId={video}&maxResults=100&textFormat=plainText[&pageToken=…]`
    /// (1 quota unit a page, counted by the governor). Returns the comments and whether
    /// they are complete (every page read, no thread with more replies than embedded).
    ///
    /// Errors: the first page's ([`super::map_error`]: 403 `commentsDisabled`, 404
    /// `videoNotFound`, the quota); a later page's failure ends the walk, incomplete.
    pub async fn comment_threads(
        &self,
        token: &SecretString,
        video: &str,
        rec: &Recorder,
    ) -> Result<(Vec<alcance_core::CommentRecord>, bool), PlatformError> {
        let url = self.data("/commentThreads");
        let mut out = Vec::new();
        let mut complete = true;
        let mut next: Option<String> = None;
        let mut seen_tokens: HashSet<String> = HashSet::new();
        for page_no in 1..=crate::comments::MAX_COMMENT_PAGES {
            let mut query: Vec<(&str, &str)> = vec![
                ("part", "snippet,replies"),
                ("videoId", video),
                ("maxResults", "100"),
                ("textFormat", "plainText"),
            ];
            if let Some(t) = next.as_deref() {
                query.push(("pageToken", t));
            }
            let page = match self.get(token, url.clone(), &query, rec).await {
                Ok(answer) => decode_comment_threads(&answer),
                Err(e) => Err(e),
            };
            let page = match page {
                Ok(page) => page,
                Err(e) if page_no == 1 => return Err(e),
                Err(_) => return Ok((out, false)),
            };
            complete &= page.replies_complete && page.warnings.is_empty();
            out.extend(page.comments);
            match page.next_page_token {
                None => return Ok((out, complete)),
                Some(t) if !seen_tokens.insert(t.clone()) => return Ok((out, false)),
                Some(t) => next = Some(t),
            }
        }
        Ok((out, false))
    }
}

#[async_trait::async_trait]
impl PlatformClient for YouTubeClient {
    fn platform(&self) -> Platform {
        Platform::Youtube
    }

    /// The comment threads of each video of `ctx.posts` ([`YouTubeClient::comment_threads`]);
    /// a video whose comments are disabled or gone is a gap (a refused token or the spent
    /// quota ends the read there, keeping what came). YouTube serves no listing of
    /// a channel's mentions: none are read.
    async fn read_comments(
        &self,
        ctx: &crate::CommentsCtx,
    ) -> Result<Option<alcance_core::CommentsRead>, PlatformError> {
        if !ctx.account.owned {
            return Ok(None);
        }
        let mut read = alcance_core::CommentsRead::default();
        for video in &ctx.posts {
            match self.comment_threads(&ctx.token, video, &ctx.recorder).await {
                Ok((comments, complete)) => {
                    read.comments.extend(comments);
                    if complete {
                        read.complete_posts.push(video.clone());
                    }
                }
                Err(e) => {
                    read.gaps.push(crate::comments::gap("commentThreads", video, &e));
                    // A dead token or the day's quota: the other videos would fail alike.
                    if e.stops_account() {
                        break;
                    }
                }
            }
        }
        Ok(Some(read))
    }

    /// `GET /youtube/v3/channels?mine=true` as a [`Profile`] (channel id, handle, title).
    async fn whoami(&self, token: &SecretString, recorder: &Recorder) -> Result<Profile, PlatformError> {
        Ok(self.mine(token, recorder).await?.profile())
    }

    /// Channel snapshots (`followers` unless hidden, `total_video_views`, `media_count`;
    /// period `snapshot` now), then the uploads published since `ctx.window.since`
    /// (uploads playlist) and their videos in batches of 50 (posts and lifetime
    /// `video_views`, `likes`, `comments`, `video_duration`): for an owned channel and a
    /// tracked one alike, since `playlistItems` and `videos.list` serve any public video
    /// (1 quota unit a page or batch). For an owned channel only (YouTube Analytics answers
    /// the owner alone): the videos' lifetime `watch_time_seconds`, `watch_time_avg_seconds`
    /// and `shares` from Analytics per video ([`YouTubeClient::video_report`]), and the
    /// Analytics day series over the window (`video_views`, `watch_time_seconds`,
    /// `watch_time_avg_seconds`, `likes`, `comments`, `shares`, `followers_gained`,
    /// `followers_lost`, period `day`).
    ///
    /// An owned account whose token belongs to another channel is read as a public channel
    /// with a warning (`account_mismatch`).
    ///
    /// Errors: the channel read failing. Later failures become warnings and keep what
    /// arrived; one that stops the account (a refused token, the quota, a dropped
    /// connection, the deadline) is also the batch's [`CollectionBatch::stopped`], and no
    /// further call is made.
    async fn collect(&self, ctx: &CollectCtx) -> Result<CollectionBatch, PlatformError> {
        let rec = &ctx.recorder;
        let mut batch = CollectionBatch::default();
        let mut owned = ctx.account.owned;
        let channel = if owned {
            let mine = self.mine(&ctx.token, rec).await?;
            let expected = ctx.account.external_id.trim();
            if expected.is_empty() || mine.id == expected {
                mine
            } else {
                owned = false;
                batch.warnings.push(CollectWarning {
                    level: EventLevel::Warn,
                    code: "account_mismatch".to_string(),
                    message: format!(
                        "the YouTube token belongs to channel {}, not to {expected}; read the account as a public \
                         channel (reconnect it for owner metrics)",
                        mine.id
                    ),
                });
                self.public_channel(ctx).await?
            }
        } else {
            self.public_channel(ctx).await?
        };
        let (metrics, gaps) = channel_metrics(&channel, Utc::now());
        batch.account_metrics = metrics;
        batch.gaps = gaps;
        batch.profile = Some(channel.profile());

        let mut posts: Vec<PostRecord> = Vec::new();
        match channel.uploads_playlist.as_deref() {
            None => batch.gaps.push(DataGap {
                what: "contentDetails.relatedPlaylists.uploads".to_string(),
                object_id: channel.id.clone(),
                code: "not_served".to_string(),
                detail: "/youtube/v3/channels served no uploads playlist; videos were not read".to_string(),
            }),
            Some(playlist) => match self.uploads(&ctx.token, playlist, ctx.window.since, rec).await {
                Err(e) => {
                    batch
                        .warnings
                        .push(warning("YouTube uploads (/youtube/v3/playlistItems)", &e));
                    if e.stops_account() {
                        batch.stop(e.interruption());
                    }
                }
                Ok(mut uploads) => {
                    batch.warnings.append(&mut uploads.warnings);
                    if let Some(why) = uploads.stopped.take() {
                        batch.stop(why);
                    }
                    for chunk in unique_ids(&uploads.ids).chunks(VIDEOS_BATCH) {
                        if batch.stopped.is_some() {
                            break;
                        }
                        match self.video_batch(&ctx.token, chunk, rec).await {
                            Ok((page, gaps)) => {
                                posts.extend(page.posts);
                                batch.media.extend(page.media);
                                batch.post_metrics.extend(page.metrics);
                                batch.warnings.extend(page.warnings);
                                batch.gaps.extend(gaps);
                            }
                            Err(e) => {
                                batch.warnings.push(warning("YouTube videos (/youtube/v3/videos)", &e));
                                if e.stops_account() {
                                    batch.stop(e.interruption());
                                }
                            }
                        }
                    }
                }
            },
        }
        if !owned {
            batch.posts = posts;
            return Ok(batch);
        }
        if batch.stopped.is_none() && !posts.is_empty() {
            let first = posts
                .iter()
                .filter_map(|p| p.published_at)
                .min()
                .unwrap_or(ctx.window.since);
            let ids: Vec<String> = posts.iter().map(|p| p.external_id.clone()).collect();
            for chunk in ids.chunks(VIDEOS_BATCH) {
                match self.video_report(&ctx.token, chunk, first, rec).await {
                    Ok(report) => {
                        batch.post_metrics.extend(report.metrics);
                        batch.gaps.extend(report.gaps);
                    }
                    Err(e) => {
                        batch
                            .warnings
                            .push(warning("YouTube Analytics per video (/v2/reports)", &e));
                        if e.stops_account() {
                            batch.stop(e.interruption());
                            break;
                        }
                    }
                }
            }
        }
        batch.posts = posts;

        if batch.stopped.is_none() {
            match self
                .daily_report(&ctx.token, ctx.window.since, ctx.window.until, rec)
                .await
            {
                Ok(report) => {
                    batch.account_metrics.extend(report.metrics);
                    batch.gaps.extend(report.gaps);
                }
                Err(e) => {
                    batch.warnings.push(warning("YouTube Analytics (/v2/reports)", &e));
                    if e.stops_account() {
                        batch.stop(e.interruption());
                    }
                }
            }
        }
        Ok(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_ids_drops_blanks_and_duplicates() {
        let ids: Vec<String> = ["a", " b", "a", "", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(unique_ids(&ids), vec!["a", "b", "c"]);
    }
}
