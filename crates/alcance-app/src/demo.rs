//! `alcance demo`: the whole path on the sandbox — OAuth, 90 days of daily collection,
//! SQLite, charts and exports — with no credentials and no network beyond 127.0.0.1.
//!
//! See docs/adr/0001-demo-workspace-and-sandbox-control.md for why the demo drives the
//! sandbox clock through 90 daily collections.

use crate::error::{Context, Result};
use crate::workspace::{ExportPaths, Workspace};
use alcance_collector::{Progress, RunKind};
use alcance_core::Platform;
use alcance_platforms::oauth::{HeadlessBrowser, OAuthApp, RedirectConfig};
use alcance_platforms::registry::{self, ConnectKind};
use alcance_platforms::CollectWindow;
use alcance_sandbox::{Mode, Sandbox, SandboxConfig};
use alcance_store::RowFilter;
use chrono::{DateTime, Duration as ChronoDuration, DurationRound, Utc};
use secrecy::SecretString;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use url::Url;

/// The passphrase of the demo workspace's encrypted token file. The demo only ever holds
/// sandbox tokens, which open nothing outside this machine; real workspaces use the OS
/// keychain or a passphrase the user chooses.
pub const DEMO_VAULT_PASSPHRASE: &str = "alcance-demo-workspace";

/// Days of daily collection the demo replays on the seeded sandbox.
pub const DEMO_DAYS: i64 = 90;

/// Options of `alcance demo`.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Output folder: `alcance.db`, `exports/`, `charts/`.
    pub out: PathBuf,
    /// A running sandbox to use (seeded or replaying); `None` starts one in-process.
    pub sandbox_url: Option<Url>,
    /// Days of daily collection on a seeded sandbox.
    pub days: i64,
}

/// What the demo reports as it goes.
#[derive(Debug, Clone)]
pub enum DemoEvent {
    /// A step started (`"Starting the sandbox"`, `"Connecting X"`).
    Step(String),
    /// The daily collections are about to run: this many.
    CollectionsPlanned(u64),
    /// One collection (one simulated day) finished.
    CollectionDone {
        /// The simulated day, UTC.
        day: DateTime<Utc>,
        /// Metric values written in it.
        metrics: usize,
        /// Accounts that failed in it.
        failed: usize,
    },
    /// Progress inside a collection.
    Run(Progress),
}

/// One account line of the demo summary.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountLine {
    /// Platform.
    pub platform: Platform,
    /// Handle or id.
    pub name: String,
    /// Connected through OAuth (`true`) or tracked with the owner's token.
    pub owned: bool,
    /// How it is connected (OAuth, a pasted token, an app password, tracked).
    pub connection: alcance_core::ConnectionKind,
    /// Latest `followers` snapshot.
    pub followers: Option<f64>,
    /// Posts stored.
    pub posts: usize,
    /// Metric rows stored (account + post).
    pub metric_rows: usize,
    /// Account status (`active`, `needs_reauth`).
    pub status: String,
}

/// What the demo produced.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    /// The database file.
    pub database: PathBuf,
    /// Export files.
    pub exports: ExportPaths,
    /// Chart files (SVG and PNG).
    pub charts: Vec<PathBuf>,
    /// Per-account lines.
    pub accounts: Vec<AccountLine>,
    /// Collections run.
    pub collections: usize,
    /// Accounts that failed across all collections (0 on the seeded sandbox).
    pub account_failures: usize,
    /// `"seeded"` or `"replay"`.
    pub sandbox_mode: String,
    /// Wall time of the whole demo.
    pub elapsed: Duration,
    /// The posts' media (`post_media`) by status: pictures kept in `<out>/media/`, too
    /// large, expired, and videos' URLs (`remote`).
    pub media: Vec<(alcance_core::MediaStatus, i64)>,
    /// The weekly report's scheduled delivery to Google Sheets (seeded sandbox only).
    pub sheets: Option<SheetsDelivery>,
}

