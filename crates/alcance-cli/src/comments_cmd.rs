//! `alcance comments list|counts`: the comments, replies, mentions and tags the
//! collections read (issue 17 point 3; docs/comments.md), through
//! `alcance_app::comments`.

use crate::WorkspaceArgs;
use alcance_app::comments::{self, CommentFilter, CommentKind};
use alcance_app::format::DASH;
use alcance_app::reports;
use alcance_app::Platform;
use anyhow::{anyhow, Result};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};

/// `alcance comments …`.
#[derive(Subcommand)]
pub enum CommentsCommand {
    /// List comments, replies, mentions and tags, newest first.
    List(ListArgs),
    /// Per post: the comments stored against the platform's own counter.
    Counts(CountArgs),
}

/// `alcance comments list`.
#[derive(Args)]
pub struct ListArgs {
    #[command(flatten)]
    ws: WorkspaceArgs,
    /// Only this account (id, @username or platform account id).
    #[arg(long, value_name = "ACCOUNT")]
    account: Option<String>,
    /// Only this platform (instagram, facebook, x).
    #[arg(long)]
    platform: Option<Platform>,
    /// Only the comments on this post (the platform's post id).
    #[arg(long, value_name = "POST_ID")]
    post: Option<String>,
    /// Only this kind: comment, reply, mention or tag.
    #[arg(long)]
    kind: Option<CommentKind>,
    /// Written on or after this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    since: Option<NaiveDate>,
    /// Written on or before this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    until: Option<NaiveDate>,
    /// Words to search for in the text and the author's handle (each must begin a word).
    #[arg(long, value_name = "WORDS")]
    search: Option<String>,
    /// Also list comments deleted on the platform.
    #[arg(long)]
    include_deleted: bool,
    /// Most comments to print.
    #[arg(long, default_value_t = 50)]
    limit: u32,
}

/// `alcance comments counts`.
#[derive(Args)]
pub struct CountArgs {
    #[command(flatten)]
    ws: WorkspaceArgs,
    /// Only this account (id, @username or platform account id).
    #[arg(long, value_name = "ACCOUNT")]
    account: Option<String>,
    /// Most posts to print.
    #[arg(long, default_value_t = 50)]
    limit: u32,
}

/// Runs `alcance comments …`.
pub async fn comments(command: CommentsCommand) -> Result<()> {
    match command {
        CommentsCommand::List(args) => list(args).await,
        CommentsCommand::Counts(args) => counts(args).await,
    }
}

/// The text cut to `n` characters on one line.
fn short(text: &str, n: usize) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > n {
        format!("{}…", one_line.chars().take(n.saturating_sub(1)).collect::<String>())
    } else {
        one_line
    }
}

async fn list(args: ListArgs) -> Result<()> {
    let workspace = args.ws.open(crate::Open::ReadOnly).await?;
    let result = async {
        let mut filter = CommentFilter {
            platforms: args.platform.into_iter().collect(),
            post_external_id: args.post.clone(),
            kinds: args.kind.into_iter().collect(),
            since: args.since.and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc()),
            until: args
                .until
                .and_then(|d| d.succ_opt())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc()),
            search: args.search.clone(),
            include_deleted: args.include_deleted,
            ..CommentFilter::default()
        };
        if let Some(spec) = &args.account {
            filter.account_ids = vec![reports::find_account(&workspace, spec, args.platform).await?.id];
        }
        let limit = args.limit.clamp(1, comments::MAX_PAGE);
        let page = comments::list(&workspace, &filter, None, limit).await?;
        if page.items.is_empty() {
            println!("No comments.");
            return anyhow::Ok(());
        }
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED);
        table.set_header(["Written (UTC)", "Account", "Kind", "Author", "Text", "Likes", "Post"]);
        for c in &page.items {
            let mut kind = c.kind.as_str().to_string();
            if c.edited {
                kind.push_str(" (edited)");
            }
            if c.deleted {
                kind.push_str(" (deleted)");
            }
            table.add_row(vec![
                Cell::new(c.created_at.format("%Y-%m-%d %H:%M")),
                Cell::new(format!(
                    "@{} ({})",
                    c.account_username.as_deref().unwrap_or(DASH),
                    c.platform
                )),
                Cell::new(kind),
                Cell::new(c.author_handle.as_deref().map_or(DASH.to_string(), |h| format!("@{h}"))),
                Cell::new(short(c.text.as_deref().unwrap_or(DASH), 60)),
                Cell::new(c.like_count.map_or(DASH.to_string(), |n| n.to_string())).set_alignment(CellAlignment::Right),
                Cell::new(c.post_external_id.as_deref().unwrap_or(DASH)),
            ]);
        }
        println!("{table}");
        if page.next.is_some() {
            println!("More comments match: raise --limit (up to {}).", comments::MAX_PAGE);
        }
        anyhow::Ok(())
    }
    .await;
    workspace.close().await;
    result
}

async fn counts(args: CountArgs) -> Result<()> {
    let workspace = args.ws.open(crate::Open::ReadOnly).await?;
    let result = async {
        let ids = match &args.account {
            Some(spec) => vec![reports::find_account(&workspace, spec, None).await?.id],
            None => Vec::new(),
        };
        let limit = args.limit.clamp(1, comments::MAX_PAGE);
        let counts = comments::post_counts(&workspace, &ids, None, limit).await?;
        if counts.is_empty() {
            return Err(anyhow!("no post has comments stored or counted yet"));
        }
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED);
        table.set_header([
            "Post",
            "Platform",
            "Published (UTC)",
            "Stored",
            "Platform count",
            "Difference",
        ]);
        for c in &counts {
            let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
            table.add_row(vec![
                Cell::new(&c.external_id),
                Cell::new(c.platform),
                Cell::new(
                    c.published_at
                        .map_or(DASH.to_string(), |t| t.format("%Y-%m-%d %H:%M").to_string()),
                ),
                right(c.stored.to_string()),
                right(c.platform_count.map_or(DASH.to_string(), |n| format!("{n:.0}"))),
                right(c.difference().map_or(DASH.to_string(), |d| format!("{d:+.0}"))),
            ]);
        }
        println!("{table}");
        anyhow::Ok(())
    }
    .await;
    workspace.close().await;
    result
}
