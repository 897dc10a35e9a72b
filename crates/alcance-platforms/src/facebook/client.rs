//! The requests: which Graph calls [`FacebookClient`] makes, in which order, and how a
//! failing call becomes an error, a gap or a warning.

use super::wire::{AccountNode, PageNode, PostNode, UserNode, VideoNode};
use super::{map, FacebookClient, InsightsResult, Listing, MetricMemory, PageAccess, PagePost, PageVideo};
use crate::error::PlatformError;
use crate::http::{Answer, Recorder};
use crate::meta::in_flight;
use crate::meta::insights::{self, Fetched, Graph, InsightsCall};
use crate::meta::steps::{absorb, listing_stopped, part_failed, step_done, Flow};
use crate::meta::warning;
use crate::meta::{self, decode, PageVerdict};
use crate::{CollectCtx, CollectWindow, PlatformClient};
use alcance_core::{
    AccountMetric, CollectionBatch, DataGap, EventLevel, MediaKind, Platform, PostMedia, PostMetric, Profile,
};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Most pages read from one listing (`/me/accounts`, `/posts`, `/videos`); more stops with
/// a `paging_cap` warning.
pub const MAX_PAGES: usize = 40;

/// Page insights metric groups, each one request (`period=day`), so that one removed
/// metric cannot fail the others.
pub const PAGE_METRIC_GROUPS: &[&[&str]] = &[
    &["page_media_view", "page_total_media_view_unique"],
    &["page_post_engagements", "page_views_total"],
    &["page_daily_follows_unique", "page_daily_unfollows_unique"],
    &["page_follows"],
];

/// Post insights metrics (`GET /{post-id}/insights?metric=...&period=lifetime`).
pub const POST_METRICS: &[&str] = &[
    "post_media_view",
    "post_total_media_view_unique",
    "post_reactions_by_type_total",
    "post_clicks",
];

/// Video insights metrics (`GET /{video-id}/video_insights?metric=...&period=lifetime`;
/// the two time metrics are in milliseconds).
pub const VIDEO_METRICS: &[&str] = &[
    "total_video_views",
    "total_video_views_unique",
    "total_video_avg_time_watched",
    "total_video_view_total_time",
];

/// Largest gap in seconds between a video's and an `added_video` post's `created_time`
/// for the video's insights to be attached to that post in `collect`.
pub const VIDEO_POST_MATCH_SECONDS: i64 = 60;

const ME_FIELDS: &str = "id,name";
const ACCOUNTS_FIELDS: &str = "id,name,access_token,tasks,category,instagram_business_account";
const PAGE_FIELDS: &str = "id,name,username,link,fan_count,followers_count,talking_about_count,picture";
const POST_FIELDS: &str = "id,message,created_time,permalink_url,status_type,full_picture,shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)";
const VIDEO_FIELDS: &str = "id,title,description,created_time,updated_time,length,permalink_url";
const LIST_LIMIT: &str = "25";
const ACCOUNTS_LIMIT: &str = "100";
/// Longest `since..until` of one page insights request (Meta's limit).
const MAX_INSIGHTS_DAYS: i64 = 90;

/// Errors after which no further call for the same object makes sense.
fn stops_object(e: &PlatformError) -> bool {
    !matches!(e, PlatformError::Api { .. } | PlatformError::Decode { .. })
}

/// `[since, until)` cut into ≤90-day chunks, most recent first, as Unix seconds; at most
/// the last two years of the window.
fn insight_chunks(window: CollectWindow) -> Vec<(i64, i64)> {
    insights::chunks(window, MAX_INSIGHTS_DAYS)
}

impl FacebookClient {
    async fn get(
        &self,
        token: &SecretString,
        path: &str,
        params: &[(&str, &str)],
        rec: &Recorder,
    ) -> Result<Answer, PlatformError> {
        meta::get(&self.http, self.base(), path, params, token, rec).await
    }

    /// The Facebook user behind a user token: `GET /me?fields=id,name` → `Profile` with
    /// `external_id` = the user id and `display_name` = `name`. Errors: the mapped Graph
    /// error (190 → `Unauthorized`); `Decode` for an answer without an id.
    pub async fn me(&self, user_token: &SecretString, rec: &Recorder) -> Result<Profile, PlatformError> {
        let answer = self.get(user_token, "/me", &[("fields", ME_FIELDS)], rec).await?;
        let node: UserNode = decode(&answer, user_token)?;
        map::user_profile(&node)
            .ok_or_else(|| PlatformError::decode(&answer.endpoint, "the /me answer has no id", &answer.body))
    }