/// What the demo's Google Sheets delivery wrote.
#[derive(Debug, Clone)]
pub struct SheetsDelivery {
    /// The spreadsheet's link (on the sandbox: its id in Google's URL form).
    pub link: String,
    /// The tab written: the ISO week, `2026-W49`.
    pub tab: String,
    /// Rows written to the tab (counts), read back through `values.get`.
    pub rows: usize,
    /// The tab's rows as read back, saved as CSV beside the other reports.
    pub file: PathBuf,
}

#[derive(Debug, Deserialize)]
struct Manifest {
    mode: String,
    accounts: Vec<ManifestAccount>,
}

#[derive(Debug, Deserialize)]
struct WhatsAppGrant {
    access_token: String,
    waba_id: String,
}

/// The sandbox's `GET /__alcance/threads-token` answer: a long-lived token, as Meta's
/// User Token Generator gives one.
#[derive(Debug, Deserialize)]
struct ThreadsGrant {
    access_token: String,
}

#[derive(Debug, Deserialize)]
struct ManifestAccount {
    platform: String,
    external_id: String,
    username: Option<String>,
    owned: bool,
}

/// Runs the demo. `on_event` gets progress for a bar or a log.
///
/// Errors: the sandbox cannot be started or reached, the output folder is not writable,
/// OAuth against the sandbox fails. Per-account collection errors do not stop the demo;
/// they are counted in [`DemoSummary::account_failures`] and logged in `run_events`.
pub async fn run(options: DemoOptions, on_event: &(dyn Fn(DemoEvent) + Send + Sync)) -> Result<DemoSummary> {
    let started = Instant::now();
    std::fs::create_dir_all(&options.out).with_context(|| format!("creating {}", options.out.display()))?;
    reset_workspace_files(&options.out)?;

    on_event(DemoEvent::Step("Starting the sandbox".into()));
    let (sandbox, base) = match &options.sandbox_url {
        Some(url) => (None, url.clone()),
        None => {
            let sandbox = Sandbox::start(SandboxConfig {
                mode: Mode::Seeded { seed: 42 },
                bind: "127.0.0.1:0".parse().context("loopback address")?,
            })
            .await
            .context("starting the in-process sandbox")?;
            // The sandbox's rate windows are windows of real time (Reddit's 1,000
            // requests per 10 minutes, X's 15-minute windows), while the demo collects
            // 90 simulated days in seconds: the governor would pace Reddit's three
            // accounts to about one request per 0.6 s and the demo would spend three
            // minutes waiting. The governor's pacing has its own tests against the
            // sandbox with limits on.
            sandbox.state().set_limits_enabled(false);
            let base = sandbox.base_url();
            (Some(sandbox), base)
        }
    };
    let result = run_on(&options, &base, on_event).await;
    if let Some(sandbox) = sandbox {
        sandbox.shutdown().await;
    }
    let mut summary = result?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

async fn run_on(
    options: &DemoOptions,
    base: &Url,
    on_event: &(dyn Fn(DemoEvent) + Send + Sync),
) -> Result<DemoSummary> {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
    let manifest: Manifest = http
        .get(control(base, "accounts")?)
        .send()
        .await
        .with_context(|| format!("reaching the sandbox at {base}"))?
        .error_for_status()?
        .json()
        .await
        .context("reading the sandbox's account manifest")?;

    let ws = crate::session::Session::demo_at(&options.out, base).await?;
    // The demo's audience data comes from the sandbox, about no real person: consent is
    // recorded explicitly, saying so, so its charts and exports keep audience data.
    ws.store()
        .grant_audience_consent(
            &alcance_store::privacy::ConsentText {
                version: crate::privacy::DEMO_CONSENT_VERSION,
                language: "en",
                text: crate::privacy::DEMO_CONSENT_TEXT,
            },
            "alcance demo",
            Utc::now(),
        )
        .await?;

    // Connect the owned account of each platform through its real connect path.
    let mut owners = Vec::new();
    for platform in Platform::ALL {
        if !manifest
            .accounts
            .iter()
            .any(|a| a.platform == platform.as_str() && a.owned)
        {
            continue;
        }
        let descriptor = registry::get(platform);
        let how = match descriptor.connect {
            ConnectKind::AccessToken => "system-user token, validated",
            ConnectKind::FacebookPages => "Facebook Login, long-lived token, Page tokens",
            ConnectKind::OauthLoopback => "OAuth 2.0 + PKCE, loopback redirect",
            ConnectKind::AppPassword => "app password, session in the vault",
            ConnectKind::HttpsRedirect => "long-lived token, validated",
        };
        on_event(DemoEvent::Step(format!("Connecting {} ({how})", platform.label())));
        let app = demo_app(platform);
        let browser = HeadlessBrowser::new();
        let timeout = Duration::from_secs(30);
        let context = || format!("connecting the demo {} account", platform.label());
        match descriptor.connect {
            ConnectKind::FacebookPages => owners.extend(
                ws.connect_facebook(&app, &browser, timeout)
                    .await
                    .with_context(context)?,
            ),
            ConnectKind::AccessToken => {
                let grant: WhatsAppGrant = http
                    .get(control(base, "whatsapp-token")?)
                    .send()
                    .await
                    .context("asking the sandbox for a WhatsApp system-user token")?
                    .error_for_status()?
                    .json()
                    .await
                    .context("reading the sandbox's WhatsApp token")?;
                let token = SecretString::from(grant.access_token);
                owners.push(ws.connect_whatsapp(token, &grant.waba_id).await.with_context(context)?);
            }
            ConnectKind::AppPassword => {
                let handle = manifest
                    .accounts
                    .iter()
                    .find(|a| a.platform == platform.as_str() && a.owned)
                    .and_then(|a| a.username.clone())
                    .ok_or_else(|| crate::app_err!("the sandbox lists no {} handle", platform.label()))?;
                let password = SecretString::from(DEMO_APP_PASSWORD.to_string());
                owners.push(ws.connect_bluesky(&handle, password).await.with_context(context)?);
            }
            ConnectKind::HttpsRedirect => {
                let grant: ThreadsGrant = http
                    .get(control(base, "threads-token")?)
                    .send()
                    .await
                    .context("asking the sandbox for a Threads long-lived token")?
                    .error_for_status()?
                    .json()
                    .await
                    .context("reading the sandbox's Threads token")?;
                let token = SecretString::from(grant.access_token);
                owners.push(ws.connect_threads_token(token).await.with_context(context)?);
            }
            ConnectKind::OauthLoopback => {
                let account = ws.connect(&app, &browser, timeout).await.with_context(context)?;
                if platform == Platform::Tiktok {
                    // The sandbox's API for Business accepts the Display token; a real
                    // account connects Business separately (tt_user OAuth).
                    ws.use_display_token_for_tiktok_business(&account)?;
                }
                owners.push(account);
            }
        }
    }
    // Track the other public profiles of the manifest with their platform owner's token
    // (X, Instagram, Facebook Pages, YouTube channels, Bluesky and Reddit users and
    // subreddits can be read that way; TikTok's Display API and WhatsApp only read the
    // token's own account).
    for m in &manifest.accounts {
        let Ok(platform) = m.platform.parse::<Platform>() else {
            continue;
        };
        if !matches!(
            platform,
            Platform::X
                | Platform::Instagram
                | Platform::Facebook
                | Platform::Youtube
                | Platform::Bluesky
                | Platform::Reddit
        ) {
            continue;
        }
        let Some(owner) = owners.iter().find(|o| o.account.platform == platform) else {
            continue;
        };
        if owners
            .iter()
            .any(|o| o.account.platform == platform && o.account.external_id == m.external_id)
            || (m.owned && owner.account.username.is_some() && owner.account.username == m.username)
        {
            continue;
        }
        on_event(DemoEvent::Step(format!(
            "Tracking {} {}",
            platform.label(),
            m.username.as_deref().unwrap_or(&m.external_id)
        )));
        ws.track(platform, &m.external_id, m.username.as_deref(), owner).await?;
    }

    // Collect: 90 simulated days on a seeded sandbox, one pass on a replaying one.
    let days: Vec<Option<DateTime<Utc>>> = if manifest.mode == "seeded" {
        let today = Utc::now().duration_trunc(ChronoDuration::days(1)).context("today")? + ChronoDuration::hours(13);
        (0..options.days.max(1))
            .rev()
            .map(|back| Some(today - ChronoDuration::days(back)))
            .collect()
    } else {
        vec![None]
    };
    on_event(DemoEvent::CollectionsPlanned(days.len() as u64));
    let mut account_failures = 0;
    let mut last_run = None;
    for day in &days {
        let (window, collected_at) = match day {
            Some(day) => {
                set_clock(&http, base, *day).await?;
                (
                    CollectWindow {
                        since: *day - ChronoDuration::days(7),
                        until: *day,
                    },
                    *day,
                )
            }
            None => {
                let now = Utc::now();
                let since = DateTime::parse_from_rfc3339("2006-03-21T00:00:00Z")
                    .context("epoch")?
                    .with_timezone(&Utc);
                (CollectWindow { since, until: now }, now)
            }
        };
        let summary = ws
            .collect(window, collected_at, RunKind::Demo, &[], &|p| {
                on_event(DemoEvent::Run(p))
            })
            .await?;
        let failed = summary.accounts.iter().filter(|a| !a.ok).count();
        account_failures += failed;
        let metrics = summary.metrics();
        last_run = Some((summary, collected_at));
        on_event(DemoEvent::CollectionDone {
            day: collected_at,
            metrics,
            failed,
        });
    }
    // Comments, replies, mentions and tags, as of the last day (`Workspace::collect` skips
    // them on the demo's runs).
    if let Some((summary, at)) = &last_run {
        on_event(DemoEvent::Step("Reading comments, mentions and tags".into()));
        crate::comments::after_collection(&ws, summary, *at).await;
    }

    on_event(DemoEvent::Step("Rendering charts".into()));
    let filter = RowFilter::default();
    let charts = ws.render_charts(&filter, &options.out.join("charts")).await?;
    on_event(DemoEvent::Step("Writing CSV, JSON and XLSX exports".into()));
    let exports = ws.export_all(&filter, &options.out.join("exports")).await?;
    on_event(DemoEvent::Step("Writing the weekly report (XLSX, HTML, JSON)".into()));
    crate::reports::write_weekly(
        &ws,
        &crate::reports::WeeklyRequest::last_week(Utc::now()),
        &options.out.join("reports"),
    )
    .await?;
    // Scheduled delivery to Google Sheets, offline: the seeded sandbox serves Google's
    // OAuth (loopback redirect, PKCE) and Sheets API v4.
    let sheets = if manifest.mode == "seeded" {
        on_event(DemoEvent::Step(
            "Delivering the weekly report to Google Sheets (OAuth 2.0 + PKCE, loopback redirect; Sheets API v4)".into(),
        ));
        Some(
            deliver_to_sheets(&ws, &options.out.join("reports"))
                .await
                .context("delivering the weekly report to Google Sheets")?,
        )
    } else {
        None
    };
    let accounts = account_lines(&ws).await?;
    let media = ws.store().media_counts().await?;
    let database = ws.dir().join("alcance.db");
    ws.close().await;
    Ok(DemoSummary {
        database,
        exports,
        charts,
        accounts,
        collections: days.len(),
        account_failures,
        sandbox_mode: manifest.mode,
        elapsed: Duration::ZERO,
        media,
        sheets,
    })
}

/// The demo's Google Sheets delivery: connects Google through the sandbox's consent page,
/// adds a weekly schedule (Mondays 09:00 São Paulo time, Sheets only), sends last week's
/// period now as "Send now" does, reads the tab back through `values.get` and writes it to
/// `<reports>/google-sheets-<tab>.csv`. Errors: OAuth, the Sheets API, the file.
async fn deliver_to_sheets(ws: &Workspace, reports: &Path) -> Result<SheetsDelivery> {
    use crate::delivery::{self, Cadence, ScheduleRequest};
    crate::sheets::connect(
        ws,
        DEMO_GOOGLE_CLIENT_ID,
        Some(SecretString::from("demo-client-secret".to_string())),
        &HeadlessBrowser::new(),
        Duration::from_secs(30),
    )
    .await?;
    let now = Utc::now();
    let request = ScheduleRequest {
        campaign: None,
        cadence: Cadence::Weekly {
            weekday: chrono::Weekday::Mon,
            hour: 9,
        },
        time_zone: "America/Sao_Paulo".into(),
        language: alcance_core::PdfLanguage::En,
        recipients: Vec::new(),
        // Attached to emails only; this schedule has no recipients.
        formats: delivery::parse_formats("xlsx")?,
        sheets: true,
    };
    let schedule = delivery::add_schedule(ws, &request, now).await?;
    let (_, pass) = delivery::deliver_now(ws, schedule.row.id, now).await?;
    if let Some((_, _, error)) = pass.failed.first() {
        return Err(crate::app_err!("the Sheets delivery failed: {error}"));
    }
    let row = ws.store().report_schedule(schedule.row.id).await?;
    let delivered = ws.store().report_deliveries(row.id, 1).await?;
    let (Some(id), Some(tab)) = (
        row.spreadsheet_id,
        delivered.first().and_then(|d| d.sheet_title.clone()),
    ) else {
        return Err(crate::app_err!("the Sheets delivery left no spreadsheet tab"));
    };
    let values = crate::sheets::SheetsClient::new(ws, now)?
        .values(&id, &crate::sheets::tab_range(&tab))
        .await?;
    std::fs::create_dir_all(reports).with_context(|| format!("creating {}", reports.display()))?;
    let file = reports.join(format!("google-sheets-{tab}.csv"));
    // Flexible: the tab has blank separator rows and sections of different widths.
    let mut csv = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    for line in &values {
        let cells: Vec<String> = line
            .iter()
            .map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                // Whole numbers as the sheet shows them: 834791, not 834791.0.
                serde_json::Value::Number(n) => match n.as_f64() {
                    Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
                    _ => n.to_string(),
                },
                other => other.to_string(),
            })
            .collect();
        csv.write_record(&cells)
            .map_err(|e| crate::app_err!("writing the Sheets tab as CSV: {e}"))?;
    }
    let bytes = csv
        .into_inner()
        .map_err(|e| crate::app_err!("writing the Sheets tab as CSV: {e}"))?;
    std::fs::write(&file, bytes).with_context(|| format!("writing {}", file.display()))?;
    Ok(SheetsDelivery {
        link: crate::sheets::spreadsheet_link(&id),
        tab,
        rows: values.len(),
        file,
    })
}

