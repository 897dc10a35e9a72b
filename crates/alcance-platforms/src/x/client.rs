//! The X API v2 client: requests, pagination with its guards, and `collect`.

use super::map::{decode_posts, decode_private_metrics, decode_user, profile_metrics};
use super::{Timeline, XUser};
use crate::cursor_walk::CursorWalk;
use crate::endpoints::{join, Endpoints};
use crate::error::PlatformError;
use crate::http::{Answer, Http, Recorder};
use crate::{CollectCtx, PlatformClient};
use alcance_core::time::from_unix;
use alcance_core::{CollectWarning, CollectionBatch, DataGap, EventLevel, Platform, PostMetric, Profile};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use secrecy::{ExposeSecret, SecretString};
use std::collections::{HashMap, HashSet};
use url::Url;

/// `user.fields` of every user lookup.
const USER_FIELDS: &str = "id,name,username,created_at,profile_image_url,verified,public_metrics";
/// `tweet.fields` of the timeline.
const TWEET_FIELDS: &str = "created_at,public_metrics,attachments,conversation_id";
/// `media.fields` of the timeline. `preview_image_url` and `url` are the posts' pictures
/// (`map::picture`): fields of the media objects the `attachments.media_keys` expansion
/// already returns, so they add no resource read (X bills reads per resource returned).
const MEDIA_FIELDS: &str = "type,duration_ms,public_metrics,preview_image_url,url";
/// `tweet.fields` of the owner's metrics lookup.
const PRIVATE_TWEET_FIELDS: &str = "non_public_metrics,organic_metrics";

/// The most timeline pages one walk reads (100 posts each); a walk that stops here says
/// so in a warning (code `page_cap`).
pub const MAX_TIMELINE_PAGES: u32 = 40;
/// Ids per `/2/tweets?ids=` call (the API's maximum).
pub const PRIVATE_METRICS_BATCH: usize = 100;
/// X serves `non_public_metrics` only for posts younger than this many days.
pub const PRIVATE_METRICS_MAX_AGE_DAYS: i64 = 30;

/// X's rate-limit window as read from one answer's headers (platform-apis.md §1.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed in the 15-minute window (`x-rate-limit-limit`).
    pub limit: u32,
    /// Requests left in the window (`x-rate-limit-remaining`).
    pub remaining: u32,
    /// When the window resets, UTC (`x-rate-limit-reset`, Unix seconds).
    pub reset: DateTime<Utc>,
}

/// Reads `x-rate-limit-limit`, `x-rate-limit-remaining` and `x-rate-limit-reset` (Unix
/// seconds) from an answer. `None` unless all three are present and numeric. Proxy
/// headers without the dash (`x-ratelimit-*`) are not X's and are ignored.
pub fn rate_limit(answer: &Answer) -> Option<RateLimit> {
    let num = |name: &str| answer.header(name).and_then(|v| v.trim().parse::<u64>().ok());
    Some(RateLimit {
        limit: u32::try_from(num("x-rate-limit-limit")?).ok()?,
        remaining: u32::try_from(num("x-rate-limit-remaining")?).ok()?,
        reset: from_unix(i64::try_from(num("x-rate-limit-reset")?).ok()?)?,
    })
}

/// The X API v2 client. Cheap to clone (the HTTP client is shared). Every request carries
/// `Authorization: Bearer <token>` and is archived (URL scrubbed) in the caller's
/// [`Recorder`].
#[derive(Debug, Clone)]
pub struct XClient {
    http: Http,
    endpoints: Endpoints,
}

impl XClient {
    /// A client for the X API at `endpoints.x_api` (`https://api.x.com`, or the sandbox).
    pub fn new(http: Http, endpoints: Endpoints) -> Self {
        Self { http, endpoints }
    }

