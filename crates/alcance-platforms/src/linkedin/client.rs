//! The LinkedIn client: the `/rest` requests with their version headers and Rest.li query
//! values, the administered pages, the posts walk with its guards, batched post statistics
//! and social actions, and `collect`.

use super::map::{
    day_intervals, decode_acls, decode_follower_demographics, decode_follower_gains, decode_network_size,
    decode_organization, decode_post_stats, decode_posts, decode_share_days, decode_social_metadata, decode_userinfo,
    encode_urn, organization_id, organization_urn, restli_list,
};
use super::{Member, Organization, LINKEDIN_VERSION};
use crate::cursor_walk::CursorWalk;
use crate::endpoints::{join, Endpoints};
use crate::error::PlatformError;
use crate::http::{Answer, Http, Recorder};
use crate::{CollectCtx, PlatformClient};
use alcance_core::{CollectWarning, CollectionBatch, DataGap, EventLevel, Platform, PostRecord, Profile};
use chrono::{DateTime, Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashSet;

/// Posts asked per `/rest/posts` page (`count`; LinkedIn allows up to 100).
pub const POSTS_PER_PAGE: u32 = 50;
/// The most `/rest/posts` pages one walk reads; a walk that stops here says so in a
/// warning (code `page_cap`).
pub const MAX_POST_PAGES: u32 = 20;
/// Post URNs per share-statistics or social-metadata call. LinkedIn documents no maximum
/// for `List(…)`; 20 keeps the URL short (inferred, not documented).
pub const STATS_BATCH: usize = 20;
/// `organizationAcls` elements asked per page.
const ACLS_PER_PAGE: u32 = 100;
/// The most `organizationAcls` pages read.
const MAX_ACL_PAGES: u32 = 10;
/// Time-bound statistics reach back at most this far (LinkedIn keeps a rolling 12 months,
/// platform-apis-more.md §3.2); an older window start is moved up to it.
const STATS_HISTORY_DAYS: i64 = 365;

/// The LinkedIn client (versioned REST API and OIDC userinfo). Cheap to clone. Every
/// `/rest` request carries `Authorization: Bearer <token>`, `LinkedIn-Version:
/// {LINKEDIN_VERSION}` and `X-Restli-Protocol-Version: 2.0.0`, and is archived (URL
/// scrubbed) in the caller's [`Recorder`].
#[derive(Debug, Clone)]
pub struct LinkedInClient {
    http: Http,
    endpoints: Endpoints,
}

/// What the posts walk collected (see [`LinkedInClient::posts`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Posts {
    /// Distinct published posts since the walk's `since`, newest first as served.
    pub posts: Vec<PostRecord>,
    /// Pages that failed after the first, guards that stopped the walk, unreadable items.
    pub warnings: Vec<CollectWarning>,
    /// Why the walk stopped early when a later page failed in a way that stops the account.
    pub stopped: Option<alcance_core::Interruption>,
}

impl LinkedInClient {
    /// A client for the REST API at `endpoints.linkedin_api` and OIDC userinfo at
    /// `endpoints.linkedin_userinfo`.
    pub fn new(http: Http, endpoints: Endpoints) -> Self {
        Self { http, endpoints }
    }

    /// `GET {linkedin_api}{path}?{query}`: `query` is sent as written (Rest.li values
    /// already encoded: see [`super::encode_urn`], [`super::restli_list`]).
    async fn rest(
        &self,
        token: &SecretString,
        path: &str,
        query: &str,
        rec: &Recorder,
    ) -> Result<Answer, PlatformError> {
        let mut url = join(&self.endpoints.linkedin_api, path);
        if !query.is_empty() {
            url.set_query(Some(query));
        }
        let request = self
            .http
            .client()
            .get(url)
            .bearer_auth(token.expose_secret())
            .header("LinkedIn-Version", LINKEDIN_VERSION)
            .header("X-Restli-Protocol-Version", "2.0.0");
        self.http.send(request, rec).await
    }

