//! Tracked hashtags (issue 17 point 2; docs/metrics.md "Hashtags"): the hashtags a
//! workspace follows beyond its own posts, with what two platforms say about them:
//!
//! - **X post volume**: `GET /2/tweets/counts/recent?query=#tag&granularity=day`, public
//!   posts per UTC day over X's last 7 days. It needs the X App's **app-only Bearer Token**
//!   (not the user-context tokens of connected accounts): the user pastes it once
//!   ([`set_x_bearer`]); it goes into the vault under [`X_APP_BEARER_KEY`], never into
//!   SQLite, a log or an export.
//! - **Instagram media**: `ig_hashtag_search` (the hashtag's id, static and global: searched
//!   once, kept in `tracked_hashtags.ig_hashtag_id`), then the hashtag's `top_media` and
//!   `recent_media`, on behalf of the workspace's first connected Instagram account
//!   (lowest account id). Every hashtag queried counts against that account's **30 unique
//!   hashtags per rolling 7 days**; the budget is checked before any call
//!   ([`alcance_platforms::governor::hashtag`]) from the record in `hashtag_searches`, so a
//!   31st hashtag is refused with the time its slot frees up and no call is made.
//!
//! **Cadence**: at most once per UTC day per hashtag, after a collection run (scheduled or
//! manual; [`after_collection`]): hourly runs do not spend X reads or Instagram queries
//! more often, and X's day buckets only change once a day anyway. What fails (no bearer
//! token, a refusal, the budget) becomes a run event (codes `hashtag_*`); it never fails
//! the run or any account's metrics.
//!
//! Own-post performance per hashtag needs no API call: [`crate::views::hashtags`].

use crate::error::{AppError, Context, Result};
use crate::views::{HashtagPerformance, ViewFilter};
use crate::Workspace;
use alcance_core::analytics::tags::hashtag_key;
use alcance_core::{AccountStatus, EventLevel, HashtagEdge, Platform, VolumeGranularity};
use alcance_platforms::governor::hashtag::{Admission, HashtagBudget, HashtagSearch, IG_HASHTAG_WINDOW_DAYS};
use alcance_platforms::instagram::{is_hashtag_limit, GraphHost, InstagramClient};
use alcance_platforms::x::XClient;
use alcance_platforms::{PlatformError, Recorder};
use alcance_store::hashtags::{HashtagMediaRow, NewHashtagMedia, TrackedHashtagRow};
use alcance_store::AccountRow;
use chrono::{DateTime, Duration, DurationRound, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// The vault entry holding the X App's app-only Bearer Token (one per workspace).
pub const X_APP_BEARER_KEY: &str = "alcance/x-app/bearer";

/// Days of X volume shown per hashtag (X's recent counts cover the last 7 days).
pub const VOLUME_DAYS: i64 = 7;

/// A tracked hashtag with what was collected about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrackedHashtag {
    /// The key, `#` included, lower-case NFC (`"#são_paulo"`).
    pub tag: String,
    /// As the user typed it (`"#São_Paulo"`).
    pub display: String,
    /// When it was first tracked, UTC.
    pub added_at: DateTime<Utc>,
    /// `false` once untracked (listed only when asked for).
    pub enabled: bool,
    /// Its last collection, UTC; `None` before the first.
    pub collected_at: Option<DateTime<Utc>>,
    /// X public posts per UTC day, the last [`VOLUME_DAYS`] days collected, oldest first.
    pub x_daily: Vec<VolumePoint>,
    /// Σ of `x_daily`: public X posts with the hashtag over those days. A count; `None`
    /// when no X volume was collected.
    pub x_posts_7d: Option<i64>,
    /// Instagram `top_media` listed by its last collection. A count.
    pub instagram_top: u32,
    /// Instagram `recent_media` (last 24 hours) listed by its last collection. A count.
    pub instagram_recent: u32,
}

/// Public posts of one bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VolumePoint {
    /// Bucket start, UTC (midnight for a day bucket; today's bucket is still growing).
    pub start: DateTime<Utc>,
    /// Public posts with the hashtag in the bucket. A count.
    pub count: i64,
}

