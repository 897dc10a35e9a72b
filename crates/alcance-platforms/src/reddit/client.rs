//! The Reddit client: requests with a descriptive `User-Agent`, the submissions walk with
//! its guards, and `collect`.

use super::map::{decode_about, decode_me, decode_submitted, decode_subreddit, subreddit_metrics, user_metrics};
use super::{RedditUser, Subreddit};
use crate::cursor_walk::CursorWalk;
use crate::endpoints::{join, Endpoints};
use crate::error::PlatformError;
use crate::http::{Answer, Http, Recorder};
use crate::{CollectCtx, PlatformClient};
use alcance_core::{CollectWarning, CollectionBatch, EventLevel, Platform, PostMedia, PostMetric, PostRecord, Profile};
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashSet;

/// Items asked per `/user/{name}/submitted` page (Reddit's maximum `limit`).
pub const SUBMITTED_PAGE_SIZE: u32 = 100;
/// The most submission pages one walk reads: Reddit lists about 1000 items of a user
/// (platform-apis-more.md §2.2, unverified), 10 pages of 100. A walk that stops here says
/// so (`page_cap`).
pub const MAX_SUBMITTED_PAGES: u32 = 10;

/// The `User-Agent` of every Reddit request, in the form Reddit asks for
/// (`<platform>:<app ID>:<version> (by /u/<name>)`); [`RedditClient`] appends
/// `(by /u/<name>)` when it knows the account's name. Reddit throttles or blocks generic
/// agents (platform-apis-more.md §2.1).
pub const USER_AGENT: &str = concat!("desktop:app.alcance.desktop:v", env!("CARGO_PKG_VERSION"));

/// The Reddit client. Cheap to clone. Every request carries `Authorization: Bearer
/// <token>`, the [`USER_AGENT`] and `raw_json=1` (no HTML entities in text fields), and is
/// archived (URL scrubbed) in the caller's [`Recorder`].
#[derive(Debug, Clone)]
pub struct RedditClient {
    http: Http,
    endpoints: Endpoints,
}

/// Everything a submissions walk collected (see [`RedditClient::submitted`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Submissions {
    /// Distinct submissions created at or after the walk's `since` (UTC), newest first.
    pub posts: Vec<PostRecord>,
    /// Their counter snapshots (see [`super::SubmittedPage::metrics`]).
    pub metrics: Vec<PostMetric>,
    /// Their picture URLs (see [`super::SubmittedPage::media`]).
    pub media: Vec<PostMedia>,
    /// Guards that stopped the walk, later pages that failed, skipped or flagged items.
    pub warnings: Vec<CollectWarning>,
    /// Why the walk stopped early when a later page failed in a way that stops the account.
    pub stopped: Option<alcance_core::Interruption>,
}

impl RedditClient {
    /// A client for the API at `endpoints.reddit_api` (`https://oauth.reddit.com`, or the
    /// sandbox).
    pub fn new(http: Http, endpoints: Endpoints) -> Self {
        Self { http, endpoints }
    }

    /// `GET {reddit_api}{path}?raw_json=1&{query}` with the bearer token and the agent.
    async fn get(
        &self,
        token: &SecretString,
        path: &str,
        query: &[(&str, &str)],
        by: Option<&str>,
        rec: &Recorder,
    ) -> Result<Answer, PlatformError> {
        let agent = match by {
            Some(name) => format!("{USER_AGENT} (by /u/{name})"),
            None => USER_AGENT.to_string(),
        };
        let request = self
            .http
            .client()
            .get(join(&self.endpoints.reddit_api, path))
            .bearer_auth(token.expose_secret())
            .header(reqwest::header::USER_AGENT, agent)
            .query(&[("raw_json", "1")])
            .query(query);
        self.http.send(request, rec).await
    }

    /// The token's user: `GET /api/v1/me` (scope `identity`).
    ///
    /// Errors: see [`super::decode_me`] (401 → [`PlatformError::Unauthorized`], 429 →
    /// [`PlatformError::RateLimited`], …).
    pub async fn me(&self, token: &SecretString, rec: &Recorder) -> Result<RedditUser, PlatformError> {
        let answer = self.get(token, "/api/v1/me", &[], None, rec).await?;
        decode_me(&answer)
    }

