//! The TikTok Display API v2 client: requests, the video listing walk, and `collect`.

use super::business::{business_dates, BusinessTokens, TikTokBusinessClient};
use super::map::{decode_user, decode_video_page, profile_metrics};
use super::{walk_pages, TikTokUser, VideoListing, VideoPage, VideoQuery, Walk};
use crate::endpoints::{join, Endpoints};
use crate::error::PlatformError;
use crate::http::{Answer, Http, Recorder};
use crate::meta::redact_secret;
use crate::{CollectCtx, PlatformClient};
use alcance_core::{
    AccountMetric, CollectWarning, CollectionBatch, DataGap, EventLevel, Platform, PostMetric, PostRecord, Profile,
};
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

/// `fields` of `GET /v2/user/info/`.
pub const USER_FIELDS: &str = "open_id,union_id,avatar_url,display_name,username,bio_description,profile_deep_link,\
is_verified,follower_count,following_count,likes_count,video_count";
/// `fields` of `POST /v2/video/list/` and `POST /v2/video/query/`.
pub const VIDEO_FIELDS: &str = "id,create_time,cover_image_url,share_url,video_description,duration,title,\
like_count,comment_count,share_count,view_count";
/// `max_count` of one `video/list` page (the API's maximum).
pub const VIDEO_PAGE_SIZE: u32 = 20;
/// Most pages one video listing reads (20 videos each); more stops with `page_cap`.
pub const MAX_VIDEO_PAGES: usize = 40;
/// Ids per `POST /v2/video/query/` call (the API's maximum).
pub const QUERY_BATCH: usize = 20;

/// The Business side of a [`TikTokClient`]: the client and where Business tokens come from.
#[derive(Clone)]
struct BusinessLink {
    client: TikTokBusinessClient,
    tokens: Arc<dyn BusinessTokens>,
}

/// The TikTok Display API v2 client (`Endpoints::tiktok_api`, `https://open.tiktokapis.com`).
/// Cheap to clone. Every request carries `Authorization: Bearer <token>` and is archived
/// (URL scrubbed; tokens are never in URLs) in the caller's [`Recorder`].
#[derive(Clone)]
pub struct TikTokClient {
    http: Http,
    endpoints: Endpoints,
    business: Option<BusinessLink>,
}

impl fmt::Debug for TikTokClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TikTokClient")
            .field("endpoints", &self.endpoints)
            .field("business", &self.business.is_some())
            .finish()
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

fn warning(code: &str, message: String) -> CollectWarning {
    CollectWarning {
        level: EventLevel::Warn,
        code: code.to_string(),
        message,
    }
}

/// Errors after which no further call for the account makes sense in this collection.
fn halts(e: &PlatformError) -> bool {
    matches!(
        e,
        PlatformError::RateLimited { .. }
            | PlatformError::UsageCapped { .. }
            | PlatformError::Transport { .. }
            | PlatformError::Unauthorized { .. }
    )
}

impl TikTokClient {
    /// A Display API client at `endpoints.tiktok_api`, without the API for Business.
    pub fn new(http: Http, endpoints: Endpoints) -> Self {
        Self {
            http,
            endpoints,
            business: None,
        }
    }

    /// Makes `collect` also read the API for Business ([`TikTokBusinessClient::account`]
    /// and [`TikTokBusinessClient::videos`]) for every account for which `tokens` has a
    /// Business token, with `business_id` = the account's `open_id`.
    pub fn with_business(mut self, client: TikTokBusinessClient, tokens: Arc<dyn BusinessTokens>) -> Self {
        self.business = Some(BusinessLink { client, tokens });
        self
    }

    async fn send(
        &self,
        token: &SecretString,
        request: reqwest::RequestBuilder,
        rec: &Recorder,
    ) -> Result<Answer, PlatformError> {
        self.http
            .send(request.bearer_auth(token.expose_secret()), rec)
            .await
            .map_err(|e| redact_secret(e, token.expose_secret()))
    }

    /// The token owner: `GET /v2/user/info/?fields=` [`USER_FIELDS`].
    ///
    /// Errors: see [`super::map_display_error`] (`access_token_invalid` →
    /// [`PlatformError::Unauthorized`], an `error.code` other than `ok` fails even with
    /// HTTP 200, ...); [`PlatformError::Decode`] for a body without `data.user.open_id`;
    /// [`PlatformError::Transport`] when no answer came.
    pub async fn user(&self, token: &SecretString, rec: &Recorder) -> Result<TikTokUser, PlatformError> {
        let url = join(&self.endpoints.tiktok_api, "/v2/user/info/");
        let request = self.http.client().get(url).query(&[("fields", USER_FIELDS)]);
        let answer = self.send(token, request, rec).await?;
        decode_user(&answer).map_err(|e| redact_secret(e, token.expose_secret()))
    }