    /// The permissions the user granted and declined to the app: `GET /me/permissions` →
    /// `{"data":[{"permission","status"}]}`, status `granted` or `declined` (`expired`
    /// ones, which need a new login, count as neither). Each list is sorted. Errors: the
    /// mapped Graph error (190 → `Unauthorized`); `Decode` when the body is not such a
    /// list.
    pub async fn permissions(&self, user_token: &SecretString, rec: &Recorder) -> Result<Permissions, PlatformError> {
        #[derive(serde::Deserialize)]
        struct Row {
            permission: String,
            #[serde(default)]
            status: String,
        }
        #[derive(serde::Deserialize)]
        struct List {
            data: Vec<Row>,
        }
        let answer = self.get(user_token, "/me/permissions", &[], rec).await?;
        let list: List = decode(&answer, user_token)?;
        let mut out = Permissions::default();
        for row in list.data {
            match row.status.as_str() {
                "granted" => out.granted.push(row.permission),
                "declined" => out.declined.push(row.permission),
                _ => {}
            }
        }
        out.granted.sort();
        out.declined.sort();
        Ok(out)
    }

    /// Removes the app from the user (Graph `DELETE /me/permissions` with the user token):
    /// every permission is revoked, with the user token and the Page tokens it handed out.
    /// Nothing is archived (the URL carries the token). Errors: the mapped Graph error
    /// (190 → `Unauthorized` for a token already dead); `Transport` when no answer came.
    pub async fn remove_app(&self, user_token: &SecretString) -> Result<(), PlatformError> {
        meta::delete(
            &self.http,
            self.base(),
            "/me/permissions",
            &[],
            user_token,
            &Recorder::new(),
        )
        .await?;
        Ok(())
    }

    /// The pages the user manages, each with its Page access token:
    /// `GET /me/accounts?fields=id,name,access_token,tasks,category,instagram_business_account&limit=100[&after=]`,
    /// following the cursors (at most [`MAX_PAGES`] pages, loop guard). Items without an id
    /// or an `access_token` are left out. `can_analyze` is `tasks ∋ "ANALYZE"`. Errors: the
    /// first page's mapped Graph error (190 → `Unauthorized`); `Decode` when the body is
    /// not a Graph list. A later page's failure ends the list early (logged, not an error).
    pub async fn pages(&self, user_token: &SecretString, rec: &Recorder) -> Result<Vec<PageAccess>, PlatformError> {
        let mut out: Vec<PageAccess> = Vec::new();
        let (_, warnings) = meta::list_pages(
            &self.http,
            self.base(),
            "/me/accounts",
            &[("fields", ACCOUNTS_FIELDS), ("limit", ACCOUNTS_LIMIT)],
            user_token,
            rec,
            MAX_PAGES,
            |items| {
                let mut ids = Vec::new();
                for raw in items {
                    let Some(page) = serde_json::from_value::<AccountNode>(raw)
                        .ok()
                        .and_then(map::page_access)
                    else {
                        continue;
                    };
                    ids.push(page.id.clone());
                    if !out.iter().any(|p| p.id == page.id) {
                        out.push(page);
                    }
                }
                PageVerdict { ids, stop: false }
            },
        )
        .await?;
        for w in warnings {
            tracing::warn!(code = %w.code, message = %w.message, "listing the user's pages");
        }
        Ok(out)
    }

    /// The page's profile and counts: `GET /{page-id}?fields=id,name,username,link,fan_count,followers_count,talking_about_count,picture`.
    /// `followers_count` / `fan_count` / `talking_about_count` become `followers` /
    /// `page_likes` / `talking_about` snapshots stamped now (UTC); `picture.data.url` is the
    /// avatar. Errors: the mapped Graph error (190 → `Unauthorized`, 100 subcode 33 →
    /// `NotFound`, 10/200–299 → `Forbidden`); `Decode` for a body without an id.
    pub async fn page(
        &self,
        page_token: &SecretString,
        page_id: &str,
        rec: &Recorder,
    ) -> Result<(Profile, Vec<AccountMetric>), PlatformError> {
        self.page_at(page_token, page_id, Utc::now(), rec).await
    }

