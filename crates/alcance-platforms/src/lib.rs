//! Platform API clients for Alcance, one module per platform (`wire` DTOs, `client`,
//! `map` to canonical metrics), over one HTTP layer that archives every exchange, plus
//! OAuth 2.0 (authorization code + PKCE, loopback redirect) and the token vault.

pub mod bluesky;
mod catalog_field;
pub mod comments;
mod cursor_walk;
pub mod endpoints;
pub mod error;
pub mod facebook;
pub mod fuzzing;
pub mod governor;
pub mod http;
pub mod instagram;
pub(crate) mod lenient;
pub mod linkedin;
pub mod meta;
pub mod oauth;
pub mod reddit;
pub mod registry;
pub mod scopes;
pub mod threads;
pub mod tiktok;
pub mod vault;
pub mod whatsapp;
pub mod x;
pub mod youtube;

use alcance_core::{AccountRef, CollectionBatch, CommentsRead, Platform, Profile};
use chrono::{DateTime, Utc};
use secrecy::SecretString;

pub use comments::CommentsCtx;
pub use endpoints::Endpoints;
pub use error::PlatformError;
pub use http::{CallLimits, CallNotes, Http, Recorder};

/// The time range one collection covers, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CollectWindow {
    /// Collect account insights and posts published from here on (inclusive).
    pub since: DateTime<Utc>,
    /// Up to here (exclusive); normally "now".
    pub until: DateTime<Utc>,
}

/// What a client needs to collect one account.
#[derive(Debug, Clone)]
pub struct CollectCtx {
    /// The account to collect.
    pub account: AccountRef,
    /// The access token to use (the account's own, or the owner's for a tracked profile).
    pub token: SecretString,
    /// The range to cover.
    pub window: CollectWindow,
    /// Where every exchange is archived, so raw responses survive a failure half-way.
    pub recorder: Recorder,
}

/// One platform's client, as the collector drives it.
#[async_trait::async_trait]
pub trait PlatformClient: Send + Sync {
    /// Which platform this client talks to.
    fn platform(&self) -> Platform;

    /// The profile of the token's owner (X `GET /2/users/me`, IG `GET /me`), used to
    /// register an account after OAuth.
    async fn whoami(&self, token: &SecretString, recorder: &Recorder) -> Result<Profile, PlatformError>;

    /// Every account the token manages, each registered as an owned account after OAuth
    /// (they share the token): by default the one [`Self::whoami`] names; LinkedIn names
    /// every organization page the member administers, [`Self::whoami`]'s first.
    ///
    /// Errors: those of [`Self::whoami`].
    async fn owned_profiles(&self, token: &SecretString, recorder: &Recorder) -> Result<Vec<Profile>, PlatformError> {
        Ok(vec![self.whoami(token, recorder).await?])
    }

    /// Collects profile metrics, account insights, posts and post metrics for
    /// `ctx.account` over `ctx.window`. Problems that stop only part of the work (one
    /// page, one media, one removed metric) are returned inside the batch as warnings and
    /// gaps. A failure that stops the rest of the account after something usable arrived
    /// (the token refused by a later call, a rate limit, a dropped connection, the
    /// deadline of `ctx.recorder`'s [`CallLimits`]) returns what arrived, with the reason
    /// in [`CollectionBatch::stopped`]. An `Err` means nothing usable was collected for the
    /// account (bad token, profile unreadable).
    async fn collect(&self, ctx: &CollectCtx) -> Result<CollectionBatch, PlatformError>;

    /// Reads the comments and replies of the posts in `ctx.posts`, and the mentions and
    /// tags of `ctx.account` since `ctx.mentions_since`, where the platform serves them
    /// (docs/comments.md): Instagram, Facebook Pages, X. `Ok(None)`, with no call, for a
    /// platform whose comments Alcance does not read (the default). A post or listing that
    /// cannot be read is a gap in the answer, the rest is still read; a failure that stops
    /// the account ends the reading with what arrived and that gap.
    ///
    /// Errors: none of the clients' own; kept for failures before anything is read.
    async fn read_comments(&self, ctx: &CommentsCtx) -> Result<Option<CommentsRead>, PlatformError> {
        let _ = ctx;
        Ok(None)
    }
}
