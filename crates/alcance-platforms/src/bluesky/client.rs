//! The Bluesky XRPC client: public AppView reads (no token), app-password sessions on the
//! PDS entryway, the author-feed walk with its guards, and `collect`.

use super::map::{
    decode_feed_page, decode_posts, decode_profile, decode_resolved, decode_session, profile_metrics, session_expiry,
};
use super::method::{
    CREATE_SESSION, GET_AUTHOR_FEED, GET_POSTS, GET_PROFILE, GET_SESSION, REFRESH_SESSION, RESOLVE_HANDLE,
};
use super::{AuthorFeed, BlueskyProfile, BlueskySession, PostsRead};
use crate::cursor_walk::CursorWalk;
use crate::endpoints::{join, Endpoints};
use crate::error::PlatformError;
use crate::http::{Answer, Http, Recorder};
use crate::oauth::TokenSet;
use crate::registry::PlatformFuture;
use crate::{CollectCtx, PlatformClient};
use alcance_core::{CollectWarning, CollectionBatch, EventLevel, Platform, PostMetric, PostRecord, Profile};
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashSet;
use url::Url;

/// Feed items asked per `getAuthorFeed` page (the lexicon's maximum).
pub const FEED_PAGE_SIZE: u32 = 100;
/// The most author-feed pages one walk reads; a walk that stops here says so (`page_cap`).
pub const MAX_FEED_PAGES: u32 = 40;
/// URIs per `getPosts` call (the lexicon's maximum).
pub const POSTS_BATCH: usize = 25;

/// The Bluesky client. Cheap to clone. AppView reads carry no `Authorization` header; PDS
/// calls carry the session JWT as `Authorization: Bearer`. Every exchange is archived
/// (URL scrubbed) in the caller's [`Recorder`].
#[derive(Debug, Clone)]
pub struct BlueskyClient {
    http: Http,
    endpoints: Endpoints,
}