    /// [`FacebookClient::page`] with the snapshot time given (the collection's clock).
    pub async fn page_at(
        &self,
        page_token: &SecretString,
        page_id: &str,
        at: DateTime<Utc>,
        rec: &Recorder,
    ) -> Result<(Profile, Vec<AccountMetric>), PlatformError> {
        let answer = self
            .get(page_token, &format!("/{page_id}"), &[("fields", PAGE_FIELDS)], rec)
            .await?;
        let node: PageNode = decode(&answer, page_token)?;
        let profile = map::page_profile(&node)
            .ok_or_else(|| PlatformError::decode(&answer.endpoint, "the page node has no id", &answer.body))?;
        Ok((profile, map::page_metrics(&node, at)))
    }

    /// [`insights::fetch`] on this client's host: `call.metrics` minus those already known
    /// removed (memory scopes `page`, `post`, `video`), one by one after a `MetricRemoved`;
    /// any error but `Api` / `Decode` stops the object.
    async fn fetch_insights(
        &self,
        token: &SecretString,
        call: &InsightsCall<'_>,
        memory: &mut MetricMemory,
        rec: &Recorder,
    ) -> Result<Fetched, PlatformError> {
        let graph = Graph {
            http: &self.http,
            base: self.base(),
            token,
            recorder: rec,
        };
        insights::fetch(&graph, call, memory, stops_object).await
    }

    /// Page insights over `window` (UTC): for each ≤90-day chunk of at most the last two
    /// years, most recent first, and each group of [`PAGE_METRIC_GROUPS`],
    /// `GET /{page-id}/insights?metric=<group>&period=day&since=<unix>&until=<unix>`.
    /// Day values become `Period::Day` metrics over `[end_time − 1 day, end_time)` (see the
    /// module table). A removed metric is dropped, recorded once (`metric_removed`) and
    /// not asked again; a permission refusal (no `ANALYZE` task, code 10 / 200–299) is one
    /// `permission` gap and skips the rest; other failures are warnings; a rate limit stops
    /// everything (`halted`). Errors: `Unauthorized` only.
    pub async fn page_insights(
        &self,
        page_token: &SecretString,
        page_id: &str,
        window: CollectWindow,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        let mut memory = MetricMemory::new();
        self.page_insights_with(page_token, page_id, window, &mut memory, rec)
            .await
    }

