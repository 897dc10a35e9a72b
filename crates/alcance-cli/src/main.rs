//! `alcance`: the command-line face of Alcance — the demo workspace, the sandbox, and
//! headless collection on a workspace folder: `run` (the background scheduler in the
//! foreground), `status`, `collect --now`, `cadence`, `restore`; the accounts (`accounts`,
//! `connect`, `track`, `disconnect`, `delete-data`, in `accounts_cmd`); reports, campaigns
//! and exports (`report_cmd`); `serve`, the REST API (`alcance-server`).

use alcance_app::collect::{effective_every, Cadence, Progress, RefreshTier, RunControl, STORY_CADENCE};
use alcance_app::demo::{self, DemoEvent, DemoOptions, DemoSummary};
use alcance_app::lease::LeaseConfig;
use alcance_app::sandbox::{Mode, Sandbox, SandboxConfig};
use alcance_app::scheduler::{self, BackupPolicy, Scheduler, SchedulerConfig, SchedulerEvent, SystemClock};
use alcance_app::store::ScheduleRow;
use alcance_app::vault::TokenVault;
use alcance_app::views::token_health;
use alcance_app::{
    AccountId, AccountRow, AccountStatus, Apis, AppError, ConnectionKind, ErrorCode, Platform, PostgresUrl, RunStatus,
    Session, SharedVault, StoreLocation, Team, TeamKeySource, VaultNeed,
};
use anyhow::{anyhow, bail, Context, Result};
use backon::{BackoffBuilder, ExponentialBuilder};
use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use indicatif::{ProgressBar, ProgressStyle};
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use url::Url;

mod accounts_cmd;
mod comments_cmd;
mod competitors_cmd;
mod hashtags_cmd;
mod import_cmd;
mod people_cmd;
mod privacy_cmd;
mod report_cmd;
mod team_cmd;
#[cfg(target_os = "linux")]
mod tray_cmd;

