//! The requests: which Graph calls [`InstagramClient`] makes, in which order, and how a
//! failing call becomes an error, a gap or a warning.

use super::wire::{DiscoveryAnswer, ListPage, MediaNode, UserNode};
use super::{
    map, warning, DiscoveredAccount, InsightsResult, InstagramClient, MediaItem, MediaKind, MediaListing, MetricMemory,
};
use crate::error::PlatformError;
use crate::http::{Answer, Recorder};
use crate::meta::in_flight;
use crate::meta::insights::{self, Fetched, Graph, InsightsCall};
use crate::meta::steps::{absorb, halts, listing_stopped, part_failed, step_done, Flow};
use crate::meta::{self, decode, PageGuard, PageStep};
use crate::{CollectCtx, CollectWindow, PlatformClient};
use alcance_core::{AccountMetric, CollectionBatch, DataGap, EventLevel, Platform, PostMetric, Profile};
use chrono::{DateTime, Duration, DurationRound, Utc};
use secrecy::SecretString;
use std::collections::HashSet;

/// Most pages read from one media or stories listing; more stops with a `paging_cap`
/// warning.
pub const MAX_MEDIA_PAGES: usize = 40;

const PROFILE_FIELDS: &str = "id,username,name,profile_picture_url,followers_count,follows_count,media_count";
const ME_FIELDS: &str = "user_id,username,name,profile_picture_url,followers_count,follows_count,media_count";
/// `media_url` / `thumbnail_url`: the media's picture (`map::picture`), served with the
/// listing (no call or scope of its own).
const MEDIA_FIELDS: &str =
    "id,caption,media_type,media_product_type,timestamp,permalink,like_count,comments_count,media_url,thumbnail_url";
const STORY_FIELDS: &str = "id,media_type,media_product_type,timestamp,permalink,caption,media_url,thumbnail_url";
const MEDIA_PAGE_SIZE: &str = "50";

/// Daily time series (`period=day`): `follower_count` → `followers_gained`, `reach`.
const SERIES_METRICS: &[&str] = &["reach", "follower_count"];
/// Per-day totals (`metric_type=total_value`, one UTC day per call).
pub(super) const DAY_TOTAL_METRICS: &[&str] = &[
    "views",
    "reach",
    "accounts_engaged",
    "total_interactions",
    "likes",
    "comments",
    "shares",
    "saves",
    "replies",
    "profile_links_taps",
];
const REACH_BREAKDOWN: &str = "media_product_type,follow_type";
const DEMOGRAPHICS: &[&str] = &["follower_demographics", "engaged_audience_demographics"];
const DEMOGRAPHIC_BREAKDOWNS: &[&str] = &["age,gender", "country", "city"];
const DEMOGRAPHIC_TIMEFRAME: &str = "this_month";
/// Longest `since..until` of one time-series call, and most days of per-day totals.
const MAX_DAYS: i64 = 30;

fn is_not_enough_viewers(e: &PlatformError) -> bool {
    matches!(e, PlatformError::Forbidden { message } if message.to_ascii_lowercase().contains("not enough viewers"))
}

fn is_before_business(e: &PlatformError) -> bool {
    matches!(e, PlatformError::Api { code: Some(c), .. } if c == "meta_100_2108006")
}

/// Errors after which no further call for the same object makes sense.
fn stops_object(e: &PlatformError) -> bool {
    !matches!(e, PlatformError::Api { .. } | PlatformError::Decode { .. }) || is_before_business(e)
}

/// The [`MetricMemory`] scope of a media kind's insights (`media:feed`, `media:reels`,
/// `media:story`).
fn media_scope(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Feed => "media:feed",
        MediaKind::Reels => "media:reels",
        MediaKind::Story => "media:story",
    }
}

/// `[since, until)` cut into ≤30-day chunks, most recent first, as Unix seconds; at most
/// the last two years of the window.
fn series_chunks(window: CollectWindow) -> Vec<(i64, i64)> {
    insights::chunks(window, MAX_DAYS)
}