    /// [`FacebookClient::page_insights`] sharing a collection's [`MetricMemory`].
    pub async fn page_insights_with(
        &self,
        page_token: &SecretString,
        page_id: &str,
        window: CollectWindow,
        memory: &mut MetricMemory,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        let mut out = InsightsResult::default();
        let path = format!("/{page_id}/insights");
        'chunks: for (since, until) in insight_chunks(window) {
            for group in PAGE_METRIC_GROUPS {
                let call = InsightsCall {
                    path: path.clone(),
                    metrics: group,
                    params: vec![
                        ("period", "day".to_string()),
                        ("since", since.to_string()),
                        ("until", until.to_string()),
                    ],
                    scope: "page",
                    object_id: page_id,
                };
                match self.fetch_insights(page_token, &call, memory, rec).await {
                    Ok(f) => {
                        map::page_series(&f.entries, page_id, memory, &mut out);
                        out.gaps.extend(f.gaps);
                        out.warnings.extend(f.warnings);
                    }
                    Err(e) => match absorb(e, "page_insights", page_id, &mut out)? {
                        Flow::Continue => {}
                        Flow::SkipStep | Flow::Halt => break 'chunks,
                    },
                }
            }
        }
        Ok(out.finish())
    }

    /// Posts published since `since` (UTC), newest first:
    /// `GET /{page-id}/posts?fields=id,message,created_time,permalink_url,status_type,full_picture,shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)&limit=25[&after=<cursor>]`.
    /// Follows cursor paging (`after`) or time-based paging (`until` / `__paging_token` of
    /// `paging.next`); stops at the first page reaching posts older than `since`, on a
    /// repeated cursor or a page without new ids (`paging_loop`), after [`MAX_PAGES`]
    /// (`paging_cap`). Node counts become `reactions` / `comments` / `shares`. Errors: the
    /// first page's error; a later page's failure is a warning.
    pub async fn posts(
        &self,
        page_token: &SecretString,
        page_id: &str,
        since: DateTime<Utc>,
        rec: &Recorder,
    ) -> Result<Listing<PagePost>, PlatformError> {
        self.listing(
            page_token,
            &format!("/{page_id}/posts"),
            POST_FIELDS,
            since,
            rec,
            |raw| {
                serde_json::from_value::<PostNode>(raw)
                    .ok()
                    .and_then(map::page_post)
                    .map(|p| {
                        let at = p.post.published_at;
                        (p, at)
                    })
            },
        )
        .await
    }

    /// Videos published since `since` (UTC), newest first:
    /// `GET /{page-id}/videos?fields=id,title,description,created_time,updated_time,length,permalink_url&limit=25[&after=]`.
    /// Paging, stops and errors as [`FacebookClient::posts`].
    pub async fn videos(
        &self,
        page_token: &SecretString,
        page_id: &str,
        since: DateTime<Utc>,
        rec: &Recorder,
    ) -> Result<Listing<PageVideo>, PlatformError> {
        self.listing(
            page_token,
            &format!("/{page_id}/videos"),
            VIDEO_FIELDS,
            since,
            rec,
            |raw| {
                serde_json::from_value::<VideoNode>(raw)
                    .ok()
                    .and_then(map::page_video)
                    .map(|v| {
                        let at = v.post.published_at;
                        (v, at)
                    })
            },
        )
        .await
    }

    async fn listing<T, F>(
        &self,
        token: &SecretString,
        path: &str,
        fields: &str,
        since: DateTime<Utc>,
        rec: &Recorder,
        item: F,
    ) -> Result<Listing<T>, PlatformError>
    where
        T: HasId,
        F: Fn(Value) -> Option<(T, Option<DateTime<Utc>>)>,
    {
        let mut out: Listing<T> = Listing::default();
        let mut skipped = 0usize;
        let (pages, warnings) = meta::list_pages(
            &self.http,
            self.base(),
            path,
            &[("fields", fields), ("limit", LIST_LIMIT)],
            token,
            rec,
            MAX_PAGES,
            |items| {
                let mut verdict = PageVerdict::default();
                for raw in items {
                    let Some((it, at)) = item(raw) else {
                        skipped += 1;
                        continue;
                    };
                    let id = it.id().to_string();
                    if verdict.ids.contains(&id) || out.items.iter().any(|o| o.id() == id) {
                        continue;
                    }
                    verdict.ids.push(id);
                    if matches!(at, Some(at) if at < since) {
                        verdict.stop = true;
                        continue;
                    }
                    out.items.push(it);
                }
                verdict
            },
        )
        .await?;
        out.pages = pages;
        // Besides guard stops, list_pages warns only of a failed later page.
        out.incomplete = warnings
            .iter()
            .any(|w| !matches!(w.code.as_str(), "paging_loop" | "paging_cap"));
        if skipped > 0 {
            out.warnings.push(warning(
                EventLevel::Warn,
                "decode",
                format!("{path}: skipped {skipped} items without an id"),
            ));
        }
        out.warnings.extend(warnings);
        Ok(out)
    }

    /// Lifetime insights of one post:
    /// `GET /{post-id}/insights?metric=post_media_view,post_total_media_view_unique,post_reactions_by_type_total,post_clicks&period=lifetime`
    /// → `views`, `reach`, `clicks`, and per reaction type `likes`, `reactions_love`,
    /// `reactions_wow`, `reactions_haha`, `reactions_sad`, `reactions_angry` (post metrics;
    /// empty data → `None`). A removed metric is dropped and recorded (`metric_removed`)
    /// while the others land. Errors: any other failure (`Forbidden` when the page token
    /// lacks `ANALYZE`, `Unauthorized`, `RateLimited`, ...).
    pub async fn post_insights(
        &self,
        page_token: &SecretString,
        post_id: &str,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        let mut memory = MetricMemory::new();
        self.post_insights_with(page_token, post_id, &mut memory, rec).await
    }

    /// [`FacebookClient::post_insights`] sharing a collection's [`MetricMemory`]: metrics
    /// removed for an earlier post are not requested again.
    pub async fn post_insights_with(
        &self,
        page_token: &SecretString,
        post_id: &str,
        memory: &mut MetricMemory,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        let call = InsightsCall {
            path: format!("/{post_id}/insights"),
            metrics: POST_METRICS,
            params: vec![("period", "lifetime".to_string())],
            scope: "post",
            object_id: post_id,
        };
        self.lifetime(page_token, &call, memory, rec).await
    }

    /// Lifetime insights of one video:
    /// `GET /{video-id}/video_insights?metric=total_video_views,total_video_views_unique,total_video_avg_time_watched,total_video_view_total_time&period=lifetime`
    /// → `video_views`, `video_viewers`, `watch_time_avg_seconds`, `watch_time_seconds`
    /// (milliseconds → seconds). Fallback and errors as [`FacebookClient::post_insights`].
    pub async fn video_insights(
        &self,
        page_token: &SecretString,
        video_id: &str,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        let mut memory = MetricMemory::new();
        self.video_insights_with(page_token, video_id, &mut memory, rec).await
    }

    /// [`FacebookClient::video_insights`] sharing a collection's [`MetricMemory`].
    pub async fn video_insights_with(
        &self,
        page_token: &SecretString,
        video_id: &str,
        memory: &mut MetricMemory,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        let call = InsightsCall {
            path: format!("/{video_id}/video_insights"),
            metrics: VIDEO_METRICS,
            params: vec![("period", "lifetime".to_string())],
            scope: "video",
            object_id: video_id,
        };
        self.lifetime(page_token, &call, memory, rec).await
    }

    async fn lifetime(
        &self,
        token: &SecretString,
        call: &InsightsCall<'_>,
        memory: &mut MetricMemory,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        let f = self.fetch_insights(token, call, memory, rec).await?;
        let mut out = InsightsResult::default();
        map::lifetime_metrics(&f.entries, &f.requested, call.object_id, memory, &mut out);
        out.gaps.extend(f.gaps);
        out.warnings.extend(f.warnings);
        Ok(out.finish())
    }
}

