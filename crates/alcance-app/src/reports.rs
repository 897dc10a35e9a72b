//! Reports, campaigns and exports on an open workspace — what `alcance report`,
//! `alcance campaign` and `alcance export` (and the desktop shell) call.
//!
//! - Open the workspace with [`crate::Session::read_only`]: these commands need no token.
//! - Weekly report: [`weekly_report`] reads the store and builds
//!   [`alcance_report::weekly::WeeklyReport`]; [`write_weekly`] also writes
//!   `weekly.xlsx`, `weekly.html` and `weekly.json`.
//! - Campaigns: [`create_campaign`], [`find_campaign`], [`find_account`], [`find_posts`],
//!   [`import_costs`], [`import_conversions`], [`campaign_report`], [`write_campaign`].
//! - Exports: [`export_filter`] turns the user's selection into a [`RowFilter`];
//!   [`export`] writes any [`ExportFormat`] (CSV, JSON, XLSX) with progress.
//!
//! Times are UTC; dates are UTC days. Nothing here reads or writes a token.

use crate::error::{Context, Result};
use crate::workspace::Workspace;
use alcance_core::analytics::best_time::Tz;
use alcance_core::analytics::posts::latest_post_metrics;
use alcance_core::CampaignId;
use alcance_core::Platform;
/// The campaign report [`campaign_report`] builds (`alcance-report`): KPIs per account
/// side by side and for the whole campaign, posts, costs, conversions.
pub use alcance_report::campaign::CampaignReport;
use alcance_report::campaign::{
    campaign_report as build_campaign_report, AccountKey, CampaignConversion, CampaignCost, CampaignData, CampaignInfo,
    CampaignMember,
};
use alcance_report::export::{write_xlsx_from, AccountInfo, ExportCounts, ExportSource, PostInfo};
use alcance_report::weekly::{
    build_weekly, last_complete_week, week_of, write_weekly_report, ReportFiles, TagVolume, VoiceComment, VoicesInput,
    WeeklyInput, WeeklyOptions, WeeklyReport,
};
use alcance_store::campaigns::{CampaignRow, ImportReport, NewCampaign};
use alcance_store::{AccountRow, PostRow, RowFilter};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Largest CSV file [`import_costs`] / [`import_conversions`] read, bytes (64 MiB).
pub const MAX_IMPORT_BYTES: u64 = 64 * 1024 * 1024;

/// Which weekly report to build.
#[derive(Debug, Clone)]
pub struct WeeklyRequest {
    /// A day of the week to report (Monday–Sunday, UTC); `None` → the last complete week
    /// before `now`.
    pub week_of: Option<NaiveDate>,
    /// Time zone of the best-time heatmap (weekday and hour of publication).
    pub time_zone: Tz,
    /// "Now", UTC: the report's timestamp and the reference of the default week.
    pub now: DateTime<Utc>,
    /// Report settings.
    pub options: WeeklyOptions,
}

impl WeeklyRequest {
    /// The last complete week before `now`, heatmap in
    /// [`alcance_core::analytics::DEFAULT_TIME_ZONE`], default options.
    pub fn last_week(now: DateTime<Utc>) -> WeeklyRequest {
        WeeklyRequest {
            week_of: None,
            time_zone: alcance_core::analytics::DEFAULT_TIME_ZONE,
            now,
            options: WeeklyOptions::default(),
        }
    }
}

/// The export's account list (`accounts` of the JSON bundle and the XLSX sheet).
pub(crate) fn account_infos(accounts: &[AccountRow]) -> Vec<AccountInfo> {
    accounts
        .iter()
        .map(|a| AccountInfo {
            platform: a.account.platform,
            user_id: a.account.external_id.clone(),
            username: a.account.username.clone(),
            display_name: a.display_name.clone(),
            owned: a.account.owned,
            status: a.status.to_string(),
        })
        .collect()
}

/// A stored post as the exports list it (`posts` of the JSON bundle and the XLSX sheet).
pub(crate) fn post_info(p: PostRow) -> PostInfo {
    PostInfo {
        platform: p.platform,
        user_id: p.user_id,
        post_id: p.external_id,
        content_type: p.content_type.as_key().to_string(),
        published_at: p.published_at,
        permalink: p.permalink,
        caption: p.caption,
    }
}

