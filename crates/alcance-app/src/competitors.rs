//! Competitors (issue 17 point 1; docs/metrics.md "Competitors"): a workspace's competitor
//! sets — accounts it follows (tracked public profiles on X, Instagram through business
//! discovery, Facebook Pages, YouTube channels, Bluesky accounts, or even own
//! connections) grouped under a name, each set with its own collection cadence — and the
//! Competitors view: own accounts beside the competitors over a window, with the account
//! comparison's figures ([`crate::views::compare`]) plus mean engagement per post, and the
//! share of voice on a hashtag or keyword.
//!
//! **Cadence.** A set's cadence ([`set_cadence`]; `daily` for a new set) is written into
//! each member's schedule when the set's cadence changes and when an account joins it, so
//! the scheduler collects competitors on their set's cadence and own accounts on theirs.
//!
//! **Share of voice.** For each term ([`add_voice_term`]), once per UTC day after a
//! collection run ([`after_collection`]): `GET /2/tweets/counts/recent?query=<term>&granularity=day`
//! (all public X posts matching it) and `query=<term> from:<handle>` for each X account of
//! the view (own X connections and X competitors), with the X App's app-only bearer token
//! (the one tracked hashtags use, in the vault; the same rate-limit governor budget of
//! that endpoint and token). Share = the account's posts ÷ all posts over the same UTC
//! days: a **ratio 0–1**. Only X gives such counts: Instagram, Facebook, Bluesky, YouTube
//! and the rest have no public count-by-query endpoint, so their share is "not available"
//! (`None`, shown "—"), never 0.

use crate::error::{AppError, Context, Result};
use crate::views::{compare_any, row_label, ChartLabels, CompareRequest};
use crate::Workspace;
use alcance_core::analytics::best_time::Tz;
use alcance_core::analytics::posts::TimeRange;
use alcance_core::cadence::Cadence;
use alcance_core::{AccountId, AccountStatus, EventLevel, Platform, VolumeGranularity};
use alcance_platforms::x::XClient;
use alcance_platforms::Recorder;
pub use alcance_report::competitors::{CompetitorFigures, CompetitorReport, CompetitorRole, ShareOfVoice, VoiceShare};
use alcance_report::export::ExportFormat;
use alcance_store::competitors::{CompetitorSetRow, VoiceTermRow};
use alcance_store::AccountRow;
use chrono::{DateTime, Duration, DurationRound, NaiveDate, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// The set an account joins when none is named.
pub const DEFAULT_SET: &str = "competitors";

/// UTC days of share of voice in the view (X's recent counts cover the last 7 days).
pub const VOICE_DAYS: i64 = 7;

/// Longest term accepted, in characters (X queries are at most 512 characters, and the
/// `from:` operator is added to it).
pub const MAX_TERM_CHARS: usize = 400;

/// One competitor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Competitor {
    /// Store id of the account (`accounts.id`).
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub account_id: AccountId,
    /// Its platform.
    pub platform: Platform,
    /// `"@username (Platform)"`.
    pub label: String,
    /// `true` for an own connection listed as a competitor (an agency's client), `false`
    /// for a tracked public profile.
    pub owned: bool,
    /// Its set's name.
    pub set: String,
    /// When it was added (or moved to its set), UTC.
    pub added_at: DateTime<Utc>,
    /// Whether its share of voice can be counted (X only).
    pub voice_available: bool,
}

/// One competitor set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompetitorSet {
    /// Its name.
    pub name: String,
    /// Its members' collection cadence.
    pub cadence: Cadence,
    /// Its members. A count.
    pub members: u32,
    /// When it was made, UTC.
    pub created_at: DateTime<Utc>,
}

/// A share-of-voice term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoiceTerm {
    /// The term as sent to X (`#verão`, `black friday`).
    pub term: String,
    /// When it was added, UTC.
    pub added_at: DateTime<Utc>,
    /// Its last collection, UTC; `None` before the first.
    pub collected_at: Option<DateTime<Utc>>,
}