/// Items of a listing have an id (the loop guard and de-duplication use it).
trait HasId {
    fn id(&self) -> &str;
}

impl HasId for PagePost {
    fn id(&self) -> &str {
        &self.post.external_id
    }
}

impl HasId for PageVideo {
    fn id(&self) -> &str {
        &self.post.external_id
    }
}

/// The video id a page post names, when it names one: its `permalink_url`'s
/// `/reel/<id>`, `/videos/<id>` or `/watch/?v=<id>`. Inferred from the links Meta gives
/// video and reel posts (the Graph docs do not promise the shape); a post whose link names
/// nothing falls back on time in [`assign_videos`].
fn named_video(post: &PagePost) -> Option<&str> {
    let link = post.post.permalink.as_deref()?;
    let id = if let Some((_, rest)) = link.split_once("/reel/").or_else(|| link.split_once("/videos/")) {
        rest.split(['/', '?', '#']).next()
    } else if let Some((_, query)) = link.split_once("watch/?").or_else(|| link.split_once("watch?")) {
        query.split('&').find_map(|pair| pair.strip_prefix("v="))
    } else {
        None
    }?;
    (!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())).then_some(id)
}

/// Which post each video's insights belong to (video id → post id): the post whose
/// `permalink_url` names the video ([`named_video`]); else, for a post that names no video,
/// the `added_video` post created within [`VIDEO_POST_MATCH_SECONDS`] of it, closest pairs
/// first. A post takes at most one video, so two reels published seconds apart never write
/// the same post's metrics; a video without a post is its own post (absent from the map).
fn assign_videos(videos: &[PageVideo], posts: &[PagePost]) -> HashMap<String, String> {
    let video_ids: HashSet<&str> = videos.iter().map(|v| v.post.external_id.as_str()).collect();
    let mut assigned: HashMap<String, String> = HashMap::new();
    let mut taken: HashSet<&str> = HashSet::new();
    for p in posts {
        if let Some(video) = named_video(p).filter(|id| video_ids.contains(id)) {
            if !assigned.contains_key(video) {
                assigned.insert(video.to_string(), p.post.external_id.clone());
                taken.insert(p.post.external_id.as_str());
            }
        }
    }
    let mut pairs: Vec<(i64, &str, &str)> = Vec::new();
    for v in videos.iter().filter(|v| !assigned.contains_key(&v.post.external_id)) {
        let Some(at) = v.post.published_at else { continue };
        for p in posts {
            if p.status_type.as_deref() != Some("added_video")
                || named_video(p).is_some()
                || taken.contains(p.post.external_id.as_str())
            {
                continue;
            }
            if let Some(diff) = p.post.published_at.map(|t| (t - at).num_seconds().abs()) {
                if diff <= VIDEO_POST_MATCH_SECONDS {
                    pairs.push((diff, v.post.external_id.as_str(), p.post.external_id.as_str()));
                }
            }
        }
    }
    pairs.sort_unstable();
    for (_, video, post) in pairs {
        if !assigned.contains_key(video) && taken.insert(post) {
            assigned.insert(video.to_string(), post.to_string());
        }
    }
    assigned
}

#[async_trait::async_trait]
impl PlatformClient for FacebookClient {
    fn platform(&self) -> Platform {
        Platform::Facebook
    }

