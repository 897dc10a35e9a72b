//! The requests: which Threads calls [`ThreadsClient`] makes, in which order, and how a
//! failing call becomes an error, a gap or a warning (the Graph rules of
//! [`crate::meta::steps`]).

use super::wire::{MediaNode, UserNode};
use super::{insights_floor, map, ThreadsClient, ThreadsMedia};
use crate::error::PlatformError;
use crate::http::{Answer, Recorder};
use crate::meta::in_flight;
use crate::meta::insights::{self, Fetched, Graph, InsightEntry, InsightsCall};
use crate::meta::steps::{absorb, listing_stopped, part_failed, step_done, Flow};
use crate::meta::{self, decode, InsightsResult, Listing, MetricMemory, PageVerdict};
use crate::{CollectCtx, CollectWindow, PlatformClient};
use alcance_core::{CollectionBatch, DataGap, Period, Platform, PostMetric, Profile};
use chrono::{DateTime, Duration, DurationRound, Utc};
use secrecy::SecretString;

/// Most pages of `/me/threads` read in one collection (100 posts a page); more stops with
/// a `paging_cap` warning.
pub const MAX_PAGES: usize = 40;

/// The lifetime metrics asked of every post (`/{media-id}/insights`), in request order.
pub const MEDIA_METRICS: [&str; 6] = ["views", "likes", "replies", "reposts", "quotes", "shares"];

/// The `threads_insights` metrics asked as one total per UTC day.
pub const TOTAL_METRICS: [&str; 5] = ["likes", "replies", "reposts", "quotes", "clicks"];

const USER_FIELDS: &str = "id,username,name,threads_profile_picture_url";
/// `media_url` / `thumbnail_url`: the post's picture (`map::picture`), served with the
/// listing (no call or scope of its own).
const MEDIA_FIELDS: &str =
    "id,media_product_type,media_type,permalink,username,text,timestamp,shortcode,is_quote_post,media_url,thumbnail_url";
const PAGE_SIZE: &str = "100";
/// Longest `since..until` of one `views` series call, days.
const SERIES_DAYS: i64 = 30;
/// Most UTC days of per-day totals in one collection.
const MAX_TOTAL_DAYS: usize = 30;
/// The `follower_demographics` breakdowns, one call each (Threads refuses several at once).
const DEMOGRAPHIC_BREAKDOWNS: [&str; 4] = ["country", "city", "age", "gender"];
/// The timeframe of stored demographics slices: Threads serves them for the account as it
/// is now, without a range.
const DEMOGRAPHIC_TIMEFRAME: &str = "lifetime";

/// Errors after which no further call for the same object makes sense.
fn stops_object(e: &PlatformError) -> bool {
    !matches!(e, PlatformError::Api { .. } | PlatformError::Decode { .. })
}

/// The decoded `data` items of an insights answer. Errors: the mapped Graph error;
/// `Decode` for a body that is not a Graph list.
pub(super) fn entries(answer: &Answer) -> Result<Vec<InsightEntry>, PlatformError> {
    #[derive(serde::Deserialize)]
    struct Raw {
        #[serde(default, deserialize_with = "crate::lenient::list")]
        data: Vec<serde_json::Value>,
    }
    let answer = meta::check(answer.clone(), None)?;
    let raw: Raw = answer.json()?;
    Ok(raw
        .data
        .into_iter()
        .filter_map(|v| serde_json::from_value::<InsightEntry>(v).ok())
        .collect())
}