/// The competitor sets, their members and the share-of-voice terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompetitorList {
    /// The sets, by name.
    pub sets: Vec<CompetitorSet>,
    /// The competitors, by set name then account id.
    pub competitors: Vec<Competitor>,
    /// The terms collected, by term.
    pub voice_terms: Vec<VoiceTerm>,
    /// Whether the X App's bearer token is in the vault (share of voice is collected only
    /// then; `alcance hashtags bearer`).
    pub x_bearer_set: bool,
}

/// What the Competitors view shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompetitorsRequest {
    /// Inclusive start of the window, UTC; default `until` − 30 days.
    pub since: Option<DateTime<Utc>>,
    /// Exclusive end of the window, UTC; default "now".
    pub until: Option<DateTime<Utc>>,
    /// IANA time zone of the best slots; `None` or blank = UTC.
    pub time_zone: Option<String>,
    /// Only this set's competitors; `None` = every set.
    pub set: Option<String>,
    /// The share-of-voice term; `None` = the first term collected (by term).
    pub term: Option<String>,
}

/// The Competitors view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompetitorsView {
    /// The table (own accounts first, by id, then the competitors by set and id) and the
    /// share of voice over the last [`VOICE_DAYS`] UTC days.
    pub report: CompetitorReport,
    /// Followers per UTC day, one line per account: a standalone SVG document.
    pub chart_svg: String,
    /// Points plotted in the chart (0 = "No data yet").
    pub chart_points: u32,
    /// Every term collected, for the term picker.
    pub terms: Vec<String>,
}

/// What one share-of-voice collection did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VoiceCollection {
    /// Terms due (not collected yet this UTC day). A count.
    pub due: u32,
    /// Queries answered and saved (totals and per account). A count.
    pub saved: u32,
    /// What went wrong or was skipped, as run events: `(level, code, message)`.
    pub notes: Vec<(EventLevel, String, String)>,
}

fn set_name(set: Option<&str>) -> &str {
    set.map(str::trim).filter(|s| !s.is_empty()).unwrap_or(DEFAULT_SET)
}

fn cadence_of(row: &CompetitorSetRow) -> Result<Cadence> {
    Cadence::from_kind(row.cadence, row.every_seconds)
        .map_err(|e| AppError::InvalidInput(format!("competitor set {:?}: {e}", row.name)))
}

/// The competitor sets, competitors and share-of-voice terms.
///
/// Errors: store errors.
pub async fn list(ws: &Workspace) -> Result<CompetitorList> {
    let store = ws.store();
    let accounts = store.list_accounts().await?;
    let rows = store.competitors().await?;
    let mut sets = Vec::new();
    for s in store.competitor_sets().await? {
        sets.push(CompetitorSet {
            members: u32::try_from(rows.iter().filter(|r| r.set_id == s.id).count()).unwrap_or(u32::MAX),
            cadence: cadence_of(&s)?,
            name: s.name,
            created_at: s.created_at,
        });
    }
    let competitors = rows
        .iter()
        .filter_map(|r| {
            let a = accounts.iter().find(|a| a.id == r.account_id)?;
            Some(Competitor {
                account_id: AccountId(a.id),
                platform: a.account.platform,
                label: row_label(a),
                owned: a.account.owned,
                set: r.set_name.clone(),
                added_at: r.added_at,
                voice_available: a.account.platform == Platform::X,
            })
        })
        .collect();
    Ok(CompetitorList {
        sets,
        competitors,
        voice_terms: store.voice_terms(false).await?.into_iter().map(voice_term).collect(),
        x_bearer_set: crate::hashtags::x_bearer(ws).is_some(),
    })
}

fn voice_term(r: VoiceTermRow) -> VoiceTerm {
    VoiceTerm {
        term: r.term,
        added_at: r.added_at,
        collected_at: r.collected_at,
    }
}