/// The Google OAuth client id the demo connects Sheets with (the sandbox takes any).
pub const DEMO_GOOGLE_CLIENT_ID: &str = "alcance-demo-google";

/// The app password the demo pastes for its Bluesky account: the sandbox's
/// `createSession` accepts any well-formed app password for its seeded handle.
pub const DEMO_APP_PASSWORD: &str = "demo-demo-demo-demo";

/// The scopes the demo asks for on the Facebook Pages flow: the Pages part of the
/// descriptor's scopes (the sandbox's Pages need no Instagram or business permissions).
const DEMO_PAGES_SCOPES: [&str; 3] = ["pages_show_list", "pages_read_engagement", "read_insights"];

/// The demo's developer-app credentials, from the platform's descriptor: the sandbox
/// accepts any client id; a secret (`demo-client-secret`) where the connect form asks for
/// one ([`PlatformDescriptor::needs_secret`](alcance_platforms::registry::PlatformDescriptor));
/// the descriptor's OAuth scopes ([`DEMO_PAGES_SCOPES`] on the Facebook Pages flow, none
/// for a pasted access token).
pub fn demo_app(platform: Platform) -> OAuthApp {
    let descriptor = registry::get(platform);
    let scopes = match descriptor.connect {
        ConnectKind::OauthLoopback => descriptor.scopes(),
        ConnectKind::FacebookPages => DEMO_PAGES_SCOPES.iter().map(|s| s.to_string()).collect(),
        ConnectKind::AccessToken | ConnectKind::AppPassword | ConnectKind::HttpsRedirect => Vec::new(),
    };
    OAuthApp {
        platform,
        client_id: format!("alcance-demo-{}", platform.as_str()),
        client_secret: descriptor
            .needs_secret
            .then(|| SecretString::from("demo-client-secret".to_string())),
        scopes,
        redirect: RedirectConfig {
            port: 0,
            path: "/callback".into(),
        },
    }
}