/// UTC midnights of the full days in `[floor, until)`, most recent first, at most 30.
fn total_days(floor: DateTime<Utc>, until: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let Ok(first) = floor.duration_trunc(Duration::days(1)) else {
        return Vec::new();
    };
    // A day is asked only when it lies wholly after `floor`.
    let first = if first < floor {
        first + Duration::days(1)
    } else {
        first
    };
    let Ok(end) = until.duration_trunc(Duration::days(1)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut day = end - Duration::days(1);
    while day >= first && out.len() < MAX_TOTAL_DAYS {
        out.push(day);
        day -= Duration::days(1);
    }
    out
}

impl ThreadsClient {
    async fn get(
        &self,
        token: &SecretString,
        path: &str,
        params: &[(&str, &str)],
        rec: &Recorder,
    ) -> Result<Answer, PlatformError> {
        meta::get(&self.http, self.base(), path, params, token, rec).await
    }

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

    /// The token owner's profile: `GET /me?fields=id,username,name,threads_profile_picture_url`
    /// (used to validate a pasted token and after the code exchange). Errors: the mapped
    /// Graph error (190 → `Unauthorized`, ...); `Decode` for a body without an id.
    pub async fn me(&self, token: &SecretString, rec: &Recorder) -> Result<Profile, PlatformError> {
        self.user(token, "me", rec).await
    }

    /// A user's profile: `GET /{threads-user-id}?fields=id,username,name,threads_profile_picture_url`.
    /// Errors as [`ThreadsClient::me`].
    pub async fn user(&self, token: &SecretString, user_id: &str, rec: &Recorder) -> Result<Profile, PlatformError> {
        let answer = self
            .get(token, &format!("/{user_id}"), &[("fields", USER_FIELDS)], rec)
            .await?;
        let node: UserNode = decode(&answer, token)?;
        map::profile(&node)
            .ok_or_else(|| PlatformError::decode(&answer.endpoint, "the user node has no id", &answer.body))
    }

    /// The account's posts published in `[since, until)`, newest first:
    /// `GET /me/threads?fields=id,media_product_type,media_type,permalink,username,text,timestamp,shortcode,is_quote_post,media_url,thumbnail_url&limit=100&since=<unix>&until=<unix>[&after=<cursor>]`,
    /// following `paging.cursors.after` under the Graph page guard (a repeated cursor or a
    /// page without new ids stops with `paging_loop`; [`MAX_PAGES`] with `paging_cap`).
    /// Items older than `since` stop the listing (should Threads ignore `since`); items
    /// without an id are skipped with a `decode` warning. Errors: the first page's error; a
    /// later page's failure is a warning and what was read is returned.
    pub async fn threads(
        &self,
        token: &SecretString,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        rec: &Recorder,
    ) -> Result<Listing<ThreadsMedia>, PlatformError> {
        let (since_s, until_s) = (since.timestamp().to_string(), until.timestamp().to_string());
        let params = [
            ("fields", MEDIA_FIELDS),
            ("limit", PAGE_SIZE),
            ("since", since_s.as_str()),
            ("until", until_s.as_str()),
        ];
        let mut out = Listing::default();
        let mut skipped = 0usize;
        let (pages, warnings) = meta::list_pages(
            &self.http,
            self.base(),
            "/me/threads",
            &params,
            token,
            rec,
            MAX_PAGES,
            |data| {
                let mut verdict = PageVerdict::default();
                for raw in data {
                    let item = serde_json::from_value::<MediaNode>(raw).ok().and_then(map::media);
                    let Some(item) = item else {
                        skipped += 1;
                        continue;
                    };
                    let id = item.post.external_id.clone();
                    if verdict.ids.contains(&id) || out.items.iter().any(|i: &ThreadsMedia| i.post.external_id == id) {
                        continue;
                    }
                    verdict.ids.push(id);
                    if item.post.published_at.is_some_and(|at| at < since) {
                        verdict.stop = true;
                        continue;
                    }
                    out.items.push(item);
                }
                verdict
            },
        )
        .await?;
        out.pages = pages;
        out.incomplete = warnings.iter().any(|w| w.message.contains("failed"));
        out.warnings = warnings;
        if skipped > 0 {
            out.warnings.push(crate::meta::warning(
                alcance_core::EventLevel::Warn,
                "decode",
                format!("/me/threads: skipped {skipped} items without an id"),
            ));
        }
        Ok(out)
    }

    /// Lifetime insights of one post: `GET /{media-id}/insights?metric=views,likes,replies,reposts,quotes,shares`
    /// → post metrics (counts; a metric Threads rejects as invalid is dropped, remembered in
    /// `memory` and recorded once as `metric_removed`; an empty value is `None`). Errors:
    /// the mapped Graph error (a deleted post: `NotFound`, Graph 100 / subcode 33).
    pub async fn media_insights(
        &self,
        token: &SecretString,
        media_id: &str,
        memory: &mut MetricMemory,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        let call = InsightsCall {
            path: format!("/{media_id}/insights"),
            metrics: &MEDIA_METRICS,
            params: Vec::new(),
            scope: "media",
            object_id: media_id,
        };
        let f = self.fetch_insights(token, &call, memory, rec).await?;
        let mut out = InsightsResult::default();
        map::post_metrics(&f.entries, &f.requested, media_id, memory, &mut out);
        out.gaps.extend(f.gaps);
        out.warnings.extend(f.warnings);
        Ok(out.finish())
    }

    /// The follower count: `GET /{user-id}/threads_insights?metric=followers_count` → a
    /// `followers` snapshot at `at` (UTC). Errors: the mapped Graph error.
    pub async fn followers(
        &self,
        token: &SecretString,
        user_id: &str,
        at: DateTime<Utc>,
        rec: &Recorder,
    ) -> Result<Vec<alcance_core::AccountMetric>, PlatformError> {
        let answer = self
            .get(
                token,
                &format!("/{user_id}/threads_insights"),
                &[("metric", "followers_count")],
                rec,
            )
            .await?;
        Ok(map::followers(&entries(&answer)?, at))
    }

    /// Account insights over `window` (UTC), clamped to [`insights_floor`]:
    /// 1. daily profile views in ≤30-day chunks, most recent first:
    ///    `GET /{user-id}/threads_insights?metric=views&period=day&since=<unix>&until=<unix>`
    ///    (`period=day` is sent because Graph reports "(#100) The period param is required
    ///    for this metric" without it; inferred, platform-apis-more.md §4.3);
    /// 2. for each full UTC day of the last 30, most recent first,
    ///    `metric=likes,replies,reposts,quotes,clicks&since=<day>&until=<day+1>` →
    ///    `Period::Day` totals.
    ///
    /// Failures follow the Graph rules ([`absorb`]): a permission error skips its step
    /// with a `permission` gap, a rate limit stops everything (`halted`), others are
    /// warnings. Errors: `Unauthorized` only.
    pub async fn account_insights(
        &self,
        token: &SecretString,
        user_id: &str,
        window: CollectWindow,
        memory: &mut MetricMemory,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        let mut out = InsightsResult::default();
        let path = format!("/{user_id}/threads_insights");
        let floor = insights_floor(window);
        let clamped = CollectWindow {
            since: floor,
            until: window.until,
        };
        for (since, until) in insights::chunks(clamped, SERIES_DAYS) {
            let call = InsightsCall {
                path: path.clone(),
                metrics: &["views"],
                params: vec![
                    ("period", "day".to_string()),
                    ("since", since.to_string()),
                    ("until", until.to_string()),
                ],
                scope: "account:series",
                object_id: user_id,
            };
            match self.fetch_insights(token, &call, memory, rec).await {
                Ok(f) => {
                    map::views_series(&f.entries, user_id, memory, &mut out);
                    out.gaps.extend(f.gaps);
                    out.warnings.extend(f.warnings);
                }
                Err(e) => match absorb(e, "threads_insights:views", user_id, &mut out)? {
                    Flow::Continue => {}
                    Flow::SkipStep => break,
                    Flow::Halt => return Ok(out.finish()),
                },
            }
        }
        // Each day's totals, several calls in flight; the outcomes come in the days' order,
        // as if asked one after the other (`meta::in_flight`).
        let days = total_days(floor, window.until);
        let path = path.as_str();
        let outcomes = in_flight::each(
            &days,
            self.insights_in_flight,
            memory,
            |_| "account:total",
            in_flight::step_stop,
            |&day, mut memory| async move {
                let r = self.day_totals(token, path, user_id, day, &mut memory, rec).await;
                (r, memory)
            },
        )
        .await;
        for outcome in outcomes.into_iter().flatten() {
            match outcome {
                Ok(r) => out.extend(r),
                Err(e) => match absorb(e, "threads_insights:totals", user_id, &mut out)? {
                    Flow::Continue => {}
                    Flow::SkipStep => break,
                    Flow::Halt => return Ok(out.finish()),
                },
            }
        }
        Ok(out.finish())
    }

    /// One UTC day of totals for [`ThreadsClient::account_insights`]:
    /// `GET {path}?metric=likes,replies,reposts,quotes,clicks&since=<day>&until=<day+1>` (Unix s)
    /// → `Period::Day` metrics over that day. Errors: the call's, as [`insights::fetch`]
    /// gives it.
    async fn day_totals(
        &self,
        token: &SecretString,
        path: &str,
        user_id: &str,
        day: DateTime<Utc>,
        memory: &mut MetricMemory,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        let next = day + Duration::days(1);
        let call = InsightsCall {
            path: path.to_string(),
            metrics: &TOTAL_METRICS,
            params: vec![
                ("since", day.timestamp().to_string()),
                ("until", next.timestamp().to_string()),
            ],
            scope: "account:total",
            object_id: user_id,
        };
        let f = self.fetch_insights(token, &call, memory, rec).await?;
        let mut out = InsightsResult::default();
        map::totals(
            &f.entries,
            &f.requested,
            (day, next),
            Period::Day,
            user_id,
            memory,
            &mut out,
        );
        out.gaps.extend(f.gaps);
        out.warnings.extend(f.warnings);
        Ok(out)
    }

    /// Follower demographics, one call per breakdown:
    /// `GET /{user-id}/threads_insights?metric=follower_demographics&breakdown=country|city|age|gender`
    /// → audience slices (`followers`, dimension `country` / `city` / `age` / `gender`, key
    /// `BR` / `São Paulo, São Paulo` / `25-34` / `F`, value a follower count, timeframe
    /// `lifetime`). Threads serves them only from 100 followers: its refusal is a gap or a
    /// warning, never a failed account. Errors: `Unauthorized` only.
    pub async fn demographics(
        &self,
        token: &SecretString,
        user_id: &str,
        memory: &mut MetricMemory,
        rec: &Recorder,
    ) -> Result<InsightsResult, PlatformError> {
        let mut out = InsightsResult::default();
        for breakdown in DEMOGRAPHIC_BREAKDOWNS {
            let call = InsightsCall {
                path: format!("/{user_id}/threads_insights"),
                metrics: &["follower_demographics"],
                params: vec![("breakdown", breakdown.to_string())],
                scope: "account:demographics",
                object_id: user_id,
            };
            match self.fetch_insights(token, &call, memory, rec).await {
                Ok(f) => {
                    map::demographics(&f.entries, breakdown, DEMOGRAPHIC_TIMEFRAME, &mut out);
                    out.gaps.extend(f.gaps);
                    out.warnings.extend(f.warnings);
                }
                Err(e) => match absorb(e, &format!("follower_demographics:{breakdown}"), user_id, &mut out)? {
                    Flow::Continue => {}
                    Flow::SkipStep => break,
                    Flow::Halt => return Ok(out.finish()),
                },
            }
        }
        Ok(out.finish())
    }
}

#[async_trait::async_trait]
impl PlatformClient for ThreadsClient {
    fn platform(&self) -> Platform {
        Platform::Threads
    }

    /// `GET /me`; see [`ThreadsClient::me`].
    async fn whoami(&self, token: &SecretString, recorder: &Recorder) -> Result<Profile, PlatformError> {
        self.me(token, recorder).await
    }

    /// Profile (an `Err` when it fails: nothing else is collected), the follower count,
    /// account insights, follower demographics, the posts of the window and each post's
    /// insights (one [`MetricMemory`] for the whole collection). Repost facades are not the
    /// account's posts and are skipped. A deleted post (Graph 100 / subcode 33) is one
    /// `not_found` gap and the other posts go on; a permission refusal of post insights is
    /// one `permission` gap and stops post insights (posts still land). Snapshots are
    /// stamped `window.until`. A rate limit or a dead token stops further calls with an
    /// error-level warning, keeping what landed.
    async fn collect(&self, ctx: &CollectCtx) -> Result<CollectionBatch, PlatformError> {
        let token = &ctx.token;
        let rec = &ctx.recorder;
        let id = ctx.account.external_id.as_str();
        let profile = self.user(token, id, rec).await?;
        let mut batch = CollectionBatch {
            profile: Some(profile),
            ..CollectionBatch::default()
        };
        let mut memory = MetricMemory::new();
        let mut halted = false;

        match self.followers(token, id, ctx.window.until, rec).await {
            Ok(m) => batch.account_metrics.extend(m),
            Err(e) => part_failed(&mut batch, "followers_count", &e, &mut halted),
        }
        if !halted {
            let r = self.account_insights(token, id, ctx.window, &mut memory, rec).await;
            step_done(&mut batch, "account insights", r, &mut halted);
        }
        if !halted && rec.audience_allowed() {
            let r = self.demographics(token, id, &mut memory, rec).await;
            step_done(&mut batch, "follower demographics", r, &mut halted);
        }
        let mut items: Vec<ThreadsMedia> = Vec::new();
        if !halted {
            match self.threads(token, ctx.window.since, ctx.window.until, rec).await {
                Ok(l) => {
                    listing_stopped(&mut batch, &l.warnings, &mut halted);
                    batch.warnings.extend(l.warnings);
                    items = l.items;
                }
                Err(e) => part_failed(&mut batch, "/me/threads", &e, &mut halted),
            }
        }
        let items: Vec<ThreadsMedia> = items.into_iter().filter(|i| !i.repost).collect();
        // Each post's insights, several calls in flight; the outcomes come in the posts'
        // order, as if asked one after the other (`meta::in_flight`).
        let mut asked = if halted {
            Vec::new()
        } else {
            in_flight::each(
                &items,
                self.insights_in_flight,
                &mut memory,
                |_| "media",
                in_flight::post_stop,
                |i, mut memory| async move {
                    let r = self.media_insights(token, &i.post.external_id, &mut memory, rec).await;
                    (r, memory)
                },
            )
            .await
        }
        .into_iter()
        .flatten();
        let mut refused = false;
        for item in items {
            let media_id = item.post.external_id.clone();
            let mut post_metrics: Vec<PostMetric> = Vec::new();
            if !halted && !refused {
                let outcome = asked.next().unwrap_or_else(|| Ok(InsightsResult::default()));
                match outcome {
                    Ok(r) => {
                        post_metrics = r.post_metrics;
                        batch.gaps.extend(r.gaps);
                        batch.warnings.extend(r.warnings);
                    }
                    Err(PlatformError::NotFound { message }) => batch.gaps.push(DataGap {
                        what: "media_insights".to_string(),
                        object_id: media_id.clone(),
                        code: "not_found".to_string(),
                        detail: format!("/{media_id}/insights: {message}"),
                    }),
                    Err(PlatformError::Forbidden { message }) => {
                        refused = true;
                        batch.gaps.push(DataGap {
                            what: "media_insights".to_string(),
                            object_id: media_id.clone(),
                            code: "permission".to_string(),
                            detail: format!("/{media_id}/insights: {message}; no insights asked for the other posts"),
                        });
                    }
                    Err(e) => part_failed(&mut batch, &format!("/{media_id}/insights"), &e, &mut halted),
                }
            }
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

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn total_days_are_whole_utc_days_after_the_floor() {
        let days = total_days(t("2026-11-18T13:00:00Z"), t("2026-11-21T09:30:00Z"));
        assert_eq!(days, vec![t("2026-11-20T00:00:00Z"), t("2026-11-19T00:00:00Z")]);
        assert!(total_days(t("2026-11-21T00:00:00Z"), t("2026-11-21T09:00:00Z")).is_empty());
        assert_eq!(
            total_days(t("2026-01-01T00:00:00Z"), t("2026-11-21T00:00:00Z")).len(),
            30
        );
    }

    #[test]
    fn insights_never_reach_before_the_epoch_or_two_years_back() {
        let w = CollectWindow {
            since: t("2020-01-01T00:00:00Z"),
            until: t("2025-01-01T00:00:00Z"),
        };
        assert_eq!(insights_floor(w), t("2024-04-13T07:00:00Z"));
        let w = CollectWindow {
            since: t("2020-01-01T00:00:00Z"),
            until: t("2029-01-01T00:00:00Z"),
        };
        assert_eq!(insights_floor(w), w.until - Duration::days(730));
        let w = CollectWindow {
            since: t("2026-11-01T00:00:00Z"),
            until: t("2026-11-08T00:00:00Z"),
        };
        assert_eq!(insights_floor(w), w.since);
    }
}