    /// The member behind the token: OIDC `GET /v2/userinfo` (scopes `openid profile`).
    ///
    /// Errors: see [`super::decode_userinfo`] (401 → [`PlatformError::Unauthorized`]).
    pub async fn member(&self, token: &SecretString, rec: &Recorder) -> Result<Member, PlatformError> {
        let request = self
            .http
            .client()
            .get(self.endpoints.linkedin_userinfo.clone())
            .bearer_auth(token.expose_secret());
        decode_userinfo(&self.http.send(request, rec).await?)
    }

    /// The URNs of the pages the member administers:
    /// `GET /rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED&count=100&start=N`,
    /// page after page until a short page (or `paging.total`), at most 10 pages.
    ///
    /// Errors: the first page's; 403 ([`PlatformError::Forbidden`]) when the app lacks
    /// `rw_organization_admin` (Community Management API). A later page that fails ends the
    /// list with what was read.
    pub async fn administered(&self, token: &SecretString, rec: &Recorder) -> Result<Vec<String>, PlatformError> {
        let mut urns: Vec<String> = Vec::new();
        for page in 0..MAX_ACL_PAGES {
            let start = page * ACLS_PER_PAGE;
            let query = format!("q=roleAssignee&role=ADMINISTRATOR&state=APPROVED&count={ACLS_PER_PAGE}&start={start}");
            let read = match self.rest(token, "/organizationAcls", &query, rec).await {
                Ok(answer) => decode_acls(&answer),
                Err(e) => Err(e),
            };
            let (found, info, warnings) = match read {
                Ok(r) => r,
                Err(e) if page == 0 => return Err(e),
                Err(e) => {
                    tracing::warn!(error = %e, page, "LinkedIn organizationAcls: a later page failed; kept the pages read");
                    break;
                }
            };
            for w in warnings {
                tracing::warn!(code = %w.code, "{}", w.message);
            }
            let before = urns.len();
            for urn in found {
                if !urns.contains(&urn) {
                    urns.push(urn);
                }
            }
            let read_so_far = i64::from(start) + info.elements as i64;
            if info.elements < ACLS_PER_PAGE as usize
                || urns.len() == before
                || info.total.is_some_and(|t| read_so_far >= t)
            {
                break;
            }
        }
        Ok(urns)
    }

    /// A page by id (or URN): `GET /rest/organizations/{id}`.
    ///
    /// Errors: see [`super::decode_organization`]; an id that is not a number → no call,
    /// [`PlatformError::NotFound`].
    pub async fn organization(
        &self,
        token: &SecretString,
        id: &str,
        rec: &Recorder,
    ) -> Result<Organization, PlatformError> {
        let Some(id) = organization_id(id) else {
            return Err(PlatformError::NotFound {
                message: format!("/rest/organizations: {id:?} is not a LinkedIn organization id"),
            });
        };
        decode_organization(&self.rest(token, &format!("/organizations/{id}"), "", rec).await?)
    }

    /// The page's follower count now: `GET /rest/networkSizes/{orgUrn}?edgeType=COMPANY_FOLLOWED_BY_MEMBER`
    /// (the URN in the path as LinkedIn's examples write it, unencoded) → the `followers`
    /// snapshot stamped `at`.
    ///
    /// Errors: see [`super::decode_network_size`].
    pub async fn follower_count(
        &self,
        token: &SecretString,
        org: &Organization,
        at: DateTime<Utc>,
        rec: &Recorder,
    ) -> Result<Vec<alcance_core::AccountMetric>, PlatformError> {
        let answer = self
            .rest(
                token,
                &format!("/networkSizes/{}", org.urn),
                "edgeType=COMPANY_FOLLOWED_BY_MEMBER",
                rec,
            )
            .await?;
        decode_network_size(&answer, at)
    }

    fn stats_query(org: &Organization, interval: Option<(DateTime<Utc>, DateTime<Utc>)>) -> String {
        let mut q = format!("q=organizationalEntity&organizationalEntity={}", encode_urn(&org.urn));
        if let Some((since, until)) = interval {
            q.push_str("&timeIntervals=");
            q.push_str(&day_intervals(since, until));
        }
        q
    }