    /// A public user: `GET /user/{name}/about` (scope `read`).
    ///
    /// Errors: an empty name (no call) or 404 → [`PlatformError::NotFound`]; see
    /// [`super::decode_about`].
    pub async fn user(&self, token: &SecretString, name: &str, rec: &Recorder) -> Result<RedditUser, PlatformError> {
        let name = clean(name);
        if name.is_empty() {
            return Err(PlatformError::NotFound {
                message: "/user/{name}/about: an empty Reddit user name".to_string(),
            });
        }
        let answer = self.get(token, &format!("/user/{name}/about"), &[], None, rec).await?;
        decode_about(&answer)
    }

    /// A subreddit: `GET /r/{sub}/about` (scope `read`).
    ///
    /// Errors: an empty name (no call), 404 or a search redirect → [`PlatformError::NotFound`];
    /// a private subreddit → [`PlatformError::Forbidden`]; see [`super::decode_subreddit`].
    pub async fn subreddit(
        &self,
        token: &SecretString,
        name: &str,
        rec: &Recorder,
    ) -> Result<Subreddit, PlatformError> {
        let name = clean(name);
        if name.is_empty() {
            return Err(PlatformError::NotFound {
                message: "/r/{sub}/about: an empty subreddit name".to_string(),
            });
        }
        let answer = self.get(token, &format!("/r/{name}/about"), &[], None, rec).await?;
        decode_subreddit(&answer)
    }

    /// The submissions of user `name` created at or after `since` (UTC), with counter
    /// snapshots, newest first: `GET /user/{name}/submitted?sort=new&limit=100`, then the
    /// same with `after=<data.after>` until a page reaches past `since` or the listing ends
    /// (scope `history`).
    ///
    /// Guards (a [`CursorWalk`]): the walk stops when `after` is absent; when an `after`
    /// repeats one already followed (warning `pagination_loop`); when a page brings no
    /// submission not seen before (`pagination_stalled`); after [`MAX_SUBMITTED_PAGES`]
    /// pages (`page_cap`).
    ///
    /// Errors: only the first page's failure is an `Err`; a later page that fails ends the
    /// walk with a warning and keeps what was read.
    pub async fn submitted(
        &self,
        token: &SecretString,
        name: &str,
        since: DateTime<Utc>,
        rec: &Recorder,
    ) -> Result<Submissions, PlatformError> {
        let name = clean(name);
        let path = format!("/user/{name}/submitted");
        let limit = SUBMITTED_PAGE_SIZE.to_string();
        let mut out = Submissions::default();
        let mut seen: HashSet<String> = HashSet::new();
        let mut afters: HashSet<String> = HashSet::new();
        let mut after: Option<String> = None;
        let mut pages: u32 = 0;
        loop {
            let mut query: Vec<(&str, &str)> = vec![("sort", "new"), ("limit", &limit)];
            if let Some(a) = after.as_deref() {
                query.push(("after", a));
            }
            let result = match self.get(token, &path, &query, Some(&name), rec).await {
                Ok(answer) => decode_submitted(&answer),
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
                        message: format!("{path}: page {pages} failed, kept the submissions of the earlier pages: {e}"),
                    });
                    break;
                }
            };
            out.warnings.extend(page.warnings);
            let mut fresh = 0usize;
            for post in page.posts {
                if !seen.insert(post.external_id.clone()) {
                    continue;
                }
                fresh += 1;
                if post.published_at.is_none_or(|t| t >= since) {
                    out.metrics.extend(
                        page.metrics
                            .iter()
                            .filter(|m| m.post_external_id == post.external_id)
                            .cloned(),
                    );
                    out.media.extend(
                        page.media
                            .iter()
                            .filter(|m| m.post_external_id == post.external_id)
                            .cloned(),
                    );
                    out.posts.push(post);
                }
            }
            let Some(next) = page.after else { break };
            if page.oldest.is_some_and(|t| t < since) {
                break;
            }
            let walk = CursorWalk {
                token: "an `after`",
                items: "submissions",
                older: "submissions",
                max_pages: MAX_SUBMITTED_PAGES,
            };
            if let Some((code, why)) = walk.stop(&mut afters, &next, fresh, pages) {
                out.warnings.push(CollectWarning {
                    level: EventLevel::Warn,
                    code: code.to_string(),
                    message: format!("{path}: {why}"),
                });
                break;
            }
            after = Some(next);
        }
        Ok(out)
    }

    /// The submissions of `name` into `batch` (a failure becomes a warning, and stops the
    /// batch when it stops the account).
    async fn collect_submissions(&self, ctx: &CollectCtx, name: &str, batch: &mut CollectionBatch) {
        match self.submitted(&ctx.token, name, ctx.window.since, &ctx.recorder).await {
            Ok(mut s) => {
                batch.posts.append(&mut s.posts);
                batch.post_metrics.append(&mut s.metrics);
                batch.media.append(&mut s.media);
                batch.warnings.append(&mut s.warnings);
                if let Some(why) = s.stopped.take() {
                    batch.stop(why);
                }
            }
            Err(e) => {
                batch.warnings.push(CollectWarning {
                    level: if e.stops_account() {
                        EventLevel::Error
                    } else {
                        EventLevel::Warn
                    },
                    code: e.code(),
                    message: format!("Reddit submissions (/user/{name}/submitted): {e}"),
                });
                if e.stops_account() {
                    batch.stop(e.interruption());
                }
            }
        }
    }
}