/// One public Instagram media tagged with a tracked hashtag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HashtagMediaItem {
    /// IG media id.
    pub media_id: String,
    /// `top` or `recent`.
    pub edge: HashtagEdge,
    /// Publication time, UTC.
    pub published_at: Option<DateTime<Utc>>,
    /// `IMAGE`, `VIDEO`, `CAROUSEL_ALBUM`.
    pub media_type: Option<String>,
    /// Likes when last seen (hidden likes: `None`). A count.
    pub like_count: Option<i64>,
    /// Comments when last seen. A count.
    pub comments_count: Option<i64>,
    /// Link to the post on Instagram.
    pub permalink: Option<String>,
    /// The caption's first 280 characters.
    pub caption_excerpt: Option<String>,
    /// Last collection listing it, UTC.
    pub last_seen: DateTime<Utc>,
}

/// The Instagram hashtag budget of the account that searches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstagramHashtagBudget {
    /// The Instagram account searching (`@handle`).
    pub account: String,
    /// Unique hashtags allowed per rolling 7 days (30). A count.
    pub limit: u32,
    /// Hashtags counted in the current 7 days. A count.
    pub used: u32,
    /// Slots left. A count.
    pub remaining: u32,
    /// When the next slot frees up, UTC; `None` when none is used.
    pub next_free_at: Option<DateTime<Utc>>,
    /// The hashtags counted, each with the time its slot frees up (UTC), soonest first.
    pub counted: Vec<CountedHashtag>,
}

/// A hashtag counted in the Instagram budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountedHashtag {
    /// The key.
    pub tag: String,
    /// When its slot frees up (first query + 7 days), UTC.
    pub frees_at: DateTime<Utc>,
}

/// The tracked hashtags screen's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrackedHashtags {
    /// The tracked hashtags, by key.
    pub hashtags: Vec<TrackedHashtag>,
    /// Whether the X App's bearer token is in the vault (X volume is collected only then).
    pub x_bearer_set: bool,
    /// The Instagram budget; `None` without a connected Instagram account.
    pub instagram_budget: Option<InstagramHashtagBudget>,
}

/// One hashtag in full: own-post performance, X volume, Instagram media.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HashtagDetail {
    /// The key.
    pub tag: String,
    /// Its tracking and collected volume; `None` when it is not tracked.
    pub tracked: Option<TrackedHashtag>,
    /// The workspace's own posts with it (the filter's accounts and range); `None` when no
    /// post carries it.
    pub own_posts: Option<HashtagPerformance>,
    /// Instagram media of its last collections, top first, then recent; most likes first.
    pub instagram_media: Vec<HashtagMediaItem>,
}

/// What one hashtag collection did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HashtagCollection {
    /// Hashtags due (not collected yet this UTC day). A count.
    pub due: u32,
    /// Hashtags whose X volume was saved. A count.
    pub x_saved: u32,
    /// Hashtags whose Instagram media were saved. A count.
    pub instagram_saved: u32,
    /// What went wrong or was skipped, as run events: `(level, code, message)`.
    pub notes: Vec<(EventLevel, String, String)>,
}

/// The key of a hashtag the user typed.
///
/// Errors: [`AppError::InvalidInput`] when it is not one whole hashtag.
pub fn parse_tag(input: &str) -> Result<String> {
    hashtag_key(input).ok_or_else(|| {
        AppError::InvalidInput(format!(
            "{:?} is not a hashtag: one word of letters, digits or _ with at least one letter, like #SãoPaulo or #verão_2026",
            input.trim()
        ))
    })
}

fn display_form(input: &str) -> String {
    let t = input.trim().replace('＃', "#");
    if t.starts_with('#') {
        t
    } else {
        format!("#{t}")
    }
}

/// Tracks the hashtag `input` (`"#SãoPaulo"`, `"verão"`) from `now` (UTC). Tracking it
/// again re-enables it. Nothing is called now: the next collection run collects it.
///
/// Errors: [`AppError::InvalidInput`] for text that is not a hashtag; store errors.
pub async fn track(ws: &Workspace, input: &str, now: DateTime<Utc>) -> Result<TrackedHashtag> {
    let tag = parse_tag(input)?;
    let row = ws.store().track_hashtag(&tag, &display_form(input), now).await?;
    tracked_one(ws, row, now).await
}