fn control(base: &Url, what: &str) -> Result<Url> {
    base.join(&format!("__alcance/{what}"))
        .map_err(|e| crate::app_err!("bad sandbox URL {base}: {e}"))
}

async fn set_clock(http: &reqwest::Client, base: &Url, now: DateTime<Utc>) -> Result<()> {
    http.post(control(base, "clock")?)
        .json(&serde_json::json!({ "now": now.to_rfc3339() }))
        .send()
        .await
        .context("setting the sandbox clock")?
        .error_for_status()
        .context("setting the sandbox clock")?;
    Ok(())
}

/// The demo always starts from an empty workspace: earlier demo files are removed.
fn reset_workspace_files(dir: &Path) -> Result<()> {
    for name in ["alcance.db", "alcance.db-wal", "alcance.db-shm", "vault.enc"] {
        let path = dir.join(name);
        if path.exists() {
            std::fs::remove_file(&path).with_context(|| format!("removing the old {}", path.display()))?;
        }
    }
    Ok(())
}

async fn account_lines(ws: &Workspace) -> Result<Vec<AccountLine>> {
    let mut lines = Vec::new();
    let connections = ws.store().account_connections().await?;
    for a in ws.store().list_accounts().await? {
        let filter = RowFilter {
            account_ids: vec![a.id],
            ..RowFilter::default()
        };
        let account_rows = ws.store().account_metric_rows(&filter).await?;
        let post_rows = ws.store().post_metric_rows(&filter).await?;
        let posts = ws.store().posts(&filter).await?;
        let followers = account_rows
            .iter()
            .filter(|r| r.metric_type == "followers")
            .max_by_key(|r| r.collected_at)
            .and_then(|r| r.value);
        lines.push(AccountLine {
            platform: a.account.platform,
            name: a
                .account
                .username
                .clone()
                .unwrap_or_else(|| a.account.external_id.clone()),
            owned: a.account.owned,
            connection: crate::views::connection(&a, &connections),
            followers,
            posts: posts.len(),
            metric_rows: account_rows.len() + post_rows.len(),
            status: a.status.to_string(),
        });
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    /// The registry-driven demo apps ask for what the demo always asked for.
    #[test]
    fn demo_apps_keep_their_scopes_and_secrets() {
        let expected: [(Platform, &[&str], bool); 8] = [
            (Platform::X, &["tweet.read", "users.read", "offline.access"], false),
            (
                Platform::Instagram,
                &["instagram_business_basic", "instagram_business_manage_insights"],
                true,
            ),
            (
                Platform::Facebook,
                &["pages_show_list", "pages_read_engagement", "read_insights"],
                true,
            ),
            (
                Platform::Tiktok,
                &["user.info.basic", "user.info.profile", "user.info.stats", "video.list"],
                true,
            ),
            (Platform::Whatsapp, &[], false),
            (
                Platform::Youtube,
                &[
                    "https://www.googleapis.com/auth/youtube.readonly",
                    "https://www.googleapis.com/auth/yt-analytics.readonly",
                ],
                true,
            ),
            (Platform::Reddit, &["identity", "read", "history"], false),
            (
                Platform::Linkedin,
                &["openid", "profile", "r_organization_social", "rw_organization_admin"],
                true,
            ),
        ];
        for (platform, scopes, secret) in expected {
            let app = demo_app(platform);
            assert_eq!(app.scopes, scopes, "{platform:?}");
            assert_eq!(
                app.client_secret.as_ref().map(|s| s.expose_secret().to_string()),
                secret.then(|| "demo-client-secret".to_string()),
                "{platform:?}"
            );
            assert_eq!(app.client_id, format!("alcance-demo-{}", platform.as_str()));
        }
    }
}