/// A name as it goes into a path: trimmed, without `u/`, `r/` or slashes.
fn clean(name: &str) -> String {
    let n = name.trim().trim_start_matches('@').trim_matches('/');
    let n = n
        .strip_prefix("u/")
        .or_else(|| n.strip_prefix("r/"))
        .or_else(|| n.strip_prefix("user/"))
        .unwrap_or(n);
    n.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        .collect()
}

#[async_trait::async_trait]
impl PlatformClient for RedditClient {
    fn platform(&self) -> Platform {
        Platform::Reddit
    }

    /// `GET /api/v1/me` as a [`Profile`] (`t2_<id>`, the name, the profile title).
    async fn whoami(&self, token: &SecretString, recorder: &Recorder) -> Result<Profile, PlatformError> {
        Ok(self.me(token, recorder).await?.profile())
    }

    /// A user (owned: `/api/v1/me`; tracked: `/user/{name}/about`): snapshots `followers`,
    /// `karma_post`, `karma_comment`, `karma_total` (period `snapshot`, now), then the
    /// submissions created since `ctx.window.since` with their `score`, `likes`,
    /// `upvote_ratio`, `comments` and `reposts`, and their picture URLs (`batch.media`, from
    /// the same listing: no call of its own). A tracked subreddit (external id `t5_…`
    /// or username `r/…`): `/r/{sub}/about` → `followers` (subscribers) and `active_users`
    /// when served; no posts.
    ///
    /// An owned account whose token belongs to another user is read as that public user
    /// with a warning (`account_mismatch`); a suspended user gives a gap and no metrics.
    ///
    /// Errors: the profile read failing. A failing submissions walk becomes a warning and
    /// keeps the profile; one that stops the account (a refused token, the rate limit, a
    /// dropped connection, the deadline) is also the batch's [`CollectionBatch::stopped`].
    async fn collect(&self, ctx: &CollectCtx) -> Result<CollectionBatch, PlatformError> {
        let rec = &ctx.recorder;
        let mut batch = CollectionBatch::default();
        let now = Utc::now();
        let username = ctx.account.username.as_deref().unwrap_or_default().trim();
        let is_subreddit =
            ctx.account.external_id.starts_with("t5_") || username.to_ascii_lowercase().starts_with("r/");
        if is_subreddit && !ctx.account.owned {
            let sub = self.subreddit(&ctx.token, username, rec).await?;
            batch.account_metrics = subreddit_metrics(&sub, now);
            batch.profile = Some(sub.profile());
            return Ok(batch);
        }
        let user = if ctx.account.owned {
            let me = self.me(&ctx.token, rec).await?;
            let expected = ctx.account.external_id.trim();
            if expected.is_empty() || me.fullname == expected {
                me
            } else {
                batch.warnings.push(CollectWarning {
                    level: EventLevel::Warn,
                    code: "account_mismatch".to_string(),
                    message: format!(
                        "the Reddit token belongs to {} (u/{}), not to {expected}; read the account as a public \
                         user (reconnect it to read it as its owner)",
                        me.fullname, me.name
                    ),
                });
                self.user(&ctx.token, username, rec).await?
            }
        } else {
            self.user(&ctx.token, username, rec).await?
        };
        let (metrics, gaps) = user_metrics(&user, now);
        batch.account_metrics = metrics;
        batch.gaps = gaps;
        if !user.suspended {
            batch.profile = Some(user.profile());
            self.collect_submissions(ctx, &user.name, &mut batch).await;
        }
        Ok(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_prefixes_and_foreign_characters() {
        assert_eq!(clean(" u/spez "), "spez");
        assert_eq!(clean("/r/brasil/"), "brasil");
        assert_eq!(clean("a/../b?x=1"), "abx1");
        assert_eq!(clean("Lil_SpazBot"), "Lil_SpazBot");
    }
}