/// `true` for the shape of a Bluesky app password (`xxxx-xxxx-xxxx-xxxx`, lower-case
/// letters and digits), which is how Bluesky shows them. Inferred from the app's settings
/// screen, not documented by the protocol: it keeps an account password from ever being
/// sent.
pub fn looks_like_app_password(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 4
        && groups
            .iter()
            .all(|g| g.len() == 4 && g.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
}

impl BlueskyClient {
    /// A client for the AppView at `endpoints.bluesky_appview` and the PDS entryway at
    /// `endpoints.bluesky_pds` (the real hosts, or the sandbox).
    pub fn new(http: Http, endpoints: Endpoints) -> Self {
        Self { http, endpoints }
    }

    /// `GET {appview}/{method}?{query}` without a token.
    async fn public(&self, method: &str, query: &[(&str, &str)], rec: &Recorder) -> Result<Answer, PlatformError> {
        let url: Url = join(&self.endpoints.bluesky_appview, &format!("/{method}"));
        let request = self.http.client().get(url).query(query);
        self.http.send(request, rec).await
    }

    /// The DID of `handle` (a leading `@` dropped): `GET com.atproto.identity.resolveHandle?handle=`.
    /// A DID is returned as it is, without a call.
    ///
    /// Errors: an unknown handle → [`PlatformError::NotFound`]; see [`super::map_error`].
    pub async fn resolve_handle(&self, handle: &str, rec: &Recorder) -> Result<String, PlatformError> {
        let handle = handle.trim().trim_start_matches('@');
        if handle.starts_with("did:") {
            return Ok(handle.to_string());
        }
        if handle.is_empty() {
            return Err(PlatformError::NotFound {
                message: format!("{RESOLVE_HANDLE}: an empty handle"),
            });
        }
        let answer = self.public(RESOLVE_HANDLE, &[("handle", handle)], rec).await?;
        decode_resolved(&answer)
    }

    /// A profile by DID or handle: `GET app.bsky.actor.getProfile?actor=`.
    ///
    /// Errors: an unknown actor → [`PlatformError::NotFound`]; see [`super::decode_profile`].
    pub async fn profile(&self, actor: &str, rec: &Recorder) -> Result<BlueskyProfile, PlatformError> {
        let actor = actor.trim().trim_start_matches('@');
        if actor.is_empty() {
            return Err(PlatformError::NotFound {
                message: format!("{GET_PROFILE}: an empty actor"),
            });
        }
        let answer = self.public(GET_PROFILE, &[("actor", actor)], rec).await?;
        decode_profile(&answer)
    }

    /// The own posts of `did` whose feed time is at or after `since` (UTC), with counter
    /// snapshots, newest first: `GET app.bsky.feed.getAuthorFeed?actor={did}&limit=100
    /// &filter=posts_with_replies`, then the same with `cursor=` until the feed passes
    /// `since` or ends. Reposts of other people's posts are collected apart.
    ///
    /// Guards: the walk stops when the answer has no cursor; when a cursor repeats one
    /// already followed (warning `pagination_loop`, never a loop); when a page brings no
    /// item not seen before (warning `pagination_stalled`); after [`MAX_FEED_PAGES`] pages
    /// (warning `page_cap`). The feed can also end early on repost-heavy accounts (atproto
    /// #2616; not detectable from the answer).
    ///
    /// Errors: only the first page's failure is an `Err`; a later page that fails ends the
    /// walk with a warning and keeps what was read.
    pub async fn author_feed(
        &self,
        did: &str,
        since: DateTime<Utc>,
        rec: &Recorder,
    ) -> Result<AuthorFeed, PlatformError> {
        let limit = FEED_PAGE_SIZE.to_string();
        let mut feed = AuthorFeed::default();
        let mut seen: HashSet<String> = HashSet::new();
        let mut seen_reposts: HashSet<String> = HashSet::new();
        let mut cursors: HashSet<String> = HashSet::new();
        let mut cursor: Option<String> = None;
        let mut pages: u32 = 0;
        loop {
            let mut query: Vec<(&str, &str)> =
                vec![("actor", did), ("limit", &limit), ("filter", "posts_with_replies")];
            if let Some(c) = cursor.as_deref() {
                query.push(("cursor", c));
            }
            let result = match self.public(GET_AUTHOR_FEED, &query, rec).await {
                Ok(answer) => decode_feed_page(&answer, did),
                Err(e) => Err(e),
            };
            pages += 1;
            let page = match result {
                Ok(page) => page,
                Err(e) if pages == 1 => return Err(e),
                Err(e) => {
                    if e.stops_account() {
                        feed.stopped = Some(e.interruption());
                    }
                    feed.warnings.push(CollectWarning {
                        level: if e.stops_account() {
                            EventLevel::Error
                        } else {
                            EventLevel::Warn
                        },
                        code: e.code(),
                        message: format!(
                            "{GET_AUTHOR_FEED} of {did}: page {pages} failed, kept the posts of the earlier pages: {e}"
                        ),
                    });
                    break;
                }
            };
            let mut fresh = 0usize;
            for (post, metrics) in split_metrics(page.posts, page.metrics) {
                if !seen.insert(post.external_id.clone()) {
                    continue;
                }
                fresh += 1;
                if post.published_at.is_none_or(|t| t >= since) {
                    feed.metrics.extend(metrics);
                    feed.media.extend(
                        page.media
                            .iter()
                            .filter(|m| m.post_external_id == post.external_id)
                            .cloned(),
                    );
                    feed.posts.push(post);
                }
            }
            for repost in page.reposts {
                let key = format!("{}@{:?}", repost.post_uri, repost.reposted_at);
                if seen_reposts.insert(key) {
                    fresh += 1;
                    if repost.reposted_at.is_none_or(|t| t >= since) {
                        feed.reposts.push(repost);
                    }
                }
            }
            feed.warnings.extend(page.gaps.into_iter().map(|g| CollectWarning {
                level: EventLevel::Gap,
                code: g.code,
                message: format!("{} {}: {}", g.what, g.object_id, g.detail),
            }));
            let Some(next) = page.cursor else { break };
            if page.oldest.is_some_and(|t| t < since) {
                break;
            }
            let walk = CursorWalk {
                token: "a cursor",
                items: "items",
                older: "posts",
                max_pages: MAX_FEED_PAGES,
            };
            let stop = walk.stop(&mut cursors, &next, fresh, pages);
            if let Some((code, why)) = stop {
                feed.warnings.push(CollectWarning {
                    level: EventLevel::Warn,
                    code: code.to_string(),
                    message: format!("{GET_AUTHOR_FEED} of {did}: {why}"),
                });
                break;
            }
            cursor = Some(next);
        }
        tracing::debug!(
            pages,
            posts = feed.posts.len(),
            reposts = feed.reposts.len(),
            "Bluesky author feed read"
        );
        Ok(feed)
    }

    /// Posts by AT URI with their counters, [`POSTS_BATCH`] per call:
    /// `GET app.bsky.feed.getPosts?uris=…&uris=…`. A URI the answer leaves out (a deleted
    /// post) is a [`DataGap`] `not_found`; duplicates and blanks are dropped; no URIs → no
    /// call.
    ///
    /// Errors: the first batch that fails fails the call.
    pub async fn posts(&self, uris: &[String], rec: &Recorder) -> Result<PostsRead, PlatformError> {
        let mut seen = HashSet::new();
        let unique: Vec<String> = uris
            .iter()
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty() && seen.insert(u.clone()))
            .collect();
        let mut read = PostsRead::default();
        for chunk in unique.chunks(POSTS_BATCH) {
            let query: Vec<(&str, &str)> = chunk.iter().map(|u| ("uris", u.as_str())).collect();
            let answer = self.public(GET_POSTS, &query, rec).await?;
            let page = decode_posts(&answer, chunk)?;
            read.posts.extend(page.posts);
            read.metrics.extend(page.metrics);
            read.media.extend(page.media);
            read.gaps.extend(page.gaps);
        }
        Ok(read)
    }

    /// Opens a session with an app password: `POST {pds}/com.atproto.server.createSession`
    /// with `{"identifier": <handle or DID>, "password": <app password>}`. The password is
    /// sent once and kept nowhere.
    ///
    /// Errors, before any call: the password does not look like an app password
    /// ([`looks_like_app_password`]) → [`PlatformError::Forbidden`] telling to create one.
    /// From the answer: a wrong handle or password → [`PlatformError::Unauthorized`]; an
    /// inactive account → [`PlatformError::Forbidden`]; a session whose access JWT says
    /// `scope: com.atproto.access` (the account password after all) →
    /// [`PlatformError::Forbidden`]; see [`super::decode_session`].
    pub async fn create_session(
        &self,
        identifier: &str,
        app_password: &SecretString,
        rec: &Recorder,
    ) -> Result<BlueskySession, PlatformError> {
        let password = app_password.expose_secret().trim();
        if !looks_like_app_password(password) {
            return Err(PlatformError::Forbidden {
                message: format!(
                    "{CREATE_SESSION}: this is not an app password (xxxx-xxxx-xxxx-xxxx); create one in Bluesky under \
                     Settings → Privacy and security → App passwords. Alcance never asks for the account password."
                ),
            });
        }
        let identifier = identifier.trim().trim_start_matches('@');
        let url = join(&self.endpoints.bluesky_pds, &format!("/{CREATE_SESSION}"));
        let body = serde_json::json!({ "identifier": identifier, "password": password });
        let request = self.http.client().post(url).json(&body);
        let answer = self.http.send(request, rec).await?;
        let session = decode_session(&answer)?;
        if jwt_scope(&session.access).as_deref() == Some("com.atproto.access") {
            return Err(PlatformError::Forbidden {
                message: format!(
                    "{CREATE_SESSION}: Bluesky accepted an account password, not an app password; create an app \
                     password (Settings → Privacy and security → App passwords) and connect with it"
                ),
            });
        }
        Ok(session)
    }

    /// Renews a session: `POST {pds}/com.atproto.server.refreshSession` with
    /// `Authorization: Bearer <refreshJwt>` and no body. The answer's refresh JWT replaces
    /// the old one, which is revoked: store it before anything else.
    ///
    /// Errors: a revoked or expired refresh JWT (`400 ExpiredToken`, `401`) →
    /// [`PlatformError::Unauthorized`]; see [`super::decode_session`].
    pub async fn refresh(&self, refresh_jwt: &SecretString, rec: &Recorder) -> Result<BlueskySession, PlatformError> {
        let url = join(&self.endpoints.bluesky_pds, &format!("/{REFRESH_SESSION}"));
        let request = self.http.client().post(url).bearer_auth(refresh_jwt.expose_secret());
        let answer = self.http.send(request, rec).await?;
        decode_session(&answer)
    }

    /// The session's account: `GET {pds}/com.atproto.server.getSession` with the access
    /// JWT, then its public profile.
    ///
    /// Errors: a refused access JWT → [`PlatformError::Unauthorized`]; a body without `did`
    /// → [`PlatformError::Decode`]; those of [`Self::profile`].
    pub async fn whoami_session(&self, access: &SecretString, rec: &Recorder) -> Result<BlueskyProfile, PlatformError> {
        let url = join(&self.endpoints.bluesky_pds, &format!("/{GET_SESSION}"));
        let request = self.http.client().get(url).bearer_auth(access.expose_secret());
        let answer = self.http.send(request, rec).await?;
        if !answer.is_success() {
            return Err(super::map_error(&answer));
        }
        let did = answer
            .json::<serde_json::Value>()?
            .get("did")
            .and_then(serde_json::Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| PlatformError::decode(&answer.endpoint, "no `did` in the session", b""))?;
        self.profile(&did, rec).await
    }
}