    /// The Facebook **user** of a user token (`GET /me?fields=id,name`), not a page: the
    /// app then calls [`FacebookClient::pages`] with the same token and registers each page
    /// with its page token.
    async fn whoami(&self, token: &SecretString, recorder: &Recorder) -> Result<Profile, PlatformError> {
        self.me(token, recorder).await
    }

    /// Collects one page with its **page** token (`ctx.token`; page id =
    /// `ctx.account.external_id`): the page node (an `Err` when it fails: nothing else is
    /// collected), then for an owned page the page insights over `ctx.window`; posts and
    /// videos since `window.since` with their node counts; for an owned page each post's
    /// and each video's lifetime insights (one [`MetricMemory`] for the collection; a
    /// permission refusal is one `permission` gap and stops further post / video
    /// insights). A video's metrics go to the post whose permalink names it, else to an
    /// `added_video` post created within [`VIDEO_POST_MATCH_SECONDS`] (one video per post,
    /// closest first), else the video is its own post. Snapshots are stamped
    /// `window.until`. A rate limit or a dead token stops further calls with an error-level
    /// warning, keeping what landed.
    /// Every comment and reply of each post, with the page token:
    /// `GET /{post-id}/comments?fields=id,message,created_time,from{id,name},like_count,comment_count,parent{id}&filter=stream&order=chronological&limit=50`
    /// (`filter=stream` lists replies too, each with its `parent`). `from` is served for
    /// people only where Meta allows it; the author is then unknown. Facebook serves no
    /// listing of the Page's mentions (only the `mention` webhook), so none are read.
    async fn read_comments(
        &self,
        ctx: &crate::CommentsCtx,
    ) -> Result<Option<alcance_core::CommentsRead>, PlatformError> {
        if !ctx.account.owned {
            return Ok(None);
        }
        let mut read = alcance_core::CommentsRead::default();
        crate::comments::graph_posts_comments(
            &self.http,
            self.base(),
            &ctx.posts,
            "id,message,created_time,from{id,name},like_count,comment_count,parent{id}",
            &[("filter", "stream"), ("order", "chronological")],
            &ctx.token,
            &ctx.recorder,
            &mut read,
        )
        .await;
        Ok(Some(read))
    }

