//! Comments and mentions (issue 17 point 3; docs/comments.md): reading them after each
//! collection ([`after_collection`]), the Inbox's list ([`list`]) and the per-post counts
//! against the platforms' counters ([`post_counts`]). The desktop shell, the server and
//! the CLI reach them only through here (ADR 0004).
//!
//! **Which posts are read again** (the incremental rule): after a collection, for each
//! owned Instagram, Facebook, X or YouTube account it stored completely (an account that stopped
//! half-way, rate-limited or refused, is left for the next one), the posts published in the last
//! [`RECENT_DAYS`] days, and older posts whose platform comment counter changed since
//! their comments were last read completely (or that were never read and have comments),
//! at most [`MAX_POSTS_PER_RUN`] a run, newest first. Mentions and tags are read from the
//! newest one stored (an hour before it), at most [`RECENT_DAYS`] back.
//!
//! A comment read that fails never fails the account's collection: it is a run event
//! (`gap` for a post or listing the platform would not serve, `warn` for the whole read)
//! on the collection's run.

use crate::error::Result;
use crate::workspace::Workspace;
use alcance_collector::RunSummary;
use alcance_core::{EventLevel, Platform};
use alcance_platforms::{CallLimits, CommentsCtx, Recorder};
use alcance_store::comments::CommentsSaved;
use alcance_store::AccountRow;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

pub use alcance_core::CommentKind;
pub use alcance_store::comments::{
    search_words, CommentCursor, CommentFilter, CommentRow, PostCommentCount, MAX_SEARCH_WORDS,
};

/// Posts published this many days ago or later have their comments read at every
/// collection (comments come mostly in a post's first days).
pub const RECENT_DAYS: i64 = 7;

/// Most posts of one account whose comments one collection reads.
pub const MAX_POSTS_PER_RUN: u32 = 50;

/// Longest time one account's comment reading may take (its requests stop after).
pub const ACCOUNT_DEADLINE_SECONDS: u64 = 120;

/// Most rows of one [`list`] page.
pub const MAX_PAGE: u32 = 500;

/// The platforms whose comments are read.
pub const PLATFORMS: &[Platform] = &[Platform::Instagram, Platform::Facebook, Platform::X, Platform::Youtube];

/// What [`read_account`] did for one account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountComments {
    /// `accounts.id`.
    pub account_id: i64,
    /// Posts whose comments were asked for.
    pub posts: usize,
    /// What the store did with what was read.
    pub saved: CommentsSaved,
    /// Gaps recorded (posts or listings the platform would not serve).
    pub gaps: usize,
    /// Why nothing was read, when nothing was (no token, the platform failed).
    pub error: Option<String>,
}

/// Reads the comments of the accounts `summary` stored completely (owned, of
/// [`PLATFORMS`]), one
/// account after the other, and records what happened as events of the run. Failures are
/// logged and recorded, never returned: the run's metrics are already stored.
pub(crate) async fn after_collection(ws: &Workspace, summary: &RunSummary, now: DateTime<Utc>) {
    let ids: Vec<i64> = summary
        .accounts
        .iter()
        .filter(|a| a.ok && a.account.owned && PLATFORMS.contains(&a.account.platform))
        .map(|a| a.account_id)
        .collect();
    if ids.is_empty() {
        return;
    }
    let accounts = match ws.store().list_accounts().await {
        Ok(all) => all,
        Err(e) => {
            tracing::warn!(error = %e, "comments were not read: the accounts could not be listed");
            return;
        }
    };
    for account in accounts.iter().filter(|a| ids.contains(&a.id)) {
        let done = read_account(ws, summary.run_id, account, now).await;
        if let Some(error) = &done.error {
            tracing::warn!(account = account.id, %error, "comments were not read");
        }
    }
    // The exchanges above were archived after the run pruned the raw responses: the
    // workspace's retention (docs/PRIVACY.md) applies to them too.
    if let Err(error) = ws.store().prune_raw_responses(now, "retention").await {
        tracing::warn!(%error, "pruning old raw responses failed");
    }
}