    pub(super) async fn get(
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

    /// `x_api` + `path` + `segments`, each percent-encoded as one path segment (a
    /// username or an id can never change the route). An empty first segment (no id, no
    /// username) is [`PlatformError::NotFound`].
    pub(super) fn url_with(&self, path: &str, segments: &[&str]) -> Result<Url, PlatformError> {
        if segments.first().is_some_and(|s| s.is_empty()) {
            return Err(PlatformError::NotFound {
                message: format!("{path}: an empty X user id or username"),
            });
        }
        let mut url = join(&self.endpoints.x_api, path);
        url.path_segments_mut()
            .map_err(|()| PlatformError::Transport {
                message: format!("the X API base {} cannot take a path", self.endpoints.x_api),
            })?
            .extend(segments);
        Ok(url)
    }

    async fn user_at(&self, token: &SecretString, url: Url, rec: &Recorder) -> Result<XUser, PlatformError> {
        let answer = self.get(token, url, &[("user.fields", USER_FIELDS)], rec).await?;
        decode_user(&answer)
    }

    /// Recent post counts of `query` (`#verão`, sent as written; the URL encoding is
    /// reqwest's): `GET /2/tweets/counts/recent?query=&granularity=` over X's last 7 days,
    /// with the App's **app-only Bearer Token** `bearer` (not a user-context token).
    ///
    /// Errors: see [`super::decode_post_counts`]; [`PlatformError::Transport`] when no
    /// answer came.
    pub async fn post_counts_recent(
        &self,
        bearer: &SecretString,
        query: &str,
        granularity: alcance_core::VolumeGranularity,
        rec: &Recorder,
    ) -> Result<super::PostCounts, PlatformError> {
        let url = join(&self.endpoints.x_api, "/2/tweets/counts/recent");
        let answer = self
            .get(
                bearer,
                url,
                &[("query", query), ("granularity", granularity.as_str())],
                rec,
            )
            .await?;
        super::decode_post_counts(&answer, query, granularity)
    }

    /// The token owner: `GET /2/users/me?user.fields=id,name,username,created_at,profile_image_url,verified,public_metrics`.
    ///
    /// Errors: see [`super::decode_user`] and [`super::map_error`] (401 →
    /// [`PlatformError::Unauthorized`], …); [`PlatformError::Transport`] when no answer came.
    pub async fn me(&self, token: &SecretString, rec: &Recorder) -> Result<XUser, PlatformError> {
        self.user_at(token, join(&self.endpoints.x_api, "/2/users/me"), rec)
            .await
    }

    /// A public profile by handle (a leading `@` is dropped):
    /// `GET /2/users/by/username/{username}?user.fields=…` (same fields as [`Self::me`]).
    ///
    /// Errors: as [`Self::me`]; an unknown or suspended handle (HTTP 200 with only
    /// `errors[]`) → [`PlatformError::NotFound`]; an empty handle →
    /// [`PlatformError::NotFound`] without a call.
    pub async fn user_by_username(
        &self,
        token: &SecretString,
        username: &str,
        rec: &Recorder,
    ) -> Result<XUser, PlatformError> {
        let handle = username.trim().trim_start_matches('@');
        let url = self.url_with("/2/users/by/username", &[handle])?;
        self.user_at(token, url, rec).await
    }

    /// A public profile by user id: `GET /2/users/{id}?user.fields=…` (same fields as
    /// [`Self::me`]).
    ///
    /// Errors: as [`Self::user_by_username`].
    pub async fn user_by_id(&self, token: &SecretString, id: &str, rec: &Recorder) -> Result<XUser, PlatformError> {
        let url = self.url_with("/2/users", &[id.trim()])?;
        self.user_at(token, url, rec).await
    }

    /// Every post of `user_id` published since `since` (UTC), with public metric
    /// snapshots: `GET /2/users/{id}/tweets?max_results=100&start_time=<RFC 3339, Z>
    /// &tweet.fields=created_at,public_metrics,attachments,conversation_id
    /// &expansions=attachments.media_keys&media.fields=type,duration_ms,public_metrics,preview_image_url,url`,
    /// then the same with `pagination_token=<meta.next_token>` until the last page.
    ///
    /// Guards: the walk stops when `next_token` is absent, when it repeats a token already
    /// seen (warning `pagination_loop`), when a page brings no post not seen before
    /// (warning `pagination_stalled`), and after [`MAX_TIMELINE_PAGES`] pages (warning
    /// `page_cap`). Posts repeated across pages are kept once.
    ///
    /// Errors: an empty `user_id` → [`PlatformError::NotFound`] without a call; otherwise
    /// only the first page's failure is an `Err` (see [`super::decode_posts`]);
    /// a later page that fails ends the walk with a warning (code of the error) and keeps
    /// what was read.
    pub async fn timeline(
        &self,
        token: &SecretString,
        user_id: &str,
        since: DateTime<Utc>,
        rec: &Recorder,
    ) -> Result<Timeline, PlatformError> {
        let url = self.url_with("/2/users", &[user_id.trim(), "tweets"])?;
        let start_time = since.to_rfc3339_opts(SecondsFormat::Secs, true);
        let mut timeline = Timeline::default();
        let mut seen_ids: HashSet<String> = HashSet::new();
        let mut seen_tokens: HashSet<String> = HashSet::new();
        let mut next: Option<String> = None;
        let mut pages: u32 = 0;
        loop {
            let mut query: Vec<(&str, &str)> = vec![
                ("max_results", "100"),
                ("start_time", &start_time),
                ("tweet.fields", TWEET_FIELDS),
                ("expansions", "attachments.media_keys"),
                ("media.fields", MEDIA_FIELDS),
            ];
            if let Some(token) = next.as_deref() {
                query.push(("pagination_token", token));
            }
            let result = match self.get(token, url.clone(), &query, rec).await {
                Ok(answer) => decode_posts(&answer),
                Err(e) => Err(e),
            };
            pages += 1;
            let page = match result {
                Ok(page) => page,
                Err(e) if pages == 1 => return Err(e),
                Err(e) => {
                    if e.stops_account() {
                        timeline.stopped = Some(e.interruption());
                    }
                    tracing::warn!(page = pages, code = %e.code(), "X timeline page failed; keeping earlier pages");
                    timeline.warnings.push(CollectWarning {
                        level: if e.stops_account() { EventLevel::Error } else { EventLevel::Warn },
                        code: e.code(),
                        message: format!("X timeline of user {user_id}: page {pages} failed, kept the posts of the earlier pages: {e}"),
                    });
                    break;
                }
            };
            let fresh: HashSet<String> = page
                .posts
                .iter()
                .filter(|p| !seen_ids.contains(&p.external_id))
                .map(|p| p.external_id.clone())
                .collect();
            for post in page.posts {
                if fresh.contains(&post.external_id) && seen_ids.insert(post.external_id.clone()) {
                    timeline.posts.push(post);
                }
            }
            timeline
                .metrics
                .extend(page.metrics.into_iter().filter(|m| fresh.contains(&m.post_external_id)));
            timeline
                .media
                .extend(page.media.into_iter().filter(|m| fresh.contains(&m.post_external_id)));
            timeline.warnings.extend(page.gaps.into_iter().map(|g| CollectWarning {
                level: EventLevel::Gap,
                code: g.code,
                message: format!(
                    "X timeline of user {user_id}: {} of {}: {}",
                    g.what, g.object_id, g.detail
                ),
            }));
            let Some(token_next) = page.next_token else { break };
            let walk = CursorWalk {
                token: "a pagination token",
                items: "posts",
                older: "posts",
                max_pages: MAX_TIMELINE_PAGES,
            };
            let stop = walk.stop(&mut seen_tokens, &token_next, fresh.len(), pages);
            if let Some((code, why)) = stop {
                timeline.warnings.push(CollectWarning {
                    level: EventLevel::Warn,
                    code: code.to_string(),
                    message: format!("X timeline of user {user_id}: {why}"),
                });
                break;
            }
            next = Some(token_next);
        }
        tracing::debug!(pages, posts = timeline.posts.len(), "X timeline read");
        Ok(timeline)
    }

    /// The owner's non-public metrics of `ids`, [`PRIVATE_METRICS_BATCH`] ids per call:
    /// `GET /2/tweets?ids=<≤100 comma-separated>&tweet.fields=non_public_metrics,organic_metrics`.
    /// Returns `impressions`, `link_clicks` and `profile_views` snapshots, and one
    /// [`DataGap`] per post X would not serve (partial errors, see
    /// [`super::decode_private_metrics`]). Duplicate and empty ids are dropped; no ids →
    /// no call.
    ///
    /// Errors: the first batch that fails (non-2xx or undecodable) fails the call.
    pub async fn private_metrics(
        &self,
        token: &SecretString,
        ids: &[String],
        rec: &Recorder,
    ) -> Result<(Vec<PostMetric>, Vec<DataGap>), PlatformError> {
        let mut metrics = Vec::new();
        let mut gaps = Vec::new();
        for chunk in unique_ids(ids).chunks(PRIVATE_METRICS_BATCH) {
            let (m, g) = self.private_batch(token, chunk, rec).await?;
            metrics.extend(m);
            gaps.extend(g);
        }
        Ok((metrics, gaps))
    }

    async fn private_batch(
        &self,
        token: &SecretString,
        ids: &[String],
        rec: &Recorder,
    ) -> Result<(Vec<PostMetric>, Vec<DataGap>), PlatformError> {
        let joined = ids.join(",");
        let url = join(&self.endpoints.x_api, "/2/tweets");
        let answer = self
            .get(
                token,
                url,
                &[("ids", &joined), ("tweet.fields", PRIVATE_TWEET_FIELDS)],
                rec,
            )
            .await?;
        decode_private_metrics(&answer)
    }

    /// Reads a profile that is not (or is not known to be) the token's owner: by username
    /// when the account has one, else by id.
    async fn public_profile(&self, ctx: &CollectCtx) -> Result<XUser, PlatformError> {
        match ctx.account.username.as_deref().filter(|u| !u.trim().is_empty()) {
            Some(username) => self.user_by_username(&ctx.token, username, &ctx.recorder).await,
            None => {
                self.user_by_id(&ctx.token, &ctx.account.external_id, &ctx.recorder)
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
        level: EventLevel::Warn,
        code: e.code(),
        message: format!("{what}: {e}"),
    }
}

#[async_trait::async_trait]
impl PlatformClient for XClient {
    fn platform(&self) -> Platform {
        Platform::X
    }

    /// `GET /2/users/me` as a [`Profile`].
    async fn whoami(&self, token: &SecretString, recorder: &Recorder) -> Result<Profile, PlatformError> {
        Ok(self.me(token, recorder).await?.profile())
    }

    /// Profile snapshots (`followers`, `following`, `media_count`, `listed`; period
    /// `snapshot` at the current time), then the timeline since `ctx.window.since`
    /// (posts, public metric snapshots), then for an owned account the non-public metrics
    /// of posts published within [`PRIVATE_METRICS_MAX_AGE_DAYS`] days of
    /// `ctx.window.until`: their `impression_count` replaces the public `impressions`
    /// value (one `impressions` value per post), plus `link_clicks` and `profile_views`.
    ///
    /// An owned account is read with `/2/users/me`; when the token belongs to another
    /// user than `ctx.account.external_id`, a warning (`account_mismatch`) is recorded and
    /// the account is read as a tracked profile (public metrics only). Tracked accounts
    /// are read by username, or by id when there is none.
    ///
    /// Errors: the profile call failing. Timeline and metrics failures become warnings in
    /// the batch, and keep the profile; one that stops the account (a refused token, a
    /// rate limit, a dropped connection, the deadline) is also the batch's
    /// [`CollectionBatch::stopped`], and no further call is made.
    /// The mentions timeline since `ctx.mentions_since` ([`XClient::mentions`]): replies to
    /// the account's posts become their comments and replies, other posts naming the
    /// account mentions. `ctx.posts` is not read post by post: a post's replies arrive
    /// through the same timeline.
    async fn read_comments(
        &self,
        ctx: &crate::CommentsCtx,
    ) -> Result<Option<alcance_core::CommentsRead>, PlatformError> {
        if !ctx.account.owned {
            return Ok(None);
        }
        let id = ctx.account.external_id.as_str();
        let mut read = alcance_core::CommentsRead::default();
        match self.mentions(&ctx.token, id, ctx.mentions_since, &ctx.recorder).await {
            Ok(m) => {
                read.comments = m.comments;
                read.gaps.extend(m.warnings.into_iter().map(|w| alcance_core::DataGap {
                    what: "mentions".into(),
                    object_id: id.to_string(),
                    code: w.code,
                    detail: w.message,
                }));
            }
            Err(e) => read.gaps.push(crate::comments::gap("mentions", id, &e)),
        }
        Ok(Some(read))
    }

    async fn collect(&self, ctx: &CollectCtx) -> Result<CollectionBatch, PlatformError> {
        let rec = &ctx.recorder;
        let mut batch = CollectionBatch::default();
        let mut owned = ctx.account.owned;
        let user = if owned {
            let me = self.me(&ctx.token, rec).await?;
            let expected = ctx.account.external_id.trim();
            if expected.is_empty() || me.id == expected {
                me
            } else {
                owned = false;
                batch.warnings.push(CollectWarning {
                    level: EventLevel::Warn,
                    code: "account_mismatch".to_string(),
                    message: format!(
                        "the X token belongs to @{} (id {}), not to account id {expected}; \
                         read the account as a public profile (reconnect it for owner metrics)",
                        me.username, me.id
                    ),
                });
                self.public_profile(ctx).await?
            }
        } else {
            self.public_profile(ctx).await?
        };
        batch.account_metrics = profile_metrics(&user, Utc::now());
        batch.profile = Some(user.profile());

        let mut timeline = match self.timeline(&ctx.token, &user.id, ctx.window.since, rec).await {
            Ok(t) => t,
            Err(e) => {
                // The profile arrived: it is kept, whatever stopped the timeline.
                batch.warnings.push(warning("X timeline", &e));
                if e.stops_account() {
                    batch.stop(e.interruption());
                }
                Timeline::default()
            }
        };
        batch.warnings.append(&mut timeline.warnings);
        if let Some(why) = timeline.stopped.take() {
            batch.stop(why);
        }
        let mut post_metrics = timeline.metrics;

        if owned && batch.stopped.is_none() {
            let oldest = ctx.window.until - Duration::days(PRIVATE_METRICS_MAX_AGE_DAYS);
            let young: Vec<String> = timeline
                .posts
                .iter()
                .filter(|p| p.published_at.is_some_and(|t| t > oldest))
                .map(|p| p.external_id.clone())
                .collect();
            let mut private = Vec::new();
            for chunk in unique_ids(&young).chunks(PRIVATE_METRICS_BATCH) {
                match self.private_batch(&ctx.token, chunk, rec).await {
                    Ok((m, g)) => {
                        private.extend(m);
                        batch.gaps.extend(g);
                    }
                    Err(e) => {
                        batch.warnings.push(warning("X non-public metrics", &e));
                        if e.stops_account() {
                            batch.stop(e.interruption());
                            break;
                        }
                    }
                }
            }
            merge_private(&mut post_metrics, private);
        }
        batch.posts = timeline.posts;
        batch.post_metrics = post_metrics;
        batch.media = timeline.media;
        Ok(batch)
    }
}

/// Adds the owner's metrics to the public ones: a private `impressions` value replaces
/// the public one of the same post; a private `impressions` of `None` leaves the public
/// value alone.
fn merge_private(metrics: &mut Vec<PostMetric>, private: Vec<PostMetric>) {
    let replaced: HashMap<String, ()> = private
        .iter()
        .filter(|m| m.metric == "impressions" && m.value.is_some())
        .map(|m| (m.post_external_id.clone(), ()))
        .collect();
    metrics.retain(|m| !(m.metric == "impressions" && replaced.contains_key(&m.post_external_id)));
    metrics.extend(
        private
            .into_iter()
            .filter(|m| m.metric != "impressions" || m.value.is_some()),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pm(post: &str, metric: &str, value: Option<f64>) -> PostMetric {
        PostMetric {
            post_external_id: post.to_string(),
            metric: metric.to_string(),
            value,
        }
    }

    #[test]
    fn private_impressions_replace_public_ones() {
        let mut metrics = vec![
            pm("1", "impressions", Some(10.0)),
            pm("1", "likes", Some(2.0)),
            pm("2", "impressions", Some(5.0)),
        ];
        merge_private(
            &mut metrics,
            vec![
                pm("1", "impressions", Some(40.0)),
                pm("1", "link_clicks", Some(3.0)),
                pm("2", "impressions", None),
            ],
        );
        let impressions: Vec<_> = metrics.iter().filter(|m| m.metric == "impressions").collect();
        assert_eq!(impressions.len(), 2);
        assert!(impressions.contains(&&pm("1", "impressions", Some(40.0))));
        assert!(impressions.contains(&&pm("2", "impressions", Some(5.0))));
        assert!(metrics.contains(&pm("1", "link_clicks", Some(3.0))));
    }

    #[test]
    fn unique_ids_drops_blanks_and_duplicates() {
        let ids: Vec<String> = ["1", " 2", "1", "", "3"].iter().map(|s| s.to_string()).collect();
        assert_eq!(unique_ids(&ids), vec!["1", "2", "3"]);
    }
}