/// Stops tracking the hashtag `input`; what was collected stays.
///
/// Errors: [`AppError::InvalidInput`] for text that is not a hashtag,
/// [`AppError::NotFound`] when it is not tracked; store errors.
pub async fn untrack(ws: &Workspace, input: &str) -> Result<()> {
    let tag = parse_tag(input)?;
    if ws.store().untrack_hashtag(&tag).await? {
        Ok(())
    } else {
        Err(AppError::NotFound(format!("{tag} is not tracked")))
    }
}

/// The tracked hashtags (and the untracked ones with `with_untracked`), with their
/// collected X volume and Instagram media counts, whether the X bearer token is set and
/// the Instagram budget at `now` (UTC).
///
/// Errors: store errors.
pub async fn tracked(ws: &Workspace, with_untracked: bool, now: DateTime<Utc>) -> Result<TrackedHashtags> {
    let mut hashtags = Vec::new();
    for row in ws.store().tracked_hashtags(with_untracked).await? {
        hashtags.push(tracked_one(ws, row, now).await?);
    }
    let instagram_budget = match first_connected(ws, Platform::Instagram).await? {
        Some(account) => Some(budget_view(ws, &account, now).await?),
        None => None,
    };
    Ok(TrackedHashtags {
        hashtags,
        x_bearer_set: x_bearer(ws).is_some(),
        instagram_budget,
    })
}

/// The hashtag `input` in full at `now` (UTC): its tracking and collected data, and the
/// performance of the workspace's own posts with it under `filter` (no API call).
///
/// Errors: [`AppError::InvalidInput`] for text that is not a hashtag; a bad filter; store
/// errors.
pub async fn show(ws: &Workspace, input: &str, filter: &ViewFilter, now: DateTime<Utc>) -> Result<HashtagDetail> {
    let tag = parse_tag(input)?;
    let row = ws
        .store()
        .tracked_hashtags(true)
        .await?
        .into_iter()
        .find(|r| r.tag == tag);
    let tracked = match row {
        Some(row) => Some(tracked_one(ws, row, now).await?),
        None => None,
    };
    let own_posts = crate::views::hashtags(ws, filter)
        .await?
        .into_iter()
        .find(|h| h.hashtag == tag);
    let mut instagram_media = Vec::new();
    if let Some(t) = tracked.as_ref().and_then(|t| t.collected_at) {
        for edge in HashtagEdge::ALL {
            let rows = ws.store().hashtag_media(&tag, *edge, t).await?;
            instagram_media.extend(rows.into_iter().map(media_item));
        }
    }
    Ok(HashtagDetail {
        tag,
        tracked,
        own_posts,
        instagram_media,
    })
}

fn media_item(r: HashtagMediaRow) -> HashtagMediaItem {
    HashtagMediaItem {
        media_id: r.media_id,
        edge: r.edge,
        published_at: r.published_at,
        media_type: r.media_type,
        like_count: r.like_count,
        comments_count: r.comments_count,
        permalink: r.permalink,
        caption_excerpt: r.caption_excerpt,
        last_seen: r.last_seen,
    }
}

async fn tracked_one(ws: &Workspace, row: TrackedHashtagRow, now: DateTime<Utc>) -> Result<TrackedHashtag> {
    let today = now.duration_trunc(Duration::days(1)).unwrap_or(now);
    let since = today - Duration::days(VOLUME_DAYS - 1);
    let x_daily: Vec<VolumePoint> = ws
        .store()
        .hashtag_volume(&row.tag, since)
        .await?
        .into_iter()
        .filter(|b| b.platform == Platform::X && b.granularity == VolumeGranularity::Day)
        .map(|b| VolumePoint {
            start: b.bucket_start,
            count: b.count,
        })
        .collect();
    let x_posts_7d = (!x_daily.is_empty()).then(|| x_daily.iter().map(|p| p.count).sum());
    let (mut top, mut recent) = (0, 0);
    if let Some(last) = row.collected_at {
        top = ws.store().hashtag_media(&row.tag, HashtagEdge::Top, last).await?.len();
        recent = ws
            .store()
            .hashtag_media(&row.tag, HashtagEdge::Recent, last)
            .await?
            .len();
    }
    Ok(TrackedHashtag {
        tag: row.tag,
        display: row.display,
        added_at: row.added_at,
        enabled: row.enabled,
        collected_at: row.collected_at,
        x_daily,
        x_posts_7d,
        instagram_top: u32::try_from(top).unwrap_or(u32::MAX),
        instagram_recent: u32::try_from(recent).unwrap_or(u32::MAX),
    })
}

