//! `alcance hashtags …`: tracked hashtags (X post volume, Instagram media, the Instagram
//! budget of 30 unique hashtags per 7 days) and the performance of the workspace's own
//! hashtags (`alcance_app::hashtags`, `alcance_app::views::hashtags`).

use crate::accounts_cmd::read_stdin_line;
use crate::{open_workspace, WorkspaceArgs};
use alcance_app::hashtags::{self, TrackedHashtag};
use alcance_app::views::{self, ViewFilter};
use anyhow::Result;
use chrono::Utc;
use clap::Subcommand;
use secrecy::SecretString;

/// Environment variable holding the X App's app-only Bearer Token (else it is read from stdin).
pub const X_BEARER_ENV: &str = "ALCANCE_X_BEARER_TOKEN";

/// `alcance hashtags …`.
#[derive(Subcommand)]
pub enum HashtagsCommand {
    /// Track a hashtag: its X post volume and Instagram top / recent media are collected
    /// once a day, after a collection run.
    Track {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The hashtag, with or without # (#SãoPaulo, verão_2026).
        #[arg(value_name = "TAG")]
        tag: String,
    },
    /// Stop tracking a hashtag (what was collected stays).
    Untrack {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The hashtag.
        #[arg(value_name = "TAG")]
        tag: String,
    },
    /// The tracked hashtags with X posts over 7 days and Instagram media, and the Instagram
    /// budget; with --own, the hashtags of the workspace's own posts and their performance.
    List {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The hashtags of the workspace's own posts instead (posts, reach, impressions,
        /// interactions, engagement rate).
        #[arg(long)]
        own: bool,
        /// With --own: at most this many (most interactions first).
        #[arg(long, default_value_t = 30)]
        limit: usize,
    },
    /// One hashtag: own posts with it, X posts per day, Instagram top and recent media.
    Show {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The hashtag.
        #[arg(value_name = "TAG")]
        tag: String,
    },
    /// Save the X App's app-only Bearer Token (developer portal → your App → Keys and
    /// tokens) in the vault, after checking it with X: X post counts need it. Read from
    /// ALCANCE_X_BEARER_TOKEN, else from stdin. `--clear` removes it.
    Bearer {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// Remove the stored token instead.
        #[arg(long)]
        clear: bool,
    },
}

impl HashtagsCommand {
    fn ws(&self) -> &WorkspaceArgs {
        match self {
            HashtagsCommand::Track { ws, .. }
            | HashtagsCommand::Untrack { ws, .. }
            | HashtagsCommand::List { ws, .. }
            | HashtagsCommand::Show { ws, .. }
            | HashtagsCommand::Bearer { ws, .. } => ws,
        }
    }
}

fn count(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.0}"))
}

fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.2}%"))
}

fn tracked_line(t: &TrackedHashtag) -> String {
    format!(
        "{:<28} {:>10} {:>7} {:>7}  {}",
        t.display,
        t.x_posts_7d.map_or_else(|| "-".into(), |n| n.to_string()),
        t.instagram_top,
        t.instagram_recent,
        t.collected_at
            .map_or_else(|| "not yet".into(), |c| c.format("%Y-%m-%d %H:%M UTC").to_string())
    )
}

/// `alcance hashtags …`.
pub async fn hashtags(command: HashtagsCommand) -> Result<()> {
    // Read the token before opening the workspace: stdin is the terminal's.
    let bearer = match &command {
        HashtagsCommand::Bearer { clear: false, .. } => Some(match std::env::var(X_BEARER_ENV) {
            Ok(t) if !t.trim().is_empty() => t.trim().to_string(),
            _ => {
                eprintln!("Paste the X App's Bearer Token and press Enter (or set {X_BEARER_ENV}):");
                read_stdin_line("the bearer token")?
            }
        }),
        _ => None,
    };
    let need_vault = matches!(command, HashtagsCommand::Bearer { .. });
    let ws = open_workspace(command.ws(), need_vault).await?;
    let result = run(&ws, command, bearer).await;
    ws.close().await;
    result
}