    /// The token owner's profile and its snapshots (`followers`, `following`,
    /// `total_likes_received`, `media_count`; counts, [`alcance_core::Period::Snapshot`] at
    /// the current time, UTC), from `GET /v2/user/info/`.
    ///
    /// Errors: as [`Self::user`].
    pub async fn user_info(
        &self,
        token: &SecretString,
        rec: &Recorder,
    ) -> Result<(Profile, Vec<AccountMetric>), PlatformError> {
        let user = self.user(token, rec).await?;
        Ok((user.profile(), profile_metrics(&user, Utc::now())))
    }

    async fn post_videos(
        &self,
        token: &SecretString,
        path: &str,
        body: &Value,
        rec: &Recorder,
    ) -> Result<VideoPage, PlatformError> {
        let url = join(&self.endpoints.tiktok_api, path);
        let request = self
            .http
            .client()
            .post(url)
            .query(&[("fields", VIDEO_FIELDS)])
            .json(body);
        let answer = self.send(token, request, rec).await?;
        decode_video_page(&answer).map_err(|e| redact_secret(e, token.expose_secret()))
    }

    /// One page of the owner's videos: `POST /v2/video/list/?fields=` [`VIDEO_FIELDS`] with
    /// JSON body `{"max_count":20}` (first page) or `{"max_count":20,"cursor":<ms>}`.
    ///
    /// Errors: see [`super::decode_video_page`].
    pub async fn video_page(
        &self,
        token: &SecretString,
        cursor: Option<i64>,
        rec: &Recorder,
    ) -> Result<VideoPage, PlatformError> {
        let body = match cursor {
            Some(c) => json!({ "max_count": VIDEO_PAGE_SIZE, "cursor": c }),
            None => json!({ "max_count": VIDEO_PAGE_SIZE }),
        };
        self.post_videos(token, "/v2/video/list/", &body, rec).await
    }

    /// Every video of the owner published since `since` (UTC), newest first, with
    /// `video_views`, `likes`, `comments`, `shares` snapshots: [`Self::video_page`] without
    /// a cursor, then with `data.cursor` (Unix ms of the oldest video returned) while
    /// `data.has_more`, until a video older than `since` appears.
    ///
    /// Guards: a repeated cursor (`pagination_loop`), a page without a new id
    /// (`pagination_stalled`), `has_more` without a cursor (`pagination_no_cursor`) and
    /// [`MAX_VIDEO_PAGES`] pages (`page_cap`) end the walk with a warning. Videos repeated
    /// across pages are kept once.
    ///
    /// Errors: only the first page's failure is an `Err` (see
    /// [`super::decode_video_page`]); a later page that fails ends the walk with a warning
    /// (the error's code) and keeps what was read.
    pub async fn videos(
        &self,
        token: &SecretString,
        since: DateTime<Utc>,
        rec: &Recorder,
    ) -> Result<VideoListing, PlatformError> {
        let walk = Walk {
            since,
            max_pages: MAX_VIDEO_PAGES,
            label: "TikTok video list",
        };
        walk_pages(walk, |cursor| self.video_page(token, cursor, rec)).await
    }

    /// Current lifetime totals of known videos: `POST /v2/video/query/?fields=`
    /// [`VIDEO_FIELDS`] with body `{"filters":{"video_ids":[…]}}`, [`QUERY_BATCH`] ids per
    /// call. Blank and duplicate ids are dropped; no ids → no call. Ids TikTok did not
    /// return are listed in [`VideoQuery::missing`].
    ///
    /// Errors: the first batch that fails fails the call (see
    /// [`super::decode_video_page`]).
    pub async fn query_videos(
        &self,
        token: &SecretString,
        ids: &[String],
        rec: &Recorder,
    ) -> Result<VideoQuery, PlatformError> {
        let ids = unique_ids(ids);
        let mut out = VideoQuery::default();
        for chunk in ids.chunks(QUERY_BATCH) {
            let body = json!({ "filters": { "video_ids": chunk } });
            let page = self.post_videos(token, "/v2/video/query/", &body, rec).await?;
            out.warnings.extend(page.warnings);
            out.videos.extend(page.videos);
        }
        let returned: HashSet<&str> = out.videos.iter().map(|v| v.post.external_id.as_str()).collect();
        out.missing = ids
            .iter()
            .filter(|id| !returned.contains(id.as_str()))
            .cloned()
            .collect();
        Ok(out)
    }