/// The workspace's first connected account of `platform` it owns (lowest id, not
/// disconnected or paused).
async fn first_connected(ws: &Workspace, platform: Platform) -> Result<Option<AccountRow>> {
    Ok(ws.store().list_accounts().await?.into_iter().find(|a| {
        a.account.platform == platform
            && a.account.owned
            && !matches!(a.status, AccountStatus::Disconnected | AccountStatus::Paused)
    }))
}

async fn budget_of(ws: &Workspace, ig_user_id: &str, now: DateTime<Utc>) -> Result<HashtagBudget> {
    let since = now - Duration::days(IG_HASHTAG_WINDOW_DAYS);
    let searches: Vec<HashtagSearch> = ws
        .store()
        .hashtag_searches_since(ig_user_id, since)
        .await?
        .into_iter()
        .map(|s| HashtagSearch {
            tag: s.tag,
            searched_at: s.searched_at,
        })
        .collect();
    Ok(HashtagBudget::at(&searches, now))
}

async fn budget_view(ws: &Workspace, account: &AccountRow, now: DateTime<Utc>) -> Result<InstagramHashtagBudget> {
    let b = budget_of(ws, &account.account.external_id, now).await?;
    Ok(InstagramHashtagBudget {
        account: handle(account),
        limit: b.limit,
        used: b.used(),
        remaining: b.remaining(),
        next_free_at: b.next_free_at(),
        counted: b
            .counted
            .iter()
            .map(|s| CountedHashtag {
                tag: s.tag.clone(),
                frees_at: s.searched_at + Duration::days(IG_HASHTAG_WINDOW_DAYS),
            })
            .collect(),
    })
}

/// `@handle`, or the account's platform id without one.
fn handle(account: &AccountRow) -> String {
    match &account.account.username {
        Some(u) => format!("@{u}"),
        None => account.account.external_id.clone(),
    }
}

/// The X App bearer token from the vault; `None` when none is set or the vault fails.
pub(crate) fn x_bearer(ws: &Workspace) -> Option<SecretString> {
    ws.token_vault().get(X_APP_BEARER_KEY).ok().flatten()
}

/// Stores the X App's app-only Bearer Token `token` in the vault (replacing one set
/// before), after checking it with one `GET /2/tweets/counts/recent` for `#alcance`.
///
/// Errors: [`AppError::InvalidInput`] for an empty token or one X refuses (a user-context
/// token is refused too: X wants the App's bearer); the platform error when X cannot be
/// reached; the vault's error.
pub async fn set_x_bearer(ws: &Workspace, token: SecretString) -> Result<()> {
    use secrecy::ExposeSecret;
    let trimmed = token.expose_secret().trim().to_string();
    if trimmed.is_empty() {
        return Err(AppError::InvalidInput("the X bearer token is empty".into()));
    }
    let token = SecretString::from(trimmed);
    let client = XClient::new(ws.http().clone(), ws.endpoints().clone());
    match client
        .post_counts_recent(&token, "#alcance", VolumeGranularity::Day, &Recorder::new())
        .await
    {
        Ok(_) => {}
        Err(PlatformError::Unauthorized { .. }) => {
            return Err(AppError::InvalidInput(
                "X refused this bearer token: paste the App's Bearer Token (developer portal → your App → Keys and tokens)".into(),
            ))
        }
        Err(PlatformError::Forbidden { message }) => {
            return Err(AppError::InvalidInput(format!(
                "X refused this token for post counts ({message}): it must be the App's app-only Bearer Token, not a user token"
            )))
        }
        Err(e) => return Err(AppError::from(e).context("checking the X bearer token")),
    }
    ws.token_vault()
        .put(X_APP_BEARER_KEY, &token)
        .context("saving the X bearer token in the vault")?;
    Ok(())
}