/// Reads the comments of `account` now (the posts due by the incremental rule, its
/// mentions and tags), stores them, and records the outcome as events of run `run_id`
/// (the exchanges are archived with it). Nothing is returned as an error: see
/// [`AccountComments::error`].
pub async fn read_account(ws: &Workspace, run_id: i64, account: &AccountRow, now: DateTime<Utc>) -> AccountComments {
    let mut out = AccountComments {
        account_id: account.id,
        ..AccountComments::default()
    };
    let store = ws.store();
    let event = |level: EventLevel, code: String, message: String| async move {
        // Best effort, as the collector's own events.
        let _ = store
            .add_event(run_id, Some(account.id), level, &code, &message, now)
            .await;
    };
    let Some(client) = ws.clients().get(account.account.platform).cloned() else {
        return out;
    };
    let Some(token) = ws.target(account).token else {
        out.error = Some("no token in the vault".into());
        return out;
    };
    let recent = now - Duration::days(RECENT_DAYS);
    let due = match store.comments_due(account.id, recent, MAX_POSTS_PER_RUN).await {
        Ok(due) => due,
        Err(e) => {
            out.error = Some(e.to_string());
            return out;
        }
    };
    let mention_kinds: &[CommentKind] = match account.account.platform {
        Platform::X => &[CommentKind::Comment, CommentKind::Reply, CommentKind::Mention],
        _ => &[CommentKind::Tag],
    };
    let latest = store.latest_comment_at(account.id, mention_kinds).await.ok().flatten();
    let mentions_since = latest.map_or(recent, |t| (t - Duration::hours(1)).max(recent));
    out.posts = due.len();
    let recorder = Recorder::with_limits(CallLimits {
        deadline: Some(tokio::time::Instant::now() + std::time::Duration::from_secs(ACCOUNT_DEADLINE_SECONDS)),
        max_rate_wait: Some(std::time::Duration::from_secs(30)),
    });
    let ctx = CommentsCtx {
        account: account.account.clone(),
        token,
        posts: due.into_iter().map(|d| d.external_id).collect(),
        mentions_since,
        recorder: recorder.clone(),
    };
    let read = client.read_comments(&ctx).await;
    let raw = recorder.take();
    if !raw.is_empty() {
        let _ = store.save_raw(run_id, Some(account.id), &raw).await;
    }
    let read = match read {
        Ok(Some(read)) => read,
        Ok(None) => return out,
        Err(e) => {
            let message = format!("comments were not read: {e}");
            event(EventLevel::Warn, e.code(), message.clone()).await;
            out.error = Some(message);
            return out;
        }
    };
    for gap in &read.gaps {
        event(
            EventLevel::Gap,
            gap.code.clone(),
            format!("comments: {} of {}: {}", gap.what, gap.object_id, gap.detail),
        )
        .await;
    }
    out.gaps = read.gaps.len();
    match store
        .save_comments(account.id, now, &read.comments, &read.complete_posts)
        .await
    {
        Ok(saved) => {
            out.saved = saved;
            event(
                EventLevel::Info,
                "comments".into(),
                format!(
                    "{} comments read on {} posts ({} new, {} edited, {} deleted on the platform)",
                    saved.saved, out.posts, saved.new, saved.edited, saved.deleted
                ),
            )
            .await;
        }
        Err(e) => {
            let message = format!("comments were read but not stored: {e}");
            event(EventLevel::Warn, "store".into(), message.clone()).await;
            out.error = Some(message);
        }
    }
    out
}

/// One page of the Inbox: comments newest first, and where the next page starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CommentPage {
    /// The rows.
    pub items: Vec<CommentRow>,
    /// Pass back to get the next page; `None` on the last one.
    pub next: Option<CommentCursor>,
}

