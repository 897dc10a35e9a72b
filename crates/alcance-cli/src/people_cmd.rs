//! `alcance user …` and `alcance token …`: the people of a served workspace (`alcance
//! serve`) from the command line. The first admin comes from here; later people are
//! invited from the admin screen. Whoever runs these holds the workspace (its folder or
//! its database URL), so no sign-in is asked; every change lands in the audit log.

use crate::{Open, WorkspaceArgs};
use alcance_app::people::{self, Role, Shares};
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use std::io::{BufRead, IsTerminal, Write};

/// `alcance user …`.
#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a user. The password comes from stdin when stdin is not a terminal (one line),
    /// else it is asked for twice without echo.
    Add {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// Their email (they sign in with it; any letter case).
        email: String,
        /// Their role: admin (everything, people), manager (accounts, campaigns,
        /// collection), analyst (read everything, export), client (read what is shared).
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// List the users: email, role, whether a password is set, when added.
    List {
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// Remove a user with their sessions, tokens and shares (never the last admin).
    Remove {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// Their email.
        email: String,
    },
    /// Give a user another role (their sessions end; their tokens above it come down).
    SetRole {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// Their email.
        email: String,
        /// The new role.
        #[arg(value_parser = parse_role)]
        role: Role,
    },
    /// Print a one-time password-reset token (good for an hour) to hand to the user: no
    /// email is sent (SMTP is not configured).
    ResetPassword {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// Their email.
        email: String,
        /// The server's address, for the instructions printed.
        #[arg(long, default_value = "http://127.0.0.1:8780", value_name = "URL")]
        server: String,
    },
    /// Set what a client user may see: these accounts (and campaigns), no other.
    Share {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The client's email.
        email: String,
        /// Account ids (as `alcance accounts` lists them), comma separated.
        #[arg(long, value_delimiter = ',')]
        accounts: Vec<i64>,
        /// Campaign ids, comma separated.
        #[arg(long, value_delimiter = ',')]
        campaigns: Vec<i64>,
    },
}

/// `alcance token …`.
#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Make an API token for BI tools (sent as `Authorization: Bearer`), with a role no
    /// higher than its user's. Prints the token once; only its hash is kept.
    Create {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The owner's email.
        #[arg(long)]
        user: String,
        /// The token's role (at most the user's).
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// A name for people ("Power BI, finance").
        #[arg(long)]
        name: String,
    },
    /// List the API tokens (never their secrets): id, owner, name, role, last use, revoked.
    List {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// Only this user's.
        #[arg(long)]
        user: Option<String>,
    },
    /// Revoke an API token: it is refused from now on.
    Revoke {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The token id (`alcance token list`).
        id: i64,
    },
}

fn parse_role(name: &str) -> Result<Role, String> {
    Role::parse(name).map_err(|e| e.to_string())
}

/// A password from stdin: one line when it is not a terminal; else asked twice with the
/// terminal's echo off (`stty -echo` on Unix; where that fails it is read with echo).
fn read_password() -> Result<String> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .context("reading the password from stdin")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = prompt_hidden("Password: ")?;
    let second = prompt_hidden("Again: ")?;
    if first != second {
        bail!("the two passwords differ");
    }
    Ok(first)
}

