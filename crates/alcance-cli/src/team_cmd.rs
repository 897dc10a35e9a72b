//! `alcance team create | join` and `alcance vault rotate-key`: setting up a team workspace
//! on PostgreSQL and handing its workspace key around. The key is printed once (or written
//! to a `0600` file) and kept in the member's OS keychain when one works; it never enters
//! the database, a log or an argument.

use crate::WorkspaceArgs;
use alcance_app::vault::WorkspaceKey;
use alcance_app::{PostgresUrl, StoreLocation, Team, TeamKeySource};
use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Subcommand};
use secrecy::{ExposeSecret, SecretString};
use std::path::{Path, PathBuf};

/// `alcance team …`
#[derive(Subcommand)]
pub enum TeamCommand {
    /// Make a PostgreSQL database a team workspace: creates the schema and a workspace key,
    /// prints the key once (or writes it to --key-file) and keeps it in this machine's OS
    /// keychain. Give the key to every machine that collects or connects accounts.
    Create(TeamArgs),
    /// Join a team workspace from this machine: checks the workspace key (from
    /// ALCANCE_VAULT_KEY, --key-file, or typed on stdin) against the database and keeps it
    /// in the OS keychain, so later commands need only --workspace.
    Join(TeamArgs),
}

/// The team database and where the key goes or comes from.
#[derive(Args)]
pub struct TeamArgs {
    /// The database: postgres://user@host:5432/db (a password in the URL or in PGPASSWORD
    /// is never printed).
    #[arg(value_name = "URL")]
    database: String,
    /// create: write the key to this file (mode 0600) instead of printing it. join: read
    /// the key from this file.
    #[arg(long, value_name = "FILE")]
    key_file: Option<PathBuf>,
}

/// `alcance vault …`
#[derive(Subcommand)]
pub enum VaultCommand {
    /// Make a new workspace key for a team workspace and re-seal every token under it
    /// (needs the current key). Prints the new key once (or writes --key-file); machines
    /// with the old key then get a clear "wrong workspace key" error until given the new one.
    RotateKey {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// Write the new key to this file (mode 0600) instead of printing it.
        #[arg(long, value_name = "FILE")]
        key_file: Option<PathBuf>,
    },
    /// Print a new workspace key without touching any database.
    NewKey,
}

fn team_of(database: &str, dir: PathBuf) -> Result<Team> {
    match StoreLocation::parse(database) {
        StoreLocation::Postgres(url) => Ok(Team::new(url, &dir)),
        _ => bail!("a team workspace is a PostgreSQL database: give a postgres://user@host:5432/db URL"),
    }
}

/// `alcance team create | join`.
pub async fn team(command: TeamCommand, local: impl Fn(&PostgresUrl) -> Result<PathBuf>) -> Result<()> {
    match command {
        TeamCommand::Create(args) => {
            let probe = team_of(&args.database, PathBuf::new())?;
            let team = Team::new(probe.database.clone(), &local(&probe.database)?);
            let key = team.create().await?;
            println!("Team workspace ready in {}.", team.database);
            hand_out(&team, &key, args.key_file.as_deref())?;
            println!(
                "Every machine of the team: `alcance team join {}` (with ALCANCE_VAULT_KEY set or --key-file), then \
                 `alcance run --workspace {}`.",
                team.database, team.database
            );
            Ok(())
        }
        TeamCommand::Join(args) => {
            let probe = team_of(&args.database, PathBuf::new())?;
            let team = Team::new(probe.database.clone(), &local(&probe.database)?);
            let mut source = TeamKeySource::from_env();
            source.keychain = false;
            if let Some(file) = args.key_file {
                source.file = Some(file);
            }
            if source.text.is_none() && source.file.is_none() {
                eprintln!("Paste the workspace key (alcance-key-1:…) and press Enter:");
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .context("reading the key from stdin")?;
                source.text = Some(SecretString::from(line.trim().to_string()));
            }
            let key = team.key(&source)?;
            let id = key.id().to_string();
            // Opening the vault checks the key against the team's key check.
            team.vault(key).await.context("checking the workspace key")?;
            let text = match (&source.text, &source.file) {
                (Some(text), _) => text.clone(),
                (None, Some(file)) => SecretString::from(
                    std::fs::read_to_string(file)
                        .with_context(|| format!("reading {}", file.display()))?
                        .trim()
                        .to_string(),
                ),
                (None, None) => return Err(anyhow!("no workspace key was given")),
            };
            match team.remember_key(&text) {
                Ok(()) => println!(
                    "Joined {} (workspace key {id}); the key is in this machine's OS keychain.",
                    team.database
                ),
                Err(e) => println!(
                    "Joined {} (workspace key {id}). No OS keychain here ({e}): set ALCANCE_VAULT_KEY or \
                     ALCANCE_VAULT_KEY_FILE for every command.",
                    team.database
                ),
            }
            Ok(())
        }
    }
}