/// Makes account `account_id` a competitor in `set` (default [`DEFAULT_SET`], made with a
/// daily cadence when missing) at `now` (UTC), and gives it the set's cadence. An account
/// already in another set moves.
///
/// Errors: [`AppError::NotFound`] for an unknown account; store errors.
pub async fn add(ws: &Workspace, account_id: AccountId, set: Option<&str>, now: DateTime<Utc>) -> Result<Competitor> {
    let store = ws.store();
    let account = store
        .list_accounts()
        .await?
        .into_iter()
        .find(|a| a.id == account_id.get())
        .ok_or_else(|| AppError::NotFound(format!("no account {account_id}; `alcance accounts` lists them")))?;
    let name = set_name(set);
    let row = match store.competitor_sets().await?.into_iter().find(|s| s.name == name) {
        Some(row) => row,
        None => {
            let daily = Cadence::Daily;
            store
                .upsert_competitor_set(name, daily.kind(), daily.every_seconds(), now)
                .await?
        }
    };
    store.add_competitor(account_id.get(), row.id, now).await?;
    crate::runs::set_cadence(store, account_id, cadence_of(&row)?, now)
        .await
        .with_context(|| format!("giving account {account_id} the cadence of set {name:?}"))?;
    Ok(Competitor {
        account_id,
        platform: account.account.platform,
        label: row_label(&account),
        owned: account.account.owned,
        set: row.name,
        added_at: now,
        voice_available: account.account.platform == Platform::X,
    })
}

/// Removes account `account_id` from the competitors (the account, its data and its
/// current cadence stay). `false` when it was not one.
///
/// Errors: store errors.
pub async fn remove(ws: &Workspace, account_id: AccountId) -> Result<bool> {
    Ok(ws.store().remove_competitor(account_id.get()).await?)
}

/// Sets the cadence of `set` (default [`DEFAULT_SET`]; made when missing) and of each of
/// its members' schedules at `now` (UTC). Returns the set.
///
/// Errors: store errors (a member without a schedule: its error names it).
pub async fn set_cadence(
    ws: &Workspace,
    set: Option<&str>,
    cadence: Cadence,
    now: DateTime<Utc>,
) -> Result<CompetitorSet> {
    let store = ws.store();
    let name = set_name(set);
    let row = store
        .upsert_competitor_set(name, cadence.kind(), cadence.every_seconds(), now)
        .await?;
    let members: Vec<i64> = store
        .competitors()
        .await?
        .into_iter()
        .filter(|c| c.set_id == row.id)
        .map(|c| c.account_id)
        .collect();
    for id in &members {
        crate::runs::set_cadence(store, AccountId(*id), cadence, now)
            .await
            .with_context(|| format!("setting the cadence of competitor {id}"))?;
    }
    Ok(CompetitorSet {
        name: row.name,
        cadence,
        members: u32::try_from(members.len()).unwrap_or(u32::MAX),
        created_at: row.created_at,
    })
}

/// The term `input` trimmed, checked for X's query syntax.
///
/// Errors: [`AppError::InvalidInput`] for a blank term, one over [`MAX_TERM_CHARS`], one
/// with a line break or its own `from:` operator (Alcance adds it per account).
pub fn parse_term(input: &str) -> Result<String> {
    let term = input.trim();
    if term.is_empty() {
        return Err(AppError::InvalidInput(
            "give a hashtag or keyword, like #verão or \"black friday\"".into(),
        ));
    }
    if term.chars().count() > MAX_TERM_CHARS {
        return Err(AppError::InvalidInput(format!(
            "a share-of-voice term has at most {MAX_TERM_CHARS} characters (X queries are at most 512)"
        )));
    }
    if term.contains(['\n', '\r']) {
        return Err(AppError::InvalidInput("a share-of-voice term is one line".into()));
    }
    if term.to_lowercase().split_whitespace().any(|w| w.starts_with("from:")) {
        return Err(AppError::InvalidInput(
            "leave `from:` out of the term: Alcance counts each account's posts with it".into(),
        ));
    }
    Ok(term.to_string())
}

/// Adds `input` to the share-of-voice terms at `now` (UTC); collected after the next run.
///
/// Errors: as [`parse_term`]; store errors.
pub async fn add_voice_term(ws: &Workspace, input: &str, now: DateTime<Utc>) -> Result<VoiceTerm> {
    let term = parse_term(input)?;
    Ok(voice_term(ws.store().add_voice_term(&term, now).await?))
}

/// Stops collecting the term `input` (its counts stay). `false` when it was not collected.
///
/// Errors: store errors.
pub async fn remove_voice_term(ws: &Workspace, input: &str) -> Result<bool> {
    Ok(ws.store().remove_voice_term(input).await?)
}

