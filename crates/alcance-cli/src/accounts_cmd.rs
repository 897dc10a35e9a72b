//! The accounts of a workspace from the command line, as the app's Accounts screen has
//! them: `alcance accounts` (list with token health), `alcance connect <platform>` (OAuth
//! loopback flow, or WhatsApp's system-user token), `alcance track <platform> @handle`,
//! `alcance disconnect` and `alcance delete-data`. Tokens and client secrets never come
//! from an argument (they would land in the shell history) and are never printed.

use crate::{account_label, open_workspace, resolve_accounts, WorkspaceArgs};
use alcance_app::oauth::{
    BrowserOpener, OAuthApp, RedirectConfig, SystemBrowser, DEFAULT_CALLBACK_PATH, DEFAULT_X_PORT,
};
use alcance_app::vault::TokenVault;
use alcance_app::views::{self, AccountView, TokenHealth};
use alcance_app::{AccountId, AccountRow, AccountStatus, Platform, PlatformError, Session, Workspace};
use anyhow::{anyhow, bail, Context, Result};
use chrono::{DateTime, Utc};
use clap::Args;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
use secrecy::SecretString;
use std::io::{BufRead, Write};
use std::time::Duration;

/// Environment variable holding the developer app's secret (Instagram, Facebook, TikTok).
pub const CLIENT_SECRET_ENV: &str = "ALCANCE_CLIENT_SECRET";
/// Environment variable holding a WhatsApp Business system-user access token.
pub const WHATSAPP_TOKEN_ENV: &str = "ALCANCE_WHATSAPP_TOKEN";
/// Environment variable holding a Bluesky app password (never the account password).
pub const BLUESKY_APP_PASSWORD_ENV: &str = "ALCANCE_BLUESKY_APP_PASSWORD";

/// Environment variable holding a Threads long-lived token (else it is read from stdin).
pub const THREADS_TOKEN_ENV: &str = "ALCANCE_THREADS_TOKEN";

/// `alcance connect <platform>`.
#[derive(Args, Debug)]
pub struct ConnectArgs {
    #[command(flatten)]
    pub ws: WorkspaceArgs,
    /// x, instagram, facebook, tiktok, whatsapp, youtube, bluesky, reddit, linkedin or threads
    /// (Threads: a long-lived token read from ALCANCE_THREADS_TOKEN, else from stdin).
    pub platform: String,
    /// The developer app's client id (public; the platform's developer portal shows it).
    /// Not used by WhatsApp.
    #[arg(long, env = "ALCANCE_CLIENT_ID")]
    pub client_id: Option<String>,
    /// Loopback port registered with the platform as the redirect (X: 8719 by default;
    /// others a free port). The client secret, where needed, is read from ALCANCE_CLIENT_SECRET.
    #[arg(long)]
    pub port: Option<u16>,
    /// Open the authorize page in the system browser (otherwise only print its URL).
    #[arg(long)]
    pub open: bool,
    /// WhatsApp only: the WhatsApp Business Account id (WhatsApp Manager → Account tools).
    /// The system-user token is read from ALCANCE_WHATSAPP_TOKEN, else from stdin.
    #[arg(long, value_name = "ID")]
    pub waba_id: Option<String>,
    /// Bluesky only: the handle (alice.bsky.social). Without `--oauth` the app password
    /// (Settings → Privacy and security → App passwords; never the account password) is
    /// read from ALCANCE_BLUESKY_APP_PASSWORD, else from stdin.
    #[arg(long, value_name = "HANDLE")]
    pub handle: Option<String>,
    /// Bluesky only: sign in with AT Protocol OAuth in the browser (PAR + PKCE + DPoP, a
    /// loopback redirect on 127.0.0.1) instead of an app password. `--client-id` may name
    /// a hosted client-metadata URL; by default the localhost development client is used.
    #[arg(long)]
    pub oauth: bool,
    /// How long to wait for consent, seconds.
    #[arg(long, default_value_t = 300)]
    pub timeout: u64,
}

/// `alcance track <platform> @handle`.
#[derive(Args, Debug)]
pub struct TrackArgs {
    #[command(flatten)]
    pub ws: WorkspaceArgs,
    /// x, instagram or bluesky (the APIs that can read profiles the user does not manage).
    pub platform: String,
    /// The profile's handle, with or without `@`.
    pub handle: String,
    /// The connected account whose token reads the profile (id or @username); default:
    /// the one connected account of the platform.
    #[arg(long, value_name = "ID|@USERNAME")]
    pub owner: Option<String>,
}

/// The browser of the CLI's connect flow: prints the authorize URL (always, so a user on
/// another machine can copy it) and, with `--open`, opens it in the system browser.
struct PrintingBrowser {
    open: bool,
}