/// `alcance vault rotate-key | new-key`.
pub async fn vault(command: VaultCommand) -> Result<()> {
    match command {
        VaultCommand::NewKey => {
            let (key, text) = WorkspaceKey::generate()?;
            println!("{}", text.expose_secret());
            eprintln!("(workspace key {}; keep it secret)", key.id());
            Ok(())
        }
        VaultCommand::RotateKey { ws, key_file } => {
            let team = ws
                .team()?
                .ok_or_else(|| anyhow!("rotate-key works on a team workspace: pass --workspace postgres://…"))?;
            let current = team.key(&TeamKeySource::from_env())?;
            let (done, text) = team.rotate_key(current).await?;
            println!(
                "Re-sealed {} token(s) under the new workspace key ({} already were).",
                done.resealed, done.unchanged
            );
            hand_out(&team, &text, key_file.as_deref())?;
            Ok(())
        }
    }
}

/// Gives the new key to the user: into `file` (0600) or printed once; and into this
/// machine's keychain when one works.
fn hand_out(team: &Team, key: &SecretString, file: Option<&Path>) -> Result<()> {
    let id = WorkspaceKey::parse(key)?.id().to_string();
    match file {
        Some(path) => {
            write_private(path, key)?;
            println!("Workspace key {id} written to {} (mode 0600).", path.display());
        }
        None => {
            println!("Workspace key {id} (shown once; store it like a password):");
            println!("{}", key.expose_secret());
        }
    }
    match team.remember_key(key) {
        Ok(()) => println!("This machine keeps it in its OS keychain."),
        Err(e) => println!("No OS keychain here ({e}): set ALCANCE_VAULT_KEY or ALCANCE_VAULT_KEY_FILE."),
    }
    Ok(())
}

/// Writes `key` to `path`, readable by its owner only.
fn write_private(path: &Path, key: &SecretString) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    writeln!(file, "{}", key.expose_secret()).with_context(|| format!("writing {}", path.display()))?;
    file.sync_all().with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// `alcance workspace …`
#[derive(Subcommand)]
pub enum WorkspaceCommand {
    /// Copy a whole workspace between a folder and a team's PostgreSQL database, either way
    /// (folder → postgres://… and back), in batches with a progress bar. Run it again after
    /// an interruption: it resumes. Ends with each table's row counts and checksums side by
    /// side. Tokens stay in the vault they are in: reconnect the accounts on the other side.
    Copy {
        /// Source: a workspace folder or postgres://user@host:5432/db.
        #[arg(value_name = "SRC")]
        source: String,
        /// Destination: a folder (created) or postgres://… (migrated when new).
        #[arg(value_name = "DST")]
        destination: String,
        /// Rows per transaction.
        #[arg(long, default_value_t = alcance_app::copy::DEFAULT_BATCH)]
        batch: usize,
        /// Also move the tokens and client secrets from the source's vault into the
        /// destination's (a folder's: the OS keychain, or vault.enc with
        /// ALCANCE_VAULT_PASSPHRASE; a team's: the team vault, with its workspace key).
        #[arg(long)]
        with_tokens: bool,
    },
    /// Encrypt the workspace database in place (SQLCipher, AES-256) with a new random key
    /// kept in the workspace's vault (the OS keychain, else vault.enc with
    /// ALCANCE_VAULT_PASSPHRASE). Every row is checked after; quit the app and
    /// `alcance run` first. New workspaces are encrypted already; the demo's is not.
    Encrypt {
        #[command(flatten)]
        workspace: WorkspaceArgs,
    },
    /// Decrypt the workspace database in place (for tools that read plain SQLite); its key
    /// leaves the vault unless encrypted backups still need it.
    Decrypt {
        #[command(flatten)]
        workspace: WorkspaceArgs,
    },
}