/// One account of the view, in order.
struct Member {
    row: AccountRow,
    role: CompetitorRole,
    set: Option<String>,
}

/// The accounts of the view: own connections (owned, not disconnected, not competitors) by
/// id, then the competitors of `set` (every set when `None`) by set name and id.
async fn members(ws: &Workspace, set: Option<&str>) -> Result<Vec<Member>> {
    let store = ws.store();
    let accounts = store.list_accounts().await?;
    let competitors = store.competitors().await?;
    if let Some(name) = set {
        if !store.competitor_sets().await?.iter().any(|s| s.name == name.trim()) {
            return Err(AppError::NotFound(format!("no competitor set {name:?}")));
        }
    }
    let listed: HashSet<i64> = competitors.iter().map(|c| c.account_id).collect();
    let mut out: Vec<Member> = accounts
        .iter()
        .filter(|a| a.account.owned && a.status != AccountStatus::Disconnected && !listed.contains(&a.id))
        .map(|a| Member {
            row: a.clone(),
            role: CompetitorRole::Own,
            set: None,
        })
        .collect();
    for c in competitors
        .iter()
        .filter(|c| set.is_none_or(|s| s.trim() == c.set_name))
    {
        if let Some(a) = accounts.iter().find(|a| a.id == c.account_id) {
            out.push(Member {
                row: a.clone(),
                role: CompetitorRole::Competitor,
                set: Some(c.set_name.clone()),
            });
        }
    }
    Ok(out)
}

/// The Competitors view at `now` (UTC): own accounts beside the competitors over the
/// request's window (the comparison's figures: followers at the end and the start,
/// growth in count and percent, interactions, views, engagement rate in percent 0–100,
/// posts and posts per week, best slot in the request's zone, content mix in percent,
/// daily followers), mean engagement per post (interactions ÷ posts), the followers chart
/// (words from `labels`), and the share of voice on the request's term over the last
/// [`VOICE_DAYS`] UTC days (today's still growing).
///
/// Errors: [`AppError::NotFound`] for an unknown set; the comparison's window and zone
/// errors; store errors.
pub async fn view(
    ws: &Workspace,
    request: &CompetitorsRequest,
    labels: &ChartLabels,
    now: DateTime<Utc>,
) -> Result<CompetitorsView> {
    let today = now.date_naive();
    let days = (today - Duration::days(VOICE_DAYS - 1), today);
    let terms: Vec<String> = ws
        .store()
        .voice_terms(false)
        .await?
        .into_iter()
        .map(|t| t.term)
        .collect();
    let term = match request.term.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Some(t.to_string()),
        None => terms.first().cloned(),
    };
    let (report, chart_svg, chart_points) = build(
        ws,
        request.set.as_deref(),
        request.since,
        request.until,
        request.time_zone.clone(),
        term.as_deref(),
        days,
        labels,
        now,
    )
    .await?;
    Ok(CompetitorsView {
        report,
        chart_svg,
        chart_points,
        terms,
    })
}

#[allow(clippy::too_many_arguments)]
async fn build(
    ws: &Workspace,
    set: Option<&str>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    time_zone: Option<String>,
    term: Option<&str>,
    days: (NaiveDate, NaiveDate),
    labels: &ChartLabels,
    now: DateTime<Utc>,
) -> Result<(CompetitorReport, String, u32)> {
    let members = members(ws, set).await?;
    let request = CompareRequest {
        account_ids: members.iter().map(|m| AccountId(m.row.id)).collect(),
        since,
        until,
        time_zone,
    };
    let compared = compare_any(ws, &request, labels, now).await?;
    let figures = members
        .iter()
        .zip(&compared.comparison.accounts)
        .map(|(m, a)| CompetitorFigures {
            account_id: a.account_id,
            role: m.role,
            set: m.set.clone(),
            mean_engagement_per_post: a.interactions.filter(|_| a.posts > 0).map(|i| i / f64::from(a.posts)),
        })
        .collect();
    let share_of_voice = match term {
        Some(term) => Some(share_of_voice(ws, term, &members, days).await?),
        None => None,
    };
    Ok((
        CompetitorReport {
            comparison: compared.comparison,
            figures,
            share_of_voice,
        },
        compared.chart_svg,
        compared.chart_points,
    ))
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or_default()
}