impl BlueskySession {
    /// The session as the vault keeps it: `accessJwt` as the access token, `refreshJwt` as
    /// the refresh token, `expires_at` from the access JWT ([`super::session_expiry`]),
    /// `user_id` the DID.
    pub fn to_token_set(&self, now: DateTime<Utc>) -> TokenSet {
        TokenSet {
            access_token: self.access.clone(),
            refresh_token: Some(self.refresh.clone()),
            expires_at: Some(session_expiry(&self.access, now)),
            scope: None,
            user_id: Some(self.did.clone()),
            binding: None,
        }
    }
}

/// The registry's session renewal ([`crate::registry::Renewal::RefreshSession`]): an AT
/// Protocol OAuth session (one with a [`TokenSet::binding`]) is renewed at its token
/// endpoint with DPoP ([`super::oauth::refresh`]); an app-password session with
/// `refreshSession` on `endpoints` and its refresh JWT. Either way the answer is a
/// [`TokenSet`] with the rotated refresh token inside.
///
/// Errors: as the two calls; [`PlatformError::OAuth`] when the set has no refresh token.
pub fn refresh_session<'a>(endpoints: &'a Endpoints, set: &'a TokenSet) -> PlatformFuture<'a, TokenSet> {
    Box::pin(async move {
        if set.binding.is_some() {
            return super::oauth::refresh(set).await;
        }
        let refresh_jwt = set.refresh_token.as_ref().ok_or_else(|| PlatformError::OAuth {
            message: "the Bluesky session has no refresh token; connect the account again".into(),
        })?;
        let client = BlueskyClient::new(Http::new()?, endpoints.clone());
        let session = client.refresh(refresh_jwt, &Recorder::new()).await?;
        Ok(session.to_token_set(Utc::now()))
    })
}