    /// `since` moved to midnight UTC of its day and no earlier than
    /// [`STATS_HISTORY_DAYS`] before `until`.
    fn stats_window(since: DateTime<Utc>, until: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let floor = until - Duration::days(STATS_HISTORY_DAYS);
        let since = since.max(floor);
        let day = since
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc())
            .unwrap_or(since);
        (day, until.max(day))
    }

    /// Lifetime follower demographics:
    /// `GET /rest/organizationalEntityFollowerStatistics?q=organizationalEntity&organizationalEntity={urn}`.
    ///
    /// Errors: see [`super::decode_follower_demographics`].
    pub async fn follower_demographics(
        &self,
        token: &SecretString,
        org: &Organization,
        rec: &Recorder,
    ) -> Result<(Vec<alcance_core::AudienceSlice>, Vec<CollectWarning>), PlatformError> {
        let answer = self
            .rest(
                token,
                "/organizationalEntityFollowerStatistics",
                &Self::stats_query(org, None),
                rec,
            )
            .await?;
        decode_follower_demographics(&answer)
    }

    /// Daily follower gains from `since` (midnight UTC of its day, at most a year back) to
    /// `until`: the same call with `timeIntervals=(timeRange:(start:{ms},end:{ms}),timeGranularityType:DAY)`.
    ///
    /// Errors: see [`super::decode_follower_gains`].
    pub async fn follower_gains(
        &self,
        token: &SecretString,
        org: &Organization,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        rec: &Recorder,
    ) -> Result<(Vec<alcance_core::AccountMetric>, Vec<DataGap>), PlatformError> {
        let window = Self::stats_window(since, until);
        let answer = self
            .rest(
                token,
                "/organizationalEntityFollowerStatistics",
                &Self::stats_query(org, Some(window)),
                rec,
            )
            .await?;
        decode_follower_gains(&answer)
    }

    /// The page's daily share statistics over the window (as [`Self::follower_gains`]):
    /// `GET /rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity={urn}&timeIntervals=…`.
    ///
    /// Errors: see [`super::decode_share_days`].
    pub async fn share_days(
        &self,
        token: &SecretString,
        org: &Organization,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        rec: &Recorder,
    ) -> Result<(Vec<alcance_core::AccountMetric>, Vec<DataGap>), PlatformError> {
        let window = Self::stats_window(since, until);
        let answer = self
            .rest(
                token,
                "/organizationalEntityShareStatistics",
                &Self::stats_query(org, Some(window)),
                rec,
            )
            .await?;
        decode_share_days(&answer)
    }

    /// The page's posts published since `since` (UTC):
    /// `GET /rest/posts?q=author&author={urn}&count=50&start=N&sortBy=CREATED`, newest first.
    ///
    /// The walk stops after a page whose every dated post is older than `since`, on a short
    /// page, at `paging.total`, when a page brings no post not seen before (warning
    /// `pagination_stalled`), when the next `start` was followed already (`pagination_loop`)
    /// and after [`MAX_POST_PAGES`] pages (`page_cap`).
    ///
    /// Errors: only the first page's failure is an `Err`; a later page that fails ends the
    /// walk with a warning and keeps what was read.
    pub async fn posts(
        &self,
        token: &SecretString,
        org: &Organization,
        since: DateTime<Utc>,
        rec: &Recorder,
    ) -> Result<Posts, PlatformError> {
        let mut out = Posts::default();
        let mut seen_ids: HashSet<String> = HashSet::new();
        let mut seen_starts: HashSet<String> = HashSet::new();
        let author = encode_urn(&org.urn);
        let mut start: u32 = 0;
        let mut pages: u32 = 0;
        loop {
            let query = format!("q=author&author={author}&count={POSTS_PER_PAGE}&start={start}&sortBy=CREATED");
            let result = match self.rest(token, "/posts", &query, rec).await {
                Ok(answer) => decode_posts(&answer),
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
                        level: if e.stops_account() {
                            EventLevel::Error
                        } else {
                            EventLevel::Warn
                        },
                        code: e.code(),
                        message: format!(
                            "LinkedIn posts of {}: page {pages} failed, kept the posts of the earlier pages: {e}",
                            org.urn
                        ),
                    });
                    break;
                }
            };
            out.warnings.extend(page.warnings);
            let mut fresh = 0;
            let any_dated = page.seen.iter().any(|(_, t)| t.is_some());
            let any_recent = page.seen.iter().any(|(_, t)| t.is_some_and(|t| t >= since));
            for (id, _) in &page.seen {
                if seen_ids.insert(id.clone()) {
                    fresh += 1;
                }
            }
            for post in page.posts {
                if post.published_at.is_some_and(|t| t < since) {
                    continue;
                }
                if !out.posts.iter().any(|p| p.external_id == post.external_id) {
                    out.posts.push(post);
                }
            }
            let served = page.info.elements as u32;
            let next = start + served;
            let short = served < POSTS_PER_PAGE;
            let at_total = page.info.total.is_some_and(|t| i64::from(next) >= t);
            if short || at_total || (any_dated && !any_recent) {
                break;
            }
            let walk = CursorWalk {
                token: "a start offset",
                items: "posts",
                older: "posts",
                max_pages: MAX_POST_PAGES,
            };
            if let Some((code, why)) = walk.stop(&mut seen_starts, &next.to_string(), fresh, pages) {
                out.warnings.push(CollectWarning {
                    level: EventLevel::Warn,
                    code: code.to_string(),
                    message: format!("LinkedIn posts of {} (/rest/posts): {why}", org.urn),
                });
                break;
            }
            start = next;
        }
        Ok(out)
    }

    /// Lifetime organic statistics of `posts` (URNs), [`STATS_BATCH`] per call, shares and
    /// UGC posts asked apart (LinkedIn refuses a request mixing them):
    /// `GET /rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity={urn}&shares=List(…)`
    /// (or `&ugcPosts=List(…)`).
    ///
    /// Errors: the first batch that fails (see [`super::decode_post_stats`]).
    pub async fn post_stats(
        &self,
        token: &SecretString,
        org: &Organization,
        posts: &[String],
        rec: &Recorder,
    ) -> Result<Vec<alcance_core::PostMetric>, PlatformError> {
        let mut out = Vec::new();
        let (shares, ugc): (Vec<String>, Vec<String>) = posts
            .iter()
            .filter(|p| p.starts_with("urn:li:share:") || p.starts_with("urn:li:ugcPost:"))
            .cloned()
            .partition(|p| p.starts_with("urn:li:share:"));
        for (param, list) in [("shares", shares), ("ugcPosts", ugc)] {
            for chunk in list.chunks(STATS_BATCH) {
                let query = format!("{}&{param}={}", Self::stats_query(org, None), restli_list(chunk));
                let answer = self
                    .rest(token, "/organizationalEntityShareStatistics", &query, rec)
                    .await?;
                out.extend(decode_post_stats(&answer)?);
            }
        }
        Ok(out)
    }

    /// Reactions and comment counts of `posts` (URNs), [`STATS_BATCH`] per call:
    /// `GET /rest/socialMetadata?ids=List(…)`. Posts LinkedIn does not return (deleted, not
    /// visible) are gaps (`not_found`).
    ///
    /// Errors: the first batch that fails (see [`super::decode_social_metadata`]).
    pub async fn social_metadata(
        &self,
        token: &SecretString,
        posts: &[String],
        rec: &Recorder,
    ) -> Result<(Vec<alcance_core::PostMetric>, Vec<DataGap>), PlatformError> {
        let mut metrics = Vec::new();
        let mut gaps = Vec::new();
        for chunk in posts.chunks(STATS_BATCH) {
            let query = format!("ids={}", restli_list(chunk));
            let answer = self.rest(token, "/socialMetadata", &query, rec).await?;
            let (m, g) = decode_social_metadata(&answer, chunk)?;
            metrics.extend(m);
            gaps.extend(g);
        }
        Ok((metrics, gaps))
    }

    /// The ids of the pages the member administers ([`Self::administered`], in its order).
    ///
    /// Errors: those of [`Self::administered`]; none → [`PlatformError::NotFound`].
    async fn page_ids(&self, token: &SecretString, rec: &Recorder) -> Result<Vec<String>, PlatformError> {
        let ids: Vec<String> = self
            .administered(token, rec)
            .await?
            .iter()
            .filter_map(|u| organization_id(u))
            .collect();
        if ids.is_empty() {
            return Err(PlatformError::NotFound {
                message: "/rest/organizationAcls: this LinkedIn member administers no organization page \
                          (role ADMINISTRATOR, state APPROVED); Alcance collects pages, not member profiles"
                    .to_string(),
            });
        }
        Ok(ids)
    }

    /// Page `id` as a connect names it: [`Self::organization`], or only its id when that
    /// read is refused (403: it can still be connected and its refused reads become data
    /// gaps); `None` when LinkedIn says it does not exist (404).
    ///
    /// Errors: any other failure of the read.
    async fn connectable_page(
        &self,
        token: &SecretString,
        id: &str,
        rec: &Recorder,
    ) -> Result<Option<Organization>, PlatformError> {
        match self.organization(token, id, rec).await {
            Ok(org) => Ok(Some(org)),
            Err(PlatformError::Forbidden { message }) => {
                tracing::warn!(page = %id, error = %message, "LinkedIn page read refused; connecting it by id");
                Ok(Some(Organization {
                    urn: organization_urn(id),
                    id: id.to_string(),
                    name: None,
                    vanity_name: None,
                }))
            }
            Err(PlatformError::NotFound { message }) => {
                tracing::warn!(page = %id, error = %message, "an administered LinkedIn page is gone; skipped");
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Every page the member administers, in the order of [`Self::administered`] (the first
    /// is the one `whoami` names), each as [`Self::connectable_page`] names it.
    ///
    /// Errors: those of [`Self::administered`] and of a page read; no administered page
    /// (or none left) → [`PlatformError::NotFound`].
    pub async fn pages(&self, token: &SecretString, rec: &Recorder) -> Result<Vec<Organization>, PlatformError> {
        let mut pages = Vec::new();
        for id in self.page_ids(token, rec).await? {
            pages.extend(self.connectable_page(token, &id, rec).await?);
        }
        if pages.is_empty() {
            return Err(PlatformError::NotFound {
                message: "/rest/organizations: none of the member's administered LinkedIn pages exists".to_string(),
            });
        }
        Ok(pages)
    }

    /// The page `whoami` names: the first of [`Self::administered`] (only that one is read).
    ///
    /// Errors: those of [`Self::pages`].
    pub async fn first_page(&self, token: &SecretString, rec: &Recorder) -> Result<Organization, PlatformError> {
        let ids = self.page_ids(token, rec).await?;
        if ids.len() > 1 {
            tracing::info!(
                pages = ids.len(),
                "the LinkedIn member administers several pages; each is connected"
            );
        }
        for id in &ids {
            if let Some(page) = self.connectable_page(token, id, rec).await? {
                return Ok(page);
            }
        }
        Err(PlatformError::NotFound {
            message: "/rest/organizations: none of the member's administered LinkedIn pages exists".to_string(),
        })
    }

    /// Logs the member behind the token (`/v2/userinfo`); only a refused token stops the
    /// connect (the OpenID product may be missing from the app: the pages are what is
    /// connected).
    async fn sign_in(&self, token: &SecretString, rec: &Recorder) -> Result<(), PlatformError> {
        match self.member(token, rec).await {
            Ok(m) => tracing::info!(member = %m.sub, "LinkedIn member signed in"),
            Err(e @ PlatformError::Unauthorized { .. }) => return Err(e),
            Err(e) => tracing::warn!(error = %e, "LinkedIn userinfo unreadable; reading the pages anyway"),
        }
        Ok(())
    }
}

/// Where a failed optional read goes: a 403 (`ACCESS_DENIED`: the Community Management API
/// not approved for the app, a scope missing, the member not ADMINISTRATOR) becomes a
/// [`DataGap`] with code `permission`; anything else a warning. An error that stops the
/// account also stops the batch.
fn record_failure(batch: &mut CollectionBatch, what: &str, object_id: &str, e: &PlatformError) {
    if let PlatformError::Forbidden { message } = e {
        batch.gaps.push(DataGap {
            what: what.to_string(),
            object_id: object_id.to_string(),
            code: "permission".to_string(),
            detail: format!(
                "LinkedIn refused the read: the app needs the Community Management API (partner \
                 approval) and the member must be an ADMINISTRATOR of the page; {message}"
            ),
        });
        return;
    }
    batch.warnings.push(CollectWarning {
        level: if e.stops_account() {
            EventLevel::Error
        } else {
            EventLevel::Warn
        },
        code: e.code(),
        message: format!("{what}: {e}"),
    });
    if e.stops_account() {
        batch.stop(e.interruption());
    }
}

/// One value per (post, metric): an entry with a value wins over one without, the first
/// with a value over later ones.
fn dedupe_post_metrics(metrics: &mut Vec<alcance_core::PostMetric>) {
    let with_value: HashSet<(String, String)> = metrics
        .iter()
        .filter(|m| m.value.is_some())
        .map(|m| (m.post_external_id.clone(), m.metric.clone()))
        .collect();
    let mut kept: HashSet<(String, String)> = HashSet::new();
    metrics.retain(|m| {
        let key = (m.post_external_id.clone(), m.metric.clone());
        if m.value.is_none() && with_value.contains(&key) {
            return false;
        }
        kept.insert(key)
    });
}

#[async_trait::async_trait]
impl PlatformClient for LinkedInClient {
    fn platform(&self) -> Platform {
        Platform::Linkedin
    }

    /// The member (`/v2/userinfo`, logged only) and the first page they administer as a
    /// [`Profile`] (page id, vanity name, localized name).
    async fn whoami(&self, token: &SecretString, recorder: &Recorder) -> Result<Profile, PlatformError> {
        self.sign_in(token, recorder).await?;
        Ok(self.first_page(token, recorder).await?.profile())
    }

    /// The member (logged only) and every page they administer ([`Self::pages`]): each is
    /// connected as an owned account, all collecting with the member's token.
    async fn owned_profiles(&self, token: &SecretString, recorder: &Recorder) -> Result<Vec<Profile>, PlatformError> {
        self.sign_in(token, recorder).await?;
        Ok(self
            .pages(token, recorder)
            .await?
            .iter()
            .map(Organization::profile)
            .collect())
    }

    /// The page (`/rest/organizations/{id}`, the profile) and its `followers` snapshot
    /// (`networkSizes`). For an owned page then: lifetime follower demographics (audience),
    /// daily `followers_gained` and daily share statistics over the window (`impressions`,
    /// `reach`, `clicks`, `likes`, `comments`, `shares`, `engagement_rate`; UTC days), the
    /// posts published since `ctx.window.since`, their lifetime share statistics (the same
    /// keys per post) and their social actions (`reactions`, and `comments` where share
    /// statistics gave none).
    ///
    /// A 403 on any read after the page becomes a `permission` gap and the rest goes on.
    ///
    /// Errors: the page read failing. Later failures become warnings or gaps and keep what
    /// arrived; one that stops the account (a refused token, a 429, a dropped connection,
    /// the deadline) is also the batch's [`CollectionBatch::stopped`], and no further call
    /// is made.
    async fn collect(&self, ctx: &CollectCtx) -> Result<CollectionBatch, PlatformError> {
        let rec = &ctx.recorder;
        let token = &ctx.token;
        let mut batch = CollectionBatch::default();
        let org = self.organization(token, &ctx.account.external_id, rec).await?;
        batch.profile = Some(org.profile());
        match self.follower_count(token, &org, Utc::now(), rec).await {
            Ok(m) => batch.account_metrics.extend(m),
            Err(e) => record_failure(&mut batch, "/rest/networkSizes", &org.urn, &e),
        }
        if !ctx.account.owned {
            return Ok(batch);
        }
        let (since, until) = (ctx.window.since, ctx.window.until);
        if batch.stopped.is_none() && rec.audience_allowed() {
            match self.follower_demographics(token, &org, rec).await {
                Ok((slices, warnings)) => {
                    batch.audience.extend(slices);
                    batch.warnings.extend(warnings);
                }
                Err(e) => record_failure(&mut batch, "/rest/organizationalEntityFollowerStatistics", &org.urn, &e),
            }
        }
        if batch.stopped.is_none() {
            match self.follower_gains(token, &org, since, until, rec).await {
                Ok((metrics, gaps)) => {
                    batch.account_metrics.extend(metrics);
                    batch.gaps.extend(gaps);
                }
                Err(e) => record_failure(
                    &mut batch,
                    "/rest/organizationalEntityFollowerStatistics (timeIntervals)",
                    &org.urn,
                    &e,
                ),
            }
        }
        if batch.stopped.is_none() {
            match self.share_days(token, &org, since, until, rec).await {
                Ok((metrics, gaps)) => {
                    batch.account_metrics.extend(metrics);
                    batch.gaps.extend(gaps);
                }
                Err(e) => record_failure(
                    &mut batch,
                    "/rest/organizationalEntityShareStatistics (timeIntervals)",
                    &org.urn,
                    &e,
                ),
            }
        }
        if batch.stopped.is_some() {
            return Ok(batch);
        }
        match self.posts(token, &org, since, rec).await {
            Ok(mut posts) => {
                batch.warnings.append(&mut posts.warnings);
                if let Some(why) = posts.stopped.take() {
                    batch.stop(why);
                }
                batch.posts = posts.posts;
            }
            Err(e) => record_failure(&mut batch, "/rest/posts", &org.urn, &e),
        }
        let ids: Vec<String> = batch.posts.iter().map(|p| p.external_id.clone()).collect();
        if batch.stopped.is_none() && !ids.is_empty() {
            match self.post_stats(token, &org, &ids, rec).await {
                Ok(metrics) => batch.post_metrics.extend(metrics),
                Err(e) => record_failure(
                    &mut batch,
                    "/rest/organizationalEntityShareStatistics (posts)",
                    &org.urn,
                    &e,
                ),
            }
        }
        if batch.stopped.is_none() && !ids.is_empty() {
            match self.social_metadata(token, &ids, rec).await {
                Ok((metrics, gaps)) => {
                    // Share statistics' commentCount wins where both served a comment
                    // count (it comes first; see dedupe_post_metrics).
                    batch.post_metrics.extend(metrics);
                    batch.gaps.extend(gaps);
                }
                Err(e) => record_failure(&mut batch, "/rest/socialMetadata", &org.urn, &e),
            }
        }
        dedupe_post_metrics(&mut batch.post_metrics);
        Ok(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alcance_core::PostMetric;

    fn m(post: &str, metric: &str, value: Option<f64>) -> PostMetric {
        PostMetric {
            post_external_id: post.to_string(),
            metric: metric.to_string(),
            value,
        }
    }

    #[test]
    fn one_value_per_post_and_metric_the_first_with_a_value() {
        let mut metrics = vec![
            m("a", "comments", None),
            m("a", "likes", Some(1.0)),
            m("a", "comments", Some(3.0)),
            m("a", "comments", Some(4.0)),
            m("b", "comments", None),
        ];
        dedupe_post_metrics(&mut metrics);
        assert_eq!(
            metrics,
            vec![
                m("a", "likes", Some(1.0)),
                m("a", "comments", Some(3.0)),
                m("b", "comments", None)
            ]
        );
    }

    #[test]
    fn the_statistics_window_starts_at_a_utc_midnight_within_a_year() {
        let until = DateTime::parse_from_rfc3339("2026-12-06T10:00:00Z")
            .unwrap_or_default()
            .with_timezone(&Utc);
        let since = DateTime::parse_from_rfc3339("2026-11-01T15:30:00Z")
            .unwrap_or_default()
            .with_timezone(&Utc);
        let (s, u) = LinkedInClient::stats_window(since, until);
        assert_eq!(s.to_rfc3339(), "2026-11-01T00:00:00+00:00");
        assert_eq!(u, until);
        let (s, _) = LinkedInClient::stats_window(until - Duration::days(900), until);
        assert_eq!(s.to_rfc3339(), "2025-12-06T00:00:00+00:00");
    }
}
