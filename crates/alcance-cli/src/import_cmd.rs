//! `alcance import KIND FILE --account ID|@HANDLE [--map COLUMN=FIELD ...] [--dry-run]`:
//! imports a platform export (the X archive's tweets.js, Meta Business Suite, TikTok
//! Studio and YouTube Studio exports, any CSV with a column mapping) into one account,
//! through `alcance_app::imports` (docs/imports.md). Prints what was read, added, already
//! stored, in conflict with stored values (kept) and refused, line by line.

use crate::WorkspaceArgs;
use alcance_app::imports::{import_file, ColumnMap, ImportKind, ImportOutcome, ImportRequest};
use alcance_app::{AccountId, Platform};
use anyhow::{bail, Context, Result};
use chrono::Utc;
use clap::Args;
use std::path::{Path, PathBuf};

/// The arguments of `alcance import`.
#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    #[command(flatten)]
    ws: WorkspaceArgs,
    /// The kind of export: x-archive (tweets.js), meta-posts, meta-daily, tiktok-daily
    /// (Overview.csv, FollowerHistory.csv), tiktok-videos, youtube-videos (Table data.csv by
    /// video), youtube-daily (by date), generic-csv (with --map).
    #[arg(value_name = "KIND")]
    kind: String,
    /// The exported file.
    file: PathBuf,
    /// The account to import into: its id, @username, the platform's account id, or
    /// platform:@username (x:@ana).
    #[arg(long, value_name = "ID|@USERNAME")]
    account: String,
    /// generic-csv: a column and what it holds, COLUMN=FIELD, FIELD being post_id, date,
    /// published_at, caption, permalink or a metric key (likes, views, reach, ...); repeat it.
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    map: Vec<String>,
    /// Show what would be imported and store nothing.
    #[arg(long)]
    dry_run: bool,
}

/// The kind named on the command line (`x-archive` or `x_archive`, any case).
fn kind_of(name: &str) -> Result<ImportKind> {
    let key = name.trim().to_ascii_lowercase().replace('-', "_");
    let key = match key.as_str() {
        "tweets" | "tweets.js" | "x" => "x_archive",
        "generic" | "csv" => "generic_csv",
        other => other,
    };
    key.parse::<ImportKind>().map_err(|_| {
        anyhow::anyhow!(
            "unknown kind {name:?}; the kinds are {}",
            ImportKind::ALL
                .iter()
                .map(|k| k.as_str().replace('_', "-"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// Runs `alcance import`.
pub(crate) async fn import(args: ImportArgs) -> Result<()> {
    let kind = kind_of(&args.kind)?;
    let map = ColumnMap::from_args(&args.map).map_err(|e| anyhow::anyhow!(e))?;
    if kind == ImportKind::GenericCsv && map.columns.is_empty() {
        bail!("generic-csv needs --map COLUMN=FIELD for the post id or date column and each metric column");
    }
    let bytes = std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let workspace = args.ws.open(crate::Open::ReadOnly).await?;
    let result = async {
        let (platform, spec) = match args.account.split_once(':') {
            Some((p, rest)) => match p.parse::<Platform>() {
                Ok(p) => (Some(p), rest),
                Err(_) => (None, args.account.as_str()),
            },
            None => (None, args.account.as_str()),
        };
        let account = alcance_app::reports::find_account(&workspace, spec, platform).await?;
        let name = args.file.to_string_lossy();
        let request = ImportRequest {
            account: AccountId::from(account.id),
            kind,
            file_name: &name,
            bytes: &bytes,
            map: &map,
            dry_run: args.dry_run,
        };
        import_file(&workspace, &request, Utc::now()).await
    }
    .await;
    workspace.close().await;
    print_outcome(&args.file, &result?)
}

/// Prints the counts, conflicts and line errors; an error when lines were refused.
fn print_outcome(file: &Path, o: &ImportOutcome) -> Result<()> {
    if let Some(earlier) = &o.already_imported {
        println!(
            "{}: already imported into this account on {} (import {}, as {}); nothing added",
            file.display(),
            earlier.imported_at.format("%Y-%m-%d %H:%M UTC"),
            earlier.id,
            earlier.file_name
        );
        return Ok(());
    }
    println!(
        "{}{}: {} read, {} added, {} duplicates, {} conflicts, {} errors ({} new posts)",
        if o.dry_run { "dry run, nothing stored — " } else { "" },
        file.display(),
        o.rows_read,
        o.added,
        o.duplicates,
        o.conflicts.len(),
        o.errors.len(),
        o.posts_created
    );
    if !o.ignored_columns.is_empty() {
        println!("Ignored column(s): {}", o.ignored_columns.join(", "));
    }
    const SHOWN: usize = 50;
    if !o.conflicts.is_empty() {
        println!("Conflicts (the stored value is kept):");
        for c in o.conflicts.iter().take(SHOWN) {
            let what = match (&c.post_id, &c.day) {
                (Some(p), _) => format!("post {p}"),
                (None, Some(d)) => format!("day {d}"),
                (None, None) => String::new(),
            };
            let stored = c.stored_value.map_or_else(|| "empty".to_string(), |v| v.to_string());
            println!(
                "  line {}: {} of {what}: stored {stored} ({}), file {}",
                c.line, c.metric, c.stored_source, c.imported_value
            );
        }
        if o.conflicts.len() > SHOWN {
            println!("  … and {} more", o.conflicts.len() - SHOWN);
        }
    }
    for e in o.errors.iter().take(SHOWN) {
        eprintln!("  {e}");
    }
    if o.errors.len() > SHOWN {
        eprintln!("  … and {} more", o.errors.len() - SHOWN);
    }
    if o.errors.is_empty() {
        Ok(())
    } else {
        bail!(
            "{} line(s) of {} were refused (listed above); the other lines were {}",
            o.errors.len(),
            file.display(),
            if o.dry_run { "read" } else { "imported" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_named_with_dashes_or_underscores() {
        assert_eq!(kind_of("x-archive").ok(), Some(ImportKind::XArchive));
        assert_eq!(kind_of("Meta_Posts").ok(), Some(ImportKind::MetaPosts));
        assert_eq!(kind_of("tweets.js").ok(), Some(ImportKind::XArchive));
        let err = kind_of("instagram").unwrap_err().to_string();
        assert!(err.contains("meta-posts"), "{err}");
    }
}