/// The `scope` claim of a JWT's payload (unverified; only to tell an app-password session,
/// `com.atproto.appPass`, from an account-password one, `com.atproto.access`). Inferred from
/// the reference PDS's tokens, not documented.
fn jwt_scope(jwt: &SecretString) -> Option<String> {
    use base64::Engine;
    let payload = jwt.expose_secret().split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("scope")?.as_str().map(str::to_string)
}

/// Pairs each post with its metrics (the page lists them apart, in post order).
fn split_metrics(posts: Vec<PostRecord>, metrics: Vec<PostMetric>) -> Vec<(PostRecord, Vec<PostMetric>)> {
    posts
        .into_iter()
        .map(|p| {
            let own: Vec<PostMetric> = metrics
                .iter()
                .filter(|m| m.post_external_id == p.external_id)
                .cloned()
                .collect();
            (p, own)
        })
        .collect()
}

#[async_trait::async_trait]
impl PlatformClient for BlueskyClient {
    fn platform(&self) -> Platform {
        Platform::Bluesky
    }

    /// `com.atproto.server.getSession` with the access JWT, then the public profile.
    async fn whoami(&self, token: &SecretString, recorder: &Recorder) -> Result<Profile, PlatformError> {
        Ok(self.whoami_session(token, recorder).await?.profile())
    }