/// UTC midnights of the full days in the window (from the day `since` falls in, up to the
/// last day ending by `until`), most recent first, at most 30.
fn total_days(window: CollectWindow) -> Vec<DateTime<Utc>> {
    let Ok(first) = window.since.duration_trunc(Duration::days(1)) else {
        return Vec::new();
    };
    let Ok(mut day) = window.until.duration_trunc(Duration::days(1)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // `day` is the midnight at or before `until`; the last full day starts one day earlier.
    day -= Duration::days(1);
    while day >= first && out.len() < MAX_DAYS as usize {
        out.push(day);
        day -= Duration::days(1);
    }
    out
}

impl InstagramClient {
    async fn get(
        &self,
        token: &SecretString,
        path: &str,
        params: &[(&str, &str)],
        rec: &Recorder,
    ) -> Result<Answer, PlatformError> {
        meta::get(&self.http, self.base(), path, params, token, rec).await
    }

    /// The profile of an IG professional account and its counts:
    /// `GET /{ig-user-id}?fields=id,username,name,profile_picture_url,followers_count,follows_count,media_count`.
    /// `followers_count` / `follows_count` / `media_count` become `followers` / `following` /
    /// `media_count` snapshots (`period_start == period_end ==` now, UTC).
    /// Errors: the mapped Graph error (190 → `Unauthorized`, ...); `Decode` for a body that
    /// is not a user node with an id.
    pub async fn profile(
        &self,
        token: &SecretString,
        ig_user_id: &str,
        rec: &Recorder,
    ) -> Result<(Profile, Vec<AccountMetric>), PlatformError> {
        self.profile_at(token, ig_user_id, Utc::now(), rec).await
    }

    /// [`InstagramClient::profile`] with the snapshot time given (the collection's clock).
    pub async fn profile_at(
        &self,
        token: &SecretString,
        ig_user_id: &str,
        at: DateTime<Utc>,
        rec: &Recorder,
    ) -> Result<(Profile, Vec<AccountMetric>), PlatformError> {
        let answer = self
            .get(token, &format!("/{ig_user_id}"), &[("fields", PROFILE_FIELDS)], rec)
            .await?;
        let node: UserNode = decode(&answer, token)?;
        let profile = map::profile(&node)
            .ok_or_else(|| PlatformError::decode(&answer.endpoint, "the user node has no id", &answer.body))?;
        Ok((profile, map::profile_metrics(&node, at)))
    }

    /// The token owner's profile (Instagram Login):
    /// `GET /me?fields=user_id,username,name,profile_picture_url,followers_count,follows_count,media_count`.
    /// `external_id` is `user_id` (the professional account id used with `/{ig-user-id}`),
    /// or `id` when `user_id` is absent. With a Facebook Login token `/me` is the Facebook
    /// user, not the Instagram account. Errors as [`InstagramClient::profile`].
    pub async fn me(&self, token: &SecretString, rec: &Recorder) -> Result<Profile, PlatformError> {
        let answer = self.get(token, "/me", &[("fields", ME_FIELDS)], rec).await?;
        let node: UserNode = decode(&answer, token)?;
        map::profile(&node)
            .ok_or_else(|| PlatformError::decode(&answer.endpoint, "the /me answer has no user_id or id", &answer.body))
    }

    /// Another professional account's public counts and recent media, read with the
    /// owner's token: `GET /{ig-user-id}?fields=business_discovery.username(<username>){...}`.
    /// Snapshots are stamped now (UTC). Errors: the mapped Graph error; `NotFound` for a
    /// username that is not `[A-Za-z0-9._]`; `Decode` when the answer has no
    /// `business_discovery` with an id.
    pub async fn business_discovery(
        &self,
        token: &SecretString,
        ig_user_id: &str,
        username: &str,
        rec: &Recorder,
    ) -> Result<DiscoveredAccount, PlatformError> {
        let clean = username.trim_start_matches('@');
        if clean.is_empty() || !clean.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_') {
            return Err(PlatformError::NotFound {
                message: format!("{username:?} is not an Instagram username"),
            });
        }
        let fields = format!("business_discovery.username({clean}){{{PROFILE_FIELDS},media{{{MEDIA_FIELDS}}}}}");
        let answer = self
            .get(token, &format!("/{ig_user_id}"), &[("fields", &fields)], rec)
            .await?;
        let body: DiscoveryAnswer = decode(&answer, token)?;
        let node = body.business_discovery.unwrap_or_default();
        let profile = map::profile(&node.user).ok_or_else(|| {
            PlatformError::decode(
                &answer.endpoint,
                "no business_discovery account with an id",
                &answer.body,
            )
        })?;
        let media = node
            .media
            .map(|page| {
                page.data
                    .into_iter()
                    .filter_map(|v| serde_json::from_value::<MediaNode>(v).ok())
                    .filter_map(|n| map::media_item(n, false))
                    .collect()
            })
            .unwrap_or_default();
        Ok(DiscoveredAccount {
            metrics: map::profile_metrics(&node.user, Utc::now()),
            profile,
            media,
        })
    }

    /// One media node: `GET /{ig-media-id}?fields=id,caption,media_type,media_product_type,timestamp,permalink,like_count,comments_count,media_url,thumbnail_url`.
    /// Errors: the mapped Graph error; `Decode` for a node without an id.
    pub async fn media_node(
        &self,
        token: &SecretString,
        media_id: &str,
        rec: &Recorder,
    ) -> Result<MediaItem, PlatformError> {
        let answer = self
            .get(token, &format!("/{media_id}"), &[("fields", MEDIA_FIELDS)], rec)
            .await?;
        let node: MediaNode = decode(&answer, token)?;
        map::media_item(node, false)
            .ok_or_else(|| PlatformError::decode(&answer.endpoint, "the media node has no id", &answer.body))
    }

    /// Media published since `since` (UTC), newest first:
    /// `GET /{ig-user-id}/media?fields=id,caption,media_type,media_product_type,timestamp,permalink,like_count,comments_count,media_url,thumbnail_url&limit=50[&after=<cursor>]`.
    /// Follows `paging.cursors.after` while `paging.next` exists; stops at the first page
    /// reaching media older than `since`, on a repeated cursor or a page without new ids
    /// (warning `paging_loop`), and after [`MAX_MEDIA_PAGES`] pages (warning `paging_cap`).
    /// Errors: the first page's error; a later page's failure is a warning and the media
    /// read so far are returned.
    pub async fn media(
        &self,
        token: &SecretString,
        ig_user_id: &str,
        since: DateTime<Utc>,
        rec: &Recorder,
    ) -> Result<MediaListing, PlatformError> {
        self.listing(token, &format!("/{ig_user_id}/media"), MEDIA_FIELDS, Some(since), rec)
            .await
    }

    /// The account's stories live now (last 24 h): `GET /{ig-user-id}/stories?fields=id,media_type,media_product_type,timestamp,permalink,caption,media_url,thumbnail_url`.
    /// Every item is a story ([`MediaKind::Story`], `ContentType::Story`). Paging and errors
    /// as [`InstagramClient::media`].
    pub async fn stories(
        &self,
        token: &SecretString,
        ig_user_id: &str,
        rec: &Recorder,
    ) -> Result<MediaListing, PlatformError> {
        self.listing(token, &format!("/{ig_user_id}/stories"), STORY_FIELDS, None, rec)
            .await
    }

    async fn listing(
        &self,
        token: &SecretString,
        path: &str,
        fields: &str,
        since: Option<DateTime<Utc>>,
        rec: &Recorder,
    ) -> Result<MediaListing, PlatformError> {
        let in_stories = since.is_none();
        let mut guard = PageGuard::new(MAX_MEDIA_PAGES);
        let mut out = MediaListing::default();
        let mut after: Option<String> = None;
        loop {
            let mut params = vec![("fields", fields)];
            if !in_stories {
                params.push(("limit", MEDIA_PAGE_SIZE));
            }
            if let Some(a) = after.as_deref() {
                params.push(("after", a));
            }
            let page = match self.get(token, path, &params, rec).await {
                Ok(answer) => decode::<ListPage>(&answer, token),
                Err(e) => Err(e),
            };
            let page = match page {
                Ok(p) => p,
                Err(e) if out.pages == 0 => return Err(e),
                Err(e) => {
                    // A refused token, a rate limit, a dropped connection stop the account.
                    let level = if e.stops_account() {
                        EventLevel::Error
                    } else {
                        EventLevel::Warn
                    };
                    out.warnings.push(warning(
                        level,
                        &e.code(),
                        format!(
                            "{path}: page {} failed, keeping {} media: {e}",
                            out.pages + 1,
                            out.items.len()
                        ),
                    ));
                    break;
                }
            };
            out.pages += 1;
            let mut ids = Vec::with_capacity(page.data.len());
            let mut reached_older = false;
            for raw in page.data {
                let item = serde_json::from_value::<MediaNode>(raw)
                    .ok()
                    .and_then(|n| map::media_item(n, in_stories));
                let Some(item) = item else {
                    out.warnings.push(warning(
                        EventLevel::Warn,
                        "decode",
                        format!("{path}: skipped a media item without an id"),
                    ));
                    continue;
                };
                let id = item.post.external_id.clone();
                if guard.seen(&id) || ids.contains(&id) {
                    continue;
                }
                ids.push(id);
                if let (Some(since), Some(at)) = (since, item.post.published_at) {
                    if at < since {
                        reached_older = true;
                        continue;
                    }
                }
                out.items.push(item);
            }
            let step = guard.advance(ids.iter().map(String::as_str), page.paging.as_ref());
            if reached_older {
                break;
            }
            match step {
                PageStep::Next(cursor) => after = Some(cursor),
                PageStep::End => break,
                PageStep::Stopped(why) => {
                    out.warnings.push(warning(
                        EventLevel::Warn,
                        why.code(),
                        format!("{path}: paging stopped after {} pages ({why:?})", out.pages),
                    ));
                    break;
                }
            }
        }
        Ok(out)
    }

    /// [`insights::fetch`] on this client's host: `call.metrics` minus those already known
    /// removed, one by one after a `MetricRemoved`; any error but `Api` / `Decode`, and
    /// subcode 2108006 (media before the business conversion), stops the object.
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

    /// Account insights over `window` (UTC):
    /// 1. the daily time series `GET /{id}/insights?metric=reach,follower_count&period=day&since=<unix>&until=<unix>`
    ///    in ≤30-day chunks over at most the last two years of the window (Meta's
    ///    retention) (`follower_count` → `followers_gained`, `reach` → `reach`;
    ///    `Period::Day` with `period_start = end_time − 1 day`);
    /// 2. for each full UTC day of the last 30 of the window, most recent first, the totals
    ///    `metric=views,reach,accounts_engaged,total_interactions,likes,comments,shares,saves,replies,profile_links_taps&period=day&metric_type=total_value`
    ///    (`Period::Day` over that day) and `metric=reach&breakdown=media_product_type,follow_type`
    ///    (audience `reach`, dimension `media_product_type,follow_type`, timeframe `day:YYYY-MM-DD`).
    ///
    /// Removed metrics are dropped and recorded as gaps; a call's permission error skips
    /// its step with a `permission` gap; other failures are warnings; a rate limit stops
    /// everything (`halted`). Errors: `Unauthorized` only.
    pub async fn account_insights(
        &self,
        token: &SecretString,
        ig_user_id: &str,
        window: CollectWindow,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        let mut memory = MetricMemory::new();
        self.account_insights_with(token, ig_user_id, window, &mut memory, rec)
            .await
    }

    /// [`InstagramClient::account_insights`] sharing a collection's [`MetricMemory`].
    pub async fn account_insights_with(
        &self,
        token: &SecretString,
        ig_user_id: &str,
        window: CollectWindow,
        memory: &mut MetricMemory,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        let mut out = InsightsResult::default();
        let path = format!("/{ig_user_id}/insights");
        for (since, until) in series_chunks(window) {
            let call = InsightsCall {
                path: path.clone(),
                metrics: SERIES_METRICS,
                params: vec![
                    ("period", "day".to_string()),
                    ("since", since.to_string()),
                    ("until", until.to_string()),
                ],
                scope: "account:series",
                object_id: ig_user_id,
            };
            match self.fetch_insights(token, &call, memory, rec).await {
                Ok(f) => {
                    map::series(&f.entries, ig_user_id, memory, &mut out);
                    out.gaps.extend(f.gaps);
                    out.warnings.extend(f.warnings);
                }
                Err(e) => match absorb(e, "account_insights:series", ig_user_id, &mut out)? {
                    Flow::Continue => {}
                    Flow::SkipStep => break,
                    Flow::Halt => return Ok(out.finish()),
                },
            }
        }
        // Each day's totals and reach breakdown, several calls in flight; the outcomes come
        // in the days' order, as if asked one after the other (`meta::in_flight`): a
        // permission refusal or a missing object ends that kind of call, a rate limit all.
        let calls: Vec<(DateTime<Utc>, bool)> = total_days(window)
            .into_iter()
            .flat_map(|day| [(day, false), (day, true)])
            .collect();
        let outcomes = in_flight::each(
            &calls,
            self.insights_in_flight,
            memory,
            |&(_, breakdown)| {
                if breakdown {
                    "account:breakdown"
                } else {
                    "account:total"
                }
            },
            in_flight::step_stop,
            |&(day, breakdown), mut memory| async move {
                let r = self
                    .day_insights(token, ig_user_id, day, breakdown, &mut memory, rec)
                    .await;
                (r, memory)
            },
        )
        .await;
        for (&(_, breakdown), outcome) in calls.iter().zip(outcomes) {
            let Some(outcome) = outcome else { continue };
            match outcome {
                Ok(r) => out.extend(r),
                Err(e) => {
                    let what = if breakdown {
                        "account_insights:breakdown"
                    } else {
                        "account_insights:total_value"
                    };
                    match absorb(e, what, ig_user_id, &mut out)? {
                        // A skipped step's later calls were not made (`None` above).
                        Flow::Continue | Flow::SkipStep => {}
                        Flow::Halt => return Ok(out.finish()),
                    }
                }
            }
        }
        Ok(out.finish())
    }

    /// One full UTC day of [`InstagramClient::account_insights`]: its totals
    /// (`metric_type=total_value`) or, with `breakdown`, its reach by
    /// `media_product_type,follow_type`. Errors: the call's, as [`insights::fetch`] gives it.
    async fn day_insights(
        &self,
        token: &SecretString,
        ig_user_id: &str,
        day: DateTime<Utc>,
        breakdown: bool,
        memory: &mut MetricMemory,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        let mut out = InsightsResult::default();
        let next = day + Duration::days(1);
        let mut params = vec![
            ("period", "day".to_string()),
            ("metric_type", "total_value".to_string()),
            ("since", day.timestamp().to_string()),
            ("until", next.timestamp().to_string()),
        ];
        let f = if breakdown {
            params.push(("breakdown", REACH_BREAKDOWN.to_string()));
            let call = InsightsCall {
                path: format!("/{ig_user_id}/insights"),
                metrics: &["reach"],
                params,
                scope: "account:breakdown",
                object_id: ig_user_id,
            };
            let f = self.fetch_insights(token, &call, memory, rec).await?;
            let timeframe = format!("day:{}", day.format("%Y-%m-%d"));
            map::audience_slices(&f.entries, &timeframe, &mut out);
            f
        } else {
            let call = InsightsCall {
                path: format!("/{ig_user_id}/insights"),
                metrics: DAY_TOTAL_METRICS,
                params,
                scope: "account:total",
                object_id: ig_user_id,
            };
            let f = self.fetch_insights(token, &call, memory, rec).await?;
            map::day_totals(&f.entries, &f.requested, (day, next), ig_user_id, memory, &mut out);
            f
        };
        out.gaps.extend(f.gaps);
        out.warnings.extend(f.warnings);
        Ok(out)
    }

    /// Demographics: `GET /{id}/insights?metric=follower_demographics|engaged_audience_demographics&period=lifetime&metric_type=total_value&timeframe=this_month&breakdown=age,gender|country|city`
    /// (six calls) → audience slices (`followers` / `engaged_audience`, dimension
    /// `age,gender`, key `18-24,F`, timeframe `this_month`; values are account counts).
    /// Failures as [`InstagramClient::account_insights`] (a permission error skips the
    /// rest of that audience). Errors: `Unauthorized` only.
    pub async fn demographics(
        &self,
        token: &SecretString,
        ig_user_id: &str,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        let mut memory = MetricMemory::new();
        self.demographics_with(token, ig_user_id, &mut memory, rec).await
    }

    /// [`InstagramClient::demographics`] sharing a collection's [`MetricMemory`].
    pub async fn demographics_with(
        &self,
        token: &SecretString,
        ig_user_id: &str,
        memory: &mut MetricMemory,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        let mut out = InsightsResult::default();
        for metric in DEMOGRAPHICS {
            for breakdown in DEMOGRAPHIC_BREAKDOWNS {
                let call = InsightsCall {
                    path: format!("/{ig_user_id}/insights"),
                    metrics: std::slice::from_ref(metric),
                    params: vec![
                        ("period", "lifetime".to_string()),
                        ("metric_type", "total_value".to_string()),
                        ("timeframe", DEMOGRAPHIC_TIMEFRAME.to_string()),
                        ("breakdown", breakdown.to_string()),
                    ],
                    scope: "account:demographics",
                    object_id: ig_user_id,
                };
                match self.fetch_insights(token, &call, memory, rec).await {
                    Ok(f) => {
                        map::audience_slices(&f.entries, DEMOGRAPHIC_TIMEFRAME, &mut out);
                        out.gaps.extend(f.gaps);
                        out.warnings.extend(f.warnings);
                    }
                    Err(e) => match absorb(e, &format!("demographics:{metric}:{breakdown}"), ig_user_id, &mut out)? {
                        Flow::Continue => {}
                        Flow::SkipStep => break,
                        Flow::Halt => return Ok(out.finish()),
                    },
                }
            }
        }
        Ok(out.finish())
    }

    /// Lifetime insights of one media: `GET /{ig-media-id}/insights?metric=<kind's list>`
    /// (see [`MediaKind::metrics`]); for stories also
    /// `metric=navigation&breakdown=story_navigation_action_type` (`navigation.TAP_FORWARD`
    /// → `story_taps_forward`, ...). Values map through the catalog (`saved` → `saves`,
    /// `ig_reels_*` ms → seconds); empty data → `None`. A removed metric is dropped and
    /// recorded (`metric_removed`) while the others land; `(#10) Not enough viewers` →
    /// gap `not_enough_viewers`; subcode 2108006 → gap `media_before_business` (both `Ok`).
    /// Errors: any other failure of the main call.
    pub async fn media_insights(
        &self,
        token: &SecretString,
        media_id: &str,
        kind: MediaKind,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        let mut memory = MetricMemory::new();
        self.media_insights_with(token, media_id, kind, &mut memory, rec).await
    }

    /// [`InstagramClient::media_insights`] sharing a collection's [`MetricMemory`]: metrics
    /// removed for an earlier media of the same kind are not requested again.
    pub async fn media_insights_with(
        &self,
        token: &SecretString,
        media_id: &str,
        kind: MediaKind,
        memory: &mut MetricMemory,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        let scope = media_scope(kind);
        self.media_insights_inner(
            token,
            media_id,
            kind.metrics(),
            scope,
            kind == MediaKind::Story,
            memory,
            rec,
        )
        .await
    }

    /// Media insights for an explicit metric list (e.g. legacy names), with the same
    /// fallback and error handling as [`InstagramClient::media_insights`] (memory scope
    /// `media:custom`).
    pub async fn media_insights_metrics(
        &self,
        token: &SecretString,
        media_id: &str,
        metrics: &[&str],
        memory: &mut MetricMemory,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        self.media_insights_inner(token, media_id, metrics, "media:custom", false, memory, rec)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn media_insights_inner(
        &self,
        token: &SecretString,
        media_id: &str,
        metrics: &[&str],
        scope: &str,
        navigation: bool,
        memory: &mut MetricMemory,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        let mut out = InsightsResult::default();
        let call = InsightsCall {
            path: format!("/{media_id}/insights"),
            metrics,
            params: Vec::new(),
            scope,
            object_id: media_id,
        };
        match self.fetch_insights(token, &call, memory, rec).await {
            Ok(f) => {
                map::post_metrics(&f.entries, &f.requested, media_id, memory, &mut out);
                out.gaps.extend(f.gaps);
                out.warnings.extend(f.warnings);
            }
            Err(e) if is_not_enough_viewers(&e) => {
                out.gap("insights", media_id, "not_enough_viewers", e.to_string());
                return Ok(out.finish());
            }
            Err(e) if is_before_business(&e) => {
                out.gap("insights", media_id, "media_before_business", e.to_string());
                return Ok(out.finish());
            }
            Err(e) => return Err(e),
        }
        let nav_scope = format!("{scope}:breakdown");
        if navigation && !memory.is_removed(scope, "navigation") {
            let call = InsightsCall {
                path: format!("/{media_id}/insights"),
                metrics: &["navigation"],
                params: vec![("breakdown", "story_navigation_action_type".to_string())],
                scope: &nav_scope,
                object_id: media_id,
            };
            match self.fetch_insights(token, &call, memory, rec).await {
                Ok(f) => {
                    map::navigation_breakdown(&f.entries, media_id, memory, &mut out);
                    out.gaps.extend(f.gaps);
                    out.warnings.extend(f.warnings);
                }
                Err(e) if is_not_enough_viewers(&e) => {
                    out.gap("insights", media_id, "not_enough_viewers", e.to_string());
                }
                Err(e) => {
                    if halts(&e) || e.needs_reauth() {
                        out.halted = true;
                        out.stopped.get_or_insert_with(|| e.interruption());
                    }
                    out.warn(&e.code(), format!("/{media_id}/insights navigation breakdown: {e}"));
                }
            }
        }
        Ok(out.finish())
    }
}

/// The fields of an Instagram comment and of its nested replies
/// (`GET /{ig-media-id}/comments`).
const COMMENT_FIELDS: &str = "id,text,username,from{id,username},timestamp,like_count,\
     replies{id,text,username,from{id,username},timestamp,like_count}";
/// The fields of a media the account is tagged in (`GET /{ig-user-id}/tags`).
const TAG_FIELDS: &str = "id,caption,username,timestamp,like_count,comments_count,permalink";

/// A media of `/{ig-user-id}/tags`.
#[derive(Debug, Default, serde::Deserialize)]
struct TaggedMedia {
    #[serde(default, deserialize_with = "crate::lenient::string")]
    id: Option<String>,
    #[serde(default, deserialize_with = "crate::lenient::string")]
    caption: Option<String>,
    #[serde(default, deserialize_with = "crate::lenient::string")]
    username: Option<String>,
    #[serde(default, deserialize_with = "crate::lenient::string")]
    timestamp: Option<String>,
    #[serde(default, deserialize_with = "crate::lenient::i64")]
    like_count: Option<i64>,
    #[serde(default, deserialize_with = "crate::lenient::i64")]
    comments_count: Option<i64>,
}

impl InstagramClient {
    /// The media `ig_user_id` is tagged in, published at or after `since` (UTC), newest
    /// first: `GET /{ig-user-id}/tags?fields=id,caption,username,timestamp,like_count,comments_count,permalink&limit=50`,
    /// at most [`crate::comments::MAX_COMMENT_PAGES`] pages, stopping at the first page
    /// reaching older media. Each is a [`CommentKind::Tag`](alcance_core::CommentKind::Tag)
    /// whose id and post are the media's, its text the caption, its author the media's
    /// owner.
    ///
    /// Errors: the first page's (mapped Graph error).
    pub async fn tags(
        &self,
        token: &SecretString,
        ig_user_id: &str,
        since: DateTime<Utc>,
        rec: &Recorder,
    ) -> Result<(Vec<alcance_core::CommentRecord>, Vec<alcance_core::CollectWarning>), PlatformError> {
        let mut out = Vec::new();
        let (_, warnings) = meta::list_pages(
            &self.http,
            self.base(),
            &format!("/{ig_user_id}/tags"),
            &[("fields", TAG_FIELDS), ("limit", "50")],
            token,
            rec,
            crate::comments::MAX_COMMENT_PAGES,
            |data| {
                let mut verdict = meta::PageVerdict::default();
                for raw in data {
                    let Ok(m) = serde_json::from_value::<TaggedMedia>(raw) else {
                        continue;
                    };
                    let Some(id) = m.id else { continue };
                    let at = m.timestamp.as_deref().and_then(meta::parse_time);
                    verdict.ids.push(id.clone());
                    if at.is_some_and(|t| t < since) {
                        verdict.stop = true;
                        continue;
                    }
                    out.push(alcance_core::CommentRecord {
                        external_id: id.clone(),
                        post_external_id: Some(id),
                        parent_external_id: None,
                        kind: alcance_core::CommentKind::Tag,
                        author_id: None,
                        author_handle: m.username,
                        created_at: at,
                        text: m.caption,
                        like_count: m.like_count,
                        reply_count: m.comments_count,
                    });
                }
                verdict
            },
        )
        .await?;
        Ok((out, warnings))
    }
}

#[async_trait::async_trait]
impl PlatformClient for InstagramClient {
    fn platform(&self) -> Platform {
        Platform::Instagram
    }

    /// `GET /me` (Instagram Login); see [`InstagramClient::me`].
    async fn whoami(&self, token: &SecretString, recorder: &Recorder) -> Result<Profile, PlatformError> {
        self.me(token, recorder).await
    }

    /// Profile (an `Err` when it fails: nothing else is collected), then for an owned
    /// account account insights, demographics, media since `window.since`, live stories and
    /// each media's insights (one [`MetricMemory`] for the whole collection); for a tracked
    /// account (`owned == false`) only media with their node counts. A permission refusal
    /// of media insights is one `permission` gap and stops media insights (posts and node
    /// counts still land). Each media's picture URL ([`MediaItem::pictures`]) goes into
    /// `batch.media`. Snapshots are stamped `window.until`. Every failing part becomes a
    /// warning or gap; a rate limit or a dead token stops further calls with an error-level
    /// warning, keeping what landed.
    /// Comments and their replies of each post (`GET /{ig-media-id}/comments?fields=id,text,username,from{id,username},timestamp,like_count,replies{…}&limit=50`),
    /// then the media the account is tagged in since `mentions_since`
    /// ([`InstagramClient::tags`]). Mentions arrive only through the `mentions` webhook
    /// (Meta has no listing of them). Needs `instagram_business_manage_comments`
    /// (Instagram Login) or `instagram_manage_comments` (Facebook Login); without it each
    /// read is a `permission` gap.
    async fn read_comments(
        &self,
        ctx: &crate::CommentsCtx,
    ) -> Result<Option<alcance_core::CommentsRead>, PlatformError> {
        let mut read = alcance_core::CommentsRead::default();
        if !ctx.account.owned {
            return Ok(None);
        }
        let going = crate::comments::graph_posts_comments(
            &self.http,
            self.base(),
            &ctx.posts,
            COMMENT_FIELDS,
            &[],
            &ctx.token,
            &ctx.recorder,
            &mut read,
        )
        .await;
        if going {
            let id = ctx.account.external_id.as_str();
            match self.tags(&ctx.token, id, ctx.mentions_since, &ctx.recorder).await {
                Ok((tags, warnings)) => {
                    read.comments.extend(tags);
                    read.gaps.extend(warnings.into_iter().map(|w| DataGap {
                        what: "tags".into(),
                        object_id: id.to_string(),
                        code: w.code,
                        detail: w.message,
                    }));
                }
                Err(e) => read.gaps.push(crate::comments::gap("tags", id, &e)),
            }
        }
        Ok(Some(read))
    }

    async fn collect(&self, ctx: &CollectCtx) -> Result<CollectionBatch, PlatformError> {
        let token = &ctx.token;
        let rec = &ctx.recorder;
        let id = ctx.account.external_id.as_str();
        let owned = ctx.account.owned;
        let (profile, metrics) = self.profile_at(token, id, ctx.window.until, rec).await?;
        let mut batch = CollectionBatch {
            profile: Some(profile),
            account_metrics: metrics,
            ..CollectionBatch::default()
        };
        let mut memory = MetricMemory::new();
        let mut halted = false;

        if owned {
            let r = self
                .account_insights_with(token, id, ctx.window, &mut memory, rec)
                .await;
            step_done(&mut batch, "account insights", r, &mut halted);
        }
        if owned && !halted && rec.audience_allowed() {
            let r = self.demographics_with(token, id, &mut memory, rec).await;
            step_done(&mut batch, "demographics", r, &mut halted);
        }

        let mut items: Vec<MediaItem> = Vec::new();
        if !halted {
            match self.media(token, id, ctx.window.since, rec).await {
                Ok(l) => {
                    listing_stopped(&mut batch, &l.warnings, &mut halted);
                    batch.warnings.extend(l.warnings);
                    items.extend(l.items);
                }
                Err(e) => part_failed(&mut batch, "media list", &e, &mut halted),
            }
        }
        if owned && !halted {
            match self.stories(token, id, rec).await {
                Ok(l) => {
                    listing_stopped(&mut batch, &l.warnings, &mut halted);
                    batch.warnings.extend(l.warnings);
                    let known: HashSet<String> = items.iter().map(|i| i.post.external_id.clone()).collect();
                    items.extend(l.items.into_iter().filter(|i| !known.contains(&i.post.external_id)));
                }
                Err(e) => part_failed(&mut batch, "stories", &e, &mut halted),
            }
        }

        // Each media's insights, several calls in flight; the outcomes come in the media's
        // order, as if asked one after the other (`meta::in_flight`).
        let mut asked = if owned && !halted {
            in_flight::each(
                &items,
                self.insights_in_flight,
                &mut memory,
                |i| media_scope(i.kind),
                in_flight::post_stop,
                |i, mut memory| async move {
                    let r = self
                        .media_insights_with(token, &i.post.external_id, i.kind, &mut memory, rec)
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
        // A permission refusal (not "Not enough viewers") repeats for every media: ask once.
        let mut insights_refused = false;
        for item in items {
            let mut post_metrics: Vec<PostMetric> = Vec::new();
            if owned && !halted && !insights_refused {
                let media_id = item.post.external_id.as_str();
                let outcome = asked.next().unwrap_or_else(|| Ok(InsightsResult::default()));
                match outcome {
                    Ok(r) => {
                        halted |= r.halted;
                        if let Some(why) = r.stopped {
                            batch.stop(why);
                        }
                        post_metrics = r.post_metrics;
                        batch.gaps.extend(r.gaps);
                        batch.warnings.extend(r.warnings);
                    }
                    Err(PlatformError::Forbidden { message }) => {
                        insights_refused = true;
                        batch.gaps.push(DataGap {
                            what: "media_insights".to_string(),
                            object_id: media_id.to_string(),
                            code: "permission".to_string(),
                            detail: format!("{message}; no media insights asked for the other media"),
                        });
                    }
                    Err(e) => part_failed(&mut batch, &format!("media {media_id} insights"), &e, &mut halted),
                }
            }
            map::merge_node_metrics(&mut post_metrics, &item.node_metrics);
            batch.post_metrics.extend(post_metrics);
            batch.media.extend(item.pictures);
            batch.posts.push(item.post);
        }
        Ok(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn series_chunks_cover_the_window_in_30_day_steps() {
        let w = CollectWindow {
            since: t("2026-08-01T00:00:00Z"),
            until: t("2026-11-01T00:00:00Z"),
        };
        let chunks = series_chunks(w);
        assert_eq!(chunks.len(), 4);
        assert_eq!(chunks[0].1, w.until.timestamp());
        assert_eq!(chunks[0].1 - chunks[0].0, 30 * 86_400);
        assert_eq!(chunks[3].0, w.since.timestamp());
        for pair in chunks.windows(2) {
            assert_eq!(pair[0].0, pair[1].1, "chunks must touch");
        }
        let old = CollectWindow {
            since: t("2015-01-01T00:00:00Z"),
            until: t("2026-11-01T00:00:00Z"),
        };
        let chunks = series_chunks(old);
        assert_eq!(chunks.len(), 25, "730 days in 30-day chunks");
        assert_eq!(
            chunks.last().map(|c| c.0),
            Some((old.until - Duration::days(730)).timestamp())
        );
        let empty = CollectWindow {
            since: old.until,
            until: old.until,
        };
        assert!(series_chunks(empty).is_empty());
        assert!(total_days(empty).is_empty());
    }

    #[test]
    fn total_days_are_full_utc_days_most_recent_first_capped_at_30() {
        let w = CollectWindow {
            since: t("2026-11-18T13:00:00Z"),
            until: t("2026-11-21T09:30:00Z"),
        };
        let days = total_days(w);
        assert_eq!(
            days,
            vec![
                Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap(),
                Utc.with_ymd_and_hms(2026, 11, 19, 0, 0, 0).unwrap(),
                Utc.with_ymd_and_hms(2026, 11, 18, 0, 0, 0).unwrap(),
            ]
        );
        let long = CollectWindow {
            since: t("2026-01-01T00:00:00Z"),
            until: t("2026-11-21T00:00:00Z"),
        };
        let days = total_days(long);
        assert_eq!(days.len(), 30);
        assert_eq!(days[0], Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap());
    }
}