impl BrowserOpener for PrintingBrowser {
    fn open(&self, url: &url::Url) -> Result<(), PlatformError> {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "Open this page to authorize Alcance:\n{url}");
        let _ = writeln!(out, "Waiting for the platform to redirect back to Alcance…");
        let _ = out.flush();
        if self.open {
            SystemBrowser.open(url)?;
        }
        Ok(())
    }
}

fn parse_platform(raw: &str) -> Result<Platform> {
    raw.trim()
        .to_ascii_lowercase()
        .parse::<Platform>()
        .map_err(|e| anyhow!("{e}"))
}

/// Opens the workspace of `args` for a connect (creating it when the folder holds none).
async fn open_for_connect(args: &WorkspaceArgs) -> Result<Session> {
    args.open(crate::Open::Create).await
}

fn relative_expiry(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match at {
        Some(at) if at > now => format!("expires {}", alcance_app::scheduler::relative(at, now)),
        Some(at) => format!("expired {}", alcance_app::scheduler::relative(at, now)),
        None => "no expiry".into(),
    }
}

fn health(token: TokenHealth) -> &'static str {
    match token {
        TokenHealth::Ok => "ok",
        TokenHealth::ExpiresSoon => "expires soon",
        TokenHealth::Expired => "expired: reconnect",
        TokenHealth::Missing => "missing: reconnect",
        TokenHealth::NeedsReauth => "refused: reconnect",
        TokenHealth::Paused => "paused",
        TokenHealth::Disconnected => "disconnected",
        _ => "unavailable",
    }
}

/// `alcance accounts`: every account with how it is connected, its status, followers,
/// cadence and token health.
pub async fn list(args: &WorkspaceArgs) -> Result<()> {
    let ws = open_workspace(args, false).await?;
    let now = Utc::now();
    let vault = ws.vault().cloned();
    let result = views::accounts(&ws, vault.as_ref().map(|v| v as &dyn TokenVault), now).await;
    let problem = ws.vault_problem().map(str::to_string);
    ws.close().await;
    let accounts = result?;
    if let Some(problem) = problem {
        println!("Token vault: unavailable ({problem})");
    }
    if accounts.is_empty() {
        println!("No accounts yet: `alcance connect <platform>` connects one.");
        return Ok(());
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(vec![
        "ID",
        "Account",
        "Platform",
        "Connection",
        "Status",
        "Followers",
        "Cadence",
        "Token",
    ]);
    for a in &accounts {
        table.add_row(vec![
            Cell::new(a.id).set_alignment(CellAlignment::Right),
            Cell::new(view_label(a)),
            Cell::new(a.platform.label()),
            Cell::new(a.connection),
            Cell::new(a.status),
            Cell::new(a.followers.map_or_else(|| "—".into(), |f| format!("{f:.0}")))
                .set_alignment(CellAlignment::Right),
            Cell::new(a.cadence),
            Cell::new(format!(
                "{} ({})",
                health(a.token),
                relative_expiry(a.token_expires_at, now)
            )),
        ]);
    }
    println!("{table}");
    Ok(())
}

/// `@username`, else the account's label.
fn view_label(a: &AccountView) -> String {
    match &a.username {
        Some(u) => format!("@{u}"),
        None => a.label.clone(),
    }
}

/// `alcance connect <platform>`.
pub async fn connect(args: &ConnectArgs) -> Result<()> {
    let platform = parse_platform(&args.platform)?;
    if platform == Platform::Whatsapp {
        return connect_whatsapp(args).await;
    }
    if platform == Platform::Bluesky {
        return connect_bluesky(args).await;
    }
    if platform == Platform::Threads {
        return connect_threads(args).await;
    }
    let client_id = args
        .client_id
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| anyhow!("--client-id (or ALCANCE_CLIENT_ID) is needed: the developer app's client id"))?
        .to_string();
    let client_secret = std::env::var(CLIENT_SECRET_ENV)
        .ok()
        .filter(|s| !s.trim().is_empty())
        .map(|s| SecretString::from(s.trim().to_string()));
    let ws = open_for_connect(&args.ws).await?;
    let result = connect_oauth(&ws, platform, client_id, client_secret, args).await;
    ws.close().await;
    let accounts = result?;
    for a in &accounts {
        println!(
            "Connected {} ({}) as account {}.",
            account_label(a),
            a.account.platform.label(),
            a.id
        );
    }
    Ok(())
}