    /// Profile snapshots (`followers`, `following`, `media_count`; period `snapshot` now),
    /// then the author feed since `ctx.window.since`: own posts (replies and quotes
    /// included) with `likes`, `reposts`, `replies`, `quotes` snapshots and their picture
    /// URLs (`batch.media`, from the same answers: no call of its own). Reposts of other
    /// accounts' posts are counted in an `info` warning (`reposts_skipped`), never stored as
    /// posts. No views, reach or impressions: Bluesky has none.
    ///
    /// Reads go to the public AppView without a token, for owned and tracked accounts alike
    /// (`ctx.token` is not sent: the session is only kept alive by the token upkeep). The
    /// account is read by its DID (`external_id`), or by handle when the id is not a DID.
    ///
    /// Errors: the profile call failing. Feed failures become warnings that keep the
    /// profile; one that stops the account is also [`CollectionBatch::stopped`].
    async fn collect(&self, ctx: &CollectCtx) -> Result<CollectionBatch, PlatformError> {
        let rec = &ctx.recorder;
        let id = ctx.account.external_id.trim();
        let actor = if id.starts_with("did:") {
            id.to_string()
        } else {
            ctx.account.username.clone().unwrap_or_else(|| id.to_string())
        };
        let profile = self.profile(&actor, rec).await?;
        let mut batch = CollectionBatch {
            account_metrics: profile_metrics(&profile, Utc::now()),
            profile: Some(profile.profile()),
            ..CollectionBatch::default()
        };
        let mut feed = match self.author_feed(&profile.did, ctx.window.since, rec).await {
            Ok(feed) => feed,
            Err(e) => {
                batch.warnings.push(CollectWarning {
                    level: EventLevel::Warn,
                    code: e.code(),
                    message: format!("{GET_AUTHOR_FEED} of {}: {e}", profile.did),
                });
                if e.stops_account() {
                    batch.stop(e.interruption());
                }
                AuthorFeed::default()
            }
        };
        batch.warnings.append(&mut feed.warnings);
        if let Some(why) = feed.stopped.take() {
            batch.stop(why);
        }
        if !feed.reposts.is_empty() {
            batch.warnings.push(CollectWarning {
                level: EventLevel::Info,
                code: "reposts_skipped".to_string(),
                message: format!(
                    "@{} reposted {} posts of other accounts in the window; they are not stored as its posts",
                    profile.handle,
                    feed.reposts.len()
                ),
            });
        }
        batch.posts = feed.posts;
        batch.post_metrics = feed.metrics;
        batch.media = feed.media;
        Ok(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_passwords_have_four_groups_of_four() {
        assert!(looks_like_app_password("abcd-1234-efgh-5678"));
        assert!(!looks_like_app_password("hunter2"));
        assert!(!looks_like_app_password("ABCD-1234-efgh-5678"));
        assert!(!looks_like_app_password("abcd-1234-efgh"));
    }
}