    /// The API for Business part of `collect` (daily metrics, audience, per-video reach
    /// and watch time), when a Business client and token are there. A refused Business
    /// token is a data gap (code `unauthorized`, on the `business_id`; the Display token
    /// stays valid and no further Business call is made); other failures are warnings.
    async fn collect_business(
        &self,
        ctx: &CollectCtx,
        business_id: &str,
        batch: &mut CollectionBatch,
        display: &mut VideoListing,
    ) {
        let Some(link) = &self.business else { return };
        let Some(token) = link.tokens.business_token(&ctx.account) else {
            return;
        };
        let rec = &ctx.recorder;
        if let Some((start, end)) = business_dates(ctx.window) {
            match link.client.account(&token, business_id, start, end, rec).await {
                Ok(account) => {
                    batch.account_metrics.extend(account.daily);
                    batch.audience.extend(account.audience);
                    batch.warnings.extend(account.warnings);
                }
                Err(e) => {
                    business_failure(batch, "TikTok Business account", business_id, &e);
                    if halts(&e) {
                        return;
                    }
                }
            }
        }
        match link.client.videos(&token, business_id, ctx.window.since, rec).await {
            Ok(listing) => {
                batch.warnings.extend(listing.warnings);
                merge_business(display, listing.videos);
            }
            Err(e) => business_failure(batch, "TikTok Business video list", business_id, &e),
        }
    }
}

/// Records a failed Business request `what`: a refused token (`needs_reauth`) is a data
/// gap on `business_id` (the Business metrics are missing until TikTok Business is
/// connected again), anything else a warning.
fn business_failure(batch: &mut CollectionBatch, what: &str, business_id: &str, e: &PlatformError) {
    if e.needs_reauth() {
        batch.gaps.push(DataGap {
            what: what.to_string(),
            object_id: business_id.to_string(),
            code: e.code(),
            detail: format!(
                "{e}; reconnect TikTok Business to restore daily insights, audience, reach and watch-time metrics"
            ),
        });
    } else {
        let mut w = warning(&e.code(), format!("{what}: {e}"));
        if e.stops_account() {
            // A rate limit (code 40100 comes with HTTP 200), a dropped connection: the
            // account stops here and is collected again, instead of completing without its
            // Business part (the fault soak found those days missing).
            w.level = EventLevel::Error;
        }
        batch.warnings.push(w);
    }
}

/// Merges Business videos into the Display listing: a Business metric with a value
/// replaces the Display metric of the same post and key; Business-only videos are added.
fn merge_business(display: &mut VideoListing, business: Vec<super::TikTokVideo>) {
    let index: HashMap<String, usize> = display
        .videos
        .iter()
        .enumerate()
        .map(|(i, v)| (v.post.external_id.clone(), i))
        .collect();
    for b in business {
        let Some(&i) = index.get(&b.post.external_id) else {
            display.videos.push(b);
            continue;
        };
        let target = &mut display.videos[i];
        for m in b.metrics {
            match target.metrics.iter_mut().find(|t| t.metric == m.metric) {
                Some(t) if m.value.is_some() => t.value = m.value,
                Some(_) => {}
                None => target.metrics.push(m),
            }
        }
        if target.duration_seconds.is_none() {
            target.duration_seconds = b.duration_seconds;
        }
    }
}

#[async_trait::async_trait]
impl PlatformClient for TikTokClient {
    fn platform(&self) -> Platform {
        Platform::Tiktok
    }

    /// `GET /v2/user/info/` as a [`Profile`] (`external_id` = `open_id`).
    async fn whoami(&self, token: &SecretString, recorder: &Recorder) -> Result<Profile, PlatformError> {
        Ok(self.user(token, recorder).await?.profile())
    }