/// The share of voice on `term` of `members` over the UTC days `first..=last`.
async fn share_of_voice(
    ws: &Workspace,
    term: &str,
    members: &[Member],
    (first, last): (NaiveDate, NaiveDate),
) -> Result<ShareOfVoice> {
    let rows = ws
        .store()
        .voice_days(term, midnight(first), midnight(last) + Duration::days(1))
        .await?;
    let mut sums: BTreeMap<Option<i64>, i64> = BTreeMap::new();
    for r in &rows {
        *sums.entry(r.account_id).or_default() += r.count;
    }
    let total_posts = sums.get(&None).copied();
    let accounts = members
        .iter()
        .map(|m| {
            let available = m.row.account.platform == Platform::X;
            let posts = available.then(|| sums.get(&Some(m.row.id)).copied()).flatten();
            let share = match (posts, total_posts) {
                (Some(p), Some(t)) if t > 0 => Some(p as f64 / t as f64),
                _ => None,
            };
            VoiceShare {
                account_id: AccountId(m.row.id),
                label: row_label(&m.row),
                platform: m.row.account.platform,
                role: m.role,
                available,
                posts,
                share,
            }
        })
        .collect();
    Ok(ShareOfVoice {
        term: term.to_string(),
        first_day: first,
        last_day: last,
        total_posts,
        accounts,
    })
}

/// The Competitors view's followers chart as a PNG (the SVG's picture).
///
/// Errors: as [`view`]; rendering errors.
pub async fn chart_png(
    ws: &Workspace,
    request: &CompetitorsRequest,
    labels: &ChartLabels,
    now: DateTime<Utc>,
) -> Result<Vec<u8>> {
    let v = view(ws, request, labels, now).await?;
    crate::views::followers_png(&v.report.comparison, labels)
}

/// The view (as [`view`]) and its file in `format`: CSV (one row per account, the
/// comparison's columns then role, set, mean engagement per post and share of voice),
/// JSON (the [`CompetitorReport`]) or XLSX (sheets `Comparison`, `Daily followers`,
/// `Competitors`); see `alcance_report::competitors::competitors_file`.
///
/// Errors: as [`view`]; writing errors.
pub async fn export(
    ws: &Workspace,
    request: &CompetitorsRequest,
    labels: &ChartLabels,
    format: ExportFormat,
    now: DateTime<Utc>,
) -> Result<(CompetitorsView, Vec<u8>)> {
    let v = view(ws, request, labels, now).await?;
    let bytes = alcance_report::competitors::competitors_file(&v.report, format)
        .with_context(|| format!("writing the competitors as {format}"))?;
    Ok((v, bytes))
}

/// A file name for the export: `competitors-<first day>-<last day>.<ext>` (UTC days).
pub fn file_name(report: &CompetitorReport, format: ExportFormat) -> String {
    let c = &report.comparison;
    let last = c.until - Duration::seconds(1);
    format!(
        "competitors-{}-{}.{}",
        c.since.format("%Y-%m-%d"),
        last.max(c.since).format("%Y-%m-%d"),
        format.extension()
    )
}

/// The weekly report's "Competitors" section for `week` (UTC), best slots in `zone`:
/// the view over the week with the share of voice on the first term over the week's
/// days; `None` when the workspace has no competitors.
///
/// Errors: as [`view`].
pub async fn weekly_section(
    ws: &Workspace,
    week: TimeRange,
    zone: Tz,
    now: DateTime<Utc>,
) -> Result<Option<CompetitorReport>> {
    if ws.store().competitors().await?.is_empty() {
        return Ok(None);
    }
    let term = ws.store().voice_terms(false).await?.into_iter().next().map(|t| t.term);
    let days = (week.start.date_naive(), (week.end - Duration::days(1)).date_naive());
    let (report, _, _) = build(
        ws,
        None,
        Some(week.start),
        Some(week.end),
        Some(zone.name().to_string()),
        term.as_deref(),
        days,
        &ChartLabels::default(),
        now,
    )
    .await?;
    Ok(Some(report))
}