async fn connect_oauth(
    ws: &Workspace,
    platform: Platform,
    client_id: String,
    client_secret: Option<SecretString>,
    args: &ConnectArgs,
) -> Result<Vec<AccountRow>> {
    let provider = ws.provider(platform)?;
    let port = args
        .port
        .unwrap_or(if platform == Platform::X { DEFAULT_X_PORT } else { 0 });
    let app = OAuthApp {
        platform,
        client_id,
        client_secret,
        scopes: provider.default_scopes.clone(),
        redirect: RedirectConfig {
            port,
            path: DEFAULT_CALLBACK_PATH.to_string(),
        },
    };
    let browser = PrintingBrowser { open: args.open };
    let timeout = Duration::from_secs(args.timeout.max(1));
    let accounts = if platform == Platform::Facebook {
        let pages = ws.connect_facebook(&app, &browser, timeout).await?;
        if pages.is_empty() {
            bail!("this Facebook user manages no Page Alcance can read");
        }
        pages
    } else {
        ws.connect_accounts(&app, &browser, timeout).await?
    };
    if let Err(e) = ws
        .store()
        .save_app_credentials(
            platform,
            &app.client_id,
            &app.redirect.redirect_uri(port),
            app.client_secret.is_some(),
        )
        .await
    {
        tracing::warn!(error = %e, "saving the developer-app settings failed");
    }
    Ok(accounts)
}

/// WhatsApp: the WABA id from `--waba-id`, the token from the environment or stdin.
async fn connect_whatsapp(args: &ConnectArgs) -> Result<()> {
    let waba_id = args.waba_id.as_deref().map(str::trim).unwrap_or_default().to_string();
    if waba_id.is_empty() || !waba_id.chars().all(|c| c.is_ascii_digit()) {
        bail!("--waba-id is the WhatsApp Business Account id, a number (WhatsApp Manager → Account tools)");
    }
    let token = match std::env::var(WHATSAPP_TOKEN_ENV) {
        Ok(t) if !t.trim().is_empty() => t.trim().to_string(),
        _ => {
            eprintln!("Paste the system-user access token and press Enter (or set {WHATSAPP_TOKEN_ENV}):");
            read_stdin_line("the token")?
        }
    };
    if token.is_empty() {
        bail!("the access token is empty");
    }
    let ws = open_for_connect(&args.ws).await?;
    let result = ws.connect_whatsapp(SecretString::from(token), &waba_id).await;
    ws.close().await;
    let account = result?;
    println!(
        "Connected {} (WhatsApp) as account {}.",
        account.display_name.clone().unwrap_or_else(|| account_label(&account)),
        account.id
    );
    Ok(())
}

/// Threads: a long-lived token (Meta's User Token Generator) from the environment or
/// stdin, validated with `/me` (Threads accepts only HTTPS redirects, so the CLI has no
/// browser flow for it; the desktop finishes one through the hosted callback page).
async fn connect_threads(args: &ConnectArgs) -> Result<()> {
    let token = match std::env::var(THREADS_TOKEN_ENV) {
        Ok(t) if !t.trim().is_empty() => t.trim().to_string(),
        _ => {
            eprintln!(
                "Paste a Threads long-lived token (Meta app dashboard → Use cases → Threads API → Settings → User Token Generator) and press Enter (or set {THREADS_TOKEN_ENV}):"
            );
            read_stdin_line("the token")?
        }
    };
    if token.is_empty() {
        bail!("the Threads token is empty");
    }
    let ws = open_for_connect(&args.ws).await?;
    let result = ws.connect_threads_token(SecretString::from(token)).await;
    ws.close().await;
    let account = result?;
    println!(
        "Connected {} (Threads) as account {}.",
        account_label(&account),
        account.id
    );
    Ok(())
}

/// Bluesky: the handle from `--handle`; with `--oauth` a browser sign-in, otherwise the
/// app password from the environment or stdin.
async fn connect_bluesky(args: &ConnectArgs) -> Result<()> {
    let handle = args.handle.as_deref().map(str::trim).unwrap_or_default().to_string();
    if handle.is_empty() {
        bail!("--handle is the Bluesky handle to connect (alice.bsky.social)");
    }
    if args.oauth {
        let ws = open_for_connect(&args.ws).await?;
        let browser = PrintingBrowser { open: args.open };
        let client_id = args.client_id.clone().filter(|c| !c.trim().is_empty());
        let result = ws
            .connect_bluesky_oauth(
                &handle,
                client_id,
                args.port.unwrap_or(0),
                &browser,
                Duration::from_secs(args.timeout),
            )
            .await;
        ws.close().await;
        let account = result?;
        println!(
            "Signed in to {} (Bluesky, AT Protocol OAuth) as account {}.",
            account_label(&account),
            account.id
        );
        return Ok(());
    }
    let password = match std::env::var(BLUESKY_APP_PASSWORD_ENV) {
        Ok(p) if !p.trim().is_empty() => p.trim().to_string(),
        _ => {
            eprintln!(
                "Paste a Bluesky app password (xxxx-xxxx-xxxx-xxxx, never the account password) and press Enter (or set {BLUESKY_APP_PASSWORD_ENV}):"
            );
            read_stdin_line("the app password")?
        }
    };
    let ws = open_for_connect(&args.ws).await?;
    let result = ws.connect_bluesky(&handle, SecretString::from(password)).await;
    ws.close().await;
    let account = result?;
    println!(
        "Connected {} (Bluesky) as account {}.",
        account_label(&account),
        account.id
    );
    Ok(())
}