/// Removes the X App bearer token from the vault (X volume is no longer collected).
///
/// Errors: the vault's error.
pub fn clear_x_bearer(ws: &Workspace) -> Result<()> {
    ws.token_vault()
        .delete(X_APP_BEARER_KEY)
        .context("removing the X bearer token from the vault")?;
    Ok(())
}

/// After a collection run `run_id` stamped `now` (UTC): collects the tracked hashtags that
/// are due ([`collect_tracked`]) and logs what it did and what failed as the run's events.
/// Never fails: a failure is an event (or, when even that cannot be written, a log line).
pub async fn after_collection(ws: &Workspace, run_id: i64, now: DateTime<Utc>) {
    let report = match collect_tracked(ws, now).await {
        Ok(r) => r,
        Err(e) => HashtagCollection {
            notes: vec![(EventLevel::Warn, "hashtag_failed".into(), format!("{e:#}"))],
            ..HashtagCollection::default()
        },
    };
    for (level, code, message) in &report.notes {
        if let Err(e) = ws.store().add_event(run_id, None, *level, code, message, now).await {
            tracing::warn!(run_id, error = %e, "could not record a hashtag event");
        }
    }
}

/// Collects the tracked hashtags not collected yet on `now`'s UTC day: X daily volume
/// (with the bearer token) and Instagram top and recent media (with the first connected
/// Instagram account, within its budget). Each hashtag is stamped collected at `now` once
/// tried, whatever failed (so a refusal is not retried every hour).
///
/// Errors: store errors reading the tracked hashtags; every platform failure is a note.
pub async fn collect_tracked(ws: &Workspace, now: DateTime<Utc>) -> Result<HashtagCollection> {
    let today = now.date_naive();
    let due: Vec<TrackedHashtagRow> = ws
        .store()
        .tracked_hashtags(false)
        .await?
        .into_iter()
        .filter(|r| r.collected_at.is_none_or(|c| c.date_naive() < today))
        .collect();
    let mut report = HashtagCollection {
        due: u32::try_from(due.len()).unwrap_or(u32::MAX),
        ..HashtagCollection::default()
    };
    if due.is_empty() {
        return Ok(report);
    }
    let bearer = x_bearer(ws);
    if bearer.is_none() && first_connected(ws, Platform::X).await?.is_some() {
        report.notes.push((
            EventLevel::Info,
            "hashtag_no_x_bearer".into(),
            "X post volume of tracked hashtags needs the X App's bearer token: `alcance hashtags bearer` or Settings"
                .into(),
        ));
    }
    let instagram = match first_connected(ws, Platform::Instagram).await? {
        Some(account) => ws.target(&account).token.map(|t| (account, t)),
        None => None,
    };
    let x = XClient::new(ws.http().clone(), ws.endpoints().clone());
    let ig = InstagramClient::new(ws.http().clone(), ws.endpoints().clone(), GraphHost::InstagramLogin);
    for row in &due {
        if let Some(bearer) = &bearer {
            match collect_x(ws, &x, bearer, &row.tag, now).await {
                Ok(()) => report.x_saved += 1,
                Err(e) => report.notes.push((
                    EventLevel::Warn,
                    "hashtag_x_failed".into(),
                    format!("X post counts for {}: {e:#}", row.tag),
                )),
            }
        }
        if let Some((account, token)) = &instagram {
            match collect_instagram(ws, &ig, account, token, row, now).await {
                Ok(()) => report.instagram_saved += 1,
                Err(IgFailure::Budget(message)) => {
                    report
                        .notes
                        .push((EventLevel::Warn, "hashtag_budget_spent".into(), message))
                }
                Err(IgFailure::Other(e)) => report.notes.push((
                    EventLevel::Warn,
                    "hashtag_instagram_failed".into(),
                    format!("Instagram media for {}: {e:#}", row.tag),
                )),
            }
        }
        ws.store().hashtag_collected(&row.tag, now).await?;
    }
    report.notes.push((
        EventLevel::Info,
        "hashtag_collected".into(),
        format!(
            "tracked hashtags: {} due, X volume saved for {}, Instagram media for {}",
            report.due, report.x_saved, report.instagram_saved
        ),
    ));
    Ok(report)
}