/// `alcance workspace copy`.
pub async fn workspace(command: WorkspaceCommand) -> Result<()> {
    use alcance_app::copy::{copy_workspace, CopyProgress};
    use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};
    use indicatif::{ProgressBar, ProgressStyle};
    let (source, destination, batch, with_tokens) = match command {
        WorkspaceCommand::Copy {
            source,
            destination,
            batch,
            with_tokens,
        } => (source, destination, batch, with_tokens),
        WorkspaceCommand::Encrypt { workspace } => return convert(&workspace, true).await,
        WorkspaceCommand::Decrypt { workspace } => return convert(&workspace, false).await,
    };
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template("{msg:>22} [{bar:40}] {pos}/{len} rows ({per_sec})") {
        bar.set_style(style.progress_chars("=> "));
    }
    let report = copy_workspace(&source, &destination, batch, crate::passphrase(), |p| match p {
        CopyProgress::Table { table, rows } => {
            bar.set_message(table);
            bar.set_length(u64::try_from(rows).unwrap_or_default());
            bar.set_position(0);
        }
        CopyProgress::Rows { copied, .. } => bar.set_position(copied),
        CopyProgress::Verifying => bar.set_message("verifying"),
    })
    .await;
    bar.finish_and_clear();
    let report = report?;
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_header(vec![
        "Table",
        "Copied now",
        "Rows (source)",
        "Rows (copy)",
        "SHA-256 (source)",
        "SHA-256 (copy)",
        "",
    ]);
    for t in &report {
        table.add_row(vec![
            Cell::new(t.table),
            Cell::new(t.copied).set_alignment(CellAlignment::Right),
            Cell::new(t.source.rows).set_alignment(CellAlignment::Right),
            Cell::new(t.destination.rows).set_alignment(CellAlignment::Right),
            Cell::new(&t.source.sha256[..16]),
            Cell::new(&t.destination.sha256[..16]),
            Cell::new(if t.matches() { "ok" } else { "DIFFERENT" }),
        ]);
    }
    println!("{table}");
    let different: Vec<&str> = report.iter().filter(|t| !t.matches()).map(|t| t.table).collect();
    if !different.is_empty() {
        bail!(
            "the copy differs from the source in {} (was the source written to meanwhile? run the copy again)",
            different.join(", ")
        );
    }
    if !with_tokens {
        println!(
            "Copied and verified: every table matches. Tokens stay where they were: reconnect the accounts on \
             the copy, or run this again with --with-tokens."
        );
        return Ok(());
    }
    let end = |location: &str| WorkspaceArgs {
        workspace: Some(location.to_string()),
        sandbox_url: None,
    };
    let from = end(&source)
        .open(crate::Open::Existing(alcance_app::VaultNeed::Required))
        .await?;
    let to = end(&destination).open(crate::Open::Create).await?;
    let (Some(from_vault), Some(to_vault)) = (from.vault().cloned(), to.vault().cloned()) else {
        bail!("a vault could not be opened");
    };
    let moved = alcance_app::copy::copy_tokens(from.store(), from_vault, to_vault).await;
    from.close().await;
    to.close().await;
    println!(
        "Copied and verified: every table matches; {} token(s) and secret(s) copied into the destination's vault.",
        moved?
    );
    Ok(())
}

/// `alcance workspace encrypt | decrypt`.
async fn convert(args: &WorkspaceArgs, encrypt: bool) -> Result<()> {
    if args.team()?.is_some() {
        bail!("a team workspace lives in PostgreSQL, whose encryption at rest is the server's; this converts a folder's alcance.db");
    }
    let dir = args.dir()?;
    let vault = alcance_app::session::workspace_vault(&dir, crate::passphrase()).await?;
    let done = if encrypt {
        alcance_app::at_rest::encrypt_workspace(&dir, vault.as_ref()).await?
    } else {
        alcance_app::at_rest::decrypt_workspace(&dir, vault.as_ref()).await?
    };
    let rows: i64 = done.rows.iter().map(|(_, n)| n).sum();
    println!(
        "{} {}: {} tables, {rows} rows checked, {:.1} MiB.",
        if encrypt {
            "Encrypted (AES-256, key in the vault)"
        } else {
            "Decrypted"
        },
        dir.join("alcance.db").display(),
        done.rows.len(),
        done.bytes as f64 / (1024.0 * 1024.0)
    );
    if encrypt {
        println!("Backups taken before today stay as they were; new ones are encrypted.");
    }
    Ok(())
}