    async fn collect(&self, ctx: &CollectCtx) -> Result<CollectionBatch, PlatformError> {
        let token = &ctx.token;
        let rec = &ctx.recorder;
        let id = ctx.account.external_id.as_str();
        let owned = ctx.account.owned;
        let (profile, metrics) = self.page_at(token, id, ctx.window.until, rec).await?;
        let mut batch = CollectionBatch {
            profile: Some(profile),
            account_metrics: metrics,
            ..CollectionBatch::default()
        };
        let mut memory = MetricMemory::new();
        let mut halted = false;

        if owned {
            let r = self.page_insights_with(token, id, ctx.window, &mut memory, rec).await;
            step_done(&mut batch, "page insights", r, &mut halted);
        }

        let mut posts: Vec<PagePost> = Vec::new();
        // Videos are matched to the listed posts; when posts are missing from the list, a
        // video that matches none may belong to one of them, and is not stored as a post
        // of its own (a later complete collection would store that post too: two rows for
        // one video).
        let mut posts_incomplete = false;
        if !halted {
            match self.posts(token, id, ctx.window.since, rec).await {
                Ok(l) => {
                    posts_incomplete = l.incomplete;
                    listing_stopped(&mut batch, &l.warnings, &mut halted);
                    batch.warnings.extend(l.warnings);
                    posts = l.items;
                }
                Err(e) => {
                    posts_incomplete = true;
                    part_failed(&mut batch, "posts", &e, &mut halted)
                }
            }
        }
        let mut videos: Vec<PageVideo> = Vec::new();
        if !halted {
            match self.videos(token, id, ctx.window.since, rec).await {
                Ok(l) => {
                    listing_stopped(&mut batch, &l.warnings, &mut halted);
                    batch.warnings.extend(l.warnings);
                    videos = l.items;
                }
                Err(e) => part_failed(&mut batch, "videos", &e, &mut halted),
            }
        }

        let mut refused = false;
        let mut post_metrics: Vec<PostMetric> = Vec::new();
        // Each post's insights, several calls in flight; the outcomes come in the posts'
        // order, as if asked one after the other (`meta::in_flight`).
        let mut asked = if owned && !halted {
            in_flight::each(
                &posts,
                self.insights_in_flight,
                &mut memory,
                |_| "post",
                in_flight::post_stop,
                |p, mut memory| async move {
                    let r = self
                        .post_insights_with(token, &p.post.external_id, &mut memory, rec)
                        .await;
                    (r, memory)
                },
            )
            .await
        } else {
            Vec::new()
        }
        .into_iter()
        .flatten();
        for p in &posts {
            post_metrics.extend(p.node_metrics.iter().cloned());
            if !owned || halted || refused {
                continue;
            }
            let post_id = p.post.external_id.as_str();
            let Some(outcome) = asked.next() else { continue };
            match outcome {
                Ok(r) => {
                    halted |= r.halted;
                    if let Some(why) = r.stopped {
                        batch.stop(why);
                    }
                    batch.gaps.extend(r.gaps);
                    batch.warnings.extend(r.warnings);
                    post_metrics.extend(r.post_metrics);
                }
                Err(PlatformError::Forbidden { message }) => {
                    refused = true;
                    batch.gaps.push(DataGap {
                        what: "post_insights".to_string(),
                        object_id: post_id.to_string(),
                        code: "permission".to_string(),
                        detail: format!("{message}; no insights asked for the other posts and videos"),
                    });
                }
                Err(e) => part_failed(&mut batch, &format!("post {post_id} insights"), &e, &mut halted),
            }
        }

        let owners = assign_videos(&videos, &posts);
        // A video that matches none of the posts listed while that list is incomplete is left
        // for a complete collection: neither stored nor asked for its insights.
        let left_for_later = |v: &PageVideo| {
            posts_incomplete && owners.get(&v.post.external_id).is_none_or(|t| *t == v.post.external_id)
        };
        // Each video's insights, as the posts' (the videos the loop below asks).
        let mut asked = if owned && !halted && !refused {
            let wanted: Vec<&PageVideo> = videos.iter().filter(|v| !left_for_later(v)).collect();
            in_flight::each(
                &wanted,
                self.insights_in_flight,
                &mut memory,
                |_| "video",
                in_flight::post_stop,
                |v, mut memory| async move {
                    let r = self
                        .video_insights_with(token, &v.post.external_id, &mut memory, rec)
                        .await;
                    (r, memory)
                },
            )
            .await
        } else {
            Vec::new()
        }
        .into_iter()
        .flatten();
        for v in videos {
            let target = owners
                .get(&v.post.external_id)
                .cloned()
                .unwrap_or_else(|| v.post.external_id.clone());
            if left_for_later(&v) {
                batch.gaps.push(DataGap {
                    what: "video".to_string(),
                    object_id: v.post.external_id.clone(),
                    code: "posts_incomplete".to_string(),
                    detail: "matches none of the posts listed, and the posts list is incomplete; \
                                 left for a complete collection"
                        .to_string(),
                });
                continue;
            }
            if target == v.post.external_id {
                batch.posts.push(v.post.clone());
            }
            if !owned || halted || refused {
                continue;
            }
            let video_id = v.post.external_id.as_str();
            let Some(outcome) = asked.next() else { continue };
            match outcome {
                Ok(r) => {
                    halted |= r.halted;
                    if let Some(why) = r.stopped {
                        batch.stop(why);
                    }
                    batch.gaps.extend(r.gaps);
                    batch.warnings.extend(r.warnings);
                    post_metrics.extend(r.post_metrics.into_iter().map(|mut m| {
                        m.post_external_id = target.clone();
                        m
                    }));
                }
                Err(PlatformError::Forbidden { message }) => {
                    refused = true;
                    batch.gaps.push(DataGap {
                        what: "video_insights".to_string(),
                        object_id: video_id.to_string(),
                        code: "permission".to_string(),
                        detail: format!("{message}; no insights asked for the other videos"),
                    });
                }
                Err(e) => part_failed(&mut batch, &format!("video {video_id} insights"), &e, &mut halted),
            }
        }
        batch.media.extend(
            posts
                .iter()
                .filter_map(|p| PostMedia::new(&p.post.external_id, MediaKind::Thumbnail, p.picture.as_deref())),
        );
        batch.posts.splice(0..0, posts.into_iter().map(|p| p.post));
        batch.post_metrics = post_metrics;
        Ok(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alcance_core::{ContentType, PostRecord};
    use chrono::Duration;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn post(id: &str, at: &str, link: &str) -> PagePost {
        PagePost {
            post: PostRecord {
                external_id: id.into(),
                published_at: Some(t(at)),
                content_type: ContentType::Video,
                permalink: Some(link.into()),
                caption: None,
            },
            status_type: Some("added_video".into()),
            picture: None,
            node_metrics: Vec::new(),
        }
    }

    fn video(id: &str, at: &str) -> PageVideo {
        PageVideo {
            post: PostRecord {
                external_id: id.into(),
                published_at: Some(t(at)),
                content_type: ContentType::Video,
                permalink: Some(format!("https://www.facebook.com/Page/videos/{id}/")),
                caption: None,
            },
            title: None,
            length_seconds: None,
            updated_at: None,
        }
    }

    #[test]
    fn posts_name_their_videos_in_reel_video_and_watch_links() {
        let at = "2026-11-20T12:00:00Z";
        for (link, id) in [
            ("https://www.facebook.com/reel/1234567890/", Some("1234567890")),
            ("https://www.facebook.com/Page/videos/987/?ref=share", Some("987")),
            ("https://www.facebook.com/watch/?v=555&t=3", Some("555")),
            ("https://www.facebook.com/111/posts/222", None),
            ("https://www.facebook.com/reel/", None),
            ("https://www.facebook.com/Page/videos/vb.1/abc/", None),
        ] {
            assert_eq!(named_video(&post("p", at, link)), id, "{link}");
        }
    }

    #[test]
    fn two_reels_seconds_apart_each_keep_their_own_post() {
        // Published 3 s apart, listed in the opposite order from the videos: matched by the
        // ids in the permalinks, not by the nearest time.
        let posts = [
            post("page_b", "2026-11-20T12:00:03Z", "https://www.facebook.com/reel/2002/"),
            post("page_a", "2026-11-20T12:00:00Z", "https://www.facebook.com/reel/1001/"),
        ];
        let videos = [
            video("1001", "2026-11-20T12:00:02Z"),
            video("2002", "2026-11-20T12:00:00Z"),
        ];
        let owners = assign_videos(&videos, &posts);
        assert_eq!(owners.get("1001").map(String::as_str), Some("page_a"));
        assert_eq!(owners.get("2002").map(String::as_str), Some("page_b"));
    }

    #[test]
    fn without_ids_the_closest_video_takes_a_post_and_no_post_takes_two() {
        let posts = [post(
            "page_x",
            "2026-11-20T12:00:00Z",
            "https://www.facebook.com/111/posts/222",
        )];
        let videos = [
            video("1", "2026-11-20T12:00:05Z"),
            video("2", "2026-11-20T12:00:01Z"),
            video("3", "2026-11-20T12:10:00Z"),
        ];
        let owners = assign_videos(&videos, &posts);
        assert_eq!(
            owners.get("2").map(String::as_str),
            Some("page_x"),
            "the closest in time"
        );
        assert_eq!(owners.get("1"), None, "its own post, not the one video 2 took");
        assert_eq!(owners.get("3"), None, "ten minutes apart: its own post");
        // A post that names another video is never matched by time.
        let named = [post(
            "page_y",
            "2026-11-20T12:00:01Z",
            "https://www.facebook.com/reel/999/",
        )];
        assert!(assign_videos(&videos, &named).is_empty());
    }

    #[test]
    fn insight_chunks_are_at_most_90_days_and_two_years() {
        let w = CollectWindow {
            since: t("2026-01-01T00:00:00Z"),
            until: t("2026-11-21T00:00:00Z"),
        };
        let chunks = insight_chunks(w);
        assert_eq!(chunks.len(), 4, "324 days in 90-day chunks");
        assert_eq!(chunks[0].1, w.until.timestamp());
        assert_eq!(chunks[0].1 - chunks[0].0, 90 * 86_400);
        assert_eq!(chunks[3].0, w.since.timestamp());
        for pair in chunks.windows(2) {
            assert_eq!(pair[0].0, pair[1].1, "chunks must touch");
        }
        let old = CollectWindow {
            since: t("2010-01-01T00:00:00Z"),
            until: w.until,
        };
        let chunks = insight_chunks(old);
        assert_eq!(chunks.len(), 9, "730 days in 90-day chunks");
        assert_eq!(
            chunks.last().map(|c| c.0),
            Some((old.until - Duration::days(730)).timestamp())
        );
        assert!(insight_chunks(CollectWindow {
            since: w.until,
            until: w.until
        })
        .is_empty());
    }
}

/// What `GET /me/permissions` reports ([`FacebookClient::permissions`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Permissions {
    /// Permissions with status `granted`, sorted.
    pub granted: Vec<String>,
    /// Permissions with status `declined` (unticked at login), sorted.
    pub declined: Vec<String>,
}
