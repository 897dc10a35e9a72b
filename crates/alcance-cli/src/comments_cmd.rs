//! `alcance comments list|counts|sentiment|rescore`: the comments, replies, mentions and
//! tags the collections read (issue 17 point 3; docs/comments.md) and their sentiment
//! (issue 17 point 4), through `alcance_app::comments` and `alcance_app::sentiment`.

use crate::WorkspaceArgs;
use alcance_app::comments::{self, CommentFilter, CommentKind};
use alcance_app::format::DASH;
use alcance_app::reports;
use alcance_app::sentiment::{self, SentimentLabel, ShareView};
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
    /// Sentiment shares (percent of the scored comments): overall, per week or day, per post.
    Sentiment(SentimentArgs),
    /// Score again the comments another sentiment model (or none) scored.
    Rescore(RescoreArgs),
}

/// `alcance comments sentiment`.
#[derive(Args)]
pub struct SentimentArgs {
    #[command(flatten)]
    ws: WorkspaceArgs,
    /// Only this account (id, @username or platform account id).
    #[arg(long, value_name = "ACCOUNT")]
    account: Option<String>,
    /// Only this platform (instagram, facebook, x, youtube).
    #[arg(long)]
    platform: Option<Platform>,
    /// Only the comments on this post (the platform's post id).
    #[arg(long, value_name = "POST_ID")]
    post: Option<String>,
    /// Only the comments on the posts of this campaign (its id).
    #[arg(long, value_name = "ID")]
    campaign: Option<i64>,
    /// Written on or after this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    since: Option<NaiveDate>,
    /// Written on or before this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    until: Option<NaiveDate>,
    /// IANA time zone of the days and weeks (default America/Sao_Paulo).
    #[arg(long, value_name = "ZONE")]
    time_zone: Option<String>,
    /// Rows per day instead of per week.
    #[arg(long)]
    daily: bool,
    /// Most posts to print.
    #[arg(long, default_value_t = 10)]
    posts: usize,
}

/// `alcance comments rescore`.
#[derive(Args)]
pub struct RescoreArgs {
    #[command(flatten)]
    ws: WorkspaceArgs,
    /// Score every comment again, not only those another model (or none) scored.
    #[arg(long)]
    all: bool,
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
    /// Only comments of this sentiment: positive, neutral or negative.
    #[arg(long)]
    sentiment: Option<SentimentLabel>,
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
        CommentsCommand::Sentiment(args) => sentiment_summary(args).await,
        CommentsCommand::Rescore(args) => rescore(args).await,
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
            sentiments: args.sentiment.into_iter().collect(),
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
        table.set_header([
            "Written (UTC)",
            "Account",
            "Kind",
            "Author",
            "Text",
            "Sentiment",
            "Likes",
            "Post",
        ]);
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
                Cell::new(match (c.sentiment_label, c.sentiment_score) {
                    (Some(l), Some(s)) => format!("{l} ({s:+.2})"),
                    (Some(l), None) => l.to_string(),
                    _ => DASH.to_string(),
                }),
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

/// A share as percent 0–100 with one decimal, `—` without comments.
fn percent(share: Option<f64>) -> String {
    share.map_or(DASH.to_string(), |r| format!("{:.1}%", r * 100.0))
}

/// The row cells of a share: total, positive, neutral, negative (count and percent), net.
fn share_cells(s: &ShareView) -> Vec<Cell> {
    let right = |t: String| Cell::new(t).set_alignment(CellAlignment::Right);
    vec![
        right(s.total.to_string()),
        right(format!("{} ({})", s.positive, percent(s.positive_share))),
        right(format!("{} ({})", s.neutral, percent(s.neutral_share))),
        right(format!("{} ({})", s.negative, percent(s.negative_share))),
        right(s.net.map_or(DASH.to_string(), |n| format!("{:+.1}", n * 100.0))),
    ]
}

const SHARE_HEADER: [&str; 5] = ["Comments", "Positive", "Neutral", "Negative", "Net (points)"];

async fn sentiment_summary(args: SentimentArgs) -> Result<()> {
    let tz = alcance_app::zone::parse_optional(args.time_zone.as_deref())?.unwrap_or(sentiment::DEFAULT_TIME_ZONE);
    let workspace = args.ws.open(crate::Open::ReadOnly).await?;
    let result = async {
        let mut filter = CommentFilter {
            platforms: args.platform.into_iter().collect(),
            post_external_id: args.post.clone(),
            campaign_id: args.campaign,
            since: args.since.and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc()),
            until: args
                .until
                .and_then(|d| d.succ_opt())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc()),
            ..CommentFilter::default()
        };
        if let Some(spec) = &args.account {
            filter.account_ids = vec![reports::find_account(&workspace, spec, args.platform).await?.id];
        }
        let summary = sentiment::summary(&workspace, &filter, tz).await?;
        if summary.overall.total == 0 {
            println!("No scored comments.");
            return anyhow::Ok(());
        }
        println!(
            "Sentiment of {} comments (model {}; percent of the scored comments, days in {}):",
            summary.overall.total, summary.model, summary.time_zone
        );
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED);
        let mut header = vec![if args.daily { "Day" } else { "Week of" }];
        header.extend(SHARE_HEADER);
        table.set_header(header);
        let periods = if args.daily { &summary.by_day } else { &summary.by_week };
        for p in periods {
            let mut row = vec![Cell::new(p.start)];
            row.extend(share_cells(&p.share));
            table.add_row(row);
        }
        let mut row = vec![Cell::new("All")];
        row.extend(share_cells(&summary.overall));
        table.add_row(row);
        println!("{table}");
        if args.posts > 0 && !summary.by_post.is_empty() {
            let mut table = Table::new();
            table.load_preset(UTF8_FULL_CONDENSED);
            let mut header = vec!["Post"];
            header.extend(SHARE_HEADER);
            table.set_header(header);
            for p in summary.by_post.iter().take(args.posts) {
                let mut row = vec![Cell::new(&p.post_external_id)];
                row.extend(share_cells(&p.share));
                table.add_row(row);
            }
            println!("{table}");
        }
        for (what, e) in [
            ("Most liked positive", &summary.most_liked_positive),
            ("Most liked negative", &summary.most_liked_negative),
        ] {
            if let Some(e) = e {
                println!(
                    "{what}: @{} ({} likes): {}",
                    e.author_handle.as_deref().unwrap_or(DASH),
                    e.like_count.unwrap_or(0),
                    short(&e.text, 100)
                );
            }
        }
        anyhow::Ok(())
    }
    .await;
    workspace.close().await;
    result
}

async fn rescore(args: RescoreArgs) -> Result<()> {
    let workspace = args.ws.open(crate::Open::ReadOnly).await?;
    // Opening the workspace already scored what was due (this run then finds nothing
    // without --all).
    let result = sentiment::rescore(&workspace, args.all).await;
    workspace.close().await;
    let done = result?;
    println!(
        "{} comments scored, {} scores cleared (model {}).",
        done.scored,
        done.cleared,
        alcance_app::sentiment::model_id()
    );
    anyhow::Ok(())
}