/// Comments matching `filter`, newest first, `limit` a page (1 to [`MAX_PAGE`]) after
/// `after` (the previous page's [`CommentPage::next`]).
///
/// Errors: [`crate::AppError::InvalidInput`] for a limit outside 1–[`MAX_PAGE`] or a
/// search without a word; the store.
pub async fn list(
    ws: &Workspace,
    filter: &CommentFilter,
    after: Option<CommentCursor>,
    limit: u32,
) -> Result<CommentPage> {
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(crate::AppError::InvalidInput(format!(
            "the page size must be 1 to {MAX_PAGE}, not {limit}"
        )));
    }
    if let (Some(since), Some(until)) = (filter.since, filter.until) {
        if since >= until {
            return Err(crate::AppError::InvalidInput("`since` must be before `until`".into()));
        }
    }
    // One more row than asked tells whether another page follows.
    let mut items = ws
        .store()
        .comments(filter, after, limit + 1)
        .await
        .map_err(|e| match e {
            alcance_store::StoreError::Invalid {
                what: "search", value, ..
            } => crate::AppError::InvalidInput(format!(
                "the search {value:?} has no word to look for (letters or digits)"
            )),
            other => other.into(),
        })?;
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next = more.then(|| items.last()).flatten().map(|last| CommentCursor {
        created_at: last.created_at,
        id: last.id,
    });
    Ok(CommentPage { items, next })
}

/// Per post of `account_ids` (all when empty; only `post_external_id` when given): the
/// comments stored against the platform's own counter, for the posts that have either,
/// newest first, at most `limit` (1 to [`MAX_PAGE`]). The stored count is what the
/// platform's counter counts: Instagram's `comments_count` and YouTube's `commentCount` comments and replies, Facebook's
/// `comments.summary` and X's `reply_count` top-level comments only (docs/comments.md).
///
/// Errors: a limit outside 1–[`MAX_PAGE`]; the store.
pub async fn post_counts(
    ws: &Workspace,
    account_ids: &[i64],
    post_external_id: Option<&str>,
    limit: u32,
) -> Result<Vec<PostCommentCount>> {
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(crate::AppError::InvalidInput(format!(
            "the number of posts must be 1 to {MAX_PAGE}, not {limit}"
        )));
    }
    Ok(ws
        .store()
        .post_comment_counts(account_ids, post_external_id, limit)
        .await?)
}

/// The Meta webhook's Instagram comments and mentions of `events` as comments of the
/// connected account each names (`account_ref`), stored as a poll would store them (same
/// row for the same comment id); events of accounts not connected are left out. Returns
/// how many comments were written.
///
/// Errors: the store.
pub(crate) async fn from_webhook(
    ws: &Workspace,
    events: &[alcance_store::webhooks::NewWebhookEvent],
    now: DateTime<Utc>,
) -> Result<u64> {
    use alcance_core::{CommentRecord, WebhookEventKind};
    let mut written = 0;
    let mut by_account: Vec<(i64, Vec<CommentRecord>)> = Vec::new();
    for e in events {
        if e.platform != Platform::Instagram {
            continue;
        }
        let kind = match (e.kind, e.parent_id.is_some()) {
            (WebhookEventKind::Comment, false) => CommentKind::Comment,
            (WebhookEventKind::Comment, true) => CommentKind::Reply,
            (WebhookEventKind::Mention, _) => CommentKind::Mention,
            (WebhookEventKind::MessageStatus, _) => continue,
        };
        let Some(account_id) = ws
            .store()
            .account_id_by_external(Platform::Instagram, &e.account_ref)
            .await?
        else {
            continue;
        };
        let record = CommentRecord {
            external_id: e.object_id.clone(),
            post_external_id: e.media_id.clone(),
            parent_external_id: e.parent_id.clone(),
            kind,
            author_id: e.from_id.clone(),
            author_handle: e.from_username.clone(),
            // The arrival time stands for it until a poll brings the platform's timestamp
            // (the entry's `time` is when Meta sent the change, not when it was written).
            created_at: None,
            text: e.text.clone(),
            like_count: None,
            reply_count: None,
        };
        match by_account.iter_mut().find(|(id, _)| *id == account_id) {
            Some((_, list)) => list.push(record),
            None => by_account.push((account_id, vec![record])),
        }
    }
    for (account_id, comments) in by_account {
        written += ws.store().save_comments(account_id, now, &comments, &[]).await?.saved;
    }
    Ok(written)
}