#[derive(Parser)]
#[command(
    name = "alcance",
    version,
    about = "Local-first social media analytics: collect, chart and export your metrics."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the demo workspace: sandbox → OAuth → 90 days of collection → SQLite → charts → exports.
    Demo {
        /// Output folder (database, charts/, exports/).
        #[arg(long, default_value = "alcance-demo")]
        out: PathBuf,
        /// Use this running sandbox (seeded or `--replay`) instead of starting one in-process.
        #[arg(long)]
        sandbox_url: Option<Url>,
        /// Days of daily collection to simulate on a seeded sandbox.
        #[arg(long, default_value_t = demo::DEMO_DAYS)]
        days: i64,
    },
    /// Serve the platform sandbox (every platform's APIs and OAuth, seeded or replayed) on
    /// 127.0.0.1.
    Sandbox {
        /// Port on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 8720)]
        port: u16,
        /// Serve recorded exchanges from this folder (fixtures format) instead of seeded data.
        #[arg(long)]
        replay: Option<PathBuf>,
        /// Seed of the generated data.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Delay every API answer by this many milliseconds (a real API's round trip, for
        /// benchmarks; 150 is typical).
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
        /// Switch the platforms' rate limits off (benchmarks).
        #[arg(long)]
        no_limits: bool,
        /// Seeded X and Instagram accounts publish this many times as many posts a day
        /// (1–10; benchmarks that need accounts with many thousands of posts).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10))]
        post_volume: u32,
    },
    /// Collect in the foreground on each account's cadence (the app's background sync);
    /// Ctrl-C stops after the current account (the run resumes at the next start).
    Run {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// Daily backups to keep in <workspace>/backups (0 turns backups off).
        #[arg(long, default_value_t = 7)]
        keep_backups: usize,
        /// Team workspaces: how long this worker's leases and run heartbeat stay valid
        /// without renewal (`30s`, `2m`; default 2m). If the process dies, another worker
        /// takes its accounts and its unfinished run over this long after its last
        /// heartbeat; it renews them every sixth of it.
        #[arg(long, value_parser = parse_lease)]
        lease: Option<std::time::Duration>,
        /// Serve this worker's Prometheus metrics at `http://ADDR/metrics` (collections,
        /// platform API requests, rate limits; open without credentials on the loopback
        /// interface only), e.g. `127.0.0.1:9187`.
        #[arg(long, value_name = "ADDR")]
        metrics_listen: Option<std::net::SocketAddr>,
    },
    /// Linux: the tray icon and the background sync in a process of their own, without the
    /// window's GTK and WebKit (ADR 0021): the workspace the app reopens (or --workspace),
    /// its scheduler as the app runs it, and a StatusNotifierItem with Sync now, Pause /
    /// Resume, Open Alcance and Quit. The app's window then runs no scheduler of its own.
    Tray {
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// Show the accounts, their next runs, last results and token health, and the last runs.
    Status {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// How many recent runs to list.
        #[arg(long, default_value_t = 5)]
        runs: i64,
    },
    /// Collect now (a manual run); Ctrl-C cancels after the current account.
    Collect {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// Collect now (the only mode; scheduled collection is `alcance run`).
        #[arg(long)]
        now: bool,
        /// Only this account: its id (see `alcance status`), @username or platform:@username (x:@ana). Repeatable.
        #[arg(long = "account", value_name = "ID|@USERNAME")]
        accounts: Vec<String>,
        /// Backfill: read the posts published since this UTC day (YYYY-MM-DD) and the account
        /// insights the platform keeps for it, instead of the last 90 days.
        #[arg(long, value_name = "YYYY-MM-DD")]
        since: Option<chrono::NaiveDate>,
        /// Collect as of this UTC time (RFC 3339) instead of now: the refresh windows and the
        /// platforms' age limits (X non-public metrics: posts under 30 days) are reckoned
        /// from it. For reproducible runs against a sandbox whose clock is held.
        #[arg(long, value_name = "RFC3339", hide = true)]
        at: Option<DateTime<Utc>>,
    },
    /// Set how often an account is collected: hourly, daily, weekly, or a period (90m, 6h, 2d).
    Cadence {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The account: its id, @username or platform:@username (x:@ana).
        #[arg(value_name = "ID|@USERNAME")]
        account: String,
        /// hourly, daily, weekly, or a period such as 90m, 6h, 2d.
        cadence: String,
    },
    /// Replace the workspace's database with a backup, after checking it (integrity,
    /// an Alcance schema). The current database is kept as alcance.db.before-restore.
    Restore {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The backup file (e.g. <workspace>/backups/alcance-YYYY-MM-DD.db; for a team workspace a
        /// pg_dump custom-format file such as alcance-YYYY-MM-DD.dump).
        file: PathBuf,
    },
    /// Reports: `weekly` (XLSX with native charts, printable HTML, JSON) and `campaign`.
    Report {
        #[command(subcommand)]
        command: report_cmd::ReportCommand,
    },
    /// Campaigns: create, list, add-post, add-account, import-costs, import-conversions.
    Campaign {
        #[command(subcommand)]
        command: report_cmd::CampaignCommand,
    },
    /// Export metrics as CSV, JSON or XLSX, filtered by account, platform and dates.
    Export(report_cmd::ExportArgs),
    /// Import a platform export into an account: the X archive's tweets.js, Meta Business
    /// Suite, TikTok Studio and YouTube Studio exports, or any CSV with --map. Values
    /// collected from the API are never overwritten (conflicts are listed); importing the
    /// same file twice adds nothing (docs/imports.md).
    Import(import_cmd::ImportArgs),
    /// Compare 2–6 accounts side by side over a window: followers, growth, engagement rate,
    /// posts per week, best slot, content mix; printed, or written as CSV, JSON or XLSX.
    Compare(report_cmd::CompareArgs),
    /// Comments, replies, mentions and tags the collections read: list (with --search and
    /// --sentiment), per-post counts against the platforms' counters, sentiment shares.
    Comments {
        #[command(subcommand)]
        command: comments_cmd::CommentsCommand,
    },
    /// Team workspaces on PostgreSQL: create one, or join one from this machine.
    Team {
        #[command(subcommand)]
        command: team_cmd::TeamCommand,
    },
    /// Whole workspaces: copy one between a folder and a team's PostgreSQL database;
    /// encrypt or decrypt a folder's database in place.
    Workspace {
        #[command(subcommand)]
        command: team_cmd::WorkspaceCommand,
    },
    /// The team vault's workspace key: rotate it, or make a new one.
    Vault {
        #[command(subcommand)]
        command: team_cmd::VaultCommand,
    },
    /// List the accounts: how each is connected, its status, followers, cadence and token health.
    Accounts {
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// Connect an account: OAuth in the browser (prints the authorize URL and waits for the
    /// redirect on 127.0.0.1; --open opens the browser), or WhatsApp with --waba-id and the
    /// token from ALCANCE_WHATSAPP_TOKEN or stdin.
    Connect(accounts_cmd::ConnectArgs),
    /// Follow a public profile (X, Instagram) with a connected account's token.
    Track(accounts_cmd::TrackArgs),
    /// Stop collecting an account and remove its token; its data stays.
    Disconnect {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The account: its id, @username or platform:@username (x:@ana).
        #[arg(value_name = "ID|@USERNAME")]
        account: String,
    },
    /// The people of a served workspace: add (the first admin), list, remove, set-role,
    /// reset-password, share (what a client sees).
    User {
        #[command(subcommand)]
        command: people_cmd::UserCommand,
    },
    /// API tokens for BI tools: create (printed once), list, revoke.
    Token {
        #[command(subcommand)]
        command: people_cmd::TokenCommand,
    },
    /// Serve the workspace's REST API (/api/v1, OpenAPI at /api/v1/openapi.json, viewer at
    /// /api/docs, /healthz, /readyz) until Ctrl-C or SIGTERM. Every route but health, the
    /// docs and sign-in needs a user (`alcance user add`) or an API token.
    Serve {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// Address to listen on. Beyond 127.0.0.1, serve HTTPS (--tls-cert, --tls-key) or put
        /// a TLS reverse proxy in front (--trusted-proxy).
        #[arg(long, default_value = "127.0.0.1:8780", value_name = "ADDR:PORT")]
        listen: SocketAddr,
        /// Also collect, as `alcance run` does (in a team: as one more worker, with leases on
        /// the database), and serve collection control (sync now, cancel, pause, resume)
        /// and live run progress. Off: the server only reads, and control answers 409.
        #[arg(long)]
        collect: bool,
        /// The built web UI to serve at / (`npm --prefix ui run build` writes ui/dist).
        /// Default: ui/dist under the current folder when it has an index.html; without
        /// one the server serves the API only.
        #[arg(long, env = "ALCANCE_WEB_UI", value_name = "DIR")]
        web_ui: Option<PathBuf>,
        #[command(flatten)]
        webhooks: WebhookArgs,
        #[command(flatten)]
        safety: ServeSafety,
        #[command(flatten)]
        mail: MailArgs,
    },
    /// Delete an account with all its data and its token (asks for the handle unless --yes).
    DeleteData {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The account: its id, @username or platform:@username (x:@ana).
        #[arg(value_name = "ID|@USERNAME")]
        account: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// One account's data: export everything stored about it (a ZIP).
    Account {
        #[command(subcommand)]
        command: privacy_cmd::AccountCommand,
    },
    /// LGPD / GDPR: consent for audience data, retention of raw API responses.
    Privacy {
        #[command(subcommand)]
        command: privacy_cmd::PrivacyCommand,
    },
    /// Hashtags: track (X post volume, Instagram media), untrack, list, show; the X App
    /// bearer token; the performance of your own posts' hashtags (`list --own`).
    Hashtags {
        #[command(subcommand)]
        command: hashtags_cmd::HashtagsCommand,
    },
    /// Competitors: sets with their own cadence (add, remove, cadence, list), share-of-voice
    /// terms, and own accounts beside the competitors (report, export, chart).
    Competitors {
        #[command(subcommand)]
        command: competitors_cmd::CompetitorsCommand,
    },
}

/// Where the workspace is and which APIs it talks to.
#[derive(Args, Clone, Debug)]
pub(crate) struct WorkspaceArgs {
    /// Workspace folder (alcance.db, vault, backups/, logs/), or a team workspace's
    /// PostgreSQL database (`postgres://user@host:5432/db`; its tokens need the workspace key:
    /// ALCANCE_VAULT_KEY, ALCANCE_VAULT_KEY_FILE or the OS keychain). Default: the OS data
    /// folder.
    #[arg(long, env = "ALCANCE_WORKSPACE", value_name = "DIR|URL", hide_env_values = true)]
    workspace: Option<String>,
    /// Talk to this Alcance sandbox instead of the real platform APIs (demo workspaces).
    #[arg(long, env = "ALCANCE_SANDBOX_URL", value_name = "URL")]
    sandbox_url: Option<Url>,
}

/// Where `alcance serve` finds the secrets of Meta's webhooks (`/webhooks/meta`). Neither
/// is ever logged or stored in the database.
#[derive(Debug, Clone, Default, Args)]
struct WebhookArgs {
    /// A file holding the Meta app secret that signs webhook deliveries; else
    /// ALCANCE_META_APP_SECRET, else the Meta app secret saved in the vault when an account
    /// was connected. Webhooks are on when this and the verify token are found.
    #[arg(long, value_name = "FILE")]
    meta_app_secret_file: Option<PathBuf>,
    /// A file holding the webhook verify token (the word typed in the Meta app dashboard);
    /// else ALCANCE_META_VERIFY_TOKEN, else the vault entry
    /// `alcance/webhooks/meta/verify_token`.
    #[arg(long, value_name = "FILE")]
    meta_verify_token_file: Option<PathBuf>,
}

impl WebhookArgs {
    /// The secrets, or `None` (webhooks off) when either is found nowhere.
    fn secrets(&self, vault: Option<&SharedVault>) -> Result<Option<alcance_app::webhooks::MetaWebhookSecrets>> {
        use alcance_app::webhooks::{secret_from_env, MetaWebhookSecrets, APP_SECRET_ENV, VERIFY_TOKEN_ENV};
        let read = |file: &Option<PathBuf>, env: &str| -> Result<Option<SecretString>> {
            match file {
                Some(path) => {
                    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
                    Ok(Some(SecretString::from(text.trim().to_string())))
                }
                None => Ok(secret_from_env(env)),
            }
        };
        let app_secret = read(&self.meta_app_secret_file, APP_SECRET_ENV)?;
        let verify_token = read(&self.meta_verify_token_file, VERIFY_TOKEN_ENV)?;
        let vault = vault.map(|v| v as &dyn TokenVault);
        Ok(MetaWebhookSecrets::resolve(app_secret, verify_token, vault)?)
    }
}

/// Email for invitations and password resets. Without --smtp-url nothing is emailed: the
/// admin hands the one-time links over.
#[derive(Debug, Clone, Default, Args)]
struct MailArgs {
    /// The SMTP server, without its password: smtp://user@mail.example.com:587?tls=required
    /// (STARTTLS), smtps://user@mail.example.com (TLS, port 465) or smtp://127.0.0.1:25
    /// (plain, a relay on this machine). The password is read from ALCANCE_SMTP_PASSWORD.
    #[arg(long, env = "ALCANCE_SMTP_URL", value_name = "URL", requires_all = ["mail_from", "public_url"])]
    smtp_url: Option<String>,
    /// The sender of the emails: "Alcance <alcance@agency.example>".
    #[arg(long, env = "ALCANCE_MAIL_FROM", value_name = "ADDRESS")]
    mail_from: Option<String>,
    /// The address people open Alcance at (https://alcance.agency.example): the emails'
    /// links start with it.
    #[arg(long, env = "ALCANCE_PUBLIC_URL", value_name = "URL")]
    public_url: Option<String>,
}

impl MailArgs {
    /// The mailer, or `None` without --smtp-url. Errors: a bad URL, sender or public URL.
    fn mailer(&self) -> Result<Option<alcance_app::mail::Mailer>> {
        let (Some(url), Some(from), Some(public_url)) = (&self.smtp_url, &self.mail_from, &self.public_url) else {
            return Ok(None);
        };
        let config = alcance_app::mail::MailConfig {
            url: url.clone(),
            password: std::env::var("ALCANCE_SMTP_PASSWORD").ok().filter(|p| !p.is_empty()),
            from: from.clone(),
            public_url: public_url.clone(),
        };
        Ok(Some(alcance_app::mail::Mailer::new(&config)?))
    }
}

/// How `alcance serve` meets the network: its own TLS, and the reverse proxies it trusts.
#[derive(Debug, Clone, Default, Args)]
struct ServeSafety {
    /// Serve HTTPS (rustls; TLS 1.2 and 1.3) with this PEM certificate chain, leaf first.
    /// Needs --tls-key. Session cookies are then Secure and answers carry HSTS.
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key (PKCS#8, PKCS#1 or SEC1) of --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// A reverse proxy in front of the server (an address or a CIDR block; repeat the flag
    /// or separate with commas). Only requests from it have their X-Forwarded-For (the
    /// client address for the sign-in limit, the audit log and /metrics' loopback check)
    /// and X-Forwarded-Proto (https: Secure cookies, HSTS) believed.
    #[arg(long, value_name = "ADDR[/PREFIX]")]
    trusted_proxy: Vec<alcance_server::proxy::TrustedProxies>,
}

/// How a command opens its workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    /// Create it when missing, vault required (`connect`).
    Create,
    /// It must exist; the vault as `VaultNeed` says.
    Existing(VaultNeed),
    /// It must exist; reports, exports and campaigns need no token.
    ReadOnly,
}

impl WorkspaceArgs {
    /// The team workspace when `--workspace` is a PostgreSQL URL.
    pub(crate) fn team(&self) -> Result<Option<Team>> {
        let Some(StoreLocation::Postgres(database)) = self.workspace.as_deref().map(StoreLocation::parse) else {
            return Ok(None);
        };
        let local = team_folder(&database)?;
        Ok(Some(Team::new(database, &local)))
    }

    /// The workspace folder: `--workspace`, else the OS data folder (`directories`
    /// ProjectDirs "app.alcance.Alcance"); for a team workspace this member's local folder
    /// (`<data folder>/teams/<host>-<port>-<database>`).
    pub(crate) fn dir(&self) -> Result<PathBuf> {
        if let Some(team) = self.team()? {
            return Ok(team.dir);
        }
        match &self.workspace {
            Some(dir) => Ok(PathBuf::from(dir)),
            None => data_folder(),
        }
    }

    /// Opens the workspace (a folder, or a team database with the team vault).
    async fn open(&self, how: Open) -> Result<Session> {
        let apis = Apis::from_sandbox_url(self.sandbox_url.as_ref());
        if let Some(team) = self.team()? {
            let need = match how {
                Open::Create => VaultNeed::Required,
                Open::Existing(need) => need,
                Open::ReadOnly => VaultNeed::Optional,
            };
            return Ok(Session::team(&team, &apis, &TeamKeySource::from_env(), need).await?);
        }
        let dir = self.dir()?;
        Ok(match how {
            Open::Create => Session::create(&dir, &apis, passphrase()).await?,
            Open::Existing(need) => Session::existing(&dir, &apis, passphrase(), need).await?,
            Open::ReadOnly => Session::read_only(&dir, passphrase()).await?,
        })
    }
}

/// The OS data folder (`directories` ProjectDirs "app.alcance.Alcance").
fn data_folder() -> Result<PathBuf> {
    directories::ProjectDirs::from("app", "alcance", "Alcance")
        .map(|p| p.data_dir().to_path_buf())
        .ok_or_else(|| anyhow!("no home folder to find the data folder in; pass --workspace DIR"))
}

/// This member's local folder of the team workspace `database`:
/// `<data folder>/teams/<host>-<port>-<database>` (no user, no password).
fn team_folder(database: &PostgresUrl) -> Result<PathBuf> {
    let address = database.address();
    let bare = address.rsplit_once('@').map_or(address.as_str(), |(_, host)| host);
    let name: String = bare
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    Ok(data_folder()?.join("teams").join(name.trim_matches('-')))
}

fn main() -> ExitCode {
    // Before any thread starts (ADR 0020): the demo peaks at 77 MB instead of 128 MB.
    let malloc = alcance_app::memory::tune();
    quiet_on_closed_stdout();
    let cli = Cli::parse();
    // The demo logs into its workspace; other commands only to stderr.
    let log_dir = match &cli.command {
        Command::Demo { out, .. } => Some(out.join("logs")),
        Command::Run { ws, .. } | Command::Collect { ws, .. } => ws.dir().ok().map(|d| d.join("logs")),
        // Started at login with no terminal: the log file is where its lines go.
        Command::Tray { ws } => Some(match ws.workspace {
            Some(_) => ws.dir().unwrap_or_else(|_| alcance_app::shell::data_dir()).join("logs"),
            None => alcance_app::shell::data_dir().join("logs"),
        }),
        Command::Sandbox { .. } | Command::Status { .. } | Command::Cadence { .. } | Command::Restore { .. } => None,
        Command::Report { .. } | Command::Campaign { .. } | Command::Export(_) | Command::Compare(_) => None,
        Command::Import(_) => None,
        Command::Comments { .. } => None,
        Command::Team { .. } | Command::Vault { .. } | Command::Workspace { .. } => None,
        Command::Accounts { .. }
        | Command::Connect(_)
        | Command::Track(_)
        | Command::Disconnect { .. }
        | Command::DeleteData { .. } => None,
        Command::Serve { .. } | Command::User { .. } | Command::Token { .. } => None,
        Command::Account { .. } | Command::Privacy { .. } | Command::Hashtags { .. } => None,
        Command::Competitors { .. } => None,
    };
    #[cfg(not(target_os = "linux"))]
    if matches!(cli.command, Command::Tray { .. }) {
        eprintln!("error: `alcance tray` is not available on this system (Linux only); the app's own tray icon runs the sync here");
        return ExitCode::from(2);
    }
    let _log_guard = init_logging(log_dir.as_deref());
    tracing::debug!(?malloc, "glibc allocator");
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "command failed");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `alcance status | head`: the reader closes the pipe before the table is printed. Rust
/// ignores `SIGPIPE`, so `println!` panics ("failed printing to stdout: Broken pipe");
/// exit quietly with 141 (128 + `SIGPIPE`) instead, as Unix filters end there. Every other
/// panic goes to the default hook.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

/// Logs go to stderr (warnings and up, or `RUST_LOG`) and, when `dir` is given, to a
/// daily-rolling JSON file `dir/alcance.log.YYYY-MM-DD` at info level. Secrets never reach a
/// log line: URLs are scrubbed and errors carry no tokens where they are made.
fn init_logging(dir: Option<&std::path::Path>) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::{fmt, layer::SubscriberExt, util::SubscriberInitExt, EnvFilter, Layer};
    // sqlx's "slow statement" notices (a query over 1 s: a big export on a busy machine) go
    // to the log file, not the terminal, where they read as a failure.
    let stderr_filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn,sqlx::query=error"));
    let stderr = fmt::layer().with_writer(std::io::stderr).with_filter(stderr_filter);
    let (file, guard) = match dir.and_then(|d| std::fs::create_dir_all(d).ok().map(|_| d)) {
        Some(d) => {
            let appender = tracing_appender::rolling::daily(d, "alcance.log");
            // 8,192 queued lines (the default 128,000 preallocates ~4 MB), and a full queue
            // makes the logger wait for the file instead of dropping lines.
            let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
                .buffered_lines_limit(8_192)
                .lossy(false)
                .finish(appender);
            let layer = fmt::layer()
                .json()
                .with_writer(writer)
                .with_filter(EnvFilter::new("info,sqlx=warn,hyper=warn,reqwest=warn"));
            (Some(layer), Some(guard))
        }
        None => (None, None),
    };
    let _ = tracing_subscriber::registry().with(stderr).with(file).try_init();
    guard
}

async fn dispatch(command: Command) -> Result<()> {
    match command {
        Command::Demo { out, sandbox_url, days } => run_demo(DemoOptions { out, sandbox_url, days }).await,
        Command::Sandbox {
            port,
            replay,
            seed,
            latency_ms,
            no_limits,
            post_volume,
        } => {
            run_sandbox(
                port,
                replay,
                seed,
                std::time::Duration::from_millis(latency_ms),
                no_limits,
                post_volume,
            )
            .await
        }
        Command::Run {
            ws,
            keep_backups,
            lease,
            metrics_listen,
        } => run_scheduler(&ws, keep_backups, lease, metrics_listen).await,
        #[cfg(target_os = "linux")]
        Command::Tray { ws } => tray_cmd::tray(&ws).await,
        #[cfg(not(target_os = "linux"))]
        Command::Tray { .. } => bail!("`alcance tray` is not available on this system (Linux only)"),
        Command::Status { ws, runs } => status(&ws, runs).await,
        Command::Collect {
            ws,
            now,
            accounts,
            since,
            at,
        } => collect_now(&ws, now, &accounts, since, at).await,
        Command::Cadence { ws, account, cadence } => set_cadence(&ws, &account, &cadence).await,
        Command::Restore { ws, file } => restore(&ws, &file).await,
        Command::Report { command } => report_cmd::report(command).await,
        Command::Campaign { command } => report_cmd::campaign(command).await,
        Command::Export(args) => report_cmd::export(args).await,
        Command::Import(args) => import_cmd::import(args).await,
        Command::Compare(args) => report_cmd::compare(args).await,
        Command::Comments { command } => comments_cmd::comments(command).await,
        Command::Team { command } => team_cmd::team(command, team_folder).await,
        Command::Vault { command } => team_cmd::vault(command).await,
        Command::Workspace { command } => team_cmd::workspace(command).await,
        Command::Accounts { ws } => accounts_cmd::list(&ws).await,
        Command::Connect(args) => accounts_cmd::connect(&args).await,
        Command::Track(args) => accounts_cmd::track(&args).await,
        Command::Disconnect { ws, account } => accounts_cmd::disconnect(&ws, &account).await,
        Command::DeleteData { ws, account, yes } => accounts_cmd::delete_data(&ws, &account, yes).await,
        Command::Account { command } => privacy_cmd::account(command).await,
        Command::Privacy { command } => privacy_cmd::privacy(command).await,
        Command::Hashtags { command } => hashtags_cmd::hashtags(command).await,
        Command::Competitors { command } => competitors_cmd::competitors(command).await,
        Command::User { command } => people_cmd::user(command).await,
        Command::Token { command } => people_cmd::token(command).await,
        Command::Serve {
            ws,
            listen,
            collect,
            web_ui,
            webhooks,
            safety,
            mail,
        } => serve(&ws, listen, collect, web_ui, &webhooks, &safety, &mail).await,
    }
}

/// `alcance serve`: the REST API of the workspace on `listen` until Ctrl-C or SIGTERM;
/// requests in flight finish before the workspace closes. With `collect` the server also
/// runs the scheduler (stopped after the last request, its run in flight left `paused` and
/// resumed at the next start).
async fn serve(
    ws: &WorkspaceArgs,
    listen: SocketAddr,
    collect: bool,
    web_ui: Option<PathBuf>,
    webhooks: &WebhookArgs,
    safety: &ServeSafety,
    mail: &MailArgs,
) -> Result<()> {
    let mailer = mail.mailer()?;
    let tls = match (&safety.tls_cert, &safety.tls_key) {
        (Some(cert), Some(key)) => Some(alcance_server::tls::server_config(cert, key)?),
        _ => None,
    };
    let web_ui = match web_ui {
        Some(dir) => Some(
            alcance_server::web::WebUi::load(&dir)
                .with_context(|| format!("reading the web UI in {}", dir.display()))?,
        ),
        None => {
            let default = PathBuf::from("ui/dist");
            default
                .join("index.html")
                .is_file()
                .then(|| alcance_server::web::WebUi::load(&default).ok())
                .flatten()
        }
    };
    let session = if collect {
        open_worker(ws, &mut Interrupts::new()?).await?
    } else {
        ws.open(Open::ReadOnly).await?
    };
    let mut state = alcance_server::ApiState::from_session(&session);
    let has_ui = web_ui.is_some();
    if let Some(ui) = web_ui {
        state = state.with_web_ui(ui);
    }
    let proxies = alcance_server::proxy::TrustedProxies::merged(safety.trusted_proxy.iter().cloned());
    state = state.with_trusted_proxies(proxies);
    let webhooks_on = match webhooks.secrets(session.vault())? {
        Some(secrets) => {
            state = state.with_webhooks(secrets);
            true
        }
        None => false,
    };
    let mail_line = mailer
        .as_ref()
        .map(|m| format!("Invitations and password resets are emailed through {}", m.server()));
    if let Some(mailer) = mailer {
        state = state.with_mailer(mailer);
    }
    let scheduler = collect.then(|| {
        Scheduler::start_with(
            Arc::clone(session.workspace()),
            Arc::new(SystemClock),
            SchedulerConfig::default(),
        )
    });
    if let Some(scheduler) = &scheduler {
        state = state.with_collection(alcance_server::collection::Collection::new(scheduler.clone(), false));
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr().context("reading the listening address")?;
    if !addr.ip().is_loopback() && tls.is_none() {
        eprintln!(
            "warning: {addr} is reachable from other machines over plain HTTP: serve HTTPS (--tls-cert, --tls-key) \
             or put a TLS reverse proxy in front (--trusted-proxy ADDR: its X-Forwarded-Proto: https makes \
             session cookies Secure)"
        );
    }
    if alcance_app::people::users(session.workspace()).await?.is_empty() {
        eprintln!("No user yet: create the first admin with `alcance user add EMAIL --role admin`.");
    }
    let scheme = if tls.is_some() { "https" } else { "http" };
    if has_ui {
        println!(
            "Alcance on {scheme}://{addr}/ (open it in a browser; API: {scheme}://{addr}/api/v1, docs: {scheme}://{addr}/api/docs)"
        );
    } else {
        println!("Alcance API on {scheme}://{addr}/api/v1 (docs: {scheme}://{addr}/api/docs)");
        println!("No web UI: build it with `npm --prefix ui run build` (ui/dist) or pass --web-ui DIR.");
    }
    if webhooks_on {
        println!("Meta webhooks on {scheme}://{addr}/webhooks/meta");
    }
    if let Some(line) = mail_line {
        println!("{line}");
    }
    println!("Press Ctrl-C to stop.");
    let shutdown = async move {
        alcance_server::shutdown_signal().await;
        if collect {
            println!("Stopping collection after the current account…");
        }
    };
    // On the signal `serve` stops the scheduler too (after its current account) and returns
    // once requests in flight and the scheduler are done.
    let served = match tls {
        Some(config) => alcance_server::serve_tls(listener, config, state, shutdown).await,
        None => alcance_server::serve(listener, state, shutdown).await,
    };
    if let Some(scheduler) = scheduler {
        scheduler.stop().await;
    }
    session.close().await;
    served.context("serving the API")
}

async fn run_sandbox(
    port: u16,
    replay: Option<PathBuf>,
    seed: u64,
    latency: std::time::Duration,
    no_limits: bool,
    post_volume: u32,
) -> Result<()> {
    let mode = match replay {
        Some(dir) => Mode::Replay { dir },
        None => Mode::Seeded { seed },
    };
    let bind = SocketAddr::from(([127, 0, 0, 1], port));
    let sandbox = Sandbox::start(SandboxConfig { mode, bind })
        .await
        .context("starting the sandbox")?;
    sandbox.state().set_latency(latency);
    sandbox.state().set_limits_enabled(!no_limits);
    let post_volume = sandbox.state().set_post_volume(post_volume);
    println!("Alcance sandbox listening on {}", sandbox.base_url());
    if post_volume > 1 {
        println!("X and Instagram accounts publish {post_volume}× as many posts a day.");
    }
    if !latency.is_zero() {
        println!("Every API answer waits {} ms.", latency.as_millis());
    }
    if no_limits {
        println!("Rate limits are off.");
    }
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
    sandbox.shutdown().await;
    Ok(())
}

async fn run_demo(options: DemoOptions) -> Result<()> {
    let out = options.out.clone();
    println!("Alcance demo → {}", out.display());
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg:40} [{bar:30}] {pos}/{len} days ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let summary = demo::run(options, &|event| match event {
        DemoEvent::Step(step) => {
            bar.set_message(step.clone());
            bar.println(format!("• {step}"));
        }
        DemoEvent::CollectionsPlanned(n) => {
            bar.set_length(n);
            bar.set_message("Collecting");
        }
        DemoEvent::CollectionDone { day, .. } => {
            bar.set_message(format!("Collected {}", day.format("%Y-%m-%d")));
            bar.inc(1);
        }
        DemoEvent::Run(_) => bar.tick(),
    })
    .await;
    bar.finish_and_clear();
    let summary = summary?;
    print_summary(&summary);
    Ok(())
}

fn print_summary(s: &DemoSummary) {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(vec![
        "Platform",
        "Account",
        "Connected",
        "Followers",
        "Posts",
        "Metric rows",
        "Status",
    ]);
    for a in &s.accounts {
        table.add_row(vec![
            Cell::new(a.platform.label()),
            Cell::new(&a.name),
            Cell::new(how_connected(a.connection)),
            Cell::new(a.followers.map(|f| format!("{f:.0}")).unwrap_or_else(|| "—".into()))
                .set_alignment(CellAlignment::Right),
            Cell::new(a.posts).set_alignment(CellAlignment::Right),
            Cell::new(a.metric_rows).set_alignment(CellAlignment::Right),
            Cell::new(&a.status),
        ]);
    }
    println!("{table}");
    println!(
        "{} collection(s) on the {} sandbox in {:.1} s; {} account failure(s) (see run_events).",
        s.collections,
        s.sandbox_mode,
        s.elapsed.as_secs_f64(),
        s.account_failures
    );
    println!("Database: {}", s.database.display());
    if !s.media.is_empty() {
        println!(
            "Media:    {} (post pictures kept in {})",
            s.media
                .iter()
                .map(|(status, n)| format!("{n} {}", status.as_str().replace('_', " ")))
                .collect::<Vec<_>>()
                .join(", "),
            s.database.with_file_name("media").display()
        );
    }
    if let Some(sheets) = &s.sheets {
        println!(
            "Sheets:   weekly report written to tab {} ({} rows) of {}; read back into {}",
            sheets.tab,
            sheets.rows,
            sheets.link,
            sheets.file.display()
        );
    }
    println!(
        "Charts:   {}",
        s.charts
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("Exports:  {}", s.exports.account_csv.display());
    println!("          {}", s.exports.post_csv.display());
    println!("          {}", s.exports.json.display());
    println!("          {}", s.exports.xlsx.display());
}

// ----------------------------------------------------------------------------------------
// Headless commands on a workspace folder
// ----------------------------------------------------------------------------------------

/// The vault passphrase from `ALCANCE_VAULT_PASSPHRASE` (never logged).
pub(crate) fn passphrase() -> Option<SecretString> {
    std::env::var("ALCANCE_VAULT_PASSPHRASE")
        .ok()
        .filter(|p| !p.is_empty())
        .map(SecretString::from)
}

/// Opens the existing workspace of `args` (see [`WorkspaceArgs::open`]): its vault is the OS
/// keychain, or `vault.enc` unlocked with `ALCANCE_VAULT_PASSPHRASE` (a team's: the team
/// vault under the workspace key); when `need_vault` is false a locked vault is reported
/// instead of failing.
async fn open_workspace(args: &WorkspaceArgs, need_vault: bool) -> Result<Session> {
    let need = if need_vault {
        VaultNeed::Required
    } else {
        VaultNeed::Optional
    };
    args.open(Open::Existing(need)).await
}

/// `@username (Platform)`, or the platform id when there is no handle.
fn account_label(a: &AccountRow) -> String {
    match &a.account.username {
        Some(u) => format!("@{u}"),
        None => a.account.external_id.clone(),
    }
}

/// Finds accounts by id, `@username` (case-insensitive) or `platform:@username` (`x:@ana`,
/// `reddit:@ana`: the same handle on several networks). A prefix that is not a platform key
/// is part of the name (Bluesky DIDs are `did:plc:…`).
fn resolve_accounts(all: &[AccountRow], specs: &[String]) -> Result<Vec<AccountId>> {
    let mut ids = Vec::new();
    for spec in specs {
        let spec = spec.trim();
        if let Ok(id) = spec.parse::<i64>() {
            if all.iter().any(|a| a.id == id) {
                ids.push(AccountId(id));
                continue;
            }
        }
        let (platform, rest) = match spec.split_once(':') {
            Some((p, rest)) => match p.parse::<Platform>() {
                Ok(platform) => (Some(platform), rest),
                Err(_) => (None, spec),
            },
            None => (None, spec),
        };
        let name = rest.trim_start_matches('@');
        let found: Vec<&AccountRow> = all
            .iter()
            .filter(|a| platform.is_none_or(|p| a.account.platform == p))
            .filter(|a| {
                a.account
                    .username
                    .as_deref()
                    .is_some_and(|u| u.eq_ignore_ascii_case(name))
                    || a.account.external_id == name
            })
            .collect();
        match found.as_slice() {
            [one] => ids.push(AccountId(one.id)),
            [] => bail!("no account {spec:?}; `alcance status` lists them"),
            many => bail!(
                "{spec:?} matches several accounts ({}); use the id or platform:@handle (x:@{name})",
                many.iter()
                    .map(|a| format!("{} = {} on {}", a.id, account_label(a), a.account.platform.label()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `--lease`: a `humantime` period of 3 s to 1 h.
fn parse_lease(text: &str) -> Result<std::time::Duration, String> {
    let d = humantime::parse_duration(text.trim()).map_err(|e| format!("{e} (e.g. 30s, 2m)"))?;
    if !(std::time::Duration::from_secs(3)..=std::time::Duration::from_secs(3_600)).contains(&d) {
        return Err("a lease lasts between 3s and 1h".into());
    }
    Ok(d)
}

/// Ctrl-C (SIGINT on Unix), listened to from the moment [`Interrupts::new`] returns: a
/// Ctrl-C that arrives while the command is busy elsewhere (opening the database, starting
/// the scheduler) is kept until [`Interrupts::recv`] is awaited, not lost and not fatal.
/// (`tokio::signal::ctrl_c()` only starts listening when its future is first polled, so a
/// Ctrl-C between two such futures was missed and `alcance run` never stopped.)
struct Interrupts {
    #[cfg(unix)]
    signal: tokio::signal::unix::Signal,
    #[cfg(windows)]
    signal: tokio::signal::windows::CtrlC,
}

impl Interrupts {
    /// Starts listening. Errors: the OS refused the signal handler.
    fn new() -> Result<Self> {
        #[cfg(unix)]
        let signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
        #[cfg(windows)]
        let signal = tokio::signal::windows::ctrl_c();
        Ok(Self {
            signal: signal.context("listening for Ctrl-C")?,
        })
    }

    /// The next Ctrl-C (at once when one came since the last call). Cancel-safe.
    async fn recv(&mut self) {
        // `None` only when the runtime shuts down: treat it as a stop too.
        let _ = self.signal.recv().await;
    }
}

/// Opens the workspace for `alcance run`. A team database that cannot be reached (a server
/// restarting, a network down) is retried with capped exponential backoff (2 s doubling to
/// 1 min), saying so on stderr, until it answers or Ctrl-C (`interrupts`); any other error
/// (a wrong password, another application's database, a missing key) ends the command at
/// once.
async fn open_worker(args: &WorkspaceArgs, interrupts: &mut Interrupts) -> Result<Session> {
    let mut delays = ExponentialBuilder::default()
        .with_min_delay(std::time::Duration::from_secs(2))
        .with_max_delay(std::time::Duration::from_secs(60))
        .without_max_times()
        .build();
    loop {
        let error = match open_workspace(args, true).await {
            Ok(session) => return Ok(session),
            Err(e) => e,
        };
        let unavailable = error
            .downcast_ref::<AppError>()
            .is_some_and(|e| e.code() == ErrorCode::Unavailable);
        let Some(delay) = delays.next().filter(|_| unavailable) else {
            return Err(error);
        };
        eprintln!("{error:#}; retrying in {} s (Ctrl-C to stop).", delay.as_secs());
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            () = interrupts.recv() => bail!("stopped before the workspace could be reached"),
        }
    }
}

async fn run_scheduler(
    args: &WorkspaceArgs,
    keep_backups: usize,
    lease: Option<std::time::Duration>,
    metrics_listen: Option<std::net::SocketAddr>,
) -> Result<()> {
    let mut interrupts = Interrupts::new()?;
    let session = open_worker(args, &mut interrupts).await?;
    let dir = session.dir();
    let (ws, vault, _sandbox) = session.into_parts();
    // The worker's own /metrics, before the scheduler starts so its first counts are kept.
    let metrics_server = match metrics_listen {
        None => None,
        Some(addr) => {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("listening on {addr} for /metrics"))?;
            let state = alcance_server::ApiState::new(Arc::clone(&ws), vault);
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let task = tokio::spawn(alcance_server::prometheus::serve_metrics(listener, state, async {
                let _ = stopped.await;
            }));
            println!("Prometheus metrics at http://{addr}/metrics");
            Some((stop, task))
        }
    };
    let lease = match lease {
        None => None,
        Some(_) if ws.team_database().is_none() => {
            bail!("--lease is for team workspaces (a postgres:// workspace); a folder's scheduler owns it alone")
        }
        Some(d) => Some(LeaseConfig {
            lease: chrono::Duration::from_std(d).context("the lease period")?,
            heartbeat_every: d / 6,
            ..LeaseConfig::default()
        }),
    };
    let config = SchedulerConfig {
        backups: (keep_backups > 0).then_some(BackupPolicy { keep: keep_backups }),
        lease,
        ..SchedulerConfig::default()
    };
    let scheduler = Scheduler::start_with(Arc::clone(&ws), Arc::new(SystemClock), config);
    let mut events = scheduler.subscribe();
    println!("Alcance is collecting for {} — press Ctrl-C to stop.", dir.display());
    let names: std::collections::HashMap<AccountId, String> = ws
        .store()
        .list_accounts()
        .await?
        .iter()
        .map(|a| {
            (
                AccountId(a.id),
                format!("{} {}", a.account.platform.label(), account_label(a)),
            )
        })
        .collect();
    let mut last_next: Option<DateTime<Utc>> = None;
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(SchedulerEvent::Stopped) | Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                Ok(event) => print_event(&event, &names, &mut last_next),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, "the console fell behind the scheduler's events");
                }
            },
            () = interrupts.recv() => {
                println!("Stopping after the current account… (Ctrl-C again to quit at once)");
                tokio::select! {
                    _ = scheduler.stop() => {}
                    () = interrupts.recv() => {
                        eprintln!("Quitting now; the interrupted account is collected again at the next start.");
                        std::process::exit(130);
                    }
                }
                while let Ok(event) = events.try_recv() {
                    print_event(&event, &names, &mut last_next);
                }
                break;
            }
        }
    }
    scheduler.stop().await;
    drop(scheduler);
    if let Some((stop, task)) = metrics_server {
        let _ = stop.send(());
        match task.await {
            Ok(Err(e)) => tracing::warn!(error = %e, "the metrics server failed"),
            Err(e) => tracing::warn!(error = %e, "the metrics server panicked"),
            Ok(Ok(())) => {}
        }
    }
    match Arc::try_unwrap(ws) {
        Ok(ws) => ws.close().await,
        Err(_) => tracing::warn!("the workspace is still in use; not closing it explicitly"),
    }
    println!("Stopped.");
    Ok(())
}

fn print_event(
    event: &SchedulerEvent,
    names: &std::collections::HashMap<AccountId, String>,
    last_next: &mut Option<DateTime<Utc>>,
) {
    let now = Utc::now();
    match event {
        SchedulerEvent::Idle { next_run_at, .. } if *next_run_at != *last_next => {
            *last_next = *next_run_at;
            match next_run_at {
                Some(at) => println!("Next run {} ({}).", utc(*at), scheduler::relative(*at, now)),
                None => println!("Nothing to collect for now (paused, or no active account)."),
            }
        }
        SchedulerEvent::RunStarted {
            run_id,
            kind,
            accounts,
            resumed,
            ..
        } => println!(
            "{} run {run_id} {} ({}): {accounts} account(s)",
            utc(now),
            if *resumed { "resumed" } else { "started" },
            kind.as_str()
        ),
        SchedulerEvent::Progress(Progress::AccountFinished(o)) => {
            let name = names
                .get(&AccountId(o.account_id))
                .cloned()
                .unwrap_or_else(|| format!("{} {}", o.account.platform.label(), o.account.external_id));
            match &o.error {
                None => println!(
                    "  ok     {name}: {} metric value(s), {} post(s), {} gap(s)",
                    o.metrics, o.posts, o.gaps
                ),
                Some(e) => println!("  failed {name}: {e}"),
            }
        }
        SchedulerEvent::RunFinished {
            run_id,
            status,
            accounts_ok,
            accounts_failed,
            metrics,
            ..
        } => println!(
            "{} run {run_id} {status}: {accounts_ok} ok, {accounts_failed} failed, {metrics} metric value(s)",
            utc(now)
        ),
        SchedulerEvent::RunFailed { message, .. } => println!("{} run failed: {message}", utc(now)),
        SchedulerEvent::NeedsReauth { account_id, account } => println!(
            "  ! {} needs to be connected again (its token was refused)",
            names
                .get(account_id)
                .cloned()
                .unwrap_or_else(|| account.external_id.clone())
        ),
        SchedulerEvent::Paused => println!("Paused."),
        SchedulerEvent::Resumed => println!("Resumed."),
        SchedulerEvent::BackupTaken { path, removed } => println!(
            "Backup written: {}{}",
            path.display(),
            if removed.is_empty() {
                String::new()
            } else {
                format!(" ({} old backup(s) removed)", removed.len())
            }
        ),
        SchedulerEvent::BackupFailed { message } => println!("Backup failed: {message}"),
        _ => {}
    }
}

async fn status(args: &WorkspaceArgs, runs: i64) -> Result<()> {
    let ws = open_workspace(args, false).await?;
    let dir = ws.dir();
    let (vault, vault_problem) = (ws.vault().cloned(), ws.vault_problem().map(str::to_string));
    let store = ws.store();
    let now = Utc::now();
    let accounts = store.list_accounts().await?;
    let connections = store.account_connections().await?;
    let schedules: std::collections::HashMap<i64, ScheduleRow> = store
        .schedules()
        .await?
        .into_iter()
        .map(|s| (s.account_id, s))
        .collect();
    println!("Workspace: {}", dir.display());
    match (&vault, &vault_problem) {
        (Some(v), _) => println!("Token vault: {}", v.0.kind()),
        (None, Some(problem)) => println!("Token vault: unavailable ({problem})"),
        (None, None) => println!("Token vault: unavailable"),
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(vec![
        "ID", "Account", "Platform", "Kind", "Status", "Cadence", "Next run", "Last run", "Result", "Token",
    ]);
    for a in &accounts {
        let schedule = schedules.get(&a.id);
        let cadence = schedule
            .and_then(|s| Cadence::from_kind(s.cadence, s.every_seconds).ok())
            .unwrap_or_default();
        let every = effective_every(cadence, &a.account, Some(STORY_CADENCE));
        let cadence_text = if every < cadence.every() {
            format!("{cadence} (every {}h: stories)", every.num_hours())
        } else {
            cadence.to_string()
        };
        let next = match (a.status, schedule) {
            (AccountStatus::Active, Some(s)) if s.next_run_at <= now => "due now".to_string(),
            (AccountStatus::Active, Some(s)) => {
                format!("{} ({})", utc(s.next_run_at), scheduler::relative(s.next_run_at, now))
            }
            (AccountStatus::Active, None) => "due now".to_string(),
            (other, _) => format!("— ({other})"),
        };
        let last = schedule
            .and_then(|s| s.last_run_at)
            .or(a.last_collected_at)
            .map(|t| scheduler::relative(t, now))
            .unwrap_or_else(|| "never".into());
        let result = match schedule {
            Some(s) => match (s.last_status.as_deref(), s.last_error.as_deref()) {
                (Some("failed"), Some(e)) => format!("failed: {}", e.chars().take(60).collect::<String>()),
                (Some(st), _) => st.to_string(),
                (None, _) => "—".into(),
            },
            None => "—".into(),
        };
        let (health, expires) = token_health(a, vault.as_ref().map(|v| v as &dyn TokenVault), now);
        let token = match expires {
            Some(at) if at > now => format!("{health:?} (expires {})", scheduler::relative(at, now)),
            Some(at) => format!("{health:?} (expired {})", scheduler::relative(at, now)),
            None => format!("{health:?}"),
        };
        table.add_row(vec![
            Cell::new(a.id).set_alignment(CellAlignment::Right),
            Cell::new(account_label(a)),
            Cell::new(a.account.platform.label()),
            Cell::new(how_connected(alcance_app::views::connection(a, &connections))),
            Cell::new(a.status),
            Cell::new(cadence_text),
            Cell::new(next),
            Cell::new(last),
            Cell::new(result),
            Cell::new(token),
        ]);
    }
    if accounts.is_empty() {
        println!("No accounts yet: connect one in the app.");
    } else {
        println!("{table}");
    }

    let last_runs = store.last_runs(runs).await?;
    if !last_runs.is_empty() {
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED);
        table.set_header(vec![
            "Run",
            "Kind",
            "Status",
            "Started",
            "Accounts ok",
            "Failed",
            "Metrics",
        ]);
        for r in &last_runs {
            table.add_row(vec![
                Cell::new(r.id).set_alignment(CellAlignment::Right),
                Cell::new(r.kind),
                Cell::new(r.status),
                Cell::new(utc(r.started_at)),
                Cell::new(r.counts.accounts_ok).set_alignment(CellAlignment::Right),
                Cell::new(r.counts.accounts_failed).set_alignment(CellAlignment::Right),
                Cell::new(r.counts.metrics_written).set_alignment(CellAlignment::Right),
            ]);
        }
        println!("Last runs:\n{table}");
    }
    let resumable = store.resumable_runs().await?;
    if !resumable.is_empty() {
        println!(
            "Paused run(s) {} will resume at the next `alcance run`.",
            resumable
                .iter()
                .map(|r| r.id.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let backups = scheduler::list_backups(&dir)?;
    match backups.first() {
        Some((date, path)) => println!("Backups: {} (latest {date}: {})", backups.len(), path.display()),
        None => println!("Backups: none yet (`alcance run` writes one a day)"),
    }
    ws.close().await;
    Ok(())
}

async fn collect_now(
    args: &WorkspaceArgs,
    now_flag: bool,
    specs: &[String],
    since: Option<chrono::NaiveDate>,
    at: Option<DateTime<Utc>>,
) -> Result<()> {
    if !now_flag {
        bail!("`alcance collect` needs --now (scheduled collection is `alcance run`)");
    }
    let ws = open_workspace(args, true).await?;
    let all = ws.store().list_accounts().await?;
    let ids = resolve_accounts(&all, specs)?;
    let accounts: Vec<AccountRow> = all
        .into_iter()
        .filter(|a| ids.is_empty() || ids.contains(&AccountId(a.id)))
        .filter(|a| a.status == AccountStatus::Active || a.status == AccountStatus::NeedsReauth)
        .collect();
    if accounts.is_empty() {
        ws.close().await;
        bail!("no account to collect (accounts that are paused or disconnected are left out)");
    }
    let bar = ProgressBar::new(accounts.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg:40} [{bar:30}] {pos}/{len} accounts ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let control = RunControl::new();
    let cancel = control.clone();
    let watcher = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            cancel.cancel();
        }
    });
    let started = at.unwrap_or_else(Utc::now);
    let mut config = SchedulerConfig::default();
    if let Some(day) = since {
        let from = day.and_time(chrono::NaiveTime::MIN).and_utc();
        if from >= started {
            ws.close().await;
            bail!("--since {day} is not in the past");
        }
        // One more tier, due at every run, reaching back to `day`: the window covers it
        // and the usual tiers inside it are marked refreshed as usual.
        config.refresh.tiers.push(RefreshTier {
            max_age: started - from,
            every: None,
        });
    }
    let progress = |p: Progress| match p {
        Progress::AccountStarted { account, .. } => bar.set_message(format!(
            "{} {}",
            account.platform.label(),
            account
                .username
                .as_deref()
                .map(|u| format!("@{u}"))
                .unwrap_or(account.external_id)
        )),
        Progress::AccountFinished(_) => bar.inc(1),
        _ => bar.tick(),
    };
    let result = scheduler::collect_now(&ws, &config, &accounts, started, &control, &progress).await;
    watcher.abort();
    bar.finish_and_clear();
    let run = match result {
        Ok(run) => run,
        Err(e) => {
            ws.close().await;
            return Err(e.into());
        }
    };
    if !run.busy.is_empty() {
        println!(
            "Left out, being collected by another worker of the team right now: {}.",
            run.busy.iter().map(account_label).collect::<Vec<_>>().join(", ")
        );
    }
    let Some(summary) = run.summary else {
        ws.close().await;
        bail!("every account is being collected by another worker right now; try again when its run ends");
    };
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(vec!["Account", "Platform", "Result", "Metric values", "Posts", "Gaps"]);
    for o in &summary.accounts {
        let label = o
            .account
            .username
            .as_deref()
            .map(|u| format!("@{u}"))
            .unwrap_or_else(|| o.account.external_id.clone());
        table.add_row(vec![
            Cell::new(label),
            Cell::new(o.account.platform.label()),
            Cell::new(match &o.error {
                None => "ok".to_string(),
                Some(e) => format!("failed: {}", e.chars().take(80).collect::<String>()),
            }),
            Cell::new(o.metrics).set_alignment(CellAlignment::Right),
            Cell::new(o.posts).set_alignment(CellAlignment::Right),
            Cell::new(o.gaps).set_alignment(CellAlignment::Right),
        ]);
    }
    println!("{table}");
    println!(
        "Run {}: {} — {} ok, {} failed, {} skipped, {} metric value(s).",
        summary.run_id,
        summary.status,
        summary.progress.accounts_ok,
        summary.progress.accounts_failed,
        summary.progress.accounts_skipped,
        summary.progress.metrics
    );
    ws.close().await;
    // A storage fault (a full disk, a read-only or damaged database) fails the command even
    // when some accounts were saved: it needs the user, and the next run will not fix it.
    if let Some(e) = summary
        .accounts
        .iter()
        .filter_map(|o| o.error.as_deref())
        .find_map(|e| e.strip_prefix("store: "))
    {
        bail!("the collected data could not be saved: {e}");
    }
    if summary.status == RunStatus::Failed {
        bail!("every account failed (see `alcance status` and the run's events)");
    }
    Ok(())
}

async fn set_cadence(args: &WorkspaceArgs, spec: &str, cadence: &str) -> Result<()> {
    let cadence = Cadence::parse(cadence)?;
    let ws = open_workspace(args, false).await?;
    let all = ws.store().list_accounts().await?;
    let ids = resolve_accounts(&all, &[spec.to_string()])?;
    let now = Utc::now();
    for id in ids {
        let next = scheduler::set_cadence(ws.store(), id, cadence, now).await?;
        let label = all
            .iter()
            .find(|a| id == a.id)
            .map(account_label)
            .unwrap_or_else(|| id.to_string());
        println!(
            "{label}: {cadence}; next run {} ({}).",
            utc(next),
            scheduler::relative(next, now)
        );
    }
    ws.close().await;
    Ok(())
}

async fn restore(args: &WorkspaceArgs, file: &std::path::Path) -> Result<()> {
    if let Some(team) = args.team()? {
        let report = alcance_app::team_backup::restore_team_database(&team.database, &team.dir, file).await?;
        println!("Restored {} into {}.", file.display(), team.database);
        println!(
            "The database as it was before is kept as {}.",
            report.previous.display()
        );
        return Ok(());
    }
    let dir = args.dir()?;
    let vault = alcance_app::session::workspace_vault(&dir, passphrase()).await?;
    let report = scheduler::restore_database(&dir, file, vault.as_ref()).await?;
    println!("Restored {} into {}.", file.display(), report.database.display());
    if let Some(previous) = report.previous {
        println!("The previous database is kept as {}.", previous.display());
    }
    Ok(())
}

/// How an account is connected, for tables: `OAuth`, `token` (a pasted access token),
/// `app password` (Bluesky) or `tracked` (a followed public profile).
fn how_connected(kind: ConnectionKind) -> &'static str {
    match kind {
        ConnectionKind::Oauth => "OAuth",
        ConnectionKind::Token => "token",
        ConnectionKind::AppPassword => "app password",
        ConnectionKind::Tracked => "tracked",
    }
}