/// Builds the weekly report of every account of the workspace (see
/// [`alcance_report::weekly`] for what it holds). Reads account rows of the history the
/// report needs (90 days by default) and every post snapshot up to the settle time
/// ([`alcance_report::weekly::posts_as_of`]).
pub async fn weekly_report(ws: &Workspace, request: &WeeklyRequest) -> Result<WeeklyReport> {
    let week = match request.week_of {
        Some(day) => week_of(day),
        None => last_complete_week(request.now),
    };
    let options = &request.options;
    let history_days = [
        options.best_time.window_days,
        options.trend_days,
        options.content_days,
        options.thresholds.growth_weeks.saturating_mul(7) + 7,
        14,
    ]
    .into_iter()
    .max()
    .unwrap_or(90);
    let since = week.end - TimeDelta::days(i64::from(history_days) + 1);
    let store = ws.store();
    let accounts = store.list_accounts().await?;
    let account_rows = store
        .account_metric_rows(&RowFilter {
            since: Some(since),
            until: Some(week.end),
            ..RowFilter::default()
        })
        .await
        .context("reading account metrics")?;
    // The snapshots the report can use: up to its settle time (inclusive; the store's
    // bound is exclusive, hence the extra second), and from before the trend's first day
    // only the values each post and metric carries into it (not the workspace's whole
    // history: issue 16, the demo's memory).
    let as_of = alcance_report::weekly::posts_as_of(week.end, request.now, options);
    let post_rows = store
        .post_metric_rows_carried(&RowFilter {
            since: Some(alcance_report::weekly::posts_read_from(week.end, options)),
            until: Some(as_of + TimeDelta::seconds(1)),
            ..RowFilter::default()
        })
        .await
        .context("reading post metrics")?;
    let posts: Vec<PostInfo> = store
        .posts(&RowFilter {
            since: Some(since),
            until: Some(week.end),
            ..RowFilter::default()
        })
        .await
        .context("reading posts")?
        .into_iter()
        .map(post_info)
        .collect();
    let infos = account_infos(&accounts);
    let voices = weekly_voices(ws, week).await?;
    let mut report = build_weekly(&WeeklyInput {
        week,
        time_zone: request.time_zone,
        generated_at: request.now,
        accounts: &infos,
        account_rows: &account_rows,
        post_rows: &post_rows,
        posts: &posts,
        options,
        voices: &voices,
    });
    report.competitors = crate::competitors::weekly_section(ws, week, request.time_zone, request.now)
        .await
        .context("building the weekly report's Competitors section")?;
    Ok(report)
}