async fn run(ws: &alcance_app::Workspace, command: HashtagsCommand, bearer: Option<String>) -> Result<()> {
    let now = Utc::now();
    match command {
        HashtagsCommand::Track { tag, .. } => {
            let t = hashtags::track(ws, &tag, now).await?;
            println!(
                "Tracking {} (key {}): the next collection run reads its X volume and Instagram media.",
                t.display, t.tag
            );
        }
        HashtagsCommand::Untrack { tag, .. } => {
            hashtags::untrack(ws, &tag).await?;
            println!("No longer tracking {tag}; what was collected stays.");
        }
        HashtagsCommand::List { own: true, limit, .. } => {
            let rows = views::hashtags(ws, &ViewFilter::default()).await?;
            if rows.is_empty() {
                println!("No hashtag in the collected posts' captions.");
            }
            println!(
                "{:<28} {:>6} {:>10} {:>12} {:>12} {:>9}",
                "hashtag", "posts", "reach", "impressions", "interactions", "eng. rate"
            );
            for h in rows.iter().take(limit) {
                println!(
                    "{:<28} {:>6} {:>10} {:>12} {:>12} {:>9}",
                    h.hashtag,
                    h.posts,
                    count(h.reach),
                    count(h.impressions),
                    count(h.interactions),
                    percent(h.engagement_rate)
                );
            }
        }
        HashtagsCommand::List { .. } => {
            let list = hashtags::tracked(ws, false, now).await?;
            if list.hashtags.is_empty() {
                println!("No tracked hashtag: `alcance hashtags track '#tag'`.");
            } else {
                println!(
                    "{:<28} {:>10} {:>7} {:>7}  collected",
                    "hashtag", "X 7 days", "IG top", "IG new"
                );
                for t in &list.hashtags {
                    println!("{}", tracked_line(t));
                }
            }
            if !list.x_bearer_set {
                println!("X post volume: no X App bearer token (`alcance hashtags bearer`).");
            }
            match &list.instagram_budget {
                Some(b) => println!(
                    "Instagram hashtag budget of {}: {} of {} used in the last 7 days, {} left{}.",
                    b.account,
                    b.used,
                    b.limit,
                    b.remaining,
                    b.next_free_at
                        .map(|t| format!("; next slot frees up at {}", t.format("%Y-%m-%d %H:%M UTC")))
                        .unwrap_or_default()
                ),
                None => println!("Instagram media: no connected Instagram account."),
            }
        }
        HashtagsCommand::Show { tag, .. } => {
            let d = hashtags::show(ws, &tag, &ViewFilter::default(), now).await?;
            println!("{}", d.tag);
            match &d.own_posts {
                Some(h) => println!(
                    "  own posts: {} (accounts {}), reach {}, impressions {}, interactions {}, engagement rate {}",
                    h.posts,
                    h.accounts,
                    count(h.reach),
                    count(h.impressions),
                    count(h.interactions),
                    percent(h.engagement_rate)
                ),
                None => println!("  own posts: none"),
            }
            match &d.tracked {
                Some(t) => {
                    println!(
                        "  tracked since {}{}",
                        t.added_at.format("%Y-%m-%d"),
                        if t.enabled { "" } else { " (untracked)" }
                    );
                    for p in &t.x_daily {
                        println!("  X {}: {} posts", p.start.format("%Y-%m-%d"), p.count);
                    }
                }
                None => println!("  not tracked"),
            }
            for m in &d.instagram_media {
                println!(
                    "  IG {:<6} {} likes {} comments {}  {}",
                    m.edge.as_str(),
                    m.published_at
                        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_default(),
                    m.like_count.map_or_else(|| "-".into(), |n| n.to_string()),
                    m.comments_count.map_or_else(|| "-".into(), |n| n.to_string()),
                    m.permalink.as_deref().unwrap_or("")
                );
            }
        }
        HashtagsCommand::Bearer { clear: true, .. } => {
            hashtags::clear_x_bearer(ws)?;
            println!("The X bearer token is removed: X post volume is no longer collected.");
        }
        HashtagsCommand::Bearer { .. } => {
            let token = SecretString::from(bearer.unwrap_or_default());
            hashtags::set_x_bearer(ws, token).await?;
            println!("The X App bearer token is saved in the vault: X post volume is collected from the next run on.");
        }
    }
    Ok(())
}