/// `alcance track <platform> @handle`.
pub async fn track(args: &TrackArgs) -> Result<()> {
    let platform = parse_platform(&args.platform)?;
    let handle = Workspace::track_handle(platform, &args.handle)?;
    let ws = open_workspace(&args.ws, true).await?;
    let result = async {
        let all = ws.store().list_accounts().await?;
        let owner = match &args.owner {
            Some(spec) => {
                let ids = resolve_accounts(&all, std::slice::from_ref(spec))?;
                ids.first().copied().ok_or_else(|| anyhow!("no account {spec:?}"))?
            }
            None => default_owner(&all, platform)?,
        };
        ws.track_owner(platform, owner).await?;
        let account = ws.track_by_username(platform, &handle, owner).await?;
        let owner_label = all
            .iter()
            .find(|a| owner == a.id)
            .map(account_label)
            .unwrap_or_default();
        Ok::<_, anyhow::Error>((account, owner_label))
    }
    .await;
    ws.close().await;
    let (account, owner) = result?;
    println!(
        "Tracking {} ({}) as account {}, read with {owner}'s token.",
        account_label(&account),
        platform.label(),
        account.id
    );
    Ok(())
}

/// The one connected (owned, not disconnected) account of `platform`.
fn default_owner(all: &[AccountRow], platform: Platform) -> Result<AccountId> {
    let owners: Vec<&AccountRow> = all
        .iter()
        .filter(|a| a.account.platform == platform && a.account.owned && a.status != AccountStatus::Disconnected)
        .collect();
    match owners.as_slice() {
        [one] => Ok(AccountId(one.id)),
        [] => bail!(
            "no connected {} account to read the profile with: `alcance connect {}` first",
            platform.label(),
            platform.as_str()
        ),
        many => bail!(
            "several connected {} accounts ({}); choose one with --owner",
            platform.label(),
            many.iter().map(|a| account_label(a)).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The single account `spec` names.
pub(crate) fn one_account<'a>(all: &'a [AccountRow], spec: &str) -> Result<&'a AccountRow> {
    let ids = resolve_accounts(all, &[spec.to_string()])?;
    ids.first()
        .and_then(|id| all.iter().find(|a| *id == a.id))
        .ok_or_else(|| anyhow!("no account {spec:?}; `alcance accounts` lists them"))
}

/// `alcance disconnect <account>`.
pub async fn disconnect(args: &WorkspaceArgs, spec: &str) -> Result<()> {
    let ws = open_workspace(args, true).await?;
    let result = async {
        let all = ws.store().list_accounts().await?;
        let account = one_account(&all, spec)?;
        Ok::<_, anyhow::Error>(ws.disconnect(AccountId(account.id)).await?)
    }
    .await;
    ws.close().await;
    let account = result?;
    println!(
        "Disconnected {} ({}): it is no longer collected; its data stays. `alcance connect {}` resumes it.",
        account_label(&account),
        account.account.platform.label(),
        account.account.platform.as_str()
    );
    Ok(())
}

/// `alcance delete-data <account>`: asks for the handle on stdin unless `yes`.
pub async fn delete_data(args: &WorkspaceArgs, spec: &str, yes: bool) -> Result<()> {
    let ws = open_workspace(args, true).await?;
    let result = async {
        let all = ws.store().list_accounts().await?;
        let account = one_account(&all, spec)?.clone();
        let label = account_label(&account);
        if !yes {
            eprintln!(
                "This deletes every metric, post and audience row of {label} ({}) and its token. It cannot be undone.",
                account.account.platform.label()
            );
            eprintln!("Type {label} to confirm:");
            let line = read_stdin_line("the confirmation")?;
            let typed = line.as_str();
            let expected = label.trim_start_matches('@');
            if typed.trim_start_matches('@') != expected || typed.is_empty() {
                bail!("not deleted: the confirmation did not match {label}");
            }
        }
        ws.delete_account(AccountId(account.id)).await?;
        Ok::<_, anyhow::Error>(account)
    }
    .await;
    ws.close().await;
    let account = result?;
    println!(
        "Deleted {} ({}) with all its data.",
        account_label(&account),
        account.account.platform.label()
    );
    Ok(())
}

/// One line from standard input, trimmed. Errors: stdin cannot be read (`what` names what
/// was asked for).
pub(crate) fn read_stdin_line(what: &str) -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .with_context(|| format!("reading {what} from stdin"))?;
    Ok(line.trim().to_string())
}