async fn collect_x(ws: &Workspace, x: &XClient, bearer: &SecretString, tag: &str, now: DateTime<Utc>) -> Result<()> {
    let counts = x
        .post_counts_recent(bearer, tag, VolumeGranularity::Day, &Recorder::new())
        .await?;
    // Only whole-day buckets (starting at midnight UTC): the first bucket of X's window
    // starts mid-day and would be a partial day under a start no other collection shares.
    let buckets: Vec<(DateTime<Utc>, i64)> = counts
        .buckets
        .iter()
        .filter(|b| b.start.duration_trunc(Duration::days(1)).ok() == Some(b.start))
        .map(|b| (b.start, i64::try_from(b.count).unwrap_or(i64::MAX)))
        .collect();
    ws.store()
        .save_hashtag_volume(tag, Platform::X, VolumeGranularity::Day, &buckets, now)
        .await?;
    Ok(())
}

enum IgFailure {
    /// The budget refused the hashtag before any call (or Meta did, code 24).
    Budget(String),
    Other(AppError),
}

impl From<alcance_store::StoreError> for IgFailure {
    fn from(e: alcance_store::StoreError) -> Self {
        IgFailure::Other(e.into())
    }
}

impl From<AppError> for IgFailure {
    fn from(e: AppError) -> Self {
        IgFailure::Other(e)
    }
}

async fn collect_instagram(
    ws: &Workspace,
    ig: &InstagramClient,
    account: &AccountRow,
    token: &SecretString,
    row: &TrackedHashtagRow,
    now: DateTime<Utc>,
) -> std::result::Result<(), IgFailure> {
    let ig_user_id = account.account.external_id.as_str();
    let budget = budget_of(ws, ig_user_id, now).await?;
    let admission = budget.admit(&row.tag).map_err(|spent| {
        IgFailure::Budget(format!(
            "Instagram media for {} not read for {}: {spent}",
            row.tag,
            handle(account)
        ))
    })?;
    if admission == Admission::NewSlot {
        // Recorded before calling: a query Meta counted must never be missing from the record.
        ws.store().record_hashtag_search(ig_user_id, &row.tag, now).await?;
    }
    let rec = Recorder::new();
    let limit = |e: PlatformError| {
        if is_hashtag_limit(&e) {
            IgFailure::Budget(format!(
                "Instagram refused {} for {}: its 30 hashtags of 7 days are used ({e})",
                row.tag,
                handle(account)
            ))
        } else {
            IgFailure::Other(e.into())
        }
    };
    let hashtag_id = match &row.ig_hashtag_id {
        Some(id) => id.clone(),
        None => {
            let name = row.tag.trim_start_matches('#');
            let id = ig.hashtag_id(token, ig_user_id, name, &rec).await.map_err(limit)?;
            ws.store().set_hashtag_ig_id(&row.tag, &id).await?;
            id
        }
    };
    for edge in HashtagEdge::ALL {
        let media = ig
            .hashtag_media(token, ig_user_id, &hashtag_id, *edge, &rec)
            .await
            .map_err(limit)?;
        let rows: Vec<NewHashtagMedia> = media
            .into_iter()
            .map(|m| NewHashtagMedia {
                media_id: m.id,
                published_at: m.timestamp,
                media_type: m.media_type,
                like_count: m.like_count,
                comments_count: m.comments_count,
                permalink: m.permalink,
                caption_excerpt: m.caption_excerpt,
            })
            .collect();
        ws.store().save_hashtag_media(&row.tag, *edge, &rows, now).await?;
    }
    Ok(())
}