/// The weekly report's comments (this week and the week before, deleted ones included:
/// they were received) and the tracked hashtags' X volume over the week (day buckets).
async fn weekly_voices(ws: &Workspace, week: alcance_core::analytics::posts::TimeRange) -> Result<VoicesInput> {
    use crate::comments::{list, CommentFilter, MAX_PAGE};
    let filter = CommentFilter {
        since: Some(week.previous().start),
        until: Some(week.end),
        include_deleted: true,
        ..CommentFilter::default()
    };
    let mut comments = Vec::new();
    let mut after = None;
    loop {
        let page = list(ws, &filter, after, MAX_PAGE).await.context("reading comments")?;
        comments.extend(page.items.into_iter().map(|c| VoiceComment {
            platform: c.platform,
            kind: c.kind,
            created_at: c.created_at,
            label: c.sentiment_label,
            like_count: c.like_count,
            author_handle: c.author_handle,
            text: c.text,
        }));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let store = ws.store();
    let mut tag_volume = Vec::new();
    for tag in store
        .tracked_hashtags(false)
        .await
        .context("reading tracked hashtags")?
    {
        let rows = store
            .hashtag_volume(&tag.tag, week.start)
            .await
            .context("reading hashtag volume")?;
        let days: Vec<_> = rows
            .iter()
            .filter(|r| {
                r.platform == Platform::X
                    && r.granularity == alcance_core::VolumeGranularity::Day
                    && week.contains(r.bucket_start)
            })
            .collect();
        if !days.is_empty() {
            tag_volume.push(TagVolume {
                hashtag: tag.tag.clone(),
                posts: days.iter().map(|r| r.count as f64).sum(),
            });
        }
    }
    Ok(VoicesInput { comments, tag_volume })
}

/// Builds the weekly report and writes `weekly.xlsx`, `weekly.html`, `weekly.json` and
/// `weekly.pdf` (English) into `out` (created if missing; files replaced atomically).
pub async fn write_weekly(ws: &Workspace, request: &WeeklyRequest, out: &Path) -> Result<(WeeklyReport, ReportFiles)> {
    let report = weekly_report(ws, request).await?;
    let dir = out.to_path_buf();
    let (report, files) = tokio::task::spawn_blocking(move || {
        let files = write_weekly_report(&report, &dir);
        (report, files)
    })
    .await
    .context("writing the weekly report")?;
    let files = files.with_context(|| format!("writing the weekly report into {}", out.display()))?;
    Ok((report, files))
}

/// The report file formats and the PDF's languages (`alcance-report`).
pub use alcance_report::pdf::PdfLanguage;
pub use alcance_report::ReportFormat;

/// Builds the weekly report and renders it as one file in `format` (the PDF's words in
/// `lang`), for a download or `alcance report weekly --format F --out FILE`.
pub async fn weekly_file(
    ws: &Workspace,
    request: &WeeklyRequest,
    format: ReportFormat,
    lang: PdfLanguage,
) -> Result<(WeeklyReport, Vec<u8>)> {
    let report = weekly_report(ws, request).await?;
    let (report, bytes) = tokio::task::spawn_blocking(move || {
        let bytes = alcance_report::weekly::weekly_file(&report, format, lang);
        (report, bytes)
    })
    .await
    .context("rendering the weekly report")?;
    let bytes = bytes.with_context(|| format!("rendering the weekly report as {format}"))?;
    Ok((report, bytes))
}

/// Builds a campaign's report and renders it as one file in `format` (the PDF's words in
/// `lang`; its moments — made, published — in `zone`, see [`CampaignReport::time_zone`]).
pub async fn campaign_file(
    ws: &Workspace,
    campaign_id: CampaignId,
    now: DateTime<Utc>,
    zone: Tz,
    format: ReportFormat,
    lang: PdfLanguage,
) -> Result<(CampaignReport, Vec<u8>)> {
    let report = campaign_report(ws, campaign_id, now).await?.in_time_zone(zone);
    let (report, bytes) = tokio::task::spawn_blocking(move || {
        let bytes = alcance_report::campaign::campaign_file(&report, format, lang);
        (report, bytes)
    })
    .await
    .context("rendering the campaign report")?;
    let bytes = bytes.with_context(|| format!("rendering the campaign report as {format}"))?;
    Ok((report, bytes))
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so
/// an existing file is replaced whole or not at all.
pub async fn write_report_file(path: &Path, bytes: Vec<u8>) -> Result<()> {
    let target = path.to_path_buf();
    tokio::task::spawn_blocking(move || crate::atomic::write_bytes_atomically(&target, &bytes))
        .await
        .context("writing the report file")?
}

/// Creates a campaign. Errors: a name already in use, a bad currency, budget or dates.
pub async fn create_campaign(ws: &Workspace, campaign: &NewCampaign) -> Result<CampaignRow> {
    let id = ws
        .store()
        .create_campaign(campaign)
        .await
        .with_context(|| format!("creating campaign {:?}", campaign.name))?;
    Ok(ws.store().campaign(id).await?)
}

/// The campaign named `spec` (case-insensitive), else the one whose id is `spec`.
/// Errors: no such campaign (the message lists the existing ones).
pub async fn find_campaign(ws: &Workspace, spec: &str) -> Result<CampaignRow> {
    let store = ws.store();
    if let Some(c) = store.campaign_by_name(spec).await? {
        return Ok(c);
    }
    if let Ok(id) = spec.trim().trim_start_matches('#').parse::<i64>() {
        if let Ok(c) = store.campaign(id).await {
            return Ok(c);
        }
    }
    let all = store.list_campaigns().await?;
    if all.is_empty() {
        crate::bail_app!("no campaign {spec:?}: there is none yet (`alcance campaign create NAME --start YYYY-MM-DD`)");
    }
    crate::bail_app!(
        "no campaign {spec:?}; the campaigns are: {}",
        all.iter()
            .map(|c| format!("{} ({})", c.name, c.id))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The account named by `spec`: its store id, `@username` / `username`
/// (case-insensitive) or the platform's account id, optionally on one platform.
/// Errors: none or several match (the message says how to choose).
pub async fn find_account(ws: &Workspace, spec: &str, platform: Option<Platform>) -> Result<AccountRow> {
    let all = ws.store().list_accounts().await?;
    let spec = spec.trim();
    let name = spec.trim_start_matches('@');
    let by_id = spec.parse::<i64>().ok();
    let found: Vec<&AccountRow> = all
        .iter()
        .filter(|a| platform.is_none_or(|p| p == a.account.platform))
        .filter(|a| {
            Some(a.id) == by_id
                || a.account.external_id == name
                || a.account
                    .username
                    .as_deref()
                    .is_some_and(|u| u.eq_ignore_ascii_case(name))
        })
        .collect();
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => crate::bail_app!("no account {spec:?}; `alcance status` lists them"),
        many => crate::bail_app!(
            "{spec:?} matches {} accounts ({}); use the account id",
            many.len(),
            many.iter()
                .map(|a| format!(
                    "id {} = {} on {}",
                    a.id,
                    a.account.username.as_deref().unwrap_or(&a.account.external_id),
                    a.account.platform.label()
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The post named by `spec`: the platform's post id, or its permalink (`https://…`),
/// optionally on one platform. Errors: none or several match.
pub async fn find_post(ws: &Workspace, spec: &str, platform: Option<Platform>) -> Result<PostRow> {
    let spec = spec.trim();
    let found: Vec<PostRow> = if spec.starts_with("http://") || spec.starts_with("https://") {
        let wanted = spec.trim_end_matches('/');
        ws.store()
            .posts(&RowFilter {
                platforms: platform.into_iter().collect(),
                ..RowFilter::default()
            })
            .await?
            .into_iter()
            .filter(|p| {
                p.permalink
                    .as_deref()
                    .is_some_and(|l| l.trim_end_matches('/') == wanted)
            })
            .collect()
    } else {
        ws.store().find_posts(spec, platform).await?
    };
    match found.len() {
        1 => found
            .into_iter()
            .next()
            .ok_or_else(|| crate::app_err!("no post {spec:?}")),
        0 => crate::bail_app!("no post {spec:?} in the workspace (use the platform's post id or its link)"),
        n => crate::bail_app!("{spec:?} matches {n} posts on different platforms; add --platform"),
    }
}

fn read_import(path: &Path) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    if meta.len() > MAX_IMPORT_BYTES {
        crate::bail_app!(
            "{} is {} MiB; imports are limited to {} MiB (split the file)",
            path.display(),
            meta.len() / (1024 * 1024),
            MAX_IMPORT_BYTES / (1024 * 1024)
        );
    }
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

/// Imports a costs CSV into campaign `campaign_id` (format:
/// `alcance_store::campaigns` module docs). Bad lines come back in
/// [`ImportReport::errors`]; the good ones are written in one transaction.
pub async fn import_costs(ws: &Workspace, campaign_id: CampaignId, path: &Path) -> Result<ImportReport> {
    let campaign_id = campaign_id.get();
    let bytes = read_import(path)?;
    ws.store()
        .import_costs_csv(campaign_id, &bytes)
        .await
        .with_context(|| format!("importing costs from {}", path.display()))
}

/// Imports a conversions CSV (e.g. UTM-tagged sales) into campaign `campaign_id`; as
/// [`import_costs`].
pub async fn import_conversions(ws: &Workspace, campaign_id: CampaignId, path: &Path) -> Result<ImportReport> {
    let campaign_id = campaign_id.get();
    let bytes = read_import(path)?;
    ws.store()
        .import_conversions_csv(campaign_id, &bytes)
        .await
        .with_context(|| format!("importing conversions from {}", path.display()))
}

/// Builds the report of campaign `campaign_id` (see [`alcance_report::campaign`]) with
/// the posts' latest lifetime totals.
pub async fn campaign_report(ws: &Workspace, campaign_id: CampaignId, now: DateTime<Utc>) -> Result<CampaignReport> {
    let campaign_id = campaign_id.get();
    let store = ws.store();
    let c = store.campaign(campaign_id).await?;
    let members = store.campaign_accounts(campaign_id).await?;
    let rows = store.campaign_post_metric_rows(campaign_id).await?;
    let mut posts = latest_post_metrics(&rows, None);
    // Posts in the campaign with no snapshot yet still count as posts.
    let listed = store.campaign_posts(campaign_id).await?;
    for p in listed.iter().cloned() {
        let known = posts
            .iter()
            .any(|m| m.platform == p.platform && m.user_id == p.user_id && m.post_id == p.external_id);
        if !known {
            posts.push(alcance_core::analytics::posts::PostMetrics {
                platform: p.platform,
                user_id: p.user_id,
                post_id: p.external_id,
                content_type: p.content_type.as_key().to_string(),
                published_at: p.published_at,
                metrics: Default::default(),
                collected_at: None,
                followers: None,
            });
        }
    }
    let keys: HashMap<i64, AccountKey> = store
        .list_accounts()
        .await?
        .into_iter()
        .map(|a| {
            (
                a.id,
                AccountKey {
                    platform: a.account.platform,
                    user_id: a.account.external_id,
                },
            )
        })
        .collect();
    let key = |id: Option<i64>| id.and_then(|id| keys.get(&id).cloned());
    let data = CampaignData {
        campaign: CampaignInfo {
            id: c.id,
            name: c.name.clone(),
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            budget: c.budget,
            currency: c.currency.clone(),
            goal: c.goal.as_str().to_string(),
        },
        members: members
            .iter()
            .map(|m| CampaignMember {
                account: AccountKey {
                    platform: m.platform,
                    user_id: m.external_id.clone(),
                },
                username: m.username.clone(),
                role: m.role.as_str().to_string(),
            })
            .collect(),
        posts,
        costs: store
            .costs(campaign_id)
            .await?
            .into_iter()
            .map(|x| CampaignCost {
                date: x.spent_on,
                amount: x.amount,
                currency: x.currency,
                account: key(x.account_id),
                note: x.note,
            })
            .collect(),
        conversions: store
            .conversions(campaign_id)
            .await?
            .into_iter()
            .map(|x| CampaignConversion {
                date: x.converted_on,
                count: x.count,
                revenue: x.revenue,
                currency: x.currency,
                account: key(x.account_id),
                utm_campaign: x.utm_campaign,
                utm_source: x.utm_source,
            })
            .collect(),
    };
    let mut report = build_campaign_report(&data, now);
    crate::media::attach_pictures(ws, &mut report, &listed).await?;
    // The comments and replies on the campaign's posts, whenever written.
    let points = store
        .comment_sentiments(&crate::comments::CommentFilter {
            campaign_id: Some(campaign_id),
            ..crate::comments::CommentFilter::default()
        })
        .await?;
    report.sentiment = Some(alcance_core::sentiment::SentimentShare::of(
        points.into_iter().map(|p| p.label),
    ));
    Ok(report)
}

/// Builds the campaign report and writes `campaign-<id>.xlsx`, `.html`, `.json` and `.pdf`
/// (English) into `out`, its moments in `zone`.
pub async fn write_campaign(
    ws: &Workspace,
    campaign_id: CampaignId,
    now: DateTime<Utc>,
    zone: Tz,
    out: &Path,
) -> Result<(CampaignReport, ReportFiles)> {
    let report = campaign_report(ws, campaign_id, now).await?.in_time_zone(zone);
    let dir = out.to_path_buf();
    let (report, files) = tokio::task::spawn_blocking(move || {
        let files = alcance_report::campaign::write_campaign_report(&report, &dir);
        (report, files)
    })
    .await
    .context("writing the campaign report")?;
    let files = files.with_context(|| format!("writing the campaign report into {}", out.display()))?;
    Ok((report, files))
}

/// The export file formats: the one list of `alcance-report` ([`ExportFormat::ALL`]),
/// with its key, label, extension and MIME type; [`export`] writes its
/// [`parts`](ExportFormat::parts).
pub use alcance_report::export::{posts_csv_path, ExportFormat, UnknownExportFormat};

/// What to export. Empty lists mean "all".
#[derive(Debug, Clone, Default)]
pub struct ExportSelection {
    /// Accounts by store id, `@username` or platform account id.
    pub accounts: Vec<String>,
    /// Platforms.
    pub platforms: Vec<Platform>,
    /// First day, UTC, inclusive.
    pub since: Option<NaiveDate>,
    /// Last day, UTC, inclusive (`--until 2026-03-31` includes March 31).
    pub until: Option<NaiveDate>,
}

/// Turns a selection into the store's [`RowFilter`]: accounts resolved to store ids
/// ([`find_account`], restricted to the selected platforms), `since` → that day 00:00 UTC,
/// `until` → the next day 00:00 UTC (exclusive). The bounds apply to `period_start` of
/// account metrics, `collected_at` of post metrics and audience, `published_at` of posts.
///
/// Errors: an unknown or ambiguous account, `until` before `since`.
pub async fn export_filter(ws: &Workspace, selection: &ExportSelection) -> Result<RowFilter> {
    if let (Some(a), Some(b)) = (selection.since, selection.until) {
        if b < a {
            crate::bail_app!("--until {b} is before --since {a}");
        }
    }
    let mut account_ids = Vec::new();
    for spec in &selection.accounts {
        let platform = match selection.platforms.as_slice() {
            [one] => Some(*one),
            _ => None,
        };
        let a = find_account(ws, spec, platform).await?;
        account_ids.push(a.id);
    }
    account_ids.sort_unstable();
    account_ids.dedup();
    let midnight = |d: NaiveDate| d.and_time(chrono::NaiveTime::MIN).and_utc();
    Ok(RowFilter {
        platforms: selection.platforms.clone(),
        account_ids,
        since: selection.since.map(midnight),
        until: selection.until.map(|d| midnight(d) + TimeDelta::days(1)),
        ..RowFilter::default()
    })
}

/// Progress of [`export`].
#[derive(Debug, Clone, PartialEq)]
pub enum ExportStep {
    /// Reading rows from the database: the files are written as the rows come, so this
    /// lasts until the last [`ExportStep::Wrote`]; the row counts are in [`ExportOutcome`].
    Reading,
    /// Writing a file.
    Writing(PathBuf),
    /// Bytes written to the current file so far (CSV and JSON; the XLSX writer reports
    /// only when done).
    Bytes(u64),
    /// A file is complete.
    Wrote(PathBuf),
}

/// What [`export`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportOutcome {
    /// The files, in writing order.
    pub files: Vec<PathBuf>,
    /// Account metric rows exported.
    pub account_rows: usize,
    /// Post metric rows exported.
    pub post_rows: usize,
}

/// A writer that reports how many bytes went through it (at most every 4 MiB).
struct Counting<W, F: Fn(u64)> {
    inner: W,
    written: u64,
    reported: u64,
    on: F,
}

impl<W: Write, F: Fn(u64)> Write for Counting<W, F> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        if self.written - self.reported >= 4 * 1024 * 1024 {
            self.reported = self.written;
            (self.on)(self.written);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes `path` atomically (see [`crate::atomic::write_atomically`]), reporting the
/// file and the bytes written to `on`; on failure `path` is untouched.
fn write_file(
    path: &Path,
    on: &(dyn Fn(ExportStep) + Send + Sync),
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    on(ExportStep::Writing(path.to_path_buf()));
    crate::atomic::write_atomically(path, |inner| {
        let mut counting = Counting {
            inner,
            written: 0,
            reported: 0,
            on: |n| on(ExportStep::Bytes(n)),
        };
        write(&mut counting)?;
        counting.flush()?;
        on(ExportStep::Bytes(counting.written));
        Ok(())
    })?;
    on(ExportStep::Wrote(path.to_path_buf()));
    Ok(())
}

/// Exports the rows matching `filter` as `format` to `out` (replaced atomically; CSV also
/// writes [`posts_csv_path`]). The JSON and XLSX list only the accounts the filter keeps.
/// `on` receives progress. The rows are read from the store in keyset pages while the
/// files are written (on Tokio's blocking pool), so memory stays flat whatever the row
/// count; the files are the same as those of the whole selection read at once.
///
/// Writes an `export` line to the audit log (`people::audit_log`) without an actor (the
/// desktop or CLI user); [`export_by`] names one.
///
/// Errors: reading the store, writing the files (a full disk leaves no partial file).
pub async fn export(
    ws: &Workspace,
    format: ExportFormat,
    filter: &RowFilter,
    out: &Path,
    on: &(dyn Fn(ExportStep) + Send + Sync),
) -> Result<ExportOutcome> {
    export_by(ws, None, format, filter, out, on).await
}

/// [`export`] on behalf of `actor` (an email: the signed-in caller of `alcance serve`),
/// who is named in the audit log line.
///
/// Errors: as [`export`].
pub async fn export_by(
    ws: &Workspace,
    actor: Option<&str>,
    format: ExportFormat,
    filter: &RowFilter,
    out: &Path,
    on: &(dyn Fn(ExportStep) + Send + Sync),
) -> Result<ExportOutcome> {
    on(ExportStep::Reading);
    let kept: Vec<AccountRow> = ws
        .store()
        .list_accounts()
        .await?
        .into_iter()
        .filter(|a| filter.platforms.is_empty() || filter.platforms.contains(&a.account.platform))
        .filter(|a| filter.account_ids.is_empty() || filter.account_ids.contains(&a.id))
        .collect();
    let source =
        crate::export_source::StoreSource::new(ws.store().clone(), filter.clone(), account_infos(&kept), Utc::now());
    // The writer runs on the blocking pool and reports its steps through a channel; this
    // task passes them on to `on` until the writer is done.
    let (steps, mut received) = tokio::sync::mpsc::unbounded_channel();
    let target = out.to_path_buf();
    let writer = tokio::task::spawn_blocking(move || {
        write_parts(&source, format, &target, &|step| {
            let _ = steps.send(step);
        })
    });
    while let Some(step) = received.recv().await {
        on(step);
    }
    let (files, counts) = writer.await.context("writing the export")??;
    // The audit log of a served workspace keeps every export (who: the caller's own log
    // line when it knows; here the desktop or CLI user). A failed audit write never fails
    // the export.
    let detail = format!(
        "{format:?}: {} account rows, {} post rows, accounts {:?}",
        counts.account_metrics, counts.post_metrics, filter.account_ids
    );
    if let Err(e) = crate::people::audit(ws, actor, "export", None, crate::people::Outcome::Ok, Some(&detail)).await {
        tracing::warn!(error = %e.message(), "could not write the export to the audit log");
    }
    Ok(ExportOutcome {
        files,
        account_rows: counts.account_metrics,
        post_rows: counts.post_metrics,
    })
}

/// Writes the parts of `format` for `out` from `source`, reporting to `on`; returns the
/// files in order and the rows written (the account and post metric rows of the whole
/// export, whichever part held them). Blocking.
fn write_parts(
    source: &dyn ExportSource,
    format: ExportFormat,
    out: &Path,
    on: &(dyn Fn(ExportStep) + Send + Sync),
) -> Result<(Vec<PathBuf>, ExportCounts)> {
    let mut files = Vec::new();
    let mut counts = ExportCounts::default();
    for part in format.parts() {
        let path = part.path(out);
        let wrote = if part.streams() {
            let mut wrote = ExportCounts::default();
            write_file(&path, on, |w| {
                wrote = part.write_to(source, w)?;
                Ok(())
            })?;
            wrote
        } else {
            if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            }
            on(ExportStep::Writing(path.clone()));
            let wrote = write_xlsx_from(source, &path).with_context(|| format!("writing {}", path.display()))?;
            on(ExportStep::Wrote(path.clone()));
            wrote
        };
        counts.account_metrics += wrote.account_metrics;
        counts.post_metrics += wrote.post_metrics;
        files.push(path);
    }
    Ok((files, counts))
}