    /// Profile snapshots (`followers`, `following`, `total_likes_received`, `media_count`,
    /// now, UTC), then the videos published since `ctx.window.since` with their lifetime
    /// snapshots; then, when [`TikTokClient::with_business`] was set up and the account has
    /// a Business token, `business/get/` daily values and audience for the window (see
    /// [`super::business_dates`]) and `business/video/list/` metrics (reach, watch time,
    /// full-watch rate), which override the Display values of the same video and key.
    ///
    /// Errors: a tracked account (`owned == false`) → [`PlatformError::Forbidden`] without
    /// a call (the Display API reads only the token owner); the profile call failing; a
    /// token that belongs to another `open_id` than `ctx.account.external_id` →
    /// [`PlatformError::Forbidden`]. Listing failures become warnings, and keep the
    /// profile: one that stops the account (a refused token, a rate limit, a dropped
    /// connection, the deadline) is also the batch's [`CollectionBatch::stopped`]; Business
    /// failures never fail the collection (a refused Business token is a data gap, others
    /// are warnings).
    async fn collect(&self, ctx: &CollectCtx) -> Result<CollectionBatch, PlatformError> {
        if !ctx.account.owned {
            return Err(PlatformError::Forbidden {
                message: format!(
                    "TikTok account {}: the Display API reads only the profile of the token's owner; \
                     tracked TikTok accounts cannot be collected",
                    ctx.account.external_id
                ),
            });
        }
        let rec = &ctx.recorder;
        let user = self.user(&ctx.token, rec).await?;
        let expected = ctx.account.external_id.trim();
        if !expected.is_empty() && expected != user.open_id {
            return Err(PlatformError::Forbidden {
                message: format!(
                    "the TikTok token belongs to open_id {} (@{}), not to account {expected}; reconnect the account",
                    user.open_id,
                    user.username.as_deref().unwrap_or("?")
                ),
            });
        }
        let mut batch = CollectionBatch {
            account_metrics: profile_metrics(&user, Utc::now()),
            profile: Some(user.profile()),
            ..CollectionBatch::default()
        };
        let mut listing = match self.videos(&ctx.token, ctx.window.since, rec).await {
            Ok(l) => l,
            Err(e) => {
                // The profile arrived: it is kept, whatever stopped the video list.
                batch
                    .warnings
                    .push(warning(&e.code(), format!("TikTok video list: {e}")));
                if e.stops_account() {
                    batch.stop(e.interruption());
                }
                VideoListing::default()
            }
        };
        batch.warnings.append(&mut listing.warnings);
        self.collect_business(ctx, &user.open_id, &mut batch, &mut listing)
            .await;
        let posts: Vec<PostRecord> = listing.posts();
        let metrics: Vec<PostMetric> = listing.metrics();
        batch.posts = posts;
        batch.post_metrics = metrics;
        batch.media = listing.media();
        Ok(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tiktok::TikTokVideo;
    use alcance_core::ContentType;

    fn video(id: &str, metrics: &[(&str, Option<f64>)]) -> TikTokVideo {
        TikTokVideo {
            post: PostRecord {
                external_id: id.into(),
                published_at: None,
                content_type: ContentType::Video,
                permalink: None,
                caption: None,
            },
            title: None,
            duration_seconds: None,
            cover_image_url: None,
            metrics: metrics
                .iter()
                .map(|(m, v)| PostMetric {
                    post_external_id: id.into(),
                    metric: (*m).into(),
                    value: *v,
                })
                .collect(),
        }
    }

    #[test]
    fn business_values_override_display_values() {
        let mut listing = VideoListing {
            videos: vec![video("1", &[("video_views", Some(10.0)), ("likes", Some(2.0))])],
            ..VideoListing::default()
        };
        merge_business(
            &mut listing,
            vec![
                video(
                    "1",
                    &[("video_views", Some(12.0)), ("likes", None), ("reach", Some(8.0))],
                ),
                video("2", &[("reach", Some(1.0))]),
            ],
        );
        let m = listing.metrics();
        let get = |p: &str, k: &str| {
            m.iter()
                .find(|x| x.post_external_id == p && x.metric == k)
                .map(|x| x.value)
        };
        assert_eq!(get("1", "video_views"), Some(Some(12.0)));
        assert_eq!(get("1", "likes"), Some(Some(2.0)));
        assert_eq!(get("1", "reach"), Some(Some(8.0)));
        assert_eq!(get("2", "reach"), Some(Some(1.0)));
        assert_eq!(listing.videos.len(), 2);
    }

    #[test]
    fn unique_ids_drop_blanks_and_repeats() {
        let ids: Vec<String> = ["a", " b", "a", "", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(unique_ids(&ids), vec!["a", "b", "c"]);
    }
}