/// After a collection run `run_id` stamped `now` (UTC): collects the share-of-voice terms
/// that are due ([`collect_voice`]) and logs what it did and what failed as the run's
/// events (codes `voice_*`). Never fails.
pub async fn after_collection(ws: &Workspace, run_id: i64, now: DateTime<Utc>) {
    let report = match collect_voice(ws, now).await {
        Ok(r) => r,
        Err(e) => VoiceCollection {
            notes: vec![(EventLevel::Warn, "voice_failed".into(), format!("{e:#}"))],
            ..VoiceCollection::default()
        },
    };
    for (level, code, message) in &report.notes {
        if let Err(e) = ws.store().add_event(run_id, None, *level, code, message, now).await {
            tracing::warn!(run_id, error = %e, "could not record a share-of-voice event");
        }
    }
}

/// Collects the share-of-voice terms not collected yet on `now`'s UTC day: X daily counts
/// of each term in total and `from:` each X account of the view (own X connections and X
/// competitors with a handle), with the X App's bearer token. Each term is stamped
/// collected at `now` once tried. Without competitors, terms or the bearer token nothing
/// is called.
///
/// Errors: store errors reading the terms and accounts; every platform failure is a note.
pub async fn collect_voice(ws: &Workspace, now: DateTime<Utc>) -> Result<VoiceCollection> {
    let today = now.date_naive();
    let due: Vec<VoiceTermRow> = ws
        .store()
        .voice_terms(false)
        .await?
        .into_iter()
        .filter(|t| t.collected_at.is_none_or(|c| c.date_naive() < today))
        .collect();
    let mut report = VoiceCollection {
        due: u32::try_from(due.len()).unwrap_or(u32::MAX),
        ..VoiceCollection::default()
    };
    if due.is_empty() {
        return Ok(report);
    }
    let Some(bearer) = crate::hashtags::x_bearer(ws) else {
        report.notes.push((
            EventLevel::Info,
            "voice_no_x_bearer".into(),
            "share of voice needs the X App's bearer token: `alcance hashtags bearer` or Settings".into(),
        ));
        return Ok(report);
    };
    let x_accounts: Vec<(i64, String)> = members(ws, None)
        .await?
        .into_iter()
        .filter(|m| m.row.account.platform == Platform::X)
        .filter_map(|m| m.row.account.username.clone().map(|u| (m.row.id, u)))
        .collect();
    let x = XClient::new(ws.http().clone(), ws.endpoints().clone());
    for t in &due {
        match count_days(&x, &bearer, &t.term).await {
            Ok(days) => {
                ws.store().save_voice_days(&t.term, None, &days, now).await?;
                report.saved += 1;
            }
            Err(e) => report.notes.push((
                EventLevel::Warn,
                "voice_x_failed".into(),
                format!("X post counts for {}: {e:#}", t.term),
            )),
        }
        for (id, handle) in &x_accounts {
            let query = format!("{} from:{handle}", t.term);
            match count_days(&x, &bearer, &query).await {
                Ok(days) => {
                    ws.store().save_voice_days(&t.term, Some(*id), &days, now).await?;
                    report.saved += 1;
                }
                Err(e) => report.notes.push((
                    EventLevel::Warn,
                    "voice_x_failed".into(),
                    format!("X post counts for {query}: {e:#}"),
                )),
            }
        }
        ws.store().voice_term_collected(&t.term, now).await?;
    }
    report.notes.push((
        EventLevel::Info,
        "voice_collected".into(),
        format!(
            "share of voice: {} term(s) due, {} X count series saved for {} X account(s)",
            report.due,
            report.saved,
            x_accounts.len()
        ),
    ));
    Ok(report)
}

/// The whole UTC days of X's recent counts of `query` (the first, partial bucket of X's
/// 7-day window left out).
async fn count_days(x: &XClient, bearer: &SecretString, query: &str) -> Result<Vec<(DateTime<Utc>, i64)>> {
    let counts = x
        .post_counts_recent(bearer, query, VolumeGranularity::Day, &Recorder::new())
        .await?;
    Ok(counts
        .buckets
        .iter()
        .filter(|b| b.start.duration_trunc(Duration::days(1)).ok() == Some(b.start))
        .map(|b| (b.start, i64::try_from(b.count).unwrap_or(i64::MAX)))
        .collect())
}
