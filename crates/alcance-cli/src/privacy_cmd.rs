//! LGPD / GDPR from the command line (docs/PRIVACY.md): `alcance account export` (everything
//! about one account, a ZIP), `alcance privacy consent | withdraw | status | retention |
//! prune`. Every change is written to the workspace's audit log with the OS user.

use crate::accounts_cmd::one_account;
use crate::{account_label, open_workspace, WorkspaceArgs};
use alcance_app::privacy::{consent_text, os_user};
use alcance_app::AccountId;
use anyhow::{bail, Result};
use clap::Subcommand;
use std::path::PathBuf;

/// `alcance account …`: one account's data.
#[derive(Subcommand)]
pub enum AccountCommand {
    /// Export everything stored about one account: a ZIP with every table's rows of it as
    /// CSV and JSON and a manifest.json (row counts, SHA-256 of each file). No token is in it.
    Export {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The account: its id, @username or platform:@username (x:@ana).
        #[arg(value_name = "ID|@USERNAME")]
        account: String,
        /// The ZIP to write.
        #[arg(long, value_name = "FILE.zip")]
        out: PathBuf,
    },
}

/// `alcance privacy …`: consent for audience data, retention of raw responses.
#[derive(Subcommand)]
pub enum PrivacyCommand {
    /// Consent, as the OS user, to collect demographic (audience) data: prints the text and records it.
    Consent {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The language of the text agreed to: en or pt-BR.
        #[arg(long, default_value = "en")]
        language: String,
    },
    /// Withdraw the consent: audience data is no longer collected and every stored row of it is deleted.
    Withdraw {
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// The consent record and the retention setting.
    Status {
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// Keep raw API responses this many days (deleted after each run), or `forever` (the default).
    Retention {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// Days (1 or more), or `forever`.
        #[arg(value_name = "DAYS|forever")]
        days: String,
    },
    /// Delete now the raw responses older than the retention.
    Prune {
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
}

impl PrivacyCommand {
    /// The workspace the command acts on.
    fn ws(&self) -> &WorkspaceArgs {
        match self {
            PrivacyCommand::Consent { ws, .. }
            | PrivacyCommand::Withdraw { ws }
            | PrivacyCommand::Status { ws }
            | PrivacyCommand::Retention { ws, .. }
            | PrivacyCommand::Prune { ws } => ws,
        }
    }
}

/// `alcance account …`.
pub async fn account(command: AccountCommand) -> Result<()> {
    match command {
        AccountCommand::Export { ws, account, out } => {
            let ws = open_workspace(&ws, false).await?;
            let result = async {
                let all = ws.store().list_accounts().await?;
                let row = one_account(&all, &account)?.clone();
                let manifest = ws.export_account(AccountId(row.id), &out, &os_user()).await?;
                Ok::<_, anyhow::Error>((row, manifest))
            }
            .await;
            ws.close().await;
            let (row, manifest) = result?;
            let rows = manifest.total_rows();
            println!(
                "Exported {} ({}): {rows} rows in {} tables to {} (manifest.json lists each file's SHA-256).",
                account_label(&row),
                row.account.platform.label(),
                manifest.files.len() / 2,
                out.display()
            );
            Ok(())
        }
    }
}

/// Parses `forever` or a number of days (at least 1).
fn parse_days(raw: &str) -> Result<Option<u32>> {
    let raw = raw.trim();
    if raw.eq_ignore_ascii_case("forever") || raw.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    match raw.trim_end_matches('d').parse::<u32>() {
        Ok(0) | Err(_) => bail!("{raw:?} is not a retention: give a number of days (1 or more) or `forever`"),
        Ok(days) => Ok(Some(days)),
    }
}

/// `alcance privacy …`.
pub async fn privacy(command: PrivacyCommand) -> Result<()> {
    if let PrivacyCommand::Retention { days, .. } = &command {
        parse_days(days)?;
    }
    let ws = open_workspace(command.ws(), false).await?;
    let result = async {
        let by = os_user();
        match command {
            PrivacyCommand::Consent { language, .. } => {
                let (_, text) = consent_text(&language);
                println!("{text}\n");
                let consent = ws.grant_audience_consent(&language, &by).await?;
                println!(
                    "Consent recorded ({}, {}) by {} at {}: audience data is collected from the next run on.",
                    consent.text_version, consent.language, consent.granted_by, consent.granted_at
                );
            }
            PrivacyCommand::Withdraw { .. } => match ws.withdraw_audience_consent(&by).await? {
                Some(deleted) => println!(
                    "Consent withdrawn by {by}: {deleted} audience rows deleted; audience data is no longer collected."
                ),
                None => println!("No consent was active: audience data is not collected."),
            },
            PrivacyCommand::Status { .. } => {
                let record = ws.audience_consents().await?;
                match record.iter().find(|c| c.is_active()) {
                    Some(c) => println!(
                        "Audience data: collected (consent {} in {} by {} at {}).",
                        c.text_version, c.language, c.granted_by, c.granted_at
                    ),
                    None => println!("Audience data: not collected (no active consent; `alcance privacy consent`)."),
                }
                for c in record.iter().filter(|c| !c.is_active()) {
                    println!(
                        "  withdrawn: {} granted by {} at {}, withdrawn by {} at {} ({} rows deleted)",
                        c.text_version,
                        c.granted_by,
                        c.granted_at,
                        c.withdrawn_by.as_deref().unwrap_or("?"),
                        c.withdrawn_at.map(|t| t.to_string()).unwrap_or_default(),
                        c.rows_deleted.unwrap_or(0)
                    );
                }
                match ws.raw_retention_days().await? {
                    Some(days) => println!("Raw API responses: kept {days} days."),
                    None => println!("Raw API responses: kept forever."),
                }
            }
            PrivacyCommand::Retention { days, .. } => {
                let days = parse_days(&days)?;
                ws.set_raw_retention_days(days, &by).await?;
                match days {
                    Some(d) => println!("Raw API responses are kept {d} days; older ones go after each run (or `alcance privacy prune`)."),
                    None => println!("Raw API responses are kept forever."),
                }
            }
            PrivacyCommand::Prune { .. } => {
                let deleted = ws.prune_raw_responses(&by).await?;
                println!("{deleted} raw responses past the retention deleted.");
            }
        }
        Ok::<_, anyhow::Error>(())
    }
    .await;
    ws.close().await;
    result
}

#[cfg(test)]
mod tests {
    use super::parse_days;

    #[test]
    fn retention_is_days_or_forever() {
        assert_eq!(parse_days("forever").unwrap(), None);
        assert_eq!(parse_days("30").unwrap(), Some(30));
        assert_eq!(parse_days("90d").unwrap(), Some(90));
        assert!(parse_days("0").is_err());
        assert!(parse_days("-3").is_err());
        assert!(parse_days("soon").is_err());
    }
}
