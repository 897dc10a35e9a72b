//! `alcance competitors …`: the workspace's competitor sets (list, add, remove, a set's
//! cadence), the share-of-voice terms, and the Competitors report — own accounts beside
//! the competitors — printed, exported (csv, json, xlsx) or drawn (`alcance_app::competitors`).

use crate::report_cmd::export_format_parser;
use crate::{open_workspace, WorkspaceArgs};
use alcance_app::collect::Cadence;
use alcance_app::competitors::{self, CompetitorReport, CompetitorsRequest};
use alcance_app::reports::{self, ExportFormat};
use alcance_app::views::ChartLabels;
use alcance_app::{AccountId, Platform};
use anyhow::{Context, Result};
use chrono::{NaiveDate, Utc};
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// `alcance competitors …`.
#[derive(Subcommand)]
pub enum CompetitorsCommand {
    /// The competitor sets with their cadence, the competitors and the share-of-voice terms.
    List {
        #[command(flatten)]
        ws: WorkspaceArgs,
    },
    /// Make an account (a tracked profile, or an own one) a competitor; it takes its set's
    /// collection cadence (a new set's is daily).
    Add {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The account: id, @username or platform account id (`alcance accounts`).
        #[arg(value_name = "ACCOUNT")]
        account: String,
        /// The set's name (default "competitors").
        #[arg(long)]
        set: Option<String>,
        /// The account's platform, when its handle is on several (x, instagram, …).
        #[arg(long)]
        platform: Option<Platform>,
    },
    /// Stop treating an account as a competitor (the account and its data stay).
    Remove {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The account: id, @username or platform account id.
        #[arg(value_name = "ACCOUNT")]
        account: String,
        /// The account's platform, when its handle is on several.
        #[arg(long)]
        platform: Option<Platform>,
    },
    /// Set a competitor set's collection cadence, for every member: hourly, daily, weekly
    /// or a period (90m, 6h, 2d).
    Cadence {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The cadence.
        #[arg(value_name = "CADENCE")]
        cadence: String,
        /// The set's name (default "competitors").
        #[arg(long)]
        set: Option<String>,
    },
    /// Share-of-voice terms (hashtags or keywords counted on X once a day after a run).
    Voice {
        #[command(subcommand)]
        command: VoiceCommand,
    },
    /// Own accounts beside the competitors over a window, and the share of voice.
    Report(ReportArgs),
    /// Write the report as csv, json or xlsx.
    Export {
        #[command(flatten)]
        args: ReportArgs,
        /// csv, json or xlsx (default: from --out's extension, else csv).
        #[arg(long, value_parser = export_format_parser())]
        format: Option<ExportFormat>,
        /// The file (default <workspace>/exports/competitors-<from>-<to>.<format>).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Draw the followers chart of the report as a PNG.
    Chart {
        #[command(flatten)]
        args: ReportArgs,
        /// The PNG file.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// `alcance competitors voice …`.
#[derive(Subcommand)]
pub enum VoiceCommand {
    /// Count a hashtag or keyword (`#verão`, `"black friday"`).
    Add {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The term, as X's search takes it (without `from:`).
        #[arg(value_name = "TERM")]
        term: String,
    },
    /// Stop counting a term (its counts stay).
    Remove {
        #[command(flatten)]
        ws: WorkspaceArgs,
        /// The term.
        #[arg(value_name = "TERM")]
        term: String,
    },
}

/// The window and choices of the report.
#[derive(Args)]
pub struct ReportArgs {
    #[command(flatten)]
    ws: WorkspaceArgs,
    /// First day of the window (YYYY-MM-DD, UTC). Default: 30 days before its end.
    #[arg(long, value_name = "DATE")]
    from: Option<NaiveDate>,
    /// Last day of the window, inclusive (YYYY-MM-DD, UTC). Default: up to now.
    #[arg(long, value_name = "DATE")]
    to: Option<NaiveDate>,
    /// IANA time zone of the best slots (America/Sao_Paulo). Default UTC.
    #[arg(long = "time-zone", value_name = "TZ")]
    time_zone: Option<String>,
    /// Only this set's competitors (default: every set).
    #[arg(long)]
    set: Option<String>,
    /// The share-of-voice term (default: the first one).
    #[arg(long)]
    term: Option<String>,
}

impl ReportArgs {
    fn request(&self) -> CompetitorsRequest {
        let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
        CompetitorsRequest {
            since: self.from.and_then(midnight),
            until: self.to.and_then(|d| d.succ_opt()).and_then(midnight),
            time_zone: self.time_zone.clone(),
            set: self.set.clone(),
            term: self.term.clone(),
        }
    }
}

impl CompetitorsCommand {
    fn ws(&self) -> &WorkspaceArgs {
        match self {
            CompetitorsCommand::List { ws }
            | CompetitorsCommand::Add { ws, .. }
            | CompetitorsCommand::Remove { ws, .. }
            | CompetitorsCommand::Cadence { ws, .. }
            | CompetitorsCommand::Voice {
                command: VoiceCommand::Add { ws, .. } | VoiceCommand::Remove { ws, .. },
            } => ws,
            CompetitorsCommand::Report(args)
            | CompetitorsCommand::Export { args, .. }
            | CompetitorsCommand::Chart { args, .. } => &args.ws,
        }
    }
}

/// `alcance competitors …`.
pub async fn competitors(command: CompetitorsCommand) -> Result<()> {
    let ws = open_workspace(command.ws(), false).await?;
    let result = run(&ws, command).await;
    ws.close().await;
    result
}

fn dash<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "—".into(), |v| v.to_string())
}

fn print_report(r: &CompetitorReport) {
    let c = &r.comparison;
    println!(
        "{} – {} UTC",
        c.since.format("%Y-%m-%d %H:%M"),
        c.until.format("%Y-%m-%d %H:%M")
    );
    println!(
        "{:<34} {:<24} {:>10} {:>8} {:>8} {:>10} {:>8}  {:<22} content mix",
        "account", "role", "followers", "growth", "posts/wk", "eng./post", "ER %", "best slot"
    );
    for (a, f) in c.accounts.iter().zip(&r.figures) {
        let role = match &f.set {
            Some(s) => format!("{} ({s})", f.role.as_str()),
            None => f.role.as_str().to_string(),
        };
        println!(
            "{:<34} {:<24} {:>10} {:>8} {:>8.1} {:>10} {:>8}  {:<22} {}",
            a.label,
            role,
            dash(a.followers.map(|v| format!("{v:.0}"))),
            dash(a.follower_growth.map(|v| format!("{v:+.0}"))),
            a.posts_per_week,
            dash(f.mean_engagement_per_post.map(|v| format!("{v:.1}"))),
            dash(a.engagement_rate.map(|v| format!("{v:.2}"))),
            alcance_app::views::slot_text(a.best_slot.as_ref(), &c.time_zone),
            alcance_app::views::mix_text(&a.content_mix),
        );
    }
    match &r.share_of_voice {
        Some(v) => {
            println!(
                "Share of voice on {} ({} – {} UTC), {} public X posts in all:",
                v.term,
                v.first_day,
                v.last_day,
                dash(v.total_posts)
            );
            for s in &v.accounts {
                let text = if !s.available {
                    "— (no counts on this platform)".to_string()
                } else {
                    match (s.posts, s.share) {
                        (Some(p), Some(sh)) => format!("{p} posts, {:.1}%", sh * 100.0),
                        (Some(p), None) => format!("{p} posts"),
                        _ => "— (not collected yet)".to_string(),
                    }
                };
                println!("  {:<34} {text}", s.label);
            }
        }
        None => println!("Share of voice: no term (`alcance competitors voice add TERM`)."),
    }
}

async fn run(ws: &alcance_app::Workspace, command: CompetitorsCommand) -> Result<()> {
    let now = Utc::now();
    let labels = ChartLabels::default();
    match command {
        CompetitorsCommand::List { .. } => {
            let list = competitors::list(ws).await?;
            if list.sets.is_empty() {
                println!("No competitor yet: `alcance competitors add @handle` (track it first: `alcance track`).");
            }
            for s in &list.sets {
                println!("{} — {} member(s), cadence {}", s.name, s.members, s.cadence);
                for c in list.competitors.iter().filter(|c| c.set == s.name) {
                    println!(
                        "  {:<6} {}{}",
                        c.account_id.get(),
                        c.label,
                        if c.owned { " (own)" } else { "" }
                    );
                }
            }
            for t in &list.voice_terms {
                println!(
                    "Share of voice: {} (collected {})",
                    t.term,
                    t.collected_at
                        .map_or_else(|| "not yet".into(), |c| c.format("%Y-%m-%d %H:%M UTC").to_string())
                );
            }
            if !list.x_bearer_set {
                println!("Share of voice needs the X App bearer token: `alcance hashtags bearer`.");
            }
        }
        CompetitorsCommand::Add {
            account, set, platform, ..
        } => {
            let row = reports::find_account(ws, &account, platform).await?;
            let c = competitors::add(ws, AccountId(row.id), set.as_deref(), now).await?;
            println!(
                "{} is a competitor in {:?}; it is collected on that set's cadence.",
                c.label, c.set
            );
        }
        CompetitorsCommand::Remove { account, platform, .. } => {
            let row = reports::find_account(ws, &account, platform).await?;
            if competitors::remove(ws, AccountId(row.id)).await? {
                println!("No longer a competitor; its data stays.");
            } else {
                println!("It was not a competitor.");
            }
        }
        CompetitorsCommand::Cadence { cadence, set, .. } => {
            let cadence = Cadence::parse(&cadence)?;
            let s = competitors::set_cadence(ws, set.as_deref(), cadence, now).await?;
            println!("{}: cadence {} for its {} member(s).", s.name, s.cadence, s.members);
        }
        CompetitorsCommand::Voice {
            command: VoiceCommand::Add { term, .. },
        } => {
            let t = competitors::add_voice_term(ws, &term, now).await?;
            println!("Counting {} on X: the next collection run reads it.", t.term);
        }
        CompetitorsCommand::Voice {
            command: VoiceCommand::Remove { term, .. },
        } => {
            if competitors::remove_voice_term(ws, &term).await? {
                println!("No longer counting {term}; its counts stay.");
            } else {
                println!("{term} was not counted.");
            }
        }
        CompetitorsCommand::Report(args) => {
            let v = competitors::view(ws, &args.request(), &labels, now).await?;
            print_report(&v.report);
        }
        CompetitorsCommand::Export { args, format, out } => {
            let format = match (format, out.as_deref()) {
                (Some(f), _) => f,
                (None, Some(out)) => out
                    .extension()
                    .and_then(|e| e.to_str())
                    .and_then(|e| e.parse::<ExportFormat>().ok())
                    .ok_or_else(|| anyhow::anyhow!("--out {}: give --format csv, json or xlsx", out.display()))?,
                (None, None) => ExportFormat::Csv,
            };
            let (v, bytes) = competitors::export(ws, &args.request(), &labels, format, now).await?;
            let out = out.unwrap_or_else(|| ws.dir().join("exports").join(competitors::file_name(&v.report, format)));
            if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
            }
            let size = bytes.len();
            reports::write_report_file(&out, bytes).await?;
            println!("{} ({size} bytes)", out.display());
        }
        CompetitorsCommand::Chart { args, out } => {
            let png = competitors::chart_png(ws, &args.request(), &labels, now).await?;
            reports::write_report_file(&out, png).await?;
            println!("{}", out.display());
        }
    }
    Ok(())
}