fn prompt_hidden(prompt: &str) -> Result<String> {
    eprint!("{prompt}");
    std::io::stderr().flush().ok();
    let echo_off = stty("-echo");
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    if echo_off {
        stty("echo");
        eprintln!();
    }
    read.context("reading the password")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Runs `stty ARG` on the terminal; `true` when it worked.
fn stty(arg: &str) -> bool {
    if cfg!(unix) {
        std::process::Command::new("stty")
            .arg(arg)
            .stdin(std::process::Stdio::inherit())
            .status()
            .is_ok_and(|s| s.success())
    } else {
        false
    }
}

fn time(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map_or_else(|| "—".to_string(), |t| t.format("%Y-%m-%d %H:%M UTC").to_string())
}

/// Runs `alcance user …`.
pub async fn user(command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Add { ws, email, role } => {
            let password = read_password()?;
            let session = ws.open(Open::ReadOnly).await?;
            let added = people::add_user(session.workspace(), None, &email, role, Some(&password)).await;
            session.close().await;
            let user = added?;
            println!("Added {} ({}).", user.email, user.role);
        }
        UserCommand::List { ws } => {
            let session = ws.open(Open::ReadOnly).await?;
            let users = people::users(session.workspace()).await;
            session.close().await;
            let mut table = Table::new();
            table.load_preset(UTF8_FULL_CONDENSED);
            table.set_header(["Id", "Email", "Role", "Password", "Added"]);
            for u in users? {
                let password = if u.has_password { "set" } else { "invited" };
                table.add_row([
                    u.id.to_string(),
                    u.email,
                    u.role.to_string(),
                    password.to_string(),
                    time(Some(u.created_at)),
                ]);
            }
            println!("{table}");
        }
        UserCommand::Remove { ws, email } => {
            let session = ws.open(Open::ReadOnly).await?;
            let removed = people::remove_user(session.workspace(), None, &email).await;
            session.close().await;
            removed?;
            println!("Removed {}.", email.trim().to_lowercase());
        }
        UserCommand::SetRole { ws, email, role } => {
            let session = ws.open(Open::ReadOnly).await?;
            let set = people::set_role(session.workspace(), None, &email, role).await;
            session.close().await;
            let user = set?;
            println!("{} is now {}.", user.email, user.role);
        }
        UserCommand::ResetPassword { ws, email, server } => {
            let session = ws.open(Open::ReadOnly).await?;
            let issued = people::password_reset_token(session.workspace(), None, &email).await;
            session.close().await;
            let token = issued?;
            println!(
                "One-time password-reset token for {} (good for an hour, once):",
                email.trim().to_lowercase()
            );
            println!("{token}");
            println!(
                "No email is sent. Hand it to them; they set a new password with\n  curl -X POST {}/api/v1/password-reset/confirm -H 'content-type: application/json' -d '{{\"token\": \"<token>\", \"password\": \"<new password>\"}}'",
                server.trim_end_matches('/')
            );
        }
        UserCommand::Share {
            ws,
            email,
            accounts,
            campaigns,
        } => {
            let session = ws.open(Open::ReadOnly).await?;
            let shares = Shares { accounts, campaigns };
            let shared = people::set_shares(session.workspace(), None, &email, &shares).await;
            session.close().await;
            shared?;
            println!(
                "{} now sees accounts {:?} and campaigns {:?}.",
                email.trim().to_lowercase(),
                shares.accounts,
                shares.campaigns
            );
        }
    }
    Ok(())
}

/// Runs `alcance token …`.
pub async fn token(command: TokenCommand) -> Result<()> {
    match command {
        TokenCommand::Create { ws, user, role, name } => {
            let session = ws.open(Open::ReadOnly).await?;
            let made = people::create_api_token(session.workspace(), None, &user, role, &name).await;
            session.close().await;
            let (token, secret) = made?;
            eprintln!(
                "API token {} \"{}\" ({}) for {}. Shown once: keep it now.",
                token.id, token.name, token.role, token.email
            );
            println!("{secret}");
        }
        TokenCommand::List { ws, user } => {
            let session = ws.open(Open::ReadOnly).await?;
            let tokens = people::api_tokens(session.workspace(), user.as_deref()).await;
            session.close().await;
            let mut table = Table::new();
            table.load_preset(UTF8_FULL_CONDENSED);
            table.set_header(["Id", "User", "Name", "Role", "Created", "Last used", "Revoked"]);
            for t in tokens? {
                table.add_row([
                    t.id.to_string(),
                    t.email,
                    t.name,
                    t.role.to_string(),
                    time(Some(t.created_at)),
                    time(t.last_used_at),
                    time(t.revoked_at),
                ]);
            }
            println!("{table}");
        }
        TokenCommand::Revoke { ws, id } => {
            let session = ws.open(Open::ReadOnly).await?;
            let revoked = people::revoke_api_token(session.workspace(), None, id).await;
            session.close().await;
            let token = revoked?;
            println!("Revoked API token {} \"{}\" of {}.", token.id, token.name, token.email);
        }
    }
    Ok(())
}
